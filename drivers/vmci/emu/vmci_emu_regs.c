/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

/*
 * Register file of the emulated device: CAPS negotiation, CONTROL, ICR,
 * IMR, the port-I/O datagram FIFOs and DMA datagrams. Every access runs
 * under the instance lock, so one access is atomic with respect to the
 * hypervisor and to other devices.
 */

#include <inttypes.h>
#include <string.h>

#include <rte_common.h>

#include "vmci_emu_private.h"

#define EMU_MAX_SG ((EMU_PAGE - sizeof(struct vmci_dma_hdr)) / sizeof(struct vmci_sg_elem))

static inline struct emu_dev *
emu_dev_of(struct emu_handle *h)
{
	return emu_end_dev(h->hv, h->slot);
}

/* CONTROL RESET: what the device forgets (see the report / header). */
void
emu_dev_reset(struct emu_dev *dev)
{
	dev->bitmap_va = 0;
	emu_dgq_flush(&dev->q);
	dev->rx_len = 0;
	dev->rx_off = 0;
	dev->rx_after_marker = false;
	dev->tx_len = 0;
	dev->tx_discard = false;
	__atomic_store_n(&dev->icr, 0, __ATOMIC_RELAXED);
	dev->imr = 0;
	dev->status = 0;
	dev->result = 0;
}

/*
 * A guest sends each datagram as "write all bytes, read RESULT_LOW", so a
 * RESULT read (or CAPS write, or RESET) ends the datagram in progress:
 * bytes of a truncated one are dropped and the stream starts afresh.
 */
static void
emu_tx_resync(struct emu_dev *dev)
{
	if (dev->tx_len > 0 && !dev->tx_discard) {
		EMU_LOG(INFO, "cid %u: datagram truncated after %u bytes",
			dev->cid, dev->tx_len);
		dev->result = VMCI_ERROR_DATAGRAM_INCOMPLETE;
	}
	dev->tx_len = 0;
	dev->tx_discard = false;
}

static uint32_t
emu_read32(struct vmci_hw *hw, uint32_t off)
{
	struct emu_handle *h = emu_handle(hw);
	struct emu_dev *dev = emu_dev_of(h);
	uint32_t val = 0;

	/*
	 * A poll loop reads ICR all the time and finds it clear nearly always:
	 * answer that without the instance lock, which the other side's
	 * datagram sends need. Clear-on-read of a set ICR stays under the lock.
	 */
	if (off == VMCI_REG_ICR && __atomic_load_n(&dev->icr, __ATOMIC_ACQUIRE) == 0)
		return 0;
	rte_spinlock_lock(&h->hv->lock);
	switch (off) {
	case VMCI_REG_STATUS:
		val = dev->status;
		break;
	case VMCI_REG_ICR:
		val = dev->icr & ~dev->icr_hide;
		__atomic_store_n(&dev->icr, 0, __ATOMIC_RELAXED);
		break;
	case VMCI_REG_IMR:
		val = dev->imr;
		break;
	case VMCI_REG_CAPS:
		val = dev->caps;
		break;
	case VMCI_REG_RESULT_LOW:
		emu_tx_resync(dev);
		val = (uint32_t)dev->result;
		break;
	case VMCI_REG_RESULT_HIGH:
		emu_tx_resync(dev);
		val = dev->result < 0 ? UINT32_MAX : 0;
		break;
	case VMCI_REG_GUEST_PAGE_SHIFT:
		val = dev->page_shift;
		break;
	default:
		/* Write-only and unknown registers read as 0. */
		if (off >= VMCI_REG_FILE_SIZE || (off & 3) != 0)
			EMU_LOG(INFO, "read of register 0x%x: expected an aligned offset < 0x%x",
				off, VMCI_REG_FILE_SIZE);
		break;
	}
	rte_spinlock_unlock(&h->hv->lock);
	return val;
}

static void
emu_control(struct emu_dev *dev, uint32_t val)
{
	if (val & VMCI_CONTROL_RESET) {
		dev->resets++;
		emu_dev_reset(dev);
	}
	if (val & VMCI_CONTROL_INT_ENABLE)
		dev->status |= VMCI_STATUS_INT_ON;
	if (val & VMCI_CONTROL_INT_DISABLE)
		dev->status &= ~VMCI_STATUS_INT_ON;
}

static void
emu_caps_write(struct emu_dev *dev, uint32_t val)
{
	emu_tx_resync(dev);
	if ((val & ~dev->caps) != 0) {
		EMU_LOG(INFO, "cid %u: caps-in-use 0x%x not a subset of offered 0x%x; ignored",
			dev->cid, val, dev->caps);
		return;
	}
	dev->caps_in_use = val;
	dev->rx_len = 0;
	dev->rx_off = 0;
	dev->rx_after_marker = false;
}

