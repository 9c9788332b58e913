/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

/*
 * Telemetry commands (dpdk-telemetry.py):
 *   /vmci/list              names of the devices that are up
 *   /vmci/info,<name>       context ID, capabilities, backend, NUMA node
 *   /vmci/stats,<name>      device counters (datagrams, events, doorbells)
 *   /vmci/qp/list,<name>    queue pairs of a device with their handles
 *   /vmci/qp/stats,<name>,<handle>   per-queue-pair ring counters
 * Handles are written "context:resource" in decimal. A missing or unknown
 * parameter is answered with {"error": "<what is expected>"}, not null.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_telemetry.h>

#include "rte_bus_vmci.h"
#include "vmci_bus_private.h"

static int
vmci_tel_list(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct rte_vmci_device *dev;
	uint16_t i;

	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	rte_tel_data_start_array(d, RTE_TEL_STRING_VAL);
	for (i = 0; (dev = rte_vmci_dev_get(i)) != NULL; i++)
		rte_tel_data_add_array_string(d, dev->name);
	return 0;
}

/* The device named by the first parameter, or NULL. */
static struct rte_vmci_device *
param_dev(const char *params, char *rest, size_t rest_len)
{
	char name[RTE_DEV_NAME_MAX_LEN];
	const char *comma;
	size_t len;

	if (params == NULL || params[0] == '\0')
		return NULL;
	comma = strchr(params, ',');
	len = comma == NULL ? strlen(params) : (size_t)(comma - params);
	if (len >= sizeof(name))
		return NULL;
	memcpy(name, params, len);
	name[len] = '\0';
	if (rest != NULL)
		snprintf(rest, rest_len, "%s", comma == NULL ? "" : comma + 1);
	return rte_vmci_dev_find(name);
}

/*
 * The reply to a bad request: a dict with one "error" string naming the
 * command's form and what was wrong, so a user is not left with null.
 */
static int
tel_error(struct rte_tel_data *d, const char *cmd, const char *form, const char *problem)
{
	char msg[RTE_TEL_MAX_STRING_LEN]; /* longest value a dict string keeps */

	snprintf(msg, sizeof(msg), "expected %s%s: %s", cmd, form, problem);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "error", msg);
	return 0;
}

#define DEV_FORM ",<device> (from /vmci/list)"

/* The device named by the parameters, or NULL with the error reply made. */
static struct rte_vmci_device *
tel_dev(struct rte_tel_data *d, const char *cmd, const char *form, const char *params,
	char *rest, size_t rest_len)
{
	struct rte_vmci_device *dev = param_dev(params, rest, rest_len);

	if (dev == NULL)
		tel_error(d, cmd, form, params == NULL || params[0] == '\0' ?
			  "no device named" : "no such device");
	return dev;
}

static int
vmci_tel_info(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct rte_vmci_dev_info info;
	struct rte_vmci_device *dev = tel_dev(d, cmd, DEV_FORM, params, NULL, 0);

	if (dev == NULL)
		return 0;
	if (rte_vmci_dev_info_get(dev, &info) < 0)
		return -EINVAL;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "name", info.name);
	rte_tel_data_add_dict_string(d, "backend", info.backend);
	rte_tel_data_add_dict_u64(d, "context_id", info.context_id);
	rte_tel_data_add_dict_u64(d, "caps_offered", info.caps_offered);
	rte_tel_data_add_dict_u64(d, "caps", info.caps);
	rte_tel_data_add_dict_int(d, "numa_node", info.numa_node);
	return 0;
}

static int
vmci_tel_stats(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct rte_vmci_device *dev = tel_dev(d, cmd, DEV_FORM, params, NULL, 0);
	struct vmci_device_stats st;

	if (dev == NULL)
		return 0;
	if (vmci_device_stats_get(dev->core, &st) < 0)
		return -EINVAL;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "dg_sent", st.dg_sent);
	rte_tel_data_add_dict_u64(d, "dg_send_errors", st.dg_send_errors);
	rte_tel_data_add_dict_u64(d, "rx_passes", st.rx_passes);
	rte_tel_data_add_dict_u64(d, "rx_timeouts", st.rx_timeouts);
	rte_tel_data_add_dict_u64(d, "dg_received", st.dg_received);
	rte_tel_data_add_dict_u64(d, "dg_delivered", st.dg_delivered);
	rte_tel_data_add_dict_u64(d, "dg_dropped", st.dg_dropped);
	rte_tel_data_add_dict_u64(d, "dg_malformed", st.dg_malformed);
	rte_tel_data_add_dict_u64(d, "dg_oversized", st.dg_oversized);
	rte_tel_data_add_dict_u64(d, "events", st.events);
	rte_tel_data_add_dict_u64(d, "events_invalid", st.events_invalid);
	rte_tel_data_add_dict_u64(d, "doorbells_fired", st.doorbells_fired);
	rte_tel_data_add_dict_u64(d, "qp_attach_inferred", st.qp_attach_inferred);
	rte_tel_data_add_dict_u64(d, "hc_unexpected", st.hc_unexpected);
	rte_tel_data_add_dict_u64(d, "qp_parked", st.qp_parked);
	rte_tel_data_add_dict_u64(d, "qp_parked_bytes", st.qp_parked_bytes);
	return 0;
}

static int
add_qp_name(struct vmci_qpair *qp, void *arg)
{
	struct rte_vmci_handle h = vmci_qpair_handle(qp);
	char name[24];

	snprintf(name, sizeof(name), "%" PRIu32 ":%" PRIu32, h.context, h.resource);
	rte_tel_data_add_array_string(arg, name);
	return 0;
}

