#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The vmci-dpdk authors
"""dpdk-vmci-diag against the emulated device and host.

Each case runs the tool (or diag_fault, the tool with an emulator fault set
after EAL init) under timeout(1), then checks the exit status and the JSON
report: which step passed or failed and that the reason names the value
that was wrong.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

# Far above a run's length (well under a second here); reaching it is a hang.
HANG_LIMIT_S = 60


def eal_args(prefix, emu_lib, guest_args='cid=20', host_args=''):
    return ['--no-huge', '-m', '512', '--no-pci', '--iova-mode=va', '-l', '0',
            '--no-telemetry', '--file-prefix=diag_' + prefix, '-d', emu_lib,
            '-a', 'vmci:vmci_emu0,' + guest_args, '-a', 'vmci:vmci_host0' + host_args]


def run(cmd, json_path, env=None, tool_args=()):
    full = ['timeout', str(HANG_LIMIT_S)] + cmd + ['--', '--json', json_path] + list(tool_args)
    t0 = time.monotonic()
    p = subprocess.run(full, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       env=env, check=False)
    took = time.monotonic() - t0
    out = p.stdout.decode(errors='replace')
    if p.returncode == 124:
        raise AssertionError('hung: no end within %d s\n%s' % (HANG_LIMIT_S, out))
    try:
        with open(json_path, encoding='utf-8') as f:
            report = json.load(f)
    except (OSError, ValueError) as e:
        raise AssertionError('no valid JSON report (%s), exit %d\n%s' % (e, p.returncode, out))
    return p.returncode, report, out, took


def step(report, num):
    s = report['steps'][num - 1]
    assert s['id'] == num, s
    return s


def expect(cond, what, out):
    if not cond:
        raise AssertionError(what + '\n--- output ---\n' + out)


def case_pass(a, tmp):
    rc, r, out, _ = run([a.tool] + eal_args('pass', a.emu_lib), tmp + '/pass.json')
    expect(rc == 0, 'exit %d, expected 0' % rc, out)
    expect(r['schema'] == 'vmci-diag/1' and r['result'] == 'PASS', 'result ' + r['result'], out)
    for key in ('kernel', 'cpu', 'hypervisor_signature'):
        expect(key in r['system'], 'system.' + key + ' missing', out)
    expect(r['tool']['version'] and r['driver']['library'], 'versions missing', out)
    env = step(r, 1)
    # No VMCI PCI function on a CI machine: SKIP, saying why.
    expect(env['status'] in ('PASS', 'SKIP') and env['reason'], 'step 1 ' + env['status'], out)
    expect('eal.iova_mode' in env['values'], 'step 1 lacks the IOVA mode', out)
    for num in (2, 3, 4, 6):
        s = step(r, num)
        expect(s['status'] == 'PASS', 'step %d %s: %s' % (num, s['status'], s['reason']), out)
    b = step(r, 2)
    expect(b['values']['context_id'] == 20, 'context ID %s' % b['values']['context_id'], out)
    log = '\n'.join(b['log'])
    expect('read32 CAPS' in log and 'write32 CAPS' in log and 'hypercall GET_CONTEXT_ID' in log,
           'bring-up trace incomplete', out)
    # In order: CAPS read, CAPS written, then the first hypercall.
    expect(log.index('read32 CAPS') < log.index('write32 CAPS') < log.index('hypercall '),
           'bring-up trace out of order', out)
    d = step(r, 3)
    expect(d['values']['datagram.answered'] == 8, 'datagrams answered', out)
    q = step(r, 4)
    expect(q['values']['qp.peer_state'] == 'attached', 'queue pair peer state', out)
    v = step(r, 5)
    expect(v['status'] == 'SKIP' and v['reason'].startswith('no --vsock-port N'),
           'step 5: ' + v['status'] + ' ' + v['reason'], out)


def case_vsock(a, tmp):
    """Step 5 against the emulated host's vSockets echo (port 7)."""
    rc, r, out, _ = run([a.tool] + eal_args('vsock', a.emu_lib, host_args=',vsock=1'),
                        tmp + '/vsock.json', tool_args=['--vsock-port', '7'])
    expect(rc == 0, 'vsock: exit %d, expected 0' % rc, out)
    for num in (2, 3, 4, 5, 6):
        s = step(r, num)
        expect(s['status'] == 'PASS', 'vsock: step %d %s: %s' % (num, s['status'], s['reason']),
               out)
    v = step(r, 5)['values']
    expect(v['vsock.bytes_back'] == v['vsock.bytes_sent'] == 4096, 'vsock bytes', out)


def case_fail(a, tmp, name, cmd, num, words, tool_args=(), env=None):
    rc, r, out, took = run(cmd, '%s/%s.json' % (tmp, name), env=env, tool_args=tool_args)
    expect(rc == 1, '%s: exit %d, expected 1' % (name, rc), out)
    expect(r['result'] == 'FAIL', name + ': result ' + r['result'], out)
    s = step(r, num)
    expect(s['status'] == 'FAIL', '%s: step %d %s' % (name, num, s['status']), out)
    for w in words:
        expect(w in s['reason'], '%s: step %d reason lacks "%s": %s' % (name, num, w, s['reason']),
               out)
    for other in range(1, 7):
        if other not in (num, 5) and name != 'env':
            o = step(r, other)
            expect(o['status'] != 'FAIL', '%s: step %d failed too: %s' % (name, other, o['reason']),
                   out)
    return r, took


def emulator_parts(binary):
    """Emulator symbols and library dependencies of a program."""
    out = subprocess.run(['nm', '-a', binary], stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, check=True).stdout.decode()
    out += subprocess.run(['readelf', '-d', binary], stdout=subprocess.PIPE,
                          check=True).stdout.decode()
    return [l for l in out.splitlines() if 'vmci_emu' in l]


