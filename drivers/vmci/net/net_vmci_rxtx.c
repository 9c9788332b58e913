/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

/*
 * Data path. One lcore per queue, no locks: the endpoint pointer is loaded
 * once per burst, inside a sequence count the control path reads before it
 * frees a withdrawn endpoint. Frames that fit one mbuf go through the
 * queue-pair library's burst calls (one call and one index publish for the
 * lot); others (several segments, or bad lengths) are fetched or staged one
 * by one, and the ring index is published once per burst.
 */

#include <errno.h>
#include <sys/uio.h>

#include <rte_cycles.h>
#include <rte_mbuf.h>
#include <rte_memcpy.h>
#include <rte_mempool.h>
#include <rte_prefetch.h>

#include "net_vmci.h"

/*
 * Mark the queue busy (odd sequence), then load the endpoint. The sequence
 * store must be globally visible before the endpoint load, or the control
 * path could withdraw the endpoint, still read an even (idle) count and
 * free what this burst is about to use: a SEQ_CST read-modify-write orders
 * both, and is the only atomic RMW of the burst. It pairs with the SEQ_CST
 * store of NULL and load of the count in the control path.
 */
static inline struct rte_vmci_qp *
queue_enter(struct net_vmci_queue *q)
{
	__atomic_fetch_add(&q->seq, 1, __ATOMIC_SEQ_CST);
	return __atomic_load_n(&q->ep, __ATOMIC_SEQ_CST);
}

/* Even again: this burst no longer holds the endpoint (release: its accesses are done). */
static inline void
queue_leave(struct net_vmci_queue *q)
{
	__atomic_store_n(&q->seq, q->seq + 1, __ATOMIC_RELEASE);
}

/*
 * The peer wrote a malformed record: the stream cannot be trusted up to
 * what it has published. Resynchronise, but not more often than
 * NET_VMCI_RESYNC_PER_SEC so that a peer writing garbage in a loop cannot
 * make us spin on it. Counted only: the poll alarm reports new resyncs.
 */
static void
rx_bad_record(struct net_vmci_queue *q, struct rte_vmci_qp *ep)
{
	uint64_t now = rte_get_tsc_cycles();
	int64_t dropped;

	/* Until the resync, every burst meets the same bad record again: count it once. */
	if (!q->resync_pending) {
		q->stats.bad_records++;
		q->resync_pending = 1;
	}
	if (now - q->last_resync_tsc < rte_get_tsc_hz() / NET_VMCI_RESYNC_PER_SEC)
		return;
	q->last_resync_tsc = now;
	q->resync_pending = 0;
	dropped = rte_vmci_qp_msg_resync(ep);
	if (dropped >= 0) {
		q->stats.resyncs++;
		q->stats.resync_bytes += dropped;
	} else {
		__atomic_store_n(&q->fatal, 1, __ATOMIC_RELEASE);
	}
}

static void
rx_error(struct net_vmci_queue *q, struct rte_vmci_qp *ep, int64_t err)
{
	/*
	 * -EMSGSIZE: the record is longer than its header said when peeked
	 * (the peer rewrote it) or than we can hold: malformed, not fatal.
	 */
	if (err == -EBADMSG || err == -EMSGSIZE) {
		rx_bad_record(q, ep);
	} else {
		/* -EIO: a peer index out of range; only a new connection helps. */
		q->stats.idx_errors++;
		__atomic_store_n(&q->fatal, 1, __ATOMIC_RELEASE);
	}
}

/* Consume a frame we will not deliver, without touching mbufs. */
static int64_t
rx_drop(struct net_vmci_queue *q, struct rte_vmci_qp *ep)
{
	struct iovec seg[NET_VMCI_SCRATCH_SEGS];
	int i;

	for (i = 0; i < NET_VMCI_SCRATCH_SEGS; i++) {
		seg[i].iov_base = q->scratch;
		seg[i].iov_len = NET_VMCI_SCRATCH_SEG;
	}
	return rte_vmci_qp_msg_fetchv(ep, seg, NET_VMCI_SCRATCH_SEGS);
}

/*
 * A frame received in place that went back to the pool without passing
 * through the mbuf library's free (a Tx queue with
 * RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE puts mbufs back as they are) comes out
 * of it still external, over ring memory that a read would then write.
 * Detaching it runs its free callback, so its slot is done as well.
 */
