/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "vmci_test.h"
#include "vmci_test_mp.h"

#define SECONDARY_ARGV_MAX 48
#define HUGEPAGES_SYSFS "/sys/kernel/mm/hugepages"

/* What the secondary repeats from the primary's command line. */
static struct {
	char exe[PATH_MAX];
	char file_prefix[NAME_MAX + 1];
} mp;

bool
vmci_test_is_secondary(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		if (strcmp(argv[i], "--proc-type=secondary") == 0)
			return true;
		if (strcmp(argv[i], "--proc-type") == 0 && i + 1 < argc &&
		    strcmp(argv[i + 1], "secondary") == 0)
			return true;
	}
	return false;
}

static bool
hugetlbfs_mounted(void)
{
	char line[1024];
	bool found = false;
	FILE *f = fopen("/proc/mounts", "r");

	if (f == NULL)
		return false;
	while (!found && fgets(line, sizeof(line), f) != NULL)
		found = strstr(line, " hugetlbfs ") != NULL;
	fclose(f);
	return found;
}

/* Free hugepage memory over all page sizes (sysfs), or -1 if unreadable. */
static int64_t
hugepages_free_bytes(void)
{
	struct dirent *de;
	int64_t total = -1;
	DIR *d = opendir(HUGEPAGES_SYSFS);

	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		char path[PATH_MAX];
		unsigned long size_kb;
		long n = 0;
		FILE *f;

		if (sscanf(de->d_name, "hugepages-%lukB", &size_kb) != 1)
			continue;
		snprintf(path, sizeof(path), "%s/%s/free_hugepages", HUGEPAGES_SYSFS,
			 de->d_name);
		f = fopen(path, "r");
		if (f == NULL)
			continue;
		if (fscanf(f, "%ld", &n) == 1 && n >= 0)
			total = (total < 0 ? 0 : total) + (int64_t)n * size_kb * 1024;
		fclose(f);
	}
	closedir(d);
	return total;
}

int
vmci_test_hugepages_or_skip(unsigned int min_free_mb)
{
	int64_t free_bytes = hugepages_free_bytes();
	int64_t need = (int64_t)min_free_mb << 20;

	if (!hugetlbfs_mounted()) {
		printf("skipped: no hugetlbfs mount in /proc/mounts; a secondary "
		       "process can only share hugepage memory\n");
		return TEST_SKIPPED;
	}
	if (free_bytes <= 0 || free_bytes < need) {
		printf("skipped: %" PRId64 " MiB of free hugepages under %s%s, need "
		       "at least one page and %u MiB; reserve some, e.g. echo 512 > "
		       "%s/hugepages-2048kB/nr_hugepages\n",
		       free_bytes < 0 ? 0 : free_bytes >> 20, HUGEPAGES_SYSFS,
		       free_bytes < 0 ? " (unreadable)" : "", min_free_mb,
		       HUGEPAGES_SYSFS);
		return TEST_SKIPPED;
	}
	return 0;
}

/* The --file-prefix value in the EAL part of argv, or NULL. */
static const char *
find_file_prefix(int argc, char **argv)
{
	const char *prefix = NULL;
	int i;

	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		if (strncmp(argv[i], "--file-prefix=", 14) == 0)
			prefix = argv[i] + 14;
		else if (strcmp(argv[i], "--file-prefix") == 0 && i + 1 < argc)
			prefix = argv[i + 1];
	}
	return prefix;
}

int
vmci_test_mp_init(int argc, char **argv)
{
	const char *prefix = find_file_prefix(argc, argv);
	ssize_t n;

	/* both processes write to the same log: keep lines whole and in order */
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (prefix == NULL || prefix[0] == '\0') {
		printf("a unique --file-prefix=<name> is required: the secondary "
		       "finds the primary by it\n");
		return -1;
	}
	if (strlen(prefix) >= sizeof(mp.file_prefix)) {
		printf("--file-prefix of %zu characters, at most %zu allowed\n",
		       strlen(prefix), sizeof(mp.file_prefix) - 1);
		return -1;
	}
	strcpy(mp.file_prefix, prefix);
	n = readlink("/proc/self/exe", mp.exe, sizeof(mp.exe) - 1);
	if (n <= 0) {
		printf("readlink(/proc/self/exe): %s\n", strerror(errno));
		return -1;
	}
	mp.exe[n] = '\0';
	return 0;
}

