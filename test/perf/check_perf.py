#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The vmci-dpdk authors
"""Run vmci-perf briefly and validate what it wrote.

    check_perf.py run VMCI_PERF NAME MODE TRANSPORT API [APP ARGS...] -- EAL ARGS...
        runs VMCI_PERF [EAL ARGS] -- --mode MODE --transport TRANSPORT --api API
        --json F [--hgrm F] [APP ARGS], then checks the JSON (modes, sizes,
        rates > 0, verification passed, errors == 0, machine info) and, for
        pingpong, the .hgrm file (header, monotonic rows, footer).
    check_perf.py badcli VMCI_PERF
        runs bad command lines; each must exit 2 naming the value and what
        is allowed.
    check_perf.py mpkill VMCI_PERF MODE -- EAL ARGS...
        starts a long emu-mp run, kills its secondary with SIGKILL once it
        attached, and expects vmci-perf to end within seconds with status 1
        and the consumer's error in its row: no hang, no false pass.
    check_perf.py progress VMCI_PERF MODE TRANSPORT -- EAL ARGS...
        a 2.5 s run, which prints a progress line per second: each line must
        give the count so far (bidir: of both directions) and name its two
        rates, over the last second and since the start.
    check_perf.py pairs VMCI_PERF NAME [APP ARGS...] -- EAL ARGS...
        a --pairs scale run (emu, stream, msg, with --count): every pair
        count's row in the JSON, every message and byte received, the scale
        figures, the emulator's limit named for a count beyond it, and the
        plot script's two panels.
    check_perf.py vsockfail KIND VMCI_PERF -- EAL ARGS...
        transport vsock against the emulated host when the peer is not an
        echo: KIND no-listener (a port nobody serves: exit 1 naming the
        peer and why), no-echo (the discard service takes every byte and
        answers nothing: exit 1 within seconds of a --count run that would
        last minutes), peer-closes (the byte source reads a count of 0 and
        closes: exit 1 saying the peer ended the connection).
    check_perf.py qpechomain VMCI_PERF -- EAL ARGS...
        transport vsock with side 1 on the main lcore: the qp-echo baseline,
        whose echo needs a worker lcore, is skipped saying why (rows,
        comparison, JSON, its target not measured), vsock runs verified.
    check_perf.py vsockcpu KIND VMCI_PERF -- EAL ARGS...
        transport vsock with the emulated devices named on the command line,
        vmci_host0's devarg vsock_cpu= placing its vSockets thread: KIND
        given (vsock_cpu=1: the thread runs on CPU 1, side 1's), default
        (none: the output says where it runs and which devarg moves it), bad
        (vsock_cpu=9999: refused naming key and value, exit 1).
    check_perf.py vmci KIND VMCI_PERF ECHO_PEER NAME MODE API [APP ARGS...] -- EAL ARGS...
        transport vmci against the reference echo peer, a DPDK secondary of
        vmci-perf started once vmci-perf offers its pair. KIND run: checks
        as "run" does, plus the peer's attach and detach lines; timeout: no
        peer, vmci-perf must exit 1 naming the peer and service within the
        attach timeout and a few seconds; badoffer: the peer refuses the
        offer (queues above its --max-queue-size), vmci-perf times out;
        detach: the peer detaches mid-run, vmci-perf must stop with status 1
        and say so; stall: the peer stops echoing but stays attached during
        a --count run that would last minutes, vmci-perf must stop within
        seconds with status 1 and say so.
"""

import json
import math
import os
import re
import signal
import subprocess
import sys
import tempfile
import time


class CheckError(Exception):
    pass


def expect(cond, what):
    if not cond:
        raise CheckError(what)


def check_machine(doc):
    m = doc.get("machine")
    expect(isinstance(m, dict), "machine: missing")
    expect(isinstance(m.get("cpu_model"), str) and m["cpu_model"], "machine.cpu_model empty")
    expect(isinstance(m.get("cores"), int) and m["cores"] >= 1, "machine.cores < 1")
    expect(str(m.get("dpdk_version", "")).startswith("DPDK"), "machine.dpdk_version")
    hp = m.get("hugepages")
    expect(isinstance(hp, dict) and {"total", "free", "size_kb"} <= set(hp),
           "machine.hugepages fields")
    for side in ("producer", "consumer"):
        expect(isinstance(m.get(side), dict) and "lcore" in m[side], "machine.%s" % side)
    expect(m["producer"]["lcore"] != m["consumer"]["lcore"], "two different lcores")


def check_latency(r):
    lat = r.get("latency_ns")
    expect(isinstance(lat, dict), "%s %s: latency_ns missing" % (r["transport"], r["size"]))
    keys = ["min", "p50", "p90", "p99", "p99.9", "p99.99", "max"]
    vals = [lat[k] for k in keys]
    expect(lat["samples"] > 0, "latency samples == 0")
    expect(all(v > 0 for v in vals), "latency figures must be > 0: %s" % vals)
    expect(vals == sorted(vals), "latency percentiles not monotonic: %s" % vals)


def check_result(r, mode):
    name = "%s %s B" % (r.get("transport"), r.get("size"))
    expect(r.get("mode") == mode, name + ": mode %r" % r.get("mode"))
    if "skipped" in r:
        expect(mode == "bidir", name + ": skipped outside bidir: " + r["skipped"])
        return
    expect(r["messages"] > 0, name + ": no messages")
    expect(r["messages"] == r["sent"], name + ": sent %d, received %d"
           % (r["sent"], r["messages"]))
    expect(r["mmsgs_per_s"] > 0 and r["gbytes_per_s"] > 0, name + ": rate not > 0")
    expect(r["seconds"] > 0, name + ": seconds not > 0")
    expect(r["verify_errors"] == 0, name + ": verify_errors %r" % r["verify_errors"])
    expect(r["errors"] == 0, name + ": errors %r" % r["errors"])
    expect(r["tx_error"] is None and r["rx_error"] is None, name + ": worker error")
    if mode == "pingpong":
        check_latency(r)


def check_limits(doc):
    """Both round trips come together, each with min <= p50 <= p99.9."""
    lim = doc.get("limits")
    if lim is None:
        return
    one, two = lim.get("cacheline_rtt_ns"), lim.get("data_and_index_lines_rtt_ns")
    expect((one is None) == (two is None), "limits: one round trip without the other")
    for name, rtt in (("cacheline", one), ("line + flag", two)):
        if rtt is not None:
            expect(0 < rtt["min"] <= rtt["p50"] <= rtt["p99.9"], "limits %s %r" % (name, rtt))


# Which baseline a target's ratio needs, by the words of its name.
TARGET_BASELINES = [("qp-echo", "qp-echo"), ("unix-busy", "unix-busy"), ("unix (blocking)", "unix"),
                    ("memcpy", "memcpy"), ("cache-line", "cacheline"),
                    ("bare-ring", "bare-ring")]
KERNEL_BASELINES = ("unix", "unix-busy", "pipe", "tcp")


def check_targets(doc, mode, requested):
    """Every target is judged, and a ratio target only appears when its
    baseline was asked for and can run in this mode."""
    expect(isinstance(doc.get("targets"), list), "targets missing")
    for t in doc["targets"]:
        expect(t.get("verdict") in ("met", "MISSED", "not measured") and t.get("target"),
               "target entry %r" % t)
        expect((t["measured"] > 0) == (t["verdict"] != "not measured"),
               "target %r: measured vs verdict" % t["target"])
        need = next((bl for words, bl in TARGET_BASELINES if words in t["target"]), None)
        expect(need is None or (need in requested and
                                not (mode == "bidir" and need in KERNEL_BASELINES)),
               "target %r needs baseline %s, which this run (--baselines %s, mode %s) does"
               " not measure" % (t["target"], need, ",".join(requested) or "none", mode))


