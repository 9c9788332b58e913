/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

/*
 * Transport vsock: a vSockets stream connection (rte_vmci_vsock.h) to a
 * peer port that echoes every byte: by default the emulated host's echo
 * service (CID 2, port 7), on a VMware VM any host echo, such as
 * socat VSOCK-LISTEN:PORT,fork EXEC:cat. Unlike transport vmci it needs
 * no program of ours on the host.
 *
 * A vSockets context and its sockets belong to one thread at a time, the
 * one that polls it (doc/vsock.md), so one lcore does everything: side 0
 * sends, receives the echo, checks every byte (the loop of perf_echo.h,
 * over rte_vmci_vsock_send/recv and their zero-copy forms) and polls the
 * context about once a millisecond (control packets, the peer's
 * notifications and its detach).
 *
 * Before the data connection, the transport times --connects connections
 * made one after the other (connect to established, then close).
 */

/* sched_getaffinity() of another thread of this process, CPU_* macros. */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#include <rte_bus_vmci.h>
#include <rte_vmci_vsock.h>

#include "perf_echo.h"
#include "perf_hist.h"
#include "perf_report.h"
#include "perf_transport.h"
#include "perf_transport_vmci.h"

/* What the emulated host names its vSockets thread (vsock-emulated-host.md). */
#define VSOCK_EMU_HOST_THREAD "vmci-vsock-host"

struct vsock_priv {
	struct perf_echo echo;           /* first: the loop's state */
	struct rte_vmci_vsock *s;
	struct rte_vmci_vsock_ctx *ctx;
	struct rte_vmci_device *dev;
	const char *dev_name;
	uint32_t cid;
	uint32_t port;
	bool emulated;                   /* the device is the emulator's */
	struct perf_setup setup;
	struct perf_hist *hist;
};

/* Why the socket no longer carries data: its error, else "not connected". */
static int
vsock_gone_err(const struct vsock_priv *p)
{
	int err = rte_vmci_vsock_error(p->s);

	return err != 0 ? err : -ENOTCONN;
}

/* The loop's calls: the socket's. */

static ssize_t
vsock_io_send(void *s, const void *buf, size_t len)
{
	return rte_vmci_vsock_send(s, buf, len);
}

static ssize_t
vsock_io_recv(void *s, void *buf, size_t len)
{
	return rte_vmci_vsock_recv(s, buf, len);
}

static ssize_t
vsock_io_reserve_zc(void *s, size_t len, struct rte_vmci_qp_zc *zc)
{
	return rte_vmci_vsock_reserve_zc(s, len, zc);
}

static int
vsock_io_commit(void *s, size_t n)
{
	return rte_vmci_vsock_commit(s, n);
}

static ssize_t
vsock_io_peek_zc(void *s, size_t len, struct rte_vmci_qp_zc *zc)
{
	return rte_vmci_vsock_peek_zc(s, len, zc);
}

static int
vsock_io_consume(void *s, size_t n)
{
	return rte_vmci_vsock_consume(s, n);
}

/*
 * Once a millisecond: poll the context (its control packets and the
 * peer's detach would otherwise wait in the device), then check that the
 * connection still stands.
 */
static int
vsock_check(struct perf_echo *e)
{
	struct vsock_priv *p = container_of(e, struct vsock_priv, echo);
	int ret;

	ret = rte_vmci_vsock_poll(p->ctx);
	if (ret < 0)
		return perf_echo_fail(e, ret, "polling %s", p->dev_name);
	if (rte_vmci_vsock_state(p->s) != RTE_VMCI_VSOCK_ESTABLISHED)
		return perf_echo_fail(e, vsock_gone_err(p), "the peer closed or reset the"
				      " connection during the run");
	return 0;
}

