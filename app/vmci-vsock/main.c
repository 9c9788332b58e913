/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

/*
 * vmci-vsock: socat/ncat for vSockets over a VMCI device.
 *
 *   vmci-vsock [EAL options] -- [options] connect CID:PORT | listen PORT
 *
 * The options are parsed before the EAL starts, so a bad command line
 * costs no hugepage setup. With no vmci device named and no VMCI PCI
 * function present (or --no-pci), the tool names the emulated guest and
 * the emulated host with its vSockets services, and loads the emulator,
 * so that it runs in one line without VMware. doc/vmci-vsock.md.
 */

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_log.h>
#include <rte_bus_vmci.h>

#include "vmci_app_args.h"
#include "vmci_app_emu.h"
#include "vsock_tool.h"

/* Idle loop turns before napping, and the nap: an idle tool costs little CPU. */
#define IDLE_SPIN 10000u
#define IDLE_NAP_US 100u

volatile bool tool_stop;

void
tool_note(const struct tool_opts *opt, const char *fmt, ...)
{
	va_list ap;

	if (opt != NULL && opt->quiet)
		return;
	fprintf(stderr, "vmci-vsock: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void
tool_verbose(const struct tool_opts *opt, const char *fmt, ...)
{
	va_list ap;

	if (!opt->verbose)
		return;
	fprintf(stderr, "vmci-vsock: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void
tool_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "vmci-vsock: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

uint64_t
tool_ms_to_cycles(uint32_t ms)
{
	return rte_get_timer_hz() * ms / 1000;
}

void
tool_idle(unsigned int *idle, bool busy)
{
	if (busy)
		*idle = 0;
	else if (++*idle >= IDLE_SPIN)
		rte_delay_us_sleep(IDLE_NAP_US);
}

static void
on_signal(int sig)
{
	RTE_SET_USED(sig);
	tool_stop = true;
}

/*
 * No vmci device named (-a vmci:..., or a PCI address with -a), and no
 * VMCI PCI function to find (or --no-pci): name the emulated guest and the
 * emulated host serving vSockets. Whenever an emulated device is named,
 * load the emulator. Returns the new argument count.
 */
static int
add_emu_args(const struct tool_opts *opt, int argc, char **argv)
{
	bool added;

	argc = vmci_app_vsock_emu_args(argc, argv, &added);
	if (added)
		tool_note(opt, "no VMCI device: using the emulated guest and host (-a %s -a %s)",
			  VMCI_APP_EMU_GUEST_ARG, VMCI_APP_EMU_HOST_VSOCK_ARG);
	return vmci_app_emu_load(argc, argv, opt->quiet ? NULL : stderr, "vmci-vsock");
}

static int
eal_start(int argc, char **argv)
{
	int ret;

	/* EAL logs to stdout by default: stdout is the data here. */
	rte_openlog_stream(stderr);
	ret = rte_eal_init(argc, argv);
	if (ret < 0) {
		tool_error("EAL initialisation failed: %s", rte_strerror(rte_errno));
		return rte_errno == EINVAL ? TOOL_EXIT_USAGE : TOOL_EXIT_FAIL;
	}
	/* rte_eal_init() leaves argv[ret] = program name, then what it did not take. */
	if (ret + 1 < argc) {
		tool_error("unexpected argument \"%s\" before \"--\" (the tool's options go"
			   " after it)", argv[ret + 1]);
		rte_eal_cleanup();
		return TOOL_EXIT_USAGE;
	}
	return 0;
}

static void
list_devices(void)
{
	struct rte_vmci_dev_info info;
	uint16_t i, n = rte_vmci_dev_count();

	if (n == 0) {
		fprintf(stderr, "  none. On a VMware VM, give the VMCI function to vfio-pci"
			" (vmci-devbind -b vfio-pci 0000:00:07.7) and reserve hugepages;"
			" without VMware, run with --no-pci for the emulated host.\n");
		return;
	}
	for (i = 0; i < n; i++)
		if (rte_vmci_dev_info_get(rte_vmci_dev_get(i), &info) == 0)
			fprintf(stderr, "  %s (%s, CID %u)\n", info.name, info.backend,
				info.context_id);
}

/* --dev, else the first PCI function, else the first device not the host's. */
static struct rte_vmci_device *
pick_device(const struct tool_opts *opt)
{
	struct rte_vmci_device *dev, *guest = NULL;
	struct rte_vmci_dev_info info;
	uint16_t i;

	if (opt->dev != NULL) {
		dev = rte_vmci_dev_find(opt->dev);
		if (dev == NULL) {
			tool_error("--dev %s: no such vmci device; the devices are:", opt->dev);
			list_devices();
		}
		return dev;
	}
	for (i = 0; i < rte_vmci_dev_count(); i++) {
		dev = rte_vmci_dev_get(i);
		if (rte_vmci_dev_info_get(dev, &info) < 0)
			continue;
		if (strncmp(info.backend, "pci", 3) == 0)
			return dev;
		if (guest == NULL && strcmp(info.backend, "emu-host") != 0)
			guest = dev;
	}
	if (guest == NULL) {
		tool_error("no vmci device to use; the devices are:");
		list_devices();
	}
	return guest;
}

static int
run(const struct tool_opts *opt)
{
	struct rte_vmci_vsock_conf conf = { .socket_id = SOCKET_ID_ANY };
	struct rte_vmci_vsock_ctx *ctx;
	struct rte_vmci_dev_info info;
	struct rte_vmci_device *dev;
	int ret;

	dev = pick_device(opt);
	if (dev == NULL)
		return TOOL_EXIT_FAIL;
	conf.connect_timeout_ms = opt->timeout_ms;
	ctx = rte_vmci_vsock_ctx_create(dev, &conf);
	if (ctx == NULL) {
		tool_error("vSockets on the device: %s", rte_strerror(rte_errno));
		return TOOL_EXIT_FAIL;
	}
	if (rte_vmci_dev_info_get(dev, &info) == 0)
		tool_verbose(opt, "device %s (%s), CID %u", info.name, info.backend,
			     rte_vmci_vsock_local_cid(ctx));
	ret = opt->dgram ? tool_dgram_run(opt, ctx) : tool_stream_run(opt, ctx);
	rte_vmci_vsock_ctx_destroy(ctx);
	return ret;
}

int
main(int argc, char **argv)
{
	char **app_argv;
	struct tool_opts opt;
	int app_argc;
	char **eal_argv;
	int eal_argc;
	int ret;

	eal_argc = vmci_app_split_args(argc, argv, &app_argc, &app_argv);
	ret = tool_opts_parse(&opt, app_argc, app_argv);
	if (ret != 0)
		return ret > 0 ? TOOL_EXIT_OK : TOOL_EXIT_USAGE;
	eal_argv = calloc((size_t)eal_argc + 7, sizeof(*eal_argv));
	if (eal_argv == NULL)
		return TOOL_EXIT_FAIL;
	memcpy(eal_argv, argv, sizeof(*argv) * (size_t)eal_argc);
	eal_argc = add_emu_args(&opt, eal_argc, eal_argv);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	ret = eal_start(eal_argc, eal_argv);
	if (ret == 0) {
		ret = run(&opt);
		rte_eal_cleanup();
	}
	free(eal_argv);
	return ret;
}
