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
 * sends, receives the echo, checks every byte and polls the context about
 * once a millisecond (control packets, the peer's notifications and its
 * detach). As in transport vmci, side 1 is "remote" for perf_stream.c: in
 * pingpong it is the peer, whose echo is the pong; in stream it is the
 * receiving half of side 0's own lcore, which takes the echo inside every
 * send call and, once the producer stopped, in remote_wait until every
 * message came back. Stream throughput is thus that of the loop, guest ->
 * peer -> guest, from the first send to the last message back.
 *
 * A byte stream keeps no message boundaries: a message may go out or come
 * back in pieces, so each direction keeps its offset in the current one,
 * and the receiver checks every byte, not only the sequence number.
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
#include <stdarg.h>
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

#include "perf_hist.h"
#include "perf_report.h"
#include "perf_stream.h"
#include "perf_transport.h"
#include "perf_transport_vmci.h"
#include "perf_zc.h"

/* Data calls between two looks at the clock. */
#define VSOCK_SERVICE_CALLS 256u
/* The context is polled this often during a run. */
#define VSOCK_POLL_US 1000u
/* Seconds with nothing coming back while bytes sent are still out: a stall. */
#define VSOCK_STALL_S 5u
/* What the emulated host names its vSockets thread (vsock-emulated-host.md). */
#define VSOCK_EMU_HOST_THREAD "vmci-vsock-host"

struct vsock_priv;
typedef int (*vsock_xfer_t)(struct vsock_priv *p, struct perf_flow *flow);

struct vsock_priv {
	struct perf_run_ctl ctl;         /* side 1's flags are the peer's */
	/* Data path, one lcore at a time. */
	struct rte_vmci_vsock *s;
	vsock_xfer_t send;
	vsock_xfer_t recv;
	const uint8_t *ref;              /* the sender's buffer: what follows each stamp */
	uint32_t tx_off;                 /* bytes of the message going out already sent */
	uint32_t rx_off;                 /* bytes of the message coming back already in */
	bool rx_bad;                     /* a byte of that message differed */
	uint8_t rx_head[sizeof(uint64_t)]; /* its first bytes: the sequence number */
	unsigned int calls;              /* since the last look at the clock */
	uint64_t next_poll;              /* timer cycles */
	uint64_t poll_cycles;
	uint64_t moved_rx;               /* bytes received by moved_since */
	uint64_t moved_since;
	int err;                         /* first error of the run, printed */
	/* Stream: the receiving half. */
	struct perf_flow *txf;           /* the producer's flow, for vsock_drain() */
	struct perf_flow echo;
	uint64_t echoed;                 /* messages back */
	uint64_t echo_end_tsc;
	bool progress;                   /* a line a second, of the messages back */
	struct perf_progress prog;
	/* Control path. */
	struct rte_vmci_vsock_ctx *ctx;
	struct rte_vmci_device *dev;
	const char *dev_name;
	uint32_t cid;
	uint32_t port;
	bool stream;
	bool emulated;                   /* the device is the emulator's */
	int socket;
	struct perf_setup setup;
	struct perf_hist *hist;
};

static unsigned int vsock_peer_lcore = RTE_MAX_LCORE;

void
perf_transport_vsock_set_peer_lcore(unsigned int lcore)
{
	vsock_peer_lcore = lcore;
}

/* Print the first error of a run, with the peer it concerns; return it. */
static int __rte_format_printf(3, 4)
vsock_fail(struct vsock_priv *p, int err, const char *fmt, ...)
{
	va_list ap;

	if (p->err != 0)
		return err;
	p->err = err;
	fprintf(stderr, "vmci-perf: vsock %" PRIu32 ":%" PRIu32 ": ", p->cid, p->port);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, ": %s\n", strerror(-err));
	return err;
}

/* Why the socket no longer carries data: its error, else "not connected". */
static int
vsock_gone_err(const struct vsock_priv *p)
{
	int err = rte_vmci_vsock_error(p->s);

	return err != 0 ? err : -ENOTCONN;
}

/*
 * Whether the loop stands still: nothing came back for VSOCK_STALL_S
 * while bytes sent are still out (a peer that stopped echoing, or one that
 * takes the bytes and never answers). @p out: those bytes.
 */
static bool
vsock_stalled(struct vsock_priv *p, uint64_t now, uint64_t *out)
{
	struct rte_vmci_vsock_stats st;

	if (rte_vmci_vsock_stats_get(p->s, &st) < 0)
		return false;
	*out = st.tx_bytes - RTE_MIN(st.rx_bytes, st.tx_bytes);
	if (st.rx_bytes != p->moved_rx) {
		p->moved_rx = st.rx_bytes;
		p->moved_since = now;
		return false;
	}
	return *out > 0 && now - p->moved_since > VSOCK_STALL_S * rte_get_timer_hz();
}

