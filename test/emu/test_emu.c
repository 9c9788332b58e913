/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

/*
 * Emulated VMCI device driven directly through its register interface,
 * playing the guest driver's part by hand.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_malloc.h>

#include "rte_vmci_qp_mem.h"
#include "vmci_emu_test.h"
#include "vmci_test.h"

#define HV "emutest"
#define PAGE 4096u

static struct vmci_hw *
dev_new(uint32_t cid, bool mmio)
{
	struct vmci_emu_dev_conf conf = {
		.hv_name = HV, .cid = cid, .mmio = mmio, .socket_id = SOCKET_ID_ANY,
	};
	struct vmci_hw *hw = vmci_emu_dev_create(&conf);
	uint32_t caps;

	if (hw == NULL)
		return NULL;
	caps = vmci_hw_read32(hw, VMCI_REG_CAPS);
	vmci_hw_write32(hw, VMCI_REG_CAPS, caps);
	return hw;
}

/* Port-I/O send, one byte access at a time as the PCI backend does. */
static int32_t
pio_send(struct vmci_hw *hw, const void *dg, size_t len)
{
	const uint8_t *p = dg;
	size_t i;

	for (i = 0; i < len; i++)
		vmci_hw_write_fifo(hw, VMCI_REG_DATA_OUT, p + i, 1);
	return (int32_t)vmci_hw_read32(hw, VMCI_REG_RESULT_LOW);
}

static void
hdr_init(struct vmci_dg_hdr *h, uint32_t dc, uint32_t dr, uint32_t sc, uint32_t sr,
	 uint64_t payload)
{
	h->dst.context = dc;
	h->dst.resource = dr;
	h->src.context = sc;
	h->src.resource = sr;
	h->payload_size = payload;
}

static int32_t
hypercall(struct vmci_hw *hw, uint32_t rid, const void *payload, size_t len)
{
	uint8_t buf[512];
	struct vmci_dg_hdr *h = (struct vmci_dg_hdr *)buf;

	hdr_init(h, VMCI_HYPERVISOR_CID, rid, VMCI_INVALID_ID, VMCI_INVALID_ID, len);
	if (len > 0)
		memcpy(h + 1, payload, len);
	return pio_send(hw, buf, sizeof(*h) + len);
}

static int
host_send(uint32_t cid, uint32_t rid, uint8_t fill, uint64_t payload)
{
	static uint8_t buf[VMCI_MAX_DG_SIZE + 64];
	struct vmci_dg_hdr *h = (struct vmci_dg_hdr *)buf;

	if (payload > sizeof(buf) - sizeof(*h))
		return -1;
	hdr_init(h, cid, rid, VMCI_HOST_CID, 77, payload);
	memset(h + 1, fill, payload);
	return vmci_emu_host_send(HV, h, sizeof(*h) + payload);
}

/* Datagrams a guest receive pass collected. */
struct rx_log {
	unsigned int n;
	struct vmci_dg_hdr hdr[16];
	uint8_t first[16];
	bool intact[16];
};

static void
rx_log_add(struct rx_log *log, const struct vmci_dg_hdr *dg)
{
	const uint8_t *p = (const uint8_t *)(dg + 1);
	uint64_t i;

	if (log->n >= RTE_DIM(log->hdr))
		return;
	log->hdr[log->n] = *dg;
	log->first[log->n] = dg->payload_size ? p[0] : 0;
	log->intact[log->n] = true;
	for (i = 1; i < dg->payload_size; i++)
		if (p[i] != p[0])
			log->intact[log->n] = false;
	log->n++;
}

/* One port-I/O receive pass following the guest algorithm (section 4.6). */
static int
pio_rx_pass(struct vmci_hw *hw, struct rx_log *log)
{
	static uint8_t buf[VMCI_MAX_DG_SIZE] __rte_aligned(PAGE);
	size_t cur = PAGE, pos = 0, rem;
	struct vmci_dg_hdr *dg;
	uint64_t sz;
	int guard = 0;

	vmci_hw_read_fifo(hw, VMCI_REG_DATA_IN, buf, cur);
	for (;;) {
		if (++guard > 1000)
			return -1;
		rem = cur - pos;
		if (rem < VMCI_DG_HDR_SIZE) {
			vmci_hw_read_fifo(hw, VMCI_REG_DATA_IN, buf, cur);
			pos = 0;
			continue;
		}
		dg = (struct vmci_dg_hdr *)(buf + pos);
		if (dg->dst.resource == VMCI_INVALID_ID) {
			if (rem <= PAGE)
				return 0;
			pos = RTE_ALIGN_CEIL(pos + 1, PAGE);
			continue;
		}
		sz = VMCI_DG_SIZE_ALIGNED(dg->payload_size);
		if (sz > VMCI_MAX_DG_SIZE)
			return -2;
		if (sz > rem) {
			memmove(buf, buf + pos, rem);
			cur = VMCI_MAX_DG_SIZE;
			vmci_hw_read_fifo(hw, VMCI_REG_DATA_IN, buf + rem, cur - rem);
			pos = 0;
			continue;
		}
		rx_log_add(log, dg);
		pos += sz;
	}
}

