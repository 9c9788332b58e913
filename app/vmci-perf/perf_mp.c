/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_memzone.h>

#include "perf_mp.h"
#include "perf_stream.h"

#define MP_MZ_NAME "vmci_perf_mp"
/* A secondary under ASan takes seconds to map the primary's memory. */
#define MP_START_TIMEOUT_S 60
/* After side 0 stopped, side 1 stops within a second (rx_idle_end). */
#define MP_REPORT_TIMEOUT_S 10
#define MP_QUIT_TIMEOUT_S 10
#define MP_POLL_US 100
#define MP_WATCH_US 5000
/* EAL arguments kept for the secondary, plus the ones added. */
#define MP_MAX_ARGS 64

enum mp_cmd {
	MP_CMD_NONE,
	MP_CMD_RUN,
	MP_CMD_QUIT,
};

enum mp_peer_state {
	MP_PEER_STARTING,
	MP_PEER_UP,
	MP_PEER_FAILED,
};

/* The memzone. Each field has one writer, named on its group. */
struct mp_shm {
	/* Primary, before the spawn. */
	struct rte_vmci_handle handle;
	uint64_t queue_size;
	uint32_t api;
	uint32_t burst;
	/* Secondary: attached (UP) or not (FAILED, peer_err). */
	uint32_t peer_state;
	int32_t peer_err;
	/* Primary: cmd and params, then cmd_seq + 1 (release). */
	uint32_t cmd_seq;
	uint32_t cmd;
	struct perf_side_params params;
	/* Secondary: report, then done_seq = cmd_seq (release). */
	uint32_t done_seq;
	struct perf_side_report report;
	/* Both: the run flags. */
	struct perf_run_ctl ctl __rte_cache_aligned;
};

struct perf_mp {
	const struct rte_memzone *mz;
	struct mp_shm *shm;
	pid_t pid;
	bool reaped;
	int status;
	uint32_t dead;       /* watcher: the secondary exited */
	uint32_t stop_watch; /* primary thread: watcher, end */
	bool watching;
	pthread_t watcher;
	uint64_t rx_empty;
};

/* What the secondary is started with. */
static struct {
	char exe[PATH_MAX];
	char lcore[16];
	char *argv[MP_MAX_ARGS + 16];
	int argc;
	bool saved;
	unsigned int peer_lcore;
} spawn_args;

/* EAL options naming the instance and its memory: the secondary repeats them. */
static const struct {
	const char *name;
	bool has_value;
} kept_args[] = {
	{ "--file-prefix", true },
	{ "--base-virtaddr", true },
	{ "--huge-dir", true },
	{ "--log-level", true },
	{ "--iova-mode", true },
	{ "--no-telemetry", false },
	{ "--legacy-mem", false },
	{ "--single-file-segments", false },
};

/* How many argv entries @p arg takes if kept (0: dropped). */
static int
kept_arg_len(const char *arg)
{
	unsigned int i;
	size_t n;

	for (i = 0; i < RTE_DIM(kept_args); i++) {
		n = strlen(kept_args[i].name);
		if (strncmp(arg, kept_args[i].name, n) != 0)
			continue;
		if (arg[n] == '\0')
			return kept_args[i].has_value ? 2 : 1;
		if (arg[n] == '=' && kept_args[i].has_value)
			return 1;
	}
	return 0;
}

bool
perf_mp_is_secondary_args(int eal_argc, char **argv)
{
	int i;

	for (i = 1; i < eal_argc; i++) {
		if (strcmp(argv[i], "--proc-type=secondary") == 0 ||
		    (strcmp(argv[i], "--proc-type") == 0 && i + 1 < eal_argc &&
		     strcmp(argv[i + 1], "secondary") == 0))
			return true;
	}
	return false;
}

