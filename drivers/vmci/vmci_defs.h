/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

#ifndef _VMCI_DEFS_H_
#define _VMCI_DEFS_H_

/*
 * VMCI device wire layout: PCI identity, registers, capabilities,
 * datagrams, hypercalls, DMA datagram buffers, events and result codes.
 * Written from the project's protocol reference (shared docs,
 * vmci-device.md); the driver and the emulated device both include it, so
 * the two sides of the wire share one definition. Layout only: no code.
 * All fields are little-endian.
 */

#include <stdint.h>

#include "rte_vmci_qp_wire.h"

/* PCI identity (section 1). */
#define VMCI_PCI_VENDOR_ID        0x15AD
#define VMCI_PCI_DEVICE_ID        0x0740
#define VMCI_BAR_IO               0    /* registers in port-I/O mode */
#define VMCI_BAR_MEM              1    /* MSI-X; registers too when 256 KiB */
#define VMCI_BAR_MEM_MMIO_SIZE    0x40000u
#define VMCI_MMIO_REG_OFFSET      0x20000u
#define VMCI_MMIO_REG_SIZE        0x10000u

/* Register offsets, same in port-I/O and MMIO mode (section 2). */
#define VMCI_REG_STATUS           0x00
#define VMCI_REG_CONTROL          0x04
#define VMCI_REG_ICR              0x08
#define VMCI_REG_IMR              0x0C
#define VMCI_REG_DATA_OUT         0x10 /* 8-bit FIFO */
#define VMCI_REG_DATA_IN          0x14 /* 8-bit FIFO */
#define VMCI_REG_CAPS             0x18
#define VMCI_REG_RESULT_LOW       0x1C
#define VMCI_REG_RESULT_HIGH      0x20
#define VMCI_REG_DATA_OUT_LOW     0x24
#define VMCI_REG_DATA_OUT_HIGH    0x28
#define VMCI_REG_DATA_IN_LOW      0x2C
#define VMCI_REG_DATA_IN_HIGH     0x30
#define VMCI_REG_GUEST_PAGE_SHIFT 0x34
#define VMCI_REG_FILE_SIZE        0x38

#define VMCI_STATUS_INT_ON        0x1u

#define VMCI_CONTROL_RESET        0x1u
#define VMCI_CONTROL_INT_ENABLE   0x2u
#define VMCI_CONTROL_INT_DISABLE  0x4u

/* ICR and IMR bits. */
#define VMCI_ICR_DATAGRAM         0x1u
#define VMCI_ICR_NOTIFICATION     0x2u
#define VMCI_ICR_DMA_DATAGRAM     0x4u

/* Capability bits. */
#define VMCI_CAPS_HYPERCALL       0x01u
#define VMCI_CAPS_GUESTCALL       0x02u
#define VMCI_CAPS_DATAGRAM        0x04u
#define VMCI_CAPS_NOTIFICATIONS   0x08u
#define VMCI_CAPS_PPN64           0x10u
#define VMCI_CAPS_DMA_DATAGRAM    0x20u

/* Datagrams (section 4). */
struct vmci_dg_hdr {
	struct rte_vmci_handle dst;
	struct rte_vmci_handle src;
	uint64_t payload_size;
};

#define VMCI_DG_HDR_SIZE          24u
#define VMCI_MAX_DG_SIZE          (17u * 4096u)                  /* 69632 */
#define VMCI_MAX_DG_PAYLOAD_SIZE  (VMCI_MAX_DG_SIZE - VMCI_DG_HDR_SIZE)
#define VMCI_DG_ALIGN             8u
/* Incoming datagrams occupy their size rounded up to 8 bytes. */
#define VMCI_DG_SIZE_ALIGNED(payload) \
	(((uint64_t)VMCI_DG_HDR_SIZE + (payload) + VMCI_DG_ALIGN - 1) & ~(uint64_t)(VMCI_DG_ALIGN - 1))
/* Host-side pending queue limit per context. */
#define VMCI_MAX_PENDING_DG_BYTES (2u * VMCI_MAX_DG_SIZE)

/* Well-known IDs. */
#define VMCI_HYPERVISOR_CID       0u
#define VMCI_WELL_KNOWN_CID       1u
#define VMCI_HOST_CID             2u
#define VMCI_RESERVED_CID_LIMIT   16u
#define VMCI_INVALID_ID           0xFFFFFFFFu
#define VMCI_CONTEXT_RESOURCE_ID  0u
#define VMCI_EVENT_HANDLER_RID    0u
#define VMCI_RESERVED_RID_LIMIT   1024u

