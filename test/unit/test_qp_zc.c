/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

/*
 * Zero-copy enqueue and dequeue: the mapped regions are the right ring
 * bytes (split at the wrap), finish publishes or releases exactly n bytes,
 * and finish beyond the mapping is refused.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_qp_common.h"

#define QSIZE 4097
#define OTHER_SIZE 61

/* zc maps len bytes at ring offset pos, wrapping to the ring start. */
static int
zc_check_regions(const struct qpt_pair *p, int q, const struct rte_vmci_qp_zc *zc,
		 uint64_t pos, size_t len)
{
	size_t first = RTE_MIN(len, (size_t)(p->size[q] - pos));

	TEST_ASSERT(zc->ptr1 == p->data[q] + pos, "ptr1 %p, ring + pos %p",
		    zc->ptr1, (void *)(p->data[q] + pos));
	TEST_ASSERT_EQUAL(zc->len1, first, "");
	TEST_ASSERT_EQUAL(zc->len1 + zc->len2, len, "");
	if (first == len) {
		TEST_ASSERT(zc->ptr2 == NULL, "second region %p when none needed",
			    zc->ptr2);
		TEST_ASSERT_EQUAL(zc->len2, 0, "");
	} else {
		TEST_ASSERT(zc->ptr2 == p->data[q], "ptr2 %p is not the ring start %p",
			    zc->ptr2, (void *)p->data[q]);
	}
	return TEST_SUCCESS;
}

/* Write the pattern through a mapping, as a zero-copy producer would. */
static void
zc_fill(const struct rte_vmci_qp_zc *zc, uint64_t off)
{
	qpt_pattern_fill(zc->ptr1, zc->len1, off);
	if (zc->len2 > 0)
		qpt_pattern_fill(zc->ptr2, zc->len2, off + zc->len1);
}

static int
zc_check_data(const struct rte_vmci_qp_zc *zc, uint64_t off)
{
	if (qpt_pattern_check(zc->ptr1, zc->len1, off) != TEST_SUCCESS)
		return TEST_FAILED;
	if (zc->len2 > 0)
		return qpt_pattern_check(zc->ptr2, zc->len2, off + zc->len1);
	return TEST_SUCCESS;
}

static int
zc_enqueue_at(struct qpt_pair *p, uint64_t pos, size_t len)
{
	struct rte_vmci_qp_zc zc;

	memset(&zc, 0, sizeof(zc));
	TEST_ASSERT_EQUAL(rte_vmci_qp_enqueue_zc_bulk_start(p->ep[0], len, &zc),
			  len, "");
	if (zc_check_regions(p, 0, &zc, pos, len) != TEST_SUCCESS)
		return TEST_FAILED;
	zc_fill(&zc, p->wr[0]);
	TEST_ASSERT_EQUAL(rte_vmci_qp_ready_bytes(p->ep[1]), 0,
			  "visible before finish");
	TEST_ASSERT_EQUAL(p->hdr[0]->producer_tail, pos, "published before finish");
	TEST_ASSERT_EQUAL(rte_vmci_qp_enqueue_zc_finish(p->ep[0], len), 0, "");
	p->wr[0] += len;
	TEST_ASSERT_EQUAL(p->hdr[0]->producer_tail, (pos + len) % p->size[0], "");
	TEST_ASSERT_EQUAL(rte_vmci_qp_free_space(p->ep[0]), p->size[0] - 1 - len, "");
	/* The peer copies out exactly what was written in place. */
	if (qpt_recv(p, 0, len) != TEST_SUCCESS)
		return TEST_FAILED;
	return qpt_guard_check(p);
}

