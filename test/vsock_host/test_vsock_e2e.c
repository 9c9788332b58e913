/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

/*
 * The guest's vSockets component (rte_vmci_vsock.h) against the emulated
 * host's endpoint (vmci_emu_vsock.h): two implementations of the protocol
 * that share only the wire header. Echo of sizes from 1 B to 1 MiB,
 * byte-checked, with the guest connecting and with the host connecting to
 * a guest listener, in both notify protocols, with a host that polls and
 * with one that sleeps until the guest's notifications wake it;
 * half-close, resets, the source and discard services, datagram echo. One
 * thread polls both ends.
 */

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_errno.h>

#include "rte_bus_vmci.h"
#include "rte_vmci_vsock.h"
#include "vmci_emu_test.h"
#include "vmci_emu_vsock.h"
#include "vmci_test.h"

#define GUEST_CID 20
#define WAIT_SECONDS 30
/* A host service answering only the classic handshake, as an old host. */
#define PORT_CLASSIC_ECHO 70u
/* Echoes that sleep as blocking processes do: both handshakes, classic only. */
#define PORT_SLEEPING_ECHO 71u
#define PORT_SLEEPING_CLASSIC_ECHO 72u
#define GUEST_LISTEN_PORT 5000u

static struct rte_vmci_device *guest, *host;
static struct vmci_emu_vsock *vs;
static struct rte_vmci_vsock_ctx *ctx;
/* Short handshake timers: the hostile cases wait for them. */
static const struct rte_vmci_vsock_conf ctx_conf = {
	.connect_timeout_ms = 300,
	.pending_timeout_ms = 300,
};
/* The flags ctx was made with. */
static uint32_t ctx_flags;

static uint8_t txbuf[(1 << 20) + 1], rxbuf[(1 << 20) + 1];

static void
pump(void)
{
	vmci_emu_vsock_poll(vs);
	rte_vmci_vsock_poll(ctx);
}

/* A bound for waits (a test that hangs fails), not a measure of speed. */
static uint64_t
wait_end(void)
{
	return rte_get_timer_cycles() + WAIT_SECONDS * rte_get_timer_hz();
}

static int
wait_state(struct rte_vmci_vsock *s, enum rte_vmci_vsock_state want)
{
	uint64_t end = wait_end();

	while (rte_vmci_vsock_state(s) != want && rte_get_timer_cycles() < end)
		pump();
	TEST_ASSERT_EQUAL(rte_vmci_vsock_state(s), want, "socket state (error %d)",
			  rte_vmci_vsock_error(s));
	return TEST_SUCCESS;
}

static void
fill(size_t len, uint32_t seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		txbuf[i] = (uint8_t)((i * 167u + seed) ^ (i >> 11));
}

/*
 * Send @len bytes of txbuf and read @back bytes; compare. The reader takes
 * what is there every round or, @reader_lags, only while the sender is
 * blocked (or done), so that both queues fill up. A stall, WAIT_SECONDS
 * without a byte moving either way, fails (a bound, not a measure).
 * One thread runs both ends in turn: without the last pump the next
 * transfer's bytes would always be there when the host next looked.
 */
static int
xfer_paced(struct rte_vmci_vsock *s, size_t len, size_t back, bool reader_lags)
{
	size_t sent = 0, got = 0;
	uint64_t end = wait_end();
	bool blocked;
	ssize_t n;

	while ((sent < len || got < back) && rte_get_timer_cycles() < end) {
		blocked = sent == len;
		if (sent < len) {
			n = rte_vmci_vsock_send(s, txbuf + sent, len - sent);
			TEST_ASSERT(n > 0 || n == -EAGAIN, "send: %zd", n);
			if (n > 0) {
				sent += (size_t)n;
				end = wait_end();
			}
			blocked = n == -EAGAIN;
		}
		pump();
		if (got < back && (blocked || !reader_lags)) {
			n = rte_vmci_vsock_recv(s, rxbuf + got, back - got);
			TEST_ASSERT(n > 0 || n == -EAGAIN, "recv: %zd after %zu of %zu", n, got,
				    back);
			if (n > 0) {
				got += (size_t)n;
				end = wait_end();
			}
		}
	}
	if (sent < len || got < back)
		printf("  stalled: nothing moved for %d s; %zu of %zu bytes sent, %zu of %zu"
		       " back\n", WAIT_SECONDS, sent, len, got, back);
	/* The host finds its queue empty before the next transfer (a sleeping one sleeps). */
	pump();
	TEST_ASSERT_EQUAL(sent, len, "bytes sent");
	TEST_ASSERT_EQUAL(got, back, "bytes back");
	TEST_ASSERT(memcmp(rxbuf, txbuf, back) == 0, "echoed bytes differ (%zu)", len);
	return TEST_SUCCESS;
}

/* Send and read interleaved. */
static int
xfer(struct rte_vmci_vsock *s, size_t len, size_t back)
{
	return xfer_paced(s, len, back, false);
}

/* Sizes between the powers of two: a fixed sequence, the same every run. */
#define RANDOM_SIZES 32

static size_t
next_size(uint64_t *state)
{
	*state = *state * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
	return 1 + (size_t)((*state >> 33) % (1u << 20));
}

