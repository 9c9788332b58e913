/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

/*
 * The emulated host's services on established connections (echo, discard,
 * source), the notifications they send as Linux sends them in each notify
 * protocol (vsock-over-vmci.md section 3.6), the sleeping services that
 * wait for the guest's notifications as blocked Linux processes do
 * (sections 3.6 and 3.9), shutdown and close, and the datagram echo
 * (section 4).
 */

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_errno.h>

#include "vmci_emu_vsock_priv.h"

static bool
evs_classic(const struct evs_conn *c)
{
	return c->handshake == VMCI_EMU_VSOCK_HS_CLASSIC;
}

void
evs_data_established(struct evs_conn *c)
{
	c->window = c->size;
	c->min_window = RTE_MIN((uint64_t)EVS_PAGE, c->size);
}

/* Bytes of a queue that can hold data: one always stays empty. */
static uint64_t
evs_capacity(const struct evs_conn *c)
{
	return c->size - 1;
}

/* Where a side waits, as the classic protocol tells it (advisory only). */
static void
evs_wait_info(const struct evs_conn *c, bool reading, uint64_t *gen, uint64_t *off)
{
	struct rte_vmci_qp_stats qs;
	uint64_t total;

	*gen = 0;
	*off = 0;
	if (c->ep == NULL || rte_vmci_qp_stats_get(c->ep, &qs) < 0)
		return;
	total = reading ? qs.deq_bytes : qs.enq_bytes;
	*gen = total / c->size;
	*off = total % c->size;
}

/*
 * Whether the guest still cares: about our writes (WROTE, WAITING_WRITE)
 * until it shut down receiving, about its own (READ, WAITING_READ) until
 * it shut down sending.
 */
static bool
evs_notify_wanted(const struct evs_conn *c, uint8_t type)
{
	if (c->misbehave & VMCI_EMU_VSOCK_BAD_NO_NOTIFY)
		return false;
	if (type == RTE_VMCI_VSOCK_PKT_WROTE || type == RTE_VMCI_VSOCK_PKT_WAITING_WRITE)
		return !(c->peer_shut & RTE_VMCI_VSOCK_SHUTDOWN_RCV);
	return !(c->peer_shut & RTE_VMCI_VSOCK_SHUTDOWN_SEND);
}

/*
 * A wake-up or waiting notice. A failed send is retried up to 10 times,
 * then given up (counted).
 */
static void
evs_notify(struct evs_conn *c, uint8_t type, uint64_t *counter)
{
	uint64_t gen = 0, off = 0;
	unsigned int i;

	if (!evs_notify_wanted(c, type))
		return;
	if (type == RTE_VMCI_VSOCK_PKT_WAITING_READ || type == RTE_VMCI_VSOCK_PKT_WAITING_WRITE)
		evs_wait_info(c, type == RTE_VMCI_VSOCK_PKT_WAITING_READ, &gen, &off);
	for (i = 0; i < RTE_VMCI_VSOCK_MAX_DGRAM_RESENDS; i++) {
		if (evs_conn_send(c, type, gen, off) >= 0) {
			(*counter)++;
			return;
		}
	}
	c->st.notify_failed++;
	EVS_LOG(INFO, "notification %u to %u:%u given up after %u sends", type, c->cid, c->port,
		RTE_VMCI_VSOCK_MAX_DGRAM_RESENDS);
}

/* READ when the writer may wait and the window allows it (section 3.6). */
static void
evs_maybe_read(struct evs_conn *c, uint64_t consume_free)
{
	if (c->peer_waiting_write && consume_free > c->size - c->window) {
		evs_notify(c, RTE_VMCI_VSOCK_PKT_READ, &c->st.read_tx);
		c->peer_waiting_write = false;
	}
}

static uint64_t
evs_consume_free(struct evs_conn *c)
{
	int64_t ready = rte_vmci_qp_ready_bytes(c->ep);

	return ready < 0 || (uint64_t)ready > evs_capacity(c) ? 0 :
		evs_capacity(c) - (uint64_t)ready;
}

/* After taking @n bytes from the guest. */
static void
evs_after_dequeue(struct evs_conn *c, uint64_t n)
{
	uint64_t free = evs_consume_free(c);

	c->st.bytes_rx += n;
	/* Queue-state: the queue was full, so the writer may be blocked. */
	if (!evs_classic(c) && free <= n && !c->peer_waiting_write) {
		c->peer_waiting_write = true;
		c->window = c->window > c->min_window + EVS_PAGE ?
			c->window - EVS_PAGE : c->min_window;
	}
	evs_maybe_read(c, free);
}

