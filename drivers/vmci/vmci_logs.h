/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

#ifndef _VMCI_LOGS_H_
#define _VMCI_LOGS_H_

/*
 * Log types of the VMCI device core: "bus.vmci" for bring-up and control,
 * one sub-type per area so that a noisy area can be raised alone, e.g.
 * --log-level=bus.vmci.dgram:debug.
 */

#include <rte_log.h>

extern int vmci_logtype;
extern int vmci_logtype_dgram;
extern int vmci_logtype_qp;
extern int vmci_logtype_db;
extern int vmci_logtype_event;

#define VMCI_LOG_TYPE(type, level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, (type), "VMCI: %s(): " fmt "\n", \
		__func__, ##__VA_ARGS__)

#define VMCI_LOG(level, fmt, ...) \
	VMCI_LOG_TYPE(vmci_logtype, level, fmt, ##__VA_ARGS__)
#define VMCI_DG_LOG(level, fmt, ...) \
	VMCI_LOG_TYPE(vmci_logtype_dgram, level, fmt, ##__VA_ARGS__)
#define VMCI_QP_LOG(level, fmt, ...) \
	VMCI_LOG_TYPE(vmci_logtype_qp, level, fmt, ##__VA_ARGS__)
#define VMCI_DB_LOG(level, fmt, ...) \
	VMCI_LOG_TYPE(vmci_logtype_db, level, fmt, ##__VA_ARGS__)
#define VMCI_EV_LOG(level, fmt, ...) \
	VMCI_LOG_TYPE(vmci_logtype_event, level, fmt, ##__VA_ARGS__)

#endif /* _VMCI_LOGS_H_ */
