/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

#ifndef _PERF_MP_H_
#define _PERF_MP_H_

/**
 * @file
 * Transport emu-mp's two processes. The primary (the vmci-perf the user
 * runs) spawns itself as a DPDK secondary process: same binary, same
 * --file-prefix and --base-virtaddr, the consumer's lcore. Both meet in a
 * memzone holding the queue-pair handle, a command word, the shared run
 * flags and the secondary's report of each run. The secondary attaches
 * the emulated host end of the pair (the emulated hypervisor's state is a
 * memzone too) and runs side 1 of every run the primary starts.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_vmci_qp.h>

#include "perf_options.h"
#include "perf_transport.h"

struct perf_mp;

/**
 * Before rte_eal_init() permutes argv: keep the EAL arguments the
 * secondary must repeat.
 *
 * @return
 *   0, or -EINVAL after printing why (options that leave a secondary
 *   nothing to map: --no-huge, --in-memory).
 */
int perf_mp_save_eal_args(int eal_argc, char **argv);

/** Whether the EAL arguments make this a secondary process. */
bool perf_mp_is_secondary_args(int eal_argc, char **argv);

/** The lcore the secondary runs side 1 on (the primary leaves it idle). */
void perf_mp_set_peer_lcore(unsigned int lcore);

/**
 * Primary: share @p handle, spawn the secondary, wait until it attached
 * the host end with @p opt's queue size.
 *
 * @return
 *   The handle for the other calls, or NULL after printing why.
 */
struct perf_mp *perf_mp_start(struct rte_vmci_handle handle, const struct perf_options *opt);

/** Primary: make the secondary detach and exit, reap it, free the memzone. */
void perf_mp_stop(struct perf_mp *mp);

/** The run flags both processes share. */
struct perf_run_ctl *perf_mp_ctl(struct perf_mp *mp);

/** Make the secondary run side 1 with @p p, and watch that it lives. */
int perf_mp_run_start(struct perf_mp *mp, const struct perf_side_params *p);

/**
 * Wait for the secondary's report of the run perf_mp_run_start() started.
 *
 * @return
 *   0, -ECHILD (it died), or -ETIMEDOUT.
 */
int perf_mp_run_wait(struct perf_mp *mp, struct perf_side_report *rep);

/** Empty dequeues the secondary counted in its last run; zeroed by reading. */
uint64_t perf_mp_take_rx_empty(struct perf_mp *mp);

/**
 * Secondary: attach, serve runs until the primary says quit, detach.
 *
 * @return
 *   The process exit status.
 */
int perf_mp_serve(void);

#endif /* _PERF_MP_H_ */