/* After putting @n bytes in the guest's queue. */
static void
evs_after_enqueue(struct evs_conn *c, uint64_t n)
{
	int64_t free;

	c->st.bytes_tx += n;
	if (evs_classic(c)) {
		if (c->peer_waiting_read) {
			evs_notify(c, RTE_VMCI_VSOCK_PKT_WROTE, &c->st.wrote_tx);
			c->peer_waiting_read = false;
		}
		return;
	}
	/* Queue-state: the queue was empty before these bytes. */
	free = rte_vmci_qp_free_space(c->ep);
	if (free >= 0 && evs_capacity(c) - (uint64_t)RTE_MIN((uint64_t)free, evs_capacity(c)) <= n)
		evs_notify(c, RTE_VMCI_VSOCK_PKT_WROTE, &c->st.wrote_tx);
}

/*
 * A sleeping service blocks where Linux would: from now on it looks at the
 * queues only after evs_data_wake() (a polling one just tries again).
 */
static void
evs_sleep(struct evs_conn *c, enum vmci_emu_vsock_sleep where)
{
	if (!c->sleeps)
		return;
	c->asleep = where;
	if (where == VMCI_EMU_VSOCK_ASLEEP_READING)
		c->st.sleeps_reading++;
	else
		c->st.sleeps_writing++;
}

/* The service needs data and there is none: where Linux would block reading. */
static void
evs_want_read(struct evs_conn *c)
{
	if (c->peer_shut & RTE_VMCI_VSOCK_SHUTDOWN_SEND)
		return;
	c->window = RTE_MIN(c->window + EVS_PAGE, c->size);
	if (evs_classic(c) && !c->sent_waiting_read) {
		evs_notify(c, RTE_VMCI_VSOCK_PKT_WAITING_READ, &c->st.waiting_read_tx);
		c->sent_waiting_read = true;
	}
	evs_maybe_read(c, evs_consume_free(c));
	evs_sleep(c, VMCI_EMU_VSOCK_ASLEEP_READING);
}

/* The guest's queue is full: where Linux would block writing. */
static void
evs_want_write(struct evs_conn *c)
{
	if (evs_classic(c) && !c->sent_waiting_write) {
		evs_notify(c, RTE_VMCI_VSOCK_PKT_WAITING_WRITE, &c->st.waiting_write_tx);
		c->sent_waiting_write = true;
	}
	evs_sleep(c, VMCI_EMU_VSOCK_ASLEEP_WRITING);
}

/*
 * A packet on an established connection, for a sleeping service: a WROTE
 * wakes it asleep reading, a READ asleep writing, and a SHUTDOWN or RST
 * (the connection's state changed) either way. Nothing else does, so a
 * guest that leaves out a wake-up it owes leaves the service asleep.
 */
void
evs_data_wake(struct evs_conn *c, uint8_t type)
{
	uint64_t *counter;

	switch (type) {
	case RTE_VMCI_VSOCK_PKT_WROTE:
		if (c->asleep != VMCI_EMU_VSOCK_ASLEEP_READING)
			return;
		counter = &c->st.wakeups_wrote;
		break;
	case RTE_VMCI_VSOCK_PKT_READ:
		if (c->asleep != VMCI_EMU_VSOCK_ASLEEP_WRITING)
			return;
		counter = &c->st.wakeups_read;
		break;
	case RTE_VMCI_VSOCK_PKT_SHUTDOWN:
	case RTE_VMCI_VSOCK_PKT_RST:
		if (c->asleep == VMCI_EMU_VSOCK_AWAKE)
			return;
		counter = &c->st.wakeups_other;
		break;
	default:
		return;
	}
	c->asleep = VMCI_EMU_VSOCK_AWAKE;
	(*counter)++;
}

