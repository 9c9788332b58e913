/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

/*
 * The emulated hypervisor's side of a datagram: hypercalls (context ID,
 * resource query, notification bitmap, doorbells) and the queue-pair
 * broker, plus the host's queue-pair and doorbell API. Called with the
 * instance lock held; datagrams arrive as a private copy of guest memory
 * whose total length equals 24 + payload_size.
 */

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include <rte_common.h>
#include <rte_errno.h>
#include <rte_memory.h>

#include <rte_vmci_qp_mem.h>

#include "vmci_emu_private.h"

#define EMU_QP_PAYLOAD_FIXED (sizeof(struct vmci_qp_alloc_msg) - VMCI_DG_HDR_SIZE)

static const uint32_t emu_supported_rids[] = {
	VMCI_RESOURCES_QUERY, VMCI_GET_CONTEXT_ID, VMCI_SET_NOTIFY_BITMAP,
	VMCI_DOORBELL_LINK, VMCI_DOORBELL_UNLINK, VMCI_DOORBELL_NOTIFY,
	VMCI_QUEUEPAIR_ALLOC, VMCI_QUEUEPAIR_DETACH,
};

static bool
emu_rid_supported(uint32_t rid)
{
	size_t i;

	for (i = 0; i < RTE_DIM(emu_supported_rids); i++)
		if (emu_supported_rids[i] == rid)
			return true;
	return false;
}

static bool
emu_payload_ok(const struct emu_dev *dev, const struct vmci_dg_hdr *dg, uint64_t min)
{
	if (dg->payload_size >= min)
		return true;
	EMU_LOG(INFO, "cid %u: hypercall %u with payload_size %" PRIu64 ": expected >= %" PRIu64,
		dev->cid, dg->dst.resource, dg->payload_size, min);
	return false;
}

uint32_t
emu_end_cid(struct emu_hv *hv, int end)
{
	if (end == EMU_END_HOST)
		return VMCI_HOST_CID;
	return end >= 0 ? hv->dev[end].cid : VMCI_INVALID_ID;
}

static int
emu_resources_query(struct emu_dev *dev, const struct vmci_dg_hdr *dg)
{
	const struct vmci_resources_query_msg *m = (const void *)dg;
	const uint32_t *rid = (const uint32_t *)(m + 1);
	uint32_t i, mask = 0;

	if (!emu_payload_ok(dev, dg, 8))
		return VMCI_ERROR_INVALID_ARGS;
	if (m->num_resources > VMCI_RESOURCES_QUERY_MAX ||
	    dg->payload_size < 8 + 4 * (uint64_t)m->num_resources) {
		EMU_LOG(INFO, "cid %u: RESOURCES_QUERY of %u rids in %" PRIu64
			" bytes: expected <= %u rids and 8 + 4 bytes each", dev->cid,
			m->num_resources, dg->payload_size, VMCI_RESOURCES_QUERY_MAX);
		return VMCI_ERROR_INVALID_ARGS;
	}
	for (i = 0; i < m->num_resources; i++)
		if (emu_rid_supported(rid[i]))
			mask |= 1u << i;
	return (int)mask;
}

/* Page number from a PPN list entry of the width in use. */
static uint64_t
emu_ppn_at(const struct emu_dev *dev, const void *list, uint64_t i)
{
	uint64_t v64;
	uint32_t v32;

	if (dev->caps_in_use & VMCI_CAPS_PPN64) {
		memcpy(&v64, (const uint8_t *)list + 8 * i, sizeof(v64));
		return v64;
	}
	memcpy(&v32, (const uint8_t *)list + 4 * i, sizeof(v32));
	return v32;
}

static void *
emu_ppn_map(uint64_t ppn)
{
	if (ppn > (UINT64_MAX >> RTE_VMCI_QP_PAGE_SHIFT))
		return NULL;
	return emu_iova_map(ppn << RTE_VMCI_QP_PAGE_SHIFT, EMU_PAGE);
}

static int
emu_set_notify_bitmap(struct emu_dev *dev, const struct vmci_dg_hdr *dg)
{
	uint64_t ppn;
	void *va;

	if (!emu_payload_ok(dev, dg, 8))
		return VMCI_ERROR_INVALID_ARGS;
	if (!(dev->caps_in_use & VMCI_CAPS_NOTIFICATIONS)) {
		EMU_LOG(INFO, "cid %u: SET_NOTIFY_BITMAP without NOTIFICATIONS in use", dev->cid);
		return VMCI_ERROR_UNAVAILABLE;
	}
	ppn = emu_ppn_at(dev, dg + 1, 0);
	va = emu_ppn_map(ppn);
	if (va == NULL) {
		EMU_LOG(INFO, "cid %u: bitmap PPN 0x%" PRIx64 " is not guest memory",
			dev->cid, ppn);
		return VMCI_ERROR_INVALID_ARGS;
	}
	dev->bitmap_va = (uintptr_t)va;
	return VMCI_SUCCESS;
}

static struct emu_doorbell *
emu_doorbell_find(struct emu_hv *hv, struct rte_vmci_handle handle, int *slot)
{
	struct emu_doorbell *db;
	int i, j;

	for (i = 0; i < VMCI_EMU_MAX_DEVS; i++) {
		if (!hv->dev[i].used)
			continue;
		for (j = 0; j < (int)VMCI_MAX_DOORBELLS; j++) {
			db = &hv->dev[i].db[j];
			if (db->used && db->handle.context == handle.context &&
			    db->handle.resource == handle.resource) {
				*slot = i;
				return db;
			}
		}
	}
	return NULL;
}

