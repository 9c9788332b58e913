/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

/*
 * The context: the control endpoint on resource 1, the socket table, ports,
 * the poll call, rate limits.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_random.h>

#include "vsock_private.h"

RTE_LOG_REGISTER(vsock_logtype, pmd.vmci.vsock, NOTICE);

/* Largest queue size a context may be configured with: half the device's
 * 128 MiB of queue memory, for the two queues of one pair.
 */
#define VSOCK_MAX_QUEUE_SIZE (64ull << 20)
#define VSOCK_DEFAULT_MAX_SOCKETS 1024u
#define VSOCK_DEFAULT_RST_RATE 100u
#define VSOCK_LOG_RATE 20u

static uint32_t vsock_next_id = 1;

static int
vsock_conf_fill(struct rte_vmci_vsock_conf *c, const struct rte_vmci_vsock_conf *in)
{
	if (in != NULL) {
		*c = *in;
	} else {
		memset(c, 0, sizeof(*c));
		c->socket_id = SOCKET_ID_ANY;
	}
	if (c->buffer_size == 0)
		c->buffer_size = RTE_VMCI_VSOCK_BUFFER_DEFAULT_SIZE;
	if (c->buffer_min_size == 0)
		c->buffer_min_size = RTE_MIN((uint64_t)RTE_VMCI_VSOCK_BUFFER_MIN_SIZE,
					     c->buffer_size);
	if (c->buffer_max_size == 0)
		c->buffer_max_size = RTE_MAX((uint64_t)RTE_VMCI_VSOCK_BUFFER_MAX_SIZE,
					     c->buffer_size);
	if (c->connect_timeout_ms == 0)
		c->connect_timeout_ms = RTE_VMCI_VSOCK_CONNECT_TIMEOUT_MS;
	if (c->pending_timeout_ms == 0)
		c->pending_timeout_ms = RTE_VMCI_VSOCK_PENDING_TIMEOUT_MS;
	if (c->max_sockets == 0)
		c->max_sockets = VSOCK_DEFAULT_MAX_SOCKETS;
	if (c->rst_rate == 0)
		c->rst_rate = VSOCK_DEFAULT_RST_RATE;
	if (c->dgram_rx_bytes == 0)
		c->dgram_rx_bytes = 2 * RTE_VMCI_VSOCK_MAX_DG_SIZE;
	if (c->buffer_max_size > VSOCK_MAX_QUEUE_SIZE ||
	    c->buffer_min_size > c->buffer_size || c->buffer_size > c->buffer_max_size) {
		VSOCK_LOG(ERR, "buffer sizes min %" PRIu64 " default %" PRIu64 " max %" PRIu64
			  ": need min <= default <= max <= %llu",
			  c->buffer_min_size, c->buffer_size, c->buffer_max_size,
			  VSOCK_MAX_QUEUE_SIZE);
		return -EINVAL;
	}
	if (c->dgram_rx_bytes < RTE_VMCI_VSOCK_MAX_DG_SIZE) {
		VSOCK_LOG(ERR, "dgram_rx_bytes %u: need at least %u (one largest datagram)",
			  c->dgram_rx_bytes, RTE_VMCI_VSOCK_MAX_DG_SIZE);
		return -EINVAL;
	}
	if (c->wrote_delay_us == 0)
		c->wrote_delay_us = RTE_VMCI_VSOCK_WROTE_DELAY_US;
	if (c->wrote_delay_us > RTE_VMCI_VSOCK_WROTE_DELAY_MAX_US) {
		VSOCK_LOG(ERR, "wrote_delay_us %u: need at most %u", c->wrote_delay_us,
			  RTE_VMCI_VSOCK_WROTE_DELAY_MAX_US);
		return -EINVAL;
	}
	if ((c->flags & ~(RTE_VMCI_VSOCK_F_NO_CLASSIC | RTE_VMCI_VSOCK_F_WROTE_AT_ONCE)) != 0) {
		VSOCK_LOG(ERR, "unknown flags 0x%x", c->flags);
		return -EINVAL;
	}
	return 0;
}

static void
vsock_ctl_cb(struct rte_vmci_dgram *ep, struct rte_vmci_handle src, const void *payload,
	     uint32_t len, void *arg)
{
	RTE_SET_USED(ep);
	vsock_ctl_input(arg, src, payload, len);
}

