/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

/*
 * A peer that writes garbage: out-of-range indices in the shared headers
 * and malformed records. Every operation must fail without touching data,
 * count the error, and work again once the peer behaves.
 */

#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_memory.h>

#include "test_qp_common.h"

/* Different sizes, so an index checked against the wrong queue shows. */
#define SIZE0 5000
#define SIZE1 3000
#define OP_LEN 10
#define BUF_LEN 4096

/* Pair "qpt_corrupt_<n>" in queue-pair memory (unique names per pair). */
static int
corrupt_pair(struct qpt_pair *p)
{
	static unsigned int seq;
	char name[RTE_VMCI_QP_MEM_NAMESIZE];

	snprintf(name, sizeof(name), "qpt_corrupt_%u", seq++);
	return qpt_pair_create_mem(p, name, SIZE0, SIZE1);
}

/* Values at or above size; also one valid for the other queue only. */
static unsigned int
bad_values(uint64_t size, uint64_t other, uint64_t vals[4])
{
	unsigned int n = 0;

	vals[n++] = size;
	vals[n++] = size + 1;
	vals[n++] = UINT64_MAX;
	if (other > size)
		vals[n++] = other - 1;
	return n;
}

static uint64_t
idx_errors(struct rte_vmci_qp *qp)
{
	struct rte_vmci_qp_stats st;

	if (rte_vmci_qp_stats_get(qp, &st) != 0)
		return UINT64_MAX;
	return st.idx_errors;
}

/*
 * Reading operations, each wrapped to one shape: buf is the caller's
 * buffer (BUF_LEN bytes), which must stay untouched on error.
 */
typedef int64_t (*read_op_fn)(struct rte_vmci_qp *qp, uint8_t *buf);

static int64_t
rd_ready(struct rte_vmci_qp *qp, uint8_t *buf)
{
	return rte_vmci_qp_ready_bytes(qp);
}

static int64_t
rd_dequeue_bulk(struct rte_vmci_qp *qp, uint8_t *buf)
{
	return rte_vmci_qp_dequeue_bulk(qp, buf, OP_LEN);
}

static int64_t
rd_dequeue_burst(struct rte_vmci_qp *qp, uint8_t *buf)
{
	return rte_vmci_qp_dequeue_burst(qp, buf, BUF_LEN);
}

static int64_t
rd_peek_bulk(struct rte_vmci_qp *qp, uint8_t *buf)
{
	return rte_vmci_qp_peek_bulk(qp, buf, OP_LEN);
}

static int64_t
rd_peek_burst(struct rte_vmci_qp *qp, uint8_t *buf)
{
	return rte_vmci_qp_peek_burst(qp, buf, BUF_LEN);
}

static int64_t
rd_discard_bulk(struct rte_vmci_qp *qp, uint8_t *buf)
{
	return rte_vmci_qp_discard_bulk(qp, OP_LEN);
}

static int64_t
rd_discard_burst(struct rte_vmci_qp *qp, uint8_t *buf)
{
	return rte_vmci_qp_discard_burst(qp, BUF_LEN);
}

static int64_t
rd_dequeuev_bulk(struct rte_vmci_qp *qp, uint8_t *buf)
{
	struct iovec iov[2] = { { buf, 3 }, { buf + 3, OP_LEN - 3 } };

	return rte_vmci_qp_dequeuev_bulk(qp, iov, 2);
}

static int64_t
rd_dequeuev_burst(struct rte_vmci_qp *qp, uint8_t *buf)
{
	struct iovec iov[2] = { { buf, 3 }, { buf + 3, BUF_LEN - 3 } };

	return rte_vmci_qp_dequeuev_burst(qp, iov, 2);
}

static int64_t
rd_zc_bulk_start(struct rte_vmci_qp *qp, uint8_t *buf)
{
	struct rte_vmci_qp_zc zc;

	return rte_vmci_qp_dequeue_zc_bulk_start(qp, OP_LEN, &zc);
}

static int64_t
rd_zc_burst_start(struct rte_vmci_qp *qp, uint8_t *buf)
{
	struct rte_vmci_qp_zc zc;

	return rte_vmci_qp_dequeue_zc_burst_start(qp, BUF_LEN, &zc);
}

