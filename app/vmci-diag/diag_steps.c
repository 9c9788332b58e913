/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

/*
 * Steps 2-5: bring-up as the driver's trace shows it, a hypercall round
 * trip and datagrams, a queue pair with the host, vSockets. Only the
 * public rte_vmci_ API is used. When the emulated host device is up
 * (vmci_hostN), the tool serves the host's side through it: an echo
 * datagram endpoint and the host end of the queue pair.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <rte_bus_vmci.h>
#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_vmci_qp.h>
#include <rte_vmci_vsock.h>

#include "diag.h"

/* Capability bits of the CAPS register (device spec, section 2). */
#define CAPS_DATAGRAM      0x04u
#define CAPS_NOTIFICATIONS 0x08u
#define CAPS_PPN64         0x10u
#define CAPS_DMA_DATAGRAM  0x20u

/* Hypercall resource IDs asked about in step 3 (device spec, 4.3). */
static const struct {
	uint32_t rid;
	const char *name;
	bool required;
} diag_hcalls[] = {
	{ 0, "RESOURCES_QUERY", true },
	{ 1, "GET_CONTEXT_ID", true },
	{ 2, "SET_NOTIFY_BITMAP", false },
	{ 3, "DOORBELL_LINK", false },
	{ 4, "DOORBELL_UNLINK", false },
	{ 5, "DOORBELL_NOTIFY", false },
	{ 10, "QUEUEPAIR_ALLOC", true },
	{ 11, "QUEUEPAIR_DETACH", true },
};

#define DIAG_HCALL_ROUNDS 8u
#define DIAG_DG_ROUNDS 8u
#define DIAG_QP_SIZE 4096u
/* Queue memory the hypervisor gives one context (device spec, 5.4). */
#define DIAG_QP_MEMORY_LIMIT (128u * 1024u * 1024u)

static void
diag_caps_str(uint32_t caps, char *buf, size_t len)
{
	static const char *const names[] = {
		"HYPERCALL", "GUESTCALL", "DATAGRAM", "NOTIFICATIONS", "PPN64", "DMA_DATAGRAM",
	};
	const char *sep = " (";
	unsigned int i;
	size_t off;

	off = snprintf(buf, len, "0x%x", caps);
	for (i = 0; i < RTE_DIM(names) && off < len; i++) {
		if (!(caps & (1u << i)))
			continue;
		off += snprintf(buf + off, len - off, "%s%s", sep, names[i]);
		sep = "|";
	}
	if (sep[0] == '|' && off < len)
		snprintf(buf + off, len - off, ")");
}

/* Microseconds to 0.001: what the clock resolves. */
static double
diag_round_us(double us)
{
	return (double)(int64_t)(us * 1000 + 0.5) / 1000;
}

/* Step 2. */

static void
diag_find_devices(struct diag_ctx *ctx)
{
	struct rte_vmci_dev_info info;
	uint16_t i, n = rte_vmci_dev_count();

	for (i = 0; i < n; i++) {
		struct rte_vmci_device *d = rte_vmci_dev_get(i);

		if (rte_vmci_dev_info_get(d, &info) < 0)
			continue;
		if (strcmp(info.backend, "emu-host") == 0) {
			if (ctx->host == NULL)
				ctx->host = d;
			continue;
		}
		if (ctx->dev == NULL && (ctx->opts.device == NULL ||
					 strcmp(ctx->opts.device, info.name) == 0))
			ctx->dev = d;
	}
}

/* Count the trace: register accesses and hypercalls, in the order logged. */
static void
diag_trace_counts(struct diag_step *s, unsigned int *regs, unsigned int *hcalls,
		  bool *caps_read)
{
	unsigned int i;

	*regs = *hcalls = 0;
	*caps_read = false;
	for (i = 0; i < s->nb_log; i++) {
		if (strstr(s->log[i], "VMCI: reg: ") != NULL) {
			(*regs)++;
			*caps_read |= strstr(s->log[i], "read32 CAPS") != NULL;
		}
		*hcalls += strstr(s->log[i], ": hypercall ") != NULL;
	}
}

/* What the driver should have chosen from what the device offered. */
static uint32_t
diag_caps_expected(uint32_t offered, bool mmio)
{
	uint32_t use = CAPS_DATAGRAM;

	use |= offered & (CAPS_PPN64 | CAPS_NOTIFICATIONS);
	if (mmio)
		use |= CAPS_DMA_DATAGRAM;
	return use;
}

