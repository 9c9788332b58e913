/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_pause.h>

#include "qp_flow.h"

#define MAX_SEGS 4       /* iovec segments per gathering/scattering call */
#define MAX_BATCH 8      /* messages per burst call */
#define GUARD_LEN 64     /* canary after every receive buffer */
#define GUARD_BYTE 0xa5
#define REC_HDR_LEN 8u   /* sizeof(struct rte_vmci_qp_rec_hdr) */
#define POLL_PER_S 100   /* watch->poll calls per second */

/* Every API call the flows make; a flow draws one per step from its table. */
enum flow_op {
	OP_ENQ_BULK, OP_ENQ_BURST, OP_ENQV_BULK, OP_ENQV_BURST,
	OP_ENQ_ZC_BULK, OP_ENQ_ZC_BURST,
	OP_DEQ_BULK, OP_DEQ_BURST, OP_DEQV_BULK, OP_DEQV_BURST,
	OP_PEEK_BULK, OP_PEEK_BURST, OP_DEQ_ZC_BULK, OP_DEQ_ZC_BURST,
	OP_MSG_ENQ_BURST, OP_MSG_ENQ_BULK, OP_MSG_STAGEV,
	OP_MSG_DEQ_BURST, OP_MSG_DEQ_TIGHT, OP_MSG_FETCHV, OP_MSG_PEEK_LEN,
	OP_NUM
};

static const char *const op_names[OP_NUM] = {
	[OP_ENQ_BULK] = "enqueue_bulk",
	[OP_ENQ_BURST] = "enqueue_burst",
	[OP_ENQV_BULK] = "enqueuev_bulk",
	[OP_ENQV_BURST] = "enqueuev_burst",
	[OP_ENQ_ZC_BULK] = "enqueue_zc_bulk",
	[OP_ENQ_ZC_BURST] = "enqueue_zc_burst",
	[OP_DEQ_BULK] = "dequeue_bulk",
	[OP_DEQ_BURST] = "dequeue_burst",
	[OP_DEQV_BULK] = "dequeuev_bulk",
	[OP_DEQV_BURST] = "dequeuev_burst",
	[OP_PEEK_BULK] = "peek_bulk+discard",
	[OP_PEEK_BURST] = "peek_burst+discard",
	[OP_DEQ_ZC_BULK] = "dequeue_zc_bulk",
	[OP_DEQ_ZC_BURST] = "dequeue_zc_burst",
	[OP_MSG_ENQ_BURST] = "msg_enqueue_burst",
	[OP_MSG_ENQ_BULK] = "msg_enqueue_bulk",
	[OP_MSG_STAGEV] = "msg_stagev+publish",
	[OP_MSG_DEQ_BURST] = "msg_dequeue_burst",
	[OP_MSG_DEQ_TIGHT] = "msg_dequeue_burst(tight)",
	[OP_MSG_FETCHV] = "msg_fetchv+release",
	[OP_MSG_PEEK_LEN] = "msg_peek_len",
};

static const enum flow_op stream_tx_ops[] = {
	OP_ENQ_BULK, OP_ENQ_BURST, OP_ENQV_BULK, OP_ENQV_BURST,
	OP_ENQ_ZC_BULK, OP_ENQ_ZC_BURST,
};
static const enum flow_op stream_rx_ops[] = {
	OP_DEQ_BULK, OP_DEQ_BURST, OP_DEQV_BULK, OP_DEQV_BURST,
	OP_PEEK_BULK, OP_PEEK_BURST, OP_DEQ_ZC_BULK, OP_DEQ_ZC_BURST,
};
static const enum flow_op msg_tx_ops[] = {
	OP_MSG_ENQ_BURST, OP_MSG_ENQ_BULK, OP_MSG_STAGEV,
};
static const enum flow_op msg_rx_ops[] = {
	OP_MSG_DEQ_BURST, OP_MSG_DEQ_TIGHT, OP_MSG_FETCHV, OP_MSG_PEEK_LEN,
};

/*
 * Start of every message payload (truncated for short ones): lets a
 * failure report name the message that arrived instead of the expected one.
 */
struct msg_tag {
	uint64_t seq;
	uint32_t len;
	uint32_t key;
};

struct qp_flow {
	struct qp_flow_conf conf;
	char name[64];          /* conf.name plus the half */
	bool tx;
	const enum flow_op *ops;
	unsigned int nb_ops;
	uint64_t rng;
	uint64_t key;           /* stream content key */
	uint64_t pos;           /* payload bytes moved */
	uint64_t seq;           /* messages moved */
	uint64_t ring_bytes;    /* ring bytes moved, record framing included */
	uint32_t max_msg;
	bool held;              /* consumer: fetched bytes not released yet */
	uint8_t *buf;           /* data to send, or receive buffers */
	size_t slot;            /* message buffer stride in buf */
	uint8_t *exp;           /* expected content */
	uint64_t calls[OP_NUM];
	uint64_t moved[OP_NUM]; /* calls that moved data */
};

/* splitmix64 finaliser: content is a pure function of (key, index). */
static inline uint64_t
mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/* xorshift64*: drives sizes and op choice, never content. */
static inline uint64_t
rng_next(struct qp_flow *f)
{
	uint64_t x = f->rng;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	f->rng = x;
	return x * 0x2545f4914f6cdd1dULL;
}

static inline uint64_t
rng_below(struct qp_flow *f, uint64_t n)
{
	return n == 0 ? 0 : (rng_next(f) >> 11) % n;
}

