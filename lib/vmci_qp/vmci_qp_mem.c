/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

/*
 * Queue-pair memory in one DPDK memzone:
 *
 *   page 0        struct rte_vmci_qp_mem (DPDK processes only, never
 *                 described to a device)
 *   page 1        produce header          <- page list entry 0
 *   pages 2..     produce data
 *   next page     consume header
 *   pages ..      consume data
 *
 * The memzone makes the pages virtually contiguous and visible at the same
 * address in secondary processes, so one descriptor serves every process.
 * It is counted: the owner's reference, and one for each party that maps
 * the pages by address (rte_vmci_qp_mem_hold()); the last one frees it.
 */

#include <errno.h>
#include <inttypes.h>
#include <numaif.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_memory.h>
#include <rte_memzone.h>
#include <rte_string_fns.h>

#include "rte_vmci_qp_mem.h"
#include "vmci_qp_private.h"

#define QP_MEM_MAGIC UINT64_C(0x564d43495150454d) /* "VMCIQPEM" */
#define QP_MEM_MZ_PREFIX "vqp_"
#define PAGE RTE_VMCI_QP_PAGE_SIZE

/* Each queue may be large, but the sums below must not overflow. */
#define QP_MEM_MAX_QUEUE (UINT64_C(1) << 40)

struct rte_vmci_qp_mem {
	uint64_t magic;
	uint32_t refcnt; /* shared by every process */
	const struct rte_memzone *mz;
	char name[RTE_VMCI_QP_MEM_NAMESIZE];
	uint64_t produce_size;
	uint64_t consume_size;
	uint64_t num_pages;
	int socket_id;
};

static inline uint64_t
data_pages(uint64_t size)
{
	return (size + PAGE - 1) / PAGE;
}

/* First page of the page list: the produce header. */
static inline uint8_t *
queue_base(const struct rte_vmci_qp_mem *mem)
{
	return (uint8_t *)(uintptr_t)mem + PAGE;
}

static inline uint8_t *
page_addr(const struct rte_vmci_qp_mem *mem, uint64_t i)
{
	return queue_base(mem) + i * PAGE;
}

static int
mz_name(char *buf, size_t len, const char *name)
{
	if (name == NULL || name[0] == '\0' || strlen(name) >= RTE_VMCI_QP_MEM_NAMESIZE) {
		VMCI_QP_LOG(ERR, "name \"%s\": expected 1..%d characters",
			    name == NULL ? "(null)" : name, RTE_VMCI_QP_MEM_NAMESIZE - 1);
		return -EINVAL;
	}
	snprintf(buf, len, QP_MEM_MZ_PREFIX "%s", name);
	return 0;
}

static int
check_size(const char *what, uint64_t size)
{
	if (size == 0 || size > QP_MEM_MAX_QUEUE) {
		VMCI_QP_LOG(ERR, "%s size %" PRIu64 ", expected 1..%" PRIu64,
			    what, size, QP_MEM_MAX_QUEUE);
		return -EINVAL;
	}
	return 0;
}

static int
resolve_socket(int socket_id)
{
	if (socket_id != SOCKET_ID_ANY)
		return socket_id;
	socket_id = (int)rte_socket_id();
	/* Non-EAL threads have no socket: let the allocator choose. */
	return socket_id < 0 ? SOCKET_ID_ANY : socket_id;
}

int
rte_vmci_qp_mem_numa_node(const struct rte_vmci_qp_mem *mem)
{
	int node = -1;

	if (mem == NULL)
		return -EINVAL;
	if (get_mempolicy(&node, NULL, 0, queue_base(mem), MPOL_F_NODE | MPOL_F_ADDR) < 0)
		return -errno;
	return node;
}

