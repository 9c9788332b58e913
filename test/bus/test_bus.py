#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The vmci-dpdk authors
"""The vmci bus as an application sees it, through vmci_testapp.

    test_bus.py --app <vmci_testapp> --case <name> [--telemetry <script>]
                [--plugin <librte_bus_vmci.so> --emu-plugin <librte_vmci_emu.so>]

Each case runs the application with its own --file-prefix and checks its
output: devices found from devargs or from a fake sysfs PCI tree
(SYSFS_PCI_DEVICES), the errors for bad devargs and unusable functions,
telemetry through DPDK's dpdk-telemetry.py, and a clean rte_eal_cleanup()
(under the sanitizer build LeakSanitizer turns a leak into a failed exit).
Exit status 0: passed, 1: failed, 77: skipped (with the reason printed).
"""

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

VMCI_BDF = "0000:00:07.7"
CAPS_PORT = 0x1c      # DATAGRAM | NOTIFICATIONS | PPN64
CAPS_DMA = 0x3c       # ... | DMA_DATAGRAM
SKIP = 77

EAL_EMU = ["--no-huge", "-m", "256", "--no-pci", "--iova-mode=va", "-l", "0",
           "--no-telemetry"]
# PCI scan needs the PCI bus: no --no-pci, but no telemetry either.
EAL_PCI = ["--no-huge", "-m", "256", "--iova-mode=va", "-l", "0", "--no-telemetry"]


class Failure(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Failure(what)


class Run:
    """Result of one vmci_testapp run."""

    def __init__(self, proc_out, proc_err, status):
        self.out = proc_out
        self.err = proc_err
        self.status = status
        self.devices = [json.loads(line.split(" ", 1)[1])
                        for line in proc_out.splitlines()
                        if line.startswith("vmci_dev {")]

    def show(self):
        print("--- exit status %d\n--- stdout\n%s--- stderr\n%s" %
              (self.status, self.out, self.err))


def run_app(opts, prefix, eal, app_args=(), env=None):
    cmd = [opts.app] + list(eal) + ["--file-prefix=bus_" + prefix]
    if app_args:
        cmd += ["--"] + list(app_args)
    print("$ " + " ".join(cmd))
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=60,
                       env=env)
    r = Run(p.stdout, p.stderr, p.returncode)
    r.show()
    return r


def expect_clean_exit(r, ndev):
    check(r.status == 0, "exit status %d, expected 0" % r.status)
    check("vmci_dev_count=%d" % ndev in r.out,
          "expected vmci_dev_count=%d" % ndev)
    check("vmci_testapp: cleanup=0" in r.out, "rte_eal_cleanup() did not return 0")
    check("ERROR: LeakSanitizer" not in r.err, "leak reported")


# Emulated devices named by devargs.

def case_emu_devargs(opts):
    r = run_app(opts, "emu_devargs", EAL_EMU +
                ["-a", "vmci:vmci_emu0,cid=20", "-a", "vmci:vmci_emu1,cid=0x15,mode=dma"])
    expect_clean_exit(r, 2)
    d0, d1 = r.devices
    check(d0["name"] == "vmci_emu0" and d0["backend"] == "emu", "device 0: %s" % d0)
    check(d0["context_id"] == 20 and d0["caps"] == CAPS_PORT, "device 0: %s" % d0)
    check(d1["context_id"] == 21 and d1["caps"] == CAPS_DMA, "device 1: %s" % d1)


