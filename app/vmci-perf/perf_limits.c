/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_memcpy.h>
#include <rte_pause.h>

#include "perf_hist.h"
#include "perf_limits.h"

#define MEMCPY_BLOCK (1u << 20)
#define MEMCPY_REPEATS 3

struct memcpy_job {
	double seconds;
	double gbps;
	int err;
};

/* Copy one block back and forth between two buffers: 2 MiB stays in L2/L3. */
static int
memcpy_worker(void *arg)
{
	struct memcpy_job *job = arg;
	uint8_t *src = rte_malloc(NULL, MEMCPY_BLOCK, RTE_CACHE_LINE_SIZE);
	uint8_t *dst = rte_malloc(NULL, MEMCPY_BLOCK, RTE_CACHE_LINE_SIZE);
	uint64_t hz = rte_get_tsc_hz(), t0, t1, n;
	int r;

	if (src == NULL || dst == NULL) {
		rte_free(src);
		rte_free(dst);
		job->err = -ENOMEM;
		return 0;
	}
	memset(src, 0x5a, MEMCPY_BLOCK);
	memset(dst, 0xa5, MEMCPY_BLOCK);
	for (r = 0; r < MEMCPY_REPEATS; r++) {
		n = 0;
		t0 = rte_rdtsc();
		do {
			rte_memcpy(dst, src, MEMCPY_BLOCK);
			n++;
			t1 = rte_rdtsc();
		} while (t1 - t0 < (uint64_t)(job->seconds * hz));
		job->gbps = RTE_MAX(job->gbps,
				    (double)n * MEMCPY_BLOCK * hz / (double)(t1 - t0) / 1e9);
	}
	rte_free(src);
	rte_free(dst);
	return 0;
}

static int
run_on(unsigned int lcore, lcore_function_t *fn, void *arg)
{
	int ret;

	if (lcore == rte_lcore_id())
		return fn(arg);
	ret = rte_eal_remote_launch(fn, arg, lcore);
	if (ret < 0)
		return ret;
	return rte_eal_wait_lcore(lcore);
}

int
perf_limits_memcpy(unsigned int lcore, double seconds, double *gbps)
{
	struct memcpy_job job = { .seconds = seconds / MEMCPY_REPEATS };
	int ret = run_on(lcore, memcpy_worker, &job);

	if (ret < 0)
		return ret;
	*gbps = job.gbps;
	return job.err;
}

/*
 * One direction of the ping-pong. With one line the value travels in the
 * flag itself; with two, a 64-byte message goes in its own line before the
 * flag is raised, as in a ring whose index and data sit on different lines
 * (VMCI's: the index in the header page, the data in the data pages).
 */
struct cl_dir {
	volatile uint64_t flag __rte_cache_aligned;
	volatile uint64_t data[RTE_CACHE_LINE_SIZE / sizeof(uint64_t)] __rte_cache_aligned;
};

struct cl_shared {
	struct cl_dir dir[2]; /* [0] ping -> pong, [1] back */
	uint32_t go __rte_cache_aligned;
	unsigned int rounds;
	int two_lines;
	uint64_t bad;         /* pong: messages that did not carry their value */
	struct perf_hist *hist;
};

static inline void
cl_send(struct cl_shared *sh, unsigned int d, uint64_t v)
{
	struct cl_dir *dir = sh->two_lines ? &sh->dir[d] : &sh->dir[0];
	unsigned int i;

	if (sh->two_lines) {
		for (i = 0; i < RTE_DIM(dir->data); i++)
			dir->data[i] = v;
	}
	__atomic_store_n(&dir->flag, v, __ATOMIC_RELEASE);
}

/* Wait for @v; with two lines, read the whole message (count it if wrong). */
static inline uint64_t
cl_wait(struct cl_shared *sh, unsigned int d, uint64_t v)
{
	struct cl_dir *dir = sh->two_lines ? &sh->dir[d] : &sh->dir[0];
	uint64_t sum = 0;
	unsigned int i;

	while (__atomic_load_n(&dir->flag, __ATOMIC_ACQUIRE) != v)
		;
	if (!sh->two_lines)
		return 0;
	for (i = 0; i < RTE_DIM(dir->data); i++)
		sum += dir->data[i] != v;
	return sum;
}

/* Answer every odd value with the next even one. */
static int
cl_pong(void *arg)
{
	struct cl_shared *sh = arg;
	uint64_t want = 1, i;

	__atomic_store_n(&sh->go, 1, __ATOMIC_RELEASE);
	for (i = 0; i < sh->rounds; i++, want += 2) {
		sh->bad += cl_wait(sh, 0, want);
		cl_send(sh, 1, want + 1);
	}
	return 0;
}

static int
cl_ping(void *arg)
{
	struct cl_shared *sh = arg;
	double ns_per_cycle = 1e9 / (double)rte_get_tsc_hz();
	uint64_t v = 1, t0, t1, i;

	while (__atomic_load_n(&sh->go, __ATOMIC_ACQUIRE) == 0)
		rte_pause();
	for (i = 0; i < sh->rounds; i++, v += 2) {
		t0 = rte_rdtsc();
		cl_send(sh, 0, v);
		sh->bad += cl_wait(sh, 1, v + 1);
		t1 = rte_rdtsc();
		if (i >= 1000)
			perf_hist_record(sh->hist, (uint64_t)((double)(t1 - t0) * ns_per_cycle));
	}
	return 0;
}

/* Round-trip percentiles of one ping-pong; 0 or a negative errno. */
static int
cl_run(unsigned int a, unsigned int b, unsigned int rounds, int two_lines,
       struct perf_hist *h, double out[3])
{
	struct cl_shared *sh = rte_zmalloc(NULL, sizeof(*sh), RTE_CACHE_LINE_SIZE);
	int ret;

	if (sh == NULL)
		return -ENOMEM;
	perf_hist_reset(h);
	sh->rounds = rounds + 1000;
	sh->two_lines = two_lines;
	sh->hist = h;
	ret = rte_eal_remote_launch(cl_pong, sh, b);
	if (ret == 0) {
		ret = run_on(a, cl_ping, sh);
		rte_eal_wait_lcore(b);
	}
	/* Both sides only ever see their own values: anything else is a bug here. */
	if (ret == 0 && sh->bad != 0)
		ret = -EPROTO;
	if (ret == 0) {
		out[0] = (double)h->min;
		out[1] = (double)perf_hist_percentile(h, 50);
		out[2] = (double)perf_hist_percentile(h, 99.9);
	}
	rte_free(sh);
	return ret;
}

int
perf_limits_cacheline(unsigned int a, unsigned int b, unsigned int rounds,
		      struct perf_limits *lim)
{
	struct perf_hist *h;
	double one[3], two[3];
	int ret;

	if (a == b)
		return -EINVAL;
	h = rte_malloc(NULL, sizeof(*h), RTE_CACHE_LINE_SIZE);
	if (h == NULL)
		return -ENOMEM;
	ret = cl_run(a, b, rounds, 0, h, one);
	if (ret == 0)
		ret = cl_run(a, b, rounds, 1, h, two);
	if (ret == 0) {
		lim->cacheline_min = one[0];
		lim->cacheline_p50 = one[1];
		lim->cacheline_p999 = one[2];
		lim->twoline_min = two[0];
		lim->twoline_p50 = two[1];
		lim->twoline_p999 = two[2];
	}
	rte_free(h);
	return ret;
}
