/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

/*
 * Device core: every hypercall's result is checked against the values the
 * protocol allows for it (vmci-device.md 4.4), and the pages of a pair the
 * hypervisor may still map are kept until the device is reset.
 *
 * The emulated hypervisor answers chosen values, either after doing the
 * work (vmci_emu_fault_hypercall_result: "did it and said something
 * else") or instead of it (vmci_emu_fault_fail_hypercall). A result
 * outside the allowed set must be an error (-EPROTO), logged and counted
 * in hc_unexpected, never a success.
 */

#include <errno.h>
#include <stdlib.h>

#include <rte_errno.h>
#include <rte_memzone.h>

#include "drv_test.h"
#include "mock_hw.h"

#define HV "drv_hcall"
#define QSIZE 8192u

/* Queue memory of a pair is one memzone named after the core's "vqp<pid>_<n>". */
static void
mz_count_cb(const struct rte_memzone *mz, void *arg)
{
	if (strstr(mz->name, "vqp") != NULL)
		(*(unsigned int *)arg)++;
}

/* Queue-pair memzones in use. */
static unsigned int
memzones(void)
{
	unsigned int n = 0;

	rte_memzone_walk(mz_count_cb, &n);
	return n;
}

static struct vmci_device_stats
stats(struct drv_guest *g)
{
	struct vmci_device_stats st;

	vmci_device_stats_get(g->dev, &st);
	return st;
}

static const struct vmci_qpair_conf create_conf = {
	.produce_size = QSIZE,
	.consume_size = QSIZE,
	.peer = VMCI_HOST_CID,
	.socket_id = SOCKET_ID_ANY,
};

/* Queue memory of a QSIZE/QSIZE pair: two header pages and the data pages. */
#define QP_BYTES ((2u + 2u * (QSIZE / 4096u)) * 4096u)

/*
 * QUEUEPAIR_ALLOC does the work and answers a positive value that is not
 * one of its successes: the create fails with EPROTO, is counted, and the
 * pair the hypervisor made is detached again (nothing kept, nothing left
 * in the broker).
 */
static int
check_alloc_unexpected(bool mmio)
{
	static const int32_t bad[] = {
		1, 0x7fffffff, VMCI_SUCCESS_LAST_DETACH, VMCI_SUCCESS_QUEUEPAIR_ATTACH,
	};
	struct vmci_device_stats st0, st;
	struct vmci_qpair *qp;
	struct drv_guest g;
	unsigned int i, mz;

	TEST_ASSERT(drv_guest_up(&g, HV, mmio, 0) == 0, "bring-up");
	for (i = 0; i < RTE_DIM(bad); i++) {
		st0 = stats(&g);
		mz = memzones();
		TEST_ASSERT_EQUAL(vmci_emu_fault_hypercall_result(HV, VMCI_INVALID_ID,
				  VMCI_QUEUEPAIR_ALLOC, bad[i], 1), 0, "fault rule");
		qp = vmci_qpair_alloc(g.dev, &create_conf);
		TEST_ASSERT(qp == NULL, "a create answered %d succeeded", bad[i]);
		TEST_ASSERT_EQUAL(rte_errno, EPROTO, "rte_errno for %d: %s", bad[i],
				  rte_strerror(rte_errno));
		st = stats(&g);
		TEST_ASSERT_EQUAL(st.hc_unexpected - st0.hc_unexpected, 1, "counted (%d)", bad[i]);
		/* The hypervisor made the pair; the core's DETACH undid it. */
		TEST_ASSERT_EQUAL(st.qp_parked, 0, "pages kept though the detach worked");
		TEST_ASSERT_EQUAL(memzones(), mz, "queue memory of the refused pair");
	}
	/* The device still works: the next create is a normal one. */
	qp = vmci_qpair_alloc(g.dev, &create_conf);
	TEST_ASSERT(qp != NULL, "create after the faults: %s", rte_strerror(rte_errno));
	TEST_ASSERT_EQUAL(vmci_qpair_detach(qp), 0, "detach");
	drv_guest_down(&g);
	TEST_ASSERT_EQUAL(vmci_emu_hv_free(HV), 0, "the broker still holds a pair");
	return TEST_SUCCESS;
}

