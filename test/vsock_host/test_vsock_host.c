/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

/*
 * The emulated host's vSockets endpoint (vmci_emu_vsock.h) driven by raw
 * control packets from a guest device through the public datagram API,
 * with the queue pairs moved by lib/vmci_qp on the guest side: the
 * handshakes it answers and starts, size negotiation, echo, discard and
 * source through the pair, the notifications of both notify protocols,
 * half-close, reset, detach, refusals, datagram echo, and what it does
 * with bad input (doc section 6.6).
 */

#include <errno.h>
#include <string.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_memory.h>

#include "rte_bus_vmci.h"
#include "rte_vmci_vsock_wire.h"
#include "vmci_emu_test.h"
#include "vmci_emu_vsock.h"
#include "vmci_test.h"

#define GUEST_CID 20
#define PUMP_ROUNDS 4
#define WAIT_SECONDS 10
#define RXQ_SIZE 256

static struct rte_vmci_device *guest, *host;
static struct vmci_emu_vsock *vs;
static struct rte_vmci_dgram *gctl;   /* the guest's control resource 1 */
static uint32_t next_port = 40000;    /* a fresh guest port per connection */

/* Control packets the guest received, oldest first. */
static struct {
	struct rte_vmci_vsock_ctl_pkt pkt[RXQ_SIZE];
	unsigned int head, tail;
	unsigned int short_ones;
} rxq;

static void
guest_ctl_rx(struct rte_vmci_dgram *ep, struct rte_vmci_handle src, const void *payload,
	     uint32_t len, void *arg)
{
	struct rte_vmci_vsock_ctl_pkt *p;

	RTE_SET_USED(ep);
	RTE_SET_USED(arg);
	if (len != RTE_VMCI_VSOCK_CTL_PAYLOAD_SIZE || rxq.tail - rxq.head >= RXQ_SIZE) {
		rxq.short_ones++;
		return;
	}
	p = &rxq.pkt[rxq.tail++ % RXQ_SIZE];
	memset(p, 0, sizeof(*p));
	p->dg.src = src;
	memcpy((uint8_t *)p + RTE_VMCI_VSOCK_DG_HDR_SIZE, payload, len);
}

static void
pump(void)
{
	int i;

	for (i = 0; i < PUMP_ROUNDS; i++) {
		vmci_emu_vsock_poll(vs);
		rte_vmci_poll(guest);
	}
}

/* A bound for waits on the host (a control thread may serve it), not a measure. */
static uint64_t
wait_end(void)
{
	return rte_get_timer_cycles() + WAIT_SECONDS * rte_get_timer_hz();
}

/* Poll until no connection is left on the host, or 10 s pass (a bound, not a measure). */
static unsigned int
wait_no_conns(void)
{
	uint64_t end = wait_end();

	while (vmci_emu_vsock_conn_count(vs) > 0 && rte_get_timer_cycles() < end)
		pump();
	return vmci_emu_vsock_conn_count(vs);
}

static void
rxq_flush(void)
{
	pump();
	rxq.head = rxq.tail;
}

/* The next packet the guest received, or NULL after a bounded wait. */
static const struct rte_vmci_vsock_ctl_pkt *
next_pkt(void)
{
	uint64_t end = wait_end();

	while (rxq.head == rxq.tail && rte_get_timer_cycles() < end)
		pump();
	if (rxq.head == rxq.tail)
		return NULL;
	return &rxq.pkt[rxq.head++ % RXQ_SIZE];
}

/* Packets of @type received since the last flush (others are left out of the count). */
static unsigned int
count_type(uint8_t type)
{
	unsigned int i, n = 0;

	pump();
	for (i = rxq.head; i != rxq.tail; i++)
		n += rxq.pkt[i % RXQ_SIZE].type == type;
	return n;
}

static int
gsend(uint8_t type, uint16_t proto, uint32_t sport, uint32_t dport, uint64_t u0, uint64_t u1)
{
	struct rte_vmci_vsock_ctl_pkt p;
	struct rte_vmci_handle dst = { RTE_VMCI_VSOCK_CID_HOST, RTE_VMCI_VSOCK_PACKET_RID };

	memset(&p, 0, sizeof(p));
	p.version = RTE_VMCI_VSOCK_PACKET_VERSION;
	p.type = type;
	p.proto = proto;
	p.src_port = sport;
	p.dst_port = dport;
	p.u.wait.generation = u0;
	p.u.wait.offset = u1;
	return rte_vmci_dgram_send(gctl, dst, (uint8_t *)&p + RTE_VMCI_VSOCK_DG_HDR_SIZE,
				   RTE_VMCI_VSOCK_CTL_PAYLOAD_SIZE);
}

static uint64_t
handle_u64(struct rte_vmci_handle h)
{
	return (uint64_t)h.context | (uint64_t)h.resource << 32;
}

/* Expect a packet of @type from host port @sport to guest port @dport. */
static int
expect(uint8_t type, uint32_t sport, uint32_t dport, const struct rte_vmci_vsock_ctl_pkt **out)
{
	const struct rte_vmci_vsock_ctl_pkt *p = next_pkt();

	TEST_ASSERT(p != NULL, "no packet; expected type %u", type);
	TEST_ASSERT_EQUAL(p->type, type, "packet type (ports %u -> %u)", p->src_port,
			  p->dst_port);
	TEST_ASSERT_EQUAL(p->version, RTE_VMCI_VSOCK_PACKET_VERSION, "version");
	TEST_ASSERT_EQUAL(p->src_port, sport, "source port");
	TEST_ASSERT_EQUAL(p->dst_port, dport, "destination port");
	TEST_ASSERT_EQUAL(p->dg.src.context, RTE_VMCI_VSOCK_CID_HOST, "from the host");
	TEST_ASSERT_EQUAL(p->dg.src.resource, RTE_VMCI_VSOCK_PACKET_RID, "control resource");
	TEST_ASSERT_EQUAL(p->reserved2, 0, "reserved");
	if (out != NULL)
		*out = p;
	return TEST_SUCCESS;
}

/* A guest connection, driven by hand. */
struct gconn {
	uint32_t port, hport;
	uint64_t size;
	bool classic;
	struct rte_vmci_qpair *qpair;
	struct rte_vmci_qp *ep;
	unsigned int detached;
	int id; /* on the host */
};

static void
gpeer_cb(struct rte_vmci_qpair *qpair, enum rte_vmci_qpair_peer_state state, uint32_t peer,
	 void *arg)
{
	struct gconn *g = arg;

	RTE_SET_USED(qpair);
	RTE_SET_USED(peer);
	if (state == RTE_VMCI_QPAIR_PEER_DETACHED)
		g->detached++;
}

static void
gconn_close(struct gconn *g)
{
	rte_vmci_qpair_detach(g->qpair);
	g->qpair = NULL;
	g->ep = NULL;
}

/* REQUEST(2) with @size to @hport; returns the NEGOTIATE(2) size in g->size. */
static int
guest_request(struct gconn *g, uint32_t hport, uint64_t size, bool classic)
{
	const struct rte_vmci_vsock_ctl_pkt *p;

	memset(g, 0, sizeof(*g));
	g->port = next_port++;
	g->hport = hport;
	g->classic = classic;
	rxq_flush();
	TEST_ASSERT(gsend(classic ? RTE_VMCI_VSOCK_PKT_REQUEST : RTE_VMCI_VSOCK_PKT_REQUEST2,
			  classic ? 0 : RTE_VMCI_VSOCK_PROTO_PKT_ON_NOTIFY, g->port, hport, size,
			  0) >= 0, "send REQUEST");
	if (expect(classic ? RTE_VMCI_VSOCK_PKT_NEGOTIATE : RTE_VMCI_VSOCK_PKT_NEGOTIATE2,
		   hport, g->port, &p) != TEST_SUCCESS)
		return TEST_FAILED;
	TEST_ASSERT_EQUAL(p->proto, classic ? 0 : RTE_VMCI_VSOCK_PROTO_PKT_ON_NOTIFY, "proto");
	g->size = p->u.size;
	return TEST_SUCCESS;
}

/* The guest's pair and OFFER; the host's ATTACH. */
static int
guest_offer(struct gconn *g)
{
	const struct rte_vmci_vsock_ctl_pkt *p;
	struct rte_vmci_qpair_conf qc = {
		.produce_size = g->size,
		.consume_size = g->size,
		.peer = RTE_VMCI_HOST_CID,
		.socket_id = SOCKET_ID_ANY,
		.peer_cb = gpeer_cb,
		.cb_arg = g,
	};
	struct rte_vmci_handle h;

	g->qpair = rte_vmci_qpair_create(guest, &qc);
	TEST_ASSERT(g->qpair != NULL, "guest pair: %s", rte_strerror(rte_errno));
	g->ep = rte_vmci_qpair_endpoint(g->qpair);
	h = rte_vmci_qpair_handle(g->qpair);
	TEST_ASSERT(gsend(RTE_VMCI_VSOCK_PKT_OFFER, 0, g->port, g->hport, handle_u64(h), 0) >= 0,
		    "send OFFER");
	if (expect(RTE_VMCI_VSOCK_PKT_ATTACH, g->hport, g->port, &p) != TEST_SUCCESS)
		return TEST_FAILED;
	TEST_ASSERT(p->u.handle.context == h.context && p->u.handle.resource == h.resource,
		    "ATTACH names %u:%u, expected %u:%u", p->u.handle.context,
		    p->u.handle.resource, h.context, h.resource);
	if (vs == NULL) /* served by the host device's own thread */
		return TEST_SUCCESS;
	g->id = vmci_emu_vsock_conn_find(vs, GUEST_CID, g->port, g->hport);
	TEST_ASSERT(g->id >= 0, "host connection not found");
	return TEST_SUCCESS;
}

