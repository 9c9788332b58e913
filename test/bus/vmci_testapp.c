/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

/*
 * Small application for the bus tests: initialise the EAL, print the VMCI
 * devices that came up, optionally stay alive (for telemetry queries), then
 * clean up.
 *
 *   vmci_testapp <EAL args> [-- -t <seconds>]
 *
 * Output, one line each, flushed:
 *   vmci_testapp: EAL init failed: <reason>       (exit status 2)
 *   vmci_dev_count=<n>
 *   vmci_dev {"name": "...", "backend": "...", "context_id": n, ...}
 *   vmci_testapp: ready                           (then waits)
 *   vmci_testapp: cleanup=<rte_eal_cleanup() result>
 * The wait ends after <seconds>, or earlier on SIGTERM or SIGINT. Exit
 * status 0 on success, 1 if rte_eal_cleanup() failed, 2 on a usage or EAL
 * init error.
 */

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_eal.h>
#include <rte_errno.h>

#include "rte_bus_vmci.h"

static volatile sig_atomic_t stop_requested;

static void
on_signal(int sig)
{
	RTE_SET_USED(sig);
	stop_requested = 1;
}

static void
usage(const char *prog)
{
	printf("usage: %s <EAL args> [-- -t <seconds>]\n", prog);
}

static int
parse_app_args(int argc, char **argv, unsigned int *seconds)
{
	char *end;
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-t") == 0 && i + 1 < argc) {
			errno = 0;
			*seconds = strtoul(argv[++i], &end, 10);
			if (errno != 0 || *end != '\0')
				return -1;
		} else {
			return -1;
		}
	}
	return 0;
}

static void
print_devices(void)
{
	struct rte_vmci_dev_info info;
	uint16_t i, n = rte_vmci_dev_count();

	printf("vmci_dev_count=%u\n", n);
	for (i = 0; i < n; i++) {
		if (rte_vmci_dev_info_get(rte_vmci_dev_get(i), &info) != 0) {
			printf("vmci_dev {\"index\": %u, \"error\": \"no info\"}\n", i);
			continue;
		}
		printf("vmci_dev {\"name\": \"%s\", \"backend\": \"%s\", "
		       "\"context_id\": %u, \"caps_offered\": %u, \"caps\": %u, "
		       "\"numa_node\": %d}\n",
		       info.name, info.backend, info.context_id, info.caps_offered,
		       info.caps, info.numa_node);
	}
	fflush(stdout);
}

static void
wait_for_stop(unsigned int seconds)
{
	struct timespec tick = { .tv_sec = 0, .tv_nsec = 20 * 1000 * 1000 };
	time_t deadline = time(NULL) + seconds;

	while (!stop_requested && time(NULL) < deadline)
		nanosleep(&tick, NULL);
}

int
main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	unsigned int seconds = 0;
	int ret;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	ret = rte_eal_init(argc, argv);
	if (ret < 0) {
		printf("vmci_testapp: EAL init failed: %s\n", rte_strerror(rte_errno));
		fflush(stdout);
		return 2;
	}
	argc -= ret;
	argv += ret;
	if (parse_app_args(argc, argv, &seconds) < 0) {
		usage(argv[0]);
		rte_eal_cleanup();
		return 2;
	}

	print_devices();
	if (seconds > 0) {
		printf("vmci_testapp: ready\n");
		fflush(stdout);
		wait_for_stop(seconds);
	}
	ret = rte_eal_cleanup();
	printf("vmci_testapp: cleanup=%d\n", ret);
	fflush(stdout);
	return ret == 0 ? 0 : 1;
}
