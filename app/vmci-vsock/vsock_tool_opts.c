/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

/* The command line after "--": parsed before the EAL starts. */

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vsock_tool.h"

#define DGRAM_SIZE_DEFAULT 4096u
/* --timeout at most: what a 32-bit millisecond count holds, rounded down. */
#define TIMEOUT_MAX_S 4000000.0

enum {
	OPT_DEV = 256,
	OPT_ECHO,
	OPT_BYTES,
	OPT_EXPECT,
	OPT_DGRAM,
	OPT_DGRAM_SIZE,
	OPT_TIMEOUT,
	OPT_LOCAL_PORT,
};

static const struct option long_opts[] = {
	{ "dev", required_argument, NULL, OPT_DEV },
	{ "echo", no_argument, NULL, OPT_ECHO },
	{ "bytes", required_argument, NULL, OPT_BYTES },
	{ "expect", required_argument, NULL, OPT_EXPECT },
	{ "dgram", no_argument, NULL, OPT_DGRAM },
	{ "dgram-size", required_argument, NULL, OPT_DGRAM_SIZE },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "local-port", required_argument, NULL, OPT_LOCAL_PORT },
	{ "verbose", no_argument, NULL, 'v' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

void
tool_usage(FILE *f)
{
	fprintf(f,
"usage: vmci-vsock [EAL options] -- [options] connect CID:PORT\n"
"       vmci-vsock [EAL options] -- [options] listen PORT\n"
"\n"
"Talk to a vSockets (AF_VSOCK) peer over a VMCI device: stdin goes to the\n"
"peer, what it sends goes to stdout. End of stdin shuts down sending; the\n"
"peer's shutdown ends the run once its bytes are written. listen takes one\n"
"connection (or, with --dgram, serves datagrams on PORT).\n"
"\n"
"  --dev NAME        vmci device: a PCI address, vmci_emuN (default: the first\n"
"                    PCI one; with none, the emulated guest and host it adds)\n"
"  --echo            send back what is received instead of using stdin/stdout\n"
"  --bytes N         send N bytes of the pattern (byte i is i mod 251), shut\n"
"                    down sending, check what comes back and print its cksum;\n"
"                    N may end in K, M or G (powers of 1024)\n"
"  --expect KIND     what the peer does with them: echo (default), discard,\n"
"                    or source (send the 8-byte little-endian count N, expect N\n"
"                    pattern bytes back, as the emulated host's port 19 does)\n"
"  --dgram           datagrams (port = VMCI resource) instead of a stream\n"
"  --dgram-size N    datagram payload for stdin and --bytes (1..%u, default %u)\n"
"  --timeout SEC     give up (exit 1) after SEC seconds with nothing happening:\n"
"                    connecting, waiting for a connection or a datagram, or no\n"
"                    byte moving (default: the 2 s connect timeout only; for\n"
"                    datagrams, 2 s for each reply)\n"
"  --local-port P    connect from port P (default: an ephemeral one)\n"
"  -v, --verbose     say what happens on stderr\n"
"  -q, --quiet       no notes on stderr, errors only\n"
"  -h, --help        this text\n"
"\n"
"Exit status: 0 done, 1 the peer, protocol, device or data failed (a message\n"
"says which), 2 bad command line.\n",
		RTE_VMCI_VSOCK_MAX_DG_PAYLOAD, DGRAM_SIZE_DEFAULT);
}

static int
bad(const char *fmt, const char *what, const char *value)
{
	fprintf(stderr, "vmci-vsock: ");
	fprintf(stderr, fmt, what, value);
	fprintf(stderr, "\n(vmci-vsock -- --help for the options)\n");
	return -1;
}

/* A whole decimal (or 0x hex) unsigned number up to @max, nothing else. */
static int
parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	bool hex = s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
	const char *digits = hex ? s + 2 : s;
	unsigned long long v;
	char *end;

	/* strtoull() takes blanks, a sign and (base 0) octal: we do not. */
	if (!(hex ? isxdigit : isdigit)((unsigned char)digits[0]))
		return -1;
	errno = 0;
	v = strtoull(digits, &end, hex ? 16 : 10);
	if (errno != 0 || *end != '\0' || v > max)
		return -1;
	*out = v;
	return 0;
}