static int
guest_connect(struct gconn *g, uint32_t hport, uint64_t size, bool classic)
{
	if (guest_request(g, hport, size, classic) != TEST_SUCCESS)
		return TEST_FAILED;
	return guest_offer(g);
}

static int
host_info(int id, struct vmci_emu_vsock_conn_info *info)
{
	pump();
	TEST_ASSERT_EQUAL(vmci_emu_vsock_conn_info(vs, id, info), 0, "connection %d", id);
	return TEST_SUCCESS;
}

static uint8_t txbuf[1 << 20], rxbuf[1 << 20];

static void
fill(uint8_t *buf, size_t len, uint32_t seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = (uint8_t)((i * 131u + seed) ^ (i >> 9));
}

/*
 * Send @len bytes through the pair and read what comes back (@expect_back
 * bytes; 0 for discard), moving as much as fits each round.
 */
static int
move_bytes(struct gconn *g, size_t len, size_t expect_back)
{
	size_t sent = 0, got = 0;
	uint64_t end = wait_end();
	ssize_t n;

	while ((sent < len || got < expect_back) && rte_get_timer_cycles() < end) {
		if (sent < len) {
			n = rte_vmci_qp_enqueue_burst(g->ep, txbuf + sent, len - sent);
			TEST_ASSERT(n >= 0, "enqueue: %zd", n);
			sent += (size_t)n;
		}
		pump();
		n = rte_vmci_qp_dequeue_burst(g->ep, rxbuf + got, sizeof(rxbuf) - got);
		TEST_ASSERT(n >= 0, "dequeue: %zd", n);
		got += (size_t)n;
	}
	TEST_ASSERT_EQUAL(sent, len, "bytes sent");
	TEST_ASSERT_EQUAL(got, expect_back, "bytes back");
	TEST_ASSERT(memcmp(rxbuf, txbuf, expect_back) == 0, "echoed bytes differ");
	return TEST_SUCCESS;
}

static int
test_handshake_new(void)
{
	struct vmci_emu_vsock_conn_info info;
	struct gconn g;
	int ret;

	TEST_ASSERT_EQUAL(guest_connect(&g, VMCI_EMU_VSOCK_PORT_ECHO, 65536, false),
			  TEST_SUCCESS, "handshake");
	TEST_ASSERT_EQUAL(g.size, 65536, "a size within 128..256 KiB is taken");
	ret = host_info(g.id, &info);
	if (ret == TEST_SUCCESS &&
	    (info.state != VMCI_EMU_VSOCK_ESTABLISHED || !info.server ||
	     info.handshake != VMCI_EMU_VSOCK_HS_NEW || info.size != 65536 ||
	     info.local_port != VMCI_EMU_VSOCK_PORT_ECHO)) {
		printf("  host connection: state %d server %d handshake %u size %" PRIu64 "\n",
		       info.state, info.server, info.handshake, info.size);
		ret = TEST_FAILED;
	}
	gconn_close(&g);
	return ret;
}

/* Section 3.1: the listener takes a proposal within its limits, else its own size. */
static int
test_size_negotiation(void)
{
	static const uint64_t proposed[] = { 128, 4096, 262144, 127, 262145, UINT64_C(1) << 40 };
	static const uint64_t chosen[] = { 128, 4096, 262144, 262144, 262144, 262144 };
	struct gconn g;
	unsigned int i;

	for (i = 0; i < RTE_DIM(proposed); i++) {
		TEST_ASSERT_EQUAL(guest_request(&g, VMCI_EMU_VSOCK_PORT_ECHO, proposed[i], i & 1),
				  TEST_SUCCESS, "request of %" PRIu64, proposed[i]);
		TEST_ASSERT_EQUAL(g.size, chosen[i], "size for a proposal of %" PRIu64,
				  proposed[i]);
		/* A pending connection ends with anything but an OFFER: a RST. */
		TEST_ASSERT(gsend(RTE_VMCI_VSOCK_PKT_WROTE, 0, g.port, g.hport, 0, 0) >= 0, "send");
		TEST_ASSERT_EQUAL(expect(RTE_VMCI_VSOCK_PKT_RST, g.hport, g.port, NULL),
				  TEST_SUCCESS, "RST for a WROTE while pending");
	}
	/* Size 0 is refused. */
	rxq_flush();
	TEST_ASSERT(gsend(RTE_VMCI_VSOCK_PKT_REQUEST2, 1, 5555, VMCI_EMU_VSOCK_PORT_ECHO, 0,
			  0) >= 0, "send");
	TEST_ASSERT_EQUAL(expect(RTE_VMCI_VSOCK_PKT_RST, VMCI_EMU_VSOCK_PORT_ECHO, 5555, NULL),
			  TEST_SUCCESS, "RST for size 0");
	TEST_ASSERT_EQUAL(vmci_emu_vsock_conn_count(vs), 0, "nothing pending left");
	return TEST_SUCCESS;
}

/* Echo of sizes around the queue size through a small pair, both protocols. */
static int
echo_sizes(bool classic)
{
	static const size_t sizes[] = { 1, 7, 4095, 4096, 4097, 65536, 200003 };
	struct vmci_emu_vsock_conn_info info;
	struct gconn g;
	unsigned int i;

	TEST_ASSERT_EQUAL(guest_connect(&g, VMCI_EMU_VSOCK_PORT_ECHO, 4096, classic),
			  TEST_SUCCESS, "handshake");
	for (i = 0; i < RTE_DIM(sizes); i++) {
		fill(txbuf, sizes[i], i);
		if (move_bytes(&g, sizes[i], sizes[i]) != TEST_SUCCESS) {
			printf("  echo of %zu bytes (%s)\n", sizes[i], classic ? "classic" : "new");
			gconn_close(&g);
			return TEST_FAILED;
		}
	}
	if (host_info(g.id, &info) != TEST_SUCCESS)
		return TEST_FAILED;
	gconn_close(&g);
	TEST_ASSERT_EQUAL(info.handshake, classic ? VMCI_EMU_VSOCK_HS_CLASSIC :
			  VMCI_EMU_VSOCK_HS_NEW, "protocol");
	TEST_ASSERT_EQUAL(info.stats.bytes_rx, 1 + 7 + 4095 + 4096 + 4097 + 65536 + 200003, "rx");
	TEST_ASSERT_EQUAL(info.stats.bytes_tx, info.stats.bytes_rx, "tx");
	return TEST_SUCCESS;
}

static int
test_echo_new(void)
{
	return echo_sizes(false);
}

static int
test_echo_classic(void)
{
	return echo_sizes(true);
}

/*
 * Queue-state notify (section 3.6): WROTE when the host's enqueue makes
 * the guest's queue non-empty, READ when the host drains a queue it found
 * full; no WAITING_*.
 */
