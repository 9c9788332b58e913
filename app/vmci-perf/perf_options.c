/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>

#include "perf_options.h"
#include "perf_transport_vmci.h"

#define QUEUE_SIZE_MIN UINT64_C(4096)
#define QUEUE_SIZE_MAX (UINT64_C(1) << 30)
/*
 * Larger than a core's L2 (1 MiB on this machine kind): in a queue that
 * fits in L2, every line the consumer reads is still modified in the
 * producer's L2 and every line the producer rewrites is still cached by the
 * consumer, so each one crosses between the two cores' L2 caches. Four
 * times that lets lines age out to the shared L3 first (64 KiB copies: 13
 * GB/s with 1 MiB queues, 43 GB/s with 4 MiB).
 */
#define QUEUE_SIZE_DEFAULT (UINT64_C(4) << 20)
#define BURST_MAX PERF_BURST_MAX
#define BURST_DEFAULT 32u
#define DURATION_MAX 3600.0

/* Framing of rte_vmci_qp_wire.h: 8-byte header, records padded to 8. */
#define REC_HDR_SIZE 8u
#define REC_ALIGN 8u

static const uint32_t default_sizes[] = { 64, 256, 1024, 4096, 16384, 65536 };

static const char *const mode_names[] = {
	[PERF_MODE_STREAM] = "stream",
	[PERF_MODE_BIDIR] = "bidir",
	[PERF_MODE_PINGPONG] = "pingpong",
};

static const char *const baseline_names[] = {
	[PERF_BL_QP_ECHO] = "qp-echo",
	[PERF_BL_UNIX] = "unix",
	[PERF_BL_UNIX_BUSY] = "unix-busy",
	[PERF_BL_PIPE] = "pipe",
	[PERF_BL_TCP] = "tcp",
	[PERF_BL_RING] = "ring",
	[PERF_BL_BARE_RING] = "bare-ring",
	[PERF_BL_MEMCPY] = "memcpy",
	[PERF_BL_CACHELINE] = "cacheline",
};

static const char *const transport_names[] = { "emu", "local-qp", "emu-mp", "vmci", "vsock" };

#define DURATION_DEFAULT 0.25
#define LCORE_MAX 1023

/* Context and resource IDs: 0xffffffff is VMCI's invalid (wildcard) ID. */
#define VMCI_ID_MAX 0xfffffffeu
/* 0 is the hypervisor, 1 reserved: a peer is the host (2) or a VM. */
#define PEER_CID_MIN 2u
#define SERVICE_MIN 1u
/* vSockets ports: 0xffffffff is VMADDR_PORT_ANY. */
#define VSOCK_PORT_MAX 0xfffffffeu
/* CID 1 is reserved (local); 0 is the hypervisor, 2 the host, 3 and up VMs. */
#define VSOCK_CID_RESERVED 1u
#define CONNECTS_MAX 1000000u
/* Largest vSockets queue: half of a VM's 128 MiB of queue-pair memory. */
#define VSOCK_QUEUE_SIZE_MAX (UINT64_C(64) << 20)

static const char *const api_names[] = {
	[PERF_API_COPY] = "copy",
	[PERF_API_ZC] = "zc",
	[PERF_API_MSG] = "msg",
};

const char *
perf_mode_name(enum perf_mode mode)
{
	return mode_names[mode];
}

const char *
perf_baseline_name(enum perf_baseline bl)
{
	return baseline_names[bl];
}

const char *
perf_api_name(enum perf_api api)
{
	return api_names[api];
}

uint64_t
perf_max_msg_size(enum perf_api api, uint64_t queue_size)
{
	uint64_t room = queue_size - 1;

	if (api != PERF_API_MSG)
		return room;
	if (room < REC_HDR_SIZE)
		return 0;
	return (room - REC_HDR_SIZE) / REC_ALIGN * REC_ALIGN;
}

unsigned int
perf_api_nb_bufs(enum perf_api api, unsigned int burst)
{
	return api == PERF_API_MSG ? burst : 1;
}

