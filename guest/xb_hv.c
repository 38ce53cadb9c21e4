// SPDX-License-Identifier: GPL-2.0
/*
 * xballoon: the hypercall site. Gives pages back to Xen
 * (XENMEM_decrease_reservation) and takes them back (XENMEM_populate_physmap),
 * one batch per call, many frames per hypercall.
 *
 * PV: frames are MFNs; the kernel mappings of a whole batch are changed with
 * one multicall of update_va_mapping entries (one TLB flush for the batch) and
 * the p2m entries are written directly, so a batch costs two hypercalls
 * instead of one per page.
 * PVH/HVM (auto-translated): frames are PFNs; 2 MiB extents are tried first
 * and 4 KiB extents are the fallback.
 *
 * Ballooned pages stay allocated to this module, on one of two lists. All
 * functions here run under xb.lock.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/gfp.h>
#include <linux/highmem.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <xen/xen.h>
#include <xen/features.h>
#include <xen/page.h>
#include <xen/interface/memory.h>
#include <asm/xen/hypercall.h>
#include <asm/xen/page.h>

#include "xb.h"

/* Never wakes the OOM killer, never dips into reserves, fails fast. */
#define XB_GFP (GFP_HIGHUSER | __GFP_NOWARN | __GFP_NORETRY | __GFP_NOMEMALLOC)
#define XB_ORDER_2M 9
#define XB_PAGES_2M BIT(XB_ORDER_2M)

struct xb_hv_stats xb_hv_stats;

static LIST_HEAD(xb_list_4k);	/* order-0 pages given to Xen */
static LIST_HEAD(xb_list_2m);	/* order-9 blocks given to Xen as one extent */
static u64 xb_nr_4k;
static u64 xb_nr_2m;
static xen_pfn_t *xb_frames;
static struct page **xb_pages;
static unsigned long xb_cap;		/* entries in the arrays above */
static bool xb_2m_out_ok = true;	/* Xen accepted 2 MiB give-back */
#ifdef CONFIG_XEN_PV
static struct multicall_entry *xb_mcl;
#endif

static bool xb_pv(void)
{
	return !xen_feature(XENFEAT_auto_translated_physmap);
}

static long xb_memory_op(unsigned int cmd, xen_pfn_t *frames,
			 unsigned long nr, unsigned int order)
{
	struct xen_memory_reservation r = {
		.address_bits = 0,
		.extent_order = order,
		.domid = DOMID_SELF,
	};

	set_xen_guest_handle(r.extent_start, frames);
	r.nr_extents = nr;
	xb_hv_stats.hypercalls++;
	return HYPERVISOR_memory_op(cmd, &r);
}

u64 xb_hv_current_reservation(void)
{
	domid_t domid = DOMID_SELF;
	long rc;

	rc = HYPERVISOR_memory_op(XENMEM_current_reservation, &domid);
	return rc > 0 ? (u64)rc : 0;
}

u64 xb_hv_balloon_pages(void)
{
	return xb_nr_4k + xb_nr_2m * XB_PAGES_2M;
}

/* Zero pages before Xen gets them, if asked to (scrub=1). */
static void xb_scrub_pages(struct page *page, unsigned long nr)
{
	unsigned long i;

	if (!xb_scrub)
		return;
	for (i = 0; i < nr; i++)
		clear_highpage(page + i);
}

#ifdef CONFIG_XEN_PV
static bool xb_p2m_set(unsigned long pfn, unsigned long mfn)
{
	if (pfn >= xen_p2m_size)
		return mfn == INVALID_P2M_ENTRY;
	return !xen_safe_write_ulong(xen_p2m_addr + pfn, mfn);
}

/*
 * Map (mfns given) or unmap (mfns NULL) the kernel's direct mapping of
 * pages[0..n) with one multicall; an unmap ends with one flush of all TLBs.
 * Returns the number of entries that failed.
 */
