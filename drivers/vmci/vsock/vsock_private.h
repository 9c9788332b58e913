/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

#ifndef _VSOCK_PRIVATE_H_
#define _VSOCK_PRIVATE_H_

/*
 * Inside the vSockets component: the context, the socket, the control
 * packet codec and the state machine. The fuzz target and the tests of the
 * codec link the static library and use these directly.
 */

#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>

#include <rte_log.h>
#include <rte_spinlock.h>

#include "rte_vmci_vsock.h"

extern int vsock_logtype;

#define VSOCK_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, vsock_logtype, "VMCI_VSOCK: %s(): " fmt "\n", \
		__func__, ##__VA_ARGS__)

/* Internal states; the public ones are a coarser view (vsock_state_public). */
enum vsock_st {
	VSOCK_ST_DGRAM = 0,
	VSOCK_ST_LISTEN,
	VSOCK_ST_CLIENT_REQ,     /* REQUEST2 (or REQUEST) sent */
	VSOCK_ST_CLIENT_OFFERED, /* queue pair created, OFFER sent */
	VSOCK_ST_PENDING,        /* server side: NEGOTIATE sent, waiting for OFFER */
	VSOCK_ST_ESTABLISHED,
	VSOCK_ST_CLOSING,        /* peer fully shut down, reset or detached */
	VSOCK_ST_CLOSED,         /* failed: no queue pair, see err */
};

/* Why a control datagram was dropped at intake (vsock_pkt_decode). */
enum vsock_drop {
	VSOCK_DROP_NONE = 0,
	VSOCK_DROP_SHORT,      /* payload shorter than 32 bytes */
	VSOCK_DROP_LOCAL_CID,  /* source CID 1 */
	VSOCK_DROP_SRC_RID,    /* source resource not the control RID of its CID */
	VSOCK_DROP_VERSION,    /* version != 1 */
	VSOCK_DROP_PORT,       /* a port is RTE_VMCI_VSOCK_PORT_ANY */
};

struct rte_vmci_vsock;
TAILQ_HEAD(vsock_list, rte_vmci_vsock);

struct rte_vmci_vsock {
	TAILQ_ENTRY(rte_vmci_vsock) next;  /* ctx->socks */
	TAILQ_ENTRY(rte_vmci_vsock) qnext; /* listener's pending or accept queue */
	struct rte_vmci_vsock_ctx *ctx;
	struct rte_vmci_vsock *listener;   /* set while on one of its queues */
	uint32_t id;
	enum vsock_st st;
	bool server_side;                  /* made by a listener: shares its port */
	int err;                           /* negative errno once failed */
	uint32_t local_cid;                /* refreshed from the device on every packet */
	uint32_t local_port;
	uint32_t peer_cid;
	uint32_t peer_port;

	/* Listener. */
	uint32_t backlog;
	uint32_t nqueued;                  /* pending + not yet accepted */
	struct vsock_list pending;
	struct vsock_list acceptq;

	/* Handshake. */
	bool classic_req;                  /* the old REQUEST was sent (fallback) */
	bool ignore_rst;                   /* one RST after INVALID is an old peer's habit */
	uint64_t deadline;                 /* timer cycles */

	/* Stream. */
	struct rte_vmci_qpair *qpair;
	struct rte_vmci_qp *qp;
	struct rte_vmci_handle handle;
	uint64_t qsize;                    /* each queue */
	enum rte_vmci_vsock_notify notify;
	uint8_t peer_shut;                 /* RTE_VMCI_VSOCK_SHUTDOWN_ bits the peer sent */
	uint8_t local_shut;                /* bits we sent */
	bool peer_detached;
	bool detaching;                    /* our own detach runs: ignore its callback */

	/* Notifications (doc section 3.6). */
	bool peer_waiting_read;            /* classic: WAITING_READ seen, WROTE owed */
	bool peer_waiting_write;           /* writer may wait: READ owed when the window allows */
	bool wrote_owed;                   /* WROTE to retry */
	bool wrote_held;                   /* queue-state WROTE held until wrote_due */
	uint8_t wrote_at_once;             /* writes into an empty queue still notified at once */
	uint64_t wrote_due;                /* timer cycles */
	bool read_owed;                    /* READ to retry */
	uint8_t wrote_tries;
	uint8_t read_tries;
	uint64_t window;
	uint64_t window_min;
	size_t zc_rx;                      /* mapped by peek_zc */
	size_t zc_tx;                      /* mapped by reserve_zc */