def case_emu_vdev(opts):
    """
    --vdev names emulated devices exactly as -a vmci: does (EAL hands a
    name without a bus prefix to the bus that claims it): same devices,
    same devargs checks, and the vmci bus gets an allowlist, so a VMCI
    function not named with -a is left alone. Numbers with a leading 0
    are decimal.
    """
    r = run_app(opts, "emu_vdev", EAL_EMU +
                ["--vdev", "vmci_emu0,cid=020", "--vdev", "vmci_emu1,cid=0x15,mode=dma"])
    expect_clean_exit(r, 2)
    d0, d1 = r.devices
    check(d0["name"] == "vmci_emu0" and d0["context_id"] == 20 and d0["caps"] == CAPS_PORT,
          "device 0: %s" % d0)
    check(d1["name"] == "vmci_emu1" and d1["context_id"] == 21 and d1["caps"] == CAPS_DMA,
          "device 1: %s" % d1)
    r = run_app(opts, "emu_vdev_bad", EAL_EMU + ["--vdev", "vmci_emu0,cid=20,cid=21"])
    expect_clean_exit(r, 0)
    check("key cid given 2 times" in r.err, "no error for the repeated key")
    with tempfile.TemporaryDirectory() as root:
        r = run_app(opts, "emu_vdev_pci", EAL_PCI + ["--vdev", "vmci_emu0,cid=40"],
                    env=pci_env(root, "vmw_vmci"))
    expect_clean_exit(r, 1)
    check(r.devices[0]["context_id"] == 40, "emulated device: %s" % r.devices[0])
    check("VMCI function bound" not in r.err, "function outside the allowlist looked at")


def case_emu_blocked(opts):
    r = run_app(opts, "emu_blocked", EAL_EMU +
                ["-b", "vmci:vmci_emu0", "-b", "vmci:vmci_emu1"])
    expect_clean_exit(r, 0)


def case_emu_caps(opts):
    # A device that does not offer NOTIFICATIONS still comes up without it.
    r = run_app(opts, "emu_caps", EAL_EMU + ["-a", "vmci:vmci_emu0,cid=30,caps=0x14"])
    expect_clean_exit(r, 1)
    d = r.devices[0]
    check(d["caps_offered"] == 0x14 and d["caps"] == 0x14, "caps: %s" % d)


