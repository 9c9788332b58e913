#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The vmci-dpdk authors
"""The project as a user installs and uses it.

    test_install.py --case <name> --build-dir <dir> --source-dir <dir>
                    [--sanitize <b_sanitize>]

Each case installs the build into a staging root of its own
(meson install --destdir) and never into the system:

  headers   every installed header compiles alone, with gcc and with g++,
            with the flags of the staged libvmci-dpdk.pc
  readme    the program in README.md's "Using the driver", and its build and
            run commands, run as written in an installed view (below)
  app       test/install/app, a C++ application with a Makefile that uses
            pkg-config alone (PKG_CONFIG_PATH into the staging root), built
            and run on an emulated device
  testpmd   Debian's dpdk-testpmd finds the vmci bus and net_vmci with no -d
            in an installed view; dpdk-pmdinfo.py -p finds the drivers there
  pmdinfo   dpdk-pmdinfo.py reads the VMCI PCI id, kernel modules and
            parameter strings from the staged driver libraries
  tool      the installed vmci-vsock in one line, as doc/vmci-vsock.md
            shows it, in an installed view: it finds the emulator in the
            library folder and checks an echo through the emulated host

An installed view is a private mount namespace (unshare -m) in which the
staging root is mounted read-only over the install prefix and over DPDK's
plugin folder (overlayfs, the system's files below), a cache made by
ldconfig from that view is mounted over /etc/ld.so.cache (what ldconfig
does after a real install), and /var/run/dpdk is a private tmpfs.

Exit status 0: passed, 1: failed, 77: skipped (with the reason printed).
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

SKIP = 77
PC_NAME = "libvmci-dpdk"
VMCI_PCI = {"vendor": "15ad", "device": "0740"}
VMCI_KMOD = "* vfio-pci | uio_pci_generic | igb_uio"
TESTPMD = "/usr/bin/dpdk-testpmd"
PMDINFO = "/usr/bin/dpdk-pmdinfo.py"
# The emulator: in the library folder, never the plugin folder; -d by name.
EMU_LIB = "librte_vmci_emu.so"


class Failure(Exception):
    pass


class Skip(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Failure(what)


def run(cmd, **kw):
    """Run a command, show it and its output; return the CompletedProcess."""
    shown = cmd if isinstance(cmd, str) else " ".join(cmd)
    print("$ " + shown)
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=kw.pop("timeout", 300),
                       **kw)
    out = (p.stdout + p.stderr).rstrip()
    if out:
        print(out)
    if p.returncode != 0:
        print("(exit status %d)" % p.returncode)
    return p


class Stage:
    """A staging install of the build: where everything landed."""

    def __init__(self, build_dir, root):
        self.root = root
        opts = {o["name"]: o["value"] for o in json.loads(subprocess.check_output(
            ["meson", "introspect", "--buildoptions", build_dir]))}
        self.prefix = opts["prefix"]
        self.libdir = os.path.join(self.prefix, opts["libdir"])
        self.bindir = os.path.join(self.prefix, opts["bindir"])
        self.includedir = os.path.join(self.prefix, opts["includedir"])
        p = run(["meson", "install", "-C", build_dir, "--no-rebuild", "--quiet",
                 "--destdir", root])
        check(p.returncode == 0, "meson install --destdir failed")
        self.pcdir = self.staged(os.path.join(self.libdir, "pkgconfig"))
        check(os.path.isfile(os.path.join(self.pcdir, PC_NAME + ".pc")),
              "no %s.pc installed in %s" % (PC_NAME, self.pcdir))
        self.pluginsdir = self.pkgconfig("--variable=pluginsdir").strip()
        check(os.path.isabs(self.pluginsdir), "%s.pc names no pluginsdir" % PC_NAME)

    def staged(self, path):
        return self.root + path

    def pkgconfig(self, *args):
        env = dict(os.environ, PKG_CONFIG_PATH=self.pcdir)
        return subprocess.check_output(["pkg-config"] + list(args) + [PC_NAME],
                                       env=env, text=True)

    def headers(self):
        inc = self.staged(self.includedir)
        return sorted(h for h in os.listdir(inc) if h.endswith(".h"))

    def driver(self, name):
        return self.staged(os.path.join(self.pluginsdir, name))


def case_headers(stage, opts, work):
    cflags = stage.pkgconfig("--cflags").split()
    headers = stage.headers()
    check(len(headers) >= 4, "installed headers: %s" % headers)
    for h in headers:
        src = os.path.join(work, "alone.c")
        with open(src, "w") as f:
            f.write("#include <%s>\n" % h)
        for compiler, lang in (("gcc", "c"), ("g++", "c++")):
            p = run([compiler, "-x", lang, "-Wall", "-Wextra", "-Werror", "-fsyntax-only"]
                    + cflags + [src])
            check(p.returncode == 0, "%s does not compile alone as %s" % (h, lang))


def readme_blocks(source_dir):
    """The C program and the shell block after it in "## Using the driver"."""
    with open(os.path.join(source_dir, "README.md")) as f:
        text = f.read()
    section = re.search(r"^## Using the driver\n(.*?)(?=^## )", text, re.M | re.S)
    check(section is not None, "README.md has no '## Using the driver' section")
    blocks = re.findall(r"^```(\w+)\n(.*?)^```", section.group(1), re.M | re.S)
    kinds = [k for k, _ in blocks]
    check("c" in kinds and "sh" in kinds[kinds.index("c"):],
          "'Using the driver' needs a ```c block followed by a ```sh block")
    i = kinds.index("c")
    program = blocks[i][1]
    commands = next(b for k, b in blocks[i:] if k == "sh")
    name = re.match(r"/\* (\S+\.c)\b", program)
    check(name is not None, "the README program does not start with /* <file>.c ...")
    return name.group(1), program, commands


def case_readme(stage, opts, work):
    name, program, commands = readme_blocks(opts.source_dir)
    with open(os.path.join(work, name), "w") as f:
        f.write(program)
    lines = [ln for ln in commands.splitlines() if ln.strip() and not ln.startswith("#")]
    check(any("pkg-config --cflags --libs " + PC_NAME in ln for ln in lines),
          "the README build command does not use pkg-config --cflags --libs " + PC_NAME)
    out = ""
    for line in lines:
        p = run(["sh", "-c", line], cwd=work)
        check(p.returncode == 0, "README command failed: %s" % line)
        out += p.stdout
    check(re.search(r"queue pair \d+:\d+: \d+ bytes queued", out),
          "the README program did not report its queued message")


def case_app(stage, opts, work):
    app = os.path.join(work, "app")
    shutil.copytree(os.path.join(opts.source_dir, "test", "install", "app"), app)
    env = dict(os.environ, PKG_CONFIG_PATH=stage.pcdir)
    p = run(["make", "-C", app], env=env)
    check(p.returncode == 0, "the out-of-tree app does not build with pkg-config alone")
    # LD_LIBRARY_PATH stands in for ldconfig after a real install.
    env["LD_LIBRARY_PATH"] = stage.staged(stage.libdir)
    p = run([os.path.join(app, "vmci_app"), "--no-huge", "-m", "256", "--no-pci",
             "--no-telemetry", "--file-prefix=install_app", "-d", EMU_LIB,
             "-a", "vmci:vmci_emu0,cid=20"], env=env)
    check(p.returncode == 0 and "vmci_app: ok" in p.stdout, "the out-of-tree app failed")
    check("vmci_app: device vmci_emu0 backend emu cid 20" in p.stdout,
          "the app did not see the emulated device")


def case_testpmd(stage, opts, work):
    if not os.access(TESTPMD, os.X_OK):
        raise Skip("%s not installed (Debian package dpdk)" % TESTPMD)
    if os.cpu_count() < 2:
        raise Skip("testpmd here needs lcores 0 and 1")
    session = "show port info all\nquit\n"
    cmd = [TESTPMD, "-l", "0,1", "--no-huge", "-m", "1024", "--no-pci", "--iova-mode=va",
           "--log-level=*:notice", "-d", EMU_LIB,
           "-a", "vmci:vmci_emu0,cid=20", "-a", "vmci:vmci_host0",
           "--vdev", "net_vmci0,dev=vmci_emu0,role=create,peer=2",
           "--vdev", "net_vmci1,dev=vmci_host0,role=attach,peer=20",
           "--", "-i", "--total-num-mbufs=8192"]
    print("$ " + " ".join(cmd) + " <<< " + repr(session))
    p = subprocess.run(cmd, input=session, capture_output=True, text=True, timeout=120)
    print((p.stdout + p.stderr).rstrip())
    check(p.returncode == 0, "testpmd exited with %d" % p.returncode)
    drivers = re.findall(r"^Driver name: (\S+)", p.stdout, re.M)
    check(drivers == ["net_vmci", "net_vmci"],
          "testpmd ports' drivers %s, expected two net_vmci" % drivers)

    p = run([PMDINFO, "--search-plugins", TESTPMD])
    check(p.returncode == 0, "dpdk-pmdinfo.py failed")
    names = {d["name"] for d in json.loads(p.stdout)}
    check({"vmci", "net_vmci"} <= names,
          "dpdk-pmdinfo.py -p does not find the drivers in the plugin folder: %s" %
          sorted(names))


def case_pmdinfo(stage, opts, work):
    if not os.access(PMDINFO, os.X_OK):
        raise Skip("%s not installed (Debian package dpdk)" % PMDINFO)
    bus = stage.driver("librte_bus_vmci.so")
    net = stage.driver("librte_net_vmci.so")
    emu = stage.staged(os.path.join(stage.libdir, EMU_LIB))
    check(os.path.exists(emu), "%s not installed in the library folder" % EMU_LIB)
    check(not os.path.exists(stage.driver(EMU_LIB)), "%s is in the plugin folder" % EMU_LIB)
    p = run([PMDINFO, bus, net, emu])
    check(p.returncode == 0, "dpdk-pmdinfo.py failed")
    info = {d["name"]: d for d in json.loads(p.stdout)}
    check("vmci" in info, "no 'vmci' driver in %s" % bus)
    check(info["vmci"].get("pci_ids") == [VMCI_PCI],
          "vmci PCI ids %s, expected %s" % (info["vmci"].get("pci_ids"), [VMCI_PCI]))
    check(info["vmci"].get("kmod") == VMCI_KMOD,
          "vmci kmod %r, expected %r" % (info["vmci"].get("kmod"), VMCI_KMOD))
    for drv, key in (("vmci_emu", "cid=<"), ("vmci_host", "hv=<"),
                     ("net_vmci", "role=create|attach ")):
        check(key in info.get(drv, {}).get("params", ""),
              "%s parameter string lacks %r: %s" % (drv, key, info.get(drv)))


def case_tool(stage, opts, work):
    tool = os.path.join(stage.bindir, "vmci-vsock")
    check(os.access(tool, os.X_OK), "%s not installed" % tool)
    p = run([tool, "-l", "0", "--no-huge", "-m", "256", "--no-pci", "--no-telemetry",
             "--file-prefix=install_tool", "--", "connect", "2:7", "--bytes", "65536"])
    check(p.returncode == 0, "vmci-vsock exited with %d" % p.returncode)
    emu = os.path.normpath(os.path.join(stage.libdir, EMU_LIB))
    loaded = re.search(r"loading the emulator, -d (\S+)", p.stderr)
    check(loaded is not None and os.path.normpath(loaded.group(1)) == emu,
          "the emulator was not loaded from %s" % emu)
    check(re.search(r"^received 65536 bytes, cksum \d+$", p.stdout, re.M),
          "no received line")


# case -> (function, needs an installed view, runs programs built here)
CASES = {
    "headers": (case_headers, False, False),
    "readme": (case_readme, True, True),
    "app": (case_app, False, True),
    "testpmd": (case_testpmd, True, True),
    "pmdinfo": (case_pmdinfo, False, False),
    "tool": (case_tool, True, True),
}


def mount(*args):
    subprocess.run(["mount"] + list(args), check=True)


def enter_installed_view(stage, work):
    """Make this mount namespace look as if the staging root were installed."""
    views = [stage.prefix]
    if os.path.relpath(stage.pluginsdir, stage.prefix).startswith(".."):
        views.append(stage.pluginsdir)
    for path in views:
        check(os.path.isdir(path), "%s does not exist on this system" % path)
        mount("-t", "overlay", "vmci-install", "-o",
              "lowerdir=%s:%s" % (stage.staged(path), path), path)
    cache = os.path.join(work, "ld.so.cache")
    subprocess.run(["ldconfig", "-X", "-C", cache], check=True)
    mount("--bind", cache, "/etc/ld.so.cache")
    os.makedirs("/var/run/dpdk", exist_ok=True)
    mount("-t", "tmpfs", "-o", "mode=0755", "vmci-install", "/var/run/dpdk")


def skip_reason(opts):
    func, view, runs = CASES[opts.case]
    if runs and opts.sanitize != "none":
        return ("the staged libraries are built with -fsanitize=%s; programs built "
                "here as a user builds them (and Debian's testpmd) cannot load them: "
                "the regular build runs this case" % opts.sanitize)
    if view and os.geteuid() != 0:
        return "needs root for a private mount namespace"
    if view and shutil.which("unshare") is None:
        return "unshare not installed"
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--case", required=True, choices=sorted(CASES))
    ap.add_argument("--build-dir", required=True)
    ap.add_argument("--source-dir", required=True)
    ap.add_argument("--sanitize", default="none")
    ap.add_argument("--in-namespace", action="store_true")
    opts = ap.parse_args()
    func, view, _ = CASES[opts.case]
    reason = skip_reason(opts)
    if reason:
        print("SKIP: " + reason)
        return SKIP
    if view and not opts.in_namespace:
        return subprocess.run(["unshare", "-m", "--propagation", "private",
                               sys.executable, os.path.abspath(__file__)]
                              + sys.argv[1:] + ["--in-namespace"]).returncode
    # Below the build folder: EAL refuses plugins below a world-writable one.
    tmp_root = os.path.join(os.path.abspath(opts.build_dir), "test", "install")
    os.makedirs(tmp_root, exist_ok=True)
    work = tempfile.mkdtemp(prefix=opts.case + "-", dir=tmp_root)
    try:
        stage = Stage(opts.build_dir, os.path.join(work, "stage"))
        if view:
            enter_installed_view(stage, work)
        func(stage, opts, work)
    except Skip as e:
        print("SKIP: %s" % e)
        return SKIP
    except Failure as e:
        print("FAIL: %s" % e)
        return 1
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