/* Hypercall resource IDs (dst = 0:rid). */
#define VMCI_RESOURCES_QUERY      0u
#define VMCI_GET_CONTEXT_ID       1u
#define VMCI_SET_NOTIFY_BITMAP    2u
#define VMCI_DOORBELL_LINK        3u
#define VMCI_DOORBELL_UNLINK      4u
#define VMCI_DOORBELL_NOTIFY      5u
#define VMCI_DATAGRAM_REQUEST_MAP 6u
#define VMCI_DATAGRAM_REMOVE_MAP  7u
#define VMCI_EVENT_SUBSCRIBE      8u
#define VMCI_EVENT_UNSUBSCRIBE    9u
#define VMCI_QUEUEPAIR_ALLOC      10u
#define VMCI_QUEUEPAIR_DETACH     11u
#define VMCI_RESOURCE_MAX         17u

/* Hypercall payloads, each starting with the datagram header. */
#define VMCI_RESOURCES_QUERY_MAX  31u

struct vmci_resources_query_msg {
	struct vmci_dg_hdr hdr;
	uint32_t num_resources;
	uint32_t pad;
	/* followed by uint32_t rid[num_resources] */
};

struct vmci_notify_bitmap_set32_msg {
	struct vmci_dg_hdr hdr;
	uint32_t bitmap_ppn;
	uint32_t pad;
};

struct vmci_notify_bitmap_set64_msg {
	struct vmci_dg_hdr hdr;
	uint64_t bitmap_ppn;
};

struct vmci_doorbell_link_msg {
	struct vmci_dg_hdr hdr;
	struct rte_vmci_handle handle;
	uint64_t notify_idx;
};

/* DOORBELL_UNLINK, DOORBELL_NOTIFY and QUEUEPAIR_DETACH carry a handle only. */
struct vmci_handle_msg {
	struct vmci_dg_hdr hdr;
	struct rte_vmci_handle handle;
};

struct vmci_qp_alloc_msg {
	struct vmci_dg_hdr hdr;
	struct rte_vmci_handle handle;
	uint32_t peer;
	uint32_t flags;
	uint64_t produce_size;
	uint64_t consume_size;
	uint64_t num_ppns;
	/* followed by num_ppns page numbers, u64 with PPN64, else u32 */
};

/* Queue-pair flags. */
#define VMCI_QPFLAG_ATTACH_ONLY   0x1u
#define VMCI_QPFLAG_LOCAL         0x2u
#define VMCI_QPFLAG_NONBLOCK      0x4u
#define VMCI_QPFLAG_PINNED        0x8u
#define VMCI_QPFLAG_ALL           0xFu
#define VMCI_QP_MIN_PPNS          3u
#define VMCI_MAX_GUEST_QP_MEMORY  (128u * 1024u * 1024u)
#define VMCI_MAX_DOORBELLS        4096u
#define VMCI_NOTIFY_BITMAP_SIZE   4096u

/* DMA datagram buffers (section 4.5, 4.6). */
struct vmci_dma_hdr {
	uint32_t busy;
	uint32_t opcode;
	uint32_t size;
	uint32_t rsvd;
	uint64_t result;
};

struct vmci_sg_elem {
	uint64_t addr;
	uint64_t size;
};

#define VMCI_DMA_OP_INLINE        0u   /* send: datagram bytes follow the header */
#define VMCI_DMA_OP_SG            1u   /* receive: an S/G list follows the header */
#define VMCI_DMA_DATA_OFFSET      4096u
#define VMCI_DMA_BUF_SIZE         (VMCI_DMA_DATA_OFFSET + VMCI_MAX_DG_SIZE) /* 73728 */

/* Events (section 7): from 0:0 to (guest CID):0. */
#define VMCI_EVENT_CTX_ID_UPDATE   0u
#define VMCI_EVENT_CTX_REMOVED     1u
#define VMCI_EVENT_QP_RESUMED      2u
#define VMCI_EVENT_QP_PEER_ATTACH  3u
#define VMCI_EVENT_QP_PEER_DETACH  4u
#define VMCI_EVENT_MEM_ACCESS_ON   5u
#define VMCI_EVENT_MEM_ACCESS_OFF  6u
#define VMCI_EVENT_GUEST_PAUSED    7u
#define VMCI_EVENT_GUEST_UNPAUSED  8u
#define VMCI_EVENT_MAX             9u

struct vmci_event_data {
	uint32_t event;
	uint32_t pad;
};

struct vmci_event_payload_context {
	uint32_t context_id;
	uint32_t pad;
};

