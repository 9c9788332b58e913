/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

/*
 * Local queue pair: both endpoints in this process, the producer writing
 * the creator's produce queue and the consumer reading it from the peer
 * endpoint, exactly as two processes or a guest and its host would.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_malloc.h>

#include <rte_vmci_qp.h>
#include <rte_vmci_qp_mem.h>
#include <rte_bus_vmci.h>

#include "perf_mp.h"
#include "perf_transport.h"
#include "perf_transport_qp.h"
#include "perf_zc.h"

#define QP_MEM_NAME "vmci-perf"

struct qp_priv {
	struct perf_qp_ends ends;          /* first: what qp_ep() reads */
	struct rte_vmci_qp_mem *mem;       /* local pair */
	struct rte_vmci_qpair *qpair[2];   /* emu: the guest's pair, the host device's */
	struct rte_vmci_handle handle;
	struct perf_mp *mp;                /* emu-mp: the secondary with ep[1] */
};

/* Each endpoint writes its produce queue and reads its consume queue. */
static inline struct rte_vmci_qp *
qp_ep(const struct perf_transport *tp, unsigned int side)
{
	return ((const struct perf_qp_ends *)tp->priv)->ep[side];
}

/* Byte stream: one bulk call per message-sized chunk. */

static int
qp_tx_copy(struct perf_transport *tp, unsigned int side, struct perf_flow *flow)
{
	struct rte_vmci_qp *qp = qp_ep(tp, side);
	unsigned int n;
	ssize_t ret;

	for (n = 0; n < flow->burst; n++) {
		if (flow->verify)
			perf_flow_stamp(flow, flow->buf, flow->seq);
		ret = rte_vmci_qp_enqueue_bulk(qp, flow->buf, flow->size);
		if (unlikely(ret < 0))
			return ret;
		if (ret == 0)
			break;
		flow->seq++;
	}
	return n;
}

static int
qp_rx_copy(struct perf_transport *tp, unsigned int side, struct perf_flow *flow)
{
	struct rte_vmci_qp *qp = qp_ep(tp, side);
	unsigned int n;
	ssize_t ret;

	for (n = 0; n < flow->burst; n++) {
		ret = rte_vmci_qp_dequeue_bulk(qp, flow->buf, flow->size);
		if (unlikely(ret < 0))
			return ret;
		if (ret == 0)
			break;
		if (flow->verify)
			perf_flow_check(flow, flow->buf, ret);
	}
	return n;
}

/* Zero copy: messages are written and inspected where they lie in the ring. */

static int
qp_tx_zc(struct perf_transport *tp, unsigned int side, struct perf_flow *flow)
{
	struct rte_vmci_qp *qp = qp_ep(tp, side);
	struct rte_vmci_qp_zc zc;
	unsigned int n;
	ssize_t ret;

	for (n = 0; n < flow->burst; n++) {
		ret = rte_vmci_qp_enqueue_zc_bulk_start(qp, flow->size, &zc);
		if (unlikely(ret < 0))
			return ret;
		if (ret == 0)
			break;
		/* Stands for the application producing its data in place. */
		if (flow->verify)
			perf_flow_stamp(flow, flow->buf, flow->seq);
		perf_zc_write(&zc, flow->buf, flow->size);
		ret = rte_vmci_qp_enqueue_zc_finish(qp, flow->size);
		if (unlikely(ret < 0))
			return ret;
		flow->seq++;
	}
	return n;
}

static int
qp_rx_zc(struct perf_transport *tp, unsigned int side, struct perf_flow *flow)
{
	struct rte_vmci_qp *qp = qp_ep(tp, side);
	struct rte_vmci_qp_zc zc;
	uint64_t head;
	unsigned int n;
	ssize_t ret;

	for (n = 0; n < flow->burst; n++) {
		ret = rte_vmci_qp_dequeue_zc_bulk_start(qp, flow->size, &zc);
		if (unlikely(ret < 0))
			return ret;
		if (ret == 0)
			break;
		if (flow->verify) {
			/* The sequence number may straddle the wrap. */
			perf_zc_read(&zc, &head, flow->seq_len);
			perf_flow_check(flow, &head, zc.len1 + zc.len2);
		}
		ret = rte_vmci_qp_dequeue_zc_finish(qp, flow->size);
		if (unlikely(ret < 0))
			return ret;
	}
	return n;
}

