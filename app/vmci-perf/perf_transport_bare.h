/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

#ifndef _PERF_TRANSPORT_BARE_H_
#define _PERF_TRANSPORT_BARE_H_

/**
 * @file
 * The bare-ring limit (perf_transport_bare.c): what a run sets before
 * each size, and the record size its figures are counted in.
 */

#include <stdint.h>

#include "perf_copy.h"
#include "perf_options.h"
#include "perf_transport.h"

/** Plain SPSC byte rings of the vmci queue size: the machine's ring limit. */
extern const struct perf_transport_ops perf_transport_bare;

/**
 * Bytes the vmci queue pair puts in its ring per message of @p size
 * bytes with @p api: the msg API's 8-byte record header and padding to 8
 * (rte_vmci_qp_wire.h), else the message itself.
 */
uint32_t perf_bare_record_size(enum perf_api api, uint32_t size);

/**
 * Before a run of @p size bytes: records of the vmci record size, copied
 * with @p copy; empties the rings.
 *
 * @return
 *   0, or -EINVAL if a record does not fit in the ring.
 */
int perf_transport_bare_prepare(struct perf_transport *tp, uint32_t size,
				const struct perf_copy *copy);

#endif /* _PERF_TRANSPORT_BARE_H_ */
