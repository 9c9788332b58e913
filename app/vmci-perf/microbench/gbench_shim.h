/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

#ifndef _GBENCH_SHIM_H_
#define _GBENCH_SHIM_H_

/**
 * @file
 * A small C binding of Google Benchmark, so that benchmarks of a C library
 * are written in C. gbench_shim.cc implements it and holds main(), which
 * calls the three gbench_app_*() hooks the C program defines:
 *
 *   gbench_app_register()    register benchmarks (no EAL needed, so
 *                            --benchmark_list_tests and --help stay cheap)
 *   gbench_app_init()        once the benchmark flags are parsed, before
 *                            the first benchmark runs (EAL init)
 *   gbench_app_fini()        after the last one
 *
 * A benchmark function loops on gbench_keep_running(); only the loop body
 * is timed. Each gbench_keep_running() is one call into C++ (about a
 * nanosecond); the "shim_keep_running" benchmark measures it.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** A running benchmark (benchmark::State). */
struct gbench_state;

/** A registered benchmark (benchmark::internal::Benchmark). */
struct gbench_bench;

/** Benchmark body; @p arg is what was given at registration. */
typedef void (*gbench_fn_t)(struct gbench_state *st, void *arg);

/** Counter flags (benchmark::Counter::Flags); may be or-ed. */
enum gbench_counter_flags {
	GBENCH_COUNTER_DEFAULT = 0,          /**< Value as set. */
	GBENCH_COUNTER_RATE = 1 << 0,        /**< Divided by the run time. */
	GBENCH_COUNTER_AVG_ITERATIONS = 1 << 1, /**< Divided by the iterations. */
	GBENCH_COUNTER_ITERATION_INVARIANT = 1 << 2, /**< Multiplied by the iterations. */
};

/* Registration. */

/** Register @p fn as @p name; returns a handle for adding arguments. */
struct gbench_bench *gbench_register(const char *name, gbench_fn_t fn, void *arg);

/** Run once more with argument @p value (read back with gbench_range_arg(st, 0)). */
void gbench_arg(struct gbench_bench *b, int64_t value);

/** Run once more with @p n arguments. */
void gbench_args(struct gbench_bench *b, const int64_t *values, size_t n);

/** Runs for @p lo .. @p hi by the range multiplier (default 8), ends included. */
void gbench_range(struct gbench_bench *b, int64_t lo, int64_t hi);

/** Multiplier for later gbench_range() calls. */
void gbench_range_multiplier(struct gbench_bench *b, int multiplier);

/** Runs for @p lo, lo + step, ... up to @p hi. */
void gbench_dense_range(struct gbench_bench *b, int64_t lo, int64_t hi, int step);

/** Name of the first argument in the reported benchmark names ("size:64"). */
void gbench_arg_name(struct gbench_bench *b, const char *name);

/**
 * Add a key: value line to the context printed before the results (and to
 * the JSON "context"); before the benchmarks run, e.g. in gbench_app_init().
 */
void gbench_add_context(const char *key, const char *value);

/* In a benchmark function. */

/** True while the benchmark wants another iteration. */
bool gbench_keep_running(struct gbench_state *st);

/** As gbench_keep_running(), but counts @p n iterations per true. */
bool gbench_keep_running_batch(struct gbench_state *st, int64_t n);

/** Argument @p i of this run. */
int64_t gbench_range_arg(struct gbench_state *st, size_t i);

/** Iterations run so far (after the loop: all of them). */
int64_t gbench_iterations(const struct gbench_state *st);

/** Report bytes/s: total bytes the timed loop moved. */
void gbench_set_bytes_processed(struct gbench_state *st, int64_t bytes);

/** Report items/s: total items the timed loop handled. */
void gbench_set_items_processed(struct gbench_state *st, int64_t items);

/** Set a named user counter. */
void gbench_set_counter(struct gbench_state *st, const char *name, double value,
			unsigned int flags);

/** Free-form text shown after the figures. */
void gbench_set_label(struct gbench_state *st, const char *label);

/** Stop the clock (costly: not for every iteration). */
void gbench_pause_timing(struct gbench_state *st);

/** Restart the clock. */
void gbench_resume_timing(struct gbench_state *st);

/**
 * Report @p msg as this run's error; gbench_keep_running() returns false
 * afterwards, and the caller should leave its loop.
 */
void gbench_skip_with_error(struct gbench_state *st, const char *msg);

/* Hooks the C program defines. */

/** Register the benchmarks. */
void gbench_app_register(void);

/** Prepare to run; non-zero aborts the program with that exit status. */
int gbench_app_init(const char *prgname);

/** Clean up after the last benchmark. */
void gbench_app_fini(void);

#ifdef __cplusplus
}
#endif

#endif /* _GBENCH_SHIM_H_ */
