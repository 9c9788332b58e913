/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

#ifndef _VMCI_BUS_PRIVATE_H_
#define _VMCI_BUS_PRIVATE_H_

#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>

#include <dev_driver.h>

#include "emu/vmci_emu.h"
#include "vmci_core.h"

/* Bus names of emulated devices: vmci_emu0, vmci_emu1, ... */
#define VMCI_EMU_DEV_PREFIX "vmci_emu"

/* A device on the vmci bus: a PCI function or an emulated device. */
struct rte_vmci_device {
	TAILQ_ENTRY(rte_vmci_device) next;
	struct rte_device device;
	char name[RTE_DEV_NAME_MAX_LEN];
	struct rte_pci_device *pdev;   /* PCI backend, else NULL */
	bool emulated;
	bool bad_args;                 /* emulated: refused; a hotplug re-reads devargs */
	char hv_name[VMCI_EMU_HV_NAMESIZE];
	struct vmci_emu_dev_conf emu;  /* emulated: parsed devargs */
	struct vmci_hw *hw;            /* register access, once probed */
	struct vmci_device *core;      /* the device core, once probed */
	uint32_t service_id;
	bool has_service;
};

TAILQ_HEAD(vmci_dev_list, rte_vmci_device);

/*
 * Parse emulated-device devargs ("cid=..,mode=..") into vdev->emu and
 * vdev->hv_name. Not static so that the devargs fuzzer reaches it.
 * Returns 0 or -EINVAL after logging the bad key.
 */
int vmci_bus_parse_emu_args(struct rte_vmci_device *vdev, const char *args);

/* Free the public objects of a device the core is about to destroy. */
void vmci_api_dev_removed(struct rte_vmci_device *dev);

#endif /* _VMCI_BUS_PRIVATE_H_ */