/* Ask the kernel where the first and the last page landed. */
static int
check_placement(const struct rte_vmci_qp_mem *mem, int socket_id)
{
	uint64_t last = mem->num_pages - 1;
	int first_node, last_node = -1;

	first_node = rte_vmci_qp_mem_numa_node(mem);
	if (first_node == -ENOSYS || first_node == -EPERM)
		return 0; /* no NUMA support in this kernel or sandbox: nothing to check */
	if (first_node >= 0 &&
	    get_mempolicy(&last_node, NULL, 0, page_addr(mem, last),
			  MPOL_F_NODE | MPOL_F_ADDR) < 0)
		last_node = -errno;
	if (first_node != socket_id || last_node != socket_id) {
		VMCI_QP_LOG(ERR, "%s: pages on NUMA nodes %d..%d, expected %d",
			    mem->name, first_node, last_node, socket_id);
		return -EFAULT;
	}
	return 0;
}

struct rte_vmci_qp_mem *
rte_vmci_qp_mem_alloc(const char *name, uint64_t produce_size,
		      uint64_t consume_size, int socket_id)
{
	char mzname[RTE_MEMZONE_NAMESIZE];
	const struct rte_memzone *mz;
	struct rte_vmci_qp_mem *mem;
	uint64_t num_pages;
	int ret;

	ret = mz_name(mzname, sizeof(mzname), name);
	if (ret == 0)
		ret = check_size("produce", produce_size);
	if (ret == 0)
		ret = check_size("consume", consume_size);
	if (ret < 0) {
		rte_errno = -ret;
		return NULL;
	}
	num_pages = 2 + data_pages(produce_size) + data_pages(consume_size);
	socket_id = resolve_socket(socket_id);
	mz = rte_memzone_reserve_aligned(mzname, (num_pages + 1) * PAGE, socket_id, 0, PAGE);
	if (mz == NULL) {
		VMCI_QP_LOG(ERR, "%s: cannot reserve %" PRIu64 " pages on socket %d: %s",
			    name, num_pages + 1, socket_id, rte_strerror(rte_errno));
		return NULL; /* rte_errno set by the memzone allocator */
	}
	mem = mz->addr;
	memset(mem, 0, PAGE);
	mem->mz = mz;
	mem->refcnt = 1;
	strlcpy(mem->name, name, sizeof(mem->name));
	mem->produce_size = produce_size;
	mem->consume_size = consume_size;
	mem->num_pages = num_pages;
	mem->socket_id = socket_id == SOCKET_ID_ANY ? mz->socket_id : socket_id;
	memset(page_addr(mem, 0), 0, sizeof(struct rte_vmci_queue_header));
	memset(page_addr(mem, 1 + data_pages(produce_size)), 0,
	       sizeof(struct rte_vmci_queue_header));
	ret = socket_id == SOCKET_ID_ANY ? 0 : check_placement(mem, socket_id);
	if (ret < 0) {
		rte_memzone_free(mz);
		rte_errno = -ret;
		return NULL;
	}
	/* Publish the magic last: lookups in other processes test it. */
	__atomic_store_n(&mem->magic, QP_MEM_MAGIC, __ATOMIC_RELEASE);
	return mem;
}

struct rte_vmci_qp_mem *
rte_vmci_qp_mem_lookup(const char *name)
{
	char mzname[RTE_MEMZONE_NAMESIZE];
	const struct rte_memzone *mz;
	struct rte_vmci_qp_mem *mem;
	int ret;

	ret = mz_name(mzname, sizeof(mzname), name);
	if (ret < 0) {
		rte_errno = -ret;
		return NULL;
	}
	mz = rte_memzone_lookup(mzname);
	if (mz == NULL) {
		rte_errno = ENOENT;
		return NULL;
	}
	mem = mz->addr;
	if (mz->len < PAGE ||
	    __atomic_load_n(&mem->magic, __ATOMIC_ACQUIRE) != QP_MEM_MAGIC ||
	    (mem->num_pages + 1) * PAGE > mz->len) {
		VMCI_QP_LOG(ERR, "memzone %s is not queue-pair memory", mzname);
		rte_errno = EINVAL;
		return NULL;
	}
	return mem;
}

