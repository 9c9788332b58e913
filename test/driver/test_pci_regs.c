/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

/*
 * The PCI backend's own register operations (vmci_pci.c), which no VMware
 * VM has run yet, over a buffer standing in for BAR1: every access the
 * core makes must land at BAR1 + 0x20000 + the register offset, 32 bits
 * wide (the data ports 8 bits wide, at one offset), as the core makes it,
 * and nothing else in the BAR may change. The register-mode choice is
 * checked against the reference drivers: MMIO when BAR1 is exactly
 * 256 KiB and mapped, else port I/O on x86; a function whose BAR0 cannot
 * be mapped, or an MMIO device without DMA_DATAGRAM, is refused.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_errno.h>

#include <bus_pci_driver.h>

#include "vmci_core.h"
#include "vmci_defs.h"
#include "vmci_emu_test.h"
#include "vmci_pci.h"
#include "vmci_test.h"

#define HV "pci_regs"
#define BAR1_SIZE VMCI_BAR_MEM_MMIO_SIZE
#define POISON_A 0xa5
#define POISON_B 0x5a

static uint8_t *bar1;       /* the "MMIO window": plain memory */
static uint8_t *bar1_copy;  /* what it held before an access */
static struct rte_pci_device pdev;

static void
fake_function(uint64_t bar1_len, void *bar1_addr)
{
	memset(&pdev, 0, sizeof(pdev));
	snprintf(pdev.name, sizeof(pdev.name), "0000:00:07.7");
	pdev.device.name = pdev.name;
	pdev.device.numa_node = SOCKET_ID_ANY;
	pdev.kdrv = RTE_PCI_KDRV_NONE; /* no kernel driver: BAR0 cannot be mapped */
	pdev.id.vendor_id = VMCI_PCI_VENDOR_ID;
	pdev.id.device_id = VMCI_PCI_DEVICE_ID;
	pdev.mem_resource[VMCI_BAR_MEM].len = bar1_len;
	pdev.mem_resource[VMCI_BAR_MEM].addr = bar1_addr;
}

static uint8_t *
reg(uint32_t off)
{
	return bar1 + VMCI_MMIO_REG_OFFSET + off;
}

static uint32_t
le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

/*
 * Bytes of the BAR an operation wrote: run it over two different poison
 * fills; a byte it wrote holds the same value both times, any other byte
 * its poison. @written (BAR1_SIZE flags) is set for those bytes.
 */
typedef void (*bar_op_t)(void *arg);

static void
bytes_written(bar_op_t op, void *arg, uint8_t *written, uint8_t *after)
{
	size_t i;

	memset(bar1, POISON_A, BAR1_SIZE);
	op(arg);
	memcpy(bar1_copy, bar1, BAR1_SIZE);
	memset(bar1, POISON_B, BAR1_SIZE);
	op(arg);
	for (i = 0; i < BAR1_SIZE; i++) {
		written[i] = !(bar1_copy[i] == POISON_A && bar1[i] == POISON_B);
		after[i] = bar1[i];
	}
}

/* Exactly @len bytes written at @at, the others untouched; 0 or -1 after a line. */
static int
check_written(const uint8_t *written, size_t at, size_t len, const char *what)
{
	size_t i;

	for (i = 0; i < BAR1_SIZE; i++) {
		bool want = i >= at && i < at + len;

		if (written[i] != want) {
			printf("  %s: BAR1 byte 0x%zx %s, expected %zu bytes written at 0x%zx\n",
			       what, i, written[i] ? "written" : "not written", len, at);
			return -1;
		}
	}
	return 0;
}

/* The device model behind the BAR: the emulator, fed through the PCI ops. */
struct bar_hw {
	struct vmci_hw hw;      /* first: handed to the core */
	struct vmci_hw *pci;    /* the PCI backend over bar1 */
	struct vmci_hw *emu;    /* what the device answers */
	unsigned int accesses;
	unsigned int errors;
	uint8_t *written;
	uint8_t *after;
};

struct w32_arg {
	struct vmci_hw *pci;
	uint32_t off;
	uint32_t val;
};

static void
op_write32(void *arg)
{
	struct w32_arg *a = arg;

	a->pci->ops->write32(a->pci, a->off, a->val);
}

