/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_eal.h>
#include <rte_errno.h>

#include "fuzz_common.h"

void
fuzz_eal_init(const char *name)
{
	char prefix[64];
	char *argv[] = {
		(char *)(uintptr_t)name, "--no-huge", "-m", "256",
		"--no-pci", "--no-telemetry", "--iova-mode=va", "-l", "0",
		"--log-level=*:emerg", "--no-shconf", "--file-prefix", prefix, NULL,
	};

	snprintf(prefix, sizeof(prefix), "fz_%s_%d", name, (int)getpid());
	if (rte_eal_init((int)RTE_DIM(argv) - 1, argv) < 0) {
		fprintf(stderr, "%s: EAL init failed: %s\n", name, rte_strerror(rte_errno));
		abort();
	}
}
