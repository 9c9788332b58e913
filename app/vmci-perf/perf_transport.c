/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

#include <string.h>

#include "perf_transport.h"

int
perf_transport_open(struct perf_transport *tp, const struct perf_transport_ops *ops,
		    const struct perf_options *opt, int socket)
{
	int ret;

	memset(tp, 0, sizeof(*tp));
	tp->ops = ops;
	ret = ops->open(tp, opt, socket);
	if (ret < 0)
		tp->ops = NULL;
	return ret;
}

void
perf_transport_close(struct perf_transport *tp)
{
	if (tp->ops == NULL)
		return;
	tp->ops->close(tp);
	tp->ops = NULL;
}