/* Every power of two up to 1 MiB and one byte either side, then sizes in between. */
static int
echo_sizes(struct rte_vmci_vsock *s)
{
	uint64_t state = 20261206;
	size_t base, len;
	int k, d;

	for (k = 0; k <= 20; k++) {
		base = (size_t)1 << k;
		for (d = -1; d <= 1; d++) {
			len = base + (size_t)d;
			if (len == 0 || len > ((size_t)1 << 20))
				continue;
			fill(len, (uint32_t)(k * 3 + d));
			if (xfer(s, len, len) != TEST_SUCCESS) {
				printf("  echo of %zu bytes\n", len);
				return TEST_FAILED;
			}
		}
	}
	for (k = 0; k < RANDOM_SIZES; k++) {
		len = next_size(&state);
		fill(len, (uint32_t)k);
		if (xfer(s, len, len) != TEST_SUCCESS) {
			printf("  echo of %zu bytes\n", len);
			return TEST_FAILED;
		}
	}
	return TEST_SUCCESS;
}

/* Read until end of stream; returns bytes read or -1. */
static ssize_t
read_to_eof(struct rte_vmci_vsock *s, uint8_t *buf, size_t cap)
{
	uint64_t end = wait_end();
	size_t got = 0;
	ssize_t n;

	while (rte_get_timer_cycles() < end) {
		pump();
		n = rte_vmci_vsock_recv(s, buf + got, cap - got);
		if (n == 0)
			return (ssize_t)got;
		if (n < 0 && n != -EAGAIN)
			return -1;
		if (n > 0)
			got += (size_t)n;
		if (got == cap)
			return (ssize_t)got;
	}
	return -1;
}

/*
 * After the echoes through a sleeping host service (connection @host_id):
 * 1 MiB more with the reader lagging, so that the host also finds the
 * guest's queue full and sleeps writing. Every transfer ended, so every
 * sleep was woken; the counters show that the host slept both ways and
 * was woken by the guest's WROTE and READ, and that the guest held its
 * queue-state WROTEs and sent them late (none held with
 * RTE_VMCI_VSOCK_F_WROTE_AT_ONCE, nor in the classic protocol).
 */
static int
sleeper_checks(struct rte_vmci_vsock *s, int host_id)
{
	bool held = rte_vmci_vsock_notify_proto(s) == RTE_VMCI_VSOCK_NOTIFY_QSTATE &&
		(ctx_flags & RTE_VMCI_VSOCK_F_WROTE_AT_ONCE) == 0;
	struct vmci_emu_vsock_conn_info info;
	struct rte_vmci_vsock_stats st;

	fill(1 << 20, 71);
	if (xfer_paced(s, 1 << 20, 1 << 20, true) != TEST_SUCCESS) {
		printf("  1 MiB with the reader lagging\n");
		return TEST_FAILED;
	}
	TEST_ASSERT_EQUAL(rte_vmci_vsock_stats_get(s, &st), 0, "guest counters");
	TEST_ASSERT_EQUAL(vmci_emu_vsock_conn_info(vs, host_id, &info), 0, "host connection");
	printf("  host slept %" PRIu64 " times reading, %" PRIu64 " writing, woken by %" PRIu64
	       " WROTE and %" PRIu64 " READ; guest WROTEs held and sent %" PRIu64 ", held and"
	       " saved %" PRIu64 "\n", info.stats.sleeps_reading, info.stats.sleeps_writing,
	       info.stats.wakeups_wrote, info.stats.wakeups_read, st.wrote_late, st.wrote_saved);
	TEST_ASSERT(info.sleeps, "the host's service sleeps");
	TEST_ASSERT(info.stats.sleeps_reading > 0 && info.stats.wakeups_wrote > 0,
		    "the host slept reading and a WROTE woke it");
	TEST_ASSERT(info.stats.sleeps_writing > 0 && info.stats.wakeups_read > 0,
		    "the host slept writing and a READ woke it");
	if (held)
		TEST_ASSERT(st.wrote_late > 0, "held WROTEs sent late");
	else
		TEST_ASSERT(st.wrote_late == 0 && st.wrote_saved == 0, "no WROTE held");
	return TEST_SUCCESS;
}

/* The host's connection of a socket the guest connected to host port @port. */
static int
host_conn_of(struct rte_vmci_vsock *s, uint32_t port)
{
	uint32_t lport;

	if (rte_vmci_vsock_addr(s, NULL, &lport, NULL, NULL) != 0)
		return -EINVAL;
	return vmci_emu_vsock_conn_find(vs, GUEST_CID, lport, port);
}

/* Echo of every size; @host_sleeps: through a sleeping service (sleeper_checks()). */
static int
client_echo(uint32_t port, enum rte_vmci_vsock_notify proto, bool host_sleeps)
{
	struct rte_vmci_vsock *s;
	int ret;

	s = rte_vmci_vsock_connect(ctx, RTE_VMCI_VSOCK_CID_HOST, port, RTE_VMCI_VSOCK_PORT_ANY);
	TEST_ASSERT(s != NULL, "connect: %s", rte_strerror(rte_errno));
	ret = wait_state(s, RTE_VMCI_VSOCK_ESTABLISHED);
	if (ret == TEST_SUCCESS && rte_vmci_vsock_notify_proto(s) != proto) {
		printf("  notify protocol %d, expected %d\n", rte_vmci_vsock_notify_proto(s),
		       proto);
		ret = TEST_FAILED;
	}
	if (ret == TEST_SUCCESS)
		ret = echo_sizes(s);
	if (ret == TEST_SUCCESS && host_sleeps)
		ret = sleeper_checks(s, host_conn_of(s, port));
	rte_vmci_vsock_close(s);
	return ret;
}

