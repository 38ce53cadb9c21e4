// SPDX-License-Identifier: GPL-2.0
/* libxballoon: snapshots of every domain's memory, lookups and selections. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "xb_lib_int.h"

static int list_domains(struct xb_backend *be, struct xb_dominfo **doms_r,
			size_t *n_r)
{
	unsigned chunk = be->chunk ? be->chunk : XB_DOMINFO_CHUNK;
	struct xb_dominfo *doms = NULL, *tmp;
	size_t n = 0, cap = 0;
	uint32_t first = 0;

	for (;;) {
		int got;

		if (cap - n < chunk) {
			cap = n + chunk;
			tmp = realloc(doms, cap * sizeof(*doms));
			if (!tmp)
				goto fail;
			doms = tmp;
		}
		got = be->ops->domain_list(be, first, chunk, doms + n);
		if (got < 0)
			goto fail;
		if ((unsigned)got > chunk) {
			errno = EIO;
			goto fail;
		}
		n += (size_t)got;
		if ((unsigned)got < chunk || !got)
			break;
		first = doms[n - 1].domid + 1;
		if (first >= XB_DOMID_FIRST_RESERVED)
			break;
	}
	*doms_r = doms;
	*n_r = n;
	return 0;
fail:
	free(doms);
	return -1;
}

/* The dom0-owned keys of a domain, in the order apply_dom_keys() takes them. */
enum { K_NAME, K_STATIC_MAX, K_TARGET, K_FOLLOWED, K_VIDEORAM, K_NR };
static const char *const dom_keys[K_NR] = {
	"name", "memory/static-max", "memory/target", XB_KEY_FOLLOWED,
	"memory/videoram",
};

/*
 * Is key K read for D? Video RAM exists only for PVH/HVM; the followed mark
 * only when the caller selects with it (XB_SNAP_FOLLOWED).
 */
static bool want_key(const struct xb_domain *d, unsigned flags, size_t k)
{
	if (k == K_VIDEORAM)
		return d->xen.type != XB_TYPE_PV;
	if (k == K_FOLLOWED)
		return flags & XB_SNAP_FOLLOWED;
	return true;
}

/* Set D's fields from the raw values (NULL = missing); frees nothing. */
static void apply_dom_keys(struct xb_domain *d, char *const *vals,
			   const size_t *lens)
{
	char name[XB_NAME_MAX], *dup;
	uint64_t v;

	/* a retried transaction reads again: the newest name wins */
	xballoon_xs_name(vals[K_NAME], vals[K_NAME] ? lens[K_NAME] : 0, name,
			 sizeof(name));
	dup = strdup(name);
	if (dup) {
		free(d->name);
		d->name = dup;
	}
	d->has_static_max = vals[K_STATIC_MAX] &&
		!xballoon_xs_u64(vals[K_STATIC_MAX], lens[K_STATIC_MAX], &d->static_max_kb);
	d->has_target = vals[K_TARGET] &&
		!xballoon_xs_u64(vals[K_TARGET], lens[K_TARGET], &v);
	d->target_kb = d->has_target ? v : 0;
	d->followed = vals[K_FOLLOWED] &&
		!xballoon_xs_u64(vals[K_FOLLOWED], lens[K_FOLLOWED], &v) && v == 1;
	d->videoram_kb = 0;
	if (vals[K_VIDEORAM] &&
	    xballoon_xs_u64(vals[K_VIDEORAM], lens[K_VIDEORAM], &d->videoram_kb))
		d->videoram_kb = 0;
}

static void read_dom_keys(struct xb_backend *be, xb_txn_t t, struct xb_domain *d,
			  unsigned flags)
{
	char *vals[K_NR] = { NULL };
	size_t lens[K_NR] = { 0 };
	char path[XB_PATH_LEN];

	for (size_t k = 0; k < K_NR; k++) {
		if (!want_key(d, flags, k))
			continue;
		xb_dom_path(path, d->xen.domid, dom_keys[k]);
		vals[k] = be->ops->xs_read(be, t, path, &lens[k]);
	}
	apply_dom_keys(d, vals, lens);
	for (size_t k = 0; k < K_NR; k++)
		free(vals[k]);
}

