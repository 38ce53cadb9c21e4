// SPDX-License-Identifier: GPL-2.0
/*
 * xballoon core: floor, credit, batch sizing, backoff and the state machine.
 * See docs/driver.md for the rules in prose.
 */
#include "xb_core.h"

static const char *const xb_state_names[XB_STATE_COUNT] = {
	[XB_STATE_IDLE] = "idle",
	[XB_STATE_INFLATING] = "inflating",
	[XB_STATE_DEFLATING] = "deflating",
	[XB_STATE_AT_FLOOR] = "at-floor",
	[XB_STATE_REFUSED] = "refused",
	[XB_STATE_OOM_DEFLATED] = "oom-deflated",
	[XB_STATE_ERROR] = "error",
};

static const char *const xb_err_names[XB_ERR_COUNT] = {
	[XB_ERR_NONE] = "none",
	[XB_ERR_BAD_TARGET] = "bad-target",
	[XB_ERR_BELOW_FLOOR] = "below-floor",
	[XB_ERR_HV_SHORT] = "hv-short",
	[XB_ERR_HV_REFUSED] = "hv-refused",
	[XB_ERR_NOMEM] = "nomem",
};

const char *xb_state_name(enum xb_state s)
{
	return (unsigned int)s < XB_STATE_COUNT ? xb_state_names[s] : "error";
}

const char *xb_err_name(enum xb_err e)
{
	return (unsigned int)e < XB_ERR_COUNT ? xb_err_names[e] : "none";
}

static u64 xb_min(u64 a, u64 b)
{
	return a < b ? a : b;
}

static u64 xb_max(u64 a, u64 b)
{
	return a > b ? a : b;
}

#define XB_MIB_KB 1024ull

/*
 * Default floor, continuous and piecewise linear in the guest size, shaped
 * like FreeBSD's minimum_target() and Hyper-V's compute_balloon_floor() but
 * lower, because those are sized for full distributions while a Xen guest
 * that is ballooned hard is usually small and idle:
 *
 *   size MiB   floor MiB   gradient
 *        0          0
 *       32         16      1/2
 *      128         40      1/4
 *     2048        160      1/16
 *     8192        352      1/32
 *    32768       1120      1/32
 */
u64 xb_floor_default_kb(u64 total_kb)
{
	if (total_kb <= 32 * XB_MIB_KB)
		return total_kb / 2;
	if (total_kb <= 128 * XB_MIB_KB)
		return 8 * XB_MIB_KB + total_kb / 4;
	if (total_kb <= 2048 * XB_MIB_KB)
		return 32 * XB_MIB_KB + total_kb / 16;
	return 96 * XB_MIB_KB + total_kb / 32;
}

/*
 * 1/64 of the guest, between 4 and 32 MiB: small enough that a guest at its
 * default floor still keeps twice this much available (a 1 GiB lab guest uses
 * about 46 MiB at a 96 MiB floor), large enough to act before the OOM killer.
 */
u64 xb_reserve_pages(u64 total_pages)
{
	u64 lo = xb_kb_to_pages(4 * XB_MIB_KB);
	u64 hi = xb_kb_to_pages(32 * XB_MIB_KB);

	return xb_min(hi, xb_max(lo, total_pages / 64));
}

static void xb_backoff_reset(struct xb_core *c)
{
	c->backoff_ms = 0;
	c->retry_at_ms = 0;
}

static void xb_backoff_step(struct xb_core *c, u64 now_ms)
{
	if (!c->backoff_ms)
		c->backoff_ms = c->backoff_min_ms;
	else if (c->backoff_ms < c->backoff_max_ms / 2)
		c->backoff_ms *= 2;
	else
		c->backoff_ms = c->backoff_max_ms;
	c->retry_at_ms = now_ms + c->backoff_ms;
}

static void xb_batch_shrink(struct xb_core *c)
{
	c->batch = c->batch > 1 ? c->batch / 2 : 1;
}

static void xb_batch_grow(struct xb_core *c)
{
	c->batch = c->batch <= c->batch_max / 2 ? c->batch * 2 : c->batch_max;
}

s64 xb_core_credit(const struct xb_core *c)
{
	u64 cur = xb_core_current_pages(c);

	if (!c->have_target)
		return 0;
	if (c->target_pages >= cur)
		return (s64)(c->target_pages - cur);
	return -(s64)(cur - c->target_pages);
}

