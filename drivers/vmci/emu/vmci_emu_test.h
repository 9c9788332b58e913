/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

#ifndef _VMCI_EMU_H_
#define _VMCI_EMU_H_

/*
 * Emulated VMCI device and the hypervisor behind it.
 *
 * One emulated hypervisor instance ("hv") is a DPDK memzone named
 * "vmci_emu_<hv_name>" holding every context of one emulated host: the
 * guest devices (each with its register file, pending datagram queue,
 * doorbells and notification bitmap registration), the host context
 * (CID 2) and the queue-pair broker. Control-path state is protected by a
 * spinlock in the memzone, so guests may live in one process or in DPDK
 * primary/secondary processes (a secondary opens a device with
 * vmci_emu_dev_lookup()). Guest memory is named by IOVA, as for real
 * hardware, and resolved with rte_mem_iova2virt(), so it must be DPDK
 * memory of the same DPDK instance.
 *
 * A device is used through the struct vmci_hw register-access ops
 * (vmci_hw.h), exactly like the PCI backend. Interrupts are not delivered:
 * a driver polls ICR, or asks vmci_emu_dev_irq_pending() what a line would
 * assert.
 *
 * Return conventions: functions modelling a hypervisor operation return a
 * VMCI result code (enum vmci_result: >= 0 success, < 0 VMCI_ERROR_*);
 * management functions return 0 or a negative errno; constructors return
 * NULL and set rte_errno. Every function taking @hv_name accepts NULL for
 * the default instance "vmci_emu".
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_compat.h>

#include "vmci_defs.h"
#include "vmci_hw.h"
#include "rte_vmci_qp.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Bus names of emulated guest devices: vmci_emu0, vmci_emu1, ... */
#define VMCI_EMU_DEV_PREFIX "vmci_emu"
/* Bus names of host devices (CID 2 of an instance): vmci_host0, ... */
#define VMCI_EMU_HOST_DEV_PREFIX "vmci_host"
/* Default hypervisor instance name. */
#define VMCI_EMU_DEFAULT_HV "vmci_emu"
/* Longest hv_name accepted (memzone name is "vmci_emu_" + hv_name). */
#define VMCI_EMU_HV_NAMESIZE 20
/* Guest devices per hypervisor instance. */
#define VMCI_EMU_MAX_DEVS 16
/* Queue pairs per hypervisor instance (broker table size). */
#define VMCI_EMU_MAX_QPS 256
/*
 * Largest datagram the device accepts on DATA_OUT (port-I/O path) when it
 * is addressed to the hypervisor: a QUEUEPAIR_ALLOC naming the whole
 * 128 MiB per-context budget with u64 page numbers. Datagrams to other
 * contexts are limited to VMCI_MAX_DG_SIZE.
 */
#define VMCI_EMU_MAX_HV_DG_SIZE \
	(sizeof(struct vmci_qp_alloc_msg) + \
	 8u * (VMCI_MAX_GUEST_QP_MEMORY / RTE_VMCI_QP_PAGE_SIZE + 2u))

/* Capability bits the emulated device can offer (CAPS bits 0-5). */
#define VMCI_EMU_CAPS_KNOWN 0x3Fu

/* Device creation parameters. */
struct vmci_emu_dev_conf {
	const char *hv_name; /* emulated hypervisor instance; NULL = "vmci_emu" */
	uint32_t cid;        /* context ID for this guest; 0 = next free (>= 16) */
	uint32_t caps;       /* capabilities offered; 0 = DATAGRAM|NOTIFICATIONS|PPN64
			      * (plus DMA_DATAGRAM when mmio) */
	bool mmio;           /* model the MMIO-capable device: DMA datagrams mandatory */
	int socket_id;       /* NUMA socket for the process-local handle */
};

/*
 * Parse the devargs of an emulated guest device ("cid=20,mode=dma,hv=x,
 * caps=..,socket=..", NULL or empty for the defaults) into @conf, whose
 * hv_name then points at @hv_name. Returns 0, or -EINVAL after a log line
 * naming the bad key and value.
 */