BAD_DEVARGS = [
    # (devargs, words the error output must contain), each caught by the
    # parser at scan.
    ("vmci_emu0,cid=abc", ["cid=abc", "integer"]),
    ("vmci_emu0,cid=-5", ["cid=-5"]),
    ("vmci_emu0,cid=0x100000000", ["cid=0x100000000"]),
    # Every number whole: no sign, blank, empty value, bare 0x or trailing junk.
    ("vmci_emu0,cid=+20", ["cid=+20", "integer"]),
    ("vmci_emu0,cid= 20", ["cid= 20", "integer"]),
    ("vmci_emu0,cid=", ["cid=", "integer"]),
    ("vmci_emu0,cid=0x", ["cid=0x", "integer"]),
    ("vmci_emu0,cid=20x", ["cid=20x", "integer"]),
    ("vmci_emu0,cid=4294967296", ["cid=4294967296", "integer 0..4294967295"]),
    ("vmci_emu0,socket=-0", ["socket=-0", "integer"]),
    ("vmci_emu0,caps=0x40", ["caps=0x40", "integer 0..63"]),
    # A repeated key is an error, whichever value comes last.
    ("vmci_emu0,cid=20,cid=21", ["key cid given 2 times", "at most once"]),
    ("vmci_emu0,cid=20,cid=20", ["key cid given 2 times"]),
    ("vmci_emu0,mode=dma,hv=a,mode=port", ["key mode given 2 times"]),
    ("vmci_emu0,cid=1", ["cid=1", "guest context ID 16.."]),
    ("vmci_emu0,mode=fast", ["mode=fast", "port or dma"]),
    ("vmci_emu0,hv=" + "x" * 40, ["hv=", "characters"]),
    ("vmci_emu0,socket=4096", ["socket=4096"]),
    ("vmci_emu0,colour=blue", ["keys are cid, mode, hv, caps, socket"]),
    ("vmci_emu0,caps=0x18", ["caps=0x18", "includes DATAGRAM"]),
    # The host device: hv, socket and vsock (0 or 1), each once.
    ("vmci_host0,vsock=2", ["vsock=2", "integer 0..1"]),
    ("vmci_host0,vsock=yes", ["vsock=yes", "integer 0..1"]),
    ("vmci_host0,vsock=1,vsock=1", ["key vsock given 2 times"]),
    ("vmci_host0,cid=30", ["hv=, socket=, vsock=, vsock_connect=, vsock_sleep= and vsock_cpu= only"]),
    # vsock_connect=CID:PORT: a guest CID, a port, and the endpoint it needs.
    ("vmci_host0,vsock=1,vsock_connect=20", ["vsock_connect=20", "<guest CID>:<port>"]),
    ("vmci_host0,vsock=1,vsock_connect=5:80", ["vsock_connect=5", "guest context ID 16.."]),
    ("vmci_host0,vsock=1,vsock_connect=20:x", ["vsock_connect=x", "integer"]),
    ("vmci_host0,vsock=1,vsock_connect=20:0xffffffff",
     ["vsock_connect=20:0xffffffff", "wildcard"]),
    ("vmci_host0,vsock_connect=20:5000", ["vsock_connect= needs vsock=1"]),
    # vsock_sleep=0|1, with the endpoint whose services sleep.
    ("vmci_host0,vsock=1,vsock_sleep=2", ["vsock_sleep=2", "integer 0..1"]),
    ("vmci_host0,vsock_sleep=1", ["vsock_sleep=1 needs vsock=1"]),
    # vsock_cpu=N: a CPU of this machine (at most CPU_SETSIZE), for the thread of vsock=1.
    ("vmci_host0,vsock=1,vsock_cpu=x", ["vsock_cpu=x", "integer 0.."]),
    ("vmci_host0,vsock=1,vsock_cpu=-1", ["vsock_cpu=-1", "integer 0.."]),
    ("vmci_host0,vsock=1,vsock_cpu=1024", ["vsock_cpu=1024", "integer 0.."]),
    ("vmci_host0,vsock=1,vsock_cpu=", ["vsock_cpu=", "integer 0.."]),
    ("vmci_host0,vsock=1,vsock_cpu=0,vsock_cpu=0", ["key vsock_cpu given 2 times"]),
    ("vmci_host0,vsock_cpu=0", ["vsock_cpu= needs vsock=1"]),
]


def case_bad_devargs(opts):
    """
    Each bad value: an error line naming it, the device is not created, the
    application still runs and cleans up. (DPDK 22.11's EAL only logs a
    failed bus scan or probe, so rte_eal_init() itself succeeds.)
    """
    failures = []
    for i, (devargs, words) in enumerate(BAD_DEVARGS):
        r = run_app(opts, "bad_devargs%d" % i, EAL_EMU + ["-a", "vmci:" + devargs])
        if r.status != 0 or "vmci_dev_count=0" not in r.out or "cleanup=0" not in r.out:
            failures.append("%s: exit %d, expected a clean run without the device" %
                            (devargs, r.status))
            continue
        missing = [w for w in words if w not in r.err]
        if missing:
            failures.append("%s: error output lacks %s" % (devargs, missing))
        if "Sanitizer" in r.err or "runtime error" in r.err:
            failures.append("%s: sanitizer report" % devargs)
    check(not failures, "; ".join(failures))
    # Good devices on either side of a bad one still come up.
    r = run_app(opts, "bad_devargs_mixed", EAL_EMU +
                ["-a", "vmci:vmci_emu0,cid=20", "-a", "vmci:vmci_emu1,mode=x",
                 "-a", "vmci:vmci_emu2,cid=22"])
    expect_clean_exit(r, 2)
    check([d["name"] for d in r.devices] == ["vmci_emu0", "vmci_emu2"],
          "devices: %s" % r.devices)
    check("vmci_emu1: invalid devargs" in r.err, "no error for vmci_emu1")


# PCI functions from a fake sysfs tree.