/* Framed messages: one burst call moves up to flow->burst records. */

static int
qp_tx_msg(struct perf_transport *tp, unsigned int side, struct perf_flow *flow)
{
	unsigned int i;
	int ret;

	/* A partial burst leaves later slots unsent: restamp from slot 0. */
	if (flow->verify) {
		for (i = 0; i < flow->burst; i++)
			perf_flow_stamp(flow, flow->iov[i].iov_base, flow->seq + i);
	}
	ret = rte_vmci_qp_msg_enqueue_burst(qp_ep(tp, side), flow->iov, flow->burst);
	if (ret > 0)
		flow->seq += ret;
	return ret;
}

static int
qp_rx_msg(struct perf_transport *tp, unsigned int side, struct perf_flow *flow)
{
	int ret, i;

	ret = rte_vmci_qp_msg_dequeue_burst(qp_ep(tp, side), flow->iov, flow->burst);
	for (i = 0; i < ret; i++) {
		if (flow->verify)
			perf_flow_check(flow, flow->iov[i].iov_base, flow->iov[i].iov_len);
		/* The call stored each message's length: give the capacity back. */
		flow->iov[i].iov_len = flow->size;
	}
	return ret;
}

static const struct {
	perf_xfer_t tx;
	perf_xfer_t rx;
} qp_api_fns[] = {
	[PERF_API_COPY] = { qp_tx_copy, qp_rx_copy },
	[PERF_API_ZC] = { qp_tx_zc, qp_rx_zc },
	[PERF_API_MSG] = { qp_tx_msg, qp_rx_msg },
};

/* Control path. */

/* The endpoints must carry what the options promised the user. */
int
perf_qp_check_limits(struct rte_vmci_qp *ep, const struct perf_options *opt)
{
	uint64_t want = perf_max_msg_size(opt->api, opt->queue_size);
	struct rte_vmci_qp_info info;
	int ret;

	if (opt->api != PERF_API_MSG)
		return 0;
	ret = rte_vmci_qp_info_get(ep, &info);
	if (ret < 0) {
		fprintf(stderr, "vmci-perf: rte_vmci_qp_info_get: %s\n", strerror(-ret));
		return ret;
	}
	if (info.max_tx_msg_len != want) {
		fprintf(stderr, "vmci-perf: queue of %" PRIu64 " bytes carries messages up to %"
			PRIu32 " bytes, expected %" PRIu64 " from the record format\n",
			opt->queue_size, info.max_tx_msg_len, want);
		return -EPROTO;
	}
	return 0;
}

void
perf_qp_set_api(struct perf_transport *tp, const struct perf_options *opt)
{
	tp->tx = qp_api_fns[opt->api].tx;
	tp->rx = qp_api_fns[opt->api].rx;
	tp->nb_bufs = perf_api_nb_bufs(opt->api, opt->burst);
}

static void
qp_close(struct perf_transport *tp)
{
	struct qp_priv *priv = tp->priv;

	if (priv == NULL)
		return;
	rte_vmci_qp_local_pair_free(priv->mem, priv->ends.ep);
	rte_free(priv);
	tp->priv = NULL;
}