/* Append a NULL-terminated @list to @argv at *@n; false if it overflows. */
static bool
argv_append(char **argv, unsigned int *n, const char *const *list)
{
	for (; list != NULL && *list != NULL; list++) {
		if (*n + 1 >= SECONDARY_ARGV_MAX)
			return false;
		/* execv() does not modify its arguments; it only takes them non-const */
		argv[(*n)++] = (char *)(uintptr_t)*list;
	}
	return true;
}

int
vmci_test_spawn_secondary(struct vmci_test_child *child, const char *lcores,
			  const char *const *eal_args, const char *const *app_args)
{
	char prefix_arg[sizeof("--file-prefix=") + NAME_MAX];
	const char *fixed[] = {
		mp.exe, "-l", lcores, "--proc-type=secondary", prefix_arg,
		"--no-pci", "--no-telemetry", NULL,
	};
	const char *const separator[] = { "--", NULL };
	char *argv[SECONDARY_ARGV_MAX];
	unsigned int n = 0;
	pid_t parent = getpid();

	if (mp.exe[0] == '\0' || lcores == NULL) {
		printf("  spawn secondary: %s\n", lcores == NULL ? "no lcore list" :
		       "vmci_test_mp_init() was not called");
		return -EINVAL;
	}
	snprintf(prefix_arg, sizeof(prefix_arg), "--file-prefix=%s", mp.file_prefix);
	if (!argv_append(argv, &n, fixed) || !argv_append(argv, &n, eal_args) ||
	    !argv_append(argv, &n, separator) || !argv_append(argv, &n, app_args)) {
		printf("  spawn secondary: more than %d arguments\n", SECONDARY_ARGV_MAX - 1);
		return -E2BIG;
	}
	argv[n] = NULL;
	fflush(stdout); /* or the child would print our buffered lines again */
	child->reaped = false;
	child->status = 0;
	child->pid = fork();
	if (child->pid < 0) {
		int err = errno;

		printf("  fork: %s\n", strerror(err));
		return -err;
	}
	if (child->pid == 0) {
		/* die with the primary, even if it is killed */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() == parent)
			execv(mp.exe, argv);
		_exit(127);
	}
	return 0;
}

static bool
child_exited_cleanly(const struct vmci_test_child *c)
{
	return c->reaped && WIFEXITED(c->status) && WEXITSTATUS(c->status) == 0;
}

static void
child_describe(const struct vmci_test_child *c)
{
	if (WIFEXITED(c->status))
		printf("  secondary (pid %d) exited with status %d\n", (int)c->pid,
		       WEXITSTATUS(c->status));
	else if (WIFSIGNALED(c->status))
		printf("  secondary (pid %d) was killed by signal %d (%s)\n",
		       (int)c->pid, WTERMSIG(c->status), strsignal(WTERMSIG(c->status)));
}

int
vmci_test_child_poll(struct vmci_test_child *c)
{
	pid_t r;

	if (c->pid <= 0)
		return 0;
	if (c->reaped)
		return child_exited_cleanly(c) ? 0 : -1;
	r = waitpid(c->pid, &c->status, WNOHANG);
	if (r == 0)
		return 0;
	c->reaped = true;
	if (r < 0) {
		printf("  waitpid(%d): %s\n", (int)c->pid, strerror(errno));
		c->status = -1;
		return -1;
	}
	if (child_exited_cleanly(c))
		return 0;
	child_describe(c);
	return -1;
}

static double
monotonic_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

int
vmci_test_child_kill(struct vmci_test_child *c)
{
	if (c->pid <= 0 || c->reaped)
		return 0;
	kill(c->pid, SIGKILL);
	if (waitpid(c->pid, &c->status, 0) != c->pid) {
		printf("  waitpid(%d) after SIGKILL: %s\n", (int)c->pid, strerror(errno));
		return -1;
	}
	c->reaped = true;
	return 0;
}

int
vmci_test_child_wait(struct vmci_test_child *c, unsigned int timeout_s)
{
	double deadline = monotonic_s() + timeout_s;

	if (c->pid <= 0) {
		printf("  no secondary to wait for (pid %d)\n", (int)c->pid);
		return -ECHILD;
	}
	while (!c->reaped && monotonic_s() < deadline) {
		if (vmci_test_child_poll(c) != 0)
			return -ECHILD;
		if (!c->reaped)
			usleep(10 * 1000);
	}
	if (!c->reaped) {
		printf("  secondary (pid %d) still running after %u s: killing it\n",
		       (int)c->pid, timeout_s);
		vmci_test_child_kill(c);
		return -ETIMEDOUT;
	}
	return child_exited_cleanly(c) ? 0 : -ECHILD;
}
