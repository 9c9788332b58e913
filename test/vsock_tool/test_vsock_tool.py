#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The vmci-dpdk authors
"""vmci-vsock against the emulated host's vSockets services.

    test_vsock_tool.py --tool <vmci-vsock> --case <name>

Each case runs the tool as a user would, with its own --file-prefix: most
give no device, so the tool names the emulated guest and host itself and
loads the emulator; the listen cases name them with the host's
vsock_connect= so that the host connects out, and the sleeping_host case
with vsock_sleep=1 so that the host's services need the tool's wake-ups. Checksums are checked
against the cksum(1) program on the same bytes, and data against the
input file byte for byte. Nothing is timed: a case waits for the tool to
end; a --timeout of 60 s, which a healthy run never reaches, turns a hang
into a failure.
Exit status 0: passed, 1: failed.
"""

import argparse
import os
import random
import re
import subprocess
import sys
import tempfile

EAL = ["--no-huge", "-m", "512", "--no-pci", "--iova-mode=va", "-l", "0",
       "--no-telemetry", "--log-level=*:warning"]
GUEST_CID = 20
LISTEN_PORT = 5000
# The emulated host connecting out to the guest's listener (an echo on its end).
EAL_LISTEN = ["-a", "vmci:vmci_emu0,cid=%d" % GUEST_CID,
              "-a", "vmci:vmci_host0,vsock=1,vsock_connect=%d:%d" % (GUEST_CID, LISTEN_PORT)]
# The same services, and the host's end of vsock_connect=, sleeping as blocking
# processes do (vsock_sleep=1): they need the tool's WROTE and READ. The
# endpoint's debug log says how often each connection slept.
EAL_SLEEP = ["-a", "vmci:vmci_emu0,cid=%d" % GUEST_CID,
             "-a", "vmci:vmci_host0,vsock=1,vsock_sleep=1",
             "--log-level=bus.vmci.emu.vsock:debug"]
EAL_SLEEP_LISTEN = ["-a", "vmci:vmci_emu0,cid=%d" % GUEST_CID,
                    "-a", "vmci:vmci_host0,vsock=1,vsock_sleep=1,vsock_connect=%d:%d" %
                    (GUEST_CID, LISTEN_PORT),
                    "--log-level=bus.vmci.emu.vsock:debug"]
ECHO, DISCARD, SOURCE = 7, 9, 19
GUARD_S = "60"
OK, FAIL, USAGE = 0, 1, 2


