/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <rte_eal.h>

#include <rte_cycles.h>
#include <rte_lcore.h>
#include <rte_version.h>

#include "perf_report.h"

#ifndef VMCI_PERF_VERSION
#define VMCI_PERF_VERSION "unknown"
#endif

const double perf_lat_curve_pct[PERF_LAT_CURVE_POINTS] = {
	0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 95, 99, 99.9, 99.99,
};

static void
read_cpu_model(char *buf, size_t len)
{
	char line[256];
	char *colon;
	FILE *f;

	snprintf(buf, len, "unknown");
	f = fopen("/proc/cpuinfo", "r");
	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, "model name", strlen("model name")) != 0)
			continue;
		colon = strchr(line, ':');
		if (colon == NULL)
			continue;
		colon += strspn(colon, ": \t");
		colon[strcspn(colon, "\n")] = '\0';
		snprintf(buf, len, "%s", colon);
		break;
	}
	fclose(f);
}

static void
core_of(struct perf_core *core, unsigned int lcore)
{
	core->lcore = lcore;
	core->cpu = rte_lcore_to_cpu_id(lcore);
	core->socket = (int)rte_lcore_to_socket_id(lcore);
}

/* HugePages_Total, HugePages_Free and Hugepagesize of /proc/meminfo. */
static void
read_hugepages(struct perf_env *env)
{
	unsigned long long v;
	char line[256];
	FILE *f;

	f = fopen("/proc/meminfo", "r");
	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "HugePages_Total: %llu", &v) == 1)
			env->hugepages_total = v;
		else if (sscanf(line, "HugePages_Free: %llu", &v) == 1)
			env->hugepages_free = v;
		else if (sscanf(line, "Hugepagesize: %llu kB", &v) == 1)
			env->hugepage_kb = v;
	}
	fclose(f);
}

void
perf_env_collect(struct perf_env *env, unsigned int tx_lcore, unsigned int rx_lcore,
		 const char *transport)
{
	memset(env, 0, sizeof(*env));
	read_cpu_model(env->cpu_model, sizeof(env->cpu_model));
	env->dpdk_version = rte_version();
	env->transport = transport;
	env->tsc_hz = rte_get_tsc_hz();
	core_of(&env->producer, tx_lcore);
	core_of(&env->consumer, rx_lcore);
	env->nb_cores = (unsigned int)sysconf(_SC_NPROCESSORS_ONLN);
	read_hugepages(env);
	env->in_memory_no_huge = !rte_eal_has_hugepages();
}

void
perf_latency_from_hist(const struct perf_hist *h, struct perf_latency *l)
{
	unsigned int i;

	l->samples = h->total;
	l->min = h->total > 0 ? (double)h->min : 0;
	l->p50 = (double)perf_hist_percentile(h, 50);
	l->p90 = (double)perf_hist_percentile(h, 90);
	l->p99 = (double)perf_hist_percentile(h, 99);
	l->p999 = (double)perf_hist_percentile(h, 99.9);
	l->p9999 = (double)perf_hist_percentile(h, 99.99);
	l->max = (double)h->max;
	l->mean = perf_hist_mean(h);
	for (i = 0; i < PERF_LAT_CURVE_POINTS; i++)
		l->curve[i] = (double)perf_hist_percentile(h, perf_lat_curve_pct[i]);
}

int
perf_result_failed(const struct perf_result *res)
{
	return res->tx_error != 0 || res->rx_error != 0;
}

double
perf_result_gbps(const struct perf_result *res)
{
	return res->seconds > 0 ? (double)res->messages * res->size / res->seconds / 1e9 : 0;
}

double
perf_result_mmsgs(const struct perf_result *res)
{
	return res->seconds > 0 ? (double)res->messages / res->seconds / 1e6 : 0;
}

/* "4194304 B", or for a sweep "16384, 65536 B" and which one the baselines use. */
static void
queue_sizes_text(const struct perf_options *opt, char *buf, size_t len)
{
	size_t n = 0;
	unsigned int i;

	buf[0] = '\0';
	for (i = 0; i < opt->nb_queue_sizes && n < len; i++)
		n += snprintf(buf + n, len - n, "%s%" PRIu64, i > 0 ? ", " : "",
			      opt->queue_sizes[i]);
	if (n < len)
		snprintf(buf + n, len - n, " B%s", opt->nb_queue_sizes > 1 ?
			 " (a sweep of the vmci transport; the baselines use the first)" : "");
}

void
perf_report_header(FILE *f, const struct perf_options *opt, const struct perf_env *env)
{
	char queues[PERF_MAX_QUEUE_SIZES * 22 + 80];

	queue_sizes_text(opt, queues, sizeof(queues));
	fprintf(f, "vmci-perf %s: mode %s, transport %s, api %s, %s %s, burst %u, ",
		VMCI_PERF_VERSION, perf_mode_name(opt->mode), env->transport,
		perf_api_name(opt->api), opt->nb_queue_sizes > 1 ? "queues" : "queue", queues,
		opt->burst);
	if (opt->count > 0)
		fprintf(f, "%" PRIu64 " messages per size\n", opt->count);
	else
		fprintf(f, "%.2f s per size and transport\n", opt->duration);
	fprintf(f, "producer: lcore %u (cpu %u, socket %d) -> consumer: lcore %u (cpu %u, socket %d)\n",
		env->producer.lcore, env->producer.cpu, env->producer.socket,
		env->consumer.lcore, env->consumer.cpu, env->consumer.socket);
	if (opt->tx_lcore < 0 && opt->rx_lcore < 0)
		fprintf(f, "(default lcores: the main lcore and the next one; choose with"
			" --tx-lcore/--rx-lcore and -l)\n");
	fprintf(f, "machine: %s, %u cores, %s, TSC %" PRIu64 " Hz, hugepages %" PRIu64
		" x %" PRIu64 " kB (%" PRIu64 " free)%s\n",
		env->cpu_model, env->nb_cores, env->dpdk_version, env->tsc_hz,
		env->hugepages_total, env->hugepage_kb, env->hugepages_free,
		env->in_memory_no_huge ? ", EAL without hugepages" : "");
	fprintf(f, "note: figures from a shared or busy machine are noisy; repeat runs"
		" and compare medians\n");
	if (opt->verify && strcmp(env->transport, "vsock") == 0)
		fprintf(f, "verify: on (every byte of every message, its sequence number and"
			" length)\n");
	else if (opt->verify)
		fprintf(f, "verify: on (sequence number and length of every message)\n");
	else
		fprintf(f, "verify: OFF (--no-verify): messages are not checked\n");
}