static __rte_noinline void
zc_repair(struct net_vmci_queue *q, struct rte_mbuf **m, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (RTE_MBUF_HAS_EXTBUF(m[i])) {
			rte_pktmbuf_detach(m[i]);
			q->stats.zc_repaired++;
		}
	}
}

/* Only a queue that receives in place can get such mbufs (its pool is not pinned). */
static inline void
zc_check_fresh(struct net_vmci_queue *q, struct rte_mbuf **m, unsigned int n)
{
	unsigned int i;

	if (likely(!q->rx_zero_copy))
		return;
	for (i = 0; i < n; i++) {
		if (unlikely(RTE_MBUF_HAS_EXTBUF(m[i]))) {
			zc_repair(q, m + i, n - i);
			return;
		}
	}
}

/*
 * Allocate mbufs for @len bytes, read the frame into them, and only then
 * link them into a chain. Until the frame is in, they are separate mbufs:
 * rte_pktmbuf_free_bulk() frees each array entry together with its chain,
 * so freeing linked segments that way would free every one after the
 * first twice (and hand it to two packets later).
 */
static struct rte_mbuf *
rx_one(struct net_vmci_queue *q, struct rte_vmci_qp *ep, uint32_t len, int64_t *err)
{
	struct rte_mbuf *segs[NET_VMCI_MAX_SEGS];
	struct iovec iov[NET_VMCI_MAX_SEGS];
	uint32_t nseg = (len + q->seg_room - 1) / q->seg_room;
	uint32_t left = len;
	uint32_t i;
	int64_t got;

	if (rte_pktmbuf_alloc_bulk(q->mp, segs, nseg) != 0) {
		*err = -ENOBUFS;
		return NULL;
	}
	zc_check_fresh(q, segs, nseg);
	for (i = 0; i < nseg; i++) {
		uint32_t n = RTE_MIN(left, (uint32_t)q->seg_room);

		iov[i].iov_base = rte_pktmbuf_mtod(segs[i], void *);
		iov[i].iov_len = n;
		segs[i]->data_len = n;
		left -= n;
	}
	got = rte_vmci_qp_msg_fetchv(ep, iov, nseg);
	if (unlikely(got != (int64_t)len)) {
		rte_pktmbuf_free_bulk(segs, nseg);
		/*
		 * got >= 0: a record was consumed, but not the length peeked (the
		 * peer rewrote its header in between): the stream is still in
		 * step, only this record is lost.
		 */
		*err = got < 0 ? got : -EPROTO;
		return NULL;
	}
	for (i = 1; i < nseg; i++)
		segs[i - 1]->next = segs[i];
	segs[0]->nb_segs = nseg;
	segs[0]->pkt_len = len;
	segs[0]->port = q->port_id;
	return segs[0];
}

/* The smallest allocation a burst read makes once it found the ring nearly empty. */
#define NET_VMCI_RX_WANT_MIN 4u

/*
 * Mbufs for the next burst read: twice what the last one took when it
 * used every mbuf it had, as many as it took (at least a few) otherwise,
 * so a busy ring gets whole bursts and a quiet one does not make each
 * call allocate and give back a burst's worth.
 */
static inline void
rx_want_update(struct net_vmci_queue *q, unsigned int want, unsigned int got)
{
	unsigned int next = got == want ? 2 * want : got;

	q->rx_want = (uint16_t)RTE_MIN(RTE_MAX(next, NET_VMCI_RX_WANT_MIN),
				       (unsigned int)NET_VMCI_BURST_MAX);
}

/*
 * Mbufs for up to @want frames, fewer (halving the request) when the pool
 * is short of them: Rx goes on while any mbuf is free, as it did frame by
 * frame, rather than wait for a whole burst's worth that an application
 * holding mbufs may never return. 0: not one.
 */
static unsigned int
rx_alloc(struct net_vmci_queue *q, struct rte_mbuf **m, unsigned int want)
{
	while (unlikely(rte_pktmbuf_alloc_bulk(q->mp, m, want) != 0)) {
		if (want == 1)
			return 0;
		want /= 2;
	}
	zc_check_fresh(q, m, want);
	return want;
}

