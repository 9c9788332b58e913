/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

/*
 * Device core against a scripted register file: receive streams with
 * oversized, truncated and absurd datagrams and bad events. Every case
 * checks the counters, that nothing crashed (run it under ASan), and that
 * well-formed datagrams around the bad ones are still delivered intact.
 */

#include <errno.h>

#include <rte_errno.h>

#include "mock_hw.h"
#include "vmci_core.h"
#include "vmci_test.h"

#define RID 1500u

struct rx_log {
	unsigned int count;
	bool bad;
	uint64_t sizes;
};

static void
rx_cb(struct vmci_dgram_ep *ep, const struct vmci_dg_hdr *dg, const void *payload, void *arg)
{
	struct rx_log *l = arg;
	const uint8_t *p = payload;
	uint64_t i;

	/* Scripts fill payloads with the low byte of their size. */
	for (i = 0; i < dg->payload_size; i++)
		if (p[i] != (uint8_t)dg->payload_size)
			l->bad = true;
	l->count++;
	l->sizes += dg->payload_size;
}

static void
put_good(struct mock_hw *m, uint64_t size)
{
	mock_put_dg(m, RID, size, (uint8_t)size, size);
}

static void
put_event(struct mock_hw *m, uint64_t payload_size, uint32_t event)
{
	struct {
		struct vmci_event_msg msg;
		uint8_t pad[64];
	} e;

	memset(&e, 0, sizeof(e));
	e.msg.hdr.dst.context = MOCK_CID;
	e.msg.hdr.dst.resource = VMCI_EVENT_HANDLER_RID;
	e.msg.hdr.src.context = VMCI_HYPERVISOR_CID;
	e.msg.hdr.src.resource = VMCI_CONTEXT_RESOURCE_ID;
	e.msg.hdr.payload_size = payload_size;
	e.msg.event_data.event = event;
	mock_put(m, &e, sizeof(e), (VMCI_DG_HDR_SIZE + payload_size + 7) & ~7ul);
}

struct fixture {
	struct mock_hw *m;
	struct vmci_device *dev;
	struct vmci_dgram_ep *ep;
	struct rx_log log;
};

static int
fixture_up(struct fixture *f, bool mmio)
{
	uint32_t caps = VMCI_CAPS_DATAGRAM | VMCI_CAPS_PPN64;

	memset(f, 0, sizeof(*f));
	f->m = mock_hw_new(mmio ? caps | VMCI_CAPS_DMA_DATAGRAM : caps, mmio);
	if (f->m == NULL)
		return -1;
	f->dev = vmci_device_create(&f->m->hw, NULL);
	if (f->dev == NULL)
		return -1;
	f->ep = vmci_dgram_ep_create(f->dev, RID, rx_cb, &f->log);
	return f->ep == NULL ? -1 : 0;
}

static void
fixture_down(struct fixture *f)
{
	vmci_device_destroy(f->dev);
	mock_hw_free(f->m);
}

static int
test_bringup_mock(void)
{
	struct fixture f;

	TEST_ASSERT(fixture_up(&f, false) == 0, "bring-up: %s", rte_strerror(rte_errno));
	TEST_ASSERT_EQUAL(vmci_device_context_id(f.dev), MOCK_CID, "cid");
	TEST_ASSERT_EQUAL(vmci_device_caps(f.dev), VMCI_CAPS_DATAGRAM | VMCI_CAPS_PPN64, "caps");
	fixture_down(&f);
	return TEST_SUCCESS;
}

/* Port-I/O: an oversized datagram between two good ones is skipped. */
static int
test_port_oversized(void)
{
	struct vmci_device_stats st;
	struct fixture f;
	int n;

	TEST_ASSERT(fixture_up(&f, false) == 0, "bring-up");
	put_good(f.m, 100);
	mock_put_dg(f.m, RID, 150000, 0xEE, 150000);
	put_good(f.m, 50);
	n = vmci_device_poll(f.dev);
	TEST_ASSERT_EQUAL(n, 2, "dispatched");
	TEST_ASSERT_EQUAL(f.log.count, 2, "delivered");
	TEST_ASSERT_EQUAL(f.log.sizes, 150, "sizes");
	TEST_ASSERT(!f.log.bad, "payload");
	vmci_device_stats_get(f.dev, &st);
	TEST_ASSERT_EQUAL(st.dg_oversized, 1, "oversized");
	TEST_ASSERT_EQUAL(st.dg_malformed, 1, "malformed");
	fixture_down(&f);
	return TEST_SUCCESS;
}

/* Port-I/O: a 2^60 payload_size ends the pass; the next pass works. */
static int
test_port_absurd_size(void)
{
	struct vmci_device_stats st;
	struct fixture f;

	TEST_ASSERT(fixture_up(&f, false) == 0, "bring-up");
	put_good(f.m, 8);
	mock_put_dg(f.m, RID, 1ull << 60, 0, 16);
	put_good(f.m, 9);
	TEST_ASSERT_EQUAL(vmci_device_poll(f.dev), 1, "dispatched before the bad one");
	vmci_device_stats_get(f.dev, &st);
	TEST_ASSERT_EQUAL(st.dg_malformed, 1, "malformed");
	mock_reset_stream(f.m);
	put_good(f.m, 33);
	TEST_ASSERT_EQUAL(vmci_device_poll(f.dev), 1, "next pass");
	TEST_ASSERT_EQUAL(f.log.sizes, 41, "sizes");
	TEST_ASSERT(!f.log.bad, "payload");
	fixture_down(&f);
	return TEST_SUCCESS;
}

