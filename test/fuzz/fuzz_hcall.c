/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

/*
 * The emulated hypervisor against a hostile guest: everything a guest
 * controls reaches it through the register file. The input is a program
 * of operations on one guest device (a second guest is there to route
 * datagrams to and to be a queue-pair peer):
 *   0 len:u16 bytes     write bytes to DATA_OUT (port-I/O datagrams)
 *   1 reg:u8 val:u32    write a register
 *   2 reg:u8            read a register
 *   3 fields, pages     QUEUEPAIR_ALLOC whose page numbers name pages of
 *                       a real guest buffer (chosen by the input), so the
 *                       broker maps, writes headers and attaches
 *   4 len:u16 bytes     DMA send of those bytes from a real guest buffer
 * Byte 0 bit 0 makes the device the MMIO (DMA) model.
 */

#include <string.h>

#include <rte_common.h>
#include <rte_malloc.h>

#include "fuzz_common.h"
#include "vmci_defs.h"
#include "vmci_emu_test.h"

#define HV "fz_hcall"
#define GUEST_PAGES 64u
#define PAGE RTE_VMCI_QP_PAGE_SIZE

static uint8_t *guest_mem;  /* pages the fuzzed guest may name */
static uint8_t *dma_buf;    /* DMA send buffer: header + datagram */
static uint8_t *qp_msg;     /* built QUEUEPAIR_ALLOC */

static const uint32_t regs[] = {
	VMCI_REG_STATUS, VMCI_REG_CONTROL, VMCI_REG_ICR, VMCI_REG_IMR,
	VMCI_REG_DATA_OUT, VMCI_REG_DATA_IN, VMCI_REG_CAPS, VMCI_REG_RESULT_LOW,
	VMCI_REG_RESULT_HIGH, VMCI_REG_DATA_OUT_LOW, VMCI_REG_DATA_OUT_HIGH,
	VMCI_REG_DATA_IN_LOW, VMCI_REG_DATA_IN_HIGH, VMCI_REG_GUEST_PAGE_SHIFT,
	VMCI_REG_FILE_SIZE, 0x3c, 0x1000,
};

#define QP_MSG_MAX (sizeof(struct vmci_qp_alloc_msg) + 8u * (2u * 16u + 2u))

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	RTE_SET_USED(argc);
	RTE_SET_USED(argv);
	fuzz_eal_init("hcall");
	guest_mem = rte_zmalloc("fz_guest", GUEST_PAGES * PAGE, PAGE);
	dma_buf = rte_zmalloc("fz_dma", VMCI_DMA_BUF_SIZE, PAGE);
	qp_msg = rte_zmalloc("fz_qpmsg", QP_MSG_MAX, 8);
	if (guest_mem == NULL || dma_buf == NULL || qp_msg == NULL)
		abort();
	return 0;
}

static void
op_qp_alloc(struct vmci_hw *hw, struct fuzz_in *in, uint32_t cid, bool ppn64)
{
	struct vmci_qp_alloc_msg *m = (struct vmci_qp_alloc_msg *)qp_msg;
	uint64_t i, n, base = rte_malloc_virt2iova(guest_mem) / PAGE;
	uint8_t *list = (uint8_t *)(m + 1);
	uint64_t ppn;

	memset(qp_msg, 0, QP_MSG_MAX);
	m->hdr.dst.context = VMCI_HYPERVISOR_CID;
	m->hdr.dst.resource = VMCI_QUEUEPAIR_ALLOC;
	m->hdr.src.context = fuzz_take(in, 1) & 1 ? (uint32_t)fuzz_take(in, 4) : cid;
	m->handle.context = fuzz_take(in, 1) & 1 ? (uint32_t)fuzz_take(in, 4) : cid;
	m->handle.resource = (uint32_t)fuzz_take(in, 2);
	m->peer = fuzz_take(in, 1) & 1 ? (uint32_t)fuzz_take(in, 4) : VMCI_INVALID_ID;
	m->flags = (uint32_t)fuzz_take(in, 1);
	/* Sizes up to 15 pages each keep the page list in QP_MSG_MAX. */
	m->produce_size = fuzz_take(in, 2) % (15u * PAGE + 1);
	m->consume_size = fuzz_take(in, 2) % (15u * PAGE + 1);
	n = (m->produce_size + PAGE - 1) / PAGE + (m->consume_size + PAGE - 1) / PAGE + 2;
	m->num_ppns = fuzz_take(in, 1) & 1 ? fuzz_take(in, 1) : n;
	n = RTE_MIN(n, (uint64_t)(2u * 16u + 2u));
	for (i = 0; i < n; i++) {
		ppn = base + fuzz_take(in, 1) % GUEST_PAGES;
		if (ppn64)
			memcpy(list + 8 * i, &ppn, 8);
		else
			memcpy(list + 4 * i, &ppn, 4);
	}
	m->hdr.payload_size = sizeof(*m) - VMCI_DG_HDR_SIZE + n * (ppn64 ? 8 : 4);
	hw->ops->write_fifo(hw, VMCI_REG_DATA_OUT, m, VMCI_DG_HDR_SIZE + m->hdr.payload_size);
}

