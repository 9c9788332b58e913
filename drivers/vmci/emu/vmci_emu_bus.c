/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vmci-dpdk authors
 */

/*
 * The emulator's devices on the vmci bus, and the backends it registers
 * with the bus when its library is loaded (the bus knows nothing else of
 * the emulator):
 *   -a vmci:vmci_emuN,cid=..,mode=..,hv=..,caps=..,socket=..  a guest
 *   -a vmci:vmci_hostN,hv=..,socket=..,vsock=1   the host context (CID 2)
 *      of hv; vsock=1 serves the host's vSockets endpoint (vmci_emu_vsock.h),
 *      vsock_connect=CID:PORT also makes it connect out to a guest listener,
 *      vsock_sleep=1 makes its services sleep as blocking processes do,
 *      vsock_cpu=N runs its thread on CPU N
 */

/* pthread_setaffinity_np(), CPU_* macros. */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pthread.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_dev.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_kvargs.h>
#include <rte_lcore.h>
#include <rte_memory.h>
#include <rte_string_fns.h>

#include "vmci_bus_backend.h"
#include "vmci_emu_private.h"
#include "vmci_emu_vsock.h"

#define EMU_ARG_CID    "cid"
#define EMU_ARG_MODE   "mode"
#define EMU_ARG_HV     "hv"
#define EMU_ARG_CAPS   "caps"
#define EMU_ARG_SOCKET "socket"
#define EMU_ARG_VSOCK  "vsock"
#define EMU_ARG_VSOCK_CONNECT "vsock_connect"
#define EMU_ARG_VSOCK_SLEEP "vsock_sleep"
#define EMU_ARG_VSOCK_CPU "vsock_cpu"

static const char * const emu_valid_keys[] = {
	EMU_ARG_CID,
	EMU_ARG_MODE,
	EMU_ARG_HV,
	EMU_ARG_CAPS,
	EMU_ARG_SOCKET,
	NULL,
};

/* For dpdk-pmdinfo.py, as net_vmci and DPDK's drivers register theirs. */
RTE_PMD_EXPORT_NAME(vmci_emu, __COUNTER__);
RTE_PMD_REGISTER_PARAM_STRING(vmci_emu,
	EMU_ARG_CID "=<16..0xfffffffe> "
	EMU_ARG_MODE "=port|dma "
	EMU_ARG_HV "=<emulated hypervisor> "
	EMU_ARG_CAPS "=<mask> "
	EMU_ARG_SOCKET "=<NUMA node>");
RTE_PMD_EXPORT_NAME(vmci_host, __COUNTER__);
RTE_PMD_REGISTER_PARAM_STRING(vmci_host,
	EMU_ARG_HV "=<emulated hypervisor> "
	EMU_ARG_SOCKET "=<NUMA node> "
	EMU_ARG_VSOCK "=0|1 "
	EMU_ARG_VSOCK_CONNECT "=<guest CID>:<port> "
	EMU_ARG_VSOCK_SLEEP "=0|1 "
	EMU_ARG_VSOCK_CPU "=<CPU>");

/* A key given without "=value" reaches the parsers with value NULL. */
static bool
has_value(const char *key, const char *value)
{
	if (value != NULL)
		return true;
	EMU_LOG(ERR, "devargs key %s has no value: expected %s=VALUE", key, key);
	return false;
}

/*
 * A whole unsigned number: decimal, or hexadecimal after 0x. No sign, no
 * blanks, nothing after it, nothing empty, at most @max; an error line
 * names the key, the value and what is expected.
 */
static int
parse_num(const char *key, const char *value, uint32_t max, uint32_t *out)
{
	bool hex = value[0] == '0' && (value[1] == 'x' || value[1] == 'X');
	const char *digits = hex ? value + 2 : value;
	int (*is_digit)(int) = hex ? isxdigit : isdigit;
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(digits, &end, hex ? 16 : 10);
	/* strtoul() accepts blanks and a sign before the digits: we do not. */
	if (!is_digit((unsigned char)digits[0]) || errno != 0 || *end != '\0' || v > max) {
		EMU_LOG(ERR, "invalid %s=%s: expected an integer 0..%" PRIu32
			" (decimal or 0x hex)", key, value, max);
		return -EINVAL;
	}
	*out = (uint32_t)v;
	return 0;
}

