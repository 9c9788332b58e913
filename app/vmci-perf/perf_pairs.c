/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

/*
 * The scale run: for each pair count N, N queue pairs the emulated guest
 * device creates for the host, each attached by the emulated host's
 * device (transport emu, opened N times: the same create and attach as
 * every other run). Side 0 sends on the busy pairs round-robin on its
 * lcore, side 1 polls all N round-robin on its own; every byte of every
 * message is checked. Measured for each N:
 *  - setup and teardown time per pair (create + attach, detach both ends);
 *  - memory per pair: the memzone bytes the N pairs added (hugepages when
 *    the EAL has them), and the page list QUEUEPAIR_ALLOC gives the device;
 *  - the cost of polling an idle pair: side 1 polls all N with nothing
 *    sent, time per pair per poll;
 *  - aggregate throughput with every pair busy, or one of N.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_memzone.h>
#include <rte_pause.h>

#include "perf_flow.h"
#include "perf_pairs.h"
#include "perf_plot.h"
#include "perf_transport.h"

#define PAGE 4096u
/* Page numbers in QUEUEPAIR_ALLOC: 64-bit with the PPN64 capability. */
#define PPN_BYTES 8u
/* Idle polls per measurement: pairs x rounds, about this many. */
#define IDLE_POLLS (UINT64_C(1) << 20)
/* Once the producer stopped, missing messages get this long, then count as lost. */
#define LOST_WAIT_S 1

/*
 * What the emulated hypervisor allows (VMCI_EMU_MAX_QPS of vmci_emu_test.h,
 * VMCI_MAX_GUEST_QP_MEMORY of vmci_defs.h; neither header is the app's to
 * include), and what the real device allows (vmci-device.md 5.4): said in
 * the output when a pair count is refused, not enforced here.
 */
#define EMU_MAX_PAIRS 256u
#define DEVICE_QP_MEMORY (UINT64_C(128) << 20)
#define DEVICE_MAX_PAIRS 16384u

struct pair {
	struct perf_transport tp;
	struct perf_flow txf;
	struct perf_flow rxf;
	uint64_t filled_seq;  /* tx buffers hold the pattern of messages from here */
	uint64_t sent;
	uint64_t received;
	uint64_t byte_errors; /* messages with a wrong byte after the sequence number */
} __rte_cache_aligned;

struct pairs_ctl {
	uint32_t ready __rte_cache_aligned; /* side 1 polls */
	uint32_t done __rte_cache_aligned;  /* side 0 stopped; sent is final */
	uint64_t sent;
	int err;
};

struct pairs_run {
	const struct perf_options *opt;
	struct pair *pair;
	unsigned int n;     /* pairs open */
	unsigned int busy;  /* pairs 0..busy-1 carry a stream */
	struct pairs_ctl ctl;
	uint64_t start_tsc, end_tsc;
	uint64_t idle_polls, idle_cycles;
	int rx_err;
};

/** One pair count's figures. */
struct pairs_result {
	unsigned int pairs;
	unsigned int busy;
	const char *skipped;       /* not measured, and why */
	char why[384];
	uint64_t messages;
	uint64_t sent;
	uint64_t verify_errors;    /* wrong length or sequence number */
	uint64_t byte_errors;
	double seconds;
	double idle_poll_ns;       /* per idle pair per poll */
	double setup_us;           /* per pair: create + attach */
	double teardown_us;        /* per pair: detach both ends */
	uint64_t mem_per_pair;     /* memzone bytes */
	uint64_t ppns;             /* page-list entries the device gets */
	int err;
};

/* The byte every payload byte after the sequence number has. */
static inline uint8_t
pattern(uint64_t seq, unsigned int pair)
{
	return (uint8_t)(seq * 167 + pair * 59 + 1);
}

/* Sum of every memzone's length: the pairs' queue memory shows in it. */
static void
mz_add(const struct rte_memzone *mz, void *arg)
{
	*(uint64_t *)arg += mz->len;
}

