/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

/*
 * Gather enqueue and scatter dequeue: hundreds of small and zero-length
 * segments, across the wrap, all-or-nothing and partial.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_qp_common.h"

#define QSIZE 4097
#define OTHER_SIZE 61
/* Untouched bytes between segments: a copy that ignores iov bounds shows. */
#define GAP 3
#define MAX_SEGS 1024

/* Segments laid out in one buffer, GAP bytes apart. */
struct sg {
	struct iovec iov[MAX_SEGS];
	int cnt;
	size_t total;
	uint8_t *base;
	size_t base_len;
};

/*
 * Segments of length (i * mul) % mod, many of them zero, until @p total
 * bytes; the last is cut to fit and a zero-length one follows it.
 */
static int
sg_build(struct sg *sg, size_t total, unsigned int mul, unsigned int mod)
{
	size_t lens[MAX_SEGS], sum = 0, off = 0;
	int i, n = 0;

	while (sum < total && n < MAX_SEGS - 1) {
		lens[n] = (size_t)((n * mul) % mod);
		if (lens[n] > total - sum)
			lens[n] = total - sum;
		sum += lens[n++];
	}
	lens[n++] = 0;
	TEST_ASSERT_EQUAL(sum, total, "too many segments needed");
	sg->cnt = n;
	sg->total = total;
	sg->base_len = total + (size_t)n * GAP;
	sg->base = malloc(sg->base_len);
	TEST_ASSERT(sg->base != NULL, "out of memory");
	memset(sg->base, QPT_FILL, sg->base_len);
	for (i = 0; i < n; i++) {
		sg->iov[i].iov_base = sg->base + off;
		sg->iov[i].iov_len = lens[i];
		off += lens[i] + GAP;
	}
	return TEST_SUCCESS;
}

static void
sg_free(struct sg *sg)
{
	free(sg->base);
	sg->base = NULL;
}

/* Byte i of the segments holds pattern byte off + i. */
static void
sg_fill(struct sg *sg, uint64_t off)
{
	int i;

	for (i = 0; i < sg->cnt; i++) {
		qpt_pattern_fill(sg->iov[i].iov_base, sg->iov[i].iov_len, off);
		off += sg->iov[i].iov_len;
	}
}

/* The first n segment bytes hold the pattern from off; all else is QPT_FILL. */
static int
sg_check(const struct sg *sg, uint64_t off, size_t n)
{
	uint8_t *expect = malloc(sg->base_len);
	size_t i, done = 0;
	int s, ret = TEST_SUCCESS;

	TEST_ASSERT(expect != NULL, "out of memory");
	memset(expect, QPT_FILL, sg->base_len);
	for (s = 0; s < sg->cnt && done < n; s++) {
		size_t len = RTE_MIN(sg->iov[s].iov_len, n - done);
		uint8_t *at = expect + ((uint8_t *)sg->iov[s].iov_base - sg->base);

		qpt_pattern_fill(at, len, off + done);
		done += len;
	}
	for (i = 0; i < sg->base_len; i++) {
		if (sg->base[i] != expect[i]) {
			printf("  scatter buffer byte %zu: got 0x%02x, expected 0x%02x\n",
			       i, sg->base[i], expect[i]);
			ret = TEST_FAILED;
			break;
		}
	}
	free(expect);
	return ret;
}

/* Gather, then scatter with a different segmentation, from start pos. */
static int
iov_bulk_at(struct qpt_pair *p, uint64_t pos, struct sg *in, struct sg *out)
{
	uint8_t *ring = malloc(in->total);
	int check;

	TEST_ASSERT(ring != NULL, "out of memory");
	sg_fill(in, p->wr[0]);
	TEST_ASSERT_EQUAL(rte_vmci_qp_enqueuev_bulk(p->ep[0], in->iov, in->cnt),
			  in->total, "");
	p->wr[0] += in->total;
	TEST_ASSERT_EQUAL(rte_vmci_qp_ready_bytes(p->ep[1]), in->total, "");
	qpt_ring_read(p->data[0], p->size[0], pos, ring, in->total);
	check = qpt_pattern_check(ring, in->total, p->rd[0]);
	free(ring);
	TEST_ASSERT(check == TEST_SUCCESS, "gathered bytes wrong in the ring");
	TEST_ASSERT_EQUAL(rte_vmci_qp_dequeuev_bulk(p->ep[1], out->iov, out->cnt),
			  out->total, "");
	TEST_ASSERT(sg_check(out, p->rd[0], out->total) == TEST_SUCCESS, "");
	p->rd[0] += out->total;
	TEST_ASSERT_EQUAL(rte_vmci_qp_ready_bytes(p->ep[1]), 0, "");
	return qpt_guard_check(p);
}

