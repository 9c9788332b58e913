/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

/*
 * vmci-echo-peer: the host end of vmci-perf --transport vmci in the
 * emulated hypervisor, and the executable specification of what a host
 * peer on VMware does (protocol: app/vmci-perf/perf_transport_vmci.h).
 *
 *   vmci-echo-peer --proc-type=secondary --file-prefix=P [EAL options] -- [options]
 *
 * It is a DPDK secondary process of the vmci-perf primary whose emulated
 * device made the pair: the emulated hypervisor is a memzone of that
 * primary. It plays context 2 through the host's device on the vmci bus
 * (-a vmci:vmci_host0, added when no vmci device is named) and the public
 * rte_vmci_ API only: it takes the valid offers sent to its service,
 * attaches to the offered pair, copies every byte it reads back into the
 * pair and detaches when the guest does. One pair at a time; it exits
 * when the primary is gone or after --pairs pairs.
 */

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_memcpy.h>
#include <rte_memory.h>

#include <rte_bus_vmci.h>
#include <rte_vmci_qp.h>

#include "perf_transport_vmci.h"

#define EXIT_USAGE 2
/* Smallest queue a guest may offer: one page. */
#define QUEUE_SIZE_MIN UINT64_C(4096)
#define QUEUE_SIZE_MAX_DEFAULT (UINT64_C(64) << 20)
/* The host's device, when the command line names no vmci device. */
#define HOST_DEV "vmci_host0"
/* Echo calls between two polls of the host's device. */
#define ECHO_CALLS_PER_DG_CHECK 256u
/* Empty echo calls before the CPU is given up once. */
#define IDLE_SPINS 256u

/* enum perf_mode values the guest may offer (bidir is refused by vmci-perf). */
#define MODE_STREAM 0u
#define MODE_PINGPONG 2u
#define API_MAX 2u

struct peer_opts {
	const char *hv;         /* emulated hypervisor instance; NULL: the default */
	char devargs[64];       /* vmci:vmci_host0[,hv=<hv>] */
	uint32_t service;       /* resource ID the offers come to */
	uint32_t guest;         /* only offers from this context; RTE_VMCI_INVALID_ID: any */
	uint64_t max_queue;     /* largest queue accepted */
	uint64_t detach_after;  /* detach after echoing this many bytes of a pair; 0: never */
	uint64_t stall_after;   /* stop echoing (stay attached) after this many; 0: never */
	unsigned int max_pairs; /* exit after serving this many pairs; 0: until the primary exits */
};

struct peer {
	struct peer_opts opt;
	struct rte_vmci_device *dev;   /* the host's device */
	struct rte_vmci_dgram *dg;     /* receives the offers */
	struct rte_vmci_qpair *qpair;  /* the pair being served, NULL if none */
	struct rte_vmci_qp *ep;        /* its endpoint */
	bool offer_pending;            /* an offer of the right size came in */
	uint32_t offer_src;            /* its sender's context */
	struct perf_vmci_offer offer;  /* a private copy of it */
	struct rte_vmci_handle handle; /* its handle */
	struct rte_vmci_handle last;   /* the last pair served: its late offers are repeats */
	uint64_t consume_size;         /* bytes of our consume queue (the guest's produce) */
	uint64_t echoed;               /* bytes echoed on the current pair */
	uint64_t total;                /* bytes echoed on every pair */
	unsigned int served;           /* pairs served to their end */
	struct rte_vmci_handle refused; /* the last offer refused: its repeats are not logged */
	unsigned int bad_offers;
	int err;                       /* a fatal error: exit status 1 */
};

static bool
handle_eq(struct rte_vmci_handle a, struct rte_vmci_handle b)
{
	return a.context == b.context && a.resource == b.resource;
}