def check_json(path, mode, transport, api, sizes, baselines, queue_sizes, app,
               row_queue_sizes=None):
    """row_queue_sizes: what each queue size of the sweep became, when the
    peer may choose (vsock); the sweep as asked for otherwise."""
    row_queue_sizes = row_queue_sizes or queue_sizes
    with open(path) as f:
        doc = json.load(f)
    expect(doc.get("tool") == "vmci-perf", "tool")
    expect(doc.get("mode") == mode, "mode %r, expected %r" % (doc.get("mode"), mode))
    if "--count" in app:
        expect(doc.get("count") == int(opt_value(app, "--count", "0")), "count %r"
               % doc.get("count"))
        expect("duration_s" in doc and doc["duration_s"] is None,
               "duration_s %r with --count: no duration applied, expected null"
               % doc.get("duration_s"))
    else:
        want = float(opt_value(app, "--duration", "0.25"))
        expect(doc.get("count") == 0 and math.isclose(doc.get("duration_s") or 0, want),
               "duration_s %r, count %r: expected %s s, count 0"
               % (doc.get("duration_s"), doc.get("count"), want))
    expect(doc.get("transport") == transport, "transport %r" % doc.get("transport"))
    expect(doc.get("api") == api, "api %r" % doc.get("api"))
    expect(doc.get("queue_sizes") == queue_sizes and doc.get("queue_size") == queue_sizes[0],
           "queue_sizes %r, queue_size %r: expected %s" % (doc.get("queue_sizes"),
                                                          doc.get("queue_size"), queue_sizes))
    expect(doc.get("verify") is True, "verify must be on")
    expect(doc.get("verification") == "passed", "verification %r" % doc.get("verification"))
    check_machine(doc)
    check_limits(doc)
    check_targets(doc, mode, requested_baselines(app))
    check_machine_load(doc, requested_baselines(app))
    res = doc.get("results")
    expect(isinstance(res, list) and res, "results empty")
    for r in res:
        check_result(r, mode)
    check_bare_ring(doc, mode, api, sizes, requested_baselines(app))
    vm = [r for r in res if not r["baseline"]]
    expect([r["size"] for r in vm] == sizes * len(queue_sizes), "vmci sizes %s, expected %s"
           % ([r["size"] for r in vm], sizes * len(queue_sizes)))
    expect([r["queue_size"] for r in vm] == [q for q in row_queue_sizes for _ in sizes],
           "vmci queue sizes %s, expected the sweep %s" % ([r["queue_size"] for r in vm],
                                                          row_queue_sizes))
    if transport == "vsock":
        check_connects(doc, queue_sizes, app)
    else:
        expect("connects" not in doc, "connection setup figures for transport %s" % transport)
    expect(all(r["transport"] == transport for r in vm), "vmci rows' transport")
    for bl in baselines:
        rows = [r for r in res if r["baseline"] and r["transport"] == bl]
        expect([r["size"] for r in rows] == sizes, "baseline %s sizes %s"
               % (bl, [r["size"] for r in rows]))
        ran = [r for r in rows if "skipped" not in r]
        ratios = [x for x in doc["ratios"] if x["baseline"] == bl]
        expect(len(ratios) == len(ran), "baseline %s: %d ratios for %d rows"
               % (bl, len(ratios), len(ran)))
        expect(all(x["vmci_advantage"] > 0 for x in ratios), "baseline %s: ratio <= 0" % bl)
    return doc


def check_connects(doc, queue_sizes, app):
    """Connection setup of transport vsock: one entry per queue size, each
    with --connects connections timed, percentiles in order, and the rate
    that count and time give."""
    count = int(opt_value(app, "--connects", "100"))
    peer = opt_value(app, "--vsock-peer", "2:7")
    conns = doc.get("connects")
    expect(isinstance(conns, list) and len(conns) == len(queue_sizes),
           "connects: %r, expected one entry per queue size %s" % (conns, queue_sizes))
    expect(doc["units"].get("setup_ns") == "connect to established, nanoseconds",
           "units.setup_ns %r" % doc["units"].get("setup_ns"))
    for c, q in zip(conns, queue_sizes):
        expect(c.get("peer") == peer and c.get("queue_size") == q and c.get("count") == count,
               "connects entry %r: expected peer %s, queue_size %d, count %d"
               % (c, peer, q, count))
        ns = c.get("setup_ns")
        expect(isinstance(ns, dict) and ns.get("samples") == count,
               "connects setup_ns %r: expected %d samples" % (ns, count))
        keys = ["min", "p50", "p90", "p99", "p99.9", "max"]
        vals = [ns[k] for k in keys]
        expect(vals[0] > 0 and vals == sorted(vals),
               "setup percentiles must be > 0 and in order: %s" % vals)
        expect(ns["min"] <= ns["mean"] <= ns["max"], "setup mean %r outside min..max"
               % ns["mean"])
        expect(c["seconds"] > 0 and c["connections_per_s"] > 0 and
               math.isclose(c["connections_per_s"], count / c["seconds"], rel_tol=1e-3),
               "connections_per_s %r: expected count / seconds = %d / %r"
               % (c["connections_per_s"], count, c["seconds"]))
        # Each connection takes its setup time and more (the close).
        expect(c["seconds"] * 1e9 >= ns["min"] * count, "%d connections in %r s, yet each"
               " took at least %r ns to set up" % (count, c["seconds"], ns["min"]))


# Where the emulated host's thread runs: on side 1's CPU (lcore 1 in these tests).
HOST_THREAD_ON_SIDE1 = (r"^vsock: the emulated host's thread \(vmci-vsock-host, tid \d+\) runs on"
                        r" CPU \d+, the CPU of lcore 1, which this transport leaves idle$")


# The emulated host's echo takes a proposed queue size within [128, 256 KiB],
# else answers with its default, 256 KiB (doc/vsock-emulated-host.md).
EMU_VSOCK_QUEUE_MAX = 256 << 10


def emu_vsock_queue(q):
    return q if 128 <= q <= EMU_VSOCK_QUEUE_MAX else EMU_VSOCK_QUEUE_MAX


def qp_echo_target(app, mode):
    """vsock's target, when the run measures it: (name, size, bound)."""
    want = ("64 B p50 RTT / qp-echo p50 RTT", 64, 1.2) if mode == "pingpong" else \
        ("64 KiB GB/s / qp-echo GB/s", 65536, 0.9)
    sizes = [int(x) for x in opt_value(app, "--size", "64").split(",")]
    return want if "qp-echo" in requested_baselines(app) and want[1] in sizes else None


def check_qp_echo(out, doc, mode, api, sizes, queue_sizes, app):
    """The qp-echo baseline of transport vsock: a pair of the size the first
    connection got, echoed on side 1's lcore, every byte through the same
    loop and checked; its rows right after vsock's, every byte echoed; the
    vsock / qp-echo ratio of every size in the text and the JSON, and the
    target that reads it."""
    q = emu_vsock_queue(queue_sizes[0])
    m = re.search(r"^qp-echo: queue pair 20:(\d+) of (\d+)-byte queues \(the size vsock's"
                  r" connection got\), created on vmci_emu0 and attached by the emulated host's"
                  r" device; lcore 1 \(CPU \d+\) echoes it as the emulated host's echo does, up"
                  r" to 65536 bytes a step through a bounce buffer, without vSockets", out, re.M)
    expect(m is not None and int(m.group(2)) == q, "no qp-echo line naming a pair of %d-byte"
           " queues, the size the first connection got" % q)
    count = int(opt_value(app, "--count", "0"))
    moved = re.findall(r"^qp-echo: detaching queue pair 20:%s: the echo moved (\d+) bytes$"
                       % m.group(1), out, re.M)
    expect(moved == [str(count * sum(sizes))], "the echo moved %s bytes, expected %d messages"
           " of each size: %d" % (moved, count, count * sum(sizes)))
    res = doc["results"]
    vm = [r for r in res if not r["baseline"]]
    qe = res[len(vm):len(vm) + len(sizes)]
    expect([(r["transport"], r["size"], r["api"], r["queue_size"]) for r in qe] ==
           [("qp-echo", s, api, q) for s in sizes], "the rows after vsock's: %s, expected"
           " qp-echo at %s with api %s and %d-byte queues"
           % ([(r["transport"], r["size"], r["api"], r.get("queue_size")) for r in qe], sizes,
              api, q))
    expect(all(r["messages"] == r["sent"] == count and r["verify_errors"] == 0 for r in qe),
           "qp-echo rows: messages, sent, verify_errors %s"
           % [(r["messages"], r["sent"], r["verify_errors"]) for r in qe])
    cmp = doc.get("vsock_vs_qp_echo")
    expect(isinstance(cmp, dict) and cmp.get("compares", "").startswith(
        "vsock (a vSockets connection through the emulated host's echo) against qp-echo (") and
        cmp["compares"].endswith("what vSockets adds"), "vsock_vs_qp_echo: %r" % cmp)
    expect([r["size"] for r in cmp["rows"]] == sizes, "vsock_vs_qp_echo sizes %s"
           % [r["size"] for r in cmp["rows"]])
    ratios = {}
    for c, qr in zip(cmp["rows"], qe):
        v = next(r for r in vm if r["size"] == c["size"])
        if mode == "pingpong":
            fig = ("p50_ns", v["latency_ns"]["p50"], qr["latency_ns"]["p50"])
        else:
            for key in ("gbytes_per_s", "mmsgs_per_s"):
                expect(c["vsock_" + key] == v[key] and c["qp_echo_" + key] == qr[key],
                       "%d B: %r, rows give vsock %r and qp-echo %r"
                       % (c["size"], c, v[key], qr[key]))
            # The same ratio: from the larger figures, the less rounded.
            key = max(("gbytes_per_s", "mmsgs_per_s"), key=lambda k: v[k])
            fig = (key, v[key], qr[key])
        expect(c["vsock_" + fig[0]] == fig[1] and c["qp_echo_" + fig[0]] == fig[2],
               "%d B: %r, rows give vsock %r and qp-echo %r" % (c["size"], c, fig[1], fig[2]))
        # The rows' figures are rounded to 4 decimals, the ratio taken before.
        expect(math.isclose(c["vsock_over_qp_echo"], fig[1] / fig[2], rel_tol=1e-2,
                            abs_tol=1e-3), "%d B: vsock_over_qp_echo %r, expected %.4f from %s"
               % (c["size"], c["vsock_over_qp_echo"], fig[1] / fig[2], fig[0]))
        ratios[c["size"]] = c["vsock_over_qp_echo"]
        num = r" +[0-9.]+" * (2 if mode == "pingpong" else 4)
        t = re.search(r"^ *%d%s +([0-9.]+)x$" % (c["size"], num), out, re.M)
        expect(t is not None and math.isclose(float(t.group(1)), c["vsock_over_qp_echo"],
                                              abs_tol=0.006),
               "%d B: no summary line with the ratio %.2f" % (c["size"],
                                                            c["vsock_over_qp_echo"]))
    expect(re.search(r"^  ratio = vsock (p50 / qp-echo p50 round trip|/ qp-echo, of GB/s and of"
                     r" messages/s alike)", out, re.M), "no line saying what the ratio is of")
    target = qp_echo_target(app, mode)
    got = [t for t in doc["targets"] if "qp-echo" in t["target"]]
    expect(target is not None or not got, "a qp-echo target without its size: %s" % got)
    if target is not None:
        name, size, bound = target
        expect(len(got) == 1 and got[0]["target"] == name and got[0]["bound"] == bound and
               got[0]["verdict"] in ("met", "MISSED") and
               math.isclose(got[0]["measured"], ratios[size], abs_tol=1e-3),
               "targets %s, expected %r at %.4f against %s" % (got, name, ratios[size], bound))