/*
 * The same for every domain of SNAP with the backend's batched read: the
 * keys in one transaction (TXN), or each domain's report. -1: not available.
 */
static int read_batched(struct xb_backend *be, struct xb_snapshot *snap,
			bool reports)
{
	size_t n = 0, i, k, at = 0, per = reports ? 1 : K_NR;
	char (*paths)[XB_PATH_LEN] = NULL;
	const char **pp = NULL;
	char **vals = NULL;
	size_t *lens = NULL;
	int rc = -1;

	if (!be->ops->xs_read_many || !snap->n)
		return -1;
	paths = calloc(snap->n * per, sizeof(*paths));
	pp = calloc(snap->n * per, sizeof(*pp));
	vals = calloc(snap->n * per, sizeof(*vals));
	lens = calloc(snap->n * per, sizeof(*lens));
	if (!paths || !pp || !vals || !lens)
		goto out;
	for (i = 0; i < snap->n; i++) {
		const struct xb_domain *d = &snap->doms[i];
		for (k = 0; k < (reports ? 1 : K_NR); k++) {
			if (!reports && !want_key(d, snap->flags, k))
				continue;
			xb_dom_path(paths[n], d->xen.domid,
				 reports ? "data/xballoon/report" : dom_keys[k]);
			pp[n] = paths[n];
			n++;
		}
	}
	if (be->ops->xs_read_many(be, !reports, pp, n, vals, lens))
		goto out;
	for (i = 0; i < snap->n; i++) {
		struct xb_domain *d = &snap->doms[i];

		if (reports) {
			/* NULL (out of memory) is read again one by one */
			d->report = xballoon_report_parse(vals[at], vals[at] ? lens[at] : 0);
			at++;
			continue;
		}
		{
			char *v[K_NR] = { NULL };
			size_t l[K_NR] = { 0 };

			for (k = 0; k < K_NR; k++) {
				if (!want_key(d, snap->flags, k))
					continue;
				v[k] = vals[at];
				l[k] = lens[at];
				at++;
			}
			apply_dom_keys(d, v, l);
		}
	}
	rc = 0;
out:
	for (i = 0; vals && i < n; i++)
		free(vals[i]);
	free(paths);
	free(pp);
	free(vals);
	free(lens);
	return rc;
}

/* Numbers that follow from Xen's view; only Xen's and dom0's values, never reports. */
static void derive_numbers(struct xb_domain *d, const struct xb_snapshot *snap)
{
	d->actual_kb = xb_pages_to_kb(d->xen.tot_pages);
	if (!d->has_static_max) {
		uint64_t max_kb = xb_pages_to_kb(d->xen.max_pages);

		/* dom0 often has none; Xen's max (or the host) stands in */
		d->static_max_kb = max_kb && max_kb <= snap->host_total_kb ?
				   max_kb : snap->host_total_kb;
	}
	if (!d->has_target)
		d->target_kb = d->actual_kb;
	d->reclaimed_kb = d->static_max_kb > d->actual_kb ?
			  d->static_max_kb - d->actual_kb : 0;
}

static void finish_domain(struct xb_domain *d, const struct xb_snapshot *snap)
{
	if (d->has_target) {
		if (d->target_kb > XB_SIZE_MAX_KB || d->videoram_kb > XB_SIZE_MAX_KB)
			d->has_target = false;
		else
			d->target_kb += d->videoram_kb;
	}
	derive_numbers(d, snap);
}

static void set_host(struct xb_snapshot *snap)
{
	const struct xb_hostinfo *h = &snap->host;

	snap->host_total_kb = xb_pages_to_kb(h->total_pages);
	snap->host_free_kb = h->free_pages > h->outstanding_pages ?
		xb_pages_to_kb(h->free_pages - h->outstanding_pages) : 0;
}

static void sum_up(struct xb_snapshot *snap)
{
	snap->reclaimed_kb = snap->actual_kb = snap->static_max_kb = 0;
	snap->target_kb = 0;
	for (size_t i = 0; i < snap->n; i++) {
		snap->reclaimed_kb += snap->doms[i].reclaimed_kb;
		snap->actual_kb += snap->doms[i].actual_kb;
		snap->static_max_kb += snap->doms[i].static_max_kb;
		snap->target_kb += snap->doms[i].target_kb;
	}
}