static int
parse_u32(const char *key, const char *value, void *out)
{
	if (!has_value(key, value))
		return -EINVAL;
	return parse_num(key, value, UINT32_MAX, out);
}

/* cid=: a guest context ID, 16 .. 0xfffffffe (0..15 are reserved). */
static int
parse_cid(const char *key, const char *value, void *out)
{
	uint32_t v;

	if (parse_u32(key, value, &v) < 0)
		return -EINVAL;
	if (v < VMCI_RESERVED_CID_LIMIT || v == VMCI_INVALID_ID) {
		EMU_LOG(ERR, "invalid %s=%s: expected a guest context ID %u..%u",
			key, value, VMCI_RESERVED_CID_LIMIT, VMCI_INVALID_ID - 1);
		return -EINVAL;
	}
	*(uint32_t *)out = v;
	return 0;
}

static int
parse_mode(const char *key, const char *value, void *out)
{
	if (!has_value(key, value))
		return -EINVAL;
	if (strcmp(value, "port") == 0) {
		*(bool *)out = false;
		return 0;
	}
	if (strcmp(value, "dma") == 0) {
		*(bool *)out = true;
		return 0;
	}
	EMU_LOG(ERR, "invalid %s=%s: expected port or dma", key, value);
	return -EINVAL;
}

static int
parse_hv(const char *key, const char *value, void *out)
{
	if (!has_value(key, value))
		return -EINVAL;
	if (value[0] == '\0' || strlen(value) >= VMCI_EMU_HV_NAMESIZE) {
		EMU_LOG(ERR, "invalid %s=%s: expected 1..%d characters",
			key, value, VMCI_EMU_HV_NAMESIZE - 1);
		return -EINVAL;
	}
	strlcpy(out, value, VMCI_EMU_HV_NAMESIZE);
	return 0;
}

/* caps=: a mask of known capabilities that offers DATAGRAM. */
static int
parse_caps(const char *key, const char *value, void *out)
{
	uint32_t v;

	if (!has_value(key, value) || parse_num(key, value, VMCI_EMU_CAPS_KNOWN, &v) < 0)
		return -EINVAL;
	if (!(v & VMCI_CAPS_DATAGRAM)) {
		EMU_LOG(ERR, "invalid %s=%s: expected a mask within 0x%x that includes"
			" DATAGRAM (0x%x)", key, value, VMCI_EMU_CAPS_KNOWN,
			VMCI_CAPS_DATAGRAM);
		return -EINVAL;
	}
	*(uint32_t *)out = v;
	return 0;
}

static int
parse_socket(const char *key, const char *value, void *out)
{
	uint32_t v;

	if (!has_value(key, value) || parse_num(key, value, RTE_MAX_NUMA_NODES - 1, &v) < 0)
		return -EINVAL;
	*(int *)out = (int)v;
	return 0;
}

/* A key given twice is an error: which value the user meant is unknown. */
static int
check_repeated(const struct rte_kvargs *kv, const char * const keys[])
{
	unsigned int i, n;
	int ret = 0;

	for (i = 0; keys[i] != NULL; i++) {
		n = rte_kvargs_count(kv, keys[i]);
		if (n > 1) {
			EMU_LOG(ERR, "key %s given %u times: expected at most once", keys[i], n);
			ret = -EINVAL;
		}
	}
	return ret;
}

