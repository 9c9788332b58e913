/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

#ifndef _VMCI_CORE_PRIV_H_
#define _VMCI_CORE_PRIV_H_

/* State shared by the core's source files; nothing outside the core uses it. */

#include <sys/queue.h>

#include <rte_memzone.h>
#include <rte_spinlock.h>

#include "vmci_core.h"
#include "vmci_logs.h"

/* Kind of object owning a resource ID of our context. */
enum vmci_res_type {
	VMCI_RES_DGRAM,
	VMCI_RES_DOORBELL,
	VMCI_RES_QPAIR,
};

struct vmci_dgram_ep {
	TAILQ_ENTRY(vmci_dgram_ep) next;
	struct vmci_device *dev;
	uint32_t rid;
	vmci_dgram_cb_t cb;
	void *arg;
};

struct vmci_doorbell {
	TAILQ_ENTRY(vmci_doorbell) next;
	struct vmci_device *dev;
	struct rte_vmci_handle handle; /* as linked; kept across CID changes */
	uint32_t rid;
	uint32_t idx;
	vmci_doorbell_cb_t cb;
	void *arg;
};

struct vmci_qpair {
	TAILQ_ENTRY(vmci_qpair) next;
	struct vmci_device *dev;
	struct rte_vmci_handle handle;
	uint32_t peer;
	uint32_t flags;
	bool creator;            /* we created it (not ATTACH_ONLY) */
	bool hc_detached;        /* QUEUEPAIR_DETACH already sent */
	bool parked;             /* pages kept until reset: on qp_parked_list */
	struct vmci_qpair *park_next;
	enum vmci_qp_peer_state peer_state;
	/*
	 * Creator only: the header the peer writes (our consume queue's),
	 * the two ring sizes its indices must stay below, and the indices
	 * it held when the pair was created. A change proves the peer uses
	 * the pair even if its QP_PEER_ATTACH never arrived.
	 */
	const struct rte_vmci_queue_header *peer_hdr;
	uint64_t produce_size;
	uint64_t consume_size;
	uint64_t peer_tail0;
	uint64_t peer_head0;
	struct rte_vmci_qp_mem *mem;
	struct rte_vmci_qp *ep;
	/*
	 * A pair a host-context device created has no memory of its own and
	 * no endpoint until a guest attaches with its pages: what to build
	 * the endpoint with then.
	 */
	uint32_t max_rx_msg_len;
	int socket_id;
	vmci_qp_peer_cb_t peer_cb;
	void *cb_arg;
};

struct vmci_event_sub {
	bool used;
	uint32_t event;
	vmci_event_cb_t cb;
	void *arg;
};

/* Log at most VMCI_RL_BURST lines per second per limiter. */
struct vmci_ratelimit {
	uint64_t window_start;
	uint32_t count;
	uint32_t suppressed;
};

#define VMCI_RL_BURST 10

/* Port-I/O receive buffer: one maximum datagram (section 4.6). */
#define VMCI_RX_BUF_SIZE VMCI_MAX_DG_SIZE
#define VMCI_RX_FIRST_READ 4096u
/*
 * An incoming datagram above 69632 bytes is a device bug; it is skipped by
 * reading past it only up to this size, beyond which the pass ends (a
 * 64-bit payload_size from a broken device must not make us read forever).
 */
#define VMCI_RX_SKIP_MAX (16u * VMCI_MAX_DG_SIZE)
/* Reads in one receive pass (at most about 70 MB) before giving up on the stream. */
#define VMCI_RX_MAX_READS 1024u
/* DMA receive passes per poll while each pass still delivers datagrams. */
#define VMCI_RX_DMA_MAX_PASSES 8

struct vmci_device {
	char name[32];
	struct vmci_hw *hw;
	int socket_id;
	uint32_t caps_offered;
	uint32_t caps;           /* in use */
	uint32_t cid;            /* cached context ID */
	uint64_t dma_timeout_cycles;

	rte_spinlock_recursive_t lock; /* device lock: control + poll */
	rte_spinlock_t chan_lock;      /* datagram channel: one send at a time */

	/* Port-I/O: receive buffer and a send buffer for vmci_dgram_send(). */
	uint8_t *rx_buf;
	uint8_t *tx_buf;
	/* DMA datagrams: IOVA-contiguous header page + data area each. */
	const struct rte_memzone *dma_tx_mz;
	const struct rte_memzone *dma_rx_mz;
	bool dma_tx_stuck;       /* device still owns the TX buffer */
	/* Notification bitmap. */
	const struct rte_memzone *bitmap_mz;
	uint8_t *bitmap;

	uint32_t next_rid;
	TAILQ_HEAD(, vmci_dgram_ep) dgram_eps;
	TAILQ_HEAD(, vmci_doorbell) doorbells;
	TAILQ_HEAD(, vmci_qpair) qpairs;
	uint32_t qp_waiting;     /* creator pairs whose peer has not been seen */
	/*
	 * Pairs whose QUEUEPAIR_DETACH failed (or whose ALLOC left us unsure
	 * the hypervisor does not hold them): gone for the application, their
	 * pages kept because the other side may still write them, freed after
	 * CONTROL = RESET. Counted in stats.qp_parked / qp_parked_bytes.
	 */
	struct vmci_qpair *qp_parked_list;

	struct vmci_doorbell *db_by_idx[VMCI_MAX_DOORBELLS];
	uint32_t db_hwm;         /* indices below it are scanned */

