/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

#ifndef _PERF_OPTIONS_H_
#define _PERF_OPTIONS_H_

/**
 * @file
 * vmci-perf application options (the part of argv after "--").
 * Parsing needs no EAL, so bad values are reported before any hugepage
 * is touched.
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/** Most message sizes one run sweeps. */
#define PERF_MAX_SIZES 64

/** Most pair counts one --pairs run sweeps. */
#define PERF_MAX_PAIR_COUNTS 8

/** Most queue sizes one run sweeps (vmci transport only). */
#define PERF_MAX_QUEUE_SIZES 8

/** Most messages one call moves (--burst). */
#define PERF_BURST_MAX 1024u

/** Exit status for a bad command line (as sysexits' EX_USAGE is too obscure). */
#define PERF_EXIT_USAGE 2

enum perf_mode {
	PERF_MODE_STREAM,   /**< One-way throughput, producer -> consumer. */
	PERF_MODE_BIDIR,    /**< Both directions at once. */
	PERF_MODE_PINGPONG, /**< Round-trip latency, one message in flight. */
};

/** Comparison measurements, --baselines bits. */
enum perf_baseline {
	/**
	 * Transport vsock only: a bare queue pair of the connection's size
	 * through an echo on side 1's lcore, driven by the same loop.
	 */
	PERF_BL_QP_ECHO,
	PERF_BL_UNIX,      /**< AF_UNIX socketpair, blocking. */
	PERF_BL_UNIX_BUSY, /**< AF_UNIX socketpair, non-blocking, busy-polled. */
	PERF_BL_PIPE,      /**< Pipes. */
	PERF_BL_TCP,       /**< TCP over 127.0.0.1, TCP_NODELAY. */
	PERF_BL_RING,      /**< rte_ring SPSC with mempool payload copies. */
	PERF_BL_BARE_RING, /**< Plain SPSC byte ring, fastest copy: the ring limit. */
	PERF_BL_MEMCPY,    /**< Single-core memcpy bandwidth, 1 MiB block. */
	PERF_BL_CACHELINE, /**< Core-to-core cache-line ping-pong. */
	PERF_BL_COUNT,
};

enum perf_api {
	PERF_API_COPY, /**< Byte stream, one bulk enqueue/dequeue per message. */
	PERF_API_ZC,   /**< Zero-copy start/finish, one pair per message. */
	PERF_API_MSG,  /**< Framed messages, burst calls. */
};

struct perf_options {
	enum perf_mode mode;
	enum perf_api api;
	uint32_t sizes[PERF_MAX_SIZES]; /**< Message sizes in bytes, in run order. */
	unsigned int nb_sizes;
	uint64_t queue_size;  /**< Bytes in each queue of the pair (the run's current one). */
	uint64_t queue_sizes[PERF_MAX_QUEUE_SIZES]; /**< --queue-size sweep, in run order. */
	unsigned int nb_queue_sizes;
	double duration;      /**< Seconds per message size. */
	unsigned int burst;   /**< Messages per call (msg) or per poll (copy, zc). */
	bool verify;          /**< Stamp and check sequence numbers. */
	const char *json_path; /**< NULL: no JSON output. */
	const char *hgrm_path; /**< NULL: no percentile distribution file. */
	const char *plot_path; /**< NULL: no plot. */
	const char *transport; /**< Transport measured: "emu", "local-qp", "emu-mp", "vmci", ... */
	uint32_t baselines;    /**< Bit i: enum perf_baseline i runs too. */
	bool qp_echo_named;    /**< --baselines named qp-echo (not only "all"). */
	uint64_t count;        /**< Messages (round trips) per size; 0: use duration. */
	int tx_lcore;          /**< Side 0 lcore; -1: the main lcore. */
	int rx_lcore;          /**< Side 1 lcore; -1: the next enabled lcore. */
	int duration_set;      /**< --duration was given. */
	/* Transport vmci (and --vmci-dev for vsock too). */
	const char *vmci_dev;  /**< --vmci-dev; NULL: the first PCI device, else first guest one. */
	uint32_t vmci_peer;    /**< --peer: context ID the pair is for (default 2, the host). */
	uint32_t vmci_service; /**< --service: resource ID of the peer the offers go to. */
	double attach_timeout; /**< --attach-timeout: seconds to wait for the peer. */
	int vmci_opts_set;     /**< One of --peer, --service, --attach-timeout was given. */
	int vmci_dev_set;      /**< --vmci-dev was given (transports vmci and vsock). */
	/* Transport vsock only. */
	uint32_t vsock_cid;    /**< --vsock-peer: the peer's context ID (default 2, the host). */
	uint32_t vsock_port;   /**< --vsock-peer: the peer's port (default 7, echo). */
	uint32_t connects;     /**< --connects: connections timed from connect to established. */
	int vsock_opts_set;    /**< --vsock-peer or --connects was given. */
	/* --pairs: the scale run instead of the transport sweep. */
	unsigned int pairs[PERF_MAX_PAIR_COUNTS]; /**< Pair counts, in run order. */
	unsigned int nb_pairs; /**< 0: no scale run. */
	bool pairs_busy_one;   /**< --pairs-busy one: one busy pair, the others idle. */
	bool size_set;         /**< --size was given. */
	bool queue_size_set;   /**< --queue-size was given. */
};

