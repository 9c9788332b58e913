/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

/*
 * Device lifecycle: bring-up in the order of vmci-device.md section 3
 * adapted to poll mode, teardown in the remove order, the poll function.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_memzone.h>

#include "vmci_core_priv.h"

RTE_LOG_REGISTER_DEFAULT(vmci_logtype, NOTICE);
RTE_LOG_REGISTER_SUFFIX(vmci_logtype_dgram, dgram, NOTICE);
RTE_LOG_REGISTER_SUFFIX(vmci_logtype_qp, qp, NOTICE);
RTE_LOG_REGISTER_SUFFIX(vmci_logtype_db, doorbell, NOTICE);
RTE_LOG_REGISTER_SUFFIX(vmci_logtype_event, event, NOTICE);
RTE_LOG_REGISTER_SUFFIX(vmci_logtype_reg, reg, NOTICE);

const char *
vmci_reg_name(uint32_t off)
{
	static const char *const names[] = {
		"STATUS", "CONTROL", "ICR", "IMR", "DATA_OUT", "DATA_IN", "CAPS",
		"RESULT_LOW", "RESULT_HIGH", "DATA_OUT_LOW", "DATA_OUT_HIGH",
		"DATA_IN_LOW", "DATA_IN_HIGH", "GUEST_PAGE_SHIFT", "FILE_SIZE",
	};

	if (off % 4 != 0 || off / 4 >= RTE_DIM(names))
		return "?";
	return names[off / 4];
}

#define VMCI_DMA_TIMEOUT_US_DEFAULT 1000000u
/*
 * With ICR clear, a receive pass still runs when the last one is older
 * than this (see vmci_rx_due()): in DMA mode on every poll, as a pass on
 * an empty device costs one DATA_IN_LOW write and a 24-byte end marker;
 * in port mode every 100 ms, as it costs 4096 one-byte DATA_IN reads
 * (each a system call under VFIO).
 */
#define VMCI_RX_IDLE_US_DMA 0u
#define VMCI_RX_IDLE_US_PORT 100000u

/* Makes memzone names unique across devices of this process. */
static uint32_t vmci_dev_seq;

bool
vmci_ratelimit_ok(struct vmci_ratelimit *rl)
{
	uint64_t now = rte_get_timer_cycles();

	if (now - rl->window_start > rte_get_timer_hz()) {
		if (rl->suppressed > 0)
			VMCI_LOG(WARNING, "%u similar messages suppressed", rl->suppressed);
		rl->window_start = now;
		rl->count = 0;
		rl->suppressed = 0;
	}
	if (rl->count < VMCI_RL_BURST) {
		rl->count++;
		return true;
	}
	rl->suppressed++;
	return false;
}

bool
vmci_rid_in_use(struct vmci_device *dev, uint32_t rid)
{
	struct vmci_dgram_ep *ep;
	struct vmci_doorbell *db;
	struct vmci_qpair *qp;

	TAILQ_FOREACH(ep, &dev->dgram_eps, next)
		if (ep->rid == rid)
			return true;
	TAILQ_FOREACH(db, &dev->doorbells, next)
		if (db->rid == rid)
			return true;
	TAILQ_FOREACH(qp, &dev->qpairs, next)
		if (qp->creator && qp->handle.resource == rid)
			return true;
	return false;
}

uint32_t
vmci_rid_alloc(struct vmci_device *dev)
{
	uint32_t tries;
	uint32_t rid;

	/* Bounded: the object lists are far smaller than the RID space. */
	for (tries = 0; tries < 1u << 20; tries++) {
		rid = dev->next_rid++;
		if (dev->next_rid == VMCI_INVALID_ID)
			dev->next_rid = VMCI_RESERVED_RID_LIMIT;
		if (!vmci_rid_in_use(dev, rid))
			return rid;
	}
	return 0;
}

static const struct rte_memzone *
vmci_dma_zone(struct vmci_device *dev, const char *what, size_t len)
{
	char name[RTE_MEMZONE_NAMESIZE];
	const struct rte_memzone *mz;

	snprintf(name, sizeof(name), "%.16s_%.8s", dev->name, what);
	mz = rte_memzone_reserve_aligned(name, len, dev->socket_id,
					 RTE_MEMZONE_IOVA_CONTIG, RTE_VMCI_QP_PAGE_SIZE);
	if (mz == NULL) {
		VMCI_LOG(ERR, "%s: cannot reserve %zu IOVA-contiguous bytes for the %s: %s",
			 dev->name, len, what, rte_strerror(rte_errno));
		return NULL;
	}
	if (mz->iova == RTE_BAD_IOVA) {
		VMCI_LOG(ERR, "%s: %s memory has no IOVA (use --iova-mode=va without hugepages)",
			 dev->name, what);
		rte_memzone_free(mz);
		return NULL;
	}
	memset(mz->addr, 0, len);
	return mz;
}

