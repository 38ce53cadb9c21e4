// SPDX-License-Identifier: GPL-2.0
/* libxballoon: plans over many domains, applied all or nothing. */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xb_lib_int.h"

static const char *const outcome_names[XB_OUT_RESTORE_FAILED + 1] = {
	[XB_OUT_PENDING] = "not-applied",
	[XB_OUT_APPLIED] = "applied",
	[XB_OUT_FAILED] = "failed",
	[XB_OUT_RESTORED] = "restored",
	[XB_OUT_RESTORE_FAILED] = "restore-failed",
};

const char *xballoon_outcome_name(enum xb_outcome v)
{
	return (unsigned int)v < sizeof(outcome_names) / sizeof(outcome_names[0]) ?
	       outcome_names[v] : NULL;
}

void xballoon_plan_free(struct xb_plan *plan)
{
	if (!plan)
		return;
	for (size_t i = 0; i < plan->n_errors; i++)
		free(plan->errors[i]);
	free(plan->errors);
	for (size_t i = 0; plan->changes && i < plan->n; i++)
		free(plan->changes[i].name);
	free(plan->changes);
	free(plan->skipped);
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

/*
 * Check one domain against the snapshot, with the rules its transaction
 * applies again on fresh values; returns a static reason or NULL.
 */
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
	if (xballoon_size_resolve(size, cur, d->static_max_kb, &new_kb, &why))
		return why;
	*new_kb_r = new_kb;
	if (kind == XB_PLAN_MAXMEM)
		return xballoon_dom_check_maxmem(new_kb, d->target_kb > d->videoram_kb ?
					   d->target_kb - d->videoram_kb : 0);
	return xballoon_dom_check_target(d->xen.domid, new_kb, d->videoram_kb,
				   d->static_max_kb);
}

static int plan_add(struct xb_plan *plan, const struct xb_domain *d,
		    enum xb_plan_kind kind)
{
	struct xb_change *c;
	const char *why;
	uint64_t new_kb = 0;

	why = plan_check(d, kind, &plan->size, &new_kb);
	if (why)
		return plan_error(plan, "%s (domain %" PRIu32 "): %s",
				  d->name[0] ? d->name : "-", d->xen.domid, why);
	c = realloc(plan->changes, (plan->n + 1) * sizeof(*c));
	if (!c)
		return -1;
	plan->changes = c;
	c = &plan->changes[plan->n++];
	memset(c, 0, sizeof(*c));
	c->domid = d->xen.domid;
	c->name = strdup(d->name);
	if (!c->name) {
		plan->n--;
		return -1;
	}
	c->old_kb = kind == XB_PLAN_TARGET ? d->target_kb : d->static_max_kb;
	c->new_kb = new_kb;
	return 0;
}

int xballoon_plan_build(const struct xb_snapshot *snap, enum xb_plan_kind kind,
		  const char *const *args, size_t n_args, bool all,
		  bool include_no_driver, const struct xb_size *size,
		  struct xb_plan *plan_r)
{
	struct xb_plan plan = { .size = *size };
	struct xb_selection sel;
	size_t i;

	if (xballoon_select(snap, args, n_args, all, include_no_driver, &sel))
		return -1;
	for (i = 0; i < sel.n_bad; i++)
		if (plan_error(&plan, "%.256s: no such domain (or name is ambiguous)",
			       args[sel.bad[i]]))
			goto oom;
	for (i = 0; i < sel.n; i++)
		if (plan_add(&plan, sel.doms[i], kind))
			goto oom;
	if (sel.n_skipped) {
		plan.skipped = calloc(sel.n_skipped, sizeof(*plan.skipped));
		if (!plan.skipped)
			goto oom;
		for (i = 0; i < sel.n_skipped; i++)
			plan.skipped[i] = sel.skipped[i]->xen.domid;
		plan.n_skipped = sel.n_skipped;
	}
	if (!plan.n && !plan.n_errors &&
	    plan_error(&plan, all ? "no domU with a balloon driver to change "
			      "(--include-no-driver selects every domU)" :
			      "no domain given"))
		goto oom;
	xballoon_selection_free(&sel);
	*plan_r = plan;
	return 0;
oom:
	xballoon_selection_free(&sel);
	xballoon_plan_free(&plan);
	errno = ENOMEM;
	return -1;
}

