/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

#ifndef _RTE_VMCI_VSOCK_WIRE_H_
#define _RTE_VMCI_VSOCK_WIRE_H_

/**
 * @file
 * vSockets (AF_VSOCK) over VMCI: what goes on the wire.
 *
 * Layouts and values only, as Linux's vmci_transport and VMware's vSockets
 * code put them on the wire: the stream control packet (a 56-byte VMCI
 * datagram), its types and notify-protocol bits, the resource IDs it
 * travels on, context IDs and the limits both ends agree on. Both ends of
 * this project's wire (the guest component and the emulated host endpoint)
 * include this header and nothing else of each other.
 *
 * Byte order is native; every VMCI platform is little-endian. Structures
 * are packed and checked for size and offsets at build time, in C and C++.
 */

#include <stddef.h>
#include <stdint.h>

#include <rte_vmci_qp_wire.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifdef __cplusplus
#define RTE_VMCI_VSOCK_WIRE_ASSERT(cond, msg) static_assert(cond, msg)
#else
#define RTE_VMCI_VSOCK_WIRE_ASSERT(cond, msg) _Static_assert(cond, msg)
#endif

/**
 * @name Context IDs
 * @{
 */
#define RTE_VMCI_VSOCK_CID_HYPERVISOR 0u   /**< The hypervisor (VMX). */
#define RTE_VMCI_VSOCK_CID_LOCAL      1u   /**< Local / reserved: control packets from it are dropped. */
#define RTE_VMCI_VSOCK_CID_HOST       2u   /**< Host endpoints. */
#define RTE_VMCI_VSOCK_CID_ANY        UINT32_MAX /**< Wildcard; source CID of control packets. */
/** @} */

/** Wildcard port (bind to any, "no port"). */
#define RTE_VMCI_VSOCK_PORT_ANY UINT32_MAX
/** Ports up to this one are privileged. */
#define RTE_VMCI_VSOCK_LAST_RESERVED_PORT 1023u

/**
 * @name VMCI resource IDs at the hypervisor (context 0)
 * Resource IDs 0 to 1023 are reserved; allocated IDs start at 1024.
 * @{
 */
#define RTE_VMCI_VSOCK_HV_RID_RESOURCES_QUERY      0u
#define RTE_VMCI_VSOCK_HV_RID_GET_CONTEXT_ID       1u
#define RTE_VMCI_VSOCK_HV_RID_SET_NOTIFY_BITMAP    2u
#define RTE_VMCI_VSOCK_HV_RID_DOORBELL_LINK        3u
#define RTE_VMCI_VSOCK_HV_RID_DOORBELL_UNLINK      4u
#define RTE_VMCI_VSOCK_HV_RID_DOORBELL_NOTIFY      5u
#define RTE_VMCI_VSOCK_HV_RID_DATAGRAM_REQUEST_MAP 6u
#define RTE_VMCI_VSOCK_HV_RID_DATAGRAM_REMOVE_MAP  7u
#define RTE_VMCI_VSOCK_HV_RID_EVENT_SUBSCRIBE      8u
#define RTE_VMCI_VSOCK_HV_RID_EVENT_UNSUBSCRIBE    9u
#define RTE_VMCI_VSOCK_HV_RID_QUEUEPAIR_ALLOC      10u
#define RTE_VMCI_VSOCK_HV_RID_QUEUEPAIR_DETACH     11u
#define RTE_VMCI_VSOCK_HV_RID_HGFS_TRANSPORT       13u
/** The only hypervisor port a vsock datagram socket may send to. */
#define RTE_VMCI_VSOCK_HV_RID_UNITY_PBRPC_REGISTER 14u
#define RTE_VMCI_VSOCK_HV_RID_RPC_PRIVILEGED       15u
#define RTE_VMCI_VSOCK_HV_RID_RPC_UNPRIVILEGED     16u
/** First resource ID that is not reserved. */
#define RTE_VMCI_VSOCK_FIRST_FREE_RID 1024u
/** @} */

