/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Output of libxballoon data: JSON (yajl) and the events `xballoon watch`
 * streams (computed as differences between two snapshots, so they can be
 * tested without Xen). The Prometheus exposition is the library's
 * (xballoon_prometheus()), shared with xballoond's /metrics.
 */
#ifndef XB_OUT_H
#define XB_OUT_H

#include <stdio.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "libxballoon.h"

/* The dom0-written policy keys xballoond balances a domain by (list). */
struct xb_dom_policy {
	bool has_range;			/* memory/dynamic-min and -max, both valid */
	uint64_t min_kb, max_kb;
	bool uncooperative;		/* memory/uncooperative = 1 */
};

/* A selection of a snapshot's domains (list DOM...). */
struct xb_view {
	const struct xb_snapshot *snap;
	const struct xb_domain **doms;
	size_t n;
	const struct xb_dom_policy *policy;	/* per doms[i], or NULL: not read */
	const struct xb_resv *resv;	/* reservations (may be NULL) */
	size_t n_resv;
	uint64_t now_ms;		/* for their deadlines */
};

/* New JSON generator (beautify off, one document); NULL on ENOMEM. */
yajl_gen xb_json_new(void);
/* Write the generated document and a newline to F, then reset G. */
int xb_json_flush(yajl_gen g, FILE *f);

/* Open a command's document: {"version":XB_JSON_VERSION,"command":CMD, ... */
void xb_json_open_doc(yajl_gen g, const char *cmd);
void xb_json_u64(yajl_gen g, const char *key, uint64_t v);
void xb_json_str(yajl_gen g, const char *key, const char *v);
void xb_json_key(yajl_gen g, const char *key);
/* A parsed document again (yajl_tree; NULL: null), strings re-escaped. */
void xb_json_tree(yajl_gen g, yajl_val v);
void xb_json_report(yajl_gen g, const struct xb_report *r);
void xb_json_domain(yajl_gen g, const struct xb_domain *d);
void xb_json_host(yajl_gen g, const struct xb_snapshot *snap);
/* "reservations":[{"id":..,"state":..,...}] (a key and its array) */
void xb_json_reservations(yajl_gen g, const struct xb_resv *r, size_t n,
			  uint64_t now_ms);
/* One line per reservation, "reservation          : 1 held 1024 MiB ..." */
void xb_text_reservations(FILE *f, const struct xb_resv *r, size_t n,
			  uint64_t now_ms);
/* {"version":1,"command":"list","host":{},"totals":{},"domains":[]} */
void xb_json_list(yajl_gen g, const struct xb_view *v);

/* ---- events (the types are in libxballoon.h) ---- */

void xb_json_event(yajl_gen g, const struct xb_event *ev);
/* One human-readable line, no newline. */
void xb_text_event(FILE *f, const struct xb_event *ev);

#endif
