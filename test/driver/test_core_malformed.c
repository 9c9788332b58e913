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

#include "drv_test.h"
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

/*
 * DMA: a datagram that runs past the end of the 69632-byte receive is
 * moved to the front of the buffer and completed by another receive, as
 * in the reference guests; the one after it (whose start that receive
 * brings) is delivered too. Before, the rest of the buffer was dropped as
 * malformed.
 */
static int
test_dma_across_end(void)
{
	struct vmci_device_stats st;
	struct fixture f;

	TEST_ASSERT(fixture_up(&f, true) == 0, "bring-up");
	put_good(f.m, 200);
	/* 224 + 69528 bytes: crosses the end of the first receive by 120. */
	put_good(f.m, 69500);
	put_good(f.m, 77);
	TEST_ASSERT_EQUAL(vmci_device_poll(f.dev), 3, "dispatched");
	TEST_ASSERT_EQUAL(f.log.count, 3, "delivered");
	TEST_ASSERT_EQUAL(f.log.sizes, 200 + 69500 + 77, "sizes");
	TEST_ASSERT(!f.log.bad, "payload");
	vmci_device_stats_get(f.dev, &st);
	TEST_ASSERT_EQUAL(st.dg_malformed, 0, "malformed");

	fixture_down(&f);
	return TEST_SUCCESS;
}

/*
 * DMA: every size check stays. An absurd payload_size ends the pass; one
 * above 69632 is skipped by reading past it, as in port mode; the
 * datagrams after them arrive.
 */
static int
test_dma_bad_sizes(void)
{
	struct vmci_device_stats st;
	struct fixture f;

	TEST_ASSERT(fixture_up(&f, true) == 0, "bring-up");
	put_good(f.m, 8);
	mock_put_dg(f.m, RID, 1ull << 62, 0x11, 8);
	put_good(f.m, 9);
	TEST_ASSERT_EQUAL(vmci_device_poll(f.dev), 1, "dispatched before the absurd one");
	vmci_device_stats_get(f.dev, &st);
	TEST_ASSERT_EQUAL(st.dg_malformed, 1, "malformed");

	mock_reset_stream(f.m);
	put_good(f.m, 100);
	mock_put_dg(f.m, RID, 150000, 0xEE, 150000);
	put_good(f.m, 50);
	TEST_ASSERT_EQUAL(vmci_device_poll(f.dev), 2, "dispatched around the oversized one");
	vmci_device_stats_get(f.dev, &st);
	TEST_ASSERT_EQUAL(st.dg_oversized, 1, "oversized");
	TEST_ASSERT_EQUAL(st.dg_malformed, 2, "malformed");

	mock_reset_stream(f.m);
	put_good(f.m, 77);
	put_good(f.m, VMCI_MAX_DG_PAYLOAD_SIZE - 200);
	TEST_ASSERT_EQUAL(vmci_device_poll(f.dev), 2, "later datagrams");
	TEST_ASSERT_EQUAL(f.log.sizes, 8 + 100 + 50 + 77 + VMCI_MAX_DG_PAYLOAD_SIZE - 200,
			  "sizes");
	TEST_ASSERT(!f.log.bad, "payload");
	fixture_down(&f);
	return TEST_SUCCESS;
}

/*
 * Against the emulated device: a guest with a queue pair to the host, then
 * a hostile peer and a faulty hypervisor. Each bad input is dropped and
 * counted; the pair stays attached and keeps moving verified data.
 */
#define HV "drv_malformed"
#define QP_SIZE 16384u

struct live_pair {
	struct drv_guest g;
	struct vmci_qpair *qp;
	struct rte_vmci_qp *host;
	struct vmci_dgram_ep *ep;
	struct rx_log log;
	unsigned int peer_events;
};

static void
live_peer_cb(struct vmci_qpair *qp, enum vmci_qp_peer_state st, uint32_t peer, void *arg)
{
	RTE_SET_USED(qp);
	RTE_SET_USED(st);
	RTE_SET_USED(peer);
	((struct live_pair *)arg)->peer_events++;
}

static int
live_pair_up(struct live_pair *lp, bool mmio)
{
	struct vmci_qpair_conf c = {
		.produce_size = QP_SIZE,
		.consume_size = QP_SIZE,
		.peer = VMCI_HOST_CID,
		.socket_id = SOCKET_ID_ANY,
		.peer_cb = live_peer_cb,
		.cb_arg = lp,
	};
	unsigned int i;

	memset(lp, 0, sizeof(*lp));
	if (drv_guest_up(&lp->g, HV, mmio, 0) != 0)
		return -1;
	lp->qp = vmci_qpair_alloc(lp->g.dev, &c);
	lp->ep = vmci_dgram_ep_create(lp->g.dev, RID, rx_cb, &lp->log);
	if (lp->qp == NULL || lp->ep == NULL ||
	    vmci_emu_host_qp_attach(HV, vmci_qpair_handle(lp->qp), QP_SIZE, QP_SIZE,
				    &lp->host) < 0)
		return -1;
	for (i = 0; i < 1000 && lp->peer_events == 0; i++)
		vmci_device_poll(lp->g.dev);
	return vmci_qpair_peer_state(lp->qp) == VMCI_QP_PEER_ATTACHED ? 0 : -1;
}

