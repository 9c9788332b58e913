/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

/*
 * Public rte_vmci_ objects: small owners of the device core's objects that
 * carry the application's callback and translate core callbacks into the
 * public types. Argument checks live here; the work is the core's.
 */

#include <errno.h>
#include <stdlib.h>

#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_spinlock.h>
#include <rte_tailq.h>

#include "rte_bus_vmci.h"
#include "vmci_bus_private.h"
#include "vmci_logs.h"

_Static_assert(RTE_VMCI_QPAIR_PEER_WAITING == (int)VMCI_QP_PEER_WAITING &&
	       RTE_VMCI_QPAIR_PEER_ATTACHED == (int)VMCI_QP_PEER_ATTACHED &&
	       RTE_VMCI_QPAIR_PEER_DETACHED == (int)VMCI_QP_PEER_DETACHED,
	       "public and core peer states agree");
_Static_assert(RTE_VMCI_QPAIR_F_ATTACH_ONLY == VMCI_QPFLAG_ATTACH_ONLY,
	       "public flag is the wire flag");
_Static_assert(RTE_VMCI_RESOURCES_QUERY_MAX == VMCI_RESOURCES_QUERY_MAX,
	       "public query limit is the wire limit");
_Static_assert(RTE_VMCI_MAX_DG_PAYLOAD == VMCI_MAX_DG_PAYLOAD_SIZE,
	       "public datagram limit is the wire limit");
_Static_assert(RTE_VMCI_EVENT_QP_PEER_DETACH == VMCI_EVENT_QP_PEER_DETACH,
	       "public event IDs are the wire IDs");

static inline struct vmci_device *
core_of(const struct rte_vmci_device *dev)
{
	return dev == NULL ? NULL : dev->core;
}

/* Hypercalls. */

int
rte_vmci_dev_resources_query(struct rte_vmci_device *dev, const uint32_t *rids,
			     uint32_t n, uint32_t *supported)
{
	if (core_of(dev) == NULL || rids == NULL || supported == NULL)
		return -EINVAL;
	return vmci_hc_resources_query(dev->core, rids, n, supported);
}

/* Queue pairs. */

struct rte_vmci_qpair {
	struct vmci_qpair *qp;
	rte_vmci_qpair_peer_cb_t cb;
	void *arg;
};

static void
qpair_peer_cb(struct vmci_qpair *qp, enum vmci_qp_peer_state state, uint32_t peer_cid,
	      void *arg)
{
	struct rte_vmci_qpair *qpair = arg;

	RTE_SET_USED(qp);
	qpair->cb(qpair, (enum rte_vmci_qpair_peer_state)state, peer_cid, qpair->arg);
}

