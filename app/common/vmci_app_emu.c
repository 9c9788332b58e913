/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

#include <dirent.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_common.h>

#include "vmci_app_emu.h"

bool
vmci_app_has_vmci_devargs(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++)
		if (strncmp(argv[i], "vmci:", 5) == 0 || strstr(argv[i], "=vmci:") != NULL)
			return true;
	return false;
}

bool
vmci_app_has_emu_devargs(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++)
		if (strstr(argv[i], "vmci:vmci_emu") != NULL ||
		    strstr(argv[i], "vmci:vmci_host") != NULL)
			return true;
	return false;
}

/* Whether a -d option loads the emulator already. */
static bool
has_emu_lib(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++)
		if (strstr(argv[i], VMCI_APP_EMU_LIB_NAME) != NULL)
			return true;
	return false;
}

static char *
emu_lib_locate(void)
{
	static const char *const rel[] = { VMCI_APP_EMU_BUILD_REL, VMCI_APP_EMU_INSTALL_REL };
	static char path[PATH_MAX];
	char exe[PATH_MAX];
	unsigned int i;
	const char *dir;
	ssize_t n;

	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		dir = dirname(exe);
		for (i = 0; i < RTE_DIM(rel); i++) {
			snprintf(path, sizeof(path), "%s/%s", dir, rel[i]);
			if (access(path, R_OK) == 0)
				return path;
		}
	}
	snprintf(path, sizeof(path), "%s", VMCI_APP_EMU_LIB_NAME);
	return path;
}

int
vmci_app_emu_load(int argc, char **argv, FILE *note, const char *prog)
{
	static char arg_d[] = "-d";

	if (!vmci_app_has_emu_devargs(argc, argv) || has_emu_lib(argc, argv))
		return argc;
	argv[argc++] = arg_d;
	argv[argc++] = emu_lib_locate();
	if (note != NULL)
		fprintf(note, "%s: emulated devices named: loading the emulator, -d %s\n",
			prog, argv[argc - 1]);
	return argc;
}

#define VMCI_PCI_VENDOR 0x15ad
#define VMCI_PCI_DEVICE 0x0740

static bool
has_arg(int argc, char **argv, const char *arg)
{
	int i;

	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], arg) == 0)
			return true;
	return false;
}

/* The hexadecimal ID in sysfs file @p dir/@p dev/@p file, or 0. */
static unsigned int
pci_id(const char *dir, const char *dev, const char *file)
{
	char path[PATH_MAX];
	unsigned int id = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s/%s", dir, dev, file);
	f = fopen(path, "r");
	if (f == NULL)
		return 0;
	if (fscanf(f, "%x", &id) != 1)
		id = 0;
	fclose(f);
	return id;
}

/*
 * Whether sysfs lists a VMCI PCI function (bound to any driver, or none),
 * in the folder EAL scans: SYSFS_PCI_DEVICES if set, as EAL reads it.
 */
static bool
vmci_pci_present(void)
{
	const char *dir = getenv("SYSFS_PCI_DEVICES");
	struct dirent *e;
	bool found = false;
	DIR *d;

	if (dir == NULL)
		dir = "/sys/bus/pci/devices";
	d = opendir(dir);
	if (d == NULL)
		return false;
	while (!found && (e = readdir(d)) != NULL)
		found = e->d_name[0] != '.' &&
			pci_id(dir, e->d_name, "vendor") == VMCI_PCI_VENDOR &&
			pci_id(dir, e->d_name, "device") == VMCI_PCI_DEVICE;
	closedir(d);
	return found;
}

bool
vmci_app_vsock_emu_wanted(int argc, char **argv)
{
	bool pci = !has_arg(argc, argv, "--no-pci") &&
		   (has_arg(argc, argv, "-a") || has_arg(argc, argv, "--allow") ||
		    vmci_pci_present());

	return !vmci_app_has_vmci_devargs(argc, argv) && !pci;
}

int
vmci_app_vsock_emu_args(int argc, char **argv, bool *added)
{
	static char arg_a[] = "-a";
	static char arg_guest[] = VMCI_APP_EMU_GUEST_ARG;
	static char arg_host[] = VMCI_APP_EMU_HOST_VSOCK_ARG;

	*added = vmci_app_vsock_emu_wanted(argc, argv);
	if (!*added)
		return argc;
	argv[argc++] = arg_a;
	argv[argc++] = arg_guest;
	argv[argc++] = arg_a;
	argv[argc++] = arg_host;
	return argc;
}
