/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

#ifndef _VMCI_EMU_VSOCK_H_
#define _VMCI_EMU_VSOCK_H_

/*
 * The emulated host's vSockets endpoint: the host side of vSockets over
 * VMCI as Linux's host-side vmci_transport behaves (doc/vsock-emulated-host.md),
 * written from the protocol document and sharing only the wire header
 * (rte_vmci_vsock_wire.h) with the guest component.
 *
 * It drives a host-context device (vmci_hostN, CID 2) through the public
 * rte_vmci_ API only: a datagram endpoint on the control resource (1) for
 * control packets, queue pairs attached (a guest connected) or created (the
 * host connecting out) on that device, and a datagram endpoint for the
 * datagram echo. Poll mode: nothing happens outside vmci_emu_vsock_poll(),
 * which polls the device itself. The devargs vsock=1 of the host device run
 * it with the default services on a control thread.
 *
 * Services, on the host's stream ports:
 *  - echo (7): every byte back, until the guest shuts down sending;
 *  - discard (9): every byte taken and dropped;
 *  - source (19): reads an 8-byte little-endian count N, sends N bytes of
 *    vmci_emu_vsock_pattern(), then SHUTDOWN (send) and closes;
 * and datagram echo on resource 7 of CID 2. Each service answers both
 * handshakes unless told otherwise. After its work (the guest shut down
 * sending, or the source is done) a service sends SHUTDOWN (send) and
 * closes, which the guest sees as QP_PEER_DETACH, as socat EXEC:cat does.
 *
 * A service polls the queue indices, so it needs no WROTE or READ, unless
 * it is told to sleep (vmci_emu_vsock_service::sleeps): then it behaves as
 * a blocking Linux process does and depends on the guest's notifications.
 *
 * Every function but the pattern helper takes the endpoint's lock, so tests
 * may call them while a control thread polls.
 *
 * Return conventions: 0 or a negative errno; constructors return NULL with
 * rte_errno set.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_compat.h>

#include "rte_bus_vmci.h"
#include "rte_vmci_vsock_wire.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Stream ports of the default services, and the datagram echo resource. */
#define VMCI_EMU_VSOCK_PORT_ECHO    7u
#define VMCI_EMU_VSOCK_PORT_DISCARD 9u
#define VMCI_EMU_VSOCK_PORT_SOURCE  19u
#define VMCI_EMU_VSOCK_DGRAM_ECHO   7u

/* Services: at most this many ports, and connections in all. */
#define VMCI_EMU_VSOCK_MAX_SERVICES 16
#define VMCI_EMU_VSOCK_MAX_CONNS    64
/* Default backlog of a service, and pending connections one guest may hold. */
#define VMCI_EMU_VSOCK_BACKLOG      16u
#define VMCI_EMU_VSOCK_MAX_PENDING_PER_PEER 16u
/* Refusal RSTs (packets for no socket) sent per second at most; the rest are counted. */
#define VMCI_EMU_VSOCK_RST_PER_SEC  256u

/* Byte @off of the source service's stream: the offset modulo 251 (a prime, so
 * a block out of place at any power-of-two distance shows). */
static inline uint8_t
vmci_emu_vsock_pattern(uint64_t off)
{
	return (uint8_t)(off % 251u);
}

/* What the host does on a connection. */
enum vmci_emu_vsock_kind {
	VMCI_EMU_VSOCK_ECHO = 0,
	VMCI_EMU_VSOCK_DISCARD,
	VMCI_EMU_VSOCK_SOURCE,
	VMCI_EMU_VSOCK_IDLE,    /* moves no data; closes only on a peer detach or RST */
};

/* Handshakes (and with them the notify protocol). */
#define VMCI_EMU_VSOCK_HS_NEW     0x1u /* REQUEST2/NEGOTIATE2, queue-state notify */
#define VMCI_EMU_VSOCK_HS_CLASSIC 0x2u /* REQUEST/NEGOTIATE, WAITING_READ/WRITE notify */
#define VMCI_EMU_VSOCK_HS_BOTH    0x3u

/*
 * Hostile behaviour (doc section 6.6), per service or per host connection.
 * Each bit makes one step of the handshake or data path wrong on purpose.
 */