static void
diag_check_caps(struct diag_step *s, const struct rte_vmci_dev_info *info, bool mmio)
{
	uint32_t want = diag_caps_expected(info->caps_offered, mmio);
	char a[128], b[128];

	diag_caps_str(info->caps_offered, a, sizeof(a));
	if (!(info->caps_offered & CAPS_NOTIFICATIONS))
		diag_fail(s, "caps offered %s lack NOTIFICATIONS (0x%x): no doorbells",
			  a, CAPS_NOTIFICATIONS);
	if (info->caps != want) {
		diag_caps_str(info->caps, a, sizeof(a));
		diag_caps_str(want, b, sizeof(b));
		diag_fail(s, "caps in use %s, expected %s for what the device offered", a, b);
	}
	if (!(info->caps_offered & CAPS_PPN64))
		diag_value_str(s, "caps.note", "no PPN64: queue-pair pages must lie below 16 TiB");
}

void
diag_step_bringup(struct diag_ctx *ctx)
{
	struct diag_step *s = &ctx->steps[DIAG_STEP_BRINGUP];
	struct rte_vmci_dev_info info;
	unsigned int regs, hcalls;
	bool caps_read, mmio;
	char buf[128];

	/* The trace of EAL init, which brought the devices up. */
	diag_log_take(s);
	diag_find_devices(ctx);
	diag_value_num(s, "devices", rte_vmci_dev_count());
	if (ctx->dev == NULL) {
		if (ctx->opts.device != NULL)
			diag_set(s, DIAG_FAIL, "no vmci device \"%s\" is up", ctx->opts.device);
		else if (ctx->vmci_pci_found)
			diag_set(s, DIAG_FAIL, "the VMCI function was not brought up; driver: %s",
				 diag_log_last_error(s));
		else
			diag_set(s, DIAG_SKIP, "no VMCI device: no VMCI PCI function and no "
				 "emulated device named (-a vmci:vmci_emu0)");
		return;
	}
	rte_vmci_dev_info_get(ctx->dev, &info);
	mmio = strcmp(info.backend, "pci-mmio") == 0;
	diag_set(s, DIAG_PASS, "%s up over %s, context ID %u", info.name, info.backend,
		 info.context_id);
	diag_value_str(s, "device", "%s", info.name);
	diag_value_str(s, "backend", "%s", info.backend);
	diag_value_str(s, "registers", "%s", mmio ? "MMIO (BAR1 + 0x20000)" :
		       strcmp(info.backend, "pci-ioport") == 0 ? "port I/O (BAR0)" : "emulated");
	diag_caps_str(info.caps_offered, buf, sizeof(buf));
	diag_value_str(s, "caps.offered", "%s", buf);
	diag_caps_str(info.caps, buf, sizeof(buf));
	diag_value_str(s, "caps.in_use", "%s", buf);
	diag_value_str(s, "datagrams", "%s", info.caps & CAPS_DMA_DATAGRAM ?
		       "DMA (DATA_OUT_LOW / DATA_IN_LOW buffers)" : "port FIFO (DATA_OUT / DATA_IN)");
	diag_value_str(s, "notify_bitmap", "%s", info.caps & CAPS_NOTIFICATIONS ?
		       "registered (SET_NOTIFY_BITMAP)" : "none: doorbells unavailable");
	diag_value_num(s, "context_id", info.context_id);
	diag_value_num(s, "numa_node", info.numa_node);
	diag_value_str(s, "emulated_host", "%s", ctx->host != NULL ? "yes" : "no");
	diag_check_caps(s, &info, mmio);
	if (info.context_id == RTE_VMCI_INVALID_ID || info.context_id <= RTE_VMCI_HOST_CID)
		diag_fail(s, "context ID %u: expected a guest context (> %u)", info.context_id,
			  RTE_VMCI_HOST_CID);
	diag_trace_counts(s, &regs, &hcalls, &caps_read);
	diag_value_num(s, "trace.register_accesses", regs);
	diag_value_num(s, "trace.hypercalls", hcalls);
	if (!caps_read || hcalls == 0)
		diag_fail(s, "the bring-up trace lacks %s (log types bus.vmci.reg and bus.vmci "
			  "at debug)", !caps_read ? "the CAPS read" : "the hypercalls");
}