static int
test_notify_qstate(void)
{
	struct gconn g;
	unsigned int wrote, read;
	int ret = TEST_FAILED;

	TEST_ASSERT_EQUAL(guest_connect(&g, VMCI_EMU_VSOCK_PORT_ECHO, 4096, false),
			  TEST_SUCCESS, "handshake");
	rxq_flush();
	fill(txbuf, 4095, 3);
	/* 100 bytes into an empty queue, echoed into an empty queue: one WROTE. */
	if (rte_vmci_qp_enqueue_bulk(g.ep, txbuf, 100) != 100)
		goto out;
	wrote = count_type(RTE_VMCI_VSOCK_PKT_WROTE);
	if (wrote != 1 || count_type(RTE_VMCI_VSOCK_PKT_READ) != 0) {
		printf("  after 100 bytes: %u WROTE, expected 1, and no READ\n", wrote);
		goto out;
	}
	/* More while the guest has not read: the guest's queue was not empty, no WROTE. */
	if (rte_vmci_qp_enqueue_bulk(g.ep, txbuf, 100) != 100 ||
	    count_type(RTE_VMCI_VSOCK_PKT_WROTE) != 1)
		goto out;
	if (rte_vmci_qp_dequeue_bulk(g.ep, rxbuf, 200) != 200)
		goto out;
	rxq_flush();
	/*
	 * Fill the host's queue completely while its output is full too: the
	 * host reads it once there is room back, finds it was full, sends READ.
	 */
	if (rte_vmci_qp_enqueue_bulk(g.ep, txbuf, 4095) != 4095)
		goto out;
	/* Echoed at once: the host took a full queue, so READ; the guest's is full now. */
	read = count_type(RTE_VMCI_VSOCK_PKT_READ);
	if (read != 1) {
		printf("  after the host drained a full queue: %u READ, expected 1\n", read);
		goto out;
	}
	rxq_flush();
	if (rte_vmci_qp_enqueue_bulk(g.ep, txbuf, 4095) != 4095)
		goto out;
	read = count_type(RTE_VMCI_VSOCK_PKT_READ);
	if (read != 0) {
		printf("  READ while the host cannot read (no room to echo): %u\n", read);
		goto out;
	}
	if (rte_vmci_qp_dequeue_bulk(g.ep, rxbuf, 4095) != 4095)
		goto out;
	read = count_type(RTE_VMCI_VSOCK_PKT_READ);
	if (read != 1 || count_type(RTE_VMCI_VSOCK_PKT_WAITING_READ) != 0 ||
	    count_type(RTE_VMCI_VSOCK_PKT_WAITING_WRITE) != 0) {
		printf("  after draining a full queue: %u READ, expected 1; WAITING_* %u/%u\n",
		       read, count_type(RTE_VMCI_VSOCK_PKT_WAITING_READ),
		       count_type(RTE_VMCI_VSOCK_PKT_WAITING_WRITE));
		goto out;
	}
	ret = TEST_SUCCESS;
out:
	gconn_close(&g);
	return ret;
}

/*
 * Classic notify: the host, blocked reading, says WAITING_READ once; it
 * sends WROTE only to a guest that said WAITING_READ; WAITING_WRITE when
 * the guest's queue is full; READ to a guest that said WAITING_WRITE.
 */
static int
test_notify_classic(void)
{
	struct vmci_emu_vsock_conn_info info;
	struct gconn g;
	int ret = TEST_FAILED;

	TEST_ASSERT_EQUAL(guest_connect(&g, VMCI_EMU_VSOCK_PORT_ECHO, 4096, true),
			  TEST_SUCCESS, "handshake");
	if (count_type(RTE_VMCI_VSOCK_PKT_WAITING_READ) != 1) {
		printf("  idle host: %u WAITING_READ, expected 1\n",
		       count_type(RTE_VMCI_VSOCK_PKT_WAITING_READ));
		goto out;
	}
	rxq_flush();
	fill(txbuf, 4095, 4);
	/* The guest never said it waits: the echo comes without a WROTE. */
	if (rte_vmci_qp_enqueue_bulk(g.ep, txbuf, 10) != 10 || gsend(RTE_VMCI_VSOCK_PKT_WROTE, 0,
	    g.port, g.hport, 0, 0) < 0 || count_type(RTE_VMCI_VSOCK_PKT_WROTE) != 0)
		goto out;
	/* Now it does, with data queued for it: WROTE at once. */
	if (gsend(RTE_VMCI_VSOCK_PKT_WAITING_READ, 0, g.port, g.hport, 0, 0) < 0 ||
	    count_type(RTE_VMCI_VSOCK_PKT_WROTE) != 1)
		goto out;
	if (rte_vmci_qp_dequeue_bulk(g.ep, rxbuf, 10) != 10)
		goto out;
	/* The host's WAITING_READ was answered by our WROTE: it may say it again. */
	if (count_type(RTE_VMCI_VSOCK_PKT_WAITING_READ) != 1)
		goto out;
	rxq_flush();
	/* The guest's queue full and more to echo: WAITING_WRITE once. */
	if (rte_vmci_qp_enqueue_bulk(g.ep, txbuf, 4095) != 4095)
		goto out;
	pump();
	if (rte_vmci_qp_enqueue_bulk(g.ep, txbuf, 100) != 100 ||
	    count_type(RTE_VMCI_VSOCK_PKT_WAITING_WRITE) != 1)
		goto out;
	pump();
	if (count_type(RTE_VMCI_VSOCK_PKT_WAITING_WRITE) != 1)
		goto out;
	/* The guest fills the host's queue, says WAITING_WRITE: a READ when the host drains. */
	if (rte_vmci_qp_dequeue_bulk(g.ep, rxbuf, 4095) != 4095)
		goto out;
	pump();
	if (rte_vmci_qp_dequeue_bulk(g.ep, rxbuf, 100) != 100)
		goto out;
	rxq_flush();
	if (gsend(RTE_VMCI_VSOCK_PKT_WAITING_WRITE, 0, g.port, g.hport, 0, 0) < 0 ||
	    count_type(RTE_VMCI_VSOCK_PKT_READ) != 1)
		goto out;
	if (host_info(g.id, &info) != TEST_SUCCESS || info.stats.waiting_read_rx != 1 ||
	    info.stats.waiting_write_rx != 1 || info.stats.wrote_rx != 1)
		goto out;
	ret = TEST_SUCCESS;
out:
	gconn_close(&g);
	return ret;
}

/*
 * A guest that shut down receiving still writes: a host that drains its
 * full queue still sends READ (its writer may block), but no WROTE.
 */
static int
test_notify_after_shut_rd(void)
{
	struct gconn g;
	unsigned int read, wrote;

	TEST_ASSERT_EQUAL(guest_connect(&g, VMCI_EMU_VSOCK_PORT_DISCARD, 4096, false),
			  TEST_SUCCESS, "handshake");
	TEST_ASSERT(gsend(RTE_VMCI_VSOCK_PKT_SHUTDOWN, 0, g.port, g.hport,
			  RTE_VMCI_VSOCK_SHUTDOWN_RCV, 0) >= 0, "send");
	rxq_flush();
	fill(txbuf, 4095, 1);
	TEST_ASSERT_EQUAL(rte_vmci_qp_enqueue_bulk(g.ep, txbuf, 4095), 4095, "fill");
	read = count_type(RTE_VMCI_VSOCK_PKT_READ);
	wrote = count_type(RTE_VMCI_VSOCK_PKT_WROTE);
	gconn_close(&g);
	TEST_ASSERT_EQUAL(read, 1, "READ after draining a full queue");
	TEST_ASSERT_EQUAL(wrote, 0, "WROTE to a guest that reads no more");
	return TEST_SUCCESS;
}

static int
test_refusals(void)
{
	struct vmci_emu_vsock_stats before, after;
	uint32_t pkt[8] = { 0 };

	vmci_emu_vsock_stats_get(vs, &before);
	rxq_flush();
	/* No service on the port: RST with the ports swapped. */
	TEST_ASSERT(gsend(RTE_VMCI_VSOCK_PKT_REQUEST2, 1, 6001, 4444, 4096, 0) >= 0, "send");
	TEST_ASSERT_EQUAL(expect(RTE_VMCI_VSOCK_PKT_RST, 4444, 6001, NULL), TEST_SUCCESS,
			  "refusal");
	/* Never a RST for a RST; an unknown type at a service: INVALID. */
	TEST_ASSERT(gsend(RTE_VMCI_VSOCK_PKT_RST, 0, 6001, 4444, 0, 0) >= 0, "send");
	TEST_ASSERT(gsend(13, 0, 6001, VMCI_EMU_VSOCK_PORT_ECHO, 0, 0) >= 0, "send");
	TEST_ASSERT_EQUAL(expect(RTE_VMCI_VSOCK_PKT_INVALID, VMCI_EMU_VSOCK_PORT_ECHO, 6001, NULL),
			  TEST_SUCCESS, "INVALID for type 13");
	/* Not a REQUEST at a service: RST. */
	TEST_ASSERT(gsend(RTE_VMCI_VSOCK_PKT_OFFER, 0, 6002, VMCI_EMU_VSOCK_PORT_ECHO, 0, 0) >= 0,
		    "send");
	TEST_ASSERT_EQUAL(expect(RTE_VMCI_VSOCK_PKT_RST, VMCI_EMU_VSOCK_PORT_ECHO, 6002, NULL),
			  TEST_SUCCESS, "RST for an OFFER at a listener");
	/* Short and wrongly sourced datagrams are dropped without a word. */
	TEST_ASSERT(rte_vmci_dgram_send(gctl, (struct rte_vmci_handle){ 2, 1 }, pkt, 31) >= 0,
		    "send short");
	TEST_ASSERT_EQUAL(count_type(RTE_VMCI_VSOCK_PKT_RST), 0, "nothing for the RST");
	pump();
	TEST_ASSERT(rxq.head == rxq.tail, "no reply to a short packet");
	vmci_emu_vsock_stats_get(vs, &after);
	TEST_ASSERT_EQUAL(after.short_pkts - before.short_pkts, 1, "short packet counted");
	TEST_ASSERT_EQUAL(after.invalid_tx - before.invalid_tx, 1, "INVALID counted");
	TEST_ASSERT_EQUAL(after.no_socket - before.no_socket, 2, "packets for no socket");
	return TEST_SUCCESS;
}

