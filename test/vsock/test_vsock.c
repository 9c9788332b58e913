/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

/*
 * The vSockets component against a scripted peer. The guest (vmci_emu0,
 * CID 20) runs a context; the peer is a raw datagram endpoint on the
 * emulated host's device (vmci_host0, CID 2) at resource 1, which sends
 * and receives control packets byte by byte as the hypervisor routes them,
 * built from the wire header alone. Queue pairs on the host side are
 * attached with the public API (the guest creates) or created through the
 * emulator's test interface (the host creates, the guest attaches), as a
 * host kernel would.
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_malloc.h>

#include "rte_bus_vmci.h"
#include "rte_vmci_vsock.h"
#include "vmci_defs.h"
#include "vmci_emu_test.h"
#include "vmci_test.h"

#define GUEST_CID 20
#define HOST_CID RTE_VMCI_VSOCK_CID_HOST
#define PUMP_TRIES 2000
#define PEER_QLEN 256

static struct rte_vmci_device *guest, *host;
static uint32_t guest_cid = GUEST_CID; /* where the peer sends: follows a CID change */
static struct rte_vmci_vsock_ctx *ctx;
static uint32_t next_host_rid = 5000;

/* The scripted host: every control packet the guest sent, in order. */
static struct {
	struct rte_vmci_dgram *ep;
	struct rte_vmci_vsock_ctl_pkt q[PEER_QLEN];
	unsigned int head, tail;
	unsigned int odd_len;
} peer;

static void
peer_rx(struct rte_vmci_dgram *ep, struct rte_vmci_handle src, const void *payload,
	uint32_t len, void *arg)
{
	struct rte_vmci_vsock_ctl_pkt *p;

	RTE_SET_USED(ep);
	RTE_SET_USED(arg);
	if (len != RTE_VMCI_VSOCK_CTL_PAYLOAD_SIZE) {
		peer.odd_len++;
		return;
	}
	if (peer.tail - peer.head == PEER_QLEN)
		return;
	p = &peer.q[peer.tail++ % PEER_QLEN];
	memset(p, 0, sizeof(*p));
	p->dg.src = src;
	p->dg.payload_size = len;
	memcpy((uint8_t *)p + RTE_VMCI_VSOCK_DG_HDR_SIZE, payload, len);
}

static void
pump(void)
{
	if (ctx != NULL)
		rte_vmci_vsock_poll(ctx);
	else
		rte_vmci_poll(guest);
	rte_vmci_poll(host);
}

/* Send a raw control packet to the guest from the peer's resource 1. */
static int
peer_send_raw(uint8_t version, uint8_t type, uint32_t sport, uint32_t dport, uint16_t proto,
	      uint64_t u0, uint64_t u1)
{
	struct rte_vmci_vsock_ctl_pkt p;
	struct rte_vmci_handle dst = { guest_cid, RTE_VMCI_VSOCK_PACKET_RID };

	memset(&p, 0, sizeof(p));
	p.version = version;
	p.type = type;
	p.proto = proto;
	p.src_port = sport;
	p.dst_port = dport;
	p.u.wait.generation = u0;
	p.u.wait.offset = u1;
	return rte_vmci_dgram_send(peer.ep, dst, (uint8_t *)&p + RTE_VMCI_VSOCK_DG_HDR_SIZE,
				   RTE_VMCI_VSOCK_CTL_PAYLOAD_SIZE);
}

static int
peer_send(uint8_t type, uint32_t sport, uint32_t dport, uint16_t proto, uint64_t u0)
{
	return peer_send_raw(RTE_VMCI_VSOCK_PACKET_VERSION, type, sport, dport, proto, u0, 0);
}

static uint64_t
handle_u64(struct rte_vmci_handle h)
{
	return (uint64_t)h.resource << 32 | h.context;
}

/* Wait for the next packet from the guest; it must be of @type. */
static int
peer_expect(uint8_t type, struct rte_vmci_vsock_ctl_pkt *out)
{
	struct rte_vmci_vsock_ctl_pkt *p;
	int i;

	for (i = 0; i < PUMP_TRIES && peer.head == peer.tail; i++)
		pump();
	if (peer.head == peer.tail) {
		printf("  no packet (expected type %u)\n", type);
		return -1;
	}
	p = &peer.q[peer.head++ % PEER_QLEN];
	if (p->type != type || p->version != RTE_VMCI_VSOCK_PACKET_VERSION ||
	    p->dg.src.context != guest_cid || p->dg.src.resource != RTE_VMCI_VSOCK_PACKET_RID ||
	    p->reserved2 != 0) {
		printf("  got type %u version %u from %u:%u reserved2 %u, expected type %u\n",
		       p->type, p->version, p->dg.src.context, p->dg.src.resource, p->reserved2,
		       type);
		return -1;
	}
	if (out != NULL)
		*out = *p;
	return 0;
}

/* Let the guest run and check it sent nothing. */
static int
peer_silent(void)
{
	int i;

	for (i = 0; i < 50; i++)
		pump();
	if (peer.head != peer.tail) {
		printf("  unexpected packet type %u\n", peer.q[peer.head % PEER_QLEN].type);
		return -1;
	}
	return 0;
}

/* Drop what the guest sent of WROTE/READ; stop at anything else. */
static unsigned int
peer_take_notifies(uint8_t type)
{
	unsigned int n = 0;

	while (peer.head != peer.tail && peer.q[peer.head % PEER_QLEN].type == type) {
		peer.head++;
		n++;
	}
	return n;
}

static void
peer_flush(void)
{
	int i;

	for (i = 0; i < 20; i++)
		pump();
	peer.head = peer.tail;
}

static int
ctx_reset(const struct rte_vmci_vsock_conf *conf)
{
	rte_vmci_vsock_ctx_destroy(ctx);
	ctx = rte_vmci_vsock_ctx_create(guest, conf);
	peer_flush();
	return ctx == NULL ? -1 : 0;
}

/* Handshakes never expire on their own here, however slow the machine:
 * the timeout tests set short ones.
 */
static const struct rte_vmci_vsock_conf default_conf = {
	.buffer_size = 65536,
	.connect_timeout_ms = 3600 * 1000,
	.pending_timeout_ms = 3600 * 1000,
	.socket_id = SOCKET_ID_ANY,
};

static int
suite_setup(void)
{
	guest = rte_vmci_dev_find("vmci_emu0");
	host = rte_vmci_dev_find("vmci_host0");
	if (guest == NULL || host == NULL)
		return TEST_FAILED;
	peer.ep = rte_vmci_dgram_create(host, RTE_VMCI_VSOCK_PACKET_RID, peer_rx, NULL);
	if (peer.ep == NULL)
		return TEST_FAILED;
	return ctx_reset(&default_conf) == 0 ? TEST_SUCCESS : TEST_FAILED;
}

static void
suite_teardown(void)
{
	rte_vmci_vsock_ctx_destroy(ctx);
	rte_vmci_dgram_destroy(peer.ep);
}

/* A connection as the test holds it: the guest socket and the host's end. */
struct conn {
	struct rte_vmci_vsock *s;
	struct rte_vmci_qpair *hq;   /* host attached to the guest's pair */
	struct rte_vmci_qp *hep;     /* host endpoint */
	struct rte_vmci_handle h;
	bool host_created;
	uint32_t guest_port;
	uint32_t host_port;
	uint64_t size;
};

static void
conn_close(struct conn *c)
{
	rte_vmci_vsock_close(c->s);
	c->s = NULL;
	if (c->hq != NULL)
		rte_vmci_qpair_detach(c->hq);
	if (c->host_created && c->hep != NULL) {
		/* The emulator's host endpoint is the caller's to free. */
		rte_vmci_qp_endpoint_free(c->hep);
		vmci_emu_host_qp_detach(NULL, c->h);
	}
	memset(c, 0, sizeof(*c));
	peer_flush();
}

/* Guest connects; the peer answers with @negotiate of @size. */
static int
client_handshake(struct conn *c, uint8_t negotiate, uint64_t size, bool old_peer)
{
	struct rte_vmci_vsock_ctl_pkt p;
	struct rte_vmci_qpair_conf qc = {
		.peer = GUEST_CID, .flags = RTE_VMCI_QPAIR_F_ATTACH_ONLY,
		.socket_id = SOCKET_ID_ANY,
	};
	int i;

	memset(c, 0, sizeof(*c));
	c->host_port = 5000;
	c->s = rte_vmci_vsock_connect(ctx, HOST_CID, c->host_port, RTE_VMCI_VSOCK_PORT_ANY);
	TEST_ASSERT(c->s != NULL, "connect: %s", rte_strerror(rte_errno));
	TEST_ASSERT_EQUAL(rte_vmci_vsock_state(c->s), RTE_VMCI_VSOCK_CONNECTING, "state");
	TEST_ASSERT_EQUAL(peer_expect(RTE_VMCI_VSOCK_PKT_REQUEST2, &p), 0, "REQUEST2");
	TEST_ASSERT_EQUAL(p.proto, RTE_VMCI_VSOCK_PROTO_PKT_ON_NOTIFY, "proto offered");
	TEST_ASSERT_EQUAL(p.u.size, 65536, "proposed size");
	TEST_ASSERT_EQUAL(p.dst_port, c->host_port, "dst port");
	c->guest_port = p.src_port;
	TEST_ASSERT(c->guest_port > RTE_VMCI_VSOCK_LAST_RESERVED_PORT, "ephemeral %u",
		    c->guest_port);
	if (old_peer) {
		/* An old peer: INVALID, then (as WS 6.5 did) a RST. */
		TEST_ASSERT(peer_send(RTE_VMCI_VSOCK_PKT_INVALID, c->host_port, c->guest_port,
				      0, 0) >= 0, "INVALID");
		TEST_ASSERT(peer_send(RTE_VMCI_VSOCK_PKT_RST, c->host_port, c->guest_port,
				      0, 0) >= 0, "RST");
		TEST_ASSERT_EQUAL(peer_expect(RTE_VMCI_VSOCK_PKT_REQUEST, &p), 0, "REQUEST");
		TEST_ASSERT_EQUAL(p.u.size, 65536, "same size");
		TEST_ASSERT_EQUAL(p.proto, 0, "no proto in the old type");
		TEST_ASSERT_EQUAL(rte_vmci_vsock_state(c->s), RTE_VMCI_VSOCK_CONNECTING,
				  "one RST ignored");
	}
	TEST_ASSERT(peer_send(negotiate, c->host_port, c->guest_port,
			      negotiate == RTE_VMCI_VSOCK_PKT_NEGOTIATE2 ?
			      RTE_VMCI_VSOCK_PROTO_PKT_ON_NOTIFY : 0, size) >= 0, "NEGOTIATE");
	TEST_ASSERT_EQUAL(peer_expect(RTE_VMCI_VSOCK_PKT_OFFER, &p), 0, "OFFER");
	TEST_ASSERT_EQUAL(p.u.handle.context, GUEST_CID, "handle context");
	TEST_ASSERT(p.u.handle.resource >= 1024, "handle resource %u", p.u.handle.resource);
	TEST_ASSERT_EQUAL(p.u.wait.offset, 0, "union tail zeroed");
	c->h = p.u.handle;
	c->size = size;
	qc.produce_size = size;
	qc.consume_size = size;
	qc.handle = c->h;
	c->hq = rte_vmci_qpair_create(host, &qc);
	TEST_ASSERT(c->hq != NULL, "host attaches: %s", rte_strerror(rte_errno));
	c->hep = rte_vmci_qpair_endpoint(c->hq);
	TEST_ASSERT(peer_send(RTE_VMCI_VSOCK_PKT_ATTACH, c->host_port, c->guest_port, 0,
			      handle_u64(c->h)) >= 0, "ATTACH");
	for (i = 0; i < PUMP_TRIES && rte_vmci_vsock_state(c->s) == RTE_VMCI_VSOCK_CONNECTING; i++)
		pump();
	TEST_ASSERT_EQUAL(rte_vmci_vsock_state(c->s), RTE_VMCI_VSOCK_ESTABLISHED, "established");
	TEST_ASSERT_EQUAL(rte_vmci_vsock_buffer_size(c->s), size, "negotiated size");
	return TEST_SUCCESS;
}

