/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

/*
 * Framed messages: record layout on the wire, every awkward length across
 * the wrap of odd-sized queues, burst/bulk limits, staging and publishing,
 * fetching and releasing.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_qp_common.h"

#define QSIZE 1001 /* odd: record starts land on every ring offset mod 8 */
#define OTHER_SIZE 61
#define MAX_MSGS 8

/* Fill n message buffers from buf with consecutive pattern payloads. */
static void
msgs_build(const struct qpt_pair *p, int q, const size_t *lens, unsigned int n,
	   struct iovec *iov, uint8_t *buf)
{
	uint64_t off = p->wr[q];
	unsigned int i;

	for (i = 0; i < n; i++) {
		iov[i].iov_base = buf;
		iov[i].iov_len = lens[i];
		qpt_pattern_fill(buf, lens[i], off);
		buf += lens[i];
		off += lens[i];
	}
}

static uint64_t
lens_sum(const size_t *lens, unsigned int n)
{
	uint64_t sum = 0;
	unsigned int i;

	for (i = 0; i < n; i++)
		sum += lens[i];
	return sum;
}

static uint64_t
recs_size(const size_t *lens, unsigned int n)
{
	uint64_t sum = 0;
	unsigned int i;

	for (i = 0; i < n; i++)
		sum += qpt_rec_size(lens[i]);
	return sum;
}

typedef int (*msg_enqueue_fn)(struct rte_vmci_qp *qp, const struct iovec *msgs,
			      unsigned int n);

/* Enqueue n pattern messages with fn; expects @p expect, advances wr. */
static int
msgs_enqueue(struct qpt_pair *p, int q, msg_enqueue_fn fn, const size_t *lens,
	     unsigned int n, int expect)
{
	struct iovec iov[MAX_MSGS];
	uint8_t *buf = malloc(lens_sum(lens, n) + 1);
	int ret;

	TEST_ASSERT(buf != NULL, "out of memory");
	msgs_build(p, q, lens, n, iov, buf);
	ret = fn(p->ep[q], iov, n);
	free(buf);
	TEST_ASSERT_EQUAL(ret, expect, "enqueue of %u messages", n);
	if (ret > 0)
		p->wr[q] += lens_sum(lens, ret);
	return TEST_SUCCESS;
}

static int
msgs_send(struct qpt_pair *p, int q, const size_t *lens, unsigned int n, int expect)
{
	return msgs_enqueue(p, q, rte_vmci_qp_msg_enqueue_burst, lens, n, expect);
}

static int
msgs_send_bulk(struct qpt_pair *p, int q, const size_t *lens, unsigned int n,
	       int expect)
{
	return msgs_enqueue(p, q, rte_vmci_qp_msg_enqueue_bulk, lens, n, expect);
}

static int
msg_send(struct qpt_pair *p, int q, size_t len)
{
	return msgs_send(p, q, &len, 1, 1);
}

/* Dequeue n messages with roomy buffers and check them. */
static int
msgs_recv(struct qpt_pair *p, int q, const size_t *lens, unsigned int n)
{
	struct iovec bufs[MAX_MSGS];
	size_t cap = 0;
	uint8_t *mem;
	unsigned int i;
	int ret;

	for (i = 0; i < n; i++)
		cap = RTE_MAX(cap, lens[i] + 8);
	mem = malloc(cap * MAX_MSGS);
	TEST_ASSERT(mem != NULL, "out of memory");
	memset(mem, QPT_FILL, cap * MAX_MSGS);
	for (i = 0; i < MAX_MSGS; i++) {
		bufs[i].iov_base = mem + i * cap;
		bufs[i].iov_len = cap;
	}
	ret = rte_vmci_qp_msg_dequeue_burst(p->ep[1 - q], bufs, n);
	if (ret != (int)n) {
		free(mem);
		TEST_ASSERT_EQUAL(ret, n, "msg_dequeue_burst");
	}
	for (i = 0; i < n; i++) {
		if (bufs[i].iov_len != lens[i] ||
		    qpt_pattern_check(bufs[i].iov_base, lens[i], p->rd[q]) != TEST_SUCCESS ||
		    qpt_bytes_check(mem + i * cap + lens[i], cap - lens[i],
				    QPT_FILL) != TEST_SUCCESS) {
			printf("  message %u: length %zu, expected %zu\n", i,
			       bufs[i].iov_len, lens[i]);
			free(mem);
			return TEST_FAILED;
		}
		p->rd[q] += lens[i];
	}
	free(mem);
	return TEST_SUCCESS;
}

static int
msg_recv(struct qpt_pair *p, int q, size_t len)
{
	return msgs_recv(p, q, &len, 1);
}

