/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

/*
 * Queue-pair rings in VMCI's wire format.
 *
 * Indices are byte offsets in [0, size), advanced by conditional
 * subtraction; one byte always stays empty so that tail == head means
 * empty. The peer's index is loaded with acquire semantics (A1, A2), copied
 * into local memory, checked against the queue size, and only the local
 * copy is used afterwards. Our own indices live in local memory and are
 * published with release stores (R1, R2) after the data copy:
 *
 *   R1 producer_tail store  ->  peer's acquire load before it reads data
 *   A1 peer producer_tail   <-  peer's release store after it wrote data
 *   R2 consumer_head store  ->  peer's acquire load before it reuses space
 *   A2 peer consumer_head   <-  peer's release store after it read data
 *
 * The peer's index is re-read only when the cached one shows too little
 * space or data, so a steady stream touches the peer's cache line once per
 * refill rather than once per operation; a message burst re-reads it at
 * most once per call. A burst is framed or parsed in one pass (no
 * division: positions wrap by compare-and-subtract, as sizes are
 * arbitrary), with one index publish and one stats update per call.
 */

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_memcpy.h>
#include <rte_string_fns.h>

#include "vmci_qp_private.h"

RTE_LOG_REGISTER_DEFAULT(vmci_qp_logtype, NOTICE);

#define REC_HDR_SIZE ((uint64_t)sizeof(struct rte_vmci_qp_rec_hdr))

/* Ring arithmetic (vmci-device.md 5.5); t and h are already < size. */

static inline uint64_t
ring_free(uint64_t tail, uint64_t head, uint64_t size)
{
	return tail >= head ? size - (tail - head) - 1 : head - tail - 1;
}

static inline uint64_t
ring_ready(uint64_t tail, uint64_t head, uint64_t size)
{
	return tail >= head ? tail - head : size - head + tail;
}

static inline uint64_t
ring_advance(uint64_t idx, uint64_t n, uint64_t size)
{
	return idx >= size - n ? idx + n - size : idx + n;
}

/*
 * Bulk copies. Measured on the project's machines (vmci-perf's bare-ring
 * copy trials, the copy microbenchmarks): rte_memcpy is fastest up to a
 * few KiB, glibc's memcpy (rep movsb or non-temporal stores, chosen by
 * glibc for the CPU) from there on, by 10-20 % at 16-64 KiB.
 */
#define QP_COPY_LIBC_MIN 4096

static __rte_always_inline void
qp_copy(void *dst, const void *src, uint64_t len)
{
	if (unlikely(len >= QP_COPY_LIBC_MIN))
		memcpy(dst, src, len);
	else
		rte_memcpy(dst, src, len);
}

/*
 * A copy that wraps happens once per pass over the ring: it stays out of
 * line so that the common, contiguous copy is inlined at each caller.
 */
static __rte_noinline void
ring_write_wrap(uint8_t *ring, uint64_t first, uint64_t pos, const void *src, uint64_t len)
{
	qp_copy(ring + pos, src, first);
	qp_copy(ring, (const uint8_t *)src + first, len - first);
}

static __rte_always_inline void
ring_write(uint8_t *ring, uint64_t size, uint64_t pos, const void *src, uint64_t len)
{
	uint64_t first = size - pos;

	if (likely(len <= first))
		qp_copy(ring + pos, src, len);
	else
		ring_write_wrap(ring, first, pos, src, len);
}

static __rte_noinline void
ring_read_wrap(const uint8_t *ring, uint64_t first, uint64_t pos, void *dst, uint64_t len)
{
	qp_copy(dst, ring + pos, first);
	qp_copy((uint8_t *)dst + first, ring, len - first);
}

static __rte_always_inline void
ring_read(const uint8_t *ring, uint64_t size, uint64_t pos, void *dst, uint64_t len)
{
	uint64_t first = size - pos;

	if (likely(len <= first))
		qp_copy(dst, ring + pos, len);
	else
		ring_read_wrap(ring, first, pos, dst, len);
}

/*
 * Fixed small copies (record header, padding): plain memcpy becomes one
 * load/store, where rte_memcpy's vector paths would only get in the way.
 */
static inline void
ring_write_small(uint8_t *ring, uint64_t size, uint64_t pos, const void *src, uint64_t len)
{
	uint64_t first = size - pos;

	if (likely(len <= first)) {
		memcpy(ring + pos, src, len);
	} else {
		memcpy(ring + pos, src, first);
		memcpy(ring, (const uint8_t *)src + first, len - first);
	}
}

static inline void
ring_read_small(const uint8_t *ring, uint64_t size, uint64_t pos, void *dst, uint64_t len)
{
	uint64_t first = size - pos;

	if (likely(len <= first)) {
		memcpy(dst, ring + pos, len);
	} else {
		memcpy(dst, ring + pos, first);
		memcpy((uint8_t *)dst + first, ring, len - first);
	}
}

static inline uint64_t
rec_size(uint64_t len)
{
	return REC_HDR_SIZE + RTE_ALIGN_CEIL(len, RTE_VMCI_QP_REC_ALIGN);
}

/* Largest payload whose record fits a queue of @size bytes (0 if none). */
static uint32_t
max_msg_len(uint64_t size)
{
	uint64_t room;

	if (size - 1 < REC_HDR_SIZE)
		return 0;
	room = RTE_ALIGN_FLOOR(size - 1 - REC_HDR_SIZE, RTE_VMCI_QP_REC_ALIGN);
	return RTE_MIN(room, (uint64_t)RTE_ALIGN_FLOOR(UINT32_MAX, RTE_VMCI_QP_REC_ALIGN));
}

/* Producer side. */

static inline int
prod_refresh(struct rte_vmci_qp *qp)
{
	/* A2: pairs with the peer's release store after it read the data. */
	uint64_t head = __atomic_load_n(&qp->cons_hdr->consumer_head, __ATOMIC_ACQUIRE);

	if (unlikely(head >= qp->prod_size)) {
		qp->prod.idx_errors++;
		return -EIO;
	}
	qp->prod.peer_head = head;
	return 0;
}