static uint64_t
memzone_bytes(void)
{
	uint64_t sum = 0;

	rte_memzone_walk(mz_add, &sum);
	return sum;
}

/* Fill the burst's buffers with the patterns of the messages they will carry. */
static void
pair_fill(struct pair *p, unsigned int idx)
{
	struct perf_flow *f = &p->txf;
	unsigned int i;

	for (i = 0; i < f->burst; i++)
		memset((uint8_t *)f->iov[i].iov_base + f->seq_len, pattern(f->seq + i, idx),
		       f->size - f->seq_len);
	p->filled_seq = f->seq;
}

/* Every byte after the sequence number, from the sequence number it carries. */
static void
pair_check(struct pair *p, unsigned int idx, unsigned int n)
{
	const struct perf_flow *f = &p->rxf;
	const uint8_t *b;
	uint64_t seq;
	unsigned int i;
	uint32_t j;
	uint8_t want;

	for (i = 0; i < n; i++) {
		b = f->iov[i].iov_base;
		seq = 0;
		memcpy(&seq, b, f->seq_len);
		want = pattern(seq, idx);
		for (j = f->seq_len; j < f->size; j++) {
			if (unlikely(b[j] != want)) {
				p->byte_errors++;
				break;
			}
		}
	}
}

static int
pairs_produce(void *arg)
{
	struct pairs_run *r = arg;
	const struct perf_options *opt = r->opt;
	uint64_t end, count = 0, want = opt->count * r->busy;
	unsigned int i;
	int n = 0;

	while (__atomic_load_n(&r->ctl.ready, __ATOMIC_ACQUIRE) == 0)
		rte_pause();
	r->start_tsc = rte_rdtsc();
	end = r->start_tsc + (uint64_t)(opt->duration * rte_get_tsc_hz());
	while (opt->count > 0 ? count < want : rte_rdtsc() < end) {
		for (i = 0; i < r->busy; i++) {
			struct pair *p = &r->pair[i];

			if (opt->count > 0 && p->sent >= opt->count)
				continue;
			if (opt->count > 0)
				p->txf.burst = (unsigned int)RTE_MIN((uint64_t)opt->burst,
								     opt->count - p->sent);
			if (opt->verify && p->filled_seq != p->txf.seq)
				pair_fill(p, i);
			n = p->tp.tx(&p->tp, 0, &p->txf);
			if (unlikely(n < 0))
				goto out;
			p->sent += n;
			count += n;
		}
	}
out:
	r->ctl.sent = count;
	r->ctl.err = n < 0 ? n : 0;
	__atomic_store_n(&r->ctl.done, 1, __ATOMIC_RELEASE);
	return 0;
}

static int
pairs_consume(void *arg)
{
	struct pairs_run *r = arg;
	uint64_t received = 0, deadline = 0, now;
	unsigned int i;
	int n, got;

	__atomic_store_n(&r->ctl.ready, 1, __ATOMIC_RELEASE);
	for (;;) {
		got = 0;
		for (i = 0; i < r->n; i++) {
			struct pair *p = &r->pair[i];

			n = p->tp.rx(&p->tp, 1, &p->rxf);
			if (unlikely(n < 0)) {
				r->rx_err = n;
				goto out;
			}
			if (n > 0 && r->opt->verify)
				pair_check(p, i, (unsigned int)n);
			p->received += n;
			got += n;
		}
		received += got;
		if (got > 0 || __atomic_load_n(&r->ctl.done, __ATOMIC_ACQUIRE) == 0)
			continue;
		if (received >= r->ctl.sent)
			break;
		now = rte_rdtsc();
		if (deadline == 0)
			deadline = now + LOST_WAIT_S * rte_get_tsc_hz();
		else if (now > deadline) {
			r->rx_err = -ETIMEDOUT;
			break;
		}
	}
out:
	r->end_tsc = rte_rdtsc();
	return 0;
}

