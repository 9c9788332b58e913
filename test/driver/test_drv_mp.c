/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

/*
 * The vmci bus across a DPDK primary and secondary process: the emulated
 * hypervisor lives in a hugepage memzone, so a guest context in each
 * process (vmci_emu0, CID 20, in the primary; vmci_emu1, CID 21, in the
 * secondary) and the host context (CID 2) reach each other.
 *
 * Pair A: the primary's guest creates it with the host as peer; the host
 *   end is attached in the secondary. Verified data both ways; the host
 *   detaches and the primary (the survivor) sees QP_PEER_DETACH.
 * Pair B: the secondary's guest creates it and tells the primary its
 *   handle by datagram (secondary -> primary); the host end is attached in
 *   the primary. Verified data both ways; the host detaches and the
 *   secondary sees QP_PEER_DETACH, then rings the primary's doorbell to
 *   say it is done.
 *
 *   primary:   test_drv_mp <EAL args, --proc-type=primary, hugepages>
 *              -a vmci:vmci_emu0,cid=20
 *   secondary: spawned by the primary with --proc-type=secondary,
 *              -a vmci:vmci_emu1,cid=21 and -- --qp=C:R --doorbell=C:R
 */

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_memory.h>

#include "vmci_emu_test.h"
#include "rte_bus_vmci.h"
#include "vmci_test.h"
#include "vmci_test_mp.h"

#define PRIMARY_CID 20
#define SECONDARY_CID 21
#define HANDLE_RID 3000   /* primary's datagram endpoint for pair B's handle */
#define QSIZE 65536
#define NBYTES 40000
#define DEADLINE_S 30

static struct {
	struct rte_vmci_handle qp_a;  /* secondary: pair A to attach as host */
	struct rte_vmci_handle bell;  /* secondary: primary's doorbell */
} opt;

/* What the poll callbacks saw. */
struct seen {
	unsigned int attach, detach;
	unsigned int dgrams, rings;
	struct rte_vmci_handle handle_b;
};

static void
peer_changed(struct rte_vmci_qpair *qp, enum rte_vmci_qpair_peer_state state,
	     uint32_t peer_cid, void *arg)
{
	struct seen *s = arg;

	RTE_SET_USED(qp);
	if (peer_cid != RTE_VMCI_HOST_CID)
		printf("  peer event from CID %u, expected the host\n", peer_cid);
	else if (state == RTE_VMCI_QPAIR_PEER_ATTACHED)
		s->attach++;
	else if (state == RTE_VMCI_QPAIR_PEER_DETACHED)
		s->detach++;
}

static void
handle_received(struct rte_vmci_dgram *ep, struct rte_vmci_handle src, const void *payload,
		uint32_t len, void *arg)
{
	struct seen *s = arg;

	RTE_SET_USED(ep);
	if (src.context != SECONDARY_CID || len != sizeof(s->handle_b)) {
		printf("  datagram from %u:%u of %u bytes, expected a handle from CID %u\n",
		       src.context, src.resource, len, SECONDARY_CID);
		return;
	}
	memcpy(&s->handle_b, payload, sizeof(s->handle_b));
	s->dgrams++;
}

static void
unexpected_datagram(struct rte_vmci_dgram *ep, struct rte_vmci_handle src,
		    const void *payload, uint32_t len, void *arg)
{
	RTE_SET_USED(ep);
	RTE_SET_USED(payload);
	RTE_SET_USED(arg);
	printf("  secondary: unexpected datagram from %u:%u (%u bytes)\n",
	       src.context, src.resource, len);
}

static void
bell_rung(struct rte_vmci_doorbell *db, void *arg)
{
	RTE_SET_USED(db);
	((struct seen *)arg)->rings++;
}

static void
fill(uint8_t *buf, size_t len, uint8_t seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = (uint8_t)(seed + i * 31 + (i >> 8));
}

static int
send_pattern(struct rte_vmci_qp *qp, uint8_t seed)
{
	static uint8_t out[NBYTES];

	fill(out, sizeof(out), seed);
	return rte_vmci_qp_enqueue_bulk(qp, out, sizeof(out)) == NBYTES ? 0 : -EIO;
}

