/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

#include <stdio.h>
#include <time.h>

#include <rte_eal.h>
#include <rte_errno.h>

#include "vmci_test.h"

int
vmci_test_eal_init(int argc, char **argv)
{
	int ret = rte_eal_init(argc, argv);

	if (ret < 0)
		printf("EAL init failed: %s\n", rte_strerror(rte_errno));
	return ret;
}

static double
elapsed_ms(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0->tv_sec) * 1e3 + (t1.tv_nsec - t0->tv_nsec) / 1e6;
}

int
vmci_test_run_suite(const struct vmci_test_suite *suite)
{
	const struct vmci_test_case *tc;
	unsigned int passed = 0, failed = 0, skipped = 0;

	printf("== suite %s\n", suite->name);
	if (suite->setup != NULL) {
		int ret = suite->setup();

		if (ret != 0) {
			for (tc = suite->cases; tc->name != NULL; tc++) {
				if (ret == TEST_SKIPPED)
					skipped++;
				else
					failed++;
			}
			printf("  suite setup %s: no case ran\n",
			       ret == TEST_SKIPPED ? "skipped" : "failed");
			goto summary;
		}
	}
	for (tc = suite->cases; tc->name != NULL; tc++) {
		struct timespec t0;
		int ret;

		clock_gettime(CLOCK_MONOTONIC, &t0);
		ret = tc->fn();
		if (ret == TEST_SUCCESS) {
			passed++;
			printf("[  OK  ] %s (%.1f ms)\n", tc->name, elapsed_ms(&t0));
		} else if (ret == TEST_SKIPPED) {
			skipped++;
			printf("[ SKIP ] %s\n", tc->name);
		} else {
			failed++;
			printf("[ FAIL ] %s\n", tc->name);
		}
		fflush(stdout);
	}
	if (suite->teardown != NULL)
		suite->teardown();
summary:
	printf("%s: %u passed, %u failed, %u skipped\n",
	       suite->name, passed, failed, skipped);
	fflush(stdout);
	if (failed > 0)
		return 1;
	return passed == 0 && skipped > 0 ? TEST_SKIPPED : 0;
}

int
vmci_test_main(int argc, char **argv, const struct vmci_test_suite *suite)
{
	int ret;

	if (vmci_test_eal_init(argc, argv) < 0)
		return 1;
	ret = vmci_test_run_suite(suite);
	rte_eal_cleanup();
	return ret;
}