int
vmci_emu_devargs_parse(const char *args, struct vmci_emu_dev_conf *conf,
		       char hv_name[VMCI_EMU_HV_NAMESIZE])
{
	struct rte_kvargs *kv;
	int ret = 0;

	memset(conf, 0, sizeof(*conf));
	strlcpy(hv_name, VMCI_EMU_DEFAULT_HV, VMCI_EMU_HV_NAMESIZE);
	conf->socket_id = SOCKET_ID_ANY;
	conf->hv_name = hv_name;
	if (args == NULL || args[0] == '\0')
		return 0;
	kv = rte_kvargs_parse(args, emu_valid_keys);
	if (kv == NULL) {
		EMU_LOG(ERR, "cannot parse \"%s\": keys are cid, mode, hv, caps, socket", args);
		return -EINVAL;
	}
	ret = check_repeated(kv, emu_valid_keys);
	ret |= rte_kvargs_process(kv, EMU_ARG_CID, parse_cid, &conf->cid);
	ret |= rte_kvargs_process(kv, EMU_ARG_MODE, parse_mode, &conf->mmio);
	ret |= rte_kvargs_process(kv, EMU_ARG_HV, parse_hv, hv_name);
	ret |= rte_kvargs_process(kv, EMU_ARG_CAPS, parse_caps, &conf->caps);
	ret |= rte_kvargs_process(kv, EMU_ARG_SOCKET, parse_socket, &conf->socket_id);
	rte_kvargs_free(kv);
	return ret == 0 ? 0 : -EINVAL;
}

/* Parsed devargs of one guest device. */
struct emu_bus_guest {
	char hv_name[VMCI_EMU_HV_NAMESIZE];
	struct vmci_emu_dev_conf conf;
};

static int
emu_guest_parse(const char *name, const char *args, void **priv, int *numa_node)
{
	struct emu_bus_guest *g = calloc(1, sizeof(*g));

	RTE_SET_USED(name);
	if (g == NULL)
		return -ENOMEM;
	if (vmci_emu_devargs_parse(args, &g->conf, g->hv_name) < 0) {
		free(g);
		return -EINVAL;
	}
	*priv = g;
	*numa_node = g->conf.socket_id;
	return 0;
}

static struct vmci_hw *
emu_guest_open(const char *name, void *priv)
{
	RTE_SET_USED(name);
	return vmci_emu_dev_create(&((struct emu_bus_guest *)priv)->conf);
}

static void
emu_close(struct vmci_hw *hw, const char *hv_name)
{
	vmci_emu_dev_destroy(hw);
	/*
	 * The last device of an emulated hypervisor takes its memzone along;
	 * -EBUSY while other devices (in any process) or host queue pairs
	 * remain on it. Secondaries leave it to the primary.
	 */
	if (rte_eal_process_type() == RTE_PROC_PRIMARY && vmci_emu_hv_free(hv_name) == 0)
		EMU_LOG(DEBUG, "emulated hypervisor %s freed", hv_name);
}

static void
emu_guest_close(struct vmci_hw *hw, void *priv)
{
	emu_close(hw, ((struct emu_bus_guest *)priv)->hv_name);
}

static struct rte_vmci_bus_backend emu_guest_backend = {
	.prefix = VMCI_EMU_DEV_PREFIX,
	.parse_args = emu_guest_parse,
	.free_args = free,
	.open = emu_guest_open,
	.close = emu_guest_close,
};

/*
 * The host device: hv= and socket=, and vsock=1 to serve the host's
 * vSockets endpoint with its default services on a control thread from
 * the moment the device is up until it goes down; vsock_connect=CID:PORT
 * to have that thread also connect out to a guest's listener, so that a
 * program's server role can be tried from the command line alone;
 * vsock_sleep=1 to have the services (and that connection's echo) sleep
 * as blocking processes do, so that a program can be tried against a
 * peer that needs its WROTE and READ notifications;
 * vsock_cpu=N to run that thread on CPU N, as a host runs on cores of its
 * own, instead of where the EAL puts control threads (which may be an
 * lcore's CPU, where the two would take turns).
 */
static const char * const emu_host_keys[] = {
	EMU_ARG_HV,
	EMU_ARG_SOCKET,
	EMU_ARG_VSOCK,
	EMU_ARG_VSOCK_CONNECT,
	EMU_ARG_VSOCK_SLEEP,
	EMU_ARG_VSOCK_CPU,
	NULL,
};

/* Idle polls before the control thread naps, and the nap. */
#define EMU_VSOCK_SPIN 10000u
#define EMU_VSOCK_NAP_US 100u
/* vsock_connect=: time between tries while the guest does not listen yet. */
#define EMU_VSOCK_CONNECT_RETRY_MS 20u

