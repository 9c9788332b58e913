/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

/*
 * A DPDK secondary process holding one end of a queue pair is killed with
 * SIGKILL. The primary is guest A (device core) and creates a VM-to-VM
 * pair; it forks and execs itself as a secondary that brings up guest B
 * in the same emulated hypervisor (hugepage memzone) and attaches. Once A
 * saw the attach, the secondary is killed. The survivor must: see
 * QP_PEER_DETACH (the hypervisor removes the dead context when A's loop
 * calls vmci_emu_hv_reap_dead()), keep running (a new pair with the host
 * streams), and free its pair, after which the hypervisor holds nothing
 * of either guest.
 *
 * A secondary that made the host context a device (vmci_host0) and is
 * killed leaves it to the next process that asks for it.
 *
 * Usage: test_fault_mp <EAL args, hugepages, --iova-mode=va> (the
 * secondary is spawned with --child=<pair resource>:<A's CID>, or
 * --child=host:<resource>:<A's CID> for the host device). IOVA as
 * VA: the emulator resolves guest page numbers with rte_mem_iova2virt(),
 * which a secondary cannot do for physical addresses.
 */

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>

#include "drv_test.h"
#include "fault_mem.h"
#include "vmci_test_mp.h"

#define HV "fault_mp"
#define QSIZE 65536u
#define WAIT_S 10

struct peer_log {
	volatile bool attached;
	volatile bool detached;
	uint32_t peer;
};

static void
peer_cb(struct vmci_qpair *qp, enum vmci_qp_peer_state st, uint32_t peer, void *arg)
{
	struct peer_log *l = arg;

	RTE_SET_USED(qp);
	if (st == VMCI_QP_PEER_ATTACHED)
		l->attached = true;
	else if (st == VMCI_QP_PEER_DETACHED)
		l->detached = true;
	l->peer = peer;
}

/* Poll @dev, reaping dead contexts as the hypervisor would, until *flag or WAIT_S. */
static bool
poll_until(struct vmci_device *dev, volatile bool *flag)
{
	uint64_t end = rte_get_timer_cycles() + WAIT_S * rte_get_timer_hz();

	while (!*flag && rte_get_timer_cycles() < end) {
		vmci_emu_hv_reap_dead(HV);
		vmci_device_poll(dev);
	}
	return *flag;
}

static int
spawn_child(struct vmci_test_child *child, const char *kind, struct rte_vmci_handle h)
{
	char child_arg[64];
	const char *const eal[] = { "--iova-mode=va", "--log-level=*:error", NULL };
	const char *const app[] = { child_arg, NULL };

	snprintf(child_arg, sizeof(child_arg), "--child=%s%u:%u", kind, h.resource,
		 h.context);
	return vmci_test_spawn_secondary(child, "1", eal, app);
}

/* Idle until killed, outside any register access (see child_main()). */
static int
idle_until_killed(void)
{
	for (;;)
		pause();
	return 0;
}

static void
ignore_cb(struct vmci_dgram_ep *ep, const struct vmci_dg_hdr *dg, const void *payload,
	  void *arg)
{
	RTE_SET_USED(ep);
	RTE_SET_USED(dg);
	RTE_SET_USED(payload);
	RTE_SET_USED(arg);
}