void
rte_vmci_qp_mem_free(struct rte_vmci_qp_mem *mem)
{
	if (mem == NULL)
		return;
	if (__atomic_sub_fetch(&mem->refcnt, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	mem->magic = 0;
	rte_memzone_free(mem->mz);
}

struct mem_find {
	uintptr_t addr;
	struct rte_vmci_qp_mem *mem;
};

static void
mem_find_cb(const struct rte_memzone *mz, void *arg)
{
	struct mem_find *f = arg;
	struct rte_vmci_qp_mem *mem = mz->addr;

	if (f->addr < (uintptr_t)mz->addr || f->addr - (uintptr_t)mz->addr >= mz->len ||
	    strncmp(mz->name, QP_MEM_MZ_PREFIX, strlen(QP_MEM_MZ_PREFIX)) != 0 ||
	    mz->len < PAGE || __atomic_load_n(&mem->magic, __ATOMIC_ACQUIRE) != QP_MEM_MAGIC)
		return;
	/* Page 0 is the descriptor: never a queue page. */
	if (f->addr >= (uintptr_t)queue_base(mem))
		f->mem = mem;
}

struct rte_vmci_qp_mem *
rte_vmci_qp_mem_hold(const void *addr)
{
	struct mem_find f = { .addr = (uintptr_t)addr };

	rte_memzone_walk(mem_find_cb, &f);
	if (f.mem == NULL) {
		rte_errno = ENOENT;
		return NULL;
	}
	__atomic_add_fetch(&f.mem->refcnt, 1, __ATOMIC_ACQ_REL);
	return f.mem;
}

uint64_t
rte_vmci_qp_mem_produce_size(const struct rte_vmci_qp_mem *mem)
{
	return mem->produce_size;
}

uint64_t
rte_vmci_qp_mem_consume_size(const struct rte_vmci_qp_mem *mem)
{
	return mem->consume_size;
}

int
rte_vmci_qp_mem_socket_id(const struct rte_vmci_qp_mem *mem)
{
	return mem->socket_id;
}

uint64_t
rte_vmci_qp_mem_num_pages(const struct rte_vmci_qp_mem *mem)
{
	return mem->num_pages;
}

int
rte_vmci_qp_mem_queues(const struct rte_vmci_qp_mem *mem, enum rte_vmci_qp_side side,
		       struct rte_vmci_qp_queue_desc *produce,
		       struct rte_vmci_qp_queue_desc *consume)
{
	struct rte_vmci_qp_queue_desc q[2];
	uint64_t second = 1 + data_pages(mem == NULL ? 0 : mem->produce_size);

	if (mem == NULL || produce == NULL || consume == NULL ||
	    (side != RTE_VMCI_QP_SIDE_CREATOR && side != RTE_VMCI_QP_SIDE_PEER))
		return -EINVAL;
	q[0].hdr = (struct rte_vmci_queue_header *)page_addr(mem, 0);
	q[0].data = page_addr(mem, 1);
	q[0].size = mem->produce_size;
	q[1].hdr = (struct rte_vmci_queue_header *)page_addr(mem, second);
	q[1].data = page_addr(mem, second + 1);
	q[1].size = mem->consume_size;
	*produce = q[side == RTE_VMCI_QP_SIDE_PEER];
	*consume = q[side != RTE_VMCI_QP_SIDE_PEER];
	return 0;
}

int
rte_vmci_qp_mem_init_headers(struct rte_vmci_qp_mem *mem, struct rte_vmci_handle handle)
{
	struct rte_vmci_qp_queue_desc produce, consume;
	int ret;

	ret = rte_vmci_qp_mem_queues(mem, RTE_VMCI_QP_SIDE_CREATOR, &produce, &consume);
	if (ret < 0)
		return ret;
	memset(produce.hdr, 0, sizeof(*produce.hdr));
	memset(consume.hdr, 0, sizeof(*consume.hdr));
	produce.hdr->handle = handle;
	consume.hdr->handle = handle;
	return 0;
}

struct rte_vmci_qp *
rte_vmci_qp_mem_endpoint(struct rte_vmci_qp_mem *mem, enum rte_vmci_qp_side side,
			 uint32_t max_rx_msg_len)
{
	struct rte_vmci_qp_conf conf = {
		.max_rx_msg_len = max_rx_msg_len,
		.socket_id = mem == NULL ? SOCKET_ID_ANY : mem->socket_id,
	};
	int ret;

	ret = rte_vmci_qp_mem_queues(mem, side, &conf.produce, &conf.consume);
	if (ret < 0) {
		rte_errno = -ret;
		return NULL;
	}
	conf.name = mem->name;
	return rte_vmci_qp_endpoint_create(&conf);
}

static int64_t
check_ppn_room(const struct rte_vmci_qp_mem *mem, uint64_t n)
{
	if (mem == NULL)
		return -EINVAL;
	if (n < mem->num_pages) {
		VMCI_QP_LOG(ERR, "%s: page list has room for %" PRIu64 ", needs %" PRIu64,
			    mem->name, n, mem->num_pages);
		return -ENOSPC;
	}
	return 0;
}

static int64_t
page_ppn(const struct rte_vmci_qp_mem *mem, uint64_t i)
{
	rte_iova_t iova = rte_mem_virt2iova(page_addr(mem, i));

	if (iova == RTE_BAD_IOVA) {
		VMCI_QP_LOG(ERR, "%s: page %" PRIu64 " has no IOVA", mem->name, i);
		return -EFAULT;
	}
	return (int64_t)(iova >> RTE_VMCI_QP_PAGE_SHIFT);
}

int64_t
rte_vmci_qp_mem_ppn64(const struct rte_vmci_qp_mem *mem, uint64_t *ppns, uint64_t n)
{
	int64_t ret = check_ppn_room(mem, n);
	uint64_t i;

	if (ret < 0)
		return ret;
	for (i = 0; i < mem->num_pages; i++) {
		ret = page_ppn(mem, i);
		if (ret < 0)
			return ret;
		ppns[i] = ret;
	}
	return mem->num_pages;
}

int64_t
rte_vmci_qp_mem_ppn32(const struct rte_vmci_qp_mem *mem, uint32_t *ppns, uint64_t n)
{
	int64_t ret = check_ppn_room(mem, n);
	uint64_t i;

	if (ret < 0)
		return ret;
	for (i = 0; i < mem->num_pages; i++) {
		ret = page_ppn(mem, i);
		if (ret < 0)
			return ret;
		if (ret > UINT32_MAX) {
			VMCI_QP_LOG(ERR, "%s: page %" PRIu64 " number 0x%" PRIx64
				    " exceeds the 32-bit limit 0x%" PRIx32
				    " (IOVA must be below 2^44): negotiate PPN64 or use --iova-mode=pa",
				    mem->name, i, ret, UINT32_MAX);
			return -ERANGE;
		}
		ppns[i] = (uint32_t)ret;
	}
	return mem->num_pages;
}

struct rte_vmci_qp_mem *
rte_vmci_qp_local_pair_create(const char *name, uint64_t size_a2b, uint64_t size_b2a,
			      int socket_id, struct rte_vmci_handle handle,
			      struct rte_vmci_qp *ep[2])
{
	struct rte_vmci_qp_mem *mem;
	int err;

	if (ep == NULL) {
		rte_errno = EINVAL;
		return NULL;
	}
	ep[0] = NULL;
	ep[1] = NULL;
	mem = rte_vmci_qp_mem_alloc(name, size_a2b, size_b2a, socket_id);
	if (mem == NULL)
		return NULL;
	rte_vmci_qp_mem_init_headers(mem, handle);
	ep[0] = rte_vmci_qp_mem_endpoint(mem, RTE_VMCI_QP_SIDE_CREATOR, 0);
	if (ep[0] != NULL)
		ep[1] = rte_vmci_qp_mem_endpoint(mem, RTE_VMCI_QP_SIDE_PEER, 0);
	if (ep[1] == NULL) {
		err = rte_errno;
		rte_vmci_qp_local_pair_free(mem, ep);
		rte_errno = err;
		return NULL;
	}
	return mem;
}

void
rte_vmci_qp_local_pair_free(struct rte_vmci_qp_mem *mem, struct rte_vmci_qp *ep[2])
{
	if (ep != NULL) {
		rte_vmci_qp_endpoint_free(ep[0]);
		rte_vmci_qp_endpoint_free(ep[1]);
		ep[0] = NULL;
		ep[1] = NULL;
	}
	rte_vmci_qp_mem_free(mem);
}
