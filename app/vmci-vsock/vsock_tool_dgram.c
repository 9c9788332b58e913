/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

/*
 * Datagram mode: a vSockets datagram is a VMCI datagram, its port the
 * resource ID. connect sends each chunk of stdin (up to --dgram-size) as
 * one datagram to CID:PORT and writes the peer's datagrams to stdout;
 * after the end of stdin it waits for as many replies as it sent, or
 * until nothing came for the reply timeout. --bytes sends the pattern in
 * datagrams, one at a time, each checked when its echo comes back.
 * listen serves PORT: datagrams to stdout (or, --echo, back to their
 * sender), stdin to whoever sent last.
 */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_errno.h>

#include "vsock_tool.h"

/* Wait for each reply this long unless --timeout says otherwise. */
#define DGRAM_REPLY_MS 2000u

struct dgram_run {
	const struct tool_opts *opt;
	struct rte_vmci_vsock_ctx *ctx;
	struct rte_vmci_vsock *s;
	uint8_t tx[RTE_VMCI_VSOCK_MAX_DG_PAYLOAD];
	uint8_t rx[RTE_VMCI_VSOCK_MAX_DG_PAYLOAD];
	uint32_t peer_cid, peer_port;  /* connect: the peer; listen: the last sender */
	bool have_peer;
	uint64_t sent, received;       /* datagrams */
};

static struct dgram_run dgram_state;

static uint32_t
reply_ms(const struct tool_opts *opt)
{
	return opt->timeout_ms != 0 ? opt->timeout_ms : DGRAM_REPLY_MS;
}

static int
dgram_send(struct dgram_run *r, const void *buf, size_t len, uint32_t cid, uint32_t port)
{
	ssize_t n = rte_vmci_vsock_sendto(r->s, buf, len, cid, port);

	if (n < 0) {
		tool_error("datagram of %zu bytes to %u:%u: %s", len, cid, port,
			   rte_strerror((int)-n));
		return -1;
	}
	r->sent++;
	return 0;
}

/*
 * One datagram received, from the peer when connected (others are
 * dropped). Returns its length, -EAGAIN, or another negative errno.
 */
static ssize_t
dgram_recv(struct dgram_run *r, uint32_t *cid, uint32_t *port)
{
	ssize_t n;

	rte_vmci_vsock_poll(r->ctx);
	n = rte_vmci_vsock_recvfrom(r->s, r->rx, sizeof(r->rx), cid, port);
	if (n < 0)
		return n;
	if (r->opt->cmd == TOOL_CONNECT && (*cid != r->peer_cid || *port != r->peer_port)) {
		tool_verbose(r->opt, "dropped a datagram from %u:%u, not the peer", *cid, *port);
		return -EAGAIN;
	}
	r->received++;
	return n;
}

/* --bytes, --expect echo: the next echo, within the reply timeout. */
static int
await_echo(struct dgram_run *r, uint64_t off, size_t len, struct tool_cksum *rx_ck)
{
	uint64_t deadline = rte_get_timer_cycles() + tool_ms_to_cycles(reply_ms(r->opt));
	unsigned int idle = 0;
	uint32_t cid, port;
	ssize_t n;
	size_t i;

	for (;;) {
		if (tool_stop) {
			tool_error("interrupted");
			return -1;
		}
		n = dgram_recv(r, &cid, &port);
		if (n >= 0)
			break;
		if (n != -EAGAIN) {
			tool_error("receive: %s", rte_strerror((int)-n));
			return -1;
		}
		if (rte_get_timer_cycles() > deadline) {
			tool_error("no echo of the datagram at byte %" PRIu64 " within %.3f s",
				   off, reply_ms(r->opt) / 1000.0);
			return -1;
		}
		tool_idle(&idle, false);
	}
	tool_cksum_update(rx_ck, r->rx, (size_t)n);
	if ((size_t)n != len) {
		tool_error("the echo of the datagram at byte %" PRIu64 " has %zd bytes,"
			   " expected %zu", off, n, len);
		return -1;
	}
	for (i = 0; i < len; i++) {
		if (r->rx[i] != tool_pattern(off + i)) {
			tool_error("echoed byte %" PRIu64 " is 0x%02x, expected 0x%02x",
				   off + i, r->rx[i], tool_pattern(off + i));
			return -1;
		}
	}
	return 0;
}

static int
dgram_bytes(struct dgram_run *r)
{
	const struct tool_opts *opt = r->opt;
	struct tool_cksum tx_ck, rx_ck;
	uint64_t off;
	size_t len, i;
	int ret = 0;

	tool_cksum_init(&tx_ck);
	tool_cksum_init(&rx_ck);
	for (off = 0; off < opt->bytes && ret == 0; off += len) {
		len = (size_t)RTE_MIN((uint64_t)opt->dgram_size, opt->bytes - off);
		for (i = 0; i < len; i++)
			r->tx[i] = tool_pattern(off + i);
		ret = dgram_send(r, r->tx, len, r->peer_cid, r->peer_port);
		if (ret < 0)
			break;
		tool_cksum_update(&tx_ck, r->tx, len);
		if (opt->expect == TOOL_EXPECT_ECHO)
			ret = await_echo(r, off, len, &rx_ck);
	}
	printf("sent %" PRIu64 " bytes in %" PRIu64 " datagrams, cksum %" PRIu32 "\n",
	       tx_ck.len, r->sent, tool_cksum_final(&tx_ck));
	printf("received %" PRIu64 " bytes in %" PRIu64 " datagrams, cksum %" PRIu32 "\n",
	       rx_ck.len, r->received, tool_cksum_final(&rx_ck));
	if (ret == 0)
		tool_note(opt, "%s", opt->expect == TOOL_EXPECT_ECHO ?
			  "every datagram came back as sent" : "all sent");
	return ret == 0 ? TOOL_EXIT_OK : TOOL_EXIT_FAIL;
}

