/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

/*
 * The public rte_vmci_ API through the vmci bus: two emulated guests named
 * on the command line (vmci_emu0 in port-I/O mode, vmci_emu1 in DMA mode)
 * and the emulated host (CID 2) as queue-pair peer, through the emulator's
 * test interface and as a device on the bus (vmci_host0).
 */

#include <errno.h>
#include <string.h>

#include <rte_common.h>
#include <rte_errno.h>
#include <rte_dev.h>
#include <rte_memory.h>
#include <rte_memzone.h>
#include <rte_service.h>

#include "vmci_emu_test.h"
#include "rte_bus_vmci.h"
#include "vmci_defs.h"
#include "vmci_test.h"

#define CID0 20
#define CID1 21
#define POLL_TRIES 1000

static struct rte_vmci_device *dev0, *dev1;

static int
test_devices(void)
{
	struct rte_vmci_dev_info info;

	TEST_ASSERT_EQUAL(rte_vmci_dev_count(), 2, "devices from -a vmci:...");
	TEST_ASSERT(rte_vmci_dev_get(2) == NULL, "index beyond the count");
	TEST_ASSERT(rte_vmci_dev_find("nosuch") == NULL, "unknown name");
	TEST_ASSERT(rte_vmci_dev_get(0) == dev0, "bus order");
	TEST_ASSERT_EQUAL(rte_vmci_dev_info_get(dev0, &info), 0, "info");
	TEST_ASSERT(strcmp(info.name, "vmci_emu0") == 0, "name %s", info.name);
	TEST_ASSERT(strcmp(info.backend, "emu") == 0, "backend %s", info.backend);
	TEST_ASSERT_EQUAL(info.context_id, CID0, "context ID from devargs");
	TEST_ASSERT(info.caps & VMCI_CAPS_DATAGRAM, "caps 0x%x", info.caps);
	TEST_ASSERT(!(info.caps & VMCI_CAPS_DMA_DATAGRAM), "port mode caps 0x%x", info.caps);
	TEST_ASSERT_EQUAL(rte_vmci_dev_info_get(dev1, &info), 0, "info");
	TEST_ASSERT_EQUAL(info.context_id, CID1, "context ID from devargs");
	TEST_ASSERT(info.caps & VMCI_CAPS_DMA_DATAGRAM, "dma mode caps 0x%x", info.caps);
	TEST_ASSERT_EQUAL(rte_vmci_dev_info_get(NULL, &info), -EINVAL, "NULL device");
	return TEST_SUCCESS;
}

/* The RESOURCES_QUERY round trip, in both modes; a refusal is the caller's error. */
static int
test_resources_query(void)
{
	const uint32_t rids[] = { VMCI_RESOURCES_QUERY, VMCI_GET_CONTEXT_ID, VMCI_RESOURCE_MAX };
	uint32_t rid_many[RTE_VMCI_RESOURCES_QUERY_MAX + 1] = { 0 };
	struct rte_vmci_device *devs[] = { dev0, dev1 };
	uint32_t mask;
	unsigned int i;

	for (i = 0; i < RTE_DIM(devs); i++) {
		mask = UINT32_MAX;
		TEST_ASSERT_EQUAL(rte_vmci_dev_resources_query(devs[i], rids, RTE_DIM(rids),
							       &mask), 0, "query");
		/* The last ID is beyond every hypercall: its bit stays clear. */
		TEST_ASSERT_EQUAL(mask, 0x3, "supported mask");
	}
	TEST_ASSERT_EQUAL(rte_vmci_dev_resources_query(NULL, rids, 1, &mask), -EINVAL, "NULL dev");
	TEST_ASSERT_EQUAL(rte_vmci_dev_resources_query(dev0, NULL, 1, &mask), -EINVAL, "NULL ids");
	TEST_ASSERT_EQUAL(rte_vmci_dev_resources_query(dev0, rids, 1, NULL), -EINVAL, "NULL out");
	TEST_ASSERT_EQUAL(rte_vmci_dev_resources_query(dev0, rids, 0, &mask), -EINVAL, "no IDs");
	TEST_ASSERT_EQUAL(rte_vmci_dev_resources_query(dev0, rid_many, RTE_DIM(rid_many), &mask),
			  -EINVAL, "more IDs than a query holds");
	TEST_ASSERT_EQUAL(vmci_emu_fault_fail_hypercall(NULL, CID0, VMCI_RESOURCES_QUERY,
							VMCI_ERROR_NO_ACCESS, 1), 0, "fault");
	TEST_ASSERT_EQUAL(rte_vmci_dev_resources_query(dev0, rids, 1, &mask), -EACCES,
			  "refused query");
	return TEST_SUCCESS;
}

