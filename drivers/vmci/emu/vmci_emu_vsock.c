/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

/*
 * The emulated host's vSockets endpoint: control packets and the
 * handshake, in both roles, as Linux's host-side vmci_transport answers
 * them (vsock-over-vmci.md sections 2 and 3). Data and notifications are
 * in vmci_emu_vsock_data.c.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_random.h>

#include "vmci_emu_vsock_priv.h"

RTE_LOG_REGISTER_SUFFIX(vmci_emu_vsock_logtype, emu.vsock, NOTICE);

static const char * const evs_type_names[RTE_VMCI_VSOCK_PKT_MAX] = {
	"INVALID", "REQUEST", "NEGOTIATE", "OFFER", "ATTACH", "WROTE", "READ", "RST",
	"SHUTDOWN", "WAITING_WRITE", "WAITING_READ", "REQUEST2", "NEGOTIATE2",
};

static const char *
evs_type_name(uint8_t type)
{
	return type < RTE_VMCI_VSOCK_PKT_MAX ? evs_type_names[type] : "unknown";
}

static uint64_t
evs_ms(uint32_t ms)
{
	return rte_get_timer_hz() * ms / 1000;
}

static bool
evs_handle_valid(struct rte_vmci_handle h)
{
	return h.context != RTE_VMCI_INVALID_ID && h.resource != RTE_VMCI_INVALID_ID;
}

/* One control packet, zeroed first (CVE-2025-38403), from our control resource. */
int
evs_send(struct vmci_emu_vsock *vs, uint32_t cid, uint8_t type, uint16_t proto,
	 uint32_t src_port, uint32_t dst_port, uint64_t u0, uint64_t u1)
{
	struct rte_vmci_vsock_ctl_pkt pkt;
	struct rte_vmci_handle dst = { cid, rte_vmci_vsock_packet_rid(cid) };
	int ret;

	memset(&pkt, 0, sizeof(pkt));
	pkt.version = RTE_VMCI_VSOCK_PACKET_VERSION;
	pkt.type = type;
	pkt.proto = proto;
	pkt.src_port = src_port;
	pkt.dst_port = dst_port;
	pkt.u.wait.generation = u0;
	pkt.u.wait.offset = u1;
	ret = rte_vmci_dgram_send(vs->ctl, dst, (const uint8_t *)&pkt + RTE_VMCI_VSOCK_DG_HDR_SIZE,
				  RTE_VMCI_VSOCK_CTL_PAYLOAD_SIZE);
	if (ret < 0) {
		vs->st.send_failed++;
		EVS_LOG(DEBUG, "%s to %u:%u from port %u: %s", evs_type_name(type), cid,
			dst_port, src_port, rte_strerror(-ret));
		return ret;
	}
	vs->st.pkts_tx++;
	if (type == RTE_VMCI_VSOCK_PKT_RST)
		vs->st.rst_tx++;
	return ret;
}

int
evs_conn_send(struct evs_conn *c, uint8_t type, uint64_t u0, uint64_t u1)
{
	uint16_t proto = 0;

	if (type == RTE_VMCI_VSOCK_PKT_REQUEST2)
		proto = RTE_VMCI_VSOCK_PROTO_ALL_SUPPORTED;
	if (type == RTE_VMCI_VSOCK_PKT_RST)
		c->st.rst_tx++;
	return evs_send(c->vs, c->cid, type, proto, c->lport, c->port, u0, u1);
}

void
evs_set_state(struct evs_conn *c, enum vmci_emu_vsock_state st)
{
	c->state = st;
	c->seq = ++c->vs->seq;
}

/*
 * Our close: detach, no control packet (Linux's close sends none; the guest
 * hears QP_PEER_DETACH). The record stays, CLOSED, for the tests.
 */
void
evs_conn_close(struct evs_conn *c, int error)
{
	if (c->state == VMCI_EMU_VSOCK_CLOSED || c->state == VMCI_EMU_VSOCK_FREE)
		return;
	if (c->qpair != NULL)
		rte_vmci_qpair_detach(c->qpair);
	c->qpair = NULL;
	c->ep = NULL;
	if (c->error == 0)
		c->error = error;
	evs_set_state(c, VMCI_EMU_VSOCK_CLOSED);
	EVS_LOG(DEBUG, "%u:%u <-> port %u closed (%s)", c->cid, c->port, c->lport,
		error == 0 ? "done" : rte_strerror(error));
	if (c->sleeps)
		EVS_LOG(DEBUG, "%u:%u <-> port %u slept %" PRIu64 " times reading, %" PRIu64
			" writing; woken by %" PRIu64 " WROTE, %" PRIu64 " READ, %" PRIu64
			" SHUTDOWN or RST", c->cid, c->port, c->lport, c->st.sleeps_reading,
			c->st.sleeps_writing, c->st.wakeups_wrote, c->st.wakeups_read,
			c->st.wakeups_other);
}

/* Refuse or abort with a RST, then close (never in reply to a RST). */
static void
evs_conn_reset(struct evs_conn *c, uint8_t rx_type, int error)
{
	if (rx_type != RTE_VMCI_VSOCK_PKT_RST)
		evs_conn_send(c, RTE_VMCI_VSOCK_PKT_RST, 0, 0);
	evs_conn_close(c, error);
}