/* Dequeue the peer's pattern once it is all there (0), or -EAGAIN. */
static int
recv_pattern(struct rte_vmci_qp *qp, uint8_t seed)
{
	static uint8_t in[NBYTES], want[NBYTES];
	ssize_t n = rte_vmci_qp_dequeue_bulk(qp, in, sizeof(in));

	if (n == 0)
		return -EAGAIN;
	if (n != NBYTES) {
		printf("  dequeue: %zd\n", n);
		return -EIO;
	}
	fill(want, sizeof(want), seed);
	if (memcmp(in, want, sizeof(in)) != 0) {
		printf("  data of seed %u differs\n", seed);
		return -EBADMSG;
	}
	return 0;
}

/* The primary's secondary, so that waits end early when it dies. */
static struct vmci_test_child child = VMCI_TEST_CHILD_INIT;

static bool
expired(uint64_t deadline)
{
	if (vmci_test_child_poll(&child) != 0) {
		printf("  secondary failed (status 0x%x): not waiting any longer\n",
		       child.status);
		return true;
	}
	return rte_get_tsc_cycles() > deadline;
}

static uint64_t
deadline_in(unsigned int s)
{
	return rte_get_tsc_cycles() + (uint64_t)s * rte_get_tsc_hz();
}

/* Poll @dev until *@count reaches @n or the deadline passes. */
static int
poll_for(struct rte_vmci_device *dev, const unsigned int *count, unsigned int n,
	 const char *what)
{
	uint64_t deadline = deadline_in(DEADLINE_S);

	while (*count < n && !expired(deadline)) {
		if (rte_vmci_poll(dev) == 0)
			usleep(100);
	}
	if (*count < n) {
		printf("  no %s\n", what);
		return -ETIMEDOUT;
	}
	return 0;
}

/*
 * Secondary
 */

static int
host_end_of_a(void)
{
	struct rte_vmci_qp *host = NULL;
	uint64_t deadline = deadline_in(DEADLINE_S);
	int ret;

	ret = vmci_emu_host_qp_attach(VMCI_EMU_DEFAULT_HV, opt.qp_a, QSIZE, QSIZE, &host);
	if (ret < 0 || host == NULL) {
		printf("  secondary: host attach to %u:%u: VMCI result %d\n",
		       opt.qp_a.context, opt.qp_a.resource, ret);
		return -EIO;
	}
	do
		ret = recv_pattern(host, 1);
	while (ret == -EAGAIN && !expired(deadline));
	if (ret == 0)
		ret = send_pattern(host, 2);
	rte_vmci_qp_endpoint_free(host);
	if (vmci_emu_host_qp_detach(VMCI_EMU_DEFAULT_HV, opt.qp_a) < 0 && ret == 0)
		ret = -EIO;
	return ret;
}

static int
guest_side_of_b(struct rte_vmci_device *dev)
{
	struct seen s = { 0 };
	struct rte_vmci_qpair_conf conf = {
		.produce_size = QSIZE,
		.consume_size = QSIZE,
		.peer = RTE_VMCI_HOST_CID,
		.socket_id = SOCKET_ID_ANY,
		.peer_cb = peer_changed,
		.cb_arg = &s,
	};
	struct rte_vmci_handle to = { .context = PRIMARY_CID, .resource = HANDLE_RID };
	uint64_t deadline = deadline_in(DEADLINE_S);
	struct rte_vmci_qpair *qp;
	struct rte_vmci_dgram *ep;
	struct rte_vmci_handle h;
	int ret;

	qp = rte_vmci_qpair_create(dev, &conf);
	ep = rte_vmci_dgram_create(dev, RTE_VMCI_INVALID_ID, unexpected_datagram, NULL);
	if (qp == NULL || ep == NULL) {
		printf("  secondary: pair or endpoint: %s\n", rte_strerror(rte_errno));
		ret = -ENOMEM;
		goto out;
	}
	h = rte_vmci_qpair_handle(qp);
	ret = rte_vmci_dgram_send(ep, to, &h, sizeof(h));
	if (ret < 0) {
		printf("  secondary: datagram to the primary: %d\n", ret);
		goto out;
	}
	ret = poll_for(dev, &s.attach, 1, "QP_PEER_ATTACH for pair B");
	if (ret < 0)
		goto out;
	do
		ret = recv_pattern(rte_vmci_qpair_endpoint(qp), 3);
	while (ret == -EAGAIN && !expired(deadline));
	if (ret == 0)
		ret = send_pattern(rte_vmci_qpair_endpoint(qp), 4);
	if (ret == 0)
		ret = poll_for(dev, &s.detach, 1, "QP_PEER_DETACH for pair B");
	if (ret == 0 && rte_vmci_qpair_peer_state(qp) != RTE_VMCI_QPAIR_PEER_DETACHED)
		ret = -EPROTO;
out:
	rte_vmci_dgram_destroy(ep);
	if (qp != NULL && rte_vmci_qpair_detach(qp) < 0 && ret == 0)
		ret = -EIO;
	return ret;
}

