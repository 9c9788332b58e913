/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

/*
 * Byte-stream operations: wrap-around at every boundary for awkward queue
 * sizes, the one-byte-free rule, all-or-nothing versus partial transfers,
 * peek and discard.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_qp_common.h"

/* Size of the queue not under test; unlike any tested size, so mix-ups show. */
#define OTHER_SIZE 61

/*
 * From an empty queue q whose indices sit at pos, move len bytes through
 * it and check ring bytes, indices and counts on the way.
 */
static int
wrap_transfer(struct qpt_pair *p, int q, uint64_t pos, uint64_t len)
{
	struct rte_vmci_qp *prod = p->ep[q], *cons = p->ep[1 - q];
	uint64_t size = p->size[q];
	uint64_t end = (pos + len) % size;
	uint8_t *buf = malloc(len + QPT_GUARD);
	int ret = TEST_FAILED;

	TEST_ASSERT(buf != NULL, "out of memory");
	qpt_pattern_fill(buf, len, p->wr[q]);
	if (rte_vmci_qp_enqueue_bulk(prod, buf, len) != (ssize_t)len) {
		printf("  enqueue_bulk did not move %" PRIu64 " bytes\n", len);
		goto out;
	}
	p->wr[q] += len;
	if (rte_vmci_qp_free_space(prod) != (int64_t)(size - 1 - len) ||
	    rte_vmci_qp_ready_bytes(cons) != (int64_t)len) {
		printf("  free %" PRId64 " ready %" PRId64 " after %" PRIu64 " bytes\n",
		       rte_vmci_qp_free_space(prod), rte_vmci_qp_ready_bytes(cons), len);
		goto out;
	}
	if (p->hdr[q]->producer_tail != end) {
		printf("  published tail %" PRIu64 ", expected %" PRIu64 "\n",
		       p->hdr[q]->producer_tail, end);
		goto out;
	}
	/* The bytes sit in the ring at pos, continuing at offset 0. */
	qpt_ring_read(p->data[q], size, pos, buf, len);
	if (qpt_pattern_check(buf, len, p->rd[q]) != TEST_SUCCESS) {
		printf("  ring content wrong\n");
		goto out;
	}
	memset(buf, QPT_FILL, len + QPT_GUARD);
	if (rte_vmci_qp_peek_burst(cons, buf, len + QPT_GUARD) != (ssize_t)len ||
	    qpt_pattern_check(buf, len, p->rd[q]) != TEST_SUCCESS ||
	    qpt_bytes_check(buf + len, QPT_GUARD, QPT_FILL) != TEST_SUCCESS) {
		printf("  peek_burst wrong\n");
		goto out;
	}
	memset(buf, QPT_FILL, len + QPT_GUARD);
	if (rte_vmci_qp_dequeue_burst(cons, buf, len + QPT_GUARD) != (ssize_t)len ||
	    qpt_pattern_check(buf, len, p->rd[q]) != TEST_SUCCESS ||
	    qpt_bytes_check(buf + len, QPT_GUARD, QPT_FILL) != TEST_SUCCESS) {
		printf("  dequeue_burst wrong\n");
		goto out;
	}
	p->rd[q] += len;
	if (rte_vmci_qp_free_space(prod) != (int64_t)(size - 1) ||
	    rte_vmci_qp_ready_bytes(cons) != 0 ||
	    p->hdr[1 - q]->consumer_head != end) {
		printf("  not empty after dequeue: free %" PRId64 " ready %" PRId64
		       " head %" PRIu64 "\n", rte_vmci_qp_free_space(prod),
		       rte_vmci_qp_ready_bytes(cons), p->hdr[1 - q]->consumer_head);
		goto out;
	}
	ret = qpt_guard_check(p);
out:
	free(buf);
	return ret;
}

static int
wrap_case(int q, uint64_t size, uint64_t pos, uint64_t len)
{
	struct qpt_pair p;
	int ret;

	if (q == 0)
		ret = qpt_pair_create(&p, size, OTHER_SIZE);
	else
		ret = qpt_pair_create(&p, OTHER_SIZE, size);
	if (ret != 0)
		return TEST_FAILED;
	ret = qpt_advance(&p, q, pos);
	if (ret == TEST_SUCCESS)
		ret = wrap_transfer(&p, q, pos, len);
	if (ret != TEST_SUCCESS)
		printf("  (queue %d size %" PRIu64 " start %" PRIu64 " len %" PRIu64 ")\n",
		       q, size, pos, len);
	qpt_pair_free(&p);
	return ret;
}

