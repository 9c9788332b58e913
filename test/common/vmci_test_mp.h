/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

#ifndef _VMCI_TEST_MP_H_
#define _VMCI_TEST_MP_H_

/*
 * Multi-process tests: the meson test starts the primary, which runs this
 * same program again as a DPDK secondary process.
 *
 * Typical main():
 *
 *   if (!vmci_test_is_secondary(argc, argv) &&
 *       vmci_test_hugepages_or_skip(0) != 0)
 *           return TEST_SKIPPED;
 *   if (vmci_test_mp_init(argc, argv) < 0)     // before rte_eal_init()
 *           return 1;
 *   ... rte_eal_init() ...
 *
 * and in the primary:
 *
 *   struct vmci_test_child c = VMCI_TEST_CHILD_INIT;
 *   const char *app[] = { "--case=x", NULL };
 *
 *   vmci_test_spawn_secondary(&c, "1", NULL, app);
 *   ... work, vmci_test_child_poll(&c) to stop early if it died ...
 *   vmci_test_child_wait(&c, 30);
 */

#include <stdbool.h>
#include <sys/types.h>

/* A secondary process spawned by vmci_test_spawn_secondary(). */
struct vmci_test_child {
	pid_t pid;     /* -1 before the spawn */
	bool reaped;   /* waitpid() returned it: status is valid */
	int status;    /* as from waitpid() */
};

#define VMCI_TEST_CHILD_INIT { .pid = -1, .reaped = false, .status = 0 }

/*
 * True when argv (before "--") says --proc-type=secondary; usable before
 * rte_eal_init(), which reorders argv.
 */
bool vmci_test_is_secondary(int argc, char **argv);

/*
 * Check that hugepages are there for a primary and its secondary: a
 * hugetlbfs mount, and at least one free page and @p min_free_mb MiB free
 * over all page sizes. A secondary maps the primary's hugepage files, so
 * --no-huge cannot stand in. Returns 0 when usable; otherwise prints a
 * "skipped: <reason>" line and returns TEST_SKIPPED (77).
 */
int vmci_test_hugepages_or_skip(unsigned int min_free_mb);

/*
 * Remember what the secondary must repeat: this program's path
 * (/proc/self/exe) and the --file-prefix (required) from argv. Call before
 * rte_eal_init(). Also makes stdout line-buffered, since both processes
 * write to the same log. Returns 0, or -1 after printing why.
 */
int vmci_test_mp_init(int argc, char **argv);

/*
 * Fork and exec this program as a secondary process:
 *
 *   <exe> -l @p lcores --proc-type=secondary --file-prefix=<primary's>
 *         --no-pci --no-telemetry [@p eal_args...] -- [@p app_args...]
 *
 * @p eal_args and @p app_args are NULL-terminated lists, or NULL for none.
 * The child is killed when the primary dies. stdout is flushed first so
 * that the child does not print our buffered lines again.
 * Returns 0, or a negative errno after printing why.
 */
int vmci_test_spawn_secondary(struct vmci_test_child *child, const char *lcores,
			      const char *const *eal_args, const char *const *app_args);

/*
 * Reap the child if it has exited, without waiting. Returns 0 while it
 * runs or after a clean exit (status 0), -1 once it failed or was killed
 * (and on every later call); the failure is printed once.
 */
int vmci_test_child_poll(struct vmci_test_child *child);

/*
 * Wait up to @p timeout_s seconds for the child to exit; kill it past
 * that. Returns 0 after a clean exit, -ETIMEDOUT when it had to be killed,
 * -ECHILD when it failed.
 */
int vmci_test_child_wait(struct vmci_test_child *child, unsigned int timeout_s);

/*
 * SIGKILL the child if it still runs and reap it; no-op otherwise (also
 * before a spawn). Afterwards child->status tells how it ended. Returns 0
 * when the child is reaped, -1 if waitpid() failed.
 */
int vmci_test_child_kill(struct vmci_test_child *child);

#endif /* _VMCI_TEST_MP_H_ */
