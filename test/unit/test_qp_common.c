/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_memory.h>

#include "test_qp_common.h"

static void
pair_zero(struct qpt_pair *p)
{
	memset(p, 0, sizeof(*p));
}

static void
header_init(struct rte_vmci_queue_header *hdr)
{
	memset(hdr, 0, RTE_VMCI_QP_PAGE_SIZE);
	hdr->handle.context = QPT_HANDLE_CONTEXT;
	hdr->handle.resource = QPT_HANDLE_RESOURCE;
}

void
qpt_pair_conf(const struct qpt_pair *p, int e, struct rte_vmci_qp_conf *conf)
{
	memset(conf, 0, sizeof(*conf));
	conf->name = e == 0 ? "qpt_a" : "qpt_b";
	conf->produce.hdr = p->hdr[e];
	conf->produce.data = p->data[e];
	conf->produce.size = p->size[e];
	conf->consume.hdr = p->hdr[1 - e];
	conf->consume.data = p->data[1 - e];
	conf->consume.size = p->size[1 - e];
	conf->socket_id = SOCKET_ID_ANY;
}

static int
heap_queue_alloc(struct qpt_pair *p, int q, uint64_t size)
{
	p->size[q] = size;
	p->hdr[q] = aligned_alloc(RTE_VMCI_QP_PAGE_SIZE, RTE_VMCI_QP_PAGE_SIZE);
	p->data[q] = malloc(size + QPT_GUARD);
	if (p->hdr[q] == NULL || p->data[q] == NULL) {
		printf("  out of memory for a %" PRIu64 "-byte queue\n", size);
		return TEST_FAILED;
	}
	header_init(p->hdr[q]);
	memset(p->data[q], QPT_RING_JUNK, size);
	memset(p->data[q] + size, QPT_CANARY, QPT_GUARD);
	return 0;
}

int
qpt_pair_create(struct qpt_pair *p, uint64_t size0, uint64_t size1)
{
	pair_zero(p);
	if (heap_queue_alloc(p, 0, size0) != 0 ||
	    heap_queue_alloc(p, 1, size1) != 0 ||
	    qpt_pair_reopen(p, 0, 0) != 0 ||
	    qpt_pair_reopen(p, 1, 0) != 0) {
		qpt_pair_free(p);
		return TEST_FAILED;
	}
	return 0;
}

int
qpt_pair_create_mem(struct qpt_pair *p, const char *name, uint64_t size0,
		    uint64_t size1)
{
	struct rte_vmci_handle handle = {
		.context = QPT_HANDLE_CONTEXT,
		.resource = QPT_HANDLE_RESOURCE,
	};
	struct rte_vmci_qp_queue_desc desc[2];
	int q;

	pair_zero(p);
	p->mem = rte_vmci_qp_local_pair_create(name, size0, size1, SOCKET_ID_ANY,
					       handle, p->ep);
	if (p->mem == NULL) {
		printf("  local pair %s: %s\n", name, rte_strerror(rte_errno));
		return TEST_FAILED;
	}
	if (rte_vmci_qp_mem_queues(p->mem, RTE_VMCI_QP_SIDE_CREATOR,
				   &desc[0], &desc[1]) != 0) {
		printf("  rte_vmci_qp_mem_queues failed\n");
		qpt_pair_free(p);
		return TEST_FAILED;
	}
	for (q = 0; q < 2; q++) {
		p->hdr[q] = desc[q].hdr;
		p->data[q] = desc[q].data;
		p->size[q] = desc[q].size;
	}
	return 0;
}

int
qpt_pair_reopen(struct qpt_pair *p, int e, uint32_t max_rx_msg_len)
{
	struct rte_vmci_qp_conf conf;

	rte_vmci_qp_endpoint_free(p->ep[e]);
	qpt_pair_conf(p, e, &conf);
	conf.max_rx_msg_len = max_rx_msg_len;
	p->ep[e] = rte_vmci_qp_endpoint_create(&conf);
	if (p->ep[e] == NULL) {
		printf("  endpoint %d: %s\n", e, rte_strerror(rte_errno));
		return TEST_FAILED;
	}
	return 0;
}

void
qpt_pair_free(struct qpt_pair *p)
{
	int q;

	if (p->mem != NULL) {
		rte_vmci_qp_local_pair_free(p->mem, p->ep);
		pair_zero(p);
		return;
	}
	for (q = 0; q < 2; q++) {
		rte_vmci_qp_endpoint_free(p->ep[q]);
		free(p->hdr[q]);
		free(p->data[q]);
	}
	pair_zero(p);
}

int
qpt_guard_check(const struct qpt_pair *p)
{
	int q;

	if (p->mem != NULL)
		return TEST_SUCCESS;
	for (q = 0; q < 2; q++) {
		if (qpt_bytes_check(p->data[q] + p->size[q], QPT_GUARD,
				    QPT_CANARY) != TEST_SUCCESS) {
			printf("  bytes written past the end of queue %d\n", q);
			return TEST_FAILED;
		}
	}
	return TEST_SUCCESS;
}

