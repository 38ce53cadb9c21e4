// SPDX-License-Identifier: GPL-2.0
/*
 * xballoon: a Xen balloon driver. Module init/exit, parameters and the
 * balloon worker, which applies the core's plan one bounded batch at a time
 * on an ordered workqueue. Nothing runs while the target is reached: the
 * worker is queued by a target change, by its own backoff timer or by guest
 * memory pressure, never by polling.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/namei.h>
#include <linux/path.h>
#include <linux/sched.h>
#include <xen/balloon.h>
#include <xen/xen.h>
#include <xen/features.h>

#include "xb.h"

static unsigned long floor_kb;
module_param(floor_kb, ulong, 0444);
MODULE_PARM_DESC(floor_kb, "Never balloon below this size in KiB (0: from guest size)");

static unsigned int batch_pages = XB_BATCH_DEFAULT;
module_param(batch_pages, uint, 0444);
MODULE_PARM_DESC(batch_pages, "Largest batch of 4 KiB pages per hypercall (1-16384)");

unsigned int xb_report_period_ms = 1000;
unsigned int xb_report_min_ms = 200;

/* report_period_ms and report_min_ms: clamped to the core's bounds */
static int xb_param_set_report_ms(const char *val,
				  const struct kernel_param *kp)
{
	bool period = kp->arg == &xb_report_period_ms;
	u32 lo = period ? XB_REPORT_PERIOD_MS_LO : XB_REPORT_MIN_MS_LO;
	u32 hi = period ? XB_REPORT_PERIOD_MS_HI : XB_REPORT_MIN_MS_HI;
	unsigned int v;
	int err;

	err = kstrtouint(val, 0, &v);
	if (err)
		return err;
	if (v != xb_clamp_u32(v, lo, hi))
		pr_info("%s=%u out of range, using %u\n", kp->name, v,
			xb_clamp_u32(v, lo, hi));
	WRITE_ONCE(*(unsigned int *)kp->arg, xb_clamp_u32(v, lo, hi));
	return 0;
}

static const struct kernel_param_ops xb_report_ms_ops = {
	.set = xb_param_set_report_ms,
	.get = param_get_uint,
};

module_param_cb(report_period_ms, &xb_report_ms_ops, &xb_report_period_ms,
		0644);
MODULE_PARM_DESC(report_period_ms, "Report period while converging, ms (100-600000)");
module_param_cb(report_min_ms, &xb_report_ms_ops, &xb_report_min_ms, 0644);
MODULE_PARM_DESC(report_min_ms, "Shortest interval between two reports, ms (50-60000)");

unsigned int xb_oom_kb = 16384;
module_param_named(oom_kb, xb_oom_kb, uint, 0644);
MODULE_PARM_DESC(oom_kb, "Memory returned to the guest per OOM notification, KiB");

bool xb_use_2m = true;
module_param_named(use_2m, xb_use_2m, bool, 0644);
MODULE_PARM_DESC(use_2m, "Try 2 MiB extents on PVH/HVM");

bool xb_scrub = true;
module_param_named(scrub, xb_scrub, bool, 0644);
MODULE_PARM_DESC(scrub, "Zero pages before giving them to Xen (0 only if Xen scrubs: scrub_domheap)");

unsigned int xb_inject;
module_param_named(inject, xb_inject, uint, 0644);
MODULE_PARM_DESC(inject, "Lab only: make the next batch fail on purpose (bits, see docs/driver.md)");

bool xb_check_in;
module_param_named(check_in, xb_check_in, bool, 0644);
MODULE_PARM_DESC(check_in, "Lab only: read every page taken back from Xen, count those not zero (slow)");

struct xb_dev xb;

u64 xb_now_ms(void)
{
	return div_u64(ktime_get_ns(), NSEC_PER_MSEC);
}

/*
 * Companion mode: the core mirrors Linux's balloon (balloon_stats, read
 * without its lock: single words, a report needs no more). Its pages are in
 * the guest's frame; the core's are in memory/target's (+ target_diff).
 * Called with xb.lock held.
 */
static void xb_linux_stats(struct xb_linux_stats *s)
{
	s->current_pages = READ_ONCE(balloon_stats.current_pages);
	s->target_pages = READ_ONCE(balloon_stats.target_pages);
	s->balloon_pages = READ_ONCE(balloon_stats.balloon_low) +
			   READ_ONCE(balloon_stats.balloon_high);
	s->schedule_delay_s = READ_ONCE(balloon_stats.schedule_delay);
}