/*
 * Every VSOCK_SERVICE_CALLS data calls: once a millisecond, poll the
 * context (its control packets and the peer's detach would otherwise wait
 * in the device), then check that the connection still stands and moves.
 */
static int
vsock_service(struct vsock_priv *p)
{
	uint64_t now = rte_get_timer_cycles();
	uint64_t out;
	int ret;

	p->calls = 0;
	/* Stream: the receiving half is this lcore's, so is its progress line. */
	if (p->progress) {
		uint64_t tsc = rte_rdtsc();

		if (tsc >= p->prog.next_tsc)
			perf_progress_print(&p->prog, tsc, p->echoed, p->echo.verify_errors);
	}
	if (now < p->next_poll)
		return 0;
	p->next_poll = now + p->poll_cycles;
	ret = rte_vmci_vsock_poll(p->ctx);
	if (ret < 0)
		return vsock_fail(p, ret, "polling %s", p->dev_name);
	if (rte_vmci_vsock_state(p->s) != RTE_VMCI_VSOCK_ESTABLISHED)
		return vsock_fail(p, vsock_gone_err(p), "the peer closed or reset the"
				  " connection during the run");
	if (vsock_stalled(p, now, &out))
		return vsock_fail(p, -ETIMEDOUT, "the peer stopped echoing: nothing came back for"
				  " %u s while %" PRIu64 " bytes sent are still out, and the"
				  " connection stands", VSOCK_STALL_S, out);
	return 0;
}

static inline int
vsock_tick(struct vsock_priv *p)
{
	if (likely(++p->calls < VSOCK_SERVICE_CALLS))
		return 0;
	return vsock_service(p);
}

/* A data call failed: say how, once. recv's 0 is the end of the stream. */
static int
vsock_data_error(struct vsock_priv *p, ssize_t r, const char *call)
{
	if (r == 0)
		return vsock_fail(p, -ENOTCONN, "the peer ended the stream during the run (%s"
				  " returned 0)", call);
	if (r == -ENOTCONN || r == -EPIPE)
		return vsock_fail(p, (int)r, "%s: the peer closed, reset or shut down the"
				  " connection", call);
	return vsock_fail(p, (int)r, "%s", call);
}

/* Senders. The bytes after the stamp are the flow buffer's, which never change. */

static int
vsock_send_copy(struct vsock_priv *p, struct perf_flow *flow)
{
	unsigned int n = 0;
	ssize_t r;

	p->ref = flow->buf;
	while (n < flow->burst) {
		if (p->tx_off == 0 && flow->verify)
			perf_flow_stamp(flow, flow->buf, flow->seq);
		r = rte_vmci_vsock_send(p->s, flow->buf + p->tx_off, flow->size - p->tx_off);
		if (unlikely(r < 0))
			return r == -EAGAIN ? (int)n :
				vsock_data_error(p, r, "rte_vmci_vsock_send");
		p->tx_off += (uint32_t)r;
		/* The queue is full: the rest of the message goes next time. */
		if (p->tx_off < flow->size)
			break;
		p->tx_off = 0;
		flow->seq++;
		n++;
	}
	return n;
}

static int
vsock_send_zc(struct vsock_priv *p, struct perf_flow *flow)
{
	struct rte_vmci_qp_zc zc;
	unsigned int n = 0;
	ssize_t r;
	int ret;

	p->ref = flow->buf;
	while (n < flow->burst) {
		r = rte_vmci_vsock_reserve_zc(p->s, flow->size - p->tx_off, &zc);
		if (unlikely(r < 0))
			return r == -EAGAIN ? (int)n :
				vsock_data_error(p, r, "rte_vmci_vsock_reserve_zc");
		/* Stands for the application producing its data in place. */
		if (p->tx_off == 0 && flow->verify)
			perf_flow_stamp(flow, flow->buf, flow->seq);
		perf_zc_write(&zc, flow->buf + p->tx_off, (size_t)r);
		ret = rte_vmci_vsock_commit(p->s, (size_t)r);
		if (unlikely(ret < 0))
			return vsock_data_error(p, ret, "rte_vmci_vsock_commit");
		p->tx_off += (uint32_t)r;
		if (p->tx_off < flow->size)
			break;
		p->tx_off = 0;
		flow->seq++;
		n++;
	}
	return n;
}

/* Receivers: every byte is checked, the sequence number once the message is whole. */