int
perf_mp_save_eal_args(int eal_argc, char **argv)
{
	ssize_t n;
	int i, len, j;

	for (i = 1; i < eal_argc; i++) {
		if (strcmp(argv[i], "--no-huge") == 0 || strcmp(argv[i], "--in-memory") == 0) {
			fprintf(stderr, "vmci-perf: transport emu-mp shares the queue pair with a"
				" secondary process through hugepage files: %s leaves it none to"
				" map (drop it; see doc/benchmarks.md)\n", argv[i]);
			return -EINVAL;
		}
	}
	n = readlink("/proc/self/exe", spawn_args.exe, sizeof(spawn_args.exe) - 1);
	if (n <= 0) {
		fprintf(stderr, "vmci-perf: readlink(/proc/self/exe): %s\n", strerror(errno));
		return -errno;
	}
	spawn_args.exe[n] = '\0';
	spawn_args.argv[spawn_args.argc++] = spawn_args.exe;
	spawn_args.argv[spawn_args.argc++] = (char *)(uintptr_t)"-l";
	spawn_args.argv[spawn_args.argc++] = spawn_args.lcore;
	spawn_args.argv[spawn_args.argc++] = (char *)(uintptr_t)"--proc-type=secondary";
	spawn_args.argv[spawn_args.argc++] = (char *)(uintptr_t)"--no-pci";
	for (i = 1; i < eal_argc; i += len ? len : 1) {
		len = kept_arg_len(argv[i]);
		if (len > eal_argc - i || spawn_args.argc + len > MP_MAX_ARGS) {
			fprintf(stderr, "vmci-perf: EAL option %s: %s\n", argv[i],
				len > eal_argc - i ? "value missing" : "too many EAL options");
			return -EINVAL;
		}
		for (j = 0; j < len; j++)
			spawn_args.argv[spawn_args.argc++] = argv[i + j];
	}
	spawn_args.argv[spawn_args.argc++] = (char *)(uintptr_t)"--";
	spawn_args.argv[spawn_args.argc++] = (char *)(uintptr_t)"--transport";
	spawn_args.argv[spawn_args.argc++] = (char *)(uintptr_t)"emu-mp";
	spawn_args.argv[spawn_args.argc] = NULL;
	spawn_args.saved = true;
	return 0;
}

void
perf_mp_set_peer_lcore(unsigned int lcore)
{
	spawn_args.peer_lcore = lcore;
}

static uint64_t
deadline_in(unsigned int s)
{
	return rte_get_tsc_cycles() + (uint64_t)s * rte_get_tsc_hz();
}