static int snapshot_body(struct xb_backend *be, xb_txn_t t, void *arg,
			 const char **why_r)
{
	struct xb_snapshot *snap = arg;

	(void)why_r;
	for (size_t i = 0; i < snap->n; i++)
		read_dom_keys(be, t, &snap->doms[i], snap->flags);
	return 0;
}

struct xb_report *xballoon_read_report(struct xb_backend *be, uint32_t domid)
{
	char path[XB_PATH_LEN];
	struct xb_report *r;
	size_t len = 0;
	char *s;

	xb_dom_path(path, domid, "data/xballoon/report");
	s = be->ops->xs_read(be, XB_TXN_NULL, path, &len);
	r = xballoon_report_parse(s, s ? len : 0);
	free(s);
	return r;
}

int xballoon_snapshot_take(struct xb_backend *be, struct xb_snapshot *snap_r)
{
	return xballoon_snapshot_take_flags(be, XB_SNAP_FOLLOWED, snap_r);
}

/*
 * XBALLOON_TIMING: where a snapshot's time goes (make bench), in ms. Off, it
 * reads no clock: a clock read can be a trip through Xen in a PV dom0, and
 * watch and wait take a snapshot every tick.
 */
static double phase_ms(bool timing, double *last)
{
	struct timespec ts;
	double now, d;

	if (!timing)
		return 0;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
	d = *last ? now - *last : 0;
	*last = now;
	return d;
}

int xballoon_snapshot_take_flags(struct xb_backend *be, unsigned flags,
			   struct xb_snapshot *snap_r)
{
	bool timing = getenv("XBALLOON_TIMING");
	double t = 0, ms_list, ms_host, ms_keys, ms_reports;
	struct xb_snapshot snap = { .flags = flags };
	struct xb_dominfo *info = NULL;
	size_t n = 0, i;
	int saved;

	phase_ms(timing, &t);
	if (list_domains(be, &info, &n))
		return -1;
	ms_list = phase_ms(timing, &t);
	if (be->ops->physinfo(be, &snap.host))
		goto fail;
	ms_host = phase_ms(timing, &t);
	set_host(&snap);
	snap.doms = calloc(n ? n : 1, sizeof(*snap.doms));
	if (!snap.doms)
		goto fail;
	snap.n = n;
	for (i = 0; i < n; i++)
		snap.doms[i].xen = info[i];

	phase_ms(timing, &t);
	if (read_batched(be, &snap, false) && xb_txn_run(be, snapshot_body, &snap, NULL))
		goto fail;
	ms_keys = phase_ms(timing, &t);
	/* reports: guest-owned, untrusted, deliberately outside the transaction */
	read_batched(be, &snap, true);
	for (i = 0; i < n; i++)
		if (!snap.doms[i].report)
			snap.doms[i].report = xballoon_read_report(be, snap.doms[i].xen.domid);
	ms_reports = phase_ms(timing, &t);
	if (timing) {
		size_t nkeys = 0;

		for (i = 0; i < n; i++)
			for (size_t k = 0; k < K_NR; k++)
				nkeys += want_key(&snap.doms[i], flags, k);
		fprintf(stderr, "xballoon timing: snapshot of %zu domains: list %.1f ms, "
			"host %.1f ms, keys %.1f ms, reports %.1f ms, %zu keys\n", n,
			ms_list, ms_host, ms_keys, ms_reports, nkeys);
	}
	for (i = 0; i < n; i++) {
		struct xb_domain *d = &snap.doms[i];

		/* never NULL for callers: "" when unknown (or out of memory above) */
		if (!d->name && !(d->name = strdup("")))
			goto fail;
		if (!d->report) {
			errno = ENOMEM;
			goto fail;
		}
		finish_domain(d, &snap);
		d->state = xballoon_derive_state(d, NULL, 0, XB_STUCK_MS_DEFAULT);
	}
	sum_up(&snap);
	free(info);
	*snap_r = snap;
	return 0;
fail:
	saved = errno ? errno : EIO;
	free(info);
	xballoon_snapshot_free(&snap);
	errno = saved;
	return -1;
}