/*
 * Frames that fit one mbuf, the common case: mbufs for as many frames as
 * the last read suggests (rx_want), one dequeue call for them all, the ones
 * left over back to the pool. A length the burst read that we do not take
 * (a runt, or above max_frame) drops that frame. Returns frames delivered,
 * or a negative errno for rx_error(); *took tells whether records left the
 * ring (false: no mbufs, or the first record changed since the peek).
 */
static int
rx_burst_simple(struct net_vmci_queue *q, struct rte_vmci_qp *ep, struct rte_mbuf **bufs,
		uint16_t nb_pkts, uint64_t *bytes, bool *took)
{
	struct rte_mbuf *m[NET_VMCI_BURST_MAX];
	struct iovec iov[NET_VMCI_BURST_MAX];
	unsigned int want = q->rx_want != 0 ? q->rx_want : NET_VMCI_BURST_MAX;
	unsigned int i;
	int got, n = 0;

	*took = false;
	want = rx_alloc(q, m, RTE_MIN(want, (unsigned int)nb_pkts));
	if (unlikely(want == 0)) {
		q->stats.nombuf++;
		return 0;
	}
	for (i = 0; i < want; i++) {
		iov[i].iov_base = rte_pktmbuf_mtod(m[i], void *);
		iov[i].iov_len = q->seg_room;
	}
	got = rte_vmci_qp_msg_dequeue_burst(ep, iov, want);
	if (got == -EMSGSIZE)
		got = 0; /* rewritten since the peek: the frame-by-frame path takes it */
	if (unlikely(got < 0)) {
		rte_mempool_put_bulk(q->mp, (void **)m, want);
		return got;
	}
	rx_want_update(q, want, (unsigned int)got);
	for (i = 0; i < (unsigned int)got; i++) {
		uint32_t len = (uint32_t)iov[i].iov_len;

		if (unlikely(len < RTE_ETHER_HDR_LEN || len > q->max_frame)) {
			q->stats.errors++;
			if (len > q->max_frame)
				q->stats.oversize++;
			rte_mempool_put(q->mp, m[i]);
			continue;
		}
		m[i]->data_len = (uint16_t)len;
		m[i]->pkt_len = len;
		m[i]->port = q->port_id;
		bufs[n++] = m[i];
		*bytes += len;
	}
	if ((unsigned int)got < want)
		rte_mempool_put_bulk(q->mp, (void **)&m[got], want - got);
	*took = got > 0;
	return n;
}

/* Rx in place. */

void
net_vmci_zc_free(void *addr, void *opaque)
{
	struct net_vmci_zc_slot *slot = opaque;

	RTE_SET_USED(addr);
	/* Release: the application's reads of the frame happen before the peer may rewrite it. */
	__atomic_store_n(&slot->done, 1, __ATOMIC_RELEASE);
}

static inline struct net_vmci_zc_slot *
zc_slot(struct net_vmci_zc *zc, uint32_t i)
{
	return &zc->slots[i & (NET_VMCI_ZC_SLOTS - 1)];
}

/* Move past the slots whose frames were freed, oldest first; false if none was. */
static inline bool
zc_advance(struct net_vmci_zc *zc)
{
	uint32_t tail = zc->tail;

	while (tail != zc->head && __atomic_load_n(&zc_slot(zc, tail)->done, __ATOMIC_ACQUIRE))
		tail++;
	if (tail == zc->tail)
		return false;
	zc->tail = tail;
	return true;
}

/*
 * Give the peer the ring space of every frame before the oldest one still
 * held: those freed, and those copied out. Only frames in place take
 * slots, so with none held everything read goes back.
 */
static inline void
zc_give_back(struct net_vmci_zc *zc, struct rte_vmci_qp *ep)
{
	/* Cannot fail: the position is that of a frame still held, in ring order. */
	rte_vmci_qp_msg_zc_done(ep, zc->tail == zc->head ? RTE_VMCI_QP_ZC_ALL :
				zc_slot(zc, zc->tail)->pos);
}