void
perf_report_columns(FILE *f, const struct perf_options *opt)
{
	if (opt->mode == PERF_MODE_PINGPONG)
		fprintf(f, "\n%-10s %7s %8s %8s %8s %8s %8s %9s %9s %11s %10s\n", "transport", "size",
			"min_ns", "p50_ns", "p90_ns", "p99_ns", "p99.9_ns", "p99.99_ns", "max_ns",
			"roundtrips", "verify_err");
	else
		fprintf(f, "\n%-10s %7s %10s %10s %15s %11s\n", "transport", "size", "GB/s",
			"Mmsg/s", "messages", "verify_err");
}

static void
report_error(FILE *f, const char *who, int err)
{
	if (err == -ETIMEDOUT)
		fprintf(f, "  %s: messages lost: none arrived for 1 s after the producer stopped\n",
			who);
	else if (err != 0)
		fprintf(f, "  %s stopped: error %d (%s)\n", who, err, strerror(-err));
}

void
perf_report_row(FILE *f, const struct perf_options *opt, const struct perf_result *res)
{
	char errs[24];

	if (opt->verify)
		snprintf(errs, sizeof(errs), "%" PRIu64, res->verify_errors);
	else
		snprintf(errs, sizeof(errs), "-");
	if (res->skipped != NULL) {
		fprintf(f, "%-10s %7" PRIu32 "  skipped: %s\n", res->transport, res->size,
			res->skipped);
		fflush(f);
		return;
	}
	if (res->has_latency)
		fprintf(f, "%-10s %7" PRIu32 " %8.0f %8.0f %8.0f %8.0f %8.0f %9.0f %9.0f %11"
			PRIu64 " %10s\n", res->transport, res->size, res->lat.min, res->lat.p50,
			res->lat.p90, res->lat.p99, res->lat.p999, res->lat.p9999, res->lat.max,
			res->messages, errs);
	else
		fprintf(f, "%-10s %7" PRIu32 " %10.3f %10.3f %15" PRIu64 " %11s\n",
			res->transport, res->size, perf_result_gbps(res), perf_result_mmsgs(res),
			res->messages, errs);
	report_error(f, "producer", res->tx_error);
	report_error(f, "consumer", res->rx_error);
	if (res->messages != res->sent && res->rx_error != -ETIMEDOUT)
		fprintf(f, "  consumer received %" PRIu64 " messages, producer sent %" PRIu64 "\n",
			res->messages, res->sent);
	fflush(f);
}

void
perf_json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", (unsigned char)*s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

static void
json_core(FILE *f, const char *name, const struct perf_core *core)
{
	fprintf(f, "    \"%s\": {\"lcore\": %u, \"cpu\": %u, \"socket\": %d}",
		name, core->lcore, core->cpu, core->socket);
}

static void
json_error(FILE *f, int err)
{
	if (err == 0)
		fprintf(f, "null");
	else
		perf_json_str(f, strerror(-err));
}

void
perf_json_machine(FILE *f, const struct perf_env *env)
{
	struct utsname uts;

	fprintf(f, "  \"machine\": {\n    \"cpu_model\": ");
	perf_json_str(f, env->cpu_model);
	fprintf(f, ",\n    \"dpdk_version\": ");
	perf_json_str(f, env->dpdk_version);
	if (uname(&uts) == 0) {
		fprintf(f, ",\n    \"kernel\": ");
		perf_json_str(f, uts.release);
	}
	fprintf(f, ",\n    \"tsc_hz\": %" PRIu64 ",\n    \"cores\": %u,\n", env->tsc_hz,
		env->nb_cores);
	fprintf(f, "    \"hugepages\": {\"total\": %" PRIu64 ", \"free\": %" PRIu64
		", \"size_kb\": %" PRIu64 ", \"used_by_eal\": %s},\n",
		env->hugepages_total, env->hugepages_free, env->hugepage_kb,
		env->in_memory_no_huge ? "false" : "true");
	json_core(f, "producer", &env->producer);
	fprintf(f, ",\n");
	json_core(f, "consumer", &env->consumer);
	fprintf(f, "\n  },\n");
}

static void
json_latency(FILE *f, const struct perf_latency *l)
{
	fprintf(f, ", \"latency_ns\": {\"samples\": %" PRIu64 ", \"min\": %.0f, \"p50\": %.0f,"
		" \"p90\": %.0f, \"p99\": %.0f, \"p99.9\": %.0f, \"p99.99\": %.0f,"
		" \"max\": %.0f, \"mean\": %.1f}", l->samples, l->min, l->p50, l->p90, l->p99,
		l->p999, l->p9999, l->max, l->mean);
}

static void json_num(FILE *f, int measured, const char *fmt, double v);

/* The bare-ring row of a run: its record size, copy routine and trials. */
static void
json_bare_ring(FILE *f, const struct perf_result *res)
{
	unsigned int i;

	fprintf(f, ", \"record_size\": %" PRIu32 ", \"ring_gbytes_per_s\": %.4f,"
		" \"copy_routine\": ", res->record_size,
		res->seconds > 0 ? (double)res->messages * res->record_size / res->seconds / 1e9 :
		0);
	perf_json_str(f, res->copy != NULL ? res->copy : "");
	fprintf(f, ", \"copy_trials\": [");
	for (i = 0; i < res->nb_trials; i++) {
		fprintf(f, "%s{\"copy\": ", i > 0 ? ", " : "");
		perf_json_str(f, res->trial[i].copy);
		fprintf(f, ", \"%s\": %.4f}", res->has_latency ? "p50_ns" : "mmsgs_per_s",
			res->trial[i].figure);
	}
	fprintf(f, "]");
}