/* The peer connects to the guest's listener @l. */
static int
server_handshake(struct conn *c, struct rte_vmci_vsock *l, uint8_t request, uint64_t size,
		 uint64_t want_size)
{
	struct rte_vmci_vsock_ctl_pkt p;
	uint32_t lport;
	int i;

	memset(c, 0, sizeof(*c));
	TEST_ASSERT_EQUAL(rte_vmci_vsock_addr(l, NULL, &lport, NULL, NULL), 0, "addr");
	c->guest_port = lport;
	c->host_port = 7000 + (next_host_rid % 1000);
	TEST_ASSERT(peer_send(request, c->host_port, lport,
			      request == RTE_VMCI_VSOCK_PKT_REQUEST2 ? 0x3 : 0, size) >= 0,
		    "REQUEST");
	TEST_ASSERT_EQUAL(peer_expect(request == RTE_VMCI_VSOCK_PKT_REQUEST2 ?
				      RTE_VMCI_VSOCK_PKT_NEGOTIATE2 :
				      RTE_VMCI_VSOCK_PKT_NEGOTIATE, &p), 0, "NEGOTIATE");
	TEST_ASSERT_EQUAL(p.u.size, want_size, "chosen size");
	TEST_ASSERT_EQUAL(p.proto, request == RTE_VMCI_VSOCK_PKT_REQUEST2 ? 1 : 0,
			  "chosen protocol");
	TEST_ASSERT_EQUAL(p.src_port, lport, "from the listener's port");
	TEST_ASSERT_EQUAL(p.dst_port, c->host_port, "to the peer's port");
	c->h.context = HOST_CID;
	c->h.resource = next_host_rid++;
	c->size = want_size;
	TEST_ASSERT_EQUAL(vmci_emu_host_qp_create(NULL, c->h, GUEST_CID, want_size, want_size),
			  VMCI_SUCCESS_QUEUEPAIR_CREATE, "host creates");
	c->host_created = true;
	TEST_ASSERT(peer_send(RTE_VMCI_VSOCK_PKT_OFFER, c->host_port, lport, 0,
			      handle_u64(c->h)) >= 0, "OFFER");
	TEST_ASSERT_EQUAL(peer_expect(RTE_VMCI_VSOCK_PKT_ATTACH, &p), 0, "ATTACH");
	TEST_ASSERT(p.u.handle.context == c->h.context && p.u.handle.resource == c->h.resource,
		    "ATTACH names the handle");
	TEST_ASSERT_EQUAL(vmci_emu_host_qp_endpoint(NULL, c->h, &c->hep), VMCI_SUCCESS,
			  "host endpoint");
	for (i = 0; i < 10 && c->s == NULL; i++) {
		c->s = rte_vmci_vsock_accept(l);
		pump();
	}
	TEST_ASSERT(c->s != NULL, "accept");
	TEST_ASSERT_EQUAL(rte_vmci_vsock_state(c->s), RTE_VMCI_VSOCK_ESTABLISHED, "established");
	return TEST_SUCCESS;
}

static uint8_t
pattern(uint64_t i, uint8_t seed)
{
	return (uint8_t)(i * 131 + (i >> 9) + seed);
}

/*
 * Move @total bytes guest -> host, or host -> guest, through the pair in
 * chunks, checking every byte. Either side may be short of room: it is
 * polled, never waited on with a clock.
 */
static int
transfer(struct conn *c, uint64_t total, bool to_host, uint8_t seed)
{
	static uint8_t out[70000], in[70000];
	uint64_t sent = 0, got = 0, i;
	unsigned int idle = 0;
	ssize_t n;

	while (got < total) {
		size_t chunk = RTE_MIN(total - sent, (uint64_t)(1 + (sent * 7919) % 65536));
		bool progress = false;

		if (sent < total) {
			for (i = 0; i < chunk; i++)
				out[i] = pattern(sent + i, seed);
			n = to_host ? rte_vmci_vsock_send(c->s, out, chunk) :
				rte_vmci_qp_enqueue_burst(c->hep, out, chunk);
			TEST_ASSERT(n > 0 || n == -EAGAIN || n == 0, "send: %zd", n);
			if (n > 0) {
				sent += (uint64_t)n;
				progress = true;
			}
		}
		n = to_host ? rte_vmci_qp_dequeue_burst(c->hep, in, sizeof(in)) :
			rte_vmci_vsock_recv(c->s, in, sizeof(in));
		TEST_ASSERT(n > 0 || n == -EAGAIN || n == 0, "recv: %zd", n);
		if (n > 0) {
			for (i = 0; i < (uint64_t)n; i++)
				TEST_ASSERT_EQUAL(in[i], pattern(got + i, seed), "byte %" PRIu64,
						  got + i);
			got += (uint64_t)n;
			progress = true;
		}
		pump();
		idle = progress ? 0 : idle + 1;
		TEST_ASSERT(idle < PUMP_TRIES, "stalled at %" PRIu64 " sent, %" PRIu64 " got",
			    sent, got);
	}
	return TEST_SUCCESS;
}

static int
both_ways(struct conn *c)
{
	static const uint64_t sizes[] = { 1, 4095, 65543, 1 << 20 };
	unsigned int i;

	for (i = 0; i < RTE_DIM(sizes); i++) {
		TEST_ASSERT_EQUAL(transfer(c, sizes[i], true, (uint8_t)i), TEST_SUCCESS,
				  "%" PRIu64 " bytes to the host", sizes[i]);
		TEST_ASSERT_EQUAL(transfer(c, sizes[i], false, (uint8_t)(i + 50)), TEST_SUCCESS,
				  "%" PRIu64 " bytes to the guest", sizes[i]);
	}
	return TEST_SUCCESS;
}

static int
test_client_qstate(void)
{
	struct rte_vmci_vsock_stats st;
	struct conn c;

	TEST_ASSERT_EQUAL(client_handshake(&c, RTE_VMCI_VSOCK_PKT_NEGOTIATE2, 4096, false),
			  TEST_SUCCESS, "handshake");
	TEST_ASSERT_EQUAL(rte_vmci_vsock_notify_proto(c.s), RTE_VMCI_VSOCK_NOTIFY_QSTATE,
			  "queue-state notify");
	TEST_ASSERT_EQUAL(both_ways(&c), TEST_SUCCESS, "data");
	TEST_ASSERT_EQUAL(rte_vmci_vsock_stats_get(c.s, &st), 0, "stats");
	TEST_ASSERT(st.notify_tx > 0, "WROTE/READ sent: %" PRIu64, st.notify_tx);
	TEST_ASSERT_EQUAL(st.tx_bytes, 1 + 4095 + 65543 + (1 << 20), "bytes sent");
	TEST_ASSERT_EQUAL(st.rx_bytes, 1 + 4095 + 65543 + (1 << 20), "bytes received");
	conn_close(&c);
	return TEST_SUCCESS;
}

/* WROTE exactly when the guest's send finds the queue empty; READ after
 * the guest drains a queue it found full.
 */
static int
test_notify_rules(void)
{
	static uint8_t buf[4096];
	struct conn c;
	ssize_t n;

	TEST_ASSERT_EQUAL(client_handshake(&c, RTE_VMCI_VSOCK_PKT_NEGOTIATE2, 4096, false),
			  TEST_SUCCESS, "handshake");
	TEST_ASSERT_EQUAL(rte_vmci_vsock_send(c.s, buf, 10), 10, "send into an empty queue");
	TEST_ASSERT_EQUAL(peer_expect(RTE_VMCI_VSOCK_PKT_WROTE, NULL), 0, "WROTE");
	TEST_ASSERT_EQUAL(rte_vmci_vsock_send(c.s, buf, 10), 10, "send into a non-empty queue");
	TEST_ASSERT_EQUAL(peer_silent(), 0, "no WROTE for a queue that had data");
	TEST_ASSERT_EQUAL(rte_vmci_qp_dequeue_burst(c.hep, buf, sizeof(buf)), 20, "host reads");
	/* Host fills the guest's consume queue completely. */
	TEST_ASSERT_EQUAL(rte_vmci_qp_enqueue_burst(c.hep, buf, sizeof(buf)), 4095, "fill");
	TEST_ASSERT_EQUAL(rte_vmci_vsock_recv(c.s, buf, 100), 100, "guest reads");
	TEST_ASSERT_EQUAL(peer_expect(RTE_VMCI_VSOCK_PKT_READ, NULL), 0, "READ");
	TEST_ASSERT_EQUAL(rte_vmci_vsock_recv(c.s, buf, 100), 100, "guest reads more");
	TEST_ASSERT_EQUAL(peer_silent(), 0, "no second READ");
	n = rte_vmci_vsock_recv(c.s, buf, sizeof(buf));
	TEST_ASSERT_EQUAL(n, 4095 - 200, "rest");
	TEST_ASSERT_EQUAL(rte_vmci_vsock_recv(c.s, buf, sizeof(buf)), -EAGAIN, "empty");
	/* Notifications from the peer are counted, never needed. */
	TEST_ASSERT(peer_send(RTE_VMCI_VSOCK_PKT_WROTE, c.host_port, c.guest_port, 0, 0) >= 0,
		    "WROTE");
	TEST_ASSERT_EQUAL(peer_silent(), 0, "nothing back");
	conn_close(&c);
	return TEST_SUCCESS;
}

static int
test_client_classic(void)
{
	static uint8_t buf[64];
	struct conn c;

	TEST_ASSERT_EQUAL(client_handshake(&c, RTE_VMCI_VSOCK_PKT_NEGOTIATE, 8192, true),
			  TEST_SUCCESS, "handshake after fallback");
	TEST_ASSERT_EQUAL(rte_vmci_vsock_notify_proto(c.s), RTE_VMCI_VSOCK_NOTIFY_CLASSIC,
			  "classic notify");
	TEST_ASSERT_EQUAL(rte_vmci_vsock_send(c.s, buf, 10), 10, "send");
	TEST_ASSERT_EQUAL(peer_expect(RTE_VMCI_VSOCK_PKT_WROTE, NULL), 0, "WROTE");
	/* A blocked classic reader says so; data is queued: WROTE at once. */
	TEST_ASSERT(peer_send(RTE_VMCI_VSOCK_PKT_WAITING_READ, c.host_port, c.guest_port, 0,
			      12345) >= 0, "WAITING_READ");
	TEST_ASSERT_EQUAL(peer_expect(RTE_VMCI_VSOCK_PKT_WROTE, NULL), 0, "WROTE for the waiter");
	TEST_ASSERT_EQUAL(rte_vmci_qp_dequeue_burst(c.hep, buf, sizeof(buf)), 10, "host reads");
	/* Waiting on an empty queue: WROTE after the next send, even a non-first one. */
	TEST_ASSERT(peer_send(RTE_VMCI_VSOCK_PKT_WAITING_READ, c.host_port, c.guest_port, 0,
			      ~0ull) >= 0, "WAITING_READ");
	TEST_ASSERT_EQUAL(peer_silent(), 0, "nothing to wake it for yet");
	TEST_ASSERT_EQUAL(rte_vmci_vsock_send(c.s, buf, 1), 1, "send");
	TEST_ASSERT_EQUAL(peer_expect(RTE_VMCI_VSOCK_PKT_WROTE, NULL), 0, "WROTE");
	TEST_ASSERT_EQUAL(rte_vmci_qp_dequeue_burst(c.hep, buf, sizeof(buf)), 1, "host reads");
	TEST_ASSERT_EQUAL(both_ways(&c), TEST_SUCCESS, "data");
	conn_close(&c);
	return TEST_SUCCESS;
}

static int
test_client_refused(void)
{
	struct rte_vmci_vsock_ctl_pkt p;
	struct rte_vmci_vsock *s;

	s = rte_vmci_vsock_connect(ctx, HOST_CID, 5001, RTE_VMCI_VSOCK_PORT_ANY);
	TEST_ASSERT(s != NULL, "connect");
	TEST_ASSERT_EQUAL(peer_expect(RTE_VMCI_VSOCK_PKT_REQUEST2, &p), 0, "REQUEST2");
	TEST_ASSERT(peer_send(RTE_VMCI_VSOCK_PKT_RST, 5001, p.src_port, 0, 0) >= 0, "RST");
	TEST_ASSERT_EQUAL(peer_silent(), 0, "no RST for a RST");
	TEST_ASSERT_EQUAL(rte_vmci_vsock_state(s), RTE_VMCI_VSOCK_CLOSED, "closed");
	TEST_ASSERT_EQUAL(rte_vmci_vsock_error(s), -ECONNRESET, "refused");
	TEST_ASSERT_EQUAL(rte_vmci_vsock_send(s, &p, 1), -ENOTCONN, "no data");
	rte_vmci_vsock_close(s);
	TEST_ASSERT_EQUAL(peer_silent(), 0, "closing a failed socket sends nothing");
	return TEST_SUCCESS;
}

static int
test_client_timeout(void)
{
	struct rte_vmci_vsock_conf conf = default_conf;
	struct rte_vmci_vsock_ctl_pkt p;
	struct rte_vmci_vsock *s;
	int i;

	conf.connect_timeout_ms = 20;
	TEST_ASSERT_EQUAL(ctx_reset(&conf), 0, "context with a short timeout");
	s = rte_vmci_vsock_connect(ctx, HOST_CID, 5002, RTE_VMCI_VSOCK_PORT_ANY);
	TEST_ASSERT(s != NULL, "connect");
	TEST_ASSERT_EQUAL(peer_expect(RTE_VMCI_VSOCK_PKT_REQUEST2, &p), 0, "REQUEST2");
	for (i = 0; i < 1000000 && rte_vmci_vsock_state(s) == RTE_VMCI_VSOCK_CONNECTING; i++)
		pump();
	TEST_ASSERT_EQUAL(rte_vmci_vsock_state(s), RTE_VMCI_VSOCK_CLOSED, "gave up");
	TEST_ASSERT_EQUAL(rte_vmci_vsock_error(s), -ETIMEDOUT, "timed out");
	TEST_ASSERT_EQUAL(peer_expect(RTE_VMCI_VSOCK_PKT_RST, NULL), 0, "RST to the peer");
	rte_vmci_vsock_close(s);
	TEST_ASSERT_EQUAL(ctx_reset(&default_conf), 0, "context back");
	return TEST_SUCCESS;
}