static bool
evs_live(const struct evs_conn *c)
{
	return c->state != VMCI_EMU_VSOCK_FREE && c->state != VMCI_EMU_VSOCK_CLOSED;
}

static struct evs_conn *
evs_conn_lookup(struct vmci_emu_vsock *vs, uint32_t cid, uint32_t port, uint32_t lport)
{
	struct evs_conn *c;

	for (c = vs->conn; c < vs->conn + RTE_DIM(vs->conn); c++)
		if (evs_live(c) && c->cid == cid && c->port == port && c->lport == lport)
			return c;
	return NULL;
}

/* A free slot, else the oldest closed one. */
static struct evs_conn *
evs_conn_alloc(struct vmci_emu_vsock *vs)
{
	struct evs_conn *c, *best = NULL;

	for (c = vs->conn; c < vs->conn + RTE_DIM(vs->conn); c++) {
		if (c->state == VMCI_EMU_VSOCK_FREE) {
			best = c;
			break;
		}
		if (c->state == VMCI_EMU_VSOCK_CLOSED && (best == NULL || c->seq < best->seq))
			best = c;
	}
	if (best == NULL)
		return NULL;
	memset(best, 0, sizeof(*best));
	best->vs = vs;
	return best;
}

static struct evs_svc *
evs_svc_find(struct vmci_emu_vsock *vs, uint32_t port)
{
	unsigned int i;

	for (i = 0; i < RTE_DIM(vs->svc); i++)
		if (vs->svc[i].used && vs->svc[i].conf.port == port)
			return &vs->svc[i];
	return NULL;
}

/* Refusal for a packet nobody takes: a RST, at most VMCI_EMU_VSOCK_RST_PER_SEC a second. */
static void
evs_refuse(struct vmci_emu_vsock *vs, uint32_t cid, const struct rte_vmci_vsock_ctl_pkt *p)
{
	uint64_t now = rte_get_timer_cycles();

	if (p->type == RTE_VMCI_VSOCK_PKT_RST)
		return;
	if (now - vs->rst_window >= rte_get_timer_hz()) {
		vs->rst_window = now;
		vs->rst_in_window = 0;
	}
	if (vs->rst_in_window >= VMCI_EMU_VSOCK_RST_PER_SEC) {
		vs->st.rst_suppressed++;
		return;
	}
	vs->rst_in_window++;
	evs_send(vs, cid, RTE_VMCI_VSOCK_PKT_RST, 0, p->dst_port, p->src_port, 0, 0);
}

static void
evs_peer_cb(struct rte_vmci_qpair *qpair, enum rte_vmci_qpair_peer_state state,
	    uint32_t peer_cid, void *arg)
{
	struct evs_conn *c = arg;

	RTE_SET_USED(qpair);
	RTE_SET_USED(peer_cid);
	/* Acted on by the connection's poll step: the pair is not ours to detach here. */
	if (state == RTE_VMCI_QPAIR_PEER_DETACHED)
		c->peer_detached = true;
}

static uint32_t
evs_pending_from(struct vmci_emu_vsock *vs, uint32_t cid, uint32_t lport, bool same_port)
{
	struct evs_conn *c;
	uint32_t n = 0;

	for (c = vs->conn; c < vs->conn + RTE_DIM(vs->conn); c++)
		if (c->state == VMCI_EMU_VSOCK_PENDING &&
		    (same_port ? c->lport == lport : c->cid == cid))
			n++;
	return n;
}

/* The size a listener answers with (section 3.1). */
static uint64_t
evs_choose_size(const struct vmci_emu_vsock_service *svc, uint64_t proposed)
{
	if (proposed >= svc->buffer_min && proposed <= svc->buffer_max)
		return proposed;
	return svc->buffer_size;
}

/*
 * REQUEST or REQUEST2 at a service: NEGOTIATE(2) and a pending connection,
 * or a RST (section 3.3, steps 2-5).
 */
