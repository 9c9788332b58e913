#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# Benchmark (not a test): testpmd io forwarding rate of net_vmci against
# net_memif, with net_ring as context, on the same two CPUs. In every
# configuration two forwarding lcores, one on each CPU, each serve one port
# and send what it receives back out of it (--port-topology=loop), so every
# ring is written on one CPU and read on the other; frames circulate from
# "start tx_first N" (N bursts of 32 per queue from each side, --bursts).
#
#   vmci        net_vmci, one process: its two ports are the two ends of one
#               emulated queue pair (guest and host device); lcore 1 (CPU A)
#               serves port 0, lcore 2 (CPU B) port 1; the idle main lcore
#               sits beside lcore 1
#   vmci-zc     as vmci, both ports receiving in place (rx_zero_copy=1):
#               a frame is copied once, into the other ring, instead of twice
#   vmci-mp     net_vmci split across a DPDK primary, which sets both ports
#               up and serves port 0, and a secondary (--proc-type=secondary,
#               same file prefix, so the same hugepages and emulated device)
#               serving port 1: one port and one lcore per process
#   memif       net_memif, server and client processes, one port each
#   ring        net_ring, one process, two ports forwarding to each other
#               (port 0's own ring is read by the lcore that writes port 1's);
#               passes mbuf pointers and copies nothing: testpmd's ceiling
#   vmci-mp-q2, memif-q2
#               the same with 2 queues per port (--rxq=2 --txq=2), still one
#               lcore per port, serving both of its queues
#   vmci-q2     cannot run so on two CPUs and is reported skipped (see
#               why_skipped below)
#
# Rounds: each round runs every size, and at each size every configuration
# once, in the order above, so that machine drift hits all alike. Each
# testpmd is interactive, its commands coming from this script: a run's
# rate is the Rx-pps that "show port stats" gives for the seconds between
# two such commands to every process, the first one second after
# forwarding started, summed over the forwarding ports. Per configuration and size: median and min-max
# over the rounds, and each net_vmci variant's ratio of medians to memif
# with the same queue count, against the targets (>= 1.5x at 64 B,
# >= 2x at 1500 B). A run that did not forward is reported with the tail
# of its logs and counted; the exit status is 1 if any run failed, 77 if
# the machine cannot run it (skip), 2 for bad arguments.
#
# Needs Debian's dpdk-testpmd, two CPUs and 1 GiB of free hugepages.
# shellcheck disable=SC2046,SC2086,SC2317,SC3045 # splitting is meant; dash has ulimit -c
set -u
set -f # arguments are kept in variables and split on blanks, never globbed

all_configs="vmci vmci-zc memif vmci-mp ring vmci-q2 memif-q2 vmci-mp-q2"

usage() {
    cat <<EOF
usage: $0 [options] <build dir> [seconds]
  -t, --seconds N    measured seconds per run (default 5)
  -r, --rounds N     rounds (default 5)
  -s, --sizes LIST   frame sizes in bytes, 64..9000, comma separated
                     (default 64,512,1500,9000)
  -c, --configs LIST configurations, comma separated, run in this order
                     (default: $(echo $all_configs | tr ' ' ','))
      --cpus A,B     the two CPUs (default: the first two this process may use)
  -b, --bursts N     bursts of 32 frames each forwarding lcore sends per queue
                     to start (testpmd's "start tx_first N"), 1..16 (default 8)
  -j, --json FILE    also write every run and the summary as JSON to FILE
  -l, --logs DIR     keep every testpmd log in DIR (round.config.size.process.log)
      --testpmd-args ARGS
                     more testpmd application arguments for every process,
                     e.g. --record-burst-stats (burst sizes, in the logs)
  -h, --help         this text
EOF
}

die() {
    echo "bench_forwarding: $*" >&2
    exit 2
}

secs=5
rounds=5
# Frames in flight: with one burst the two lcores hand a burst back and forth
# and the round trip, not the drivers' throughput, sets the rate; memif peaks
# at about 8 (doc/net_vmci.md, "Frames in flight").
bursts=8
sizes=64,512,1500,9000
configs=$(echo $all_configs | tr ' ' ',')
cpus=
json=
logs=
extra_args=
build=
secs_arg=
while [ $# -gt 0 ]; do
    case $1 in
    -t|--seconds|-r|--rounds|-s|--sizes|-c|--configs|--cpus|-b|--bursts|-j|--json|-l|--logs|--testpmd-args)
        [ $# -ge 2 ] || die "$1 needs a value"
        opt=$1 val=$2
        shift 2 ;;
    --*=*)
        opt=${1%%=*} val=${1#*=}
        shift ;;
    -h|--help)
        usage
        exit 0 ;;
    -*)
        usage >&2
        die "unknown option $1" ;;
    *)
        if [ -z "$build" ]; then
            build=$1
        elif [ -z "$secs_arg" ]; then
            secs_arg=$1 secs=$1 # the seconds argument of earlier versions
        else
            die "unexpected argument $1"
        fi
        shift
        continue ;;
    esac
    case $opt in
    -t|--seconds) secs=$val ;;
    -r|--rounds) rounds=$val ;;
    -s|--sizes) sizes=$val ;;
    -c|--configs) configs=$val ;;
    --cpus) cpus=$val ;;
    -b|--bursts) bursts=$val ;;
    -j|--json) json=$val ;;
    -l|--logs) logs=$val ;;
    --testpmd-args) extra_args=$val ;;
    *) usage >&2; die "unknown option $opt" ;;
    esac