def make_sysfs(root, driver, bar1_len=0x40000, numa=0):
    """One VMCI function at VMCI_BDF plus an unrelated NIC, as Linux shows them."""
    devs = os.path.join(root, "devices")
    drivers = os.path.join(root, "drivers")
    os.makedirs(devs)

    def function(bdf, vendor, device, cls, resources, drv):
        d = os.path.join(devs, bdf)
        os.makedirs(d)
        files = {
            "vendor": "0x%04x" % vendor, "device": "0x%04x" % device,
            "subsystem_vendor": "0x%04x" % vendor, "subsystem_device": "0x%04x" % device,
            "class": "0x%06x" % cls, "numa_node": "%d" % numa,
            "max_vfs": "0", "irq": "16", "enable": "1",
        }
        for name, value in files.items():
            with open(os.path.join(d, name), "w") as f:
                f.write(value + "\n")
        lines = []
        for start, length, flags in resources + [(0, 0, 0)] * (13 - len(resources)):
            end = start + length - 1 if length else 0
            lines.append("0x%016x 0x%016x 0x%016x" % (start, end, flags))
        with open(os.path.join(d, "resource"), "w") as f:
            f.write("\n".join(lines) + "\n")
        if drv is not None:
            target = os.path.join(drivers, drv)
            os.makedirs(target, exist_ok=True)
            os.symlink(target, os.path.join(d, "driver"))

    # BAR0: 16 ports of I/O; BAR1: 256 KiB MMIO (the MMIO-capable device).
    function(VMCI_BDF, 0x15ad, 0x0740, 0x088000,
             [(0x1080, 0x10, 0x40101), (0xfe000000, bar1_len, 0x140204)], driver)
    function("0000:00:11.0", 0x8086, 0x100e, 0x020000,
             [(0xfd000000, 0x20000, 0x40200)], "e1000")
    # Another VMware function (SVGA): same vendor, not VMCI.
    function("0000:00:0f.0", 0x15ad, 0x0405, 0x030000,
             [(0xe8000000, 0x8000000, 0x40200)], "vmwgfx")
    return devs


def pci_env(root, driver, **kw):
    env = dict(os.environ)
    env["SYSFS_PCI_DEVICES"] = make_sysfs(root, driver, **kw)
    return env


def case_pci_unbound(opts):
    """Bound to vmw_vmci and not named: skipped with a NOTICE that says what to do."""
    with tempfile.TemporaryDirectory() as root:
        r = run_app(opts, "pci_unbound", EAL_PCI, env=pci_env(root, "vmw_vmci"))
    expect_clean_exit(r, 0)
    check('%s: VMCI function bound to "vmw_vmci"' % VMCI_BDF in r.err,
          "no notice naming the function and its driver")
    check("vmci-devbind -b vfio-pci %s" % VMCI_BDF in r.err,
          "notice lacks the vmci-devbind command")
    check("0000:00:0f.0" not in r.err and "0000:00:11.0" not in r.err,
          "a function that is not VMCI (15ad:0740) was matched")


def case_pci_unbound_with_emu(opts):
    """
    An unusable PCI function must not stop emulated devices; and with
    -a vmci:... the vmci bus has an allowlist, so the function (not named)
    is left alone without a notice.
    """
    with tempfile.TemporaryDirectory() as root:
        env = pci_env(root, "vmw_vmci")
        r = run_app(opts, "pci_unbound_emu", EAL_PCI + ["-a", "vmci:vmci_emu0,cid=40"],
                    env=env)
        expect_clean_exit(r, 1)
        check(r.devices[0]["context_id"] == 40, "emulated device: %s" % r.devices[0])
        check("VMCI function bound" not in r.err, "function outside the allowlist looked at")
        # Both named: the emulated device comes up, the function is refused.
        r = run_app(opts, "pci_unbound_emu2", EAL_PCI +
                    ["-a", "vmci:vmci_emu0,cid=40", "-a", VMCI_BDF], env=env)
    expect_clean_exit(r, 1)
    check('%s: VMCI function bound to "vmw_vmci"' % VMCI_BDF in r.err,
          "no error for the named kernel-owned function")


