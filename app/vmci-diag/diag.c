/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

/*
 * Options, the step runner, the per-step time limit, the values a step
 * records and the capture of the driver's log.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_log.h>

#include "diag.h"

#define DIAG_TIMEOUT_MS_DEFAULT 5000u
/* What the watchdog adds to a step's own limit before it ends the process. */
#define DIAG_WATCHDOG_GRACE_S 5u

/*
 * Log types raised to DEBUG for the whole run: bring-up and control
 * (bus.vmci), registers (bus.vmci.reg), datagrams, queue pairs and the
 * PCI backend. Passed to EAL as options so that the types registered when
 * the bus library is loaded (-d) get them too.
 */
static const char *const diag_log_opts[] = {
	"--log-level=bus.vmci:debug",
	"--log-level=bus.vmci.reg:debug",
	"--log-level=bus.vmci.dgram:debug",
	"--log-level=bus.vmci.qp:debug",
	"--log-level=bus.vmci.pci:debug",
};

static const char *const diag_step_names[DIAG_NB_STEPS] = {
	[DIAG_STEP_ENV] = "environment",
	[DIAG_STEP_BRINGUP] = "bring-up",
	[DIAG_STEP_DGRAM] = "datagrams",
	[DIAG_STEP_QPAIR] = "queue pairs",
	[DIAG_STEP_VSOCK] = "vsockets",
	[DIAG_STEP_REPORT] = "report",
};

/* Values. */

static char *
diag_vasprintf(const char *fmt, va_list ap)
{
	char *s = NULL;

	if (vasprintf(&s, fmt, ap) < 0)
		return NULL;
	return s;
}

static struct diag_value *
diag_value_add(struct diag_step *s, const char *key)
{
	struct diag_value *v;

	v = realloc(s->values, (s->nb_values + 1) * sizeof(*v));
	if (v == NULL)
		return NULL;
	s->values = v;
	v = &s->values[s->nb_values++];
	memset(v, 0, sizeof(*v));
	v->key = strdup(key);
	return v;
}

void
diag_value_str(struct diag_step *s, const char *key, const char *fmt, ...)
{
	struct diag_value *v = diag_value_add(s, key);
	va_list ap;

	if (v == NULL)
		return;
	va_start(ap, fmt);
	v->str = diag_vasprintf(fmt, ap);
	va_end(ap);
	if (v->str == NULL)
		v->str = strdup("");
}

void
diag_value_num(struct diag_step *s, const char *key, double num)
{
	struct diag_value *v = diag_value_add(s, key);

	if (v != NULL)
		v->num = num;
}

static void
diag_strv_add(char ***v, unsigned int *n, char *str)
{
	char **nv;

	if (str == NULL)
		return;
	nv = realloc(*v, (*n + 1) * sizeof(*nv));
	if (nv == NULL) {
		free(str);
		return;
	}
	nv[(*n)++] = str;
	*v = nv;
}

void
diag_fix(struct diag_step *s, const char *fmt, ...)
{
	unsigned int i;
	va_list ap;
	char *str;

	va_start(ap, fmt);
	str = diag_vasprintf(fmt, ap);
	va_end(ap);
	if (str == NULL)
		return;
	/* One line per fix, however many problems it fixes. */
	for (i = 0; i < s->nb_fixes; i++) {
		if (strcmp(s->fixes[i], str) == 0) {
			free(str);
			return;
		}
	}
	diag_strv_add(&s->fixes, &s->nb_fixes, str);
}

static void
diag_vset(struct diag_step *s, enum diag_status st, const char *fmt, va_list ap)
{
	s->status = st;
	vsnprintf(s->reason, sizeof(s->reason), fmt, ap);
}

void
diag_set(struct diag_step *s, enum diag_status st, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vset(s, st, fmt, ap);
	va_end(ap);
}

void
diag_fail(struct diag_step *s, const char *fmt, ...)
{
	va_list ap;

	if (s->status == DIAG_FAIL)
		return;
	va_start(ap, fmt);
	diag_vset(s, DIAG_FAIL, fmt, ap);
	va_end(ap);
}

/*
 * Log capture: every line the driver and EAL log, kept until a step takes
 * it. Other threads log too (EAL's, an emulated host's service), so the
 * capture takes a lock; nothing under it logs.
 */
