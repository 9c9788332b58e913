/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

#ifndef _REC_HW_H_
#define _REC_HW_H_

/*
 * A register-access recorder: a struct vmci_hw that forwards every access
 * to another one (the emulated device) and logs it, so that tests can check
 * the order in which the device core drives the registers. A datagram sent
 * through the FIFO or by a DMA_OUT_LOW write is logged as one "send" entry
 * naming its destination, read from the bytes the device is handed.
 */

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <rte_memory.h>

#include "vmci_defs.h"
#include "vmci_hw.h"

enum rec_op {
	REC_READ,      /* val: value read */
	REC_WRITE,     /* val: value written */
	REC_SEND,      /* val: destination resource of a datagram to the hypervisor */
	REC_FIFO_READ, /* val: bytes read */
};

struct rec_entry {
	enum rec_op op;
	uint32_t off;
	uint32_t val;
};

#define REC_MAX 512

struct rec_hw {
	struct vmci_hw hw;      /* first: handed to the core */
	struct vmci_hw *inner;
	uint32_t out_high;      /* DATA_OUT_HIGH as programmed */
	unsigned int n;
	bool overflow;
	struct rec_entry log[REC_MAX];
	/* Outbound hygiene (rec_hygiene): datagrams checked, bytes not zeroed. */
	unsigned int dg_checked;
	unsigned int dg_dirty;
	uint32_t hcall_seen;    /* bit per hypercall resource sent */
	uint32_t caps;          /* capabilities the core wrote back (CAPS) */
};

static inline void
rec_add(struct rec_hw *r, enum rec_op op, uint32_t off, uint32_t val)
{
	if (r->n == REC_MAX) {
		r->overflow = true;
		return;
	}
	r->log[r->n++] = (struct rec_entry){ .op = op, .off = off, .val = val };
}

/* Destination of a datagram: the hypervisor resource, or ~0 for others. */
static inline uint32_t
rec_dg_dst(const void *dg, size_t len)
{
	const struct vmci_dg_hdr *h = dg;

	if (len < VMCI_DG_HDR_SIZE || h->dst.context != VMCI_HYPERVISOR_CID)
		return UINT32_MAX;
	return h->dst.resource;
}

/*
 * Outbound hygiene: every byte the core sends that carries no field must
 * be zero (no stack or heap contents reach the hypervisor). Checks the
 * pad words of the hypercall messages and the bytes past payload_size.
 */
static inline bool
rec_zero(const uint8_t *p, size_t len)
{
	while (len-- > 0)
		if (*p++ != 0)
			return false;
	return true;
}

static inline void
rec_hygiene(struct rec_hw *r, const void *dg, size_t len)
{
	const struct vmci_dg_hdr *h = dg;
	const uint8_t *b = dg;
	bool clean = true;
	size_t end;

	if (len < VMCI_DG_HDR_SIZE) {
		r->dg_dirty++;
		return;
	}
	r->dg_checked++;
	end = VMCI_DG_HDR_SIZE + h->payload_size;
	if (end > len)
		clean = false;
	else
		clean = rec_zero(b + end, len - end);
	if (h->dst.context == VMCI_HYPERVISOR_CID && h->dst.resource < 32) {
		r->hcall_seen |= 1u << h->dst.resource;
		if (h->dst.resource == VMCI_RESOURCES_QUERY &&
		    len >= sizeof(struct vmci_resources_query_msg))
			clean &= ((const struct vmci_resources_query_msg *)dg)->pad == 0;
		/* Both forms carry 8 bytes: a u64 with PPN64, else a u32 and a pad. */
		if (h->dst.resource == VMCI_SET_NOTIFY_BITMAP &&
		    !(r->caps & VMCI_CAPS_PPN64) &&
		    len >= sizeof(struct vmci_notify_bitmap_set32_msg))
			clean &= ((const struct vmci_notify_bitmap_set32_msg *)dg)->pad == 0;
	}
	if (!clean) {
		r->dg_dirty++;
		printf("  not zeroed: datagram to %u:%u, payload %" PRIu64 " bytes, %zu sent\n",
		       h->dst.context, h->dst.resource, h->payload_size, len);
	}
}

