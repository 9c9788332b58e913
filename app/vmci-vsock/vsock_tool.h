/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

#ifndef _VSOCK_TOOL_H_
#define _VSOCK_TOOL_H_

/*
 * vmci-vsock: talk to a vSockets (AF_VSOCK) peer over a VMCI device, as
 * socat or ncat do over the kernel's sockets: stdin and stdout, an echo,
 * or a counted pattern with a checksum. doc/vmci-vsock.md.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <rte_vmci_vsock.h>

/* Exit statuses (doc/vmci-vsock.md). */
#define TOOL_EXIT_OK    0
#define TOOL_EXIT_FAIL  1 /* the peer, the protocol, the device or the data */
#define TOOL_EXIT_USAGE 2 /* the command line */

enum tool_cmd {
	TOOL_CONNECT,
	TOOL_LISTEN,
};

/* What --bytes expects the peer to do with the pattern. */
enum tool_expect {
	TOOL_EXPECT_ECHO,    /* send it back, byte for byte */
	TOOL_EXPECT_DISCARD, /* take it and send nothing */
	TOOL_EXPECT_SOURCE,  /* (sent an 8-byte count N instead) send N pattern bytes */
};

struct tool_opts {
	enum tool_cmd cmd;
	uint32_t cid;          /* connect: the peer's */
	uint32_t port;         /* connect: the peer's; listen: ours */
	uint32_t local_port;   /* connect: ours, RTE_VMCI_VSOCK_PORT_ANY by default */
	const char *dev;       /* --dev, or NULL */
	bool echo;
	bool dgram;
	bool has_bytes;
	uint64_t bytes;
	enum tool_expect expect;
	uint32_t timeout_ms;   /* --timeout; 0: none given */
	uint32_t dgram_size;   /* --dgram-size */
	bool verbose;
	bool quiet;
};

/* Byte @off of the pattern --bytes sends (and the emulated host's source). */
static inline uint8_t
tool_pattern(uint64_t off)
{
	return (uint8_t)(off % 251u);
}

/*
 * Parse the options after "--". Returns 0, 1 after printing the help, or
 * -1 after printing what is wrong (exit TOOL_EXIT_USAGE).
 */
int
tool_opts_parse(struct tool_opts *opt, int argc, char **argv);

void
tool_usage(FILE *f);

/* The checksum of cksum(1): POSIX CRC-32 over the bytes, then the length. */
struct tool_cksum {
	uint32_t crc;
	uint64_t len;
};

void
tool_cksum_init(struct tool_cksum *c);

void
tool_cksum_update(struct tool_cksum *c, const uint8_t *buf, size_t len);

/* The value cksum(1) prints for what was given. */
uint32_t
tool_cksum_final(const struct tool_cksum *c);

/* The stream and datagram runs: an exit status. */
int
tool_stream_run(const struct tool_opts *opt, struct rte_vmci_vsock_ctx *ctx);

int
tool_dgram_run(const struct tool_opts *opt, struct rte_vmci_vsock_ctx *ctx);

/* Shared by the runs. */
extern volatile bool tool_stop;              /* SIGINT or SIGTERM */
void tool_note(const struct tool_opts *opt, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));     /* unless --quiet */
void tool_verbose(const struct tool_opts *opt, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));     /* with --verbose */
void tool_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
uint64_t tool_ms_to_cycles(uint32_t ms);
/* After many polls with nothing done, nap a little (interactive use). */
void tool_idle(unsigned int *idle, bool busy);

#endif /* _VSOCK_TOOL_H_ */