int xballoon_snapshot_refresh_xen(struct xb_backend *be, struct xb_snapshot *snap)
{
	struct xb_dominfo *info = NULL;
	struct xb_hostinfo host;
	size_t n = 0, i;
	int saved;

	if (list_domains(be, &info, &n))
		return -1;
	if (be->ops->physinfo(be, &host)) {
		saved = errno;
		free(info);
		errno = saved;
		return -1;
	}
	if (n != snap->n) {
		free(info);
		return 0;
	}
	for (i = 0; i < n; i++) {
		if (info[i].domid != snap->doms[i].xen.domid ||
		    !xb_uuid_equal(&info[i], &snap->doms[i].xen)) {
			free(info);
			return 0;
		}
	}
	snap->host = host;
	set_host(snap);
	for (i = 0; i < n; i++) {
		snap->doms[i].xen = info[i];
		derive_numbers(&snap->doms[i], snap);
	}
	sum_up(snap);
	free(info);
	return 1;
}

void xballoon_snapshot_free(struct xb_snapshot *snap)
{
	if (!snap)
		return;
	for (size_t i = 0; snap->doms && i < snap->n; i++) {
		free(snap->doms[i].name);
		xb_report_release(snap->doms[i].report);
	}
	free(snap->doms);
	snap->doms = NULL;
	snap->n = 0;
}

struct xb_domain *xballoon_snapshot_find(const struct xb_snapshot *snap, uint32_t domid)
{
	for (size_t i = 0; i < snap->n; i++)
		if (snap->doms[i].xen.domid == domid)
			return &snap->doms[i];
	return NULL;
}

struct xb_domain *xballoon_snapshot_lookup(const struct xb_snapshot *snap,
				     const char *arg)
{
	struct xb_domain *found = NULL;
	uint64_t id;

	if (!arg || !*arg)
		return NULL;
	if (!xballoon_xs_u64(arg, strlen(arg), &id))
		return id < XB_DOMID_FIRST_RESERVED ?
		       xballoon_snapshot_find(snap, (uint32_t)id) : NULL;
	for (size_t i = 0; i < snap->n; i++) {
		if (strcmp(snap->doms[i].name, arg))
			continue;
		if (found)
			return NULL;	/* ambiguous */
		found = &snap->doms[i];
	}
	return found;
}

bool xballoon_dom_has_driver(const struct xb_domain *d)
{
	return d->report->status == XB_REPORT_VALID || d->followed;
}

static bool selected(const struct xb_selection *sel, const struct xb_domain *d)
{
	for (size_t i = 0; i < sel->n; i++)
		if (sel->doms[i] == d)
			return true;
	return false;
}

int xballoon_select(const struct xb_snapshot *snap, const char *const *args,
	      size_t n_args, bool all, bool include_no_driver,
	      struct xb_selection *sel_r)
{
	struct xb_selection sel = { 0 };
	size_t cap = snap->n + 1;

	sel.doms = calloc(cap, sizeof(*sel.doms));
	sel.skipped = calloc(cap, sizeof(*sel.skipped));
	sel.bad = calloc(n_args + 1, sizeof(*sel.bad));
	if (!sel.doms || !sel.skipped || !sel.bad) {
		xballoon_selection_free(&sel);
		errno = ENOMEM;
		return -1;
	}
	for (size_t i = 0; all && i < snap->n; i++) {
		const struct xb_domain *d = &snap->doms[i];

		if (d->xen.domid == 0 || d->xen.dying || d->xen.shutdown)
			continue;
		if (include_no_driver || xballoon_dom_has_driver(d))
			sel.doms[sel.n++] = d;
		else
			sel.skipped[sel.n_skipped++] = d;
	}
	for (size_t i = 0; i < n_args; i++) {
		const struct xb_domain *d = xballoon_snapshot_lookup(snap, args[i]);

		if (!d)
			sel.bad[sel.n_bad++] = i;
		else if (!selected(&sel, d))
			sel.doms[sel.n++] = d;
	}
	*sel_r = sel;
	return 0;
}

