// SPDX-License-Identifier: GPL-2.0
/*
 * xballoon: /sys/kernel/xballoon/, the local view. Sizes in KiB, counters
 * cumulative since load. Read-only: the target comes from xenstore.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kobject.h>
#include <linux/sysfs.h>

#include "xb.h"

static struct kobject *xb_kobj;

/* One read-only file: expr is evaluated on a snapshot c of the core. */
#define XB_ATTR(name, fmt, expr)					\
static ssize_t name##_show(struct kobject *k, struct kobj_attribute *a,	\
			   char *buf)					\
{									\
	struct xb_core c;						\
									\
	xb_snapshot(&c);						\
	return sysfs_emit(buf, fmt "\n", expr);			\
}									\
static struct kobj_attribute xb_attr_##name = __ATTR_RO(name)

#define XB_ATTR_STR(name, expr) XB_ATTR(name, "%s", expr)
#define XB_ATTR_KB(name, expr) XB_ATTR(name, "%llu", xb_pages_to_kb(expr))
#define XB_ATTR_U64(name, expr) \
	XB_ATTR(name, "%llu", (unsigned long long)(expr))

XB_ATTR_STR(state, xb_state_name(c.state));
XB_ATTR_STR(last_error, xb_err_name(c.last_error));
XB_ATTR_STR(scrub_mode, xb_scrub_name(c.scrub));
XB_ATTR_KB(target_kb, c.target_pages);
XB_ATTR_KB(requested_kb, c.req_target_pages);
XB_ATTR_KB(current_kb, xb_core_current_pages(&c));
XB_ATTR_KB(balloon_kb, c.balloon_pages);
XB_ATTR_KB(floor_kb, c.floor_pages);
XB_ATTR_KB(static_max_kb, c.static_max_pages);
XB_ATTR_KB(hard_limit_kb, c.hard_limit_pages);
XB_ATTR_KB(quarantine_kb, c.quarantine_pages);
XB_ATTR_KB(boot_kb, c.boot_pages);
XB_ATTR_KB(max_kb, xb_core_ceiling_pages(&c));
XB_ATTR_KB(pool_kb, c.pool_pages);
XB_ATTR_KB(claimed_kb, c.claimed_pages);
XB_ATTR_U64(targets, c.cnt.targets);
XB_ATTR_U64(bad_targets, c.cnt.bad_targets);
XB_ATTR_U64(clamped_targets, c.cnt.clamped_targets);
XB_ATTR_U64(pages_inflated, c.cnt.pages_inflated);
XB_ATTR_U64(pages_deflated, c.cnt.pages_deflated);
XB_ATTR_U64(refusals, c.cnt.refusals);
XB_ATTR_U64(alloc_failures, c.cnt.alloc_failures);
XB_ATTR_U64(oom_deflates, c.cnt.oom_deflates);
XB_ATTR_U64(oom_pages, c.cnt.oom_pages);
XB_ATTR_U64(batch_pages, c.batch);
XB_ATTR_U64(backoff_ms, c.backoff_ms);
XB_ATTR_U64(hypercalls, xb_hv_stats.hypercalls);
XB_ATTR_U64(extents_2m_out, xb_hv_stats.extents_2m_out);
XB_ATTR_U64(extents_2m_in, xb_hv_stats.extents_2m_in);
XB_ATTR_U64(fallbacks_2m, xb_hv_stats.fallbacks_2m);
XB_ATTR_U64(short_results, xb_hv_stats.short_results);
XB_ATTR_U64(pages_scrubbed, xb_hv_stats.pages_scrubbed);
XB_ATTR_U64(map_failures, xb_hv_stats.map_failures);
XB_ATTR_U64(settled_2m, xb_hv_stats.settled_2m);
XB_ATTR_U64(pages_in_checked, xb_hv_stats.pages_in_checked);
XB_ATTR_U64(pages_in_dirty, xb_hv_stats.pages_in_dirty);
XB_ATTR_U64(time_hv_us, div_u64(xb_hv_stats.hv_ns, NSEC_PER_USEC));
XB_ATTR_U64(time_hv_map_us, div_u64(xb_hv_stats.map_ns, NSEC_PER_USEC));
XB_ATTR_U64(time_dispose_us, div_u64(xb_hv_stats.dispose_ns, NSEC_PER_USEC));
XB_ATTR_U64(time_scrub_us, div_u64(xb_hv_stats.scrub_ns, NSEC_PER_USEC));
XB_ATTR_U64(time_alloc_us, div_u64(xb_hv_stats.alloc_ns, NSEC_PER_USEC));
XB_ATTR_U64(wakeups, xb.wakeups);
XB_ATTR_U64(work_us, div_u64(xb.work_ns, NSEC_PER_USEC));
XB_ATTR_U64(target_events, xb.target_events);
XB_ATTR_U64(start_latency_us, div_u64(xb.first_action_ns, NSEC_PER_USEC));
XB_ATTR_U64(reports, xb_reports);

