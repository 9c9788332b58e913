/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

/*
 * The "vmci" bus. Scan collects two kinds of devices:
 *  - VMCI PCI functions, from DPDK's PCI bus (which honours
 *    SYSFS_PCI_DEVICES and -a/-b by PCI address);
 *  - devices of backends registered by other libraries
 *    (vmci_bus_backend.h), named by devargs on this bus; the emulator's:
 *      -a vmci:vmci_emu0,cid=20,mode=dma,hv=lab
 *    or, the same devargs, --vdev vmci_emu0,cid=20,...: EAL gives a name
 *    without a bus prefix to the bus whose parse() claims it (ours, for
 *    the names of a registered backend), so both spellings reach
 *    scan_backends() alike.
 * Probe brings every allowed device up through the device core; cleanup
 * (rte_eal_cleanup) tears them down in the spec's order.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include <rte_bus.h>
#include <rte_bus_pci.h>
#include <rte_devargs.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_kvargs.h>
#include <rte_malloc.h>
#include <rte_service_component.h>
#include <rte_string_fns.h>

#include <bus_driver.h>
#include <bus_pci_driver.h>

#include "rte_bus_vmci.h"
#include "vmci_bus_private.h"
#include "vmci_logs.h"
#include "vmci_pci.h"

static struct vmci_dev_list vmci_devices = TAILQ_HEAD_INITIALIZER(vmci_devices);
static struct rte_bus vmci_bus;

/*
 * EAL tells probed devices by their driver pointer (rte_dev_is_probed):
 * hotplug removal refuses a device without one.
 */
static struct rte_driver vmci_rte_driver = {
	.name = "vmci",
};

static struct rte_vmci_device *
dev_by_name(const char *name)
{
	struct rte_vmci_device *vdev;

	TAILQ_FOREACH(vdev, &vmci_devices, next)
		if (strcmp(vdev->name, name) == 0)
			return vdev;
	return NULL;
}

static struct rte_vmci_device *
dev_new(const char *name, int numa_node, struct rte_devargs *da)
{
	struct rte_vmci_device *vdev = calloc(1, sizeof(*vdev));

	if (vdev == NULL)
		return NULL;
	strlcpy(vdev->name, name, sizeof(vdev->name));
	vdev->device.name = vdev->name;
	vdev->device.bus = &vmci_bus;
	vdev->device.numa_node = numa_node;
	vdev->device.devargs = da;
	TAILQ_INSERT_TAIL(&vmci_devices, vdev, next);
	return vdev;
}

/* Devargs this bus holds for @name (e.g. -b vmci:0000:00:07.7), if any. */
static struct rte_devargs *
own_devargs(const char *name)
{
	struct rte_devargs *da;

	RTE_EAL_DEVARGS_FOREACH(vmci_bus.name, da)
		if (strcmp(da->name, name) == 0)
			return da;
	return NULL;
}

/*
 * A function named with -a (on the PCI bus or this one) but bound to a
 * kernel driver DPDK cannot use is left out with an error (the user asked
 * for it); the scan goes on and reports -ENODEV in *@arg. Unnamed ones are
 * only skipped, with a notice, at probe.
 */
static int
scan_pci_one(struct rte_pci_device *pdev, void *arg)
{
	struct rte_devargs *da = own_devargs(pdev->name);
	struct rte_vmci_device *vdev;
	int *error = arg;

	if (dev_by_name(pdev->name) != NULL)
		return 0;
	if ((vmci_pci_explicit(pdev) || (da != NULL && da->policy == RTE_DEV_ALLOWED)) &&
	    vmci_pci_check_driver(pdev, RTE_LOG_ERR) < 0) {
		*error = -ENODEV;
		return 0;
	}
	vdev = dev_new(pdev->name, pdev->device.numa_node, da);
	if (vdev == NULL)
		return -ENOMEM;
	vdev->pdev = pdev;
	return 0;
}

