/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

/* Device core: datagrams guest<->guest and guest<->host, port-I/O and DMA. */

#include <errno.h>
#include <stdlib.h>

#include <rte_errno.h>

#include "drv_test.h"

#define HV "drv_dgram"
#define MANY 100

struct rx_log {
	unsigned int count;
	bool got;
	uint64_t last_size;
	struct rte_vmci_handle last_src;
	bool bad_pattern;
	unsigned int expect_seq;
	uint8_t invert; /* payload expected inverted (emu corrupt fault) */
};

/* Payload byte i of datagram seq: a pattern that catches shifts and truncation. */
static uint8_t
pattern(unsigned int seq, size_t i)
{
	return (uint8_t)(seq * 31 + i * 7 + (i >> 8));
}

static void
fill(uint8_t *p, size_t len, unsigned int seq)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = pattern(seq, i);
}

static void
rx_cb(struct vmci_dgram_ep *ep, const struct vmci_dg_hdr *dg, const void *payload, void *arg)
{
	struct rx_log *l = arg;
	const uint8_t *p = payload;
	size_t i;

	for (i = 0; i < dg->payload_size; i++)
		if ((uint8_t)(p[i] ^ l->invert) != pattern(l->expect_seq, i)) {
			l->bad_pattern = true;
			break;
		}
	l->expect_seq++;
	l->count++;
	l->last_size = dg->payload_size;
	l->last_src = dg->src;
	l->got = true;
}

static int
host_send(struct rte_vmci_handle dst, size_t len, unsigned int seq)
{
	struct vmci_dg_hdr *dg = malloc(VMCI_DG_HDR_SIZE + len);
	int ret;

	if (dg == NULL)
		return VMCI_ERROR_NO_MEM;
	dg->dst = dst;
	dg->src.context = VMCI_HOST_CID;
	dg->src.resource = 4321;
	dg->payload_size = len;
	fill((uint8_t *)(dg + 1), len, seq);
	ret = vmci_emu_host_send(HV, dg, VMCI_DG_HDR_SIZE + len);
	free(dg);
	return ret;
}

static int
check_guest_to_guest(bool mmio)
{
	struct rx_log la = { 0 }, lb = { 0 };
	struct vmci_dgram_ep *ea, *eb;
	struct drv_guest a, b;
	uint8_t buf[1000];

	TEST_ASSERT(drv_guest_up(&a, HV, mmio, 0) == 0, "bring-up a");
	TEST_ASSERT(drv_guest_up(&b, HV, mmio, 0) == 0, "bring-up b");
	ea = vmci_dgram_ep_create(a.dev, VMCI_INVALID_ID, rx_cb, &la);
	eb = vmci_dgram_ep_create(b.dev, 2000, rx_cb, &lb);
	TEST_ASSERT(ea != NULL && eb != NULL, "endpoints: %s", rte_strerror(rte_errno));
	TEST_ASSERT(vmci_dgram_ep_create(b.dev, 2000, rx_cb, &lb) == NULL &&
		    rte_errno == EEXIST, "duplicate RID accepted");
	TEST_ASSERT(vmci_dgram_ep_handle(ea).resource >= VMCI_RESERVED_RID_LIMIT, "auto RID");

	fill(buf, sizeof(buf), 0);
	TEST_ASSERT(vmci_dgram_send(ea, vmci_dgram_ep_handle(eb), buf, sizeof(buf)) >= 0, "a->b");
	TEST_ASSERT(drv_poll_until(b.dev, &lb.got), "b got nothing");
	TEST_ASSERT_EQUAL(lb.last_size, sizeof(buf), "size");
	TEST_ASSERT(!lb.bad_pattern, "payload");
	TEST_ASSERT_EQUAL(lb.last_src.context, vmci_device_context_id(a.dev), "src cid");
	TEST_ASSERT_EQUAL(lb.last_src.resource, vmci_dgram_ep_handle(ea).resource, "src rid");

	TEST_ASSERT(vmci_dgram_send(eb, vmci_dgram_ep_handle(ea), buf, 0) >= 0, "b->a");
	TEST_ASSERT(drv_poll_until(a.dev, &la.got), "a got nothing");
	TEST_ASSERT_EQUAL(la.last_size, 0, "empty datagram");

	TEST_ASSERT_EQUAL(vmci_dgram_send(ea, vmci_dgram_ep_handle(eb), buf,
					  VMCI_MAX_DG_PAYLOAD_SIZE + 1), -EMSGSIZE, "oversize send");
	vmci_dgram_ep_destroy(ea);
	drv_guest_down(&b);
	drv_guest_down(&a);
	return TEST_SUCCESS;
}