def case_no_fault_code(a):
    """The product binary holds no fault injection; the fault launcher does."""
    found = emulator_parts(a.tool)
    expect(not found, 'dpdk-vmci-diag holds emulator code: ' + ' | '.join(found[:5]), '')
    expect(emulator_parts(a.fault_tool), 'diag_fault shows no emulator code: the check is blind',
           '')


def fake_sysfs(root):
    """A VMware VM's VMCI function, still bound to the kernel's vmw_vmci."""
    dev = os.path.join(root, '0000:00:07.7')
    os.makedirs(dev)
    for f, v in (('vendor', '0x15ad'), ('device', '0x0740'), ('class', '0x088000'),
                 ('revision', '0x10'), ('numa_node', '-1')):
        with open(os.path.join(dev, f), 'w', encoding='ascii') as fh:
            fh.write(v + '\n')
    with open(os.path.join(dev, 'resource'), 'w', encoding='ascii') as fh:
        fh.write('0x0000000000001080 0x00000000000010bf 0x0000000000040101\n')
        fh.write('0x00000000febc0000 0x00000000febfffff 0x0000000000140204\n')
        for _ in range(4):
            fh.write('0x0000000000000000 0x0000000000000000 0x0000000000000000\n')
    os.symlink('../../../bus/pci/drivers/vmw_vmci', os.path.join(dev, 'driver'))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--tool', required=True)
    ap.add_argument('--fault-tool', required=True)
    ap.add_argument('--emu-lib', required=True)
    a = ap.parse_args()
    case_no_fault_code(a)
    print('product: no emulator symbol or library in dpdk-vmci-diag')
    with tempfile.TemporaryDirectory() as tmp:
        case_pass(a, tmp)
        print('pass: all steps PASS, step 1 and 5 SKIP with their reasons')
        case_vsock(a, tmp)
        print('vsock: 4096 bytes through the emulated host\'s echo on port 7')
        case_fail(a, tmp, 'vsock_refused', [a.tool] + eal_args('vsock_refused', a.emu_lib,
                                                               host_args=',vsock=1'),
                  5, ['connect to 2:4444', 'reset', 'nothing listens'],
                  tool_args=['--vsock-port', '4444'])
        print('vsock_refused: a host port nobody listens on fails step 5')
        rc, r, out, _ = run([a.fault_tool, 'none'] + eal_args('none', a.emu_lib),
                            tmp + '/none.json')
        expect(rc == 0 and r['result'] == 'PASS', 'launcher without a fault: exit %d' % rc, out)
        case_fail(a, tmp, 'caps', [a.tool] + eal_args('caps', a.emu_lib, 'cid=20,caps=0x14'),
                  2, ['NOTIFICATIONS', '0x14'])
        print('caps: NOTIFICATIONS not offered fails step 2')
        case_fail(a, tmp, 'hcall', [a.fault_tool, 'hcall'] + eal_args('hcall', a.emu_lib),
                  3, ['RESOURCES_QUERY', 'VMCI_ERROR_NO_ACCESS'])
        print('hcall: a refused RESOURCES_QUERY fails step 3')
        _, took = case_fail(a, tmp, 'dgram', [a.fault_tool, 'dgram'] +
                            eal_args('dgram', a.emu_lib), 3, ['no answer', '2:'],
                            tool_args=['--step-timeout', '500'])
        print('dgram: a lost datagram fails step 3 at its time limit (%.1f s)' % took)
        case_fail(a, tmp, 'qpair', [a.fault_tool, 'qpair'] + eal_args('qpair', a.emu_lib),
                  4, ['QUEUEPAIR_ALLOC', 'VMCI_ERROR_NO_RESOURCES'])
        print('qpair: a refused QUEUEPAIR_ALLOC fails step 4')
        case_fail(a, tmp, 'eal', [a.tool, '--no-huge', '--no-pci', '--file-prefix=diag_eal',
                                   '--no-such-option'], 2, ['EAL init failed'])
        print('eal: an EAL init that fails is step 2 FAIL, the report still written')
        p = subprocess.run(['timeout', str(HANG_LIMIT_S), a.tool, '--', '--step-timeout', '5'],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, check=False)
        expect(p.returncode == 2, 'bad option: exit %d, expected 2' % p.returncode,
               p.stdout.decode(errors='replace'))
        sysfs = os.path.join(tmp, 'sysfs')
        fake_sysfs(sysfs)
        env = dict(os.environ, SYSFS_PCI_DEVICES=sysfs)
        r, _ = case_fail(a, tmp, 'env', [a.tool] + eal_args('env', a.emu_lib), 1,
                         ['0000:00:07.7', 'vmw_vmci'], env=env)
        fixes = step(r, 1)['fixes']
        vals = step(r, 1)['values']
        out = json.dumps(step(r, 1), indent=1)
        expect('vmci-devbind -b vfio-pci 0000:00:07.7' in fixes, 'no binding fix', out)
        expect('add the EAL option --iova-mode=pa' in fixes, 'no IOVA fix', out)
        expect(any('nr_hugepages' in f for f in fixes), 'no hugepage fix', out)
        expect(vals['pci.0000:00:07.7.bar1'] == 'mem 0xfebc0000 size 262144', 'BAR1', out)
        expect(vals['pci.0000:00:07.7.registers'].startswith('MMIO'), 'register mode', out)
        print('env: a function bound to vmw_vmci fails step 1 with the exact fixes')
    return 0


if __name__ == '__main__':
    try:
        sys.exit(main())
    except AssertionError as e:
        print('FAIL:', e)
        sys.exit(1)
