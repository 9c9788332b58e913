/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

/*
 * Stress: two lcores push at least 1 GiB of verified traffic through a
 * local queue pair with small odd-sized queues, so that nearly every call
 * meets a full or empty ring and a wrap. The main lcore drives endpoint 0,
 * the worker endpoint 1; each call's API and length are drawn from a seeded
 * generator (the seed is printed) and every byte is checked at the other end.
 *
 * Usage: test_qp_stress <EAL args> -- [--case=NAME] [--seed=N] [--bytes=N]
 * The seed and volume may also come from VMCI_TEST_SEED and VMCI_TEST_BYTES.
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
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_memory.h>

#include <rte_vmci_qp_mem.h>

#include "qp_flow.h"
#include "vmci_test.h"

#define STALL_S 30 /* no progress for this long fails the case */

/*
 * rte_eal_remote_launch() and rte_eal_wait_lcore() hand the job over
 * through atomics inside librte_eal, which is not built with TSan; tell
 * TSan about that handoff (scripts/tsan.sh) so it checks only the two
 * lcores' real concurrency.
 */
#ifdef __SANITIZE_THREAD__
void __tsan_acquire(void *addr);
void __tsan_release(void *addr);
#define handoff_release(p) __tsan_release(p)
#define handoff_acquire(p) __tsan_acquire(p)
#else
#define handoff_release(p) RTE_SET_USED(p)
#define handoff_acquire(p) RTE_SET_USED(p)
#endif

/* About 1 s per flow here; ~4 s under ASan/UBSan. */
#define DEFAULT_BYTES (1ULL << 30)

static uint64_t stress_seed;
static uint64_t stress_bytes = DEFAULT_BYTES;

/* One direction of a case. */
struct flow_spec {
	const char *name;
	enum qp_flow_kind kind;
	bool b2a; /* endpoint 1 produces, endpoint 0 consumes */
};

struct stress_case {
	const char *name;
	uint64_t size_a2b;
	uint64_t size_b2a;
	unsigned int nb_flows;
	struct flow_spec flows[2];
};

/* What one lcore runs: the halves of the flows on its endpoint. */
struct lcore_job {
	struct qp_flow *flows[2];
	unsigned int nb_flows;
	const struct qp_flow_watch *watch;
	int ret;
};

struct case_run {
	const struct stress_case *c;
	struct rte_vmci_qp_mem *mem;
	struct rte_vmci_qp *ep[2];
	struct rte_vmci_qp_queue_desc q[2]; /* a2b, b2a */
	struct qp_flow *tx[2];
	struct qp_flow *rx[2];
	struct lcore_job job[2];           /* main lcore, worker lcore */
	uint32_t abort;
	struct qp_flow_watch watch;
};

static int
job_run(void *arg)
{
	struct lcore_job *job = arg;

	handoff_acquire(job);
	job->ret = qp_flow_loop(job->flows, job->nb_flows, job->watch);
	handoff_release(job);
	return 0;
}

static void
job_add(struct lcore_job *job, struct qp_flow *f)
{
	job->flows[job->nb_flows++] = f;
}

/* Both halves of flow @p i; each goes to the lcore owning its endpoint. */
static int
case_flow_create(struct case_run *r, unsigned int i)
{
	const struct flow_spec *s = &r->c->flows[i];
	unsigned int prod = s->b2a ? 1 : 0;
	struct qp_flow_conf conf = {
		.name = s->name,
		.kind = s->kind,
		.seed = stress_seed + i,
		.bytes = stress_bytes,
		.qp = r->ep[prod],
		.ring = r->q[prod],
	};

	r->tx[i] = qp_flow_create(&conf, true);
	conf.qp = r->ep[1 - prod];
	r->rx[i] = qp_flow_create(&conf, false);
	if (r->tx[i] == NULL || r->rx[i] == NULL)
		return -1;
	job_add(&r->job[prod], r->tx[i]);
	job_add(&r->job[1 - prod], r->rx[i]);
	return 0;
}

