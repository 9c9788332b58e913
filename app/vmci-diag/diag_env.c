/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

/*
 * Step 1, environment: the VMCI PCI functions as sysfs shows them, the
 * IOMMU and VFIO state, hugepages, and after EAL init the IOVA mode. Every
 * problem comes with the command that fixes it. Read-only: nothing here
 * writes to sysfs.
 */

#include <dirent.h>
#include <inttypes.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>

#include "diag.h"

#define VMCI_VENDOR 0x15ad
#define VMCI_DEVICE 0x0740
/* struct resource flags in sysfs "resource" (linux/ioport.h). */
#define IORESOURCE_IO  0x100
#define IORESOURCE_MEM 0x200
/* BAR1 of the MMIO-capable device (registers at 0x20000). */
#define VMCI_BAR1_MMIO_SIZE (256u * 1024u)

static const char *
diag_pci_root(void)
{
	const char *p = getenv("SYSFS_PCI_DEVICES"); /* as DPDK's PCI bus honours it */

	return p != NULL ? p : "/sys/bus/pci/devices";
}

/* First line of a sysfs file, without its newline; "" if unreadable. */
static void
diag_read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");

	buf[0] = '\0';
	if (f == NULL)
		return;
	if (fgets(buf, (int)len, f) == NULL)
		buf[0] = '\0';
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
}

static unsigned long
diag_read_ulong(const char *path, unsigned long dflt)
{
	char buf[64], *end;
	unsigned long v;

	diag_read_line(path, buf, sizeof(buf));
	v = strtoul(buf, &end, 0);
	return end == buf ? dflt : v;
}

/* Basename of a symlink's target ("none" when there is no link). */
static void
diag_read_link(const char *path, char *buf, size_t len)
{
	char target[PATH_MAX];
	ssize_t n = readlink(path, target, sizeof(target) - 1);

	if (n < 0) {
		snprintf(buf, len, "none");
		return;
	}
	target[n] = '\0';
	snprintf(buf, len, "%s", basename(target));
}

static void
diag_bars(struct diag_step *s, const char *dev, const char *addr, uint64_t *bar1_len)
{
	char path[PATH_MAX + 400], key[96];
	uint64_t start, end, flags;
	unsigned int bar = 0;
	char line[256];
	FILE *f;

	*bar1_len = 0;
	snprintf(path, sizeof(path), "%s/resource", dev);
	f = fopen(path, "r");
	if (f == NULL) {
		diag_value_str(s, "pci.bars", "unreadable: %s", path);
		return;
	}
	/* Lines 0-5 are the BARs; the ROM and bridge windows follow. */
	while (bar < 6 && fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "%" SCNx64 " %" SCNx64 " %" SCNx64, &start, &end, &flags) != 3)
			break;
		if (start != 0 || end != 0) {
			uint64_t size = end - start + 1;

			snprintf(key, sizeof(key), "pci.%s.bar%u", addr, bar);
			diag_value_str(s, key, "%s 0x%" PRIx64 " size %" PRIu64,
				       flags & IORESOURCE_IO ? "io" :
				       flags & IORESOURCE_MEM ? "mem" : "?", start, size);
			if (bar == 1)
				*bar1_len = size;
		}
		bar++;
	}
	fclose(f);
}

static bool
diag_noiommu_enabled(void)
{
	char buf[8];

	diag_read_line("/sys/module/vfio/parameters/enable_unsafe_noiommu_mode", buf,
		       sizeof(buf));
	return buf[0] == 'Y' || buf[0] == '1';
}

