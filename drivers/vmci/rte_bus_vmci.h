/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

#ifndef _RTE_BUS_VMCI_H_
#define _RTE_BUS_VMCI_H_

/**
 * @file
 * VMware VMCI bus: devices, polling, queue pairs, datagrams, doorbells and
 * events.
 *
 * The bus "vmci" finds the VMCI PCI function (15ad:0740, bound to vfio-pci
 * or uio_pci_generic) and, when the emulator library is loaded
 * (-d librte_vmci_emu.so), the emulated devices named on the command line
 * (-a vmci:vmci_emu0,cid=20, and the emulated host's -a vmci:vmci_host0),
 * and brings each one up at EAL init.
 *
 * The API is experimental: compile with -DALLOW_EXPERIMENTAL_API.
 *
 * Threading: the device works in poll mode. Datagrams, doorbells and events
 * are handled by rte_vmci_poll(), which the application calls from an lcore
 * or runs as an rte_service (rte_vmci_service_register()); callbacks run
 * inside it. Control calls and the poll function of one device serialise on
 * a device lock and may be made from any thread. Queue-pair data never
 * touches the device: the endpoint from rte_vmci_qpair_endpoint() is used
 * with the lock-free rte_vmci_qp_ API, one producer and one consumer lcore.
 *
 * Errors: functions returning int give a negative errno; constructors
 * return NULL and set rte_errno. VMCI result codes are mapped to errno and
 * logged by name.
 */

#include <stddef.h>
#include <stdint.h>

#include <rte_compat.h>
#include <rte_memory.h> /* SOCKET_ID_ANY */
#include <rte_vmci_qp.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Wildcard / invalid context or resource ID. */
#define RTE_VMCI_INVALID_ID UINT32_MAX
/** Context ID of the hypervisor. */
#define RTE_VMCI_HYPERVISOR_CID 0
/** Context ID of the host. */
#define RTE_VMCI_HOST_CID 2

/** A VMCI device on the vmci bus (opaque). */
struct rte_vmci_device;

/** Static facts of a device. */
struct rte_vmci_dev_info {
	const char *name;      /**< Bus name: PCI address, or vmci_emuN / vmci_hostN. */
	/** "pci-ioport", "pci-mmio", or the emulator's "emu" / "emu-host". */
	const char *backend;
	uint32_t context_id;   /**< Current context ID (follows CTX_ID_UPDATE). */
	uint32_t caps_offered; /**< Capabilities the device offered. */
	uint32_t caps;         /**< Capabilities in use. */
	int numa_node;         /**< NUMA node of the device. */
};

/**
 * Number of devices brought up on the vmci bus.
 */
__rte_experimental
uint16_t
rte_vmci_dev_count(void);

/**
 * Device by index, in bus order.
 *
 * @param index
 *   0 .. rte_vmci_dev_count() - 1.
 * @return
 *   The device, or NULL if out of range.
 */
__rte_experimental
struct rte_vmci_device *
rte_vmci_dev_get(uint16_t index);

/**
 * Device by bus name.
 *
 * @return
 *   The device, or NULL if no device of that name is up.
 */
__rte_experimental
struct rte_vmci_device *
rte_vmci_dev_find(const char *name);

/**
 * Get the static facts of a device.
 *
 * @return
 *   0, or -EINVAL.
 */
__rte_experimental
int
rte_vmci_dev_info_get(const struct rte_vmci_device *dev, struct rte_vmci_dev_info *info);

/**
 * Current context ID of the device.
 */
__rte_experimental
uint32_t
rte_vmci_context_id(const struct rte_vmci_device *dev);

/**
 * Poll the device once: receive datagrams and events, scan doorbells, run
 * callbacks.
 *
 * @return
 *   Number of datagrams, events and doorbells handled, or a negative errno
 *   (-ENODEV when the device is gone).
 */
__rte_experimental
int
rte_vmci_poll(struct rte_vmci_device *dev);