static const struct perf_result *bare_row(const struct perf_result *res, unsigned int nb_res,
					  uint32_t size);
static double vmci_advantage(const struct perf_result *v, const struct perf_result *b);

static void
json_result(FILE *f, const struct perf_options *opt, const struct perf_result *res,
	    const struct perf_result *all, unsigned int nb_res)
{
	const struct perf_result *bare;

	fprintf(f, "    {\"transport\": ");
	perf_json_str(f, res->transport);
	fprintf(f, ", \"baseline\": %s, \"mode\": \"%s\", \"api\": ",
		res->baseline ? "true" : "false", perf_mode_name(opt->mode));
	perf_json_str(f, res->api);
	if (res->skipped != NULL) {
		fprintf(f, ", \"size\": %" PRIu32 ", \"skipped\": ", res->size);
		perf_json_str(f, res->skipped);
		fprintf(f, "}");
		return;
	}
	fprintf(f, ", \"queue_size\": %" PRIu64, res->queue_size);
	fprintf(f, ", \"size\": %" PRIu32 ", \"gbytes_per_s\": %.4f, \"mmsgs_per_s\": %.4f,"
		" \"messages\": %" PRIu64 ", \"sent\": %" PRIu64 ", \"verify_errors\": ",
		res->size, perf_result_gbps(res), perf_result_mmsgs(res), res->messages, res->sent);
	if (opt->verify)
		fprintf(f, "%" PRIu64, res->verify_errors);
	else
		fprintf(f, "null");
	fprintf(f, ", \"seconds\": %.6f, \"tx_full\": %" PRIu64 ", \"rx_empty\": %" PRIu64
		", \"tx_error\": ", res->seconds, res->tx_full, res->rx_empty);
	json_error(f, res->tx_error);
	fprintf(f, ", \"rx_error\": ");
	json_error(f, res->rx_error);
	fprintf(f, ", \"errors\": %" PRIu64, (uint64_t)(res->tx_error != 0) +
		(res->rx_error != 0) + res->verify_errors);
	if (res->has_latency)
		json_latency(f, &res->lat);
	if (res->record_size > 0)
		json_bare_ring(f, res);
	if (!res->baseline) {
		bare = bare_row(all, nb_res, res->size);
		fprintf(f, ", \"of_bare_ring\": ");
		json_num(f, bare != NULL, "%.6g", bare != NULL ? vmci_advantage(res, bare) : 0);
	}
	fprintf(f, "}");
}

static const char *
json_verification(const struct perf_options *opt, const struct perf_result *res,
		  unsigned int nb_res)
{
	unsigned int i;

	if (!opt->verify)
		return "off";
	for (i = 0; i < nb_res; i++) {
		if (res[i].verify_errors > 0 || perf_result_failed(&res[i]))
			return "failed";
	}
	return "passed";
}

static const struct perf_result *vmci_row(const struct perf_result *res, unsigned int nb_res,
					  uint32_t size);
static void json_qp_echo(FILE *f, const struct perf_options *opt, const struct perf_result *res,
			 unsigned int nb_res);
static void json_targets(FILE *f, const struct perf_options *opt, const struct perf_result *res,
			 unsigned int nb_res, const struct perf_limits *lim,
			 const struct perf_load *load);

/* Each baseline figure against the vmci one of the same size. */
static void
json_ratios(FILE *f, const struct perf_result *res, unsigned int nb_res)
{
	const struct perf_result *v;
	const char *sep = "";
	unsigned int i;

	for (i = 0; i < nb_res; i++) {
		v = vmci_row(res, nb_res, res[i].size);
		if (!res[i].baseline || res[i].skipped != NULL || v == NULL)
			continue;
		fprintf(f, "%s    {\"baseline\": ", sep);
		perf_json_str(f, res[i].transport);
		fprintf(f, ", \"size\": %" PRIu32 ", \"vmci_advantage\": %.4f, \"metric\": \"%s\"}",
			res[i].size, vmci_advantage(v, &res[i]),
			v->has_latency ? "baseline p50 / vmci p50" : "vmci msg/s / baseline msg/s");
		sep = ",\n";
	}
	if (sep[0] != '\0')
		fprintf(f, "\n");
}

static void
json_limits(FILE *f, const struct perf_limits *lim)
{
	fprintf(f, "  \"limits\": ");
	if (!lim->measured) {
		fprintf(f, "null,\n");
		return;
	}
	fprintf(f, "{\"memcpy_1mib_gbytes_per_s\": ");
	if (lim->memcpy_measured)
		fprintf(f, "%.3f", lim->memcpy_gbps);
	else
		fprintf(f, "null");
	fprintf(f, ", \"cacheline_rtt_ns\": ");
	if (lim->cacheline_measured)
		fprintf(f, "{\"min\": %.0f, \"p50\": %.0f, \"p99.9\": %.0f},"
			" \"data_and_index_lines_rtt_ns\": {\"min\": %.0f, \"p50\": %.0f,"
			" \"p99.9\": %.0f}},\n",
			lim->cacheline_min, lim->cacheline_p50, lim->cacheline_p999,
			lim->twoline_min, lim->twoline_p50, lim->twoline_p999);
	else
		fprintf(f, "null, \"data_and_index_lines_rtt_ns\": null},\n");
}

/* A figure, or null when not measured. */
static void
json_num(FILE *f, int measured, const char *fmt, double v)
{
	if (measured)
		fprintf(f, fmt, v);
	else
		fprintf(f, "null");
}