static int
qp_open(struct perf_transport *tp, const struct perf_options *opt, int socket)
{
	/* Any handle will do: no device owns a local pair. */
	struct rte_vmci_handle handle = { .context = 0, .resource = 1 };
	struct qp_priv *priv;
	int ret;

	priv = rte_zmalloc_socket("vmci_perf_qp", sizeof(*priv), RTE_CACHE_LINE_SIZE, socket);
	if (priv == NULL) {
		fprintf(stderr, "vmci-perf: out of memory for the transport\n");
		return -ENOMEM;
	}
	tp->priv = priv;
	priv->mem = rte_vmci_qp_local_pair_create(QP_MEM_NAME, opt->queue_size,
						  opt->queue_size, socket, handle, priv->ends.ep);
	if (priv->mem == NULL) {
		ret = -rte_errno;
		fprintf(stderr, "vmci-perf: rte_vmci_qp_local_pair_create(%" PRIu64
			" bytes per queue, socket %d): %s\n",
			opt->queue_size, socket, rte_strerror(rte_errno));
		qp_close(tp);
		return ret;
	}
	ret = perf_qp_check_limits(priv->ends.ep[0], opt);
	if (ret < 0) {
		qp_close(tp);
		return ret;
	}
	perf_qp_set_api(tp, opt);
	return 0;
}

/*
 * An emulated guest device and its host: the guest device creates the
 * pair for the host context, and the host's device (vmci_host0, CID 2)
 * attaches to it, as a guest and its host do over the hypervisor's
 * queue-pair broker. The emulated hypervisor maps the guest's queue pages
 * into the host end like the real host does; two guests cannot share
 * pages through the emulator.
 */

/* The host's end of the pair. */
static void
host_end_close(struct qp_priv *priv)
{
	int ret;

	if (priv->qpair[1] == NULL)
		return;
	ret = rte_vmci_qpair_detach(priv->qpair[1]);
	priv->qpair[1] = NULL;
	priv->ends.ep[1] = NULL;
	if (ret < 0)
		fprintf(stderr, "vmci-perf: host detach: %s\n", strerror(-ret));
}

static void
emu_close(struct perf_transport *tp)
{
	struct qp_priv *priv = tp->priv;

	if (priv == NULL)
		return;
	host_end_close(priv);
	/* The secondary detaches its host end before the guest goes. */
	perf_mp_stop(priv->mp);
	if (priv->qpair[0] != NULL)
		rte_vmci_qpair_detach(priv->qpair[0]);
	rte_free(priv);
	tp->priv = NULL;
}

struct rte_vmci_device *
perf_emu_find_backend(const char *backend)
{
	struct rte_vmci_dev_info info;
	struct rte_vmci_device *dev;
	uint16_t i;

	for (i = 0; (dev = rte_vmci_dev_get(i)) != NULL; i++)
		if (rte_vmci_dev_info_get(dev, &info) == 0 && strcmp(info.backend, backend) == 0)
			return dev;
	return NULL;
}

/* The first emulated guest device: its host end lives in this emulator. */
static int
emu_find_device(struct rte_vmci_device **dev)
{
	*dev = perf_emu_find_backend("emu");
	if (*dev != NULL)
		return 0;
	fprintf(stderr, "vmci-perf: transport emu needs an emulated vmci device"
		" (-a vmci:vmci_emu0,cid=20); found %u vmci devices, none emulated: a real"
		" device's host end runs on the host (see doc/benchmarks.md)\n",
		rte_vmci_dev_count());
	return -ENODEV;
}

struct rte_vmci_qpair *
perf_emu_pair_create(struct rte_vmci_device *dev, uint64_t queue_size, int socket)
{
	struct rte_vmci_qpair_conf conf;
	struct rte_vmci_qpair *qpair;

	memset(&conf, 0, sizeof(conf));
	conf.produce_size = queue_size;
	conf.consume_size = queue_size;
	conf.peer = RTE_VMCI_HOST_CID;
	conf.socket_id = socket;
	qpair = rte_vmci_qpair_create(dev, &conf);
	if (qpair == NULL)
		fprintf(stderr, "vmci-perf: rte_vmci_qpair_create(peer host, %" PRIu64
			" bytes per queue): %s\n", queue_size, rte_strerror(rte_errno));
	return qpair;
}