static int
test_alloc_unexpected_port(void)
{
	return check_alloc_unexpected(false);
}

static int
test_alloc_unexpected_mmio(void)
{
	return check_alloc_unexpected(true);
}

/* An attach answered SUCCESS_QUEUEPAIR_CREATE (an attach cannot create). */
static int
test_attach_answered_create(void)
{
	struct rte_vmci_handle h = { VMCI_HOST_CID, 7001 };
	struct vmci_qpair_conf c = create_conf;
	struct vmci_qpair *qp;
	struct drv_guest g;
	int ret;

	TEST_ASSERT(drv_guest_up(&g, HV, false, 0) == 0, "bring-up");
	ret = vmci_emu_host_qp_create(HV, h, vmci_device_context_id(g.dev), QSIZE, QSIZE);
	TEST_ASSERT(ret >= 0, "host create: %s", vmci_result_str(ret));
	c.flags = VMCI_QPFLAG_ATTACH_ONLY;
	c.handle = h;
	TEST_ASSERT_EQUAL(vmci_emu_fault_hypercall_result(HV, VMCI_INVALID_ID,
			  VMCI_QUEUEPAIR_ALLOC, VMCI_SUCCESS_QUEUEPAIR_CREATE, 1), 0, "rule");
	qp = vmci_qpair_alloc(g.dev, &c);
	TEST_ASSERT(qp == NULL && rte_errno == EPROTO, "attach answered CREATE: %p, %s",
		    (void *)qp, rte_strerror(rte_errno));
	TEST_ASSERT_EQUAL(stats(&g).hc_unexpected, 1, "counted");
	TEST_ASSERT_EQUAL(vmci_emu_host_qp_detach(HV, h), VMCI_SUCCESS_LAST_DETACH,
			  "the guest end was not detached again");
	drv_guest_down(&g);
	TEST_ASSERT_EQUAL(vmci_emu_hv_free(HV), 0, "the broker still holds a pair");
	return TEST_SUCCESS;
}

/*
 * QUEUEPAIR_ALLOC answered 1 without doing anything: the core cannot know,
 * its DETACH fails (no such pair), so the pages are kept, counted, until
 * the device is reset, and freed then.
 */
static int
test_alloc_unknown_keeps_pages(void)
{
	struct vmci_device_stats st;
	struct vmci_qpair *qp;
	struct drv_guest g;
	unsigned int mz;

	TEST_ASSERT(drv_guest_up(&g, HV, false, 0) == 0, "bring-up");
	mz = memzones();
	TEST_ASSERT_EQUAL(vmci_emu_fault_fail_hypercall(HV, VMCI_INVALID_ID,
			  VMCI_QUEUEPAIR_ALLOC, 1, 1), 0, "rule");
	qp = vmci_qpair_alloc(g.dev, &create_conf);
	TEST_ASSERT(qp == NULL && rte_errno == EPROTO, "create answered 1: %p, %s",
		    (void *)qp, rte_strerror(rte_errno));
	st = stats(&g);
	TEST_ASSERT_EQUAL(st.qp_parked, 1, "pairs kept");
	TEST_ASSERT_EQUAL(st.qp_parked_bytes, QP_BYTES, "bytes kept");
	TEST_ASSERT_EQUAL(memzones(), mz + 1, "the pages were freed before a reset");
	vmci_device_destroy(g.dev);
	g.dev = NULL;
	TEST_ASSERT_EQUAL(memzones(), mz, "the kept pages outlived the reset");
	vmci_emu_dev_destroy(g.hw);
	TEST_ASSERT_EQUAL(vmci_emu_hv_free(HV), 0, "the broker still holds a pair");
	return TEST_SUCCESS;
}

/*
 * QUEUEPAIR_DETACH fails. Twice: the hypervisor refuses and keeps the
 * pair (the host end still attached and writing), and the hypervisor
 * detaches but answers an error. Either way the handle is gone for the
 * caller and the pages stay allocated, counted, until the reset.
 */