/* vsock_connect=: where to connect, and the try in progress. */
struct emu_bus_connect {
	bool wanted;        /* given, and no connection made yet */
	uint32_t cid;
	uint32_t port;
	int conn_id;        /* the try in progress, or -1 */
	uint64_t next_try;  /* timer cycles */
};

/* vsock_cpu=: not given. */
#define EMU_VSOCK_CPU_ANY UINT32_MAX

struct emu_bus_host {
	char hv_name[VMCI_EMU_HV_NAMESIZE];
	int socket_id;
	uint32_t vsock;
	uint32_t sleep;     /* vsock_sleep= */
	uint32_t vsock_cpu; /* EMU_VSOCK_CPU_ANY: where the EAL puts control threads */
	struct emu_bus_connect connect;
	struct vmci_emu_vsock *vs;
	pthread_t thread;
	bool running;
	bool stop;
};

static int
parse_bool(const char *key, const char *value, void *out)
{
	if (!has_value(key, value))
		return -EINVAL;
	return parse_num(key, value, 1, out);
}

/* vsock_connect=CID:PORT: a guest context ID and a stream port (not 0xffffffff). */
static int
parse_connect(const char *key, const char *value, void *out)
{
	struct emu_bus_connect *c = out;
	char buf[32];
	char *colon;

	if (!has_value(key, value))
		return -EINVAL;
	if (strlcpy(buf, value, sizeof(buf)) >= sizeof(buf) ||
	    (colon = strchr(buf, ':')) == NULL) {
		EMU_LOG(ERR, "invalid %s=%s: expected <guest CID>:<port>", key, value);
		return -EINVAL;
	}
	*colon = '\0';
	if (parse_cid(key, buf, &c->cid) < 0 || parse_u32(key, colon + 1, &c->port) < 0)
		return -EINVAL;
	if (c->port == RTE_VMCI_VSOCK_PORT_ANY) {
		EMU_LOG(ERR, "invalid %s=%s: port 0x%x is the wildcard, not a port",
			key, value, RTE_VMCI_VSOCK_PORT_ANY);
		return -EINVAL;
	}
	c->wanted = true;
	return 0;
}

/*
 * vsock_cpu=N: a CPU of this machine, 0 .. the CPUs configured - 1.
 * Whether it is online and this process may use it shows when the thread
 * moves there (emu_host_place()).
 */
static int
parse_cpu(const char *key, const char *value, void *out)
{
	long nb_cpus = sysconf(_SC_NPROCESSORS_CONF);

	if (nb_cpus < 1 || nb_cpus > CPU_SETSIZE)
		nb_cpus = CPU_SETSIZE;
	if (!has_value(key, value))
		return -EINVAL;
	return parse_num(key, value, (uint32_t)nb_cpus - 1, out);
}

