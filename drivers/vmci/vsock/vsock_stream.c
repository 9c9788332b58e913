/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

/*
 * Stream sockets: the control packet state machine (doc sections 3.2-3.7),
 * connect, listen, accept, shutdown and close.
 *
 * Every received control packet is decoded once into a local copy
 * (vsock_pkt_decode), matched to a socket, and handled by that socket's
 * state: what the state does not accept gets a RST (never in reply to a
 * RST), or is ignored silently in a connected state, as Linux does. Every
 * refusal is counted in the socket's bad_pkts or the context's counters.
 */

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_tailq.h>

#include "vsock_private.h"

#define VSOCK_PAGE 4096u

static uint64_t
vsock_ms(const struct rte_vmci_vsock_ctx *ctx, uint32_t ms)
{
	return ctx->hz * ms / 1000;
}

int
vsock_send_ctl(struct rte_vmci_vsock_ctx *ctx, struct rte_vmci_vsock *s,
	       struct rte_vmci_vsock_ctl_pkt *pkt)
{
	int ret;

	ret = rte_vmci_dgram_send(ctx->ctl_ep, pkt->dg.dst,
				  (const uint8_t *)pkt + RTE_VMCI_VSOCK_DG_HDR_SIZE,
				  RTE_VMCI_VSOCK_CTL_PAYLOAD_SIZE);
	if (ret < 0) {
		VSOCK_BAD(ctx, "sending %s to %u:%u failed: %s", vsock_pkt_type_str(pkt->type),
			  pkt->dg.dst.context, pkt->dst_port, rte_strerror(-ret));
		return ret;
	}
	if (s != NULL) {
		s->stats.ctl_tx++;
		if (pkt->type == RTE_VMCI_VSOCK_PKT_RST)
			s->stats.rst_tx++;
	}
	return 0;
}

/* A packet of @type from socket @s to its peer, with a u64 union value. */
static int
vsock_send_to_peer(struct rte_vmci_vsock *s, uint8_t type, uint16_t proto, uint64_t u64)
{
	struct rte_vmci_vsock_ctl_pkt pkt;

	vsock_pkt_init(&pkt, type, s->peer_cid, s->local_port, s->peer_port);
	pkt.proto = proto;
	pkt.u.size = u64;
	return vsock_send_ctl(s->ctx, s, &pkt);
}

static int
vsock_send_handle(struct rte_vmci_vsock *s, uint8_t type)
{
	struct rte_vmci_vsock_ctl_pkt pkt;

	vsock_pkt_init(&pkt, type, s->peer_cid, s->local_port, s->peer_port);
	pkt.u.handle = s->handle;
	return vsock_send_ctl(s->ctx, s, &pkt);
}

/* Reply of @type (RST or INVALID) to a received packet; never to a RST. */
static void
vsock_reply(struct rte_vmci_vsock_ctx *ctx, struct rte_vmci_vsock *s,
	    const struct rte_vmci_vsock_ctl_pkt *in, uint8_t type)
{
	struct rte_vmci_vsock_ctl_pkt pkt;

	if (in->type == RTE_VMCI_VSOCK_PKT_RST)
		return;
	vsock_pkt_init(&pkt, type, in->dg.src.context, in->dst_port, in->src_port);
	vsock_send_ctl(ctx, s, &pkt);
}

/* RST for a packet no socket wanted, within the context's rate. */
static void
vsock_reply_rst_limited(struct rte_vmci_vsock_ctx *ctx, const struct rte_vmci_vsock_ctl_pkt *in)
{
	uint64_t now = rte_get_timer_cycles();

	if (in->type == RTE_VMCI_VSOCK_PKT_RST)
		return;
	if (now - ctx->rst_window >= ctx->hz) {
		ctx->rst_window = now;
		ctx->rst_in_window = 0;
	}
	if (ctx->rst_in_window >= ctx->conf.rst_rate) {
		ctx->stats.rst_limited++;
		return;
	}
	ctx->rst_in_window++;
	ctx->stats.rst_tx++;
	vsock_reply(ctx, NULL, in, RTE_VMCI_VSOCK_PKT_RST);
}