/* Read one message with fetchv into two segments, leaving it unreleased. */
static int
msg_fetch_only(struct qpt_pair *p, int q, size_t len)
{
	struct iovec seg[2];
	uint8_t *mem = malloc(len + 3);
	int64_t ret;
	int ok;

	TEST_ASSERT(mem != NULL, "out of memory");
	memset(mem, QPT_FILL, len + 3);
	seg[0].iov_base = mem;
	seg[0].iov_len = len / 2;
	seg[1].iov_base = mem + len / 2;
	seg[1].iov_len = len - len / 2 + 3;
	ret = rte_vmci_qp_msg_fetchv(p->ep[1 - q], seg, 2);
	ok = ret == (int64_t)len &&
		qpt_pattern_check(mem, len, p->rd[q]) == TEST_SUCCESS &&
		qpt_bytes_check(mem + len, 3, QPT_FILL) == TEST_SUCCESS;
	free(mem);
	TEST_ASSERT(ok, "fetchv returned %" PRId64 " for a %zu-byte message", ret, len);
	p->rd[q] += len;
	return TEST_SUCCESS;
}

static int
msg_fetch(struct qpt_pair *p, int q, size_t len)
{
	if (msg_fetch_only(p, q, len) != TEST_SUCCESS)
		return TEST_FAILED;
	rte_vmci_qp_release(p->ep[1 - q]);
	return TEST_SUCCESS;
}

/* Byte-stream advance kept to whole alignment units, as records need. */
static int
msg_pair(struct qpt_pair *p, uint64_t size, uint64_t pos)
{
	if (qpt_pair_create(p, size, OTHER_SIZE) != 0)
		return TEST_FAILED;
	pos -= pos % RTE_VMCI_QP_REC_ALIGN;
	if (qpt_advance(p, 0, pos) != TEST_SUCCESS) {
		qpt_pair_free(p);
		return TEST_FAILED;
	}
	return TEST_SUCCESS;
}

/* Send one message, check what it costs and what the peer sees. */
static int
msg_roundtrip(struct qpt_pair *p, size_t len, int use_fetch)
{
	int64_t before = rte_vmci_qp_free_space(p->ep[0]);

	if (msg_send(p, 0, len) != TEST_SUCCESS)
		return TEST_FAILED;
	TEST_ASSERT_EQUAL(before - rte_vmci_qp_free_space(p->ep[0]),
			  qpt_rec_size(len), "ring bytes of a %zu-byte message", len);
	TEST_ASSERT_EQUAL(rte_vmci_qp_ready_bytes(p->ep[1]), qpt_rec_size(len), "");
	TEST_ASSERT_EQUAL(rte_vmci_qp_msg_peek_len(p->ep[1]), len, "");
	TEST_ASSERT_EQUAL(rte_vmci_qp_msg_peek_len(p->ep[1]), len, "peek consumed");
	if (use_fetch)
		return msg_fetch(p, 0, len);
	return msg_recv(p, 0, len);
}

static int
lengths_for_size(uint64_t size)
{
	static const size_t lens[] = {
		0, 1, 7, 8, 9, 15, 16, 17, 31, 33, 100, 255, 256, 257,
	};
	uint32_t max = qpt_max_msg_len(size);
	struct qpt_pair p;
	uint64_t i, moved;
	int ret = TEST_FAILED;

	if (msg_pair(&p, size, 0) != TEST_SUCCESS)
		return TEST_FAILED;
	/* 8-byte records through the first wrap split a header at S mod 8. */
	for (i = 0; i <= size / 8 + 1; i++) {
		if (msg_roundtrip(&p, 0, 0) != TEST_SUCCESS)
			goto out;
	}
	for (i = 0, moved = 0; moved < 3 * size; i++) {
		size_t len = i % (RTE_DIM(lens) + 2);

		if (len == RTE_DIM(lens))
			len = max - 1;
		else if (len == RTE_DIM(lens) + 1)
			len = max;
		else
			len = RTE_MIN(lens[len], max);
		if (msg_roundtrip(&p, len, i % 2) != TEST_SUCCESS)
			goto out;
		moved += qpt_rec_size(len);
	}
	ret = qpt_guard_check(&p);
out:
	if (ret != TEST_SUCCESS)
		printf("  (queue size %" PRIu64 ", stream offset %" PRIu64 ")\n",
		       size, p.wr[0]);
	qpt_pair_free(&p);
	return ret;
}

static int
test_msg_lengths_across_wrap(void)
{
	uint64_t sizes[] = { 1001, 1002, 1003, 1004, 1005, 1006, 1007, 1008, 4097 };
	unsigned int i;

	for (i = 0; i < RTE_DIM(sizes); i++) {
		if (lengths_for_size(sizes[i]) != TEST_SUCCESS)
			return TEST_FAILED;
	}
	return TEST_SUCCESS;
}

/* Record at ring offset pos: header, payload, zero padding, wrapping. */
static int
wire_check(const struct qpt_pair *p, uint64_t pos, size_t len, uint64_t off)
{
	uint64_t rec = qpt_rec_size(len);
	struct rte_vmci_qp_rec_hdr hdr;
	uint8_t *raw = malloc(rec);
	int ok;

	TEST_ASSERT(raw != NULL, "out of memory");
	qpt_ring_read(p->data[0], p->size[0], pos, raw, rec);
	memcpy(&hdr, raw, sizeof(hdr));
	ok = hdr.len == len && hdr.magic == RTE_VMCI_QP_REC_MAGIC && hdr.flags == 0 &&
		qpt_pattern_check(raw + sizeof(hdr), len, off) == TEST_SUCCESS &&
		qpt_bytes_check(raw + sizeof(hdr) + len, rec - sizeof(hdr) - len,
				0) == TEST_SUCCESS;
	free(raw);
	TEST_ASSERT(ok, "record at %" PRIu64 ": len %u magic 0x%x flags 0x%x",
		    pos, hdr.len, hdr.magic, hdr.flags);
	return TEST_SUCCESS;
}

