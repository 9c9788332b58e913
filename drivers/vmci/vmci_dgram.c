/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

/*
 * Datagram receive (vmci-device.md section 4.6), dispatch, and datagram
 * endpoints. Everything read from DATA_IN or the DMA RX buffer is device
 * input: sizes are checked against the bytes actually received before a
 * datagram is handed to anyone.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_errno.h>
#include <rte_io.h>

#include "vmci_core_priv.h"

#define VMCI_PAGE VMCI_RX_FIRST_READ

static void
vmci_dg_dispatch(struct vmci_device *dev, const struct vmci_dg_hdr *dg)
{
	uint32_t cid = vmci_device_context_id(dev);
	struct vmci_dgram_ep *ep;

	dev->stats.dg_received++;
	if (dg->src.context == VMCI_HYPERVISOR_CID &&
	    dg->dst.resource == VMCI_EVENT_HANDLER_RID) {
		vmci_event_dispatch(dev, dg);
		return;
	}
	if (dg->dst.context == cid || dg->dst.context == VMCI_INVALID_ID) {
		TAILQ_FOREACH(ep, &dev->dgram_eps, next) {
			if (ep->rid != dg->dst.resource)
				continue;
			dev->stats.dg_delivered++;
			/* No iteration after the call: the callback may change the list. */
			ep->cb(ep, dg, dg + 1, ep->arg);
			return;
		}
	}
	dev->stats.dg_dropped++;
	VMCI_DG_LOG(DEBUG, "%s: no endpoint for %u:%u (from %u:%u, %" PRIu64 " bytes)",
		    dev->name, dg->dst.context, dg->dst.resource, dg->src.context,
		    dg->src.resource, dg->payload_size);
}

static void
vmci_dg_malformed(struct vmci_device *dev, const char *why, uint64_t val, uint64_t limit)
{
	dev->stats.dg_malformed++;
	if (vmci_ratelimit_ok(&dev->rx_rl))
		VMCI_DG_LOG(WARNING, "%s: malformed incoming datagram: %s %" PRIu64
			    ", expected <= %" PRIu64, dev->name, why, val, limit);
}

/* Aligned size of the datagram at @dg, or UINT64_MAX if absurd. */
static uint64_t
vmci_dg_in_size(const struct vmci_dg_hdr *dg)
{
	uint64_t psize = dg->payload_size;

	if (psize > VMCI_RX_SKIP_MAX)
		return UINT64_MAX;
	return VMCI_DG_SIZE_ALIGNED(psize);
}

/*
 * One receive pass (section 4.6), the same algorithm in both modes as in
 * the reference guests: port I/O reads DATA_IN into rx_buf, DMA has the
 * device write into the data area of the RX buffer. Only the first read
 * size (a page, or the whole 69632 bytes) and the end-marker rule differ.
 */
struct vmci_rx {
	uint8_t *buf;
	size_t avail;      /* bytes of buf filled by the reads so far */
	size_t read_size;  /* size of a fresh read */
	size_t pos;        /* parse position */
	unsigned int reads;
	bool dma;
};

/* Start a DMA receive of @len bytes into the data area at @at; wait for busy == 1. */
static bool
vmci_dma_rx(struct vmci_device *dev, size_t at, size_t len)
{
	struct vmci_dma_hdr *hdr = dev->dma_rx_mz->addr;
	struct vmci_sg_elem *sg = (struct vmci_sg_elem *)(hdr + 1);
	uint64_t deadline;

	hdr->opcode = VMCI_DMA_OP_SG;
	hdr->size = 1;
	hdr->rsvd = 0;
	hdr->result = 0;
	sg->addr = dev->dma_rx_mz->iova + VMCI_DMA_DATA_OFFSET + at;
	sg->size = len;
	__atomic_store_n(&hdr->busy, 0, __ATOMIC_RELAXED);
	rte_io_wmb();
	vmci_reg_write32(dev, VMCI_REG_DATA_IN_LOW, (uint32_t)dev->dma_rx_mz->iova);
	deadline = rte_get_timer_cycles() + dev->dma_timeout_cycles;
	while (__atomic_load_n(&hdr->busy, __ATOMIC_ACQUIRE) != 1) {
		if (rte_get_timer_cycles() > deadline) {
			dev->stats.rx_timeouts++;
			if (vmci_ratelimit_ok(&dev->rx_rl))
				VMCI_DG_LOG(ERR, "%s: DMA receive: busy still 0 after %" PRIu64
					    " cycles", dev->name, dev->dma_timeout_cycles);
			return false;
		}
		rte_pause();
	}
	return true;
}