__rte_internal
int
vmci_emu_devargs_parse(const char *args, struct vmci_emu_dev_conf *conf,
		       char hv_name[VMCI_EMU_HV_NAMESIZE]);

/*
 * Create an emulated guest device (one guest context) in the hypervisor
 * instance conf->hv_name, creating the instance if needed.
 *
 * The device starts as after power-on: caps-in-use 0, interrupts disabled,
 * IMR 0, no bitmap, nothing pending. conf->caps must include DATAGRAM
 * (the device offers it always) and, when conf->mmio, DMA_DATAGRAM.
 *
 * @return
 *   The register-access handle, or NULL with rte_errno: EINVAL (bad conf,
 *   CID reserved (< 16 and not 0) or invalid), EEXIST (CID in use), ENOSPC
 *   (VMCI_EMU_MAX_DEVS reached), ENOMEM.
 */
__rte_internal
struct vmci_hw *
vmci_emu_dev_create(const struct vmci_emu_dev_conf *conf);

/*
 * Make the host context (CID 2) of instance @hv_name a device, creating
 * the instance if needed: a register file like a guest's, offering
 * DATAGRAM and PPN64, whose datagrams are the host's (those
 * vmci_emu_host_recv() would take) and whose QUEUEPAIR_ALLOC attaches the
 * host to a pair a guest created, the pages mapped through the qp_map
 * register-access call. At most one per instance.
 *
 * @return
 *   The handle (free with vmci_emu_dev_destroy(), which detaches the host
 *   from its pairs), or NULL with rte_errno: EBUSY (the host is a device
 *   already, in this process or another that still exists), EINVAL,
 *   ENOMEM. The host device of a process that is gone is taken back.
 */
__rte_internal
struct vmci_hw *
vmci_emu_host_dev_create(const char *hv_name, int socket_id);

/*
 * Open another handle to an existing device, e.g. from a DPDK secondary
 * process. Register accesses through either handle act on the same device.
 *
 * @return
 *   The handle, or NULL with rte_errno: ENOENT (no such instance or CID),
 *   ENOMEM.
 */
__rte_internal
struct vmci_hw *
vmci_emu_dev_lookup(const char *hv_name, uint32_t cid);

/*
 * Release a handle. For the handle vmci_emu_dev_create() returned, the
 * context is removed from the hypervisor: its queue pairs are detached
 * (peers get QP_PEER_DETACH), its doorbells unlinked, its pending
 * datagrams dropped, and other contexts get no event (CTX_REMOVED is a
 * host-side event). Handles from vmci_emu_dev_lookup() only free
 * themselves. NULL is ignored.
 */
__rte_internal
void
vmci_emu_dev_destroy(struct vmci_hw *hw);

/*
 * Remove every context whose creating process no longer exists (killed,
 * crashed), as the hypervisor removes a VM that went away: as in
 * vmci_emu_dev_destroy(), its queue pairs are detached (peers get
 * QP_PEER_DETACH), its doorbells unlinked and its pending datagrams
 * dropped. A surviving process calls this from its poll loop; the dead
 * process's own DPDK memory is not freed. A process killed while holding
 * the instance lock (inside a register access) leaves it locked.
 *
 * @return
 *   Contexts removed (>= 0), or -ENOENT (no such instance).
 */
__rte_internal
int
vmci_emu_hv_reap_dead(const char *hv_name);

/* Current context ID of the device (changes with vmci_emu_set_context_id()). */
__rte_internal
uint32_t
vmci_emu_dev_cid(const struct vmci_hw *hw);

/*
 * CONTROL = RESET writes the device has seen since it was created, so a
 * test can tell whether a bring-up or a teardown reset it.
 */
__rte_internal
uint32_t
vmci_emu_dev_resets(const struct vmci_hw *hw);

/*
 * Causes an interrupt line of the device would assert now: ICR & IMR when
 * interrupts are enabled (CONTROL INT_ENABLE), else 0. Does not clear
 * anything; reading ICR does.
 */
__rte_internal
uint32_t
vmci_emu_dev_irq_pending(const struct vmci_hw *hw);

/*
 * Free the hypervisor instance memzone.
 *
 * @return
 *   0, -ENOENT (no such instance), -EBUSY (devices or host queue pairs
 *   remain).
 */
