/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

#ifndef _PERF_TRANSPORT_VMCI_H_
#define _PERF_TRANSPORT_VMCI_H_

/**
 * @file
 * Transport vmci: the guest end of a queue pair on a vmci device, for a
 * peer (on VMware, a program on the host) that echoes every byte it reads
 * back into the pair. This header is the protocol between the two; the
 * reference peer for the emulated hypervisor (test/perf/vmci_echo_peer.c)
 * includes it.
 *
 * 1. The guest creates a pair for context --peer (default 2, the host),
 *    both queues --queue-size bytes.
 * 2. It sends a struct perf_vmci_offer, in one datagram of exactly
 *    PERF_VMCI_OFFER_SIZE bytes, from a datagram endpoint of its own
 *    context to peer:--service, every PERF_VMCI_OFFER_INTERVAL_MS until
 *    the peer attaches (QP_PEER_ATTACH) or --attach-timeout passes.
 * 3. The peer checks the offer (size, magic, version, reserved fields 0,
 *    mode and api known, qp_context == the datagram's source context,
 *    sizes within its limits, consume_size >= produce_size) and attaches
 *    to qp_context:qp_resource with its produce size = consume_size and
 *    its consume size = produce_size.
 * 4. The peer copies every byte it reads from its consume queue into its
 *    produce queue, in order, without looking at them, until the guest
 *    detaches (QP_PEER_DETACH); then it detaches too. It publishes only
 *    at points where the guest had published: it takes all the bytes
 *    ready at once, and waits until its produce queue has room for all of
 *    them. The guest publishes whole messages (framed records of
 *    rte_vmci_qp_wire.h, zero-copy messages), so the echo keeps their
 *    boundaries; a record published in two parts would reach the guest as
 *    a truncated record.
 * Each --queue-size of a sweep is a new pair and a new offer. Fields are
 * little-endian (the layout of x86 guests and hosts).
 */

/* Only fixed-size types: a host peer needs nothing else to speak it. */
#include <stdint.h>

/** "VPRF" in memory order. */
#define PERF_VMCI_OFFER_MAGIC 0x46525056u
#define PERF_VMCI_OFFER_VERSION 1u
#define PERF_VMCI_OFFER_SIZE 64u
/** Default --service: the peer's datagram resource ID the offers go to. */
#define PERF_VMCI_SERVICE_DEFAULT 4243u
/** The guest repeats its offer this often until the peer attaches. */
#define PERF_VMCI_OFFER_INTERVAL_MS 100u

/** The offer datagram's payload. */
struct perf_vmci_offer {
	uint32_t magic;        /**< PERF_VMCI_OFFER_MAGIC */
	uint16_t version;      /**< PERF_VMCI_OFFER_VERSION */
	uint16_t mode;         /**< enum perf_mode of the run: 0 stream, 2 pingpong. */
	uint16_t api;          /**< enum perf_api: 0 copy, 1 zc, 2 msg (for the peer's log). */
	uint16_t reserved0;    /**< 0 */
	uint32_t max_msg_size; /**< Largest message of the run, bytes (for the peer's log). */
	uint32_t qp_context;   /**< The pair's handle: context (the sender's)... */
	uint32_t qp_resource;  /**< ... and resource ID. */
	uint64_t produce_size; /**< Bytes of the queue the guest writes (the peer reads). */
	uint64_t consume_size; /**< Bytes of the queue the guest reads (the peer writes). */
	uint32_t reserved[6];  /**< 0 */
};

_Static_assert(sizeof(struct perf_vmci_offer) == PERF_VMCI_OFFER_SIZE,
	       "the offer is a fixed-size datagram");

/** vmci-perf: the lcore side 1 (the consumer of the echo) runs on. */
void perf_transport_vmci_set_rx_lcore(unsigned int lcore);

struct rte_vmci_device;
struct perf_options;

/**
 * vmci-perf: the device a transport's guest end uses: --vmci-dev, else
 * the first PCI vmci device, else the first that is not an emulated
 * host's. Without one, prints what was found and @p hint (what to do
 * without VMware).
 *
 * @return
 *   0 with *@p devp and *@p name set, or -ENODEV.
 */
int perf_vmci_find_device(const struct perf_options *opt, const char *transport,
			  const char *hint, struct rte_vmci_device **devp, const char **name);

#endif /* _PERF_TRANSPORT_VMCI_H_ */
