/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

/*
 * Multi-process: a DPDK primary and secondary share a queue pair in
 * hugepage memory.
 *
 * The meson test runs the primary. For each case it allocates the queue
 * memory and initialises the headers, then forks and execs itself as a
 * secondary (same --file-prefix, lcore 1) that finds the memory by name
 * and runs its half of the case. The primary runs its own half on lcore 0,
 * polling the child, and reaps it with a time limit; a child that crashes,
 * fails or hangs fails the case (and is killed) instead of hanging the test.
 *
 * Usage:
 *   primary:   test_qp_mp <EAL args> -- [--case=traffic|attach]
 *   secondary: test_qp_mp -l 1 --proc-type=secondary --file-prefix=P ...
 *              -- --case=NAME --mem=NAME --seed=N --bytes=N (spawned)
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_memory.h>
#include <rte_memzone.h>

#include <rte_vmci_qp_mem.h>

#include "qp_flow.h"
#include "vmci_test.h"
#include "vmci_test_mp.h"

#define CHILD_LCORE "1"     /* the primary runs on lcore 0 */
#define STALL_S 30          /* no traffic progress for this long fails */
#define CHILD_EXIT_S 30     /* how long the child may take to exit after its work */
#define MP_BYTES (256ULL << 20) /* each way */
#define TRAFFIC_A2B 262139  /* odd queue sizes, not page multiples */
#define TRAFFIC_B2A 65521
#define ATTACH_A2B 8191
#define ATTACH_B2A 4093
#define ATTACH_BYTES 3000   /* fits the b2a queue: needs no reader to finish */

static const struct rte_vmci_handle mp_handle = { .context = 2, .resource = 4242 };

/* Options; the primary passes its own on to the secondary. */
static struct {
	const char *case_name;
	const char *mem_name;  /* secondary only */
	uint64_t seed;
	bool seed_set;
	uint64_t bytes;
} opt = { .bytes = MP_BYTES };

/* Passed to the flow loop, which stops when the secondary has failed. */
static int
child_poll(void *arg)
{
	return vmci_test_child_poll(arg);
}

/* Fork and exec this program as the secondary half of @p case_name. */
static int
child_spawn(struct vmci_test_child *c, const char *case_name, const char *mem_name)
{
	char case_arg[64], mem_arg[64], seed_arg[48], bytes_arg[48];
	const char *const eal[] = { "--log-level=*:warning", NULL };
	const char *const app[] = { case_arg, mem_arg, seed_arg, bytes_arg, NULL };

	snprintf(case_arg, sizeof(case_arg), "--case=%s", case_name);
	snprintf(mem_arg, sizeof(mem_arg), "--mem=%s", mem_name);
	snprintf(seed_arg, sizeof(seed_arg), "--seed=%" PRIu64, opt.seed);
	snprintf(bytes_arg, sizeof(bytes_arg), "--bytes=%" PRIu64, opt.bytes);
	return vmci_test_spawn_secondary(c, CHILD_LCORE, eal, app);
}

/*
 * Memzone bookkeeping, to prove freeing leaves nothing behind
 */

struct mz_census {
	const char *needle;
	unsigned int count;
	unsigned int named; /* zones whose name contains needle */
};

static void
mz_count_one(const struct rte_memzone *mz, void *arg)
{
	struct mz_census *c = arg;

	c->count++;
	if (strstr(mz->name, c->needle) != NULL)
		c->named++;
}

static struct mz_census
mz_census(const char *needle)
{
	struct mz_census c = { .needle = needle };

	rte_memzone_walk(mz_count_one, &c);
	return c;
}

/*
 * Shared set-up: primary creates, secondary attaches
 */

struct mp_pair {
	struct rte_vmci_qp_mem *mem;
	struct rte_vmci_qp *ep;
	struct rte_vmci_qp_queue_desc produce; /* as this process's side sees them */
	struct rte_vmci_qp_queue_desc consume;
};

static int
pair_endpoint(struct mp_pair *p, enum rte_vmci_qp_side side)
{
	int ret;

	p->ep = rte_vmci_qp_mem_endpoint(p->mem, side, 0);
	TEST_ASSERT(p->ep != NULL, "mem_endpoint(side %d): %s", side,
		    rte_strerror(rte_errno));
	ret = rte_vmci_qp_mem_queues(p->mem, side, &p->produce, &p->consume);
	TEST_ASSERT_EQUAL(ret, 0, "mem_queues(side %d)", side);
	return TEST_SUCCESS;
}

