/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

/* Device core: bring-up, refusal, result codes, events, doorbells. */

#include <errno.h>

#include <rte_errno.h>

#include "drv_test.h"
#include "mock_hw.h"

#define HV "drv_bringup"

static void db_cb(struct vmci_doorbell *db, void *arg);

static int
check_bringup(bool mmio)
{
	const uint32_t base = VMCI_CAPS_DATAGRAM | VMCI_CAPS_NOTIFICATIONS | VMCI_CAPS_PPN64;
	uint32_t want = mmio ? base | VMCI_CAPS_DMA_DATAGRAM : base;
	struct drv_guest g;
	uint32_t cid;

	TEST_ASSERT(drv_guest_up(&g, HV, mmio, 0) == 0, "bring-up: %s", rte_strerror(rte_errno));
	cid = vmci_device_context_id(g.dev);
	TEST_ASSERT_EQUAL(vmci_device_caps(g.dev), want, "caps in use");
	TEST_ASSERT_EQUAL(vmci_device_caps_offered(g.dev) & want, want, "caps offered");
	TEST_ASSERT_EQUAL(cid, vmci_emu_dev_cid(g.hw), "context ID");
	TEST_ASSERT(cid >= VMCI_RESERVED_CID_LIMIT && cid != VMCI_INVALID_ID, "cid %u", cid);
	TEST_ASSERT_EQUAL(vmci_device_poll(g.dev), 0, "idle poll");
	drv_guest_down(&g);
	return TEST_SUCCESS;
}

static int
test_bringup_port(void)
{
	return check_bringup(false);
}

static int
test_bringup_mmio(void)
{
	return check_bringup(true);
}

static int
test_bringup_no_notifications(void)
{
	struct drv_guest g;

	TEST_ASSERT(drv_guest_up(&g, HV, false, VMCI_CAPS_DATAGRAM) == 0, "bring-up");
	TEST_ASSERT_EQUAL(vmci_device_caps(g.dev), VMCI_CAPS_DATAGRAM, "caps in use");
	TEST_ASSERT(vmci_doorbell_create(g.dev, db_cb, NULL) == NULL, "doorbell without bitmap");
	drv_guest_down(&g);
	return TEST_SUCCESS;
}

static int
test_refuse_no_datagram(void)
{
	struct mock_hw *m = mock_hw_new(VMCI_CAPS_NOTIFICATIONS | VMCI_CAPS_PPN64, false);
	struct vmci_device *dev;

	TEST_ASSERT(m != NULL, "mock");
	dev = vmci_device_create(&m->hw, NULL);
	TEST_ASSERT(dev == NULL, "device without DATAGRAM accepted");
	TEST_ASSERT_EQUAL(rte_errno, ENODEV, "rte_errno");
	mock_hw_free(m);
	return TEST_SUCCESS;
}

static int
test_refuse_mmio_without_dma(void)
{
	struct mock_hw *m = mock_hw_new(VMCI_CAPS_DATAGRAM | VMCI_CAPS_NOTIFICATIONS, true);
	struct vmci_device *dev;

	TEST_ASSERT(m != NULL, "mock");
	dev = vmci_device_create(&m->hw, NULL);
	TEST_ASSERT(dev == NULL, "MMIO device without DMA_DATAGRAM accepted");
	TEST_ASSERT_EQUAL(rte_errno, ENOTSUP, "rte_errno");
	mock_hw_free(m);
	return TEST_SUCCESS;
}

static int
test_result_codes(void)
{
	TEST_ASSERT_EQUAL(vmci_result_to_errno(VMCI_SUCCESS_QUEUEPAIR_CREATE), 0, "success");
	TEST_ASSERT_EQUAL(vmci_result_to_errno(VMCI_ERROR_INVALID_ARGS), EINVAL, "args");
	TEST_ASSERT_EQUAL(vmci_result_to_errno(VMCI_ERROR_NO_RESOURCES), ENOBUFS, "res");
	TEST_ASSERT_EQUAL(vmci_result_to_errno(VMCI_ERROR_DST_UNREACHABLE), EHOSTUNREACH, "dst");
	TEST_ASSERT_EQUAL(vmci_result_to_errno(-777), EPROTO, "unknown");
	TEST_ASSERT(strcmp(vmci_result_str(VMCI_ERROR_WOULD_BLOCK), "VMCI_ERROR_WOULD_BLOCK") == 0,
		    "name %s", vmci_result_str(VMCI_ERROR_WOULD_BLOCK));
	TEST_ASSERT(strcmp(vmci_result_str(-777), "unknown") == 0, "unknown name");
	return TEST_SUCCESS;
}

struct ev_seen {
	bool fired;
	uint32_t event;
	uint32_t cid;
	unsigned int calls;
};

static void
ev_cb(struct vmci_device *dev, uint32_t event, const void *payload, uint32_t len, void *arg)
{
	struct ev_seen *s = arg;
	const struct vmci_event_payload_context *c = payload;

	s->calls++;
	s->event = event;
	if (len >= sizeof(*c))
		s->cid = c->context_id;
	s->fired = true;
}