static int
emu_doorbell_link(struct emu_hv *hv, struct emu_dev *dev, const struct vmci_dg_hdr *dg)
{
	const struct vmci_doorbell_link_msg *m = (const void *)dg;
	int other, i;

	if (!emu_payload_ok(dev, dg, 16))
		return VMCI_ERROR_INVALID_ARGS;
	if (m->handle.context != dev->cid) {
		EMU_LOG(INFO, "doorbell handle context %u: expected the caller's %u",
			m->handle.context, dev->cid);
		return VMCI_ERROR_NO_ACCESS;
	}
	if (m->handle.resource == VMCI_INVALID_ID || m->notify_idx >= VMCI_MAX_DOORBELLS) {
		EMU_LOG(INFO, "doorbell %u:%u index %" PRIu64 ": expected a valid rid and index < %u",
			m->handle.context, m->handle.resource, m->notify_idx,
			VMCI_MAX_DOORBELLS);
		return VMCI_ERROR_INVALID_ARGS;
	}
	if (emu_doorbell_find(hv, m->handle, &other) != NULL)
		return VMCI_ERROR_DUPLICATE_ENTRY;
	for (i = 0; i < (int)VMCI_MAX_DOORBELLS; i++) {
		if (!dev->db[i].used) {
			dev->db[i].used = true;
			dev->db[i].handle = m->handle;
			dev->db[i].idx = m->notify_idx;
			return VMCI_SUCCESS;
		}
	}
	return VMCI_ERROR_NO_RESOURCES;
}

static int
emu_doorbell_unlink(struct emu_hv *hv, int slot, const struct vmci_dg_hdr *dg)
{
	const struct vmci_handle_msg *m = (const void *)dg;
	struct emu_doorbell *db;
	int owner;

	if (!emu_payload_ok(emu_end_dev(hv, slot), dg, 8))
		return VMCI_ERROR_INVALID_ARGS;
	db = emu_doorbell_find(hv, m->handle, &owner);
	if (db == NULL || owner != slot)
		return VMCI_ERROR_NOT_FOUND;
	db->used = false;
	return VMCI_SUCCESS;
}

/* Set bit 0 of the linked bitmap byte and raise NOTIFICATION. */
int
emu_doorbell_ring(struct emu_hv *hv, struct rte_vmci_handle handle)
{
	struct emu_doorbell *db;
	struct emu_dev *dev;
	uint8_t *bitmap;
	int slot;

	db = emu_doorbell_find(hv, handle, &slot);
	if (db == NULL)
		return VMCI_ERROR_NOT_FOUND;
	dev = &hv->dev[slot];
	if (dev->bitmap_va != 0) {
		bitmap = (uint8_t *)(uintptr_t)dev->bitmap_va;
		__atomic_fetch_or(&bitmap[db->idx], 1, __ATOMIC_RELEASE);
	}
	emu_icr_raise(dev, VMCI_ICR_NOTIFICATION);
	return VMCI_SUCCESS;
}

struct emu_qp *
emu_qp_find(struct emu_hv *hv, struct rte_vmci_handle handle)
{
	int i;

	for (i = 0; i < VMCI_EMU_MAX_QPS; i++)
		if (hv->qp[i].used && hv->qp[i].handle.context == handle.context &&
		    hv->qp[i].handle.resource == handle.resource)
			return &hv->qp[i];
	return NULL;
}

static struct emu_qp *
emu_qp_free_entry(struct emu_hv *hv)
{
	int i;

	for (i = 0; i < VMCI_EMU_MAX_QPS; i++)
		if (!hv->qp[i].used)
			return &hv->qp[i];
	return NULL;
}

static int
emu_qp_event(struct emu_hv *hv, int to, uint32_t event, struct rte_vmci_handle handle,
	     uint32_t peer_id)
{
	struct vmci_event_payload_qp p = { .handle = handle, .peer_id = peer_id };

	return emu_send_event(hv, emu_end_cid(hv, to), event, &p, sizeof(p));
}

/*
 * The broker maps the guest pages of @qp from now on (a guest gave them
 * with QUEUEPAIR_ALLOC): pin them, as a hypervisor pins the guest pages
 * it maps, so that they outlive the guest's own free while the broker or
 * a host end still maps them.
 */
static void
emu_qp_pin(struct emu_qp *qp)
{
	int i;

	for (i = 0; i < 2; i++) {
		qp->pin[i] = rte_vmci_qp_mem_hold((void *)(uintptr_t)qp->gq[i].hdr_va);
		if (qp->pin[i] == NULL)
			EMU_LOG(INFO, "queue pair %u:%u: guest queue %d is not queue-pair memory;"
				" not pinned", qp->handle.context, qp->handle.resource, i);
	}
	if (qp->pin[1] == qp->pin[0]) {
		rte_vmci_qp_mem_free(qp->pin[1]);
		qp->pin[1] = NULL;
	}
}

/* Nobody maps them any more: the guest's pages may go. */
static void
emu_qp_unpin(struct emu_qp *qp)
{
	rte_vmci_qp_mem_free(qp->pin[0]);
	rte_vmci_qp_mem_free(qp->pin[1]);
	qp->pin[0] = NULL;
	qp->pin[1] = NULL;
}

