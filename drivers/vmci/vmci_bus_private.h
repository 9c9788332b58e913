/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

#ifndef _VMCI_BUS_PRIVATE_H_
#define _VMCI_BUS_PRIVATE_H_

#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>

#include <dev_driver.h>

#include "vmci_bus_backend.h"
#include "vmci_core.h"

/*
 * A device on the vmci bus: a PCI function, or a device of a registered
 * backend (vmci_bus_backend.h) named by devargs.
 */
struct rte_vmci_device {
	TAILQ_ENTRY(rte_vmci_device) next;
	struct rte_device device;
	char name[RTE_DEV_NAME_MAX_LEN];
	struct rte_pci_device *pdev;   /* PCI backend, else NULL */
	const struct rte_vmci_bus_backend *backend; /* devargs backend, else NULL */
	void *backend_priv;            /* its parsed devargs */
	bool bad_args;                 /* backend: refused; a hotplug re-reads devargs */
	struct vmci_hw *hw;            /* register access, once probed */
	struct vmci_device *core;      /* the device core, once probed */
	uint32_t service_id;
	bool has_service;
};

TAILQ_HEAD(vmci_dev_list, rte_vmci_device);

/* Free the public objects of a device the core is about to destroy. */
void vmci_api_dev_removed(struct rte_vmci_device *dev);

#endif /* _VMCI_BUS_PRIVATE_H_ */
