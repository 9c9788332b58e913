/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

/*
 * Events (vmci-device.md section 7): datagrams from 0:0 to (our CID):0.
 * Subscriptions are local, as in every guest driver; the hypervisor
 * delivers events unsolicited.
 *
 * MEM_ACCESS_ON/OFF (5, 6) are VMX/vmkernel-only and GUEST_PAUSED/UNPAUSED
 * (7, 8) vmkernel-only: a guest device never legitimately receives them,
 * so like the Linux guest we reject them (counted, logged) instead of
 * passing them on. A subscriber cannot act on them anyway (no queue-pair
 * memory is revoked from a guest), and treating device misbehaviour as
 * information would hide it. Subscribing to them is refused too.
 */

#include <errno.h>
#include <inttypes.h>

#include "vmci_core_priv.h"

static const char *const vmci_event_names[VMCI_EVENT_MAX] = {
	[VMCI_EVENT_CTX_ID_UPDATE] = "CTX_ID_UPDATE",
	[VMCI_EVENT_CTX_REMOVED] = "CTX_REMOVED",
	[VMCI_EVENT_QP_RESUMED] = "QP_RESUMED",
	[VMCI_EVENT_QP_PEER_ATTACH] = "QP_PEER_ATTACH",
	[VMCI_EVENT_QP_PEER_DETACH] = "QP_PEER_DETACH",
	[VMCI_EVENT_MEM_ACCESS_ON] = "MEM_ACCESS_ON",
	[VMCI_EVENT_MEM_ACCESS_OFF] = "MEM_ACCESS_OFF",
	[VMCI_EVENT_GUEST_PAUSED] = "GUEST_PAUSED",
	[VMCI_EVENT_GUEST_UNPAUSED] = "GUEST_UNPAUSED",
};

/*
 * Payload bytes (after the 8-byte event data) an accepted event needs;
 * 0 marks an event a guest rejects.
 */
static uint32_t
vmci_event_min_payload(uint32_t event)
{
	switch (event) {
	case VMCI_EVENT_CTX_ID_UPDATE:
	case VMCI_EVENT_CTX_REMOVED:
		return sizeof(struct vmci_event_payload_context);
	case VMCI_EVENT_QP_PEER_ATTACH:
	case VMCI_EVENT_QP_PEER_DETACH:
		return sizeof(struct vmci_event_payload_qp);
	case VMCI_EVENT_QP_RESUMED:
		return 1; /* payload not defined by the sources: accept any */
	default:
		return 0;
	}
}

static bool
vmci_event_reject(struct vmci_device *dev, const char *why, uint64_t val, const char *expected,
		  uint32_t ev)
{
	dev->stats.events_invalid++;
	if (vmci_ratelimit_ok(&dev->ev_rl))
		VMCI_EV_LOG(WARNING, "%s: event %u (%s) rejected: %s %" PRIu64 ", expected %s",
			    dev->name, ev, ev < VMCI_EVENT_MAX ? vmci_event_names[ev] : "unknown",
			    why, val, expected);
	return false;
}

static void
vmci_event_notify(struct vmci_device *dev, uint32_t event, const void *payload, uint32_t len)
{
	unsigned int i;

	/* By index: a callback may (un)subscribe others without breaking the walk. */
	for (i = 0; i < VMCI_EVENT_MAX_SUBS; i++) {
		struct vmci_event_sub *s = &dev->subs[i];

		if (s->used && s->event == event)
			s->cb(dev, event, payload, len, s->arg);
	}
}

/*
 * CTX_ID_UPDATE: cache the new context ID. vmci_event_dispatch() has
 * already rejected the invalid ID (0xFFFFFFFF), as the reference guests
 * ignore it: cached, it would make every datagram to our real context look
 * foreign and link new doorbells and pairs under a handle nobody reaches.
 * Such an event is not passed to subscribers either: our ID did not change.
 */