void
vsock_stream_release(struct rte_vmci_vsock *s)
{
	if (s->qpair == NULL)
		return;
	s->detaching = true;
	rte_vmci_qpair_detach(s->qpair);
	s->qpair = NULL;
	s->qp = NULL;
	s->detaching = false;
}

/* The peer detached (or the VM was resumed): doc section 3.7. Only flags
 * change here; the pair is detached when the application closes.
 */
static void
vsock_peer_cb(struct rte_vmci_qpair *qpair, enum rte_vmci_qpair_peer_state state,
	      uint32_t peer_cid, void *arg)
{
	struct rte_vmci_vsock *s = arg;

	RTE_SET_USED(qpair);
	RTE_SET_USED(peer_cid);
	if (s->detaching || state != RTE_VMCI_QPAIR_PEER_DETACHED || s->peer_detached)
		return;
	s->peer_detached = true;
	s->peer_shut = RTE_VMCI_VSOCK_SHUTDOWN_MASK;
	if (s->st == VSOCK_ST_CLIENT_OFFERED) {
		s->st = VSOCK_ST_CLOSED;
		s->err = -ECONNRESET;
	} else if (s->st == VSOCK_ST_ESTABLISHED) {
		s->st = VSOCK_ST_CLOSING;
	}
}

static int
vsock_qpair_open(struct rte_vmci_vsock *s, uint32_t flags, struct rte_vmci_handle handle)
{
	struct rte_vmci_qpair_conf qc = {
		.produce_size = s->qsize,
		.consume_size = s->qsize,
		.peer = s->peer_cid,
		.flags = flags,
		.handle = handle,
		.socket_id = s->ctx->conf.socket_id,
		.peer_cb = vsock_peer_cb,
		.cb_arg = s,
	};

	s->qpair = rte_vmci_qpair_create(s->ctx->dev, &qc);
	if (s->qpair == NULL) {
		int err = rte_errno;

		VSOCK_LOG(ERR, "socket %u: queue pair %s (size %" PRIu64 ", peer %u): %s",
			  s->id, flags != 0 ? "attach" : "create", s->qsize, s->peer_cid,
			  rte_strerror(err));
		return -err;
	}
	s->qp = rte_vmci_qpair_endpoint(s->qpair);
	s->handle = rte_vmci_qpair_handle(s->qpair);
	return 0;
}

/* Window of doc section 3.6: starts at the queue, its minimum at a page. */
static void
vsock_established(struct rte_vmci_vsock *s)
{
	s->st = VSOCK_ST_ESTABLISHED;
	s->window = s->qsize;
	s->window_min = RTE_MIN((uint64_t)VSOCK_PAGE, s->qsize);
}

/* Client failure: RST unless answering a RST, queue pair gone, CLOSED. */
static void
vsock_client_fail(struct rte_vmci_vsock *s, int err, bool send_rst)
{
	if (send_rst)
		vsock_send_to_peer(s, RTE_VMCI_VSOCK_PKT_RST, 0, 0);
	vsock_stream_release(s);
	s->st = VSOCK_ST_CLOSED;
	s->err = err;
}

/* Remove a server-side child from its listener and free it. */
static void
vsock_child_drop(struct rte_vmci_vsock *c)
{
	struct rte_vmci_vsock *l = c->listener;

	if (l != NULL) {
		if (c->st == VSOCK_ST_PENDING)
			TAILQ_REMOVE(&l->pending, c, qnext);
		else
			TAILQ_REMOVE(&l->acceptq, c, qnext);
		l->nqueued--;
		c->listener = NULL;
	}
	vsock_stream_release(c);
	vsock_sock_free(c);
}

