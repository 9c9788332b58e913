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

/* The emulated guest and the emulated host serving vSockets, as -a arguments. */
#define VMCI_APP_EMU_GUEST_ARG "vmci:vmci_emu0,cid=20"
#define VMCI_APP_EMU_HOST_VSOCK_ARG "vmci:vmci_host0,vsock=1"

/*
 * For applications that speak vSockets: whether they should name the
 * emulated devices themselves, because the EAL arguments name no vmci
 * device and no VMCI PCI function can be found (--no-pci; or no -a naming
 * PCI devices and no VMCI function 15ad:0740 in sysfs, in the folder EAL
 * scans: SYSFS_PCI_DEVICES if set).
 */
bool
vmci_app_vsock_emu_wanted(int argc, char **argv);

/*
 * When vmci_app_vsock_emu_wanted(), append "-a VMCI_APP_EMU_GUEST_ARG -a
 * VMCI_APP_EMU_HOST_VSOCK_ARG", so that they run in one line without
 * VMware. @p argv must have room for four more pointers; @p added says
 * whether they were added.
 *
 * @return
 *   The new argument count.
 */
int
vmci_app_vsock_emu_args(int argc, char **argv, bool *added);

#endif /* _VMCI_APP_EMU_H_ */