__rte_internal
int
vmci_emu_hv_free(const char *hv_name);

/*
 * Let the broker create queue pairs between two guest contexts. The real
 * broker refuses VM-to-VM pairs with DST_UNREACHABLE; so does the emulator
 * by default. Creates the instance if needed.
 *
 * @return
 *   0, or a negative errno.
 */
__rte_internal
int
vmci_emu_hv_allow_vm_to_vm_qp(const char *hv_name, bool allow);

/*
 * Host context (CID 2) endpoint.
 *
 * The host accepts datagrams addressed to any resource of CID 2; they
 * wait in one host queue (limited like a guest's, VMCI_MAX_PENDING_DG_BYTES)
 * until vmci_emu_host_recv(). Queue-pair events for the host (peer
 * attach/detach) arrive there too, as event datagrams from 0:0 to 2:0.
 */

/*
 * Send a datagram from the host. @dg is the whole datagram (header and
 * payload_size bytes of payload, contiguous, @len bytes in all);
 * dg->src.context must be VMCI_HOST_CID. Routed like a guest's send.
 *
 * @return
 *   VMCI result: VMCI_SUCCESS, VMCI_ERROR_INVALID_ARGS (len does not match
 *   the header, bad source), VMCI_ERROR_PAYLOAD_TOO_LARGE,
 *   VMCI_ERROR_DST_UNREACHABLE, VMCI_ERROR_NO_RESOURCES (destination
 *   queue full), VMCI_ERROR_NOT_FOUND (no such instance).
 */
__rte_internal
int
vmci_emu_host_send(const char *hv_name, const struct vmci_dg_hdr *dg, size_t len);

/*
 * Take the oldest datagram addressed to the host.
 *
 * @return
 *   Its size as sent (24 + payload_size, no padding), which is exactly
 *   the bytes copied to @buf; 0 if none is queued; -EMSGSIZE if @len is
 *   smaller than that (nothing taken); -ENOENT if there is no such
 *   instance.
 */
__rte_internal
int
vmci_emu_host_recv(const char *hv_name, void *buf, size_t len);

/*
 * Host attach to a pair a guest created (with peer VMCI_HOST_CID or any).
 * Sizes are from the host's view: @produce_size must equal the guest's
 * consume size and @consume_size its produce size. The guest's pages are
 * mapped through its page list; each queue's data pages must be virtually
 * contiguous in this process (checked). On success the creator gets
 * QP_PEER_ATTACH and *ep is an endpoint whose produce queue is the guest's
 * consume queue. Free the endpoint (rte_vmci_qp_endpoint_free) before
 * vmci_emu_host_qp_detach().
 *
 * @return
 *   VMCI result: VMCI_SUCCESS_QUEUEPAIR_ATTACH, VMCI_ERROR_NOT_FOUND (no
 *   such pair), VMCI_ERROR_QUEUEPAIR_MISMATCH (sizes), VMCI_ERROR_NO_ACCESS
 *   (pair is for another peer), VMCI_ERROR_UNAVAILABLE (already
 *   attached), VMCI_ERROR_NO_MEM (pages not mappable or not contiguous,
 *   endpoint allocation).
 */
__rte_internal
int
vmci_emu_host_qp_attach(const char *hv_name, struct rte_vmci_handle handle,
			uint64_t produce_size, uint64_t consume_size,
			struct rte_vmci_qp **ep);

/*
 * vmci_emu_host_qp_attach() with a limit on the records the host endpoint
 * accepts (struct rte_vmci_qp_conf max_rx_msg_len; 0: the queue size), so
 * a longer record from the guest is reported as a malformed record.
 */
__rte_internal
int
vmci_emu_host_qp_attach_limit(const char *hv_name, struct rte_vmci_handle handle,
			      uint64_t produce_size, uint64_t consume_size,
			      uint32_t max_rx_msg_len, struct rte_vmci_qp **ep);

