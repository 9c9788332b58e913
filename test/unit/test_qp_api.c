/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

/*
 * Endpoint control surface: creation checks, resuming from the indices in
 * the headers, info, counters and their reset, a resync counted and not
 * logged, NULL arguments.
 */

#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_log.h>

#include "test_qp_common.h"

#define QSIZE 1001
#define OTHER_SIZE 61

static int
create_refused(const struct rte_vmci_qp_conf *conf, const char *what)
{
	struct rte_vmci_qp *qp;

	rte_errno = 0;
	qp = rte_vmci_qp_endpoint_create(conf);
	rte_vmci_qp_endpoint_free(qp);
	TEST_ASSERT(qp == NULL, "accepted %s", what);
	TEST_ASSERT_EQUAL(rte_errno, EINVAL, "%s", what);
	return TEST_SUCCESS;
}

static int
bad_confs(const struct qpt_pair *p)
{
	struct rte_vmci_qp_conf conf;

	if (create_refused(NULL, "NULL conf") != TEST_SUCCESS)
		return TEST_FAILED;
	qpt_pair_conf(p, 0, &conf);
	conf.produce.size = 0;
	if (create_refused(&conf, "produce size 0") != TEST_SUCCESS)
		return TEST_FAILED;
	qpt_pair_conf(p, 0, &conf);
	conf.consume.size = 0;
	if (create_refused(&conf, "consume size 0") != TEST_SUCCESS)
		return TEST_FAILED;
	qpt_pair_conf(p, 0, &conf);
	conf.produce.hdr = NULL;
	if (create_refused(&conf, "NULL produce header") != TEST_SUCCESS)
		return TEST_FAILED;
	qpt_pair_conf(p, 0, &conf);
	conf.consume.data = NULL;
	return create_refused(&conf, "NULL consume data");
}

static int
test_create_bad_conf(void)
{
	struct qpt_pair p;
	int ret;

	if (qpt_pair_create(&p, QSIZE, OTHER_SIZE) != 0)
		return TEST_FAILED;
	ret = bad_confs(&p);
	qpt_pair_free(&p);
	return ret;
}

static int
info_checks(struct qpt_pair *p)
{
	struct rte_vmci_qp_conf conf;
	struct rte_vmci_qp_info info;
	struct rte_vmci_qp *qp;
	int ret;

	TEST_ASSERT_EQUAL(rte_vmci_qp_info_get(p->ep[0], &info), 0, "");
	TEST_ASSERT(info.name != NULL && strcmp(info.name, "qpt_a") == 0, "name");
	TEST_ASSERT(info.handle.context == QPT_HANDLE_CONTEXT &&
		    info.handle.resource == QPT_HANDLE_RESOURCE, "handle");
	TEST_ASSERT(info.produce_size == QSIZE && info.consume_size == OTHER_SIZE,
		    "sizes %" PRIu64 "/%" PRIu64, info.produce_size, info.consume_size);
	TEST_ASSERT_EQUAL(rte_vmci_qp_info_get(NULL, &info), -EINVAL, "");
	TEST_ASSERT_EQUAL(rte_vmci_qp_info_get(p->ep[0], NULL), -EINVAL, "");
	/* No name reads back as "", and a receive limit is kept. */
	qpt_pair_conf(p, 1, &conf);
	conf.name = NULL;
	conf.max_rx_msg_len = 100;
	qp = rte_vmci_qp_endpoint_create(&conf);
	TEST_ASSERT(qp != NULL, "%s", rte_strerror(rte_errno));
	ret = rte_vmci_qp_info_get(qp, &info);
	rte_vmci_qp_endpoint_free(qp);
	TEST_ASSERT_EQUAL(ret, 0, "");
	TEST_ASSERT(info.name != NULL && info.name[0] == '\0', "unnamed endpoint");
	TEST_ASSERT_EQUAL(info.max_rx_msg_len, 100, "");
	TEST_ASSERT_EQUAL(info.max_tx_msg_len, qpt_max_msg_len(OTHER_SIZE), "");
	return TEST_SUCCESS;
}