done

is_number() {
    case $1 in
    ''|*[!0-9]*) return 1 ;;
    esac
    [ ${#1} -le 5 ]
}

is_count() { # a whole number from 1 to 3600
    is_number "$1" && [ "$1" -ge 1 ] && [ "$1" -le 3600 ]
}

[ -n "$build" ] || { usage >&2; die "no build dir given"; }
[ -d "$build" ] || die "build dir $build: not a directory"
build=$(cd "$build" && pwd)
case $build in
*[[:space:]]*) die "build dir $build: blanks in the path are not supported" ;;
esac
is_count "$secs" || die "seconds $secs: expected 1..3600"
is_count "$rounds" || die "rounds $rounds: expected 1..3600"
# memif's rings hold 1024 frames: 16 bursts of 32 from each side still fit.
{ is_count "$bursts" && [ "$bursts" -le 16 ]; } || die "bursts $bursts: expected 1..16"
sizes=$(echo "$sizes" | tr ',' ' ')
[ -n "$sizes" ] || die "no sizes given"
for len in $sizes; do
    if ! is_number "$len" || [ "$len" -lt 64 ] || [ "$len" -gt 9000 ]; then
        die "size $len: expected 64..9000 (net_vmci's MTU is at most 9000)"
    fi
done
configs=$(echo "$configs" | tr ',' ' ')
[ -n "$configs" ] || die "no configurations given"
for cfg in $configs; do
    case " $all_configs " in
    *" $cfg "*) ;;
    *) die "configuration $cfg: expected one of: $all_configs" ;;
    esac
done
if [ -n "$json" ]; then
    : >"$json" || die "cannot write $json"
    json=$(cd "$(dirname "$json")" && pwd)/$(basename "$json")
fi

if [ -n "$logs" ]; then
    mkdir -p "$logs" || die "cannot make $logs"
    logs=$(cd "$logs" && pwd)
fi

testpmd=${DPDK_TESTPMD:-/usr/bin/dpdk-testpmd}
bus=$build/drivers/vmci/librte_bus_vmci.so
emu=$build/drivers/vmci/emu/librte_vmci_emu.so
pmd=$build/drivers/vmci/net/librte_net_vmci.so

skip() {
    echo "skipped: $*"
    exit 77
}

if [ "${NET_VMCI_SANITIZE:-none}" != none ]; then
    skip "uninstrumented Debian tools cannot load plugins built with" \
        "-Db_sanitize=$NET_VMCI_SANITIZE"
fi
[ -x "$testpmd" ] || skip "$testpmd not installed (Debian package dpdk)"
for lib in "$bus" "$emu" "$pmd"; do
    [ -f "$lib" ] || die "$lib missing: build first (ninja -C $build)"
done

# The two CPUs: given, or the first two of this process's affinity.
if [ -z "$cpus" ]; then
    cpus=$(awk '/^Cpus_allowed_list:/ {
        n = split($2, r, ",")
        for (i = 1; i <= n; i++) {
            if (split(r[i], ab, "-") == 2) {
                for (c = ab[1]; c <= ab[2]; c++)
                    printf "%s%d", (k++ ? "," : ""), c
            } else {
                printf "%s%d", (k++ ? "," : ""), r[i]
            }
        }
    }' /proc/self/status | cut -d, -f1,2)