struct dg_seen {
	unsigned int count;
	struct rte_vmci_handle src;
	uint32_t len;
	uint8_t data[256];
};

static void
dg_recv(struct rte_vmci_dgram *ep, struct rte_vmci_handle src, const void *payload,
	uint32_t len, void *arg)
{
	struct dg_seen *seen = arg;

	RTE_SET_USED(ep);
	seen->count++;
	seen->src = src;
	seen->len = len;
	memcpy(seen->data, payload, RTE_MIN(len, sizeof(seen->data)));
}

/* Poll @dev until *counter reaches @want (bounded). */
static int
poll_until(struct rte_vmci_device *dev, const unsigned int *counter, unsigned int want)
{
	int i;

	for (i = 0; i < POLL_TRIES && *counter < want; i++)
		if (rte_vmci_poll(dev) < 0)
			return TEST_FAILED;
	return *counter >= want ? TEST_SUCCESS : TEST_FAILED;
}

static int
test_datagrams(void)
{
	struct dg_seen seen0 = { 0 }, seen1 = { 0 };
	struct rte_vmci_dgram *ep0, *ep1;
	struct rte_vmci_handle dst = { CID1, 2000 }, nowhere = { 99, 2000 };
	uint8_t msg[100];
	int ret = TEST_FAILED;
	unsigned int i;

	for (i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)(i * 3 + 1);
	ep0 = rte_vmci_dgram_create(dev0, RTE_VMCI_INVALID_ID, dg_recv, &seen0);
	ep1 = rte_vmci_dgram_create(dev1, 2000, dg_recv, &seen1);
	TEST_ASSERT(ep0 != NULL && ep1 != NULL, "create: %s", rte_strerror(rte_errno));
	TEST_ASSERT(rte_vmci_dgram_create(dev1, 2000, dg_recv, &seen1) == NULL &&
		    rte_errno == EEXIST, "second endpoint on RID 2000");
	if (rte_vmci_dgram_handle(ep0).resource < 1024 ||
	    rte_vmci_dgram_handle(ep0).context != CID0)
		goto out;
	if (rte_vmci_dgram_send(ep0, dst, msg, sizeof(msg)) < 0 ||
	    poll_until(dev1, &seen1.count, 1) != TEST_SUCCESS)
		goto out;
	if (seen1.len != sizeof(msg) || memcmp(seen1.data, msg, sizeof(msg)) != 0 ||
	    seen1.src.context != CID0 ||
	    seen1.src.resource != rte_vmci_dgram_handle(ep0).resource)
		goto out;
	/* And back, DMA-mode sender to port-mode receiver. */
	if (rte_vmci_dgram_send(ep1, rte_vmci_dgram_handle(ep0), msg, 10) < 0 ||
	    poll_until(dev0, &seen0.count, 1) != TEST_SUCCESS || seen0.len != 10)
		goto out;
	if (rte_vmci_dgram_send(ep0, nowhere, msg, 1) >= 0 ||
	    rte_vmci_dgram_send(ep0, dst, msg, RTE_VMCI_MAX_DG_PAYLOAD + 1) != -EMSGSIZE)
		goto out;
	ret = TEST_SUCCESS;
out:
	rte_vmci_dgram_destroy(ep0);
	rte_vmci_dgram_destroy(ep1);
	return ret;
}

static void
db_fired(struct rte_vmci_doorbell *db, void *arg)
{
	RTE_SET_USED(db);
	(*(unsigned int *)arg)++;
}

static int
test_doorbells(void)
{
	unsigned int fired = 0;
	struct rte_vmci_doorbell *db;
	int i, ret = TEST_FAILED;

	db = rte_vmci_doorbell_create(dev1, db_fired, &fired);
	TEST_ASSERT(db != NULL, "create: %s", rte_strerror(rte_errno));
	if (rte_vmci_doorbell_handle(db).context != CID1 ||
	    rte_vmci_doorbell_notify(dev0, rte_vmci_doorbell_handle(db)) < 0 ||
	    poll_until(dev1, &fired, 1) != TEST_SUCCESS)
		goto out;
	for (i = 0; i < 10; i++)
		rte_vmci_poll(dev1);
	if (fired != 1) {
		printf("  doorbell fired %u times for one ring\n", fired);
		goto out;
	}
	ret = TEST_SUCCESS;
out:
	rte_vmci_doorbell_destroy(db);
	return ret;
}

