/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

/*
 * vmci-perf: throughput and latency of VMCI queue pairs, against the
 * alternatives (AF_UNIX, pipes, TCP, rte_ring) and the machine's limits,
 * in one run.
 *
 *   vmci-perf [EAL options] -- [options]
 *
 * The application options are parsed before the EAL starts, so a bad value
 * costs no hugepage setup; see perf_usage() for them.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#include <rte_dev.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_memory.h>

#include "perf_echo.h"
#include "perf_hist.h"
#include "perf_limits.h"
#include "perf_mp.h"
#include "perf_options.h"
#include "perf_pairs.h"
#include "perf_plot.h"
#include "perf_report.h"
#include "perf_stream.h"
#include "perf_transport.h"
#include "perf_transport_bare.h"
#include "perf_transport_vmci.h"
#include "vmci_app_args.h"
#include "vmci_app_emu.h"

static void
app_usage_hook(const char *prgname)
{
	perf_usage(stdout, prgname);
}

static int
eal_start(int eal_argc, char **argv)
{
	int ret;

	rte_set_application_usage_hook(app_usage_hook);
	ret = rte_eal_init(eal_argc, argv);
	if (ret < 0) {
		fprintf(stderr, "vmci-perf: EAL initialisation failed: %s\n",
			rte_strerror(rte_errno));
		return rte_errno == EINVAL ? PERF_EXIT_USAGE : EXIT_FAILURE;
	}
	/* rte_eal_init() leaves argv[ret] = program name, then what it did not take. */
	if (ret + 1 < eal_argc) {
		fprintf(stderr, "vmci-perf: unexpected argument \"%s\" before \"--\""
			" (application options go after it)\n", argv[ret + 1]);
		rte_eal_cleanup();
		return PERF_EXIT_USAGE;
	}
	return 0;
}

/* Side 0 on the main lcore, side 1 on the next enabled one, unless chosen. */
static int
pick_lcores(const struct perf_options *opt, unsigned int *tx_lcore, unsigned int *rx_lcore)
{
	*tx_lcore = opt->tx_lcore >= 0 ? (unsigned int)opt->tx_lcore : rte_get_main_lcore();
	if (opt->rx_lcore >= 0)
		*rx_lcore = (unsigned int)opt->rx_lcore;
	else
		*rx_lcore = rte_get_next_lcore(*tx_lcore, 0, 1);
	if (*tx_lcore >= RTE_MAX_LCORE || !rte_lcore_is_enabled(*tx_lcore) ||
	    *rx_lcore >= RTE_MAX_LCORE || !rte_lcore_is_enabled(*rx_lcore) ||
	    *tx_lcore == *rx_lcore) {
		fprintf(stderr, "vmci-perf: needs two different enabled lcores (e.g. -l 0,1);"
			" got tx-lcore %d, rx-lcore %d with %u lcores enabled\n",
			opt->tx_lcore >= 0 ? opt->tx_lcore : (int)*tx_lcore,
			opt->rx_lcore >= 0 ? opt->rx_lcore : (int)*rx_lcore, rte_lcore_count());
		return -EINVAL;
	}
	return 0;
}

/* Everything a run collects. */
struct run_state {
	const struct perf_options *opt;
	struct perf_stream st;
	struct perf_env env;
	struct perf_limits lim;
	struct perf_load load;        /* was the machine busy during the run */
	struct perf_result res[PERF_MAX_SIZES * (PERF_MAX_QUEUE_SIZES + PERF_BL_COUNT)];
	unsigned int nb_res;
	struct perf_hist *hist;       /* current run's round trips */
	struct perf_hist *first_hist; /* kept for --hgrm: vmci, first size */
	FILE *hgrm;
	/* Connection setup (vsock), one per queue size. */
	struct perf_setup setup[PERF_MAX_QUEUE_SIZES];
	unsigned int nb_setup;
	/* Bytes per queue the first connection got (vsock): qp-echo's pair. */
	uint64_t peer_queue_size;
};

static const struct {
	enum perf_baseline bl;
	const struct perf_transport_ops *ops;
	int kernel; /* syscalls per message: bidir would deadlock */
} baseline_transports[] = {
	{ PERF_BL_QP_ECHO, &perf_transport_qp_echo, 0 },
	{ PERF_BL_UNIX, &perf_transport_unix, 1 },
	{ PERF_BL_UNIX_BUSY, &perf_transport_unix_busy, 1 },
	{ PERF_BL_PIPE, &perf_transport_pipe, 1 },
	{ PERF_BL_TCP, &perf_transport_tcp, 1 },
	{ PERF_BL_RING, &perf_transport_ring, 0 },
	{ PERF_BL_BARE_RING, &perf_transport_bare, 0 },
};