static void
json_load(FILE *f, const struct perf_load *load)
{
	char note[512];
	unsigned int i;

	fprintf(f, "  \"machine_load\": {\"cpus\": ");
	if (load->nb_cpus == 0) {
		fprintf(f, "\"all\"");
	} else {
		for (i = 0; i < load->nb_cpus; i++)
			fprintf(f, "%s%u", i ? ", " : "[", load->cpus[i]);
		fprintf(f, "]");
	}
	fprintf(f, ", \"seconds\": ");
	json_num(f, load->cpu_measured, "%.2f", load->seconds);
	fprintf(f, ", \"other_cpu\": ");
	json_num(f, load->cpu_measured, "%.3f", load->other_cpu);
	fprintf(f, ", \"steal_cpu\": ");
	json_num(f, load->cpu_measured, "%.3f", load->steal_cpu);
	fprintf(f, ", \"own_cpu\": ");
	json_num(f, load->cpu_measured, "%.3f", load->own_cpu);
	fprintf(f, ", \"other_cpu_limit\": %.2f, \"cacheline_p50_ns\": ",
		PERF_LOAD_OTHER_CPU_LIMIT);
	json_num(f, load->cacheline_measured, "%.0f", load->cacheline_p50);
	fprintf(f, ", \"quiet_cacheline_p50_ns\": %.0f, \"cacheline_factor_limit\": %.1f,"
		" \"busy\": ", PERF_LOAD_QUIET_CACHELINE_P50_NS, PERF_LOAD_CACHELINE_FACTOR_LIMIT);
	if (load->cpu_measured || load->cacheline_measured)
		fprintf(f, "%s", load->busy ? "true" : "false");
	else
		fprintf(f, "null");
	perf_load_note(load, note, sizeof(note));
	fprintf(f, ", \"note\": ");
	perf_json_str(f, note);
	fprintf(f, "},\n");
}

static double
setup_per_s(const struct perf_setup *s)
{
	return s->seconds > 0 ? (double)s->count / s->seconds : 0;
}

/* Connection setup, one entry per queue size. */
static void
json_setup(FILE *f, const struct perf_setup *setup, unsigned int nb_setup)
{
	const struct perf_latency *l;
	unsigned int i;

	fprintf(f, "  \"connects\": [\n");
	for (i = 0; i < nb_setup; i++) {
		l = &setup[i].lat;
		fprintf(f, "    {\"peer\": ");
		perf_json_str(f, setup[i].peer);
		fprintf(f, ", \"queue_size\": %" PRIu64 ", \"count\": %" PRIu64
			", \"seconds\": %.6f, \"connections_per_s\": %.1f, \"setup_ns\":"
			" {\"samples\": %" PRIu64
			", \"min\": %.0f, \"p50\": %.0f, \"p90\": %.0f, \"p99\": %.0f,"
			" \"p99.9\": %.0f, \"max\": %.0f, \"mean\": %.1f}}%s\n",
			setup[i].queue_size, setup[i].count, setup[i].seconds,
			setup_per_s(&setup[i]), l->samples, l->min, l->p50, l->p90, l->p99, l->p999,
			l->max, l->mean, i + 1 < nb_setup ? "," : "");
	}
	fprintf(f, "  ],\n");
}

int
perf_report_json(FILE *f, const struct perf_options *opt, const struct perf_env *env,
		 const struct perf_result *res, unsigned int nb_res, const struct perf_limits *lim,
		 const struct perf_load *load, const struct perf_setup *setup,
		 unsigned int nb_setup)
{
	unsigned int i;

	fprintf(f, "{\n  \"tool\": \"vmci-perf\",\n  \"version\": ");
	perf_json_str(f, VMCI_PERF_VERSION);
	fprintf(f, ",\n  \"mode\": \"%s\",\n  \"transport\": ", perf_mode_name(opt->mode));
	perf_json_str(f, env->transport);
	fprintf(f, ",\n  \"api\": \"%s\",\n  \"queue_size\": %" PRIu64 ",\n  \"queue_sizes\": [",
		perf_api_name(opt->api), opt->queue_sizes[0]);
	for (i = 0; i < opt->nb_queue_sizes; i++)
		fprintf(f, "%s%" PRIu64, i > 0 ? ", " : "", opt->queue_sizes[i]);
	fprintf(f, "],\n  \"burst\": %u,\n  \"duration_s\": ", opt->burst);
	/* A --count run ends by count: no duration applies (each row has its seconds). */
	if (opt->count > 0)
		fprintf(f, "null");
	else
		fprintf(f, "%.3f", opt->duration);
	fprintf(f, ",\n  \"count\": %" PRIu64 ",\n  \"verify\": %s,\n", opt->count,
		opt->verify ? "true" : "false");
	fprintf(f, "  \"units\": {\"gbytes_per_s\": \"10^9 payload bytes per second\","
		" \"mmsgs_per_s\": \"10^6 messages per second\","
		" \"latency_ns\": \"round trip, nanoseconds\"%s},\n", nb_setup > 0 ?
		", \"setup_ns\": \"connect to established, nanoseconds\"" : "");
	perf_json_machine(f, env);
	if (nb_setup > 0)
		json_setup(f, setup, nb_setup);
	json_limits(f, lim);
	json_load(f, load);
	fprintf(f, "  \"verification\": \"%s\",\n", json_verification(opt, res, nb_res));
	json_qp_echo(f, opt, res, nb_res);
	fprintf(f, "  \"results\": [\n");
	for (i = 0; i < nb_res; i++) {
		json_result(f, opt, &res[i], res, nb_res);
		fprintf(f, "%s\n", i + 1 < nb_res ? "," : "");
	}
	fprintf(f, "  ],\n  \"ratios\": [\n");
	json_ratios(f, res, nb_res);
	fprintf(f, "  ],\n  \"targets\": [\n");
	json_targets(f, opt, res, nb_res, lim, load);
	fprintf(f, "  ]\n}\n");
	fflush(f);
	return ferror(f) ? -EIO : 0;
}

