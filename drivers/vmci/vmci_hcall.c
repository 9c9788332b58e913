/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

/*
 * Datagram send (port-I/O and DMA), VMCI result codes, hypercall helpers.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_atomic.h>
#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_io.h>
#include <rte_pause.h>

#include "rte_vmci_qp_mem.h"
#include "vmci_core_priv.h"

struct vmci_result_desc {
	int32_t result;
	int err;
	const char *name;
};

#define R(code, e) { VMCI_ ## code, e, "VMCI_" #code }
static const struct vmci_result_desc vmci_results[] = {
	R(SUCCESS_QUEUEPAIR_ATTACH, 0),
	R(SUCCESS_QUEUEPAIR_CREATE, 0),
	R(SUCCESS_LAST_DETACH, 0),
	R(SUCCESS_ACCESS_GRANTED, 0),
	R(SUCCESS_ENTRY_DEAD, 0),
	R(SUCCESS, 0),
	R(ERROR_INVALID_RESOURCE, ENXIO),
	R(ERROR_INVALID_ARGS, EINVAL),
	R(ERROR_NO_MEM, ENOMEM),
	R(ERROR_DATAGRAM_FAILED, EIO),
	R(ERROR_MORE_DATA, EMSGSIZE),
	R(ERROR_NO_MORE_DATAGRAMS, ENOMSG),
	R(ERROR_NO_ACCESS, EACCES),
	R(ERROR_NO_HANDLE, ENOENT),
	R(ERROR_DUPLICATE_ENTRY, EEXIST),
	R(ERROR_DST_UNREACHABLE, EHOSTUNREACH),
	R(ERROR_PAYLOAD_TOO_LARGE, EMSGSIZE),
	R(ERROR_INVALID_PRIV, EPERM),
	R(ERROR_GENERIC, EIO),
	R(ERROR_PAGE_ALREADY_SHARED, EEXIST),
	R(ERROR_CANNOT_SHARE_PAGE, EIO),
	R(ERROR_CANNOT_UNSHARE_PAGE, EIO),
	R(ERROR_NO_PROCESS, ESRCH),
	R(ERROR_NO_DATAGRAM, ENOMSG),
	R(ERROR_NO_RESOURCES, ENOBUFS),
	R(ERROR_UNAVAILABLE, EBUSY),
	R(ERROR_NOT_FOUND, ENOENT),
	R(ERROR_ALREADY_EXISTS, EEXIST),
	R(ERROR_NOT_PAGE_ALIGNED, EINVAL),
	R(ERROR_INVALID_SIZE, EINVAL),
	R(ERROR_REGION_ALREADY_SHARED, EEXIST),
	R(ERROR_TIMEOUT, ETIMEDOUT),
	R(ERROR_DATAGRAM_INCOMPLETE, EIO),
	R(ERROR_INCORRECT_IRQL, EINVAL),
	R(ERROR_EVENT_UNKNOWN, EINVAL),
	R(ERROR_OBSOLETE, EOPNOTSUPP),
	R(ERROR_QUEUEPAIR_MISMATCH, EINVAL),
	R(ERROR_QUEUEPAIR_NOTSET, ENOTCONN),
	R(ERROR_QUEUEPAIR_NOTOWNER, EPERM),
	R(ERROR_QUEUEPAIR_NOTATTACHED, ENOTCONN),
	R(ERROR_QUEUEPAIR_NOSPACE, EAGAIN),
	R(ERROR_QUEUEPAIR_NODATA, EAGAIN),
	R(ERROR_BUSMEM_INVALIDATION, EFAULT),
	R(ERROR_MODULE_NOT_LOADED, ENOSYS),
	R(ERROR_DEVICE_NOT_FOUND, ENODEV),
	R(ERROR_QUEUEPAIR_NOT_READY, EAGAIN),
	R(ERROR_WOULD_BLOCK, EAGAIN),
};
#undef R

static const struct vmci_result_desc *
vmci_result_find(int32_t result)
{
	unsigned int i;

	for (i = 0; i < RTE_DIM(vmci_results); i++)
		if (vmci_results[i].result == result)
			return &vmci_results[i];
	return NULL;
}

int
vmci_result_to_errno(int32_t result)
{
	const struct vmci_result_desc *d;

	if (result >= 0)
		return 0;
	d = vmci_result_find(result);
	return d != NULL ? d->err : EPROTO;
}

const char *
vmci_result_str(int32_t result)
{
	const struct vmci_result_desc *d = vmci_result_find(result);

	if (d != NULL)
		return d->name;
	return result >= 0 ? "success" : "unknown";
}

/* Port-I/O path: exactly 24 + payload_size bytes, then RESULT_LOW. */
static int32_t
vmci_send_port(struct vmci_device *dev, const struct vmci_dg_hdr *dg, size_t len)
{
	vmci_reg_write_fifo(dev, VMCI_REG_DATA_OUT, dg, len);
	return (int32_t)vmci_reg_read32(dev, VMCI_REG_RESULT_LOW);
}