/* Remove one end; the other end, if any, learns with QP_PEER_DETACH. */
int
emu_qp_end_detach(struct emu_hv *hv, struct emu_qp *qp, int end)
{
	int other = qp->creator == end ? qp->attacher : qp->creator;

	if (qp->creator == end)
		qp->creator = EMU_END_NONE;
	else
		qp->attacher = EMU_END_NONE;
	if (end >= 0)
		hv->dev[end].qp_mem -= qp->produce_size + qp->consume_size;
	if (qp->page_owner == end)
		qp->page_owner = EMU_END_NONE;
	/* A host end maps the page owner's pages until it leaves too. */
	if (qp->page_owner == EMU_END_NONE && qp->creator != EMU_END_HOST &&
	    qp->attacher != EMU_END_HOST)
		emu_qp_unpin(qp);
	if (other != EMU_END_NONE) {
		emu_qp_event(hv, other, VMCI_EVENT_QP_PEER_DETACH, qp->handle,
			     emu_end_cid(hv, end));
		return VMCI_SUCCESS;
	}
	emu_qp_unpin(qp);
	memset(qp, 0, sizeof(*qp));
	return VMCI_SUCCESS_LAST_DETACH;
}

/* Map one queue's pages (header, then @ndata data pages) from the PPN list. */
static int
emu_qp_map_queue(const struct emu_dev *dev, const void *list, uint64_t first,
		 uint64_t ndata, uint64_t size, struct emu_qp_queue *q)
{
	uint64_t i;
	void *va;

	va = emu_ppn_map(emu_ppn_at(dev, list, first));
	if (va == NULL)
		return -1;
	q->hdr_va = (uintptr_t)va;
	q->data_va = 0;
	q->size = size;
	q->contig = true;
	for (i = 0; i < ndata; i++) {
		va = emu_ppn_map(emu_ppn_at(dev, list, first + 1 + i));
		if (va == NULL)
			return -1;
		if (i == 0)
			q->data_va = (uintptr_t)va;
		else if ((uintptr_t)va != q->data_va + i * EMU_PAGE)
			q->contig = false;
	}
	return 0;
}

static uint64_t
emu_pages(uint64_t size)
{
	return (size + EMU_PAGE - 1) / EMU_PAGE;
}

/* Map both queues from the guest's message; [0] its produce queue. */
static int
emu_qp_map_guest(const struct emu_dev *dev, const struct vmci_qp_alloc_msg *m,
		 struct emu_qp_queue gq[2])
{
	const void *list = m + 1;
	uint64_t np = emu_pages(m->produce_size);

	if (emu_qp_map_queue(dev, list, 0, np, m->produce_size, &gq[0]) < 0 ||
	    emu_qp_map_queue(dev, list, np + 1, emu_pages(m->consume_size),
			     m->consume_size, &gq[1]) < 0) {
		EMU_LOG(INFO, "cid %u: queue pair %u:%u names a page that is not guest memory",
			dev->cid, m->handle.context, m->handle.resource);
		return VMCI_ERROR_INVALID_ARGS;
	}
	return VMCI_SUCCESS;
}

/* What the hypervisor does on create: handle in, indices zero. */
static void
emu_qp_init_headers(const struct emu_qp_queue gq[2], struct rte_vmci_handle handle)
{
	struct rte_vmci_queue_header h = { .handle = handle };
	int i;

	for (i = 0; i < 2; i++)
		memcpy((void *)(uintptr_t)gq[i].hdr_va, &h, sizeof(h));
}

/* Checks on the fixed part of QUEUEPAIR_ALLOC that need no broker state. */
static int
emu_qp_alloc_check(const struct emu_dev *dev, const struct vmci_dg_hdr *dg)
{
	const struct vmci_qp_alloc_msg *m = (const void *)dg;
	uint64_t ppn_size = (dev->caps_in_use & VMCI_CAPS_PPN64) ? 8 : 4;
	uint64_t p, c;

	if (!emu_payload_ok(dev, dg, EMU_QP_PAYLOAD_FIXED))
		return VMCI_ERROR_INVALID_ARGS;
	if (m->flags & ~(uint32_t)VMCI_QPFLAG_ATTACH_ONLY) {
		EMU_LOG(INFO, "cid %u: queue-pair flags 0x%x: only ATTACH_ONLY (0x%x) may be set in a hypercall",
			dev->cid, m->flags, VMCI_QPFLAG_ATTACH_ONLY);
		return VMCI_ERROR_INVALID_ARGS;
	}
	p = m->produce_size;
	c = m->consume_size;
	if (p + c < p || p + c > VMCI_MAX_GUEST_QP_MEMORY) {
		EMU_LOG(INFO, "cid %u: queue sizes %" PRIu64 " + %" PRIu64 ": expected <= %u in all",
			dev->cid, p, c, VMCI_MAX_GUEST_QP_MEMORY);
		return VMCI_ERROR_NO_RESOURCES;
	}
	if (m->num_ppns != emu_pages(p) + emu_pages(c) + 2 ||
	    m->num_ppns < VMCI_QP_MIN_PPNS ||
	    dg->payload_size != EMU_QP_PAYLOAD_FIXED + m->num_ppns * ppn_size) {
		EMU_LOG(INFO, "cid %u: num_ppns %" PRIu64 " in %" PRIu64 " payload bytes: expected %"
			PRIu64 " entries of %" PRIu64 " bytes", dev->cid, m->num_ppns,
			dg->payload_size, emu_pages(p) + emu_pages(c) + 2, ppn_size);
		return VMCI_ERROR_INVALID_ARGS;
	}
	if (dev->qp_mem + p + c > VMCI_MAX_GUEST_QP_MEMORY) {
		EMU_LOG(INFO, "cid %u: %" PRIu64 " bytes of queue pairs plus %" PRIu64
			" exceed %u", dev->cid, dev->qp_mem, p + c, VMCI_MAX_GUEST_QP_MEMORY);
		return VMCI_ERROR_NO_RESOURCES;
	}
	return VMCI_SUCCESS;
}

