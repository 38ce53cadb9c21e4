// SPDX-License-Identifier: GPL-2.0
/*
 * xballoon: xenstore edge. Watches memory/target (untrusted: parsed by the
 * core, bad values logged rate-limited and reported) and writes the one-line
 * report data/xballoon/report (docs/xenstore-keys.md): on change, at most
 * once per report_min_ms, and every report_period_ms while not idle (longer
 * while the driver backs off). When idle and unchanged no timer is armed.
 *
 * Locking: none of its own. The report work item owns the report buffer,
 * clock and last report (a work item never runs twice at once), and a kick
 * only queues it. Writing the report allocates (xenbus), which can enter
 * reclaim and the driver's shrinker, which kicks the report: a kick must
 * therefore never wait for anything the writer holds.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/err.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/swap.h>
#include <linux/vmstat.h>
#include <linux/workqueue.h>
#include <xen/xenbus.h>

#include "xb.h"

#define XB_TARGET_LOG_MAX 32	/* bytes of a bad value shown in the log */

u64 xb_reports;
static bool xb_xs_stopping;
/* owned by the report work item */
static struct xb_report_clock xb_rclock;
static struct xb_core xb_last;		/* core as last reported */
static struct xb_psi xb_psi_now;	/* PSI as last sampled */
static struct xb_psi xb_psi_last;	/* PSI as last reported */
static u64 xb_psi_at_ms;		/* time of the last sample */
static u64 xb_others_logged;		/* pages of balloon.c's users, as logged */
static bool xb_psi_sampled;
static char xb_report_buf[XB_REPORT_MAX + 1];
static unsigned long xb_events[NR_VM_EVENT_ITEMS];

static void xb_report_work_fn(struct work_struct *work);
static DECLARE_DELAYED_WORK(xb_report_work, xb_report_work_fn);

/*
 * Read dir/node as KiB into *kb_r. Returns 0, a negative errno from xenbus
 * (-ENOENT: absent), or 1 if the value is there but not a valid number of
 * KiB (*parse_rc then holds the core's -XB_E* code).
 */
int xb_xs_read_kb(const char *dir, const char *node, u64 *kb_r, int *parse_rc)
{
	unsigned int len;
	char *s;

	*kb_r = 0;
	s = xenbus_read(XBT_NIL, dir, node, &len);
	if (IS_ERR(s))
		return PTR_ERR(s);
	*parse_rc = xb_parse_kb(s, len, kb_r);
	if (*parse_rc)
		pr_warn_ratelimited("%s/%s: bad value \"%*pE\"\n", dir, node,
				    (int)min_t(unsigned int, len, XB_TARGET_LOG_MAX), s);
	kfree(s);
	return *parse_rc ? 1 : 0;
}

static void xb_target_changed(struct xenbus_watch *watch, const char *path,
			      const char *token)
{
	int err, parse_rc = 0;
	u64 kb;

	if (xb.companion) {
		/* Linux's driver applies it: only report how it goes */
		xb_report_kick();
		return;
	}
	err = xb_xs_read_kb("memory", "target", &kb, &parse_rc);
	if (err == -ENOENT)
		return;		/* not written yet */
	if (err < 0) {
		pr_warn_ratelimited("reading memory/target failed: %d\n", err);
		return;
	}
	xb_set_target(parse_rc, kb);
}

static struct xenbus_watch xb_target_watch = {
	.node = "memory/target",
	.callback = xb_target_changed,
};

static void xb_meminfo(struct xb_meminfo *mi)
{
	struct sysinfo si;
	long cached;

	si_meminfo(&si);
	mi->mem_total_kb = (u64)si.totalram * (si.mem_unit / 1024);
	mi->mem_free_kb = (u64)si.freeram * (si.mem_unit / 1024);
	mi->mem_avail_kb = (u64)si_mem_available() << (PAGE_SHIFT - 10);
	cached = global_node_page_state(NR_FILE_PAGES) - si.bufferram;
	mi->cached_kb = cached > 0 ? (u64)cached << (PAGE_SHIFT - 10) : 0;
	all_vm_events(xb_events);
	mi->swap_in = xb_events[PSWPIN];
	mi->swap_out = xb_events[PSWPOUT];
	mi->major_faults = xb_events[PGMAJFAULT];
	mi->oom_kills = xb_events[OOM_KILL];
}

/*
 * Ask for a report: the work item decides when (rate limit, period). Safe
 * from any context that may queue work, including reclaim: takes no lock.
 */
void xb_report_kick(void)
{
	if (!READ_ONCE(xb_xs_stopping))
		mod_delayed_work(system_wq, &xb_report_work, 0);
}

/*
 * Write the report of the core as it is now (re-read into *now together
 * with Xen's count of the guest's pages: one hypercall per report).
 */