static bool
vmci_dma_wait(struct vmci_device *dev, volatile uint32_t *busy, uint32_t want)
{
	uint64_t deadline = rte_get_timer_cycles() + dev->dma_timeout_cycles;

	/* Acquire: the device's data/result writes are visible once busy flips. */
	while (__atomic_load_n(busy, __ATOMIC_ACQUIRE) != want) {
		if (rte_get_timer_cycles() > deadline)
			return false;
		rte_pause();
	}
	return true;
}

/* DMA path (section 4.5): inline datagram after the TX header, busy handshake. */
static int
vmci_send_dma(struct vmci_device *dev, const struct vmci_dg_hdr *dg, size_t len,
	      int32_t *result)
{
	struct vmci_dma_hdr *hdr = dev->dma_tx_mz->addr;
	int32_t r;

	if (dev->dma_tx_stuck) {
		if (__atomic_load_n(&hdr->busy, __ATOMIC_ACQUIRE) != 0) {
			VMCI_DG_LOG(ERR, "%s: TX buffer still owned by the device (busy=1 since a timeout)",
				    dev->name);
			return -EBUSY;
		}
		dev->dma_tx_stuck = false;
	}
	memcpy(hdr + 1, dg, len);
	hdr->opcode = VMCI_DMA_OP_INLINE;
	hdr->size = (uint32_t)len;
	hdr->rsvd = 0;
	hdr->result = 0;
	__atomic_store_n(&hdr->busy, 1, __ATOMIC_RELAXED);
	/* The device reads the buffer after the doorbell write: order them. */
	rte_io_wmb();
	vmci_reg_write32(dev, VMCI_REG_DATA_OUT_LOW, (uint32_t)dev->dma_tx_mz->iova);
	if (!vmci_dma_wait(dev, &hdr->busy, 0)) {
		dev->dma_tx_stuck = true;
		VMCI_DG_LOG(ERR, "%s: DMA send of %zu bytes: busy still 1 after %" PRIu64 " cycles",
			    dev->name, len, dev->dma_timeout_cycles);
		return -ETIMEDOUT;
	}
	/* RESULT_LOW 0 means "transport fine, see the header"; else it is the result. */
	r = (int32_t)vmci_reg_read32(dev, VMCI_REG_RESULT_LOW);
	if (r == 0)
		r = (int32_t)(uint32_t)__atomic_load_n(&hdr->result, __ATOMIC_RELAXED);
	*result = r;
	return 0;
}

/* Hypercall names by resource ID (vmci-device.md 4.3), for the trace. */
static const char *
vmci_hc_name(uint32_t rid)
{
	static const char *const names[] = {
		"RESOURCES_QUERY", "GET_CONTEXT_ID", "SET_NOTIFY_BITMAP", "DOORBELL_LINK",
		"DOORBELL_UNLINK", "DOORBELL_NOTIFY", "DATAGRAM_REQUEST_MAP",
		"DATAGRAM_REMOVE_MAP", "EVENT_SUBSCRIBE", "EVENT_UNSUBSCRIBE",
		"QUEUEPAIR_ALLOC", "QUEUEPAIR_DETACH",
	};

	return rid < RTE_DIM(names) ? names[rid] : "?";
}

/*
 * Every datagram sent, with the device's answer, at DEBUG: hypercalls on
 * bus.vmci (the bring-up trace app/vmci-diag reads), others on
 * bus.vmci.dgram. A positive answer may be a value (a mask, a context ID,
 * a size), so only the others are named.
 */
