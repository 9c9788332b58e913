/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

/*
 * net_vmci end to end, in one process on the emulated device.
 *
 * Mode "pair": port 0 (role=create on vmci_emu0) and port 1 (role=attach
 * on the emulated host's device vmci_host0) are the two ends of the same
 * queue pairs. Every frame size from 60 to
 * 9000 bytes, single- and multi-segment, goes both ways and is checked
 * byte by byte; oversize frames are counted; a peer that stops and comes
 * back gives link events and a working port again; promiscuous and
 * all-multicast are on and stay on; a link set down stays down until set up.
 *
 * Mode "badinput": port 0 only; this program is the emulated host, attaches
 * to the offered pair itself and writes corrupt records into the ring.
 *
 * Mode "rewrite": as "badinput", and the host rewrites a record's length
 * between the port's peek and fetch; the Rx mempool must come out intact.
 *
 * Mode "devargs": no ports; bad devargs are refused, naming the key.
 *
 * Mode "zc": as "pair" with both ports receiving in place (rx_zero_copy=1),
 * then held frames: the ring space they keep, more frames held than there
 * are slots, frames held across a reconnection and past the ports' close.
 *
 * Mode "mp" (hugepages, a --file-prefix): the primary sets both ports up
 * and runs this program again as a secondary process, which moves every
 * frame size through the ports the primary owns and checks each byte.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rte_bus_vmci.h>
#include <rte_bus_vdev.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_ring.h>
#include <rte_vmci_qp.h>

#include "vmci_test.h"
#include "vmci_test_mp.h"
#include "vmci_defs.h"
#include "vmci_emu_test.h"

#define NB_MBUF 8192
#define MBUF_ROOM 2048
#define MIN_SIZE 60
#define MAX_SIZE 9000
#define BURST 32

static struct rte_mempool *pool;
static struct rte_mempool *rx_pool; /* the Rx queues' pool if not @pool */
static uint32_t lsc_up[RTE_MAX_ETHPORTS];
static uint32_t lsc_down[RTE_MAX_ETHPORTS];

static uint8_t
pattern(uint32_t seq, uint32_t off)
{
	return (uint8_t)(seq * 31u + off * 7u + (off >> 8));
}

static int
lsc_cb(uint16_t port, enum rte_eth_event_type ev, void *arg, void *out)
{
	struct rte_eth_link link;

	RTE_SET_USED(ev);
	RTE_SET_USED(arg);
	RTE_SET_USED(out);
	if (rte_eth_link_get_nowait(port, &link) == 0 && link.link_status)
		__atomic_fetch_add(&lsc_up[port], 1, __ATOMIC_RELAXED);
	else
		__atomic_fetch_add(&lsc_down[port], 1, __ATOMIC_RELAXED);
	return 0;
}

static int
port_setup(uint16_t port)
{
	struct rte_eth_conf conf = {
		.rxmode = { .mtu = MAX_SIZE, .offloads = RTE_ETH_RX_OFFLOAD_SCATTER },
		.txmode = { .offloads = RTE_ETH_TX_OFFLOAD_MULTI_SEGS },
		.intr_conf = { .lsc = 1 },
	};
	int ret;

	ret = rte_eth_dev_configure(port, 1, 1, &conf);
	if (ret == 0)
		ret = rte_eth_rx_queue_setup(port, 0, 256, SOCKET_ID_ANY, NULL,
					     rx_pool != NULL ? rx_pool : pool);
	if (ret == 0)
		ret = rte_eth_tx_queue_setup(port, 0, 256, SOCKET_ID_ANY, NULL);
	if (ret == 0)
		ret = rte_eth_dev_callback_register(port, RTE_ETH_EVENT_INTR_LSC, lsc_cb, NULL);
	if (ret == 0)
		ret = rte_eth_dev_start(port);
	if (ret != 0)
		printf("  port %u setup: %s\n", port, rte_strerror(-ret));
	return ret;
}

static bool
wait_link(uint16_t port, bool up)
{
	struct rte_eth_link link;
	int i;

	for (i = 0; i < 300; i++) {
		if (rte_eth_link_get_nowait(port, &link) == 0 && link.link_status == up)
			return true;
		rte_delay_ms(10);
	}
	return false;
}

/* Link up within 100 ms? */
static bool
wait_link_quick(uint16_t port)
{
	struct rte_eth_link link;
	int i;

	for (i = 0; i < 10; i++) {
		if (rte_eth_link_get_nowait(port, &link) == 0 && link.link_status)
			return true;
		rte_delay_ms(10);
	}
	return false;
}

/*
 * The event callback runs in the control thread just after the link state
 * changes: give it time to have run.
 */
static bool
wait_events(const uint32_t *counter, uint32_t above)
{
	int i;

	for (i = 0; i < 300; i++) {
		if (__atomic_load_n(counter, __ATOMIC_RELAXED) > above)
			return true;
		rte_delay_ms(10);
	}
	return false;
}

/* A frame of @len bytes for sequence @seq from @mp, in @nseg segments (>= 1). */
static struct rte_mbuf *
make_frame_in(struct rte_mempool *mp, uint32_t seq, uint32_t len, uint32_t nseg)
{
	uint32_t room = rte_pktmbuf_data_room_size(mp) - RTE_PKTMBUF_HEADROOM;
	struct rte_mbuf *head = NULL, *m;
	uint32_t off = 0, chunk, n;
	uint8_t *d;

	while ((chunk = (len + nseg - 1) / nseg) > room)
		nseg++;
	while (off < len) {
		n = RTE_MIN(chunk, len - off);
		m = rte_pktmbuf_alloc(mp);
		if (m == NULL) {
			rte_pktmbuf_free(head);
			return NULL;
		}
		d = (uint8_t *)rte_pktmbuf_append(m, n);
		for (uint32_t k = 0; k < n; k++)
			d[k] = pattern(seq, off + k);
		off += n;
		if (head == NULL)
			head = m;
		else if (rte_pktmbuf_chain(head, m) != 0) {
			rte_pktmbuf_free(m);
			rte_pktmbuf_free(head);
			return NULL;
		}
	}
	return head;
}

static struct rte_mbuf *
make_frame(uint32_t seq, uint32_t len, uint32_t nseg)
{
	return make_frame_in(pool, seq, len, nseg);
}

static int
check_frame(const struct rte_mbuf *m, uint32_t seq, uint32_t len)
{
	uint32_t off = 0;

	TEST_ASSERT_EQUAL(m->pkt_len, len, "frame %u length", seq);
	for (; m != NULL; m = m->next) {
		const uint8_t *d = rte_pktmbuf_mtod(m, const uint8_t *);

		for (uint32_t k = 0; k < m->data_len; k++, off++)
			if (d[k] != pattern(seq, off)) {
				printf("  frame %u (%u bytes): byte %u is 0x%02x, "
				       "expected 0x%02x\n", seq, len, off, d[k], pattern(seq, off));
				return TEST_FAILED;
			}
	}
	TEST_ASSERT_EQUAL(off, len, "frame %u bytes in segments", seq);
	return TEST_SUCCESS;
}

/* Send sizes first..last from @tx to @rx, check each byte, in order. */
static int
send_sizes(uint16_t tx, uint16_t rx, uint32_t first, uint32_t last)
{
	uint32_t next_tx = first, next_rx = first;
	uint64_t deadline = rte_get_timer_cycles() + 30 * rte_get_timer_hz();
	struct rte_mbuf *b[BURST];
	uint16_t n, i, sent;

	while (next_rx <= last) {
		TEST_ASSERT(rte_get_timer_cycles() < deadline, "stuck at size %u (sent up to %u)",
			    next_rx, next_tx);
		for (n = 0; n < BURST && next_tx + n <= last; n++) {
			uint32_t sz = next_tx + n;

			/* Every third frame multi-segment even when it would fit one mbuf. */
			b[n] = make_frame(sz, sz, sz % 3 == 0 ? 3 : 1);
			TEST_ASSERT(b[n] != NULL, "mbuf for size %u", sz);
		}
		sent = n > 0 ? rte_eth_tx_burst(tx, 0, b, n) : 0;
		for (i = sent; i < n; i++)
			rte_pktmbuf_free(b[i]);
		next_tx += sent;
		n = rte_eth_rx_burst(rx, 0, b, BURST);
		for (i = 0; i < n; i++) {
			int ret = check_frame(b[i], next_rx, next_rx);

			rte_pktmbuf_free(b[i]);
			if (ret != TEST_SUCCESS) {
				rte_pktmbuf_free_bulk(b + i + 1, n - i - 1);
				return ret;
			}
			next_rx++;
		}
	}
	return TEST_SUCCESS;
}

static int
xstat(uint16_t port, const char *name, uint64_t *v)
{
	uint64_t id;

	if (rte_eth_xstats_get_id_by_name(port, name, &id) != 0)
		return -1;
	return rte_eth_xstats_get_by_id(port, &id, v, 1) == 1 ? 0 : -1;
}

static int
test_all_sizes(void)
{
	struct rte_eth_stats s0, s1;

	TEST_ASSERT(wait_link(0, true) && wait_link(1, true), "links up");
	rte_eth_stats_reset(0);
	rte_eth_stats_reset(1);
	if (send_sizes(0, 1, MIN_SIZE, MAX_SIZE) != TEST_SUCCESS)
		return TEST_FAILED;
	if (send_sizes(1, 0, MIN_SIZE, MAX_SIZE) != TEST_SUCCESS)
		return TEST_FAILED;
	rte_eth_stats_get(0, &s0);
	rte_eth_stats_get(1, &s1);
	TEST_ASSERT_EQUAL(s0.opackets, MAX_SIZE - MIN_SIZE + 1, "port 0 sent");
	TEST_ASSERT_EQUAL(s1.ipackets, MAX_SIZE - MIN_SIZE + 1, "port 1 received");
	TEST_ASSERT_EQUAL(s0.obytes, s1.ibytes, "bytes");
	TEST_ASSERT_EQUAL(s0.ierrors + s0.oerrors + s1.ierrors + s1.oerrors, 0, "errors");
	return TEST_SUCCESS;
}

static int
test_oversize(void)
{
	struct rte_mbuf *m = make_frame(1, MAX_SIZE + RTE_ETHER_HDR_LEN + RTE_VLAN_HLEN + 1, 5);
	uint64_t before = 0, after = 0;

	TEST_ASSERT(m != NULL, "mbuf");
	TEST_ASSERT(xstat(0, "tx_oversize_errors", &before) == 0, "xstat");
	/* Consumed (and dropped), as a NIC would. */
	TEST_ASSERT_EQUAL(rte_eth_tx_burst(0, 0, &m, 1), 1, "oversize consumed");
	TEST_ASSERT(xstat(0, "tx_oversize_errors", &after) == 0, "xstat");
	TEST_ASSERT_EQUAL(after, before + 1, "counted");
	/* The port still works. */
	return send_sizes(0, 1, 1000, 1100);
}

/* A receiver with a smaller MTU drops (and counts) longer frames. */
static int
test_rx_mtu(void)
{
	struct rte_mbuf *m;
	uint64_t before = 0, after = 0;
	int ret;

	TEST_ASSERT_EQUAL(rte_eth_dev_stop(1), 0, "stop");
	TEST_ASSERT(wait_link(0, false), "peer saw the stop");
	TEST_ASSERT_EQUAL(rte_eth_dev_set_mtu(1, 1500), 0, "MTU 1500");
	TEST_ASSERT_EQUAL(rte_eth_dev_start(1), 0, "start");
	TEST_ASSERT(wait_link(0, true) && wait_link(1, true), "links up");
	TEST_ASSERT(xstat(1, "rx_oversize_errors", &before) == 0, "xstat");
	m = make_frame(1, 1500 + RTE_ETHER_HDR_LEN + RTE_VLAN_HLEN + 1, 1);
	TEST_ASSERT(m != NULL && rte_eth_tx_burst(0, 0, &m, 1) == 1, "send oversize");
	/* The next frame arrives; the oversize one before it was dropped. */
	ret = send_sizes(0, 1, 1400, 1518);
	TEST_ASSERT(xstat(1, "rx_oversize_errors", &after) == 0, "xstat");
	TEST_ASSERT_EQUAL(after, before + 1, "counted on Rx");
	TEST_ASSERT_EQUAL(rte_eth_dev_stop(1), 0, "stop");
	TEST_ASSERT(wait_link(0, false), "peer saw the stop");
	TEST_ASSERT_EQUAL(rte_eth_dev_set_mtu(1, MAX_SIZE), 0, "MTU back");
	TEST_ASSERT_EQUAL(rte_eth_dev_start(1), 0, "start");
	TEST_ASSERT(wait_link(0, true) && wait_link(1, true), "links up");
	return ret;
}

/* dev_reset drops the connection; configured and started again, it works. */
static int
test_reset(void)
{
	struct rte_eth_conf conf = {
		.rxmode = { .mtu = MAX_SIZE },
		.txmode = { .offloads = RTE_ETH_TX_OFFLOAD_MULTI_SEGS },
		.intr_conf = { .lsc = 1 },
	};
	uint64_t detaches = 0;

	TEST_ASSERT_EQUAL(rte_eth_dev_reset(1), 0, "reset");
	TEST_ASSERT(wait_link(0, false), "peer sees the reset");
	TEST_ASSERT(xstat(1, "peer_detach", &detaches) == 0 && detaches == 0, "counters zeroed");
	TEST_ASSERT_EQUAL(rte_eth_dev_configure(1, 1, 1, &conf), 0, "configure");
	TEST_ASSERT_EQUAL(rte_eth_rx_queue_setup(1, 0, 256, SOCKET_ID_ANY, NULL, pool), 0, "rxq");
	TEST_ASSERT_EQUAL(rte_eth_tx_queue_setup(1, 0, 256, SOCKET_ID_ANY, NULL), 0, "txq");
	TEST_ASSERT_EQUAL(rte_eth_dev_start(1), 0, "start");
	TEST_ASSERT(wait_link(0, true) && wait_link(1, true), "links up");
	if (send_sizes(0, 1, 60, 9000) != TEST_SUCCESS)
		return TEST_FAILED;
	return send_sizes(1, 0, 60, 9000);
}