/* Step 3. */

struct diag_dg_rx {
	bool got;
	uint32_t len;
	struct rte_vmci_handle src;
	uint8_t buf[64];
};

static void
diag_dg_guest_cb(struct rte_vmci_dgram *ep, struct rte_vmci_handle src,
		 const void *payload, uint32_t len, void *arg)
{
	struct diag_dg_rx *rx = arg;

	RTE_SET_USED(ep);
	rx->got = true;
	rx->src = src;
	rx->len = len;
	memcpy(rx->buf, payload, RTE_MIN(len, (uint32_t)sizeof(rx->buf)));
}

/* The host's side on the emulated host device: send back what came. */
static void
diag_dg_echo_cb(struct rte_vmci_dgram *ep, struct rte_vmci_handle src,
		const void *payload, uint32_t len, void *arg)
{
	RTE_SET_USED(arg);
	rte_vmci_dgram_send(ep, src, payload, len);
}

static void
diag_poll(struct diag_ctx *ctx)
{
	rte_vmci_poll(ctx->dev);
	if (ctx->host != NULL)
		rte_vmci_poll(ctx->host);
}

static int
diag_resources_query(struct diag_ctx *ctx, struct diag_step *s)
{
	uint32_t rids[RTE_DIM(diag_hcalls)], mask = 0;
	double t, tmin = 1e30, tmax = 0, tsum = 0;
	unsigned int i;
	char key[64];
	int ret;

	for (i = 0; i < RTE_DIM(diag_hcalls); i++)
		rids[i] = diag_hcalls[i].rid;
	for (i = 0; i < DIAG_HCALL_ROUNDS && !diag_expired(ctx); i++) {
		t = diag_now_us();
		ret = rte_vmci_dev_resources_query(ctx->dev, rids, RTE_DIM(rids), &mask);
		t = diag_now_us() - t;
		if (ret < 0) {
			diag_log_take(s);
			diag_fail(s, "RESOURCES_QUERY round trip %u: %s; driver: %s", i + 1,
				  strerror(-ret), diag_log_last_error(s));
			return ret;
		}
		tmin = RTE_MIN(tmin, t);
		tmax = RTE_MAX(tmax, t);
		tsum += t;
	}
	diag_value_num(s, "hypercall.rounds", i);
	diag_value_num(s, "hypercall.us_min", diag_round_us(tmin));
	diag_value_num(s, "hypercall.us_avg", diag_round_us(tsum / i));
	diag_value_num(s, "hypercall.us_max", diag_round_us(tmax));
	diag_value_str(s, "hypercall.supported_mask", "0x%x", mask);
	for (i = 0; i < RTE_DIM(diag_hcalls); i++) {
		bool yes = mask & (1u << i);

		snprintf(key, sizeof(key), "hypercall.%s", diag_hcalls[i].name);
		diag_value_str(s, key, "%s", yes ? "supported" : "not supported");
		if (!yes && diag_hcalls[i].required)
			diag_fail(s, "RESOURCES_QUERY answered 0x%x: %s (resource %u) not "
				  "supported", mask, diag_hcalls[i].name, diag_hcalls[i].rid);
	}
	return 0;
}

static int
diag_dg_round(struct diag_ctx *ctx, struct diag_step *s, struct rte_vmci_dgram *ep,
	      struct rte_vmci_handle dst, struct diag_dg_rx *rx, unsigned int seq,
	      double *rtt)
{
	char msg[32];
	int len, ret;
	double t0;

	len = snprintf(msg, sizeof(msg), "vmci-diag %u", seq);
	memset(rx, 0, sizeof(*rx));
	t0 = diag_now_us();
	ret = rte_vmci_dgram_send(ep, dst, msg, len);
	if (ret < 0) {
		diag_log_take(s);
		diag_fail(s, "datagram %u to %u:%u not sent: %s; driver: %s", seq, dst.context,
			  dst.resource, strerror(-ret), diag_log_last_error(s));
		return ret;
	}
	while (!rx->got && !diag_expired(ctx))
		diag_poll(ctx);
	*rtt = diag_now_us() - t0;
	if (!rx->got) {
		diag_fail(s, "datagram %u to %u:%u (%d bytes, send result %d): no answer "
			  "within the step's %u ms", seq, dst.context, dst.resource, len, ret,
			  ctx->opts.timeout_ms);
		return -ETIMEDOUT;
	}
	if (rx->len != (uint32_t)len || memcmp(rx->buf, msg, len) != 0 ||
	    rx->src.context != dst.context || rx->src.resource != dst.resource) {
		diag_fail(s, "datagram %u: answer from %u:%u of %u bytes \"%.*s\", expected "
			  "from %u:%u %d bytes \"%s\"", seq, rx->src.context, rx->src.resource,
			  rx->len, (int)RTE_MIN(rx->len, (uint32_t)sizeof(rx->buf)), rx->buf,
			  dst.context, dst.resource, len, msg);
		return -EPROTO;
	}
	return 0;
}