static int
pair_create(struct mp_pair *p, const char *name, uint64_t a2b, uint64_t b2a)
{
	int ret;

	p->mem = rte_vmci_qp_mem_alloc(name, a2b, b2a, SOCKET_ID_ANY);
	TEST_ASSERT(p->mem != NULL, "mem_alloc(%s, %" PRIu64 ", %" PRIu64 "): %s",
		    name, a2b, b2a, rte_strerror(rte_errno));
	ret = rte_vmci_qp_mem_init_headers(p->mem, mp_handle);
	TEST_ASSERT_EQUAL(ret, 0, "mem_init_headers");
	return pair_endpoint(p, RTE_VMCI_QP_SIDE_CREATOR);
}

/* The secondary sees the sizes the primary allocated, from its side. */
static int
pair_attach(struct mp_pair *p, uint64_t a2b, uint64_t b2a)
{
	struct rte_vmci_qp_info info;
	int ret;

	p->mem = rte_vmci_qp_mem_lookup(opt.mem_name);
	TEST_ASSERT(p->mem != NULL, "mem_lookup(%s): %s", opt.mem_name,
		    rte_strerror(rte_errno));
	TEST_ASSERT_EQUAL(rte_vmci_qp_mem_produce_size(p->mem), a2b, "produce size");
	TEST_ASSERT_EQUAL(rte_vmci_qp_mem_consume_size(p->mem), b2a, "consume size");
	ret = pair_endpoint(p, RTE_VMCI_QP_SIDE_PEER);
	if (ret != TEST_SUCCESS)
		return ret;
	ret = rte_vmci_qp_info_get(p->ep, &info);
	TEST_ASSERT_EQUAL(ret, 0, "info_get");
	TEST_ASSERT_EQUAL(info.produce_size, b2a, "peer writes the consume queue");
	TEST_ASSERT_EQUAL(info.consume_size, a2b, "peer reads the produce queue");
	TEST_ASSERT(info.handle.context == mp_handle.context &&
		    info.handle.resource == mp_handle.resource,
		    "handle %u:%u, primary wrote %u:%u", info.handle.context,
		    info.handle.resource, mp_handle.context, mp_handle.resource);
	return TEST_SUCCESS;
}

static void
pair_free(struct mp_pair *p, bool owner)
{
	rte_vmci_qp_endpoint_free(p->ep);
	p->ep = NULL;
	if (owner)
		rte_vmci_qp_mem_free(p->mem);
	p->mem = NULL;
}

/*
 * Flows: a2b is a byte stream written by the primary, b2a framed messages
 * written by the secondary, so both directions and both APIs cross.
 */

struct mp_flows {
	struct qp_flow *f[2];
	unsigned int n;
};

static int
flows_add(struct mp_flows *fl, const struct mp_pair *p, const char *name,
	  enum qp_flow_kind kind, uint64_t seed, uint64_t bytes, bool tx)
{
	struct qp_flow_conf conf = {
		.name = name,
		.kind = kind,
		.seed = seed,
		.bytes = bytes,
		.qp = p->ep,
		.ring = tx ? p->produce : p->consume,
	};

	fl->f[fl->n] = qp_flow_create(&conf, tx);
	TEST_ASSERT(fl->f[fl->n] != NULL, "flow %s", name);
	fl->n++;
	return TEST_SUCCESS;
}

static void
flows_free(struct mp_flows *fl)
{
	while (fl->n > 0)
		qp_flow_free(fl->f[--fl->n]);
}

/* Run the flows to the end, check their end state, print throughput. */
static int
flows_run(struct mp_flows *fl, int (*poll)(void *arg), void *poll_arg)
{
	struct qp_flow_watch watch = {
		.poll = poll, .poll_arg = poll_arg, .stall_s = STALL_S,
	};
	uint64_t t0 = rte_get_tsc_cycles();
	double seconds;
	unsigned int i;

	if (qp_flow_loop(fl->f, fl->n, &watch) != 0)
		return TEST_FAILED;
	seconds = (double)(rte_get_tsc_cycles() - t0) / rte_get_tsc_hz();
	for (i = 0; i < fl->n; i++)
		qp_flow_report(fl->f[i], seconds);
	for (i = 0; i < fl->n; i++)
		if (qp_flow_check_end(fl->f[i]) != 0)
			return TEST_FAILED;
	return TEST_SUCCESS;
}

/*
 * Case "traffic": opt.bytes each way, at the same time
 */

