/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Output of libxballoon data: JSON (yajl), Prometheus text exposition, and
 * the events `xballoon watch` streams (computed as differences between two
 * snapshots, so they can be tested without Xen).
 */
#ifndef XB_OUT_H
#define XB_OUT_H

#include <stdio.h>
#include <yajl/yajl_gen.h>

#include "xballoon.h"

/* A selection of a snapshot's domains (list DOM...). */
struct xb_view {
	const struct xb_snapshot *snap;
	const struct xb_domain **doms;
	size_t n;
};

/* New JSON generator (beautify off, one document); NULL on ENOMEM. */
yajl_gen xb_json_new(void);
/* Write the generated document and a newline to F, then reset G. */
int xb_json_flush(yajl_gen g, FILE *f);

void xb_json_u64(yajl_gen g, const char *key, uint64_t v);
void xb_json_str(yajl_gen g, const char *key, const char *v);
void xb_json_key(yajl_gen g, const char *key);
void xb_json_report(yajl_gen g, const struct xb_report *r);
void xb_json_domain(yajl_gen g, const struct xb_domain *d);
void xb_json_host(yajl_gen g, const struct xb_snapshot *snap);
/* {"version":1,"host":{},"totals":{},"domains":[]} */
void xb_json_list(yajl_gen g, const struct xb_view *v);

/* Prometheus text exposition of a view. */
void xb_prometheus(FILE *f, const struct xb_view *v);

/* ---- events ---- */

enum xb_event_type {
	XB_EV_DOMAIN_NEW,
	XB_EV_DOMAIN_GONE,
	XB_EV_TARGET,
	XB_EV_REPORT,
	XB_EV_STATE,
	XB_EV_RESYNC,		/* events were lost (overflow); state re-read */
	XB_EV_NR
};
extern const char *const xb_event_name[XB_EV_NR];

struct xb_event {
	enum xb_event_type type;
	uint64_t ts_ms;			/* wall clock, ms since the epoch */
	const struct xb_domain *dom;	/* new view (old one for DOMAIN_GONE) */
	uint64_t old_kb, new_kb;	/* TARGET */
	enum xb_state old_state, new_state;	/* STATE */
};

typedef void (*xb_event_fn)(void *ctx, const struct xb_event *ev);

/* Same report content (status, numbers, words)? */
bool xb_report_same(const struct xb_report *a, const struct xb_report *b);

/*
 * Events between two views of one domain; OLD or CUR may be NULL (appeared,
 * left). States must already be derived. Events come in a fixed order:
 * domain-new, target, report, state, domain-gone.
 */
void xb_events_diff(const struct xb_domain *old, const struct xb_domain *cur,
		    uint64_t ts_ms, xb_event_fn fn, void *ctx);

/* Events between two snapshots (domains matched by domid). */
void xb_events_snapshot(const struct xb_snapshot *old,
			const struct xb_snapshot *cur, uint64_t ts_ms,
			xb_event_fn fn, void *ctx);

void xb_json_event(yajl_gen g, const struct xb_event *ev);
/* One human-readable line, no newline. */
void xb_text_event(FILE *f, const struct xb_event *ev);

#endif
