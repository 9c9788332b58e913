#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# Smoke test of the forwarding benchmark: one round of 1 s at 64 B. The
# script must finish with every run forwarded, and every configuration
# must be in its summary and in its JSON file with a rate, but vmci-q2,
# which must be reported skipped with its reason. No rate is judged:
# speed is for the benchmark.
#
# usage: bench_forwarding_smoke.sh <bench_forwarding.sh> <build dir>
# shellcheck disable=SC2086 # $configs is a list
set -u

bench=$1
build=$2
configs="vmci vmci-zc memif vmci-mp ring memif-q2 vmci-mp-q2"
skipped=vmci-q2
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

"$bench" --rounds 1 --seconds 1 --sizes 64 --json "$out/bench.json" "$build" \
    >"$out/bench.txt" 2>&1
rc=$?
cat "$out/bench.txt"
[ $rc -eq 77 ] && exit 77
if [ $rc -ne 0 ]; then
    echo "FAIL: the benchmark exited with $rc"
    exit 1
fi

ok=1
for cfg in $configs; do
    # config driver procs queues size median min-max ...
    if ! awk -v c="$cfg" '$1 == c && $5 == 64 && $6 + 0 > 0 { f = 1 } END { exit !f }' \
        "$out/bench.txt"; then
        echo "FAIL: no summary line with a rate for $cfg at 64 B"
        ok=0
    fi
done
if ! grep -q "^$skipped: skipped: testpmd" "$out/bench.txt" ||
   ! grep -q "^$skipped .* skipped" "$out/bench.txt"; then
    echo "FAIL: $skipped not reported skipped with its reason"
    ok=0
fi
python3 - "$out/bench.json" $skipped $configs <<'EOF' || ok=0
import json, sys
doc = json.load(open(sys.argv[1]))
skipped, want = sys.argv[2], sys.argv[3:]
got = {s["config"]: s for s in doc["summary"]}
bad = [c for c in want if c not in got or got[c]["forwarded"] != 1 or got[c]["median_mpps"] <= 0]
if skipped not in got or not got[skipped].get("skipped"):
    bad.append(skipped + " (not skipped)")
bad += [r["config"] for r in doc["runs"] if not r["forwarded"]]
for s in doc["summary"]:
    if s.get("baseline") and s.get("ratio") is None and not s.get("skipped"):
        bad.append(s["config"] + " (no ratio)")
if bad or len(doc["runs"]) != len(want):
    print("FAIL: JSON: missing or bad:", ", ".join(bad) or "run count")
    sys.exit(1)
print("JSON: %d runs, every configuration summarised" % len(doc["runs"]))
EOF
[ $ok -eq 1 ] || exit 1
echo "PASS: every configuration forwarded and was reported"
