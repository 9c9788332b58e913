/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

/*
 * Emulated hypervisor instances: the shared memzone, guest contexts,
 * pending datagram queues, routing, fault injection and the host (CID 2)
 * datagram endpoint.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <signal.h>
#include <unistd.h>

#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_memory.h>
#include <rte_memzone.h>

#include "vmci_emu_private.h"

#ifndef RTE_LOG_DEFAULT_LOGTYPE
#define RTE_LOG_DEFAULT_LOGTYPE bus.vmci
#endif
RTE_LOG_REGISTER_SUFFIX(vmci_emu_logtype, emu, NOTICE);

#define EMU_MZ_PREFIX "vmci_emu_"

static int
emu_mz_name(const char *hv_name, char *buf, size_t len)
{
	int n;

	if (hv_name == NULL)
		hv_name = VMCI_EMU_DEFAULT_HV;
	if (strnlen(hv_name, VMCI_EMU_HV_NAMESIZE) >= VMCI_EMU_HV_NAMESIZE ||
	    hv_name[0] == '\0') {
		EMU_LOG(ERR, "hv_name \"%s\" must be 1 to %u characters",
			hv_name, VMCI_EMU_HV_NAMESIZE - 1);
		return -EINVAL;
	}
	n = snprintf(buf, len, EMU_MZ_PREFIX "%s", hv_name);
	return (n < 0 || (size_t)n >= len) ? -EINVAL : 0;
}

static struct emu_hv *
emu_hv_lookup_mz(const char *name)
{
	const struct rte_memzone *mz = rte_memzone_lookup(name);
	struct emu_hv *hv;

	if (mz == NULL)
		return NULL;
	hv = mz->addr;
	if (mz->len < sizeof(*hv) || hv->magic != EMU_HV_MAGIC) {
		EMU_LOG(ERR, "memzone %s is not an emulated hypervisor", name);
		return NULL;
	}
	return hv;
}

/* Find an instance without creating it. */
struct emu_hv *
emu_hv_find(const char *hv_name)
{
	char name[RTE_MEMZONE_NAMESIZE];

	if (emu_mz_name(hv_name, name, sizeof(name)) < 0)
		return NULL;
	return emu_hv_lookup_mz(name);
}

/* Find or create an instance; NULL with rte_errno. */
static struct emu_hv *
emu_hv_get(const char *hv_name)
{
	char name[RTE_MEMZONE_NAMESIZE];
	const struct rte_memzone *mz;
	struct emu_hv *hv;

	if (emu_mz_name(hv_name, name, sizeof(name)) < 0) {
		rte_errno = EINVAL;
		return NULL;
	}
	hv = emu_hv_lookup_mz(name);
	if (hv != NULL)
		return hv;
	mz = rte_memzone_reserve(name, sizeof(*hv), SOCKET_ID_ANY, 0);
	if (mz == NULL) {
		/* Another process may have won the race. */
		if (rte_errno == EEXIST)
			return emu_hv_lookup_mz(name);
		EMU_LOG(ERR, "cannot reserve memzone %s of %zu bytes: %s",
			name, sizeof(*hv), rte_strerror(rte_errno));
		return NULL;
	}
	hv = mz->addr;
	memset(hv, 0, sizeof(*hv));
	rte_spinlock_init(&hv->lock);
	hv->host.cid = VMCI_HOST_CID;
	hv->next_cid = VMCI_RESERVED_CID_LIMIT;
	hv->magic = EMU_HV_MAGIC;
	return hv;
}

int
emu_slot_by_cid(struct emu_hv *hv, uint32_t cid)
{
	int i;

	for (i = 0; i < VMCI_EMU_MAX_DEVS; i++)
		if (hv->dev[i].used && hv->dev[i].cid == cid)
			return i;
	return -1;
}

struct emu_dev *
emu_dev_by_cid(struct emu_hv *hv, uint32_t cid)
{
	int slot = emu_slot_by_cid(hv, cid);

	return slot < 0 ? NULL : &hv->dev[slot];
}

