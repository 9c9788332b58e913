/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

/*
 * Stream mode: one connection (made, or the first one accepted), moved in
 * a poll loop on this lcore. Bytes to send come from stdin, the pattern of
 * --bytes, or what was received (--echo); bytes received go to stdout, the
 * checker of --bytes, or back out. stdin and stdout are non-blocking, so
 * neither stalls the loop that also runs the protocol.
 */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_errno.h>

#include "vsock_tool.h"

#define STREAM_BUF 65536u

struct stream_run {
	const struct tool_opts *opt;
	struct rte_vmci_vsock_ctx *ctx;
	struct rte_vmci_vsock *s;
	uint8_t tx[STREAM_BUF];  /* to send: tx[tx_off .. tx_off + tx_len) */
	uint8_t rx[STREAM_BUF];  /* received, not yet taken: rx[rx_off .. rx_off + rx_len) */
	size_t tx_off, tx_len;
	size_t rx_off, rx_len;
	bool tx_eof;             /* nothing more will be sent */
	bool tx_shut;            /* SHUTDOWN (send) sent */
	bool tx_dead;            /* the peer will not receive any more */
	bool rx_eof;             /* the peer's end of stream */
	bool failed;             /* a message was printed */
	/* --bytes */
	uint64_t gen;            /* pattern bytes made (or the count sent) */
	uint64_t rx_count;
	bool mismatch;
	struct tool_cksum tx_ck, rx_ck;
	uint64_t last_move;      /* timer cycles of the last byte moved */
	int stdin_flags, stdout_flags;
};

static struct stream_run run_state;

