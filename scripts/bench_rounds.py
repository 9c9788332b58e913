#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The vmci-dpdk authors
"""Run vmci-perf configurations in interleaved rounds and summarise them.

A shared two-core machine changes speed from minute to minute, so one run
says little: this runs every chosen configuration once per round, round
after round (so that a slow spell hits all of them alike), keeps each run's
JSON, and prints for every figure and every ratio the median and the
min-max over the rounds, as Markdown tables (doc/benchmarks.md shows them).

usage: scripts/bench_rounds.py [--build DIR] [--rounds N] [--duration S]
                               [--out DIR] [--only NAME,...] [--eal ARGS] [--list]
       scripts/bench_rounds.py --summarise DIR

Exit status 1 if a run failed or found a verification error.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

EAL = "-l 0,1 --in-memory --no-pci"

# name -> vmci-perf options (after "--"); --duration and --json are added.
CONFIGS = {
    "stream-msg": "--transport emu --mode stream --api msg --size 64,64k "
                  "--baselines bare-ring",
    "stream-copy": "--transport emu --mode stream --api copy --size 64k "
                   "--baselines bare-ring",
    "pingpong-msg": "--transport emu --mode pingpong --api msg --size 64 "
                    "--baselines bare-ring,cacheline",
    "pingpong-copy": "--transport emu --mode pingpong --api copy --size 64 "
                     "--baselines bare-ring,cacheline",
    "pingpong-zc": "--transport emu --mode pingpong --api zc --size 64 "
                   "--baselines bare-ring,cacheline",
    "vsock-stream": "--transport vsock --mode stream --api copy --size 64k "
                    "--connects 20 --baselines qp-echo,bare-ring",
    "vsock-pingpong": "--transport vsock --mode pingpong --api copy --size 64 "
                      "--connects 100 --baselines qp-echo,bare-ring,cacheline",
    "pairs-all": "--transport emu --mode stream --api msg --pairs 1,4,16,64,256 "
                 "--pairs-busy all",
    "pairs-one": "--transport emu --mode stream --api msg --pairs 1,4,16,64,256 "
                 "--pairs-busy one",
}
DEFAULT = ["stream-msg", "stream-copy", "pingpong-msg", "pingpong-copy",
           "pingpong-zc", "vsock-stream", "vsock-pingpong"]


def row_name(r):
    """A stable label for one result row of a run."""
    api = r.get("api", "")
    label = r["transport"] if r.get("baseline") else "%s %s" % (r["transport"], api)
    return "%s %s B" % (label, r["size"])


def figures(doc):
    """(label, value) pairs of one run's JSON: rows, ratios, limits."""
    out = []
    if doc.get("mode") == "pairs":
        for r in doc.get("results", []):
            if "skipped" in r:
                continue
            n = r["pairs"]
            out.append(("%d pairs: Mmsg/s" % n, r.get("mmsgs_per_s")))
            out.append(("%d pairs: idle poll ns" % n, r.get("idle_poll_ns")))
            out.append(("%d pairs: of one pair" % n, r.get("of_one_pair")))
            out.append(("%d pairs: setup us/pair" % n, r.get("setup_us_per_pair")))
        return out
    for r in doc.get("results", []):
        name = row_name(r)
        lat = r.get("latency_ns")
        if lat:
            out.append((name + ": p50 ns", lat.get("p50")))
            out.append((name + ": p99.9 ns", lat.get("p99.9")))
        else:
            out.append((name + ": GB/s", r.get("gbytes_per_s")))
            out.append((name + ": Mmsg/s", r.get("mmsgs_per_s")))
        if r.get("of_bare_ring") is not None:
            out.append((name + ": of bare ring", r["of_bare_ring"]))
        if r.get("verify_errors"):
            out.append((name + ": VERIFY ERRORS", r["verify_errors"]))
    for k in doc.get("ratios", []):
        out.append(("vmci / %s at %s B (%s)" % (k["baseline"], k["size"], k["metric"]),
                    k.get("vmci_advantage")))
    lim = doc.get("limits") or {}
    cl = lim.get("cacheline_rtt_ns") or {}
    if cl.get("p50"):
        out.append(("cache-line round trip p50 ns", cl["p50"]))
        for r in doc.get("results", []):
            lat = r.get("latency_ns")
            if lat and not r.get("baseline") and lat.get("p50"):
                out.append((row_name(r) + ": p50 / cache-line p50", lat["p50"] / cl["p50"]))
    lf = lim.get("data_and_index_lines_rtt_ns") or {}
    if lf.get("p50"):
        out.append(("line + flag round trip p50 ns", lf["p50"]))
    for t in doc.get("targets", []):
        out.append(("target: %s (bound %s)" % (t["target"], t["bound"]), t.get("measured")))
    cmp = doc.get("vsock_vs_qp_echo") or {}
    for r in cmp.get("rows", []):
        if "vsock_over_qp_echo" in r:
            out.append(("vsock / qp-echo at %s B (%s)" % (r["size"], cmp.get("ratio")),
                        r["vsock_over_qp_echo"]))
    for c in doc.get("connects") or []:
        tag = "vsock connect to %s, %s-byte queues" % (c.get("peer"), c.get("queue_size"))
        out.append((tag + ": setup p50 us", (c.get("setup_ns") or {}).get("p50", 0) / 1000))
        out.append((tag + ": connections/s", c.get("connections_per_s")))
    return [(k, v) for k, v in out if isinstance(v, (int, float))]