void xballoon_selection_free(struct xb_selection *sel)
{
	if (!sel)
		return;
	free(sel->doms);
	free(sel->skipped);
	free(sel->bad);
	memset(sel, 0, sizeof(*sel));
}

/* ---- policy keys (outside the snapshot: only list and /metrics show them) ---- */

enum { POL_MIN, POL_MAX, POL_UNCOOP, POL_NR };
static const char *const pol_keys[POL_NR] = {
	[POL_MIN] = XB_KEY_DYN_MIN, [POL_MAX] = XB_KEY_DYN_MAX, [POL_UNCOOP] = XB_KEY_UNCOOP,
};

/* The keys as read (VALS[k] NULL: absent, unreadable) into *P. */
static void pol_parse(char *const *vals, const size_t *lens, struct xb_dom_pol *p)
{
	uint64_t lo = 0, hi = 0, v = 0;

	p->has_range = vals[POL_MIN] && vals[POL_MAX] &&
		       !xballoon_xs_u64(vals[POL_MIN], lens[POL_MIN], &lo) &&
		       !xballoon_xs_u64(vals[POL_MAX], lens[POL_MAX], &hi) && lo <= hi;
	p->min_kb = p->has_range ? lo : 0;
	p->max_kb = p->has_range ? hi : 0;
	p->uncooperative = vals[POL_UNCOOP] &&
			   !xballoon_xs_u64(vals[POL_UNCOOP], lens[POL_UNCOOP], &v) && v == 1;
}

/* DOMID's keys FROM..TO-1 one by one (no transaction); the others absent. */
static void pol_read(struct xb_backend *be, uint32_t domid, size_t from, size_t to,
		     struct xb_dom_pol *p)
{
	char path[XB_PATH_LEN], *vals[POL_NR] = { NULL };
	size_t lens[POL_NR] = { 0 }, k;

	for (k = from; k < to; k++) {
		xb_dom_path(path, domid, pol_keys[k]);
		vals[k] = be->ops->xs_read(be, XB_TXN_NULL, path, &lens[k]);
	}
	pol_parse(vals, lens, p);
	for (k = 0; k < POL_NR; k++)
		free(vals[k]);
}

void xb_read_policies(struct xb_backend *be, const uint32_t *domids, size_t n,
		      struct xb_dom_pol *p)
{
	char (*paths)[XB_PATH_LEN] = NULL;
	const char **pp = NULL;
	char **vals = NULL;
	size_t *lens = NULL, i, nk = n * POL_NR;
	bool done = false;

	if (be->ops->xs_read_many && n) {
		paths = calloc(nk, sizeof(*paths));
		pp = calloc(nk, sizeof(*pp));
		vals = calloc(nk, sizeof(*vals));
		lens = calloc(nk, sizeof(*lens));
	}
	if (paths && pp && vals && lens) {
		for (i = 0; i < nk; i++) {
			xb_dom_path(paths[i], domids[i / POL_NR], pol_keys[i % POL_NR]);
			pp[i] = paths[i];
		}
		/* one round of requests; -1: one by one below */
		done = !be->ops->xs_read_many(be, false, pp, nk, vals, lens);
		for (i = 0; done && i < n; i++)
			pol_parse(vals + i * POL_NR, lens + i * POL_NR, &p[i]);
		for (i = 0; done && i < nk; i++)
			free(vals[i]);
	}
	for (i = 0; !done && i < n; i++)
		pol_read(be, domids[i], 0, POL_NR, &p[i]);
	free(paths);
	free(pp);
	free(vals);
	free(lens);
}

bool xballoon_dom_dynamic_range(struct xb_backend *be, uint32_t domid,
			  uint64_t *min_kb_r, uint64_t *max_kb_r)
{
	struct xb_dom_pol p;

	pol_read(be, domid, POL_MIN, POL_MAX + 1, &p);
	if (!p.has_range)
		return false;
	*min_kb_r = p.min_kb;
	*max_kb_r = p.max_kb;
	return true;
}

bool xballoon_dom_uncooperative(struct xb_backend *be, uint32_t domid)
{
	struct xb_dom_pol p;

	pol_read(be, domid, POL_UNCOOP, POL_UNCOOP + 1, &p);
	return p.uncooperative;
}
