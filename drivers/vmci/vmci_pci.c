/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

/*
 * PCI backend. DPDK's PCI bus has already scanned sysfs (honouring
 * SYSFS_PCI_DEVICES) and recorded each function's kernel driver; we pick
 * the VMCI functions from its list, refuse the ones we cannot drive with a
 * line that says how to fix it, and implement the register ops:
 *
 *  - MMIO: BAR1 of 256 KiB carries the register file at 0x20000; 32-bit
 *    accesses; DMA datagrams are then mandatory.
 *  - port I/O: BAR0. DPDK's multi-byte ioport helpers step the offset, so
 *    the data FIFOs are accessed one byte at a time at a fixed offset.
 */

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rte_bus.h>
#include <rte_bus_pci.h>
#include <rte_devargs.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_io.h>
#include <rte_log.h>
#include <rte_malloc.h>
#include <rte_string_fns.h>
#include <rte_vfio.h>

#include <bus_driver.h>
#include <bus_pci_driver.h>

#include "vmci_defs.h"
#include "vmci_pci.h"

RTE_LOG_REGISTER_SUFFIX(vmci_pci_logtype, pci, NOTICE);

#define PCI_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, vmci_pci_logtype, "vmci_pci: %s(): " fmt "\n", \
		__func__, ##__VA_ARGS__)

struct vmci_pci_hw {
	struct vmci_hw hw; /* first: the core holds a pointer to it */
	struct rte_pci_device *pdev;
	uint8_t *regs;     /* MMIO register window, NULL in port-I/O mode */
	struct rte_pci_ioport ioport;
};

static inline struct vmci_pci_hw *
to_pci_hw(struct vmci_hw *hw)
{
	return (struct vmci_pci_hw *)hw;
}

/* MMIO register ops. */

static uint32_t
mmio_read32(struct vmci_hw *hw, uint32_t off)
{
	return rte_read32(to_pci_hw(hw)->regs + off);
}

static void
mmio_write32(struct vmci_hw *hw, uint32_t off, uint32_t val)
{
	rte_write32(val, to_pci_hw(hw)->regs + off);
}

static void
mmio_write_fifo(struct vmci_hw *hw, uint32_t off, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	size_t i;

	for (i = 0; i < len; i++)
		rte_write8(p[i], to_pci_hw(hw)->regs + off);
}

static void
mmio_read_fifo(struct vmci_hw *hw, uint32_t off, void *buf, size_t len)
{
	uint8_t *p = buf;
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = rte_read8(to_pci_hw(hw)->regs + off);
}

static const struct vmci_hw_ops vmci_pci_mmio_ops = {
	.read32 = mmio_read32,
	.write32 = mmio_write32,
	.write_fifo = mmio_write_fifo,
	.read_fifo = mmio_read_fifo,
};

/* Port-I/O register ops. */

static uint32_t
io_read32(struct vmci_hw *hw, uint32_t off)
{
	uint32_t val;

	rte_pci_ioport_read(&to_pci_hw(hw)->ioport, &val, sizeof(val), off);
	return val;
}

static void
io_write32(struct vmci_hw *hw, uint32_t off, uint32_t val)
{
	rte_pci_ioport_write(&to_pci_hw(hw)->ioport, &val, sizeof(val), off);
}

/* One access per byte: the FIFO is a single port, not a range. */
static void
io_write_fifo(struct vmci_hw *hw, uint32_t off, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	size_t i;

	for (i = 0; i < len; i++)
		rte_pci_ioport_write(&to_pci_hw(hw)->ioport, &p[i], 1, off);
}

static void
io_read_fifo(struct vmci_hw *hw, uint32_t off, void *buf, size_t len)
{
	uint8_t *p = buf;
	size_t i;

	for (i = 0; i < len; i++)
		rte_pci_ioport_read(&to_pci_hw(hw)->ioport, &p[i], 1, off);
}

static const struct vmci_hw_ops vmci_pci_io_ops = {
	.read32 = io_read32,
	.write32 = io_write32,
	.write_fifo = io_write_fifo,
	.read_fifo = io_read_fifo,
};

/* Discovery. */

/*
 * The functions this driver takes, registered the way DPDK's PCI drivers
 * register theirs so that dpdk-pmdinfo.py lists them with the kernel
 * drivers they need (the build embeds the strings, see buildtools/); kept
 * in the object even where the match below is folded into constants.
 */
static const struct rte_pci_id vmci_pci_id_map[] __rte_used = {
	{ RTE_PCI_DEVICE(VMCI_PCI_VENDOR_ID, VMCI_PCI_DEVICE_ID) },
	{ .vendor_id = 0 },
};

RTE_PMD_EXPORT_NAME(vmci, __COUNTER__);
RTE_PMD_REGISTER_PCI_TABLE(vmci, vmci_pci_id_map);
RTE_PMD_REGISTER_KMOD_DEP(vmci, "* vfio-pci | uio_pci_generic | igb_uio");

