/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

#ifndef _QP_FLOW_H_
#define _QP_FLOW_H_

/*
 * Verified traffic over one queue of a queue pair, for the stress and
 * multi-process tests.
 *
 * A flow is one direction of a pair seen from one end: its producer half
 * writes a deterministic stream (or message sequence) with randomly sized,
 * randomly chosen API calls; its consumer half reads with its own random
 * mix and checks every byte against the same deterministic content. Both
 * halves derive everything from (seed, offset) or (seed, sequence number),
 * so they need no side channel: they may run on two lcores or in two
 * processes.
 *
 * Both halves assume the queue starts empty with both indices at 0 (fresh
 * headers), which lets them check zero-copy pointers against the exact ring
 * position.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_vmci_qp.h>

/** What a flow carries. */
enum qp_flow_kind {
	QP_FLOW_STREAM, /* byte stream: byte i is a function of (seed, i) */
	QP_FLOW_MSG,    /* framed messages: length and content from (seed, seq) */
};

struct qp_flow_conf {
	const char *name;           /* in every message, e.g. "a2b stream" */
	enum qp_flow_kind kind;
	uint64_t seed;              /* both halves of a flow need the same one */
	uint64_t bytes;             /* payload bytes to carry */
	struct rte_vmci_qp *qp;     /* endpoint this half uses */
	struct rte_vmci_qp_queue_desc ring; /* the queue carrying the flow */
};

/* What runs a set of flows watches besides their progress. */
struct qp_flow_watch {
	uint32_t *abort;          /* set by whichever loop fails first; may be NULL */
	int (*poll)(void *arg);   /* called about every 10 ms; non-zero aborts */
	void *poll_arg;
	unsigned int stall_s;     /* fail after this long without progress */
};

struct qp_flow;

/* Largest message payload a queue of @p size bytes can carry. */
uint32_t qp_flow_max_msg_len(uint64_t size);

/* Create the producer (@p tx) or consumer half; NULL after printing why. */
struct qp_flow *qp_flow_create(const struct qp_flow_conf *conf, bool tx);

void qp_flow_free(struct qp_flow *f);

/*
 * Run @p flows round-robin until all are done. Returns 0, or -1 after
 * printing the first failure (data mismatch, API contract breach, stall,
 * abort by a sibling loop or by the poll callback).
 */
int qp_flow_loop(struct qp_flow *const *flows, unsigned int n,
		 const struct qp_flow_watch *watch);

/*
 * After the loop: check that nothing extra is left to read and that the
 * endpoint counters agree with what the flow moved. Returns 0 or -1.
 */
int qp_flow_check_end(const struct qp_flow *f);

/* Print one line: payload moved, rate over @p seconds, op mix. */
void qp_flow_report(const struct qp_flow *f, double seconds);

#endif /* _QP_FLOW_H_ */