def case_pci_explicit(opts):
    """Named with -a but not bound to vfio/uio: an error, no device."""
    for i, name in enumerate([VMCI_BDF]):
        with tempfile.TemporaryDirectory() as root:
            r = run_app(opts, "pci_explicit%d" % i, EAL_PCI + ["-a", name],
                        env=pci_env(root, "vmw_vmci"))
        expect_clean_exit(r, 0)
        check('%s: VMCI function bound to "vmw_vmci", expected vfio-pci' % VMCI_BDF in r.err,
              "-a %s: no error naming the driver" % name)
        check("Scan for (vmci) bus failed" in r.err, "-a %s: scan did not fail" % name)


def case_pci_blocked(opts):
    """-b leaves the function alone: no notice, no device."""
    with tempfile.TemporaryDirectory() as root:
        r = run_app(opts, "pci_blocked", EAL_PCI + ["-b", VMCI_BDF],
                    env=pci_env(root, "vmw_vmci"))
    expect_clean_exit(r, 0)
    check("VMCI function bound" not in r.err, "a blocked function was looked at")


def case_pci_allowlist_other(opts):
    """-a of another function: the VMCI function is not in the allowlist."""
    with tempfile.TemporaryDirectory() as root:
        r = run_app(opts, "pci_allow_other", EAL_PCI + ["-a", "0000:00:11.0"],
                    env=pci_env(root, "vfio-pci"))
    expect_clean_exit(r, 0)
    check("VMCI function bound" not in r.err, "function outside the allowlist looked at")


def case_pci_vfio_iova_va(opts):
    """
    Bound to vfio-pci under --iova-mode=va: with VFIO in no-IOMMU mode the
    function is refused (the device needs physical addresses); otherwise
    mapping fails, the fake function having no IOMMU group. Either way an
    error naming the function, no device, no crash.
    """
    with tempfile.TemporaryDirectory() as root:
        r = run_app(opts, "pci_vfio", EAL_PCI + ["-a", VMCI_BDF],
                    env=pci_env(root, "vfio-pci"))
    expect_clean_exit(r, 0)
    check(VMCI_BDF in r.err and ("--iova-mode=pa" in r.err or "cannot map" in r.err),
          "no error naming the function and the fix")


def case_pci_secondary(opts):
    """
    A secondary process leaves the VMCI function to the primary: bringing
    it up would reset the primary's device. Needs hugepages.
    """
    free = 0
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("HugePages_Free:"):
                free = int(line.split()[1])
    if free == 0:
        print("skipped: a secondary process needs hugepages (HugePages_Free is 0)")
        return SKIP
    prefix = "pci_secondary_%d" % os.getpid()
    primary = [opts.app, "-l", "0", "-m", "64", "--file-prefix=bus_" + prefix,
               "--base-virtaddr=0x200000000000", "--no-pci", "--no-telemetry",
               "--", "-t", "60"]
    print("$ " + " ".join(primary))
    proc = subprocess.Popen(primary, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_line(proc, "vmci_testapp: ready")
        with tempfile.TemporaryDirectory() as root:
            r = run_app(opts, prefix, ["-l", "1", "--proc-type=secondary",
                                       "--no-telemetry", "--log-level=bus.vmci:info"],
                        env=pci_env(root, "vfio-pci"))
    finally:
        proc.send_signal(signal.SIGTERM)
        rest, err = proc.communicate(timeout=30)
        print("--- primary stdout (rest)\n%s--- primary stderr\n%s" % (rest, err))
    check(proc.returncode == 0 and "cleanup=0" in rest, "primary exit %d" % proc.returncode)
    expect_clean_exit(r, 0)
    check("%s: VMCI function left to the primary process" % VMCI_BDF in r.err,
          "secondary did not leave the function alone")
    check("cannot map" not in r.err, "secondary tried to map the function")


# Telemetry.

def telemetry_query(opts, prefix, commands):
    p = subprocess.run([opts.telemetry, "-f", prefix], input="\n".join(commands) + "\n",
                       capture_output=True, text=True, timeout=30)
    print("$ %s -f %s <<< %s\n%s%s" % (opts.telemetry, prefix, commands, p.stdout, p.stderr))
    check(p.returncode == 0, "dpdk-telemetry.py exit %d" % p.returncode)
    replies = [json.loads(line) for line in p.stdout.splitlines() if line.startswith("{")]
    check(len(replies) == len(commands), "%d replies to %d commands" %
          (len(replies), len(commands)))
    return replies


def wait_line(proc, word, timeout=30):
    deadline = time.time() + timeout
    lines = []
    while time.time() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line)
        if word in line:
            return lines
    raise Failure("no '%s' from the application; got %s" % (word, lines))


