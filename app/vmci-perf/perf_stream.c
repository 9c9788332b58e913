/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_pause.h>

#include "perf_stream.h"

/* Round trips left out of the histogram while caches and TLBs warm up (at most). */
#define PINGPONG_WARMUP 1000u
/* Receiver polls between two looks at the clock for the progress line. */
#define PROGRESS_POLLS 1024u

struct run_side {
	struct perf_flow txf;
	struct perf_flow rxf;
	struct perf_transport *tp;
	struct perf_run_ctl *ctl;
	struct perf_hist *hist;
	unsigned int side;
	bool progress;
	uint64_t duration_tsc;
	uint64_t max_count;  /* 0: until the duration is over */
	uint64_t start_tsc;
	uint64_t end_tsc;
	uint64_t sent;
	uint64_t received;
	int err;
} __rte_cache_aligned;

static inline bool
run_aborted(const struct perf_run_ctl *ctl)
{
	return __atomic_load_n(&ctl->abort, __ATOMIC_ACQUIRE) != 0;
}

static int
wait_peer_ready(const struct run_side *s)
{
	const struct perf_side_flags *peer = &s->ctl->side[1 - s->side];

	while (__atomic_load_n(&peer->ready, __ATOMIC_ACQUIRE) == 0) {
		if (run_aborted(s->ctl))
			return -ECANCELED;
		rte_pause();
	}
	return 0;
}

static void
announce_ready(struct run_side *s)
{
	__atomic_store_n(&s->ctl->side[s->side].ready, 1, __ATOMIC_RELEASE);
}

/* Publish the final count, then wake a peer blocked in a kernel read. */
static void
announce_done(struct run_side *s, uint64_t count)
{
	struct perf_side_flags *me = &s->ctl->side[s->side];

	me->tx_count = count;
	/* Pairs with the peer's acquire: tx_count is visible with done. */
	__atomic_store_n(&me->done, 1, __ATOMIC_RELEASE);
	perf_transport_tx_end(s->tp, s->side);
}

static inline bool
budget_left(const struct run_side *s, uint64_t now, uint64_t end, uint64_t count)
{
	return now < end && (s->max_count == 0 || count < s->max_count);
}

/* Stream producer (side 0). */
static int
stream_produce(void *arg)
{
	struct run_side *s = arg;
	perf_xfer_t tx = s->tp->tx;
	uint64_t count = 0;
	uint64_t end;
	int n = 0;

	s->err = wait_peer_ready(s);
	if (s->err < 0)
		return 0;
	s->start_tsc = rte_rdtsc();
	end = s->start_tsc + s->duration_tsc;
	/* One clock read per call: a call moves up to a burst. */
	while (budget_left(s, rte_rdtsc(), end, count)) {
		/* With a count, the last call moves only what is left. */
		if (unlikely(s->max_count > 0 && s->max_count - count < s->txf.burst))
			s->txf.burst = (unsigned int)(s->max_count - count);
		n = tx(s->tp, s->side, &s->txf);
		if (unlikely(n < 0))
			break;
		/* A full queue may mean a dead consumer process. */
		if (n == 0 && unlikely(run_aborted(s->ctl))) {
			n = -ECANCELED;
			break;
		}
		count += n;
	}
	s->sent = count;
	s->err = n < 0 ? n : 0;
	announce_done(s, count);
	if (n < 0)
		perf_transport_abort(s->tp, s->side);
	return 0;
}

/*
 * A receiver found nothing: is the run over? Once the peer has stopped,
 * missing messages get one second to show up, then count as lost.
 */
static bool
rx_idle_end(const struct run_side *s, uint64_t count, uint64_t *deadline, int *err)
{
	const struct perf_side_flags *peer = &s->ctl->side[1 - s->side];
	uint64_t now;

	if (__atomic_load_n(&peer->done, __ATOMIC_ACQUIRE) == 0)
		return run_aborted(s->ctl);
	if (count >= peer->tx_count)
		return true;
	now = rte_rdtsc();
	if (*deadline == 0)
		*deadline = now + rte_get_tsc_hz();
	if (now < *deadline)
		return false;
	*err = -ETIMEDOUT;
	return true;
}

