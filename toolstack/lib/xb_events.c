// SPDX-License-Identifier: GPL-2.0
/* Events for `xballoon watch`: differences between two snapshots. */
#include <string.h>

#include "xb_lib_int.h"

static const char *const event_names[XB_EV_NR] = {
	[XB_EV_DOMAIN_NEW] = "domain-new",
	[XB_EV_DOMAIN_GONE] = "domain-gone",
	[XB_EV_TARGET] = "target",
	[XB_EV_REPORT] = "report",
	[XB_EV_STATE] = "state",
	[XB_EV_RESYNC] = "resync",
	[XB_EV_RECONNECT] = "reconnect",
};

const char *xballoon_event_name(enum xb_event_type v)
{
	return (unsigned int)v < sizeof(event_names) / sizeof(event_names[0]) ?
	       event_names[v] : NULL;
}

bool xballoon_report_same(const struct xb_report *a, const struct xb_report *b)
{
	a = a ? a : &xb_report_absent;
	b = b ? b : &xb_report_absent;
	if (a->status != b->status)
		return false;
	if (a->status == XB_REPORT_INVALID)
		return a->why == b->why;
	if (a->status != XB_REPORT_VALID)
		return true;
	return a->present == b->present && a->state == b->state &&
	       a->last_error == b->last_error &&
	       !memcmp(a->num, b->num, sizeof(a->num));
}

void xballoon_events_diff(const struct xb_domain *old, const struct xb_domain *cur,
		    uint64_t ts_ms, xb_event_fn fn, void *ctx)
{
	struct xb_event ev = { .ts_ms = ts_ms, .dom = cur };

	if (!old && !cur)
		return;
	if (!cur) {
		ev.type = XB_EV_DOMAIN_GONE;
		ev.dom = old;
		fn(ctx, &ev);
		return;
	}
	if (!old) {
		ev.type = XB_EV_DOMAIN_NEW;
		ev.new_kb = cur->target_kb;
		ev.new_state = cur->state;
		fn(ctx, &ev);
		return;
	}
	/* keys removed while the domain is torn down: not a new target */
	if (old->has_target && !cur->has_target)
		return;
	if (old->target_kb != cur->target_kb) {
		ev.type = XB_EV_TARGET;
		ev.old_kb = old->target_kb;
		ev.new_kb = cur->target_kb;
		fn(ctx, &ev);
	}
	if (!xballoon_report_same(old->report, cur->report)) {
		ev.type = XB_EV_REPORT;
		fn(ctx, &ev);
	}
	if (old->state != cur->state) {
		ev.type = XB_EV_STATE;
		ev.old_state = old->state;
		ev.new_state = cur->state;
		fn(ctx, &ev);
	}
}

void xballoon_events_snapshot(const struct xb_snapshot *old,
			const struct xb_snapshot *cur, uint64_t ts_ms,
			xb_event_fn fn, void *ctx)
{
	size_t i;

	for (i = 0; i < cur->n; i++) {
		const struct xb_domain *o = old ?
			xballoon_snapshot_find(old, cur->doms[i].xen.domid) : NULL;

		/* a domid reused between two snapshots is another domain */
		if (o && !xb_uuid_equal(&o->xen, &cur->doms[i].xen)) {
			xballoon_events_diff(o, NULL, ts_ms, fn, ctx);
			o = NULL;
		}
		xballoon_events_diff(o, &cur->doms[i], ts_ms, fn, ctx);
	}
	for (i = 0; old && i < old->n; i++)
		if (!xballoon_snapshot_find(cur, old->doms[i].xen.domid))
			xballoon_events_diff(&old->doms[i], NULL, ts_ms, fn, ctx);
}
