#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# testpmd forwards between two net_vmci ports that are the two ends of one
# emulated queue pair (port 0: guest, role=create; port 1: the emulated
# host end), loaded with -d from the build tree with the bus and the
# emulator. A scripted session
# starts with tx_first, stops, and "show port stats all" must show frames
# received and sent on both ports with no Rx/Tx errors and no mbuf misses.
# With "link", the session then tries to turn all-multicast off (refused:
# the port has no filter), sets port 1's link down (both links go down)
# and up again (both come back up).
#
# usage: testpmd_session.sh <bus library> <emulator library> <pmd library> <io|mac>
#        <file-prefix> [queues] [link]
set -u

if [ "${NET_VMCI_SANITIZE:-none}" != none ]; then
    echo "skipped: uninstrumented Debian tools cannot load plugins built with" \
        "-Db_sanitize=$NET_VMCI_SANITIZE"
    exit 77
fi

bus_lib=$1
emu_lib=$2
pmd_lib=$3
mode=$4
prefix=$5
queues=${6:-1}
link=${7:-}
testpmd=${DPDK_TESTPMD:-/usr/bin/dpdk-testpmd}

if [ ! -x "$testpmd" ]; then
    echo "skipped: $testpmd not installed (Debian package dpdk)"
    exit 77
fi

if [ "$(nproc)" -lt 2 ]; then
    echo "skipped: testpmd here needs lcores 0 and 1, this machine has $(nproc) CPU"
    exit 77
fi

out=$(mktemp)
trap 'rm -f "$out"' EXIT

# The link comes up a few milliseconds after start; give it a second.
{
    sleep 1
    echo "show port info all"
    echo "start tx_first"
    sleep 2
    echo "stop"
    echo "show port stats all"
    echo "show port xstats all"
    if [ "$link" = link ]; then
        echo "set allmulti 0 off"
        echo "set link-down port 1"
        sleep 1
        echo "show port info all"
        echo "set link-up port 1"
        sleep 1
        echo "show port info all"
    fi
    echo "quit"
} | timeout 60 "$testpmd" -l 0,1 --no-huge -m 1024 --no-pci --iova-mode=va \
    --file-prefix="$prefix" --log-level='*:notice' \
    -d "$bus_lib" -d "$emu_lib" -d "$pmd_lib" \
    -a vmci:vmci_emu0,cid=20 -a vmci:vmci_host0 \
    --vdev "net_vmci0,dev=vmci_emu0,role=create,peer=2,queues=$queues" \
    --vdev "net_vmci1,dev=vmci_host0,role=attach,peer=20,queues=$queues" \
    -- -i --forward-mode="$mode" --rxq="$queues" --txq="$queues" \
    --total-num-mbufs=16384 >"$out" 2>&1
rc=$?
cat "$out"
if [ $rc -ne 0 ]; then
    echo "FAIL: testpmd exited with $rc"
    exit 1
fi

# Fields of the "NIC statistics for port N" blocks, one line per port:
# port rx_packets rx_errors rx_nombuf tx_packets tx_errors
stats=$(awk '
    /NIC statistics for port/ { port = $(NF - 1); next }
    port != "" && /RX-packets:/ { rx[port] = $2 }
    port != "" && /RX-errors:/ { rxe[port] = $2 }
    port != "" && /RX-nombuf:/ { nb[port] = $2 }
    port != "" && /TX-packets:/ { tx[port] = $2; txe[port] = $4 }
    port != "" && /####################$/ && (port in tx) {
        print port, rx[port], rxe[port], nb[port], tx[port], txe[port]; port = "" }
' "$out")
echo "parsed: $stats"
ok=1
for p in 0 1; do
    line=$(echo "$stats" | awk -v p=$p '$1 == p')
    if [ -z "$line" ]; then
        echo "FAIL: no statistics for port $p"
        ok=0
        continue
    fi
    set -- $line
    if [ "$2" -le 0 ] || [ "$5" -le 0 ] || [ "$3" -ne 0 ] || [ "$4" -ne 0 ] ||
       [ "$6" -ne 0 ]; then
        echo "FAIL: port $p: rx $2 (errors $3, nombuf $4), tx $5 (errors $6)"
        ok=0
    fi
done
grep -q "Link status: up" "$out" || { echo "FAIL: no port reported link up"; ok=0; }
[ $ok -eq 1 ] || exit 1
# With several queues, every queue of both ports must have carried frames.
if [ "$queues" -gt 1 ]; then
    for p in 0 1; do
        for q in $(seq 0 $((queues - 1))); do
            n=$(awk -v p=$p -v q=$q '
                # The echo of a command may cut the header line in two.
                / statistics for port [0-9]+ *$/ { cur = $NF }
                cur == p && $1 == "rx_q" q "_packets:" { print $2 }' "$out")
            if [ "${n:-0}" -le 0 ]; then
                echo "FAIL: port $p Rx queue $q received ${n:-nothing}"
                ok=0
            fi
        done
    done
fi
[ $ok -eq 1 ] || exit 1
if [ "$link" = link ]; then
    # Link status of ports 0 and 1 in each "show port info all": at the
    # start, after the link-down, after the link-up.
    links=$(awk '/Link status:/ { printf "%s ", $3 }' "$out")
    echo "link states: $links"
    if [ "$links" != "up up down down up up " ]; then
        echo "FAIL: expected up up (start), down down (link-down), up up (link-up)"
        ok=0
    fi
    if grep "Allmulticast mode:" "$out" | grep -vq enabled; then
        echo "FAIL: a port reported all-multicast off"
        ok=0
    fi
    grep -q "Error during disabling all-multicast mode for port 0: Operation not supported" \
        "$out" || { echo "FAIL: turning all-multicast off was not refused"; ok=0; }
fi
[ $ok -eq 1 ] || exit 1
echo "PASS: $mode forwarding both ways without errors over $queues queue(s)"
