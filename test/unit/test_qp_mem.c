/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

/*
 * Queue-pair memory: placement, layout, page lists for QUEUEPAIR_ALLOC,
 * naming and lookup, header initialisation and local pairs.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_memory.h>
#include <rte_memzone.h>

#include "test_qp_common.h"

#define PAGE RTE_VMCI_QP_PAGE_SIZE

static uint64_t
pages_for(uint64_t size)
{
	return (size + PAGE - 1) / PAGE;
}

static int
alloc_on(int socket, int expect_node)
{
	struct rte_vmci_qp_mem *mem;
	int node, requested, ret = TEST_SUCCESS;

	mem = rte_vmci_qp_mem_alloc("qpt_numa", 5000, 3000, socket);
	TEST_ASSERT(mem != NULL, "socket %d: %s", socket, rte_strerror(rte_errno));
	node = rte_vmci_qp_mem_numa_node(mem);
	requested = rte_vmci_qp_mem_socket_id(mem);
	if (node != expect_node) {
		printf("  socket %d: pages on node %d, expected %d\n", socket, node,
		       expect_node);
		ret = TEST_FAILED;
	}
	/* For SOCKET_ID_ANY either the request or its resolution is fair. */
	if (requested != socket && requested != expect_node) {
		printf("  socket %d: socket_id() says %d\n", socket, requested);
		ret = TEST_FAILED;
	}
	if (rte_vmci_qp_mem_produce_size(mem) != 5000 ||
	    rte_vmci_qp_mem_consume_size(mem) != 3000) {
		printf("  sizes %" PRIu64 "/%" PRIu64 "\n",
		       rte_vmci_qp_mem_produce_size(mem), rte_vmci_qp_mem_consume_size(mem));
		ret = TEST_FAILED;
	}
	rte_vmci_qp_mem_free(mem);
	return ret;
}

static int
test_alloc_numa(void)
{
	if (alloc_on(0, 0) != TEST_SUCCESS)
		return TEST_FAILED;
	return alloc_on(SOCKET_ID_ANY, (int)rte_socket_id());
}

/*
 * Produce header page, produce data, consume header page, consume data:
 * page aligned and contiguous; PEER sees the two queues swapped. Headers
 * start zeroed.
 */
static int
layout_check(struct rte_vmci_qp_mem *mem, uint64_t psize, uint64_t csize)
{
	struct rte_vmci_qp_queue_desc prod, cons, pprod, pcons;
	static const uint8_t zero[sizeof(struct rte_vmci_queue_header)];
	uint8_t *base;

	TEST_ASSERT_EQUAL(rte_vmci_qp_mem_queues(mem, RTE_VMCI_QP_SIDE_CREATOR,
						 &prod, &cons), 0, "");
	TEST_ASSERT_EQUAL(rte_vmci_qp_mem_queues(mem, RTE_VMCI_QP_SIDE_PEER,
						 &pprod, &pcons), 0, "");
	base = (uint8_t *)prod.hdr;
	TEST_ASSERT_EQUAL((uintptr_t)base % PAGE, 0, "header not page aligned");
	TEST_ASSERT(prod.data == base + PAGE, "produce data not after its header");
	TEST_ASSERT((uint8_t *)cons.hdr == base + PAGE * (1 + pages_for(psize)),
		    "consume header not after the produce data pages");
	TEST_ASSERT(cons.data == (uint8_t *)cons.hdr + PAGE, "");
	TEST_ASSERT_EQUAL(prod.size, psize, "");
	TEST_ASSERT_EQUAL(cons.size, csize, "");
	TEST_ASSERT(pprod.hdr == cons.hdr && pprod.data == cons.data &&
		    pprod.size == csize && pcons.hdr == prod.hdr &&
		    pcons.data == prod.data && pcons.size == psize,
		    "PEER view is not the CREATOR view swapped");
	TEST_ASSERT(memcmp(prod.hdr, zero, sizeof(zero)) == 0 &&
		    memcmp(cons.hdr, zero, sizeof(zero)) == 0, "headers not zeroed");
	TEST_ASSERT_EQUAL(rte_vmci_qp_mem_queues(mem, (enum rte_vmci_qp_side)2,
						 &prod, &cons), -EINVAL, "bad side");
	return TEST_SUCCESS;
}