static void
diag_check_binding(struct diag_ctx *ctx, const char *addr, const char *drv,
		   const char *group)
{
	struct diag_step *s = &ctx->steps[DIAG_STEP_ENV];

	if (strcmp(drv, "vfio-pci") == 0) {
		if (strcmp(group, "none") == 0 && !diag_noiommu_enabled()) {
			diag_fail(s, "%s: bound to vfio-pci without an IOMMU group and VFIO "
				  "no-IOMMU mode is off", addr);
			diag_fix(s, "modprobe -r vfio-pci vfio; modprobe vfio "
				 "enable_unsafe_noiommu_mode=1; modprobe vfio-pci; "
				 "vmci-devbind -b vfio-pci %s", addr);
		}
		return;
	}
	if (strcmp(drv, "uio_pci_generic") == 0 || strcmp(drv, "igb_uio") == 0)
		return;
	if (strcmp(drv, "none") == 0)
		diag_fail(s, "%s: bound to no driver, expected vfio-pci (or uio_pci_generic)",
			  addr);
	else
		diag_fail(s, "%s: bound to \"%s\", expected vfio-pci (or uio_pci_generic)",
			  addr, drv);
	diag_fix(s, "vmci-devbind -b vfio-pci %s", addr);
}

static void
diag_pci_function(struct diag_ctx *ctx, const char *root, const char *name)
{
	struct diag_step *s = &ctx->steps[DIAG_STEP_ENV];
	char dev[PATH_MAX + 280], path[PATH_MAX + 320], key[96], drv[64], group[64], cls[32];
	uint64_t bar1_len;
	long numa;

	snprintf(dev, sizeof(dev), "%s/%s", root, name);
	snprintf(key, sizeof(key), "pci.%s", name);
	diag_value_str(s, key, "%04x:%04x", VMCI_VENDOR, VMCI_DEVICE);
	snprintf(path, sizeof(path), "%s/class", dev);
	diag_read_line(path, cls, sizeof(cls));
	snprintf(key, sizeof(key), "pci.%s.class", name);
	diag_value_str(s, key, "%s", cls);
	snprintf(path, sizeof(path), "%s/revision", dev);
	snprintf(key, sizeof(key), "pci.%s.revision", name);
	diag_value_num(s, key, diag_read_ulong(path, 0));
	diag_bars(s, dev, name, &bar1_len);
	snprintf(key, sizeof(key), "pci.%s.registers", name);
	diag_value_str(s, key, "%s", bar1_len == VMCI_BAR1_MMIO_SIZE ?
		       "MMIO (BAR1 is 256 KiB)" : "port I/O (BAR1 is not 256 KiB)");
	snprintf(path, sizeof(path), "%s/driver", dev);
	diag_read_link(path, drv, sizeof(drv));
	snprintf(key, sizeof(key), "pci.%s.driver", name);
	diag_value_str(s, key, "%s", drv);
	snprintf(path, sizeof(path), "%s/iommu_group", dev);
	diag_read_link(path, group, sizeof(group));
	snprintf(key, sizeof(key), "pci.%s.iommu_group", name);
	diag_value_str(s, key, "%s", group);
	snprintf(path, sizeof(path), "%s/numa_node", dev);
	numa = (long)diag_read_ulong(path, (unsigned long)-1);
	snprintf(key, sizeof(key), "pci.%s.numa_node", name);
	diag_value_num(s, key, numa);
	diag_check_binding(ctx, name, drv, group);
}

static bool
diag_is_vmci(const char *root, const char *name)
{
	char path[PATH_MAX + 280];

	snprintf(path, sizeof(path), "%s/%s/vendor", root, name);
	if (diag_read_ulong(path, 0) != VMCI_VENDOR)
		return false;
	snprintf(path, sizeof(path), "%s/%s/device", root, name);
	return diag_read_ulong(path, 0) == VMCI_DEVICE;
}