static int
test_caps_and_registers(void)
{
	struct vmci_emu_dev_conf conf = { .hv_name = HV, .socket_id = SOCKET_ID_ANY };
	struct vmci_hw *hw, *mm;

	hw = vmci_emu_dev_create(&conf);
	TEST_ASSERT(hw != NULL, "create");
	TEST_ASSERT(vmci_emu_dev_cid(hw) >= VMCI_RESERVED_CID_LIMIT, "cid %u", vmci_emu_dev_cid(hw));
	TEST_ASSERT_EQUAL(vmci_hw_read32(hw, VMCI_REG_CAPS),
			  VMCI_CAPS_DATAGRAM | VMCI_CAPS_NOTIFICATIONS | VMCI_CAPS_PPN64, "offered");
	conf.mmio = true;
	mm = vmci_emu_dev_create(&conf);
	TEST_ASSERT(mm != NULL, "mmio create");
	TEST_ASSERT_EQUAL(vmci_hw_read32(mm, VMCI_REG_CAPS) & VMCI_CAPS_DMA_DATAGRAM,
			  VMCI_CAPS_DMA_DATAGRAM, "mmio offers DMA");
	/* Not a subset: ignored, so DMA stays off and DATA_OUT still works. */
	vmci_hw_write32(hw, VMCI_REG_CAPS, VMCI_CAPS_DATAGRAM | VMCI_CAPS_DMA_DATAGRAM);
	TEST_ASSERT_EQUAL(hypercall(hw, VMCI_GET_CONTEXT_ID, NULL, 0), vmci_emu_dev_cid(hw), "pio");
	vmci_hw_write32(hw, VMCI_REG_CAPS, VMCI_CAPS_DATAGRAM);
	TEST_ASSERT_EQUAL(vmci_hw_read32(hw, VMCI_REG_STATUS), 0, "ints off");
	vmci_hw_write32(hw, VMCI_REG_CONTROL, VMCI_CONTROL_INT_ENABLE);
	TEST_ASSERT_EQUAL(vmci_hw_read32(hw, VMCI_REG_STATUS), VMCI_STATUS_INT_ON, "ints on");
	vmci_hw_write32(hw, VMCI_REG_IMR, VMCI_ICR_DATAGRAM);
	TEST_ASSERT_EQUAL(vmci_emu_dev_irq_pending(hw), 0, "nothing pending");
	TEST_ASSERT(host_send(vmci_emu_dev_cid(hw), 5, 1, 8) > 0, "host send");
	TEST_ASSERT_EQUAL(vmci_emu_dev_irq_pending(hw), VMCI_ICR_DATAGRAM, "line");
	TEST_ASSERT_EQUAL(vmci_hw_read32(hw, VMCI_REG_ICR), VMCI_ICR_DATAGRAM, "icr");
	TEST_ASSERT_EQUAL(vmci_hw_read32(hw, VMCI_REG_ICR), 0, "read-to-clear");
	vmci_hw_write32(hw, VMCI_REG_CONTROL, VMCI_CONTROL_RESET);
	TEST_ASSERT_EQUAL(vmci_hw_read32(hw, VMCI_REG_STATUS), 0, "reset disables");
	vmci_emu_dev_destroy(mm);
	vmci_emu_dev_destroy(hw);
	conf.caps = VMCI_CAPS_NOTIFICATIONS;
	TEST_ASSERT(vmci_emu_dev_create(&conf) == NULL, "caps without DATAGRAM refused");
	conf.caps = 0;
	conf.cid = 5;
	TEST_ASSERT(vmci_emu_dev_create(&conf) == NULL, "reserved cid refused");
	return TEST_SUCCESS;
}

static int
test_pio_hypercalls(void)
{
	struct vmci_hw *hw = dev_new(100, false);
	uint32_t q[2 + 9] = { 9, 0, 0, 1, 2, 3, 4, 5, 6, 10, 11 };
	uint32_t q1[3] = { 1, 0, VMCI_GET_CONTEXT_ID };
	uint32_t bad[2] = { 32, 0 };

	TEST_ASSERT(hw != NULL, "create");
	TEST_ASSERT_EQUAL(hypercall(hw, VMCI_GET_CONTEXT_ID, NULL, 0), 100, "cid");
	TEST_ASSERT_EQUAL(hypercall(hw, VMCI_RESOURCES_QUERY, q1, sizeof(q1)), 1, "probe query");
	TEST_ASSERT_EQUAL(hypercall(hw, VMCI_RESOURCES_QUERY, q, sizeof(q)), 0x1BF, "mask");
	TEST_ASSERT_EQUAL(hypercall(hw, VMCI_RESOURCES_QUERY, bad, sizeof(bad)),
			  VMCI_ERROR_INVALID_ARGS, "31 rids max");
	TEST_ASSERT_EQUAL(hypercall(hw, VMCI_RESOURCES_QUERY, q, 8),
			  VMCI_ERROR_INVALID_ARGS, "rids missing");
	TEST_ASSERT_EQUAL(hypercall(hw, 13, NULL, 0), VMCI_ERROR_DST_UNREACHABLE, "unknown rid");
	vmci_emu_dev_destroy(hw);
	return TEST_SUCCESS;
}

static int
test_pio_receive(void)
{
	struct vmci_hw *hw = dev_new(101, false);
	static uint8_t buf[VMCI_MAX_DG_SIZE];
	struct rx_log log = { 0 };
	size_t i;

	TEST_ASSERT(hw != NULL, "create");
	/* 128 + 3024 bytes, then 2024 that straddles the first 4096 read. */
	TEST_ASSERT(host_send(101, 1001, 0xA1, 100) > 0, "dg1");
	TEST_ASSERT(host_send(101, 1002, 0xA2, 3000) > 0, "dg2");
	TEST_ASSERT(host_send(101, 1003, 0xA3, 2000) > 0, "dg3");
	TEST_ASSERT(host_send(101, 1004, 0xA4, VMCI_MAX_DG_PAYLOAD_SIZE) > 0, "dg4 max");
	TEST_ASSERT_EQUAL(pio_rx_pass(hw, &log), 0, "pass");
	TEST_ASSERT_EQUAL(log.n, 4, "all received");
	for (i = 0; i < 4; i++) {
		TEST_ASSERT_EQUAL(log.hdr[i].dst.resource, 1001 + i, "order");
		TEST_ASSERT_EQUAL(log.first[i], 0xA1 + i, "payload");
		TEST_ASSERT(log.intact[i], "payload %zu intact", i);
	}
	/* Empty: all filler, an invalid header at every page boundary. */
	vmci_hw_read_fifo(hw, VMCI_REG_DATA_IN, buf, sizeof(buf));
	for (i = 0; i < sizeof(buf); i++)
		TEST_ASSERT_EQUAL(buf[i], 0xFF, "filler at %zu", i);
	/* After an end marker nothing starts before the next page boundary. */
	TEST_ASSERT(host_send(101, 1005, 0xA5, 8) > 0, "dg5");
	vmci_hw_read_fifo(hw, VMCI_REG_DATA_IN, buf, 100);
	TEST_ASSERT_EQUAL(((struct vmci_dg_hdr *)buf)->dst.resource, 1005, "dg5 first");
	TEST_ASSERT(host_send(101, 1006, 0xA6, 8) > 0, "dg6");
	/* Continuation-less small read: buffer start again, dg6 at 0. */
	vmci_hw_read_fifo(hw, VMCI_REG_DATA_IN, buf, PAGE);
	TEST_ASSERT_EQUAL(((struct vmci_dg_hdr *)buf)->dst.resource, 1006, "dg6 at start");
	for (i = 32; i < PAGE; i++)
		TEST_ASSERT_EQUAL(buf[i], 0xFF, "filler after dg6 at %zu", i);
	vmci_emu_dev_destroy(hw);
	return TEST_SUCCESS;
}