/* Copy trials of the bare ring: a tenth of the run each, at most 50 ms or 100000 messages. */
#define TRIAL_DURATION_MAX 0.05
#define TRIAL_COUNT_MAX UINT64_C(100000)

/* The figure a trial is judged by: higher is better. */
static double
trial_figure(const struct perf_result *r)
{
	if (perf_result_failed(r) || r->verify_errors > 0)
		return 0;
	if (r->has_latency)
		return r->lat.p50 > 0 ? 1.0 / r->lat.p50 : 0;
	return perf_result_mmsgs(r);
}

/*
 * The bare ring at @p size: a short run with every copy candidate, then
 * the measured run with the fastest, which @p r reports with the trials.
 */
static int
bare_ring_size(struct run_state *rs, uint32_t size, struct perf_result *r)
{
	const struct perf_options *opt = rs->st.opt;
	struct perf_options topt = *opt;
	struct perf_stream tst = rs->st;
	const struct perf_copy *cand, *best = NULL;
	double fig, best_fig = -1;
	struct perf_result tr;
	unsigned int nb, i;
	int ret;

	cand = perf_copy_candidates(&nb);
	topt.duration = RTE_MIN(opt->duration / 10, TRIAL_DURATION_MAX);
	topt.count = opt->count > 0 ? RTE_MIN(opt->count, TRIAL_COUNT_MAX) : 0;
	tst.opt = &topt;
	tst.progress = false;
	r->record_size = perf_bare_record_size(opt->api, size);
	for (i = 0; i < nb; i++) {
		ret = perf_transport_bare_prepare(rs->st.tp, size, &cand[i]);
		if (ret < 0)
			return ret;
		memset(&tr, 0, sizeof(tr));
		ret = perf_stream_run_size(&tst, size, &tr);
		if (ret < 0)
			return ret;
		fig = trial_figure(&tr);
		r->trial[i].copy = cand[i].name;
		r->trial[i].figure = tr.has_latency ? tr.lat.p50 : perf_result_mmsgs(&tr);
		if (fig == 0)
			r->trial[i].figure = 0;
		if (fig > best_fig) {
			best_fig = fig;
			best = &cand[i];
		}
	}
	r->nb_trials = nb;
	r->copy = best->name;
	ret = perf_transport_bare_prepare(rs->st.tp, size, best);
	if (ret == 0)
		ret = perf_stream_run_size(&rs->st, size, r);
	return ret;
}

static struct perf_result *
new_row(struct run_state *rs, const char *transport, int baseline, uint32_t size)
{
	struct perf_result *r = &rs->res[rs->nb_res++];

	memset(r, 0, sizeof(*r));
	r->transport = transport;
	r->baseline = baseline;
	r->api = baseline ? "copy" : perf_api_name(rs->opt->api);
	r->size = size;
	r->queue_size = rs->st.opt->queue_size;
	return r;
}

/* Every size over one transport; stop at the first size that failed. */
static int
run_transport(struct run_state *rs, const struct perf_transport_ops *ops, int baseline)
{
	const struct perf_options *opt = rs->st.opt;
	struct perf_transport tp;
	struct perf_result *r;
	unsigned int i;
	int ret;

	ret = perf_transport_open(&tp, ops, opt, (int)rte_lcore_to_socket_id(rs->st.tx_lcore));
	if (ret < 0) {
		r = new_row(rs, ops->name, baseline, opt->sizes[0]);
		r->skipped = "could not be opened";
		perf_report_row(stdout, opt, r);
		return baseline ? 0 : ret;
	}
	rs->st.tp = &tp;
	if (!baseline && ops->setup != NULL && rs->nb_setup < RTE_DIM(rs->setup))
		rs->setup[rs->nb_setup++] = *ops->setup(&tp);
	if (!baseline && rs->peer_queue_size == 0)
		rs->peer_queue_size = tp.queue_size;
	ret = 0;
	for (i = 0; i < opt->nb_sizes && ret == 0; i++) {
		r = new_row(rs, ops->name, baseline, opt->sizes[i]);
		/* The peer may have chosen another queue size than the one asked for. */
		if (tp.queue_size != 0)
			r->queue_size = tp.queue_size;
		if (tp.api != NULL)
			r->api = tp.api;
		if (ops == &perf_transport_bare)
			ret = bare_ring_size(rs, opt->sizes[i], r);
		else
			ret = perf_stream_run_size(&rs->st, opt->sizes[i], r);
		if (ret < 0)
			break;
		perf_report_row(stdout, opt, r);
		if (perf_result_failed(r))
			ret = -EIO;
		if (!baseline && i == 0 && opt->mode == PERF_MODE_PINGPONG)
			memcpy(rs->first_hist, rs->hist, sizeof(*rs->hist));
	}
	perf_transport_close(&tp);
	rs->st.tp = NULL;
	return ret;
}