#define VMCI_EMU_VSOCK_BAD_NEG_SIZE_ZERO   (1u << 0) /* server: NEGOTIATE(2) size 0 */
#define VMCI_EMU_VSOCK_BAD_NEG_SIZE_HUGE   (1u << 1) /* server: NEGOTIATE(2) size 1 GiB */
#define VMCI_EMU_VSOCK_BAD_NEG2_PROTO      (1u << 2) /* server: NEGOTIATE2 proto 0x2 */
#define VMCI_EMU_VSOCK_BAD_ATTACH_HANDLE   (1u << 3) /* server: ATTACH names another handle */
#define VMCI_EMU_VSOCK_BAD_NO_ATTACH       (1u << 4) /* server: attaches, never sends ATTACH */
#define VMCI_EMU_VSOCK_BAD_SILENT          (1u << 5) /* server: never answers a REQUEST */
#define VMCI_EMU_VSOCK_BAD_RST_AFTER_NEG   (1u << 6) /* server: RST right after NEGOTIATE */
#define VMCI_EMU_VSOCK_BAD_OFFER_INVALID   (1u << 7) /* client: OFFER the invalid handle */
#define VMCI_EMU_VSOCK_BAD_OFFER_FOREIGN   (1u << 8) /* client: OFFER a handle of another context */
#define VMCI_EMU_VSOCK_BAD_OFFER_UNKNOWN   (1u << 9) /* client: OFFER 2:<rid> of no pair */
#define VMCI_EMU_VSOCK_BAD_OFFER_SIZE      (1u << 10) /* client: pair twice the negotiated size */
#define VMCI_EMU_VSOCK_BAD_OLD_PEER_RST    (1u << 11) /* old peer: RST after its INVALID */
#define VMCI_EMU_VSOCK_BAD_NO_NOTIFY       (1u << 12) /* never send WROTE/READ/WAITING_* */

/*
 * Where a sleeping service waits (doc sections 3.6 and 3.9), as a blocked
 * Linux reader or writer does: it does not look at the queues again until
 * the notification it waits for comes, or a SHUTDOWN, a RST or the guest's
 * detach. Woken, it looks again (and may sleep again at once).
 */
enum vmci_emu_vsock_sleep {
	VMCI_EMU_VSOCK_AWAKE = 0,
	VMCI_EMU_VSOCK_ASLEEP_READING, /* found nothing to read: waits for a WROTE */
	VMCI_EMU_VSOCK_ASLEEP_WRITING, /* found the guest's queue full: waits for a READ */
};

/* A stream service on a port of the host. */
struct vmci_emu_vsock_service {
	uint32_t port;              /* stream port (not PORT_ANY) */
	enum vmci_emu_vsock_kind kind;
	uint32_t handshakes;        /* VMCI_EMU_VSOCK_HS_*; 0: both */
	uint64_t buffer_size;       /* queue size offered instead; 0: Linux's 256 KiB */
	uint64_t buffer_min;        /* 0: Linux's 128 */
	uint64_t buffer_max;        /* 0: Linux's 256 KiB */
	uint32_t backlog;           /* pending connections at most; 0: VMCI_EMU_VSOCK_BACKLOG */
	uint32_t pending_ms;        /* REQUEST to OFFER; 0: Linux's 1000 */
	uint32_t misbehave;         /* VMCI_EMU_VSOCK_BAD_* */
	bool sleeps;                /* sleep as a blocking process (enum vmci_emu_vsock_sleep)
				     * instead of polling the queues */
};

/* A connection the host makes to a guest listener. */
struct vmci_emu_vsock_connect_conf {
	uint32_t cid;               /* guest context ID */
	uint32_t port;              /* its listening port */
	enum vmci_emu_vsock_kind kind; /* what the host does once connected */
	uint32_t handshake;         /* VMCI_EMU_VSOCK_HS_NEW (0 too) or _CLASSIC */
	uint64_t buffer_size;       /* proposed queue size; 0: 256 KiB */
	uint64_t buffer_min;        /* 0: 128 */
	uint64_t buffer_max;        /* 0: 256 KiB */
	uint64_t source_bytes;      /* SOURCE: bytes to send once connected */
	uint32_t timeout_ms;        /* REQUEST to ESTABLISHED; 0: Linux's 2000 */
	uint32_t misbehave;         /* VMCI_EMU_VSOCK_BAD_* */
	bool sleeps;                /* as vmci_emu_vsock_service::sleeps */
};