/* Expected page list, from the queue addresses, in QUEUEPAIR_ALLOC order. */
static uint64_t *
expected_ppns(struct rte_vmci_qp_mem *mem, uint64_t *n)
{
	struct rte_vmci_qp_queue_desc q[2];
	uint64_t *ppn, i, k = 0;
	int side;

	*n = 2 + pages_for(rte_vmci_qp_mem_produce_size(mem)) +
		pages_for(rte_vmci_qp_mem_consume_size(mem));
	ppn = malloc(*n * sizeof(*ppn));
	if (ppn == NULL ||
	    rte_vmci_qp_mem_queues(mem, RTE_VMCI_QP_SIDE_CREATOR, &q[0], &q[1]) != 0) {
		free(ppn);
		return NULL;
	}
	for (side = 0; side < 2; side++) {
		ppn[k++] = rte_mem_virt2iova(q[side].hdr) >> RTE_VMCI_QP_PAGE_SHIFT;
		for (i = 0; i < pages_for(q[side].size); i++)
			ppn[k++] = rte_mem_virt2iova((uint8_t *)q[side].data + i * PAGE) >>
				RTE_VMCI_QP_PAGE_SHIFT;
	}
	return ppn;
}

static int
ppn64_check(struct rte_vmci_qp_mem *mem, const uint64_t *expect, uint64_t n)
{
	uint64_t *got = malloc((n + 4) * sizeof(*got));
	uint64_t i;
	int ret = TEST_SUCCESS;

	TEST_ASSERT(got != NULL, "out of memory");
	memset(got, 0xff, (n + 4) * sizeof(*got));
	if (rte_vmci_qp_mem_ppn64(mem, got, n - 1) != -ENOSPC ||
	    rte_vmci_qp_mem_ppn64(mem, got, n + 4) != (int64_t)n) {
		printf("  ppn64 with %" PRIu64 " and %" PRIu64 " entries\n", n - 1, n + 4);
		ret = TEST_FAILED;
	}
	for (i = 0; i < n && ret == TEST_SUCCESS; i++) {
		if (got[i] != expect[i]) {
			printf("  ppn64[%" PRIu64 "] = 0x%" PRIx64 ", expected 0x%" PRIx64 "\n",
			       i, got[i], expect[i]);
			ret = TEST_FAILED;
		}
	}
	if (ret == TEST_SUCCESS && got[n] != UINT64_MAX) {
		printf("  ppn64 wrote past the %" PRIu64 " entries\n", n);
		ret = TEST_FAILED;
	}
	free(got);
	return ret;
}

/* 32-bit list: the same numbers, or -ERANGE if one does not fit. */
static int
ppn32_check(struct rte_vmci_qp_mem *mem, const uint64_t *expect, uint64_t n)
{
	uint32_t *got = malloc(n * sizeof(*got));
	int fits = 1;
	int64_t ret, short_ret;
	uint64_t i;

	TEST_ASSERT(got != NULL, "out of memory");
	for (i = 0; i < n; i++)
		fits &= expect[i] <= UINT32_MAX;
	ret = rte_vmci_qp_mem_ppn32(mem, got, n);
	short_ret = rte_vmci_qp_mem_ppn32(mem, got, n - 1);
	for (i = 0; fits && ret == (int64_t)n && i < n; i++) {
		if (got[i] != expect[i])
			break;
	}
	free(got);
	if (!fits) {
		TEST_ASSERT_EQUAL(ret, -ERANGE, "a page number is above 4G pages");
		/* Which of two problems is reported first is not specified. */
		TEST_ASSERT(short_ret == -ENOSPC || short_ret == -ERANGE, "");
		return TEST_SUCCESS;
	}
	TEST_ASSERT_EQUAL(ret, n, "");
	TEST_ASSERT_EQUAL(i, n, "ppn32[%" PRIu64 "] differs from ppn64", i);
	TEST_ASSERT_EQUAL(short_ret, -ENOSPC, "");
	return TEST_SUCCESS;
}