/*
 * Half-close: the guest shuts down sending; the host echoes what is left,
 * says SHUTDOWN (send) and detaches; the guest still reads everything.
 */
static int
test_half_close(void)
{
	struct vmci_emu_vsock_conn_info info;
	const struct rte_vmci_vsock_ctl_pkt *p;
	struct gconn g;
	int ret = TEST_FAILED;

	TEST_ASSERT_EQUAL(guest_connect(&g, VMCI_EMU_VSOCK_PORT_ECHO, 8192, false),
			  TEST_SUCCESS, "handshake");
	fill(txbuf, 3000, 9);
	if (rte_vmci_qp_enqueue_bulk(g.ep, txbuf, 3000) != 3000)
		goto out;
	rxq_flush();
	if (gsend(RTE_VMCI_VSOCK_PKT_SHUTDOWN, 0, g.port, g.hport, RTE_VMCI_VSOCK_SHUTDOWN_SEND,
		  0) < 0)
		goto out;
	do
		p = next_pkt();
	while (p != NULL && p->type != RTE_VMCI_VSOCK_PKT_SHUTDOWN);
	if (p == NULL || p->u.mode != RTE_VMCI_VSOCK_SHUTDOWN_SEND) {
		printf("  no SHUTDOWN (send) from the host\n");
		goto out;
	}
	pump();
	if (g.detached != 1 || rte_vmci_qp_dequeue_bulk(g.ep, rxbuf, 3000) != 3000 ||
	    memcmp(rxbuf, txbuf, 3000) != 0) {
		printf("  after the host's close: detached %u, echo not all readable\n",
		       g.detached);
		goto out;
	}
	if (host_info(g.id, &info) != TEST_SUCCESS || info.state != VMCI_EMU_VSOCK_CLOSED ||
	    info.error != 0 || info.peer_shutdown != RTE_VMCI_VSOCK_SHUTDOWN_SEND)
		goto out;
	ret = TEST_SUCCESS;
out:
	gconn_close(&g);
	return ret;
}

/* A RST on an established connection: the host closes and does not answer it. */
static int
test_reset(void)
{
	struct vmci_emu_vsock_conn_info info;
	struct gconn g;

	TEST_ASSERT_EQUAL(guest_connect(&g, VMCI_EMU_VSOCK_PORT_ECHO, 4096, false),
			  TEST_SUCCESS, "handshake");
	rxq_flush();
	TEST_ASSERT(gsend(RTE_VMCI_VSOCK_PKT_RST, 0, g.port, g.hport, 0, 0) >= 0, "send");
	pump();
	TEST_ASSERT_EQUAL(count_type(RTE_VMCI_VSOCK_PKT_RST), 0, "a RST for a RST");
	TEST_ASSERT_EQUAL(count_type(RTE_VMCI_VSOCK_PKT_SHUTDOWN), 0, "SHUTDOWN after a RST");
	TEST_ASSERT_EQUAL(g.detached, 1, "host detached");
	TEST_ASSERT_EQUAL(host_info(g.id, &info), TEST_SUCCESS, "info");
	TEST_ASSERT_EQUAL(info.state, VMCI_EMU_VSOCK_CLOSED, "closed");
	TEST_ASSERT_EQUAL(info.stats.rst_rx, 1, "RST counted");
	gconn_close(&g);
	/* After the close the address is no one's: a RST for what follows. */
	TEST_ASSERT(gsend(RTE_VMCI_VSOCK_PKT_WROTE, 0, g.port, g.hport, 0, 0) >= 0, "send");
	TEST_ASSERT_EQUAL(expect(RTE_VMCI_VSOCK_PKT_RST, g.hport, g.port, NULL), TEST_SUCCESS,
			  "RST for a closed connection");
	return TEST_SUCCESS;
}

/* The guest detaches mid-stream: the host closes at once, sending nothing. */
static int
test_guest_detach(void)
{
	struct vmci_emu_vsock_conn_info info;
	struct gconn g;

	TEST_ASSERT_EQUAL(guest_connect(&g, VMCI_EMU_VSOCK_PORT_DISCARD, 4096, false),
			  TEST_SUCCESS, "handshake");
	fill(txbuf, 1000, 1);
	TEST_ASSERT_EQUAL(rte_vmci_qp_enqueue_bulk(g.ep, txbuf, 1000), 1000, "enqueue");
	rxq_flush();
	gconn_close(&g);
	TEST_ASSERT_EQUAL(host_info(g.id, &info), TEST_SUCCESS, "info");
	TEST_ASSERT_EQUAL(info.state, VMCI_EMU_VSOCK_CLOSED, "closed on the guest's detach");
	TEST_ASSERT_EQUAL(count_type(RTE_VMCI_VSOCK_PKT_RST), 0, "no RST");
	TEST_ASSERT_EQUAL(vmci_emu_vsock_conn_count(vs), 0, "no connection left");
	return TEST_SUCCESS;
}

/* The source: a count, then that many pattern bytes, SHUTDOWN and close. */
static int
test_source(void)
{
	uint64_t count = 300001, got = 0, end;
	struct gconn g;
	ssize_t n;
	uint64_t i;

	TEST_ASSERT_EQUAL(guest_connect(&g, VMCI_EMU_VSOCK_PORT_SOURCE, 16384, false),
			  TEST_SUCCESS, "handshake");
	/* The count in two pieces: the host waits for all 8 bytes. */
	TEST_ASSERT_EQUAL(rte_vmci_qp_enqueue_bulk(g.ep, &count, 3), 3, "count");
	pump();
	TEST_ASSERT_EQUAL(rte_vmci_qp_ready_bytes(g.ep), 0, "nothing before the whole count");
	TEST_ASSERT_EQUAL(rte_vmci_qp_enqueue_bulk(g.ep, (uint8_t *)&count + 3, 5), 5, "count");
	end = wait_end();
	while (got < count && rte_get_timer_cycles() < end) {
		pump();
		n = rte_vmci_qp_dequeue_burst(g.ep, rxbuf, sizeof(rxbuf));
		TEST_ASSERT(n >= 0, "dequeue");
		for (i = 0; i < (uint64_t)n; i++)
			TEST_ASSERT_EQUAL(rxbuf[i], vmci_emu_vsock_pattern(got + i),
					  "byte %" PRIu64, got + i);
		got += (uint64_t)n;
	}
	TEST_ASSERT_EQUAL(got, count, "bytes from the source");
	pump();
	TEST_ASSERT_EQUAL(g.detached, 1, "the source closes when done");
	TEST_ASSERT_EQUAL(rte_vmci_qp_ready_bytes(g.ep), 0, "nothing more");
	gconn_close(&g);
	return TEST_SUCCESS;
}

static int
test_discard(void)
{
	struct vmci_emu_vsock_conn_info info;
	struct gconn g;

	TEST_ASSERT_EQUAL(guest_connect(&g, VMCI_EMU_VSOCK_PORT_DISCARD, 4096, true),
			  TEST_SUCCESS, "handshake");
	fill(txbuf, 100000, 2);
	TEST_ASSERT_EQUAL(move_bytes(&g, 100000, 0), TEST_SUCCESS, "discard");
	TEST_ASSERT_EQUAL(host_info(g.id, &info), TEST_SUCCESS, "info");
	TEST_ASSERT_EQUAL(info.stats.bytes_rx, 100000, "taken");
	TEST_ASSERT_EQUAL(info.stats.bytes_tx, 0, "nothing back");
	gconn_close(&g);
	return TEST_SUCCESS;
}

static void
dg_back(struct rte_vmci_dgram *ep, struct rte_vmci_handle src, const void *payload,
	uint32_t len, void *arg)
{
	RTE_SET_USED(ep);
	if (src.context == RTE_VMCI_HOST_CID && src.resource == VMCI_EMU_VSOCK_DGRAM_ECHO)
		memcpy(arg, payload, RTE_MIN(len, 64u));
}

static int
test_dgram_echo(void)
{
	uint8_t back[64] = { 0 };
	struct rte_vmci_dgram *ep = rte_vmci_dgram_create(guest, RTE_VMCI_INVALID_ID, dg_back,
							  back);
	struct rte_vmci_handle dst = { RTE_VMCI_HOST_CID, VMCI_EMU_VSOCK_DGRAM_ECHO };
	int ret;

	uint64_t end = wait_end();

	TEST_ASSERT(ep != NULL, "endpoint");
	ret = rte_vmci_dgram_send(ep, dst, "datagram", 9);
	while (ret >= 0 && back[0] == 0 && rte_get_timer_cycles() < end)
		pump();
	rte_vmci_dgram_destroy(ep);
	TEST_ASSERT(ret >= 0, "send");
	TEST_ASSERT(memcmp(back, "datagram", 9) == 0, "datagram echoed");
	return TEST_SUCCESS;
}

