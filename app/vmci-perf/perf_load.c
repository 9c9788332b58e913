/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "perf_load.h"

/*
 * /proc/stat: the CPU lines come first; the rest (interrupt counts) can
 * be long and is not needed, so a truncated read is fine.
 */
#define STAT_READ_MAX (64 * 1024)

/* Fields of a "cpuN" line, in order (older kernels stop early: 0). */
enum {
	CPU_USER, CPU_NICE, CPU_SYSTEM, CPU_IDLE, CPU_IOWAIT, CPU_IRQ, CPU_SOFTIRQ,
	CPU_STEAL, CPU_FIELDS,
};

/*
 * The counters of one "cpu..." line after its name. guest and guest_nice
 * are left out: user and nice already count them.
 */
static int
parse_cpu_fields(const char *p, uint64_t *f)
{
	unsigned int i;
	char *end;

	for (i = 0; i < CPU_FIELDS; i++) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\n' || *p == '\0')
			break;
		if (!isdigit((unsigned char)*p))
			return -EINVAL;
		errno = 0;
		f[i] = strtoull(p, &end, 10);
		if (errno != 0)
			return -EINVAL;
		p = end;
	}
	/* user, nice, system and idle are in every kernel's line. */
	if (i <= CPU_IDLE)
		return -EINVAL;
	for (; i < CPU_FIELDS; i++)
		f[i] = 0;
	return 0;
}

static void
add_cpu(struct perf_cpu_sample *s, const uint64_t *f)
{
	uint64_t busy = f[CPU_USER] + f[CPU_NICE] + f[CPU_SYSTEM] + f[CPU_IRQ] +
		f[CPU_SOFTIRQ] + f[CPU_STEAL];

	s->busy += busy;
	s->total += busy + f[CPU_IDLE] + f[CPU_IOWAIT];
	s->steal += f[CPU_STEAL];
}

/* Index in @p cpus of the line named "cpuN"; -1 when not wanted. */
static int
wanted_cpu(const char *name, size_t len, const unsigned int *cpus, unsigned int nb_cpus)
{
	unsigned long n;
	unsigned int i;
	char *end;

	if (len <= 3 || !isdigit((unsigned char)name[3]))
		return -1;
	n = strtoul(name + 3, &end, 10);
	if ((size_t)(end - name) != len)
		return -1;
	for (i = 0; i < nb_cpus; i++) {
		if (cpus[i] == n)
			return (int)i;
	}
	return -1;
}

int
perf_load_parse_stat(const char *text, const unsigned int *cpus, unsigned int nb_cpus,
		     struct perf_cpu_sample *s)
{
	uint64_t f[CPU_FIELDS];
	const char *line, *next;
	uint32_t found = 0;
	int idx, seen = 0;
	size_t len;

	if (nb_cpus > PERF_LOAD_MAX_CPUS)
		return -EINVAL;
	for (line = text; line != NULL && *line != '\0'; line = next) {
		next = strchr(line, '\n');
		if (next != NULL)
			next++;
		if (strncmp(line, "cpu", 3) != 0)
			continue;
		len = strcspn(line, " \t\n");
		if (nb_cpus == 0 && len > 3) {
			/* "cpuN": one more CPU that the "cpu" line sums up. */
			s->nb_cpus++;
			continue;
		}
		idx = nb_cpus == 0 ? 0 : wanted_cpu(line, len, cpus, nb_cpus);
		if (idx < 0 || (found & (1u << idx)))
			continue;
		if (parse_cpu_fields(line + len, f) < 0)
			return -EINVAL;
		add_cpu(s, f);
		found |= 1u << idx;
		seen++;
	}
	if (nb_cpus == 0 ? seen != 1 || s->nb_cpus == 0 : found != (1u << nb_cpus) - 1)
		return -EINVAL;
	if (nb_cpus > 0)
		s->nb_cpus = nb_cpus;
	return 0;
}

/* Fields after the command name's ")": state is the first, utime the 12th. */
#define SELF_UTIME_AFTER_COMM 11

int
perf_load_parse_self_stat(const char *text, uint64_t *ticks)
{
	const char *p = strrchr(text, ')');
	uint64_t sum = 0;
	unsigned int field;
	long long v;
	char *end;

	if (p == NULL)
		return -EINVAL;
	p++;
	for (field = 0; field < SELF_UTIME_AFTER_COMM + 4; field++) {
		while (*p == ' ')
			p++;
		if (*p == '\0' || *p == '\n')
			return -EINVAL;
		if (field < SELF_UTIME_AFTER_COMM) {
			p += strcspn(p, " \n");
			continue;
		}
		/* utime, stime, cutime, cstime: never negative in fact. */
		errno = 0;
		v = strtoll(p, &end, 10);
		if (errno != 0 || end == p || v < 0 || (*end != ' ' && *end != '\n' &&
							 *end != '\0'))
			return -EINVAL;
		sum += (uint64_t)v;
		p = end;
	}
	*ticks = sum;
	return 0;
}