/*
 * Host create of a pair that guest @peer_cid (or any guest, when
 * VMCI_INVALID_ID) attaches to later with QUEUEPAIR_ALLOC. handle.context
 * must be VMCI_HOST_CID. Sizes are from the host's view; the guest
 * attaches with them swapped.
 *
 * A user-space emulator cannot remap guest pages onto host memory as the
 * real hypervisor does, so the pair's memory is the attaching guest's own
 * pages: until a guest attaches the host has no endpoint (the real host
 * cannot use a pair before the guest attaches either). When a guest
 * attaches, the broker initialises the guest's queue headers, the host
 * receives QP_PEER_ATTACH and vmci_emu_host_qp_endpoint() returns the
 * host endpoint.
 *
 * @return
 *   VMCI result: VMCI_SUCCESS_QUEUEPAIR_CREATE, VMCI_ERROR_INVALID_ARGS,
 *   VMCI_ERROR_ALREADY_EXISTS, VMCI_ERROR_NO_RESOURCES (size limits or
 *   broker table full), VMCI_ERROR_NOT_FOUND (no such instance).
 */
__rte_internal
int
vmci_emu_host_qp_create(const char *hv_name, struct rte_vmci_handle handle,
			uint32_t peer_cid, uint64_t produce_size,
			uint64_t consume_size);

/*
 * Host endpoint of a host-created pair once a guest has attached.
 *
 * @return
 *   VMCI result: VMCI_SUCCESS with *ep set; VMCI_ERROR_QUEUEPAIR_NOTATTACHED
 *   (no guest yet); VMCI_ERROR_NOT_FOUND; VMCI_ERROR_NO_MEM.
 */
__rte_internal
int
vmci_emu_host_qp_endpoint(const char *hv_name, struct rte_vmci_handle handle,
			  struct rte_vmci_qp **ep);

/*
 * Host detach from a pair (created or attached by the host). The guest end,
 * if any, gets QP_PEER_DETACH; the pair is forgotten once both ends left.
 *
 * @return
 *   VMCI result: VMCI_SUCCESS, VMCI_SUCCESS_LAST_DETACH, VMCI_ERROR_NOT_FOUND.
 */
__rte_internal
int
vmci_emu_host_qp_detach(const char *hv_name, struct rte_vmci_handle handle);

/*
 * Ring a guest doorbell from the host, as DOORBELL_NOTIFY does.
 *
 * @return
 *   VMCI result: VMCI_SUCCESS, VMCI_ERROR_NOT_FOUND (no doorbell linked
 *   with that handle), VMCI_ERROR_NOT_FOUND (no such instance).
 */
__rte_internal
int
vmci_emu_host_doorbell_notify(const char *hv_name, struct rte_vmci_handle handle);

/*
 * Fault injection and hypervisor-initiated events. @cid may be a guest CID
 * or VMCI_HOST_CID where it names a datagram destination.
 */

/*
 * Drop the next @n datagrams (events included) routed to context @cid;
 * the sender still sees success, as with a lost datagram. n = 0 cancels.
 *
 * @return
 *   0, -ENOENT (no such instance or context).
 */
__rte_internal
int
vmci_emu_fault_drop_dg(const char *hv_name, uint32_t cid, uint32_t n);

/*
 * Corrupt the next @n datagrams routed to context @cid: every payload byte
 * is inverted (header kept intact so the stream stays parseable); a
 * datagram without payload gets its dst.resource inverted instead.
 *
 * @return
 *   0, -ENOENT.
 */
__rte_internal
int
vmci_emu_fault_corrupt_dg(const char *hv_name, uint32_t cid, uint32_t n);

/*
 * ICR of guest @cid never reports the causes in @bits (VMCI_ICR_*), as a
 * device whose causes do not latch while its interrupt line is unused
 * would behave; the causes still happen. 0 restores normal ICR reads.
 *
 * @return
 *   0, -ENOENT.
 */
__rte_internal
int
vmci_emu_fault_icr_hide(const char *hv_name, uint32_t cid, uint32_t bits);

/*
 * The next @n times a DMA receive of guest @cid has room for the header of
 * the next pending datagram but not for all of it, the device writes the
 * part that fits there (no end marker) and the rest at the start of the
 * following receive, which the reference guests handle (vmci-device.md
 * 4.6). Without it the datagram waits whole for the next receive. n = 0
 * cancels.
 *
 * @return
 *   0, -ENOENT.
 */