void
perf_usage(FILE *f, const char *prgname)
{
	fprintf(f,
		"Usage: %s [EAL options] -- [options]\n"
		"\n"
		"Measures VMCI queue-pair throughput and latency between two lcores of\n"
		"one process (with --transport emu-mp: of this DPDK primary process and a\n"
		"secondary it spawns), then the same over the baselines, and prints each\n"
		"baseline as a ratio to the vmci figure. Side 0 (producer, pinger) runs\n"
		"on the main lcore, side 1 (consumer, ponger) on the next enabled one:\n"
		"with \"-l 0,1\", cores 0 and 1. Without a vmci device on the command\n"
		"line, transports emu and emu-mp add an emulated one\n"
		"(-a vmci:vmci_emu0,cid=20); transport vsock, without a VMCI PCI\n"
		"function either (or with --no-pci), also the emulated host serving\n"
		"vSockets once the EAL knows the lcores, its thread on side 1's CPU\n"
		"(vmci:vmci_host0,vsock=1,vsock_cpu=CPU).\n"
		"\n"
		"Options:\n"
		"  --mode MODE         test to run (default stream):\n"
		"                        stream    one-way throughput, side 0 -> side 1\n"
		"                        bidir     both directions at once, each side\n"
		"                                  sending and receiving (figures are the\n"
		"                                  sum of both directions)\n"
		"                        pingpong  round-trip latency: one message out,\n"
		"                                  the reply back, timed; min/p50/p90/p99/\n"
		"                                  p99.9/p99.99/max\n"
		"  --transport NAME    what carries the vmci figures (default emu):\n"
		"                        emu       a queue pair the first vmci device (an\n"
		"                                  emulated one) creates for the host, with\n"
		"                                  the emulated host attached to it\n"
		"                        local-qp  both endpoints of a queue pair in this\n"
		"                                  process, no device\n"
		"                        emu-mp    as emu, but the emulated host end and\n"
		"                                  side 1 run in a DPDK secondary process\n"
		"                                  vmci-perf spawns on side 1's lcore\n"
		"                                  (needs hugepages; see doc/benchmarks.md)\n"
		"                        vmci      the guest end only: a queue pair on a\n"
		"                                  real (or emulated) vmci device for a peer\n"
		"                                  that echoes every byte back (a host\n"
		"                                  program on VMware); side 0 sends, side 1\n"
		"                                  receives the echo, so the figures are a\n"
		"                                  loop through the peer; stream and\n"
		"                                  pingpong only (see doc/benchmarks-vmware.md)\n"
		"                        vsock     a vSockets stream connection (AF_VSOCK\n"
		"                                  over VMCI) to --vsock-peer, a port that\n"
		"                                  echoes every byte (the emulated host's\n"
		"                                  echo service; on a VM any host echo, e.g.\n"
		"                                  socat VSOCK-LISTEN:PORT,fork EXEC:cat);\n"
		"                                  one lcore sends, receives the echo and\n"
		"                                  checks every byte, so the figures are a\n"
		"                                  loop through the peer; plus connection\n"
		"                                  setup time; stream and pingpong, api copy\n"
		"                                  and zc (see doc/benchmarks.md)\n"
		"  --vmci-dev NAME     vmci, vsock: the device (bus name, e.g. 0000:00:07.7\n"
		"                      or vmci_emu0; default the first PCI vmci device, else\n"
		"                      the first guest one)\n"
		"  --vsock-peer CID:PORT\n"
		"                      vsock: the echo to connect to, CID 0 or %u..%u\n"
		"                      and port 0..%u (default %u:%u, the emulated host's\n"
		"                      echo)\n"
		"  --connects K        vsock: before the data runs, make K connections one\n"
		"                      after the other (connect, established, close) and\n"
		"                      report the setup time's percentiles and connections\n"
		"                      per second, 1..%u (default %u)\n"
		"  --peer CID          vmci: context ID of the peer, %u..%u (default 2,\n"
		"                      the host)\n"
		"  --service RID       vmci: the peer's datagram resource ID that the\n"
		"                      offers go to, %u..%u (default %u)\n"
		"  --attach-timeout S  vmci: seconds to wait for the peer to attach, more\n"
		"                      than 0 and at most %.0f (default %.0f)\n"
		"  --baselines LIST    comparisons run with the same sizes and cores:\n"
		"                      all, none, or a comma-separated list of qp-echo\n"
		"                      (vsock only: a queue pair of the size the connection\n"
		"                      got, created on the same device and attached by the\n"
		"                      emulated host, echoed on side 1's lcore as the\n"
		"                      emulated host echoes, through the same send, receive\n"
		"                      and check loop: what vSockets adds), unix\n"
		"                      (AF_UNIX socketpair, blocking), unix-busy (same,\n"
		"                      non-blocking, busy-polled), pipe, tcp (127.0.0.1,\n"
		"                      TCP_NODELAY), ring (rte_ring SPSC + mempool copies),\n"
		"                      bare-ring (plain SPSC byte ring in the same memory,\n"
		"                      records of the vmci record size, index published once\n"
		"                      per burst, the fastest of the copy routines tried per\n"
		"                      size: the most any shared-memory ring moves here;\n"
		"                      every vmci figure is also given as a ratio to it),\n"
		"                      memcpy (1 MiB single-core bandwidth), cacheline\n"
		"                      (core-to-core cache-line round trip) (default all;\n"
		"                      bidir skips the kernel ones: they would deadlock\n"
		"                      with both sides blocked in write)\n"
		"  --api API           queue-pair API the workers drive (default copy; vsock:\n"
		"                      copy is rte_vmci_vsock_send/recv, zc is reserve_zc/\n"
		"                      commit and peek_zc/consume, msg is refused):\n"
		"                        copy  byte stream: one rte_vmci_qp_enqueue_bulk() and\n"
		"                              one rte_vmci_qp_dequeue_bulk() per message\n"
		"                        zc    zero copy: the producer writes each message in\n"
		"                              place (enqueue_zc_bulk_start/finish), the consumer\n"
		"                              checks it in place and releases it without\n"
		"                              copying it out (dequeue_zc_bulk_start/finish)\n"
		"                        msg   framed messages: rte_vmci_qp_msg_enqueue_burst()\n"
		"                              and rte_vmci_qp_msg_dequeue_burst() of --burst\n"
		"                              messages per call\n"
		"  --size SIZES        message sizes in bytes: a value, a comma-separated list\n"
		"                      (64,1500), a range MIN-MAX (MIN, 2*MIN, 4*MIN, ... and\n"
		"                      MAX), or a mix; k and m suffixes mean KiB and MiB;\n"
		"                      at most %u sizes, each 1..the largest message the queue\n"
		"                      carries (queue size - 1; for msg also minus the 8-byte\n"
		"                      record header, rounded down to 8)\n"
		"                      (default 64,256,1024,4096,16384,65536)\n"
		"  --queue-size BYTES  bytes in each queue of the pair, %" PRIu64 "..%" PRIu64 ";\n"
		"                      k, m and g suffixes allowed; a comma-separated list\n"
		"                      (at most %u) sweeps the vmci transport over them, the\n"
		"                      baselines run once with the first (default %" PRIu64 ";\n"
		"                      vsock: the size proposed to the peer, at most %" PRIu64 ",\n"
		"                      default %" PRIu64 ", and the peer may choose another)\n"
		"  --duration SECONDS  measuring time per message size and transport,\n"
		"                      decimal, more than 0 and at most %.0f (default 0.25;\n"
		"                      2 or more also prints a progress line per second, in\n"
		"                      every mode: the count so far, the rate over the last\n"
		"                      second and the rate since the start)\n"
		"  --count N           messages (pingpong: round trips) per size instead of\n"
		"                      a duration, 1..2^40\n"
		"  --tx-lcore N        lcore of side 0 (default the main lcore)\n"
		"  --rx-lcore N        lcore of side 1 (default the next enabled lcore)\n"
		"  --burst N           messages per msg call; for copy and zc, messages moved\n"
		"                      per poll between clock checks; 1..%u (default %u)\n"
		"  --no-verify         do not stamp and check sequence numbers (default: the\n"
		"                      producer writes a 64-bit sequence number at the start\n"
		"                      of each message, the consumer checks it and its length,\n"
		"                      and a mismatch makes the exit status 1)\n"
		"  --json FILE         also write every figure and the machine (CPU, cores,\n"
		"                      DPDK version, hugepages) to FILE as JSON\n"
		"  --hgrm FILE         pingpong: write the round-trip distribution of the\n"
		"                      first size to FILE in HdrHistogram's .hgrm text\n"
		"                      layout (values in microseconds)\n"
		"  --plot FILE.png     draw every transport at every size with gnuplot, if\n"
		"                      installed: throughput by size (stream, bidir), or a\n"
		"                      panel per size of round trip by percentile\n"
		"                      (pingpong); FILE.gp writes the gnuplot script instead\n"
		"                      (it draws FILE.png)\n"
		"  --pairs N[,N...]    the scale run instead of the transport sweep: N queue\n"
		"                      pairs (1..%u; a list sweeps) between the emulated\n"
		"                      guest and host devices, served round-robin by the\n"
		"                      same two lcores (side 0 sends, side 1 polls every\n"
		"                      pair); needs --mode stream --api msg (the defaults\n"
		"                      then: --size 64, --queue-size 64k); reports aggregate\n"
		"                      throughput, the cost of polling an idle pair, memory\n"
		"                      per pair and setup/teardown time per pair; every\n"
		"                      byte of every message is checked\n"
		"  --pairs-busy all|one  with --pairs: every pair carries a stream (all,\n"
		"                      default), or one does and the others stay idle\n"
		"  -h, --help          show this help and exit\n"
		"\n"
		"GB/s counts message payload bytes (10^9 bytes per second).\n"
		"Exit status: 0 success, 1 run failed or verification found errors,\n"
		"2 bad command line.\n",
		prgname, VSOCK_CID_RESERVED + 1, VMCI_ID_MAX, VSOCK_PORT_MAX,
		PERF_VSOCK_CID_DEFAULT, PERF_VSOCK_PORT_DEFAULT, CONNECTS_MAX,
		PERF_VSOCK_CONNECTS_DEFAULT, PEER_CID_MIN, VMCI_ID_MAX, SERVICE_MIN, VMCI_ID_MAX,
		PERF_VMCI_SERVICE_DEFAULT, DURATION_MAX, PERF_VMCI_ATTACH_TIMEOUT_DEFAULT,
		PERF_MAX_SIZES, QUEUE_SIZE_MIN, QUEUE_SIZE_MAX,
		PERF_MAX_QUEUE_SIZES, QUEUE_SIZE_DEFAULT, VSOCK_QUEUE_SIZE_MAX,
		PERF_VSOCK_QUEUE_SIZE_DEFAULT, DURATION_MAX, BURST_MAX, BURST_DEFAULT,
		PERF_PAIRS_MAX);
}