/* The start of @p path into a NUL-terminated buffer; caller frees. */
static char *
read_text(const char *path, size_t max)
{
	char *buf = malloc(max + 1);
	size_t n = 0;
	ssize_t r;
	int fd;

	if (buf == NULL)
		return NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		free(buf);
		return NULL;
	}
	while (n < max && (r = read(fd, buf + n, max - n)) > 0)
		n += (size_t)r;
	close(fd);
	buf[n] = '\0';
	return buf;
}

int
perf_load_sample(struct perf_cpu_sample *s, const unsigned int *cpus, unsigned int nb_cpus)
{
	char *stat = read_text("/proc/stat", STAT_READ_MAX);
	char *self = read_text("/proc/self/stat", 4096);
	int ret = -EIO;

	memset(s, 0, sizeof(*s));
	if (stat != NULL && self != NULL) {
		ret = perf_load_parse_stat(stat, cpus, nb_cpus, s);
		if (ret == 0)
			ret = perf_load_parse_self_stat(self, &s->own);
	}
	free(stat);
	free(self);
	return ret;
}

void
perf_load_judge(const struct perf_cpu_sample *start, const struct perf_cpu_sample *end,
		const unsigned int *cpus, unsigned int nb_cpus, double cacheline_p50,
		struct perf_load *load)
{
	long hz = sysconf(_SC_CLK_TCK);
	double wall, busy, own;

	memset(load, 0, sizeof(*load));
	load->nb_cpus = nb_cpus < PERF_LOAD_MAX_CPUS ? nb_cpus : PERF_LOAD_MAX_CPUS;
	if (load->nb_cpus > 0)
		memcpy(load->cpus, cpus, load->nb_cpus * sizeof(*cpus));
	/* Counters only grow; anything else is no measurement. */
	if (start != NULL && end != NULL && end->total > start->total &&
	    end->busy >= start->busy && end->own >= start->own && end->steal >= start->steal &&
	    end->nb_cpus > 0 && end->nb_cpus == start->nb_cpus) {
		load->cpu_count = end->nb_cpus;
		wall = (double)(end->total - start->total) / load->cpu_count;
		busy = (double)(end->busy - start->busy);
		own = (double)(end->own - start->own);
		load->other_cpu = busy > own ? (busy - own) / wall : 0;
		load->steal_cpu = (double)(end->steal - start->steal) / wall;
		load->own_cpu = own / wall;
		load->seconds = hz > 0 ? wall / (double)hz : 0;
		load->cpu_measured = 1;
	}
	if (cacheline_p50 > 0) {
		load->cacheline_measured = 1;
		load->cacheline_p50 = cacheline_p50;
	}
	load->busy = (load->cpu_measured && load->other_cpu > PERF_LOAD_OTHER_CPU_LIMIT) ||
		(load->cacheline_measured && load->cacheline_p50 >
		 PERF_LOAD_QUIET_CACHELINE_P50_NS * PERF_LOAD_CACHELINE_FACTOR_LIMIT);
}

int
perf_load_note(const struct perf_load *load, char *buf, size_t len)
{
	char cpu[192], steal[48] = "", line[160];

	if (!load->cpu_measured && !load->cacheline_measured)
		return snprintf(buf, len, "machine load not measured: no two usable samples of"
				" /proc/stat, and the cacheline baseline did not run");
	if (load->steal_cpu >= 0.005)
		snprintf(steal, sizeof(steal), ", %.2f of it hypervisor steal", load->steal_cpu);
	if (load->cpu_measured)
		snprintf(cpu, sizeof(cpu), "other processes took %.2f CPU of the %u this run"
			 " used over %.1f s%s (busy above %.2f)", load->other_cpu,
			 load->cpu_count, load->seconds, steal, PERF_LOAD_OTHER_CPU_LIMIT);
	else
		snprintf(cpu, sizeof(cpu), "other processes' CPU time not measured (no two"
			 " usable samples of /proc/stat)");
	if (load->cacheline_measured)
		snprintf(line, sizeof(line), "cache-line round trip p50 %.0f ns, %.2fx a quiet"
			 " machine's %.0f ns (busy above %.0fx)", load->cacheline_p50,
			 load->cacheline_p50 / PERF_LOAD_QUIET_CACHELINE_P50_NS,
			 PERF_LOAD_QUIET_CACHELINE_P50_NS, PERF_LOAD_CACHELINE_FACTOR_LIMIT);
	else
		snprintf(line, sizeof(line), "cache-line round trip not measured (the cacheline"
			 " baseline did not run)");
	return snprintf(buf, len, "machine %s: %s; %s", load->busy ? "busy" : "not busy", cpu,
			line);
}