struct peer_seen {
	unsigned int count;
	enum rte_vmci_qpair_peer_state state;
	uint32_t peer;
};

static void
peer_changed(struct rte_vmci_qpair *qpair, enum rte_vmci_qpair_peer_state state,
	     uint32_t peer_cid, void *arg)
{
	struct peer_seen *seen = arg;

	RTE_SET_USED(qpair);
	seen->count++;
	seen->state = state;
	seen->peer = peer_cid;
}

/* Move @len patterned bytes from @tx to @rx and compare. */
static int
stream_check(struct rte_vmci_qp *tx, struct rte_vmci_qp *rx, size_t len, uint8_t seed)
{
	static uint8_t out[20000], in[20000];
	size_t i;

	for (i = 0; i < len; i++)
		out[i] = (uint8_t)(seed + i * 7);
	TEST_ASSERT_EQUAL(rte_vmci_qp_enqueue_bulk(tx, out, len), len, "enqueue");
	TEST_ASSERT_EQUAL(rte_vmci_qp_dequeue_bulk(rx, in, len), len, "dequeue");
	TEST_ASSERT(memcmp(in, out, len) == 0, "data differs");
	return TEST_SUCCESS;
}

static int
test_qpair_with_host(void)
{
	struct peer_seen seen = { 0 };
	struct rte_vmci_qpair_conf conf = {
		.produce_size = 65536,
		.consume_size = 32768 + 5,
		.peer = RTE_VMCI_HOST_CID,
		.socket_id = SOCKET_ID_ANY,
		.peer_cb = peer_changed,
		.cb_arg = &seen,
	};
	struct rte_vmci_qpair *qpair;
	struct rte_vmci_qp *host = NULL;
	struct rte_vmci_handle h;
	int ret = TEST_FAILED;

	qpair = rte_vmci_qpair_create(dev0, &conf);
	TEST_ASSERT(qpair != NULL, "create: %s", rte_strerror(rte_errno));
	h = rte_vmci_qpair_handle(qpair);
	if (h.context != CID0 || h.resource < 1024 ||
	    rte_vmci_qpair_peer_state(qpair) != RTE_VMCI_QPAIR_PEER_WAITING)
		goto out;
	if (vmci_emu_host_qp_attach(VMCI_EMU_DEFAULT_HV, h, conf.consume_size,
				    conf.produce_size, &host) < 0 || host == NULL)
		goto out;
	if (poll_until(dev0, &seen.count, 1) != TEST_SUCCESS ||
	    seen.state != RTE_VMCI_QPAIR_PEER_ATTACHED || seen.peer != RTE_VMCI_HOST_CID)
		goto out;
	if (stream_check(rte_vmci_qpair_endpoint(qpair), host, 20000, 1) != TEST_SUCCESS ||
	    stream_check(host, rte_vmci_qpair_endpoint(qpair), 20000, 2) != TEST_SUCCESS)
		goto out;
	if (vmci_emu_host_qp_detach(VMCI_EMU_DEFAULT_HV, h) < 0)
		goto out;
	host = NULL;
	if (poll_until(dev0, &seen.count, 2) != TEST_SUCCESS ||
	    rte_vmci_qpair_peer_state(qpair) != RTE_VMCI_QPAIR_PEER_DETACHED)
		goto out;
	ret = TEST_SUCCESS;
out:
	if (host != NULL)
		vmci_emu_host_qp_detach(VMCI_EMU_DEFAULT_HV, h);
	if (rte_vmci_qpair_detach(qpair) < 0)
		ret = TEST_FAILED;
	return ret;
}

/*
 * The host context as a device on the bus (vmci_host0): it takes the
 * guest's offer datagram, attaches to the guest's pair with the public
 * API, moves data both ways, and sees the guest leave. Only one host
 * device per hypervisor.
 */