static int
test_client_echo_new(void)
{
	return client_echo(VMCI_EMU_VSOCK_PORT_ECHO, RTE_VMCI_VSOCK_NOTIFY_QSTATE, false);
}

/* An old host answers REQUEST2 with INVALID: the guest falls back to the classic handshake. */
static int
test_client_echo_classic(void)
{
	return client_echo(PORT_CLASSIC_ECHO, RTE_VMCI_VSOCK_NOTIFY_CLASSIC, false);
}

/* How server_echo() runs. */
#define SERVER_HALF_CLOSE  0x1u /* 300,000 bytes and the guest's SHUT_WR instead of the sizes */
#define SERVER_HOST_SLEEPS 0x2u /* the host's echo sleeps (sleeper_checks()) */

/* The host connects to a guest listener; the guest sends, the host echoes. */
static int
server_echo(uint32_t handshake, enum rte_vmci_vsock_notify proto, uint32_t how)
{
	struct vmci_emu_vsock_connect_conf cc = {
		.cid = GUEST_CID,
		.port = GUEST_LISTEN_PORT,
		.kind = VMCI_EMU_VSOCK_ECHO,
		.handshake = handshake,
		.sleeps = (how & SERVER_HOST_SLEEPS) != 0,
	};
	struct vmci_emu_vsock_conn_info info;
	struct rte_vmci_vsock *l, *s = NULL;
	uint64_t end = wait_end();
	int id, ret = TEST_FAILED;
	ssize_t n;

	l = rte_vmci_vsock_listen(ctx, GUEST_LISTEN_PORT, 4);
	TEST_ASSERT(l != NULL, "listen: %s", rte_strerror(rte_errno));
	id = vmci_emu_vsock_connect(vs, &cc);
	if (id < 0)
		goto out;
	while (s == NULL && rte_get_timer_cycles() < end) {
		pump();
		s = rte_vmci_vsock_accept(l);
	}
	if (s == NULL || wait_state(s, RTE_VMCI_VSOCK_ESTABLISHED) != TEST_SUCCESS) {
		printf("  no connection from the host\n");
		goto out;
	}
	if (rte_vmci_vsock_notify_proto(s) != proto) {
		printf("  notify protocol %d, expected %d\n", rte_vmci_vsock_notify_proto(s),
		       proto);
		goto out;
	}
	if (!(how & SERVER_HALF_CLOSE)) {
		ret = echo_sizes(s);
		if (ret == TEST_SUCCESS && (how & SERVER_HOST_SLEEPS))
			ret = sleeper_checks(s, id);
		goto out;
	}
	/* Half-close: the rest comes back, then the host's end of stream. */
	fill(300000, 99);
	if (xfer(s, 300000, 0) != TEST_SUCCESS ||
	    rte_vmci_vsock_shutdown(s, SHUT_WR) != 0)
		goto out;
	n = read_to_eof(s, rxbuf, sizeof(rxbuf));
	if (n != 300000 || memcmp(rxbuf, txbuf, 300000) != 0) {
		printf("  after half-close: %zd bytes back, expected 300000\n", n);
		goto out;
	}
	if (vmci_emu_vsock_conn_info(vs, id, &info) != 0 ||
	    info.peer_shutdown != RTE_VMCI_VSOCK_SHUTDOWN_SEND ||
	    info.state != VMCI_EMU_VSOCK_CLOSED || info.error != 0) {
		printf("  host after half-close: state %d error %d peer shutdown %u\n",
		       info.state, info.error, info.peer_shutdown);
		goto out;
	}
	ret = TEST_SUCCESS;
out:
	rte_vmci_vsock_close(s);
	rte_vmci_vsock_close(l);
	return ret;
}

static int
test_server_echo_new(void)
{
	return server_echo(VMCI_EMU_VSOCK_HS_NEW, RTE_VMCI_VSOCK_NOTIFY_QSTATE, 0);
}

static int
test_server_echo_classic(void)
{
	return server_echo(VMCI_EMU_VSOCK_HS_CLASSIC, RTE_VMCI_VSOCK_NOTIFY_CLASSIC, 0);
}

static int
test_server_half_close(void)
{
	int ret = server_echo(VMCI_EMU_VSOCK_HS_NEW, RTE_VMCI_VSOCK_NOTIFY_QSTATE,
			      SERVER_HALF_CLOSE);

	if (ret == TEST_SUCCESS)
		ret = server_echo(VMCI_EMU_VSOCK_HS_CLASSIC, RTE_VMCI_VSOCK_NOTIFY_CLASSIC,
				  SERVER_HALF_CLOSE);
	return ret;
}

/*
 * A host that sleeps as a blocking Linux process does (sections 3.6, 3.9):
 * it looks at its queue again only when the guest's WROTE or READ wakes
 * it, so a wake-up the guest owes and does not send stalls the echo.
 */
static int
test_client_sleeper_new(void)
{
	return client_echo(PORT_SLEEPING_ECHO, RTE_VMCI_VSOCK_NOTIFY_QSTATE, true);
}

static int
test_client_sleeper_classic(void)
{
	return client_echo(PORT_SLEEPING_CLASSIC_ECHO, RTE_VMCI_VSOCK_NOTIFY_CLASSIC, true);
}

static int
test_server_sleeper_new(void)
{
	return server_echo(VMCI_EMU_VSOCK_HS_NEW, RTE_VMCI_VSOCK_NOTIFY_QSTATE,
			   SERVER_HOST_SLEEPS);
}

static int
test_server_sleeper_classic(void)
{
	return server_echo(VMCI_EMU_VSOCK_HS_CLASSIC, RTE_VMCI_VSOCK_NOTIFY_CLASSIC,
			   SERVER_HOST_SLEEPS);
}