static void
run_fail(struct stream_run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
run_fail(struct stream_run *r, const char *fmt, ...)
{
	va_list ap;

	if (r->failed)
		return;
	r->failed = true;
	fprintf(stderr, "vmci-vsock: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* What to send next, into r->tx (only called when it is empty). */
static void
fill_stdin(struct stream_run *r)
{
	ssize_t n = read(STDIN_FILENO, r->tx, sizeof(r->tx));

	if (n > 0) {
		r->tx_off = 0;
		r->tx_len = (size_t)n;
	} else if (n == 0 || errno == EBADF) {
		r->tx_eof = true;
	} else if (errno != EAGAIN && errno != EINTR) {
		run_fail(r, "reading stdin: %s", strerror(errno));
		r->tx_eof = true;
	}
}

static void
fill_pattern(struct stream_run *r)
{
	uint64_t left = r->opt->bytes - r->gen;
	size_t n = (size_t)RTE_MIN(left, (uint64_t)sizeof(r->tx));
	size_t i;

	if (n == 0) {
		r->tx_eof = true;
		return;
	}
	for (i = 0; i < n; i++)
		r->tx[i] = tool_pattern(r->gen + i);
	tool_cksum_update(&r->tx_ck, r->tx, n);
	r->gen += n;
	r->tx_off = 0;
	r->tx_len = n;
}

/* The byte source's request: the count, 8 bytes little-endian, and no more. */
static void
fill_source_request(struct stream_run *r)
{
	unsigned int i;

	if (r->gen != 0) {
		r->tx_eof = true;
		return;
	}
	for (i = 0; i < 8; i++)
		r->tx[i] = (uint8_t)(r->opt->bytes >> (8 * i));
	r->gen = 8;
	r->tx_off = 0;
	r->tx_len = 8;
}

/* --echo: what was received goes back out. */
static void
fill_echo(struct stream_run *r)
{
	if (r->rx_len > 0) {
		memcpy(r->tx, &r->rx[r->rx_off], r->rx_len);
		r->tx_off = 0;
		r->tx_len = r->rx_len;
		r->rx_len = 0;
	} else if (r->rx_eof) {
		r->tx_eof = true;
	}
}

static void
fill(struct stream_run *r)
{
	const struct tool_opts *opt = r->opt;

	if (opt->echo)
		fill_echo(r);
	else if (!opt->has_bytes)
		fill_stdin(r);
	else if (opt->expect == TOOL_EXPECT_SOURCE)
		fill_source_request(r);
	else
		fill_pattern(r);
}

/* Received bytes, taken from r->rx. */
static void
drain_stdout(struct stream_run *r)
{
	ssize_t n = write(STDOUT_FILENO, &r->rx[r->rx_off], r->rx_len);

	if (n > 0) {
		r->rx_off += (size_t)n;
		r->rx_len -= (size_t)n;
		r->last_move = rte_get_timer_cycles();
	} else if (n < 0 && errno != EAGAIN && errno != EINTR) {
		run_fail(r, "writing stdout: %s", strerror(errno));
		r->rx_len = 0;
		r->rx_eof = true;
	}
}

/* --bytes: every byte received must be the pattern's, and no more than N. */
static void
drain_check(struct stream_run *r)
{
	const uint8_t *p = &r->rx[r->rx_off];
	uint64_t off;
	size_t i;

	tool_cksum_update(&r->rx_ck, p, r->rx_len);
	for (i = 0; i < r->rx_len && !r->mismatch; i++) {
		off = r->rx_count + i;
		if (r->opt->expect == TOOL_EXPECT_DISCARD) {
			run_fail(r, "received a byte from a peer expected to discard (--expect"
				 " discard)");
			r->mismatch = true;
		} else if (off >= r->opt->bytes) {
			run_fail(r, "received more than the %" PRIu64 " bytes expected",
				 r->opt->bytes);
			r->mismatch = true;
		} else if (p[i] != tool_pattern(off)) {
			run_fail(r, "received byte %" PRIu64 " is 0x%02x, expected 0x%02x"
				 " (byte i of the pattern is i mod 251)", off, p[i],
				 tool_pattern(off));
			r->mismatch = true;
		}
	}
	r->rx_count += r->rx_len;
	r->rx_len = 0;
}

static void
drain(struct stream_run *r)
{
	if (r->opt->echo)
		return; /* fill_echo() takes them */
	if (r->opt->has_bytes)
		drain_check(r);
	else
		drain_stdout(r);
}

/* Send what is pending; false when the run must end. */
static bool
pump_tx(struct stream_run *r)
{
	ssize_t n;
	int ret;

	if (r->tx_len > 0 && !r->tx_dead) {
		n = rte_vmci_vsock_send(r->s, &r->tx[r->tx_off], r->tx_len);
		if (n > 0) {
			r->tx_off += (size_t)n;
			r->tx_len -= (size_t)n;
			r->last_move = rte_get_timer_cycles();
		} else if (n == -EPIPE) {
			r->tx_dead = true;
			tool_verbose(r->opt, "the peer receives no more: %zu bytes not sent",
				     r->tx_len);
		} else if (n != -EAGAIN) {
			run_fail(r, "send: %s", rte_strerror((int)-n));
			return false;
		}
	}
	if (r->tx_len == 0 && r->tx_eof && !r->tx_shut && !r->tx_dead) {
		ret = rte_vmci_vsock_shutdown(r->s, SHUT_WR);
		if (ret < 0 && ret != -ENOTCONN) {
			run_fail(r, "shutdown: %s", rte_strerror(-ret));
			return false;
		}
		r->tx_shut = true;
		tool_verbose(r->opt, "end of input: shut down sending");
	}
	return true;
}

static bool
pump_rx(struct stream_run *r)
{
	ssize_t n;

	if (r->rx_len == 0 && !r->rx_eof) {
		n = rte_vmci_vsock_recv(r->s, r->rx, sizeof(r->rx));
		if (n > 0) {
			r->rx_off = 0;
			r->rx_len = (size_t)n;
			r->last_move = rte_get_timer_cycles();
		} else if (n == 0) {
			r->rx_eof = true;
			tool_verbose(r->opt, "the peer ended its stream");
		} else if (n != -EAGAIN) {
			run_fail(r, "receive: %s", rte_strerror((int)-n));
			return false;
		}
	}
	if (r->rx_len > 0)
		drain(r);
	return true;
}

/* The peer ended and everything it sent is out; with --echo, echoed too. */
static bool
run_done(const struct stream_run *r)
{
	if (!r->rx_eof || r->rx_len > 0)
		return false;
	return !r->opt->echo || r->tx_dead || (r->tx_len == 0 && r->tx_shut);
}

static bool
timed_out(const struct stream_run *r, uint64_t since, const char *what)
{
	const struct tool_opts *opt = r->opt;

	if (opt->timeout_ms == 0 ||
	    rte_get_timer_cycles() - since < tool_ms_to_cycles(opt->timeout_ms))
		return false;
	fprintf(stderr, "vmci-vsock: %s for %.3f s (--timeout)\n", what,
		opt->timeout_ms / 1000.0);
	return true;
}

static int
move_bytes(struct stream_run *r)
{
	unsigned int idle = 0;
	uint64_t moved;
	int ret;

	r->last_move = rte_get_timer_cycles();
	while (!tool_stop && !r->failed) {
		ret = rte_vmci_vsock_poll(r->ctx);
		if (ret < 0) {
			run_fail(r, "polling the device: %s", rte_strerror(-ret));
			break;
		}
		moved = r->last_move;
		if (!r->tx_eof && r->tx_len == 0 && !r->tx_dead)
			fill(r);
		if (!pump_tx(r) || !pump_rx(r))
			break;
		if (run_done(r))
			return 0;
		if (timed_out(r, r->last_move, "no byte moved"))
			return -1;
		tool_idle(&idle, ret > 0 || r->last_move != moved);
	}
	if (tool_stop && !r->failed)
		fprintf(stderr, "vmci-vsock: interrupted\n");
	return -1;
}

static const char *
connect_error(int err)
{
	switch (err) {
	case -ECONNRESET:
		return "refused or reset by the peer: does anything listen on that port?";
	case -ETIMEDOUT:
		return "no answer in time";
	case -EPROTO:
		return "the peer broke the protocol (the log says how)";
	default:
		return rte_strerror(-err);
	}
}

static struct rte_vmci_vsock *
stream_connect(const struct tool_opts *opt, struct rte_vmci_vsock_ctx *ctx)
{
	struct rte_vmci_vsock *s;
	unsigned int idle = 0;

	s = rte_vmci_vsock_connect(ctx, opt->cid, opt->port, opt->local_port);
	if (s == NULL) {
		tool_error("connect %u:%u: %s", opt->cid, opt->port, rte_strerror(rte_errno));
		return NULL;
	}
	while (!tool_stop && rte_vmci_vsock_state(s) == RTE_VMCI_VSOCK_CONNECTING) {
		rte_vmci_vsock_poll(ctx);
		tool_idle(&idle, false);
	}
	if (rte_vmci_vsock_state(s) == RTE_VMCI_VSOCK_ESTABLISHED)
		return s;
	if (tool_stop)
		tool_error("interrupted while connecting");
	else
		tool_error("connect %u:%u: %s", opt->cid, opt->port,
			   connect_error(rte_vmci_vsock_error(s)));
	rte_vmci_vsock_close(s);
	return NULL;
}

static struct rte_vmci_vsock *
stream_accept(const struct tool_opts *opt, struct rte_vmci_vsock_ctx *ctx)
{
	struct rte_vmci_vsock *l, *s = NULL;
	struct stream_run *r = &run_state;
	unsigned int idle = 0;
	uint64_t start = rte_get_timer_cycles();

	l = rte_vmci_vsock_listen(ctx, opt->port, 1);
	if (l == NULL) {
		tool_error("listen on port %u: %s", opt->port, rte_strerror(rte_errno));
		return NULL;
	}
	tool_verbose(opt, "listening on %u:%u", rte_vmci_vsock_local_cid(ctx), opt->port);
	while (!tool_stop && !timed_out(r, start, "no connection")) {
		rte_vmci_vsock_poll(ctx);
		s = rte_vmci_vsock_accept(l);
		if (s != NULL)
			break;
		tool_idle(&idle, false);
	}
	if (tool_stop)
		tool_error("interrupted while listening");
	/* One connection, as ncat without -k: later ones are refused. */
	rte_vmci_vsock_close(l);
	return s;
}

/* stdin and stdout non-blocking while the run lasts (they may be shared). */
static void
stdio_nonblock(struct stream_run *r, bool on)
{
	if (r->opt->echo || r->opt->has_bytes)
		return;
	if (on) {
		r->stdin_flags = fcntl(STDIN_FILENO, F_GETFL);
		r->stdout_flags = fcntl(STDOUT_FILENO, F_GETFL);
		if (r->stdin_flags >= 0)
			fcntl(STDIN_FILENO, F_SETFL, r->stdin_flags | O_NONBLOCK);
		if (r->stdout_flags >= 0)
			fcntl(STDOUT_FILENO, F_SETFL, r->stdout_flags | O_NONBLOCK);
	} else {
		if (r->stdin_flags >= 0)
			fcntl(STDIN_FILENO, F_SETFL, r->stdin_flags);
		if (r->stdout_flags >= 0)
			fcntl(STDOUT_FILENO, F_SETFL, r->stdout_flags);
	}
}

/* --bytes: the two lines, and whether what came back is what was expected. */
static bool
bytes_report(struct stream_run *r)
{
	const struct tool_opts *opt = r->opt;
	bool ok;

	if (opt->expect == TOOL_EXPECT_SOURCE)
		printf("requested %" PRIu64 " bytes\n", opt->bytes);
	else
		printf("sent %" PRIu64 " bytes, cksum %" PRIu32 "\n", r->tx_ck.len,
		       tool_cksum_final(&r->tx_ck));
	printf("received %" PRIu64 " bytes, cksum %" PRIu32 "\n", r->rx_ck.len,
	       tool_cksum_final(&r->rx_ck));
	fflush(stdout);
	if (r->failed)
		return false;
	ok = !r->mismatch;
	if (opt->expect != TOOL_EXPECT_SOURCE && r->tx_ck.len != opt->bytes) {
		run_fail(r, "sent %" PRIu64 " of %" PRIu64 " bytes: the peer stopped receiving",
			 r->tx_ck.len, opt->bytes);
		ok = false;
	}
	if (ok && opt->expect != TOOL_EXPECT_DISCARD && r->rx_count != opt->bytes) {
		run_fail(r, "received %" PRIu64 " of %" PRIu64 " bytes: the peer ended early",
			 r->rx_count, opt->bytes);
		ok = false;
	}
	if (ok)
		tool_note(opt, "%s", opt->expect == TOOL_EXPECT_DISCARD ?
			  "all sent, nothing came back, as a discard service does" :
			  "every byte came back as expected");
	return ok;
}

int
tool_stream_run(const struct tool_opts *opt, struct rte_vmci_vsock_ctx *ctx)
{
	struct stream_run *r = &run_state;
	uint32_t cid, port;
	int ret;

	memset(r, 0, sizeof(*r));
	r->opt = opt;
	r->ctx = ctx;
	tool_cksum_init(&r->tx_ck);
	tool_cksum_init(&r->rx_ck);
	r->s = opt->cmd == TOOL_CONNECT ? stream_connect(opt, ctx) : stream_accept(opt, ctx);
	if (r->s == NULL)
		return TOOL_EXIT_FAIL;
	if (rte_vmci_vsock_addr(r->s, NULL, NULL, &cid, &port) == 0)
		tool_verbose(opt, "connected with %u:%u, queues of %" PRIu64 " bytes, %s notify",
			     cid, port, rte_vmci_vsock_buffer_size(r->s),
			     rte_vmci_vsock_notify_proto(r->s) == RTE_VMCI_VSOCK_NOTIFY_CLASSIC ?
			     "classic" : "queue-state");
	stdio_nonblock(r, true);
	ret = move_bytes(r);
	stdio_nonblock(r, false);
	rte_vmci_vsock_close(r->s);
	if (opt->has_bytes)
		return bytes_report(r) && ret == 0 ? TOOL_EXIT_OK : TOOL_EXIT_FAIL;
	if (ret == 0 && r->tx_len > 0 && !opt->echo)
		tool_note(opt, "the peer ended its stream; %zu bytes of input were not sent",
			  r->tx_len);
	return ret == 0 && !r->failed ? TOOL_EXIT_OK : TOOL_EXIT_FAIL;
}