struct rte_vmci_qpair *
rte_vmci_qpair_create(struct rte_vmci_device *dev, const struct rte_vmci_qpair_conf *conf)
{
	struct vmci_qpair_conf core_conf;
	struct rte_vmci_qpair *qpair;

	if (core_of(dev) == NULL || conf == NULL) {
		rte_errno = EINVAL;
		return NULL;
	}
	qpair = rte_zmalloc("vmci_qpair", sizeof(*qpair), 0);
	if (qpair == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	qpair->cb = conf->peer_cb;
	qpair->arg = conf->cb_arg;
	core_conf = (struct vmci_qpair_conf) {
		.produce_size = conf->produce_size,
		.consume_size = conf->consume_size,
		.peer = conf->peer,
		.flags = conf->flags,
		.handle = conf->handle,
		.socket_id = conf->socket_id,
		.max_rx_msg_len = conf->max_rx_msg_len,
		.peer_cb = conf->peer_cb == NULL ? NULL : qpair_peer_cb,
		.cb_arg = qpair,
	};
	qpair->qp = vmci_qpair_alloc(dev->core, &core_conf);
	if (qpair->qp == NULL) {
		int err = rte_errno;

		rte_free(qpair);
		rte_errno = err;
		return NULL;
	}
	return qpair;
}

int
rte_vmci_qpair_detach(struct rte_vmci_qpair *qpair)
{
	int ret;

	if (qpair == NULL)
		return -EINVAL;
	ret = vmci_qpair_detach(qpair->qp);
	rte_free(qpair);
	return ret;
}

struct rte_vmci_qp *
rte_vmci_qpair_endpoint(const struct rte_vmci_qpair *qpair)
{
	return qpair == NULL ? NULL : vmci_qpair_endpoint(qpair->qp);
}

struct rte_vmci_handle
rte_vmci_qpair_handle(const struct rte_vmci_qpair *qpair)
{
	struct rte_vmci_handle none = { RTE_VMCI_INVALID_ID, RTE_VMCI_INVALID_ID };

	return qpair == NULL ? none : vmci_qpair_handle(qpair->qp);
}

enum rte_vmci_qpair_peer_state
rte_vmci_qpair_peer_state(const struct rte_vmci_qpair *qpair)
{
	if (qpair == NULL)
		return RTE_VMCI_QPAIR_PEER_DETACHED;
	return (enum rte_vmci_qpair_peer_state)vmci_qpair_peer_state(qpair->qp);
}

/* Datagrams. */

struct rte_vmci_dgram {
	struct vmci_dgram_ep *ep;
	rte_vmci_dgram_cb_t cb;
	void *arg;
};

static void
dgram_cb(struct vmci_dgram_ep *ep, const struct vmci_dg_hdr *dg, const void *payload,
	 void *arg)
{
	struct rte_vmci_dgram *pub = arg;

	RTE_SET_USED(ep);
	/* The core checked payload_size against what it received (<= 69608). */
	pub->cb(pub, dg->src, payload, (uint32_t)dg->payload_size, pub->arg);
}

struct rte_vmci_dgram *
rte_vmci_dgram_create(struct rte_vmci_device *dev, uint32_t rid, rte_vmci_dgram_cb_t cb,
		      void *arg)
{
	struct rte_vmci_dgram *pub;

	if (core_of(dev) == NULL || cb == NULL) {
		rte_errno = EINVAL;
		return NULL;
	}
	pub = rte_zmalloc("vmci_dgram", sizeof(*pub), 0);
	if (pub == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	pub->cb = cb;
	pub->arg = arg;
	pub->ep = vmci_dgram_ep_create(dev->core, rid, dgram_cb, pub);
	if (pub->ep == NULL) {
		int err = rte_errno;

		rte_free(pub);
		rte_errno = err;
		return NULL;
	}
	return pub;
}

void
rte_vmci_dgram_destroy(struct rte_vmci_dgram *ep)
{
	if (ep == NULL)
		return;
	vmci_dgram_ep_destroy(ep->ep);
	rte_free(ep);
}

struct rte_vmci_handle
rte_vmci_dgram_handle(const struct rte_vmci_dgram *ep)
{
	struct rte_vmci_handle none = { RTE_VMCI_INVALID_ID, RTE_VMCI_INVALID_ID };

	return ep == NULL ? none : vmci_dgram_ep_handle(ep->ep);
}

int
rte_vmci_dgram_send(struct rte_vmci_dgram *ep, struct rte_vmci_handle dst,
		    const void *payload, size_t len)
{
	if (ep == NULL || (payload == NULL && len > 0))
		return -EINVAL;
	return vmci_dgram_send(ep->ep, dst, payload, len);
}

/* Doorbells. */

struct rte_vmci_doorbell {
	struct vmci_doorbell *db;
	rte_vmci_doorbell_cb_t cb;
	void *arg;
};

static void
doorbell_cb(struct vmci_doorbell *db, void *arg)
{
	struct rte_vmci_doorbell *pub = arg;

	RTE_SET_USED(db);
	pub->cb(pub, pub->arg);
}

struct rte_vmci_doorbell *
rte_vmci_doorbell_create(struct rte_vmci_device *dev, rte_vmci_doorbell_cb_t cb, void *arg)
{
	struct rte_vmci_doorbell *pub;

	if (core_of(dev) == NULL || cb == NULL) {
		rte_errno = EINVAL;
		return NULL;
	}
	pub = rte_zmalloc("vmci_doorbell", sizeof(*pub), 0);
	if (pub == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	pub->cb = cb;
	pub->arg = arg;
	pub->db = vmci_doorbell_create(dev->core, doorbell_cb, pub);
	if (pub->db == NULL) {
		int err = rte_errno;

		rte_free(pub);
		rte_errno = err;
		return NULL;
	}
	return pub;
}

void
rte_vmci_doorbell_destroy(struct rte_vmci_doorbell *db)
{
	if (db == NULL)
		return;
	vmci_doorbell_destroy(db->db);
	rte_free(db);
}

struct rte_vmci_handle
rte_vmci_doorbell_handle(const struct rte_vmci_doorbell *db)
{
	struct rte_vmci_handle none = { RTE_VMCI_INVALID_ID, RTE_VMCI_INVALID_ID };

	return db == NULL ? none : vmci_doorbell_handle(db->db);
}

int
rte_vmci_doorbell_notify(struct rte_vmci_device *dev, struct rte_vmci_handle handle)
{
	if (core_of(dev) == NULL)
		return -EINVAL;
	return vmci_doorbell_notify(dev->core, handle);
}

/* Events. */

struct vmci_api_event_sub {
	TAILQ_ENTRY(vmci_api_event_sub) next;
	struct rte_vmci_device *dev;
	int id; /* the core's subscription ID */
	rte_vmci_event_cb_t cb;
	void *arg;
};

static TAILQ_HEAD(, vmci_api_event_sub) vmci_event_subs = TAILQ_HEAD_INITIALIZER(vmci_event_subs);
/* Guards the list; callbacks only read their own entry. */
static rte_spinlock_t vmci_event_subs_lock = RTE_SPINLOCK_INITIALIZER;

static void
event_cb(struct vmci_device *core, uint32_t event, const void *payload, uint32_t len,
	 void *arg)
{
	struct vmci_api_event_sub *sub = arg;

	RTE_SET_USED(core);
	sub->cb(sub->dev, event, payload, len, sub->arg);
}

int
rte_vmci_event_subscribe(struct rte_vmci_device *dev, uint32_t event,
			 rte_vmci_event_cb_t cb, void *arg)
{
	struct vmci_api_event_sub *sub;

	if (core_of(dev) == NULL || cb == NULL)
		return -EINVAL;
	sub = calloc(1, sizeof(*sub));
	if (sub == NULL)
		return -ENOMEM;
	sub->dev = dev;
	sub->cb = cb;
	sub->arg = arg;
	sub->id = vmci_event_subscribe(dev->core, event, event_cb, sub);
	if (sub->id < 0) {
		int ret = sub->id;

		free(sub);
		return ret;
	}
	rte_spinlock_lock(&vmci_event_subs_lock);
	TAILQ_INSERT_TAIL(&vmci_event_subs, sub, next);
	rte_spinlock_unlock(&vmci_event_subs_lock);
	return sub->id;
}

int
rte_vmci_event_unsubscribe(struct rte_vmci_device *dev, int sub_id)
{
	struct vmci_api_event_sub *sub;
	int ret;

	if (core_of(dev) == NULL)
		return -EINVAL;
	rte_spinlock_lock(&vmci_event_subs_lock);
	TAILQ_FOREACH(sub, &vmci_event_subs, next)
		if (sub->dev == dev && sub->id == sub_id)
			break;
	if (sub != NULL)
		TAILQ_REMOVE(&vmci_event_subs, sub, next);
	rte_spinlock_unlock(&vmci_event_subs_lock);
	if (sub == NULL)
		return -ENOENT;
	/* The core stops calling back before we free the entry. */
	ret = vmci_event_unsubscribe(dev->core, sub_id);
	free(sub);
	return ret;
}

/* Drop the subscriptions of a device that goes away. */
void
vmci_api_dev_removed(struct rte_vmci_device *dev)
{
	struct vmci_api_event_sub *sub, *tmp;

	rte_spinlock_lock(&vmci_event_subs_lock);
	RTE_TAILQ_FOREACH_SAFE(sub, &vmci_event_subs, next, tmp) {
		if (sub->dev != dev)
			continue;
		TAILQ_REMOVE(&vmci_event_subs, sub, next);
		free(sub);
	}
	rte_spinlock_unlock(&vmci_event_subs_lock);
}