static void
vmci_send_trace(struct vmci_device *dev, const struct vmci_dg_hdr *dg, int32_t result)
{
	const char *open = result <= 0 ? " (" : "";
	const char *name = result <= 0 ? vmci_result_str(result) : "";
	const char *close = result <= 0 ? ")" : "";

	if (dg->dst.context == VMCI_HYPERVISOR_CID)
		VMCI_LOG(DEBUG, "%s: hypercall %s (0:%u, payload %" PRIu64 " bytes): result %d%s%s%s",
			 dev->name, vmci_hc_name(dg->dst.resource), dg->dst.resource,
			 dg->payload_size, result, open, name, close);
	else
		VMCI_DG_LOG(DEBUG, "%s: datagram %u:%u -> %u:%u, payload %" PRIu64
			    " bytes: result %d%s%s%s", dev->name, dg->src.context,
			    dg->src.resource, dg->dst.context, dg->dst.resource,
			    dg->payload_size, result, open, name, close);
}

int
vmci_send_datagram_locked(struct vmci_device *dev, const struct vmci_dg_hdr *dg,
			  int32_t *result)
{
	uint64_t psize = dg->payload_size;
	size_t len;
	int ret = 0;

	/* Routable datagrams are bounded; hypervisor-bound ones only on DMA. */
	if (psize > VMCI_MAX_DG_PAYLOAD_SIZE &&
	    (dg->dst.context != VMCI_HYPERVISOR_CID || vmci_dev_dma(dev) ||
	     psize > (uint64_t)SIZE_MAX / 2)) {
		VMCI_DG_LOG(ERR, "%s: datagram to %u:%u with payload %" PRIu64
			    " bytes, expected <= %u on the %s path", dev->name,
			    dg->dst.context, dg->dst.resource, psize,
			    VMCI_MAX_DG_PAYLOAD_SIZE, vmci_dev_dma(dev) ? "DMA" : "port-I/O");
		return -EMSGSIZE;
	}
	len = VMCI_DG_HDR_SIZE + (size_t)psize;
	if (vmci_dev_dma(dev))
		ret = vmci_send_dma(dev, dg, len, result);
	else
		*result = vmci_send_port(dev, dg, len);
	if (ret == 0) {
		dev->stats.dg_sent++;
		vmci_send_trace(dev, dg, *result);
	} else {
		dev->stats.dg_send_errors++;
	}
	return ret;
}

int
vmci_send_datagram(struct vmci_device *dev, const struct vmci_dg_hdr *dg, int32_t *result)
{
	int ret;

	rte_spinlock_lock(&dev->chan_lock);
	ret = vmci_send_datagram_locked(dev, dg, result);
	rte_spinlock_unlock(&dev->chan_lock);
	return ret;
}

/*
 * The results other than a VMCI error that a hypercall may return
 * (vmci-device.md 4.4, and what the reference guests accept).
 */
struct vmci_hc_expect {
	const char *what;      /* hypercall name, for the log */
	int32_t ok[2];
	unsigned int n_ok;
	const char *expected;  /* the same values, for the log */
};

static const struct vmci_hc_expect hc_success_only[] = {
	[VMCI_SET_NOTIFY_BITMAP] = { "SET_NOTIFY_BITMAP", { VMCI_SUCCESS }, 1, "0 (VMCI_SUCCESS)" },
	[VMCI_DOORBELL_LINK] = { "DOORBELL_LINK", { VMCI_SUCCESS }, 1, "0 (VMCI_SUCCESS)" },
	[VMCI_DOORBELL_UNLINK] = { "DOORBELL_UNLINK", { VMCI_SUCCESS }, 1, "0 (VMCI_SUCCESS)" },
	[VMCI_DOORBELL_NOTIFY] = { "DOORBELL_NOTIFY", { VMCI_SUCCESS }, 1, "0 (VMCI_SUCCESS)" },
	/* Sent by no guest: the result is undocumented, success is taken as 0. */
	[VMCI_EVENT_SUBSCRIBE] = { "EVENT_SUBSCRIBE", { VMCI_SUCCESS }, 1, "0 (VMCI_SUCCESS)" },
	[VMCI_EVENT_UNSUBSCRIBE] = { "EVENT_UNSUBSCRIBE", { VMCI_SUCCESS }, 1,
				     "0 (VMCI_SUCCESS)" },
	/* The broker answers 0 or SUCCESS_LAST_DETACH. */
	[VMCI_QUEUEPAIR_DETACH] = { "QUEUEPAIR_DETACH", { VMCI_SUCCESS, VMCI_SUCCESS_LAST_DETACH },
				    2, "0 (VMCI_SUCCESS) or 3 (VMCI_SUCCESS_LAST_DETACH)" },
};