def fmt(v):
    if v == 0:
        return "0"
    if abs(v) >= 100:
        return "%.0f" % v
    if abs(v) >= 10:
        return "%.1f" % v
    return "%.3g" % v


def summarise(outdir, names):
    """Print the tables; returns the number of verification errors seen."""
    bad = 0
    print("Rounds from %s; median and min-max over the rounds.\n" % outdir)
    for name in names:
        runs = sorted(f for f in os.listdir(outdir)
                      if f.startswith(name + ".r") and f.endswith(".json"))
        series = {}
        order = []
        for f in runs:
            with open(os.path.join(outdir, f)) as fh:
                try:
                    doc = json.load(fh)
                except ValueError:
                    continue
            for label, v in figures(doc):
                if "VERIFY ERRORS" in label:
                    bad += 1
                if label not in series:
                    series[label] = []
                    order.append(label)
                series[label].append(v)
        if not order:
            continue
        print("#### %s (%d rounds): `%s`\n" % (name, len(runs), CONFIGS.get(name, "")))
        print("| figure | median | min-max | rounds |")
        print("|---|---|---|---|")
        for label in order:
            v = series[label]
            print("| %s | %s | %s-%s | %d |" % (label, fmt(statistics.median(v)),
                                              fmt(min(v)), fmt(max(v)), len(v)))
        print()
    return bad


def run(args, names):
    perf = os.path.join(args.build, "app", "vmci-perf", "vmci-perf")
    if not os.access(perf, os.X_OK):
        sys.exit("bench_rounds: %s not found: build first (./scripts/setup.sh)" % perf)
    os.makedirs(args.out, exist_ok=True)
    failed = 0
    for rnd in range(1, args.rounds + 1):
        for name in names:
            js = os.path.join(args.out, "%s.r%d.json" % (name, rnd))
            log = os.path.join(args.out, "%s.r%d.log" % (name, rnd))
            cmd = [perf] + args.eal.split() + ["--"] + CONFIGS[name].split() + \
                ["--duration", str(args.duration), "--json", js]
            t0 = time.time()
            with open(log, "w") as fh:
                rc = subprocess.call(cmd, stdout=fh, stderr=subprocess.STDOUT)
            print("round %d %-15s exit %d, %.0f s" % (rnd, name, rc, time.time() - t0),
                  file=sys.stderr)
            if rc != 0:
                failed += 1
                print("  failed: see %s" % log, file=sys.stderr)
    return failed


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build", default="build")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--duration", type=float, default=1.0,
                    help="vmci-perf --duration per size and transport (default 1)")
    ap.add_argument("--out", default="bench-rounds")
    ap.add_argument("--only", help="comma-separated configuration names")
    ap.add_argument("--eal", default=EAL, help="EAL options (default %r)" % EAL)
    ap.add_argument("--list", action="store_true", help="print the configurations")
    ap.add_argument("--summarise", metavar="DIR", help="only summarise earlier runs")
    args = ap.parse_args()
    names = args.only.split(",") if args.only else DEFAULT
    for n in names:
        if n not in CONFIGS:
            sys.exit("bench_rounds: unknown configuration %r: expected one of %s" %
                     (n, ", ".join(CONFIGS)))
    if args.list:
        for n, c in CONFIGS.items():
            print("%-15s %s%s" % (n, c, "" if n in DEFAULT else "  (not default)"))
        return
    if args.rounds < 1 or args.duration <= 0:
        sys.exit("bench_rounds: --rounds must be >= 1 and --duration > 0")
    if args.summarise:
        sys.exit(1 if summarise(args.summarise, names) else 0)
    failed = run(args, names)
    bad = summarise(args.out, names)
    if failed or bad:
        print("bench_rounds: %d runs failed, %d had verification errors" % (failed, bad),
              file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