/* The vmci row of the same size: rows 0..n-1 before the first baseline. */
static const struct perf_result *
vmci_row(const struct perf_result *res, unsigned int nb_res, uint32_t size)
{
	unsigned int i;

	for (i = 0; i < nb_res && !res[i].baseline; i++) {
		if (res[i].size == size && res[i].skipped == NULL)
			return &res[i];
	}
	return NULL;
}

/* The bare-ring limit's row of @p size that ran, or NULL. */
static const struct perf_result *
bare_row(const struct perf_result *res, unsigned int nb_res, uint32_t size)
{
	unsigned int i;

	for (i = 0; i < nb_res; i++) {
		if (res[i].baseline && res[i].record_size > 0 && res[i].size == size &&
		    res[i].skipped == NULL && !perf_result_failed(&res[i]))
			return &res[i];
	}
	return NULL;
}

/*
 * How many times better vmci is than @p b: higher throughput, or lower
 * median round trip. 0 when either figure is missing.
 */
static double
vmci_advantage(const struct perf_result *v, const struct perf_result *b)
{
	if (v == NULL || b->skipped != NULL)
		return 0;
	if (v->has_latency)
		return v->lat.p50 > 0 && b->has_latency ? b->lat.p50 / v->lat.p50 : 0;
	return perf_result_mmsgs(b) > 0 ? perf_result_mmsgs(v) / perf_result_mmsgs(b) : 0;
}

static const struct perf_result *
find_row(const struct perf_result *res, unsigned int nb_res, const char *transport, uint32_t size)
{
	unsigned int i;

	for (i = 0; i < nb_res; i++) {
		if (strcmp(res[i].transport, transport) == 0 && res[i].size == size &&
		    res[i].skipped == NULL && !perf_result_failed(&res[i]))
			return &res[i];
	}
	return NULL;
}

struct target {
	const char *what;
	double got;   /* 0: not measured */
	double want;
	int higher_better;
	const char *unit;
};

#define MAX_TARGETS 6

static const char *
target_verdict(const struct target *t)
{
	if (t->got <= 0)
		return "not measured";
	if (t->higher_better ? t->got >= t->want : t->got <= t->want)
		return "met";
	return "MISSED";
}

static double
ratio_of(double a, double b)
{
	return a > 0 && b > 0 ? a / b : 0;
}

/*
 * Whether this run measures baseline @p bl: it was asked for, and it is
 * not a kernel stream in bidir (those rows are skipped: they would
 * deadlock). A ratio to a baseline that was not run is left out; one that
 * was asked for but failed stays, "not measured".
 */
static bool
baseline_in_run(const struct perf_options *opt, enum perf_baseline bl)
{
	bool kernel = bl == PERF_BL_UNIX || bl == PERF_BL_UNIX_BUSY || bl == PERF_BL_PIPE ||
		bl == PERF_BL_TCP;

	if (!(opt->baselines & (1u << bl)))
		return false;
	return !(kernel && opt->mode == PERF_MODE_BIDIR);
}

/*
 * Whether the measured transport is a loop through a peer that is not
 * ours to place (vsock): the queue-pair targets do not apply to it; its
 * own are ratios to qp-echo.
 */
static bool
targets_apply(const struct perf_result *res, unsigned int nb_res)
{
	return nb_res == 0 || strcmp(res[0].transport, "vsock") != 0;
}

/* What the vsock / qp-echo ratios compare, in the text and the JSON. */
#define QP_ECHO_COMPARES "vsock (a vSockets connection through the emulated host's echo)" \
	" against qp-echo (a queue pair of the size the connection got, between the same" \
	" guest device and the emulated host's, echoed on the same CPU as the emulated host" \
	" echoes, driven by the same send, receive and check loop): what vSockets adds"

/*
 * vsock / qp-echo of one size: of GB/s (the same as of messages/s, the
 * sizes being the same) in stream, of the p50 round trip in pingpong. 0
 * when either figure is missing.
 */
static double
qp_echo_ratio(const struct perf_result *v, const struct perf_result *q)
{
	if (v == NULL || q == NULL || q->skipped != NULL || perf_result_failed(q))
		return 0;
	if (v->has_latency)
		return q->has_latency ? ratio_of(v->lat.p50, q->lat.p50) : 0;
	return ratio_of(perf_result_gbps(v), perf_result_gbps(q));
}

/* vsock's targets: ratios to qp-echo, the raw queue pair through the same echo. */
static unsigned int
vsock_targets(const struct perf_options *opt, const struct perf_result *res,
	      unsigned int nb_res, struct target *t)
{
	bool lat = opt->mode == PERF_MODE_PINGPONG;
	uint32_t size = lat ? 64 : 65536;
	const struct perf_result *v = vmci_row(res, nb_res, size);
	const struct perf_result *q = find_row(res, nb_res, "qp-echo", size);

	if (!baseline_in_run(opt, PERF_BL_QP_ECHO) || v == NULL)
		return 0;
	if (lat)
		t[0] = (struct target){ "64 B p50 RTT / qp-echo p50 RTT", qp_echo_ratio(v, q),
			1.2, 0, "x" };
	else
		t[0] = (struct target){ "64 KiB GB/s / qp-echo GB/s", qp_echo_ratio(v, q), 0.9,
			1, "x" };
	return 1;
}