static int
test_info(void)
{
	struct qpt_pair p;
	int ret;

	if (qpt_pair_create(&p, QSIZE, OTHER_SIZE) != 0)
		return TEST_FAILED;
	ret = info_checks(&p);
	qpt_pair_free(&p);
	return ret;
}

/*
 * Endpoints resume from the headers: 20 bytes the peer has not read sit
 * at ring offsets 10..29 of queue 0, and creation leaves headers alone.
 */
static int
resume(struct qpt_pair *p)
{
	struct rte_vmci_queue_header before[2];

	p->hdr[0]->producer_tail = 30;
	p->hdr[1]->consumer_head = 10;
	qpt_pattern_fill(p->data[0] + 10, 20, 0);
	p->rd[0] = 0;
	p->wr[0] = 20;
	before[0] = *p->hdr[0];
	before[1] = *p->hdr[1];
	if (qpt_pair_reopen(p, 0, 0) != TEST_SUCCESS ||
	    qpt_pair_reopen(p, 1, 0) != TEST_SUCCESS)
		return TEST_FAILED;
	TEST_ASSERT(memcmp(&before[0], p->hdr[0], sizeof(before[0])) == 0 &&
		    memcmp(&before[1], p->hdr[1], sizeof(before[1])) == 0,
		    "creation wrote a header");
	TEST_ASSERT_EQUAL(rte_vmci_qp_ready_bytes(p->ep[1]), 20, "");
	TEST_ASSERT_EQUAL(rte_vmci_qp_free_space(p->ep[0]), 100 - 20 - 1, "");
	if (qpt_recv(p, 0, 20) != TEST_SUCCESS || qpt_send(p, 0, 85) != TEST_SUCCESS)
		return TEST_FAILED;
	TEST_ASSERT_EQUAL(p->hdr[0]->producer_tail, (30 + 85) % 100, "");
	if (qpt_recv(p, 0, 85) != TEST_SUCCESS)
		return TEST_FAILED;
	return qpt_guard_check(p);
}

static int
test_resume_from_headers(void)
{
	struct qpt_pair p;
	int ret;

	if (qpt_pair_create(&p, 100, OTHER_SIZE) != 0)
		return TEST_FAILED;
	ret = resume(&p);
	qpt_pair_free(&p);
	return ret;
}

static const struct {
	const char *name;
	size_t off;
} stat_fields[] = {
	{ "enq_bytes", offsetof(struct rte_vmci_qp_stats, enq_bytes) },
	{ "enq_ops", offsetof(struct rte_vmci_qp_stats, enq_ops) },
	{ "enq_msgs", offsetof(struct rte_vmci_qp_stats, enq_msgs) },
	{ "enq_full", offsetof(struct rte_vmci_qp_stats, enq_full) },
	{ "deq_bytes", offsetof(struct rte_vmci_qp_stats, deq_bytes) },
	{ "deq_ops", offsetof(struct rte_vmci_qp_stats, deq_ops) },
	{ "deq_msgs", offsetof(struct rte_vmci_qp_stats, deq_msgs) },
	{ "deq_empty", offsetof(struct rte_vmci_qp_stats, deq_empty) },
	{ "idx_errors", offsetof(struct rte_vmci_qp_stats, idx_errors) },
	{ "rec_errors", offsetof(struct rte_vmci_qp_stats, rec_errors) },
	{ "resyncs", offsetof(struct rte_vmci_qp_stats, resyncs) },
	{ "resync_bytes", offsetof(struct rte_vmci_qp_stats, resync_bytes) },
};

static uint64_t
stat_field(const struct rte_vmci_qp_stats *st, unsigned int i)
{
	uint64_t v;

	memcpy(&v, (const uint8_t *)st + stat_fields[i].off, sizeof(v));
	return v;
}

