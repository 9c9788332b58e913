#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Build the test/fuzz targets with clang + libFuzzer + ASan/UBSan in
# build-fuzz and run each for a short time (FUZZ_SECONDS, default 30: about
# 4 minutes for the eight targets). New inputs go to build-fuzz/corpus/
# (seeded from test/fuzz/corpus, which stays untouched); a crash leaves its
# input in build-fuzz/artifacts/ and makes the script fail.
#
#   scripts/fuzz.sh                   every target, 30 s each
#   FUZZ_SECONDS=3600 scripts/fuzz.sh qp_hdr msg    longer runs, some targets
set -uo pipefail
cd "$(dirname "$0")/.."

FUZZ_DIR=${FUZZ_DIR:-build-fuzz}
FUZZ_SECONDS=${FUZZ_SECONDS:-30}
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(dgram_rx event hcall qp_hdr msg devargs perf_opts vsock_ctl)

sdk=$(ls -d .sdk/dpdk-*/include 2>/dev/null | head -1)
[ -n "$sdk" ] || { SETUP_NO_BUILD=1 ./scripts/setup.sh >/dev/null && sdk=$(ls -d .sdk/dpdk-*/include 2>/dev/null | head -1); }
[ -z "$sdk" ] || sdk=$(realpath "$sdk")
if [ ! -f "$FUZZ_DIR/build.ninja" ]; then
	CC=clang CXX=clang++ meson setup "$FUZZ_DIR" ${sdk:+-Dsdk_include_dir=$sdk} \
		-Dfuzz=true -Db_sanitize=address,undefined -Db_lundef=false \
		-Dbuildtype=debugoptimized -Dbenchmarks=disabled \
		-Dc_args="-fsanitize=fuzzer-no-link -fno-sanitize-recover=undefined" \
		>/dev/null || { echo "fuzz: meson setup failed"; exit 1; }
else
	meson configure "$FUZZ_DIR" -Dfuzz=true >/dev/null
fi
ninja -C "$FUZZ_DIR" -j2 $(printf 'test/fuzz/fuzz_%s ' "${targets[@]}") >/dev/null ||
	{ echo "fuzz: build failed"; exit 1; }

export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/test/sanitizers/lsan.supp:print_suppressions=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

failed=0
mkdir -p "$FUZZ_DIR/artifacts"
for t in "${targets[@]}"; do
	work="$FUZZ_DIR/corpus/$t"
	mkdir -p "$work"
	log="$FUZZ_DIR/fuzz_$t.log"
	"$FUZZ_DIR/test/fuzz/fuzz_$t" -max_total_time="$FUZZ_SECONDS" -timeout=10 \
		-rss_limit_mb=4096 -print_final_stats=1 -close_fd_mask=3 \
		-artifact_prefix="$FUZZ_DIR/artifacts/${t}-" \
		"$work" "test/fuzz/corpus/$t" >"$log" 2>&1
	rc=$?
	runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$')
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
	if [ $rc -eq 0 ]; then
		echo "fuzz_$t: ok, ${runs:-?} runs, ${cov:-cov: ?} in ${FUZZ_SECONDS}s"
	else
		echo "fuzz_$t: FAILED (exit $rc), see $log and $FUZZ_DIR/artifacts/"
		grep -m3 -E 'ERROR|SUMMARY|runtime error' "$log"
		failed=1
	fi
done
exit $failed