static int
run_secondary(void)
{
	struct rte_vmci_device *dev = rte_vmci_dev_find("vmci_emu1");
	int ret;

	if (dev == NULL || rte_vmci_context_id(dev) != SECONDARY_CID) {
		printf("  secondary: vmci_emu1 with CID %d is not up\n", SECONDARY_CID);
		return 1;
	}
	ret = host_end_of_a();
	if (ret == 0)
		ret = guest_side_of_b(dev);
	if (ret == 0)
		ret = rte_vmci_doorbell_notify(dev, opt.bell);
	printf("  secondary (pid %d): %s (%d)\n", (int)getpid(), ret == 0 ? "done" : "FAILED",
	       ret);
	return ret == 0 ? 0 : 1;
}

/*
 * Primary
 */

static int
spawn_secondary(struct rte_vmci_handle qp_a, struct rte_vmci_handle bell)
{
	char qp_arg[64], bell_arg[64];
	const char *const eal[] = {
		"--log-level=*:warning", "-a", "vmci:vmci_emu1,cid=21", NULL,
	};
	const char *const app[] = { qp_arg, bell_arg, NULL };

	snprintf(qp_arg, sizeof(qp_arg), "--qp=%u:%u", qp_a.context, qp_a.resource);
	snprintf(bell_arg, sizeof(bell_arg), "--doorbell=%u:%u", bell.context, bell.resource);
	return vmci_test_spawn_secondary(&child, "1", eal, app);
}

/* Pair B's host end, once the secondary has said where it is. */
static int
host_end_of_b(struct rte_vmci_device *dev, struct seen *s)
{
	struct rte_vmci_qp *host = NULL;
	uint64_t deadline = deadline_in(DEADLINE_S);
	int ret;

	ret = poll_for(dev, &s->dgrams, 1, "datagram with pair B's handle");
	if (ret < 0)
		return ret;
	TEST_ASSERT_EQUAL(s->handle_b.context, SECONDARY_CID, "pair B belongs to the secondary");
	ret = vmci_emu_host_qp_attach(VMCI_EMU_DEFAULT_HV, s->handle_b, QSIZE, QSIZE, &host);
	TEST_ASSERT(ret >= 0 && host != NULL, "host attach to pair B: %d", ret);
	ret = send_pattern(host, 3);
	if (ret == 0) {
		while ((ret = recv_pattern(host, 4)) == -EAGAIN && !expired(deadline))
			usleep(100);
	}
	rte_vmci_qp_endpoint_free(host);
	if (vmci_emu_host_qp_detach(VMCI_EMU_DEFAULT_HV, s->handle_b) < 0 && ret == 0)
		ret = -EIO;
	return ret == 0 ? 0 : TEST_FAILED;
}

