/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

#include <libgen.h>
#include <limits.h>
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
