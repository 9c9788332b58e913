/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

/*
 * Baseline qp-echo of transport vsock: the raw queue pair through the same
 * kind of echo, in the same run, on the same cores. A pair of the size the
 * vSockets connection got is created on the guest device vsock used and
 * attached by the emulated host's device, as vSockets' own pair is. Side
 * 1's lcore, where the emulated host's thread runs during the vsock rows,
 * echoes the host's end as that host's echo service does at each step
 * (vmci_emu_vsock_data.c): the bytes ready, at most what the other queue
 * has room for and a 64 KiB bounce buffer holds, dequeued, then enqueued
 * back; no vSockets packets, notifications or shutdown checks. Side 0 runs
 * the vsock transport's loop (perf_echo.c) over the pair's byte-stream
 * calls in place of the socket's. What the two figures differ by is what
 * vSockets adds.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_pause.h>

#include <rte_bus_vmci.h>
#include <rte_vmci_qp.h>

#include "perf_echo.h"
#include "perf_transport.h"
#include "perf_transport_qp.h"
#include "perf_transport_vmci.h"

/* The emulated host's echo moves at most this much per step (EVS_BOUNCE). */
#define QPE_BOUNCE (64u * 1024u)

struct qpe_priv {
	struct perf_echo echo;           /* first: the loop's state */
	struct rte_vmci_qpair *qpair[2]; /* the guest's end, the host device's */
	struct rte_vmci_qp *host;        /* the host's endpoint: the echo's */
	struct rte_vmci_handle handle;
	uint8_t *bounce;
	unsigned int lcore;              /* side 1's: the echo's */
	bool launched;
	/* Between side 0 and the echo's lcore. */
	uint32_t running;                /* the echo polls */
	uint32_t stop;
	int32_t echo_err;                /* what stopped the echo, or 0 */
	uint64_t echoed_bytes;           /* read once the echo stopped */
};

/* The pair's calls, returning as the socket's do: -EAGAIN when nothing moves. */

static inline ssize_t
qpe_again(ssize_t r)
{
	return r == 0 ? -EAGAIN : r;
}

static ssize_t
qpe_io_send(void *qp, const void *buf, size_t len)
{
	return qpe_again(rte_vmci_qp_enqueue_burst(qp, buf, len));
}

static ssize_t
qpe_io_recv(void *qp, void *buf, size_t len)
{
	return qpe_again(rte_vmci_qp_dequeue_burst(qp, buf, len));
}

static ssize_t
qpe_io_reserve_zc(void *qp, size_t len, struct rte_vmci_qp_zc *zc)
{
	return qpe_again(rte_vmci_qp_enqueue_zc_burst_start(qp, len, zc));
}

static int
qpe_io_commit(void *qp, size_t n)
{
	return rte_vmci_qp_enqueue_zc_finish(qp, n);
}

static ssize_t
qpe_io_peek_zc(void *qp, size_t len, struct rte_vmci_qp_zc *zc)
{
	return qpe_again(rte_vmci_qp_dequeue_zc_burst_start(qp, len, zc));
}

static int
qpe_io_consume(void *qp, size_t n)
{
	return rte_vmci_qp_dequeue_zc_finish(qp, n);
}

/* Once a millisecond: the echo still runs. */
static int
qpe_check(struct perf_echo *e)
{
	struct qpe_priv *p = container_of(e, struct qpe_priv, echo);
	int err = __atomic_load_n(&p->echo_err, __ATOMIC_ACQUIRE);

	if (unlikely(err != 0))
		return perf_echo_fail(e, err, "the echo on lcore %u stopped: the pair's indices"
				      " are out of range", p->lcore);
	return 0;
}

static const struct perf_echo_io qpe_io = {
	.send = qpe_io_send,
	.recv = qpe_io_recv,
	.reserve_zc = qpe_io_reserve_zc,
	.commit = qpe_io_commit,
	.peek_zc = qpe_io_peek_zc,
	.consume = qpe_io_consume,
	.name = {
		[PERF_ECHO_SEND] = "rte_vmci_qp_enqueue_burst",
		[PERF_ECHO_RECV] = "rte_vmci_qp_dequeue_burst",
		[PERF_ECHO_RESERVE_ZC] = "rte_vmci_qp_enqueue_zc_burst_start",
		[PERF_ECHO_COMMIT] = "rte_vmci_qp_enqueue_zc_finish",
		[PERF_ECHO_PEEK_ZC] = "rte_vmci_qp_dequeue_zc_burst_start",
		[PERF_ECHO_CONSUME] = "rte_vmci_qp_dequeue_zc_finish",
	},
	.check = qpe_check,
};