static int64_t
rd_msg_peek_len(struct rte_vmci_qp *qp, uint8_t *buf)
{
	return rte_vmci_qp_msg_peek_len(qp);
}

static int64_t
rd_msg_dequeue_burst(struct rte_vmci_qp *qp, uint8_t *buf)
{
	struct iovec iov = { buf, BUF_LEN };

	return rte_vmci_qp_msg_dequeue_burst(qp, &iov, 1);
}

static int64_t
rd_msg_fetchv(struct rte_vmci_qp *qp, uint8_t *buf)
{
	struct iovec iov = { buf, BUF_LEN };

	return rte_vmci_qp_msg_fetchv(qp, &iov, 1);
}

static int64_t
rd_msg_resync(struct rte_vmci_qp *qp, uint8_t *buf)
{
	return rte_vmci_qp_msg_resync(qp);
}

static const struct {
	const char *name;
	read_op_fn fn;
} read_ops[] = {
	{ "ready_bytes", rd_ready },
	{ "dequeue_bulk", rd_dequeue_bulk },
	{ "dequeue_burst", rd_dequeue_burst },
	{ "peek_bulk", rd_peek_bulk },
	{ "peek_burst", rd_peek_burst },
	{ "discard_bulk", rd_discard_bulk },
	{ "discard_burst", rd_discard_burst },
	{ "dequeuev_bulk", rd_dequeuev_bulk },
	{ "dequeuev_burst", rd_dequeuev_burst },
	{ "dequeue_zc_bulk_start", rd_zc_bulk_start },
	{ "dequeue_zc_burst_start", rd_zc_burst_start },
	{ "msg_peek_len", rd_msg_peek_len },
	{ "msg_dequeue_burst", rd_msg_dequeue_burst },
	{ "msg_fetchv", rd_msg_fetchv },
	{ "msg_resync", rd_msg_resync },
};

/* Writing operations; buf holds BUF_LEN bytes of data to write. */
typedef int64_t (*write_op_fn)(struct rte_vmci_qp *qp, uint8_t *buf);

static int64_t
wr_free_space(struct rte_vmci_qp *qp, uint8_t *buf)
{
	return rte_vmci_qp_free_space(qp);
}

static int64_t
wr_enqueue_bulk(struct rte_vmci_qp *qp, uint8_t *buf)
{
	return rte_vmci_qp_enqueue_bulk(qp, buf, OP_LEN);
}

static int64_t
wr_enqueue_burst(struct rte_vmci_qp *qp, uint8_t *buf)
{
	return rte_vmci_qp_enqueue_burst(qp, buf, BUF_LEN);
}

static int64_t
wr_enqueuev_bulk(struct rte_vmci_qp *qp, uint8_t *buf)
{
	struct iovec iov[2] = { { buf, 3 }, { buf + 3, OP_LEN - 3 } };

	return rte_vmci_qp_enqueuev_bulk(qp, iov, 2);
}

static int64_t
wr_enqueuev_burst(struct rte_vmci_qp *qp, uint8_t *buf)
{
	struct iovec iov[2] = { { buf, 3 }, { buf + 3, BUF_LEN - 3 } };

	return rte_vmci_qp_enqueuev_burst(qp, iov, 2);
}

static int64_t
wr_zc_bulk_start(struct rte_vmci_qp *qp, uint8_t *buf)
{
	struct rte_vmci_qp_zc zc;

	return rte_vmci_qp_enqueue_zc_bulk_start(qp, OP_LEN, &zc);
}

static int64_t
wr_zc_burst_start(struct rte_vmci_qp *qp, uint8_t *buf)
{
	struct rte_vmci_qp_zc zc;

	return rte_vmci_qp_enqueue_zc_burst_start(qp, BUF_LEN, &zc);
}

static int64_t
wr_msg_enqueue_burst(struct rte_vmci_qp *qp, uint8_t *buf)
{
	struct iovec iov = { buf, OP_LEN };

	return rte_vmci_qp_msg_enqueue_burst(qp, &iov, 1);
}

static int64_t
wr_msg_enqueue_bulk(struct rte_vmci_qp *qp, uint8_t *buf)
{
	struct iovec iov = { buf, OP_LEN };

	return rte_vmci_qp_msg_enqueue_bulk(qp, &iov, 1);
}

