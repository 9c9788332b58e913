/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

/*
 * The loop through an echo (perf_echo.h): sending, taking the echo back,
 * checking every byte, on one lcore, over the calls of a perf_echo_io.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_lcore.h>

#include "perf_echo.h"
#include "perf_zc.h"

/* Data calls between two looks at the clock. */
#define ECHO_SERVICE_CALLS 256u
/* The connection is checked this often during a run. */
#define ECHO_CHECK_US 1000u
/* Seconds with nothing coming back while bytes sent are still out: a stall. */
#define ECHO_STALL_S 5u

static unsigned int echo_peer_lcore = RTE_MAX_LCORE;

void
perf_echo_set_peer_lcore(unsigned int lcore)
{
	echo_peer_lcore = lcore;
}

unsigned int
perf_echo_peer_lcore(void)
{
	return echo_peer_lcore;
}

int
perf_echo_fail(struct perf_echo *e, int err, const char *fmt, ...)
{
	va_list ap;

	if (e->err != 0)
		return err;
	e->err = err;
	fprintf(stderr, "vmci-perf: %s: ", e->who);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, ": %s\n", strerror(-err));
	return err;
}

/*
 * Whether the loop stands still: nothing came back for ECHO_STALL_S while
 * bytes sent are still out (a peer that stopped echoing, or one that takes
 * the bytes and never answers). @p out: those bytes.
 */
static bool
echo_stalled(struct perf_echo *e, uint64_t now, uint64_t *out)
{
	*out = e->tx_bytes - RTE_MIN(e->rx_bytes, e->tx_bytes);
	if (e->rx_bytes != e->moved_rx) {
		e->moved_rx = e->rx_bytes;
		e->moved_since = now;
		return false;
	}
	return *out > 0 && now - e->moved_since > ECHO_STALL_S * rte_get_timer_hz();
}

/*
 * Every ECHO_SERVICE_CALLS data calls: the progress line of a stream, and
 * once a millisecond the connection's check (a vSockets context's control
 * packets and the peer's detach would otherwise wait in the device), then
 * whether the loop still moves.
 */
static int
echo_service(struct perf_echo *e)
{
	uint64_t now = rte_get_timer_cycles();
	uint64_t out;
	int ret;

	e->calls = 0;
	/* Stream: the receiving half is this lcore's, so is its progress line. */
	if (e->progress) {
		uint64_t tsc = rte_rdtsc();

		if (tsc >= e->prog.next_tsc)
			perf_progress_print(&e->prog, tsc, e->echoed, e->echo.verify_errors);
	}
	if (now < e->next_check)
		return 0;
	e->next_check = now + e->check_cycles;
	ret = e->io->check(e);
	if (ret < 0)
		return ret;
	if (echo_stalled(e, now, &out))
		return perf_echo_fail(e, -ETIMEDOUT, "the peer stopped echoing: nothing came back"
				      " for %u s while %" PRIu64 " bytes sent are still out, and the"
				      " connection stands", ECHO_STALL_S, out);
	return 0;
}

static inline int
echo_tick(struct perf_echo *e)
{
	if (likely(++e->calls < ECHO_SERVICE_CALLS))
		return 0;
	return echo_service(e);
}

/* A data call failed: say how, once. recv's 0 is the end of the stream. */
static int
echo_data_error(struct perf_echo *e, ssize_t r, enum perf_echo_call call)
{
	const char *name = e->io->name[call];

	if (r == 0)
		return perf_echo_fail(e, -ENOTCONN, "the peer ended the stream during the run (%s"
				      " returned 0)", name);
	if (r == -ENOTCONN || r == -EPIPE)
		return perf_echo_fail(e, (int)r, "%s: the peer closed, reset or shut down the"
				      " connection", name);
	return perf_echo_fail(e, (int)r, "%s", name);
}

/* @p r more bytes of the message going out: whether it is whole now. */
static inline bool
echo_tx_advance(struct perf_echo *e, struct perf_flow *flow, ssize_t r)
{
	e->tx_bytes += (uint64_t)r;
	e->tx_off += (uint32_t)r;
	if (e->tx_off < flow->size)
		return false;
	e->tx_off = 0;
	flow->seq++;
	return true;
}

/* @p r more bytes of the message coming back: whether it is whole now. */
static inline bool
echo_rx_advance(struct perf_echo *e, struct perf_flow *flow, ssize_t r)
{
	e->rx_bytes += (uint64_t)r;
	e->rx_off += (uint32_t)r;
	if (e->rx_off < flow->size)
		return false;
	e->rx_off = 0;
	return true;
}

/* Senders. The bytes after the stamp are the flow buffer's, which never change. */

static int
echo_send_copy(struct perf_echo *e, struct perf_flow *flow)
{
	unsigned int n = 0;
	ssize_t r;

	e->ref = flow->buf;
	while (n < flow->burst) {
		if (e->tx_off == 0 && flow->verify)
			perf_flow_stamp(flow, flow->buf, flow->seq);
		r = e->io->send(e->conn, flow->buf + e->tx_off, flow->size - e->tx_off);
		if (unlikely(r < 0))
			return r == -EAGAIN ? (int)n : echo_data_error(e, r, PERF_ECHO_SEND);
		/* The queue is full: the rest of the message goes next time. */
		if (!echo_tx_advance(e, flow, r))
			break;
		n++;
	}
	return n;
}

