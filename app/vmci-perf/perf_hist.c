/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

#include <errno.h>
#include <math.h>
#include <string.h>

#include "perf_hist.h"

/* Rows per halving of the distance to 100 %, as HdrHistogram prints. */
#define HGRM_TICKS_PER_HALF 5

void
perf_hist_reset(struct perf_hist *h)
{
	memset(h, 0, sizeof(*h));
	h->min = UINT64_MAX;
}

uint64_t
perf_hist_bucket_high(unsigned int idx)
{
	unsigned int shift;
	uint64_t sub;

	if (idx < 2 * PERF_HIST_SUB_HALF)
		return idx;
	shift = idx / PERF_HIST_SUB_HALF - 1;
	sub = idx - (uint64_t)shift * PERF_HIST_SUB_HALF;
	if (shift >= 63 - PERF_HIST_SUB_BITS)
		return UINT64_MAX;
	return ((sub + 1) << shift) - 1;
}

uint64_t
perf_hist_percentile(const struct perf_hist *h, double percentile)
{
	uint64_t want, seen = 0;
	unsigned int i;

	if (h->total == 0)
		return 0;
	if (percentile >= 100.0)
		return h->max;
	want = (uint64_t)ceil(percentile / 100.0 * (double)h->total);
	if (want == 0)
		return h->min;
	for (i = 0; i < PERF_HIST_BUCKETS; i++) {
		seen += h->counts[i];
		if (seen >= want)
			return RTE_MIN(RTE_MAX(perf_hist_bucket_high(i), h->min), h->max);
	}
	return h->max;
}

double
perf_hist_mean(const struct perf_hist *h)
{
	return h->total > 0 ? h->sum / (double)h->total : 0;
}

double
perf_hist_stddev(const struct perf_hist *h)
{
	double mean = perf_hist_mean(h);
	double var;

	if (h->total == 0)
		return 0;
	var = h->sum_sq / (double)h->total - mean * mean;
	return var > 0 ? sqrt(var) : 0;
}

/* Number of distinct buckets a value range needs, for the footer. */
static unsigned int
hist_power_buckets(const struct perf_hist *h)
{
	unsigned int idx = perf_hist_index(h->max);

	return idx < 2 * PERF_HIST_SUB_HALF ? 1 : idx / PERF_HIST_SUB_HALF;
}

/*
 * Rows at percentiles 0, then HGRM_TICKS_PER_HALF steps in each half of
 * what remains to 100 % (50, 55, ... 75, 77.5, ...), each row giving the
 * value reached, the fraction, the count at or below that value and
 * 1/(1-fraction); the last row is 100 %.
 */
int
perf_hist_write_hgrm(FILE *f, const struct perf_hist *h, double unit_ratio)
{
	double pct = 0, step_base = 50.0, frac;
	uint64_t v, at_or_below;
	unsigned int i, tick = 0;

	fprintf(f, "%12s %14s %10s %14s\n\n", "Value", "Percentile", "TotalCount",
		"1/(1-Percentile)");
	while (h->total > 0 && pct < 100.0) {
		v = perf_hist_percentile(h, pct);
		at_or_below = 0;
		for (i = 0; i <= perf_hist_index(v) && i < PERF_HIST_BUCKETS; i++)
			at_or_below += h->counts[i];
		frac = pct / 100.0;
		if (at_or_below >= h->total)
			break;
		fprintf(f, "%12.3f %1.12f %10llu %14.2f\n", (double)v / unit_ratio, frac,
			(unsigned long long)at_or_below, 1.0 / (1.0 - frac));
		/* Step: 100/(2^k)/ticks within the k-th half. */
		pct += step_base / HGRM_TICKS_PER_HALF;
		if (++tick == HGRM_TICKS_PER_HALF) {
			tick = 0;
			step_base /= 2;
		}
		if (step_base < 1e-9)
			break;
	}
	if (h->total > 0)
		fprintf(f, "%12.3f %1.12f %10llu\n", (double)h->max / unit_ratio, 1.0,
			(unsigned long long)h->total);
	fprintf(f, "#[Mean    = %12.3f, StdDeviation   = %12.3f]\n",
		perf_hist_mean(h) / unit_ratio, perf_hist_stddev(h) / unit_ratio);
	fprintf(f, "#[Max     = %12.3f, Total count    = %12llu]\n",
		(double)(h->total > 0 ? h->max : 0) / unit_ratio, (unsigned long long)h->total);
	fprintf(f, "#[Buckets = %12u, SubBuckets     = %12u]\n",
		hist_power_buckets(h), 2 * PERF_HIST_SUB_HALF);
	fflush(f);
	return ferror(f) ? -EIO : 0;
}
