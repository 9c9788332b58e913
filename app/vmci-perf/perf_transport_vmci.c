/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

/*
 * Transport vmci: only the guest end lives here. The pair is created on a
 * vmci device for a peer that echoes every byte back (perf_transport_vmci.h
 * has the protocol), so side 0 writes the produce queue and side 1 reads
 * the echo from the consume queue of the same endpoint: one producer and
 * one consumer lcore, as the queue-pair API allows.
 *
 * Side 1 is "remote" for perf_stream.c: in stream it is this process's
 * consumer lcore, launched here, and in pingpong the peer itself, whose
 * echo is the pong. That way the run flags are this transport's, and the
 * watcher thread polling the device during a run can abort it when the
 * peer detaches.
 */

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#include <rte_bus_vmci.h>
#include <rte_vmci_qp.h>

#include "perf_stream.h"
#include "perf_transport.h"
#include "perf_transport_qp.h"
#include "perf_transport_vmci.h"

/* Device polls while waiting for the attach and during a run. */
#define VMCI_POLL_US 1000u
/* Polls between two looks at the endpoint counters during a run. */
#define VMCI_STATS_POLLS 100u
/* Seconds without any byte going out or coming back, with bytes in the loop. */
#define VMCI_STALL_S 5u

struct vmci_priv {
	struct perf_qp_ends ends; /* first: both sides use the guest endpoint */
	struct perf_run_ctl ctl;
	struct perf_transport *tp;
	struct rte_vmci_device *dev;
	const char *dev_name;
	struct rte_vmci_qpair *qpair;
	struct rte_vmci_dgram *dg;
	struct rte_vmci_handle handle;
	uint32_t peer;
	uint32_t stray_dgrams; /* datagrams to the offering endpoint, ignored */
	unsigned int rx_lcore;
	bool stream;
	bool side1_launched;
	struct perf_side_params params;
	struct perf_side_report rep;
	pthread_t watcher;
	bool watching;
	uint32_t stop_watch;
	uint32_t peer_gone;
	uint32_t peer_stalled; /* attached, but nothing came back for VMCI_STALL_S */
};

static unsigned int vmci_rx_lcore = RTE_MAX_LCORE;

void
perf_transport_vmci_set_rx_lcore(unsigned int lcore)
{
	vmci_rx_lcore = lcore;
}

/* The offering endpoint expects nothing: what arrives is counted and dropped. */
static void
vmci_dgram_cb(struct rte_vmci_dgram *ep, struct rte_vmci_handle src, const void *payload,
	      uint32_t len, void *arg)
{
	struct vmci_priv *priv = arg;

	RTE_SET_USED(ep);
	RTE_SET_USED(src);
	RTE_SET_USED(payload);
	RTE_SET_USED(len);
	priv->stray_dgrams++;
}

/* "name (backend), ..." of every device, for error messages. */
static void
vmci_dev_list(char *buf, size_t len)
{
	struct rte_vmci_dev_info info;
	uint16_t i, n = rte_vmci_dev_count();
	size_t off = 0;
	int w;

	buf[0] = '\0';
	for (i = 0; i < n && off < len; i++) {
		if (rte_vmci_dev_info_get(rte_vmci_dev_get(i), &info) < 0)
			continue;
		w = snprintf(buf + off, len - off, "%s%s (%s)", off > 0 ? ", " : "",
			     info.name, info.backend);
		if (w < 0)
			break;
		off += (size_t)w;
	}
	if (n == 0)
		snprintf(buf, len, "none");
}

/* The first PCI device, else the first that is not an emulated host's. */
static struct rte_vmci_device *
vmci_default_device(void)
{
	struct rte_vmci_device *dev, *guest = NULL;
	struct rte_vmci_dev_info info;
	uint16_t i, n = rte_vmci_dev_count();

	for (i = 0; i < n; i++) {
		dev = rte_vmci_dev_get(i);
		if (dev == NULL || rte_vmci_dev_info_get(dev, &info) < 0)
			continue;
		if (strncmp(info.backend, "pci", 3) == 0)
			return dev;
		/* The host's own device is the peer's end, never a guest's. */
		if (guest == NULL && strcmp(info.backend, "emu-host") != 0)
			guest = dev;
	}
	return guest;
}