static int
test_dma(void)
{
	struct vmci_hw *hw = dev_new(102, true);
	uint8_t *tx = rte_zmalloc("tx", VMCI_DMA_BUF_SIZE, PAGE);
	uint8_t *rx = rte_zmalloc("rx", VMCI_DMA_BUF_SIZE, PAGE);
	struct vmci_dma_hdr *th = (struct vmci_dma_hdr *)tx, *rh = (struct vmci_dma_hdr *)rx;
	struct vmci_sg_elem *sg = (struct vmci_sg_elem *)(rh + 1);
	struct vmci_dg_hdr *dg = (struct vmci_dg_hdr *)(tx + sizeof(*th));
	uint64_t tiova, riova;

	TEST_ASSERT(hw != NULL && tx != NULL && rx != NULL, "setup");
	tiova = rte_malloc_virt2iova(tx);
	riova = rte_malloc_virt2iova(rx);
	vmci_hw_write32(hw, VMCI_REG_GUEST_PAGE_SHIFT, 12);
	vmci_hw_write32(hw, VMCI_REG_DATA_IN_HIGH, riova >> 32);
	vmci_hw_write32(hw, VMCI_REG_DATA_OUT_HIGH, tiova >> 32);
	hdr_init(dg, 0, VMCI_GET_CONTEXT_ID, VMCI_INVALID_ID, VMCI_INVALID_ID, 0);
	th->opcode = VMCI_DMA_OP_INLINE;
	th->size = sizeof(*dg);
	th->busy = 1;
	vmci_hw_write32(hw, VMCI_REG_DATA_OUT_LOW, (uint32_t)tiova);
	TEST_ASSERT_EQUAL(th->busy, 0, "send completed");
	TEST_ASSERT_EQUAL((int64_t)th->result, 102, "result");
	TEST_ASSERT_EQUAL(vmci_hw_read32(hw, VMCI_REG_RESULT_LOW), 102, "RESULT_LOW");
	/* Size disagreeing with payload_size. */
	th->size = sizeof(*dg) + 4;
	th->busy = 1;
	vmci_hw_write32(hw, VMCI_REG_DATA_OUT_LOW, (uint32_t)tiova);
	TEST_ASSERT_EQUAL((int64_t)th->result, VMCI_ERROR_INVALID_ARGS, "size mismatch");
	/* Unknown IOVA: error result, no crash. */
	vmci_hw_write32(hw, VMCI_REG_DATA_OUT_HIGH, 0x7fff0);
	vmci_hw_write32(hw, VMCI_REG_DATA_OUT_LOW, 0x1000);
	TEST_ASSERT_EQUAL((int32_t)vmci_hw_read32(hw, VMCI_REG_RESULT_LOW),
			  VMCI_ERROR_INVALID_ARGS, "bad iova");
	/* Receive two datagrams. */
	TEST_ASSERT(host_send(102, 2001, 0xB1, 40) > 0, "dg1");
	TEST_ASSERT(host_send(102, 2002, 0xB2, 5000) > 0, "dg2");
	vmci_hw_read32(hw, VMCI_REG_ICR);
	rh->opcode = VMCI_DMA_OP_SG;
	rh->size = 1;
	rh->busy = 0;
	sg[0].addr = riova + VMCI_DMA_DATA_OFFSET;
	sg[0].size = VMCI_MAX_DG_SIZE;
	vmci_hw_write32(hw, VMCI_REG_DATA_IN_LOW, (uint32_t)riova);
	TEST_ASSERT_EQUAL(rh->busy, 1, "receive completed");
	TEST_ASSERT_EQUAL(vmci_hw_read32(hw, VMCI_REG_ICR) & VMCI_ICR_DMA_DATAGRAM,
			  VMCI_ICR_DMA_DATAGRAM, "icr");
	dg = (struct vmci_dg_hdr *)(rx + VMCI_DMA_DATA_OFFSET);
	TEST_ASSERT_EQUAL(dg->dst.resource, 2001, "dg1");
	dg = (struct vmci_dg_hdr *)((uint8_t *)dg + VMCI_DG_SIZE_ALIGNED(40));
	TEST_ASSERT_EQUAL(dg->dst.resource, 2002, "dg2");
	TEST_ASSERT_EQUAL(((uint8_t *)(dg + 1))[4999], 0xB2, "dg2 tail");
	dg = (struct vmci_dg_hdr *)((uint8_t *)dg + VMCI_DG_SIZE_ALIGNED(5000));
	TEST_ASSERT_EQUAL(dg->dst.resource, VMCI_INVALID_ID, "end marker");
	/* Bad S/G count: not completed. */
	rh->busy = 0;
	rh->size = 0;
	vmci_hw_write32(hw, VMCI_REG_DATA_IN_LOW, (uint32_t)riova);
	TEST_ASSERT_EQUAL(rh->busy, 0, "refused");
	vmci_emu_dev_destroy(hw);
	rte_free(tx);
	rte_free(rx);
	return TEST_SUCCESS;
}

/* Post a DMA receive of @len bytes at @off of the data area; true if completed. */
static bool
dma_recv(struct vmci_hw *hw, uint8_t *rx, uint64_t riova, uint64_t off, uint64_t len)
{
	struct vmci_dma_hdr *rh = (struct vmci_dma_hdr *)rx;
	struct vmci_sg_elem *sg = (struct vmci_sg_elem *)(rh + 1);

	rh->opcode = VMCI_DMA_OP_SG;
	rh->size = 1;
	rh->busy = 0;
	sg[0].addr = riova + VMCI_DMA_DATA_OFFSET + off;
	sg[0].size = len;
	vmci_hw_write32(hw, VMCI_REG_DATA_IN_LOW, (uint32_t)riova);
	return rh->busy == 1;
}

/*
 * The dma_split fault: a datagram whose header fits the rest of a receive
 * but whose payload does not is split; the next receive starts with its
 * rest, then the following datagrams and an end marker. Without the fault
 * it waits whole for the next receive.
 */