/*
 * Side 1: the emulated host's echo step without vSockets, until told to
 * stop. A peer index out of range (-EIO) stops it; side 0 hears of it.
 */
static int
qpe_echo_loop(void *arg)
{
	struct qpe_priv *p = arg;
	struct rte_vmci_qp *qp = p->host;
	int64_t ready, room;
	int err = 0;
	size_t n;

	__atomic_store_n(&p->running, 1, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&p->stop, __ATOMIC_ACQUIRE)) {
		ready = rte_vmci_qp_ready_bytes(qp);
		room = rte_vmci_qp_free_space(qp);
		if (unlikely(ready < 0 || room < 0)) {
			err = (int)(ready < 0 ? ready : room);
			break;
		}
		n = (size_t)RTE_MIN(RTE_MIN(ready, room), (int64_t)QPE_BOUNCE);
		if (n == 0)
			continue;
		if (unlikely(rte_vmci_qp_dequeue_bulk(qp, p->bounce, n) != (ssize_t)n ||
			     rte_vmci_qp_enqueue_bulk(qp, p->bounce, n) != (ssize_t)n)) {
			err = -EIO;
			break;
		}
		p->echoed_bytes += n;
	}
	__atomic_store_n(&p->echo_err, err, __ATOMIC_RELEASE);
	return 0;
}

static void
qpe_echo_stop(struct qpe_priv *p)
{
	if (!p->launched)
		return;
	__atomic_store_n(&p->stop, 1, __ATOMIC_RELEASE);
	rte_eal_wait_lcore(p->lcore);
	p->launched = false;
}

/* The echo polls on side 1's lcore before side 0 may send, as the host's thread does. */
static int
qpe_echo_start(struct qpe_priv *p)
{
	int ret;

	p->stop = 0;
	p->running = 0;
	p->echo_err = 0;
	ret = rte_eal_remote_launch(qpe_echo_loop, p, p->lcore);
	if (ret < 0) {
		fprintf(stderr, "vmci-perf: qp-echo: cannot launch the echo on lcore %u: %s\n",
			p->lcore, strerror(-ret));
		return ret;
	}
	p->launched = true;
	while (__atomic_load_n(&p->running, __ATOMIC_ACQUIRE) == 0)
		rte_pause();
	return 0;
}

static int
qpe_run_start(struct perf_transport *tp, const struct perf_side_params *sp)
{
	struct qpe_priv *p = tp->priv;
	int ret;

	ret = qpe_echo_start(p);
	if (ret == 0)
		ret = perf_echo_run_start(&p->echo, sp);
	if (ret < 0)
		qpe_echo_stop(p);
	return ret;
}

/* Side 0 has stopped: stream takes the rest of the echo, then the echo stops. */
static int
qpe_run_wait(struct perf_transport *tp, struct perf_side_report *rep)
{
	struct qpe_priv *p = tp->priv;

	perf_echo_run_wait(&p->echo, rep);
	qpe_echo_stop(p);
	if (p->echo_err != 0 && rep->err == 0)
		rep->err = qpe_check(&p->echo);
	return 0;
}

static void
qpe_close(struct perf_transport *tp)
{
	struct qpe_priv *p = tp->priv;

	if (p == NULL)
		return;
	qpe_echo_stop(p);
	if (p->host != NULL)
		printf("qp-echo: detaching queue pair %" PRIu32 ":%" PRIu32 ": the echo moved %"
		       PRIu64 " bytes\n", p->handle.context, p->handle.resource, p->echoed_bytes);
	/* The host's end first, as a guest that leaves finds its host gone. */
	if (p->qpair[1] != NULL)
		rte_vmci_qpair_detach(p->qpair[1]);
	if (p->qpair[0] != NULL)
		rte_vmci_qpair_detach(p->qpair[0]);
	perf_echo_free(&p->echo);
	rte_free(p->bounce);
	rte_free(p);
	tp->priv = NULL;
}