static int
test_across_processes(void)
{
	struct rte_vmci_device *dev = rte_vmci_dev_find("vmci_emu0");
	struct seen s = { 0 };
	struct rte_vmci_qpair_conf conf = {
		.produce_size = QSIZE,
		.consume_size = QSIZE,
		.peer = RTE_VMCI_HOST_CID,
		.socket_id = SOCKET_ID_ANY,
		.peer_cb = peer_changed,
		.cb_arg = &s,
	};
	struct rte_vmci_qpair *qp = NULL;
	struct rte_vmci_dgram *ep = NULL;
	struct rte_vmci_doorbell *db = NULL;
	uint64_t deadline;
	int n, ret = TEST_FAILED;

	TEST_ASSERT(dev != NULL && rte_vmci_context_id(dev) == PRIMARY_CID,
		    "vmci_emu0 with CID %d is up", PRIMARY_CID);
	qp = rte_vmci_qpair_create(dev, &conf);
	ep = rte_vmci_dgram_create(dev, HANDLE_RID, handle_received, &s);
	db = rte_vmci_doorbell_create(dev, bell_rung, &s);
	if (qp == NULL || ep == NULL || db == NULL) {
		printf("  pair, endpoint or doorbell: %s\n", rte_strerror(rte_errno));
		goto out;
	}
	if (send_pattern(rte_vmci_qpair_endpoint(qp), 1) < 0 ||
	    spawn_secondary(rte_vmci_qpair_handle(qp), rte_vmci_doorbell_handle(db)) < 0)
		goto out;
	/* Pair A: the secondary's host end attaches, echoes, detaches. */
	if (poll_for(dev, &s.attach, 1, "QP_PEER_ATTACH for pair A") < 0)
		goto out;
	deadline = deadline_in(DEADLINE_S);
	while ((ret = recv_pattern(rte_vmci_qpair_endpoint(qp), 2)) == -EAGAIN &&
	       !expired(deadline))
		rte_vmci_poll(dev);
	if (ret != 0 || poll_for(dev, &s.detach, 1, "QP_PEER_DETACH for pair A") < 0 ||
	    rte_vmci_qpair_peer_state(qp) != RTE_VMCI_QPAIR_PEER_DETACHED) {
		printf("  pair A: data %d, peer state %d after the host detached\n", ret,
		       rte_vmci_qpair_peer_state(qp));
		ret = TEST_FAILED;
		goto out;
	}
	/* Pair B: the host end is ours. */
	ret = host_end_of_b(dev, &s);
	if (ret != 0)
		printf("  pair B from the host side failed\n");
	if (ret == 0 && poll_for(dev, &s.rings, 1, "doorbell from the secondary") < 0)
		ret = TEST_FAILED;
out:
	if (child.pid > 0 && vmci_test_child_wait(&child, DEADLINE_S) < 0)
		ret = TEST_FAILED;
	rte_vmci_doorbell_destroy(db);
	rte_vmci_dgram_destroy(ep);
	if (qp != NULL && (n = rte_vmci_qpair_detach(qp)) < 0) {
		printf("  detach from pair A: %d\n", n);
		ret = TEST_FAILED;
	}
	return ret == 0 ? TEST_SUCCESS : TEST_FAILED;
}

static const struct vmci_test_case cases[] = {
	{ "across_processes", test_across_processes },
	{ NULL, NULL },
};

static const struct vmci_test_suite suite = {
	.name = "driver_mp",
	.cases = cases,
};

/*
 * Arguments
 */

static bool
parse_handle(const char *s, struct rte_vmci_handle *h)
{
	return sscanf(s, "%" SCNu32 ":%" SCNu32, &h->context, &h->resource) == 2;
}

static int
parse_app_args(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (strncmp(argv[i], "--qp=", 5) == 0 && parse_handle(argv[i] + 5, &opt.qp_a))
			continue;
		if (strncmp(argv[i], "--doorbell=", 11) == 0 &&
		    parse_handle(argv[i] + 11, &opt.bell))
			continue;
		printf("bad argument %s\n", argv[i]);
		return -1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	int n, ret;

	if (!vmci_test_is_secondary(argc, argv) && vmci_test_hugepages_or_skip(0) != 0)
		return TEST_SKIPPED;
	if (vmci_test_mp_init(argc, argv) < 0)
		return 1;
	n = vmci_test_eal_init(argc, argv);
	if (n < 0)
		return 1;
	if (parse_app_args(argc - n, argv + n) < 0)
		ret = 1;
	else if (rte_eal_process_type() == RTE_PROC_SECONDARY)
		ret = run_secondary();
	else
		ret = vmci_test_run_suite(&suite);
	if (rte_eal_cleanup() != 0 && ret == 0)
		ret = 1;
	return ret;
}