static int
check_events(bool mmio)
{
	struct vmci_device_stats st;
	struct ev_seen seen = { 0 };
	struct drv_guest g;
	uint32_t old;
	int64_t ncid;
	int sub;

	TEST_ASSERT(drv_guest_up(&g, HV, mmio, 0) == 0, "bring-up");
	sub = vmci_event_subscribe(g.dev, VMCI_EVENT_CTX_ID_UPDATE, ev_cb, &seen);
	TEST_ASSERT(sub >= 0, "subscribe: %d", sub);
	TEST_ASSERT(vmci_event_subscribe(g.dev, VMCI_EVENT_MEM_ACCESS_ON, ev_cb, &seen) < 0,
		    "subscription to a VMX-only event accepted");
	old = vmci_device_context_id(g.dev);
	ncid = vmci_emu_set_context_id(HV, old, 0);
	TEST_ASSERT(ncid > 0 && (uint32_t)ncid != old, "set_context_id: %" PRId64, ncid);
	TEST_ASSERT(drv_poll_until(g.dev, &seen.fired), "no CTX_ID_UPDATE");
	TEST_ASSERT_EQUAL(seen.event, VMCI_EVENT_CTX_ID_UPDATE, "event id");
	TEST_ASSERT_EQUAL(seen.cid, ncid, "payload CID");
	TEST_ASSERT_EQUAL(vmci_device_context_id(g.dev), ncid, "cached CID");

	/* VMX-only and undefined events are rejected and counted, never delivered. */
	seen.fired = false;
	TEST_ASSERT(vmci_emu_fault_mem_access(HV, (uint32_t)ncid, true) >= 0, "mem access");
	TEST_ASSERT(vmci_emu_send_event(HV, (uint32_t)ncid, 77, NULL, 0) >= 0, "event 77");
	vmci_device_poll(g.dev);
	vmci_device_poll(g.dev);
	TEST_ASSERT_EQUAL(vmci_device_stats_get(g.dev, &st), 0, "stats");
	TEST_ASSERT_EQUAL(st.events_invalid, 2, "invalid events counted");
	TEST_ASSERT(!seen.fired, "rejected event delivered");
	TEST_ASSERT_EQUAL(seen.calls, 1, "callback calls");

	TEST_ASSERT_EQUAL(vmci_event_unsubscribe(g.dev, sub), 0, "unsubscribe");
	TEST_ASSERT_EQUAL(vmci_event_unsubscribe(g.dev, sub), -ENOENT, "double unsubscribe");
	drv_guest_down(&g);
	return TEST_SUCCESS;
}

static int
test_events_port(void)
{
	return check_events(false);
}

static int
test_events_mmio(void)
{
	return check_events(true);
}

struct db_seen {
	bool fired;
	unsigned int calls;
};

static void
db_cb(struct vmci_doorbell *db, void *arg)
{
	struct db_seen *s = arg;

	s->calls++;
	s->fired = true;
}

static int
check_doorbells(bool mmio)
{
	struct db_seen s1 = { 0 }, s2 = { 0 };
	struct vmci_doorbell *d1, *d2;
	struct rte_vmci_handle h1;
	struct drv_guest a, b;
	int i;

	TEST_ASSERT(drv_guest_up(&a, HV, mmio, 0) == 0, "bring-up a");
	TEST_ASSERT(drv_guest_up(&b, HV, mmio, 0) == 0, "bring-up b");
	d1 = vmci_doorbell_create(a.dev, db_cb, &s1);
	d2 = vmci_doorbell_create(a.dev, db_cb, &s2);
	TEST_ASSERT(d1 != NULL && d2 != NULL, "create: %s", rte_strerror(rte_errno));
	TEST_ASSERT(vmci_doorbell_index(d1) != vmci_doorbell_index(d2), "shared index");
	TEST_ASSERT(vmci_doorbell_handle(d1).resource >= VMCI_RESERVED_RID_LIMIT, "rid");

	/* Guest b rings a's second doorbell twice: one callback. */
	TEST_ASSERT_EQUAL(vmci_doorbell_notify(b.dev, vmci_doorbell_handle(d2)), 0, "notify");
	TEST_ASSERT_EQUAL(vmci_doorbell_notify(b.dev, vmci_doorbell_handle(d2)), 0, "notify");
	TEST_ASSERT(drv_poll_until(a.dev, &s2.fired), "doorbell did not fire");
	for (i = 0; i < 10; i++)
		vmci_device_poll(a.dev);
	TEST_ASSERT_EQUAL(s2.calls, 1, "callback calls");
	TEST_ASSERT_EQUAL(s1.calls, 0, "other doorbell fired");

	/* The host rings the first one. */
	TEST_ASSERT_EQUAL(vmci_emu_host_doorbell_notify(HV, vmci_doorbell_handle(d1)),
			  VMCI_SUCCESS, "host notify");
	TEST_ASSERT(drv_poll_until(a.dev, &s1.fired), "host doorbell did not fire");
	TEST_ASSERT_EQUAL(s1.calls, 1, "callback calls");

	/* After destroy the handle is unlinked: ringing it fails. */
	h1 = vmci_doorbell_handle(d1);
	vmci_doorbell_destroy(d1);
	TEST_ASSERT(vmci_doorbell_notify(b.dev, h1) < 0,
		    "unlinked doorbell rang");
	/* d2 is left to vmci_device_destroy(). */
	drv_guest_down(&b);
	drv_guest_down(&a);
	return TEST_SUCCESS;
}

static int
test_doorbells_port(void)
{
	return check_doorbells(false);
}

static int
test_doorbells_mmio(void)
{
	return check_doorbells(true);
}

static const struct vmci_test_case cases[] = {
	{ "bringup_port", test_bringup_port },
	{ "bringup_mmio", test_bringup_mmio },
	{ "bringup_no_notifications", test_bringup_no_notifications },
	{ "refuse_no_datagram", test_refuse_no_datagram },
	{ "refuse_mmio_without_dma", test_refuse_mmio_without_dma },
	{ "result_codes", test_result_codes },
	{ "events_port", test_events_port },
	{ "events_mmio", test_events_mmio },
	{ "doorbells_port", test_doorbells_port },
	{ "doorbells_mmio", test_doorbells_mmio },
	{ NULL, NULL },
};

static const struct vmci_test_suite suite = {
	.name = "driver_core_bringup",
	.cases = cases,
};

VMCI_TEST_MAIN(suite)