fi
case $cpus in
*,*,*|*[!0-9,]*) die "cpus $cpus: expected two CPU numbers, A,B" ;;
[0-9]*,[0-9]*) ;;
*) skip "testpmd here needs two CPUs, this process may use only CPU ${cpus:-none}" ;;
esac
cpu_a=${cpus%,*}
cpu_b=${cpus#*,}
[ "$cpu_a" != "$cpu_b" ] || die "cpus $cpus: expected two different CPUs"

# memif's two processes each take -m 512; vmci-mp's secondary takes none.
huge_mb=$(awk '/^HugePages_Free:/ { f = $2 } /^Hugepagesize:/ { s = $2 }
               END { print int(f * s / 1024) }' /proc/meminfo)
[ "${huge_mb:-0}" -ge 1024 ] ||
    skip "needs 1024 MiB of free hugepages for two processes, ${huge_mb:-0} MiB free"

# Where DPDK keeps a file prefix's hugepage files and runtime folder.
huge_dirs=$(awk '$3 == "hugetlbfs" { print $2 }' /proc/mounts)
if [ "$(id -u)" -eq 0 ]; then
    run_root=/var/run/dpdk
else
    run_root=${XDG_RUNTIME_DIR:-/tmp}/dpdk
fi

tmp=$(mktemp -d)
procs=    # processes of the current run, in start order: pid:fd:log:ports ...
prefixes= # file prefixes of the current run
nrun=0    # runs started: makes each file prefix unique

# Field n of a process entry pid:fd:log:ports (ports: comma separated).
field() { # entry n
    echo "$1" | cut -d: -f"$2"
}

# A command to a process's testpmd prompt. The FIFO takes it even when the
# process is gone (this shell holds it open for reading too); alive() is
# what notices a process that ended.
send() { # entry command
    echo "$2" >&"$(field "$1" 2)"
}

remove_prefix() { # file-prefix
    for d in $huge_dirs; do
        find "$d" -maxdepth 1 -name "${1}map_*" -delete 2>/dev/null
    done
    rm -rf "${run_root:?}/$1"
}

gone_within() { # pid tenths-of-a-second
    i=0
    while kill -0 "$1" 2>/dev/null; do
        [ $i -lt "$2" ] || return 1
        sleep 0.1
        i=$((i + 1))
    done
}

# Each process of the run, last started first: stop and quit at its
# prompt; SIGINT after 10 s, SIGKILL after 10 more. Then the hugepage files
# and runtime folders of the run's file prefixes go.
stop_run() {
    rev=
    for e in $procs; do
        rev="$e $rev"
    done
    for e in $rev; do
        p=$(field "$e" 1)
        send "$e" stop
        send "$e" quit
        if ! gone_within "$p" 100; then
            kill -INT "$p" 2>/dev/null
            if ! gone_within "$p" 100; then
                # $p is timeout(1); the hung testpmd is its child.
                for c in $(ps -o pid= --ppid "$p"); do
                    kill -KILL "$c" 2>/dev/null
                done
                kill -KILL "$p" 2>/dev/null
            fi
        fi
        wait "$p" 2>/dev/null
        eval "exec $(field "$e" 2)>&-"
        rm -f "$(field "$e" 3).in"
    done
    procs=
    for f in $prefixes; do
        remove_prefix "$f"
    done
    prefixes=
}

cleanup() {
    trap - EXIT INT TERM
    stop_run
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'echo "interrupted"; exit 130' INT TERM
trap '' PIPE

# memif's processes may crash while their peer shuts down: no core files.
ulimit -c 0

# One interactive testpmd in the background on file descriptor fd (3 or
# 4): its commands go through a FIFO that this shell holds open for reading
# and writing (so opening it never blocks, and testpmd sees the end of its
# input should this shell die); its output, line by line, into its log.
# timeout ends it should it hang after that.
start_testpmd() { # fd log ports testpmd-args...
    fd=$1 log=$2 ports=$3
    shift 3
    mkfifo "$log.in" || return 1
    : >"$log" # before wait_log reads it
    eval "exec $fd<>\"\$log.in\""
    timeout -s INT $((secs + 180)) stdbuf -oL "$testpmd" "$@" \
        <"$log.in" >"$log" 2>&1 3>&- 4>&- &
    procs="$procs $!:$fd:$log:$ports"
}

# Whether every process of the run still runs; if not, dead_why says
# how the first one that ended did.
alive() {
    for e in $procs; do
        p=$(field "$e" 1)
        if ! kill -0 "$p" 2>/dev/null; then
            wait "$p"
            dead_why="testpmd exited with status $?"
            return 1
        fi
    done
}

# Wait until a log matches a pattern, while all processes live.
wait_log() { # log pattern seconds
    i=0
    while ! grep -q "$2" "$1"; do
        alive || { fail_why="$dead_why before \"$2\""; return 1; }
        [ $i -lt $(($3 * 10)) ] || { fail_why="no \"$2\" within $3 s"; return 1; }
        sleep 0.1
        i=$((i + 1))
    done
}

wait_prompts() { # seconds
    for e in $procs; do
        wait_log "$(field "$e" 3)" "testpmd> " "$1" || return 1
    done
}

send_all() { # command
    for e in $procs; do
        send "$e" "$1"
    done
}

# "show port stats" of every forwarding port. Each prints an Rx-pps: the
# rate since the previous one of that port (0 the first time).
show_all() {
    for e in $procs; do
        for port in $(field "$e" 4 | tr ',' ' '); do
            send "$e" "show port stats $port"
        done
    done
}

# The n-th Rx-pps of each forwarding port of a process, one per line.
nth_rates() { # entry n
    awk -v ports="$(field "$1" 4)" -v n="$2" '
        /NIC statistics for port/ { port = $(NF - 1) }
        /Rx-pps:/ && /Rx-bps:/ && ++c[port] == n { v[port] = $2 }
        END { k = split(ports, p, ",")
              for (i = 1; i <= k; i++) print ((p[i] in v) ? v[p[i]] : "none") }' \
        "$(field "$1" 3)"
}

# Wait until every forwarding port has printed n Rx-pps; poll every 0.2 s.
wait_rates() { # n seconds
    i=0
    while :; do
        ok=1
        for e in $procs; do
            nth_rates "$e" "$1" | grep -q none && ok=0
        done
        [ $ok -eq 1 ] && return 0
        alive || { fail_why=$dead_why; return 1; }
        if [ $i -ge $(($2 * 5)) ]; then
            fail_why="no port statistics from every process within $2 s"
            return 1
        fi
        sleep 0.2
        i=$((i + 1))
    done
}

# "Mpps forwarding-ports ports": the n-th Rx-pps of the ports, summed, and
# how many were nonzero.
measure() { # n
    for e in $procs; do
        nth_rates "$e" "$1"
    done | awk '{ t += $1; k++; if ($1 > 0) z++ } END { printf "%.3f %d %d\n", t / 1e6, z, k }'
}

log_tail() { # log
    [ -f "$1" ] || return 0
    echo "  --- last lines of $(basename "$1"):"
    tail -n 15 "$1" | sed 's/^/  | /'
}

# Testpmd's application arguments: interactive (the script gives the
# commands), io forwarding, then the given ones and --testpmd-args. Jumbo
# frames need mbufs that hold them (before --txpkts, which testpmd checks
# against the mbuf size) and, for net_vmci, an MTU of 9000 (--max-pkt-len
# = MTU + 18); net_ring and net_memif do not enforce their MTU (memif
# cannot raise it past 1500) and carry them as they are.
app_args() { # size queues fwd-lcores vmci|other [testpmd args...]
    a="-i --forward-mode=io --no-lsc-interrupt --total-num-mbufs=16384"
    if [ "$1" -gt 1518 ]; then
        a="$a --mbuf-size=9216"
        [ "$4" = vmci ] && a="$a --max-pkt-len=9018"
    fi
    a="$a --txpkts=$1 --rxq=$2 --txq=$2 --nb-cores=$3"
    shift 4
    echo "$a $* $extra_args"
}

eal_common="-m 512 --no-pci --log-level=*:warning"
vmci_plugins="-d $bus -d $emu -d $pmd"
vmci_ports() { # queues [extra devargs of both ports]
    echo "-a vmci:vmci_emu0,cid=20 -a vmci:vmci_host0" \
        "--vdev net_vmci0,dev=vmci_emu0,role=create,peer=2,queues=$1${2:-}" \
        "--vdev net_vmci1,dev=vmci_host0,role=attach,peer=20,queues=$1${2:-}"
}

# Starts the processes of a configuration. One process: main lcore 0
# beside forwarding lcore 1 on CPU A, lcore 2 on CPU B; testpmd gives
# lcore 1 port 0's stream and lcore 2 port 1's. Two processes: each has its
# main lcore on one CPU and its one forwarding lcore on the other; the
# second uses lcore IDs 2 and 3, so the per-lcore mempool caches of
# vmci-mp's shared pool stay apart. A main lcore waits for its next command
# without using its CPU.
start_config() { # config size prefix
    cfg=$1 len=$2 pre=$3 base=$tmp/$1.$2
    q=1
    case $cfg in
    *-q2) q=2 ;;
    esac
    one="--lcores=0@$cpu_a,1@$cpu_a,2@$cpu_b"
    first="--lcores=0@$cpu_a,1@$cpu_b"
    second="--lcores=2@$cpu_b,3@$cpu_a --main-lcore=2"
    loop=--port-topology=loop
    case $cfg in
    vmci|vmci-q2|vmci-zc)
        zc=
        [ $cfg = vmci-zc ] && zc=,rx_zero_copy=1
        prefixes=$pre
        start_testpmd 3 "$base.log" 0,1 $one $eal_common --file-prefix=$pre \
            $vmci_plugins $(vmci_ports $q $zc) -- $(app_args $len $q 2 vmci $loop)
        ;;
    vmci-mp|vmci-mp-q2)
        # The primary sets both ports up and forwards port 0; then the
        # secondary attaches to its memory and forwards port 1.
        prefixes=$pre
        start_testpmd 3 "$base.primary.log" 0 $first $eal_common --file-prefix=$pre \
            $vmci_plugins $(vmci_ports $q) -- $(app_args $len $q 1 vmci $loop --portmask=0x1)
        wait_log "$base.primary.log" "testpmd> " 60 || return 1
        start_testpmd 4 "$base.secondary.log" 1 $second --proc-type=secondary --no-pci \
            --log-level=*:warning --file-prefix=$pre $vmci_plugins \
            -- $(app_args $len $q 1 vmci $loop --portmask=0x2)
        ;;
    memif|memif-q2)
        # The client connects while the server waits for its link.
        prefixes="${pre}s ${pre}c"
        sock=$tmp/$pre.sock
        start_testpmd 3 "$base.server.log" 0 $first $eal_common --file-prefix=${pre}s \
            --vdev net_memif0,role=server,socket=$sock -- $(app_args $len $q 1 other $loop)
        wait_log "$base.server.log" "Checking link statuses" 60 || return 1
        start_testpmd 4 "$base.client.log" 0 $second $eal_common --file-prefix=${pre}c \
            --vdev net_memif0,role=client,socket=$sock -- $(app_args $len $q 1 other $loop)
        ;;
    ring)
        prefixes=$pre
        start_testpmd 3 "$base.log" 0,1 $one $eal_common --file-prefix=$pre \
            --vdev net_ring0 --vdev net_ring1 -- $(app_args $len 1 2 other)
        ;;
    esac
}

