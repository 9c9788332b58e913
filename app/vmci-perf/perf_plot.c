/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <rte_common.h>

#include "perf_plot.h"

/* Lines one plot draws at most: the vmci sweep and every baseline fit. */
#define PLOT_MAX_SERIES (PERF_MAX_QUEUE_SIZES + PERF_BL_COUNT)
/* Pingpong panels side by side. */
#define PLOT_PANEL_COLS 2u
#define PLOT_PANEL_W 700u
#define PLOT_PANEL_H 560u

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

/* Whether --plot names the script (FILE.gp) rather than the picture. */
static bool
plot_script_only(const char *path)
{
	size_t len = strlen(path);

	return len > 3 && strcmp(path + len - 3, ".gp") == 0;
}

/*
 * One line of a plot: the rows of one transport, and for the vmci
 * transport of a --queue-size sweep, of one queue size.
 */
static bool
same_series(const struct perf_result *a, const struct perf_result *b)
{
	return a->baseline == b->baseline && strcmp(a->transport, b->transport) == 0 &&
		(a->baseline || a->queue_size == b->queue_size);
}

/* The first row of every series, in run order; returns how many. */
static unsigned int
collect_series(const struct perf_result *res, unsigned int nb_res,
	       const struct perf_result **series)
{
	unsigned int n = 0, i, k;

	for (i = 0; i < nb_res && n < PLOT_MAX_SERIES; i++) {
		if (res[i].skipped != NULL)
			continue;
		for (k = 0; k < n && !same_series(series[k], &res[i]); k++)
			;
		if (k == n)
			series[n++] = &res[i];
	}
	return n;
}

static void
series_title(const struct perf_options *opt, const struct perf_result *r, char *buf,
	     size_t len)
{
	if (!r->baseline && opt->nb_queue_sizes > 1)
		snprintf(buf, len, "%s, %" PRIu64 " B queues", r->transport, r->queue_size);
	else
		snprintf(buf, len, "%s", r->transport);
}

/* The row of series @p s at @p size that ran; NULL if none. */
static const struct perf_result *
series_row(const struct perf_result *res, unsigned int nb_res, const struct perf_result *s,
	   uint32_t size)
{
	unsigned int i;

	for (i = 0; i < nb_res; i++) {
		if (res[i].skipped == NULL && res[i].size == size && same_series(s, &res[i]))
			return &res[i];
	}
	return NULL;
}

/* The bare-ring limit's row at @p size, or NULL. */
static const struct perf_result *
bare_at(const struct perf_result *res, unsigned int nb_res, uint32_t size)
{
	unsigned int i;

	for (i = 0; i < nb_res; i++) {
		if (res[i].baseline && res[i].record_size > 0 && res[i].skipped == NULL &&
		    res[i].size == size && res[i].seconds > 0 && res[i].messages > 0)
			return &res[i];
	}
	return NULL;
}

/* vmci against the bare-ring limit, by size: one line per vmci series. */
static void
plot_bare_ratio(FILE *gp, const struct perf_options *opt, const struct perf_result *res,
		unsigned int nb_res, const struct perf_result **series, unsigned int n)
{
	const struct perf_result *l;
	const char *sep = "";
	char title[96];
	unsigned int i, k;

	fprintf(gp, "set title 'vmci against the bare-ring limit (the most a shared-memory"
		" ring moves here)'\nunset logscale y\nset yrange [0:*]\n"
		"set ylabel 'vmci records/s / limit records/s'\n");
	for (k = 0; k < n; k++) {
		if (series[k]->baseline)
			continue;
		fprintf(gp, "$r%u << EOD\n", k);
		for (i = 0; i < nb_res; i++) {
			l = bare_at(res, nb_res, res[i].size);
			if (res[i].skipped == NULL && l != NULL && same_series(series[k], &res[i]))
				fprintf(gp, "%" PRIu32 " %.6f\n", res[i].size,
					(double)res[i].messages / res[i].seconds /
					((double)l->messages / l->seconds));
		}
		fprintf(gp, "EOD\n");
	}
	fprintf(gp, "plot ");
	for (k = 0; k < n; k++) {
		if (series[k]->baseline)
			continue;
		series_title(opt, series[k], title, sizeof(title));
		fprintf(gp, "%s$r%u using 1:2 with linespoints title '%s / bare-ring'", sep, k,
			title);
		sep = ", ";
	}
	fprintf(gp, "%s1 with lines dashtype 2 title 'the limit'\n", sep);
}