static unsigned long xb_pv_remap(struct page **pages, const xen_pfn_t *mfns,
				 unsigned long n)
{
	unsigned long i, bad = 0;

	if (!n)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned long pfn = page_to_pfn(pages[i]);
		unsigned long va = (unsigned long)__va(pfn << PAGE_SHIFT);
		pte_t pte = mfns ? mfn_pte(mfns[i], PAGE_KERNEL) : __pte_ma(0);

		MULTI_update_va_mapping(&xb_mcl[i], va, pte, 0);
	}
	if (!mfns)
		xb_mcl[n - 1].args[2] = UVMF_TLB_FLUSH | UVMF_ALL;
	xb_hv_stats.hypercalls++;
	if (HYPERVISOR_multicall(xb_mcl, n))
		return n;
	for (i = 0; i < n; i++)
		if (xb_mcl[i].result)
			bad++;
	return bad;
}

/* PV give-back of pages[0..n): returns the number Xen took. */
static unsigned long xb_pv_decrease(unsigned long n, bool *hv_short, int *err)
{
	unsigned long i, bad;
	long rc;

	for (i = 0; i < n; i++)
		xb_frames[i] = pfn_to_mfn(page_to_pfn(xb_pages[i]));
	bad = xb_pv_remap(xb_pages, NULL, n);
	if (bad) {
		/* restore what was unmapped; give nothing this time */
		xb_pv_remap(xb_pages, xb_frames, n);
		pr_err_ratelimited("unmapping %lu of %lu pages failed\n", bad, n);
		*err = -EIO;
		return 0;
	}
	for (i = 0; i < n; i++)
		xb_p2m_set(page_to_pfn(xb_pages[i]), INVALID_P2M_ENTRY);
	rc = xb_memory_op(XENMEM_decrease_reservation, xb_frames, n, 0);
	if (rc < 0) {
		*err = (int)rc;
		rc = 0;
	}
	if ((unsigned long)rc < n) {
		/* Xen kept the rest: put p2m and mappings back */
		*hv_short = true;
		for (i = rc; i < n; i++)
			xb_p2m_set(page_to_pfn(xb_pages[i]), xb_frames[i]);
		xb_pv_remap(xb_pages + rc, xb_frames + rc, n - rc);
	}
	return rc;
}

/* PV take-back of pages[0..n): returns the number populated and mapped. */
static unsigned long xb_pv_populate(unsigned long n)
{
	unsigned long i;
	long rc;

	for (i = 0; i < n; i++)
		xb_frames[i] = page_to_pfn(xb_pages[i]);
	rc = xb_memory_op(XENMEM_populate_physmap, xb_frames, n, 0);
	if (rc <= 0)
		return 0;
	/* Xen wrote the new MFNs into xb_frames and updated the m2p */
	for (i = 0; i < (unsigned long)rc; i++)
		xb_p2m_set(page_to_pfn(xb_pages[i]), xb_frames[i]);
	if (xb_pv_remap(xb_pages, xb_frames, rc))
		pr_err_ratelimited("mapping returned pages failed\n");
	return rc;
}
#else
static unsigned long xb_pv_decrease(unsigned long n, bool *hv_short, int *err)
{
	*err = -EOPNOTSUPP;
	return 0;
}

static unsigned long xb_pv_populate(unsigned long n)
{
	return 0;
}
#endif /* CONFIG_XEN_PV */

/* Auto-translated give-back of pages[0..n) as extents of 2^order pages. */
static unsigned long xb_at_decrease(unsigned long n, unsigned int order,
				    int *err)
{
	unsigned long i;
	long rc;

	for (i = 0; i < n; i++)
		xb_frames[i] = xen_page_to_gfn(xb_pages[i]);
	rc = xb_memory_op(XENMEM_decrease_reservation, xb_frames, n, order);
	if (rc < 0) {
		*err = (int)rc;
		return 0;
	}
	return rc;
}

/*
 * Allocate up to n order-0 pages into xb_pages[0..), in bulk (one pass over
 * the per-CPU lists instead of n allocator calls), then one by one for what
 * the bulk allocator did not fill.
 */