/* Stop one end, see both links go down, start it again, traffic resumes. */
static int
detach_reattach(uint16_t gone, uint16_t other)
{
	uint32_t down = __atomic_load_n(&lsc_down[other], __ATOMIC_RELAXED);
	uint32_t up = __atomic_load_n(&lsc_up[other], __ATOMIC_RELAXED);
	uint64_t detaches = 0, detaches2 = 0;

	TEST_ASSERT(wait_link(other, true), "link up before");
	TEST_ASSERT(xstat(other, "peer_detach", &detaches) == 0, "xstat");
	TEST_ASSERT_EQUAL(rte_eth_dev_stop(gone), 0, "stop port %u", gone);
	TEST_ASSERT(wait_link(other, false), "port %u sees its peer leave", other);
	TEST_ASSERT(wait_events(&lsc_down[other], down), "LSC down event");
	TEST_ASSERT(xstat(other, "peer_detach", &detaches2) == 0, "xstat");
	TEST_ASSERT_EQUAL(detaches2, detaches + 1, "peer_detach counted");
	TEST_ASSERT_EQUAL(rte_eth_tx_burst(other, 0, NULL, 0), 0, "tx on a down link");
	TEST_ASSERT_EQUAL(rte_eth_dev_start(gone), 0, "start port %u", gone);
	TEST_ASSERT(wait_link(other, true) && wait_link(gone, true), "links up again");
	TEST_ASSERT(wait_events(&lsc_up[other], up), "LSC up event");
	if (send_sizes(0, 1, 60, 2000) != TEST_SUCCESS)
		return TEST_FAILED;
	return send_sizes(1, 0, 60, 2000);
}

static int
test_host_end_leaves(void)
{
	return detach_reattach(1, 0);
}

static int
test_creator_leaves(void)
{
	return detach_reattach(0, 1);
}

/* Like wait_link(), polling only Rx on port 0 meanwhile (as an rxonly application). */
static bool
wait_link_rx_only(uint16_t port, bool up)
{
	struct rte_mbuf *b[BURST];
	struct rte_eth_link link;
	int i, n;

	for (i = 0; i < 3000; i++) {
		if (rte_eth_link_get_nowait(port, &link) == 0 && link.link_status == up)
			return true;
		n = rte_eth_rx_burst(0, 0, b, BURST);
		rte_pktmbuf_free_bulk(b, n);
		rte_delay_ms(1);
	}
	return false;
}

/*
 * Port 0 polls only Rx while its peer leaves and returns more times than
 * the port keeps withdrawn pairs: an idle Tx queue must not keep them
 * alive, or reconnection stops.
 */
#define RX_ONLY_ROUNDS 40

static int
test_rx_only_reconnects(void)
{
	int round;

	for (round = 0; round < RX_ONLY_ROUNDS; round++) {
		TEST_ASSERT_EQUAL(rte_eth_dev_stop(1), 0, "stop, round %d", round);
		TEST_ASSERT(wait_link_rx_only(0, false), "link down, round %d", round);
		TEST_ASSERT_EQUAL(rte_eth_dev_start(1), 0, "start, round %d", round);
		TEST_ASSERT(wait_link_rx_only(0, true), "link up again, round %d", round);
	}
	return send_sizes(0, 1, 60, 1000);
}

static uint32_t stopped_in_cb;

/* An application that stops its port when the link goes down. */
static int
stop_on_down_cb(uint16_t port, enum rte_eth_event_type ev, void *arg, void *out)
{
	struct rte_eth_link link;

	RTE_SET_USED(ev);
	RTE_SET_USED(arg);
	RTE_SET_USED(out);
	if (rte_eth_link_get_nowait(port, &link) == 0 && !link.link_status &&
	    rte_eth_dev_stop(port) == 0)
		__atomic_store_n(&stopped_in_cb, 1, __ATOMIC_RELEASE);
	return 0;
}

/*
 * rte_eth_dev_stop() from the LSC callback, which runs inside the port's
 * poll alarm: the alarm must not go on with a stopped port (open pairs,
 * send offers without a datagram endpoint, re-arm). The port stays down
 * and quiet, and starts again normally.
 */
static int
test_stop_in_lsc_callback(void)
{
	struct rte_eth_link link;
	int ret;

	__atomic_store_n(&stopped_in_cb, 0, __ATOMIC_RELAXED);
	TEST_ASSERT_EQUAL(rte_eth_dev_callback_register(0, RTE_ETH_EVENT_INTR_LSC,
							stop_on_down_cb, NULL), 0, "register");
	TEST_ASSERT_EQUAL(rte_eth_dev_stop(1), 0, "stop port 1");
	ret = wait_events(&stopped_in_cb, 0) ? TEST_SUCCESS : TEST_FAILED;
	rte_eth_dev_callback_unregister(0, RTE_ETH_EVENT_INTR_LSC, stop_on_down_cb, NULL);
	TEST_ASSERT_EQUAL(ret, TEST_SUCCESS, "port 0 stopped from its LSC callback");
	/* Port 1 back: a stopped port 0 must not offer or connect. */
	TEST_ASSERT_EQUAL(rte_eth_dev_start(1), 0, "start port 1");
	rte_delay_ms(300);
	TEST_ASSERT(rte_eth_link_get_nowait(0, &link) == 0 && !link.link_status, "port 0 down");
	TEST_ASSERT(rte_eth_link_get_nowait(1, &link) == 0 && !link.link_status,
		    "nothing for port 1 to connect to");
	TEST_ASSERT_EQUAL(rte_eth_dev_start(0), 0, "start port 0");
	TEST_ASSERT(wait_link(0, true) && wait_link(1, true), "links up");
	return send_sizes(0, 1, 60, 2000);
}

/*
 * There is no filter: promiscuous and all-multicast are reported on from
 * probe on, enabling them succeeds, and turning them off is refused.
 */
static int
test_filters_always_on(void)
{
	uint16_t port;

	for (port = 0; port < 2; port++) {
		TEST_ASSERT_EQUAL(rte_eth_promiscuous_get(port), 1, "port %u promiscuous", port);
		TEST_ASSERT_EQUAL(rte_eth_allmulticast_get(port), 1, "port %u all-multicast",
				  port);
		TEST_ASSERT_EQUAL(rte_eth_promiscuous_disable(port), -ENOTSUP,
				  "port %u promiscuous off", port);
		TEST_ASSERT_EQUAL(rte_eth_allmulticast_disable(port), -ENOTSUP,
				  "port %u all-multicast off", port);
		TEST_ASSERT_EQUAL(rte_eth_promiscuous_get(port), 1, "port %u still promiscuous",
				  port);
		TEST_ASSERT_EQUAL(rte_eth_allmulticast_get(port), 1, "port %u still all-multicast",
				  port);
		TEST_ASSERT_EQUAL(rte_eth_promiscuous_enable(port), 0, "port %u promiscuous on",
				  port);
		TEST_ASSERT_EQUAL(rte_eth_allmulticast_enable(port), 0, "port %u all-multicast on",
				  port);
	}
	return TEST_SUCCESS;
}

static bool
link_is(uint16_t port, bool up)
{
	struct rte_eth_link link;

	return rte_eth_link_get_nowait(port, &link) == 0 && link.link_status == up;
}

/* @port's link set down: down at once, its peer sees it leave, nothing moves, it stays down. */
static int
link_held_down(uint16_t port, uint16_t other)
{
	uint32_t down = __atomic_load_n(&lsc_down[port], __ATOMIC_RELAXED);
	struct rte_mbuf *m, *b[BURST];

	TEST_ASSERT(wait_link(port, true) && wait_link(other, true), "links up before");
	TEST_ASSERT_EQUAL(rte_eth_dev_set_link_down(port), 0, "set port %u link down", port);
	TEST_ASSERT(link_is(port, false), "port %u reports its link down", port);
	TEST_ASSERT_EQUAL(__atomic_load_n(&lsc_down[port], __ATOMIC_RELAXED), down + 1,
			  "LSC down event on port %u", port);
	TEST_ASSERT(wait_link(other, false), "port %u sees its peer leave", other);
	m = make_frame(1, 100, 1);
	TEST_ASSERT(m != NULL, "mbuf");
	TEST_ASSERT_EQUAL(rte_eth_tx_burst(port, 0, &m, 1), 0, "port %u sends nothing", port);
	TEST_ASSERT_EQUAL(rte_eth_tx_burst(other, 0, &m, 1), 0, "port %u sends nothing", other);
	rte_pktmbuf_free(m);
	/* Longer than a few offer periods: no reconnection behind the application's back. */
	rte_delay_ms(300);
	TEST_ASSERT(link_is(port, false) && link_is(other, false), "links stay down");
	TEST_ASSERT_EQUAL(rte_eth_rx_burst(port, 0, b, BURST), 0, "port %u receives nothing",
			  port);
	return TEST_SUCCESS;
}

static int
link_back_up(uint16_t port, uint16_t other)
{
	TEST_ASSERT_EQUAL(rte_eth_dev_set_link_up(port), 0, "set port %u link up", port);
	TEST_ASSERT(wait_link(port, true) && wait_link(other, true), "links up again");
	if (send_sizes(0, 1, 60, 2000) != TEST_SUCCESS)
		return TEST_FAILED;
	return send_sizes(1, 0, 60, 2000);
}

/*
 * rte_eth_dev_set_link_down/up on either end; a port set down stays down
 * across stop and start until set up again.
 */
static int
test_link_down_up(void)
{
	if (link_held_down(1, 0) != TEST_SUCCESS || link_back_up(1, 0) != TEST_SUCCESS)
		return TEST_FAILED;
	if (link_held_down(0, 1) != TEST_SUCCESS || link_back_up(0, 1) != TEST_SUCCESS)
		return TEST_FAILED;
	if (link_held_down(1, 0) != TEST_SUCCESS)
		return TEST_FAILED;
	TEST_ASSERT_EQUAL(rte_eth_dev_stop(1), 0, "stop");
	TEST_ASSERT_EQUAL(rte_eth_dev_start(1), 0, "start");
	rte_delay_ms(300);
	TEST_ASSERT(link_is(1, false) && link_is(0, false), "still down after stop and start");
	return link_back_up(1, 0);
}

static uint32_t downed_in_cb;

/* An application that sets the link down as soon as it comes up. */
static int
link_down_on_up_cb(uint16_t port, enum rte_eth_event_type ev, void *arg, void *out)
{
	RTE_SET_USED(ev);
	RTE_SET_USED(arg);
	RTE_SET_USED(out);
	if (link_is(port, true) && rte_eth_dev_set_link_down(port) == 0)
		__atomic_fetch_add(&downed_in_cb, 1, __ATOMIC_RELEASE);
	return 0;
}

/*
 * rte_eth_dev_set_link_down() from the LSC callback, inside the port's
 * poll alarm: the link goes down and stays down, and the alarm goes on
 * (one of it: set up again, the port connects and carries traffic).
 */
static int
test_link_down_in_lsc_callback(void)
{
	int ret;

	TEST_ASSERT(link_held_down(1, 0) == TEST_SUCCESS, "port 1 down");
	__atomic_store_n(&downed_in_cb, 0, __ATOMIC_RELAXED);
	TEST_ASSERT_EQUAL(rte_eth_dev_callback_register(1, RTE_ETH_EVENT_INTR_LSC,
							link_down_on_up_cb, NULL), 0, "register");
	TEST_ASSERT_EQUAL(rte_eth_dev_set_link_up(1), 0, "set link up");
	ret = wait_events(&downed_in_cb, 0) ? TEST_SUCCESS : TEST_FAILED;
	rte_eth_dev_callback_unregister(1, RTE_ETH_EVENT_INTR_LSC, link_down_on_up_cb, NULL);
	TEST_ASSERT_EQUAL(ret, TEST_SUCCESS, "port 1 set down from its LSC callback");
	rte_delay_ms(300);
	TEST_ASSERT(link_is(1, false) && link_is(0, false), "links stay down");
	TEST_ASSERT_EQUAL(__atomic_load_n(&downed_in_cb, __ATOMIC_ACQUIRE), 1, "once");
	return link_back_up(1, 0);
}

static const struct vmci_test_case pair_cases[] = {
	{ "filters_always_on", test_filters_always_on },
	{ "link_down_up", test_link_down_up },
	{ "link_down_in_lsc_callback", test_link_down_in_lsc_callback },
	{ "all_sizes_both_ways", test_all_sizes },
	{ "oversize_counted", test_oversize },
	{ "host_end_leaves_and_returns", test_host_end_leaves },
	{ "creator_leaves_and_returns", test_creator_leaves },
	{ "rx_mtu_enforced", test_rx_mtu },
	{ "reset_and_restart", test_reset },
	{ "rx_only_reconnects", test_rx_only_reconnects },
	{ "stop_in_lsc_callback", test_stop_in_lsc_callback },
	{ NULL, NULL },
};

static const struct vmci_test_suite pair_suite = {
	.name = "net_vmci_pair",
	.cases = pair_cases,
};

/*
 * Rx in place (mode "zc": both ports rx_zero_copy=1, after the pair
 * cases). A held frame keeps its ring space: the sender fills the ring,
 * the frames must still read intact, and space comes back only once the
 * oldest held frame is freed.
 */

#define ZC_HOLD_MAX 2048
#define ZC_SHORT 1100 /* in place, 1500 of them fit a 4 MiB ring, and one mbuf */
#define ZC_FRAME 8000 /* above the copy limit, and 523 of them fill a 4 MiB ring */

static struct rte_mbuf *zc_held[ZC_HOLD_MAX];
static unsigned int zc_nb_held;

/* Every mbuf back in the pool (caches included): none lost, none freed twice. */
static int
pool_complete(void)
{
	TEST_ASSERT_EQUAL(rte_mempool_avail_count(pool), NB_MBUF, "mbufs in the pool");
	return TEST_SUCCESS;
}

/*
 * Send @len-byte frames from @mp on port 1 while port 0 receives and keeps
 * them, until the sender has been stopped by a full ring for a while, or
 * @max frames were sent. Returns frames sent.
 */
static unsigned int
zc_fill(struct rte_mempool *mp, uint32_t len, unsigned int max)
{
	unsigned int sent = 0, idle = 0;
	struct rte_mbuf *m;
	uint16_t n;

	zc_nb_held = 0;
	while (idle < 1000 && sent < max) {
		m = make_frame_in(mp, sent, len, 1);
		if (m == NULL)
			break;
		if (rte_eth_tx_burst(1, 0, &m, 1) == 1) {
			sent++;
			idle = 0;
		} else {
			rte_pktmbuf_free(m);
			idle++;
		}
		n = rte_eth_rx_burst(0, 0, zc_held + zc_nb_held,
				     RTE_MIN((unsigned int)BURST, ZC_HOLD_MAX - zc_nb_held));
		zc_nb_held += n;
	}
	return sent;
}

