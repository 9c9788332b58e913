/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

#ifndef _BENCH_H_
#define _BENCH_H_

/**
 * @file
 * The benchmark groups of vmci-qp-microbench besides the queue-pair calls
 * of bench_qp.c, each registered from gbench_app_register().
 */

/** Copy routines of perf_copy.h per size, cached and not (bench_copy.c). */
void bench_copy_register(void);

/** The poll loop over N idle queue pairs (bench_poll.c). */
void bench_poll_register(void);

#endif /* _BENCH_H_ */