static bool
emu_peer_refused(const struct emu_hv *hv, uint32_t peer)
{
	if (peer == VMCI_INVALID_ID || peer == VMCI_HOST_CID)
		return false;
	return !hv->vm_to_vm || peer < VMCI_RESERVED_CID_LIMIT;
}

static int
emu_qp_create(struct emu_hv *hv, int slot, const struct vmci_qp_alloc_msg *m)
{
	struct emu_dev *dev = &hv->dev[slot];
	struct emu_qp_queue gq[2];
	struct emu_qp *qp;
	int ret;

	if (m->flags & VMCI_QPFLAG_ATTACH_ONLY)
		return VMCI_ERROR_NOT_FOUND;
	if (m->handle.context != dev->cid || m->handle.resource == VMCI_INVALID_ID) {
		EMU_LOG(INFO, "cid %u: new queue pair handle %u:%u: expected %u:<valid rid>",
			dev->cid, m->handle.context, m->handle.resource, dev->cid);
		return VMCI_ERROR_NO_ACCESS;
	}
	if (m->peer == dev->cid)
		return VMCI_ERROR_INVALID_ARGS;
	if (emu_peer_refused(hv, m->peer))
		return VMCI_ERROR_DST_UNREACHABLE;
	qp = emu_qp_free_entry(hv);
	if (qp == NULL)
		return VMCI_ERROR_NO_RESOURCES;
	ret = emu_qp_map_guest(dev, m, gq);
	if (ret < 0)
		return ret;
	emu_qp_init_headers(gq, m->handle);
	memset(qp, 0, sizeof(*qp));
	qp->used = true;
	qp->handle = m->handle;
	qp->flags = m->flags;
	qp->peer = m->peer;
	qp->produce_size = m->produce_size;
	qp->consume_size = m->consume_size;
	qp->creator = slot;
	qp->attacher = EMU_END_NONE;
	qp->page_owner = slot;
	memcpy(qp->gq, gq, sizeof(gq));
	emu_qp_pin(qp);
	dev->qp_mem += m->produce_size + m->consume_size;
	return VMCI_SUCCESS_QUEUEPAIR_CREATE;
}

static int
emu_qp_attach_check(struct emu_hv *hv, int slot, const struct emu_qp *qp,
		    const struct vmci_qp_alloc_msg *m)
{
	uint32_t cid = hv->dev[slot].cid;

	if (qp->creator == slot)
		return VMCI_ERROR_ALREADY_EXISTS;
	if (qp->creator == EMU_END_NONE || qp->attacher != EMU_END_NONE || qp->was_attached)
		return VMCI_ERROR_UNAVAILABLE;
	if ((qp->peer != VMCI_INVALID_ID && qp->peer != cid) ||
	    (m->peer != VMCI_INVALID_ID && m->peer != emu_end_cid(hv, qp->creator)))
		return VMCI_ERROR_NO_ACCESS;
	if (qp->creator != EMU_END_HOST && !hv->vm_to_vm)
		return VMCI_ERROR_DST_UNREACHABLE;
	if ((m->flags & ~VMCI_QPFLAG_ATTACH_ONLY) != (qp->flags & ~VMCI_QPFLAG_ATTACH_ONLY) ||
	    m->produce_size != qp->consume_size || m->consume_size != qp->produce_size) {
		EMU_LOG(INFO, "cid %u: attach sizes %" PRIu64 "/%" PRIu64 ": expected %"
			PRIu64 "/%" PRIu64 " (creator's, swapped)", cid, m->produce_size,
			m->consume_size, qp->consume_size, qp->produce_size);
		return VMCI_ERROR_QUEUEPAIR_MISMATCH;
	}
	return VMCI_SUCCESS;
}

static int
emu_qp_attach(struct emu_hv *hv, int slot, struct emu_qp *qp,
	      const struct vmci_qp_alloc_msg *m)
{
	struct emu_dev *dev = &hv->dev[slot];
	struct emu_qp_queue gq[2];
	int ret;

	ret = emu_qp_attach_check(hv, slot, qp, m);
	if (ret < 0)
		return ret;
	ret = emu_qp_map_guest(dev, m, gq);
	if (ret < 0)
		return ret;
	/*
	 * Only a host-created pair is backed by the attaching guest's pages
	 * here; initialise them as a create would. Between two guests the
	 * emulator cannot share pages, so the attacher's stay untouched.
	 */
	if (qp->creator == EMU_END_HOST) {
		emu_qp_init_headers(gq, qp->handle);
		memcpy(qp->gq, gq, sizeof(gq));
		qp->page_owner = slot;
		emu_qp_pin(qp);
	}
	qp->attacher = slot;
	qp->was_attached = true;
	dev->qp_mem += qp->produce_size + qp->consume_size;
	emu_qp_event(hv, qp->creator, VMCI_EVENT_QP_PEER_ATTACH, qp->handle, dev->cid);
	return VMCI_SUCCESS_QUEUEPAIR_ATTACH;
}

