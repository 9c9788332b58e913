/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

/* dpdk-vmci-diag: the product binary runs the tool with no hook. */

#include "diag.h"

int
main(int argc, char **argv)
{
	return diag_main(argc, argv);
}
