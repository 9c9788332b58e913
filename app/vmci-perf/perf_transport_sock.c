/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

/*
 * Kernel baselines: AF_UNIX stream socketpair (blocking, and non-blocking
 * busy-polled), a pair of pipes, and TCP over 127.0.0.1 with TCP_NODELAY.
 * Each message is written and read as one fixed-size chunk of the byte
 * stream; the worker loops are the same as for the queue pairs.
 */

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <rte_malloc.h>

#include "perf_transport.h"

enum sock_kind {
	SOCK_UNIX,
	SOCK_UNIX_BUSY,
	SOCK_PIPE,
	SOCK_TCP,
};

struct sock_priv {
	enum sock_kind kind;
	int wfd[2]; /* side i sends on wfd[i]... */
	int rfd[2]; /* ...and receives on rfd[i] */
	int extra[2]; /* fds to close that no side uses directly (-1: none) */
};

/*
 * Move all of @p len bytes. Returns 1 when done; 0 when nothing moved
 * because the fd would block (non-blocking) or the peer ended the stream;
 * a negative errno otherwise (a stream that ends mid-message is -EPIPE).
 */
static int
io_all(int fd, uint8_t *buf, size_t len, bool rd)
{
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = rd ? read(fd, buf + done, len - done) : write(fd, buf + done, len - done);
		if (n > 0) {
			done += (size_t)n;
			continue;
		}
		if (n == 0 && rd) {
			if (done == 0)
				return 0;
			return -EPIPE;
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK) {
			if (done == 0)
				return 0;
			continue; /* busy-poll the rest of a started message */
		}
		if (errno == EPIPE && !rd && done == 0)
			return 0;
		return -errno;
	}
	return 1;
}

static int
sock_tx(struct perf_transport *tp, unsigned int side, struct perf_flow *flow)
{
	const struct sock_priv *priv = tp->priv;
	unsigned int n;
	int ret;

	for (n = 0; n < flow->burst; n++) {
		if (flow->verify)
			perf_flow_stamp(flow, flow->buf, flow->seq);
		ret = io_all(priv->wfd[side], flow->buf, flow->size, false);
		if (ret < 0)
			return ret;
		if (ret == 0)
			break;
		flow->seq++;
	}
	return n;
}

static int
sock_rx(struct perf_transport *tp, unsigned int side, struct perf_flow *flow)
{
	const struct sock_priv *priv = tp->priv;
	unsigned int n;
	int ret;

	for (n = 0; n < flow->burst; n++) {
		ret = io_all(priv->rfd[side], flow->buf, flow->size, true);
		if (ret < 0)
			return ret;
		if (ret == 0)
			break;
		if (flow->verify)
			perf_flow_check(flow, flow->buf, flow->size);
	}
	return n;
}

static void
fd_close(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static void
sock_close_fds(struct sock_priv *priv)
{
	int i;

	for (i = 0; i < 2; i++) {
		/* A socket fd serves both directions of its side. */
		if (priv->rfd[i] == priv->wfd[i])
			priv->rfd[i] = -1;
		fd_close(&priv->wfd[i]);
		fd_close(&priv->rfd[i]);
		fd_close(&priv->extra[i]);
	}
}

static int
set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return -errno;
	return 0;
}

static int
open_unix(struct sock_priv *priv, bool busy)
{
	int sv[2], i;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		return -errno;
	for (i = 0; i < 2; i++) {
		priv->wfd[i] = sv[i];
		priv->rfd[i] = sv[i];
		if (busy && set_nonblock(sv[i]) < 0)
			return -errno;
	}
	return 0;
}

static int
open_pipe(struct sock_priv *priv)
{
	int a2b[2], b2a[2];

	if (pipe(a2b) < 0)
		return -errno;
	if (pipe(b2a) < 0) {
		close(a2b[0]);
		close(a2b[1]);
		return -errno;
	}
	priv->wfd[0] = a2b[1];
	priv->rfd[1] = a2b[0];
	priv->wfd[1] = b2a[1];
	priv->rfd[0] = b2a[0];
	return 0;
}

static int
tcp_nodelay(int fd)
{
	int one = 1;

	return setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) < 0 ? -errno : 0;
}