/* Free bytes, re-reading the peer's head only if fewer than @want are known. */
static inline int64_t
prod_space(struct rte_vmci_qp *qp, uint64_t want)
{
	uint64_t space = ring_free(qp->prod.tail, qp->prod.peer_head, qp->prod_size);
	int ret;

	if (likely(space >= want))
		return space;
	ret = prod_refresh(qp);
	if (unlikely(ret < 0))
		return ret;
	return ring_free(qp->prod.tail, qp->prod.peer_head, qp->prod_size);
}

/* Inline for the data path: the exported symbol would cost a PLT call. */
static inline void
qp_publish(struct rte_vmci_qp *qp)
{
	if (qp->prod.tail == qp->prod.pub_tail)
		return;
	/* R1: the data copies above happen before the peer sees the tail. */
	__atomic_store_n(&qp->prod_hdr->producer_tail, qp->prod.tail, __ATOMIC_RELEASE);
	qp->prod.pub_tail = qp->prod.tail;
}

void
rte_vmci_qp_publish(struct rte_vmci_qp *qp)
{
	qp_publish(qp);
}

static inline void
prod_commit(struct rte_vmci_qp *qp, uint64_t n)
{
	qp->prod.tail = ring_advance(qp->prod.tail, n, qp->prod_size);
	qp->prod.bytes += n;
	qp->prod.ops++;
}

/* Copy @len bytes gathered from @iov to the ring at @pos; returns the end. */
static uint64_t
prod_copy_iov(struct rte_vmci_qp *qp, uint64_t pos, const struct iovec *iov, uint64_t len)
{
	while (len > 0) {
		uint64_t n = RTE_MIN((uint64_t)iov->iov_len, len);

		ring_write(qp->prod_data, qp->prod_size, pos, iov->iov_base, n);
		pos = ring_advance(pos, n, qp->prod_size);
		len -= n;
		iov++;
	}
	return pos;
}

/* Sum of iov lengths, or -EINVAL for a bad vector or a sum that overflows. */
static int64_t
iov_total(const struct iovec *iov, int iovcnt)
{
	uint64_t total = 0;
	int i;

	if (iovcnt < 0 || (iov == NULL && iovcnt > 0))
		return -EINVAL;
	for (i = 0; i < iovcnt; i++) {
		if (iov[i].iov_len > INT64_MAX - total)
			return -EINVAL;
		if (iov[i].iov_base == NULL && iov[i].iov_len > 0)
			return -EINVAL;
		total += iov[i].iov_len;
	}
	return total;
}

static ssize_t
qp_enqueue(struct rte_vmci_qp *qp, const struct iovec *iov, int iovcnt, bool fixed)
{
	int64_t total = iov_total(iov, iovcnt);
	int64_t space;

	if (unlikely(total < 0))
		return total;
	if (fixed && (uint64_t)total > qp->prod_size - 1)
		return -EMSGSIZE;
	space = prod_space(qp, total);
	if (unlikely(space < 0))
		return space;
	if (space < total) {
		qp->prod.full++;
		if (fixed || space == 0)
			return 0;
		total = space;
	}
	if (total == 0)
		return 0;
	prod_copy_iov(qp, qp->prod.tail, iov, total);
	prod_commit(qp, total);
	qp_publish(qp);
	return total;
}

/* One contiguous buffer: qp_enqueue() without the vector walk. */
static inline ssize_t
qp_enqueue_buf(struct rte_vmci_qp *qp, const void *buf, uint64_t len, bool fixed)
{
	int64_t space;

	if (unlikely(len > INT64_MAX || (buf == NULL && len > 0)))
		return -EINVAL;
	if (fixed && len > qp->prod_size - 1)
		return -EMSGSIZE;
	space = prod_space(qp, len);
	if (unlikely(space < 0))
		return space;
	if (unlikely((uint64_t)space < len)) {
		qp->prod.full++;
		if (fixed || space == 0)
			return 0;
		len = space;
	}
	if (unlikely(len == 0))
		return 0;
	ring_write(qp->prod_data, qp->prod_size, qp->prod.tail, buf, len);
	prod_commit(qp, len);
	qp_publish(qp);
	return len;
}

ssize_t
rte_vmci_qp_enqueue_bulk(struct rte_vmci_qp *qp, const void *buf, size_t len)
{
	return qp_enqueue_buf(qp, buf, len, true);
}

ssize_t
rte_vmci_qp_enqueue_burst(struct rte_vmci_qp *qp, const void *buf, size_t len)
{
	return qp_enqueue_buf(qp, buf, len, false);
}

ssize_t
rte_vmci_qp_enqueuev_bulk(struct rte_vmci_qp *qp, const struct iovec *iov, int iovcnt)
{
	return qp_enqueue(qp, iov, iovcnt, true);
}

ssize_t
rte_vmci_qp_enqueuev_burst(struct rte_vmci_qp *qp, const struct iovec *iov, int iovcnt)
{
	return qp_enqueue(qp, iov, iovcnt, false);
}

int64_t
rte_vmci_qp_free_space(struct rte_vmci_qp *qp)
{
	int ret = prod_refresh(qp);

	if (ret < 0)
		return ret;
	return ring_free(qp->prod.tail, qp->prod.peer_head, qp->prod_size);
}

/* Consumer side. */

static inline int
cons_refresh(struct rte_vmci_qp *qp)
{
	/* A1: pairs with the peer's release store after it wrote the data. */
	uint64_t tail = __atomic_load_n(&qp->cons_hdr->producer_tail, __ATOMIC_ACQUIRE);

	if (unlikely(tail >= qp->cons_size)) {
		qp->cons.idx_errors++;
		return -EIO;
	}
	qp->cons.peer_tail = tail;
	return 0;
}

