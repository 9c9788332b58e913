/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

/*
 * Datagram sockets (doc section 4): a vsock datagram is a VMCI datagram
 * with no header of its own, the port is the VMCI resource ID. Received
 * datagrams are copied into a per-socket byte ring allocated at bind (no
 * allocation per datagram); when it is full they are dropped and counted,
 * as a kernel socket's receive queue does.
 */

#include <errno.h>
#include <string.h>

#include <rte_common.h>
#include <rte_errno.h>
#include <rte_malloc.h>

#include "vsock_private.h"

/* Record in the receive ring: this header, the payload, padding to 8. */
struct vsock_dg_rec {
	uint32_t len;
	uint32_t cid;
	uint32_t port;
	uint32_t pad;
};

static uint64_t
vsock_rec_size(uint32_t len)
{
	return sizeof(struct vsock_dg_rec) + RTE_ALIGN_CEIL((uint64_t)len, 8);
}

static void
ring_put(struct rte_vmci_vsock *s, uint64_t at, const void *src, size_t len)
{
	uint32_t off = (uint32_t)(at % s->rx_ring_size);
	size_t first = RTE_MIN(len, (size_t)(s->rx_ring_size - off));

	memcpy(s->rx_ring + off, src, first);
	memcpy(s->rx_ring, (const uint8_t *)src + first, len - first);
}

static void
ring_get(const struct rte_vmci_vsock *s, uint64_t at, void *dst, size_t len)
{
	uint32_t off = (uint32_t)(at % s->rx_ring_size);
	size_t first = RTE_MIN(len, (size_t)(s->rx_ring_size - off));

	memcpy(dst, s->rx_ring + off, first);
	memcpy((uint8_t *)dst + first, s->rx_ring, len - first);
}

static void
vsock_dgram_cb(struct rte_vmci_dgram *ep, struct rte_vmci_handle src, const void *payload,
	       uint32_t len, void *arg)
{
	struct rte_vmci_vsock *s = arg;
	struct vsock_dg_rec rec = { .len = len, .cid = src.context, .port = src.resource };
	uint64_t need = vsock_rec_size(len);

	RTE_SET_USED(ep);
	if (len > RTE_VMCI_VSOCK_MAX_DG_PAYLOAD ||
	    s->rx_tail - s->rx_head + need > s->rx_ring_size) {
		s->stats.rx_dgram_drops++;
		return;
	}
	ring_put(s, s->rx_tail, &rec, sizeof(rec));
	ring_put(s, s->rx_tail + sizeof(rec), payload, len);
	s->rx_tail += need;
	s->stats.rx_dgrams++;
	s->stats.rx_bytes += len;
}

struct rte_vmci_vsock *
rte_vmci_vsock_dgram_bind(struct rte_vmci_vsock_ctx *ctx, uint32_t port)
{
	struct rte_vmci_vsock *s;
	int err;

	if (ctx == NULL) {
		rte_errno = EINVAL;
		return NULL;
	}
	if (port == RTE_VMCI_VSOCK_PACKET_RID) {
		VSOCK_LOG(ERR, "datagram port %u is the stream control channel", port);
		rte_errno = EADDRINUSE;
		return NULL;
	}
	s = vsock_sock_alloc(ctx);
	if (s == NULL)
		return NULL;
	s->st = VSOCK_ST_DGRAM;
	s->rx_ring_size = ctx->conf.dgram_rx_bytes;
	s->rx_ring = rte_malloc_socket("vmci_vsock_dgram", s->rx_ring_size, 0,
				       ctx->conf.socket_id);
	if (s->rx_ring == NULL) {
		vsock_sock_free(s);
		rte_errno = ENOMEM;
		return NULL;
	}
	s->dg_ep = rte_vmci_dgram_create(ctx->dev, port == RTE_VMCI_VSOCK_PORT_ANY ?
					 RTE_VMCI_INVALID_ID : port, vsock_dgram_cb, s);
	if (s->dg_ep == NULL) {
		err = rte_errno == EEXIST ? EADDRINUSE : rte_errno;
		VSOCK_LOG(ERR, "datagram port %u: %s", port, rte_strerror(err));
		rte_free(s->rx_ring);
		vsock_sock_free(s);
		rte_errno = err;
		return NULL;
	}
	s->local_port = rte_vmci_dgram_handle(s->dg_ep).resource;
	return s;
}

void
vsock_dgram_release(struct rte_vmci_vsock *s)
{
	rte_vmci_dgram_destroy(s->dg_ep);
	s->dg_ep = NULL;
	rte_free(s->rx_ring);
	s->rx_ring = NULL;
}

ssize_t
rte_vmci_vsock_sendto(struct rte_vmci_vsock *s, const void *buf, size_t len,
		      uint32_t cid, uint32_t port)
{
	struct rte_vmci_handle dst = { cid, port };
	int ret;

	if (s == NULL || s->st != VSOCK_ST_DGRAM || (buf == NULL && len != 0))
		return -EINVAL;
	if (len > RTE_VMCI_VSOCK_MAX_DG_PAYLOAD) {
		VSOCK_LOG(ERR, "datagram of %zu bytes: the limit is %u", len,
			  RTE_VMCI_VSOCK_MAX_DG_PAYLOAD);
		return -EMSGSIZE;
	}
	if (cid == RTE_VMCI_VSOCK_CID_HYPERVISOR &&
	    port != RTE_VMCI_VSOCK_HV_RID_UNITY_PBRPC_REGISTER) {
		VSOCK_LOG(ERR, "datagram to 0:%u: the hypervisor takes datagrams only at port %u",
			  port, RTE_VMCI_VSOCK_HV_RID_UNITY_PBRPC_REGISTER);
		return -EINVAL;
	}
	ret = rte_vmci_dgram_send(s->dg_ep, dst, buf, len);
	if (ret < 0)
		return ret;
	s->stats.tx_dgrams++;
	s->stats.tx_bytes += len;
	return (ssize_t)len;
}

ssize_t
rte_vmci_vsock_recvfrom(struct rte_vmci_vsock *s, void *buf, size_t len,
			uint32_t *cid, uint32_t *port)
{
	struct vsock_dg_rec rec;
	size_t n;

	if (s == NULL || s->st != VSOCK_ST_DGRAM || (buf == NULL && len != 0))
		return -EINVAL;
	if (s->rx_head == s->rx_tail)
		return -EAGAIN;
	ring_get(s, s->rx_head, &rec, sizeof(rec));
	n = RTE_MIN(len, (size_t)rec.len);
	ring_get(s, s->rx_head + sizeof(rec), buf, n);
	s->rx_head += vsock_rec_size(rec.len);
	if (cid != NULL)
		*cid = rec.cid;
	if (port != NULL)
		*port = rec.port;
	return (ssize_t)n;
}