static int
emu_qp_alloc(struct emu_hv *hv, int slot, const struct vmci_dg_hdr *dg)
{
	const struct vmci_qp_alloc_msg *m = (const void *)dg;
	struct emu_qp *qp;
	int ret;

	ret = emu_qp_alloc_check(&hv->dev[slot], dg);
	if (ret < 0)
		return ret;
	qp = emu_qp_find(hv, m->handle);
	if (qp == NULL)
		return emu_qp_create(hv, slot, m);
	return emu_qp_attach(hv, slot, qp, m);
}

static int
emu_qp_detach(struct emu_hv *hv, int slot, const struct vmci_dg_hdr *dg)
{
	const struct vmci_handle_msg *m = (const void *)dg;
	struct emu_qp *qp;

	if (!emu_payload_ok(emu_end_dev(hv, slot), dg, 8))
		return VMCI_ERROR_INVALID_ARGS;
	qp = emu_qp_find(hv, m->handle);
	if (qp == NULL || (qp->creator != slot && qp->attacher != slot)) {
		EMU_LOG(INFO, "cid %u: detach from queue pair %u:%u it is not attached to",
			emu_end_cid(hv, slot), m->handle.context, m->handle.resource);
		return VMCI_ERROR_NOT_FOUND;
	}
	return emu_qp_end_detach(hv, qp, slot);
}

/* Checks of a host attach to the guest-created @qp; a VMCI result. */
static int
emu_host_attach_check(const struct emu_qp *qp, uint64_t produce_size, uint64_t consume_size)
{
	if (qp->creator == EMU_END_HOST)
		return VMCI_ERROR_ALREADY_EXISTS;
	if (qp->creator == EMU_END_NONE || qp->attacher != EMU_END_NONE ||
	    qp->was_attached || qp->page_owner < 0)
		return VMCI_ERROR_UNAVAILABLE;
	if (qp->peer != VMCI_INVALID_ID && qp->peer != VMCI_HOST_CID)
		return VMCI_ERROR_NO_ACCESS;
	if (produce_size != qp->consume_size || consume_size != qp->produce_size) {
		EMU_LOG(INFO, "host attach to %u:%u with sizes %" PRIu64 "/%" PRIu64
			": expected %" PRIu64 "/%" PRIu64 " (creator's, swapped)",
			qp->handle.context, qp->handle.resource, produce_size, consume_size,
			qp->consume_size, qp->produce_size);
		return VMCI_ERROR_QUEUEPAIR_MISMATCH;
	}
	return VMCI_SUCCESS;
}

static void
emu_host_attach_done(struct emu_hv *hv, struct emu_qp *qp)
{
	qp->attacher = EMU_END_HOST;
	qp->was_attached = true;
	emu_qp_event(hv, qp->creator, VMCI_EVENT_QP_PEER_ATTACH, qp->handle, VMCI_HOST_CID);
}

/*
 * A pair the host creates: no memory until a guest attaches with its
 * pages (emu_qp_attach). Instance lock held; a VMCI result.
 */
static int
emu_host_qp_create(struct emu_hv *hv, struct rte_vmci_handle handle, uint32_t peer_cid,
		   uint64_t produce_size, uint64_t consume_size)
{
	struct emu_qp *qp;

	if (handle.context != VMCI_HOST_CID || handle.resource == VMCI_INVALID_ID ||
	    (produce_size == 0 && consume_size == 0) || peer_cid == VMCI_HOST_CID) {
		EMU_LOG(ERR, "host queue pair %u:%u peer %u sizes %" PRIu64 "/%" PRIu64
			": expected handle 2:<rid>, a guest peer, a non-empty pair",
			handle.context, handle.resource, peer_cid, produce_size, consume_size);
		return VMCI_ERROR_INVALID_ARGS;
	}
	if (produce_size + consume_size < produce_size ||
	    produce_size + consume_size > VMCI_MAX_GUEST_QP_MEMORY)
		return VMCI_ERROR_NO_RESOURCES;
	if (emu_qp_find(hv, handle) != NULL)
		return VMCI_ERROR_ALREADY_EXISTS;
	qp = emu_qp_free_entry(hv);
	if (qp == NULL)
		return VMCI_ERROR_NO_RESOURCES;
	memset(qp, 0, sizeof(*qp));
	qp->used = true;
	qp->handle = handle;
	qp->peer = peer_cid;
	qp->produce_size = produce_size;
	qp->consume_size = consume_size;
	qp->creator = EMU_END_HOST;
	qp->attacher = EMU_END_NONE;
	qp->page_owner = EMU_END_NONE;
	return VMCI_SUCCESS_QUEUEPAIR_CREATE;
}

/*
 * QUEUEPAIR_ALLOC from the host device: an attach to a pair a guest
 * created, or a pair the host creates for a guest to attach to (a host
 * connecting out). The host gives no pages either way: the hypervisor
 * maps the guest's into it (the device's qp_map then describes them), so
 * the message carries no page list.
 */