static int
test_detach_fails(void)
{
	struct rte_vmci_qp *host_ep = NULL;
	struct rte_vmci_handle h;
	struct vmci_device_stats st;
	struct vmci_qpair *qp;
	struct drv_guest g;
	uint8_t buf[512];
	unsigned int mz;
	int ret;

	TEST_ASSERT(drv_guest_up(&g, HV, false, 0) == 0, "bring-up");
	mz = memzones();
	/* 1: refused, not executed; the host end stays attached and writes. */
	qp = vmci_qpair_alloc(g.dev, &create_conf);
	TEST_ASSERT(qp != NULL, "create: %s", rte_strerror(rte_errno));
	h = vmci_qpair_handle(qp);
	ret = vmci_emu_host_qp_attach(HV, h, QSIZE, QSIZE, &host_ep);
	TEST_ASSERT(ret >= 0, "host attach: %s", vmci_result_str(ret));
	TEST_ASSERT_EQUAL(vmci_emu_fault_fail_hypercall(HV, VMCI_INVALID_ID,
			  VMCI_QUEUEPAIR_DETACH, VMCI_ERROR_GENERIC, 1), 0, "rule");
	ret = vmci_qpair_detach(qp);
	TEST_ASSERT_EQUAL(ret, -EIO, "detach refused with GENERIC: %d", ret);
	st = stats(&g);
	TEST_ASSERT_EQUAL(st.qp_parked, 1, "pairs kept");
	TEST_ASSERT_EQUAL(st.qp_parked_bytes, QP_BYTES, "bytes kept");
	TEST_ASSERT_EQUAL(memzones(), mz + 1, "pages freed while the hypervisor maps them");
	memset(buf, 0x5a, sizeof(buf));
	TEST_ASSERT(rte_vmci_qp_enqueue_burst(host_ep, buf, sizeof(buf)) >= 0, "host writes");
	rte_vmci_qp_endpoint_free(host_ep);
	TEST_ASSERT(vmci_emu_host_qp_detach(HV, h) >= 0, "host detach");

	/* 2: executed (the broker forgot it), answered an error: still kept. */
	qp = vmci_qpair_alloc(g.dev, &create_conf);
	TEST_ASSERT(qp != NULL, "second create: %s", rte_strerror(rte_errno));
	TEST_ASSERT_EQUAL(vmci_emu_fault_hypercall_result(HV, VMCI_INVALID_ID,
			  VMCI_QUEUEPAIR_DETACH, VMCI_ERROR_NO_RESOURCES, 1), 0, "rule");
	TEST_ASSERT_EQUAL(vmci_qpair_detach(qp), -ENOBUFS, "second detach");
	st = stats(&g);
	TEST_ASSERT_EQUAL(st.qp_parked, 2, "pairs kept");
	TEST_ASSERT_EQUAL(st.qp_parked_bytes, 2 * QP_BYTES, "bytes kept");
	TEST_ASSERT_EQUAL(memzones(), mz + 2, "pages freed after a failed detach");

	/* 3: detached, answered a success value DETACH does not have. */
	qp = vmci_qpair_alloc(g.dev, &create_conf);
	TEST_ASSERT(qp != NULL, "third create: %s", rte_strerror(rte_errno));
	TEST_ASSERT_EQUAL(vmci_emu_fault_hypercall_result(HV, VMCI_INVALID_ID,
			  VMCI_QUEUEPAIR_DETACH, VMCI_SUCCESS_QUEUEPAIR_CREATE, 1), 0, "rule");
	TEST_ASSERT_EQUAL(vmci_qpair_detach(qp), -EPROTO, "third detach");
	st = stats(&g);
	TEST_ASSERT_EQUAL(st.qp_parked, 3, "pairs kept");
	TEST_ASSERT_EQUAL(st.hc_unexpected, 1, "unexpected results counted");

	/*
	 * Reset: the pairs the broker forgot are freed at once; the first one,
	 * which the broker still maps for this guest, goes with the context.
	 */
	vmci_device_destroy(g.dev);
	g.dev = NULL;
	TEST_ASSERT_EQUAL(memzones(), mz + 1, "kept pages after the reset");
	vmci_emu_dev_destroy(g.hw);
	TEST_ASSERT_EQUAL(memzones(), mz, "kept pages outlived the context");
	TEST_ASSERT_EQUAL(vmci_emu_hv_free(HV), 0, "the broker still holds a pair");
	return TEST_SUCCESS;
}