static void
usage(const char *prg)
{
	printf("Usage: %s --proc-type=secondary --file-prefix=PREFIX [EAL options] -- [options]\n"
	       "\n"
	       "Host end (context 2) of vmci-perf --transport vmci in the emulated hypervisor\n"
	       "of the vmci-perf primary with that --file-prefix, through the host's device\n"
	       "(-a vmci:" HOST_DEV ", added when no vmci device is named): attaches to each\n"
	       "pair offered to --service and echoes every byte back until the guest detaches.\n"
	       "\n"
	       "Options:\n"
	       "  --service RID         resource ID the offers are sent to (default %u)\n"
	       "  --guest CID           accept offers from this context only (default any)\n"
	       "  --max-queue-size B    largest queue accepted, bytes (default %" PRIu64 ")\n"
	       "  --pairs N             exit after serving N pairs (default: when the\n"
	       "                        primary exits)\n"
	       "  --detach-after B      detach from a pair after echoing B bytes of it\n"
	       "                        (tests a peer leaving mid-run)\n"
	       "  --stall-after B       stop echoing a pair after B bytes of it, but stay\n"
	       "                        attached until the guest leaves (tests a stuck peer)\n"
	       "  --hv NAME             emulated hypervisor instance (default vmci_emu)\n",
	       prg, PERF_VMCI_SERVICE_DEFAULT, QUEUE_SIZE_MAX_DEFAULT);
}

static int
parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (s[0] < '0' || s[0] > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

/* Name the option and the value, then what is allowed. */
static int
bad_value(const char *name, const char *arg, const char *allowed)
{
	fprintf(stderr, "vmci-echo-peer: error: --%s \"%s\": expected %s\n", name, arg, allowed);
	return -EINVAL;
}

static int
parse_args(struct peer_opts *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "service", required_argument, NULL, 's' },
		{ "guest", required_argument, NULL, 'g' },
		{ "max-queue-size", required_argument, NULL, 'q' },
		{ "pairs", required_argument, NULL, 'p' },
		{ "detach-after", required_argument, NULL, 'd' },
		{ "stall-after", required_argument, NULL, 't' },
		{ "hv", required_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t v;
	int c;

	o->hv = NULL;
	o->service = PERF_VMCI_SERVICE_DEFAULT;
	o->guest = RTE_VMCI_INVALID_ID;
	o->max_queue = QUEUE_SIZE_MAX_DEFAULT;
	o->detach_after = 0;
	o->stall_after = 0;
	o->max_pairs = 0;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			if (parse_u64(optarg, 1, RTE_VMCI_INVALID_ID - 1, &v) < 0)
				return bad_value("service", optarg, "a resource ID 1..4294967294");
			o->service = (uint32_t)v;
			break;
		case 'g':
			if (parse_u64(optarg, 3, RTE_VMCI_INVALID_ID - 1, &v) < 0)
				return bad_value("guest", optarg, "a guest context ID 3..4294967294");
			o->guest = (uint32_t)v;
			break;
		case 'q':
			if (parse_u64(optarg, QUEUE_SIZE_MIN, UINT64_C(1) << 30, &v) < 0)
				return bad_value("max-queue-size", optarg, "4096..1073741824 bytes");
			o->max_queue = v;
			break;
		case 'p':
			if (parse_u64(optarg, 1, 1000000, &v) < 0)
				return bad_value("pairs", optarg, "1..1000000");
			o->max_pairs = (unsigned int)v;
			break;
		case 'd':
			if (parse_u64(optarg, 1, UINT64_MAX, &v) < 0)
				return bad_value("detach-after", optarg, "bytes, at least 1");
			o->detach_after = v;
			break;
		case 't':
			if (parse_u64(optarg, 1, UINT64_MAX, &v) < 0)
				return bad_value("stall-after", optarg, "bytes, at least 1");
			o->stall_after = v;
			break;
		case 'v':
			if (strlen(optarg) == 0 || strlen(optarg) > 19 || strchr(optarg, ',') != NULL)
				return bad_value("hv", optarg, "a name of 1..19 characters");
			o->hv = optarg;
			break;
		case 'h':
			usage(argv[0]);
			return 1;
		case ':':
			fprintf(stderr, "vmci-echo-peer: error: %s needs a value\n",
				argv[optind - 1]);
			return -EINVAL;
		default:
			fprintf(stderr, "vmci-echo-peer: error: unknown option %s\n",
				argv[optind - 1]);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "vmci-echo-peer: error: unexpected argument \"%s\"\n",
			argv[optind]);
		return -EINVAL;
	}
	snprintf(o->devargs, sizeof(o->devargs), "vmci:" HOST_DEV "%s%s",
		 o->hv != NULL ? ",hv=" : "", o->hv != NULL ? o->hv : "");
	return 0;
}