static unsigned long xb_alloc_4k(unsigned long n)
{
	unsigned long i;

	memset(xb_pages, 0, n * sizeof(*xb_pages));
	i = alloc_pages_bulk_array(XB_GFP, n, xb_pages);
	for (; i < n; i++) {
		xb_pages[i] = alloc_page(XB_GFP);
		if (!xb_pages[i])
			break;
	}
	return i;
}

static void xb_free_4k(unsigned long from, unsigned long to)
{
	for (; from < to; from++)
		__free_page(xb_pages[from]);
}

static u64 xb_inflate_2m(u64 nr_pages, int *err)
{
	unsigned long n = 0, i, done;

	while (n < xb_cap && (n + 1) * XB_PAGES_2M <= nr_pages) {
		xb_pages[n] = alloc_pages(XB_GFP, XB_ORDER_2M);
		if (!xb_pages[n])
			break;
		n++;
	}
	if (!n)
		return 0;
	for (i = 0; i < n; i++)
		xb_scrub_pages(xb_pages[i], XB_PAGES_2M);
	done = xb_at_decrease(n, XB_ORDER_2M, err);
	for (i = 0; i < done; i++) {
		list_add(&xb_pages[i]->lru, &xb_list_2m);
		xb_nr_2m++;
	}
	if (done < n) {
		/* Xen did not take 2 MiB extents: use 4 KiB from now on */
		xb_2m_out_ok = false;
		xb_hv_stats.fallbacks_2m++;
		pr_info("2 MiB give-back refused, using 4 KiB extents\n");
		for (i = done; i < n; i++)
			__free_pages(xb_pages[i], XB_ORDER_2M);
	}
	xb_hv_stats.extents_2m_out += done;
	return (u64)done * XB_PAGES_2M;
}

u64 xb_hv_inflate(u64 nr_pages, bool *hv_short, int *err)
{
	unsigned long n, i, done;
	u64 total = 0;

	*hv_short = false;
	*err = 0;
	if (!xb_pv() && xb_use_2m && xb_2m_out_ok &&
	    nr_pages >= XB_PAGES_2M) {
		total = xb_inflate_2m(nr_pages, err);
		nr_pages -= total;
		if (*err || !nr_pages)
			return total;
	}
	n = xb_alloc_4k(min_t(u64, nr_pages, xb_cap));
	if (!n)
		return total;
	for (i = 0; i < n; i++)
		xb_scrub_pages(xb_pages[i], 1);
	if (xb_pv())
		done = xb_pv_decrease(n, hv_short, err);
	else
		done = xb_at_decrease(n, 0, err);
	if (done < n) {
		*hv_short = true;
		xb_hv_stats.short_results++;
		xb_free_4k(done, n);
	}
	for (i = 0; i < done; i++) {
		list_add(&xb_pages[i]->lru, &xb_list_4k);
		xb_nr_4k++;
	}
	return total + done;
}

/* Take back up to n order-0 pages from the 4 KiB list. */
static u64 xb_deflate_4k(u64 nr_pages)
{
	unsigned long n = 0, i, done;
	struct page *page, *tmp;
	long rc;

	list_for_each_entry_safe(page, tmp, &xb_list_4k, lru) {
		if (n >= xb_cap || n >= nr_pages)
			break;
		list_del(&page->lru);
		xb_pages[n++] = page;
	}
	xb_nr_4k -= n;
	if (xb_pv()) {
		done = xb_pv_populate(n);
	} else {
		for (i = 0; i < n; i++)
			xb_frames[i] = xen_page_to_gfn(xb_pages[i]);
		rc = xb_memory_op(XENMEM_populate_physmap, xb_frames, n, 0);
		done = rc > 0 ? rc : 0;
	}
	for (i = 0; i < n; i++) {
		if (i < done) {
			__free_page(xb_pages[i]);
		} else {
			list_add(&xb_pages[i]->lru, &xb_list_4k);
			xb_nr_4k++;
		}
	}
	return done;
}