/*
 * Every start in S-3..S-1, 0, 1 and lengths that end just before, at and
 * just after the wrap, plus the shortest and the longest transfer.
 */
static int
wrap_size(int q, uint64_t size)
{
	uint64_t starts[] = { size - 3, size - 2, size - 1, 0, 1 };
	uint64_t lens[6];
	unsigned int i, j;

	for (i = 0; i < RTE_DIM(starts); i++) {
		uint64_t pos = starts[i];

		/* Small sizes: S-3 etc. underflow to huge values; skip those. */
		if (pos >= size)
			continue;
		lens[0] = 1;
		lens[1] = 2;
		lens[2] = size - pos - 1;
		lens[3] = size - pos;
		lens[4] = size - pos + 1;
		lens[5] = size - 1;
		for (j = 0; j < RTE_DIM(lens); j++) {
			if (lens[j] == 0 || lens[j] > size - 1)
				continue;
			if (wrap_case(q, size, pos, lens[j]) != TEST_SUCCESS)
				return TEST_FAILED;
		}
	}
	return TEST_SUCCESS;
}

static int
test_wrap_size_2(void)
{
	return wrap_size(0, 2);
}

static int
test_wrap_size_3(void)
{
	return wrap_size(0, 3);
}

static int
test_wrap_size_4095(void)
{
	return wrap_size(0, 4095);
}

static int
test_wrap_size_4096(void)
{
	return wrap_size(0, 4096);
}

static int
test_wrap_size_4097(void)
{
	return wrap_size(0, 4097);
}

static int
test_wrap_size_1000003(void)
{
	return wrap_size(0, 1000003);
}

/* The same arithmetic on the peer's produce queue (the creator's consume). */
static int
test_wrap_reverse_direction(void)
{
	if (wrap_size(1, 3) != TEST_SUCCESS)
		return TEST_FAILED;
	return wrap_size(1, 4097);
}

/* A one-byte queue can never hold data: it is always full and always empty. */
static int
test_size_1_always_full(void)
{
	struct qpt_pair p;
	uint8_t b = QPT_FILL;
	int ret = TEST_FAILED;

	if (qpt_pair_create(&p, 1, OTHER_SIZE) != 0)
		return TEST_FAILED;
	if (rte_vmci_qp_free_space(p.ep[0]) != 0 ||
	    rte_vmci_qp_ready_bytes(p.ep[1]) != 0) {
		printf("  size 1: free %" PRId64 " ready %" PRId64 "\n",
		       rte_vmci_qp_free_space(p.ep[0]), rte_vmci_qp_ready_bytes(p.ep[1]));
		goto out;
	}
	if (rte_vmci_qp_enqueue_bulk(p.ep[0], &b, 1) != -EMSGSIZE ||
	    rte_vmci_qp_enqueue_burst(p.ep[0], &b, 1) != 0 ||
	    rte_vmci_qp_enqueue_bulk(p.ep[0], &b, 0) != 0) {
		printf("  size 1: enqueue moved or misreported\n");
		goto out;
	}
	if (rte_vmci_qp_dequeue_burst(p.ep[1], &b, 1) != 0 || b != QPT_FILL ||
	    p.data[0][0] != QPT_RING_JUNK || p.hdr[0]->producer_tail != 0) {
		printf("  size 1: data moved\n");
		goto out;
	}
	ret = qpt_guard_check(&p);
out:
	qpt_pair_free(&p);
	return ret;
}

