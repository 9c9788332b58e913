/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

#ifndef _PERF_TRANSPORT_H_
#define _PERF_TRANSPORT_H_

/**
 * @file
 * What a worker needs from a transport: open/close on the control path,
 * and one tx and one rx function that each move up to flow->burst
 * messages per call. Workers call tx/rx through a pointer once per burst,
 * not per message. Baselines (pipes, sockets, rte_ring, memif, ...) join
 * by providing another ops table.
 */

#include <stdint.h>

#include "perf_flow.h"
#include "perf_options.h"

struct perf_transport;

/**
 * Move up to flow->burst messages of flow->size bytes: tx stamps them
 * when verifying, rx checks them. Returns the number of messages moved
 * (0 when the queue is full or empty) or a negative errno, which ends the
 * run.
 */
typedef int (*perf_xfer_t)(struct perf_transport *tp, struct perf_flow *flow);

/** Transport counters gathered after a run. */
struct perf_transport_stats {
	uint64_t tx_full;  /**< Producer calls that found too little space. */
	uint64_t rx_empty; /**< Consumer calls that found too little data. */
};

struct perf_transport_ops {
	const char *name;
	/** Set up for @p opt; fills tp->tx, tp->rx, tp->nb_bufs. */
	int (*open)(struct perf_transport *tp, const struct perf_options *opt, int socket);
	void (*close)(struct perf_transport *tp);
	/** Read and zero the counters; only while no worker runs. */
	void (*stats)(struct perf_transport *tp, struct perf_transport_stats *st);
};

struct perf_transport {
	const struct perf_transport_ops *ops;
	perf_xfer_t tx;
	perf_xfer_t rx;
	unsigned int nb_bufs; /**< Buffers a flow needs for one call. */
	void *priv;
};

/** Queue pair whose two endpoints both live in this process. */
extern const struct perf_transport_ops perf_transport_local_qp;

/**
 * Open @p ops into @p tp.
 *
 * @return
 *   0, or a negative errno after printing why.
 */
int perf_transport_open(struct perf_transport *tp, const struct perf_transport_ops *ops,
			const struct perf_options *opt, int socket);

/** Close a transport opened by perf_transport_open(); safe to repeat. */
void perf_transport_close(struct perf_transport *tp);

#endif /* _PERF_TRANSPORT_H_ */