/* The host connects out: its REQUEST2, our NEGOTIATE2, its pair and OFFER, our ATTACH. */
static int
host_connect(struct gconn *g, uint32_t gport, enum vmci_emu_vsock_kind kind,
	     uint32_t handshake, uint64_t source_bytes)
{
	struct vmci_emu_vsock_connect_conf cc = {
		.cid = GUEST_CID,
		.port = gport,
		.kind = kind,
		.handshake = handshake,
		.source_bytes = source_bytes,
	};
	const struct rte_vmci_vsock_ctl_pkt *p;
	struct rte_vmci_qpair_conf qc = {
		.peer = RTE_VMCI_HOST_CID,
		.flags = RTE_VMCI_QPAIR_F_ATTACH_ONLY,
		.socket_id = SOCKET_ID_ANY,
		.peer_cb = gpeer_cb,
		.cb_arg = g,
	};
	bool classic = handshake == VMCI_EMU_VSOCK_HS_CLASSIC;
	struct vmci_emu_vsock_conn_info info;

	memset(g, 0, sizeof(*g));
	g->port = gport;
	rxq_flush();
	g->id = vmci_emu_vsock_connect(vs, &cc);
	TEST_ASSERT(g->id >= 0, "connect: %d", g->id);
	TEST_ASSERT_EQUAL(vmci_emu_vsock_conn_info(vs, g->id, &info), 0, "info");
	g->hport = info.local_port;
	TEST_ASSERT(g->hport > RTE_VMCI_VSOCK_LAST_RESERVED_PORT, "ephemeral port %u", g->hport);
	if (expect(classic ? RTE_VMCI_VSOCK_PKT_REQUEST : RTE_VMCI_VSOCK_PKT_REQUEST2, g->hport,
		   gport, &p) != TEST_SUCCESS)
		return TEST_FAILED;
	TEST_ASSERT_EQUAL(p->u.size, RTE_VMCI_VSOCK_BUFFER_DEFAULT_SIZE, "proposed size");
	TEST_ASSERT_EQUAL(p->proto, classic ? 0 : RTE_VMCI_VSOCK_PROTO_PKT_ON_NOTIFY, "proto");
	g->size = 8192;
	TEST_ASSERT(gsend(classic ? RTE_VMCI_VSOCK_PKT_NEGOTIATE : RTE_VMCI_VSOCK_PKT_NEGOTIATE2,
			  classic ? 0 : RTE_VMCI_VSOCK_PROTO_PKT_ON_NOTIFY, gport, g->hport,
			  g->size, 0) >= 0, "send NEGOTIATE");
	if (expect(RTE_VMCI_VSOCK_PKT_OFFER, g->hport, gport, &p) != TEST_SUCCESS)
		return TEST_FAILED;
	TEST_ASSERT_EQUAL(p->u.handle.context, RTE_VMCI_HOST_CID, "the host's pair");
	qc.handle = p->u.handle;
	qc.produce_size = g->size;
	qc.consume_size = g->size;
	g->qpair = rte_vmci_qpair_create(guest, &qc);
	TEST_ASSERT(g->qpair != NULL, "attach: %s", rte_strerror(rte_errno));
	g->ep = rte_vmci_qpair_endpoint(g->qpair);
	TEST_ASSERT(gsend(RTE_VMCI_VSOCK_PKT_ATTACH, 0, gport, g->hport, handle_u64(qc.handle),
			  0) >= 0, "send ATTACH");
	TEST_ASSERT_EQUAL(host_info(g->id, &info), TEST_SUCCESS, "info");
	TEST_ASSERT_EQUAL(info.state, VMCI_EMU_VSOCK_ESTABLISHED, "established");
	TEST_ASSERT_EQUAL(info.size, g->size, "negotiated size");
	return TEST_SUCCESS;
}

static int
host_client(uint32_t handshake)
{
	struct gconn g;
	int ret;

	TEST_ASSERT_EQUAL(host_connect(&g, 7000, VMCI_EMU_VSOCK_ECHO, handshake, 0), TEST_SUCCESS,
			  "host connects");
	fill(txbuf, 100000, 7);
	ret = move_bytes(&g, 100000, 100000);
	gconn_close(&g);
	pump();
	TEST_ASSERT_EQUAL(vmci_emu_vsock_conn_count(vs), 0, "host closed on our detach");
	return ret;
}

static int
test_host_client_new(void)
{
	return host_client(VMCI_EMU_VSOCK_HS_NEW);
}

static int
test_host_client_classic(void)
{
	return host_client(VMCI_EMU_VSOCK_HS_CLASSIC);
}

/* An old guest answers REQUEST2 with INVALID and a RST: the host falls back once. */
static int
test_host_client_fallback(void)
{
	struct vmci_emu_vsock_connect_conf cc = {
		.cid = GUEST_CID,
		.port = 7001,
		.kind = VMCI_EMU_VSOCK_IDLE,
	};
	struct vmci_emu_vsock_conn_info info;
	uint32_t hport;
	int id;

	rxq_flush();
	id = vmci_emu_vsock_connect(vs, &cc);
	TEST_ASSERT(id >= 0, "connect");
	vmci_emu_vsock_conn_info(vs, id, &info);
	hport = info.local_port;
	TEST_ASSERT_EQUAL(expect(RTE_VMCI_VSOCK_PKT_REQUEST2, hport, 7001, NULL), TEST_SUCCESS,
			  "REQUEST2");
	TEST_ASSERT(gsend(RTE_VMCI_VSOCK_PKT_INVALID, 0, 7001, hport, 0, 0) >= 0, "send");
	TEST_ASSERT(gsend(RTE_VMCI_VSOCK_PKT_RST, 0, 7001, hport, 0, 0) >= 0, "send");
	TEST_ASSERT_EQUAL(expect(RTE_VMCI_VSOCK_PKT_REQUEST, hport, 7001, NULL), TEST_SUCCESS,
			  "classic REQUEST after INVALID");
	TEST_ASSERT_EQUAL(host_info(id, &info), TEST_SUCCESS, "info");
	TEST_ASSERT_EQUAL(info.state, VMCI_EMU_VSOCK_CONNECTING, "one RST forgiven");
	/* A second INVALID is no reason to go round again; a second RST ends it. */
	TEST_ASSERT(gsend(RTE_VMCI_VSOCK_PKT_RST, 0, 7001, hport, 0, 0) >= 0, "send");
	TEST_ASSERT_EQUAL(host_info(id, &info), TEST_SUCCESS, "info");
	TEST_ASSERT_EQUAL(info.state, VMCI_EMU_VSOCK_CLOSED, "closed");
	TEST_ASSERT_EQUAL(info.error, ECONNRESET, "reset");
	TEST_ASSERT_EQUAL(count_type(RTE_VMCI_VSOCK_PKT_RST), 0, "no RST for a RST");
	return TEST_SUCCESS;
}

/* The host as client checks NEGOTIATE (section 3.2): a size out of its range is a RST. */
static int
test_host_client_bad_negotiate(void)
{
	struct vmci_emu_vsock_connect_conf cc = {
		.cid = GUEST_CID,
		.port = 7002,
		.kind = VMCI_EMU_VSOCK_IDLE,
	};
	static const uint64_t sizes[] = { 0, 64, 262145 };
	struct vmci_emu_vsock_conn_info info;
	unsigned int i;
	int id;

	for (i = 0; i < RTE_DIM(sizes) + 1; i++) {
		rxq_flush();
		id = vmci_emu_vsock_connect(vs, &cc);
		TEST_ASSERT(id >= 0, "connect");
		vmci_emu_vsock_conn_info(vs, id, &info);
		TEST_ASSERT_EQUAL(expect(RTE_VMCI_VSOCK_PKT_REQUEST2, info.local_port, 7002, NULL),
				  TEST_SUCCESS, "REQUEST2");
		if (i < RTE_DIM(sizes))
			gsend(RTE_VMCI_VSOCK_PKT_NEGOTIATE2, 1, 7002, info.local_port, sizes[i], 0);
		else /* a protocol it did not offer */
			gsend(RTE_VMCI_VSOCK_PKT_NEGOTIATE2, 2, 7002, info.local_port, 4096, 0);
		TEST_ASSERT_EQUAL(expect(RTE_VMCI_VSOCK_PKT_RST, info.local_port, 7002, NULL),
				  TEST_SUCCESS, "RST for a bad NEGOTIATE2 (%u)", i);
		TEST_ASSERT_EQUAL(host_info(id, &info), TEST_SUCCESS, "info");
		TEST_ASSERT_EQUAL(info.error, EPROTO, "EPROTO");
	}
	return TEST_SUCCESS;
}

static int
test_host_client_timeout(void)
{
	struct vmci_emu_vsock_connect_conf cc = {
		.cid = GUEST_CID,
		.port = 7003,
		.timeout_ms = 20,
	};
	struct vmci_emu_vsock_conn_info info;
	int id;

	id = vmci_emu_vsock_connect(vs, &cc);
	TEST_ASSERT(id >= 0, "connect");
	TEST_ASSERT_EQUAL(wait_no_conns(), 0, "connections left");
	TEST_ASSERT_EQUAL(vmci_emu_vsock_conn_info(vs, id, &info), 0, "info");
	TEST_ASSERT_EQUAL(info.state, VMCI_EMU_VSOCK_CLOSED, "given up");
	TEST_ASSERT_EQUAL(info.error, ETIMEDOUT, "timed out");
	rxq_flush();
	return TEST_SUCCESS;
}

