/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

/*
 * Doorbells (vmci-device.md section 6): one byte of the notification bitmap
 * per linked handle; the device sets bit 0, the poll function clears it
 * and runs the callback. Each doorbell gets its own index (the lowest
 * free one), so no byte is shared and a scan stops at the high-water mark.
 */

#include <errno.h>
#include <stdlib.h>

#include <rte_errno.h>

#include "vmci_core_priv.h"

static int
vmci_db_index_alloc(struct vmci_device *dev)
{
	uint32_t i;

	for (i = 0; i < VMCI_MAX_DOORBELLS; i++)
		if (dev->db_by_idx[i] == NULL)
			return (int)i;
	return -ENOSPC;
}

static void
vmci_db_index_release(struct vmci_device *dev, uint32_t idx)
{
	dev->db_by_idx[idx] = NULL;
	/* Lower the high-water mark past unused entries. */
	while (dev->db_hwm > 0 && dev->db_by_idx[dev->db_hwm - 1] == NULL)
		dev->db_hwm--;
}

static int
vmci_db_link(struct vmci_device *dev, struct vmci_doorbell *db)
{
	int idx, ret;

	db->rid = vmci_rid_alloc(dev);
	idx = vmci_db_index_alloc(dev);
	if (db->rid == 0 || idx < 0) {
		VMCI_DB_LOG(ERR, "%s: no free resource ID or bitmap index (%u in use)",
			    dev->name, VMCI_MAX_DOORBELLS);
		return -ENOSPC;
	}
	db->idx = (uint32_t)idx;
	db->handle.context = dev->cid;
	db->handle.resource = db->rid;
	/* A stale bit from an earlier user of the index must not fire us. */
	__atomic_store_n(&dev->bitmap[idx], 0, __ATOMIC_RELAXED);
	/* Exactly VMCI_SUCCESS links it, as in the reference guests. */
	ret = vmci_hc_doorbell_link(dev, db->handle, db->idx);
	if (ret == -EPROTO) {
		/* The device may have linked it anyway: an index we reuse must not ring it. */
		vmci_hc_doorbell_unlink(dev, db->handle);
		return ret;
	}
	if (ret < 0)
		return ret;
	dev->db_by_idx[idx] = db;
	if ((uint32_t)idx >= dev->db_hwm)
		dev->db_hwm = (uint32_t)idx + 1;
	TAILQ_INSERT_TAIL(&dev->doorbells, db, next);
	return 0;
}

struct vmci_doorbell *
vmci_doorbell_create(struct vmci_device *dev, vmci_doorbell_cb_t cb, void *arg)
{
	struct vmci_doorbell *db;
	int ret;

	if (dev == NULL || cb == NULL) {
		rte_errno = EINVAL;
		return NULL;
	}
	if (dev->bitmap == NULL) {
		VMCI_DB_LOG(ERR, "%s: doorbells need NOTIFICATIONS, caps in use 0x%x",
			    dev->name, dev->caps);
		rte_errno = ENOTSUP;
		return NULL;
	}
	db = calloc(1, sizeof(*db));
	if (db == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	db->dev = dev;
	db->cb = cb;
	db->arg = arg;
	vmci_dev_lock(dev);
	ret = vmci_db_link(dev, db);
	vmci_dev_unlock(dev);
	if (ret < 0) {
		free(db);
		rte_errno = -ret;
		return NULL;
	}
	return db;
}

static void
vmci_db_unlink(struct vmci_device *dev, struct vmci_doorbell *db)
{
	/* Failure tolerated: the device may have lost the link (reset, restore). */
	if (vmci_hc_doorbell_unlink(dev, db->handle) < 0)
		VMCI_DB_LOG(WARNING, "%s: unlink of %u:%u failed, freeing anyway",
			    dev->name, db->handle.context, db->handle.resource);
	TAILQ_REMOVE(&dev->doorbells, db, next);
	vmci_db_index_release(dev, db->idx);
}

void
vmci_doorbell_destroy(struct vmci_doorbell *db)
{
	struct vmci_device *dev;

	if (db == NULL)
		return;
	dev = db->dev;
	vmci_dev_lock(dev);
	vmci_db_unlink(dev, db);
	vmci_dev_unlock(dev);
	free(db);
}

void
vmci_doorbell_unlink_all(struct vmci_device *dev)
{
	struct vmci_doorbell *db;

	while ((db = TAILQ_FIRST(&dev->doorbells)) != NULL) {
		vmci_db_unlink(dev, db);
		free(db);
	}
}

struct rte_vmci_handle
vmci_doorbell_handle(const struct vmci_doorbell *db)
{
	return db->handle;
}

uint32_t
vmci_doorbell_index(const struct vmci_doorbell *db)
{
	return db->idx;
}

int
vmci_doorbell_notify(struct vmci_device *dev, struct rte_vmci_handle handle)
{
	int ret;

	if (dev == NULL)
		return -EINVAL;
	vmci_dev_lock(dev);
	ret = vmci_hc_doorbell_notify(dev, handle);
	vmci_dev_unlock(dev);
	return ret < 0 ? ret : 0;
}

int
vmci_doorbell_scan(struct vmci_device *dev)
{
	struct vmci_doorbell *db;
	uint32_t idx;
	int n = 0;

	/* db_hwm is re-read each step: a callback may destroy doorbells. */
	for (idx = 0; idx < dev->db_hwm; idx++) {
		uint8_t *b = &dev->bitmap[idx];

		if (!(__atomic_load_n(b, __ATOMIC_RELAXED) & 1))
			continue;
		/* Clear before the callback so a ring during it is not lost. */
		if (!(__atomic_fetch_and(b, (uint8_t)~1u, __ATOMIC_ACQ_REL) & 1))
			continue;
		dev->stats.doorbells_fired++;
		n++;
		db = dev->db_by_idx[idx];
		if (db != NULL)
			db->cb(db, db->arg);
	}
	return n;
}