/* Backends of devices named by devargs, in registration order. */
static struct rte_vmci_bus_backend *vmci_backends;

void
rte_vmci_bus_backend_register(struct rte_vmci_bus_backend *be)
{
	struct rte_vmci_bus_backend **p;

	for (p = &vmci_backends; *p != NULL; p = &(*p)->next) {
		if (strcmp((*p)->prefix, be->prefix) == 0) {
			VMCI_LOG(ERR, "a backend for %s<N> devices is registered already",
				 be->prefix);
			return;
		}
	}
	be->next = NULL;
	*p = be;
}

/* Backend taking @name: its prefix followed by a decimal number. */
static const struct rte_vmci_bus_backend *
backend_of(const char *name)
{
	const struct rte_vmci_bus_backend *be;
	const char *p;

	for (be = vmci_backends; be != NULL; be = be->next) {
		p = name + strlen(be->prefix);
		if (strncmp(name, be->prefix, strlen(be->prefix)) != 0 || *p == '\0')
			continue;
		while (*p >= '0' && *p <= '9')
			p++;
		if (*p == '\0')
			return be;
	}
	return NULL;
}

static void
backend_args_free(struct rte_vmci_device *vdev)
{
	if (vdev->backend_priv != NULL)
		vdev->backend->free_args(vdev->backend_priv);
	vdev->backend_priv = NULL;
}

static void
dev_free(struct rte_vmci_device *vdev)
{
	if (vdev->backend != NULL)
		backend_args_free(vdev);
	free(vdev);
}

/* Parse @da's arguments for @vdev; 0 or -EINVAL (logged). */
static int
backend_args_parse(struct rte_vmci_device *vdev, const struct rte_devargs *da)
{
	int numa_node = SOCKET_ID_ANY;

	backend_args_free(vdev);
	if (da == NULL ||
	    vdev->backend->parse_args(vdev->name, da->args, &vdev->backend_priv, &numa_node) < 0) {
		VMCI_LOG(ERR, "%s: invalid devargs \"%s\": device not created", vdev->name,
			 da != NULL ? da->args : "");
		vdev->backend_priv = NULL;
		return -EINVAL;
	}
	vdev->device.numa_node = numa_node;
	return 0;
}

/*
 * A device with invalid devargs is not created, with an error line naming
 * the key and value; the others still are. It stays on the list, marked,
 * without a devargs pointer (EAL may free them), so that later scans do not
 * report it again; a hotplug request with new devargs retries it. The scan
 * fails when it found a new bad one, which makes rte_dev_probe() fail; EAL
 * of DPDK 22.11 only logs a failed scan at start-up.
 */
static int
scan_backends(void)
{
	struct rte_vmci_device *vdev;
	struct rte_devargs *da;
	int ret = 0;

	RTE_EAL_DEVARGS_FOREACH(vmci_bus.name, da) {
		if (dev_by_name(da->name) != NULL)
			continue;
		if (backend_of(da->name) == NULL)
			continue;
		vdev = dev_new(da->name, SOCKET_ID_ANY, da);
		if (vdev == NULL)
			return -ENOMEM;
		vdev->backend = backend_of(da->name);
		if (backend_args_parse(vdev, da) < 0) {
			vdev->bad_args = true;
			vdev->device.devargs = NULL;
			ret = -EINVAL;
		}
	}
	return ret;
}

/* Hotplug of a device refused before (devargs, bring-up): parse its devargs again. */
static int
retry_backend_args(struct rte_vmci_device *vdev)
{
	struct rte_devargs *da = own_devargs(vdev->name);

	if (backend_args_parse(vdev, da) < 0)
		return -EINVAL;
	vdev->bad_args = false;
	vdev->device.devargs = da;
	return 0;
}