/* Byte i of the content is byte (i % 8) of mix64(key + i / 8). */
static void
pattern_fill(uint64_t key, uint64_t off, uint8_t *dst, size_t len)
{
	while (len > 0) {
		uint64_t w = mix64(key + (off >> 3));
		unsigned int sh = off & 7;
		size_t n = RTE_MIN(len, (size_t)(8 - sh));

		memcpy(dst, (uint8_t *)&w + sh, n);
		dst += n;
		off += n;
		len -= n;
	}
}

static void __rte_format_printf(2, 3)
flow_fail(const struct qp_flow *f, const char *fmt, ...)
{
	va_list ap;

	if (f->conf.kind == QP_FLOW_STREAM)
		printf("  %s: FAILED at stream offset %" PRIu64 ": ", f->name, f->pos);
	else
		printf("  %s: FAILED at message %" PRIu64 " (payload offset %"
		       PRIu64 "): ", f->name, f->seq, f->pos);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

static size_t
align8(size_t n)
{
	return RTE_ALIGN_CEIL(n, REC_HDR_LEN);
}

static uint64_t
rec_len(uint32_t len)
{
	return REC_HDR_LEN + align8(len);
}

uint32_t
qp_flow_max_msg_len(uint64_t size)
{
	/* header + payload padded to 8 must fit the size - 1 usable bytes */
	if (size < 1 + REC_HDR_LEN + REC_HDR_LEN)
		return 0;
	return (uint32_t)RTE_MIN((size - 1 - REC_HDR_LEN) & ~(uint64_t)7,
				 (uint64_t)UINT32_MAX & ~(uint64_t)7);
}

/*
 * Operation length: a quarter each of tiny, small, up to a quarter of
 * @p max and up to @p max, so both wrap-heavy tiny ops and ring-filling
 * ones are common.
 */
static size_t
pick_len(struct qp_flow *f, size_t max)
{
	static const size_t caps[] = { 16, 512, 0, 0 };
	uint64_t r = rng_next(f);
	size_t cap = caps[r & 3];

	if (cap == 0)
		cap = (r & 3) == 2 ? max / 4 : max;
	cap = RTE_MAX(RTE_MIN(cap, max), (size_t)1);
	return 1 + (size_t)((r >> 11) % cap);
}

/* Most zero-copy and peeked windows are used whole, some only in part. */
static size_t
pick_part(struct qp_flow *f, size_t n)
{
	return rng_below(f, 4) == 0 ? (size_t)rng_below(f, n + 1) : n;
}

/* Split @p len bytes at @p base into 1..MAX_SEGS non-empty segments. */
static int
split_iov(struct qp_flow *f, uint8_t *base, size_t len, struct iovec *iov)
{
	size_t nseg = 1 + rng_below(f, MAX_SEGS);
	size_t i;

	if (len < nseg)
		nseg = RTE_MAX(len, (size_t)1);
	for (i = 0; i + 1 < nseg; i++) {
		size_t room = len - (nseg - 1 - i); /* keep 1 byte per later segment */
		size_t n = 1 + rng_below(f, room);

		iov[i].iov_base = base;
		iov[i].iov_len = n;
		base += n;
		len -= n;
	}
	iov[i].iov_base = base;
	iov[i].iov_len = len;
	return (int)nseg;
}

static void
guard_set(uint8_t *p)
{
	memset(p, GUARD_BYTE, GUARD_LEN);
}

/* A receive call must not write past the capacity it was given. */
static int
guard_check(const struct qp_flow *f, enum flow_op op, const uint8_t *p,
	    size_t cap)
{
	size_t i;

	for (i = 0; i < GUARD_LEN; i++) {
		if (p[cap + i] != GUARD_BYTE) {
			flow_fail(f, "%s wrote byte %zu past its %zu-byte buffer",
				  op_names[op], i, cap);
			return -1;
		}
	}
	return 0;
}

/* Return count of a byte call: 0..len, and exactly 0 or len for _bulk. */
static int
check_count(const struct qp_flow *f, enum flow_op op, ssize_t ret,
	    size_t len, bool bulk)
{
	if (ret >= 0 && (size_t)ret <= len && (!bulk || ret == 0 || (size_t)ret == len))
		return 0;
	flow_fail(f, "%s(len %zu) returned %zd (%s), expected %s", op_names[op],
		  len, ret, ret < 0 ? strerror((int)-ret) : "count",
		  bulk ? "0 or len" : "0..len");
	return -1;
}

/*
 * Failure hint: find where @p got (at least 16 bytes) sits in the stream
 * near @p off, to tell loss or duplication from corruption.
 */
static void
stream_locate(const struct qp_flow *f, uint64_t off, const uint8_t *got)
{
	int64_t span = (int64_t)(2 * f->conf.ring.size + 4096);
	uint8_t cand[16];
	int64_t d;

	for (d = -span; d <= span; d++) {
		if ((int64_t)off + d < 0)
			continue;
		pattern_fill(f->key, off + d, cand, sizeof(cand));
		if (memcmp(cand, got, sizeof(cand)) == 0) {
			printf("  %s: the bytes found are stream offset %" PRIu64
			       " (%+" PRId64 "): %s\n", f->name, off + d, d,
			       d > 0 ? "bytes were lost or skipped" :
			       "bytes were duplicated or replayed");
			return;
		}
	}
	printf("  %s: the bytes found match no stream offset within +-%" PRId64
	       ": corrupted\n", f->name, span);
}

static int
stream_verify(struct qp_flow *f, enum flow_op op, uint64_t off,
	      const uint8_t *got, size_t len)
{
	size_t i;

	if (len == 0)
		return 0; /* got may be NULL (empty second zero-copy region) */
	pattern_fill(f->key, off, f->exp, len);
	if (likely(memcmp(f->exp, got, len) == 0))
		return 0;
	for (i = 0; f->exp[i] == got[i]; i++)
		;
	flow_fail(f, "%s: data mismatch at stream offset %" PRIu64
		  ": expected 0x%02x, got 0x%02x", op_names[op], off + i,
		  f->exp[i], got[i]);
	if (len - i >= 16)
		stream_locate(f, off + i, got + i);
	return -1;
}

/* Ring position of the next byte this half moves (headers started at 0). */
static uint64_t
ring_pos(const struct qp_flow *f)
{
	return f->ring_bytes % f->conf.ring.size;
}

/* A zero-copy window must be the next @p n ring bytes, split at the wrap. */
static int
zc_check(const struct qp_flow *f, enum flow_op op,
	 const struct rte_vmci_qp_zc *zc, size_t n)
{
	uint8_t *data = f->conf.ring.data;
	uint64_t size = f->conf.ring.size;
	uint64_t at = ring_pos(f);

	if (zc->len1 + zc->len2 != n || zc->ptr1 != data + at ||
	    zc->len1 > size - at ||
	    (zc->len2 == 0 && zc->ptr2 != NULL) ||
	    (zc->len2 != 0 && (zc->ptr2 != data || zc->len1 != size - at))) {
		flow_fail(f, "%s returned %zu with window {%p+%zu, %p+%zu}; "
			  "expected %zu bytes from ring offset %" PRIu64
			  " (data %p, size %" PRIu64 ") split at the wrap",
			  op_names[op], n, zc->ptr1, zc->len1, zc->ptr2,
			  zc->len2, n, at, data, size);
		return -1;
	}
	return 0;
}

static void
advance_bytes(struct qp_flow *f, size_t n)
{
	f->pos += n;
	f->ring_bytes += n;
}

/* Longest stream call: bulk calls up to capacity, bursts a bit beyond. */
static size_t
stream_max(const struct qp_flow *f, bool bulk)
{
	uint64_t size = f->conf.ring.size;

	return bulk ? size - 1 : size + size / 4;
}

static size_t
stream_len(struct qp_flow *f, bool bulk)
{
	size_t len = pick_len(f, stream_max(f, bulk));

	return (size_t)RTE_MIN((uint64_t)len, f->conf.bytes - f->pos);
}

/* Rarely: a _bulk call longer than the queue can ever hold fails whole. */
static int
check_never_fits(struct qp_flow *f, enum flow_op op)
{
	size_t len = f->conf.ring.size;
	ssize_t ret;

	if (rng_below(f, 256) != 0)
		return 0;
	if (f->tx)
		ret = rte_vmci_qp_enqueue_bulk(f->conf.qp, f->buf, len);
	else
		ret = rte_vmci_qp_dequeue_bulk(f->conf.qp, f->buf, len);
	if (ret == -EMSGSIZE)
		return 0;
	flow_fail(f, "%s(len %zu = queue size) returned %zd, expected -EMSGSIZE",
		  op_names[op], len, ret);
	return -1;
}

static ssize_t
stream_tx_zc(struct qp_flow *f, enum flow_op op, size_t len)
{
	bool bulk = op == OP_ENQ_ZC_BULK;
	struct rte_vmci_qp_zc zc;
	ssize_t ret;
	size_t n;
	int rc;

	ret = bulk ? rte_vmci_qp_enqueue_zc_bulk_start(f->conf.qp, len, &zc) :
		rte_vmci_qp_enqueue_zc_burst_start(f->conf.qp, len, &zc);
	if (check_count(f, op, ret, len, bulk) < 0)
		return -1;
	n = 0;
	if (ret > 0) {
		if (zc_check(f, op, &zc, ret) < 0)
			return -1;
		pattern_fill(f->key, f->pos, zc.ptr1, zc.len1);
		pattern_fill(f->key, f->pos + zc.len1, zc.ptr2, zc.len2);
		n = pick_part(f, ret);
	}
	rc = rte_vmci_qp_enqueue_zc_finish(f->conf.qp, n);
	if (rc != 0) {
		flow_fail(f, "enqueue_zc_finish(%zu) after mapping %zd returned %d",
			  n, ret, rc);
		return -1;
	}
	return n;
}

/* Copying producer calls: fill a buffer with the next bytes, offer it. */
static ssize_t
stream_tx_copy(struct qp_flow *f, enum flow_op op, size_t len, bool bulk)
{
	struct rte_vmci_qp *qp = f->conf.qp;
	struct iovec iov[MAX_SEGS];
	ssize_t ret;

	if (op == OP_ENQ_BULK && check_never_fits(f, op) < 0)
		return -1;
	pattern_fill(f->key, f->pos, f->buf, len);
	switch (op) {
	case OP_ENQ_BULK:
		ret = rte_vmci_qp_enqueue_bulk(qp, f->buf, len);
		break;
	case OP_ENQ_BURST:
		ret = rte_vmci_qp_enqueue_burst(qp, f->buf, len);
		break;
	case OP_ENQV_BULK:
		ret = rte_vmci_qp_enqueuev_bulk(qp, iov, split_iov(f, f->buf, len, iov));
		break;
	default:
		ret = rte_vmci_qp_enqueuev_burst(qp, iov, split_iov(f, f->buf, len, iov));
		break;
	}
	return check_count(f, op, ret, len, bulk) < 0 ? -1 : ret;
}

static ssize_t
stream_tx_step(struct qp_flow *f, enum flow_op op)
{
	bool bulk = op == OP_ENQ_BULK || op == OP_ENQV_BULK || op == OP_ENQ_ZC_BULK;
	size_t len = stream_len(f, bulk);
	ssize_t ret;

	if (op == OP_ENQ_ZC_BULK || op == OP_ENQ_ZC_BURST)
		ret = stream_tx_zc(f, op, len);
	else
		ret = stream_tx_copy(f, op, len, bulk);
	if (ret > 0)
		advance_bytes(f, ret);
	return ret;
}

static ssize_t
stream_rx_zc(struct qp_flow *f, enum flow_op op, size_t len)
{
	bool bulk = op == OP_DEQ_ZC_BULK;
	struct rte_vmci_qp_zc zc;
	ssize_t ret;
	size_t n;
	int rc;

	ret = bulk ? rte_vmci_qp_dequeue_zc_bulk_start(f->conf.qp, len, &zc) :
		rte_vmci_qp_dequeue_zc_burst_start(f->conf.qp, len, &zc);
	if (check_count(f, op, ret, len, bulk) < 0)
		return -1;
	n = 0;
	if (ret > 0) {
		if (zc_check(f, op, &zc, ret) < 0 ||
		    stream_verify(f, op, f->pos, zc.ptr1, zc.len1) < 0 ||
		    stream_verify(f, op, f->pos + zc.len1, zc.ptr2, zc.len2) < 0)
			return -1;
		n = pick_part(f, ret);
	}
	rc = rte_vmci_qp_dequeue_zc_finish(f->conf.qp, n);
	if (rc != 0) {
		flow_fail(f, "dequeue_zc_finish(%zu) after mapping %zd returned %d",
			  n, ret, rc);
		return -1;
	}
	return n;
}

/* Peek, check, then consume a random prefix of what was seen. */
static ssize_t
stream_rx_peek(struct qp_flow *f, enum flow_op op, size_t len)
{
	bool bulk = op == OP_PEEK_BULK;
	bool discard_bulk = rng_below(f, 2) == 0;
	ssize_t ret, got;
	size_t n;

	guard_set(f->buf + len);
	ret = bulk ? rte_vmci_qp_peek_bulk(f->conf.qp, f->buf, len) :
		rte_vmci_qp_peek_burst(f->conf.qp, f->buf, len);
	if (check_count(f, op, ret, len, bulk) < 0 ||
	    guard_check(f, op, f->buf, len) < 0 ||
	    stream_verify(f, op, f->pos, f->buf, ret) < 0)
		return -1;
	if (ret == 0)
		return 0;
	n = pick_part(f, ret);
	got = discard_bulk ? rte_vmci_qp_discard_bulk(f->conf.qp, n) :
		rte_vmci_qp_discard_burst(f->conf.qp, n);
	if (got != (ssize_t)n) {
		flow_fail(f, "discard_%s(%zu) of peeked bytes returned %zd",
			  discard_bulk ? "bulk" : "burst", n, got);
		return -1;
	}
	return n;
}

/* Copying consumer calls: read into a guarded buffer, check every byte. */
static ssize_t
stream_rx_copy(struct qp_flow *f, enum flow_op op, size_t len, bool bulk)
{
	struct rte_vmci_qp *qp = f->conf.qp;
	struct iovec iov[MAX_SEGS];
	ssize_t ret;

	if (op == OP_DEQ_BULK && check_never_fits(f, op) < 0)
		return -1;
	guard_set(f->buf + len);
	switch (op) {
	case OP_DEQ_BULK:
		ret = rte_vmci_qp_dequeue_bulk(qp, f->buf, len);
		break;
	case OP_DEQ_BURST:
		ret = rte_vmci_qp_dequeue_burst(qp, f->buf, len);
		break;
	case OP_DEQV_BULK:
		ret = rte_vmci_qp_dequeuev_bulk(qp, iov, split_iov(f, f->buf, len, iov));
		break;
	default:
		ret = rte_vmci_qp_dequeuev_burst(qp, iov, split_iov(f, f->buf, len, iov));
		break;
	}
	if (check_count(f, op, ret, len, bulk) < 0 ||
	    guard_check(f, op, f->buf, len) < 0 ||
	    stream_verify(f, op, f->pos, f->buf, ret) < 0)
		return -1;
	return ret;
}

static ssize_t
stream_rx_step(struct qp_flow *f, enum flow_op op)
{
	bool bulk = op == OP_DEQ_BULK || op == OP_DEQV_BULK ||
		op == OP_PEEK_BULK || op == OP_DEQ_ZC_BULK;
	size_t len = stream_len(f, bulk);
	ssize_t ret;

	if (op == OP_DEQ_ZC_BULK || op == OP_DEQ_ZC_BURST)
		ret = stream_rx_zc(f, op, len);
	else if (op == OP_PEEK_BULK || op == OP_PEEK_BURST)
		ret = stream_rx_peek(f, op, len);
	else
		ret = stream_rx_copy(f, op, len, bulk);
	if (ret > 0)
		advance_bytes(f, ret);
	return ret;
}

/*
 * Message lengths: an eighth empty, then mostly small or up to a quarter
 * of the largest, some up to the largest and a few exactly the largest.
 */
static uint32_t
msg_len(const struct qp_flow *f, uint64_t seq)
{
	uint64_t h = mix64(f->conf.seed ^ mix64(seq));
	uint64_t r = h >> 8;
	uint32_t max = f->max_msg;

	switch (h & 7) {
	case 0:
		return 0;
	case 1:
	case 2:
	case 3:
		return (uint32_t)RTE_MIN(r % 65, (uint64_t)max);
	case 4:
	case 5:
	case 6:
		return (uint32_t)(r % (max / 4 + 1));
	default:
		return (h & 0xf0) == 0 ? max : (uint32_t)(r % (max + 1));
	}
}

static uint64_t
msg_key(const struct qp_flow *f, uint64_t seq)
{
	return mix64(f->key ^ (seq * 0x9e3779b97f4a7c15ULL));
}

/* Write message @p seq (payload only) to @p dst; returns its length. */
static uint32_t
msg_build(const struct qp_flow *f, uint64_t seq, uint8_t *dst)
{
	uint32_t len = msg_len(f, seq);
	uint64_t key = msg_key(f, seq);
	struct msg_tag tag = { .seq = seq, .len = len, .key = (uint32_t)key };

	pattern_fill(key, 0, dst, len);
	memcpy(dst, &tag, RTE_MIN((size_t)len, sizeof(tag)));
	return len;
}

static void
advance_msg(struct qp_flow *f, uint32_t len)
{
	f->pos += len;
	f->ring_bytes += rec_len(len);
	f->seq++;
}

/* Describe what a wrong message looks like, from its tag if it has one. */
static void
msg_locate(const struct qp_flow *f, const uint8_t *got, size_t len)
{
	struct msg_tag tag;

	if (len < sizeof(tag)) {
		printf("  %s: received message too short to carry a tag\n", f->name);
		return;
	}
	memcpy(&tag, got, sizeof(tag));
	if (tag.key == (uint32_t)msg_key(f, tag.seq) && tag.len == msg_len(f, tag.seq))
		printf("  %s: received message is message %" PRIu64 " (%+" PRId64
		       "): messages were %s\n", f->name, tag.seq,
		       (int64_t)(tag.seq - f->seq),
		       tag.seq > f->seq ? "lost" : "duplicated or replayed");
	else
		printf("  %s: received message carries no valid tag: corrupted\n",
		       f->name);
}

static int
msg_verify(struct qp_flow *f, enum flow_op op, const uint8_t *got, size_t len)
{
	uint32_t want = msg_build(f, f->seq, f->exp);
	size_t i;

	if (len != want) {
		flow_fail(f, "%s: message length %zu, expected %u", op_names[op],
			  len, want);
		msg_locate(f, got, len);
		return -1;
	}
	if (likely(memcmp(f->exp, got, len) == 0))
		return 0;
	for (i = 0; f->exp[i] == got[i]; i++)
		;
	flow_fail(f, "%s: message payload mismatch at byte %zu of %zu: "
		  "expected 0x%02x, got 0x%02x", op_names[op], i, len,
		  f->exp[i], got[i]);
	msg_locate(f, got, len);
	return -1;
}

/*
 * Build up to @p max next messages into the slots, stopping at the end of
 * the flow and, for bulk calls, before the batch could never fit at once.
 */
static unsigned int
msg_batch(struct qp_flow *f, unsigned int max, bool bulk, struct iovec *iov)
{
	uint64_t room = f->conf.ring.size - 1;
	uint64_t pos = f->pos;
	uint64_t ring = 0;
	unsigned int n;

	for (n = 0; n < max && pos < f->conf.bytes; n++) {
		uint32_t len = msg_len(f, f->seq + n);

		if (bulk && ring + rec_len(len) > room)
			break;
		iov[n].iov_base = f->buf + n * f->slot;
		iov[n].iov_len = msg_build(f, f->seq + n, iov[n].iov_base);
		pos += len;
		ring += rec_len(len);
	}
	return n;
}

static int
msg_stage(struct qp_flow *f, const struct iovec *msgs, unsigned int n)
{
	struct iovec seg[MAX_SEGS];
	unsigned int i;
	int ret = 0;

	for (i = 0; i < n; i++) {
		int nseg = split_iov(f, msgs[i].iov_base, msgs[i].iov_len, seg);

		ret = rte_vmci_qp_msg_stagev(f->conf.qp, seg, nseg);
		if (ret != 1)
			break;
	}
	rte_vmci_qp_publish(f->conf.qp);
	if (ret < 0) {
		flow_fail(f, "msg_stagev of a %zu-byte message returned %d (%s)",
			  msgs[i].iov_len, ret, strerror(-ret));
		return -1;
	}
	return (int)i;
}

static int
msg_tx_step(struct qp_flow *f, enum flow_op op)
{
	unsigned int want = 1 + rng_below(f, MAX_BATCH);
	struct iovec msgs[MAX_BATCH];
	unsigned int n, i;
	int ret;

	n = msg_batch(f, want, op == OP_MSG_ENQ_BULK, msgs);
	switch (op) {
	case OP_MSG_ENQ_BURST:
		ret = rte_vmci_qp_msg_enqueue_burst(f->conf.qp, msgs, n);
		break;
	case OP_MSG_ENQ_BULK:
		ret = rte_vmci_qp_msg_enqueue_bulk(f->conf.qp, msgs, n);
		break;
	default:
		ret = msg_stage(f, msgs, n);
		if (ret < 0)
			return -1;
		break;
	}
	if (ret < 0 || (unsigned int)ret > n ||
	    (op == OP_MSG_ENQ_BULK && ret != 0 && (unsigned int)ret != n)) {
		flow_fail(f, "%s(%u messages) returned %d (%s), expected %s",
			  op_names[op], n, ret, ret < 0 ? strerror(-ret) : "count",
			  op == OP_MSG_ENQ_BULK ? "0 or all" : "0..n");
		return -1;
	}
	for (i = 0; i < (unsigned int)ret; i++)
		advance_msg(f, msgs[i].iov_len);
	return ret;
}

/* Check and account @p n received messages held in @p bufs. */
static int
msg_accept(struct qp_flow *f, enum flow_op op, const struct iovec *bufs,
	   const size_t *cap, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		if (guard_check(f, op, bufs[i].iov_base, cap[i]) < 0 ||
		    msg_verify(f, op, bufs[i].iov_base, bufs[i].iov_len) < 0)
			return -1;
		advance_msg(f, bufs[i].iov_len);
	}
	return n;
}