/* Every counter of qp equals the one in want. */
static int
stats_are(struct rte_vmci_qp *qp, const struct rte_vmci_qp_stats *want,
	  const char *when)
{
	struct rte_vmci_qp_stats got;
	unsigned int i;

	memset(&got, 0xff, sizeof(got));
	TEST_ASSERT_EQUAL(rte_vmci_qp_stats_get(qp, &got), 0, "");
	for (i = 0; i < RTE_DIM(stat_fields); i++) {
		TEST_ASSERT(stat_field(&got, i) == stat_field(want, i),
			    "%s: %s is %" PRIu64 ", expected %" PRIu64, when,
			    stat_fields[i].name, stat_field(&got, i), stat_field(want, i));
	}
	return TEST_SUCCESS;
}

static int
both_stats(struct qpt_pair *p, const struct rte_vmci_qp_stats *w0,
	   const struct rte_vmci_qp_stats *w1, const char *when)
{
	if (stats_are(p->ep[0], w0, when) != TEST_SUCCESS ||
	    stats_are(p->ep[1], w1, when) != TEST_SUCCESS)
		return TEST_FAILED;
	return TEST_SUCCESS;
}

static int
stream_stats(struct qpt_pair *p, struct rte_vmci_qp_stats *w0,
	     struct rte_vmci_qp_stats *w1)
{
	uint8_t buf[QSIZE];

	if (qpt_send(p, 0, 100) != TEST_SUCCESS)
		return TEST_FAILED;
	w0->enq_bytes = 100;
	w0->enq_ops = 1;
	TEST_ASSERT_EQUAL(rte_vmci_qp_enqueue_bulk(p->ep[0], buf, 901), 0, "900 free");
	w0->enq_full = 1;
	if (both_stats(p, w0, w1, "after a refused bulk") != TEST_SUCCESS ||
	    qpt_send(p, 0, 900) != TEST_SUCCESS)
		return TEST_FAILED;
	w0->enq_bytes += 900;
	w0->enq_ops++;
	TEST_ASSERT_EQUAL(rte_vmci_qp_enqueue_burst(p->ep[0], buf, 1), 0, "full");
	w0->enq_full++;
	if (both_stats(p, w0, w1, "after filling") != TEST_SUCCESS ||
	    qpt_recv(p, 0, 600) != TEST_SUCCESS)
		return TEST_FAILED;
	w1->deq_bytes = 600;
	w1->deq_ops = 1;
	TEST_ASSERT_EQUAL(rte_vmci_qp_dequeue_bulk(p->ep[1], buf, 401), 0, "400 ready");
	w1->deq_empty = 1;
	if (qpt_recv(p, 0, 400) != TEST_SUCCESS)
		return TEST_FAILED;
	w1->deq_bytes += 400;
	w1->deq_ops++;
	TEST_ASSERT_EQUAL(rte_vmci_qp_dequeue_burst(p->ep[1], buf, 1), 0, "empty");
	w1->deq_empty++;
	return both_stats(p, w0, w1, "after draining");
}

static int
msg_stats(struct qpt_pair *p, struct rte_vmci_qp_stats *w0,
	  struct rte_vmci_qp_stats *w1)
{
	uint8_t buf[QSIZE], out[3][16];
	struct iovec msgs[3] = { { buf, 1 }, { buf, 8 }, { buf, 13 } };
	struct iovec bufs[3] = { { out[0], 16 }, { out[1], 16 }, { out[2], 16 } };
	struct iovec big = { buf, 900 }, more = { buf, 100 };