/* The broker answers a create with 0 or SUCCESS_QUEUEPAIR_CREATE ... */
static const struct vmci_hc_expect hc_qp_create = {
	"QUEUEPAIR_ALLOC", { VMCI_SUCCESS, VMCI_SUCCESS_QUEUEPAIR_CREATE }, 2,
	"0 (VMCI_SUCCESS) or 4 (VMCI_SUCCESS_QUEUEPAIR_CREATE) for a create",
};

/* ... and an ATTACH_ONLY alloc with 0 or SUCCESS_QUEUEPAIR_ATTACH. */
static const struct vmci_hc_expect hc_qp_attach = {
	"QUEUEPAIR_ALLOC", { VMCI_SUCCESS, VMCI_SUCCESS_QUEUEPAIR_ATTACH }, 2,
	"0 (VMCI_SUCCESS) or 5 (VMCI_SUCCESS_QUEUEPAIR_ATTACH) for an attach",
};

/*
 * A result the device may not give: the call did not do what we asked
 * (or did something we cannot know), so it is an error, never success.
 */
static int
vmci_hc_unexpected(struct vmci_device *dev, const char *what, int32_t result,
		   const char *expected)
{
	/* Datagram sends run without the device lock. */
	__atomic_fetch_add(&dev->stats.hc_unexpected, 1, __ATOMIC_RELAXED);
	VMCI_LOG(ERR, "%s: %s: device returned %" PRId32 " (0x%" PRIx32 "), expected %s",
		 dev->name, what, result, (uint32_t)result, expected);
	return -EPROTO;
}

/* Send a hypercall: 0 with *result >= 0, or -errno (not sent; a VMCI error, mapped). */
static int
vmci_hypercall_raw(struct vmci_device *dev, const struct vmci_dg_hdr *dg, const char *what,
		   int32_t *result)
{
	int ret;

	ret = vmci_send_datagram(dev, dg, result);
	if (ret < 0) {
		VMCI_LOG(ERR, "%s: %s: not sent: %s", dev->name, what, strerror(-ret));
		return ret;
	}
	if (*result < 0) {
		VMCI_LOG(ERR, "%s: %s: device returned %d (%s)", dev->name, what,
			 *result, vmci_result_str(*result));
		return -vmci_result_to_errno(*result);
	}
	return 0;
}

/* Send a hypercall whose success results are @exp; returns the result or -errno. */
static int
vmci_hypercall(struct vmci_device *dev, const struct vmci_dg_hdr *dg,
	       const struct vmci_hc_expect *exp)
{
	unsigned int i;
	int32_t result;
	int ret;

	ret = vmci_hypercall_raw(dev, dg, exp->what, &result);
	if (ret < 0)
		return ret;
	for (i = 0; i < exp->n_ok; i++)
		if (result == exp->ok[i])
			return result;
	return vmci_hc_unexpected(dev, exp->what, result, exp->expected);
}

int
vmci_dg_send_result(struct vmci_device *dev, struct rte_vmci_handle dst, size_t len,
		    int32_t result)
{
	int32_t size = (int32_t)(VMCI_DG_HDR_SIZE + len);
	char expected[64];

	if (result < 0) {
		VMCI_DG_LOG(DEBUG, "%s: send to %u:%u: %d (%s)", dev->name, dst.context,
			    dst.resource, result, vmci_result_str(result));
		return -vmci_result_to_errno(result);
	}
	/* The host answers a routed datagram with its size (24 + payload). */
	if (result != size) {
		snprintf(expected, sizeof(expected), "%" PRId32 " (the datagram's size) or an error",
			 size);
		return vmci_hc_unexpected(dev, "datagram send", result, expected);
	}
	return result;
}

static void
vmci_hc_hdr(struct vmci_dg_hdr *hdr, uint32_t rid, uint64_t payload_size)
{
	hdr->dst.context = VMCI_HYPERVISOR_CID;
	hdr->dst.resource = rid;
	/* Anonymous source: no reply datagram expected. */
	hdr->src.context = VMCI_INVALID_ID;
	hdr->src.resource = VMCI_INVALID_ID;
	hdr->payload_size = payload_size;
}