static int
page_list(uint64_t psize, uint64_t csize)
{
	struct rte_vmci_qp_mem *mem;
	uint64_t *expect = NULL, n = 0;
	int ret = TEST_FAILED;

	mem = rte_vmci_qp_mem_alloc("qpt_ppn", psize, csize, SOCKET_ID_ANY);
	TEST_ASSERT(mem != NULL, "alloc %" PRIu64 "/%" PRIu64 ": %s", psize, csize,
		    rte_strerror(rte_errno));
	if (layout_check(mem, psize, csize) != TEST_SUCCESS)
		goto out;
	expect = expected_ppns(mem, &n);
	if (expect == NULL)
		goto out;
	if (rte_vmci_qp_mem_num_pages(mem) != n) {
		printf("  num_pages %" PRIu64 ", expected %" PRIu64 "\n",
		       rte_vmci_qp_mem_num_pages(mem), n);
		goto out;
	}
	if (ppn64_check(mem, expect, n) == TEST_SUCCESS)
		ret = ppn32_check(mem, expect, n);
out:
	if (ret != TEST_SUCCESS)
		printf("  (sizes %" PRIu64 "/%" PRIu64 ")\n", psize, csize);
	free(expect);
	rte_vmci_qp_mem_free(mem);
	return ret;
}

static int
test_layout_and_page_lists(void)
{
	static const uint64_t sizes[][2] = {
		{ 1, 1 }, { 4096, 4096 }, { 4097, 8192 }, { 5000, 3000 },
		{ 1000003, 61 },
	};
	unsigned int i;

	for (i = 0; i < RTE_DIM(sizes); i++) {
		if (page_list(sizes[i][0], sizes[i][1]) != TEST_SUCCESS)
			return TEST_FAILED;
	}
	return TEST_SUCCESS;
}

static int
alloc_refused(const char *name, uint64_t psize, uint64_t csize, int err)
{
	struct rte_vmci_qp_mem *mem;

	rte_errno = 0;
	mem = rte_vmci_qp_mem_alloc(name, psize, csize, SOCKET_ID_ANY);
	rte_vmci_qp_mem_free(mem);
	TEST_ASSERT(mem == NULL, "accepted \"%s\" %" PRIu64 "/%" PRIu64,
		    name == NULL ? "(null)" : name, psize, csize);
	TEST_ASSERT_EQUAL(rte_errno, err, "rte_errno for \"%s\"",
			  name == NULL ? "(null)" : name);
	return TEST_SUCCESS;
}

static int
test_alloc_bad_args(void)
{
	char name[RTE_VMCI_QP_MEM_NAMESIZE + 1];
	struct rte_vmci_qp_mem *mem;

	/* NAMESIZE counts the NUL: NAMESIZE - 1 characters is the longest. */
	memset(name, 'n', sizeof(name) - 1);
	name[RTE_VMCI_QP_MEM_NAMESIZE] = '\0';
	if (alloc_refused(name, 4096, 4096, EINVAL) != TEST_SUCCESS)
		return TEST_FAILED;
	name[RTE_VMCI_QP_MEM_NAMESIZE - 1] = '\0';
	mem = rte_vmci_qp_mem_alloc(name, 4096, 4096, SOCKET_ID_ANY);
	TEST_ASSERT(mem != NULL, "longest name refused: %s", rte_strerror(rte_errno));
	TEST_ASSERT(rte_vmci_qp_mem_lookup(name) == mem, "");
	rte_vmci_qp_mem_free(mem);
	if (alloc_refused(NULL, 4096, 4096, EINVAL) != TEST_SUCCESS ||
	    alloc_refused("qpt_zero_p", 0, 4096, EINVAL) != TEST_SUCCESS ||
	    alloc_refused("qpt_zero_c", 4096, 0, EINVAL) != TEST_SUCCESS)
		return TEST_FAILED;
	/* Nothing was left behind by the refusals. */
	TEST_ASSERT(rte_vmci_qp_mem_lookup("qpt_zero_p") == NULL, "");
	return TEST_SUCCESS;
}