def check_vsock_text(out, mode, queue_sizes, app):
    """What transport vsock says of its connection: the devices it named,
    the peer's thread placement, each connection's queues and that figures
    are a loop, the setup lines, and a verdict that covers every byte."""
    peer = opt_value(app, "--vsock-peer", "2:7")
    expect("adding -a vmci:vmci_emu0,cid=20, and the emulated host serving vSockets (echo on"
           " port 7) once the EAL knows the lcores" in out,
           "vmci-perf did not name the emulated guest itself")
    # The host's device comes up after the EAL, its thread on side 1's CPU.
    expect(re.search(r"^vmci-perf: adding the emulated host serving vSockets \(echo on port 7\),"
                     r" its thread on CPU (\d+) of side 1's lcore 1:"
                     r" vmci:vmci_host0,vsock=1,vsock_cpu=\1$", out, re.M),
           "vmci-perf did not add the emulated host with vsock_cpu= naming side 1's CPU")
    expect(re.search(HOST_THREAD_ON_SIDE1, out, re.M),
           "no line saying the emulated host's thread runs on side 1's CPU")
    got = [(int(a), int(b)) for a, b in
           re.findall(r"^vsock: connected to %s from 20:\d+ on vmci_emu0 in [0-9.]+ us: queues"
                      r" of (\d+) bytes \((\d+) proposed\)" % re.escape(peer), out, re.M)]
    want = [(emu_vsock_queue(q), q) for q in queue_sizes]
    expect(got == want, "connections with queues (chosen, proposed) %s, expected %s"
           % (got, want))
    expect(len(re.findall(r"^vsock: every figure is a loop through the peer \(guest -> peer ->"
                          r" guest\)", out, re.M)) == len(queue_sizes),
           "the output does not say, for each connection, that figures are a loop")
    setup = re.findall(r"^  %s, (\d+)-byte queues proposed: (\d+) connections in [0-9.]+ s,"
                       r" \d+ connections/s; setup \(connect to established\) min \d+ / p50"
                       r" \d+ / p90 \d+ / p99 \d+ / max \d+ ns$" % re.escape(peer), out, re.M)
    count = opt_value(app, "--connects", "100")
    # Once when measured, once in the summary.
    expect(setup == [(str(q), count) for q in queue_sizes] * 2,
           "connection setup lines %s, expected each queue size %s twice with %s connections"
           % (setup, queue_sizes, count))
    if qp_echo_target(app, mode) is None:
        expect("(none applies: the targets of a raw queue pair are not vsock's; vsock's are"
               " ratios to qp-echo" in out, "no word on why no target applies")
    expect("verification passed: every message had the expected length and sequence number,"
           " and every byte came back as sent" in out, "no verdict on every byte")


HGRM_ROW = re.compile(r"^\s*([0-9.]+)\s+([0-9.]+)\s+([0-9]+)(\s+([0-9.]+|inf))?\s*$")
FOOTER = [
    re.compile(r"^#\[Mean\s+=\s+[0-9.]+, StdDeviation\s+=\s+[0-9.]+\]$"),
    re.compile(r"^#\[Max\s+=\s+([0-9.]+), Total count\s+=\s+([0-9]+)\]$"),
    re.compile(r"^#\[Buckets\s+=\s+[0-9]+, SubBuckets\s+=\s+[0-9]+\]$"),
]


def check_hgrm(path):
    with open(path) as f:
        lines = [l.rstrip("\n") for l in f]
    expect(lines and lines[0].split() == ["Value", "Percentile", "TotalCount",
                                          "1/(1-Percentile)"], "hgrm header: %r" % lines[:1])
    expect(len(lines) > 1 and lines[1] == "", "hgrm: blank line after header")
    body = [l for l in lines[2:] if not l.startswith("#")]
    foot = [l for l in lines[2:] if l.startswith("#")]
    expect(len(body) >= 3, "hgrm: only %d rows" % len(body))
    expect(lines[-3:] == foot and len(foot) == 3, "hgrm: footer must be the last 3 lines")
    rows = []
    for l in body:
        m = HGRM_ROW.match(l)
        expect(m, "hgrm row: %r" % l)
        rows.append((float(m.group(1)), float(m.group(2)), int(m.group(3)), m.group(5)))
    for a, b in zip(rows, rows[1:]):
        expect(b[0] >= a[0], "hgrm values not monotonic: %s then %s" % (a, b))
        expect(b[1] >= a[1], "hgrm percentiles not monotonic: %s then %s" % (a, b))
        expect(b[2] >= a[2], "hgrm counts not monotonic: %s then %s" % (a, b))
    for v, p, c, inv in rows[:-1]:
        expect(0 <= p < 1 and inv is not None, "hgrm row percentile %s" % p)
        expect(math.isclose(float(inv), 1 / (1 - p), rel_tol=1e-2), "1/(1-p) of %s" % p)
    expect(rows[-1][1] == 1.0, "hgrm: last row must be percentile 1.0")
    for rx, l in zip(FOOTER, foot):
        expect(rx.match(l), "hgrm footer line %r" % l)
    m = FOOTER[1].match(foot[1])
    expect(int(m.group(2)) == rows[-1][2], "hgrm total count %s vs last row %d"
           % (m.group(2), rows[-1][2]))
    expect(math.isclose(float(m.group(1)), rows[-1][0], rel_tol=1e-6), "hgrm max vs last row")


def opt_value(args, name, default):
    return args[args.index(name) + 1] if name in args else default


def hugepages_free():
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("HugePages_Free:"):
                return int(line.split()[1])
    return 0


SKIP = 77


def requested_baselines(app):
    """The --baselines list as given (check_perf's runs always name it)."""
    bl = opt_value(app, "--baselines", "none")
    return [] if bl == "none" else list(BASELINE_NAMES) if bl == "all" else bl.split(",")


BASELINE_NAMES = ("qp-echo", "unix", "unix-busy", "pipe", "tcp", "ring", "bare-ring", "memcpy",
                  "cacheline")
COPY_ROUTINES = ("memcpy", "rte_memcpy", "movsb", "nt")


def record_size(api, size):
    """Bytes a message takes in a vmci ring: msg frames it (8-byte header,
    padded to 8), the byte-stream APIs do not."""
    return 8 + (size + 7) // 8 * 8 if api == "msg" else size


