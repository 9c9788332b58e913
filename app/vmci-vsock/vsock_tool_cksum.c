/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

/*
 * The checksum cksum(1) prints (POSIX): CRC-32 with the polynomial
 * 0x04C11DB7, most significant bit first, starting from 0, over the bytes
 * and then the length in as few bytes as it needs, least significant
 * first, complemented. So a user compares what crossed the wire with
 * `cksum` on the other end, on a host with standard tools only.
 */

#include "vsock_tool.h"

#define CKSUM_POLY 0x04c11db7u

static uint32_t cksum_table[256];

static void
cksum_table_init(void)
{
	uint32_t i, j, r;

	if (cksum_table[1] != 0)
		return;
	for (i = 0; i < 256; i++) {
		r = i << 24;
		for (j = 0; j < 8; j++)
			r = (r & 0x80000000u) ? (r << 1) ^ CKSUM_POLY : r << 1;
		cksum_table[i] = r;
	}
}

static uint32_t
crc_step(uint32_t crc, uint8_t b)
{
	return (crc << 8) ^ cksum_table[(crc >> 24) ^ b];
}

void
tool_cksum_init(struct tool_cksum *c)
{
	cksum_table_init();
	c->crc = 0;
	c->len = 0;
}

void
tool_cksum_update(struct tool_cksum *c, const uint8_t *buf, size_t len)
{
	uint32_t crc = c->crc;
	size_t i;

	for (i = 0; i < len; i++)
		crc = crc_step(crc, buf[i]);
	c->crc = crc;
	c->len += len;
}

uint32_t
tool_cksum_final(const struct tool_cksum *c)
{
	uint32_t crc = c->crc;
	uint64_t n;

	for (n = c->len; n != 0; n >>= 8)
		crc = crc_step(crc, (uint8_t)n);
	return ~crc;
}
