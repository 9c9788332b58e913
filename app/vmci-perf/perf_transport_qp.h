/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

#ifndef _PERF_TRANSPORT_QP_H_
#define _PERF_TRANSPORT_QP_H_

/**
 * @file
 * The queue-pair worker functions (copy, zc, msg) of perf_transport_qp.c,
 * shared by every transport that moves its data through lib/vmci_qp
 * endpoints: local-qp, emu, emu-mp and vmci.
 */

#include <rte_vmci_qp.h>

#include "perf_options.h"
#include "perf_transport.h"

/**
 * The endpoints the queue-pair tx/rx functions use: side 0 writes and
 * reads ep[0], side 1 ep[1]. Must be the first member of tp->priv. Both
 * may be the same endpoint when side 1 consumes what side 0 produces
 * through a peer that echoes it (one producer and one consumer lcore).
 */
struct perf_qp_ends {
	struct rte_vmci_qp *ep[2];
};

/** Point tp->tx, tp->rx and tp->nb_bufs at the functions of opt->api. */
void perf_qp_set_api(struct perf_transport *tp, const struct perf_options *opt);

/**
 * Check that @p ep carries the largest message the options allow
 * (framed messages only).
 *
 * @return
 *   0, or a negative errno after printing why.
 */
int perf_qp_check_limits(struct rte_vmci_qp *ep, const struct perf_options *opt);

/** Read and zero the counters of both ends (tp->priv starts with perf_qp_ends). */
void perf_qp_stats(struct perf_transport *tp, struct perf_transport_stats *st);

struct rte_vmci_device;
struct rte_vmci_qpair;

/** The first vmci device of backend @p backend ("emu", "emu-host"), or NULL. */
struct rte_vmci_device *perf_emu_find_backend(const char *backend);

/**
 * The guest end of a pair of the emulated hypervisor: created on @p dev
 * for the host (CID 2), both queues @p queue_size bytes, its memory on
 * @p socket.
 *
 * @return
 *   The pair, or NULL with rte_errno set after printing why.
 */
struct rte_vmci_qpair *perf_emu_pair_create(struct rte_vmci_device *dev, uint64_t queue_size,
					    int socket);

/**
 * The host's end of pair @p handle, attached from the emulated host's
 * device (vmci_hostN) in this process.
 *
 * @return
 *   The pair, or NULL with rte_errno set (ENODEV: no host device) after
 *   printing why.
 */
struct rte_vmci_qpair *perf_emu_host_attach(struct rte_vmci_handle handle,
					    uint64_t queue_size);

#endif /* _PERF_TRANSPORT_QP_H_ */
