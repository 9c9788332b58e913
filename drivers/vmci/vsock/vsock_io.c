/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

/*
 * Stream data path: bytes through the queue pair, and the WROTE/READ
 * wake-ups a blocked kernel peer needs (doc sections 3.6, 3.9). We never
 * wait for a notification: the queue indices say everything. No locks,
 * allocations or logs here; a notification is one datagram, sent only on
 * the transitions that can wake a sleeper.
 */

#include <errno.h>

#include <rte_branch_prediction.h>
#include <rte_common.h>
#include <rte_cycles.h>

#include "vsock_private.h"

#define VSOCK_PAGE 4096u
/*
 * After a held WROTE turned out to be needed (the peer sleeps on its
 * queue), this many writes into an empty queue notify at once; the next
 * one holds its WROTE again, to find out whether the peer polls now.
 */
#define VSOCK_WROTE_AT_ONCE_AFTER_LATE 63u

static bool
vsock_connected(const struct rte_vmci_vsock *s)
{
	return (s->st == VSOCK_ST_ESTABLISHED || s->st == VSOCK_ST_CLOSING) && s->qp != NULL;
}

static void
vsock_notify(struct rte_vmci_vsock *s, uint8_t type)
{
	struct rte_vmci_vsock_ctl_pkt pkt;
	bool *owed = type == RTE_VMCI_VSOCK_PKT_WROTE ? &s->wrote_owed : &s->read_owed;
	uint8_t *tries = type == RTE_VMCI_VSOCK_PKT_WROTE ? &s->wrote_tries : &s->read_tries;

	vsock_pkt_init(&pkt, type, s->peer_cid, s->local_port, s->peer_port);
	if (vsock_send_ctl(s->ctx, s, &pkt) == 0) {
		s->stats.notify_tx++;
		*owed = false;
		*tries = 0;
		return;
	}
	/* Retried from the poll call, a bounded number of times. */
	s->stats.notify_tx_fail++;
	*owed = ++*tries < RTE_VMCI_VSOCK_MAX_DGRAM_RESENDS;
	if (!*owed)
		*tries = 0;
}

/* Whether a notification can still matter to the peer. */
static bool
vsock_peer_listens(const struct rte_vmci_vsock *s, uint8_t peer_gone_bit)
{
	return !s->peer_detached && (s->peer_shut & peer_gone_bit) == 0;
}

static void
vsock_send_wrote(struct rte_vmci_vsock *s)
{
	s->peer_waiting_read = false;
	s->wrote_held = false;
	if (vsock_peer_listens(s, RTE_VMCI_VSOCK_SHUTDOWN_RCV))
		vsock_notify(s, RTE_VMCI_VSOCK_PKT_WROTE);
}

static void
vsock_send_read(struct rte_vmci_vsock *s)
{
	s->peer_waiting_write = false;
	if (vsock_peer_listens(s, RTE_VMCI_VSOCK_SHUTDOWN_SEND))
		vsock_notify(s, RTE_VMCI_VSOCK_PKT_READ);
}

/* READ once the reader has made room beyond the window. */
static void
vsock_maybe_read(struct rte_vmci_vsock *s, uint64_t ready)
{
	uint64_t free_space = s->qsize - 1 - ready;

	if (s->peer_waiting_write && free_space > s->qsize - s->window)
		vsock_send_read(s);
}

void
vsock_peer_waiting(struct rte_vmci_vsock *s, bool reader)
{
	ssize_t n;

	if (s->qp == NULL)
		return;
	if (reader) {
		s->peer_waiting_read = true;
		/* Data already queued: wake it now. */
		n = rte_vmci_qp_free_space(s->qp);
		if (n >= 0 && (uint64_t)n < s->qsize - 1)
			vsock_send_wrote(s);
		return;
	}
	s->peer_waiting_write = true;
	n = rte_vmci_qp_ready_bytes(s->qp);
	if (n >= 0)
		vsock_maybe_read(s, (uint64_t)n);
}

/*
 * A held WROTE is due: send it only if the bytes still wait (a peer that
 * took them is awake and needs no wake-up). Bad indices count as waiting:
 * a wake-up too many is harmless.
 */
static void
vsock_wrote_deadline(struct rte_vmci_vsock *s)
{
	ssize_t free_space = rte_vmci_qp_free_space(s->qp);

	s->wrote_held = false;
	if (free_space >= 0 && (uint64_t)free_space >= s->qsize - 1) {
		s->stats.wrote_saved++;
		return;
	}
	s->stats.wrote_late++;
	s->wrote_at_once = VSOCK_WROTE_AT_ONCE_AFTER_LATE;
	vsock_send_wrote(s);
}