static int
lookup_refused(const char *name, int err)
{
	rte_errno = 0;
	TEST_ASSERT(rte_vmci_qp_mem_lookup(name) == NULL, "found \"%s\"", name);
	TEST_ASSERT_EQUAL(rte_errno, err, "rte_errno for \"%s\"", name);
	return TEST_SUCCESS;
}

static int
names_and_lookup(struct rte_vmci_qp_mem *mem)
{
	TEST_ASSERT(rte_vmci_qp_mem_lookup("qpt_named") == mem, "lookup");
	if (alloc_refused("qpt_named", 100, 100, EEXIST) != TEST_SUCCESS ||
	    lookup_refused("qpt_no_such", ENOENT) != TEST_SUCCESS)
		return TEST_FAILED;
	TEST_ASSERT(rte_vmci_qp_mem_lookup("qpt_named") == mem, "lost after EEXIST");
	return TEST_SUCCESS;
}

static int
test_names_and_lookup(void)
{
	struct rte_vmci_qp_mem *mem;
	int ret;

	mem = rte_vmci_qp_mem_alloc("qpt_named", 5000, 3000, SOCKET_ID_ANY);
	TEST_ASSERT(mem != NULL, "%s", rte_strerror(rte_errno));
	ret = names_and_lookup(mem);
	rte_vmci_qp_mem_free(mem);
	rte_vmci_qp_mem_free(NULL);
	if (ret != TEST_SUCCESS)
		return ret;
	/* Freed: gone, and the name can be used again. */
	if (lookup_refused("qpt_named", ENOENT) != TEST_SUCCESS)
		return TEST_FAILED;
	mem = rte_vmci_qp_mem_alloc("qpt_named", 10, 10, SOCKET_ID_ANY);
	TEST_ASSERT(mem != NULL, "name not reusable: %s", rte_strerror(rte_errno));
	rte_vmci_qp_mem_free(mem);
	return TEST_SUCCESS;
}

/*
 * A reference taken by the address of a queue page (as the emulated
 * hypervisor pins the guest pages a host end maps) keeps the memory after
 * its owner freed it, until released; the descriptor page and memory that
 * is not queue memory give none.
 */
static int
test_hold_by_address(void)
{
	struct rte_vmci_qp_queue_desc p, c;
	struct rte_vmci_qp_mem *mem, *held, *again;
	void *plain;

	mem = rte_vmci_qp_mem_alloc("qpt_held", 5000, 3000, SOCKET_ID_ANY);
	TEST_ASSERT(mem != NULL, "%s", rte_strerror(rte_errno));
	TEST_ASSERT_EQUAL(rte_vmci_qp_mem_queues(mem, RTE_VMCI_QP_SIDE_CREATOR, &p, &c), 0,
			  "queues");
	held = rte_vmci_qp_mem_hold(c.hdr);
	again = rte_vmci_qp_mem_hold((uint8_t *)p.data + 4999);
	TEST_ASSERT(held == mem && again == mem, "hold by a consume header / produce byte");
	TEST_ASSERT(rte_vmci_qp_mem_hold(mem) == NULL && rte_errno == ENOENT,
		    "the descriptor page is no queue page");
	plain = rte_malloc(NULL, 4096, 0);
	TEST_ASSERT(plain != NULL, "rte_malloc");
	TEST_ASSERT(rte_vmci_qp_mem_hold(plain) == NULL && rte_errno == ENOENT,
		    "plain DPDK memory is no queue memory");
	rte_free(plain);
	rte_vmci_qp_mem_free(mem);
	rte_vmci_qp_mem_free(again);
	TEST_ASSERT(rte_vmci_qp_mem_lookup("qpt_held") == mem,
		    "freed by its owner while a reference is held");
	memset(p.data, 0x5a, 5000); /* still the pair's pages */
	rte_vmci_qp_mem_free(held);
	return lookup_refused("qpt_held", ENOENT);
}