/* The vmci transport over each --queue-size; the baselines then use the first. */
static int
run_queue_sizes(struct run_state *rs, const struct perf_transport_ops *ops)
{
	static struct perf_options cur;
	unsigned int i;
	int ret = 0;

	cur = *rs->opt;
	rs->st.opt = &cur;
	for (i = 0; i < cur.nb_queue_sizes && ret == 0; i++) {
		cur.queue_size = cur.queue_sizes[i];
		if (cur.nb_queue_sizes > 1)
			printf("queue size %" PRIu64 " bytes:\n", cur.queue_size);
		ret = run_transport(rs, ops, 0);
	}
	rs->st.opt = rs->opt;
	return ret;
}

/* Rows of a baseline that does not run, and why; @p api: theirs, NULL for "copy". */
static void
skip_rows(struct run_state *rs, const char *transport, const char *api, const char *why)
{
	struct perf_result *r;
	unsigned int i;

	for (i = 0; i < rs->opt->nb_sizes; i++) {
		r = new_row(rs, transport, 1, rs->opt->sizes[i]);
		if (api != NULL)
			r->api = api;
		r->skipped = why;
		perf_report_row(stdout, rs->opt, r);
	}
}

/*
 * qp-echo: the raw queue pair through an echo, like for like with vsock:
 * a pair of the size the connection got, the same API, the same loop.
 */
static int
run_qp_echo(struct run_state *rs)
{
	static struct perf_options cur;
	const char *why = perf_qp_echo_unavailable(rs->opt);
	int ret;

	if (why != NULL) {
		skip_rows(rs, perf_transport_qp_echo.name, perf_api_name(rs->opt->api), why);
		return 0;
	}
	cur = *rs->opt;
	if (rs->peer_queue_size != 0)
		cur.queue_size = rs->peer_queue_size;
	rs->st.opt = &cur;
	ret = run_transport(rs, &perf_transport_qp_echo, 1);
	rs->st.opt = rs->opt;
	return ret;
}

static int
run_baselines(struct run_state *rs)
{
	const struct perf_options *opt = rs->opt;
	unsigned int i;
	int ret = 0;

	for (i = 0; i < RTE_DIM(baseline_transports) && ret == 0; i++) {
		if (!(opt->baselines & (1u << baseline_transports[i].bl)))
			continue;
		if (baseline_transports[i].bl == PERF_BL_QP_ECHO) {
			ret = run_qp_echo(rs);
			continue;
		}
		if (opt->mode == PERF_MODE_BIDIR && baseline_transports[i].kernel) {
			skip_rows(rs, baseline_transports[i].ops->name, NULL,
				  "bidir over a blocking kernel stream deadlocks once both"
				  " sides block in write");
			continue;
		}
		ret = run_transport(rs, baseline_transports[i].ops, 1);
	}
	return ret;
}

static int
run_limits(struct run_state *rs)
{
	const struct perf_options *opt = rs->opt;
	int ret = 0;

	if (opt->baselines & (1u << PERF_BL_MEMCPY)) {
		ret = perf_limits_memcpy(rs->st.tx_lcore, 0.3, &rs->lim.memcpy_gbps);
		rs->lim.memcpy_measured = ret == 0;
	}
	if (ret == 0 && (opt->baselines & (1u << PERF_BL_CACHELINE))) {
		ret = perf_limits_cacheline(rs->st.tx_lcore, rs->st.rx_lcore, 200000, &rs->lim);
		rs->lim.cacheline_measured = ret == 0;
	}
	rs->lim.measured = rs->lim.memcpy_measured || rs->lim.cacheline_measured;
	if (ret < 0)
		fprintf(stderr, "vmci-perf: measuring the machine limits failed: %s\n",
			strerror(-ret));
	return ret;
}