/* The targets, as ratios measured in this run. */
static unsigned int
collect_targets(const struct perf_options *opt, const struct perf_result *res,
		unsigned int nb_res, const struct perf_limits *lim, struct target *t)
{
	const struct perf_result *v64 = vmci_row(res, nb_res, 64);
	const struct perf_result *v64k = vmci_row(res, nb_res, 65536);
	const struct perf_result *u64 = find_row(res, nb_res, "unix", 64);
	const struct perf_result *b64 = find_row(res, nb_res, "unix-busy", 64);
	unsigned int n = 0;

	if (!targets_apply(res, nb_res))
		return vsock_targets(opt, res, nb_res, t);

	if (opt->mode == PERF_MODE_PINGPONG) {
		if (v64 == NULL)
			return 0;
		if (baseline_in_run(opt, PERF_BL_CACHELINE)) {
			t[n++] = (struct target){ "64 B p50 RTT / cache-line round trip p50",
				ratio_of(v64->lat.p50, lim->cacheline_p50), 1.25, 0, "x" };
			t[n++] = (struct target){ "64 B p99.9 RTT / cache-line round trip p99.9",
				ratio_of(v64->lat.p999, lim->cacheline_p999), 3, 0, "x" };
		}
		if (baseline_in_run(opt, PERF_BL_UNIX))
			t[n++] = (struct target){ "unix (blocking) p50 / vmci p50",
				u64 != NULL ? vmci_advantage(v64, u64) : 0, 100, 1, "x" };
		if (baseline_in_run(opt, PERF_BL_UNIX_BUSY))
			t[n++] = (struct target){ "unix-busy p50 / vmci p50",
				b64 != NULL ? vmci_advantage(v64, b64) : 0, 10, 1, "x" };
		return n;
	}
	if (v64 != NULL) {
		t[n++] = (struct target){ "64 B messages, Mmsg/s", perf_result_mmsgs(v64),
			100, 1, "" };
		if (baseline_in_run(opt, PERF_BL_UNIX))
			t[n++] = (struct target){ "64 B Mmsg/s / unix (blocking)",
				u64 != NULL ? vmci_advantage(v64, u64) : 0, 50, 1, "x" };
	}
	if (baseline_in_run(opt, PERF_BL_BARE_RING)) {
		const struct perf_result *l64 = bare_row(res, nb_res, 64);
		const struct perf_result *l64k = bare_row(res, nb_res, 65536);

		if (v64 != NULL)
			t[n++] = (struct target){ "64 B Mmsg/s / bare-ring records/s",
				l64 != NULL ? vmci_advantage(v64, l64) : 0, 0.8, 1, "x" };
		if (v64k != NULL)
			t[n++] = (struct target){ "64 KiB GB/s / bare-ring GB/s",
				l64k != NULL ? vmci_advantage(v64k, l64k) : 0, 0.9, 1, "x" };
	}
	/*
	 * No target against one core's memcpy: it is not what a transfer
	 * between two cores can reach (the bare ring is); it stays in the
	 * report as context.
	 */
	return n;
}

/*
 * Beside each missed target: whether the machine was busy, with the
 * figures, so that a slow machine is told apart from a slow driver.
 */
static void
summary_targets(FILE *f, const struct perf_options *opt, const struct perf_result *res,
		unsigned int nb_res, const struct perf_limits *lim, const struct perf_load *load)
{
	struct target t[MAX_TARGETS];
	unsigned int i, n = collect_targets(opt, res, nb_res, lim, t);
	char note[512];

	perf_load_note(load, note, sizeof(note));

	fprintf(f, "\nTargets (ratios from this run):\n");
	if (n == 0 && !targets_apply(res, nb_res))
		fprintf(f, "  (none applies: the targets of a raw queue pair are not vsock's; vsock's"
			" are ratios to qp-echo, the raw queue pair through the same echo in this"
			" run: they need the qp-echo baseline and a %s-byte size)\n",
			opt->mode == PERF_MODE_PINGPONG ? "64" : "65536");
	else if (n == 0)
		fprintf(f, "  (none applies: targets need a 64-byte or 65536-byte size, and a"
			" ratio target its baseline)\n");
	for (i = 0; i < n; i++) {
		fprintf(f, "  %-58s %9.2f%s (target %s %.2f%s): %s\n", t[i].what, t[i].got,
			t[i].unit, t[i].higher_better ? ">=" : "<=", t[i].want, t[i].unit,
			target_verdict(&t[i]));
		if (strcmp(target_verdict(&t[i]), "MISSED") == 0)
			fprintf(f, "    %s\n", note);
	}
}

/* Not a target: where the latency stands against what the layout allows. */
static void
summary_layout_floor(FILE *f, const struct perf_result *res, unsigned int nb_res,
		     const struct perf_limits *lim)
{
	const struct perf_result *v64 = vmci_row(res, nb_res, 64);

	if (v64 == NULL || !lim->cacheline_measured)
		return;
	fprintf(f, "  %-58s %9.2fx (information: the same handshake by hand)\n",
		"64 B p50 RTT / line + flag round trip p50",
		ratio_of(v64->lat.p50, lim->twoline_p50));
}

static void
json_targets(FILE *f, const struct perf_options *opt, const struct perf_result *res,
	     unsigned int nb_res, const struct perf_limits *lim, const struct perf_load *load)
{
	struct target t[MAX_TARGETS];
	unsigned int i, n = collect_targets(opt, res, nb_res, lim, t);
	char note[512];

	perf_load_note(load, note, sizeof(note));
	for (i = 0; i < n; i++) {
		fprintf(f, "    {\"target\": ");
		perf_json_str(f, t[i].what);
		fprintf(f, ", \"measured\": %.4f, \"bound\": %.4f, \"higher_is_better\": %s,"
			" \"verdict\": \"%s\"", t[i].got, t[i].want,
			t[i].higher_better ? "true" : "false", target_verdict(&t[i]));
		if (strcmp(target_verdict(&t[i]), "MISSED") == 0) {
			fprintf(f, ", \"machine\": ");
			perf_json_str(f, note);
		}
		fprintf(f, "}%s\n", i + 1 < n ? "," : "");
	}
}