results=$tmp/results # round config size mpps ok|FAIL
: >"$results"
failures=0

# One run: start the processes, wait for every prompt, start forwarding
# ($bursts bursts of 32 frames per queue from each side), take a reference "show port stats"
# of every forwarding port after one second and the measured one secs
# later, stop. Appends to $results.
run_one() { # round config size
    nrun=$((nrun + 1))
    fail_why=
    procs=
    mpps=0
    if start_config "$2" "$3" "bfwd$$_$nrun" && wait_prompts 60; then
        send_all "start tx_first $bursts"
        sleep 1
        show_all
        if wait_rates 1 10; then
            sleep "$secs"
            show_all
            if wait_rates 2 10; then
                set -- "$@" $(measure 2)
                mpps=$4
                [ "$5" -eq "$6" ] ||
                    fail_why="only $5 of $6 ports forwarded during the $secs s"
            fi
        fi
    fi
    logs_of_run=
    for e in $procs; do
        logs_of_run="$logs_of_run $(field "$e" 3)"
    done
    stop_run
    if [ -z "$fail_why" ]; then
        printf '  %-11s %5s B  %9.3f Mpps\n' "$2" "$3" "$mpps"
        echo "$1 $2 $3 $mpps ok" >>"$results"
    else
        printf '  %-11s %5s B  FAILED: %s\n' "$2" "$3" "$fail_why"
        for l in $logs_of_run; do
            log_tail "$l"
        done
        echo "$1 $2 $3 0 FAIL" >>"$results"
        failures=$((failures + 1))
    fi
    for l in $logs_of_run; do
        [ -n "$logs" ] && [ -f "$l" ] && cp "$l" "$logs/$1.$(basename "$l")"
        rm -f "$l"
    done
}