static int64_t
wr_msg_stagev(struct rte_vmci_qp *qp, uint8_t *buf)
{
	struct iovec iov = { buf, OP_LEN };

	return rte_vmci_qp_msg_stagev(qp, &iov, 1);
}

static const struct {
	const char *name;
	write_op_fn fn;
} write_ops[] = {
	{ "free_space", wr_free_space },
	{ "enqueue_bulk", wr_enqueue_bulk },
	{ "enqueue_burst", wr_enqueue_burst },
	{ "enqueuev_bulk", wr_enqueuev_bulk },
	{ "enqueuev_burst", wr_enqueuev_burst },
	{ "enqueue_zc_bulk_start", wr_zc_bulk_start },
	{ "enqueue_zc_burst_start", wr_zc_burst_start },
	{ "msg_enqueue_burst", wr_msg_enqueue_burst },
	{ "msg_enqueue_bulk", wr_msg_enqueue_bulk },
	{ "msg_stagev", wr_msg_stagev },
};

/*
 * Every reading op on endpoint e fails with -EIO, copies nothing, moves
 * nothing, and counts the bad index. The ring and e's published head are
 * compared with their state before.
 */
static int
read_ops_fail(struct qpt_pair *p, int e, uint8_t *buf, const uint8_t *snap)
{
	struct rte_vmci_qp *qp = p->ep[e];
	uint64_t head = p->hdr[e]->consumer_head;
	uint64_t errs = idx_errors(qp);
	unsigned int i;
	int64_t ret;

	for (i = 0; i < RTE_DIM(read_ops); i++) {
		memset(buf, QPT_FILL, BUF_LEN);
		ret = read_ops[i].fn(qp, buf);
		TEST_ASSERT_EQUAL(ret, -EIO, "%s", read_ops[i].name);
		TEST_ASSERT(qpt_bytes_check(buf, BUF_LEN, QPT_FILL) == TEST_SUCCESS,
			    "%s copied data", read_ops[i].name);
		TEST_ASSERT(qpt_ring_unchanged(p, 1 - e, snap) == TEST_SUCCESS,
			    "%s wrote the ring", read_ops[i].name);
		TEST_ASSERT_EQUAL(p->hdr[e]->consumer_head, head, "%s moved the head",
				  read_ops[i].name);
		TEST_ASSERT(idx_errors(qp) > errs, "%s: idx_errors %" PRIu64
			    " did not grow", read_ops[i].name, idx_errors(qp));
		errs = idx_errors(qp);
	}
	return TEST_SUCCESS;
}

/*
 * Every writing op on endpoint e fails with -EIO and writes nothing. The
 * queue is full, so no op can succeed on stale cached space without
 * reading the bad index.
 */
static int
write_ops_fail(struct qpt_pair *p, int e, uint8_t *buf, const uint8_t *snap)
{
	struct rte_vmci_qp *qp = p->ep[e];
	uint64_t tail = p->hdr[e]->producer_tail;
	uint64_t errs = idx_errors(qp);
	unsigned int i;
	int64_t ret;

	for (i = 0; i < RTE_DIM(write_ops); i++) {
		memset(buf, QPT_FILL, BUF_LEN);
		ret = write_ops[i].fn(qp, buf);
		TEST_ASSERT_EQUAL(ret, -EIO, "%s", write_ops[i].name);
		TEST_ASSERT(qpt_ring_unchanged(p, e, snap) == TEST_SUCCESS,
			    "%s wrote the ring", write_ops[i].name);
		TEST_ASSERT_EQUAL(p->hdr[e]->producer_tail, tail, "%s moved the tail",
				  write_ops[i].name);
		TEST_ASSERT(idx_errors(qp) > errs, "%s: idx_errors %" PRIu64
			    " did not grow", write_ops[i].name, idx_errors(qp));
		errs = idx_errors(qp);
	}
	rte_vmci_qp_publish(qp);
	TEST_ASSERT_EQUAL(p->hdr[e]->producer_tail, tail, "a failed stagev was published");
	return TEST_SUCCESS;
}