/* Fill a queue from mid-ring: S-1 bytes fit, then nothing more. */
static int
full_rule(uint64_t size)
{
	struct qpt_pair p;
	uint8_t *buf = malloc(size + 16);
	uint8_t one = 1;
	int ret = TEST_FAILED;

	TEST_ASSERT(buf != NULL, "out of memory");
	if (qpt_pair_create(&p, size, OTHER_SIZE) != 0) {
		free(buf);
		return TEST_FAILED;
	}
	if (qpt_advance(&p, 0, size / 2) != TEST_SUCCESS)
		goto out;
	if (rte_vmci_qp_free_space(p.ep[0]) != (int64_t)(size - 1)) {
		printf("  empty queue: free %" PRId64 "\n", rte_vmci_qp_free_space(p.ep[0]));
		goto out;
	}
	qpt_pattern_fill(buf, size + 16, p.wr[0]);
	if (rte_vmci_qp_enqueue_burst(p.ep[0], buf, size + 16) != (ssize_t)(size - 1)) {
		printf("  burst into an empty queue did not move size - 1 bytes\n");
		goto out;
	}
	p.wr[0] += size - 1;
	if (rte_vmci_qp_free_space(p.ep[0]) != 0 ||
	    rte_vmci_qp_ready_bytes(p.ep[1]) != (int64_t)(size - 1) ||
	    rte_vmci_qp_enqueue_bulk(p.ep[0], &one, 1) != 0 ||
	    rte_vmci_qp_enqueue_burst(p.ep[0], &one, 1) != 0 ||
	    rte_vmci_qp_enqueue_bulk(p.ep[0], buf, size) != -EMSGSIZE) {
		printf("  full queue: free %" PRId64 " ready %" PRId64 "\n",
		       rte_vmci_qp_free_space(p.ep[0]), rte_vmci_qp_ready_bytes(p.ep[1]));
		goto out;
	}
	ret = qpt_recv(&p, 0, size - 1);
	if (ret == TEST_SUCCESS)
		ret = qpt_guard_check(&p);
out:
	if (ret != TEST_SUCCESS)
		printf("  (size %" PRIu64 ")\n", size);
	qpt_pair_free(&p);
	free(buf);
	return ret;
}

static int
test_one_byte_free_rule(void)
{
	uint64_t sizes[] = { 2, 3, 4095, 4096, 4097, 1000003 };
	unsigned int i;

	for (i = 0; i < RTE_DIM(sizes); i++) {
		if (full_rule(sizes[i]) != TEST_SUCCESS)
			return TEST_FAILED;
	}
	return TEST_SUCCESS;
}

#define SMALL_SIZE 4097
#define SMALL_START (SMALL_SIZE - 100)

/* A SMALL_SIZE pair whose queue 0 indices sit 100 bytes before the wrap. */
static int
small_pair(struct qpt_pair *p)
{
	if (qpt_pair_create(p, SMALL_SIZE, OTHER_SIZE) != 0)
		return TEST_FAILED;
	if (qpt_advance(p, 0, SMALL_START) != TEST_SUCCESS) {
		qpt_pair_free(p);
		return TEST_FAILED;
	}
	return TEST_SUCCESS;
}

static int
enqueue_all_or_nothing(struct qpt_pair *p, uint8_t *buf)
{
	uint8_t *snap;
	int ret;

	TEST_ASSERT_EQUAL(rte_vmci_qp_enqueue_bulk(p->ep[0], buf, SMALL_SIZE),
			  -EMSGSIZE, "longer than the queue can ever hold");
	if (qpt_send(p, 0, 3000) != TEST_SUCCESS)
		return TEST_FAILED;
	/* 1096 bytes free: a bulk of 1097 moves nothing, a burst moves 1096. */
	snap = qpt_ring_snapshot(p, 0);
	TEST_ASSERT(snap != NULL, "out of memory");
	qpt_pattern_fill(buf, 1097, p->wr[0]);
	ret = rte_vmci_qp_enqueue_bulk(p->ep[0], buf, 1097) == 0 &&
		qpt_ring_unchanged(p, 0, snap) == TEST_SUCCESS;
	free(snap);
	TEST_ASSERT(ret, "enqueue_bulk beyond free space wrote");
	TEST_ASSERT_EQUAL(rte_vmci_qp_ready_bytes(p->ep[1]), 3000, "");
	TEST_ASSERT_EQUAL(rte_vmci_qp_enqueue_burst(p->ep[0], buf, 1097), 1096, "");
	p->wr[0] += 1096;
	TEST_ASSERT_EQUAL(rte_vmci_qp_free_space(p->ep[0]), 0, "");
	return TEST_SUCCESS;
}

