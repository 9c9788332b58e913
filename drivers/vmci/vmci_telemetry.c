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
 * Handles are written "context:resource" in decimal.
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

static int
vmci_tel_info(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct rte_vmci_dev_info info;
	struct rte_vmci_device *dev = param_dev(params, NULL, 0);

	RTE_SET_USED(cmd);
	if (dev == NULL || rte_vmci_dev_info_get(dev, &info) < 0)
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
	struct rte_vmci_device *dev = param_dev(params, NULL, 0);
	struct vmci_device_stats st;

	RTE_SET_USED(cmd);
	if (dev == NULL || vmci_device_stats_get(dev->core, &st) < 0)
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
}