/* Whether any row is the bare-ring limit's, with vmci rows to compare. */
static bool
has_bare_ratio(const struct perf_result *res, unsigned int nb_res)
{
	unsigned int i;

	for (i = 0; i < nb_res; i++) {
		if (!res[i].baseline && res[i].skipped == NULL &&
		    bare_at(res, nb_res, res[i].size) != NULL)
			return true;
	}
	return false;
}

/*
 * Stream, bidir: GB/s by size, a line per series, memcpy as a level; with
 * the bare-ring limit, a second panel of every vmci figure as a ratio to it.
 */
static void
plot_throughput(FILE *gp, const struct perf_options *opt, const struct perf_result *res,
		unsigned int nb_res, const struct perf_limits *lim)
{
	const struct perf_result *series[PLOT_MAX_SERIES];
	unsigned int n = collect_series(res, nb_res, series);
	bool ratio = has_bare_ratio(res, nb_res);
	char title[96];
	unsigned int i, k;

	if (ratio)
		fprintf(gp, "set multiplot layout 2,1\n");

	fprintf(gp, "set title 'vmci-perf %s: throughput by message size'\n"
		"set logscale x 2\nset logscale y\nset xlabel 'message size (bytes)'\n"
		"set ylabel 'GB/s (payload)'\nset key below\n", perf_mode_name(opt->mode));
	for (k = 0; k < n; k++) {
		fprintf(gp, "$d%u << EOD\n", k);
		for (i = 0; i < nb_res; i++) {
			if (res[i].skipped == NULL && same_series(series[k], &res[i]))
				fprintf(gp, "%" PRIu32 " %.6f\n", res[i].size,
					perf_result_gbps(&res[i]));
		}
		fprintf(gp, "EOD\n");
	}
	fprintf(gp, "plot ");
	for (k = 0; k < n; k++) {
		series_title(opt, series[k], title, sizeof(title));
		fprintf(gp, "%s$d%u using 1:2 with linespoints title '%s'", k ? ", " : "", k,
			title);
	}
	if (lim->memcpy_measured)
		fprintf(gp, "%s%.6f with lines dashtype 2 title 'memcpy 1 MiB, one core (context)'",
			n ? ", " : "", lim->memcpy_gbps);
	fprintf(gp, "\n");
	if (ratio) {
		plot_bare_ratio(gp, opt, res, nb_res, series, n);
		fprintf(gp, "unset multiplot\n");
	}
}

/*
 * The percentile axis as HdrHistogram draws it: x = 1/(1 - p), on a log
 * scale, so that each further nine of the tail gets the same room.
 */
static double
pct_x(double pct)
{
	return 1.0 / (1.0 - pct / 100.0);
}

static void
plot_latency_axes(FILE *gp)
{
	fprintf(gp, "set logscale x\nset logscale y\nset xlabel 'percentile (the left"
		" edge is the minimum)'\nset ylabel 'round trip (ns)'\nset key below\n"
		/* A tic label is a format: "%%" in gnuplot prints one "%". */
		"set xtics ('50%%%%' 2, '90%%%%' 10, '99%%%%' 100, '99.9%%%%' 1000,"
		" '99.99%%%%' 10000)\n");
}

