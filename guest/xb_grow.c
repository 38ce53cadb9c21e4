// SPDX-License-Identifier: GPL-2.0
/*
 * xballoon: growing past the size the guest booted with. A PV guest booted
 * with memory below maxmem gets a memory map up to maxmem; Linux
 * (arch/x86/xen/setup.c) reserves the part above its boot size as
 * xen_extra_mem, and Linux's balloon.c, built into every Xen kernel, puts
 * those unpopulated frames on its balloon at boot. This file claims them
 * from there (xen_alloc_ballooned_pages) onto this driver's balloon, where
 * the take-back path populates, maps and frees them like any page it gave
 * to Xen itself. The core decides how many (never more than balloon.c
 * holds, nor than Xen's maxmem leaves room for); this file only moves them.
 *
 * Auto-translated guests (PVH/HVM) have no such region: nothing is claimed
 * there, and a target stays clamped to the boot size.
 *
 * All functions here run under xb.lock.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/page_ref.h>
#include <linux/slab.h>
#include <xen/balloon.h>
#include <xen/xen.h>

#include "xb.h"

static struct page **xb_claim_pages;
static unsigned int xb_claim_cap;

/* Pages on balloon.c's balloon, read without its lock (single words). */
static u64 xb_grow_pool(void)
{
	if (!xb_claim_pages)
		return 0;
	return READ_ONCE(balloon_stats.balloon_low) +
		READ_ONCE(balloon_stats.balloon_high);
}

/* What Xen's maxmem still lets the domain grow by, in pages. */
static u64 xb_grow_room(void)
{
	u64 max = xb_hv_maximum_reservation();
	u64 cur = xb_hv_current_reservation();

	return max > cur ? max - cur : 0;
}

void xb_grow_sync(void)
{
	if (!xb_claim_pages)
		return;
	xb_core_set_grow(&xb.core, xb_grow_pool(), xb.core.xen_room_pages);
	/* a claim may come next: then Xen's room is worth two hypercalls */
	if (xb_core_credit(&xb.core) > 0 && !xb.core.balloon_pages)
		xb_core_set_grow(&xb.core, xb_grow_pool(), xb_grow_room());
}

/*
 * Take up to nr_pages from balloon.c's balloon onto this driver's. Never
 * more than it holds now: for the rest, xen_alloc_ballooned_pages() would
 * give the guest's own memory to Xen. The pages come unpopulated; boot
 * pages of the extra region are PageReserved and outside the kernel's
 * managed count, as are pages balloon.c ballooned itself. They become pages
 * this driver owns, as if it had allocated them (one reference, counted in
 * MemTotal like every page on its balloon). Returns the pages claimed.
 */
u64 xb_grow_claim(u64 nr_pages)
{
	unsigned int i, n;
	int err;

	n = min3(nr_pages, (u64)xb_claim_cap, xb_grow_pool());
	if (!n)
		return 0;
	err = xen_alloc_ballooned_pages(n, xb_claim_pages);
	if (err) {
		pr_warn_ratelimited("could not claim %u pages from Linux's balloon: %d\n",
				    n, err);
		return 0;
	}
	for (i = 0; i < n; i++) {
		struct page *page = xb_claim_pages[i];

		if (PageReserved(page))
			ClearPageReserved(page);
		init_page_count(page);
		adjust_managed_page_count(page, 1);
	}
	xb_hv_adopt(xb_claim_pages, n);
	return n;
}

/* PV guests in driver mode only; nothing to do elsewhere. */
int xb_grow_init(unsigned int batch_pages)
{
	if (!xen_pv_domain())
		return 0;
	xb_claim_pages = kvcalloc(batch_pages, sizeof(*xb_claim_pages),
				  GFP_KERNEL);
	if (!xb_claim_pages)
		return -ENOMEM;
	xb_claim_cap = batch_pages;
	return 0;
}

void xb_grow_exit(void)
{
	kvfree(xb_claim_pages);
	xb_claim_pages = NULL;
	xb_claim_cap = 0;
}
