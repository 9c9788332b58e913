/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

#ifndef _PERF_ECHO_H_
#define _PERF_ECHO_H_

/**
 * @file
 * A byte stream looped through a peer that echoes it, driven from one
 * lcore: side 0 sends messages, takes the echo back and checks every byte
 * of it. The loop of transport vsock (through a vSockets connection) and
 * of its baseline qp-echo (through a bare queue pair echoed on side 1's
 * lcore), which differ only in the calls of struct perf_echo_io, so that
 * the two figures differ only by what those calls cost.
 *
 * As in transport vmci, side 1 is "remote" for perf_stream.c: in pingpong
 * it is the peer, whose echo is the pong; in stream it is the receiving
 * half of side 0's own lcore, which takes the echo inside every send call
 * and, once the producer stopped, in remote_wait until every message came
 * back. Stream throughput is thus that of the loop, from the first send to
 * the last message back.
 *
 * A byte stream keeps no message boundaries: a message may go out or come
 * back in pieces, so each direction keeps its offset in the current one,
 * and the receiver checks every byte, not only the sequence number.
 */

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <rte_common.h>

#include <rte_vmci_qp.h>

#include "perf_flow.h"
#include "perf_options.h"
#include "perf_stream.h"
#include "perf_transport.h"

struct perf_echo;

/** The calls of struct perf_echo_io, to name them in error lines. */
enum perf_echo_call {
	PERF_ECHO_SEND,
	PERF_ECHO_RECV,
	PERF_ECHO_RESERVE_ZC,
	PERF_ECHO_COMMIT,
	PERF_ECHO_PEEK_ZC,
	PERF_ECHO_CONSUME,
	PERF_ECHO_CALLS,
};

/**
 * One connection's data calls, on @p conn. The byte counts are as
 * rte_vmci_vsock.h gives them: > 0 bytes moved, -EAGAIN when nothing can
 * move now, another negative errno on failure; recv and peek_zc return 0
 * at the end of the stream.
 */
struct perf_echo_io {
	ssize_t (*send)(void *conn, const void *buf, size_t len);
	ssize_t (*recv)(void *conn, void *buf, size_t len);
	/** Map up to @p len bytes of free space. */
	ssize_t (*reserve_zc)(void *conn, size_t len, struct rte_vmci_qp_zc *zc);
	/** Publish the first @p n bytes reserved: 0 or a negative errno. */
	int (*commit)(void *conn, size_t n);
	/** Map up to @p len bytes that came in. */
	ssize_t (*peek_zc)(void *conn, size_t len, struct rte_vmci_qp_zc *zc);
	/** Release the first @p n bytes peeked: 0 or a negative errno. */
	int (*consume)(void *conn, size_t n);
	/** The functions behind each call, for the error lines. */
	const char *name[PERF_ECHO_CALLS];
	/**
	 * About once a millisecond during a run, on side 0's lcore: serve the
	 * connection's control path if it has one and check that it still
	 * stands. 0, or a negative errno after perf_echo_fail().
	 */
	int (*check)(struct perf_echo *e);
};

typedef int (*perf_echo_xfer_t)(struct perf_echo *e, struct perf_flow *flow);

/**
 * The loop's state. Must be the first member of tp->priv: the worker
 * functions perf_echo_set_xfer() installs and perf_echo_ctl() read it
 * there.
 */
struct perf_echo {
	struct perf_run_ctl ctl;         /**< Side 1's flags are the peer's. */
	/* Data path, one lcore at a time. */
	const struct perf_echo_io *io;
	void *conn;                      /**< What the io calls take. */
	perf_echo_xfer_t send;
	perf_echo_xfer_t recv;
	const uint8_t *ref;              /**< The sender's buffer: what follows each stamp. */
	uint32_t tx_off;                 /**< Bytes of the message going out already sent. */
	uint32_t rx_off;                 /**< Bytes of the message coming back already in. */
	bool rx_bad;                     /**< A byte of that message differed. */
	uint8_t rx_head[sizeof(uint64_t)]; /**< Its first bytes: the sequence number. */
	unsigned int calls;              /**< Since the last look at the clock. */
	uint64_t next_check;             /**< Timer cycles. */
	uint64_t check_cycles;
	uint64_t tx_bytes;               /**< Sent in this run. */
	uint64_t rx_bytes;               /**< Received in this run. */
	uint64_t moved_rx;               /**< rx_bytes at moved_since. */
	uint64_t moved_since;
	int err;                         /**< First error of the run, printed. */
	/* Stream: the receiving half. */
	struct perf_flow *txf;           /**< The producer's flow, for the drain. */
	struct perf_flow echo;
	uint64_t echoed;                 /**< Messages back. */
	uint64_t echo_end_tsc;
	bool progress;                   /**< A line a second, of the messages back. */
	struct perf_progress prog;
	/* Control path. */
	bool stream;
	int socket;
	char who[64];                    /**< What the error lines name: "vsock 2:7". */
};

/** Set up @p e for the mode and API of @p opt, over @p io. */
void perf_echo_init(struct perf_echo *e, const struct perf_echo_io *io,
		    const struct perf_options *opt, int socket);

/** Point tp->tx, tp->rx and tp->nb_bufs at the loop (tp->priv starts with @p e). */
void perf_echo_set_xfer(struct perf_transport *tp);

/**
 * Print the first error of a run, naming e->who, the text of @p fmt and
 * @p err; return @p err.
 */
int perf_echo_fail(struct perf_echo *e, int err, const char *fmt, ...)
	__rte_format_printf(3, 4);

/** remote_ctl of the transports built on the loop. */
struct perf_run_ctl *perf_echo_ctl(struct perf_transport *tp);

/**
 * Before a run: reset the loop, and in stream allocate the echo's flow;
 * then mark side 1 ready (the peer echoes whatever arrives).
 *
 * @return
 *   0, or -ENOMEM after printing why.
 */
int perf_echo_run_start(struct perf_echo *e, const struct perf_side_params *sp);

/**
 * After side 0 stopped: in stream, take the rest of the echo on the
 * calling lcore and report side 1's share in @p rep; zeroes @p rep in
 * pingpong.
 */
void perf_echo_run_wait(struct perf_echo *e, struct perf_side_report *rep);

/** Free what the loop holds (the echo's flow); safe to repeat. */
void perf_echo_free(struct perf_echo *e);

/**
 * The lcore of side 1, which the vsock transport leaves idle (the peer's
 * CPU when the peer is the emulated host) and the qp-echo baseline runs
 * its echo on; RTE_MAX_LCORE until set.
 */
void perf_echo_set_peer_lcore(unsigned int lcore);

/** What perf_echo_set_peer_lcore() set. */
unsigned int perf_echo_peer_lcore(void);

#endif /* _PERF_ECHO_H_ */