/* NEGOTIATE that breaks the rules: RST and EPROTO, no queue pair left. */
static int
bad_negotiate(uint8_t type, uint16_t proto, uint64_t size)
{
	struct rte_vmci_vsock_ctl_pkt p;
	struct rte_vmci_vsock_stats st;
	struct rte_vmci_vsock *s;

	s = rte_vmci_vsock_connect(ctx, HOST_CID, 5003, RTE_VMCI_VSOCK_PORT_ANY);
	TEST_ASSERT(s != NULL, "connect");
	TEST_ASSERT_EQUAL(peer_expect(RTE_VMCI_VSOCK_PKT_REQUEST2, &p), 0, "REQUEST2");
	TEST_ASSERT(peer_send(type, 5003, p.src_port, proto, size) >= 0, "send");
	TEST_ASSERT_EQUAL(peer_expect(RTE_VMCI_VSOCK_PKT_RST, NULL), 0, "RST");
	TEST_ASSERT_EQUAL(rte_vmci_vsock_state(s), RTE_VMCI_VSOCK_CLOSED, "closed");
	TEST_ASSERT_EQUAL(rte_vmci_vsock_error(s), -EPROTO, "protocol error");
	TEST_ASSERT_EQUAL(rte_vmci_vsock_stats_get(s, &st), 0, "stats");
	TEST_ASSERT_EQUAL(st.bad_pkts, 1, "counted");
	rte_vmci_vsock_close(s);
	return TEST_SUCCESS;
}

static int
test_client_bad_packets(void)
{
	struct rte_vmci_vsock_ctl_pkt p;
	struct rte_vmci_vsock *s;
	struct conn c;

	TEST_ASSERT_EQUAL(bad_negotiate(RTE_VMCI_VSOCK_PKT_NEGOTIATE2, 1, 0), TEST_SUCCESS,
			  "size 0");
	TEST_ASSERT_EQUAL(bad_negotiate(RTE_VMCI_VSOCK_PKT_NEGOTIATE2, 1, 64), TEST_SUCCESS,
			  "below min");
	TEST_ASSERT_EQUAL(bad_negotiate(RTE_VMCI_VSOCK_PKT_NEGOTIATE2, 1, 1ull << 40),
			  TEST_SUCCESS, "above max");
	TEST_ASSERT_EQUAL(bad_negotiate(RTE_VMCI_VSOCK_PKT_NEGOTIATE2, 2, 4096), TEST_SUCCESS,
			  "protocol not offered");
	TEST_ASSERT_EQUAL(bad_negotiate(RTE_VMCI_VSOCK_PKT_OFFER, 0, 4096), TEST_SUCCESS,
			  "OFFER to a client");
	TEST_ASSERT_EQUAL(bad_negotiate(RTE_VMCI_VSOCK_PKT_ATTACH, 0, 4096), TEST_SUCCESS,
			  "ATTACH before NEGOTIATE");

	/* ATTACH of another handle after the OFFER. */
	s = rte_vmci_vsock_connect(ctx, HOST_CID, 5004, RTE_VMCI_VSOCK_PORT_ANY);
	TEST_ASSERT(s != NULL, "connect");
	TEST_ASSERT_EQUAL(peer_expect(RTE_VMCI_VSOCK_PKT_REQUEST2, &p), 0, "REQUEST2");
	TEST_ASSERT(peer_send(RTE_VMCI_VSOCK_PKT_NEGOTIATE2, 5004, p.src_port, 1, 4096) >= 0,
		    "NEGOTIATE2");
	TEST_ASSERT_EQUAL(peer_expect(RTE_VMCI_VSOCK_PKT_OFFER, &p), 0, "OFFER");
	p.u.handle.resource++;
	TEST_ASSERT(peer_send(RTE_VMCI_VSOCK_PKT_ATTACH, 5004, p.src_port, 0,
			      handle_u64(p.u.handle)) >= 0, "ATTACH");
	TEST_ASSERT_EQUAL(peer_expect(RTE_VMCI_VSOCK_PKT_RST, NULL), 0, "RST");
	TEST_ASSERT_EQUAL(rte_vmci_vsock_error(s), -EPROTO, "protocol error");
	rte_vmci_vsock_close(s);

	/* A second NEGOTIATE once the pair exists. */
	s = rte_vmci_vsock_connect(ctx, HOST_CID, 5005, RTE_VMCI_VSOCK_PORT_ANY);
	TEST_ASSERT(s != NULL, "connect");
	TEST_ASSERT_EQUAL(peer_expect(RTE_VMCI_VSOCK_PKT_REQUEST2, &p), 0, "REQUEST2");
	TEST_ASSERT(peer_send(RTE_VMCI_VSOCK_PKT_NEGOTIATE2, 5005, p.src_port, 1, 4096) >= 0,
		    "NEGOTIATE2");
	TEST_ASSERT_EQUAL(peer_expect(RTE_VMCI_VSOCK_PKT_OFFER, &p), 0, "OFFER");
	TEST_ASSERT(peer_send(RTE_VMCI_VSOCK_PKT_NEGOTIATE, 5005, p.src_port, 0, 4096) >= 0,
		    "NEGOTIATE again");
	TEST_ASSERT_EQUAL(peer_expect(RTE_VMCI_VSOCK_PKT_RST, NULL), 0, "RST");
	TEST_ASSERT_EQUAL(rte_vmci_vsock_error(s), -EPROTO, "protocol error");
	rte_vmci_vsock_close(s);

	/* NEGOTIATE from another port than the one connected to: not this socket's. */
	s = rte_vmci_vsock_connect(ctx, HOST_CID, 5006, RTE_VMCI_VSOCK_PORT_ANY);
	TEST_ASSERT(s != NULL, "connect");
	TEST_ASSERT_EQUAL(peer_expect(RTE_VMCI_VSOCK_PKT_REQUEST2, &p), 0, "REQUEST2");
	TEST_ASSERT(peer_send(RTE_VMCI_VSOCK_PKT_NEGOTIATE2, 5999, p.src_port, 1, 4096) >= 0,
		    "NEGOTIATE2 from elsewhere");
	TEST_ASSERT_EQUAL(peer_expect(RTE_VMCI_VSOCK_PKT_RST, &p), 0, "RST for no socket");
	TEST_ASSERT_EQUAL(p.dst_port, 5999, "to the stray port");
	TEST_ASSERT_EQUAL(rte_vmci_vsock_state(s), RTE_VMCI_VSOCK_CONNECTING, "unharmed");
	rte_vmci_vsock_close(s);
	TEST_ASSERT_EQUAL(peer_expect(RTE_VMCI_VSOCK_PKT_RST, NULL), 0,
			  "closing a connecting socket resets it");

	/* The peer detaches between OFFER and ATTACH: a reset. */
	memset(&c, 0, sizeof(c));
	s = rte_vmci_vsock_connect(ctx, HOST_CID, 5007, RTE_VMCI_VSOCK_PORT_ANY);
	TEST_ASSERT(s != NULL, "connect");
	TEST_ASSERT_EQUAL(peer_expect(RTE_VMCI_VSOCK_PKT_REQUEST2, &p), 0, "REQUEST2");
	TEST_ASSERT(peer_send(RTE_VMCI_VSOCK_PKT_NEGOTIATE2, 5007, p.src_port, 1, 4096) >= 0,
		    "NEGOTIATE2");
	TEST_ASSERT_EQUAL(peer_expect(RTE_VMCI_VSOCK_PKT_OFFER, &p), 0, "OFFER");
	{
		struct rte_vmci_qpair_conf qc = {
			.produce_size = 4096, .consume_size = 4096, .peer = GUEST_CID,
			.flags = RTE_VMCI_QPAIR_F_ATTACH_ONLY, .handle = p.u.handle,
			.socket_id = SOCKET_ID_ANY,
		};
		struct rte_vmci_qpair *hq = rte_vmci_qpair_create(host, &qc);

		TEST_ASSERT(hq != NULL, "host attaches");
		TEST_ASSERT_EQUAL(rte_vmci_qpair_detach(hq), 0, "and leaves before ATTACH");
	}
	peer_flush();
	TEST_ASSERT_EQUAL(rte_vmci_vsock_state(s), RTE_VMCI_VSOCK_CLOSED, "closed");
	TEST_ASSERT_EQUAL(rte_vmci_vsock_error(s), -ECONNRESET, "reset");
	rte_vmci_vsock_close(s);
	return TEST_SUCCESS;
}

static int
test_server_qstate(void)
{
	struct rte_vmci_vsock_stats st;
	struct rte_vmci_vsock *l;
	struct conn c;

	l = rte_vmci_vsock_listen(ctx, 6000, 4);
	TEST_ASSERT(l != NULL, "listen");
	TEST_ASSERT_EQUAL(rte_vmci_vsock_state(l), RTE_VMCI_VSOCK_LISTEN, "listening");
	TEST_ASSERT(rte_vmci_vsock_accept(l) == NULL && rte_errno == EAGAIN, "nothing yet");
	/* A size within our limits is taken as proposed. */
	TEST_ASSERT_EQUAL(server_handshake(&c, l, RTE_VMCI_VSOCK_PKT_REQUEST2, 8192, 8192),
			  TEST_SUCCESS, "handshake");
	TEST_ASSERT_EQUAL(rte_vmci_vsock_notify_proto(c.s), RTE_VMCI_VSOCK_NOTIFY_QSTATE,
			  "queue-state");
	TEST_ASSERT_EQUAL(both_ways(&c), TEST_SUCCESS, "data");
	conn_close(&c);
	/* One outside them gets our default. */
	TEST_ASSERT_EQUAL(server_handshake(&c, l, RTE_VMCI_VSOCK_PKT_REQUEST2, 1ull << 30,
					   65536), TEST_SUCCESS, "handshake, counter-proposal");
	conn_close(&c);
	TEST_ASSERT_EQUAL(rte_vmci_vsock_stats_get(l, &st), 0, "stats");
	TEST_ASSERT_EQUAL(st.accepted, 2, "accepted");
	rte_vmci_vsock_close(l);
	return TEST_SUCCESS;
}

static int
test_server_classic(void)
{
	static uint8_t buf[16];
	struct rte_vmci_vsock *l;
	struct conn c;

	l = rte_vmci_vsock_listen(ctx, 6001, 1);
	TEST_ASSERT(l != NULL, "listen");
	TEST_ASSERT_EQUAL(server_handshake(&c, l, RTE_VMCI_VSOCK_PKT_REQUEST, 16384, 16384),
			  TEST_SUCCESS, "classic handshake");
	TEST_ASSERT_EQUAL(rte_vmci_vsock_notify_proto(c.s), RTE_VMCI_VSOCK_NOTIFY_CLASSIC,
			  "classic");
	/* A classic writer that says it waits while there is room: READ at once. */
	TEST_ASSERT(rte_vmci_qp_enqueue_burst(c.hep, buf, sizeof(buf)) == sizeof(buf), "data");
	TEST_ASSERT(peer_send(RTE_VMCI_VSOCK_PKT_WAITING_WRITE, c.host_port, c.guest_port, 0,
			      7) >= 0, "WAITING_WRITE");
	TEST_ASSERT_EQUAL(peer_expect(RTE_VMCI_VSOCK_PKT_READ, NULL), 0, "READ");
	TEST_ASSERT_EQUAL(rte_vmci_vsock_recv(c.s, buf, sizeof(buf)), sizeof(buf), "recv");
	/* Blocked on a full queue: READ once the guest makes room. */
	while (rte_vmci_qp_enqueue_burst(c.hep, buf, sizeof(buf)) > 0)
		;
	TEST_ASSERT(peer_send(RTE_VMCI_VSOCK_PKT_WAITING_WRITE, c.host_port, c.guest_port, 0,
			      8) >= 0, "WAITING_WRITE");
	TEST_ASSERT_EQUAL(peer_silent(), 0, "no room yet");
	TEST_ASSERT_EQUAL(rte_vmci_vsock_recv(c.s, buf, sizeof(buf)), sizeof(buf), "recv");
	TEST_ASSERT_EQUAL(peer_expect(RTE_VMCI_VSOCK_PKT_READ, NULL), 0, "READ");
	while (rte_vmci_vsock_recv(c.s, buf, sizeof(buf)) > 0)
		;
	peer_flush();
	TEST_ASSERT_EQUAL(both_ways(&c), TEST_SUCCESS, "data");
	conn_close(&c);
	rte_vmci_vsock_close(l);

	/* With the classic protocol turned off, REQUEST is refused. */
	{
		struct rte_vmci_vsock_conf conf = default_conf;

		conf.flags = RTE_VMCI_VSOCK_F_NO_CLASSIC;
		TEST_ASSERT_EQUAL(ctx_reset(&conf), 0, "context");
		l = rte_vmci_vsock_listen(ctx, 6001, 1);
		TEST_ASSERT(l != NULL, "listen");
		TEST_ASSERT(peer_send(RTE_VMCI_VSOCK_PKT_REQUEST, 7001, 6001, 0, 4096) >= 0,
			    "REQUEST");
		TEST_ASSERT_EQUAL(peer_expect(RTE_VMCI_VSOCK_PKT_RST, NULL), 0, "RST");
		rte_vmci_vsock_close(l);
		TEST_ASSERT_EQUAL(ctx_reset(&default_conf), 0, "context back");
	}
	return TEST_SUCCESS;
}