static pthread_mutex_t diag_log_lock = PTHREAD_MUTEX_INITIALIZER;

static char **diag_log_lines;
static unsigned int diag_log_nb;
static unsigned int diag_log_last_err; /* 1 + index of the last ERR line, 0: none */
static uint32_t diag_log_level;       /* of the line being captured */
static char diag_log_partial[1024];
static size_t diag_log_plen;
static bool diag_log_echo;

static void
diag_log_line_end(void)
{
	diag_log_partial[diag_log_plen] = '\0';
	diag_strv_add(&diag_log_lines, &diag_log_nb, strdup(diag_log_partial));
	if (diag_log_level <= RTE_LOG_ERR)
		diag_log_last_err = diag_log_nb;
	diag_log_plen = 0;
}

static ssize_t
diag_log_write(void *cookie, const char *buf, size_t len)
{
	size_t i;

	RTE_SET_USED(cookie);
	if (diag_log_echo)
		fwrite(buf, 1, len, stderr);
	pthread_mutex_lock(&diag_log_lock);
	for (i = 0; i < len; i++) {
		/* rte_log() flushes each message: its level is the current one. */
		if (diag_log_plen == 0)
			diag_log_level = (uint32_t)rte_log_cur_msg_loglevel();
		if (buf[i] == '\n') {
			diag_log_line_end();
			continue;
		}
		/* An overlong line is cut, not lost. */
		if (diag_log_plen < sizeof(diag_log_partial) - 1)
			diag_log_partial[diag_log_plen++] = buf[i];
	}
	pthread_mutex_unlock(&diag_log_lock);
	return len;
}

FILE *
diag_log_open(bool echo)
{
	static const cookie_io_functions_t fns = { .write = diag_log_write };
	FILE *f;

	diag_log_echo = echo;
	f = fopencookie(NULL, "w", fns);
	if (f != NULL)
		setvbuf(f, NULL, _IOLBF, 0);
	return f;
}

void
diag_log_take(struct diag_step *s)
{
	unsigned int i;

	fflush(rte_log_get_stream());
	pthread_mutex_lock(&diag_log_lock);
	if (s != NULL && diag_log_last_err != 0)
		s->last_error = s->nb_log + diag_log_last_err;
	for (i = 0; i < diag_log_nb; i++) {
		if (s != NULL)
			diag_strv_add(&s->log, &s->nb_log, diag_log_lines[i]);
		else
			free(diag_log_lines[i]);
	}
	free(diag_log_lines);
	diag_log_lines = NULL;
	diag_log_nb = 0;
	diag_log_last_err = 0;
	pthread_mutex_unlock(&diag_log_lock);
}

const char *
diag_log_last_error(const struct diag_step *s)
{
	return s->last_error != 0 ? s->log[s->last_error - 1] : "";
}

/* Time. */

double
diag_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

bool
diag_expired(const struct diag_ctx *ctx)
{
	return rte_get_timer_cycles() > ctx->deadline;
}

/*
 * The last line of defence against a step stuck inside a call that does
 * not return: each step has its own limit, which its loops check; if a
 * step overruns it by the grace, the process ends with status 1 and says
 * which step it was.
 */
static volatile sig_atomic_t diag_running_step = -1;

static void
diag_watchdog(int sig)
{
	static const char msg[] = "vmci-diag: a step did not end within its time limit "
				  "(step number follows); ending with status 1\n";
	char num[4] = { '0' + (char)(diag_running_step + 1), '\n', '\0' };

	RTE_SET_USED(sig);
	if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0 ||
	    write(STDERR_FILENO, num, 2) < 0)
		_exit(1);
	_exit(1);
}

typedef void (*diag_step_fn)(struct diag_ctx *ctx);

static void
diag_run_step(struct diag_ctx *ctx, enum diag_step_id id, diag_step_fn fn)
{
	struct diag_step *s = &ctx->steps[id];
	double t0 = diag_now_us();

	s->ran = true;
	diag_running_step = id;
	ctx->deadline = rte_get_timer_cycles() +
		rte_get_timer_hz() * ctx->opts.timeout_ms / 1000;
	alarm(ctx->opts.timeout_ms / 1000 + DIAG_WATCHDOG_GRACE_S);
	fn(ctx);
	alarm(0);
	diag_running_step = -1;
	s->duration_ms = (diag_now_us() - t0) / 1e3;
	diag_log_take(s);
}

