/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

/*
 * Single-core microbenchmarks of the queue-pair data path: one lcore
 * enqueues on one endpoint of a local pair and dequeues on the other, so
 * the figures are the cost of the calls and copies with every cache line
 * local (no core-to-core transfer; vmci-perf measures that).
 *
 * EAL arguments come from VMCI_BENCH_EAL (split on spaces), by default
 * EAL_ARGS_DEFAULT; the command line is Google Benchmark's
 * (--benchmark_filter=..., --benchmark_format=json, ...).
 */

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include <rte_branch_prediction.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_memory.h>
#include <rte_version.h>

#include <rte_vmci_qp.h>
#include <rte_vmci_qp_mem.h>

#include "bench.h"
#include "gbench_shim.h"
#include "perf_zc.h"

/*
 * --in-memory would be the natural way to keep runs apart, but DPDK 22.11
 * rejects it with --no-huge ("Option --legacy-mem is not compatible with
 * --in-memory": --no-huge implies legacy memory). --no-shconf gives the
 * part that matters here: no shared config or IPC socket, so runs never
 * collide with each other or with other DPDK processes.
 */
#define EAL_ARGS_DEFAULT "--no-huge -m 512 --no-pci --no-shconf"
#define EAL_ARGS_MAX 64

#define QUEUE_SIZE (UINT64_C(1) << 20)
#define SIZE_MIN 8
#define SIZE_MAX_BYTES 65536
#define MSG_BURST 32
/* Source and destination buffers: the largest size, or a burst of 1500 B. */
#define BUF_SIZE RTE_MAX(SIZE_MAX_BYTES, MSG_BURST * 1500)

static const int64_t msg_sizes[] = { 64, 128, 256, 512, 1024, 1500 };

/* Keeps reads of ring data from being optimised away. */
static volatile uint64_t bench_sink;

static char *eal_args;

struct qp_fixture {
	struct rte_vmci_qp_mem *mem;
	struct rte_vmci_qp *ep[2]; /* [0] enqueues, [1] dequeues */
	uint8_t *src;
	uint8_t *dst;
};

static void
fixture_teardown(struct qp_fixture *fx)
{
	rte_vmci_qp_local_pair_free(fx->mem, fx->ep);
	rte_free(fx->src);
	rte_free(fx->dst);
	memset(fx, 0, sizeof(*fx));
}

/* A fresh pair per run, so a failed run cannot leave data for the next. */
static int
fixture_setup(struct gbench_state *st, struct qp_fixture *fx)
{
	struct rte_vmci_handle handle = { .context = 0, .resource = 1 };
	char msg[160];

	memset(fx, 0, sizeof(*fx));
	fx->mem = rte_vmci_qp_local_pair_create("microbench", QUEUE_SIZE, QUEUE_SIZE,
						SOCKET_ID_ANY, handle, fx->ep);
	if (fx->mem == NULL) {
		snprintf(msg, sizeof(msg), "rte_vmci_qp_local_pair_create: %s",
			 rte_strerror(rte_errno));
		gbench_skip_with_error(st, msg);
		return -1;
	}
	fx->src = rte_malloc(NULL, BUF_SIZE, RTE_CACHE_LINE_SIZE);
	fx->dst = rte_malloc(NULL, BUF_SIZE, RTE_CACHE_LINE_SIZE);
	if (fx->src == NULL || fx->dst == NULL) {
		fixture_teardown(fx);
		gbench_skip_with_error(st, "no memory for the message buffers");
		return -1;
	}
	/* Touch every page before the clock runs. */
	memset(fx->src, 0xa5, BUF_SIZE);
	memset(fx->dst, 0, BUF_SIZE);
	return 0;
}

/* Bytes/s and items/s from the iterations, @per_iter messages each. */
static void
report(struct gbench_state *st, int64_t size, int64_t per_iter)
{
	int64_t items = gbench_iterations(st) * per_iter;

	gbench_set_items_processed(st, items);
	gbench_set_bytes_processed(st, items * size);
}

/* Cost of one gbench_keep_running() call, to read the others against. */
static void
bm_shim(struct gbench_state *st, void *arg)
{
	(void)arg;
	while (gbench_keep_running(st))
		;
	gbench_set_items_processed(st, gbench_iterations(st));
}

/* Byte stream: enqueue_bulk then dequeue_bulk of one message. */
static void
bm_copy(struct gbench_state *st, void *arg)
{
	size_t size = gbench_range_arg(st, 0);
	struct qp_fixture fx;

	(void)arg;
	if (fixture_setup(st, &fx) < 0)
		return;
	while (gbench_keep_running(st)) {
		if (unlikely(rte_vmci_qp_enqueue_bulk(fx.ep[0], fx.src, size) != (ssize_t)size ||
			     rte_vmci_qp_dequeue_bulk(fx.ep[1], fx.dst, size) != (ssize_t)size)) {
			gbench_skip_with_error(st, "a bulk call moved less than the message");
			break;
		}
	}
	report(st, size, 1);
	fixture_teardown(&fx);
}

/*
 * Zero copy: the producer writes the message in place, the consumer reads
 * its first 8 bytes in place (a header it would dispatch on) and releases it.
 */
