#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# Benchmark (not a test): testpmd io forwarding rate over net_vmci, net_ring
# and net_memif, 64 and 1500 byte frames, --tx-first (32 frames per port
# circulating). Prints one line per run: driver, frame size, forwarded
# packets per second summed over the ports (mean of the last samples of
# --stats-period=1). Needs hugepages for memif's two processes.
#
# usage: test/net/bench_forwarding.sh <build dir> [seconds]
set -u

build=$(cd "$1" && pwd)
secs=${2:-8}
testpmd=${DPDK_TESTPMD:-/usr/bin/dpdk-testpmd}
bus=$build/drivers/vmci/librte_bus_vmci.so
emu=$build/drivers/vmci/emu/librte_vmci_emu.so
pmd=$build/drivers/vmci/net/librte_net_vmci.so
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Mean of the last 3 "Rx-pps" samples of each port in a log, summed.
rate() {
    awk '/Rx-pps:/ { n[port]++; v[port, n[port]] = $2 }
         /NIC statistics for port/ { port = FILENAME ":" $(NF - 1) }
         END { t = 0
               for (p in n) { s = 0; k = 0
                   for (i = n[p]; i > n[p] - 3 && i > 1; i--) { s += v[p, i]; k++ }
                   if (k) t += s / k }
               printf "%.0f\n", t }' "$@"
}

run() { # name log args...
    name=$1 log=$2
    shift 2
    timeout -s INT "$secs" "$testpmd" "$@" >"$log" 2>&1
}

for len in 64 1500; do
    fwd="--forward-mode=io --tx-first --stats-period=1 --txpkts=$len --total-num-mbufs=16384"
    run vmci "$tmp/vmci.log" -l 0,1 -m 512 --no-pci --file-prefix=bench_vmci \
        --log-level='*:warning' -d "$bus" -d "$emu" -d "$pmd" \
        -a vmci:vmci_emu0,cid=20 -a vmci:vmci_host0 \
        --vdev net_vmci0,dev=vmci_emu0,role=create,peer=2 \
        --vdev net_vmci1,dev=vmci_host0,role=attach,peer=20 \
        -- $fwd
    echo "net_vmci  $len B: $(rate "$tmp/vmci.log") pps"

    run ring "$tmp/ring.log" -l 0,1 -m 512 --no-pci --file-prefix=bench_ring \
        --log-level='*:warning' --vdev net_ring0 --vdev net_ring1 -- $fwd
    echo "net_ring  $len B: $(rate "$tmp/ring.log") pps"

    # memif: server and client processes, one port each; the fwd lcores
    # are 1 and 0, the (idle) main lcores the other core.
    run memif "$tmp/memif_s.log" -l 0,1 --main-lcore 0 -m 256 --no-pci \
        --file-prefix=bench_memif_s --log-level='*:warning' \
        --vdev net_memif0,role=server,socket=$tmp/memif.sock -- $fwd &
    sleep 1
    run memif "$tmp/memif_c.log" -l 0,1 --main-lcore 1 -m 256 --no-pci \
        --file-prefix=bench_memif_c --log-level='*:warning' \
        --vdev net_memif0,role=client,socket=$tmp/memif.sock -- $fwd
    wait
    echo "net_memif $len B: $(rate "$tmp/memif_s.log" "$tmp/memif_c.log") pps"
done