# Why a configuration cannot run as this benchmark means it on two CPUs
# (nothing if it can).
why_skipped() { # config
    case $1 in
    vmci-q2)
        echo "testpmd hands each of the 2 forwarding lcores one queue of both" \
            "ports (streams are queue-major), so both ends of every queue pair" \
            "would share a CPU and no frame would cross CPUs; vmci-mp-q2 is" \
            "net_vmci with 2 queues across the two CPUs"
        ;;
    esac
}

skips=$tmp/skipped # config reason
: >"$skips"
run_configs=
for cfg in $configs; do
    why=$(why_skipped "$cfg")
    if [ -n "$why" ]; then
        echo "$cfg $why" >>"$skips"
    else
        run_configs="$run_configs $cfg"
    fi
done

nruns=$(($(echo $run_configs | wc -w) * $(echo $sizes | wc -w) * rounds))
echo "testpmd io forwarding, $rounds round(s) of $secs s per run, CPUs $cpu_a and $cpu_b," \
    "$bursts burst(s) of 32 frames per queue from each side;" \
    "sizes $(echo $sizes | tr ' ' ','); configurations: $(echo $configs | tr ' ' ',');" \
    "$nruns runs, about $(((nruns * (secs + 4) + 59) / 60)) min"
while read -r cfg why; do
    echo "$cfg: skipped: $why"