/* Port-I/O: thousands of datagrams crossing many reads in one pass. */
static int
test_port_many(void)
{
	struct fixture f;
	unsigned int i;

	TEST_ASSERT(fixture_up(&f, false) == 0, "bring-up");
	for (i = 0; i < 3000; i++)
		put_good(f.m, 64);
	put_good(f.m, VMCI_MAX_DG_PAYLOAD_SIZE);
	put_good(f.m, 1);
	TEST_ASSERT_EQUAL(vmci_device_poll(f.dev), 3002, "dispatched");
	TEST_ASSERT_EQUAL(f.log.count, 3002, "delivered");
	TEST_ASSERT(!f.log.bad, "payload");
	fixture_down(&f);
	return TEST_SUCCESS;
}

/* Events with bad sizes or ids are counted and dropped; good ones apply. */
static int
check_events(bool mmio)
{
	struct vmci_device_stats st;
	uint32_t newcid[2] = { 99, 0 };
	struct fixture f;

	TEST_ASSERT(fixture_up(&f, mmio) == 0, "bring-up");
	put_event(f.m, 2, VMCI_EVENT_CTX_ID_UPDATE);   /* too short */
	put_event(f.m, 30, VMCI_EVENT_CTX_ID_UPDATE);  /* too long */
	put_event(f.m, 8, VMCI_EVENT_CTX_ID_UPDATE);   /* no CID in it */
	put_event(f.m, 16, VMCI_EVENT_MEM_ACCESS_OFF); /* VMX-only */
	put_event(f.m, 16, 1000);                      /* unknown */
	put_event(f.m, 16, VMCI_EVENT_QP_PEER_ATTACH); /* QP payload needs 24 */
	put_good(f.m, 10);
	vmci_device_poll(f.dev);
	vmci_device_stats_get(f.dev, &st);
	TEST_ASSERT_EQUAL(st.events_invalid, 6, "invalid events");
	TEST_ASSERT_EQUAL(st.events, 0, "valid events");
	TEST_ASSERT_EQUAL(f.log.count, 1, "datagram after them");
	TEST_ASSERT_EQUAL(vmci_device_context_id(f.dev), MOCK_CID, "cid untouched");

	mock_reset_stream(f.m);
	{
		uint8_t *p;

		put_event(f.m, 16, VMCI_EVENT_CTX_ID_UPDATE);
		p = f.m->stream + VMCI_DG_HDR_SIZE + 8;
		memcpy(p, newcid, sizeof(newcid));
	}
	vmci_device_poll(f.dev);
	TEST_ASSERT_EQUAL(vmci_device_context_id(f.dev), 99, "cid updated");
	fixture_down(&f);
	return TEST_SUCCESS;
}

static int
test_port_events(void)
{
	return check_events(false);
}

static int
test_dma_events(void)
{
	return check_events(true);
}

/* DMA: a datagram claiming more bytes than the receive holds ends the pass. */
static int
test_dma_truncated(void)
{
	struct vmci_device_stats st;
	struct fixture f;

	TEST_ASSERT(fixture_up(&f, true) == 0, "bring-up");
	put_good(f.m, 200);
	/* Claims 69500 bytes: past the end of the 69632-byte data area. */
	mock_put_dg(f.m, RID, 69500, 0x11, 100);
	TEST_ASSERT_EQUAL(vmci_device_poll(f.dev), 1, "dispatched");
	vmci_device_stats_get(f.dev, &st);
	TEST_ASSERT_EQUAL(st.dg_malformed, 1, "malformed");
	TEST_ASSERT_EQUAL(f.log.count, 1, "delivered");

	mock_reset_stream(f.m);
	mock_put_dg(f.m, RID, 1ull << 62, 0x11, 8); /* absurd */
	vmci_device_poll(f.dev);
	mock_reset_stream(f.m);
	put_good(f.m, 77);
	put_good(f.m, VMCI_MAX_DG_PAYLOAD_SIZE - 200);
	TEST_ASSERT_EQUAL(vmci_device_poll(f.dev), 2, "later datagrams");
	vmci_device_stats_get(f.dev, &st);
	TEST_ASSERT_EQUAL(st.dg_malformed, 2, "malformed");
	TEST_ASSERT(!f.log.bad, "payload");
	fixture_down(&f);
	return TEST_SUCCESS;
}

static const struct vmci_test_case cases[] = {
	{ "bringup_mock", test_bringup_mock },
	{ "port_oversized", test_port_oversized },
	{ "port_absurd_size", test_port_absurd_size },
	{ "port_many", test_port_many },
	{ "port_events", test_port_events },
	{ "dma_events", test_dma_events },
	{ "dma_truncated", test_dma_truncated },
	{ NULL, NULL },
};

static const struct vmci_test_suite suite = {
	.name = "driver_core_malformed",
	.cases = cases,
};

VMCI_TEST_MAIN(suite)