static void
evs_listen_rx(struct vmci_emu_vsock *vs, struct evs_svc *svc, uint32_t cid,
	      const struct rte_vmci_vsock_ctl_pkt *p)
{
	const struct vmci_emu_vsock_service *conf = &svc->conf;
	uint32_t hs, bad = conf->misbehave;
	uint64_t size;
	uint8_t reply;
	uint16_t proto = 0;
	struct evs_conn *c;

	if (p->type == RTE_VMCI_VSOCK_PKT_REQUEST2 && !(conf->handshakes & VMCI_EMU_VSOCK_HS_NEW)) {
		/* An old peer's answer to a type it does not know. */
		evs_send(vs, cid, RTE_VMCI_VSOCK_PKT_INVALID, 0, p->dst_port, p->src_port, 0, 0);
		vs->st.invalid_tx++;
		if (bad & VMCI_EMU_VSOCK_BAD_OLD_PEER_RST)
			evs_send(vs, cid, RTE_VMCI_VSOCK_PKT_RST, 0, p->dst_port, p->src_port,
				 0, 0);
		return;
	}
	if ((p->type != RTE_VMCI_VSOCK_PKT_REQUEST && p->type != RTE_VMCI_VSOCK_PKT_REQUEST2) ||
	    p->u.size == 0)
		goto refuse;
	if (p->type == RTE_VMCI_VSOCK_PKT_REQUEST) {
		if (!(conf->handshakes & VMCI_EMU_VSOCK_HS_CLASSIC))
			goto refuse;
		hs = VMCI_EMU_VSOCK_HS_CLASSIC;
		reply = RTE_VMCI_VSOCK_PKT_NEGOTIATE;
	} else {
		/* The highest bit both sides know; there is one today. */
		if (!(p->proto & RTE_VMCI_VSOCK_PROTO_PKT_ON_NOTIFY))
			goto refuse;
		hs = VMCI_EMU_VSOCK_HS_NEW;
		reply = RTE_VMCI_VSOCK_PKT_NEGOTIATE2;
		proto = RTE_VMCI_VSOCK_PROTO_PKT_ON_NOTIFY;
	}
	if (evs_pending_from(vs, cid, conf->port, true) >= conf->backlog ||
	    evs_pending_from(vs, cid, 0, false) >= VMCI_EMU_VSOCK_MAX_PENDING_PER_PEER)
		goto refuse;
	if (bad & VMCI_EMU_VSOCK_BAD_SILENT)
		return;
	c = evs_conn_alloc(vs);
	if (c == NULL)
		goto refuse;
	size = evs_choose_size(conf, p->u.size);
	c->server = true;
	c->kind = conf->kind;
	c->handshake = hs;
	c->misbehave = bad;
	c->sleeps = conf->sleeps;
	c->cid = cid;
	c->port = p->src_port;
	c->lport = conf->port;
	c->size = size;
	c->min = conf->buffer_min;
	c->max = conf->buffer_max;
	c->deadline = rte_get_timer_cycles() + evs_ms(conf->pending_ms);
	evs_set_state(c, VMCI_EMU_VSOCK_PENDING);
	if (bad & VMCI_EMU_VSOCK_BAD_NEG_SIZE_ZERO)
		size = 0;
	if (bad & VMCI_EMU_VSOCK_BAD_NEG_SIZE_HUGE)
		size = UINT64_C(1) << 30;
	if (bad & VMCI_EMU_VSOCK_BAD_NEG2_PROTO)
		proto = 0x2;
	if (evs_send(vs, cid, reply, proto, c->lport, c->port, size, 0) < 0) {
		evs_set_state(c, VMCI_EMU_VSOCK_FREE);
		return;
	}
	if (bad & VMCI_EMU_VSOCK_BAD_RST_AFTER_NEG)
		evs_conn_reset(c, 0, ECONNRESET);
	return;
refuse:
	vs->st.refused++;
	evs_refuse(vs, cid, p);
}

/* OFFER at a pending server connection: attach, ESTABLISHED, ATTACH (section 3.3 step 6). */
static void
evs_pending_rx(struct evs_conn *c, const struct rte_vmci_vsock_ctl_pkt *p)
{
	struct rte_vmci_handle h = p->u.handle;
	struct rte_vmci_qpair_conf qc = {
		.produce_size = c->size,
		.consume_size = c->size,
		.peer = c->cid,
		.flags = RTE_VMCI_QPAIR_F_ATTACH_ONLY,
		.socket_id = SOCKET_ID_ANY,
		.peer_cb = evs_peer_cb,
		.cb_arg = c,
	};

	/*
	 * Anything but a good OFFER tears the pending connection down at
	 * once (the 2026 fix: a RST too). The handle must be the guest's own
	 * (a recommended check Linux leaves to the broker).
	 */
	if (p->type != RTE_VMCI_VSOCK_PKT_OFFER || !evs_handle_valid(h) || h.context != c->cid) {
		if (p->type == RTE_VMCI_VSOCK_PKT_OFFER)
			EVS_LOG(INFO, "OFFER of %u:%u from guest %u: expected a pair of the guest",
				h.context, h.resource, c->cid);
		if (p->type == RTE_VMCI_VSOCK_PKT_RST)
			c->st.rst_rx++;
		evs_conn_reset(c, p->type, ECONNRESET);
		return;
	}
	qc.handle = h;
	c->qpair = rte_vmci_qpair_create(c->vs->dev, &qc);
	if (c->qpair == NULL) {
		int err = rte_errno;

		EVS_LOG(INFO, "attach to %u:%u (%" PRIu64 " bytes each way) offered by guest"
			" %u: %s", h.context, h.resource, c->size, c->cid, rte_strerror(err));
		evs_conn_reset(c, p->type, err == ENOMEM ? ENOMEM : ECONNREFUSED);
		return;
	}
	c->handle = h;
	c->ep = rte_vmci_qpair_endpoint(c->qpair);
	evs_set_state(c, VMCI_EMU_VSOCK_ESTABLISHED);
	evs_data_established(c);
	c->vs->st.accepted++;
	if (c->misbehave & VMCI_EMU_VSOCK_BAD_NO_ATTACH)
		return;
	if (c->misbehave & VMCI_EMU_VSOCK_BAD_ATTACH_HANDLE)
		h.resource ^= 1;
	evs_conn_send(c, RTE_VMCI_VSOCK_PKT_ATTACH,
		      (uint64_t)h.context | (uint64_t)h.resource << 32, 0);
}