/* Pump until the host's connection @id sleeps writing, or the wait bound. */
static int
until_host_sleeps_writing(struct rte_vmci_vsock *s, int id, const uint8_t *buf, size_t len,
			  size_t *sent)
{
	struct vmci_emu_vsock_conn_info info;
	uint64_t end = wait_end();
	ssize_t n;

	do {
		if (*sent < len) {
			n = rte_vmci_vsock_send(s, buf + *sent, len - *sent);
			TEST_ASSERT(n > 0 || n == -EAGAIN, "send: %zd", n);
			if (n > 0)
				*sent += (size_t)n;
		}
		pump();
		TEST_ASSERT_EQUAL(vmci_emu_vsock_conn_info(vs, id, &info), 0, "host connection");
	} while ((*sent < len || info.asleep != VMCI_EMU_VSOCK_ASLEEP_WRITING) &&
		 rte_get_timer_cycles() < end);
	TEST_ASSERT_EQUAL(*sent, len, "bytes sent");
	TEST_ASSERT_EQUAL(info.asleep, VMCI_EMU_VSOCK_ASLEEP_WRITING, "the host asleep writing");
	return TEST_SUCCESS;
}

/*
 * The host fills the guest's queue between a zero-copy peek and its
 * consume, then sleeps writing: the consume frees room in a queue that was
 * full, and the host needs a READ for it. The guest must tell from the
 * queue as it is after the consume, not as the peek found it. (The copy
 * path meets the same when the writer runs on another thread and fills
 * the queue during a recv.)
 */
static int
test_sleeper_zc_refill(void)
{
	const size_t cap = RTE_VMCI_VSOCK_BUFFER_DEFAULT_SIZE - 1, len = cap + 100000;
	struct rte_vmci_qp_zc zc;
	struct rte_vmci_vsock *s;
	uint64_t end = wait_end();
	size_t sent = 0;
	int id, ret = TEST_FAILED;
	ssize_t n;

	s = rte_vmci_vsock_connect(ctx, RTE_VMCI_VSOCK_CID_HOST, PORT_SLEEPING_ECHO,
				   RTE_VMCI_VSOCK_PORT_ANY);
	TEST_ASSERT(s != NULL, "connect: %s", rte_strerror(rte_errno));
	if (wait_state(s, RTE_VMCI_VSOCK_ESTABLISHED) != TEST_SUCCESS)
		goto out;
	id = host_conn_of(s, PORT_SLEEPING_ECHO);
	fill(len, 29);
	/* The first echoed bytes, peeked while the queue is far from full. */
	if (rte_vmci_vsock_send(s, txbuf, cap) != (ssize_t)cap)
		goto out;
	sent = cap;
	do {
		pump();
		n = rte_vmci_vsock_peek_zc(s, 1, &zc);
	} while (n == -EAGAIN && rte_get_timer_cycles() < end);
	if (n != 1 || *(uint8_t *)zc.ptr1 != txbuf[0] ||
	    rte_vmci_vsock_rx_ready(s) == (ssize_t)cap) {
		printf("  peek: %zd, expected 1 byte of a queue not yet full\n", n);
		goto out;
	}
	/* The host fills the guest's queue and, with more to echo, sleeps writing. */
	if (until_host_sleeps_writing(s, id, txbuf, len, &sent) != TEST_SUCCESS ||
	    rte_vmci_vsock_rx_ready(s) != (ssize_t)cap ||
	    rte_vmci_vsock_consume(s, 1) != 0)
		goto out;
	/* The rest, compared from the second byte: only a READ lets the host go on. */
	memmove(txbuf, txbuf + 1, len - 1);
	ret = xfer(s, 0, len - 1);
out:
	rte_vmci_vsock_close(s);
	return ret;
}

/* The guest's context made again with @flags (and nothing else changed). */
static int
ctx_remake(uint32_t flags)
{
	struct rte_vmci_vsock_conf conf = ctx_conf;

	rte_vmci_vsock_ctx_destroy(ctx);
	conf.flags = flags;
	ctx = rte_vmci_vsock_ctx_create(guest, &conf);
	ctx_flags = flags;
	TEST_ASSERT(ctx != NULL, "guest context with flags 0x%x: %s", flags,
		    rte_strerror(rte_errno));
	return TEST_SUCCESS;
}

/* RTE_VMCI_VSOCK_F_WROTE_AT_ONCE: nothing held, the sleeping host woken all the same. */
static int
test_sleeper_wrote_at_once(void)
{
	int ret = ctx_remake(RTE_VMCI_VSOCK_F_WROTE_AT_ONCE);

	if (ret == TEST_SUCCESS)
		ret = client_echo(PORT_SLEEPING_ECHO, RTE_VMCI_VSOCK_NOTIFY_QSTATE, true);
	if (ret == TEST_SUCCESS)
		ret = server_echo(VMCI_EMU_VSOCK_HS_NEW, RTE_VMCI_VSOCK_NOTIFY_QSTATE,
				  SERVER_HOST_SLEEPS);
	if (ctx_remake(0) != TEST_SUCCESS)
		return TEST_FAILED;
	return ret;
}