struct mz_find {
	const void *addr;
	char name[RTE_MEMZONE_NAMESIZE];
};

static void
mz_holding(const struct rte_memzone *mz, void *arg)
{
	struct mz_find *f = arg;
	const uint8_t *a = f->addr, *base = mz->addr;

	if (a >= base && a < base + mz->len)
		snprintf(f->name, sizeof(f->name), "%s", mz->name);
}

/*
 * A memzone that is not queue-pair memory is never taken for one. The
 * header does not say how names map to memzones, so find the memzone the
 * library used for a name, free the memory and put a plain memzone under
 * that same memzone name.
 */
static int
test_lookup_not_qp_memory(void)
{
	const struct rte_memzone *mz;
	struct rte_vmci_qp_queue_desc prod, cons;
	struct rte_vmci_qp_mem *mem;
	struct mz_find f;
	int ret;

	memset(&f, 0, sizeof(f));
	mem = rte_vmci_qp_mem_alloc("qpt_probe", 5000, 3000, SOCKET_ID_ANY);
	TEST_ASSERT(mem != NULL, "%s", rte_strerror(rte_errno));
	if (rte_vmci_qp_mem_queues(mem, RTE_VMCI_QP_SIDE_CREATOR, &prod, &cons) == 0) {
		f.addr = prod.hdr;
		rte_memzone_walk(mz_holding, &f);
	}
	rte_vmci_qp_mem_free(mem);
	TEST_ASSERT(f.name[0] != '\0', "queue memory is in no memzone");
	mz = rte_memzone_reserve(f.name, 64 * 1024, SOCKET_ID_ANY, 0);
	TEST_ASSERT(mz != NULL, "memzone %s: %s", f.name, rte_strerror(rte_errno));
	memset(mz->addr, 0, mz->len);
	ret = lookup_refused("qpt_probe", EINVAL);
	rte_memzone_free(mz);
	if (ret != TEST_SUCCESS)
		return ret;
	/* A plain memzone under the user-visible name is not found either. */
	mz = rte_memzone_reserve("qpt_plain", 64 * 1024, SOCKET_ID_ANY, 0);
	TEST_ASSERT(mz != NULL, "memzone: %s", rte_strerror(rte_errno));
	rte_errno = 0;
	ret = rte_vmci_qp_mem_lookup("qpt_plain") == NULL &&
		(rte_errno == ENOENT || rte_errno == EINVAL);
	rte_memzone_free(mz);
	TEST_ASSERT(ret, "plain memzone \"qpt_plain\" taken for queue memory");
	return TEST_SUCCESS;
}

/* init_headers writes the handle and zero indices into both headers. */
static int
init_headers(struct rte_vmci_qp_mem *mem)
{
	struct rte_vmci_handle h = { 0x12345678, 0x9abcdef0 };
	struct rte_vmci_qp_queue_desc q[2];
	struct rte_vmci_qp_info info;
	struct rte_vmci_qp *ep;
	int i;

	TEST_ASSERT_EQUAL(rte_vmci_qp_mem_queues(mem, RTE_VMCI_QP_SIDE_CREATOR,
						 &q[0], &q[1]), 0, "");
	for (i = 0; i < 2; i++)
		memset(q[i].hdr, 0x5a, sizeof(*q[i].hdr));
	TEST_ASSERT_EQUAL(rte_vmci_qp_mem_init_headers(mem, h), 0, "");
	for (i = 0; i < 2; i++) {
		TEST_ASSERT(q[i].hdr->handle.context == h.context &&
			    q[i].hdr->handle.resource == h.resource, "handle %d", i);
		TEST_ASSERT(q[i].hdr->producer_tail == 0 && q[i].hdr->consumer_head == 0,
			    "indices %d", i);
	}
	ep = rte_vmci_qp_mem_endpoint(mem, RTE_VMCI_QP_SIDE_PEER, 0);
	TEST_ASSERT(ep != NULL, "%s", rte_strerror(rte_errno));
	i = rte_vmci_qp_info_get(ep, &info);
	rte_vmci_qp_endpoint_free(ep);
	TEST_ASSERT_EQUAL(i, 0, "");
	TEST_ASSERT(info.handle.context == h.context &&
		    info.handle.resource == h.resource, "endpoint handle");
	TEST_ASSERT(info.produce_size == 3000 && info.consume_size == 5000,
		    "PEER sizes %" PRIu64 "/%" PRIu64, info.produce_size,
		    info.consume_size);
	return TEST_SUCCESS;
}

