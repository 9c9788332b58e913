/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

/*
 * Hostile peer: a thread playing the other end of a queue pair writes
 * adversarial values into both shared headers and the rings while this
 * thread runs the normal API (byte stream, iovec, zero-copy, framed
 * messages) on its endpoint. test_qp_corrupt.c checks each bad value once,
 * with the peer still; here the values change under the reader, between
 * any two of its loads (TOCTOU), so a value read twice or trusted after
 * its check shows as an out-of-bounds access (rings are malloc'ed at their
 * exact size: run under ASan) or as a result no honest peer could cause.
 *
 * Every call must return within the run (bounded loops: the meson timeout
 * catches a hang), move no more than asked, report the bad input (-EIO,
 * -EBADMSG, counters), and the endpoint must work again once the peer
 * behaves.
 */

#include <errno.h>
#include <inttypes.h>
#include <sched.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>

#include <rte_common.h>

#include "fuzz_pair.h"
#include "vmci_test.h"

#define PROD_SIZE 4093u /* odd sizes: wrap arithmetic shows */
#define CONS_SIZE 3001u
#define OPS 200000u
#define BUF_LEN 5000u

enum peer_mode {
	PEER_INDICES,      /* any 64-bit value in both headers, both indices */
	PEER_FLIP_TAIL,    /* producer_tail flips between in-range and absurd */
	PEER_FLIP_VALID,   /* producer_tail flips between two in-range values */
	PEER_RECORDS,      /* random record headers published at random tails */
	PEER_FLIP_RECORD,  /* one record whose len field keeps changing */
};

struct peer {
	struct fuzz_pair *p;
	enum peer_mode mode;
	volatile bool stop;
	uint64_t rng;
	uint64_t writes;
};

static uint64_t
rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static const uint64_t absurd[] = {
	CONS_SIZE, CONS_SIZE + 1, PROD_SIZE, UINT64_MAX, UINT64_C(1) << 63,
	UINT64_MAX - CONS_SIZE, UINT64_C(1) << 32, CONS_SIZE * 2,
};

static uint64_t
any_value(uint64_t *s, uint64_t size)
{
	uint64_t r = rnd(s);

	switch (r & 3) {
	case 0: return absurd[(r >> 2) % RTE_DIM(absurd)];
	case 1: return (r >> 2) % size;
	case 2: return size - 1 - ((r >> 2) & 3);
	default: return r;
	}
}

static void
put_record(struct fuzz_pair *p, uint64_t pos, uint32_t len, uint16_t magic, uint16_t flags)
{
	struct rte_vmci_qp_rec_hdr h = { .len = len, .magic = magic, .flags = flags };
	const uint8_t *b = (const uint8_t *)&h;
	unsigned int i;

	for (i = 0; i < sizeof(h); i++)
		((volatile uint8_t *)p->data[1])[(pos + i) % p->size[1]] = b[i];
}

static void
peer_step(struct peer *pe)
{
	struct fuzz_pair *p = pe->p;
	volatile struct rte_vmci_queue_header *cons = p->hdr[1], *prod = p->hdr[0];
	uint64_t r = rnd(&pe->rng), pos;

	switch (pe->mode) {
	case PEER_INDICES:
		cons->producer_tail = any_value(&pe->rng, CONS_SIZE);
		cons->consumer_head = any_value(&pe->rng, PROD_SIZE);
		/* Our own header too: the endpoint must never read it back. */
		if ((r & 15) == 0)
			prod->producer_tail = any_value(&pe->rng, PROD_SIZE);
		if ((r & 15) == 1)
			prod->consumer_head = any_value(&pe->rng, CONS_SIZE);
		break;
	case PEER_FLIP_TAIL:
		cons->producer_tail = (r & 1) ? absurd[(r >> 1) % RTE_DIM(absurd)] : (r >> 8) % CONS_SIZE;
		cons->consumer_head = (r & 2) ? UINT64_MAX : 0;
		break;
	case PEER_FLIP_VALID:
		cons->producer_tail = (r & 1) ? 7 : CONS_SIZE - 2;
		cons->consumer_head = (r & 2) ? 1 : PROD_SIZE - 1;
		break;
	case PEER_RECORDS:
		pos = (r >> 8) % CONS_SIZE & ~(uint64_t)7;
		put_record(p, pos, (uint32_t)(r >> 16) % (CONS_SIZE + 64),
			   (r & 7) ? RTE_VMCI_QP_REC_MAGIC : (uint16_t)r, (r & 0x70) ? 0 : 1);
		cons->producer_tail = (r & 0x80) ? any_value(&pe->rng, CONS_SIZE) :
					(pos + 8 + ((r >> 40) % 512)) % CONS_SIZE;
		break;
	case PEER_FLIP_RECORD:
		/* Record at every 8-byte slot: the reader's position moves. */
		pos = (r >> 8) % CONS_SIZE & ~(uint64_t)7;
		put_record(p, pos, (r & 1) ? 16 : (uint32_t)(r >> 32), RTE_VMCI_QP_REC_MAGIC, 0);
		cons->producer_tail = (pos + 8 + 16) % CONS_SIZE;
		break;
	}
	pe->writes++;
}