/* Move one 2 MiB block to the 4 KiB list. */
static void xb_split_one_2m(void)
{
	struct page *page;
	unsigned long i;

	page = list_first_entry(&xb_list_2m, struct page, lru);
	list_del(&page->lru);
	xb_nr_2m--;
	split_page(page, XB_ORDER_2M);
	for (i = 0; i < XB_PAGES_2M; i++)
		list_add(&page[i].lru, &xb_list_4k);
	xb_nr_4k += XB_PAGES_2M;
}

/* Take back up to nr_pages / 512 blocks as 2 MiB extents. */
static u64 xb_deflate_2m(u64 nr_pages)
{
	unsigned long n = 0, i, done;
	struct page *page, *tmp;
	long rc;

	list_for_each_entry_safe(page, tmp, &xb_list_2m, lru) {
		if (n >= xb_cap || (n + 1) * XB_PAGES_2M > nr_pages)
			break;
		list_del(&page->lru);
		xb_pages[n++] = page;
	}
	xb_nr_2m -= n;
	for (i = 0; i < n; i++)
		xb_frames[i] = xen_page_to_gfn(xb_pages[i]);
	rc = xb_memory_op(XENMEM_populate_physmap, xb_frames, n, XB_ORDER_2M);
	done = rc > 0 ? rc : 0;
	for (i = 0; i < n; i++) {
		if (i < done) {
			__free_pages(xb_pages[i], XB_ORDER_2M);
		} else {
			list_add(&xb_pages[i]->lru, &xb_list_2m);
			xb_nr_2m++;
		}
	}
	xb_hv_stats.extents_2m_in += done;
	if (done < n) {
		/* no contiguous 2 MiB in Xen: try this block page by page */
		xb_hv_stats.fallbacks_2m++;
		xb_split_one_2m();
	}
	return (u64)done * XB_PAGES_2M;
}

u64 xb_hv_deflate(u64 nr_pages, bool *refused, int *err)
{
	u64 done = 0, got, asked;

	*err = 0;
	*refused = false;
	/* 4 KiB pages first: they are what 2 MiB failures leave behind */
	if (xb_nr_4k) {
		asked = min3(nr_pages, xb_nr_4k, (u64)xb_cap);
		got = xb_deflate_4k(asked);
		if (got < asked) {
			*refused = true;
			return got;
		}
		done += got;
		nr_pages -= got;
	}
	if (!nr_pages || !xb_nr_2m)
		return done;
	if (nr_pages >= XB_PAGES_2M) {
		got = xb_deflate_2m(nr_pages);
		if (got || !xb_nr_4k)
			return done + got;
		/*
		 * No contiguous 2 MiB in Xen: one block was split, try it page
		 * by page; only a short answer there is a refusal.
		 */
	} else {
		xb_split_one_2m();
	}
	asked = min3(nr_pages, xb_nr_4k, (u64)xb_cap);
	got = xb_deflate_4k(asked);
	if (got < asked)
		*refused = true;
	return done + got;
}

int xb_hv_init(unsigned int batch_pages)
{
	xb_cap = batch_pages;
	xb_frames = kvcalloc(xb_cap, sizeof(*xb_frames), GFP_KERNEL);
	xb_pages = kvcalloc(xb_cap, sizeof(*xb_pages), GFP_KERNEL);
#ifdef CONFIG_XEN_PV
	if (xb_pv())
		xb_mcl = kvcalloc(xb_cap, sizeof(*xb_mcl), GFP_KERNEL);
	if (xb_pv() && !xb_mcl)
		goto nomem;
#endif
	if (!xb_frames || !xb_pages)
		goto nomem;
	return 0;
nomem:
	xb_hv_exit();
	return -ENOMEM;
}

void xb_hv_exit(void)
{
#ifdef CONFIG_XEN_PV
	kvfree(xb_mcl);
	xb_mcl = NULL;
#endif
	kvfree(xb_pages);
	kvfree(xb_frames);
	xb_pages = NULL;
	xb_frames = NULL;
}