/**
 * @name Control-packet addressing
 * @{
 */
/** Resource ID of the stream control channel at every peer but the hypervisor. */
#define RTE_VMCI_VSOCK_PACKET_RID 1u
/** Resource ID of the stream control channel at the hypervisor (CID 0). */
#define RTE_VMCI_VSOCK_HYPERVISOR_PACKET_RID 15u
/** @} */

/** Control-channel resource ID of a peer: 15 at the hypervisor, 1 elsewhere. */
static inline uint32_t
rte_vmci_vsock_packet_rid(uint32_t cid)
{
	return cid == RTE_VMCI_VSOCK_CID_HYPERVISOR ?
		RTE_VMCI_VSOCK_HYPERVISOR_PACKET_RID : RTE_VMCI_VSOCK_PACKET_RID;
}

/**
 * VMCI datagram header (24 bytes), which starts every datagram and so
 * every control packet.
 */
struct rte_vmci_vsock_dg_hdr {
	struct rte_vmci_handle dst; /**< Destination (CID, resource ID). */
	struct rte_vmci_handle src; /**< Source; the hypervisor vouches for src.context. */
	uint64_t payload_size;      /**< Payload bytes after the header. */
} __attribute__((__packed__));

/** Size of the VMCI datagram header. */
#define RTE_VMCI_VSOCK_DG_HDR_SIZE 24u
/** Largest payload of a routable datagram (17 pages minus the header). */
#define RTE_VMCI_VSOCK_MAX_DG_PAYLOAD 69608u
/** Largest routable datagram, header included. */
#define RTE_VMCI_VSOCK_MAX_DG_SIZE 69632u

/** Version byte of every control packet. */
#define RTE_VMCI_VSOCK_PACKET_VERSION 1u

/** Control packet types (byte 25). */
enum rte_vmci_vsock_pkt_type {
	RTE_VMCI_VSOCK_PKT_INVALID = 0,       /**< Reply to an unknown type; u.size = 0. */
	RTE_VMCI_VSOCK_PKT_REQUEST = 1,       /**< Classic connect; u.size = proposed size. */
	RTE_VMCI_VSOCK_PKT_NEGOTIATE = 2,     /**< Reply to REQUEST; u.size = chosen size. */
	RTE_VMCI_VSOCK_PKT_OFFER = 3,         /**< u.handle = queue pair the client made. */
	RTE_VMCI_VSOCK_PKT_ATTACH = 4,        /**< u.handle = the same, once attached. */
	RTE_VMCI_VSOCK_PKT_WROTE = 5,         /**< Data put in the queue (wake-up). */
	RTE_VMCI_VSOCK_PKT_READ = 6,          /**< Data taken from the queue (wake-up). */
	RTE_VMCI_VSOCK_PKT_RST = 7,           /**< Reset or refusal. */
	RTE_VMCI_VSOCK_PKT_SHUTDOWN = 8,      /**< u.mode = shutdown bits. */
	RTE_VMCI_VSOCK_PKT_WAITING_WRITE = 9, /**< Classic notify: writer blocked; u.wait. */
	RTE_VMCI_VSOCK_PKT_WAITING_READ = 10, /**< Classic notify: reader blocked; u.wait. */
	RTE_VMCI_VSOCK_PKT_REQUEST2 = 11,     /**< Connect; u.size, proto = protocols offered. */
	RTE_VMCI_VSOCK_PKT_NEGOTIATE2 = 12,   /**< Reply to REQUEST2; u.size, proto = chosen. */
	RTE_VMCI_VSOCK_PKT_MAX = 13,          /**< Types >= this get an INVALID reply. */
};

/**
 * @name Notify protocols (proto field of REQUEST2 / NEGOTIATE2)
 * @{
 */
