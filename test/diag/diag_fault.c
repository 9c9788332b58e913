/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

/*
 * The vmci-diag tool with one emulator fault set between EAL init and the
 * steps, through the emulator's test interface:
 *
 *   diag_fault FAULT [EAL options] -- [vmci-diag options]
 *
 * FAULT: hcall (RESOURCES_QUERY refused), dgram (the host's answer lost),
 * qpair (QUEUEPAIR_ALLOC refused), none. The guest is CID 20 of the
 * default instance. The product binary, dpdk-vmci-diag, has no such hook.
 */

#include <stdio.h>
#include <string.h>

#include "diag.h"
#include "vmci_emu_test.h"

#define DIAG_GUEST_CID 20u

static int
set_fault(const char *fault)
{
	if (strcmp(fault, "hcall") == 0)
		return vmci_emu_fault_fail_hypercall(NULL, DIAG_GUEST_CID, VMCI_RESOURCES_QUERY,
						     VMCI_ERROR_NO_ACCESS, 1);
	if (strcmp(fault, "dgram") == 0)
		return vmci_emu_fault_drop_dg(NULL, DIAG_GUEST_CID, 1);
	if (strcmp(fault, "qpair") == 0)
		return vmci_emu_fault_fail_hypercall(NULL, DIAG_GUEST_CID, VMCI_QUEUEPAIR_ALLOC,
						     VMCI_ERROR_NO_RESOURCES, 1);
	return strcmp(fault, "none") == 0 ? 0 : -1;
}

static void
after_eal(void *arg)
{
	const char *fault = arg;

	if (set_fault(fault) != 0) {
		fprintf(stderr, "diag_fault: cannot set fault \"%s\"\n", fault);
		fflush(stderr);
		_Exit(99);
	}
	fprintf(stderr, "diag_fault: fault \"%s\" set\n", fault);
}

int
main(int argc, char **argv)
{
	char *fault;

	if (argc < 2) {
		fprintf(stderr, "usage: %s hcall|dgram|qpair|none [EAL options] -- [options]\n",
			argv[0]);
		return 2;
	}
	fault = argv[1];
	argv[1] = argv[0];
	return diag_main_hooked(argc - 1, argv + 1, after_eal, fault);
}