static int
vmci_bus_scan(void)
{
	int pci_error = 0;
	int ret = vmci_pci_foreach(scan_pci_one, &pci_error);
	int be_ret = scan_backends();

	if (ret == 0)
		ret = pci_error;
	return ret != 0 ? ret : be_ret;
}

/*
 * -a/-b: a PCI function follows the PCI bus's lists; in addition, once
 * devices of this bus are allow-listed (-a vmci:vmci_emu0), a function
 * is used only if named with -a too, as on any bus with an allowlist.
 */
static bool
dev_allowed(const struct rte_vmci_device *vdev)
{
	const struct rte_devargs *da = vdev->device.devargs;

	if (da != NULL && da->policy == RTE_DEV_BLOCKED)
		return false;
	if (vdev->pdev == NULL)
		return true;
	if (vmci_bus.conf.scan_mode == RTE_BUS_SCAN_ALLOWLIST && !vmci_pci_explicit(vdev->pdev))
		return false;
	return vmci_pci_allowed(vdev->pdev);
}

/*
 * A VMCI function the user did not name with -a is skipped quietly when
 * still bound to its kernel driver (the default on every VMware VM), so
 * that linking this driver never breaks an application that does not use
 * VMCI. Named with -a, the same condition is an error.
 */
static bool
dev_explicit(const struct rte_vmci_device *vdev)
{
	const struct rte_devargs *da = vdev->device.devargs;

	return (da != NULL && da->policy == RTE_DEV_ALLOWED) ||
	       (vdev->pdev != NULL && vmci_pci_explicit(vdev->pdev));
}

static struct vmci_hw *
dev_open_hw(struct rte_vmci_device *vdev)
{
	if (vdev->pdev != NULL)
		return vmci_pci_hw_open(vdev->pdev);
	if (vdev->bad_args) {
		rte_errno = EINVAL; /* reported at scan */
		return NULL;
	}
	return vdev->backend->open(vdev->name, vdev->backend_priv);
}

static void
dev_close_hw(struct rte_vmci_device *vdev)
{
	if (vdev->hw == NULL)
		return;
	if (vdev->pdev != NULL)
		vmci_pci_hw_close(vdev->hw);
	else
		vdev->backend->close(vdev->hw, vdev->backend_priv);
	vdev->hw = NULL;
}

static int
vmci_dev_probe(struct rte_vmci_device *vdev)
{
	struct vmci_device_conf conf = { .name = vdev->name };

	if (vdev->core != NULL)
		return 0;
	vdev->hw = dev_open_hw(vdev);
	if (vdev->hw == NULL) {
		VMCI_LOG(ERR, "%s: no register access: %s", vdev->name, rte_strerror(rte_errno));
		return -rte_errno;
	}
	vdev->core = vmci_device_create(vdev->hw, &conf);
	if (vdev->core == NULL) {
		int err = rte_errno;

		VMCI_LOG(ERR, "%s: bring-up failed: %s", vdev->name, rte_strerror(err));
		dev_close_hw(vdev);
		return -err;
	}
	if (vdev->device.numa_node < 0)
		vdev->device.numa_node = vdev->hw->numa_node;
	vdev->device.driver = &vmci_rte_driver;
	VMCI_LOG(INFO, "%s: up, backend %s, context ID %" PRIu32, vdev->name,
		 vdev->hw->backend, vmci_device_context_id(vdev->core));
	if (vdev->backend != NULL && vdev->backend->started != NULL)
		vdev->backend->started(vdev, vdev->backend_priv);
	return 0;
}

static void
vmci_dev_remove(struct rte_vmci_device *vdev)
{
	if (vdev->core != NULL && vdev->backend != NULL && vdev->backend->stopping != NULL)
		vdev->backend->stopping(vdev, vdev->backend_priv);
	if (vdev->has_service) {
		rte_service_component_unregister(vdev->service_id);
		vdev->has_service = false;
	}
	vmci_api_dev_removed(vdev);
	vmci_device_destroy(vdev->core);
	vdev->core = NULL;
	vdev->device.driver = NULL;
	dev_close_hw(vdev);
}