/* Side 1 polls every pair with nothing sent: the cost of an idle pair. */
static int
pairs_idle(void *arg)
{
	struct pairs_run *r = arg;
	uint64_t rounds = RTE_MAX(UINT64_C(1), IDLE_POLLS / r->n), k, t0;
	unsigned int i;
	int n = 0;

	t0 = rte_rdtsc();
	for (k = 0; k < rounds; k++) {
		for (i = 0; i < r->n; i++)
			n |= r->pair[i].tp.rx(&r->pair[i].tp, 1, &r->pair[i].rxf);
	}
	r->idle_cycles = rte_rdtsc() - t0;
	r->idle_polls = rounds * r->n;
	r->rx_err = n != 0 ? -EPROTO : 0; /* nothing was sent */
	return 0;
}

static void
pairs_close(struct pairs_run *r)
{
	unsigned int i;

	for (i = 0; i < r->n; i++) {
		perf_flow_free(&r->pair[i].txf);
		perf_flow_free(&r->pair[i].rxf);
		perf_transport_close(&r->pair[i].tp);
	}
	r->n = 0;
}

static void
limit_note(struct pairs_result *res, unsigned int opened, int err, const struct perf_options *opt)
{
	snprintf(res->why, sizeof(res->why), "the emulated hypervisor refused pair %u (%s):"
		 " it allows %u pairs per instance and %" PRIu64 " MiB of queues per guest"
		 " device (%u pairs of two %" PRIu64 " B queues at most); a real VMCI device"
		 " allows %" PRIu64 " MiB per guest device, at most %u pairs",
		 opened + 1, strerror(-err), EMU_MAX_PAIRS, DEVICE_QP_MEMORY >> 20,
		 (unsigned int)RTE_MIN((uint64_t)EMU_MAX_PAIRS,
				       DEVICE_QP_MEMORY / (2 * opt->queue_size)),
		 opt->queue_size, DEVICE_QP_MEMORY >> 20, DEVICE_MAX_PAIRS);
	res->skipped = res->why;
}

/* Open N pairs, timed; on a refusal, say which limit of the emulator it is. */
static int
pairs_open(struct pairs_run *r, unsigned int n, int socket, struct pairs_result *res)
{
	const struct perf_options *opt = r->opt;
	uint64_t mz0 = memzone_bytes(), t0 = rte_rdtsc();
	unsigned int i;
	int ret = 0;

	for (i = 0; i < n && ret == 0; i++) {
		ret = perf_transport_open(&r->pair[i].tp, &perf_transport_emu_qp, opt, socket);
		if (ret == 0)
			r->n++;
	}
	if (ret < 0) {
		limit_note(res, r->n, ret, opt);
		return ret;
	}
	res->setup_us = (double)(rte_rdtsc() - t0) * 1e6 / rte_get_tsc_hz() / n;
	res->mem_per_pair = (memzone_bytes() - mz0) / n;
	/* A header page and the data pages of each queue (vmci-device.md, QUEUEPAIR_ALLOC). */
	res->ppns = 2 + 2 * (RTE_ALIGN_CEIL(opt->queue_size, PAGE) / PAGE);
	for (i = 0; i < n && ret == 0; i++) {
		ret = perf_flow_init(&r->pair[i].txf, opt->sizes[0], opt->burst, opt->burst,
				     opt->verify, socket);
		if (ret == 0)
			ret = perf_flow_init(&r->pair[i].rxf, opt->sizes[0], opt->burst,
					     opt->burst, opt->verify, socket);
		r->pair[i].filled_seq = UINT64_MAX;
	}
	if (ret < 0)
		snprintf(res->why, sizeof(res->why), "out of memory for the message buffers");
	if (ret < 0)
		res->skipped = res->why;
	return ret;
}

static void
pairs_teardown(struct pairs_run *r, struct pairs_result *res)
{
	unsigned int n = r->n;
	uint64_t t0 = rte_rdtsc();

	pairs_close(r);
	if (n > 0)
		res->teardown_us = (double)(rte_rdtsc() - t0) * 1e6 / rte_get_tsc_hz() / n;
}