/* Dequeue into @p n slots of the given capacities; checks the count. */
static int
msg_dequeue(struct qp_flow *f, enum flow_op op, struct iovec *bufs,
	    const size_t *cap, unsigned int n)
{
	unsigned int i;
	int ret;

	for (i = 0; i < n; i++) {
		bufs[i].iov_base = f->buf + i * f->slot;
		bufs[i].iov_len = cap[i];
		guard_set(f->buf + i * f->slot + cap[i]);
	}
	ret = rte_vmci_qp_msg_dequeue_burst(f->conf.qp, bufs, n);
	if (ret < 0 || (unsigned int)ret > n) {
		flow_fail(f, "%s: msg_dequeue_burst(%u buffers, first %zu bytes "
			  "for a %u-byte message) returned %d (%s)", op_names[op],
			  n, cap[0], msg_len(f, f->seq), ret,
			  ret < 0 ? strerror(-ret) : "count");
		return -1;
	}
	return msg_accept(f, op, bufs, cap, ret);
}

static int
msg_rx_burst(struct qp_flow *f)
{
	unsigned int n = 1 + rng_below(f, MAX_BATCH);
	struct iovec bufs[MAX_BATCH];
	size_t cap[MAX_BATCH];
	unsigned int i;

	for (i = 0; i < n; i++)
		cap[i] = f->max_msg;
	return msg_dequeue(f, OP_MSG_DEQ_BURST, bufs, cap, n);
}