static int
emu_host_qp_alloc(struct emu_hv *hv, const struct vmci_dg_hdr *dg)
{
	const struct vmci_qp_alloc_msg *m = (const void *)dg;
	struct emu_qp *qp;
	int ret;

	if (!emu_payload_ok(&hv->host, dg, EMU_QP_PAYLOAD_FIXED))
		return VMCI_ERROR_INVALID_ARGS;
	if (dg->payload_size != EMU_QP_PAYLOAD_FIXED || m->num_ppns != 0) {
		EMU_LOG(INFO, "host QUEUEPAIR_ALLOC with %" PRIu64 " page numbers: expected none,"
			" the host maps the guest's pages", m->num_ppns);
		return VMCI_ERROR_INVALID_ARGS;
	}
	if (m->flags & ~(uint32_t)VMCI_QPFLAG_ATTACH_ONLY) {
		EMU_LOG(INFO, "host QUEUEPAIR_ALLOC flags 0x%x: expected 0 (create) or"
			" ATTACH_ONLY (0x%x)", m->flags, VMCI_QPFLAG_ATTACH_ONLY);
		return VMCI_ERROR_INVALID_ARGS;
	}
	if (m->flags == 0)
		return emu_host_qp_create(hv, m->handle, m->peer, m->produce_size,
					  m->consume_size);
	qp = emu_qp_find(hv, m->handle);
	if (qp == NULL)
		return VMCI_ERROR_NOT_FOUND;
	if (m->peer != VMCI_INVALID_ID && m->peer != emu_end_cid(hv, qp->creator))
		return VMCI_ERROR_NO_ACCESS;
	ret = emu_host_attach_check(qp, m->produce_size, m->consume_size);
	if (ret < 0)
		return ret;
	emu_host_attach_done(hv, qp);
	return VMCI_SUCCESS_QUEUEPAIR_ATTACH;
}

/* Hypercalls of the host device: no bitmap or doorbells of its own. */
static int
emu_host_hypercall(struct emu_hv *hv, const struct vmci_dg_hdr *dg)
{
	uint32_t rid = dg->dst.resource;

	switch (rid) {
	case VMCI_RESOURCES_QUERY:
		return emu_resources_query(&hv->host, dg);
	case VMCI_GET_CONTEXT_ID:
		return VMCI_HOST_CID;
	case VMCI_DOORBELL_NOTIFY:
		if (!emu_payload_ok(&hv->host, dg, 8))
			return VMCI_ERROR_INVALID_ARGS;
		return emu_doorbell_ring(hv, ((const struct vmci_handle_msg *)dg)->handle);
	case VMCI_QUEUEPAIR_ALLOC:
		return emu_host_qp_alloc(hv, dg);
	case VMCI_QUEUEPAIR_DETACH:
		return emu_qp_detach(hv, EMU_END_HOST, dg);
	default:
		EMU_LOG(INFO, "host: hypercall rid %u not available to the host device", rid);
		return VMCI_ERROR_UNAVAILABLE;
	}
}

/* The injected-result rule for this hypercall, if it applies (consumes one). */
static const struct emu_fail_rule *
emu_fail_hit(struct emu_hv *hv, uint32_t cid, uint32_t rid)
{
	struct emu_fail_rule *f = &hv->fail;

	if (f->n == 0 || f->rid != rid || (f->cid != VMCI_INVALID_ID && f->cid != cid))
		return NULL;
	f->n--;
	return f;
}

static int
emu_hypercall_run(struct emu_hv *hv, int slot, const struct vmci_dg_hdr *dg)
{
	struct emu_dev *dev = &hv->dev[slot];
	uint32_t rid = dg->dst.resource;

	switch (rid) {
	case VMCI_RESOURCES_QUERY:
		return emu_resources_query(dev, dg);
	case VMCI_GET_CONTEXT_ID:
		return (int)dev->cid;
	case VMCI_SET_NOTIFY_BITMAP:
		return emu_set_notify_bitmap(dev, dg);
	case VMCI_DOORBELL_LINK:
		return emu_doorbell_link(hv, dev, dg);
	case VMCI_DOORBELL_UNLINK:
		return emu_doorbell_unlink(hv, slot, dg);
	case VMCI_DOORBELL_NOTIFY:
		if (!emu_payload_ok(dev, dg, 8))
			return VMCI_ERROR_INVALID_ARGS;
		return emu_doorbell_ring(hv, ((const struct vmci_handle_msg *)dg)->handle);
	case VMCI_QUEUEPAIR_ALLOC:
		return emu_qp_alloc(hv, slot, dg);
	case VMCI_QUEUEPAIR_DETACH:
		return emu_qp_detach(hv, slot, dg);
	default:
		EMU_LOG(INFO, "cid %u: hypercall rid %u not supported", dev->cid, rid);
		return VMCI_ERROR_DST_UNREACHABLE;
	}
}

static int
emu_hypercall(struct emu_hv *hv, int slot, const struct vmci_dg_hdr *dg)
{
	const struct emu_fail_rule *f = emu_fail_hit(hv, hv->dev[slot].cid, dg->dst.resource);
	int ret;

	if (f == NULL)
		return emu_hypercall_run(hv, slot, dg);
	if (f->execute) {
		ret = emu_hypercall_run(hv, slot, dg);
		EMU_LOG(INFO, "cid %u: hypercall %u returned %d, answering %d (fault)",
			hv->dev[slot].cid, dg->dst.resource, ret, f->result);
	}
	return f->result;
}

/*
 * Execute a datagram sent by device @slot (a guest's, or EMU_END_HOST);
 * @len == 24 + payload_size.
 */