/** Default --vsock-peer of transport vsock: the emulated host's echo service. */
#define PERF_VSOCK_CID_DEFAULT 2u
#define PERF_VSOCK_PORT_DEFAULT 7u
/** Default --connects of transport vsock. */
#define PERF_VSOCK_CONNECTS_DEFAULT 100u
/** Default queue size of transport vsock: the vSockets default (and Linux's maximum). */
#define PERF_VSOCK_QUEUE_SIZE_DEFAULT (UINT64_C(256) << 10)

/** Most queue pairs --pairs asks for. */
#define PERF_PAIRS_MAX 1024u

/**
 * Queue size of a --pairs run without --queue-size: two 64 KiB queues a
 * pair, so that 1024 pairs are exactly the 128 MiB of queues a guest
 * device may have (the default 4 MiB would allow 15).
 */
#define PERF_PAIRS_QUEUE_SIZE_DEFAULT UINT64_C(65536)

/** Default --attach-timeout of transport vmci, seconds. */
#define PERF_VMCI_ATTACH_TIMEOUT_DEFAULT 10.0

/** Name of a baseline ("unix", "memcpy", ...). */
const char *perf_baseline_name(enum perf_baseline bl);

/**
 * Parse the application arguments.
 *
 * @param opt
 *   Filled with defaults, then with what argv sets.
 * @param argc
 *   Argument count, argv[0] included.
 * @param argv
 *   argv[0] is the program name.
 * @return
 *   0 to run, 1 if help was printed (exit 0), -EINVAL after printing what
 *   was wrong and the usage to stderr.
 */
int perf_options_parse(struct perf_options *opt, int argc, char **argv);

/** Print the application part of the usage text. */
void perf_usage(FILE *f, const char *prgname);

/** "stream", ... */
const char *perf_mode_name(enum perf_mode mode);

/** "copy", "zc" or "msg". */
const char *perf_api_name(enum perf_api api);

/**
 * Largest message one queue of @p queue_size bytes carries with @p api:
 * one byte of a VMCI ring always stays empty, and a framed message also
 * carries an 8-byte record header and padding to 8 bytes
 * (rte_vmci_qp_wire.h).
 */
uint64_t perf_max_msg_size(enum perf_api api, uint64_t queue_size);

/**
 * Buffers each side of a stream with @p api cycles through: a burst of
 * framed messages is gathered from, and scattered into, one buffer per
 * message (@p burst of them); the byte-stream APIs move a message per
 * call through one buffer. The bare-ring limit uses as many, so that it
 * touches the same amount of application memory as the run it bounds.
 */
unsigned int perf_api_nb_bufs(enum perf_api api, unsigned int burst);

#endif /* _PERF_OPTIONS_H_ */