/**
 * Register rte_vmci_poll() of this device as an rte_service (named
 * "vmci_poll_<device>"), so that a service lcore polls it. As for every
 * DPDK service, the application then starts it with
 * rte_service_runstate_set(id, 1) and maps it to a service lcore with
 * rte_service_map_lcore_set(). Registering twice returns the same ID.
 *
 * @param dev
 *   Device.
 * @param service_id
 *   Filled with the service ID.
 * @return
 *   0, or a negative errno.
 */
__rte_experimental
int
rte_vmci_service_register(struct rte_vmci_device *dev, uint32_t *service_id);

/** Most resource IDs one rte_vmci_dev_resources_query() call asks about. */
#define RTE_VMCI_RESOURCES_QUERY_MAX 31

/**
 * Ask the hypervisor which hypercalls it implements (the RESOURCES_QUERY
 * hypercall): a round trip to the hypervisor that changes nothing, e.g.
 * to check that the device answers.
 *
 * @param dev
 *   Device.
 * @param rids
 *   Hypercall resource IDs to ask about (RESOURCES_QUERY is 0,
 *   GET_CONTEXT_ID 1, QUEUEPAIR_ALLOC 10, ...; see the device spec).
 * @param n
 *   Number of IDs, 1 .. RTE_VMCI_RESOURCES_QUERY_MAX.
 * @param supported
 *   On success, bit i set when rids[i] is implemented.
 * @return
 *   0; -EINVAL for bad arguments; a negative errno mapped from the
 *   hypervisor's VMCI error (logged by name), or -EPROTO for an answer
 *   with bits above @p n.
 */
__rte_experimental
int
rte_vmci_dev_resources_query(struct rte_vmci_device *dev, const uint32_t *rids,
			     uint32_t n, uint32_t *supported);

/**
 * @name Queue pairs
 * @{
 */

/** A queue pair on a device (opaque). */
struct rte_vmci_qpair;

/** Where the peer of a queue pair stands. */
enum rte_vmci_qpair_peer_state {
	RTE_VMCI_QPAIR_PEER_WAITING = 0, /**< Created; nobody attached yet. */
	RTE_VMCI_QPAIR_PEER_ATTACHED,    /**< The peer is attached. */
	RTE_VMCI_QPAIR_PEER_DETACHED,    /**< The peer has detached, or the VM was resumed (QP_RESUMED). */
};

/** Peer-state callback, run by rte_vmci_poll(). */
typedef void (*rte_vmci_qpair_peer_cb_t)(struct rte_vmci_qpair *qpair,
		enum rte_vmci_qpair_peer_state state, uint32_t peer_cid, void *arg);

/** Attach to a pair the peer created instead of creating one. */
#define RTE_VMCI_QPAIR_F_ATTACH_ONLY 0x1u

/** Queue-pair parameters for rte_vmci_qpair_create(). */
struct rte_vmci_qpair_conf {
	uint64_t produce_size;   /**< Bytes this side writes (>= 1). */
	uint64_t consume_size;   /**< Bytes this side reads (>= 1). */
	uint32_t peer;           /**< Peer context ID, or RTE_VMCI_INVALID_ID for any. */
	uint32_t flags;          /**< 0 or RTE_VMCI_QPAIR_F_ATTACH_ONLY. */
	struct rte_vmci_handle handle; /**< With ATTACH_ONLY: the pair to attach to. */
	int socket_id;           /**< Memory socket; SOCKET_ID_ANY: the device's node. */
	uint32_t max_rx_msg_len; /**< As in struct rte_vmci_qp_conf; 0: no extra limit. */
	rte_vmci_qpair_peer_cb_t peer_cb; /**< Optional peer-state callback. */
	void *cb_arg;            /**< Its argument. */
};

