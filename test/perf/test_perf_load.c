/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

/*
 * vmci-perf's busy-machine detector fed with made-up /proc/stat and
 * /proc/self/stat texts: the parsers, the verdict and the note printed
 * beside a missed target. No EAL, no timing.
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "perf_load.h"
#include "vmci_test.h"

static const unsigned int workers[PERF_LOAD_MAX_CPUS] = { 0, 1 };

/*
 * A /proc/stat of three CPUs; cpu0 and cpu1 are the workers'. Fields:
 * user nice system idle iowait irq softirq steal guest guest_nice.
 */
static void
stat_text(char *buf, size_t len, unsigned long long cpu0_busy, unsigned long long cpu0_idle,
	  unsigned long long cpu1_busy, unsigned long long cpu1_idle, unsigned long long steal)
{
	snprintf(buf, len,
		 "cpu  %llu 0 0 %llu 0 0 0 %llu 0 0\n"
		 "cpu0 %llu 0 0 %llu 0 0 0 %llu 7 0\n"
		 "cpu1 %llu 0 0 %llu 0 0 0 0 0 0\n"
		 "cpu2 0 0 0 5000 0 0 0 0 0 0\n"
		 "intr 12345 0 0 1 2 3\n"
		 "ctxt 99999\n",
		 cpu0_busy + cpu1_busy - steal, cpu0_idle + cpu1_idle + 5000, steal,
		 cpu0_busy - steal, cpu0_idle, steal, cpu1_busy, cpu1_idle);
}

/* A /proc/self/stat whose command name holds a space and a ")". */
static void
self_text(char *buf, size_t len, unsigned long long utime, unsigned long long stime)
{
	snprintf(buf, len, "4242 (vmci perf) x) R 1 4242 4242 0 -1 4194560 100 0 0 0 %llu %llu"
		 " 0 0 20 0 3 0 123 456789 100 18446744073709551615 1 1 0 0 0\n",
		 utime, stime);
}

/* A sample of the workers' CPUs from made-up files. */
static int
sample(struct perf_cpu_sample *s, unsigned long long cpu0_busy, unsigned long long cpu0_idle,
       unsigned long long cpu1_busy, unsigned long long cpu1_idle, unsigned long long steal,
       unsigned long long own)
{
	char stat[512], self[512];
	int ret;

	memset(s, 0, sizeof(*s));
	stat_text(stat, sizeof(stat), cpu0_busy, cpu0_idle, cpu1_busy, cpu1_idle, steal);
	self_text(self, sizeof(self), own / 2, own - own / 2);
	ret = perf_load_parse_stat(stat, workers, PERF_LOAD_MAX_CPUS, s);
	if (ret == 0)
		ret = perf_load_parse_self_stat(self, &s->own);
	return ret;
}

/* The seconds the note gives for @p ticks of wall time. */
static double
secs(double ticks)
{
	return ticks / (double)sysconf(_SC_CLK_TCK);
}

static int
test_parse_stat(void)
{
	struct perf_cpu_sample s;
	char text[512];

	stat_text(text, sizeof(text), 300, 700, 500, 500, 20);
	memset(&s, 0, sizeof(s));
	TEST_ASSERT_EQUAL(perf_load_parse_stat(text, workers, 2, &s), 0, "two CPUs");
	TEST_ASSERT_EQUAL(s.busy, 800, "user..steal of cpu0 and cpu1, guest not twice");
	TEST_ASSERT_EQUAL(s.total, 2000, "busy + idle");
	TEST_ASSERT_EQUAL(s.steal, 20, "steal of cpu0");
	TEST_ASSERT_EQUAL(s.nb_cpus, 2, "CPUs counted");

	memset(&s, 0, sizeof(s));
	TEST_ASSERT_EQUAL(perf_load_parse_stat(text, NULL, 0, &s), 0, "all CPUs");
	TEST_ASSERT_EQUAL(s.busy, 800, "the \"cpu\" line");
	TEST_ASSERT_EQUAL(s.total, 7000, "the \"cpu\" line with cpu2's idle");
	TEST_ASSERT_EQUAL(s.nb_cpus, 3, "cpu0..cpu2");
	return TEST_SUCCESS;
}