static int
exit_status(const struct perf_options *opt, const struct perf_result *res,
	    unsigned int nb_res, int run_ret)
{
	uint64_t errors = 0;
	unsigned int i;

	for (i = 0; i < nb_res; i++)
		errors += res[i].verify_errors;
	if (opt->verify && errors > 0)
		printf("\nFAILED: verification found %" PRIu64 " bad messages\n", errors);
	else if (run_ret < 0)
		printf("\nFAILED: the run stopped early\n");
	else if (opt->verify && strcmp(opt->transport, "vsock") == 0)
		printf("\nverification passed: every message had the expected length and"
		       " sequence number, and every byte came back as sent\n");
	else if (opt->verify)
		printf("\nverification passed: every message had the expected length and"
		       " sequence number\n");
	return run_ret < 0 || errors > 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}

static int
write_outputs(struct run_state *rs, FILE *json)
{
	const struct perf_options *opt = rs->opt;
	int ret = 0;

	if (json != NULL && perf_report_json(json, opt, &rs->env, rs->res, rs->nb_res,
					     &rs->lim, &rs->load, rs->setup, rs->nb_setup) < 0) {
		fprintf(stderr, "vmci-perf: writing %s failed\n", opt->json_path);
		ret = -EIO;
	}
	if (rs->hgrm != NULL && perf_hist_write_hgrm(rs->hgrm, rs->first_hist, 1000.0) < 0) {
		fprintf(stderr, "vmci-perf: writing %s failed\n", opt->hgrm_path);
		ret = -EIO;
	}
	if (opt->plot_path != NULL) {
		int pret = perf_plot(opt, rs->res, rs->nb_res, &rs->lim);

		/* A missing gnuplot is said, not failed on. */
		if (pret < 0 && pret != -ENOENT)
			ret = pret;
	}
	return ret;
}

/*
 * Judge the machine's load over the run: other processes' CPU time on
 * @p cpus (the two workers') between @p start and now, and the cache-line
 * round trip of the limits.
 */
static void
judge_load(struct run_state *rs, const unsigned int *cpus, unsigned int nb_cpus,
	   const struct perf_cpu_sample *start, int start_ret)
{
	struct perf_cpu_sample end;
	int end_ret = perf_load_sample(&end, cpus, nb_cpus);

	perf_load_judge(start_ret == 0 ? start : NULL, end_ret == 0 ? &end : NULL, cpus,
			nb_cpus, rs->lim.cacheline_measured ? rs->lim.cacheline_p50 : 0,
			&rs->load);
}

static char emu_arg_a[] = "-a";
static char emu_arg0[] = VMCI_APP_EMU_GUEST_ARG;
static char emu_arg_host[] = "vmci:vmci_host0";

/* Transport vsock named the emulated guest: the emulated host follows. */
static bool vsock_emu_host_wanted;

/*
 * Transport vsock without a device on the command line: the VM's VMCI
 * function if it has one, else the emulated guest, and the emulated host
 * serving its vSockets services (echo on port 7) once the lcores are
 * known (add_vsock_emu_host()).
 */
static int
add_vsock_emu_args(int eal_argc, char **eal_argv)
{
	vsock_emu_host_wanted = vmci_app_vsock_emu_wanted(eal_argc, eal_argv);
	if (!vsock_emu_host_wanted)
		return eal_argc;
	eal_argv[eal_argc++] = emu_arg_a;
	eal_argv[eal_argc++] = emu_arg0;
	printf("vmci-perf: no vmci device given or found: adding -a %s, and the emulated host"
	       " serving vSockets (echo on port 7) once the EAL knows the lcores\n", emu_arg0);
	return eal_argc;
}

/*
 * The emulated host serves its vSockets services from a control thread,
 * which the EAL puts on the CPUs of no lcore or, when the lcores take them
 * all, on the main lcore's: beside side 0, where the two would take turns
 * on one CPU. A host runs on cores of its own, so its device comes up
 * after the EAL, with vsock_cpu= naming side 1's CPU, which transport vsock
 * leaves idle.
 */