/*
 * Why the offer @p o from context @p src is refused, or NULL when it is
 * valid. @p o is a private copy: every field is read once, here.
 */
static const char *
offer_refusal(const struct peer *p, const struct perf_vmci_offer *o, uint32_t src,
	      char *why, size_t len)
{
	unsigned int i;

	if (p->opt.guest != RTE_VMCI_INVALID_ID && src != p->opt.guest) {
		snprintf(why, len, "sender context %u, expected %u (--guest)", src, p->opt.guest);
		return why;
	}
	if (o->magic != PERF_VMCI_OFFER_MAGIC || o->version != PERF_VMCI_OFFER_VERSION) {
		snprintf(why, len, "magic 0x%08x version %u, expected 0x%08x version %u",
			 o->magic, o->version, PERF_VMCI_OFFER_MAGIC, PERF_VMCI_OFFER_VERSION);
		return why;
	}
	for (i = 0; i < RTE_DIM(o->reserved); i++) {
		if (o->reserved[i] != 0)
			break;
	}
	if (o->reserved0 != 0 || i < RTE_DIM(o->reserved)) {
		snprintf(why, len, "reserved fields not 0");
		return why;
	}
	if ((o->mode != MODE_STREAM && o->mode != MODE_PINGPONG) || o->api > API_MAX) {
		snprintf(why, len, "mode %u api %u, expected mode %u (stream) or %u (pingpong),"
			 " api 0..%u", o->mode, o->api, MODE_STREAM, MODE_PINGPONG, API_MAX);
		return why;
	}
	if (o->qp_context != src || o->qp_resource == RTE_VMCI_INVALID_ID) {
		snprintf(why, len, "handle %u:%u, expected %u:<resource> (the sender's context)",
			 o->qp_context, o->qp_resource, src);
		return why;
	}
	if (o->produce_size < QUEUE_SIZE_MIN || o->produce_size > p->opt.max_queue ||
	    o->consume_size < QUEUE_SIZE_MIN || o->consume_size > p->opt.max_queue) {
		snprintf(why, len, "queues of %" PRIu64 " and %" PRIu64 " bytes, expected %"
			 PRIu64 "..%" PRIu64 " (--max-queue-size)", o->produce_size,
			 o->consume_size, QUEUE_SIZE_MIN, p->opt.max_queue);
		return why;
	}
	/*
	 * Everything ready is echoed at once: it must fit our produce queue
	 * once the guest has drained it.
	 */
	if (o->consume_size < o->produce_size) {
		snprintf(why, len, "the guest reads a queue of %" PRIu64 " bytes, smaller than the"
			 " %" PRIu64 " it writes: expected at least as large", o->consume_size,
			 o->produce_size);
		return why;
	}
	if (o->max_msg_size == 0 || o->max_msg_size >= o->produce_size) {
		snprintf(why, len, "largest message %u bytes, expected 1..%" PRIu64,
			 o->max_msg_size, o->produce_size - 1);
		return why;
	}
	return NULL;
}

/* Log a refusal once per offered pair: the guest repeats its offer every 100 ms. */
static void
peer_refuse(struct peer *p, uint32_t src, struct rte_vmci_handle h, const char *why)
{
	p->bad_offers++;
	if (handle_eq(h, p->refused))
		return;
	p->refused = h;
	printf("echo-peer: offer from %u refused: %s\n", src, why);
	fflush(stdout);
}

