/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

#ifndef _PERF_REPORT_H_
#define _PERF_REPORT_H_

/**
 * @file
 * What a run measured and where: the result of one message size, the
 * machine facts, and the text and JSON forms of both.
 */

#include <stdint.h>
#include <stdio.h>

#include "perf_copy.h"
#include "perf_hist.h"
#include "perf_load.h"
#include "perf_options.h"

/** Points of the round-trip curve kept of every pingpong row (for --plot). */
#define PERF_LAT_CURVE_POINTS 14

/** The percentiles of those points, 0 to 99.99. */
extern const double perf_lat_curve_pct[PERF_LAT_CURVE_POINTS];

/** Round-trip times of a pingpong run, in nanoseconds. */
struct perf_latency {
	uint64_t samples;
	double min, p50, p90, p99, p999, p9999, max, mean;
	double curve[PERF_LAT_CURVE_POINTS]; /**< At perf_lat_curve_pct. */
};

/**
 * Connection setup of a connection-oriented transport (vsock), measured
 * when it opens: connections made one after the other, each timed from
 * connect to established, then closed.
 */
struct perf_setup {
	char peer[32];          /**< "CID:PORT" connected to. */
	uint64_t queue_size;    /**< Bytes per queue proposed (the peer may choose another). */
	uint64_t count;         /**< Connections made. */
	double seconds;         /**< All of them: connect, established, close, one by one. */
	struct perf_latency lat; /**< Connect to established, ns. */
};

/** Figures of one message size over one transport. */
struct perf_result {
	const char *transport;  /**< Transport name. */
	const char *api;        /**< Queue-pair API, or "copy" for baselines. */
	int baseline;           /**< 1 for a comparison transport. */
	uint64_t queue_size;    /**< Bytes per queue (qp transports; ring sizing). */
	uint32_t size;          /**< Message size in bytes. */
	uint64_t sent;          /**< Messages the producer enqueued. */
	uint64_t messages;      /**< Messages the consumer dequeued. */
	uint64_t verify_errors; /**< Messages with a wrong length or sequence number. */
	double seconds;         /**< Producer's first try to consumer's last message. */
	uint64_t tx_full;       /**< Producer calls that found the queue full. */
	uint64_t rx_empty;      /**< Consumer calls that found it empty. */
	int tx_error;           /**< 0 or the negative errno that stopped the producer. */
	int rx_error;           /**< Same for the consumer (-ETIMEDOUT: messages lost). */
	int has_latency;        /**< lat is set (pingpong). */
	struct perf_latency lat;
	const char *skipped;    /**< Not run, and why; NULL if it ran. */
	/* The bare-ring limit only (record_size 0 on other rows). */
	uint32_t record_size;   /**< Bytes per message in its ring (the vmci record). */
	const char *copy;       /**< Copy routine that won the trials, and was used. */
	unsigned int nb_trials; /**< Candidates tried. */
	struct {
		const char *copy;
		double figure;  /**< Mmsg/s (throughput modes) or p50 ns (pingpong); 0: failed. */
	} trial[PERF_COPY_MAX];
};

/** The machine's own limits, measured in the same run on the same cores. */
struct perf_limits {
	int measured;           /**< At least one figure below is set. */
	int memcpy_measured;
	int cacheline_measured;
	double memcpy_gbps;     /**< Single-core memcpy of a 1 MiB block, 10^9 B/s. */
	double cacheline_p50;   /**< Core-to-core cache-line round trip, ns. */
	double cacheline_p999;
	double cacheline_min;
	double twoline_p50;     /**< Round trip of 64 B in a line + a flag in another, ns. */
	double twoline_p999;
	double twoline_min;
};

/** One worker's place. */
struct perf_core {
	unsigned int lcore;
	unsigned int cpu;
	int socket;
};

/** Machine facts reported with the figures. */
struct perf_env {
	char cpu_model[128];       /**< "model name" of /proc/cpuinfo. */
	const char *dpdk_version;  /**< rte_version(). */
	const char *transport;     /**< Transport name. */
	uint64_t tsc_hz;
	struct perf_core producer;
	struct perf_core consumer;
	unsigned int nb_cores;     /**< Online CPUs. */
	uint64_t hugepages_total;  /**< HugePages_Total of /proc/meminfo. */
	uint64_t hugepages_free;
	uint64_t hugepage_kb;      /**< Hugepagesize. */
	int in_memory_no_huge;     /**< EAL runs without hugepages. */
};

/** Fill @p env; needs the EAL. */
void perf_env_collect(struct perf_env *env, unsigned int tx_lcore, unsigned int rx_lcore,
		      const char *transport);

/** The percentiles, minimum, maximum and mean of @p h (ns) into @p lat. */
void perf_latency_from_hist(const struct perf_hist *h, struct perf_latency *lat);

/** Whether a result ended in error (verification errors apart). */
int perf_result_failed(const struct perf_result *res);

/** Print the header: once, before the first row. */
void perf_report_header(FILE *f, const struct perf_options *opt, const struct perf_env *env);

/** Print the column names for opt->mode. */
void perf_report_columns(FILE *f, const struct perf_options *opt);

/** Print one fixed-width row, then a line per error the size ended with. */
void perf_report_row(FILE *f, const struct perf_options *opt, const struct perf_result *res);

/**
 * Print the final table: every transport at every size with its ratio to
 * the vmci figure (res[0..nb_sizes-1] are the vmci rows), the machine
 * limits, the connection setup (@p setup, @p nb_setup of them: one per
 * queue size of a connection-oriented transport, else none) and the
 * targets, each missed one with whether the machine was busy (@p load).
 */
void perf_report_summary(FILE *f, const struct perf_options *opt, const struct perf_result *res,
			 unsigned int nb_res, const struct perf_limits *lim,
			 const struct perf_load *load, const struct perf_setup *setup,
			 unsigned int nb_setup);

/** Print the connection setup figures of @p s in one line (after the connects). */
void perf_report_setup(FILE *f, const struct perf_setup *s);

/** Payload bytes per second, in 10^9. */
double perf_result_gbps(const struct perf_result *res);

/** Messages per second, in 10^6. */
double perf_result_mmsgs(const struct perf_result *res);

/**
 * Write the whole run as JSON; "connects" holds @p setup when @p nb_setup
 * is not 0.
 *
 * @return
 *   0, or -EIO if writing failed.
 */
int perf_report_json(FILE *f, const struct perf_options *opt, const struct perf_env *env,
		     const struct perf_result *res, unsigned int nb_res,
		     const struct perf_limits *lim, const struct perf_load *load,
		     const struct perf_setup *setup, unsigned int nb_setup);

/** Write @p s as a JSON string: quotes, backslashes and control characters escaped. */
void perf_json_str(FILE *f, const char *s);

/** Write the "machine" member of a JSON report (a line ending in a comma). */
void perf_json_machine(FILE *f, const struct perf_env *env);

#endif /* _PERF_REPORT_H_ */