/* @p len bytes of the current message at offset @p off, where they lie. */
static inline void
vsock_check_piece(struct vsock_priv *p, const struct perf_flow *flow, const uint8_t *data,
		  uint32_t off, uint32_t len)
{
	uint32_t head = 0;

	if (off < flow->seq_len) {
		head = RTE_MIN(len, flow->seq_len - off);
		memcpy(p->rx_head + off, data, head);
	}
	if (len > head && memcmp(data + head, p->ref + off + head, len - head) != 0)
		p->rx_bad = true;
}

/* The current message is whole: a bad byte anywhere makes it one bad message. */
static inline void
vsock_check_message(struct vsock_priv *p, struct perf_flow *flow)
{
	if (unlikely(p->rx_bad)) {
		p->rx_bad = false;
		flow->verify_errors++;
		flow->seq++;
		return;
	}
	perf_flow_check(flow, p->rx_head, flow->size);
}

static int
vsock_recv_copy(struct vsock_priv *p, struct perf_flow *flow)
{
	unsigned int n = 0;
	ssize_t r;

	while (n < flow->burst) {
		r = rte_vmci_vsock_recv(p->s, flow->buf + p->rx_off, flow->size - p->rx_off);
		if (unlikely(r <= 0))
			return r == -EAGAIN ? (int)n :
				vsock_data_error(p, r, "rte_vmci_vsock_recv");
		p->rx_off += (uint32_t)r;
		if (p->rx_off < flow->size)
			break;
		p->rx_off = 0;
		if (flow->verify) {
			vsock_check_piece(p, flow, flow->buf, 0, flow->size);
			vsock_check_message(p, flow);
		}
		n++;
	}
	return n;
}

static int
vsock_recv_zc(struct vsock_priv *p, struct perf_flow *flow)
{
	struct rte_vmci_qp_zc zc;
	unsigned int n = 0;
	size_t first;
	ssize_t r;
	int ret;

	while (n < flow->burst) {
		r = rte_vmci_vsock_peek_zc(p->s, flow->size - p->rx_off, &zc);
		if (unlikely(r <= 0))
			return r == -EAGAIN ? (int)n :
				vsock_data_error(p, r, "rte_vmci_vsock_peek_zc");
		if (flow->verify) {
			first = RTE_MIN((size_t)r, zc.len1);
			vsock_check_piece(p, flow, zc.ptr1, p->rx_off, (uint32_t)first);
			if ((size_t)r > first)
				vsock_check_piece(p, flow, zc.ptr2, p->rx_off + (uint32_t)first,
						  (uint32_t)((size_t)r - first));
		}
		ret = rte_vmci_vsock_consume(p->s, (size_t)r);
		if (unlikely(ret < 0))
			return vsock_data_error(p, ret, "rte_vmci_vsock_consume");
		p->rx_off += (uint32_t)r;
		if (p->rx_off < flow->size)
			break;
		p->rx_off = 0;
		if (flow->verify)
			vsock_check_message(p, flow);
		n++;
	}
	return n;
}

/* The worker functions perf_stream.c calls. */

static int
vsock_tx(struct perf_transport *tp, unsigned int side, struct perf_flow *flow)
{
	struct vsock_priv *p = tp->priv;
	int ret = vsock_tick(p);

	RTE_SET_USED(side);
	return ret < 0 ? ret : p->send(p, flow);
}

static int
vsock_rx(struct perf_transport *tp, unsigned int side, struct perf_flow *flow)
{
	struct vsock_priv *p = tp->priv;
	int ret = vsock_tick(p);

	RTE_SET_USED(side);
	return ret < 0 ? ret : p->recv(p, flow);
}

/* Stream: each send call also takes what came back, so the loop never blocks. */
static int
vsock_stream_tx(struct perf_transport *tp, unsigned int side, struct perf_flow *flow)
{
	struct vsock_priv *p = tp->priv;
	int n, m;

	p->txf = flow;
	n = vsock_tx(tp, side, flow);
	if (unlikely(n < 0))
		return n;
	m = p->recv(p, &p->echo);
	if (unlikely(m < 0))
		return m;
	p->echoed += (unsigned int)m;
	return n;
}

/*
 * Stream, after the producer stopped: finish a message it left half sent
 * (it comes back and is checked, but it is no part of the count), then
 * take the echo until @p want messages came back. Missing ones get a
 * second after the last that arrived, as in the other transports.
 */