static int
write_all(const uint8_t *buf, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(STDOUT_FILENO, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			tool_error("writing stdout: %s", strerror(errno));
			return -1;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* A chunk of stdin as one datagram; false at its end. */
static bool
stdin_to_peer(struct dgram_run *r, int *ret)
{
	ssize_t n = read(STDIN_FILENO, r->tx, r->opt->dgram_size);

	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
		return false;
	if (n < 0)
		return true;
	if (!r->have_peer)
		tool_note(r->opt, "%zd bytes of stdin dropped: no one sent a datagram yet", n);
	else if (dgram_send(r, r->tx, (size_t)n, r->peer_cid, r->peer_port) < 0)
		*ret = -1;
	return true;
}

/* A datagram to stdout, or back to its sender. */
static int
peer_to_stdout(struct dgram_run *r, bool *got)
{
	uint32_t cid, port;
	ssize_t n = dgram_recv(r, &cid, &port);

	*got = n >= 0;
	if (n == -EAGAIN)
		return 0;
	if (n < 0) {
		tool_error("receive: %s", rte_strerror((int)-n));
		return -1;
	}
	if (r->opt->cmd == TOOL_LISTEN) {
		if (!r->have_peer || cid != r->peer_cid || port != r->peer_port)
			tool_verbose(r->opt, "datagram from %u:%u", cid, port);
		r->peer_cid = cid;
		r->peer_port = port;
		r->have_peer = true;
	}
	if (r->opt->echo)
		return dgram_send(r, r->rx, (size_t)n, cid, port);
	return write_all(r->rx, (size_t)n);
}

static int
dgram_stdio(struct dgram_run *r)
{
	const struct tool_opts *opt = r->opt;
	bool in_open = !opt->echo;
	int flags = fcntl(STDIN_FILENO, F_GETFL);
	uint64_t last = rte_get_timer_cycles();
	unsigned int idle = 0;
	bool got = false;
	int ret = 0;

	if (in_open && flags >= 0)
		fcntl(STDIN_FILENO, F_SETFL, flags | O_NONBLOCK);
	while (!tool_stop && ret == 0) {
		if (in_open)
			in_open = stdin_to_peer(r, &ret);
		if (ret == 0)
			ret = peer_to_stdout(r, &got);
		if (got)
			last = rte_get_timer_cycles();
		/* connect: after the input, a reply to each datagram, or a quiet spell. */
		if (opt->cmd == TOOL_CONNECT && !in_open &&
		    (r->received >= r->sent ||
		     rte_get_timer_cycles() - last > tool_ms_to_cycles(reply_ms(opt))))
			break;
		if (opt->cmd == TOOL_LISTEN && opt->timeout_ms != 0 &&
		    rte_get_timer_cycles() - last > tool_ms_to_cycles(opt->timeout_ms)) {
			tool_error("no datagram for %.3f s (--timeout)", opt->timeout_ms / 1000.0);
			ret = -1;
		}
		tool_idle(&idle, got);
	}
	if (in_open && flags >= 0)
		fcntl(STDIN_FILENO, F_SETFL, flags);
	if (tool_stop && ret == 0) {
		tool_error("interrupted");
		ret = -1;
	}
	tool_verbose(opt, "%" PRIu64 " datagrams sent, %" PRIu64 " received", r->sent,
		     r->received);
	return ret == 0 ? TOOL_EXIT_OK : TOOL_EXIT_FAIL;
}

int
tool_dgram_run(const struct tool_opts *opt, struct rte_vmci_vsock_ctx *ctx)
{
	struct dgram_run *r = &dgram_state;
	uint32_t port = opt->cmd == TOOL_LISTEN ? opt->port : opt->local_port;
	int ret;

	memset(r, 0, sizeof(*r));
	r->opt = opt;
	r->ctx = ctx;
	r->s = rte_vmci_vsock_dgram_bind(ctx, port);
	if (r->s == NULL) {
		tool_error("datagram port %u: %s", port, rte_strerror(rte_errno));
		return TOOL_EXIT_FAIL;
	}
	if (opt->cmd == TOOL_CONNECT) {
		r->peer_cid = opt->cid;
		r->peer_port = opt->port;
		r->have_peer = true;
	}
	ret = opt->has_bytes ? dgram_bytes(r) : dgram_stdio(r);
	rte_vmci_vsock_close(r->s);
	return ret;
}
