/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

#ifndef _VMCI_EMU_PRIVATE_H_
#define _VMCI_EMU_PRIVATE_H_

/*
 * Shared state of one emulated hypervisor instance. Everything here lives
 * in one memzone, so it holds no pointers to process-local memory; guest
 * memory addresses are DPDK virtual addresses, identical in every process.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_log.h>
#include <rte_spinlock.h>

#include "vmci_emu_test.h"

extern int vmci_emu_logtype;
#define EMU_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, vmci_emu_logtype, "%s(): " fmt "\n", \
		__func__, ##__VA_ARGS__)

/*
 * Room for 1024 event datagrams of the largest size (24-byte header and a
 * 24-byte event payload) on top of the pending limit, as section 4.1 of
 * vmci-device.md gives for the host: only datagrams whose source is the
 * hypervisor's context handle (0:0) may use it, so that a flood from any
 * other context never squeezes an event out.
 */
#define EMU_EVENT_DG_MAX (VMCI_DG_HDR_SIZE + VMCI_EVENT_MAX_PAYLOAD)
#define EMU_EVENT_ROOM (1024u * EMU_EVENT_DG_MAX)
#define EMU_DGQ_SIZE (VMCI_MAX_PENDING_DG_BYTES + EMU_EVENT_ROOM)
#define EMU_PAGE VMCI_NOTIFY_BITMAP_SIZE

/* Owner of a queue-pair end: a device slot, the host, or nobody. */
#define EMU_END_NONE (-1)
#define EMU_END_HOST (-2)

/* Most datagrams the ring can hold: each takes at least a bare header. */
#define EMU_DGQ_MAX_DG (EMU_DGQ_SIZE / VMCI_DG_HDR_SIZE + 1)

/*
 * FIFO of whole datagrams, each stored in its 8-byte aligned size (the
 * guest's receive stream needs that), with its exact size (header plus
 * payload) kept beside the ring: what a receiver gets is what was sent,
 * never the padding, and never a size read back from the stored bytes.
 */
struct emu_dgq {
	uint32_t head;  /* byte offset of the oldest datagram */
	uint32_t used;  /* bytes in use (aligned sizes) */
	uint32_t count; /* datagrams queued */
	uint32_t first; /* index in size[] of the oldest datagram */
	uint32_t drop;  /* fault: datagrams still to drop */
	uint32_t corrupt; /* fault: datagrams still to corrupt */
	uint32_t size[EMU_DGQ_MAX_DG];
	uint8_t buf[EMU_DGQ_SIZE];
};

struct emu_doorbell {
	struct rte_vmci_handle handle;
	uint32_t idx;
	bool used;
};

/* Guest pages of one queue pair, from the guest's point of view. */
struct emu_qp_queue {
	uint64_t hdr_va;  /* header page */
	uint64_t data_va; /* first data page (0 when the queue has none) */
	uint64_t size;
	bool contig;      /* data pages virtually contiguous */
};

struct emu_qp {
	bool used;
	struct rte_vmci_handle handle;
	uint32_t flags;
	uint32_t peer;          /* peer CID requested by the creator */
	uint64_t produce_size;  /* creator's view */
	uint64_t consume_size;
	int creator;            /* slot, EMU_END_HOST or EMU_END_NONE (left) */
	int attacher;
	bool was_attached;      /* a pair is attached to at most once */
	/* The guest end whose pages back the pair (host pairs only). */
	int page_owner;
	struct emu_qp_queue gq[2]; /* [0] guest produce, [1] guest consume */
	/*
	 * References on the page owner's queue memory while the broker or a
	 * host end maps it, as a hypervisor pins the guest pages it maps: a
	 * guest that detaches and frees its pages gets them back only once
	 * the host end left too (so a host that has not seen the detach yet
	 * never writes into memory the guest reused), and a guest whose
	 * DETACH failed and that freed them after a reset leaves them to the
	 * broker until its context goes. [0] the produce header's, [1] the
	 * consume header's when that is other memory.
	 */
	struct rte_vmci_qp_mem *pin[2];
};