static const struct perf_echo_io vsock_io = {
	.send = vsock_io_send,
	.recv = vsock_io_recv,
	.reserve_zc = vsock_io_reserve_zc,
	.commit = vsock_io_commit,
	.peek_zc = vsock_io_peek_zc,
	.consume = vsock_io_consume,
	.name = {
		[PERF_ECHO_SEND] = "rte_vmci_vsock_send",
		[PERF_ECHO_RECV] = "rte_vmci_vsock_recv",
		[PERF_ECHO_RESERVE_ZC] = "rte_vmci_vsock_reserve_zc",
		[PERF_ECHO_COMMIT] = "rte_vmci_vsock_commit",
		[PERF_ECHO_PEEK_ZC] = "rte_vmci_vsock_peek_zc",
		[PERF_ECHO_CONSUME] = "rte_vmci_vsock_consume",
	},
	.check = vsock_check,
};

static int
vsock_run_start(struct perf_transport *tp, const struct perf_side_params *sp)
{
	struct vsock_priv *p = tp->priv;

	if (rte_vmci_vsock_state(p->s) != RTE_VMCI_VSOCK_ESTABLISHED) {
		fprintf(stderr, "vmci-perf: vsock %" PRIu32 ":%" PRIu32 ": the connection is"
			" gone: %s\n", p->cid, p->port, strerror(-vsock_gone_err(p)));
		return vsock_gone_err(p);
	}
	return perf_echo_run_start(&p->echo, sp);
}

/*
 * Side 0 has stopped. Stream: the rest of the echo comes back here, on
 * the calling lcore: the context's thread for now.
 */
static int
vsock_run_wait(struct perf_transport *tp, struct perf_side_report *rep)
{
	perf_echo_run_wait(&((struct vsock_priv *)tp->priv)->echo, rep);
	return 0;
}

/* Connection setup. */

/*
 * Why connection @p nth (0: the first) failed, and what to do about it. A
 * refusal after connections that worked is the listener's backlog: the
 * peer accepts them more slowly than they come.
 */
static void
vsock_explain_connect(const struct vsock_priv *p, int err, uint32_t nth)
{
	char after[160];
	const char *why;

	switch (err) {
	case -ECONNRESET:
		if (nth > 0) {
			snprintf(after, sizeof(after), "refused after %" PRIu32 " connections"
				 " that worked: the listener's backlog is full (socat:"
				 " VSOCK-LISTEN:PORT,backlog=N; or fewer --connects)", nth);
			why = after;
			break;
		}
		why = "refused: nobody listens on that port";
		break;
	case -ETIMEDOUT:
		why = "no answer within the connect timeout: is that context up and does it"
			" run vSockets (on a Linux host, the vmw_vsock_vmci_transport module)?";
		break;
	case -EPROTO:
		why = "the peer broke the protocol (the log of pmd.vmci.vsock says how)";
		break;
	default:
		why = strerror(-err);
		break;
	}
	fprintf(stderr, "vmci-perf: transport vsock: connecting to %" PRIu32 ":%" PRIu32
		" on %s failed: %s (%s). It needs a peer that echoes every byte:%s on a VM,"
		" start one on the host, e.g. socat VSOCK-LISTEN:%" PRIu32 ",fork EXEC:cat,"
		" and give --vsock-peer 2:%" PRIu32 " (doc/benchmarks-vmware.md)\n",
		p->cid, p->port, p->dev_name, why, strerror(-err),
		p->emulated ? " the emulated host (-a vmci:vmci_host0,vsock=1) echoes on port 7;" :
		"", p->port, p->port);
}

/*
 * Connect (connection @p nth of a sequence), and poll the context until
 * the handshake ends. @p cycles: TSC cycles from the connect call to
 * ESTABLISHED.
 */