static int
check_write32(struct vmci_hw *pci, uint32_t off, uint32_t val, uint8_t *written, uint8_t *after)
{
	struct w32_arg a = { pci, off, val };
	size_t at = VMCI_MMIO_REG_OFFSET + off;

	bytes_written(op_write32, &a, written, after);
	if (check_written(written, at, 4, "write32") < 0)
		return -1;
	if (le32(after + at) != val) {
		printf("  write32 0x%x at 0x%x: BAR holds 0x%x\n", val, off, le32(after + at));
		return -1;
	}
	return 0;
}

/* A read: the register's bytes hold @val, every other byte poison. */
static int
check_read32(struct vmci_hw *pci, uint32_t off, uint32_t val)
{
	uint32_t got;

	memset(bar1, POISON_A, BAR1_SIZE);
	reg(off)[0] = val & 0xff;
	reg(off)[1] = (val >> 8) & 0xff;
	reg(off)[2] = (val >> 16) & 0xff;
	reg(off)[3] = val >> 24;
	got = pci->ops->read32(pci, off);
	if (got != val) {
		printf("  read32 at 0x%x: got 0x%x, the register holds 0x%x\n", off, got, val);
		return -1;
	}
	return 0;
}

static uint32_t
bar_read32(struct vmci_hw *hw, uint32_t off)
{
	struct bar_hw *b = (struct bar_hw *)hw;
	uint32_t val = b->emu->ops->read32(b->emu, off);

	b->accesses++;
	b->errors += check_read32(b->pci, off, val) < 0;
	return val;
}

static void
bar_write32(struct vmci_hw *hw, uint32_t off, uint32_t val)
{
	struct bar_hw *b = (struct bar_hw *)hw;

	b->accesses++;
	b->errors += check_write32(b->pci, off, val, b->written, b->after) < 0;
	b->emu->ops->write32(b->emu, off, val);
}

/* An MMIO device moves datagrams by DMA: a data-port access is an error. */
static void
bar_write_fifo(struct vmci_hw *hw, uint32_t off, const void *buf, size_t len)
{
	struct bar_hw *b = (struct bar_hw *)hw;

	printf("  FIFO write of %zu bytes at 0x%x on an MMIO device\n", len, off);
	b->errors++;
	b->emu->ops->write_fifo(b->emu, off, buf, len);
}

static void
bar_read_fifo(struct vmci_hw *hw, uint32_t off, void *buf, size_t len)
{
	struct bar_hw *b = (struct bar_hw *)hw;

	printf("  FIFO read of %zu bytes at 0x%x on an MMIO device\n", len, off);
	b->errors++;
	b->emu->ops->read_fifo(b->emu, off, buf, len);
}

static const struct vmci_hw_ops bar_hw_ops = {
	.read32 = bar_read32,
	.write32 = bar_write32,
	.write_fifo = bar_write_fifo,
	.read_fifo = bar_read_fifo,
};

static int
test_mode_choice(void)
{
	static const struct {
		uint64_t len;
		bool mapped;
		enum vmci_pci_regs want;
	} cases[] = {
		{ BAR1_SIZE, true, VMCI_PCI_REGS_MMIO },
#ifdef RTE_ARCH_X86
		/* Linux: the window cannot be mapped, so port I/O. */
		{ BAR1_SIZE, false, VMCI_PCI_REGS_PORT_IO },
		/* The legacy device: 8 KiB of MSI-X only. */
		{ 8192, true, VMCI_PCI_REGS_PORT_IO },
		{ 0, false, VMCI_PCI_REGS_PORT_IO },
		/* Exactly 256 KiB, not at least. */
		{ 2 * BAR1_SIZE, true, VMCI_PCI_REGS_PORT_IO },
		{ BAR1_SIZE / 2, true, VMCI_PCI_REGS_PORT_IO },
#else
		{ BAR1_SIZE, false, VMCI_PCI_REGS_NONE },
		{ 8192, true, VMCI_PCI_REGS_NONE },
#endif
	};
	unsigned int i;

	for (i = 0; i < RTE_DIM(cases); i++) {
		fake_function(cases[i].len, cases[i].mapped ? bar1 : NULL);
		TEST_ASSERT_EQUAL(vmci_pci_regs_mode(&pdev), cases[i].want,
				  "BAR1 of %" PRIu64 " bytes, %s", cases[i].len,
				  cases[i].mapped ? "mapped" : "not mapped");
	}
	return TEST_SUCCESS;
}

