/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

/*
 * An installed-library user in C++: lists the VMCI devices, opens a queue
 * pair with the host on the first one, and moves data through a local
 * queue pair of lib/vmci_qp. Prints "vmci_app: ok" when all worked.
 */

#include <cstdio>
#include <cstring>
#include <vector>

#include <rte_eal.h>
#include <rte_errno.h>

#include <rte_bus_vmci.h>
#include <rte_vmci_qp_mem.h>

static bool
list_devices()
{
	uint16_t n = rte_vmci_dev_count();

	for (uint16_t i = 0; i < n; i++) {
		struct rte_vmci_dev_info info;

		if (rte_vmci_dev_info_get(rte_vmci_dev_get(i), &info) != 0)
			return false;
		std::printf("vmci_app: device %s backend %s cid %u\n", info.name,
			    info.backend, info.context_id);
	}
	return n > 0;
}

static bool
pair_with_host(struct rte_vmci_device *dev)
{
	struct rte_vmci_qpair_conf conf = {};
	struct rte_vmci_qpair *qpair;

	conf.produce_size = 65536;
	conf.consume_size = 65536;
	conf.peer = RTE_VMCI_HOST_CID;
	conf.socket_id = SOCKET_ID_ANY;
	qpair = rte_vmci_qpair_create(dev, &conf);
	if (qpair == NULL) {
		std::printf("vmci_app: queue pair: %s\n", rte_strerror(rte_errno));
		return false;
	}
	std::printf("vmci_app: queue pair %u:%u\n", rte_vmci_qpair_handle(qpair).context,
		    rte_vmci_qpair_handle(qpair).resource);
	return rte_vmci_qpair_detach(qpair) == 0;
}

static bool
local_pair()
{
	struct rte_vmci_handle handle = { 1, 1 };
	struct rte_vmci_qp *ep[2];
	std::vector<unsigned char> out(100000), in(out.size());
	struct rte_vmci_qp_mem *mem;
	size_t done = 0;
	bool ok = true;

	for (size_t i = 0; i < out.size(); i++)
		out[i] = (unsigned char)(i * 7);
	mem = rte_vmci_qp_local_pair_create("vmci_app", 8192, 8192, SOCKET_ID_ANY, handle, ep);
	if (mem == NULL)
		return false;
	while (ok && done < out.size()) {
		ssize_t n = rte_vmci_qp_enqueue_burst(ep[0], &out[done], out.size() - done);
		ok = n > 0 && rte_vmci_qp_dequeue_bulk(ep[1], &in[done], n) == n;
		done += ok ? (size_t)n : 0;
	}
	rte_vmci_qp_local_pair_free(mem, ep);
	return ok && std::memcmp(out.data(), in.data(), out.size()) == 0;
}

int
main(int argc, char **argv)
{
	bool ok;

	if (rte_eal_init(argc, argv) < 0) {
		std::printf("vmci_app: EAL init failed\n");
		return 1;
	}
	ok = list_devices() && pair_with_host(rte_vmci_dev_get(0)) && local_pair();
	std::printf("vmci_app: %s\n", ok ? "ok" : "FAILED");
	return rte_eal_cleanup() == 0 && ok ? 0 : 1;
}