static int
vsock_connect(struct vsock_priv *p, uint32_t nth, struct rte_vmci_vsock **sp, uint64_t *cycles)
{
	struct rte_vmci_vsock *s;
	uint64_t t0, t1;
	int ret;

	t0 = rte_rdtsc_precise();
	s = rte_vmci_vsock_connect(p->ctx, p->cid, p->port, RTE_VMCI_VSOCK_PORT_ANY);
	if (s == NULL) {
		ret = -rte_errno;
		fprintf(stderr, "vmci-perf: rte_vmci_vsock_connect(%" PRIu32 ":%" PRIu32 "): %s\n",
			p->cid, p->port, rte_strerror(rte_errno));
		return ret;
	}
	while (rte_vmci_vsock_state(s) == RTE_VMCI_VSOCK_CONNECTING) {
		ret = rte_vmci_vsock_poll(p->ctx);
		if (ret < 0) {
			fprintf(stderr, "vmci-perf: polling %s: %s\n", p->dev_name,
				strerror(-ret));
			rte_vmci_vsock_close(s);
			return ret;
		}
	}
	t1 = rte_rdtsc_precise();
	if (rte_vmci_vsock_state(s) != RTE_VMCI_VSOCK_ESTABLISHED) {
		ret = rte_vmci_vsock_error(s);
		if (ret == 0)
			ret = -ECONNABORTED;
		vsock_explain_connect(p, ret, nth);
		rte_vmci_vsock_close(s);
		return ret;
	}
	*sp = s;
	*cycles = t1 - t0;
	return 0;
}

/* --connects K: connect, established, close, K times; the setup times and their rate. */
static int
vsock_time_connects(struct vsock_priv *p, const struct perf_options *opt)
{
	double ns_per_cycle = 1e9 / (double)rte_get_tsc_hz();
	struct rte_vmci_vsock *s;
	uint64_t start, cycles;
	uint32_t i;
	int ret;

	perf_hist_reset(p->hist);
	start = rte_rdtsc_precise();
	for (i = 0; i < opt->connects; i++) {
		ret = vsock_connect(p, i, &s, &cycles);
		if (ret < 0)
			return ret;
		perf_hist_record(p->hist, (uint64_t)((double)cycles * ns_per_cycle));
		rte_vmci_vsock_close(s);
	}
	memset(&p->setup, 0, sizeof(p->setup));
	snprintf(p->setup.peer, sizeof(p->setup.peer), "%" PRIu32 ":%" PRIu32, p->cid, p->port);
	p->setup.queue_size = opt->queue_size;
	p->setup.count = opt->connects;
	p->setup.seconds = (double)(rte_rdtsc_precise() - start) / (double)rte_get_tsc_hz();
	perf_latency_from_hist(p->hist, &p->setup.lat);
	printf("vsock: connection setup, one connection after the other (connect, established,"
	       " close):\n");
	perf_report_setup(stdout, &p->setup);
	return 0;
}

/* Our thread of the emulated host, by the name it gives itself; 0 if none. */
static pid_t
vsock_emu_host_tid(void)
{
	char path[sizeof(((struct dirent *)NULL)->d_name) + 32], comm[32];
	struct dirent *e;
	pid_t tid = 0;
	FILE *f;
	DIR *d;

	d = opendir("/proc/self/task");
	if (d == NULL)
		return 0;
	while (tid == 0 && (e = readdir(d)) != NULL) {
		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/comm", e->d_name);
		f = fopen(path, "r");
		if (f == NULL)
			continue;
		if (fgets(comm, sizeof(comm), f) != NULL &&
		    strncmp(comm, VSOCK_EMU_HOST_THREAD, strlen(VSOCK_EMU_HOST_THREAD)) == 0)
			tid = (pid_t)atoi(e->d_name);
		fclose(f);
	}
	closedir(d);
	return tid;
}

/* The CPUs of @p set, as "0,2,3". */
static void
vsock_cpu_list(const cpu_set_t *set, char *buf, size_t len)
{
	size_t n = 0;
	unsigned int cpu;

	buf[0] = '\0';
	for (cpu = 0; cpu < CPU_SETSIZE && n < len; cpu++)
		if (CPU_ISSET(cpu, set))
			n += snprintf(buf + n, len - n, "%s%u", n > 0 ? "," : "", cpu);
}