BAD_TELEMETRY = [
    # (command, words its error must contain)
    ("/vmci/info,nosuch", ["expected /vmci/info,<device>", "no such device"]),
    ("/vmci/info", ["expected /vmci/info,<device>", "no device named"]),
    ("/vmci/stats", ["expected /vmci/stats,<device>"]),
    ("/vmci/qp/list,nosuch", ["expected /vmci/qp/list,<device>", "no such device"]),
    ("/vmci/qp/stats", ["expected /vmci/qp/stats,<device>,<context>:<resource>",
                        "no device named"]),
    ("/vmci/qp/stats,vmci_emu0", ["expected /vmci/qp/stats,<device>,<context>:<resource>",
                                  "no handle"]),
    ("/vmci/qp/stats,vmci_emu0,20:x", ["<context>:<resource>", "decimal"]),
    ("/vmci/qp/stats,vmci_emu0,20:99999", ["<context>:<resource>", "no such queue pair"]),
]


def case_telemetry(opts):
    if opts.telemetry is None or not os.access(opts.telemetry, os.X_OK):
        print("skipped: dpdk-telemetry.py not found (Debian package dpdk)")
        return SKIP
    prefix = "bus_telemetry_%d" % os.getpid()
    cmd = [opts.app, "--no-huge", "-m", "256", "--no-pci", "--iova-mode=va", "-l", "0",
           "--file-prefix=" + prefix, "-a", "vmci:vmci_emu0,cid=20",
           "-a", "vmci:vmci_emu1,cid=21,mode=dma", "--", "-q", "-u", "-t", "60"]
    print("$ " + " ".join(cmd))
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        out = wait_line(proc, "vmci_testapp: ready")
        qp_line = [l for l in out if l.startswith("vmci_testapp: qpair ")]
        check(qp_line, "no queue pair line")
        handle = qp_line[0].split()[2]
        unpolled_line = [l for l in out if l.startswith("vmci_testapp: unpolled qpair ")]
        check(unpolled_line, "no unpolled queue pair line")
        unpolled = unpolled_line[0].split()[3]
        replies = telemetry_query(opts, prefix, [
            "/vmci/list", "/vmci/info,vmci_emu0", "/vmci/info,vmci_emu1",
            "/vmci/stats,vmci_emu0", "/vmci/qp/list,vmci_emu0",
            "/vmci/qp/stats,vmci_emu0," + handle, "/vmci/qp/stats,vmci_emu0," + unpolled]
            + [cmd for cmd, _ in BAD_TELEMETRY])
    finally:
        proc.send_signal(signal.SIGTERM)
        rest, err = proc.communicate(timeout=30)
        print("--- app stdout (rest)\n%s--- app stderr\n%s" % (rest, err))
    check(proc.returncode == 0 and "cleanup=0" in rest, "app exit %d" % proc.returncode)
    lst, info0, info1, stats, qps, qstats, ustats = replies[:7]
    check(sorted(lst["/vmci/list"]) == ["vmci_emu0", "vmci_emu1"], "list: %s" % lst)
    i0, i1 = info0["/vmci/info"], info1["/vmci/info"]
    check(i0["context_id"] == 20 and i0["backend"] == "emu" and i0["caps"] == CAPS_PORT,
          "info 0: %s" % i0)
    check(i1["context_id"] == 21 and i1["caps"] == CAPS_DMA, "info 1: %s" % i1)
    st = stats["/vmci/stats"]
    check(isinstance(st, dict) and st.get("dg_sent", 0) > 0 and st.get("events", 0) >= 1,
          "device stats (hypercalls sent, peer-attach event): %s" % st)
    check(handle in qps["/vmci/qp/list"], "qp list %s lacks %s" % (qps, handle))
    q = qstats["/vmci/qp/stats"]
    check(isinstance(q, dict) and q.get("peer_state") == "attached", "qp stats: %s" % q)
    check(q.get("produce_size") == 16384 and q.get("consume_size") == 8192, "sizes: %s" % q)
    check(q.get("enq_bytes") == 4096 and q.get("deq_bytes") == 4096,
          "qp stats do not show the 4096 bytes moved each way: %s" % q)
    # Data moved, the device never polled: the peer is attached all the same.
    u = ustats["/vmci/qp/stats"]
    check(isinstance(u, dict) and u.get("deq_bytes") == 4096, "unpolled qp stats: %s" % u)
    check(u.get("peer_state") == "attached",
          "peer_state %s after 4096 bytes each way through the pair" % u.get("peer_state"))
    # ... and the state as of the last poll (the API's) is shown beside it.
    check(u.get("peer_state_polled") == "waiting", "unpolled qp stats: %s" % u)
    check(q.get("peer_state_polled") == "attached", "qp stats: %s" % q)
    for k in ("hc_unexpected", "qp_parked", "qp_parked_bytes"):
        check(st.get(k) == 0, "device stats %s: %s" % (k, st))
    # A missing or unknown parameter: an error object naming what is expected.
    failures = []
    for (cmd, words), reply in zip(BAD_TELEMETRY, replies[7:]):
        r = reply.get(cmd.split(",")[0])
        err = r.get("error", "") if isinstance(r, dict) else ""
        missing = [w for w in words if w not in err]
        if missing:
            failures.append("%s answered %s, lacks %s" % (cmd, r, missing))
    check(not failures, "; ".join(failures))