static int
add_vsock_emu_host(unsigned int rx_lcore)
{
	unsigned int cpu = (unsigned int)rte_lcore_to_cpu_id((int)rx_lcore);
	char devargs[sizeof(VMCI_APP_EMU_HOST_VSOCK_ARG) + 32];
	int ret;

	if (!vsock_emu_host_wanted)
		return 0;
	snprintf(devargs, sizeof(devargs), "%s,vsock_cpu=%u", VMCI_APP_EMU_HOST_VSOCK_ARG, cpu);
	printf("vmci-perf: adding the emulated host serving vSockets (echo on port 7), its"
	       " thread on CPU %u of side 1's lcore %u: %s\n", cpu, rx_lcore, devargs);
	ret = rte_dev_probe(devargs);
	if (ret < 0)
		fprintf(stderr, "vmci-perf: rte_dev_probe(\"%s\"): %s (the log above says"
			" why)\n", devargs, strerror(-ret));
	return ret;
}

static int
run(struct run_state *rs, FILE *json)
{
	const struct perf_options *opt = rs->opt;
	const struct perf_transport_ops *ops = perf_transport_find(opt->transport);
	unsigned int cpus[PERF_LOAD_MAX_CPUS], nb_cpus; /* the workers' */
	struct perf_cpu_sample load_start;
	int ret, oret, load_ret;

	if (pick_lcores(opt, &rs->st.tx_lcore, &rs->st.rx_lcore) < 0)
		return PERF_EXIT_USAGE;
	perf_mp_set_peer_lcore(rs->st.rx_lcore);
	perf_transport_vmci_set_rx_lcore(rs->st.rx_lcore);
	perf_echo_set_peer_lcore(rs->st.rx_lcore);
	if (add_vsock_emu_host(rs->st.rx_lcore) < 0)
		return EXIT_FAILURE;
	rs->st.opt = opt;
	rs->st.progress = opt->count == 0 && opt->duration >= 2.0;
	rs->hist = rte_malloc("vmci_perf_hist", sizeof(*rs->hist), RTE_CACHE_LINE_SIZE);
	rs->first_hist = rte_zmalloc("vmci_perf_hist", sizeof(*rs->hist), RTE_CACHE_LINE_SIZE);
	if (rs->hist == NULL || rs->first_hist == NULL) {
		fprintf(stderr, "vmci-perf: out of memory for the histograms\n");
		return EXIT_FAILURE;
	}
	perf_hist_reset(rs->first_hist);
	rs->st.hist = opt->mode == PERF_MODE_PINGPONG ? rs->hist : NULL;
	perf_env_collect(&rs->env, rs->st.tx_lcore, rs->st.rx_lcore, ops->name);
	if (opt->nb_pairs > 0)
		return perf_pairs_run(opt, rs->st.tx_lcore, rs->st.rx_lcore, &rs->env, json);
	perf_report_header(stdout, opt, &rs->env);
	perf_report_columns(stdout, opt);
	/* --lcores may put both workers on one CPU. */
	cpus[0] = rs->env.producer.cpu;
	cpus[1] = rs->env.consumer.cpu;
	nb_cpus = cpus[0] == cpus[1] ? 1 : 2;
	load_ret = perf_load_sample(&load_start, cpus, nb_cpus);
	ret = run_queue_sizes(rs, ops);
	if (ret == 0)
		ret = run_baselines(rs);
	if (ret == 0)
		ret = run_limits(rs);
	judge_load(rs, cpus, nb_cpus, &load_start, load_ret);
	if (rs->nb_res > 0)
		perf_report_summary(stdout, opt, rs->res, rs->nb_res, &rs->lim, &rs->load,
				    rs->setup, rs->nb_setup);
	oret = write_outputs(rs, json);
	if (ret == 0)
		ret = oret;
	return exit_status(opt, rs->res, rs->nb_res, ret);
}

/*
 * The showcase needs no device on the command line: transports emu and
 * emu-mp add an emulated guest (and emu, whose host end is in this
 * process, the host's device; emu-mp's secondary adds that one). Whenever
 * an emulated device is named, the emulator library is loaded with -d:
 * the vmci bus does not contain it. Returns the new argument count.
 */