/* The machine's round trips, min / p50 / p99.9, as a curve of three points. */
static void
plot_limit_curves(FILE *gp, const struct perf_limits *lim)
{
	fprintf(gp, "$cl << EOD\n%.6f %.0f\n%.6f %.0f\n%.6f %.0f\nEOD\n", pct_x(0),
		lim->cacheline_min, pct_x(50), lim->cacheline_p50, pct_x(99.9),
		lim->cacheline_p999);
	fprintf(gp, "$tl << EOD\n%.6f %.0f\n%.6f %.0f\n%.6f %.0f\nEOD\n", pct_x(0),
		lim->twoline_min, pct_x(50), lim->twoline_p50, pct_x(99.9),
		lim->twoline_p999);
}

/* One size: every series that ran at it, plus the machine's round trips. */
static void
plot_latency_panel(FILE *gp, const struct perf_options *opt, const struct perf_result *res,
		   unsigned int nb_res, const struct perf_result **series, unsigned int n,
		   uint32_t size, const struct perf_limits *lim)
{
	const struct perf_result *r, *l;
	const char *sep = "";
	char title[96];
	unsigned int k, j;

	for (k = 0; k < n; k++) {
		r = series_row(res, nb_res, series[k], size);
		if (r == NULL || !r->has_latency || r->lat.samples == 0)
			continue;
		fprintf(gp, "$s%" PRIu32 "_%u << EOD\n", size, k);
		for (j = 0; j < PERF_LAT_CURVE_POINTS; j++)
			fprintf(gp, "%.6f %.0f\n", pct_x(perf_lat_curve_pct[j]), r->lat.curve[j]);
		fprintf(gp, "EOD\n");
	}
	r = series_row(res, nb_res, series[0], size);
	l = bare_at(res, nb_res, size);
	if (r != NULL && !r->baseline && l != NULL && r->lat.p50 > 0)
		fprintf(gp, "set title '%" PRIu32 " B messages: round trip by percentile (bare-ring"
			" p50 / vmci p50: %.2fx)'\nplot ", size, l->lat.p50 / r->lat.p50);
	else
		fprintf(gp, "set title '%" PRIu32 " B messages: round trip by percentile'\nplot ",
			size);
	for (k = 0; k < n; k++) {
		r = series_row(res, nb_res, series[k], size);
		if (r == NULL || !r->has_latency || r->lat.samples == 0)
			continue;
		series_title(opt, series[k], title, sizeof(title));
		fprintf(gp, "%s$s%" PRIu32 "_%u using 1:2 with linespoints title '%s'", sep, size,
			k, title);
		sep = ", ";
	}
	if (lim->cacheline_measured)
		fprintf(gp, "%s$cl using 1:2 with linespoints dashtype 2 title 'cache-line round"
			" trip (limit)', $tl using 1:2 with linespoints dashtype 3 title"
			" 'line + flag round trip'", sep);
	fprintf(gp, "\n");
}

/* Pingpong: a panel per message size, every transport in each. */
static void
plot_latency(FILE *gp, const struct perf_options *opt, const struct perf_result *res,
	     unsigned int nb_res, const struct perf_limits *lim)
{
	const struct perf_result *series[PLOT_MAX_SERIES];
	unsigned int n = collect_series(res, nb_res, series);
	unsigned int cols = RTE_MIN(opt->nb_sizes, PLOT_PANEL_COLS);
	unsigned int rows = (opt->nb_sizes + cols - 1) / cols;
	unsigned int i;

	plot_latency_axes(gp);
	if (lim->cacheline_measured)
		plot_limit_curves(gp, lim);
	fprintf(gp, "set multiplot layout %u,%u title 'vmci-perf pingpong: round trip by"
		" percentile, every transport at every size'\n", rows, cols);
	for (i = 0; i < opt->nb_sizes; i++)
		plot_latency_panel(gp, opt, res, nb_res, series, n, opt->sizes[i], lim);
	fprintf(gp, "unset multiplot\n");
}

