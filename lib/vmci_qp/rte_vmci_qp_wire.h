/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

#ifndef _RTE_VMCI_QP_WIRE_H_
#define _RTE_VMCI_QP_WIRE_H_

/**
 * @file
 * Shared-memory layout of a VMCI queue pair.
 *
 * This header holds the layout only: what a peer (the hypervisor, a host
 * kernel, another guest process) sees in memory. The queue header and page
 * layout are VMCI's wire format and must not change; the record header is
 * this project's framing on top of the byte stream.
 *
 * A queue is one header page followed by ceil(size / 4096) data pages. Byte
 * offset o of the queue lives at data page o / 4096, offset o % 4096. The
 * ring wraps at exactly @c size bytes, which need not be a page multiple.
 */

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Layout checks: C11 spells them _Static_assert, C++11 static_assert. */
#ifdef __cplusplus
#define RTE_VMCI_QP_STATIC_ASSERT(cond, msg) static_assert(cond, msg)
#else
#define RTE_VMCI_QP_STATIC_ASSERT(cond, msg) _Static_assert(cond, msg)
#endif

/** Page size that VMCI page numbers and queue layout are expressed in. */
#define RTE_VMCI_QP_PAGE_SIZE 4096u
/** log2 of RTE_VMCI_QP_PAGE_SIZE. */
#define RTE_VMCI_QP_PAGE_SHIFT 12

/** A VMCI handle: context ID and resource ID. */
struct rte_vmci_handle {
	uint32_t context;  /**< Context ID (CID). */
	uint32_t resource; /**< Resource ID within the context. */
};

/**
 * Header at offset 0 of each queue's header page (24 bytes).
 *
 * An endpoint writes only the header of its own produce queue:
 * producer_tail is how far it has written into that queue, consumer_head
 * is how far it has read in its consume queue (the peer's produce queue).
 * Both are byte offsets in [0, size) and are read and written as single
 * aligned 64-bit accesses.
 */
struct rte_vmci_queue_header {
	struct rte_vmci_handle handle; /**< Queue-pair handle. */
	uint64_t producer_tail;        /**< Next offset the owner writes. */
	uint64_t consumer_head;        /**< Next offset the owner reads in its consume queue. */
};

RTE_VMCI_QP_STATIC_ASSERT(sizeof(struct rte_vmci_handle) == 8, "VMCI handle is 8 bytes");
RTE_VMCI_QP_STATIC_ASSERT(sizeof(struct rte_vmci_queue_header) == 24,
			  "VMCI queue header is 24 bytes");

/** Magic in every framed record header: "VQ". */
#define RTE_VMCI_QP_REC_MAGIC 0x5156u
/** Records start at stream offsets that are multiples of this. */
#define RTE_VMCI_QP_REC_ALIGN 8u

/**
 * Header of a framed record (message) in the byte stream (8 bytes).
 *
 * A record is this header followed by @c len payload bytes, padded with
 * zeros to a multiple of RTE_VMCI_QP_REC_ALIGN. A writer publishes its
 * producer_tail only after whole records, so a reader never sees part of
 * one; a record may wrap around the end of the ring.
 */
struct rte_vmci_qp_rec_hdr {
	uint32_t len;   /**< Payload length in bytes. */
	uint16_t magic; /**< RTE_VMCI_QP_REC_MAGIC. */
	uint16_t flags; /**< Reserved, zero. */
};

RTE_VMCI_QP_STATIC_ASSERT(sizeof(struct rte_vmci_qp_rec_hdr) == RTE_VMCI_QP_REC_ALIGN,
			  "record header is one alignment unit");

#ifdef __cplusplus
}
#endif

#endif /* _RTE_VMCI_QP_WIRE_H_ */