/* Queue size the listener agrees to: the client's if in our limits. */
static uint64_t
vsock_choose_size(const struct rte_vmci_vsock_ctx *ctx, uint64_t proposed)
{
	if (proposed >= ctx->conf.buffer_min_size && proposed <= ctx->conf.buffer_max_size)
		return proposed;
	return ctx->conf.buffer_size;
}

static void
vsock_listen_refuse(struct rte_vmci_vsock *l, const struct rte_vmci_vsock_ctl_pkt *in,
		    const char *why)
{
	l->stats.refused++;
	VSOCK_BAD(l->ctx, "listener %u (port %u): %s from %u:%u refused: %s", l->id,
		  l->local_port, vsock_pkt_type_str(in->type), in->dg.src.context,
		  in->src_port, why);
	vsock_reply(l->ctx, l, in, RTE_VMCI_VSOCK_PKT_RST);
}

/* Why a listener refuses a request, or NULL; *proto gets the protocol. */
static const char *
vsock_listen_check(const struct rte_vmci_vsock *l, const struct rte_vmci_vsock_ctl_pkt *in,
		   uint16_t *proto)
{
	uint16_t common;

	*proto = 0;
	if (in->type != RTE_VMCI_VSOCK_PKT_REQUEST && in->type != RTE_VMCI_VSOCK_PKT_REQUEST2)
		return "not a request";
	if (in->u.size == 0)
		return "request of size 0";
	if (l->nqueued >= l->backlog)
		return "backlog full";
	if (in->type == RTE_VMCI_VSOCK_PKT_REQUEST)
		return (l->ctx->conf.flags & RTE_VMCI_VSOCK_F_NO_CLASSIC) != 0 ?
			"classic protocol disabled" : NULL;
	common = in->proto & RTE_VMCI_VSOCK_PROTO_ALL_SUPPORTED;
	if (common == 0)
		return "no common notify protocol";
	/* The highest common bit. */
	*proto = (uint16_t)(1u << (31 - __builtin_clz(common)));
	return NULL;
}

static void
vsock_recv_listen(struct rte_vmci_vsock *l, const struct rte_vmci_vsock_ctl_pkt *in)
{
	struct rte_vmci_vsock_ctx *ctx = l->ctx;
	bool classic = in->type == RTE_VMCI_VSOCK_PKT_REQUEST;
	struct rte_vmci_vsock *c;
	const char *why;
	uint16_t proto;

	if (in->type == RTE_VMCI_VSOCK_PKT_RST) {
		/* Nothing to reset, and never a RST for a RST. */
		l->stats.rst_rx++;
		return;
	}
	why = vsock_listen_check(l, in, &proto);
	if (why != NULL) {
		if (strcmp(why, "backlog full") != 0)
			l->stats.bad_pkts++;
		vsock_listen_refuse(l, in, why);
		return;
	}
	c = vsock_sock_alloc(ctx);
	if (c == NULL) {
		vsock_listen_refuse(l, in, "no socket");
		return;
	}
	c->server_side = true;
	c->local_port = l->local_port;
	c->peer_cid = in->dg.src.context;
	c->peer_port = in->src_port;
	c->qsize = vsock_choose_size(ctx, in->u.size);
	c->notify = classic ? RTE_VMCI_VSOCK_NOTIFY_CLASSIC : RTE_VMCI_VSOCK_NOTIFY_QSTATE;
	if (vsock_send_to_peer(c, classic ? RTE_VMCI_VSOCK_PKT_NEGOTIATE :
			       RTE_VMCI_VSOCK_PKT_NEGOTIATE2, proto, c->qsize) < 0) {
		vsock_sock_free(c);
		l->stats.refused++;
		return;
	}
	c->st = VSOCK_ST_PENDING;
	c->deadline = rte_get_timer_cycles() + vsock_ms(ctx, ctx->conf.pending_timeout_ms);
	c->listener = l;
	TAILQ_INSERT_TAIL(&l->pending, c, qnext);
	l->nqueued++;
}