static int
parse_u32(const char *s, uint32_t max, uint32_t *out)
{
	uint64_t v;

	if (parse_u64(s, max, &v) < 0)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

/* N, NK, NM or NG (powers of 1024). */
static int
parse_bytes(const char *s, uint64_t *out)
{
	static const char units[] = "KMG";
	char num[32];
	size_t len = strlen(s);
	const char *u;
	uint64_t v;
	int shift = 0;

	if (len == 0 || len >= sizeof(num))
		return -1;
	memcpy(num, s, len + 1);
	u = strchr(units, toupper((unsigned char)num[len - 1]));
	if (u != NULL) {
		shift = 10 * (int)(u - units + 1);
		num[len - 1] = '\0';
	}
	if (parse_u64(num, UINT64_MAX >> shift, &v) < 0)
		return -1;
	*out = v << shift;
	return 0;
}

static int
parse_timeout(const char *s, uint32_t *ms)
{
	double v;
	char *end;

	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || !isfinite(v) || v <= 0 ||
	    v > TIMEOUT_MAX_S)
		return -1;
	*ms = (uint32_t)ceil(v * 1000.0);
	return 0;
}

static int
parse_expect(const char *s, enum tool_expect *e)
{
	if (strcmp(s, "echo") == 0)
		*e = TOOL_EXPECT_ECHO;
	else if (strcmp(s, "discard") == 0)
		*e = TOOL_EXPECT_DISCARD;
	else if (strcmp(s, "source") == 0)
		*e = TOOL_EXPECT_SOURCE;
	else
		return -1;
	return 0;
}

/* CID:PORT, neither the wildcard 0xffffffff. */
static int
parse_addr(const char *s, uint32_t *cid, uint32_t *port)
{
	char buf[64];
	char *colon;

	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	colon = strchr(buf, ':');
	if (colon == NULL)
		return -1;
	*colon = '\0';
	if (parse_u32(buf, UINT32_MAX - 1, cid) < 0 ||
	    parse_u32(colon + 1, UINT32_MAX - 1, port) < 0)
		return -1;
	return 0;
}

/* Options given, for the checks of what goes together. */
struct given {
	bool expect;
	bool dgram_size;
	bool local_port;
};

static int
parse_one(struct tool_opts *opt, int c, const char *arg, struct given *g)
{
	switch (c) {
	case OPT_DEV:
		opt->dev = arg;
		return 0;
	case OPT_ECHO:
		opt->echo = true;
		return 0;
	case OPT_BYTES:
		opt->has_bytes = true;
		if (parse_bytes(arg, &opt->bytes) < 0)
			return bad("invalid --%s %s: expected a byte count, optionally"
				   " ending in K, M or G", "bytes", arg);
		return 0;
	case OPT_EXPECT:
		g->expect = true;
		if (parse_expect(arg, &opt->expect) < 0)
			return bad("invalid --%s %s: expected echo, discard or source",
				   "expect", arg);
		return 0;
	case OPT_DGRAM:
		opt->dgram = true;
		return 0;
	case OPT_DGRAM_SIZE:
		g->dgram_size = true;
		if (parse_u32(arg, RTE_VMCI_VSOCK_MAX_DG_PAYLOAD, &opt->dgram_size) < 0 ||
		    opt->dgram_size == 0)
			return bad("invalid --%s %s: expected 1..69608 (the largest vSockets"
				   " datagram payload)", "dgram-size", arg);
		return 0;
	case OPT_TIMEOUT:
		if (parse_timeout(arg, &opt->timeout_ms) < 0)
			return bad("invalid --%s %s: expected seconds > 0, up to 4000000",
				   "timeout", arg);
		return 0;
	case OPT_LOCAL_PORT:
		g->local_port = true;
		if (parse_u32(arg, UINT32_MAX - 1, &opt->local_port) < 0)
			return bad("invalid --%s %s: expected a port 0..4294967294",
				   "local-port", arg);
		return 0;
	case 'v':
		opt->verbose = true;
		return 0;
	case 'q':
		opt->quiet = true;
		return 0;
	default:
		return bad("%s%s", "unknown or incomplete option", "");
	}
}

