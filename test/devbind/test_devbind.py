#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The vmci-dpdk authors
"""vmci-devbind and the dpdk-devbind.py patch against a fake VMware VM.

    test_devbind.py --tool <usertools/vmci-devbind> --patch <doc/...patch>

Inside a private mount namespace (unshare -m) tmpfs is mounted over
/sys/bus/pci and /sys/module and filled as on a VMware VM: the VMCI function
0000:00:07.7 (15ad:0740, class 0x088000) with its driver link, the drivers
vfio-pci, uio_pci_generic and vmw_vmci with their bind/unbind/new_id files,
drivers_probe, and the modules as loaded. A fake lspci on PATH prints the
function as `lspci -Dvmmnnk` does on such a VM, with the driver its sysfs
link names. Every command runs under strace, and the test compares the
exact writes to /sys with those the kernel needs for each step:
--status, -b vfio-pci, -b uio_pci_generic, giving the function back to
vmw_vmci, -u and --force.

Each case runs three tools: Debian's dpdk-devbind.py as installed (which
must fail: it does not know VMCI, so the fixture shows the bug),
vmci-devbind, and dpdk-devbind.py with doc/dpdk-devbind-vmci.patch
applied to a copy (both must do the right writes).

Exit status 0: passed, 1: failed, 77: skipped (with the reason printed).
"""

import argparse
import codecs
import os
import re
import shutil
import subprocess
import sys
import tempfile

SKIP = 77
BDF = "0000:00:07.7"
PCI = "/sys/bus/pci"
DEV = PCI + "/devices/" + BDF
DRIVERS = ["vfio-pci", "uio_pci_generic", "vmw_vmci"]
MODULES = ["vfio_pci", "vfio", "uio_pci_generic", "uio", "vmw_vmci"]
SYSTEM_DEVBIND = "/usr/bin/dpdk-devbind.py"

# What lspci -Dvmmnnk prints for the function on a VMware VM; Driver and
# Module come from the fake sysfs (lspci -k reads the driver link).
FAKE_LSPCI = r'''#!/usr/bin/env python3
import os, sys
dev = "%(dev)s"
drv = os.readlink(dev + "/driver").rsplit("/", 1)[1] if os.path.islink(dev + "/driver") else None
numeric = "-Dvmmnnk" in sys.argv
def field(name, text, num):
    print("%%s:\t%%s" %% (name, "%%s [%%s]" %% (text, num) if numeric else text))
args = sys.argv[1:]
if len(args) == 2 and args[0].endswith("s") and args[1] not in ("%(bdf)s", "%(bdf)s"[5:]):
    sys.exit(0)  # lspci -vmmks <other slot>: no such function
print("Slot:\t%(bdf)s")
field("Class", "System peripheral", "0880")
field("Vendor", "VMware", "15ad")
field("Device", "Virtual Machine Communication Interface", "0740")
field("SVendor", "VMware", "15ad")
field("SDevice", "Virtual Machine Communication Interface", "0740")
print("Rev:\t10")
if drv:
    print("Driver:\t" + drv)
print("Module:\tvmw_vmci")
print("")
'''

WRITE_RE = re.compile(r'^\d+\s+write\(\d+<(/sys/[^>]*)>, "((?:[^"\\]|\\.)*)"(\.\.\.)?, \d+\)')


class Failure(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Failure(what)


def write_file(path, text):
    with open(path, "w") as f:
        f.write(text)


def build_sysfs():
    """The fake tree, on tmpfs over the real folders (this namespace only)."""
    for where in (PCI, "/sys/module"):
        subprocess.run(["mount", "-t", "tmpfs", "-o", "mode=0755", "vmci-test", where],
                       check=True)
    os.makedirs(DEV)
    for name, value in (("vendor", "0x15ad"), ("device", "0x0740"),
                        ("subsystem_vendor", "0x15ad"), ("subsystem_device", "0x0740"),
                        ("class", "0x088000"), ("revision", "0x10"),
                        ("numa_node", "-1"), ("driver_override", "(null)")):
        write_file(os.path.join(DEV, name), value + "\n")
    for drv in DRIVERS:
        os.makedirs(os.path.join(PCI, "drivers", drv))
        for name in ("bind", "unbind", "new_id", "remove_id"):
            write_file(os.path.join(PCI, "drivers", drv, name), "")
    for name in ("drivers_probe", "drivers_autoprobe", "rescan"):
        write_file(os.path.join(PCI, name), "")
    for mod in MODULES:
        os.makedirs(os.path.join("/sys/module", mod))


def set_driver(drv):
    """The kernel's state before a command: which driver has the function."""
    link = DEV + "/driver"
    if os.path.islink(link):
        os.unlink(link)
    if drv is not None:
        os.symlink("../../drivers/" + drv, link)
    write_file(DEV + "/driver_override", "(null)\n")


def unescape(text):
    return codecs.decode(text.encode("ascii"), "unicode_escape")


def run(tool, args, bindir, workdir):
    """Run one tool under strace: (exit status, output, [(path, data)])."""
    log = os.path.join(workdir, "strace.log")
    cmd = ["strace", "-f", "-qq", "-e", "trace=write", "-e", "signal=none", "-y",
           "-s", "256", "-o", log, tool] + args
    env = dict(os.environ, PATH=bindir + ":" + os.environ.get("PATH", "/usr/bin:/bin"))
    print("$ " + " ".join([tool] + args))
    p = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)
    writes = []
    with open(log) as f:
        for line in f:
            m = WRITE_RE.match(line)
            if m:
                writes.append((m.group(1), unescape(m.group(2))))
    out = p.stdout + p.stderr
    print(out.rstrip())
    for w in writes:
        print("  write %s %r" % w)
    return p.returncode, out, writes