/* Every baseline row with the vmci figure of its size and the ratio. */
static void
summary_ratios(FILE *f, const struct perf_options *opt, const struct perf_result *res,
	       unsigned int nb_res)
{
	const struct perf_result *v;
	unsigned int i;
	double adv;

	if (opt->mode == PERF_MODE_PINGPONG)
		fprintf(f, "%-10s %7s %12s %12s %14s\n", "baseline", "size", "p50_ns",
			"vmci_p50_ns", "vmci_faster_x");
	else
		fprintf(f, "%-10s %7s %12s %12s %14s\n", "baseline", "size", "Mmsg/s",
			"vmci_Mmsg/s", "vmci_faster_x");
	for (i = 0; i < nb_res; i++) {
		if (!res[i].baseline)
			continue;
		v = vmci_row(res, nb_res, res[i].size);
		if (res[i].skipped != NULL || v == NULL) {
			fprintf(f, "%-10s %7" PRIu32 "  %s\n", res[i].transport, res[i].size,
				res[i].skipped != NULL ? res[i].skipped : "no vmci figure");
			continue;
		}
		adv = vmci_advantage(v, &res[i]);
		if (opt->mode == PERF_MODE_PINGPONG)
			fprintf(f, "%-10s %7" PRIu32 " %12.0f %12.0f %14.2f\n", res[i].transport,
				res[i].size, res[i].lat.p50, v->lat.p50, adv);
		else
			fprintf(f, "%-10s %7" PRIu32 " %12.3f %12.3f %14.2f\n", res[i].transport,
				res[i].size, perf_result_mmsgs(&res[i]), perf_result_mmsgs(v), adv);
	}
}

/* The first qp-echo row, which says why when qp-echo did not run; NULL if none. */
static const struct perf_result *
qp_echo_first(const struct perf_options *opt, const struct perf_result *res, unsigned int nb_res)
{
	unsigned int i;

	if (targets_apply(res, nb_res) || !(opt->baselines & (1u << PERF_BL_QP_ECHO)))
		return NULL;
	for (i = 0; i < nb_res; i++) {
		if (res[i].baseline && strcmp(res[i].transport, "qp-echo") == 0)
			return &res[i];
	}
	return NULL;
}

/* vsock against qp-echo, size by size: what vSockets adds. */
static void
summary_qp_echo(FILE *f, const struct perf_options *opt, const struct perf_result *res,
		unsigned int nb_res)
{
	const bool lat = opt->mode == PERF_MODE_PINGPONG;
	const struct perf_result *q = qp_echo_first(opt, res, nb_res);
	const struct perf_result *v;

	if (q == NULL)
		return;
	fprintf(f, "\n%s.\n", QP_ECHO_COMPARES);
	if (q->skipped != NULL) {
		fprintf(f, "  qp-echo %s\n", q->skipped);
		return;
	}
	if (lat)
		fprintf(f, "%7s %14s %16s %15s\n", "size", "vsock_p50_ns", "qp-echo_p50_ns",
			"vsock/qp-echo");
	else
		fprintf(f, "%7s %11s %13s %13s %15s %15s\n", "size", "vsock_GB/s", "qp-echo_GB/s",
			"vsock_Mmsg/s", "qp-echo_Mmsg/s", "vsock/qp-echo");
	for (; q < res + nb_res && strcmp(q->transport, "qp-echo") == 0; q++) {
		v = vmci_row(res, nb_res, q->size);
		if (qp_echo_ratio(v, q) == 0)
			fprintf(f, "%7" PRIu32 "  not measured\n", q->size);
		else if (lat)
			fprintf(f, "%7" PRIu32 " %14.0f %16.0f %14.2fx\n", q->size, v->lat.p50,
				q->lat.p50, qp_echo_ratio(v, q));
		else
			fprintf(f, "%7" PRIu32 " %11.3f %13.3f %13.3f %15.3f %14.2fx\n", q->size,
				perf_result_gbps(v), perf_result_gbps(q), perf_result_mmsgs(v),
				perf_result_mmsgs(q), qp_echo_ratio(v, q));
	}
	fprintf(f, "  ratio = %s\n", lat ? "vsock p50 / qp-echo p50 round trip (lower is better)" :
		"vsock / qp-echo, of GB/s and of messages/s alike (the same sizes; higher is"
		" better)");
}

static void
json_qp_echo(FILE *f, const struct perf_options *opt, const struct perf_result *res,
	     unsigned int nb_res)
{
	const bool lat = opt->mode == PERF_MODE_PINGPONG;
	const struct perf_result *q = qp_echo_first(opt, res, nb_res);
	const struct perf_result *v;
	const char *sep = "";

	if (q == NULL)
		return;
	fprintf(f, "  \"vsock_vs_qp_echo\": {\"compares\": ");
	perf_json_str(f, QP_ECHO_COMPARES);
	fprintf(f, ", \"ratio\": \"%s\", \"rows\": [", lat ? "vsock p50 / qp-echo p50" :
		"vsock GB/s / qp-echo GB/s (= vsock msg/s / qp-echo msg/s)");
	for (; q < res + nb_res && strcmp(q->transport, "qp-echo") == 0; q++) {
		v = vmci_row(res, nb_res, q->size);
		fprintf(f, "%s\n    {\"size\": %" PRIu32, sep, q->size);
		sep = ",";
		if (q->skipped != NULL) {
			fprintf(f, ", \"skipped\": ");
			perf_json_str(f, q->skipped);
		} else if (lat) {
			fprintf(f, ", \"vsock_p50_ns\": ");
			json_num(f, v != NULL, "%.0f", v != NULL ? v->lat.p50 : 0);
			fprintf(f, ", \"qp_echo_p50_ns\": %.0f", q->lat.p50);
		} else {
			fprintf(f, ", \"vsock_gbytes_per_s\": ");
			json_num(f, v != NULL, "%.4f", perf_result_gbps(v != NULL ? v : q));
			fprintf(f, ", \"qp_echo_gbytes_per_s\": %.4f, \"vsock_mmsgs_per_s\": ",
				perf_result_gbps(q));
			json_num(f, v != NULL, "%.4f", perf_result_mmsgs(v != NULL ? v : q));
			fprintf(f, ", \"qp_echo_mmsgs_per_s\": %.4f", perf_result_mmsgs(q));
		}
		if (q->skipped == NULL) {
			fprintf(f, ", \"vsock_over_qp_echo\": ");
			json_num(f, qp_echo_ratio(v, q) > 0, "%.4f", qp_echo_ratio(v, q));
		}
		fprintf(f, "}");
	}
	fprintf(f, "\n  ]},\n");
}