static int
host_device_session(struct rte_vmci_device *host)
{
	struct peer_seen gseen = { 0 }, hseen = { 0 };
	struct rte_vmci_qpair_conf conf = {
		.produce_size = 65536,
		.consume_size = 32768 + 5,
		.peer = RTE_VMCI_HOST_CID,
		.socket_id = SOCKET_ID_ANY,
		.peer_cb = peer_changed,
		.cb_arg = &gseen,
	};
	struct rte_vmci_handle offer_dst = { RTE_VMCI_HOST_CID, 4000 }, h;
	struct rte_vmci_qpair *gq = NULL, *hq = NULL;
	struct rte_vmci_dgram *gep = NULL, *hep = NULL;
	struct dg_seen offer = { 0 }, reply = { 0 };
	int ret = TEST_FAILED;

	TEST_ASSERT_EQUAL(rte_vmci_context_id(host), RTE_VMCI_HOST_CID, "host context ID");
	hep = rte_vmci_dgram_create(host, 4000, dg_recv, &offer);
	gep = rte_vmci_dgram_create(dev0, RTE_VMCI_INVALID_ID, dg_recv, &reply);
	gq = rte_vmci_qpair_create(dev0, &conf);
	if (hep == NULL || gep == NULL || gq == NULL)
		goto out;
	h = rte_vmci_qpair_handle(gq);
	if (rte_vmci_dgram_send(gep, offer_dst, &h, sizeof(h)) < 0 ||
	    poll_until(host, &offer.count, 1) != TEST_SUCCESS || offer.len != sizeof(h) ||
	    offer.src.context != CID0)
		goto out;
	memcpy(&h, offer.data, sizeof(h));
	conf.peer = CID0;
	conf.produce_size = 32768 + 5;
	conf.consume_size = 65536;
	conf.flags = RTE_VMCI_QPAIR_F_ATTACH_ONLY;
	conf.handle = h;
	conf.cb_arg = &hseen;
	hq = rte_vmci_qpair_create(host, &conf);
	if (hq == NULL || poll_until(dev0, &gseen.count, 1) != TEST_SUCCESS ||
	    gseen.state != RTE_VMCI_QPAIR_PEER_ATTACHED || gseen.peer != RTE_VMCI_HOST_CID)
		goto out;
	if (stream_check(rte_vmci_qpair_endpoint(gq), rte_vmci_qpair_endpoint(hq), 20000, 3) !=
	    TEST_SUCCESS ||
	    stream_check(rte_vmci_qpair_endpoint(hq), rte_vmci_qpair_endpoint(gq), 20000, 4) !=
	    TEST_SUCCESS)
		goto out;
	if (rte_vmci_dgram_send(hep, offer.src, "ok", 2) < 0 ||
	    poll_until(dev0, &reply.count, 1) != TEST_SUCCESS ||
	    reply.src.context != RTE_VMCI_HOST_CID || reply.src.resource != 4000)
		goto out;
	/*
	 * The guest leaves: the pages stay pinned for the host end, which
	 * goes on until it hears of it as any guest would.
	 */
	rte_vmci_qpair_detach(gq);
	gq = NULL;
	if (rte_vmci_qp_enqueue_burst(rte_vmci_qpair_endpoint(hq), "late", 4) < 0 ||
	    rte_vmci_qp_dequeue_burst(rte_vmci_qpair_endpoint(hq), offer.data, 4) < 0)
		goto out;
	if (poll_until(host, &hseen.count, 1) != TEST_SUCCESS ||
	    rte_vmci_qpair_peer_state(hq) != RTE_VMCI_QPAIR_PEER_DETACHED ||
	    hseen.peer != CID0)
		goto out;
	ret = TEST_SUCCESS;
out:
	if (ret != TEST_SUCCESS)
		printf("  host device session failed: %s\n", rte_strerror(rte_errno));
	rte_vmci_qpair_detach(hq);
	rte_vmci_qpair_detach(gq);
	rte_vmci_dgram_destroy(hep);
	rte_vmci_dgram_destroy(gep);
	return ret;
}

/*
 * A host connecting out creates the pair without pages: the guest attaches
 * with its own, and the host's endpoint appears when it does, from the
 * attach event or, when that datagram is lost, from the pages being there.
 */