static void *
peer_main(void *arg)
{
	struct peer *pe = arg;

	while (!pe->stop)
		peer_step(pe);
	return NULL;
}

/* Results an honest or hostile peer may cause; anything else is a bug. */
static int
check_ret(const char *what, int64_t ret, uint64_t asked)
{
	if (ret > (int64_t)asked || (ret < 0 && ret != -EIO && ret != -EMSGSIZE &&
				     ret != -EBADMSG && ret != -EAGAIN)) {
		printf("  %s returned %" PRId64 " for %" PRIu64 " bytes: expected 0..%" PRIu64
		       " or -EIO/-EMSGSIZE/-EBADMSG/-EAGAIN\n", what, ret, asked, asked);
		return TEST_FAILED;
	}
	return TEST_SUCCESS;
}

static int
check_zc(const struct fuzz_pair *p, int q, const struct rte_vmci_qp_zc *zc, ssize_t ret)
{
	const uint8_t *lo = p->data[q], *hi = lo + p->size[q];
	const uint8_t *a = zc->ptr1, *b = zc->ptr2;

	if (ret <= 0)
		return TEST_SUCCESS;
	TEST_ASSERT((size_t)ret == zc->len1 + zc->len2, "zc lengths %zu + %zu != %zd",
		    zc->len1, zc->len2, ret);
	TEST_ASSERT(a >= lo && a + zc->len1 <= hi, "zc region 1 outside the ring");
	TEST_ASSERT(zc->len2 == 0 || (b == lo && b + zc->len2 <= hi),
		    "zc region 2 outside the ring");
	return TEST_SUCCESS;
}

static uint8_t buf[BUF_LEN];

/* Ring bytes of a record with @len payload bytes (rte_vmci_qp_wire.h). */
static uint64_t
rec_len(uint64_t len)
{
	return RTE_ALIGN_CEIL(sizeof(struct rte_vmci_qp_rec_hdr) + len, RTE_VMCI_QP_REC_ALIGN);
}