/*
 * Every vmci figure against the bare-ring limit of its size, with the copy
 * routine that won there and what each candidate gave.
 */
static void
summary_bare_ring(FILE *f, const struct perf_options *opt, const struct perf_result *res,
		  unsigned int nb_res)
{
	const bool lat = opt->mode == PERF_MODE_PINGPONG;
	const struct perf_result *l;
	unsigned int i, k;

	for (i = 0; i < nb_res && bare_row(res, nb_res, res[i].size) == NULL; i++)
		;
	if (i == nb_res)
		return;
	fprintf(f, "\nvmci against the bare-ring limit (a plain SPSC byte ring in the same"
		" memory, records of the vmci\nrecord size, as many buffers as the vmci API,"
		" the fastest copy routine per size; %s):\n",
		lat ? "ratio = limit p50 / vmci p50" :
		"ratio = vmci records/s / limit records/s, the same as the GB/s ratio");
	fprintf(f, "%7s %9s %12s %12s %12s %9s  %-10s %s\n", "size", "record_B",
		lat ? "p50_ns" : "vmci_Mmsg/s", lat ? "limit_p50_ns" : "limit_Mrec/s",
		lat ? "-" : "limit_GB/s", "of_limit", "copy", lat ? "trials (p50 ns)" :
		"trials (Mrec/s)");
	for (i = 0; i < nb_res && !res[i].baseline; i++) {
		l = bare_row(res, nb_res, res[i].size);
		if (l == NULL || res[i].skipped != NULL)
			continue;
		if (lat)
			fprintf(f, "%7" PRIu32 " %9" PRIu32 " %12.0f %12.0f %12s %8.2fx  %-10s",
				res[i].size, l->record_size, res[i].lat.p50, l->lat.p50, "-",
				vmci_advantage(&res[i], l), l->copy);
		else
			fprintf(f, "%7" PRIu32 " %9" PRIu32 " %12.3f %12.3f %12.3f %8.2fx  %-10s",
				res[i].size, l->record_size, perf_result_mmsgs(&res[i]),
				perf_result_mmsgs(l), perf_result_gbps(l),
				vmci_advantage(&res[i], l), l->copy);
		for (k = 0; k < l->nb_trials; k++)
			fprintf(f, " %s %.*f", l->trial[k].copy, lat ? 0 : 2, l->trial[k].figure);
		fprintf(f, "\n");
	}
}

static void
summary_limits(FILE *f, const struct perf_limits *lim)
{
	if (lim->measured)
		fprintf(f, "\nMachine limits on the same cores:\n");
	if (lim->memcpy_measured)
		fprintf(f, "  memcpy of a 1 MiB block, one core: %.2f GB/s\n", lim->memcpy_gbps);
	if (lim->cacheline_measured)
		fprintf(f, "  cache-line round trip core to core: min %.0f / p50 %.0f / p99.9 %.0f ns\n",
			lim->cacheline_min, lim->cacheline_p50, lim->cacheline_p999);
	if (lim->cacheline_measured)
		fprintf(f, "  64 B in a line + flag in another, round trip (one writer per line,"
			" as in a VMCI ring):\n    min %.0f / p50 %.0f / p99.9 %.0f ns\n",
			lim->twoline_min, lim->twoline_p50, lim->twoline_p999);
}

void
perf_report_setup(FILE *f, const struct perf_setup *s)
{
	const struct perf_latency *l = &s->lat;

	fprintf(f, "  %s, %" PRIu64 "-byte queues proposed: %" PRIu64 " connections in %.3f s,"
		" %.0f connections/s; setup (connect to established) min %.0f / p50 %.0f /"
		" p90 %.0f / p99 %.0f / max %.0f ns\n", s->peer, s->queue_size, s->count,
		s->seconds, setup_per_s(s), l->min, l->p50, l->p90, l->p99, l->max);
}

static void
summary_setup(FILE *f, const struct perf_setup *setup, unsigned int nb_setup)
{
	unsigned int i;

	if (nb_setup == 0)
		return;
	fprintf(f, "\nConnection setup (one connection after the other: connect, established,"
		" close):\n");
	for (i = 0; i < nb_setup; i++)
		perf_report_setup(f, &setup[i]);
}

void
perf_report_summary(FILE *f, const struct perf_options *opt, const struct perf_result *res,
		    unsigned int nb_res, const struct perf_limits *lim,
		    const struct perf_load *load, const struct perf_setup *setup,
		    unsigned int nb_setup)
{
	unsigned int i;

	for (i = 0; i < nb_res && !res[i].baseline; i++)
		;
	if (i == nb_res) {
		fprintf(f, "\nSummary: vmci (%s, api %s) alone: --baselines ran no other"
			" transport\n", res[0].transport, res[0].api);
	} else {
		fprintf(f, "\nSummary: vmci (%s, api %s) against each baseline, same sizes and"
			" cores\n", res[0].transport, res[0].api);
		summary_ratios(f, opt, res, nb_res);
		summary_qp_echo(f, opt, res, nb_res);
		summary_bare_ring(f, opt, res, nb_res);
	}
	summary_limits(f, lim);
	summary_setup(f, setup, nb_setup);
	summary_targets(f, opt, res, nb_res, lim, load);
	if (opt->mode == PERF_MODE_PINGPONG)
		summary_layout_floor(f, res, nb_res, lim);
	if (!opt->verify)
		fprintf(f, "\nverify: OFF (--no-verify): these figures were not checked\n");
	fflush(f);
}