static bool
emu_cid_reserved(uint32_t cid)
{
	return cid < VMCI_RESERVED_CID_LIMIT || cid == VMCI_INVALID_ID;
}

static uint32_t
emu_next_cid(struct emu_hv *hv)
{
	uint32_t cid = hv->next_cid;

	while (emu_cid_reserved(cid) || emu_slot_by_cid(hv, cid) >= 0)
		cid++;
	hv->next_cid = cid + 1;
	return cid;
}

/*
 * Resolve [iova, iova + len) to a virtually contiguous mapping, page by
 * page, so a guest-supplied range can never lead outside DPDK memory.
 */
void *
emu_iova_map(uint64_t iova, uint64_t len)
{
	uint8_t *va;
	uint64_t off;

	if (len == 0 || iova + len < iova || iova == RTE_BAD_IOVA)
		return NULL;
	va = rte_mem_iova2virt(iova);
	if (va == NULL)
		return NULL;
	off = EMU_PAGE - (iova & (EMU_PAGE - 1));
	while (off < len) {
		if (rte_mem_iova2virt(iova + off) != va + off)
			return NULL;
		off += EMU_PAGE;
	}
	if (rte_mem_iova2virt(iova + len - 1) != va + len - 1)
		return NULL;
	return va;
}

/* Copy in or out of the ring at byte offset @pos, wrapping at its end. */
static void
emu_ring_copy(uint8_t *ring, uint32_t pos, void *buf, uint32_t len, bool to_ring)
{
	uint32_t first = RTE_MIN(len, EMU_DGQ_SIZE - pos);

	if (to_ring) {
		memcpy(ring + pos, buf, first);
		memcpy(ring, (uint8_t *)buf + first, len - first);
	} else {
		memcpy(buf, ring + pos, first);
		memcpy((uint8_t *)buf + first, ring, len - first);
	}
}

static struct emu_dgq *
emu_queue_of(struct emu_hv *hv, uint32_t cid, struct emu_dev **devp)
{
	struct emu_dev *dev;

	*devp = NULL;
	if (cid == VMCI_HOST_CID) {
		*devp = &hv->host;
		return &hv->host.q;
	}
	dev = emu_dev_by_cid(hv, cid);
	if (dev == NULL)
		return NULL;
	*devp = dev;
	return &dev->q;
}

/* Fault: invert the payload (or dst.resource) of the datagram at @pos. */
static void
emu_dgq_corrupt(struct emu_dgq *q, uint32_t pos, uint64_t payload)
{
	uint64_t i;

	if (payload == 0) {
		for (i = 4; i < 8; i++)
			q->buf[(pos + i) % EMU_DGQ_SIZE] ^= 0xFF;
		return;
	}
	for (i = 0; i < payload; i++)
		q->buf[(pos + VMCI_DG_HDR_SIZE + i) % EMU_DGQ_SIZE] ^= 0xFF;
}

/*
 * Queue a datagram (header and payload_size bytes, already validated) for
 * @dst_cid. Datagrams from the hypervisor's context handle may use the
 * event room above the pending limit, as on the real host. The source is
 * trustworthy here: emu_route() makes every other sender use its own CID,
 * and no guest or host CID is 0.
 */