/* The guest shuts down sending: everything comes back, then end of stream. */
static int
client_half_close(uint32_t port)
{
	struct rte_vmci_vsock *s;
	ssize_t n;

	s = rte_vmci_vsock_connect(ctx, RTE_VMCI_VSOCK_CID_HOST, port, RTE_VMCI_VSOCK_PORT_ANY);
	TEST_ASSERT(s != NULL, "connect");
	if (wait_state(s, RTE_VMCI_VSOCK_ESTABLISHED) != TEST_SUCCESS)
		goto fail;
	fill(500000, 5);
	if (xfer(s, 500000, 0) != TEST_SUCCESS || rte_vmci_vsock_shutdown(s, SHUT_WR) != 0)
		goto fail;
	n = read_to_eof(s, rxbuf, sizeof(rxbuf));
	if (n != 500000 || memcmp(rxbuf, txbuf, 500000) != 0) {
		printf("  %zd bytes before end of stream, expected 500000\n", n);
		goto fail;
	}
	TEST_ASSERT_EQUAL(rte_vmci_vsock_send(s, txbuf, 1), -EPIPE, "send after SHUT_WR");
	rte_vmci_vsock_close(s);
	return TEST_SUCCESS;
fail:
	rte_vmci_vsock_close(s);
	return TEST_FAILED;
}

static int
test_client_half_close(void)
{
	int ret = client_half_close(VMCI_EMU_VSOCK_PORT_ECHO);

	if (ret == TEST_SUCCESS)
		ret = client_half_close(PORT_CLASSIC_ECHO);
	return ret;
}

/* The source: a count, then exactly that many pattern bytes and end of stream. */
static int
test_client_source(void)
{
	uint64_t count = (1 << 20) + 1, i;
	struct rte_vmci_vsock *s;
	ssize_t n;

	s = rte_vmci_vsock_connect(ctx, RTE_VMCI_VSOCK_CID_HOST, VMCI_EMU_VSOCK_PORT_SOURCE,
				   RTE_VMCI_VSOCK_PORT_ANY);
	TEST_ASSERT(s != NULL, "connect");
	if (wait_state(s, RTE_VMCI_VSOCK_ESTABLISHED) != TEST_SUCCESS ||
	    rte_vmci_vsock_send(s, &count, sizeof(count)) != sizeof(count)) {
		rte_vmci_vsock_close(s);
		return TEST_FAILED;
	}
	n = read_to_eof(s, rxbuf, sizeof(rxbuf));
	rte_vmci_vsock_close(s);
	TEST_ASSERT_EQUAL(n, (ssize_t)count, "bytes before end of stream");
	for (i = 0; i < count; i++)
		TEST_ASSERT_EQUAL(rxbuf[i], vmci_emu_vsock_pattern(i), "byte %" PRIu64, i);
	return TEST_SUCCESS;
}

static int
test_client_discard(void)
{
	struct rte_vmci_vsock *s;
	int ret;

	s = rte_vmci_vsock_connect(ctx, RTE_VMCI_VSOCK_CID_HOST, VMCI_EMU_VSOCK_PORT_DISCARD,
				   RTE_VMCI_VSOCK_PORT_ANY);
	TEST_ASSERT(s != NULL, "connect");
	ret = wait_state(s, RTE_VMCI_VSOCK_ESTABLISHED);
	fill(1 << 20, 8);
	if (ret == TEST_SUCCESS)
		ret = xfer(s, 1 << 20, 0);
	rte_vmci_vsock_close(s);
	return ret;
}

/* Resets: a refused connect; a RST from the host mid-stream; the host detaching. */
static int
test_resets(void)
{
	struct rte_vmci_vsock *s;
	uint32_t lport;
	int id;

	s = rte_vmci_vsock_connect(ctx, RTE_VMCI_VSOCK_CID_HOST, 4444, RTE_VMCI_VSOCK_PORT_ANY);
	TEST_ASSERT(s != NULL, "connect");
	if (wait_state(s, RTE_VMCI_VSOCK_CLOSED) != TEST_SUCCESS)
		goto fail;
	TEST_ASSERT_EQUAL(rte_vmci_vsock_error(s), -ECONNRESET, "refused");
	rte_vmci_vsock_close(s);

	s = rte_vmci_vsock_connect(ctx, RTE_VMCI_VSOCK_CID_HOST, VMCI_EMU_VSOCK_PORT_ECHO,
				   RTE_VMCI_VSOCK_PORT_ANY);
	TEST_ASSERT(s != NULL, "connect");
	if (wait_state(s, RTE_VMCI_VSOCK_ESTABLISHED) != TEST_SUCCESS)
		goto fail;
	fill(1000, 1);
	if (xfer(s, 1000, 1000) != TEST_SUCCESS)
		goto fail;
	rte_vmci_vsock_addr(s, NULL, &lport, NULL, NULL);
	TEST_ASSERT(vmci_emu_vsock_send_pkt(vs, GUEST_CID, RTE_VMCI_VSOCK_PKT_RST, 0,
					    VMCI_EMU_VSOCK_PORT_ECHO, lport, 0, 0) >= 0, "RST");
	TEST_ASSERT_EQUAL(read_to_eof(s, rxbuf, sizeof(rxbuf)), 0, "end of stream after a RST");
	rte_vmci_vsock_close(s);

	/* The host detaches mid-stream: what it sent stays readable, then end of stream. */
	s = rte_vmci_vsock_connect(ctx, RTE_VMCI_VSOCK_CID_HOST, VMCI_EMU_VSOCK_PORT_ECHO,
				   RTE_VMCI_VSOCK_PORT_ANY);
	TEST_ASSERT(s != NULL, "connect");
	if (wait_state(s, RTE_VMCI_VSOCK_ESTABLISHED) != TEST_SUCCESS)
		goto fail;
	rte_vmci_vsock_addr(s, NULL, &lport, NULL, NULL);
	fill(5000, 2);
	TEST_ASSERT_EQUAL(rte_vmci_vsock_send(s, txbuf, 5000), 5000, "send");
	pump(); /* echoed */
	id = vmci_emu_vsock_conn_find(vs, GUEST_CID, lport, VMCI_EMU_VSOCK_PORT_ECHO);
	TEST_ASSERT(id >= 0, "host connection");
	TEST_ASSERT_EQUAL(vmci_emu_vsock_conn_detach(vs, id), 0, "detach");
	TEST_ASSERT_EQUAL(read_to_eof(s, rxbuf, sizeof(rxbuf)), 5000, "echo, then end");
	TEST_ASSERT(memcmp(rxbuf, txbuf, 5000) == 0, "bytes");
	rte_vmci_vsock_close(s);
	/* The guest closing: the host's connection goes with it. */
	s = rte_vmci_vsock_connect(ctx, RTE_VMCI_VSOCK_CID_HOST, VMCI_EMU_VSOCK_PORT_ECHO,
				   RTE_VMCI_VSOCK_PORT_ANY);
	TEST_ASSERT(s != NULL, "connect");
	if (wait_state(s, RTE_VMCI_VSOCK_ESTABLISHED) != TEST_SUCCESS)
		goto fail;
	rte_vmci_vsock_close(s);
	pump();
	pump();
	TEST_ASSERT_EQUAL(vmci_emu_vsock_conn_count(vs), 0, "host connections left");
	return TEST_SUCCESS;
fail:
	rte_vmci_vsock_close(s);
	return TEST_FAILED;
}