static int
add_emu_args(const struct perf_options *opt, bool secondary, int eal_argc, char **eal_argv)
{
	bool emu = strncmp(opt->transport, "emu", 3) == 0;

	if (secondary) {
		eal_argv[eal_argc++] = emu_arg_a;
		eal_argv[eal_argc++] = emu_arg_host;
	} else if (strcmp(opt->transport, "vsock") == 0) {
		eal_argc = add_vsock_emu_args(eal_argc, eal_argv);
	} else if (emu && !vmci_app_has_vmci_devargs(eal_argc, eal_argv)) {
		eal_argv[eal_argc++] = emu_arg_a;
		eal_argv[eal_argc++] = emu_arg0;
		printf("vmci-perf: no vmci device given: adding -a %s\n", emu_arg0);
		if (strcmp(opt->transport, "emu") == 0) {
			eal_argv[eal_argc++] = emu_arg_a;
			eal_argv[eal_argc++] = emu_arg_host;
			printf("vmci-perf: and the emulated host's device: -a %s\n", emu_arg_host);
		}
	}
	return vmci_app_emu_load(eal_argc, eal_argv, stdout, "vmci-perf");
}

int
main(int argc, char **argv)
{
	static struct run_state rs;
	struct perf_options opt;
	char **eal_argv;
	char **app_argv;
	int app_argc;
	int eal_argc;
	bool secondary;
	FILE *json = NULL;
	int ret;

	eal_argc = vmci_app_split_args(argc, argv, &app_argc, &app_argv);
	ret = perf_options_parse(&opt, app_argc, app_argv);
	if (ret != 0)
		return ret > 0 ? EXIT_SUCCESS : PERF_EXIT_USAGE;
	secondary = perf_mp_is_secondary_args(eal_argc, argv);
	if (!secondary && strcmp(opt.transport, "emu-mp") == 0 &&
	    perf_mp_save_eal_args(eal_argc, argv) < 0)
		return PERF_EXIT_USAGE;
	/* Only transport emu-mp runs a secondary, and its primary starts it. */
	if (secondary && (strcmp(opt.transport, "emu-mp") != 0 || opt.json_path != NULL ||
			  opt.hgrm_path != NULL || opt.plot_path != NULL)) {
		fprintf(stderr, "vmci-perf: --proc-type=secondary is the side 1 process of"
			" transport emu-mp, which its primary starts: expected \"-- --transport"
			" emu-mp\" and no outputs, got transport %s\n", opt.transport);
		return PERF_EXIT_USAGE;
	}
	if (opt.json_path != NULL) {
		json = fopen(opt.json_path, "w");
		if (json == NULL) {
			fprintf(stderr, "vmci-perf: --json %s: %s\n", opt.json_path, strerror(errno));
			return PERF_EXIT_USAGE;
		}
	}
	if (opt.hgrm_path != NULL) {
		rs.hgrm = fopen(opt.hgrm_path, "w");
		if (rs.hgrm == NULL) {
			fprintf(stderr, "vmci-perf: --hgrm %s: %s\n", opt.hgrm_path, strerror(errno));
			return PERF_EXIT_USAGE;
		}
	}
	eal_argv = calloc((size_t)eal_argc + 7, sizeof(*eal_argv));
	if (eal_argv == NULL)
		return EXIT_FAILURE;
	memcpy(eal_argv, argv, sizeof(*argv) * (size_t)eal_argc);
	eal_argc = add_emu_args(&opt, secondary, eal_argc, eal_argv);
	signal(SIGPIPE, SIG_IGN);
	rs.opt = &opt;
	ret = eal_start(eal_argc, eal_argv);
	if (ret != 0 && !secondary && strcmp(opt.transport, "emu-mp") == 0)
		fprintf(stderr, "vmci-perf: transport emu-mp needs free hugepages"
			" (HugePages_Free in /proc/meminfo) and a --file-prefix no other"
			" primary uses\n");
	if (ret == 0 && secondary) {
		ret = perf_mp_serve();
		rte_eal_cleanup();
	} else if (ret == 0) {
		ret = run(&rs, json);
		rte_free(rs.hist);
		rte_free(rs.first_hist);
		rte_eal_cleanup();
	}
	free(eal_argv);
	if (rs.hgrm != NULL && fclose(rs.hgrm) != 0 && ret == EXIT_SUCCESS) {
		fprintf(stderr, "vmci-perf: writing %s failed\n", opt.hgrm_path);
		ret = EXIT_FAILURE;
	}
	if (json != NULL && fclose(json) != 0 && ret == EXIT_SUCCESS) {
		fprintf(stderr, "vmci-perf: writing %s failed\n", opt.json_path);
		ret = EXIT_FAILURE;
	}
	return ret;
}
