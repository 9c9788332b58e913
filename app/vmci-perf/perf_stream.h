/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

#ifndef _PERF_STREAM_H_
#define _PERF_STREAM_H_

/**
 * @file
 * The measuring modes over any transport, two lcores, one message size:
 *  - stream: side 0 sends for the set time (or count) while side 1
 *    receives; throughput runs from the first attempt to the last message;
 *  - bidir: both sides send and receive at once, each on its own lcore;
 *  - pingpong: side 0 sends one message and waits for side 1's reply,
 *    timing every round trip into a histogram.
 */

#include <stdbool.h>
#include <stdint.h>

#include "perf_hist.h"
#include "perf_options.h"
#include "perf_report.h"
#include "perf_transport.h"

struct perf_stream {
	struct perf_transport *tp;
	const struct perf_options *opt;
	unsigned int tx_lcore; /**< Side 0 (producer, ping); may be the calling lcore. */
	unsigned int rx_lcore; /**< Side 1 (consumer, pong); may be the calling lcore. */
	bool progress;         /**< Print a progress line per second. */
	struct perf_hist *hist; /**< Pingpong: filled with round trips in ns; may be NULL. */
};

/**
 * The progress line, once a second: the count so far, and the rate over
 * the last second beside the rate since the start, each named.
 */
struct perf_progress {
	uint64_t start_tsc;
	uint64_t next_tsc;  /**< Print at or after this. */
	uint64_t last_tsc;  /**< Previous line. */
	uint64_t last_count;
	uint32_t size;      /**< Bytes per message, for GB/s. */
	bool round_trips;   /**< Pingpong: count round trips, not messages. */
	bool both_ways;     /**< Bidir: the count is both directions' sum. */
};

/** Start the progress of a run of @p size-byte messages that began at @p start_tsc. */
void perf_progress_start(struct perf_progress *p, uint32_t size, uint64_t start_tsc);

/**
 * Print the line for @p count messages (and @p verify_errors) at TSC
 * @p now, and set when the next one is due (p->next_tsc).
 */
void perf_progress_print(struct perf_progress *p, uint64_t now, uint64_t count,
			 uint64_t verify_errors);

/**
 * Measure one message size in opt->mode. Call from the main lcore while
 * both worker lcores are idle.
 *
 * @return
 *   0 when the workers ran (check perf_result_failed() for how it ended),
 *   or a negative errno when they could not be started.
 */
int perf_stream_run_size(const struct perf_stream *st, uint32_t size, struct perf_result *res);

/**
 * Run side @p side of one run as @p p says, on the calling lcore, with
 * the peer side in another process sharing @p ctl; fill @p rep. For the
 * secondary process of a transport whose side 1 is remote.
 *
 * @return
 *   0 when the side ran (rep->err says how it ended), or -ENOMEM.
 */
int perf_stream_run_side(struct perf_transport *tp, struct perf_run_ctl *ctl, unsigned int side,
			 const struct perf_side_params *p, struct perf_side_report *rep);

#endif /* _PERF_STREAM_H_ */
