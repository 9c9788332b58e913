/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

#ifndef _PERF_COPY_H_
#define _PERF_COPY_H_

/**
 * @file
 * The copy routines a shared-memory ring could use, so that the bare-ring
 * limit of vmci-perf and the copy microbenchmark measure the same
 * candidates: glibc memcpy, rte_memcpy and, on x86, "rep movsb" and
 * non-temporal stores. Which is fastest depends on the CPU and the size,
 * so it is measured, never assumed.
 */

#include <stddef.h>

/** Copy @p n bytes from @p src to @p dst (no overlap); returns @p dst. */
typedef void *(*perf_copy_fn_t)(void *dst, const void *src, size_t n);

/** One candidate. */
struct perf_copy {
	const char *name;   /**< "memcpy", "rte_memcpy", "movsb", "nt". */
	const char *what;   /**< One line for reports. */
	perf_copy_fn_t fn;
};

/** Most candidates on any machine. */
#define PERF_COPY_MAX 4

/** The candidates of this build's CPU; sets *nb. */
const struct perf_copy *perf_copy_candidates(unsigned int *nb);

/** The candidate named @p name, or NULL. */
const struct perf_copy *perf_copy_find(const char *name);

#endif /* _PERF_COPY_H_ */