static int
test_dma_split(void)
{
	struct vmci_hw *hw = dev_new(104, true);
	uint8_t *rx = rte_zmalloc("rx", VMCI_DMA_BUF_SIZE, PAGE);
	uint8_t *data = rx + VMCI_DMA_DATA_OFFSET;
	const uint64_t first = VMCI_DG_SIZE_ALIGNED(40);
	struct vmci_dg_hdr *dg;
	uint64_t riova, i;

	TEST_ASSERT(hw != NULL && rx != NULL, "setup");
	riova = rte_malloc_virt2iova(rx);
	vmci_hw_write32(hw, VMCI_REG_DATA_IN_HIGH, riova >> 32);
	/* No fault: the 5000-byte one does not fit 4096 bytes and waits. */
	TEST_ASSERT(host_send(104, 3001, 0xC1, 40) > 0, "dg1");
	TEST_ASSERT(host_send(104, 3002, 0xC2, 5000) > 0, "dg2");
	TEST_ASSERT(dma_recv(hw, rx, riova, 0, PAGE), "receive 1");
	dg = (struct vmci_dg_hdr *)(data + first);
	TEST_ASSERT_EQUAL(dg->dst.resource, VMCI_INVALID_ID, "end marker after dg1");
	TEST_ASSERT_EQUAL(vmci_hw_read32(hw, VMCI_REG_ICR) & VMCI_ICR_DATAGRAM,
			  VMCI_ICR_DATAGRAM, "dg2 still pending");
	TEST_ASSERT(dma_recv(hw, rx, riova, 0, VMCI_MAX_DG_SIZE), "receive 2");
	TEST_ASSERT_EQUAL(((struct vmci_dg_hdr *)data)->dst.resource, 3002, "dg2 whole");

	/* Fault: dg4 is split after dg3 at the end of a 4096-byte receive. */
	TEST_ASSERT_EQUAL(vmci_emu_fault_dma_split(HV, 104, 1), 0, "fault");
	TEST_ASSERT(host_send(104, 3003, 0xC3, 40) > 0, "dg3");
	TEST_ASSERT(host_send(104, 3004, 0xC4, 5000) > 0, "dg4");
	TEST_ASSERT(host_send(104, 3005, 0xC5, 8) > 0, "dg5");
	memset(data, 0, VMCI_MAX_DG_SIZE);
	TEST_ASSERT(dma_recv(hw, rx, riova, 0, PAGE), "receive 3");
	dg = (struct vmci_dg_hdr *)(data + first);
	TEST_ASSERT_EQUAL(dg->dst.resource, 3004, "dg4 starts this receive");
	TEST_ASSERT_EQUAL(data[PAGE - 1], 0xC4, "dg4 fills it to the end");
	TEST_ASSERT_EQUAL(vmci_hw_read32(hw, VMCI_REG_ICR) & VMCI_ICR_DATAGRAM,
			  VMCI_ICR_DATAGRAM, "rest pending");
	/* The guest continues right after the bytes it has. */
	TEST_ASSERT(dma_recv(hw, rx, riova, PAGE, VMCI_MAX_DG_SIZE - PAGE), "receive 4");
	for (i = 0; i < 5000; i++)
		TEST_ASSERT_EQUAL(((uint8_t *)(dg + 1))[i], 0xC4, "dg4 byte %" PRIu64, i);
	dg = (struct vmci_dg_hdr *)((uint8_t *)dg + VMCI_DG_SIZE_ALIGNED(5000));
	TEST_ASSERT_EQUAL(dg->dst.resource, 3005, "dg5 after the rest");
	dg = (struct vmci_dg_hdr *)((uint8_t *)dg + VMCI_DG_SIZE_ALIGNED(8));
	TEST_ASSERT_EQUAL(dg->dst.resource, VMCI_INVALID_ID, "end marker");
	vmci_emu_dev_destroy(hw);
	rte_free(rx);
	return TEST_SUCCESS;
}

/* The icr_hide fault: ICR stays 0 while a datagram is pending; RESETs are counted. */
static int
test_icr_hide_and_resets(void)
{
	struct vmci_hw *hw = dev_new(105, false);

	TEST_ASSERT(hw != NULL, "create");
	TEST_ASSERT_EQUAL(vmci_emu_fault_icr_hide(HV, 105, VMCI_ICR_DATAGRAM), 0, "fault");
	TEST_ASSERT(host_send(105, 3101, 0xD1, 16) > 0, "dg");
	TEST_ASSERT_EQUAL(vmci_hw_read32(hw, VMCI_REG_ICR), 0, "ICR hides DATAGRAM");
	TEST_ASSERT_EQUAL(vmci_emu_fault_icr_hide(HV, 105, 0), 0, "fault off");
	TEST_ASSERT(host_send(105, 3102, 0xD2, 16) > 0, "dg");
	TEST_ASSERT_EQUAL(vmci_hw_read32(hw, VMCI_REG_ICR), VMCI_ICR_DATAGRAM, "ICR back");
	TEST_ASSERT_EQUAL(vmci_emu_dev_resets(hw), 0, "no reset yet");
	vmci_hw_write32(hw, VMCI_REG_CONTROL, VMCI_CONTROL_INT_ENABLE);
	vmci_hw_write32(hw, VMCI_REG_CONTROL, VMCI_CONTROL_RESET);
	TEST_ASSERT_EQUAL(vmci_emu_dev_resets(hw), 1, "reset counted");
	TEST_ASSERT_EQUAL(vmci_emu_fault_icr_hide(HV, 9999, 1), -ENOENT, "no such context");
	vmci_emu_dev_destroy(hw);
	return TEST_SUCCESS;
}

static int
test_doorbell(void)
{
	struct vmci_hw *hw = dev_new(103, false);
	uint8_t *bm = rte_zmalloc("bm", PAGE, PAGE);
	struct { struct rte_vmci_handle h; uint64_t idx; } link = { { 103, 2000 }, 7 };
	struct rte_vmci_handle h = { 103, 2000 };
	uint64_t ppn;

	TEST_ASSERT(hw != NULL && bm != NULL, "setup");
	ppn = rte_malloc_virt2iova(bm) >> 12;
	TEST_ASSERT_EQUAL(hypercall(hw, VMCI_SET_NOTIFY_BITMAP, &ppn, 8), 0, "bitmap");
	TEST_ASSERT_EQUAL(hypercall(hw, VMCI_DOORBELL_LINK, &link, sizeof(link)), 0, "link");
	TEST_ASSERT_EQUAL(hypercall(hw, VMCI_DOORBELL_LINK, &link, sizeof(link)),
			  VMCI_ERROR_DUPLICATE_ENTRY, "duplicate");
	link.h.resource = 2001;
	link.idx = 4096;
	TEST_ASSERT_EQUAL(hypercall(hw, VMCI_DOORBELL_LINK, &link, sizeof(link)),
			  VMCI_ERROR_INVALID_ARGS, "index range");
	link.h.context = 104;
	link.idx = 1;
	TEST_ASSERT_EQUAL(hypercall(hw, VMCI_DOORBELL_LINK, &link, sizeof(link)),
			  VMCI_ERROR_NO_ACCESS, "foreign handle");
	vmci_hw_read32(hw, VMCI_REG_ICR);
	TEST_ASSERT_EQUAL(vmci_emu_host_doorbell_notify(HV, h), 0, "host ring");
	TEST_ASSERT_EQUAL(bm[7], 1, "bitmap byte");
	TEST_ASSERT_EQUAL(vmci_hw_read32(hw, VMCI_REG_ICR), VMCI_ICR_NOTIFICATION, "icr");
	bm[7] = 0;
	TEST_ASSERT_EQUAL(hypercall(hw, VMCI_DOORBELL_NOTIFY, &h, sizeof(h)), 0, "guest ring");
	TEST_ASSERT_EQUAL(bm[7], 1, "bitmap byte again");
	TEST_ASSERT_EQUAL(hypercall(hw, VMCI_DOORBELL_UNLINK, &h, sizeof(h)), 0, "unlink");
	TEST_ASSERT_EQUAL(vmci_emu_host_doorbell_notify(HV, h), VMCI_ERROR_NOT_FOUND, "gone");
	vmci_emu_dev_destroy(hw);
	rte_free(bm);
	return TEST_SUCCESS;
}