	/* Datagram. */
	struct rte_vmci_dgram *dg_ep;
	uint8_t *rx_ring;                  /* records: struct vsock_dg_rec + payload, 8-aligned */
	uint32_t rx_ring_size;
	uint64_t rx_head;                  /* bytes taken */
	uint64_t rx_tail;                  /* bytes put */

	struct rte_vmci_vsock_stats stats;
};

struct rte_vmci_vsock_ctx {
	TAILQ_ENTRY(rte_vmci_vsock_ctx) next; /* all contexts, for telemetry */
	struct rte_vmci_device *dev;
	struct rte_vmci_dgram *ctl_ep;
	struct rte_vmci_vsock_conf conf;
	struct vsock_list socks;
	uint32_t nsocks;
	rte_spinlock_t lock;               /* socket list against telemetry readers */
	uint64_t hz;
	uint64_t wrote_delay;              /* timer cycles; 0: every WROTE at once */
	uint64_t rst_window;               /* start of the current 1 s RST budget */
	uint32_t rst_in_window;
	uint64_t log_window;
	uint32_t log_in_window;
	uint32_t next_ephemeral;
	struct rte_vmci_vsock_ctx_stats stats;
};

/* Codec (vsock_pkt.c). */
void vsock_pkt_init(struct rte_vmci_vsock_ctl_pkt *pkt, uint8_t type, uint32_t dst_cid,
		    uint32_t src_port, uint32_t dst_port);
enum vsock_drop vsock_pkt_decode(struct rte_vmci_vsock_ctl_pkt *pkt, struct rte_vmci_handle src,
				 uint32_t dst_cid, const void *payload, uint32_t len);
const char *vsock_drop_str(enum vsock_drop why);
const char *vsock_pkt_type_str(uint8_t type);

/* State machine (vsock_stream.c). */
void vsock_ctl_input(struct rte_vmci_vsock_ctx *ctx, struct rte_vmci_handle src,
		     const void *payload, uint32_t len);
void vsock_timers(struct rte_vmci_vsock_ctx *ctx, uint64_t now);
int vsock_send_ctl(struct rte_vmci_vsock_ctx *ctx, struct rte_vmci_vsock *s,
		   struct rte_vmci_vsock_ctl_pkt *pkt);
void vsock_stream_release(struct rte_vmci_vsock *s);
void vsock_retry_notify(struct rte_vmci_vsock *s);
void vsock_wrote_flush(struct rte_vmci_vsock *s);
void vsock_peer_waiting(struct rte_vmci_vsock *s, bool reader);

/* Context and sockets (vsock_ctx.c). */
struct rte_vmci_vsock *vsock_sock_alloc(struct rte_vmci_vsock_ctx *ctx);
void vsock_sock_free(struct rte_vmci_vsock *s);
bool vsock_port_in_use(const struct rte_vmci_vsock_ctx *ctx, uint32_t port);
int vsock_port_pick(struct rte_vmci_vsock_ctx *ctx, uint32_t *port);
bool vsock_log_allowed(struct rte_vmci_vsock_ctx *ctx);
void vsock_ctx_register(struct rte_vmci_vsock_ctx *ctx);
void vsock_ctx_unregister(struct rte_vmci_vsock_ctx *ctx);

/* Datagram sockets (vsock_dgram.c). */
void vsock_dgram_release(struct rte_vmci_vsock *s);

/* Bad input from the peer: a counter always, a log line within the rate limit. */
#define VSOCK_BAD(ctx, fmt, ...) do { \
	if (vsock_log_allowed(ctx)) \
		VSOCK_LOG(NOTICE, fmt, ##__VA_ARGS__); \
} while (0)

#endif /* _VSOCK_PRIVATE_H_ */