/*
 * One buffer sized exactly for the next message, or one byte short: the
 * short one must be refused whole (-EMSGSIZE) or find nothing ready.
 */
static int
msg_rx_tight(struct qp_flow *f)
{
	uint32_t len = msg_len(f, f->seq);
	struct iovec buf;
	size_t cap;
	int ret;

	if (len == 0 || rng_below(f, 2) == 0) {
		cap = len;
		return msg_dequeue(f, OP_MSG_DEQ_TIGHT, &buf, &cap, 1);
	}
	buf.iov_base = f->buf;
	buf.iov_len = len - 1;
	guard_set(f->buf + len - 1);
	ret = rte_vmci_qp_msg_dequeue_burst(f->conf.qp, &buf, 1);
	if (ret == 0 || ret == -EMSGSIZE)
		return guard_check(f, OP_MSG_DEQ_TIGHT, f->buf, len - 1);
	flow_fail(f, "msg_dequeue_burst into %u bytes for a %u-byte message "
		  "returned %d (%s), expected 0 or -EMSGSIZE", len - 1, len, ret,
		  ret < 0 ? strerror(-ret) : "count");
	return -1;
}

/* Release fetched bytes, sometimes only on a later step. */
static void
msg_maybe_release(struct qp_flow *f, bool force)
{
	if (f->held && (force || rng_below(f, 4) != 0)) {
		rte_vmci_qp_release(f->conf.qp);
		f->held = false;
	}
}