/* A guest whose bring-up meets one injected answer; 0 if it came up. */
static int
guest_up_with_fault(struct drv_guest *g, uint32_t rid, int32_t result)
{
	struct vmci_emu_dev_conf ec = { .hv_name = HV, .socket_id = SOCKET_ID_ANY };

	memset(g, 0, sizeof(*g));
	g->hw = vmci_emu_dev_create(&ec);
	if (g->hw == NULL)
		return -ENOMEM;
	vmci_emu_fault_hypercall_result(HV, VMCI_INVALID_ID, rid, result, 1);
	g->dev = vmci_device_create(g->hw, NULL);
	vmci_emu_fault_fail_hypercall(HV, VMCI_INVALID_ID, rid, 0, 0);
	return g->dev == NULL ? -rte_errno : 0;
}

/* Bring-up hypercalls: each answer outside its set refuses the device. */
static int
test_bringup_results(void)
{
	static const struct {
		uint32_t rid;
		int32_t result;
	} bad[] = {
		{ VMCI_SET_NOTIFY_BITMAP, 1 },
		{ VMCI_RESOURCES_QUERY, 3 },          /* a bit for a resource not asked */
		{ VMCI_GET_CONTEXT_ID, VMCI_HOST_CID },
		{ VMCI_GET_CONTEXT_ID, 1 },
		{ VMCI_GET_CONTEXT_ID, VMCI_HYPERVISOR_CID },
		{ VMCI_GET_CONTEXT_ID, -1 },          /* the invalid ID */
	};
	struct drv_guest g;
	unsigned int i;
	int ret;

	for (i = 0; i < RTE_DIM(bad); i++) {
		ret = guest_up_with_fault(&g, bad[i].rid, bad[i].result);
		if (ret == 0)
			drv_guest_down(&g);
		else
			vmci_emu_dev_destroy(g.hw);
		TEST_ASSERT(ret < 0, "bring-up with hypercall %u answering %d succeeded",
			    bad[i].rid, bad[i].result);
	}
	TEST_ASSERT_EQUAL(vmci_emu_hv_free(HV), 0, "instance");
	return TEST_SUCCESS;
}

/* GET_CONTEXT_ID before a create answers a CID no VM has: the cache is kept. */
static int
test_context_id_refresh(void)
{
	struct vmci_qpair *qp;
	struct drv_guest g;
	uint32_t cid;

	TEST_ASSERT(drv_guest_up(&g, HV, false, 0) == 0, "bring-up");
	cid = vmci_device_context_id(g.dev);
	TEST_ASSERT_EQUAL(vmci_emu_fault_fail_hypercall(HV, VMCI_INVALID_ID,
			  VMCI_GET_CONTEXT_ID, VMCI_HOST_CID, 1), 0, "rule");
	qp = vmci_qpair_alloc(g.dev, &create_conf);
	TEST_ASSERT(qp != NULL, "create: %s", rte_strerror(rte_errno));
	TEST_ASSERT_EQUAL(vmci_qpair_handle(qp).context, cid, "handle context");
	TEST_ASSERT_EQUAL(vmci_device_context_id(g.dev), cid, "cached context ID");
	TEST_ASSERT_EQUAL(stats(&g).hc_unexpected, 1, "counted");
	vmci_qpair_detach(qp);
	drv_guest_down(&g);
	TEST_ASSERT_EQUAL(vmci_emu_hv_free(HV), 0, "instance");
	return TEST_SUCCESS;
}

