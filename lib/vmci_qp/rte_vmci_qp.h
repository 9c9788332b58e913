/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

#ifndef _RTE_VMCI_QP_H_
#define _RTE_VMCI_QP_H_

/**
 * @file
 * VMCI queue-pair endpoint: byte stream, zero-copy and framed messages.
 *
 * A queue pair is two byte rings in shared memory. Each endpoint writes into
 * its produce queue and reads from its consume queue, which is the peer's
 * produce queue. The layout and index arithmetic are VMCI's
 * (see rte_vmci_qp_wire.h), so the peer may be the VMware hypervisor, a host
 * kernel, another DPDK process or another lcore of this one.
 *
 * Threading: one lcore may produce and one lcore may consume on an endpoint
 * at the same time, without locks. Control functions (create, free, stats
 * reset) must not run concurrently with data-path calls on the same
 * endpoint.
 *
 * Ordering contract with the peer:
 *  - Producer: copy data into the ring, then release-store producer_tail
 *    (pairs with the peer's acquire-load of it).
 *  - Consumer: acquire-load the peer's producer_tail, copy data out, then
 *    release-store consumer_head (pairs with the peer's acquire-load).
 *  - Each index the peer writes is loaded once per refresh and checked
 *    against the queue size before any use; a bad value is an error
 *    (-EIO) that touches no data. Our own indices are kept in local memory
 *    and only published, so a peer writing our header cannot move them.
 *
 * Return values: data-path functions return a byte or message count
 * (>= 0) or a negative errno; they never set rte_errno and never log.
 * Constructors return NULL and set rte_errno.
 */

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

#include <rte_compat.h>
#include <rte_memory.h> /* SOCKET_ID_ANY */

#include "rte_vmci_qp_wire.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Opaque queue-pair endpoint (process-local state over shared queues). */
struct rte_vmci_qp;

/** Where one queue of a pair lives in this process's address space. */
struct rte_vmci_qp_queue_desc {
	struct rte_vmci_queue_header *hdr; /**< Queue header (start of the header page). */
	void *data;                        /**< Virtually contiguous data area. */
	uint64_t size;                     /**< Ring size in bytes (>= 1). */
};

/** Endpoint configuration for rte_vmci_qp_endpoint_create(). */
struct rte_vmci_qp_conf {
	const char *name;                      /**< For logs and telemetry; may be NULL. */
	struct rte_vmci_qp_queue_desc produce; /**< Queue this endpoint writes. */
	struct rte_vmci_qp_queue_desc consume; /**< Queue this endpoint reads. */
	/**
	 * Largest message payload this endpoint accepts from the peer;
	 * 0 means as large as the consume queue can carry. Longer records are
	 * treated as corruption.
	 */
	uint32_t max_rx_msg_len;
	int socket_id; /**< NUMA socket for the endpoint state, or SOCKET_ID_ANY. */
};

/** Endpoint counters. Bytes count ring bytes, record headers and padding included. */
struct rte_vmci_qp_stats {
	uint64_t enq_bytes;      /**< Bytes written to the produce queue. */
	uint64_t enq_ops;        /**< Enqueue calls that moved data. */
	uint64_t enq_msgs;       /**< Records written. */
	uint64_t enq_full;       /**< Enqueue calls that found too little space. */
	uint64_t deq_bytes;      /**< Bytes consumed from the consume queue. */
	uint64_t deq_ops;        /**< Dequeue calls that moved data. */
	uint64_t deq_msgs;       /**< Records read. */
	uint64_t deq_empty;      /**< Dequeue calls that found too little data. */
	uint64_t idx_errors;     /**< Peer indices found out of range. */
	uint64_t rec_errors;     /**< Malformed records found in the consume queue. */
	uint64_t resyncs;        /**< Successful rte_vmci_qp_msg_resync() calls. */
	uint64_t resync_bytes;   /**< Bytes those calls dropped. */
};

/** Static facts about an endpoint. */
struct rte_vmci_qp_info {
	const char *name;              /**< Name given at creation ("" if none). */
	struct rte_vmci_handle handle; /**< Handle read from the produce header at creation. */
	uint64_t produce_size;         /**< Produce queue size in bytes. */
	uint64_t consume_size;         /**< Consume queue size in bytes. */
	uint32_t max_tx_msg_len;       /**< Largest message payload that fits the produce queue. */
	uint32_t max_rx_msg_len;       /**< Largest message payload accepted from the peer. */
	/**
	 * IOVA of the consume queue's data, RTE_BAD_IOVA unless it is
	 * contiguous over the whole queue (then messages read in place carry
	 * IOVAs a device can use).
	 */
	rte_iova_t consume_iova;
};