/* Ready bytes, re-reading the peer's tail only if fewer than @want are known. */
static inline int64_t
cons_ready(struct rte_vmci_qp *qp, uint64_t want)
{
	uint64_t ready = ring_ready(qp->cons.peer_tail, qp->cons.head, qp->cons_size);
	int ret;

	if (likely(ready >= want))
		return ready;
	ret = cons_refresh(qp);
	if (unlikely(ret < 0))
		return ret;
	return ring_ready(qp->cons.peer_tail, qp->cons.head, qp->cons_size);
}

/*
 * Publish our consumer head: every byte read, except those from the first
 * record still held in place (rte_vmci_qp_msg_dequeue_zc_burst()) on.
 */
static inline void
qp_release(struct rte_vmci_qp *qp)
{
	uint64_t to = unlikely(qp->cons.holding) ? qp->cons.hold : qp->cons.head;

	if (to == qp->cons.pub_head)
		return;
	/* R2: our reads of the data happen before the peer may overwrite it. */
	__atomic_store_n(&qp->prod_hdr->consumer_head, to, __ATOMIC_RELEASE);
	qp->cons.pub_head = to;
}

void
rte_vmci_qp_release(struct rte_vmci_qp *qp)
{
	qp_release(qp);
}

static inline void
cons_commit(struct rte_vmci_qp *qp, uint64_t n)
{
	qp->cons.head = ring_advance(qp->cons.head, n, qp->cons_size);
	qp->cons.bytes += n;
	qp->cons.ops++;
}

/* Copy @len bytes from the ring at @pos, scattered into @iov. */
static void
cons_copy_iov(const struct rte_vmci_qp *qp, uint64_t pos, const struct iovec *iov,
	      uint64_t len)
{
	while (len > 0) {
		uint64_t n = RTE_MIN((uint64_t)iov->iov_len, len);

		ring_read(qp->cons_data, qp->cons_size, pos, iov->iov_base, n);
		pos = ring_advance(pos, n, qp->cons_size);
		len -= n;
		iov++;
	}
}

/* How many of @want bytes a read may take: fixed is all or nothing. */
static inline int64_t
cons_take(struct rte_vmci_qp *qp, uint64_t want, bool fixed)
{
	int64_t ready;

	if (fixed && want > qp->cons_size - 1)
		return -EMSGSIZE;
	ready = cons_ready(qp, want);
	if (unlikely(ready < 0))
		return ready;
	if ((uint64_t)ready < want) {
		qp->cons.empty++;
		if (fixed)
			return 0;
		return ready;
	}
	return want;
}

enum cons_op {
	CONS_DEQUEUE, /* copy out and consume */
	CONS_PEEK,    /* copy out only */
	CONS_DISCARD, /* consume only */
};

static ssize_t
qp_dequeue(struct rte_vmci_qp *qp, const struct iovec *iov, int iovcnt, uint64_t want,
	   bool fixed, enum cons_op op)
{
	int64_t n;

	if (op != CONS_DISCARD) {
		n = iov_total(iov, iovcnt);
		if (unlikely(n < 0))
			return n;
		want = n;
	}
	n = cons_take(qp, want, fixed);
	if (n <= 0)
		return n;
	if (op != CONS_DISCARD)
		cons_copy_iov(qp, qp->cons.head, iov, n);
	if (op != CONS_PEEK) {
		cons_commit(qp, n);
		qp_release(qp);
	}
	return n;
}

/* One contiguous buffer: qp_dequeue() without the vector walk. */
static inline ssize_t
qp_dequeue_buf(struct rte_vmci_qp *qp, void *buf, uint64_t len, bool fixed)
{
	int64_t n;

	if (unlikely(len > INT64_MAX || (buf == NULL && len > 0)))
		return -EINVAL;
	n = cons_take(qp, len, fixed);
	if (n <= 0)
		return n;
	ring_read(qp->cons_data, qp->cons_size, qp->cons.head, buf, n);
	cons_commit(qp, n);
	qp_release(qp);
	return n;
}

ssize_t
rte_vmci_qp_dequeue_bulk(struct rte_vmci_qp *qp, void *buf, size_t len)
{
	return qp_dequeue_buf(qp, buf, len, true);
}

ssize_t
rte_vmci_qp_dequeue_burst(struct rte_vmci_qp *qp, void *buf, size_t len)
{
	return qp_dequeue_buf(qp, buf, len, false);
}

ssize_t
rte_vmci_qp_dequeuev_bulk(struct rte_vmci_qp *qp, const struct iovec *iov, int iovcnt)
{
	return qp_dequeue(qp, iov, iovcnt, 0, true, CONS_DEQUEUE);
}

ssize_t
rte_vmci_qp_dequeuev_burst(struct rte_vmci_qp *qp, const struct iovec *iov, int iovcnt)
{
	return qp_dequeue(qp, iov, iovcnt, 0, false, CONS_DEQUEUE);
}

ssize_t
rte_vmci_qp_peek_bulk(struct rte_vmci_qp *qp, void *buf, size_t len)
{
	struct iovec iov = { .iov_base = buf, .iov_len = len };

	return qp_dequeue(qp, &iov, 1, 0, true, CONS_PEEK);
}

ssize_t
rte_vmci_qp_peek_burst(struct rte_vmci_qp *qp, void *buf, size_t len)
{
	struct iovec iov = { .iov_base = buf, .iov_len = len };

	return qp_dequeue(qp, &iov, 1, 0, false, CONS_PEEK);
}

ssize_t
rte_vmci_qp_discard_bulk(struct rte_vmci_qp *qp, size_t len)
{
	return qp_dequeue(qp, NULL, 0, len, true, CONS_DISCARD);
}

ssize_t
rte_vmci_qp_discard_burst(struct rte_vmci_qp *qp, size_t len)
{
	return qp_dequeue(qp, NULL, 0, len, false, CONS_DISCARD);
}