int
perf_vmci_find_device(const struct perf_options *opt, const char *transport, const char *hint,
		      struct rte_vmci_device **devp, const char **name)
{
	struct rte_vmci_device *dev;
	struct rte_vmci_dev_info info;
	char found[256];

	dev = opt->vmci_dev != NULL ? rte_vmci_dev_find(opt->vmci_dev) : vmci_default_device();
	if (dev == NULL || rte_vmci_dev_info_get(dev, &info) < 0) {
		vmci_dev_list(found, sizeof(found));
		if (opt->vmci_dev != NULL)
			fprintf(stderr, "vmci-perf: --vmci-dev %s: no such vmci device is up;"
				" found: %s\n", opt->vmci_dev, found);
		else
			fprintf(stderr, "vmci-perf: transport %s needs a vmci device; found: %s"
				" (on a VMware VM bind the VMCI function 15ad:0740 to vfio-pci;"
				" without VMware %s)\n", transport, found, hint);
		return -ENODEV;
	}
	*devp = dev;
	*name = info.name;
	return 0;
}

static void
vmci_offer_fill(const struct vmci_priv *priv, const struct perf_options *opt,
		struct perf_vmci_offer *o)
{
	unsigned int i;

	memset(o, 0, sizeof(*o));
	o->magic = PERF_VMCI_OFFER_MAGIC;
	o->version = PERF_VMCI_OFFER_VERSION;
	o->mode = (uint16_t)opt->mode;
	o->api = (uint16_t)opt->api;
	for (i = 0; i < opt->nb_sizes; i++)
		o->max_msg_size = RTE_MAX(o->max_msg_size, opt->sizes[i]);
	o->qp_context = priv->handle.context;
	o->qp_resource = priv->handle.resource;
	o->produce_size = opt->queue_size;
	o->consume_size = opt->queue_size;
}

/*
 * Offer the pair to peer:service every PERF_VMCI_OFFER_INTERVAL_MS and
 * poll the device until the peer attached, or the timeout.
 */
static int
vmci_wait_attach(struct vmci_priv *priv, const struct perf_options *opt)
{
	struct rte_vmci_handle dst = { .context = opt->vmci_peer, .resource = opt->vmci_service };
	uint64_t hz = rte_get_timer_hz();
	uint64_t start = rte_get_timer_cycles();
	uint64_t deadline = start + (uint64_t)(opt->attach_timeout * (double)hz);
	uint64_t next_offer = start, now;
	enum rte_vmci_qpair_peer_state st;
	struct perf_vmci_offer offer;
	unsigned int offers = 0;
	int send_err = 0;
	int ret;

	vmci_offer_fill(priv, opt, &offer);
	printf("vmci: offering queue pair %" PRIu32 ":%" PRIu32 " (%" PRIu64 "-byte queues) on %s"
	       " to %" PRIu32 ":%" PRIu32 " every %u ms, for up to %.1f s\n",
	       priv->handle.context, priv->handle.resource, opt->queue_size, priv->dev_name,
	       dst.context, dst.resource, PERF_VMCI_OFFER_INTERVAL_MS, opt->attach_timeout);
	fflush(stdout);
	for (;;) {
		now = rte_get_timer_cycles();
		if (now >= next_offer) {
			ret = rte_vmci_dgram_send(priv->dg, dst, &offer, sizeof(offer));
			/* A peer that is not up yet may be unreachable: keep offering. */
			if (ret < 0 && send_err == 0) {
				send_err = ret;
				fprintf(stderr, "vmci-perf: offer to %" PRIu32 ":%" PRIu32 ": %s;"
					" retrying\n", dst.context, dst.resource, strerror(-ret));
			}
			offers++;
			next_offer += hz * PERF_VMCI_OFFER_INTERVAL_MS / 1000;
		}
		ret = rte_vmci_poll(priv->dev);
		if (ret < 0) {
			fprintf(stderr, "vmci-perf: polling %s: %s\n", priv->dev_name,
				strerror(-ret));
			return ret;
		}
		st = rte_vmci_qpair_peer_state(priv->qpair);
		if (st == RTE_VMCI_QPAIR_PEER_ATTACHED)
			break;
		if (st == RTE_VMCI_QPAIR_PEER_DETACHED) {
			fprintf(stderr, "vmci-perf: peer %" PRIu32 " detached from queue pair %"
				PRIu32 ":%" PRIu32 " before the run started\n", dst.context,
				priv->handle.context, priv->handle.resource);
			return -ENOTCONN;
		}
		if (now >= deadline) {
			fprintf(stderr, "vmci-perf: transport vmci: no answer from peer %" PRIu32
				" on service %" PRIu32 ": %u offers of queue pair %" PRIu32 ":%"
				PRIu32 " in %.1f s (--attach-timeout) and nobody attached; is the"
				" echo peer running there (doc/benchmarks-vmware.md)?\n",
				dst.context, dst.resource, offers, priv->handle.context,
				priv->handle.resource, opt->attach_timeout);
			return -ETIMEDOUT;
		}
		usleep(VMCI_POLL_US);
	}
	printf("vmci: peer %" PRIu32 " attached to queue pair %" PRIu32 ":%" PRIu32
	       " after %.2f s; every figure is a loop through the peer (guest -> peer ->"
	       " guest)\n", dst.context, priv->handle.context, priv->handle.resource,
	       (double)(rte_get_timer_cycles() - start) / (double)hz);
	if (priv->stray_dgrams > 0)
		printf("vmci: %" PRIu32 " datagrams to the offering endpoint were ignored\n",
		       priv->stray_dgrams);
	fflush(stdout);
	return 0;
}