static void xb_companion_sync(void)
{
	struct xb_linux_stats s;

	xb_linux_stats(&s);
	if (!xb_core_companion(&xb.core, &s, xb.comp_oom_target))
		xb.comp_oom_target = 0;
}

void xb_snapshot(struct xb_core *out)
{
	mutex_lock(&xb.lock);
	if (xb.companion)
		xb_companion_sync();
	*out = xb.core;
	mutex_unlock(&xb.lock);
}

/*
 * The core and Xen's count of the guest's pages, read together under the
 * lock (no batch half done between them), for a report.
 */
void xb_snapshot_xen(struct xb_core *out, u64 *xen_pages)
{
	mutex_lock(&xb.lock);
	if (xb.companion)
		xb_companion_sync();
	*out = xb.core;
	*xen_pages = xb_hv_current_reservation();
	mutex_unlock(&xb.lock);
}

/*
 * Companion mode, under guest memory pressure (OOM notifier): raise Linux's
 * balloon target by up to nr_pages, within what it holds ballooned and what
 * Xen's maxmem allows, and wait up to wait_ms for its worker to bring the
 * pages in. Never waits for xb.lock; balloon_set_new_target() takes no
 * sleeping lock. Returns the pages that came back.
 */
static u64 xb_companion_deflate(u64 nr_pages, unsigned int wait_ms)
{
	unsigned long until = jiffies + msecs_to_jiffies(wait_ms);
	u64 xen_max = xb_hv_maximum_reservation();
	struct xb_linux_stats s;
	u64 target = 0, cur, now;

	xb_linux_stats(&s);
	cur = s.current_pages;
	now = cur;
	nr_pages = xb_companion_raise(&s, nr_pages,
				      xb_hv_current_reservation(), xen_max,
				      &target);
	if (!nr_pages)
		return 0;
	balloon_set_new_target(target);
	while (time_before(jiffies, until)) {
		now = READ_ONCE(balloon_stats.current_pages);
		if (now >= target)
			break;
		schedule_timeout_uninterruptible(1);
	}
	now = READ_ONCE(balloon_stats.current_pages);
	if (mutex_trylock(&xb.lock)) {
		xb.comp_oom_target = target;
		xb_core_oom_deflated(&xb.core, now > cur ? now - cur : 0,
				     xb_now_ms());
		mutex_unlock(&xb.lock);
	}
	pr_info_ratelimited("guest short of memory: raised Linux's balloon target to %llu KiB (maxmem %llu KiB), %llu KiB back so far\n",
			    xb_pages_to_kb(target),
			    xb_pages_to_kb(xen_max),
			    xb_pages_to_kb(now > cur ? now - cur : 0));
	xb_report_kick();
	return now > cur ? now - cur : 0;
}

/* The scrub mode now: the parameter and the kernel's page init settings. */
static enum xb_scrub xb_scrub_now(void)
{
	return xb_scrub_mode(READ_ONCE(xb_scrub), want_init_on_free(),
			     want_init_on_alloc(GFP_HIGHUSER));
}

static void xb_scrub_log(enum xb_scrub mode)
{
	switch (mode) {
	case XB_SCRUB_ZERO:
		pr_info("scrub: zeroing pages before they go to Xen\n");
		break;
	case XB_SCRUB_INIT_ON_FREE:
		pr_info("scrub: not zeroing, the kernel zeroes every freed page (init_on_free)\n");
		break;
	case XB_SCRUB_INIT_ON_ALLOC:
		pr_info("scrub: not zeroing, the kernel zeroes every allocated page (init_on_alloc)\n");
		break;
	default:
		pr_warn("scrub: off (scrub=0): pages go to Xen with their contents, which the next domain to get them can read unless Xen runs with scrub_domheap\n");
		break;
	}
}

/*
 * The module stays loaded while the driver holds pages: they are on its
 * lists, and only it can take them back from Xen. The first give-back takes
 * a reference on the module (refused while it is being unloaded), and it is
 * dropped when the balloon is empty again: until then rmmod is refused
 * (EBUSY). Called with xb.lock held.
 */
static bool xb_pin(void)
{
	if (xb.pinned)
		return true;
	if (!try_module_get(THIS_MODULE))
		return false;
	xb.pinned = true;
	pr_info_ratelimited("balloon holds pages: rmmod is refused until the guest has them back (target at static-max, and maxmem above it)\n");
	return true;
}

static void xb_unpin_if_empty(void)
{
	if (!xb.pinned || xb_core_holds_pages(&xb.core))
		return;
	xb.pinned = false;
	module_put(THIS_MODULE);
	pr_info_ratelimited("balloon empty: rmmod allowed\n");
}

