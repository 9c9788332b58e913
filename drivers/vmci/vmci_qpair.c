/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

/*
 * Queue pairs (vmci-device.md section 5): memory from lib/vmci_qp on the
 * device's NUMA node, QUEUEPAIR_ALLOC / DETACH, peer state from events.
 * The data path is the rte_vmci_qp endpoint and never comes back here.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <rte_errno.h>
#include <rte_memory.h>

#include "rte_vmci_qp_mem.h"
#include "vmci_core_priv.h"

/* Makes queue memory names unique within the process. */
static uint32_t vmci_qp_seq;

static int
vmci_qpair_check_conf(struct vmci_device *dev, const struct vmci_qpair_conf *conf)
{
	uint64_t p = conf->produce_size, c = conf->consume_size;

	if (p == 0 || c == 0 || p > VMCI_MAX_GUEST_QP_MEMORY ||
	    c > VMCI_MAX_GUEST_QP_MEMORY - p) {
		VMCI_QP_LOG(ERR, "%s: queue sizes %" PRIu64 " + %" PRIu64
			    ", expected each >= 1 and a sum <= %u", dev->name, p, c,
			    VMCI_MAX_GUEST_QP_MEMORY);
		return -EINVAL;
	}
	/* Guest APIs reject LOCAL, NONBLOCK and PINNED. */
	if (conf->flags & ~VMCI_QPFLAG_ATTACH_ONLY) {
		VMCI_QP_LOG(ERR, "%s: queue-pair flags 0x%x, expected 0 or ATTACH_ONLY (0x%x)",
			    dev->name, conf->flags, VMCI_QPFLAG_ATTACH_ONLY);
		return -EINVAL;
	}
	if ((conf->flags & VMCI_QPFLAG_ATTACH_ONLY) &&
	    (conf->handle.context == VMCI_INVALID_ID ||
	     conf->handle.resource == VMCI_INVALID_ID)) {
		VMCI_QP_LOG(ERR, "%s: attach needs a valid handle, got %u:%u", dev->name,
			    conf->handle.context, conf->handle.resource);
		return -EINVAL;
	}
	return 0;
}

static struct vmci_qpair *
vmci_qpair_find(struct vmci_device *dev, struct rte_vmci_handle h)
{
	struct vmci_qpair *qp;

	TAILQ_FOREACH(qp, &dev->qpairs, next)
		if (qp->handle.context == h.context && qp->handle.resource == h.resource)
			return qp;
	return NULL;
}

static struct rte_vmci_qp_mem *
vmci_qpair_mem(struct vmci_device *dev, const struct vmci_qpair_conf *conf)
{
	char name[RTE_VMCI_QP_MEM_NAMESIZE];
	struct rte_vmci_qp_mem *mem;
	int socket = conf->socket_id;

	if (socket == SOCKET_ID_ANY)
		socket = dev->socket_id;
	snprintf(name, sizeof(name), "vqp%d_%u", (int)getpid(),
		 __atomic_fetch_add(&vmci_qp_seq, 1, __ATOMIC_RELAXED));
	mem = rte_vmci_qp_mem_alloc(name, conf->produce_size, conf->consume_size, socket);
	if (mem == NULL)
		VMCI_QP_LOG(ERR, "%s: queue memory of %" PRIu64 " + %" PRIu64
			    " bytes on socket %d: %s", dev->name, conf->produce_size,
			    conf->consume_size, socket, rte_strerror(rte_errno));
	return mem;
}

/*
 * Remember where the peer's indices live and what they are now, right
 * after QUEUEPAIR_ALLOC (the hypervisor has just initialised the headers).
 */