/* QUEUEPAIR_ALLOC for guest memory @mem (PPN64). */
static int32_t
qp_alloc(struct vmci_hw *hw, struct rte_vmci_handle h, uint32_t peer, uint32_t flags,
	 uint64_t p, uint64_t c, struct rte_vmci_qp_mem *mem, int64_t num_override)
{
	size_t max = sizeof(struct vmci_qp_alloc_msg) + 8 * 40000;
	struct vmci_qp_alloc_msg *m = calloc(1, max);
	int64_t n = 0;
	int32_t ret;

	if (m == NULL)
		return -1000;
	if (mem != NULL)
		n = rte_vmci_qp_mem_ppn64(mem, (uint64_t *)(m + 1), 40000);
	if (num_override >= 0)
		n = num_override;
	if (n < 0 || n > 40000) {
		free(m);
		return -1001;
	}
	hdr_init(&m->hdr, 0, VMCI_QUEUEPAIR_ALLOC, VMCI_INVALID_ID, VMCI_INVALID_ID,
		 sizeof(*m) - sizeof(m->hdr) + 8 * n);
	m->handle = h;
	m->peer = peer;
	m->flags = flags;
	m->produce_size = p;
	m->consume_size = c;
	m->num_ppns = n;
	ret = pio_send(hw, m, sizeof(*m) + 8 * n);
	free(m);
	return ret;
}

static int
test_qp_host_attach(void)
{
	struct vmci_hw *hw = dev_new(105, false);
	struct rte_vmci_handle h = { 105, 3000 };
	struct rte_vmci_qp *gep = NULL, *hep = NULL;
	struct rte_vmci_qp_mem *mem;
	struct rx_log log = { 0 };
	char msg[64];

	TEST_ASSERT(hw != NULL, "create");
	mem = rte_vmci_qp_mem_alloc("emu_qp1", 8192, 5000, SOCKET_ID_ANY);
	TEST_ASSERT(mem != NULL, "qp mem");
	TEST_ASSERT_EQUAL(qp_alloc(hw, h, VMCI_HOST_CID, 0, 8192, 5000, mem, -1),
			  VMCI_SUCCESS_QUEUEPAIR_CREATE, "create");
	gep = rte_vmci_qp_mem_endpoint(mem, RTE_VMCI_QP_SIDE_CREATOR, 0);
	TEST_ASSERT(gep != NULL, "guest endpoint");
	TEST_ASSERT_EQUAL(vmci_emu_host_qp_attach(HV, h, 8192, 5000, &hep),
			  VMCI_ERROR_QUEUEPAIR_MISMATCH, "unswapped sizes");
	TEST_ASSERT_EQUAL(vmci_emu_host_qp_attach(HV, h, 5000, 8192, &hep),
			  VMCI_SUCCESS_QUEUEPAIR_ATTACH, "host attach");
	TEST_ASSERT_EQUAL(pio_rx_pass(hw, &log), 0, "events");
	TEST_ASSERT_EQUAL(log.n, 1, "one event");
	TEST_ASSERT_EQUAL(log.hdr[0].src.context, 0, "from hypervisor");
	TEST_ASSERT_EQUAL(log.hdr[0].payload_size, 24, "qp event size");
	TEST_ASSERT_EQUAL(log.first[0], VMCI_EVENT_QP_PEER_ATTACH, "attach event");
	TEST_ASSERT_EQUAL(rte_vmci_qp_enqueue_bulk(gep, "guest->host", 12), 12, "g enq");
	TEST_ASSERT_EQUAL(rte_vmci_qp_dequeue_bulk(hep, msg, 12), 12, "h deq");
	TEST_ASSERT(strcmp(msg, "guest->host") == 0, "data g->h");
	TEST_ASSERT_EQUAL(rte_vmci_qp_enqueue_bulk(hep, "host->guest", 12), 12, "h enq");
	TEST_ASSERT_EQUAL(rte_vmci_qp_dequeue_bulk(gep, msg, 12), 12, "g deq");
	TEST_ASSERT(strcmp(msg, "host->guest") == 0, "data h->g");
	rte_vmci_qp_endpoint_free(hep);
	TEST_ASSERT_EQUAL(vmci_emu_host_qp_detach(HV, h), VMCI_SUCCESS, "host detach");
	memset(&log, 0, sizeof(log));
	TEST_ASSERT_EQUAL(pio_rx_pass(hw, &log), 0, "events");
	TEST_ASSERT_EQUAL(log.n, 1, "detach event");
	TEST_ASSERT_EQUAL(log.first[0], VMCI_EVENT_QP_PEER_DETACH, "detach event id");
	TEST_ASSERT_EQUAL(hypercall(hw, VMCI_QUEUEPAIR_DETACH, &h, sizeof(h)),
			  VMCI_SUCCESS_LAST_DETACH, "guest detach");
	TEST_ASSERT_EQUAL(hypercall(hw, VMCI_QUEUEPAIR_DETACH, &h, sizeof(h)),
			  VMCI_ERROR_NOT_FOUND, "unknown handle");
	rte_vmci_qp_endpoint_free(gep);
	rte_vmci_qp_mem_free(mem);
	vmci_emu_dev_destroy(hw);
	return TEST_SUCCESS;
}