__rte_internal
int
vmci_emu_fault_dma_split(const char *hv_name, uint32_t cid, uint32_t n);

/*
 * Fail the next @n hypercalls with resource ID @rid from guest @cid
 * (VMCI_INVALID_ID = any guest) with @result, without executing them.
 * One rule per instance; a new call replaces it; n = 0 cancels.
 *
 * @return
 *   0, -EINVAL (rid >= VMCI_RESOURCE_MAX), -ENOENT.
 */
__rte_internal
int
vmci_emu_fault_fail_hypercall(const char *hv_name, uint32_t cid, uint32_t rid,
			      int32_t result, uint32_t n);

/*
 * Execute the next @n hypercalls with resource ID @rid from guest @cid
 * (VMCI_INVALID_ID = any guest) as usual, then answer @result instead of
 * their own result: a hypervisor that did the work and says something
 * else (e.g. QUEUEPAIR_ALLOC creating the pair and answering 1). The
 * datagram routed to another context is not a hypercall and is never
 * affected. Shares the one rule of vmci_emu_fault_fail_hypercall(): a
 * call to either replaces it; n = 0 cancels.
 *
 * @return
 *   0, -EINVAL (rid >= VMCI_RESOURCE_MAX), -ENOENT.
 */
__rte_internal
int
vmci_emu_fault_hypercall_result(const char *hv_name, uint32_t cid, uint32_t rid,
				int32_t result, uint32_t n);

/*
 * Detach the peer end of pair @handle: the host end if the host is one of
 * the ends, else the attaching guest. The remaining end gets
 * QP_PEER_DETACH. A process-local host endpoint must have been freed.
 *
 * @return
 *   VMCI result as vmci_emu_host_qp_detach(); VMCI_ERROR_QUEUEPAIR_NOTATTACHED
 *   when the pair has only one end.
 */
__rte_internal
int
vmci_emu_fault_qp_peer_detach(const char *hv_name, struct rte_vmci_handle handle);

/*
 * Write @tail and @head into the producer_tail and consumer_head of one
 * queue header of pair @handle, in the guest's pages (@queue 0: the
 * queue the guest produces into, 1: the one it consumes from), as a
 * hostile peer sharing those pages can.
 *
 * @return
 *   0, -EINVAL (@queue not 0 or 1), -ENOENT (no such instance or pair,
 *   or no guest pages yet).
 */
__rte_internal
int
vmci_emu_fault_qp_header(const char *hv_name, struct rte_vmci_handle handle, int queue,
			 uint64_t tail, uint64_t head);

/*
 * Change the context ID of guest @old_cid to @new_cid (0 = next free >= 16)
 * as after a snapshot restore, and send it CTX_ID_UPDATE with the new CID.
 * Queue pairs and doorbells keep their handles.
 *
 * @return
 *   The new CID (> 0), or -ENOENT, -EEXIST, -EINVAL (reserved CID).
 */
__rte_internal
int64_t
vmci_emu_set_context_id(const char *hv_name, uint32_t old_cid, uint32_t new_cid);

/*
 * Send any event datagram from 0:0 to @cid:0 with event data {event, 0}
 * followed by @len payload bytes (len <= VMCI_EVENT_MAX_PAYLOAD - 8).
 * No validation of @event: this is how MEM_ACCESS_ON/OFF and other events
 * guests must reject are delivered.
 *
 * @return
 *   VMCI result of queuing it.
 */
__rte_internal
int
vmci_emu_send_event(const char *hv_name, uint32_t cid, uint32_t event,
		    const void *payload, size_t len);

/* MEM_ACCESS_ON (on) or MEM_ACCESS_OFF event, with a context payload naming @cid. */
__rte_internal
int
vmci_emu_fault_mem_access(const char *hv_name, uint32_t cid, bool on);

/* QP_RESUMED event (payload: context payload naming @cid, as the sources do not define one). */
__rte_internal
int
vmci_emu_fault_qp_resumed(const char *hv_name, uint32_t cid);

#ifdef __cplusplus
}
#endif

#endif /* _VMCI_EMU_H_ */
