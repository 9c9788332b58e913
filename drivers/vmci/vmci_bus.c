/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

/*
 * The "vmci" bus. Scan collects two kinds of devices:
 *  - VMCI PCI functions, from DPDK's PCI bus (which honours
 *    SYSFS_PCI_DEVICES and -a/-b by PCI address);
 *  - emulated devices named by devargs on this bus:
 *      -a vmci:vmci_emu0,cid=20,mode=dma,hv=lab
 *    or, the same devargs, --vdev vmci_emu0,cid=20,...: EAL gives a name
 *    without a bus prefix to the bus whose parse() claims it (ours, for
 *    vmci_emuN), so both spellings reach scan_emu() alike.
 * Probe brings every allowed device up through the device core; cleanup
 * (rte_eal_cleanup) tears them down in the spec's order.
 */

#include <ctype.h>
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

#include "emu/vmci_emu.h"
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

/* Emulated-device devargs keys. */
#define EMU_ARG_CID    "cid"
#define EMU_ARG_MODE   "mode"
#define EMU_ARG_HV     "hv"
#define EMU_ARG_CAPS   "caps"
#define EMU_ARG_SOCKET "socket"

static const char * const emu_valid_keys[] = {
	EMU_ARG_CID,
	EMU_ARG_MODE,
	EMU_ARG_HV,
	EMU_ARG_CAPS,
	EMU_ARG_SOCKET,
	NULL,
};

/* For dpdk-pmdinfo.py, as net_vmci and DPDK's drivers register theirs. */
RTE_PMD_EXPORT_NAME(vmci_emu, __COUNTER__);
RTE_PMD_REGISTER_PARAM_STRING(vmci_emu,
	EMU_ARG_CID "=<16..0xfffffffe> "
	EMU_ARG_MODE "=port|dma "
	EMU_ARG_HV "=<emulated hypervisor> "
	EMU_ARG_CAPS "=<mask> "
	EMU_ARG_SOCKET "=<NUMA node>");

/* A key given without "=value" reaches the parsers with value NULL. */
static bool
has_value(const char *key, const char *value)
{
	if (value != NULL)
		return true;
	VMCI_LOG(ERR, "devargs key %s has no value: expected %s=VALUE", key, key);
	return false;
}

/*
 * A whole unsigned number: decimal, or hexadecimal after 0x. No sign, no
 * blanks, nothing after it, nothing empty, at most @max; an error line
 * names the key, the value and what is expected.
 */
static int
parse_num(const char *key, const char *value, uint32_t max, uint32_t *out)
{
	bool hex = value[0] == '0' && (value[1] == 'x' || value[1] == 'X');
	const char *digits = hex ? value + 2 : value;
	int (*is_digit)(int) = hex ? isxdigit : isdigit;
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(digits, &end, hex ? 16 : 10);
	/* strtoul() accepts blanks and a sign before the digits: we do not. */
	if (!is_digit((unsigned char)digits[0]) || errno != 0 || *end != '\0' || v > max) {
		VMCI_LOG(ERR, "invalid %s=%s: expected an integer 0..%" PRIu32
			 " (decimal or 0x hex)", key, value, max);
		return -EINVAL;
	}
	*out = (uint32_t)v;
	return 0;
}

static int
parse_u32(const char *key, const char *value, void *out)
{
	if (!has_value(key, value))
		return -EINVAL;
	return parse_num(key, value, UINT32_MAX, out);
}

/* cid=: a guest context ID, 16 .. 0xfffffffe (0..15 are reserved). */
static int
parse_cid(const char *key, const char *value, void *out)
{
	uint32_t v;

	if (parse_u32(key, value, &v) < 0)
		return -EINVAL;
	if (v < VMCI_RESERVED_CID_LIMIT || v == VMCI_INVALID_ID) {
		VMCI_LOG(ERR, "invalid %s=%s: expected a guest context ID %u..%u",
			 key, value, VMCI_RESERVED_CID_LIMIT, VMCI_INVALID_ID - 1);
		return -EINVAL;
	}
	*(uint32_t *)out = v;
	return 0;
}

