// SPDX-License-Identifier: GPL-2.0
/*
 * xballoon: staying in step with Linux's own balloon core. balloon.c is
 * built into every Xen kernel and serves gntdev, privcmd, grant tables and
 * xenbus (alloc_xenballooned_pages, xen_alloc_unpopulated_pages). When its
 * own balloon is empty it gives guest pages to Xen for them, which lowers
 * Xen's count of the guest behind this driver's back. The core measures
 * that share (its own count less Xen's: "others") before every plan and
 * takes as many pages back from Xen on top of the target, so that Xen's
 * count, not only the driver's, meets the target, as Linux's driver does.
 *
 * balloon.c would also take such pages back from Xen by itself once its
 * users return them (its own target is the guest's boot size), which would
 * then push Xen's count above the target, or fail against maxmem and retry
 * for ever. Its target is kept at its current count instead, so that it
 * never moves the reservation on its own: returned pages stay on its
 * balloon, for its next user.
 *
 * There is no event when balloon.c moves pages: a deferrable timer reads
 * its count (one word, no hypercall; it does not wake an idle CPU) every
 * XB_OTHERS_POLL_MS, and kicks the worker when it changed.
 *
 * Driver mode on PV and PVH only: on HVM, Xen's count includes the
 * populate-on-demand cache; in companion mode balloon.c is the driver.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/jiffies.h>
#include <linux/workqueue.h>
#include <xen/balloon.h>
#include <xen/xen.h>

#include "xb.h"

#define XB_OTHERS_POLL_MS 1000

static bool xb_others_on;
static unsigned long xb_others_seen;	/* balloon.c's count at the last sync */
static bool xb_others_fresh;		/* Xen's count read since then */
static struct delayed_work xb_others_poll;

static void xb_others_poll_fn(struct work_struct *work)
{
	if (READ_ONCE(balloon_stats.current_pages) != READ_ONCE(xb_others_seen))
		xb_kick();
	if (!READ_ONCE(xb.stopping))
		queue_delayed_work(system_wq, &xb_others_poll,
				   msecs_to_jiffies(XB_OTHERS_POLL_MS));
}

/*
 * Under xb.lock, before a plan or a target: measure, and keep balloon.c
 * still. Xen's count is read again only when it may have moved other than
 * by this driver's batches, which move its count and Xen's alike: balloon.c
 * moved, or xb_others_stale() was called (a new target, a batch with an
 * error or a quarantined page, a claim). One hypercall per batch otherwise,
 * a VM exit on PVH, was a tenth of a 2 MiB take-back's time.
 */
void xb_others_sync(void)
{
	unsigned long cur;

	if (!xb_others_on)
		return;
	cur = READ_ONCE(balloon_stats.current_pages);
	if (READ_ONCE(balloon_stats.target_pages) != cur)
		balloon_set_new_target(cur);
	if (xb_others_fresh && cur == READ_ONCE(xb_others_seen))
		return;
	WRITE_ONCE(xb_others_seen, cur);
	xb_core_set_others(&xb.core, xb_hv_current_reservation());
	xb_others_fresh = true;
}

/* Under xb.lock: read Xen's count at the next sync. */
void xb_others_stale(void)
{
	xb_others_fresh = false;
}

void xb_others_init(void)
{
	xb_others_on = xen_pv_domain() || xen_pvh_domain();
	if (!xb_others_on)
		return;
	INIT_DEFERRABLE_WORK(&xb_others_poll, xb_others_poll_fn);
	queue_delayed_work(system_wq, &xb_others_poll,
			   msecs_to_jiffies(XB_OTHERS_POLL_MS));
}

/* After xb.stopping is set. */
void xb_others_exit(void)
{
	if (xb_others_on)
		cancel_delayed_work_sync(&xb_others_poll);
}