/* The peer of e writes a bad producer_tail for the queue e reads. */
static int
bad_tail(struct qpt_pair *p, int e, uint64_t bad, uint8_t *buf)
{
	int q = 1 - e;
	uint64_t good;
	uint8_t *snap;
	int ret;

	/* e drained the queue last time, so it must reload the tail. */
	if (qpt_send(p, q, 100) != TEST_SUCCESS)
		return TEST_FAILED;
	snap = qpt_ring_snapshot(p, q);
	TEST_ASSERT(snap != NULL, "out of memory");
	good = p->hdr[q]->producer_tail;
	p->hdr[q]->producer_tail = bad;
	ret = read_ops_fail(p, e, buf, snap);
	p->hdr[q]->producer_tail = good;
	free(snap);
	if (ret != TEST_SUCCESS)
		return TEST_FAILED;
	TEST_ASSERT_EQUAL(rte_vmci_qp_ready_bytes(p->ep[e]), 100, "after repair");
	return qpt_recv(p, q, 100);
}

/* The peer of e writes a bad consumer_head for the queue e writes. */
static int
bad_head(struct qpt_pair *p, int e, uint64_t bad, uint8_t *buf)
{
	uint64_t *head = &p->hdr[1 - e]->consumer_head;
	uint64_t good = *head;
	uint8_t *snap = qpt_ring_snapshot(p, e);
	int ret;

	TEST_ASSERT(snap != NULL, "out of memory");
	*head = bad;
	ret = write_ops_fail(p, e, buf, snap);
	*head = good;
	free(snap);
	if (ret != TEST_SUCCESS)
		return TEST_FAILED;
	TEST_ASSERT_EQUAL(rte_vmci_qp_ready_bytes(p->ep[1 - e]), p->size[e] - 1,
			  "the peer sees other data than before");
	TEST_ASSERT_EQUAL(rte_vmci_qp_free_space(p->ep[e]), 0, "after repair");
	return TEST_SUCCESS;
}

static int
corrupt_tail_side(int e)
{
	uint8_t *buf = malloc(BUF_LEN);
	struct qpt_pair p;
	uint64_t vals[4];
	unsigned int i, n;
	int ret = TEST_SUCCESS;

	TEST_ASSERT(buf != NULL, "out of memory");
	if (corrupt_pair(&p) != 0) {
		free(buf);
		return TEST_FAILED;
	}
	n = bad_values(p.size[1 - e], p.size[e], vals);
	for (i = 0; i < n && ret == TEST_SUCCESS; i++) {
		ret = bad_tail(&p, e, vals[i], buf);
		if (ret != TEST_SUCCESS)
			printf("  (endpoint %d, peer tail %" PRIu64 ")\n", e, vals[i]);
	}
	qpt_pair_free(&p);
	free(buf);
	return ret;
}

static int
corrupt_head_side(int e)
{
	uint8_t *buf = malloc(BUF_LEN);
	struct qpt_pair p;
	uint64_t vals[4];
	unsigned int i, n;
	int ret = TEST_FAILED;

	TEST_ASSERT(buf != NULL, "out of memory");
	if (corrupt_pair(&p) != 0) {
		free(buf);
		return TEST_FAILED;
	}
	/* Full from mid-ring: any enqueue must look at the peer's head. */
	if (qpt_advance(&p, e, 1000) != TEST_SUCCESS ||
	    qpt_send(&p, e, p.size[e] - 1) != TEST_SUCCESS)
		goto out;
	n = bad_values(p.size[e], p.size[1 - e], vals);
	for (i = 0; i < n; i++) {
		if (bad_head(&p, e, vals[i], buf) != TEST_SUCCESS) {
			printf("  (endpoint %d, peer head %" PRIu64 ")\n", e, vals[i]);
			goto out;
		}
	}
	/* Repaired: the data is intact and the queue flows again. */
	if (qpt_recv(&p, e, p.size[e] - 1) == TEST_SUCCESS &&
	    qpt_advance(&p, e, 77) == TEST_SUCCESS)
		ret = TEST_SUCCESS;
out:
	qpt_pair_free(&p);
	free(buf);
	return ret;
}

static int
test_bad_peer_tail_creator(void)
{
	return corrupt_tail_side(0);
}

static int
test_bad_peer_tail_peer(void)
{
	return corrupt_tail_side(1);
}

static int
test_bad_peer_head_creator(void)
{
	return corrupt_head_side(0);
}

static int
test_bad_peer_head_peer(void)
{
	return corrupt_head_side(1);
}

/*
 * A peer index is checked against the size of the queue it indexes: the
 * top valid value works, one more fails, whatever the other queue's size.
 */