static bool
vsock_handle_valid(struct rte_vmci_handle h)
{
	return h.context != RTE_VMCI_INVALID_ID && h.resource != RTE_VMCI_INVALID_ID;
}

/* Server side, waiting for OFFER: anything else removes it at once. */
static void
vsock_recv_pending(struct rte_vmci_vsock *c, const struct rte_vmci_vsock_ctl_pkt *in)
{
	struct rte_vmci_vsock *l = c->listener;
	struct rte_vmci_handle h = in->u.handle;

	if (in->type != RTE_VMCI_VSOCK_PKT_OFFER || !vsock_handle_valid(h) ||
	    h.context != c->peer_cid) {
		l->stats.bad_pkts++;
		if (in->type == RTE_VMCI_VSOCK_PKT_RST)
			l->stats.rst_rx++;
		else
			VSOCK_BAD(c->ctx, "pending socket %u: %s (handle %u:%u) from %u:%u, expected OFFER of a handle of context %u",
				  c->id, vsock_pkt_type_str(in->type), h.context, h.resource,
				  in->dg.src.context, in->src_port, c->peer_cid);
		vsock_reply(c->ctx, l, in, RTE_VMCI_VSOCK_PKT_RST);
		vsock_child_drop(c);
		return;
	}
	if (vsock_qpair_open(c, RTE_VMCI_QPAIR_F_ATTACH_ONLY, h) < 0) {
		vsock_reply(c->ctx, l, in, RTE_VMCI_VSOCK_PKT_RST);
		vsock_child_drop(c);
		return;
	}
	/* Established before ATTACH goes out, so that the first data
	 * notifications find it.
	 */
	TAILQ_REMOVE(&l->pending, c, qnext);
	vsock_established(c);
	TAILQ_INSERT_TAIL(&l->acceptq, c, qnext);
	c->stats.ctl_rx++;
	if (vsock_send_handle(c, RTE_VMCI_VSOCK_PKT_ATTACH) < 0) {
		vsock_reply(c->ctx, l, in, RTE_VMCI_VSOCK_PKT_RST);
		vsock_child_drop(c);
	}
}

static void
vsock_client_bad(struct rte_vmci_vsock *s, const struct rte_vmci_vsock_ctl_pkt *in,
		 const char *why)
{
	s->stats.bad_pkts++;
	VSOCK_BAD(s->ctx, "socket %u connecting to %u:%u: %s (size %" PRIu64 ", proto 0x%x): %s; reset",
		  s->id, s->peer_cid, s->peer_port, vsock_pkt_type_str(in->type), in->u.size,
		  in->proto, why);
	vsock_client_fail(s, -EPROTO, true);
}

/* Why a client refuses a NEGOTIATE/NEGOTIATE2, or NULL. */
static const char *
vsock_negotiate_check(const struct rte_vmci_vsock *s, const struct rte_vmci_vsock_ctl_pkt *in)
{
	const struct rte_vmci_vsock_conf *conf = &s->ctx->conf;
	uint64_t size = in->u.size;

	if (s->st != VSOCK_ST_CLIENT_REQ || s->qpair != NULL)
		return "the queue pair exists already";
	if (size == 0 || size < conf->buffer_min_size || size > conf->buffer_max_size)
		return "size outside our limits";
	if (in->type == RTE_VMCI_VSOCK_PKT_NEGOTIATE2 &&
	    in->proto != RTE_VMCI_VSOCK_PROTO_PKT_ON_NOTIFY)
		return "notify protocol we did not offer";
	return NULL;
}

