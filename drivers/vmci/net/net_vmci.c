/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

/*
 * net_vmci control path: devargs, ethdev ops, rendezvous and link state.
 *
 * Connection: the "create" side makes one queue pair per queue for its
 * peer context and offers their handles in a datagram sent to
 * <peer>:<service>, repeated until the peer has attached to all of them
 * (QP_PEER_ATTACH). The "attach" side listens on resource <service>,
 * checks the offer and attaches. A peer detach (or a fatal ring error)
 * tears the connection down and the create side offers a new generation
 * of pairs, which the attach side picks up: a peer that comes back is
 * reconnected without application action.
 *
 * Everything here runs from an EAL alarm in the primary process; bus
 * callbacks (which run in whichever thread polls the device) only record
 * what happened. An endpoint taken from the data path is freed only once
 * no burst can hold it: each queue's burst sequence is even (idle) when
 * the endpoint is withdrawn, or has moved since (see queue_enter()).
 */

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bus_vdev_driver.h>
#include <ethdev_driver.h>
#include <ethdev_vdev.h>
#include <rte_alarm.h>
#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_kvargs.h>
#include <rte_malloc.h>

#include "net_vmci.h"

RTE_LOG_REGISTER_DEFAULT(net_vmci_logtype, NOTICE);

#define ARG_DEV     "dev"
#define ARG_ROLE    "role"
#define ARG_PEER    "peer"
#define ARG_SERVICE "service"
#define ARG_HANDLE  "handle"
#define ARG_QUEUES  "queues"
#define ARG_QSIZE   "qsize"
#define ARG_MAC     "mac"
#define ARG_RX_ZC   "rx_zero_copy"

static const char * const valid_args[] = {
	ARG_DEV, ARG_ROLE, ARG_PEER, ARG_SERVICE, ARG_HANDLE, ARG_QUEUES, ARG_QSIZE, ARG_MAC,
	ARG_RX_ZC, NULL,
};

/* Offer datagram from the create side; all fields little-endian (x86 only). */
#define NET_VMCI_OFFER_MAGIC 0x54454e56u /* "VNET" */
#define NET_VMCI_OFFER_VERSION 1
struct net_vmci_offer {
	uint32_t magic;
	uint16_t version;
	uint16_t nb_queues;
	uint32_t generation;
	uint32_t reserved;
	uint64_t qsize;
	struct rte_vmci_handle handles[NET_VMCI_MAX_QUEUES];
};

/*
 * Create offers pairs to the peer; attach takes them (or the pair handle=
 * names). The host end of an emulated hypervisor is a vmci device of its
 * own (vmci_hostN), so that two ports of one process can be the two ends
 * of one queue pair: a port on it attaches like any other.
 */
enum net_vmci_role { ROLE_CREATE, ROLE_ATTACH };

struct net_vmci_port;

/* One queue-pair slot of the current connection. */
struct net_vmci_pair {
	struct rte_vmci_qpair *qpair;
	struct net_vmci_zc *zc; /* Rx in place: its slots, NULL when reading by copy */
};

/* A withdrawn pair, freed once the data path has moved past it. */
struct net_vmci_retired {
	struct net_vmci_pair pair;
	uint16_t queue;
	/* Sequence of each queue when withdrawn; odd: a burst was running. */
	uint64_t rx_seq;
	uint64_t tx_seq;
};

#define NET_VMCI_MAX_RETIRED (4 * NET_VMCI_MAX_QUEUES)

/* An Rx queue's peer-error counters as the control path last reported them. */
struct net_vmci_reported {
	uint64_t bad_records;
	uint64_t idx_errors;
	uint64_t resyncs;
	uint64_t resync_bytes;
};

struct net_vmci_port {
	struct rte_eth_dev *eth_dev;
	struct rte_vmci_device *vdev;
	enum net_vmci_role role;
	uint32_t peer;
	uint32_t service;
	bool use_handle;
	struct rte_vmci_handle handle;
	uint16_t nb_queues;
	uint64_t qsize;
	struct rte_ether_addr mac;
	bool rx_zero_copy;

	bool started;
	/*
	 * Bumped whenever the poll alarm is armed from outside itself
	 * (dev_start, set_link_down): a run that sees it moved must not re-arm.
	 */
	uint32_t alarm_gen;
	/* rte_eth_dev_set_link_down(): stay disconnected until set_link_up. */
	bool admin_down;
	/*
	 * Inside the alarm, link changes are announced at its end: an LSC
	 * callback may stop the port, which must not happen mid-step.
	 */
	bool in_alarm;
	bool lsc_pending;
	bool connected;
	uint32_t generation;
	uint32_t polls;
	struct net_vmci_pair pairs[NET_VMCI_MAX_QUEUES];
	struct rte_vmci_dgram *dg;

	rte_spinlock_t offer_lock;
	bool offer_pending;
	uint32_t offer_src;
	struct net_vmci_offer offer;

	struct net_vmci_retired retired[NET_VMCI_MAX_RETIRED];
	unsigned int nb_retired;

	uint64_t connections;
	uint64_t peer_detaches;
	uint64_t reconnects;
	uint64_t bad_offers; /* updated by the datagram callback */
	struct net_vmci_reported reported[NET_VMCI_MAX_QUEUES];
};

/* Devargs. Every handler gets a value: check_keys() refused a bare key. */

/*
 * The @len characters at @s as one number up to @max: decimal, or
 * hexadecimal after "0x". Nothing else: no sign or blank (strtoull would
 * take " +5"), no empty string, no trailing character, and no value above
 * @max (stored in 32 bits, 4294967296 would wrap to 0).
 */
