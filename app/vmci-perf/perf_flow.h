/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

#ifndef _PERF_FLOW_H_
#define _PERF_FLOW_H_

/**
 * @file
 * One side of a message flow as a worker sees it: message buffers and the
 * sequence numbers that verification stamps (producer) and checks
 * (consumer). Transport-independent, so every transport verifies the same
 * way.
 */

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/uio.h>

#include <rte_branch_prediction.h>
#include <rte_common.h>

struct perf_flow {
	struct iovec *iov;      /**< nb_bufs buffers of size bytes each. */
	uint8_t *buf;           /**< Start of the first buffer. */
	unsigned int nb_bufs;
	unsigned int burst;     /**< Most messages one transport call moves. */
	uint32_t size;          /**< Message size in bytes. */
	uint32_t seq_len;       /**< Bytes of the sequence number stamped: min(size, 8). */
	uint64_t seq_mask;      /**< Sequence bits those bytes hold. */
	bool verify;
	uint64_t seq;           /**< Producer: next to send; consumer: next expected. */
	uint64_t verify_errors; /**< Consumer: messages with a wrong length or sequence. */
	uint64_t alt_seq;       /**< Consumer: expected next if the last bad one was corrupted... */
	uint64_t alt_at;        /**< ...valid while seq still equals this. */
} __rte_cache_aligned;

/**
 * Allocate the buffers of a flow on @p socket (outside any timed loop)
 * and fill them with a byte pattern.
 *
 * @return
 *   0, or -ENOMEM.
 */
int perf_flow_init(struct perf_flow *flow, uint32_t size, unsigned int nb_bufs,
		   unsigned int burst, bool verify, int socket);

/** Free the buffers of a flow. */
void perf_flow_free(struct perf_flow *flow);

/** Write sequence number @p seq at the start of message @p msg. */
static inline void
perf_flow_stamp(const struct perf_flow *flow, void *msg, uint64_t seq)
{
	memcpy(msg, &seq, flow->seq_len);
}

/** Count a message whose sequence number @p got is not the expected one. */
void perf_flow_mismatch(struct perf_flow *flow, uint64_t got);

/**
 * Check one received message of @p len bytes whose first bytes are at
 * @p head, and advance the expected sequence number.
 */
static inline void
perf_flow_check(struct perf_flow *flow, const void *head, size_t len)
{
	uint64_t got = 0;

	if (unlikely(len != flow->size)) {
		flow->verify_errors++;
		flow->seq++;
		return;
	}
	memcpy(&got, head, flow->seq_len);
	if (unlikely(got != (flow->seq & flow->seq_mask))) {
		perf_flow_mismatch(flow, got);
		return;
	}
	flow->seq++;
}

#endif /* _PERF_FLOW_H_ */
