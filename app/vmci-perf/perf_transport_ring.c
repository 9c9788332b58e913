/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

/*
 * DPDK baseline: one SPSC rte_ring per direction carrying pointers to
 * mempool objects. The producer copies each payload into an object
 * (enqueue is a bulk of --burst), the consumer copies it out and returns
 * the objects to the pool: the copies a queue pair makes, in DPDK's own
 * idiom.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <rte_common.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_mempool.h>
#include <rte_memcpy.h>
#include <rte_ring.h>

#include "perf_transport.h"

#define RING_BURST_MAX 1024u
#define RING_OBJS_MIN 64u
#define RING_OBJS_MAX 4096u

struct ring_priv {
	struct rte_ring *ring[2];    /* [i]: side i sends on it */
	struct rte_mempool *pool[2]; /* objects of direction i */
	void *objs[2][RING_BURST_MAX];
};

static int
ring_tx(struct perf_transport *tp, unsigned int side, struct perf_flow *flow)
{
	struct ring_priv *priv = tp->priv;
	void **objs = priv->objs[side];
	unsigned int i, n = flow->burst;

	if (rte_mempool_get_bulk(priv->pool[side], objs, n) < 0)
		return 0;
	for (i = 0; i < n; i++) {
		if (flow->verify)
			perf_flow_stamp(flow, flow->buf, flow->seq + i);
		rte_memcpy(objs[i], flow->buf, flow->size);
	}
	if (rte_ring_sp_enqueue_bulk(priv->ring[side], objs, n, NULL) == 0) {
		rte_mempool_put_bulk(priv->pool[side], objs, n);
		return 0;
	}
	flow->seq += n;
	return n;
}

static int
ring_rx(struct perf_transport *tp, unsigned int side, struct perf_flow *flow)
{
	struct ring_priv *priv = tp->priv;
	unsigned int peer = 1 - side;
	void **objs = priv->objs[side];
	unsigned int i, n;

	n = rte_ring_sc_dequeue_burst(priv->ring[peer], objs, flow->burst, NULL);
	for (i = 0; i < n; i++) {
		rte_memcpy(flow->buf, objs[i], flow->size);
		if (flow->verify)
			perf_flow_check(flow, flow->buf, flow->size);
	}
	if (n > 0)
		rte_mempool_put_bulk(priv->pool[peer], objs, n);
	return n;
}

static void
ring_close(struct perf_transport *tp)
{
	struct ring_priv *priv = tp->priv;
	int i;

	if (priv == NULL)
		return;
	for (i = 0; i < 2; i++) {
		rte_ring_free(priv->ring[i]);
		rte_mempool_free(priv->pool[i]);
	}
	rte_free(priv);
	tp->priv = NULL;
}

static uint32_t
largest_size(const struct perf_options *opt)
{
	uint32_t max = 0;
	unsigned int i;

	for (i = 0; i < opt->nb_sizes; i++)
		max = RTE_MAX(max, opt->sizes[i]);
	return max;
}

/* As many objects as the queue pair's bytes would hold, within limits. */
static unsigned int
ring_objs(const struct perf_options *opt, uint32_t elt)
{
	uint64_t n = opt->queue_size / elt;

	n = RTE_MAX(n, (uint64_t)RTE_MAX(RING_OBJS_MIN, 2 * opt->burst));
	return (unsigned int)RTE_MIN(n, (uint64_t)RING_OBJS_MAX);
}

static int
ring_open(struct perf_transport *tp, const struct perf_options *opt, int socket)
{
	uint32_t elt = RTE_ALIGN_CEIL(largest_size(opt), RTE_CACHE_LINE_SIZE);
	unsigned int n = ring_objs(opt, elt);
	struct ring_priv *priv;
	char name[RTE_RING_NAMESIZE];
	int i;

	priv = rte_zmalloc_socket("vmci_perf_ring", sizeof(*priv), RTE_CACHE_LINE_SIZE, socket);
	if (priv == NULL)
		return -ENOMEM;
	tp->priv = priv;
	for (i = 0; i < 2; i++) {
		snprintf(name, sizeof(name), "vmci_perf_r%d", i);
		priv->ring[i] = rte_ring_create(name, n, socket,
						RING_F_SP_ENQ | RING_F_SC_DEQ | RING_F_EXACT_SZ);
		snprintf(name, sizeof(name), "vmci_perf_p%d", i);
		/* n + a burst: a full ring still leaves the producer a burst to fill. */
		priv->pool[i] = rte_mempool_create(name, n + opt->burst, elt, 0, 0,
						   NULL, NULL, NULL, NULL, socket,
						   RTE_MEMPOOL_F_SP_PUT | RTE_MEMPOOL_F_SC_GET);
		if (priv->ring[i] == NULL || priv->pool[i] == NULL) {
			fprintf(stderr, "vmci-perf: transport ring: %u objects of %" PRIu32
				" bytes: %s\n", n, elt, rte_strerror(rte_errno));
			ring_close(tp);
			return -ENOMEM;
		}
	}
	tp->tx = ring_tx;
	tp->rx = ring_rx;
	tp->nb_bufs = 1;
	return 0;
}

const struct perf_transport_ops perf_transport_ring = {
	.name = "ring",
	.open = ring_open,
	.close = ring_close,
};
