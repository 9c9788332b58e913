/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

/* Device core: queue pairs guest<->host, data both ways, peer state. */

#include <errno.h>
#include <stdlib.h>

#include <rte_errno.h>

#include "drv_test.h"

#define HV "drv_qpair"
#define QSIZE (64u * 1024u + 100u) /* not a page multiple: exact wrap */
#define STREAM (1u << 20)

struct peer_log {
	bool attached;
	bool detached;
	uint32_t peer;
};

static void
peer_cb(struct vmci_qpair *qp, enum vmci_qp_peer_state st, uint32_t peer, void *arg)
{
	struct peer_log *l = arg;

	if (st == VMCI_QP_PEER_ATTACHED)
		l->attached = true;
	else if (st == VMCI_QP_PEER_DETACHED)
		l->detached = true;
	l->peer = peer;
}

/* Stream STREAM bytes tx -> rx with a position-derived pattern; 0 if intact. */
static int
stream(struct rte_vmci_qp *tx, struct rte_vmci_qp *rx, uint8_t salt)
{
	static uint8_t out[4096], in[4096];
	size_t sent = 0, got = 0, i;
	ssize_t n;

	while (got < STREAM) {
		if (sent < STREAM) {
			size_t len = RTE_MIN(sizeof(out), STREAM - sent);

			for (i = 0; i < len; i++)
				out[i] = (uint8_t)((sent + i) * 13 + salt);
			n = rte_vmci_qp_enqueue_burst(tx, out, len);
			if (n < 0)
				return -1;
			sent += (size_t)n;
		}
		n = rte_vmci_qp_dequeue_burst(rx, in, sizeof(in));
		if (n < 0)
			return -2;
		for (i = 0; i < (size_t)n; i++)
			if (in[i] != (uint8_t)((got + i) * 13 + salt))
				return -3;
		got += (size_t)n;
	}
	return 0;
}

/* Expect an event datagram for the host: QP_PEER_DETACH of @h. */
static int
host_expect_detach(struct rte_vmci_handle h)
{
	uint8_t buf[256];
	const struct vmci_event_msg *m = (const void *)buf;
	const struct vmci_event_payload_qp *p = (const void *)(m + 1);
	int ret;

	while ((ret = vmci_emu_host_recv(HV, buf, sizeof(buf))) > 0) {
		if (m->hdr.src.context != VMCI_HYPERVISOR_CID ||
		    m->event_data.event != VMCI_EVENT_QP_PEER_DETACH)
			continue;
		if (p->handle.context == h.context && p->handle.resource == h.resource)
			return 0;
	}
	return -1;
}

static int
check_guest_creates(bool mmio)
{
	struct vmci_qpair_conf c = {
		.produce_size = QSIZE,
		.consume_size = QSIZE / 2,
		.peer = VMCI_HOST_CID,
		.socket_id = SOCKET_ID_ANY,
		.peer_cb = peer_cb,
	};
	struct peer_log l = { 0 };
	struct rte_vmci_qp *host_ep = NULL;
	struct rte_vmci_qp_info info;
	struct vmci_qpair *qp;
	struct drv_guest g;
	int ret;

	c.cb_arg = &l;
	TEST_ASSERT(drv_guest_up(&g, HV, mmio, 0) == 0, "bring-up");
	qp = vmci_qpair_alloc(g.dev, &c);
	TEST_ASSERT(qp != NULL, "create: %s", rte_strerror(rte_errno));
	TEST_ASSERT_EQUAL(vmci_qpair_peer_state(qp), VMCI_QP_PEER_WAITING, "state");
	TEST_ASSERT_EQUAL(rte_vmci_qp_info_get(vmci_qpair_endpoint(qp), &info), 0, "info");
	TEST_ASSERT_EQUAL(info.handle.resource, vmci_qpair_handle(qp).resource,
			  "hypervisor wrote the handle into the header");

	ret = vmci_emu_host_qp_attach(HV, vmci_qpair_handle(qp), QSIZE / 2, QSIZE, &host_ep);
	TEST_ASSERT(ret >= 0, "host attach: %d (%s)", ret, vmci_result_str(ret));
	TEST_ASSERT(drv_poll_until(g.dev, &l.attached), "no QP_PEER_ATTACH");
	TEST_ASSERT_EQUAL(l.peer, VMCI_HOST_CID, "peer id");
	TEST_ASSERT_EQUAL(vmci_qpair_peer_state(qp), VMCI_QP_PEER_ATTACHED, "state");

	TEST_ASSERT_EQUAL(stream(vmci_qpair_endpoint(qp), host_ep, 1), 0, "guest->host");
	TEST_ASSERT_EQUAL(stream(host_ep, vmci_qpair_endpoint(qp), 2), 0, "host->guest");

	rte_vmci_qp_endpoint_free(host_ep);
	ret = vmci_emu_host_qp_detach(HV, vmci_qpair_handle(qp));
	TEST_ASSERT(ret >= 0, "host detach: %d", ret);
	TEST_ASSERT(drv_poll_until(g.dev, &l.detached), "no QP_PEER_DETACH");
	TEST_ASSERT_EQUAL(vmci_qpair_peer_state(qp), VMCI_QP_PEER_DETACHED, "state");
	TEST_ASSERT_EQUAL(vmci_qpair_detach(qp), 0, "guest detach");
	drv_guest_down(&g);
	return TEST_SUCCESS;
}