static int
zc_check_held(uint32_t len, unsigned int *in_place)
{
	unsigned int i;

	*in_place = 0;
	for (i = 0; i < zc_nb_held; i++) {
		if (check_frame(zc_held[i], i, len) != TEST_SUCCESS)
			return TEST_FAILED;
		*in_place += RTE_MBUF_HAS_EXTBUF(zc_held[i]) ? 1 : 0;
	}
	return TEST_SUCCESS;
}

static void
zc_release_all(void)
{
	rte_pktmbuf_free_bulk(zc_held, zc_nb_held);
	zc_nb_held = 0;
}

/* Port 0 receives until nothing comes for a while, freeing what it gets. */
static unsigned int
drain_port0(void)
{
	struct rte_mbuf *b[BURST];
	unsigned int total = 0, idle = 0;
	uint16_t n;

	while (idle < 100) {
		n = rte_eth_rx_burst(0, 0, b, BURST);
		rte_pktmbuf_free_bulk(b, n);
		total += n;
		idle = n == 0 ? idle + 1 : 0;
	}
	return total;
}

static int
zc_one_more_fits(void)
{
	struct rte_mbuf *m = make_frame(0, ZC_FRAME, 1);
	uint16_t sent;

	if (m == NULL)
		return -1;
	sent = rte_eth_tx_burst(1, 0, &m, 1);
	if (sent == 0)
		rte_pktmbuf_free(m);
	return sent;
}

static int
test_zc_hold_keeps_ring(void)
{
	uint64_t frames0 = 0, frames1 = 0;
	unsigned int sent, in_place, i, refill = 0;
	struct rte_mbuf *extra;

	TEST_ASSERT(wait_link(0, true) && wait_link(1, true), "links up");
	drain_port0();
	TEST_ASSERT(xstat(0, "rx_zero_copy_frames", &frames0) == 0, "xstat");
	sent = zc_fill(pool, ZC_FRAME, ZC_HOLD_MAX);
	TEST_ASSERT(sent > 100, "only %u frames sent", sent);
	TEST_ASSERT(sent < ZC_HOLD_MAX, "the sender never found the ring full (%u frames)", sent);
	TEST_ASSERT_EQUAL(zc_nb_held, sent, "frames received");
	/* The peer wrote on after the first frames went up: had their space gone back, it shows. */
	if (zc_check_held(ZC_FRAME, &in_place) != TEST_SUCCESS)
		return TEST_FAILED;
	TEST_ASSERT(xstat(0, "rx_zero_copy_frames", &frames1) == 0, "xstat");
	TEST_ASSERT(in_place > sent / 2 && frames1 - frames0 == in_place,
		    "%u of %u frames in place, counter says %" PRIu64, in_place, sent,
		    frames1 - frames0);
	/* The oldest freed: its space alone comes back, at the next burst. */
	rte_pktmbuf_free(zc_held[0]);
	TEST_ASSERT_EQUAL(rte_eth_rx_burst(0, 0, &extra, 1), 0, "nothing new");
	while (zc_one_more_fits() == 1)
		refill++;
	TEST_ASSERT(refill == 1, "%u frames fit in the space of one freed frame", refill);
	for (i = 1; i < zc_nb_held; i++)
		if (check_frame(zc_held[i], i, ZC_FRAME) != TEST_SUCCESS)
			return TEST_FAILED;
	/* Every frame but the (new) oldest freed, newest first: the ring stays full. */
	for (i = zc_nb_held - 1; i > 1; i--)
		rte_pktmbuf_free(zc_held[i]);
	zc_nb_held = 2;
	TEST_ASSERT_EQUAL(rte_eth_rx_burst(0, 0, &zc_held[0], 1), 1, "the frame sent since");
	if (check_frame(zc_held[0], 0, ZC_FRAME) != TEST_SUCCESS)
		return TEST_FAILED;
	TEST_ASSERT_EQUAL(zc_one_more_fits(), 0, "space came back while the oldest is held");
	zc_release_all();
	TEST_ASSERT_EQUAL(rte_eth_rx_burst(0, 0, &extra, 1), 0, "nothing new");
	TEST_ASSERT_EQUAL(zc_one_more_fits(), 1, "space back once every frame is freed");
	TEST_ASSERT_EQUAL(drain_port0(), 1, "the frame sent since");
	if (pool_complete() != TEST_SUCCESS)
		return TEST_FAILED;
	return send_sizes(1, 0, 60, 3000);
}

/* More frames held than there are slots: the rest are copied, none lost. */
static int
test_zc_slots_full(void)
{
	uint64_t full0 = 0, full1 = 0;
	unsigned int sent, in_place;

	TEST_ASSERT(wait_link(0, true) && wait_link(1, true), "links up");
	drain_port0();
	TEST_ASSERT(xstat(0, "rx_zero_copy_slots_full", &full0) == 0, "xstat");
	sent = zc_fill(pool, ZC_SHORT, 1500);
	TEST_ASSERT(sent == 1500 && zc_nb_held == sent, "%u frames sent, %u received", sent,
		    zc_nb_held);
	if (zc_check_held(ZC_SHORT, &in_place) != TEST_SUCCESS)
		return TEST_FAILED;
	TEST_ASSERT(xstat(0, "rx_zero_copy_slots_full", &full1) == 0, "xstat");
	TEST_ASSERT(in_place <= 1024 && in_place >= 1000 && full1 > full0,
		    "%u frames in place (1024 slots), slots full %" PRIu64 " times", in_place,
		    full1 - full0);
	zc_release_all();
	if (pool_complete() != TEST_SUCCESS)
		return TEST_FAILED;
	return send_sizes(1, 0, 60, 2000);
}

/*
 * Frames held across a reconnection: the old pair stays until they are
 * freed, the new one carries traffic meanwhile.
 */
static int
test_zc_held_across_reconnect(void)
{
	unsigned int sent, in_place;

	TEST_ASSERT(wait_link(0, true) && wait_link(1, true), "links up");
	drain_port0();
	sent = zc_fill(pool, ZC_FRAME, 50);
	TEST_ASSERT(sent == 50 && zc_nb_held == sent, "%u frames sent, %u received", sent,
		    zc_nb_held);
	TEST_ASSERT_EQUAL(rte_eth_dev_stop(1), 0, "stop port 1");
	TEST_ASSERT(wait_link(0, false), "port 0 sees its peer leave");
	TEST_ASSERT_EQUAL(rte_eth_dev_start(1), 0, "start port 1");
	TEST_ASSERT(wait_link(0, true) && wait_link(1, true), "links up again");
	if (send_sizes(1, 0, 60, 2000) != TEST_SUCCESS)
		return TEST_FAILED;
	if (zc_check_held(ZC_FRAME, &in_place) != TEST_SUCCESS)
		return TEST_FAILED;
	TEST_ASSERT(in_place > 0, "no frame in place");
	zc_release_all();
	/* The port's control path frees the old pair at its next poll. */
	rte_delay_ms(50);
	if (pool_complete() != TEST_SUCCESS)
		return TEST_FAILED;
	return send_sizes(1, 0, 60, 2000);
}

/*
 * Frames in place put back into the pool as they are, as a Tx queue with
 * RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE does: the port must detach them when it
 * gets them again (their slots done, no write into the ring through them).
 */
static int
fast_free_repaired(struct rte_mempool *tx_pool)
{
	uint64_t repaired0 = 0, repaired1 = 0;
	unsigned int sent, in_place, short_in_place, i;

	TEST_ASSERT(wait_link(0, true) && wait_link(1, true), "links up");
	drain_port0();
	TEST_ASSERT(xstat(0, "rx_zero_copy_mbufs_repaired", &repaired0) == 0, "xstat");
	sent = zc_fill(pool, ZC_FRAME, 20);
	TEST_ASSERT(sent == 20 && zc_nb_held == sent, "%u frames sent, %u received", sent,
		    zc_nb_held);
	if (zc_check_held(ZC_FRAME, &in_place) != TEST_SUCCESS)
		return TEST_FAILED;
	TEST_ASSERT(in_place >= sent - 1, "%u of %u frames in place (one may cross the ring's end)",
		    in_place, sent);
	/* Fast free takes one-segment mbufs only: a frame copied as a chain is freed as usual. */
	for (i = 0; i < zc_nb_held; i++) {
		if (zc_held[i]->nb_segs == 1)
			rte_mempool_put(pool, zc_held[i]);
		else
			rte_pktmbuf_free(zc_held[i]);
	}
	/* Short frames from another pool, kept: port 0's Rx takes those 20 mbufs first. */
	sent = zc_fill(tx_pool, 200, 100);
	TEST_ASSERT(sent == 100 && zc_nb_held == sent, "%u short frames sent, %u received", sent,
		    zc_nb_held);
	if (zc_check_held(200, &short_in_place) != TEST_SUCCESS)
		return TEST_FAILED;
	TEST_ASSERT(xstat(0, "rx_zero_copy_mbufs_repaired", &repaired1) == 0, "xstat");
	TEST_ASSERT_EQUAL(repaired1 - repaired0, in_place, "mbufs repaired");
	zc_release_all();
	if (pool_complete() != TEST_SUCCESS)
		return TEST_FAILED;
	/* Their slots are done: the ring carries frames in place again. */
	return send_sizes(1, 0, 7000, 8000);
}

static int
test_zc_fast_free_repaired(void)
{
	struct rte_mempool *tx_pool;
	int ret;

	tx_pool = rte_pktmbuf_pool_create("zc_tx", 512, 0, 0, MBUF_ROOM + RTE_PKTMBUF_HEADROOM,
					  SOCKET_ID_ANY);
	TEST_ASSERT(tx_pool != NULL, "Tx pool: %s", rte_strerror(rte_errno));
	ret = fast_free_repaired(tx_pool);
	zc_release_all();
	rte_mempool_free(tx_pool);
	return ret;
}

static const struct vmci_test_case zc_cases[] = {
	{ "zc_hold_keeps_ring", test_zc_hold_keeps_ring },
	{ "zc_slots_full", test_zc_slots_full },
	{ "zc_held_across_reconnect", test_zc_held_across_reconnect },
	{ "zc_fast_free_repaired", test_zc_fast_free_repaired },
	{ NULL, NULL },
};

static const struct vmci_test_suite zc_suite = {
	.name = "net_vmci_zc",
	.cases = zc_cases,
};

/* Bad input: this program is the host end. */

static struct rte_vmci_qp *host_ep;
static struct rte_vmci_handle host_handle;

/* Bytes of each ring: the port's default qsize, which the host attaches with. */
#define HOST_QSIZE (1u << 20)
/* The longest record the host writes or reads: one byte above the largest frame. */
#define HOST_FRAME_MAX (MAX_SIZE + RTE_ETHER_HDR_LEN + RTE_VLAN_HLEN + 1)

/*
 * Receive an offer the port sends to the host for a pair other than
 * host_handle (offers repeated before our last attach was seen are stale).
 */
static int
host_wait_offer(struct rte_vmci_handle *h)
{
	uint8_t buf[VMCI_DG_HDR_SIZE + 256];
	const struct vmci_dg_hdr *dg = (const void *)buf;
	int i, len;

	for (i = 0; i < 300; i++) {
		len = vmci_emu_host_recv(NULL, buf, sizeof(buf));
		/* Offer: magic, version, queues, generation, reserved, qsize, handles. */
		if (len > (int)VMCI_DG_HDR_SIZE && dg->dst.resource == 4242 &&
		    dg->payload_size >= 32) {
			memcpy(h, buf + VMCI_DG_HDR_SIZE + 24, sizeof(*h));
			if (h->context == host_handle.context && h->resource == host_handle.resource)
				continue;
			return TEST_SUCCESS;
		}
		rte_delay_ms(10);
	}
	printf("  no offer reached the host\n");
	return TEST_FAILED;
}

/* Receive the offer the port sends to the host and attach to its pair. */
static int
host_attach(void)
{
	struct rte_vmci_handle h;

	if (host_wait_offer(&h) != TEST_SUCCESS)
		return TEST_FAILED;
	TEST_ASSERT_EQUAL(vmci_emu_host_qp_attach(NULL, h, HOST_QSIZE, HOST_QSIZE, &host_ep),
			  VMCI_SUCCESS_QUEUEPAIR_ATTACH, "host attach");
	host_handle = h;
	return wait_link(0, true) ? TEST_SUCCESS : TEST_FAILED;
}

/* A record of @len bytes (any length up to one above the largest frame) for @seq. */
static int
valid_frame_on(struct rte_vmci_qp *ep, uint32_t seq, uint32_t len)
{
	static uint8_t d[HOST_FRAME_MAX];
	struct iovec iov = { .iov_base = d, .iov_len = len };

	if (len > sizeof(d))
		return -EINVAL;
	for (uint32_t k = 0; k < len; k++)
		d[k] = pattern(seq, k);
	return rte_vmci_qp_msg_enqueue_burst(ep, &iov, 1);
}

static int
valid_frame(uint32_t seq, uint32_t len)
{
	return valid_frame_on(host_ep, seq, len);
}

/* Receive on port 0 for up to @ms; returns frames, checked against @seq/@len. */
static int
rx_expect(uint32_t seq, uint32_t len, int ms, int *got)
{
	struct rte_mbuf *b[BURST];
	int i, n;

	*got = 0;
	for (i = 0; i < ms && *got == 0; i++) {
		n = rte_eth_rx_burst(0, 0, b, BURST);
		for (int k = 0; k < n; k++) {
			int ret = check_frame(b[k], seq, len);

			rte_pktmbuf_free(b[k]);
			if (ret != TEST_SUCCESS)
				return ret;
		}
		*got += n;
		if (n == 0)
			rte_delay_ms(1);
	}
	return TEST_SUCCESS;
}