static void
diag_dg_echo(struct diag_ctx *ctx, struct diag_step *s)
{
	struct rte_vmci_dgram *ep = NULL, *echo = NULL;
	double rtt, tmin = 1e30, tmax = 0, tsum = 0;
	struct rte_vmci_handle dst;
	struct diag_dg_rx rx;
	unsigned int i;

	if (ctx->host == NULL) {
		diag_value_str(s, "datagram.echo", "skipped: on a VMware host no datagram "
			       "resource answers without vSockets (step 5)");
		return;
	}
	echo = rte_vmci_dgram_create(ctx->host, RTE_VMCI_INVALID_ID, diag_dg_echo_cb, NULL);
	ep = rte_vmci_dgram_create(ctx->dev, RTE_VMCI_INVALID_ID, diag_dg_guest_cb, &rx);
	if (echo == NULL || ep == NULL) {
		diag_fail(s, "cannot create datagram endpoints: %s", rte_strerror(rte_errno));
		goto out;
	}
	dst = rte_vmci_dgram_handle(echo);
	diag_value_str(s, "datagram.echo", "%u:%u (served by this tool on the emulated host)",
		       dst.context, dst.resource);
	for (i = 0; i < DIAG_DG_ROUNDS; i++) {
		if (diag_dg_round(ctx, s, ep, dst, &rx, i + 1, &rtt) < 0)
			break;
		tmin = RTE_MIN(tmin, rtt);
		tmax = RTE_MAX(tmax, rtt);
		tsum += rtt;
	}
	diag_value_num(s, "datagram.answered", i);
	if (i > 0) {
		diag_value_num(s, "datagram.rtt_us_min", diag_round_us(tmin));
		diag_value_num(s, "datagram.rtt_us_avg", diag_round_us(tsum / i));
		diag_value_num(s, "datagram.rtt_us_max", diag_round_us(tmax));
	}
out:
	rte_vmci_dgram_destroy(ep);
	rte_vmci_dgram_destroy(echo);
}

void
diag_step_dgram(struct diag_ctx *ctx)
{
	struct diag_step *s = &ctx->steps[DIAG_STEP_DGRAM];

	if (ctx->dev == NULL) {
		diag_set(s, DIAG_SKIP, "no device brought up (step 2)");
		return;
	}
	diag_set(s, DIAG_PASS, "hypercall round trips%s", ctx->host != NULL ?
		 " and datagrams answered" : "; no datagram resource to ask on this host");
	if (diag_resources_query(ctx, s) == 0)
		diag_dg_echo(ctx, s);
}

/* Step 4. */

static void
diag_qp_header(struct diag_step *s, const char *who, struct rte_vmci_qp *qp,
	       struct rte_vmci_handle h, uint64_t produce, uint64_t consume)
{
	struct rte_vmci_qp_info info;
	int64_t space, ready;
	char key[64];