static void
vsock_recv_negotiate(struct rte_vmci_vsock *s, const struct rte_vmci_vsock_ctl_pkt *in)
{
	struct rte_vmci_handle any = { RTE_VMCI_INVALID_ID, RTE_VMCI_INVALID_ID };
	const char *why = vsock_negotiate_check(s, in);
	int ret;

	if (why != NULL) {
		vsock_client_bad(s, in, why);
		return;
	}
	s->notify = in->type == RTE_VMCI_VSOCK_PKT_NEGOTIATE2 ?
		RTE_VMCI_VSOCK_NOTIFY_QSTATE : RTE_VMCI_VSOCK_NOTIFY_CLASSIC;
	s->qsize = in->u.size;
	s->ignore_rst = false;
	ret = vsock_qpair_open(s, 0, any);
	if (ret == 0)
		ret = vsock_send_handle(s, RTE_VMCI_VSOCK_PKT_OFFER);
	if (ret < 0) {
		vsock_client_fail(s, ret, true);
		return;
	}
	s->st = VSOCK_ST_CLIENT_OFFERED;
}

static void
vsock_recv_connecting(struct rte_vmci_vsock *s, const struct rte_vmci_vsock_ctl_pkt *in)
{
	switch (in->type) {
	case RTE_VMCI_VSOCK_PKT_NEGOTIATE:
	case RTE_VMCI_VSOCK_PKT_NEGOTIATE2:
		vsock_recv_negotiate(s, in);
		break;
	case RTE_VMCI_VSOCK_PKT_ATTACH:
		if (s->st != VSOCK_ST_CLIENT_OFFERED ||
		    in->u.handle.context != s->handle.context ||
		    in->u.handle.resource != s->handle.resource)
			vsock_client_bad(s, in, "ATTACH of another handle");
		else
			vsock_established(s);
		break;
	case RTE_VMCI_VSOCK_PKT_INVALID:
		/* An old peer that does not know REQUEST2: ask once the old way. */
		if (s->st != VSOCK_ST_CLIENT_REQ || s->classic_req ||
		    (s->ctx->conf.flags & RTE_VMCI_VSOCK_F_NO_CLASSIC) != 0) {
			vsock_client_bad(s, in, "INVALID after the fallback");
			break;
		}
		s->classic_req = true;
		s->ignore_rst = true;
		if (vsock_send_to_peer(s, RTE_VMCI_VSOCK_PKT_REQUEST, 0, s->qsize) < 0)
			vsock_client_fail(s, -ECONNREFUSED, false);
		break;
	case RTE_VMCI_VSOCK_PKT_RST:
		s->stats.rst_rx++;
		if (s->ignore_rst) {
			s->ignore_rst = false;
			break;
		}
		vsock_client_fail(s, -ECONNRESET, false);
		break;
	default:
		vsock_client_bad(s, in, "unexpected while connecting");
		break;
	}
}

static void
vsock_recv_connected(struct rte_vmci_vsock *s, const struct rte_vmci_vsock_ctl_pkt *in)
{
	bool classic = s->notify == RTE_VMCI_VSOCK_NOTIFY_CLASSIC;
	uint64_t mode;

	switch (in->type) {
	case RTE_VMCI_VSOCK_PKT_SHUTDOWN:
		mode = in->u.mode;
		if ((mode & ~(uint64_t)RTE_VMCI_VSOCK_SHUTDOWN_MASK) != 0) {
			s->stats.bad_pkts++;
			VSOCK_BAD(s->ctx, "socket %u: SHUTDOWN mode 0x%" PRIx64 " has bits outside 0x3; masked",
				  s->id, mode);
		}
		s->peer_shut |= (uint8_t)(mode & RTE_VMCI_VSOCK_SHUTDOWN_MASK);
		break;
	case RTE_VMCI_VSOCK_PKT_RST:
		/* A clean full shutdown: queued data stays readable. */
		s->stats.rst_rx++;
		s->peer_shut = RTE_VMCI_VSOCK_SHUTDOWN_MASK;
		s->st = VSOCK_ST_CLOSING;
		break;
	case RTE_VMCI_VSOCK_PKT_WROTE:
	case RTE_VMCI_VSOCK_PKT_READ:
		s->stats.notify_rx++;
		break;
	case RTE_VMCI_VSOCK_PKT_WAITING_READ:
	case RTE_VMCI_VSOCK_PKT_WAITING_WRITE:
		/* (generation, offset) are advisory: never used. */
		if (!classic) {
			s->stats.bad_pkts++;
			break;
		}
		s->stats.notify_rx++;
		vsock_peer_waiting(s, in->type == RTE_VMCI_VSOCK_PKT_WAITING_READ);
		break;
	default:
		/* Linux ignores the rest in this state and sends nothing. */
		s->stats.bad_pkts++;
		VSOCK_BAD(s->ctx, "socket %u: %s while connected ignored", s->id,
			  vsock_pkt_type_str(in->type));
		break;
	}
}