static void
vmci_qpair_watch_peer(struct vmci_qpair *qp)
{
	struct rte_vmci_qp_queue_desc produce, consume;

	if (rte_vmci_qp_mem_queues(qp->mem, RTE_VMCI_QP_SIDE_CREATOR, &produce, &consume) < 0)
		return;
	qp->peer_hdr = consume.hdr;
	qp->produce_size = produce.size;
	qp->consume_size = consume.size;
	qp->peer_tail0 = __atomic_load_n(&consume.hdr->producer_tail, __ATOMIC_RELAXED);
	qp->peer_head0 = __atomic_load_n(&consume.hdr->consumer_head, __ATOMIC_RELAXED);
}

/*
 * The one place a pair's peer state changes: keeps the count of waiting
 * creator pairs that the poll function looks at, then tells the owner.
 */
static void
vmci_qpair_set_state(struct vmci_device *dev, struct vmci_qpair *qp,
		     enum vmci_qp_peer_state st, uint32_t peer_id)
{
	if (qp->peer_state == VMCI_QP_PEER_WAITING && qp->creator)
		dev->qp_waiting--;
	qp->peer_state = st;
	if (qp->peer_cb != NULL)
		qp->peer_cb(qp, st, peer_id, qp->cb_arg);
}

/*
 * After DETACH (or a reset) the pages are ours again (a host end, with
 * none of its own, lost its mapping of the guest's).
 */
static void
vmci_qpair_free(struct vmci_qpair *qp)
{
	rte_vmci_qp_endpoint_free(qp->ep);
	rte_vmci_qp_mem_free(qp->mem);
	free(qp);
}

/* Queue memory of a pair, header pages included (none for a host end). */
static uint64_t
vmci_qpair_mem_bytes(const struct vmci_qpair *qp)
{
	if (qp->mem == NULL)
		return 0;
	return rte_vmci_qp_mem_num_pages(qp->mem) * RTE_VMCI_QP_PAGE_SIZE;
}

/*
 * Keep the pages of a pair the other side may still write: its
 * QUEUEPAIR_DETACH failed, so the hypervisor may still map them for the
 * peer, as the reference guests assume. The pair is gone for its owner;
 * the pages are freed by vmci_qpair_free_all() after CONTROL = RESET.
 * Device lock held.
 */
static void
vmci_qpair_park(struct vmci_device *dev, struct vmci_qpair *qp)
{
	rte_vmci_qp_endpoint_free(qp->ep);
	qp->ep = NULL;
	qp->parked = true;
	qp->park_next = dev->qp_parked_list;
	dev->qp_parked_list = qp;
	dev->stats.qp_parked++;
	dev->stats.qp_parked_bytes += vmci_qpair_mem_bytes(qp);
	VMCI_QP_LOG(WARNING, "%s: pair %u:%u: keeping its %" PRIu64
		    " bytes of queue memory until the device is reset (the other side may still write them)",
		    dev->name, qp->handle.context, qp->handle.resource, vmci_qpair_mem_bytes(qp));
}

/*
 * QUEUEPAIR_ALLOC may have taken effect but the pair cannot be used:
 * detach it, and park its pages if that fails too. Returns @err.
 */
static int
vmci_qpair_unwind(struct vmci_device *dev, struct vmci_qpair *qp, int err)
{
	qp->hc_detached = true;
	if (vmci_hc_qp_detach(dev, qp->handle) < 0)
		vmci_qpair_park(dev, qp);
	return err;
}

/*
 * The endpoint of a host-context device over the guest's pages that the
 * device maps (the host gives none). Lock held.
 */
static int
vmci_qpair_map_endpoint(struct vmci_device *dev, struct vmci_qpair *qp)
{
	struct rte_vmci_qp_conf ep_conf = {
		.name = dev->name,
		.max_rx_msg_len = qp->max_rx_msg_len,
		.socket_id = qp->socket_id,
	};
	int ret;

	ret = dev->hw->ops->qp_map(dev->hw, qp->handle, &ep_conf.produce, &ep_conf.consume);
	if (ret < 0)
		return ret;
	qp->ep = rte_vmci_qp_endpoint_create(&ep_conf);
	if (qp->ep == NULL) {
		ret = -rte_errno;
		VMCI_QP_LOG(ERR, "%s: endpoint for %u:%u over the mapped pages: %s", dev->name,
			    qp->handle.context, qp->handle.resource, rte_strerror(-ret));
	}
	return ret;
}

