/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

#ifndef _MOCK_HW_H_
#define _MOCK_HW_H_

/*
 * A scripted VMCI register file for tests the emulated device cannot
 * express: devices offering odd capabilities, and receive streams with
 * malformed datagrams. Hypercalls get fixed answers (context ID 42,
 * RESOURCES_QUERY 1, everything else 0). DATA_IN (port mode) and DMA
 * receives hand out a scripted byte stream, then 0xFF filler. Memory is
 * named by IOVA and resolved with rte_mem_iova2virt(), like the emulator.
 */

#include <stdlib.h>
#include <string.h>

#include <rte_memory.h>

#include "vmci_defs.h"
#include "vmci_hw.h"

#define MOCK_CID 42u
#define MOCK_STREAM_MAX (1u << 20)

struct mock_hw {
	struct vmci_hw hw;
	uint32_t caps;
	uint32_t icr;
	uint32_t result;
	uint32_t out_high, in_high;
	/* port-mode DATA_OUT accumulator, aligned for the header */
	uint8_t out[VMCI_MAX_DG_SIZE + 4096] __attribute__((aligned(8)));
	size_t out_len;
	uint8_t *stream;     /* receive script */
	size_t stream_len;
	size_t stream_pos;
	unsigned int dma_chunk_max; /* DMA: bytes per receive (0: 69632) */
	unsigned int resets; /* CONTROL = RESET writes */
};

static inline int32_t
mock_hypercall(const struct vmci_dg_hdr *dg)
{
	if (dg->dst.context != VMCI_HYPERVISOR_CID)
		return VMCI_SUCCESS;
	switch (dg->dst.resource) {
	case VMCI_GET_CONTEXT_ID:
		return (int32_t)MOCK_CID;
	case VMCI_RESOURCES_QUERY:
		return 1;
	default:
		return VMCI_SUCCESS;
	}
}

static inline void
mock_stream_take(struct mock_hw *m, uint8_t *dst, size_t len)
{
	size_t have = m->stream_len - m->stream_pos;
	size_t n = len < have ? len : have;

	memcpy(dst, m->stream + m->stream_pos, n);
	m->stream_pos += n;
	memset(dst + n, 0xFF, len - n);
}

static inline void
mock_dma_rx(struct mock_hw *m, uint32_t low)
{
	struct vmci_dma_hdr *hdr = rte_mem_iova2virt(((uint64_t)m->in_high << 32) | low);
	struct vmci_sg_elem *sg = (struct vmci_sg_elem *)(hdr + 1);
	uint8_t *dst = rte_mem_iova2virt(sg->addr);
	size_t len = sg->size;

	if (m->dma_chunk_max != 0 && len > m->dma_chunk_max)
		len = m->dma_chunk_max;
	mock_stream_take(m, dst, len);
	if (len < sg->size)
		memset(dst + len, 0xFF, sg->size - len);
	__atomic_store_n(&hdr->busy, 1, __ATOMIC_RELEASE);
}

static inline void
mock_dma_tx(struct mock_hw *m, uint32_t low)
{
	struct vmci_dma_hdr *hdr = rte_mem_iova2virt(((uint64_t)m->out_high << 32) | low);

	m->result = (uint32_t)mock_hypercall((const struct vmci_dg_hdr *)(hdr + 1));
	hdr->result = m->result;
	__atomic_store_n(&hdr->busy, 0, __ATOMIC_RELEASE);
}

static inline uint32_t
mock_read32(struct vmci_hw *hw, uint32_t off)
{
	struct mock_hw *m = (struct mock_hw *)hw;
	uint32_t v;

	switch (off) {
	case VMCI_REG_CAPS:
		return m->caps;
	case VMCI_REG_RESULT_LOW:
		return m->result;
	case VMCI_REG_ICR:
		v = m->icr;
		m->icr = 0;
		return v;
	default:
		return 0;
	}
}

static inline void
mock_write32(struct vmci_hw *hw, uint32_t off, uint32_t val)
{
	struct mock_hw *m = (struct mock_hw *)hw;

	switch (off) {
	case VMCI_REG_CONTROL:
		if (val & VMCI_CONTROL_RESET)
			m->resets++;
		break;
	case VMCI_REG_DATA_OUT_HIGH:
		m->out_high = val;
		break;
	case VMCI_REG_DATA_IN_HIGH:
		m->in_high = val;
		break;
	case VMCI_REG_DATA_OUT_LOW:
		mock_dma_tx(m, val);
		break;
	case VMCI_REG_DATA_IN_LOW:
		mock_dma_rx(m, val);
		break;
	default:
		break;
	}
}

static inline void
mock_write_fifo(struct vmci_hw *hw, uint32_t off, const void *buf, size_t len)
{
	struct mock_hw *m = (struct mock_hw *)hw;
	const struct vmci_dg_hdr *dg;

	if (m->out_len + len > sizeof(m->out))
		abort();
	memcpy(m->out + m->out_len, buf, len);
	m->out_len += len;
	dg = (const struct vmci_dg_hdr *)m->out;
	if (m->out_len >= VMCI_DG_HDR_SIZE &&
	    m->out_len >= VMCI_DG_HDR_SIZE + dg->payload_size) {
		m->result = (uint32_t)mock_hypercall(dg);
		m->out_len = 0;
	}
}

static inline void
mock_read_fifo(struct vmci_hw *hw, uint32_t off, void *buf, size_t len)
{
	mock_stream_take((struct mock_hw *)hw, buf, len);
}

static const struct vmci_hw_ops mock_ops = {
	.read32 = mock_read32,
	.write32 = mock_write32,
	.write_fifo = mock_write_fifo,
	.read_fifo = mock_read_fifo,
};

static inline struct mock_hw *
mock_hw_new(uint32_t caps, bool mmio)
{
	struct mock_hw *m = calloc(1, sizeof(*m));

	if (m == NULL)
		return NULL;
	m->hw.ops = &mock_ops;
	m->hw.backend = "mock";
	m->hw.mmio = mmio;
	m->hw.numa_node = -1;
	m->caps = caps;
	m->stream = calloc(1, MOCK_STREAM_MAX);
	if (m->stream == NULL) {
		free(m);
		return NULL;
	}
	return m;
}

static inline void
mock_hw_free(struct mock_hw *m)
{
	if (m == NULL)
		return;
	free(m->stream);
	free(m);
}

/* Script helpers: append a datagram (8-aligned) or raw bytes to the stream. */
static inline uint8_t *
mock_put(struct mock_hw *m, const void *bytes, size_t len, size_t aligned)
{
	uint8_t *p = m->stream + m->stream_len;

	if (m->stream_len + aligned > MOCK_STREAM_MAX)
		abort();
	memset(p, 0, aligned);
	if (bytes != NULL)
		memcpy(p, bytes, len);
	m->stream_len += aligned;
	m->icr |= VMCI_ICR_DATAGRAM;
	return p;
}

static inline void
mock_put_dg(struct mock_hw *m, uint32_t dst_rid, uint64_t payload_size, uint8_t fill,
	    size_t bytes_present)
{
	struct vmci_dg_hdr h = {
		.dst = { MOCK_CID, dst_rid },
		.src = { VMCI_HOST_CID, 7 },
		.payload_size = payload_size,
	};
	uint8_t *p = mock_put(m, &h, sizeof(h), (VMCI_DG_HDR_SIZE + bytes_present + 7) & ~7ul);

	memset(p + sizeof(h), fill, bytes_present);
}

static inline void
mock_reset_stream(struct mock_hw *m)
{
	m->stream_len = 0;
	m->stream_pos = 0;
}

#endif /* _MOCK_HW_H_ */