static int
wire_format(struct qpt_pair *p)
{
	uint64_t off = p->wr[0];

	if (msg_send(p, 0, 13) != TEST_SUCCESS || wire_check(p, 0, 13, off) != TEST_SUCCESS)
		return TEST_FAILED;
	TEST_ASSERT_EQUAL(p->data[0][24], QPT_RING_JUNK, "wrote past the record");
	TEST_ASSERT_EQUAL(p->hdr[0]->producer_tail, 24, "");
	if (msg_recv(p, 0, 13) != TEST_SUCCESS)
		return TEST_FAILED;
	/*
	 * Stream offset 3000 is ring offset 998 (3000 = 2 * 1001 + 998): the
	 * next header is split 3 + 5 across the wrap.
	 */
	if (qpt_advance(p, 0, 992) != TEST_SUCCESS ||
	    qpt_advance(p, 0, 992) != TEST_SUCCESS ||
	    qpt_advance(p, 0, 992) != TEST_SUCCESS)
		return TEST_FAILED;
	TEST_ASSERT_EQUAL(p->hdr[0]->producer_tail, 998, "");
	off = p->wr[0];
	if (msg_send(p, 0, 13) != TEST_SUCCESS || wire_check(p, 998, 13, off) != TEST_SUCCESS)
		return TEST_FAILED;
	return msg_recv(p, 0, 13);
}

static int
test_msg_wire_format(void)
{
	struct qpt_pair p;
	int ret;

	if (msg_pair(&p, QSIZE, 0) != TEST_SUCCESS)
		return TEST_FAILED;
	ret = wire_format(&p);
	qpt_pair_free(&p);
	return ret;
}

static int
info_limits(uint64_t size0, uint64_t size1)
{
	struct rte_vmci_qp_info info;
	struct qpt_pair p;
	int e, ret = TEST_SUCCESS;

	if (qpt_pair_create(&p, size0, size1) != 0)
		return TEST_FAILED;
	for (e = 0; e < 2 && ret == TEST_SUCCESS; e++) {
		if (rte_vmci_qp_info_get(p.ep[e], &info) != 0 ||
		    info.max_tx_msg_len != qpt_max_msg_len(p.size[e]) ||
		    info.max_rx_msg_len != qpt_max_msg_len(p.size[1 - e])) {
			printf("  sizes %" PRIu64 "/%" PRIu64 " side %d: max tx %u rx %u,"
			       " expected %u %u\n", size0, size1, e, info.max_tx_msg_len,
			       info.max_rx_msg_len, qpt_max_msg_len(p.size[e]),
			       qpt_max_msg_len(p.size[1 - e]));
			ret = TEST_FAILED;
		}
	}
	qpt_pair_free(&p);
	return ret;
}

/* Largest message: record of exactly size - 1 bytes when S - 9 is aligned. */
static int
max_len_for_size(uint64_t size)
{
	uint32_t max = qpt_max_msg_len(size);
	size_t lens[2] = { 1, max + 1 };
	struct qpt_pair p;
	int ret = TEST_FAILED;

	if (info_limits(size, OTHER_SIZE) != TEST_SUCCESS ||
	    msg_pair(&p, size, size / 2) != TEST_SUCCESS)
		return TEST_FAILED;
	if (msg_send(&p, 0, max) != TEST_SUCCESS ||
	    rte_vmci_qp_free_space(p.ep[0]) != (int64_t)(size - 1 - qpt_rec_size(max)) ||
	    msgs_send(&p, 0, &lens[1], 1, -EMSGSIZE) != TEST_SUCCESS ||
	    msg_recv(&p, 0, max) != TEST_SUCCESS) {
		printf("  largest message\n");
		goto out;
	}
	/* On an empty queue: the first message never fits; a later one stops. */
	if (msgs_send(&p, 0, &lens[1], 1, -EMSGSIZE) != TEST_SUCCESS ||
	    msgs_send(&p, 0, lens, 2, 1) != TEST_SUCCESS ||
	    msg_recv(&p, 0, 1) != TEST_SUCCESS)
		goto out;
	ret = qpt_guard_check(&p);
out:
	if (ret != TEST_SUCCESS)
		printf("  (queue size %" PRIu64 ", max %u)\n", size, max);
	qpt_pair_free(&p);
	return ret;
}

static int
test_msg_max_len(void)
{
	uint64_t sizes[] = { 17, 24, 25, 1001, 4096, 4097 };
	unsigned int i;

	if (info_limits(9, 4097) != TEST_SUCCESS ||
	    info_limits(1000003, 1001) != TEST_SUCCESS)
		return TEST_FAILED;
	for (i = 0; i < RTE_DIM(sizes); i++) {
		if (max_len_for_size(sizes[i]) != TEST_SUCCESS)
			return TEST_FAILED;
	}
	return TEST_SUCCESS;
}