static int
index_range_side(struct qpt_pair *p, int e)
{
	uint64_t *tail = &p->hdr[1 - e]->producer_tail;
	uint64_t *head = &p->hdr[1 - e]->consumer_head;
	uint64_t rsize = p->size[1 - e], wsize = p->size[e];

	*tail = rsize - 1;
	TEST_ASSERT_EQUAL(rte_vmci_qp_ready_bytes(p->ep[e]), rsize - 1, "");
	*tail = rsize;
	TEST_ASSERT_EQUAL(rte_vmci_qp_ready_bytes(p->ep[e]), -EIO, "");
	*head = wsize - 1;
	TEST_ASSERT_EQUAL(rte_vmci_qp_free_space(p->ep[e]), wsize - 2, "");
	*head = wsize;
	TEST_ASSERT_EQUAL(rte_vmci_qp_free_space(p->ep[e]), -EIO, "");
	return TEST_SUCCESS;
}

static int
test_index_checked_against_own_queue(void)
{
	struct qpt_pair p;
	int ret;

	if (corrupt_pair(&p) != 0)
		return TEST_FAILED;
	ret = index_range_side(&p, 0);
	if (ret == TEST_SUCCESS)
		ret = index_range_side(&p, 1);
	qpt_pair_free(&p);
	return ret;
}

/* A peer scribbling on our header cannot move our indices. */
static int
own_indices_local(struct qpt_pair *p)
{
	uint8_t got[10];

	if (qpt_send(p, 0, 20) != TEST_SUCCESS)
		return TEST_FAILED;
	p->hdr[0]->producer_tail = 5;
	if (qpt_send(p, 0, 10) != TEST_SUCCESS)
		return TEST_FAILED;
	TEST_ASSERT_EQUAL(p->hdr[0]->producer_tail, 30, "tail taken from the header");
	qpt_ring_read(p->data[0], p->size[0], 20, got, sizeof(got));
	TEST_ASSERT(qpt_pattern_check(got, sizeof(got), 20) == TEST_SUCCESS, "");
	if (qpt_recv(p, 0, 20) != TEST_SUCCESS)
		return TEST_FAILED;
	p->hdr[1]->consumer_head = 0;
	if (qpt_recv(p, 0, 10) != TEST_SUCCESS)
		return TEST_FAILED;
	TEST_ASSERT_EQUAL(p->hdr[1]->consumer_head, 30, "head taken from the header");
	return TEST_SUCCESS;
}

static int
test_own_indices_local(void)
{
	struct qpt_pair p;
	int ret;

	if (corrupt_pair(&p) != 0)
		return TEST_FAILED;
	ret = own_indices_local(&p);
	qpt_pair_free(&p);
	return ret;
}

/* An index an endpoint resumes from: which header, which field, its range. */
struct own_index {
	enum rte_vmci_qp_side side;
	size_t field; /* offsetof in struct rte_vmci_queue_header */
	int range_is_produce; /* 1: checked against the side's produce size */
};

static uint64_t *
own_field(const struct rte_vmci_qp_queue_desc *prod, const struct own_index *oi)
{
	return (uint64_t *)((uint8_t *)prod->hdr + oi->field);
}

static int
side_queues(struct rte_vmci_qp_mem *mem, enum rte_vmci_qp_side side,
	    struct rte_vmci_qp_conf *conf)
{
	memset(conf, 0, sizeof(*conf));
	conf->socket_id = SOCKET_ID_ANY;
	return rte_vmci_qp_mem_queues(mem, side, &conf->produce, &conf->consume);
}

/* Both constructors refuse the value with EIO. */
static int
create_refused(struct rte_vmci_qp_mem *mem, const struct own_index *oi,
	       const struct rte_vmci_qp_conf *conf)
{
	struct rte_vmci_qp *qp;

	rte_errno = 0;
	qp = rte_vmci_qp_mem_endpoint(mem, oi->side, 0);
	rte_vmci_qp_endpoint_free(qp);
	TEST_ASSERT(qp == NULL, "mem_endpoint accepted it");
	TEST_ASSERT_EQUAL(rte_errno, EIO, "mem_endpoint rte_errno");
	rte_errno = 0;
	qp = rte_vmci_qp_endpoint_create(conf);
	rte_vmci_qp_endpoint_free(qp);
	TEST_ASSERT(qp == NULL, "endpoint_create accepted it");
	TEST_ASSERT_EQUAL(rte_errno, EIO, "endpoint_create rte_errno");
	return TEST_SUCCESS;
}