static int
expect_refused(uint8_t type, uint32_t sport, uint32_t dport, uint16_t proto, uint64_t u0)
{
	struct rte_vmci_vsock_ctl_pkt p;

	TEST_ASSERT(peer_send(type, sport, dport, proto, u0) >= 0, "send");
	TEST_ASSERT_EQUAL(peer_expect(RTE_VMCI_VSOCK_PKT_RST, &p), 0, "RST");
	TEST_ASSERT_EQUAL(p.src_port, dport, "from the port addressed");
	TEST_ASSERT_EQUAL(p.dst_port, sport, "to the sender's port");
	return TEST_SUCCESS;
}

static int
test_server_refusals(void)
{
	struct rte_vmci_vsock_stats st;
	struct rte_vmci_vsock *l;
	struct conn c;

	l = rte_vmci_vsock_listen(ctx, 6002, 1);
	TEST_ASSERT(l != NULL, "listen");
	TEST_ASSERT_EQUAL(expect_refused(RTE_VMCI_VSOCK_PKT_REQUEST2, 7100, 6002, 1, 0),
			  TEST_SUCCESS, "size 0");
	TEST_ASSERT_EQUAL(expect_refused(RTE_VMCI_VSOCK_PKT_REQUEST2, 7100, 6002, 0x8, 4096),
			  TEST_SUCCESS, "no common protocol");
	TEST_ASSERT_EQUAL(expect_refused(RTE_VMCI_VSOCK_PKT_OFFER, 7100, 6002, 0, 4096),
			  TEST_SUCCESS, "OFFER to a listener");
	TEST_ASSERT(peer_send(RTE_VMCI_VSOCK_PKT_RST, 7100, 6002, 0, 0) >= 0, "RST");
	TEST_ASSERT_EQUAL(peer_silent(), 0, "no RST for a RST");

	/* One pending: the backlog of 1 is full. */
	TEST_ASSERT(peer_send(RTE_VMCI_VSOCK_PKT_REQUEST2, 7101, 6002, 1, 4096) >= 0, "REQUEST2");
	TEST_ASSERT_EQUAL(peer_expect(RTE_VMCI_VSOCK_PKT_NEGOTIATE2, NULL), 0, "NEGOTIATE2");
	TEST_ASSERT_EQUAL(expect_refused(RTE_VMCI_VSOCK_PKT_REQUEST2, 7102, 6002, 1, 4096),
			  TEST_SUCCESS, "backlog full");
	/* A RST for the pending connection removes it at once, unanswered. */
	TEST_ASSERT(peer_send(RTE_VMCI_VSOCK_PKT_RST, 7101, 6002, 0, 0) >= 0, "RST");
	TEST_ASSERT_EQUAL(peer_silent(), 0, "no RST for a RST");
	/* Its slot is free again; anything but OFFER resets the pending one. */
	TEST_ASSERT(peer_send(RTE_VMCI_VSOCK_PKT_REQUEST2, 7103, 6002, 1, 4096) >= 0, "REQUEST2");
	TEST_ASSERT_EQUAL(peer_expect(RTE_VMCI_VSOCK_PKT_NEGOTIATE2, NULL), 0, "slot released");
	TEST_ASSERT_EQUAL(expect_refused(RTE_VMCI_VSOCK_PKT_WROTE, 7103, 6002, 0, 0),
			  TEST_SUCCESS, "WROTE while pending");
	/* A duplicate REQUEST goes to the pending socket, which resets. */
	TEST_ASSERT(peer_send(RTE_VMCI_VSOCK_PKT_REQUEST2, 7104, 6002, 1, 4096) >= 0, "REQUEST2");
	TEST_ASSERT_EQUAL(peer_expect(RTE_VMCI_VSOCK_PKT_NEGOTIATE2, NULL), 0, "slot released");
	TEST_ASSERT_EQUAL(expect_refused(RTE_VMCI_VSOCK_PKT_REQUEST2, 7104, 6002, 1, 4096),
			  TEST_SUCCESS, "duplicate REQUEST2");
	/* OFFER of a handle that is not the peer's: reset. */
	TEST_ASSERT(peer_send(RTE_VMCI_VSOCK_PKT_REQUEST2, 7105, 6002, 1, 4096) >= 0, "REQUEST2");
	TEST_ASSERT_EQUAL(peer_expect(RTE_VMCI_VSOCK_PKT_NEGOTIATE2, NULL), 0, "NEGOTIATE2");
	TEST_ASSERT_EQUAL(expect_refused(RTE_VMCI_VSOCK_PKT_OFFER, 7105, 6002, 0,
					 (uint64_t)4000 << 32 | 33), TEST_SUCCESS,
			  "OFFER of context 33");
	/* OFFER of a handle that does not exist: attach fails, reset. */
	TEST_ASSERT(peer_send(RTE_VMCI_VSOCK_PKT_REQUEST2, 7106, 6002, 1, 4096) >= 0, "REQUEST2");
	TEST_ASSERT_EQUAL(peer_expect(RTE_VMCI_VSOCK_PKT_NEGOTIATE2, NULL), 0, "NEGOTIATE2");
	TEST_ASSERT_EQUAL(expect_refused(RTE_VMCI_VSOCK_PKT_OFFER, 7106, 6002, 0,
					 (uint64_t)4999 << 32 | HOST_CID), TEST_SUCCESS,
			  "OFFER of no pair");
	/* OFFER of the invalid handle. */
	TEST_ASSERT(peer_send(RTE_VMCI_VSOCK_PKT_REQUEST2, 7107, 6002, 1, 4096) >= 0, "REQUEST2");
	TEST_ASSERT_EQUAL(peer_expect(RTE_VMCI_VSOCK_PKT_NEGOTIATE2, NULL), 0, "NEGOTIATE2");
	TEST_ASSERT_EQUAL(expect_refused(RTE_VMCI_VSOCK_PKT_OFFER, 7107, 6002, 0, ~0ull),
			  TEST_SUCCESS, "OFFER of the invalid handle");
	/* After all that the listener still takes a connection. */
	TEST_ASSERT_EQUAL(server_handshake(&c, l, RTE_VMCI_VSOCK_PKT_REQUEST2, 4096, 4096),
			  TEST_SUCCESS, "backlog intact");
	TEST_ASSERT_EQUAL(transfer(&c, 10000, true, 3), TEST_SUCCESS, "data");
	conn_close(&c);
	TEST_ASSERT_EQUAL(rte_vmci_vsock_stats_get(l, &st), 0, "stats");
	TEST_ASSERT(st.refused >= 3 && st.bad_pkts >= 3, "refused %" PRIu64 " bad %" PRIu64,
		    st.refused, st.bad_pkts);
	rte_vmci_vsock_close(l);
	return TEST_SUCCESS;
}

static int
test_server_pending_timeout(void)
{
	struct rte_vmci_vsock_conf conf = default_conf;
	struct rte_vmci_vsock *l;
	int i;

	conf.pending_timeout_ms = 20;
	TEST_ASSERT_EQUAL(ctx_reset(&conf), 0, "context");
	l = rte_vmci_vsock_listen(ctx, 6003, 1);
	TEST_ASSERT(l != NULL, "listen");
	TEST_ASSERT(peer_send(RTE_VMCI_VSOCK_PKT_REQUEST2, 7200, 6003, 1, 4096) >= 0, "REQUEST2");
	TEST_ASSERT_EQUAL(peer_expect(RTE_VMCI_VSOCK_PKT_NEGOTIATE2, NULL), 0, "NEGOTIATE2");
	/* Silence: the pending connection goes, with a RST, and its slot. */
	for (i = 0; i < 1000000 && peer.head == peer.tail; i++)
		pump();
	TEST_ASSERT_EQUAL(peer_expect(RTE_VMCI_VSOCK_PKT_RST, NULL), 0, "RST");
	TEST_ASSERT(peer_send(RTE_VMCI_VSOCK_PKT_REQUEST2, 7201, 6003, 1, 4096) >= 0, "REQUEST2");
	TEST_ASSERT_EQUAL(peer_expect(RTE_VMCI_VSOCK_PKT_NEGOTIATE2, NULL), 0, "slot free");
	rte_vmci_vsock_close(l);
	TEST_ASSERT_EQUAL(peer_expect(RTE_VMCI_VSOCK_PKT_RST, NULL), 0,
			  "closing the listener resets the pending one");
	TEST_ASSERT_EQUAL(ctx_reset(&default_conf), 0, "context back");
	return TEST_SUCCESS;
}

static int
test_intake(void)
{
	struct rte_vmci_vsock_ctx_stats before, after;
	struct rte_vmci_vsock_ctl_pkt p;
	struct rte_vmci_dgram *other;
	struct rte_vmci_handle dst = { GUEST_CID, RTE_VMCI_VSOCK_PACKET_RID };
	struct rte_vmci_vsock *l;
	uint8_t raw[RTE_VMCI_VSOCK_CTL_PAYLOAD_SIZE] = { 0 };

	TEST_ASSERT_EQUAL(rte_vmci_vsock_ctx_stats_get(ctx, &before), 0, "stats");
	/* No socket: RST, but none for a RST. */
	TEST_ASSERT_EQUAL(expect_refused(RTE_VMCI_VSOCK_PKT_REQUEST2, 7300, 6999, 1, 4096),
			  TEST_SUCCESS, "no listener");
	TEST_ASSERT(peer_send(RTE_VMCI_VSOCK_PKT_RST, 7300, 6999, 0, 0) >= 0, "RST");
	TEST_ASSERT_EQUAL(peer_silent(), 0, "no RST for a RST");
	/* Bad version, a port 0xffffffff, a short datagram: dropped unanswered. */
	TEST_ASSERT(peer_send_raw(2, RTE_VMCI_VSOCK_PKT_REQUEST2, 7300, 6999, 1, 4096, 0) >= 0,
		    "version 2");
	TEST_ASSERT(peer_send(RTE_VMCI_VSOCK_PKT_REQUEST2, RTE_VMCI_VSOCK_PORT_ANY, 6999, 1,
			      4096) >= 0, "port any");
	raw[1] = RTE_VMCI_VSOCK_PKT_REQUEST2;
	raw[0] = 1;
	TEST_ASSERT(rte_vmci_dgram_send(peer.ep, dst, raw, 31) >= 0, "31 bytes");
	/* From a resource other than the control one. */
	other = rte_vmci_dgram_create(host, 77, peer_rx, NULL);
	TEST_ASSERT(other != NULL, "endpoint");
	TEST_ASSERT(rte_vmci_dgram_send(other, dst, raw, sizeof(raw)) >= 0, "from 2:77");
	TEST_ASSERT_EQUAL(peer_silent(), 0, "nothing answered");
	rte_vmci_dgram_destroy(other);
	TEST_ASSERT_EQUAL(rte_vmci_vsock_ctx_stats_get(ctx, &after), 0, "stats");
	TEST_ASSERT_EQUAL(after.ctl_dropped - before.ctl_dropped, 4, "dropped at intake");
	TEST_ASSERT_EQUAL(after.no_socket - before.no_socket, 2, "no socket");
	TEST_ASSERT_EQUAL(after.rst_tx - before.rst_tx, 1, "one RST");

	/* A type >= 13 to a socket: INVALID back, once. */
	l = rte_vmci_vsock_listen(ctx, 6004, 1);
	TEST_ASSERT(l != NULL, "listen");
	TEST_ASSERT(peer_send(13, 7301, 6004, 0, 0) >= 0, "type 13");
	TEST_ASSERT_EQUAL(peer_expect(RTE_VMCI_VSOCK_PKT_INVALID, &p), 0, "INVALID");
	TEST_ASSERT_EQUAL(p.u.size, 0, "INVALID carries nothing");
	TEST_ASSERT(peer_send(255, 7301, 6004, 0, 0) >= 0, "type 255");
	TEST_ASSERT_EQUAL(peer_expect(RTE_VMCI_VSOCK_PKT_INVALID, NULL), 0, "INVALID");
	TEST_ASSERT_EQUAL(peer_silent(), 0, "once each");
	rte_vmci_vsock_close(l);
	return TEST_SUCCESS;
}

