#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The vmci-dpdk authors
"""Write the C file that embeds a driver library's PMD info strings.

    gen_pmdinfo.py <output.c> <object.o>...

DPDK's registration macros (RTE_PMD_REGISTER_PCI/VDEV through
RTE_PMD_EXPORT_NAME, RTE_PMD_REGISTER_PCI_TABLE, _KMOD_DEP, _PARAM_STRING)
leave static symbols in the objects:

    this_pmd_name<N>              "<name>"
    __<name>_pci_tbl_export       "<symbol of the struct rte_pci_id table>"
    __<name>_kmod_dep_export      "<kernel modules>"
    __<name>_param_string_export  "<devargs>"

DPDK's own build turns them into one "PMD_INFO_STRING= <json>" string per
driver in .rodata, which dpdk-pmdinfo.py reads from the built library. This
does the same for drivers built outside DPDK's tree: it reads the symbols
from the objects and writes the strings as C, to be linked into the library.
A library whose objects register no driver is an error.
"""

import json
import re
import struct
import sys

from elftools.elf.elffile import ELFFile

PMD_NAME_RE = re.compile(r"^this_pmd_name\d+$")
# struct rte_pci_id: class_id (u32), vendor, device, subsystem vendor,
# subsystem device (u16 each); a zero vendor_id ends the table.
PCI_ID = struct.Struct("<IHHHH")


EXPORT_RE = re.compile(r"^__(\w+?)_(pci_tbl|kmod_dep|param_string)_export$")


def object_symbols(path):
    """The defined data symbols of one relocatable object: name -> bytes."""
    symbols = {}
    with open(path, "rb") as f:
        elf = ELFFile(f)
        symtab = elf.get_section_by_name(".symtab")
        if symtab is None:
            return symbols
        for sym in symtab.iter_symbols():
            shndx = sym["st_shndx"]
            if sym["st_info"]["type"] != "STT_OBJECT" or not isinstance(shndx, int):
                continue
            sec = elf.get_section(shndx)
            start, size = sym["st_value"], sym["st_size"]
            if sec["sh_type"] == "SHT_NOBITS":
                symbols[sym.name] = bytes(size)
            else:
                symbols[sym.name] = sec.data()[start:start + size]
    return symbols


def c_str(data):
    return data.split(b"\0", 1)[0].decode("ascii")


def pci_ids(symbols, table, path):
    """The entries of a struct rte_pci_id table, as dpdk-pmdinfo.py wants them."""
    data = symbols.get(table)
    if data is None:
        sys.exit("%s: PCI table %s named by RTE_PMD_REGISTER_PCI_TABLE not found" %
                 (path, table))
    ids = []
    for off in range(0, len(data) - PCI_ID.size + 1, PCI_ID.size):
        _, vendor, device, subvendor, subdevice = PCI_ID.unpack_from(data, off)
        if vendor == 0:
            break
        ids.append([vendor, device, subvendor, subdevice])
    return ids


def collect(paths):
    """Driver name -> {kind: value} over all objects."""
    drivers = {}
    exports = []
    for path in paths:
        symbols = object_symbols(path)
        for name, data in symbols.items():
            if PMD_NAME_RE.match(name):
                drivers.setdefault(c_str(data), {})
            match = EXPORT_RE.match(name)
            if match is None:
                continue
            value = c_str(data)
            if match.group(2) == "pci_tbl":
                value = pci_ids(symbols, value, path)
            exports.append((match.group(1), match.group(2), value, path))
    for drv, kind, value, path in exports:
        if drv not in drivers:
            sys.exit("%s: %s export for %s, which no RTE_PMD_EXPORT_NAME names" %
                     (path, kind, drv))
        if drivers[drv].get(kind, value) != value:
            sys.exit("%s: second, different %s export for %s" % (path, kind, drv))
        drivers[drv][kind] = value
    return drivers


def pmd_info(name, exports):
    """The JSON object DPDK's pmdinfogen writes for one driver."""
    info = {"name": name}
    if "kmod_dep" in exports:
        info["kmod"] = exports["kmod_dep"]
    if "param_string" in exports:
        info["params"] = exports["param_string"]
    info["pci_ids"] = exports.get("pci_tbl", [])
    return info


def c_string(text):
    return '"%s"' % text.replace("\\", "\\\\").replace('"', '\\"')


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    out, paths = sys.argv[1], sys.argv[2:]
    drivers = collect(paths)
    if not drivers:
        sys.exit("no driver registered (RTE_PMD_EXPORT_NAME) in %s" % " ".join(paths))
    lines = ["/* Written by buildtools/gen_pmdinfo.py from the driver's objects. */", ""]
    for name in sorted(drivers):
        info = json.dumps(pmd_info(name, drivers[name]))
        lines.append("static const char %s_pmd_info[] __attribute__((used)) =" % name)
        lines.append("\t%s;" % c_string("PMD_INFO_STRING= " + info))
    with open(out, "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