static int
test_dgram_echo(void)
{
	static const size_t sizes[] = { 1, 1000, RTE_VMCI_VSOCK_MAX_DG_PAYLOAD };
	struct rte_vmci_vsock *d;
	uint32_t cid, port;
	uint64_t end;
	unsigned int i;
	ssize_t n;

	d = rte_vmci_vsock_dgram_bind(ctx, RTE_VMCI_VSOCK_PORT_ANY);
	TEST_ASSERT(d != NULL, "bind: %s", rte_strerror(rte_errno));
	for (i = 0; i < RTE_DIM(sizes); i++) {
		fill(sizes[i], i);
		n = rte_vmci_vsock_sendto(d, txbuf, sizes[i], RTE_VMCI_VSOCK_CID_HOST,
					  VMCI_EMU_VSOCK_DGRAM_ECHO);
		if (n != (ssize_t)sizes[i])
			break;
		end = wait_end();
		do {
			pump();
			n = rte_vmci_vsock_recvfrom(d, rxbuf, sizeof(rxbuf), &cid, &port);
		} while (n == -EAGAIN && rte_get_timer_cycles() < end);
		if (n != (ssize_t)sizes[i] || cid != RTE_VMCI_VSOCK_CID_HOST ||
		    port != VMCI_EMU_VSOCK_DGRAM_ECHO || memcmp(rxbuf, txbuf, sizes[i]) != 0)
			break;
	}
	rte_vmci_vsock_close(d);
	TEST_ASSERT_EQUAL(i, RTE_DIM(sizes), "datagram %zu bytes not echoed (%zd)",
			  i < RTE_DIM(sizes) ? sizes[i] : 0, n);
	return TEST_SUCCESS;
}

/*
 * A hostile host (doc section 6.6) against the guest component: each
 * broken answer must end the connection with a clear error (and a RST
 * where the protocol says so), never hang it or crash.
 */
static int
hostile_service(uint32_t port, uint32_t bad, enum rte_vmci_vsock_state want, int error)
{
	struct vmci_emu_vsock_service svc = {
		.port = port,
		.kind = VMCI_EMU_VSOCK_ECHO,
		.misbehave = bad,
	};
	struct rte_vmci_vsock *s;
	int ret;

	TEST_ASSERT_EQUAL(vmci_emu_vsock_listen(vs, &svc), 0, "service on %u", port);
	s = rte_vmci_vsock_connect(ctx, RTE_VMCI_VSOCK_CID_HOST, port, RTE_VMCI_VSOCK_PORT_ANY);
	TEST_ASSERT(s != NULL, "connect");
	ret = wait_state(s, want);
	if (ret == TEST_SUCCESS && rte_vmci_vsock_error(s) != error) {
		printf("  host misbehaving 0x%x: guest error %d, expected %d\n", bad,
		       rte_vmci_vsock_error(s), error);
		ret = TEST_FAILED;
	}
	if (ret != TEST_SUCCESS)
		printf("  host misbehaving 0x%x\n", bad);
	rte_vmci_vsock_close(s);
	vmci_emu_vsock_unlisten(vs, port);
	return ret;
}

static int
test_hostile_server(void)
{
	static const struct {
		uint32_t bad;
		int error;
	} cases[] = {
		{ VMCI_EMU_VSOCK_BAD_NEG_SIZE_ZERO, -EPROTO },
		{ VMCI_EMU_VSOCK_BAD_NEG_SIZE_HUGE, -EPROTO },
		{ VMCI_EMU_VSOCK_BAD_NEG2_PROTO, -EPROTO },
		{ VMCI_EMU_VSOCK_BAD_ATTACH_HANDLE, -EPROTO },
		{ VMCI_EMU_VSOCK_BAD_RST_AFTER_NEG, -ECONNRESET },
		{ VMCI_EMU_VSOCK_BAD_NO_ATTACH, -ETIMEDOUT },
		{ VMCI_EMU_VSOCK_BAD_SILENT, -ETIMEDOUT },
	};
	unsigned int i;
	int ret = TEST_SUCCESS;

	for (i = 0; i < RTE_DIM(cases) && ret == TEST_SUCCESS; i++)
		ret = hostile_service(100 + i, cases[i].bad, RTE_VMCI_VSOCK_CLOSED,
				      cases[i].error);
	pump();
	return ret;
}

