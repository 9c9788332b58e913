/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

#ifndef _VMCI_TEST_H_
#define _VMCI_TEST_H_

/*
 * Minimal unit-test harness in the shape of DPDK's app/test: suites of
 * cases returning TEST_SUCCESS, TEST_FAILED or TEST_SKIPPED, assertions that
 * name the values they compared, and one summary line per suite of the form
 * "<suite>: N passed, N failed, N skipped". A test program exits 0 when no
 * case failed, 77 (meson's "skipped") when every case was skipped, 1
 * otherwise.
 */

#include <inttypes.h>
#include <stdio.h>

#define TEST_SUCCESS 0
#define TEST_FAILED (-1)
#define TEST_SKIPPED 77

#define TEST_ASSERT(cond, fmt, ...) do { \
	if (!(cond)) { \
		printf("  assertion failed at %s:%d: %s: " fmt "\n", \
		       __FILE__, __LINE__, #cond, ##__VA_ARGS__); \
		return TEST_FAILED; \
	} \
} while (0)

#define TEST_ASSERT_EQUAL(a, b, fmt, ...) do { \
	int64_t _va = (int64_t)(a), _vb = (int64_t)(b); \
	if (_va != _vb) { \
		printf("  assertion failed at %s:%d: %s == %s (%" PRId64 \
		       " != %" PRId64 "): " fmt "\n", __FILE__, __LINE__, \
		       #a, #b, _va, _vb, ##__VA_ARGS__); \
		return TEST_FAILED; \
	} \
} while (0)

#define TEST_SKIP(fmt, ...) do { \
	printf("  skipped: " fmt "\n", ##__VA_ARGS__); \
	return TEST_SKIPPED; \
} while (0)

struct vmci_test_case {
	const char *name;
	int (*fn)(void);
};

struct vmci_test_suite {
	const char *name;
	int (*setup)(void);     /* optional; TEST_SKIPPED skips every case, other non-zero fails them */
	void (*teardown)(void); /* optional */
	const struct vmci_test_case *cases; /* terminated by a NULL name */
};

/*
 * Initialise the EAL with argv; returns the number of arguments it
 * consumed, or a negative value after printing why.
 */
int vmci_test_eal_init(int argc, char **argv);

/* Run every case, print the summary line; returns the process exit code. */
int vmci_test_run_suite(const struct vmci_test_suite *suite);

/*
 * Common main(): EAL init, run the suite, EAL cleanup. Test programs that
 * need nothing else define main as VMCI_TEST_MAIN(suite).
 */
int vmci_test_main(int argc, char **argv, const struct vmci_test_suite *suite);

#define VMCI_TEST_MAIN(suite) \
	int main(int argc, char **argv) \
	{ \
		return vmci_test_main(argc, argv, &(suite)); \
	}

#endif /* _VMCI_TEST_H_ */