static void
op_dma_send(struct vmci_hw *hw, struct fuzz_in *in)
{
	struct vmci_dma_hdr *h = (struct vmci_dma_hdr *)dma_buf;
	size_t len = RTE_MIN((size_t)fuzz_take(in, 2), in->left);
	rte_iova_t iova = rte_malloc_virt2iova(dma_buf);

	len = RTE_MIN(len, (size_t)VMCI_MAX_DG_SIZE);
	memset(h, 0, sizeof(*h));
	h->busy = 1;
	h->opcode = VMCI_DMA_OP_INLINE;
	h->size = (uint32_t)len;
	memcpy(h + 1, in->p, len);
	in->p += len;
	in->left -= len;
	hw->ops->write32(hw, VMCI_REG_DATA_OUT_HIGH, (uint32_t)(iova >> 32));
	hw->ops->write32(hw, VMCI_REG_DATA_OUT_LOW, (uint32_t)iova);
}

static void
run_ops(struct vmci_hw *hw, struct fuzz_in *in, uint32_t cid)
{
	uint32_t caps = VMCI_CAPS_DATAGRAM | VMCI_CAPS_NOTIFICATIONS;
	unsigned int steps;
	size_t len;

	for (steps = 0; steps < 256 && in->left > 0; steps++) {
		switch (fuzz_take(in, 1) % 5) {
		case 0:
			len = RTE_MIN((size_t)fuzz_take(in, 2), in->left);
			hw->ops->write_fifo(hw, VMCI_REG_DATA_OUT, in->p, len);
			in->p += len;
			in->left -= len;
			break;
		case 1: {
			uint32_t reg = regs[fuzz_take(in, 1) % RTE_DIM(regs)];
			uint32_t val = (uint32_t)fuzz_take(in, 4);

			if (reg == VMCI_REG_CAPS)
				caps = val;
			hw->ops->write32(hw, reg, val);
			break;
		}
		case 2:
			hw->ops->read32(hw, regs[fuzz_take(in, 1) % RTE_DIM(regs)]);
			break;
		case 3:
			op_qp_alloc(hw, in, cid, caps & VMCI_CAPS_PPN64);
			break;
		default:
			op_dma_send(hw, in);
			break;
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	struct vmci_emu_dev_conf conf = { .hv_name = HV, .socket_id = SOCKET_ID_ANY };
	struct vmci_hw *guest, *peer;
	uint8_t flags = (uint8_t)fuzz_take(&in, 1);

	vmci_emu_hv_allow_vm_to_vm_qp(HV, flags & 2);
	conf.mmio = flags & 1;
	guest = vmci_emu_dev_create(&conf);
	conf.mmio = false;
	peer = vmci_emu_dev_create(&conf);
	if (guest == NULL || peer == NULL)
		abort();
	run_ops(guest, &in, vmci_emu_dev_cid(guest));
	vmci_emu_dev_destroy(guest);
	vmci_emu_dev_destroy(peer);
	/* Everything the guest did must be undone with the context. */
	if (vmci_emu_hv_free(HV) != 0)
		abort();
	return 0;
}