/* The handle a hostile client offers instead of its pair's. */
static struct rte_vmci_handle
evs_offer_handle(const struct evs_conn *c)
{
	struct rte_vmci_handle h = c->handle;

	if (c->misbehave & VMCI_EMU_VSOCK_BAD_OFFER_INVALID)
		h = (struct rte_vmci_handle){ RTE_VMCI_INVALID_ID, RTE_VMCI_INVALID_ID };
	if (c->misbehave & VMCI_EMU_VSOCK_BAD_OFFER_FOREIGN)
		h.context = c->cid;
	if (c->misbehave & VMCI_EMU_VSOCK_BAD_OFFER_UNKNOWN)
		h.resource ^= 0x40000000u;
	return h;
}

/* NEGOTIATE(2) at a connecting client: check, create the pair, OFFER (section 3.2). */
static void
evs_negotiate_rx(struct evs_conn *c, const struct rte_vmci_vsock_ctl_pkt *p)
{
	uint64_t size = p->u.size, qsize;
	struct rte_vmci_qpair_conf qc = {
		.peer = c->cid,
		.socket_id = SOCKET_ID_ANY,
		.peer_cb = evs_peer_cb,
		.cb_arg = c,
	};
	struct rte_vmci_handle h;

	if (size == 0 || size < c->min || size > c->max || c->qpair != NULL ||
	    (p->type == RTE_VMCI_VSOCK_PKT_NEGOTIATE2 &&
	     p->proto != RTE_VMCI_VSOCK_PROTO_PKT_ON_NOTIFY)) {
		EVS_LOG(INFO, "%s from %u:%u with size %" PRIu64 " proto 0x%x: expected size %"
			PRIu64 "..%" PRIu64 ", proto 0x1, no pair yet", evs_type_name(p->type),
			c->cid, c->port, size, p->proto, c->min, c->max);
		evs_conn_reset(c, p->type, EPROTO);
		return;
	}
	c->handshake = p->type == RTE_VMCI_VSOCK_PKT_NEGOTIATE ?
		VMCI_EMU_VSOCK_HS_CLASSIC : VMCI_EMU_VSOCK_HS_NEW;
	c->size = size;
	qsize = (c->misbehave & VMCI_EMU_VSOCK_BAD_OFFER_SIZE) ? 2 * size : size;
	qc.produce_size = qsize;
	qc.consume_size = qsize;
	c->qpair = rte_vmci_qpair_create(c->vs->dev, &qc);
	if (c->qpair == NULL) {
		EVS_LOG(INFO, "pair of %" PRIu64 " bytes each way for guest %u: %s", qsize, c->cid,
			rte_strerror(rte_errno));
		evs_conn_reset(c, p->type, ENOMEM);
		return;
	}
	c->handle = rte_vmci_qpair_handle(c->qpair);
	h = evs_offer_handle(c);
	evs_set_state(c, VMCI_EMU_VSOCK_OFFERED);
	evs_conn_send(c, RTE_VMCI_VSOCK_PKT_OFFER,
		      (uint64_t)h.context | (uint64_t)h.resource << 32, 0);
}

/* A packet for a host client before ESTABLISHED. */
static void
evs_connecting_rx(struct evs_conn *c, const struct rte_vmci_vsock_ctl_pkt *p)
{
	bool connecting = c->state == VMCI_EMU_VSOCK_CONNECTING;

	switch (p->type) {
	case RTE_VMCI_VSOCK_PKT_NEGOTIATE:
	case RTE_VMCI_VSOCK_PKT_NEGOTIATE2:
		if (connecting) {
			evs_negotiate_rx(c, p);
			return;
		}
		break; /* a pair exists already: item 14 */
	case RTE_VMCI_VSOCK_PKT_ATTACH:
		if (!connecting && evs_handle_valid(p->u.handle) &&
		    p->u.handle.context == c->handle.context &&
		    p->u.handle.resource == c->handle.resource) {
			c->ep = rte_vmci_qpair_endpoint(c->qpair);
			evs_set_state(c, VMCI_EMU_VSOCK_ESTABLISHED);
			evs_data_established(c);
			c->vs->st.connected++;
			return;
		}
		break;
	case RTE_VMCI_VSOCK_PKT_INVALID:
		if (connecting && c->sent_request2 && !c->fell_back) {
			/* An old peer: once, the classic REQUEST, and one RST forgiven. */
			c->fell_back = true;
			c->ignore_rst = true;
			c->sent_request2 = false;
			c->handshake = VMCI_EMU_VSOCK_HS_CLASSIC;
			evs_conn_send(c, RTE_VMCI_VSOCK_PKT_REQUEST, c->size, 0);
			return;
		}
		break;
	case RTE_VMCI_VSOCK_PKT_RST:
		c->st.rst_rx++;
		if (c->ignore_rst) {
			c->ignore_rst = false;
			return;
		}
		evs_conn_close(c, ECONNRESET);
		return;
	default:
		break;
	}
	EVS_LOG(INFO, "%s from %u:%u while connecting: reset", evs_type_name(p->type), c->cid,
		c->port);
	evs_conn_reset(c, p->type, EPROTO);
}

