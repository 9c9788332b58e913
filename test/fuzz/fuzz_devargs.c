/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

/*
 * Emulated-device devargs ("cid=20,mode=dma,hv=x,caps=..,socket=..") as a
 * user types them after -a vmci:vmci_emuN,. The input is the string.
 * Checked beyond ASan: a successful parse leaves a terminated hv name of
 * allowed length, a socket that exists as a number, a guest context ID
 * (or 0: none given) and caps that offer DATAGRAM (or 0: the default).
 */

#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_memory.h>
#include <rte_string_fns.h>

#include "fuzz_common.h"
#include "vmci_emu_test.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	RTE_SET_USED(argc);
	RTE_SET_USED(argv);
	fuzz_eal_init("devargs");
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char hv_name[VMCI_EMU_HV_NAMESIZE];
	struct vmci_emu_dev_conf conf;
	char *args;

	args = malloc(size + 1);
	if (args == NULL)
		abort();
	memcpy(args, data, size);
	args[size] = '\0';
	memset(hv_name, 0x55, sizeof(hv_name));
	if (vmci_emu_devargs_parse(args, &conf, hv_name) == 0) {
		if (memchr(hv_name, '\0', sizeof(hv_name)) == NULL ||
		    hv_name[0] == '\0' || conf.hv_name != hv_name)
			abort();
		if (conf.socket_id != SOCKET_ID_ANY &&
		    (conf.socket_id < 0 || conf.socket_id >= RTE_MAX_NUMA_NODES))
			abort();
		if (conf.cid != 0 && (conf.cid < VMCI_RESERVED_CID_LIMIT ||
				      conf.cid == VMCI_INVALID_ID))
			abort();
		if (conf.caps != 0 && (!(conf.caps & VMCI_CAPS_DATAGRAM) ||
				       (conf.caps & ~VMCI_EMU_CAPS_KNOWN) != 0))
			abort();
	}
	free(args);
	return 0;
}