struct emu_dev {
	bool used;
	int owner_pid;          /* process that created the context */
	uint32_t cid;
	uint32_t caps;          /* offered */
	uint32_t caps_in_use;
	bool mmio;
	uint32_t status;
	uint32_t icr;           /* written under the lock, with emu_icr_raise() */
	uint32_t imr;
	int32_t result;
	uint32_t page_shift;
	uint32_t out_high;
	uint32_t in_high;
	uint64_t bitmap_va;     /* 0: no bitmap registered */
	uint64_t qp_mem;        /* bytes of queue-pair memory in use */
	uint32_t resets;        /* CONTROL = RESET writes since creation */
	uint32_t icr_hide;      /* fault: ICR bits never reported */
	uint32_t dma_split;     /* fault: DMA receives still to end in a split datagram */
	/* DATA_OUT accumulation. */
	uint32_t tx_len;
	bool tx_discard;        /* oversize datagram: swallow until resync */
	/* DATA_IN stream, and a datagram split across DMA receives. */
	uint32_t rx_len;        /* aligned size of the datagram in delivery */
	uint32_t rx_off;        /* bytes of it already delivered */
	bool rx_after_marker;   /* no new datagram before a page boundary */
	struct emu_dgq q;
	/* Both are read as datagram headers: keep them 8-byte aligned. */
	uint8_t rx_dg[VMCI_MAX_DG_SIZE] __rte_aligned(8);
	uint8_t tx_buf[VMCI_EMU_MAX_HV_DG_SIZE] __rte_aligned(8);
	struct emu_doorbell db[VMCI_MAX_DOORBELLS];
};

struct emu_fail_rule {
	uint32_t cid;
	uint32_t rid;
	int32_t result;
	uint32_t n;
	bool execute;   /* run the hypercall, then answer @result instead */
};

struct emu_hv {
	rte_spinlock_t lock;
	uint32_t magic;
	bool vm_to_vm;
	uint32_t next_cid;
	struct emu_fail_rule fail;
	/*
	 * The host context (CID 2): its datagram queue always exists; its
	 * register file is in use (host.used) while a host device
	 * (vmci_hostN) is open on it.
	 */
	struct emu_dev host;
	struct emu_qp qp[VMCI_EMU_MAX_QPS];
	struct emu_dev dev[VMCI_EMU_MAX_DEVS];
};

#define EMU_HV_MAGIC 0x564d4345u /* "VMCE" */

/* Process-local handle behind struct vmci_hw. */
struct emu_handle {
	struct vmci_hw hw;
	struct emu_hv *hv;
	int slot;               /* guest device slot, or EMU_END_HOST */
	bool owner;
};

static inline struct emu_handle *
emu_handle(const struct vmci_hw *hw)
{
	return (struct emu_handle *)(uintptr_t)hw;
}

/* Register file and queue of an end: a guest slot or EMU_END_HOST. */
static inline struct emu_dev *
emu_end_dev(struct emu_hv *hv, int end)
{
	return end == EMU_END_HOST ? &hv->host : &hv->dev[end];
}

/* vmci_emu.c */
struct emu_hv *emu_hv_find(const char *hv_name);
struct emu_dev *emu_dev_by_cid(struct emu_hv *hv, uint32_t cid);
int emu_slot_by_cid(struct emu_hv *hv, uint32_t cid);
/*
 * Latch interrupt causes; the caller holds the instance lock. The store is
 * atomic because an ICR read checks for "nothing latched" without the lock
 * (see emu_read32()).
 */
static inline void
emu_icr_raise(struct emu_dev *dev, uint32_t bits)
{
	__atomic_store_n(&dev->icr, dev->icr | bits, __ATOMIC_RELEASE);
}

int emu_dgq_put(struct emu_hv *hv, uint32_t dst_cid, const struct vmci_dg_hdr *dg);
uint32_t emu_dgq_peek_size(const struct emu_dgq *q);
void emu_dgq_take(struct emu_dgq *q, void *buf, uint32_t len);
void emu_dgq_flush(struct emu_dgq *q);
int emu_route(struct emu_hv *hv, uint32_t src_cid, const struct vmci_dg_hdr *dg);
int emu_send_event(struct emu_hv *hv, uint32_t cid, uint32_t event,
		   const void *payload, size_t len);
void *emu_iova_map(uint64_t iova, uint64_t len);

/* vmci_emu_hv.c */
int emu_dg_execute(struct emu_hv *hv, int slot, const struct vmci_dg_hdr *dg,
		   uint64_t len);
int emu_doorbell_ring(struct emu_hv *hv, struct rte_vmci_handle handle);
void emu_dev_forget(struct emu_hv *hv, int slot);
int emu_qp_end_detach(struct emu_hv *hv, struct emu_qp *qp, int end);
int emu_host_qp_map(struct vmci_hw *hw, struct rte_vmci_handle handle,
		    struct rte_vmci_qp_queue_desc *produce,
		    struct rte_vmci_qp_queue_desc *consume);
void emu_host_forget(struct emu_hv *hv);
struct emu_qp *emu_qp_find(struct emu_hv *hv, struct rte_vmci_handle handle);
uint32_t emu_end_cid(struct emu_hv *hv, int end);

/* vmci_emu_regs.c */
extern const struct vmci_hw_ops emu_hw_ops;
extern const struct vmci_hw_ops emu_host_hw_ops;
void emu_dev_reset(struct emu_dev *dev);

#endif /* _VMCI_EMU_PRIVATE_H_ */