static bool
id_in_map(const struct rte_pci_id *id)
{
	const struct rte_pci_id *m;

	for (m = vmci_pci_id_map; m->vendor_id != 0; m++)
		if (m->vendor_id == id->vendor_id && m->device_id == id->device_id)
			return true;
	return false;
}

static int
match_vmci(const struct rte_device *dev, const void *data)
{
	const struct rte_pci_device *pdev = RTE_DEV_TO_PCI_CONST(dev);

	RTE_SET_USED(data);
	/* find_device stops at 0: report "match" for VMCI functions only. */
	return !id_in_map(&pdev->id);
}

int
vmci_pci_foreach(vmci_pci_cb_t cb, void *arg)
{
	struct rte_bus *pci_bus = rte_bus_find_by_name("pci");
	struct rte_device *dev = NULL;
	int ret;

	if (pci_bus == NULL || pci_bus->find_device == NULL)
		return 0; /* PCI bus not linked in: no PCI functions */
	while ((dev = pci_bus->find_device(dev, match_vmci, NULL)) != NULL) {
		ret = cb(RTE_DEV_TO_PCI(dev), arg);
		if (ret != 0)
			return ret;
	}
	return 0;
}

bool
vmci_pci_allowed(const struct rte_pci_device *pdev)
{
	struct rte_bus *pci_bus = rte_bus_find_by_name("pci");
	const struct rte_devargs *da = pdev->device.devargs;

	if (da != NULL)
		return da->policy != RTE_DEV_BLOCKED;
	/* With an allowlist (-a) only listed functions are used. */
	return pci_bus == NULL || pci_bus->conf.scan_mode != RTE_BUS_SCAN_ALLOWLIST;
}

/* Name of the kernel driver bound to the function, from sysfs. */
static void
bound_driver(const struct rte_pci_device *pdev, char *buf, size_t len)
{
	char path[PATH_MAX], target[PATH_MAX];
	const char *base;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/%s/driver", rte_pci_get_sysfs_path(),
		 pdev->name);
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0) {
		strlcpy(buf, "none", len);
		return;
	}
	target[n] = '\0';
	base = strrchr(target, '/');
	strlcpy(buf, base == NULL ? target : base + 1, len);
}

static bool
kdrv_supported(enum rte_pci_kernel_driver kdrv)
{
	return kdrv == RTE_PCI_KDRV_VFIO || kdrv == RTE_PCI_KDRV_UIO_GENERIC ||
	       kdrv == RTE_PCI_KDRV_IGB_UIO;
}

/*
 * The device reads guest memory by bus address. Without an IOMMU that is
 * the physical address, so IOVA-as-VA only works behind VFIO with a real
 * (virtual) IOMMU.
 */
static bool
iova_mode_usable(const struct rte_pci_device *pdev)
{
	if (rte_eal_iova_mode() != RTE_IOVA_VA)
		return true;
	return pdev->kdrv == RTE_PCI_KDRV_VFIO && !rte_vfio_noiommu_is_enabled();
}

bool
vmci_pci_explicit(const struct rte_pci_device *pdev)
{
	const struct rte_devargs *da = pdev->device.devargs;

	return da != NULL && da->policy == RTE_DEV_ALLOWED;
}

int
vmci_pci_check_driver(const struct rte_pci_device *pdev, uint32_t log_level)
{
	char drv[64];

	if (kdrv_supported(pdev->kdrv))
		return 0;
	bound_driver(pdev, drv, sizeof(drv));
	rte_log(log_level, vmci_pci_logtype,
		"vmci_pci: %s: VMCI function bound to \"%s\", expected vfio-pci, "
		"uio_pci_generic or igb_uio: run vmci-devbind -b vfio-pci %s "
		"(or driverctl set-override %s vfio-pci)\n",
		pdev->name, drv, pdev->name, pdev->name);
	return -ENODEV;
}

int
vmci_pci_check_usable(const struct rte_pci_device *pdev, uint32_t log_level)
{
	int ret = vmci_pci_check_driver(pdev, log_level);

	if (ret < 0)
		return ret;
	if (!iova_mode_usable(pdev)) {
		rte_log(log_level, vmci_pci_logtype,
			"vmci_pci: %s: IOVA-as-VA needs VFIO with an IOMMU; this function "
			"is driven without one, so the device needs physical addresses: "
			"use --iova-mode=pa\n", pdev->name);
		return -ENODEV;
	}
	return 0;
}

