/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

/*
 * The multi-process helper itself, without EAL: the "secondary" it spawns
 * is this program, which checks the command line it was given and then
 * exits, fails or hangs as told by its application argument. So the
 * failure paths the multi-process tests rely on (a secondary that fails,
 * hangs or has to be killed) are exercised on every run.
 *
 * Usage: test_vmci_test_mp --file-prefix=vmci_test_mp_helper
 */

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <rte_common.h>

#include "vmci_test.h"
#include "vmci_test_mp.h"

/* as test/common/meson.build passes it */
#define PREFIX_ARG "--file-prefix=vmci_test_mp_helper"
#define WAIT_S 30

/* What every secondary must see before "--", in this order. */
static const char *const expected_eal[] = {
	"-l", "1", "--proc-type=secondary", PREFIX_ARG, "--no-pci",
	"--no-telemetry", "--log-level=*:warning", "--",
};
static const char *const eal_extra[] = { "--log-level=*:warning", NULL };

/* Secondary: exit 0 for "ok", the number for "exit=N", hang for "hang". */
static int
secondary_main(int argc, char **argv)
{
	const unsigned int n = RTE_DIM(expected_eal);
	unsigned int i;

	if ((unsigned int)argc != n + 2) {
		printf("  secondary: %d arguments, expected %u\n", argc, n + 2);
		return 100;
	}
	for (i = 0; i < n; i++)
		if (strcmp(argv[i + 1], expected_eal[i]) != 0) {
			printf("  secondary: argument %u is %s, expected %s\n", i + 1,
			       argv[i + 1], expected_eal[i]);
			return 101;
		}
	if (strcmp(argv[n + 1], "ok") == 0)
		return 0;
	if (strncmp(argv[n + 1], "exit=", 5) == 0)
		return atoi(argv[n + 1] + 5);
	if (strcmp(argv[n + 1], "hang") == 0)
		for (;;)
			pause();
	return 102;
}

static int
spawn(struct vmci_test_child *c, const char *what)
{
	const char *const app[] = { what, NULL };

	return vmci_test_spawn_secondary(c, "1", eal_extra, app);
}

static int
test_is_secondary(void)
{
	char *sec[] = { "p", "-l", "1", "--proc-type=secondary", NULL };
	char *sec2[] = { "p", "--proc-type", "secondary", NULL };
	char *prim[] = { "p", "--proc-type=primary", NULL };
	char *app[] = { "p", "--", "--proc-type=secondary", NULL };

	TEST_ASSERT(vmci_test_is_secondary(4, sec), "--proc-type=secondary");
	TEST_ASSERT(vmci_test_is_secondary(3, sec2), "--proc-type secondary");
	TEST_ASSERT(!vmci_test_is_secondary(2, prim), "--proc-type=primary");
	TEST_ASSERT(!vmci_test_is_secondary(3, app), "an application argument");
	return TEST_SUCCESS;
}

static int
test_init_needs_prefix(void)
{
	char *none[] = { "p", "-l", "0", "--", "--file-prefix=app", NULL };

	fflush(stdout); /* the helper sets stdout line-buffered */
	TEST_ASSERT_EQUAL(vmci_test_mp_init(5, none), -1, "no EAL --file-prefix");
	return TEST_SUCCESS;
}

static int
test_clean_exit(void)
{
	struct vmci_test_child c = VMCI_TEST_CHILD_INIT;

	TEST_ASSERT_EQUAL(spawn(&c, "ok"), 0, "spawn");
	TEST_ASSERT_EQUAL(vmci_test_child_wait(&c, WAIT_S), 0,
			  "secondary with the expected command line exits 0");
	TEST_ASSERT(c.reaped && WIFEXITED(c.status) && WEXITSTATUS(c.status) == 0,
		    "status 0x%x", c.status);
	TEST_ASSERT_EQUAL(vmci_test_child_poll(&c), 0, "poll after a clean exit");
	TEST_ASSERT_EQUAL(vmci_test_child_kill(&c), 0, "kill after the exit is a no-op");
	return TEST_SUCCESS;
}

