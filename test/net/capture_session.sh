#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# dpdk-dumpcap captures a net_vmci port of a running testpmd (io forwarding
# between the two ends of one emulated queue pair) into a pcapng file, and
# tshark reads the frames back: at least 200, each testpmd's 64-byte UDP
# frame 198.18.0.1 -> 198.18.0.2. Multi-process, so hugepages are needed.
# With "jumbo", testpmd sends 9000-byte frames (MTU 9000) and dumpcap runs
# as doc/net_vmci.md says, with -s 9100: each frame must be captured whole
# (dumpcap's default snapshot length, 2176, would cut it).
#
# Two details make the secondary (dumpcap) agree with the primary:
#  - dumpcap has no -d option, so the PMD is preloaded; its constructor
#    registers the driver, which attaches the port in the secondary;
#  - mempool handlers are indexed by registration order, and Debian's
#    testpmd links some mempool drivers directly: preload the same ones so
#    that dumpcap's pool means the same handler in testpmd.
#
# usage: capture_session.sh <bus library> <emulator library> <pmd library> <file-prefix>
#        [jumbo]
set -u

if [ "${NET_VMCI_SANITIZE:-none}" != none ]; then
    echo "skipped: uninstrumented Debian tools cannot load plugins built with" \
        "-Db_sanitize=$NET_VMCI_SANITIZE"
    exit 77
fi

bus_lib=$1
emu_lib=$2
pmd_lib=$3
prefix=$4
len=64
txargs=
capargs=
if [ "${5:-}" = jumbo ]; then
    len=9000
    txargs="--max-pkt-len=9018 --mbuf-size=9216 --txpkts=$len"
    capargs="-s 9100"
fi
testpmd=${DPDK_TESTPMD:-/usr/bin/dpdk-testpmd}
dumpcap=${DPDK_DUMPCAP:-/usr/bin/dpdk-dumpcap}

for tool in "$testpmd" "$dumpcap"; do
    if [ ! -x "$tool" ]; then
        echo "skipped: $tool not installed (Debian packages dpdk)"
        exit 77
    fi
done
if ! command -v tshark >/dev/null; then
    echo "skipped: tshark not installed (Debian package tshark; scripts/setup.sh installs it)"
    exit 77
fi
free=$(awk '/HugePages_Free/ { print $2 }' /proc/meminfo)
if [ "${free:-0}" -lt 400 ]; then
    echo "skipped: needs 400 free 2 MiB hugepages for two processes, ${free:-0} free"
    exit 77
fi

if [ "$(nproc)" -lt 2 ]; then
    echo "skipped: testpmd here needs lcores 0 and 1, this machine has $(nproc) CPU"
    exit 77
fi

dir=$(mktemp -d)
tp_pid=
cleanup() {
    [ -n "$tp_pid" ] && kill -INT "$tp_pid" 2>/dev/null && wait "$tp_pid"
    rm -rf "$dir"
}
trap cleanup EXIT

timeout 60 "$testpmd" -l 0,1 -m 512 --no-pci --file-prefix="$prefix" \
    --log-level='*:notice' -d "$bus_lib" -d "$emu_lib" -d "$pmd_lib" \
    -a vmci:vmci_emu0,cid=20 -a vmci:vmci_host0 \
    --vdev "net_vmci0,dev=vmci_emu0,role=create,peer=2" \
    --vdev "net_vmci1,dev=vmci_host0,role=attach,peer=20" \
    -- --forward-mode=io --tx-first --stats-period=10 --total-num-mbufs=8192 $txargs \
    >"$dir/testpmd.log" 2>&1 &
tp_pid=$!

# testpmd is forwarding once it reports the links.
for i in $(seq 100); do
    grep -q "Port 1 Link up" "$dir/testpmd.log" && break
    sleep 0.1
done
sleep 1

preload=$(ldd "$testpmd" | awk '/librte_mempool_/ { printf "%s ", $3 }')
LD_PRELOAD="$preload$pmd_lib" timeout 30 "$dumpcap" --file-prefix="$prefix" \
    -i net_vmci0 -c 200 $capargs -w "$dir/cap.pcapng"
rc=$?
kill -INT "$tp_pid"
wait "$tp_pid"
tp_pid=
if [ $rc -ne 0 ]; then
    cat "$dir/testpmd.log"
    echo "FAIL: dpdk-dumpcap exited with $rc"
    exit 1
fi

total=$(tshark -r "$dir/cap.pcapng" 2>/dev/null | wc -l)
good=$(tshark -r "$dir/cap.pcapng" \
    -Y "udp && ip.src == 198.18.0.1 && ip.dst == 198.18.0.2 && frame.len == $len && frame.cap_len == $len" \
    2>/dev/null | wc -l)
tshark -r "$dir/cap.pcapng" 2>/dev/null | head -3
echo "frames: $total, expected testpmd frames: $good"
if [ "$total" -lt 200 ] || [ "$good" -ne "$total" ]; then
    echo "FAIL: expected >= 200 frames, all $len-byte UDP 198.18.0.1 -> 198.18.0.2, captured whole"
    exit 1
fi
echo "PASS: pcapng of net_vmci0 read back by tshark"