enum vmci_pci_regs
vmci_pci_regs_mode(const struct rte_pci_device *pdev)
{
	const struct rte_mem_resource *bar = &pdev->mem_resource[VMCI_BAR_MEM];

	/* BAR1 of exactly 256 KiB is the MMIO-capable device (spec 1, 9.1). */
	if (bar->len == VMCI_BAR_MEM_MMIO_SIZE) {
		if (bar->addr != NULL)
			return VMCI_PCI_REGS_MMIO;
		/* As the Linux guest: a window that cannot be mapped means port I/O... */
		PCI_LOG(WARNING, "%s: BAR1 of %" PRIu64 " bytes offers MMIO registers but "
			"is not mapped", pdev->name, bar->len);
	}
#ifdef RTE_ARCH_X86
	return VMCI_PCI_REGS_PORT_IO;
#else
	/* ... which exists on x86 only: elsewhere Linux refuses the device. */
	PCI_LOG(ERR, "%s: no MMIO register window, and port I/O needs x86", pdev->name);
	return VMCI_PCI_REGS_NONE;
#endif
}

static void
setup_mmio(struct vmci_pci_hw *ph)
{
	const struct rte_mem_resource *bar = &ph->pdev->mem_resource[VMCI_BAR_MEM];

	ph->regs = (uint8_t *)bar->addr + VMCI_MMIO_REG_OFFSET;
	ph->hw.ops = &vmci_pci_mmio_ops;
	ph->hw.backend = "pci-mmio";
	ph->hw.mmio = true;
}

static int
setup_ioport(struct vmci_pci_hw *ph)
{
	int ret = rte_pci_ioport_map(ph->pdev, VMCI_BAR_IO, &ph->ioport);

	if (ret < 0) {
		PCI_LOG(ERR, "%s: cannot map I/O BAR0 (%d): with uio_pci_generic "
			"port I/O needs iopl, i.e. root", ph->pdev->name, ret);
		return -ENXIO;
	}
	ph->hw.ops = &vmci_pci_io_ops;
	ph->hw.backend = "pci-ioport";
	ph->hw.mmio = false;
	return 0;
}

struct vmci_hw *
vmci_pci_hw_setup(struct rte_pci_device *pdev)
{
	enum vmci_pci_regs mode = vmci_pci_regs_mode(pdev);
	struct vmci_pci_hw *ph;
	int ret;

	if (mode == VMCI_PCI_REGS_NONE) {
		rte_errno = ENXIO;
		return NULL;
	}
	ph = rte_zmalloc_socket("vmci_pci_hw", sizeof(*ph), 0, pdev->device.numa_node);
	if (ph == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	ph->pdev = pdev;
	ph->hw.numa_node = pdev->device.numa_node;
	if (mode == VMCI_PCI_REGS_MMIO) {
		setup_mmio(ph);
		return &ph->hw;
	}
	ret = setup_ioport(ph);
	if (ret < 0) {
		rte_free(ph);
		rte_errno = -ret;
		return NULL;
	}
	return &ph->hw;
}

void
vmci_pci_hw_release(struct vmci_hw *hw)
{
	struct vmci_pci_hw *ph;

	if (hw == NULL)
		return;
	ph = to_pci_hw(hw);
	if (ph->hw.ops == &vmci_pci_io_ops)
		rte_pci_ioport_unmap(&ph->ioport);
	rte_free(ph);
}

struct vmci_hw *
vmci_pci_hw_open(struct rte_pci_device *pdev)
{
	struct vmci_hw *hw;
	int ret;

	ret = vmci_pci_check_usable(pdev, RTE_LOG_ERR);
	if (ret < 0)
		goto fail;
	ret = rte_pci_map_device(pdev);
	if (ret != 0) {
		PCI_LOG(ERR, "%s: cannot map the BARs (%d)%s", pdev->name, ret,
			pdev->kdrv != RTE_PCI_KDRV_VFIO ? "" :
			": VFIO needs the function's IOMMU group, or no-IOMMU mode "
			"(modprobe vfio enable_unsafe_noiommu_mode=1)");
		ret = -ENXIO;
		goto fail;
	}
	hw = vmci_pci_hw_setup(pdev);
	if (hw == NULL) {
		ret = -rte_errno;
		rte_pci_unmap_device(pdev);
		goto fail;
	}
	ret = rte_pci_set_bus_master(pdev, true);
	if (ret != 0) {
		vmci_pci_hw_close(hw);
		ret = ret < 0 ? ret : -EIO;
		goto fail;
	}
	PCI_LOG(INFO, "%s: registers by %s", pdev->name, hw->backend);
	return hw;
fail:
	rte_errno = -ret;
	return NULL;
}

void
vmci_pci_hw_close(struct vmci_hw *hw)
{
	struct rte_pci_device *pdev;

	if (hw == NULL)
		return;
	pdev = to_pci_hw(hw)->pdev;
	vmci_pci_hw_release(hw);
	rte_pci_set_bus_master(pdev, false);
	rte_pci_unmap_device(pdev);
}