int64_t
rte_vmci_qp_ready_bytes(struct rte_vmci_qp *qp)
{
	int ret = cons_refresh(qp);

	if (ret < 0)
		return ret;
	return ring_ready(qp->cons.peer_tail, qp->cons.head, qp->cons_size);
}

/* Zero-copy. */

static void
zc_map(uint8_t *ring, uint64_t size, uint64_t pos, uint64_t len, struct rte_vmci_qp_zc *zc)
{
	uint64_t first = RTE_MIN(len, size - pos);

	zc->ptr1 = ring + pos;
	zc->len1 = first;
	zc->ptr2 = len > first ? ring : NULL;
	zc->len2 = len - first;
}

static ssize_t
enqueue_zc_start(struct rte_vmci_qp *qp, size_t len, struct rte_vmci_qp_zc *zc, bool fixed)
{
	int64_t space;

	if (zc == NULL)
		return -EINVAL;
	qp->prod.zc_len = 0;
	if (fixed && len > qp->prod_size - 1)
		return -EMSGSIZE;
	space = prod_space(qp, len);
	if (unlikely(space < 0))
		return space;
	if ((uint64_t)space < len) {
		qp->prod.full++;
		if (fixed)
			return 0;
		len = space;
	}
	zc_map(qp->prod_data, qp->prod_size, qp->prod.tail, len, zc);
	qp->prod.zc_len = len;
	return len;
}

ssize_t
rte_vmci_qp_enqueue_zc_bulk_start(struct rte_vmci_qp *qp, size_t len,
				  struct rte_vmci_qp_zc *zc)
{
	return enqueue_zc_start(qp, len, zc, true);
}

ssize_t
rte_vmci_qp_enqueue_zc_burst_start(struct rte_vmci_qp *qp, size_t len,
				   struct rte_vmci_qp_zc *zc)
{
	return enqueue_zc_start(qp, len, zc, false);
}

int
rte_vmci_qp_enqueue_zc_finish(struct rte_vmci_qp *qp, size_t n)
{
	if (n > qp->prod.zc_len)
		return -EINVAL;
	qp->prod.zc_len = 0;
	if (n > 0)
		prod_commit(qp, n);
	qp_publish(qp);
	return 0;
}

static ssize_t
dequeue_zc_start(struct rte_vmci_qp *qp, size_t len, struct rte_vmci_qp_zc *zc, bool fixed)
{
	int64_t n;

	if (zc == NULL)
		return -EINVAL;
	qp->cons.zc_len = 0;
	n = cons_take(qp, len, fixed);
	if (n < 0)
		return n;
	/* The ring is read-only to us; the cast only matches the shared struct. */
	zc_map((uint8_t *)(uintptr_t)qp->cons_data, qp->cons_size, qp->cons.head, n, zc);
	qp->cons.zc_len = n;
	return n;
}

ssize_t
rte_vmci_qp_dequeue_zc_bulk_start(struct rte_vmci_qp *qp, size_t len,
				  struct rte_vmci_qp_zc *zc)
{
	return dequeue_zc_start(qp, len, zc, true);
}

ssize_t
rte_vmci_qp_dequeue_zc_burst_start(struct rte_vmci_qp *qp, size_t len,
				   struct rte_vmci_qp_zc *zc)
{
	return dequeue_zc_start(qp, len, zc, false);
}

int
rte_vmci_qp_dequeue_zc_finish(struct rte_vmci_qp *qp, size_t n)
{
	if (n > qp->cons.zc_len)
		return -EINVAL;
	qp->cons.zc_len = 0;
	if (n > 0)
		cons_commit(qp, n);
	qp_release(qp);
	return 0;
}

/* Framed messages: producer. */

static const uint8_t rec_pad_zeros[RTE_VMCI_QP_REC_ALIGN];

/*
 * Write one record at the local tail without publishing it. Padding is
 * written as zeros so that stale bytes never reach the peer.
 */
static int
msg_stage(struct rte_vmci_qp *qp, const struct iovec *seg, int nseg, uint64_t len)
{
	struct rte_vmci_qp_rec_hdr hdr = {
		.len = (uint32_t)len,
		.magic = RTE_VMCI_QP_REC_MAGIC,
		.flags = 0,
	};
	uint64_t rec = rec_size(len);
	uint64_t pad = rec - REC_HDR_SIZE - len;
	uint64_t pos;
	int64_t space;

	if (unlikely(len > qp->max_tx_msg_len || rec > qp->prod_size - 1))
		return -EMSGSIZE;
	space = prod_space(qp, rec);
	if (unlikely(space < 0))
		return space;
	if ((uint64_t)space < rec)
		return 0;
	pos = qp->prod.tail;
	ring_write_small(qp->prod_data, qp->prod_size, pos, &hdr, REC_HDR_SIZE);
	pos = ring_advance(pos, REC_HDR_SIZE, qp->prod_size);
	pos = prod_copy_iov(qp, pos, seg, len);
	if (pad > 0) {
		ring_write_small(qp->prod_data, qp->prod_size, pos, rec_pad_zeros, pad);
		pos = ring_advance(pos, pad, qp->prod_size);
	}
	qp->prod.tail = pos;
	qp->prod.bytes += rec;
	qp->prod.msgs++;
	return 1;
}

int
rte_vmci_qp_msg_stagev(struct rte_vmci_qp *qp, const struct iovec *seg, int nseg)
{
	int64_t len = iov_total(seg, nseg);
	int ret;

	if (unlikely(len < 0))
		return len;
	ret = msg_stage(qp, seg, nseg, len);
	if (ret > 0)
		qp->prod.ops++;
	else if (ret == 0)
		qp->prod.full++;
	return ret;
}

