// SPDX-License-Identifier: GPL-2.0
/* libxballoon: snapshots, validated plans, xl-compatible target setting, wait. */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xballoon.h"

#define DOMID_FIRST_RESERVED 0x7ff0U
#define PATH_LEN 128

/* ---- small xenstore helpers ---- */

/* Read PATH as a decimal KiB value. 1 = read, 0 = missing or not a number. */
static int read_u64(struct xb_backend *be, xb_txn_t t, const char *path,
		    uint64_t *v_r)
{
	size_t len = 0;
	char *s = be->ops->xs_read(be, t, path, &len);
	int ok;

	if (!s)
		return 0;
	ok = !xb_xs_u64(s, len, v_r);
	free(s);
	return ok;
}

static int write_u64(struct xb_backend *be, xb_txn_t t, const char *path,
		     uint64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%" PRIu64, v);
	return be->ops->xs_write(be, t, path, buf);
}

static void dom_path(char *buf, uint32_t domid, const char *key)
{
	snprintf(buf, PATH_LEN, "/local/domain/%" PRIu32 "/%s", domid, key);
}

static void uuid_str(const uint8_t h[16], char buf[37])
{
	snprintf(buf, 37,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7], h[8], h[9],
		 h[10], h[11], h[12], h[13], h[14], h[15]);
}

/*
 * Run BODY inside a xenstore transaction, retrying the whole body when the
 * commit fails with EAGAIN (someone else changed what it read). BODY returns
 * 0 to commit or -1 (errno, *why) to abort.
 */
typedef int (*txn_body_fn)(struct xb_backend *be, xb_txn_t t, void *arg,
			   const char **why_r);

static int txn_run(struct xb_backend *be, txn_body_fn body, void *arg,
		   const char **why_r)
{
	const char *why = NULL;

	for (int tries = 0; tries < XB_TXN_RETRIES; tries++) {
		xb_txn_t t;
		int saved;

		if (be->ops->txn_start(be, &t)) {
			why = "cannot start a xenstore transaction";
			break;
		}
		if (body(be, t, arg, &why)) {
			saved = errno ? errno : EIO;
			be->ops->txn_end(be, t, true);
			errno = saved;
			break;
		}
		if (!be->ops->txn_end(be, t, false))
			return 0;
		why = "xenstore transaction failed";
		if (errno != EAGAIN)
			break;
	}
	if (why_r)
		*why_r = why;
	return -1;
}

/* ---- snapshot ---- */

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
		if (first >= DOMID_FIRST_RESERVED)
			break;
	}
	*doms_r = doms;
	*n_r = n;
	return 0;
fail:
	free(doms);
	return -1;
}

/* Toolstack-owned keys of one domain, read inside transaction T. */
/* The dom0-owned keys of a domain, in the order apply_dom_keys() takes them. */
enum { K_NAME, K_STATIC_MAX, K_TARGET, K_VIDEORAM, K_NR };
static const char *const dom_keys[K_NR] = {
	"name", "memory/static-max", "memory/target", "memory/videoram",
};

/* Keys to read for D: video RAM exists only for PVH/HVM. */
static size_t dom_nkeys(const struct xb_domain *d)
{
	return d->xen.type == XB_TYPE_PV ? K_VIDEORAM : K_NR;
}

/* Set D's fields from the raw values (NULL = missing); frees nothing. */
static void apply_dom_keys(struct xb_domain *d, char *const *vals,
			   const size_t *lens)
{
	uint64_t v;

	xb_xs_name(vals[K_NAME], vals[K_NAME] ? lens[K_NAME] : 0, d->name,
		   sizeof(d->name));
	d->has_static_max = vals[K_STATIC_MAX] &&
		!xb_xs_u64(vals[K_STATIC_MAX], lens[K_STATIC_MAX], &d->static_max_kb);
	d->has_target = vals[K_TARGET] &&
		!xb_xs_u64(vals[K_TARGET], lens[K_TARGET], &v);
	d->target_kb = d->has_target ? v : 0;
	d->videoram_kb = 0;
	if (dom_nkeys(d) > K_VIDEORAM && vals[K_VIDEORAM] &&
	    xb_xs_u64(vals[K_VIDEORAM], lens[K_VIDEORAM], &d->videoram_kb))
		d->videoram_kb = 0;
}