/* Queue the worker now (a change happened). */
void xb_kick(void)
{
	if (!READ_ONCE(xb.stopping))
		mod_delayed_work(xb.wq, &xb.balloon_work, 0);
}

/*
 * Give back one batch, once the module is held (it owns the pages); false
 * if it is being unloaded.
 */
static bool xb_do_inflate(u64 nr_pages, u64 now_ms)
{
	struct xb_hv_result r;
	enum xb_scrub mode = xb_scrub_now();

	if (mode != xb.core.scrub) {
		xb_scrub_log(mode);
		xb.core.scrub = mode;
	}
	if (!xb_pin())
		return false;
	xb_hv_inflate(nr_pages, &r);
	if (r.err || r.lost)
		xb_others_stale();
	if (r.err && !r.done)
		xb_core_hv_error(&xb.core, now_ms);
	else
		xb_core_inflated(&xb.core, nr_pages, r.done, r.hv_short,
				 now_ms);
	xb_core_quarantined(&xb.core, r.lost);
	return true;
}

/* Take back one batch (pages quarantined left the balloon too). */
static u64 xb_do_deflate(u64 nr_pages, u64 now_ms)
{
	struct xb_hv_result r;

	xb_hv_deflate(nr_pages, &r);
	if (r.err || r.lost)
		xb_others_stale();
	if (r.err && !r.done && !r.lost)
		xb_core_hv_error(&xb.core, now_ms);
	else
		xb_core_deflated(&xb.core, nr_pages, r.done + r.lost,
				 r.hv_short, now_ms);
	xb_core_quarantined(&xb.core, r.lost);
	return r.done + r.lost;
}

/*
 * Claim pages from Linux's balloon.c to grow past the boot size (xb_grow.c),
 * once the module is held (the pages are then its own); false if it is
 * being unloaded.
 */
static bool xb_do_claim(u64 nr_pages, u64 now_ms)
{
	if (!xb_pin())
		return false;
	xb_core_claimed(&xb.core, nr_pages, xb_grow_claim(nr_pages), now_ms);
	return true;
}

/*
 * One step of the balloon. The clock is read twice, at the start and at the
 * end: where Xen emulates the TSC (a migrated guest, or a host without an
 * invariant TSC, as in the nested lab), every read is a trap into Xen, and
 * on PVH a VM exit. The step's decisions use the time it started.
 */
static void xb_balloon_work(struct work_struct *work)
{
	struct xb_step st;
	u64 t0, now_ms;

	mutex_lock(&xb.lock);
	t0 = ktime_get_ns();
	now_ms = div_u64(t0, NSEC_PER_MSEC);
	xb.wakeups++;
	if (xb.last_target_ns && !xb.first_action_ns)
		xb.first_action_ns = max_t(u64, t0 - xb.last_target_ns, 1);
	xb_others_sync();	/* first: the credit xb_grow_sync() looks at */
	xb_grow_sync();
	st = xb_core_plan(&xb.core, si_mem_available(), now_ms);
	if (st.op == XB_OP_INFLATE && !xb_do_inflate(st.nr_pages, now_ms))
		st.op = XB_OP_NONE;	/* being unloaded */
	else if (st.op == XB_OP_CLAIM && !xb_do_claim(st.nr_pages, now_ms))
		st.op = XB_OP_NONE;
	else if (st.op == XB_OP_DEFLATE)
		xb_do_deflate(st.nr_pages, now_ms);
	xb_unpin_if_empty();
	if (st.op != XB_OP_INFLATE && st.op != XB_OP_DEFLATE)
		xb_others_stale();
	if (xb_hv_balloon_pages() != xb.core.balloon_pages ||
	    xb_hv_quarantine_pages() != xb.core.quarantine_pages)
		pr_err_once("balloon count mismatch: %llu+%llu listed, %llu+%llu counted\n",
			    xb_hv_balloon_pages(), xb_hv_quarantine_pages(),
			    xb.core.balloon_pages, xb.core.quarantine_pages);
	/* one batch per run, so the workqueue is never held for long */
	if (!xb.stopping) {
		if (st.op == XB_OP_INFLATE || st.op == XB_OP_DEFLATE ||
		    st.op == XB_OP_CLAIM)
			queue_delayed_work(xb.wq, &xb.balloon_work, 0);
		else if (st.op == XB_OP_WAIT)
			queue_delayed_work(xb.wq, &xb.balloon_work,
					   msecs_to_jiffies(st.delay_ms));
	}
	xb.work_ns += ktime_get_ns() - t0;
	mutex_unlock(&xb.lock);
	xb_report_kick();
}