/* Options. */

static void
diag_usage(const char *prog)
{
	printf("Usage: %s [EAL options] -- [options]\n"
	       "Checks step by step whether the VMCI device works; read-only.\n"
	       "  --json FILE         write the report as JSON (doc/vmci-diag.md)\n"
	       "  --device NAME       vmci device to check (default: the first guest device)\n"
	       "  --step-timeout MS   time limit of each step (default %u)\n"
	       "  --vsock-port N      step 5: connect to host port N (needs vSockets support)\n"
	       "  -v, --verbose       also print the driver's log as it comes\n"
	       "  -h, --help          this text\n",
	       prog, DIAG_TIMEOUT_MS_DEFAULT);
}

static int
diag_parse_uint(const char *arg, unsigned long max, unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(arg, &end, 0);
	if (errno != 0 || end == arg || *end != '\0' || *out > max || arg[0] == '-')
		return -EINVAL;
	return 0;
}

static int
diag_parse_opts(struct diag_opts *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", required_argument, NULL, 'j' },
		{ "device", required_argument, NULL, 'd' },
		{ "step-timeout", required_argument, NULL, 't' },
		{ "vsock-port", required_argument, NULL, 'p' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long val;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			o->json_path = optarg;
			break;
		case 'd':
			o->device = optarg;
			break;
		case 't':
			if (diag_parse_uint(optarg, 600000, &val) < 0 || val < 100) {
				fprintf(stderr, "--step-timeout %s: expected 100..600000 ms\n",
					optarg);
				return -EINVAL;
			}
			o->timeout_ms = val;
			break;
		case 'p':
			if (diag_parse_uint(optarg, UINT32_MAX - 1, &val) < 0) {
				fprintf(stderr, "--vsock-port %s: expected 0..%u\n", optarg,
					UINT32_MAX - 1);
				return -EINVAL;
			}
			o->vsock_port = (int)val;
			break;
		case 'v':
			o->verbose = true;
			break;
		case 'h':
			diag_usage(argv[0]);
			return 1;
		default:
			diag_usage(argv[0]);
			return -EINVAL;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "unexpected argument \"%s\"\n", argv[optind]);
		return -EINVAL;
	}
	return 0;
}

/*
 * Split argv at "--": EAL options before (plus the log levels the trace
 * needs), the tool's after. Returns the EAL argc, or -1.
 */
static int
diag_split_args(int argc, char **argv, char ***eal_argv, char ***app_argv, int *app_argc)
{
	unsigned int nlog = RTE_DIM(diag_log_opts);
	int i, split = argc, n = 0;
	char **e, **a;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			split = i;
			break;
		}
	}
	e = calloc(split + nlog + 1, sizeof(*e));
	a = calloc(argc - split + 2, sizeof(*a));
	if (e == NULL || a == NULL) {
		free(e);
		free(a);
		return -1;
	}
	e[n++] = argv[0];
	for (i = 0; i < (int)nlog; i++)
		e[n++] = (char *)(uintptr_t)diag_log_opts[i];
	for (i = 1; i < split; i++)
		e[n++] = argv[i];
	a[0] = argv[0];
	*app_argc = 1;
	for (i = split + 1; i < argc; i++)
		a[(*app_argc)++] = argv[i];
	*eal_argv = e;
	*app_argv = a;
	return n;
}

static void
diag_free_step(struct diag_step *s)
{
	unsigned int i;

	for (i = 0; i < s->nb_values; i++) {
		free(s->values[i].key);
		free(s->values[i].str);
	}
	for (i = 0; i < s->nb_fixes; i++)
		free(s->fixes[i]);
	for (i = 0; i < s->nb_log; i++)
		free(s->log[i]);
	free(s->values);
	free(s->fixes);
	free(s->log);
}

static void
diag_step_report(struct diag_ctx *ctx)
{
	struct diag_step *s = &ctx->steps[DIAG_STEP_REPORT];

	diag_set(s, DIAG_PASS, "report written");
	if (ctx->opts.json_path == NULL) {
		diag_value_str(s, "json", "not asked (--json FILE)");
		return;
	}
	diag_value_str(s, "json", "%s", ctx->opts.json_path);
}

