/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

#ifndef _VMCI_CORE_H_
#define _VMCI_CORE_H_

/*
 * VMCI device core: internal API, written once against the register-access
 * ops table (vmci_hw.h). The bus, the PCI backend and the public rte_vmci_
 * API sit on top of it; the emulated device is driven through the same
 * table.
 *
 * Threading model
 * ---------------
 * - One device lock (recursive spinlock) serialises the poll function and
 *   every control call (create/destroy of endpoints, doorbells, queue pairs,
 *   event subscriptions, hypercalls). Any thread may make these calls; they
 *   simply run one at a time per device.
 * - The datagram channel has its own spinlock, taken for exactly one send
 *   (all bytes + RESULT read, or the whole DMA busy handshake). Sending a
 *   datagram therefore needs no device lock and may be done from any thread.
 *   Lock order: device lock, then channel lock; never the reverse.
 * - Callbacks (datagram receive, doorbell, event, queue-pair peer state) run
 *   in the context of vmci_device_poll(), with the device lock held. As the
 *   lock is recursive they may call any function of this API, with one
 *   restriction: a callback must not destroy the object it is being called
 *   for (endpoint, doorbell, subscription); defer that to after the poll.
 * - The data path (rte_vmci_qp enqueue/dequeue on a queue-pair endpoint)
 *   never touches the device: once attached, a queue pair is plain shared
 *   memory. Detaching a queue pair must not race with its data path.
 *
 * Return values: negative errno on failure. Functions that issue a
 * hypercall map a negative VMCI result with vmci_result_to_errno() and log
 * the VMCI code by name.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_memory.h>

#include "vmci_defs.h"
#include "vmci_hw.h"
#include "rte_vmci_qp.h"

#ifdef __cplusplus
extern "C" {
#endif

struct vmci_device;
struct vmci_dgram_ep;
struct vmci_doorbell;
struct vmci_qpair;
struct rte_vmci_qp_mem;

/* Device creation parameters. */
struct vmci_device_conf {
	const char *name;        /* for logs; NULL: "vmci<N>" */
	uint32_t dma_timeout_us; /* DMA busy-wait bound; 0: 1 s */
};

/* Device counters (control-path; read under the device lock). */
struct vmci_device_stats {
	uint64_t dg_sent;          /* datagrams handed to the device */
	uint64_t dg_send_errors;   /* transport failures (timeout, busy) */
	uint64_t rx_passes;        /* receive passes run */
	uint64_t rx_timeouts;      /* DMA receives that never completed */
	uint64_t dg_received;      /* well-formed datagrams parsed */
	uint64_t dg_delivered;     /* handed to a datagram endpoint */
	uint64_t dg_dropped;       /* no endpoint / foreign context */
	uint64_t dg_malformed;     /* bad header or size, skipped or pass ended */
	uint64_t dg_oversized;     /* larger than 69632 bytes, skipped */
	uint64_t events;           /* valid events dispatched */
	uint64_t events_invalid;   /* bad size or unknown/VMX-only id */
	uint64_t doorbells_fired;  /* bitmap entries found raised */
	uint64_t qp_attach_inferred; /* peer seen in the queue headers, no QP_PEER_ATTACH */
	uint64_t hc_unexpected;    /* hypercall/datagram results outside the allowed set */
	uint64_t qp_parked;        /* pairs whose pages wait for a reset (now) */
	uint64_t qp_parked_bytes;  /* their queue memory, header pages included */
};

/*
 * Bring a device up over @hw (vmci-device.md section 3, poll mode):
 * negotiate caps, set up the bitmap and DMA buffers, check the host
 * supports GET_CONTEXT_ID, cache the context ID, enable causes.
 * Returns NULL with rte_errno set (ENODEV: no DATAGRAM; ENOTSUP: MMIO
 * without DMA_DATAGRAM; ERANGE: bitmap IOVA beyond 32-bit PPNs; ENOMEM;
 * EIO/ETIMEDOUT/... from hypercalls).
 */
struct vmci_device *
vmci_device_create(struct vmci_hw *hw, const struct vmci_device_conf *conf);

/*
 * Tear down (section 3 remove, 9.9): detach queue pairs, unlink doorbells,
 * CONTROL = RESET, then free all memory, endpoints and subscriptions.
 * The hw object is not freed. NULL is accepted.
 */
void
vmci_device_destroy(struct vmci_device *dev);

const char *
vmci_device_name(const struct vmci_device *dev);

/* Capabilities offered by the device / negotiated (written to CAPS). */
uint32_t
vmci_device_caps_offered(const struct vmci_device *dev);
uint32_t
vmci_device_caps(const struct vmci_device *dev);

