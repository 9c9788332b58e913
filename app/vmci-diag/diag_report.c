/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

/*
 * The report: text for the terminal and JSON for a bug report, with the
 * system it ran on (schema in doc/vmci-diag.md).
 */

#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>

#include <rte_bus_vmci.h>
#include <rte_common.h>
#include <rte_version.h>
#ifdef RTE_ARCH_X86
#include <cpuid.h>
#endif

#include "diag.h"

#ifndef VMCI_DIAG_VERSION
#define VMCI_DIAG_VERSION "unknown"
#endif

/* Version of this report's JSON layout; doc/vmci-diag.md describes it. */
#define DIAG_JSON_SCHEMA "vmci-diag/1"

static const char *const diag_status_names[] = {
	[DIAG_PASS] = "PASS",
	[DIAG_FAIL] = "FAIL",
	[DIAG_SKIP] = "SKIP",
};

struct diag_system {
	char kernel[400];
	char cpu[128];
	char hv_signature[13]; /* CPUID leaf 0x40000000: EBX, ECX, EDX */
	uint32_t hv_max_leaf;
	char driver_lib[256];
};

static void
diag_cpu_model(char *buf, size_t len)
{
	char line[256];
	FILE *f = fopen("/proc/cpuinfo", "r");

	snprintf(buf, len, "unknown");
	while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
		char *colon = strchr(line, ':');

		if (strncmp(line, "model name", 10) != 0 || colon == NULL)
			continue;
		line[strcspn(line, "\n")] = '\0';
		snprintf(buf, len, "%s", colon + 2 <= line + strlen(line) ? colon + 2 : "");
		break;
	}
	if (f != NULL)
		fclose(f);
}

/*
 * The hypervisor's CPUID leaf: "VMwareVMware" on VMware. Only when CPUID.1
 * ECX bit 31 says a hypervisor is present; __get_cpuid() refuses leaves
 * above the basic range, so the leaf is read with __cpuid().
 */
static void
diag_hypervisor(struct diag_system *sys)
{
	sys->hv_signature[0] = '\0';
	sys->hv_max_leaf = 0;
#ifdef RTE_ARCH_X86
	unsigned int a, b, c, d;

	if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & (1u << 31)))
		return;
	__cpuid(0x40000000, a, b, c, d);
	sys->hv_max_leaf = a;
	memcpy(sys->hv_signature, &b, 4);
	memcpy(sys->hv_signature + 4, &c, 4);
	memcpy(sys->hv_signature + 8, &d, 4);
	sys->hv_signature[12] = '\0';
#endif
}

static void
diag_system(struct diag_system *sys)
{
	struct utsname u;
	Dl_info dl;

	if (uname(&u) == 0)
		snprintf(sys->kernel, sizeof(sys->kernel), "%s %s %s %s", u.sysname, u.release,
			 u.version, u.machine);
	else
		snprintf(sys->kernel, sizeof(sys->kernel), "unknown");
	diag_cpu_model(sys->cpu, sizeof(sys->cpu));
	diag_hypervisor(sys);
	/* Which bus library answered: the installed one, or a build tree's. */
	if (dladdr((void *)(uintptr_t)rte_vmci_dev_count, &dl) != 0 && dl.dli_fname != NULL)
		snprintf(sys->driver_lib, sizeof(sys->driver_lib), "%s", dl.dli_fname);
	else
		snprintf(sys->driver_lib, sizeof(sys->driver_lib), "unknown");
}

/* Text. */

void
diag_report_text(struct diag_ctx *ctx, FILE *f)
{
	struct diag_system sys;
	unsigned int i, j;

	diag_system(&sys);
	fprintf(f, "vmci-diag %s, %s, kernel %s\n", VMCI_DIAG_VERSION, rte_version(),
		sys.kernel);
	fprintf(f, "cpu %s, hypervisor \"%s\"\n", sys.cpu, sys.hv_signature);
	for (i = 0; i < DIAG_NB_STEPS; i++) {
		const struct diag_step *s = &ctx->steps[i];

		fprintf(f, "\n[%u] %-12s %s: %s\n", i + 1, s->name,
			diag_status_names[s->status], s->reason);
		for (j = 0; j < s->nb_values; j++) {
			if (s->values[j].str != NULL)
				fprintf(f, "    %-34s %s\n", s->values[j].key, s->values[j].str);
			else
				fprintf(f, "    %-34s %.10g\n", s->values[j].key, s->values[j].num);
		}
		for (j = 0; j < s->nb_fixes; j++)
			fprintf(f, "    fix: %s\n", s->fixes[j]);
		/* The bring-up trace is the point of step 2: show it. */
		if (i == DIAG_STEP_BRINGUP || s->status == DIAG_FAIL)
			for (j = 0; j < s->nb_log; j++)
				fprintf(f, "    | %s\n", s->log[j]);
	}
	fprintf(f, "\nvmci-diag: %s\n", diag_report_failed(ctx) ? "FAIL" : "PASS");
}