static void
pairs_collect(const struct pairs_run *r, struct pairs_result *res)
{
	unsigned int i;

	for (i = 0; i < r->n; i++) {
		res->messages += r->pair[i].received;
		res->sent += r->pair[i].sent;
		res->verify_errors += r->pair[i].rxf.verify_errors;
		res->byte_errors += r->pair[i].byte_errors;
	}
	res->seconds = r->end_tsc > r->start_tsc ?
		(double)(r->end_tsc - r->start_tsc) / rte_get_tsc_hz() : 0;
	res->idle_poll_ns = r->idle_polls > 0 ?
		(double)r->idle_cycles * 1e9 / rte_get_tsc_hz() / r->idle_polls : 0;
	res->err = r->ctl.err != 0 ? r->ctl.err : r->rx_err;
	if (res->err == 0 && res->messages != res->sent)
		res->err = -EPROTO;
}

/*
 * Run @p a on lcore @p la and, if not NULL, @p b on lcore @p lb, at once:
 * the one on this lcore (if any) here, the others launched; wait for all.
 * @p b goes first, so that a side that waits for the other finds it running.
 */
static int
run_on(lcore_function_t *a, unsigned int la, lcore_function_t *b, unsigned int lb, void *arg)
{
	unsigned int self = rte_lcore_id();
	int ret = 0;

	if (b != NULL && lb != self)
		ret = rte_eal_remote_launch(b, arg, lb);
	if (ret == 0 && la != self)
		ret = rte_eal_remote_launch(a, arg, la);
	if (ret < 0)
		return ret; /* the caller stops what was launched, then waits */
	if (la == self)
		a(arg);
	else if (b != NULL && lb == self)
		b(arg);
	if (la != self)
		rte_eal_wait_lcore(la);
	if (b != NULL && lb != self)
		rte_eal_wait_lcore(lb);
	return 0;
}

/* One pair count: open, idle polls, the stream, teardown. */
static int
pairs_one(struct pairs_run *r, unsigned int n, unsigned int tx_lcore, unsigned int rx_lcore,
	  struct pairs_result *res)
{
	int socket = (int)rte_lcore_to_socket_id(tx_lcore);
	int ret;

	memset(res, 0, sizeof(*res));
	res->pairs = n;
	res->busy = r->opt->pairs_busy_one ? 1 : n;
	memset(&r->ctl, 0, sizeof(r->ctl));
	r->busy = res->busy;
	r->rx_err = 0;
	r->idle_polls = 0;
	ret = pairs_open(r, n, socket, res);
	if (ret == 0)
		ret = run_on(pairs_idle, rx_lcore, NULL, 0, r);
	if (ret == 0)
		ret = r->rx_err;
	if (ret == 0) {
		ret = run_on(pairs_produce, tx_lcore, pairs_consume, rx_lcore, r);
		if (ret < 0) {
			/* A launched consumer ends once the producer says it sent nothing. */
			__atomic_store_n(&r->ctl.done, 1, __ATOMIC_RELEASE);
			rte_eal_mp_wait_lcore();
		}
	}
	if (ret == 0) {
		pairs_collect(r, res);
	} else if (res->skipped == NULL) {
		res->err = ret;
	}
	pairs_teardown(r, res);
	return 0;
}

static double
res_mmsgs(const struct pairs_result *res)
{
	return res->seconds > 0 ? (double)res->messages / res->seconds / 1e6 : 0;
}

static double
res_gbps(const struct pairs_result *res, uint32_t size)
{
	return res->seconds > 0 ? (double)res->messages * size / res->seconds / 1e9 : 0;
}

static bool
res_failed(const struct pairs_result *res)
{
	return res->err != 0 || res->verify_errors > 0 || res->byte_errors > 0;
}

