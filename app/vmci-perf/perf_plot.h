/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

#ifndef _PERF_PLOT_H_
#define _PERF_PLOT_H_

/**
 * @file
 * --plot: a PNG drawn by gnuplot, when it is installed: throughput by
 * message size for every transport (stream, bidir), or the round-trip CDF
 * of the first size (pingpong).
 */

#include "perf_hist.h"
#include "perf_options.h"
#include "perf_report.h"

/**
 * Draw opt->plot_path.
 *
 * @param hist
 *   Pingpong: round trips of the first vmci size; NULL otherwise.
 * @return
 *   0, -ENOENT when gnuplot is not installed (after saying so), or
 *   another negative errno.
 */
int perf_plot(const struct perf_options *opt, const struct perf_result *res,
	      unsigned int nb_res, const struct perf_hist *hist);

#endif /* _PERF_PLOT_H_ */