static int
inject_and_recover(const void *garbage, size_t len, uint32_t seq)
{
	uint64_t bad0 = 0, bad1 = 0, rs0 = 0, rs1 = 0;
	int got, i;

	TEST_ASSERT(xstat(0, "rx_bad_records", &bad0) == 0, "xstat");
	TEST_ASSERT(xstat(0, "rx_resyncs", &rs0) == 0, "xstat");
	TEST_ASSERT_EQUAL(rte_vmci_qp_enqueue_bulk(host_ep, garbage, len), (int64_t)len, "inject");
	TEST_ASSERT(rx_expect(seq, 100, 50, &got) == TEST_SUCCESS, "rx");
	TEST_ASSERT_EQUAL(got, 0, "nothing delivered from garbage");
	TEST_ASSERT(xstat(0, "rx_bad_records", &bad1) == 0, "xstat");
	TEST_ASSERT(bad1 > bad0, "bad record counted (%" PRIu64 " -> %" PRIu64 ")", bad0, bad1);
	/*
	 * Resyncs are rate-limited; one drops everything published before it,
	 * so wait for it before the good frame.
	 */
	for (i = 0, rs1 = rs0; i < 1000 && rs1 == rs0; i++) {
		TEST_ASSERT(rx_expect(seq, 100, 1, &got) == TEST_SUCCESS && got == 0, "rx");
		TEST_ASSERT(xstat(0, "rx_resyncs", &rs1) == 0, "xstat");
	}
	TEST_ASSERT(rs1 > rs0, "queue resynchronised");
	/* One bad record, however many polls met it before the resync. */
	TEST_ASSERT(xstat(0, "rx_bad_records", &bad1) == 0, "xstat");
	TEST_ASSERT_EQUAL(bad1, bad0 + 1, "bad records counted once");
	/* After the resynchronisation a good frame gets through. */
	TEST_ASSERT_EQUAL(valid_frame(seq, 100), 1, "valid frame");
	TEST_ASSERT(rx_expect(seq, 100, 1000, &got) == TEST_SUCCESS, "rx");
	TEST_ASSERT_EQUAL(got, 1, "valid frame after resync");
	return TEST_SUCCESS;
}

static int
test_bad_input(void)
{
	struct rte_vmci_qp_rec_hdr h;
	uint8_t buf[64];
	uint64_t resyncs = 0;
	struct rte_eth_link link;

	if (host_attach() != TEST_SUCCESS)
		return TEST_FAILED;
	/* Bad magic. */
	TEST_ASSERT(inject_and_recover("\xde\xad\xbe\xef\x01\x02\x03\x04", 8, 1) == TEST_SUCCESS,
		    "bad magic");
	/* An impossible length (above any frame the port accepts). */
	h = (struct rte_vmci_qp_rec_hdr){ .len = 1u << 30, .magic = RTE_VMCI_QP_REC_MAGIC };
	TEST_ASSERT(inject_and_recover(&h, sizeof(h), 2) == TEST_SUCCESS, "huge length");
	/* A truncated record: header says 1000 bytes, 56 are published. */
	memset(buf, 0xab, sizeof(buf));
	h = (struct rte_vmci_qp_rec_hdr){ .len = 1000, .magic = RTE_VMCI_QP_REC_MAGIC };
	memcpy(buf, &h, sizeof(h));
	TEST_ASSERT(inject_and_recover(buf, sizeof(buf), 3) == TEST_SUCCESS, "truncated");
	/* Nonzero flags. */
	h = (struct rte_vmci_qp_rec_hdr){ .len = 8, .magic = RTE_VMCI_QP_REC_MAGIC, .flags = 1 };
	memset(buf, 0, sizeof(buf));
	memcpy(buf, &h, sizeof(h));
	TEST_ASSERT(inject_and_recover(buf, 16, 4) == TEST_SUCCESS, "flags");
	TEST_ASSERT(xstat(0, "rx_resyncs", &resyncs) == 0 && resyncs >= 4, "resyncs %" PRIu64,
		    resyncs);
	TEST_ASSERT(rte_eth_link_get_nowait(0, &link) == 0 && link.link_status, "link stays up");
	return TEST_SUCCESS;
}

/*
 * Log lines written while the stream is captured. The poll alarm logs from
 * the interrupt thread: the FILE lock keeps the buffer still while read.
 */
struct log_capture {
	FILE *f;
	char *buf;
	size_t len;
};

static bool
log_has(struct log_capture *c, const char *what)
{
	bool found;

	flockfile(c->f);
	fflush(c->f);
	found = c->len > 0 && strstr(c->buf, what) != NULL;
	funlockfile(c->f);
	return found;
}

/*
 * A resync is counted on the data path and reported by the port's poll
 * alarm, with its values: the Rx burst that resynchronises writes no log
 * line (the library's log type is at DEBUG meanwhile, so its line would
 * show).
 */
static int
resync_report(struct log_capture *c)
{
	const char *want = "port 0 Rx queue 0, last second: 1 malformed records and 0 ring "
			   "indices out of range from the peer; resynchronised 1 times, "
			   "dropping 8 bytes";
	uint64_t rs = 0, bytes = 0;
	int got, i;

	TEST_ASSERT_EQUAL(rte_eth_xstats_reset(0), 0, "xstats reset");
	TEST_ASSERT_EQUAL(rte_vmci_qp_enqueue_bulk(host_ep, "\xde\xad\xbe\xef\x01\x02\x03\x04", 8),
			  8, "inject");
	for (i = 0; i < 1000 && rs == 0; i++) {
		TEST_ASSERT(rx_expect(5, 100, 1, &got) == TEST_SUCCESS && got == 0, "rx");
		TEST_ASSERT(xstat(0, "rx_resyncs", &rs) == 0, "xstat");
	}
	TEST_ASSERT_EQUAL(rs, 1, "resynchronised by the Rx burst");
	TEST_ASSERT(xstat(0, "rx_resync_dropped_bytes", &bytes) == 0 && bytes == 8,
		    "dropped bytes counted: %" PRIu64, bytes);
	TEST_ASSERT(!log_has(c, "vmci_qp:"), "the data path logged: %s", c->buf);
	/* The report comes at most a second later. */
	for (i = 0; i < 300 && !log_has(c, want); i++)
		rte_delay_ms(10);
	TEST_ASSERT(log_has(c, want), "no report \"%s\" in: %s", want, c->len ? c->buf : "");
	TEST_ASSERT(!log_has(c, "vmci_qp:"), "the data path logged: %s", c->buf);
	return TEST_SUCCESS;
}

static int
test_resync_reported(void)
{
	int type = rte_log_register("lib.vmci_qp"); /* the library's, already registered */
	int level = rte_log_get_level(type);
	struct log_capture c = { 0 };
	int ret;

	TEST_ASSERT(type >= 0 && level >= 0, "log type lib.vmci_qp");
	if (host_ep == NULL && host_attach() != TEST_SUCCESS)
		return TEST_FAILED;
	c.f = open_memstream(&c.buf, &c.len);
	TEST_ASSERT(c.f != NULL, "open_memstream");
	rte_log_set_level(type, RTE_LOG_DEBUG);
	rte_openlog_stream(c.f);
	ret = resync_report(&c);
	/*
	 * The alarm logs again only when a counter moves, and nothing moves
	 * now: no log line can be on its way to the stream being closed.
	 */
	rte_openlog_stream(NULL);
	rte_log_set_level(type, level);
	fclose(c.f);
	free(c.buf);
	return ret;
}

/*
 * The peer publishes a producer index beyond its queue: nothing in the
 * ring can be trusted, so the port goes down and builds a new connection.
 * The index is written where rte_vmci_qp_mem.h puts it: in the header page
 * just before the data of the guest's consume queue (our produce queue).
 */
static int
test_bad_index(void)
{
	struct rte_vmci_qp_stats st;
	struct rte_vmci_qp_zc zc;
	struct rte_vmci_queue_header *hdr;
	uint64_t errs = 0, reconnects = 0;
	int got;

	if (host_ep == NULL && host_attach() != TEST_SUCCESS)
		return TEST_FAILED;
	TEST_ASSERT_EQUAL(rte_vmci_qp_stats_get(host_ep, &st), 0, "stats");
	TEST_ASSERT(rte_vmci_qp_enqueue_zc_burst_start(host_ep, 8, &zc) == 8, "map");
	hdr = (void *)((uint8_t *)zc.ptr1 - st.enq_bytes % HOST_QSIZE - RTE_VMCI_QP_PAGE_SIZE);
	TEST_ASSERT(hdr->handle.context == host_handle.context &&
		    hdr->handle.resource == host_handle.resource, "found the queue header");
	__atomic_store_n(&hdr->producer_tail, (uint64_t)HOST_QSIZE + 64, __ATOMIC_RELEASE);
	TEST_ASSERT(rx_expect(0, 100, 50, &got) == TEST_SUCCESS && got == 0, "rx");
	TEST_ASSERT(xstat(0, "ring_index_errors", &errs) == 0 && errs >= 1, "index error counted");
	TEST_ASSERT(wait_link(0, false), "link down");
	/* The old pair is gone for the port; leave it and take the new offer. */
	rte_vmci_qp_endpoint_free(host_ep);
	host_ep = NULL;
	vmci_emu_host_qp_detach(NULL, host_handle);
	if (host_attach() != TEST_SUCCESS)
		return TEST_FAILED;
	TEST_ASSERT_EQUAL(valid_frame(9, 100), 1, "valid frame on the new pair");
	TEST_ASSERT(rx_expect(9, 100, 1000, &got) == TEST_SUCCESS && got == 1, "received");
	TEST_ASSERT(xstat(0, "reconnects", &reconnects) == 0 && reconnects == 1, "reconnects");
	return TEST_SUCCESS;
}

/*
 * The peer attaches to the offered pair and leaves before the creator saw
 * it connected: the broker would refuse it the same pair again, so the
 * creator must offer a new one rather than wait for it.
 */
static int
test_peer_leaves_before_connected(void)
{
	struct rte_vmci_handle h;
	struct rte_vmci_qp *ep;
	int got;

	if (host_ep != NULL) {
		rte_vmci_qp_endpoint_free(host_ep);
		host_ep = NULL;
		vmci_emu_host_qp_detach(NULL, host_handle);
		TEST_ASSERT(wait_link(0, false), "link down once the host left");
	}
	TEST_ASSERT(host_wait_offer(&h) == TEST_SUCCESS, "offer");
	TEST_ASSERT_EQUAL(vmci_emu_host_qp_attach(NULL, h, HOST_QSIZE, HOST_QSIZE, &ep),
			  VMCI_SUCCESS_QUEUEPAIR_ATTACH, "host attach");
	/* Gone again before the port's next poll. */
	rte_vmci_qp_endpoint_free(ep);
	vmci_emu_host_qp_detach(NULL, h);
	host_handle = h;
	TEST_ASSERT(host_attach() == TEST_SUCCESS, "a new pair offered and connected");
	TEST_ASSERT_EQUAL(valid_frame(7, 100), 1, "frame");
	TEST_ASSERT(rx_expect(7, 100, 1000, &got) == TEST_SUCCESS && got == 1, "rx");
	return TEST_SUCCESS;
}

static const struct vmci_test_case bad_cases[] = {
	{ "corrupt_records_from_peer", test_bad_input },
	{ "resync_reported_by_control_path", test_resync_reported },
	{ "peer_index_out_of_range", test_bad_index },
	{ "peer_leaves_before_connected", test_peer_leaves_before_connected },
	{ NULL, NULL },
};

static const struct vmci_test_suite bad_suite = {
	.name = "net_vmci_badinput",
	.cases = bad_cases,
};

/*
 * A peer that rewrites a record's length between the PMD's peek and its
 * fetch. The PMD allocates the mbufs of a frame between the two, so the Rx
 * queue's mempool is where this peer strikes: its dequeue rewrites the
 * armed record header, at exactly that point, on every run. Afterwards the
 * pool is drained: every mbuf must come out once (a segment freed twice
 * comes out twice, and would be handed to two packets).
 */
#define HOSTILE_MBUFS 512
#define HOSTILE_ROOM 1024 /* frames of a few KiB are chains of 1 KiB segments */

static struct {
	uint32_t *len;     /* record header length word in the ring */
	uint32_t new_len;
	unsigned int skip; /* dequeues to let pass before striking */
	bool armed;
	bool struck;
} strike;

static int
hostile_pool_alloc(struct rte_mempool *mp)
{
	char name[RTE_RING_NAMESIZE];
	struct rte_ring *r;

	snprintf(name, sizeof(name), "hostile_%.16s", mp->name);
	/* Room for every mbuf twice: a double free shows as a duplicate, not a failed put. */
	r = rte_ring_create(name, rte_align32pow2(2 * mp->size + 1), mp->socket_id,
			    RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (r == NULL)
		return -rte_errno;
	mp->pool_data = r;
	return 0;
}

static void
hostile_pool_free(struct rte_mempool *mp)
{
	rte_ring_free(mp->pool_data);
}

static int
hostile_pool_enqueue(struct rte_mempool *mp, void * const *objs, unsigned int n)
{
	return rte_ring_enqueue_bulk(mp->pool_data, objs, n, NULL) == n ? 0 : -ENOBUFS;
}

static int
hostile_pool_dequeue(struct rte_mempool *mp, void **objs, unsigned int n)
{
	if (strike.armed && strike.skip-- == 0) {
		__atomic_store_n(strike.len, strike.new_len, __ATOMIC_RELEASE);
		strike.armed = false;
		strike.struck = true;
	}
	return rte_ring_dequeue_bulk(mp->pool_data, objs, n, NULL) == n ? 0 : -ENOENT;
}

static unsigned int
hostile_pool_count(const struct rte_mempool *mp)
{
	return rte_ring_count(mp->pool_data);
}

static struct rte_mempool_ops hostile_pool_ops = {
	.name = "net_vmci_test_hostile",
	.alloc = hostile_pool_alloc,
	.free = hostile_pool_free,
	.enqueue = hostile_pool_enqueue,
	.dequeue = hostile_pool_dequeue,
	.get_count = hostile_pool_count,
};

RTE_MEMPOOL_REGISTER_OPS(hostile_pool_ops);

static int
ptr_cmp(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t)*(void * const *)a, y = (uintptr_t)*(void * const *)b;

	return x < y ? -1 : x > y;
}

/*
 * Take every mbuf out of @mp: each one must come out exactly once, none
 * missing. Each is put back once, so that a later case starts clean.
 */
static int
pool_intact(struct rte_mempool *mp)
{
	static void *objs[2 * HOSTILE_MBUFS];
	unsigned int n = 0, uniq = 0, i;

	while (n < RTE_DIM(objs) && rte_mempool_get(mp, &objs[n]) == 0)
		n++;
	qsort(objs, n, sizeof(objs[0]), ptr_cmp);
	for (i = 0; i < n; i++)
		if (uniq == 0 || objs[i] != objs[uniq - 1])
			objs[uniq++] = objs[i];
	rte_mempool_put_bulk(mp, objs, uniq);
	TEST_ASSERT_EQUAL(n - uniq, 0, "mbufs in the pool twice (%u taken out)", n);
	TEST_ASSERT_EQUAL(n, mp->size, "mbufs back in the pool");
	return TEST_SUCCESS;
}

/* Ring bytes of a record of @len bytes: header, payload, padding. */
static uint64_t
rec_bytes(uint32_t len)
{
	return RTE_ALIGN_CEIL(sizeof(struct rte_vmci_qp_rec_hdr) + len, RTE_VMCI_QP_REC_ALIGN);
}

