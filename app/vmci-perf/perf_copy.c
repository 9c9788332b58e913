/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

#include <assert.h>
#include <stdint.h>
#include <string.h>

#include <rte_common.h>
#include <rte_memcpy.h>

#ifdef RTE_ARCH_X86
#include <emmintrin.h>
#endif

#include "perf_copy.h"

/*
 * glibc's memcpy through a function of our own, so that the compiler
 * cannot turn it into an inline copy of its choice: the measured routine
 * is the library's (its ifunc picks the variant for this CPU).
 */
static void * __rte_noinline
copy_glibc(void *dst, const void *src, size_t n)
{
	return memcpy(dst, src, n);
}

static void * __rte_noinline
copy_rte(void *dst, const void *src, size_t n)
{
	return rte_memcpy(dst, src, n);
}

#ifdef RTE_ARCH_X86
/* "rep movsb": fast-string microcode (ERMSB/FSRM) on CPUs that have it. */
static void * __rte_noinline
copy_movsb(void *dst, const void *src, size_t n)
{
	void *d = dst;

	__asm__ volatile("rep movsb" : "+D"(d), "+S"(src), "+c"(n) : : "memory");
	return dst;
}

/*
 * Non-temporal stores for the 16-byte aligned middle, plain copies for
 * the unaligned ends: the lines go to memory without being read first
 * (no read-for-ownership) and leave the producer's caches. The sfence
 * orders them before the index store that publishes them.
 */
static void * __rte_noinline
copy_nt(void *dst, const void *src, size_t n)
{
	uint8_t *d = dst;
	const uint8_t *s = src;
	size_t head = (16 - ((uintptr_t)d & 15)) & 15;

	if (n < 64 + head)
		return memcpy(dst, src, n);
	memcpy(d, s, head);
	d += head;
	s += head;
	n -= head;
	for (; n >= 64; n -= 64, d += 64, s += 64) {
		__m128i a = _mm_loadu_si128((const __m128i *)s);
		__m128i b = _mm_loadu_si128((const __m128i *)(s + 16));
		__m128i c = _mm_loadu_si128((const __m128i *)(s + 32));
		__m128i e = _mm_loadu_si128((const __m128i *)(s + 48));

		_mm_stream_si128((__m128i *)d, a);
		_mm_stream_si128((__m128i *)(d + 16), b);
		_mm_stream_si128((__m128i *)(d + 32), c);
		_mm_stream_si128((__m128i *)(d + 48), e);
	}
	memcpy(d, s, n);
	_mm_sfence();
	return dst;
}
#endif

static const struct perf_copy candidates[] = {
	{ "memcpy", "glibc memcpy (its ifunc's choice for this CPU)", copy_glibc },
	{ "rte_memcpy", "DPDK rte_memcpy (as built, -march=native)", copy_rte },
#ifdef RTE_ARCH_X86
	{ "movsb", "rep movsb (fast-string microcode)", copy_movsb },
	{ "nt", "non-temporal 16-byte stores, sfence at the end", copy_nt },
#endif
};

static_assert(RTE_DIM(candidates) <= PERF_COPY_MAX, "PERF_COPY_MAX too small");

const struct perf_copy *
perf_copy_candidates(unsigned int *nb)
{
	*nb = RTE_DIM(candidates);
	return candidates;
}

const struct perf_copy *
perf_copy_find(const char *name)
{
	unsigned int i;

	for (i = 0; i < RTE_DIM(candidates); i++) {
		if (strcmp(candidates[i].name, name) == 0)
			return &candidates[i];
	}
	return NULL;
}