static int
emu_host_parse(const char *name, const char *args, void **priv, int *numa_node)
{
	struct emu_bus_host *h = calloc(1, sizeof(*h));
	struct rte_kvargs *kv;
	int ret = 0;

	if (h == NULL)
		return -ENOMEM;
	strlcpy(h->hv_name, VMCI_EMU_DEFAULT_HV, sizeof(h->hv_name));
	h->socket_id = SOCKET_ID_ANY;
	h->vsock_cpu = EMU_VSOCK_CPU_ANY;
	if (args != NULL && args[0] != '\0') {
		kv = rte_kvargs_parse(args, emu_host_keys);
		if (kv == NULL) {
			EMU_LOG(ERR, "%s: cannot parse \"%s\": the host device takes hv=, socket=,"
				" vsock=, vsock_connect=, vsock_sleep= and vsock_cpu= only (its context ID is"
				" %u, its device port I/O)",
				name, args, VMCI_HOST_CID);
			free(h);
			return -EINVAL;
		}
		ret = check_repeated(kv, emu_host_keys);
		ret |= rte_kvargs_process(kv, EMU_ARG_HV, parse_hv, h->hv_name);
		ret |= rte_kvargs_process(kv, EMU_ARG_SOCKET, parse_socket, &h->socket_id);
		ret |= rte_kvargs_process(kv, EMU_ARG_VSOCK, parse_bool, &h->vsock);
		ret |= rte_kvargs_process(kv, EMU_ARG_VSOCK_CONNECT, parse_connect, &h->connect);
		ret |= rte_kvargs_process(kv, EMU_ARG_VSOCK_SLEEP, parse_bool, &h->sleep);
		ret |= rte_kvargs_process(kv, EMU_ARG_VSOCK_CPU, parse_cpu, &h->vsock_cpu);
		rte_kvargs_free(kv);
	}
	if (ret == 0 && h->connect.wanted && !h->vsock) {
		EMU_LOG(ERR, "%s: %s= needs %s=1: the endpoint that connects out",
			name, EMU_ARG_VSOCK_CONNECT, EMU_ARG_VSOCK);
		ret = -EINVAL;
	}
	if (ret == 0 && h->sleep && !h->vsock) {
		EMU_LOG(ERR, "%s: %s=1 needs %s=1: the endpoint whose services sleep",
			name, EMU_ARG_VSOCK_SLEEP, EMU_ARG_VSOCK);
		ret = -EINVAL;
	}
	if (ret == 0 && h->vsock_cpu != EMU_VSOCK_CPU_ANY && !h->vsock) {
		EMU_LOG(ERR, "%s: %s= needs %s=1: the thread it places",
			name, EMU_ARG_VSOCK_CPU, EMU_ARG_VSOCK);
		ret = -EINVAL;
	}
	if (ret != 0) {
		free(h);
		return -EINVAL;
	}
	*priv = h;
	*numa_node = h->socket_id;
	return 0;
}

static struct vmci_hw *
emu_host_open(const char *name, void *priv)
{
	const struct emu_bus_host *h = priv;

	RTE_SET_USED(name);
	return vmci_emu_host_dev_create(h->hv_name, h->socket_id);
}

static void
emu_host_close(struct vmci_hw *hw, void *priv)
{
	emu_close(hw, ((struct emu_bus_host *)priv)->hv_name);
}

/*
 * vsock_connect=: connect out to the guest's listener, an echo service on
 * the host's end, until one connection has been made. Until the guest
 * listens its tries are refused (a RST, or no context to deliver to), so
 * they are repeated every EMU_VSOCK_CONNECT_RETRY_MS.
 */
static void
emu_host_connect_step(struct emu_bus_host *h)
{
	struct emu_bus_connect *c = &h->connect;
	struct vmci_emu_vsock_connect_conf conf = {
		.cid = c->cid, .port = c->port, .kind = VMCI_EMU_VSOCK_ECHO,
		.sleeps = h->sleep != 0,
	};
	struct vmci_emu_vsock_conn_info info;
	struct vmci_emu_vsock_stats st;
	uint64_t now;

	if (!c->wanted)
		return;
	if (vmci_emu_vsock_stats_get(h->vs, &st) == 0 && st.connected > 0) {
		c->wanted = false;
		EMU_LOG(INFO, "%s: connected to %u:%u", EMU_ARG_VSOCK_CONNECT, c->cid, c->port);
		return;
	}
	if (c->conn_id >= 0 && vmci_emu_vsock_conn_info(h->vs, c->conn_id, &info) == 0 &&
	    info.state != VMCI_EMU_VSOCK_CLOSED)
		return; /* the handshake goes on */
	now = rte_get_timer_cycles();
	if (now < c->next_try)
		return;
	c->next_try = now + rte_get_timer_hz() * EMU_VSOCK_CONNECT_RETRY_MS / 1000;
	c->conn_id = vmci_emu_vsock_connect(h->vs, &conf);
}

static void *
emu_host_vsock_loop(void *arg)
{
	struct emu_bus_host *h = arg;
	unsigned int idle = 0;
	int n;

	while (!__atomic_load_n(&h->stop, __ATOMIC_ACQUIRE)) {
		emu_host_connect_step(h);
		n = vmci_emu_vsock_poll(h->vs);
		if (n < 0)
			break;
		if (n > 0)
			idle = 0;
		else if (++idle >= EMU_VSOCK_SPIN)
			rte_delay_us_sleep(EMU_VSOCK_NAP_US);
	}
	return NULL;
}