static void
vmci_event_cid_update(struct vmci_device *dev, const struct vmci_event_payload_context *c)
{
	uint32_t cid = c->context_id;

	VMCI_EV_LOG(INFO, "%s: context ID %u -> %u", dev->name,
		    vmci_device_context_id(dev), cid);
	__atomic_store_n(&dev->cid, cid, __ATOMIC_RELAXED);
}

bool
vmci_event_dispatch(struct vmci_device *dev, const struct vmci_dg_hdr *dg)
{
	const struct vmci_event_msg *msg = (const struct vmci_event_msg *)dg;
	uint64_t psize = dg->payload_size;
	const void *payload = msg + 1;
	uint32_t plen, need, ev;

	/* The receive path guaranteed psize bytes follow the header. */
	if (psize < VMCI_EVENT_MIN_PAYLOAD || psize > VMCI_EVENT_MAX_PAYLOAD)
		return vmci_event_reject(dev, "payload_size", psize, "4..24",
					 psize >= 4 ? msg->event_data.event : UINT32_MAX);
	ev = msg->event_data.event;
	need = vmci_event_min_payload(ev);
	if (need == 0)
		return vmci_event_reject(dev, "not for guests, id", ev, "0..4", ev);
	plen = psize > sizeof(msg->event_data) ? (uint32_t)psize - sizeof(msg->event_data) : 0;
	if (plen < need && ev != VMCI_EVENT_QP_RESUMED)
		return vmci_event_reject(dev, "payload bytes", plen,
					 ev == VMCI_EVENT_QP_PEER_ATTACH ||
					 ev == VMCI_EVENT_QP_PEER_DETACH ? "16" : "8", ev);
	if (ev == VMCI_EVENT_CTX_ID_UPDATE &&
	    ((const struct vmci_event_payload_context *)payload)->context_id == VMCI_INVALID_ID)
		return vmci_event_reject(dev, "context_id", VMCI_INVALID_ID,
					 "a context ID other than the invalid one (the cached ID is kept)",
					 ev);
	dev->stats.events++;
	if (ev == VMCI_EVENT_CTX_ID_UPDATE) {
		vmci_event_cid_update(dev, payload);
	} else if (ev == VMCI_EVENT_QP_PEER_ATTACH || ev == VMCI_EVENT_QP_PEER_DETACH) {
		vmci_qpair_peer_event(dev, ev, payload);
	} else if (ev == VMCI_EVENT_QP_RESUMED) {
		vmci_qpair_resumed(dev);
	}
	vmci_event_notify(dev, ev, plen > 0 ? payload : NULL, plen);
	return true;
}

int
vmci_event_subscribe(struct vmci_device *dev, uint32_t event, vmci_event_cb_t cb, void *arg)
{
	unsigned int i;
	int ret = -ENOSPC;

	if (dev == NULL || cb == NULL)
		return -EINVAL;
	if (event >= VMCI_EVENT_MAX || vmci_event_min_payload(event) == 0) {
		VMCI_EV_LOG(ERR, "%s: cannot subscribe to event %u: expected one of 0-4",
			    dev->name, event);
		return -EINVAL;
	}
	vmci_dev_lock(dev);
	for (i = 0; i < VMCI_EVENT_MAX_SUBS; i++) {
		struct vmci_event_sub *s = &dev->subs[i];

		if (s->used)
			continue;
		s->event = event;
		s->cb = cb;
		s->arg = arg;
		s->used = true;
		ret = (int)i;
		break;
	}
	vmci_dev_unlock(dev);
	if (ret < 0)
		VMCI_EV_LOG(ERR, "%s: all %u subscriptions in use", dev->name,
			    VMCI_EVENT_MAX_SUBS);
	return ret;
}

int
vmci_event_unsubscribe(struct vmci_device *dev, int sub_id)
{
	int ret = 0;

	if (dev == NULL || sub_id < 0 || sub_id >= VMCI_EVENT_MAX_SUBS)
		return -EINVAL;
	vmci_dev_lock(dev);
	if (!dev->subs[sub_id].used)
		ret = -ENOENT;
	dev->subs[sub_id].used = false;
	vmci_dev_unlock(dev);
	return ret;
}