int
emu_dgq_put(struct emu_hv *hv, uint32_t dst_cid, const struct vmci_dg_hdr *dg)
{
	bool from_hv = dg->src.context == VMCI_HYPERVISOR_CID &&
		dg->src.resource == VMCI_CONTEXT_RESOURCE_ID;
	uint64_t size = VMCI_DG_HDR_SIZE + dg->payload_size;
	uint64_t aligned = VMCI_DG_SIZE_ALIGNED(dg->payload_size);
	uint64_t limit = from_hv ? EMU_DGQ_SIZE : VMCI_MAX_PENDING_DG_BYTES;
	static const uint8_t zero[VMCI_DG_ALIGN];
	struct emu_dev *dev;
	struct emu_dgq *q;
	uint32_t pos;

	q = emu_queue_of(hv, dst_cid, &dev);
	if (q == NULL)
		return VMCI_ERROR_DST_UNREACHABLE;
	if (size > VMCI_MAX_DG_SIZE)
		return VMCI_ERROR_PAYLOAD_TOO_LARGE;
	if (q->used + aligned > limit || q->count == EMU_DGQ_MAX_DG) {
		EMU_LOG(INFO, "queue of context %u full: %u + %" PRIu64
			" bytes > limit %" PRIu64, dst_cid, q->used, aligned, limit);
		return VMCI_ERROR_NO_RESOURCES;
	}
	if (q->drop > 0) {
		q->drop--;
		return VMCI_SUCCESS;
	}
	pos = (q->head + q->used) % EMU_DGQ_SIZE;
	emu_ring_copy(q->buf, pos, (void *)(uintptr_t)dg, size, true);
	emu_ring_copy(q->buf, (pos + size) % EMU_DGQ_SIZE, (void *)(uintptr_t)zero,
		      aligned - size, true);
	if (q->corrupt > 0) {
		q->corrupt--;
		emu_dgq_corrupt(q, pos, dg->payload_size);
	}
	q->size[(q->first + q->count) % EMU_DGQ_MAX_DG] = (uint32_t)size;
	q->used += aligned;
	q->count++;
	if (dev != NULL)
		emu_icr_raise(dev, VMCI_ICR_DATAGRAM);
	return VMCI_SUCCESS;
}

/* Size as sent (header and payload) of the oldest datagram, 0 if none. */
uint32_t
emu_dgq_peek_size(const struct emu_dgq *q)
{
	return q->count == 0 ? 0 : q->size[q->first];
}

/*
 * Remove the oldest datagram, copying its first @len bytes to @buf: its
 * peeked size, or that rounded up to 8 for the guest's stream (the
 * padding is stored as zeros).
 */
void
emu_dgq_take(struct emu_dgq *q, void *buf, uint32_t len)
{
	uint32_t aligned = RTE_ALIGN_CEIL(q->size[q->first], VMCI_DG_ALIGN);

	emu_ring_copy(q->buf, q->head, buf, RTE_MIN(len, aligned), false);
	q->head = (q->head + aligned) % EMU_DGQ_SIZE;
	q->used -= aligned;
	q->first = (q->first + 1) % EMU_DGQ_MAX_DG;
	q->count--;
}

void
emu_dgq_flush(struct emu_dgq *q)
{
	q->head = 0;
	q->used = 0;
	q->count = 0;
	q->first = 0;
}

/*
 * Deliver a datagram (already copied out of guest memory, length checked)
 * from context @src_cid to another context. Returns the datagram size on
 * success, as the real host does, or a VMCI error.
 */
int
emu_route(struct emu_hv *hv, uint32_t src_cid, const struct vmci_dg_hdr *dg)
{
	uint64_t size = VMCI_DG_HDR_SIZE + dg->payload_size;
	int ret;

	if (size > VMCI_MAX_DG_SIZE) {
		EMU_LOG(INFO, "datagram of %" PRIu64 " bytes from %u exceeds %u",
			size, src_cid, VMCI_MAX_DG_SIZE);
		return VMCI_ERROR_PAYLOAD_TOO_LARGE;
	}
	if (dg->src.context != src_cid) {
		EMU_LOG(INFO, "source context %u of a datagram sent by %u: must be the sender's",
			dg->src.context, src_cid);
		return VMCI_ERROR_NO_ACCESS;
	}
	if (dg->dst.context != VMCI_HOST_CID && emu_cid_reserved(dg->dst.context))
		return VMCI_ERROR_DST_UNREACHABLE;
	ret = emu_dgq_put(hv, dg->dst.context, dg);
	return ret < 0 ? ret : (int)size;
}

