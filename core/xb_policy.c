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

static const char *const xb_scrub_names[XB_SCRUB_COUNT] = {
	[XB_SCRUB_OFF] = "off",
	[XB_SCRUB_ZERO] = "zero",
	[XB_SCRUB_INIT_ON_FREE] = "init-on-free",
	[XB_SCRUB_INIT_ON_ALLOC] = "init-on-alloc",
	[XB_SCRUB_LINUX] = "linux",
};

static const char *const xb_mode_names[XB_MODE_COUNT] = {
	[XB_MODE_DRIVER] = "driver",
	[XB_MODE_COMPANION] = "companion",
};

const char *xb_mode_name(enum xb_mode m)
{
	return (unsigned int)m < XB_MODE_COUNT ? xb_mode_names[m] : "driver";
}

const char *xb_state_name(enum xb_state s)
{
	return (unsigned int)s < XB_STATE_COUNT ? xb_state_names[s] : "error";
}

const char *xb_err_name(enum xb_err e)
{
	return (unsigned int)e < XB_ERR_COUNT ? xb_err_names[e] : "none";
}

const char *xb_scrub_name(enum xb_scrub s)
{
	return (unsigned int)s < XB_SCRUB_COUNT ? xb_scrub_names[s] : "off";
}

enum xb_scrub xb_scrub_mode(bool scrub, bool init_on_free, bool init_on_alloc)
{
	if (!scrub)
		return XB_SCRUB_OFF;
	if (init_on_free)
		return XB_SCRUB_INIT_ON_FREE;
	if (init_on_alloc)
		return XB_SCRUB_INIT_ON_ALLOC;
	return XB_SCRUB_ZERO;
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

u64 xb_core_goal_pages(const struct xb_core *c)
{
	u64 cap = xb_max(c->target_pages, xb_core_ceiling_pages(c));

	return c->others_pages > cap - c->target_pages ? cap :
		c->target_pages + c->others_pages;
}

s64 xb_core_credit(const struct xb_core *c)
{
	u64 cur = xb_core_current_pages(c);
	u64 goal = xb_core_goal_pages(c);

	if (!c->have_target)
		return 0;
	if (goal >= cur)
		return (s64)(goal - cur);
	return -(s64)(cur - goal);
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

u64 xb_core_ceiling_pages(const struct xb_core *c)
{
	return xb_min(c->static_max_pages, c->total_pages + c->pool_pages);
}

static void xb_apply_floor(struct xb_core *c)
{
	u64 t = c->req_target_pages;

	if (t < c->floor_pages)
		t = c->floor_pages;
	if (t > c->total_pages + c->pool_pages)
		t = c->total_pages + c->pool_pages;
	c->target_pages = t;
}

void xb_core_set_grow(struct xb_core *c, u64 pool_pages, u64 xen_room_pages)
{
	c->pool_pages = pool_pages;
	c->xen_room_pages = xen_room_pages;
	if (c->mode != XB_MODE_DRIVER)
		return;
	xb_apply_floor(c);
	xb_update_state(c);
}

void xb_core_set_others(struct xb_core *c, u64 xen_pages)
{
	c->others_pages = xb_core_others_pages(c, xen_pages);
	xb_update_state(c);
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
	c->boot_pages = c->total_pages;
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
	if (t > xb_core_ceiling_pages(c)) {
		t = xb_core_ceiling_pages(c);
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

/*
 * Above the boot size with the balloon empty: claim pages from balloon.c,
 * at most what it holds and what Xen's maxmem leaves room for. No room is
 * Xen refusing (maxmem not raised yet): backed off like a refused
 * populate, tried again after the backoff or on a new target.
 */
static struct xb_step xb_plan_claim(struct xb_core *c, u64 want, u64 now_ms)
{
	struct xb_step st = { XB_OP_CLAIM, 0, 0 };

	st.nr_pages = xb_min(xb_min(want, c->batch),
			     xb_min(c->pool_pages, c->xen_room_pages));
	if (st.nr_pages)
		return st;
	c->cnt.refusals++;
	c->last_error = XB_ERR_HV_REFUSED;
	c->hard_limit_pages = xb_core_current_pages(c);
	xb_backoff_step(c, now_ms);
	xb_update_state(c);
	st.op = XB_OP_WAIT;
	st.delay_ms = c->backoff_ms;
	return st;
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
	if (credit > 0 && !c->balloon_pages)
		return xb_plan_claim(c, (u64)credit, now_ms);
	if (credit > 0) {
		st.op = XB_OP_DEFLATE;
		st.nr_pages = xb_min(xb_min((u64)credit, c->batch),
				     c->balloon_pages);
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
		/*
		 * While guest pressure keeps taking pages back (oom-deflated,
		 * until a new target), a full give-back does not reset the
		 * backoff: the next pressure deflate doubles it, so a guest
		 * that cannot hold its target slows down instead of cycling.
		 */
		if (!c->oom_sticky)
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

void xb_core_claimed(struct xb_core *c, u64 asked, u64 done, u64 now_ms)
{
	if (done > asked)
		done = asked;
	if (!done && asked) {
		c->cnt.alloc_failures++;
		c->last_error = XB_ERR_NOMEM;
		xb_backoff_step(c, now_ms);
	} else if (done) {
		/* Xen's room and balloon.c's pages were there: not refused now */
		xb_backoff_reset(c);
	}
	/* the pool may have grown since it was read: never below 0 */
	c->pool_pages = c->pool_pages > done ? c->pool_pages - done : 0;
	c->total_pages += done;
	c->balloon_pages += done;
	c->claimed_pages += done;
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

void xb_core_quarantined(struct xb_core *c, u64 nr)
{
	c->quarantine_pages += nr;
}

static bool xb_settle_failed(const struct xb_settle *s, u32 i)
{
	return (s->failed[i / 64] >> (i % 64)) & 1;
}

void xb_settle_init(struct xb_settle *s, u32 nr)
{
	*s = (struct xb_settle){ 0 };
	s->nr = nr < XB_SETTLE_MAX ? nr : XB_SETTLE_MAX;
	s->top = s->nr;
	s->low = s->nr;
	s->done = !s->nr;
}

bool xb_settle_next(const struct xb_settle *s, u32 *first_r, u32 *count_r)
{
	if (s->done) {
		*first_r = 0;
		*count_r = 0;
		return false;
	}
	*first_r = s->top - 1;
	*count_r = s->retry ? 1 : s->top;
	return true;
}

void xb_settle_result(struct xb_settle *s, u32 removed)
{
	u32 failed, count = s->retry ? 1 : s->top;
	bool first = s->low == s->nr && s->top == s->nr;

	if (s->done)
		return;
	if (removed > count)
		removed = count;
	s->top -= removed;
	if (removed)
		s->low = s->top;
	if (!s->top) {
		s->done = true;
		return;
	}
	if (!s->retry && (removed || first)) {
		/* Xen stopped at top - 1: ask for it once more, alone */
		s->retry = true;
		return;
	}
	if (s->retry && removed) {
		/* it went on the second try */
		s->retry = false;
		return;
	}
	/* Xen refuses top - 1: skip it and go on below */
	s->retry = false;
	failed = s->top - 1;
	s->failed[failed / 64] |= 1ull << (failed % 64);
	s->top = failed;
	s->done = !s->top;
}

enum xb_settle_fate xb_settle_fate(const struct xb_settle *s, u32 i)
{
	if (i >= s->nr || !xb_settle_failed(s, i))
		return XB_SETTLE_GIVEN;
	if (i > s->low)
		return XB_SETTLE_KEPT;
	if (s->low == s->nr)
		return XB_SETTLE_QUARANTINED;
	/*
	 * the highest failed page below the lowest removed one: the walk failed
	 * right below its last removal, so that is page low - 1
	 */
	return i + 1 == s->low ? XB_SETTLE_QUARANTINED : XB_SETTLE_GIVEN;
}

u32 xb_clamp_u32(u32 v, u32 lo, u32 hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

bool xb_report_changed(const struct xb_core *a, const struct xb_core *b)
{
	return a->state != b->state || a->target_pages != b->target_pages ||
		a->balloon_pages != b->balloon_pages ||
		a->floor_pages != b->floor_pages ||
		a->hard_limit_pages != b->hard_limit_pages ||
		a->last_error != b->last_error ||
		a->req_target_pages != b->req_target_pages ||
		a->quarantine_pages != b->quarantine_pages ||
		a->others_pages != b->others_pages ||
		a->scrub != b->scrub ||
		a->cnt.oom_deflates != b->cnt.oom_deflates ||
		a->cnt.refusals != b->cnt.refusals ||
		a->cnt.bad_targets != b->cnt.bad_targets;
}

bool xb_report_converging(const struct xb_core *c)
{
	return c->state != XB_STATE_IDLE && c->state != XB_STATE_AT_FLOOR;
}

u32 xb_report_period(const struct xb_core *c, u32 period_ms)
{
	period_ms = xb_clamp_u32(period_ms, XB_REPORT_PERIOD_MS_LO,
				 XB_REPORT_PERIOD_MS_HI);
	return c->backoff_ms > period_ms ? c->backoff_ms : period_ms;
}

long xb_report_delay(const struct xb_report_clock *rc,
		     const struct xb_core *now, const struct xb_core *last,
		     u64 now_ms, u32 period_ms, u32 min_interval_ms)
{
	u32 period = xb_report_period(now, period_ms);
	u64 due;

	min_interval_ms = xb_clamp_u32(min_interval_ms, XB_REPORT_MIN_MS_LO,
				       XB_REPORT_MIN_MS_HI);
	if (!rc->written)
		return 0;
	if (xb_report_changed(now, last))
		due = rc->last_ms + min_interval_ms;
	else if (xb_report_converging(now))
		due = rc->last_ms + (period > min_interval_ms ? period :
				     min_interval_ms);
	else
		return -1;
	return due > now_ms ? (long)(due - now_ms) : 0;
}

bool xb_core_companion(struct xb_core *c, const struct xb_linux_stats *s,
		       u64 oom_target)
{
	u64 diff = c->target_diff_pages;
	u64 backoff = s->schedule_delay_s * 1000;

	c->balloon_pages = s->balloon_pages;
	c->total_pages = s->current_pages + s->balloon_pages + diff;
	c->target_pages = s->target_pages + diff;
	/* Linux retries with a doubling delay: reports stretch with it */
	c->backoff_ms = backoff < XB_BACKOFF_MAX_MS ? (u32)backoff :
		XB_BACKOFF_MAX_MS;
	if (oom_target && s->target_pages == oom_target) {
		c->state = XB_STATE_OOM_DEFLATED;
		return true;
	}
	c->req_target_pages = c->target_pages;
	if (s->current_pages > s->target_pages)
		c->state = XB_STATE_INFLATING;
	else if (s->current_pages < s->target_pages && s->balloon_pages)
		c->state = XB_STATE_DEFLATING;
	else
		c->state = XB_STATE_IDLE;
	return false;
}

u64 xb_companion_raise(const struct xb_linux_stats *s, u64 want, u64 xen_cur,
		       u64 xen_max, u64 *target_r)
{
	u64 base = s->current_pages > s->target_pages ? s->current_pages :
		s->target_pages;
	u64 pending = base - s->current_pages;	/* Linux still taking back */
	u64 room = xen_max > xen_cur ? xen_max - xen_cur : 0;
	u64 held = s->balloon_pages;

	room = room > pending ? room - pending : 0;
	held = held > pending ? held - pending : 0;
	if (want > room)
		want = room;
	if (want > held)
		want = held;
	if (want)
		*target_r = base + want;
	return want;
}
