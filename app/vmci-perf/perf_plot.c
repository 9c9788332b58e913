/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <rte_common.h>

#include "perf_plot.h"

/* Whether an executable @p name is on PATH. */
static int
on_path(const char *name)
{
	const char *path = getenv("PATH");
	char buf[PATH_MAX];
	const char *p, *colon;

	if (path == NULL)
		return 0;
	for (p = path; *p != '\0'; p = colon + 1) {
		colon = strchr(p, ':');
		if (colon == NULL)
			colon = p + strlen(p);
		snprintf(buf, sizeof(buf), "%.*s/%s", (int)(colon - p), p, name);
		if (access(buf, X_OK) == 0)
			return 1;
		if (*colon == '\0')
			break;
	}
	return 0;
}

/* Inline data blocks, one per transport, in gnuplot's "$name << EOD" form. */
static void
plot_throughput(FILE *gp, const struct perf_result *res, unsigned int nb_res)
{
	const char *done[16];
	unsigned int nb_done = 0, i, j, k;

	fprintf(gp, "set logscale x 2\nset logscale y\nset xlabel 'message size (bytes)'\n"
		"set ylabel 'GB/s (payload)'\nset key left top\n");
	for (i = 0; i < nb_res && nb_done < RTE_DIM(done); i++) {
		for (k = 0; k < nb_done && strcmp(done[k], res[i].transport) != 0; k++)
			;
		if (k < nb_done)
			continue;
		done[nb_done++] = res[i].transport;
		fprintf(gp, "$d%u << EOD\n", nb_done);
		for (j = 0; j < nb_res; j++) {
			if (strcmp(res[j].transport, res[i].transport) == 0 &&
			    res[j].skipped == NULL)
				fprintf(gp, "%" PRIu32 " %.6f\n", res[j].size,
					perf_result_gbps(&res[j]));
		}
		fprintf(gp, "EOD\n");
	}
	fprintf(gp, "plot ");
	for (k = 0; k < nb_done; k++)
		fprintf(gp, "%s$d%u using 1:2 with linespoints title '%s'", k ? ", " : "",
			k + 1, done[k]);
	fprintf(gp, "\n");
}

static void
plot_cdf(FILE *gp, const struct perf_hist *h, const char *title)
{
	uint64_t seen = 0;
	unsigned int i;

	fprintf(gp, "set logscale x\nset xlabel 'round trip (ns)'\nset ylabel 'fraction'\n"
		"set key left top\nset yrange [0:1]\n$cdf << EOD\n");
	for (i = 0; i < PERF_HIST_BUCKETS; i++) {
		if (h->counts[i] == 0)
			continue;
		seen += h->counts[i];
		fprintf(gp, "%" PRIu64 " %.9f\n", perf_hist_bucket_high(i),
			(double)seen / (double)h->total);
	}
	fprintf(gp, "EOD\nplot $cdf using 1:2 with steps title '%s'\n", title);
}

int
perf_plot(const struct perf_options *opt, const struct perf_result *res,
	  unsigned int nb_res, const struct perf_hist *hist)
{
	char title[96];
	FILE *gp;
	int st;

	if (!on_path("gnuplot")) {
		fprintf(stderr, "vmci-perf: --plot %s: gnuplot is not installed (apt-get install"
			" gnuplot-nox); no plot drawn, the figures are in the table%s\n",
			opt->plot_path, opt->json_path != NULL ? " and the JSON file" : "");
		return -ENOENT;
	}
	gp = popen("gnuplot", "w");
	if (gp == NULL)
		return -errno;
	fprintf(gp, "set terminal pngcairo size 1000,650\nset output '%s'\nset grid\n",
		opt->plot_path);
	if (opt->mode == PERF_MODE_PINGPONG && hist != NULL && hist->total > 0) {
		snprintf(title, sizeof(title), "%s %" PRIu32 " B round trip", res[0].transport,
			 res[0].size);
		fprintf(gp, "set title 'vmci-perf pingpong: latency CDF'\n");
		plot_cdf(gp, hist, title);
	} else {
		fprintf(gp, "set title 'vmci-perf %s: throughput by message size'\n",
			perf_mode_name(opt->mode));
		plot_throughput(gp, res, nb_res);
	}
	st = pclose(gp);
	if (st != 0) {
		fprintf(stderr, "vmci-perf: --plot %s: gnuplot failed (status %d)\n",
			opt->plot_path, st);
		return -EIO;
	}
	printf("plot written to %s\n", opt->plot_path);
	return 0;
}
