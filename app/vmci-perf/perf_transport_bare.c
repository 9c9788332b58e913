/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

/*
 * The bare-ring limit: the most any shared-memory ring can move between
 * the two cores at each size. A plain single-producer single-consumer
 * byte ring per direction in a memzone of the vmci run's queue size on
 * the producer's NUMA node (hugepages when the EAL has them), one index
 * per side in a line of its own, each side caching the other's index in
 * its private line; records of the vmci record size (the msg API's header
 * and padding, else the message) copied in and out whole, wrapping in two
 * pieces; no framing, no validation of the peer's index, and the index
 * published once per burst. Each side sends from and receives into as
 * many buffers as the vmci run's API uses (one per message of a burst for
 * msg), so both touch the same application memory. The receiver still checks every sequence
 * number, so the copies cannot be optimised away and a fast figure is a
 * correct one. The copy routine is set per size by vmci-perf, which tries
 * every candidate of perf_copy.h first and keeps the fastest.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_common.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_memzone.h>

#include "perf_transport.h"
#include "perf_transport_bare.h"

/* Indices are free-running byte counts; one writer each. */
struct bare_shared {
	uint64_t tail __rte_cache_aligned; /* bytes the producer published */
	uint64_t head __rte_cache_aligned; /* bytes the consumer released */
};

/* One side's private view of one direction. */
struct bare_local {
	uint64_t own;        /* this side's index (tail or head) */
	uint64_t peer_cache; /* last value read of the peer's index */
	uint64_t pos;        /* own % size, kept without a division */
} __rte_cache_aligned;

struct bare_dir {
	struct bare_shared *sh;
	uint8_t *data;
	struct bare_local prod;
	struct bare_local cons;
};

struct bare_priv {
	struct bare_dir dir[2];          /* [i]: side i sends on it */
	const struct rte_memzone *mz;
	uint64_t size;                   /* bytes of each ring */
	uint32_t rec;                    /* bytes of a record at the current size */
	perf_copy_fn_t copy;
	uint8_t *stage[2][2];            /* side i's records to send [0], received [1] */
	uint32_t stage_len;              /* bytes between two records' buffers */
	unsigned int nb_stage;           /* buffers of each stage[i][j] */
	enum perf_api api;
};

/* The vmci record of a message of @p size bytes (rte_vmci_qp_wire.h framing). */
uint32_t
perf_bare_record_size(enum perf_api api, uint32_t size)
{
	if (api != PERF_API_MSG)
		return size;
	return 8u + RTE_ALIGN_CEIL(size, 8u);
}

static inline void
ring_put(const struct bare_priv *priv, struct bare_dir *d, const void *src)
{
	uint64_t first = RTE_MIN((uint64_t)priv->rec, priv->size - d->prod.pos);

	priv->copy(d->data + d->prod.pos, src, first);
	if (first < priv->rec)
		priv->copy(d->data, (const uint8_t *)src + first, priv->rec - first);
	d->prod.pos += priv->rec;
	if (d->prod.pos >= priv->size)
		d->prod.pos -= priv->size;
}

static inline void
ring_get(const struct bare_priv *priv, struct bare_dir *d, void *dst)
{
	uint64_t first = RTE_MIN((uint64_t)priv->rec, priv->size - d->cons.pos);

	priv->copy(dst, d->data + d->cons.pos, first);
	if (first < priv->rec)
		priv->copy((uint8_t *)dst + first, d->data, priv->rec - first);
	d->cons.pos += priv->rec;
	if (d->cons.pos >= priv->size)
		d->cons.pos -= priv->size;
}

/* The buffer of the @p i-th record of a burst: as the vmci flow cycles through its own. */
static inline uint8_t *
stage_buf(const struct bare_priv *priv, uint8_t *stage, unsigned int i)
{
	/* No division per record: a burst has at most nb_stage records, or one buffer. */
	if (unlikely(i >= priv->nb_stage))
		i %= priv->nb_stage;
	return stage + (size_t)i * priv->stage_len;
}

static int
bare_tx(struct perf_transport *tp, unsigned int side, struct perf_flow *flow)
{
	struct bare_priv *priv = tp->priv;
	struct bare_dir *d = &priv->dir[side];
	uint8_t *stage = priv->stage[side][0];
	uint8_t *rec;
	uint64_t room = priv->size - (d->prod.own - d->prod.peer_cache);
	unsigned int i, n = flow->burst;

	if (room < (uint64_t)n * priv->rec) {
		d->prod.peer_cache = __atomic_load_n(&d->sh->head, __ATOMIC_ACQUIRE);
		room = priv->size - (d->prod.own - d->prod.peer_cache);
		n = (unsigned int)RTE_MIN((uint64_t)n, room / priv->rec);
		if (n == 0)
			return 0;
	}
	for (i = 0; i < n; i++) {
		rec = stage_buf(priv, stage, i);
		if (flow->verify)
			perf_flow_stamp(flow, rec, flow->seq + i);
		ring_put(priv, d, rec);
	}
	d->prod.own += (uint64_t)n * priv->rec;
	/* Once per burst: the data before the index that publishes it. */
	__atomic_store_n(&d->sh->tail, d->prod.own, __ATOMIC_RELEASE);
	flow->seq += n;
	return (int)n;
}