/*
 * Where the emulated host serves its vSockets services: a control thread
 * of this process, on the CPU its device's devarg vsock_cpu= names, else
 * where the EAL puts control threads: the CPUs of no lcore or, when the
 * lcores take them all, the main lcore's, beside side 0, where the two
 * would take turns on one CPU. A host runs on cores of its own: when
 * vmci-perf adds the device, it names side 1's CPU, which this transport
 * leaves idle. Say where it runs.
 */
static void
vsock_report_emu_host(void)
{
	static bool reported;
	unsigned int lcore = perf_echo_peer_lcore();
	unsigned int cpu;
	char cpus[128];
	cpu_set_t set;
	pid_t tid;

	if (reported || lcore >= RTE_MAX_LCORE)
		return;
	tid = vsock_emu_host_tid();
	if (tid == 0)
		return;
	reported = true;
	if (sched_getaffinity(tid, sizeof(set), &set) < 0) {
		fprintf(stderr, "vmci-perf: cannot read the CPUs of the emulated host's thread"
			" %d: %s\n", (int)tid, strerror(errno));
		return;
	}
	cpu = rte_lcore_to_cpu_id((int)lcore);
	vsock_cpu_list(&set, cpus, sizeof(cpus));
	if (CPU_COUNT(&set) == 1 && CPU_ISSET(cpu, &set))
		printf("vsock: the emulated host's thread (%s, tid %d) runs on CPU %u, the CPU of"
		       " lcore %u, which this transport leaves idle\n", VSOCK_EMU_HOST_THREAD,
		       (int)tid, cpu, lcore);
	else
		printf("vsock: the emulated host's thread (%s, tid %d) runs on CPU %s, where the"
		       " EAL puts control threads, not on CPU %u of lcore %u, which this transport"
		       " leaves idle: the devarg vsock_cpu=%u of vmci_host0 puts it there"
		       " (doc/vsock-emulated-host.md)\n", VSOCK_EMU_HOST_THREAD, (int)tid, cpus,
		       cpu, lcore, cpu);
}

/* The data connection, and what it is. */
static int
vsock_open_data(struct vsock_priv *p, const struct perf_options *opt, struct perf_transport *tp)
{
	uint32_t local_cid, local_port;
	uint64_t cycles;
	int ret;

	ret = vsock_connect(p, opt->connects, &p->s, &cycles);
	if (ret < 0)
		return ret;
	tp->queue_size = rte_vmci_vsock_buffer_size(p->s);
	rte_vmci_vsock_addr(p->s, &local_cid, &local_port, NULL, NULL);
	printf("vsock: connected to %" PRIu32 ":%" PRIu32 " from %" PRIu32 ":%" PRIu32 " on %s in"
	       " %.1f us: queues of %" PRIu64 " bytes (%" PRIu64 " proposed), %s notifications\n",
	       p->cid, p->port, local_cid, local_port, p->dev_name,
	       (double)cycles * 1e6 / (double)rte_get_tsc_hz(), tp->queue_size, opt->queue_size,
	       rte_vmci_vsock_notify_proto(p->s) == RTE_VMCI_VSOCK_NOTIFY_CLASSIC ?
	       "classic" : "queue-state");
	printf("vsock: every figure is a loop through the peer (guest -> peer -> guest): one"
	       " lcore sends, takes the echo, checks every byte and polls the context%s\n",
	       p->echo.stream ? "; stream throughput runs from the first byte sent to the last"
	       " message back" : "");
	fflush(stdout);
	return 0;
}

