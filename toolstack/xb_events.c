// SPDX-License-Identifier: GPL-2.0
/* Events for `xballoon watch`: differences between two snapshots. */
#include <inttypes.h>
#include <string.h>
#include <time.h>

#include "xb_out.h"

const char *const xb_event_name[XB_EV_NR] = {
	[XB_EV_DOMAIN_NEW] = "domain-new",
	[XB_EV_DOMAIN_GONE] = "domain-gone",
	[XB_EV_TARGET] = "target",
	[XB_EV_REPORT] = "report",
	[XB_EV_STATE] = "state",
	[XB_EV_RESYNC] = "resync",
};

bool xb_report_same(const struct xb_report *a, const struct xb_report *b)
{
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

void xb_events_diff(const struct xb_domain *old, const struct xb_domain *cur,
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
	if (!xb_report_same(&old->report, &cur->report)) {
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

void xb_events_snapshot(const struct xb_snapshot *old,
			const struct xb_snapshot *cur, uint64_t ts_ms,
			xb_event_fn fn, void *ctx)
{
	size_t i;

	for (i = 0; i < cur->n; i++) {
		const struct xb_domain *o = old ?
			xb_snapshot_find(old, cur->doms[i].xen.domid) : NULL;

		/* a domid reused between two snapshots is another domain */
		if (o && memcmp(o->xen.handle, cur->doms[i].xen.handle,
				sizeof(o->xen.handle))) {
			xb_events_diff(o, NULL, ts_ms, fn, ctx);
			o = NULL;
		}
		xb_events_diff(o, &cur->doms[i], ts_ms, fn, ctx);
	}
	for (i = 0; old && i < old->n; i++)
		if (!xb_snapshot_find(cur, old->doms[i].xen.domid))
			xb_events_diff(&old->doms[i], NULL, ts_ms, fn, ctx);
}

void xb_json_event(yajl_gen g, const struct xb_event *ev)
{
	const struct xb_domain *d = ev->dom;

	yajl_gen_map_open(g);
	xb_json_u64(g, "ts_ms", ev->ts_ms);
	xb_json_str(g, "event", xb_event_name[ev->type]);
	if (d) {
		xb_json_u64(g, "domid", d->xen.domid);
		xb_json_str(g, "name", d->name);
	}
	switch (ev->type) {
	case XB_EV_DOMAIN_NEW:
		xb_json_key(g, "domain");
		xb_json_domain(g, d);
		break;
	case XB_EV_TARGET:
		xb_json_u64(g, "old_kb", ev->old_kb);
		xb_json_u64(g, "new_kb", ev->new_kb);
		break;
	case XB_EV_REPORT:
		xb_json_key(g, "driver");
		xb_json_report(g, &d->report);
		break;
	case XB_EV_STATE:
		xb_json_str(g, "old", xb_state_name[ev->old_state]);
		xb_json_str(g, "new", xb_state_name[ev->new_state]);
		xb_json_u64(g, "target_kb", d->target_kb);
		xb_json_u64(g, "actual_kb", d->actual_kb);
		break;
	default:
		break;
	}
	yajl_gen_map_close(g);
}

void xb_text_event(FILE *f, const struct xb_event *ev)
{
	const struct xb_domain *d = ev->dom;
	time_t secs = (time_t)(ev->ts_ms / 1000);
	char when[16], a[16], b[16];
	struct tm tm;

	localtime_r(&secs, &tm);
	strftime(when, sizeof(when), "%H:%M:%S", &tm);
	fprintf(f, "%s.%03u %-11s", when, (unsigned)(ev->ts_ms % 1000),
		xb_event_name[ev->type]);
	if (d)
		fprintf(f, " %s(%" PRIu32 ")", d->name[0] ? d->name : "-", d->xen.domid);
	switch (ev->type) {
	case XB_EV_DOMAIN_NEW:
		fprintf(f, " %s max %s target %s actual %s %s",
			xb_domtype_name[d->xen.type],
			xb_size_fmt(d->static_max_kb, a, sizeof(a)),
			xb_size_fmt(d->target_kb, b, sizeof(b)),
			xb_size_fmt(d->actual_kb, when, sizeof(when)),
			xb_state_name[d->state]);
		break;
	case XB_EV_TARGET:
		fprintf(f, " %s -> %s", xb_size_fmt(ev->old_kb, a, sizeof(a)),
			xb_size_fmt(ev->new_kb, b, sizeof(b)));
		break;
	case XB_EV_REPORT:
		if (d->report.status == XB_REPORT_VALID)
			fprintf(f, " state=%s balloon=%s seq=%" PRIu64,
				xb_rstate_name[d->report.state],
				xb_report_has(&d->report, XB_RF_BALLOON) ?
				xb_size_fmt(d->report.num[XB_RF_BALLOON], a, sizeof(a)) : "?",
				d->report.num[XB_RF_SEQ]);
		else if (d->report.status == XB_REPORT_INVALID)
			fprintf(f, " invalid report: %s", d->report.why);
		else
			fprintf(f, " report removed");
		break;
	case XB_EV_STATE:
		fprintf(f, " %s -> %s (actual %s, target %s)",
			xb_state_name[ev->old_state], xb_state_name[ev->new_state],
			xb_size_fmt(d->actual_kb, a, sizeof(a)),
			xb_size_fmt(d->target_kb, b, sizeof(b)));
		break;
	case XB_EV_RESYNC:
		fprintf(f, " events were coalesced away; state re-read");
		break;
	default:
		break;
	}
}