int xballoon_plan_build_each(const struct xb_snapshot *snap,
		       const uint32_t *domids, const uint64_t *kbs, size_t n,
		       struct xb_plan *plan_r)
{
	struct xb_plan plan = { .maxmem = XB_MAXMEM_FOLLOW };

	for (size_t i = 0; i < n; i++) {
		const struct xb_domain *d = xballoon_snapshot_find(snap, domids[i]);

		plan.size = (struct xb_size){ .kind = XB_SIZE_ABS, .kb = kbs[i] };
		if (!d) {
			if (plan_error(&plan, "domain %" PRIu32 ": no such domain",
				       domids[i]))
				goto oom;
			continue;
		}
		if (plan_add(&plan, d, XB_PLAN_TARGET))
			goto oom;
		if (plan.n && plan.changes[plan.n - 1].domid == domids[i]) {
			plan.changes[plan.n - 1].own_size = true;
			plan.changes[plan.n - 1].size = plan.size;
		}
	}
	*plan_r = plan;
	return 0;
oom:
	xballoon_plan_free(&plan);
	errno = ENOMEM;
	return -1;
}

static int apply_one(struct xb_backend *be, const struct xb_domain *d,
		     const struct xb_plan *plan, const struct xb_change *c,
		     enum xb_plan_kind kind, struct xb_set_result *res,
		     const char **why_r)
{
	const struct xb_size *size = c->own_size ? &c->size : &plan->size;

	return kind == XB_PLAN_TARGET ?
	       xballoon_dom_set_target(be, d, size, plan->maxmem, res, why_r) :
	       xballoon_dom_set_maxmem(be, d, size, res, why_r);
}

int xballoon_plan_apply(struct xb_backend *be, const struct xb_snapshot *snap,
		  enum xb_plan_kind kind, struct xb_plan *plan)
{
	struct xb_set_result *res;
	size_t i;
	int err = 0;

	if (plan->n_errors) {
		errno = EINVAL;
		return -1;
	}
	res = calloc(plan->n + 1, sizeof(*res));
	if (!res)
		return -1;
	for (i = 0; i < plan->n; i++) {
		struct xb_change *c = &plan->changes[i];
		const struct xb_domain *d = xballoon_snapshot_find(snap, c->domid);
		const char *why = "domain not in snapshot";

		c->outcome = XB_OUT_PENDING;
		errno = ESRCH;
		if (d && !apply_one(be, d, plan, c, kind, &res[i], &why)) {
			c->outcome = XB_OUT_APPLIED;
			c->old_kb = res[i].old_kb;
			c->new_kb = res[i].new_kb;
			c->saved = res[i].saved;
			continue;
		}
		err = errno ? errno : EIO;
		c->why = why;
		c->err = err;
		c->saved = res[i].saved;
		c->outcome = res[i].restore_failed ? XB_OUT_RESTORE_FAILED :
			     XB_OUT_FAILED;
		c->restore_why = res[i].restore_why;
		c->left = res[i].left;
		break;
	}
	/* all or nothing: put back, newest first, what was already changed */
	while (err && i-- > 0) {
		struct xb_change *u = &plan->changes[i];
		const struct xb_domain *ud = xballoon_snapshot_find(snap, u->domid);

		if (!xb_dom_restore(be, ud, kind, &res[i], &u->left,
				    &u->restore_why)) {
			u->outcome = XB_OUT_RESTORED;
			continue;
		}
		u->outcome = XB_OUT_RESTORE_FAILED;
	}
	free(res);
	if (err) {
		errno = err;
		return -1;
	}
	return 0;
}