/* The state follows from the numbers and a few sticky facts. */
static void xb_update_state(struct xb_core *c)
{
	s64 credit = xb_core_credit(c);

	if (credit == 0) {
		c->oom_sticky = false;
		c->hv_failed = false;
		if (c->hard_limit_pages &&
		    xb_core_current_pages(c) >= c->hard_limit_pages)
			c->hard_limit_pages = 0;
		c->state = c->req_target_pages < c->floor_pages ?
			XB_STATE_AT_FLOOR : XB_STATE_IDLE;
	} else if (c->hv_failed) {
		c->state = XB_STATE_ERROR;
	} else if (credit < 0) {
		c->state = c->oom_sticky ? XB_STATE_OOM_DEFLATED :
			XB_STATE_INFLATING;
	} else {
		c->state = c->backoff_ms && c->last_error == XB_ERR_HV_REFUSED ?
			XB_STATE_REFUSED : XB_STATE_DEFLATING;
	}
}

static void xb_apply_floor(struct xb_core *c)
{
	u64 t = c->req_target_pages;

	if (t < c->floor_pages)
		t = c->floor_pages;
	if (t > c->total_pages)
		t = c->total_pages;
	c->target_pages = t;
}

void xb_core_set_floor_kb(struct xb_core *c, u64 floor_kb)
{
	u64 size_kb = xb_pages_to_kb(c->total_pages);

	if (!floor_kb)
		floor_kb = xb_floor_default_kb(size_kb);
	c->floor_pages = xb_min(xb_kb_to_pages(floor_kb), c->total_pages);
	xb_apply_floor(c);
	xb_update_state(c);
}

void xb_core_init(struct xb_core *c, const struct xb_config *cfg)
{
	u64 smax = xb_kb_to_pages(cfg->static_max_kb);

	*c = (struct xb_core){ 0 };
	if (!smax)
		smax = cfg->initial_pages;
	c->static_max_pages = smax;
	/*
	 * Linux's rule: on PV the target is the guest's own page count; on
	 * HVM/PVH static-max minus the guest's count is memory the guest does
	 * not see (video RAM, holes) and is subtracted from every target.
	 */
	if (cfg->auto_translated && smax > cfg->initial_pages)
		c->target_diff_pages = smax - cfg->initial_pages;
	c->total_pages = cfg->initial_pages + c->target_diff_pages;
	c->reserve_pages = xb_reserve_pages(c->total_pages);
	c->batch_max = cfg->batch_pages ? cfg->batch_pages : XB_BATCH_DEFAULT;
	if (c->batch_max > XB_BATCH_MAX)
		c->batch_max = XB_BATCH_MAX;
	c->batch = c->batch_max;
	c->backoff_min_ms = cfg->backoff_min_ms ? cfg->backoff_min_ms :
		XB_BACKOFF_MIN_MS;
	c->backoff_max_ms = cfg->backoff_max_ms ? cfg->backoff_max_ms :
		XB_BACKOFF_MAX_MS;
	if (c->backoff_max_ms < c->backoff_min_ms)
		c->backoff_max_ms = c->backoff_min_ms;
	c->req_target_pages = c->total_pages;
	c->state = XB_STATE_IDLE;
	xb_core_set_floor_kb(c, cfg->floor_kb);
}

int xb_core_set_target_kb(struct xb_core *c, u64 target_kb)
{
	int ret = XB_TARGET_OK;
	u64 t;

	if (target_kb > XB_MAX_TARGET_KB) {
		xb_core_bad_target(c);
		return -XB_ERANGE;
	}
	t = xb_kb_to_pages(target_kb);
	c->cnt.targets++;
	if (t > c->static_max_pages || t > c->total_pages) {
		t = xb_min(c->static_max_pages, c->total_pages);
		ret = XB_TARGET_CLAMPED_MAX;
		c->cnt.clamped_targets++;
	}
	c->req_target_pages = t;
	c->have_target = true;
	xb_apply_floor(c);
	if (t < c->floor_pages) {
		ret = XB_TARGET_BELOW_FLOOR;
		c->cnt.clamped_targets++;
		c->last_error = XB_ERR_BELOW_FLOOR;
	}
	/* A new target cancels any backoff and any pressure hold. */
	xb_backoff_reset(c);
	c->oom_sticky = false;
	c->hv_failed = false;
	c->batch = c->batch_max;
	xb_update_state(c);
	return ret;
}

void xb_core_bad_target(struct xb_core *c)
{
	c->cnt.bad_targets++;
	c->last_error = XB_ERR_BAD_TARGET;
}