/* The host's source, as client: it sends without being asked. */
static int
test_host_client_source(void)
{
	struct gconn g;
	uint64_t got = 0, i, end;
	ssize_t n;

	TEST_ASSERT_EQUAL(host_connect(&g, 7004, VMCI_EMU_VSOCK_SOURCE, VMCI_EMU_VSOCK_HS_NEW,
				       50000), TEST_SUCCESS, "host connects");
	end = wait_end();
	while (got < 50000 && rte_get_timer_cycles() < end) {
		pump();
		n = rte_vmci_qp_dequeue_burst(g.ep, rxbuf, sizeof(rxbuf));
		TEST_ASSERT(n >= 0, "dequeue");
		for (i = 0; i < (uint64_t)n; i++)
			TEST_ASSERT_EQUAL(rxbuf[i], vmci_emu_vsock_pattern(got + i), "byte");
		got += (uint64_t)n;
	}
	TEST_ASSERT_EQUAL(got, 50000, "bytes");
	pump();
	TEST_ASSERT_EQUAL(g.detached, 1, "closed when done");
	gconn_close(&g);
	return TEST_SUCCESS;
}

/*
 * Pending connections (section 6.6 items 18-20): a RST or anything else
 * ends one at once; REQUEST floods stop at the backlog; the rest time out.
 */
static int
test_pending(void)
{
	struct vmci_emu_vsock_service svc = {
		.port = 8000,
		.kind = VMCI_EMU_VSOCK_ECHO,
		.backlog = 4,
		.pending_ms = 20,
	};
	struct vmci_emu_vsock_stats before, after;
	unsigned int i, neg, rst;

	TEST_ASSERT_EQUAL(vmci_emu_vsock_listen(vs, &svc), 0, "listen");
	TEST_ASSERT_EQUAL(vmci_emu_vsock_listen(vs, &svc), -EEXIST, "port taken");
	vmci_emu_vsock_stats_get(vs, &before);
	rxq_flush();
	TEST_ASSERT(gsend(RTE_VMCI_VSOCK_PKT_REQUEST2, 1, 9000, 8000, 4096, 0) >= 0, "send");
	TEST_ASSERT_EQUAL(expect(RTE_VMCI_VSOCK_PKT_NEGOTIATE2, 8000, 9000, NULL), TEST_SUCCESS,
			  "NEGOTIATE2");
	TEST_ASSERT_EQUAL(vmci_emu_vsock_conn_count(vs), 1, "pending");
	TEST_ASSERT(gsend(RTE_VMCI_VSOCK_PKT_RST, 0, 9000, 8000, 0, 0) >= 0, "send");
	pump();
	TEST_ASSERT_EQUAL(vmci_emu_vsock_conn_count(vs), 0, "a RST removes it at once");
	TEST_ASSERT_EQUAL(count_type(RTE_VMCI_VSOCK_PKT_RST), 0, "no RST for the RST");
	/* A flood: the backlog answers 4, the rest get RSTs. */
	for (i = 0; i < 20; i++)
		TEST_ASSERT(gsend(RTE_VMCI_VSOCK_PKT_REQUEST2, 1, 9100 + i, 8000, 4096, 0) >= 0,
			    "send");
	neg = count_type(RTE_VMCI_VSOCK_PKT_NEGOTIATE2);
	rst = count_type(RTE_VMCI_VSOCK_PKT_RST);
	TEST_ASSERT(neg == 4 && rst == 16, "%u NEGOTIATE2 and %u RST, expected 4 and 16", neg,
		    rst);
	/* A duplicate REQUEST from a pending peer resets it. */
	rxq_flush();
	TEST_ASSERT(gsend(RTE_VMCI_VSOCK_PKT_REQUEST2, 1, 9100, 8000, 4096, 0) >= 0, "send");
	TEST_ASSERT_EQUAL(expect(RTE_VMCI_VSOCK_PKT_RST, 8000, 9100, NULL), TEST_SUCCESS,
			  "duplicate REQUEST");
	TEST_ASSERT_EQUAL(wait_no_conns(), 0, "timed out and released");
	vmci_emu_vsock_stats_get(vs, &after);
	TEST_ASSERT_EQUAL(after.pending_timeouts - before.pending_timeouts, 3, "timeouts");
	/* The backlog is whole again. */
	rxq_flush();
	TEST_ASSERT(gsend(RTE_VMCI_VSOCK_PKT_REQUEST2, 1, 9200, 8000, 4096, 0) >= 0, "send");
	TEST_ASSERT_EQUAL(expect(RTE_VMCI_VSOCK_PKT_NEGOTIATE2, 8000, 9200, NULL), TEST_SUCCESS,
			  "backlog released");
	gsend(RTE_VMCI_VSOCK_PKT_RST, 0, 9200, 8000, 0, 0);
	pump();
	return TEST_SUCCESS;
}

/* OFFERs the host must not take: invalid, another context's, a pair that does not fit. */
static int
test_bad_offers(void)
{
	struct rte_vmci_handle bad[] = {
		{ RTE_VMCI_INVALID_ID, RTE_VMCI_INVALID_ID },
		{ 21, 5000 },          /* not the guest's context */
		{ GUEST_CID, 0x7777777 }, /* no such pair */
	};
	struct rte_vmci_qpair_conf qc = {
		.peer = RTE_VMCI_HOST_CID,
		.socket_id = SOCKET_ID_ANY,
	};
	struct gconn g;
	unsigned int i;
	int ret;

	for (i = 0; i < RTE_DIM(bad); i++) {
		TEST_ASSERT_EQUAL(guest_request(&g, VMCI_EMU_VSOCK_PORT_ECHO, 4096, false),
				  TEST_SUCCESS, "request");
		TEST_ASSERT(gsend(RTE_VMCI_VSOCK_PKT_OFFER, 0, g.port, g.hport,
				  handle_u64(bad[i]), 0) >= 0, "send");
		TEST_ASSERT_EQUAL(expect(RTE_VMCI_VSOCK_PKT_RST, g.hport, g.port, NULL),
				  TEST_SUCCESS, "RST for OFFER %u:%u", bad[i].context,
				  bad[i].resource);
	}
	/* A pair of another size than negotiated: the attach fails, a RST. */
	TEST_ASSERT_EQUAL(guest_request(&g, VMCI_EMU_VSOCK_PORT_ECHO, 4096, false), TEST_SUCCESS,
			  "request");
	qc.produce_size = 8192;
	qc.consume_size = 8192;
	g.qpair = rte_vmci_qpair_create(guest, &qc);
	TEST_ASSERT(g.qpair != NULL, "guest pair");
	TEST_ASSERT(gsend(RTE_VMCI_VSOCK_PKT_OFFER, 0, g.port, g.hport,
			  handle_u64(rte_vmci_qpair_handle(g.qpair)), 0) >= 0, "send");
	ret = expect(RTE_VMCI_VSOCK_PKT_RST, g.hport, g.port, NULL);
	gconn_close(&g);
	TEST_ASSERT_EQUAL(ret, TEST_SUCCESS, "RST for a pair of the wrong size");
	TEST_ASSERT_EQUAL(vmci_emu_vsock_conn_count(vs), 0, "nothing left");
	return TEST_SUCCESS;
}