static void read_dom_keys(struct xb_backend *be, xb_txn_t t, struct xb_domain *d)
{
	char *vals[K_NR] = { NULL };
	size_t lens[K_NR] = { 0 };
	char path[PATH_LEN];

	for (size_t k = 0; k < dom_nkeys(d); k++) {
		dom_path(path, d->xen.domid, dom_keys[k]);
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
	char (*paths)[PATH_LEN] = NULL;
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
		size_t nk = reports ? 1 : dom_nkeys(d);

		for (k = 0; k < nk; k++, n++) {
			dom_path(paths[n], d->xen.domid,
				 reports ? "data/xballoon/report" : dom_keys[k]);
			pp[n] = paths[n];
		}
	}
	if (be->ops->xs_read_many(be, !reports, pp, n, vals, lens))
		goto out;
	for (i = 0; i < snap->n; i++) {
		struct xb_domain *d = &snap->doms[i];

		if (reports) {
			xb_report_parse(vals[at], vals[at] ? lens[at] : 0, &d->report);
			at++;
			continue;
		}
		{
			char *v[K_NR] = { NULL };
			size_t l[K_NR] = { 0 };

			for (k = 0; k < dom_nkeys(d); k++, at++) {
				v[k] = vals[at];
				l[k] = lens[at];
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
		read_dom_keys(be, t, &snap->doms[i]);
	return 0;
}

void xb_read_report(struct xb_backend *be, uint32_t domid, struct xb_report *r)
{
	char path[PATH_LEN];
	size_t len = 0;
	char *s;

	dom_path(path, domid, "data/xballoon/report");
	s = be->ops->xs_read(be, XB_TXN_NULL, path, &len);
	xb_report_parse(s, s ? len : 0, r);
	free(s);
}

int xb_snapshot_take(struct xb_backend *be, struct xb_snapshot *snap_r)
{
	struct xb_snapshot snap = { 0 };
	struct xb_dominfo *info = NULL;
	size_t n = 0, i;
	int saved;

	if (list_domains(be, &info, &n))
		return -1;
	if (be->ops->physinfo(be, &snap.host))
		goto fail;
	set_host(&snap);
	snap.doms = calloc(n ? n : 1, sizeof(*snap.doms));
	if (!snap.doms)
		goto fail;
	snap.n = n;
	for (i = 0; i < n; i++)
		snap.doms[i].xen = info[i];

	if (read_batched(be, &snap, false) && txn_run(be, snapshot_body, &snap, NULL))
		goto fail;
	/* reports: guest-owned, untrusted, deliberately outside the transaction */
	if (read_batched(be, &snap, true))
		for (i = 0; i < n; i++)
			xb_read_report(be, snap.doms[i].xen.domid, &snap.doms[i].report);
	for (i = 0; i < n; i++) {
		struct xb_domain *d = &snap.doms[i];

		finish_domain(d, &snap);
		d->state = xb_derive_state(d, NULL, 0, XB_STUCK_MS_DEFAULT);
	}
	sum_up(&snap);
	free(info);
	*snap_r = snap;
	return 0;
fail:
	saved = errno ? errno : EIO;
	free(info);
	free(snap.doms);
	errno = saved;
	return -1;
}

int xb_snapshot_refresh_xen(struct xb_backend *be, struct xb_snapshot *snap)
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
		    memcmp(info[i].handle, snap->doms[i].xen.handle,
			   sizeof(info[i].handle))) {
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

void xb_snapshot_free(struct xb_snapshot *snap)
{
	if (!snap)
		return;
	free(snap->doms);
	snap->doms = NULL;
	snap->n = 0;
}

struct xb_domain *xb_snapshot_find(const struct xb_snapshot *snap, uint32_t domid)
{
	for (size_t i = 0; i < snap->n; i++)
		if (snap->doms[i].xen.domid == domid)
			return &snap->doms[i];
	return NULL;
}

struct xb_domain *xb_snapshot_lookup(const struct xb_snapshot *snap,
				     const char *arg)
{
	struct xb_domain *found = NULL;
	uint64_t id;

	if (!arg || !*arg)
		return NULL;
	if (!xb_xs_u64(arg, strlen(arg), &id))
		return id < DOMID_FIRST_RESERVED ?
		       xb_snapshot_find(snap, (uint32_t)id) : NULL;
	for (size_t i = 0; i < snap->n; i++) {
		if (strcmp(snap->doms[i].name, arg))
			continue;
		if (found)
			return NULL;	/* ambiguous */
		found = &snap->doms[i];
	}
	return found;
}

/* ---- plans ---- */

void xb_plan_free(struct xb_plan *plan)
{
	if (!plan)
		return;
	for (size_t i = 0; i < plan->n_errors; i++)
		free(plan->errors[i]);
	free(plan->errors);
	free(plan->changes);
	memset(plan, 0, sizeof(*plan));
}

static int plan_error(struct xb_plan *plan, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int plan_error(struct xb_plan *plan, const char *fmt, ...)
{
	char **tmp, *msg;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (rc < 0)
		return -1;
	tmp = realloc(plan->errors, (plan->n_errors + 1) * sizeof(*tmp));
	if (!tmp) {
		free(msg);
		return -1;
	}
	plan->errors = tmp;
	plan->errors[plan->n_errors++] = msg;
	return 0;
}

static const char *dom_label(const struct xb_domain *d, char *buf, size_t len)
{
	snprintf(buf, len, "%s (domain %" PRIu32 ")", d->name[0] ? d->name : "-",
		 d->xen.domid);
	return buf;
}

/* Check one domain; returns a static reason or NULL, sets *new_kb_r. */
static const char *plan_check(const struct xb_domain *d, enum xb_plan_kind kind,
			      const struct xb_size *size, uint64_t *new_kb_r)
{
	const char *why = NULL;
	uint64_t cur, new_kb;

	if (d->xen.dying || d->xen.shutdown)
		return "domain is shutting down";
	if (!d->has_static_max && d->xen.domid != 0)
		return "no memory/static-max in xenstore (not created by a toolstack?)";
	cur = kind == XB_PLAN_TARGET ? d->target_kb : d->static_max_kb;
	if (xb_size_resolve(size, cur, d->static_max_kb, &new_kb, &why))
		return why;
	*new_kb_r = new_kb;
	if (kind == XB_PLAN_MAXMEM) {
		if (new_kb < d->target_kb - d->videoram_kb)
			return "maximum below the current target (lower the target first)";
		return NULL;
	}
	if (new_kb < d->videoram_kb)
		return "target below the domain's video RAM";
	if (new_kb - d->videoram_kb > d->static_max_kb)
		return "target above static-max";
	if (d->xen.domid == 0 && new_kb < XB_DOM0_MIN_KB)
		return "target below dom0's safe minimum (128 MiB)";
	if (d->xen.domid != 0 && new_kb < XB_DOMU_MIN_KB)
		return "target below 16 MiB";
	return NULL;
}

static int plan_add(struct xb_plan *plan, const struct xb_domain *d,
		    enum xb_plan_kind kind, const struct xb_size *size)
{
	struct xb_change *c;
	const char *why;
	uint64_t new_kb = 0;
	char label[XB_NAME_MAX + 32];

	for (size_t i = 0; i < plan->n; i++)
		if (plan->changes[i].domid == d->xen.domid)
			return plan_error(plan, "%s: named more than once",
					  dom_label(d, label, sizeof(label)));
	why = plan_check(d, kind, size, &new_kb);
	if (why)
		return plan_error(plan, "%s: %s", dom_label(d, label, sizeof(label)),
				  why);
	c = realloc(plan->changes, (plan->n + 1) * sizeof(*c));
	if (!c)
		return -1;
	plan->changes = c;
	c = &plan->changes[plan->n++];
	memset(c, 0, sizeof(*c));
	c->domid = d->xen.domid;
	memcpy(c->name, d->name, sizeof(c->name));
	c->old_kb = kind == XB_PLAN_TARGET ? d->target_kb : d->static_max_kb;
	c->new_kb = new_kb;
	return 0;
}

int xb_plan_build(const struct xb_snapshot *snap, enum xb_plan_kind kind,
		  const char *const *args, size_t n_args, bool all,
		  const struct xb_size *size, struct xb_plan *plan_r)
{
	struct xb_plan plan = { 0 };
	size_t i;

	if (all) {
		for (i = 0; i < snap->n; i++) {
			const struct xb_domain *d = &snap->doms[i];

			if (d->xen.domid == 0 || d->xen.dying || d->xen.shutdown)
				continue;
			if (plan_add(&plan, d, kind, size))
				goto oom;
		}
		if (!plan.n && !plan.n_errors && plan_error(&plan, "no domU to change"))
			goto oom;
	}
	for (i = 0; i < n_args; i++) {
		const struct xb_domain *d = xb_snapshot_lookup(snap, args[i]);
		int rc;

		if (d)
			rc = plan_add(&plan, d, kind, size);
		else
			rc = plan_error(&plan, "%.64s: no such domain (or name is ambiguous)",
					args[i]);
		if (rc)
			goto oom;
	}
	if (!plan.n && !plan.n_errors && plan_error(&plan, "no domain given"))
		goto oom;
	*plan_r = plan;
	return 0;
oom:
	xb_plan_free(&plan);
	errno = ENOMEM;
	return -1;
}

/* ---- setting targets as xl does ---- */

struct set_arg {
	const struct xb_domain *d;
	uint64_t kb;
	enum xb_maxmem_policy policy;
};

static int set_target_body(struct xb_backend *be, xb_txn_t t, void *arg,
			   const char **why_r)
{
	const struct set_arg *a = arg;
	const struct xb_domain *d = a->d;
	uint32_t domid = d->xen.domid;
	uint64_t static_max = 0, videoram = 0, key_kb;
	char path[PATH_LEN], uuid[37];
	bool has_max;

	dom_path(path, domid, "memory/static-max");
	has_max = read_u64(be, t, path, &static_max);
	if (!has_max) {
		if (domid != 0) {
			*why_r = "no memory/static-max";
			goto invalid;
		}
		static_max = d->static_max_kb;
	}
	dom_path(path, domid, "memory/videoram");
	if (!read_u64(be, t, path, &videoram))
		videoram = 0;
	if (a->kb < videoram || videoram > XB_SIZE_MAX_KB) {
		*why_r = "target below the domain's video RAM";
		goto invalid;
	}
	key_kb = a->kb - videoram;
	if (key_kb > static_max) {
		*why_r = "target above static-max";
		goto invalid;
	}
	if (domid == 0 && key_kb < XB_DOM0_MIN_KB) {
		*why_r = "target below dom0's safe minimum";
		goto invalid;
	}
	if (be->ops->set_maxmem(be, domid, (a->policy == XB_MAXMEM_KEEP ?
					    static_max : key_kb) +
				videoram + XB_MAXMEM_SLACK_KB)) {
		*why_r = "xc_domain_setmaxmem failed";
		return -1;
	}
	if (d->xen.type != XB_TYPE_PV &&
	    be->ops->set_pod_target(be, domid,
				    xb_kb_to_pages(key_kb + XB_MAXMEM_SLACK_KB))) {
		*why_r = "xc_domain_set_pod_target failed";
		return -1;
	}
	dom_path(path, domid, "memory/target");
	if (write_u64(be, t, path, key_kb)) {
		*why_r = "cannot write memory/target";
		return -1;
	}
	dom_path(path, domid, "memory/static-max");
	if (!has_max && write_u64(be, t, path, static_max)) {
		*why_r = "cannot write memory/static-max";
		return -1;
	}
	uuid_str(d->xen.handle, uuid);
	snprintf(path, sizeof(path), "/vm/%s/memory", uuid);
	if (write_u64(be, t, path, key_kb / 1024)) {
		*why_r = "cannot write /vm/<uuid>/memory";
		return -1;
	}
	return 0;
invalid:
	errno = EINVAL;
	return -1;
}

int xb_set_target_policy(struct xb_backend *be, const struct xb_domain *d,
			 uint64_t new_kb, enum xb_maxmem_policy policy,
			 const char **why_r)
{
	struct set_arg a = { d, new_kb, policy };

	return txn_run(be, set_target_body, &a, why_r);
}

int xb_set_target(struct xb_backend *be, const struct xb_domain *d,
		  uint64_t new_kb, const char **why_r)
{
	return xb_set_target_policy(be, d, new_kb, XB_MAXMEM_FOLLOW, why_r);
}

static int set_maxmem_body(struct xb_backend *be, xb_txn_t t, void *arg,
			   const char **why_r)
{
	const struct set_arg *a = arg;
	uint32_t domid = a->d->xen.domid;
	char path[PATH_LEN];
	uint64_t target = 0;

	dom_path(path, domid, "memory/target");
	if (read_u64(be, t, path, &target) && a->kb < target) {
		*why_r = "maximum below the current target (lower the target first)";
		errno = EINVAL;
		return -1;
	}
	if (be->ops->set_maxmem(be, domid, a->kb + XB_MAXMEM_SLACK_KB)) {
		*why_r = "xc_domain_setmaxmem failed";
		return -1;
	}
	dom_path(path, domid, "memory/static-max");
	if (write_u64(be, t, path, a->kb)) {
		*why_r = "cannot write memory/static-max";
		return -1;
	}
	return 0;
}

int xb_set_maxmem(struct xb_backend *be, const struct xb_domain *d,
		  uint64_t max_kb, const char **why_r)
{
	struct set_arg a = { d, max_kb, XB_MAXMEM_FOLLOW };

	return txn_run(be, set_maxmem_body, &a, why_r);
}

static int apply_one(struct xb_backend *be, const struct xb_domain *d,
		     const struct xb_plan *plan, enum xb_plan_kind kind,
		     uint64_t kb, const char **why_r)
{
	return kind == XB_PLAN_TARGET ?
	       xb_set_target_policy(be, d, kb, plan->maxmem, why_r) :
	       xb_set_maxmem(be, d, kb, why_r);
}

int xb_plan_apply(struct xb_backend *be, const struct xb_snapshot *snap,
		  enum xb_plan_kind kind, const struct xb_plan *plan, FILE *err)
{
	size_t i;

	if (plan->n_errors) {
		errno = EINVAL;
		return -1;
	}
	for (i = 0; i < plan->n; i++) {
		const struct xb_change *c = &plan->changes[i];
		const struct xb_domain *d = xb_snapshot_find(snap, c->domid);
		const char *why = "domain not in snapshot";
		int saved;

		if (d && !apply_one(be, d, plan, kind, c->new_kb, &why))
			continue;
		saved = errno;
		fprintf(err, "xballoon: %s (domain %" PRIu32 "): %s: %s\n",
			c->name[0] ? c->name : "-", c->domid, why,
			strerror(saved ? saved : EIO));
		/* all or nothing: put back what was already changed */
		while (i-- > 0) {
			const struct xb_change *u = &plan->changes[i];
			const struct xb_domain *ud = xb_snapshot_find(snap, u->domid);

			if (!ud || apply_one(be, ud, plan, kind, u->old_kb, &why))
				fprintf(err, "xballoon: domain %" PRIu32
					": could not restore %" PRIu64 " KiB: %s\n",
					u->domid, u->old_kb, why);
		}
		errno = saved ? saved : EIO;
		return -1;
	}
	return 0;
}

/* ---- wait ---- */

enum xb_exit xb_wait(struct xb_backend *be, const uint32_t *domids, size_t n,
		     const struct xb_wait_opts *o, enum xb_state *states_r)
{
	struct xb_progress *prog = calloc(n ? n : 1, sizeof(*prog));
	uint64_t start = be->ops->now_ms(be);
	enum xb_exit rc = XB_EXIT_ERROR;
	size_t i;

	if (!prog)
		return XB_EXIT_ERROR;
	for (;;) {
		struct xb_snapshot snap;
		uint64_t now, elapsed;
		bool done = true, gone = false;

		if (xb_snapshot_take(be, &snap))
			goto out;
		now = be->ops->now_ms(be);
		elapsed = now - start;
		for (i = 0; i < n; i++) {
			const struct xb_domain *d = xb_snapshot_find(&snap, domids[i]);

			if (!d) {
				gone = true;
				states_r[i] = XB_ST_NO_DRIVER;
				continue;
			}
			states_r[i] = xb_derive_state(d, &prog[i], now, o->stuck_ms);
			/*
			 * Out of time with no progress at all since the start:
			 * not "still converging" however short the wait was.
			 */
			if (elapsed >= o->timeout_ms && states_r[i] == XB_ST_CONVERGING &&
			    prog[i].last_progress_ms == prog[i].since_ms)
				states_r[i] = d->report.status == XB_REPORT_VALID ?
					      XB_ST_STUCK : XB_ST_NO_DRIVER;
			if (states_r[i] != XB_ST_AT_TARGET &&
			    states_r[i] != XB_ST_REFUSED &&
			    states_r[i] != XB_ST_AT_FLOOR)
				done = false;
		}
		if (o->progress)
			o->progress(o->ctx, &snap, domids, states_r, n, elapsed);
		xb_snapshot_free(&snap);
		if (gone)
			goto out;
		if (done || elapsed >= o->timeout_ms)
			break;
		be->ops->sleep_ms(be, o->interval_ms);
	}
	rc = XB_EXIT_OK;
	for (i = 0; i < n; i++)
		rc = xb_exit_worse(rc, xb_state_exit(states_r[i]));
out:
	free(prog);
	return rc;
}