/* Fetch one message scattered over segments; 1, 0 (none) or -1. */
static int
msg_fetch_one(struct qp_flow *f)
{
	uint32_t len = msg_len(f, f->seq);
	bool short_buf = len > 0 && rng_below(f, 8) == 0;
	size_t cap = short_buf ? len - 1 : len + rng_below(f, 64);
	struct iovec seg[MAX_SEGS];
	int64_t ret;

	guard_set(f->buf + cap);
	ret = rte_vmci_qp_msg_fetchv(f->conf.qp, seg, split_iov(f, f->buf, cap, seg));
	if (ret == -EAGAIN || (short_buf && ret == -EMSGSIZE))
		return 0;
	if (ret != len) {
		flow_fail(f, "msg_fetchv into %zu bytes for a %u-byte message "
			  "returned %" PRId64 " (%s)%s", cap, len, ret,
			  ret < 0 ? strerror((int)-ret) : "length",
			  short_buf ? ", expected -EMSGSIZE or -EAGAIN" : "");
		if (ret > 0)
			msg_locate(f, f->buf, RTE_MIN((size_t)ret, cap));
		return -1;
	}
	if (short_buf) {
		flow_fail(f, "msg_fetchv accepted a %u-byte message into %zu bytes",
			  len, cap);
		return -1;
	}
	if (guard_check(f, OP_MSG_FETCHV, f->buf, cap) < 0 ||
	    msg_verify(f, OP_MSG_FETCHV, f->buf, len) < 0)
		return -1;
	advance_msg(f, len);
	f->held = true;
	return 1;
}