/* One API call picked by @r; TEST_FAILED on a result no peer may cause. */
static int
api_call(struct fuzz_pair *p, uint64_t r, bool msgs)
{
	size_t len = (r >> 8) % BUF_LEN;
	struct iovec iov[3] = {
		{ buf, len / 2 }, { buf + len / 2, 0 }, { buf + len / 2, len - len / 2 },
	};
	struct rte_vmci_qp_zc zc;
	int64_t ret;

	if (msgs) {
		struct iovec m[2] = { { buf, 64 }, { buf + 64, BUF_LEN - 64 } };

		switch (r % 7) {
		case 0:
			ret = rte_vmci_qp_msg_peek_len(p->ep);
			return check_ret("msg_peek_len", ret, UINT32_MAX);
		case 1:
			ret = rte_vmci_qp_msg_dequeue_burst(p->ep, m, 2);
			if (ret > 0 && (m[0].iov_len > 64 ||
					(ret > 1 && m[1].iov_len > BUF_LEN - 64))) {
				printf("  msg_dequeue_burst: lengths %zu, %zu beyond buffers\n",
				       m[0].iov_len, m[1].iov_len);
				return TEST_FAILED;
			}
			return check_ret("msg_dequeue_burst", ret, 2);
		case 2:
			ret = rte_vmci_qp_msg_fetchv(p->ep, m, 2);
			rte_vmci_qp_release(p->ep);
			return check_ret("msg_fetchv", ret, BUF_LEN);
		case 3:
			ret = rte_vmci_qp_msg_resync(p->ep);
			return check_ret("msg_resync", ret, CONS_SIZE - 1);
		case 4:
			ret = rte_vmci_qp_msg_enqueue_burst(p->ep, iov, 1);
			return check_ret("msg_enqueue_burst", ret, 1);
		case 5:
			ret = rte_vmci_qp_msg_stagev(p->ep, iov, 3);
			rte_vmci_qp_publish(p->ep);
			return check_ret("msg_stagev", ret, 1);
		default:
			ret = rte_vmci_qp_msg_enqueue_bulk(p->ep, iov, 1);
			return check_ret("msg_enqueue_bulk", ret, 1);
		}
	}
	switch (r % 17) {
	case 0: ret = rte_vmci_qp_enqueue_bulk(p->ep, buf, len); break;
	case 1: ret = rte_vmci_qp_enqueue_burst(p->ep, buf, len); break;
	case 2: ret = rte_vmci_qp_enqueuev_burst(p->ep, iov, 3); break;
	case 3: ret = rte_vmci_qp_dequeue_bulk(p->ep, buf, len); break;
	case 4: ret = rte_vmci_qp_dequeue_burst(p->ep, buf, len); break;
	case 5: ret = rte_vmci_qp_dequeuev_burst(p->ep, iov, 3); break;
	case 6: ret = rte_vmci_qp_peek_burst(p->ep, buf, len); break;
	case 7: ret = rte_vmci_qp_discard_burst(p->ep, len); break;
	case 12: ret = rte_vmci_qp_enqueuev_bulk(p->ep, iov, 3); break;
	case 13: ret = rte_vmci_qp_dequeuev_bulk(p->ep, iov, 3); break;
	case 14: ret = rte_vmci_qp_peek_bulk(p->ep, buf, len); break;
	case 15: ret = rte_vmci_qp_discard_bulk(p->ep, len); break;
	case 16:
		ret = rte_vmci_qp_dequeue_zc_bulk_start(p->ep, len, &zc);
		if (check_zc(p, 1, &zc, ret) != TEST_SUCCESS)
			return TEST_FAILED;
		if (ret > 0)
			TEST_ASSERT_EQUAL(rte_vmci_qp_dequeue_zc_finish(p->ep, ret), 0, "zc finish");
		break;
	case 8:
		ret = rte_vmci_qp_free_space(p->ep);
		return check_ret("free_space", ret, PROD_SIZE - 1);
	case 9:
		ret = rte_vmci_qp_ready_bytes(p->ep);
		return check_ret("ready_bytes", ret, CONS_SIZE - 1);
	case 10:
		ret = rte_vmci_qp_enqueue_zc_burst_start(p->ep, len, &zc);
		if (check_zc(p, 0, &zc, ret) != TEST_SUCCESS)
			return TEST_FAILED;
		if (ret > 0) {
			memset(zc.ptr1, 0x3c, zc.len1);
			if (zc.len2 > 0)
				memset(zc.ptr2, 0x3c, zc.len2);
			TEST_ASSERT_EQUAL(rte_vmci_qp_enqueue_zc_finish(p->ep, ret), 0, "zc finish");
		}
		break;
	default:
		ret = rte_vmci_qp_dequeue_zc_burst_start(p->ep, len, &zc);
		if (check_zc(p, 1, &zc, ret) != TEST_SUCCESS)
			return TEST_FAILED;
		if (ret > 0) {
			/* Copy first: the peer can still change bytes in place. */
			memcpy(buf, zc.ptr1, zc.len1);
			memcpy(buf + zc.len1, zc.ptr2 == NULL ? buf : zc.ptr2, zc.len2);
			TEST_ASSERT_EQUAL(rte_vmci_qp_dequeue_zc_finish(p->ep, ret), 0, "zc finish");
		}
		break;
	}
	return check_ret("byte-stream call", ret, len);
}