/* The top valid value is accepted and the header left as it was. */
static int
create_accepted(struct rte_vmci_qp_mem *mem, const struct own_index *oi,
		const struct rte_vmci_qp_conf *conf)
{
	struct rte_vmci_queue_header before[2];
	struct rte_vmci_qp *qp;

	before[0] = *conf->produce.hdr;
	before[1] = *conf->consume.hdr;
	qp = rte_vmci_qp_mem_endpoint(mem, oi->side, 0);
	TEST_ASSERT(qp != NULL, "refused: %s", rte_strerror(rte_errno));
	rte_vmci_qp_endpoint_free(qp);
	TEST_ASSERT(memcmp(&before[0], conf->produce.hdr, sizeof(before[0])) == 0 &&
		    memcmp(&before[1], conf->consume.hdr, sizeof(before[1])) == 0,
		    "creation wrote a header");
	return TEST_SUCCESS;
}

static int
create_own_index(struct rte_vmci_qp_mem *mem, const struct own_index *oi)
{
	struct rte_vmci_qp_conf conf;
	uint64_t vals[4], size, other, *field;
	unsigned int i, n;
	int ret = TEST_SUCCESS;

	TEST_ASSERT_EQUAL(side_queues(mem, oi->side, &conf), 0, "");
	size = oi->range_is_produce ? conf.produce.size : conf.consume.size;
	other = oi->range_is_produce ? conf.consume.size : conf.produce.size;
	field = own_field(&conf.produce, oi);
	n = bad_values(size, other, vals);
	for (i = 0; i < n && ret == TEST_SUCCESS; i++) {
		*field = vals[i];
		ret = create_refused(mem, oi, &conf);
		if (ret != TEST_SUCCESS)
			printf("  (side %d, field at %zu = %" PRIu64 ")\n",
			       oi->side, oi->field, vals[i]);
	}
	if (ret == TEST_SUCCESS) {
		*field = size - 1;
		ret = create_accepted(mem, oi, &conf);
	}
	*field = 0;
	return ret;
}

static int
test_create_bad_own_index(void)
{
	static const struct own_index cases[] = {
		{ RTE_VMCI_QP_SIDE_CREATOR,
		  offsetof(struct rte_vmci_queue_header, producer_tail), 1 },
		{ RTE_VMCI_QP_SIDE_CREATOR,
		  offsetof(struct rte_vmci_queue_header, consumer_head), 0 },
		{ RTE_VMCI_QP_SIDE_PEER,
		  offsetof(struct rte_vmci_queue_header, producer_tail), 1 },
		{ RTE_VMCI_QP_SIDE_PEER,
		  offsetof(struct rte_vmci_queue_header, consumer_head), 0 },
	};
	struct rte_vmci_handle handle = { QPT_HANDLE_CONTEXT, QPT_HANDLE_RESOURCE };
	struct rte_vmci_qp_mem *mem;
	unsigned int i;
	int ret = TEST_SUCCESS;

	mem = rte_vmci_qp_mem_alloc("qpt_create_idx", SIZE0, SIZE1, SOCKET_ID_ANY);
	TEST_ASSERT(mem != NULL, "mem_alloc: %s", rte_strerror(rte_errno));
	if (rte_vmci_qp_mem_init_headers(mem, handle) != 0)
		ret = TEST_FAILED;
	for (i = 0; i < RTE_DIM(cases) && ret == TEST_SUCCESS; i++)
		ret = create_own_index(mem, &cases[i]);
	rte_vmci_qp_mem_free(mem);
	return ret;
}

/*
 * Bad records, injected as raw bytes on the byte stream of queue q: the
 * reader must refuse them, consume nothing, stay refusing after the bad
 * bytes are skipped, and recover with msg_resync().
 */
struct bad_rec {
	const char *what;
	struct rte_vmci_qp_rec_hdr hdr;
	size_t bytes;    /* payload bytes that follow the header on the wire */
	uint32_t max_rx; /* reader's limit, 0 for the queue's */
	int valid;       /* control case: a well-formed record */
};