/* Cached context ID (refreshed by CTX_ID_UPDATE events). */
uint32_t
vmci_device_context_id(const struct vmci_device *dev);

int
vmci_device_stats_get(struct vmci_device *dev, struct vmci_device_stats *stats);

/*
 * Poll the device once: read ICR; run a receive pass and dispatch events
 * and datagrams when ICR reports DATAGRAM, when the last pass left some
 * behind, and with ICR clear too (every poll in DMA mode, every 100 ms in
 * port mode, where a pass costs 4096 register reads); scan the
 * notification bitmap and run doorbell callbacks. Returns the number of
 * datagrams, events and doorbells handled (>= 0), or -ENODEV if ICR reads
 * all-ones (device gone).
 */
int
vmci_device_poll(struct vmci_device *dev);

/*
 * VMCI result codes (section 8): errno equivalent (0 for results >= 0,
 * EPROTO for unknown codes) and name ("VMCI_ERROR_...", "unknown").
 */
int
vmci_result_to_errno(int32_t result);
const char *
vmci_result_str(int32_t result);

/*
 * Send one datagram (header + payload_size bytes, contiguous). Returns 0
 * with the device's 32-bit result in *result, or a negative errno if the
 * datagram was not sent or its result never came back: -EMSGSIZE (too
 * large for the path), -ETIMEDOUT / -EBUSY (DMA handshake).
 */
int
vmci_send_datagram(struct vmci_device *dev, const struct vmci_dg_hdr *dg, int32_t *result);

/*
 * Hypercall helpers (section 4.4). Each returns the VMCI result, which is
 * one of the success values the hypercall may give (0 for most; 0 or
 * SUCCESS_QUEUEPAIR_CREATE / _ATTACH for QUEUEPAIR_ALLOC; 0 or
 * SUCCESS_LAST_DETACH for QUEUEPAIR_DETACH), or a negative errno: VMCI
 * errors mapped and logged by name, any other value -EPROTO, logged with
 * the values expected and counted in hc_unexpected.
 */
int
vmci_hc_get_context_id(struct vmci_device *dev, uint32_t *cid);
int
vmci_hc_resources_query(struct vmci_device *dev, const uint32_t *rids, uint32_t n,
			uint32_t *supported);
int
vmci_hc_set_notify_bitmap(struct vmci_device *dev, rte_iova_t iova);
int
vmci_hc_doorbell_link(struct vmci_device *dev, struct rte_vmci_handle handle,
		      uint64_t notify_idx);
int
vmci_hc_doorbell_unlink(struct vmci_device *dev, struct rte_vmci_handle handle);
int
vmci_hc_doorbell_notify(struct vmci_device *dev, struct rte_vmci_handle handle);
/*
 * QUEUEPAIR_ALLOC with the page list of @mem (u64 with PPN64, else u32);
 * with @mem NULL, for a host-context device that maps the guest's pages,
 * with none and the sizes @produce_size / @consume_size.
 */
int
vmci_hc_qp_alloc(struct vmci_device *dev, struct rte_vmci_handle handle, uint32_t peer,
		 uint32_t flags, const struct rte_vmci_qp_mem *mem,
		 uint64_t produce_size, uint64_t consume_size);
int
vmci_hc_qp_detach(struct vmci_device *dev, struct rte_vmci_handle handle);
/* Defined by the protocol but sent by no guest; the layout is inferred. */
int
vmci_hc_event_subscribe(struct vmci_device *dev, uint32_t event);
int
vmci_hc_event_unsubscribe(struct vmci_device *dev, uint32_t event);

/*
 * Datagram endpoints. The receive callback gets the datagram in place in
 * the receive buffer (no copy, no allocation): @dg and @payload are valid
 * only during the call; dg->payload_size has been checked against the
 * bytes actually received.
 */
typedef void (*vmci_dgram_cb_t)(struct vmci_dgram_ep *ep, const struct vmci_dg_hdr *dg,
				const void *payload, void *arg);

/*
 * Create an endpoint on resource @rid, or on a free RID >= 1024 when @rid
 * is VMCI_INVALID_ID. -EEXIST if @rid is in use, -EINVAL for RID 0 (event
 * handler). NULL with rte_errno set on failure.
 */
struct vmci_dgram_ep *
vmci_dgram_ep_create(struct vmci_device *dev, uint32_t rid, vmci_dgram_cb_t cb, void *arg);
void
vmci_dgram_ep_destroy(struct vmci_dgram_ep *ep);
/* Handle (context ID : resource ID); the context follows CTX_ID_UPDATE. */
struct rte_vmci_handle
vmci_dgram_ep_handle(const struct vmci_dgram_ep *ep);
/*
 * Send @len payload bytes from @ep to @dst. Returns the VMCI result
 * (>= 0) or a negative errno (-EMSGSIZE above 69608 bytes).
 */