static int
test_qp_host_create(void)
{
	struct vmci_hw *hw = dev_new(106, false);
	struct rte_vmci_handle h = { VMCI_HOST_CID, 4000 };
	struct rte_vmci_qp *gep, *hep = NULL;
	struct rte_vmci_qp_mem *mem;
	uint8_t ev[64];
	char msg[8];

	TEST_ASSERT(hw != NULL, "create");
	TEST_ASSERT_EQUAL(vmci_emu_host_qp_create(HV, h, 106, 3000, 7000),
			  VMCI_SUCCESS_QUEUEPAIR_CREATE, "host create");
	TEST_ASSERT_EQUAL(vmci_emu_host_qp_endpoint(HV, h, &hep),
			  VMCI_ERROR_QUEUEPAIR_NOTATTACHED, "no guest yet");
	mem = rte_vmci_qp_mem_alloc("emu_qp2", 7000, 3000, SOCKET_ID_ANY);
	TEST_ASSERT(mem != NULL, "mem");
	TEST_ASSERT_EQUAL(qp_alloc(hw, h, VMCI_HOST_CID, VMCI_QPFLAG_ATTACH_ONLY, 7000, 3000,
				   mem, -1), VMCI_SUCCESS_QUEUEPAIR_ATTACH, "guest attach");
	TEST_ASSERT_EQUAL(vmci_emu_host_recv(HV, ev, sizeof(ev)), 48, "host event");
	TEST_ASSERT_EQUAL(((struct vmci_event_msg *)ev)->event_data.event,
			  VMCI_EVENT_QP_PEER_ATTACH, "attach");
	gep = rte_vmci_qp_mem_endpoint(mem, RTE_VMCI_QP_SIDE_CREATOR, 0);
	TEST_ASSERT_EQUAL(vmci_emu_host_qp_endpoint(HV, h, &hep), 0, "host endpoint");
	TEST_ASSERT_EQUAL(rte_vmci_qp_enqueue_bulk(hep, "abc", 4), 4, "h enq");
	TEST_ASSERT_EQUAL(rte_vmci_qp_dequeue_bulk(gep, msg, 4), 4, "g deq");
	TEST_ASSERT(strcmp(msg, "abc") == 0, "data");
	rte_vmci_qp_endpoint_free(hep);
	rte_vmci_qp_endpoint_free(gep);
	TEST_ASSERT_EQUAL(hypercall(hw, VMCI_QUEUEPAIR_DETACH, &h, sizeof(h)), 0, "g detach");
	TEST_ASSERT_EQUAL(vmci_emu_host_recv(HV, ev, sizeof(ev)), 48, "host event");
	TEST_ASSERT_EQUAL(((struct vmci_event_msg *)ev)->event_data.event,
			  VMCI_EVENT_QP_PEER_DETACH, "detach");
	TEST_ASSERT_EQUAL(vmci_emu_host_qp_detach(HV, h), VMCI_SUCCESS_LAST_DETACH, "last");
	rte_vmci_qp_mem_free(mem);
	vmci_emu_dev_destroy(hw);
	return TEST_SUCCESS;
}

static int
test_qp_refusals(void)
{
	struct vmci_hw *a = dev_new(107, false), *b = dev_new(108, false);
	struct rte_vmci_handle h = { 107, 5000 };
	struct rte_vmci_qp_mem *mem, *big;

	TEST_ASSERT(a != NULL && b != NULL, "create");
	mem = rte_vmci_qp_mem_alloc("emu_qp3", 4096, 4096, SOCKET_ID_ANY);
	TEST_ASSERT(mem != NULL, "mem");
	TEST_ASSERT_EQUAL(qp_alloc(a, h, VMCI_INVALID_ID, 0, 4096, 4096, mem, 3),
			  VMCI_ERROR_INVALID_ARGS, "bad num_ppns");
	TEST_ASSERT_EQUAL(qp_alloc(a, h, VMCI_INVALID_ID, 0, UINT64_MAX, 4096, mem, 4),
			  VMCI_ERROR_NO_RESOURCES, "overflow");
	TEST_ASSERT_EQUAL(qp_alloc(a, h, VMCI_INVALID_ID, 0, 64u << 20, (64u << 20) + 1, mem, 4),
			  VMCI_ERROR_NO_RESOURCES, "128 MiB");
	TEST_ASSERT_EQUAL(qp_alloc(a, h, VMCI_INVALID_ID, VMCI_QPFLAG_LOCAL, 4096, 4096, mem, -1),
			  VMCI_ERROR_INVALID_ARGS, "LOCAL");
	TEST_ASSERT_EQUAL(qp_alloc(a, h, VMCI_INVALID_ID, VMCI_QPFLAG_NONBLOCK, 4096, 4096, mem, -1),
			  VMCI_ERROR_INVALID_ARGS, "NONBLOCK");
	TEST_ASSERT_EQUAL(qp_alloc(a, h, VMCI_INVALID_ID, VMCI_QPFLAG_ATTACH_ONLY, 4096, 4096, mem, -1),
			  VMCI_ERROR_NOT_FOUND, "ATTACH_ONLY without pair");
	TEST_ASSERT_EQUAL(qp_alloc(a, h, 108, 0, 4096, 4096, mem, -1),
			  VMCI_ERROR_DST_UNREACHABLE, "VM peer");
	TEST_ASSERT_EQUAL(qp_alloc(a, h, VMCI_INVALID_ID, 0, 4096, 4096, NULL, 4),
			  VMCI_ERROR_INVALID_ARGS, "pages not guest memory");
	TEST_ASSERT_EQUAL(qp_alloc(a, h, VMCI_INVALID_ID, 0, 4096, 4096, mem, -1),
			  VMCI_SUCCESS_QUEUEPAIR_CREATE, "create");
	TEST_ASSERT_EQUAL(qp_alloc(a, h, VMCI_INVALID_ID, 0, 4096, 4096, mem, -1),
			  VMCI_ERROR_ALREADY_EXISTS, "again");
	TEST_ASSERT_EQUAL(qp_alloc(b, h, VMCI_INVALID_ID, 0, 4096, 4096, mem, -1),
			  VMCI_ERROR_DST_UNREACHABLE, "VM-to-VM attach");
	TEST_ASSERT_EQUAL(vmci_emu_hv_allow_vm_to_vm_qp(HV, true), 0, "allow");
	TEST_ASSERT_EQUAL(qp_alloc(b, h, VMCI_INVALID_ID, 0, 8192, 4096, mem, 5),
			  VMCI_ERROR_QUEUEPAIR_MISMATCH, "size mismatch");
	TEST_ASSERT_EQUAL(qp_alloc(b, h, VMCI_INVALID_ID, 0, 4096, 4096, mem, -1),
			  VMCI_SUCCESS_QUEUEPAIR_ATTACH, "VM-to-VM allowed");
	TEST_ASSERT_EQUAL(vmci_emu_hv_allow_vm_to_vm_qp(HV, false), 0, "disallow");
	TEST_ASSERT_EQUAL(vmci_emu_fault_qp_peer_detach(HV, h), 0, "peer detached");
	TEST_ASSERT_EQUAL(hypercall(a, VMCI_QUEUEPAIR_DETACH, &h, sizeof(h)),
			  VMCI_SUCCESS_LAST_DETACH, "last");
	/* Per-context budget: 100 MiB held, 29 more refused. */
	big = rte_vmci_qp_mem_alloc("emu_qpbig", 50u << 20, 50u << 20, SOCKET_ID_ANY);
	if (big != NULL) {
		h.resource = 5001;
		TEST_ASSERT_EQUAL(qp_alloc(a, h, VMCI_INVALID_ID, 0, 50u << 20, 50u << 20, big, -1),
				  VMCI_SUCCESS_QUEUEPAIR_CREATE, "100 MiB");
		h.resource = 5002;
		TEST_ASSERT_EQUAL(qp_alloc(a, h, VMCI_INVALID_ID, 0, 29u << 20, 0, NULL,
					   (29u << 20) / 4096 + 2),
				  VMCI_ERROR_NO_RESOURCES, "context budget");
		h.resource = 5001;
		TEST_ASSERT_EQUAL(hypercall(a, VMCI_QUEUEPAIR_DETACH, &h, sizeof(h)),
				  VMCI_SUCCESS_LAST_DETACH, "detach big");
		rte_vmci_qp_mem_free(big);
	} else {
		printf("  (no 100 MiB for the budget check)\n");
	}
	rte_vmci_qp_mem_free(mem);
	vmci_emu_dev_destroy(a);
	vmci_emu_dev_destroy(b);
	return TEST_SUCCESS;
}