/*
 * Write one record of @len bytes for @seq straight into the host's produce
 * queue and return its header's length word, which the peer may rewrite.
 */
static uint32_t *
host_put_record(uint32_t seq, uint32_t len)
{
	struct rte_vmci_qp_rec_hdr hdr = { .len = len, .magic = RTE_VMCI_QP_REC_MAGIC };
	uint64_t rec = rec_bytes(len);
	struct rte_vmci_qp_zc zc;
	uint8_t *d;

	if (rte_vmci_qp_enqueue_zc_bulk_start(host_ep, rec, &zc) != (ssize_t)rec)
		return NULL;
	if (zc.len1 < rec) {
		/* The cases write a few KiB into a 1 MiB ring: they never reach its end. */
		printf("  record of %u bytes would wrap the ring\n", len);
		rte_vmci_qp_enqueue_zc_finish(host_ep, 0);
		return NULL;
	}
	d = zc.ptr1;
	memset(d, 0, rec);
	memcpy(d, &hdr, sizeof(hdr));
	for (uint32_t k = 0; k < len; k++)
		d[sizeof(hdr) + k] = pattern(seq, k);
	rte_vmci_qp_enqueue_zc_finish(host_ep, rec);
	return (uint32_t *)d;
}

/* Most frames one Rx call of the cases asks for: more than one library burst. */
#define RX_MAX_BURST 128

/*
 * A frame as port 0 must deliver it from @mp: the bytes of @seq, from port
 * 0, in as few segments as hold it, each full but the last.
 */
static int
check_rx_frame(const struct rte_mbuf *m, struct rte_mempool *mp, uint32_t seq, uint32_t len)
{
	uint32_t room = rte_pktmbuf_data_room_size(mp) - RTE_PKTMBUF_HEADROOM;
	uint32_t nseg = (len + room - 1) / room, left = len, i = 0;
	const struct rte_mbuf *s;

	if (check_frame(m, seq, len) != TEST_SUCCESS)
		return TEST_FAILED;
	TEST_ASSERT_EQUAL(m->port, 0, "frame %u port", seq);
	TEST_ASSERT_EQUAL(m->nb_segs, nseg, "frame %u segments", seq);
	for (s = m; s != NULL; s = s->next, i++) {
		TEST_ASSERT(i < nseg, "frame %u: a segment beyond nb_segs", seq);
		TEST_ASSERT_EQUAL(s->data_len, RTE_MIN(left, room), "frame %u segment %u", seq, i);
		left -= s->data_len;
	}
	return TEST_SUCCESS;
}

/*
 * Receive on port 0, up to @nb frames a call, until @want frames came;
 * check each against @seqs/@lens.
 */
static int
rx_frames_by(const uint32_t *seqs, const uint32_t *lens, int want, uint16_t nb)
{
	struct rte_mbuf *b[RX_MAX_BURST];
	int got = 0, i, k, n, ret = TEST_SUCCESS;

	TEST_ASSERT(nb <= RTE_DIM(b), "%u frames a call", nb);
	for (i = 0; i < 1000 && got < want; i++) {
		n = rte_eth_rx_burst(0, 0, b, nb);
		if (n > nb) {
			printf("  %d frames from a call for %u\n", n, nb);
			ret = TEST_FAILED;
		}
		for (k = 0; k < n; k++) {
			if (got + k >= want)
				ret = TEST_FAILED;
			else if (ret == TEST_SUCCESS)
				ret = check_rx_frame(b[k], rx_pool, seqs[got + k], lens[got + k]);
			rte_pktmbuf_free(b[k]);
		}
		got += n;
		if (n == 0)
			rte_delay_ms(1);
	}
	TEST_ASSERT_EQUAL(ret, TEST_SUCCESS, "frames as sent");
	TEST_ASSERT_EQUAL(got, want, "frames received");
	return TEST_SUCCESS;
}

static int
rx_frames(const uint32_t *seqs, const uint32_t *lens, int want)
{
	return rx_frames_by(seqs, lens, want, BURST);
}

/* Nothing more for port 0 to receive. */
static int
rx_nothing_more(void)
{
	struct rte_mbuf *b[BURST];
	uint16_t n = rte_eth_rx_burst(0, 0, b, BURST);

	rte_pktmbuf_free_bulk(b, n);
	TEST_ASSERT_EQUAL(n, 0, "frames beyond those sent");
	return TEST_SUCCESS;
}

/* The host reads the next frame port 0 sent: @len bytes of @seq. */
static int
host_read_frame(uint32_t seq, uint32_t len)
{
	static uint8_t buf[HOST_FRAME_MAX];
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
	uint32_t k;

	TEST_ASSERT_EQUAL(rte_vmci_qp_msg_dequeue_burst(host_ep, &iov, 1), 1, "frame %u", seq);
	TEST_ASSERT_EQUAL(iov.iov_len, len, "length of frame %u", seq);
	for (k = 0; k < len; k++)
		TEST_ASSERT_EQUAL(buf[k], pattern(seq, k), "frame %u byte %u", seq, k);
	return TEST_SUCCESS;
}

/* The host has nothing more to read from port 0. */
static int
host_read_nothing_more(void)
{
	static uint8_t buf[HOST_FRAME_MAX];
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };

	TEST_ASSERT_EQUAL(rte_vmci_qp_msg_dequeue_burst(host_ep, &iov, 1), 0,
			  "a frame beyond those sent (%zu bytes)", iov.iov_len);
	return TEST_SUCCESS;
}

/* Port 0's Rx counters since its last stats reset; no bad record among them. */
static int
rx_counted(uint64_t packets, uint64_t bytes, uint64_t errors, uint64_t oversize,
	   uint64_t nombuf)
{
	struct rte_eth_stats st;
	uint64_t over = 0, bad = 0;

	TEST_ASSERT_EQUAL(rte_eth_stats_get(0, &st), 0, "stats");
	TEST_ASSERT(xstat(0, "rx_oversize_errors", &over) == 0 &&
		    xstat(0, "rx_bad_records", &bad) == 0, "xstats");
	TEST_ASSERT_EQUAL(st.ipackets, packets, "ipackets");
	TEST_ASSERT_EQUAL(st.ibytes, bytes, "ibytes");
	TEST_ASSERT_EQUAL(st.ierrors, errors, "ierrors");
	TEST_ASSERT_EQUAL(over, oversize, "rx_oversize_errors");
	TEST_ASSERT_EQUAL(st.rx_nombuf, nombuf, "rx_nombuf");
	TEST_ASSERT_EQUAL(bad, 0, "rx_bad_records");
	return TEST_SUCCESS;
}

/*
 * A one-segment frame, then a record of @len bytes whose header becomes
 * @new_len while the PMD allocates the chain for it, then a chained frame.
 */
static int
rewrite_between_peek_and_fetch(uint32_t len, uint32_t new_len, bool shrink)
{
	uint32_t seqs[] = { 1, 3 }, lens[] = { 200, 5000 };
	uint64_t bad0 = 0, bad1 = 0, rs0 = 0, rs1 = 0;
	uint32_t *hdr_len;
	int got, i;

	if (host_ep == NULL && host_attach() != TEST_SUCCESS)
		return TEST_FAILED;
	TEST_ASSERT(xstat(0, "rx_bad_records", &bad0) == 0, "xstat");
	TEST_ASSERT(xstat(0, "rx_resyncs", &rs0) == 0, "xstat");
	TEST_ASSERT(host_put_record(1, 200) != NULL, "frame before");
	hdr_len = host_put_record(2, len);
	TEST_ASSERT(hdr_len != NULL, "the record to rewrite");
	TEST_ASSERT(host_put_record(3, 5000) != NULL, "frame after");
	/* The first frame's allocation passes; the second one's strikes. */
	strike = (typeof(strike)){ .len = hdr_len, .new_len = new_len, .skip = 1, .armed = true };
	if (shrink) {
		/* Consumed shorter than peeked: dropped, and the burst goes on. */
		TEST_ASSERT(rx_frames(seqs, lens, 2) == TEST_SUCCESS, "both frames around it");
	} else {
		/*
		 * Longer than the chain: a bad record, the queue resynchronised
		 * (the frame after it goes too); the next frame arrives.
		 */
		TEST_ASSERT(rx_frames(seqs, lens, 1) == TEST_SUCCESS, "the frame before it");
		for (i = 0, rs1 = rs0; i < 1000 && rs1 == rs0; i++) {
			TEST_ASSERT(rx_expect(3, 5000, 1, &got) == TEST_SUCCESS && got == 0,
				    "nothing more");
			TEST_ASSERT(xstat(0, "rx_resyncs", &rs1) == 0, "xstat");
		}
		TEST_ASSERT(rs1 > rs0, "queue resynchronised");
		TEST_ASSERT(host_put_record(3, 5000) != NULL, "frame after the resync");
		TEST_ASSERT(rx_frames(seqs + 1, lens + 1, 1) == TEST_SUCCESS, "it arrives");
	}
	TEST_ASSERT(strike.struck, "the peer rewrote the length inside the Rx burst");
	TEST_ASSERT(xstat(0, "rx_bad_records", &bad1) == 0, "xstat");
	TEST_ASSERT_EQUAL(bad1, bad0 + 1, "the rewritten record counted");
	return pool_intact(rx_pool);
}

/* 4100 and 4097 bytes: 5 segments each, the same record size (4112 bytes). */
static int
test_len_shrinks(void)
{
	return rewrite_between_peek_and_fetch(4100, 4097, true);
}

static int
test_len_grows(void)
{
	return rewrite_between_peek_and_fetch(4097, 4100, false);
}

/*
 * The first record of a burst of one-mbuf frames rewritten between the
 * peek and the queue pair's burst read, which the allocation of the
 * burst's mbufs sits between: @len when peeked, @new_len when read, then
 * frames of 60 and 100 bytes. The record is written at the longer length
 * and announced at @len: the bytes @new_len covers are the pattern either
 * way. A runt is dropped and counted (ierrors, not a bad record); a
 * record grown beyond one mbuf is left to the next call, which takes it
 * as a chain. Either way the frames after it arrive in order.
 */
static int
burst_first_rewritten(uint32_t len, uint32_t new_len)
{
	uint32_t seqs[] = { 10, 11, 12 }, lens[] = { new_len, 60, 100 };
	uint32_t runt = new_len < RTE_ETHER_HDR_LEN;
	uint32_t *hdr_len;

	if (host_ep == NULL && host_attach() != TEST_SUCCESS)
		return TEST_FAILED;
	TEST_ASSERT_EQUAL(rte_eth_stats_reset(0), 0, "stats reset");
	hdr_len = host_put_record(seqs[0], RTE_MAX(len, new_len));
	TEST_ASSERT(hdr_len != NULL, "the record to rewrite");
	__atomic_store_n(hdr_len, len, __ATOMIC_RELEASE);
	TEST_ASSERT(host_put_record(seqs[1], lens[1]) != NULL &&
		    host_put_record(seqs[2], lens[2]) != NULL, "frames after it");
	/* The first allocation of the next Rx call strikes: the burst's. */
	strike = (typeof(strike)){ .len = hdr_len, .new_len = new_len, .armed = true };
	TEST_ASSERT(rx_frames(seqs + runt, lens + runt, 3 - runt) == TEST_SUCCESS, "frames");
	TEST_ASSERT(rx_nothing_more() == TEST_SUCCESS, "nothing more");
	TEST_ASSERT(strike.struck, "the peer rewrote the length inside the Rx burst");
	TEST_ASSERT(rx_counted(3 - runt, (runt ? 0 : new_len) + lens[1] + lens[2], runt, 0, 0) ==
		    TEST_SUCCESS, "counters");
	return pool_intact(rx_pool);
}

/* 200 bytes peeked, 2216 read: a chain of 3 mbufs. */
static int
test_burst_first_grows(void)
{
	return burst_first_rewritten(200, 2216);
}

/* 16 bytes peeked, 10 read: the same record size (24 bytes), a runt. */
static int
test_burst_first_shrinks_to_runt(void)
{
	return burst_first_rewritten(16, 10);
}

/*
 * Tx error paths with chains from the counted pool: every burst carries an
 * oversize chain (consumed and dropped) and the host reads nothing, so
 * bursts end early once the ring is full and the application keeps the
 * rest. Every mbuf must be freed exactly once: by the PMD for what it
 * consumed, by the application for what it got back.
 */
#define TX_FRAME 3000 /* 3 segments of 1 KiB */

static int
test_tx_partial_bursts(void)
{
	struct rte_mbuf *b[BURST];
	uint32_t queued = 0, seq = 0, sent, n, i, got = 0;
	uint64_t full = 0;

	if (host_ep == NULL && host_attach() != TEST_SUCCESS)
		return TEST_FAILED;
	do {
		for (n = 0; n < BURST; n++) {
			/* The middle one is longer than the largest frame. */
			b[n] = make_frame_in(rx_pool, seq + n,
					     n == BURST / 2 ? MAX_SIZE + 19 : TX_FRAME, 3);
			TEST_ASSERT(b[n] != NULL, "mbufs");
		}
		sent = rte_eth_tx_burst(0, 0, b, BURST);
		for (i = 0; i < sent; i++)
			if (i != BURST / 2)
				queued++;
		rte_pktmbuf_free_bulk(b + sent, BURST - sent);
		seq += BURST;
	} while (sent == BURST);
	TEST_ASSERT(xstat(0, "tx_ring_full", &full) == 0 && full == 1, "a full ring ended a burst");
	/* The host reads every frame that went out, in order, byte by byte. */
	for (seq = 0; got < queued; seq++) {
		if (seq % BURST == BURST / 2)
			continue;
		TEST_ASSERT(host_read_frame(seq, TX_FRAME) == TEST_SUCCESS, "frame %u of %u", got,
			    queued);
		got++;
	}
	TEST_ASSERT(host_read_nothing_more() == TEST_SUCCESS, "nothing more");
	return pool_intact(rx_pool);
}

static const struct vmci_test_case rewrite_cases[] = {
	{ "len_shrinks_between_peek_and_fetch", test_len_shrinks },
	{ "len_grows_between_peek_and_fetch", test_len_grows },
	{ "tx_partial_bursts_free_once", test_tx_partial_bursts },
	{ "burst_first_len_grows_to_chain", test_burst_first_grows },
	{ "burst_first_len_shrinks_to_runt", test_burst_first_shrinks_to_runt },
	{ NULL, NULL },
};

static const struct vmci_test_suite rewrite_suite = {
	.name = "net_vmci_rewrite",
	.cases = rewrite_cases,
};