uint8_t
qpt_pattern_byte(uint64_t off)
{
	/*
	 * Multiplicative hash rather than a counter: bytes 1, 8 or 256 apart
	 * differ, so a copy that slips by any small amount or wraps at the
	 * wrong place is caught.
	 */
	return (uint8_t)((off * 2654435761u) >> 13);
}

void
qpt_pattern_fill(void *buf, size_t len, uint64_t off)
{
	uint8_t *b = buf;
	size_t i;

	for (i = 0; i < len; i++)
		b[i] = qpt_pattern_byte(off + i);
}

int
qpt_pattern_check(const void *buf, size_t len, uint64_t off)
{
	const uint8_t *b = buf;
	size_t i;

	for (i = 0; i < len; i++) {
		if (b[i] != qpt_pattern_byte(off + i)) {
			printf("  byte %zu of %zu (stream offset %" PRIu64
			       "): got 0x%02x, expected 0x%02x\n", i, len,
			       off + i, b[i], qpt_pattern_byte(off + i));
			return TEST_FAILED;
		}
	}
	return TEST_SUCCESS;
}

int
qpt_bytes_check(const void *buf, size_t len, uint8_t val)
{
	const uint8_t *b = buf;
	size_t i;

	for (i = 0; i < len; i++) {
		if (b[i] != val) {
			printf("  byte %zu of %zu: got 0x%02x, expected 0x%02x\n",
			       i, len, b[i], val);
			return TEST_FAILED;
		}
	}
	return TEST_SUCCESS;
}

void
qpt_ring_read(const uint8_t *ring, uint64_t size, uint64_t pos, void *buf,
	      size_t len)
{
	uint8_t *b = buf;
	size_t first = len;

	if (first > size - pos)
		first = size - pos;
	memcpy(b, ring + pos, first);
	memcpy(b + first, ring, len - first);
}

int
qpt_send(struct qpt_pair *p, int q, size_t len)
{
	uint8_t *buf = malloc(len + 1);
	ssize_t ret;

	TEST_ASSERT(buf != NULL, "out of memory");
	qpt_pattern_fill(buf, len, p->wr[q]);
	ret = rte_vmci_qp_enqueue_bulk(p->ep[q], buf, len);
	free(buf);
	TEST_ASSERT_EQUAL(ret, len, "enqueue_bulk into queue %d", q);
	p->wr[q] += len;
	return TEST_SUCCESS;
}

int
qpt_recv(struct qpt_pair *p, int q, size_t len)
{
	uint8_t *buf = malloc(len + 1);
	ssize_t ret;
	int check;

	TEST_ASSERT(buf != NULL, "out of memory");
	memset(buf, QPT_FILL, len);
	ret = rte_vmci_qp_dequeue_bulk(p->ep[1 - q], buf, len);
	check = qpt_pattern_check(buf, len, p->rd[q]);
	free(buf);
	TEST_ASSERT_EQUAL(ret, len, "dequeue_bulk from queue %d", q);
	TEST_ASSERT(check == TEST_SUCCESS, "data read from queue %d", q);
	p->rd[q] += len;
	return TEST_SUCCESS;
}

int
qpt_advance(struct qpt_pair *p, int q, uint64_t n)
{
	if (n == 0)
		return TEST_SUCCESS;
	if (qpt_send(p, q, n) != TEST_SUCCESS || qpt_recv(p, q, n) != TEST_SUCCESS)
		return TEST_FAILED;
	return TEST_SUCCESS;
}

uint64_t
qpt_rec_size(uint64_t len)
{
	uint64_t align = RTE_VMCI_QP_REC_ALIGN;

	return sizeof(struct rte_vmci_qp_rec_hdr) + (len + align - 1) / align * align;
}

uint32_t
qpt_max_msg_len(uint64_t size)
{
	uint64_t room, max;

	/* The record must fit the size - 1 usable bytes; padding is whole units. */
	room = size - 1;
	if (room < sizeof(struct rte_vmci_qp_rec_hdr))
		return 0;
	max = (room - sizeof(struct rte_vmci_qp_rec_hdr)) / RTE_VMCI_QP_REC_ALIGN *
		RTE_VMCI_QP_REC_ALIGN;
	return max > UINT32_MAX ? UINT32_MAX : (uint32_t)max;
}

uint8_t *
qpt_ring_snapshot(const struct qpt_pair *p, int q)
{
	uint8_t *snap = malloc(p->size[q]);

	if (snap != NULL)
		memcpy(snap, p->data[q], p->size[q]);
	return snap;
}

int
qpt_ring_unchanged(const struct qpt_pair *p, int q, const uint8_t *snap)
{
	uint64_t i;

	for (i = 0; i < p->size[q]; i++) {
		if (p->data[q][i] != snap[i]) {
			printf("  ring %d byte %" PRIu64 " changed: 0x%02x -> 0x%02x\n",
			       q, i, snap[i], p->data[q][i]);
			return TEST_FAILED;
		}
	}
	return TEST_SUCCESS;
}