static int
echo_send_zc(struct perf_echo *e, struct perf_flow *flow)
{
	struct rte_vmci_qp_zc zc;
	unsigned int n = 0;
	ssize_t r;
	int ret;

	e->ref = flow->buf;
	while (n < flow->burst) {
		r = e->io->reserve_zc(e->conn, flow->size - e->tx_off, &zc);
		if (unlikely(r < 0))
			return r == -EAGAIN ? (int)n : echo_data_error(e, r, PERF_ECHO_RESERVE_ZC);
		/* Stands for the application producing its data in place. */
		if (e->tx_off == 0 && flow->verify)
			perf_flow_stamp(flow, flow->buf, flow->seq);
		perf_zc_write(&zc, flow->buf + e->tx_off, (size_t)r);
		ret = e->io->commit(e->conn, (size_t)r);
		if (unlikely(ret < 0))
			return echo_data_error(e, ret, PERF_ECHO_COMMIT);
		if (!echo_tx_advance(e, flow, r))
			break;
		n++;
	}
	return n;
}

/* Receivers: every byte is checked, the sequence number once the message is whole. */

/* @p len bytes of the current message at offset @p off, where they lie. */
static inline void
echo_check_piece(struct perf_echo *e, const struct perf_flow *flow, const uint8_t *data,
		 uint32_t off, uint32_t len)
{
	uint32_t head = 0;

	if (off < flow->seq_len) {
		head = RTE_MIN(len, flow->seq_len - off);
		memcpy(e->rx_head + off, data, head);
	}
	if (len > head && memcmp(data + head, e->ref + off + head, len - head) != 0)
		e->rx_bad = true;
}

/* The current message is whole: a bad byte anywhere makes it one bad message. */
static inline void
echo_check_message(struct perf_echo *e, struct perf_flow *flow)
{
	if (unlikely(e->rx_bad)) {
		e->rx_bad = false;
		flow->verify_errors++;
		flow->seq++;
		return;
	}
	perf_flow_check(flow, e->rx_head, flow->size);
}

static int
echo_recv_copy(struct perf_echo *e, struct perf_flow *flow)
{
	unsigned int n = 0;
	ssize_t r;

	while (n < flow->burst) {
		r = e->io->recv(e->conn, flow->buf + e->rx_off, flow->size - e->rx_off);
		if (unlikely(r <= 0))
			return r == -EAGAIN ? (int)n : echo_data_error(e, r, PERF_ECHO_RECV);
		if (!echo_rx_advance(e, flow, r))
			break;
		if (flow->verify) {
			echo_check_piece(e, flow, flow->buf, 0, flow->size);
			echo_check_message(e, flow);
		}
		n++;
	}
	return n;
}

static int
echo_recv_zc(struct perf_echo *e, struct perf_flow *flow)
{
	struct rte_vmci_qp_zc zc;
	unsigned int n = 0;
	size_t first;
	ssize_t r;
	int ret;

	while (n < flow->burst) {
		r = e->io->peek_zc(e->conn, flow->size - e->rx_off, &zc);
		if (unlikely(r <= 0))
			return r == -EAGAIN ? (int)n : echo_data_error(e, r, PERF_ECHO_PEEK_ZC);
		if (flow->verify) {
			first = RTE_MIN((size_t)r, zc.len1);
			echo_check_piece(e, flow, zc.ptr1, e->rx_off, (uint32_t)first);
			if ((size_t)r > first)
				echo_check_piece(e, flow, zc.ptr2, e->rx_off + (uint32_t)first,
						 (uint32_t)((size_t)r - first));
		}
		ret = e->io->consume(e->conn, (size_t)r);
		if (unlikely(ret < 0))
			return echo_data_error(e, ret, PERF_ECHO_CONSUME);
		if (!echo_rx_advance(e, flow, r))
			break;
		if (flow->verify)
			echo_check_message(e, flow);
		n++;
	}
	return n;
}

/* The worker functions perf_stream.c calls; side is always 0's lcore. */

static inline int
echo_call(struct perf_echo *e, perf_echo_xfer_t fn, struct perf_flow *flow)
{
	int ret = echo_tick(e);

	return ret < 0 ? ret : fn(e, flow);
}

static int
echo_tx(struct perf_transport *tp, unsigned int side __rte_unused, struct perf_flow *flow)
{
	struct perf_echo *e = tp->priv;

	return echo_call(e, e->send, flow);
}

static int
echo_rx(struct perf_transport *tp, unsigned int side __rte_unused, struct perf_flow *flow)
{
	struct perf_echo *e = tp->priv;

	return echo_call(e, e->recv, flow);
}