static int
test_parse_stat_bad(void)
{
	static const unsigned int other[2] = { 0, 3 };
	struct perf_cpu_sample s;
	char text[512];

	stat_text(text, sizeof(text), 300, 700, 500, 500, 0);
	memset(&s, 0, sizeof(s));
	TEST_ASSERT_EQUAL(perf_load_parse_stat(text, other, 2, &s), -EINVAL, "no cpu3 line");
	memset(&s, 0, sizeof(s));
	TEST_ASSERT_EQUAL(perf_load_parse_stat("cpu0 1 2 3\ncpu1 1 2 3 4\n", workers, 2, &s),
			  -EINVAL, "cpu0 without idle");
	memset(&s, 0, sizeof(s));
	TEST_ASSERT_EQUAL(perf_load_parse_stat("cpu0 1 2 x 4\ncpu1 1 2 3 4\n", workers, 2, &s),
			  -EINVAL, "a field not a number");
	memset(&s, 0, sizeof(s));
	TEST_ASSERT_EQUAL(perf_load_parse_stat("", NULL, 0, &s), -EINVAL, "empty");
	/* An old kernel's four fields: the rest count as 0. */
	memset(&s, 0, sizeof(s));
	TEST_ASSERT_EQUAL(perf_load_parse_stat("cpu0 1 2 3 4\ncpu1 10 0 0 90", workers, 2, &s),
			  0, "four fields");
	TEST_ASSERT_EQUAL(s.busy, 16, "user + nice + system");
	TEST_ASSERT_EQUAL(s.total, 110, "and idle");
	return TEST_SUCCESS;
}

static int
test_parse_self_stat(void)
{
	uint64_t ticks = 0;
	char text[512];

	self_text(text, sizeof(text), 120, 30);
	TEST_ASSERT_EQUAL(perf_load_parse_self_stat(text, &ticks), 0, "well formed");
	TEST_ASSERT_EQUAL(ticks, 150, "utime + stime (+ cutime, cstime = 0)");
	TEST_ASSERT_EQUAL(perf_load_parse_self_stat("4242 (a b) R 1 2 3 4 5 6 7 8 9 10 11 12 13 14",
						    &ticks), 0, "children's times");
	TEST_ASSERT_EQUAL(ticks, 11 + 12 + 13 + 14, "utime + stime + cutime + cstime");
	TEST_ASSERT_EQUAL(perf_load_parse_self_stat("4242 (x) R 1 2 3", &ticks), -EINVAL,
			  "cut short");
	TEST_ASSERT_EQUAL(perf_load_parse_self_stat("4242 x R 1 2 3 4 5 6 7 8 9 10 11 12 13",
						    &ticks), -EINVAL, "no command name");
	TEST_ASSERT_EQUAL(perf_load_parse_self_stat("1 (x) R 1 2 3 4 5 6 7 8 9 10 -1 12 13 14",
						    &ticks), -EINVAL, "negative time");
	return TEST_SUCCESS;
}

/*
 * Over 100 ticks of wall time on two CPUs, the workers' CPUs were busy
 * for 180 ticks, 100 of them ours: others took 0.80 CPU.
 */
static int
test_busy_by_others(void)
{
	struct perf_cpu_sample a, b;
	struct perf_load load;
	char note[512], want[512];

	TEST_ASSERT_EQUAL(sample(&a, 1000, 9000, 2000, 8000, 0, 500), 0, "start");
	TEST_ASSERT_EQUAL(sample(&b, 1080, 9020, 2100, 8000, 0, 600), 0, "end");
	perf_load_judge(&a, &b, workers, 2, 300, &load);
	TEST_ASSERT(load.cpu_measured && load.cacheline_measured, "both measured");
	TEST_ASSERT(load.busy, "0.80 CPU of others is busy");
	perf_load_note(&load, note, sizeof(note));
	snprintf(want, sizeof(want), "machine busy: other processes took 0.80 CPU of the 2 this"
		 " run used over %.1f s (busy above 0.25); cache-line round trip p50 300 ns,"
		 " 1.02x a quiet machine's 294 ns (busy above 2x)", secs(100));
	TEST_ASSERT(strcmp(note, want) == 0, "note \"%s\", expected \"%s\"", note, want);
	return TEST_SUCCESS;
}

static int
test_quiet(void)
{
	struct perf_cpu_sample a, b;
	struct perf_load load;
	char note[512], want[512];

	/* 200 ticks busy, 195 ours: others 0.05 CPU; 250 ns round trip. */
	TEST_ASSERT_EQUAL(sample(&a, 1000, 9000, 2000, 8000, 0, 500), 0, "start");
	TEST_ASSERT_EQUAL(sample(&b, 1100, 9000, 2100, 8000, 0, 695), 0, "end");
	perf_load_judge(&a, &b, workers, 2, 250, &load);
	TEST_ASSERT(!load.busy, "0.05 CPU of others and 0.85x the round trip is quiet");
	perf_load_note(&load, note, sizeof(note));
	snprintf(want, sizeof(want), "machine not busy: other processes took 0.05 CPU of the 2"
		 " this run used over %.1f s (busy above 0.25); cache-line round trip p50 250 ns,"
		 " 0.85x a quiet machine's 294 ns (busy above 2x)", secs(100));
	TEST_ASSERT(strcmp(note, want) == 0, "note \"%s\", expected \"%s\"", note, want);
	return TEST_SUCCESS;
}