int
emu_dg_execute(struct emu_hv *hv, int slot, const struct vmci_dg_hdr *dg, uint64_t len)
{
	RTE_SET_USED(len);
	if (dg->dst.context == VMCI_HYPERVISOR_CID)
		return slot == EMU_END_HOST ? emu_host_hypercall(hv, dg) :
			emu_hypercall(hv, slot, dg);
	return emu_route(hv, emu_end_cid(hv, slot), dg);
}

/* Everything the hypervisor holds for a context that goes away. */
void
emu_dev_forget(struct emu_hv *hv, int slot)
{
	struct emu_dev *dev = &hv->dev[slot];
	int i;

	for (i = 0; i < VMCI_EMU_MAX_QPS; i++)
		if (hv->qp[i].used &&
		    (hv->qp[i].creator == slot || hv->qp[i].attacher == slot))
			emu_qp_end_detach(hv, &hv->qp[i], slot);
	memset(dev->db, 0, sizeof(dev->db));
	dev->bitmap_va = 0;
	emu_dgq_flush(&dev->q);
}

/*
 * The host's view of the guest pages of @qp (host produce = guest
 * consume); false if they cannot be one endpoint's queues.
 */
static bool
emu_host_descs(const struct emu_qp *qp, struct rte_vmci_qp_queue_desc *produce,
	       struct rte_vmci_qp_queue_desc *consume)
{
	const struct emu_qp_queue *gq = qp->gq;

	if (!gq[0].contig || !gq[1].contig || gq[0].data_va == 0 || gq[1].data_va == 0) {
		EMU_LOG(ERR, "queue pair %u:%u: guest data pages not virtually contiguous",
			qp->handle.context, qp->handle.resource);
		return false;
	}
	produce->hdr = (void *)(uintptr_t)gq[1].hdr_va;
	produce->data = (void *)(uintptr_t)gq[1].data_va;
	produce->size = gq[1].size;
	consume->hdr = (void *)(uintptr_t)gq[0].hdr_va;
	consume->data = (void *)(uintptr_t)gq[0].data_va;
	consume->size = gq[0].size;
	return true;
}

/* Host endpoint over the guest pages of @qp. */
static int
emu_host_endpoint(const struct emu_qp *qp, uint32_t max_rx_msg_len, struct rte_vmci_qp **ep)
{
	struct rte_vmci_qp_conf conf = {
		.name = "vmci_emu_host",
		.max_rx_msg_len = max_rx_msg_len,
		.socket_id = SOCKET_ID_ANY,
	};

	if (!emu_host_descs(qp, &conf.produce, &conf.consume))
		return VMCI_ERROR_NO_MEM;
	*ep = rte_vmci_qp_endpoint_create(&conf);
	if (*ep == NULL) {
		EMU_LOG(ERR, "queue pair %u:%u: host endpoint: %s", qp->handle.context,
			qp->handle.resource, rte_strerror(rte_errno));
		return VMCI_ERROR_NO_MEM;
	}
	return VMCI_SUCCESS;
}

int
vmci_emu_host_qp_attach(const char *hv_name, struct rte_vmci_handle handle,
			uint64_t produce_size, uint64_t consume_size,
			struct rte_vmci_qp **ep)
{
	return vmci_emu_host_qp_attach_limit(hv_name, handle, produce_size, consume_size,
					     0, ep);
}

int
vmci_emu_host_qp_attach_limit(const char *hv_name, struct rte_vmci_handle handle,
			      uint64_t produce_size, uint64_t consume_size,
			      uint32_t max_rx_msg_len, struct rte_vmci_qp **ep)
{
	struct emu_hv *hv = emu_hv_find(hv_name);
	struct emu_qp *qp;
	int ret;

	if (hv == NULL || ep == NULL)
		return VMCI_ERROR_NOT_FOUND;
	rte_spinlock_lock(&hv->lock);
	qp = emu_qp_find(hv, handle);
	if (qp == NULL)
		ret = VMCI_ERROR_NOT_FOUND;
	else
		ret = emu_host_attach_check(qp, produce_size, consume_size);
	if (ret >= 0)
		ret = emu_host_endpoint(qp, max_rx_msg_len, ep);
	if (ret >= 0) {
		emu_host_attach_done(hv, qp);
		ret = VMCI_SUCCESS_QUEUEPAIR_ATTACH;
	}
	rte_spinlock_unlock(&hv->lock);
	return ret;
}

int
vmci_emu_host_qp_create(const char *hv_name, struct rte_vmci_handle handle,
			uint32_t peer_cid, uint64_t produce_size, uint64_t consume_size)
{
	struct emu_hv *hv = emu_hv_find(hv_name);
	int ret;

	if (hv == NULL)
		return VMCI_ERROR_NOT_FOUND;
	rte_spinlock_lock(&hv->lock);
	ret = emu_host_qp_create(hv, handle, peer_cid, produce_size, consume_size);
	rte_spinlock_unlock(&hv->lock);
	return ret;
}

int
vmci_emu_host_qp_endpoint(const char *hv_name, struct rte_vmci_handle handle,
			  struct rte_vmci_qp **ep)
{
	struct emu_hv *hv = emu_hv_find(hv_name);
	struct emu_qp *qp;
	int ret;

