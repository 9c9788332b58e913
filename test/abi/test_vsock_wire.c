/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

/*
 * The vSockets control packet against the byte layout of the protocol
 * document: every field set to a distinct value, then compared byte by byte
 * with the expected 56 bytes; plus the values of types, protocol bits and
 * limits.
 */

#include <stdio.h>
#include <string.h>

#include <rte_vmci_vsock_wire.h>

static int failures;

#define CHECK(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, #cond); \
		failures++; \
	} \
} while (0)

static void
check_layout(void)
{
	struct rte_vmci_vsock_ctl_pkt pkt;
	static const uint8_t expect[56] = {
		/* dg.dst = (0x11223344, 1) */
		0x44, 0x33, 0x22, 0x11, 0x01, 0x00, 0x00, 0x00,
		/* dg.src = (0xffffffff, 1) */
		0xff, 0xff, 0xff, 0xff, 0x01, 0x00, 0x00, 0x00,
		/* dg.payload_size = 32 */
		0x20, 0, 0, 0, 0, 0, 0, 0,
		/* version 1, type 11 (REQUEST2), proto 0x0001 */
		0x01, 0x0b, 0x01, 0x00,
		/* src_port 0x00000400, dst_port 0x00001388 (5000) */
		0x00, 0x04, 0x00, 0x00, 0x88, 0x13, 0x00, 0x00,
		/* reserved2 */
		0, 0, 0, 0,
		/* u.wait.generation 0x0102030405060708 */
		0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01,
		/* u.wait.offset 0x1112131415161718 */
		0x18, 0x17, 0x16, 0x15, 0x14, 0x13, 0x12, 0x11,
	};

	memset(&pkt, 0, sizeof(pkt));
	pkt.dg.dst.context = 0x11223344;
	pkt.dg.dst.resource = RTE_VMCI_VSOCK_PACKET_RID;
	pkt.dg.src.context = RTE_VMCI_VSOCK_CID_ANY;
	pkt.dg.src.resource = RTE_VMCI_VSOCK_PACKET_RID;
	pkt.dg.payload_size = RTE_VMCI_VSOCK_CTL_PAYLOAD_SIZE;
	pkt.version = RTE_VMCI_VSOCK_PACKET_VERSION;
	pkt.type = RTE_VMCI_VSOCK_PKT_REQUEST2;
	pkt.proto = RTE_VMCI_VSOCK_PROTO_PKT_ON_NOTIFY;
	pkt.src_port = 1024;
	pkt.dst_port = 5000;
	pkt.u.wait.generation = 0x0102030405060708ull;
	pkt.u.wait.offset = 0x1112131415161718ull;
	CHECK(sizeof(pkt) == sizeof(expect));
	CHECK(memcmp(&pkt, expect, sizeof(expect)) == 0);

	/* The other union members overlay bytes 40-47. */
	CHECK(pkt.u.size == 0x0102030405060708ull);
	CHECK(pkt.u.mode == 0x0102030405060708ull);
	CHECK(pkt.u.handle.context == 0x05060708u);
	CHECK(pkt.u.handle.resource == 0x01020304u);
}

static void
check_values(void)
{
	CHECK(RTE_VMCI_VSOCK_PKT_INVALID == 0);
	CHECK(RTE_VMCI_VSOCK_PKT_REQUEST == 1);
	CHECK(RTE_VMCI_VSOCK_PKT_NEGOTIATE == 2);
	CHECK(RTE_VMCI_VSOCK_PKT_OFFER == 3);
	CHECK(RTE_VMCI_VSOCK_PKT_ATTACH == 4);
	CHECK(RTE_VMCI_VSOCK_PKT_WROTE == 5);
	CHECK(RTE_VMCI_VSOCK_PKT_READ == 6);
	CHECK(RTE_VMCI_VSOCK_PKT_RST == 7);
	CHECK(RTE_VMCI_VSOCK_PKT_SHUTDOWN == 8);
	CHECK(RTE_VMCI_VSOCK_PKT_WAITING_WRITE == 9);
	CHECK(RTE_VMCI_VSOCK_PKT_WAITING_READ == 10);
	CHECK(RTE_VMCI_VSOCK_PKT_REQUEST2 == 11);
	CHECK(RTE_VMCI_VSOCK_PKT_NEGOTIATE2 == 12);
	CHECK(RTE_VMCI_VSOCK_PKT_MAX == 13);
	CHECK(RTE_VMCI_VSOCK_PROTO_INVALID == 0);
	CHECK(RTE_VMCI_VSOCK_PROTO_PKT_ON_NOTIFY == 1);
	CHECK(RTE_VMCI_VSOCK_PROTO_ALL_SUPPORTED == 1);
	CHECK(RTE_VMCI_VSOCK_SHUTDOWN_RCV == 1 && RTE_VMCI_VSOCK_SHUTDOWN_SEND == 2);
	CHECK(RTE_VMCI_VSOCK_PACKET_RID == 1);
	CHECK(RTE_VMCI_VSOCK_HYPERVISOR_PACKET_RID == 15);
	CHECK(rte_vmci_vsock_packet_rid(0) == 15);
	CHECK(rte_vmci_vsock_packet_rid(2) == 1);
	CHECK(rte_vmci_vsock_packet_rid(1000) == 1);
	CHECK(RTE_VMCI_VSOCK_CID_ANY == 0xffffffffu);
	CHECK(RTE_VMCI_VSOCK_CID_HOST == 2);
	CHECK(RTE_VMCI_VSOCK_HV_RID_UNITY_PBRPC_REGISTER == 14);
	CHECK(RTE_VMCI_VSOCK_MAX_DG_PAYLOAD == 69608);
	CHECK(RTE_VMCI_VSOCK_MAX_DG_SIZE == 17 * 4096);
	CHECK(RTE_VMCI_VSOCK_BUFFER_MIN_SIZE == 128);
	CHECK(RTE_VMCI_VSOCK_BUFFER_DEFAULT_SIZE == 262144);
	CHECK(RTE_VMCI_VSOCK_BUFFER_MAX_SIZE == 262144);
	CHECK(RTE_VMCI_VSOCK_CONNECT_TIMEOUT_MS == 2000);
	CHECK(RTE_VMCI_VSOCK_PENDING_TIMEOUT_MS == 1000);
}

int
main(void)
{
	check_layout();
	check_values();
	if (failures != 0)
		fprintf(stderr, "%d check(s) failed\n", failures);
	return failures == 0 ? 0 : 1;
}