/*
 * Read @len bytes into buf + @at. False ends the pass: a DMA receive that
 * never completed, or more reads than a pass may take (a device that
 * never ends the stream).
 */
static bool
vmci_rx_read(struct vmci_device *dev, struct vmci_rx *rx, size_t at, size_t len)
{
	if (++rx->reads > VMCI_RX_MAX_READS) {
		vmci_dg_malformed(dev, "reads in one pass", rx->reads, VMCI_RX_MAX_READS);
		dev->rx_more = true;
		return false;
	}
	if (rx->dma) {
		if (!vmci_dma_rx(dev, at, len))
			return false;
	} else {
		vmci_reg_read_fifo(dev, VMCI_REG_DATA_IN, rx->buf + at, len);
	}
	rx->avail = at + len;
	return true;
}

/*
 * The datagram at rx->pos runs past the bytes read: move its first part to
 * the buffer start and read the rest of a full-size buffer after it; the
 * device continues the same datagram there.
 */
static bool
vmci_rx_continue(struct vmci_device *dev, struct vmci_rx *rx)
{
	size_t partial = rx->avail - rx->pos;

	if (rx->pos != 0)
		memmove(rx->buf, rx->buf + rx->pos, partial);
	rx->pos = 0;
	rx->read_size = VMCI_RX_BUF_SIZE;
	return vmci_rx_read(dev, rx, partial, VMCI_RX_BUF_SIZE - partial);
}

/* Oversized datagram: read and drop @skip bytes beyond the ones we have. */
static bool
vmci_rx_skip(struct vmci_device *dev, struct vmci_rx *rx, uint64_t skip)
{
	rx->read_size = VMCI_RX_BUF_SIZE;
	for (;;) {
		if (!vmci_rx_read(dev, rx, 0, rx->read_size))
			return false;
		if (skip <= rx->read_size)
			break;
		skip -= rx->read_size;
	}
	rx->pos = (size_t)skip;
	return true;
}

/*
 * End marker (dst.resource invalid) at rx->pos: true if the pass goes on.
 * Port I/O: a datagram may still start on a later page of the buffer.
 * DMA: the device wrote all it had.
 */
static bool
vmci_rx_marker(struct vmci_rx *rx)
{
	if (rx->dma || rx->avail - rx->pos <= VMCI_PAGE)
		return false;
	rx->pos = RTE_ALIGN_CEIL(rx->pos + 1, VMCI_PAGE);
	return true;
}

/* One receive pass; returns datagrams parsed. */
static int
vmci_dg_receive_pass(struct vmci_device *dev)
{
	struct vmci_rx rx = { .dma = vmci_dev_dma(dev) };
	const struct vmci_dg_hdr *dg;
	uint64_t size;
	int n = 0;

	rx.buf = rx.dma ? (uint8_t *)dev->dma_rx_mz->addr + VMCI_DMA_DATA_OFFSET : dev->rx_buf;
	rx.read_size = rx.dma ? VMCI_RX_BUF_SIZE : VMCI_RX_FIRST_READ;
	if (!vmci_rx_read(dev, &rx, 0, rx.read_size))
		return 0;
	for (;;) {
		size_t left = rx.avail - rx.pos;

		if (left < VMCI_DG_HDR_SIZE) {
			/* A header never straddles a read: the tail is padding. */
			if (!vmci_rx_read(dev, &rx, 0, rx.read_size))
				break;
			rx.pos = 0;
			continue;
		}
		dg = (const struct vmci_dg_hdr *)(rx.buf + rx.pos);
		if (dg->dst.resource == VMCI_INVALID_ID) {
			if (vmci_rx_marker(&rx))
				continue;
			break;
		}
		size = vmci_dg_in_size(dg);
		if (size == UINT64_MAX) {
			vmci_dg_malformed(dev, "payload_size", dg->payload_size, VMCI_RX_SKIP_MAX);
			break;
		}
		if (size > VMCI_RX_BUF_SIZE) {
			dev->stats.dg_oversized++;
			vmci_dg_malformed(dev, "aligned size", size, VMCI_RX_BUF_SIZE);
			if (size <= left)
				rx.pos += size;
			else if (!vmci_rx_skip(dev, &rx, size - left))
				break;
			continue;
		}
		if (size > left) {
			if (!vmci_rx_continue(dev, &rx))
				break;
			dg = (const struct vmci_dg_hdr *)rx.buf;
		}
		vmci_dg_dispatch(dev, dg);
		n++;
		rx.pos += size;
	}
	return n;
}