def check_bare_ring(doc, mode, api, sizes, requested):
    """The bare-ring limit: its rows count records of the vmci record size,
    name the copy routine that won and every candidate's trial, and every
    vmci row carries its ratio to the limit (null without the baseline)."""
    res = doc["results"]
    vm = [r for r in res if not r["baseline"]]
    if "bare-ring" not in requested:
        expect(all(r.get("of_bare_ring") is None for r in vm),
               "of_bare_ring set without the bare-ring baseline")
        return
    rows = {r["size"]: r for r in res if r["transport"] == "bare-ring"}
    expect(sorted(rows) == sorted(sizes), "bare-ring sizes %s, expected %s"
           % (sorted(rows), sizes))
    metric = "p50_ns" if mode == "pingpong" else "mmsgs_per_s"
    for size, r in rows.items():
        expect(r["record_size"] == record_size(api, size), "bare-ring %d B: record_size %r,"
               " expected %d" % (size, r["record_size"], record_size(api, size)))
        trials = r["copy_trials"]
        names = [t["copy"] for t in trials]
        expect(names[:2] == ["memcpy", "rte_memcpy"] and set(names) <= set(COPY_ROUTINES),
               "bare-ring %d B: copy trials %s" % (size, names))
        expect(all(t[metric] > 0 for t in trials), "bare-ring %d B: a trial failed: %s"
               % (size, trials))
        best = (min if mode == "pingpong" else max)(trials, key=lambda t: t[metric])
        expect(r["copy_routine"] == best["copy"] or
               math.isclose(best[metric], next(t[metric] for t in trials
                                                if t["copy"] == r["copy_routine"])),
               "bare-ring %d B: copy_routine %r is not the trials' best %r"
               % (size, r["copy_routine"], best["copy"]))
        # Both figures are printed to 4 decimals: allow that rounding.
        expect(math.isclose(r["ring_gbytes_per_s"], r["mmsgs_per_s"] * r["record_size"] / 1e3,
                            rel_tol=1e-2, abs_tol=1e-4 + 5e-5 * r["record_size"] / 1e3),
               "bare-ring %d B: ring_gbytes_per_s %r vs records" % (size, r["ring_gbytes_per_s"]))
    for r in vm:
        lim = rows[r["size"]]
        want = lim["latency_ns"]["p50"] / r["latency_ns"]["p50"] if mode == "pingpong" else \
            r["mmsgs_per_s"] / lim["mmsgs_per_s"]
        expect(r.get("of_bare_ring") is not None and
               math.isclose(r["of_bare_ring"], want, rel_tol=1e-2, abs_tol=1e-4),
               "%s %d B: of_bare_ring %r, expected %.4f" % (r["transport"], r["size"],
                                                           r.get("of_bare_ring"), want))


def check_text(out, mode, app, queue_sizes):
    """What the terminal shows: the header names every queue size of a
    sweep, every latency column has its unit, and no target line stands for
    a baseline that was not asked for."""
    m = re.search(r"^vmci-perf \S+: mode .*, queues? ([0-9, ]+) B", out, re.M)
    expect(m is not None, "no header line naming the queue size")
    shown = [int(x) for x in m.group(1).replace(",", " ").split()]
    expect(shown == queue_sizes, "header names queue sizes %s, the run sweeps %s"
           % (shown, queue_sizes))
    if mode == "pingpong":
        cols = next((l.split() for l in out.splitlines()
                     if l.startswith("transport") and "roundtrips" in l), None)
        expect(cols is not None, "no pingpong column header")
        times = cols[cols.index("size") + 1:cols.index("roundtrips")]
        expect(len(times) == 7 and all(c.endswith("_ns") for c in times),
               "latency columns without their unit: %s" % times)
    if "bare-ring" in requested_baselines(app):
        m = re.search(r"^vmci against the bare-ring limit .*?\n.*?\n(.*?)\n((?:\s+\d+ .*\n)+)",
                      out, re.M)
        expect(m is not None, "no table of vmci against the bare-ring limit")
        expect("of_limit" in m.group(1) and "copy" in m.group(1), "bare-ring table columns %r"
               % m.group(1))
        expect(all(re.search(r" [0-9.]+x  (%s) " % "|".join(COPY_ROUTINES), l)
                   for l in m.group(2).splitlines()),
               "bare-ring table rows without ratio and copy routine: %r" % m.group(2))
    if not requested_baselines(app):
        expect(not re.search(r"\): not measured$", out, re.M), "--baselines none, yet a"
               " target says \"not measured\"")
    lines = out.splitlines()
    for i, l in enumerate(lines):
        if l.endswith("): MISSED"):
            nxt = lines[i + 1] if i + 1 < len(lines) else ""
            expect(MACHINE_NOTE.match(nxt.strip()), "missed target %r without the machine's"
                   " load beside it (next line %r)" % (l.strip(), nxt))


MACHINE_NOTE = re.compile(r"^machine (busy|not busy): (other processes took [0-9.]+ CPU of the"
                          r" \d+ this run used|other processes' CPU time not measured)"
                          r"|^machine load not measured: ")


def check_machine_load(doc, requested):
    """How busy the machine was: other processes' CPU time on the workers'
    CPUs, the cache-line round trip when the cacheline baseline ran, a
    verdict, and the same note beside every missed target."""
    ml = doc.get("machine_load")
    expect(isinstance(ml, dict), "machine_load missing")
    cpus = list(dict.fromkeys([doc["machine"][s]["cpu"] for s in ("producer", "consumer")]))
    expect(ml.get("cpus") == cpus, "machine_load.cpus %r: expected the workers' CPUs %s"
           % (ml.get("cpus"), cpus))
    expect(ml.get("other_cpu") is None or 0 <= ml["other_cpu"] <= 2 + 1e-9,
           "machine_load.other_cpu %r" % ml.get("other_cpu"))
    if "cacheline" in requested:
        expect(ml.get("cacheline_p50_ns") == doc["limits"]["cacheline_rtt_ns"]["p50"],
               "machine_load.cacheline_p50_ns %r, limits p50 %r"
               % (ml.get("cacheline_p50_ns"), doc["limits"]["cacheline_rtt_ns"]["p50"]))
    else:
        expect(ml.get("cacheline_p50_ns") is None, "cacheline_p50_ns without the baseline")
    expect(ml.get("busy") in (True, False, None) and MACHINE_NOTE.match(ml.get("note", "")),
           "machine_load busy %r note %r" % (ml.get("busy"), ml.get("note")))
    expect(ml["note"].startswith("machine busy:") == (ml["busy"] is True),
           "machine_load: note %r against busy %r" % (ml["note"], ml["busy"]))
    for t in doc["targets"]:
        expect((t.get("machine") == ml["note"]) == (t["verdict"] == "MISSED"),
               "target %r (%s): machine note %r" % (t["target"], t["verdict"], t.get("machine")))


PLOT_LINE = re.compile(r"\$(\w+) using 1:2 with linespoints(?: dashtype \d)? title '([^']*)'")
LAT_CURVE_POINTS = 14


def check_plot(path, mode, transport, sizes, baselines, queue_sizes, app):
    """The --plot script draws every transport (each queue size of a vmci
    sweep apart) at every size, and the machine's limits asked for: pingpong
    a panel per size, the others a line per transport over all sizes."""
    with open(path) as f:
        text = f.read()
    blocks = {}
    for m in re.finditer(r"^\$(\w+) << EOD\n(.*?)^EOD$", text, re.M | re.S):
        rows = [[float(x) for x in l.split()] for l in m.group(2).splitlines() if l.strip()]
        expect(rows, "plot: data block $%s is empty" % m.group(1))
        blocks[m.group(1)] = rows
    expect(re.search(r"^set output '.*\.png'$", text, re.M), "plot: no PNG output named")
    vmci = [transport] if len(queue_sizes) == 1 else \
        ["%s, %d B queues" % (transport, q) for q in queue_sizes]
    ran = [b for b in baselines if not (mode == "bidir" and b in KERNEL_BASELINES)]
    requested = requested_baselines(app)
    plots = [PLOT_LINE.findall(l) for l in re.findall(r"^plot (.*)$", text, re.M)]
    for drawn in plots:
        for name, title in drawn:
            expect(name in blocks, "plot: line %r draws $%s, which has no data" % (title, name))
    if mode == "pingpong":
        titles = [int(t) for t in re.findall(r"^set title '(\d+) B messages", text, re.M)]
        expect(titles == sizes and len(plots) == len(sizes),
               "plot: panels for sizes %s (%d plots), expected one per size %s"
               % (titles, len(plots), sizes))
        limits = ["cache-line round trip (limit)"] if "cacheline" in requested else []
        for size, drawn in zip(sizes, plots):
            names = [t for _, t in drawn]
            expect(names[:len(vmci) + len(ran)] == vmci + ran and
                   all(l in names for l in limits),
                   "plot: the %d B panel draws %s, expected %s" % (size, names,
                                                                   vmci + ran + limits))
            for name, title in drawn[:len(vmci) + len(ran)]:
                expect(len(blocks[name]) == LAT_CURVE_POINTS,
                       "plot: %d B %s has %d points" % (size, title, len(blocks[name])))
        return
    bare = "bare-ring" in requested
    expect(len(plots) == 1 + bare, "plot: %d plot commands, expected %d" % (len(plots),
                                                                           1 + bare))
    if bare:
        ratio = [t for _, t in plots[1]]
        expect(ratio == ["%s / bare-ring" % v for v in vmci], "plot: ratio panel draws %s"
               % ratio)
        for name, title in plots[1]:
            expect([int(r[0]) for r in blocks[name]] == sizes and
                   all(r[1] > 0 for r in blocks[name]),
                   "plot: %s at sizes %s" % (title, blocks[name]))
    names = [t for _, t in plots[0]]
    expect(names == vmci + ran, "plot draws %s, expected %s" % (names, vmci + ran))
    for name, title in plots[0]:
        expect([int(r[0]) for r in blocks[name]] == sizes, "plot: %s at sizes %s, expected %s"
               % (title, [int(r[0]) for r in blocks[name]], sizes))
    if "memcpy" in requested:
        expect("title 'memcpy 1 MiB, one core (context)'" in text, "plot: no memcpy limit")