/* Port I/O chosen, BAR0 not mappable (no kernel driver): refused, as both guests do. */
static int
test_port_io_refused(void)
{
	struct vmci_hw *hw;

	fake_function(8192, bar1);
	hw = vmci_pci_hw_setup(&pdev);
	TEST_ASSERT(hw == NULL, "function without a mappable BAR0 accepted (%s)",
		    hw != NULL ? hw->backend : "");
	TEST_ASSERT_EQUAL(rte_errno, ENXIO, "rte_errno");
	return TEST_SUCCESS;
}

static struct vmci_hw *
mmio_backend(void)
{
	struct vmci_hw *hw;

	fake_function(BAR1_SIZE, bar1);
	hw = vmci_pci_hw_setup(&pdev);
	if (hw == NULL || !hw->mmio || strcmp(hw->backend, "pci-mmio") != 0) {
		printf("  256 KiB BAR1 mapped: backend %s\n", hw == NULL ? "none" : hw->backend);
		vmci_pci_hw_release(hw);
		return NULL;
	}
	return hw;
}

/* Every register offset: 32-bit accesses at BAR1 + 0x20000 + offset. */
static int
test_mmio_registers(void)
{
	uint8_t *written = malloc(BAR1_SIZE), *after = malloc(BAR1_SIZE);
	struct vmci_hw *hw = mmio_backend();
	int ret = TEST_FAILED;
	uint32_t off;

	if (hw == NULL || written == NULL || after == NULL)
		goto out;
	for (off = VMCI_REG_STATUS; off <= VMCI_REG_FILE_SIZE; off += 4) {
		if (off == VMCI_REG_DATA_OUT || off == VMCI_REG_DATA_IN)
			continue;
		if (check_write32(hw, off, 0x11223344u ^ off, written, after) < 0 ||
		    check_read32(hw, off, 0xa1b2c3d4u ^ (off * 0x01010101u)) < 0)
			goto out;
	}
	ret = TEST_SUCCESS;
out:
	vmci_pci_hw_release(hw);
	free(written);
	free(after);
	return ret;
}

struct fifo_arg {
	struct vmci_hw *pci;
	const uint8_t *buf;
	size_t len;
};

static void
op_write_fifo(void *arg)
{
	struct fifo_arg *a = arg;

	a->pci->ops->write_fifo(a->pci, VMCI_REG_DATA_OUT, a->buf, a->len);
}

/* The data ports: byte accesses, all at the port's one offset. */
static int
test_mmio_data_ports(void)
{
	static const uint8_t msg[] = { 0x10, 0x21, 0x32, 0x43, 0x54 };
	uint8_t *written = malloc(BAR1_SIZE), *after = malloc(BAR1_SIZE);
	struct vmci_hw *hw = mmio_backend();
	struct fifo_arg a = { hw, msg, sizeof(msg) };
	int ret = TEST_FAILED;
	uint8_t in[3];

	if (hw == NULL || written == NULL || after == NULL)
		goto out;
	bytes_written(op_write_fifo, &a, written, after);
	if (check_written(written, VMCI_MMIO_REG_OFFSET + VMCI_REG_DATA_OUT, 1, "DATA_OUT") < 0)
		goto out;
	/* The last byte is the last access. */
	if (after[VMCI_MMIO_REG_OFFSET + VMCI_REG_DATA_OUT] != msg[sizeof(msg) - 1]) {
		printf("  DATA_OUT holds 0x%x, expected the last byte 0x%x\n",
		       after[VMCI_MMIO_REG_OFFSET + VMCI_REG_DATA_OUT], msg[sizeof(msg) - 1]);
		goto out;
	}
	memset(bar1, POISON_A, BAR1_SIZE);
	*reg(VMCI_REG_DATA_IN) = 0x7e;
	hw->ops->read_fifo(hw, VMCI_REG_DATA_IN, in, sizeof(in));
	if (in[0] != 0x7e || in[1] != 0x7e || in[2] != 0x7e) {
		printf("  DATA_IN read %02x %02x %02x, expected 7e 7e 7e\n", in[0], in[1], in[2]);
		goto out;
	}
	ret = TEST_SUCCESS;
out:
	vmci_pci_hw_release(hw);
	free(written);
	free(after);
	return ret;
}