/* RESOURCES_QUERY: only bits for the resources asked about. */
static int
test_resources_query(void)
{
	const uint32_t rids[2] = { VMCI_GET_CONTEXT_ID, VMCI_QUEUEPAIR_ALLOC };
	struct drv_guest g;
	uint32_t mask = 0;

	TEST_ASSERT(drv_guest_up(&g, HV, false, 0) == 0, "bring-up");
	TEST_ASSERT_EQUAL(vmci_hc_resources_query(g.dev, rids, 2, &mask), 0, "query");
	TEST_ASSERT_EQUAL(mask, 3, "both supported");
	vmci_emu_fault_fail_hypercall(HV, VMCI_INVALID_ID, VMCI_RESOURCES_QUERY, 4, 1);
	mask = 0;
	TEST_ASSERT_EQUAL(vmci_hc_resources_query(g.dev, rids, 2, &mask), -EPROTO,
			  "bit 2 for a query of 2 resources");
	TEST_ASSERT_EQUAL(mask, 0, "mask written on error");
	TEST_ASSERT_EQUAL(stats(&g).hc_unexpected, 1, "counted");
	drv_guest_down(&g);
	TEST_ASSERT_EQUAL(vmci_emu_hv_free(HV), 0, "instance");
	return TEST_SUCCESS;
}

static void
noop_doorbell(struct vmci_doorbell *db, void *arg)
{
	RTE_SET_USED(db);
	RTE_SET_USED(arg);
}

/*
 * Doorbells: LINK, NOTIFY and UNLINK succeed with exactly 0. A LINK that
 * linked and answered 1 fails, and the core unlinks it again.
 */
static int
test_doorbell_results(void)
{
	struct vmci_doorbell *db;
	struct drv_guest g;

	TEST_ASSERT(drv_guest_up(&g, HV, false, 0) == 0, "bring-up");
	TEST_ASSERT_EQUAL(vmci_emu_fault_hypercall_result(HV, VMCI_INVALID_ID,
			  VMCI_DOORBELL_LINK, 1, 1), 0, "rule");
	db = vmci_doorbell_create(g.dev, noop_doorbell, NULL);
	TEST_ASSERT(db == NULL && rte_errno == EPROTO, "link answered 1: %p, %s",
		    (void *)db, rte_strerror(rte_errno));
	TEST_ASSERT_EQUAL(stats(&g).hc_unexpected, 1, "counted");
	TEST_ASSERT_EQUAL(vmci_emu_fault_fail_hypercall(HV, VMCI_INVALID_ID,
			  VMCI_DOORBELL_LINK, 0x7fffffff, 1), 0, "rule");
	db = vmci_doorbell_create(g.dev, noop_doorbell, NULL);
	TEST_ASSERT(db == NULL && rte_errno == EPROTO, "link answered 0x7fffffff");

	db = vmci_doorbell_create(g.dev, noop_doorbell, NULL);
	TEST_ASSERT(db != NULL, "doorbell: %s", rte_strerror(rte_errno));
	TEST_ASSERT_EQUAL(vmci_doorbell_notify(g.dev, vmci_doorbell_handle(db)), 0, "notify");
	TEST_ASSERT_EQUAL(vmci_emu_fault_hypercall_result(HV, VMCI_INVALID_ID,
			  VMCI_DOORBELL_NOTIFY, 1, 1), 0, "rule");
	TEST_ASSERT_EQUAL(vmci_doorbell_notify(g.dev, vmci_doorbell_handle(db)), -EPROTO,
			  "notify answered 1");
	/* Unlink failures are tolerated (logged), but an odd answer is counted. */
	TEST_ASSERT_EQUAL(vmci_emu_fault_hypercall_result(HV, VMCI_INVALID_ID,
			  VMCI_DOORBELL_UNLINK, 2, 1), 0, "rule");
	vmci_doorbell_destroy(db);
	TEST_ASSERT_EQUAL(stats(&g).hc_unexpected, 4, "counted");
	drv_guest_down(&g);
	TEST_ASSERT_EQUAL(vmci_emu_hv_free(HV), 0, "instance");
	return TEST_SUCCESS;
}

