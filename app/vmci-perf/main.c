/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

/*
 * vmci-perf: throughput of VMCI queue pairs.
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
#include <string.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_memory.h>

#include "perf_options.h"
#include "perf_report.h"
#include "perf_stream.h"
#include "perf_transport.h"

static void
app_usage_hook(const char *prgname)
{
	perf_usage(stdout, prgname);
}

/* Index of the first "--" (argc if none): EAL arguments come before it. */
static int
find_app_args(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			return i;
	}
	return argc;
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

/* Producer on the main lcore, consumer on the next enabled one. */
static int
pick_lcores(unsigned int *tx_lcore, unsigned int *rx_lcore)
{
	*tx_lcore = rte_get_main_lcore();
	*rx_lcore = rte_get_next_lcore(*tx_lcore, 1, 0);
	if (*rx_lcore >= RTE_MAX_LCORE) {
		fprintf(stderr, "vmci-perf: stream mode needs two lcores, e.g. -l 0,1;"
			" the EAL enabled %u\n", rte_lcore_count());
		return -EINVAL;
	}
	return 0;
}

/* Sweep the sizes; stop at the first size that failed. */
static int
run_stream(const struct perf_options *opt, const struct perf_env *env,
	   const struct perf_stream *st, struct perf_result *res, unsigned int *nb_res)
{
	unsigned int i;
	int ret;

	perf_report_header(stdout, opt, env);
	for (i = 0; i < opt->nb_sizes; i++) {
		ret = perf_stream_run_size(st, opt->sizes[i], &res[i]);
		if (ret < 0)
			return ret;
		*nb_res = i + 1;
		perf_report_row(stdout, opt, &res[i]);
		if (perf_result_failed(&res[i]))
			return -EIO;
	}
	return 0;
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
	return run_ret < 0 || errors > 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}

static int
write_json(FILE *json, const struct perf_options *opt, const struct perf_env *env,
	   const struct perf_result *res, unsigned int nb_res)
{
	int ret = perf_report_json(json, opt, env, res, nb_res);

	if (ret < 0)
		fprintf(stderr, "vmci-perf: writing %s failed\n", opt->json_path);
	return ret;
}

static int
run(const struct perf_options *opt, FILE *json)
{
	struct perf_result res[PERF_MAX_SIZES];
	struct perf_transport tp;
	struct perf_stream st;
	struct perf_env env;
	unsigned int nb_res = 0;
	int ret;

	if (pick_lcores(&st.tx_lcore, &st.rx_lcore) < 0)
		return PERF_EXIT_USAGE;
	st.opt = opt;
	st.tp = &tp;
	ret = perf_transport_open(&tp, &perf_transport_local_qp, opt, SOCKET_ID_ANY);
	if (ret < 0)
		return EXIT_FAILURE;
	perf_env_collect(&env, st.tx_lcore, st.rx_lcore, tp.ops->name);
	ret = run_stream(opt, &env, &st, res, &nb_res);
	perf_transport_close(&tp);
	if (json != NULL && write_json(json, opt, &env, res, nb_res) < 0 && ret == 0)
		ret = -EIO;
	return exit_status(opt, res, nb_res, ret);
}

int
main(int argc, char **argv)
{
	char *no_args[] = { argv[0], NULL };
	struct perf_options opt;
	char **app_argv = no_args;
	int app_argc = 1;
	int eal_argc;
	FILE *json = NULL;
	int ret;

	eal_argc = find_app_args(argc, argv);
	if (eal_argc < argc) {
		/* Replace "--" with the program name: getopt skips argv[0]. */
		app_argv = &argv[eal_argc];
		app_argc = argc - eal_argc;
		app_argv[0] = argv[0];
	}
	ret = perf_options_parse(&opt, app_argc, app_argv);
	if (ret != 0)
		return ret > 0 ? EXIT_SUCCESS : PERF_EXIT_USAGE;
	if (opt.json_path != NULL) {
		json = fopen(opt.json_path, "w");
		if (json == NULL) {
			fprintf(stderr, "vmci-perf: --json %s: %s\n", opt.json_path, strerror(errno));
			return PERF_EXIT_USAGE;
		}
	}
	ret = eal_start(eal_argc, argv);
	if (ret == 0) {
		ret = run(&opt, json);
		rte_eal_cleanup();
	}
	if (json != NULL && fclose(json) != 0 && ret == EXIT_SUCCESS) {
		fprintf(stderr, "vmci-perf: writing %s failed\n", opt.json_path);
		ret = EXIT_FAILURE;
	}
	return ret;
}