	struct vmci_event_sub subs[VMCI_EVENT_MAX_SUBS];

	/* Receive passes (vmci_dgram.c); see vmci_poll() for when they run. */
	bool rx_more;            /* last pass stopped at our bound, not at the end */
	uint64_t rx_idle_cycles; /* with ICR clear, a pass at most this often */
	uint64_t rx_last_pass;   /* timer cycles at the start of the last pass */

	struct vmci_device_stats stats;
	struct vmci_ratelimit rx_rl;
	struct vmci_ratelimit ev_rl;
};

static inline void
vmci_dev_lock(struct vmci_device *dev)
{
	rte_spinlock_recursive_lock(&dev->lock);
}

static inline void
vmci_dev_unlock(struct vmci_device *dev)
{
	rte_spinlock_recursive_unlock(&dev->lock);
}

static inline bool
vmci_dev_dma(const struct vmci_device *dev)
{
	return (dev->caps & VMCI_CAPS_DMA_DATAGRAM) != 0;
}

/* True when a rate-limited log line may be printed now. */
bool
vmci_ratelimit_ok(struct vmci_ratelimit *rl);

/* Pick a free RID >= 1024 (0 if none); check a RID is unused. Device lock held. */
uint32_t
vmci_rid_alloc(struct vmci_device *dev);
bool
vmci_rid_in_use(struct vmci_device *dev, uint32_t rid);

/* vmci_send_datagram() with the channel lock already held. */
int
vmci_send_datagram_locked(struct vmci_device *dev, const struct vmci_dg_hdr *dg,
			  int32_t *result);

/*
 * Check the result of a datagram of @len payload bytes sent to @dst: its
 * size (24 + len) on success, a VMCI error mapped to -errno, anything
 * else -EPROTO, counted in hc_unexpected and logged.
 */
int
vmci_dg_send_result(struct vmci_device *dev, struct rte_vmci_handle dst, size_t len,
		    int32_t result);

/* Receive pass (vmci_dgram.c); returns items dispatched. Device lock held. */
int
vmci_dg_receive(struct vmci_device *dev);
/* Dispatch one event datagram (vmci_event.c); true if valid. */
bool
vmci_event_dispatch(struct vmci_device *dev, const struct vmci_dg_hdr *dg);
/* Scan the notification bitmap (vmci_doorbell.c); returns doorbells fired. */
int
vmci_doorbell_scan(struct vmci_device *dev);
/* Peer attach/detach event for a queue pair (vmci_qpair.c). */
void
vmci_qpair_peer_event(struct vmci_device *dev, uint32_t event,
		      const struct vmci_event_payload_qp *ev);
/* QP_RESUMED: every pair's peer is taken as detached. */
void
vmci_qpair_resumed(struct vmci_device *dev);
/*
 * Creator pairs still WAITING whose peer visibly used the pair (lost
 * QP_PEER_ATTACH) become ATTACHED; returns how many. Device lock held.
 */
int
vmci_qpair_check_waiting(struct vmci_device *dev);

/* Teardown helpers, called in section 3 order by vmci_device_destroy(). */
void
vmci_qpair_detach_all(struct vmci_device *dev);
void
vmci_qpair_free_all(struct vmci_device *dev);
void
vmci_doorbell_unlink_all(struct vmci_device *dev);
void
vmci_dgram_ep_free_all(struct vmci_device *dev);

/*
 * Register accesses of the core, each traced at DEBUG on the log type
 * "bus.vmci.reg" (off by default) with its register name, value and order,
 * so that a bring-up on a real device can be read back from the log
 * (app/vmci-diag raises it). A FIFO access is one line with its length.
 */
extern int vmci_logtype_reg;

const char *vmci_reg_name(uint32_t off);

#define VMCI_REG_TRACE(dev, fmt, ...) \
	rte_log(RTE_LOG_DEBUG, vmci_logtype_reg, "VMCI: reg: %s: " fmt "\n", \
		(dev)->name, ##__VA_ARGS__)

static inline uint32_t
vmci_reg_read32(struct vmci_device *dev, uint32_t off)
{
	uint32_t val = vmci_hw_read32(dev->hw, off);

	VMCI_REG_TRACE(dev, "read32 %s (0x%02x) = 0x%08x", vmci_reg_name(off), off, val);
	return val;
}

static inline void
vmci_reg_write32(struct vmci_device *dev, uint32_t off, uint32_t val)
{
	VMCI_REG_TRACE(dev, "write32 %s (0x%02x) <- 0x%08x", vmci_reg_name(off), off, val);
	vmci_hw_write32(dev->hw, off, val);
}

static inline void
vmci_reg_write_fifo(struct vmci_device *dev, uint32_t off, const void *buf, size_t len)
{
	VMCI_REG_TRACE(dev, "write8 x%zu %s (0x%02x)", len, vmci_reg_name(off), off);
	vmci_hw_write_fifo(dev->hw, off, buf, len);
}

static inline void
vmci_reg_read_fifo(struct vmci_device *dev, uint32_t off, void *buf, size_t len)
{
	VMCI_REG_TRACE(dev, "read8 x%zu %s (0x%02x)", len, vmci_reg_name(off), off);
	vmci_hw_read_fifo(dev->hw, off, buf, len);
}

#endif /* _VMCI_CORE_PRIV_H_ */