	memset(buf, 0, sizeof(buf));
	TEST_ASSERT_EQUAL(rte_vmci_qp_msg_enqueue_burst(p->ep[0], msgs, 3), 3, "");
	/* Record bytes: 8 + 8, 8 + 8, 8 + 16. */
	w0->enq_bytes = 56;
	w0->enq_ops = 1;
	w0->enq_msgs = 3;
	TEST_ASSERT_EQUAL(rte_vmci_qp_msg_dequeue_burst(p->ep[1], bufs, 3), 3, "");
	w1->deq_bytes = 56;
	w1->deq_ops = 1;
	w1->deq_msgs = 3;
	TEST_ASSERT_EQUAL(rte_vmci_qp_msg_dequeue_burst(p->ep[1], bufs, 3), 0, "");
	w1->deq_empty = 1;
	if (both_stats(p, w0, w1, "after messages") != TEST_SUCCESS)
		return TEST_FAILED;
	/* 912 bytes used, 88 free: a 112-byte record does not fit now. */
	TEST_ASSERT_EQUAL(rte_vmci_qp_msg_enqueue_burst(p->ep[0], &big, 1), 1, "");
	w0->enq_bytes += 912;
	w0->enq_ops++;
	w0->enq_msgs++;
	TEST_ASSERT_EQUAL(rte_vmci_qp_msg_enqueue_burst(p->ep[0], &more, 1), 0, "");
	w0->enq_full = 1;
	return both_stats(p, w0, w1, "after a full message queue");
}

static int
stats_flow(struct qpt_pair *p)
{
	struct rte_vmci_qp_stats w0, w1, st;

	memset(&w0, 0, sizeof(w0));
	memset(&w1, 0, sizeof(w1));
	if (both_stats(p, &w0, &w1, "new") != TEST_SUCCESS ||
	    stream_stats(p, &w0, &w1) != TEST_SUCCESS)
		return TEST_FAILED;
	rte_vmci_qp_stats_reset(p->ep[0]);
	memset(&w0, 0, sizeof(w0));
	if (both_stats(p, &w0, &w1, "after resetting one side") != TEST_SUCCESS)
		return TEST_FAILED;
	rte_vmci_qp_stats_reset(p->ep[1]);
	memset(&w1, 0, sizeof(w1));
	if (msg_stats(p, &w0, &w1) != TEST_SUCCESS)
		return TEST_FAILED;
	TEST_ASSERT_EQUAL(rte_vmci_qp_stats_get(NULL, &st), -EINVAL, "");
	TEST_ASSERT_EQUAL(rte_vmci_qp_stats_get(p->ep[0], NULL), -EINVAL, "");
	return TEST_SUCCESS;
}

static int
test_stats(void)
{
	struct qpt_pair p;
	int ret;

	if (qpt_pair_create(&p, QSIZE, OTHER_SIZE) != 0)
		return TEST_FAILED;
	ret = stats_flow(&p);
	qpt_pair_free(&p);
	return ret;
}

/*
 * rte_vmci_qp_msg_resync() is a data-path call: with the library's log type
 * and the global level at DEBUG and the log stream captured, it writes
 * nothing, and counts instead. The capture is first shown to catch a
 * control-path line of the library.
 */