/* The socket a packet is for: a connection (or handshake) by both ports
 * and the peer's CID first, then a listener on the destination port.
 */
static struct rte_vmci_vsock *
vsock_lookup(struct rte_vmci_vsock_ctx *ctx, uint32_t cid, uint32_t src_port,
	     uint32_t dst_port)
{
	struct rte_vmci_vsock *s, *listener = NULL;

	TAILQ_FOREACH(s, &ctx->socks, next) {
		if (s->local_port != dst_port)
			continue;
		if (s->st == VSOCK_ST_LISTEN)
			listener = s;
		else if (s->st != VSOCK_ST_DGRAM && s->st != VSOCK_ST_CLOSED &&
			 s->peer_cid == cid && s->peer_port == src_port)
			return s;
	}
	return listener;
}

void
vsock_ctl_input(struct rte_vmci_vsock_ctx *ctx, struct rte_vmci_handle src,
		const void *payload, uint32_t len)
{
	struct rte_vmci_vsock_ctl_pkt in;
	uint32_t cid = rte_vmci_context_id(ctx->dev);
	struct rte_vmci_vsock *s;
	enum vsock_drop why;

	ctx->stats.ctl_rx++;
	why = vsock_pkt_decode(&in, src, cid, payload, len);
	if (why != VSOCK_DROP_NONE) {
		ctx->stats.ctl_dropped++;
		VSOCK_BAD(ctx, "control datagram from %u:%u (%u bytes, version %u, ports %u->%u) dropped: %s",
			  src.context, src.resource, len, in.version, in.src_port, in.dst_port,
			  vsock_drop_str(why));
		return;
	}
	s = vsock_lookup(ctx, src.context, in.src_port, in.dst_port);
	if (s == NULL) {
		ctx->stats.no_socket++;
		vsock_reply_rst_limited(ctx, &in);
		return;
	}
	if (in.type >= RTE_VMCI_VSOCK_PKT_MAX) {
		s->stats.bad_pkts++;
		ctx->stats.invalid_tx++;
		VSOCK_BAD(ctx, "socket %u: packet type %u from %u:%u (types are below %u); INVALID sent",
			  s->id, in.type, src.context, in.src_port, RTE_VMCI_VSOCK_PKT_MAX);
		vsock_reply(ctx, s, &in, RTE_VMCI_VSOCK_PKT_INVALID);
		return;
	}
	/* Our CID is what the hypervisor routes to now (doc section 3.7). */
	s->local_cid = cid;
	switch (s->st) {
	case VSOCK_ST_LISTEN:
		vsock_recv_listen(s, &in);
		return;
	case VSOCK_ST_PENDING:
		vsock_recv_pending(s, &in);
		return;
	case VSOCK_ST_CLIENT_REQ:
	case VSOCK_ST_CLIENT_OFFERED:
		s->stats.ctl_rx++;
		vsock_recv_connecting(s, &in);
		return;
	case VSOCK_ST_ESTABLISHED:
	case VSOCK_ST_CLOSING:
		s->stats.ctl_rx++;
		vsock_recv_connected(s, &in);
		return;
	case VSOCK_ST_DGRAM:
	case VSOCK_ST_CLOSED:
		break;
	}
	vsock_reply(ctx, s, &in, RTE_VMCI_VSOCK_PKT_RST);
}