/* Ring bytes that @n messages need, or -EMSGSIZE if one can never fit. */
static int64_t
msgs_rec_bytes(const struct rte_vmci_qp *qp, const struct iovec *msgs, unsigned int n)
{
	uint64_t total = 0;
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (msgs[i].iov_len > qp->max_tx_msg_len)
			return -EMSGSIZE;
		total += rec_size(msgs[i].iov_len);
		/* Stop before the sum can overflow: it already cannot fit. */
		if (total > qp->prod_size)
			return -EMSGSIZE;
	}
	return total;
}

/*
 * Write one record (header, payload, zero padding) of @rec ring bytes at
 * @pos; the caller has checked the space. Returns the position after it.
 * A record that ends before the ring does takes the fast path: one 8-byte
 * header store, one zero store over the last 8 bytes (whose payload part
 * the copy then overwrites), one copy.
 */
static inline uint64_t
rec_write(uint8_t *ring, uint64_t size, uint64_t pos, const struct iovec *msg, uint64_t rec)
{
	struct rte_vmci_qp_rec_hdr hdr = {
		.len = (uint32_t)msg->iov_len,
		.magic = RTE_VMCI_QP_REC_MAGIC,
		.flags = 0,
	};
	uint64_t len = msg->iov_len;
	uint8_t *p = ring + pos;

	if (likely(size - pos > rec)) {
		memcpy(p, &hdr, REC_HDR_SIZE);
		if (len % RTE_VMCI_QP_REC_ALIGN != 0)
			memcpy(p + rec - RTE_VMCI_QP_REC_ALIGN, rec_pad_zeros,
			       RTE_VMCI_QP_REC_ALIGN);
		qp_copy(p + REC_HDR_SIZE, msg->iov_base, len);
		return pos + rec;
	}
	ring_write_small(ring, size, pos, &hdr, REC_HDR_SIZE);
	pos = ring_advance(pos, REC_HDR_SIZE, size);
	ring_write(ring, size, pos, msg->iov_base, len);
	pos = ring_advance(pos, len, size);
	if (rec - REC_HDR_SIZE > len) {
		ring_write_small(ring, size, pos, rec_pad_zeros, rec - REC_HDR_SIZE - len);
		pos = ring_advance(pos, rec - REC_HDR_SIZE - len, size);
	}
	return pos;
}

/*
 * Space for one more record of @rec bytes after @used staged ones, given
 * @space known free: re-reads the peer's head once per burst (*refreshed)
 * when the cached one is short. Returns false to end the burst.
 */
static inline bool
msg_burst_room(struct rte_vmci_qp *qp, uint64_t *space, uint64_t used, uint64_t rec,
	       bool *refreshed, int *err)
{
	if (likely(*space - used >= rec))
		return true;
	if (*refreshed)
		return false;
	*refreshed = true;
	*err = prod_refresh(qp);
	if (unlikely(*err < 0))
		return false;
	*space = ring_free(qp->prod.tail, qp->prod.peer_head, qp->prod_size);
	return *space - used >= rec;
}

/* All @n messages or none: their ring bytes, 0 if they do not fit now. */
static int
msg_bulk_fit(struct rte_vmci_qp *qp, const struct iovec *msgs, unsigned int n,
	     uint64_t *total)
{
	int64_t need = msgs_rec_bytes(qp, msgs, n);
	int64_t space;

	if (need < 0)
		return need;
	if ((uint64_t)need > qp->prod_size - 1)
		return -EMSGSIZE;
	space = prod_space(qp, need);
	if (unlikely(space < 0))
		return space;
	if (space < need)
		return 0;
	*total = need;
	return n;
}

/* Stats once per call, then one release store for all the records. */
static inline int
msg_enqueue_done(struct rte_vmci_qp *qp, uint64_t pos, uint64_t total, unsigned int cnt)
{
	qp->prod.tail = pos;
	qp->prod.bytes += total;
	qp->prod.msgs += cnt;
	qp->prod.ops++;
	qp_publish(qp);
	return cnt;
}

static int
msg_enqueue_bulk(struct rte_vmci_qp *qp, const struct iovec *msgs, unsigned int n)
{
	uint8_t *ring = qp->prod_data;
	uint64_t size = qp->prod_size;
	uint64_t pos = qp->prod.tail;
	uint64_t total = 0;
	unsigned int i;
	int ret;

	ret = msg_bulk_fit(qp, msgs, n, &total);
	if (unlikely(ret <= 0)) {
		if (ret == 0)
			qp->prod.full++;
		return ret;
	}
	for (i = 0; i < n; i++)
		pos = rec_write(ring, size, pos, &msgs[i], rec_size(msgs[i].iov_len));
	return msg_enqueue_done(qp, pos, total, n);
}

/*
 * One pass: each record is checked against the space known at the start
 * of the burst (the peer's head is re-read at most once) and written.
 */
static int
msg_enqueue_burst(struct rte_vmci_qp *qp, const struct iovec *msgs, unsigned int n)
{
	uint8_t *ring = qp->prod_data;
	uint64_t size = qp->prod_size;
	uint64_t pos = qp->prod.tail;
	uint64_t space = ring_free(pos, qp->prod.peer_head, size);
	uint64_t used = 0;
	bool refreshed = false;
	unsigned int i;
	int err = 0;

	/* A queue too small for a bare header; otherwise max_tx_msg_len says it all. */
	if (unlikely(size - 1 < REC_HDR_SIZE))
		return -EMSGSIZE;
	for (i = 0; i < n; i++) {
		uint64_t rec;

		if (unlikely(msgs[i].iov_len > qp->max_tx_msg_len)) {
			err = -EMSGSIZE;
			break;
		}
		rec = rec_size(msgs[i].iov_len);
		if (unlikely(!msg_burst_room(qp, &space, used, rec, &refreshed, &err)))
			break;
		pos = rec_write(ring, size, pos, &msgs[i], rec);
		used += rec;
	}
	if (likely(i > 0))
		return msg_enqueue_done(qp, pos, used, i);
	if (err == 0 && n > 0)
		qp->prod.full++;
	return err;
}