static int
parse_command(struct tool_opts *opt, int argc, char **argv)
{
	if (argc < 1)
		return bad("%s%s", "no command: expected connect CID:PORT or listen PORT", "");
	if (argc > 2)
		return bad("unexpected argument \"%s\" after the command%s", argv[2], "");
	if (strcmp(argv[0], "connect") == 0) {
		opt->cmd = TOOL_CONNECT;
		if (argc < 2 || parse_addr(argv[1], &opt->cid, &opt->port) < 0)
			return bad("invalid %s address \"%s\": expected CID:PORT, two numbers"
				   " below 4294967295 (the host is CID 2)", "connect",
				   argc < 2 ? "" : argv[1]);
		return 0;
	}
	if (strcmp(argv[0], "listen") == 0) {
		opt->cmd = TOOL_LISTEN;
		if (argc < 2 || parse_u32(argv[1], UINT32_MAX - 1, &opt->port) < 0)
			return bad("invalid %s port \"%s\": expected a number 0..4294967294",
				   "listen", argc < 2 ? "" : argv[1]);
		return 0;
	}
	return bad("unknown command \"%s\"%s: expected connect CID:PORT or listen PORT",
		   argv[0], "");
}

/* Options that do not go together. */
static int
check_combination(const struct tool_opts *opt, const struct given *g)
{
	if (opt->echo && opt->has_bytes)
		return bad("--%s and --%s do not go together: --echo sends back what"
			   " comes, --bytes sends its own", "echo", "bytes");
	if (g->expect && !opt->has_bytes)
		return bad("--%s needs --%s: it says what the peer does with them",
			   "expect", "bytes");
	if (opt->verbose && opt->quiet)
		return bad("--%s and --%s do not go together", "verbose", "quiet");
	if (g->dgram_size && !opt->dgram)
		return bad("--%s needs --%s", "dgram-size", "dgram");
	if (g->local_port && opt->cmd != TOOL_CONNECT)
		return bad("--%s is for %s", "local-port", "connect");
	if (opt->dgram && opt->has_bytes && opt->cmd != TOOL_CONNECT)
		return bad("--%s with --dgram is for %s: it waits for each echo",
			   "bytes", "connect");
	if (opt->dgram && opt->has_bytes && opt->expect == TOOL_EXPECT_SOURCE)
		return bad("--expect %s is a stream service%s", "source",
			   ": not with --dgram");
	return 0;
}

int
tool_opts_parse(struct tool_opts *opt, int argc, char **argv)
{
	struct given g = { false, false, false };
	int c;

	memset(opt, 0, sizeof(*opt));
	opt->local_port = RTE_VMCI_VSOCK_PORT_ANY;
	opt->dgram_size = DGRAM_SIZE_DEFAULT;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "vqh", long_opts, NULL)) != -1) {
		if (c == 'h') {
			tool_usage(stdout);
			return 1;
		}
		if (c == '?') {
			fprintf(stderr, "vmci-vsock: unknown option or missing value: %s\n",
				argv[optind - 1]);
			fprintf(stderr, "(vmci-vsock -- --help for the options)\n");
			return -1;
		}
		if (parse_one(opt, c, optarg, &g) < 0)
			return -1;
	}
	if (parse_command(opt, argc - optind, &argv[optind]) < 0)
		return -1;
	return check_combination(opt, &g);
}