/**
 * Create a queue pair with a peer (new handle, resource ID >= 1024), or
 * attach to one the peer created (RTE_VMCI_QPAIR_F_ATTACH_ONLY). Queue
 * memory comes from hugepages on the requested socket; total queue memory
 * of a device is capped at 128 MiB by the hypervisor.
 *
 * The hypervisor's answer must be one of the successes the protocol gives
 * QUEUEPAIR_ALLOC (0, or SUCCESS_QUEUEPAIR_CREATE for a create and
 * SUCCESS_QUEUEPAIR_ATTACH for an attach); any other value fails the call
 * with EPROTO. As the hypervisor may then hold the pair, it is detached
 * again; if that fails too, its memory is kept until the device is reset
 * (see rte_vmci_qpair_detach()).
 *
 * @return
 *   The queue pair, or NULL with rte_errno set (EINVAL, ENOMEM, ENOBUFS
 *   for the memory cap, ENOENT when attaching to an unknown pair, EPROTO
 *   for an answer outside the protocol, ...).
 */
__rte_experimental
struct rte_vmci_qpair *
rte_vmci_qpair_create(struct rte_vmci_device *dev, const struct rte_vmci_qpair_conf *conf);

/**
 * Detach from the pair (QUEUEPAIR_DETACH) and free its memory. The endpoint
 * must no longer be in use on any lcore.
 *
 * Whatever the result, @p qpair and its endpoint are freed and must not be
 * used again. When the hypervisor refuses the detach (or gives an answer
 * outside the protocol), it may still map the pair's pages for the peer,
 * which may go on writing them: as the reference guest drivers do, the
 * pages are then kept, not freed, until the device is reset (device
 * removal or rte_eal_cleanup(), after CONTROL = RESET). They are counted in
 * the device's telemetry, /vmci/stats: qp_parked (pairs) and
 * qp_parked_bytes.
 *
 * @return
 *   0, or a negative errno from the hypercall (-EPROTO for an answer
 *   outside the protocol): the pair is gone for the caller, its memory
 *   kept until the device is reset.
 */
__rte_experimental
int
rte_vmci_qpair_detach(struct rte_vmci_qpair *qpair);

/** The lib/vmci_qp endpoint to move data with. */
__rte_experimental
struct rte_vmci_qp *
rte_vmci_qpair_endpoint(const struct rte_vmci_qpair *qpair);

/** Handle of the pair. */
__rte_experimental
struct rte_vmci_handle
rte_vmci_qpair_handle(const struct rte_vmci_qpair *qpair);

/**
 * Where the peer stands, as of the last rte_vmci_poll() (which handles the
 * peer events and runs the peer callback with each change).
 */
__rte_experimental
enum rte_vmci_qpair_peer_state
rte_vmci_qpair_peer_state(const struct rte_vmci_qpair *qpair);

/** @} */

/**
 * @name Datagrams
 * @{
 */

/** Largest datagram payload that can be routed. */
#define RTE_VMCI_MAX_DG_PAYLOAD 69608

/** A datagram endpoint (opaque). */
struct rte_vmci_dgram;

/**
 * Receive callback, run by rte_vmci_poll(). @p payload is valid only
 * during the call; @p len has been checked against the bytes received.
 */
typedef void (*rte_vmci_dgram_cb_t)(struct rte_vmci_dgram *ep, struct rte_vmci_handle src,
		const void *payload, uint32_t len, void *arg);

/**
 * Create a datagram endpoint on resource @p rid, or on a free resource ID
 * (>= 1024) when @p rid is RTE_VMCI_INVALID_ID.
 *
 * @return
 *   The endpoint, or NULL with rte_errno set (EEXIST if @p rid is taken).
 */
__rte_experimental
struct rte_vmci_dgram *
rte_vmci_dgram_create(struct rte_vmci_device *dev, uint32_t rid, rte_vmci_dgram_cb_t cb,
		      void *arg);

/** Destroy an endpoint (NULL is accepted). */
__rte_experimental
void
rte_vmci_dgram_destroy(struct rte_vmci_dgram *ep);

