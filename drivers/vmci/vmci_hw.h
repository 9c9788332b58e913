/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

#ifndef _VMCI_HW_H_
#define _VMCI_HW_H_

/*
 * Register access to a VMCI device, the one seam between the device core
 * and its backends. The PCI backend implements it with port I/O or MMIO on
 * the real function; the emulated device implements it with a software
 * model of the same register file. The core never asks which one it has.
 *
 * Everything the device reads or writes in memory (DMA datagram buffers,
 * the notification bitmap, queue-pair pages) is named by IOVA, exactly as
 * for real hardware; the emulated device resolves IOVAs itself.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_vmci_qp_wire.h>

struct vmci_hw;
struct rte_vmci_qp_queue_desc;

struct vmci_hw_ops {
	/* 32-bit register read/write at a register offset (vmci_defs.h). */
	uint32_t (*read32)(struct vmci_hw *hw, uint32_t off);
	void (*write32)(struct vmci_hw *hw, uint32_t off, uint32_t val);
	/*
	 * Byte-string access to a data port (DATA_OUT / DATA_IN): @len
	 * single-byte accesses, all at offset @off.
	 */
	void (*write_fifo)(struct vmci_hw *hw, uint32_t off, const void *buf, size_t len);
	void (*read_fifo)(struct vmci_hw *hw, uint32_t off, void *buf, size_t len);
	/*
	 * Set by a device of the host context, NULL for a guest's (PCI or
	 * emulated). A host end gives no pages: the hypervisor maps the
	 * guest's pages of a pair into it. After QUEUEPAIR_ALLOC (an attach,
	 * sent without a page list) this describes the pair's queues as the
	 * host sees them: @produce is the queue it writes. Returns 0 or a
	 * negative errno. The mapping holds until QUEUEPAIR_DETACH.
	 */
	int (*qp_map)(struct vmci_hw *hw, struct rte_vmci_handle handle,
		      struct rte_vmci_qp_queue_desc *produce,
		      struct rte_vmci_qp_queue_desc *consume);
};

/* One device as the core sees it. Backends embed it in their own state. */
struct vmci_hw {
	const struct vmci_hw_ops *ops;
	const char *backend; /* "pci-ioport", "pci-mmio", "emu" */
	bool mmio;           /* registers memory-mapped: DMA datagrams are mandatory */
	bool host;           /* the host context's device (CID 2), with qp_map */
	int numa_node;
};

static inline uint32_t
vmci_hw_read32(struct vmci_hw *hw, uint32_t off)
{
	return hw->ops->read32(hw, off);
}

static inline void
vmci_hw_write32(struct vmci_hw *hw, uint32_t off, uint32_t val)
{
	hw->ops->write32(hw, off, val);
}

static inline void
vmci_hw_write_fifo(struct vmci_hw *hw, uint32_t off, const void *buf, size_t len)
{
	hw->ops->write_fifo(hw, off, buf, len);
}

static inline void
vmci_hw_read_fifo(struct vmci_hw *hw, uint32_t off, void *buf, size_t len)
{
	hw->ops->read_fifo(hw, off, buf, len);
}

#endif /* _VMCI_HW_H_ */
