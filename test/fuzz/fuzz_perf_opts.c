/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

/*
 * vmci-perf application options through perf_options_parse(), its public
 * entry point (perf_options.h). The input is argv: arguments separated by
 * NUL bytes, at most 64 of them. Checked beyond ASan: an accepted command
 * line has 1..PERF_MAX_SIZES message sizes that each fit the queue.
 */

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>

#include "fuzz_common.h"
#include "perf_options.h"

#define MAX_ARGS 64

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	RTE_SET_USED(argc);
	RTE_SET_USED(argv);
	/* No EAL: option parsing must not need one. scripts/fuzz.sh
	 * silences the usage text with -close_fd_mask. */
	return 0;
}

/*
 * glibc's getopt keeps a pointer into the previous argv between calls
 * unless optind is 0; perf_options_parse() resets optind to 1, which is
 * enough for a program that parses once. Parsing many command lines in one
 * process needs the full reset first.
 */
static void
getopt_reset(void)
{
	static char *none[] = { (char *)(uintptr_t)"x", NULL };

	optind = 0;
	opterr = 0;
	getopt_long(1, none, "", NULL, NULL);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct perf_options opt;
	char *argv[MAX_ARGS + 2];
	char *copy, *p, *end;
	unsigned int i;
	int argc = 1;

	copy = malloc(size + 1);
	if (copy == NULL)
		abort();
	memcpy(copy, data, size);
	copy[size] = '\0';
	argv[0] = (char *)(uintptr_t)"vmci-perf";
	for (p = copy, end = copy + size; p <= end && argc <= MAX_ARGS; p += strlen(p) + 1)
		argv[argc++] = p;
	if (size == 0)
		argc = 1;
	argv[argc] = NULL;
	getopt_reset();
	if (perf_options_parse(&opt, argc, argv) == 0) {
		if (opt.nb_sizes == 0 || opt.nb_sizes > PERF_MAX_SIZES)
			abort();
		for (i = 0; i < opt.nb_sizes; i++)
			if (opt.sizes[i] == 0 ||
			    opt.sizes[i] > perf_max_msg_size(opt.api, opt.queue_size))
				abort();
	}
	free(copy);
	return 0;
}
