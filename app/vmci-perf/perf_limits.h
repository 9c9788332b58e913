/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

#ifndef _PERF_LIMITS_H_
#define _PERF_LIMITS_H_

/**
 * @file
 * What the machine itself allows, measured on the same lcores as the
 * transports: the bound a copying transport cannot beat (memcpy of a
 * block larger than L1/L2 halves) and the bound a polling handshake cannot
 * beat (one cache line bouncing between the two cores and back).
 */

#include "perf_report.h"

/**
 * Single-core memcpy bandwidth of a 1 MiB block on @p lcore, best of a few
 * repetitions of @p seconds each, in 10^9 bytes per second.
 *
 * @return
 *   0, or a negative errno.
 */
int perf_limits_memcpy(unsigned int lcore, double seconds, double *gbps);

/**
 * Cache-line ping-pong: @p a writes a line that @p b polls and answers in
 * the same line, @p rounds times; round-trip percentiles in ns. Then the
 * same with each 64-byte message in a line of its own, announced by a flag
 * in another line, each written by one side only (the shape of a VMCI
 * ring: index in the header page, data in the data pages).
 *
 * @return
 *   0, or a negative errno.
 */
int perf_limits_cacheline(unsigned int a, unsigned int b, unsigned int rounds,
			  struct perf_limits *lim);

#endif /* _PERF_LIMITS_H_ */