static void
diag_run_steps(struct diag_ctx *ctx)
{
	diag_run_step(ctx, DIAG_STEP_BRINGUP, diag_step_bringup);
	/*
	 * The trace is read; from here on the registers are not traced:
	 * every poll reads ICR, and the datagram and queue-pair lines say
	 * what the later steps need.
	 */
	rte_log_set_level_pattern("bus.vmci.reg", RTE_LOG_NOTICE);
	diag_run_step(ctx, DIAG_STEP_DGRAM, diag_step_dgram);
	diag_run_step(ctx, DIAG_STEP_QPAIR, diag_step_qpair);
	diag_run_step(ctx, DIAG_STEP_VSOCK, diag_step_vsock);
}

static int
diag_finish(struct diag_ctx *ctx)
{
	int ret;

	diag_run_step(ctx, DIAG_STEP_REPORT, diag_step_report);
	if (ctx->opts.json_path != NULL) {
		ret = diag_report_json(ctx, ctx->opts.json_path);
		if (ret < 0)
			diag_set(&ctx->steps[DIAG_STEP_REPORT], DIAG_FAIL,
				 "cannot write %s: %s", ctx->opts.json_path, strerror(-ret));
	}
	diag_report_text(ctx, stdout);
	fflush(stdout);
	return diag_report_failed(ctx) ? 1 : 0;
}

int
diag_main_hooked(int argc, char **argv, diag_hook_t after_eal, void *arg)
{
	struct diag_ctx *ctx;
	char **eal_argv, **app_argv;
	int eal_argc, app_argc, ret;
	unsigned int i;
	FILE *logf;

	ctx = calloc(1, sizeof(*ctx));
	if (ctx == NULL)
		return 1;
	ctx->opts.timeout_ms = DIAG_TIMEOUT_MS_DEFAULT;
	ctx->opts.vsock_port = -1;
	for (i = 0; i < DIAG_NB_STEPS; i++) {
		ctx->steps[i].name = diag_step_names[i];
		diag_set(&ctx->steps[i], DIAG_SKIP, "not run");
	}
	eal_argc = diag_split_args(argc, argv, &eal_argv, &app_argv, &app_argc);
	if (eal_argc < 0) {
		free(ctx);
		return 1;
	}
	ret = diag_parse_opts(&ctx->opts, app_argc, app_argv);
	if (ret != 0) {
		ret = ret > 0 ? 0 : 2; /* --help, or bad usage */
		goto out;
	}
	signal(SIGALRM, diag_watchdog);
	logf = diag_log_open(ctx->opts.verbose);
	if (logf != NULL)
		rte_openlog_stream(logf);

	diag_run_step(ctx, DIAG_STEP_ENV, diag_env_scan);
	/* EAL init is the device's bring-up: its lines belong to step 2. */
	diag_running_step = DIAG_STEP_BRINGUP;
	alarm(ctx->opts.timeout_ms / 1000 + DIAG_WATCHDOG_GRACE_S);
	ret = rte_eal_init(eal_argc, eal_argv);
	alarm(0);
	diag_running_step = -1;
	if (ret < 0) {
		diag_set(&ctx->steps[DIAG_STEP_BRINGUP], DIAG_FAIL,
			 "EAL init failed: %s (see the log lines)", rte_strerror(rte_errno));
		ctx->steps[DIAG_STEP_BRINGUP].ran = true;
		diag_log_take(&ctx->steps[DIAG_STEP_BRINGUP]);
		diag_set(&ctx->steps[DIAG_STEP_DGRAM], DIAG_SKIP, "EAL init failed (step 2)");
		diag_set(&ctx->steps[DIAG_STEP_QPAIR], DIAG_SKIP, "EAL init failed (step 2)");
		diag_step_vsock(ctx);
	} else {
		ctx->eal_up = true;
		diag_env_after_eal(ctx);
		if (after_eal != NULL)
			after_eal(arg);
		diag_run_steps(ctx);
	}
	ret = diag_finish(ctx);
	if (ctx->eal_up)
		rte_eal_cleanup();
out:
	for (i = 0; i < DIAG_NB_STEPS; i++)
		diag_free_step(&ctx->steps[i]);
	free(ctx);
	free(eal_argv);
	free(app_argv);
	return ret;
}

int
diag_main(int argc, char **argv)
{
	return diag_main_hooked(argc, argv, NULL, NULL);
}