/** Up to two contiguous regions of a queue, for zero-copy access across the wrap. */
struct rte_vmci_qp_zc {
	void *ptr1;  /**< First region. */
	size_t len1; /**< Its length. */
	void *ptr2;  /**< Second region (ring start), NULL if none. */
	size_t len2; /**< Its length, 0 if none. */
};

/**
 * Create an endpoint over queue memory the caller describes.
 *
 * The endpoint resumes from the indices found in the headers: its own
 * producer_tail and consumer_head from the produce header. Headers are not
 * modified. Both indices must be below their queue size.
 *
 * @param conf
 *   Queue locations and sizes.
 * @return
 *   The endpoint, or NULL with rte_errno set: EINVAL for a bad
 *   configuration (named in the log), EIO for out-of-range indices in the
 *   header, ENOMEM.
 */
__rte_experimental
struct rte_vmci_qp *
rte_vmci_qp_endpoint_create(const struct rte_vmci_qp_conf *conf);

/**
 * Free an endpoint's local state. The queue memory is not touched.
 *
 * @param qp
 *   Endpoint, or NULL.
 */
__rte_experimental
void
rte_vmci_qp_endpoint_free(struct rte_vmci_qp *qp);

/**
 * Get the static facts of an endpoint.
 *
 * @param qp
 *   Endpoint.
 * @param info
 *   Filled on success.
 * @return
 *   0, or -EINVAL if an argument is NULL.
 */
__rte_experimental
int
rte_vmci_qp_info_get(const struct rte_vmci_qp *qp, struct rte_vmci_qp_info *info);

/**
 * Read the endpoint counters.
 *
 * @param qp
 *   Endpoint.
 * @param stats
 *   Filled on success.
 * @return
 *   0, or -EINVAL if an argument is NULL.
 */
__rte_experimental
int
rte_vmci_qp_stats_get(const struct rte_vmci_qp *qp, struct rte_vmci_qp_stats *stats);

/**
 * Zero the endpoint counters. Not safe against concurrent data-path calls.
 *
 * @param qp
 *   Endpoint.
 */
__rte_experimental
void
rte_vmci_qp_stats_reset(struct rte_vmci_qp *qp);

/**
 * Bytes that can be enqueued now (one byte of the ring always stays empty).
 *
 * @param qp
 *   Endpoint.
 * @return
 *   Free bytes, or -EIO if the peer's consumer_head is out of range.
 */
__rte_experimental
int64_t
rte_vmci_qp_free_space(struct rte_vmci_qp *qp);

/**
 * Bytes ready to be dequeued now.
 *
 * @param qp
 *   Endpoint.
 * @return
 *   Ready bytes, or -EIO if the peer's producer_tail is out of range.
 */
__rte_experimental
int64_t
rte_vmci_qp_ready_bytes(struct rte_vmci_qp *qp);

/**
 * @name Byte stream
 * _bulk functions move all @p len bytes or none; _burst functions move as
 * many as possible. All return the number of bytes moved, or -EIO when a
 * peer index is out of range (nothing moved), or -EMSGSIZE when a _bulk
 * length can never fit the queue.
 * @{
 */

/** Enqueue @p len bytes from @p buf, all or nothing. */
__rte_experimental
ssize_t
rte_vmci_qp_enqueue_bulk(struct rte_vmci_qp *qp, const void *buf, size_t len);

/** Enqueue up to @p len bytes from @p buf. */
__rte_experimental
ssize_t
rte_vmci_qp_enqueue_burst(struct rte_vmci_qp *qp, const void *buf, size_t len);

/** Enqueue the bytes gathered from @p iov, all or nothing. */
__rte_experimental
ssize_t
rte_vmci_qp_enqueuev_bulk(struct rte_vmci_qp *qp, const struct iovec *iov, int iovcnt);

/** Enqueue as many bytes gathered from @p iov as fit, in order. */
__rte_experimental
ssize_t
rte_vmci_qp_enqueuev_burst(struct rte_vmci_qp *qp, const struct iovec *iov, int iovcnt);

/** Dequeue @p len bytes into @p buf, all or nothing. */
__rte_experimental
ssize_t
rte_vmci_qp_dequeue_bulk(struct rte_vmci_qp *qp, void *buf, size_t len);

/** Dequeue up to @p len bytes into @p buf. */
__rte_experimental
ssize_t
rte_vmci_qp_dequeue_burst(struct rte_vmci_qp *qp, void *buf, size_t len);

/** Dequeue bytes scattered into @p iov, all iov bytes or nothing. */
__rte_experimental
ssize_t
rte_vmci_qp_dequeuev_bulk(struct rte_vmci_qp *qp, const struct iovec *iov, int iovcnt);