static void
peer_offer(struct peer *p, const struct perf_vmci_offer *offer, uint32_t src)
{
	struct rte_vmci_qpair_conf conf;
	struct perf_vmci_offer o = *offer;
	struct rte_vmci_handle h;
	char why[160];

	h.context = o.qp_context;
	h.resource = o.qp_resource;
	if (offer_refusal(p, &o, src, why, sizeof(why)) != NULL) {
		peer_refuse(p, src, h, why);
		return;
	}
	/* The guest repeats its offer until it sees the attach: not a new one. */
	if ((p->qpair != NULL && handle_eq(h, p->handle)) || handle_eq(h, p->last))
		return;
	if (p->qpair != NULL) {
		snprintf(why, sizeof(why), "busy with queue pair %u:%u", p->handle.context,
			 p->handle.resource);
		peer_refuse(p, src, h, why);
		return;
	}
	/* Our produce queue is the guest's consume queue. */
	memset(&conf, 0, sizeof(conf));
	conf.produce_size = o.consume_size;
	conf.consume_size = o.produce_size;
	conf.peer = src;
	conf.flags = RTE_VMCI_QPAIR_F_ATTACH_ONLY;
	conf.handle = h;
	conf.socket_id = SOCKET_ID_ANY;
	p->qpair = rte_vmci_qpair_create(p->dev, &conf);
	if (p->qpair == NULL) {
		printf("echo-peer: attach to queue pair %u:%u failed: %s\n",
		       h.context, h.resource, rte_strerror(rte_errno));
		fflush(stdout);
		return;
	}
	p->ep = rte_vmci_qpair_endpoint(p->qpair);
	p->handle = h;
	p->last = h;
	p->consume_size = o.produce_size;
	p->echoed = 0;
	printf("echo-peer: attached to queue pair %u:%u of guest %u (mode %s, api %u, queues"
	       " %" PRIu64 "/%" PRIu64 " bytes, messages up to %u bytes)\n",
	       h.context, h.resource, src,
	       o.mode == MODE_STREAM ? "stream" : "pingpong", o.api, o.produce_size,
	       o.consume_size, o.max_msg_size);
	fflush(stdout);
}

static void
peer_detach(struct peer *p, const char *why)
{
	int ret;

	if (p->qpair == NULL)
		return;
	ret = rte_vmci_qpair_detach(p->qpair);
	p->qpair = NULL;
	p->ep = NULL;
	p->total += p->echoed;
	p->served++;
	printf("echo-peer: detached from queue pair %u:%u after echoing %" PRIu64 " bytes (%s)%s\n",
	       p->handle.context, p->handle.resource, p->echoed, why,
	       ret < 0 ? "; the detach hypercall failed" : "");
	fflush(stdout);
}

/*
 * A datagram to our service, run by rte_vmci_poll(): @p len was checked
 * against what the device delivered. Keep a copy of an offer of the right
 * size; it is checked and acted on after the poll.
 */
static void
peer_dgram(struct rte_vmci_dgram *ep, struct rte_vmci_handle src, const void *payload,
	   uint32_t len, void *arg)
{
	struct peer *p = arg;
	struct rte_vmci_handle none = { RTE_VMCI_INVALID_ID, RTE_VMCI_INVALID_ID };
	char why[64];

	RTE_SET_USED(ep);
	if (len != sizeof(p->offer)) {
		snprintf(why, sizeof(why), "%u bytes, expected %u", len, PERF_VMCI_OFFER_SIZE);
		peer_refuse(p, src.context, none, why);
		return;
	}
	memcpy(&p->offer, payload, sizeof(p->offer));
	p->offer_src = src.context;
	p->offer_pending = true;
}

/* Poll the host's device: offers, and the guest leaving its pair. */
static void
peer_poll(struct peer *p)
{
	int ret = rte_vmci_poll(p->dev);

	if (ret < 0) {
		fprintf(stderr, "vmci-echo-peer: polling %s: %s\n", HOST_DEV, strerror(-ret));
		p->err = ret;
		return;
	}
	if (p->qpair != NULL &&
	    rte_vmci_qpair_peer_state(p->qpair) == RTE_VMCI_QPAIR_PEER_DETACHED)
		peer_detach(p, "the guest detached");
	if (p->offer_pending) {
		p->offer_pending = false;
		peer_offer(p, &p->offer, p->offer_src);
	}
}