static void xb_report_write(struct xb_core *now)
{
	struct xb_meminfo mi;
	u64 others;
	int len, err;

	xb_meminfo(&mi);
	mi.psi = xb_psi_now;
	xb_snapshot_xen(now, &mi.xen_pages);
	others = xb_core_others_pages(now, mi.xen_pages);
	if (others != xb_others_logged) {
		pr_info_ratelimited("Linux's balloon core holds %llu KiB of the reservation for its users (gntdev, privcmd, grant tables); Xen counts %llu KiB\n",
				    xb_pages_to_kb(others),
				    xb_pages_to_kb(mi.xen_pages));
		xb_others_logged = others;
	}
	len = xb_report_format(now, &mi, xb_reports + 1, xb_report_buf,
			       sizeof(xb_report_buf));
	if (len < 0) {
		pr_err_once("report does not fit in %d bytes\n", XB_REPORT_MAX);
		return;
	}
	if (READ_ONCE(xb_inject) & XB_INJECT_REPORT_RECLAIM) {
		/*
		 * lab: what reclaim inside xenbus_write's allocation does when
		 * it reaches the shrinker (see the locking note above)
		 */
		WRITE_ONCE(xb_inject, xb_inject & ~XB_INJECT_REPORT_RECLAIM);
		pr_info("inject: shrinker inside a report write returned %llu pages\n",
			xb_pressure_deflate(512, 0));
	}
	err = xenbus_write(XBT_NIL, "data/xballoon", "report", xb_report_buf);
	if (err)
		pr_warn_ratelimited("writing data/xballoon/report failed: %d\n",
				    err);
	WRITE_ONCE(xb_reports, xb_reports + 1);
	xb_rclock.last_ms = xb_now_ms();
	xb_rclock.written = true;
	xb_last = *now;
	xb_psi_last = xb_psi_now;
}

/* A new PSI sample, at most once per report_min_ms. */
static void xb_psi_update(u64 now_ms)
{
	u32 min_ms = xb_clamp_u32(READ_ONCE(xb_report_min_ms),
				  XB_REPORT_MIN_MS_LO, XB_REPORT_MIN_MS_HI);

	if (xb_psi_sampled && now_ms < xb_psi_at_ms + min_ms)
		return;
	xb_psi_sample(&xb_psi_now, now_ms);
	xb_psi_at_ms = now_ms;
	xb_psi_sampled = true;
}

/* Delay of the next report, or of the next PSI sample while it moves. */
static long xb_report_next(struct xb_core *now)
{
	u32 period = xb_report_period(now, READ_ONCE(xb_report_period_ms));
	u32 min_ms = xb_clamp_u32(READ_ONCE(xb_report_min_ms),
				  XB_REPORT_MIN_MS_LO, XB_REPORT_MIN_MS_HI);
	u64 now_ms = xb_now_ms();
	long delay;

	xb_psi_update(now_ms);
	delay = xb_report_delay_psi(&xb_rclock, now, &xb_last, &xb_psi_now,
				    &xb_psi_last, now_ms,
				    READ_ONCE(xb_report_period_ms),
				    READ_ONCE(xb_report_min_ms));
	/* sample again while the averages still move */
	period = max(period, min_ms);
	if (xb_psi_active(&xb_psi_now) && (delay < 0 || delay > period))
		delay = period;
	return delay;
}

/* Write the report if it is due, and come back when the next one is. */
static void xb_report_work_fn(struct work_struct *work)
{
	struct xb_core now;
	long delay;

	xb_snapshot(&now);
	delay = xb_report_next(&now);
	if (delay == 0) {
		xb_report_write(&now);
		/* changed meanwhile, or still converging: the next one */
		xb_snapshot(&now);
		delay = xb_report_next(&now);
	}
	if (delay >= 0 && !READ_ONCE(xb_xs_stopping))
		queue_delayed_work(system_wq, &xb_report_work,
				   msecs_to_jiffies(delay));
}

int xb_xs_init(void)
{
	int err;

	WRITE_ONCE(xb_xs_stopping, false);
	xb_psi_init();
	err = register_xenbus_watch(&xb_target_watch);
	if (err) {
		pr_err("cannot watch memory/target: %d\n", err);
		return err;
	}
	xb_report_kick();
	return 0;
}

/* Stop watching memory/target: no more targets. */
void xb_xs_unwatch(void)
{
	unregister_xenbus_watch(&xb_target_watch);
}

/* Stop reporting; every other source of kicks has stopped before. */
void xb_xs_exit(void)
{
	WRITE_ONCE(xb_xs_stopping, true);
	cancel_delayed_work_sync(&xb_report_work);
	xb_psi_exit();
}

/*
 * At unload, once the balloon is empty: remove the report, so that dom0 sees
 * that no driver is running rather than the last state of one that is gone.
 */
void xb_xs_remove_report(void)
{
	int err;

	err = xenbus_rm(XBT_NIL, "data/xballoon", "report");
	if (err && err != -ENOENT)
		pr_warn("removing data/xballoon/report failed: %d\n", err);
}