/* Make the mbuf @m the frame at @ref, held through @slot until it is freed. */
static inline void
zc_attach(struct net_vmci_queue *q, struct net_vmci_zc_slot *slot, struct rte_mbuf *m,
	  const struct rte_vmci_qp_msg_ref *ref)
{
	/* Set here, not once: the callback must be this process's, which frees the mbuf. */
	slot->shinfo.free_cb = net_vmci_zc_free;
	slot->shinfo.fcb_opaque = slot;
	rte_mbuf_ext_refcnt_set(&slot->shinfo, 1);
	slot->done = 0;
	rte_pktmbuf_attach_extbuf(m, (void *)(uintptr_t)ref->data, ref->iova,
				  (uint16_t)ref->len, &slot->shinfo);
	m->data_len = (uint16_t)ref->len;
	m->pkt_len = ref->len;
	m->port = q->port_id;
}

/* A short frame is copied out all the same: in place, its mbuf would cost more than the copy. */
static inline void
zc_copy(struct net_vmci_queue *q, struct rte_mbuf *m, const struct rte_vmci_qp_msg_ref *ref)
{
	rte_memcpy(rte_pktmbuf_mtod(m, void *), ref->data, ref->len);
	m->data_len = (uint16_t)ref->len;
	m->pkt_len = ref->len;
	m->port = q->port_id;
}

/*
 * Frames delivered in place: one mbuf per frame, no copy. Every frame in
 * place takes a slot, in ring order; frames up to copy_max bytes are copied
 * into their mbuf instead, and a runt or a frame above max_frame is
 * dropped, neither taking a slot. Returns frames delivered (0:
 * none mapped, the caller reads by copy), or a negative errno for
 * rx_error(); *took tells whether records left the ring.
 */
static int
rx_burst_zc(struct net_vmci_queue *q, struct net_vmci_zc *zc, struct rte_vmci_qp *ep,
	    struct rte_mbuf **bufs, uint16_t nb_pkts, uint64_t *bytes, bool *took)
{
	struct rte_vmci_qp_msg_ref ref[NET_VMCI_BURST_MAX];
	struct rte_mbuf *m[NET_VMCI_BURST_MAX];
	unsigned int free_slots = NET_VMCI_ZC_SLOTS - (zc->head - zc->tail);
	unsigned int want = q->rx_want != 0 ? q->rx_want : NET_VMCI_BURST_MAX;
	struct net_vmci_zc_slot *slot;
	unsigned int i, in_place = 0;
	int got, n = 0;

	*took = false;
	if (unlikely(free_slots == 0)) {
		q->stats.zc_full++;
		return 0;
	}
	want = RTE_MIN(RTE_MIN(want, (unsigned int)nb_pkts), free_slots);
	if (unlikely(want == 0))
		return 0;
	want = rx_alloc(q, m, want);
	if (unlikely(want == 0))
		return 0; /* the copying read finds no mbuf either, and counts it */
	got = rte_vmci_qp_msg_dequeue_zc_burst(ep, ref, want);
	if (unlikely(got <= 0)) {
		rte_mempool_put_bulk(q->mp, (void **)m, want);
		return got;
	}
	rx_want_update(q, want, (unsigned int)got);
	for (i = 0; i < (unsigned int)got; i++) {
		if (unlikely(ref[i].len < RTE_ETHER_HDR_LEN || ref[i].len > q->max_frame)) {
			q->stats.errors++;
			if (ref[i].len > q->max_frame)
				q->stats.oversize++;
			rte_mempool_put(q->mp, m[i]);
			continue;
		}
		if (ref[i].len <= zc->copy_max) {
			zc_copy(q, m[i], &ref[i]);
		} else {
			slot = zc_slot(zc, zc->head++);
			slot->pos = ref[i].pos;
			zc_attach(q, slot, m[i], &ref[i]);
			in_place++;
		}
		bufs[n++] = m[i];
		*bytes += ref[i].len;
	}
	if ((unsigned int)got < want)
		rte_mempool_put_bulk(q->mp, (void **)&m[got], want - got);
	/* Frames copied or dropped: their space goes back now, unless an older one is held. */
	if ((unsigned int)got > in_place)
		zc_give_back(zc, ep);
	q->stats.zc_frames += in_place;
	*took = true;
	return n;
}

/* The in-place slots for this burst's endpoint, or NULL to read by copy. */
static inline struct net_vmci_zc *
zc_of(struct net_vmci_queue *q, struct rte_vmci_qp *ep)
{
	/* Acquire: the control path stores the slots before the endpoint (release). */
	struct net_vmci_zc *zc = __atomic_load_n(&q->zc, __ATOMIC_ACQUIRE);

	return zc != NULL && zc->ep == ep ? zc : NULL;
}