void xb_set_target(int parse_rc, u64 target_kb)
{
	int rc;

	mutex_lock(&xb.lock);
	xb.target_events++;
	if (parse_rc) {
		/* already logged by the reader; keep the old target */
		xb_core_bad_target(&xb.core);
		mutex_unlock(&xb.lock);
		xb_report_kick();
		return;
	}
	xb_others_stale();
	xb_others_sync();
	xb_grow_sync();		/* how far a target can take the guest now */
	rc = xb_core_set_target_kb(&xb.core, target_kb);
	xb.last_target_ns = ktime_get_ns();
	xb.first_action_ns = 0;
	mutex_unlock(&xb.lock);
	if (rc == -XB_ERANGE)
		pr_warn_ratelimited("memory/target %llu KiB out of range, ignored\n",
				    target_kb);
	else if (rc == XB_TARGET_CLAMPED_MAX)
		pr_warn_ratelimited("memory/target %llu KiB above what the guest can reach (static-max %llu KiB, boot size + Linux's balloon %llu KiB), clamped\n",
				    target_kb,
				    xb_pages_to_kb(xb.core.static_max_pages),
				    xb_pages_to_kb(xb.core.total_pages +
						   xb.core.pool_pages));
	else if (rc == XB_TARGET_BELOW_FLOOR)
		pr_warn_ratelimited("memory/target %llu KiB below floor %llu KiB, stopping at floor\n",
				    target_kb,
				    xb_pages_to_kb(xb.core.floor_pages));
	if (rc >= 0)
		xb_kick();
	xb_report_kick();
}

/*
 * Give memory back to the guest now, because it is running short. Called by
 * the shrinker (wait_ms 0) and the OOM notifier, from inside reclaim or the
 * OOM killer: it never waits for a lock (the worker may hold xb.lock across
 * its own allocation). It tries the lock for at most wait_ms, does one
 * bounded batch, and leaves the rest (report, re-inflation) to work items.
 */
u64 xb_pressure_deflate(u64 nr_pages, unsigned int wait_ms)
{
	unsigned long until = jiffies + msecs_to_jiffies(wait_ms);
	struct xb_hv_result r = { 0 };
	u32 backoff_ms;
	u64 done;

	if (xb.companion)
		return wait_ms ? xb_companion_deflate(nr_pages, wait_ms) : 0;
	while (!mutex_trylock(&xb.lock)) {
		if (!wait_ms || time_after(jiffies, until))
			return 0;
		schedule_timeout_uninterruptible(1);
	}
	nr_pages = min3(nr_pages, xb.core.balloon_pages,
			(u64)xb.core.batch_max);
	if (nr_pages)
		xb_hv_deflate(nr_pages, &r);
	done = r.done + r.lost;
	xb_core_oom_deflated(&xb.core, done, xb_now_ms());
	xb_core_quarantined(&xb.core, r.lost);
	xb_unpin_if_empty();
	backoff_ms = xb.core.backoff_ms;
	mutex_unlock(&xb.lock);
	if (done) {
		pr_info_ratelimited("guest short of memory: returned %llu KiB from the balloon\n",
				    xb_pages_to_kb(done));
		/* come back after the backoff to see if it can be given again */
		if (!READ_ONCE(xb.stopping))
			mod_delayed_work(xb.wq, &xb.balloon_work,
					 msecs_to_jiffies(backoff_ms));
		xb_report_kick();
	}
	return done;
}

/*
 * At unload the balloon is empty (the module is held while it is not): this
 * only guards against a driver bug. Pages Xen will not give back are left
 * allocated and unlinked, never handed to the kernel without memory behind.
 */
static void xb_release_all(void)
{
	mutex_lock(&xb.lock);
	while (xb_hv_balloon_pages() &&
	       xb_do_deflate(xb_hv_balloon_pages(), xb_now_ms()))
		;
	if (xb_hv_balloon_pages() || xb_hv_quarantine_pages()) {
		pr_err("unloading with %llu pages ballooned and %llu quarantined: they stay allocated\n",
		       xb_hv_balloon_pages(), xb_hv_quarantine_pages());
		xb_hv_abandon();
	}
	xb_unpin_if_empty();
	mutex_unlock(&xb.lock);
}

/*
 * Linux's own balloon driver (xen-balloon.c) also watches memory/target: two
 * would fight. With it built in, xballoon.ko runs as its companion; a
 * kernel without it at build time that still has its sysfs directory is
 * not one this module was built for.
 */
static bool xb_linux_balloon_active(void)
{
	struct path path;

	if (IS_ENABLED(CONFIG_XEN_BALLOON))
		return false;
	if (kern_path("/sys/devices/system/xen_memory", LOOKUP_FOLLOW, &path))
		return false;
	path_put(&path);
	return true;
}