static int
msg_rx_fetch(struct qp_flow *f)
{
	unsigned int want = 1 + rng_below(f, MAX_BATCH);
	unsigned int n;
	int ret = 1;

	for (n = 0; n < want && f->pos < f->conf.bytes; n++) {
		ret = msg_fetch_one(f);
		if (ret != 1)
			break;
	}
	if (ret < 0)
		return -1;
	msg_maybe_release(f, false);
	return (int)n;
}

/* The announced length must be the next message's; then read just it. */
static int
msg_rx_peek(struct qp_flow *f)
{
	uint32_t len = msg_len(f, f->seq);
	struct iovec buf;
	size_t cap = len;
	int64_t ret;

	ret = rte_vmci_qp_msg_peek_len(f->conf.qp);
	if (ret == -EAGAIN)
		return 0;
	if (ret != len) {
		flow_fail(f, "msg_peek_len returned %" PRId64 " (%s), expected %u "
			  "or -EAGAIN", ret, ret < 0 ? strerror((int)-ret) : "length",
			  len);
		return -1;
	}
	ret = msg_dequeue(f, OP_MSG_PEEK_LEN, &buf, &cap, 1);
	if (ret == 0)
		flow_fail(f, "msg_dequeue_burst found nothing after msg_peek_len "
			  "announced %u bytes", len);
	return ret == 1 ? 1 : -1;
}

