/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

/* Device core: bring-up, refusal, result codes, events, doorbells. */

#include <errno.h>

#include <rte_errno.h>

#include "drv_test.h"
#include "mock_hw.h"
#include "rec_hw.h"

#define HV "drv_bringup"

struct db_seen {
	bool fired;
	unsigned int calls;
};

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

/* One expected register access; any_val: the value is not checked. */
struct rec_want {
	enum rec_op op;
	uint32_t off;
	uint32_t val;
	bool any_val;
};

#define W_(off, val) { REC_WRITE, VMCI_REG_ ## off, val, false }
#define W_ANY(off) { REC_WRITE, VMCI_REG_ ## off, 0, true }
#define R_(off, val) { REC_READ, VMCI_REG_ ## off, val, false }
#define R_ANY(off) { REC_READ, VMCI_REG_ ## off, 0, true }
#define SEND(port, rid) { REC_SEND, VMCI_REG_ ## port, rid, false }

static int
rec_check(const struct rec_hw *r, unsigned int from, const struct rec_want *want,
	  unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		const struct rec_entry *e = &r->log[from + i];

		if (from + i >= r->n || e->op != want[i].op || e->off != want[i].off ||
		    (!want[i].any_val && e->val != want[i].val)) {
			printf("  access %u: expected op %d on %s value 0x%x; recorded:\n",
			       from + i, want[i].op, rec_reg_name(want[i].off), want[i].val);
			rec_dump(r, 0);
			return TEST_FAILED;
		}
	}
	return TEST_SUCCESS;
}

/*
 * The spec's bring-up order (section 3) as the device sees it: caps read
 * then written before anything else (no reset first, as in the reference
 * guests), DMA page shift and high halves
 * before the first DMA send, bitmap registration, RESOURCES_QUERY, context
 * ID, interrupt causes. Teardown ends with a reset.
 */
static int
check_register_sequence(bool mmio)
{
	static const struct rec_want port[] = {
		R_(CAPS, 0x1c),
		W_(CAPS, 0x1c),
		SEND(DATA_OUT, VMCI_SET_NOTIFY_BITMAP), R_(RESULT_LOW, VMCI_SUCCESS),
		SEND(DATA_OUT, VMCI_RESOURCES_QUERY), R_(RESULT_LOW, 1),
		SEND(DATA_OUT, VMCI_GET_CONTEXT_ID), R_ANY(RESULT_LOW),
		W_(IMR, VMCI_ICR_DATAGRAM | VMCI_ICR_NOTIFICATION),
		W_(CONTROL, VMCI_CONTROL_INT_ENABLE),
	};
	static const struct rec_want dma[] = {
		R_(CAPS, 0x3c),
		W_(CAPS, 0x3c),
		W_(GUEST_PAGE_SHIFT, 12), W_ANY(DATA_IN_HIGH), W_ANY(DATA_OUT_HIGH),
		SEND(DATA_OUT_LOW, VMCI_SET_NOTIFY_BITMAP), R_ANY(RESULT_LOW),
		SEND(DATA_OUT_LOW, VMCI_RESOURCES_QUERY), R_ANY(RESULT_LOW),
		SEND(DATA_OUT_LOW, VMCI_GET_CONTEXT_ID), R_ANY(RESULT_LOW),
		W_(IMR, VMCI_ICR_DATAGRAM | VMCI_ICR_NOTIFICATION | VMCI_ICR_DMA_DATAGRAM),
		W_(CONTROL, VMCI_CONTROL_INT_ENABLE),
	};
	struct vmci_emu_dev_conf ec = { .hv_name = HV, .mmio = mmio, .socket_id = SOCKET_ID_ANY };
	static struct rec_hw rec;
	struct vmci_device *dev;
	struct vmci_hw *emu;
	int ret;

	emu = vmci_emu_dev_create(&ec);
	TEST_ASSERT(emu != NULL, "emulated device");
	rec_hw_init(&rec, emu);
	dev = vmci_device_create(&rec.hw, NULL);
	if (dev == NULL) {
		vmci_emu_dev_destroy(emu);
		TEST_ASSERT(false, "bring-up: %s", rte_strerror(rte_errno));
	}
	ret = mmio ? rec_check(&rec, 0, dma, RTE_DIM(dma)) :
		rec_check(&rec, 0, port, RTE_DIM(port));
	if (ret == TEST_SUCCESS && rec.n != (mmio ? RTE_DIM(dma) : RTE_DIM(port))) {
		printf("  extra accesses during bring-up:\n");
		rec_dump(&rec, 0);
		ret = TEST_FAILED;
	}
	if (ret == TEST_SUCCESS && vmci_device_context_id(dev) != vmci_emu_dev_cid(emu))
		ret = TEST_FAILED;
	vmci_device_destroy(dev);
	if (ret == TEST_SUCCESS && (rec.overflow || rec.log[rec.n - 1].op != REC_WRITE ||
				    rec.log[rec.n - 1].off != VMCI_REG_CONTROL ||
				    rec.log[rec.n - 1].val != VMCI_CONTROL_RESET)) {
		printf("  teardown does not end with CONTROL = RESET:\n");
		rec_dump(&rec, 0);
		ret = TEST_FAILED;
	}
	vmci_emu_dev_destroy(emu);
	return ret;
}