/* Writer over a guest S/G list that was validated and mapped. */
struct emu_sg_cursor {
	uint8_t *va[EMU_MAX_SG];
	uint64_t len[EMU_MAX_SG];
	uint32_t n;
	uint32_t i;
	uint64_t off;
};

static void
emu_sg_write(struct emu_sg_cursor *c, const void *src, uint64_t len, bool fill)
{
	const uint8_t *s = src;
	uint64_t chunk;

	while (len > 0 && c->i < c->n) {
		chunk = RTE_MIN(len, c->len[c->i] - c->off);
		if (fill)
			memset(c->va[c->i] + c->off, 0xFF, chunk);
		else
			memcpy(c->va[c->i] + c->off, s, chunk);
		s += fill ? 0 : chunk;
		len -= chunk;
		c->off += chunk;
		if (c->off == c->len[c->i]) {
			c->i++;
			c->off = 0;
		}
	}
}

static int
emu_dma_send_exec(struct emu_handle *h, struct emu_dev *dev, uint64_t iova,
		  const struct vmci_dma_hdr *hdr)
{
	const struct vmci_dg_hdr *dg = (const struct vmci_dg_hdr *)dev->tx_buf;
	const void *src;

	if (hdr->opcode != VMCI_DMA_OP_INLINE) {
		EMU_LOG(INFO, "cid %u: DMA send opcode %u: expected %u",
			dev->cid, hdr->opcode, VMCI_DMA_OP_INLINE);
		return VMCI_ERROR_INVALID_ARGS;
	}
	if (hdr->size < VMCI_DG_HDR_SIZE || hdr->size > VMCI_MAX_DG_SIZE) {
		EMU_LOG(INFO, "cid %u: DMA send size %u: expected %u..%u",
			dev->cid, hdr->size, VMCI_DG_HDR_SIZE, VMCI_MAX_DG_SIZE);
		return VMCI_ERROR_INVALID_ARGS;
	}
	src = emu_iova_map(iova + sizeof(*hdr), hdr->size);
	if (src == NULL) {
		EMU_LOG(INFO, "cid %u: DMA send buffer at IOVA 0x%" PRIx64 " not mapped",
			dev->cid, iova);
		return VMCI_ERROR_INVALID_ARGS;
	}
	memcpy(dev->tx_buf, src, hdr->size);
	if (dg->payload_size != hdr->size - VMCI_DG_HDR_SIZE) {
		EMU_LOG(INFO, "cid %u: DMA send of %u bytes: payload_size %" PRIu64
			" expected %u", dev->cid, hdr->size, dg->payload_size,
			hdr->size - VMCI_DG_HDR_SIZE);
		return VMCI_ERROR_INVALID_ARGS;
	}
	return emu_dg_execute(h->hv, h->slot, dg, hdr->size);
}

/*
 * DATA_OUT_LOW write. A header at an unmapped IOVA cannot be completed:
 * RESULT_LOW gets the error and busy stays set, as the device has nowhere
 * to write.
 */
/*
 * The DMA header the guest named, or NULL with the error in RESULT. It
 * must start a page-aligned buffer (vmci-device.md 4.5): the device writes
 * its busy and result words back, which it could not do at an odd address.
 */
static struct vmci_dma_hdr *
emu_dma_hdr_map(struct emu_dev *dev, uint64_t iova, const char *what)
{
	struct vmci_dma_hdr *gh;

	if (iova % EMU_PAGE != 0) {
		EMU_LOG(INFO, "cid %u: DMA %s header at IOVA 0x%" PRIx64
			": expected a page-aligned buffer", dev->cid, what, iova);
		dev->result = VMCI_ERROR_NOT_PAGE_ALIGNED;
		return NULL;
	}
	gh = emu_iova_map(iova, sizeof(*gh));
	if (gh == NULL) {
		EMU_LOG(INFO, "cid %u: DMA %s header at unmapped IOVA 0x%" PRIx64,
			dev->cid, what, iova);
		dev->result = VMCI_ERROR_INVALID_ARGS;
	}
	return gh;
}