static int
test_rst_rate_limit(void)
{
	struct rte_vmci_vsock_conf conf = default_conf;
	struct rte_vmci_vsock_ctx_stats st;
	unsigned int i, got = 0;

	conf.rst_rate = 5;
	TEST_ASSERT_EQUAL(ctx_reset(&conf), 0, "context");
	for (i = 0; i < 20; i++) {
		TEST_ASSERT(peer_send(RTE_VMCI_VSOCK_PKT_REQUEST2, 7400 + i, 6999, 1, 4096) >= 0,
			    "stray REQUEST2");
		pump();
	}
	for (i = 0; i < 50; i++)
		pump();
	got = peer_take_notifies(RTE_VMCI_VSOCK_PKT_RST);
	TEST_ASSERT_EQUAL(rte_vmci_vsock_ctx_stats_get(ctx, &st), 0, "stats");
	TEST_ASSERT(got >= 5 && got < 20, "RSTs sent %u of 20", got);
	TEST_ASSERT_EQUAL(st.rst_tx + st.rst_limited, 20, "every stray counted");
	TEST_ASSERT_EQUAL(ctx_reset(&default_conf), 0, "context back");
	return TEST_SUCCESS;
}

static int
test_half_close(void)
{
	uint8_t buf[64];
	struct rte_vmci_vsock_ctl_pkt p;
	struct conn c;

	TEST_ASSERT_EQUAL(client_handshake(&c, RTE_VMCI_VSOCK_PKT_NEGOTIATE2, 4096, false),
			  TEST_SUCCESS, "handshake");
	/* The peer writes and shuts down sending; we read it all, then EOF. */
	TEST_ASSERT_EQUAL(rte_vmci_qp_enqueue_burst(c.hep, "hello", 5), 5, "host writes");
	TEST_ASSERT(peer_send(RTE_VMCI_VSOCK_PKT_SHUTDOWN, c.host_port, c.guest_port, 0,
			      RTE_VMCI_VSOCK_SHUTDOWN_SEND) >= 0, "SHUTDOWN send");
	peer_flush();
	TEST_ASSERT_EQUAL(rte_vmci_vsock_recv(c.s, buf, sizeof(buf)), 5, "data first");
	TEST_ASSERT_EQUAL(rte_vmci_vsock_recv(c.s, buf, sizeof(buf)), 0, "then EOF");
	/* We can still send; the peer still receives. */
	TEST_ASSERT_EQUAL(rte_vmci_vsock_send(c.s, "x", 1), 1, "send after peer's SHUT_WR");
	TEST_ASSERT_EQUAL(peer_expect(RTE_VMCI_VSOCK_PKT_WROTE, NULL), 0, "WROTE");
	/* Our half-close goes out as mode 2. */
	TEST_ASSERT_EQUAL(rte_vmci_vsock_shutdown(c.s, SHUT_WR), 0, "shutdown");
	TEST_ASSERT_EQUAL(peer_expect(RTE_VMCI_VSOCK_PKT_SHUTDOWN, &p), 0, "SHUTDOWN");
	TEST_ASSERT_EQUAL(p.u.mode, RTE_VMCI_VSOCK_SHUTDOWN_SEND, "mode");
	TEST_ASSERT_EQUAL(rte_vmci_vsock_send(c.s, "x", 1), -EPIPE, "no more sending");
	TEST_ASSERT_EQUAL(rte_vmci_vsock_shutdown(c.s, 7), -EINVAL, "bad how");
	/* Unknown mode bits are masked; the peer will not receive: EPIPE. */
	conn_close(&c);
	TEST_ASSERT_EQUAL(client_handshake(&c, RTE_VMCI_VSOCK_PKT_NEGOTIATE2, 4096, false),
			  TEST_SUCCESS, "handshake");
	TEST_ASSERT(peer_send(RTE_VMCI_VSOCK_PKT_SHUTDOWN, c.host_port, c.guest_port, 0,
			      0xfc | RTE_VMCI_VSOCK_SHUTDOWN_RCV) >= 0, "SHUTDOWN rcv + junk");
	peer_flush();
	TEST_ASSERT_EQUAL(rte_vmci_vsock_send(c.s, "x", 1), -EPIPE, "peer receives no more");
	TEST_ASSERT_EQUAL(rte_vmci_vsock_recv(c.s, buf, sizeof(buf)), -EAGAIN,
			  "but may still send");
	TEST_ASSERT_EQUAL(rte_vmci_vsock_state(c.s), RTE_VMCI_VSOCK_ESTABLISHED, "established");
	conn_close(&c);
	return TEST_SUCCESS;
}

static int
test_reset_and_detach(void)
{
	uint8_t buf[64];
	struct rte_vmci_qpair *hq;
	struct conn c;
	int i;

	/* RST while connected: queued data stays readable, then EOF. */
	TEST_ASSERT_EQUAL(client_handshake(&c, RTE_VMCI_VSOCK_PKT_NEGOTIATE2, 4096, false),
			  TEST_SUCCESS, "handshake");
	TEST_ASSERT_EQUAL(rte_vmci_qp_enqueue_burst(c.hep, "bye", 3), 3, "host writes");
	TEST_ASSERT(peer_send(RTE_VMCI_VSOCK_PKT_RST, c.host_port, c.guest_port, 0, 0) >= 0,
		    "RST");
	TEST_ASSERT_EQUAL(peer_silent(), 0, "no RST for a RST");
	TEST_ASSERT_EQUAL(rte_vmci_vsock_state(c.s), RTE_VMCI_VSOCK_CLOSING, "closing");
	TEST_ASSERT_EQUAL(rte_vmci_vsock_recv(c.s, buf, sizeof(buf)), 3, "acknowledged bytes kept");
	TEST_ASSERT_EQUAL(rte_vmci_vsock_recv(c.s, buf, sizeof(buf)), 0, "EOF");
	TEST_ASSERT_EQUAL(rte_vmci_vsock_send(c.s, "x", 1), -EPIPE, "no sending");
	conn_close(&c);

	/* The host detaches mid-stream: drain what it wrote, then EOF. */
	TEST_ASSERT_EQUAL(client_handshake(&c, RTE_VMCI_VSOCK_PKT_NEGOTIATE2, 4096, false),
			  TEST_SUCCESS, "handshake");
	TEST_ASSERT_EQUAL(rte_vmci_qp_enqueue_burst(c.hep, "last words", 10), 10, "host writes");
	hq = c.hq;
	c.hq = NULL;
	TEST_ASSERT_EQUAL(rte_vmci_qpair_detach(hq), 0, "host detaches");
	for (i = 0; i < PUMP_TRIES && rte_vmci_vsock_state(c.s) != RTE_VMCI_VSOCK_CLOSING; i++)
		pump();
	TEST_ASSERT_EQUAL(rte_vmci_vsock_state(c.s), RTE_VMCI_VSOCK_CLOSING, "closing");
	TEST_ASSERT_EQUAL(rte_vmci_vsock_recv(c.s, buf, sizeof(buf)), 10, "drained");
	TEST_ASSERT_EQUAL(memcmp(buf, "last words", 10), 0, "bytes");
	TEST_ASSERT_EQUAL(rte_vmci_vsock_recv(c.s, buf, sizeof(buf)), 0, "EOF");
	TEST_ASSERT_EQUAL(rte_vmci_vsock_send(c.s, "x", 1), -EPIPE, "no sending");
	TEST_ASSERT_EQUAL(peer_silent(), 0, "no packet for a detach");
	conn_close(&c);

	/* QP_RESUMED: every connection is treated as detached. */
	TEST_ASSERT_EQUAL(client_handshake(&c, RTE_VMCI_VSOCK_PKT_NEGOTIATE2, 4096, false),
			  TEST_SUCCESS, "handshake");
	TEST_ASSERT_EQUAL(vmci_emu_fault_qp_resumed(NULL, GUEST_CID), VMCI_SUCCESS, "resume");
	for (i = 0; i < PUMP_TRIES && rte_vmci_vsock_state(c.s) != RTE_VMCI_VSOCK_CLOSING; i++)
		pump();
	TEST_ASSERT_EQUAL(rte_vmci_vsock_state(c.s), RTE_VMCI_VSOCK_CLOSING, "closing");
	TEST_ASSERT_EQUAL(rte_vmci_vsock_recv(c.s, buf, sizeof(buf)), 0, "EOF");
	conn_close(&c);

	/* Our close detaches: the host hears of it from its event. */
	TEST_ASSERT_EQUAL(client_handshake(&c, RTE_VMCI_VSOCK_PKT_NEGOTIATE2, 4096, false),
			  TEST_SUCCESS, "handshake");
	rte_vmci_vsock_close(c.s);
	c.s = NULL;
	for (i = 0; i < PUMP_TRIES &&
	     rte_vmci_qpair_peer_state(c.hq) != RTE_VMCI_QPAIR_PEER_DETACHED; i++)
		pump();
	TEST_ASSERT_EQUAL(rte_vmci_qpair_peer_state(c.hq), RTE_VMCI_QPAIR_PEER_DETACHED,
			  "host sees the detach");
	TEST_ASSERT_EQUAL(peer_silent(), 0, "close sends no control packet");
	conn_close(&c);
	return TEST_SUCCESS;
}

static int
test_zero_copy_and_iov(void)
{
	static uint8_t a[3000], b[5000], out[8000];
	struct iovec iov[2] = { { a, sizeof(a) }, { b, sizeof(b) } };
	struct rte_vmci_qp_zc zc;
	struct conn c;
	ssize_t n;
	size_t i;

	TEST_ASSERT_EQUAL(client_handshake(&c, RTE_VMCI_VSOCK_PKT_NEGOTIATE2, 16384, false),
			  TEST_SUCCESS, "handshake");
	for (i = 0; i < sizeof(a); i++)
		a[i] = pattern(i, 1);
	for (i = 0; i < sizeof(b); i++)
		b[i] = pattern(i + sizeof(a), 1);
	TEST_ASSERT_EQUAL(rte_vmci_vsock_sendv(c.s, iov, 2), 8000, "sendv");
	TEST_ASSERT_EQUAL(rte_vmci_qp_dequeue_burst(c.hep, out, sizeof(out)), 8000, "host reads");
	for (i = 0; i < sizeof(out); i++)
		TEST_ASSERT_EQUAL(out[i], pattern(i, 1), "byte %zu", i);
	/* Host -> guest, read in place, consumed in two steps. */
	TEST_ASSERT_EQUAL(rte_vmci_qp_enqueue_burst(c.hep, out, sizeof(out)), 8000, "host writes");
	n = rte_vmci_vsock_peek_zc(c.s, 10000, &zc);
	TEST_ASSERT_EQUAL(n, 8000, "mapped");
	TEST_ASSERT_EQUAL(zc.len1 + zc.len2, 8000, "regions");
	TEST_ASSERT_EQUAL(memcmp(zc.ptr1, out, zc.len1), 0, "bytes in place");
	TEST_ASSERT_EQUAL(rte_vmci_vsock_consume(c.s, 8001), -EINVAL, "more than mapped");
	TEST_ASSERT_EQUAL(rte_vmci_vsock_consume(c.s, 1000), 0, "consume part");
	TEST_ASSERT_EQUAL(rte_vmci_vsock_rx_ready(c.s), 7000, "rest ready");
	TEST_ASSERT_EQUAL(rte_vmci_vsock_recvv(c.s, iov, 2), 7000, "recvv the rest");
	TEST_ASSERT_EQUAL(memcmp(a, out + 1000, sizeof(a)), 0, "first segment");
	/* Guest -> host in place. */
	n = rte_vmci_vsock_reserve_zc(c.s, 100, &zc);
	TEST_ASSERT_EQUAL(n, 100, "reserved");
	memset(zc.ptr1, 0x5a, zc.len1);
	if (zc.len2 != 0)
		memset(zc.ptr2, 0x5a, zc.len2);
	TEST_ASSERT_EQUAL(rte_vmci_vsock_commit(c.s, 100), 0, "commit");
	TEST_ASSERT_EQUAL(peer_expect(RTE_VMCI_VSOCK_PKT_WROTE, NULL), 0, "WROTE");
	TEST_ASSERT_EQUAL(rte_vmci_qp_dequeue_burst(c.hep, out, sizeof(out)), 100, "host reads");
	TEST_ASSERT_EQUAL(out[99], 0x5a, "bytes");
	conn_close(&c);
	return TEST_SUCCESS;
}