static int
burst_and_bulk(struct qpt_pair *p)
{
	/* Records 112 + 312 + 512 + 72 = 1008 > 1000: three fit. */
	const size_t over[4] = { 100, 300, 500, 60 };
	/* 112 + 312 + 512 + 56 = 992: all fit. */
	const size_t fit[4] = { 100, 300, 500, 48 };
	const size_t big[1] = { 600 }, never[2] = { 10, 993 };

	if (msgs_send(p, 0, over, 4, 3) != TEST_SUCCESS ||
	    msgs_recv(p, 0, over, 3) != TEST_SUCCESS ||
	    msgs_send(p, 0, over, 0, 0) != TEST_SUCCESS)
		return TEST_FAILED;
	TEST_ASSERT_EQUAL(rte_vmci_qp_ready_bytes(p->ep[1]), 0, "a 4th record went in");
	if (msgs_send_bulk(p, 0, fit, 4, 4) != TEST_SUCCESS)
		return TEST_FAILED;
	TEST_ASSERT_EQUAL(rte_vmci_qp_free_space(p->ep[0]),
			  QSIZE - 1 - recs_size(fit, 4), "");
	if (msgs_recv(p, 0, fit, 4) != TEST_SUCCESS)
		return TEST_FAILED;
	/* Fits an empty queue but not now: 0, not -EMSGSIZE. */
	if (msg_send(p, 0, 500) != TEST_SUCCESS ||
	    msgs_send(p, 0, big, 1, 0) != TEST_SUCCESS ||
	    msgs_send_bulk(p, 0, big, 1, 0) != TEST_SUCCESS ||
	    msg_recv(p, 0, 500) != TEST_SUCCESS)
		return TEST_FAILED;
	/* A message that never fits stops a burst after the ones before it. */
	if (msgs_send(p, 0, never, 2, 1) != TEST_SUCCESS ||
	    msgs_send(p, 0, &never[1], 1, -EMSGSIZE) != TEST_SUCCESS ||
	    msgs_send_bulk(p, 0, &never[1], 1, -EMSGSIZE) != TEST_SUCCESS)
		return TEST_FAILED;
	return msg_recv(p, 0, 10);
}

static int
test_msg_burst_and_bulk(void)
{
	struct qpt_pair p;
	int ret;

	if (msg_pair(&p, QSIZE, QSIZE - 200) != TEST_SUCCESS)
		return TEST_FAILED;
	ret = burst_and_bulk(&p);
	qpt_pair_free(&p);
	return ret;
}

/*
 * A bulk whose messages each fit but never all at once: -EMSGSIZE (a
 * retry could never succeed), with nothing enqueued.
 */
static int
test_msg_bulk_batch_never_fits(void)
{
	/* Records 112 + 312 + 512 + 72 = 1008 > 1000. */
	const size_t over[4] = { 100, 300, 500, 60 };
	struct qpt_pair p;
	int ret = TEST_FAILED;

	if (msg_pair(&p, QSIZE, QSIZE - 200) != TEST_SUCCESS)
		return TEST_FAILED;
	if (msgs_send_bulk(&p, 0, over, 4, -EMSGSIZE) == TEST_SUCCESS &&
	    rte_vmci_qp_free_space(p.ep[0]) == QSIZE - 1 &&
	    rte_vmci_qp_ready_bytes(p.ep[1]) == 0)
		ret = TEST_SUCCESS;
	qpt_pair_free(&p);
	return ret;
}

static int
dequeue_stops(struct qpt_pair *p)
{
	const size_t lens[3] = { 10, 50, 20 };
	uint8_t mem[200];
	struct iovec bufs[3] = {
		{ mem, 10 }, { mem + 10, 40 }, { mem + 50, 100 },
	};

	if (msgs_send(p, 0, lens, 3, 3) != TEST_SUCCESS)
		return TEST_FAILED;
	memset(mem, QPT_FILL, sizeof(mem));
	TEST_ASSERT_EQUAL(rte_vmci_qp_msg_dequeue_burst(p->ep[1], bufs, 3), 1,
			  "50-byte message, 40-byte buffer");
	TEST_ASSERT_EQUAL(bufs[0].iov_len, 10, "");
	TEST_ASSERT(qpt_pattern_check(mem, 10, p->rd[0]) == TEST_SUCCESS, "");
	TEST_ASSERT(qpt_bytes_check(mem + 10, sizeof(mem) - 10, QPT_FILL) == TEST_SUCCESS,
		    "wrote a message that did not fit");
	p->rd[0] += 10;
	TEST_ASSERT_EQUAL(rte_vmci_qp_msg_peek_len(p->ep[1]), 50, "");
	bufs[0].iov_len = 49;
	TEST_ASSERT_EQUAL(rte_vmci_qp_msg_dequeue_burst(p->ep[1], bufs, 1), -EMSGSIZE, "");
	TEST_ASSERT_EQUAL(rte_vmci_qp_msg_peek_len(p->ep[1]), 50, "consumed on -EMSGSIZE");
	TEST_ASSERT_EQUAL(rte_vmci_qp_ready_bytes(p->ep[1]),
			  qpt_rec_size(50) + qpt_rec_size(20), "");
	TEST_ASSERT_EQUAL(rte_vmci_qp_msg_dequeue_burst(p->ep[1], bufs, 0), 0, "");
	if (msgs_recv(p, 0, &lens[1], 2) != TEST_SUCCESS)
		return TEST_FAILED;
	TEST_ASSERT_EQUAL(rte_vmci_qp_msg_dequeue_burst(p->ep[1], bufs, 3), 0, "empty");
	TEST_ASSERT_EQUAL(rte_vmci_qp_msg_peek_len(p->ep[1]), -EAGAIN, "empty");
	TEST_ASSERT_EQUAL(rte_vmci_qp_free_space(p->ep[0]), QSIZE - 1, "");
	return TEST_SUCCESS;
}

