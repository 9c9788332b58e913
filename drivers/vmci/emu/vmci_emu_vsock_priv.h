/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

#ifndef _VMCI_EMU_VSOCK_PRIV_H_
#define _VMCI_EMU_VSOCK_PRIV_H_

/*
 * Inside the emulated host's vSockets endpoint: the handshake and control
 * packets (vmci_emu_vsock.c) and the services with their notifications
 * (vmci_emu_vsock_data.c). Process-local; one thread at a time (the
 * endpoint's lock).
 */

#include <rte_log.h>
#include <rte_spinlock.h>

#include "vmci_emu_vsock.h"

extern int vmci_emu_vsock_logtype;
#define EVS_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, vmci_emu_vsock_logtype, "vsock host: " fmt "\n", \
		##__VA_ARGS__)

/* Notification bookkeeping pages, as Linux counts the window. */
#define EVS_PAGE 4096u
/* Largest queue a service offers: both queues within a context's 128 MiB. */
#define EVS_MAX_QUEUE_SIZE (64u << 20)
/* Bytes moved per service step (one bounce buffer per endpoint). */
#define EVS_BOUNCE (64u * 1024u)

struct vmci_emu_vsock;

struct evs_conn {
	enum vmci_emu_vsock_state state;
	int error;
	bool server;
	enum vmci_emu_vsock_kind kind;
	uint32_t handshake;     /* VMCI_EMU_VSOCK_HS_NEW or _CLASSIC */
	uint32_t misbehave;
	uint32_t cid, port, lport;
	uint64_t size, min, max;
	uint64_t deadline;      /* timer cycles: pending / connect deadline */
	uint64_t seq;           /* when it last changed state, for reuse order */
	bool sent_request2;     /* client: REQUEST2 outstanding (may fall back) */
	bool fell_back;         /* client: INVALID seen, REQUEST resent */
	bool ignore_rst;        /* client: the one RST an old peer sends after INVALID */
	bool peer_detached;     /* QP_PEER_DETACH seen (from the callback) */
	bool rst_seen;
	struct rte_vmci_qpair *qpair;
	struct rte_vmci_qp *ep; /* NULL until the guest's pages are there */
	struct rte_vmci_handle handle;
	uint8_t peer_shut, local_shut;
	/* Notify state (doc section 3.6). */
	bool peer_waiting_read;  /* classic: WAITING_READ received */
	bool peer_waiting_write; /* classic: WAITING_WRITE received; qstate: writer seen blocked */
	bool sent_waiting_read, sent_waiting_write; /* classic: ours outstanding */
	uint64_t window, min_window;
	/* A sleeping service (vmci_emu_vsock_service::sleeps). */
	bool sleeps;
	enum vmci_emu_vsock_sleep asleep;
	/* Source service. */
	uint8_t req[8];
	uint8_t req_len;
	bool req_done;
	uint64_t src_left, src_off;
	struct vmci_emu_vsock_conn_stats st;
	struct vmci_emu_vsock *vs;
};

struct evs_svc {
	bool used;
	struct vmci_emu_vsock_service conf;
};

struct vmci_emu_vsock {
	rte_spinlock_t lock;
	struct rte_vmci_device *dev;
	struct rte_vmci_dgram *ctl;   /* control resource 1 */
	struct rte_vmci_dgram *dgram_echo;
	struct evs_svc svc[VMCI_EMU_VSOCK_MAX_SERVICES];
	struct evs_conn conn[VMCI_EMU_VSOCK_MAX_CONNS];
	uint64_t seq;
	uint64_t rst_window;          /* timer cycles: start of the RST rate window */
	uint32_t rst_in_window;
	struct vmci_emu_vsock_stats st;
	uint8_t bounce[EVS_BOUNCE];
};

/* vmci_emu_vsock.c */
int evs_send(struct vmci_emu_vsock *vs, uint32_t cid, uint8_t type, uint16_t proto,
	     uint32_t src_port, uint32_t dst_port, uint64_t u0, uint64_t u1);
int evs_conn_send(struct evs_conn *c, uint8_t type, uint64_t u0, uint64_t u1);
void evs_conn_close(struct evs_conn *c, int error);
void evs_set_state(struct evs_conn *c, enum vmci_emu_vsock_state st);

/* vmci_emu_vsock_data.c */
void evs_data_established(struct evs_conn *c);
int evs_data_step(struct evs_conn *c);
void evs_data_notify_rx(struct evs_conn *c, uint8_t type);
void evs_data_wake(struct evs_conn *c, uint8_t type);

#endif /* _VMCI_EMU_VSOCK_PRIV_H_ */