/* Whether the frame of @len goes through rx_burst_simple(). */
static inline bool
rx_fits_one(const struct net_vmci_queue *q, int64_t len)
{
	return len >= RTE_ETHER_HDR_LEN && len <= q->max_frame && len <= q->seg_room;
}

/*
 * Frames read by copy, the first of them @len long (as peeked): bursts of
 * one-mbuf frames, others one by one; the ring space goes back to the peer
 * once, at the end.
 */
static uint16_t
rx_copy(struct net_vmci_queue *q, struct rte_vmci_qp *ep, struct rte_mbuf **bufs,
	uint16_t nb_pkts, uint64_t *bytes, int64_t len)
{
	bool consumed = false;
	uint16_t n = 0;
	int64_t err;
	bool took;
	int got;

	for (; n < nb_pkts; len = rte_vmci_qp_msg_peek_len(ep)) {
		if (len == -EAGAIN)
			break;
		if (unlikely(len < 0)) {
			rx_error(q, ep, len);
			break;
		}
		if (likely(rx_fits_one(q, len))) {
			got = rx_burst_simple(q, ep, bufs + n, nb_pkts - n, bytes, &took);
			if (unlikely(got < 0)) {
				rx_error(q, ep, got);
				break;
			}
			n += got;
			consumed = consumed || took;
			if (!took)
				break; /* no mbufs (counted), or the record changed: next call */
			continue;
		}
		if (unlikely(len > q->max_frame || len < RTE_ETHER_HDR_LEN ||
			     (len + q->seg_room - 1) / q->seg_room > NET_VMCI_MAX_SEGS)) {
			err = rx_drop(q, ep);
			if (err < 0) {
				rx_error(q, ep, err);
				break;
			}
			consumed = true;
			q->stats.errors++;
			if (len > q->max_frame)
				q->stats.oversize++;
			continue;
		}
		bufs[n] = rx_one(q, ep, len, &err);
		if (unlikely(bufs[n] == NULL)) {
			if (err == -EPROTO) {
				q->stats.bad_records++;
				consumed = true;
				continue;
			}
			if (err == -ENOBUFS)
				q->stats.nombuf++;
			else
				rx_error(q, ep, err);
			break;
		}
		rte_prefetch0(rte_pktmbuf_mtod(bufs[n], void *));
		*bytes += len;
		n++;
	}
	if (n > 0 || consumed)
		rte_vmci_qp_release(ep);
	return n;
}

uint16_t
net_vmci_rx_burst(void *rxq, struct rte_mbuf **bufs, uint16_t nb_pkts)
{
	struct net_vmci_queue *q = rxq;
	struct rte_vmci_qp *ep = queue_enter(q);
	struct net_vmci_zc *zc;
	uint64_t bytes = 0;
	uint16_t n = 0;
	bool took = false;
	int64_t len;
	int got = 0;

	if (unlikely(ep == NULL || q->fatal))
		goto out;
	len = rte_vmci_qp_msg_peek_len(ep);
	zc = zc_of(q, ep);
	if (zc != NULL) {
		if (zc_advance(zc))
			zc_give_back(zc, ep);
		/*
		 * A burst that starts with a short frame is read by copy: reading
		 * each header apart from its payload (in place) stalls on every
		 * record, where a copy streams through them.
		 */
		if (len > zc->copy_max) {
			got = rx_burst_zc(q, zc, ep, bufs, nb_pkts, &bytes, &took);
			if (unlikely(got < 0))
				rx_error(q, ep, got);
			n = got > 0 ? (uint16_t)got : 0;
		}
	}
	/* Nothing in place: empty, a frame across the ring's end, or slots or mbufs short. */
	if (got == 0 && !took)
		n = rx_copy(q, ep, bufs, nb_pkts, &bytes, len); /* nothing was consumed since */
	q->stats.packets += n;
	q->stats.bytes += bytes;
out:
	queue_leave(q);
	return n;
}

/* Gather a chain into @iov; -1 if it has more segments than we send. */
static int
tx_gather(const struct rte_mbuf *m, struct iovec *iov)
{
	int n = 0;

	if (unlikely(m->nb_segs > NET_VMCI_MAX_SEGS))
		return -1;
	for (; m != NULL; m = m->next) {
		iov[n].iov_base = rte_pktmbuf_mtod(m, void *);
		iov[n].iov_len = m->data_len;
		n++;
	}
	return n;
}