static void
print_columns(void)
{
	printf("\n%6s %5s %10s %10s %12s %11s %11s %12s %10s %12s %10s\n", "pairs", "busy",
	       "Mmsg/s", "GB/s", "idle_poll_ns", "setup_us", "teardown_us", "mem_B/pair",
	       "pagelist_B", "messages", "bad_msgs");
}

static void
print_row(const struct perf_options *opt, const struct pairs_result *res)
{
	if (res->skipped != NULL) {
		printf("%6u %5u  skipped: %s\n", res->pairs, res->busy, res->skipped);
		return;
	}
	printf("%6u %5u %10.3f %10.3f %12.2f %11.1f %11.1f %12" PRIu64 " %10" PRIu64
	       " %12" PRIu64 " %10" PRIu64 "\n", res->pairs, res->busy, res_mmsgs(res),
	       res_gbps(res, opt->sizes[0]), res->idle_poll_ns, res->setup_us,
	       res->teardown_us, res->mem_per_pair, res->ppns * PPN_BYTES, res->messages,
	       res->verify_errors + res->byte_errors);
	if (res->err == -ETIMEDOUT)
		printf("  consumer: messages lost: none arrived for 1 s after the producer"
		       " stopped\n");
	else if (res->err != 0)
		printf("  stopped: error %d (%s)\n", res->err, strerror(-res->err));
	if (res->messages != res->sent)
		printf("  consumer received %" PRIu64 " messages, producer sent %" PRIu64 "\n",
		       res->messages, res->sent);
	fflush(stdout);
}

/* Throughput of N pairs against one pair's in the same run (0: no 1-pair row). */
static double
of_one_pair(const struct pairs_result *res, unsigned int nb, const struct pairs_result *r)
{
	unsigned int i;

	for (i = 0; i < nb; i++) {
		if (res[i].pairs == 1 && res[i].skipped == NULL && !res_failed(&res[i]) &&
		    res_mmsgs(&res[i]) > 0)
			return res_mmsgs(r) / res_mmsgs(&res[i]);
	}
	return 0;
}

static void
print_summary(const struct pairs_result *res, unsigned int nb)
{
	unsigned int i;
	double x;

	printf("\nHow to read it: Mmsg/s and GB/s are all busy pairs together, from the"
	       " producer's first\ntry to the consumer's last message; idle_poll_ns is side 1's"
	       " time per pair per poll\nwith nothing sent (every pair idle); mem_B/pair is the"
	       " memzone memory the pairs added\n(%s), pagelist_B the page"
	       " numbers QUEUEPAIR_ALLOC hands the device\n(64-bit PPNs).\n",
	       rte_eal_has_hugepages() ? "hugepages" : "EAL without hugepages: ordinary memory");
	printf("Emulated hypervisor: at most %u pairs per instance and %" PRIu64 " MiB of queues"
	       " per guest\ndevice; a real VMCI device: %" PRIu64 " MiB per guest device, at most"
	       " %u pairs (vmci-device.md 5.4).\n", EMU_MAX_PAIRS, DEVICE_QP_MEMORY >> 20,
	       DEVICE_QP_MEMORY >> 20, DEVICE_MAX_PAIRS);
	for (i = 0; i < nb; i++) {
		x = of_one_pair(res, nb, &res[i]);
		if (res[i].skipped == NULL && res[i].pairs > 1 && x > 0)
			printf("  %u pairs (%u busy): %.2fx one pair's throughput\n", res[i].pairs,
			       res[i].busy, x);
	}
}