static int
host_created_pair(struct rte_vmci_device *host, bool lose_event)
{
	struct peer_seen hseen = { 0 }, gseen = { 0 };
	struct rte_vmci_qpair_conf conf = {
		.produce_size = 8192,
		.consume_size = 4096 + 7,
		.peer = CID0,
		.socket_id = SOCKET_ID_ANY,
		.peer_cb = peer_changed,
		.cb_arg = &hseen,
	};
	struct rte_vmci_qpair *hq, *gq = NULL;
	struct rte_vmci_handle h;
	int ret = TEST_FAILED;

	hq = rte_vmci_qpair_create(host, &conf);
	TEST_ASSERT(hq != NULL, "host create: %s", rte_strerror(rte_errno));
	h = rte_vmci_qpair_handle(hq);
	if (h.context != RTE_VMCI_HOST_CID || h.resource < 1024 ||
	    rte_vmci_qpair_endpoint(hq) != NULL ||
	    rte_vmci_qpair_peer_state(hq) != RTE_VMCI_QPAIR_PEER_WAITING) {
		printf("  host pair %u:%u: expected 2:>=1024, no endpoint yet, waiting\n",
		       h.context, h.resource);
		goto out;
	}
	rte_vmci_poll(host);
	if (hseen.count != 0 || rte_vmci_qpair_endpoint(hq) != NULL)
		goto out;
	if (lose_event &&
	    vmci_emu_fault_drop_dg(VMCI_EMU_DEFAULT_HV, RTE_VMCI_HOST_CID, 1) != 0)
		goto out;
	conf = (struct rte_vmci_qpair_conf) {
		.produce_size = 4096 + 7,
		.consume_size = 8192,
		.peer = RTE_VMCI_HOST_CID,
		.flags = RTE_VMCI_QPAIR_F_ATTACH_ONLY,
		.handle = h,
		.socket_id = SOCKET_ID_ANY,
		.peer_cb = peer_changed,
		.cb_arg = &gseen,
	};
	gq = rte_vmci_qpair_create(dev0, &conf);
	if (gq == NULL || poll_until(host, &hseen.count, 1) != TEST_SUCCESS ||
	    hseen.state != RTE_VMCI_QPAIR_PEER_ATTACHED || rte_vmci_qpair_endpoint(hq) == NULL) {
		printf("  guest attach seen by the host: %u calls, state %d\n", hseen.count,
		       hseen.state);
		goto out;
	}
	if (stream_check(rte_vmci_qpair_endpoint(gq), rte_vmci_qpair_endpoint(hq), 4096 + 6, 5) !=
	    TEST_SUCCESS ||
	    stream_check(rte_vmci_qpair_endpoint(hq), rte_vmci_qpair_endpoint(gq), 8191, 6) !=
	    TEST_SUCCESS)
		goto out;
	rte_vmci_qpair_detach(gq);
	gq = NULL;
	if (poll_until(host, &hseen.count, 2) != TEST_SUCCESS ||
	    hseen.state != RTE_VMCI_QPAIR_PEER_DETACHED)
		goto out;
	ret = TEST_SUCCESS;
out:
	rte_vmci_qpair_detach(gq);
	rte_vmci_qpair_detach(hq);
	return ret;
}

static int
test_host_device(void)
{
	struct rte_vmci_dev_info info;
	struct rte_vmci_device *host;
	int ret;

	TEST_ASSERT_EQUAL(rte_eal_hotplug_add("vmci", "vmci_host0", ""), 0, "host device");
	host = rte_vmci_dev_find("vmci_host0");
	TEST_ASSERT(host != NULL, "vmci_host0 not on the bus");
	TEST_ASSERT_EQUAL(rte_vmci_dev_info_get(host, &info), 0, "info");
	TEST_ASSERT(strcmp(info.backend, "emu-host") == 0, "backend %s", info.backend);
	TEST_ASSERT(vmci_emu_host_dev_create(VMCI_EMU_DEFAULT_HV, SOCKET_ID_ANY) == NULL &&
		    rte_errno == EBUSY, "a second host device on one hypervisor");
	TEST_ASSERT(rte_eal_hotplug_add("vmci", "vmci_host1", "cid=30") < 0,
		    "a host device with a context ID");
	ret = host_device_session(host);
	if (ret == TEST_SUCCESS)
		ret = host_created_pair(host, false);
	if (ret == TEST_SUCCESS)
		ret = host_created_pair(host, true);
	TEST_ASSERT_EQUAL(rte_eal_hotplug_remove("vmci", "vmci_host0"), 0, "remove");
	return ret;
}

static void
event_seen(struct rte_vmci_device *dev, uint32_t event, const void *payload, uint32_t len,
	   void *arg)
{
	uint32_t *cid = arg;

	RTE_SET_USED(dev);
	if (event == RTE_VMCI_EVENT_CTX_ID_UPDATE && len >= sizeof(*cid))
		memcpy(cid, payload, sizeof(*cid));
}