static int
test_register_sequence_port(void)
{
	return check_register_sequence(false);
}

static int
test_register_sequence_mmio(void)
{
	return check_register_sequence(true);
}

/*
 * Resets as the reference guests do them: none during probe, one at
 * remove, one when a bring-up fails after CAPS was written (the device may
 * then hold the bitmap and DMA addresses that are about to be freed).
 */
static int
check_resets(bool mmio)
{
	struct vmci_emu_dev_conf ec = { .hv_name = HV, .mmio = mmio, .socket_id = SOCKET_ID_ANY };
	struct vmci_device *dev;
	struct vmci_hw *emu;

	emu = vmci_emu_dev_create(&ec);
	TEST_ASSERT(emu != NULL, "emulated device");
	dev = vmci_device_create(emu, NULL);
	TEST_ASSERT(dev != NULL, "bring-up: %s", rte_strerror(rte_errno));
	TEST_ASSERT_EQUAL(vmci_emu_dev_resets(emu), 0, "resets during probe");
	vmci_device_destroy(dev);
	TEST_ASSERT_EQUAL(vmci_emu_dev_resets(emu), 1, "resets at remove");

	TEST_ASSERT_EQUAL(vmci_emu_fault_fail_hypercall(HV, VMCI_INVALID_ID,
							VMCI_RESOURCES_QUERY,
							VMCI_ERROR_GENERIC, 1), 0, "fault");
	dev = vmci_device_create(emu, NULL);
	TEST_ASSERT(dev == NULL, "bring-up with RESOURCES_QUERY failing succeeded");
	TEST_ASSERT_EQUAL(vmci_emu_dev_resets(emu), 2, "resets after a failed bring-up");
	vmci_emu_dev_destroy(emu);
	return TEST_SUCCESS;
}

static int
test_resets_port(void)
{
	return check_resets(false);
}