enum vmci_emu_vsock_state {
	VMCI_EMU_VSOCK_FREE = 0,
	VMCI_EMU_VSOCK_CONNECTING,  /* host client: REQUEST sent */
	VMCI_EMU_VSOCK_OFFERED,     /* host client: OFFER sent, waiting for ATTACH */
	VMCI_EMU_VSOCK_PENDING,     /* host server: NEGOTIATE sent, waiting for OFFER */
	VMCI_EMU_VSOCK_ESTABLISHED,
	VMCI_EMU_VSOCK_CLOSED,      /* detached; see error */
};

/* Counters of one connection. */
struct vmci_emu_vsock_conn_stats {
	uint64_t bytes_rx, bytes_tx;
	uint64_t wrote_rx, wrote_tx, read_rx, read_tx;
	uint64_t waiting_read_rx, waiting_read_tx, waiting_write_rx, waiting_write_tx;
	uint64_t shutdown_rx, shutdown_tx, rst_rx, rst_tx;
	uint64_t ignored;           /* packets the state does not take (ignored, as Linux) */
	uint64_t notify_failed;     /* notifications given up after 10 sends */
	/* A sleeping service: each time it went to sleep, and what woke it. */
	uint64_t sleeps_reading, sleeps_writing;
	uint64_t wakeups_wrote;     /* a WROTE while asleep reading */
	uint64_t wakeups_read;      /* a READ while asleep writing */
	uint64_t wakeups_other;     /* a SHUTDOWN or RST while asleep */
};

struct vmci_emu_vsock_conn_info {
	enum vmci_emu_vsock_state state;
	int error;                  /* 0, or why it closed: ECONNRESET, EPROTO, ETIMEDOUT,
				     * ECONNREFUSED, EIO (peer index out of range), ENOMEM */
	bool server;                /* the guest connected to a host service */
	enum vmci_emu_vsock_kind kind;
	uint32_t handshake;         /* the one in use: VMCI_EMU_VSOCK_HS_NEW or _CLASSIC */
	uint32_t cid, port;         /* the guest's */
	uint32_t local_port;        /* the host's */
	uint64_t size;              /* negotiated queue size (0 before) */
	struct rte_vmci_handle handle; /* the queue pair */
	uint8_t peer_shutdown;      /* RTE_VMCI_VSOCK_SHUTDOWN_* received */
	uint8_t local_shutdown;     /* sent */
	uint64_t source_left;       /* SOURCE: bytes still to send */
	bool sleeps;                /* a sleeping service */
	enum vmci_emu_vsock_sleep asleep; /* where it sleeps now */
	struct vmci_emu_vsock_conn_stats stats;
};

/* Counters of the endpoint. */
struct vmci_emu_vsock_stats {
	uint64_t pkts_rx, pkts_tx;
	uint64_t short_pkts;        /* control datagrams < 56 bytes, dropped */
	uint64_t bad_src;           /* from CID 1 or not from the control resource, dropped */
	uint64_t invalid_tx;        /* INVALID replies to types >= 13 */
	uint64_t no_socket;         /* packets for no connection or service */
	uint64_t rst_tx, rst_rx, rst_suppressed; /* refusals over the rate limit */
	uint64_t refused;           /* REQUESTs answered with a RST */
	uint64_t accepted, connected; /* established as server, as client */
	uint64_t pending_timeouts;  /* pending connections dropped at their deadline */
	uint64_t dgram_echoed;
	uint64_t send_failed;       /* control datagrams the device refused */
};

struct vmci_emu_vsock;

/*
 * Create an endpoint on host device @dev (context ID 2) with no services.
 *
 * @return
 *   The endpoint, or NULL with rte_errno: EINVAL (not a host device),
 *   EEXIST (the control resource is taken: one endpoint per device), ENOMEM.
 */
__rte_internal
struct vmci_emu_vsock *
vmci_emu_vsock_create(struct rte_vmci_device *dev);

/* Detach every connection (the guests see QP_PEER_DETACH) and free. NULL is ignored. */
__rte_internal
void
vmci_emu_vsock_destroy(struct vmci_emu_vsock *vs);

/*
 * Add a stream service.
 *
 * @return
 *   0, -EINVAL (bad port, kind or sizes), -EEXIST (port taken), -ENOSPC.
 */
__rte_internal
int
vmci_emu_vsock_listen(struct vmci_emu_vsock *vs, const struct vmci_emu_vsock_service *svc);