/* A packet for an established connection (section 3.5: others are ignored). */
static void
evs_established_rx(struct evs_conn *c, const struct rte_vmci_vsock_ctl_pkt *p)
{
	switch (p->type) {
	case RTE_VMCI_VSOCK_PKT_SHUTDOWN:
		c->st.shutdown_rx++;
		c->peer_shut |= (uint8_t)(p->u.mode & RTE_VMCI_VSOCK_SHUTDOWN_MASK);
		break;
	case RTE_VMCI_VSOCK_PKT_RST:
		/* A clean full shutdown: what is queued stays readable. */
		c->st.rst_rx++;
		c->rst_seen = true;
		c->peer_shut = RTE_VMCI_VSOCK_SHUTDOWN_MASK;
		break;
	case RTE_VMCI_VSOCK_PKT_WROTE:
	case RTE_VMCI_VSOCK_PKT_READ:
	case RTE_VMCI_VSOCK_PKT_WAITING_READ:
	case RTE_VMCI_VSOCK_PKT_WAITING_WRITE:
		evs_data_notify_rx(c, p->type);
		break;
	default:
		c->st.ignored++;
		break;
	}
	evs_data_wake(c, p->type);
}

static void
evs_conn_rx(struct evs_conn *c, const struct rte_vmci_vsock_ctl_pkt *p)
{
	switch (c->state) {
	case VMCI_EMU_VSOCK_PENDING:
		evs_pending_rx(c, p);
		break;
	case VMCI_EMU_VSOCK_CONNECTING:
	case VMCI_EMU_VSOCK_OFFERED:
		evs_connecting_rx(c, p);
		break;
	case VMCI_EMU_VSOCK_ESTABLISHED:
		evs_established_rx(c, p);
		break;
	default:
		break;
	}
}

/*
 * A datagram on the control resource, run by rte_vmci_poll(): the checks
 * Linux makes before looking at a packet (section 2.1), then the lookup.
 */
static void
evs_ctl_rx(struct rte_vmci_dgram *ep, struct rte_vmci_handle src, const void *payload,
	   uint32_t len, void *arg)
{
	struct vmci_emu_vsock *vs = arg;
	struct rte_vmci_vsock_ctl_pkt p;
	struct evs_conn *c;
	struct evs_svc *svc;

	RTE_SET_USED(ep);
	vs->st.pkts_rx++;
	if (len < RTE_VMCI_VSOCK_CTL_PAYLOAD_SIZE) {
		vs->st.short_pkts++;
		EVS_LOG(DEBUG, "control datagram of %u bytes from %u:%u: expected %u, dropped",
			len, src.context, src.resource, RTE_VMCI_VSOCK_CTL_PAYLOAD_SIZE);
		return;
	}
	if (src.context == RTE_VMCI_VSOCK_CID_LOCAL ||
	    src.resource != rte_vmci_vsock_packet_rid(src.context)) {
		vs->st.bad_src++;
		EVS_LOG(DEBUG, "control datagram from %u:%u: expected resource %u, dropped",
			src.context, src.resource, rte_vmci_vsock_packet_rid(src.context));
		return;
	}
	/* One copy: nothing below reads the device's buffer again. */
	memset(&p, 0, sizeof(p));
	memcpy((uint8_t *)&p + RTE_VMCI_VSOCK_DG_HDR_SIZE, payload,
	       RTE_VMCI_VSOCK_CTL_PAYLOAD_SIZE);
	c = evs_conn_lookup(vs, src.context, p.src_port, p.dst_port);
	svc = c == NULL ? evs_svc_find(vs, p.dst_port) : NULL;
	if (p.type == RTE_VMCI_VSOCK_PKT_RST)
		vs->st.rst_rx++;
	if (c == NULL && svc == NULL) {
		vs->st.no_socket++;
		evs_refuse(vs, src.context, &p);
		return;
	}
	if (p.type >= RTE_VMCI_VSOCK_PKT_MAX) {
		vs->st.invalid_tx++;
		evs_send(vs, src.context, RTE_VMCI_VSOCK_PKT_INVALID, 0, p.dst_port, p.src_port,
			 0, 0);
		return;
	}
	if (c != NULL)
		evs_conn_rx(c, &p);
	else
		evs_listen_rx(vs, svc, src.context, &p);
}