/*
 * Steps 5-9: read CAPS, choose caps_in_use, write it back. dev->caps is
 * set only when it is written: from then on the device may hold our
 * addresses, and a failed bring-up resets it.
 */
static int
vmci_negotiate_caps(struct vmci_device *dev)
{
	uint32_t caps = vmci_reg_read32(dev, VMCI_REG_CAPS);
	uint32_t use = VMCI_CAPS_DATAGRAM;

	dev->caps_offered = caps;
	if (!(caps & VMCI_CAPS_DATAGRAM)) {
		VMCI_LOG(ERR, "%s: device caps 0x%x lack DATAGRAM (0x%x), which every guest requires",
			 dev->name, caps, VMCI_CAPS_DATAGRAM);
		return -ENODEV;
	}
	if (caps & VMCI_CAPS_PPN64)
		use |= VMCI_CAPS_PPN64;
	if (caps & VMCI_CAPS_NOTIFICATIONS) {
		dev->bitmap_mz = vmci_dma_zone(dev, "bitmap", VMCI_NOTIFY_BITMAP_SIZE);
		/* Without the page, doorbells are simply not offered. */
		if (dev->bitmap_mz != NULL) {
			dev->bitmap = dev->bitmap_mz->addr;
			use |= VMCI_CAPS_NOTIFICATIONS;
		}
	}
	if (dev->hw->mmio) {
		if (!(caps & VMCI_CAPS_DMA_DATAGRAM)) {
			VMCI_LOG(ERR, "%s: MMIO registers but caps 0x%x lack DMA_DATAGRAM (0x%x)",
				 dev->name, caps, VMCI_CAPS_DMA_DATAGRAM);
			return -ENOTSUP;
		}
		use |= VMCI_CAPS_DMA_DATAGRAM;
	}
	dev->caps = use;
	vmci_reg_write32(dev, VMCI_REG_CAPS, use);
	return 0;
}

/* Buffers for the datagram channel of the negotiated mode. */
static int
vmci_alloc_channel(struct vmci_device *dev)
{
	if (!vmci_dev_dma(dev)) {
		dev->rx_buf = rte_zmalloc_socket("vmci_rx", VMCI_RX_BUF_SIZE,
						 RTE_VMCI_QP_PAGE_SIZE, dev->socket_id);
		dev->tx_buf = rte_zmalloc_socket("vmci_tx", VMCI_MAX_DG_SIZE,
						 RTE_CACHE_LINE_SIZE, dev->socket_id);
		if (dev->rx_buf == NULL || dev->tx_buf == NULL) {
			VMCI_LOG(ERR, "%s: cannot allocate datagram buffers", dev->name);
			return -ENOMEM;
		}
		return 0;
	}
	dev->dma_tx_mz = vmci_dma_zone(dev, "dma_tx", VMCI_DMA_BUF_SIZE);
	dev->dma_rx_mz = vmci_dma_zone(dev, "dma_rx", VMCI_DMA_BUF_SIZE);
	dev->tx_buf = rte_zmalloc_socket("vmci_tx", VMCI_MAX_DG_SIZE,
					 RTE_CACHE_LINE_SIZE, dev->socket_id);
	if (dev->dma_tx_mz == NULL || dev->dma_rx_mz == NULL || dev->tx_buf == NULL)
		return -ENOMEM;
	/* Step 10: page shift and high halves before any *_LOW write. */
	vmci_reg_write32(dev, VMCI_REG_GUEST_PAGE_SHIFT, RTE_VMCI_QP_PAGE_SHIFT);
	vmci_reg_write32(dev, VMCI_REG_DATA_IN_HIGH, (uint32_t)(dev->dma_rx_mz->iova >> 32));
	vmci_reg_write32(dev, VMCI_REG_DATA_OUT_HIGH, (uint32_t)(dev->dma_tx_mz->iova >> 32));
	return 0;
}

