/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

/*
 * Device core: handles of datagram endpoints, doorbells and queue pairs.
 * Lookups must key on the kind of object and the whole handle, never on a
 * bare resource ID (vsock-over-vmci.md 6.6 item 35), and resource IDs must
 * not give away pointers (item 37).
 */

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>

#include <rte_errno.h>

#include "drv_test.h"

#define HV "drv_handles"
#define QSIZE 4096u

struct counts {
	unsigned int dgrams;
	unsigned int doorbells;
	unsigned int attached;
	unsigned int detached;
};

static void
dg_cb(struct vmci_dgram_ep *ep, const struct vmci_dg_hdr *dg, const void *payload, void *arg)
{
	RTE_SET_USED(ep);
	RTE_SET_USED(dg);
	RTE_SET_USED(payload);
	((struct counts *)arg)->dgrams++;
}

static void
db_cb(struct vmci_doorbell *db, void *arg)
{
	RTE_SET_USED(db);
	((struct counts *)arg)->doorbells++;
}

static void
qp_cb(struct vmci_qpair *qp, enum vmci_qp_peer_state st, uint32_t peer, void *arg)
{
	struct counts *c = arg;

	RTE_SET_USED(qp);
	RTE_SET_USED(peer);
	if (st == VMCI_QP_PEER_ATTACHED)
		c->attached++;
	else if (st == VMCI_QP_PEER_DETACHED)
		c->detached++;
}

static void
poll_some(struct drv_guest *g)
{
	int i;

	for (i = 0; i < 20; i++)
		vmci_device_poll(g->dev);
}

static int
host_dgram_to(struct rte_vmci_handle dst)
{
	struct {
		struct vmci_dg_hdr hdr;
		uint8_t payload[16];
	} dg = {
		.hdr = { .dst = dst, .src = { VMCI_HOST_CID, 77 }, .payload_size = 16 },
	};

	return vmci_emu_host_send(HV, &dg.hdr, sizeof(dg));
}

static int
qp_event(uint32_t cid, uint32_t event, struct rte_vmci_handle h)
{
	struct vmci_event_payload_qp p = { .handle = h, .peer_id = VMCI_HOST_CID };

	return vmci_emu_send_event(HV, cid, event, &p, sizeof(p));
}

static bool
same(const struct counts *a, const struct counts *b)
{
	return a->dgrams == b->dgrams && a->doorbells == b->doorbells &&
		a->attached == b->attached && a->detached == b->detached;
}

/*
 * One object of each kind in one context: a doorbell (cid:D), a created
 * queue pair (cid:Q), a datagram endpoint (cid:E), and a pair the host
 * created and the guest attached to whose handle has the endpoint's
 * resource ID (2:E). A RID in use by one kind is refused to another; a
 * doorbell ring, a datagram and a queue-pair event naming the handle of
 * one kind never reach an object of another kind, nor one with the same
 * resource in another context.
 */