static int
vsock_drain(struct vsock_priv *p, uint64_t want)
{
	struct perf_flow *tx = p->txf;
	uint64_t hz = rte_get_tsc_hz();
	uint64_t deadline = rte_rdtsc() + hz;
	int ret = 0;
	int n;

	if (p->tx_off > 0) {
		want++;
		/* One message: the one under way, no new one after it. */
		tx->burst = 1;
	}
	while (p->echoed < want) {
		if (p->tx_off > 0) {
			ret = p->send(p, tx);
			if (ret < 0)
				break;
		}
		n = p->recv(p, &p->echo);
		if (n < 0) {
			ret = n;
			break;
		}
		p->echoed += (unsigned int)n;
		if (n > 0) {
			deadline = rte_rdtsc() + hz;
			continue;
		}
		ret = vsock_tick(p);
		if (ret < 0)
			break;
		if (rte_rdtsc() > deadline) {
			ret = -ETIMEDOUT;
			break;
		}
	}
	p->echo_end_tsc = rte_rdtsc();
	return ret < 0 ? ret : 0;
}

static struct perf_run_ctl *
vsock_ctl(struct perf_transport *tp)
{
	return &((struct vsock_priv *)tp->priv)->ctl;
}

static void
vsock_run_reset(struct vsock_priv *p)
{
	uint64_t out;

	p->tx_off = 0;
	p->rx_off = 0;
	p->rx_bad = false;
	p->err = 0;
	p->calls = 0;
	p->txf = NULL;
	p->echoed = 0;
	p->echo_end_tsc = 0;
	p->next_poll = rte_get_timer_cycles();
	p->moved_since = p->next_poll;
	p->moved_rx = 0;
	vsock_stalled(p, p->next_poll, &out);
}

static int
vsock_run_start(struct perf_transport *tp, const struct perf_side_params *sp)
{
	struct vsock_priv *p = tp->priv;
	int ret;

	if (rte_vmci_vsock_state(p->s) != RTE_VMCI_VSOCK_ESTABLISHED) {
		fprintf(stderr, "vmci-perf: vsock %" PRIu32 ":%" PRIu32 ": the connection is"
			" gone: %s\n", p->cid, p->port, strerror(-vsock_gone_err(p)));
		return vsock_gone_err(p);
	}
	vsock_run_reset(p);
	if (p->stream) {
		ret = perf_flow_init(&p->echo, sp->size, 1, sp->burst, sp->verify != 0, p->socket);
		if (ret < 0) {
			fprintf(stderr, "vmci-perf: no memory for the echo's buffer of %" PRIu32
				" bytes\n", sp->size);
			return ret;
		}
	}
	p->progress = p->stream && sp->progress != 0;
	perf_progress_start(&p->prog, sp->size, rte_rdtsc());
	/* The peer echoes as soon as bytes arrive: side 1 is ready. */
	__atomic_store_n(&p->ctl.side[1].ready, 1, __ATOMIC_RELEASE);
	return 0;
}

/*
 * Side 0 has stopped. Stream: the rest of the echo comes back here, on
 * the calling lcore: the context's thread for now.
 */
static int
vsock_run_wait(struct perf_transport *tp, struct perf_side_report *rep)
{
	struct vsock_priv *p = tp->priv;
	uint64_t sent;

	memset(rep, 0, sizeof(*rep));
	if (!p->stream)
		return 0;
	sent = __atomic_load_n(&p->ctl.side[0].tx_count, __ATOMIC_ACQUIRE);
	/* A producer that failed has said why; its row shows it. */
	if (p->err == 0)
		rep->err = vsock_drain(p, sent);
	rep->received = RTE_MIN(p->echoed, sent);
	rep->end_tsc = p->echo_end_tsc;
	rep->verify_errors = p->echo.verify_errors;
	perf_flow_free(&p->echo);
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
	unsigned int lcore = vsock_peer_lcore;
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
	       p->stream ? "; stream throughput runs from the first byte sent to the last"
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
	perf_flow_free(&p->echo);
	rte_free(p->hist);
	rte_free(p);
	tp->priv = NULL;
}

static const struct {
	vsock_xfer_t send;
	vsock_xfer_t recv;
} vsock_api_fns[] = {
	[PERF_API_COPY] = { vsock_send_copy, vsock_recv_copy },
	[PERF_API_ZC] = { vsock_send_zc, vsock_recv_zc },
};

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
	p->stream = opt->mode == PERF_MODE_STREAM;
	p->socket = socket;
	p->send = vsock_api_fns[opt->api].send;
	p->recv = vsock_api_fns[opt->api].recv;
	p->poll_cycles = rte_get_timer_hz() * VSOCK_POLL_US / 1000000;
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
	tp->tx = p->stream ? vsock_stream_tx : vsock_tx;
	tp->rx = vsock_rx;
	tp->nb_bufs = 1;
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
	.remote_ctl = vsock_ctl,
	.remote_start = vsock_run_start,
	.remote_wait = vsock_run_wait,
	.setup = vsock_setup,
};
