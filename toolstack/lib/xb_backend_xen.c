// SPDX-License-Identifier: GPL-2.0
/* The real backend: libxenctrl and libxenstore. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <xenctrl.h>
#include <xenstore.h>
#include <xenstore_lib.h>
#include <xen/io/xs_wire.h>

#include "xb_lib_int.h"
#include "xb_xs_raw.h"

struct xb_xen {
	struct xb_backend be;		/* first: a struct xb_backend * is a struct xb_xen * */
	xc_interface *xch;
	struct xs_handle *xsh;
	xc_domaininfo_t *buf;
	unsigned buf_len;
	int raw_fd;			/* own xenstored connection for batches; -1 none */
	bool raw_failed;		/* do not try again */
	bool xs_socket;			/* xsh went through xenstored's socket */
};

static struct xb_xen *xen_of(struct xb_backend *be)
{
	return (struct xb_xen *)be;
}

static enum xb_domtype dom_type(const xc_domaininfo_t *i)
{
	if (!(i->flags & XEN_DOMINF_hvm_guest))
		return XB_TYPE_PV;
	/* PVH has no emulated devices besides (maybe) the local APIC */
	return (i->arch_config.emulation_flags & ~XEN_X86_EMU_LAPIC) ?
	       XB_TYPE_HVM : XB_TYPE_PVH;
}

static int xen_domain_list(struct xb_backend *be, uint32_t first, unsigned max,
			   struct xb_dominfo *out)
{
	struct xb_xen *x = xen_of(be);
	int got;

	if (x->buf_len < max) {
		xc_domaininfo_t *b = realloc(x->buf, max * sizeof(*b));

		if (!b)
			return -1;
		x->buf = b;
		x->buf_len = max;
	}
	got = xc_domain_getinfolist(x->xch, first, max, x->buf);
	if (got < 0)
		return -1;
	for (int i = 0; i < got; i++) {
		const xc_domaininfo_t *in = &x->buf[i];
		struct xb_dominfo *o = &out[i];

		memset(o, 0, sizeof(*o));
		o->domid = in->domain;
		o->type = dom_type(in);
		o->dying = in->flags & XEN_DOMINF_dying;
		o->shutdown = in->flags & XEN_DOMINF_shutdown;
		o->tot_pages = in->tot_pages;
		o->max_pages = in->max_pages;
		o->outstanding_pages = in->outstanding_pages;
		xb_uuid_set(o, in->handle);
	}
	return got;
}

static int xen_physinfo(struct xb_backend *be, struct xb_hostinfo *h)
{
	xc_physinfo_t pi;

	memset(&pi, 0, sizeof(pi));
	if (xc_physinfo(xen_of(be)->xch, &pi))
		return -1;
	h->total_pages = pi.total_pages;
	h->free_pages = pi.free_pages;
	h->scrub_pages = pi.scrub_pages;
	h->outstanding_pages = pi.outstanding_pages;
	return 0;
}

static int xen_txn_start(struct xb_backend *be, xb_txn_t *t_r)
{
	xs_transaction_t t = xs_transaction_start(xen_of(be)->xsh);

	if (t == XBT_NULL)
		return -1;
	*t_r = t;
	return 0;
}

static int xen_txn_end(struct xb_backend *be, xb_txn_t t, bool abort)
{
	return xs_transaction_end(xen_of(be)->xsh, t, abort) ? 0 : -1;
}

static char *xen_xs_read(struct xb_backend *be, xb_txn_t t, const char *path,
			 size_t *len_r)
{
	unsigned int len = 0;
	char *s = xs_read(xen_of(be)->xsh, t, path, &len);

	*len_r = s ? len : 0;
	return s;
}

static int xen_xs_write(struct xb_backend *be, xb_txn_t t, const char *path,
			const char *value)
{
	return xs_write(xen_of(be)->xsh, t, path, value, strlen(value)) ? 0 : -1;
}

static int raw_connect(struct xb_xen *x)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct timeval tmo = { .tv_sec = 5 };
	const char *path = xs_daemon_socket();

	if (x->raw_fd >= 0)
		return 0;
	if (x->raw_failed || !path || strlen(path) >= sizeof(sa.sun_path))
		return -1;
	strcpy(sa.sun_path, path);
	x->raw_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	/* never hang on a silent xenstored: time out and fall back */
	if (x->raw_fd < 0 ||
	    setsockopt(x->raw_fd, SOL_SOCKET, SO_RCVTIMEO, &tmo, sizeof(tmo)) ||
	    setsockopt(x->raw_fd, SOL_SOCKET, SO_SNDTIMEO, &tmo, sizeof(tmo)) ||
	    connect(x->raw_fd, (struct sockaddr *)&sa, sizeof(sa))) {
		if (x->raw_fd >= 0)
			close(x->raw_fd);
		x->raw_fd = -1;
		x->raw_failed = true;
		return -1;
	}
	return 0;
}