/* EVENT_(UN)SUBSCRIBE, sent by no guest: 0 is success, 1 is not. */
static int
test_event_hypercalls(void)
{
	struct drv_guest g;

	TEST_ASSERT(drv_guest_up(&g, HV, false, 0) == 0, "bring-up");
	vmci_emu_fault_fail_hypercall(HV, VMCI_INVALID_ID, VMCI_EVENT_SUBSCRIBE, 0, 1);
	TEST_ASSERT_EQUAL(vmci_hc_event_subscribe(g.dev, VMCI_EVENT_QP_PEER_ATTACH), 0, "0");
	vmci_emu_fault_fail_hypercall(HV, VMCI_INVALID_ID, VMCI_EVENT_SUBSCRIBE, 1, 1);
	TEST_ASSERT_EQUAL(vmci_hc_event_subscribe(g.dev, VMCI_EVENT_QP_PEER_ATTACH), -EPROTO,
			  "1");
	vmci_emu_fault_fail_hypercall(HV, VMCI_INVALID_ID, VMCI_EVENT_UNSUBSCRIBE, 7, 1);
	TEST_ASSERT_EQUAL(vmci_hc_event_unsubscribe(g.dev, VMCI_EVENT_QP_PEER_ATTACH), -EPROTO,
			  "7");
	drv_guest_down(&g);
	TEST_ASSERT_EQUAL(vmci_emu_hv_free(HV), 0, "instance");
	return TEST_SUCCESS;
}

static void
noop_dgram(struct vmci_dgram_ep *ep, const struct vmci_dg_hdr *dg, const void *payload,
	   void *arg)
{
	RTE_SET_USED(ep);
	RTE_SET_USED(dg);
	RTE_SET_USED(payload);
	RTE_SET_USED(arg);
}

/*
 * A routed datagram is answered with its size (24 + payload), as the
 * emulated and the real host do. The scripted device answers 0: not a
 * size, so not a success.
 */
static int
test_dgram_result(void)
{
	struct rte_vmci_handle to = { VMCI_HOST_CID, 5000 };
	struct vmci_device_stats st;
	struct vmci_dgram_ep *ep;
	struct vmci_device *dev;
	struct mock_hw *m;
	struct drv_guest g;

	TEST_ASSERT(drv_guest_up(&g, HV, false, 0) == 0, "bring-up");
	ep = vmci_dgram_ep_create(g.dev, VMCI_INVALID_ID, noop_dgram, NULL);
	TEST_ASSERT(ep != NULL, "endpoint");
	TEST_ASSERT_EQUAL(vmci_dgram_send(ep, to, "hello", 5), VMCI_DG_HDR_SIZE + 5,
			  "send to the host");
	vmci_dgram_ep_destroy(ep);
	drv_guest_down(&g);
	TEST_ASSERT_EQUAL(vmci_emu_hv_free(HV), 0, "instance");

	m = mock_hw_new(VMCI_CAPS_DATAGRAM | VMCI_CAPS_PPN64, false);
	TEST_ASSERT(m != NULL, "mock");
	dev = vmci_device_create(&m->hw, NULL);
	TEST_ASSERT(dev != NULL, "mock bring-up: %s", rte_strerror(rte_errno));
	ep = vmci_dgram_ep_create(dev, VMCI_INVALID_ID, noop_dgram, NULL);
	TEST_ASSERT(ep != NULL, "endpoint");
	TEST_ASSERT_EQUAL(vmci_dgram_send(ep, to, "hello", 5), -EPROTO, "send answered 0");
	vmci_device_stats_get(dev, &st);
	TEST_ASSERT_EQUAL(st.hc_unexpected, 1, "counted");
	vmci_dgram_ep_destroy(ep);
	vmci_device_destroy(dev);
	mock_hw_free(m);
	return TEST_SUCCESS;
}

static const struct vmci_test_case cases[] = {
	{ "alloc_unexpected_port", test_alloc_unexpected_port },
	{ "alloc_unexpected_mmio", test_alloc_unexpected_mmio },
	{ "attach_answered_create", test_attach_answered_create },
	{ "alloc_unknown_keeps_pages", test_alloc_unknown_keeps_pages },
	{ "detach_fails", test_detach_fails },
	{ "bringup_results", test_bringup_results },
	{ "context_id_refresh", test_context_id_refresh },
	{ "resources_query", test_resources_query },
	{ "doorbell_results", test_doorbell_results },
	{ "event_hypercalls", test_event_hypercalls },
	{ "dgram_result", test_dgram_result },
	{ NULL, NULL },
};

static const struct vmci_test_suite suite = {
	.name = "driver_core_hcall",
	.cases = cases,
};

VMCI_TEST_MAIN(suite)
