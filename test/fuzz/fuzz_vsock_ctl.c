/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

/*
 * The vSockets control-packet parser and state machine against a hostile
 * peer. A guest (vmci_emu0, CID 20) runs a context; the emulated host
 * (vmci_host0) is the peer. The input is a program of operations:
 *   0 src:u8 len:u8 bytes[len]  control datagram straight into the parser,
 *                               from CID {2,0,1,33}[src&3], resource 7 if
 *                               src&4 else the control one
 *   1 bytes[32]                 control datagram from the host's resource 1
 *                               through the device
 *   2 lport:u8 port:u8          connect from 4000+lport to 2:(5000+port)
 *   3 port:u8 backlog:u8        listen on 6000+port
 *   4 idx:u8                    accept on socket idx
 *   5 idx:u8 len:u16            send len bytes
 *   6 idx:u8                    recv
 *   7 idx:u8                    close
 *   8                           poll guest and host
 *   9 size:u8 lport:u8 port:u8  host attaches to the last OFFER it saw and
 *                               sends ATTACH from 5000+port to 4000+lport
 *  10 size:u8                   host creates a pair (for an OFFER)
 *  11                           host detaches every pair it holds
 *  12 idx:u8 how:u8             shutdown
 *  13 idx:u8 len:u16            peek_zc, consume half
 *  14 port:u8 len:u16           datagram socket: bind 3000+port, send to host
 * Socket indices name the sockets made so far (modulo their number). Every
 * input ends with every socket closed and the context destroyed, and the
 * DPDK heap must then hold as many blocks as before it (no leak).
 */

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_common.h>
#include <rte_dev.h>
#include <rte_malloc.h>

#include "fuzz_common.h"
#include "rte_bus_vmci.h"
#include "vmci_defs.h"
#include "vmci_emu_test.h"
#include "vsock_private.h"

#define HV "fz_vsock"
#define GUEST_CID 20
#define MAX_SOCKS 16
#define MAX_HOST_QP 8

static struct rte_vmci_device *guest, *host;
static struct rte_vmci_dgram *peer_ep;
static struct rte_vmci_handle last_offer = { RTE_VMCI_INVALID_ID, RTE_VMCI_INVALID_ID };
static struct rte_vmci_qpair *host_qp[MAX_HOST_QP];
static struct rte_vmci_handle host_made[MAX_HOST_QP];
static unsigned int n_host_qp, n_host_made;
static uint32_t host_rid = 9000;
static uint8_t buf[65536];

static const uint64_t sizes[] = { 128, 4096, 65536, 262144, 64, 1u << 20 };