/* JSON. */

static void
diag_json_str(FILE *f, const char *s)
{
	const unsigned char *p;

	fputc('"', f);
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

static void
diag_json_strv(FILE *f, const char *name, char *const *v, unsigned int n)
{
	unsigned int i;

	fprintf(f, ",\n      \"%s\": [", name);
	for (i = 0; i < n; i++) {
		fprintf(f, "%s\n        ", i > 0 ? "," : "");
		diag_json_str(f, v[i]);
	}
	fprintf(f, "%s]", n > 0 ? "\n      " : "");
}

static void
diag_json_step(FILE *f, const struct diag_step *s, unsigned int id)
{
	unsigned int j;

	fprintf(f, "    {\n      \"id\": %u,\n      \"name\": ", id + 1);
	diag_json_str(f, s->name);
	fprintf(f, ",\n      \"status\": \"%s\",\n      \"reason\": ",
		diag_status_names[s->status]);
	diag_json_str(f, s->reason);
	fprintf(f, ",\n      \"duration_ms\": %.3f,\n      \"values\": {", s->duration_ms);
	for (j = 0; j < s->nb_values; j++) {
		fprintf(f, "%s\n        ", j > 0 ? "," : "");
		diag_json_str(f, s->values[j].key);
		fputs(": ", f);
		if (s->values[j].str != NULL)
			diag_json_str(f, s->values[j].str);
		else
			fprintf(f, "%.17g", s->values[j].num);
	}
	fprintf(f, "%s}", s->nb_values > 0 ? "\n      " : "");
	diag_json_strv(f, "fixes", s->fixes, s->nb_fixes);
	diag_json_strv(f, "log", s->log, s->nb_log);
	fputs("\n    }", f);
}

bool
diag_report_failed(const struct diag_ctx *ctx)
{
	unsigned int i;

	for (i = 0; i < DIAG_NB_STEPS; i++)
		if (ctx->steps[i].status == DIAG_FAIL)
			return true;
	return false;
}

int
diag_report_json(struct diag_ctx *ctx, const char *path)
{
	struct diag_system sys;
	unsigned int i;
	time_t now = time(NULL);
	char when[32];
	FILE *f;

	f = fopen(path, "w");
	if (f == NULL)
		return -errno;
	diag_system(&sys);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	fprintf(f, "{\n  \"schema\": \"%s\",\n  \"time\": \"%s\",\n", DIAG_JSON_SCHEMA, when);
	fprintf(f, "  \"result\": \"%s\",\n", diag_report_failed(ctx) ? "FAIL" : "PASS");
	fprintf(f, "  \"tool\": {\"name\": \"vmci-diag\", \"version\": \"%s\"},\n",
		VMCI_DIAG_VERSION);
	fprintf(f, "  \"driver\": {\"version\": \"%s\", \"library\": ", VMCI_DIAG_VERSION);
	diag_json_str(f, sys.driver_lib);
	fputs(", \"dpdk\": ", f);
	diag_json_str(f, rte_version());
	fputs("},\n  \"system\": {\n    \"kernel\": ", f);
	diag_json_str(f, sys.kernel);
	fputs(",\n    \"cpu\": ", f);
	diag_json_str(f, sys.cpu);
	fputs(",\n    \"hypervisor_signature\": ", f);
	diag_json_str(f, sys.hv_signature);
	fprintf(f, ",\n    \"hypervisor_max_leaf\": %u\n  },\n  \"steps\": [\n",
		sys.hv_max_leaf);
	for (i = 0; i < DIAG_NB_STEPS; i++) {
		diag_json_step(f, &ctx->steps[i], i);
		fputs(i + 1 < DIAG_NB_STEPS ? ",\n" : "\n", f);
	}
	fputs("  ]\n}\n", f);
	if (fclose(f) != 0)
		return -errno;
	return 0;
}