static int
check_host(bool mmio)
{
	struct vmci_device_stats st;
	struct rx_log l = { 0 };
	struct rte_vmci_handle h, host = { VMCI_HOST_CID, 555 };
	struct vmci_dgram_ep *ep;
	struct drv_guest g;
	uint8_t *buf;
	int i, n, ret;

	buf = malloc(VMCI_MAX_DG_SIZE);
	TEST_ASSERT(buf != NULL, "malloc");
	TEST_ASSERT(drv_guest_up(&g, HV, mmio, 0) == 0, "bring-up");
	ep = vmci_dgram_ep_create(g.dev, VMCI_INVALID_ID, rx_cb, &l);
	TEST_ASSERT(ep != NULL, "endpoint");
	h = vmci_dgram_ep_handle(ep);

	/* Guest -> host. */
	fill(buf, 300, 9);
	TEST_ASSERT(vmci_dgram_send(ep, host, buf, 300) >= 0, "guest->host");
	ret = vmci_emu_host_recv(HV, buf, VMCI_MAX_DG_SIZE);
	TEST_ASSERT_EQUAL(ret, VMCI_DG_HDR_SIZE + 300, "host recv size");
	TEST_ASSERT_EQUAL(((struct vmci_dg_hdr *)buf)->src.resource, h.resource, "host src");
	TEST_ASSERT_EQUAL(buf[VMCI_DG_HDR_SIZE + 299], pattern(9, 299), "host payload");

	/* Many datagrams of varied sizes, queued at once, one poll. */
	for (i = 0; i < MANY; i++) {
		ret = host_send(h, (size_t)(i * 37) % 1200, (unsigned int)i);
		TEST_ASSERT(ret >= 0, "host send %d: %d", i, ret);
	}
	n = vmci_device_poll(g.dev);
	TEST_ASSERT_EQUAL(n, MANY, "datagrams in one poll");
	TEST_ASSERT_EQUAL(l.count, MANY, "delivered");
	TEST_ASSERT(!l.bad_pattern, "payload");

	/* A maximum-size datagram straddles the first 4096-byte read. */
	l.got = false;
	TEST_ASSERT(host_send(h, VMCI_MAX_DG_PAYLOAD_SIZE, l.expect_seq) >= 0, "host send max");
	TEST_ASSERT(drv_poll_until(g.dev, &l.got), "max datagram not delivered");
	TEST_ASSERT_EQUAL(l.last_size, VMCI_MAX_DG_PAYLOAD_SIZE, "max size");
	TEST_ASSERT(!l.bad_pattern, "max payload");

	/* Small, max, small in one queue: the parse resumes after the big one. */
	TEST_ASSERT(host_send(h, 100, l.expect_seq) >= 0, "small");
	TEST_ASSERT(host_send(h, VMCI_MAX_DG_PAYLOAD_SIZE, l.expect_seq + 1) >= 0, "max");
	TEST_ASSERT(host_send(h, 5, l.expect_seq + 2) >= 0, "small");
	n = 0;
	for (i = 0; i < 10 && n < 3; i++)
		n += vmci_device_poll(g.dev);
	TEST_ASSERT_EQUAL(n, 3, "mixed sizes");
	TEST_ASSERT(!l.bad_pattern, "mixed payload");

	/* Faults: a lost datagram, then a corrupted one; later ones still arrive. */
	TEST_ASSERT_EQUAL(vmci_emu_fault_drop_dg(HV, h.context, 1), 0, "drop fault");
	TEST_ASSERT(host_send(h, 64, 1000) >= 0, "dropped one");
	TEST_ASSERT_EQUAL(vmci_emu_fault_corrupt_dg(HV, h.context, 2), 0, "corrupt fault");
	TEST_ASSERT(host_send(h, 0, 1001) >= 0, "corrupt empty");
	l.invert = 0xFF;
	l.got = false;
	TEST_ASSERT(host_send(h, 64, l.expect_seq) >= 0, "corrupt payload");
	TEST_ASSERT(drv_poll_until(g.dev, &l.got), "corrupted datagram");
	TEST_ASSERT(!l.bad_pattern, "corruption is inversion");
	l.invert = 0;
	l.got = false;
	TEST_ASSERT(host_send(h, 64, l.expect_seq) >= 0, "good");
	TEST_ASSERT(drv_poll_until(g.dev, &l.got), "datagram after faults");
	TEST_ASSERT(!l.bad_pattern, "payload after faults");
	TEST_ASSERT_EQUAL(vmci_device_stats_get(g.dev, &st), 0, "stats");
	/* The empty one had its dst.resource inverted: nobody owns it. */
	TEST_ASSERT_EQUAL(st.dg_dropped, 1, "dropped (no endpoint)");
	TEST_ASSERT_EQUAL(st.dg_malformed, 0, "malformed");

	drv_guest_down(&g);
	free(buf);
	return TEST_SUCCESS;
}