/*
 * The burst paths: the test is the host end; port 0's Rx queue takes 1 KiB
 * mbufs from the counted pool of the rewrite cases (never armed here), and
 * its Tx frames come from there too. Frames that fit one mbuf go through
 * the queue pair's burst calls, others one by one between them; after each
 * case the pool is drained: every mbuf exactly once, none missing.
 */
#define SMALL_MTU 500 /* frames up to 518 bytes: less than one mbuf */
#define RX_PLAN_MAX 256

/*
 * Port 0 with MTU @mtu, connected to the host: if it has another MTU, it
 * is stopped, set and started again, and the host leaves the old pair and
 * takes the new offer.
 */
static int
port0_mtu(uint16_t mtu)
{
	uint16_t cur = 0;

	TEST_ASSERT_EQUAL(rte_eth_dev_get_mtu(0, &cur), 0, "MTU");
	if (cur != mtu) {
		TEST_ASSERT_EQUAL(rte_eth_dev_stop(0), 0, "stop");
		if (host_ep != NULL) {
			rte_vmci_qp_endpoint_free(host_ep);
			host_ep = NULL;
			vmci_emu_host_qp_detach(NULL, host_handle);
		}
		TEST_ASSERT_EQUAL(rte_eth_dev_set_mtu(0, mtu), 0, "MTU %u", mtu);
		TEST_ASSERT_EQUAL(rte_eth_dev_start(0), 0, "start");
	}
	if (host_ep == NULL && host_attach() != TEST_SUCCESS)
		return TEST_FAILED;
	return TEST_SUCCESS;
}

static uint32_t
port0_max_frame(void)
{
	uint16_t mtu = 0;

	rte_eth_dev_get_mtu(0, &mtu);
	return mtu + RTE_ETHER_HDR_LEN + RTE_VLAN_HLEN;
}

/* What port 0 must make of the records the host wrote. */
struct rx_plan {
	uint32_t seq[RX_PLAN_MAX];
	uint32_t len[RX_PLAN_MAX];
	uint32_t n;        /* frames to deliver, in this order */
	uint64_t bytes;    /* their bytes */
	uint64_t errors;   /* records dropped: runts and oversize */
	uint64_t oversize; /* those above the largest frame */
	uint32_t records;  /* written, and the next sequence number */
	uint32_t max_frame;
};

/* The host writes the next record, of @len bytes: a frame to deliver, or to drop and count. */
static int
plan_record(struct rx_plan *p, uint32_t len)
{
	uint32_t seq = p->records++;

	TEST_ASSERT_EQUAL(valid_frame(seq, len), 1, "record %u (%u bytes)", seq, len);
	if (len < RTE_ETHER_HDR_LEN || len > p->max_frame) {
		p->errors++;
		if (len > p->max_frame)
			p->oversize++;
		return TEST_SUCCESS;
	}
	TEST_ASSERT(p->n < RX_PLAN_MAX, "more than %u frames", RX_PLAN_MAX);
	p->seq[p->n] = seq;
	p->len[p->n] = len;
	p->n++;
	p->bytes += len;
	return TEST_SUCCESS;
}

/*
 * A run of 100 one-mbuf frames (more than one library burst moves), a
 * runt inside it, then @sizes: port 0 receives, @nb frames a call, every
 * frame to deliver once, in order, byte-exact, and counts the others.
 */
static int
rx_plan_run(const uint32_t *sizes, unsigned int nb_sizes, uint16_t nb)
{
	static struct rx_plan p;
	unsigned int i;

	p = (struct rx_plan){ .max_frame = port0_max_frame() };
	TEST_ASSERT_EQUAL(rte_eth_stats_reset(0), 0, "stats reset");
	for (i = 0; i < 100; i++)
		if (plan_record(&p, i == 40 ? 10 : 60 + i % 7) != TEST_SUCCESS)
			return TEST_FAILED;
	for (i = 0; i < nb_sizes; i++)
		if (plan_record(&p, sizes[i]) != TEST_SUCCESS)
			return TEST_FAILED;
	if (rx_frames_by(p.seq, p.len, p.n, nb) != TEST_SUCCESS ||
	    rx_nothing_more() != TEST_SUCCESS)
		return TEST_FAILED;
	if (rx_counted(p.n, p.bytes, p.errors, p.oversize, 0) != TEST_SUCCESS)
		return TEST_FAILED;
	return pool_intact(rx_pool);
}

/* With MTU @mtu, rx_plan_run() with many frames a call, then a few. */
static int
rx_mixed(uint16_t mtu, const uint32_t *sizes, unsigned int nb_sizes)
{
	static const uint16_t per_call[] = { RX_MAX_BURST, 7 };
	unsigned int i;

	if (port0_mtu(mtu) != TEST_SUCCESS)
		return TEST_FAILED;
	for (i = 0; i < RTE_DIM(per_call); i++)
		TEST_ASSERT(rx_plan_run(sizes, nb_sizes, per_call[i]) == TEST_SUCCESS,
			    "%u frames a call", per_call[i]);
	return TEST_SUCCESS;
}

/*
 * MTU 9000: frames of one mbuf and chains mixed; bursts that start small
 * and grow, and the reverse; runts met by the peek and inside a burst.
 */
static int
test_rx_mixed_burst(void)
{
	static const uint32_t sizes[] = {
		/* Small, then large: one mbuf, a full one, chains of 2, 5 and 9. */
		60, 200, 1024, 1025, 5000, 9018,
		/* A runt for the peek, after a chain; a burst that starts large. */
		12, 1000, 64, 14, 13, 0, 1024, 61, 9000, 60,
	};

	return rx_mixed(MAX_SIZE, sizes, RTE_DIM(sizes));
}

/*
 * A small MTU: frames above the largest one but within one mbuf are read
 * by the burst and dropped there; longer ones stop it and are dropped
 * after the peek; one is first in its call.
 */
static int
test_rx_oversize_in_one_mbuf(void)
{
	static const uint32_t sizes[] = {
		60, 600, 518, 519, 10, 100, 1024,
		1025, 2000,
		519, 60,
	};

	return rx_mixed(SMALL_MTU, sizes, RTE_DIM(sizes));
}

#define FEW_MBUFS 8
#define FEW_FRAMES 40

#define FEW_MBUFS 8
#define FEW_FRAMES 40

/*
 * Only FEW_MBUFS mbufs free: a call delivers as many frames as there are
 * mbufs, in order, and counts rx_nombuf once; with none free, the next
 * call delivers nothing and counts it again. The frames delivered stay
 * with the caller (@b, @n).
 */
static int
rx_with_few_mbufs(const uint32_t *seqs, const uint32_t *lens, struct rte_mbuf **b, uint16_t *n)
{
	uint64_t bytes = 0;
	unsigned int i;

	*n = rte_eth_rx_burst(0, 0, b, BURST);
	TEST_ASSERT_EQUAL(*n, FEW_MBUFS, "frames delivered with %u mbufs free", FEW_MBUFS);
	for (i = 0; i < *n; i++) {
		if (check_rx_frame(b[i], rx_pool, seqs[i], lens[i]) != TEST_SUCCESS)
			return TEST_FAILED;
		bytes += lens[i];
	}
	if (rx_counted(*n, bytes, 0, 0, 1) != TEST_SUCCESS)
		return TEST_FAILED;
	TEST_ASSERT_EQUAL(rte_eth_rx_burst(0, 0, b + *n, BURST - *n), 0, "frames without mbufs");
	return rx_counted(*n, bytes, 0, 0, 2);
}

/*
 * More frames ready than free mbufs, with the application holding the
 * rest of the pool: no frame lost, none delivered out of order; every
 * frame stays in the ring until an mbuf is there for it, and all arrive
 * once the application frees its mbufs.
 */
static int
test_rx_few_mbufs(void)
{
	static struct rte_mbuf *held[HOSTILE_MBUFS];
	uint32_t seqs[FEW_FRAMES], lens[FEW_FRAMES];
	struct rte_mbuf *b[BURST];
	unsigned int nheld, i;
	uint64_t bytes = 0;
	uint16_t n = 0;
	int ret;

	if (port0_mtu(MAX_SIZE) != TEST_SUCCESS)
		return TEST_FAILED;
	TEST_ASSERT_EQUAL(rte_eth_stats_reset(0), 0, "stats reset");
	for (i = 0; i < FEW_FRAMES; i++) {
		seqs[i] = i;
		lens[i] = 60 + i;
		bytes += lens[i];
		TEST_ASSERT_EQUAL(valid_frame(seqs[i], lens[i]), 1, "frame %u", i);
	}
	nheld = rte_mempool_avail_count(rx_pool) - FEW_MBUFS;
	TEST_ASSERT_EQUAL(rte_pktmbuf_alloc_bulk(rx_pool, held, nheld), 0, "hold %u mbufs", nheld);
	ret = rx_with_few_mbufs(seqs, lens, b, &n);
	rte_pktmbuf_free_bulk(held, nheld);
	rte_pktmbuf_free_bulk(b, n);
	if (ret != TEST_SUCCESS)
		return ret;
	if (rx_frames(seqs + n, lens + n, FEW_FRAMES - n) != TEST_SUCCESS ||
	    rx_nothing_more() != TEST_SUCCESS)
		return TEST_FAILED;
	if (rx_counted(FEW_FRAMES, bytes, 0, 0, 2) != TEST_SUCCESS)
		return TEST_FAILED;
	return pool_intact(rx_pool);
}

/* Port 0's Tx counters since its last stats reset. */
static int
tx_counted(uint64_t packets, uint64_t bytes, uint64_t errors, uint64_t oversize,
	   uint64_t ring_full)
{
	struct rte_eth_stats st;
	uint64_t over = 0, full = 0;

	TEST_ASSERT_EQUAL(rte_eth_stats_get(0, &st), 0, "stats");
	TEST_ASSERT(xstat(0, "tx_oversize_errors", &over) == 0 &&
		    xstat(0, "tx_ring_full", &full) == 0, "xstats");
	TEST_ASSERT_EQUAL(st.opackets, packets, "opackets");
	TEST_ASSERT_EQUAL(st.obytes, bytes, "obytes");
	TEST_ASSERT_EQUAL(st.oerrors, errors, "oerrors");
	TEST_ASSERT_EQUAL(over, oversize, "tx_oversize_errors");
	TEST_ASSERT_EQUAL(full, ring_full, "tx_ring_full");
	return TEST_SUCCESS;
}

struct tx_frame {
	uint32_t len;
	uint32_t nseg;
};

#define TX_MIXED_MAX 96

/* Frames @f[0..n) for sequence numbers @seq on, from the counted pool. */
static int
tx_make(struct rte_mbuf **b, const struct tx_frame *f, unsigned int n, uint32_t seq)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		b[i] = make_frame_in(rx_pool, seq + i, f[i].len, f[i].nseg);
		if (b[i] == NULL || b[i]->nb_segs != f[i].nseg) {
			rte_pktmbuf_free(b[i]);
			rte_pktmbuf_free_bulk(b, i);
			printf("  frame %u: %u bytes in %u mbufs\n", i, f[i].len, f[i].nseg);
			return TEST_FAILED;
		}
	}
	return TEST_SUCCESS;
}

/* The host reads, in order, the frames of @f[0..n) (seq @seq on) short enough to be sent. */
static int
host_read_sent(const struct tx_frame *f, unsigned int n, uint32_t seq, uint32_t max_frame)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (f[i].len <= max_frame && host_read_frame(seq + i, f[i].len) != TEST_SUCCESS)
			return TEST_FAILED;
	return TEST_SUCCESS;
}

/* What port 0 counts for sending @f[0..n): frames, bytes and drops (too long). */
static void
tx_sums(const struct tx_frame *f, unsigned int n, uint32_t max_frame, uint64_t *packets,
	uint64_t *bytes, uint64_t *dropped)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (f[i].len > max_frame) {
			(*dropped)++;
			continue;
		}
		(*packets)++;
		*bytes += f[i].len;
	}
}

/*
 * One call with every kind of frame: one-mbuf frames, chains between them,
 * a one-mbuf frame and a chain above the largest frame (taken, dropped,
 * counted), and a run of 70 one-mbuf frames, longer than one library
 * burst. All are taken; the host reads the sent ones in order, byte-exact.
 */
static int
test_tx_mixed_burst(void)
{
	struct tx_frame f[TX_MIXED_MAX];
	struct rte_mbuf *b[TX_MIXED_MAX];
	uint64_t packets = 0, bytes = 0, dropped = 0;
	unsigned int n = 0, i;
	uint32_t max_frame;

	if (port0_mtu(SMALL_MTU) != TEST_SUCCESS)
		return TEST_FAILED;
	max_frame = port0_max_frame();
	f[n++] = (struct tx_frame){ 60, 1 };
	f[n++] = (struct tx_frame){ max_frame, 1 };
	f[n++] = (struct tx_frame){ 450, 3 };
	f[n++] = (struct tx_frame){ max_frame + 82, 1 };
	f[n++] = (struct tx_frame){ 900, 3 };
	f[n++] = (struct tx_frame){ 200, 1 };
	for (i = 0; i < 70; i++)
		f[n++] = (struct tx_frame){ 100 + i % 9, 1 };
	f[n++] = (struct tx_frame){ 300, 2 };
	f[n++] = (struct tx_frame){ 64, 1 };
	tx_sums(f, n, max_frame, &packets, &bytes, &dropped);
	TEST_ASSERT_EQUAL(rte_eth_stats_reset(0), 0, "stats reset");
	if (tx_make(b, f, n, 0) != TEST_SUCCESS)
		return TEST_FAILED;
	TEST_ASSERT_EQUAL(rte_eth_tx_burst(0, 0, b, n), n, "every frame taken");
	if (host_read_sent(f, n, 0, max_frame) != TEST_SUCCESS ||
	    host_read_nothing_more() != TEST_SUCCESS)
		return TEST_FAILED;
	if (tx_counted(packets, bytes, dropped, dropped, 0) != TEST_SUCCESS)
		return TEST_FAILED;
	return pool_intact(rx_pool);
}

/*
 * Port 0 sends @bytes of records (a multiple of 8) that the host leaves in
 * the ring: 504-byte frames, then two that make up the rest.
 */