/* The guest end: a pair the first emulated device creates for the host. */
static int
emu_create_pair(struct perf_transport *tp, const struct perf_options *opt, int socket)
{
	struct rte_vmci_device *dev;
	struct qp_priv *priv;
	int ret;

	ret = emu_find_device(&dev);
	if (ret < 0)
		return ret;
	priv = rte_zmalloc_socket("vmci_perf_emu", sizeof(*priv), RTE_CACHE_LINE_SIZE, socket);
	if (priv == NULL) {
		fprintf(stderr, "vmci-perf: out of memory for the transport\n");
		return -ENOMEM;
	}
	tp->priv = priv;
	priv->qpair[0] = perf_emu_pair_create(dev, opt->queue_size, socket);
	if (priv->qpair[0] == NULL) {
		ret = -rte_errno;
		emu_close(tp);
		return ret;
	}
	priv->ends.ep[0] = rte_vmci_qpair_endpoint(priv->qpair[0]);
	priv->handle = rte_vmci_qpair_handle(priv->qpair[0]);
	return 0;
}

struct rte_vmci_qpair *
perf_emu_host_attach(struct rte_vmci_handle handle, uint64_t queue_size)
{
	struct rte_vmci_device *host = perf_emu_find_backend("emu-host");
	struct rte_vmci_qpair_conf conf;
	struct rte_vmci_qpair *qpair;

	if (host == NULL) {
		fprintf(stderr, "vmci-perf: no device of the emulated host (-a vmci:vmci_host0)\n");
		rte_errno = ENODEV;
		return NULL;
	}
	memset(&conf, 0, sizeof(conf));
	conf.produce_size = queue_size;
	conf.consume_size = queue_size;
	conf.peer = handle.context;
	conf.flags = RTE_VMCI_QPAIR_F_ATTACH_ONLY;
	conf.handle = handle;
	conf.socket_id = SOCKET_ID_ANY;
	qpair = rte_vmci_qpair_create(host, &conf);
	if (qpair == NULL)
		fprintf(stderr, "vmci-perf: emulated host attach to %" PRIu32 ":%" PRIu32
			": %s\n", handle.context, handle.resource, rte_strerror(rte_errno));
	return qpair;
}

/* The host's end of @p handle, attached from the host's device in this process. */
static int
emu_host_attach(struct qp_priv *priv, struct rte_vmci_handle handle,
		const struct perf_options *opt)
{
	priv->handle = handle;
	priv->qpair[1] = perf_emu_host_attach(handle, opt->queue_size);
	if (priv->qpair[1] == NULL)
		return rte_errno == ENODEV ? -ENODEV : -EIO;
	priv->ends.ep[1] = rte_vmci_qpair_endpoint(priv->qpair[1]);
	return 0;
}

static int
emu_open(struct perf_transport *tp, const struct perf_options *opt, int socket)
{
	struct qp_priv *priv;
	int ret;

	ret = emu_create_pair(tp, opt, socket);
	if (ret < 0)
		return ret;
	priv = tp->priv;
	ret = emu_host_attach(priv, priv->handle, opt);
	if (ret == 0)
		ret = perf_qp_check_limits(priv->ends.ep[0], opt);
	if (ret < 0) {
		emu_close(tp);
		return ret;
	}
	perf_qp_set_api(tp, opt);
	return 0;
}

/* emu-mp: the host end is attached in the secondary this spawns. */
static int
emu_mp_open(struct perf_transport *tp, const struct perf_options *opt, int socket)
{
	struct qp_priv *priv;
	int ret;

	ret = emu_create_pair(tp, opt, socket);
	if (ret < 0)
		return ret;
	priv = tp->priv;
	ret = perf_qp_check_limits(priv->ends.ep[0], opt);
	if (ret == 0) {
		priv->mp = perf_mp_start(priv->handle, opt);
		if (priv->mp == NULL)
			ret = -EIO;
	}
	if (ret < 0) {
		emu_close(tp);
		return ret;
	}
	perf_qp_set_api(tp, opt);
	return 0;
}

/* Secondary of emu-mp: only the host end, ep[1]. */
static void
emu_host_close(struct perf_transport *tp)
{
	struct qp_priv *priv = tp->priv;

	if (priv == NULL)
		return;
	host_end_close(priv);
	rte_free(priv);
	tp->priv = NULL;
}

