/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

/*
 * Incoming datagram stream: whatever the device hands out on DATA_IN
 * (port I/O) or in the DMA receive buffer. Input byte 0 picks the mode
 * (bit 0: DMA) and, for DMA, how many bytes one receive fills (bits 1-3),
 * so datagrams straddle buffer refills; the rest is the stream. Every
 * delivered payload and event is read in full so ASan sees any
 * out-of-bounds pointer the parser hands out.
 */

#include <string.h>

#include <rte_common.h>

#include "fuzz_common.h"
#include "mock_hw.h"
#include "vmci_core.h"

#define RID 1500u

static const unsigned int dma_chunks[8] = { 0, 24, 32, 100, 4096, 4100, 65536, 69632 };

static volatile uint8_t sink;

static void
touch(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint8_t x = 0;
	size_t i;

	for (i = 0; i < len; i++)
		x ^= b[i];
	sink = x;
}

static void
rx_cb(struct vmci_dgram_ep *ep, const struct vmci_dg_hdr *dg, const void *payload, void *arg)
{
	RTE_SET_USED(ep);
	RTE_SET_USED(arg);
	if (dg->payload_size > VMCI_MAX_DG_PAYLOAD_SIZE)
		abort(); /* the parser let an impossible size through */
	touch(dg, sizeof(*dg));
	touch(payload, dg->payload_size);
}

static void
event_cb(struct vmci_device *dev, uint32_t event, const void *payload, uint32_t len, void *arg)
{
	RTE_SET_USED(dev);
	RTE_SET_USED(event);
	RTE_SET_USED(arg);
	if (len > VMCI_EVENT_MAX_PAYLOAD)
		abort();
	touch(payload, len);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	RTE_SET_USED(argc);
	RTE_SET_USED(argv);
	fuzz_eal_init("dgram_rx");
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t caps = VMCI_CAPS_DATAGRAM | VMCI_CAPS_PPN64;
	struct vmci_device *dev;
	struct mock_hw *m;
	uint32_t ev;
	bool dma;
	int i;

	if (size < 1)
		return 0;
	dma = data[0] & 1;
	m = mock_hw_new(dma ? caps | VMCI_CAPS_DMA_DATAGRAM : caps, dma);
	if (m == NULL)
		abort();
	m->dma_chunk_max = dma_chunks[(data[0] >> 1) & 7];
	dev = vmci_device_create(&m->hw, NULL);
	if (dev == NULL)
		abort();
	if (vmci_dgram_ep_create(dev, RID, rx_cb, NULL) == NULL)
		abort();
	for (ev = 0; ev < VMCI_EVENT_MAX; ev++)
		vmci_event_subscribe(dev, ev, event_cb, NULL);

	size = RTE_MIN(size - 1, (size_t)MOCK_STREAM_MAX);
	memcpy(m->stream, data + 1, size);
	m->stream_len = size;
	/* Bounded: each pass must end even on a stream of garbage. */
	for (i = 0; i < 16 && m->stream_pos < m->stream_len; i++) {
		m->icr |= VMCI_ICR_DATAGRAM;
		vmci_device_poll(dev);
	}
	vmci_device_destroy(dev);
	mock_hw_free(m);
	return 0;
}