int
emu_send_event(struct emu_hv *hv, uint32_t cid, uint32_t event,
	       const void *payload, size_t len)
{
	uint8_t buf[sizeof(struct vmci_event_msg) + VMCI_EVENT_MAX_PAYLOAD];
	struct vmci_event_msg *ev = (struct vmci_event_msg *)buf;

	if (len > VMCI_EVENT_MAX_PAYLOAD - sizeof(struct vmci_event_data))
		return VMCI_ERROR_INVALID_ARGS;
	memset(buf, 0, sizeof(buf));
	ev->hdr.dst.context = cid;
	ev->hdr.dst.resource = VMCI_EVENT_HANDLER_RID;
	ev->hdr.src.context = VMCI_HYPERVISOR_CID;
	ev->hdr.src.resource = VMCI_CONTEXT_RESOURCE_ID;
	ev->hdr.payload_size = sizeof(ev->event_data) + len;
	ev->event_data.event = event;
	if (len > 0)
		memcpy(ev + 1, payload, len);
	return emu_dgq_put(hv, cid, &ev->hdr);
}

static int
emu_conf_caps(const struct vmci_emu_dev_conf *conf, uint32_t *caps)
{
	uint32_t c = conf->caps;

	if (c == 0) {
		c = VMCI_CAPS_DATAGRAM | VMCI_CAPS_NOTIFICATIONS | VMCI_CAPS_PPN64;
		if (conf->mmio)
			c |= VMCI_CAPS_DMA_DATAGRAM;
	}
	if ((c & ~VMCI_EMU_CAPS_KNOWN) != 0 || (c & VMCI_CAPS_DATAGRAM) == 0 ||
	    (conf->mmio && (c & VMCI_CAPS_DMA_DATAGRAM) == 0)) {
		EMU_LOG(ERR, "caps 0x%x: expected DATAGRAM (0x%x)%s within 0x%x",
			c, VMCI_CAPS_DATAGRAM,
			conf->mmio ? " and DMA_DATAGRAM (mmio)" : "", VMCI_EMU_CAPS_KNOWN);
		return -EINVAL;
	}
	*caps = c;
	return 0;
}