/* Stream: each send call also takes what came back, so the loop never blocks. */
static int
echo_stream_tx(struct perf_transport *tp, unsigned int side, struct perf_flow *flow)
{
	struct perf_echo *e = tp->priv;
	int n, m;

	e->txf = flow;
	n = echo_tx(tp, side, flow);
	if (unlikely(n < 0))
		return n;
	m = e->recv(e, &e->echo);
	if (unlikely(m < 0))
		return m;
	e->echoed += (unsigned int)m;
	return n;
}

/*
 * Stream, after the producer stopped: finish a message it left half sent
 * (it comes back and is checked, but it is no part of the count), then
 * take the echo until @p want messages came back. Missing ones get a
 * second after the last that arrived, as in the other transports.
 */
static int
echo_drain(struct perf_echo *e, uint64_t want)
{
	struct perf_flow *tx = e->txf;
	uint64_t hz = rte_get_tsc_hz();
	uint64_t deadline = rte_rdtsc() + hz;
	int ret = 0;
	int n;

	if (e->tx_off > 0) {
		want++;
		/* One message: the one under way, no new one after it. */
		tx->burst = 1;
	}
	while (e->echoed < want) {
		if (e->tx_off > 0) {
			ret = e->send(e, tx);
			if (ret < 0)
				break;
		}
		n = e->recv(e, &e->echo);
		if (n < 0) {
			ret = n;
			break;
		}
		e->echoed += (unsigned int)n;
		if (n > 0) {
			deadline = rte_rdtsc() + hz;
			continue;
		}
		ret = echo_tick(e);
		if (ret < 0)
			break;
		if (rte_rdtsc() > deadline) {
			ret = -ETIMEDOUT;
			break;
		}
	}
	e->echo_end_tsc = rte_rdtsc();
	return ret < 0 ? ret : 0;
}

struct perf_run_ctl *
perf_echo_ctl(struct perf_transport *tp)
{
	return &((struct perf_echo *)tp->priv)->ctl;
}

static void
echo_run_reset(struct perf_echo *e)
{
	e->tx_off = 0;
	e->rx_off = 0;
	e->rx_bad = false;
	e->err = 0;
	e->calls = 0;
	e->txf = NULL;
	e->echoed = 0;
	e->echo_end_tsc = 0;
	e->tx_bytes = 0;
	e->rx_bytes = 0;
	e->moved_rx = 0;
	e->next_check = rte_get_timer_cycles();
	e->moved_since = e->next_check;
}

int
perf_echo_run_start(struct perf_echo *e, const struct perf_side_params *sp)
{
	int ret;

	echo_run_reset(e);
	if (e->stream) {
		ret = perf_flow_init(&e->echo, sp->size, 1, sp->burst, sp->verify != 0, e->socket);
		if (ret < 0) {
			fprintf(stderr, "vmci-perf: no memory for the echo's buffer of %" PRIu32
				" bytes\n", sp->size);
			return ret;
		}
	}
	e->progress = e->stream && sp->progress != 0;
	perf_progress_start(&e->prog, sp->size, rte_rdtsc());
	/* The peer echoes as soon as bytes arrive: side 1 is ready. */
	__atomic_store_n(&e->ctl.side[1].ready, 1, __ATOMIC_RELEASE);
	return 0;
}

void
perf_echo_run_wait(struct perf_echo *e, struct perf_side_report *rep)
{
	uint64_t sent;

	memset(rep, 0, sizeof(*rep));
	if (!e->stream)
		return;
	sent = __atomic_load_n(&e->ctl.side[0].tx_count, __ATOMIC_ACQUIRE);
	/* A producer that failed has said why; its row shows it. */
	if (e->err == 0)
		rep->err = echo_drain(e, sent);
	rep->received = RTE_MIN(e->echoed, sent);
	rep->end_tsc = e->echo_end_tsc;
	rep->verify_errors = e->echo.verify_errors;
	perf_flow_free(&e->echo);
}

void
perf_echo_free(struct perf_echo *e)
{
	perf_flow_free(&e->echo);
}

static const struct {
	perf_echo_xfer_t send;
	perf_echo_xfer_t recv;
} echo_api_fns[] = {
	[PERF_API_COPY] = { echo_send_copy, echo_recv_copy },
	[PERF_API_ZC] = { echo_send_zc, echo_recv_zc },
};

void
perf_echo_init(struct perf_echo *e, const struct perf_echo_io *io,
	       const struct perf_options *opt, int socket)
{
	e->io = io;
	e->stream = opt->mode == PERF_MODE_STREAM;
	e->socket = socket;
	e->send = echo_api_fns[opt->api].send;
	e->recv = echo_api_fns[opt->api].recv;
	e->check_cycles = rte_get_timer_hz() * ECHO_CHECK_US / 1000000;
}

void
perf_echo_set_xfer(struct perf_transport *tp)
{
	struct perf_echo *e = tp->priv;

	tp->tx = e->stream ? echo_stream_tx : echo_tx;
	tp->rx = echo_rx;
	tp->nb_bufs = 1;
}