/* A host that never sends a notification: a poll-mode guest does not need them. */
static int
test_hostile_no_notify(void)
{
	struct vmci_emu_vsock_service svc = {
		.port = 120,
		.kind = VMCI_EMU_VSOCK_ECHO,
		.handshakes = VMCI_EMU_VSOCK_HS_CLASSIC,
		.misbehave = VMCI_EMU_VSOCK_BAD_NO_NOTIFY,
	};
	struct rte_vmci_vsock *s;
	int ret;

	TEST_ASSERT_EQUAL(vmci_emu_vsock_listen(vs, &svc), 0, "service");
	s = rte_vmci_vsock_connect(ctx, RTE_VMCI_VSOCK_CID_HOST, 120, RTE_VMCI_VSOCK_PORT_ANY);
	TEST_ASSERT(s != NULL, "connect");
	ret = wait_state(s, RTE_VMCI_VSOCK_ESTABLISHED);
	fill(1 << 20, 4);
	if (ret == TEST_SUCCESS)
		ret = xfer(s, 1 << 20, 1 << 20);
	rte_vmci_vsock_close(s);
	vmci_emu_vsock_unlisten(vs, 120);
	return ret;
}

/* A host client with a bad OFFER: the guest resets, accepts nothing, and listens on. */
static int
test_hostile_client(void)
{
	static const uint32_t bad[] = {
		VMCI_EMU_VSOCK_BAD_OFFER_INVALID,
		VMCI_EMU_VSOCK_BAD_OFFER_FOREIGN,
		VMCI_EMU_VSOCK_BAD_OFFER_UNKNOWN,
		VMCI_EMU_VSOCK_BAD_OFFER_SIZE,
	};
	struct vmci_emu_vsock_connect_conf cc = {
		.cid = GUEST_CID,
		.port = GUEST_LISTEN_PORT,
		.kind = VMCI_EMU_VSOCK_ECHO,
	};
	struct vmci_emu_vsock_conn_info info;
	struct rte_vmci_vsock *l, *s;
	uint64_t end;
	unsigned int i;
	int id, ret = TEST_FAILED;

	l = rte_vmci_vsock_listen(ctx, GUEST_LISTEN_PORT, 2);
	TEST_ASSERT(l != NULL, "listen");
	for (i = 0; i < RTE_DIM(bad); i++) {
		cc.misbehave = bad[i];
		id = vmci_emu_vsock_connect(vs, &cc);
		if (id < 0)
			goto out;
		end = wait_end();
		do {
			pump();
			vmci_emu_vsock_conn_info(vs, id, &info);
		} while (info.state != VMCI_EMU_VSOCK_CLOSED && rte_get_timer_cycles() < end);
		s = rte_vmci_vsock_accept(l);
		if (info.state != VMCI_EMU_VSOCK_CLOSED || info.error != ECONNRESET || s != NULL) {
			printf("  OFFER 0x%x: host state %d error %d, guest accepted %p\n", bad[i],
			       info.state, info.error, (void *)s);
			rte_vmci_vsock_close(s);
			goto out;
		}
	}
	/* The backlog is whole: a good connection is taken. */
	cc.misbehave = 0;
	id = vmci_emu_vsock_connect(vs, &cc);
	end = wait_end();
	s = NULL;
	while (id >= 0 && s == NULL && rte_get_timer_cycles() < end) {
		pump();
		s = rte_vmci_vsock_accept(l);
	}
	if (s == NULL) {
		printf("  no connection accepted after the bad OFFERs\n");
		goto out;
	}
	rte_vmci_vsock_close(s);
	ret = TEST_SUCCESS;
out:
	rte_vmci_vsock_close(l);
	pump();
	return ret;
}

/* A REQUEST flood, then RSTs for all of it: the backlog comes back whole (2026 leak). */
static int
test_hostile_flood(void)
{
	struct vmci_emu_vsock_connect_conf cc = {
		.cid = GUEST_CID,
		.port = GUEST_LISTEN_PORT,
		.kind = VMCI_EMU_VSOCK_ECHO,
	};
	struct rte_vmci_vsock *l, *s = NULL;
	uint64_t end;
	unsigned int i;
	int ret = TEST_FAILED;

	l = rte_vmci_vsock_listen(ctx, GUEST_LISTEN_PORT, 4);
	TEST_ASSERT(l != NULL, "listen");
	for (i = 0; i < 64; i++)
		vmci_emu_vsock_send_pkt(vs, GUEST_CID, RTE_VMCI_VSOCK_PKT_REQUEST2,
					RTE_VMCI_VSOCK_PROTO_PKT_ON_NOTIFY, 30000 + i,
					GUEST_LISTEN_PORT, 4096, 0);
	pump();
	for (i = 0; i < 64; i++)
		vmci_emu_vsock_send_pkt(vs, GUEST_CID, RTE_VMCI_VSOCK_PKT_RST, 0, 30000 + i,
					GUEST_LISTEN_PORT, 0, 0);
	pump();
	if (vmci_emu_vsock_connect(vs, &cc) < 0)
		goto out;
	end = wait_end();
	while (s == NULL && rte_get_timer_cycles() < end) {
		pump();
		s = rte_vmci_vsock_accept(l);
	}
	if (s == NULL) {
		printf("  the listener takes nothing after a flood\n");
		goto out;
	}
	fill(10000, 3);
	ret = xfer(s, 10000, 10000);
out:
	rte_vmci_vsock_close(s);
	rte_vmci_vsock_close(l);
	pump();
	return ret;
}