static void
emu_host_stats(struct perf_transport *tp, struct perf_transport_stats *st)
{
	struct qp_priv *priv = tp->priv;
	struct rte_vmci_qp_stats rx;

	memset(st, 0, sizeof(*st));
	if (rte_vmci_qp_stats_get(priv->ends.ep[1], &rx) == 0)
		st->rx_empty = rx.deq_empty;
	rte_vmci_qp_stats_reset(priv->ends.ep[1]);
}

static const struct perf_transport_ops perf_transport_emu_host = {
	.name = "emu-mp-host",
	.close = emu_host_close,
	.stats = emu_host_stats,
};

int
perf_transport_emu_host_open(struct perf_transport *tp, struct rte_vmci_handle handle,
			     const struct perf_options *opt)
{
	struct qp_priv *priv;
	int ret;

	memset(tp, 0, sizeof(*tp));
	priv = rte_zmalloc("vmci_perf_emu_host", sizeof(*priv), RTE_CACHE_LINE_SIZE);
	if (priv == NULL) {
		fprintf(stderr, "vmci-perf: out of memory for the transport\n");
		return -ENOMEM;
	}
	tp->ops = &perf_transport_emu_host;
	tp->priv = priv;
	ret = emu_host_attach(priv, handle, opt);
	if (ret < 0) {
		perf_transport_close(tp);
		return ret;
	}
	perf_qp_set_api(tp, opt);
	return 0;
}

void
perf_qp_stats(struct perf_transport *tp, struct perf_transport_stats *st)
{
	struct perf_qp_ends *ends = tp->priv;
	struct rte_vmci_qp_stats tx, rx;

	memset(st, 0, sizeof(*st));
	if (rte_vmci_qp_stats_get(ends->ep[0], &tx) == 0)
		st->tx_full = tx.enq_full;
	if (rte_vmci_qp_stats_get(ends->ep[1], &rx) == 0)
		st->rx_empty = rx.deq_empty;
	rte_vmci_qp_stats_reset(ends->ep[0]);
	/* Both sides may use one endpoint (transport vmci). */
	if (ends->ep[1] != ends->ep[0])
		rte_vmci_qp_stats_reset(ends->ep[1]);
}

const struct perf_transport_ops perf_transport_local_qp = {
	.name = "local-qp",
	.open = qp_open,
	.close = qp_close,
	.stats = perf_qp_stats,
};

const struct perf_transport_ops perf_transport_emu_qp = {
	.name = "emu",
	.open = emu_open,
	.close = emu_close,
	.stats = perf_qp_stats,
};

/* Guest end here: its tx counters; the secondary's report: the rx ones. */
static void
emu_mp_stats(struct perf_transport *tp, struct perf_transport_stats *st)
{
	struct qp_priv *priv = tp->priv;
	struct rte_vmci_qp_stats tx;

	memset(st, 0, sizeof(*st));
	if (rte_vmci_qp_stats_get(priv->ends.ep[0], &tx) == 0)
		st->tx_full = tx.enq_full;
	rte_vmci_qp_stats_reset(priv->ends.ep[0]);
	st->rx_empty = perf_mp_take_rx_empty(priv->mp);
}

static struct perf_run_ctl *
emu_mp_ctl(struct perf_transport *tp)
{
	return perf_mp_ctl(((struct qp_priv *)tp->priv)->mp);
}

static int
emu_mp_run_start(struct perf_transport *tp, const struct perf_side_params *p)
{
	return perf_mp_run_start(((struct qp_priv *)tp->priv)->mp, p);
}

static int
emu_mp_run_wait(struct perf_transport *tp, struct perf_side_report *rep)
{
	return perf_mp_run_wait(((struct qp_priv *)tp->priv)->mp, rep);
}

const struct perf_transport_ops perf_transport_emu_mp = {
	.name = "emu-mp",
	.open = emu_mp_open,
	.close = emu_close,
	.stats = emu_mp_stats,
	.remote_ctl = emu_mp_ctl,
	.remote_start = emu_mp_run_start,
	.remote_wait = emu_mp_run_wait,
};
