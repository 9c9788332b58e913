/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

#ifndef _FUZZ_PAIR_H_
#define _FUZZ_PAIR_H_

/*
 * One endpoint over heap queues whose data areas are malloc'ed at exactly
 * their ring size (unlike the unit tests' pairs, which add canary bytes):
 * under ASan any access one byte past a ring is reported. The test plays
 * the peer by writing the consume header and ring directly.
 */

#include <stdlib.h>
#include <string.h>

#include <rte_memory.h>
#include <rte_vmci_qp.h>

struct fuzz_pair {
	struct rte_vmci_queue_header *hdr[2]; /* [0] ours (produce), [1] the peer's */
	uint8_t *data[2];
	uint64_t size[2];
	struct rte_vmci_qp *ep;
};

static inline void
fuzz_pair_free(struct fuzz_pair *p)
{
	int q;

	rte_vmci_qp_endpoint_free(p->ep);
	for (q = 0; q < 2; q++) {
		free(p->hdr[q]);
		free(p->data[q]);
	}
	memset(p, 0, sizeof(*p));
}

/* (Re)create the endpoint over the queues; resumes from the headers. */
static inline int
fuzz_pair_create_at(struct fuzz_pair *p, uint32_t max_rx_msg_len)
{
	struct rte_vmci_qp_conf conf;

	memset(&conf, 0, sizeof(conf));
	conf.name = "fuzz";
	conf.produce.hdr = p->hdr[0];
	conf.produce.data = p->data[0];
	conf.produce.size = p->size[0];
	conf.consume.hdr = p->hdr[1];
	conf.consume.data = p->data[1];
	conf.consume.size = p->size[1];
	conf.max_rx_msg_len = max_rx_msg_len;
	conf.socket_id = SOCKET_ID_ANY;
	p->ep = rte_vmci_qp_endpoint_create(&conf);
	return p->ep == NULL ? -1 : 0;
}

/* 0, or -1 when the endpoint was refused (rte_errno set; nothing left allocated). */
static inline int
fuzz_pair_create(struct fuzz_pair *p, uint64_t prod_size, uint64_t cons_size,
		 uint32_t max_rx_msg_len)
{
	int q;

	memset(p, 0, sizeof(*p));
	p->size[0] = prod_size;
	p->size[1] = cons_size;
	for (q = 0; q < 2; q++) {
		p->hdr[q] = aligned_alloc(RTE_VMCI_QP_PAGE_SIZE, RTE_VMCI_QP_PAGE_SIZE);
		p->data[q] = malloc(p->size[q]);
		if (p->hdr[q] == NULL || p->data[q] == NULL)
			abort();
		memset(p->hdr[q], 0, RTE_VMCI_QP_PAGE_SIZE);
		memset(p->data[q], 0xee, p->size[q]);
	}
	if (fuzz_pair_create_at(p, max_rx_msg_len) != 0) {
		fuzz_pair_free(p);
		return -1;
	}
	return 0;
}

/* The peer publishes a new producer_tail / consumer_head. */
static inline void
fuzz_peer_set(struct fuzz_pair *p, uint64_t tail, uint64_t head)
{
	__atomic_store_n(&p->hdr[1]->producer_tail, tail, __ATOMIC_RELEASE);
	__atomic_store_n(&p->hdr[1]->consumer_head, head, __ATOMIC_RELEASE);
}

#endif /* _FUZZ_PAIR_H_ */