/*
 * A host-context device gives no pages. Attaching, its endpoint is built
 * over the guest's pages at once. Creating (a host connecting out), the
 * pair has no memory until a guest attaches with its own pages, so the
 * endpoint is built when the peer is seen (vmci_qpair_peer_event(),
 * vmci_qpair_check_waiting()). Lock held.
 */
static int
vmci_qpair_setup_mapped(struct vmci_device *dev, struct vmci_qpair *qp,
			const struct vmci_qpair_conf *conf)
{
	int ret;

	qp->max_rx_msg_len = conf->max_rx_msg_len;
	qp->socket_id = conf->socket_id == SOCKET_ID_ANY ? dev->socket_id : conf->socket_id;
	qp->produce_size = conf->produce_size;
	qp->consume_size = conf->consume_size;
	if (qp->creator) {
		qp->handle.context = dev->cid;
		qp->handle.resource = vmci_rid_alloc(dev);
		if (qp->handle.resource == 0)
			return -ENOSPC;
	} else {
		qp->handle = conf->handle;
		if (vmci_qpair_find(dev, qp->handle) != NULL)
			return -EEXIST;
	}
	ret = vmci_hc_qp_alloc(dev, qp->handle, qp->peer, qp->flags, NULL,
			       conf->produce_size, conf->consume_size);
	if (ret == -EPROTO || ret == -ETIMEDOUT)
		return vmci_qpair_unwind(dev, qp, ret);
	if (ret < 0 || qp->creator)
		return ret < 0 ? ret : 0;
	ret = vmci_qpair_map_endpoint(dev, qp);
	if (ret < 0) {
		VMCI_QP_LOG(ERR, "%s: cannot map the pages of %u:%u: %s", dev->name,
			    qp->handle.context, qp->handle.resource, rte_strerror(-ret));
		return vmci_qpair_unwind(dev, qp, ret);
	}
	return 0;
}

/* Pick the handle, allocate memory, QUEUEPAIR_ALLOC, endpoint. Lock held. */
static int
vmci_qpair_setup(struct vmci_device *dev, struct vmci_qpair *qp,
		 const struct vmci_qpair_conf *conf)
{
	uint32_t cid;
	int ret;

	if (dev->hw->ops->qp_map != NULL)
		return vmci_qpair_setup_mapped(dev, qp, conf);
	if (qp->creator) {
		/*
		 * The handle must carry our current context ID. The cached one
		 * is only as good as the last CTX_ID_UPDATE, which is a
		 * datagram and can be lost (full pending queue) or damaged, so
		 * ask the device; the cache is the fallback.
		 */
		if (vmci_hc_get_context_id(dev, &cid) == 0 && cid != dev->cid) {
			VMCI_QP_LOG(INFO, "%s: context ID %u -> %u (no CTX_ID_UPDATE seen)",
				    dev->name, dev->cid, cid);
			__atomic_store_n(&dev->cid, cid, __ATOMIC_RELAXED);
		}
		qp->handle.context = dev->cid;
		qp->handle.resource = vmci_rid_alloc(dev);
		if (qp->handle.resource == 0)
			return -ENOSPC;
	} else {
		qp->handle = conf->handle;
		if (vmci_qpair_find(dev, qp->handle) != NULL)
			return -EEXIST;
	}
	qp->mem = vmci_qpair_mem(dev, conf);
	if (qp->mem == NULL)
		return -rte_errno;
	/*
	 * The hypervisor initialises the headers of a pair it creates; for an
	 * attach that is not documented, so give the endpoint a sane start.
	 */
	if (!qp->creator)
		rte_vmci_qp_mem_init_headers(qp->mem, qp->handle);
	ret = vmci_hc_qp_alloc(dev, qp->handle, qp->peer, qp->flags, qp->mem, 0, 0);
	/*
	 * An answer outside the allowed ones (or none, after a DMA timeout)
	 * does not say whether the hypervisor now holds the pair.
	 */
	if (ret == -EPROTO || ret == -ETIMEDOUT)
		return vmci_qpair_unwind(dev, qp, ret);
	if (ret < 0)
		return ret;
	qp->ep = rte_vmci_qp_mem_endpoint(qp->mem, RTE_VMCI_QP_SIDE_CREATOR,
					  conf->max_rx_msg_len);
	if (qp->ep == NULL) {
		ret = -rte_errno;
		VMCI_QP_LOG(ERR, "%s: endpoint for %u:%u: %s", dev->name,
			    qp->handle.context, qp->handle.resource, rte_strerror(rte_errno));
		return vmci_qpair_unwind(dev, qp, ret);
	}
	if (qp->creator)
		vmci_qpair_watch_peer(qp);
	return 0;
}

