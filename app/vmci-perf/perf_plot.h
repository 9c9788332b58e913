/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

#ifndef _PERF_PLOT_H_
#define _PERF_PLOT_H_

/**
 * @file
 * --plot: every transport at every size, drawn by gnuplot. Stream and
 * bidir: throughput by message size, one line per transport, memcpy as the
 * machine's line. Pingpong: one panel per message size, each with the
 * round trip by percentile of every transport at that size and the
 * machine's cache-line round trips. A FILE.png is drawn by gnuplot, if it
 * is installed; a FILE.gp is the gnuplot script, to draw elsewhere.
 */

#include <stdbool.h>
#include <stdio.h>

#include "perf_options.h"
#include "perf_report.h"

/** Write a gnuplot script to @p gp that draws the picture @p png. */
typedef void (*perf_plot_draw_t)(FILE *gp, const char *png, void *arg);

/**
 * Draw @p path (FILE.png, with gnuplot if installed) or write its script
 * (FILE.gp, which draws FILE.png), from what @p draw writes.
 *
 * @param json
 *   A JSON file is written too (the message without gnuplot says so).
 * @return
 *   0, -ENOENT when gnuplot is not installed (after saying so), or
 *   another negative errno.
 */
int perf_plot_output(const char *path, bool json, perf_plot_draw_t draw, void *arg);

/**
 * Draw opt->plot_path, or write its script.
 *
 * @param lim
 *   The machine limits of the run (drawn when measured).
 * @return
 *   0, -ENOENT when gnuplot is not installed (after saying so), or
 *   another negative errno.
 */
int perf_plot(const struct perf_options *opt, const struct perf_result *res,
	      unsigned int nb_res, const struct perf_limits *lim);

#endif /* _PERF_PLOT_H_ */