static int
test_ports(void)
{
	struct rte_vmci_vsock *l, *l2, *a, *b;
	uint32_t pa, pb, cid;

	l = rte_vmci_vsock_listen(ctx, 6100, 1);
	TEST_ASSERT(l != NULL, "listen");
	l2 = rte_vmci_vsock_listen(ctx, 6100, 1);
	TEST_ASSERT(l2 == NULL && rte_errno == EADDRINUSE, "listen twice");
	TEST_ASSERT(rte_vmci_vsock_connect(ctx, HOST_CID, 5000, 6100) == NULL &&
		    rte_errno == EADDRINUSE, "connect from a listening port");
	a = rte_vmci_vsock_connect(ctx, HOST_CID, 5000, RTE_VMCI_VSOCK_PORT_ANY);
	b = rte_vmci_vsock_connect(ctx, HOST_CID, 5000, RTE_VMCI_VSOCK_PORT_ANY);
	TEST_ASSERT(a != NULL && b != NULL, "two connects");
	TEST_ASSERT_EQUAL(rte_vmci_vsock_addr(a, &cid, &pa, NULL, NULL), 0, "addr");
	TEST_ASSERT_EQUAL(rte_vmci_vsock_addr(b, NULL, &pb, NULL, NULL), 0, "addr");
	TEST_ASSERT(pa != pb && pa > 1023 && pb > 1023, "ephemeral ports %u %u", pa, pb);
	TEST_ASSERT_EQUAL(cid, GUEST_CID, "local CID");
	TEST_ASSERT(rte_vmci_vsock_connect(ctx, HOST_CID, 5000, pa) == NULL &&
		    rte_errno == EADDRINUSE, "port of a client");
	TEST_ASSERT(rte_vmci_vsock_connect(ctx, RTE_VMCI_VSOCK_CID_LOCAL, 5000,
					   RTE_VMCI_VSOCK_PORT_ANY) == NULL &&
		    rte_errno == EINVAL, "CID 1");
	TEST_ASSERT(rte_vmci_vsock_listen(ctx, 6101, 0) == NULL && rte_errno == EINVAL,
		    "backlog 0");
	rte_vmci_vsock_close(a);
	rte_vmci_vsock_close(b);
	rte_vmci_vsock_close(l);
	l = rte_vmci_vsock_listen(ctx, 6100, 1);
	TEST_ASSERT(l != NULL, "port free after close");
	rte_vmci_vsock_close(l);
	TEST_ASSERT(rte_vmci_vsock_ctx_create(guest, NULL) == NULL && rte_errno == EEXIST,
		    "one context per device");
	peer_flush();
	return TEST_SUCCESS;
}

struct host_dg {
	unsigned int count;
	struct rte_vmci_handle src;
	uint32_t len;
	uint8_t data[128];
};

static void
host_dg_rx(struct rte_vmci_dgram *ep, struct rte_vmci_handle src, const void *payload,
	   uint32_t len, void *arg)
{
	struct host_dg *d = arg;

	RTE_SET_USED(ep);
	d->count++;
	d->src = src;
	d->len = len;
	memcpy(d->data, payload, RTE_MIN(len, (uint32_t)sizeof(d->data)));
}

static int
test_dgram(void)
{
	static uint8_t big[RTE_VMCI_VSOCK_MAX_DG_PAYLOAD + 1];
	struct host_dg seen = { 0 };
	struct rte_vmci_vsock_stats st;
	struct rte_vmci_dgram *hep;
	struct rte_vmci_vsock *s, *s2;
	struct rte_vmci_handle dst;
	uint32_t cid, port, gport;
	uint8_t buf[16];
	int i, sent;

	s = rte_vmci_vsock_dgram_bind(ctx, 3000);
	TEST_ASSERT(s != NULL, "bind");
	TEST_ASSERT(rte_vmci_vsock_dgram_bind(ctx, 3000) == NULL && rte_errno == EADDRINUSE,
		    "bind twice");
	TEST_ASSERT(rte_vmci_vsock_dgram_bind(ctx, 1) == NULL && rte_errno == EADDRINUSE,
		    "port 1 is the control channel");
	s2 = rte_vmci_vsock_dgram_bind(ctx, RTE_VMCI_VSOCK_PORT_ANY);
	TEST_ASSERT(s2 != NULL, "bind any");
	TEST_ASSERT_EQUAL(rte_vmci_vsock_addr(s2, NULL, &gport, NULL, NULL), 0, "addr");
	TEST_ASSERT(gport >= 1024, "port %u", gport);
	rte_vmci_vsock_close(s2);
	hep = rte_vmci_dgram_create(host, 3001, host_dg_rx, &seen);
	TEST_ASSERT(hep != NULL, "host endpoint");
	/* Guest -> host. */
	TEST_ASSERT_EQUAL(rte_vmci_vsock_sendto(s, "ping", 4, HOST_CID, 3001), 4, "sendto");
	for (i = 0; i < PUMP_TRIES && seen.count == 0; i++)
		pump();
	TEST_ASSERT_EQUAL(seen.count, 1, "host got it");
	TEST_ASSERT(seen.len == 4 && memcmp(seen.data, "ping", 4) == 0, "payload, no header");
	TEST_ASSERT(seen.src.context == GUEST_CID && seen.src.resource == 3000, "source");
	/* Host -> guest, twice; the second longer than the buffer. */
	dst.context = GUEST_CID;
	dst.resource = 3000;
	TEST_ASSERT(rte_vmci_dgram_send(hep, dst, "pong", 4) >= 0, "host sends");
	TEST_ASSERT(rte_vmci_dgram_send(hep, dst, "0123456789abcdefXYZ", 19) >= 0, "host sends");
	peer_flush();
	TEST_ASSERT_EQUAL(rte_vmci_vsock_recvfrom(s, buf, sizeof(buf), &cid, &port), 4, "recvfrom");
	TEST_ASSERT(memcmp(buf, "pong", 4) == 0 && cid == HOST_CID && port == 3001, "from host");
	TEST_ASSERT_EQUAL(rte_vmci_vsock_recvfrom(s, buf, sizeof(buf), NULL, NULL), 16,
			  "truncated");
	TEST_ASSERT_EQUAL(rte_vmci_vsock_recvfrom(s, buf, sizeof(buf), NULL, NULL), -EAGAIN,
			  "empty");
	/* Limits. */
	TEST_ASSERT_EQUAL(rte_vmci_vsock_sendto(s, big, sizeof(big), HOST_CID, 3001), -EMSGSIZE,
			  "too big");
	TEST_ASSERT_EQUAL(rte_vmci_vsock_sendto(s, big, 8, 0, 15), -EINVAL,
			  "hypervisor only at 14");
	/* A full receive ring drops and counts; what fitted is intact. */
	for (sent = 0; sent < 3; sent++) {
		TEST_ASSERT(rte_vmci_dgram_send(hep, dst, big, 60000) >= 0, "host sends big");
		peer_flush();
	}
	TEST_ASSERT_EQUAL(rte_vmci_vsock_stats_get(s, &st), 0, "stats");
	TEST_ASSERT_EQUAL(st.rx_dgrams + st.rx_dgram_drops, 5, "every datagram counted");
	TEST_ASSERT(st.rx_dgram_drops >= 1, "drops %" PRIu64, st.rx_dgram_drops);
	TEST_ASSERT_EQUAL(rte_vmci_vsock_recvfrom(s, big, sizeof(big), NULL, NULL), 60000,
			  "whole");
	TEST_ASSERT_EQUAL(st.tx_dgrams, 1, "sent");
	rte_vmci_dgram_destroy(hep);
	rte_vmci_vsock_close(s);
	return TEST_SUCCESS;
}

/* The hypervisor gives the guest a new CID with a connection open
 * (snapshot restore, clone): packets to the new CID reach the socket,
 * which takes it as its own, and data keeps flowing.
 */
static int
test_cid_change(void)
{
	struct rte_vmci_vsock_ctl_pkt p;
	uint32_t cid = 0;
	struct conn c;
	int i, ret;

	TEST_ASSERT_EQUAL(client_handshake(&c, RTE_VMCI_VSOCK_PKT_NEGOTIATE2, 4096, false),
			  TEST_SUCCESS, "handshake");
	TEST_ASSERT_EQUAL(vmci_emu_set_context_id(NULL, GUEST_CID, 30), 30, "new CID");
	for (i = 0; i < PUMP_TRIES && rte_vmci_vsock_local_cid(ctx) != 30; i++)
		pump();
	TEST_ASSERT_EQUAL(rte_vmci_vsock_local_cid(ctx), 30, "device follows");
	guest_cid = 30;
	TEST_ASSERT(peer_send(RTE_VMCI_VSOCK_PKT_WROTE, c.host_port, c.guest_port, 0, 0) >= 0,
		    "packet to the new CID");
	peer_flush();
	TEST_ASSERT_EQUAL(rte_vmci_vsock_addr(c.s, &cid, NULL, NULL, NULL), 0, "addr");
	TEST_ASSERT_EQUAL(cid, 30, "socket's CID refreshed");
	TEST_ASSERT_EQUAL(rte_vmci_vsock_send(c.s, "z", 1), 1, "send");
	TEST_ASSERT_EQUAL(peer_expect(RTE_VMCI_VSOCK_PKT_WROTE, &p), 0, "WROTE from the new CID");
	ret = transfer(&c, 100000, false, 9);
	guest_cid = GUEST_CID;
	TEST_ASSERT_EQUAL(vmci_emu_set_context_id(NULL, 30, GUEST_CID), GUEST_CID, "CID back");
	for (i = 0; i < PUMP_TRIES && rte_vmci_vsock_local_cid(ctx) != GUEST_CID; i++)
		pump();
	TEST_ASSERT_EQUAL(ret, TEST_SUCCESS, "data after the change");
	conn_close(&c);
	return TEST_SUCCESS;
}

static uint64_t
heap_allocs(void)
{
	struct rte_malloc_socket_stats st;
	uint64_t n = 0;
	int sock;

	for (sock = 0; sock < RTE_MAX_NUMA_NODES; sock++)
		if (rte_malloc_get_socket_stats(sock, &st) == 0)
			n += st.alloc_count;
	return n;
}

/* Every way a connection ends gives back what it took: the DPDK heap
 * holds as many blocks after the context is gone as before it came.
 */
static int
test_no_leak(void)
{
	struct rte_vmci_vsock *l, *s;
	struct rte_vmci_vsock_ctl_pkt p;
	struct conn c;
	uint64_t before;

	rte_vmci_vsock_ctx_destroy(ctx);
	ctx = NULL;
	peer_flush();
	before = heap_allocs();
	ctx = rte_vmci_vsock_ctx_create(guest, &default_conf);
	TEST_ASSERT(ctx != NULL, "context");
	/* Established both ways and closed by us; refused; reset; a listener
	 * closed with one pending and one not accepted; a datagram socket.
	 */
	TEST_ASSERT_EQUAL(client_handshake(&c, RTE_VMCI_VSOCK_PKT_NEGOTIATE2, 4096, false),
			  TEST_SUCCESS, "handshake");
	conn_close(&c);
	TEST_ASSERT_EQUAL(test_client_refused(), TEST_SUCCESS, "refused");
	TEST_ASSERT_EQUAL(bad_negotiate(RTE_VMCI_VSOCK_PKT_NEGOTIATE2, 2, 4096), TEST_SUCCESS,
			  "bad NEGOTIATE2");
	l = rte_vmci_vsock_listen(ctx, 6200, 4);
	TEST_ASSERT(l != NULL, "listen");
	TEST_ASSERT_EQUAL(server_handshake(&c, l, RTE_VMCI_VSOCK_PKT_REQUEST2, 4096, 4096),
			  TEST_SUCCESS, "handshake");
	conn_close(&c);
	TEST_ASSERT(peer_send(RTE_VMCI_VSOCK_PKT_REQUEST2, 7500, 6200, 1, 4096) >= 0, "REQUEST2");
	TEST_ASSERT_EQUAL(peer_expect(RTE_VMCI_VSOCK_PKT_NEGOTIATE2, NULL), 0, "pending");
	TEST_ASSERT(peer_send(RTE_VMCI_VSOCK_PKT_REQUEST2, 7501, 6200, 1, 4096) >= 0, "REQUEST2");
	TEST_ASSERT_EQUAL(peer_expect(RTE_VMCI_VSOCK_PKT_NEGOTIATE2, NULL), 0, "pending");
	TEST_ASSERT(peer_send(RTE_VMCI_VSOCK_PKT_RST, 7501, 6200, 0, 0) >= 0, "RST it");
	c.h.context = HOST_CID;
	c.h.resource = next_host_rid++;
	TEST_ASSERT_EQUAL(vmci_emu_host_qp_create(NULL, c.h, GUEST_CID, 4096, 4096),
			  VMCI_SUCCESS_QUEUEPAIR_CREATE, "host creates");
	TEST_ASSERT(peer_send(RTE_VMCI_VSOCK_PKT_REQUEST2, 7502, 6200, 1, 4096) >= 0, "REQUEST2");
	TEST_ASSERT_EQUAL(peer_expect(RTE_VMCI_VSOCK_PKT_NEGOTIATE2, NULL), 0, "pending");
	TEST_ASSERT(peer_send(RTE_VMCI_VSOCK_PKT_OFFER, 7502, 6200, 0, handle_u64(c.h)) >= 0,
		    "OFFER");
	TEST_ASSERT_EQUAL(peer_expect(RTE_VMCI_VSOCK_PKT_ATTACH, &p), 0, "not accepted yet");
	rte_vmci_vsock_close(l);
	vmci_emu_host_qp_detach(NULL, c.h);
	s = rte_vmci_vsock_dgram_bind(ctx, 3100);
	TEST_ASSERT(s != NULL, "bind");
	rte_vmci_vsock_close(s);
	/* And one left open for the context to close. */
	s = rte_vmci_vsock_connect(ctx, HOST_CID, 5100, RTE_VMCI_VSOCK_PORT_ANY);
	TEST_ASSERT(s != NULL, "connect");
	rte_vmci_vsock_ctx_destroy(ctx);
	ctx = NULL;
	peer_flush();
	TEST_ASSERT_EQUAL(heap_allocs(), before, "heap blocks after the context is gone");
	return ctx_reset(&default_conf) == 0 ? TEST_SUCCESS : TEST_FAILED;
}

