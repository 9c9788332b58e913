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

#include "perf_options.h"

/** Figures of one message size. */
struct perf_result {
	uint32_t size;          /**< Message size in bytes. */
	uint64_t sent;          /**< Messages the producer enqueued. */
	uint64_t messages;      /**< Messages the consumer dequeued. */
	uint64_t verify_errors; /**< Messages with a wrong length or sequence number. */
	double seconds;         /**< Producer's first try to consumer's last message. */
	uint64_t tx_full;       /**< Producer calls that found the queue full. */
	uint64_t rx_empty;      /**< Consumer calls that found it empty. */
	int tx_error;           /**< 0 or the negative errno that stopped the producer. */
	int rx_error;           /**< Same for the consumer (-ETIMEDOUT: messages lost). */
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
};

/** Fill @p env; needs the EAL. */
void perf_env_collect(struct perf_env *env, unsigned int tx_lcore, unsigned int rx_lcore,
		      const char *transport);

/** Whether a result ended in error (verification errors apart). */
int perf_result_failed(const struct perf_result *res);

/** Print the header: once, before the first row. */
void perf_report_header(FILE *f, const struct perf_options *opt, const struct perf_env *env);

/** Print one fixed-width row, then a line per error the size ended with. */
void perf_report_row(FILE *f, const struct perf_options *opt, const struct perf_result *res);

/**
 * Write the whole run as JSON.
 *
 * @return
 *   0, or -EIO if writing failed.
 */
int perf_report_json(FILE *f, const struct perf_options *opt, const struct perf_env *env,
		     const struct perf_result *res, unsigned int nb_res);

#endif /* _PERF_REPORT_H_ */
