/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

#ifndef _VMCI_QP_PRIVATE_H_
#define _VMCI_QP_PRIVATE_H_

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_log.h>

#include "rte_vmci_qp.h"

extern int vmci_qp_logtype;

#define VMCI_QP_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, vmci_qp_logtype, "vmci_qp: %s(): " fmt "\n", \
		__func__, ##__VA_ARGS__)

#define VMCI_QP_NAMESIZE 32

/*
 * Endpoint state. Everything below is process-local: the shared memory
 * holds only the two queue headers and the data. The producer and the
 * consumer lcore each own one cache-line-aligned block, so the two
 * directions never write the same line of this struct.
 */
struct rte_vmci_qp {
	/* Read-only after creation. */
	char name[VMCI_QP_NAMESIZE];
	struct rte_vmci_handle handle;
	struct rte_vmci_queue_header *prod_hdr;       /* ours: the only header we write */
	const struct rte_vmci_queue_header *cons_hdr; /* the peer's: read only */
	uint8_t *prod_data;
	const uint8_t *cons_data;
	uint64_t prod_size;
	uint64_t cons_size;
	uint32_t max_tx_msg_len;
	uint32_t max_rx_msg_len;
	rte_iova_t cons_iova; /* of cons_data, RTE_BAD_IOVA unless contiguous over the queue */

	/* Producer lcore. */
	struct {
		uint64_t tail;      /* our producer_tail, staged bytes included */
		uint64_t pub_tail;  /* value last stored to the shared header */
		uint64_t peer_head; /* peer's consumer_head, last valid value read */
		uint64_t zc_len;    /* bytes mapped by the last zero-copy start */
		uint64_t bytes;
		uint64_t ops;
		uint64_t msgs;
		uint64_t full;
		uint64_t idx_errors;
	} prod __rte_cache_aligned;

	/* Consumer lcore. */
	struct {
		uint64_t head;      /* our consumer_head, fetched bytes included */
		uint64_t pub_head;  /* value last stored to the shared header */
		uint64_t peer_tail; /* peer's producer_tail, last valid value read */
		uint64_t zc_len;
		uint64_t hold;      /* first byte still held in place, if holding */
		bool holding;       /* records mapped in place are not all done */
		bool broken;        /* a malformed record was seen: framing lost */
		uint64_t bytes;
		uint64_t ops;
		uint64_t msgs;
		uint64_t empty;
		uint64_t idx_errors;
		uint64_t rec_errors;
		uint64_t resyncs;
		uint64_t resync_bytes;
	} cons __rte_cache_aligned;
};

#endif /* _VMCI_QP_PRIVATE_H_ */