static void
live_pair_down(struct live_pair *lp)
{
	if (lp->host != NULL) {
		rte_vmci_qp_endpoint_free(lp->host);
		vmci_emu_host_qp_detach(HV, vmci_qpair_handle(lp->qp));
	}
	if (lp->g.dev != NULL)
		drv_guest_down(&lp->g);
}

/* 3000 patterned bytes each way through the pair. */
static int
live_pair_works(struct live_pair *lp, uint8_t seed)
{
	static uint8_t out[3000], in[3000];
	struct rte_vmci_qp *guest = vmci_qpair_endpoint(lp->qp);
	size_t i;
	int dir;

	for (dir = 0; dir < 2; dir++) {
		struct rte_vmci_qp *tx = dir == 0 ? guest : lp->host;
		struct rte_vmci_qp *rx = dir == 0 ? lp->host : guest;

		for (i = 0; i < sizeof(out); i++)
			out[i] = (uint8_t)(seed + dir + i * 5);
		if (rte_vmci_qp_enqueue_bulk(tx, out, sizeof(out)) != (ssize_t)sizeof(out) ||
		    rte_vmci_qp_dequeue_bulk(rx, in, sizeof(in)) != (ssize_t)sizeof(in) ||
		    memcmp(in, out, sizeof(in)) != 0)
			return -1;
	}
	return vmci_qpair_peer_state(lp->qp) == VMCI_QP_PEER_ATTACHED ? 0 : -1;
}

/* A host datagram to @rid of the guest, payload filled as rx_cb expects. */
static int
host_send(struct live_pair *lp, uint32_t rid, uint32_t size)
{
	struct {
		struct vmci_dg_hdr hdr;
		uint8_t payload[256];
	} dg;

	memset(&dg, 0, sizeof(dg));
	dg.hdr.dst.context = vmci_device_context_id(lp->g.dev);
	dg.hdr.dst.resource = rid;
	dg.hdr.src.context = VMCI_HOST_CID;
	dg.hdr.src.resource = 4000;
	dg.hdr.payload_size = size;
	memset(dg.payload, (uint8_t)size, size);
	return vmci_emu_host_send(HV, &dg.hdr, VMCI_DG_HDR_SIZE + size);
}

/* The host forges an event: only the hypervisor (0:0) may send those. */
static int
host_forge_detach(struct live_pair *lp)
{
	struct {
		struct vmci_event_msg msg;
		struct vmci_event_payload_qp qp;
	} e;

	memset(&e, 0, sizeof(e));
	e.msg.hdr.dst.context = vmci_device_context_id(lp->g.dev);
	e.msg.hdr.dst.resource = VMCI_EVENT_HANDLER_RID;
	e.msg.hdr.src.context = VMCI_HOST_CID;
	e.msg.hdr.src.resource = VMCI_CONTEXT_RESOURCE_ID;
	e.msg.hdr.payload_size = sizeof(e) - VMCI_DG_HDR_SIZE;
	e.msg.event_data.event = VMCI_EVENT_QP_PEER_DETACH;
	e.qp.handle = vmci_qpair_handle(lp->qp);
	e.qp.peer_id = VMCI_HOST_CID;
	return vmci_emu_host_send(HV, &e.msg.hdr, sizeof(e));
}

static int
check_hostile_peer(bool mmio)
{
	struct vmci_event_payload_qp unknown = {
		.handle = { .context = 12345, .resource = 77 },
		.peer_id = VMCI_HOST_CID,
	};
	struct vmci_device_stats before, after;
	struct live_pair lp;
	uint32_t cid;
	int ret = TEST_FAILED;

	if (live_pair_up(&lp, mmio) != 0 || live_pair_works(&lp, 1) != 0) {
		printf("  set-up: %s\n", rte_strerror(rte_errno));
		goto out;
	}
	cid = vmci_device_context_id(lp.g.dev);
	vmci_device_stats_get(lp.g.dev, &before);
	/* Host: a forged peer-detach, datagrams to nobody, then a good one. */
	if (host_forge_detach(&lp) < 0 || host_send(&lp, RID + 1, 10) < 0 ||
	    host_send(&lp, 0xfffffff0, 0) < 0)
		goto out;
	/* Hypervisor: events for a pair we do not have, or too short. */
	if (vmci_emu_send_event(HV, cid, VMCI_EVENT_QP_PEER_DETACH, &unknown,
				sizeof(unknown)) < 0 ||
	    vmci_emu_send_event(HV, cid, VMCI_EVENT_QP_PEER_ATTACH, &unknown, 4) < 0 ||
	    vmci_emu_fault_mem_access(HV, cid, false) < 0 ||
	    vmci_emu_fault_mem_access(HV, cid, true) < 0)
		goto out;
	/* Faults: one datagram lost, one payload-less one corrupted. */
	if (vmci_emu_fault_drop_dg(HV, cid, 1) < 0 || host_send(&lp, RID, 20) < 0 ||
	    vmci_emu_fault_corrupt_dg(HV, cid, 1) < 0 || host_send(&lp, RID, 0) < 0 ||
	    host_send(&lp, RID, 30) < 0)
		goto out;
	vmci_device_poll(lp.g.dev);
	vmci_device_poll(lp.g.dev);
	vmci_device_stats_get(lp.g.dev, &after);
	if (lp.log.count != 1 || lp.log.sizes != 30 || lp.log.bad) {
		printf("  delivered %u datagrams (%" PRIu64 " bytes), expected the 30-byte one\n",
		       lp.log.count, lp.log.sizes);
		goto out;
	}
	/*
	 * Dropped: the forged event, two datagrams to nobody, the corrupted
	 * one. Invalid: the short event and both VMX-only ones. The detach of
	 * an unknown pair is well-formed (one valid event) and matches nothing.
	 */
	if (after.dg_dropped - before.dg_dropped != 4 || after.events - before.events != 1 ||
	    after.events_invalid - before.events_invalid != 3) {
		printf("  dropped +%" PRIu64 ", events +%" PRIu64 ", invalid events +%" PRIu64 "\n",
		       after.dg_dropped - before.dg_dropped, after.events - before.events,
		       after.events_invalid - before.events_invalid);
		goto out;
	}
	if (lp.peer_events != 1 || live_pair_works(&lp, 2) != 0) {
		printf("  pair disturbed: %u peer events, state %d\n", lp.peer_events,
		       vmci_qpair_peer_state(lp.qp));
		goto out;
	}
	ret = TEST_SUCCESS;
out:
	live_pair_down(&lp);
	return ret;
}

