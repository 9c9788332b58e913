/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

#ifndef _PERF_LOAD_H_
#define _PERF_LOAD_H_

/**
 * @file
 * Was the machine busy during the run? Two measures, taken in the run:
 *  - the CPU time other processes (and the hypervisor, as steal) took on
 *    the CPUs the run used: their busy time in /proc/stat minus this
 *    process's own in /proc/self/stat (children it waited for included),
 *    between the start and the end of the run;
 *  - the cache-line round trip between the two cores (the cacheline
 *    baseline) against a quiet machine's.
 * Either one above its limit makes the machine busy, and a missed target
 * says so, so that a slow machine is told apart from a slow driver.
 *
 * The parsers take the files' text, so that tests feed them any values.
 * Nothing here needs the EAL.
 */

#include <stddef.h>
#include <stdint.h>

/** Other processes' CPU time, in CPUs, above which the machine is busy. */
#define PERF_LOAD_OTHER_CPU_LIMIT 0.25
/**
 * Cache-line round trip p50 of a quiet machine of this kind, ns: the
 * median of 9 rounds on a quiet machine (2 vCPUs of a KVM guest on a Xeon
 * host, 2026-11-26; quiet rounds ranged 259-559 ns). doc/benchmarks.md.
 */
#define PERF_LOAD_QUIET_CACHELINE_P50_NS 294.0
/** Times the quiet round trip above which the machine is busy. */
#define PERF_LOAD_CACHELINE_FACTOR_LIMIT 2.0

/** Most CPUs one sample counts apart. */
#define PERF_LOAD_MAX_CPUS 2

/** CPU time counters at one moment, in clock ticks. */
struct perf_cpu_sample {
	uint64_t busy;  /**< user, nice, system, irq, softirq and steal. */
	uint64_t total; /**< busy plus idle and iowait. */
	uint64_t steal; /**< Taken by the hypervisor for other guests. */
	uint64_t own;   /**< This process: utime, stime, cutime, cstime. */
	unsigned int nb_cpus; /**< CPUs the first three count. */
};

/** What the run saw. */
struct perf_load {
	unsigned int cpus[PERF_LOAD_MAX_CPUS]; /**< The CPUs counted... */
	unsigned int nb_cpus;      /**< ...or 0: all of them. */
	int cpu_measured;          /**< The next five are set. */
	unsigned int cpu_count;    /**< How many CPUs the times are shared out over. */
	double seconds;            /**< Wall time between the samples. */
	double other_cpu;          /**< Other processes' time, in CPUs (1 = one whole CPU). */
	double steal_cpu;          /**< Of which hypervisor steal. */
	double own_cpu;            /**< This process's, in CPUs. */
	int cacheline_measured;    /**< cacheline_p50 is set. */
	double cacheline_p50;      /**< ns, this run. */
	int busy;                  /**< A measure above its limit. */
};

/**
 * Add the counters of @p cpus (or of the "cpu" line of all CPUs when
 * @p nb_cpus is 0) in the text of /proc/stat to @p s, and set
 * s->nb_cpus.
 *
 * @return
 *   0, or -EINVAL if a line is missing or malformed.
 */
int perf_load_parse_stat(const char *text, const unsigned int *cpus, unsigned int nb_cpus,
			 struct perf_cpu_sample *s);

/**
 * utime + stime + cutime + cstime of the text of /proc/<pid>/stat (the
 * command name may hold spaces and parentheses).
 *
 * @return
 *   0, or -EINVAL if malformed.
 */
int perf_load_parse_self_stat(const char *text, uint64_t *ticks);

/**
 * Read /proc/stat and /proc/self/stat into @p s.
 *
 * @return
 *   0, or a negative errno.
 */
int perf_load_sample(struct perf_cpu_sample *s, const unsigned int *cpus, unsigned int nb_cpus);

/**
 * Judge the run from the samples at its start and end (either may be
 * NULL: not measured) and its cache-line round trip p50 (0: not
 * measured); fills @p load.
 */
void perf_load_judge(const struct perf_cpu_sample *start, const struct perf_cpu_sample *end,
		     const unsigned int *cpus, unsigned int nb_cpus, double cacheline_p50,
		     struct perf_load *load);

/**
 * The verdict with its values: "machine busy: ...", "machine not busy:
 * ..." or "machine load not measured: ...".
 *
 * @return
 *   What snprintf() returns.
 */
int perf_load_note(const struct perf_load *load, char *buf, size_t len);

#endif /* _PERF_LOAD_H_ */