static int
msg_enqueue(struct rte_vmci_qp *qp, const struct iovec *msgs, unsigned int n, bool fixed)
{
	if (msgs == NULL && n > 0)
		return -EINVAL;
	if (n == 0)
		return 0;
	return fixed ? msg_enqueue_bulk(qp, msgs, n) : msg_enqueue_burst(qp, msgs, n);
}

int
rte_vmci_qp_msg_enqueue_burst(struct rte_vmci_qp *qp, const struct iovec *msgs,
			      unsigned int n)
{
	return msg_enqueue(qp, msgs, n, false);
}

int
rte_vmci_qp_msg_enqueue_bulk(struct rte_vmci_qp *qp, const struct iovec *msgs,
			     unsigned int n)
{
	return msg_enqueue(qp, msgs, n, true);
}

/* Framed messages: consumer. */

static int
msg_bad(struct rte_vmci_qp *qp)
{
	qp->cons.broken = true;
	qp->cons.rec_errors++;
	return -EBADMSG;
}

static void
msg_consume(struct rte_vmci_qp *qp, const struct iovec *seg, uint64_t len, uint64_t rec)
{
	uint64_t payload = ring_advance(qp->cons.head, REC_HDR_SIZE, qp->cons_size);

	cons_copy_iov(qp, payload, seg, len);
	qp->cons.head = ring_advance(qp->cons.head, rec, qp->cons_size);
	qp->cons.bytes += rec;
	qp->cons.msgs++;
}

/*
 * Copy the payload of the record at @pos (its header already validated)
 * to @dst. A record that ends before the ring does is one copy.
 */
static inline void
rec_read(const uint8_t *ring, uint64_t size, uint64_t pos, void *dst, uint64_t len,
	 uint64_t rec)
{
	if (likely(size - pos > rec)) {
		qp_copy(dst, ring + pos + REC_HDR_SIZE, len);
		return;
	}
	ring_read(ring, size, ring_advance(pos, REC_HDR_SIZE, size), dst, len);
}

/* A burst read's view of the consume queue. */
struct burst_cursor {
	uint64_t head;  /* next record */
	uint64_t ready; /* bytes known published from head on */
	bool refreshed; /* the peer's tail was re-read in this burst */
};

/* Ready bytes at the cursor, re-reading the peer's tail once per burst if fewer than @want. */
static inline int
burst_ready(struct rte_vmci_qp *qp, struct burst_cursor *c, uint64_t want)
{
	int ret;

	if (likely(c->ready >= want) || c->refreshed)
		return 0;
	c->refreshed = true;
	ret = cons_refresh(qp);
	if (unlikely(ret < 0))
		return ret;
	c->ready = ring_ready(qp->cons.peer_tail, c->head, qp->cons_size);
	return 0;
}

/*
 * Validate the record at the cursor, for a burst read. The peer's tail is
 * re-read at most once per burst, when the cached one shows no more whole
 * record; records in the cached range are complete, as writers publish
 * whole records only. The header is copied out once and validated; only
 * the copy is used. Returns the payload length and sets @rec to the
 * record's ring bytes; -EAGAIN when nothing is ready.
 */
static inline int64_t
burst_next(struct rte_vmci_qp *qp, struct burst_cursor *c, uint64_t *rec)
{
	const uint8_t *ring = qp->cons_data;
	uint64_t size = qp->cons_size;
	struct rte_vmci_qp_rec_hdr hdr;
	int ret;

	ret = burst_ready(qp, c, REC_HDR_SIZE);
	if (unlikely(ret < 0))
		return ret;
	if (c->ready == 0)
		return -EAGAIN;
	/* Writers publish whole records: a partial header is corruption. */
	if (unlikely(c->ready < REC_HDR_SIZE))
		return msg_bad(qp);
	if (likely(size - c->head >= REC_HDR_SIZE))
		memcpy(&hdr, ring + c->head, REC_HDR_SIZE);
	else
		ring_read_small(ring, size, c->head, &hdr, REC_HDR_SIZE);
	if (unlikely(hdr.magic != RTE_VMCI_QP_REC_MAGIC || hdr.flags != 0 ||
		     hdr.len > qp->max_rx_msg_len))
		return msg_bad(qp);
	*rec = rec_size(hdr.len);
	ret = burst_ready(qp, c, *rec);
	if (unlikely(ret < 0))
		return ret;
	if (unlikely(c->ready < *rec))
		return msg_bad(qp);
	return hdr.len;
}

static inline void
burst_skip(struct rte_vmci_qp *qp, struct burst_cursor *c, uint64_t rec)
{
	c->head = ring_advance(c->head, rec, qp->cons_size);
	c->ready -= rec;
}

/* Account for the @n records a burst read took, up to the cursor. */
static inline void
burst_commit(struct rte_vmci_qp *qp, const struct burst_cursor *c, unsigned int n)
{
	qp->cons.bytes += ring_ready(c->head, qp->cons.head, qp->cons_size);
	qp->cons.msgs += n;
	qp->cons.head = c->head;
	qp->cons.ops++;
}

static inline struct burst_cursor
burst_begin(const struct rte_vmci_qp *qp)
{
	struct burst_cursor c = {
		.head = qp->cons.head,
		.ready = ring_ready(qp->cons.peer_tail, qp->cons.head, qp->cons_size),
		.refreshed = false,
	};

	return c;
}

/* Validate the record at the local head, as a burst of one would. */
static int64_t
msg_next(struct rte_vmci_qp *qp, uint64_t *rec)
{
	struct burst_cursor c = burst_begin(qp);

	if (unlikely(qp->cons.broken))
		return -EBADMSG;
	return burst_next(qp, &c, rec);
}