bool xb_core_under_pressure(const struct xb_core *c, u64 avail_pages)
{
	return c->balloon_pages && avail_pages < c->reserve_pages;
}

struct xb_step xb_core_plan(struct xb_core *c, u64 avail_pages, u64 now_ms)
{
	struct xb_step st = { XB_OP_NONE, 0, 0 };
	s64 credit = xb_core_credit(c);
	u64 n;

	xb_update_state(c);
	if (credit == 0)
		return st;
	if (c->retry_at_ms > now_ms) {
		st.op = XB_OP_WAIT;
		st.delay_ms = c->retry_at_ms - now_ms;
		return st;
	}
	if (credit > 0) {
		st.op = XB_OP_DEFLATE;
		st.nr_pages = xb_min((u64)credit, c->batch);
		return st;
	}
	/*
	 * Give back only what the guest can spare: keep twice the pressure
	 * reserve available, so that the pressure path (which deflates below
	 * one reserve) and this one do not chase each other.
	 */
	n = xb_min((u64)-credit, c->batch);
	if (avail_pages <= 2 * c->reserve_pages) {
		c->last_error = XB_ERR_NOMEM;
		c->cnt.alloc_failures++;
		xb_backoff_step(c, now_ms);
		st.op = XB_OP_WAIT;
		st.delay_ms = c->backoff_ms;
		return st;
	}
	n = xb_min(n, avail_pages - 2 * c->reserve_pages);
	st.op = XB_OP_INFLATE;
	st.nr_pages = n;
	return st;
}

void xb_core_inflated(struct xb_core *c, u64 asked, u64 done, bool hv_short,
		      u64 now_ms)
{
	if (done > asked)
		done = asked;
	/* never more than the guest has */
	if (done > xb_core_current_pages(c))
		done = xb_core_current_pages(c);
	c->balloon_pages += done;
	c->cnt.pages_inflated += done;
	c->hv_failed = false;
	if (done < asked) {
		if (hv_short) {
			c->cnt.refusals++;
			c->last_error = XB_ERR_HV_SHORT;
		} else {
			c->cnt.alloc_failures++;
			c->last_error = XB_ERR_NOMEM;
		}
		xb_batch_shrink(c);
		if (!done)
			xb_backoff_step(c, now_ms);
	} else {
		xb_batch_grow(c);
		xb_backoff_reset(c);
	}
	xb_update_state(c);
}

void xb_core_deflated(struct xb_core *c, u64 asked, u64 done, bool refused,
		      u64 now_ms)
{
	if (done > asked)
		done = asked;
	if (done > c->balloon_pages)
		done = c->balloon_pages;
	c->balloon_pages -= done;
	c->cnt.pages_deflated += done;
	c->hv_failed = false;
	if (!done && asked)
		refused = true;
	if (refused) {
		/* Xen has no memory for us: remember where, back off. */
		c->cnt.refusals++;
		c->last_error = XB_ERR_HV_REFUSED;
		c->hard_limit_pages = xb_core_current_pages(c);
		xb_batch_shrink(c);
		xb_backoff_step(c, now_ms);
	} else {
		if (done == asked)
			xb_batch_grow(c);
		xb_backoff_reset(c);
	}
	xb_update_state(c);
}

void xb_core_hv_error(struct xb_core *c, u64 now_ms)
{
	c->cnt.refusals++;
	c->hv_failed = true;
	xb_backoff_step(c, now_ms);
	xb_update_state(c);
}

void xb_core_oom_deflated(struct xb_core *c, u64 done, u64 now_ms)
{
	if (done > c->balloon_pages)
		done = c->balloon_pages;
	if (!done)
		return;
	c->balloon_pages -= done;
	c->cnt.pages_deflated += done;
	c->cnt.oom_deflates++;
	c->cnt.oom_pages += done;
	c->oom_sticky = true;
	c->last_error = XB_ERR_NOMEM;
	/* do not give the memory straight back: wait, then re-check */
	xb_backoff_step(c, now_ms);
	xb_update_state(c);
}

long xb_report_delay(const struct xb_report_clock *rc, u64 now_ms,
		     bool changed, bool converging, u32 period_ms,
		     u32 min_interval_ms)
{
	u64 due;

	if (!rc->written)
		return 0;
	if (changed)
		due = rc->last_ms + min_interval_ms;
	else if (converging)
		due = rc->last_ms + (period_ms > min_interval_ms ?
				     period_ms : min_interval_ms);
	else
		return -1;
	return due > now_ms ? (long)(due - now_ms) : 0;
}