static int
msg_rx_step(struct qp_flow *f, enum flow_op op)
{
	int ret;

	switch (op) {
	case OP_MSG_DEQ_BURST:
		ret = msg_rx_burst(f);
		break;
	case OP_MSG_DEQ_TIGHT:
		ret = msg_rx_tight(f);
		break;
	case OP_MSG_FETCHV:
		ret = msg_rx_fetch(f);
		break;
	default:
		ret = msg_rx_peek(f);
		break;
	}
	if (ret >= 0 && f->pos >= f->conf.bytes)
		msg_maybe_release(f, true);
	return ret;
}

static bool
flow_done(const struct qp_flow *f)
{
	return f->pos >= f->conf.bytes;
}

/* One random call; returns units moved (> 0 is progress) or -1. */
static int64_t
flow_step(struct qp_flow *f)
{
	enum flow_op op = f->ops[rng_below(f, f->nb_ops)];
	int64_t ret;

	if (f->conf.kind == QP_FLOW_STREAM)
		ret = f->tx ? stream_tx_step(f, op) : stream_rx_step(f, op);
	else
		ret = f->tx ? msg_tx_step(f, op) : msg_rx_step(f, op);
	f->calls[op]++;
	if (ret > 0)
		f->moved[op]++;
	return ret;
}

static void
flow_set_ops(struct qp_flow *f)
{
	if (f->conf.kind == QP_FLOW_STREAM) {
		f->ops = f->tx ? stream_tx_ops : stream_rx_ops;
		f->nb_ops = f->tx ? RTE_DIM(stream_tx_ops) : RTE_DIM(stream_rx_ops);
	} else {
		f->ops = f->tx ? msg_tx_ops : msg_rx_ops;
		f->nb_ops = f->tx ? RTE_DIM(msg_tx_ops) : RTE_DIM(msg_rx_ops);
	}
}

/* The producer's view of the largest message must match the queue size. */
static int
flow_check_info(struct qp_flow *f)
{
	struct rte_vmci_qp_info info;
	uint64_t size = f->conf.ring.size;
	int ret;

	ret = rte_vmci_qp_info_get(f->conf.qp, &info);
	if (ret != 0) {
		flow_fail(f, "info_get returned %d", ret);
		return -1;
	}
	if ((f->tx ? info.produce_size : info.consume_size) != size) {
		flow_fail(f, "endpoint %s queue is %" PRIu64 " bytes, expected %"
			  PRIu64, f->tx ? "produce" : "consume",
			  f->tx ? info.produce_size : info.consume_size, size);
		return -1;
	}
	if (f->tx && f->conf.kind == QP_FLOW_MSG && info.max_tx_msg_len != f->max_msg) {
		flow_fail(f, "max_tx_msg_len %u for a %" PRIu64 "-byte queue, "
			  "expected %u (8-byte header plus payload padded to 8 "
			  "in size - 1 bytes)", info.max_tx_msg_len, size, f->max_msg);
		return -1;
	}
	return 0;
}

static int
flow_alloc_buffers(struct qp_flow *f)
{
	size_t buf_len, exp_len;

	if (f->conf.kind == QP_FLOW_STREAM) {
		buf_len = RTE_MAX(stream_max(f, false), (size_t)f->conf.ring.size) +
			GUARD_LEN;
		exp_len = buf_len;
		f->slot = 0;
	} else {
		/* fetchv may offer up to 63 bytes of slack past the message */
		f->slot = RTE_ALIGN_CEIL((size_t)f->max_msg + 64 + GUARD_LEN, 64);
		buf_len = MAX_BATCH * f->slot;
		exp_len = f->max_msg + 16;
	}
	f->buf = malloc(buf_len);
	f->exp = malloc(exp_len);
	if (f->buf == NULL || f->exp == NULL) {
		printf("  %s: out of memory for %zu-byte buffers\n", f->name, buf_len);
		return -1;
	}
	return 0;
}

struct qp_flow *
qp_flow_create(const struct qp_flow_conf *conf, bool tx)
{
	struct qp_flow *f = calloc(1, sizeof(*f));

	if (f == NULL) {
		printf("  %s: out of memory\n", conf->name);
		return NULL;
	}
	f->conf = *conf;
	f->tx = tx;
	snprintf(f->name, sizeof(f->name), "%s %s", conf->name, tx ? "tx" : "rx");
	/* op choice differs per half; content keys are shared */
	f->rng = mix64(conf->seed ^ (tx ? 0x7478ULL : 0x7278ULL)) | 1;
	f->key = mix64(conf->seed);
	f->max_msg = qp_flow_max_msg_len(conf->ring.size);
	flow_set_ops(f);
	if (conf->ring.size < 2 || (conf->kind == QP_FLOW_MSG && f->max_msg == 0)) {
		printf("  %s: queue of %" PRIu64 " bytes too small\n", f->name,
		       conf->ring.size);
		goto fail;
	}
	if (flow_check_info(f) < 0 || flow_alloc_buffers(f) < 0)
		goto fail;
	return f;
fail:
	qp_flow_free(f);
	return NULL;
}

void
qp_flow_free(struct qp_flow *f)
{
	if (f == NULL)
		return;
	free(f->buf);
	free(f->exp);
	free(f);
}

static void
flow_print_stall(struct qp_flow *const *flows, unsigned int n,
		 unsigned int stall_s)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		flow_fail(flows[i], "no progress for %u s (%s, %" PRIu64
			  " of %" PRIu64 " bytes)", stall_s,
			  flow_done(flows[i]) ? "done" : "waiting",
			  flows[i]->pos, flows[i]->conf.bytes);
}