class Failure(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Failure(what)


class Run:
    def __init__(self, args, status, out, err):
        self.args = args
        self.status = status
        self.out = out
        self.err = err

    def text(self):
        return self.out.decode(errors="replace")

    def show(self):
        return "%s\n--- exit %d\n--- stdout (%d bytes)\n%s\n--- stderr\n%s" % (
            " ".join(self.args), self.status, len(self.out),
            self.out[:2000].decode(errors="replace"), self.err.decode(errors="replace"))


def run_tool(opts, name, tool_args, eal_extra=(), stdin=None, guard=True):
    """Run the tool; @guard: a --timeout long enough never to expire on a slow
    machine, so that a broken case fails instead of hanging until meson's."""
    if guard and "--timeout" not in tool_args:
        tool_args = tool_args + ["--timeout", GUARD_S]
    # @eal_extra first: for the emulator's log types (a plugin's, registered
    # after the options are read) the first --log-level that matches counts.
    args = ([opts.tool] + list(eal_extra) + EAL + ["--file-prefix=vsock_tool_" + name,
            "--"] + tool_args)
    with open(stdin, "rb") if stdin else open(os.devnull, "rb") as f:
        p = subprocess.run(args, stdin=f, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    r = Run(args, p.returncode, p.stdout, p.stderr)
    print(r.show())
    return r


def pattern(n):
    return bytes(i % 251 for i in range(n))


def cksum(data):
    """What cksum(1) prints for @data, as (length, crc)."""
    out = subprocess.run(["cksum"], input=data, stdout=subprocess.PIPE, check=True).stdout
    crc, length = out.split()[:2]
    return int(length), int(crc)


def summary(r, word):
    """The tool's '<word> N bytes..., cksum C' line: (N, C)."""
    m = re.search(r"^%s (\d+) bytes.*cksum (\d+)$" % word, r.text(), re.M)
    check(m is not None, "no \"%s ... cksum\" line in stdout" % word)
    return int(m.group(1)), int(m.group(2))


def expect_status(r, status, words=()):
    check(r.status == status, "exit status %d, expected %d" % (r.status, status))
    err = r.err.decode(errors="replace")
    missing = [w for w in words if w not in err]
    check(not missing, "stderr lacks %s" % missing)
    check("Sanitizer" not in err and "runtime error" not in err, "sanitizer report")


def expect_bytes_ok(r, n, sent_line=True):
    expect_status(r, OK)
    want = cksum(pattern(n))
    if sent_line:
        check(summary(r, "sent") == want, "sent line %s, cksum(1) of the pattern says %s" %
              (summary(r, "sent"), want))
    check(summary(r, "received") == want, "received line %s, cksum(1) of the pattern says %s"
          % (summary(r, "received"), want))


def random_file(tmp, n, seed):
    path = os.path.join(tmp, "in%d.bin" % seed)
    rnd = random.Random(seed)
    with open(path, "wb") as f:
        f.write(bytes(rnd.getrandbits(8) for _ in range(n)))
    return path


def case_echo_bytes(opts, tmp):
    # 1 B, a page, 1 MiB (four times the queue), and a size crossing the wrap.
    for n in (1, 4096, 1 << 20, 262145):
        r = run_tool(opts, "echo_bytes", ["connect", "2:%d" % ECHO, "--bytes", str(n)])
        expect_bytes_ok(r, n)
    r = run_tool(opts, "echo_bytes_m", ["connect", "2:%d" % ECHO, "--bytes", "1M"])
    expect_bytes_ok(r, 1 << 20)


def case_stdin_echo(opts, tmp):
    # Through the echo and back, byte for byte: larger than the queues, so
    # both directions fill up; and an empty file (shutdown straight away).
    for n, seed in ((3 * (1 << 20) + 17, 1), (0, 2), (1, 3)):
        path = random_file(tmp, n, seed)
        r = run_tool(opts, "stdin_echo", ["connect", "2:%d" % ECHO], stdin=path)
        expect_status(r, OK)
        with open(path, "rb") as f:
            data = f.read()
        check(r.out == data, "stdout (%d bytes) differs from the %d-byte input" %
              (len(r.out), len(data)))


def case_discard(opts, tmp):
    r = run_tool(opts, "discard", ["connect", "2:%d" % DISCARD, "--bytes", "100000",
                                   "--expect", "discard"])
    expect_status(r, OK)
    check(summary(r, "sent") == cksum(pattern(100000)), "sent line")
    check(summary(r, "received") == cksum(b""), "received line")
    path = random_file(tmp, 300000, 4)
    r = run_tool(opts, "discard_stdin", ["connect", "2:%d" % DISCARD], stdin=path)
    expect_status(r, OK)
    check(r.out == b"", "a discard service sent %d bytes" % len(r.out))


def case_source(opts, tmp):
    for n in (1, 4096, (1 << 20) + 3):
        r = run_tool(opts, "source", ["connect", "2:%d" % SOURCE, "--bytes", str(n),
                                      "--expect", "source"])
        expect_bytes_ok(r, n, sent_line=False)
        check(re.search(r"^requested %d bytes$" % n, r.text(), re.M), "requested line")


def case_checker_fails(opts, tmp):
    # The checks can fail: an echo is not a discard, a discard is not an echo.
    r = run_tool(opts, "checker_echo", ["connect", "2:%d" % ECHO, "--bytes", "1000",
                                        "--expect", "discard"])
    expect_status(r, FAIL, ["expected to discard"])
    r = run_tool(opts, "checker_discard", ["connect", "2:%d" % DISCARD, "--bytes", "1000"])
    expect_status(r, FAIL, ["received 0 of 1000 bytes"])


def case_refused(opts, tmp):
    r = run_tool(opts, "refused", ["connect", "2:1234"])
    expect_status(r, FAIL, ["connect 2:1234", "refused"])
    check(r.out == b"", "stdout not empty")
    r = run_tool(opts, "refused_dev", ["--dev", "vmci_emu7", "connect", "2:7"])
    expect_status(r, FAIL, ["--dev vmci_emu7: no such vmci device", "vmci_emu0"])


def case_listen(opts, tmp):
    r = run_tool(opts, "listen_bytes", ["listen", str(LISTEN_PORT), "--bytes", "1M"],
                 eal_extra=EAL_LISTEN)
    expect_bytes_ok(r, 1 << 20)
    path = random_file(tmp, 1000003, 5)
    r = run_tool(opts, "listen_stdin", ["-v", "listen", str(LISTEN_PORT)],
                 eal_extra=EAL_LISTEN, stdin=path)
    expect_status(r, OK, ["listening on %d:%d" % (GUEST_CID, LISTEN_PORT),
                          "connected with 2:"])
    with open(path, "rb") as f:
        check(r.out == f.read(), "stdout differs from the input")


def expect_host_slept(r):
    """The host's connection slept and the tool's notifications woke it."""
    m = re.search(r"slept (\d+) times reading, (\d+) writing; woken by (\d+) WROTE, "
                  r"(\d+) READ", r.err.decode(errors="replace"))
    check(m is not None, "no \"slept ... woken by\" line from the host")
    sleeps, wrote_wakeups = int(m.group(1)) + int(m.group(2)), int(m.group(3))
    check(sleeps > 0 and wrote_wakeups > 0,
          "the host slept %d times, woken by %d WROTE: expected both above 0" %
          (sleeps, wrote_wakeups))


def case_sleeping_host(opts, tmp):
    # Every byte back from services that sleep until the tool wakes them.
    r = run_tool(opts, "sleep_echo", ["connect", "2:%d" % ECHO, "--bytes", "1M"],
                 eal_extra=EAL_SLEEP)
    expect_bytes_ok(r, 1 << 20)
    expect_host_slept(r)
    path = random_file(tmp, 3 * (1 << 20) + 17, 7)
    r = run_tool(opts, "sleep_stdin", ["connect", "2:%d" % ECHO], eal_extra=EAL_SLEEP,
                 stdin=path)
    expect_status(r, OK)
    with open(path, "rb") as f:
        check(r.out == f.read(), "stdout differs from the input")
    expect_host_slept(r)
    r = run_tool(opts, "sleep_source", ["connect", "2:%d" % SOURCE, "--bytes", "1M",
                                        "--expect", "source"], eal_extra=EAL_SLEEP)
    expect_bytes_ok(r, 1 << 20, sent_line=False)
    expect_host_slept(r)
    r = run_tool(opts, "sleep_listen", ["listen", str(LISTEN_PORT), "--bytes", "1M"],
                 eal_extra=EAL_SLEEP_LISTEN)
    expect_bytes_ok(r, 1 << 20)
    expect_host_slept(r)


def case_listen_timeout(opts, tmp):
    # Nobody connects: --timeout ends the wait with status 1.
    r = run_tool(opts, "listen_timeout", ["listen", str(LISTEN_PORT), "--timeout", "0.2"])
    expect_status(r, FAIL, ["no connection", "--timeout"])


def case_dgram(opts, tmp):
    for n, size in ((1, 4096), (200000, 4096), (69608 * 2 + 1, 69608)):
        r = run_tool(opts, "dgram_bytes", ["--dgram", "--dgram-size", str(size), "connect",
                                           "2:%d" % ECHO, "--bytes", str(n)])
        expect_bytes_ok(r, n)
    path = random_file(tmp, 10000, 6)
    r = run_tool(opts, "dgram_stdin", ["--dgram", "--dgram-size", "1000", "connect",
                                       "2:%d" % ECHO], stdin=path)
    expect_status(r, OK)
    with open(path, "rb") as f:
        check(r.out == f.read(), "stdout differs from the input")


def case_pci_present(opts, tmp):
    # A VMCI function in (a fake) sysfs: the tool does not swap in the
    # emulated devices; unbound, it is no device, and the tool says how to
    # bind it.
    fn = os.path.join(tmp, "sysfs", "0000:00:07.7")
    os.makedirs(fn)
    for name, value in (("vendor", "0x15ad"), ("device", "0x0740"),
                        ("subsystem_vendor", "0x15ad"), ("subsystem_device", "0x0740"),
                        ("class", "0x088000"), ("numa_node", "0"), ("max_vfs", "0"),
                        ("resource", "\n".join(["0x0 0x0 0x0"] * 13))):
        with open(os.path.join(fn, name), "w") as f:
            f.write(value + "\n")
    env = dict(os.environ, SYSFS_PCI_DEVICES=os.path.dirname(fn))
    args = ([opts.tool] + [a for a in EAL if a != "--no-pci"] +
            ["--file-prefix=vsock_tool_pci", "--", "connect", "2:7"])
    p = subprocess.run(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, env=env)
    r = Run(args, p.returncode, p.stdout, p.stderr)
    print(r.show())
    expect_status(r, FAIL, ["no vmci device to use", "vmci-devbind"])
    check(b"using the emulated guest" not in r.err, "the emulated devices were added")


BAD_USAGE = [
    ([], ["no command"]),
    (["connect"], ["CID:PORT"]),
    (["connect", "2"], ["\"2\"", "CID:PORT"]),
    (["connect", "2:x"], ["\"2:x\""]),
    (["connect", "4294967295:7"], ["\"4294967295:7\""]),
    (["connect", "2:7", "more"], ["\"more\""]),
    (["send", "2:7"], ["unknown command \"send\""]),
    (["listen", "port"], ["\"port\""]),
    (["connect", "2:7", "--bytes", "12Q"], ["--bytes 12Q"]),
    (["connect", "2:7", "--bytes", "-5"], ["--bytes -5"]),
    (["connect", "2:7", "--bytes"], ["missing value", "--bytes"]),
    (["connect", "2:7", "--expect", "echo"], ["--expect needs --bytes"]),
    (["connect", "2:7", "--bytes", "5", "--expect", "mirror"], ["--expect mirror"]),
    (["connect", "2:7", "--echo", "--bytes", "5"], ["--echo and --bytes"]),
    (["connect", "2:7", "--timeout", "0"], ["--timeout 0"]),
    (["connect", "2:7", "--timeout", "soon"], ["--timeout soon"]),
    (["--dgram", "--dgram-size", "69609", "connect", "2:7"], ["--dgram-size 69609"]),
    (["--dgram-size", "100", "connect", "2:7"], ["--dgram-size needs --dgram"]),
    (["--dgram", "connect", "2:7", "--bytes", "5", "--expect", "source"], ["source"]),
    (["--dgram", "listen", "7", "--bytes", "5"], ["--bytes with --dgram"]),
    (["listen", "7", "--local-port", "9"], ["--local-port is for connect"]),
    (["-v", "-q", "connect", "2:7"], ["--verbose and --quiet"]),
    (["--frobnicate", "connect", "2:7"], ["--frobnicate"]),
]


def case_bad_usage(opts, tmp):
    failures = []
    for i, (args, words) in enumerate(BAD_USAGE):
        r = run_tool(opts, "bad%d" % i, args, guard=False)
        try:
            expect_status(r, USAGE, words)
            check(r.out == b"", "stdout not empty")
        except Failure as e:
            failures.append("%s: %s" % (" ".join(args), e))
    # A bad EAL option is a usage error too; --help is not one.
    r = run_tool(opts, "bad_eal", ["connect", "2:7"], eal_extra=["--no-such-eal-option"],
                 guard=False)
    if r.status != USAGE:
        failures.append("bad EAL option: exit %d, expected %d" % (r.status, USAGE))
    r = run_tool(opts, "help", ["--help"], guard=False)
    if r.status != OK or b"connect CID:PORT" not in r.out:
        failures.append("--help: exit %d or no usage text" % r.status)
    check(not failures, "; ".join(failures))


CASES = {
    "echo_bytes": case_echo_bytes,
    "stdin_echo": case_stdin_echo,
    "discard": case_discard,
    "source": case_source,
    "checker_fails": case_checker_fails,
    "refused": case_refused,
    "listen": case_listen,
    "listen_timeout": case_listen_timeout,
    "sleeping_host": case_sleeping_host,
    "dgram": case_dgram,
    "pci_present": case_pci_present,
    "bad_usage": case_bad_usage,
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tool", required=True)
    ap.add_argument("--case", required=True, choices=sorted(CASES))
    opts = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="vsock_tool_") as tmp:
        try:
            CASES[opts.case](opts, tmp)
        except Failure as e:
            print("FAILED: %s" % e)
            return 1
    print("passed: %s" % opts.case)
    return 0


if __name__ == "__main__":
    sys.exit(main())