static int
resync_flow(struct qpt_pair *p, FILE *f, char **log, size_t *log_len)
{
	static const uint8_t garbage[16] = { 0xde, 0xad, 0xbe, 0xef };
	struct rte_vmci_qp *rx = p->ep[1];
	struct rte_vmci_qp_conf conf;
	struct rte_vmci_qp_stats st;
	uint8_t buf[16];
	struct iovec msg = { buf, 13 };
	int64_t dropped;
	size_t seen;

	qpt_pair_conf(p, 0, &conf);
	conf.produce.hdr = NULL;
	if (create_refused(&conf, "no produce header") != TEST_SUCCESS)
		return TEST_FAILED;
	fflush(f);
	TEST_ASSERT(*log_len > 0 && strstr(*log, "vmci_qp") != NULL,
		    "the capture missed the library's control-path line");
	seen = *log_len;
	memset(buf, 0, sizeof(buf));
	TEST_ASSERT_EQUAL(rte_vmci_qp_enqueue_bulk(p->ep[0], garbage, sizeof(garbage)),
			  sizeof(garbage), "garbage");
	TEST_ASSERT_EQUAL(rte_vmci_qp_msg_enqueue_burst(p->ep[0], &msg, 1), 1, "a record after it");
	TEST_ASSERT_EQUAL(rte_vmci_qp_msg_peek_len(rx), -EBADMSG, "bad record seen");
	dropped = rte_vmci_qp_msg_resync(rx);
	TEST_ASSERT_EQUAL(dropped, sizeof(garbage) + qpt_rec_size(13), "bytes dropped");
	fflush(f);
	TEST_ASSERT(*log_len == seen, "msg_resync logged: %s", *log + seen);
	TEST_ASSERT_EQUAL(rte_vmci_qp_stats_get(rx, &st), 0, "");
	TEST_ASSERT_EQUAL(st.resyncs, 1, "resync counted");
	TEST_ASSERT_EQUAL(st.resync_bytes, dropped, "dropped bytes counted");
	/* Nothing to drop: still a resync, no bytes. */
	TEST_ASSERT_EQUAL(rte_vmci_qp_msg_resync(rx), 0, "");
	TEST_ASSERT_EQUAL(rte_vmci_qp_stats_get(rx, &st), 0, "");
	TEST_ASSERT(st.resyncs == 2 && st.resync_bytes == (uint64_t)dropped,
		    "resyncs %" PRIu64 ", bytes %" PRIu64, st.resyncs, st.resync_bytes);
	fflush(f);
	TEST_ASSERT(*log_len == seen, "msg_resync logged: %s", *log + seen);
	TEST_ASSERT_EQUAL(rte_vmci_qp_msg_enqueue_burst(p->ep[0], &msg, 1), 1, "");
	msg.iov_len = sizeof(buf);
	TEST_ASSERT_EQUAL(rte_vmci_qp_msg_dequeue_burst(rx, &msg, 1), 1, "reads work again");
	rte_vmci_qp_stats_reset(rx);
	TEST_ASSERT_EQUAL(rte_vmci_qp_stats_get(rx, &st), 0, "");
	TEST_ASSERT(st.resyncs == 0 && st.resync_bytes == 0, "reset");
	return TEST_SUCCESS;
}

static int
test_resync_counted_not_logged(void)
{
	int type = rte_log_register("lib.vmci_qp"); /* the library's, already registered */
	uint32_t global = rte_log_get_global_level();
	int level = rte_log_get_level(type);
	char *log = NULL;
	size_t log_len = 0;
	struct qpt_pair p;
	FILE *f;
	int ret;

	TEST_ASSERT(type >= 0 && level >= 0, "log type lib.vmci_qp");
	if (qpt_pair_create(&p, QSIZE, OTHER_SIZE) != 0)
		return TEST_FAILED;
	f = open_memstream(&log, &log_len);
	if (f == NULL) {
		qpt_pair_free(&p);
		TEST_ASSERT(false, "open_memstream");
	}
	rte_openlog_stream(f);
	rte_log_set_global_level(RTE_LOG_DEBUG);
	rte_log_set_level(type, RTE_LOG_DEBUG);
	ret = resync_flow(&p, f, &log, &log_len);
	rte_log_set_level(type, level);
	rte_log_set_global_level(global);
	rte_openlog_stream(NULL);
	fclose(f);
	free(log);
	qpt_pair_free(&p);
	return ret;
}

static int
test_free_null(void)
{
	rte_vmci_qp_endpoint_free(NULL);
	return TEST_SUCCESS;
}

static const struct vmci_test_case api_cases[] = {
	{ "create_bad_conf", test_create_bad_conf },
	{ "info", test_info },
	{ "resume_from_headers", test_resume_from_headers },
	{ "stats", test_stats },
	{ "resync_counted_not_logged", test_resync_counted_not_logged },
	{ "free_null", test_free_null },
	{ NULL, NULL },
};

static const struct vmci_test_suite api_suite = {
	.name = "qp_api",
	.cases = api_cases,
};

VMCI_TEST_MAIN(api_suite);