/** Dequeue as many bytes as are ready, scattered into @p iov in order. */
__rte_experimental
ssize_t
rte_vmci_qp_dequeuev_burst(struct rte_vmci_qp *qp, const struct iovec *iov, int iovcnt);

/** Copy @p len ready bytes into @p buf without consuming them, all or nothing. */
__rte_experimental
ssize_t
rte_vmci_qp_peek_bulk(struct rte_vmci_qp *qp, void *buf, size_t len);

/** Copy up to @p len ready bytes into @p buf without consuming them. */
__rte_experimental
ssize_t
rte_vmci_qp_peek_burst(struct rte_vmci_qp *qp, void *buf, size_t len);

/** Consume @p len ready bytes without copying them, all or nothing. */
__rte_experimental
ssize_t
rte_vmci_qp_discard_bulk(struct rte_vmci_qp *qp, size_t len);

/** Consume up to @p len ready bytes without copying them. */
__rte_experimental
ssize_t
rte_vmci_qp_discard_burst(struct rte_vmci_qp *qp, size_t len);

/** @} */

/**
 * @name Zero-copy
 * A _start call maps ring space (up to two regions across the wrap) and
 * returns its length; the matching _finish call publishes the first @p n
 * bytes of it (enqueue) or releases them to the peer (dequeue). Nothing
 * else may run on that direction in between. Data read in place lives in
 * shared memory that the peer can still write: validate after copying
 * what must not change.
 * @{
 */

/** Map exactly @p len bytes of free space, or none (returns 0). */
__rte_experimental
ssize_t
rte_vmci_qp_enqueue_zc_bulk_start(struct rte_vmci_qp *qp, size_t len,
				  struct rte_vmci_qp_zc *zc);

/** Map up to @p len bytes of free space. */
__rte_experimental
ssize_t
rte_vmci_qp_enqueue_zc_burst_start(struct rte_vmci_qp *qp, size_t len,
				   struct rte_vmci_qp_zc *zc);

/**
 * Publish the first @p n bytes of the last mapped space.
 *
 * @return
 *   0, or -EINVAL if @p n exceeds what was mapped.
 */
__rte_experimental
int
rte_vmci_qp_enqueue_zc_finish(struct rte_vmci_qp *qp, size_t n);

/** Map exactly @p len ready bytes, or none (returns 0). */
__rte_experimental
ssize_t
rte_vmci_qp_dequeue_zc_bulk_start(struct rte_vmci_qp *qp, size_t len,
				  struct rte_vmci_qp_zc *zc);

/** Map up to @p len ready bytes. */
__rte_experimental
ssize_t
rte_vmci_qp_dequeue_zc_burst_start(struct rte_vmci_qp *qp, size_t len,
				   struct rte_vmci_qp_zc *zc);

/**
 * Release the first @p n bytes of the last mapped data to the peer.
 *
 * @return
 *   0, or -EINVAL if @p n exceeds what was mapped.
 */
__rte_experimental
int
rte_vmci_qp_dequeue_zc_finish(struct rte_vmci_qp *qp, size_t n);

/** @} */

/**
 * @name Framed messages
 * Records (struct rte_vmci_qp_rec_hdr, payload, padding to 8 bytes) on the
 * byte stream. A reader never sees part of a record. A record whose header
 * is malformed (bad magic or flags, a length above the receive limit or
 * beyond the published data) is counted in rec_errors, consumes nothing
 * and makes the call return -EBADMSG: the stream cannot be trusted after
 * it, so the endpoint's message reads keep failing until the endpoint is
 * recreated.
 * @{
 */

/**
 * Enqueue up to @p n messages, each one contiguous buffer, publishing once.
 *
 * @return
 *   Messages enqueued (whole records only), -EMSGSIZE if the first
 *   message can never fit the queue, or -EIO.
 */
__rte_experimental
int
rte_vmci_qp_msg_enqueue_burst(struct rte_vmci_qp *qp, const struct iovec *msgs,
			      unsigned int n);

/**
 * As rte_vmci_qp_msg_enqueue_burst(), but all @p n messages or none.
 *
 * @return
 *   @p n, 0 if they do not all fit now, -EMSGSIZE if their records
 *   together can never fit the queue (retrying would not help), or -EIO.
 */
__rte_experimental
int
rte_vmci_qp_msg_enqueue_bulk(struct rte_vmci_qp *qp, const struct iovec *msgs,
			     unsigned int n);

/**
 * Dequeue up to @p n messages, publishing once.
 *
 * Each @p bufs entry gives a buffer and its capacity; on return its
 * iov_len holds the message length. Stops before a message larger than its
 * buffer (use rte_vmci_qp_msg_peek_len() to size one).
 *
 * @return
 *   Messages dequeued, -EMSGSIZE if the first message does not fit
 *   bufs[0], -EBADMSG, or -EIO.
 */