static int
traffic_primary_run(struct mp_pair *p, struct mp_flows *fl, struct vmci_test_child *c,
		    const char *name)
{
	int ret;

	ret = pair_create(p, name, TRAFFIC_A2B, TRAFFIC_B2A);
	if (ret == TEST_SUCCESS)
		ret = flows_add(fl, p, "a2b stream (primary)", QP_FLOW_STREAM,
				opt.seed, opt.bytes, true);
	if (ret == TEST_SUCCESS)
		ret = flows_add(fl, p, "b2a msg (primary)", QP_FLOW_MSG,
				opt.seed + 1, opt.bytes, false);
	if (ret != TEST_SUCCESS)
		return ret;
	TEST_ASSERT(child_spawn(c, "traffic", name) == 0, "spawn secondary");
	ret = flows_run(fl, child_poll, c);
	if (ret != TEST_SUCCESS)
		return ret;
	TEST_ASSERT(vmci_test_child_wait(c, CHILD_EXIT_S) == 0,
		    "secondary did not finish its half cleanly");
	return TEST_SUCCESS;
}

static int
test_traffic(void)
{
	struct mp_pair p = { 0 };
	struct mp_flows fl = { .n = 0 };
	struct vmci_test_child c = VMCI_TEST_CHILD_INIT;
	char name[RTE_VMCI_QP_MEM_NAMESIZE];
	int ret;

	snprintf(name, sizeof(name), "mp_traffic_%d", (int)getpid());
	printf("  %s: %" PRIu64 " bytes each way, seed %" PRIu64 "\n", name,
	       opt.bytes, opt.seed);
	ret = traffic_primary_run(&p, &fl, &c, name);
	vmci_test_child_kill(&c); /* no-op unless we failed while it ran */
	flows_free(&fl);
	pair_free(&p, true);
	return ret;
}

static int
traffic_secondary(void)
{
	struct mp_pair p = { 0 };
	struct mp_flows fl = { .n = 0 };
	int ret;

	ret = pair_attach(&p, TRAFFIC_A2B, TRAFFIC_B2A);
	if (ret == TEST_SUCCESS)
		ret = flows_add(&fl, &p, "a2b stream (secondary)", QP_FLOW_STREAM,
				opt.seed, opt.bytes, false);
	if (ret == TEST_SUCCESS)
		ret = flows_add(&fl, &p, "b2a msg (secondary)", QP_FLOW_MSG,
				opt.seed + 1, opt.bytes, true);
	if (ret == TEST_SUCCESS)
		ret = flows_run(&fl, NULL, NULL);
	flows_free(&fl);
	pair_free(&p, false);
	return ret;
}

/*
 * Case "attach": the secondary attaches, writes a little, detaches and
 * exits; the primary reads what it left and frees everything.
 */

static int
attach_secondary(void)
{
	struct mp_pair p = { 0 };
	struct mp_flows fl = { .n = 0 };
	int ret;

	TEST_ASSERT(rte_vmci_qp_mem_lookup("mp_no_such_mem") == NULL &&
		    rte_errno == ENOENT, "lookup of a missing name: rte_errno %d",
		    rte_errno);
	ret = pair_attach(&p, ATTACH_A2B, ATTACH_B2A);
	if (ret == TEST_SUCCESS)
		ret = flows_add(&fl, &p, "b2a stream (secondary)", QP_FLOW_STREAM,
				opt.seed, ATTACH_BYTES, true);
	if (ret == TEST_SUCCESS)
		ret = flows_run(&fl, NULL, NULL);
	flows_free(&fl);
	pair_free(&p, false);
	return ret;
}

/* Read what the exited secondary left in the b2a queue. */
static int
attach_read_leftover(struct mp_pair *p)
{
	struct mp_flows fl = { .n = 0 };
	int ret;

	TEST_ASSERT_EQUAL(rte_vmci_qp_ready_bytes(p->ep), ATTACH_BYTES,
			  "bytes the secondary left in the b2a queue");
	ret = flows_add(&fl, p, "b2a stream (primary)", QP_FLOW_STREAM, opt.seed,
			ATTACH_BYTES, false);
	if (ret == TEST_SUCCESS)
		ret = flows_run(&fl, NULL, NULL);
	flows_free(&fl);
	return ret;
}

/* After freeing: not found by name, and no memzone left over. */
static int
attach_check_gone(const char *name, const struct mz_census *before)
{
	struct mz_census after = mz_census(name);

	rte_errno = 0;
	TEST_ASSERT(rte_vmci_qp_mem_lookup(name) == NULL,
		    "mem_lookup(%s) still finds the freed memory", name);
	TEST_ASSERT_EQUAL(rte_errno, ENOENT, "rte_errno after lookup of freed memory");
	TEST_ASSERT(rte_memzone_lookup(name) == NULL, "memzone %s still exists", name);
	TEST_ASSERT_EQUAL(after.named, 0, "memzones whose name contains %s", name);
	TEST_ASSERT_EQUAL(after.count, before->count, "memzones before alloc vs after free");
	return TEST_SUCCESS;
}

