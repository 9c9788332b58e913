/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

#ifndef _VMCI_BUS_BACKEND_H_
#define _VMCI_BUS_BACKEND_H_

/*
 * Internal: how a library outside the bus adds a kind of device that is
 * named by devargs (-a vmci:<prefix><N>,key=value,...). The emulated device
 * is one: its library registers from a constructor, so the bus knows it
 * only when that library is loaded (-d, or linked by a test or tool). Such
 * a device is then brought up through the register-access ops table
 * (vmci_hw.h) exactly like a PCI function. Not part of the public API.
 */

#include <rte_compat.h>

#include "vmci_hw.h"

struct rte_vmci_device;

#ifdef __cplusplus
extern "C" {
#endif

struct rte_vmci_bus_backend {
	/*
	 * Device names this backend takes: the prefix followed by a decimal
	 * number (e.g. "vmci_emu" for vmci_emu0, vmci_emu1, ...).
	 */
	const char *prefix;
	/*
	 * Check the devargs of device @name (@args may be NULL or empty) at
	 * scan. On success *priv holds the backend's parsed configuration
	 * (released with free_args) and *numa_node its NUMA node, or
	 * SOCKET_ID_ANY to take the register handle's. On failure -EINVAL,
	 * after a log line naming the bad key and value.
	 */
	int (*parse_args)(const char *name, const char *args, void **priv, int *numa_node);
	void (*free_args)(void *priv);
	/*
	 * Make the device's register access at probe (NULL with rte_errno),
	 * and release it after the device core let go of it.
	 */
	struct vmci_hw *(*open)(const char *name, void *priv);
	void (*close)(struct vmci_hw *hw, void *priv);
	/*
	 * Optional: the device is up on the bus (rte_vmci_dev_find() finds
	 * it), so the backend may start what its devargs asked for on it
	 * through the public API; and the device is about to go down, so it
	 * stops using it. Both run in the thread that probes or removes.
	 */
	void (*started)(struct rte_vmci_device *dev, void *priv);
	void (*stopping)(struct rte_vmci_device *dev, void *priv);
	/* Filled by the bus. */
	struct rte_vmci_bus_backend *next;
};

/*
 * Add @be to the bus. Called from a constructor (RTE_INIT) of the
 * backend's library, before EAL scans the buses. @be must live as long as
 * the process; a second backend with the same prefix is refused (logged).
 */
__rte_internal
void
rte_vmci_bus_backend_register(struct rte_vmci_bus_backend *be);

#ifdef __cplusplus
}
#endif

#endif /* _VMCI_BUS_BACKEND_H_ */