static void free_vals(char **vals, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(vals[i]);
		vals[i] = NULL;
	}
}

static int xen_xs_read_many(struct xb_backend *be, bool txn,
			    const char *const *paths, size_t n, char **vals,
			    size_t *lens)
{
	struct xb_xen *x = xen_of(be);
	int rc = -1;

	memset(vals, 0, n * sizeof(*vals));
	memset(lens, 0, n * sizeof(*lens));
	if (raw_connect(x))
		return -1;
	for (int tries = 0; tries < 16; tries++) {
		rc = xb_xs_raw_read(x->raw_fd, txn, paths, n, vals, lens);
		if (rc <= 0)
			break;
		free_vals(vals, n);
	}
	if (rc) {
		free_vals(vals, n);
		close(x->raw_fd);	/* the stream may be out of step now */
		x->raw_fd = -1;
		x->raw_failed = true;
		return -1;
	}
	return 0;
}

static int xen_set_maxmem(struct xb_backend *be, uint32_t domid, uint64_t max_kb)
{
	return xc_domain_setmaxmem(xen_of(be)->xch, domid, max_kb) ? -1 : 0;
}

static int xen_set_pod_target(struct xb_backend *be, uint32_t domid,
			      uint64_t target_pages)
{
	return xc_domain_set_pod_target(xen_of(be)->xch, domid, target_pages,
					NULL, NULL, NULL) ? -1 : 0;
}

/*
 * Xen keeps no PoD target, only a cache (p2m_pod_set_mem_target): a target
 * of tot_pages leaves the cache as it is, and that is what we put back.
 * Xen never shrinks the cache on a lower target (the balloon driver does),
 * so a cache that a failed change grew stays grown until the guest uses or
 * frees it; that is Xen's behaviour for xl too.
 */
static int xen_get_pod_target(struct xb_backend *be, uint32_t domid,
			      uint64_t *target_pages_r)
{
	uint64_t tot = 0, cache = 0, entries = 0;

	if (xc_domain_get_pod_target(xen_of(be)->xch, domid, &tot, &cache,
				     &entries))
		return -1;
	*target_pages_r = entries ? tot : 0;
	return 0;
}

static int xen_xs_rm(struct xb_backend *be, xb_txn_t t, const char *path)
{
	if (xs_rm(xen_of(be)->xsh, t, path) || errno == ENOENT)
		return 0;
	return -1;
}

/*
 * Does xenstored's socket take a connection now? libxenstore's xs_open()
 * silently falls back to the kernel's xenbus device when the socket does not
 * answer. In dom0 that device hands requests to whatever xenstored serves the
 * ring, so while xenstored is down the first call on such a handle blocks
 * until one comes back, and no signal ends it.
 */
static bool xs_socket_answers(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	const char *path = xs_daemon_socket();
	int fd, rc, saved;

	if (!path || strlen(path) >= sizeof(sa.sun_path)) {
		errno = ENAMETOOLONG;
		return false;
	}
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	rc = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	saved = errno;
	close(fd);
	errno = saved;
	return !rc;
}

/*
 * A new libxenstore connection (xenstored restarted); the batch socket too.
 * Where the first connection went through xenstored's socket, so must this
 * one: until the socket answers, fail (ECONNREFUSED, ENOENT) and let the
 * caller try again later, rather than get a device handle that blocks.
 */
static int xen_xs_reopen(struct xb_backend *be)
{
	struct xb_xen *x = xen_of(be);
	struct xs_handle *xsh;

	if (x->xs_socket && !xs_socket_answers())
		return -1;
	xsh = xs_open(XS_UNWATCH_FILTER);
	if (!xsh)
		return -1;
	if (x->xsh)
		xs_close(x->xsh);
	x->xsh = xsh;
	if (x->raw_fd >= 0)
		close(x->raw_fd);
	x->raw_fd = -1;
	x->raw_failed = getenv("XBALLOON_XS_BATCH") &&
			!strcmp(getenv("XBALLOON_XS_BATCH"), "0");
	return 0;
}