static void
vsock_close(struct perf_transport *tp)
{
	struct vsock_priv *p = tp->priv;
	struct rte_vmci_vsock_stats st;

	if (p == NULL)
		return;
	if (p->s != NULL && rte_vmci_vsock_stats_get(p->s, &st) == 0)
		printf("vsock: closing the connection to %" PRIu32 ":%" PRIu32 ": %" PRIu64
		       " bytes sent, %" PRIu64 " received; WROTE/READ notifications %" PRIu64
		       " sent (%" PRIu64 " failed), %" PRIu64 " received; WROTEs held: %" PRIu64
		       " not needed, %" PRIu64 " sent late\n", p->cid, p->port,
		       st.tx_bytes, st.rx_bytes, st.notify_tx, st.notify_tx_fail, st.notify_rx,
		       st.wrote_saved, st.wrote_late);
	/* The peer hears the detach and closes its end. */
	rte_vmci_vsock_close(p->s);
	rte_vmci_vsock_ctx_destroy(p->ctx);
	perf_echo_free(&p->echo);
	rte_free(p->hist);
	rte_free(p);
	tp->priv = NULL;
}

static int
vsock_open(struct perf_transport *tp, const struct perf_options *opt, int socket)
{
	struct rte_vmci_vsock_conf conf;
	struct rte_vmci_dev_info info;
	struct vsock_priv *p;
	int ret;

	p = rte_zmalloc_socket("vmci_perf_vsock", sizeof(*p), RTE_CACHE_LINE_SIZE, socket);
	if (p == NULL) {
		fprintf(stderr, "vmci-perf: out of memory for the transport\n");
		return -ENOMEM;
	}
	tp->priv = p;
	p->cid = opt->vsock_cid;
	p->port = opt->vsock_port;
	perf_echo_init(&p->echo, &vsock_io, opt, socket);
	snprintf(p->echo.who, sizeof(p->echo.who), "vsock %" PRIu32 ":%" PRIu32, p->cid,
		 p->port);
	p->hist = rte_malloc_socket("vmci_perf_vsock_hist", sizeof(*p->hist),
				    RTE_CACHE_LINE_SIZE, socket);
	if (p->hist == NULL) {
		fprintf(stderr, "vmci-perf: out of memory for the setup histogram\n");
		ret = -ENOMEM;
		goto fail;
	}
	ret = perf_vmci_find_device(opt, "vsock", "run with --no-pci and no vmci device:"
				    " vmci-perf adds the emulated guest and host devices",
				    &p->dev, &p->dev_name);
	if (ret < 0)
		goto fail;
	p->emulated = rte_vmci_dev_info_get(p->dev, &info) == 0 &&
		strcmp(info.backend, "emu") == 0;
	memset(&conf, 0, sizeof(conf));
	conf.buffer_size = opt->queue_size;
	conf.socket_id = socket;
	p->ctx = rte_vmci_vsock_ctx_create(p->dev, &conf);
	if (p->ctx == NULL) {
		ret = -rte_errno;
		fprintf(stderr, "vmci-perf: rte_vmci_vsock_ctx_create(%s, %" PRIu64 "-byte queues):"
			" %s\n", p->dev_name, opt->queue_size, rte_strerror(rte_errno));
		goto fail;
	}
	if (p->emulated)
		vsock_report_emu_host();
	ret = vsock_time_connects(p, opt);
	if (ret == 0)
		ret = vsock_open_data(p, opt, tp);
	if (ret < 0)
		goto fail;
	p->echo.conn = p->s;
	perf_echo_set_xfer(tp);
	return 0;
fail:
	vsock_close(tp);
	return ret;
}

static const struct perf_setup *
vsock_setup(struct perf_transport *tp)
{
	return &((struct vsock_priv *)tp->priv)->setup;
}

const struct perf_transport_ops perf_transport_vsock = {
	.name = "vsock",
	.open = vsock_open,
	.close = vsock_close,
	.remote_ctl = perf_echo_ctl,
	.remote_start = vsock_run_start,
	.remote_wait = vsock_run_wait,
	.setup = vsock_setup,
};