	if (hv == NULL || ep == NULL)
		return VMCI_ERROR_NOT_FOUND;
	rte_spinlock_lock(&hv->lock);
	qp = emu_qp_find(hv, handle);
	if (qp == NULL || qp->creator != EMU_END_HOST)
		ret = VMCI_ERROR_NOT_FOUND;
	else if (qp->page_owner < 0)
		ret = VMCI_ERROR_QUEUEPAIR_NOTATTACHED;
	else
		ret = emu_host_endpoint(qp, 0, ep);
	rte_spinlock_unlock(&hv->lock);
	return ret;
}

int
vmci_emu_host_qp_detach(const char *hv_name, struct rte_vmci_handle handle)
{
	struct emu_hv *hv = emu_hv_find(hv_name);
	struct emu_qp *qp;
	int ret;

	if (hv == NULL)
		return VMCI_ERROR_NOT_FOUND;
	rte_spinlock_lock(&hv->lock);
	qp = emu_qp_find(hv, handle);
	if (qp == NULL || (qp->creator != EMU_END_HOST && qp->attacher != EMU_END_HOST))
		ret = VMCI_ERROR_NOT_FOUND;
	else
		ret = emu_qp_end_detach(hv, qp, EMU_END_HOST);
	rte_spinlock_unlock(&hv->lock);
	return ret;
}

int
vmci_emu_host_doorbell_notify(const char *hv_name, struct rte_vmci_handle handle)
{
	struct emu_hv *hv = emu_hv_find(hv_name);
	int ret;

	if (hv == NULL)
		return VMCI_ERROR_NOT_FOUND;
	rte_spinlock_lock(&hv->lock);
	ret = emu_doorbell_ring(hv, handle);
	rte_spinlock_unlock(&hv->lock);
	return ret;
}

int
vmci_emu_fault_qp_peer_detach(const char *hv_name, struct rte_vmci_handle handle)
{
	struct emu_hv *hv = emu_hv_find(hv_name);
	struct emu_qp *qp;
	int ret;

	if (hv == NULL)
		return VMCI_ERROR_NOT_FOUND;
	rte_spinlock_lock(&hv->lock);
	qp = emu_qp_find(hv, handle);
	if (qp == NULL)
		ret = VMCI_ERROR_NOT_FOUND;
	else if (qp->creator == EMU_END_HOST || qp->attacher == EMU_END_HOST)
		ret = emu_qp_end_detach(hv, qp, EMU_END_HOST);
	else if (qp->attacher >= 0 && qp->creator != EMU_END_NONE)
		ret = emu_qp_end_detach(hv, qp, qp->attacher);
	else
		ret = VMCI_ERROR_QUEUEPAIR_NOTATTACHED;
	rte_spinlock_unlock(&hv->lock);
	return ret;
}

int
vmci_emu_fault_qp_header(const char *hv_name, struct rte_vmci_handle handle, int queue,
			 uint64_t tail, uint64_t head)
{
	struct emu_hv *hv = emu_hv_find(hv_name);
	struct rte_vmci_queue_header *hdr;
	struct emu_qp *qp;
	int ret = 0;

	if (queue != 0 && queue != 1)
		return -EINVAL;
	if (hv == NULL)
		return -ENOENT;
	rte_spinlock_lock(&hv->lock);
	qp = emu_qp_find(hv, handle);
	if (qp == NULL || qp->page_owner == EMU_END_NONE || qp->gq[queue].hdr_va == 0) {
		ret = -ENOENT;
	} else {
		hdr = (void *)(uintptr_t)qp->gq[queue].hdr_va;
		__atomic_store_n(&hdr->producer_tail, tail, __ATOMIC_RELEASE);
		__atomic_store_n(&hdr->consumer_head, head, __ATOMIC_RELEASE);
	}
	rte_spinlock_unlock(&hv->lock);
	return ret;
}

/*
 * qp_map of the host device: after its QUEUEPAIR_ALLOC, the guest pages
 * of @handle as the host end sees them.
 */
int
emu_host_qp_map(struct vmci_hw *hw, struct rte_vmci_handle handle,
		struct rte_vmci_qp_queue_desc *produce, struct rte_vmci_qp_queue_desc *consume)
{
	struct emu_hv *hv = emu_handle(hw)->hv;
	struct emu_qp *qp;
	int ret = 0;

	rte_spinlock_lock(&hv->lock);
	qp = emu_qp_find(hv, handle);
	if (qp == NULL || (qp->creator != EMU_END_HOST && qp->attacher != EMU_END_HOST))
		ret = -ENOENT;
	else if (qp->page_owner < 0)
		ret = -ENOTCONN;
	else if (!emu_host_descs(qp, produce, consume))
		ret = -EFAULT;
	rte_spinlock_unlock(&hv->lock);
	return ret;
}

/*
 * The host device goes away (closed, or its process died): the host
 * leaves its pairs (peers get QP_PEER_DETACH) and its register file and
 * pending datagrams are reset. Instance lock held.
 */
void
emu_host_forget(struct emu_hv *hv)
{
	int i;

	for (i = 0; i < VMCI_EMU_MAX_QPS; i++)
		if (hv->qp[i].used &&
		    (hv->qp[i].creator == EMU_END_HOST || hv->qp[i].attacher == EMU_END_HOST))
			emu_qp_end_detach(hv, &hv->qp[i], EMU_END_HOST);
	emu_dev_reset(&hv->host);
	hv->host.caps_in_use = 0;
	hv->host.used = false;
}