static int
parse_number(const char *s, size_t len, uint64_t max, uint64_t *out)
{
	char buf[32];
	const char *digits = buf;
	unsigned long long v;
	int base = 10;
	char *end;

	if (len == 0 || len >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (buf[0] == '0' && (buf[1] == 'x' || buf[1] == 'X')) {
		base = 16;
		digits += 2;
	}
	if (base == 16 ? !isxdigit((unsigned char)digits[0]) : !isdigit((unsigned char)digits[0]))
		return -EINVAL;
	errno = 0;
	v = strtoull(digits, &end, base);
	if (errno != 0 || *end != '\0' || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

static int
parse_u32_arg(const char *key, const char *value, void *out)
{
	uint64_t v;

	if (parse_number(value, strlen(value), UINT32_MAX, &v) < 0) {
		NET_VMCI_LOG(ERR, "invalid %s=%s: expected a number 0..%u (decimal, or hexadecimal "
			     "after 0x)", key, value, UINT32_MAX);
		return -EINVAL;
	}
	*(uint32_t *)out = (uint32_t)v;
	return 0;
}

static int
parse_role(const char *key, const char *value, void *out)
{
	if (strcmp(value, "create") == 0)
		*(enum net_vmci_role *)out = ROLE_CREATE;
	else if (strcmp(value, "attach") == 0)
		*(enum net_vmci_role *)out = ROLE_ATTACH;
	else {
		NET_VMCI_LOG(ERR, "invalid %s=%s: expected create or attach (the host end of"
			     " an emulated hypervisor attaches from its device, dev=vmci_host0)",
			     key, value);
		return -EINVAL;
	}
	return 0;
}

/* <context>:<resource>, each a number below the invalid ID (0xffffffff). */
static int
parse_handle(const char *key, const char *value, void *out)
{
	const char *colon = strchr(value, ':');
	struct rte_vmci_handle *h = out;
	uint64_t context, resource;

	if (colon == NULL ||
	    parse_number(value, colon - value, RTE_VMCI_INVALID_ID - 1, &context) < 0 ||
	    parse_number(colon + 1, strlen(colon + 1), RTE_VMCI_INVALID_ID - 1, &resource) < 0) {
		NET_VMCI_LOG(ERR, "invalid %s=%s: expected <context>:<resource>, each a number "
			     "0..%u (decimal, or hexadecimal after 0x)", key, value,
			     RTE_VMCI_INVALID_ID - 1);
		return -EINVAL;
	}
	h->context = context;
	h->resource = resource;
	return 0;
}

static int
parse_dev(const char *key, const char *value, void *out)
{
	struct rte_vmci_device **vdev = out;

	*vdev = rte_vmci_dev_find(value);
	if (*vdev == NULL) {
		NET_VMCI_LOG(ERR, "%s=%s: no such vmci device is up (name it with -a vmci:%s,...)",
			     key, value, value);
		return -ENODEV;
	}
	return 0;
}

static int
parse_mac(const char *key, const char *value, void *out)
{
	if (rte_ether_unformat_addr(value, out) < 0) {
		NET_VMCI_LOG(ERR, "invalid %s=%s: expected xx:xx:xx:xx:xx:xx", key, value);
		return -EINVAL;
	}
	return 0;
}

static int
check_args(const char *name, struct net_vmci_port *p, uint32_t queues)
{
	if (p->vdev == NULL) {
		NET_VMCI_LOG(ERR, "%s: missing dev=<vmci device>, e.g. dev=vmci_emu0", name);
		return -EINVAL;
	}
	if (queues < 1 || queues > NET_VMCI_MAX_QUEUES) {
		NET_VMCI_LOG(ERR, "%s: queues=%u, expected 1..%u", name, queues,
			     NET_VMCI_MAX_QUEUES);
		return -EINVAL;
	}
	p->nb_queues = queues;
	if (p->qsize < NET_VMCI_MIN_QSIZE || p->qsize > NET_VMCI_MAX_QSIZE) {
		NET_VMCI_LOG(ERR, "%s: qsize=%" PRIu64 ", expected %u..%u bytes", name, p->qsize,
			     NET_VMCI_MIN_QSIZE, NET_VMCI_MAX_QSIZE);
		return -EINVAL;
	}
	if (p->use_handle && p->role != ROLE_ATTACH) {
		NET_VMCI_LOG(ERR, "%s: handle= is for role=attach only", name);
		return -EINVAL;
	}
	if (!p->use_handle && p->peer == RTE_VMCI_INVALID_ID) {
		NET_VMCI_LOG(ERR, "%s: missing peer=<context ID> (or handle= with role=attach)",
			     name);
		return -EINVAL;
	}
	if (!p->use_handle && p->service == RTE_VMCI_INVALID_ID) {
		NET_VMCI_LOG(ERR, "%s: service=%u is the invalid resource ID", name, p->service);
		return -EINVAL;
	}
	return 0;
}

/* Each key at most once (or the last one would silently win), each with a value. */
static int
check_keys(const char *name, const struct rte_kvargs *kv)
{
	unsigned int i, n;

	for (i = 0; valid_args[i] != NULL; i++) {
		n = rte_kvargs_count(kv, valid_args[i]);
		if (n > 1) {
			NET_VMCI_LOG(ERR, "%s: %s= given %u times, expected once", name,
				     valid_args[i], n);
			return -EINVAL;
		}
	}
	for (i = 0; i < kv->count; i++) {
		if (kv->pairs[i].value == NULL) {
			NET_VMCI_LOG(ERR, "%s: %s without a value, expected %s=<value>", name,
				     kv->pairs[i].key, kv->pairs[i].key);
			return -EINVAL;
		}
	}
	return 0;
}

static int
parse_bool_arg(const char *key, const char *value, void *out)
{
	uint64_t v;

	if (parse_number(value, strlen(value), 1, &v) < 0) {
		NET_VMCI_LOG(ERR, "invalid %s=%s: expected 0 or 1", key, value);
		return -EINVAL;
	}
	*(bool *)out = v == 1;
	return 0;
}

static int
parse_args(const char *name, const char *args, struct net_vmci_port *p)
{
	struct rte_kvargs *kv;
	uint32_t queues = 1, qsize = NET_VMCI_DEFAULT_QSIZE;
	int ret = 0;

	p->role = ROLE_CREATE;
	p->peer = RTE_VMCI_INVALID_ID;
	p->service = NET_VMCI_DEFAULT_SERVICE;
	rte_eth_random_addr(p->mac.addr_bytes);
	kv = rte_kvargs_parse(args != NULL ? args : "", valid_args);
	if (kv == NULL) {
		NET_VMCI_LOG(ERR, "%s: cannot parse \"%s\": keys are dev, role, peer, service, "
			     "handle, queues, qsize, mac, rx_zero_copy", name, args);
		return -EINVAL;
	}
	if (check_keys(name, kv) < 0) {
		rte_kvargs_free(kv);
		return -EINVAL;
	}
	p->use_handle = rte_kvargs_count(kv, ARG_HANDLE) > 0;
	ret |= rte_kvargs_process(kv, ARG_DEV, parse_dev, &p->vdev);
	ret |= rte_kvargs_process(kv, ARG_ROLE, parse_role, &p->role);
	ret |= rte_kvargs_process(kv, ARG_PEER, parse_u32_arg, &p->peer);
	ret |= rte_kvargs_process(kv, ARG_SERVICE, parse_u32_arg, &p->service);
	ret |= rte_kvargs_process(kv, ARG_HANDLE, parse_handle, &p->handle);
	ret |= rte_kvargs_process(kv, ARG_QUEUES, parse_u32_arg, &queues);
	ret |= rte_kvargs_process(kv, ARG_QSIZE, parse_u32_arg, &qsize);
	ret |= rte_kvargs_process(kv, ARG_MAC, parse_mac, &p->mac);
	ret |= rte_kvargs_process(kv, ARG_RX_ZC, parse_bool_arg, &p->rx_zero_copy);
	rte_kvargs_free(kv);
	if (ret != 0)
		return -EINVAL;
	p->qsize = qsize;
	return check_args(name, p, queues);
}

/* Link state. */

static void
link_set(struct net_vmci_port *p, bool up)
{
	struct rte_eth_dev *dev = p->eth_dev;
	struct rte_eth_link link = {
		.link_speed = up ? RTE_ETH_SPEED_NUM_10G : RTE_ETH_SPEED_NUM_NONE,
		.link_duplex = RTE_ETH_LINK_FULL_DUPLEX,
		.link_autoneg = RTE_ETH_LINK_FIXED,
		.link_status = up ? RTE_ETH_LINK_UP : RTE_ETH_LINK_DOWN,
	};

	if (rte_eth_linkstatus_set(dev, &link) != 0)
		return; /* unchanged */
	NET_VMCI_LOG(INFO, "port %u: link %s", dev->data->port_id, up ? "up" : "down");
	if (!dev->data->dev_conf.intr_conf.lsc)
		return;
	if (p->in_alarm)
		p->lsc_pending = true;
	else
		rte_eth_dev_callback_process(dev, RTE_ETH_EVENT_INTR_LSC, NULL);
}

/* The application set the link down: make no connection until it sets it up. */
static bool
link_held_down(const struct net_vmci_port *p)
{
	return __atomic_load_n(&p->admin_down, __ATOMIC_ACQUIRE);
}

static struct net_vmci_queue *
rxq_of(struct net_vmci_port *p, uint16_t i)
{
	return p->eth_dev->data->rx_queues[i];
}

static struct net_vmci_queue *
txq_of(struct net_vmci_port *p, uint16_t i)
{
	return p->eth_dev->data->tx_queues[i];
}

static struct rte_vmci_qp *
pair_ep(const struct net_vmci_pair *pair)
{
	return rte_vmci_qpair_endpoint(pair->qpair);
}

static bool
pair_is_open(const struct net_vmci_pair *pair)
{
	return pair->qpair != NULL;
}

static void
pair_close(struct net_vmci_pair *pair)
{
	if (pair->qpair != NULL)
		rte_vmci_qpair_detach(pair->qpair);
	pair->qpair = NULL;
	rte_free(pair->zc);
	pair->zc = NULL;
}

/* Frames of the pair received in place whose mbufs the application still holds. */
static unsigned int
pair_frames_held(const struct net_vmci_pair *pair)
{
	const struct net_vmci_zc *zc = pair->zc;
	unsigned int held = 0;
	uint32_t i, head;

	if (zc == NULL)
		return 0;
	/* The Rx lcore no longer moves these: the pair was withdrawn and its burst ended. */
	head = __atomic_load_n(&zc->head, __ATOMIC_RELAXED);
	for (i = __atomic_load_n(&zc->tail, __ATOMIC_RELAXED); i != head; i++)
		held += !__atomic_load_n(&zc->slots[i & (NET_VMCI_ZC_SLOTS - 1)].done,
					 __ATOMIC_ACQUIRE);
	return held;
}

/*
 * Slots for receiving in place from @ep, or NULL to read by copy: when the
 * queue memory has no contiguous IOVA (a frame handed to a NIC must have
 * one), or on no memory.
 */
static struct net_vmci_zc *
zc_create(struct net_vmci_port *p, uint16_t i, struct rte_vmci_qp *ep)
{
	struct rte_vmci_qp_info info;
	struct net_vmci_zc *zc;

	if (rte_vmci_qp_info_get(ep, &info) < 0 || info.consume_iova == RTE_BAD_IOVA) {
		NET_VMCI_LOG(WARNING, "port %u: Rx queue %u: queue memory has no contiguous IOVA, "
			     "expected one for rx_zero_copy=1: reading by copy",
			     p->eth_dev->data->port_id, i);
		return NULL;
	}
	zc = rte_zmalloc_socket("net_vmci_zc", sizeof(*zc), RTE_CACHE_LINE_SIZE,
				p->eth_dev->data->numa_node);
	if (zc == NULL) {
		NET_VMCI_LOG(WARNING, "port %u: Rx queue %u: no memory for %u in-place slots: "
			     "reading by copy", p->eth_dev->data->port_id, i, NET_VMCI_ZC_SLOTS);
		return NULL;
	}
	zc->ep = ep;
	zc->copy_max = RTE_MIN((uint32_t)NET_VMCI_ZC_COPY_MAX, (uint32_t)rxq_of(p, i)->seg_room);
	return zc;
}

/* Retired pairs: freed once neither lcore can hold their endpoint. */

/*
 * A burst that was running when the endpoint was withdrawn has ended once
 * the sequence moved on; any later burst loads the new (NULL) endpoint.
 * An idle queue (even sequence) never held it.
 */
static bool
queue_done_with(const struct net_vmci_queue *q, uint64_t seq_at_retire)
{
	return (seq_at_retire & 1) == 0 ||
	       __atomic_load_n(&q->seq, __ATOMIC_ACQUIRE) != seq_at_retire;
}

static bool
retired_unused(struct net_vmci_port *p, const struct net_vmci_retired *r)
{
	return queue_done_with(rxq_of(p, r->queue), r->rx_seq) &&
	       queue_done_with(txq_of(p, r->queue), r->tx_seq);
}

/*
 * Free the retired pairs no lcore can reach (@stopped: none can, the data
 * path is not running) and no application mbuf points into.
 */
static void
reap_retired(struct net_vmci_port *p, bool stopped)
{
	unsigned int i = 0;

	while (i < p->nb_retired) {
		struct net_vmci_retired *r = &p->retired[i];

		if ((!stopped && !retired_unused(p, r)) || pair_frames_held(&r->pair) > 0) {
			i++;
			continue;
		}
		pair_close(&r->pair);
		*r = p->retired[--p->nb_retired];
	}
}

/* Frames received in place on withdrawn pairs that the application still holds. */
static unsigned int
retired_frames_held(struct net_vmci_port *p)
{
	unsigned int i, held = 0;

	for (i = 0; i < p->nb_retired; i++)
		held += pair_frames_held(&p->retired[i].pair);
	return held;
}

static void
retire_pair(struct net_vmci_port *p, uint16_t i)
{
	struct net_vmci_pair *pair = &p->pairs[i];
	struct net_vmci_queue *rxq = rxq_of(p, i), *txq = txq_of(p, i);
	struct net_vmci_retired *r;

	if (!pair_is_open(pair))
		return;
	/* SEQ_CST store then load: pairs with queue_enter(), see there. */
	__atomic_store_n(&rxq->ep, NULL, __ATOMIC_SEQ_CST);
	__atomic_store_n(&txq->ep, NULL, __ATOMIC_SEQ_CST);
	/* A burst still on the old endpoint then reads by copy: the slots stay until it ends. */
	__atomic_store_n(&rxq->zc, NULL, __ATOMIC_RELEASE);
	/* can_connect() kept room for every pair of the connection. */
	RTE_VERIFY(p->nb_retired < NET_VMCI_MAX_RETIRED);
	r = &p->retired[p->nb_retired++];
	r->pair = *pair;
	pair->zc = NULL;
	r->queue = i;
	r->rx_seq = __atomic_load_n(&rxq->seq, __ATOMIC_SEQ_CST);
	r->tx_seq = __atomic_load_n(&txq->seq, __ATOMIC_SEQ_CST);
	pair->qpair = NULL;
}

static void
disconnect(struct net_vmci_port *p)
{
	uint16_t i;

	for (i = 0; i < p->nb_queues; i++)
		retire_pair(p, i);
	p->connected = false;
	link_set(p, false);
}

/*
 * A connection is made only when the pairs it will retire one day fit in
 * the retired list: an endpoint is never freed while an lcore may hold it,
 * so lcores that stopped polling a queue hold reconnection back instead.
 */
static bool
can_connect(struct net_vmci_port *p)
{
	reap_retired(p, false);
	if (p->nb_retired + p->nb_queues <= NET_VMCI_MAX_RETIRED)
		return true;
	if (p->polls % 100 == 1)
		NET_VMCI_LOG(WARNING, "port %u: %u old pairs still reachable by lcores that "
			     "have not polled since, or holding %u frames received in place that "
			     "the application has not freed; reconnecting once they are not",
			     p->eth_dev->data->port_id, p->nb_retired, retired_frames_held(p));
	return false;
}

/* Give the data path the endpoints of the new connection. */
static void
install_endpoints(struct net_vmci_port *p)
{
	uint16_t i;

	for (i = 0; i < p->nb_queues; i++) {
		struct rte_vmci_qp *ep = pair_ep(&p->pairs[i]);
		struct net_vmci_queue *rxq = rxq_of(p, i), *txq = txq_of(p, i);

		rxq->fatal = 0;
		txq->fatal = 0;
		rxq->resync_pending = 0;
		if (rxq->rx_zero_copy)
			p->pairs[i].zc = zc_create(p, i, ep);
		/* The slots before the endpoint: a burst that loads it finds them (zc_of()). */
		__atomic_store_n(&rxq->zc, p->pairs[i].zc, __ATOMIC_RELEASE);
		__atomic_store_n(&rxq->ep, ep, __ATOMIC_RELEASE);
		__atomic_store_n(&txq->ep, ep, __ATOMIC_RELEASE);
	}
	/* Every connection after the first one since start is a reconnection. */
	if (p->connections++ > 0)
		p->reconnects++;
	p->connected = true;
	link_set(p, true);
}

/*
 * Where the peer of a pair stands: the bus keeps the state per pair (so
 * an event of a withdrawn pair can never be taken for one of its
 * successor, and an event handled by another thread that polls the
 * device is not missed).
 */
static enum rte_vmci_qpair_peer_state
pair_peer_state(const struct net_vmci_pair *pair)
{
	return rte_vmci_qpair_peer_state(pair->qpair);
}

static int
pair_open(struct net_vmci_port *p, uint16_t i, const struct rte_vmci_handle *attach_to)
{
	struct rte_vmci_qpair_conf conf = {
		.produce_size = p->qsize,
		.consume_size = p->qsize,
		.peer = p->peer,
		.flags = attach_to != NULL ? RTE_VMCI_QPAIR_F_ATTACH_ONLY : 0,
		.socket_id = p->eth_dev->data->numa_node,
		.max_rx_msg_len = NET_VMCI_MAX_FRAME,
	};
	struct rte_vmci_qpair *qp;

	if (attach_to != NULL)
		conf.handle = *attach_to;
	if (conf.socket_id < 0)
		conf.socket_id = SOCKET_ID_ANY;
	qp = rte_vmci_qpair_create(p->vdev, &conf);
	if (qp == NULL) {
		if (p->polls % 100 == 1)
			NET_VMCI_LOG(ERR, "port %u: queue pair %u %s: %s (retrying)",
				     p->eth_dev->data->port_id, i,
				     attach_to != NULL ? "attach" : "create",
				     rte_strerror(rte_errno));
		return -1;
	}
	p->pairs[i].qpair = qp;
	return 0;
}

/* Open all pairs (create, or attach to @handles); all or none. */
static int
pairs_open(struct net_vmci_port *p, const struct rte_vmci_handle *handles)
{
	uint16_t i, j;

	for (i = 0; i < p->nb_queues; i++) {
		if (pair_open(p, i, handles != NULL ? &handles[i] : NULL) < 0) {
			for (j = 0; j < i; j++)
				pair_close(&p->pairs[j]);
			return -1;
		}
	}
	return 0;
}

/* Create side. */

static void
send_offer(struct net_vmci_port *p)
{
	struct net_vmci_offer o = {
		.magic = NET_VMCI_OFFER_MAGIC,
		.version = NET_VMCI_OFFER_VERSION,
		.nb_queues = p->nb_queues,
		.generation = p->generation,
		.qsize = p->qsize,
	};
	struct rte_vmci_handle dst = { .context = p->peer, .resource = p->service };
	uint16_t i;
	int ret;

	for (i = 0; i < p->nb_queues; i++)
		o.handles[i] = rte_vmci_qpair_handle(p->pairs[i].qpair);
	ret = rte_vmci_dgram_send(p->dg, dst, &o, sizeof(o));
	if (ret < 0)
		NET_VMCI_LOG(DEBUG, "port %u: offer to %u:%u: %s", p->eth_dev->data->port_id,
			     dst.context, dst.resource, strerror(-ret));
}

static bool
all_peers_attached(struct net_vmci_port *p)
{
	uint16_t i;

	for (i = 0; i < p->nb_queues; i++)
		if (pair_peer_state(&p->pairs[i]) != RTE_VMCI_QPAIR_PEER_ATTACHED)
			return false;
	return true;
}

static bool
any_peer_detached(struct net_vmci_port *p)
{
	uint16_t i;

	for (i = 0; i < p->nb_queues; i++)
		if (pair_peer_state(&p->pairs[i]) == RTE_VMCI_QPAIR_PEER_DETACHED)
			return true;
	return false;
}

static void
create_side_step(struct net_vmci_port *p)
{
	if (link_held_down(p))
		return;
	if (!pair_is_open(&p->pairs[0])) {
		if (!can_connect(p) || pairs_open(p, NULL) < 0)
			return;
		p->generation++;
		send_offer(p);
		return;
	}
	if (p->connected)
		return;
	/*
	 * A peer that left before attaching every pair cannot come back to
	 * the ones it attached (the broker refuses a second attach): offer a
	 * fresh generation instead of waiting for it forever.
	 */
	if (any_peer_detached(p)) {
		NET_VMCI_LOG(NOTICE, "port %u: peer detached before attaching all %u queue "
			     "pairs; offering new ones", p->eth_dev->data->port_id, p->nb_queues);
		p->peer_detaches++;
		disconnect(p);
		return;
	}
	if (all_peers_attached(p))
		install_endpoints(p);
	else if (p->polls % NET_VMCI_OFFER_EVERY == 0)
		send_offer(p);
}

static void
null_dgram_cb(struct rte_vmci_dgram *ep, struct rte_vmci_handle src, const void *payload,
	      uint32_t len, void *arg)
{
	struct net_vmci_port *p = arg;

	RTE_SET_USED(ep);
	RTE_SET_USED(src);
	RTE_SET_USED(payload);
	RTE_SET_USED(len);
	__atomic_fetch_add(&p->bad_offers, 1, __ATOMIC_RELAXED);
}

/* Attach side. */

static void
offer_cb(struct rte_vmci_dgram *ep, struct rte_vmci_handle src, const void *payload,
	 uint32_t len, void *arg)
{
	struct net_vmci_port *p = arg;

	RTE_SET_USED(ep);
	if (len != sizeof(struct net_vmci_offer) || src.context != p->peer) {
		__atomic_fetch_add(&p->bad_offers, 1, __ATOMIC_RELAXED);
		return;
	}
	rte_spinlock_lock(&p->offer_lock);
	memcpy(&p->offer, payload, sizeof(p->offer));
	p->offer_src = src.context;
	p->offer_pending = true;
	rte_spinlock_unlock(&p->offer_lock);
}

static bool
offer_valid(struct net_vmci_port *p, const struct net_vmci_offer *o, uint32_t src)
{
	uint16_t i;

	if (o->magic != NET_VMCI_OFFER_MAGIC || o->version != NET_VMCI_OFFER_VERSION ||
	    o->nb_queues != p->nb_queues || o->qsize != p->qsize) {
		NET_VMCI_LOG(WARNING, "port %u: offer from %u refused: magic 0x%x version %u "
			     "queues %u qsize %" PRIu64 ", expected 0x%x, %u, %u, %" PRIu64,
			     p->eth_dev->data->port_id, src, o->magic, o->version,
			     o->nb_queues, o->qsize, NET_VMCI_OFFER_MAGIC,
			     NET_VMCI_OFFER_VERSION, p->nb_queues, p->qsize);
		return false;
	}
	for (i = 0; i < p->nb_queues; i++) {
		if (o->handles[i].context != src ||
		    o->handles[i].resource == RTE_VMCI_INVALID_ID) {
			NET_VMCI_LOG(WARNING, "port %u: offer from %u refused: handle %u is "
				     "%u:%u, expected %u:<resource>", p->eth_dev->data->port_id,
				     src, i, o->handles[i].context, o->handles[i].resource, src);
			return false;
		}
	}
	return true;
}

static void accept_offer(struct net_vmci_port *p, const struct net_vmci_offer *offer,
			 uint32_t src);

static void
attach_side_step(struct net_vmci_port *p)
{
	struct rte_vmci_handle handles[NET_VMCI_MAX_QUEUES];
	struct net_vmci_offer o;
	bool pending;
	uint32_t src;
	uint16_t i;

	if (p->use_handle) {
		if (p->connected || link_held_down(p) || p->polls % NET_VMCI_OFFER_EVERY != 0)
			return;
		for (i = 0; i < p->nb_queues; i++) {
			handles[i] = p->handle;
			handles[i].resource += i;
		}
		if (can_connect(p) && pairs_open(p, handles) == 0)
			install_endpoints(p);
		return;
	}
	rte_spinlock_lock(&p->offer_lock);
	pending = p->offer_pending;
	p->offer_pending = false;
	o = p->offer;
	src = p->offer_src;
	rte_spinlock_unlock(&p->offer_lock);
	if (pending)
		accept_offer(p, &o, src);
}

static void
accept_offer(struct net_vmci_port *p, const struct net_vmci_offer *offer, uint32_t src)
{
	struct net_vmci_offer o = *offer;

	/* The creator repeats its offer until attached: one after set_link_up is taken. */
	if (link_held_down(p))
		return;
	if (p->connected && o.generation == p->generation)
		return;
	if (!offer_valid(p, &o, src)) {
		__atomic_fetch_add(&p->bad_offers, 1, __ATOMIC_RELAXED);
		return;
	}
	/* A new generation means the creator gave up the old pairs. */
	if (p->connected)
		disconnect(p);
	if (!can_connect(p) || pairs_open(p, o.handles) < 0)
		return;
	p->generation = o.generation;
	install_endpoints(p);
}

/* Failures the data path flagged, and peers that left. */
static void
check_connection(struct net_vmci_port *p)
{
	uint16_t i;

	if (!p->connected)
		return;
	for (i = 0; i < p->nb_queues; i++) {
		if (__atomic_load_n(&rxq_of(p, i)->fatal, __ATOMIC_ACQUIRE) ||
		    __atomic_load_n(&txq_of(p, i)->fatal, __ATOMIC_ACQUIRE)) {
			NET_VMCI_LOG(ERR, "port %u: queue %u: the peer wrote a ring index out "
				     "of range or an unrecoverable stream; link down, reconnecting",
				     p->eth_dev->data->port_id, i);
			disconnect(p);
			return;
		}
		if (pair_peer_state(&p->pairs[i]) == RTE_VMCI_QPAIR_PEER_DETACHED) {
			NET_VMCI_LOG(NOTICE, "port %u: peer detached from queue pair %u; link down",
				     p->eth_dev->data->port_id, i);
			p->peer_detaches++;
			disconnect(p);
			return;
		}
	}
}

/*
 * What the peer did wrong on Rx queue @i since the last report. The data
 * path only counts (it must not log); this is where it is said.
 */
static void
report_queue_errors(struct net_vmci_port *p, uint16_t i)
{
	const struct net_vmci_qstats *s = &rxq_of(p, i)->stats;
	struct net_vmci_reported *last = &p->reported[i];
	struct net_vmci_reported now = {
		.bad_records = s->bad_records,
		.idx_errors = s->idx_errors,
		.resyncs = s->resyncs,
		.resync_bytes = s->resync_bytes,
	};

	/* Counters reset since the last report: count from zero. */
	if (now.bad_records < last->bad_records || now.idx_errors < last->idx_errors ||
	    now.resyncs < last->resyncs || now.resync_bytes < last->resync_bytes)
		memset(last, 0, sizeof(*last));
	if (now.bad_records != last->bad_records || now.idx_errors != last->idx_errors ||
	    now.resyncs != last->resyncs)
		NET_VMCI_LOG(WARNING, "port %u Rx queue %u, last second: %" PRIu64 " malformed "
			     "records and %" PRIu64 " ring indices out of range from the peer; "
			     "resynchronised %" PRIu64 " times, dropping %" PRIu64 " bytes",
			     p->eth_dev->data->port_id, i, now.bad_records - last->bad_records,
			     now.idx_errors - last->idx_errors, now.resyncs - last->resyncs,
			     now.resync_bytes - last->resync_bytes);
	*last = now;
}

/* At most once a second. */
static void
report_peer_errors(struct net_vmci_port *p)
{
	uint16_t i;

	if (p->polls % (1000000 / NET_VMCI_POLL_US) != 0)
		return;
	for (i = 0; i < p->nb_queues; i++)
		report_queue_errors(p, i);
}

static void
net_vmci_alarm(void *arg)
{
	struct net_vmci_port *p = arg;

	/* dev_stop clears started, dev_start and set_link_down bump alarm_gen: see below. */
	uint32_t gen = __atomic_load_n(&p->alarm_gen, __ATOMIC_ACQUIRE);

	if (!__atomic_load_n(&p->started, __ATOMIC_ACQUIRE))
		return;
	p->in_alarm = true;
	p->polls++;
	if (p->vdev != NULL)
		rte_vmci_poll(p->vdev);
	check_connection(p);
	if (p->role == ROLE_CREATE)
		create_side_step(p);
	else
		attach_side_step(p);
	reap_retired(p, false);
	report_peer_errors(p);
	p->in_alarm = false;
	if (p->lsc_pending) {
		p->lsc_pending = false;
		rte_eth_dev_callback_process(p->eth_dev, RTE_ETH_EVENT_INTR_LSC, NULL);
	}
	/*
	 * The LSC callback may have stopped the port, or stopped and started
	 * it, or set its link down; another thread may be setting it down now.
	 * Whoever did so armed the next run, or none is wanted.
	 */
	if (!__atomic_load_n(&p->started, __ATOMIC_ACQUIRE) ||
	    __atomic_load_n(&p->alarm_gen, __ATOMIC_ACQUIRE) != gen)
		return;
	if (rte_eal_alarm_set(NET_VMCI_POLL_US, net_vmci_alarm, p) < 0)
		NET_VMCI_LOG(ERR, "port %u: cannot re-arm the poll alarm; link state frozen",
			     p->eth_dev->data->port_id);
}

/* Ethdev ops. */

/*
 * There is no filter: every frame of the peer is delivered. Report it so
 * (ethdev keeps these flags, and refuses to clear them when the disable op
 * fails).
 */
static void
filters_always_open(struct rte_eth_dev *dev)
{
	dev->data->promiscuous = 1;
	dev->data->all_multicast = 1;
}

static int
net_vmci_dev_configure(struct rte_eth_dev *dev)
{
	struct net_vmci_port *p = dev->data->dev_private;

	if (dev->data->nb_rx_queues != p->nb_queues || dev->data->nb_tx_queues != p->nb_queues) {
		NET_VMCI_LOG(ERR, "port %u: %u Rx / %u Tx queues, expected %u of each "
			     "(devarg queues=)", dev->data->port_id, dev->data->nb_rx_queues,
			     dev->data->nb_tx_queues, p->nb_queues);
		return -EINVAL;
	}
	filters_always_open(dev);
	return 0;
}

static int
net_vmci_dev_start(struct rte_eth_dev *dev)
{
	struct net_vmci_port *p = dev->data->dev_private;
	uint32_t max_frame = dev->data->mtu + NET_VMCI_FRAME_OVERHEAD;
	uint16_t i;
	int ret;

	for (i = 0; i < p->nb_queues; i++) {
		if (rxq_of(p, i) == NULL || txq_of(p, i) == NULL) {
			NET_VMCI_LOG(ERR, "port %u: queue %u not set up", dev->data->port_id, i);
			return -EINVAL;
		}
		rxq_of(p, i)->max_frame = max_frame;
		txq_of(p, i)->max_frame = max_frame;
	}
	if (!p->use_handle) {
		if (p->role == ROLE_ATTACH)
			p->dg = rte_vmci_dgram_create(p->vdev, p->service, offer_cb, p);
		else
			p->dg = rte_vmci_dgram_create(p->vdev, RTE_VMCI_INVALID_ID,
						      null_dgram_cb, p);
		if (p->dg == NULL) {
			NET_VMCI_LOG(ERR, "port %u: datagram endpoint on resource %u: %s",
				     dev->data->port_id, p->service, rte_strerror(rte_errno));
			return -rte_errno;
		}
	}
	p->started = true;
	__atomic_fetch_add(&p->alarm_gen, 1, __ATOMIC_ACQ_REL);
	p->lsc_pending = false;
	p->polls = 0;
	p->connections = 0;
	ret = rte_eal_alarm_set(NET_VMCI_POLL_US, net_vmci_alarm, p);
	if (ret < 0) {
		NET_VMCI_LOG(ERR, "port %u: poll alarm: %s", dev->data->port_id, strerror(-ret));
		rte_vmci_dgram_destroy(p->dg);
		p->dg = NULL;
		p->started = false;
		return ret;
	}
	for (i = 0; i < p->nb_queues; i++) {
		dev->data->rx_queue_state[i] = RTE_ETH_QUEUE_STATE_STARTED;
		dev->data->tx_queue_state[i] = RTE_ETH_QUEUE_STATE_STARTED;
	}
	return 0;
}

/*
 * At close: pairs whose frames, received in place, the application still
 * holds cannot be freed (their mbufs point into them and their free
 * callback writes their slots): keep them for the life of the process.
 */
static void
abandon_held_pairs(struct net_vmci_port *p)
{
	unsigned int held;

	reap_retired(p, true);
	held = retired_frames_held(p);
	if (p->nb_retired > 0)
		NET_VMCI_LOG(WARNING, "port %u: closed with %u frames received in place still "
			     "held by the application, expected none: %u queue pair(s) stay "
			     "allocated until the process exits", p->eth_dev->data->port_id, held,
			     p->nb_retired);
	p->nb_retired = 0;
}

static int
net_vmci_dev_stop(struct rte_eth_dev *dev)
{
	struct net_vmci_port *p = dev->data->dev_private;
	uint16_t i;

	if (!p->started)
		return 0;
	__atomic_store_n(&p->started, false, __ATOMIC_RELEASE);
	/* Returns once a running callback has finished. */
	rte_eal_alarm_cancel(net_vmci_alarm, p);
	disconnect(p);
	/* Ethdev: the data path is not running on a stopped port. */
	reap_retired(p, true);
	rte_vmci_dgram_destroy(p->dg);
	p->dg = NULL;
	for (i = 0; i < p->nb_queues; i++) {
		dev->data->rx_queue_state[i] = RTE_ETH_QUEUE_STATE_STOPPED;
		dev->data->tx_queue_state[i] = RTE_ETH_QUEUE_STATE_STOPPED;
	}
	return 0;
}

/*
 * Drop the connection (the peer sees us leave, as after a stop) and make
 * no new one until set_link_up; the data path moves nothing meanwhile.
 * The alarm must not run while the pairs go: take its place as dev_stop
 * does, then arm it again. From the LSC callback, which runs at the end
 * of an alarm run, the cancel returns at once and that run does not
 * re-arm (alarm_gen moved).
 */
static int
net_vmci_dev_set_link_down(struct rte_eth_dev *dev)
{
	struct net_vmci_port *p = dev->data->dev_private;
	int ret;

	__atomic_store_n(&p->admin_down, true, __ATOMIC_RELEASE);
	if (!__atomic_load_n(&p->started, __ATOMIC_ACQUIRE))
		return 0;
	__atomic_fetch_add(&p->alarm_gen, 1, __ATOMIC_ACQ_REL);
	rte_eal_alarm_cancel(net_vmci_alarm, p);
	disconnect(p);
	ret = rte_eal_alarm_set(NET_VMCI_POLL_US, net_vmci_alarm, p);
	if (ret < 0)
		NET_VMCI_LOG(ERR, "port %u: cannot re-arm the poll alarm: %s; stop and start "
			     "the port", dev->data->port_id, strerror(-ret));
	return ret;
}

/* Connect again: the poll alarm does, once the peer is there. */
static int
net_vmci_dev_set_link_up(struct rte_eth_dev *dev)
{
	struct net_vmci_port *p = dev->data->dev_private;

	__atomic_store_n(&p->admin_down, false, __ATOMIC_RELEASE);
	return 0;
}

static void
queue_free(struct net_vmci_queue *q)
{
	if (q == NULL)
		return;
	rte_free(q->scratch);
	rte_free(q);
}

static void
net_vmci_rx_queue_release(struct rte_eth_dev *dev, uint16_t qid)
{
	queue_free(dev->data->rx_queues[qid]);
	dev->data->rx_queues[qid] = NULL;
}

static void
net_vmci_tx_queue_release(struct rte_eth_dev *dev, uint16_t qid)
{
	queue_free(dev->data->tx_queues[qid]);
	dev->data->tx_queues[qid] = NULL;
}

static int
net_vmci_dev_close(struct rte_eth_dev *dev)
{
	uint16_t i;

	if (rte_eal_process_type() != RTE_PROC_PRIMARY)
		return 0;
	net_vmci_dev_stop(dev);
	abandon_held_pairs(dev->data->dev_private);
	for (i = 0; i < dev->data->nb_rx_queues; i++)
		net_vmci_rx_queue_release(dev, i);
	for (i = 0; i < dev->data->nb_tx_queues; i++)
		net_vmci_tx_queue_release(dev, i);
	return 0;
}

static int
net_vmci_stats_reset(struct rte_eth_dev *dev)
{
	struct net_vmci_port *p = dev->data->dev_private;
	uint16_t i;

	for (i = 0; i < dev->data->nb_rx_queues; i++)
		if (dev->data->rx_queues[i] != NULL)
			memset(&rxq_of(p, i)->stats, 0, sizeof(struct net_vmci_qstats));
	for (i = 0; i < dev->data->nb_tx_queues; i++)
		if (dev->data->tx_queues[i] != NULL)
			memset(&txq_of(p, i)->stats, 0, sizeof(struct net_vmci_qstats));
	p->peer_detaches = 0;
	p->reconnects = 0;
	memset(p->reported, 0, sizeof(p->reported));
	__atomic_store_n(&p->bad_offers, 0, __ATOMIC_RELAXED);
	return 0;
}

/* Stop-like reset: drop the connection and counters; the port can be started again. */
static int
net_vmci_dev_reset(struct rte_eth_dev *dev)
{
	struct net_vmci_port *p = dev->data->dev_private;

	net_vmci_dev_stop(dev);
	p->generation = 0;
	p->admin_down = false;
	return net_vmci_stats_reset(dev);
}

static int
net_vmci_dev_infos_get(struct rte_eth_dev *dev, struct rte_eth_dev_info *info)
{
	struct net_vmci_port *p = dev->data->dev_private;

	info->max_mac_addrs = 1;
	info->max_rx_pktlen = NET_VMCI_MAX_FRAME;
	/* Data room (past the headroom) that fits the largest frame in our segment limit. */
	info->min_rx_bufsize = (NET_VMCI_MAX_FRAME + NET_VMCI_MAX_SEGS - 1) / NET_VMCI_MAX_SEGS;
	info->min_mtu = NET_VMCI_MIN_MTU;
	info->max_mtu = NET_VMCI_MAX_MTU;
	info->max_rx_queues = p->nb_queues;
	info->max_tx_queues = p->nb_queues;
	info->rx_offload_capa = RTE_ETH_RX_OFFLOAD_SCATTER;
	info->tx_offload_capa = RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
	info->rx_desc_lim.nb_max = UINT16_MAX;
	info->tx_desc_lim.nb_max = UINT16_MAX;
	info->speed_capa = RTE_ETH_LINK_SPEED_FIXED;
	info->default_rxportconf.nb_queues = p->nb_queues;
	info->default_txportconf.nb_queues = p->nb_queues;
	return 0;
}

static int
net_vmci_link_update(struct rte_eth_dev *dev, int wait_to_complete)
{
	/* The poll alarm keeps dev_link current. */
	RTE_SET_USED(dev);
	RTE_SET_USED(wait_to_complete);
	return 0;
}

static int
net_vmci_mtu_set(struct rte_eth_dev *dev, uint16_t mtu)
{
	struct net_vmci_port *p = dev->data->dev_private;

	if (p->started) {
		NET_VMCI_LOG(ERR, "port %u: MTU %u: stop the port first", dev->data->port_id, mtu);
		return -EBUSY;
	}
	return 0;
}

/* Every frame of the peer reaches us: there is no filter to program. */
static int
net_vmci_promisc_allmulti(struct rte_eth_dev *dev)
{
	RTE_SET_USED(dev);
	return 0;
}

/* ... and so none to turn on: say so rather than pretend. */
static int
net_vmci_filter_unsupported(struct rte_eth_dev *dev)
{
	RTE_SET_USED(dev);
	return -ENOTSUP;
}

static int
net_vmci_mac_addr_set(struct rte_eth_dev *dev, struct rte_ether_addr *addr)
{
	RTE_SET_USED(dev);
	RTE_SET_USED(addr);
	return 0;
}

static struct net_vmci_queue *
queue_alloc(struct rte_eth_dev *dev, uint16_t qid, unsigned int socket_id, bool rx)
{
	struct net_vmci_queue *q;

	q = rte_zmalloc_socket("net_vmci_queue", sizeof(*q), RTE_CACHE_LINE_SIZE, socket_id);
	if (q == NULL)
		return NULL;
	q->queue_id = qid;
	q->port_id = dev->data->port_id;
	q->max_frame = dev->data->mtu + NET_VMCI_FRAME_OVERHEAD;
	if (rx) {
		q->scratch = rte_malloc_socket("net_vmci_scratch", NET_VMCI_SCRATCH_SEG, 0,
					       socket_id);
		if (q->scratch == NULL) {
			rte_free(q);
			return NULL;
		}
	}
	return q;
}

/*
 * Frames in place are mbufs over ring memory: a pool whose mbufs carry
 * pinned external buffers of their own cannot take them (its mbufs are
 * never detached, so the frame's free callback would never run).
 */
static bool
rx_zero_copy_possible(struct rte_eth_dev *dev, uint16_t qid, struct rte_mempool *mp)
{
	struct net_vmci_port *p = dev->data->dev_private;

	if (!p->rx_zero_copy)
		return false;
	if (rte_pktmbuf_priv_flags(mp) & RTE_PKTMBUF_POOL_F_PINNED_EXT_BUF) {
		NET_VMCI_LOG(WARNING, "port %u: Rx queue %u: pool %s has pinned external "
			     "buffers, expected ordinary mbufs for rx_zero_copy=1: reading by copy",
			     dev->data->port_id, qid, mp->name);
		return false;
	}
	return true;
}

static int
net_vmci_rx_queue_setup(struct rte_eth_dev *dev, uint16_t qid, uint16_t nb_desc,
			unsigned int socket_id, const struct rte_eth_rxconf *conf,
			struct rte_mempool *mp)
{
	uint32_t room = rte_pktmbuf_data_room_size(mp);
	struct net_vmci_queue *q;

	RTE_SET_USED(nb_desc);
	RTE_SET_USED(conf);
	if (room <= RTE_PKTMBUF_HEADROOM ||
	    (NET_VMCI_MAX_FRAME + room - RTE_PKTMBUF_HEADROOM - 1) /
	    (room - RTE_PKTMBUF_HEADROOM) > NET_VMCI_MAX_SEGS) {
		NET_VMCI_LOG(ERR, "port %u: Rx queue %u: mbuf data room %u, expected at least "
			     "%u", dev->data->port_id, qid, room,
			     RTE_PKTMBUF_HEADROOM + NET_VMCI_MAX_FRAME / NET_VMCI_MAX_SEGS + 1);
		return -EINVAL;
	}
	net_vmci_rx_queue_release(dev, qid);
	q = queue_alloc(dev, qid, socket_id, true);
	if (q == NULL)
		return -ENOMEM;
	q->mp = mp;
	q->seg_room = RTE_MIN(room - RTE_PKTMBUF_HEADROOM, (uint32_t)UINT16_MAX);
	q->rx_zero_copy = rx_zero_copy_possible(dev, qid, mp);
	dev->data->rx_queues[qid] = q;
	return 0;
}

static int
net_vmci_tx_queue_setup(struct rte_eth_dev *dev, uint16_t qid, uint16_t nb_desc,
			unsigned int socket_id, const struct rte_eth_txconf *conf)
{
	struct net_vmci_queue *q;

	RTE_SET_USED(nb_desc);
	RTE_SET_USED(conf);
	net_vmci_tx_queue_release(dev, qid);
	q = queue_alloc(dev, qid, socket_id, false);
	if (q == NULL)
		return -ENOMEM;
	dev->data->tx_queues[qid] = q;
	return 0;
}

static int
net_vmci_stats_get(struct rte_eth_dev *dev, struct rte_eth_stats *st)
{
	uint16_t i;

	for (i = 0; i < dev->data->nb_rx_queues; i++) {
		const struct net_vmci_queue *q = dev->data->rx_queues[i];

		if (q == NULL)
			continue;
		st->ipackets += q->stats.packets;
		st->ibytes += q->stats.bytes;
		st->ierrors += q->stats.errors + q->stats.bad_records;
		st->rx_nombuf += q->stats.nombuf;
		if (i < RTE_ETHDEV_QUEUE_STAT_CNTRS) {
			st->q_ipackets[i] = q->stats.packets;
			st->q_ibytes[i] = q->stats.bytes;
			st->q_errors[i] = q->stats.errors + q->stats.bad_records;
		}
	}
	for (i = 0; i < dev->data->nb_tx_queues; i++) {
		const struct net_vmci_queue *q = dev->data->tx_queues[i];

		if (q == NULL)
			continue;
		st->opackets += q->stats.packets;
		st->obytes += q->stats.bytes;
		st->oerrors += q->stats.errors;
		if (i < RTE_ETHDEV_QUEUE_STAT_CNTRS) {
			st->q_opackets[i] = q->stats.packets;
			st->q_obytes[i] = q->stats.bytes;
		}
	}
	return 0;
}

/* Extended statistics: counters ethdev's basic stats have no field for. */
enum {
	XS_RX_OVERSIZE, XS_TX_OVERSIZE, XS_TX_RING_FULL, XS_RX_BAD_RECORDS, XS_RX_RESYNCS,
	XS_RX_RESYNC_BYTES, XS_RING_INDEX_ERRORS, XS_PEER_DETACH, XS_RECONNECTS, XS_BAD_OFFERS,
	XS_RX_ZC_FRAMES, XS_RX_ZC_FULL, XS_RX_ZC_REPAIRED, XS_COUNT
};

static const char * const xstat_names[XS_COUNT] = {
	[XS_RX_OVERSIZE] = "rx_oversize_errors",
	[XS_TX_OVERSIZE] = "tx_oversize_errors",
	[XS_TX_RING_FULL] = "tx_ring_full",
	[XS_RX_BAD_RECORDS] = "rx_bad_records",
	[XS_RX_RESYNCS] = "rx_resyncs",
	[XS_RX_RESYNC_BYTES] = "rx_resync_dropped_bytes",
	[XS_RING_INDEX_ERRORS] = "ring_index_errors",
	[XS_PEER_DETACH] = "peer_detach",
	[XS_RECONNECTS] = "reconnects",
	[XS_BAD_OFFERS] = "rendezvous_bad_offers",
	[XS_RX_ZC_FRAMES] = "rx_zero_copy_frames",
	[XS_RX_ZC_FULL] = "rx_zero_copy_slots_full",
	[XS_RX_ZC_REPAIRED] = "rx_zero_copy_mbufs_repaired",
};

static int
net_vmci_xstats_get_names(struct rte_eth_dev *dev, struct rte_eth_xstat_name *names,
			  unsigned int size)
{
	unsigned int i;

	RTE_SET_USED(dev);
	if (names == NULL || size < XS_COUNT)
		return XS_COUNT;
	for (i = 0; i < XS_COUNT; i++)
		strlcpy(names[i].name, xstat_names[i], sizeof(names[i].name));
	return XS_COUNT;
}

static int
net_vmci_xstats_get(struct rte_eth_dev *dev, struct rte_eth_xstat *xs, unsigned int n)
{
	struct net_vmci_port *p = dev->data->dev_private;
	uint64_t v[XS_COUNT] = { 0 };
	unsigned int i;

	if (xs == NULL || n < XS_COUNT)
		return XS_COUNT;
	for (i = 0; i < dev->data->nb_rx_queues; i++) {
		const struct net_vmci_queue *q = dev->data->rx_queues[i];

		if (q == NULL)
			continue;
		v[XS_RX_OVERSIZE] += q->stats.oversize;
		v[XS_RX_BAD_RECORDS] += q->stats.bad_records;
		v[XS_RX_RESYNCS] += q->stats.resyncs;
		v[XS_RX_RESYNC_BYTES] += q->stats.resync_bytes;
		v[XS_RX_ZC_FRAMES] += q->stats.zc_frames;
		v[XS_RX_ZC_FULL] += q->stats.zc_full;
		v[XS_RX_ZC_REPAIRED] += q->stats.zc_repaired;
		v[XS_RING_INDEX_ERRORS] += q->stats.idx_errors;
	}
	for (i = 0; i < dev->data->nb_tx_queues; i++) {
		const struct net_vmci_queue *q = dev->data->tx_queues[i];

		if (q == NULL)
			continue;
		v[XS_TX_OVERSIZE] += q->stats.oversize;
		v[XS_TX_RING_FULL] += q->stats.ring_full;
		v[XS_RING_INDEX_ERRORS] += q->stats.idx_errors;
	}
	v[XS_PEER_DETACH] = p->peer_detaches;
	v[XS_RECONNECTS] = p->reconnects;
	v[XS_BAD_OFFERS] = __atomic_load_n(&p->bad_offers, __ATOMIC_RELAXED);
	for (i = 0; i < XS_COUNT; i++) {
		xs[i].id = i;
		xs[i].value = v[i];
	}
	return XS_COUNT;
}

static const struct eth_dev_ops net_vmci_ops = {
	.dev_configure = net_vmci_dev_configure,
	.dev_start = net_vmci_dev_start,
	.dev_stop = net_vmci_dev_stop,
	.dev_close = net_vmci_dev_close,
	.dev_reset = net_vmci_dev_reset,
	.dev_set_link_up = net_vmci_dev_set_link_up,
	.dev_set_link_down = net_vmci_dev_set_link_down,
	.dev_infos_get = net_vmci_dev_infos_get,
	.link_update = net_vmci_link_update,
	.mtu_set = net_vmci_mtu_set,
	.promiscuous_enable = net_vmci_promisc_allmulti,
	.promiscuous_disable = net_vmci_filter_unsupported,
	.allmulticast_enable = net_vmci_promisc_allmulti,
	.allmulticast_disable = net_vmci_filter_unsupported,
	.mac_addr_set = net_vmci_mac_addr_set,
	.rx_queue_setup = net_vmci_rx_queue_setup,
	.tx_queue_setup = net_vmci_tx_queue_setup,
	.rx_queue_release = net_vmci_rx_queue_release,
	.tx_queue_release = net_vmci_tx_queue_release,
	.stats_get = net_vmci_stats_get,
	.stats_reset = net_vmci_stats_reset,
	.xstats_get = net_vmci_xstats_get,
	.xstats_get_names = net_vmci_xstats_get_names,
	.xstats_reset = net_vmci_stats_reset,
};

/* A secondary process runs Rx/Tx and reads counters; control stays with the primary. */
static const struct eth_dev_ops net_vmci_secondary_ops = {
	.dev_infos_get = net_vmci_dev_infos_get,
	.link_update = net_vmci_link_update,
	.stats_get = net_vmci_stats_get,
	.xstats_get = net_vmci_xstats_get,
	.xstats_get_names = net_vmci_xstats_get_names,
};

/* Vdev driver. */

static int
probe_secondary(struct rte_vdev_device *vdev, const char *name)
{
	struct rte_eth_dev *dev = rte_eth_dev_attach_secondary(name);

	if (dev == NULL) {
		NET_VMCI_LOG(ERR, "%s: not found in the primary process", name);
		return -ENODEV;
	}
	dev->dev_ops = &net_vmci_secondary_ops;
	dev->rx_pkt_burst = net_vmci_rx_burst;
	dev->tx_pkt_burst = net_vmci_tx_burst;
	dev->device = &vdev->device;
	rte_eth_dev_probing_finish(dev);
	return 0;
}

static int
net_vmci_probe(struct rte_vdev_device *vdev)
{
	const char *name = rte_vdev_device_name(vdev);
	struct net_vmci_port conf = { 0 };
	struct rte_vmci_dev_info info;
	struct net_vmci_port *p;
	struct rte_eth_dev *dev;
	int ret;

	if (rte_eal_process_type() == RTE_PROC_SECONDARY)
		return probe_secondary(vdev, name);
	ret = parse_args(name, rte_vdev_device_args(vdev), &conf);
	if (ret < 0)
		return ret;
	dev = rte_eth_vdev_allocate(vdev, sizeof(*p));
	if (dev == NULL)
		return -ENOMEM;
	p = dev->data->dev_private;
	*p = conf;
	p->eth_dev = dev;
	rte_spinlock_init(&p->offer_lock);
	dev->data->mac_addrs = rte_zmalloc("net_vmci_mac", sizeof(p->mac), 0);
	if (dev->data->mac_addrs == NULL) {
		rte_eth_dev_release_port(dev);
		return -ENOMEM;
	}
	*dev->data->mac_addrs = p->mac;
	filters_always_open(dev);
	info.name = "?";
	if (rte_vmci_dev_info_get(p->vdev, &info) == 0 && info.numa_node >= 0)
		dev->data->numa_node = info.numa_node;
	dev->dev_ops = &net_vmci_ops;
	dev->rx_pkt_burst = net_vmci_rx_burst;
	dev->tx_pkt_burst = net_vmci_tx_burst;
	dev->data->dev_flags |= RTE_ETH_DEV_INTR_LSC | RTE_ETH_DEV_AUTOFILL_QUEUE_XSTATS;
	dev->data->dev_link.link_status = RTE_ETH_LINK_DOWN;
	dev->data->dev_link.link_duplex = RTE_ETH_LINK_FULL_DUPLEX;
	rte_eth_dev_probing_finish(dev);
	NET_VMCI_LOG(INFO, "%s: port %u on %s, role %s, peer %u, %s %u, %u queue(s) of %"
		     PRIu64 " bytes", name, dev->data->port_id, info.name,
		     p->role == ROLE_CREATE ? "create" : "attach",
		     p->peer,
		     p->use_handle ? "handle resource" : "service",
		     p->use_handle ? p->handle.resource : p->service, p->nb_queues, p->qsize);
	return 0;
}

static int
net_vmci_remove(struct rte_vdev_device *vdev)
{
	struct rte_eth_dev *dev = rte_eth_dev_allocated(rte_vdev_device_name(vdev));

	if (dev == NULL)
		return 0;
	if (rte_eal_process_type() == RTE_PROC_PRIMARY)
		net_vmci_dev_close(dev);
	return rte_eth_dev_release_port(dev);
}

static struct rte_vdev_driver net_vmci_driver = {
	.probe = net_vmci_probe,
	.remove = net_vmci_remove,
};

RTE_PMD_REGISTER_VDEV(net_vmci, net_vmci_driver);
RTE_PMD_REGISTER_PARAM_STRING(net_vmci,
	ARG_DEV "=<vmci device> "
	ARG_ROLE "=create|attach "
	ARG_PEER "=<context ID> "
	ARG_SERVICE "=<resource ID> "
	ARG_HANDLE "=<context>:<resource> "
	ARG_QUEUES "=<1-8> "
	ARG_QSIZE "=<bytes> "
	ARG_MAC "=<xx:xx:xx:xx:xx:xx> "
	ARG_RX_ZC "=0|1");
