/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

#include <string.h>

#include "vmci_app_args.h"

int
vmci_app_split_args(int argc, char **argv, int *app_argc, char ***app_argv)
{
	static char *name_only[2];
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			argv[i] = argv[0];
			*app_argv = &argv[i];
			*app_argc = argc - i;
			return i;
		}
	}
	/* No application arguments: the program name alone, NULL-terminated. */
	name_only[0] = argv[0];
	*app_argv = name_only;
	*app_argc = 1;
	return argc;
}