static inline int
zc_one(const struct qp_fixture *fx, size_t size, uint64_t *sum)
{
	struct rte_vmci_qp_zc zc;
	uint64_t head = 0;

	if (rte_vmci_qp_enqueue_zc_bulk_start(fx->ep[0], size, &zc) != (ssize_t)size)
		return -1;
	perf_zc_write(&zc, fx->src, size);
	if (rte_vmci_qp_enqueue_zc_finish(fx->ep[0], size) != 0)
		return -1;
	if (rte_vmci_qp_dequeue_zc_bulk_start(fx->ep[1], size, &zc) != (ssize_t)size)
		return -1;
	perf_zc_read(&zc, &head, RTE_MIN(size, sizeof(head)));
	*sum += head;
	return rte_vmci_qp_dequeue_zc_finish(fx->ep[1], size);
}

static void
bm_zc(struct gbench_state *st, void *arg)
{
	size_t size = gbench_range_arg(st, 0);
	struct qp_fixture fx;
	uint64_t sum = 0;

	(void)arg;
	if (fixture_setup(st, &fx) < 0)
		return;
	while (gbench_keep_running(st)) {
		if (unlikely(zc_one(&fx, size, &sum) != 0)) {
			gbench_skip_with_error(st, "a zero-copy call mapped less than the message");
			break;
		}
	}
	bench_sink = sum;
	report(st, size, 1);
	fixture_teardown(&fx);
}

/*
 * Framed messages: one enqueue burst and one dequeue burst of @arg
 * messages (MSG_BURST for throughput, 1 for the per-call cost that a
 * ping-pong pays on every message).
 */
static void
bm_msg_burst(struct gbench_state *st, void *arg)
{
	size_t size = gbench_range_arg(st, 0);
	unsigned int burst = (unsigned int)(uintptr_t)arg;
	struct iovec tx[MSG_BURST], rx[MSG_BURST];
	struct qp_fixture fx;
	unsigned int i;

	if (fixture_setup(st, &fx) < 0)
		return;
	for (i = 0; i < burst; i++) {
		tx[i].iov_base = fx.src + i * size;
		tx[i].iov_len = size;
		rx[i].iov_base = fx.dst + i * size;
		rx[i].iov_len = size;
	}
	while (gbench_keep_running(st)) {
		if (unlikely(rte_vmci_qp_msg_enqueue_burst(fx.ep[0], tx, burst) != (int)burst ||
			     rte_vmci_qp_msg_dequeue_burst(fx.ep[1], rx, burst) != (int)burst)) {
			gbench_skip_with_error(st, "a burst call moved less than the burst");
			break;
		}
		/* Dequeue stored each length; restoring the capacity is part of the use. */
		for (i = 0; i < burst; i++)
			rx[i].iov_len = size;
	}
	report(st, size, burst);
	fixture_teardown(&fx);
}

static struct gbench_bench *
register_sized_arg(const char *name, gbench_fn_t fn, void *arg)
{
	struct gbench_bench *b = gbench_register(name, fn, arg);

	gbench_arg_name(b, "size");
	return b;
}

static struct gbench_bench *
register_sized(const char *name, gbench_fn_t fn)
{
	return register_sized_arg(name, fn, NULL);
}

void
gbench_app_register(void)
{
	struct gbench_bench *b;
	unsigned int i;
	int64_t size;

	gbench_register("shim_keep_running", bm_shim, NULL);
	b = register_sized("qp_copy_bulk", bm_copy);
	for (size = SIZE_MIN; size <= SIZE_MAX_BYTES; size *= 2)
		gbench_arg(b, size);
	b = register_sized("qp_zc_bulk", bm_zc);
	for (size = SIZE_MIN; size <= SIZE_MAX_BYTES; size *= 2)
		gbench_arg(b, size);
	b = register_sized_arg("qp_msg_burst32", bm_msg_burst, (void *)(uintptr_t)MSG_BURST);
	for (i = 0; i < RTE_DIM(msg_sizes); i++)
		gbench_arg(b, msg_sizes[i]);
	b = register_sized_arg("qp_msg_burst1", bm_msg_burst, (void *)(uintptr_t)1);
	gbench_arg(b, 64);
	bench_copy_register();
	bench_poll_register();
}

int
gbench_app_init(const char *prgname)
{
	const char *env = getenv("VMCI_BENCH_EAL");
	char *argv[EAL_ARGS_MAX + 1];
	char *tok, *save = NULL;
	int argc = 0;

	eal_args = strdup(env != NULL ? env : EAL_ARGS_DEFAULT);
	if (eal_args == NULL)
		return 1;
	gbench_add_context("eal_args", eal_args);
	gbench_add_context("dpdk", rte_version());
	argv[argc++] = (char *)(uintptr_t)prgname;
	/* The EAL may keep pointers into these strings: eal_args lives until exit. */
	for (tok = strtok_r(eal_args, " \t", &save); tok != NULL;
	     tok = strtok_r(NULL, " \t", &save)) {
		if (argc == EAL_ARGS_MAX) {
			fprintf(stderr, "%s: VMCI_BENCH_EAL has more than %d arguments\n",
				prgname, EAL_ARGS_MAX - 1);
			return 2;
		}
		argv[argc++] = tok;
	}
	argv[argc] = NULL;
	if (rte_eal_init(argc, argv) < 0) {
		fprintf(stderr, "%s: EAL initialisation failed: %s\n",
			prgname, rte_strerror(rte_errno));
		return 1;
	}
	return 0;
}

void
gbench_app_fini(void)
{
	rte_eal_cleanup();
	free(eal_args);
	eal_args = NULL;
}