void
perf_progress_start(struct perf_progress *p, uint32_t size, uint64_t start_tsc)
{
	memset(p, 0, sizeof(*p));
	p->start_tsc = start_tsc;
	p->last_tsc = start_tsc;
	p->next_tsc = start_tsc + rte_get_tsc_hz();
	p->size = size;
}

/* "M round trips/s" or "Mmsg/s, GB/s" of @p n in @p secs. */
static void
progress_rate(char *buf, size_t len, const struct perf_progress *p, uint64_t n, double secs)
{
	double rate = secs > 0 ? (double)n / secs : 0;

	if (p->round_trips)
		snprintf(buf, len, "%.3f M round trips/s (mean %.0f ns)", rate / 1e6,
			 rate > 0 ? 1e9 / rate : 0);
	else
		snprintf(buf, len, "%.3f Mmsg/s, %.3f GB/s", rate / 1e6,
			 rate * p->size / 1e9);
}

void
perf_progress_print(struct perf_progress *p, uint64_t now, uint64_t count,
		    uint64_t verify_errors)
{
	double hz = (double)rte_get_tsc_hz();
	char last[64], total[64];

	progress_rate(last, sizeof(last), p, count - p->last_count,
		      (double)(now - p->last_tsc) / hz);
	progress_rate(total, sizeof(total), p, count, (double)(now - p->start_tsc) / hz);
	printf("  ... %5.1f s: %" PRIu64 " %s; last second: %s; since start: %s;"
	       " verify errors %" PRIu64 "\n", (double)(now - p->start_tsc) / hz, count,
	       p->round_trips ? "round trips" : p->both_ways ?
	       "messages (both directions)" : "messages", last, total, verify_errors);
	fflush(stdout);
	p->last_tsc = now;
	p->last_count = count;
	/* After a stall, the next line a second from now, not a burst of them. */
	while (p->next_tsc <= now)
		p->next_tsc += rte_get_tsc_hz();
}

static int
stream_consume(void *arg)
{
	struct run_side *s = arg;
	perf_xfer_t rx = s->tp->rx;
	struct perf_progress prog;
	uint64_t deadline = 0;
	uint64_t count = 0;
	unsigned int polls = 0;
	uint64_t now;
	int err = 0;
	int n;

	s->start_tsc = rte_rdtsc();
	perf_progress_start(&prog, s->rxf.size, s->start_tsc);
	announce_ready(s);
	for (;;) {
		n = rx(s->tp, s->side, &s->rxf);
		if (unlikely(n < 0)) {
			err = n;
			break;
		}
		count += n;
		/* The shared flags are read only when the queue is empty. */
		if (n == 0 && rx_idle_end(s, count, &deadline, &err))
			break;
		if (s->progress && unlikely(++polls == PROGRESS_POLLS)) {
			polls = 0;
			now = rte_rdtsc();
			if (now >= prog.next_tsc)
				perf_progress_print(&prog, now, count, s->rxf.verify_errors);
		}
	}
	s->end_tsc = rte_rdtsc();
	s->received = count;
	s->err = err;
	if (err < 0)
		perf_transport_abort(s->tp, s->side);
	return 0;
}

/* Receive what the peer sent until it stopped, after this side stopped. */
static int
bidir_drain(struct run_side *s, uint64_t *count)
{
	uint64_t deadline = 0;
	int err = 0;
	int n;

	for (;;) {
		n = s->tp->rx(s->tp, s->side, &s->rxf);
		if (unlikely(n < 0))
			return n;
		*count += n;
		if (n == 0 && rx_idle_end(s, *count, &deadline, &err))
			return err;
	}
}

/*
 * Bidir progress, every PROGRESS_POLLS polls: each side publishes what it
 * received in its own line; side 0 prints the sum of both, once a second.
 */