/* Cheap unless a WROTE is held: called from every data call. */
static inline void
vsock_wrote_check(struct rte_vmci_vsock *s)
{
	if (unlikely(s->wrote_held) && (int64_t)(rte_get_timer_cycles() - s->wrote_due) >= 0)
		vsock_wrote_deadline(s);
}

void
vsock_wrote_flush(struct rte_vmci_vsock *s)
{
	if (s->wrote_held && s->qp != NULL)
		vsock_wrote_deadline(s);
}

void
vsock_retry_notify(struct rte_vmci_vsock *s)
{
	if (s->qp != NULL)
		vsock_wrote_check(s);
	if (s->wrote_owed)
		vsock_send_wrote(s);
	if (s->read_owed)
		vsock_send_read(s);
}

/*
 * The queue went from empty to not empty: the peer may sleep on it. The
 * classic protocol and RTE_VMCI_VSOCK_F_WROTE_AT_ONCE wake it now; else the
 * WROTE is held (see rte_vmci_vsock_conf::wrote_delay_us).
 */
static void
vsock_wrote_transition(struct rte_vmci_vsock *s)
{
	uint64_t delay = s->ctx->wrote_delay;

	if (s->wrote_held) /* the queue emptied since: the peer took the bytes */
		s->stats.wrote_saved++;
	if (delay == 0 || s->notify != RTE_VMCI_VSOCK_NOTIFY_QSTATE || s->wrote_at_once > 0) {
		if (s->wrote_at_once > 0)
			s->wrote_at_once--;
		vsock_send_wrote(s);
		return;
	}
	s->wrote_held = true;
	s->wrote_due = rte_get_timer_cycles() + delay;
}

/* After n bytes went in: a WROTE if the queue was empty before them (the
 * peer may sleep on an empty queue), or if a classic peer asked.
 */
static void
vsock_after_enqueue(struct rte_vmci_vsock *s, size_t n)
{
	ssize_t free_space;

	s->stats.tx_bytes += n;
	if (s->peer_waiting_read) {
		vsock_send_wrote(s);
		return;
	}
	free_space = rte_vmci_qp_free_space(s->qp);
	if (free_space >= 0 && s->qsize - 1 - (uint64_t)free_space == n)
		vsock_wrote_transition(s);
}

/*
 * After n bytes came out: a writer that found the queue full may be asleep
 * on it; READ when the window allows. The queue was full if what is ready
 * now and the n bytes fill it. Counted after the dequeue because a writer
 * asleep on a full queue adds nothing since; a count from before it (at a
 * peek, or before the copy) misses what the writer added in between, and
 * with it the writer's sleep. Bad indices: the next call reports them.
 */
static void
vsock_after_dequeue(struct rte_vmci_vsock *s, size_t n)
{
	int64_t ready = rte_vmci_qp_ready_bytes(s->qp);

	s->stats.rx_bytes += n;
	if (ready < 0)
		return;
	if ((uint64_t)ready + n >= s->qsize - 1 && !s->peer_waiting_write) {
		s->peer_waiting_write = true;
		if (s->window > s->window_min)
			s->window = RTE_MAX(s->window - RTE_MIN(s->window, (uint64_t)VSOCK_PAGE),
					    s->window_min);
	}
	vsock_maybe_read(s, (uint64_t)ready);
}

/* Nothing to read: a blocking reader would sleep now. Owe nothing. */
static void
vsock_about_to_block(struct rte_vmci_vsock *s)
{
	if (s->peer_waiting_write)
		vsock_send_read(s);
	s->window = RTE_MIN(s->window + VSOCK_PAGE, s->qsize);
}

static ssize_t
vsock_tx_check(struct rte_vmci_vsock *s)
{
	if (s == NULL)
		return -EINVAL;
	if (!vsock_connected(s))
		return -ENOTCONN;
	if ((s->local_shut & RTE_VMCI_VSOCK_SHUTDOWN_SEND) != 0 ||
	    !vsock_peer_listens(s, RTE_VMCI_VSOCK_SHUTDOWN_RCV))
		return -EPIPE;
	vsock_wrote_check(s);
	return 0;
}

/* Bytes ready to read; 0 with *eof set at the end of the stream. */
static ssize_t
vsock_rx_begin(struct rte_vmci_vsock *s, bool *eof)
{
	ssize_t ready;

	*eof = false;
	if (s == NULL)
		return -EINVAL;
	if (!vsock_connected(s))
		return -ENOTCONN;
	ready = rte_vmci_qp_ready_bytes(s->qp);
	if (ready != 0)
		return ready;
	vsock_wrote_check(s);
	if ((s->peer_shut & RTE_VMCI_VSOCK_SHUTDOWN_SEND) != 0 ||
	    (s->local_shut & RTE_VMCI_VSOCK_SHUTDOWN_RCV) != 0) {
		*eof = true;
		return 0;
	}
	vsock_about_to_block(s);
	return -EAGAIN;
}