/* Steps 12-13 and the context ID: the first hypercalls. */
static int
vmci_check_host(struct vmci_device *dev)
{
	const uint32_t rid = VMCI_GET_CONTEXT_ID;
	uint32_t supported;
	int ret;

	if (dev->caps & VMCI_CAPS_NOTIFICATIONS) {
		ret = vmci_hc_set_notify_bitmap(dev, dev->bitmap_mz->iova);
		if (ret != 0)
			return ret < 0 ? ret : -EIO;
	}
	ret = vmci_hc_resources_query(dev, &rid, 1, &supported);
	if (ret < 0)
		return ret;
	if (supported != 1) {
		VMCI_LOG(ERR, "%s: RESOURCES_QUERY{GET_CONTEXT_ID} returned 0x%x, expected 0x1",
			 dev->name, supported);
		return -ENOTSUP;
	}
	return vmci_hc_get_context_id(dev, &dev->cid);
}

static void
vmci_free_memory(struct vmci_device *dev)
{
	rte_free(dev->rx_buf);
	rte_free(dev->tx_buf);
	rte_memzone_free(dev->dma_tx_mz);
	rte_memzone_free(dev->dma_rx_mz);
	rte_memzone_free(dev->bitmap_mz);
	dev->rx_buf = NULL;
	dev->tx_buf = NULL;
	dev->dma_tx_mz = NULL;
	dev->dma_rx_mz = NULL;
	dev->bitmap_mz = NULL;
	dev->bitmap = NULL;
}

static struct vmci_device *
vmci_device_new(struct vmci_hw *hw, const struct vmci_device_conf *conf)
{
	uint32_t seq = __atomic_fetch_add(&vmci_dev_seq, 1, __ATOMIC_RELAXED);
	uint32_t timeout_us = VMCI_DMA_TIMEOUT_US_DEFAULT;
	struct vmci_device *dev;

	dev = calloc(1, sizeof(*dev));
	if (dev == NULL)
		return NULL;
	/* Memzone names derive from it: keep it short and unique. */
	if (conf != NULL && conf->name != NULL)
		snprintf(dev->name, sizeof(dev->name), "%.20s_%u", conf->name, seq);
	else
		snprintf(dev->name, sizeof(dev->name), "vmci%u", seq);
	if (conf != NULL && conf->dma_timeout_us != 0)
		timeout_us = conf->dma_timeout_us;
	dev->dma_timeout_cycles = rte_get_timer_hz() * timeout_us / 1000000;
	dev->hw = hw;
	dev->socket_id = hw->numa_node >= 0 ? hw->numa_node : SOCKET_ID_ANY;
	dev->cid = VMCI_INVALID_ID;
	dev->next_rid = VMCI_RESERVED_RID_LIMIT;
	rte_spinlock_recursive_init(&dev->lock);
	rte_spinlock_init(&dev->chan_lock);
	TAILQ_INIT(&dev->dgram_eps);
	TAILQ_INIT(&dev->doorbells);
	TAILQ_INIT(&dev->qpairs);
	return dev;
}