static int
test_msg_dequeue_stops(void)
{
	struct qpt_pair p;
	int ret;

	if (msg_pair(&p, QSIZE, QSIZE - 40) != TEST_SUCCESS)
		return TEST_FAILED;
	ret = dequeue_stops(&p);
	qpt_pair_free(&p);
	return ret;
}

/* Stage one message from three segments (one empty); advances wr. */
static int
stage3(struct qpt_pair *p, size_t len, int expect)
{
	uint8_t *buf = malloc(len + 1);
	struct iovec seg[3];
	int ret;

	TEST_ASSERT(buf != NULL, "out of memory");
	qpt_pattern_fill(buf, len, p->wr[0]);
	seg[0].iov_base = buf;
	seg[0].iov_len = len / 3;
	seg[1].iov_base = buf;
	seg[1].iov_len = 0;
	seg[2].iov_base = buf + len / 3;
	seg[2].iov_len = len - len / 3;
	ret = rte_vmci_qp_msg_stagev(p->ep[0], seg, 3);
	free(buf);
	TEST_ASSERT_EQUAL(ret, expect, "stagev of %zu bytes", len);
	if (ret == 1)
		p->wr[0] += len;
	return TEST_SUCCESS;
}

static int
stage_publish(struct qpt_pair *p)
{
	const size_t two[2] = { 23, 7 };
	uint64_t tail = p->hdr[0]->producer_tail;

	if (stage3(p, 23, 1) != TEST_SUCCESS || stage3(p, 7, 1) != TEST_SUCCESS)
		return TEST_FAILED;
	TEST_ASSERT_EQUAL(rte_vmci_qp_msg_peek_len(p->ep[1]), -EAGAIN, "visible before publish");
	TEST_ASSERT_EQUAL(rte_vmci_qp_ready_bytes(p->ep[1]), 0, "");
	TEST_ASSERT_EQUAL(p->hdr[0]->producer_tail, tail, "");
	rte_vmci_qp_publish(p->ep[0]);
	TEST_ASSERT_EQUAL(rte_vmci_qp_msg_peek_len(p->ep[1]), 23, "");
	if (msgs_recv(p, 0, two, 2) != TEST_SUCCESS)
		return TEST_FAILED;
	/* A publishing call makes earlier staged messages visible too. */
	if (stage3(p, 5, 1) != TEST_SUCCESS || msg_send(p, 0, 9) != TEST_SUCCESS)
		return TEST_FAILED;
	if (msg_recv(p, 0, 5) != TEST_SUCCESS || msg_recv(p, 0, 9) != TEST_SUCCESS)
		return TEST_FAILED;
	/* 512 + 512 > 1000: the second does not fit now; 993 never does. */
	if (stage3(p, 500, 1) != TEST_SUCCESS || stage3(p, 500, 0) != TEST_SUCCESS ||
	    stage3(p, 993, -EMSGSIZE) != TEST_SUCCESS)
		return TEST_FAILED;
	TEST_ASSERT_EQUAL(rte_vmci_qp_msg_stagev(p->ep[0], NULL, -1), -EINVAL, "");
	rte_vmci_qp_publish(p->ep[0]);
	if (msg_recv(p, 0, 500) != TEST_SUCCESS)
		return TEST_FAILED;
	TEST_ASSERT_EQUAL(rte_vmci_qp_msg_peek_len(p->ep[1]), -EAGAIN, "");
	TEST_ASSERT_EQUAL(rte_vmci_qp_free_space(p->ep[0]), QSIZE - 1, "");
	return qpt_guard_check(p);
}

static int
test_msg_stage_publish(void)
{
	struct qpt_pair p;
	int ret;

	if (msg_pair(&p, QSIZE, QSIZE - 20) != TEST_SUCCESS)
		return TEST_FAILED;
	ret = stage_publish(&p);
	qpt_pair_free(&p);
	return ret;
}

