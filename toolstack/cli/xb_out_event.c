// SPDX-License-Identifier: GPL-2.0
/* Events for `xballoon watch`, rendered as JSON lines or text lines. */
#include <inttypes.h>
#include <time.h>

#include "xb_out.h"

void xb_json_event(yajl_gen g, const struct xb_event *ev)
{
	const struct xb_domain *d = ev->dom;

	xb_json_open_doc(g, NULL);
	xb_json_u64(g, "ts_ms", ev->ts_ms);
	xb_json_str(g, "event", xballoon_event_name(ev->type));
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
		xb_json_report(g, d->report);
		break;
	case XB_EV_RECONNECT:
		xb_json_str(g, "detail", ev->detail);
		break;
	case XB_EV_STATE:
		xb_json_str(g, "old", xballoon_dom_state_name(ev->old_state));
		xb_json_str(g, "new", xballoon_dom_state_name(ev->new_state));
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
		xballoon_event_name(ev->type));
	if (d)
		fprintf(f, " %s(%" PRIu32 ")", d->name[0] ? d->name : "-", d->xen.domid);
	switch (ev->type) {
	case XB_EV_DOMAIN_NEW:
		fprintf(f, " %s max %s target %s actual %s %s",
			xballoon_domtype_name(d->xen.type),
			xballoon_size_fmt(d->static_max_kb, a, sizeof(a)),
			xballoon_size_fmt(d->target_kb, b, sizeof(b)),
			xballoon_size_fmt(d->actual_kb, when, sizeof(when)),
			xballoon_dom_state_name(d->state));
		break;
	case XB_EV_TARGET:
		fprintf(f, " %s -> %s", xballoon_size_fmt(ev->old_kb, a, sizeof(a)),
			xballoon_size_fmt(ev->new_kb, b, sizeof(b)));
		break;
	case XB_EV_REPORT:
		if (xballoon_report_status(d->report) == XB_REPORT_VALID) {
			uint64_t balloon, seq = 0;

			xballoon_report_get(d->report, XB_RF_SEQ, &seq);
			fprintf(f, " state=%s balloon=%s seq=%" PRIu64,
				xballoon_rstate_name(xballoon_report_state(d->report)),
				xballoon_report_get(d->report, XB_RF_BALLOON, &balloon) ?
				xballoon_size_fmt(balloon, a, sizeof(a)) : "?", seq);
		} else if (xballoon_report_status(d->report) == XB_REPORT_INVALID) {
			fprintf(f, " invalid report: %s", xballoon_report_why(d->report));
		} else {
			fprintf(f, " report removed");
		}
		break;
	case XB_EV_STATE:
		fprintf(f, " %s -> %s (actual %s, target %s)",
			xballoon_dom_state_name(ev->old_state), xballoon_dom_state_name(ev->new_state),
			xballoon_size_fmt(d->actual_kb, a, sizeof(a)),
			xballoon_size_fmt(d->target_kb, b, sizeof(b)));
		break;
	case XB_EV_RESYNC:
		fprintf(f, " events were coalesced away; state re-read");
		break;
	case XB_EV_RECONNECT:
		fprintf(f, " %s", ev->detail ? ev->detail : "reconnected to xenstored");
		break;
	default:
		break;
	}
}
