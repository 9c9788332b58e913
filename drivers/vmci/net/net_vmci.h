/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

#ifndef _NET_VMCI_H_
#define _NET_VMCI_H_

/*
 * net_vmci: an ethdev port over VMCI queue pairs. One queue pair carries
 * Rx queue i and Tx queue i; every frame is one framed record of
 * lib/vmci_qp. The control path (rendezvous, link state, reconnection)
 * runs from an EAL alarm in the primary process; the data path only reads
 * the endpoint pointer of its queue once per burst.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_bus_vmci.h>
#include <rte_ether.h>
#include <rte_log.h>
#include <rte_mbuf.h>
#include <rte_spinlock.h>
#include <rte_vmci_qp.h>

extern int net_vmci_logtype;

#define NET_VMCI_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, net_vmci_logtype, "NET_VMCI: %s(): " fmt "\n", \
		__func__, ##__VA_ARGS__)

/* Queue pairs (Rx/Tx queue pairs) per port. */
#define NET_VMCI_MAX_QUEUES 8
/* Largest MTU, and the largest frame on the wire (MTU + Ethernet + one VLAN tag). */
#define NET_VMCI_MAX_MTU 9000
#define NET_VMCI_MIN_MTU 68
#define NET_VMCI_FRAME_OVERHEAD (RTE_ETHER_HDR_LEN + RTE_VLAN_HLEN)
#define NET_VMCI_MAX_FRAME (NET_VMCI_MAX_MTU + NET_VMCI_FRAME_OVERHEAD)
/* Segments of one packet on Tx, and on Rx after scatter. */
#define NET_VMCI_MAX_SEGS 64
/* Frames moved by one burst call of the queue-pair library (Rx and Tx). */
#define NET_VMCI_BURST_MAX 64
/* Queue size bounds (bytes per direction). */
#define NET_VMCI_MIN_QSIZE (64u * 1024)
#define NET_VMCI_MAX_QSIZE (16u * 1024 * 1024)
#define NET_VMCI_DEFAULT_QSIZE (1u * 1024 * 1024)
/* Default rendezvous service (datagram resource ID on the attaching side). */
#define NET_VMCI_DEFAULT_SERVICE 4242u
/* Control-path period: device poll, offers, link state. */
#define NET_VMCI_POLL_US 10000
/* Offers are repeated every this many polls until the peer attaches. */
#define NET_VMCI_OFFER_EVERY 10
/* Resynchronise a queue at most this often after garbage (per second). */
#define NET_VMCI_RESYNC_PER_SEC 10

/* Per-queue counters, written only by the lcore that owns the queue. */
struct net_vmci_qstats {
	uint64_t packets;
	uint64_t bytes;
	uint64_t errors;     /* dropped: oversize, runt, too many segments */
	uint64_t nombuf;     /* Rx: no mbuf for a waiting packet */
	uint64_t ring_full;  /* Tx: bursts stopped by a full ring */
	uint64_t oversize;   /* frames above the configured maximum length */
	uint64_t bad_records; /* Rx: malformed records from the peer */
	uint64_t resyncs;    /* Rx: queue resynchronised after garbage */
	uint64_t resync_bytes; /* Rx: bytes those resyncs dropped */
	uint64_t idx_errors; /* peer index out of range: connection torn down */
	uint64_t zc_frames;  /* Rx: frames delivered in place (rx_zero_copy) */
	uint64_t zc_full;    /* Rx: bursts that copied, every in-place slot being held */
	uint64_t zc_repaired; /* Rx: in-place mbufs the pool gave back still external */
};

/*
 * Rx in place (rx_zero_copy=1): a frame is an mbuf whose external buffer
 * is its payload in the ring, and the ring space stays ours until the
 * mbuf is freed. Slots are handed out in ring order; the free callback
 * marks a slot done, on whatever lcore frees the mbuf, and the next burst
 * gives the ring space of the done slots at the front back to the peer.
 */
#define NET_VMCI_ZC_SLOTS 1024 /* a power of 2 */
/*
 * Frames up to this long are copied even so: below it, attaching and
 * freeing an external buffer costs more than the copy (measured with
 * testpmd forwarding, see doc/net_vmci.md).
 */
#define NET_VMCI_ZC_COPY_MAX 1024

struct net_vmci_zc_slot {
	/* Written by the Rx lcore before the mbuf leaves it; refcnt by the freeing one. */
	struct rte_mbuf_ext_shared_info shinfo;
	uint64_t pos;  /* ring position of the frame's record */
	uint32_t done; /* set (release) by the free callback, read (acquire) by the Rx lcore */
} __rte_cache_aligned;

/* The in-place slots of one connection's Rx queue. */
struct net_vmci_zc {
	struct rte_vmci_qp *ep; /* whose ring the slots point into */
	uint32_t copy_max;      /* frames up to this long are copied all the same */
	uint32_t head;          /* Rx lcore: slots handed out */
	uint32_t tail;          /* Rx lcore: slots before it are done and given back */
	struct net_vmci_zc_slot slots[NET_VMCI_ZC_SLOTS];
};

/* Called by the mbuf library when a frame received in place is freed. */
void net_vmci_zc_free(void *addr, void *opaque);

/* One direction of a queue pair, as the data path sees it. */
struct net_vmci_queue {
	/* Endpoint of the current connection, NULL while down. */
	struct rte_vmci_qp *ep;
	/*
	 * Burst sequence: odd while a burst runs, even between bursts. Lets
	 * the control path know when a withdrawn endpoint is unused.
	 */
	uint64_t seq;
	/* Set by the data path on a fatal peer error; the control path reconnects. */
	uint32_t fatal;
	uint16_t queue_id;
	uint16_t port_id;
	uint32_t max_frame;  /* largest frame accepted or sent */
	struct rte_mempool *mp; /* Rx only */
	uint16_t seg_room;   /* Rx: data room of one mbuf */
	/*
	 * Rx: mbufs the next burst read allocates, from what the last one
	 * found (0: NET_VMCI_BURST_MAX). Sizing it from the ring instead
	 * would load the peer's index once more per burst.
	 */
	uint16_t rx_want;
	/*
	 * Rx: slots of the current connection when receiving in place, else
	 * NULL; used only if its ep is the one the burst loaded.
	 */
	struct net_vmci_zc *zc;
	/* Rx: the port has rx_zero_copy=1 (its mbufs are checked on allocation). */
	bool rx_zero_copy;
	uint64_t last_resync_tsc;
	/* Rx: a bad record is counted and waits for its rate-limited resync. */
	uint32_t resync_pending;
	struct net_vmci_qstats stats;
	/* Scratch space that oversize frames are read into to drop them. */
	uint8_t *scratch;
} __rte_cache_aligned;

uint16_t net_vmci_rx_burst(void *rxq, struct rte_mbuf **bufs, uint16_t nb_pkts);
uint16_t net_vmci_tx_burst(void *txq, struct rte_mbuf **bufs, uint16_t nb_pkts);

/* Bytes of scratch an Rx queue needs to drop any frame the wire allows. */
#define NET_VMCI_SCRATCH_SEG 2048
#define NET_VMCI_SCRATCH_SEGS ((NET_VMCI_MAX_FRAME + NET_VMCI_SCRATCH_SEG - 1) / \
			       NET_VMCI_SCRATCH_SEG)

#endif /* _NET_VMCI_H_ */
