// SPDX-License-Identifier: GPL-2.0
/* The state the toolstack derives for a domain, and exit codes. */
#include "xb_lib_int.h"

static const char *const dom_state_names[XB_ST_NR] = {
	[XB_ST_AT_TARGET] = "at-target",
	[XB_ST_CONVERGING] = "converging",
	[XB_ST_STUCK] = "stuck",
	[XB_ST_REFUSED] = "refused",
	[XB_ST_AT_FLOOR] = "at-floor",
	[XB_ST_NO_DRIVER] = "no-driver",
	[XB_ST_GONE] = "gone",
};

const char *xballoon_dom_state_name(enum xb_dom_state v)
{
	return (unsigned int)v < sizeof(dom_state_names) / sizeof(dom_state_names[0]) ?
	       dom_state_names[v] : NULL;
}

bool xballoon_dom_state_guest_reason(enum xb_dom_state st)
{
	return st == XB_ST_REFUSED || st == XB_ST_AT_FLOOR;
}

static const char *const domtype_names[3] = {
	[XB_TYPE_PV] = "pv", [XB_TYPE_PVH] = "pvh", [XB_TYPE_HVM] = "hvm",
};

const char *xballoon_domtype_name(enum xb_domtype v)
{
	return (unsigned int)v < sizeof(domtype_names) / sizeof(domtype_names[0]) ?
	       domtype_names[v] : NULL;
}

uint64_t xballoon_target_tolerance_kb(uint64_t target_kb)
{
	uint64_t pct = target_kb / 100;

	return pct > 1024 ? pct : 1024;
}

/* Update P from a new sample; true if the domain moved toward its target recently. */
static bool track(struct xb_progress *p, uint32_t domid, uint64_t target_kb,
		  uint64_t gap, uint64_t now_ms, uint64_t stuck_ms)
{
	if (p->domid != domid || p->target_kb != target_kb || !p->since_ms) {
		p->domid = domid;
		p->target_kb = target_kb;
		p->best_gap_kb = gap;
		p->since_ms = now_ms ? now_ms : 1;
		p->last_progress_ms = p->since_ms;
	} else if (gap + XB_PAGE_KB <= p->best_gap_kb) {
		p->best_gap_kb = gap;
		p->last_progress_ms = now_ms;
	}
	return now_ms - p->last_progress_ms < stuck_ms;
}

bool xballoon_dom_floor_kb(const struct xb_domain *d, uint64_t *floor_r)
{
	if (!xb_report_has(d->report, XB_RF_FLOOR))
		return false;
	/* guest-written: never above what the domain may have */
	*floor_r = d->report->num[XB_RF_FLOOR] < d->static_max_kb ?
		   d->report->num[XB_RF_FLOOR] : d->static_max_kb;
	return true;
}

uint64_t xballoon_dom_headroom_kb(const struct xb_domain *d)
{
	uint64_t max = xb_pages_to_kb(d->xen.max_pages);

	return max > d->target_kb + XB_MAXMEM_SLACK_KB ?
	       max - d->target_kb - XB_MAXMEM_SLACK_KB : 0;
}

uint64_t xballoon_dom_borrow_kb(const struct xb_domain *d)
{
	return d->actual_kb > d->target_kb ? d->actual_kb - d->target_kb : 0;
}

/* The reason the guest gives for not being at its target, if any. */
static enum xb_dom_state guest_reason(const struct xb_domain *d, uint64_t tol)
{
	const struct xb_report *r = d->report;
	uint64_t floor;

	if (r->state == XB_RSTATE_REFUSED)
		return XB_ST_REFUSED;
	if (r->state == XB_RSTATE_AT_FLOOR)
		return XB_ST_AT_FLOOR;
	if (xballoon_dom_floor_kb(d, &floor) && d->target_kb < floor &&
	    d->actual_kb <= floor + tol)
		return XB_ST_AT_FLOOR;
	return XB_ST_STUCK;
}

/*
 * How far Xen's tot_pages is from the target. With video RAM (HVM/PVH) the
 * target counts it (as libxl's does) and memory/target does not; where Xen
 * settles between the two depends on the guest: the lab shows a PoD guest
 * with Linux's driver or xballoon.ko at memory/target, a guest that never
 * ballooned at memory/target + video RAM. Anywhere in that band is the target.
 */
static uint64_t target_gap_kb(const struct xb_domain *d)
{
	uint64_t vram = d->videoram_kb < d->target_kb ? d->videoram_kb : d->target_kb;
	uint64_t lo = d->target_kb - vram;

	if (d->actual_kb < lo)
		return lo - d->actual_kb;
	return d->actual_kb > d->target_kb ? d->actual_kb - d->target_kb : 0;
}

enum xb_dom_state xballoon_derive_state(const struct xb_domain *d,
				  struct xb_progress *p, uint64_t now_ms,
				  uint64_t stuck_ms)
{
	const struct xb_report *r = d->report;
	uint64_t gap = target_gap_kb(d);
	uint64_t tol = xballoon_target_tolerance_kb(d->target_kb);
	bool valid = r->status == XB_REPORT_VALID;

	if (p) {
		bool moving = track(p, d->xen.domid, d->target_kb, gap, now_ms,
				    stuck_ms);

		if (gap <= tol)
			return XB_ST_AT_TARGET;
		if (moving)
			return XB_ST_CONVERGING;
		/* Xen: no progress for stuck_ms; the report only names why */
		return valid ? guest_reason(d, tol) : XB_ST_NO_DRIVER;
	}
	if (gap <= tol)
		return XB_ST_AT_TARGET;
	if (!valid)
		return XB_ST_NO_DRIVER;
	/* one snapshot, no history: the report's own words */
	if (r->state == XB_RSTATE_INFLATING || r->state == XB_RSTATE_DEFLATING)
		return XB_ST_CONVERGING;
	return guest_reason(d, tol);
}

enum xb_exit xballoon_state_exit(enum xb_dom_state st)
{
	switch (st) {
	case XB_ST_AT_TARGET: return XB_EXIT_OK;
	case XB_ST_CONVERGING: return XB_EXIT_TIMEOUT;
	case XB_ST_STUCK: return XB_EXIT_STUCK;
	case XB_ST_REFUSED: return XB_EXIT_REFUSED;
	case XB_ST_AT_FLOOR: return XB_EXIT_AT_FLOOR;
	case XB_ST_NO_DRIVER: return XB_EXIT_NO_DRIVER;
	case XB_ST_GONE: return XB_EXIT_GONE;
	default: return XB_EXIT_ERROR;
	}
}

static int severity(enum xb_exit e)
{
	switch (e) {
	case XB_EXIT_OK: return 0;
	case XB_EXIT_TIMEOUT: return 1;
	case XB_EXIT_GONE: return 2;
	case XB_EXIT_NO_DRIVER: return 3;
	case XB_EXIT_STUCK: return 4;
	case XB_EXIT_AT_FLOOR: return 5;
	case XB_EXIT_REFUSED: return 6;
	default: return 7;	/* errors */
	}
}

enum xb_exit xballoon_exit_worse(enum xb_exit a, enum xb_exit b)
{
	return severity(a) >= severity(b) ? a : b;
}
