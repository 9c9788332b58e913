/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

/*
 * Event datagrams (vmci-device.md, events): a well-formed datagram header
 * from the hypervisor's context resource to our event handler, carrying
 * fuzzed event data. Input: u32 event, u8 declared payload size (may lie
 * about the bytes present), u8 source selector, then the payload bytes.
 * Subscribers read what they are given in full.
 */

#include <string.h>

#include <rte_common.h>

#include "fuzz_common.h"
#include "mock_hw.h"
#include "vmci_core.h"

static volatile uint8_t sink;

static void
event_cb(struct vmci_device *dev, uint32_t event, const void *payload, uint32_t len, void *arg)
{
	const uint8_t *p = payload;
	uint8_t x = 0;
	uint32_t i;

	RTE_SET_USED(dev);
	RTE_SET_USED(arg);
	if (event >= VMCI_EVENT_MAX || len > VMCI_EVENT_MAX_PAYLOAD)
		abort(); /* validation let an impossible event through */
	for (i = 0; i < len; i++)
		x ^= p[i];
	sink = x;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	RTE_SET_USED(argc);
	RTE_SET_USED(argv);
	fuzz_eal_init("event");
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	struct {
		struct vmci_dg_hdr hdr;
		uint8_t payload[256];
	} dg;
	struct vmci_device *dev;
	struct mock_hw *m;
	uint32_t ev, event;
	size_t present;
	uint8_t src;

	memset(&dg, 0, sizeof(dg));
	event = (uint32_t)fuzz_take(&in, 4);
	dg.hdr.payload_size = fuzz_take(&in, 1);
	src = (uint8_t)fuzz_take(&in, 1);
	dg.hdr.dst.context = MOCK_CID;
	dg.hdr.dst.resource = VMCI_EVENT_HANDLER_RID;
	dg.hdr.src.context = (src & 1) ? VMCI_HOST_CID : VMCI_HYPERVISOR_CID;
	dg.hdr.src.resource = (src & 2) ? src : VMCI_CONTEXT_RESOURCE_ID;
	memcpy(dg.payload, &event, sizeof(event));
	present = RTE_MIN(in.left, sizeof(dg.payload) - sizeof(event));
	memcpy(dg.payload + sizeof(event), in.p, present);

	m = mock_hw_new(VMCI_CAPS_DATAGRAM | VMCI_CAPS_PPN64, false);
	if (m == NULL)
		abort();
	dev = vmci_device_create(&m->hw, NULL);
	if (dev == NULL)
		abort();
	for (ev = 0; ev < VMCI_EVENT_MAX; ev++)
		vmci_event_subscribe(dev, ev, event_cb, NULL);
	/* Datagrams occupy 8-aligned room in the stream, whatever they claim. */
	mock_put(m, &dg, sizeof(dg.hdr) + sizeof(event) + present,
		 RTE_ALIGN_CEIL(sizeof(dg.hdr) + sizeof(event) + present, 8));
	m->icr |= VMCI_ICR_DATAGRAM;
	vmci_device_poll(dev);
	vmci_device_destroy(dev);
	mock_hw_free(m);
	return 0;
}