static void
bidir_progress(struct run_side *s, struct perf_progress *prog, uint64_t received)
{
	struct perf_side_flags *me = &s->ctl->side[s->side];
	const struct perf_side_flags *peer = &s->ctl->side[1 - s->side];
	uint64_t now;

	__atomic_store_n(&me->rx_progress, received, __ATOMIC_RELAXED);
	__atomic_store_n(&me->verify_progress, s->rxf.verify_errors, __ATOMIC_RELAXED);
	if (s->side != 0)
		return;
	now = rte_rdtsc();
	if (now >= prog->next_tsc)
		perf_progress_print(prog, now,
			       received + __atomic_load_n(&peer->rx_progress, __ATOMIC_RELAXED),
			       s->rxf.verify_errors +
			       __atomic_load_n(&peer->verify_progress, __ATOMIC_RELAXED));
}

/* Both directions at once: each side alternates one tx and one rx call. */
static int
bidir_worker(void *arg)
{
	struct run_side *s = arg;
	perf_xfer_t tx = s->tp->tx, rx = s->tp->rx;
	uint64_t sent = 0, received = 0;
	unsigned int polls = 0;
	struct perf_progress prog;
	uint64_t end;
	int n = 0, m = 0;

	announce_ready(s);
	s->err = wait_peer_ready(s);
	if (s->err < 0)
		return 0;
	s->start_tsc = rte_rdtsc();
	end = s->start_tsc + s->duration_tsc;
	perf_progress_start(&prog, s->rxf.size, s->start_tsc);
	prog.both_ways = true;
	while (budget_left(s, rte_rdtsc(), end, sent)) {
		if (unlikely(s->max_count > 0 && s->max_count - sent < s->txf.burst))
			s->txf.burst = (unsigned int)(s->max_count - sent);
		n = tx(s->tp, s->side, &s->txf);
		if (unlikely(n < 0))
			break;
		sent += n;
		m = rx(s->tp, s->side, &s->rxf);
		if (unlikely(m < 0))
			break;
		if (n == 0 && m == 0 && unlikely(run_aborted(s->ctl))) {
			n = -ECANCELED;
			break;
		}
		received += m;
		if (s->progress && unlikely(++polls == PROGRESS_POLLS)) {
			polls = 0;
			bidir_progress(s, &prog, received);
		}
	}
	s->sent = sent;
	announce_done(s, sent);
	s->err = n < 0 ? n : m < 0 ? m : bidir_drain(s, &received);
	s->end_tsc = rte_rdtsc();
	s->received = received;
	return 0;
}

/* Keep calling @p fn until it moves the one message (or fails, or times out). */
static inline int
xfer_one(struct run_side *s, perf_xfer_t fn, struct perf_flow *flow)
{
	uint64_t deadline = 0;
	unsigned int spins = 0;
	int n;

	for (;;) {
		n = fn(s->tp, s->side, flow);
		if (likely(n != 0))
			return n;
		if (unlikely(++spins == 4096)) {
			/* Lost message or dead peer: give up after a second. */
			uint64_t now = rte_rdtsc();

			spins = 0;
			if (deadline == 0)
				deadline = now + rte_get_tsc_hz();
			else if (now > deadline)
				return -ETIMEDOUT;
		}
	}
}