static void
json_row(FILE *f, const struct perf_options *opt, const struct pairs_result *res,
	 const struct pairs_result *all, unsigned int nb)
{
	double x = of_one_pair(all, nb, res);

	fprintf(f, "    {\"pairs\": %u, \"busy_pairs\": %u", res->pairs, res->busy);
	if (res->skipped != NULL) {
		fprintf(f, ", \"skipped\": ");
		perf_json_str(f, res->skipped);
		fprintf(f, "}");
		return;
	}
	fprintf(f, ", \"mmsgs_per_s\": %.4f, \"gbytes_per_s\": %.4f, \"messages\": %" PRIu64
		", \"sent\": %" PRIu64 ", \"seconds\": %.6f, \"verify_errors\": %" PRIu64
		", \"byte_errors\": %" PRIu64 ", \"error\": ", res_mmsgs(res),
		res_gbps(res, opt->sizes[0]), res->messages, res->sent, res->seconds,
		res->verify_errors, res->byte_errors);
	if (res->err != 0)
		perf_json_str(f, strerror(-res->err));
	else
		fprintf(f, "null");
	fprintf(f, ", \"idle_poll_ns\": %.3f, \"setup_us_per_pair\": %.3f,"
		" \"teardown_us_per_pair\": %.3f, \"memory_bytes_per_pair\": %" PRIu64
		", \"page_list_entries_per_pair\": %" PRIu64 ", \"page_list_bytes_per_pair\": %"
		PRIu64 ", \"of_one_pair\": ", res->idle_poll_ns, res->setup_us,
		res->teardown_us, res->mem_per_pair, res->ppns, res->ppns * PPN_BYTES);
	if (x > 0)
		fprintf(f, "%.4f}", x);
	else
		fprintf(f, "null}");
}

static const char *
verification(const struct perf_options *opt, const struct pairs_result *res, unsigned int nb)
{
	unsigned int i;

	if (!opt->verify)
		return "off";
	for (i = 0; i < nb; i++) {
		if (res[i].skipped == NULL && res_failed(&res[i]))
			return "failed";
	}
	return "passed";
}

static int
write_json(FILE *f, const struct perf_options *opt, const struct perf_env *env,
	   const struct pairs_result *res, unsigned int nb)
{
	unsigned int i;

	fprintf(f, "{\n  \"tool\": \"vmci-perf\",\n  \"mode\": \"pairs\",\n  \"transport\":"
		" \"emu\",\n  \"api\": \"msg\",\n  \"busy\": \"%s\",\n  \"size\": %" PRIu32
		",\n  \"queue_size\": %" PRIu64 ",\n  \"burst\": %u,\n  \"duration_s\": ",
		opt->pairs_busy_one ? "one" : "all", opt->sizes[0], opt->queue_size, opt->burst);
	if (opt->count > 0)
		fprintf(f, "null");
	else
		fprintf(f, "%.3f", opt->duration);
	fprintf(f, ",\n  \"count_per_pair\": %" PRIu64 ",\n  \"verify\": %s,\n", opt->count,
		opt->verify ? "true" : "false");
	perf_json_machine(f, env);
	fprintf(f, "  \"limits\": {\"emulator_max_pairs\": %u, \"emulator_queue_bytes_per_device\":"
		" %" PRIu64 ", \"device_queue_bytes_per_device\": %" PRIu64
		", \"device_max_pairs\": %u},\n", EMU_MAX_PAIRS, DEVICE_QP_MEMORY,
		DEVICE_QP_MEMORY, DEVICE_MAX_PAIRS);
	fprintf(f, "  \"verification\": \"%s\",\n  \"results\": [\n",
		verification(opt, res, nb));
	for (i = 0; i < nb; i++) {
		json_row(f, opt, &res[i], res, nb);
		fprintf(f, "%s\n", i + 1 < nb ? "," : "");
	}
	fprintf(f, "  ]\n}\n");
	fflush(f);
	return ferror(f) ? -EIO : 0;
}

struct pairs_plot {
	const struct perf_options *opt;
	const struct pairs_result *res;
	unsigned int nb;
};

