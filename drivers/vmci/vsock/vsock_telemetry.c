/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

/*
 * Telemetry commands (dpdk-telemetry.py):
 *   /vmci/vsock/list          IDs of every vsock socket
 *   /vmci/vsock/info,<id>     state, addresses, queue size, notify protocol, counters
 *   /vmci/vsock/stats         context counters, summed over contexts
 * Telemetry runs on its own thread: the socket list is read under each
 * context's lock, which socket creation and freeing take too.
 */

#include <errno.h>
#include <stdlib.h>

#include <rte_common.h>
#include <rte_spinlock.h>
#include <rte_telemetry.h>

#include "vsock_private.h"

static TAILQ_HEAD(, rte_vmci_vsock_ctx) vsock_ctxs = TAILQ_HEAD_INITIALIZER(vsock_ctxs);
static rte_spinlock_t vsock_ctxs_lock = RTE_SPINLOCK_INITIALIZER;

void
vsock_ctx_register(struct rte_vmci_vsock_ctx *ctx)
{
	rte_spinlock_lock(&vsock_ctxs_lock);
	TAILQ_INSERT_TAIL(&vsock_ctxs, ctx, next);
	rte_spinlock_unlock(&vsock_ctxs_lock);
}

void
vsock_ctx_unregister(struct rte_vmci_vsock_ctx *ctx)
{
	rte_spinlock_lock(&vsock_ctxs_lock);
	TAILQ_REMOVE(&vsock_ctxs, ctx, next);
	rte_spinlock_unlock(&vsock_ctxs_lock);
}

static int
vsock_tel_list(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct rte_vmci_vsock_ctx *ctx;
	struct rte_vmci_vsock *s;

	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	rte_tel_data_start_array(d, RTE_TEL_INT_VAL);
	rte_spinlock_lock(&vsock_ctxs_lock);
	TAILQ_FOREACH(ctx, &vsock_ctxs, next) {
		rte_spinlock_lock(&ctx->lock);
		TAILQ_FOREACH(s, &ctx->socks, next)
			rte_tel_data_add_array_int(d, (int)s->id);
		rte_spinlock_unlock(&ctx->lock);
	}
	rte_spinlock_unlock(&vsock_ctxs_lock);
	return 0;
}

static const char *
vsock_state_str(const struct rte_vmci_vsock *s)
{
	static const char *const names[] = {
		[VSOCK_ST_DGRAM] = "dgram",
		[VSOCK_ST_LISTEN] = "listen",
		[VSOCK_ST_CLIENT_REQ] = "request_sent",
		[VSOCK_ST_CLIENT_OFFERED] = "offer_sent",
		[VSOCK_ST_PENDING] = "pending",
		[VSOCK_ST_ESTABLISHED] = "established",
		[VSOCK_ST_CLOSING] = "closing",
		[VSOCK_ST_CLOSED] = "closed",
	};

	return names[s->st];
}

static void
vsock_tel_sock(struct rte_tel_data *d, const struct rte_vmci_vsock *s)
{
	const struct rte_vmci_vsock_stats *st = &s->stats;

	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "id", s->id);
	rte_tel_data_add_dict_string(d, "state", vsock_state_str(s));
	rte_tel_data_add_dict_int(d, "error", s->err);
	rte_tel_data_add_dict_u64(d, "local_cid", s->local_cid);
	rte_tel_data_add_dict_u64(d, "local_port", s->local_port);
	rte_tel_data_add_dict_u64(d, "peer_cid", s->peer_cid);
	rte_tel_data_add_dict_u64(d, "peer_port", s->peer_port);
	rte_tel_data_add_dict_u64(d, "queue_size", s->qpair != NULL ? s->qsize : 0);
	rte_tel_data_add_dict_string(d, "notify",
		s->notify == RTE_VMCI_VSOCK_NOTIFY_QSTATE ? "qstate" :
		s->notify == RTE_VMCI_VSOCK_NOTIFY_CLASSIC ? "classic" : "none");
	rte_tel_data_add_dict_u64(d, "peer_shutdown", s->peer_shut);
	rte_tel_data_add_dict_u64(d, "local_shutdown", s->local_shut);
	rte_tel_data_add_dict_u64(d, "backlog_used", s->nqueued);
	rte_tel_data_add_dict_u64(d, "tx_bytes", st->tx_bytes);
	rte_tel_data_add_dict_u64(d, "rx_bytes", st->rx_bytes);
	rte_tel_data_add_dict_u64(d, "tx_dgrams", st->tx_dgrams);
	rte_tel_data_add_dict_u64(d, "rx_dgrams", st->rx_dgrams);
	rte_tel_data_add_dict_u64(d, "rx_dgram_drops", st->rx_dgram_drops);
	rte_tel_data_add_dict_u64(d, "ctl_tx", st->ctl_tx);
	rte_tel_data_add_dict_u64(d, "ctl_rx", st->ctl_rx);
	rte_tel_data_add_dict_u64(d, "notify_tx", st->notify_tx);
	rte_tel_data_add_dict_u64(d, "notify_rx", st->notify_rx);
	rte_tel_data_add_dict_u64(d, "notify_tx_fail", st->notify_tx_fail);
	rte_tel_data_add_dict_u64(d, "wrote_saved", st->wrote_saved);
	rte_tel_data_add_dict_u64(d, "wrote_late", st->wrote_late);
	rte_tel_data_add_dict_u64(d, "rst_tx", st->rst_tx);
	rte_tel_data_add_dict_u64(d, "rst_rx", st->rst_rx);
	rte_tel_data_add_dict_u64(d, "bad_pkts", st->bad_pkts);
	rte_tel_data_add_dict_u64(d, "accepted", st->accepted);
	rte_tel_data_add_dict_u64(d, "refused", st->refused);
}