static int
pingpong_ping(void *arg)
{
	struct run_side *s = arg;
	perf_xfer_t tx = s->tp->tx, rx = s->tp->rx;
	double ns_per_cycle = 1e9 / (double)rte_get_tsc_hz();
	struct perf_progress prog;
	uint64_t t0, t1, end;
	uint64_t warmup = PINGPONG_WARMUP, warmup_tsc;
	uint64_t count = 0;
	int n = 0;

	s->err = wait_peer_ready(s);
	if (s->err < 0)
		return 0;
	/*
	 * Warm-up: the first PINGPONG_WARMUP round trips, but at most a tenth
	 * of the count or a twentieth of the duration, so that a slow
	 * transport still leaves samples.
	 */
	if (s->max_count > 0)
		warmup = RTE_MIN((uint64_t)PINGPONG_WARMUP, s->max_count / 10);
	warmup_tsc = s->duration_tsc / 20;
	s->start_tsc = rte_rdtsc();
	end = s->start_tsc + s->duration_tsc;
	perf_progress_start(&prog, s->rxf.size, s->start_tsc);
	prog.round_trips = true;
	t0 = s->start_tsc;
	while (budget_left(s, t0, end, count)) {
		n = xfer_one(s, tx, &s->txf);
		if (unlikely(n < 0))
			break;
		n = xfer_one(s, rx, &s->rxf);
		if (unlikely(n < 0))
			break;
		t1 = rte_rdtsc();
		if (likely(count >= warmup || t0 - s->start_tsc >= warmup_tsc) && s->hist != NULL)
			perf_hist_record(s->hist, (uint64_t)((double)(t1 - t0) * ns_per_cycle));
		count++;
		if (s->progress && unlikely(t1 >= prog.next_tsc)) {
			perf_progress_print(&prog, t1, count, s->rxf.verify_errors);
			/* The printing is no part of the next round trip. */
			t1 = rte_rdtsc();
		}
		t0 = t1;
	}
	s->end_tsc = rte_rdtsc();
	s->sent = count;
	s->received = count;
	s->err = n < 0 ? n : 0;
	announce_done(s, count);
	if (n < 0)
		perf_transport_abort(s->tp, s->side);
	return 0;
}

/* Echo every message back, until the pinger stopped and nothing is left. */
static int
pingpong_pong(void *arg)
{
	struct run_side *s = arg;
	perf_xfer_t tx = s->tp->tx, rx = s->tp->rx;
	uint64_t deadline = 0;
	uint64_t count = 0;
	int err = 0;
	int n;

	announce_ready(s);
	for (;;) {
		n = rx(s->tp, s->side, &s->rxf);
		if (unlikely(n < 0)) {
			err = n;
			break;
		}
		if (n == 0) {
			if (rx_idle_end(s, count, &deadline, &err))
				break;
			continue;
		}
		count++;
		n = xfer_one(s, tx, &s->txf);
		if (unlikely(n < 0)) {
			err = n;
			break;
		}
	}
	s->sent = count;
	s->received = count;
	s->err = err;
	if (err < 0)
		perf_transport_abort(s->tp, s->side);
	return 0;
}

struct run_job {
	unsigned int lcore;
	lcore_function_t *fn;
	struct run_side *side;
};

/*
 * Launch the jobs not meant for the calling lcore, run the one that is,
 * wait for all. The waiting side comes first: the other waits for it.
 */
static int
run_jobs(struct perf_run_ctl *ctl, const struct run_job *job, unsigned int n)
{
	unsigned int self = rte_lcore_id();
	const struct run_job *local = NULL;
	unsigned int i;
	int ret = 0;

	for (i = 0; i < n && ret == 0; i++) {
		if (job[i].lcore == self)
			local = &job[i];
		else
			ret = rte_eal_remote_launch(job[i].fn, job[i].side, job[i].lcore);
	}
	if (ret < 0) {
		fprintf(stderr, "vmci-perf: cannot launch a worker on lcore %u: %s\n",
			job[i - 1].lcore, strerror(-ret));
		__atomic_store_n(&ctl->abort, 1, __ATOMIC_RELEASE);
	} else if (local != NULL) {
		local->fn(local->side);
	}
	for (i = 0; i < n; i++) {
		if (job[i].lcore != self)
			rte_eal_wait_lcore(job[i].lcore);
	}
	return ret;
}

/* What side @p side of a run of @p size bytes does, from the options. */
static void
side_params(const struct perf_stream *st, uint32_t size, struct perf_side_params *p)
{
	const struct perf_options *opt = st->opt;

	memset(p, 0, sizeof(*p));
	p->mode = opt->mode;
	p->size = size;
	/* A round trip is one message each way. */
	p->burst = opt->mode == PERF_MODE_PINGPONG ? 1 : opt->burst;
	p->nb_bufs = opt->mode == PERF_MODE_PINGPONG ? 1 : st->tp->nb_bufs;
	p->verify = opt->verify;
	p->progress = st->progress;
	p->count = opt->count;
	p->duration_tsc = opt->count > 0 ? UINT64_MAX / 2 :
		(uint64_t)(opt->duration * rte_get_tsc_hz());
}