static struct vmci_hw *
emu_handle_new(struct emu_hv *hv, int slot, bool owner, int socket_id)
{
	struct emu_handle *h;

	h = rte_zmalloc_socket("vmci_emu", sizeof(*h), 0, socket_id);
	if (h == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	h->hw.ops = slot == EMU_END_HOST ? &emu_host_hw_ops : &emu_hw_ops;
	h->hw.backend = slot == EMU_END_HOST ? "emu-host" : "emu";
	h->hw.mmio = emu_end_dev(hv, slot)->mmio;
	h->hw.host = slot == EMU_END_HOST;
	h->hw.numa_node = socket_id;
	h->hv = hv;
	h->slot = slot;
	h->owner = owner;
	return &h->hw;
}

/* Pick the CID and a free slot; returns the slot or -errno. */
static int
emu_dev_claim(struct emu_hv *hv, uint32_t want, uint32_t *cid)
{
	int i;

	if (want != 0 && emu_cid_reserved(want)) {
		EMU_LOG(ERR, "cid %u is reserved: expected 0 or %u..0x%x",
			want, VMCI_RESERVED_CID_LIMIT, VMCI_INVALID_ID - 1);
		return -EINVAL;
	}
	if (want != 0 && emu_slot_by_cid(hv, want) >= 0) {
		EMU_LOG(ERR, "cid %u already in use", want);
		return -EEXIST;
	}
	for (i = 0; i < VMCI_EMU_MAX_DEVS; i++)
		if (!hv->dev[i].used)
			break;
	if (i == VMCI_EMU_MAX_DEVS) {
		EMU_LOG(ERR, "all %u device slots in use", VMCI_EMU_MAX_DEVS);
		return -ENOSPC;
	}
	*cid = want != 0 ? want : emu_next_cid(hv);
	return i;
}

struct vmci_hw *
vmci_emu_dev_create(const struct vmci_emu_dev_conf *conf)
{
	struct vmci_hw *hw;
	struct emu_dev *dev;
	struct emu_hv *hv;
	uint32_t caps, cid;
	int slot;

	if (conf == NULL || emu_conf_caps(conf, &caps) < 0) {
		rte_errno = EINVAL;
		return NULL;
	}
	hv = emu_hv_get(conf->hv_name);
	if (hv == NULL)
		return NULL;
	rte_spinlock_lock(&hv->lock);
	slot = emu_dev_claim(hv, conf->cid, &cid);
	if (slot < 0) {
		rte_spinlock_unlock(&hv->lock);
		rte_errno = -slot;
		return NULL;
	}
	dev = &hv->dev[slot];
	memset(dev, 0, offsetof(struct emu_dev, q));
	emu_dgq_flush(&dev->q);
	dev->q.drop = 0;
	dev->q.corrupt = 0;
	memset(dev->db, 0, sizeof(dev->db));
	dev->cid = cid;
	dev->caps = caps;
	dev->mmio = conf->mmio;
	dev->page_shift = RTE_VMCI_QP_PAGE_SHIFT;
	dev->owner_pid = (int)getpid();
	dev->used = true;
	hw = emu_handle_new(hv, slot, true, conf->socket_id);
	if (hw == NULL)
		dev->used = false;
	rte_spinlock_unlock(&hv->lock);
	if (hw != NULL)
		EMU_LOG(DEBUG, "device cid %u caps 0x%x%s", cid, caps,
			conf->mmio ? " mmio" : "");
	return hw;
}

struct vmci_hw *
vmci_emu_dev_lookup(const char *hv_name, uint32_t cid)
{
	struct emu_hv *hv = emu_hv_find(hv_name);
	struct vmci_hw *hw;
	int slot;

	if (hv == NULL) {
		rte_errno = ENOENT;
		return NULL;
	}
	rte_spinlock_lock(&hv->lock);
	slot = emu_slot_by_cid(hv, cid);
	hw = slot < 0 ? NULL : emu_handle_new(hv, slot, false, SOCKET_ID_ANY);
	rte_spinlock_unlock(&hv->lock);
	if (slot < 0)
		rte_errno = ENOENT;
	return hw;
}

void
vmci_emu_dev_destroy(struct vmci_hw *hw)
{
	struct emu_handle *h;

	if (hw == NULL)
		return;
	h = emu_handle(hw);
	if (h->owner) {
		rte_spinlock_lock(&h->hv->lock);
		if (h->slot == EMU_END_HOST) {
			emu_host_forget(h->hv);
		} else {
			emu_dev_forget(h->hv, h->slot);
			h->hv->dev[h->slot].used = false;
		}
		rte_spinlock_unlock(&h->hv->lock);
	}
	rte_free(h);
}

/*
 * The host context as a device: a register file like a guest's whose
 * datagrams come from and go to CID 2, so that the device core (and the
 * rte_vmci_ API over it) drives the host end as it drives a guest.
 */
struct vmci_hw *
vmci_emu_host_dev_create(const char *hv_name, int socket_id)
{
	struct emu_hv *hv = emu_hv_get(hv_name);
	struct emu_dev *dev;
	struct vmci_hw *hw;

	if (hv == NULL)
		return NULL;
	rte_spinlock_lock(&hv->lock);
	dev = &hv->host;
	/* The device of a process that is gone is taken back, as by reap_dead. */
	if (dev->used && kill(dev->owner_pid, 0) < 0 && errno == ESRCH) {
		EMU_LOG(INFO, "host device: owner process %d is gone: taking it back",
			dev->owner_pid);
		emu_host_forget(hv);
	}
	if (dev->used) {
		rte_spinlock_unlock(&hv->lock);
		EMU_LOG(ERR, "the host of hypervisor %s is a device in process %d already",
			hv_name != NULL ? hv_name : VMCI_EMU_DEFAULT_HV, dev->owner_pid);
		rte_errno = EBUSY;
		return NULL;
	}
	memset(dev, 0, offsetof(struct emu_dev, q));
	dev->cid = VMCI_HOST_CID;
	/* No doorbells of its own (no bitmap): it rings guests' with DOORBELL_NOTIFY. */
	dev->caps = VMCI_CAPS_DATAGRAM | VMCI_CAPS_PPN64;
	dev->page_shift = RTE_VMCI_QP_PAGE_SHIFT;
	dev->owner_pid = (int)getpid();
	dev->used = true;
	hw = emu_handle_new(hv, EMU_END_HOST, true, socket_id);
	if (hw == NULL)
		dev->used = false;
	rte_spinlock_unlock(&hv->lock);
	return hw;
}

int
vmci_emu_hv_reap_dead(const char *hv_name)
{
	struct emu_hv *hv = emu_hv_find(hv_name);
	int i, n = 0;

	if (hv == NULL)
		return -ENOENT;
	rte_spinlock_lock(&hv->lock);
	for (i = 0; i < VMCI_EMU_MAX_DEVS; i++) {
		struct emu_dev *dev = &hv->dev[i];

		/* kill(pid, 0) fails with ESRCH only once the process is gone and reaped. */
		if (!dev->used || kill(dev->owner_pid, 0) == 0 || errno != ESRCH)
			continue;
		EMU_LOG(INFO, "cid %u: owner process %d is gone: removing the context",
			dev->cid, dev->owner_pid);
		emu_dev_forget(hv, i);
		dev->used = false;
		n++;
	}
	if (hv->host.used && kill(hv->host.owner_pid, 0) < 0 && errno == ESRCH) {
		EMU_LOG(INFO, "host device: owner process %d is gone: removing it",
			hv->host.owner_pid);
		emu_host_forget(hv);
		n++;
	}
	rte_spinlock_unlock(&hv->lock);
	return n;
}

uint32_t
vmci_emu_dev_cid(const struct vmci_hw *hw)
{
	struct emu_handle *h = emu_handle(hw);

	return __atomic_load_n(&emu_end_dev(h->hv, h->slot)->cid, __ATOMIC_RELAXED);
}

uint32_t
vmci_emu_dev_resets(const struct vmci_hw *hw)
{
	struct emu_handle *h = emu_handle(hw);
	uint32_t n;

	rte_spinlock_lock(&h->hv->lock);
	n = h->hv->dev[h->slot].resets;
	rte_spinlock_unlock(&h->hv->lock);
	return n;
}

uint32_t
vmci_emu_dev_irq_pending(const struct vmci_hw *hw)
{
	struct emu_handle *h = emu_handle(hw);
	struct emu_dev *dev = emu_end_dev(h->hv, h->slot);
	uint32_t pending;

	rte_spinlock_lock(&h->hv->lock);
	pending = (dev->status & VMCI_STATUS_INT_ON) ? dev->icr & dev->imr : 0;
	rte_spinlock_unlock(&h->hv->lock);
	return pending;
}

int
vmci_emu_hv_free(const char *hv_name)
{
	char name[RTE_MEMZONE_NAMESIZE];
	const struct rte_memzone *mz;
	struct emu_hv *hv;
	int i, busy = 0;

	if (emu_mz_name(hv_name, name, sizeof(name)) < 0)
		return -EINVAL;
	hv = emu_hv_lookup_mz(name);
	if (hv == NULL)
		return -ENOENT;
	rte_spinlock_lock(&hv->lock);
	busy += hv->host.used;
	for (i = 0; i < VMCI_EMU_MAX_DEVS; i++)
		busy += hv->dev[i].used;
	for (i = 0; i < VMCI_EMU_MAX_QPS; i++)
		busy += hv->qp[i].used;
	if (busy == 0)
		hv->magic = 0;
	rte_spinlock_unlock(&hv->lock);
	if (busy != 0)
		return -EBUSY;
	mz = rte_memzone_lookup(name);
	return mz == NULL ? -ENOENT : rte_memzone_free(mz);
}

int
vmci_emu_hv_allow_vm_to_vm_qp(const char *hv_name, bool allow)
{
	struct emu_hv *hv = emu_hv_get(hv_name);

	if (hv == NULL)
		return -rte_errno;
	rte_spinlock_lock(&hv->lock);
	hv->vm_to_vm = allow;
	rte_spinlock_unlock(&hv->lock);
	return 0;
}

int
vmci_emu_host_send(const char *hv_name, const struct vmci_dg_hdr *dg, size_t len)
{
	struct emu_hv *hv = emu_hv_find(hv_name);
	int ret;

	if (hv == NULL)
		return VMCI_ERROR_NOT_FOUND;
	if (dg == NULL || len < VMCI_DG_HDR_SIZE ||
	    dg->payload_size != len - VMCI_DG_HDR_SIZE) {
		EMU_LOG(ERR, "datagram of %zu bytes: expected 24 + payload_size", len);
		return VMCI_ERROR_INVALID_ARGS;
	}
	if (dg->dst.context == VMCI_HYPERVISOR_CID) {
		EMU_LOG(ERR, "the host makes no hypercalls (dst 0:%u)", dg->dst.resource);
		return VMCI_ERROR_INVALID_ARGS;
	}
	rte_spinlock_lock(&hv->lock);
	ret = emu_route(hv, VMCI_HOST_CID, dg);
	rte_spinlock_unlock(&hv->lock);
	return ret;
}

int
vmci_emu_host_recv(const char *hv_name, void *buf, size_t len)
{
	struct emu_hv *hv = emu_hv_find(hv_name);
	uint32_t size;
	int ret;

	if (hv == NULL)
		return -ENOENT;
	rte_spinlock_lock(&hv->lock);
	size = emu_dgq_peek_size(&hv->host.q);
	if (size == 0) {
		ret = 0;
	} else if (size > len) {
		ret = -EMSGSIZE;
	} else {
		emu_dgq_take(&hv->host.q, buf, size);
		ret = (int)size;
	}
	rte_spinlock_unlock(&hv->lock);
	return ret;
}

/* Fault queue of @cid (guest or host); -ENOENT if none. */
static int
emu_fault_queue(const char *hv_name, uint32_t cid, uint32_t n, bool drop)
{
	struct emu_hv *hv = emu_hv_find(hv_name);
	struct emu_dev *dev;
	struct emu_dgq *q;

	if (hv == NULL)
		return -ENOENT;
	rte_spinlock_lock(&hv->lock);
	q = emu_queue_of(hv, cid, &dev);
	if (q != NULL) {
		if (drop)
			q->drop = n;
		else
			q->corrupt = n;
	}
	rte_spinlock_unlock(&hv->lock);
	return q == NULL ? -ENOENT : 0;
}

int
vmci_emu_fault_drop_dg(const char *hv_name, uint32_t cid, uint32_t n)
{
	return emu_fault_queue(hv_name, cid, n, true);
}

int
vmci_emu_fault_corrupt_dg(const char *hv_name, uint32_t cid, uint32_t n)
{
	return emu_fault_queue(hv_name, cid, n, false);
}

enum emu_dev_fault {
	EMU_FAULT_ICR_HIDE,
	EMU_FAULT_DMA_SPLIT,
};

/* Set a per-device fault knob of guest @cid; -ENOENT if none. */
static int
emu_fault_dev(const char *hv_name, uint32_t cid, enum emu_dev_fault what, uint32_t val)
{
	struct emu_hv *hv = emu_hv_find(hv_name);
	struct emu_dev *dev;

	if (hv == NULL)
		return -ENOENT;
	rte_spinlock_lock(&hv->lock);
	dev = emu_dev_by_cid(hv, cid);
	if (dev != NULL && what == EMU_FAULT_ICR_HIDE)
		dev->icr_hide = val;
	else if (dev != NULL)
		dev->dma_split = val;
	rte_spinlock_unlock(&hv->lock);
	return dev == NULL ? -ENOENT : 0;
}

int
vmci_emu_fault_icr_hide(const char *hv_name, uint32_t cid, uint32_t bits)
{
	return emu_fault_dev(hv_name, cid, EMU_FAULT_ICR_HIDE, bits);
}

int
vmci_emu_fault_dma_split(const char *hv_name, uint32_t cid, uint32_t n)
{
	return emu_fault_dev(hv_name, cid, EMU_FAULT_DMA_SPLIT, n);
}

static int
emu_fault_hypercall(const char *hv_name, uint32_t cid, uint32_t rid, int32_t result,
		    uint32_t n, bool execute)
{
	struct emu_hv *hv = emu_hv_find(hv_name);

	if (hv == NULL)
		return -ENOENT;
	if (rid >= VMCI_RESOURCE_MAX) {
		EMU_LOG(ERR, "rid %u: expected < %u", rid, VMCI_RESOURCE_MAX);
		return -EINVAL;
	}
	rte_spinlock_lock(&hv->lock);
	hv->fail.cid = cid;
	hv->fail.rid = rid;
	hv->fail.result = result;
	hv->fail.n = n;
	hv->fail.execute = execute;
	rte_spinlock_unlock(&hv->lock);
	return 0;
}

int
vmci_emu_fault_fail_hypercall(const char *hv_name, uint32_t cid, uint32_t rid,
			      int32_t result, uint32_t n)
{
	return emu_fault_hypercall(hv_name, cid, rid, result, n, false);
}

int
vmci_emu_fault_hypercall_result(const char *hv_name, uint32_t cid, uint32_t rid,
				int32_t result, uint32_t n)
{
	return emu_fault_hypercall(hv_name, cid, rid, result, n, true);
}

int64_t
vmci_emu_set_context_id(const char *hv_name, uint32_t old_cid, uint32_t new_cid)
{
	struct vmci_event_payload_context ctx = { 0 };
	struct emu_hv *hv = emu_hv_find(hv_name);
	struct emu_dev *dev;
	int64_t ret;

	if (hv == NULL)
		return -ENOENT;
	if (new_cid != 0 && emu_cid_reserved(new_cid))
		return -EINVAL;
	rte_spinlock_lock(&hv->lock);
	dev = emu_dev_by_cid(hv, old_cid);
	if (dev == NULL) {
		ret = -ENOENT;
	} else if (new_cid != 0 && new_cid != old_cid &&
		   emu_slot_by_cid(hv, new_cid) >= 0) {
		ret = -EEXIST;
	} else {
		if (new_cid == 0)
			new_cid = emu_next_cid(hv);
		__atomic_store_n(&dev->cid, new_cid, __ATOMIC_RELAXED);
		ctx.context_id = new_cid;
		emu_send_event(hv, new_cid, VMCI_EVENT_CTX_ID_UPDATE, &ctx, sizeof(ctx));
		ret = new_cid;
	}
	rte_spinlock_unlock(&hv->lock);
	return ret;
}

int
vmci_emu_send_event(const char *hv_name, uint32_t cid, uint32_t event,
		    const void *payload, size_t len)
{
	struct emu_hv *hv = emu_hv_find(hv_name);
	int ret;

	if (hv == NULL)
		return VMCI_ERROR_NOT_FOUND;
	if (len > 0 && payload == NULL)
		return VMCI_ERROR_INVALID_ARGS;
	rte_spinlock_lock(&hv->lock);
	ret = emu_send_event(hv, cid, event, payload, len);
	rte_spinlock_unlock(&hv->lock);
	return ret;
}

int
vmci_emu_fault_mem_access(const char *hv_name, uint32_t cid, bool on)
{
	struct vmci_event_payload_context ctx = { .context_id = cid };

	return vmci_emu_send_event(hv_name, cid,
				   on ? VMCI_EVENT_MEM_ACCESS_ON : VMCI_EVENT_MEM_ACCESS_OFF,
				   &ctx, sizeof(ctx));
}

int
vmci_emu_fault_qp_resumed(const char *hv_name, uint32_t cid)
{
	struct vmci_event_payload_context ctx = { .context_id = cid };

	return vmci_emu_send_event(hv_name, cid, VMCI_EVENT_QP_RESUMED,
				   &ctx, sizeof(ctx));
}
