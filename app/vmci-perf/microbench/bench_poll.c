/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

/*
 * The poll loop of a consumer that serves N queue pairs round-robin, all
 * idle: one rte_vmci_qp_msg_dequeue_burst() of a burst per pair per
 * round, each finding its queue empty. items_per_second counts pair
 * polls, so 1e9 / items_per_second is the cost of one idle pair in one
 * poll, on one core with every line cached (vmci-perf --pairs measures it
 * with the pairs of the emulated device, across cores).
 *
 *   qp_poll_idle/pairs:N    N = 1, 4, 16, 64, 256, 1024
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/uio.h>

#include <rte_common.h>
#include <rte_errno.h>
#include <rte_memory.h>

#include <rte_vmci_qp.h>
#include <rte_vmci_qp_mem.h>

#include "bench.h"
#include "gbench_shim.h"

/* The smallest queue: the loop reads only the headers and the cached indices. */
#define POLL_QUEUE_SIZE 4096
#define POLL_BURST 32
#define POLL_PAIRS_MAX 1024
#define POLL_MSG_SIZE 64

static const int64_t poll_pairs[] = { 1, 4, 16, 64, 256, 1024 };

struct poll_pairs {
	struct rte_vmci_qp_mem *mem[POLL_PAIRS_MAX];
	struct rte_vmci_qp *ep[POLL_PAIRS_MAX][2];
	unsigned int n;
};

static void
poll_pairs_free(struct poll_pairs *pp)
{
	unsigned int i;

	for (i = 0; i < pp->n; i++)
		rte_vmci_qp_local_pair_free(pp->mem[i], pp->ep[i]);
	pp->n = 0;
}

static int
poll_pairs_create(struct poll_pairs *pp, unsigned int n, char *err, size_t len)
{
	struct rte_vmci_handle handle = { .context = 0, .resource = 1 };
	char name[32];
	unsigned int i;

	pp->n = 0;
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "poll%u", i);
		handle.resource = i + 1;
		pp->mem[i] = rte_vmci_qp_local_pair_create(name, POLL_QUEUE_SIZE, POLL_QUEUE_SIZE,
							   SOCKET_ID_ANY, handle, pp->ep[i]);
		if (pp->mem[i] == NULL) {
			snprintf(err, len, "pair %u of %u: rte_vmci_qp_local_pair_create: %s",
				 i + 1, n, rte_strerror(rte_errno));
			poll_pairs_free(pp);
			return -1;
		}
		pp->n++;
	}
	return 0;
}

static void
bm_poll_idle(struct gbench_state *st, void *arg)
{
	static struct poll_pairs pp;
	static uint8_t bufs[POLL_BURST][POLL_MSG_SIZE];
	unsigned int n = (unsigned int)gbench_range_arg(st, 0), i;
	struct iovec iov[POLL_BURST];
	char err[160];
	int got = 0;

	RTE_SET_USED(arg);
	if (poll_pairs_create(&pp, n, err, sizeof(err)) < 0) {
		gbench_skip_with_error(st, err);
		return;
	}
	for (i = 0; i < POLL_BURST; i++) {
		iov[i].iov_base = bufs[i];
		iov[i].iov_len = POLL_MSG_SIZE;
	}
	while (gbench_keep_running(st)) {
		for (i = 0; i < n; i++)
			got |= rte_vmci_qp_msg_dequeue_burst(pp.ep[i][1], iov, POLL_BURST);
	}
	if (got != 0)
		gbench_skip_with_error(st, "an idle pair returned a message or an error");
	gbench_set_items_processed(st, gbench_iterations(st) * n);
	gbench_set_counter(st, "pairs", n, GBENCH_COUNTER_DEFAULT);
	poll_pairs_free(&pp);
}

void
bench_poll_register(void)
{
	struct gbench_bench *b = gbench_register("qp_poll_idle", bm_poll_idle, NULL);
	unsigned int i;

	gbench_arg_name(b, "pairs");
	for (i = 0; i < RTE_DIM(poll_pairs); i++)
		gbench_arg(b, poll_pairs[i]);
}