struct vmci_device *
vmci_device_create(struct vmci_hw *hw, const struct vmci_device_conf *conf)
{
	struct vmci_device *dev;
	uint32_t imr;
	int ret;

	if (hw == NULL || hw->ops == NULL) {
		rte_errno = EINVAL;
		return NULL;
	}
	dev = vmci_device_new(hw, conf);
	if (dev == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	/*
	 * No reset before the capabilities, as in the reference guests: the
	 * device comes from power-on or from the reset that ended its
	 * previous owner's teardown. After an owner that died without
	 * teardown, what follows writes CAPS, the DMA high halves and (when
	 * the bitmap page is had) the bitmap registration afresh; see
	 * doc/vmci_driver.md for what such a death leaves behind.
	 */
	ret = vmci_negotiate_caps(dev);
	if (ret == 0)
		ret = vmci_alloc_channel(dev);
	if (ret == 0)
		ret = vmci_check_host(dev);
	if (ret < 0)
		goto fail;
	/*
	 * Steps 16-17, as every guest does in single-vector mode. We set up
	 * no vector: MSI and MSI-X stay disabled in config space, so the
	 * device stands in its INTx configuration with the causes enabled,
	 * the mode in which the reference guests find causes by reading ICR
	 * (vmci-device.md section 1); the line itself is never waited for.
	 * ICR is read on every poll, but whether the device latches a cause
	 * while nobody takes its interrupt is not documented: vmci_rx_due()
	 * therefore also runs receive passes with ICR clear.
	 */
	imr = VMCI_ICR_DATAGRAM;
	if (dev->caps & VMCI_CAPS_NOTIFICATIONS)
		imr |= VMCI_ICR_NOTIFICATION;
	if (vmci_dev_dma(dev))
		imr |= VMCI_ICR_DMA_DATAGRAM;
	vmci_reg_write32(dev, VMCI_REG_IMR, imr);
	vmci_reg_write32(dev, VMCI_REG_CONTROL, VMCI_CONTROL_INT_ENABLE);
	dev->rx_idle_cycles = rte_get_timer_hz() / 1000000 *
		(vmci_dev_dma(dev) ? VMCI_RX_IDLE_US_DMA : VMCI_RX_IDLE_US_PORT);
	VMCI_LOG(INFO, "%s: up over %s: caps offered 0x%x, in use 0x%x, context ID %u",
		 dev->name, hw->backend != NULL ? hw->backend : "?", dev->caps_offered,
		 dev->caps, dev->cid);
	return dev;
fail:
	/*
	 * Once CAPS is written the device may hold our bitmap or DMA
	 * addresses (a timed-out DMA receive may still complete): reset it
	 * before freeing them. The reference resets here once its bitmap
	 * exists; this covers the DMA buffers too.
	 */
	if (dev->caps != 0)
		vmci_reg_write32(dev, VMCI_REG_CONTROL, VMCI_CONTROL_RESET);
	vmci_free_memory(dev);
	free(dev);
	rte_errno = -ret;
	return NULL;
}

void
vmci_device_destroy(struct vmci_device *dev)
{
	if (dev == NULL)
		return;
	vmci_dev_lock(dev);
	vmci_qpair_detach_all(dev);
	vmci_doorbell_unlink_all(dev);
	vmci_reg_write32(dev, VMCI_REG_CONTROL, VMCI_CONTROL_RESET);
	/* Only after the reset is no memory of ours referenced by the device. */
	vmci_qpair_free_all(dev);
	vmci_dgram_ep_free_all(dev);
	vmci_free_memory(dev);
	vmci_dev_unlock(dev);
	free(dev);
}

const char *
vmci_device_name(const struct vmci_device *dev)
{
	return dev->name;
}

uint32_t
vmci_device_caps_offered(const struct vmci_device *dev)
{
	return dev->caps_offered;
}

uint32_t
vmci_device_caps(const struct vmci_device *dev)
{
	return dev->caps;
}

uint32_t
vmci_device_context_id(const struct vmci_device *dev)
{
	return __atomic_load_n(&dev->cid, __ATOMIC_RELAXED);
}

int
vmci_device_stats_get(struct vmci_device *dev, struct vmci_device_stats *stats)
{
	if (dev == NULL || stats == NULL)
		return -EINVAL;
	vmci_dev_lock(dev);
	rte_spinlock_lock(&dev->chan_lock);
	*stats = dev->stats;
	rte_spinlock_unlock(&dev->chan_lock);
	vmci_dev_unlock(dev);
	return 0;
}

/*
 * Whether this poll runs a receive pass: when ICR reports DATAGRAM, when
 * the last pass stopped at our own bound with datagrams possibly left,
 * and with ICR clear once the last pass is older than rx_idle_cycles, so
 * that a datagram whose cause the device did not latch is still received.
 */
static bool
vmci_rx_due(struct vmci_device *dev, uint32_t icr)
{
	uint64_t now = rte_get_timer_cycles();

	if (!(icr & VMCI_ICR_DATAGRAM) && !dev->rx_more &&
	    now - dev->rx_last_pass < dev->rx_idle_cycles)
		return false;
	dev->rx_last_pass = now;
	return true;
}

int
vmci_device_poll(struct vmci_device *dev)
{
	uint32_t icr;
	int n = 0;

	vmci_dev_lock(dev);
	/* Read once: reading acknowledges (clears) the causes. */
	icr = vmci_reg_read32(dev, VMCI_REG_ICR);
	if (icr == UINT32_MAX) {
		vmci_dev_unlock(dev);
		return -ENODEV;
	}
	if (vmci_rx_due(dev, icr))
		n += vmci_dg_receive(dev);
	/*
	 * After the receive pass, so that an attach event which did arrive
	 * is the one that counts. Nothing to do (one compare) while no
	 * created pair waits for its peer.
	 */
	if (dev->qp_waiting > 0)
		n += vmci_qpair_check_waiting(dev);
	/*
	 * The bitmap is plain memory: scanning it is cheap and does not
	 * depend on whether ICR latched NOTIFICATION.
	 */
	if (dev->bitmap != NULL)
		n += vmci_doorbell_scan(dev);
	vmci_dev_unlock(dev);
	return n;
}
