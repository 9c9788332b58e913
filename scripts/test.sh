#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Run every meson test suite twice, on the regular build and on an
# ASan+UBSan build, then the concurrency stress cases under ThreadSanitizer
# (scripts/tsan.sh), then every fuzz target for FUZZ_SECONDS (default 20)
# with libFuzzer (scripts/fuzz.sh). Ends with one line
# "total: N passed, N failed, N skipped" and exits non-zero when anything
# failed.
#
#   scripts/test.sh                  both builds, all suites, fuzzing
#   scripts/test.sh --no-sanitize    without the ASan+UBSan build
#   scripts/test.sh --no-tsan        without the ThreadSanitizer runs
#   scripts/test.sh --no-fuzz        without the libFuzzer runs
#   scripts/test.sh --suite unit     extra arguments go to `meson test`
set -uo pipefail
cd "$(dirname "$0")/.."

BUILD_DIR=${BUILD_DIR:-build}
SAN_BUILD_DIR=${SAN_BUILD_DIR:-build-san}
sanitize=1
fuzz=1
tsan=1
meson_args=()
for arg in "$@"; do
	case "$arg" in
	--no-sanitize) sanitize=0 ;;
	--no-fuzz) fuzz=0 ;;
	--no-tsan) tsan=0 ;;
	*) meson_args+=("$arg") ;;
	esac
done

# DPDK's own libraries are not built with ASan; leaks inside them at exit
# are theirs, not ours (see test/sanitizers/lsan.supp).
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=0:detect_leaks=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/test/sanitizers/lsan.supp:print_suppressions=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

passed=0 failed=0 skipped=0

# Add one build's results (meson's testlog.json) to the totals.
count_results() {
	local log=$1/meson-logs/testlog.json counts
	[ -f "$log" ] || { failed=$((failed + 1)); return; }
	counts=$(python3 - "$log" <<'PY'
import json, sys
p = f = s = 0
for line in open(sys.argv[1]):
    r = json.loads(line)["result"]
    if r in ("OK", "EXPECTEDFAIL"):
        p += 1
    elif r == "SKIP":
        s += 1
    else:
        f += 1
print(p, f, s)
PY
)
	read -r p f s <<<"$counts"
	echo "$1: $p passed, $f failed, $s skipped"
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
}

run_build() {
	local dir=$1
	echo "== meson test in $dir"
	rm -f "$dir/meson-logs/testlog.json"
	meson test -C "$dir" --print-errorlogs "${meson_args[@]}"
	count_results "$dir"
}

ninja -C "$BUILD_DIR" >/dev/null || { echo "build of $BUILD_DIR failed"; exit 1; }
run_build "$BUILD_DIR"

if [ "$sanitize" = 1 ]; then
	echo "== ASan+UBSan build in $SAN_BUILD_DIR"
	mkdir -p "$SAN_BUILD_DIR"
	if BUILD_DIR="$SAN_BUILD_DIR" \
	   MESON_OPTS="-Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debugoptimized -Dc_args=-fno-sanitize-recover=undefined -Dbenchmarks=disabled" \
	   ./scripts/setup.sh >"$SAN_BUILD_DIR/setup.log" 2>&1; then
		run_build "$SAN_BUILD_DIR"
	else
		echo "sanitizer build failed:"; tail -30 "$SAN_BUILD_DIR/setup.log"
		failed=$((failed + 1))
	fi
fi

# ThreadSanitizer: the control run and one result per stress case.
if [ "$tsan" = 1 ]; then
	echo "== ThreadSanitizer over the stress cases"
	tsan_log=$(mktemp)
	./scripts/tsan.sh | tee "$tsan_log"
	p=$(grep -c '^tsan .*: ok' "$tsan_log")
	f=$(grep -c '^tsan .*: FAIL' "$tsan_log")
	[ "$p" -gt 0 ] || f=$((f + 1))  # nothing ran: the build or setup failed
	rm -f "$tsan_log"
	echo "tsan: $p passed, $f failed, 0 skipped"
	passed=$((passed + p)) failed=$((failed + f))
fi

# Short libFuzzer runs: one result per target.
if [ "$fuzz" = 1 ]; then
	echo "== libFuzzer, ${FUZZ_SECONDS:-20} s per target"
	fuzz_log=$(mktemp)
	FUZZ_SECONDS=${FUZZ_SECONDS:-20} ./scripts/fuzz.sh | tee "$fuzz_log"
	p=$(grep -c ': ok,' "$fuzz_log")
	f=$(grep -c ': FAILED' "$fuzz_log")
	[ "$p" -gt 0 ] || f=$((f + 1))  # nothing ran: the build or setup failed
	rm -f "$fuzz_log"
	echo "fuzz: $p passed, $f failed, 0 skipped"
	passed=$((passed + p)) failed=$((failed + f))
fi

echo "total: $passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