/** Handle (context ID : resource ID) of an endpoint. */
__rte_experimental
struct rte_vmci_handle
rte_vmci_dgram_handle(const struct rte_vmci_dgram *ep);

/**
 * Send @p len bytes to @p dst.
 *
 * @return
 *   The datagram's size as the hypervisor reports it (24 + @p len), or a
 *   negative errno (-EMSGSIZE above RTE_VMCI_MAX_DG_PAYLOAD, -EHOSTUNREACH
 *   for an unknown destination, -EPROTO for any other answer, ...).
 */
__rte_experimental
int
rte_vmci_dgram_send(struct rte_vmci_dgram *ep, struct rte_vmci_handle dst,
		    const void *payload, size_t len);

/** @} */

/**
 * @name Doorbells
 * @{
 */

/** A doorbell (opaque). */
struct rte_vmci_doorbell;

/** Doorbell callback, run by rte_vmci_poll() once per ring seen. */
typedef void (*rte_vmci_doorbell_cb_t)(struct rte_vmci_doorbell *db, void *arg);

/**
 * Create a doorbell that peers can ring by its handle.
 *
 * @return
 *   The doorbell, or NULL with rte_errno set (ENOTSUP when the device has
 *   no notification bitmap).
 */
__rte_experimental
struct rte_vmci_doorbell *
rte_vmci_doorbell_create(struct rte_vmci_device *dev, rte_vmci_doorbell_cb_t cb, void *arg);

/** Destroy a doorbell (NULL is accepted). */
__rte_experimental
void
rte_vmci_doorbell_destroy(struct rte_vmci_doorbell *db);

/** Handle of a doorbell. */
__rte_experimental
struct rte_vmci_handle
rte_vmci_doorbell_handle(const struct rte_vmci_doorbell *db);

/**
 * Ring the doorbell with @p handle, here or in another context.
 *
 * @return
 *   0, or a negative errno.
 */
__rte_experimental
int
rte_vmci_doorbell_notify(struct rte_vmci_device *dev, struct rte_vmci_handle handle);

/** @} */

/**
 * @name Events
 * @{
 */

/** Event IDs a guest receives. */
enum rte_vmci_event_id {
	RTE_VMCI_EVENT_CTX_ID_UPDATE = 0,  /**< Payload: u32 new context ID. */
	RTE_VMCI_EVENT_CTX_REMOVED = 1,    /**< Payload: u32 context ID. */
	RTE_VMCI_EVENT_QP_RESUMED = 2,     /**< No payload defined; every pair is then peer-detached. */
	RTE_VMCI_EVENT_QP_PEER_ATTACH = 3, /**< Payload: handle, u32 peer ID. */
	RTE_VMCI_EVENT_QP_PEER_DETACH = 4, /**< Payload: handle, u32 peer ID. */
};

/**
 * Event callback, run by rte_vmci_poll(). @p payload holds @p len
 * validated bytes (the event data after its 8-byte header).
 */
typedef void (*rte_vmci_event_cb_t)(struct rte_vmci_device *dev, uint32_t event,
		const void *payload, uint32_t len, void *arg);

/**
 * Subscribe to an event (local: no hypercall, as in every guest driver).
 *
 * @return
 *   A subscription ID (>= 0), or a negative errno (-EINVAL for an event a
 *   guest never receives).
 */
__rte_experimental
int
rte_vmci_event_subscribe(struct rte_vmci_device *dev, uint32_t event,
			 rte_vmci_event_cb_t cb, void *arg);

/**
 * Drop a subscription.
 *
 * @return
 *   0, or -ENOENT.
 */
__rte_experimental
int
rte_vmci_event_unsubscribe(struct rte_vmci_device *dev, int sub_id);

/** @} */

#ifdef __cplusplus
}
#endif

#endif /* _RTE_BUS_VMCI_H_ */
