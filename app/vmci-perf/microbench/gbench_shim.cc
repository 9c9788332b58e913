/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

// The only C++ of the microbenchmarks: gbench_shim.h over Google Benchmark.
// The opaque C handles are the C++ objects themselves, cast.

#include <vector>

#include <benchmark/benchmark.h>

#include "gbench_shim.h"

namespace {

benchmark::State *
cxx(struct gbench_state *st)
{
	return reinterpret_cast<benchmark::State *>(st);
}

const benchmark::State *
cxx(const struct gbench_state *st)
{
	return reinterpret_cast<const benchmark::State *>(st);
}

benchmark::internal::Benchmark *
cxx(struct gbench_bench *b)
{
	return reinterpret_cast<benchmark::internal::Benchmark *>(b);
}

benchmark::Counter::Flags
counter_flags(unsigned int flags)
{
	int f = benchmark::Counter::kDefaults;

	if (flags & GBENCH_COUNTER_RATE)
		f |= benchmark::Counter::kIsRate;
	if (flags & GBENCH_COUNTER_AVG_ITERATIONS)
		f |= benchmark::Counter::kAvgIterations;
	if (flags & GBENCH_COUNTER_ITERATION_INVARIANT)
		f |= benchmark::Counter::kIsIterationInvariant;
	return static_cast<benchmark::Counter::Flags>(f);
}

} // namespace

extern "C" {

struct gbench_bench *
gbench_register(const char *name, gbench_fn_t fn, void *arg)
{
	benchmark::internal::Benchmark *b = benchmark::RegisterBenchmark(name,
		[fn, arg](benchmark::State &state) {
			fn(reinterpret_cast<struct gbench_state *>(&state), arg);
		});

	return reinterpret_cast<struct gbench_bench *>(b);
}

void
gbench_arg(struct gbench_bench *b, int64_t value)
{
	cxx(b)->Arg(value);
}

void
gbench_args(struct gbench_bench *b, const int64_t *values, size_t n)
{
	cxx(b)->Args(std::vector<int64_t>(values, values + n));
}

void
gbench_range(struct gbench_bench *b, int64_t lo, int64_t hi)
{
	cxx(b)->Range(lo, hi);
}

void
gbench_range_multiplier(struct gbench_bench *b, int multiplier)
{
	cxx(b)->RangeMultiplier(multiplier);
}

void
gbench_dense_range(struct gbench_bench *b, int64_t lo, int64_t hi, int step)
{
	cxx(b)->DenseRange(lo, hi, step);
}

void
gbench_arg_name(struct gbench_bench *b, const char *name)
{
	cxx(b)->ArgName(name);
}

bool
gbench_keep_running(struct gbench_state *st)
{
	return cxx(st)->KeepRunning();
}

bool
gbench_keep_running_batch(struct gbench_state *st, int64_t n)
{
	return cxx(st)->KeepRunningBatch(n);
}

int64_t
gbench_range_arg(struct gbench_state *st, size_t i)
{
	return cxx(st)->range(i);
}

int64_t
gbench_iterations(const struct gbench_state *st)
{
	return cxx(st)->iterations();
}

void
gbench_set_bytes_processed(struct gbench_state *st, int64_t bytes)
{
	cxx(st)->SetBytesProcessed(bytes);
}

void
gbench_set_items_processed(struct gbench_state *st, int64_t items)
{
	cxx(st)->SetItemsProcessed(items);
}

void
gbench_set_counter(struct gbench_state *st, const char *name, double value,
		   unsigned int flags)
{
	cxx(st)->counters[name] = benchmark::Counter(value, counter_flags(flags));
}

void
gbench_set_label(struct gbench_state *st, const char *label)
{
	cxx(st)->SetLabel(label);
}

void
gbench_pause_timing(struct gbench_state *st)
{
	cxx(st)->PauseTiming();
}

void
gbench_resume_timing(struct gbench_state *st)
{
	cxx(st)->ResumeTiming();
}

void
gbench_skip_with_error(struct gbench_state *st, const char *msg)
{
	cxx(st)->SkipWithError(msg);
}

void
gbench_add_context(const char *key, const char *value)
{
	benchmark::AddCustomContext(key, value);
}

} // extern "C"

int
main(int argc, char **argv)
{
	int ret;

	gbench_app_register();
	benchmark::Initialize(&argc, argv);
	if (benchmark::ReportUnrecognizedArguments(argc, argv))
		return 2;
	ret = gbench_app_init(argv[0]);
	if (ret != 0)
		return ret;
	benchmark::RunSpecifiedBenchmarks();
	benchmark::Shutdown();
	gbench_app_fini();
	return 0;
}
