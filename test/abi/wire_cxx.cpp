/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

/*
 * The public wire headers compile in C++ with their layout checks: a C++
 * application includes them as they are.
 */

#include <rte_vmci_qp_wire.h>
#include <rte_vmci_vsock_wire.h>

static_assert(sizeof(rte_vmci_vsock_ctl_pkt) == RTE_VMCI_VSOCK_CTL_PKT_SIZE,
	      "control packet in C++");
static_assert(offsetof(rte_vmci_vsock_ctl_pkt, u.wait.offset) == 48, "u.wait.offset in C++");

int
main()
{
	return rte_vmci_vsock_packet_rid(RTE_VMCI_VSOCK_CID_HYPERVISOR) ==
		RTE_VMCI_VSOCK_HYPERVISOR_PACKET_RID ? 0 : 1;
}
