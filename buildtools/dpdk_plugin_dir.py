#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The vmci-dpdk authors
"""Print the folder EAL loads driver plugins from, and its path relative
to a library folder (for the links that let applications link the drivers).

    dpdk_plugin_dir.py --eal <librte_eal.so> --from <libdir> [--plugin-dir DIR]

EAL carries the folder it was built with as the string
"DPDK_PLUGIN_PATH=<dir>" (the same string dpdk-pmdinfo.py --search-plugins
reads); libdpdk.pc does not name it. --plugin-dir skips the lookup.
"""

import argparse
import os
import sys

MARKER = b"DPDK_PLUGIN_PATH="


def plugin_dir_of(eal_path):
    with open(eal_path, "rb") as f:
        data = f.read()
    start = data.find(MARKER)
    if start < 0:
        sys.exit("%s: no %s string: pass -Ddpdk_plugin_dir=DIR" %
                 (eal_path, MARKER.decode()))
    start += len(MARKER)
    end = data.find(b"\0", start)
    path = data[start:end].decode("ascii", "strict").strip()
    if not os.path.isabs(path):
        sys.exit("%s: plugin path %r is not absolute: pass -Ddpdk_plugin_dir=DIR"
                 % (eal_path, path))
    return path


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--eal", required=True)
    ap.add_argument("--from", dest="from_dir", required=True)
    ap.add_argument("--plugin-dir", default="")
    opts = ap.parse_args()
    plugin_dir = opts.plugin_dir or plugin_dir_of(opts.eal)
    print(plugin_dir)
    print(os.path.relpath(plugin_dir, opts.from_dir))


if __name__ == "__main__":
    main()
