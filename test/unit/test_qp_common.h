/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

#ifndef _TEST_QP_COMMON_H_
#define _TEST_QP_COMMON_H_

/*
 * Helpers shared by the lib/vmci_qp unit tests: a pair of endpoints whose
 * ring bytes the test can see, a position-dependent byte pattern, and
 * checks that name the first wrong byte.
 */

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include <rte_common.h>
#include <rte_vmci_qp.h>
#include <rte_vmci_qp_mem.h>

#include "vmci_test.h"

/* Bytes after each heap ring that the library must never write. */
#define QPT_GUARD 64
#define QPT_CANARY 0xc5
/* Ring bytes before anything is written: non-zero so padding checks bite. */
#define QPT_RING_JUNK 0xee
/* Caller buffers are pre-filled with this to prove nothing was copied. */
#define QPT_FILL 0xa5

/* Handle written into the headers of every test pair. */
#define QPT_HANDLE_CONTEXT 7u
#define QPT_HANDLE_RESOURCE 4242u

/*
 * Two endpoints over one queue pair. Queue q is written by ep[q] and read
 * by ep[1 - q]; hdr[q] is its header, which only ep[q] writes. With
 * mem == NULL the queues are heap memory followed by QPT_GUARD canary
 * bytes; otherwise they live in rte_vmci_qp_mem from a local pair.
 */
struct qpt_pair {
	struct rte_vmci_qp_mem *mem;
	struct rte_vmci_queue_header *hdr[2];
	uint8_t *data[2];
	uint64_t size[2];
	struct rte_vmci_qp *ep[2];
	uint64_t wr[2]; /* pattern offset of the next byte written to queue q */
	uint64_t rd[2]; /* pattern offset of the next byte read from queue q */
};

/* Heap pair with zeroed indices; 0 or TEST_FAILED. */
int
qpt_pair_create(struct qpt_pair *p, uint64_t size0, uint64_t size1);

/* Local pair in rte_vmci_qp_mem (SOCKET_ID_ANY); 0 or TEST_FAILED. */
int
qpt_pair_create_mem(struct qpt_pair *p, const char *name, uint64_t size0,
		    uint64_t size1);

/* Replace ep[e] by a new endpoint over the same queues (resumes indices). */
int
qpt_pair_reopen(struct qpt_pair *p, int e, uint32_t max_rx_msg_len);

/* Endpoint configuration for side e of the pair. */
void
qpt_pair_conf(const struct qpt_pair *p, int e, struct rte_vmci_qp_conf *conf);

void
qpt_pair_free(struct qpt_pair *p);

/* Canaries after heap rings intact (no-op for memzone pairs). */
int
qpt_guard_check(const struct qpt_pair *p);

uint8_t
qpt_pattern_byte(uint64_t off);

void
qpt_pattern_fill(void *buf, size_t len, uint64_t off);

/* buf holds the pattern from offset off; prints the first wrong byte. */
int
qpt_pattern_check(const void *buf, size_t len, uint64_t off);

/* Every byte of buf is val (used to prove a buffer was not written). */
int
qpt_bytes_check(const void *buf, size_t len, uint8_t val);

/* Copy len ring bytes starting at ring offset pos, wrapping at size. */
void
qpt_ring_read(const uint8_t *ring, uint64_t size, uint64_t pos, void *buf,
	      size_t len);

/* Enqueue len pattern bytes into queue q (bulk), asserting success. */
int
qpt_send(struct qpt_pair *p, int q, size_t len);

/* Dequeue len bytes from queue q (bulk) and check the pattern. */
int
qpt_recv(struct qpt_pair *p, int q, size_t len);

/* Move both indices of queue q forward by n (< size) through the API. */
int
qpt_advance(struct qpt_pair *p, int q, uint64_t n);

/* Ring bytes a record with this payload length occupies. */
uint64_t
qpt_rec_size(uint64_t len);

/* Largest payload a queue of this size carries (record in size - 1 bytes). */
uint32_t
qpt_max_msg_len(uint64_t size);

/* Copy of a ring's bytes, to compare after an operation that must not write. */
uint8_t *
qpt_ring_snapshot(const struct qpt_pair *p, int q);

int
qpt_ring_unchanged(const struct qpt_pair *p, int q, const uint8_t *snap);

#endif /* _TEST_QP_COMMON_H_ */