/* Copy @p n bytes from the mapped regions of @p src into those of @p dst. */
static void
zc_copy(const struct rte_vmci_qp_zc *dst, const struct rte_vmci_qp_zc *src, size_t n)
{
	uint8_t *dp[2] = { dst->ptr1, dst->ptr2 };
	const uint8_t *sp[2] = { src->ptr1, src->ptr2 };
	size_t dl[2] = { dst->len1, dst->len2 };
	size_t sl[2] = { src->len1, src->len2 };
	unsigned int di = 0, si = 0;
	size_t doff = 0, soff = 0, c;

	while (n > 0 && di < 2 && si < 2) {
		c = RTE_MIN(n, RTE_MIN(dl[di] - doff, sl[si] - soff));
		rte_memcpy(dp[di] + doff, sp[si] + soff, c);
		n -= c;
		doff += c;
		soff += c;
		if (doff == dl[di]) {
			di++;
			doff = 0;
		}
		if (soff == sl[si]) {
			si++;
			soff = 0;
		}
	}
}

/*
 * Echo: map every byte ready in our consume queue, and copy them ring to
 * ring only when our produce queue has room for all of them, then
 * publish both. The guest publishes whole messages (framed records, zc
 * messages), so a peer that never publishes part of what it found ready
 * keeps the guest's boundaries without looking at the bytes; a record cut
 * in two would be a truncated record to the guest. The bytes are never
 * interpreted, so nothing in them needs checks; the indices are checked
 * by lib/vmci_qp (-EIO).
 */
static ssize_t
peer_echo(struct peer *p)
{
	struct rte_vmci_qp_zc in, out;
	ssize_t n, room;
	int ret;

	n = rte_vmci_qp_dequeue_zc_burst_start(p->ep, p->consume_size, &in);
	if (n <= 0)
		return n;
	room = rte_vmci_qp_enqueue_zc_bulk_start(p->ep, (size_t)n, &out);
	if (room <= 0) {
		/* Full: wait until the guest drained enough (nothing released). */
		ret = rte_vmci_qp_dequeue_zc_finish(p->ep, 0);
		return room < 0 ? room : ret;
	}
	zc_copy(&out, &in, (size_t)n);
	ret = rte_vmci_qp_enqueue_zc_finish(p->ep, (size_t)n);
	if (ret == 0)
		ret = rte_vmci_qp_dequeue_zc_finish(p->ep, (size_t)n);
	if (ret < 0)
		return ret;
	p->echoed += (uint64_t)n;
	return n;
}

static int
peer_serve(struct peer *p)
{
	uint64_t hz = rte_get_timer_hz();
	uint64_t next_alive = 0, now;
	unsigned int calls = 0, idle = 0;
	ssize_t n;

	printf("echo-peer: serving offers to %u:%u (process %d)\n", RTE_VMCI_HOST_CID,
	       p->opt.service, (int)getpid());
	fflush(stdout);
	while (p->err == 0) {
		if (p->ep == NULL) {
			peer_poll(p);
			if (p->ep == NULL) {
				if (p->opt.max_pairs > 0 && p->served >= p->opt.max_pairs)
					break;
				usleep(1000);
			}
		} else {
			if (p->opt.stall_after > 0 && p->echoed >= p->opt.stall_after)
				n = 0;
			else
				n = peer_echo(p);
			if (n < 0) {
				fprintf(stderr, "vmci-echo-peer: queue pair %u:%u: %s\n",
					p->handle.context, p->handle.resource, strerror((int)-n));
				peer_detach(p, "ring error");
				p->err = (int)n;
				break;
			}
			if (p->opt.detach_after > 0 && p->echoed >= p->opt.detach_after) {
				peer_detach(p, "--detach-after");
				continue;
			}
			if (n == 0 && ++idle == IDLE_SPINS) {
				/* Nothing to echo: let a process sharing this CPU run. */
				idle = 0;
				sched_yield();
			}
			if (++calls == ECHO_CALLS_PER_DG_CHECK || n == 0) {
				calls = 0;
				peer_poll(p);
			}
		}
		now = rte_get_timer_cycles();
		if (now >= next_alive) {
			next_alive = now + hz / 10;
			if (!rte_eal_primary_proc_alive(NULL)) {
				peer_detach(p, "the primary exited");
				printf("echo-peer: the primary exited\n");
				break;
			}
		}
	}
	if (p->qpair != NULL)
		peer_detach(p, "exiting");
	printf("echo-peer: served %u pairs, echoed %" PRIu64 " bytes, refused %u offers\n",
	       p->served, p->total, p->bad_offers);
	return p->err == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

/* Whether the EAL arguments name a vmci device. */
static bool
names_vmci_device(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++)
		if (strncmp(argv[i], "vmci:", 5) == 0 || strstr(argv[i], "=vmci:") != NULL)
			return true;
	return false;
}

