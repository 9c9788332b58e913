/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

/*
 * Queue headers written by a peer: the input is a program that sets the
 * peer's producer_tail and consumer_head to any 64-bit value, scribbles
 * on the consume ring, and calls every byte-stream, iovec and zero-copy
 * function of our endpoint in between. Checked beyond ASan: no call moves
 * more than asked, a zero-copy map stays inside the ring, and our
 * endpoint never writes the peer's header.
 */

#include <errno.h>
#include <stdbool.h>
#include <sys/uio.h>

#include <rte_common.h>

#include "fuzz_common.h"
#include "fuzz_pair.h"

#define BUF_MAX 9000u

static uint8_t buf[BUF_MAX];

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	RTE_SET_USED(argc);
	RTE_SET_USED(argv);
	fuzz_eal_init("qp_hdr");
	return 0;
}

static void
check_len(ssize_t ret, size_t len)
{
	if (ret > (ssize_t)len || (ret < 0 && ret != -EIO && ret != -EMSGSIZE &&
				   ret != -EINVAL))
		abort();
}

static void
check_zc(const struct fuzz_pair *p, int q, const struct rte_vmci_qp_zc *zc, ssize_t ret)
{
	const uint8_t *lo = p->data[q], *hi = p->data[q] + p->size[q];
	const uint8_t *p1 = zc->ptr1, *p2 = zc->ptr2;

	if (ret <= 0)
		return;
	if ((size_t)ret != zc->len1 + zc->len2 || p1 < lo || p1 + zc->len1 > hi ||
	    (zc->len2 > 0 && (p2 != lo || p2 + zc->len2 > hi)))
		abort();
}

/* Returns true when the op was the peer writing its header. */
static bool
run_op(struct fuzz_pair *p, struct fuzz_in *in)
{
	struct iovec iov[3];
	struct rte_vmci_qp_zc zc;
	size_t len, off;
	uint8_t op = (uint8_t)fuzz_take(in, 1);
	ssize_t ret;

	len = fuzz_take(in, 2) % BUF_MAX;
	iov[0] = (struct iovec){ buf, len / 3 };
	iov[1] = (struct iovec){ buf + len / 3, 0 };
	iov[2] = (struct iovec){ buf + len / 3, len - len / 3 };
	switch (op % 18) {
	case 0:
		fuzz_peer_set(p, fuzz_take(in, 8), p->hdr[1]->consumer_head);
		return true;
	case 1:
		fuzz_peer_set(p, p->hdr[1]->producer_tail, fuzz_take(in, 8));
		return true;
	case 2: /* small, in-range moves reach the data paths more often */
		fuzz_peer_set(p, fuzz_take(in, 2) % p->size[1], fuzz_take(in, 2) % p->size[0]);
		return true;
	case 3:
		off = fuzz_take(in, 2) % p->size[1];
		len = RTE_MIN(RTE_MIN(len, in->left), (size_t)(p->size[1] - off));
		memcpy(p->data[1] + off, in->p, len);
		in->p += len;
		in->left -= len;
		return false;
	case 4: ret = rte_vmci_qp_enqueue_bulk(p->ep, buf, len); break;
	case 5: ret = rte_vmci_qp_enqueue_burst(p->ep, buf, len); break;
	case 6: ret = rte_vmci_qp_enqueuev_bulk(p->ep, iov, 3); break;
	case 7: ret = rte_vmci_qp_enqueuev_burst(p->ep, iov, 3); break;
	case 8: ret = rte_vmci_qp_dequeue_bulk(p->ep, buf, len); break;
	case 9: ret = rte_vmci_qp_dequeue_burst(p->ep, buf, len); break;
	case 10: ret = rte_vmci_qp_dequeuev_bulk(p->ep, iov, 3); break;
	case 11: ret = rte_vmci_qp_dequeuev_burst(p->ep, iov, 3); break;
	case 12: ret = rte_vmci_qp_peek_burst(p->ep, buf, len); break;
	case 13: ret = rte_vmci_qp_discard_burst(p->ep, len); break;
	case 14:
		ret = rte_vmci_qp_enqueue_zc_burst_start(p->ep, len, &zc);
		check_zc(p, 0, &zc, ret);
		if (ret > 0) {
			memset(zc.ptr1, 0x5a, zc.len1);
			if (zc.len2 > 0)
				memset(zc.ptr2, 0x5a, zc.len2);
			rte_vmci_qp_enqueue_zc_finish(p->ep, fuzz_take(in, 2) % (ret + 2));
		}
		break;
	case 15:
		ret = rte_vmci_qp_dequeue_zc_burst_start(p->ep, len, &zc);
		check_zc(p, 1, &zc, ret);
		if (ret > 0) {
			memcpy(buf, zc.ptr1, zc.len1);
			if (zc.len2 > 0)
				memcpy(buf + zc.len1, zc.ptr2, RTE_MIN(zc.len2, (size_t)BUF_MAX - zc.len1));
			rte_vmci_qp_dequeue_zc_finish(p->ep, fuzz_take(in, 2) % (ret + 2));
		}
		break;
	case 16:
		ret = rte_vmci_qp_free_space(p->ep);
		if (ret >= (ssize_t)p->size[0])
			abort();
		return false;
	default:
		ret = rte_vmci_qp_ready_bytes(p->ep);
		if (ret >= (ssize_t)p->size[1])
			abort();
		return false;
	}
	check_len(ret, len);
	return false;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	struct rte_vmci_queue_header peer;
	struct fuzz_pair p;
	unsigned int steps;
	uint64_t ps, cs;

	ps = 1 + fuzz_take(&in, 2) % 8192;
	cs = 1 + fuzz_take(&in, 2) % 8192;
	if (fuzz_pair_create(&p, ps, cs, 0) != 0)
		abort();
	for (steps = 0; steps < 512 && in.left > 0; steps++) {
		memcpy(&peer, p.hdr[1], sizeof(peer));
		if (!run_op(&p, &in) && memcmp(&peer, p.hdr[1], sizeof(peer)) != 0)
			abort(); /* our endpoint wrote the peer's header */
	}
	fuzz_pair_free(&p);
	return 0;
}