static int
dequeue_all_or_nothing(struct qpt_pair *p, uint8_t *buf)
{
	struct rte_vmci_qp *cons = p->ep[1];

	/* Header: every _bulk call returns -EMSGSIZE for a length > S - 1. */
	TEST_ASSERT_EQUAL(rte_vmci_qp_dequeue_bulk(cons, buf, SMALL_SIZE), -EMSGSIZE, "");
	TEST_ASSERT_EQUAL(rte_vmci_qp_peek_bulk(cons, buf, SMALL_SIZE), -EMSGSIZE, "");
	TEST_ASSERT_EQUAL(rte_vmci_qp_discard_bulk(cons, SMALL_SIZE), -EMSGSIZE, "");
	if (qpt_recv(p, 0, 4000) != TEST_SUCCESS)
		return TEST_FAILED;
	/* 96 ready: bulk of 97 copies nothing, burst of 97 copies 96. */
	memset(buf, QPT_FILL, 97);
	TEST_ASSERT_EQUAL(rte_vmci_qp_dequeue_bulk(cons, buf, 97), 0, "");
	TEST_ASSERT(qpt_bytes_check(buf, 97, QPT_FILL) == TEST_SUCCESS,
		    "failed dequeue_bulk copied");
	TEST_ASSERT_EQUAL(rte_vmci_qp_ready_bytes(cons), 96, "");
	TEST_ASSERT_EQUAL(rte_vmci_qp_dequeue_burst(cons, buf, 97), 96, "");
	TEST_ASSERT(qpt_pattern_check(buf, 96, p->rd[0]) == TEST_SUCCESS, "");
	TEST_ASSERT_EQUAL(buf[96], QPT_FILL, "burst wrote past what it returned");
	p->rd[0] += 96;
	TEST_ASSERT_EQUAL(rte_vmci_qp_dequeue_burst(cons, buf, 97), 0, "empty");
	TEST_ASSERT_EQUAL(rte_vmci_qp_free_space(p->ep[0]), SMALL_SIZE - 1, "");
	return TEST_SUCCESS;
}

static int
test_bulk_vs_burst(void)
{
	struct qpt_pair p;
	uint8_t *buf = malloc(SMALL_SIZE);
	int ret = TEST_FAILED;

	TEST_ASSERT(buf != NULL, "out of memory");
	if (small_pair(&p) != TEST_SUCCESS) {
		free(buf);
		return TEST_FAILED;
	}
	if (enqueue_all_or_nothing(&p, buf) == TEST_SUCCESS &&
	    dequeue_all_or_nothing(&p, buf) == TEST_SUCCESS)
		ret = qpt_guard_check(&p);
	qpt_pair_free(&p);
	free(buf);
	return ret;
}

static int
peek_checks(struct qpt_pair *p, uint8_t *buf)
{
	struct rte_vmci_qp *cons = p->ep[1];
	int i;

	/* Peeking twice gives the same bytes and returns no space. */
	for (i = 0; i < 2; i++) {
		memset(buf, QPT_FILL, 600);
		TEST_ASSERT_EQUAL(rte_vmci_qp_peek_bulk(cons, buf, 200), 200, "");
		TEST_ASSERT(qpt_pattern_check(buf, 200, p->rd[0]) == TEST_SUCCESS, "");
		TEST_ASSERT_EQUAL(buf[200], QPT_FILL, "peek_bulk wrote too much");
	}
	TEST_ASSERT_EQUAL(rte_vmci_qp_ready_bytes(cons), 500, "peek consumed");
	TEST_ASSERT_EQUAL(rte_vmci_qp_free_space(p->ep[0]), SMALL_SIZE - 501,
			  "peek returned space");
	TEST_ASSERT_EQUAL(p->hdr[1]->consumer_head, SMALL_START, "peek published");
	memset(buf, QPT_FILL, 600);
	TEST_ASSERT_EQUAL(rte_vmci_qp_peek_bulk(cons, buf, 501), 0, "");
	TEST_ASSERT(qpt_bytes_check(buf, 600, QPT_FILL) == TEST_SUCCESS, "");
	TEST_ASSERT_EQUAL(rte_vmci_qp_peek_burst(cons, buf, 600), 500, "");
	TEST_ASSERT(qpt_pattern_check(buf, 500, p->rd[0]) == TEST_SUCCESS, "");
	TEST_ASSERT(qpt_bytes_check(buf + 500, 100, QPT_FILL) == TEST_SUCCESS, "");
	return TEST_SUCCESS;
}