/* The first device of the host context (CID 2), or NULL. */
static struct rte_vmci_device *
host_device(void)
{
	struct rte_vmci_device *dev;
	uint16_t i;

	for (i = 0; (dev = rte_vmci_dev_get(i)) != NULL; i++)
		if (rte_vmci_context_id(dev) == RTE_VMCI_HOST_CID)
			return dev;
	return NULL;
}

static int
peer_open(struct peer *p)
{
	p->dev = host_device();
	if (p->dev == NULL) {
		fprintf(stderr, "vmci-echo-peer: no vmci device of the host context (CID %u):"
			" expected -a %s (and the emulator library)\n", RTE_VMCI_HOST_CID,
			p->opt.devargs);
		return -ENODEV;
	}
	p->dg = rte_vmci_dgram_create(p->dev, p->opt.service, peer_dgram, p);
	if (p->dg == NULL) {
		fprintf(stderr, "vmci-echo-peer: datagram endpoint on %u:%u: %s\n",
			RTE_VMCI_HOST_CID, p->opt.service, rte_strerror(rte_errno));
		return -rte_errno;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	static char arg_a[] = "-a";
	static struct peer p;
	char **eal_argv;
	int eal_argc, ret, n;

	/* Our options first: --hv names the instance of the host's device. */
	for (eal_argc = 1; eal_argc < argc && strcmp(argv[eal_argc], "--") != 0; eal_argc++)
		;
	if (eal_argc < argc) {
		argv[eal_argc] = argv[0]; /* getopt skips argv[0] */
		ret = parse_args(&p.opt, argc - eal_argc, argv + eal_argc);
	} else {
		ret = parse_args(&p.opt, 1, argv);
	}
	if (ret != 0)
		return ret > 0 ? EXIT_SUCCESS : EXIT_USAGE;
	eal_argv = calloc((size_t)eal_argc + 3, sizeof(*eal_argv));
	if (eal_argv == NULL)
		return EXIT_FAILURE;
	memcpy(eal_argv, argv, sizeof(*argv) * (size_t)eal_argc);
	if (!names_vmci_device(eal_argc, argv)) {
		eal_argv[eal_argc++] = arg_a;
		eal_argv[eal_argc++] = p.opt.devargs;
	}
	n = rte_eal_init(eal_argc, eal_argv);
	if (n < 0) {
		fprintf(stderr, "vmci-echo-peer: EAL initialisation failed: %s (run it as the"
			" secondary of vmci-perf: --proc-type=secondary and its --file-prefix)\n",
			rte_strerror(rte_errno));
		free(eal_argv);
		return EXIT_FAILURE;
	}
	if (rte_eal_process_type() != RTE_PROC_SECONDARY) {
		fprintf(stderr, "vmci-echo-peer: must run as a DPDK secondary process of"
			" vmci-perf (--proc-type=secondary and its --file-prefix), whose emulated"
			" hypervisor it serves\n");
		rte_eal_cleanup();
		free(eal_argv);
		return EXIT_USAGE;
	}
	p.last.context = RTE_VMCI_INVALID_ID;
	p.last.resource = RTE_VMCI_INVALID_ID;
	p.refused = p.last;
	ret = peer_open(&p) == 0 ? peer_serve(&p) : EXIT_FAILURE;
	rte_vmci_dgram_destroy(p.dg);
	/*
	 * No rte_eal_cleanup(): the primary ends its run, and may exit, as
	 * soon as it detaches its last pair, which is when this peer is done;
	 * a secondary's cleanup (the host device's memory going back) asks
	 * the primary, and would wait out its IPC timeouts or catch its EAL
	 * mid-exit. Every pair is detached already; the emulated hypervisor
	 * takes the host device back once this process is gone.
	 */
	free(eal_argv);
	return ret;
}
