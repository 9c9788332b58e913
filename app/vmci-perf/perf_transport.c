/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

#include <string.h>

#include <rte_common.h>

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

static const struct perf_transport_ops *const transports[] = {
	&perf_transport_emu_qp,
	&perf_transport_emu_mp,
	&perf_transport_local_qp,
	&perf_transport_vmci,
	&perf_transport_vsock,
	&perf_transport_unix,
	&perf_transport_unix_busy,
	&perf_transport_pipe,
	&perf_transport_tcp,
	&perf_transport_ring,
};

const struct perf_transport_ops *
perf_transport_find(const char *name)
{
	unsigned int i;

	for (i = 0; i < RTE_DIM(transports); i++) {
		if (strcmp(transports[i]->name, name) == 0)
			return transports[i];
	}
	return NULL;
}

int
perf_transport_rearm(struct perf_transport *tp)
{
	if (tp->ops->rearm == NULL)
		return 0;
	return tp->ops->rearm(tp);
}