static struct vmci_device *
bar_bringup(struct bar_hw *b, bool emu_mmio)
{
	struct vmci_emu_dev_conf ec = {
		.hv_name = HV, .mmio = emu_mmio, .socket_id = SOCKET_ID_ANY,
	};

	memset(b, 0, sizeof(*b));
	b->written = malloc(BAR1_SIZE);
	b->after = malloc(BAR1_SIZE);
	b->pci = mmio_backend();
	b->emu = vmci_emu_dev_create(&ec);
	if (b->written == NULL || b->after == NULL || b->pci == NULL || b->emu == NULL)
		return NULL;
	b->hw = *b->pci;
	b->hw.ops = &bar_hw_ops;
	return vmci_device_create(&b->hw, NULL);
}

static void
bar_free(struct bar_hw *b)
{
	vmci_emu_dev_destroy(b->emu);
	vmci_pci_hw_release(b->pci);
	free(b->written);
	free(b->after);
}

/* Bring-up, a poll and teardown through the PCI backend's MMIO operations. */
static int
test_mmio_bringup(void)
{
	struct vmci_device *dev;
	struct bar_hw b;
	int ret = TEST_FAILED;

	dev = bar_bringup(&b, true);
	if (dev == NULL) {
		printf("  bring-up over the PCI MMIO ops: %s\n", rte_strerror(rte_errno));
		goto out;
	}
	if (vmci_device_context_id(dev) != vmci_emu_dev_cid(b.emu)) {
		printf("  context ID %u, the device's is %u\n", vmci_device_context_id(dev),
		       vmci_emu_dev_cid(b.emu));
		goto out_dev;
	}
	vmci_device_poll(dev);
	ret = TEST_SUCCESS;
out_dev:
	vmci_device_destroy(dev);
	/* CAPS, its write-back, 3 DMA high/shift writes, 3 hypercalls, IMR, CONTROL, RESET. */
	if (b.accesses < 14 || b.errors != 0) {
		printf("  %u accesses, %u not as the core made them\n", b.accesses, b.errors);
		ret = TEST_FAILED;
	}
out:
	bar_free(&b);
	return ret;
}

/* MMIO registers on a device without DMA_DATAGRAM: refused, as Linux does. */
static int
test_mmio_without_dma_refused(void)
{
	struct vmci_device *dev;
	struct bar_hw b;
	int err;

	dev = bar_bringup(&b, false);
	err = rte_errno;
	if (dev != NULL)
		vmci_device_destroy(dev);
	bar_free(&b);
	TEST_ASSERT(dev == NULL, "MMIO device without DMA_DATAGRAM accepted");
	TEST_ASSERT_EQUAL(err, ENOTSUP, "rte_errno");
	TEST_ASSERT_EQUAL(b.errors, 0, "accesses not as the core made them");
	return TEST_SUCCESS;
}

static const struct vmci_test_case cases[] = {
	{ "mode_choice", test_mode_choice },
	{ "port_io_refused", test_port_io_refused },
	{ "mmio_registers", test_mmio_registers },
	{ "mmio_data_ports", test_mmio_data_ports },
	{ "mmio_bringup", test_mmio_bringup },
	{ "mmio_without_dma_refused", test_mmio_without_dma_refused },
	{ NULL, NULL },
};

static int
setup(void)
{
	bar1 = aligned_alloc(4096, BAR1_SIZE);
	bar1_copy = malloc(BAR1_SIZE);
	return bar1 != NULL && bar1_copy != NULL ? 0 : -1;
}

static const struct vmci_test_suite suite = {
	.name = "driver_pci_regs",
	.setup = setup,
	.cases = cases,
};

VMCI_TEST_MAIN(suite)
