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
/* Consumer polls between two looks at the clock for the progress line. */
#define PROGRESS_POLLS 1024u

/*
 * What one side tells the other. Each line has one writer, so a side's
 * idle polls read a line the other leaves alone until the end.
 */
struct side_flags {
	uint32_t ready;    /* polling: the peer may start */
	uint32_t done;     /* stopped sending: tx_count is final */
	uint64_t tx_count;
} __rte_cache_aligned;

struct run_ctl {
	struct side_flags side[2];
	uint32_t abort __rte_cache_aligned; /* main: a worker failed to start */
};

struct run_side {
	struct perf_flow txf;
	struct perf_flow rxf;
	struct perf_transport *tp;
	struct run_ctl *ctl;
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
run_aborted(const struct run_ctl *ctl)
{
	return __atomic_load_n(&ctl->abort, __ATOMIC_ACQUIRE) != 0;
}

static int
wait_peer_ready(const struct run_side *s)
{
	const struct side_flags *peer = &s->ctl->side[1 - s->side];

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
	struct side_flags *me = &s->ctl->side[s->side];

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
	const struct side_flags *peer = &s->ctl->side[1 - s->side];
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

static void
print_progress(const struct run_side *s, uint64_t count, uint64_t now)
{
	double secs = (double)(now - s->start_tsc) / rte_get_tsc_hz();

	printf("  ... %5.1f s: %" PRIu64 " messages, %.3f Mmsg/s, %.3f GB/s, errors %" PRIu64 "\n",
	       secs, count, secs > 0 ? count / secs / 1e6 : 0,
	       secs > 0 ? (double)count * s->rxf.size / secs / 1e9 : 0, s->rxf.verify_errors);
	fflush(stdout);
}

static int
stream_consume(void *arg)
{
	struct run_side *s = arg;
	perf_xfer_t rx = s->tp->rx;
	uint64_t hz = rte_get_tsc_hz();
	uint64_t next_report, now;
	uint64_t deadline = 0;
	uint64_t count = 0;
	unsigned int polls = 0;
	int err = 0;
	int n;

	s->start_tsc = rte_rdtsc();
	next_report = s->start_tsc + hz;
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
			if (now >= next_report) {
				print_progress(s, count, now);
				next_report += hz;
			}
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

/* Both directions at once: each side alternates one tx and one rx call. */
static int
bidir_worker(void *arg)
{
	struct run_side *s = arg;
	perf_xfer_t tx = s->tp->tx, rx = s->tp->rx;
	uint64_t sent = 0, received = 0;
	uint64_t end;
	int n = 0, m = 0;

	announce_ready(s);
	s->err = wait_peer_ready(s);
	if (s->err < 0)
		return 0;
	s->start_tsc = rte_rdtsc();
	end = s->start_tsc + s->duration_tsc;
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
		received += m;
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
	uint64_t hz = rte_get_tsc_hz();
	uint64_t t0, t1, end, next_report;
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
	next_report = s->start_tsc + hz;
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
		if (s->progress && unlikely(t1 >= next_report)) {
			printf("  ... %5.1f s: %" PRIu64 " round trips, errors %" PRIu64 "\n",
			       (double)(t1 - s->start_tsc) / hz, count, s->rxf.verify_errors);
			fflush(stdout);
			next_report += hz;
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
run_jobs(struct run_ctl *ctl, const struct run_job *job, unsigned int n)
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

static int
side_init(struct run_side *s, const struct perf_stream *st, struct run_ctl *ctl,
	  unsigned int side, uint32_t size, unsigned int lcore)
{
	const struct perf_options *opt = st->opt;
	int socket = (int)rte_lcore_to_socket_id(lcore);
	/* A round trip is one message each way. */
	unsigned int burst = opt->mode == PERF_MODE_PINGPONG ? 1 : opt->burst;
	unsigned int nb_bufs = opt->mode == PERF_MODE_PINGPONG ? 1 : st->tp->nb_bufs;
	int ret;

	s->tp = st->tp;
	s->ctl = ctl;
	s->side = side;
	s->progress = st->progress;
	s->duration_tsc = (uint64_t)(opt->duration * rte_get_tsc_hz());
	s->max_count = opt->count;
	if (opt->count > 0)
		s->duration_tsc = UINT64_MAX / 2;
	ret = perf_flow_init(&s->txf, size, nb_bufs, burst, opt->verify, socket);
	if (ret == 0)
		ret = perf_flow_init(&s->rxf, size, nb_bufs, burst, opt->verify, socket);
	return ret;
}

static void
hist_result(const struct perf_hist *h, struct perf_result *res)
{
	struct perf_latency *l = &res->lat;

	res->has_latency = true;
	l->samples = h->total;
	l->min = h->total > 0 ? (double)h->min : 0;
	l->p50 = (double)perf_hist_percentile(h, 50);
	l->p90 = (double)perf_hist_percentile(h, 90);
	l->p99 = (double)perf_hist_percentile(h, 99);
	l->p999 = (double)perf_hist_percentile(h, 99.9);
	l->p9999 = (double)perf_hist_percentile(h, 99.99);
	l->max = (double)h->max;
	l->mean = perf_hist_mean(h);
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

static void
run_make_jobs(const struct perf_stream *st, struct run_side *a, struct run_side *b,
	      struct run_job job[2])
{
	lcore_function_t *fa, *fb;

	switch (st->opt->mode) {
	case PERF_MODE_BIDIR:
		fa = bidir_worker;
		fb = bidir_worker;
		break;
	case PERF_MODE_PINGPONG:
		fa = pingpong_ping;
		fb = pingpong_pong;
		break;
	default:
		fa = stream_produce;
		fb = stream_consume;
		break;
	}
	/* Side 1 first: side 0 waits for it to poll. */
	job[0] = (struct run_job){ st->rx_lcore, fb, b };
	job[1] = (struct run_job){ st->tx_lcore, fa, a };
}

int
perf_stream_run_size(const struct perf_stream *st, uint32_t size, struct perf_result *res)
{
	struct perf_transport_stats ts;
	struct run_side a, b;
	struct run_job job[2];
	struct run_ctl ctl;
	int ret;

	memset(&ctl, 0, sizeof(ctl));
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	res->size = size;
	ret = side_init(&a, st, &ctl, 0, size, st->tx_lcore);
	if (ret == 0)
		ret = side_init(&b, st, &ctl, 1, size, st->rx_lcore);
	if (ret < 0)
		fprintf(stderr, "vmci-perf: no memory for %u buffers of %" PRIu32 " bytes\n",
			st->tp->nb_bufs, size);
	if (ret == 0) {
		if (st->hist != NULL)
			perf_hist_reset(st->hist);
		a.hist = st->hist;
		run_make_jobs(st, &a, &b, job);
		if (st->tp->ops->stats != NULL)
			st->tp->ops->stats(st->tp, &ts); /* zero the counters */
		ret = run_jobs(&ctl, job, RTE_DIM(job));
	}
	if (ret == 0) {
		run_result(st->opt, &a, &b, res);
		if (st->hist != NULL && st->opt->mode == PERF_MODE_PINGPONG)
			hist_result(st->hist, res);
		if (st->tp->ops->stats != NULL) {
			st->tp->ops->stats(st->tp, &ts);
			res->tx_full = ts.tx_full;
			res->rx_empty = ts.rx_empty;
		}
		ret = perf_transport_rearm(st->tp);
	}
	perf_flow_free(&a.txf);
	perf_flow_free(&a.rxf);
	perf_flow_free(&b.txf);
	perf_flow_free(&b.rxf);
	return ret;
}