/* Stop the control thread, if it runs, and drop the endpoint. */
static void
emu_host_vsock_stop(struct emu_bus_host *h)
{
	if (h->running) {
		__atomic_store_n(&h->stop, true, __ATOMIC_RELEASE);
		pthread_join(h->thread, NULL);
		h->running = false;
	}
	vmci_emu_vsock_destroy(h->vs);
	h->vs = NULL;
}

/*
 * vsock_cpu=: move the control thread, which rte_ctrl_thread_create() put
 * where the EAL puts control threads, to that CPU. The thread has not
 * polled for long, and nobody could have connected yet.
 */
static int
emu_host_place(struct emu_bus_host *h)
{
	cpu_set_t set;
	int ret;

	if (h->vsock_cpu == EMU_VSOCK_CPU_ANY)
		return 0;
	CPU_ZERO(&set);
	CPU_SET(h->vsock_cpu, &set);
	ret = pthread_setaffinity_np(h->thread, sizeof(set), &set);
	if (ret != 0) {
		EMU_LOG(ERR, "%s=%" PRIu32 ": the vSockets thread cannot run on that CPU: %s"
			" (expected an online CPU this process may use)", EMU_ARG_VSOCK_CPU,
			h->vsock_cpu, strerror(ret));
		return -ret;
	}
	EMU_LOG(INFO, "host vSockets thread on CPU %" PRIu32 " (%s=)", h->vsock_cpu,
		EMU_ARG_VSOCK_CPU);
	return 0;
}

/* vsock=1: the endpoint, its default services, and a control thread polling it. */
static void
emu_host_started(struct rte_vmci_device *dev, void *priv)
{
	struct emu_bus_host *h = priv;
	int ret;

	if (!h->vsock)
		return;
	h->vs = vmci_emu_vsock_create(dev);
	if (h->vs == NULL) {
		EMU_LOG(ERR, "vsock=1: host endpoint: %s", rte_strerror(rte_errno));
		return;
	}
	ret = vmci_emu_vsock_listen_defaults(h->vs, h->sleep != 0);
	if (ret == 0) {
		h->stop = false;
		h->connect.conn_id = -1;
		ret = rte_ctrl_thread_create(&h->thread, "vmci-vsock-host", NULL,
					     emu_host_vsock_loop, h);
	}
	if (ret != 0) {
		EMU_LOG(ERR, "vsock=1: services or control thread: %s", rte_strerror(abs(ret)));
		vmci_emu_vsock_destroy(h->vs);
		h->vs = NULL;
		return;
	}
	h->running = true;
	if (emu_host_place(h) < 0) {
		EMU_LOG(ERR, "vsock=1: host vSockets services not started");
		emu_host_vsock_stop(h);
		return;
	}
	EMU_LOG(INFO, "host vSockets services up: stream echo %u, discard %u, source %u%s;"
		" datagram echo %u", VMCI_EMU_VSOCK_PORT_ECHO, VMCI_EMU_VSOCK_PORT_DISCARD,
		VMCI_EMU_VSOCK_PORT_SOURCE, h->sleep ? " (sleeping)" : "",
		VMCI_EMU_VSOCK_DGRAM_ECHO);
}

static void
emu_host_stopping(struct rte_vmci_device *dev, void *priv)
{
	struct emu_bus_host *h = priv;

	RTE_SET_USED(dev);
	emu_host_vsock_stop(h);
}

static struct rte_vmci_bus_backend emu_host_backend = {
	.prefix = VMCI_EMU_HOST_DEV_PREFIX,
	.parse_args = emu_host_parse,
	.free_args = free,
	.open = emu_host_open,
	.close = emu_host_close,
	.started = emu_host_started,
	.stopping = emu_host_stopping,
};

RTE_INIT(vmci_emu_bus_init)
{
	rte_vmci_bus_backend_register(&emu_guest_backend);
	rte_vmci_bus_backend_register(&emu_host_backend);
}