static void
vmci_unwatch(struct vmci_priv *priv)
{
	if (!priv->watching)
		return;
	__atomic_store_n(&priv->stop_watch, 1, __ATOMIC_RELEASE);
	pthread_join(priv->watcher, NULL);
	priv->watching = false;
}

static void
vmci_close(struct perf_transport *tp)
{
	struct vmci_priv *priv = tp->priv;

	if (priv == NULL)
		return;
	vmci_unwatch(priv);
	if (priv->side1_launched)
		rte_eal_wait_lcore(priv->rx_lcore);
	rte_vmci_dgram_destroy(priv->dg);
	/* The peer sees QP_PEER_DETACH and detaches too. */
	if (priv->qpair != NULL)
		rte_vmci_qpair_detach(priv->qpair);
	rte_free(priv);
	tp->priv = NULL;
}

static int
vmci_open(struct perf_transport *tp, const struct perf_options *opt, int socket)
{
	struct rte_vmci_qpair_conf conf;
	struct vmci_priv *priv;
	int ret;

	priv = rte_zmalloc_socket("vmci_perf_vmci", sizeof(*priv), RTE_CACHE_LINE_SIZE, socket);
	if (priv == NULL) {
		fprintf(stderr, "vmci-perf: out of memory for the transport\n");
		return -ENOMEM;
	}
	tp->priv = priv;
	priv->tp = tp;
	priv->peer = opt->vmci_peer;
	priv->rx_lcore = vmci_rx_lcore;
	priv->stream = opt->mode == PERF_MODE_STREAM;
	/* The consumer is launched on its lcore: it cannot be the one running side 0. */
	if (priv->stream && (priv->rx_lcore >= RTE_MAX_LCORE ||
			     priv->rx_lcore == rte_get_main_lcore())) {
		fprintf(stderr, "vmci-perf: transport vmci runs side 1 on a worker lcore; rx"
			" lcore %u is the main lcore (use --tx-lcore for the main one)\n",
			priv->rx_lcore);
		ret = -EINVAL;
		goto fail;
	}
	ret = perf_vmci_find_device(opt, "vmci", "name an emulated one, -a vmci:vmci_emu0,cid=20,"
				    " and start the reference peer: see doc/benchmarks-vmware.md",
				    &priv->dev, &priv->dev_name);
	if (ret < 0)
		goto fail;
	memset(&conf, 0, sizeof(conf));
	conf.produce_size = opt->queue_size;
	conf.consume_size = opt->queue_size;
	conf.peer = opt->vmci_peer;
	conf.socket_id = socket;
	priv->qpair = rte_vmci_qpair_create(priv->dev, &conf);
	if (priv->qpair == NULL) {
		ret = -rte_errno;
		fprintf(stderr, "vmci-perf: rte_vmci_qpair_create(%s, peer %" PRIu32 ", %" PRIu64
			" bytes per queue): %s\n", priv->dev_name, opt->vmci_peer,
			opt->queue_size, rte_strerror(rte_errno));
		goto fail;
	}
	priv->handle = rte_vmci_qpair_handle(priv->qpair);
	priv->ends.ep[0] = rte_vmci_qpair_endpoint(priv->qpair);
	priv->ends.ep[1] = priv->ends.ep[0];
	ret = perf_qp_check_limits(priv->ends.ep[0], opt);
	if (ret < 0)
		goto fail;
	priv->dg = rte_vmci_dgram_create(priv->dev, RTE_VMCI_INVALID_ID, vmci_dgram_cb, priv);
	if (priv->dg == NULL) {
		ret = -rte_errno;
		fprintf(stderr, "vmci-perf: rte_vmci_dgram_create(%s): %s\n", priv->dev_name,
			rte_strerror(rte_errno));
		goto fail;
	}
	ret = vmci_wait_attach(priv, opt);
	if (ret < 0)
		goto fail;
	/* Late copies of the offer may still reach the peer; it ignores them. */
	rte_vmci_dgram_destroy(priv->dg);
	priv->dg = NULL;
	perf_qp_set_api(tp, opt);
	return 0;
fail:
	vmci_close(tp);
	return ret;
}