def bind_writes(old, new):
    """What dpdk-devbind.py writes to move the function from old to new."""
    w = [(PCI + "/drivers/%s/unbind" % old, BDF)] if old else []
    if new in ("vfio-pci", "uio_pci_generic"):
        w.append((DEV + "/driver_override", new))
    w.append((PCI + "/drivers/%s/bind" % new, BDF))
    # Cleared after the bind so that the function can move on later.
    w.append((DEV + "/driver_override", "\0"))
    return w


# name, driver before, arguments, expected sysfs writes, text in the output
CASES = [
    ("status, kernel driver", "vmw_vmci", ["--status"], [],
     "%s 'Virtual Machine Communication Interface 0740' drv=vmw_vmci" % BDF),
    ("bind vfio-pci", "vmw_vmci", ["-b", "vfio-pci", BDF],
     bind_writes("vmw_vmci", "vfio-pci"), None),
    ("bind uio_pci_generic", "vmw_vmci", ["-b", "uio_pci_generic", BDF],
     bind_writes("vmw_vmci", "uio_pci_generic"), None),
    ("status, DPDK driver", "vfio-pci", ["--status"], [],
     "devices using DPDK-compatible driver"),
    ("give back to vmw_vmci", "vfio-pci", ["-b", "vmw_vmci", BDF],
     bind_writes("vfio-pci", "vmw_vmci"), None),
    ("unbind", "vfio-pci", ["-u", BDF],
     [(PCI + "/drivers/vfio-pci/unbind", BDF)], None),
    ("force, short address", "uio_pci_generic", ["--force", "-b", "vfio-pci", "00:07.7"],
     bind_writes("uio_pci_generic", "vfio-pci"), None),
]


def expect_works(tool, case, bindir, workdir):
    name, before, args, want_writes, want_text = case
    set_driver(before)
    status, out, writes = run(tool, args, bindir, workdir)
    check(status == 0, "%s: exit status %d" % (name, status))
    check(writes == want_writes, "%s: sysfs writes %r, expected %r" %
          (name, writes, want_writes))
    if want_text:
        check(want_text in out, "%s: output lacks %r" % (name, want_text))
    if args[0] == "--status":
        check(BDF in out, "%s: --status does not list %s" % (name, BDF))


def expect_unpatched_fails(case, bindir, workdir):
    """Debian's script as installed: the fixture must show the bug."""
    name, before, args, _, _ = case
    set_driver(before)
    status, out, writes = run(SYSTEM_DEVBIND, args, bindir, workdir)
    check(writes == [], "%s: unpatched dpdk-devbind.py wrote %r" % (name, writes))
    if args[0] == "--status":
        check(BDF not in out, "%s: unpatched dpdk-devbind.py lists %s: the fixture "
              "no longer shows the bug" % (name, BDF))
    else:
        check(status != 0 and "Unknown device" in out,
              "%s: unpatched dpdk-devbind.py did not fail with 'Unknown device'" % name)


def patched_copy(patch, workdir):
    tree = os.path.join(workdir, "dpdk")
    os.makedirs(os.path.join(tree, "usertools"))
    script = os.path.join(tree, "usertools", "dpdk-devbind.py")
    shutil.copy2(SYSTEM_DEVBIND, script)
    subprocess.run(["patch", "-p1", "--quiet", "-d", tree, "-i", os.path.abspath(patch)],
                   check=True)
    return script


def in_namespace(opts):
    workdir = tempfile.mkdtemp(prefix="vmci-devbind-")
    try:
        bindir = os.path.join(workdir, "bin")
        os.makedirs(bindir)
        write_file(os.path.join(bindir, "lspci"), FAKE_LSPCI % {"dev": DEV, "bdf": BDF})
        os.chmod(os.path.join(bindir, "lspci"), 0o755)
        build_sysfs()
        patched = patched_copy(opts.patch, workdir)
        for case in CASES:
            print("== " + case[0])
            expect_unpatched_fails(case, bindir, workdir)
            expect_works(os.path.abspath(opts.tool), case, bindir, workdir)
            expect_works(patched, case, bindir, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def skip_reason():
    if os.geteuid() != 0:
        return "needs root (mounts a fake /sys/bus/pci in a private mount namespace)"
    for prog in ("unshare", "strace", "patch"):
        if shutil.which(prog) is None:
            return "%s not installed" % prog
    if not os.path.exists(SYSTEM_DEVBIND):
        return "%s not installed (Debian package dpdk)" % SYSTEM_DEVBIND
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tool", required=True)
    ap.add_argument("--patch", required=True)
    ap.add_argument("--in-namespace", action="store_true")
    opts = ap.parse_args()
    if not opts.in_namespace:
        reason = skip_reason()
        if reason:
            print("SKIP: " + reason)
            return SKIP
        cmd = ["unshare", "-m", "--propagation", "private", sys.executable,
               os.path.abspath(__file__), "--tool", opts.tool, "--patch", opts.patch,
               "--in-namespace"]
        return subprocess.run(cmd).returncode
    try:
        in_namespace(opts)
    except Failure as e:
        print("FAIL: %s" % e)
        return 1
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