__rte_experimental
int
rte_vmci_qp_msg_dequeue_burst(struct rte_vmci_qp *qp, struct iovec *bufs,
			      unsigned int n);

/** A message read in place by rte_vmci_qp_msg_dequeue_zc_burst(). */
struct rte_vmci_qp_msg_ref {
	const void *data; /**< Payload, in the consume queue. */
	rte_iova_t iova;  /**< Its IOVA; RTE_BAD_IOVA if the queue memory has no contiguous one. */
	uint64_t pos;     /**< Ring position of its record, for rte_vmci_qp_msg_zc_done(). */
	uint32_t len;     /**< Payload length. */
};

/** For rte_vmci_qp_msg_zc_done(): no message is held any more. */
#define RTE_VMCI_QP_ZC_ALL UINT64_MAX

/**
 * Dequeue up to @p n messages in place: no copy, and their ring space
 * stays the caller's until it says it is done with them.
 *
 * Each record's header is validated as by rte_vmci_qp_msg_dequeue_burst();
 * the call stops before a record whose payload crosses the end of the
 * ring (read that one with a copying call). From the first message mapped
 * on, no byte is returned to the peer, whatever other calls read after
 * it, until rte_vmci_qp_msg_zc_done() moves past it. Payloads stay in
 * shared memory that a misbehaving peer can still write: copy what must
 * not change before validating it.
 *
 * @param refs
 *   Filled with each message's payload, IOVA, length and ring position.
 * @return
 *   Messages mapped (0 if none is ready, or the next one crosses the end
 *   of the ring), -EBADMSG, or -EIO.
 */
__rte_experimental
int
rte_vmci_qp_msg_dequeue_zc_burst(struct rte_vmci_qp *qp, struct rte_vmci_qp_msg_ref *refs,
				 unsigned int n);

/**
 * Give back to the peer the ring space of every message held in place
 * before ring position @p pos, and publish it (one release store if
 * anything moved). Messages are given back in ring order: @p pos is the
 * position (rte_vmci_qp_msg_ref.pos) of the oldest message the caller
 * still holds, or RTE_VMCI_QP_ZC_ALL when it holds none.
 *
 * @return
 *   0, or -EINVAL if @p pos is not inside what is held (nothing changes).
 */
__rte_experimental
int
rte_vmci_qp_msg_zc_done(struct rte_vmci_qp *qp, uint64_t pos);

/**
 * Length of the next message without consuming it.
 *
 * @return
 *   Payload length, -EAGAIN if no message is ready, -EBADMSG, or -EIO.
 */
__rte_experimental
int64_t
rte_vmci_qp_msg_peek_len(struct rte_vmci_qp *qp);

/**
 * Stage one message gathered from @p seg; it becomes visible to the peer
 * at the next rte_vmci_qp_publish() or publishing call. Lets a caller
 * write a burst of multi-segment messages with one index update.
 *
 * @return
 *   1 if staged, 0 if it does not fit now, -EMSGSIZE if it never can,
 *   -EINVAL, or -EIO.
 */
__rte_experimental
int
rte_vmci_qp_msg_stagev(struct rte_vmci_qp *qp, const struct iovec *seg, int nseg);

/** Make all staged bytes visible to the peer (one release store). */
__rte_experimental
void
rte_vmci_qp_publish(struct rte_vmci_qp *qp);

/**
 * Read one message, scattered into @p seg, without returning its space to
 * the peer until rte_vmci_qp_release() or a releasing call.
 *
 * @return
 *   Payload length, -EAGAIN if no message is ready, -EMSGSIZE if the
 *   segments are too small (nothing consumed), -EBADMSG, or -EIO.
 */
__rte_experimental
int64_t
rte_vmci_qp_msg_fetchv(struct rte_vmci_qp *qp, const struct iovec *seg, int nseg);

/** Return all fetched bytes to the peer (one release store). */
__rte_experimental
void
rte_vmci_qp_release(struct rte_vmci_qp *qp);

/**
 * Recover message reads after -EBADMSG: drop every byte the peer has
 * published so far (a writer publishes only at record boundaries, so the
 * next record starts there) and clear the error state.
 *
 * A data-path function like the others: it does not log. Each call that
 * succeeds is counted in the resyncs and resync_bytes statistics, for the
 * caller's control path to report.
 *
 * @return
 *   Bytes dropped, or -EIO.
 */
__rte_experimental
int64_t
rte_vmci_qp_msg_resync(struct rte_vmci_qp *qp);

/** @} */

#ifdef __cplusplus
}
#endif

#endif /* _RTE_VMCI_QP_H_ */