static int
fetch_release(struct qpt_pair *p)
{
	const size_t lens[3] = { 40, 16, 24 };
	uint8_t small[15];
	struct iovec seg[2] = { { small, 10 }, { small + 10, 5 } };
	uint64_t head = p->hdr[1]->consumer_head;
	uint64_t rel = qpt_rec_size(40) + qpt_rec_size(16);
	int64_t free0;

	TEST_ASSERT_EQUAL(rte_vmci_qp_msg_fetchv(p->ep[1], seg, 2), -EAGAIN, "empty");
	if (msgs_send(p, 0, lens, 3, 3) != TEST_SUCCESS)
		return TEST_FAILED;
	free0 = rte_vmci_qp_free_space(p->ep[0]);
	if (msg_fetch_only(p, 0, 40) != TEST_SUCCESS)
		return TEST_FAILED;
	TEST_ASSERT_EQUAL(rte_vmci_qp_free_space(p->ep[0]), free0,
			  "space returned before release");
	TEST_ASSERT_EQUAL(p->hdr[1]->consumer_head, head, "published before release");
	TEST_ASSERT_EQUAL(rte_vmci_qp_msg_fetchv(p->ep[1], seg, 2), -EMSGSIZE,
			  "16-byte message, 15 bytes of segments");
	TEST_ASSERT_EQUAL(rte_vmci_qp_msg_peek_len(p->ep[1]), 16, "consumed on -EMSGSIZE");
	if (msg_fetch_only(p, 0, 16) != TEST_SUCCESS)
		return TEST_FAILED;
	TEST_ASSERT_EQUAL(rte_vmci_qp_free_space(p->ep[0]), free0, "");
	rte_vmci_qp_release(p->ep[1]);
	TEST_ASSERT_EQUAL(rte_vmci_qp_free_space(p->ep[0]), free0 + (int64_t)rel, "");
	TEST_ASSERT_EQUAL(p->hdr[1]->consumer_head, (head + rel) % QSIZE, "");
	/* A releasing call returns earlier fetched space along with its own. */
	if (msg_fetch_only(p, 0, 24) != TEST_SUCCESS ||
	    msg_send(p, 0, 8) != TEST_SUCCESS || msg_recv(p, 0, 8) != TEST_SUCCESS)
		return TEST_FAILED;
	TEST_ASSERT_EQUAL(rte_vmci_qp_free_space(p->ep[0]), QSIZE - 1, "");
	TEST_ASSERT_EQUAL(rte_vmci_qp_msg_fetchv(p->ep[1], seg, 2), -EAGAIN, "empty");
	return qpt_guard_check(p);
}

static int
test_msg_fetch_release(void)
{
	struct qpt_pair p;
	int ret;

	if (msg_pair(&p, QSIZE, QSIZE - 60) != TEST_SUCCESS)
		return TEST_FAILED;
	ret = fetch_release(&p);
	qpt_pair_free(&p);
	return ret;
}

/* Map n messages in place and check each payload, length and position. */
static int
msgs_map(struct qpt_pair *p, int q, const size_t *lens, unsigned int n,
	 struct rte_vmci_qp_msg_ref *refs)
{
	unsigned int i;
	int ret;

	ret = rte_vmci_qp_msg_dequeue_zc_burst(p->ep[1 - q], refs, MAX_MSGS);
	TEST_ASSERT_EQUAL(ret, n, "messages mapped in place");
	for (i = 0; i < n; i++) {
		TEST_ASSERT(refs[i].len == lens[i] &&
			    qpt_pattern_check(refs[i].data, lens[i], p->rd[q]) == TEST_SUCCESS,
			    "message %u in place: %" PRIu32 " bytes, expected %zu", i,
			    refs[i].len, lens[i]);
		p->rd[q] += lens[i];
	}
	return TEST_SUCCESS;
}

/* What the peer may write again: its free space and our published head. */
static int
released_check(const struct qpt_pair *p, uint64_t head, uint64_t size)
{
	TEST_ASSERT_EQUAL(p->hdr[1]->consumer_head, head % size, "published consumer head");
	return TEST_SUCCESS;
}