static int
iov_bulk_case(uint64_t pos, size_t total)
{
	struct qpt_pair p;
	struct sg in, out;
	int ret = TEST_FAILED;

	memset(&in, 0, sizeof(in));
	memset(&out, 0, sizeof(out));
	if (qpt_pair_create(&p, QSIZE, OTHER_SIZE) != 0)
		return TEST_FAILED;
	if (sg_build(&in, total, 7, 13) == TEST_SUCCESS &&
	    sg_build(&out, total, 5, 11) == TEST_SUCCESS &&
	    qpt_advance(&p, 0, pos) == TEST_SUCCESS)
		ret = iov_bulk_at(&p, pos, &in, &out);
	if (ret != TEST_SUCCESS)
		printf("  (start %" PRIu64 ", %zu bytes)\n", pos, total);
	sg_free(&in);
	sg_free(&out);
	qpt_pair_free(&p);
	return ret;
}

static int
test_iov_bulk_wrap(void)
{
	uint64_t starts[] = { QSIZE - 3, QSIZE - 2, QSIZE - 1, 0, 1, QSIZE - 1000 };
	unsigned int i;

	for (i = 0; i < RTE_DIM(starts); i++) {
		if (iov_bulk_case(starts[i], 1800) != TEST_SUCCESS ||
		    iov_bulk_case(starts[i], QSIZE - 1) != TEST_SUCCESS)
			return TEST_FAILED;
	}
	return TEST_SUCCESS;
}

/* 1096 bytes free, 3000 ready, 100 bytes before the wrap. */
static int
short_pair(struct qpt_pair *p)
{
	if (qpt_pair_create(p, QSIZE, OTHER_SIZE) != 0)
		return TEST_FAILED;
	if (qpt_advance(p, 0, QSIZE - 100) != TEST_SUCCESS ||
	    qpt_send(p, 0, 3000) != TEST_SUCCESS) {
		qpt_pair_free(p);
		return TEST_FAILED;
	}
	return TEST_SUCCESS;
}

static int
enqueuev_short(struct qpt_pair *p, struct sg *big, struct sg *in)
{
	uint8_t *snap = qpt_ring_snapshot(p, 0);
	int same;

	TEST_ASSERT(snap != NULL, "out of memory");
	TEST_ASSERT_EQUAL(rte_vmci_qp_enqueuev_bulk(p->ep[0], big->iov, big->cnt),
			  -EMSGSIZE, "more than the queue can ever hold");
	sg_fill(in, p->wr[0]);
	TEST_ASSERT_EQUAL(rte_vmci_qp_enqueuev_bulk(p->ep[0], in->iov, in->cnt), 0,
			  "1097 bytes into 1096 free");
	same = qpt_ring_unchanged(p, 0, snap);
	free(snap);
	TEST_ASSERT(same == TEST_SUCCESS, "failed enqueuev_bulk wrote");
	TEST_ASSERT_EQUAL(rte_vmci_qp_ready_bytes(p->ep[1]), 3000, "");
	/* The burst takes the first 1096 gathered bytes, cutting a segment. */
	TEST_ASSERT_EQUAL(rte_vmci_qp_enqueuev_burst(p->ep[0], in->iov, in->cnt),
			  1096, "");
	p->wr[0] += 1096;
	TEST_ASSERT_EQUAL(rte_vmci_qp_free_space(p->ep[0]), 0, "");
	return qpt_recv(p, 0, 3000);
}

