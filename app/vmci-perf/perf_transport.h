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

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>

#include <rte_vmci_qp.h>

#include "perf_flow.h"
#include "perf_options.h"

struct perf_transport;
struct perf_setup;

/**
 * Move up to flow->burst messages of flow->size bytes from or to endpoint
 * @p side (0 or 1; side 0 sends to side 1 and back): tx stamps them when
 * verifying, rx checks them. Returns the number of messages moved (0 when
 * the queue is full or empty, or the peer ended its direction) or a
 * negative errno, which ends the run.
 */
typedef int (*perf_xfer_t)(struct perf_transport *tp, unsigned int side,
			   struct perf_flow *flow);

/** Transport counters gathered after a run. */
struct perf_transport_stats {
	uint64_t tx_full;  /**< Producer calls that found too little space. */
	uint64_t rx_empty; /**< Consumer calls that found too little data. */
};

/*
 * What the two sides of one run tell each other. Each line has one
 * writer, so a side's idle polls read a line the other leaves alone until
 * the end. In shared memory when side 1 runs in another process.
 */
struct perf_side_flags {
	uint32_t ready;    /**< Polling: the peer may start. */
	uint32_t done;     /**< Stopped sending: tx_count is final. */
	uint64_t tx_count;
	/* With progress lines in bidir: what this side received so far. */
	uint64_t rx_progress;     /**< Messages received. */
	uint64_t verify_progress; /**< Of which failed verification. */
} __rte_cache_aligned;

struct perf_run_ctl {
	struct perf_side_flags side[2];
	uint32_t abort __rte_cache_aligned; /**< A worker failed to start or died. */
};

/** One side's share of a run: enough to run it in another process. */
struct perf_side_params {
	uint32_t mode;     /**< enum perf_mode */
	uint32_t size;     /**< Message size in bytes. */
	uint32_t burst;    /**< Messages per call. */
	uint32_t nb_bufs;  /**< Buffers per flow. */
	uint32_t verify;   /**< Stamp and check sequence numbers. */
	uint32_t progress; /**< Print a progress line per second. */
	uint64_t count;    /**< Messages per run; 0: duration_tsc. */
	uint64_t duration_tsc;
};

/** What one side reports after a run. */
struct perf_side_report {
	uint64_t sent;
	uint64_t received;
	uint64_t start_tsc;
	uint64_t end_tsc;
	uint64_t verify_errors;
	uint64_t rx_empty; /**< Its endpoint's empty dequeues (remote side only). */
	int32_t err;
};

struct perf_transport_ops {
	const char *name;
	/** Set up for @p opt; fills tp->tx, tp->rx, tp->nb_bufs. */
	int (*open)(struct perf_transport *tp, const struct perf_options *opt, int socket);
	void (*close)(struct perf_transport *tp);
	/** Read and zero the counters; only while no worker runs. May be NULL. */
	void (*stats)(struct perf_transport *tp, struct perf_transport_stats *st);
	/**
	 * Blocking transports: end the direction @p side sends on, so that a
	 * peer blocked in rx wakes up and sees 0. May be NULL.
	 */
	void (*tx_end)(struct perf_transport *tp, unsigned int side);
	/** Re-open what tx_end or abort closed, before the next run. May be NULL. */
	int (*rearm)(struct perf_transport *tp);
	/**
	 * Blocking transports: side @p side stopped on an error; make the
	 * peer's blocked reads and writes return (EOF, EPIPE). May be NULL.
	 */
	void (*abort)(struct perf_transport *tp, unsigned int side);
	/**
	 * Side 1 runs in another process: the control block both sides
	 * share. NULL when both sides run on lcores of this process; then
	 * remote_start and remote_wait are NULL too.
	 */
	struct perf_run_ctl *(*remote_ctl)(struct perf_transport *tp);
	/** Make the other process run side 1 of one run with @p p; no wait. */
	int (*remote_start)(struct perf_transport *tp, const struct perf_side_params *p);
	/** Wait for that run to end and fill @p rep; a negative errno if it died. */
	int (*remote_wait)(struct perf_transport *tp, struct perf_side_report *rep);
	/**
	 * Connection-oriented transports: the connection setup measured when
	 * it opened. May be NULL.
	 */
	const struct perf_setup *(*setup)(struct perf_transport *tp);
};

struct perf_transport {
	const struct perf_transport_ops *ops;
	perf_xfer_t tx;
	perf_xfer_t rx;
	unsigned int nb_bufs; /**< Buffers a flow needs for one call. */
	uint64_t queue_size;  /**< Bytes per queue the peer chose; 0: the size asked for. */
	const char *api;      /**< Baselines: the API their rows name; NULL: "copy". */
	void *priv;
};

/** Queue pair whose two endpoints both live in this process. */
extern const struct perf_transport_ops perf_transport_local_qp;
/** Queue pair created on one emulated VMCI device, attached from another. */
extern const struct perf_transport_ops perf_transport_emu_qp;
/**
 * Queue pair created on an emulated VMCI device in this (primary)
 * process, its host end attached in a secondary process this one spawns.
 */
extern const struct perf_transport_ops perf_transport_emu_mp;
/**
 * Guest end of a queue pair on a vmci device, for a peer that echoes it
 * (perf_transport_vmci.h).
 */
extern const struct perf_transport_ops perf_transport_vmci;
/**
 * A vSockets stream connection to a peer port that echoes it
 * (perf_transport_vsock.c).
 */
extern const struct perf_transport_ops perf_transport_vsock;
/**
 * Baseline of transport vsock: a queue pair of the connection's size
 * between the guest device and the emulated host's, echoed on side 1's
 * lcore, through the vsock transport's loop (perf_transport_qp_echo.c).
 */
extern const struct perf_transport_ops perf_transport_qp_echo;
/** AF_UNIX stream socketpair, blocking. */
extern const struct perf_transport_ops perf_transport_unix;
/** AF_UNIX stream socketpair, non-blocking, busy-polled. */
extern const struct perf_transport_ops perf_transport_unix_busy;
/** Two pipes, blocking. */
extern const struct perf_transport_ops perf_transport_pipe;
/** TCP over 127.0.0.1 with TCP_NODELAY, blocking. */
extern const struct perf_transport_ops perf_transport_tcp;
/** Two SPSC rte_rings carrying payload copies in mempool objects. */
extern const struct perf_transport_ops perf_transport_ring;

/**
 * Secondary process of transport emu-mp: attach the emulated host end of
 * queue pair @p handle as side 1 (close with perf_transport_close()).
 *
 * @return
 *   0, or a negative errno after printing why.
 */
int perf_transport_emu_host_open(struct perf_transport *tp, struct rte_vmci_handle handle,
				 const struct perf_options *opt);

/**
 * Why the qp-echo baseline cannot run here (a real VMCI device, whose host
 * end is not ours; no emulated host; side 1 on the main lcore), or NULL.
 */
const char *perf_qp_echo_unavailable(const struct perf_options *opt);

/** Look a transport up by name; NULL if unknown. */
const struct perf_transport_ops *perf_transport_find(const char *name);

/** Call tx_end if the transport has one. */
static inline void
perf_transport_tx_end(struct perf_transport *tp, unsigned int side)
{
	if (tp->ops->tx_end != NULL)
		tp->ops->tx_end(tp, side);
}

/** Call abort if the transport has one. */
static inline void
perf_transport_abort(struct perf_transport *tp, unsigned int side)
{
	if (tp->ops->abort != NULL)
		tp->ops->abort(tp, side);
}

/** Prepare a transport for the next run (after tx_end). */
int perf_transport_rearm(struct perf_transport *tp);

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
