/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

#ifndef _RTE_VMCI_VSOCK_H_
#define _RTE_VMCI_VSOCK_H_

/**
 * @file
 * vSockets (AF_VSOCK) over VMCI, in poll mode.
 *
 * A context (struct rte_vmci_vsock_ctx) speaks the vSockets protocol of
 * Linux's and VMware's vmci_transport on one VMCI device: stream sockets
 * over queue pairs, with their control packets on VMCI resource 1, and
 * datagram sockets over VMCI datagrams. The peer is any unmodified
 * AF_VSOCK endpoint (a host process, the hypervisor, another guest).
 *
 * Threading: nothing runs on its own. rte_vmci_vsock_poll() polls the
 * device, handles control packets, queue-pair events and timers; a context
 * and all its sockets are used from one thread at a time (the one that
 * polls). Every call is non-blocking: what would block returns -EAGAIN.
 *
 * Errors: functions returning int or ssize_t give a negative errno and log
 * a line naming the value; constructors return NULL and set rte_errno.
 */

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

#include <rte_compat.h>
#include <rte_bus_vmci.h>
#include <rte_vmci_qp.h>
#include <rte_vmci_vsock_wire.h>

#ifdef __cplusplus
extern "C" {
#endif

/** A vSockets context on one VMCI device (opaque). */
struct rte_vmci_vsock_ctx;
/** A stream or datagram socket (opaque). */
struct rte_vmci_vsock;

/** Refuse the classic handshake (REQUEST) with a RST; REQUEST2 only. */
#define RTE_VMCI_VSOCK_F_NO_CLASSIC 0x1u
/**
 * Send every queue-state WROTE at once, as Linux does, instead of holding it
 * for rte_vmci_vsock_conf::wrote_delay_us (see that field).
 */
#define RTE_VMCI_VSOCK_F_WROTE_AT_ONCE 0x2u

/** Default of rte_vmci_vsock_conf::wrote_delay_us. */
#define RTE_VMCI_VSOCK_WROTE_DELAY_US 10u
/** Largest rte_vmci_vsock_conf::wrote_delay_us accepted. */
#define RTE_VMCI_VSOCK_WROTE_DELAY_MAX_US 100000u

/** Context parameters; zero fields take the default named. */
struct rte_vmci_vsock_conf {
	/** Queue size proposed and accepted by default: RTE_VMCI_VSOCK_BUFFER_DEFAULT_SIZE. */
	uint64_t buffer_size;
	/** Smallest queue size accepted: RTE_VMCI_VSOCK_BUFFER_MIN_SIZE. */
	uint64_t buffer_min_size;
	/** Largest queue size accepted: RTE_VMCI_VSOCK_BUFFER_MAX_SIZE. */
	uint64_t buffer_max_size;
	/** Connect timeout: RTE_VMCI_VSOCK_CONNECT_TIMEOUT_MS. */
	uint32_t connect_timeout_ms;
	/** Time a server-side connection may stay pending: RTE_VMCI_VSOCK_PENDING_TIMEOUT_MS. */
	uint32_t pending_timeout_ms;
	/** Most sockets of all kinds at once: 1024. */
	uint32_t max_sockets;
	/** Most RSTs sent per second for packets no socket wants: 100. */
	uint32_t rst_rate;
	/** Bytes of datagrams queued per datagram socket: 2 x 69,632. */
	uint32_t dgram_rx_bytes;
	/** RTE_VMCI_VSOCK_F_ flags. */
	uint32_t flags;
	/**
	 * Microseconds a queue-state WROTE is held: RTE_VMCI_VSOCK_WROTE_DELAY_US.
	 * A write into an empty queue owes the peer a WROTE in case it sleeps
	 * on that queue. A peer that polls takes the bytes within this time and
	 * needs none; one that still has not taken them gets the WROTE then,
	 * and the next 63 writes into an empty queue send theirs at once. The
	 * WROTE goes out from the next call on the socket or
	 * rte_vmci_vsock_poll() after the delay, and at once on shutdown or
	 * close. At most RTE_VMCI_VSOCK_WROTE_DELAY_MAX_US.
	 */
	uint32_t wrote_delay_us;
	/** NUMA socket for state and queue memory; SOCKET_ID_ANY: the device's. */
	int socket_id;
};

/** Socket states. */
enum rte_vmci_vsock_state {
	RTE_VMCI_VSOCK_UNCONNECTED = 0, /**< Datagram socket. */
	RTE_VMCI_VSOCK_LISTEN,          /**< Listening stream socket. */
	RTE_VMCI_VSOCK_CONNECTING,      /**< Handshake in progress (client or pending server side). */
	RTE_VMCI_VSOCK_ESTABLISHED,     /**< Connected; data flows. */
	RTE_VMCI_VSOCK_CLOSING,         /**< The peer is gone or shut down both ways; data may remain. */
	RTE_VMCI_VSOCK_CLOSED,          /**< Failed or reset before data; see rte_vmci_vsock_error(). */
};

/** Notify protocol chosen by the handshake. */
enum rte_vmci_vsock_notify {
	RTE_VMCI_VSOCK_NOTIFY_NONE = 0,   /**< Not connected yet. */
	RTE_VMCI_VSOCK_NOTIFY_CLASSIC,    /**< REQUEST/NEGOTIATE, WAITING_READ/WRITE. */
	RTE_VMCI_VSOCK_NOTIFY_QSTATE,     /**< REQUEST2/NEGOTIATE2, queue-state. */
};

/** Per-socket counters. */
struct rte_vmci_vsock_stats {
	uint64_t tx_bytes;        /**< Bytes sent (stream) or datagram payload bytes sent. */
	uint64_t rx_bytes;        /**< Bytes received. */
	uint64_t tx_dgrams;       /**< Datagrams sent. */
	uint64_t rx_dgrams;       /**< Datagrams received. */
	uint64_t rx_dgram_drops;  /**< Datagrams dropped: receive queue full. */
	uint64_t ctl_tx;          /**< Control packets sent. */
	uint64_t ctl_rx;          /**< Control packets received and accepted. */
	uint64_t notify_tx;       /**< WROTE/READ sent. */
	uint64_t notify_rx;       /**< WROTE/READ/WAITING_* received. */
	uint64_t notify_tx_fail;  /**< WROTE/READ sends that failed (retried up to 10 times). */
	uint64_t wrote_saved;     /**< WROTEs held and not sent: the peer took the bytes first. */
	uint64_t wrote_late;      /**< WROTEs held and sent: the bytes were still there. */
	uint64_t rst_tx;          /**< RSTs sent. */
	uint64_t rst_rx;          /**< RSTs received. */
	uint64_t bad_pkts;        /**< Control packets refused by state or contents. */
	uint64_t accepted;        /**< Connections accepted (listener). */
	uint64_t refused;         /**< Connection requests refused (listener). */
};

/** Context counters: packets no socket took. */
struct rte_vmci_vsock_ctx_stats {
	uint64_t ctl_rx;          /**< Control datagrams received. */
	uint64_t ctl_dropped;     /**< Dropped at intake: short, wrong source, bad version or port. */
	uint64_t invalid_tx;      /**< INVALID replies to unknown types. */
	uint64_t rst_tx;          /**< RSTs for packets no socket matched. */
	uint64_t rst_limited;     /**< RSTs not sent because of the rate limit. */
	uint64_t no_socket;       /**< Packets no socket matched. */
	uint64_t log_suppressed;  /**< Log lines of bad input suppressed by the rate limit. */
};

/**
 * Create a vSockets context on a device: takes the device's control
 * resource (1) and starts answering control packets (a RST for every
 * port nobody listens on).
 *
 * @param dev
 *   A VMCI device that is up.
 * @param conf
 *   Parameters, or NULL for defaults.
 * @return
 *   The context, or NULL with rte_errno set: EINVAL (bad parameters,
 *   logged), EEXIST (resource 1 taken: another context on the device),
 *   ENOMEM.
 */
__rte_experimental
struct rte_vmci_vsock_ctx *
rte_vmci_vsock_ctx_create(struct rte_vmci_device *dev, const struct rte_vmci_vsock_conf *conf);

/**
 * Close every socket of the context (queue pairs are detached, pending
 * connections reset) and free it. NULL is accepted.
 */
__rte_experimental
void
rte_vmci_vsock_ctx_destroy(struct rte_vmci_vsock_ctx *ctx);

/**
 * Do the context's work: poll the device (control packets, datagrams,
 * queue-pair events), expire handshakes, and retry notifications.
 *
 * @return
 *   What rte_vmci_poll() returned (items handled, >= 0), or a negative
 *   errno.
 */
__rte_experimental
int
rte_vmci_vsock_poll(struct rte_vmci_vsock_ctx *ctx);

/**
 * Our context ID, as the device currently has it (it follows
 * CTX_ID_UPDATE).
 */
__rte_experimental
uint32_t
rte_vmci_vsock_local_cid(const struct rte_vmci_vsock_ctx *ctx);

/**
 * Context counters.
 *
 * @return
 *   0, or -EINVAL.
 */
__rte_experimental
int
rte_vmci_vsock_ctx_stats_get(const struct rte_vmci_vsock_ctx *ctx,
			     struct rte_vmci_vsock_ctx_stats *stats);

/**
 * @name Stream sockets
 * @{
 */

/**
 * Start connecting to (@p cid, @p port): sends REQUEST2 and returns a
 * socket in RTE_VMCI_VSOCK_CONNECTING. rte_vmci_vsock_poll() runs the
 * handshake; the socket becomes ESTABLISHED, or CLOSED with
 * rte_vmci_vsock_error() telling why (-ECONNRESET: refused or reset,
 * -ETIMEDOUT, -EPROTO: the peer broke the protocol).
 *
 * @param ctx
 *   Context.
 * @param cid
 *   Peer context ID (RTE_VMCI_VSOCK_CID_HOST for host processes).
 * @param port
 *   Peer port.
 * @param local_port
 *   Our port, or RTE_VMCI_VSOCK_PORT_ANY for an ephemeral one.
 * @return
 *   The socket, or NULL with rte_errno set: EINVAL, EADDRINUSE (port
 *   taken or no ephemeral port found), ENOSPC (socket limit), ENOMEM, or
 *   the error of sending the REQUEST2.
 */
__rte_experimental
struct rte_vmci_vsock *
rte_vmci_vsock_connect(struct rte_vmci_vsock_ctx *ctx, uint32_t cid, uint32_t port,
		       uint32_t local_port);

/**
 * Listen on @p port. Both handshakes are answered (the classic one unless
 * RTE_VMCI_VSOCK_F_NO_CLASSIC); requests beyond @p backlog connections
 * not yet accepted are refused with a RST.
 *
 * @param ctx
 *   Context.
 * @param port
 *   Port; RTE_VMCI_VSOCK_PORT_ANY for an ephemeral one.
 * @param backlog
 *   Pending plus not yet accepted connections (>= 1).
 * @return
 *   The listening socket, or NULL with rte_errno set: EINVAL,
 *   EADDRINUSE, ENOSPC, ENOMEM.
 */
__rte_experimental
struct rte_vmci_vsock *
rte_vmci_vsock_listen(struct rte_vmci_vsock_ctx *ctx, uint32_t port, uint32_t backlog);

/**
 * Take an established connection from a listener.
 *
 * @return
 *   The connected socket, or NULL with rte_errno set: EAGAIN (none
 *   yet), EINVAL (not a listener).
 */
__rte_experimental
struct rte_vmci_vsock *
rte_vmci_vsock_accept(struct rte_vmci_vsock *listener);

/**
 * Send up to @p len bytes: copies what fits into the queue pair.
 *
 * @return
 *   Bytes sent (> 0), -EAGAIN (queue full, or @p len is 0), -ENOTCONN,
 *   -EPIPE (we shut down sending, or the peer will not receive), -EIO (the
 *   peer corrupted the queue indices).
 */
__rte_experimental
ssize_t
rte_vmci_vsock_send(struct rte_vmci_vsock *s, const void *buf, size_t len);

/**
 * Send bytes gathered from @p iov, as many as fit, in order.
 *
 * @return
 *   As rte_vmci_vsock_send().
 */
__rte_experimental
ssize_t
rte_vmci_vsock_sendv(struct rte_vmci_vsock *s, const struct iovec *iov, int iovcnt);

/**
 * Receive up to @p len bytes.
 *
 * @return
 *   Bytes received (> 0); 0 at end of stream (the peer shut down sending,
 *   reset or detached, and every byte has been read); -EAGAIN; -ENOTCONN;
 *   -EIO.
 */
__rte_experimental
ssize_t
rte_vmci_vsock_recv(struct rte_vmci_vsock *s, void *buf, size_t len);

/**
 * Receive bytes scattered into @p iov.
 *
 * @return
 *   As rte_vmci_vsock_recv().
 */
__rte_experimental
ssize_t
rte_vmci_vsock_recvv(struct rte_vmci_vsock *s, const struct iovec *iov, int iovcnt);

/**
 * Zero-copy receive: map up to @p len received bytes where they lie in
 * the queue pair (up to two regions across the wrap), without consuming
 * them. The bytes are in memory the peer shares: copy what must not
 * change before checking it. Finish with rte_vmci_vsock_consume().
 *
 * @return
 *   Bytes mapped (> 0), 0 at end of stream, -EAGAIN, -ENOTCONN, -EIO.
 */
__rte_experimental
ssize_t
rte_vmci_vsock_peek_zc(struct rte_vmci_vsock *s, size_t len, struct rte_vmci_qp_zc *zc);

/**
 * Consume the first @p n bytes mapped by the last rte_vmci_vsock_peek_zc()
 * and give the space back to the peer.
 *
 * @return
 *   0, -EINVAL (@p n above what was mapped), -ENOTCONN.
 */
__rte_experimental
int
rte_vmci_vsock_consume(struct rte_vmci_vsock *s, size_t n);

/**
 * Zero-copy send: map up to @p len bytes of free space in the queue
 * pair. Fill them, then publish with rte_vmci_vsock_commit().
 *
 * @return
 *   Bytes mapped (> 0), -EAGAIN, -ENOTCONN, -EPIPE, -EIO.
 */
__rte_experimental
ssize_t
rte_vmci_vsock_reserve_zc(struct rte_vmci_vsock *s, size_t len, struct rte_vmci_qp_zc *zc);

/**
 * Publish the first @p n bytes mapped by the last
 * rte_vmci_vsock_reserve_zc().
 *
 * @return
 *   0, -EINVAL (@p n above what was mapped), -ENOTCONN.
 */
__rte_experimental
int
rte_vmci_vsock_commit(struct rte_vmci_vsock *s, size_t n);

/**
 * Shut down one or both directions and tell the peer (SHUTDOWN packet).
 *
 * @param how
 *   SHUT_RD, SHUT_WR or SHUT_RDWR.
 * @return
 *   0, -EINVAL, -ENOTCONN, or the error of sending the packet.
 */
__rte_experimental
int
rte_vmci_vsock_shutdown(struct rte_vmci_vsock *s, int how);

/** @} */

/**
 * @name Datagram sockets
 * A vsock datagram is a VMCI datagram; the port is its resource ID.
 * @{
 */

/**
 * Bind a datagram socket to @p port.
 *
 * @param ctx
 *   Context.
 * @param port
 *   Port (VMCI resource ID), or RTE_VMCI_VSOCK_PORT_ANY for a free one
 *   (>= 1024).
 * @return
 *   The socket, or NULL with rte_errno set: EADDRINUSE (port taken,
 *   port 1 is the stream control channel), ENOSPC, ENOMEM, EINVAL.
 */
__rte_experimental
struct rte_vmci_vsock *
rte_vmci_vsock_dgram_bind(struct rte_vmci_vsock_ctx *ctx, uint32_t port);

/**
 * Send one datagram.
 *
 * @return
 *   @p len, or -EMSGSIZE (above RTE_VMCI_VSOCK_MAX_DG_PAYLOAD), -EINVAL
 *   (CID 0 is reachable only at port 14, or not a datagram socket), or the
 *   device's error (-EHOSTUNREACH, -ENOBUFS, ...).
 */
__rte_experimental
ssize_t
rte_vmci_vsock_sendto(struct rte_vmci_vsock *s, const void *buf, size_t len,
		      uint32_t cid, uint32_t port);

/**
 * Take the oldest datagram received. A datagram longer than @p len is
 * truncated to @p len and the rest dropped, as recvfrom(2) does.
 *
 * @param cid
 *   If not NULL, the sender's context ID.
 * @param port
 *   If not NULL, the sender's port.
 * @return
 *   Bytes copied (>= 0), -EAGAIN (nothing queued), -EINVAL.
 */
__rte_experimental
ssize_t
rte_vmci_vsock_recvfrom(struct rte_vmci_vsock *s, void *buf, size_t len,
			uint32_t *cid, uint32_t *port);

/** @} */

/**
 * @name Any socket
 * @{
 */

/**
 * Close a socket and free it. A connected stream detaches its queue pair
 * (the peer learns it from its QP_PEER_DETACH event); a connection in its
 * handshake is reset; a listener resets its pending connections and closes
 * those not accepted. NULL is accepted.
 */
__rte_experimental
void
rte_vmci_vsock_close(struct rte_vmci_vsock *s);

/** State of a socket. */
__rte_experimental
enum rte_vmci_vsock_state
rte_vmci_vsock_state(const struct rte_vmci_vsock *s);

/**
 * Why a socket failed or ended.
 *
 * @return
 *   0, or a negative errno: -ECONNRESET, -ETIMEDOUT, -EPROTO, -ENOMEM,
 *   -EIO.
 */
__rte_experimental
int
rte_vmci_vsock_error(const struct rte_vmci_vsock *s);

/** Notify protocol the handshake chose. */
__rte_experimental
enum rte_vmci_vsock_notify
rte_vmci_vsock_notify_proto(const struct rte_vmci_vsock *s);

/**
 * Local and peer addresses; any pointer may be NULL.
 *
 * @return
 *   0, or -EINVAL.
 */
__rte_experimental
int
rte_vmci_vsock_addr(const struct rte_vmci_vsock *s, uint32_t *local_cid,
		    uint32_t *local_port, uint32_t *peer_cid, uint32_t *peer_port);

/**
 * Queue size negotiated for a stream (each of the two queues).
 *
 * @return
 *   Bytes, or 0 before the handshake chose one.
 */
__rte_experimental
uint64_t
rte_vmci_vsock_buffer_size(const struct rte_vmci_vsock *s);

/**
 * Bytes ready to receive on a stream.
 *
 * @return
 *   Bytes, -ENOTCONN, or -EIO.
 */
__rte_experimental
ssize_t
rte_vmci_vsock_rx_ready(struct rte_vmci_vsock *s);

/**
 * Socket counters.
 *
 * @return
 *   0, or -EINVAL.
 */
__rte_experimental
int
rte_vmci_vsock_stats_get(const struct rte_vmci_vsock *s, struct rte_vmci_vsock_stats *stats);

/**
 * Telemetry and log identifier of a socket (unique in the process).
 */
__rte_experimental
uint32_t
rte_vmci_vsock_id(const struct rte_vmci_vsock *s);

/** @} */

#ifdef __cplusplus
}
#endif

#endif /* _RTE_VMCI_VSOCK_H_ */