static void
peer_rx(struct rte_vmci_dgram *ep, struct rte_vmci_handle src, const void *payload,
	uint32_t len, void *arg)
{
	struct rte_vmci_vsock_ctl_pkt p;

	RTE_SET_USED(ep);
	RTE_SET_USED(src);
	RTE_SET_USED(arg);
	if (len < RTE_VMCI_VSOCK_CTL_PAYLOAD_SIZE)
		return;
	memcpy((uint8_t *)&p + RTE_VMCI_VSOCK_DG_HDR_SIZE, payload,
	       RTE_VMCI_VSOCK_CTL_PAYLOAD_SIZE);
	if (p.type == RTE_VMCI_VSOCK_PKT_OFFER)
		last_offer = p.u.handle;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	RTE_SET_USED(argc);
	RTE_SET_USED(argv);
	fuzz_eal_init("vsock_ctl");
	if (rte_eal_hotplug_add("vmci", "vmci_emu0", "cid=20,hv=" HV) < 0 ||
	    rte_eal_hotplug_add("vmci", "vmci_host0", "hv=" HV) < 0)
		abort();
	guest = rte_vmci_dev_find("vmci_emu0");
	host = rte_vmci_dev_find("vmci_host0");
	if (guest == NULL || host == NULL)
		abort();
	peer_ep = rte_vmci_dgram_create(host, RTE_VMCI_VSOCK_PACKET_RID, peer_rx, NULL);
	if (peer_ep == NULL)
		abort();
	return 0;
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

static void
pump(struct rte_vmci_vsock_ctx *ctx)
{
	rte_vmci_vsock_poll(ctx);
	rte_vmci_poll(host);
}

static struct rte_vmci_vsock *
pick(struct rte_vmci_vsock **socks, unsigned int n, struct fuzz_in *in)
{
	uint8_t i = (uint8_t)fuzz_take(in, 1);

	return n == 0 ? NULL : socks[i % n];
}

static void
forget(struct rte_vmci_vsock **socks, unsigned int *n, struct rte_vmci_vsock *s)
{
	unsigned int i;

	for (i = 0; i < *n; i++) {
		if (socks[i] == s) {
			socks[i] = socks[--*n];
			return;
		}
	}
}

static void
host_attach(uint64_t size)
{
	struct rte_vmci_qpair_conf qc = {
		.produce_size = size, .consume_size = size, .peer = GUEST_CID,
		.flags = RTE_VMCI_QPAIR_F_ATTACH_ONLY, .handle = last_offer,
		.socket_id = SOCKET_ID_ANY,
	};
	struct rte_vmci_qpair *q;

	if (n_host_qp == MAX_HOST_QP)
		return;
	q = rte_vmci_qpair_create(host, &qc);
	if (q != NULL)
		host_qp[n_host_qp++] = q;
}

static void
host_send_attach(uint32_t guest_port, uint32_t host_port)
{
	struct rte_vmci_handle to_guest = { GUEST_CID, RTE_VMCI_VSOCK_PACKET_RID };
	struct rte_vmci_vsock_ctl_pkt p;

	memset(&p, 0, sizeof(p));
	p.version = RTE_VMCI_VSOCK_PACKET_VERSION;
	p.type = RTE_VMCI_VSOCK_PKT_ATTACH;
	p.src_port = host_port;
	p.dst_port = guest_port;
	p.u.handle = last_offer;
	rte_vmci_dgram_send(peer_ep, to_guest, (uint8_t *)&p + RTE_VMCI_VSOCK_DG_HDR_SIZE,
			    RTE_VMCI_VSOCK_CTL_PAYLOAD_SIZE);
}

static void
host_create(uint64_t size)
{
	struct rte_vmci_handle h = { RTE_VMCI_HOST_CID, host_rid++ };

	if (n_host_made == MAX_HOST_QP)
		return;
	if (vmci_emu_host_qp_create(HV, h, GUEST_CID, size, size) ==
	    VMCI_SUCCESS_QUEUEPAIR_CREATE)
		host_made[n_host_made++] = h;
}

static void
host_release(void)
{
	while (n_host_qp > 0)
		rte_vmci_qpair_detach(host_qp[--n_host_qp]);
	while (n_host_made > 0)
		vmci_emu_host_qp_detach(HV, host_made[--n_host_made]);
}

static void
one_op(struct rte_vmci_vsock_ctx *ctx, struct rte_vmci_vsock **socks, unsigned int *n,
       struct fuzz_in *in)
{
	static const uint32_t cids[] = { RTE_VMCI_HOST_CID, 0, 1, 33 };
	struct rte_vmci_handle to_guest = { GUEST_CID, RTE_VMCI_VSOCK_PACKET_RID };
	struct rte_vmci_handle src;
	struct rte_vmci_vsock *s = NULL;
	struct rte_vmci_qp_zc zc;
	uint8_t pkt[40] = { 0 };
	uint32_t len, i;
	ssize_t r;

	switch (fuzz_take(in, 1) % 15) {
	case 0:
		i = (uint32_t)fuzz_take(in, 1);
		src.context = cids[i & 3];
		src.resource = (i & 4) ? 7 : rte_vmci_vsock_packet_rid(src.context);
		len = (uint32_t)fuzz_take(in, 1) % (sizeof(pkt) + 1);
		for (i = 0; i < len; i++)
			pkt[i] = (uint8_t)fuzz_take(in, 1);
		vsock_ctl_input(ctx, src, pkt, len);
		break;
	case 1:
		for (i = 0; i < RTE_VMCI_VSOCK_CTL_PAYLOAD_SIZE; i++)
			pkt[i] = (uint8_t)fuzz_take(in, 1);
		rte_vmci_dgram_send(peer_ep, to_guest, pkt, RTE_VMCI_VSOCK_CTL_PAYLOAD_SIZE);
		break;
	case 2:
		i = (uint32_t)fuzz_take(in, 1);
		len = (uint32_t)fuzz_take(in, 1);
		if (*n < MAX_SOCKS)
			s = rte_vmci_vsock_connect(ctx, RTE_VMCI_HOST_CID, 5000 + len, 4000 + i);
		break;
	case 3:
		i = (uint32_t)fuzz_take(in, 1);
		len = (uint32_t)fuzz_take(in, 1) % 4;
		if (*n < MAX_SOCKS)
			s = rte_vmci_vsock_listen(ctx, 6000 + i, len);
		break;
	case 4:
		if (*n < MAX_SOCKS)
			s = rte_vmci_vsock_accept(pick(socks, *n, in));
		break;
	case 5:
		s = pick(socks, *n, in);
		len = (uint32_t)fuzz_take(in, 2);
		rte_vmci_vsock_send(s, buf, len);
		s = NULL;
		break;
	case 6:
		rte_vmci_vsock_recv(pick(socks, *n, in), buf, sizeof(buf));
		break;
	case 7:
		s = pick(socks, *n, in);
		if (s != NULL) {
			forget(socks, n, s);
			rte_vmci_vsock_close(s);
		}
		s = NULL;
		break;
	case 8:
		pump(ctx);
		break;
	case 9:
		host_attach(sizes[fuzz_take(in, 1) % RTE_DIM(sizes)]);
		i = (uint32_t)fuzz_take(in, 1);
		len = (uint32_t)fuzz_take(in, 1);
		host_send_attach(4000 + i, 5000 + len);
		break;
	case 10:
		host_create(sizes[fuzz_take(in, 1) % RTE_DIM(sizes)]);
		break;
	case 11:
		host_release();
		break;
	case 12:
		s = pick(socks, *n, in);
		rte_vmci_vsock_shutdown(s, (int)(fuzz_take(in, 1) % 4));
		s = NULL;
		break;
	case 13:
		s = pick(socks, *n, in);
		r = rte_vmci_vsock_peek_zc(s, (size_t)fuzz_take(in, 2), &zc);
		if (r > 0)
			rte_vmci_vsock_consume(s, (size_t)r / 2);
		s = NULL;
		break;
	case 14:
		i = (uint32_t)fuzz_take(in, 1);
		len = (uint32_t)fuzz_take(in, 2);
		if (*n < MAX_SOCKS)
			s = rte_vmci_vsock_dgram_bind(ctx, 3000 + i);
		if (s != NULL)
			rte_vmci_vsock_sendto(s, buf, len, RTE_VMCI_HOST_CID, 3000 + i);
		break;
	}
	if (s != NULL)
		socks[(*n)++] = s;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	struct rte_vmci_vsock *socks[MAX_SOCKS];
	struct rte_vmci_vsock_conf conf = {
		.buffer_size = 4096,
		/* Long enough that replays do not depend on the machine's speed;
		 * the timeouts have their own tests.
		 */
		.connect_timeout_ms = 60000,
		.pending_timeout_ms = 60000,
		.socket_id = SOCKET_ID_ANY,
	};
	struct rte_vmci_vsock_ctx *ctx;
	unsigned int n = 0, ops = 0;
	uint64_t heap_before = heap_allocs();

	ctx = rte_vmci_vsock_ctx_create(guest, &conf);
	if (ctx == NULL)
		abort();
	host_rid = 9000;
	last_offer.context = RTE_VMCI_INVALID_ID;
	last_offer.resource = RTE_VMCI_INVALID_ID;
	while (in.left > 0 && ops++ < 256)
		one_op(ctx, socks, &n, &in);
	while (n > 0)
		rte_vmci_vsock_close(socks[--n]);
	rte_vmci_vsock_ctx_destroy(ctx);
	host_release();
	rte_vmci_poll(guest);
	rte_vmci_poll(host);
	/* Whatever the peer did, nothing the input made outlives it. */
	if (heap_allocs() != heap_before)
		abort();
	return 0;
}