static int
test_malformed(void)
{
	struct vmci_hw *hw = dev_new(109, false);
	uint8_t junk[256];
	struct vmci_dg_hdr *h = (struct vmci_dg_hdr *)junk;
	unsigned int i, j;

	TEST_ASSERT(hw != NULL, "create");
	hdr_init(h, VMCI_HOST_CID, 1, 109, 1, 1ull << 40);
	memset(h + 1, 0, 64);
	TEST_ASSERT_EQUAL(pio_send(hw, junk, 88), VMCI_ERROR_PAYLOAD_TOO_LARGE, "huge");
	TEST_ASSERT_EQUAL(hypercall(hw, VMCI_GET_CONTEXT_ID, NULL, 0), 109, "resynced");
	hdr_init(h, VMCI_HOST_CID, 1, 109, 1, 100);
	TEST_ASSERT_EQUAL(pio_send(hw, junk, 30), VMCI_ERROR_DATAGRAM_INCOMPLETE, "truncated");
	TEST_ASSERT_EQUAL(hypercall(hw, VMCI_GET_CONTEXT_ID, NULL, 0), 109, "resynced");
	TEST_ASSERT_EQUAL(hypercall(hw, VMCI_DOORBELL_LINK, NULL, 0), VMCI_ERROR_INVALID_ARGS,
			  "short hypercall");
	TEST_ASSERT_EQUAL(hypercall(hw, VMCI_QUEUEPAIR_ALLOC, junk, 10), VMCI_ERROR_INVALID_ARGS,
			  "short alloc");
	hdr_init(h, VMCI_HOST_CID, 1, 110, 1, 0);
	TEST_ASSERT_EQUAL(pio_send(hw, junk, 24), VMCI_ERROR_NO_ACCESS, "spoofed source");
	srand(1);
	for (i = 0; i < 2000; i++) {
		for (j = 0; j < sizeof(junk); j++)
			junk[j] = rand();
		h->dst.context = rand() % 4 == 0 ? 0 : h->dst.context;
		h->dst.resource %= 20;
		h->payload_size = rand() % 3 == 0 ? h->payload_size : (uint64_t)(rand() % 232);
		pio_send(hw, junk, 24 + rand() % 232);
	}
	TEST_ASSERT_EQUAL(hypercall(hw, VMCI_GET_CONTEXT_ID, NULL, 0), 109, "alive");
	vmci_emu_dev_destroy(hw);
	return TEST_SUCCESS;
}

static int
test_routing_and_faults(void)
{
	struct vmci_hw *a = dev_new(110, false), *b = dev_new(111, false);
	static uint8_t buf[VMCI_MAX_DG_SIZE];
	struct vmci_dg_hdr *h = (struct vmci_dg_hdr *)buf;
	struct rx_log log = { 0 };
	int i;

	TEST_ASSERT(a != NULL && b != NULL, "create");
	hdr_init(h, 111, 1234, 110, 1025, 16);
	memset(h + 1, 0xC1, 16);
	TEST_ASSERT_EQUAL(pio_send(a, buf, 40), 40, "a->b");
	hdr_init(h, 99, 1, 110, 1025, 0);
	TEST_ASSERT_EQUAL(pio_send(a, buf, 24), VMCI_ERROR_DST_UNREACHABLE, "unknown");
	hdr_init(h, VMCI_HOST_CID, 9, 110, 1025, 0);
	TEST_ASSERT_EQUAL(pio_send(a, buf, 24), 24, "a->host");
	TEST_ASSERT_EQUAL(vmci_emu_host_recv(HV, buf, sizeof(buf)), 24, "host got it");
	TEST_ASSERT_EQUAL(pio_rx_pass(b, &log), 0, "b rx");
	TEST_ASSERT_EQUAL(log.n, 1, "one");
	TEST_ASSERT_EQUAL(log.hdr[0].src.context, 110, "src");
	TEST_ASSERT(log.intact[0] && log.first[0] == 0xC1, "payload");
	/* Pending limit: two maximal datagrams fit, the third does not. */
	for (i = 0; i < 3; i++)
		TEST_ASSERT_EQUAL(host_send(111, 1, 0, VMCI_MAX_DG_PAYLOAD_SIZE),
				  i < 2 ? VMCI_SUCCESS + (int)VMCI_MAX_DG_SIZE : VMCI_ERROR_NO_RESOURCES,
				  "limit %d", i);
	TEST_ASSERT_EQUAL(host_send(111, 1, 0, VMCI_MAX_DG_PAYLOAD_SIZE + 1),
			  VMCI_ERROR_PAYLOAD_TOO_LARGE, "too big");
	vmci_hw_write32(b, VMCI_REG_CONTROL, VMCI_CONTROL_RESET);
	/* Faults. */
	TEST_ASSERT_EQUAL(vmci_emu_fault_drop_dg(HV, 111, 1), 0, "drop");
	TEST_ASSERT(host_send(111, 1, 0xD1, 8) > 0, "dropped one");
	TEST_ASSERT_EQUAL(vmci_emu_fault_corrupt_dg(HV, 111, 1), 0, "corrupt");
	TEST_ASSERT(host_send(111, 2, 0x0F, 8) > 0, "corrupted one");
	memset(&log, 0, sizeof(log));
	TEST_ASSERT_EQUAL(pio_rx_pass(b, &log), 0, "b rx");
	TEST_ASSERT_EQUAL(log.n, 1, "dropped");
	TEST_ASSERT_EQUAL(log.first[0], 0xF0, "inverted");
	TEST_ASSERT_EQUAL(vmci_emu_fault_fail_hypercall(HV, 111, VMCI_GET_CONTEXT_ID,
							VMCI_ERROR_GENERIC, 1), 0, "fail");
	TEST_ASSERT_EQUAL(hypercall(b, VMCI_GET_CONTEXT_ID, NULL, 0), VMCI_ERROR_GENERIC, "failed");
	TEST_ASSERT_EQUAL(hypercall(b, VMCI_GET_CONTEXT_ID, NULL, 0), 111, "once");
	TEST_ASSERT_EQUAL(vmci_emu_set_context_id(HV, 111, 211), 211, "cid change");
	TEST_ASSERT_EQUAL(vmci_emu_dev_cid(b), 211, "new cid");
	TEST_ASSERT_EQUAL(hypercall(b, VMCI_GET_CONTEXT_ID, NULL, 0), 211, "reported");
	TEST_ASSERT_EQUAL(vmci_emu_fault_mem_access(HV, 211, false), 0, "mem off");
	memset(&log, 0, sizeof(log));
	TEST_ASSERT_EQUAL(pio_rx_pass(b, &log), 0, "b rx");
	TEST_ASSERT_EQUAL(log.n, 2, "two events");
	TEST_ASSERT_EQUAL(log.first[0], VMCI_EVENT_CTX_ID_UPDATE, "ctx update");
	TEST_ASSERT_EQUAL(log.hdr[0].dst.context, 211, "to new cid");
	TEST_ASSERT_EQUAL(log.first[1], VMCI_EVENT_MEM_ACCESS_OFF, "mem off");
	vmci_emu_dev_destroy(a);
	vmci_emu_dev_destroy(b);
	TEST_ASSERT_EQUAL(vmci_emu_hv_free(HV), 0, "instance freed");
	return TEST_SUCCESS;
}