int
vmci_dgram_send(struct vmci_dgram_ep *ep, struct rte_vmci_handle dst,
		const void *payload, size_t len);

/* Doorbells (section 6). */
typedef void (*vmci_doorbell_cb_t)(struct vmci_doorbell *db, void *arg);

/* Allocate a handle and a bitmap index, DOORBELL_LINK them. -ENOTSUP without NOTIFICATIONS. */
struct vmci_doorbell *
vmci_doorbell_create(struct vmci_device *dev, vmci_doorbell_cb_t cb, void *arg);
/* DOORBELL_UNLINK (failure tolerated, logged) and free. */
void
vmci_doorbell_destroy(struct vmci_doorbell *db);
struct rte_vmci_handle
vmci_doorbell_handle(const struct vmci_doorbell *db);
uint32_t
vmci_doorbell_index(const struct vmci_doorbell *db);
/* Ring a (remote) doorbell: DOORBELL_NOTIFY. */
int
vmci_doorbell_notify(struct vmci_device *dev, struct rte_vmci_handle handle);

/*
 * Events (section 7). Subscriptions are local (no hypercall), as in every
 * guest driver. @payload points at the event payload after the 8-byte
 * event data; @len is its validated length.
 */
typedef void (*vmci_event_cb_t)(struct vmci_device *dev, uint32_t event,
				const void *payload, uint32_t len, void *arg);

#define VMCI_EVENT_MAX_SUBS 64

/* Returns a subscription ID (>= 0) or a negative errno. */
int
vmci_event_subscribe(struct vmci_device *dev, uint32_t event, vmci_event_cb_t cb, void *arg);
int
vmci_event_unsubscribe(struct vmci_device *dev, int sub_id);

/* Queue pairs (section 5). */
enum vmci_qp_peer_state {
	VMCI_QP_PEER_WAITING = 0, /* created; nobody attached yet */
	VMCI_QP_PEER_ATTACHED,
	VMCI_QP_PEER_DETACHED,
};

typedef void (*vmci_qp_peer_cb_t)(struct vmci_qpair *qp, enum vmci_qp_peer_state state,
				  uint32_t peer_cid, void *arg);

struct vmci_qpair_conf {
	uint64_t produce_size;   /* bytes this side writes (>= 1) */
	uint64_t consume_size;   /* bytes this side reads (>= 1) */
	uint32_t peer;           /* peer CID, VMCI_INVALID_ID for any */
	uint32_t flags;          /* 0 (create) or VMCI_QPFLAG_ATTACH_ONLY */
	struct rte_vmci_handle handle; /* ATTACH_ONLY: the pair to attach to */
	int socket_id;           /* memory socket; SOCKET_ID_ANY: device's node */
	uint32_t max_rx_msg_len; /* as rte_vmci_qp_conf; 0: no extra limit */
	vmci_qp_peer_cb_t peer_cb; /* optional peer-state callback */
	void *cb_arg;
};

/*
 * Create (flags 0: new handle with RID >= 1024) or attach (ATTACH_ONLY,
 * conf->handle) a queue pair: allocate the queue memory, QUEUEPAIR_ALLOC,
 * build the endpoint. NULL with rte_errno set on failure.
 */
struct vmci_qpair *
vmci_qpair_alloc(struct vmci_device *dev, const struct vmci_qpair_conf *conf);
/*
 * QUEUEPAIR_DETACH, then free endpoint and memory. If the detach fails
 * (-errno returned) the pair is freed for the caller but its pages are
 * kept until vmci_device_destroy() has reset the device.
 */
int
vmci_qpair_detach(struct vmci_qpair *qp);
struct rte_vmci_qp *
vmci_qpair_endpoint(const struct vmci_qpair *qp);
struct rte_vmci_handle
vmci_qpair_handle(const struct vmci_qpair *qp);
/* As of the last poll: the state the callback was told. */
enum vmci_qp_peer_state
vmci_qpair_peer_state(const struct vmci_qpair *qp);
/*
 * True when the pair is WAITING as of the last poll but its peer has
 * already moved an index of its own in the shared headers (so the next
 * poll takes it as attached): what telemetry reports without polling.
 */
bool
vmci_qpair_peer_seen_unpolled(const struct vmci_qpair *qp);

/*
 * Call @cb for each queue pair of @dev under the device lock (for
 * telemetry); a non-zero return stops the walk and is returned.
 */
typedef int (*vmci_qpair_walk_t)(struct vmci_qpair *qp, void *arg);
int
vmci_qpair_foreach(struct vmci_device *dev, vmci_qpair_walk_t cb, void *arg);

#ifdef __cplusplus
}
#endif

#endif /* _VMCI_CORE_H_ */
