/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

#ifndef _DIAG_H_
#define _DIAG_H_

/*
 * vmci-diag: checks, step by step, whether a VMCI device works, and writes
 * a report to attach to a bug report (doc/vmci-diag.md).
 *
 * The tool is a library (diag_main()) and a thin main(), so that a test
 * program can run it with a hook between EAL init and the steps; the
 * product binary passes no hook.
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct rte_vmci_device;

enum diag_status {
	DIAG_PASS,
	DIAG_FAIL,
	DIAG_SKIP,
};

enum diag_step_id {
	DIAG_STEP_ENV,
	DIAG_STEP_BRINGUP,
	DIAG_STEP_DGRAM,
	DIAG_STEP_QPAIR,
	DIAG_STEP_VSOCK,
	DIAG_STEP_REPORT,
	DIAG_NB_STEPS,
};

/* One value seen by a step, in the order found. */
struct diag_value {
	char *key;
	char *str;     /* string value, or NULL for a number */
	double num;
};

struct diag_step {
	const char *name;
	enum diag_status status;
	bool ran;
	char reason[512];
	double duration_ms;
	struct diag_value *values;
	unsigned int nb_values;
	char **fixes;          /* exact commands that fix a problem found */
	unsigned int nb_fixes;
	char **log;            /* driver log lines captured during the step */
	unsigned int nb_log;
	unsigned int last_error; /* 1 + index in log of the last ERR line, 0: none */
};

struct diag_opts {
	const char *json_path;
	const char *device;      /* vmci bus name of the guest device, or NULL */
	unsigned int timeout_ms; /* per step */
	int vsock_port;          /* -1: not asked */
	bool verbose;            /* echo the driver log to stderr */
};

struct diag_ctx {
	struct diag_opts opts;
	struct diag_step steps[DIAG_NB_STEPS];
	bool eal_up;
	bool vmci_pci_found;     /* step 1 saw a VMCI PCI function */
	struct rte_vmci_device *dev;  /* guest device under test */
	struct rte_vmci_device *host; /* emulated host device, if any */
	uint64_t deadline;       /* of the running step, in timer cycles */
};

/* Called after EAL init, before the steps (tests set faults here). */
typedef void (*diag_hook_t)(void *arg);

/*
 * Run the tool: argv as for the program. Returns the exit status: 0 when
 * no step failed, 1 when one did, 2 for bad usage.
 */
int diag_main(int argc, char **argv);
int diag_main_hooked(int argc, char **argv, diag_hook_t after_eal, void *arg);

/* Step results. */
void diag_value_str(struct diag_step *s, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void diag_value_num(struct diag_step *s, const char *key, double num);
void diag_fix(struct diag_step *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void diag_set(struct diag_step *s, enum diag_status st, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* First status other than PASS wins: a FAIL is never overwritten. */
void diag_fail(struct diag_step *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Driver log capture (rte_openlog_stream). */
FILE *diag_log_open(bool echo);
/* Move the lines captured since the last call into @s (NULL: drop them). */
void diag_log_take(struct diag_step *s);
/* Last captured line of @s at ERR level or worse ("" if none). */
const char *diag_log_last_error(const struct diag_step *s);

/* Steps. */
void diag_env_scan(struct diag_ctx *ctx);       /* step 1, before EAL init */
void diag_env_after_eal(struct diag_ctx *ctx);  /* step 1, IOVA mode and memory */
void diag_step_bringup(struct diag_ctx *ctx);
void diag_step_dgram(struct diag_ctx *ctx);
void diag_step_qpair(struct diag_ctx *ctx);
void diag_step_vsock(struct diag_ctx *ctx);

/* Deadline of the running step. */
bool diag_expired(const struct diag_ctx *ctx);
double diag_now_us(void);

/* Report. */
void diag_report_text(struct diag_ctx *ctx, FILE *f);
int diag_report_json(struct diag_ctx *ctx, const char *path);
bool diag_report_failed(const struct diag_ctx *ctx);

#endif /* _DIAG_H_ */
