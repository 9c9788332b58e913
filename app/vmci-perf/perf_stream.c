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

/*
 * Hand-over between the two workers. Each line has one writer, so the
 * consumer's idle polls read a line the producer leaves alone until the
 * end.
 */
struct stream_ctl {
	uint32_t rx_ready __rte_cache_aligned; /* consumer: polling, start the clock */
	uint32_t tx_done __rte_cache_aligned;  /* producer: stopped, tx_count is final */
	uint64_t tx_count;
	uint32_t abort __rte_cache_aligned;    /* main: a worker failed to start */
};

struct stream_side {
	struct perf_flow flow;
	struct perf_transport *tp;
	struct stream_ctl *ctl;
	uint64_t duration_tsc;
	uint64_t start_tsc; /* producer: first attempt */
	uint64_t end_tsc;   /* consumer: after the last message */
	uint64_t count;
	int err;
} __rte_cache_aligned;

static inline bool
stream_aborted(const struct stream_ctl *ctl)
{
	return __atomic_load_n(&ctl->abort, __ATOMIC_ACQUIRE) != 0;
}

static int
stream_produce(void *arg)
{
	struct stream_side *s = arg;
	struct stream_ctl *ctl = s->ctl;
	perf_xfer_t tx = s->tp->tx;
	uint64_t count = 0;
	uint64_t end;
	int n = 0;

	while (__atomic_load_n(&ctl->rx_ready, __ATOMIC_ACQUIRE) == 0) {
		if (stream_aborted(ctl))
			return -ECANCELED;
		rte_pause();
	}
	s->start_tsc = rte_rdtsc();
	end = s->start_tsc + s->duration_tsc;
	/* One clock read per call: a call moves up to a burst. */
	while (rte_rdtsc() < end) {
		n = tx(s->tp, &s->flow);
		if (unlikely(n < 0))
			break;
		count += n;
	}
	s->count = count;
	s->err = n < 0 ? n : 0;
	ctl->tx_count = count;
	/* Pairs with the consumer's acquire: tx_count is visible with tx_done. */
	__atomic_store_n(&ctl->tx_done, 1, __ATOMIC_RELEASE);
	return 0;
}

/*
 * The consumer found nothing: is the run over? Once the producer has
 * stopped, missing messages get one second to show up, then count as lost.
 */
static bool
stream_idle_end(const struct stream_ctl *ctl, uint64_t count, uint64_t *deadline, int *err)
{
	uint64_t now;

	if (__atomic_load_n(&ctl->tx_done, __ATOMIC_ACQUIRE) == 0)
		return stream_aborted(ctl);
	if (count >= ctl->tx_count)
		return true;
	now = rte_rdtsc();
	if (*deadline == 0)
		*deadline = now + rte_get_tsc_hz();
	if (now < *deadline)
		return false;
	*err = -ETIMEDOUT;
	return true;
}

static int
stream_consume(void *arg)
{
	struct stream_side *s = arg;
	struct stream_ctl *ctl = s->ctl;
	perf_xfer_t rx = s->tp->rx;
	uint64_t deadline = 0;
	uint64_t count = 0;
	int err = 0;
	int n;

	__atomic_store_n(&ctl->rx_ready, 1, __ATOMIC_RELEASE);
	for (;;) {
		n = rx(s->tp, &s->flow);
		if (unlikely(n < 0)) {
			err = n;
			break;
		}
		count += n;
		/* The shared flags are read only when the queue is empty. */
		if (n == 0 && stream_idle_end(ctl, count, &deadline, &err))
			break;
	}
	s->end_tsc = rte_rdtsc();
	s->count = count;
	s->err = err;
	return 0;
}

struct stream_job {
	unsigned int lcore;
	lcore_function_t *fn;
	struct stream_side *side;
};

/*
 * Launch the jobs not meant for the calling lcore, run the one that is,
 * wait for all. The consumer comes first: the producer waits for it.
 */
static int
stream_run_jobs(struct stream_ctl *ctl, const struct stream_job *job, unsigned int n)
{
	unsigned int self = rte_lcore_id();
	const struct stream_job *local = NULL;
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
stream_side_init(struct stream_side *s, const struct perf_stream *st, struct stream_ctl *ctl,
		 uint32_t size, unsigned int lcore)
{
	const struct perf_options *opt = st->opt;

	s->tp = st->tp;
	s->ctl = ctl;
	s->duration_tsc = (uint64_t)(opt->duration * rte_get_tsc_hz());
	return perf_flow_init(&s->flow, size, st->tp->nb_bufs, opt->burst, opt->verify,
			      (int)rte_lcore_to_socket_id(lcore));
}

static void
stream_result(const struct stream_side *tx, const struct stream_side *rx,
	      struct perf_result *res)
{
	res->sent = tx->count;
	res->messages = rx->count;
	res->verify_errors = rx->flow.verify_errors;
	res->seconds = (double)(rx->end_tsc - tx->start_tsc) / rte_get_tsc_hz();
	res->tx_error = tx->err;
	res->rx_error = rx->err;
	/* Without an error the consumer stops at exactly what was sent. */
	if (res->rx_error == 0 && res->tx_error == 0 && res->messages != res->sent)
		res->rx_error = -EPROTO;
}

int
perf_stream_run_size(const struct perf_stream *st, uint32_t size, struct perf_result *res)
{
	struct perf_transport_stats ts;
	struct stream_side tx, rx;
	struct stream_ctl ctl;
	int ret;

	memset(res, 0, sizeof(*res));
	memset(&ctl, 0, sizeof(ctl));
	memset(&tx, 0, sizeof(tx));
	memset(&rx, 0, sizeof(rx));
	res->size = size;
	ret = stream_side_init(&tx, st, &ctl, size, st->tx_lcore);
	if (ret == 0)
		ret = stream_side_init(&rx, st, &ctl, size, st->rx_lcore);
	if (ret == 0) {
		const struct stream_job job[] = {
			{ st->rx_lcore, stream_consume, &rx },
			{ st->tx_lcore, stream_produce, &tx },
		};

		st->tp->ops->stats(st->tp, &ts); /* zero the counters */
		ret = stream_run_jobs(&ctl, job, RTE_DIM(job));
	} else {
		fprintf(stderr, "vmci-perf: no memory for %u buffers of %" PRIu32 " bytes\n",
			st->tp->nb_bufs, size);
	}
	if (ret == 0) {
		stream_result(&tx, &rx, res);
		st->tp->ops->stats(st->tp, &ts);
		res->tx_full = ts.tx_full;
		res->rx_empty = ts.rx_empty;
	}
	perf_flow_free(&tx.flow);
	perf_flow_free(&rx.flow);
	return ret;
}