static int
case_setup(struct case_run *r)
{
	struct rte_vmci_handle handle = { .context = 1, .resource = 1024 };
	char name[RTE_VMCI_QP_MEM_NAMESIZE];
	unsigned int i;
	int ret;

	snprintf(name, sizeof(name), "st_%s", r->c->name);
	r->mem = rte_vmci_qp_local_pair_create(name, r->c->size_a2b, r->c->size_b2a,
					       SOCKET_ID_ANY, handle, r->ep);
	TEST_ASSERT(r->mem != NULL, "local_pair_create(%s, %" PRIu64 ", %" PRIu64
		    "): %s", name, r->c->size_a2b, r->c->size_b2a,
		    rte_strerror(rte_errno));
	ret = rte_vmci_qp_mem_queues(r->mem, RTE_VMCI_QP_SIDE_CREATOR, &r->q[0], &r->q[1]);
	TEST_ASSERT_EQUAL(ret, 0, "mem_queues");
	r->watch.abort = &r->abort;
	r->watch.stall_s = STALL_S;
	for (i = 0; i < 2; i++)
		r->job[i].watch = &r->watch;
	for (i = 0; i < r->c->nb_flows; i++)
		TEST_ASSERT(case_flow_create(r, i) == 0, "flow %s", r->c->flows[i].name);
	return TEST_SUCCESS;
}

static void
case_teardown(struct case_run *r)
{
	unsigned int i;

	for (i = 0; i < 2; i++) {
		qp_flow_free(r->tx[i]);
		qp_flow_free(r->rx[i]);
	}
	rte_vmci_qp_local_pair_free(r->mem, r->ep);
}

/* Main lcore runs job 0, the worker job 1; returns the seconds taken. */
static int
case_launch(struct case_run *r, double *seconds)
{
	unsigned int worker = rte_get_next_lcore(-1, 1, 0);
	uint64_t t0 = rte_get_tsc_cycles();
	int ret;

	handoff_release(&r->job[1]);
	ret = rte_eal_remote_launch(job_run, &r->job[1], worker);
	TEST_ASSERT_EQUAL(ret, 0, "remote_launch on lcore %u", worker);
	job_run(&r->job[0]);
	rte_eal_wait_lcore(worker);
	handoff_acquire(&r->job[1]);
	*seconds = (double)(rte_get_tsc_cycles() - t0) / rte_get_tsc_hz();
	TEST_ASSERT(r->job[0].ret == 0 && r->job[1].ret == 0,
		    "traffic failed (main lcore %d, worker %d); seed %" PRIu64,
		    r->job[0].ret, r->job[1].ret, stress_seed);
	return TEST_SUCCESS;
}

static int
case_check(struct case_run *r, double seconds)
{
	unsigned int i;

	printf("  %s: %u flow(s) of %" PRIu64 " bytes in %.2f s (seed %" PRIu64 ")\n",
	       r->c->name, r->c->nb_flows, stress_bytes, seconds, stress_seed);
	for (i = 0; i < r->c->nb_flows; i++) {
		qp_flow_report(r->tx[i], seconds);
		qp_flow_report(r->rx[i], seconds);
	}
	for (i = 0; i < r->c->nb_flows; i++) {
		TEST_ASSERT(qp_flow_check_end(r->tx[i]) == 0, "%s end state",
			    r->c->flows[i].name);
		TEST_ASSERT(qp_flow_check_end(r->rx[i]) == 0, "%s end state",
			    r->c->flows[i].name);
	}
	return TEST_SUCCESS;
}

static int
run_case(const struct stress_case *c)
{
	struct case_run r = { .c = c };
	double seconds = 0;
	int ret;

	if (rte_lcore_count() < 2)
		TEST_SKIP("needs two lcores, EAL has %u", rte_lcore_count());
	ret = case_setup(&r);
	if (ret == TEST_SUCCESS)
		ret = case_launch(&r, &seconds);
	if (ret == TEST_SUCCESS)
		ret = case_check(&r, seconds);
	case_teardown(&r);
	return ret;
}