void
vsock_timers(struct rte_vmci_vsock_ctx *ctx, uint64_t now)
{
	struct rte_vmci_vsock *s, *tmp;

	RTE_TAILQ_FOREACH_SAFE(s, &ctx->socks, next, tmp) {
		switch (s->st) {
		case VSOCK_ST_CLIENT_REQ:
		case VSOCK_ST_CLIENT_OFFERED:
			if ((int64_t)(now - s->deadline) >= 0) {
				VSOCK_LOG(INFO, "socket %u: connect to %u:%u timed out", s->id,
					  s->peer_cid, s->peer_port);
				vsock_client_fail(s, -ETIMEDOUT, true);
			}
			break;
		case VSOCK_ST_PENDING:
			if ((int64_t)(now - s->deadline) >= 0) {
				s->listener->stats.refused++;
				VSOCK_BAD(ctx, "pending connection from %u:%u to port %u: no OFFER in %u ms; reset",
					  s->peer_cid, s->peer_port, s->local_port,
					  ctx->conf.pending_timeout_ms);
				vsock_send_to_peer(s, RTE_VMCI_VSOCK_PKT_RST, 0, 0);
				vsock_child_drop(s);
			}
			break;
		case VSOCK_ST_ESTABLISHED:
		case VSOCK_ST_CLOSING:
			vsock_retry_notify(s);
			break;
		default:
			break;
		}
	}
}

static int
vsock_bind_port(struct rte_vmci_vsock_ctx *ctx, uint32_t *port)
{
	if (*port == RTE_VMCI_VSOCK_PORT_ANY)
		return vsock_port_pick(ctx, port);
	if (vsock_port_in_use(ctx, *port)) {
		VSOCK_LOG(ERR, "stream port %u is in use", *port);
		return -EADDRINUSE;
	}
	return 0;
}

/* A new stream socket on @port (PORT_ANY: an ephemeral one); NULL with rte_errno. */
static struct rte_vmci_vsock *
vsock_stream_alloc(struct rte_vmci_vsock_ctx *ctx, uint32_t port)
{
	struct rte_vmci_vsock *s;
	int ret;

	ret = vsock_bind_port(ctx, &port);
	if (ret < 0) {
		rte_errno = -ret;
		return NULL;
	}
	s = vsock_sock_alloc(ctx);
	if (s != NULL)
		s->local_port = port;
	return s;
}

struct rte_vmci_vsock *
rte_vmci_vsock_connect(struct rte_vmci_vsock_ctx *ctx, uint32_t cid, uint32_t port,
		       uint32_t local_port)
{
	struct rte_vmci_vsock *s;
	int ret;

	if (ctx == NULL || cid == RTE_VMCI_VSOCK_CID_ANY || cid == RTE_VMCI_VSOCK_CID_LOCAL ||
	    port == RTE_VMCI_VSOCK_PORT_ANY) {
		VSOCK_LOG(ERR, "connect to %u:%u: need a peer CID other than 1 and 0xffffffff and a port",
			  cid, port);
		rte_errno = EINVAL;
		return NULL;
	}
	s = vsock_stream_alloc(ctx, local_port);
	if (s == NULL)
		return NULL;
	s->peer_cid = cid;
	s->peer_port = port;
	s->qsize = ctx->conf.buffer_size;
	ret = vsock_send_to_peer(s, RTE_VMCI_VSOCK_PKT_REQUEST2,
				 RTE_VMCI_VSOCK_PROTO_ALL_SUPPORTED, s->qsize);
	if (ret < 0) {
		vsock_sock_free(s);
		rte_errno = -ret;
		return NULL;
	}
	s->st = VSOCK_ST_CLIENT_REQ;
	s->deadline = rte_get_timer_cycles() + vsock_ms(ctx, ctx->conf.connect_timeout_ms);
	return s;
}