static unsigned int
diag_count_dir(const char *path)
{
	unsigned int n = 0;
	struct dirent *e;
	DIR *d = opendir(path);

	if (d == NULL)
		return 0;
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

static void
diag_hugepages(struct diag_step *s)
{
	const char *root = "/sys/kernel/mm/hugepages";
	char path[PATH_MAX + 320], key[96], line[512];
	unsigned long total_all = 0;
	unsigned int mounts = 0;
	struct dirent *e;
	FILE *f;
	DIR *d;

	d = opendir(root);
	while (d != NULL && (e = readdir(d)) != NULL) {
		unsigned long total, nfree;

		if (strncmp(e->d_name, "hugepages-", 10) != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s/nr_hugepages", root, e->d_name);
		total = diag_read_ulong(path, 0);
		snprintf(path, sizeof(path), "%s/%s/free_hugepages", root, e->d_name);
		nfree = diag_read_ulong(path, 0);
		snprintf(key, sizeof(key), "hugepages.%s", e->d_name + 10);
		diag_value_str(s, key, "total %lu free %lu", total, nfree);
		total_all += total;
	}
	if (d != NULL)
		closedir(d);
	f = fopen("/proc/mounts", "r");
	while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
		char dev[128], dir[256], type[64];

		if (sscanf(line, "%127s %255s %63s", dev, dir, type) == 3 &&
		    strcmp(type, "hugetlbfs") == 0) {
			snprintf(key, sizeof(key), "hugepages.mount%u", mounts++);
			diag_value_str(s, key, "%s", dir);
		}
	}
	if (f != NULL)
		fclose(f);
	diag_value_num(s, "hugepages.total_pages", total_all);
	diag_value_num(s, "hugepages.mounts", mounts);
}

void
diag_env_scan(struct diag_ctx *ctx)
{
	struct diag_step *s = &ctx->steps[DIAG_STEP_ENV];
	const char *root = diag_pci_root();
	unsigned int found = 0;
	struct dirent *e;
	DIR *d;

	diag_set(s, DIAG_PASS, "VMCI function usable by DPDK");
	diag_value_str(s, "pci.sysfs", "%s", root);
	d = opendir(root);
	while (d != NULL && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.' || !diag_is_vmci(root, e->d_name))
			continue;
		found++;
		diag_pci_function(ctx, root, e->d_name);
	}
	if (d != NULL)
		closedir(d);
	diag_value_num(s, "pci.vmci_functions", found);
	ctx->vmci_pci_found = found > 0;
	diag_value_num(s, "iommu.groups", diag_count_dir("/sys/kernel/iommu_groups"));
	diag_value_str(s, "vfio.noiommu_mode", "%s",
		       access("/sys/module/vfio", F_OK) != 0 ? "vfio not loaded" :
		       diag_noiommu_enabled() ? "on" : "off");
	diag_hugepages(s);
	if (found == 0)
		diag_set(s, DIAG_SKIP, "no VMCI PCI function (%04x:%04x) in %s: not a VMware "
			 "VM, or VMCI is disabled in the VM's settings", VMCI_VENDOR,
			 VMCI_DEVICE, root);
}

/* What only EAL knows: the IOVA mode it picked and whether it has hugepages. */
void
diag_env_after_eal(struct diag_ctx *ctx)
{
	struct diag_step *s = &ctx->steps[DIAG_STEP_ENV];
	enum rte_iova_mode mode = rte_eal_iova_mode();
	bool noiommu = diag_noiommu_enabled();
	unsigned int groups = diag_count_dir("/sys/kernel/iommu_groups");

	diag_value_str(s, "eal.iova_mode", "%s", mode == RTE_IOVA_PA ? "pa" :
		       mode == RTE_IOVA_VA ? "va" : "dc");
	diag_value_str(s, "eal.hugepages", "%s", rte_eal_has_hugepages() ? "yes" : "no");
	if (!ctx->vmci_pci_found)
		return;
	/* The device reads memory by bus address: VA only behind a real IOMMU. */
	if (mode == RTE_IOVA_VA && (groups == 0 || noiommu)) {
		diag_fail(s, "IOVA mode va without an IOMMU (%u groups, no-IOMMU mode %s): "
			  "the device needs physical addresses", groups, noiommu ? "on" : "off");
		diag_fix(s, "add the EAL option --iova-mode=pa");
	}
	if (!rte_eal_has_hugepages()) {
		diag_fail(s, "no hugepages: the device needs IOVA-contiguous memory");
		diag_fix(s, "echo 256 > /sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages");
		diag_fix(s, "mountpoint -q /dev/hugepages || mount -t hugetlbfs nodev /dev/hugepages");
	}
}