#define RTE_VMCI_VSOCK_PROTO_INVALID       0x0u /**< None. */
#define RTE_VMCI_VSOCK_PROTO_PKT_ON_NOTIFY 0x1u /**< Queue-state ("qstate") notify. */
#define RTE_VMCI_VSOCK_PROTO_ALL_SUPPORTED RTE_VMCI_VSOCK_PROTO_PKT_ON_NOTIFY
/** @} */

/**
 * @name Shutdown mode bits (u.mode of SHUTDOWN)
 * @{
 */
#define RTE_VMCI_VSOCK_SHUTDOWN_RCV  0x1u /**< The sender will receive no more. */
#define RTE_VMCI_VSOCK_SHUTDOWN_SEND 0x2u /**< The sender will send no more. */
#define RTE_VMCI_VSOCK_SHUTDOWN_MASK 0x3u /**< Both. */
/** @} */

/** u.wait of WAITING_READ / WAITING_WRITE (advisory only). */
struct rte_vmci_vsock_waiting_info {
	uint64_t generation; /**< Wrap count of the waiting side. */
	uint64_t offset;     /**< Queue offset it waits for. */
} __attribute__((__packed__));

/**
 * Stream control packet: a VMCI datagram of 56 bytes, sent from
 * (RTE_VMCI_VSOCK_CID_ANY, RTE_VMCI_VSOCK_PACKET_RID) to (peer CID,
 * rte_vmci_vsock_packet_rid(peer CID)). Zero all of it before filling it in.
 */
struct rte_vmci_vsock_ctl_pkt {
	struct rte_vmci_vsock_dg_hdr dg; /**< payload_size = 32. */
	uint8_t version;                 /**< RTE_VMCI_VSOCK_PACKET_VERSION. */
	uint8_t type;                    /**< enum rte_vmci_vsock_pkt_type. */
	uint16_t proto;                  /**< REQUEST2/NEGOTIATE2 only; else 0. */
	uint32_t src_port;               /**< vsock port of the sender. */
	uint32_t dst_port;               /**< vsock port of the receiver. */
	uint32_t reserved2;              /**< Zero. */
	union {
		uint64_t size;                  /**< Queue size (each queue) proposed or chosen. */
		uint64_t mode;                  /**< SHUTDOWN bits. */
		struct rte_vmci_handle handle;  /**< OFFER/ATTACH queue-pair handle. */
		struct rte_vmci_vsock_waiting_info wait; /**< WAITING_READ/WRITE. */
	} __attribute__((__packed__)) u; /**< Type-dependent contents. */
} __attribute__((__packed__));

/** Size of a control packet, datagram header included. */
#define RTE_VMCI_VSOCK_CTL_PKT_SIZE 56u
/** Payload size of a control packet (its datagram's payload_size). */
#define RTE_VMCI_VSOCK_CTL_PAYLOAD_SIZE 32u

RTE_VMCI_VSOCK_WIRE_ASSERT(sizeof(struct rte_vmci_vsock_dg_hdr) == RTE_VMCI_VSOCK_DG_HDR_SIZE,
			   "VMCI datagram header is 24 bytes");
RTE_VMCI_VSOCK_WIRE_ASSERT(sizeof(struct rte_vmci_vsock_waiting_info) == 16,
			   "waiting info is 16 bytes");
RTE_VMCI_VSOCK_WIRE_ASSERT(sizeof(struct rte_vmci_vsock_ctl_pkt) == RTE_VMCI_VSOCK_CTL_PKT_SIZE,
			   "control packet is 56 bytes");
RTE_VMCI_VSOCK_WIRE_ASSERT(RTE_VMCI_VSOCK_CTL_PKT_SIZE ==
			   RTE_VMCI_VSOCK_DG_HDR_SIZE + RTE_VMCI_VSOCK_CTL_PAYLOAD_SIZE,
			   "control payload is 32 bytes");
