/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

#ifndef _VMCI_APP_EMU_H_
#define _VMCI_APP_EMU_H_

/*
 * The applications' one way to reach the emulated device: the emulator is
 * a library beside the product, not a plugin, so an application that names
 * an emulated device (-a vmci:vmci_emuN / vmci:vmci_hostN) loads it with -d.
 */

#include <stdbool.h>
#include <stdio.h>

/* File name of the emulator library. */
#define VMCI_APP_EMU_LIB_NAME "librte_vmci_emu.so"

/* Whether EAL arguments argv[1 .. argc-1] name a vmci device (vmci:...). */
bool
vmci_app_has_vmci_devargs(int argc, char **argv);

/* Whether they name an emulated device, guest or host. */
bool
vmci_app_has_emu_devargs(int argc, char **argv);

/*
 * When the arguments name an emulated device and no -d loads the emulator,
 * append "-d <emulator>": next to the program in the build tree, or in the
 * installed library folder, else by name from the loader's search path.
 * @p argv must have room for two more pointers. If @p note is not NULL, a
 * line beginning with @p prog says so there.
 *
 * @return
 *   The new argument count.
 */
int
vmci_app_emu_load(int argc, char **argv, FILE *note, const char *prog);

#endif /* _VMCI_APP_EMU_H_ */