/* Arguments of a burst read, and whether message reads still work. */
static inline int
burst_check(const struct rte_vmci_qp *qp, const void *out, unsigned int n)
{
	if (n == 0)
		return 0;
	if (out == NULL)
		return -EINVAL;
	return unlikely(qp->cons.broken) ? -EBADMSG : 0;
}

int
rte_vmci_qp_msg_dequeue_burst(struct rte_vmci_qp *qp, struct iovec *bufs, unsigned int n)
{
	struct burst_cursor c = burst_begin(qp);
	unsigned int i;
	int64_t len = 0;
	uint64_t rec;
	int ret;

	ret = burst_check(qp, bufs, n);
	if (unlikely(ret < 0))
		return ret;
	for (i = 0; i < n; i++) {
		len = burst_next(qp, &c, &rec);
		if (len < 0)
			break;
		if (unlikely((uint64_t)len > bufs[i].iov_len)) {
			len = -EMSGSIZE;
			break;
		}
		rec_read(qp->cons_data, qp->cons_size, c.head, bufs[i].iov_base, len, rec);
		bufs[i].iov_len = len;
		burst_skip(qp, &c, rec);
	}
	if (i > 0) {
		burst_commit(qp, &c, i);
		qp_release(qp);
		return i;
	}
	if (len == -EAGAIN) {
		qp->cons.empty++;
		return 0;
	}
	return (int)len;
}

/* Payloads mapped in place are held from the first one on; see qp_release(). */
int
rte_vmci_qp_msg_dequeue_zc_burst(struct rte_vmci_qp *qp, struct rte_vmci_qp_msg_ref *refs,
				 unsigned int n)
{
	struct burst_cursor c = burst_begin(qp);
	uint64_t size = qp->cons_size;
	uint64_t rec, payload;
	unsigned int i;
	int64_t len = 0;
	int ret;

	ret = burst_check(qp, refs, n);
	if (unlikely(ret < 0))
		return ret;
	for (i = 0; i < n; i++) {
		len = burst_next(qp, &c, &rec);
		if (len < 0)
			break;
		payload = ring_advance(c.head, REC_HDR_SIZE, size);
		/* A payload across the ring's end cannot be handed out in place. */
		if (size - payload < (uint64_t)len)
			break;
		refs[i].data = qp->cons_data + payload;
		refs[i].iova = qp->cons_iova == RTE_BAD_IOVA ? RTE_BAD_IOVA :
			qp->cons_iova + payload;
		refs[i].pos = c.head;
		refs[i].len = (uint32_t)len;
		burst_skip(qp, &c, rec);
	}
	if (i > 0) {
		if (!qp->cons.holding) {
			qp->cons.holding = true;
			qp->cons.hold = refs[0].pos;
		}
		burst_commit(qp, &c, i);
		return i;
	}
	if (len == -EAGAIN)
		qp->cons.empty++;
	return len < 0 && len != -EAGAIN ? (int)len : 0;
}

int
rte_vmci_qp_msg_zc_done(struct rte_vmci_qp *qp, uint64_t pos)
{
	uint64_t size = qp->cons_size;

	if (pos == RTE_VMCI_QP_ZC_ALL) {
		qp->cons.holding = false;
	} else {
		/* Only a position inside what is held moves the hold (forward). */
		if (!qp->cons.holding || pos >= size ||
		    ring_ready(pos, qp->cons.hold, size) >=
		    ring_ready(qp->cons.head, qp->cons.hold, size))
			return -EINVAL;
		qp->cons.hold = pos;
	}
	qp_release(qp);
	return 0;
}

int64_t
rte_vmci_qp_msg_peek_len(struct rte_vmci_qp *qp)
{
	uint64_t rec;

	return msg_next(qp, &rec);
}

int64_t
rte_vmci_qp_msg_fetchv(struct rte_vmci_qp *qp, const struct iovec *seg, int nseg)
{
	int64_t room = iov_total(seg, nseg);
	int64_t len;
	uint64_t rec;

	if (unlikely(room < 0))
		return room;
	len = msg_next(qp, &rec);
	if (len < 0) {
		if (len == -EAGAIN)
			qp->cons.empty++;
		return len;
	}
	if (len > room)
		return -EMSGSIZE;
	msg_consume(qp, seg, len, rec);
	qp->cons.ops++;
	return len;
}

int64_t
rte_vmci_qp_msg_resync(struct rte_vmci_qp *qp)
{
	int64_t dropped;
	int ret;

	ret = cons_refresh(qp);
	if (ret < 0)
		return ret;
	dropped = ring_ready(qp->cons.peer_tail, qp->cons.head, qp->cons_size);
	qp->cons.head = qp->cons.peer_tail;
	qp->cons.broken = false;
	qp_release(qp);
	/* Data path: counted, never logged; the caller's control path reports it. */
	qp->cons.resyncs++;
	qp->cons.resync_bytes += dropped;
	return dropped;
}

/* Control path. */

static int
check_queue_desc(const char *what, const struct rte_vmci_qp_queue_desc *q)
{
	if (q->hdr == NULL || q->data == NULL) {
		VMCI_QP_LOG(ERR, "%s queue: header %p / data %p, expected both set",
			    what, (void *)q->hdr, q->data);
		return -EINVAL;
	}
	if (((uintptr_t)q->hdr & 7) != 0) {
		VMCI_QP_LOG(ERR, "%s queue: header %p not 8-byte aligned", what, (void *)q->hdr);
		return -EINVAL;
	}
	if (q->size == 0 || q->size > INT64_MAX) {
		VMCI_QP_LOG(ERR, "%s queue: size %" PRIu64 ", expected 1..%" PRId64,
			    what, q->size, INT64_MAX);
		return -EINVAL;
	}
	return 0;
}