def runtime_dir(prefix):
    base = os.environ.get("XDG_RUNTIME_DIR", "/tmp") if os.getuid() != 0 else "/var/run"
    return os.path.join(base, "dpdk", prefix)


def case_plugin_no_emu(opts):
    """
    The bus library alone holds no emulated device: dpdk-test loading only
    the bus with -d cannot name vmci_emu0 (EAL refuses the name the bus does
    not take), and the bus says to load the emulator.
    """
    if opts.plugin_sanitized:
        print("skipped: this build's plugin is ASan-instrumented and dpdk-test is not; "
              "the regular build runs this case")
        return SKIP
    dpdk_test = shutil.which("dpdk-test")
    if dpdk_test is None or opts.plugin is None:
        print("skipped: needs dpdk-test (Debian package dpdk) and --plugin")
        return SKIP
    prefix = "bus_plugin_no_emu_%d" % os.getpid()
    cmd = [dpdk_test, "--no-huge", "-m", "256", "--no-pci", "-l", "0", "--no-telemetry",
           "--file-prefix=" + prefix, "-d", os.path.abspath(opts.plugin),
           "-a", "vmci:vmci_emu0,cid=20"]
    print("$ " + " ".join(cmd))
    p = subprocess.run(cmd, input="quit\n", capture_output=True, text=True, timeout=60)
    out = p.stdout + p.stderr
    print(out)
    check(p.returncode != 0 and "Unable to parse device 'vmci:vmci_emu0" in out,
          "EAL took vmci_emu0 without the emulator (exit %d)" % p.returncode)
    check("vmci_emu0: no loaded backend takes this name" in out and
          "-d librte_vmci_emu.so" in out, "no error line saying to load the emulator")
    check("up, backend emu" not in out, "an emulated device came up without the emulator")