struct rte_vmci_vsock_ctx *
rte_vmci_vsock_ctx_create(struct rte_vmci_device *dev, const struct rte_vmci_vsock_conf *conf)
{
	struct rte_vmci_vsock_ctx *ctx;
	struct rte_vmci_vsock_conf c;
	int ret;

	if (dev == NULL) {
		VSOCK_LOG(ERR, "no device");
		rte_errno = EINVAL;
		return NULL;
	}
	ret = vsock_conf_fill(&c, conf);
	if (ret < 0) {
		rte_errno = -ret;
		return NULL;
	}
	ctx = rte_zmalloc_socket("vmci_vsock_ctx", sizeof(*ctx), 0, c.socket_id);
	if (ctx == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	ctx->dev = dev;
	ctx->conf = c;
	ctx->hz = rte_get_timer_hz();
	if ((c.flags & RTE_VMCI_VSOCK_F_WROTE_AT_ONCE) == 0)
		ctx->wrote_delay = RTE_MAX(ctx->hz / 1000000 * c.wrote_delay_us, 1ull);
	TAILQ_INIT(&ctx->socks);
	rte_spinlock_init(&ctx->lock);
	ctx->next_ephemeral = RTE_VMCI_VSOCK_FIRST_FREE_RID +
		(uint32_t)(rte_rand() % (RTE_VMCI_VSOCK_PORT_ANY - RTE_VMCI_VSOCK_FIRST_FREE_RID));
	ctx->ctl_ep = rte_vmci_dgram_create(dev, RTE_VMCI_VSOCK_PACKET_RID, vsock_ctl_cb, ctx);
	if (ctx->ctl_ep == NULL) {
		ret = rte_errno;
		VSOCK_LOG(ERR, "control resource %u: %s", RTE_VMCI_VSOCK_PACKET_RID,
			  rte_strerror(ret));
		rte_free(ctx);
		rte_errno = ret;
		return NULL;
	}
	vsock_ctx_register(ctx);
	return ctx;
}

void
rte_vmci_vsock_ctx_destroy(struct rte_vmci_vsock_ctx *ctx)
{
	struct rte_vmci_vsock *s;

	if (ctx == NULL)
		return;
	vsock_ctx_unregister(ctx);
	/* Listeners first: they close their own children. */
	while ((s = TAILQ_FIRST(&ctx->socks)) != NULL) {
		struct rte_vmci_vsock *l;

		TAILQ_FOREACH(l, &ctx->socks, next)
			if (l->st == VSOCK_ST_LISTEN)
				break;
		rte_vmci_vsock_close(l != NULL ? l : s);
	}
	rte_vmci_dgram_destroy(ctx->ctl_ep);
	rte_free(ctx);
}

int
rte_vmci_vsock_poll(struct rte_vmci_vsock_ctx *ctx)
{
	int ret;

	if (ctx == NULL)
		return -EINVAL;
	ret = rte_vmci_poll(ctx->dev);
	vsock_timers(ctx, rte_get_timer_cycles());
	return ret;
}

uint32_t
rte_vmci_vsock_local_cid(const struct rte_vmci_vsock_ctx *ctx)
{
	return ctx == NULL ? RTE_VMCI_VSOCK_CID_ANY : rte_vmci_context_id(ctx->dev);
}

int
rte_vmci_vsock_ctx_stats_get(const struct rte_vmci_vsock_ctx *ctx,
			     struct rte_vmci_vsock_ctx_stats *stats)
{
	if (ctx == NULL || stats == NULL)
		return -EINVAL;
	*stats = ctx->stats;
	return 0;
}

struct rte_vmci_vsock *
vsock_sock_alloc(struct rte_vmci_vsock_ctx *ctx)
{
	struct rte_vmci_vsock *s;

	if (ctx->nsocks >= ctx->conf.max_sockets) {
		VSOCK_LOG(ERR, "socket limit %u reached", ctx->conf.max_sockets);
		rte_errno = ENOSPC;
		return NULL;
	}
	s = rte_zmalloc_socket("vmci_vsock", sizeof(*s), 0, ctx->conf.socket_id);
	if (s == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	s->ctx = ctx;
	s->id = __atomic_fetch_add(&vsock_next_id, 1, __ATOMIC_RELAXED);
	s->local_cid = rte_vmci_context_id(ctx->dev);
	s->local_port = RTE_VMCI_VSOCK_PORT_ANY;
	s->peer_cid = RTE_VMCI_VSOCK_CID_ANY;
	s->peer_port = RTE_VMCI_VSOCK_PORT_ANY;
	s->handle.context = RTE_VMCI_INVALID_ID;
	s->handle.resource = RTE_VMCI_INVALID_ID;
	TAILQ_INIT(&s->pending);
	TAILQ_INIT(&s->acceptq);
	rte_spinlock_lock(&ctx->lock);
	TAILQ_INSERT_TAIL(&ctx->socks, s, next);
	ctx->nsocks++;
	rte_spinlock_unlock(&ctx->lock);
	return s;
}

void
vsock_sock_free(struct rte_vmci_vsock *s)
{
	struct rte_vmci_vsock_ctx *ctx = s->ctx;

	rte_spinlock_lock(&ctx->lock);
	TAILQ_REMOVE(&ctx->socks, s, next);
	ctx->nsocks--;
	rte_spinlock_unlock(&ctx->lock);
	rte_free(s);
}

/* Stream ports: a listener's or a client's own port; accepted children
 * share their listener's port and do not count.
 */
bool
vsock_port_in_use(const struct rte_vmci_vsock_ctx *ctx, uint32_t port)
{
	const struct rte_vmci_vsock *s;

	TAILQ_FOREACH(s, &ctx->socks, next) {
		if (s->st == VSOCK_ST_DGRAM || s->local_port != port)
			continue;
		if (s->st == VSOCK_ST_LISTEN || !s->server_side)
			return true;
	}
	return false;
}

/* Ephemeral port as Linux picks one: from a random start above the
 * reserved ports, counting up, a bounded number of tries.
 */
int
vsock_port_pick(struct rte_vmci_vsock_ctx *ctx, uint32_t *port)
{
	unsigned int i;

	for (i = 0; i < RTE_VMCI_VSOCK_EPHEMERAL_TRIES; i++) {
		uint32_t p = ctx->next_ephemeral++;

		if (ctx->next_ephemeral == RTE_VMCI_VSOCK_PORT_ANY)
			ctx->next_ephemeral = RTE_VMCI_VSOCK_FIRST_FREE_RID;
		if (p <= RTE_VMCI_VSOCK_LAST_RESERVED_PORT || p == RTE_VMCI_VSOCK_PORT_ANY)
			continue;
		if (!vsock_port_in_use(ctx, p)) {
			*port = p;
			return 0;
		}
	}
	VSOCK_LOG(ERR, "no free ephemeral port in %u tries", RTE_VMCI_VSOCK_EPHEMERAL_TRIES);
	return -EADDRINUSE;
}

bool
vsock_log_allowed(struct rte_vmci_vsock_ctx *ctx)
{
	uint64_t now = rte_get_timer_cycles();

	if (now - ctx->log_window >= ctx->hz) {
		ctx->log_window = now;
		ctx->log_in_window = 0;
	}
	if (ctx->log_in_window >= VSOCK_LOG_RATE) {
		ctx->stats.log_suppressed++;
		return false;
	}
	ctx->log_in_window++;
	return true;
}

enum rte_vmci_vsock_state
rte_vmci_vsock_state(const struct rte_vmci_vsock *s)
{
	if (s == NULL)
		return RTE_VMCI_VSOCK_CLOSED;
	switch (s->st) {
	case VSOCK_ST_DGRAM:
		return RTE_VMCI_VSOCK_UNCONNECTED;
	case VSOCK_ST_LISTEN:
		return RTE_VMCI_VSOCK_LISTEN;
	case VSOCK_ST_CLIENT_REQ:
	case VSOCK_ST_CLIENT_OFFERED:
	case VSOCK_ST_PENDING:
		return RTE_VMCI_VSOCK_CONNECTING;
	case VSOCK_ST_ESTABLISHED:
		return RTE_VMCI_VSOCK_ESTABLISHED;
	case VSOCK_ST_CLOSING:
		return RTE_VMCI_VSOCK_CLOSING;
	case VSOCK_ST_CLOSED:
		break;
	}
	return RTE_VMCI_VSOCK_CLOSED;
}

int
rte_vmci_vsock_error(const struct rte_vmci_vsock *s)
{
	return s == NULL ? -EINVAL : s->err;
}

enum rte_vmci_vsock_notify
rte_vmci_vsock_notify_proto(const struct rte_vmci_vsock *s)
{
	return s == NULL || s->qpair == NULL ? RTE_VMCI_VSOCK_NOTIFY_NONE : s->notify;
}

int
rte_vmci_vsock_addr(const struct rte_vmci_vsock *s, uint32_t *local_cid,
		    uint32_t *local_port, uint32_t *peer_cid, uint32_t *peer_port)
{
	if (s == NULL)
		return -EINVAL;
	if (local_cid != NULL)
		*local_cid = s->local_cid;
	if (local_port != NULL)
		*local_port = s->local_port;
	if (peer_cid != NULL)
		*peer_cid = s->peer_cid;
	if (peer_port != NULL)
		*peer_port = s->peer_port;
	return 0;
}

uint64_t
rte_vmci_vsock_buffer_size(const struct rte_vmci_vsock *s)
{
	return s == NULL || s->qpair == NULL ? 0 : s->qsize;
}

int
rte_vmci_vsock_stats_get(const struct rte_vmci_vsock *s, struct rte_vmci_vsock_stats *stats)
{
	if (s == NULL || stats == NULL)
		return -EINVAL;
	*stats = s->stats;
	return 0;
}

uint32_t
rte_vmci_vsock_id(const struct rte_vmci_vsock *s)
{
	return s == NULL ? 0 : s->id;
}