static int
vmci_bus_probe(void)
{
	struct rte_vmci_device *vdev;
	int failed = 0;

	TAILQ_FOREACH(vdev, &vmci_devices, next) {
		if (vdev->bad_args)
			continue; /* reported at scan */
		if (!dev_allowed(vdev)) {
			VMCI_LOG(DEBUG, "%s: not allowed by -a/-b, skipped", vdev->name);
			continue;
		}
		if (vdev->pdev != NULL && rte_eal_process_type() != RTE_PROC_PRIMARY) {
			/*
			 * Bring-up negotiates caps and hands the device this
			 * process's memory: only its owner may do that.
			 */
			VMCI_LOG(INFO, "%s: VMCI function left to the primary process",
				 vdev->name);
			continue;
		}
		if (vdev->pdev != NULL && !dev_explicit(vdev) &&
		    vmci_pci_check_usable(vdev->pdev, RTE_LOG_NOTICE) < 0)
			continue;
		if (vmci_dev_probe(vdev) < 0)
			failed++;
	}
	return failed == 0 ? 0 : -1;
}

static int
vmci_bus_cleanup(void)
{
	struct rte_vmci_device *vdev;

	while ((vdev = TAILQ_FIRST(&vmci_devices)) != NULL) {
		TAILQ_REMOVE(&vmci_devices, vdev, next);
		vmci_dev_remove(vdev);
		dev_free(vdev);
	}
	return 0;
}

static struct rte_device *
vmci_bus_find_device(const struct rte_device *start, rte_dev_cmp_t cmp, const void *data)
{
	struct rte_vmci_device *vdev;

	vdev = start == NULL ? TAILQ_FIRST(&vmci_devices) :
		TAILQ_NEXT(container_of(start, struct rte_vmci_device, device), next);
	for (; vdev != NULL; vdev = TAILQ_NEXT(vdev, next))
		if (cmp(&vdev->device, data) == 0)
			return &vdev->device;
	return NULL;
}

static int
vmci_bus_plug(struct rte_device *dev)
{
	struct rte_vmci_device *vdev = container_of(dev, struct rte_vmci_device, device);
	int ret;

	if (vdev->bad_args && retry_backend_args(vdev) < 0)
		return -EINVAL;
	if (vdev->pdev != NULL && rte_eal_process_type() != RTE_PROC_PRIMARY) {
		VMCI_LOG(ERR, "%s: a VMCI function can only be plugged in the primary process",
			 vdev->name);
		return -ENOTSUP;
	}
	ret = vmci_dev_probe(vdev);
	if (ret < 0 && vdev->backend != NULL) {
		/* EAL drops the devargs of a failed plug: retry from new ones. */
		vdev->bad_args = true;
		vdev->device.devargs = NULL;
	}
	return ret;
}

/*
 * Hot removal (rte_dev_remove): the device leaves the bus with its devargs,
 * as on DPDK's own buses, so that a later rte_dev_probe() with new devargs
 * starts afresh. A PCI function comes back at the next scan.
 */
static int
vmci_bus_unplug(struct rte_device *dev)
{
	struct rte_vmci_device *vdev = container_of(dev, struct rte_vmci_device, device);

	vmci_dev_remove(vdev);
	TAILQ_REMOVE(&vmci_devices, vdev, next);
	if (vdev->device.devargs != NULL && vdev->device.devargs == own_devargs(vdev->name))
		rte_devargs_remove(vdev->device.devargs);
	dev_free(vdev);
	return 0;
}

/*
 * Names on this bus: <backend prefix>N, or a PCI address of a VMCI
 * function. EAL then refuses any other name; one in this bus's own
 * "vmci_" namespace most likely names a device of a backend library that
 * is not loaded, so say which.
 */