def split_run_args(rest, transport=None):
    """vmci-perf options, EAL options, and the sizes, baselines and queue sizes asked for."""
    sep = rest.index("--")
    app, eal = rest[:sep], rest[sep + 1:]
    sizes = [int(x) for x in opt_value(app, "--size", "64").split(",")]
    bl = opt_value(app, "--baselines", "none")
    baselines = [b for b in bl.split(",") if b not in ("none", "memcpy", "cacheline")]
    units = {"k": 1 << 10, "m": 1 << 20, "g": 1 << 30}
    queue_sizes = [int(q[:-1]) * units[q[-1]] if q[-1] in units else int(q)
                   for q in opt_value(app, "--queue-size", "256k" if transport == "vsock"
                                      else "4m").split(",")]
    return app, eal, sizes, baselines, queue_sizes


def cmd_run(argv):
    perf, name, mode, transport, api = argv[:5]
    if transport == "emu-mp" and hugepages_free() == 0:
        print("skipped: transport emu-mp needs free hugepages (HugePages_Free is 0): its"
              " secondary process maps the primary's hugepage files; reserve some, e.g."
              " echo 512 > /proc/sys/vm/nr_hugepages")
        return SKIP
    rest = argv[5:]
    app, eal, sizes, baselines, queue_sizes = split_run_args(rest, transport)
    rows_q = [emu_vsock_queue(q) for q in queue_sizes] if transport == "vsock" else queue_sizes
    tmp = tempfile.mkdtemp(prefix="vmci-perf-" + name + "-")
    jpath = os.path.join(tmp, "out.json")
    hpath = os.path.join(tmp, "out.hgrm")
    gpath = os.path.join(tmp, "out.gp")
    cmd = [perf] + eal + ["--", "--mode", mode, "--transport", transport, "--api", api,
                          "--json", jpath, "--plot", gpath] + app
    if mode == "pingpong":
        cmd += ["--hgrm", hpath]
    print("+ " + " ".join(cmd), flush=True)
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                       timeout=240)
    print(p.stdout)
    expect(p.returncode == 0, "vmci-perf exited %d" % p.returncode)
    expect("Summary:" in p.stdout, "no summary table")
    expect("verification passed" in p.stdout, "no verification verdict")
    if transport == "emu-mp":
        m = re.search(r"emu-mp: secondary process (\d+) \(primary (\d+)\)", p.stdout)
        expect(m is not None, "no line saying the secondary attached")
        expect(m.group(1) != m.group(2), "the secondary is the primary's own pid")
    check_text(p.stdout, mode, app, queue_sizes)
    if transport == "vsock":
        check_vsock_text(p.stdout, mode, queue_sizes, app)
    doc = check_json(jpath, mode, transport, api, sizes, baselines, queue_sizes, app, rows_q)
    if transport == "vsock" and "qp-echo" in baselines:
        check_qp_echo(p.stdout, doc, mode, api, sizes, queue_sizes, app)
    else:
        expect("vsock_vs_qp_echo" not in doc, "vsock_vs_qp_echo without the qp-echo baseline")
    check_plot(gpath, mode, transport, sizes, baselines, rows_q, app)
    if mode == "pingpong":
        check_hgrm(hpath)
    print("checked %s, %s%s" % (jpath, gpath, " and " + hpath if mode == "pingpong" else ""))
    return 0


BAD = [
    (["--mode", "sideways"], "sideways", "stream, bidir or pingpong"),
    (["--size", "0"], "\"0\"", "1 byte"),
    (["--size", "12q"], "12q", "size"),
    (["--size", "8m"], "8388608", "messages are 1.."),
    (["--queue-size", "100"], "100", "4096..1073741824"),
    (["--duration", "-1"], "-1", "more than 0"),
    (["--duration", "abc"], "abc", "seconds"),
    (["--burst", "0"], "\"0\"", "1..1024"),
    (["--api", "dma"], "dma", "copy, zc or msg"),
    (["--transport", "carrier-pigeon"], "carrier-pigeon", "local-qp, emu-mp, vmci or vsock"),
    (["--transport", "vmci", "--mode", "bidir"], "bidir", "expected --mode stream or pingpong"),
    (["--transport", "vmci", "--peer", "1"], "\"1\"", "context ID 2..4294967294"),
    (["--transport", "vmci", "--service", "4294967295"], "4294967295", "1..4294967294"),
    (["--transport", "vmci", "--attach-timeout", "0"], "\"0\"", "more than 0"),
    (["--transport", "vmci", "--vmci-dev", ""], "--vmci-dev", "bus device name"),
    (["--transport", "emu", "--peer", "2"], "--transport emu", "--transport vmci"),
    (["--transport", "vsock", "--peer", "2"], "--transport vsock", "--transport vmci"),
    (["--transport", "emu", "--vmci-dev", "vmci_emu0"], "--transport emu", "vmci or vsock"),
    (["--transport", "vsock", "--api", "msg"], "--api msg", "expected --api copy or zc"),
    (["--transport", "vsock", "--mode", "bidir"], "bidir", "expected --mode stream or pingpong"),
    (["--transport", "vsock", "--vsock-peer", "1:7"], "\"1:7\"", "CID 0 or 2..4294967294"),
    (["--transport", "vsock", "--vsock-peer", "2:4294967295"], "2:4294967295",
     "PORT 0..4294967294"),
    (["--transport", "vsock", "--vsock-peer", "2"], "\"2\"", "CID:PORT"),
    (["--transport", "vsock", "--vsock-peer", "2:7x"], "2:7x", "CID:PORT"),
    (["--transport", "vsock", "--connects", "0"], "\"0\"", "1..1000000 connections"),
    (["--transport", "vsock", "--queue-size", "128m"], "134217728", "4096..67108864"),
    (["--transport", "emu", "--vsock-peer", "2:7"], "--transport emu", "--transport vsock"),
    (["--connects", "10"], "--transport emu", "--transport vsock"),
    (["--baselines", "unix,smoke"], "smoke", "qp-echo, unix, unix-busy, pipe, tcp, ring"),
    (["--baselines", "ring,qp-echo"], "qp-echo", "baseline of --transport vsock"),
    (["--count", "0"], "\"0\"", "1..2^40"),
    (["--tx-lcore", "x"], "\"x\"", "lcore id"),
    (["--tx-lcore", "1", "--rx-lcore", "1"], "both 1", "two different lcores"),
    (["--plot", "out.jpg"], "out.jpg", ".png"),
    (["--hgrm", "x.hgrm"], "x.hgrm", "--mode pingpong"),
    (["--json"], "--json", "needs a value"),
    (["--pairs", "0"], "\"0\"", "pair count 1..1024"),
    (["--pairs", "2000"], "\"2000\"", "pair count 1..1024"),
    (["--pairs-busy", "some"], "some", "all or one"),
    (["--pairs-busy", "one"], "--pairs-busy one", "needs --pairs"),
    (["--pairs", "4", "--mode", "pingpong", "--api", "msg"], "--mode pingpong",
     "--transport emu --mode stream --api msg"),
    (["--frobnicate"], "--frobnicate", "unknown option"),
    (["stray"], "stray", "unexpected argument"),
]