static int
check_guest_attaches(bool mmio)
{
	struct rte_vmci_handle h = { VMCI_HOST_CID, 7777 };
	struct vmci_qpair_conf c = {
		.produce_size = QSIZE,
		.consume_size = 3 * QSIZE,
		.flags = VMCI_QPFLAG_ATTACH_ONLY,
		.socket_id = SOCKET_ID_ANY,
	};
	struct rte_vmci_qp *host_ep = NULL;
	struct vmci_qpair *qp;
	struct drv_guest g;
	int ret;

	TEST_ASSERT(drv_guest_up(&g, HV, mmio, 0) == 0, "bring-up");
	c.peer = VMCI_HOST_CID;
	c.handle = h;
	/* Nobody created it yet: ATTACH_ONLY fails cleanly. */
	TEST_ASSERT(vmci_qpair_alloc(g.dev, &c) == NULL, "attach to nothing");
	ret = vmci_emu_host_qp_create(HV, h, vmci_device_context_id(g.dev), 3 * QSIZE, QSIZE);
	TEST_ASSERT(ret >= 0, "host create: %d (%s)", ret, vmci_result_str(ret));
	qp = vmci_qpair_alloc(g.dev, &c);
	TEST_ASSERT(qp != NULL, "attach: %s", rte_strerror(rte_errno));
	TEST_ASSERT_EQUAL(vmci_qpair_peer_state(qp), VMCI_QP_PEER_ATTACHED, "state");
	ret = vmci_emu_host_qp_endpoint(HV, h, &host_ep);
	TEST_ASSERT(ret >= 0 && host_ep != NULL, "host endpoint: %d", ret);
	TEST_ASSERT_EQUAL(stream(vmci_qpair_endpoint(qp), host_ep, 3), 0, "guest->host");
	TEST_ASSERT_EQUAL(stream(host_ep, vmci_qpair_endpoint(qp), 4), 0, "host->guest");
	rte_vmci_qp_endpoint_free(host_ep);
	/* The guest leaves first; the host, the survivor, sees the event. */
	TEST_ASSERT_EQUAL(vmci_qpair_detach(qp), 0, "guest detach");
	TEST_ASSERT_EQUAL(host_expect_detach(h), 0, "host saw no QP_PEER_DETACH");
	ret = vmci_emu_host_qp_detach(HV, h);
	TEST_ASSERT(ret >= 0, "host detach: %d", ret);
	drv_guest_down(&g);
	return TEST_SUCCESS;
}

static int
check_errors(bool mmio)
{
	struct vmci_qpair_conf c = {
		.produce_size = VMCI_MAX_GUEST_QP_MEMORY,
		.consume_size = 1,
		.peer = VMCI_HOST_CID,
		.socket_id = SOCKET_ID_ANY,
	};
	struct vmci_qpair *qp;
	struct drv_guest g;

	TEST_ASSERT(drv_guest_up(&g, HV, mmio, 0) == 0, "bring-up");
	TEST_ASSERT(vmci_qpair_alloc(g.dev, &c) == NULL && rte_errno == EINVAL, "P+C > 128 MiB");
	c.produce_size = 4096;
	c.consume_size = 4096;
	c.flags = VMCI_QPFLAG_LOCAL;
	TEST_ASSERT(vmci_qpair_alloc(g.dev, &c) == NULL && rte_errno == EINVAL, "LOCAL flag");
	c.flags = 0;
	TEST_ASSERT_EQUAL(vmci_emu_fault_fail_hypercall(HV, VMCI_INVALID_ID, VMCI_QUEUEPAIR_ALLOC,
							VMCI_ERROR_NO_RESOURCES, 1), 0, "fault");
	qp = vmci_qpair_alloc(g.dev, &c);
	TEST_ASSERT(qp == NULL && rte_errno == ENOBUFS, "injected NO_RESOURCES: %d", rte_errno);
	/* Left attached on purpose: vmci_device_destroy() detaches it. */
	qp = vmci_qpair_alloc(g.dev, &c);
	TEST_ASSERT(qp != NULL, "create after fault: %s", rte_strerror(rte_errno));
	drv_guest_down(&g);
	return TEST_SUCCESS;
}

static int
test_create_port(void)
{
	return check_guest_creates(false);
}

static int
test_create_mmio(void)
{
	return check_guest_creates(true);
}

static int
test_attach_port(void)
{
	return check_guest_attaches(false);
}

static int
test_attach_mmio(void)
{
	return check_guest_attaches(true);
}

static int
test_errors_port(void)
{
	return check_errors(false);
}

static int
test_errors_mmio(void)
{
	return check_errors(true);
}

static const struct vmci_test_case cases[] = {
	{ "create_port", test_create_port },
	{ "create_mmio", test_create_mmio },
	{ "attach_port", test_attach_port },
	{ "attach_mmio", test_attach_mmio },
	{ "errors_port", test_errors_port },
	{ "errors_mmio", test_errors_mmio },
	{ NULL, NULL },
};

static const struct vmci_test_suite suite = {
	.name = "driver_core_qpair",
	.cases = cases,
};

VMCI_TEST_MAIN(suite)