int
vmci_dg_receive(struct vmci_device *dev)
{
	int total = 0;
	int i, n;

	dev->rx_more = false;
	dev->stats.rx_passes++;
	if (!vmci_dev_dma(dev))
		return vmci_dg_receive_pass(dev);
	/*
	 * A DMA receive ends where the next datagram did not fit: go again
	 * while passes bring datagrams, and at the bound leave the rest to
	 * the next poll whatever ICR then says.
	 */
	for (i = 0; i < VMCI_RX_DMA_MAX_PASSES; i++) {
		n = vmci_dg_receive_pass(dev);
		total += n;
		if (n == 0)
			return total;
	}
	dev->rx_more = true;
	return total;
}

struct vmci_dgram_ep *
vmci_dgram_ep_create(struct vmci_device *dev, uint32_t rid, vmci_dgram_cb_t cb, void *arg)
{
	struct vmci_dgram_ep *ep;
	int err = 0;

	if (dev == NULL || cb == NULL || rid == VMCI_EVENT_HANDLER_RID) {
		VMCI_DG_LOG(ERR, "invalid endpoint arguments (rid %u, cb %p)", rid, cb);
		rte_errno = EINVAL;
		return NULL;
	}
	ep = calloc(1, sizeof(*ep));
	if (ep == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	vmci_dev_lock(dev);
	if (rid == VMCI_INVALID_ID) {
		rid = vmci_rid_alloc(dev);
		if (rid == 0)
			err = ENOSPC;
	} else if (vmci_rid_in_use(dev, rid)) {
		VMCI_DG_LOG(ERR, "%s: resource ID %u already in use", dev->name, rid);
		err = EEXIST;
	}
	if (err == 0) {
		ep->dev = dev;
		ep->rid = rid;
		ep->cb = cb;
		ep->arg = arg;
		TAILQ_INSERT_TAIL(&dev->dgram_eps, ep, next);
	}
	vmci_dev_unlock(dev);
	if (err != 0) {
		free(ep);
		rte_errno = err;
		return NULL;
	}
	return ep;
}

void
vmci_dgram_ep_destroy(struct vmci_dgram_ep *ep)
{
	struct vmci_device *dev;

	if (ep == NULL)
		return;
	dev = ep->dev;
	vmci_dev_lock(dev);
	TAILQ_REMOVE(&dev->dgram_eps, ep, next);
	vmci_dev_unlock(dev);
	free(ep);
}

void
vmci_dgram_ep_free_all(struct vmci_device *dev)
{
	struct vmci_dgram_ep *ep;

	while ((ep = TAILQ_FIRST(&dev->dgram_eps)) != NULL) {
		TAILQ_REMOVE(&dev->dgram_eps, ep, next);
		free(ep);
	}
}

struct rte_vmci_handle
vmci_dgram_ep_handle(const struct vmci_dgram_ep *ep)
{
	struct rte_vmci_handle h = {
		.context = vmci_device_context_id(ep->dev),
		.resource = ep->rid,
	};

	return h;
}

int
vmci_dgram_send(struct vmci_dgram_ep *ep, struct rte_vmci_handle dst,
		const void *payload, size_t len)
{
	struct vmci_device *dev = ep->dev;
	struct vmci_dg_hdr *dg;
	int32_t result;
	int ret;

	if (len > VMCI_MAX_DG_PAYLOAD_SIZE || (len > 0 && payload == NULL)) {
		VMCI_DG_LOG(ERR, "%s: payload of %zu bytes, expected <= %u",
			    dev->name, len, VMCI_MAX_DG_PAYLOAD_SIZE);
		return -EMSGSIZE;
	}
	/* tx_buf is shared by senders: build and send under the channel lock. */
	rte_spinlock_lock(&dev->chan_lock);
	dg = (struct vmci_dg_hdr *)dev->tx_buf;
	dg->dst = dst;
	dg->src = vmci_dgram_ep_handle(ep);
	dg->payload_size = len;
	if (len > 0)
		memcpy(dg + 1, payload, len);
	ret = vmci_send_datagram_locked(dev, dg, &result);
	rte_spinlock_unlock(&dev->chan_lock);
	if (ret < 0)
		return ret;
	return vmci_dg_send_result(dev, dst, len, result);
}
