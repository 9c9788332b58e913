/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

/*
 * The copy candidates of vmci-perf's bare-ring limit (perf_copy.h), one
 * core, 64 B to 64 KiB, so that the choice per size class is visible on
 * the machine at hand:
 *
 *   copy_<name>_cached/size:N    the same source and destination each
 *                                time: both stay in L1/L2
 *   copy_<name>_uncached/size:N  source and destination walk through two
 *                                buffers larger than the last-level cache,
 *                                so every line comes from memory (or was
 *                                evicted there)
 *
 * What a ring sees lies between: the consumer's source was just written
 * by the other core. vmci-perf's bare-ring trials measure that case.
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>

#include "bench.h"
#include "gbench_shim.h"
#include "perf_copy.h"

#define COPY_SIZE_MIN 64
#define COPY_SIZE_MAX 65536
/* Twice a 32 MiB L3: a walk through it misses the caches. */
#define WALK_BYTES (UINT64_C(64) << 20)

struct copy_case {
	const struct perf_copy *copy;
	bool cached;
	char name[48];
};

static struct copy_case cases[PERF_COPY_MAX * 2];

/* Two walk buffers shared by every run, touched once so no run pays page faults. */
static uint8_t *walk_src;
static uint8_t *walk_dst;

static int
walk_buffers(void)
{
	if (walk_src != NULL)
		return 0;
	walk_src = aligned_alloc(4096, WALK_BYTES);
	walk_dst = aligned_alloc(4096, WALK_BYTES);
	if (walk_src == NULL || walk_dst == NULL) {
		free(walk_src);
		free(walk_dst);
		walk_src = walk_dst = NULL;
		return -1;
	}
	memset(walk_src, 0x5a, WALK_BYTES);
	memset(walk_dst, 0, WALK_BYTES);
	return 0;
}

static void
bm_copy_routine(struct gbench_state *st, void *arg)
{
	const struct copy_case *c = arg;
	size_t size = (size_t)gbench_range_arg(st, 0);
	perf_copy_fn_t fn = c->copy->fn;
	uint64_t off = 0;

	if (walk_buffers() < 0) {
		gbench_skip_with_error(st, "no memory for the walk buffers");
		return;
	}
	if (c->cached) {
		while (gbench_keep_running(st))
			fn(walk_dst, walk_src, size);
	} else {
		while (gbench_keep_running(st)) {
			fn(walk_dst + off, walk_src + off, size);
			off += size;
			if (off + size > WALK_BYTES)
				off = 0;
		}
	}
	gbench_set_bytes_processed(st, gbench_iterations(st) * (int64_t)size);
	gbench_set_label(st, c->copy->what);
}

void
bench_copy_register(void)
{
	const struct perf_copy *cand;
	struct gbench_bench *b;
	unsigned int nb, i, k;
	int64_t size;

	cand = perf_copy_candidates(&nb);
	for (i = 0; i < nb * 2; i++) {
		struct copy_case *c = &cases[i];

		c->copy = &cand[i / 2];
		c->cached = i % 2 == 0;
		snprintf(c->name, sizeof(c->name), "copy_%s_%s", c->copy->name,
			 c->cached ? "cached" : "uncached");
		b = gbench_register(c->name, bm_copy_routine, c);
		gbench_arg_name(b, "size");
		for (size = COPY_SIZE_MIN, k = 0; size <= COPY_SIZE_MAX; size *= 2, k++)
			gbench_arg(b, size);
	}
}