# EAL arguments that cannot work, refused before the EAL starts.
BAD_EAL = [
    (["--no-huge"], ["--transport", "emu-mp"], "--no-huge", "hugepage files"),
    (["--in-memory"], ["--transport", "emu-mp"], "--in-memory", "hugepage files"),
    (["--proc-type=secondary"], ["--transport", "emu"], "transport emu", "emu-mp"),
]


def cmd_badcli(argv):
    perf = argv[0]
    for eal, args, value, allowed in [([], a, v, w) for a, v, w in BAD] + BAD_EAL:
        p = subprocess.run([perf] + eal + ["--"] + args, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True, timeout=30)
        err = p.stderr.strip().splitlines()
        last = err[-1] if err else ""
        expect(p.returncode == 2, "%s: exit %d, expected 2" % (args, p.returncode))
        expect(value in last and allowed in last,
               "%s: error line %r should name %r and %r" % (args, last, value, allowed))
        print("ok %-40s -> %s" % (" ".join(eal + args), last))
    p = subprocess.run([perf, "--", "--help"], stdout=subprocess.PIPE, text=True, timeout=30)
    expect(p.returncode == 0, "--help exit %d" % p.returncode)
    for word in ("--mode", "--transport", "--baselines", "--size", "--queue-size",
                 "--duration", "--count", "--burst", "--api", "--tx-lcore", "--rx-lcore",
                 "--no-verify", "--json", "--hgrm", "--plot", "pingpong", "bidir",
                 "vmci", "--vmci-dev", "--peer", "--service", "--attach-timeout",
                 "vsock", "--vsock-peer", "--connects", "socat VSOCK-LISTEN",
                 "--pairs", "--pairs-busy", "bare-ring", "qp-echo"):
        expect(word in p.stdout, "--help does not explain %s" % word)
    print("ok --help")


def remove_hugepage_files(eal):
    """After a killed secondary the EAL keeps the primary's hugepage files
    (the next primary with the same prefix would remove them): free them now
    so that the test leaves the machine's hugepages as it found them."""
    prefix = next((a.split("=", 1)[1] for a in eal if a.startswith("--file-prefix=")), None)
    if prefix is None:
        return
    hdir = next((a.split("=", 1)[1] for a in eal if a.startswith("--huge-dir=")),
                "/dev/hugepages")
    try:
        names = [n for n in os.listdir(hdir) if n.startswith(prefix + "map_")]
    except OSError:
        return
    for n in names:
        os.unlink(os.path.join(hdir, n))
    if names:
        print("removed %d hugepage files %s/%smap_* left by the killed run"
              % (len(names), hdir, prefix))


def cmd_mpkill(argv):
    perf, mode = argv[:2]
    eal = argv[argv.index("--") + 1:]
    if hugepages_free() == 0:
        print("skipped: transport emu-mp needs free hugepages (HugePages_Free is 0)")
        return SKIP
    cmd = [perf] + eal + ["--", "--mode", mode, "--transport", "emu-mp", "--size", "64",
                          "--duration", "60", "--baselines", "none"]
    print("+ " + " ".join(cmd), flush=True)
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    out = []
    killed = None
    try:
        for line in p.stdout:
            out.append(line)
            m = re.search(r"emu-mp: secondary process (\d+)", line)
            if m and killed is None:
                killed = int(m.group(1))
                time.sleep(1)  # let the measured loop start
                os.kill(killed, signal.SIGKILL)
        rc = p.wait(timeout=30)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
        raise CheckError("vmci-perf still running 30 s after its secondary was killed")
    text = "".join(out)
    print(text)
    remove_hugepage_files(eal)
    expect(killed is not None, "no line saying the secondary attached")
    expect(rc == 1, "vmci-perf exited %d after its secondary died, expected 1" % rc)
    expect("the secondary died during the run" in text, "the death was not reported")
    expect("FAILED" in text and "verification passed" not in text, "no failure verdict")
    print("ok: secondary %d killed, vmci-perf stopped with status 1" % killed)
    return 0


PROGRESS_RATE = {
    "messages": r"[0-9.]+ Mmsg/s, [0-9.]+ GB/s",
    "round trips": r"[0-9.]+ M round trips/s \(mean \d+ ns\)",
}
PROGRESS_WHAT = {"stream": "messages", "bidir": "messages (both directions)",
                 "pingpong": "round trips"}


def cmd_progress(argv):
    perf, mode, transport = argv[:3]
    eal = argv[argv.index("--") + 1:]
    if transport == "emu-mp" and hugepages_free() == 0:
        print("skipped: transport emu-mp needs free hugepages (HugePages_Free is 0)")
        return SKIP
    # vsock is a byte stream: no framed messages.
    api = "copy" if transport == "vsock" else "msg"
    cmd = [perf] + eal + ["--", "--mode", mode, "--transport", transport, "--api", api,
                          "--size", "64", "--duration", "2.5", "--baselines", "none"]
    print("+ " + " ".join(cmd), flush=True)
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                       timeout=120)
    print(p.stdout)
    expect(p.returncode == 0, "vmci-perf exited %d" % p.returncode)
    what = PROGRESS_WHAT[mode]
    rate = PROGRESS_RATE["round trips" if mode == "pingpong" else "messages"]
    line = re.compile(r"^  \.\.\. +([0-9.]+) s: (\d+) %s; last second: %s; since start: %s;"
                      r" verify errors 0$" % (re.escape(what), rate, rate))
    lines = [l for l in p.stdout.splitlines() if l.startswith("  ...")]
    expect(lines, "--duration 2.5 printed no progress line (--help promises one per second)")
    counts = []
    for l in lines:
        m = line.match(l)
        expect(m, "progress line %r: expected the count of %s, then \"last second: %s\""
               " and \"since start: %s\"" % (l, what, rate, rate))
        counts.append(int(m.group(2)))
    expect(counts == sorted(counts), "progress counts go backwards: %s" % counts)
    print("ok: %d progress lines, each with both rates" % len(lines))
    return 0


# kind: vsock peer, mode, count, what the output must say, how long it may take (s).
VSOCK_FAILS = {
    "no-listener": ("2:4444", "stream", "1000",
                    r"vmci-perf: transport vsock: connecting to 2:4444 on vmci_emu0 failed:"
                    r" refused: nobody listens on that port \(Connection reset by peer\)\."
                    r" It needs a peer that echoes every byte", 30),
    "no-echo": ("2:9", "stream", "1000000000",
                r"vmci-perf: vsock 2:9: the peer stopped echoing: nothing came back for 5 s"
                r" while \d+ bytes sent are still out, and the connection stands", 30),
    "peer-closes": ("2:19", "pingpong", "100000",
                    r"vmci-perf: vsock 2:19: (the peer closed or reset the connection during"
                    r" the run|the peer ended the stream during the run)", 30),
}


def cmd_vsockfail(argv):
    kind, perf = argv[:2]
    eal = argv[argv.index("--") + 1:]
    expect(kind in VSOCK_FAILS, "kind %r, expected one of %s" % (kind, list(VSOCK_FAILS)))
    peer, mode, count, said, limit = VSOCK_FAILS[kind]
    cmd = [perf] + eal + ["--", "--transport", "vsock", "--mode", mode, "--size", "64",
                          "--count", count, "--vsock-peer", peer, "--connects", "10",
                          "--baselines", "none"]
    print("+ " + " ".join(cmd), flush=True)
    start = time.monotonic()
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                       timeout=180)
    elapsed = time.monotonic() - start
    print(p.stdout)
    expect(p.returncode == 1, "vmci-perf exited %d, expected 1" % p.returncode)
    expect(re.search(said, p.stdout), "the output does not say %r" % said)
    expect("FAILED: the run stopped early" in p.stdout and
           "verification passed" not in p.stdout, "no failure verdict")
    expect(elapsed < limit, "took %.1f s, expected under %d s" % (elapsed, limit))
    print("ok: %s, vmci-perf exited 1 after %.1f s" % (kind, elapsed))
    return 0


# kind: vmci_host0's devargs, exit status, what the output must say.
VSOCK_CPU = {
    # Named: the thread runs there, and vmci-perf adds no device of its own.
    "given": ("vsock=1,vsock_cpu=1", 0, HOST_THREAD_ON_SIDE1),
    # Not named: where the EAL puts control threads, and the output says how to move it.
    "default": ("vsock=1", 0,
                r"^vsock: the emulated host's thread \(vmci-vsock-host, tid \d+\) runs on CPU"
                r" [0-9,]+, where the EAL puts control threads, not on CPU 1 of lcore 1, which"
                r" this transport leaves idle: the devarg vsock_cpu=1 of vmci_host0 puts it"
                r" there"),
    # Beyond the machine's CPUs: refused naming key and value; no host, no echo.
    "bad": ("vsock=1,vsock_cpu=9999", 1,
            r"invalid vsock_cpu=9999: expected an integer 0\.\.\d+(.|\n)*vmci_host0: invalid"
            r" devargs \"vsock=1,vsock_cpu=9999\": device not created"),
}


