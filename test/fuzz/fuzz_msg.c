/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

/*
 * Framed records written by a peer. Input: u16 ring size, u16 start
 * offset (where the peer's data begins, so records wrap), u16 receive
 * limit, then the bytes the peer published. Every message read is checked
 * against its buffer and the limit, every message read in place against
 * the ring's bounds, and while any is held the consumer head published
 * stays at the oldest; reads stop within a bounded number of calls
 * whatever the bytes say.
 */

#include <errno.h>
#include <sys/uio.h>

#include <rte_common.h>

#include "fuzz_common.h"
#include "fuzz_pair.h"

#define MSG_BUF 4096u

static uint8_t bufs[4][MSG_BUF];

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	RTE_SET_USED(argc);
	RTE_SET_USED(argv);
	fuzz_eal_init("msg");
	return 0;
}

/* The peer writes @len bytes at ring offset @start and publishes them. */
static void
peer_publish(struct fuzz_pair *p, uint64_t start, const uint8_t *src, uint64_t len)
{
	uint64_t first = RTE_MIN(len, p->size[1] - start);

	memcpy(p->data[1] + start, src, first);
	memcpy(p->data[1], src + first, len - first);
	fuzz_peer_set(p, (start + len) % p->size[1], 0);
}

static void
check_msg(int64_t len, size_t cap, uint32_t limit)
{
	if (len >= 0 && ((uint64_t)len > cap || (limit != 0 && (uint64_t)len > limit)))
		abort();
}

/* Messages in place lie inside the ring, and hold it until given back. */
static int
read_in_place(struct fuzz_pair *p, uint32_t limit)
{
	struct rte_vmci_qp_msg_ref refs[4];
	const uint8_t *ring = p->data[1];
	int i, n;

	n = rte_vmci_qp_msg_dequeue_zc_burst(p->ep, refs, 4);
	for (i = 0; i < n; i++) {
		if ((const uint8_t *)refs[i].data < ring ||
		    (const uint8_t *)refs[i].data + refs[i].len > ring + p->size[1] ||
		    refs[i].pos >= p->size[1])
			abort();
		check_msg(refs[i].len, p->size[1], limit);
	}
	if (n > 0) {
		/* Held: a resync or a copying read must not publish past the first. */
		rte_vmci_qp_msg_resync(p->ep);
		if (p->hdr[0]->consumer_head != refs[0].pos)
			abort();
		if (n > 1 && rte_vmci_qp_msg_zc_done(p->ep, refs[1].pos) != 0)
			abort();
		if (rte_vmci_qp_msg_zc_done(p->ep, RTE_VMCI_QP_ZC_ALL) != 0)
			abort();
	}
	return n;
}

static void
read_all(struct fuzz_pair *p, uint32_t limit, uint8_t how)
{
	struct iovec iov[4], seg[2];
	unsigned int i, round;
	int64_t ret;
	int n;

	for (round = 0; round < 64; round++) {
		switch ((how + round) % 5) {
		case 0:
			ret = rte_vmci_qp_msg_peek_len(p->ep);
			if (ret >= 0 && limit != 0 && ret > limit)
				abort();
			if (ret < 0 && ret != -EAGAIN && ret != -EBADMSG && ret != -EIO)
				abort();
			break;
		case 1:
			for (i = 0; i < 4; i++)
				iov[i] = (struct iovec){ bufs[i], MSG_BUF >> i };
			n = rte_vmci_qp_msg_dequeue_burst(p->ep, iov, 4);
			for (i = 0; n > 0 && i < (unsigned int)n; i++)
				check_msg((int64_t)iov[i].iov_len, MSG_BUF >> i, limit);
			ret = n;
			break;
		case 2:
			seg[0] = (struct iovec){ bufs[0], 7 };
			seg[1] = (struct iovec){ bufs[1], MSG_BUF };
			ret = rte_vmci_qp_msg_fetchv(p->ep, seg, 2);
			check_msg(ret, MSG_BUF + 7, limit);
			rte_vmci_qp_release(p->ep);
			break;
		case 3:
			ret = read_in_place(p, limit);
			break;
		default:
			ret = rte_vmci_qp_msg_resync(p->ep);
			if (ret >= (int64_t)p->size[1])
				abort();
			break;
		}
		if (ret == -EAGAIN || ret == 0)
			return;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	struct fuzz_pair p;
	uint64_t ring, start, len;
	uint32_t limit;
	uint8_t how;

	ring = 8 + fuzz_take(&in, 2) % 16384;
	start = fuzz_take(&in, 2) % ring;
	limit = (uint32_t)fuzz_take(&in, 2);
	how = (uint8_t)fuzz_take(&in, 1);
	if (fuzz_pair_create(&p, 4096, ring, limit) != 0)
		return 0; /* a limit above what the ring carries is refused: fine */
	/* Resume at @start: the endpoint takes its indices from the headers. */
	if (start != 0) {
		rte_vmci_qp_endpoint_free(p.ep);
		p.ep = NULL;
		p.hdr[0]->consumer_head = start;
		p.hdr[1]->producer_tail = start;
		if (fuzz_pair_create_at(&p, limit) != 0)
			abort();
	}
	len = RTE_MIN((uint64_t)in.left, ring - 1);
	peer_publish(&p, start, in.p, len);
	read_all(&p, limit, how);
	fuzz_pair_free(&p);
	return 0;
}