static int
tx_fill(uint64_t bytes)
{
	struct rte_mbuf *b[BURST];
	uint64_t left = bytes;
	uint32_t len;
	unsigned int n;

	while (left > 0) {
		for (n = 0; n < BURST && left > 0; n++) {
			if (left > 1040)
				len = 512 - 8;
			else if (left > 520)
				len = RTE_ALIGN_FLOOR(left / 2, RTE_VMCI_QP_REC_ALIGN) - 8;
			else
				len = left - 8;
			b[n] = make_frame_in(rx_pool, 0, len, 1);
			TEST_ASSERT(b[n] != NULL, "mbuf");
			left -= rec_bytes(len);
		}
		TEST_ASSERT_EQUAL(rte_eth_tx_burst(0, 0, b, n), n, "filler frames");
	}
	TEST_ASSERT_EQUAL(rte_vmci_qp_ready_bytes(host_ep), bytes, "filler bytes in the ring");
	return TEST_SUCCESS;
}

/* The host reads @bytes of records and checks no more. */
static int
host_skip(uint64_t bytes)
{
	static uint8_t buf[HOST_FRAME_MAX];
	struct iovec iov;
	uint64_t done = 0;

	while (done < bytes) {
		iov = (struct iovec){ .iov_base = buf, .iov_len = sizeof(buf) };
		TEST_ASSERT_EQUAL(rte_vmci_qp_msg_dequeue_burst(host_ep, &iov, 1), 1,
				  "filler after %" PRIu64 " bytes", done);
		done += rec_bytes(iov.iov_len);
	}
	TEST_ASSERT_EQUAL(done, bytes, "filler bytes read");
	return TEST_SUCCESS;
}

/*
 * The ring fills in the middle of a run of one-mbuf frames, after a chain
 * and a dropped oversize frame: the call returns the frames it took (sent
 * or dropped) and frees their mbufs only; the others are the caller's as
 * they were, and go out with the next call, after the ones sent. The
 * full ring is counted once.
 */
#define TX_FULL_AT 7 /* the 4th 500-byte frame is the first that does not fit */

static int
test_tx_ring_full_mid_run(void)
{
	static const struct tx_frame f[] = {
		{ 60, 1 }, { 450, 3 }, { 600, 1 }, { 200, 1 },
		{ 500, 1 }, { 500, 1 }, { 500, 1 }, { 500, 1 }, { 500, 1 }, { 500, 1 },
		{ 300, 2 }, { 100, 1 },
	};
	uint64_t packets = 0, bytes = 0, dropped = 0, taken = 0, fill;
	const unsigned int n = RTE_DIM(f);
	struct rte_mbuf *b[RTE_DIM(f)];
	unsigned int avail, segs = 0, i;
	int ret = TEST_SUCCESS;
	uint32_t max_frame;
	uint16_t sent;

	if (port0_mtu(SMALL_MTU) != TEST_SUCCESS)
		return TEST_FAILED;
	max_frame = port0_max_frame();
	for (i = 0; i < TX_FULL_AT; i++) {
		if (f[i].len <= max_frame)
			taken += rec_bytes(f[i].len);
		segs += f[i].nseg;
	}
	/* Room for the frames before TX_FULL_AT and half of that one. */
	fill = RTE_ALIGN_FLOOR(HOST_QSIZE - 1 - taken - rec_bytes(f[TX_FULL_AT].len) / 2,
			       RTE_VMCI_QP_REC_ALIGN);
	if (tx_fill(fill) != TEST_SUCCESS)
		return TEST_FAILED;
	TEST_ASSERT_EQUAL(rte_eth_stats_reset(0), 0, "stats reset");
	if (tx_make(b, f, n, 0) != TEST_SUCCESS)
		return TEST_FAILED;
	avail = rte_mempool_avail_count(rx_pool);
	sent = rte_eth_tx_burst(0, 0, b, n);
	if (sent != TX_FULL_AT) {
		printf("  %u frames taken, expected %u\n", sent, TX_FULL_AT);
		ret = TEST_FAILED;
	} else if (rte_mempool_avail_count(rx_pool) != avail + segs) {
		printf("  %u mbufs freed, expected %u\n", rte_mempool_avail_count(rx_pool) - avail,
		       segs);
		ret = TEST_FAILED;
	}
	for (i = TX_FULL_AT; i < n && ret == TEST_SUCCESS; i++)
		if (check_frame(b[i], i, f[i].len) != TEST_SUCCESS ||
		    b[i]->nb_segs != f[i].nseg || rte_mbuf_refcnt_read(b[i]) != 1)
			ret = TEST_FAILED;
	if (ret != TEST_SUCCESS) {
		rte_pktmbuf_free_bulk(b + sent, n - sent);
		return ret;
	}
	tx_sums(f, TX_FULL_AT, max_frame, &packets, &bytes, &dropped);
	if (tx_counted(packets, bytes, dropped, dropped, 1) != TEST_SUCCESS ||
	    host_skip(fill) != TEST_SUCCESS ||
	    host_read_sent(f, TX_FULL_AT, 0, max_frame) != TEST_SUCCESS ||
	    host_read_nothing_more() != TEST_SUCCESS) {
		rte_pktmbuf_free_bulk(b + sent, n - sent);
		return TEST_FAILED;
	}
	/* Room again: the rest go out, after those. */
	sent = rte_eth_tx_burst(0, 0, b + TX_FULL_AT, n - TX_FULL_AT);
	rte_pktmbuf_free_bulk(b + TX_FULL_AT + sent, n - TX_FULL_AT - sent);
	TEST_ASSERT_EQUAL(sent, n - TX_FULL_AT, "the rest taken");
	if (host_read_sent(f + TX_FULL_AT, n - TX_FULL_AT, TX_FULL_AT, max_frame) != TEST_SUCCESS ||
	    host_read_nothing_more() != TEST_SUCCESS)
		return TEST_FAILED;
	tx_sums(f + TX_FULL_AT, n - TX_FULL_AT, max_frame, &packets, &bytes, &dropped);
	if (tx_counted(packets, bytes, dropped, dropped, 1) != TEST_SUCCESS)
		return TEST_FAILED;
	return pool_intact(rx_pool);
}

static const struct vmci_test_case burst_cases[] = {
	{ "rx_mixed_burst_in_order", test_rx_mixed_burst },
	{ "rx_few_mbufs_nothing_lost", test_rx_few_mbufs },
	{ "rx_oversize_in_one_mbuf", test_rx_oversize_in_one_mbuf },
	{ "tx_mixed_burst", test_tx_mixed_burst },
	{ "tx_ring_full_mid_run", test_tx_ring_full_mid_run },
	{ NULL, NULL },
};

static const struct vmci_test_suite burst_suite = {
	.name = "net_vmci_burst",
	.cases = burst_cases,
};

/*
 * role=attach with handle=: the host creates the pair (the usual direction
 * on VMware), the port attaches to the known handle, frames go both ways,
 * and the host leaving takes the link down.
 */
#define HOST_RID 5000

/* The offer as the PMD documents it (doc/net_vmci.md), sent by the host. */
static int
host_send_offer(uint32_t magic, struct rte_vmci_handle h)
{
	struct {
		struct vmci_dg_hdr hdr;
		uint32_t magic;
		uint16_t version, nb_queues;
		uint32_t generation, reserved;
		uint64_t qsize;
		struct rte_vmci_handle handles[8];
	} __rte_packed dg = {
		.hdr = {
			.dst = { .context = 20, .resource = 4242 },
			.src = { .context = VMCI_HOST_CID, .resource = 77 },
			.payload_size = sizeof(dg) - sizeof(struct vmci_dg_hdr),
		},
		.magic = magic, .version = 1, .nb_queues = 1, .generation = 1,
		.qsize = 1 << 20, .handles = { h },
	};

	return vmci_emu_host_send(NULL, &dg.hdr, sizeof(dg));
}

static int
attach_to_host_pair(bool by_offer)
{
	struct rte_vmci_handle h = { .context = VMCI_HOST_CID, .resource = HOST_RID };
	struct rte_mbuf *m, *b[BURST];
	struct rte_vmci_qp *ep = NULL;
	uint8_t buf[2048];
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
	uint64_t detaches = 0;
	int got, i;

	TEST_ASSERT_EQUAL(vmci_emu_host_qp_create(NULL, h, 20, 1 << 20, 1 << 20),
			  VMCI_SUCCESS_QUEUEPAIR_CREATE, "host creates the pair");
	if (by_offer) {
		struct rte_eth_link link;
		uint64_t bad = 0;

		TEST_ASSERT(host_send_offer(0x12345678, h) >= 0, "send a bad offer");
		for (i = 0; i < 300 && bad == 0; i++) {
			rte_delay_ms(10);
			TEST_ASSERT(xstat(0, "rendezvous_bad_offers", &bad) == 0, "xstat");
		}
		TEST_ASSERT_EQUAL(bad, 1, "bad offer refused and counted");
		TEST_ASSERT(rte_eth_link_get_nowait(0, &link) == 0 && !link.link_status,
			    "no link from a bad offer");
		TEST_ASSERT(host_send_offer(0x54454e56, h) >= 0, "send the offer");
	}
	TEST_ASSERT(wait_link(0, true), "port attached to 2:%u", HOST_RID);
	TEST_ASSERT_EQUAL(vmci_emu_host_qp_endpoint(NULL, h, &ep), VMCI_SUCCESS, "host endpoint");
	/* Host -> port. */
	TEST_ASSERT_EQUAL(valid_frame_on(ep, 7, 1200), 1, "host sends");
	TEST_ASSERT(rx_expect(7, 1200, 1000, &got) == TEST_SUCCESS && got == 1, "port receives");
	/* Port -> host, in 3 segments. */
	m = make_frame(8, 1500, 3);
	TEST_ASSERT(m != NULL, "mbuf");
	TEST_ASSERT_EQUAL(rte_eth_tx_burst(0, 0, &m, 1), 1, "port sends");
	for (i = 0; i < 1000; i++) {
		got = rte_vmci_qp_msg_dequeue_burst(ep, &iov, 1);
		if (got != 0)
			break;
		rte_delay_ms(1);
	}
	TEST_ASSERT_EQUAL(got, 1, "host receives");
	TEST_ASSERT_EQUAL(iov.iov_len, 1500, "length");
	for (i = 0; i < 1500; i++)
		TEST_ASSERT_EQUAL(buf[i], pattern(8, i), "byte %d", i);
	/* The host leaves. */
	TEST_ASSERT(xstat(0, "peer_detach", &detaches) == 0 && detaches == 0, "no detach yet");
	rte_vmci_qp_endpoint_free(ep);
	TEST_ASSERT(vmci_emu_host_qp_detach(NULL, h) >= 0, "host detach");
	TEST_ASSERT(wait_link(0, false), "link down after the host left");
	TEST_ASSERT(xstat(0, "peer_detach", &detaches) == 0 && detaches == 1, "detach counted");
	TEST_ASSERT_EQUAL(rte_eth_rx_burst(0, 0, b, BURST), 0, "nothing on a down link");
	return TEST_SUCCESS;
}

static int
test_attach_by_handle(void)
{
	return attach_to_host_pair(false);
}

static int
test_attach_by_offer(void)
{
	return attach_to_host_pair(true);
}

static const struct vmci_test_case attach_cases[] = {
	{ "attach_to_host_created_pair", test_attach_by_handle },
	{ NULL, NULL },
};

static const struct vmci_test_case offer_cases[] = {
	{ "host_offers_pair_bad_then_good", test_attach_by_offer },
	{ NULL, NULL },
};

static const struct vmci_test_suite offer_suite = {
	.name = "net_vmci_attach_offer",
	.cases = offer_cases,
};

/*
 * A port on the host device: this program is the guest. It creates the
 * pair, offers it to the port like a create-side port would, and writes a
 * well-formed record longer than any frame: counted as a bad record, the queue resynchronised,
 * the link stays up and the next frame arrives.
 */
#define LONG_RECORD 20000

static void
ignore_dgram(struct rte_vmci_dgram *ep, struct rte_vmci_handle src, const void *payload,
	     uint32_t len, void *arg)
{
	RTE_SET_USED(ep);
	RTE_SET_USED(src);
	RTE_SET_USED(payload);
	RTE_SET_USED(len);
	RTE_SET_USED(arg);
}

static int
guest_offer(struct rte_vmci_dgram *dg, struct rte_vmci_handle h)
{
	struct {
		uint32_t magic;
		uint16_t version, nb_queues;
		uint32_t generation, reserved;
		uint64_t qsize;
		struct rte_vmci_handle handles[8];
	} __rte_packed o = {
		.magic = 0x54454e56, .version = 1, .nb_queues = 1, .generation = 1,
		.qsize = 1 << 20, .handles = { h },
	};
	struct rte_vmci_handle dst = { .context = VMCI_HOST_CID, .resource = 4242 };

	return rte_vmci_dgram_send(dg, dst, &o, sizeof(o));
}

static int
host_role_long_record(struct rte_vmci_qp *ep)
{
	static uint8_t big[LONG_RECORD];
	struct iovec iov = { .iov_base = big, .iov_len = sizeof(big) };
	uint64_t bad = 0, rs0 = 0, rs1 = 0;
	struct rte_eth_link link;
	int got, i;

	TEST_ASSERT(xstat(0, "rx_resyncs", &rs0) == 0, "xstat");
	TEST_ASSERT_EQUAL(valid_frame_on(ep, 1, 100), 1, "frame before");
	TEST_ASSERT_EQUAL(rte_vmci_qp_msg_enqueue_burst(ep, &iov, 1), 1, "long record");
	TEST_ASSERT(rx_expect(1, 100, 1000, &got) == TEST_SUCCESS && got == 1,
		    "the frame before it arrives");
	for (i = 0, rs1 = rs0; i < 1000 && rs1 == rs0; i++) {
		TEST_ASSERT(rx_expect(2, 100, 1, &got) == TEST_SUCCESS && got == 0, "rx");
		TEST_ASSERT(xstat(0, "rx_resyncs", &rs1) == 0, "xstat");
	}
	TEST_ASSERT(rs1 > rs0, "queue resynchronised");
	TEST_ASSERT(xstat(0, "rx_bad_records", &bad) == 0 && bad == 1, "bad record counted");
	TEST_ASSERT(rte_eth_link_get_nowait(0, &link) == 0 && link.link_status, "link stays up");
	TEST_ASSERT_EQUAL(valid_frame_on(ep, 2, 100), 1, "frame after");
	TEST_ASSERT(rx_expect(2, 100, 1000, &got) == TEST_SUCCESS && got == 1,
		    "the frame after it arrives");
	return TEST_SUCCESS;
}