struct vmci_qpair *
vmci_qpair_alloc(struct vmci_device *dev, const struct vmci_qpair_conf *conf)
{
	struct vmci_qpair *qp;
	int ret;

	if (dev == NULL || conf == NULL) {
		rte_errno = EINVAL;
		return NULL;
	}
	ret = vmci_qpair_check_conf(dev, conf);
	if (ret < 0) {
		rte_errno = -ret;
		return NULL;
	}
	qp = calloc(1, sizeof(*qp));
	if (qp == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	qp->dev = dev;
	qp->peer = conf->peer;
	qp->flags = conf->flags;
	qp->creator = !(conf->flags & VMCI_QPFLAG_ATTACH_ONLY);
	/* An attacher's peer (the creator) is there already. */
	qp->peer_state = qp->creator ? VMCI_QP_PEER_WAITING : VMCI_QP_PEER_ATTACHED;
	qp->peer_cb = conf->peer_cb;
	qp->cb_arg = conf->cb_arg;
	vmci_dev_lock(dev);
	ret = vmci_qpair_setup(dev, qp, conf);
	if (ret == 0) {
		TAILQ_INSERT_TAIL(&dev->qpairs, qp, next);
		if (qp->creator)
			dev->qp_waiting++;
	}
	vmci_dev_unlock(dev);
	if (ret < 0) {
		/* A parked pair (always one detached) stays with the device until reset. */
		if (!qp->hc_detached) {
			/* QUEUEPAIR_ALLOC failed: the pages were never the pair's. */
			rte_vmci_qp_mem_free(qp->mem);
			free(qp);
		} else if (!qp->parked) {
			vmci_qpair_free(qp);
		}
		rte_errno = -ret;
		return NULL;
	}
	VMCI_QP_LOG(DEBUG, "%s: %s %u:%u peer %u sizes %" PRIu64 "/%" PRIu64, dev->name,
		    qp->creator ? "created" : "attached", qp->handle.context,
		    qp->handle.resource, qp->peer, conf->produce_size, conf->consume_size);
	return qp;
}

/* QUEUEPAIR_DETACH once per pair; 0 or the negative errno. */
static int
vmci_qpair_hc_detach(struct vmci_device *dev, struct vmci_qpair *qp)
{
	int ret;

	if (qp->hc_detached)
		return 0;
	qp->hc_detached = true;
	ret = vmci_hc_qp_detach(dev, qp->handle);
	return ret < 0 ? ret : 0;
}

int
vmci_qpair_detach(struct vmci_qpair *qp)
{
	struct vmci_device *dev;
	int ret;

	if (qp == NULL)
		return -EINVAL;
	dev = qp->dev;
	vmci_dev_lock(dev);
	ret = vmci_qpair_hc_detach(dev, qp);
	TAILQ_REMOVE(&dev->qpairs, qp, next);
	if (qp->creator && qp->peer_state == VMCI_QP_PEER_WAITING)
		dev->qp_waiting--;
	if (ret < 0)
		vmci_qpair_park(dev, qp);
	vmci_dev_unlock(dev);
	if (ret == 0)
		vmci_qpair_free(qp);
	return ret;
}

void
vmci_qpair_detach_all(struct vmci_device *dev)
{
	struct vmci_qpair *qp;

	TAILQ_FOREACH(qp, &dev->qpairs, next)
		if (vmci_qpair_hc_detach(dev, qp) < 0)
			VMCI_QP_LOG(WARNING, "%s: pair %u:%u: detach failed; its pages are freed after the reset",
				    dev->name, qp->handle.context, qp->handle.resource);
}

/* After CONTROL = RESET: nothing of ours is mapped by the device any more. */
void
vmci_qpair_free_all(struct vmci_device *dev)
{
	struct vmci_qpair *qp;

	while ((qp = TAILQ_FIRST(&dev->qpairs)) != NULL) {
		TAILQ_REMOVE(&dev->qpairs, qp, next);
		vmci_qpair_free(qp);
	}
	dev->qp_waiting = 0;
	while ((qp = dev->qp_parked_list) != NULL) {
		dev->qp_parked_list = qp->park_next;
		VMCI_QP_LOG(INFO, "%s: pair %u:%u: device reset, freeing its kept queue memory",
			    dev->name, qp->handle.context, qp->handle.resource);
		vmci_qpair_free(qp);
	}
	dev->stats.qp_parked = 0;
	dev->stats.qp_parked_bytes = 0;
}

void
vmci_qpair_peer_event(struct vmci_device *dev, uint32_t event,
		      const struct vmci_event_payload_qp *ev)
{
	struct vmci_qpair *qp = vmci_qpair_find(dev, ev->handle);
	enum vmci_qp_peer_state st;

	if (qp == NULL) {
		VMCI_QP_LOG(DEBUG, "%s: peer event %u for unknown pair %u:%u", dev->name,
			    event, ev->handle.context, ev->handle.resource);
		return;
	}
	st = event == VMCI_EVENT_QP_PEER_ATTACH ? VMCI_QP_PEER_ATTACHED : VMCI_QP_PEER_DETACHED;
	if (st == VMCI_QP_PEER_ATTACHED && qp->ep == NULL &&
	    qp->peer_state == VMCI_QP_PEER_WAITING && vmci_qpair_map_endpoint(dev, qp) < 0) {
		VMCI_QP_LOG(ERR, "%s: peer %u attached to %u:%u but its pages cannot be mapped;"
			    " the pair stays waiting", dev->name, ev->peer_id,
			    ev->handle.context, ev->handle.resource);
		return;
	}
	/*
	 * A late attach event for a pair already taken as attached from its
	 * headers (or a repeated event) changes nothing: the owner was told.
	 */
	if (qp->peer_state == st) {
		VMCI_QP_LOG(DEBUG, "%s: peer event %u for %u:%u: already in that state",
			    dev->name, event, ev->handle.context, ev->handle.resource);
		return;
	}
	vmci_qpair_set_state(dev, qp, st, ev->peer_id);
}

/*
 * QP_RESUMED: the VM was resumed (snapshot restore, migration) and the
 * hypervisor no longer vouches for any pair's peer. Like a detach of every
 * peer: the application stops trusting the pairs and may create new ones.
 * Data already in a consume queue stays readable.
 */
void
vmci_qpair_resumed(struct vmci_device *dev)
{
	struct vmci_qpair *qp;

	TAILQ_FOREACH(qp, &dev->qpairs, next) {
		if (qp->peer_state == VMCI_QP_PEER_DETACHED)
			continue;
		VMCI_QP_LOG(INFO, "%s: pair %u:%u: VM resumed, peer taken as detached",
			    dev->name, qp->handle.context, qp->handle.resource);
		vmci_qpair_set_state(dev, qp, VMCI_QP_PEER_DETACHED, VMCI_INVALID_ID);
	}
}

/*
 * True when the peer of a waiting creator pair has moved one of the two
 * indices it owns: its producer_tail (it wrote to us) or its
 * consumer_head (it read from us), both in our consume queue's header.
 * Each is read once and must lie inside its ring; a value outside it is
 * no evidence of anything (the data path reports it as -EIO).
 */
static bool
vmci_qpair_peer_seen(const struct vmci_qpair *qp)
{
	uint64_t tail, head;

	if (qp->peer_hdr == NULL)
		return false;
	tail = __atomic_load_n(&qp->peer_hdr->producer_tail, __ATOMIC_RELAXED);
	head = __atomic_load_n(&qp->peer_hdr->consumer_head, __ATOMIC_RELAXED);
	if (tail >= qp->consume_size || head >= qp->produce_size)
		return false;
	return tail != qp->peer_tail0 || head != qp->peer_head0;
}

/*
 * As vmci_qpair_peer_seen(), and for a pair a host-context device created:
 * it has pages once a guest attached with them, and being able to map
 * them (building the endpoint) is the proof.
 */
static bool
vmci_qpair_peer_found(struct vmci_device *dev, struct vmci_qpair *qp)
{
	if (qp->ep == NULL && dev->hw->ops->qp_map != NULL)
		return vmci_qpair_map_endpoint(dev, qp) == 0;
	return vmci_qpair_peer_seen(qp);
}

/* First waiting creator pair whose peer has been seen, or NULL. */
static struct vmci_qpair *
vmci_qpair_find_seen(struct vmci_device *dev)
{
	struct vmci_qpair *qp;
	uint32_t waiting = 0;

	TAILQ_FOREACH(qp, &dev->qpairs, next) {
		if (!qp->creator || qp->peer_state != VMCI_QP_PEER_WAITING)
			continue;
		if (vmci_qpair_peer_found(dev, qp))
			return qp;
		if (++waiting == dev->qp_waiting)
			break;
	}
	return NULL;
}

int
vmci_qpair_check_waiting(struct vmci_device *dev)
{
	struct vmci_qpair *qp;
	int n = 0;

	/* A new search after each callback: it may have changed the list. */
	while ((qp = vmci_qpair_find_seen(dev)) != NULL) {
		VMCI_QP_LOG(INFO, "%s: pair %u:%u: peer uses the queues but no QP_PEER_ATTACH came; taken as attached",
			    dev->name, qp->handle.context, qp->handle.resource);
		dev->stats.qp_attach_inferred++;
		vmci_qpair_set_state(dev, qp, VMCI_QP_PEER_ATTACHED, qp->peer);
		n++;
	}
	return n;
}

struct rte_vmci_qp *
vmci_qpair_endpoint(const struct vmci_qpair *qp)
{
	return qp->ep;
}

struct rte_vmci_handle
vmci_qpair_handle(const struct vmci_qpair *qp)
{
	return qp->handle;
}

enum vmci_qp_peer_state
vmci_qpair_peer_state(const struct vmci_qpair *qp)
{
	return qp->peer_state;
}

/*
 * For telemetry, which cannot poll: a waiting created pair whose peer
 * visibly uses it is attached, though the device was not polled since
 * (the attach event unread, the state change and callback still to come).
 */
bool
vmci_qpair_peer_seen_unpolled(const struct vmci_qpair *qp)
{
	return qp->peer_state == VMCI_QP_PEER_WAITING && qp->creator &&
	       vmci_qpair_peer_seen(qp);
}

int
vmci_qpair_foreach(struct vmci_device *dev, vmci_qpair_walk_t cb, void *arg)
{
	struct vmci_qpair *qp;
	int ret = 0;

	vmci_dev_lock(dev);
	TAILQ_FOREACH(qp, &dev->qpairs, next) {
		ret = cb(qp, arg);
		if (ret != 0)
			break;
	}
	vmci_dev_unlock(dev);
	return ret;
}
