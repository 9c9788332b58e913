/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

#ifndef _PERF_PAIRS_H_
#define _PERF_PAIRS_H_

/**
 * @file
 * The scale run of vmci-perf (--pairs): N queue pairs between the
 * emulated guest and host devices, served round-robin by the same two
 * lcores, for each N asked for.
 */

#include <stdio.h>

#include "perf_options.h"
#include "perf_report.h"

/**
 * Run every pair count of opt->pairs and report them (table, @p json if
 * not NULL, opt->plot_path). Call from the main lcore.
 *
 * @return
 *   EXIT_SUCCESS, or EXIT_FAILURE when a run failed or a byte was wrong.
 */
int perf_pairs_run(const struct perf_options *opt, unsigned int tx_lcore, unsigned int rx_lcore,
		   const struct perf_env *env, FILE *json);

#endif /* _PERF_PAIRS_H_ */