/* After a context-ID change: reachable at the new ID, sending from it. */
static int
routed_to_new_cid(uint32_t cid)
{
	struct dg_seen seen0 = { 0 }, seen1 = { 0 };
	struct rte_vmci_dgram *ep0, *ep1;
	struct rte_vmci_handle old = { CID1, 2100 };
	int ret = TEST_FAILED;

	ep0 = rte_vmci_dgram_create(dev0, RTE_VMCI_INVALID_ID, dg_recv, &seen0);
	ep1 = rte_vmci_dgram_create(dev1, 2100, dg_recv, &seen1);
	if (ep0 == NULL || ep1 == NULL || rte_vmci_dgram_handle(ep1).context != cid)
		goto out;
	if (rte_vmci_dgram_send(ep0, rte_vmci_dgram_handle(ep1), "new", 3) < 0 ||
	    poll_until(dev1, &seen1.count, 1) != TEST_SUCCESS ||
	    rte_vmci_dgram_send(ep1, rte_vmci_dgram_handle(ep0), "back", 4) < 0 ||
	    poll_until(dev0, &seen0.count, 1) != TEST_SUCCESS || seen0.src.context != cid)
		goto out;
	/* The old ID is nobody's now. */
	if (rte_vmci_dgram_send(ep0, old, "old", 3) >= 0)
		goto out;
	ret = TEST_SUCCESS;
out:
	rte_vmci_dgram_destroy(ep0);
	rte_vmci_dgram_destroy(ep1);
	return ret;
}

static int
test_events(void)
{
	uint32_t new_cid = 0;
	int sub;

	sub = rte_vmci_event_subscribe(dev1, RTE_VMCI_EVENT_CTX_ID_UPDATE, event_seen, &new_cid);
	TEST_ASSERT(sub >= 0, "subscribe: %d", sub);
	TEST_ASSERT(rte_vmci_event_subscribe(dev1, VMCI_EVENT_MEM_ACCESS_ON, event_seen,
					     &new_cid) < 0, "a VMX-only event is refused");
	TEST_ASSERT(vmci_emu_set_context_id(VMCI_EMU_DEFAULT_HV, CID1, 31) >= 0, "change");
	rte_vmci_poll(dev1);
	TEST_ASSERT_EQUAL(new_cid, 31, "CTX_ID_UPDATE payload");
	TEST_ASSERT_EQUAL(rte_vmci_context_id(dev1), 31, "cached context ID");
	TEST_ASSERT_EQUAL(routed_to_new_cid(31), TEST_SUCCESS, "datagrams under the new ID");
	TEST_ASSERT(vmci_emu_set_context_id(VMCI_EMU_DEFAULT_HV, 31, CID1) >= 0, "restore");
	rte_vmci_poll(dev1);
	TEST_ASSERT_EQUAL(rte_vmci_context_id(dev1), CID1, "restored");
	TEST_ASSERT_EQUAL(rte_vmci_event_unsubscribe(dev1, sub), 0, "unsubscribe");
	TEST_ASSERT_EQUAL(rte_vmci_event_unsubscribe(dev1, sub), -ENOENT, "twice");
	return TEST_SUCCESS;
}

static void
count_event(struct rte_vmci_device *dev, uint32_t event, const void *payload, uint32_t len,
	    void *arg)
{
	RTE_SET_USED(dev);
	RTE_SET_USED(payload);
	RTE_SET_USED(len);
	if (event == RTE_VMCI_EVENT_QP_RESUMED)
		(*(unsigned int *)arg)++;
}

/*
 * QP_RESUMED reaches its subscribers; MEM_ACCESS_OFF/ON (VMX-only) reach
 * nobody; a datagram sent after all of them still arrives.
 */
static int
test_event_dispatch(void)
{
	struct dg_seen seen = { 0 };
	struct rte_vmci_dgram *ep0, *ep1;
	unsigned int resumed = 0;
	int i, sub, ret = TEST_FAILED;

	sub = rte_vmci_event_subscribe(dev1, RTE_VMCI_EVENT_QP_RESUMED, count_event, &resumed);
	TEST_ASSERT(sub >= 0, "subscribe: %d", sub);
	ep0 = rte_vmci_dgram_create(dev0, RTE_VMCI_INVALID_ID, dg_recv, &seen);
	ep1 = rte_vmci_dgram_create(dev1, 3300, dg_recv, &seen);
	if (ep0 == NULL || ep1 == NULL ||
	    vmci_emu_fault_mem_access(VMCI_EMU_DEFAULT_HV, CID1, false) < 0 ||
	    vmci_emu_fault_qp_resumed(VMCI_EMU_DEFAULT_HV, CID1) < 0 ||
	    vmci_emu_fault_mem_access(VMCI_EMU_DEFAULT_HV, CID1, true) < 0 ||
	    rte_vmci_dgram_send(ep0, rte_vmci_dgram_handle(ep1), "after", 5) < 0)
		goto out;
	for (i = 0; i < POLL_TRIES && seen.count == 0; i++)
		rte_vmci_poll(dev1);
	if (resumed != 1 || seen.count != 1 || seen.len != 5) {
		printf("  QP_RESUMED seen %u times, datagrams %u\n", resumed, seen.count);
		goto out;
	}
	ret = TEST_SUCCESS;
out:
	rte_vmci_dgram_destroy(ep0);
	rte_vmci_dgram_destroy(ep1);
	if (rte_vmci_event_unsubscribe(dev1, sub) != 0)
		ret = TEST_FAILED;
	return ret;
}

