/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

/*
 * Small application for the bus tests: initialise the EAL, print the VMCI
 * devices that came up, optionally stay alive (for telemetry queries), then
 * clean up.
 *
 *   vmci_testapp <EAL args> [-- [-t <seconds>] [-q] [-u]]
 *
 * -q: set up a queue pair between the first device and the emulated host,
 * move 4 KiB each way and keep it attached until the end, so that
 * telemetry has a pair to report and cleanup has one to tear down.
 * -u: one more such pair, whose data moves without the application ever
 * calling rte_vmci_poll() (its peer-attach event stays unread), as an
 * application that streams without polling.
 *
 * Output, one line each, flushed:
 *   vmci_testapp: EAL init failed: <reason>       (exit status 2)
 *   vmci_dev_count=<n>
 *   vmci_dev {"name": "...", "backend": "...", "context_id": n, ...}
 *   vmci_testapp: qpair <context>:<resource> bytes=<n>   (with -q)
 *   vmci_testapp: unpolled qpair <context>:<resource> bytes=<n>   (with -u)
 *   vmci_testapp: ready                           (then waits)
 *   vmci_testapp: cleanup=<rte_eal_cleanup() result>
 * The wait ends after <seconds>, or earlier on SIGTERM or SIGINT. Exit
 * status 0 on success, 1 if rte_eal_cleanup() failed, 2 on a usage or EAL
 * init error.
 */

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_memory.h>

#include "vmci_emu_test.h"
#include "rte_bus_vmci.h"

#define QP_BYTES 4096
#define POLL_TRIES 1000

static volatile sig_atomic_t stop_requested;

static void
on_signal(int sig)
{
	RTE_SET_USED(sig);
	stop_requested = 1;
}

static void
usage(const char *prog)
{
	printf("usage: %s <EAL args> [-- [-t <seconds>] [-q] [-u]]\n", prog);
}

static int
parse_app_args(int argc, char **argv, unsigned int *seconds, bool *with_qpair,
	       bool *with_unpolled)
{
	char *end;
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-t") == 0 && i + 1 < argc) {
			errno = 0;
			*seconds = strtoul(argv[++i], &end, 10);
			if (errno != 0 || *end != '\0')
				return -1;
		} else if (strcmp(argv[i], "-q") == 0) {
			*with_qpair = true;
		} else if (strcmp(argv[i], "-u") == 0) {
			*with_unpolled = true;
		} else {
			return -1;
		}
	}
	return 0;
}

static void
print_devices(void)
{
	struct rte_vmci_dev_info info;
	uint16_t i, n = rte_vmci_dev_count();

	printf("vmci_dev_count=%u\n", n);
	for (i = 0; i < n; i++) {
		if (rte_vmci_dev_info_get(rte_vmci_dev_get(i), &info) != 0) {
			printf("vmci_dev {\"index\": %u, \"error\": \"no info\"}\n", i);
			continue;
		}
		printf("vmci_dev {\"name\": \"%s\", \"backend\": \"%s\", "
		       "\"context_id\": %u, \"caps_offered\": %u, \"caps\": %u, "
		       "\"numa_node\": %d}\n",
		       info.name, info.backend, info.context_id, info.caps_offered,
		       info.caps, info.numa_node);
	}
	fflush(stdout);
}

/* Both ways through the pair: @len patterned bytes, compared on arrival. */
static int
move_bytes(struct rte_vmci_qp *tx, struct rte_vmci_qp *rx, size_t len, uint8_t seed)
{
	static uint8_t out[QP_BYTES], in[QP_BYTES];
	size_t i;

	for (i = 0; i < len; i++)
		out[i] = (uint8_t)(seed + i * 13);
	if (rte_vmci_qp_enqueue_bulk(tx, out, len) != (ssize_t)len ||
	    rte_vmci_qp_dequeue_bulk(rx, in, len) != (ssize_t)len)
		return -EIO;
	return memcmp(in, out, len) == 0 ? 0 : -EBADMSG;
}

/* The host (CID 2) ends of the -q and -u pairs, detached before cleanup. */
static struct rte_vmci_qp *host_ep[2];
static struct rte_vmci_handle host_handle[2];

