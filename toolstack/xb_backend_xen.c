// SPDX-License-Identifier: GPL-2.0
/* The real backend: libxenctrl and libxenstore. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <xenctrl.h>
#include <xenstore.h>

#include "xb_backend.h"

struct xb_xen {
	struct xb_backend be;		/* first: a struct xb_backend * is a struct xb_xen * */
	xc_interface *xch;
	struct xs_handle *xsh;
	xc_domaininfo_t *buf;
	unsigned buf_len;
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
		memcpy(o->handle, in->handle, sizeof(o->handle));
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
	if (x->xch)
		xc_interface_close(x->xch);
	free(x->buf);
	free(x);
}

static const struct xb_backend_ops xen_ops = {
	.domain_list = xen_domain_list,
	.physinfo = xen_physinfo,
	.txn_start = xen_txn_start,
	.txn_end = xen_txn_end,
	.xs_read = xen_xs_read,
	.xs_write = xen_xs_write,
	.set_maxmem = xen_set_maxmem,
	.set_pod_target = xen_set_pod_target,
	.now_ms = xen_now_ms,
	.sleep_ms = xen_sleep_ms,
	.xs_handle = xen_xs_handle,
	.close = xen_close,
};

struct xb_backend *xb_backend_xen_open(void)
{
	struct xb_xen *x = calloc(1, sizeof(*x));
	int saved;

	if (!x)
		return NULL;
	x->be.ops = &xen_ops;
	x->be.chunk = XB_DOMINFO_CHUNK;
	x->xch = xc_interface_open(NULL, NULL, 0);
	if (!x->xch)
		goto fail;
	x->xsh = xs_open(XS_UNWATCH_FILTER);
	if (!x->xsh)
		goto fail;
	return &x->be;
fail:
	saved = errno ? errno : EIO;
	xen_close(&x->be);
	errno = saved;
	return NULL;
}