static int
bare_rx(struct perf_transport *tp, unsigned int side, struct perf_flow *flow)
{
	struct bare_priv *priv = tp->priv;
	struct bare_dir *d = &priv->dir[1 - side];
	uint8_t *stage = priv->stage[side][1];
	uint8_t *rec;
	uint64_t ready = d->cons.peer_cache - d->cons.own;
	unsigned int i, n = flow->burst;

	if (ready < (uint64_t)n * priv->rec) {
		d->cons.peer_cache = __atomic_load_n(&d->sh->tail, __ATOMIC_ACQUIRE);
		ready = d->cons.peer_cache - d->cons.own;
		n = (unsigned int)RTE_MIN((uint64_t)n, ready / priv->rec);
		if (n == 0)
			return 0;
	}
	for (i = 0; i < n; i++) {
		rec = stage_buf(priv, stage, i);
		ring_get(priv, d, rec);
		if (flow->verify)
			perf_flow_check(flow, rec, flow->size);
	}
	d->cons.own += (uint64_t)n * priv->rec;
	__atomic_store_n(&d->sh->head, d->cons.own, __ATOMIC_RELEASE);
	return (int)n;
}

static void
bare_close(struct perf_transport *tp)
{
	struct bare_priv *priv = tp->priv;
	unsigned int i;

	if (priv == NULL)
		return;
	rte_memzone_free(priv->mz);
	for (i = 0; i < 4; i++)
		rte_free(priv->stage[i / 2][i % 2]);
	rte_free(priv);
	tp->priv = NULL;
}

static bool
stages_ok(const struct bare_priv *priv)
{
	return priv->stage[0][0] != NULL && priv->stage[0][1] != NULL &&
		priv->stage[1][0] != NULL && priv->stage[1][1] != NULL;
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

/* Empty rings, both sides' views reset: before every run. */
static int
bare_rearm(struct perf_transport *tp)
{
	struct bare_priv *priv = tp->priv;
	unsigned int i;

	for (i = 0; i < 2; i++) {
		memset(priv->dir[i].sh, 0, sizeof(*priv->dir[i].sh));
		memset(&priv->dir[i].prod, 0, sizeof(priv->dir[i].prod));
		memset(&priv->dir[i].cons, 0, sizeof(priv->dir[i].cons));
	}
	return 0;
}

static int
bare_open(struct perf_transport *tp, const struct perf_options *opt, int socket)
{
	uint64_t ring_span = RTE_ALIGN_CEIL(opt->queue_size, RTE_CACHE_LINE_SIZE);
	uint64_t len = 2 * (sizeof(struct bare_shared) + ring_span);
	struct bare_priv *priv;
	unsigned int nb, i;
	uint8_t *p;

	priv = rte_zmalloc_socket("vmci_perf_bare", sizeof(*priv), RTE_CACHE_LINE_SIZE, socket);
	if (priv == NULL)
		return -ENOMEM;
	tp->priv = priv;
	priv->size = opt->queue_size;
	priv->api = opt->api;
	priv->copy = perf_copy_candidates(&nb)[0].fn;
	priv->stage_len = RTE_ALIGN_CEIL(perf_bare_record_size(opt->api, largest_size(opt)),
					 RTE_CACHE_LINE_SIZE);
	priv->nb_stage = perf_api_nb_bufs(opt->api, opt->burst);
	/* As lib/vmci_qp places queue memory: a memzone, page-aligned, on the socket. */
	priv->mz = rte_memzone_reserve_aligned("vmci_perf_bare", len, socket, 0, 4096);
	for (i = 0; i < 4; i++) {
		priv->stage[i / 2][i % 2] = rte_zmalloc_socket("vmci_perf_bare",
							       (size_t)priv->stage_len * priv->nb_stage,
							       RTE_CACHE_LINE_SIZE, socket);
	}
	if (priv->mz == NULL || !stages_ok(priv)) {
		fprintf(stderr, "vmci-perf: transport bare-ring: two rings of %" PRIu64
			" bytes on socket %d: %s\n", opt->queue_size, socket,
			rte_strerror(rte_errno));
		bare_close(tp);
		return -ENOMEM;
	}
	p = priv->mz->addr;
	for (i = 0; i < 2; i++) {
		priv->dir[i].sh = (struct bare_shared *)p;
		priv->dir[i].data = p + sizeof(struct bare_shared);
		p += sizeof(struct bare_shared) + ring_span;
	}
	bare_rearm(tp);
	tp->tx = bare_tx;
	tp->rx = bare_rx;
	tp->nb_bufs = priv->nb_stage;
	return 0;
}

int
perf_transport_bare_prepare(struct perf_transport *tp, uint32_t size,
			    const struct perf_copy *copy)
{
	struct bare_priv *priv = tp->priv;
	uint32_t rec = perf_bare_record_size(priv->api, size);

	/* A burst of records must fit, as the vmci run's must. */
	if (rec > priv->stage_len || rec > priv->size)
		return -EINVAL;
	priv->rec = rec;
	priv->copy = copy->fn;
	/* The sequence number goes in the first bytes; the rest keeps a pattern. */
	memset(priv->stage[0][0], 0xa5, (size_t)priv->stage_len * priv->nb_stage);
	memset(priv->stage[1][0], 0x5a, (size_t)priv->stage_len * priv->nb_stage);
	return bare_rearm(tp);
}

const struct perf_transport_ops perf_transport_bare = {
	.name = "bare-ring",
	.open = bare_open,
	.close = bare_close,
	.rearm = bare_rearm,
};