static int
test_resets_mmio(void)
{
	return check_resets(true);
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
	TEST_ASSERT_EQUAL(m->resets, 0, "reset of a device refused before CAPS was written");
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
	TEST_ASSERT_EQUAL(m->resets, 0, "reset of a device refused before CAPS was written");
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

struct dg_seen {
	bool got;
	uint32_t dst_cid;
};

static void
dg_seen_cb(struct vmci_dgram_ep *ep, const struct vmci_dg_hdr *dg, const void *payload,
	   void *arg)
{
	struct dg_seen *s = arg;

	RTE_SET_USED(ep);
	RTE_SET_USED(payload);
	s->dst_cid = dg->dst.context;
	s->got = true;
}

/*
 * CTX_ID_UPDATE naming the invalid context ID (0xFFFFFFFF) is ignored, as
 * the reference guests ignore it: the cached ID stays, subscribers are not
 * told, the event is counted as invalid. Datagrams to our context are
 * still delivered and a doorbell created afterwards is linked under our
 * real ID, so the host can ring it.
 */
static int
check_cid_update_invalid(bool mmio)
{
	struct vmci_event_payload_context bad = { .context_id = VMCI_INVALID_ID };
	struct rte_vmci_handle dst;
	struct vmci_device_stats st;
	struct ev_seen seen = { 0 };
	struct dg_seen got = { 0 };
	struct db_seen rang = { 0 };
	struct vmci_dgram_ep *ep;
	struct vmci_doorbell *db;
	struct vmci_dg_hdr dg;
	struct drv_guest g;
	uint32_t cid;
	int i;

	TEST_ASSERT(drv_guest_up(&g, HV, mmio, 0) == 0, "bring-up");
	cid = vmci_device_context_id(g.dev);
	TEST_ASSERT(vmci_event_subscribe(g.dev, VMCI_EVENT_CTX_ID_UPDATE, ev_cb, &seen) >= 0,
		    "subscribe");
	ep = vmci_dgram_ep_create(g.dev, 3000, dg_seen_cb, &got);
	TEST_ASSERT(ep != NULL, "endpoint");
	TEST_ASSERT(vmci_emu_send_event(HV, cid, VMCI_EVENT_CTX_ID_UPDATE, &bad,
					sizeof(bad)) >= 0, "event");
	for (i = 0; i < 3; i++)
		vmci_device_poll(g.dev);
	TEST_ASSERT_EQUAL(vmci_device_context_id(g.dev), cid, "context ID after the invalid one");
	TEST_ASSERT(!seen.fired, "subscriber told of the invalid ID");
	TEST_ASSERT_EQUAL(vmci_device_stats_get(g.dev, &st), 0, "stats");
	TEST_ASSERT_EQUAL(st.events_invalid, 1, "invalid events");
	TEST_ASSERT_EQUAL(st.events, 0, "valid events");

	/* The host still reaches us at our real ID. */
	memset(&dg, 0, sizeof(dg));
	dg.dst.context = cid;
	dg.dst.resource = 3000;
	dg.src.context = VMCI_HOST_CID;
	dg.src.resource = 77;
	TEST_ASSERT_EQUAL(vmci_emu_host_send(HV, &dg, sizeof(dg)), (int)sizeof(dg), "host send");
	TEST_ASSERT(drv_poll_until(g.dev, &got.got), "datagram to our context dropped");
	TEST_ASSERT_EQUAL(got.dst_cid, cid, "destination");

	/* A new doorbell is linked with our real ID and rings. */
	db = vmci_doorbell_create(g.dev, db_cb, &rang);
	TEST_ASSERT(db != NULL, "doorbell: %s", rte_strerror(rte_errno));
	dst = vmci_doorbell_handle(db);
	TEST_ASSERT_EQUAL(dst.context, cid, "doorbell handle context");
	TEST_ASSERT_EQUAL(vmci_emu_host_doorbell_notify(HV, dst), VMCI_SUCCESS, "host notify");
	TEST_ASSERT(drv_poll_until(g.dev, &rang.fired), "doorbell did not fire");
	vmci_dgram_ep_destroy(ep);
	drv_guest_down(&g);
	return TEST_SUCCESS;
}

static int
test_cid_update_invalid_port(void)
{
	return check_cid_update_invalid(false);
}

static int
test_cid_update_invalid_mmio(void)
{
	return check_cid_update_invalid(true);
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

/*
 * Every message the core sends (bring-up, queue pair, doorbell, datagram)
 * has its pad words and the bytes past its payload zeroed: nothing of the
 * process's memory reaches the hypervisor (checklist: outbound hygiene).
 */
static void
noop_doorbell(struct vmci_doorbell *db, void *arg)
{
	RTE_SET_USED(db);
	RTE_SET_USED(arg);
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

static int
check_outbound_zeroed(bool mmio)
{
	struct vmci_emu_dev_conf ec = { .hv_name = HV, .mmio = mmio, .socket_id = SOCKET_ID_ANY };
	struct vmci_qpair_conf qc = {
		.produce_size = 4093, .consume_size = 4099,
		.peer = VMCI_HOST_CID, .socket_id = SOCKET_ID_ANY,
	};
	const uint32_t want = (1u << VMCI_SET_NOTIFY_BITMAP) | (1u << VMCI_RESOURCES_QUERY) |
		(1u << VMCI_GET_CONTEXT_ID) | (1u << VMCI_QUEUEPAIR_ALLOC) |
		(1u << VMCI_QUEUEPAIR_DETACH) | (1u << VMCI_DOORBELL_LINK) |
		(1u << VMCI_DOORBELL_UNLINK) | (1u << VMCI_DOORBELL_NOTIFY);
	static struct rec_hw rec;
	struct vmci_dgram_ep *ep;
	struct vmci_doorbell *db;
	struct vmci_device *dev;
	struct vmci_qpair *qp;
	struct vmci_hw *emu;
	uint8_t odd[13] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13 };

	emu = vmci_emu_dev_create(&ec);
	TEST_ASSERT(emu != NULL, "emulated device");
	rec_hw_init(&rec, emu);
	dev = vmci_device_create(&rec.hw, NULL);
	TEST_ASSERT(dev != NULL, "bring-up: %s", rte_strerror(rte_errno));
	qp = vmci_qpair_alloc(dev, &qc);
	TEST_ASSERT(qp != NULL, "queue pair: %s", rte_strerror(rte_errno));
	db = vmci_doorbell_create(dev, noop_doorbell, NULL);
	TEST_ASSERT(db != NULL, "doorbell: %s", rte_strerror(rte_errno));
	TEST_ASSERT(vmci_doorbell_notify(dev, vmci_doorbell_handle(db)) >= 0, "notify");
	ep = vmci_dgram_ep_create(dev, VMCI_INVALID_ID, noop_dgram, NULL);
	TEST_ASSERT(ep != NULL, "datagram endpoint");
	TEST_ASSERT(vmci_dgram_send(ep, vmci_dgram_ep_handle(ep), odd, sizeof(odd)) >= 0,
		    "odd-sized datagram");
	vmci_dgram_ep_destroy(ep);
	vmci_doorbell_destroy(db);
	vmci_qpair_detach(qp);
	vmci_device_destroy(dev);
	vmci_emu_dev_destroy(emu);
	printf("  %u datagrams checked, hypercalls seen 0x%x\n", rec.dg_checked, rec.hcall_seen);
	TEST_ASSERT_EQUAL(rec.dg_dirty, 0, "datagrams with non-zero pad or trailing bytes");
	TEST_ASSERT_EQUAL(rec.hcall_seen & want, want, "hypercalls covered");
	return TEST_SUCCESS;
}

static int
test_outbound_zeroed_port(void)
{
	return check_outbound_zeroed(false);
}

static int
test_outbound_zeroed_mmio(void)
{
	return check_outbound_zeroed(true);
}

static const struct vmci_test_case cases[] = {
	{ "bringup_port", test_bringup_port },
	{ "bringup_mmio", test_bringup_mmio },
	{ "bringup_no_notifications", test_bringup_no_notifications },
	{ "register_sequence_port", test_register_sequence_port },
	{ "register_sequence_mmio", test_register_sequence_mmio },
	{ "resets_port", test_resets_port },
	{ "resets_mmio", test_resets_mmio },
	{ "refuse_no_datagram", test_refuse_no_datagram },
	{ "refuse_mmio_without_dma", test_refuse_mmio_without_dma },
	{ "result_codes", test_result_codes },
	{ "events_port", test_events_port },
	{ "events_mmio", test_events_mmio },
	{ "cid_update_invalid_port", test_cid_update_invalid_port },
	{ "cid_update_invalid_mmio", test_cid_update_invalid_mmio },
	{ "doorbells_port", test_doorbells_port },
	{ "doorbells_mmio", test_doorbells_mmio },
	{ "outbound_zeroed_port", test_outbound_zeroed_port },
	{ "outbound_zeroed_mmio", test_outbound_zeroed_mmio },
	{ NULL, NULL },
};

static const struct vmci_test_suite suite = {
	.name = "driver_core_bringup",
	.cases = cases,
};

VMCI_TEST_MAIN(suite)
