/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

/*
 * Emulated-device devargs ("cid=20,mode=dma,hv=x,caps=..,socket=..") as a
 * user types them after -a vmci:vmci_emuN,. The input is the string.
 * Checked beyond ASan: a successful parse leaves a terminated hv name of
 * allowed length, a socket that exists as a number, a guest context ID
 * (or 0: none given) and caps that offer DATAGRAM (or 0: the default).
 */

#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_string_fns.h>

#include "fuzz_common.h"
#include "vmci_bus_private.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	RTE_SET_USED(argc);
	RTE_SET_USED(argv);
	fuzz_eal_init("devargs");
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rte_vmci_device *vdev;
	char *args;

	vdev = calloc(1, sizeof(*vdev));
	args = malloc(size + 1);
	if (vdev == NULL || args == NULL)
		abort();
	memcpy(args, data, size);
	args[size] = '\0';
	strlcpy(vdev->name, "vmci_emu0", sizeof(vdev->name));
	if (vmci_bus_parse_emu_args(vdev, args) == 0) {
		if (memchr(vdev->hv_name, '\0', sizeof(vdev->hv_name)) == NULL ||
		    vdev->hv_name[0] == '\0' || vdev->emu.hv_name != vdev->hv_name)
			abort();
		if (vdev->emu.socket_id != SOCKET_ID_ANY &&
		    (vdev->emu.socket_id < 0 || vdev->emu.socket_id >= RTE_MAX_NUMA_NODES))
			abort();
		if (vdev->emu.cid != 0 && (vdev->emu.cid < VMCI_RESERVED_CID_LIMIT ||
					   vdev->emu.cid == VMCI_INVALID_ID))
			abort();
		if (vdev->emu.caps != 0 && (!(vdev->emu.caps & VMCI_CAPS_DATAGRAM) ||
					    (vdev->emu.caps & ~VMCI_EMU_CAPS_KNOWN) != 0))
			abort();
	}
	free(args);
	free(vdev);
	return 0;
}