static void
emu_dma_send(struct emu_handle *h, struct emu_dev *dev, uint32_t low)
{
	uint64_t iova = (uint64_t)dev->out_high << 32 | low;
	struct vmci_dma_hdr *gh = emu_dma_hdr_map(dev, iova, "send");
	struct vmci_dma_hdr hdr;
	int ret;

	if (gh == NULL)
		return;
	memcpy(&hdr, gh, sizeof(hdr));
	ret = emu_dma_send_exec(h, dev, iova, &hdr);
	dev->result = ret;
	gh->result = (uint64_t)(int64_t)ret;
	__atomic_store_n(&gh->busy, 0, __ATOMIC_RELEASE);
}

static int
emu_dma_map_sg(struct emu_dev *dev, uint64_t iova, uint32_t n,
	       struct emu_sg_cursor *c)
{
	struct vmci_sg_elem sg[EMU_MAX_SG];
	const void *gsg;
	uint32_t i;

	if (n == 0 || n > EMU_MAX_SG) {
		EMU_LOG(INFO, "cid %u: DMA receive with %u S/G elements: expected 1..%zu",
			dev->cid, n, EMU_MAX_SG);
		return VMCI_ERROR_INVALID_ARGS;
	}
	gsg = emu_iova_map(iova + sizeof(struct vmci_dma_hdr), n * sizeof(sg[0]));
	if (gsg == NULL)
		return VMCI_ERROR_INVALID_ARGS;
	memcpy(sg, gsg, n * sizeof(sg[0]));
	memset(c, 0, sizeof(*c));
	for (i = 0; i < n; i++) {
		c->va[i] = emu_iova_map(sg[i].addr, sg[i].size);
		if (c->va[i] == NULL) {
			EMU_LOG(INFO, "cid %u: S/G element %u {0x%" PRIx64 ", %" PRIu64
				"} not mapped", dev->cid, i, sg[i].addr, sg[i].size);
			return VMCI_ERROR_INVALID_ARGS;
		}
		c->len[i] = sg[i].size;
	}
	c->n = n;
	return VMCI_SUCCESS;
}

/*
 * Copy whole datagrams while they fit, then the end marker. With the
 * dma_split fault, a datagram whose header fits but whose rest does not
 * is split: its first part ends this receive, the rest starts the next
 * one (the reference guests move the part to the front of their buffer
 * and read the rest after it).
 */
static void
emu_dma_fill(struct emu_dev *dev, struct emu_sg_cursor *c)
{
	uint64_t total = 0, off = 0, n;
	uint32_t size, i;

	for (i = 0; i < c->n; i++)
		total += c->len[i];
	if (dev->rx_off < dev->rx_len) {
		n = RTE_MIN(total, (uint64_t)(dev->rx_len - dev->rx_off));
		emu_sg_write(c, dev->rx_dg + dev->rx_off, n, false);
		dev->rx_off += n;
		off = n;
		if (dev->rx_off < dev->rx_len)
			return;
		dev->rx_off = dev->rx_len = 0;
	}
	while ((size = RTE_ALIGN_CEIL(emu_dgq_peek_size(&dev->q), VMCI_DG_ALIGN)) != 0) {
		if (off + size > total) {
			if (dev->dma_split == 0 || total - off < VMCI_DG_HDR_SIZE)
				break;
			dev->dma_split--;
			emu_dgq_take(&dev->q, dev->rx_dg, size);
			dev->rx_len = size;
			dev->rx_off = (uint32_t)(total - off);
			emu_sg_write(c, dev->rx_dg, dev->rx_off, false);
			return;
		}
		emu_dgq_take(&dev->q, dev->rx_dg, size);
		emu_sg_write(c, dev->rx_dg, size, false);
		off += size;
	}
	if (total - off >= VMCI_DG_HDR_SIZE)
		emu_sg_write(c, NULL, VMCI_DG_HDR_SIZE, true);
}

/* DATA_IN_LOW write: invalid requests are not completed (busy stays 0). */
static void
emu_dma_recv(struct emu_dev *dev, uint32_t low)
{
	uint64_t iova = (uint64_t)dev->in_high << 32 | low;
	struct vmci_dma_hdr *gh = emu_dma_hdr_map(dev, iova, "receive");
	struct emu_sg_cursor c;
	struct vmci_dma_hdr hdr;

	if (gh == NULL)
		return;
	memcpy(&hdr, gh, sizeof(hdr));
	if (hdr.opcode != VMCI_DMA_OP_SG) {
		EMU_LOG(INFO, "cid %u: DMA receive opcode %u: expected %u",
			dev->cid, hdr.opcode, VMCI_DMA_OP_SG);
		dev->result = VMCI_ERROR_INVALID_ARGS;
		return;
	}
	dev->result = emu_dma_map_sg(dev, iova, hdr.size, &c);
	if (dev->result < 0)
		return;
	emu_dma_fill(dev, &c);
	__atomic_store_n(&gh->busy, 1, __ATOMIC_RELEASE);
	emu_icr_raise(dev, VMCI_ICR_DMA_DATAGRAM);
	if (dev->q.count > 0 || dev->rx_len > 0)
		emu_icr_raise(dev, VMCI_ICR_DATAGRAM);
}