static int
vsock_tel_info(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct rte_vmci_vsock_ctx *ctx;
	struct rte_vmci_vsock *s;
	unsigned long id;
	char *end;
	int ret = -ENOENT;

	RTE_SET_USED(cmd);
	if (params == NULL || params[0] == '\0')
		return -EINVAL;
	id = strtoul(params, &end, 10);
	if (*end != '\0' || id == 0 || id > UINT32_MAX)
		return -EINVAL;
	rte_spinlock_lock(&vsock_ctxs_lock);
	TAILQ_FOREACH(ctx, &vsock_ctxs, next) {
		rte_spinlock_lock(&ctx->lock);
		TAILQ_FOREACH(s, &ctx->socks, next) {
			if (s->id == id) {
				vsock_tel_sock(d, s);
				ret = 0;
				break;
			}
		}
		rte_spinlock_unlock(&ctx->lock);
		if (ret == 0)
			break;
	}
	rte_spinlock_unlock(&vsock_ctxs_lock);
	return ret;
}

static int
vsock_tel_stats(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct rte_vmci_vsock_ctx_stats sum = { 0 };
	struct rte_vmci_vsock_ctx *ctx;
	uint64_t nctx = 0, nsocks = 0;

	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	rte_spinlock_lock(&vsock_ctxs_lock);
	TAILQ_FOREACH(ctx, &vsock_ctxs, next) {
		nctx++;
		nsocks += ctx->nsocks;
		sum.ctl_rx += ctx->stats.ctl_rx;
		sum.ctl_dropped += ctx->stats.ctl_dropped;
		sum.invalid_tx += ctx->stats.invalid_tx;
		sum.rst_tx += ctx->stats.rst_tx;
		sum.rst_limited += ctx->stats.rst_limited;
		sum.no_socket += ctx->stats.no_socket;
		sum.log_suppressed += ctx->stats.log_suppressed;
	}
	rte_spinlock_unlock(&vsock_ctxs_lock);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "contexts", nctx);
	rte_tel_data_add_dict_u64(d, "sockets", nsocks);
	rte_tel_data_add_dict_u64(d, "ctl_rx", sum.ctl_rx);
	rte_tel_data_add_dict_u64(d, "ctl_dropped", sum.ctl_dropped);
	rte_tel_data_add_dict_u64(d, "invalid_tx", sum.invalid_tx);
	rte_tel_data_add_dict_u64(d, "rst_tx", sum.rst_tx);
	rte_tel_data_add_dict_u64(d, "rst_limited", sum.rst_limited);
	rte_tel_data_add_dict_u64(d, "no_socket", sum.no_socket);
	rte_tel_data_add_dict_u64(d, "log_suppressed", sum.log_suppressed);
	return 0;
}

RTE_INIT(vsock_telemetry_init)
{
	rte_telemetry_register_cmd("/vmci/vsock/list", vsock_tel_list,
				   "IDs of the vSockets sockets. No parameters.");
	rte_telemetry_register_cmd("/vmci/vsock/info", vsock_tel_info,
				   "One vSockets socket: state, addresses, counters. Parameter: socket ID.");
	rte_telemetry_register_cmd("/vmci/vsock/stats", vsock_tel_stats,
				   "vSockets context counters, summed. No parameters.");
}