static struct perf_run_ctl *
vmci_ctl(struct perf_transport *tp)
{
	return &((struct vmci_priv *)tp->priv)->ctl;
}

/* Whether the peer left; polls the device. */
static bool
vmci_peer_left(struct vmci_priv *priv)
{
	if (rte_vmci_poll(priv->dev) < 0)
		return true;
	return rte_vmci_qpair_peer_state(priv->qpair) != RTE_VMCI_QPAIR_PEER_ATTACHED;
}

/*
 * Whether the loop stands still: bytes went into it that have not come
 * back, and neither count moved for VMCI_STALL_S. The counters are read
 * as telemetry reads them, while the workers run.
 */
static bool
vmci_loop_stalled(struct vmci_priv *priv, uint64_t *last_out, uint64_t *last_in,
		  uint64_t *since)
{
	struct rte_vmci_qp_stats st;
	uint64_t now = rte_get_timer_cycles();

	if (rte_vmci_qp_stats_get(priv->ends.ep[0], &st) < 0)
		return false;
	if (st.enq_bytes != *last_out || st.deq_bytes != *last_in) {
		*last_out = st.enq_bytes;
		*last_in = st.deq_bytes;
		*since = now;
		return false;
	}
	return st.enq_bytes > st.deq_bytes && now - *since > VMCI_STALL_S * rte_get_timer_hz();
}

/*
 * During a run: a peer that detaches, or stays attached but stops
 * echoing, aborts it, so that no worker waits for its echo for ever.
 */
static void *
vmci_watch(void *arg)
{
	struct vmci_priv *priv = arg;
	uint64_t last_out = 0, last_in = 0, since = rte_get_timer_cycles();
	unsigned int polls = 0;

	while (!__atomic_load_n(&priv->stop_watch, __ATOMIC_ACQUIRE)) {
		if (vmci_peer_left(priv)) {
			fprintf(stderr, "vmci-perf: peer %" PRIu32 " detached from queue pair %"
				PRIu32 ":%" PRIu32 " during the run\n", priv->peer,
				priv->handle.context, priv->handle.resource);
			__atomic_store_n(&priv->peer_gone, 1, __ATOMIC_RELEASE);
			__atomic_store_n(&priv->ctl.abort, 1, __ATOMIC_RELEASE);
			break;
		}
		if (++polls == VMCI_STATS_POLLS) {
			polls = 0;
			if (vmci_loop_stalled(priv, &last_out, &last_in, &since)) {
				fprintf(stderr, "vmci-perf: peer %" PRIu32 " stopped echoing: %"
					PRIu64 " bytes sent into queue pair %" PRIu32 ":%" PRIu32
					" have not come back for %u s, and it is still attached\n",
					priv->peer, last_out - last_in, priv->handle.context,
					priv->handle.resource, VMCI_STALL_S);
				__atomic_store_n(&priv->peer_stalled, 1, __ATOMIC_RELEASE);
				__atomic_store_n(&priv->ctl.abort, 1, __ATOMIC_RELEASE);
				break;
			}
		}
		usleep(VMCI_POLL_US);
	}
	return NULL;
}

