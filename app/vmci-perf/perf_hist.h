/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

#ifndef _PERF_HIST_H_
#define _PERF_HIST_H_

/**
 * @file
 * Latency histogram with log-linear buckets: values below 256 are exact,
 * above that each power of two is split into 128 linear sub-buckets, so a
 * recorded value is known to within 1/128 (0.8 %). Recording is a couple
 * of shifts and an increment: cheap enough for every round trip.
 */

#include <stdint.h>
#include <stdio.h>

#include <rte_common.h>

#define PERF_HIST_SUB_BITS 7u /* 128 sub-buckets per power of two */
#define PERF_HIST_SUB_HALF (1u << PERF_HIST_SUB_BITS)
#define PERF_HIST_BUCKETS ((64u - PERF_HIST_SUB_BITS) * PERF_HIST_SUB_HALF + PERF_HIST_SUB_HALF)

struct perf_hist {
	uint64_t total;
	uint64_t min;
	uint64_t max;
	double sum;
	double sum_sq;
	uint64_t counts[PERF_HIST_BUCKETS];
};

/** Which bucket counts @p v. */
static inline unsigned int
perf_hist_index(uint64_t v)
{
	unsigned int msb, shift;

	if (v < 2 * PERF_HIST_SUB_HALF)
		return (unsigned int)v;
	msb = 63u - (unsigned int)__builtin_clzll(v);
	shift = msb - PERF_HIST_SUB_BITS;
	return shift * PERF_HIST_SUB_HALF + (unsigned int)(v >> shift);
}

/** Count one value. */
static inline void
perf_hist_record(struct perf_hist *h, uint64_t v)
{
	h->counts[perf_hist_index(v)]++;
	h->total++;
	h->sum += (double)v;
	h->sum_sq += (double)v * (double)v;
	if (v < h->min)
		h->min = v;
	if (v > h->max)
		h->max = v;
}

/** Empty @p h. */
void perf_hist_reset(struct perf_hist *h);

/** Largest value that lands in bucket @p idx. */
uint64_t perf_hist_bucket_high(unsigned int idx);

/** Value at @p percentile (0..100): the highest equivalent value, at most max. */
uint64_t perf_hist_percentile(const struct perf_hist *h, double percentile);

double perf_hist_mean(const struct perf_hist *h);

double perf_hist_stddev(const struct perf_hist *h);

/**
 * Write the percentile distribution in HdrHistogram's .hgrm text layout,
 * values divided by @p unit_ratio (e.g. 1000 for ns -> us).
 *
 * @return
 *   0, or -EIO.
 */
int perf_hist_write_hgrm(FILE *f, const struct perf_hist *h, double unit_ratio);

#endif /* _PERF_HIST_H_ */