static int
test_failed_exit(void)
{
	struct vmci_test_child c = VMCI_TEST_CHILD_INIT;

	TEST_ASSERT_EQUAL(spawn(&c, "exit=3"), 0, "spawn");
	TEST_ASSERT_EQUAL(vmci_test_child_wait(&c, WAIT_S), -ECHILD, "failure reported");
	TEST_ASSERT(WIFEXITED(c.status) && WEXITSTATUS(c.status) == 3, "status 0x%x",
		    c.status);
	TEST_ASSERT_EQUAL(vmci_test_child_poll(&c), -1, "poll keeps reporting it");
	return TEST_SUCCESS;
}

static int
test_hang_is_killed(void)
{
	struct vmci_test_child c = VMCI_TEST_CHILD_INIT;

	TEST_ASSERT_EQUAL(spawn(&c, "hang"), 0, "spawn");
	TEST_ASSERT_EQUAL(vmci_test_child_poll(&c), 0, "running");
	TEST_ASSERT(!c.reaped, "not reaped while it runs");
	TEST_ASSERT_EQUAL(vmci_test_child_wait(&c, 1), -ETIMEDOUT, "time limit");
	TEST_ASSERT(c.reaped && WIFSIGNALED(c.status) && WTERMSIG(c.status) == SIGKILL,
		    "killed: status 0x%x", c.status);
	TEST_ASSERT_EQUAL(vmci_test_child_poll(&c), -1, "poll reports the kill");
	return TEST_SUCCESS;
}

static int
test_kill(void)
{
	struct vmci_test_child c = VMCI_TEST_CHILD_INIT;

	TEST_ASSERT_EQUAL(vmci_test_child_kill(&c), 0, "no child yet: no-op");
	TEST_ASSERT_EQUAL(vmci_test_child_wait(&c, 1), -ECHILD, "nothing to wait for");
	TEST_ASSERT_EQUAL(spawn(&c, "hang"), 0, "spawn");
	TEST_ASSERT_EQUAL(vmci_test_child_kill(&c), 0, "kill");
	TEST_ASSERT(c.reaped && WIFSIGNALED(c.status) && WTERMSIG(c.status) == SIGKILL,
		    "status 0x%x", c.status);
	return TEST_SUCCESS;
}

static int
test_too_many_args(void)
{
	struct vmci_test_child c = VMCI_TEST_CHILD_INIT;
	const char *app[64];
	unsigned int i;

	for (i = 0; i < RTE_DIM(app) - 1; i++)
		app[i] = "x";
	app[i] = NULL;
	TEST_ASSERT_EQUAL(vmci_test_spawn_secondary(&c, "1", NULL, app), -E2BIG,
			  "63 application arguments");
	TEST_ASSERT_EQUAL(c.pid, -1, "nothing forked");
	TEST_ASSERT_EQUAL(vmci_test_spawn_secondary(&c, NULL, NULL, NULL), -EINVAL,
			  "no lcore list");
	return TEST_SUCCESS;
}

static int
test_hugepages_shortfall_skips(void)
{
	/* Nobody has 4 PiB of free hugepages. */
	TEST_ASSERT_EQUAL(vmci_test_hugepages_or_skip(UINT_MAX), TEST_SKIPPED,
			  "more than any machine has");
	return TEST_SUCCESS;
}

static const struct vmci_test_case cases[] = {
	{ "is_secondary", test_is_secondary },
	{ "init_needs_prefix", test_init_needs_prefix },
	{ "clean_exit", test_clean_exit },
	{ "failed_exit", test_failed_exit },
	{ "hang_is_killed", test_hang_is_killed },
	{ "kill", test_kill },
	{ "too_many_args", test_too_many_args },
	{ "hugepages_shortfall_skips", test_hugepages_shortfall_skips },
	{ NULL, NULL },
};

static const struct vmci_test_suite suite = {
	.name = "vmci_test_mp",
	.cases = cases,
};

int
main(int argc, char **argv)
{
	if (vmci_test_is_secondary(argc, argv))
		return secondary_main(argc, argv);
	if (vmci_test_mp_init(argc, argv) < 0)
		return 1;
	return vmci_test_run_suite(&suite);
}
