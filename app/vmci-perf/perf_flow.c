/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

#include <errno.h>
#include <string.h>

#include <rte_malloc.h>

#include "perf_flow.h"

int
perf_flow_init(struct perf_flow *flow, uint32_t size, unsigned int nb_bufs,
	       unsigned int burst, bool verify, int socket)
{
	size_t total = (size_t)size * nb_bufs;
	unsigned int i;
	size_t j;

	memset(flow, 0, sizeof(*flow));
	flow->iov = rte_zmalloc_socket("perf_flow_iov", sizeof(*flow->iov) * nb_bufs,
				       RTE_CACHE_LINE_SIZE, socket);
	flow->buf = rte_malloc_socket("perf_flow_buf", total, RTE_CACHE_LINE_SIZE, socket);
	if (flow->iov == NULL || flow->buf == NULL) {
		perf_flow_free(flow);
		return -ENOMEM;
	}
	/* Touch every page now, so no page fault lands in a timed loop. */
	for (j = 0; j < total; j++)
		flow->buf[j] = (uint8_t)(j * 131 + 7);
	for (i = 0; i < nb_bufs; i++) {
		flow->iov[i].iov_base = flow->buf + (size_t)i * size;
		flow->iov[i].iov_len = size;
	}
	flow->nb_bufs = nb_bufs;
	flow->burst = burst;
	flow->size = size;
	flow->seq_len = RTE_MIN(size, (uint32_t)sizeof(uint64_t));
	flow->seq_mask = flow->seq_len == sizeof(uint64_t) ? UINT64_MAX :
		(UINT64_C(1) << (8 * flow->seq_len)) - 1;
	flow->verify = verify;
	return 0;
}

void
perf_flow_free(struct perf_flow *flow)
{
	rte_free(flow->iov);
	rte_free(flow->buf);
	flow->iov = NULL;
	flow->buf = NULL;
}

/*
 * A single bad message counts once, whatever happened to it: if messages
 * were lost or repeated, the count goes on from what arrived; if it was
 * corrupted, the next message carries the old count plus one, which is
 * accepted too. (Runs of corrupted messages may count a little more.)
 */
void
perf_flow_mismatch(struct perf_flow *flow, uint64_t got)
{
	if (flow->seq == flow->alt_at && got == (flow->alt_seq & flow->seq_mask)) {
		flow->seq = flow->alt_seq + 1;
		return;
	}
	flow->verify_errors++;
	flow->alt_seq = flow->seq + 1;
	flow->seq = got + 1;
	flow->alt_at = flow->seq;
}