static int
test_attach(void)
{
	struct mp_pair p = { 0 };
	struct vmci_test_child c = VMCI_TEST_CHILD_INIT;
	char name[RTE_VMCI_QP_MEM_NAMESIZE];
	struct mz_census before;
	int ret;

	snprintf(name, sizeof(name), "mp_attach_%d", (int)getpid());
	before = mz_census(name);
	ret = pair_create(&p, name, ATTACH_A2B, ATTACH_B2A);
	if (ret == TEST_SUCCESS && child_spawn(&c, "attach", name) != 0)
		ret = TEST_FAILED;
	if (ret == TEST_SUCCESS && vmci_test_child_wait(&c, CHILD_EXIT_S) != 0) {
		printf("  secondary did not attach and exit cleanly\n");
		ret = TEST_FAILED;
	}
	if (ret == TEST_SUCCESS)
		ret = attach_read_leftover(&p);
	vmci_test_child_kill(&c);
	pair_free(&p, true);
	if (ret == TEST_SUCCESS)
		ret = attach_check_gone(name, &before);
	return ret;
}

/*
 * Arguments
 */

static bool
parse_u64(const char *s, uint64_t *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 0);
	return errno == 0 && end != s && *end == '\0';
}

/* Application arguments after "--" (argv[0] is the program name). */
static int
parse_app_args(int argc, char **argv)
{
	bool ok = true;
	int i;

	for (i = 1; i < argc && ok; i++) {
		const char *a = argv[i];

		if (strncmp(a, "--case=", 7) == 0)
			opt.case_name = a + 7;
		else if (strncmp(a, "--mem=", 6) == 0)
			opt.mem_name = a + 6;
		else if (strncmp(a, "--seed=", 7) == 0)
			ok = opt.seed_set = parse_u64(a + 7, &opt.seed);
		else if (strncmp(a, "--bytes=", 8) == 0)
			ok = parse_u64(a + 8, &opt.bytes);
		else
			ok = false;
	}
	if (!ok)
		printf("bad argument %s\n", argv[i - 1]);
	return ok ? 0 : -1;
}

static const struct vmci_test_case all_cases[] = {
	{ "traffic", test_traffic },
	{ "attach", test_attach },
	{ NULL, NULL },
};

static int
run_secondary(void)
{
	int ret = TEST_FAILED;

	if (opt.case_name == NULL || opt.mem_name == NULL)
		printf("  secondary: --case and --mem are required\n");
	else if (strcmp(opt.case_name, "traffic") == 0)
		ret = traffic_secondary();
	else if (strcmp(opt.case_name, "attach") == 0)
		ret = attach_secondary();
	else
		printf("  secondary: unknown case %s\n", opt.case_name);
	printf("  secondary (pid %d) %s: %s\n", (int)getpid(),
	       opt.case_name != NULL ? opt.case_name : "?",
	       ret == TEST_SUCCESS ? "done" : "FAILED");
	return ret == TEST_SUCCESS ? 0 : 1;
}

static int
run_primary(void)
{
	struct vmci_test_case sel[RTE_DIM(all_cases)];
	struct vmci_test_suite suite = { .name = "multiprocess", .cases = sel };
	unsigned int i, n = 0;

	if (!opt.seed_set)
		opt.seed = (uint64_t)time(NULL) * 1000003u ^ (uint64_t)getpid();
	for (i = 0; all_cases[i].name != NULL; i++)
		if (opt.case_name == NULL || strcmp(opt.case_name, all_cases[i].name) == 0)
			sel[n++] = all_cases[i];
	sel[n].name = NULL;
	if (n == 0) {
		printf("unknown case %s\n", opt.case_name);
		return 1;
	}
	printf("multiprocess: seed %" PRIu64 " (repeat with -- --seed=%" PRIu64 ")\n",
	       opt.seed, opt.seed);
	return vmci_test_run_suite(&suite);
}

int
main(int argc, char **argv)
{
	int n, ret;

	if (!vmci_test_is_secondary(argc, argv) && vmci_test_hugepages_or_skip(0) != 0)
		return TEST_SKIPPED;
	if (vmci_test_mp_init(argc, argv) < 0)
		return 1;
	n = vmci_test_eal_init(argc, argv);
	if (n < 0)
		return 1;
	if (parse_app_args(argc - n, argv + n) < 0)
		ret = 1;
	else if (rte_eal_process_type() == RTE_PROC_SECONDARY)
		ret = run_secondary();
	else
		ret = run_primary();
	rte_eal_cleanup();
	return ret;
}
