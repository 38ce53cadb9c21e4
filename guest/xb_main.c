// SPDX-License-Identifier: GPL-2.0
/*
 * xballoon: a Xen balloon driver. Module init/exit, parameters and the
 * balloon worker, which applies the core's plan one bounded batch at a time
 * on an ordered workqueue. Nothing runs while the target is reached: the
 * worker is queued by a target change, by its own backoff timer or by guest
 * memory pressure, never by polling.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/namei.h>
#include <linux/path.h>
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
module_param_named(report_period_ms, xb_report_period_ms, uint, 0644);
MODULE_PARM_DESC(report_period_ms, "Report period while converging, ms");

unsigned int xb_report_min_ms = 200;
module_param_named(report_min_ms, xb_report_min_ms, uint, 0644);
MODULE_PARM_DESC(report_min_ms, "Shortest interval between two reports, ms");

unsigned int xb_oom_kb = 16384;
module_param_named(oom_kb, xb_oom_kb, uint, 0644);
MODULE_PARM_DESC(oom_kb, "Memory returned to the guest per OOM notification, KiB");

bool xb_use_2m = true;
module_param_named(use_2m, xb_use_2m, bool, 0644);
MODULE_PARM_DESC(use_2m, "Try 2 MiB extents on PVH/HVM");

bool xb_scrub;
module_param_named(scrub, xb_scrub, bool, 0644);
MODULE_PARM_DESC(scrub, "Zero pages before giving them to Xen");

struct xb_dev xb;

u64 xb_now_ms(void)
{
	return div_u64(ktime_get_ns(), NSEC_PER_MSEC);
}

void xb_snapshot(struct xb_core *out)
{
	mutex_lock(&xb.lock);
	*out = xb.core;
	mutex_unlock(&xb.lock);
}

/* Queue the worker now (a change happened). */
void xb_kick(void)
{
	if (!READ_ONCE(xb.stopping))
		mod_delayed_work(xb.wq, &xb.balloon_work, 0);
}