static int
test_type_handle_lookups(void)
{
	struct vmci_qpair_conf qc = {
		.produce_size = QSIZE, .consume_size = QSIZE,
		.peer = VMCI_HOST_CID, .socket_id = SOCKET_ID_ANY, .peer_cb = qp_cb,
	};
	struct counts db_n = { 0 }, ep_n = { 0 }, qp_n = { 0 }, att_n = { 0 }, none = { 0 };
	static uint8_t host_buf[VMCI_MAX_DG_SIZE];
	struct rte_vmci_handle hd, hq, he, hx;
	struct vmci_qpair *qp, *att;
	struct vmci_dgram_ep *ep;
	struct vmci_doorbell *db;
	struct drv_guest g;
	uint32_t cid;
	int ret;

	TEST_ASSERT(drv_guest_up(&g, HV, false, 0) == 0, "bring-up");
	cid = vmci_device_context_id(g.dev);
	db = vmci_doorbell_create(g.dev, db_cb, &db_n);
	TEST_ASSERT(db != NULL, "doorbell: %s", rte_strerror(rte_errno));
	qc.cb_arg = &qp_n;
	qp = vmci_qpair_alloc(g.dev, &qc);
	TEST_ASSERT(qp != NULL, "queue pair: %s", rte_strerror(rte_errno));
	ep = vmci_dgram_ep_create(g.dev, VMCI_INVALID_ID, dg_cb, &ep_n);
	TEST_ASSERT(ep != NULL, "endpoint: %s", rte_strerror(rte_errno));
	hd = vmci_doorbell_handle(db);
	hq = vmci_qpair_handle(qp);
	he = vmci_dgram_ep_handle(ep);
	TEST_ASSERT(hd.context == cid && hq.context == cid && he.context == cid, "contexts");
	TEST_ASSERT(hd.resource != hq.resource && hq.resource != he.resource &&
		    hd.resource != he.resource, "RIDs %u %u %u shared", hd.resource,
		    hq.resource, he.resource);

	/* The RID of one kind is refused to another (the core has one RID space). */
	TEST_ASSERT(vmci_dgram_ep_create(g.dev, hd.resource, dg_cb, &none) == NULL &&
		    rte_errno == EEXIST, "endpoint on the doorbell's RID");
	TEST_ASSERT(vmci_dgram_ep_create(g.dev, hq.resource, dg_cb, &none) == NULL &&
		    rte_errno == EEXIST, "endpoint on the queue pair's RID");
	TEST_ASSERT(vmci_dgram_ep_create(g.dev, he.resource, dg_cb, &none) == NULL &&
		    rte_errno == EEXIST, "second endpoint on the endpoint's RID");

	/* Same resource ID, other context: a host pair 2:E, attached by the guest. */
	hx = (struct rte_vmci_handle){ VMCI_HOST_CID, he.resource };
	ret = vmci_emu_host_qp_create(HV, hx, cid, QSIZE, QSIZE);
	TEST_ASSERT(ret >= 0, "host pair %u:%u: %s", hx.context, hx.resource,
		    vmci_result_str(ret));
	qc.flags = VMCI_QPFLAG_ATTACH_ONLY;
	qc.handle = hx;
	qc.cb_arg = &att_n;
	att = vmci_qpair_alloc(g.dev, &qc);
	TEST_ASSERT(att != NULL, "attach to %u:%u: %s", hx.context, hx.resource,
		    rte_strerror(rte_errno));
	poll_some(&g);

	/* Doorbell rings: only the doorbell's own handle rings anything. */
	TEST_ASSERT_EQUAL(vmci_emu_host_doorbell_notify(HV, hq), VMCI_ERROR_NOT_FOUND,
			  "ring the queue pair's handle");
	TEST_ASSERT_EQUAL(vmci_emu_host_doorbell_notify(HV, he), VMCI_ERROR_NOT_FOUND,
			  "ring the endpoint's handle");
	TEST_ASSERT_EQUAL(vmci_emu_host_doorbell_notify(HV, hx), VMCI_ERROR_NOT_FOUND,
			  "ring the attached pair's handle");
	poll_some(&g);
	TEST_ASSERT(same(&db_n, &none) && same(&ep_n, &none) && same(&qp_n, &none) &&
		    same(&att_n, &none), "a ring of another kind's handle reached something");
	TEST_ASSERT(vmci_emu_host_doorbell_notify(HV, hd) >= 0, "ring the doorbell");
	poll_some(&g);
	TEST_ASSERT_EQUAL(db_n.doorbells, 1, "doorbell fired");

	/* Datagrams: only the endpoint's handle is delivered. */
	TEST_ASSERT(host_dgram_to(hd) >= 0 && host_dgram_to(hq) >= 0, "datagrams sent");
	poll_some(&g);
	TEST_ASSERT_EQUAL(ep_n.dgrams, 0, "datagram to a doorbell or pair handle delivered");
	TEST_ASSERT_EQUAL(db_n.doorbells, 1, "a datagram rang the doorbell");
	TEST_ASSERT(same(&qp_n, &none) && same(&att_n, &none), "a datagram moved a pair");
	TEST_ASSERT(host_dgram_to(he) >= 0, "datagram to the endpoint");
	poll_some(&g);
	TEST_ASSERT_EQUAL(ep_n.dgrams, 1, "endpoint datagram");

	/* Queue-pair events naming a doorbell or an endpoint change nothing. */
	TEST_ASSERT(qp_event(cid, VMCI_EVENT_QP_PEER_ATTACH, hd) >= 0 &&
		    qp_event(cid, VMCI_EVENT_QP_PEER_DETACH, hd) >= 0 &&
		    qp_event(cid, VMCI_EVENT_QP_PEER_ATTACH, he) >= 0 &&
		    qp_event(cid, VMCI_EVENT_QP_PEER_DETACH, he) >= 0, "events sent");
	poll_some(&g);
	TEST_ASSERT(same(&qp_n, &none) && same(&att_n, &none),
		    "an event for cid:%u or cid:%u moved a pair", hd.resource, he.resource);
	TEST_ASSERT_EQUAL(vmci_qpair_peer_state(qp), VMCI_QP_PEER_WAITING, "created pair");
	TEST_ASSERT_EQUAL(vmci_qpair_peer_state(att), VMCI_QP_PEER_ATTACHED, "attached pair");
	TEST_ASSERT_EQUAL(ep_n.dgrams, 1, "an event reached the endpoint");
	TEST_ASSERT_EQUAL(db_n.doorbells, 1, "an event rang the doorbell");

	/* Each pair answers to its own whole handle only. */
	TEST_ASSERT(qp_event(cid, VMCI_EVENT_QP_PEER_DETACH, hx) >= 0, "detach 2:E");
	poll_some(&g);
	TEST_ASSERT_EQUAL(att_n.detached, 1, "attached pair detached");
	TEST_ASSERT(same(&qp_n, &none), "created pair moved by 2:E's event");
	TEST_ASSERT(qp_event(cid, VMCI_EVENT_QP_PEER_ATTACH, hq) >= 0, "attach cid:Q");
	poll_some(&g);
	TEST_ASSERT_EQUAL(qp_n.attached, 1, "created pair attached");
	TEST_ASSERT_EQUAL(att_n.attached, 0, "attached pair moved by cid:Q's event");
	TEST_ASSERT_EQUAL(ep_n.dgrams, 1, "endpoint datagrams at the end");
	TEST_ASSERT_EQUAL(db_n.doorbells, 1, "doorbell rings at the end");

	vmci_qpair_detach(att);
	vmci_emu_host_qp_detach(HV, hx);
	vmci_qpair_detach(qp);
	vmci_dgram_ep_destroy(ep);
	vmci_doorbell_destroy(db);
	drv_guest_down(&g);
	while (vmci_emu_host_recv(HV, host_buf, sizeof(host_buf)) > 0)
		;
	TEST_ASSERT_EQUAL(vmci_emu_hv_free(HV), 0, "hypervisor instance still holds objects");
	return TEST_SUCCESS;
}

