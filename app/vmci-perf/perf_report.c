/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

#include <rte_cycles.h>
#include <rte_lcore.h>
#include <rte_version.h>

#include "perf_report.h"

#ifndef VMCI_PERF_VERSION
#define VMCI_PERF_VERSION "unknown"
#endif

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
}

int
perf_result_failed(const struct perf_result *res)
{
	return res->tx_error != 0 || res->rx_error != 0;
}

/* Payload bytes per second, in 10^9. */
static double
result_gbps(const struct perf_result *res)
{
	return res->seconds > 0 ? (double)res->messages * res->size / res->seconds / 1e9 : 0;
}

static double
result_mmsgs(const struct perf_result *res)
{
	return res->seconds > 0 ? (double)res->messages / res->seconds / 1e6 : 0;
}

void
perf_report_header(FILE *f, const struct perf_options *opt, const struct perf_env *env)
{
	fprintf(f, "vmci-perf %s: mode %s, transport %s, api %s, queue %" PRIu64
		" B, burst %u, %.2f s per size\n",
		VMCI_PERF_VERSION, perf_mode_name(opt->mode), env->transport,
		perf_api_name(opt->api), opt->queue_size, opt->burst, opt->duration);
	fprintf(f, "producer: lcore %u (cpu %u, socket %d) -> consumer: lcore %u (cpu %u, socket %d)\n",
		env->producer.lcore, env->producer.cpu, env->producer.socket,
		env->consumer.lcore, env->consumer.cpu, env->consumer.socket);
	fprintf(f, "machine: %s, %s, TSC %" PRIu64 " Hz\n",
		env->cpu_model, env->dpdk_version, env->tsc_hz);
	if (opt->verify)
		fprintf(f, "verify: on (sequence number and length of every message)\n");
	else
		fprintf(f, "verify: OFF (--no-verify): messages are not checked\n");
	fprintf(f, "\n%8s %10s %10s %15s %11s\n", "size", "GB/s", "Mmsg/s", "messages", "verify_err");
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
	fprintf(f, "%8" PRIu32 " %10.3f %10.3f %15" PRIu64 " %11s\n",
		res->size, result_gbps(res), result_mmsgs(res), res->messages, errs);
	report_error(f, "producer", res->tx_error);
	report_error(f, "consumer", res->rx_error);
	if (res->messages != res->sent && res->rx_error != -ETIMEDOUT)
		fprintf(f, "  consumer received %" PRIu64 " messages, producer sent %" PRIu64 "\n",
			res->messages, res->sent);
	fflush(f);
}

/* A JSON string: quotes, backslashes and control characters escaped. */
static void
json_str(FILE *f, const char *s)
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
		json_str(f, strerror(-err));
}

static void
json_machine(FILE *f, const struct perf_env *env)
{
	struct utsname uts;

	fprintf(f, "  \"machine\": {\n    \"cpu_model\": ");
	json_str(f, env->cpu_model);
	fprintf(f, ",\n    \"dpdk_version\": ");
	json_str(f, env->dpdk_version);
	if (uname(&uts) == 0) {
		fprintf(f, ",\n    \"kernel\": ");
		json_str(f, uts.release);
	}
	fprintf(f, ",\n    \"tsc_hz\": %" PRIu64 ",\n", env->tsc_hz);
	json_core(f, "producer", &env->producer);
	fprintf(f, ",\n");
	json_core(f, "consumer", &env->consumer);
	fprintf(f, "\n  },\n");
}

static void
json_result(FILE *f, const struct perf_options *opt, const struct perf_result *res)
{
	fprintf(f, "    {\"size\": %" PRIu32 ", \"gbytes_per_s\": %.4f, \"mmsgs_per_s\": %.4f,"
		" \"messages\": %" PRIu64 ", \"sent\": %" PRIu64 ", \"verify_errors\": ",
		res->size, result_gbps(res), result_mmsgs(res), res->messages, res->sent);
	if (opt->verify)
		fprintf(f, "%" PRIu64, res->verify_errors);
	else
		fprintf(f, "null");
	fprintf(f, ", \"seconds\": %.6f, \"tx_full\": %" PRIu64 ", \"rx_empty\": %" PRIu64
		", \"tx_error\": ", res->seconds, res->tx_full, res->rx_empty);
	json_error(f, res->tx_error);
	fprintf(f, ", \"rx_error\": ");
	json_error(f, res->rx_error);
	fprintf(f, "}");
}

int
perf_report_json(FILE *f, const struct perf_options *opt, const struct perf_env *env,
		 const struct perf_result *res, unsigned int nb_res)
{
	unsigned int i;

	fprintf(f, "{\n  \"tool\": \"vmci-perf\",\n  \"version\": ");
	json_str(f, VMCI_PERF_VERSION);
	fprintf(f, ",\n  \"mode\": \"%s\",\n  \"transport\": ", perf_mode_name(opt->mode));
	json_str(f, env->transport);
	fprintf(f, ",\n  \"api\": \"%s\",\n  \"queue_size\": %" PRIu64
		",\n  \"burst\": %u,\n  \"duration_s\": %.3f,\n  \"verify\": %s,\n",
		perf_api_name(opt->api), opt->queue_size, opt->burst, opt->duration,
		opt->verify ? "true" : "false");
	fprintf(f, "  \"units\": {\"gbytes_per_s\": \"10^9 payload bytes per second\","
		" \"mmsgs_per_s\": \"10^6 messages per second\"},\n");
	json_machine(f, env);
	fprintf(f, "  \"results\": [\n");
	for (i = 0; i < nb_res; i++) {
		json_result(f, opt, &res[i]);
		fprintf(f, "%s\n", i + 1 < nb_res ? "," : "");
	}
	fprintf(f, "  ]\n}\n");
	fflush(f);
	return ferror(f) ? -EIO : 0;
}