/*
 * What was wrong with the command line. It is printed after the usage
 * text so that it is the last thing on the terminal.
 */
static char parse_error[256];

static int __rte_format_printf(1, 2)
usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(parse_error, sizeof(parse_error), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* Name the option and the value, then what is allowed. */
#define bad_value(opt, fmt, ...) usage_error("--" opt " " fmt, ##__VA_ARGS__)

/* Unsigned decimal with an optional binary k/m/g suffix; ends at @end. */
static int
parse_bytes(const char *s, const char *end, uint64_t *val)
{
	unsigned int shift = 0;
	unsigned long long v;
	char *stop;

	if (s == end || !isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &stop, 10);
	if (errno != 0 || stop > end)
		return -EINVAL;
	if (stop < end) {
		switch (*stop) {
		case 'k': case 'K':
			shift = 10;
			break;
		case 'm': case 'M':
			shift = 20;
			break;
		case 'g': case 'G':
			shift = 30;
			break;
		default:
			return -EINVAL;
		}
		stop++;
	}
	if (stop != end || v > (UINT64_MAX >> shift))
		return -EINVAL;
	*val = (uint64_t)v << shift;
	return 0;
}

static int
add_size(struct perf_options *opt, uint64_t size)
{
	if (opt->nb_sizes == PERF_MAX_SIZES)
		return -ENOSPC;
	opt->sizes[opt->nb_sizes++] = (uint32_t)size;
	return 0;
}

/* One list item: "N" or "MIN-MAX" (doubling from MIN, MAX always included). */
static int
parse_size_item(struct perf_options *opt, const char *s, const char *end)
{
	const char *dash = memchr(s, '-', end - s);
	uint64_t lo, hi, v;
	int ret;

	ret = parse_bytes(s, dash == NULL ? end : dash, &lo);
	if (ret == 0 && dash != NULL)
		ret = parse_bytes(dash + 1, end, &hi);
	else
		hi = lo;
	if (ret < 0)
		return bad_value("size", "\"%.*s\" is not a size or MIN-MAX range",
				 (int)(end - s), s);
	if (lo == 0 || hi > UINT32_MAX || lo > hi)
		return bad_value("size", "\"%.*s\": expected sizes of 1 byte up to the largest"
				 " message the queue carries, MIN <= MAX", (int)(end - s), s);
	for (v = lo; v < hi && ret == 0; v *= 2)
		ret = add_size(opt, v);
	if (ret == 0)
		ret = add_size(opt, hi);
	if (ret < 0)
		return bad_value("size", "lists more than %u sizes", PERF_MAX_SIZES);
	return 0;
}

static int
parse_size(struct perf_options *opt, const char *arg)
{
	const char *s = arg;
	const char *comma;
	int ret;

	opt->size_set = true;
	opt->nb_sizes = 0;
	for (;;) {
		comma = strchr(s, ',');
		ret = parse_size_item(opt, s, comma == NULL ? s + strlen(s) : comma);
		if (ret < 0 || comma == NULL)
			return ret;
		s = comma + 1;
	}
}

static int
parse_mode(struct perf_options *opt, const char *arg)
{
	unsigned int i;

	for (i = 0; i < RTE_DIM(mode_names); i++) {
		if (strcmp(arg, mode_names[i]) == 0) {
			opt->mode = i;
			return 0;
		}
	}
	return bad_value("mode", "\"%s\": expected stream, bidir or pingpong", arg);
}

static int
parse_api(struct perf_options *opt, const char *arg)
{
	unsigned int i;

	for (i = 0; i < RTE_DIM(api_names); i++) {
		if (strcmp(arg, api_names[i]) == 0) {
			opt->api = i;
			return 0;
		}
	}
	return bad_value("api", "\"%s\": expected copy, zc or msg", arg);
}

/* One queue size, or a comma-separated sweep of them. */
static int
parse_queue_size(struct perf_options *opt, const char *arg)
{
	const char *s = arg, *comma, *end;
	uint64_t v;

	opt->nb_queue_sizes = 0;
	for (;;) {
		comma = strchr(s, ',');
		end = comma == NULL ? s + strlen(s) : comma;
		if (parse_bytes(s, end, &v) < 0 || v < QUEUE_SIZE_MIN || v > QUEUE_SIZE_MAX)
			return bad_value("queue-size", "\"%.*s\": expected %" PRIu64 "..%" PRIu64
					 " bytes (k, m, g suffixes allowed)", (int)(end - s), s,
					 QUEUE_SIZE_MIN, QUEUE_SIZE_MAX);
		if (opt->nb_queue_sizes == PERF_MAX_QUEUE_SIZES)
			return bad_value("queue-size", "lists more than %u sizes",
					 PERF_MAX_QUEUE_SIZES);
		opt->queue_sizes[opt->nb_queue_sizes++] = v;
		if (comma == NULL)
			break;
		s = comma + 1;
	}
	opt->queue_size = opt->queue_sizes[0];
	opt->queue_size_set = true;
	return 0;
}

static int
parse_pairs(struct perf_options *opt, const char *arg)
{
	const char *s = arg, *comma, *end;
	uint64_t v;

	opt->nb_pairs = 0;
	for (;;) {
		comma = strchr(s, ',');
		end = comma == NULL ? s + strlen(s) : comma;
		if (parse_bytes(s, end, &v) < 0 || v < 1 || v > PERF_PAIRS_MAX)
			return bad_value("pairs", "\"%.*s\": expected a pair count 1..%u, or a"
					 " comma-separated list of them", (int)(end - s), s,
					 PERF_PAIRS_MAX);
		if (opt->nb_pairs == PERF_MAX_PAIR_COUNTS)
			return bad_value("pairs", "lists more than %u counts", PERF_MAX_PAIR_COUNTS);
		opt->pairs[opt->nb_pairs++] = (unsigned int)v;
		if (comma == NULL)
			return 0;
		s = comma + 1;
	}
}

static int
parse_pairs_busy(struct perf_options *opt, const char *arg)
{
	if (strcmp(arg, "all") != 0 && strcmp(arg, "one") != 0)
		return bad_value("pairs-busy", "\"%s\": expected all or one", arg);
	opt->pairs_busy_one = strcmp(arg, "one") == 0;
	return 0;
}

/* Seconds in (0, DURATION_MAX], or -1. */
static int
parse_seconds(const char *arg, double *v)
{
	char *end;

	errno = 0;
	*v = strtod(arg, &end);
	if (errno != 0 || end == arg || *end != '\0' || !isfinite(*v) ||
	    *v <= 0 || *v > DURATION_MAX)
		return -1;
	return 0;
}

static int
parse_duration(struct perf_options *opt, const char *arg)
{
	double v;

	if (parse_seconds(arg, &v) < 0)
		return bad_value("duration", "\"%s\": expected seconds, more than 0 and at most %.0f",
				 arg, DURATION_MAX);
	opt->duration = v;
	opt->duration_set = 1;
	return 0;
}

static int
parse_transport(struct perf_options *opt, const char *arg)
{
	unsigned int i;

	for (i = 0; i < RTE_DIM(transport_names); i++) {
		if (strcmp(arg, transport_names[i]) == 0) {
			opt->transport = transport_names[i];
			return 0;
		}
	}
	return bad_value("transport", "\"%s\": expected emu, local-qp, emu-mp, vmci or vsock",
			 arg);
}

static int
baseline_bit(const char *s, size_t len)
{
	unsigned int i;

	for (i = 0; i < RTE_DIM(baseline_names); i++) {
		if (strlen(baseline_names[i]) == len && strncmp(s, baseline_names[i], len) == 0)
			return (int)i;
	}
	return -1;
}

static int
parse_baselines(struct perf_options *opt, const char *arg)
{
	const char *s = arg, *comma;
	size_t len;
	int bit;

	opt->qp_echo_named = false;
	if (strcmp(arg, "all") == 0) {
		opt->baselines = (1u << PERF_BL_COUNT) - 1;
		return 0;
	}
	opt->baselines = 0;
	if (strcmp(arg, "none") == 0)
		return 0;
	for (;;) {
		comma = strchr(s, ',');
		len = comma == NULL ? strlen(s) : (size_t)(comma - s);
		bit = baseline_bit(s, len);
		if (bit < 0)
			return bad_value("baselines", "\"%.*s\": expected all, none or a list of"
					 " qp-echo, unix, unix-busy, pipe, tcp, ring, bare-ring,"
					 " memcpy, cacheline",
					 (int)len, s);
		opt->baselines |= 1u << bit;
		opt->qp_echo_named |= bit == PERF_BL_QP_ECHO;
		if (comma == NULL)
			return 0;
		s = comma + 1;
	}
}

static int
parse_count(struct perf_options *opt, const char *arg)
{
	uint64_t v;

	if (parse_bytes(arg, arg + strlen(arg), &v) < 0 || v < 1 || v > (UINT64_C(1) << 40))
		return bad_value("count", "\"%s\": expected 1..2^40 messages", arg);
	opt->count = v;
	return 0;
}

static int
parse_lcore(const char *name, const char *arg, int *out)
{
	uint64_t v;

	if (parse_bytes(arg, arg + strlen(arg), &v) < 0 || v > LCORE_MAX)
		return usage_error("--%s \"%s\": expected an lcore id 0..%u enabled with -l",
				   name, arg, LCORE_MAX);
	*out = (int)v;
	return 0;
}

static int
parse_tx_lcore(struct perf_options *opt, const char *arg)
{
	return parse_lcore("tx-lcore", arg, &opt->tx_lcore);
}

static int
parse_rx_lcore(struct perf_options *opt, const char *arg)
{
	return parse_lcore("rx-lcore", arg, &opt->rx_lcore);
}

static int
parse_hgrm(struct perf_options *opt, const char *arg)
{
	if (arg[0] == '\0')
		return bad_value("hgrm", "needs a file name");
	opt->hgrm_path = arg;
	return 0;
}

static int
parse_plot(struct perf_options *opt, const char *arg)
{
	size_t len = strlen(arg);

	if ((len < 5 || strcmp(arg + len - 4, ".png") != 0) &&
	    (len < 4 || strcmp(arg + len - 3, ".gp") != 0))
		return bad_value("plot", "\"%s\": expected a file name ending in .png (drawn by"
				 " gnuplot) or .gp (the gnuplot script)", arg);
	opt->plot_path = arg;
	return 0;
}

static int
parse_burst(struct perf_options *opt, const char *arg)
{
	uint64_t v;

	if (parse_bytes(arg, arg + strlen(arg), &v) < 0 || v < 1 || v > BURST_MAX)
		return bad_value("burst", "\"%s\": expected 1..%u", arg, BURST_MAX);
	opt->burst = (unsigned int)v;
	return 0;
}

static int
parse_no_verify(struct perf_options *opt, const char *arg)
{
	(void)arg;
	opt->verify = false;
	return 0;
}

static int
parse_json(struct perf_options *opt, const char *arg)
{
	if (arg[0] == '\0')
		return bad_value("json", "needs a file name");
	opt->json_path = arg;
	return 0;
}

static int
parse_vmci_dev(struct perf_options *opt, const char *arg)
{
	if (arg[0] == '\0')
		return bad_value("vmci-dev", "needs a vmci bus device name (0000:00:07.7,"
				 " vmci_emu0)");
	opt->vmci_dev = arg;
	opt->vmci_dev_set = 1;
	return 0;
}

/* Decimal ID in [min, VMCI_ID_MAX]. */
static int
parse_vmci_id(const char *arg, uint32_t min, uint32_t *out)
{
	unsigned long long v;
	char *end;

	if (!isdigit((unsigned char)arg[0]))
		return -EINVAL;
	errno = 0;
	v = strtoull(arg, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > VMCI_ID_MAX)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

static int
parse_peer(struct perf_options *opt, const char *arg)
{
	if (parse_vmci_id(arg, PEER_CID_MIN, &opt->vmci_peer) < 0)
		return bad_value("peer", "\"%s\": expected a context ID %u..%u (2 is the host)",
				 arg, PEER_CID_MIN, VMCI_ID_MAX);
	opt->vmci_opts_set = 1;
	return 0;
}

static int
parse_service(struct perf_options *opt, const char *arg)
{
	if (parse_vmci_id(arg, SERVICE_MIN, &opt->vmci_service) < 0)
		return bad_value("service", "\"%s\": expected a resource ID %u..%u", arg,
				 SERVICE_MIN, VMCI_ID_MAX);
	opt->vmci_opts_set = 1;
	return 0;
}

static int
parse_attach_timeout(struct perf_options *opt, const char *arg)
{
	double v;

	if (parse_seconds(arg, &v) < 0)
		return bad_value("attach-timeout", "\"%s\": expected seconds, more than 0 and"
				 " at most %.0f", arg, DURATION_MAX);
	opt->attach_timeout = v;
	opt->vmci_opts_set = 1;
	return 0;
}

/* "CID:PORT" of a vSockets peer. */
static int
parse_vsock_peer(struct perf_options *opt, const char *arg)
{
	const char *colon = strchr(arg, ':');
	unsigned long long cid, port;
	char *end;

	errno = 0;
	if (colon == NULL || !isdigit((unsigned char)arg[0]) ||
	    !isdigit((unsigned char)colon[1]))
		goto bad;
	cid = strtoull(arg, &end, 10);
	if (errno != 0 || end != colon || cid > VMCI_ID_MAX || cid == VSOCK_CID_RESERVED)
		goto bad;
	port = strtoull(colon + 1, &end, 10);
	if (errno != 0 || *end != '\0' || port > VSOCK_PORT_MAX)
		goto bad;
	opt->vsock_cid = (uint32_t)cid;
	opt->vsock_port = (uint32_t)port;
	opt->vsock_opts_set = 1;
	return 0;
bad:
	return bad_value("vsock-peer", "\"%s\": expected CID:PORT, CID 0 or %u..%u (2 is the"
			 " host), PORT 0..%u", arg, VSOCK_CID_RESERVED + 1, VMCI_ID_MAX,
			 VSOCK_PORT_MAX);
}

static int
parse_connects(struct perf_options *opt, const char *arg)
{
	uint64_t v;

	if (parse_bytes(arg, arg + strlen(arg), &v) < 0 || v < 1 || v > CONNECTS_MAX)
		return bad_value("connects", "\"%s\": expected 1..%u connections", arg,
				 CONNECTS_MAX);
	opt->connects = (uint32_t)v;
	opt->vsock_opts_set = 1;
	return 0;
}

struct opt_parser {
	const char *name;
	int has_arg;
	int (*parse)(struct perf_options *opt, const char *arg);
};

/* Name-to-parser table (as app/test-crypto-perf); --help is handled apart. */
static const struct opt_parser opt_parsers[] = {
	{ "mode", required_argument, parse_mode },
	{ "api", required_argument, parse_api },
	{ "size", required_argument, parse_size },
	{ "queue-size", required_argument, parse_queue_size },
	{ "duration", required_argument, parse_duration },
	{ "burst", required_argument, parse_burst },
	{ "no-verify", no_argument, parse_no_verify },
	{ "json", required_argument, parse_json },
	{ "transport", required_argument, parse_transport },
	{ "baselines", required_argument, parse_baselines },
	{ "count", required_argument, parse_count },
	{ "tx-lcore", required_argument, parse_tx_lcore },
	{ "rx-lcore", required_argument, parse_rx_lcore },
	{ "hgrm", required_argument, parse_hgrm },
	{ "plot", required_argument, parse_plot },
	{ "vmci-dev", required_argument, parse_vmci_dev },
	{ "peer", required_argument, parse_peer },
	{ "service", required_argument, parse_service },
	{ "attach-timeout", required_argument, parse_attach_timeout },
	{ "vsock-peer", required_argument, parse_vsock_peer },
	{ "connects", required_argument, parse_connects },
	{ "pairs", required_argument, parse_pairs },
	{ "pairs-busy", required_argument, parse_pairs_busy },
};

#define OPT_HELP_INDEX RTE_DIM(opt_parsers)

static void
options_default(struct perf_options *opt)
{
	memset(opt, 0, sizeof(*opt));
	opt->mode = PERF_MODE_STREAM;
	opt->api = PERF_API_COPY;
	memcpy(opt->sizes, default_sizes, sizeof(default_sizes));
	opt->nb_sizes = RTE_DIM(default_sizes);
	opt->queue_size = QUEUE_SIZE_DEFAULT;
	opt->queue_sizes[0] = QUEUE_SIZE_DEFAULT;
	opt->nb_queue_sizes = 1;
	opt->duration = DURATION_DEFAULT;
	opt->burst = BURST_DEFAULT;
	opt->verify = true;
	opt->transport = transport_names[0];
	opt->baselines = (1u << PERF_BL_COUNT) - 1;
	opt->tx_lcore = -1;
	opt->rx_lcore = -1;
	opt->vmci_peer = 2;
	opt->vmci_service = PERF_VMCI_SERVICE_DEFAULT;
	opt->attach_timeout = PERF_VMCI_ATTACH_TIMEOUT_DEFAULT;
	opt->vsock_cid = PERF_VSOCK_CID_DEFAULT;
	opt->vsock_port = PERF_VSOCK_PORT_DEFAULT;
	opt->connects = PERF_VSOCK_CONNECTS_DEFAULT;
}

/*
 * Transport vsock: a byte stream whose queues the peer helps choose. Its
 * default queue is the vSockets default, and no more than a context may
 * propose.
 */
static int
options_vsock(struct perf_options *opt)
{
	unsigned int i;

	if (opt->api == PERF_API_MSG)
		return usage_error("--api msg: transport vsock is a byte stream (vSockets keeps"
				   " no message boundaries); expected --api copy or zc");
	if (opt->mode == PERF_MODE_BIDIR)
		return usage_error("--mode bidir: transport vsock loops one stream through a peer"
				   " that echoes it, so both directions carry the same bytes;"
				   " expected --mode stream or pingpong");
	if (!opt->queue_size_set) {
		opt->queue_sizes[0] = PERF_VSOCK_QUEUE_SIZE_DEFAULT;
		opt->queue_size = PERF_VSOCK_QUEUE_SIZE_DEFAULT;
	}
	for (i = 0; i < opt->nb_queue_sizes; i++) {
		if (opt->queue_sizes[i] > VSOCK_QUEUE_SIZE_MAX)
			return bad_value("queue-size", "%" PRIu64 ": transport vsock proposes"
					 " queues of %" PRIu64 "..%" PRIu64 " bytes",
					 opt->queue_sizes[i], QUEUE_SIZE_MIN, VSOCK_QUEUE_SIZE_MAX);
	}
	return 0;
}

/* A --pairs run: 64 B messages over 64 KiB queues unless told otherwise. */
static void
pairs_defaults(struct perf_options *opt)
{
	if (!opt->size_set) {
		opt->sizes[0] = 64;
		opt->nb_sizes = 1;
	}
	if (!opt->queue_size_set) {
		opt->queue_size = PERF_PAIRS_QUEUE_SIZE_DEFAULT;
		opt->queue_sizes[0] = PERF_PAIRS_QUEUE_SIZE_DEFAULT;
		opt->nb_queue_sizes = 1;
	}
}

/* --pairs: framed messages streamed over emulated pairs, one size, one queue size. */
static int
pairs_check(const struct perf_options *opt)
{
	if (opt->nb_pairs == 0) {
		if (opt->pairs_busy_one)
			return usage_error("--pairs-busy one: needs --pairs N");
		return 0;
	}
	if (strcmp(opt->transport, "emu") != 0 || opt->mode != PERF_MODE_STREAM ||
	    opt->api != PERF_API_MSG)
		return usage_error("--pairs: the scale run streams framed messages over emulated"
				   " pairs: expected --transport emu --mode stream --api msg, got"
				   " --transport %s --mode %s --api %s", opt->transport,
				   perf_mode_name(opt->mode), perf_api_name(opt->api));
	if (opt->nb_sizes != 1 || opt->nb_queue_sizes != 1)
		return usage_error("--pairs: one --size and one --queue-size (got %u sizes and %u"
				   " queue sizes)", opt->nb_sizes, opt->nb_queue_sizes);
	return 0;
}

/* Checks that need several options, whatever order they came in. */
static int
options_check(struct perf_options *opt)
{
	bool vsock = strcmp(opt->transport, "vsock") == 0;
	uint64_t smallest;
	uint64_t max;
	unsigned int i;
	int ret;

	if (vsock) {
		ret = options_vsock(opt);
		if (ret < 0)
			return ret;
	}
	smallest = opt->queue_sizes[0];
	for (i = 1; i < opt->nb_queue_sizes; i++)
		smallest = RTE_MIN(smallest, opt->queue_sizes[i]);
	max = perf_max_msg_size(opt->api, smallest);

	if (pairs_check(opt) < 0)
		return -EINVAL;
	if (opt->tx_lcore >= 0 && opt->tx_lcore == opt->rx_lcore)
		return usage_error("--tx-lcore and --rx-lcore are both %d: the two sides need"
				   " two different lcores", opt->tx_lcore);
	if (opt->vmci_opts_set && strcmp(opt->transport, "vmci") != 0)
		return usage_error("--peer, --service and --attach-timeout are for"
				   " --transport vmci, not --transport %s", opt->transport);
	if (opt->vmci_dev_set && strcmp(opt->transport, "vmci") != 0 && !vsock)
		return usage_error("--vmci-dev is for --transport vmci or vsock, not"
				   " --transport %s", opt->transport);
	if (opt->vsock_opts_set && !vsock)
		return usage_error("--vsock-peer and --connects are for --transport vsock, not"
				   " --transport %s", opt->transport);
	/* "all" means the baselines that apply: qp-echo only to vsock. */
	if (opt->qp_echo_named && !vsock)
		return usage_error("--baselines qp-echo: the raw queue pair through the same echo"
				   " loop is the baseline of --transport vsock, not --transport %s",
				   opt->transport);
	if (!vsock)
		opt->baselines &= ~(1u << PERF_BL_QP_ECHO);
	/*
	 * Through an echo peer both directions carry the same bytes, so
	 * there is no second, independent stream to measure.
	 */
	if (strcmp(opt->transport, "vmci") == 0 && opt->mode == PERF_MODE_BIDIR)
		return usage_error("--mode bidir: transport vmci loops one stream through a peer"
				   " that echoes it, so both directions carry the same bytes;"
				   " expected --mode stream or pingpong");
	if (opt->hgrm_path != NULL && opt->mode != PERF_MODE_PINGPONG)
		return usage_error("--hgrm %s: round-trip distributions come from --mode pingpong,"
				   " not --mode %s", opt->hgrm_path, perf_mode_name(opt->mode));
	for (i = 0; i < opt->nb_sizes; i++) {
		if (opt->sizes[i] > max)
			return bad_value("size", "%" PRIu32 ": with --api %s and --queue-size %"
					 PRIu64 ", messages are 1..%" PRIu64 " bytes",
					 opt->sizes[i], perf_api_name(opt->api),
					 smallest, max);
	}
	return 0;
}

static int
parse_argv(struct perf_options *opt, int argc, char **argv)
{
	struct option longopts[RTE_DIM(opt_parsers) + 2];
	unsigned int i;
	int idx, c;

	memset(longopts, 0, sizeof(longopts));
	for (i = 0; i < RTE_DIM(opt_parsers); i++) {
		longopts[i].name = opt_parsers[i].name;
		longopts[i].has_arg = opt_parsers[i].has_arg;
	}
	longopts[OPT_HELP_INDEX].name = "help";
	/* ':' first: a missing value is reported as ':' rather than '?'. */
	opterr = 0;
	optind = 1;
	for (;;) {
		idx = -1;
		c = getopt_long(argc, argv, ":h", longopts, &idx);
		if (c == -1)
			break;
		if (c == 'h' || (c == 0 && idx == (int)OPT_HELP_INDEX))
			return 1;
		if (c == ':') {
			return usage_error("%s needs a value", argv[optind - 1]);
		}
		if (c != 0) {
			return usage_error("unknown option %s", argv[optind - 1]);
		}
		if (opt_parsers[idx].parse(opt, optarg) < 0)
			return -EINVAL;
	}
	if (optind < argc)
		return usage_error("unexpected argument \"%s\"", argv[optind]);
	if (opt->nb_pairs > 0)
		pairs_defaults(opt);
	return options_check(opt);
}

int
perf_options_parse(struct perf_options *opt, int argc, char **argv)
{
	int ret;

	options_default(opt);
	ret = parse_argv(opt, argc, argv);
	if (ret == 1) {
		perf_usage(stdout, argv[0]);
		return 1;
	}
	if (ret < 0) {
		perf_usage(stderr, argv[0]);
		fprintf(stderr, "\nvmci-perf: error: %s\n", parse_error);
	}
	return ret;
}