static int
zc_dequeue_at(struct qpt_pair *p, uint64_t pos, size_t len)
{
	struct rte_vmci_qp_zc zc;

	if (qpt_send(p, 0, len) != TEST_SUCCESS)
		return TEST_FAILED;
	memset(&zc, 0, sizeof(zc));
	TEST_ASSERT_EQUAL(rte_vmci_qp_dequeue_zc_bulk_start(p->ep[1], len, &zc),
			  len, "");
	if (zc_check_regions(p, 0, &zc, pos, len) != TEST_SUCCESS ||
	    zc_check_data(&zc, p->rd[0]) != TEST_SUCCESS)
		return TEST_FAILED;
	TEST_ASSERT_EQUAL(rte_vmci_qp_free_space(p->ep[0]), p->size[0] - 1 - len,
			  "space returned before finish");
	TEST_ASSERT_EQUAL(rte_vmci_qp_dequeue_zc_finish(p->ep[1], len), 0, "");
	p->rd[0] += len;
	TEST_ASSERT_EQUAL(p->hdr[1]->consumer_head, (pos + len) % p->size[0], "");
	TEST_ASSERT_EQUAL(rte_vmci_qp_free_space(p->ep[0]), p->size[0] - 1, "");
	TEST_ASSERT_EQUAL(rte_vmci_qp_ready_bytes(p->ep[1]), 0, "");
	return TEST_SUCCESS;
}

typedef int (*zc_case_fn)(struct qpt_pair *p, uint64_t pos, size_t len);

static int
zc_case(zc_case_fn fn, uint64_t pos, size_t len)
{
	struct qpt_pair p;
	int ret;

	if (qpt_pair_create(&p, QSIZE, OTHER_SIZE) != 0)
		return TEST_FAILED;
	ret = qpt_advance(&p, 0, pos);
	if (ret == TEST_SUCCESS)
		ret = fn(&p, pos, len);
	if (ret != TEST_SUCCESS)
		printf("  (start %" PRIu64 ", %zu bytes)\n", pos, len);
	qpt_pair_free(&p);
	return ret;
}

/* Starts and lengths that split at the wrap, end at it or stay clear. */
static int
zc_sweep(zc_case_fn fn)
{
	static const struct {
		uint64_t pos;
		size_t len;
	} cases[] = {
		{ QSIZE - 3, 10 }, { QSIZE - 2, 10 }, { QSIZE - 1, 10 },
		{ QSIZE - 1, 1 }, { 0, 10 }, { 1, 10 }, { QSIZE - 10, 10 },
		{ QSIZE - 10, 9 }, { QSIZE - 10, 11 }, { 0, QSIZE - 1 },
		{ 1, QSIZE - 1 }, { QSIZE - 1, QSIZE - 1 }, { 2000, QSIZE - 1 },
	};
	unsigned int i;

	for (i = 0; i < RTE_DIM(cases); i++) {
		if (zc_case(fn, cases[i].pos, cases[i].len) != TEST_SUCCESS)
			return TEST_FAILED;
	}
	return TEST_SUCCESS;
}

static int
test_zc_enqueue_wrap(void)
{
	return zc_sweep(zc_enqueue_at);
}

static int
test_zc_dequeue_wrap(void)
{
	return zc_sweep(zc_dequeue_at);
}

/* finish(n) with n below the mapping publishes n; the rest is mapped again. */
static int
zc_enqueue_partial(struct qpt_pair *p, uint64_t pos, size_t len)
{
	struct rte_vmci_qp_zc zc;

	TEST_ASSERT_EQUAL(rte_vmci_qp_enqueue_zc_bulk_start(p->ep[0], 10, &zc), 10, "");
	zc_fill(&zc, p->wr[0]);
	TEST_ASSERT_EQUAL(rte_vmci_qp_enqueue_zc_finish(p->ep[0], 4), 0, "");
	p->wr[0] += 4;
	TEST_ASSERT_EQUAL(rte_vmci_qp_ready_bytes(p->ep[1]), 4, "");
	TEST_ASSERT_EQUAL(rte_vmci_qp_free_space(p->ep[0]), QSIZE - 1 - 4, "");
	TEST_ASSERT_EQUAL(p->hdr[0]->producer_tail, (pos + 4) % QSIZE, "");
	/* The next mapping starts right after the published bytes. */
	TEST_ASSERT_EQUAL(rte_vmci_qp_enqueue_zc_bulk_start(p->ep[0], 6, &zc), 6, "");
	if (zc_check_regions(p, 0, &zc, (pos + 4) % QSIZE, 6) != TEST_SUCCESS)
		return TEST_FAILED;
	zc_fill(&zc, p->wr[0]);
	TEST_ASSERT_EQUAL(rte_vmci_qp_enqueue_zc_finish(p->ep[0], 6), 0, "");
	p->wr[0] += 6;
	/* finish(0) publishes nothing. */
	TEST_ASSERT_EQUAL(rte_vmci_qp_enqueue_zc_bulk_start(p->ep[0], 5, &zc), 5, "");
	TEST_ASSERT_EQUAL(rte_vmci_qp_enqueue_zc_finish(p->ep[0], 0), 0, "");
	TEST_ASSERT_EQUAL(rte_vmci_qp_ready_bytes(p->ep[1]), 10, "");
	return qpt_recv(p, 0, 10);
}