	if (qp == NULL || rte_vmci_qp_info_get(qp, &info) < 0) {
		diag_fail(s, "%s: no endpoint", who);
		return;
	}
	space = rte_vmci_qp_free_space(qp);
	ready = rte_vmci_qp_ready_bytes(qp);
	snprintf(key, sizeof(key), "qp.%s.header_handle", who);
	diag_value_str(s, key, "%u:%u", info.handle.context, info.handle.resource);
	snprintf(key, sizeof(key), "qp.%s.free_space", who);
	diag_value_num(s, key, space);
	snprintf(key, sizeof(key), "qp.%s.ready_bytes", who);
	diag_value_num(s, key, ready);
	if (info.handle.context != h.context || info.handle.resource != h.resource)
		diag_fail(s, "%s queue header holds handle %u:%u, expected %u:%u", who,
			  info.handle.context, info.handle.resource, h.context, h.resource);
	if (info.produce_size != produce || info.consume_size != consume)
		diag_fail(s, "%s queue sizes %" PRIu64 "/%" PRIu64 ", expected %" PRIu64
			  "/%" PRIu64, who, info.produce_size, info.consume_size, produce, consume);
	/* A fresh pair: empty, one byte of the ring always left free. */
	if (space != (int64_t)produce - 1 || ready != 0)
		diag_fail(s, "%s queue not fresh: free %" PRId64 " (expected %" PRIu64 "), "
			  "ready %" PRId64 " (expected 0)", who, space, produce - 1, ready);
}

static bool
diag_qp_wait(struct diag_ctx *ctx, struct rte_vmci_qpair *qp,
	     enum rte_vmci_qpair_peer_state want)
{
	while (rte_vmci_qpair_peer_state(qp) != want && !diag_expired(ctx))
		diag_poll(ctx);
	return rte_vmci_qpair_peer_state(qp) == want;
}

/* Bytes across the pair both ways, with the host end this tool serves. */
static void
diag_qp_exchange(struct diag_ctx *ctx, struct diag_step *s, struct rte_vmci_qpair *gq,
		 struct rte_vmci_qpair *hq)
{
	static const char ping[] = "vmci-diag ping";
	struct rte_vmci_qp *g = rte_vmci_qpair_endpoint(gq), *h = rte_vmci_qpair_endpoint(hq);
	char buf[sizeof(ping)];

	if (!diag_qp_wait(ctx, gq, RTE_VMCI_QPAIR_PEER_ATTACHED)) {
		diag_fail(s, "peer state %d after the host attached, expected %d (attached)",
			  rte_vmci_qpair_peer_state(gq), RTE_VMCI_QPAIR_PEER_ATTACHED);
		return;
	}
	if (rte_vmci_qp_enqueue_bulk(g, ping, sizeof(ping)) != (int64_t)sizeof(ping) ||
	    rte_vmci_qp_dequeue_bulk(h, buf, sizeof(buf)) != (int64_t)sizeof(buf) ||
	    memcmp(buf, ping, sizeof(ping)) != 0) {
		diag_fail(s, "%zu bytes guest to host did not arrive intact", sizeof(ping));
		return;
	}
	if (rte_vmci_qp_enqueue_bulk(h, buf, sizeof(buf)) != (int64_t)sizeof(buf) ||
	    rte_vmci_qp_dequeue_bulk(g, buf, sizeof(buf)) != (int64_t)sizeof(buf) ||
	    memcmp(buf, ping, sizeof(ping)) != 0) {
		diag_fail(s, "%zu bytes host to guest did not arrive intact", sizeof(ping));
		return;
	}
	diag_value_num(s, "qp.bytes_exchanged", 2 * sizeof(ping));
}

static struct rte_vmci_qpair *
diag_qp_host_attach(struct diag_ctx *ctx, struct diag_step *s, struct rte_vmci_handle h)
{
	struct rte_vmci_qpair_conf conf = {
		.produce_size = DIAG_QP_SIZE,
		.consume_size = DIAG_QP_SIZE,
		.peer = rte_vmci_context_id(ctx->dev),
		.flags = RTE_VMCI_QPAIR_F_ATTACH_ONLY,
		.handle = h,
		.socket_id = SOCKET_ID_ANY,
	};
	struct rte_vmci_qpair *hq = rte_vmci_qpair_create(ctx->host, &conf);

	if (hq == NULL) {
		diag_log_take(s);
		diag_fail(s, "the emulated host could not attach to %u:%u: %s; driver: %s",
			  h.context, h.resource, rte_strerror(rte_errno), diag_log_last_error(s));
	}
	return hq;
}