static int
test_port_hostile_peer(void)
{
	return check_hostile_peer(false);
}

static int
test_dma_hostile_peer(void)
{
	return check_hostile_peer(true);
}

/*
 * Broker refusals while a pair is live: over the 128 MiB cap, a failed
 * hypercall, attach to a pair that does not exist, mismatched sizes. Each
 * fails with its errno; the live pair is untouched.
 */
static int
check_broker_refusals(bool mmio)
{
	struct vmci_qpair_conf c = {
		.produce_size = 64u << 20,
		.consume_size = 64u << 20,
		.peer = VMCI_HOST_CID,
		.socket_id = SOCKET_ID_ANY,
	};
	struct live_pair lp;
	int ret = TEST_FAILED;

	if (live_pair_up(&lp, mmio) != 0)
		goto out;
	/*
	 * With the live pair's 32 KiB, 128 MiB more is over the broker's cap
	 * (NO_RESOURCES); in DMA mode its page list does not even fit in one
	 * datagram, so the driver refuses it first.
	 */
	if (vmci_qpair_alloc(lp.g.dev, &c) != NULL || (!mmio && rte_errno != ENOBUFS)) {
		printf("  128 MiB on top of a live pair: rte_errno %d\n", rte_errno);
		goto out;
	}
	c.produce_size = 4096;
	c.consume_size = 4096;
	if (vmci_emu_fault_fail_hypercall(HV, VMCI_INVALID_ID, VMCI_QUEUEPAIR_ALLOC,
					  VMCI_ERROR_NO_MEM, 1) < 0 ||
	    vmci_qpair_alloc(lp.g.dev, &c) != NULL || rte_errno != ENOMEM) {
		printf("  injected NO_MEM: rte_errno %d, expected ENOMEM\n", rte_errno);
		goto out;
	}
	c.flags = VMCI_QPFLAG_ATTACH_ONLY;
	c.handle.context = 2;
	c.handle.resource = 999999;
	if (vmci_qpair_alloc(lp.g.dev, &c) != NULL || rte_errno != ENOENT) {
		printf("  attach to nothing: rte_errno %d, expected ENOENT\n", rte_errno);
		goto out;
	}
	if (live_pair_works(&lp, 3) != 0) {
		printf("  live pair disturbed by the refusals\n");
		goto out;
	}
	ret = TEST_SUCCESS;
out:
	live_pair_down(&lp);
	return ret;
}

static int
test_port_broker_refusals(void)
{
	return check_broker_refusals(false);
}

static int
test_dma_broker_refusals(void)
{
	return check_broker_refusals(true);
}

static const struct vmci_test_case cases[] = {
	{ "bringup_mock", test_bringup_mock },
	{ "port_oversized", test_port_oversized },
	{ "port_absurd_size", test_port_absurd_size },
	{ "port_many", test_port_many },
	{ "port_events", test_port_events },
	{ "dma_events", test_dma_events },
	{ "dma_across_end", test_dma_across_end },
	{ "dma_bad_sizes", test_dma_bad_sizes },
	{ "port_hostile_peer", test_port_hostile_peer },
	{ "dma_hostile_peer", test_dma_hostile_peer },
	{ "port_broker_refusals", test_port_broker_refusals },
	{ "dma_broker_refusals", test_dma_broker_refusals },
	{ NULL, NULL },
};

static const struct vmci_test_suite suite = {
	.name = "driver_core_malformed",
	.cases = cases,
};

VMCI_TEST_MAIN(suite)