static int
vmci_tel_qp_list(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct rte_vmci_device *dev = tel_dev(d, cmd, DEV_FORM, params, NULL, 0);

	if (dev == NULL)
		return 0;
	rte_tel_data_start_array(d, RTE_TEL_STRING_VAL);
	vmci_qpair_foreach(dev->core, add_qp_name, d);
	return 0;
}

struct qp_query {
	struct rte_vmci_handle handle;
	struct rte_tel_data *d;
};

static const char * const peer_state_names[] = {
	[VMCI_QP_PEER_WAITING] = "waiting",
	[VMCI_QP_PEER_ATTACHED] = "attached",
	[VMCI_QP_PEER_DETACHED] = "detached",
};

/* Fill the reply for the pair named in the query; 1 stops the walk. */
static int
add_qp_stats(struct vmci_qpair *qp, void *arg)
{
	struct qp_query *q = arg;
	struct rte_vmci_handle h = vmci_qpair_handle(qp);
	struct rte_vmci_qp_stats st;
	struct rte_vmci_qp_info info;
	struct rte_vmci_qp *ep = vmci_qpair_endpoint(qp);

	if (h.context != q->handle.context || h.resource != q->handle.resource)
		return 0;
	rte_vmci_qp_info_get(ep, &info);
	rte_vmci_qp_stats_get(ep, &st);
	rte_tel_data_start_dict(q->d);
	/*
	 * The state as of the last poll lags when the application streams
	 * without polling; the peer's indices already tell.
	 */
	rte_tel_data_add_dict_string(q->d, "peer_state", vmci_qpair_peer_seen_unpolled(qp) ?
				     peer_state_names[VMCI_QP_PEER_ATTACHED] :
				     peer_state_names[vmci_qpair_peer_state(qp)]);
	rte_tel_data_add_dict_string(q->d, "peer_state_polled",
				     peer_state_names[vmci_qpair_peer_state(qp)]);
	rte_tel_data_add_dict_u64(q->d, "produce_size", info.produce_size);
	rte_tel_data_add_dict_u64(q->d, "consume_size", info.consume_size);
	rte_tel_data_add_dict_u64(q->d, "enq_bytes", st.enq_bytes);
	rte_tel_data_add_dict_u64(q->d, "enq_ops", st.enq_ops);
	rte_tel_data_add_dict_u64(q->d, "enq_msgs", st.enq_msgs);
	rte_tel_data_add_dict_u64(q->d, "enq_full", st.enq_full);
	rte_tel_data_add_dict_u64(q->d, "deq_bytes", st.deq_bytes);
	rte_tel_data_add_dict_u64(q->d, "deq_ops", st.deq_ops);
	rte_tel_data_add_dict_u64(q->d, "deq_msgs", st.deq_msgs);
	rte_tel_data_add_dict_u64(q->d, "deq_empty", st.deq_empty);
	rte_tel_data_add_dict_u64(q->d, "idx_errors", st.idx_errors);
	rte_tel_data_add_dict_u64(q->d, "rec_errors", st.rec_errors);
	return 1;
}

/* "context:resource" in decimal. */
static int
parse_handle(const char *s, struct rte_vmci_handle *h)
{
	unsigned long long c, r;
	char *end;

	errno = 0;
	c = strtoull(s, &end, 10);
	if (errno != 0 || end == s || *end != ':' || c > UINT32_MAX)
		return -EINVAL;
	s = end + 1;
	r = strtoull(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || r > UINT32_MAX)
		return -EINVAL;
	h->context = (uint32_t)c;
	h->resource = (uint32_t)r;
	return 0;
}

#define QP_FORM ",<device>,<context>:<resource> (from /vmci/qp/list)"

static int
vmci_tel_qp_stats(const char *cmd, const char *params, struct rte_tel_data *d)
{
	char rest[64];
	struct rte_vmci_device *dev = tel_dev(d, cmd, QP_FORM, params, rest, sizeof(rest));
	struct qp_query q = { .d = d };

	if (dev == NULL)
		return 0;
	if (parse_handle(rest, &q.handle) < 0)
		return tel_error(d, cmd, QP_FORM, rest[0] == '\0' ?
				 "no handle" : "handle not context:resource in decimal");
	if (vmci_qpair_foreach(dev->core, add_qp_stats, &q) != 1)
		return tel_error(d, cmd, QP_FORM, "no such queue pair on the device");
	return 0;
}

RTE_INIT(vmci_telemetry_init)
{
	rte_telemetry_register_cmd("/vmci/list", vmci_tel_list,
		"Names of the VMCI devices that are up. Takes no parameters");
	rte_telemetry_register_cmd("/vmci/info", vmci_tel_info,
		"Context ID, capabilities, backend and NUMA node of a VMCI device. Parameters: device name");
	rte_telemetry_register_cmd("/vmci/stats", vmci_tel_stats,
		"Datagram, event and doorbell counters of a VMCI device. Parameters: device name");
	rte_telemetry_register_cmd("/vmci/qp/list", vmci_tel_qp_list,
		"Handles (context:resource) of a VMCI device's queue pairs. Parameters: device name");
	rte_telemetry_register_cmd("/vmci/qp/stats", vmci_tel_qp_stats,
		"Peer state, sizes and ring counters of a queue pair. Parameters: device name, handle");
}