static int
inject(struct qpt_pair *p, int q, const struct bad_rec *br)
{
	size_t len = sizeof(br->hdr) + br->bytes;
	uint8_t *raw = malloc(len);
	ssize_t ret;

	TEST_ASSERT(raw != NULL, "out of memory");
	memcpy(raw, &br->hdr, sizeof(br->hdr));
	qpt_pattern_fill(raw + sizeof(br->hdr), br->bytes, 0);
	ret = rte_vmci_qp_enqueue_bulk(p->ep[q], raw, len);
	free(raw);
	TEST_ASSERT_EQUAL(ret, len, "inject");
	return TEST_SUCCESS;
}

/* One pattern message of len bytes through the message API. */
static int
msg_one(struct qpt_pair *p, int q, size_t len, int expect)
{
	uint8_t buf[64], out[64];
	struct iovec iov = { buf, len };

	qpt_pattern_fill(buf, len, 1000);
	TEST_ASSERT_EQUAL(rte_vmci_qp_msg_enqueue_burst(p->ep[q], &iov, 1), 1, "");
	if (expect != 1)
		return TEST_SUCCESS;
	iov.iov_base = out;
	iov.iov_len = sizeof(out);
	TEST_ASSERT_EQUAL(rte_vmci_qp_msg_dequeue_burst(p->ep[1 - q], &iov, 1), 1, "");
	TEST_ASSERT_EQUAL(iov.iov_len, len, "");
	return qpt_pattern_check(out, len, 1000);
}

static uint64_t
rec_errors(struct rte_vmci_qp *qp)
{
	struct rte_vmci_qp_stats st;

	if (rte_vmci_qp_stats_get(qp, &st) != 0)
		return UINT64_MAX;
	return st.rec_errors;
}

/* Every message read returns -EBADMSG, copies and consumes nothing. */
static int
msg_reads_refused(struct qpt_pair *p, int q, uint8_t *buf)
{
	struct rte_vmci_qp *rx = p->ep[1 - q];
	int64_t ready = rte_vmci_qp_ready_bytes(rx);
	int64_t space = rte_vmci_qp_free_space(p->ep[q]);
	uint64_t head = p->hdr[1 - q]->consumer_head;
	struct iovec iov = { buf, BUF_LEN };

	memset(buf, QPT_FILL, BUF_LEN);
	TEST_ASSERT_EQUAL(rte_vmci_qp_msg_peek_len(rx), -EBADMSG, "peek_len");
	TEST_ASSERT_EQUAL(rte_vmci_qp_msg_dequeue_burst(rx, &iov, 1), -EBADMSG, "");
	iov.iov_len = BUF_LEN;
	TEST_ASSERT_EQUAL(rte_vmci_qp_msg_fetchv(rx, &iov, 1), -EBADMSG, "fetchv");
	TEST_ASSERT(qpt_bytes_check(buf, BUF_LEN, QPT_FILL) == TEST_SUCCESS,
		    "a refused record was copied");
	TEST_ASSERT_EQUAL(rte_vmci_qp_ready_bytes(rx), ready, "consumed");
	TEST_ASSERT_EQUAL(rte_vmci_qp_free_space(p->ep[q]), space, "space returned");
	TEST_ASSERT_EQUAL(p->hdr[1 - q]->consumer_head, head, "head published");
	return TEST_SUCCESS;
}