/*
 * A WROTE the hypervisor refuses (the host's datagram queue is full) is
 * owed, retried from the poll call, and arrives once the host drains.
 */
static int
test_notify_retry(void)
{
	static uint8_t big[60000];
	struct rte_vmci_handle sink = { HOST_CID, 3300 };
	struct rte_vmci_vsock_conf conf = default_conf;
	struct rte_vmci_vsock_stats st;
	struct host_dg seen = { 0 };
	struct rte_vmci_dgram *hep;
	struct rte_vmci_vsock *d;
	struct conn c;
	size_t len;
	int i;

	conf.flags = RTE_VMCI_VSOCK_F_WROTE_AT_ONCE;
	TEST_ASSERT_EQUAL(ctx_reset(&conf), 0, "context sending WROTE at once");
	TEST_ASSERT_EQUAL(client_handshake(&c, RTE_VMCI_VSOCK_PKT_NEGOTIATE2, 4096, false),
			  TEST_SUCCESS, "handshake");
	hep = rte_vmci_dgram_create(host, sink.resource, host_dg_rx, &seen);
	d = rte_vmci_vsock_dgram_bind(ctx, 3301);
	TEST_ASSERT(hep != NULL && d != NULL, "datagram ends");
	/* Fill the host's queue to the byte, without letting it poll. */
	for (len = sizeof(big); ; ) {
		if (rte_vmci_vsock_sendto(d, big, len, HOST_CID, sink.resource) < 0) {
			if (len == 0)
				break;
			len /= 2;
		}
	}
	TEST_ASSERT_EQUAL(rte_vmci_vsock_send(c.s, "x", 1), 1, "send");
	TEST_ASSERT_EQUAL(rte_vmci_vsock_stats_get(c.s, &st), 0, "stats");
	TEST_ASSERT_EQUAL(st.notify_tx_fail, 1, "WROTE refused");
	TEST_ASSERT_EQUAL(st.notify_tx, 0, "none sent");
	for (i = 0; i < PUMP_TRIES && peer.head == peer.tail; i++)
		pump();
	TEST_ASSERT_EQUAL(peer_expect(RTE_VMCI_VSOCK_PKT_WROTE, NULL), 0, "WROTE retried");
	TEST_ASSERT_EQUAL(peer_silent(), 0, "once");
	TEST_ASSERT_EQUAL(rte_vmci_vsock_stats_get(c.s, &st), 0, "stats");
	TEST_ASSERT_EQUAL(st.notify_tx, 1, "sent once");
	rte_vmci_vsock_close(d);
	rte_vmci_dgram_destroy(hep);
	conn_close(&c);
	return ctx_reset(&default_conf) == 0 ? TEST_SUCCESS : TEST_FAILED;
}

/* Long enough that the checks before it runs out never race it. */
#define WROTE_TEST_DELAY_US 50000u

static int
wrote_stats_expect(struct rte_vmci_vsock *s, uint64_t sent, uint64_t saved, uint64_t late)
{
	struct rte_vmci_vsock_stats st;

	TEST_ASSERT_EQUAL(rte_vmci_vsock_stats_get(s, &st), 0, "stats");
	TEST_ASSERT_EQUAL(st.notify_tx, sent, "WROTEs sent");
	TEST_ASSERT_EQUAL(st.wrote_saved, saved, "held WROTEs not needed");
	TEST_ASSERT_EQUAL(st.wrote_late, late, "held WROTEs sent late");
	return TEST_SUCCESS;
}

/*
 * A queue-state WROTE is held: never sent when the peer took the bytes
 * within the delay, sent once the delay is over when it did not, and then
 * sent at once for the next writes into an empty queue.
 */
static int
test_wrote_held(void)
{
	struct rte_vmci_vsock_conf conf = default_conf;
	uint8_t buf[64] = { 0 };
	struct conn c;

	conf.wrote_delay_us = WROTE_TEST_DELAY_US;
	TEST_ASSERT_EQUAL(ctx_reset(&conf), 0, "context");
	TEST_ASSERT_EQUAL(client_handshake(&c, RTE_VMCI_VSOCK_PKT_NEGOTIATE2, 4096, false),
			  TEST_SUCCESS, "handshake");
	/* A peer that polls: it takes the bytes, no WROTE ever goes out. */
	TEST_ASSERT_EQUAL(rte_vmci_vsock_send(c.s, buf, 10), 10, "send into an empty queue");
	TEST_ASSERT_EQUAL(peer_silent(), 0, "WROTE held");
	TEST_ASSERT_EQUAL(rte_vmci_qp_dequeue_burst(c.hep, buf, sizeof(buf)), 10, "host reads");
	rte_delay_us_block(WROTE_TEST_DELAY_US);
	TEST_ASSERT_EQUAL(peer_silent(), 0, "no WROTE after the delay: the bytes were taken");
	TEST_ASSERT_EQUAL(wrote_stats_expect(c.s, 0, 1, 0), TEST_SUCCESS, "polling peer");
	/* A peer that sleeps: the bytes stay, the WROTE goes out after the delay. */
	TEST_ASSERT_EQUAL(rte_vmci_vsock_send(c.s, buf, 10), 10, "send into an empty queue");
	TEST_ASSERT_EQUAL(peer_silent(), 0, "WROTE held");
	rte_delay_us_block(WROTE_TEST_DELAY_US);
	TEST_ASSERT_EQUAL(rte_vmci_vsock_recv(c.s, buf, sizeof(buf)), -EAGAIN, "a data call");
	TEST_ASSERT_EQUAL(wrote_stats_expect(c.s, 1, 1, 1), TEST_SUCCESS, "sleeping peer");
	TEST_ASSERT_EQUAL(peer_expect(RTE_VMCI_VSOCK_PKT_WROTE, NULL), 0, "WROTE late");
	/* From now on it is woken at once. */
	TEST_ASSERT_EQUAL(rte_vmci_qp_dequeue_burst(c.hep, buf, sizeof(buf)), 10, "host reads");
	TEST_ASSERT_EQUAL(rte_vmci_vsock_send(c.s, buf, 10), 10, "send into an empty queue");
	TEST_ASSERT_EQUAL(wrote_stats_expect(c.s, 2, 1, 1), TEST_SUCCESS, "WROTE at once");
	TEST_ASSERT_EQUAL(peer_expect(RTE_VMCI_VSOCK_PKT_WROTE, NULL), 0, "WROTE");
	conn_close(&c);
	return ctx_reset(&default_conf) == 0 ? TEST_SUCCESS : TEST_FAILED;
}

/* A held WROTE goes out before SHUTDOWN and on close: a sleeping peer
 * must see the last bytes.
 */
static int
test_wrote_flush(void)
{
	struct rte_vmci_vsock_conf conf = default_conf;
	uint8_t buf[16] = { 0 };
	struct rte_vmci_vsock_ctl_pkt p;
	struct conn c;

	conf.wrote_delay_us = RTE_VMCI_VSOCK_WROTE_DELAY_MAX_US;
	TEST_ASSERT_EQUAL(ctx_reset(&conf), 0, "context");
	TEST_ASSERT_EQUAL(client_handshake(&c, RTE_VMCI_VSOCK_PKT_NEGOTIATE2, 4096, false),
			  TEST_SUCCESS, "handshake");
	TEST_ASSERT_EQUAL(rte_vmci_vsock_send(c.s, buf, 5), 5, "send");
	TEST_ASSERT_EQUAL(rte_vmci_vsock_shutdown(c.s, SHUT_WR), 0, "shutdown");
	TEST_ASSERT_EQUAL(peer_expect(RTE_VMCI_VSOCK_PKT_WROTE, NULL), 0, "WROTE first");
	TEST_ASSERT_EQUAL(peer_expect(RTE_VMCI_VSOCK_PKT_SHUTDOWN, &p), 0, "then SHUTDOWN");
	conn_close(&c);

	TEST_ASSERT_EQUAL(client_handshake(&c, RTE_VMCI_VSOCK_PKT_NEGOTIATE2, 4096, false),
			  TEST_SUCCESS, "handshake");
	TEST_ASSERT_EQUAL(rte_vmci_vsock_send(c.s, buf, 5), 5, "send");
	rte_vmci_vsock_close(c.s);
	c.s = NULL;
	TEST_ASSERT_EQUAL(peer_expect(RTE_VMCI_VSOCK_PKT_WROTE, NULL), 0, "WROTE on close");
	conn_close(&c);
	return ctx_reset(&default_conf) == 0 ? TEST_SUCCESS : TEST_FAILED;
}

/* RTE_VMCI_VSOCK_F_WROTE_AT_ONCE, and the classic protocol, hold nothing;
 * a delay beyond the limit is refused.
 */
static int
test_wrote_at_once(void)
{
	struct rte_vmci_vsock_conf conf = default_conf;
	uint8_t buf[16] = { 0 };
	struct conn c;

	conf.wrote_delay_us = RTE_VMCI_VSOCK_WROTE_DELAY_MAX_US + 1;
	rte_vmci_vsock_ctx_destroy(ctx);
	ctx = rte_vmci_vsock_ctx_create(guest, &conf);
	TEST_ASSERT(ctx == NULL && rte_errno == EINVAL, "delay beyond the limit refused");
	conf.wrote_delay_us = 0;
	conf.flags = RTE_VMCI_VSOCK_F_WROTE_AT_ONCE;
	TEST_ASSERT_EQUAL(ctx_reset(&conf), 0, "context");
	TEST_ASSERT_EQUAL(client_handshake(&c, RTE_VMCI_VSOCK_PKT_NEGOTIATE2, 4096, false),
			  TEST_SUCCESS, "handshake");
	TEST_ASSERT_EQUAL(rte_vmci_vsock_send(c.s, buf, 5), 5, "send");
	TEST_ASSERT_EQUAL(wrote_stats_expect(c.s, 1, 0, 0), TEST_SUCCESS, "sent in the call");
	TEST_ASSERT_EQUAL(peer_expect(RTE_VMCI_VSOCK_PKT_WROTE, NULL), 0, "WROTE");
	conn_close(&c);

	conf.flags = 0;
	conf.wrote_delay_us = RTE_VMCI_VSOCK_WROTE_DELAY_MAX_US;
	TEST_ASSERT_EQUAL(ctx_reset(&conf), 0, "context");
	TEST_ASSERT_EQUAL(client_handshake(&c, RTE_VMCI_VSOCK_PKT_NEGOTIATE, 4096, false),
			  TEST_SUCCESS, "classic handshake");
	TEST_ASSERT_EQUAL(rte_vmci_vsock_send(c.s, buf, 5), 5, "send");
	TEST_ASSERT_EQUAL(wrote_stats_expect(c.s, 1, 0, 0), TEST_SUCCESS, "classic: at once");
	TEST_ASSERT_EQUAL(peer_expect(RTE_VMCI_VSOCK_PKT_WROTE, NULL), 0, "WROTE");
	conn_close(&c);
	return ctx_reset(&default_conf) == 0 ? TEST_SUCCESS : TEST_FAILED;
}

/* The socket cap holds against requests: refused with a RST, and the
 * application's own calls get ENOSPC.
 */
