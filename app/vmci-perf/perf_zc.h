/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

#ifndef _PERF_ZC_H_
#define _PERF_ZC_H_

/**
 * @file
 * Access to zero-copy ring space, which comes as up to two regions
 * because it may wrap around the end of the ring.
 */

#include <stdint.h>
#include <string.h>

#include <rte_common.h>
#include <rte_memcpy.h>

#include <rte_vmci_qp.h>

/** Copy @p len bytes from @p src into the mapped regions, in order. */
static inline void
perf_zc_write(const struct rte_vmci_qp_zc *zc, const void *src, size_t len)
{
	size_t first = RTE_MIN(len, zc->len1);

	rte_memcpy(zc->ptr1, src, first);
	if (len > first)
		rte_memcpy(zc->ptr2, (const uint8_t *)src + first, len - first);
}

/** Copy the first @p len bytes of the mapped regions to @p dst. */
static inline void
perf_zc_read(const struct rte_vmci_qp_zc *zc, void *dst, size_t len)
{
	size_t first = RTE_MIN(len, zc->len1);

	memcpy(dst, zc->ptr1, first);
	if (len > first)
		memcpy((uint8_t *)dst + first, zc->ptr2, len - first);
}

#endif /* _PERF_ZC_H_ */