def cmd_vsockcpu(argv):
    kind, perf = argv[:2]
    eal = argv[argv.index("--") + 1:]
    expect(kind in VSOCK_CPU, "kind %r, expected one of %s" % (kind, list(VSOCK_CPU)))
    host, status, said = VSOCK_CPU[kind]
    cmd = [perf] + eal + ["-a", "vmci:vmci_emu0,cid=20", "-a", "vmci:vmci_host0," + host, "--",
                          "--transport", "vsock", "--mode", "pingpong", "--size", "64",
                          "--count", "200", "--connects", "2", "--baselines", "none"]
    print("+ " + " ".join(cmd), flush=True)
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                       timeout=120)
    print(p.stdout)
    expect(p.returncode == status, "vmci-perf exited %d, expected %d" % (p.returncode, status))
    expect(re.search(said, p.stdout, re.M), "the output does not say %r" % said)
    expect("vmci-perf: no vmci device given" not in p.stdout and
           "vmci-perf: adding the emulated host" not in p.stdout,
           "vmci-perf added devices of its own to those named")
    if status == 0:
        expect("verification passed" in p.stdout, "no verification verdict")
    print("ok: vmci_host0,%s: exit %d" % (host, p.returncode))
    return 0


def cmd_qpechomain(argv):
    """Side 1 on the main lcore (--tx-lcore 1 --rx-lcore 0): the host's
    thread goes to CPU 0's side, and qp-echo, whose echo needs a worker
    lcore, is skipped saying so, in the rows, the comparison and the JSON,
    its target not measured; vsock itself runs and checks every byte."""
    perf = argv[0]
    eal = argv[argv.index("--") + 1:]
    jpath = os.path.join(tempfile.mkdtemp(prefix="vmci-perf-qp-echo-main-"), "out.json")
    cmd = [perf] + eal + ["--", "--transport", "vsock", "--mode", "pingpong", "--size", "64",
                          "--count", "300", "--connects", "5", "--tx-lcore", "1",
                          "--rx-lcore", "0", "--baselines", "qp-echo", "--json", jpath]
    print("+ " + " ".join(cmd), flush=True)
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                       timeout=120)
    print(p.stdout)
    expect(p.returncode == 0, "vmci-perf exited %d" % p.returncode)
    expect(re.search(r"^vmci-perf: adding the emulated host serving vSockets \(echo on port 7\),"
                     r" its thread on CPU (\d+) of side 1's lcore 0:"
                     r" vmci:vmci_host0,vsock=1,vsock_cpu=\1$", p.stdout, re.M),
           "the emulated host was not added with vsock_cpu= naming lcore 0's CPU")
    expect(re.search(r"^vsock: the emulated host's thread \(vmci-vsock-host, tid \d+\) runs on CPU"
                     r" \d+, the CPU of lcore 0, which this transport leaves idle$", p.stdout,
                     re.M), "no line saying the host's thread runs on lcore 0's CPU")
    why = ("not available: side 1's lcore 0 is the main lcore, which runs the control path;"
           " the echo needs a worker lcore")
    expect(re.search(r"^qp-echo +64  skipped: %s" % re.escape(why), p.stdout, re.M) and
           "  qp-echo " + why in p.stdout, "qp-echo not skipped with the reason in the rows and"
           " the comparison")
    expect("verification passed" in p.stdout, "no verification verdict")
    with open(jpath) as f:
        doc = json.load(f)
    rows = [(r["transport"], r.get("skipped", "").startswith(why)) for r in doc["results"]]
    expect(rows == [("vsock", False), ("qp-echo", True)], "rows %s" % rows)
    cmp = doc["vsock_vs_qp_echo"]["rows"]
    expect(len(cmp) == 1 and cmp[0]["size"] == 64 and cmp[0]["skipped"].startswith(why),
           "vsock_vs_qp_echo rows %s" % cmp)
    expect([(t["target"], t["verdict"]) for t in doc["targets"]] ==
           [("64 B p50 RTT / qp-echo p50 RTT", "not measured")], "targets %s" % doc["targets"])
    print("ok: qp-echo skipped with side 1 on the main lcore, vsock verified")
    return 0


def peer_eal_args(eal, mode):
    """The secondary's EAL arguments: the primary's instance and memory. Its
    CPU: in pingpong vmci-perf's lcore 1 is idle; in stream both lcores spin
    and the producer's, which mostly finds the queue full, gives way best."""
    keep = ("--file-prefix", "--base-virtaddr", "--iova-mode", "--log-level", "--huge-dir")
    args = ["--proc-type=secondary", "-l", "1" if mode == "pingpong" else "0"]
    args += [a for a in eal if a.startswith(keep) or a in ("--no-pci", "--no-telemetry")]
    return args


def start_peer(peer, eal, mode, peer_args, log):
    cmd = [peer] + peer_eal_args(eal, mode) + ["--"] + peer_args
    print("+ " + " ".join(cmd), flush=True)
    return subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, text=True)


VMCI_KINDS = ("run", "timeout", "badoffer", "detach", "stall")


def cmd_vmci(argv):
    kind, perf, peer, name, mode, api = argv[:6]
    expect(kind in VMCI_KINDS, "kind %r, expected one of %s" % (kind, VMCI_KINDS))
    if hugepages_free() == 0:
        print("skipped: transport vmci against the reference peer needs free hugepages"
              " (HugePages_Free is 0): the peer is a secondary process that maps the"
              " primary's hugepage files; reserve some, e.g."
              " echo 512 > /proc/sys/vm/nr_hugepages")
        return SKIP
    rest = argv[6:]
    app, eal, sizes, baselines, queue_sizes = split_run_args(rest)
    attach_timeout = float(opt_value(app, "--attach-timeout", "10"))
    peer_args = {
        "run": ["--pairs", str(len(queue_sizes))],
        "timeout": None,
        "badoffer": ["--max-queue-size", "65536", "--pairs", "1"],
        "detach": ["--detach-after", str(4 << 20)],
        "stall": ["--stall-after", str(4 << 20)],
    }[kind]
    tmp = tempfile.mkdtemp(prefix="vmci-perf-" + name + "-")
    jpath = os.path.join(tmp, "out.json")
    hpath = os.path.join(tmp, "out.hgrm")
    cmd = [perf] + eal + ["--", "--mode", mode, "--transport", "vmci", "--api", api,
                          "--json", jpath] + app
    if mode == "pingpong":
        cmd += ["--hgrm", hpath]
    print("+ " + " ".join(cmd), flush=True)
    plog = open(os.path.join(tmp, "peer.log"), "w+")
    start = time.monotonic()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    pp = None
    out = []
    try:
        for line in p.stdout:
            out.append(line)
            if "vmci: offering queue pair" in line and pp is None and peer_args is not None:
                pp = start_peer(peer, eal, mode, peer_args, plog)
        rc = p.wait(timeout=180)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
        raise CheckError("vmci-perf still running after 180 s")
    finally:
        if pp is not None:
            try:
                prc = pp.wait(timeout=30)
            except subprocess.TimeoutExpired:
                pp.kill()
                pp.wait()
                raise CheckError("the echo peer did not exit 30 s after vmci-perf")
    elapsed = time.monotonic() - start
    text = "".join(out)
    print(text)
    plog.seek(0)
    ptext = plog.read()
    if pp is not None:
        print("echo peer (exit %d):\n%s" % (prc, ptext))
    if kind in ("timeout", "badoffer"):
        expect(rc == 1, "vmci-perf exited %d without a peer attaching, expected 1" % rc)
        expect(re.search(r"no answer from peer 2 on service 4243: \d+ offers", text),
               "no message naming the peer and service that did not answer")
        expect(elapsed < attach_timeout + 8, "took %.1f s with --attach-timeout %.1f"
               % (elapsed, attach_timeout))
        expect("verification passed" not in text, "a verdict without a run")
        if kind == "badoffer":
            expect(prc == 0, "echo peer exited %d" % prc)
            expect(re.search(r"offer from 20 refused: queues of %d and %d bytes, expected"
                             r" 4096\.\.65536" % (queue_sizes[0], queue_sizes[0]), ptext),
                   "the peer did not say why it refused the offer")
            expect("attached to queue pair" not in ptext, "the peer attached anyway")
        print("ok: %s, vmci-perf exited 1 after %.1f s" % (kind, elapsed))
        return 0
    if kind == "detach":
        expect(rc == 1, "vmci-perf exited %d after the peer detached, expected 1" % rc)
        expect(re.search(r"peer 2 detached from queue pair 20:\d+ during the run", text),
               "the detach was not reported")
        expect("FAILED" in text and "verification passed" not in text, "no failure verdict")
        expect("(--detach-after)" in ptext, "the peer did not detach by itself")
        expect(prc == 0, "echo peer exited %d" % prc)
        print("ok: the peer detached mid-run, vmci-perf stopped with status 1 after %.1f s"
              % elapsed)
        return 0
    if kind == "stall":
        expect(rc == 1, "vmci-perf exited %d after the peer stopped echoing, expected 1" % rc)
        expect(re.search(r"peer 2 stopped echoing: \d+ bytes sent into queue pair 20:\d+ have"
                         r" not come back for 5 s", text), "the stall was not reported")
        expect("FAILED" in text and "verification passed" not in text, "no failure verdict")
        expect(elapsed < 30, "took %.1f s to notice the stall" % elapsed)
        expect(prc == 0, "echo peer exited %d" % prc)
        print("ok: the peer stopped echoing, vmci-perf stopped with status 1 after %.1f s"
              % elapsed)
        return 0
    expect(rc == 0, "vmci-perf exited %d" % rc)
    expect(prc == 0, "echo peer exited %d" % prc)
    expect("Summary:" in text, "no summary table")
    expect("verification passed" in text, "no verification verdict")
    expect(len(re.findall(r"vmci: peer 2 attached to queue pair 20:\d+ after", text))
           == len(queue_sizes), "vmci-perf did not see the peer attach each pair")
    expect("loop through the peer" in text, "the output does not say it is a loop")
    attached = re.findall(r"echo-peer: attached to queue pair 20:\d+ of guest 20 \(mode %s,"
                          r" api \d, queues (\d+)/(\d+) bytes" % mode, ptext)
    expect([int(a) for a, _ in attached] == queue_sizes,
           "the peer attached to queues %s, expected %s" % (attached, queue_sizes))
    expect(len(re.findall(r"echo-peer: detached from queue pair 20:\d+ after echoing [1-9]\d*"
                          r" bytes \(the guest detached\)", ptext)) == len(queue_sizes),
           "the peer did not echo and then see the guest detach each pair")
    check_text(text, mode, app, queue_sizes)
    check_json(jpath, mode, "vmci", api, sizes, baselines, queue_sizes, app)
    if mode == "pingpong":
        check_hgrm(hpath)
    print("checked %s%s and the peer's log" % (jpath, " and " + hpath if mode == "pingpong"
                                               else ""))
    return 0