int
vmci_hc_get_context_id(struct vmci_device *dev, uint32_t *cid)
{
	struct vmci_dg_hdr hdr;
	int32_t result;
	uint32_t id;
	int ret;

	vmci_hc_hdr(&hdr, VMCI_GET_CONTEXT_ID, 0);
	/* The result is a u32 CID, not a signed VMCI code: no mapping. */
	ret = vmci_send_datagram(dev, &hdr, &result);
	if (ret < 0)
		return ret;
	id = (uint32_t)result;
	/* The host's device is the host's (2), whose CID never changes. */
	if (dev->hw->host && id != VMCI_HOST_CID)
		return vmci_hc_unexpected(dev, "GET_CONTEXT_ID", result,
					  "the host's context ID, 2");
	/* A VM's CID is above the host's (2) and not the invalid ID (4.2). */
	if (!dev->hw->host && (id <= VMCI_HOST_CID || id == VMCI_INVALID_ID))
		return vmci_hc_unexpected(dev, "GET_CONTEXT_ID", result,
					  "a VM context ID, 3..0xfffffffe");
	*cid = id;
	return 0;
}

int
vmci_hc_resources_query(struct vmci_device *dev, const uint32_t *rids, uint32_t n,
			uint32_t *supported)
{
	struct {
		struct vmci_resources_query_msg m;
		uint32_t rid[VMCI_RESOURCES_QUERY_MAX];
	} q;
	char expected[48];
	int32_t result;
	int ret;

	if (n == 0 || n > VMCI_RESOURCES_QUERY_MAX) {
		VMCI_LOG(ERR, "%s: RESOURCES_QUERY of %u resources, expected 1..%u",
			 dev->name, n, VMCI_RESOURCES_QUERY_MAX);
		return -EINVAL;
	}
	memset(&q, 0, sizeof(q));
	vmci_hc_hdr(&q.m.hdr, VMCI_RESOURCES_QUERY, 8 + 4 * (uint64_t)n);
	q.m.num_resources = n;
	memcpy(q.rid, rids, n * sizeof(*rids));
	ret = vmci_hypercall_raw(dev, &q.m.hdr, "RESOURCES_QUERY", &result);
	if (ret < 0)
		return ret;
	/* One bit per resource asked about; none above them. */
	if ((uint32_t)result >> n != 0) {
		snprintf(expected, sizeof(expected), "a mask of %u bits, 0..0x%x", n,
			 (1u << n) - 1);
		return vmci_hc_unexpected(dev, "RESOURCES_QUERY", result, expected);
	}
	*supported = (uint32_t)result;
	return 0;
}

int
vmci_hc_set_notify_bitmap(struct vmci_device *dev, rte_iova_t iova)
{
	uint64_t ppn = iova >> RTE_VMCI_QP_PAGE_SHIFT;
	struct vmci_notify_bitmap_set32_msg m32;
	struct vmci_notify_bitmap_set64_msg m64;

	if (dev->caps & VMCI_CAPS_PPN64) {
		memset(&m64, 0, sizeof(m64));
		vmci_hc_hdr(&m64.hdr, VMCI_SET_NOTIFY_BITMAP, 8);
		m64.bitmap_ppn = ppn;
		return vmci_hypercall(dev, &m64.hdr, &hc_success_only[VMCI_SET_NOTIFY_BITMAP]);
	}
	if (ppn > UINT32_MAX) {
		VMCI_LOG(ERR, "%s: bitmap IOVA 0x%" PRIx64 " gives PPN 0x%" PRIx64
			 ", expected <= 0x%x without PPN64 (IOVA below 2^44; try --iova-mode=pa)",
			 dev->name, iova, ppn, UINT32_MAX);
		return -ERANGE;
	}
	memset(&m32, 0, sizeof(m32));
	vmci_hc_hdr(&m32.hdr, VMCI_SET_NOTIFY_BITMAP, 8);
	m32.bitmap_ppn = (uint32_t)ppn;
	return vmci_hypercall(dev, &m32.hdr, &hc_success_only[VMCI_SET_NOTIFY_BITMAP]);
}

int
vmci_hc_doorbell_link(struct vmci_device *dev, struct rte_vmci_handle handle,
		      uint64_t notify_idx)
{
	struct vmci_doorbell_link_msg m;

	memset(&m, 0, sizeof(m));
	vmci_hc_hdr(&m.hdr, VMCI_DOORBELL_LINK, sizeof(m) - VMCI_DG_HDR_SIZE);
	m.handle = handle;
	m.notify_idx = notify_idx;
	return vmci_hypercall(dev, &m.hdr, &hc_success_only[VMCI_DOORBELL_LINK]);
}

static int
vmci_hc_handle(struct vmci_device *dev, uint32_t rid, struct rte_vmci_handle handle)
{
	struct vmci_handle_msg m;

	memset(&m, 0, sizeof(m));
	vmci_hc_hdr(&m.hdr, rid, sizeof(m) - VMCI_DG_HDR_SIZE);
	m.handle = handle;
	return vmci_hypercall(dev, &m.hdr, &hc_success_only[rid]);
}