void
evs_data_notify_rx(struct evs_conn *c, uint8_t type)
{
	int64_t free;

	switch (type) {
	case RTE_VMCI_VSOCK_PKT_WROTE:
		c->st.wrote_rx++;
		c->sent_waiting_read = false;
		break;
	case RTE_VMCI_VSOCK_PKT_READ:
		c->st.read_rx++;
		c->sent_waiting_write = false;
		break;
	case RTE_VMCI_VSOCK_PKT_WAITING_READ:
		c->st.waiting_read_rx++;
		if (!evs_classic(c) || c->ep == NULL) {
			c->st.ignored++;
			break;
		}
		/* Data queued already: wake the reader now, else after the next enqueue. */
		free = rte_vmci_qp_free_space(c->ep);
		c->peer_waiting_read = true;
		if (free >= 0 && (uint64_t)free < evs_capacity(c)) {
			evs_notify(c, RTE_VMCI_VSOCK_PKT_WROTE, &c->st.wrote_tx);
			c->peer_waiting_read = false;
		}
		break;
	case RTE_VMCI_VSOCK_PKT_WAITING_WRITE:
		c->st.waiting_write_rx++;
		if (!evs_classic(c) || c->ep == NULL) {
			c->st.ignored++;
			break;
		}
		c->peer_waiting_write = true;
		evs_maybe_read(c, evs_consume_free(c));
		break;
	default:
		break;
	}
}

/* Take up to @max ready bytes and drop them. */
static int
evs_discard(struct evs_conn *c, int64_t ready)
{
	ssize_t n;

	if (ready == 0) {
		evs_want_read(c);
		return 0;
	}
	n = rte_vmci_qp_discard_burst(c->ep, (size_t)ready);
	if (n < 0)
		return (int)n;
	evs_after_dequeue(c, (uint64_t)n);
	return n > 0;
}

static int
evs_echo(struct evs_conn *c, int64_t ready)
{
	struct vmci_emu_vsock *vs = c->vs;
	int64_t free;
	size_t n;

	/* A guest that reads no more gets nothing back: what it sends is dropped. */
	if (c->peer_shut & RTE_VMCI_VSOCK_SHUTDOWN_RCV)
		return evs_discard(c, ready);
	free = rte_vmci_qp_free_space(c->ep);
	if (free < 0)
		return (int)free;
	n = (size_t)RTE_MIN(RTE_MIN(ready, free), (int64_t)EVS_BOUNCE);
	if (n == 0) {
		if (ready == 0)
			evs_want_read(c);
		else
			evs_want_write(c);
		return 0;
	}
	if (rte_vmci_qp_dequeue_bulk(c->ep, vs->bounce, n) != (ssize_t)n)
		return -EIO;
	evs_after_dequeue(c, n);
	if (rte_vmci_qp_enqueue_bulk(c->ep, vs->bounce, n) != (ssize_t)n)
		return -EIO;
	evs_after_enqueue(c, n);
	return 1;
}

/* The 8-byte little-endian count a source connection starts with. */
static int
evs_source_request(struct evs_conn *c, int64_t ready)
{
	uint64_t count;
	ssize_t n;

	if (ready == 0) {
		evs_want_read(c);
		return 0;
	}
	n = rte_vmci_qp_dequeue_burst(c->ep, c->req + c->req_len,
				      sizeof(c->req) - c->req_len);
	if (n < 0)
		return (int)n;
	c->req_len += (uint8_t)n;
	evs_after_dequeue(c, (uint64_t)n);
	if (c->req_len == sizeof(c->req)) {
		memcpy(&count, c->req, sizeof(count));
		c->src_left = rte_le_to_cpu_64(count);
		c->req_done = true;
	}
	return 1;
}

static int
evs_source(struct evs_conn *c, int64_t ready)
{
	struct vmci_emu_vsock *vs = c->vs;
	int64_t free;
	size_t n, i;
	int ret;

	if (!c->req_done)
		return evs_source_request(c, ready);
	if (ready > 0) {
		/* Anything after the count is dropped. */
		ret = evs_discard(c, ready);
		if (ret < 0)
			return ret;
	}
	if (c->src_left == 0 || (c->peer_shut & RTE_VMCI_VSOCK_SHUTDOWN_RCV))
		return 0;
	free = rte_vmci_qp_free_space(c->ep);
	if (free < 0)
		return (int)free;
	n = (size_t)RTE_MIN(RTE_MIN((uint64_t)free, c->src_left), (uint64_t)EVS_BOUNCE);
	if (n == 0) {
		evs_want_write(c);
		return 0;
	}
	for (i = 0; i < n; i++)
		vs->bounce[i] = vmci_emu_vsock_pattern(c->src_off + i);
	if (rte_vmci_qp_enqueue_bulk(c->ep, vs->bounce, n) != (ssize_t)n)
		return -EIO;
	c->src_off += n;
	c->src_left -= n;
	evs_after_enqueue(c, n);
	return 1;
}