def check_pairs_json(path, counts, busy, count, size, queue_size):
    """Every pair count has its row: every message arrived with every byte
    right, and the scale figures (idle poll cost, setup and teardown time,
    memory and page list per pair) are there; a count the emulated
    hypervisor refuses is skipped naming its limits and the real device's."""
    with open(path) as f:
        doc = json.load(f)
    expect(doc.get("mode") == "pairs" and doc.get("busy") == busy, "mode %r busy %r"
           % (doc.get("mode"), doc.get("busy")))
    expect(doc.get("size") == size and doc.get("queue_size") == queue_size,
           "size %r queue_size %r" % (doc.get("size"), doc.get("queue_size")))
    expect(doc.get("verification") == "passed", "verification %r" % doc.get("verification"))
    check_machine(doc)
    lim = doc.get("limits", {})
    expect(lim.get("emulator_max_pairs") == 256 and lim.get("device_max_pairs") == 16384 and
           lim.get("device_queue_bytes_per_device") == 128 << 20, "limits %r" % lim)
    rows = doc.get("results")
    expect([r["pairs"] for r in rows] == counts, "pair counts %s, expected %s"
           % ([r["pairs"] for r in rows], counts))
    pages = 2 + 2 * ((queue_size + 4095) // 4096)
    for r in rows:
        name = "%d pairs" % r["pairs"]
        nbusy = 1 if busy == "one" else r["pairs"]
        expect(r["busy_pairs"] == nbusy, name + ": busy_pairs %r" % r["busy_pairs"])
        if "skipped" in r:
            expect(r["pairs"] > 256 and "emulated hypervisor refused pair 257" in r["skipped"]
                   and "16384" in r["skipped"], name + ": skipped %r" % r["skipped"])
            continue
        expect(r["messages"] == r["sent"] == count * nbusy, name + ": sent %d, received %d,"
               " expected %d" % (r["sent"], r["messages"], count * nbusy))
        expect(r["verify_errors"] == 0 and r["byte_errors"] == 0 and r["error"] is None,
               name + ": errors %r %r %r" % (r["verify_errors"], r["byte_errors"], r["error"]))
        expect(r["mmsgs_per_s"] > 0 and r["gbytes_per_s"] > 0 and r["seconds"] > 0,
               name + ": rates")
        expect(r["idle_poll_ns"] > 0 and r["setup_us_per_pair"] > 0 and
               r["teardown_us_per_pair"] > 0, name + ": idle poll, setup, teardown %r %r %r"
               % (r["idle_poll_ns"], r["setup_us_per_pair"], r["teardown_us_per_pair"]))
        expect(r["memory_bytes_per_pair"] >= pages * 4096, name + ": memory per pair %r,"
               " expected at least the %d pages of the queues" % (r["memory_bytes_per_pair"],
                                                                  pages))
        expect(r["page_list_entries_per_pair"] == pages and
               r["page_list_bytes_per_pair"] == 8 * pages, name + ": page list %r entries"
               % r["page_list_entries_per_pair"])
        expect((r["of_one_pair"] is not None) == (1 in counts), name + ": of_one_pair %r"
               % r["of_one_pair"])
    return rows


def check_pairs_plot(path, rows):
    """Throughput and idle poll cost against N, one panel each."""
    with open(path) as f:
        text = f.read()
    expect(re.search(r"^set output '.*\.png'$", text, re.M), "plot: no PNG output named")
    ran = [r["pairs"] for r in rows if "skipped" not in r]
    for block in ("tput", "poll"):
        m = re.search(r"^\$%s << EOD\n(.*?)^EOD$" % block, text, re.M | re.S)
        expect(m is not None, "plot: no $%s data" % block)
        xs = [int(l.split()[0]) for l in m.group(1).splitlines() if l.strip()]
        expect(xs == ran, "plot: $%s at %s pairs, expected %s" % (block, xs, ran))
        expect(re.search(r"^plot \$%s using 1:2 with linespoints" % block, text, re.M),
               "plot: $%s not drawn" % block)


def cmd_pairs(argv):
    perf, name = argv[:2]
    rest = argv[2:]
    sep = rest.index("--")
    app, eal = rest[:sep], rest[sep + 1:]
    counts = [int(x) for x in opt_value(app, "--pairs", "1").split(",")]
    busy = opt_value(app, "--pairs-busy", "all")
    count = int(opt_value(app, "--count", "0"))
    expect(count > 0, "the test gives --count")
    tmp = tempfile.mkdtemp(prefix="vmci-perf-" + name + "-")
    jpath = os.path.join(tmp, "out.json")
    gpath = os.path.join(tmp, "out.gp")
    cmd = [perf] + eal + ["--", "--mode", "stream", "--transport", "emu", "--api", "msg",
                          "--json", jpath, "--plot", gpath] + app
    print("+ " + " ".join(cmd), flush=True)
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                       timeout=240)
    print(p.stdout)
    expect(p.returncode == 0, "vmci-perf exited %d" % p.returncode)
    expect("verification passed: every byte of every message was as sent" in p.stdout,
           "no verification verdict")
    expect(re.search(r"^ +pairs +busy +Mmsg/s .*idle_poll_ns .*mem_B/pair +pagelist_B", p.stdout,
                     re.M), "no table header")
    expect("a real VMCI device: 128 MiB per guest device, at most 16384 pairs" in p.stdout,
           "the output does not give the real device's limits")
    rows = check_pairs_json(jpath, counts, busy, count, int(opt_value(app, "--size", "64")),
                            65536)
    check_pairs_plot(gpath, rows)
    print("checked %s and %s" % (jpath, gpath))
    return 0


COMMANDS = {"run": cmd_run, "badcli": cmd_badcli, "mpkill": cmd_mpkill, "vmci": cmd_vmci,
            "progress": cmd_progress, "pairs": cmd_pairs, "vsockfail": cmd_vsockfail,
            "vsockcpu": cmd_vsockcpu, "qpechomain": cmd_qpechomain}


def main():
    if len(sys.argv) < 3 or sys.argv[1] not in COMMANDS:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        return COMMANDS[sys.argv[1]](sys.argv[2:]) or 0
    except CheckError as e:
        print("FAIL: %s" % e, file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