/*
 * Create a pair on the first device with the emulated host as peer, attach
 * the host end, move data both ways; with @poll, only once the device
 * said the host attached. The guest end stays attached: rte_eal_cleanup()
 * must tear it down.
 */
static int
setup_qpair(unsigned int k, bool poll)
{
	struct rte_vmci_device *dev = rte_vmci_dev_get(0);
	struct rte_vmci_qpair_conf conf = {
		.produce_size = 16384,
		.consume_size = 8192,
		.peer = RTE_VMCI_HOST_CID,
		.socket_id = SOCKET_ID_ANY,
	};
	struct rte_vmci_qpair *qp;
	int i, ret;

	if (dev == NULL) {
		printf("vmci_testapp: -q needs a device\n");
		return -ENODEV;
	}
	qp = rte_vmci_qpair_create(dev, &conf);
	if (qp == NULL)
		return -rte_errno;
	host_handle[k] = rte_vmci_qpair_handle(qp);
	ret = vmci_emu_host_qp_attach(VMCI_EMU_DEFAULT_HV, host_handle[k], conf.consume_size,
				      conf.produce_size, &host_ep[k]);
	if (ret < 0 || host_ep[k] == NULL) {
		printf("vmci_testapp: host attach: VMCI result %d\n", ret);
		return -EIO;
	}
	for (i = 0; poll && i < POLL_TRIES &&
	     rte_vmci_qpair_peer_state(qp) != RTE_VMCI_QPAIR_PEER_ATTACHED; i++)
		rte_vmci_poll(dev);
	if (poll && rte_vmci_qpair_peer_state(qp) != RTE_VMCI_QPAIR_PEER_ATTACHED) {
		printf("vmci_testapp: no peer-attach event\n");
		return -ETIMEDOUT;
	}
	ret = move_bytes(rte_vmci_qpair_endpoint(qp), host_ep[k], QP_BYTES, 1);
	if (ret == 0)
		ret = move_bytes(host_ep[k], rte_vmci_qpair_endpoint(qp), QP_BYTES, 2);
	if (ret < 0)
		return ret;
	printf("vmci_testapp: %sqpair %u:%u bytes=%u\n", poll ? "" : "unpolled ",
	       host_handle[k].context, host_handle[k].resource, QP_BYTES);
	fflush(stdout);
	return 0;
}

static void
teardown_host_end(void)
{
	unsigned int k;

	for (k = 0; k < RTE_DIM(host_ep); k++) {
		if (host_ep[k] == NULL)
			continue;
		rte_vmci_qp_endpoint_free(host_ep[k]);
		host_ep[k] = NULL;
		vmci_emu_host_qp_detach(VMCI_EMU_DEFAULT_HV, host_handle[k]);
	}
}

static void
wait_for_stop(unsigned int seconds)
{
	struct timespec tick = { .tv_sec = 0, .tv_nsec = 20 * 1000 * 1000 };
	time_t deadline = time(NULL) + seconds;

	while (!stop_requested && time(NULL) < deadline)
		nanosleep(&tick, NULL);
}

int
main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	unsigned int seconds = 0;
	bool with_qpair = false, with_unpolled = false;
	int ret;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	ret = rte_eal_init(argc, argv);
	if (ret < 0) {
		printf("vmci_testapp: EAL init failed: %s\n", rte_strerror(rte_errno));
		fflush(stdout);
		return 2;
	}
	argc -= ret;
	argv += ret;
	if (parse_app_args(argc, argv, &seconds, &with_qpair, &with_unpolled) < 0) {
		usage(argv[0]);
		rte_eal_cleanup();
		return 2;
	}

	print_devices();
	if (with_qpair || with_unpolled) {
		ret = with_qpair ? setup_qpair(0, true) : 0;
		if (ret == 0 && with_unpolled)
			ret = setup_qpair(1, false);
		if (ret < 0) {
			printf("vmci_testapp: queue pair failed: %s\n", rte_strerror(-ret));
			teardown_host_end();
			rte_eal_cleanup();
			return 1;
		}
	}
	if (seconds > 0) {
		printf("vmci_testapp: ready\n");
		fflush(stdout);
		wait_for_stop(seconds);
	}
	teardown_host_end();
	ret = rte_eal_cleanup();
	printf("vmci_testapp: cleanup=%d\n", ret);
	fflush(stdout);
	return ret == 0 ? 0 : 1;
}