/* Listen on an ephemeral loopback port, connect, accept. */
static int
open_tcp(struct sock_priv *priv)
{
	struct sockaddr_in addr = {
		.sin_family = AF_INET,
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	socklen_t alen = sizeof(addr);
	int lfd, cfd, afd;

	lfd = socket(AF_INET, SOCK_STREAM, 0);
	if (lfd < 0)
		return -errno;
	priv->extra[0] = lfd;
	if (bind(lfd, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
	    listen(lfd, 1) < 0 ||
	    getsockname(lfd, (struct sockaddr *)&addr, &alen) < 0)
		return -errno;
	cfd = socket(AF_INET, SOCK_STREAM, 0);
	if (cfd < 0)
		return -errno;
	priv->wfd[0] = priv->rfd[0] = cfd;
	if (connect(cfd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		return -errno;
	afd = accept(lfd, NULL, NULL);
	if (afd < 0)
		return -errno;
	priv->wfd[1] = priv->rfd[1] = afd;
	if (tcp_nodelay(cfd) < 0 || tcp_nodelay(afd) < 0)
		return -errno;
	return 0;
}

static int
sock_open_fds(struct sock_priv *priv)
{
	int ret, i;

	for (i = 0; i < 2; i++)
		priv->wfd[i] = priv->rfd[i] = priv->extra[i] = -1;
	switch (priv->kind) {
	case SOCK_UNIX:
		ret = open_unix(priv, false);
		break;
	case SOCK_UNIX_BUSY:
		ret = open_unix(priv, true);
		break;
	case SOCK_PIPE:
		ret = open_pipe(priv);
		break;
	default:
		ret = open_tcp(priv);
		break;
	}
	if (ret < 0)
		sock_close_fds(priv);
	return ret;
}

static void
sock_close(struct perf_transport *tp)
{
	struct sock_priv *priv = tp->priv;

	if (priv == NULL)
		return;
	sock_close_fds(priv);
	rte_free(priv);
	tp->priv = NULL;
}

static int
sock_open_kind(struct perf_transport *tp, enum sock_kind kind, int socket)
{
	struct sock_priv *priv;
	int ret;

	priv = rte_zmalloc_socket("vmci_perf_sock", sizeof(*priv), 0, socket);
	if (priv == NULL)
		return -ENOMEM;
	priv->kind = kind;
	ret = sock_open_fds(priv);
	if (ret < 0) {
		fprintf(stderr, "vmci-perf: transport %s: %s\n", tp->ops->name, strerror(-ret));
		rte_free(priv);
		return ret;
	}
	tp->priv = priv;
	tp->tx = sock_tx;
	tp->rx = sock_rx;
	tp->nb_bufs = 1;
	return 0;
}

/* Wake a peer blocked in read: it sees the end of the stream. */
static void
sock_tx_end(struct perf_transport *tp, unsigned int side)
{
	struct sock_priv *priv = tp->priv;

	if (priv->kind == SOCK_PIPE)
		fd_close(&priv->wfd[side]);
	else
		shutdown(priv->wfd[side], SHUT_WR);
}

/* Wake a peer blocked in read or write: it sees EOF or EPIPE. */
static void
sock_abort(struct perf_transport *tp, unsigned int side)
{
	struct sock_priv *priv = tp->priv;

	if (priv->kind == SOCK_PIPE) {
		fd_close(&priv->wfd[side]);
		fd_close(&priv->rfd[side]);
	} else if (priv->wfd[side] >= 0) {
		shutdown(priv->wfd[side], SHUT_RDWR);
	}
}

/* Ended streams stay ended: the next run gets fresh ones. */
static int
sock_rearm(struct perf_transport *tp)
{
	struct sock_priv *priv = tp->priv;
	int ret;

	sock_close_fds(priv);
	ret = sock_open_fds(priv);
	if (ret < 0)
		fprintf(stderr, "vmci-perf: transport %s: reopen: %s\n",
			tp->ops->name, strerror(-ret));
	return ret;
}

#define SOCK_OPEN_FN(fn, kind) \
static int \
fn(struct perf_transport *tp, const struct perf_options *opt, int socket) \
{ \
	RTE_SET_USED(opt); \
	return sock_open_kind(tp, kind, socket); \
}

SOCK_OPEN_FN(unix_open, SOCK_UNIX)
SOCK_OPEN_FN(unix_busy_open, SOCK_UNIX_BUSY)
SOCK_OPEN_FN(pipe_open, SOCK_PIPE)
SOCK_OPEN_FN(tcp_open, SOCK_TCP)

const struct perf_transport_ops perf_transport_unix = {
	.name = "unix",
	.open = unix_open,
	.close = sock_close,
	.tx_end = sock_tx_end,
	.rearm = sock_rearm,
	.abort = sock_abort,
};

const struct perf_transport_ops perf_transport_unix_busy = {
	.name = "unix-busy",
	.open = unix_busy_open,
	.close = sock_close,
	.tx_end = sock_tx_end,
	.rearm = sock_rearm,
	.abort = sock_abort,
};

const struct perf_transport_ops perf_transport_pipe = {
	.name = "pipe",
	.open = pipe_open,
	.close = sock_close,
	.tx_end = sock_tx_end,
	.rearm = sock_rearm,
	.abort = sock_abort,
};

const struct perf_transport_ops perf_transport_tcp = {
	.name = "tcp",
	.open = tcp_open,
	.close = sock_close,
	.tx_end = sock_tx_end,
	.rearm = sock_rearm,
	.abort = sock_abort,
};
