/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

#ifndef _VMCI_PCI_H_
#define _VMCI_PCI_H_

/*
 * PCI backend: the VMCI function (15ad:0740) as found by DPDK's PCI bus,
 * with register access by port I/O (BAR0) or MMIO (BAR1 + 0x20000 when
 * BAR1 is 256 KiB).
 */

#include <stdbool.h>
#include <stdint.h>

#include "vmci_hw.h"

struct rte_pci_device;

/* Callback for vmci_pci_foreach(); a non-zero return stops the walk. */
typedef int (*vmci_pci_cb_t)(struct rte_pci_device *pdev, void *arg);

/* Call @cb for every VMCI function the PCI bus has scanned. */
int vmci_pci_foreach(vmci_pci_cb_t cb, void *arg);

/* Whether -a/-b on the PCI bus lets us use this function. */
bool vmci_pci_allowed(const struct rte_pci_device *pdev);

/* Whether the function was named with -a (on the PCI bus or this one). */
bool vmci_pci_explicit(const struct rte_pci_device *pdev);

/*
 * Check the function's kernel binding only (known from the PCI scan, before
 * EAL picks the IOVA mode); 0 if DPDK can drive it, else -ENODEV after a
 * log line (at @log_level) naming the driver and the vmci-devbind fix.
 */
int vmci_pci_check_driver(const struct rte_pci_device *pdev, uint32_t log_level);

/*
 * Check the function's kernel binding and the IOVA mode; 0 if usable, else
 * -ENODEV after a log line (at @log_level) saying what to do.
 */
int vmci_pci_check_usable(const struct rte_pci_device *pdev, uint32_t log_level);

/* Map the function and return its register access, or NULL + rte_errno. */
struct vmci_hw *vmci_pci_hw_open(struct rte_pci_device *pdev);

/* Unmap and free what vmci_pci_hw_open() set up. */
void vmci_pci_hw_close(struct vmci_hw *hw);

/* How the registers of a function are reached. */
enum vmci_pci_regs {
	VMCI_PCI_REGS_NONE,    /* neither: the function is refused */
	VMCI_PCI_REGS_MMIO,    /* BAR1 + 0x20000, DMA datagrams */
	VMCI_PCI_REGS_PORT_IO, /* BAR0 */
};

/*
 * The choice the Linux guest driver makes: MMIO when BAR1 is exactly
 * 256 KiB and mapped; else port I/O, which only x86 has (elsewhere the
 * function is refused). FreeBSD always uses port I/O.
 */
enum vmci_pci_regs vmci_pci_regs_mode(const struct rte_pci_device *pdev);

/*
 * The register access over BARs already mapped in @pdev (mem_resource[],
 * BAR0 through rte_pci_ioport_map()): what vmci_pci_hw_open() does after
 * the kernel-driver check and the mapping, and before bus mastering. Also
 * the seam by which test/driver drives the register operations over a
 * buffer standing in for BAR1. Not exported. NULL + rte_errno (ENXIO:
 * no register access, ENOMEM).
 */
struct vmci_hw *vmci_pci_hw_setup(struct rte_pci_device *pdev);

/* Free what vmci_pci_hw_setup() made; the BARs stay mapped. */
void vmci_pci_hw_release(struct vmci_hw *hw);

#endif /* _VMCI_PCI_H_ */