/* The service has done its part and the guest will send nothing more that matters. */
static bool
evs_done(const struct evs_conn *c, int64_t ready)
{
	bool eof = (c->peer_shut & RTE_VMCI_VSOCK_SHUTDOWN_SEND) && ready == 0;

	switch (c->kind) {
	case VMCI_EMU_VSOCK_SOURCE:
		if (!c->req_done)
			return eof;
		return c->src_left == 0 || (c->peer_shut & RTE_VMCI_VSOCK_SHUTDOWN_RCV);
	case VMCI_EMU_VSOCK_IDLE:
		return c->peer_shut == RTE_VMCI_VSOCK_SHUTDOWN_MASK && ready == 0;
	default:
		return eof;
	}
}

/* SHUTDOWN (send) as an application's shutdown(SHUT_WR), then close. */
static void
evs_finish(struct evs_conn *c)
{
	if (!c->rst_seen) {
		c->local_shut |= RTE_VMCI_VSOCK_SHUTDOWN_SEND;
		if (evs_conn_send(c, RTE_VMCI_VSOCK_PKT_SHUTDOWN, RTE_VMCI_VSOCK_SHUTDOWN_SEND,
				  0) >= 0)
			c->st.shutdown_tx++;
	}
	evs_conn_close(c, 0);
}

static int
evs_service_step(struct evs_conn *c, int64_t ready)
{
	switch (c->kind) {
	case VMCI_EMU_VSOCK_ECHO:
		return evs_echo(c, ready);
	case VMCI_EMU_VSOCK_DISCARD:
		return evs_discard(c, ready);
	case VMCI_EMU_VSOCK_SOURCE:
		return evs_source(c, ready);
	default:
		return 0;
	}
}

int
evs_data_step(struct evs_conn *c)
{
	int64_t ready;
	int ret;

	if (c->ep == NULL)
		c->ep = rte_vmci_qpair_endpoint(c->qpair);
	if (c->peer_detached) {
		/* A host cannot read once the VM left: the pages were the guest's. */
		c->peer_shut = RTE_VMCI_VSOCK_SHUTDOWN_MASK;
		evs_conn_close(c, c->ep == NULL ? ECONNRESET : 0);
		return 1;
	}
	/* Asleep, it does not look at the queues: only evs_data_wake() ends that. */
	if (c->ep == NULL || c->asleep != VMCI_EMU_VSOCK_AWAKE)
		return 0;
	ready = rte_vmci_qp_ready_bytes(c->ep);
	ret = ready < 0 ? (int)ready : evs_service_step(c, ready);
	if (ret < 0) {
		EVS_LOG(INFO, "%u:%u <-> port %u: queue indices out of range (%s): reset", c->cid,
			c->port, c->lport, rte_strerror(-ret));
		evs_conn_send(c, RTE_VMCI_VSOCK_PKT_RST, 0, 0);
		evs_conn_close(c, EIO);
		return 1;
	}
	ready = rte_vmci_qp_ready_bytes(c->ep);
	if (ready >= 0 && evs_done(c, ready)) {
		evs_finish(c);
		return 1;
	}
	return ret;
}

static void
evs_dgram_echo_rx(struct rte_vmci_dgram *ep, struct rte_vmci_handle src, const void *payload,
		  uint32_t len, void *arg)
{
	struct vmci_emu_vsock *vs = arg;

	if (rte_vmci_dgram_send(ep, src, payload, len) >= 0)
		vs->st.dgram_echoed++;
}

int
vmci_emu_vsock_dgram_echo(struct vmci_emu_vsock *vs, uint32_t rid)
{
	int ret = 0;

	if (vs == NULL || rid == RTE_VMCI_INVALID_ID)
		return -EINVAL;
	rte_spinlock_lock(&vs->lock);
	if (vs->dgram_echo != NULL) {
		ret = -EEXIST;
	} else {
		vs->dgram_echo = rte_vmci_dgram_create(vs->dev, rid, evs_dgram_echo_rx, vs);
		if (vs->dgram_echo == NULL)
			ret = -rte_errno;
	}
	rte_spinlock_unlock(&vs->lock);
	return ret;
}