/* A frame the burst call can take: one segment, not too long. */
static inline bool
tx_fits_one(const struct net_vmci_queue *q, const struct rte_mbuf *m)
{
	return m->nb_segs == 1 && m->pkt_len <= q->max_frame;
}

/*
 * The run of one-segment frames at the head of @bufs, in one enqueue call.
 * Returns frames taken from @bufs (sent, or dropped as never fitting), with
 * *full set when the ring stopped the run, or -EIO.
 */
static int
tx_burst_simple(struct net_vmci_queue *q, struct rte_vmci_qp *ep, struct rte_mbuf **bufs,
		uint16_t nb_pkts, uint64_t *bytes, uint64_t *sent, bool *full)
{
	struct iovec msgs[NET_VMCI_BURST_MAX];
	unsigned int most = RTE_MIN((unsigned int)nb_pkts, (unsigned int)NET_VMCI_BURST_MAX);
	unsigned int run = 0, i;
	int ret;

	while (run < most && tx_fits_one(q, bufs[run])) {
		msgs[run].iov_base = rte_pktmbuf_mtod(bufs[run], void *);
		msgs[run].iov_len = bufs[run]->data_len;
		run++;
	}
	ret = rte_vmci_qp_msg_enqueue_burst(ep, msgs, run);
	if (unlikely(ret == -EMSGSIZE)) {
		/* The first frame can never fit this queue: dropped. */
		q->stats.errors++;
		return 1;
	}
	if (unlikely(ret < 0))
		return ret;
	for (i = 0; i < (unsigned int)ret; i++)
		*bytes += bufs[i]->pkt_len;
	*sent += (uint64_t)ret;
	*full = (unsigned int)ret < run;
	return ret;
}

/* One frame of several segments, or too long: 1 taken, 0 ring full, -EIO. */
static int
tx_one(struct net_vmci_queue *q, struct rte_vmci_qp *ep, struct rte_mbuf *m, uint64_t *bytes,
       uint64_t *sent)
{
	struct iovec iov[NET_VMCI_MAX_SEGS];
	int nseg, ret;

	nseg = m->pkt_len > q->max_frame ? -1 : tx_gather(m, iov);
	if (unlikely(nseg < 0)) {
		/* Consumed and dropped: the frame can never go out. */
		q->stats.errors++;
		if (m->pkt_len > q->max_frame)
			q->stats.oversize++;
		return 1;
	}
	ret = rte_vmci_qp_msg_stagev(ep, iov, nseg);
	if (ret == 0 || ret == -EIO)
		return ret;
	if (unlikely(ret < 0)) {
		q->stats.errors++;
		return 1;
	}
	*bytes += m->pkt_len;
	(*sent)++;
	return 1;
}

uint16_t
net_vmci_tx_burst(void *txq, struct rte_mbuf **bufs, uint16_t nb_pkts)
{
	struct net_vmci_queue *q = txq;
	struct rte_vmci_qp *ep = queue_enter(q);
	uint64_t bytes = 0, sent = 0;
	bool full = false;
	uint16_t i = 0;
	int ret;

	if (unlikely(ep == NULL || q->fatal))
		goto out;
	while (i < nb_pkts && !full) {
		if (likely(tx_fits_one(q, bufs[i])))
			ret = tx_burst_simple(q, ep, bufs + i, nb_pkts - i, &bytes, &sent, &full);
		else
			ret = tx_one(q, ep, bufs[i], &bytes, &sent);
		if (unlikely(ret == -EIO)) {
			q->stats.idx_errors++;
			__atomic_store_n(&q->fatal, 1, __ATOMIC_RELEASE);
			break;
		}
		if (ret == 0)
			full = true;
		i += (uint16_t)RTE_MAX(ret, 0);
	}
	/* For frames staged one by one; the burst calls published theirs. */
	if (sent > 0)
		rte_vmci_qp_publish(ep);
	if (full)
		q->stats.ring_full++;
	/* Every frame before i was copied into the ring or dropped. */
	if (i > 0)
		rte_pktmbuf_free_bulk(bufs, i);
	q->stats.packets += sent;
	q->stats.bytes += bytes;
out:
	queue_leave(q);
	return i;
}