static int
parse_mode(const char *key, const char *value, void *out)
{
	if (!has_value(key, value))
		return -EINVAL;
	if (strcmp(value, "port") == 0) {
		*(bool *)out = false;
		return 0;
	}
	if (strcmp(value, "dma") == 0) {
		*(bool *)out = true;
		return 0;
	}
	VMCI_LOG(ERR, "invalid %s=%s: expected port or dma", key, value);
	return -EINVAL;
}

static int
parse_hv(const char *key, const char *value, void *out)
{
	if (!has_value(key, value))
		return -EINVAL;
	if (value[0] == '\0' || strlen(value) >= VMCI_EMU_HV_NAMESIZE) {
		VMCI_LOG(ERR, "invalid %s=%s: expected 1..%d characters",
			 key, value, VMCI_EMU_HV_NAMESIZE - 1);
		return -EINVAL;
	}
	strlcpy(out, value, VMCI_EMU_HV_NAMESIZE);
	return 0;
}

/* caps=: a mask of known capabilities that offers DATAGRAM. */
static int
parse_caps(const char *key, const char *value, void *out)
{
	uint32_t v;

	if (!has_value(key, value) || parse_num(key, value, VMCI_EMU_CAPS_KNOWN, &v) < 0)
		return -EINVAL;
	if (!(v & VMCI_CAPS_DATAGRAM)) {
		VMCI_LOG(ERR, "invalid %s=%s: expected a mask within 0x%x that includes"
			 " DATAGRAM (0x%x)", key, value, VMCI_EMU_CAPS_KNOWN,
			 VMCI_CAPS_DATAGRAM);
		return -EINVAL;
	}
	*(uint32_t *)out = v;
	return 0;
}

static int
parse_socket(const char *key, const char *value, void *out)
{
	uint32_t v;

	if (!has_value(key, value) || parse_num(key, value, RTE_MAX_NUMA_NODES - 1, &v) < 0)
		return -EINVAL;
	*(int *)out = (int)v;
	return 0;
}

/* A key given twice is an error: which value the user meant is unknown. */
static int
check_repeated(const struct rte_vmci_device *vdev, const struct rte_kvargs *kv)
{
	unsigned int i, n;
	int ret = 0;

	for (i = 0; emu_valid_keys[i] != NULL; i++) {
		n = rte_kvargs_count(kv, emu_valid_keys[i]);
		if (n > 1) {
			VMCI_LOG(ERR, "%s: key %s given %u times: expected at most once",
				 vdev->name, emu_valid_keys[i], n);
			ret = -EINVAL;
		}
	}
	return ret;
}

/* Fill the emulated-device configuration from "cid=..,mode=..". */
int
vmci_bus_parse_emu_args(struct rte_vmci_device *vdev, const char *args)
{
	struct rte_kvargs *kv;
	int ret = 0;

	strlcpy(vdev->hv_name, VMCI_EMU_DEFAULT_HV, sizeof(vdev->hv_name));
	vdev->emu.socket_id = SOCKET_ID_ANY;
	if (args == NULL || args[0] == '\0')
		goto done;
	kv = rte_kvargs_parse(args, emu_valid_keys);
	if (kv == NULL) {
		VMCI_LOG(ERR, "%s: cannot parse \"%s\": keys are cid, mode, hv, caps, socket",
			 vdev->name, args);
		return -EINVAL;
	}
	ret = check_repeated(vdev, kv);
	ret |= rte_kvargs_process(kv, EMU_ARG_CID, parse_cid, &vdev->emu.cid);
	ret |= rte_kvargs_process(kv, EMU_ARG_MODE, parse_mode, &vdev->emu.mmio);
	ret |= rte_kvargs_process(kv, EMU_ARG_HV, parse_hv, vdev->hv_name);
	ret |= rte_kvargs_process(kv, EMU_ARG_CAPS, parse_caps, &vdev->emu.caps);
	ret |= rte_kvargs_process(kv, EMU_ARG_SOCKET, parse_socket, &vdev->emu.socket_id);
	rte_kvargs_free(kv);
done:
	vdev->emu.hv_name = vdev->hv_name;
	return ret == 0 ? 0 : -EINVAL;
}