static int
discard_checks(struct qpt_pair *p)
{
	struct rte_vmci_qp *cons = p->ep[1];
	uint8_t *snap = qpt_ring_snapshot(p, 0);
	int same;

	TEST_ASSERT(snap != NULL, "out of memory");
	TEST_ASSERT_EQUAL(rte_vmci_qp_discard_bulk(cons, 100), 100, "");
	same = qpt_ring_unchanged(p, 0, snap);
	free(snap);
	TEST_ASSERT(same == TEST_SUCCESS, "discard wrote the ring");
	p->rd[0] += 100;
	TEST_ASSERT_EQUAL(rte_vmci_qp_ready_bytes(cons), 400, "");
	TEST_ASSERT_EQUAL(rte_vmci_qp_free_space(p->ep[0]), SMALL_SIZE - 401,
			  "discarded space not returned");
	/* The next byte read is the first one after the discarded ones. */
	if (qpt_recv(p, 0, 50) != TEST_SUCCESS)
		return TEST_FAILED;
	TEST_ASSERT_EQUAL(rte_vmci_qp_discard_bulk(cons, 351), 0, "");
	TEST_ASSERT_EQUAL(rte_vmci_qp_ready_bytes(cons), 350, "");
	TEST_ASSERT_EQUAL(rte_vmci_qp_discard_burst(cons, 1000), 350, "");
	p->rd[0] += 350;
	TEST_ASSERT_EQUAL(rte_vmci_qp_discard_burst(cons, 1000), 0, "empty");
	TEST_ASSERT_EQUAL(rte_vmci_qp_ready_bytes(cons), 0, "");
	TEST_ASSERT_EQUAL(rte_vmci_qp_free_space(p->ep[0]), SMALL_SIZE - 1, "");
	TEST_ASSERT_EQUAL(p->hdr[1]->consumer_head, (SMALL_START + 500) % SMALL_SIZE, "");
	/* The stream continues in step after discarding. */
	if (qpt_send(p, 0, 10) != TEST_SUCCESS)
		return TEST_FAILED;
	return qpt_recv(p, 0, 10);
}

/* 500 bytes across the wrap: peek does not consume, discard does not copy. */
static int
test_peek_and_discard(void)
{
	struct qpt_pair p;
	uint8_t buf[600];
	int ret = TEST_FAILED;

	if (small_pair(&p) != TEST_SUCCESS)
		return TEST_FAILED;
	if (qpt_send(&p, 0, 500) == TEST_SUCCESS &&
	    peek_checks(&p, buf) == TEST_SUCCESS &&
	    discard_checks(&p) == TEST_SUCCESS)
		ret = qpt_guard_check(&p);
	qpt_pair_free(&p);
	return ret;
}

/* Zero-length calls succeed, move nothing and publish nothing. */
static int
test_zero_length(void)
{
	struct qpt_pair p;
	uint8_t buf[8];
	int ret = TEST_FAILED;

	memset(buf, QPT_FILL, sizeof(buf));
	if (small_pair(&p) != TEST_SUCCESS)
		return TEST_FAILED;
	if (qpt_send(&p, 0, 5) != TEST_SUCCESS)
		goto out;
	if (rte_vmci_qp_enqueue_bulk(p.ep[0], buf, 0) != 0 ||
	    rte_vmci_qp_enqueue_burst(p.ep[0], buf, 0) != 0 ||
	    rte_vmci_qp_dequeue_bulk(p.ep[1], buf, 0) != 0 ||
	    rte_vmci_qp_dequeue_burst(p.ep[1], buf, 0) != 0 ||
	    rte_vmci_qp_peek_bulk(p.ep[1], buf, 0) != 0 ||
	    rte_vmci_qp_discard_bulk(p.ep[1], 0) != 0 ||
	    rte_vmci_qp_discard_burst(p.ep[1], 0) != 0) {
		printf("  a zero-length call returned non-zero\n");
		goto out;
	}
	if (qpt_bytes_check(buf, sizeof(buf), QPT_FILL) != TEST_SUCCESS ||
	    rte_vmci_qp_ready_bytes(p.ep[1]) != 5 ||
	    p.hdr[0]->producer_tail != SMALL_START + 5) {
		printf("  a zero-length call moved data\n");
		goto out;
	}
	ret = qpt_recv(&p, 0, 5);
out:
	qpt_pair_free(&p);
	return ret;
}

static const struct vmci_test_case stream_cases[] = {
	{ "wrap_size_2", test_wrap_size_2 },
	{ "wrap_size_3", test_wrap_size_3 },
	{ "wrap_size_4095", test_wrap_size_4095 },
	{ "wrap_size_4096", test_wrap_size_4096 },
	{ "wrap_size_4097", test_wrap_size_4097 },
	{ "wrap_size_1000003", test_wrap_size_1000003 },
	{ "wrap_reverse_direction", test_wrap_reverse_direction },
	{ "size_1_always_full", test_size_1_always_full },
	{ "one_byte_free_rule", test_one_byte_free_rule },
	{ "bulk_vs_burst", test_bulk_vs_burst },
	{ "peek_and_discard", test_peek_and_discard },
	{ "zero_length", test_zero_length },
	{ NULL, NULL },
};

static const struct vmci_test_suite stream_suite = {
	.name = "qp_stream",
	.cases = stream_cases,
};

VMCI_TEST_MAIN(stream_suite);