static int
bad_record_flow(struct qpt_pair *p, int q, const struct bad_rec *br, uint8_t *buf)
{
	struct rte_vmci_qp *rx = p->ep[1 - q];
	uint64_t errs = rec_errors(rx);

	if (inject(p, q, br) != TEST_SUCCESS || msg_one(p, q, 16, 0) != TEST_SUCCESS)
		return TEST_FAILED;
	if (br->valid) {
		TEST_ASSERT_EQUAL(rte_vmci_qp_msg_peek_len(rx), br->hdr.len, "control");
		TEST_ASSERT_EQUAL(rte_vmci_qp_discard_bulk(rx, 8 + br->bytes),
				  8 + br->bytes, "");
		TEST_ASSERT_EQUAL(rte_vmci_qp_msg_peek_len(rx), 16, "control");
		TEST_ASSERT_EQUAL(rte_vmci_qp_msg_resync(rx), qpt_rec_size(16), "");
		TEST_ASSERT_EQUAL(rec_errors(rx), errs, "control counted as bad");
		return msg_one(p, q, 33, 1);
	}
	if (msg_reads_refused(p, q, buf) != TEST_SUCCESS)
		return TEST_FAILED;
	TEST_ASSERT(rec_errors(rx) > errs, "rec_errors %" PRIu64 " did not grow",
		    rec_errors(rx));
	/* Skip the bad bytes: the next record is good, but reads stay refused. */
	TEST_ASSERT_EQUAL(rte_vmci_qp_discard_bulk(rx, 8 + br->bytes), 8 + br->bytes, "");
	if (msg_reads_refused(p, q, buf) != TEST_SUCCESS) {
		printf("  message reads recovered without msg_resync\n");
		return TEST_FAILED;
	}
	TEST_ASSERT_EQUAL(rte_vmci_qp_msg_resync(rx), qpt_rec_size(16), "bytes dropped");
	TEST_ASSERT_EQUAL(rte_vmci_qp_ready_bytes(rx), 0, "");
	if (msg_one(p, q, 33, 1) != TEST_SUCCESS)
		return TEST_FAILED;
	TEST_ASSERT_EQUAL(rte_vmci_qp_free_space(p->ep[q]), p->size[q] - 1, "");
	return TEST_SUCCESS;
}

static int
bad_record_case(int q, const struct bad_rec *br, uint8_t *buf)
{
	struct qpt_pair p;
	uint64_t pos;
	int ret = TEST_FAILED;

	if (corrupt_pair(&p) != 0)
		return TEST_FAILED;
	/* 8 bytes before the wrap: the bad record and its successor wrap. */
	pos = p.size[q] - 8;
	if (qpt_pair_reopen(&p, 1 - q, br->max_rx) == TEST_SUCCESS &&
	    qpt_advance(&p, q, pos) == TEST_SUCCESS)
		ret = bad_record_flow(&p, q, br, buf);
	if (ret != TEST_SUCCESS)
		printf("  (%s, queue %d)\n", br->what, q);
	qpt_pair_free(&p);
	return ret;
}

#define MAGIC RTE_VMCI_QP_REC_MAGIC

static int
test_bad_records(void)
{
	static const struct bad_rec cases[] = {
		{ "well-formed control", { 8, MAGIC, 0 }, 8, 0, 1 },
		{ "bad magic", { 8, MAGIC ^ 1, 0 }, 8, 0, 0 },
		{ "zero magic", { 8, 0, 0 }, 8, 0, 0 },
		{ "flags 1", { 8, MAGIC, 1 }, 8, 0, 0 },
		{ "flags 0x8000", { 8, MAGIC, 0x8000 }, 8, 0, 0 },
		{ "length above max_rx_msg_len", { 65, MAGIC, 0 }, 72, 64, 0 },
		{ "length above queue capacity", { 0xfffffff8u, MAGIC, 0 }, 8, 0, 0 },
		{ "truncated record", { 100, MAGIC, 0 }, 16, 0, 0 },
	};
	uint8_t *buf = malloc(BUF_LEN);
	unsigned int i;
	int q, ret = TEST_SUCCESS;

	TEST_ASSERT(buf != NULL, "out of memory");
	for (q = 0; q < 2 && ret == TEST_SUCCESS; q++) {
		for (i = 0; i < RTE_DIM(cases) && ret == TEST_SUCCESS; i++)
			ret = bad_record_case(q, &cases[i], buf);
	}
	free(buf);
	return ret;
}

static const struct vmci_test_case corrupt_cases[] = {
	{ "bad_peer_tail_creator", test_bad_peer_tail_creator },
	{ "bad_peer_tail_peer", test_bad_peer_tail_peer },
	{ "bad_peer_head_creator", test_bad_peer_head_creator },
	{ "bad_peer_head_peer", test_bad_peer_head_peer },
	{ "index_checked_against_own_queue", test_index_checked_against_own_queue },
	{ "own_indices_local", test_own_indices_local },
	{ "create_bad_own_index", test_create_bad_own_index },
	{ "bad_records", test_bad_records },
	{ NULL, NULL },
};

static const struct vmci_test_suite corrupt_suite = {
	.name = "qp_corrupt",
	.cases = corrupt_cases,
};

VMCI_TEST_MAIN(corrupt_suite);