static int
vmci_bus_parse(const char *name, void *addr)
{
	struct rte_pci_addr pci;

	if (backend_of(name) == NULL && rte_pci_addr_parse(name, &pci) != 0) {
		if (strncmp(name, "vmci_", 5) == 0)
			VMCI_LOG(ERR, "%s: no loaded backend takes this name (emulated devices need the emulator library: -d librte_vmci_emu.so)",
				 name);
		return -1;
	}
	if (addr != NULL)
		strlcpy(addr, name, RTE_DEV_NAME_MAX_LEN);
	return 0;
}

static struct rte_bus vmci_bus = {
	.scan = vmci_bus_scan,
	.probe = vmci_bus_probe,
	.find_device = vmci_bus_find_device,
	.plug = vmci_bus_plug,
	.unplug = vmci_bus_unplug,
	.parse = vmci_bus_parse,
	.cleanup = vmci_bus_cleanup,
};

RTE_REGISTER_BUS(vmci, vmci_bus);

/* Public device API. */

uint16_t
rte_vmci_dev_count(void)
{
	struct rte_vmci_device *vdev;
	uint16_t n = 0;

	TAILQ_FOREACH(vdev, &vmci_devices, next)
		if (vdev->core != NULL)
			n++;
	return n;
}

struct rte_vmci_device *
rte_vmci_dev_get(uint16_t index)
{
	struct rte_vmci_device *vdev;

	TAILQ_FOREACH(vdev, &vmci_devices, next)
		if (vdev->core != NULL && index-- == 0)
			return vdev;
	return NULL;
}

struct rte_vmci_device *
rte_vmci_dev_find(const char *name)
{
	struct rte_vmci_device *vdev;

	if (name == NULL)
		return NULL;
	vdev = dev_by_name(name);
	return vdev != NULL && vdev->core != NULL ? vdev : NULL;
}

int
rte_vmci_dev_info_get(const struct rte_vmci_device *dev, struct rte_vmci_dev_info *info)
{
	if (dev == NULL || info == NULL || dev->core == NULL)
		return -EINVAL;
	info->name = dev->name;
	info->backend = dev->hw->backend;
	info->context_id = vmci_device_context_id(dev->core);
	info->caps_offered = vmci_device_caps_offered(dev->core);
	info->caps = vmci_device_caps(dev->core);
	info->numa_node = dev->device.numa_node;
	return 0;
}

uint32_t
rte_vmci_context_id(const struct rte_vmci_device *dev)
{
	if (dev == NULL || dev->core == NULL)
		return RTE_VMCI_INVALID_ID;
	return vmci_device_context_id(dev->core);
}

int
rte_vmci_poll(struct rte_vmci_device *dev)
{
	if (dev == NULL || dev->core == NULL)
		return -EINVAL;
	return vmci_device_poll(dev->core);
}

static int32_t
vmci_service_run(void *arg)
{
	return rte_vmci_poll(arg) > 0 ? 0 : -EAGAIN;
}

int
rte_vmci_service_register(struct rte_vmci_device *dev, uint32_t *service_id)
{
	struct rte_service_spec spec = {
		.callback = vmci_service_run,
		.callback_userdata = dev,
		.capabilities = RTE_SERVICE_CAP_MT_SAFE,
		.socket_id = SOCKET_ID_ANY,
	};
	int ret;

	if (dev == NULL || dev->core == NULL || service_id == NULL)
		return -EINVAL;
	if (dev->has_service) {
		*service_id = dev->service_id;
		return 0;
	}
	/* Service names are short: PCI addresses and vmci_emuN fit. */
	snprintf(spec.name, sizeof(spec.name), "vmci_poll_%.21s", dev->name);
	ret = rte_service_component_register(&spec, &dev->service_id);
	if (ret < 0)
		return ret;
	rte_service_component_runstate_set(dev->service_id, 1);
	dev->has_service = true;
	*service_id = dev->service_id;
	return 0;
}