static uint64_t xen_now_ms(struct xb_backend *be)
{
	struct timespec ts;

	(void)be;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void xen_sleep_ms(struct xb_backend *be, unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	(void)be;
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static void *xen_xs_handle(struct xb_backend *be)
{
	return xen_of(be)->xsh;
}

static void xen_close(struct xb_backend *be)
{
	struct xb_xen *x = xen_of(be);

	if (!x)
		return;
	if (x->xsh)
		xs_close(x->xsh);
	if (x->raw_fd >= 0)
		close(x->raw_fd);
	if (x->xch)
		xc_interface_close(x->xch);
	free(x->buf);
	free(x);
}

/* ---- reservations: a placeholder domain holds the claim ---- */

static int xen_placeholder_create(struct xb_backend *be, uint64_t max_kb,
				  uint32_t *domid_r)
{
	xc_interface *xch = xen_of(be)->xch;
	struct xen_domctl_createdomain cfg;
	uint32_t domid = 0;	/* 0: Xen picks a free id */
	int saved;

	memset(&cfg, 0, sizeof(cfg));
	/* PV, one vCPU never started, the smallest grant table: holds only a claim */
	cfg.max_vcpus = 1;
	cfg.max_evtchn_port = 0;
	cfg.max_grant_frames = 1;
	cfg.max_maptrack_frames = 0;
	cfg.grant_opts = XEN_DOMCTL_GRANT_version(1);
	if (xc_domain_create(xch, &domid, &cfg))
		return -1;
	if (xc_domain_setmaxmem(xch, domid, max_kb)) {
		saved = errno;
		xc_domain_destroy(xch, domid);
		errno = saved;
		return -1;
	}
	*domid_r = domid;
	return 0;
}

static int xen_claim(struct xb_backend *be, uint32_t domid, uint64_t pages)
{
	return xc_domain_claim_pages(xen_of(be)->xch, domid, pages) ? -1 : 0;
}

static int xen_domain_destroy(struct xb_backend *be, uint32_t domid)
{
	return xc_domain_destroy(xen_of(be)->xch, domid) ? -1 : 0;
}

/* Field 22 of /proc/PID/stat (start time in clock ticks); 0 when unknown. */
static uint64_t proc_start(int32_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long long v = 0;
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	p = strrchr(buf, ')');	/* the name may hold spaces and parentheses */
	if (!p || sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u "
			 "%*u %*u %*d %*d %*d %*d %*d %*d %llu", &v) != 1)
		return 0;
	return v;
}

static bool xen_pid_alive(struct xb_backend *be, int32_t pid, uint64_t start)
{
	(void)be;
	if (pid <= 0)
		return false;
	if (kill(pid, 0) && errno == ESRCH)
		return false;
	return !start || proc_start(pid) == start;
}

static void xen_self(struct xb_backend *be, int32_t *pid_r, uint64_t *start_r)
{
	(void)be;
	*pid_r = getpid();
	*start_r = proc_start(*pid_r);
}

static const struct xb_backend_ops xen_ops = {
	.domain_list = xen_domain_list,
	.physinfo = xen_physinfo,
	.txn_start = xen_txn_start,
	.txn_end = xen_txn_end,
	.xs_read = xen_xs_read,
	.xs_write = xen_xs_write,
	.xs_read_many = xen_xs_read_many,
	.set_maxmem = xen_set_maxmem,
	.set_pod_target = xen_set_pod_target,
	.get_pod_target = xen_get_pod_target,
	.xs_rm = xen_xs_rm,
	.xs_reopen = xen_xs_reopen,
	.placeholder_create = xen_placeholder_create,
	.claim = xen_claim,
	.domain_destroy = xen_domain_destroy,
	.pid_alive = xen_pid_alive,
	.self = xen_self,
	.now_ms = xen_now_ms,
	.sleep_ms = xen_sleep_ms,
	.xs_handle = xen_xs_handle,
	.close = xen_close,
};

struct xb_backend *xballoon_backend_xen_open(void)
{
	struct xb_xen *x = calloc(1, sizeof(*x));
	struct stat st;
	int saved;

	if (!x)
		return NULL;
	x->be.ops = &xen_ops;
	x->be.chunk = XB_DOMINFO_CHUNK;
	x->raw_fd = -1;
	/* XBALLOON_XS_BATCH=0: plain libxenstore only (make bench compares both) */
	x->raw_failed = getenv("XBALLOON_XS_BATCH") &&
			!strcmp(getenv("XBALLOON_XS_BATCH"), "0");
	x->xch = xc_interface_open(NULL, NULL, 0);
	if (!x->xch)
		goto fail;
	x->xsh = xs_open(XS_UNWATCH_FILTER);
	if (!x->xsh)
		goto fail;
	/* libxenstore takes the socket when there is one (no round trip here) */
	x->xs_socket = !stat(xs_daemon_socket(), &st) && S_ISSOCK(st.st_mode);
	return &x->be;
fail:
	saved = errno ? errno : EIO;
	xen_close(&x->be);
	errno = saved;
	return NULL;
}