/* After the storm: a well-behaved peer gets a working endpoint back. */
static int
check_recovery(struct fuzz_pair *p)
{
	static const char msg[] = "after the storm";
	struct iovec in = { (void *)(uintptr_t)msg, sizeof(msg) };
	struct iovec out = { buf, BUF_LEN };

	rte_vmci_qp_endpoint_free(p->ep);
	memset(p->hdr[0], 0, sizeof(*p->hdr[0]));
	memset(p->hdr[1], 0, sizeof(*p->hdr[1]));
	TEST_ASSERT(fuzz_pair_create_at(p, 0) == 0, "endpoint over clean headers");
	TEST_ASSERT_EQUAL(rte_vmci_qp_msg_enqueue_burst(p->ep, &in, 1), 1, "send");
	/* Loop the message back as a peer would: copy our produce ring over. */
	memcpy(p->data[1], p->data[0], rec_len(sizeof(msg)));
	__atomic_store_n(&p->hdr[1]->producer_tail, rec_len(sizeof(msg)), __ATOMIC_RELEASE);
	TEST_ASSERT_EQUAL(rte_vmci_qp_msg_dequeue_burst(p->ep, &out, 1), 1, "receive");
	TEST_ASSERT_EQUAL(out.iov_len, sizeof(msg), "length");
	TEST_ASSERT(memcmp(buf, msg, sizeof(msg)) == 0, "content");
	TEST_ASSERT_EQUAL(p->hdr[0]->consumer_head, rec_len(sizeof(msg)), "head published");
	return TEST_SUCCESS;
}

static int
run_storm(enum peer_mode mode, bool msgs, bool expect_errors)
{
	struct rte_vmci_qp_stats st;
	struct fuzz_pair p;
	struct peer pe = { .mode = mode, .rng = 0x9e3779b97f4a7c15ull + mode };
	uint64_t r = 88172645463325252ull, i, bad = 0;
	pthread_t th;
	int ret = TEST_SUCCESS;

	TEST_ASSERT(fuzz_pair_create(&p, PROD_SIZE, CONS_SIZE, 0) == 0, "pair");
	pe.p = &p;
	TEST_ASSERT(pthread_create(&th, NULL, peer_main, &pe) == 0, "peer thread");
	for (i = 0; i < OPS && ret == TEST_SUCCESS; i++) {
		ret = api_call(&p, rnd(&r), msgs && (i & 3) != 3);
		if ((i & 1023) == 0)
			sched_yield(); /* let the peer run on a busy 2-core box */
	}
	pe.stop = true;
	pthread_join(th, NULL);
	if (ret != TEST_SUCCESS) {
		fuzz_pair_free(&p);
		return ret;
	}
	rte_vmci_qp_stats_get(p.ep, &st);
	bad = st.idx_errors + st.rec_errors;
	printf("  %" PRIu64 " peer writes, %" PRIu64 " ops: %" PRIu64 " index errors, %"
	       PRIu64 " record errors, %" PRIu64 " bytes in, %" PRIu64 " out\n",
	       pe.writes, i, st.idx_errors, st.rec_errors, st.deq_bytes, st.enq_bytes);
	if (expect_errors && bad == 0) {
		printf("  no bad input was reported\n");
		ret = TEST_FAILED;
	}
	if (ret == TEST_SUCCESS)
		ret = check_recovery(&p);
	fuzz_pair_free(&p);
	return ret;
}

static int
test_indices_stream(void)
{
	return run_storm(PEER_INDICES, false, true);
}

static int
test_indices_msg(void)
{
	return run_storm(PEER_INDICES, true, true);
}

static int
test_toctou_tail(void)
{
	return run_storm(PEER_FLIP_TAIL, false, true);
}

static int
test_toctou_valid(void)
{
	/* Every value is legal: no error may be reported, nothing may break. */
	return run_storm(PEER_FLIP_VALID, false, false);
}

static int
test_records(void)
{
	return run_storm(PEER_RECORDS, true, true);
}

static int
test_toctou_record(void)
{
	return run_storm(PEER_FLIP_RECORD, true, false);
}

static const struct vmci_test_case cases[] = {
	{ "indices_stream", test_indices_stream },
	{ "indices_msg", test_indices_msg },
	{ "toctou_tail", test_toctou_tail },
	{ "toctou_valid", test_toctou_valid },
	{ "records", test_records },
	{ "toctou_record", test_toctou_record },
	{ NULL, NULL },
};

static const struct vmci_test_suite suite = {
	.name = "hostile",
	.cases = cases,
};

VMCI_TEST_MAIN(suite)