/* Hostile host: what the knobs make it send. */
static int
test_hostile_knobs(void)
{
	struct vmci_emu_vsock_service svc = {
		.port = 8100,
		.kind = VMCI_EMU_VSOCK_ECHO,
		.misbehave = VMCI_EMU_VSOCK_BAD_NEG_SIZE_ZERO | VMCI_EMU_VSOCK_BAD_NEG2_PROTO,
	};
	struct vmci_emu_vsock_connect_conf cc = {
		.cid = GUEST_CID,
		.port = 7005,
		.misbehave = VMCI_EMU_VSOCK_BAD_OFFER_FOREIGN,
	};
	const struct rte_vmci_vsock_ctl_pkt *p;
	struct vmci_emu_vsock_conn_info info;
	struct gconn g;
	int id;

	TEST_ASSERT_EQUAL(vmci_emu_vsock_listen(vs, &svc), 0, "listen");
	rxq_flush();
	TEST_ASSERT(gsend(RTE_VMCI_VSOCK_PKT_REQUEST2, 1, 9300, 8100, 4096, 0) >= 0, "send");
	TEST_ASSERT_EQUAL(expect(RTE_VMCI_VSOCK_PKT_NEGOTIATE2, 8100, 9300, &p), TEST_SUCCESS,
			  "NEGOTIATE2");
	TEST_ASSERT(p->u.size == 0 && p->proto == 2, "size %" PRIu64 " proto %u", p->u.size,
		    p->proto);
	gsend(RTE_VMCI_VSOCK_PKT_RST, 0, 9300, 8100, 0, 0);
	/* A host client offering a pair of the guest's own context. */
	id = vmci_emu_vsock_connect(vs, &cc);
	TEST_ASSERT(id >= 0, "connect");
	vmci_emu_vsock_conn_info(vs, id, &info);
	TEST_ASSERT_EQUAL(expect(RTE_VMCI_VSOCK_PKT_REQUEST2, info.local_port, 7005, NULL),
			  TEST_SUCCESS, "REQUEST2");
	gsend(RTE_VMCI_VSOCK_PKT_NEGOTIATE2, 1, 7005, info.local_port, 4096, 0);
	TEST_ASSERT_EQUAL(expect(RTE_VMCI_VSOCK_PKT_OFFER, info.local_port, 7005, &p),
			  TEST_SUCCESS, "OFFER");
	TEST_ASSERT_EQUAL(p->u.handle.context, GUEST_CID, "a handle that is not the host's");
	gsend(RTE_VMCI_VSOCK_PKT_RST, 0, 7005, info.local_port, 0, 0);
	pump();
	/* Detach mid-stream: the guest hears QP_PEER_DETACH and nothing else. */
	TEST_ASSERT_EQUAL(guest_connect(&g, VMCI_EMU_VSOCK_PORT_ECHO, 4096, false), TEST_SUCCESS,
			  "handshake");
	fill(txbuf, 2000, 5);
	TEST_ASSERT_EQUAL(rte_vmci_qp_enqueue_bulk(g.ep, txbuf, 2000), 2000, "enqueue");
	pump();
	TEST_ASSERT_EQUAL(vmci_emu_vsock_conn_detach(vs, g.id), 0, "detach");
	pump();
	TEST_ASSERT_EQUAL(g.detached, 1, "guest saw the detach");
	TEST_ASSERT_EQUAL(rte_vmci_qp_dequeue_bulk(g.ep, rxbuf, 2000), 2000,
			  "echoed bytes stay readable");
	TEST_ASSERT_EQUAL(vmci_emu_vsock_conn_detach(vs, g.id), -ENOTCONN, "twice");
	gconn_close(&g);
	rxq_flush();
	/* A spoofed RST from the host for a port of nobody's. */
	TEST_ASSERT(vmci_emu_vsock_send_pkt(vs, GUEST_CID, RTE_VMCI_VSOCK_PKT_RST, 0, 1, 2, 0,
					    0) >= 0, "raw packet");
	TEST_ASSERT_EQUAL(expect(RTE_VMCI_VSOCK_PKT_RST, 1, 2, NULL), TEST_SUCCESS, "raw RST");
	TEST_ASSERT(vmci_emu_vsock_send_raw(vs, GUEST_CID, "short", 5) >= 0, "raw short");
	pump();
	TEST_ASSERT_EQUAL(rxq.short_ones, 1, "short datagram arrived as sent");
	rxq.short_ones = 0;
	return TEST_SUCCESS;
}

/* The host's connection @id after a pump: asleep where expected, with these counters. */
static int
expect_sleep(int id, enum vmci_emu_vsock_sleep where, uint64_t sleeps_reading,
	     uint64_t sleeps_writing, uint64_t wakeups_wrote, uint64_t wakeups_read)
{
	struct vmci_emu_vsock_conn_info info;

	TEST_ASSERT_EQUAL(host_info(id, &info), TEST_SUCCESS, "info");
	TEST_ASSERT(info.sleeps, "a sleeping service");
	TEST_ASSERT_EQUAL(info.asleep, where, "where the host sleeps");
	TEST_ASSERT_EQUAL(info.stats.sleeps_reading, sleeps_reading, "sleeps reading");
	TEST_ASSERT_EQUAL(info.stats.sleeps_writing, sleeps_writing, "sleeps writing");
	TEST_ASSERT_EQUAL(info.stats.wakeups_wrote, wakeups_wrote, "woken by WROTE");
	TEST_ASSERT_EQUAL(info.stats.wakeups_read, wakeups_read, "woken by READ");
	return TEST_SUCCESS;
}

/* Poll both ends many times: a host that looked at its queue would act on the first. */
static void
pump_long(void)
{
	int i;

	for (i = 0; i < 100; i++)
		pump();
}

/* @len bytes of txbuf from @off came back, and nothing more. */
static int
expect_echo(struct gconn *g, size_t off, size_t len)
{
	TEST_ASSERT_EQUAL(rte_vmci_qp_dequeue_burst(g->ep, rxbuf, sizeof(rxbuf)), (ssize_t)len,
			  "bytes echoed");
	TEST_ASSERT(memcmp(rxbuf, txbuf + off, len) == 0, "echoed bytes differ");
	return TEST_SUCCESS;
}

/*
 * A sleeping echo (vmci_emu_vsock_service::sleeps), as a blocked Linux
 * process (sections 3.6, 3.9): once it found nothing to read it does not
 * look again, however long it is polled, until a WROTE; once it found the
 * guest's queue full, until a READ. Neither notification wakes the other
 * sleep; a WROTE with nothing queued wakes it to sleep again; a SHUTDOWN
 * wakes it either way. In the classic protocol each sleep starts with the
 * matching WAITING_*.
 */
static int
sleeping_echo(bool classic)
{
	struct vmci_emu_vsock_service svc = {
		.port = 8200,
		.kind = VMCI_EMU_VSOCK_ECHO,
		.sleeps = true,
	};
	struct vmci_emu_vsock_conn_info info;
	const uint64_t q = 4095; /* what a 4096-byte queue holds */
	struct gconn g;
	int ret = TEST_FAILED;

	TEST_ASSERT_EQUAL(vmci_emu_vsock_listen(vs, &svc), 0, "listen");
	if (guest_connect(&g, svc.port, 4096, classic) != TEST_SUCCESS)
		goto out;
	fill(txbuf, 100 + q + 100, 12);
	/* Asleep reading from the start; bytes without a WROTE stay where they are. */
	if (expect_sleep(g.id, VMCI_EMU_VSOCK_ASLEEP_READING, 1, 0, 0, 0) != TEST_SUCCESS ||
	    rte_vmci_qp_enqueue_bulk(g.ep, txbuf, 100) != 100)
		goto out;
	pump_long();
	if (rte_vmci_qp_ready_bytes(g.ep) != 0 ||
	    rte_vmci_qp_free_space(g.ep) != (int64_t)q - 100 ||
	    gsend(RTE_VMCI_VSOCK_PKT_READ, 0, g.port, g.hport, 0, 0) < 0) {
		printf("  the host looked at its queue without a WROTE\n");
		goto out;
	}
	/* A READ does not wake a reader; a WROTE does, and it echoes and sleeps again. */
	if (expect_sleep(g.id, VMCI_EMU_VSOCK_ASLEEP_READING, 1, 0, 0, 0) != TEST_SUCCESS ||
	    gsend(RTE_VMCI_VSOCK_PKT_WROTE, 0, g.port, g.hport, 0, 0) < 0 ||
	    expect_sleep(g.id, VMCI_EMU_VSOCK_ASLEEP_READING, 2, 0, 1, 0) != TEST_SUCCESS ||
	    expect_echo(&g, 0, 100) != TEST_SUCCESS)
		goto out;
	/* A WROTE with nothing queued: woken, it finds nothing and sleeps again. */
	if (gsend(RTE_VMCI_VSOCK_PKT_WROTE, 0, g.port, g.hport, 0, 0) < 0 ||
	    expect_sleep(g.id, VMCI_EMU_VSOCK_ASLEEP_READING, 3, 0, 2, 0) != TEST_SUCCESS)
		goto out;
	/* A full queue echoed fills the guest's; 100 more find no room: asleep writing. */
	if (rte_vmci_qp_enqueue_bulk(g.ep, txbuf + 100, q) != (ssize_t)q ||
	    gsend(RTE_VMCI_VSOCK_PKT_WROTE, 0, g.port, g.hport, 0, 0) < 0 ||
	    expect_sleep(g.id, VMCI_EMU_VSOCK_ASLEEP_READING, 4, 0, 3, 0) != TEST_SUCCESS ||
	    rte_vmci_qp_enqueue_bulk(g.ep, txbuf + 100 + q, 100) != 100 ||
	    gsend(RTE_VMCI_VSOCK_PKT_WROTE, 0, g.port, g.hport, 0, 0) < 0 ||
	    expect_sleep(g.id, VMCI_EMU_VSOCK_ASLEEP_WRITING, 4, 1, 4, 0) != TEST_SUCCESS)
		goto out;
	/* Room made without a READ (and a WROTE, the wrong one) leaves it asleep. */
	if (expect_echo(&g, 100, q) != TEST_SUCCESS ||
	    gsend(RTE_VMCI_VSOCK_PKT_WROTE, 0, g.port, g.hport, 0, 0) < 0)
		goto out;
	pump_long();
	if (rte_vmci_qp_ready_bytes(g.ep) != 0) {
		printf("  the host wrote without a READ\n");
		goto out;
	}
	if (expect_sleep(g.id, VMCI_EMU_VSOCK_ASLEEP_WRITING, 4, 1, 4, 0) != TEST_SUCCESS ||
	    gsend(RTE_VMCI_VSOCK_PKT_READ, 0, g.port, g.hport, 0, 0) < 0 ||
	    expect_sleep(g.id, VMCI_EMU_VSOCK_ASLEEP_READING, 5, 1, 4, 1) != TEST_SUCCESS ||
	    expect_echo(&g, 100 + q, 100) != TEST_SUCCESS)
		goto out;
	/* A SHUTDOWN (send) wakes it: it finds the end of the stream, says SHUTDOWN, closes. */
	if (gsend(RTE_VMCI_VSOCK_PKT_SHUTDOWN, 0, g.port, g.hport, RTE_VMCI_VSOCK_SHUTDOWN_SEND,
		  0) < 0 || host_info(g.id, &info) != TEST_SUCCESS)
		goto out;
	if (info.state != VMCI_EMU_VSOCK_CLOSED || info.error != 0 ||
	    info.stats.wakeups_other != 1 || info.stats.shutdown_tx != 1 || g.detached != 1) {
		printf("  after SHUTDOWN: state %d error %d woken %" PRIu64 " SHUTDOWN sent %"
		       PRIu64 " detached %u\n", info.state, info.error, info.stats.wakeups_other,
		       info.stats.shutdown_tx, g.detached);
		goto out;
	}
	/* Classic: each sleep began with its WAITING_*; queue-state sends none. */
	if (info.stats.waiting_read_tx != (classic ? info.stats.sleeps_reading : 0) ||
	    info.stats.waiting_write_tx != (classic ? info.stats.sleeps_writing : 0)) {
		printf("  WAITING_READ %" PRIu64 ", WAITING_WRITE %" PRIu64 " for %" PRIu64
		       " and %" PRIu64 " sleeps (%s)\n", info.stats.waiting_read_tx,
		       info.stats.waiting_write_tx, info.stats.sleeps_reading,
		       info.stats.sleeps_writing, classic ? "classic" : "queue-state");
		goto out;
	}
	ret = TEST_SUCCESS;
out:
	gconn_close(&g);
	vmci_emu_vsock_unlisten(vs, svc.port);
	pump();
	return ret;
}

