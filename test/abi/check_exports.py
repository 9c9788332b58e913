#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The vmci-dpdk authors
"""Export control of one shared library against its version map.

    check_exports.py --lib <library.so> --map <version.map>
                     [--forbid REGEX]...

Lists what the library exports (nm -D --defined-only) and fails on:
  - an exported symbol the map does not list, or one exported under
    another version node than the map gives it;
  - a symbol the map lists that the library does not export (a stale map);
  - with --forbid: any symbol of the library (dynamic or static table,
    defined or undefined) whose name matches, and any DT_NEEDED library
    whose name matches: the production bus uses this to prove that it holds
    and needs nothing of the emulator.
Exit status 0: passed, 1: failed.
"""

import argparse
import re
import subprocess
import sys

def run(cmd):
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def parse_map(path):
    """{symbol: node} of every global in the map."""
    text = re.sub(r"#[^\n]*", "", open(path).read())
    syms = {}
    for node, body in re.findall(r"(\w+)\s*\{(.*?)\}[^;]*;", text, re.S):
        scope = None
        for item in body.split(";"):
            item = item.strip()
            m = re.match(r"(global|local)\s*:\s*(.*)", item, re.S)
            if m:
                scope, item = m.group(1), m.group(2).strip()
            if item and scope == "global":
                syms[item] = node
    return syms


def exported(lib):
    """{symbol: version node} of the library's defined dynamic symbols."""
    out = {}
    for line in run(["nm", "-D", "--defined-only", "--with-symbol-versions", lib]).splitlines():
        parts = line.split()
        if len(parts) < 3 or parts[1] == "A":
            continue  # version node names
        name, _, ver = parts[2].partition("@")
        out[name] = ver.lstrip("@") or None
    return out


def forbidden(lib, pattern):
    rx = re.compile(pattern)
    bad = []
    for args in (["nm", "-D"], ["nm"]):
        try:
            listing = run(args + [lib])
        except subprocess.CalledProcessError:
            continue  # stripped: no static table
        for line in listing.splitlines():
            name = line.split()[-1] if line.split() else ""
            if rx.search(name):
                bad.append("symbol %s" % line.strip())
    for line in run(["readelf", "-d", lib]).splitlines():
        m = re.search(r"\(NEEDED\).*\[(.*)\]", line)
        if m and rx.search(m.group(1)):
            bad.append("needs %s" % m.group(1))
    return sorted(set(bad))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lib", required=True)
    ap.add_argument("--map", required=True)
    ap.add_argument("--forbid", action="append", default=[])
    opts = ap.parse_args()

    want = parse_map(opts.map)
    have = exported(opts.lib)
    errors = []
    print("%s exports %d symbols:" % (opts.lib, len(have)))
    for name in sorted(have):
        print("  %s@%s" % (name, have[name]))
        if name not in want:
            errors.append("%s is exported but not in %s" % (name, opts.map))
        elif have[name] != want[name]:
            errors.append("%s is exported as %s, the map says %s" % (name, have[name], want[name]))
    for name in sorted(set(want) - set(have)):
        errors.append("%s is in %s but not exported" % (name, opts.map))
    for pattern in opts.forbid:
        errors += ["forbidden (%s): %s" % (pattern, b) for b in forbidden(opts.lib, pattern)]
    for e in errors:
        print("FAIL: " + e)
    if errors:
        return 1
    print("passed: %d symbols, all in the map" % len(have))
    return 0


if __name__ == "__main__":
    sys.exit(main())