static int
test_init_headers(void)
{
	struct rte_vmci_qp_mem *mem;
	int ret;

	mem = rte_vmci_qp_mem_alloc("qpt_init", 5000, 3000, SOCKET_ID_ANY);
	TEST_ASSERT(mem != NULL, "%s", rte_strerror(rte_errno));
	ret = init_headers(mem);
	rte_vmci_qp_mem_free(mem);
	return ret;
}

static int
local_pair_flows(struct qpt_pair *p)
{
	struct rte_vmci_qp_info info;
	int e;

	for (e = 0; e < 2; e++) {
		TEST_ASSERT_EQUAL(rte_vmci_qp_info_get(p->ep[e], &info), 0, "");
		TEST_ASSERT(info.produce_size == p->size[e] &&
			    info.consume_size == p->size[1 - e], "endpoint %d sizes", e);
		TEST_ASSERT(info.handle.context == QPT_HANDLE_CONTEXT &&
			    info.handle.resource == QPT_HANDLE_RESOURCE, "handle");
	}
	TEST_ASSERT_EQUAL(p->size[0], 5000, "a2b size");
	TEST_ASSERT_EQUAL(p->size[1], 3000, "b2a size");
	TEST_ASSERT(rte_vmci_qp_mem_lookup("qpt_local") == p->mem, "");
	/* Both directions, across the wrap. */
	if (qpt_advance(p, 0, 4990) != TEST_SUCCESS ||
	    qpt_advance(p, 0, 4990) != TEST_SUCCESS ||
	    qpt_advance(p, 1, 2990) != TEST_SUCCESS ||
	    qpt_advance(p, 1, 2990) != TEST_SUCCESS)
		return TEST_FAILED;
	return TEST_SUCCESS;
}

static int
test_local_pair(void)
{
	struct rte_vmci_handle h = { QPT_HANDLE_CONTEXT, QPT_HANDLE_RESOURCE };
	struct rte_vmci_qp *none[2] = { NULL, NULL };
	struct rte_vmci_qp *ep[2] = { NULL, NULL };
	struct qpt_pair p;
	int ret;

	if (qpt_pair_create_mem(&p, "qpt_local", 5000, 3000) != 0)
		return TEST_FAILED;
	ret = local_pair_flows(&p);
	qpt_pair_free(&p);
	if (ret != TEST_SUCCESS)
		return ret;
	if (lookup_refused("qpt_local", ENOENT) != TEST_SUCCESS)
		return TEST_FAILED;
	rte_vmci_qp_local_pair_free(NULL, none);
	/* A refused pair leaves nothing allocated. */
	rte_errno = 0;
	TEST_ASSERT(rte_vmci_qp_local_pair_create("qpt_local0", 0, 100, SOCKET_ID_ANY,
						  h, ep) == NULL, "size 0 accepted");
	TEST_ASSERT_EQUAL(rte_errno, EINVAL, "");
	return lookup_refused("qpt_local0", ENOENT);
}

static const struct vmci_test_case mem_cases[] = {
	{ "alloc_numa", test_alloc_numa },
	{ "layout_and_page_lists", test_layout_and_page_lists },
	{ "alloc_bad_args", test_alloc_bad_args },
	{ "names_and_lookup", test_names_and_lookup },
	{ "hold_by_address", test_hold_by_address },
	{ "lookup_not_qp_memory", test_lookup_not_qp_memory },
	{ "init_headers", test_init_headers },
	{ "local_pair", test_local_pair },
	{ NULL, NULL },
};

static const struct vmci_test_suite mem_suite = {
	.name = "qp_mem",
	.cases = mem_cases,
};

VMCI_TEST_MAIN(mem_suite);