ssize_t
rte_vmci_vsock_send(struct rte_vmci_vsock *s, const void *buf, size_t len)
{
	ssize_t n = vsock_tx_check(s);

	if (n < 0)
		return n;
	n = rte_vmci_qp_enqueue_burst(s->qp, buf, len);
	if (n <= 0)
		return n == 0 ? -EAGAIN : n;
	vsock_after_enqueue(s, (size_t)n);
	return n;
}

ssize_t
rte_vmci_vsock_sendv(struct rte_vmci_vsock *s, const struct iovec *iov, int iovcnt)
{
	ssize_t n = vsock_tx_check(s);

	if (n < 0)
		return n;
	n = rte_vmci_qp_enqueuev_burst(s->qp, iov, iovcnt);
	if (n <= 0)
		return n == 0 ? -EAGAIN : n;
	vsock_after_enqueue(s, (size_t)n);
	return n;
}

ssize_t
rte_vmci_vsock_recv(struct rte_vmci_vsock *s, void *buf, size_t len)
{
	bool eof;
	ssize_t ready = vsock_rx_begin(s, &eof);
	ssize_t n;

	if (ready <= 0)
		return ready;
	n = rte_vmci_qp_dequeue_burst(s->qp, buf, len);
	if (n <= 0)
		return n == 0 ? -EAGAIN : n;
	vsock_after_dequeue(s, (size_t)n);
	return n;
}

ssize_t
rte_vmci_vsock_recvv(struct rte_vmci_vsock *s, const struct iovec *iov, int iovcnt)
{
	bool eof;
	ssize_t ready = vsock_rx_begin(s, &eof);
	ssize_t n;

	if (ready <= 0)
		return ready;
	n = rte_vmci_qp_dequeuev_burst(s->qp, iov, iovcnt);
	if (n <= 0)
		return n == 0 ? -EAGAIN : n;
	vsock_after_dequeue(s, (size_t)n);
	return n;
}

ssize_t
rte_vmci_vsock_peek_zc(struct rte_vmci_vsock *s, size_t len, struct rte_vmci_qp_zc *zc)
{
	bool eof;
	ssize_t ready = vsock_rx_begin(s, &eof);
	ssize_t n;

	if (ready <= 0)
		return ready;
	n = rte_vmci_qp_dequeue_zc_burst_start(s->qp, len, zc);
	if (n <= 0)
		return n == 0 ? -EAGAIN : n;
	s->zc_rx = (size_t)n;
	return n;
}

int
rte_vmci_vsock_consume(struct rte_vmci_vsock *s, size_t n)
{
	int ret;

	if (s == NULL)
		return -EINVAL;
	if (!vsock_connected(s))
		return -ENOTCONN;
	if (n > s->zc_rx)
		return -EINVAL;
	ret = rte_vmci_qp_dequeue_zc_finish(s->qp, n);
	if (ret < 0)
		return ret;
	s->zc_rx = 0;
	if (n > 0)
		vsock_after_dequeue(s, n);
	return 0;
}

ssize_t
rte_vmci_vsock_reserve_zc(struct rte_vmci_vsock *s, size_t len, struct rte_vmci_qp_zc *zc)
{
	ssize_t n = vsock_tx_check(s);

	if (n < 0)
		return n;
	n = rte_vmci_qp_enqueue_zc_burst_start(s->qp, len, zc);
	if (n <= 0)
		return n == 0 ? -EAGAIN : n;
	s->zc_tx = (size_t)n;
	return n;
}

int
rte_vmci_vsock_commit(struct rte_vmci_vsock *s, size_t n)
{
	int ret;

	if (s == NULL)
		return -EINVAL;
	if (!vsock_connected(s))
		return -ENOTCONN;
	if (n > s->zc_tx)
		return -EINVAL;
	ret = rte_vmci_qp_enqueue_zc_finish(s->qp, n);
	if (ret < 0)
		return ret;
	s->zc_tx = 0;
	if (n > 0)
		vsock_after_enqueue(s, n);
	return 0;
}

ssize_t
rte_vmci_vsock_rx_ready(struct rte_vmci_vsock *s)
{
	if (s == NULL)
		return -EINVAL;
	if (!vsock_connected(s))
		return -ENOTCONN;
	return rte_vmci_qp_ready_bytes(s->qp);
}