/* The host's producer tail out of range in the guest's consume queue: -EIO, no crash. */
static int
test_hostile_index(void)
{
	struct rte_vmci_vsock *s;
	struct vmci_emu_vsock_conn_info info;
	uint32_t lport;
	uint64_t end;
	ssize_t n;
	int id;

	s = rte_vmci_vsock_connect(ctx, RTE_VMCI_VSOCK_CID_HOST, VMCI_EMU_VSOCK_PORT_DISCARD,
				   RTE_VMCI_VSOCK_PORT_ANY);
	TEST_ASSERT(s != NULL, "connect");
	if (wait_state(s, RTE_VMCI_VSOCK_ESTABLISHED) != TEST_SUCCESS) {
		rte_vmci_vsock_close(s);
		return TEST_FAILED;
	}
	rte_vmci_vsock_addr(s, NULL, &lport, NULL, NULL);
	id = vmci_emu_vsock_conn_find(vs, GUEST_CID, lport, VMCI_EMU_VSOCK_PORT_DISCARD);
	vmci_emu_vsock_conn_info(vs, id, &info);
	TEST_ASSERT_EQUAL(vmci_emu_fault_qp_header(NULL, info.handle, 1, UINT64_C(1) << 40, 0),
			  0, "write the header");
	end = wait_end();
	do {
		pump();
		n = rte_vmci_vsock_recv(s, rxbuf, 100);
	} while (n == -EAGAIN && rte_get_timer_cycles() < end);
	rte_vmci_vsock_close(s);
	TEST_ASSERT_EQUAL(n, -EIO, "receive with the peer's index out of range");
	return TEST_SUCCESS;
}

static int
suite_setup(void)
{
	struct vmci_emu_vsock_service classic = {
		.port = PORT_CLASSIC_ECHO,
		.kind = VMCI_EMU_VSOCK_ECHO,
		.handshakes = VMCI_EMU_VSOCK_HS_CLASSIC,
	};
	struct vmci_emu_vsock_service sleeping = {
		.port = PORT_SLEEPING_ECHO,
		.kind = VMCI_EMU_VSOCK_ECHO,
		.sleeps = true,
	};
	struct vmci_emu_vsock_service sleeping_classic = {
		.port = PORT_SLEEPING_CLASSIC_ECHO,
		.kind = VMCI_EMU_VSOCK_ECHO,
		.handshakes = VMCI_EMU_VSOCK_HS_CLASSIC,
		.sleeps = true,
	};

	guest = rte_vmci_dev_find("vmci_emu0");
	host = rte_vmci_dev_find("vmci_host0");
	if (guest == NULL || host == NULL) {
		printf("  expected vmci_emu0 and vmci_host0 from -a vmci:...\n");
		return -1;
	}
	vs = vmci_emu_vsock_create(host);
	if (vs == NULL || vmci_emu_vsock_listen_defaults(vs, false) < 0 ||
	    vmci_emu_vsock_listen(vs, &classic) < 0 || vmci_emu_vsock_listen(vs, &sleeping) < 0 ||
	    vmci_emu_vsock_listen(vs, &sleeping_classic) < 0)
		return -1;
	ctx = rte_vmci_vsock_ctx_create(guest, &ctx_conf);
	if (ctx == NULL) {
		printf("  guest context: %s\n", rte_strerror(rte_errno));
		return -1;
	}
	return 0;
}

static void
suite_teardown(void)
{
	rte_vmci_vsock_ctx_destroy(ctx);
	vmci_emu_vsock_destroy(vs);
}

static const struct vmci_test_case e2e_cases[] = {
	{ "client_echo_new", test_client_echo_new },
	{ "client_echo_classic", test_client_echo_classic },
	{ "server_echo_new", test_server_echo_new },
	{ "server_echo_classic", test_server_echo_classic },
	{ "client_half_close", test_client_half_close },
	{ "server_half_close", test_server_half_close },
	{ "client_sleeper_new", test_client_sleeper_new },
	{ "client_sleeper_classic", test_client_sleeper_classic },
	{ "server_sleeper_new", test_server_sleeper_new },
	{ "server_sleeper_classic", test_server_sleeper_classic },
	{ "sleeper_wrote_at_once", test_sleeper_wrote_at_once },
	{ "sleeper_zc_refill", test_sleeper_zc_refill },
	{ "client_source", test_client_source },
	{ "client_discard", test_client_discard },
	{ "resets", test_resets },
	{ "dgram_echo", test_dgram_echo },
	{ "hostile_server", test_hostile_server },
	{ "hostile_no_notify", test_hostile_no_notify },
	{ "hostile_client", test_hostile_client },
	{ "hostile_flood", test_hostile_flood },
	{ "hostile_index", test_hostile_index },
	{ NULL, NULL },
};

static const struct vmci_test_suite e2e_suite = {
	.name = "vsock_e2e",
	.setup = suite_setup,
	.teardown = suite_teardown,
	.cases = e2e_cases,
};

VMCI_TEST_MAIN(e2e_suite)