static bool
emu_dma_on(const struct emu_dev *dev)
{
	return (dev->caps_in_use & VMCI_CAPS_DMA_DATAGRAM) != 0;
}

static void
emu_write32(struct vmci_hw *hw, uint32_t off, uint32_t val)
{
	struct emu_handle *h = emu_handle(hw);
	struct emu_dev *dev = emu_dev_of(h);

	rte_spinlock_lock(&h->hv->lock);
	switch (off) {
	case VMCI_REG_CONTROL:
		emu_control(dev, val);
		break;
	case VMCI_REG_IMR:
		dev->imr = val & (VMCI_ICR_DATAGRAM | VMCI_ICR_NOTIFICATION |
				  VMCI_ICR_DMA_DATAGRAM);
		break;
	case VMCI_REG_CAPS:
		emu_caps_write(dev, val);
		break;
	case VMCI_REG_DATA_OUT_HIGH:
		dev->out_high = val;
		break;
	case VMCI_REG_DATA_IN_HIGH:
		dev->in_high = val;
		break;
	case VMCI_REG_DATA_OUT_LOW:
	case VMCI_REG_DATA_IN_LOW:
		if (!emu_dma_on(dev))
			EMU_LOG(INFO, "cid %u: DMA register 0x%x written without DMA_DATAGRAM in use",
				dev->cid, off);
		else if (off == VMCI_REG_DATA_OUT_LOW)
			emu_dma_send(h, dev, val);
		else
			emu_dma_recv(dev, val);
		break;
	case VMCI_REG_GUEST_PAGE_SHIFT:
		/* Page numbers stay in 4 KiB units; other shifts are latched only. */
		if (val != RTE_VMCI_QP_PAGE_SHIFT)
			EMU_LOG(INFO, "cid %u: GUEST_PAGE_SHIFT %u: only %u is modelled",
				dev->cid, val, RTE_VMCI_QP_PAGE_SHIFT);
		dev->page_shift = val;
		break;
	default:
		EMU_LOG(INFO, "cid %u: write 0x%x to register 0x%x ignored",
			dev->cid, val, off);
		break;
	}
	rte_spinlock_unlock(&h->hv->lock);
}

/* Limit for a datagram whose header just arrived on DATA_OUT. */
static uint64_t
emu_tx_limit(const struct vmci_dg_hdr *dg)
{
	return dg->dst.context == VMCI_HYPERVISOR_CID ?
		VMCI_EMU_MAX_HV_DG_SIZE : VMCI_MAX_DG_SIZE;
}

/* Accept up to @len bytes; returns bytes consumed. */
static size_t
emu_tx_bytes(struct emu_handle *h, struct emu_dev *dev, const uint8_t *p, size_t len)
{
	const struct vmci_dg_hdr *dg = (const struct vmci_dg_hdr *)dev->tx_buf;
	uint64_t want;
	size_t n;

	if (dev->tx_len < VMCI_DG_HDR_SIZE)
		want = VMCI_DG_HDR_SIZE;
	else
		want = VMCI_DG_HDR_SIZE + dg->payload_size;
	n = RTE_MIN((uint64_t)len, want - dev->tx_len);
	memcpy(dev->tx_buf + dev->tx_len, p, n);
	dev->tx_len += n;
	if (dev->tx_len == VMCI_DG_HDR_SIZE &&
	    dg->payload_size > emu_tx_limit(dg) - VMCI_DG_HDR_SIZE) {
		EMU_LOG(INFO, "cid %u: payload_size %" PRIu64 " to %u:%u: expected <= %" PRIu64,
			dev->cid, dg->payload_size, dg->dst.context, dg->dst.resource,
			emu_tx_limit(dg) - VMCI_DG_HDR_SIZE);
		dev->result = VMCI_ERROR_PAYLOAD_TOO_LARGE;
		dev->tx_discard = true;
		return n;
	}
	if (dev->tx_len == VMCI_DG_HDR_SIZE + dg->payload_size) {
		dev->result = emu_dg_execute(h->hv, h->slot, dg, dev->tx_len);
		dev->tx_len = 0;
	}
	return n;
}

