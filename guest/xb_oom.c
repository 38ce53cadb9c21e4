// SPDX-License-Identifier: GPL-2.0
/*
 * xballoon: guest memory pressure. Two hooks return memory from the balloon
 * before the guest suffers:
 *  - a shrinker, called by page reclaim: while MemAvailable is below the
 *    core's pressure reserve it offers the balloon and deflates what reclaim
 *    asks for;
 *  - the OOM notifier, the last line before the OOM killer: returns oom_kb.
 * Both run inside an allocation (reclaim can run inside the driver's own
 * allocations, and inside xenbus while a report is written): neither waits
 * for a lock, and each does one bounded batch (xb_pressure_deflate).
 * Ballooned pages stay in the kernel's managed count (as virtio-balloon does
 * with deflate-on-OOM), so the overcommit check does not refuse allocations
 * up front and reclaim gets the chance to call the shrinker.
 * Each event is counted (oom_deflates) and reported.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/notifier.h>
#include <linux/oom.h>
#include <linux/shrinker.h>

#include "xb.h"

#define XB_SHRINK_MIN_PAGES 512	/* deflate at least 2 MiB at a time */
#define XB_OOM_WAIT_MS 200	/* the OOM notifier tries the lock this long */

static unsigned long xb_shrink_count(struct shrinker *s,
				     struct shrink_control *sc)
{
	u64 balloon = READ_ONCE(xb.core.balloon_pages);

	/* lab only: leave the OOM notifier alone to answer (driver-612.sh) */
	if (READ_ONCE(xb_inject) & XB_INJECT_NO_SHRINKER)
		return 0;
	if (!xb_core_under_pressure(&xb.core, si_mem_available()))
		return 0;
	return balloon;
}

static unsigned long xb_shrink_scan(struct shrinker *s,
				    struct shrink_control *sc)
{
	u64 done;

	done = xb_pressure_deflate(max_t(u64, sc->nr_to_scan,
					 XB_SHRINK_MIN_PAGES), 0);
	return done ? done : SHRINK_STOP;
}

static int xb_oom_notify(struct notifier_block *nb, unsigned long unused,
			 void *parm)
{
	unsigned long *freed = parm;

	*freed += xb_pressure_deflate(xb_kb_to_pages(READ_ONCE(xb_oom_kb)),
				      XB_OOM_WAIT_MS);
	return NOTIFY_OK;
}

static struct notifier_block xb_oom_nb = {
	.notifier_call = xb_oom_notify,
};

#ifdef XB_HAVE_SHRINKER_ALLOC
static struct shrinker *xb_shrinker;

static int xb_shrinker_add(void)
{
	xb_shrinker = shrinker_alloc(0, "xballoon");
	if (!xb_shrinker)
		return -ENOMEM;
	xb_shrinker->count_objects = xb_shrink_count;
	xb_shrinker->scan_objects = xb_shrink_scan;
	xb_shrinker->seeks = DEFAULT_SEEKS;
	shrinker_register(xb_shrinker);
	return 0;
}

static void xb_shrinker_del(void)
{
	shrinker_free(xb_shrinker);
	xb_shrinker = NULL;
}
#else
static struct shrinker xb_shrinker = {
	.count_objects = xb_shrink_count,
	.scan_objects = xb_shrink_scan,
	.seeks = DEFAULT_SEEKS,
};

static int xb_shrinker_add(void)
{
	return register_shrinker(&xb_shrinker, "xballoon");
}

static void xb_shrinker_del(void)
{
	unregister_shrinker(&xb_shrinker);
}
#endif

int xb_oom_init(void)
{
	int err;

	err = register_oom_notifier(&xb_oom_nb);
	if (err)
		return err;
	err = xb_shrinker_add();
	if (err)
		unregister_oom_notifier(&xb_oom_nb);
	return err;
}

void xb_oom_exit(void)
{
	xb_shrinker_del();
	unregister_oom_notifier(&xb_oom_nb);
}
