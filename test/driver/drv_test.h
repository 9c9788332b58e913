/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

#ifndef _DRV_TEST_H_
#define _DRV_TEST_H_

/* Helpers shared by the device-core tests: a guest = emulated device + core. */

#include <stdbool.h>
#include <string.h>

#include <rte_cycles.h>

#include "vmci_core.h"
#include "vmci_emu_test.h"
#include "vmci_test.h"

struct drv_guest {
	struct vmci_hw *hw;
	struct vmci_device *dev;
};

static inline int
drv_guest_up(struct drv_guest *g, const char *hv, bool mmio, uint32_t caps)
{
	struct vmci_emu_dev_conf ec = {
		.hv_name = hv,
		.mmio = mmio,
		.caps = caps,
		.socket_id = SOCKET_ID_ANY,
	};

	memset(g, 0, sizeof(*g));
	g->hw = vmci_emu_dev_create(&ec);
	if (g->hw == NULL)
		return -1;
	g->dev = vmci_device_create(g->hw, NULL);
	if (g->dev == NULL) {
		vmci_emu_dev_destroy(g->hw);
		g->hw = NULL;
		return -1;
	}
	return 0;
}

static inline void
drv_guest_down(struct drv_guest *g)
{
	vmci_device_destroy(g->dev);
	vmci_emu_dev_destroy(g->hw);
	g->dev = NULL;
	g->hw = NULL;
}

/* Poll @dev until *flag becomes true or ~1 s passes. */
static inline bool
drv_poll_until(struct vmci_device *dev, volatile bool *flag)
{
	uint64_t end = rte_get_timer_cycles() + rte_get_timer_hz();

	while (!*flag && rte_get_timer_cycles() < end)
		vmci_device_poll(dev);
	return *flag;
}

/* Callbacks for endpoints a test creates only for their handles. */
static inline void
drv_noop_doorbell(struct vmci_doorbell *db, void *arg)
{
	RTE_SET_USED(db);
	RTE_SET_USED(arg);
}

static inline void
drv_noop_dgram(struct vmci_dgram_ep *ep, const struct vmci_dg_hdr *dg, const void *payload,
	       void *arg)
{
	RTE_SET_USED(ep);
	RTE_SET_USED(dg);
	RTE_SET_USED(payload);
	RTE_SET_USED(arg);
}

#endif /* _DRV_TEST_H_ */
