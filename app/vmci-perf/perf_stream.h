/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

#ifndef _PERF_STREAM_H_
#define _PERF_STREAM_H_

/**
 * @file
 * Stream mode: a producer lcore sends messages of one size for the set
 * duration while a consumer lcore receives them; throughput runs from the
 * producer's first attempt to the consumer's last message.
 */

#include <stdint.h>

#include "perf_options.h"
#include "perf_report.h"
#include "perf_transport.h"

struct perf_stream {
	struct perf_transport *tp;
	const struct perf_options *opt;
	unsigned int tx_lcore; /**< Producer; may be the calling lcore. */
	unsigned int rx_lcore; /**< Consumer; may be the calling lcore. */
};

/**
 * Measure one message size. Call from the main lcore while both worker
 * lcores are idle.
 *
 * @return
 *   0 when the workers ran (check perf_result_failed() for how it ended),
 *   or a negative errno when they could not be started.
 */
int perf_stream_run_size(const struct perf_stream *st, uint32_t size, struct perf_result *res);

#endif /* _PERF_STREAM_H_ */