static int
zc_hold_done(struct qpt_pair *p)
{
	const size_t lens[4] = { 40, 16, 24, 33 };
	struct rte_vmci_qp_msg_ref refs[MAX_MSGS];
	uint64_t head = p->hdr[1]->consumer_head;
	uint64_t r40 = qpt_rec_size(40), r16 = qpt_rec_size(16), r24 = qpt_rec_size(24);

	TEST_ASSERT_EQUAL(rte_vmci_qp_msg_dequeue_zc_burst(p->ep[1], refs, MAX_MSGS), 0, "empty");
	TEST_ASSERT_EQUAL(rte_vmci_qp_msg_zc_done(p->ep[1], head), -EINVAL, "nothing held");
	TEST_ASSERT_EQUAL(rte_vmci_qp_msg_zc_done(p->ep[1], RTE_VMCI_QP_ZC_ALL), 0, "");
	if (msgs_send(p, 0, lens, 4, 4) != TEST_SUCCESS)
		return TEST_FAILED;
	TEST_ASSERT_EQUAL(rte_vmci_qp_msg_dequeue_zc_burst(p->ep[1], refs, 2), 2, "");
	TEST_ASSERT(refs[0].pos == head % QSIZE && refs[1].pos == (head + r40) % QSIZE,
		    "positions %" PRIu64 ", %" PRIu64, refs[0].pos, refs[1].pos);
	TEST_ASSERT(qpt_pattern_check(refs[0].data, 40, p->rd[0]) == TEST_SUCCESS &&
		    qpt_pattern_check(refs[1].data, 16, p->rd[0] + 40) == TEST_SUCCESS, "");
	p->rd[0] += 56;
	if (released_check(p, head, QSIZE) != TEST_SUCCESS)
		return TEST_FAILED;
	/* A copying read after held messages releases nothing held. */
	if (msg_recv(p, 0, 24) != TEST_SUCCESS || released_check(p, head, QSIZE) != TEST_SUCCESS)
		return TEST_FAILED;
	TEST_ASSERT_EQUAL(rte_vmci_qp_msg_zc_done(p->ep[1], refs[1].pos), 0, "");
	if (released_check(p, head + r40, QSIZE) != TEST_SUCCESS)
		return TEST_FAILED;
	TEST_ASSERT_EQUAL(rte_vmci_qp_msg_zc_done(p->ep[1], refs[0].pos), -EINVAL,
			  "the hold moved backwards");
	TEST_ASSERT_EQUAL(rte_vmci_qp_msg_zc_done(p->ep[1], (head + r40 + r16 + r24) % QSIZE),
			  -EINVAL, "a hold at the head holds nothing");
	TEST_ASSERT_EQUAL(rte_vmci_qp_msg_zc_done(p->ep[1], QSIZE + 1), -EINVAL, "beyond the ring");
	if (released_check(p, head + r40, QSIZE) != TEST_SUCCESS)
		return TEST_FAILED;
	TEST_ASSERT_EQUAL(rte_vmci_qp_msg_zc_done(p->ep[1], RTE_VMCI_QP_ZC_ALL), 0, "");
	if (released_check(p, head + r40 + r16 + r24, QSIZE) != TEST_SUCCESS)
		return TEST_FAILED;
	if (msgs_map(p, 0, &lens[3], 1, refs) != TEST_SUCCESS)
		return TEST_FAILED;
	TEST_ASSERT_EQUAL(rte_vmci_qp_free_space(p->ep[0]), QSIZE - 1 - qpt_rec_size(33), "");
	TEST_ASSERT_EQUAL(rte_vmci_qp_msg_zc_done(p->ep[1], RTE_VMCI_QP_ZC_ALL), 0, "");
	TEST_ASSERT_EQUAL(rte_vmci_qp_free_space(p->ep[0]), QSIZE - 1, "");
	return qpt_guard_check(p);
}

static int
test_msg_zc_hold_done(void)
{
	struct qpt_pair p;
	int ret;

	if (msg_pair(&p, QSIZE, 200) != TEST_SUCCESS)
		return TEST_FAILED;
	ret = zc_hold_done(&p);
	qpt_pair_free(&p);
	return ret;
}

/*
 * At the end of the ring: a record whose header crosses it is mapped (its
 * payload starts again at the ring's start), one whose payload crosses it
 * is left for a copying read, and that read releases nothing held.
 */
static int
zc_wrap(struct qpt_pair *p)
{
	const size_t lens[3] = { 0, 16, 40 };
	struct rte_vmci_qp_msg_ref refs[MAX_MSGS];
	uint64_t head = p->hdr[1]->consumer_head;

	/* 992 + 8 (empty message): the 16-byte one's header spans 1000..1008. */
	if (msgs_send(p, 0, lens, 2, 2) != TEST_SUCCESS || msgs_map(p, 0, lens, 2, refs) != 0)
		return TEST_FAILED;
	TEST_ASSERT(refs[1].data == p->data[0] + 7, "payload after a split header at offset %td",
		    (const uint8_t *)refs[1].data - p->data[0]);
	if (msg_send(p, 0, 24) != TEST_SUCCESS || msg_send(p, 0, 40) != TEST_SUCCESS)
		return TEST_FAILED;
	/* The 24-byte record ends at 7 + 16 + 32: the ring is wide enough again. */
	TEST_ASSERT_EQUAL(rte_vmci_qp_msg_dequeue_zc_burst(p->ep[1], refs, 1), 1, "");
	p->rd[0] += 24;
	if (msg_recv(p, 0, 40) != TEST_SUCCESS || released_check(p, head, QSIZE) != TEST_SUCCESS)
		return TEST_FAILED;
	TEST_ASSERT_EQUAL(rte_vmci_qp_msg_zc_done(p->ep[1], RTE_VMCI_QP_ZC_ALL), 0, "");
	TEST_ASSERT_EQUAL(rte_vmci_qp_free_space(p->ep[0]), QSIZE - 1, "");
	return qpt_guard_check(p);
}

static int
test_msg_zc_wrap(void)
{
	struct qpt_pair p;
	int ret;

	if (msg_pair(&p, QSIZE, 992) != TEST_SUCCESS)
		return TEST_FAILED;
	ret = zc_wrap(&p);
	qpt_pair_free(&p);
	return ret;
}