static void
emu_write_fifo(struct vmci_hw *hw, uint32_t off, const void *buf, size_t len)
{
	struct emu_handle *h = emu_handle(hw);
	struct emu_dev *dev = emu_dev_of(h);
	const uint8_t *p = buf;
	size_t n;

	if (off != VMCI_REG_DATA_OUT) {
		EMU_LOG(INFO, "byte string write to register 0x%x: expected DATA_OUT", off);
		return;
	}
	rte_spinlock_lock(&h->hv->lock);
	if (emu_dma_on(dev)) {
		EMU_LOG(INFO, "cid %u: DATA_OUT written with DMA datagrams in use; ignored",
			dev->cid);
	} else {
		while (len > 0 && !dev->tx_discard) {
			n = emu_tx_bytes(h, dev, p, len);
			p += n;
			len -= n;
		}
	}
	rte_spinlock_unlock(&h->hv->lock);
}

/*
 * Fill @out, whose first byte lands at offset @pos of the guest's receive
 * buffer, from the DATA_IN stream.
 */
static void
emu_rx_fill(struct emu_dev *dev, uint8_t *out, size_t len, uint64_t pos)
{
	size_t done = 0, left, n;
	uint64_t bpos;
	uint32_t size;

	while (done < len) {
		left = len - done;
		bpos = pos + done;
		if (dev->rx_off < dev->rx_len) {
			n = RTE_MIN((uint64_t)left, dev->rx_len - dev->rx_off);
			memcpy(out + done, dev->rx_dg + dev->rx_off, n);
			dev->rx_off += n;
			done += n;
			if (dev->rx_off == dev->rx_len)
				dev->rx_off = dev->rx_len = 0;
			continue;
		}
		if (dev->rx_after_marker && bpos % EMU_PAGE != 0) {
			n = RTE_MIN((uint64_t)left, EMU_PAGE - bpos % EMU_PAGE);
			memset(out + done, 0xFF, n);
			done += n;
			continue;
		}
		dev->rx_after_marker = false;
		/* The stream carries each datagram in its 8-byte aligned size. */
		size = RTE_ALIGN_CEIL(emu_dgq_peek_size(&dev->q), VMCI_DG_ALIGN);
		if (left < VMCI_DG_HDR_SIZE) {
			/* A header never straddles a read: pad, guest drops the tail. */
			memset(out + done, 0xFF, left);
			done += left;
		} else if (size == 0) {
			/* End marker: an all-0xFF header, dst.resource invalid. */
			memset(out + done, 0xFF, VMCI_DG_HDR_SIZE);
			done += VMCI_DG_HDR_SIZE;
			dev->rx_after_marker = true;
		} else {
			emu_dgq_take(&dev->q, dev->rx_dg, size);
			dev->rx_len = size;
			dev->rx_off = 0;
		}
	}
}

/*
 * DATA_IN byte string read. The guest reads into the start of its buffer,
 * except when it continues a datagram that crossed the end of the previous
 * read: then it has moved the partial bytes (rx_off of them) to the buffer
 * start and reads the rest of a 69632-byte buffer after them. Recognise
 * that case by the read ending on a page boundary.
 */
static void
emu_read_fifo(struct vmci_hw *hw, uint32_t off, void *buf, size_t len)
{
	struct emu_handle *h = emu_handle(hw);
	struct emu_dev *dev = emu_dev_of(h);
	uint64_t pos = 0;

	if (off != VMCI_REG_DATA_IN) {
		EMU_LOG(INFO, "byte string read of register 0x%x: expected DATA_IN", off);
		memset(buf, 0xFF, len);
		return;
	}
	rte_spinlock_lock(&h->hv->lock);
	if (emu_dma_on(dev)) {
		memset(buf, 0xFF, len);
	} else {
		if (dev->rx_off > 0 && (dev->rx_off + len) % EMU_PAGE == 0)
			pos = dev->rx_off;
		emu_rx_fill(dev, buf, len, pos);
	}
	rte_spinlock_unlock(&h->hv->lock);
}

const struct vmci_hw_ops emu_hw_ops = {
	.read32 = emu_read32,
	.write32 = emu_write32,
	.write_fifo = emu_write_fifo,
	.read_fifo = emu_read_fifo,
};

/* The host context's register file: the same, and it maps guest pages. */
const struct vmci_hw_ops emu_host_hw_ops = {
	.read32 = emu_read32,
	.write32 = emu_write32,
	.write_fifo = emu_write_fifo,
	.read_fifo = emu_read_fifo,
	.qp_map = emu_host_qp_map,
};