#define NOBJ 64            /* of each kind per round */
#define NRID (3 * NOBJ)
#define NPTR (5 * NOBJ + 1)

struct round {
	struct vmci_qpair *qp[NOBJ];
	struct vmci_doorbell *db[NOBJ];
	struct vmci_dgram_ep *ep[NOBJ];
	uint32_t rid[NRID];       /* in creation order */
	uintptr_t ptr[NPTR];      /* every address the API handed out */
};

/* Create pair, doorbell, endpoint, NOBJ times, recording RIDs and addresses. */
static int
round_create(struct drv_guest *g, struct round *r)
{
	struct vmci_qpair_conf qc = {
		.produce_size = QSIZE, .consume_size = QSIZE,
		.peer = VMCI_HOST_CID, .socket_id = SOCKET_ID_ANY,
	};
	struct rte_vmci_qp_zc zc;
	unsigned int i, np = 0;
	ssize_t n;

	r->ptr[np++] = (uintptr_t)g->dev;
	for (i = 0; i < NOBJ; i++) {
		r->qp[i] = vmci_qpair_alloc(g->dev, &qc);
		r->db[i] = vmci_doorbell_create(g->dev, db_cb, NULL);
		r->ep[i] = vmci_dgram_ep_create(g->dev, VMCI_INVALID_ID, dg_cb, NULL);
		TEST_ASSERT(r->qp[i] != NULL && r->db[i] != NULL && r->ep[i] != NULL,
			    "objects %u: %s", i, rte_strerror(rte_errno));
		r->rid[3 * i] = vmci_qpair_handle(r->qp[i]).resource;
		r->rid[3 * i + 1] = vmci_doorbell_handle(r->db[i]).resource;
		r->rid[3 * i + 2] = vmci_dgram_ep_handle(r->ep[i]).resource;
		/* The ring itself: a fresh queue maps from its first byte. */
		n = rte_vmci_qp_enqueue_zc_burst_start(vmci_qpair_endpoint(r->qp[i]), 1, &zc);
		TEST_ASSERT(n == 1, "zero-copy map of pair %u: %zd", i, n);
		rte_vmci_qp_enqueue_zc_finish(vmci_qpair_endpoint(r->qp[i]), 0);
		r->ptr[np++] = (uintptr_t)r->qp[i];
		r->ptr[np++] = (uintptr_t)vmci_qpair_endpoint(r->qp[i]);
		r->ptr[np++] = (uintptr_t)zc.ptr1;
		r->ptr[np++] = (uintptr_t)r->db[i];
		r->ptr[np++] = (uintptr_t)r->ep[i];
	}
	return TEST_SUCCESS;
}