/* A payload across the end of the ring: not mapped, read by copy. */
static int
zc_payload_across_end(struct qpt_pair *p)
{
	struct rte_vmci_qp_msg_ref refs[MAX_MSGS];

	/* At 960: header 960..968, payload 968..1008 crosses 1001. */
	if (msg_send(p, 0, 40) != TEST_SUCCESS)
		return TEST_FAILED;
	TEST_ASSERT_EQUAL(rte_vmci_qp_msg_dequeue_zc_burst(p->ep[1], refs, MAX_MSGS), 0,
			  "a payload across the end of the ring was mapped");
	if (msg_recv(p, 0, 40) != TEST_SUCCESS)
		return TEST_FAILED;
	TEST_ASSERT_EQUAL(rte_vmci_qp_free_space(p->ep[0]), QSIZE - 1, "");
	return qpt_guard_check(p);
}

static int
test_msg_zc_payload_across_end(void)
{
	struct qpt_pair p;
	int ret;

	if (msg_pair(&p, QSIZE, 960) != TEST_SUCCESS)
		return TEST_FAILED;
	ret = zc_payload_across_end(&p);
	qpt_pair_free(&p);
	return ret;
}

/* Garbage after a held message: -EBADMSG, and a resync keeps the hold. */
static int
zc_bad_record(struct qpt_pair *p)
{
	struct rte_vmci_qp_msg_ref refs[MAX_MSGS];
	const size_t len = 24;
	uint64_t head = p->hdr[1]->consumer_head;

	if (msg_send(p, 0, len) != TEST_SUCCESS || msgs_map(p, 0, &len, 1, refs) != 0)
		return TEST_FAILED;
	if (qpt_send(p, 0, 16) != TEST_SUCCESS) /* raw bytes: no record magic */
		return TEST_FAILED;
	TEST_ASSERT_EQUAL(rte_vmci_qp_msg_dequeue_zc_burst(p->ep[1], refs, MAX_MSGS), -EBADMSG, "");
	TEST_ASSERT_EQUAL(rte_vmci_qp_msg_resync(p->ep[1]), 16, "bytes dropped");
	if (released_check(p, head, QSIZE) != TEST_SUCCESS)
		return TEST_FAILED;
	TEST_ASSERT_EQUAL(rte_vmci_qp_msg_zc_done(p->ep[1], RTE_VMCI_QP_ZC_ALL), 0, "");
	TEST_ASSERT_EQUAL(rte_vmci_qp_free_space(p->ep[0]), QSIZE - 1, "");
	return qpt_guard_check(p);
}

static int
test_msg_zc_bad_record(void)
{
	struct qpt_pair p;
	int ret;

	if (msg_pair(&p, QSIZE, 100) != TEST_SUCCESS)
		return TEST_FAILED;
	ret = zc_bad_record(&p);
	qpt_pair_free(&p);
	return ret;
}

/* In DPDK memory the payload's IOVA is the one the EAL gives its address. */
static int
test_msg_zc_iova(void)
{
	struct rte_vmci_qp_msg_ref refs[MAX_MSGS];
	const size_t len = 100;
	struct qpt_pair p;
	int ret = TEST_FAILED;

	if (qpt_pair_create_mem(&p, "zc_iova", 64 * 1024, 4096) != 0)
		return TEST_FAILED;
	if (qpt_advance(&p, 0, 8192) == TEST_SUCCESS && msg_send(&p, 0, len) == TEST_SUCCESS &&
	    msgs_map(&p, 0, &len, 1, refs) == TEST_SUCCESS) {
		ret = refs[0].iova != RTE_BAD_IOVA &&
			refs[0].iova == rte_mem_virt2iova(refs[0].data) ? TEST_SUCCESS : TEST_FAILED;
		if (ret != TEST_SUCCESS)
			printf("  IOVA %#" PRIx64 ", the EAL says %#" PRIx64 "\n", refs[0].iova,
			       rte_mem_virt2iova(refs[0].data));
	}
	qpt_pair_free(&p);
	return ret;
}

static const struct vmci_test_case msg_cases[] = {
	{ "msg_wire_format", test_msg_wire_format },
	{ "msg_lengths_across_wrap", test_msg_lengths_across_wrap },
	{ "msg_max_len", test_msg_max_len },
	{ "msg_burst_and_bulk", test_msg_burst_and_bulk },
	{ "msg_bulk_batch_never_fits", test_msg_bulk_batch_never_fits },
	{ "msg_dequeue_stops", test_msg_dequeue_stops },
	{ "msg_stage_publish", test_msg_stage_publish },
	{ "msg_fetch_release", test_msg_fetch_release },
	{ "msg_zc_hold_done", test_msg_zc_hold_done },
	{ "msg_zc_wrap", test_msg_zc_wrap },
	{ "msg_zc_payload_across_end", test_msg_zc_payload_across_end },
	{ "msg_zc_bad_record", test_msg_zc_bad_record },
	{ "msg_zc_iova", test_msg_zc_iova },
	{ NULL, NULL },
};

static const struct vmci_test_suite msg_suite = {
	.name = "qp_msg",
	.cases = msg_cases,
};

VMCI_TEST_MAIN(msg_suite);