static bool
flow_aborted(const struct qp_flow_watch *w)
{
	return w->abort != NULL && __atomic_load_n(w->abort, __ATOMIC_RELAXED) != 0;
}

/* One pass over the flows: 1 if any moved, 0 if none, -1 on failure. */
static int
flow_pass(struct qp_flow *const *flows, unsigned int n, unsigned int *live)
{
	int progress = 0;
	unsigned int i;

	*live = 0;
	for (i = 0; i < n; i++) {
		int64_t ret;

		if (flow_done(flows[i]))
			continue;
		(*live)++;
		ret = flow_step(flows[i]);
		if (ret < 0)
			return -1;
		if (ret > 0)
			progress = 1;
	}
	return progress;
}

int
qp_flow_loop(struct qp_flow *const *flows, unsigned int n,
	     const struct qp_flow_watch *w)
{
	uint64_t hz = rte_get_tsc_hz();
	uint64_t last = rte_get_tsc_cycles();
	uint64_t next_poll = last + hz / POLL_PER_S;
	unsigned int live;

	for (;;) {
		int progress = flow_pass(flows, n, &live);
		uint64_t now;

		if (progress < 0)
			goto fail;
		if (live == 0)
			return 0;
		if (flow_aborted(w)) {
			printf("  %s: stopped: a sibling loop failed\n", flows[0]->name);
			return -1;
		}
		now = rte_get_tsc_cycles();
		if (progress) {
			last = now;
		} else if (now - last > (uint64_t)w->stall_s * hz) {
			flow_print_stall(flows, n, w->stall_s);
			goto fail;
		} else {
			rte_pause();
		}
		if (w->poll != NULL && now >= next_poll) {
			next_poll = now + hz / POLL_PER_S;
			if (w->poll(w->poll_arg) != 0)
				goto fail;
		}
	}
fail:
	if (w->abort != NULL)
		__atomic_store_n(w->abort, 1, __ATOMIC_RELAXED);
	return -1;
}

/* Over a long run every API of the mix must have moved data at least once. */
static int
flow_check_coverage(const struct qp_flow *f)
{
	uint64_t total = 0;
	unsigned int i;

	/* count calls that moved data: idle polling says nothing about the mix */
	for (i = 0; i < f->nb_ops; i++)
		total += f->moved[f->ops[i]];
	if (total < 1000ULL * f->nb_ops)
		return 0; /* too short a run to insist */
	for (i = 0; i < f->nb_ops; i++) {
		if (f->moved[f->ops[i]] == 0) {
			flow_fail(f, "%s never moved data in %" PRIu64 " calls",
				  op_names[f->ops[i]], f->calls[f->ops[i]]);
			return -1;
		}
	}
	return 0;
}

static int
flow_check_stats(const struct qp_flow *f)
{
	struct rte_vmci_qp_stats st;
	uint64_t bytes, msgs, errs;

	if (rte_vmci_qp_stats_get(f->conf.qp, &st) != 0) {
		flow_fail(f, "stats_get failed");
		return -1;
	}
	bytes = f->tx ? st.enq_bytes : st.deq_bytes;
	msgs = f->tx ? st.enq_msgs : st.deq_msgs;
	errs = st.idx_errors + st.rec_errors;
	if (bytes != f->ring_bytes ||
	    (f->conf.kind == QP_FLOW_MSG && msgs != f->seq) || errs != 0) {
		flow_fail(f, "stats: %s_bytes %" PRIu64 " (expected %" PRIu64
			  "), %s_msgs %" PRIu64 " (expected %" PRIu64
			  "), idx_errors %" PRIu64 ", rec_errors %" PRIu64,
			  f->tx ? "enq" : "deq", bytes, f->ring_bytes,
			  f->tx ? "enq" : "deq", msgs,
			  f->conf.kind == QP_FLOW_MSG ? f->seq : msgs,
			  st.idx_errors, st.rec_errors);
		return -1;
	}
	return 0;
}

/* Nothing may follow the last byte or message of the flow. */
static int
flow_check_drained(const struct qp_flow *f)
{
	int64_t ret;

	if (f->tx)
		return 0;
	if (f->conf.kind == QP_FLOW_STREAM) {
		ret = rte_vmci_qp_ready_bytes(f->conf.qp);
		if (ret == 0)
			return 0;
		flow_fail(f, "ready_bytes %" PRId64 " after the last byte, expected 0",
			  ret);
	} else {
		ret = rte_vmci_qp_msg_peek_len(f->conf.qp);
		if (ret == -EAGAIN)
			return 0;
		flow_fail(f, "msg_peek_len %" PRId64 " after the last message, "
			  "expected -EAGAIN", ret);
	}
	return -1;
}

int
qp_flow_check_end(const struct qp_flow *f)
{
	if (!flow_done(f)) {
		flow_fail(f, "flow did not finish");
		return -1;
	}
	if (flow_check_drained(f) < 0 || flow_check_stats(f) < 0 ||
	    flow_check_coverage(f) < 0)
		return -1;
	return 0;
}

void
qp_flow_report(const struct qp_flow *f, double seconds)
{
	unsigned int i;

	printf("  %s: %" PRIu64 " payload bytes", f->name, f->pos);
	if (f->conf.kind == QP_FLOW_MSG)
		printf(" in %" PRIu64 " messages", f->seq);
	if (seconds > 0)
		printf(", %.1f MiB/s", f->pos / seconds / (1024.0 * 1024.0));
	printf("; calls moved/made:");
	for (i = 0; i < f->nb_ops; i++)
		printf(" %s %" PRIu64 "/%" PRIu64, op_names[f->ops[i]],
		       f->moved[f->ops[i]], f->calls[f->ops[i]]);
	printf("\n");
}
