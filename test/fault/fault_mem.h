/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

#ifndef _FAULT_MEM_H_
#define _FAULT_MEM_H_

/*
 * DPDK memory exhausted, shared by the --no-huge fault test and the
 * hugepage one (which caps hugepages with --socket-limit so that it never
 * takes other programs' hugepages).
 */

#include <rte_errno.h>
#include <rte_malloc.h>

#include "vmci_core.h"
#include "vmci_test.h"

/* A 2 MiB pair fails with ENOMEM while memory is taken, and works after. */
static inline int
fault_check_memory_exhausted(struct vmci_device *dev)
{
	struct vmci_qpair_conf c = {
		.produce_size = 1u << 20,
		.consume_size = 1u << 20,
		.peer = VMCI_HOST_CID,
		.socket_id = SOCKET_ID_ANY,
	};
	void *hog[256];
	struct vmci_qpair *qp;
	unsigned int n = 0, i;
	size_t chunk, taken = 0;

	/* Take everything, big pieces first, down to pieces smaller than a queue. */
	for (chunk = 64u << 20; chunk >= (256u << 10) && n < RTE_DIM(hog); ) {
		hog[n] = rte_malloc(NULL, chunk, 0);
		if (hog[n] != NULL) {
			n++;
			taken += chunk;
		} else {
			chunk /= 2;
		}
	}
	printf("  took %zu MiB of DPDK memory in %u pieces\n", taken >> 20, n);
	qp = vmci_qpair_alloc(dev, &c);
	if (qp != NULL)
		vmci_qpair_detach(qp);
	TEST_ASSERT(qp == NULL, "a 2 MiB pair was created with memory exhausted");
	TEST_ASSERT_EQUAL(rte_errno, ENOMEM, "rte_errno: %s", rte_strerror(rte_errno));
	for (i = 0; i < n; i++)
		rte_free(hog[i]);
	qp = vmci_qpair_alloc(dev, &c);
	TEST_ASSERT(qp != NULL, "pair once memory is back: %s", rte_strerror(rte_errno));
	vmci_qpair_detach(qp);
	return TEST_SUCCESS;
}

#endif /* _FAULT_MEM_H_ */
