/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

#ifndef _RTE_VMCI_QP_MEM_H_
#define _RTE_VMCI_QP_MEM_H_

/**
 * @file
 * Queue-pair memory: hugepage-backed, NUMA-placed, shareable between DPDK
 * processes, described to a VMCI device by a list of 4 KiB page numbers.
 *
 * Layout of one allocation, all 4 KiB aligned and virtually contiguous:
 * produce header page, produce data pages, consume header page, consume
 * data pages. "Produce" and "consume" are named from the creator's side:
 * the creator writes the produce queue; its peer writes the consume queue.
 * The page list follows the same order, as QUEUEPAIR_ALLOC expects.
 */

#include <stdint.h>

#include <rte_compat.h>

#include "rte_vmci_qp.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Opaque queue-pair memory (lives in a DPDK memzone). */
struct rte_vmci_qp_mem;

/** Which end of the pair an endpoint is. */
enum rte_vmci_qp_side {
	RTE_VMCI_QP_SIDE_CREATOR = 0, /**< Writes the produce queue. */
	RTE_VMCI_QP_SIDE_PEER = 1,    /**< Writes the consume queue. */
};

/** Longest memory name, terminating NUL included. */
#define RTE_VMCI_QP_MEM_NAMESIZE 28

/**
 * Allocate queue memory from DPDK memory on a NUMA socket.
 *
 * Headers are zeroed. The memory is found again by name from any process
 * of the same DPDK instance with rte_vmci_qp_mem_lookup().
 *
 * @param name
 *   Unique name, shorter than RTE_VMCI_QP_MEM_NAMESIZE.
 * @param produce_size
 *   Produce queue size in bytes (>= 1).
 * @param consume_size
 *   Consume queue size in bytes (>= 1).
 * @param socket_id
 *   NUMA socket, or SOCKET_ID_ANY for the socket of the calling lcore.
 * @return
 *   The memory, or NULL with rte_errno set: EINVAL (bad name or size),
 *   EEXIST (name in use), ENOMEM, or EFAULT when the pages did not land on
 *   the requested socket (checked with libnuma).
 */
__rte_experimental
struct rte_vmci_qp_mem *
rte_vmci_qp_mem_alloc(const char *name, uint64_t produce_size,
		      uint64_t consume_size, int socket_id);

/**
 * Find queue memory allocated by this or another process.
 *
 * @return
 *   The memory, or NULL with rte_errno set to ENOENT or EINVAL (the
 *   memzone exists but is not queue-pair memory).
 */
__rte_experimental
struct rte_vmci_qp_mem *
rte_vmci_qp_mem_lookup(const char *name);

/**
 * Release queue memory. Endpoints over it must be freed first. The pages
 * go back once every reference taken with rte_vmci_qp_mem_hold() is
 * released too.
 *
 * @param mem
 *   Memory, or NULL.
 */
__rte_experimental
void
rte_vmci_qp_mem_free(struct rte_vmci_qp_mem *mem);

/**
 * @internal
 * Take a reference on the queue memory whose queue pages contain @p addr,
 * as a hypervisor pins the guest pages it maps for another end: the pages
 * stay until that reference is released with rte_vmci_qp_mem_free(), even
 * after their owner freed them. For the emulated hypervisor.
 *
 * @return
 *   The memory, or NULL with rte_errno ENOENT (@p addr is not in a queue
 *   page of any queue memory).
 */
__rte_internal
struct rte_vmci_qp_mem *
rte_vmci_qp_mem_hold(const void *addr);

/** Produce queue size given at allocation. */
__rte_experimental
uint64_t
rte_vmci_qp_mem_produce_size(const struct rte_vmci_qp_mem *mem);

/** Consume queue size given at allocation. */
__rte_experimental
uint64_t
rte_vmci_qp_mem_consume_size(const struct rte_vmci_qp_mem *mem);

/** Socket the memory was requested on. */
__rte_experimental
int
rte_vmci_qp_mem_socket_id(const struct rte_vmci_qp_mem *mem);

/**
 * NUMA node the memory's pages actually reside on, asked of the kernel.
 *
 * @return
 *   Node number, or a negative errno if the kernel cannot tell.
 */
__rte_experimental
int
rte_vmci_qp_mem_numa_node(const struct rte_vmci_qp_mem *mem);