/* Throughput and idle-poll cost against N, one panel each. */
static void
draw_pairs(FILE *gp, const char *png, void *arg)
{
	const struct pairs_plot *pp = arg;
	unsigned int i;

	fprintf(gp, "set terminal pngcairo size 1000,1100\nset output '%s'\nset grid\n"
		"set multiplot layout 2,1 title 'vmci-perf --pairs: %" PRIu32 " B messages, %s"
		" busy, %" PRIu64 " B queues'\nset logscale x 2\nset xlabel 'queue pairs'\n"
		"set key below\n", png, pp->opt->sizes[0],
		pp->opt->pairs_busy_one ? "one pair" : "every pair", pp->opt->queue_size);
	fprintf(gp, "$tput << EOD\n");
	for (i = 0; i < pp->nb; i++)
		if (pp->res[i].skipped == NULL)
			fprintf(gp, "%u %.6f\n", pp->res[i].pairs, res_mmsgs(&pp->res[i]));
	fprintf(gp, "EOD\n$poll << EOD\n");
	for (i = 0; i < pp->nb; i++)
		if (pp->res[i].skipped == NULL)
			fprintf(gp, "%u %.6f\n", pp->res[i].pairs, pp->res[i].idle_poll_ns);
	fprintf(gp, "EOD\nset title 'aggregate throughput'\nset ylabel 'Mmsg/s (all busy"
		" pairs)'\nset yrange [0:*]\nplot $tput using 1:2 with linespoints title"
		" 'aggregate Mmsg/s'\n");
	fprintf(gp, "set title 'cost of polling an idle pair'\nset ylabel 'ns per idle pair per"
		" poll'\nplot $poll using 1:2 with linespoints title 'idle poll ns'\n"
		"unset multiplot\n");
}

int
perf_pairs_run(const struct perf_options *opt, unsigned int tx_lcore, unsigned int rx_lcore,
	       const struct perf_env *env, FILE *json)
{
	struct pairs_result res[PERF_MAX_PAIR_COUNTS];
	struct pairs_run r;
	unsigned int i, max = 0;
	bool bad = false;
	int ret = 0;

	memset(&r, 0, sizeof(r));
	r.opt = opt;
	for (i = 0; i < opt->nb_pairs; i++)
		max = RTE_MAX(max, opt->pairs[i]);
	r.pair = rte_zmalloc("vmci_perf_pairs", sizeof(*r.pair) * max, RTE_CACHE_LINE_SIZE);
	if (r.pair == NULL) {
		fprintf(stderr, "vmci-perf: out of memory for %u pairs\n", max);
		return EXIT_FAILURE;
	}
	printf("scale run: %" PRIu32 " B framed messages, %" PRIu64 " B queues, burst %u, %s"
	       " busy; side 0 sends round-robin on lcore %u, side 1 polls every pair on lcore"
	       " %u; every byte checked: %s\n", opt->sizes[0], opt->queue_size, opt->burst,
	       opt->pairs_busy_one ? "one pair" : "every pair", tx_lcore, rx_lcore,
	       opt->verify ? "yes" : "no (--no-verify)");
	print_columns();
	for (i = 0; i < opt->nb_pairs; i++) {
		memset(r.pair, 0, sizeof(*r.pair) * max);
		pairs_one(&r, opt->pairs[i], tx_lcore, rx_lcore, &res[i]);
		print_row(opt, &res[i]);
		bad |= res[i].skipped == NULL && res_failed(&res[i]);
	}
	rte_free(r.pair);
	print_summary(res, opt->nb_pairs);
	if (json != NULL && write_json(json, opt, env, res, opt->nb_pairs) < 0) {
		fprintf(stderr, "vmci-perf: writing %s failed\n", opt->json_path);
		ret = -EIO;
	}
	if (opt->plot_path != NULL) {
		struct pairs_plot pp = { opt, res, opt->nb_pairs };
		int pret = perf_plot_output(opt->plot_path, json != NULL, draw_pairs, &pp);

		if (pret < 0 && pret != -ENOENT)
			ret = pret;
	}
	if (bad)
		printf("\nFAILED: a run ended in error or found a wrong message\n");
	else if (opt->verify)
		printf("\nverification passed: every byte of every message was as sent\n");
	return bad || ret < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