/*
 * Regression: the host queue keeps datagrams padded to 8 bytes, and
 * vmci_emu_host_recv() copied the padded size, so a buffer of exactly the
 * datagram's size was refused (-EMSGSIZE) and a larger one got up to 7
 * bytes written past the datagram. Now it copies and returns the size as
 * sent, whatever the header in the copied bytes says.
 */
static int
test_host_recv_size(void)
{
	static const uint32_t payloads[] = { 0, 1, 7, 8, 300, 301, 4095, VMCI_MAX_DG_PAYLOAD_SIZE };
	static uint8_t buf[VMCI_MAX_DG_SIZE + 16];
	struct vmci_hw *a = dev_new(120, false);
	struct vmci_dg_hdr *h = (struct vmci_dg_hdr *)buf;
	static uint8_t dg[VMCI_MAX_DG_SIZE];
	uint32_t i, size, j;

	TEST_ASSERT(a != NULL, "create");
	for (i = 0; i < RTE_DIM(payloads); i++) {
		size = VMCI_DG_HDR_SIZE + payloads[i];
		hdr_init((struct vmci_dg_hdr *)dg, VMCI_HOST_CID, 9, 120, 1025 + i, payloads[i]);
		memset(dg + VMCI_DG_HDR_SIZE, 0x40 + i, payloads[i]);
		TEST_ASSERT_EQUAL(pio_send(a, dg, size), (int32_t)size, "send %u", size);
		/* Exactly the datagram's size is enough. */
		memset(buf, 0xEE, sizeof(buf));
		TEST_ASSERT_EQUAL(vmci_emu_host_recv(HV, buf, size), (int)size,
				  "receive into %u bytes", size);
		TEST_ASSERT_EQUAL(h->src.resource, 1025 + i, "source");
		TEST_ASSERT_EQUAL(h->payload_size, payloads[i], "payload_size");
		for (j = VMCI_DG_HDR_SIZE; j < size; j++)
			TEST_ASSERT_EQUAL(buf[j], 0x40 + i, "payload byte %u of %u", j, size);
		/* A larger buffer: nothing past the datagram is written. */
		TEST_ASSERT_EQUAL(pio_send(a, dg, size), (int32_t)size, "send %u again", size);
		memset(buf, 0xEE, sizeof(buf));
		TEST_ASSERT_EQUAL(vmci_emu_host_recv(HV, buf, sizeof(buf)), (int)size,
				  "receive %u into a large buffer", size);
		for (j = size; j < size + 16; j++)
			TEST_ASSERT_EQUAL(buf[j], 0xEE, "byte %u past a %u-byte datagram written",
					  j, size);
		/* One byte short is refused and takes nothing. */
		TEST_ASSERT_EQUAL(pio_send(a, dg, size), (int32_t)size, "send %u a third time", size);
		TEST_ASSERT_EQUAL(vmci_emu_host_recv(HV, buf, size - 1), -EMSGSIZE,
				  "receive %u into %u bytes", size, size - 1);
		TEST_ASSERT_EQUAL(vmci_emu_host_recv(HV, buf, size), (int)size, "still queued");
	}
	TEST_ASSERT_EQUAL(vmci_emu_host_recv(HV, buf, sizeof(buf)), 0, "queue empty");
	vmci_emu_dev_destroy(a);
	TEST_ASSERT_EQUAL(vmci_emu_hv_free(HV), 0, "instance freed");
	return TEST_SUCCESS;
}

static const struct vmci_test_case emu_cases[] = {
	{ "caps_and_registers", test_caps_and_registers },
	{ "pio_hypercalls", test_pio_hypercalls },
	{ "pio_receive", test_pio_receive },
	{ "dma", test_dma },
	{ "dma_split", test_dma_split },
	{ "icr_hide_and_resets", test_icr_hide_and_resets },
	{ "doorbell", test_doorbell },
	{ "qp_host_attach", test_qp_host_attach },
	{ "qp_host_create", test_qp_host_create },
	{ "qp_refusals", test_qp_refusals },
	{ "malformed", test_malformed },
	{ "routing_and_faults", test_routing_and_faults },
	{ "host_recv_size", test_host_recv_size },
	{ NULL, NULL },
};

static const struct vmci_test_suite emu_suite = {
	.name = "emu",
	.cases = emu_cases,
};

VMCI_TEST_MAIN(emu_suite)