/* A service lcore would run the same callback; run it here by hand. */
static int
test_service(void)
{
	struct dg_seen seen = { 0 };
	struct rte_vmci_dgram *ep0, *ep1;
	uint32_t id, again;
	int i, ret = TEST_FAILED;

	TEST_ASSERT_EQUAL(rte_vmci_service_register(dev0, &id), 0, "register");
	TEST_ASSERT_EQUAL(rte_vmci_service_register(dev0, &again), 0, "register again");
	TEST_ASSERT_EQUAL(again, id, "same service");
	TEST_ASSERT_EQUAL(rte_service_runstate_set(id, 1), 0, "start");
	ep0 = rte_vmci_dgram_create(dev0, 3000, dg_recv, &seen);
	ep1 = rte_vmci_dgram_create(dev1, RTE_VMCI_INVALID_ID, dg_recv, &seen);
	if (ep0 == NULL || ep1 == NULL ||
	    rte_vmci_dgram_send(ep1, rte_vmci_dgram_handle(ep0), "ping", 4) < 0)
		goto out;
	for (i = 0; i < POLL_TRIES && seen.count == 0; i++)
		rte_service_run_iter_on_app_lcore(id, 1);
	if (seen.count == 1 && seen.len == 4 && memcmp(seen.data, "ping", 4) == 0)
		ret = TEST_SUCCESS;
out:
	rte_service_runstate_set(id, 0);
	rte_vmci_dgram_destroy(ep0);
	rte_vmci_dgram_destroy(ep1);
	return ret;
}

static void
count_zone(const struct rte_memzone *mz, void *arg)
{
	if (strstr(mz->name, "vmci_emu1") != NULL)
		(*(unsigned int *)arg)++;
}

static unsigned int
emu1_zones(void)
{
	unsigned int n = 0;

	rte_memzone_walk(count_zone, &n);
	return n;
}

/*
 * Hot removal leaves nothing of the device behind (memzones, endpoints,
 * pairs, the bus entry); bad devargs make hotplug fail; good ones bring
 * the device back under its new configuration.
 */