/*
 * DMA: the device splits a datagram across two receives (its first part
 * ends one receive, the rest starts the next). Each datagram arrives whole
 * and in order, nothing is counted as malformed.
 */
static int
test_dma_split(void)
{
	static const size_t sizes[] = { 60000, 60000, 5000, 69000, 100 };
	struct vmci_device_stats st;
	struct rx_log l = { 0 };
	struct rte_vmci_handle h;
	struct vmci_dgram_ep *ep;
	struct drv_guest g;
	unsigned int i;

	TEST_ASSERT(drv_guest_up(&g, HV, true, 0) == 0, "bring-up");
	ep = vmci_dgram_ep_create(g.dev, VMCI_INVALID_ID, rx_cb, &l);
	TEST_ASSERT(ep != NULL, "endpoint");
	h = vmci_dgram_ep_handle(ep);
	TEST_ASSERT_EQUAL(vmci_emu_fault_dma_split(HV, h.context, 100), 0, "split fault");
	/* The queue holds two maximum datagrams: send, drain, send. */
	for (i = 0; i < RTE_DIM(sizes); i++) {
		TEST_ASSERT(host_send(h, sizes[i], i) >= 0, "host send %u", i);
		if (i % 2 == 1)
			vmci_device_poll(g.dev);
	}
	for (i = 0; i < 10 && l.count < RTE_DIM(sizes); i++)
		vmci_device_poll(g.dev);
	TEST_ASSERT_EQUAL(l.count, RTE_DIM(sizes), "delivered");
	TEST_ASSERT(!l.bad_pattern, "payload");
	TEST_ASSERT_EQUAL(l.last_size, sizes[RTE_DIM(sizes) - 1], "last size");
	TEST_ASSERT_EQUAL(vmci_device_stats_get(g.dev, &st), 0, "stats");
	TEST_ASSERT_EQUAL(st.dg_malformed, 0, "malformed");
	vmci_emu_fault_dma_split(HV, h.context, 0);
	drv_guest_down(&g);
	return TEST_SUCCESS;
}

/*
 * A device whose ICR never reports DATAGRAM: datagrams are still received,
 * by the passes the poll runs with ICR clear (every poll in DMA mode, every
 * 100 ms in port mode; drv_poll_until() polls for up to a second).
 */
static int
check_icr_clear(bool mmio)
{
	struct rx_log l = { 0 };
	struct rte_vmci_handle h;
	struct vmci_dgram_ep *ep;
	struct drv_guest g;
	unsigned int i;

	TEST_ASSERT(drv_guest_up(&g, HV, mmio, 0) == 0, "bring-up");
	ep = vmci_dgram_ep_create(g.dev, VMCI_INVALID_ID, rx_cb, &l);
	TEST_ASSERT(ep != NULL, "endpoint");
	h = vmci_dgram_ep_handle(ep);
	TEST_ASSERT_EQUAL(vmci_emu_fault_icr_hide(HV, h.context, VMCI_ICR_DATAGRAM |
						  VMCI_ICR_DMA_DATAGRAM), 0, "ICR fault");
	/* Let the poll settle after bring-up, so the datagram meets a clear ICR. */
	for (i = 0; i < 3; i++)
		vmci_device_poll(g.dev);
	TEST_ASSERT(host_send(h, 123, 0) >= 0, "host send");
	TEST_ASSERT(drv_poll_until(g.dev, &l.got), "datagram never received with ICR clear");
	TEST_ASSERT_EQUAL(l.last_size, 123, "size");
	TEST_ASSERT(!l.bad_pattern, "payload");
	vmci_emu_fault_icr_hide(HV, h.context, 0);
	drv_guest_down(&g);
	return TEST_SUCCESS;
}

static int
test_icr_clear_port(void)
{
	return check_icr_clear(false);
}

static int
test_icr_clear_mmio(void)
{
	return check_icr_clear(true);
}

static int
test_guest_guest_port(void)
{
	return check_guest_to_guest(false);
}

static int
test_guest_guest_mmio(void)
{
	return check_guest_to_guest(true);
}

static int
test_host_port(void)
{
	return check_host(false);
}

static int
test_host_mmio(void)
{
	return check_host(true);
}

static const struct vmci_test_case cases[] = {
	{ "guest_guest_port", test_guest_guest_port },
	{ "guest_guest_mmio", test_guest_guest_mmio },
	{ "host_port", test_host_port },
	{ "host_mmio", test_host_mmio },
	{ "dma_split", test_dma_split },
	{ "icr_clear_port", test_icr_clear_port },
	{ "icr_clear_mmio", test_icr_clear_mmio },
	{ NULL, NULL },
};

static const struct vmci_test_suite suite = {
	.name = "driver_core_dgram",
	.cases = cases,
};

VMCI_TEST_MAIN(suite)