static int
zc_dequeue_partial(struct qpt_pair *p, uint64_t pos, size_t len)
{
	struct rte_vmci_qp_zc zc;

	if (qpt_send(p, 0, 10) != TEST_SUCCESS)
		return TEST_FAILED;
	TEST_ASSERT_EQUAL(rte_vmci_qp_dequeue_zc_bulk_start(p->ep[1], 10, &zc), 10, "");
	TEST_ASSERT_EQUAL(rte_vmci_qp_dequeue_zc_finish(p->ep[1], 4), 0, "");
	p->rd[0] += 4;
	TEST_ASSERT_EQUAL(rte_vmci_qp_free_space(p->ep[0]), QSIZE - 1 - 6,
			  "release of 4 bytes");
	TEST_ASSERT_EQUAL(rte_vmci_qp_ready_bytes(p->ep[1]), 6, "");
	TEST_ASSERT_EQUAL(p->hdr[1]->consumer_head, (pos + 4) % QSIZE, "");
	/* The 6 unreleased bytes are still there, in order. */
	TEST_ASSERT_EQUAL(rte_vmci_qp_dequeue_zc_bulk_start(p->ep[1], 6, &zc), 6, "");
	if (zc_check_regions(p, 0, &zc, (pos + 4) % QSIZE, 6) != TEST_SUCCESS ||
	    zc_check_data(&zc, p->rd[0]) != TEST_SUCCESS)
		return TEST_FAILED;
	TEST_ASSERT_EQUAL(rte_vmci_qp_dequeue_zc_finish(p->ep[1], 0), 0, "");
	TEST_ASSERT_EQUAL(rte_vmci_qp_ready_bytes(p->ep[1]), 6, "finish(0) released");
	return qpt_recv(p, 0, 6);
}

static int
test_zc_partial_finish(void)
{
	if (zc_case(zc_enqueue_partial, QSIZE - 2, 10) != TEST_SUCCESS ||
	    zc_case(zc_dequeue_partial, QSIZE - 2, 10) != TEST_SUCCESS)
		return TEST_FAILED;
	return TEST_SUCCESS;
}

/* finish(n) beyond the mapping is -EINVAL and moves nothing. */
static int
zc_finish_too_big(struct qpt_pair *p, uint64_t pos, size_t len)
{
	struct rte_vmci_qp_zc zc;

	TEST_ASSERT_EQUAL(rte_vmci_qp_enqueue_zc_finish(p->ep[0], 1), -EINVAL,
			  "nothing mapped yet");
	TEST_ASSERT_EQUAL(rte_vmci_qp_dequeue_zc_finish(p->ep[1], 1), -EINVAL,
			  "nothing mapped yet");
	TEST_ASSERT_EQUAL(rte_vmci_qp_enqueue_zc_bulk_start(p->ep[0], 10, &zc), 10, "");
	zc_fill(&zc, p->wr[0]);
	TEST_ASSERT_EQUAL(rte_vmci_qp_enqueue_zc_finish(p->ep[0], 11), -EINVAL, "");
	TEST_ASSERT_EQUAL(rte_vmci_qp_ready_bytes(p->ep[1]), 0, "");
	TEST_ASSERT_EQUAL(p->hdr[0]->producer_tail, pos, "");
	TEST_ASSERT_EQUAL(rte_vmci_qp_enqueue_zc_bulk_start(p->ep[0], 10, &zc), 10, "");
	TEST_ASSERT_EQUAL(rte_vmci_qp_enqueue_zc_finish(p->ep[0], 10), 0, "");
	p->wr[0] += 10;
	TEST_ASSERT_EQUAL(rte_vmci_qp_dequeue_zc_bulk_start(p->ep[1], 10, &zc), 10, "");
	TEST_ASSERT_EQUAL(rte_vmci_qp_dequeue_zc_finish(p->ep[1], 11), -EINVAL, "");
	TEST_ASSERT_EQUAL(rte_vmci_qp_ready_bytes(p->ep[1]), 10, "");
	TEST_ASSERT_EQUAL(p->hdr[1]->consumer_head, pos, "");
	TEST_ASSERT_EQUAL(rte_vmci_qp_free_space(p->ep[0]), QSIZE - 11, "");
	/* Map again rather than assume a refused finish kept the mapping. */
	TEST_ASSERT_EQUAL(rte_vmci_qp_dequeue_zc_bulk_start(p->ep[1], 10, &zc), 10, "");
	if (zc_check_data(&zc, p->rd[0]) != TEST_SUCCESS)
		return TEST_FAILED;
	TEST_ASSERT_EQUAL(rte_vmci_qp_dequeue_zc_finish(p->ep[1], 10), 0, "");
	p->rd[0] += 10;
	TEST_ASSERT_EQUAL(rte_vmci_qp_free_space(p->ep[0]), QSIZE - 1, "");
	return qpt_guard_check(p);
}

