/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

/*
 * The control-packet codec of the vSockets component on its own: what it
 * puts on the wire, byte by byte, and what it refuses at intake.
 */

#include <string.h>

#include <rte_common.h>

#include "vmci_test.h"
#include "vsock_private.h"

/* A packet built over garbage: every byte is what the document says. */
static int
test_encode(void)
{
	struct rte_vmci_vsock_ctl_pkt pkt;
	static const uint8_t rst_to_host[56] = {
		0x02, 0, 0, 0, 0x01, 0, 0, 0,             /* dst 2:1 */
		0xff, 0xff, 0xff, 0xff, 0x01, 0, 0, 0,    /* src ANY:1 */
		0x20, 0, 0, 0, 0, 0, 0, 0,                /* payload 32 */
		0x01, 0x07, 0x00, 0x00,                   /* version 1, RST, proto 0 */
		0x00, 0x04, 0, 0, 0x88, 0x13, 0, 0,       /* 1024 -> 5000 */
		0, 0, 0, 0,                               /* reserved */
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* union */
	};
	const uint8_t *b = (const uint8_t *)&pkt;

	memset(&pkt, 0xab, sizeof(pkt));
	vsock_pkt_init(&pkt, RTE_VMCI_VSOCK_PKT_RST, RTE_VMCI_VSOCK_CID_HOST, 1024, 5000);
	TEST_ASSERT(memcmp(&pkt, rst_to_host, sizeof(rst_to_host)) == 0, "RST bytes");

	/* To the hypervisor the control resource is 15. */
	memset(&pkt, 0xab, sizeof(pkt));
	vsock_pkt_init(&pkt, RTE_VMCI_VSOCK_PKT_OFFER, RTE_VMCI_VSOCK_CID_HYPERVISOR, 7, 8);
	TEST_ASSERT_EQUAL(pkt.dg.dst.context, 0, "dst CID");
	TEST_ASSERT_EQUAL(pkt.dg.dst.resource, 15, "hypervisor control RID");
	TEST_ASSERT_EQUAL(b[25], RTE_VMCI_VSOCK_PKT_OFFER, "type byte");
	TEST_ASSERT_EQUAL(b[55], 0, "union tail zeroed");
	return TEST_SUCCESS;
}

static void
fill(uint8_t *p, uint8_t version, uint8_t type, uint32_t sport, uint32_t dport)
{
	memset(p, 0, 40);
	p[0] = version;
	p[1] = type;
	memcpy(p + 4, &sport, 4);
	memcpy(p + 8, &dport, 4);
	memset(p + 16, 0x11, 16);
	memset(p + 32, 0xee, 8);  /* past the packet: ignored */
}

static int
test_decode(void)
{
	struct rte_vmci_vsock_ctl_pkt pkt;
	struct rte_vmci_handle host = { 2, 1 }, hv = { 0, 15 };
	struct rte_vmci_handle local = { 1, 1 }, hv_rid1 = { 0, 1 }, host_rid15 = { 2, 15 };
	uint8_t raw[40];

	fill(raw, 1, RTE_VMCI_VSOCK_PKT_REQUEST2, 7000, 6000);
	TEST_ASSERT_EQUAL(vsock_pkt_decode(&pkt, host, 20, raw, 40), VSOCK_DROP_NONE,
			  "a longer datagram is taken, its tail ignored");
	TEST_ASSERT_EQUAL(pkt.type, RTE_VMCI_VSOCK_PKT_REQUEST2, "type");
	TEST_ASSERT_EQUAL(pkt.src_port, 7000, "src port");
	TEST_ASSERT_EQUAL(pkt.dst_port, 6000, "dst port");
	TEST_ASSERT_EQUAL(pkt.u.wait.offset, 0x1111111111111111ull, "union");
	TEST_ASSERT_EQUAL(pkt.dg.src.context, 2, "source from the device");
	TEST_ASSERT_EQUAL(pkt.dg.dst.context, 20, "our CID from the device");
	TEST_ASSERT_EQUAL(vsock_pkt_decode(&pkt, hv, 20, raw, 32), VSOCK_DROP_NONE,
			  "hypervisor from 0:15");
	TEST_ASSERT_EQUAL(vsock_pkt_decode(&pkt, host, 20, raw, 31), VSOCK_DROP_SHORT, "short");
	TEST_ASSERT_EQUAL(pkt.type, 0, "nothing read from a short one");
	TEST_ASSERT_EQUAL(vsock_pkt_decode(&pkt, local, 20, raw, 32), VSOCK_DROP_LOCAL_CID,
			  "CID 1");
	TEST_ASSERT_EQUAL(vsock_pkt_decode(&pkt, hv_rid1, 20, raw, 32), VSOCK_DROP_SRC_RID,
			  "hypervisor from 0:1");
	TEST_ASSERT_EQUAL(vsock_pkt_decode(&pkt, host_rid15, 20, raw, 32), VSOCK_DROP_SRC_RID,
			  "host from 2:15");
	fill(raw, 0, RTE_VMCI_VSOCK_PKT_REQUEST2, 7000, 6000);
	TEST_ASSERT_EQUAL(vsock_pkt_decode(&pkt, host, 20, raw, 32), VSOCK_DROP_VERSION,
			  "version 0");
	fill(raw, 1, RTE_VMCI_VSOCK_PKT_REQUEST2, RTE_VMCI_VSOCK_PORT_ANY, 6000);
	TEST_ASSERT_EQUAL(vsock_pkt_decode(&pkt, host, 20, raw, 32), VSOCK_DROP_PORT,
			  "source port any");
	fill(raw, 1, RTE_VMCI_VSOCK_PKT_REQUEST2, 7000, RTE_VMCI_VSOCK_PORT_ANY);
	TEST_ASSERT_EQUAL(vsock_pkt_decode(&pkt, host, 20, raw, 32), VSOCK_DROP_PORT,
			  "destination port any");
	/* Unknown types pass intake: the socket's state answers them. */
	fill(raw, 1, 200, 7000, 6000);
	TEST_ASSERT_EQUAL(vsock_pkt_decode(&pkt, host, 20, raw, 32), VSOCK_DROP_NONE, "type 200");
	TEST_ASSERT(strcmp(vsock_pkt_type_str(200), "unknown") == 0, "named safely");
	TEST_ASSERT(strcmp(vsock_pkt_type_str(RTE_VMCI_VSOCK_PKT_NEGOTIATE2), "NEGOTIATE2") == 0,
		    "name");
	return TEST_SUCCESS;
}

static const struct vmci_test_case cases[] = {
	{ "encode", test_encode },
	{ "decode", test_decode },
	{ NULL, NULL },
};

static const struct vmci_test_suite suite = {
	.name = "vsock_codec",
	.cases = cases,
};

int
main(void)
{
	return vmci_test_run_suite(&suite);
}