struct vmci_event_payload_qp {
	struct rte_vmci_handle handle;
	uint32_t peer_id;
	uint32_t pad;
};

struct vmci_event_msg {
	struct vmci_dg_hdr hdr;
	struct vmci_event_data event_data;
	/* followed by the event payload */
};

#define VMCI_EVENT_MIN_PAYLOAD    4u
#define VMCI_EVENT_MAX_PAYLOAD    24u

/* Result codes (section 8). */
enum vmci_result {
	VMCI_SUCCESS_QUEUEPAIR_ATTACH = 5,
	VMCI_SUCCESS_QUEUEPAIR_CREATE = 4,
	VMCI_SUCCESS_LAST_DETACH = 3,
	VMCI_SUCCESS_ACCESS_GRANTED = 2,
	VMCI_SUCCESS_ENTRY_DEAD = 1,
	VMCI_SUCCESS = 0,
	VMCI_ERROR_INVALID_RESOURCE = -1,
	VMCI_ERROR_INVALID_ARGS = -2,
	VMCI_ERROR_NO_MEM = -3,
	VMCI_ERROR_DATAGRAM_FAILED = -4,
	VMCI_ERROR_MORE_DATA = -5,
	VMCI_ERROR_NO_MORE_DATAGRAMS = -6,
	VMCI_ERROR_NO_ACCESS = -7,
	VMCI_ERROR_NO_HANDLE = -8,
	VMCI_ERROR_DUPLICATE_ENTRY = -9,
	VMCI_ERROR_DST_UNREACHABLE = -10,
	VMCI_ERROR_PAYLOAD_TOO_LARGE = -11,
	VMCI_ERROR_INVALID_PRIV = -12,
	VMCI_ERROR_GENERIC = -13,
	VMCI_ERROR_PAGE_ALREADY_SHARED = -14,
	VMCI_ERROR_CANNOT_SHARE_PAGE = -15,
	VMCI_ERROR_CANNOT_UNSHARE_PAGE = -16,
	VMCI_ERROR_NO_PROCESS = -17,
	VMCI_ERROR_NO_DATAGRAM = -18,
	VMCI_ERROR_NO_RESOURCES = -19,
	VMCI_ERROR_UNAVAILABLE = -20,
	VMCI_ERROR_NOT_FOUND = -21,
	VMCI_ERROR_ALREADY_EXISTS = -22,
	VMCI_ERROR_NOT_PAGE_ALIGNED = -23,
	VMCI_ERROR_INVALID_SIZE = -24,
	VMCI_ERROR_REGION_ALREADY_SHARED = -25,
	VMCI_ERROR_TIMEOUT = -26,
	VMCI_ERROR_DATAGRAM_INCOMPLETE = -27,
	VMCI_ERROR_INCORRECT_IRQL = -28,
	VMCI_ERROR_EVENT_UNKNOWN = -29,
	VMCI_ERROR_OBSOLETE = -30,
	VMCI_ERROR_QUEUEPAIR_MISMATCH = -31,
	VMCI_ERROR_QUEUEPAIR_NOTSET = -32,
	VMCI_ERROR_QUEUEPAIR_NOTOWNER = -33,
	VMCI_ERROR_QUEUEPAIR_NOTATTACHED = -34,
	VMCI_ERROR_QUEUEPAIR_NOSPACE = -35,
	VMCI_ERROR_QUEUEPAIR_NODATA = -36,
	VMCI_ERROR_BUSMEM_INVALIDATION = -37,
	VMCI_ERROR_MODULE_NOT_LOADED = -38,
	VMCI_ERROR_DEVICE_NOT_FOUND = -39,
	VMCI_ERROR_QUEUEPAIR_NOT_READY = -40,
	VMCI_ERROR_WOULD_BLOCK = -41,
};

_Static_assert(sizeof(struct vmci_dg_hdr) == VMCI_DG_HDR_SIZE, "datagram header");
_Static_assert(sizeof(struct vmci_dma_hdr) == 24, "DMA header");
_Static_assert(sizeof(struct vmci_sg_elem) == 16, "S/G element");
_Static_assert(sizeof(struct vmci_qp_alloc_msg) == 64, "QP alloc fixed part");
_Static_assert(sizeof(struct vmci_event_msg) == 32, "event message");
_Static_assert(sizeof(struct vmci_event_payload_qp) == 16, "QP event payload");
_Static_assert(sizeof(struct vmci_doorbell_link_msg) == 40, "doorbell link");
_Static_assert(sizeof(struct vmci_resources_query_msg) == 32, "resources query");

#endif /* _VMCI_DEFS_H_ */