/* Has the secondary exited? Peeks without reaping: any thread may ask. */
static bool
mp_child_dead(struct perf_mp *mp)
{
	siginfo_t si;

	if (__atomic_load_n(&mp->dead, __ATOMIC_ACQUIRE))
		return true;
	memset(&si, 0, sizeof(si));
	if (waitid(P_PID, (id_t)mp->pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 &&
	    si.si_pid == mp->pid) {
		__atomic_store_n(&mp->dead, 1, __ATOMIC_RELEASE);
		return true;
	}
	return false;
}

static int
mp_spawn(struct perf_mp *mp)
{
	pid_t parent = getpid();

	snprintf(spawn_args.lcore, sizeof(spawn_args.lcore), "%u", spawn_args.peer_lcore);
	fflush(stdout);
	fflush(stderr);
	mp->pid = fork();
	if (mp->pid < 0) {
		fprintf(stderr, "vmci-perf: fork for the secondary: %s\n", strerror(errno));
		return -errno;
	}
	if (mp->pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlive a killed primary */
		if (getppid() == parent)
			execv(spawn_args.exe, spawn_args.argv);
		_exit(127);
	}
	return 0;
}

/* Reap the secondary, killing it if it is still there past the deadline. */
static int
mp_reap(struct perf_mp *mp, unsigned int timeout_s)
{
	uint64_t deadline = deadline_in(timeout_s);

	while (!mp->reaped && rte_get_tsc_cycles() < deadline) {
		if (waitpid(mp->pid, &mp->status, WNOHANG) == mp->pid)
			mp->reaped = true;
		else
			usleep(1000);
	}
	if (!mp->reaped) {
		fprintf(stderr, "vmci-perf: secondary %d still running after %u s: killed\n",
			(int)mp->pid, timeout_s);
		kill(mp->pid, SIGKILL);
		waitpid(mp->pid, &mp->status, 0);
		mp->reaped = true;
		return -ETIMEDOUT;
	}
	if (!WIFEXITED(mp->status) || WEXITSTATUS(mp->status) != 0) {
		fprintf(stderr, "vmci-perf: secondary %d ended with %s %d\n", (int)mp->pid,
			WIFEXITED(mp->status) ? "status" : "signal",
			WIFEXITED(mp->status) ? WEXITSTATUS(mp->status) : WTERMSIG(mp->status));
		return -ECHILD;
	}
	return 0;
}

static int
mp_wait_up(struct perf_mp *mp)
{
	uint64_t deadline = deadline_in(MP_START_TIMEOUT_S);
	uint32_t state;

	for (;;) {
		state = __atomic_load_n(&mp->shm->peer_state, __ATOMIC_ACQUIRE);
		if (state == MP_PEER_UP)
			return 0;
		if (state == MP_PEER_FAILED) {
			fprintf(stderr, "vmci-perf: the secondary could not attach: %s\n",
				strerror(-mp->shm->peer_err));
			return -EIO;
		}
		if (mp_child_dead(mp)) {
			fprintf(stderr, "vmci-perf: the secondary exited before attaching\n");
			return -ECHILD;
		}
		if (rte_get_tsc_cycles() > deadline) {
			fprintf(stderr, "vmci-perf: the secondary did not attach within %d s\n",
				MP_START_TIMEOUT_S);
			return -ETIMEDOUT;
		}
		usleep(MP_POLL_US);
	}
}

struct perf_mp *
perf_mp_start(struct rte_vmci_handle handle, const struct perf_options *opt)
{
	struct perf_mp *mp;

	if (!spawn_args.saved || !rte_eal_has_hugepages()) {
		fprintf(stderr, "vmci-perf: transport emu-mp needs hugepages shared with a"
			" secondary process (no --no-huge, --in-memory)\n");
		return NULL;
	}
	mp = calloc(1, sizeof(*mp));
	if (mp == NULL) {
		fprintf(stderr, "vmci-perf: out of memory for the secondary's state\n");
		return NULL;
	}
	mp->pid = -1;
	mp->mz = rte_memzone_reserve(MP_MZ_NAME, sizeof(*mp->shm), SOCKET_ID_ANY, 0);
	if (mp->mz == NULL) {
		fprintf(stderr, "vmci-perf: memzone %s: %s\n", MP_MZ_NAME,
			rte_strerror(rte_errno));
		free(mp);
		return NULL;
	}
	mp->shm = mp->mz->addr;
	memset(mp->shm, 0, sizeof(*mp->shm));
	mp->shm->handle = handle;
	mp->shm->queue_size = opt->queue_size;
	mp->shm->api = opt->api;
	mp->shm->burst = opt->burst;
	if (mp_spawn(mp) < 0 || mp_wait_up(mp) < 0) {
		perf_mp_stop(mp);
		return NULL;
	}
	printf("emu-mp: secondary process %d (primary %d) on lcore %u attached the host end"
	       " of queue pair %" PRIu32 ":%" PRIu32 "\n", (int)mp->pid, (int)getpid(),
	       spawn_args.peer_lcore, handle.context, handle.resource);
	fflush(stdout); /* both processes write to it */
	return mp;
}

/* Post a command; the secondary answers with done_seq. */
static uint32_t
mp_post(struct perf_mp *mp, enum mp_cmd cmd)
{
	uint32_t seq = mp->shm->cmd_seq + 1;

	mp->shm->cmd = cmd;
	__atomic_store_n(&mp->shm->cmd_seq, seq, __ATOMIC_RELEASE);
	return seq;
}

static bool
mp_answered(const struct perf_mp *mp, uint32_t seq)
{
	return __atomic_load_n(&mp->shm->done_seq, __ATOMIC_ACQUIRE) == seq;
}

void
perf_mp_stop(struct perf_mp *mp)
{
	uint64_t deadline = deadline_in(MP_QUIT_TIMEOUT_S);
	uint32_t seq;

	if (mp == NULL)
		return;
	if (mp->pid > 0) {
		/* It detaches the host end before it answers. */
		seq = mp_post(mp, MP_CMD_QUIT);
		while (!mp_answered(mp, seq) && !mp_child_dead(mp) &&
		       rte_get_tsc_cycles() < deadline)
			usleep(MP_POLL_US);
		mp_reap(mp, MP_QUIT_TIMEOUT_S);
	}
	rte_memzone_free(mp->mz);
	free(mp);
}

struct perf_run_ctl *
perf_mp_ctl(struct perf_mp *mp)
{
	return &mp->shm->ctl;
}

/* While a run goes on: a dead secondary aborts it, so side 0 stops waiting. */
static void *
mp_watch(void *arg)
{
	struct perf_mp *mp = arg;

	while (!__atomic_load_n(&mp->stop_watch, __ATOMIC_ACQUIRE)) {
		if (mp_child_dead(mp)) {
			fprintf(stderr, "vmci-perf: the secondary died during the run\n");
			__atomic_store_n(&mp->shm->ctl.abort, 1, __ATOMIC_RELEASE);
			break;
		}
		usleep(MP_WATCH_US);
	}
	return NULL;
}

int
perf_mp_run_start(struct perf_mp *mp, const struct perf_side_params *p)
{
	int ret;

	if (mp_child_dead(mp))
		return -ECHILD;
	mp->shm->params = *p;
	mp_post(mp, MP_CMD_RUN);
	__atomic_store_n(&mp->stop_watch, 0, __ATOMIC_RELAXED);
	/* A control thread: off the measuring lcores where the machine has others. */
	ret = rte_ctrl_thread_create(&mp->watcher, "vperf-mp-watch", NULL, mp_watch, mp);
	mp->watching = ret == 0;
	if (ret != 0)
		fprintf(stderr, "vmci-perf: no watcher thread for the secondary: %s\n",
			strerror(-ret));
	return 0;
}

static void
mp_unwatch(struct perf_mp *mp)
{
	if (!mp->watching)
		return;
	__atomic_store_n(&mp->stop_watch, 1, __ATOMIC_RELEASE);
	pthread_join(mp->watcher, NULL);
	mp->watching = false;
}

int
perf_mp_run_wait(struct perf_mp *mp, struct perf_side_report *rep)
{
	uint64_t deadline = deadline_in(MP_REPORT_TIMEOUT_S);
	uint32_t seq = mp->shm->cmd_seq;
	int ret = 0;

	memset(rep, 0, sizeof(*rep));
	while (!mp_answered(mp, seq)) {
		if (mp_child_dead(mp)) {
			ret = -ECHILD;
			break;
		}
		if (rte_get_tsc_cycles() > deadline) {
			fprintf(stderr, "vmci-perf: no report from the secondary %d s after the"
				" run\n", MP_REPORT_TIMEOUT_S);
			__atomic_store_n(&mp->shm->ctl.abort, 1, __ATOMIC_RELEASE);
			ret = -ETIMEDOUT;
			break;
		}
		usleep(MP_POLL_US);
	}
	mp_unwatch(mp);
	if (ret < 0)
		return ret;
	*rep = mp->shm->report; /* read once, after done_seq */
	if (rep->err > 0) {
		fprintf(stderr, "vmci-perf: secondary reported error %" PRId32
			", expected 0 or a negative errno\n", rep->err);
		rep->err = -EPROTO;
	}
	mp->rx_empty = rep->rx_empty;
	return 0;
}

uint64_t
perf_mp_take_rx_empty(struct perf_mp *mp)
{
	uint64_t v = mp->rx_empty;

	mp->rx_empty = 0;
	return v;
}

/*
 * Secondary
 */

/* The primary's parameters of one run, from a copy read once. */
static int
mp_check_params(const struct perf_side_params *p, uint64_t queue_size)
{
	if (p->mode > PERF_MODE_PINGPONG || p->size == 0 || p->size > queue_size ||
	    p->burst == 0 || p->burst > PERF_BURST_MAX || p->nb_bufs == 0 ||
	    p->nb_bufs > p->burst) {
		fprintf(stderr, "vmci-perf: secondary: bad run parameters: mode %" PRIu32
			" (0..2), size %" PRIu32 " (1..%" PRIu64 "), burst %" PRIu32
			" (1..%u), buffers %" PRIu32 " (1..burst)\n", p->mode, p->size,
			queue_size, p->burst, PERF_BURST_MAX, p->nb_bufs);
		return -EINVAL;
	}
	return 0;
}

static void
mp_serve_run(struct mp_shm *shm, struct perf_transport *tp, uint64_t queue_size)
{
	struct perf_side_params p = shm->params;
	struct perf_transport_stats ts;
	struct perf_side_report rep;

	memset(&rep, 0, sizeof(rep));
	rep.err = mp_check_params(&p, queue_size);
	if (rep.err < 0) {
		__atomic_store_n(&shm->ctl.abort, 1, __ATOMIC_RELEASE);
	} else {
		tp->ops->stats(tp, &ts); /* zero the counters */
		perf_stream_run_side(tp, &shm->ctl, 1, &p, &rep);
		tp->ops->stats(tp, &ts);
		rep.rx_empty = ts.rx_empty;
	}
	shm->report = rep;
}

static int
mp_attach(struct mp_shm *shm, struct perf_transport *tp, uint64_t *queue_size)
{
	struct perf_options opt;
	struct rte_vmci_handle handle = shm->handle;

	memset(&opt, 0, sizeof(opt));
	opt.queue_size = shm->queue_size;
	opt.api = (enum perf_api)shm->api;
	opt.burst = shm->burst;
	if (opt.api > PERF_API_MSG || opt.burst == 0 || opt.burst > PERF_BURST_MAX) {
		fprintf(stderr, "vmci-perf: secondary: api %u (0..2) or burst %u (1..%u) out"
			" of range\n", opt.api, opt.burst, PERF_BURST_MAX);
		return -EINVAL;
	}
	*queue_size = opt.queue_size;
	return perf_transport_emu_host_open(tp, handle, &opt);
}

int
perf_mp_serve(void)
{
	const struct rte_memzone *mz = rte_memzone_lookup(MP_MZ_NAME);
	struct perf_transport tp;
	struct mp_shm *shm;
	uint64_t queue_size = 0;
	uint32_t seen = 0, seq;
	int ret;

	if (mz == NULL || mz->len < sizeof(*shm)) {
		fprintf(stderr, "vmci-perf: secondary: no memzone %s: the primary vmci-perf"
			" --transport emu-mp starts this process itself\n", MP_MZ_NAME);
		return EXIT_FAILURE;
	}
	shm = mz->addr;
	ret = mp_attach(shm, &tp, &queue_size);
	shm->peer_err = ret;
	__atomic_store_n(&shm->peer_state, ret < 0 ? MP_PEER_FAILED : MP_PEER_UP,
			 __ATOMIC_RELEASE);
	if (ret < 0)
		return EXIT_FAILURE;
	for (;;) {
		seq = __atomic_load_n(&shm->cmd_seq, __ATOMIC_ACQUIRE);
		if (seq == seen) {
			usleep(MP_POLL_US);
			continue;
		}
		seen = seq;
		if (shm->cmd != MP_CMD_RUN)
			break;
		mp_serve_run(shm, &tp, queue_size);
		__atomic_store_n(&shm->done_seq, seen, __ATOMIC_RELEASE);
	}
	perf_transport_close(&tp);
	__atomic_store_n(&shm->done_seq, seen, __ATOMIC_RELEASE);
	return EXIT_SUCCESS;
}