static void xb_balloon_work(struct work_struct *work)
{
	u64 t0 = ktime_get_ns();
	bool hv_short, refused;
	struct xb_step st;
	u64 done;
	int err;

	mutex_lock(&xb.lock);
	xb.wakeups++;
	if (xb.last_target_ns && !xb.first_action_ns)
		xb.first_action_ns = max_t(u64, ktime_get_ns() - xb.last_target_ns, 1);
	st = xb_core_plan(&xb.core, si_mem_available(), xb_now_ms());
	switch (st.op) {
	case XB_OP_INFLATE:
		done = xb_hv_inflate(st.nr_pages, &hv_short, &err);
		if (err && !done)
			xb_core_hv_error(&xb.core, xb_now_ms());
		else
			xb_core_inflated(&xb.core, st.nr_pages, done, hv_short,
					 xb_now_ms());
		break;
	case XB_OP_DEFLATE:
		done = xb_hv_deflate(st.nr_pages, &refused, &err);
		if (err && !done)
			xb_core_hv_error(&xb.core, xb_now_ms());
		else
			xb_core_deflated(&xb.core, st.nr_pages, done, refused,
					 xb_now_ms());
		break;
	default:
		break;
	}
	if (xb_hv_balloon_pages() != xb.core.balloon_pages)
		pr_err_once("balloon count mismatch: %llu listed, %llu counted\n",
			    xb_hv_balloon_pages(), xb.core.balloon_pages);
	/* one batch per run, so the workqueue is never held for long */
	if (!xb.stopping) {
		if (st.op == XB_OP_INFLATE || st.op == XB_OP_DEFLATE)
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
	rc = xb_core_set_target_kb(&xb.core, target_kb);
	xb.last_target_ns = ktime_get_ns();
	xb.first_action_ns = 0;
	mutex_unlock(&xb.lock);
	if (rc == -XB_ERANGE)
		pr_warn_ratelimited("memory/target %llu KiB out of range, ignored\n",
				    target_kb);
	else if (rc == XB_TARGET_CLAMPED_MAX)
		pr_warn_ratelimited("memory/target %llu KiB above static-max, clamped\n",
				    target_kb);
	else if (rc == XB_TARGET_BELOW_FLOOR)
		pr_warn_ratelimited("memory/target %llu KiB below floor %llu KiB, stopping at floor\n",
				    target_kb,
				    xb_pages_to_kb(xb.core.floor_pages));
	if (rc >= 0)
		xb_kick();
	xb_report_kick();
}

/*
 * Give memory back to the guest now, because it is running short.
 * may_sleep: wait for the lock (OOM notifier); otherwise only try it
 * (shrinker, which can run inside our own allocations).
 */
u64 xb_pressure_deflate(u64 nr_pages, bool may_sleep)
{
	u64 done = 0, got;
	bool refused;
	int err;

	if (may_sleep)
		mutex_lock(&xb.lock);
	else if (!mutex_trylock(&xb.lock))
		return 0;
	nr_pages = min(nr_pages, xb.core.balloon_pages);
	while (done < nr_pages) {
		got = xb_hv_deflate(nr_pages - done, &refused, &err);
		if (!got || refused)
			break;
		done += got;
	}
	xb_core_oom_deflated(&xb.core, done, xb_now_ms());
	mutex_unlock(&xb.lock);
	if (done) {
		pr_info_ratelimited("guest short of memory: returned %llu KiB from the balloon\n",
				    xb_pages_to_kb(done));
		/* come back after the backoff to see if it can be given again */
		if (!READ_ONCE(xb.stopping))
			mod_delayed_work(xb.wq, &xb.balloon_work,
					 msecs_to_jiffies(xb.core.backoff_ms));
		xb_report_kick();
	}
	return done;
}

/* Give every page back to the guest before unloading. */
static void xb_release_all(void)
{
	unsigned int tries = 0;
	bool refused;
	u64 got;
	int err;

	mutex_lock(&xb.lock);
	while (xb_hv_balloon_pages()) {
		got = xb_hv_deflate(xb_hv_balloon_pages(), &refused, &err);
		xb_core_deflated(&xb.core, got, got, false, xb_now_ms());
		if (got) {
			tries = 0;
			continue;
		}
		if (++tries > 60) {
			pr_err("Xen refused %llu pages for 60 s; leaving them ballooned\n",
			       xb_hv_balloon_pages());
			break;
		}
		mutex_unlock(&xb.lock);
		msleep(1000);
		mutex_lock(&xb.lock);
	}
	mutex_unlock(&xb.lock);
}

/* Linux's own balloon driver also watches memory/target: two would fight. */
static bool xb_linux_balloon_active(void)
{
	struct path path;

	if (IS_ENABLED(CONFIG_XEN_BALLOON))
		return true;
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
		pr_err("Linux's Xen balloon driver (CONFIG_XEN_BALLOON) is active in this kernel; two balloon drivers would fight over memory/target, not loading\n");
		return -EBUSY;
	}
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

	err = xb_hv_init(batch_pages);
	if (err)
		return err;
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
	pr_info("ready: %s guest, %llu KiB, static-max %llu KiB, floor %llu KiB, batch %u pages\n",
		cfg.auto_translated ? "auto-translated" : "PV",
		xb_pages_to_kb(xb.core.total_pages),
		xb_pages_to_kb(xb.core.static_max_pages),
		xb_pages_to_kb(xb.core.floor_pages), batch_pages);
	return 0;

out_oom:
	xb_oom_exit();
out_sysfs:
	xb_sysfs_exit();
out_wq:
	destroy_workqueue(xb.wq);
out_hv:
	xb_hv_exit();
	return err;
}

static void __exit xb_exit(void)
{
	xb_xs_exit();		/* no more targets, no more timed reports */
	xb_oom_exit();
	WRITE_ONCE(xb.stopping, true);
	cancel_delayed_work_sync(&xb.balloon_work);
	xb_release_all();
	xb_xs_remove_report();
	destroy_workqueue(xb.wq);
	xb_sysfs_exit();
	xb_hv_exit();
	pr_info("unloaded, balloon empty\n");
}

module_init(xb_init);
module_exit(xb_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("xballoon: Xen balloon driver with batching, floor and OOM deflate");
