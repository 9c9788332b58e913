/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

/*
 * Control packet codec: build a packet from a zeroed 56 bytes, and take a
 * received datagram apart once into a local copy, checking what any state
 * would refuse (doc sections 2.1, 2.5, 6.5, 6.6 A/B).
 */

#include <string.h>

#include "vsock_private.h"

void
vsock_pkt_init(struct rte_vmci_vsock_ctl_pkt *pkt, uint8_t type, uint32_t dst_cid,
	       uint32_t src_port, uint32_t dst_port)
{
	/* Every byte, union and padding included, goes on the wire. */
	memset(pkt, 0, sizeof(*pkt));
	pkt->dg.dst.context = dst_cid;
	pkt->dg.dst.resource = rte_vmci_vsock_packet_rid(dst_cid);
	pkt->dg.src.context = RTE_VMCI_VSOCK_CID_ANY;
	pkt->dg.src.resource = RTE_VMCI_VSOCK_PACKET_RID;
	pkt->dg.payload_size = RTE_VMCI_VSOCK_CTL_PAYLOAD_SIZE;
	pkt->version = RTE_VMCI_VSOCK_PACKET_VERSION;
	pkt->type = type;
	pkt->src_port = src_port;
	pkt->dst_port = dst_port;
}

enum vsock_drop
vsock_pkt_decode(struct rte_vmci_vsock_ctl_pkt *pkt, struct rte_vmci_handle src,
		 uint32_t dst_cid, const void *payload, uint32_t len)
{
	memset(pkt, 0, sizeof(*pkt));
	if (len < RTE_VMCI_VSOCK_CTL_PAYLOAD_SIZE)
		return VSOCK_DROP_SHORT;
	/* One copy of the payload; a longer datagram's tail is ignored. */
	memcpy((uint8_t *)pkt + RTE_VMCI_VSOCK_DG_HDR_SIZE, payload,
	       RTE_VMCI_VSOCK_CTL_PAYLOAD_SIZE);
	pkt->dg.src = src;
	pkt->dg.dst.context = dst_cid;
	pkt->dg.dst.resource = RTE_VMCI_VSOCK_PACKET_RID;
	pkt->dg.payload_size = len;
	if (src.context == RTE_VMCI_VSOCK_CID_LOCAL)
		return VSOCK_DROP_LOCAL_CID;
	if (src.resource != rte_vmci_vsock_packet_rid(src.context))
		return VSOCK_DROP_SRC_RID;
	if (pkt->version != RTE_VMCI_VSOCK_PACKET_VERSION)
		return VSOCK_DROP_VERSION;
	if (pkt->src_port == RTE_VMCI_VSOCK_PORT_ANY || pkt->dst_port == RTE_VMCI_VSOCK_PORT_ANY)
		return VSOCK_DROP_PORT;
	return VSOCK_DROP_NONE;
}

const char *
vsock_drop_str(enum vsock_drop why)
{
	switch (why) {
	case VSOCK_DROP_NONE: return "none";
	case VSOCK_DROP_SHORT: return "shorter than 32 payload bytes";
	case VSOCK_DROP_LOCAL_CID: return "source CID 1";
	case VSOCK_DROP_SRC_RID: return "source resource is not the control resource";
	case VSOCK_DROP_VERSION: return "version is not 1";
	case VSOCK_DROP_PORT: return "port 0xffffffff";
	}
	return "?";
}

const char *
vsock_pkt_type_str(uint8_t type)
{
	static const char *const names[RTE_VMCI_VSOCK_PKT_MAX] = {
		"INVALID", "REQUEST", "NEGOTIATE", "OFFER", "ATTACH", "WROTE", "READ",
		"RST", "SHUTDOWN", "WAITING_WRITE", "WAITING_READ", "REQUEST2",
		"NEGOTIATE2",
	};

	return type < RTE_VMCI_VSOCK_PKT_MAX ? names[type] : "unknown";
}