/* Resume from our own header's indices, read once and checked. */
static int
load_own_indices(struct rte_vmci_qp *qp)
{
	uint64_t tail = __atomic_load_n(&qp->prod_hdr->producer_tail, __ATOMIC_ACQUIRE);
	uint64_t head = __atomic_load_n(&qp->prod_hdr->consumer_head, __ATOMIC_ACQUIRE);

	if (tail >= qp->prod_size) {
		VMCI_QP_LOG(ERR, "%s: producer_tail %" PRIu64 " >= produce size %" PRIu64,
			    qp->name, tail, qp->prod_size);
		return -EIO;
	}
	if (head >= qp->cons_size) {
		VMCI_QP_LOG(ERR, "%s: consumer_head %" PRIu64 " >= consume size %" PRIu64,
			    qp->name, head, qp->cons_size);
		return -EIO;
	}
	qp->prod.tail = tail;
	qp->prod.pub_tail = tail;
	/* Cached peer indices start at "no space, no data" to force a first read. */
	qp->prod.peer_head = ring_advance(tail, qp->prod_size > 1, qp->prod_size);
	qp->cons.head = head;
	qp->cons.pub_head = head;
	qp->cons.peer_tail = head;
	return 0;
}

/*
 * IOVA of @len bytes at @addr if they are contiguous in IOVA space too
 * (always with IOVA as VA; with physical addresses, within one hugepage
 * or across adjacent ones), else RTE_BAD_IOVA. Frames handed out in place
 * carry it, for a device that may transmit them.
 */
static rte_iova_t
contiguous_iova(const void *addr, uint64_t len)
{
	const uint8_t *p = addr;
	rte_iova_t base = rte_mem_virt2iova(p);
	uint64_t off;

	if (base == RTE_BAD_IOVA)
		return RTE_BAD_IOVA;
	for (off = RTE_VMCI_QP_PAGE_SIZE - (uintptr_t)p % RTE_VMCI_QP_PAGE_SIZE; off < len;
	     off += RTE_VMCI_QP_PAGE_SIZE) {
		if (rte_mem_virt2iova(p + off) != base + off)
			return RTE_BAD_IOVA;
	}
	return base;
}

struct rte_vmci_qp *
rte_vmci_qp_endpoint_create(const struct rte_vmci_qp_conf *conf)
{
	struct rte_vmci_qp *qp;
	uint32_t rx_limit;
	int ret;

	if (conf == NULL) {
		rte_errno = EINVAL;
		return NULL;
	}
	ret = check_queue_desc("produce", &conf->produce);
	if (ret == 0)
		ret = check_queue_desc("consume", &conf->consume);
	if (ret < 0) {
		rte_errno = -ret;
		return NULL;
	}
	qp = rte_zmalloc_socket("vmci_qp", sizeof(*qp), RTE_CACHE_LINE_SIZE, conf->socket_id);
	if (qp == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	if (conf->name != NULL)
		strlcpy(qp->name, conf->name, sizeof(qp->name));
	qp->prod_hdr = conf->produce.hdr;
	qp->cons_hdr = conf->consume.hdr;
	qp->prod_data = conf->produce.data;
	qp->cons_data = conf->consume.data;
	qp->prod_size = conf->produce.size;
	qp->cons_size = conf->consume.size;
	qp->cons_iova = contiguous_iova(qp->cons_data, qp->cons_size);
	qp->handle = qp->prod_hdr->handle;
	qp->max_tx_msg_len = max_msg_len(qp->prod_size);
	rx_limit = max_msg_len(qp->cons_size);
	qp->max_rx_msg_len = conf->max_rx_msg_len == 0 ? rx_limit :
		RTE_MIN(conf->max_rx_msg_len, rx_limit);
	ret = load_own_indices(qp);
	if (ret < 0) {
		rte_free(qp);
		rte_errno = -ret;
		return NULL;
	}
	return qp;
}

void
rte_vmci_qp_endpoint_free(struct rte_vmci_qp *qp)
{
	rte_free(qp);
}

int
rte_vmci_qp_info_get(const struct rte_vmci_qp *qp, struct rte_vmci_qp_info *info)
{
	if (qp == NULL || info == NULL)
		return -EINVAL;
	info->name = qp->name;
	info->handle = qp->handle;
	info->produce_size = qp->prod_size;
	info->consume_size = qp->cons_size;
	info->max_tx_msg_len = qp->max_tx_msg_len;
	info->max_rx_msg_len = qp->max_rx_msg_len;
	info->consume_iova = qp->cons_iova;
	return 0;
}

int
rte_vmci_qp_stats_get(const struct rte_vmci_qp *qp, struct rte_vmci_qp_stats *stats)
{
	if (qp == NULL || stats == NULL)
		return -EINVAL;
	stats->enq_bytes = qp->prod.bytes;
	stats->enq_ops = qp->prod.ops;
	stats->enq_msgs = qp->prod.msgs;
	stats->enq_full = qp->prod.full;
	stats->deq_bytes = qp->cons.bytes;
	stats->deq_ops = qp->cons.ops;
	stats->deq_msgs = qp->cons.msgs;
	stats->deq_empty = qp->cons.empty;
	stats->idx_errors = qp->prod.idx_errors + qp->cons.idx_errors;
	stats->rec_errors = qp->cons.rec_errors;
	stats->resyncs = qp->cons.resyncs;
	stats->resync_bytes = qp->cons.resync_bytes;
	return 0;
}

void
rte_vmci_qp_stats_reset(struct rte_vmci_qp *qp)
{
	if (qp == NULL)
		return;
	qp->prod.bytes = 0;
	qp->prod.ops = 0;
	qp->prod.msgs = 0;
	qp->prod.full = 0;
	qp->prod.idx_errors = 0;
	qp->cons.bytes = 0;
	qp->cons.ops = 0;
	qp->cons.msgs = 0;
	qp->cons.empty = 0;
	qp->cons.idx_errors = 0;
	qp->cons.rec_errors = 0;
	qp->cons.resyncs = 0;
	qp->cons.resync_bytes = 0;
}