static struct attribute *xb_attrs[] = {
	&xb_attr_target_kb.attr,
	&xb_attr_requested_kb.attr,
	&xb_attr_current_kb.attr,
	&xb_attr_balloon_kb.attr,
	&xb_attr_floor_kb.attr,
	&xb_attr_static_max_kb.attr,
	&xb_attr_hard_limit_kb.attr,
	&xb_attr_quarantine_kb.attr,
	&xb_attr_boot_kb.attr,
	&xb_attr_max_kb.attr,
	&xb_attr_pool_kb.attr,
	&xb_attr_claimed_kb.attr,
	&xb_attr_state.attr,
	&xb_attr_last_error.attr,
	&xb_attr_scrub_mode.attr,
	&xb_attr_targets.attr,
	&xb_attr_bad_targets.attr,
	&xb_attr_clamped_targets.attr,
	&xb_attr_pages_inflated.attr,
	&xb_attr_pages_deflated.attr,
	&xb_attr_refusals.attr,
	&xb_attr_alloc_failures.attr,
	&xb_attr_oom_deflates.attr,
	&xb_attr_oom_pages.attr,
	&xb_attr_batch_pages.attr,
	&xb_attr_backoff_ms.attr,
	&xb_attr_hypercalls.attr,
	&xb_attr_extents_2m_out.attr,
	&xb_attr_extents_2m_in.attr,
	&xb_attr_fallbacks_2m.attr,
	&xb_attr_short_results.attr,
	&xb_attr_pages_scrubbed.attr,
	&xb_attr_map_failures.attr,
	&xb_attr_settled_2m.attr,
	&xb_attr_pages_in_checked.attr,
	&xb_attr_pages_in_dirty.attr,
	&xb_attr_time_hv_us.attr,
	&xb_attr_time_hv_map_us.attr,
	&xb_attr_time_dispose_us.attr,
	&xb_attr_time_scrub_us.attr,
	&xb_attr_time_alloc_us.attr,
	&xb_attr_wakeups.attr,
	&xb_attr_work_us.attr,
	&xb_attr_target_events.attr,
	&xb_attr_start_latency_us.attr,
	&xb_attr_reports.attr,
	NULL,
};

static const struct attribute_group xb_attr_group = {
	.attrs = xb_attrs,
};

int xb_sysfs_init(void)
{
	int err;

	xb_kobj = kobject_create_and_add("xballoon", kernel_kobj);
	if (!xb_kobj)
		return -ENOMEM;
	err = sysfs_create_group(xb_kobj, &xb_attr_group);
	if (err) {
		kobject_put(xb_kobj);
		xb_kobj = NULL;
	}
	return err;
}

void xb_sysfs_exit(void)
{
	if (xb_kobj) {
		sysfs_remove_group(xb_kobj, &xb_attr_group);
		kobject_put(xb_kobj);
		xb_kobj = NULL;
	}
}