/* Queue sizes: odd, not page multiples, one small and one larger prime. */
static const struct stress_case stream_4093 = {
	.name = "stream_4093", .size_a2b = 4093, .size_b2a = 4093, .nb_flows = 1,
	.flows = { { "a2b stream", QP_FLOW_STREAM, false } },
};
static const struct stress_case stream_65521 = {
	.name = "stream_65521", .size_a2b = 65521, .size_b2a = 65521, .nb_flows = 1,
	.flows = { { "a2b stream", QP_FLOW_STREAM, false } },
};
static const struct stress_case msg_4093 = {
	.name = "msg_4093", .size_a2b = 4093, .size_b2a = 4093, .nb_flows = 1,
	.flows = { { "a2b msg", QP_FLOW_MSG, false } },
};
static const struct stress_case msg_65521 = {
	.name = "msg_65521", .size_a2b = 65521, .size_b2a = 65521, .nb_flows = 1,
	.flows = { { "a2b msg", QP_FLOW_MSG, false } },
};
/* Both queues at once, of different sizes, one stream and one framed. */
static const struct stress_case bidir = {
	.name = "bidir", .size_a2b = 4093, .size_b2a = 65521, .nb_flows = 2,
	.flows = {
		{ "a2b stream", QP_FLOW_STREAM, false },
		{ "b2a msg", QP_FLOW_MSG, true },
	},
};

static int
test_stream_4093(void)
{
	return run_case(&stream_4093);
}

static int
test_stream_65521(void)
{
	return run_case(&stream_65521);
}

static int
test_msg_4093(void)
{
	return run_case(&msg_4093);
}

static int
test_msg_65521(void)
{
	return run_case(&msg_65521);
}

static int
test_bidir(void)
{
	return run_case(&bidir);
}

static const struct vmci_test_case all_cases[] = {
	{ "stream_4093", test_stream_4093 },
	{ "stream_65521", test_stream_65521 },
	{ "msg_4093", test_msg_4093 },
	{ "msg_65521", test_msg_65521 },
	{ "bidir", test_bidir },
	{ NULL, NULL },
};

static uint64_t
parse_u64(const char *s, const char *what)
{
	char *end;
	uint64_t v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno != 0 || end == s || *end != '\0') {
		printf("bad %s: %s\n", what, s);
		exit(1);
	}
	return v;
}

/* Keep only the case named @p name, or all if NULL; 0 or -1 if unknown. */
static int
select_cases(struct vmci_test_case *sel, const char *name)
{
	unsigned int i, n = 0;

	for (i = 0; all_cases[i].name != NULL; i++)
		if (name == NULL || strcmp(name, all_cases[i].name) == 0)
			sel[n++] = all_cases[i];
	sel[n].name = NULL;
	if (n > 0)
		return 0;
	printf("unknown case %s\n", name);
	return -1;
}

static void
parse_env(void)
{
	const char *s;

	s = getenv("VMCI_TEST_SEED");
	stress_seed = s != NULL ? parse_u64(s, "VMCI_TEST_SEED") :
		(uint64_t)time(NULL) * 1000003u ^ (uint64_t)getpid();
	s = getenv("VMCI_TEST_BYTES");
	if (s != NULL)
		stress_bytes = parse_u64(s, "VMCI_TEST_BYTES");
}

static int
parse_args(int argc, char **argv, const char **case_name)
{
	int i;

	/* argv[0] is the program name that rte_eal_init() put before the rest */
	for (i = 1; i < argc; i++) {
		if (strncmp(argv[i], "--case=", 7) == 0)
			*case_name = argv[i] + 7;
		else if (strncmp(argv[i], "--seed=", 7) == 0)
			stress_seed = parse_u64(argv[i] + 7, "seed");
		else if (strncmp(argv[i], "--bytes=", 8) == 0)
			stress_bytes = parse_u64(argv[i] + 8, "bytes");
		else {
			printf("unknown argument %s\n", argv[i]);
			return -1;
		}
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct vmci_test_case sel[RTE_DIM(all_cases)];
	struct vmci_test_suite suite = { .name = "stress", .cases = sel };
	const char *case_name = NULL;
	int n, ret;

	/* a case killed by its timeout must still leave its lines in the log */
	setvbuf(stdout, NULL, _IOLBF, 0);
	n = vmci_test_eal_init(argc, argv);
	if (n < 0)
		return 1;
	parse_env();
	if (parse_args(argc - n, argv + n, &case_name) < 0 ||
	    select_cases(sel, case_name) < 0) {
		rte_eal_cleanup();
		return 1;
	}
	printf("stress: seed %" PRIu64 ", %" PRIu64 " bytes per flow "
	       "(repeat with VMCI_TEST_SEED=%" PRIu64 ")\n",
	       stress_seed, stress_bytes, stress_seed);
	ret = vmci_test_run_suite(&suite);
	rte_eal_cleanup();
	return ret;
}