/**
 * Describe the produce and consume queues as one side sees them.
 *
 * @param mem
 *   Memory.
 * @param side
 *   RTE_VMCI_QP_SIDE_CREATOR: produce is the produce queue;
 *   RTE_VMCI_QP_SIDE_PEER: the two are swapped.
 * @param produce
 *   Filled with the queue that side writes.
 * @param consume
 *   Filled with the queue that side reads.
 * @return
 *   0, or -EINVAL.
 */
__rte_experimental
int
rte_vmci_qp_mem_queues(const struct rte_vmci_qp_mem *mem, enum rte_vmci_qp_side side,
		       struct rte_vmci_qp_queue_desc *produce,
		       struct rte_vmci_qp_queue_desc *consume);

/**
 * Write the handle and zero indices into both queue headers, as the
 * hypervisor does when it creates a pair. Only for pairs no device owns
 * (local pairs, emulated brokers); never while endpoints use the memory.
 *
 * @return
 *   0, or -EINVAL.
 */
__rte_experimental
int
rte_vmci_qp_mem_init_headers(struct rte_vmci_qp_mem *mem, struct rte_vmci_handle handle);

/**
 * Create an endpoint over this memory.
 *
 * @param mem
 *   Memory.
 * @param side
 *   Which end.
 * @param max_rx_msg_len
 *   As in struct rte_vmci_qp_conf (0: no extra limit).
 * @return
 *   The endpoint, or NULL with rte_errno set.
 */
__rte_experimental
struct rte_vmci_qp *
rte_vmci_qp_mem_endpoint(struct rte_vmci_qp_mem *mem, enum rte_vmci_qp_side side,
			 uint32_t max_rx_msg_len);

/**
 * Number of 4 KiB pages in the page list: two header pages plus
 * ceil(produce_size / 4096) + ceil(consume_size / 4096).
 */
__rte_experimental
uint64_t
rte_vmci_qp_mem_num_pages(const struct rte_vmci_qp_mem *mem);

/**
 * Fill the 64-bit page-number list (IOVA >> 12) in QUEUEPAIR_ALLOC order.
 *
 * @param mem
 *   Memory.
 * @param ppns
 *   Array of at least rte_vmci_qp_mem_num_pages() entries.
 * @param n
 *   Its length.
 * @return
 *   Entries written, -ENOSPC if @p n is too small, or -EFAULT if a page
 *   has no IOVA.
 */
__rte_experimental
int64_t
rte_vmci_qp_mem_ppn64(const struct rte_vmci_qp_mem *mem, uint64_t *ppns, uint64_t n);

/**
 * Fill the 32-bit page-number list, for devices without PPN64.
 *
 * @return
 *   Entries written, -ENOSPC, -EFAULT, or -ERANGE if a page number does
 *   not fit 32 bits (the log names it and the limit).
 */
__rte_experimental
int64_t
rte_vmci_qp_mem_ppn32(const struct rte_vmci_qp_mem *mem, uint32_t *ppns, uint64_t n);

/**
 * Allocate memory for a pair whose two ends both live in this DPDK
 * instance (VMCI's LOCAL pairs): allocate, initialise the headers with
 * @p handle, and create both endpoints.
 *
 * @param name
 *   Memory name.
 * @param size_a2b
 *   Bytes in the queue that @p ep[0] writes and @p ep[1] reads.
 * @param size_b2a
 *   Bytes in the opposite queue.
 * @param socket_id
 *   NUMA socket or SOCKET_ID_ANY.
 * @param handle
 *   Handle written into both headers.
 * @param ep
 *   Filled with the creator (ep[0]) and peer (ep[1]) endpoints.
 * @return
 *   The memory, or NULL with rte_errno set (nothing left allocated).
 */
__rte_experimental
struct rte_vmci_qp_mem *
rte_vmci_qp_local_pair_create(const char *name, uint64_t size_a2b, uint64_t size_b2a,
			      int socket_id, struct rte_vmci_handle handle,
			      struct rte_vmci_qp *ep[2]);

/**
 * Free both endpoints of a local pair and its memory.
 *
 * @param mem
 *   Memory from rte_vmci_qp_local_pair_create(), or NULL.
 * @param ep
 *   Its endpoints (either may be NULL).
 */
__rte_experimental
void
rte_vmci_qp_local_pair_free(struct rte_vmci_qp_mem *mem, struct rte_vmci_qp *ep[2]);

#ifdef __cplusplus
}
#endif

#endif /* _RTE_VMCI_QP_MEM_H_ */