static void
round_destroy(struct round *r)
{
	unsigned int i;

	for (i = 0; i < NOBJ; i++) {
		vmci_qpair_detach(r->qp[i]);
		vmci_doorbell_destroy(r->db[i]);
		vmci_dgram_ep_destroy(r->ep[i]);
	}
}

/* No RID equals a 32-bit half, or the page number, of any address. */
static int
rids_not_addresses(const uint32_t *rid, unsigned int nrid, const uintptr_t *ptr,
		   unsigned int nptr)
{
	unsigned int i, j;

	for (i = 0; i < nrid; i++) {
		for (j = 0; j < nptr; j++) {
			uint64_t p = ptr[j];

			TEST_ASSERT(rid[i] != (uint32_t)p && rid[i] != (uint32_t)(p >> 32) &&
				    rid[i] != (uint32_t)(p >> 12),
				    "RID %u (0x%x) is part of address 0x%" PRIx64, rid[i], rid[i], p);
		}
	}
	return TEST_SUCCESS;
}

/*
 * Checklist item 37: 192 objects of the three kinds, then all freed and
 * made again. Every RID lies in the allocator's range (>= 1024, not
 * 0xFFFFFFFF), is unique, equals no 32-bit half and no page number of any
 * address the API returned (objects, endpoints, queue memory), and the
 * RIDs follow creation order one by one, also in the second round where
 * freed memory is reused: they come from a counter, not from where the
 * objects live.
 */
static int
test_rids_not_pointers(void)
{
	static struct round r[2];
	unsigned int k, i, j, reused = 0;
	struct drv_guest g;

	TEST_ASSERT(drv_guest_up(&g, HV, false, 0) == 0, "bring-up");
	for (k = 0; k < 2; k++) {
		TEST_ASSERT(round_create(&g, &r[k]) == TEST_SUCCESS, "round %u", k);
		for (i = 0; i < NRID; i++)
			TEST_ASSERT(r[k].rid[i] >= VMCI_RESERVED_RID_LIMIT &&
				    r[k].rid[i] != VMCI_INVALID_ID,
				    "RID %u outside %u..0x%x", r[k].rid[i],
				    VMCI_RESERVED_RID_LIMIT, VMCI_INVALID_ID - 1);
		TEST_ASSERT(rids_not_addresses(r[k].rid, NRID, r[k].ptr, NPTR) == TEST_SUCCESS,
			    "round %u", k);
		for (i = 1; i < NRID; i++)
			TEST_ASSERT(r[k].rid[i] == r[k].rid[i - 1] + 1,
				    "round %u: RID %u after %u, expected the next counter value",
				    k, r[k].rid[i], r[k].rid[i - 1]);
		if (k == 0)
			round_destroy(&r[0]);
	}
	/* Freed addresses came back, with new RIDs: nothing ties one to the other. */
	for (i = 0; i < NPTR; i++)
		for (j = 0; j < NPTR; j++)
			reused += r[0].ptr[i] == r[1].ptr[j];
	printf("  RIDs %u..%u then %u..%u; %u of %u addresses reused in round 2\n",
	       r[0].rid[0], r[0].rid[NRID - 1], r[1].rid[0], r[1].rid[NRID - 1], reused, NPTR);
	TEST_ASSERT(r[1].rid[0] > r[0].rid[NRID - 1], "round 2 reused round 1's RIDs");
	TEST_ASSERT(rids_not_addresses(r[1].rid, NRID, r[0].ptr, NPTR) == TEST_SUCCESS,
		    "round 2 RIDs against round 1 addresses");
	round_destroy(&r[1]);
	drv_guest_down(&g);
	TEST_ASSERT_EQUAL(vmci_emu_hv_free(HV), 0, "hypervisor instance still holds objects");
	return TEST_SUCCESS;
}

static const struct vmci_test_case cases[] = {
	{ "type_handle_lookups", test_type_handle_lookups },
	{ "rids_not_pointers", test_rids_not_pointers },
	{ NULL, NULL },
};

static const struct vmci_test_suite suite = {
	.name = "driver_core_handles",
	.cases = cases,
};

VMCI_TEST_MAIN(suite)
