// SPDX-License-Identifier: GPL-2.0
/*
 * xballoon: xenstore edge. Watches memory/target (untrusted: parsed by the
 * core, bad values logged rate-limited and reported) and writes the one-line
 * report data/xballoon/report (docs/xenstore-keys.md): on change, at most
 * once per report_min_ms, and every report_period_ms while not idle. When
 * idle and unchanged no timer is armed.
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
static DEFINE_MUTEX(xb_report_lock);	/* report buffer, clock, last */
static struct xb_report_clock xb_rclock;
static struct xb_core xb_last;		/* core as last reported */
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

static bool xb_report_changed(const struct xb_core *a, const struct xb_core *b)
{
	return a->state != b->state || a->target_pages != b->target_pages ||
		a->balloon_pages != b->balloon_pages ||
		a->floor_pages != b->floor_pages ||
		a->hard_limit_pages != b->hard_limit_pages ||
		a->last_error != b->last_error ||
		a->req_target_pages != b->req_target_pages ||
		a->cnt.oom_deflates != b->cnt.oom_deflates ||
		a->cnt.refusals != b->cnt.refusals ||
		a->cnt.bad_targets != b->cnt.bad_targets;
}

static bool xb_converging(const struct xb_core *c)
{
	return c->state != XB_STATE_IDLE && c->state != XB_STATE_AT_FLOOR;
}

/* Arm the report timer if a report is due; caller holds xb_report_lock. */
static void xb_report_schedule(const struct xb_core *now)
{
	long delay;

	if (xb_xs_stopping)
		return;
	delay = xb_report_delay(&xb_rclock, xb_now_ms(),
				xb_report_changed(now, &xb_last),
				xb_converging(now), xb_report_period_ms,
				xb_report_min_ms);
	if (delay >= 0)
		queue_delayed_work(system_wq, &xb_report_work,
				   msecs_to_jiffies(delay));
}

void xb_report_kick(void)
{
	struct xb_core now;

	xb_snapshot(&now);
	mutex_lock(&xb_report_lock);
	xb_report_schedule(&now);
	mutex_unlock(&xb_report_lock);
}

static void xb_report_write(void)
{
	struct xb_meminfo mi;
	struct xb_core now;
	int len, err;

	xb_snapshot(&now);
	xb_meminfo(&mi);
	len = xb_report_format(&now, &mi, xb_reports + 1, xb_report_buf,
			       sizeof(xb_report_buf));
	if (len < 0) {
		pr_err_once("report does not fit in %d bytes\n", XB_REPORT_MAX);
		return;
	}
	err = xenbus_write(XBT_NIL, "data/xballoon", "report", xb_report_buf);
	if (err)
		pr_warn_ratelimited("writing data/xballoon/report failed: %d\n",
				    err);
	xb_reports++;
	xb_rclock.last_ms = xb_now_ms();
	xb_rclock.written = true;
	xb_last = now;
}

static void xb_report_work_fn(struct work_struct *work)
{
	struct xb_core now;

	mutex_lock(&xb_report_lock);
	xb_report_write();
	/* changed meanwhile, or still converging: the next one */
	xb_snapshot(&now);
	xb_report_schedule(&now);
	mutex_unlock(&xb_report_lock);
}

int xb_xs_init(void)
{
	int err;

	xb_xs_stopping = false;
	err = register_xenbus_watch(&xb_target_watch);
	if (err) {
		pr_err("cannot watch memory/target: %d\n", err);
		return err;
	}
	xb_report_kick();
	return 0;
}

/* Stop watching and reporting (the balloon may still be emptied after). */
void xb_xs_exit(void)
{
	unregister_xenbus_watch(&xb_target_watch);
	mutex_lock(&xb_report_lock);
	xb_xs_stopping = true;
	mutex_unlock(&xb_report_lock);
	cancel_delayed_work_sync(&xb_report_work);
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