static int
test_sleeping_echo_new(void)
{
	return sleeping_echo(false);
}

static int
test_sleeping_echo_classic(void)
{
	return sleeping_echo(true);
}

/* A host-side index out of range: the host's own reads of guest indices are checked too. */
static int
test_guest_bad_index(void)
{
	struct vmci_emu_vsock_conn_info info;
	struct gconn g;
	int ret;

	TEST_ASSERT_EQUAL(guest_connect(&g, VMCI_EMU_VSOCK_PORT_ECHO, 4096, false), TEST_SUCCESS,
			  "handshake");
	/* The guest (hostile now) publishes a producer tail beyond its queue. */
	ret = vmci_emu_fault_qp_header(VMCI_EMU_DEFAULT_HV, rte_vmci_qpair_handle(g.qpair), 0,
				       1u << 20, 0);
	TEST_ASSERT_EQUAL(ret, 0, "write the guest's produce header");
	rxq_flush();
	TEST_ASSERT_EQUAL(host_info(g.id, &info), TEST_SUCCESS, "info");
	TEST_ASSERT_EQUAL(info.state, VMCI_EMU_VSOCK_CLOSED, "closed");
	TEST_ASSERT_EQUAL(info.error, EIO, "EIO");
	TEST_ASSERT_EQUAL(info.stats.rst_tx, 1, "a RST");
	gconn_close(&g);
	return TEST_SUCCESS;
}

/*
 * -a vmci:vmci_host0,vsock=1: the host device serves the default services
 * from its own control thread; the guest only polls its device.
 */
static int
served_echo(bool classic)
{
	static const size_t sizes[] = { 1, 4095, 4096, 65536, 1 << 20 };
	struct gconn g;
	unsigned int i;
	int ret = TEST_SUCCESS;

	TEST_ASSERT_EQUAL(guest_connect(&g, VMCI_EMU_VSOCK_PORT_ECHO, 65536, classic),
			  TEST_SUCCESS, "handshake");
	for (i = 0; i < RTE_DIM(sizes) && ret == TEST_SUCCESS; i++) {
		fill(txbuf, sizes[i], i + 11);
		ret = move_bytes(&g, sizes[i], sizes[i]);
	}
	gconn_close(&g);
	return ret;
}

static int
test_served_echo_new(void)
{
	return served_echo(false);
}

static int
test_served_echo_classic(void)
{
	return served_echo(true);
}

static int
served_setup(void)
{
	gctl = rte_vmci_dgram_create(guest, RTE_VMCI_VSOCK_PACKET_RID, guest_ctl_rx, NULL);
	return gctl == NULL ? -1 : 0;
}

static void
served_teardown(void)
{
	rte_vmci_dgram_destroy(gctl);
}

static const struct vmci_test_case served_cases[] = {
	{ "served_echo_new", test_served_echo_new },
	{ "served_echo_classic", test_served_echo_classic },
	{ "served_source", test_source },
	{ "served_dgram_echo", test_dgram_echo },
	{ NULL, NULL },
};

static const struct vmci_test_suite served_suite = {
	.name = "vsock_host_served",
	.setup = served_setup,
	.teardown = served_teardown,
	.cases = served_cases,
};

static int
suite_setup(void)
{
	vs = vmci_emu_vsock_create(host);
	if (vs == NULL || vmci_emu_vsock_listen_defaults(vs, false) < 0) {
		printf("  host endpoint: %s\n", rte_strerror(rte_errno));
		return -1;
	}
	if (vmci_emu_vsock_create(host) != NULL || rte_errno != EEXIST) {
		printf("  a second endpoint on one host device\n");
		return -1;
	}
	gctl = rte_vmci_dgram_create(guest, RTE_VMCI_VSOCK_PACKET_RID, guest_ctl_rx, NULL);
	return gctl == NULL ? -1 : 0;
}

static void
suite_teardown(void)
{
	rte_vmci_dgram_destroy(gctl);
	vmci_emu_vsock_destroy(vs);
}

static const struct vmci_test_case vsock_host_cases[] = {
	{ "handshake_new", test_handshake_new },
	{ "size_negotiation", test_size_negotiation },
	{ "echo_new", test_echo_new },
	{ "echo_classic", test_echo_classic },
	{ "notify_qstate", test_notify_qstate },
	{ "notify_classic", test_notify_classic },
	{ "notify_after_shut_rd", test_notify_after_shut_rd },
	{ "refusals", test_refusals },
	{ "half_close", test_half_close },
	{ "reset", test_reset },
	{ "guest_detach", test_guest_detach },
	{ "source", test_source },
	{ "discard", test_discard },
	{ "dgram_echo", test_dgram_echo },
	{ "host_client_new", test_host_client_new },
	{ "host_client_classic", test_host_client_classic },
	{ "host_client_fallback", test_host_client_fallback },
	{ "host_client_bad_negotiate", test_host_client_bad_negotiate },
	{ "host_client_timeout", test_host_client_timeout },
	{ "host_client_source", test_host_client_source },
	{ "pending", test_pending },
	{ "bad_offers", test_bad_offers },
	{ "hostile_knobs", test_hostile_knobs },
	{ "guest_bad_index", test_guest_bad_index },
	{ "sleeping_echo_new", test_sleeping_echo_new },
	{ "sleeping_echo_classic", test_sleeping_echo_classic },
	{ NULL, NULL },
};

static const struct vmci_test_suite vsock_host_suite = {
	.name = "vsock_host",
	.setup = suite_setup,
	.teardown = suite_teardown,
	.cases = vsock_host_cases,
};

/*
 * With -a vmci:vmci_host0,vsock=1 the host device serves the endpoint from
 * its own control thread (its control resource is taken): the served suite
 * runs, polling only the guest. Without, this program is the host.
 */
int
main(int argc, char **argv)
{
	const struct vmci_test_suite *suite = &vsock_host_suite;
	struct vmci_emu_vsock *probe;
	int ret;

	if (vmci_test_eal_init(argc, argv) < 0)
		return 1;
	guest = rte_vmci_dev_find("vmci_emu0");
	host = rte_vmci_dev_find("vmci_host0");
	if (guest == NULL || host == NULL) {
		printf("expected vmci_emu0 and vmci_host0 from -a vmci:...\n");
		rte_eal_cleanup();
		return 1;
	}
	probe = vmci_emu_vsock_create(host);
	if (probe == NULL && rte_errno == EEXIST)
		suite = &served_suite;
	vmci_emu_vsock_destroy(probe);
	ret = vmci_test_run_suite(suite);
	rte_eal_cleanup();
	return ret;
}