/* Nobody else ran, but the cores answer slowly: a slow machine too. */
static int
test_busy_by_cacheline(void)
{
	struct perf_cpu_sample a, b;
	struct perf_load load;
	char note[512];

	TEST_ASSERT_EQUAL(sample(&a, 1000, 9000, 2000, 8000, 0, 500), 0, "start");
	TEST_ASSERT_EQUAL(sample(&b, 1100, 9000, 2100, 8000, 0, 700), 0, "end");
	perf_load_judge(&a, &b, workers, 2, 700, &load);
	TEST_ASSERT(load.busy, "700 ns is 2.38x the quiet round trip");
	perf_load_note(&load, note, sizeof(note));
	TEST_ASSERT(strncmp(note, "machine busy: other processes took 0.00 CPU", 43) == 0 &&
		    strstr(note, "p50 700 ns, 2.38x a quiet machine's 294 ns") != NULL,
		    "note \"%s\"", note);
	return TEST_SUCCESS;
}

/* Steal is the hypervisor running another guest on our vCPU: others' too. */
static int
test_steal(void)
{
	struct perf_cpu_sample a, b;
	struct perf_load load;
	char note[512];

	TEST_ASSERT_EQUAL(sample(&a, 1000, 9000, 2000, 8000, 100, 500), 0, "start");
	TEST_ASSERT_EQUAL(sample(&b, 1100, 9000, 2100, 8000, 130, 670), 0, "end");
	perf_load_judge(&a, &b, workers, 2, 0, &load);
	TEST_ASSERT(load.busy, "0.30 CPU stolen is busy");
	perf_load_note(&load, note, sizeof(note));
	TEST_ASSERT(strstr(note, "took 0.30 CPU of the 2") != NULL &&
		    strstr(note, ", 0.30 of it hypervisor steal") != NULL &&
		    strstr(note, "cache-line round trip not measured") != NULL,
		    "note \"%s\"", note);
	return TEST_SUCCESS;
}

static int
test_not_measured(void)
{
	struct perf_cpu_sample a, b;
	struct perf_load load;
	char note[512];

	perf_load_judge(NULL, NULL, workers, 2, 0, &load);
	TEST_ASSERT(!load.busy && !load.cpu_measured && !load.cacheline_measured, "nothing");
	perf_load_note(&load, note, sizeof(note));
	TEST_ASSERT(strncmp(note, "machine load not measured:", 26) == 0, "note \"%s\"", note);

	/* Counters that went back (a CPU went offline): no CPU figure, no verdict from it. */
	TEST_ASSERT_EQUAL(sample(&a, 1000, 9000, 2000, 8000, 0, 500), 0, "start");
	TEST_ASSERT_EQUAL(sample(&b, 500, 9000, 2000, 8000, 0, 500), 0, "end");
	perf_load_judge(&a, &b, workers, 2, 320, &load);
	TEST_ASSERT(!load.cpu_measured && load.cacheline_measured && !load.busy,
		    "cpu %d cacheline %d busy %d", load.cpu_measured, load.cacheline_measured,
		    load.busy);
	perf_load_note(&load, note, sizeof(note));
	TEST_ASSERT(strncmp(note, "machine not busy: other processes' CPU time not measured",
			    56) == 0, "note \"%s\"", note);
	return TEST_SUCCESS;
}

static const struct vmci_test_case cases[] = {
	{ "parse_stat", test_parse_stat },
	{ "parse_stat_bad", test_parse_stat_bad },
	{ "parse_self_stat", test_parse_self_stat },
	{ "busy_by_others", test_busy_by_others },
	{ "quiet", test_quiet },
	{ "busy_by_cacheline", test_busy_by_cacheline },
	{ "steal", test_steal },
	{ "not_measured", test_not_measured },
	{ NULL, NULL },
};

static const struct vmci_test_suite suite = {
	.name = "perf_load",
	.cases = cases,
};

int
main(void)
{
	return vmci_test_run_suite(&suite);
}