struct vmci_emu_vsock *
vmci_emu_vsock_create(struct rte_vmci_device *dev)
{
	struct vmci_emu_vsock *vs;

	if (dev == NULL || rte_vmci_context_id(dev) != RTE_VMCI_VSOCK_CID_HOST) {
		EVS_LOG(ERR, "device of context %u: expected the host device (context %u)",
			dev == NULL ? RTE_VMCI_INVALID_ID : rte_vmci_context_id(dev),
			RTE_VMCI_VSOCK_CID_HOST);
		rte_errno = EINVAL;
		return NULL;
	}
	vs = rte_zmalloc("vmci_emu_vsock", sizeof(*vs), 0);
	if (vs == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	rte_spinlock_init(&vs->lock);
	vs->dev = dev;
	vs->ctl = rte_vmci_dgram_create(dev, RTE_VMCI_VSOCK_PACKET_RID, evs_ctl_rx, vs);
	if (vs->ctl == NULL) {
		int err = rte_errno;

		EVS_LOG(ERR, "control resource %u on the host: %s", RTE_VMCI_VSOCK_PACKET_RID,
			rte_strerror(err));
		rte_free(vs);
		rte_errno = err;
		return NULL;
	}
	return vs;
}

void
vmci_emu_vsock_destroy(struct vmci_emu_vsock *vs)
{
	unsigned int i;

	if (vs == NULL)
		return;
	for (i = 0; i < RTE_DIM(vs->conn); i++)
		evs_conn_close(&vs->conn[i], 0);
	rte_vmci_dgram_destroy(vs->dgram_echo);
	rte_vmci_dgram_destroy(vs->ctl);
	rte_free(vs);
}

static int
evs_service_check(struct vmci_emu_vsock_service *s)
{
	if (s->handshakes == 0)
		s->handshakes = VMCI_EMU_VSOCK_HS_BOTH;
	if (s->buffer_min == 0)
		s->buffer_min = RTE_VMCI_VSOCK_BUFFER_MIN_SIZE;
	if (s->buffer_max == 0)
		s->buffer_max = RTE_VMCI_VSOCK_BUFFER_MAX_SIZE;
	if (s->buffer_size == 0)
		s->buffer_size = RTE_VMCI_VSOCK_BUFFER_DEFAULT_SIZE;
	if (s->backlog == 0)
		s->backlog = VMCI_EMU_VSOCK_BACKLOG;
	if (s->pending_ms == 0)
		s->pending_ms = RTE_VMCI_VSOCK_PENDING_TIMEOUT_MS;
	if (s->port == RTE_VMCI_VSOCK_PORT_ANY || s->kind > VMCI_EMU_VSOCK_IDLE ||
	    (s->handshakes & ~VMCI_EMU_VSOCK_HS_BOTH) != 0 || s->buffer_min > s->buffer_max ||
	    s->buffer_size < s->buffer_min || s->buffer_size > s->buffer_max ||
	    s->buffer_max > EVS_MAX_QUEUE_SIZE) {
		EVS_LOG(ERR, "service on port %u: kind %d, handshakes 0x%x, sizes %" PRIu64
			" in %" PRIu64 "..%" PRIu64 ": expected a port, a kind, handshakes"
			" within 0x3, min <= size <= max <= 64 MiB", s->port, s->kind,
			s->handshakes, s->buffer_size, s->buffer_min, s->buffer_max);
		return -EINVAL;
	}
	return 0;
}

int
vmci_emu_vsock_listen(struct vmci_emu_vsock *vs, const struct vmci_emu_vsock_service *svc)
{
	struct vmci_emu_vsock_service s;
	struct evs_svc *slot = NULL;
	unsigned int i;
	int ret;

	if (vs == NULL || svc == NULL)
		return -EINVAL;
	s = *svc;
	ret = evs_service_check(&s);
	if (ret < 0)
		return ret;
	rte_spinlock_lock(&vs->lock);
	if (evs_svc_find(vs, s.port) != NULL) {
		ret = -EEXIST;
		goto out;
	}
	for (i = 0; i < RTE_DIM(vs->svc) && slot == NULL; i++)
		if (!vs->svc[i].used)
			slot = &vs->svc[i];
	if (slot == NULL) {
		ret = -ENOSPC;
		goto out;
	}
	slot->conf = s;
	slot->used = true;
out:
	rte_spinlock_unlock(&vs->lock);
	return ret;
}

int
vmci_emu_vsock_unlisten(struct vmci_emu_vsock *vs, uint32_t port)
{
	struct evs_svc *svc;

	if (vs == NULL)
		return -EINVAL;
	rte_spinlock_lock(&vs->lock);
	svc = evs_svc_find(vs, port);
	if (svc != NULL)
		svc->used = false;
	rte_spinlock_unlock(&vs->lock);
	return svc == NULL ? -ENOENT : 0;
}

int
vmci_emu_vsock_listen_defaults(struct vmci_emu_vsock *vs, bool sleeps)
{
	static const struct {
		uint32_t port;
		enum vmci_emu_vsock_kind kind;
	} defaults[] = {
		{ VMCI_EMU_VSOCK_PORT_ECHO, VMCI_EMU_VSOCK_ECHO },
		{ VMCI_EMU_VSOCK_PORT_DISCARD, VMCI_EMU_VSOCK_DISCARD },
		{ VMCI_EMU_VSOCK_PORT_SOURCE, VMCI_EMU_VSOCK_SOURCE },
	};
	struct vmci_emu_vsock_service s;
	unsigned int i;
	int ret;

	for (i = 0; i < RTE_DIM(defaults); i++) {
		memset(&s, 0, sizeof(s));
		s.port = defaults[i].port;
		s.kind = defaults[i].kind;
		s.sleeps = sleeps;
		ret = vmci_emu_vsock_listen(vs, &s);
		if (ret < 0)
			return ret;
	}
	return vmci_emu_vsock_dgram_echo(vs, VMCI_EMU_VSOCK_DGRAM_ECHO);
}

static bool
evs_port_used(struct vmci_emu_vsock *vs, uint32_t port)
{
	struct evs_conn *c;

	if (evs_svc_find(vs, port) != NULL)
		return true;
	for (c = vs->conn; c < vs->conn + RTE_DIM(vs->conn); c++)
		if (evs_live(c) && c->lport == port)
			return true;
	return false;
}

/* Linux's ephemeral stream port: random above 1023, then the next ones. */
static uint32_t
evs_ephemeral_port(struct vmci_emu_vsock *vs)
{
	uint32_t port, span = RTE_VMCI_VSOCK_PORT_ANY - RTE_VMCI_VSOCK_LAST_RESERVED_PORT - 1;
	unsigned int i;

	port = RTE_VMCI_VSOCK_LAST_RESERVED_PORT + 1 + (uint32_t)(rte_rand() % span);
	for (i = 0; i < RTE_VMCI_VSOCK_EPHEMERAL_TRIES; i++, port++) {
		if (port == RTE_VMCI_VSOCK_PORT_ANY)
			port = RTE_VMCI_VSOCK_LAST_RESERVED_PORT + 1;
		if (!evs_port_used(vs, port))
			return port;
	}
	return RTE_VMCI_VSOCK_PORT_ANY;
}

static int
evs_connect_check(struct vmci_emu_vsock_connect_conf *cc)
{
	if (cc->handshake == 0)
		cc->handshake = VMCI_EMU_VSOCK_HS_NEW;
	if (cc->buffer_min == 0)
		cc->buffer_min = RTE_VMCI_VSOCK_BUFFER_MIN_SIZE;
	if (cc->buffer_max == 0)
		cc->buffer_max = RTE_VMCI_VSOCK_BUFFER_MAX_SIZE;
	if (cc->buffer_size == 0)
		cc->buffer_size = RTE_VMCI_VSOCK_BUFFER_DEFAULT_SIZE;
	if (cc->timeout_ms == 0)
		cc->timeout_ms = RTE_VMCI_VSOCK_CONNECT_TIMEOUT_MS;
	if (cc->cid == RTE_VMCI_VSOCK_CID_HOST || cc->cid == RTE_VMCI_VSOCK_CID_ANY ||
	    cc->port == RTE_VMCI_VSOCK_PORT_ANY || cc->kind > VMCI_EMU_VSOCK_IDLE ||
	    (cc->handshake != VMCI_EMU_VSOCK_HS_NEW &&
	     cc->handshake != VMCI_EMU_VSOCK_HS_CLASSIC) ||
	    cc->buffer_min > cc->buffer_max || cc->buffer_size < cc->buffer_min ||
	    cc->buffer_size > cc->buffer_max || cc->buffer_max > EVS_MAX_QUEUE_SIZE / 2) {
		EVS_LOG(ERR, "connect to %u:%u: kind %d, handshake 0x%x, size %" PRIu64 " in %"
			PRIu64 "..%" PRIu64 ": expected a guest, a port, one handshake,"
			" min <= size <= max <= 32 MiB", cc->cid, cc->port, cc->kind,
			cc->handshake, cc->buffer_size, cc->buffer_min, cc->buffer_max);
		return -EINVAL;
	}
	return 0;
}

static int
evs_connect_locked(struct vmci_emu_vsock *vs, const struct vmci_emu_vsock_connect_conf *cc)
{
	uint32_t lport = evs_ephemeral_port(vs);
	struct evs_conn *c;
	int ret;

	if (lport == RTE_VMCI_VSOCK_PORT_ANY)
		return -EADDRINUSE;
	c = evs_conn_alloc(vs);
	if (c == NULL)
		return -ENOSPC;
	c->kind = cc->kind;
	c->handshake = cc->handshake;
	c->misbehave = cc->misbehave;
	c->sleeps = cc->sleeps;
	c->cid = cc->cid;
	c->port = cc->port;
	c->lport = lport;
	c->size = cc->buffer_size;
	c->min = cc->buffer_min;
	c->max = cc->buffer_max;
	c->src_left = cc->kind == VMCI_EMU_VSOCK_SOURCE ? cc->source_bytes : 0;
	c->req_done = true;
	c->deadline = rte_get_timer_cycles() + evs_ms(cc->timeout_ms);
	c->sent_request2 = cc->handshake == VMCI_EMU_VSOCK_HS_NEW;
	evs_set_state(c, VMCI_EMU_VSOCK_CONNECTING);
	ret = evs_conn_send(c, c->sent_request2 ? RTE_VMCI_VSOCK_PKT_REQUEST2 :
			    RTE_VMCI_VSOCK_PKT_REQUEST, c->size, 0);
	if (ret < 0) {
		evs_set_state(c, VMCI_EMU_VSOCK_FREE);
		return ret;
	}
	return (int)(c - vs->conn);
}

int
vmci_emu_vsock_connect(struct vmci_emu_vsock *vs, const struct vmci_emu_vsock_connect_conf *conf)
{
	struct vmci_emu_vsock_connect_conf cc;
	int ret;

	if (vs == NULL || conf == NULL)
		return -EINVAL;
	cc = *conf;
	ret = evs_connect_check(&cc);
	if (ret < 0)
		return ret;
	rte_spinlock_lock(&vs->lock);
	ret = evs_connect_locked(vs, &cc);
	rte_spinlock_unlock(&vs->lock);
	return ret;
}

/* Timers, peer detach, then the service's data step. */
static int
evs_conn_step(struct evs_conn *c, uint64_t now)
{
	switch (c->state) {
	case VMCI_EMU_VSOCK_PENDING:
	case VMCI_EMU_VSOCK_CONNECTING:
	case VMCI_EMU_VSOCK_OFFERED:
		if (c->peer_detached) {
			evs_conn_close(c, ECONNRESET); /* item 22: detach before ATTACH */
			return 1;
		}
		if ((int64_t)(now - c->deadline) >= 0) {
			if (c->state == VMCI_EMU_VSOCK_PENDING)
				c->vs->st.pending_timeouts++;
			evs_conn_close(c, ETIMEDOUT);
			return 1;
		}
		return 0;
	case VMCI_EMU_VSOCK_ESTABLISHED:
		return evs_data_step(c);
	default:
		return 0;
	}
}

int
vmci_emu_vsock_poll(struct vmci_emu_vsock *vs)
{
	uint64_t now;
	unsigned int i;
	int n, ret;

	if (vs == NULL)
		return -EINVAL;
	rte_spinlock_lock(&vs->lock);
	ret = rte_vmci_poll(vs->dev);
	n = ret < 0 ? 0 : ret;
	now = rte_get_timer_cycles();
	for (i = 0; i < RTE_DIM(vs->conn); i++)
		n += evs_conn_step(&vs->conn[i], now);
	rte_spinlock_unlock(&vs->lock);
	return ret < 0 ? ret : n;
}

static int
evs_conn_get(struct vmci_emu_vsock *vs, int id, struct evs_conn **c)
{
	if (vs == NULL || id < 0 || id >= VMCI_EMU_VSOCK_MAX_CONNS ||
	    vs->conn[id].state == VMCI_EMU_VSOCK_FREE)
		return -EINVAL;
	*c = &vs->conn[id];
	return 0;
}

int
vmci_emu_vsock_conn_info(struct vmci_emu_vsock *vs, int id, struct vmci_emu_vsock_conn_info *info)
{
	struct evs_conn *c;
	int ret;

	if (vs == NULL || info == NULL)
		return -EINVAL;
	rte_spinlock_lock(&vs->lock);
	ret = evs_conn_get(vs, id, &c);
	if (ret == 0) {
		memset(info, 0, sizeof(*info));
		info->state = c->state;
		info->error = c->error;
		info->server = c->server;
		info->kind = c->kind;
		info->handshake = c->handshake;
		info->cid = c->cid;
		info->port = c->port;
		info->local_port = c->lport;
		info->size = c->state >= VMCI_EMU_VSOCK_OFFERED || c->server ? c->size : 0;
		info->handle = c->handle;
		info->peer_shutdown = c->peer_shut;
		info->local_shutdown = c->local_shut;
		info->source_left = c->src_left;
		info->sleeps = c->sleeps;
		info->asleep = c->asleep;
		info->stats = c->st;
	}
	rte_spinlock_unlock(&vs->lock);
	return ret;
}

int
vmci_emu_vsock_conn_find(struct vmci_emu_vsock *vs, uint32_t cid, uint32_t port,
			 uint32_t local_port)
{
	struct evs_conn *c, *best = NULL;

	if (vs == NULL)
		return -EINVAL;
	rte_spinlock_lock(&vs->lock);
	for (c = vs->conn; c < vs->conn + RTE_DIM(vs->conn); c++)
		if (c->state != VMCI_EMU_VSOCK_FREE && c->cid == cid && c->port == port &&
		    c->lport == local_port && (best == NULL || c->seq > best->seq))
			best = c;
	rte_spinlock_unlock(&vs->lock);
	return best == NULL ? -ENOENT : (int)(best - vs->conn);
}

int
vmci_emu_vsock_stats_get(struct vmci_emu_vsock *vs, struct vmci_emu_vsock_stats *stats)
{
	if (vs == NULL || stats == NULL)
		return -EINVAL;
	rte_spinlock_lock(&vs->lock);
	*stats = vs->st;
	rte_spinlock_unlock(&vs->lock);
	return 0;
}

unsigned int
vmci_emu_vsock_conn_count(struct vmci_emu_vsock *vs)
{
	unsigned int i, n = 0;

	if (vs == NULL)
		return 0;
	rte_spinlock_lock(&vs->lock);
	for (i = 0; i < RTE_DIM(vs->conn); i++)
		n += evs_live(&vs->conn[i]);
	rte_spinlock_unlock(&vs->lock);
	return n;
}

int
vmci_emu_vsock_send_raw(struct vmci_emu_vsock *vs, uint32_t cid, const void *payload,
			size_t len)
{
	struct rte_vmci_handle dst = { cid, rte_vmci_vsock_packet_rid(cid) };
	int ret;

	if (vs == NULL || (payload == NULL && len > 0))
		return -EINVAL;
	rte_spinlock_lock(&vs->lock);
	ret = rte_vmci_dgram_send(vs->ctl, dst, payload, len);
	rte_spinlock_unlock(&vs->lock);
	return ret;
}

int
vmci_emu_vsock_send_pkt(struct vmci_emu_vsock *vs, uint32_t cid, uint8_t type, uint16_t proto,
			uint32_t src_port, uint32_t dst_port, uint64_t u0, uint64_t u1)
{
	int ret;

	if (vs == NULL)
		return -EINVAL;
	rte_spinlock_lock(&vs->lock);
	ret = evs_send(vs, cid, type, proto, src_port, dst_port, u0, u1);
	rte_spinlock_unlock(&vs->lock);
	return ret;
}

int
vmci_emu_vsock_conn_detach(struct vmci_emu_vsock *vs, int id)
{
	struct evs_conn *c;
	int ret;

	if (vs == NULL)
		return -EINVAL;
	rte_spinlock_lock(&vs->lock);
	ret = evs_conn_get(vs, id, &c);
	if (ret == 0 && c->qpair == NULL)
		ret = -ENOTCONN;
	if (ret == 0)
		evs_conn_close(c, 0);
	rte_spinlock_unlock(&vs->lock);
	return ret;
}