int
vmci_hc_doorbell_unlink(struct vmci_device *dev, struct rte_vmci_handle handle)
{
	return vmci_hc_handle(dev, VMCI_DOORBELL_UNLINK, handle);
}

int
vmci_hc_doorbell_notify(struct vmci_device *dev, struct rte_vmci_handle handle)
{
	return vmci_hc_handle(dev, VMCI_DOORBELL_NOTIFY, handle);
}

int
vmci_hc_qp_detach(struct vmci_device *dev, struct rte_vmci_handle handle)
{
	return vmci_hc_handle(dev, VMCI_QUEUEPAIR_DETACH, handle);
}

static int
vmci_hc_event(struct vmci_device *dev, uint32_t rid, uint32_t event)
{
	struct vmci_event_msg m;

	memset(&m, 0, sizeof(m));
	vmci_hc_hdr(&m.hdr, rid, sizeof(m.event_data));
	m.event_data.event = event;
	return vmci_hypercall(dev, &m.hdr, &hc_success_only[rid]);
}

int
vmci_hc_event_subscribe(struct vmci_device *dev, uint32_t event)
{
	return vmci_hc_event(dev, VMCI_EVENT_SUBSCRIBE, event);
}

int
vmci_hc_event_unsubscribe(struct vmci_device *dev, uint32_t event)
{
	return vmci_hc_event(dev, VMCI_EVENT_UNSUBSCRIBE, event);
}

/* Fill the page list after the fixed part; returns bytes of list or -errno. */
static int64_t
vmci_qp_alloc_ppns(struct vmci_device *dev, const struct rte_vmci_qp_mem *mem,
		   void *list, uint64_t n)
{
	int64_t got;

	if (dev->caps & VMCI_CAPS_PPN64)
		got = rte_vmci_qp_mem_ppn64(mem, list, n);
	else
		got = rte_vmci_qp_mem_ppn32(mem, list, n);
	if (got < 0)
		return got;
	if ((uint64_t)got != n) {
		VMCI_QP_LOG(ERR, "%s: page list has %" PRId64 " entries, expected %" PRIu64,
			    dev->name, got, n);
		return -EIO;
	}
	return (int64_t)n * ((dev->caps & VMCI_CAPS_PPN64) ? 8 : 4);
}

int
vmci_hc_qp_alloc(struct vmci_device *dev, struct rte_vmci_handle handle, uint32_t peer,
		 uint32_t flags, const struct rte_vmci_qp_mem *mem,
		 uint64_t produce_size, uint64_t consume_size)
{
	uint64_t n = mem != NULL ? rte_vmci_qp_mem_num_pages(mem) : 0;
	size_t esz = (dev->caps & VMCI_CAPS_PPN64) ? 8 : 4;
	struct vmci_qp_alloc_msg *m;
	uint64_t total;
	int64_t list;
	int ret;

	total = sizeof(*m) + n * esz;
	if (vmci_dev_dma(dev) && total > VMCI_MAX_DG_SIZE) {
		VMCI_QP_LOG(ERR, "%s: QUEUEPAIR_ALLOC of %" PRIu64 " pages is %" PRIu64
			    " bytes, expected <= %u in DMA mode (about 34 MiB of queue)",
			    dev->name, n, total, VMCI_MAX_DG_SIZE);
		return -EMSGSIZE;
	}
	m = calloc(1, total);
	if (m == NULL)
		return -ENOMEM;
	list = mem != NULL ? vmci_qp_alloc_ppns(dev, mem, m + 1, n) : 0;
	if (list < 0) {
		free(m);
		return (int)list;
	}
	vmci_hc_hdr(&m->hdr, VMCI_QUEUEPAIR_ALLOC, total - VMCI_DG_HDR_SIZE);
	m->handle = handle;
	m->peer = peer;
	m->flags = flags;
	m->produce_size = mem != NULL ? rte_vmci_qp_mem_produce_size(mem) : produce_size;
	m->consume_size = mem != NULL ? rte_vmci_qp_mem_consume_size(mem) : consume_size;
	m->num_ppns = n;
	ret = vmci_hypercall(dev, &m->hdr,
			     (flags & VMCI_QPFLAG_ATTACH_ONLY) ? &hc_qp_attach : &hc_qp_create);
	free(m);
	return ret;
}