static int
test_zc_finish_too_big(void)
{
	return zc_case(zc_finish_too_big, QSIZE - 5, 10);
}

/* bulk_start maps all or nothing; burst_start maps what there is. */
static int
zc_space_limits(struct qpt_pair *p, uint64_t pos, size_t len)
{
	struct rte_vmci_qp_zc zc;

	if (qpt_send(p, 0, 3000) != TEST_SUCCESS)
		return TEST_FAILED;
	/* 1096 free, 3000 ready. */
	TEST_ASSERT_EQUAL(rte_vmci_qp_enqueue_zc_bulk_start(p->ep[0], 1097, &zc), 0, "");
	TEST_ASSERT_EQUAL(rte_vmci_qp_enqueue_zc_burst_start(p->ep[0], 5000, &zc),
			  1096, "");
	if (zc_check_regions(p, 0, &zc, (pos + 3000) % QSIZE, 1096) != TEST_SUCCESS)
		return TEST_FAILED;
	zc_fill(&zc, p->wr[0]);
	TEST_ASSERT_EQUAL(rte_vmci_qp_enqueue_zc_finish(p->ep[0], 1096), 0, "");
	p->wr[0] += 1096;
	TEST_ASSERT_EQUAL(rte_vmci_qp_enqueue_zc_burst_start(p->ep[0], 1, &zc), 0,
			  "full queue");
	if (qpt_recv(p, 0, 1000) != TEST_SUCCESS)
		return TEST_FAILED;
	/* 3096 ready. */
	TEST_ASSERT_EQUAL(rte_vmci_qp_dequeue_zc_bulk_start(p->ep[1], 3097, &zc), 0, "");
	TEST_ASSERT_EQUAL(rte_vmci_qp_dequeue_zc_burst_start(p->ep[1], 5000, &zc),
			  3096, "");
	if (zc_check_regions(p, 0, &zc, (pos + 1000) % QSIZE, 3096) != TEST_SUCCESS ||
	    zc_check_data(&zc, p->rd[0]) != TEST_SUCCESS)
		return TEST_FAILED;
	TEST_ASSERT_EQUAL(rte_vmci_qp_dequeue_zc_finish(p->ep[1], 3096), 0, "");
	p->rd[0] += 3096;
	TEST_ASSERT_EQUAL(rte_vmci_qp_dequeue_zc_burst_start(p->ep[1], 1, &zc), 0,
			  "empty queue");
	TEST_ASSERT_EQUAL(rte_vmci_qp_free_space(p->ep[0]), QSIZE - 1, "");
	return qpt_guard_check(p);
}

static int
test_zc_space_limits(void)
{
	return zc_case(zc_space_limits, QSIZE - 100, 0);
}

static const struct vmci_test_case zc_cases[] = {
	{ "zc_enqueue_wrap", test_zc_enqueue_wrap },
	{ "zc_dequeue_wrap", test_zc_dequeue_wrap },
	{ "zc_partial_finish", test_zc_partial_finish },
	{ "zc_finish_too_big", test_zc_finish_too_big },
	{ "zc_space_limits", test_zc_space_limits },
	{ NULL, NULL },
};

static const struct vmci_test_suite zc_suite = {
	.name = "qp_zc",
	.cases = zc_cases,
};

VMCI_TEST_MAIN(zc_suite);