static int __init xb_init(void)
{
	struct xb_config cfg = { 0 };
	int err, parse_rc;
	u64 initial;

	if (!xen_domain() || xen_initial_domain()) {
		pr_err("not a Xen guest domain, not loading\n");
		return -ENODEV;
	}
	if (xb_linux_balloon_active()) {
		pr_err("Linux's Xen balloon driver is active but this module was built for a kernel without it (CONFIG_XEN_BALLOON=n); rebuild it against this kernel's headers, not loading\n");
		return -EBUSY;
	}
	xb.companion = IS_ENABLED(CONFIG_XEN_BALLOON);
	if (!batch_pages || batch_pages > XB_BATCH_MAX) {
		pr_err("batch_pages must be 1-%u\n", XB_BATCH_MAX);
		return -EINVAL;
	}
	mutex_init(&xb.lock);
	INIT_DELAYED_WORK(&xb.balloon_work, xb_balloon_work);

	/* Xen's own count of our pages; the guest's as a fallback */
	initial = xb_hv_current_reservation();
	if (!initial)
		initial = totalram_pages();
	cfg.initial_pages = initial;
	if (xb_xs_read_kb("memory", "static-max", &cfg.static_max_kb,
			  &parse_rc))
		cfg.static_max_kb = 0;	/* unknown: use our own size */
	cfg.auto_translated = xen_feature(XENFEAT_auto_translated_physmap);
	cfg.floor_kb = floor_kb;
	cfg.batch_pages = batch_pages;
	xb_core_init(&xb.core, &cfg);
	if (xb.companion) {
		xb.core.mode = XB_MODE_COMPANION;
		xb.core.scrub = XB_SCRUB_LINUX;
		pr_info("companion mode: Linux's balloon driver (CONFIG_XEN_BALLOON) drives memory/target; this module reports, and deflates on OOM by raising its target within maxmem\n");
	} else {
		xb.core.scrub = xb_scrub_now();
		xb_scrub_log(xb.core.scrub);
	}

	err = xb.companion ? 0 : xb_hv_init(batch_pages);
	if (err)
		return err;
	err = xb.companion ? 0 : xb_grow_init(batch_pages);
	if (err)
		goto out_hv;
	mutex_lock(&xb.lock);
	xb_grow_sync();
	mutex_unlock(&xb.lock);
	xb.wq = alloc_ordered_workqueue("xballoon", WQ_MEM_RECLAIM);
	if (!xb.wq) {
		err = -ENOMEM;
		goto out_hv;
	}
	err = xb_sysfs_init();
	if (err)
		goto out_wq;
	err = xb_oom_init();
	if (err)
		goto out_sysfs;
	err = xb_xs_init();
	if (err)
		goto out_oom;
	if (!xb.companion)
		xb_others_init();
	pr_info("ready (%s mode): %s guest, %llu KiB, static-max %llu KiB, can grow to %llu KiB, floor %llu KiB, batch %u pages\n",
		xb_mode_name(xb.core.mode),
		cfg.auto_translated ? "auto-translated" : "PV",
		xb_pages_to_kb(xb.core.total_pages),
		xb_pages_to_kb(xb.core.static_max_pages),
		xb_pages_to_kb(xb_core_ceiling_pages(&xb.core)),
		xb_pages_to_kb(xb.core.floor_pages), batch_pages);
	return 0;

out_oom:
	xb_oom_exit();
out_sysfs:
	xb_sysfs_exit();
out_wq:
	destroy_workqueue(xb.wq);
out_hv:
	if (!xb.companion) {
		xb_grow_exit();
		xb_hv_exit();
	}
	return err;
}

/*
 * rmmod gets here only with the balloon empty (xb_pin_update). Every source
 * of work stops before the report does: the watch, the pressure hooks, the
 * worker.
 */
static void __exit xb_exit(void)
{
	xb_xs_unwatch();
	xb_oom_exit();
	WRITE_ONCE(xb.stopping, true);
	if (!xb.companion)
		xb_others_exit();
	cancel_delayed_work_sync(&xb.balloon_work);
	if (!xb.companion)
		xb_release_all();
	xb_xs_exit();
	xb_xs_remove_report();
	destroy_workqueue(xb.wq);
	xb_sysfs_exit();
	if (!xb.companion) {
		xb_grow_exit();
		xb_hv_exit();
	}
	pr_info("unloaded, balloon empty\n");
}

module_init(xb_init);
module_exit(xb_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("xballoon: Xen balloon driver with batching, floor and OOM deflate");