done <"$skips"
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
r=1
while [ $r -le "$rounds" ]; do
    echo "round $r/$rounds (load average $(cut -d' ' -f1-3 /proc/loadavg)):"
    for len in $sizes; do
        for cfg in $run_configs; do
            run_one $r $cfg $len
        done
    done
    r=$((r + 1))
done
load_end=$(cut -d' ' -f1-3 /proc/loadavg)

# Summary: per configuration and size, median and min-max of the runs that
# forwarded; net_vmci variants against memif with the same queue count.
awk -v configs="$configs" -v sizes="$sizes" -v json="$json" -v secs="$secs" \
    -v bursts="$bursts" -v rounds="$rounds" -v cpus="$cpu_a,$cpu_b" -v load0="$load_start" \
    -v load1="$load_end" -v skips="$skips" '
function median(c, z,   n, i, j, t, v) {
    n = cnt[c, z]
    for (i = 1; i <= n; i++) v[i] = val[c, z, i]
    for (i = 2; i <= n; i++)
        for (j = i; j > 1 && v[j - 1] > v[j]; j--) { t = v[j]; v[j] = v[j - 1]; v[j - 1] = t }
    lo[c, z] = v[1]; hi[c, z] = v[n]
    return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
}
function driver(c) { return c ~ /^vmci/ ? "net_vmci" : c ~ /^memif/ ? "net_memif" : "net_ring" }
function procs(c) { return c ~ /^(vmci-mp|memif)/ ? 2 : 1 }
function queues(c) { return c ~ /-q2$/ ? 2 : 1 }
function baseline(c) { return c !~ /^vmci/ ? "" : queues(c) == 2 ? "memif-q2" : "memif" }
{
    runs[$2, $3]++
    if ($5 == "ok") val[$2, $3, ++cnt[$2, $3]] = $4
    nraw++; raw[nraw] = $0
}
END {
    while ((getline line < skips) > 0) {
        c = line; sub(/ .*/, "", c); r = line; sub(/^[^ ]* /, "", r); skipped[c] = r
    }
    nc = split(configs, cl, " "); ns = split(sizes, sl, " ")
    tgt[64] = 1.5; tgt[1500] = 2
    for (i = 1; i <= nc; i++) for (j = 1; j <= ns; j++)
        if (cnt[cl[i], sl[j]]) med[cl[i], sl[j]] = median(cl[i], sl[j])
    printf "\nsummary: Mpps forwarded (both directions), %d round(s) of %d s\n", rounds, secs
    printf "%-11s %-9s %5s %6s %6s %9s %19s %7s %9s %s\n", "config", "driver", "procs",
        "queues", "size", "median", "min-max", "Gbit/s", "vs memif", "target"
    for (j = 1; j <= ns; j++) for (i = 1; i <= nc; i++) {
        c = cl[i]; z = sl[j]; b = baseline(c)
        line = sprintf("%-11s %-9s %5d %6d %6d", c, driver(c), procs(c), queues(c), z)
        ratio[c, z] = ""; met[c, z] = ""
        if (c in skipped) {
            printf "%s  skipped: cannot run on two CPUs as meant (above)\n", line
            continue
        }
        if (!cnt[c, z]) {
            printf "%s  no run forwarded (%d failed)\n", line, runs[c, z]
            continue
        }
        rs = "-"; ts = ""
        if (b != "" && cnt[b, z] && med[b, z] > 0) {
            ratio[c, z] = med[c, z] / med[b, z]
            rs = sprintf("%.2fx", ratio[c, z])
            if (z in tgt) {
                met[c, z] = ratio[c, z] >= tgt[z] ? "true" : "false"
                ts = sprintf(">= %gx %s", tgt[z], met[c, z] == "true" ? "met" : "MISSED")
            }
        } else if (b != "") {
            rs = "no " b
        }
        mm = sprintf("%.3f-%.3f", lo[c, z], hi[c, z])
        if (cnt[c, z] < runs[c, z]) mm = mm sprintf(" (%d/%d)", cnt[c, z], runs[c, z])
        printf "%s %9.3f %19s %7.2f %9s %s\n", line, med[c, z], mm,
            med[c, z] * z * 8 / 1000, rs, ts
    }
    printf "load average at the start %s, at the end %s\n", load0, load1
    if (json == "") exit
    printf "{\n  \"benchmark\": \"testpmd io forwarding\",\n" > json
    printf "  \"seconds\": %d,\n  \"rounds\": %d,\n  \"bursts\": %d,\n  \"cpus\": [%s],\n", secs, rounds, bursts, cpus > json
    printf "  \"load_average_start\": \"%s\",\n  \"load_average_end\": \"%s\",\n", load0, load1 > json
    printf "  \"runs\": [\n" > json
    for (k = 1; k <= nraw; k++) {
        split(raw[k], f, " ")
        printf "    {\"round\": %d, \"config\": \"%s\", \"size\": %d, \"mpps\": %s, \"forwarded\": %s}%s\n",
            f[1], f[2], f[3], (f[5] == "ok" ? f[4] : "null"), (f[5] == "ok" ? "true" : "false"),
            (k < nraw ? "," : "") > json
    }
    printf "  ],\n  \"summary\": [\n" > json
    n = 0
    for (j = 1; j <= ns; j++) for (i = 1; i <= nc; i++) {
        c = cl[i]; z = sl[j]; b = baseline(c)
        printf "%s    {\"config\": \"%s\", \"driver\": \"%s\", \"processes\": %d, \"queues\": %d, \"size\": %d, \"runs\": %d, \"forwarded\": %d",
            (n++ ? ",\n" : ""), c, driver(c), procs(c), queues(c), z, runs[c, z], cnt[c, z] > json
        if (c in skipped)
            printf ", \"skipped\": \"%s\"", skipped[c] > json
        if (cnt[c, z])
            printf ", \"median_mpps\": %.3f, \"min_mpps\": %.3f, \"max_mpps\": %.3f", med[c, z], lo[c, z], hi[c, z] > json
        if (b != "")
            printf ", \"baseline\": \"%s\", \"ratio\": %s", b,
                (ratio[c, z] == "" ? "null" : sprintf("%.3f", ratio[c, z])) > json
        if (b != "" && (z in tgt))
            printf ", \"target\": %g, \"met\": %s", tgt[z],
                (met[c, z] == "" ? "null" : met[c, z]) > json
        printf "}" > json
    }
    printf "\n  ]\n}\n" > json
}' "$results"

if [ "$failures" -gt 0 ]; then
    echo "$failures run(s) did not forward: see FAILED above"
    exit 1
fi
exit 0