static inline uint32_t
rec_read32(struct vmci_hw *hw, uint32_t off)
{
	struct rec_hw *r = (struct rec_hw *)hw;
	uint32_t val = r->inner->ops->read32(r->inner, off);

	rec_add(r, REC_READ, off, val);
	return val;
}

static inline void
rec_write32(struct vmci_hw *hw, uint32_t off, uint32_t val)
{
	struct rec_hw *r = (struct rec_hw *)hw;

	if (off == VMCI_REG_DATA_OUT_HIGH)
		r->out_high = val;
	if (off == VMCI_REG_CAPS)
		r->caps = val;
	if (off == VMCI_REG_DATA_OUT_LOW) {
		/* The inline datagram follows the 24-byte DMA header. */
		const struct vmci_dma_hdr *hdr =
			rte_mem_iova2virt(((uint64_t)r->out_high << 32) | val);

		rec_add(r, REC_SEND, off, hdr == NULL ? UINT32_MAX :
			rec_dg_dst(hdr + 1, hdr->size));
		if (hdr != NULL) {
			if (hdr->rsvd != 0)
				r->dg_dirty++;
			rec_hygiene(r, hdr + 1, hdr->size);
		}
	} else {
		rec_add(r, REC_WRITE, off, val);
	}
	r->inner->ops->write32(r->inner, off, val);
}

static inline void
rec_write_fifo(struct vmci_hw *hw, uint32_t off, const void *buf, size_t len)
{
	struct rec_hw *r = (struct rec_hw *)hw;

	rec_add(r, REC_SEND, off, rec_dg_dst(buf, len));
	if (off == VMCI_REG_DATA_OUT)
		rec_hygiene(r, buf, len);
	r->inner->ops->write_fifo(r->inner, off, buf, len);
}

static inline void
rec_read_fifo(struct vmci_hw *hw, uint32_t off, void *buf, size_t len)
{
	struct rec_hw *r = (struct rec_hw *)hw;

	rec_add(r, REC_FIFO_READ, off, (uint32_t)len);
	r->inner->ops->read_fifo(r->inner, off, buf, len);
}

static const struct vmci_hw_ops rec_hw_ops = {
	.read32 = rec_read32,
	.write32 = rec_write32,
	.write_fifo = rec_write_fifo,
	.read_fifo = rec_read_fifo,
};

static inline void
rec_hw_init(struct rec_hw *r, struct vmci_hw *inner)
{
	memset(r, 0, sizeof(*r));
	r->inner = inner;
	r->hw = *inner;
	r->hw.ops = &rec_hw_ops;
}

static inline const char *
rec_reg_name(uint32_t off)
{
	static const char * const names[] = {
		"STATUS", "CONTROL", "ICR", "IMR", "DATA_OUT", "DATA_IN", "CAPS",
		"RESULT_LOW", "RESULT_HIGH", "DATA_OUT_LOW", "DATA_OUT_HIGH",
		"DATA_IN_LOW", "DATA_IN_HIGH", "GUEST_PAGE_SHIFT",
	};

	return off % 4 == 0 && off / 4 < RTE_DIM(names) ? names[off / 4] : "?";
}

static inline void
rec_dump(const struct rec_hw *r, unsigned int from)
{
	static const char * const ops[] = { "read", "write", "send", "fifo-read" };
	unsigned int i;

	for (i = from; i < r->n; i++)
		printf("    %3u %-9s %-16s 0x%x\n", i, ops[r->log[i].op],
		       rec_reg_name(r->log[i].off), r->log[i].val);
}

#endif /* _REC_HW_H_ */