static int
side_init(struct run_side *s, struct perf_transport *tp, struct perf_run_ctl *ctl,
	  unsigned int side, const struct perf_side_params *p, unsigned int lcore)
{
	int socket = (int)rte_lcore_to_socket_id(lcore);
	int ret;

	s->tp = tp;
	s->ctl = ctl;
	s->side = side;
	s->progress = p->progress != 0;
	s->duration_tsc = p->duration_tsc;
	s->max_count = p->count;
	ret = perf_flow_init(&s->txf, p->size, p->nb_bufs, p->burst, p->verify != 0, socket);
	if (ret == 0)
		ret = perf_flow_init(&s->rxf, p->size, p->nb_bufs, p->burst, p->verify != 0,
				     socket);
	return ret;
}

static void
hist_result(const struct perf_hist *h, struct perf_result *res)
{
	res->has_latency = true;
	perf_latency_from_hist(h, &res->lat);
}

static void
run_result(const struct perf_options *opt, const struct run_side *a, const struct run_side *b,
	   struct perf_result *res)
{
	uint64_t start = RTE_MIN(a->start_tsc, b->start_tsc);
	uint64_t end = RTE_MAX(a->end_tsc, b->end_tsc);

	switch (opt->mode) {
	case PERF_MODE_STREAM:
		res->sent = a->sent;
		res->messages = b->received;
		start = a->start_tsc;
		end = b->end_tsc;
		break;
	case PERF_MODE_BIDIR:
		res->sent = a->sent + b->sent;
		res->messages = a->received + b->received;
		break;
	case PERF_MODE_PINGPONG:
		res->sent = a->sent;
		res->messages = a->received;
		start = a->start_tsc;
		end = a->end_tsc;
		break;
	}
	res->verify_errors = a->rxf.verify_errors + b->rxf.verify_errors;
	res->seconds = end > start ? (double)(end - start) / rte_get_tsc_hz() : 0;
	res->tx_error = a->err;
	res->rx_error = b->err;
	/* Without an error the receivers stop at exactly what was sent. */
	if (res->rx_error == 0 && res->tx_error == 0 && res->messages != res->sent)
		res->rx_error = -EPROTO;
}

/* The worker of side @p side in @p mode. */
static lcore_function_t *
side_fn(uint32_t mode, unsigned int side)
{
	switch (mode) {
	case PERF_MODE_BIDIR:
		return bidir_worker;
	case PERF_MODE_PINGPONG:
		return side == 0 ? pingpong_ping : pingpong_pong;
	default:
		return side == 0 ? stream_produce : stream_consume;
	}
}

static void
side_report(const struct run_side *s, struct perf_side_report *rep)
{
	memset(rep, 0, sizeof(*rep));
	rep->sent = s->sent;
	rep->received = s->received;
	rep->start_tsc = s->start_tsc;
	rep->end_tsc = s->end_tsc;
	rep->verify_errors = s->rxf.verify_errors;
	rep->err = s->err;
}

/* Side 1 as it ran in the other process, for run_result(). */
static void
side_from_report(struct run_side *s, const struct perf_side_report *rep)
{
	s->sent = rep->sent;
	s->received = rep->received;
	s->start_tsc = rep->start_tsc;
	s->end_tsc = rep->end_tsc;
	s->rxf.verify_errors = rep->verify_errors;
	s->err = rep->err;
}

static void
side_flows_free(struct run_side *s)
{
	perf_flow_free(&s->txf);
	perf_flow_free(&s->rxf);
}