/*
 * Remove the service on @port. Its connections, pending or established,
 * go on; new REQUESTs for the port get a RST.
 *
 * @return
 *   0, -EINVAL, -ENOENT (no service there).
 */
__rte_internal
int
vmci_emu_vsock_unlisten(struct vmci_emu_vsock *vs, uint32_t port);

/*
 * Add the default services: echo, discard and source on their ports, both
 * handshakes, Linux's sizes, and the datagram echo. With @sleeps the stream
 * services sleep as blocking processes do (vmci_emu_vsock_service::sleeps).
 *
 * @return
 *   0, or a negative errno.
 */
__rte_internal
int
vmci_emu_vsock_listen_defaults(struct vmci_emu_vsock *vs, bool sleeps);

/*
 * Start the datagram echo on resource @rid of the host (every datagram is
 * sent back to its source).
 *
 * @return
 *   0, or a negative errno (-EEXIST when @rid is taken).
 */
__rte_internal
int
vmci_emu_vsock_dgram_echo(struct vmci_emu_vsock *vs, uint32_t rid);

/*
 * Poll once: the host device (control packets, events), then every
 * connection (timers, data, notifications).
 *
 * @return
 *   Work done (>= 0), or a negative errno from rte_vmci_poll().
 */
__rte_internal
int
vmci_emu_vsock_poll(struct vmci_emu_vsock *vs);

/*
 * The host connects out to a guest listener: sends REQUEST2 (or REQUEST),
 * then creates the queue pair and OFFERs it. Progress is made by the poll.
 *
 * @return
 *   A connection ID (>= 0) for vmci_emu_vsock_conn_info(), or -EINVAL,
 *   -ENOSPC (no connection free), -EADDRINUSE (no ephemeral port), or the
 *   error of sending the REQUEST.
 */
__rte_internal
int
vmci_emu_vsock_connect(struct vmci_emu_vsock *vs, const struct vmci_emu_vsock_connect_conf *conf);

/*
 * State and counters of connection @id. A closed connection keeps them
 * until its slot is needed again (the oldest closed one first).
 *
 * @return
 *   0, or -EINVAL (no such connection).
 */
__rte_internal
int
vmci_emu_vsock_conn_info(struct vmci_emu_vsock *vs, int id, struct vmci_emu_vsock_conn_info *info);

/*
 * The connection with guest (@cid, @port) and host port @local_port (its
 * newest one, if closed ones share the address).
 *
 * @return
 *   Its ID (>= 0), or -ENOENT.
 */
__rte_internal
int
vmci_emu_vsock_conn_find(struct vmci_emu_vsock *vs, uint32_t cid, uint32_t port,
			 uint32_t local_port);

/* Endpoint counters. */
__rte_internal
int
vmci_emu_vsock_stats_get(struct vmci_emu_vsock *vs, struct vmci_emu_vsock_stats *stats);

/* Connections not FREE or CLOSED (pending ones included). */
__rte_internal
unsigned int
vmci_emu_vsock_conn_count(struct vmci_emu_vsock *vs);

/*
 * Hostile: send @len bytes of @payload as a control datagram (any length,
 * any content) to (@cid, control resource of @cid) from the host's control
 * resource. Spoofed RSTs, wrong types by state, packets for unknown ports,
 * floods and short packets are all this.
 *
 * @return
 *   0 or the positive VMCI result, or a negative errno.
 */
__rte_internal
int
vmci_emu_vsock_send_raw(struct vmci_emu_vsock *vs, uint32_t cid, const void *payload,
			size_t len);

/*
 * Hostile: a well-formed control packet of @type with these fields (the
 * union's first and second u64), zeroed before filling.
 */
__rte_internal
int
vmci_emu_vsock_send_pkt(struct vmci_emu_vsock *vs, uint32_t cid, uint8_t type, uint16_t proto,
			uint32_t src_port, uint32_t dst_port, uint64_t u0, uint64_t u1);

/*
 * Hostile: detach connection @id's queue pair now, in the middle of
 * whatever it does, without a control packet.
 *
 * @return
 *   0, -EINVAL (no such connection), -ENOTCONN (no queue pair).
 */
__rte_internal
int
vmci_emu_vsock_conn_detach(struct vmci_emu_vsock *vs, int id);

#ifdef __cplusplus
}
#endif

#endif /* _VMCI_EMU_VSOCK_H_ */