/* The PNG a script draws: FILE.gp -> FILE.png. */
static void
png_path(const char *plot_path, char *buf, size_t len)
{
	if (plot_script_only(plot_path))
		snprintf(buf, len, "%.*s.png", (int)(strlen(plot_path) - 3), plot_path);
	else
		snprintf(buf, len, "%s", plot_path);
}

static void
plot_script(FILE *gp, const struct perf_options *opt, const struct perf_result *res,
	    unsigned int nb_res, const struct perf_limits *lim, const char *png)
{
	unsigned int cols = 1, rows = 1;

	if (opt->mode == PERF_MODE_PINGPONG) {
		cols = RTE_MIN(opt->nb_sizes, PLOT_PANEL_COLS);
		rows = (opt->nb_sizes + cols - 1) / cols;
	}
	fprintf(gp, "set terminal pngcairo size %u,%u\nset output '%s'\nset grid\n",
		RTE_MAX(1000u, cols * PLOT_PANEL_W), RTE_MAX(has_bare_ratio(res, nb_res) &&
		opt->mode != PERF_MODE_PINGPONG ? 1100u : 650u, rows * PLOT_PANEL_H), png);
	if (opt->mode == PERF_MODE_PINGPONG)
		plot_latency(gp, opt, res, nb_res, lim);
	else
		plot_throughput(gp, opt, res, nb_res, lim);
}

struct sweep_plot {
	const struct perf_options *opt;
	const struct perf_result *res;
	unsigned int nb_res;
	const struct perf_limits *lim;
};

static void
draw_sweep(FILE *gp, const char *png, void *arg)
{
	const struct sweep_plot *sp = arg;

	plot_script(gp, sp->opt, sp->res, sp->nb_res, sp->lim, png);
}

/* FILE.gp: the script alone, for a machine with gnuplot. */
static int
write_script(const char *path, perf_plot_draw_t draw, void *arg)
{
	FILE *gp = fopen(path, "w");
	char png[PATH_MAX];
	int ret;

	if (gp == NULL) {
		ret = -errno;
		fprintf(stderr, "vmci-perf: --plot %s: %s\n", path, strerror(-ret));
		return ret;
	}
	png_path(path, png, sizeof(png));
	draw(gp, png, arg);
	ret = ferror(gp) ? -EIO : 0;
	if (fclose(gp) != 0 || ret < 0) {
		fprintf(stderr, "vmci-perf: --plot %s: writing failed\n", path);
		return -EIO;
	}
	printf("gnuplot script written to %s (draw it with: gnuplot %s)\n", path, path);
	return 0;
}

int
perf_plot_output(const char *path, bool json, perf_plot_draw_t draw, void *arg)
{
	FILE *gp;
	int st;

	if (plot_script_only(path))
		return write_script(path, draw, arg);
	if (!on_path("gnuplot")) {
		fprintf(stderr, "vmci-perf: --plot %s: gnuplot is not installed (apt-get install"
			" gnuplot-nox); no plot drawn, the figures are in the table%s; --plot"
			" FILE.gp writes the script to draw elsewhere\n",
			path, json ? " and the JSON file" : "");
		return -ENOENT;
	}
	gp = popen("gnuplot", "w");
	if (gp == NULL)
		return -errno;
	draw(gp, path, arg);
	st = pclose(gp);
	if (st != 0) {
		fprintf(stderr, "vmci-perf: --plot %s: gnuplot failed (status %d)\n", path, st);
		return -EIO;
	}
	printf("plot written to %s\n", path);
	return 0;
}

int
perf_plot(const struct perf_options *opt, const struct perf_result *res,
	  unsigned int nb_res, const struct perf_limits *lim)
{
	struct sweep_plot sp = { opt, res, nb_res, lim };

	return perf_plot_output(opt->plot_path, opt->json_path != NULL, draw_sweep, &sp);
}