/* Secondary: the host's device says hello to A's endpoint, then waits. */
static int
child_host_main(const char *spec)
{
	struct vmci_device_conf dc = { .name = "vmci_child_host" };
	struct vmci_dgram_ep *ep;
	struct vmci_device *dev;
	unsigned int rid, cid;
	struct vmci_hw *hw;

	if (sscanf(spec, "%u:%u", &rid, &cid) != 2)
		return 2;
	hw = vmci_emu_host_dev_create(HV, SOCKET_ID_ANY);
	dev = hw == NULL ? NULL : vmci_device_create(hw, &dc);
	ep = dev == NULL ? NULL : vmci_dgram_ep_create(dev, VMCI_INVALID_ID, ignore_cb, NULL);
	if (ep == NULL ||
	    vmci_dgram_send(ep, (struct rte_vmci_handle){ cid, rid }, "host", 4) < 0) {
		printf("  child: host device: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	return idle_until_killed();
}

/* Secondary: guest B attaches to A's pair, then waits to be killed. */
static int
child_main(const char *spec)
{
	struct vmci_qpair_conf c = {
		.produce_size = QSIZE, .consume_size = QSIZE,
		.flags = VMCI_QPFLAG_ATTACH_ONLY, .socket_id = SOCKET_ID_ANY,
	};
	struct drv_guest g;
	unsigned int rid, cid;

	if (sscanf(spec, "%u:%u", &rid, &cid) != 2)
		return 2;
	c.handle = (struct rte_vmci_handle){ cid, rid };
	c.peer = cid;
	struct vmci_emu_dev_conf ec = { .hv_name = HV, .socket_id = SOCKET_ID_ANY };
	/* Device memzones are named after the device: differ from the primary's. */
	struct vmci_device_conf dc = { .name = "vmci_child" };

	memset(&g, 0, sizeof(g));
	g.hw = vmci_emu_dev_create(&ec);
	g.dev = g.hw == NULL ? NULL : vmci_device_create(g.hw, &dc);
	if (g.dev == NULL) {
		printf("  child: bring-up: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	if (vmci_qpair_alloc(g.dev, &c) == NULL) {
		printf("  child: attach: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	/*
	 * Idle until killed, outside any register access: a process killed
	 * inside one would leave the emulator's instance lock taken
	 * (vmci_emu_hv_reap_dead() documents this limit).
	 */
	return idle_until_killed();
}

/* The survivor keeps working: a new pair with the host carries data. */
static int
survivor_works(struct drv_guest *a)
{
	struct vmci_qpair_conf c = {
		.produce_size = 8192, .consume_size = 8192,
		.peer = VMCI_HOST_CID, .socket_id = SOCKET_ID_ANY,
	};
	static const char msg[] = "still here";
	struct rte_vmci_qp *host = NULL;
	struct vmci_qpair *qp;
	char buf[sizeof(msg)];
	int ret;

	qp = vmci_qpair_alloc(a->dev, &c);
	TEST_ASSERT(qp != NULL, "new pair: %s", rte_strerror(rte_errno));
	ret = vmci_emu_host_qp_attach(HV, vmci_qpair_handle(qp), 8192, 8192, &host);
	TEST_ASSERT(ret >= 0, "host attach: %s", vmci_result_str(ret));
	TEST_ASSERT_EQUAL(rte_vmci_qp_enqueue_bulk(vmci_qpair_endpoint(qp), msg, sizeof(msg)),
			  sizeof(msg), "send");
	TEST_ASSERT_EQUAL(rte_vmci_qp_dequeue_bulk(host, buf, sizeof(buf)), sizeof(buf), "receive");
	TEST_ASSERT(memcmp(buf, msg, sizeof(msg)) == 0, "content");
	rte_vmci_qp_endpoint_free(host);
	vmci_emu_host_qp_detach(HV, vmci_qpair_handle(qp));
	TEST_ASSERT_EQUAL(vmci_qpair_detach(qp), 0, "detach");
	return TEST_SUCCESS;
}

static int
test_secondary_sigkill(void)
{
	struct vmci_qpair_conf c = {
		.produce_size = QSIZE, .consume_size = QSIZE, .socket_id = SOCKET_ID_ANY,
		.peer_cb = peer_cb,
	};
	struct peer_log l = { 0 };
	struct vmci_test_child child = VMCI_TEST_CHILD_INIT;
	struct vmci_qpair *qp;
	struct drv_guest a;
	uint8_t dg[512];
	int ret;

	c.cb_arg = &l;
	c.peer = VMCI_INVALID_ID;
	TEST_ASSERT_EQUAL(vmci_emu_hv_allow_vm_to_vm_qp(HV, true), 0, "allow VM-to-VM");
	TEST_ASSERT(drv_guest_up(&a, HV, false, 0) == 0, "bring-up");
	qp = vmci_qpair_alloc(a.dev, &c);
	TEST_ASSERT(qp != NULL, "pair: %s", rte_strerror(rte_errno));
	TEST_ASSERT_EQUAL(spawn_child(&child, "", vmci_qpair_handle(qp)), 0, "spawn secondary");
	if (!poll_until(a.dev, &l.attached)) {
		vmci_test_child_kill(&child);
		TEST_ASSERT(false, "secondary never attached (exit status 0x%x)", child.status);
	}
	printf("  secondary %d (cid %u) attached; killing it\n", (int)child.pid, l.peer);
	TEST_ASSERT_EQUAL(vmci_test_child_kill(&child), 0, "reap");
	TEST_ASSERT(WIFSIGNALED(child.status) && WTERMSIG(child.status) == SIGKILL,
		    "status 0x%x", child.status);

	TEST_ASSERT(poll_until(a.dev, &l.detached), "survivor never saw QP_PEER_DETACH");
	TEST_ASSERT_EQUAL(vmci_qpair_peer_state(qp), VMCI_QP_PEER_DETACHED, "state");
	TEST_ASSERT_EQUAL(vmci_emu_hv_reap_dead(HV), 0, "reaped twice");
	TEST_ASSERT(survivor_works(&a) == TEST_SUCCESS, "survivor after the kill");
	TEST_ASSERT_EQUAL(vmci_qpair_detach(qp), 0, "free the orphaned pair");
	drv_guest_down(&a);
	while ((ret = vmci_emu_host_recv(HV, dg, sizeof(dg))) > 0)
		;
	vmci_emu_hv_allow_vm_to_vm_qp(HV, false);
	TEST_ASSERT_EQUAL(vmci_emu_hv_free(HV), 0, "hypervisor still holds the dead guest");
	return TEST_SUCCESS;
}

static void
hello_cb(struct vmci_dgram_ep *ep, const struct vmci_dg_hdr *dg, const void *payload,
	 void *arg)
{
	RTE_SET_USED(ep);
	RTE_SET_USED(payload);
	if (dg->src.context == VMCI_HOST_CID)
		*(volatile bool *)arg = true;
}

/*
 * The host device of a killed secondary: refused (EBUSY) while that
 * process lives, taken back by the next process that asks once it is gone
 * (it could never remove its device itself).
 */
static int
test_host_device_sigkill(void)
{
	struct vmci_test_child child = VMCI_TEST_CHILD_INIT;
	volatile bool hello = false;
	int ret = TEST_FAILED;
	struct vmci_dgram_ep *ep;
	struct drv_guest a;
	struct vmci_hw *hw;

	TEST_ASSERT(drv_guest_up(&a, HV, false, 0) == 0, "bring-up");
	ep = vmci_dgram_ep_create(a.dev, VMCI_INVALID_ID, hello_cb, (void *)&hello);
	TEST_ASSERT(ep != NULL, "endpoint: %s", rte_strerror(rte_errno));
	TEST_ASSERT_EQUAL(spawn_child(&child, "host:", vmci_dgram_ep_handle(ep)), 0,
			  "spawn secondary");
	if (!poll_until(a.dev, &hello)) {
		printf("  no datagram from the secondary's host device\n");
		goto out;
	}
	hw = vmci_emu_host_dev_create(HV, SOCKET_ID_ANY);
	if (hw != NULL || rte_errno != EBUSY) {
		printf("  a second host device while its owner lives: %s\n",
		       hw != NULL ? "created" : rte_strerror(rte_errno));
		vmci_emu_dev_destroy(hw);
		goto out;
	}
	vmci_test_child_kill(&child);
	hw = vmci_emu_host_dev_create(HV, SOCKET_ID_ANY);
	if (hw == NULL)
		printf("  host device of the killed secondary not taken back: %s\n",
		       rte_strerror(rte_errno));
	else
		ret = TEST_SUCCESS;
	vmci_emu_dev_destroy(hw);
out:
	vmci_test_child_kill(&child); /* a no-op once reaped */
	vmci_dgram_ep_destroy(ep);
	drv_guest_down(&a);
	TEST_ASSERT_EQUAL(vmci_emu_hv_free(HV), 0, "hypervisor still holds a device");
	return ret;
}

/* Hugepages exhausted (capped by --socket-limit): ENOMEM, then works again. */
static int
test_hugepages_exhausted(void)
{
	struct drv_guest g;
	int ret;

	TEST_ASSERT(drv_guest_up(&g, HV, false, 0) == 0, "bring-up");
	ret = fault_check_memory_exhausted(g.dev);
	drv_guest_down(&g);
	TEST_ASSERT(ret == TEST_SUCCESS, "exhaustion");
	TEST_ASSERT_EQUAL(vmci_emu_hv_free(HV), 0, "hypervisor instance");
	return TEST_SUCCESS;
}

static const struct vmci_test_case cases[] = {
	{ "secondary_sigkill", test_secondary_sigkill },
	{ "host_device_sigkill", test_host_device_sigkill },
	{ "hugepages_exhausted", test_hugepages_exhausted },
	{ NULL, NULL },
};

static const struct vmci_test_suite suite = {
	.name = "fault_mp",
	.cases = cases,
};

int
main(int argc, char **argv)
{
	const char *child = NULL;
	int i, ret;

	for (i = 1; i < argc; i++)
		if (strncmp(argv[i], "--child=", 8) == 0)
			child = argv[i] + 8;
	/* The primary's --socket-limit=192 (MiB) must fit. */
	if (!vmci_test_is_secondary(argc, argv) && vmci_test_hugepages_or_skip(192) != 0)
		return TEST_SKIPPED;
	if (vmci_test_mp_init(argc, argv) < 0)
		return 1;
	if (vmci_test_eal_init(argc, argv) < 0)
		return 1;
	if (child != NULL && strncmp(child, "host:", 5) == 0)
		ret = child_host_main(child + 5);
	else
		ret = child != NULL ? child_main(child) : vmci_test_run_suite(&suite);
	rte_eal_cleanup();
	return ret;
}