/* Stream: side 1 receives the echo on its lcore of this process. */
static int
vmci_side1(void *arg)
{
	struct vmci_priv *priv = arg;

	perf_stream_run_side(priv->tp, &priv->ctl, 1, &priv->params, &priv->rep);
	return 0;
}

static int
vmci_run_start(struct perf_transport *tp, const struct perf_side_params *p)
{
	struct vmci_priv *priv = tp->priv;
	int ret;

	if (__atomic_load_n(&priv->peer_stalled, __ATOMIC_ACQUIRE)) {
		fprintf(stderr, "vmci-perf: peer %" PRIu32 " stopped echoing in the last run\n",
			priv->peer);
		return -ETIMEDOUT;
	}
	if (__atomic_load_n(&priv->peer_gone, __ATOMIC_ACQUIRE) || vmci_peer_left(priv)) {
		fprintf(stderr, "vmci-perf: peer %" PRIu32 " is no longer attached to queue pair %"
			PRIu32 ":%" PRIu32 "\n", priv->peer, priv->handle.context,
			priv->handle.resource);
		priv->peer_gone = 1;
		return -ENOTCONN;
	}
	priv->params = *p;
	memset(&priv->rep, 0, sizeof(priv->rep));
	if (priv->stream) {
		ret = rte_eal_remote_launch(vmci_side1, priv, priv->rx_lcore);
		if (ret < 0) {
			fprintf(stderr, "vmci-perf: cannot launch the consumer on lcore %u: %s\n",
				priv->rx_lcore, strerror(-ret));
			return ret;
		}
		priv->side1_launched = true;
	} else {
		/* Pingpong: the attached peer is the ponger, and it echoes at once. */
		__atomic_store_n(&priv->ctl.side[1].ready, 1, __ATOMIC_RELEASE);
	}
	__atomic_store_n(&priv->stop_watch, 0, __ATOMIC_RELAXED);
	/* A control thread: off the measuring lcores where the machine has others. */
	ret = rte_ctrl_thread_create(&priv->watcher, "vperf-vmciwatch", NULL, vmci_watch, priv);
	priv->watching = ret == 0;
	if (ret != 0)
		fprintf(stderr, "vmci-perf: no thread to watch the peer during the run: %s\n",
			strerror(-ret));
	return 0;
}

static int
vmci_run_wait(struct perf_transport *tp, struct perf_side_report *rep)
{
	struct vmci_priv *priv = tp->priv;

	if (priv->side1_launched) {
		rte_eal_wait_lcore(priv->rx_lcore);
		priv->side1_launched = false;
	}
	vmci_unwatch(priv);
	*rep = priv->rep;
	/* A receiver released by the abort saw no error of its own. */
	if (__atomic_load_n(&priv->peer_gone, __ATOMIC_ACQUIRE) && rep->err == 0)
		rep->err = -ENOTCONN;
	if (__atomic_load_n(&priv->peer_stalled, __ATOMIC_ACQUIRE) && rep->err == 0)
		rep->err = -ETIMEDOUT;
	return 0;
}

const struct perf_transport_ops perf_transport_vmci = {
	.name = "vmci",
	.open = vmci_open,
	.close = vmci_close,
	.stats = perf_qp_stats,
	.remote_ctl = vmci_ctl,
	.remote_start = vmci_run_start,
	.remote_wait = vmci_run_wait,
};