RTE_VMCI_VSOCK_WIRE_ASSERT(offsetof(struct rte_vmci_vsock_dg_hdr, dst) == 0, "dg dst");
RTE_VMCI_VSOCK_WIRE_ASSERT(offsetof(struct rte_vmci_vsock_dg_hdr, src) == 8, "dg src");
RTE_VMCI_VSOCK_WIRE_ASSERT(offsetof(struct rte_vmci_vsock_dg_hdr, payload_size) == 16,
			   "dg payload_size");
RTE_VMCI_VSOCK_WIRE_ASSERT(offsetof(struct rte_vmci_vsock_ctl_pkt, version) == 24, "version");
RTE_VMCI_VSOCK_WIRE_ASSERT(offsetof(struct rte_vmci_vsock_ctl_pkt, type) == 25, "type");
RTE_VMCI_VSOCK_WIRE_ASSERT(offsetof(struct rte_vmci_vsock_ctl_pkt, proto) == 26, "proto");
RTE_VMCI_VSOCK_WIRE_ASSERT(offsetof(struct rte_vmci_vsock_ctl_pkt, src_port) == 28, "src_port");
RTE_VMCI_VSOCK_WIRE_ASSERT(offsetof(struct rte_vmci_vsock_ctl_pkt, dst_port) == 32, "dst_port");
RTE_VMCI_VSOCK_WIRE_ASSERT(offsetof(struct rte_vmci_vsock_ctl_pkt, reserved2) == 36,
			   "reserved2");
RTE_VMCI_VSOCK_WIRE_ASSERT(offsetof(struct rte_vmci_vsock_ctl_pkt, u) == 40, "union");
RTE_VMCI_VSOCK_WIRE_ASSERT(offsetof(struct rte_vmci_vsock_ctl_pkt, u.size) == 40, "u.size");
RTE_VMCI_VSOCK_WIRE_ASSERT(offsetof(struct rte_vmci_vsock_ctl_pkt, u.mode) == 40, "u.mode");
RTE_VMCI_VSOCK_WIRE_ASSERT(offsetof(struct rte_vmci_vsock_ctl_pkt, u.handle.context) == 40,
			   "u.handle.context");
RTE_VMCI_VSOCK_WIRE_ASSERT(offsetof(struct rte_vmci_vsock_ctl_pkt, u.handle.resource) == 44,
			   "u.handle.resource");
RTE_VMCI_VSOCK_WIRE_ASSERT(offsetof(struct rte_vmci_vsock_ctl_pkt, u.wait.generation) == 40,
			   "u.wait.generation");
RTE_VMCI_VSOCK_WIRE_ASSERT(offsetof(struct rte_vmci_vsock_ctl_pkt, u.wait.offset) == 48,
			   "u.wait.offset");

/**
 * @name Stream buffer sizes (size of each queue of the pair), as Linux
 * @{
 */
#define RTE_VMCI_VSOCK_BUFFER_MIN_SIZE     128u      /**< Smallest queue size. */
#define RTE_VMCI_VSOCK_BUFFER_DEFAULT_SIZE 262144u   /**< Default queue size (256 KiB). */
#define RTE_VMCI_VSOCK_BUFFER_MAX_SIZE     262144u   /**< Largest queue size. */
/** @} */

/**
 * @name Timing and retry limits, as Linux
 * @{
 */
#define RTE_VMCI_VSOCK_CONNECT_TIMEOUT_MS 2000u /**< Client: REQUEST to ESTABLISHED. */
#define RTE_VMCI_VSOCK_PENDING_TIMEOUT_MS 1000u /**< Server: REQUEST to OFFER. */
#define RTE_VMCI_VSOCK_MAX_DGRAM_RESENDS  10u   /**< Retries of a failed WROTE/READ send. */
/** Ephemeral stream ports: tries before giving up. */
#define RTE_VMCI_VSOCK_EPHEMERAL_TRIES    24u
/** @} */

#ifdef __cplusplus
}
#endif

#endif /* _RTE_VMCI_VSOCK_WIRE_H_ */