static bool
is_emu_name(const char *name)
{
	const char *p = name + strlen(VMCI_EMU_DEV_PREFIX);

	if (strncmp(name, VMCI_EMU_DEV_PREFIX, strlen(VMCI_EMU_DEV_PREFIX)) != 0 || *p == '\0')
		return false;
	for (; *p != '\0'; p++)
		if (*p < '0' || *p > '9')
			return false;
	return true;
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
scan_emu(void)
{
	struct rte_vmci_device *vdev;
	struct rte_devargs *da;
	int ret = 0;

	RTE_EAL_DEVARGS_FOREACH(vmci_bus.name, da) {
		if (!is_emu_name(da->name) || dev_by_name(da->name) != NULL)
			continue;
		vdev = dev_new(da->name, SOCKET_ID_ANY, da);
		if (vdev == NULL)
			return -ENOMEM;
		vdev->emulated = true;
		if (vmci_bus_parse_emu_args(vdev, da->args) < 0) {
			VMCI_LOG(ERR, "%s: invalid devargs \"%s\": device not created",
				 vdev->name, da->args);
			vdev->bad_args = true;
			vdev->device.devargs = NULL;
			ret = -EINVAL;
			continue;
		}
		vdev->device.numa_node = vdev->emu.socket_id;
	}
	return ret;
}

/* Hotplug of a device refused before (devargs, bring-up): parse its devargs again. */
static int
retry_emu_args(struct rte_vmci_device *vdev)
{
	struct rte_devargs *da = own_devargs(vdev->name);

	memset(&vdev->emu, 0, sizeof(vdev->emu));
	if (da == NULL || vmci_bus_parse_emu_args(vdev, da->args) < 0) {
		VMCI_LOG(ERR, "%s: invalid devargs \"%s\": device not created", vdev->name,
			 da != NULL ? da->args : "");
		return -EINVAL;
	}
	vdev->bad_args = false;
	vdev->device.devargs = da;
	vdev->device.numa_node = vdev->emu.socket_id;
	return 0;
}

static int
vmci_bus_scan(void)
{
	int pci_error = 0;
	int ret = vmci_pci_foreach(scan_pci_one, &pci_error);
	int emu_ret = scan_emu();

	if (ret == 0)
		ret = pci_error;
	return ret != 0 ? ret : emu_ret;
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
	return vmci_emu_dev_create(&vdev->emu);
}

static void
dev_close_hw(struct rte_vmci_device *vdev)
{
	if (vdev->hw == NULL)
		return;
	if (vdev->pdev != NULL) {
		vmci_pci_hw_close(vdev->hw);
	} else {
		vmci_emu_dev_destroy(vdev->hw);
		/*
		 * The last device of an emulated hypervisor takes its memzone
		 * along; -EBUSY while other devices (in any process) or host
		 * queue pairs remain on it. Secondaries leave it to the primary.
		 */
		if (rte_eal_process_type() == RTE_PROC_PRIMARY &&
		    vmci_emu_hv_free(vdev->hv_name) == 0)
			VMCI_LOG(DEBUG, "%s: emulated hypervisor %s freed", vdev->name,
				 vdev->hv_name);
	}
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
	return 0;
}

static void
vmci_dev_remove(struct rte_vmci_device *vdev)
{
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
		free(vdev);
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

	if (vdev->bad_args && retry_emu_args(vdev) < 0)
		return -EINVAL;
	if (vdev->pdev != NULL && rte_eal_process_type() != RTE_PROC_PRIMARY) {
		VMCI_LOG(ERR, "%s: a VMCI function can only be plugged in the primary process",
			 vdev->name);
		return -ENOTSUP;
	}
	ret = vmci_dev_probe(vdev);
	if (ret < 0 && vdev->emulated) {
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
	free(vdev);
	return 0;
}

/* Names on this bus: vmci_emuN, or a PCI address of a VMCI function. */
static int
vmci_bus_parse(const char *name, void *addr)
{
	struct rte_pci_addr pci;

	if (!is_emu_name(name) && rte_pci_addr_parse(name, &pci) != 0)
		return -1;
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