static int
test_socket_cap(void)
{
	struct rte_vmci_vsock_conf conf = default_conf;
	struct rte_vmci_vsock *l;

	conf.max_sockets = 2;
	TEST_ASSERT_EQUAL(ctx_reset(&conf), 0, "context");
	l = rte_vmci_vsock_listen(ctx, 6400, 8);
	TEST_ASSERT(l != NULL, "listen");
	TEST_ASSERT(peer_send(RTE_VMCI_VSOCK_PKT_REQUEST2, 7600, 6400, 1, 4096) >= 0, "REQUEST2");
	TEST_ASSERT_EQUAL(peer_expect(RTE_VMCI_VSOCK_PKT_NEGOTIATE2, NULL), 0, "second socket");
	TEST_ASSERT_EQUAL(expect_refused(RTE_VMCI_VSOCK_PKT_REQUEST2, 7601, 6400, 1, 4096),
			  TEST_SUCCESS, "third refused");
	TEST_ASSERT(rte_vmci_vsock_connect(ctx, HOST_CID, 5000, RTE_VMCI_VSOCK_PORT_ANY) == NULL &&
		    rte_errno == ENOSPC, "connect at the cap");
	TEST_ASSERT(rte_vmci_vsock_dgram_bind(ctx, 3400) == NULL && rte_errno == ENOSPC,
		    "bind at the cap");
	rte_vmci_vsock_close(l);
	TEST_ASSERT_EQUAL(peer_expect(RTE_VMCI_VSOCK_PKT_RST, NULL), 0, "pending one reset");
	TEST_ASSERT_EQUAL(ctx_reset(&default_conf), 0, "context back");
	return TEST_SUCCESS;
}

/*
 * Two guests, each with its own context (VM to VM, which the emulated
 * hypervisor allows when told to): the state machine on both ends, every
 * packet routed by the hypervisor. Both ends are this code, so this checks
 * consistency, not interoperability (the scripted peer above holds it to
 * the protocol document). The emulator cannot share pages between two
 * guests, so no data moves here: handshake, half-close and close.
 */
static int
test_guest_to_guest(void)
{
	struct rte_vmci_device *other = rte_vmci_dev_find("vmci_emu1");
	struct rte_vmci_vsock_ctx *ctx2 = NULL;
	struct rte_vmci_vsock *l = NULL, *a = NULL, *b = NULL;
	int ret = TEST_FAILED, idle = 0;
	uint8_t buf[16];

	if (other == NULL)
		TEST_SKIP("no second guest (vmci_emu1)");
	TEST_ASSERT_EQUAL(vmci_emu_hv_allow_vm_to_vm_qp(NULL, true), 0, "allow VM to VM");
	ctx2 = rte_vmci_vsock_ctx_create(other, &default_conf);
	if (ctx2 == NULL)
		goto out;
	l = rte_vmci_vsock_listen(ctx2, 8000, 1);
	a = rte_vmci_vsock_connect(ctx, rte_vmci_context_id(other), 8000,
				   RTE_VMCI_VSOCK_PORT_ANY);
	if (l == NULL || a == NULL)
		goto out;
	/* The server side is established first: it sends ATTACH after. */
	while ((b == NULL || rte_vmci_vsock_state(a) == RTE_VMCI_VSOCK_CONNECTING) &&
	       idle++ < PUMP_TRIES) {
		pump();
		rte_vmci_vsock_poll(ctx2);
		if (b == NULL)
			b = rte_vmci_vsock_accept(l);
	}
	if (b == NULL || rte_vmci_vsock_state(a) != RTE_VMCI_VSOCK_ESTABLISHED ||
	    rte_vmci_vsock_notify_proto(a) != RTE_VMCI_VSOCK_NOTIFY_QSTATE ||
	    rte_vmci_vsock_notify_proto(b) != RTE_VMCI_VSOCK_NOTIFY_QSTATE ||
	    rte_vmci_vsock_buffer_size(b) != default_conf.buffer_size) {
		printf("  not connected: state %d error %d\n", rte_vmci_vsock_state(a),
		       rte_vmci_vsock_error(a));
		goto out;
	}
	/* Half-close travels as SHUTDOWN: end of stream on the other side. */
	if (rte_vmci_vsock_shutdown(a, SHUT_WR) < 0)
		goto out;
	for (idle = 0; idle < PUMP_TRIES && rte_vmci_vsock_recv(b, buf, sizeof(buf)) != 0;
	     idle++)
		rte_vmci_vsock_poll(ctx2);
	if (idle == PUMP_TRIES) {
		printf("  no end of stream after SHUT_WR\n");
		goto out;
	}
	/* Close detaches: the other side closes down. */
	rte_vmci_vsock_close(a);
	a = NULL;
	for (idle = 0; idle < PUMP_TRIES &&
	     rte_vmci_vsock_state(b) != RTE_VMCI_VSOCK_CLOSING; idle++)
		rte_vmci_vsock_poll(ctx2);
	if (rte_vmci_vsock_state(b) != RTE_VMCI_VSOCK_CLOSING) {
		printf("  peer close not seen\n");
		goto out;
	}
	ret = TEST_SUCCESS;
out:
	rte_vmci_vsock_close(a);
	rte_vmci_vsock_close(b);
	rte_vmci_vsock_close(l);
	rte_vmci_vsock_ctx_destroy(ctx2);
	vmci_emu_hv_allow_vm_to_vm_qp(NULL, false);
	peer_flush();
	return ret;
}

/* A RST (or any packet) from a port other than the connection's peer
 * port reaches no socket: unanswered, the connection unharmed.
 */
static int
test_spoofed_rst(void)
{
	struct conn c;

	TEST_ASSERT_EQUAL(client_handshake(&c, RTE_VMCI_VSOCK_PKT_NEGOTIATE2, 4096, false),
			  TEST_SUCCESS, "handshake");
	TEST_ASSERT(peer_send(RTE_VMCI_VSOCK_PKT_RST, c.host_port + 1, c.guest_port, 0, 0) >= 0,
		    "RST from another port");
	TEST_ASSERT(peer_send(RTE_VMCI_VSOCK_PKT_SHUTDOWN, c.host_port, c.guest_port + 1, 0, 3) >= 0,
		    "SHUTDOWN to another port");
	TEST_ASSERT_EQUAL(peer_expect(RTE_VMCI_VSOCK_PKT_RST, NULL), 0,
			  "RST for the stray SHUTDOWN, none for the RST");
	TEST_ASSERT_EQUAL(peer_silent(), 0, "nothing else");
	TEST_ASSERT_EQUAL(rte_vmci_vsock_state(c.s), RTE_VMCI_VSOCK_ESTABLISHED, "unharmed");
	TEST_ASSERT_EQUAL(transfer(&c, 5000, true, 4), TEST_SUCCESS, "data");
	conn_close(&c);
	return TEST_SUCCESS;
}

/* A flood of requests: the backlog holds, each extra one is refused, and
 * the listener serves again once the pending ones are gone.
 */
static int
test_request_flood(void)
{
	struct rte_vmci_vsock_stats st;
	struct rte_vmci_vsock *l;
	unsigned int i, nego = 0, rst = 0;
	struct conn c;

	l = rte_vmci_vsock_listen(ctx, 6500, 4);
	TEST_ASSERT(l != NULL, "listen");
	for (i = 0; i < 200; i++) {
		TEST_ASSERT(peer_send(RTE_VMCI_VSOCK_PKT_REQUEST2, 10000 + i, 6500, 1, 4096) >= 0,
			    "REQUEST2 %u", i);
		pump();
		nego += peer_take_notifies(RTE_VMCI_VSOCK_PKT_NEGOTIATE2);
		rst += peer_take_notifies(RTE_VMCI_VSOCK_PKT_RST);
	}
	for (i = 0; i < 20; i++)
		pump();
	nego += peer_take_notifies(RTE_VMCI_VSOCK_PKT_NEGOTIATE2);
	rst += peer_take_notifies(RTE_VMCI_VSOCK_PKT_RST);
	TEST_ASSERT_EQUAL(nego, 4, "backlog of 4");
	TEST_ASSERT_EQUAL(rst, 196, "the rest refused");
	TEST_ASSERT_EQUAL(rte_vmci_vsock_stats_get(l, &st), 0, "stats");
	TEST_ASSERT_EQUAL(st.refused, 196, "counted");
	/* The peer gives up on its four: the listener serves again. */
	for (i = 0; i < 4; i++)
		TEST_ASSERT(peer_send(RTE_VMCI_VSOCK_PKT_RST, 10000 + i, 6500, 0, 0) >= 0, "RST");
	TEST_ASSERT_EQUAL(peer_silent(), 0, "no reply to them");
	TEST_ASSERT_EQUAL(server_handshake(&c, l, RTE_VMCI_VSOCK_PKT_REQUEST2, 4096, 4096),
			  TEST_SUCCESS, "served again");
	conn_close(&c);
	rte_vmci_vsock_close(l);
	return TEST_SUCCESS;
}

/* One telemetry command through the process's own telemetry socket. */
static int
telemetry(const char *cmd, char *out, size_t len)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	ssize_t n;
	int fd;

	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s/dpdk_telemetry.v2",
		 rte_eal_get_runtime_dir());
	fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
	    read(fd, out, len - 1) <= 0 ||  /* the greeting */
	    write(fd, cmd, strlen(cmd)) < 0) {
		close(fd);
		return -1;
	}
	n = read(fd, out, len - 1);
	close(fd);
	if (n <= 0)
		return -1;
	out[n] = '\0';
	return 0;
}

static int
test_telemetry(void)
{
	struct rte_vmci_vsock *l, *d;
	char out[4096], cmd[64], want[64];

	l = rte_vmci_vsock_listen(ctx, 6300, 2);
	d = rte_vmci_vsock_dgram_bind(ctx, 3200);
	TEST_ASSERT(l != NULL && d != NULL, "sockets");
	if (telemetry("/vmci/vsock/list", out, sizeof(out)) < 0) {
		rte_vmci_vsock_close(l);
		rte_vmci_vsock_close(d);
		TEST_SKIP("no telemetry socket in %s", rte_eal_get_runtime_dir());
	}
	snprintf(want, sizeof(want), "%u", rte_vmci_vsock_id(l));
	TEST_ASSERT(strstr(out, want) != NULL, "listener %s in %s", want, out);
	snprintf(cmd, sizeof(cmd), "/vmci/vsock/info,%u", rte_vmci_vsock_id(l));
	TEST_ASSERT_EQUAL(telemetry(cmd, out, sizeof(out)), 0, "info");
	TEST_ASSERT(strstr(out, "\"state\":\"listen\"") != NULL &&
		    strstr(out, "\"local_port\":6300") != NULL, "%s", out);
	snprintf(cmd, sizeof(cmd), "/vmci/vsock/info,%u", rte_vmci_vsock_id(d));
	TEST_ASSERT_EQUAL(telemetry(cmd, out, sizeof(out)), 0, "info");
	TEST_ASSERT(strstr(out, "\"state\":\"dgram\"") != NULL, "%s", out);
	TEST_ASSERT_EQUAL(telemetry("/vmci/vsock/info,999999", out, sizeof(out)), 0, "unknown");
	TEST_ASSERT(strstr(out, "null") != NULL, "no such socket: %s", out);
	TEST_ASSERT_EQUAL(telemetry("/vmci/vsock/stats", out, sizeof(out)), 0, "stats");
	TEST_ASSERT(strstr(out, "\"contexts\":1") != NULL &&
		    strstr(out, "\"sockets\":2") != NULL, "%s", out);
	rte_vmci_vsock_close(l);
	rte_vmci_vsock_close(d);
	return TEST_SUCCESS;
}

static const struct vmci_test_case cases[] = {
	{ "client_qstate", test_client_qstate },
	{ "notify_rules", test_notify_rules },
	{ "client_classic", test_client_classic },
	{ "client_refused", test_client_refused },
	{ "client_timeout", test_client_timeout },
	{ "client_bad_packets", test_client_bad_packets },
	{ "server_qstate", test_server_qstate },
	{ "server_classic", test_server_classic },
	{ "server_refusals", test_server_refusals },
	{ "server_pending_timeout", test_server_pending_timeout },
	{ "intake", test_intake },
	{ "rst_rate_limit", test_rst_rate_limit },
	{ "half_close", test_half_close },
	{ "reset_and_detach", test_reset_and_detach },
	{ "zero_copy_and_iov", test_zero_copy_and_iov },
	{ "ports", test_ports },
	{ "dgram", test_dgram },
	{ "cid_change", test_cid_change },
	{ "no_leak", test_no_leak },
	{ "telemetry", test_telemetry },
	{ "notify_retry", test_notify_retry },
	{ "wrote_held", test_wrote_held },
	{ "wrote_flush", test_wrote_flush },
	{ "wrote_at_once", test_wrote_at_once },
	{ "socket_cap", test_socket_cap },
	{ "guest_to_guest", test_guest_to_guest },
	{ "spoofed_rst", test_spoofed_rst },
	{ "request_flood", test_request_flood },
	{ NULL, NULL },
};

static const struct vmci_test_suite suite = {
	.name = "vsock",
	.setup = suite_setup,
	.teardown = suite_teardown,
	.cases = cases,
};

VMCI_TEST_MAIN(suite)