static int
test_host_role_long_record(void)
{
	struct rte_vmci_qpair_conf conf = {
		.produce_size = 1 << 20, .consume_size = 1 << 20,
		.peer = VMCI_HOST_CID, .socket_id = SOCKET_ID_ANY,
	};
	struct rte_vmci_device *dev = rte_vmci_dev_find("vmci_emu0");
	struct rte_vmci_qpair *qp;
	struct rte_vmci_dgram *dg;
	int ret = TEST_FAILED, i;

	TEST_ASSERT(dev != NULL, "vmci device");
	qp = rte_vmci_qpair_create(dev, &conf);
	TEST_ASSERT(qp != NULL, "queue pair: %s", rte_strerror(rte_errno));
	dg = rte_vmci_dgram_create(dev, RTE_VMCI_INVALID_ID, ignore_dgram, NULL);
	if (dg == NULL) {
		printf("  datagram endpoint: %s\n", rte_strerror(rte_errno));
		goto out;
	}
	for (i = 0; i < 30 && !wait_link_quick(0); i++)
		if (guest_offer(dg, rte_vmci_qpair_handle(qp)) < 0)
			printf("  offer not sent (round %d)\n", i);
	if (i == 30) {
		printf("  the host port did not take the offer\n");
		goto out;
	}
	ret = host_role_long_record(rte_vmci_qpair_endpoint(qp));
out:
	/* The port's endpoint reads our pages: stop it before they go. */
	rte_eth_dev_stop(0);
	rte_vmci_dgram_destroy(dg);
	rte_vmci_qpair_detach(qp);
	return ret;
}

static const struct vmci_test_case host_role_cases[] = {
	{ "long_record_from_guest", test_host_role_long_record },
	{ NULL, NULL },
};

static const struct vmci_test_suite host_role_suite = {
	.name = "net_vmci_host_role",
	.cases = host_role_cases,
};

static const struct vmci_test_suite attach_suite = {
	.name = "net_vmci_attach",
	.cases = attach_cases,
};

/*
 * Devargs, probed with rte_vdev_init() in a process without ports: every
 * bad string is refused with a log line naming the key and the value, and
 * leaves no port; the good ones make a port, removed again.
 */
struct devargs_case {
	const char *args;
	const char *log; /* part of the error line */
};

static const struct devargs_case bad_devargs[] = {
	{ "dev=vmci_emu0,role=attach,handle=4294967296:1", "invalid handle=4294967296:1" },
	{ "dev=vmci_emu0,role=attach,handle=:5", "invalid handle=:5" },
	{ "dev=vmci_emu0,role=attach,handle=5:", "invalid handle=5:" },
	{ "dev=vmci_emu0,role=attach,handle=5", "invalid handle=5" },
	{ "dev=vmci_emu0,role=attach,handle=2:5:6", "invalid handle=2:5:6" },
	{ "dev=vmci_emu0,role=attach,handle=+2:5", "invalid handle=+2:5" },
	{ "dev=vmci_emu0,role=attach,handle=2:-5", "invalid handle=2:-5" },
	{ "dev=vmci_emu0,role=attach,handle=2: 5", "invalid handle=2: 5" },
	{ "dev=vmci_emu0,role=attach,handle=2:4294967295", "invalid handle=2:4294967295" },
	{ "dev=vmci_emu0,role=attach,handle=0x:5", "invalid handle=0x:5" },
	{ "dev=vmci_emu0,peer=4294967296", "invalid peer=4294967296" },
	{ "dev=vmci_emu0,peer=18446744073709551617", "invalid peer=18446744073709551617" },
	{ "dev=vmci_emu0,peer=+2", "invalid peer=+2" },
	{ "dev=vmci_emu0,peer=-1", "invalid peer=-1" },
	{ "dev=vmci_emu0,peer= 2", "invalid peer= 2" },
	{ "dev=vmci_emu0,peer=2x", "invalid peer=2x" },
	{ "dev=vmci_emu0,peer=0x", "invalid peer=0x" },
	{ "dev=vmci_emu0,peer=", "invalid peer=" },
	{ "dev=vmci_emu0,peer", "peer without a value" },
	{ "dev=vmci_emu0,peer=2,service=4294967296", "invalid service=4294967296" },
	{ "dev=vmci_emu0,peer=2,qsize=0x100010000", "invalid qsize=0x100010000" },
	{ "dev=vmci_emu0,peer=2,queues=1,queues=2", "queues= given 2 times" },
	{ "dev=vmci_emu0,peer=2,peer=3", "peer= given 2 times" },
	{ "dev=vmci_emu0,dev=vmci_emu0,peer=2", "dev= given 2 times" },
	{ "dev=vmci_emu0,role=attach,role=create,peer=2", "role= given 2 times" },
	{ "dev=vmci_emu0,role=attach,handle=2:5,handle=2:6", "handle= given 2 times" },
	{ "dev=vmci_emu0,peer=2,rx_zero_copy=2", "invalid rx_zero_copy=2" },
	{ "dev=vmci_emu0,peer=2,rx_zero_copy=yes", "invalid rx_zero_copy=yes" },
	{ "dev=vmci_emu0,peer=2,rx_zero_copy=", "invalid rx_zero_copy=" },
	/* The emulated host end is a device now (vmci_host0), not a role. */
	{ "dev=vmci_emu0,role=host,peer=20", "expected create or attach" },
};

static const char * const good_devargs[] = {
	"dev=vmci_emu0,role=attach,handle=2:5000",
	"dev=vmci_emu0,role=attach,handle=0x2:0x1388",
	"dev=vmci_emu0,peer=4294967294,service=0,queues=8,qsize=16777216",
	"dev=vmci_emu0,peer=0x14,service=0xfffffffe,qsize=0x10000",
	"dev=vmci_emu0,peer=2,rx_zero_copy=1",
	"dev=vmci_emu0,peer=2,rx_zero_copy=0",
};

static int
probe_refused(struct log_capture *c, const struct devargs_case *dc)
{
	uint16_t ports = rte_eth_dev_count_avail();
	int ret = rte_vdev_init("net_vmci9", dc->args);

	if (ret == 0)
		rte_vdev_uninit("net_vmci9");
	TEST_ASSERT(ret < 0, "\"%s\" accepted", dc->args);
	TEST_ASSERT(log_has(c, dc->log), "\"%s\": no log line with \"%s\" in: %s", dc->args,
		    dc->log, c->len ? c->buf : "");
	TEST_ASSERT_EQUAL(rte_eth_dev_count_avail(), ports, "\"%s\" left a port", dc->args);
	return TEST_SUCCESS;
}

static int
devargs_checks(struct log_capture *c)
{
	unsigned int i;
	int ret;

	for (i = 0; i < RTE_DIM(bad_devargs); i++)
		if (probe_refused(c, &bad_devargs[i]) != TEST_SUCCESS)
			return TEST_FAILED;
	for (i = 0; i < RTE_DIM(good_devargs); i++) {
		ret = rte_vdev_init("net_vmci9", good_devargs[i]);
		TEST_ASSERT_EQUAL(ret, 0, "\"%s\" refused: %s", good_devargs[i],
				  c->len ? c->buf : "");
		TEST_ASSERT_EQUAL(rte_vdev_uninit("net_vmci9"), 0, "remove");
	}
	return TEST_SUCCESS;
}

static int
with_log_capture(int (*fn)(struct log_capture *))
{
	struct log_capture c = { 0 };
	int ret;

	c.f = open_memstream(&c.buf, &c.len);
	TEST_ASSERT(c.f != NULL, "open_memstream");
	rte_openlog_stream(c.f);
	ret = fn(&c);
	rte_openlog_stream(NULL);
	fclose(c.f);
	free(c.buf);
	return ret;
}

static int
test_bad_devargs(void)
{
	return with_log_capture(devargs_checks);
}

static const struct vmci_test_case devargs_cases[] = {
	{ "bad_devargs_refused", test_bad_devargs },
	{ NULL, NULL },
};

static const struct vmci_test_suite devargs_suite = {
	.name = "net_vmci_devargs",
	.cases = devargs_cases,
};

/* Multi-process: Rx/Tx in a secondary on ports the primary set up. */

#define MP_SECONDARY_S 120 /* both directions take well under a second */

static int
test_secondary_rxtx(void)
{
	struct vmci_test_child child = VMCI_TEST_CHILD_INIT;
	const char *const eal[] = {
		"--base-virtaddr=0x200000000000", "--log-level=*:warning", NULL,
	};
	const char *const app[] = { "mp-secondary", NULL };
	struct rte_eth_stats s0, s1;
	int ret;

	TEST_ASSERT(wait_link(0, true) && wait_link(1, true), "links up");
	rte_eth_stats_reset(0);
	rte_eth_stats_reset(1);
	/* The primary only waits: the secondary may use the same lcore. */
	TEST_ASSERT_EQUAL(vmci_test_spawn_secondary(&child, "0", eal, app), 0,
			  "spawn secondary");
	ret = vmci_test_child_wait(&child, MP_SECONDARY_S);
	TEST_ASSERT(ret == 0, "secondary failed (%d, status 0x%x)", ret, child.status);
	/* The secondary's data path updated the counters the primary reads. */
	rte_eth_stats_get(0, &s0);
	rte_eth_stats_get(1, &s1);
	TEST_ASSERT_EQUAL(s0.opackets, MAX_SIZE - MIN_SIZE + 1, "port 0 sent");
	TEST_ASSERT_EQUAL(s1.ipackets, MAX_SIZE - MIN_SIZE + 1, "port 1 received");
	TEST_ASSERT_EQUAL(s1.opackets, MAX_SIZE - MIN_SIZE + 1, "port 1 sent");
	TEST_ASSERT_EQUAL(s0.ipackets, MAX_SIZE - MIN_SIZE + 1, "port 0 received");
	return TEST_SUCCESS;
}

static const struct vmci_test_case mp_cases[] = {
	{ "secondary_all_sizes_both_ways", test_secondary_rxtx },
	{ NULL, NULL },
};

static const struct vmci_test_suite mp_suite = {
	.name = "net_vmci_mp",
	.cases = mp_cases,
};

/* The secondary: ports and pool come from the primary. */
static int
secondary_main(void)
{
	int ret;

	pool = rte_mempool_lookup("net_test");
	if (pool == NULL || rte_eth_dev_count_avail() != 2) {
		printf("secondary: pool %p, %u ports: expected the primary's pool and 2 ports\n",
		       (void *)pool, rte_eth_dev_count_avail());
		return 1;
	}
	ret = send_sizes(0, 1, MIN_SIZE, MAX_SIZE);
	if (ret == TEST_SUCCESS)
		ret = send_sizes(1, 0, MIN_SIZE, MAX_SIZE);
	printf("secondary: %s\n", ret == TEST_SUCCESS ? "all sizes both ways" : "FAILED");
	rte_eal_cleanup();
	return ret == TEST_SUCCESS ? 0 : 1;
}

static bool
mp_requested(int argc, char **argv)
{
	int i;

	for (i = 1; i + 1 < argc; i++)
		if (strcmp(argv[i], "--") == 0 && strcmp(argv[i + 1], "mp") == 0)
			return true;
	return false;
}

int
main(int argc, char **argv)
{
	const struct vmci_test_suite *suite = &pair_suite;
	uint16_t port, nb_ports, want_ports;
	int ret;

	if (mp_requested(argc, argv)) {
		if (vmci_test_hugepages_or_skip(512) != 0)
			return TEST_SKIPPED;
		if (vmci_test_mp_init(argc, argv) < 0)
			return 1;
	}

	ret = vmci_test_eal_init(argc, argv);
	if (ret < 0)
		return 1;
	argc -= ret;
	argv += ret;
	if (argc > 1 && strcmp(argv[1], "mp-secondary") == 0)
		return secondary_main();
	if (argc > 1 && strcmp(argv[1], "badinput") == 0)
		suite = &bad_suite;
	if (argc > 1 && strcmp(argv[1], "attach") == 0)
		suite = &attach_suite;
	if (argc > 1 && strcmp(argv[1], "attach-offer") == 0)
		suite = &offer_suite;
	if (argc > 1 && strcmp(argv[1], "hostrole") == 0)
		suite = &host_role_suite;
	if (argc > 1 && strcmp(argv[1], "mp") == 0)
		suite = &mp_suite;
	if (argc > 1 && strcmp(argv[1], "rewrite") == 0)
		suite = &rewrite_suite;
	if (argc > 1 && strcmp(argv[1], "burst") == 0)
		suite = &burst_suite;
	if (argc > 1 && strcmp(argv[1], "devargs") == 0)
		suite = &devargs_suite;
	if (argc > 1 && strcmp(argv[1], "zc") == 0)
		suite = &zc_suite;
	nb_ports = rte_eth_dev_count_avail();
	want_ports = suite == &pair_suite || suite == &mp_suite || suite == &zc_suite ? 2 :
		     suite == &devargs_suite ? 0 : 1;
	if (nb_ports != want_ports) {
		printf("%u net_vmci ports, expected %u\n", nb_ports, want_ports);
		return 1;
	}
	pool = rte_pktmbuf_pool_create("net_test", NB_MBUF, 256, 0,
				       MBUF_ROOM + RTE_PKTMBUF_HEADROOM, SOCKET_ID_ANY);
	if (pool == NULL) {
		printf("mbuf pool: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	if (suite == &rewrite_suite || suite == &burst_suite) {
		/* No cache: every allocation reaches the pool's dequeue, where the peer strikes. */
		rx_pool = rte_pktmbuf_pool_create_by_ops("net_test_hostile", HOSTILE_MBUFS, 0, 0,
							 HOSTILE_ROOM + RTE_PKTMBUF_HEADROOM,
							 SOCKET_ID_ANY, hostile_pool_ops.name);
		if (rx_pool == NULL) {
			printf("hostile mbuf pool: %s\n", rte_strerror(rte_errno));
			return 1;
		}
	}
	RTE_ETH_FOREACH_DEV(port)
		if (port_setup(port) != 0)
			return 1;
	/* With frames received in place, everything else must work as by copy. */
	if (suite == &zc_suite)
		ret = vmci_test_run_suite(&pair_suite);
	if (suite != &zc_suite || ret == 0)
		ret = vmci_test_run_suite(suite);
	/* Closing with frames still held keeps their memory: freeing them after must be safe. */
	if (suite == &zc_suite && ret == 0)
		zc_fill(pool, ZC_FRAME, 10);
	RTE_ETH_FOREACH_DEV(port) {
		rte_eth_dev_stop(port);
		rte_eth_dev_close(port);
	}
	zc_release_all();
	if (host_ep != NULL)
		rte_vmci_qp_endpoint_free(host_ep);
	rte_mempool_free(pool);
	rte_mempool_free(rx_pool);
	rte_eal_cleanup();
	return ret;
}