def case_plugin(opts):
    """
    An unmodified DPDK application (DPDK's own dpdk-test) loading the
    driver and the emulator with -d finds the emulated device: seen through
    telemetry.
    """
    if opts.plugin_sanitized:
        print("skipped: this build's plugin is ASan-instrumented and dpdk-test is not; "
              "the regular build runs this case")
        return SKIP
    dpdk_test = shutil.which("dpdk-test")
    if (dpdk_test is None or opts.telemetry is None or opts.plugin is None or
            opts.emu_plugin is None):
        print("skipped: needs dpdk-test and dpdk-telemetry.py (Debian packages dpdk, "
              "dpdk-dev), --plugin and --emu-plugin")
        return SKIP
    prefix = "bus_plugin_%d" % os.getpid()
    cmd = [dpdk_test, "--no-huge", "-m", "256", "--no-pci", "-l", "0",
           "--file-prefix=" + prefix, "-d", os.path.abspath(opts.plugin),
           "-d", os.path.abspath(opts.emu_plugin),
           "-a", "vmci:vmci_emu0,cid=20,mode=dma"]
    print("$ " + " ".join(cmd))
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    sock = os.path.join(runtime_dir(prefix), "dpdk_telemetry.v2")
    try:
        deadline = time.time() + 30
        while not os.path.exists(sock) and proc.poll() is None and time.time() < deadline:
            time.sleep(0.05)
        check(os.path.exists(sock), "no telemetry socket %s" % sock)
        time.sleep(0.2)  # the socket appears before EAL finishes probing
        lst, info = telemetry_query(opts, prefix, ["/vmci/list", "/vmci/info,vmci_emu0"])
    finally:
        try:
            out, _ = proc.communicate("quit\n", timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, _ = proc.communicate()
        print("--- dpdk-test output\n" + out)
    check(lst["/vmci/list"] == ["vmci_emu0"], "list: %s" % lst)
    i = info["/vmci/info"]
    check(i["context_id"] == 20 and i["caps"] == CAPS_DMA, "info: %s" % i)
    check(proc.returncode == 0, "dpdk-test exit %d" % proc.returncode)


CASES = {
    "emu_devargs": case_emu_devargs,
    "emu_vdev": case_emu_vdev,
    "emu_blocked": case_emu_blocked,
    "emu_caps": case_emu_caps,
    "bad_devargs": case_bad_devargs,
    "pci_unbound": case_pci_unbound,
    "pci_unbound_with_emu": case_pci_unbound_with_emu,
    "pci_explicit": case_pci_explicit,
    "pci_blocked": case_pci_blocked,
    "pci_allowlist_other": case_pci_allowlist_other,
    "pci_vfio_iova_va": case_pci_vfio_iova_va,
    "pci_secondary": case_pci_secondary,
    "telemetry": case_telemetry,
    "plugin": case_plugin,
    "plugin_no_emu": case_plugin_no_emu,
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--app", required=True)
    ap.add_argument("--case", required=True, choices=sorted(CASES))
    ap.add_argument("--telemetry", default=shutil.which("dpdk-telemetry.py"))
    ap.add_argument("--plugin", help="librte_bus_vmci.so, for the -d case")
    ap.add_argument("--emu-plugin", help="librte_vmci_emu.so, for the -d case")
    ap.add_argument("--plugin-sanitized", action="store_true",
                    help="the plugin is built with ASan: skip the -d case")
    opts = ap.parse_args()
    try:
        ret = CASES[opts.case](opts)
    except Failure as e:
        print("FAILED: %s" % e)
        return 1
    if ret == SKIP:
        return SKIP
    print("passed: %s" % opts.case)
    return 0


if __name__ == "__main__":
    sys.exit(main())