static int
dequeuev_short(struct qpt_pair *p, struct sg *big, struct sg *out)
{
	TEST_ASSERT_EQUAL(rte_vmci_qp_dequeuev_bulk(p->ep[1], big->iov, big->cnt),
			  -EMSGSIZE, "more than the queue can ever hold");
	TEST_ASSERT_EQUAL(rte_vmci_qp_dequeuev_bulk(p->ep[1], out->iov, out->cnt), 0,
			  "1200 bytes of 1096 ready");
	TEST_ASSERT(sg_check(out, 0, 0) == TEST_SUCCESS, "failed dequeuev_bulk copied");
	TEST_ASSERT_EQUAL(rte_vmci_qp_ready_bytes(p->ep[1]), 1096, "");
	TEST_ASSERT_EQUAL(rte_vmci_qp_dequeuev_burst(p->ep[1], out->iov, out->cnt),
			  1096, "");
	TEST_ASSERT(sg_check(out, p->rd[0], 1096) == TEST_SUCCESS, "");
	p->rd[0] += 1096;
	TEST_ASSERT_EQUAL(rte_vmci_qp_free_space(p->ep[0]), QSIZE - 1, "");
	return qpt_guard_check(p);
}

static int
test_iov_short(void)
{
	struct qpt_pair p;
	struct sg big, in, out;
	int ret = TEST_FAILED;

	memset(&big, 0, sizeof(big));
	memset(&in, 0, sizeof(in));
	memset(&out, 0, sizeof(out));
	if (short_pair(&p) != TEST_SUCCESS)
		return TEST_FAILED;
	if (sg_build(&big, QSIZE, 7, 13) == TEST_SUCCESS &&
	    sg_build(&in, 1097, 7, 13) == TEST_SUCCESS &&
	    sg_build(&out, 1200, 5, 11) == TEST_SUCCESS &&
	    enqueuev_short(&p, &big, &in) == TEST_SUCCESS)
		ret = dequeuev_short(&p, &big, &out);
	sg_free(&big);
	sg_free(&in);
	sg_free(&out);
	qpt_pair_free(&p);
	return ret;
}

/* No segments, or only empty ones: nothing moves, nothing is published. */
static int
test_iov_empty(void)
{
	struct qpt_pair p;
	struct iovec zeros[10];
	uint8_t b = QPT_FILL;
	int i, ret = TEST_FAILED;

	for (i = 0; i < 10; i++) {
		zeros[i].iov_base = &b;
		zeros[i].iov_len = 0;
	}
	if (qpt_pair_create(&p, QSIZE, OTHER_SIZE) != 0)
		return TEST_FAILED;
	if (qpt_send(&p, 0, 5) != TEST_SUCCESS)
		goto out;
	if (rte_vmci_qp_enqueuev_bulk(p.ep[0], zeros, 0) != 0 ||
	    rte_vmci_qp_enqueuev_burst(p.ep[0], zeros, 10) != 0 ||
	    rte_vmci_qp_enqueuev_bulk(p.ep[0], zeros, 10) != 0 ||
	    rte_vmci_qp_dequeuev_bulk(p.ep[1], zeros, 10) != 0 ||
	    rte_vmci_qp_dequeuev_burst(p.ep[1], zeros, 0) != 0 ||
	    rte_vmci_qp_dequeuev_burst(p.ep[1], zeros, 10) != 0) {
		printf("  empty iovec moved data\n");
		goto out;
	}
	if (b != QPT_FILL || p.hdr[0]->producer_tail != 5 ||
	    p.hdr[1]->consumer_head != 0) {
		printf("  empty iovec changed state\n");
		goto out;
	}
	ret = qpt_recv(&p, 0, 5);
out:
	qpt_pair_free(&p);
	return ret;
}

static const struct vmci_test_case iov_cases[] = {
	{ "iov_bulk_wrap", test_iov_bulk_wrap },
	{ "iov_short", test_iov_short },
	{ "iov_empty", test_iov_empty },
	{ NULL, NULL },
};

static const struct vmci_test_suite iov_suite = {
	.name = "qp_iov",
	.cases = iov_cases,
};

VMCI_TEST_MAIN(iov_suite);
