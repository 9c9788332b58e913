#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Long streaming soak: the fault suite's soak case (test/fault/test_fault.c)
# for SOAK_SECONDS (default 600) per seed. A guest and the emulated host
# stream both ways over a queue pair while the emulated device injects
# random faults (dropped, corrupted and bogus datagrams and events,
# context-ID changes, datagram floods, failing QUEUEPAIR_ALLOC); every
# acknowledged byte must arrive exactly once and in order, and the
# hypervisor must hold nothing once the run is torn down.
#
#   scripts/soak.sh                       600 s, seed 1, build/
#   SOAK_SECONDS=3600 SOAK_SEEDS="1 2 3" scripts/soak.sh
#   BUILD_DIR=build-san scripts/soak.sh   under ASan+UBSan
set -uo pipefail
cd "$(dirname "$0")/.."

BUILD_DIR=${BUILD_DIR:-build}
SOAK_SECONDS=${SOAK_SECONDS:-600}
SOAK_SEEDS=${SOAK_SEEDS:-1}
exe="$BUILD_DIR/test/fault/test_fault"

ninja -C "$BUILD_DIR" test/fault/test_fault >/dev/null || { echo "soak: build failed"; exit 1; }
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=0:detect_leaks=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/test/sanitizers/lsan.supp:print_suppressions=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

failed=0
for seed in $SOAK_SEEDS; do
	echo "== soak seed $seed, ${SOAK_SECONDS}s"
	if ! "$exe" --no-huge -m 512 --no-pci --iova-mode=va --file-prefix="soak_$$_$seed" \
		-l 0 --log-level='*:critical' -- --case=soak \
		--soak-seconds="$SOAK_SECONDS" --seed="$seed"; then
		echo "soak seed $seed FAILED"
		failed=1
	fi
done
exit $failed