int
perf_stream_run_side(struct perf_transport *tp, struct perf_run_ctl *ctl, unsigned int side,
		     const struct perf_side_params *p, struct perf_side_report *rep)
{
	struct run_side s;
	int ret;

	memset(&s, 0, sizeof(s));
	ret = side_init(&s, tp, ctl, side, p, rte_lcore_id());
	if (ret < 0) {
		fprintf(stderr, "vmci-perf: no memory for %u buffers of %" PRIu32 " bytes\n",
			p->nb_bufs, p->size);
		/* The peer waits for this side to poll: release it. */
		__atomic_store_n(&ctl->abort, 1, __ATOMIC_RELEASE);
		s.err = ret;
	} else {
		side_fn(p->mode, side)(&s);
	}
	side_report(&s, rep);
	side_flows_free(&s);
	return ret;
}

/*
 * Side 1 in the other process: start it, run side 0 here, collect its
 * report. A failure to start or a dead peer is side 1's error.
 */
static int
run_remote(const struct perf_stream *st, struct run_side *a, struct run_side *b,
	   const struct perf_side_params *p)
{
	struct perf_transport *tp = st->tp;
	struct perf_side_report rep;
	struct run_job job = { st->tx_lcore, side_fn(p->mode, 0), a };
	int ret;

	memset(&rep, 0, sizeof(rep));
	ret = tp->ops->remote_start(tp, p);
	if (ret < 0) {
		b->err = ret;
		return 0;
	}
	ret = run_jobs(a->ctl, &job, 1);
	if (ret < 0)
		__atomic_store_n(&a->ctl->abort, 1, __ATOMIC_RELEASE);
	if (tp->ops->remote_wait(tp, &rep) < 0 && rep.err == 0)
		rep.err = -ECHILD;
	side_from_report(b, &rep);
	return ret;
}

static int
run_local(const struct perf_stream *st, struct run_side *a, struct run_side *b,
	  const struct perf_side_params *p)
{
	/* Side 1 first: side 0 waits for it to poll. */
	struct run_job job[2] = {
		{ st->rx_lcore, side_fn(p->mode, 1), b },
		{ st->tx_lcore, side_fn(p->mode, 0), a },
	};
	int ret;

	ret = side_init(b, st->tp, a->ctl, 1, p, st->rx_lcore);
	if (ret < 0) {
		fprintf(stderr, "vmci-perf: no memory for %u buffers of %" PRIu32 " bytes\n",
			p->nb_bufs, p->size);
		return ret;
	}
	return run_jobs(a->ctl, job, RTE_DIM(job));
}

int
perf_stream_run_size(const struct perf_stream *st, uint32_t size, struct perf_result *res)
{
	struct perf_transport *tp = st->tp;
	bool remote = tp->ops->remote_ctl != NULL;
	struct perf_transport_stats ts;
	struct perf_side_params p;
	struct perf_run_ctl local_ctl;
	struct perf_run_ctl *ctl = remote ? tp->ops->remote_ctl(tp) : &local_ctl;
	struct run_side a, b;
	int ret;

	memset(ctl, 0, sizeof(*ctl));
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	res->size = size;
	side_params(st, size, &p);
	ret = side_init(&a, tp, ctl, 0, &p, st->tx_lcore);
	if (ret < 0)
		fprintf(stderr, "vmci-perf: no memory for %u buffers of %" PRIu32 " bytes\n",
			p.nb_bufs, size);
	if (ret == 0) {
		if (st->hist != NULL)
			perf_hist_reset(st->hist);
		a.hist = st->hist;
		if (tp->ops->stats != NULL)
			tp->ops->stats(tp, &ts); /* zero the counters */
		ret = remote ? run_remote(st, &a, &b, &p) : run_local(st, &a, &b, &p);
	}
	if (ret == 0) {
		run_result(st->opt, &a, &b, res);
		if (st->hist != NULL && st->opt->mode == PERF_MODE_PINGPONG)
			hist_result(st->hist, res);
		if (tp->ops->stats != NULL) {
			tp->ops->stats(tp, &ts);
			res->tx_full = ts.tx_full;
			res->rx_empty = ts.rx_empty;
		}
		ret = perf_transport_rearm(tp);
	}
	side_flows_free(&a);
	side_flows_free(&b);
	return ret;
}
