#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# ThreadSanitizer over the concurrency stress tests (test/stress): two
# lcores producing and consuming on shared queue pairs, every case, with
# TSAN_BYTES per flow (default 16 MB: TSan runs the copy loops ~20x slower).
#
# DPDK itself is not built with TSan. What that costs, and how it is dealt
# with:
#  - rte_eal_remote_launch()/rte_eal_wait_lcore() synchronise inside
#    librte_eal, invisibly to TSan, so every read of a job's results after
#    the run looked like a race (61 reports per case, all of that kind).
#    test_qp_stress.c annotates that handoff (__tsan_release/acquire); no
#    suppression file is used, so nothing inside lib/vmci_qp is hidden.
#  - Multi-process tests cannot run: TSan does not follow memory shared
#    between processes. Hugepage-backed memzones in one process are fine.
#  - A control run first: the hostile-peer test writes shared headers with
#    plain stores on purpose, and TSan must report it; if it did not, the
#    tool would not be watching lcore memory and a clean result would mean
#    nothing.
#
#   scripts/tsan.sh                   build build-tsan, control, all cases
#   TSAN_BYTES=268435456 scripts/tsan.sh
set -uo pipefail
cd "$(dirname "$0")/.."

TSAN_DIR=${TSAN_DIR:-build-tsan}
TSAN_BYTES=${TSAN_BYTES:-16000000}
cases=(stream_4093 stream_65521 msg_4093 msg_65521 bidir)

sdk=$(ls -d .sdk/dpdk-*/include 2>/dev/null | head -1)
[ -n "$sdk" ] || { SETUP_NO_BUILD=1 ./scripts/setup.sh >/dev/null && sdk=$(ls -d .sdk/dpdk-*/include 2>/dev/null | head -1); }
[ -z "$sdk" ] || sdk=$(realpath "$sdk")
if [ ! -f "$TSAN_DIR/build.ninja" ]; then
	# -Dnative_arch=true as scripts/setup.sh builds: without it DPDK's
	# SSE rte_memcpy copies through aligned 16-byte loads that reach up to
	# 15 bytes outside the range copied, bytes the peer may be writing,
	# which TSan reports as races on every case (values that are loaded
	# and discarded; doc/vmci_qp.md).
	meson setup "$TSAN_DIR" ${sdk:+-Dsdk_include_dir=$sdk} -Db_sanitize=thread \
		-Dnative_arch=true -Db_lundef=false -Dbuildtype=debugoptimized -Dbenchmarks=disabled \
		>/dev/null || { echo "tsan: meson setup failed"; exit 1; }
fi
ninja -C "$TSAN_DIR" -j2 test/stress/test_qp_stress test/hostile/test_hostile >/dev/null ||
	{ echo "tsan: build failed"; exit 1; }

failed=0
eal=(--no-pci --no-telemetry --log-level='*:warning')

log="$TSAN_DIR/tsan_control.log"
TSAN_OPTIONS="halt_on_error=1" "$TSAN_DIR/test/hostile/test_hostile" --no-huge -m 256 \
	--file-prefix=tsan_control -l 0 "${eal[@]}" >"$log" 2>&1
if grep -q "WARNING: ThreadSanitizer: data race" "$log"; then
	echo "tsan control: ok (the deliberate hostile-peer race was reported)"
else
	echo "tsan control: FAILED: TSan did not report the hostile peer's plain stores"
	failed=1
fi

for c in "${cases[@]}"; do
	log="$TSAN_DIR/tsan_$c.log"
	if TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1" \
	   "$TSAN_DIR/test/stress/test_qp_stress" -l 0,1 --in-memory --file-prefix="tsan_$c" \
		"${eal[@]}" -- --case="$c" --bytes="$TSAN_BYTES" >"$log" 2>&1; then
		echo "tsan $c: ok"
	else
		echo "tsan $c: FAILED, see $log"
		grep -m1 -A12 "WARNING: ThreadSanitizer" "$log"
		failed=1
	fi
done
exit $failed