void
diag_step_qpair(struct diag_ctx *ctx)
{
	struct diag_step *s = &ctx->steps[DIAG_STEP_QPAIR];
	struct rte_vmci_qpair_conf conf = {
		.produce_size = DIAG_QP_SIZE,
		.consume_size = DIAG_QP_SIZE,
		.peer = RTE_VMCI_HOST_CID,
		.socket_id = SOCKET_ID_ANY,
	};
	struct rte_vmci_qpair *qp, *hq = NULL;
	struct rte_vmci_handle h;
	int ret;

	if (ctx->dev == NULL) {
		diag_set(s, DIAG_SKIP, "no device brought up (step 2)");
		return;
	}
	diag_set(s, DIAG_PASS, "pair for the host created, header checked, detached");
	diag_value_num(s, "qp.produce_size", conf.produce_size);
	diag_value_num(s, "qp.consume_size", conf.consume_size);
	diag_value_num(s, "qp.limit.memory_per_context", DIAG_QP_MEMORY_LIMIT);
	qp = rte_vmci_qpair_create(ctx->dev, &conf);
	if (qp == NULL) {
		int err = rte_errno;

		diag_log_take(s);
		diag_fail(s, "QUEUEPAIR_ALLOC of a %u/%u-byte pair for peer %u refused: %s%s; "
			  "driver: %s", DIAG_QP_SIZE, DIAG_QP_SIZE, RTE_VMCI_HOST_CID,
			  rte_strerror(err), err == ENOBUFS ?
			  " (ENOBUFS: the queue memory limit, or the hypervisor's resources)" : "",
			  diag_log_last_error(s));
		return;
	}
	h = rte_vmci_qpair_handle(qp);
	diag_value_str(s, "qp.handle", "%u:%u", h.context, h.resource);
	diag_qp_header(s, "guest", rte_vmci_qpair_endpoint(qp), h, DIAG_QP_SIZE, DIAG_QP_SIZE);
	if (ctx->host != NULL && s->status != DIAG_FAIL) {
		hq = diag_qp_host_attach(ctx, s, h);
		if (hq != NULL) {
			diag_qp_header(s, "host", rte_vmci_qpair_endpoint(hq), h,
				       DIAG_QP_SIZE, DIAG_QP_SIZE);
			diag_qp_exchange(ctx, s, qp, hq);
		}
	}
	diag_value_str(s, "qp.peer_state", "%s",
		       rte_vmci_qpair_peer_state(qp) == RTE_VMCI_QPAIR_PEER_ATTACHED ?
		       "attached" : rte_vmci_qpair_peer_state(qp) == RTE_VMCI_QPAIR_PEER_WAITING ?
		       "waiting (the host does not attach on its own)" : "detached");
	if (hq != NULL && rte_vmci_qpair_detach(hq) < 0)
		diag_fail(s, "the emulated host's detach failed");
	ret = rte_vmci_qpair_detach(qp);
	if (ret < 0) {
		diag_log_take(s);
		diag_fail(s, "QUEUEPAIR_DETACH of %u:%u: %s; driver: %s", h.context, h.resource,
			  strerror(-ret), diag_log_last_error(s));
	}
}

/* Step 5. */

#define DIAG_VSOCK_BYTES 4096u

static const char *
diag_vsock_state_name(enum rte_vmci_vsock_state st)
{
	static const char *const names[] = {
		[RTE_VMCI_VSOCK_UNCONNECTED] = "unconnected",
		[RTE_VMCI_VSOCK_LISTEN] = "listen",
		[RTE_VMCI_VSOCK_CONNECTING] = "connecting",
		[RTE_VMCI_VSOCK_ESTABLISHED] = "established",
		[RTE_VMCI_VSOCK_CLOSING] = "closing",
		[RTE_VMCI_VSOCK_CLOSED] = "closed",
	};

	return (unsigned int)st < RTE_DIM(names) ? names[st] : "?";
}

static bool
diag_vsock_connect(struct diag_ctx *ctx, struct diag_step *s, struct rte_vmci_vsock_ctx *vc,
		   struct rte_vmci_vsock *so, uint32_t port)
{
	double t0 = diag_now_us();