struct rte_vmci_vsock *
rte_vmci_vsock_listen(struct rte_vmci_vsock_ctx *ctx, uint32_t port, uint32_t backlog)
{
	struct rte_vmci_vsock *s;

	if (ctx == NULL || backlog == 0) {
		VSOCK_LOG(ERR, "listen on port %u: backlog %u, need >= 1", port, backlog);
		rte_errno = EINVAL;
		return NULL;
	}
	s = vsock_stream_alloc(ctx, port);
	if (s == NULL)
		return NULL;
	s->backlog = backlog;
	s->st = VSOCK_ST_LISTEN;
	return s;
}

struct rte_vmci_vsock *
rte_vmci_vsock_accept(struct rte_vmci_vsock *l)
{
	struct rte_vmci_vsock *c;

	if (l == NULL || l->st != VSOCK_ST_LISTEN) {
		rte_errno = EINVAL;
		return NULL;
	}
	c = TAILQ_FIRST(&l->acceptq);
	if (c == NULL) {
		rte_errno = EAGAIN;
		return NULL;
	}
	TAILQ_REMOVE(&l->acceptq, c, qnext);
	l->nqueued--;
	l->stats.accepted++;
	c->listener = NULL;
	return c;
}

int
rte_vmci_vsock_shutdown(struct rte_vmci_vsock *s, int how)
{
	uint8_t mode;
	int ret = 0;

	if (s == NULL || (how != SHUT_RD && how != SHUT_WR && how != SHUT_RDWR)) {
		VSOCK_LOG(ERR, "shutdown how %d: need SHUT_RD, SHUT_WR or SHUT_RDWR", how);
		return -EINVAL;
	}
	if (s->st != VSOCK_ST_ESTABLISHED && s->st != VSOCK_ST_CLOSING)
		return -ENOTCONN;
	/* SHUT_RD/WR/RDWR (0/1/2) go on the wire as 1/2/3. */
	mode = (uint8_t)(how + 1);
	/* A sleeping peer must see the last bytes before the SHUTDOWN. */
	vsock_wrote_flush(s);
	if (!s->peer_detached)
		ret = vsock_send_to_peer(s, RTE_VMCI_VSOCK_PKT_SHUTDOWN, 0, mode);
	s->local_shut |= mode;
	return ret;
}

static void
vsock_listener_close(struct rte_vmci_vsock *l)
{
	struct rte_vmci_vsock *c;

	while ((c = TAILQ_FIRST(&l->pending)) != NULL) {
		vsock_send_to_peer(c, RTE_VMCI_VSOCK_PKT_RST, 0, 0);
		vsock_child_drop(c);
	}
	while ((c = TAILQ_FIRST(&l->acceptq)) != NULL)
		vsock_child_drop(c);
}

void
rte_vmci_vsock_close(struct rte_vmci_vsock *s)
{
	if (s == NULL)
		return;
	switch (s->st) {
	case VSOCK_ST_LISTEN:
		vsock_listener_close(s);
		break;
	case VSOCK_ST_CLIENT_REQ:
	case VSOCK_ST_CLIENT_OFFERED:
	case VSOCK_ST_PENDING:
		vsock_send_to_peer(s, RTE_VMCI_VSOCK_PKT_RST, 0, 0);
		break;
	case VSOCK_ST_DGRAM:
		vsock_dgram_release(s);
		break;
	default:
		/* No control packet: the peer learns of it from QP_PEER_DETACH. */
		vsock_wrote_flush(s);
		break;
	}
	if (s->listener != NULL) {
		vsock_child_drop(s);
		return;
	}
	vsock_stream_release(s);
	vsock_sock_free(s);
}