static int
test_hotplug(void)
{
	struct rte_vmci_qpair_conf conf = {
		.produce_size = 8192,
		.consume_size = 8192,
		.peer = RTE_VMCI_HOST_CID,
		.socket_id = SOCKET_ID_ANY,
	};
	struct dg_seen seen = { 0 };
	struct rte_vmci_dgram *ep0, *ep1;
	struct rte_vmci_dev_info info;
	int i, ret;

	/* Left for the removal to clean up: a waiting pair and an endpoint. */
	TEST_ASSERT(rte_vmci_qpair_create(dev1, &conf) != NULL, "pair on vmci_emu1");
	TEST_ASSERT(rte_vmci_dgram_create(dev1, 3100, dg_recv, &seen) != NULL, "endpoint");
	TEST_ASSERT(emu1_zones() > 0, "vmci_emu1 owns memzones");
	TEST_ASSERT_EQUAL(rte_eal_hotplug_remove("vmci", "vmci_emu1"), 0, "remove");
	dev1 = NULL;
	TEST_ASSERT(rte_vmci_dev_find("vmci_emu1") == NULL, "gone from the bus");
	TEST_ASSERT_EQUAL(rte_vmci_dev_count(), 1, "one device left");
	TEST_ASSERT_EQUAL(emu1_zones(), 0, "memzones of vmci_emu1 left behind");
	TEST_ASSERT(rte_eal_hotplug_remove("vmci", "vmci_emu1") < 0, "removed twice");

	ret = rte_eal_hotplug_add("vmci", "vmci_emu1", "cid=abc");
	TEST_ASSERT(ret < 0, "bad devargs accepted by hotplug: %d", ret);
	TEST_ASSERT(rte_vmci_dev_find("vmci_emu1") == NULL, "created from bad devargs");
	ret = rte_eal_hotplug_add("vmci", "vmci_emu1", "cid=25,mode=dma");
	TEST_ASSERT_EQUAL(ret, 0, "add with good devargs");
	dev1 = rte_vmci_dev_find("vmci_emu1");
	TEST_ASSERT(dev1 != NULL, "back on the bus");
	TEST_ASSERT_EQUAL(rte_vmci_dev_info_get(dev1, &info), 0, "info");
	TEST_ASSERT_EQUAL(info.context_id, 25, "new context ID");
	TEST_ASSERT(info.caps & VMCI_CAPS_DMA_DATAGRAM, "DMA mode, caps 0x%x", info.caps);

	ep0 = rte_vmci_dgram_create(dev0, 3200, dg_recv, &seen);
	ep1 = rte_vmci_dgram_create(dev1, 3200, dg_recv, &seen);
	ret = TEST_FAILED;
	if (ep0 != NULL && ep1 != NULL &&
	    rte_vmci_dgram_send(ep0, rte_vmci_dgram_handle(ep1), "back", 4) >= 0) {
		for (i = 0; i < POLL_TRIES && seen.count == 0; i++)
			rte_vmci_poll(dev1);
		if (seen.count == 1 && seen.src.context == CID0 && seen.len == 4)
			ret = TEST_SUCCESS;
	}
	rte_vmci_dgram_destroy(ep0);
	rte_vmci_dgram_destroy(ep1);
	if (ret != TEST_SUCCESS)
		return ret;

	/* The last device of the emulated hypervisor takes its memzone along. */
	TEST_ASSERT(rte_memzone_lookup("vmci_emu_" VMCI_EMU_DEFAULT_HV) != NULL, "hv memzone");
	TEST_ASSERT_EQUAL(rte_eal_hotplug_remove("vmci", "vmci_emu1"), 0, "remove 1");
	TEST_ASSERT(rte_memzone_lookup("vmci_emu_" VMCI_EMU_DEFAULT_HV) != NULL,
		    "hv freed while vmci_emu0 is on it");
	TEST_ASSERT_EQUAL(rte_eal_hotplug_remove("vmci", "vmci_emu0"), 0, "remove 0");
	dev0 = dev1 = NULL;
	TEST_ASSERT(rte_memzone_lookup("vmci_emu_" VMCI_EMU_DEFAULT_HV) == NULL,
		    "hv memzone left behind");
	TEST_ASSERT_EQUAL(rte_vmci_dev_count(), 0, "bus empty");

	/* Refused at bring-up (no DATAGRAM), then plugged with good devargs. */
	TEST_ASSERT(rte_eal_hotplug_add("vmci", "vmci_emu3", "caps=0x18") < 0, "no DATAGRAM");
	TEST_ASSERT(rte_vmci_dev_find("vmci_emu3") == NULL, "refused device on the bus");
	TEST_ASSERT_EQUAL(rte_eal_hotplug_add("vmci", "vmci_emu3", "cid=33"), 0, "retry");
	TEST_ASSERT_EQUAL(rte_vmci_context_id(rte_vmci_dev_find("vmci_emu3")), 33, "cid");
	return TEST_SUCCESS;
}

static int
suite_setup(void)
{
	dev0 = rte_vmci_dev_find("vmci_emu0");
	dev1 = rte_vmci_dev_find("vmci_emu1");
	if (dev0 == NULL || dev1 == NULL) {
		printf("  expected vmci_emu0 and vmci_emu1 from -a vmci:...\n");
		return -1;
	}
	return 0;
}

static const struct vmci_test_case bus_api_cases[] = {
	{ "devices", test_devices },
	{ "resources_query", test_resources_query },
	{ "datagrams", test_datagrams },
	{ "doorbells", test_doorbells },
	{ "qpair_with_host", test_qpair_with_host },
	{ "host_device", test_host_device },
	{ "events", test_events },
	{ "event_dispatch", test_event_dispatch },
	{ "service", test_service },
	{ "hotplug", test_hotplug },
	{ NULL, NULL },
};

static const struct vmci_test_suite bus_api_suite = {
	.name = "bus_api",
	.setup = suite_setup,
	.cases = bus_api_cases,
};

VMCI_TEST_MAIN(bus_api_suite)