	while (rte_vmci_vsock_state(so) == RTE_VMCI_VSOCK_CONNECTING && !diag_expired(ctx))
		rte_vmci_vsock_poll(vc);
	if (rte_vmci_vsock_state(so) != RTE_VMCI_VSOCK_ESTABLISHED) {
		int err = rte_vmci_vsock_error(so);

		diag_fail(s, "connect to %u:%u: state %s, error %s%s", RTE_VMCI_HOST_CID, port,
			  diag_vsock_state_name(rte_vmci_vsock_state(so)),
			  err != 0 ? strerror(-err) : "none (no answer within the step's limit)",
			  err == -ECONNRESET ? ": nothing listens on that host port (socat "
			  "VSOCK-LISTEN:N,fork EXEC:cat)" : "");
		return false;
	}
	diag_value_num(s, "vsock.connect_us", diag_round_us(diag_now_us() - t0));
	diag_value_str(s, "vsock.notify", "%s",
		       rte_vmci_vsock_notify_proto(so) == RTE_VMCI_VSOCK_NOTIFY_QSTATE ?
		       "queue-state (REQUEST2)" : "classic (REQUEST)");
	return true;
}

/* Bytes to the host and the same bytes back (the host runs an echo). */
static void
diag_vsock_echo(struct diag_ctx *ctx, struct diag_step *s, struct rte_vmci_vsock_ctx *vc,
		struct rte_vmci_vsock *so)
{
	static uint8_t out[DIAG_VSOCK_BYTES], in[DIAG_VSOCK_BYTES];
	size_t sent = 0, got = 0, i;
	double t0 = diag_now_us();
	ssize_t n;

	for (i = 0; i < sizeof(out); i++)
		out[i] = (uint8_t)(i * 7 + 1);
	while (got < sizeof(in) && !diag_expired(ctx)) {
		if (sent < sizeof(out)) {
			n = rte_vmci_vsock_send(so, out + sent, sizeof(out) - sent);
			if (n > 0)
				sent += n;
			else if (n != -EAGAIN)
				break;
		}
		n = rte_vmci_vsock_recv(so, in + got, sizeof(in) - got);
		if (n > 0)
			got += n;
		else if (n != -EAGAIN)
			break;
		rte_vmci_vsock_poll(vc);
	}
	diag_value_num(s, "vsock.bytes_sent", sent);
	diag_value_num(s, "vsock.bytes_back", got);
	if (got < sizeof(in)) {
		diag_fail(s, "%zu of %zu bytes sent, %zu came back (state %s, error %d)", sent,
			  sizeof(out), got, diag_vsock_state_name(rte_vmci_vsock_state(so)),
			  rte_vmci_vsock_error(so));
		return;
	}
	for (i = 0; i < sizeof(in); i++) {
		if (in[i] != out[i]) {
			diag_fail(s, "byte %zu came back as 0x%02x, sent 0x%02x", i, in[i], out[i]);
			return;
		}
	}
	diag_value_num(s, "vsock.echo_us", diag_round_us(diag_now_us() - t0));
}

void
diag_step_vsock(struct diag_ctx *ctx)
{
	struct diag_step *s = &ctx->steps[DIAG_STEP_VSOCK];
	uint32_t port = (uint32_t)ctx->opts.vsock_port;
	struct rte_vmci_vsock_ctx *vc;
	struct rte_vmci_vsock *so;

	if (ctx->opts.vsock_port < 0) {
		diag_set(s, DIAG_SKIP, "no --vsock-port N (run socat VSOCK-LISTEN:N,fork "
			 "EXEC:cat on the host, then pass --vsock-port N)");
		return;
	}
	diag_value_num(s, "vsock.port", port);
	if (ctx->dev == NULL) {
		diag_set(s, DIAG_SKIP, "no device brought up (step 2)");
		return;
	}
	diag_set(s, DIAG_PASS, "connected to host port %u, %u bytes echoed", port,
		 DIAG_VSOCK_BYTES);
	vc = rte_vmci_vsock_ctx_create(ctx->dev, NULL);
	if (vc == NULL) {
		diag_log_take(s);
		diag_fail(s, "no vSockets context on the device: %s; driver: %s",
			  rte_strerror(rte_errno), diag_log_last_error(s));
		return;
	}
	so = rte_vmci_vsock_connect(vc, RTE_VMCI_VSOCK_CID_HOST, port, RTE_VMCI_VSOCK_PORT_ANY);
	if (so == NULL)
		diag_fail(s, "connect to %u:%u not sent: %s", RTE_VMCI_HOST_CID, port,
			  rte_strerror(rte_errno));
	else if (diag_vsock_connect(ctx, s, vc, so, port))
		diag_vsock_echo(ctx, s, vc, so);
	rte_vmci_vsock_close(so);
	rte_vmci_vsock_ctx_destroy(vc);
}