/* The guest's end on vsock's device, the host's end attached by the emulated host. */
static int
qpe_pair(struct qpe_priv *p, const struct perf_options *opt, int socket, const char **dev_name)
{
	struct rte_vmci_device *dev;
	int ret;

	ret = perf_vmci_find_device(opt, "vsock", "vmci-perf adds the emulated devices",
				    &dev, dev_name);
	if (ret < 0)
		return ret;
	p->qpair[0] = perf_emu_pair_create(dev, opt->queue_size, socket);
	if (p->qpair[0] == NULL)
		return -rte_errno;
	p->handle = rte_vmci_qpair_handle(p->qpair[0]);
	snprintf(p->echo.who, sizeof(p->echo.who), "qp-echo %" PRIu32 ":%" PRIu32,
		 p->handle.context, p->handle.resource);
	p->qpair[1] = perf_emu_host_attach(p->handle, opt->queue_size);
	if (p->qpair[1] == NULL)
		return -rte_errno;
	p->echo.conn = rte_vmci_qpair_endpoint(p->qpair[0]);
	p->host = rte_vmci_qpair_endpoint(p->qpair[1]);
	return 0;
}

static int
qpe_open(struct perf_transport *tp, const struct perf_options *opt, int socket)
{
	const char *dev_name;
	struct qpe_priv *p;
	int ret;

	p = rte_zmalloc_socket("vmci_perf_qp_echo", sizeof(*p), RTE_CACHE_LINE_SIZE, socket);
	if (p == NULL) {
		fprintf(stderr, "vmci-perf: out of memory for the transport\n");
		return -ENOMEM;
	}
	tp->priv = p;
	p->lcore = perf_echo_peer_lcore();
	perf_echo_init(&p->echo, &qpe_io, opt, socket);
	ret = qpe_pair(p, opt, socket, &dev_name);
	if (ret < 0)
		goto fail;
	p->bounce = rte_zmalloc_socket("vmci_perf_qp_echo_bounce", QPE_BOUNCE,
				       RTE_CACHE_LINE_SIZE,
				       (int)rte_lcore_to_socket_id(p->lcore));
	if (p->bounce == NULL) {
		fprintf(stderr, "vmci-perf: out of memory for the echo's bounce buffer\n");
		ret = -ENOMEM;
		goto fail;
	}
	tp->queue_size = opt->queue_size;
	tp->api = perf_api_name(opt->api);
	perf_echo_set_xfer(tp);
	printf("qp-echo: queue pair %" PRIu32 ":%" PRIu32 " of %" PRIu64 "-byte queues (the"
	       " size vsock's connection got), created on %s and attached by the emulated"
	       " host's device; lcore %u (CPU %u) echoes it as the emulated host's echo does,"
	       " up to %u bytes a step through a bounce buffer, without vSockets; side 0 runs"
	       " vsock's loop over the pair's calls\n", p->handle.context, p->handle.resource,
	       opt->queue_size, dev_name, p->lcore, rte_lcore_to_cpu_id((int)p->lcore),
	       QPE_BOUNCE);
	fflush(stdout);
	return 0;
fail:
	qpe_close(tp);
	return ret;
}

const char *
perf_qp_echo_unavailable(const struct perf_options *opt)
{
	static char why[256];
	struct rte_vmci_dev_info info;
	struct rte_vmci_device *dev;
	unsigned int lcore = perf_echo_peer_lcore();
	const char *name;

	if (perf_vmci_find_device(opt, "vsock", "vmci-perf adds the emulated devices", &dev,
				  &name) < 0 || rte_vmci_dev_info_get(dev, &info) < 0)
		return "not available: no vmci device";
	if (strcmp(info.backend, "emu") != 0) {
		snprintf(why, sizeof(why), "not available on %s, a real VMCI device: the pair's"
			 " host end would be a program on the host, not this process (the raw"
			 " pair through a host echo is --transport vmci, doc/benchmarks-vmware.md)",
			 name);
		return why;
	}
	if (perf_emu_find_backend("emu-host") == NULL)
		return "not available: no emulated host device (vmci_hostN) to attach the pair";
	if (lcore >= RTE_MAX_LCORE || lcore == rte_get_main_lcore()) {
		snprintf(why, sizeof(why), "not available: side 1's lcore %u is the main lcore,"
			 " which runs the control path; the echo needs a worker lcore (keep side"
			 " 0 on the main lcore, the default)", lcore);
		return why;
	}
	return NULL;
}

const struct perf_transport_ops perf_transport_qp_echo = {
	.name = "qp-echo",
	.open = qpe_open,
	.close = qpe_close,
	.remote_ctl = perf_echo_ctl,
	.remote_start = qpe_run_start,
	.remote_wait = qpe_run_wait,
};
