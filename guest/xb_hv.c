// SPDX-License-Identifier: GPL-2.0
/*
 * xballoon: the hypercall site. Gives pages back to Xen
 * (XENMEM_decrease_reservation) and takes them back (XENMEM_populate_physmap),
 * one batch per call, many frames per hypercall.
 *
 * PV: frames are MFNs; the kernel mappings of a whole batch are changed with
 * one mmu_update of the page table entries themselves (one TLB flush for the
 * batch) and the p2m entries are written directly, so a batch costs a few
 * hypercalls instead of one per page. Whole 2 MiB blocks are given (512
 * frames) and taken back (one 2 MiB extent) where they can be.
 * PVH/HVM (auto-translated): frames are PFNs; 2 MiB extents are tried first
 * and 4 KiB extents are the fallback.
 *
 * Every page of a batch ends in one of three places (its fate): with Xen, on
 * the balloon lists (marked offline); with the guest, mapped and backed, freed
 * to the allocator; or, when a mapping or p2m update could be neither made
 * nor undone, on the quarantine list, never used again. No page reaches the
 * allocator unless it is known to have memory and a mapping behind it.
 *
 * Ballooned pages stay allocated to this module. All functions here run
 * under xb.lock.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/gfp.h>
#include <linux/highmem.h>
#include <linux/ktime.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/page-flags.h>
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
/*
 * 2 MiB blocks are only taken when free: no kswapd wake-up, no reclaim, no
 * compaction (as GFP_TRANSHUGE_LIGHT), since 4 KiB pages are the fallback.
 */
#define XB_GFP_2M ((GFP_HIGHUSER | __GFP_NOWARN | __GFP_NOMEMALLOC) & \
		   ~__GFP_RECLAIM)
#define XB_ORDER_2M 9
#define XB_PAGES_2M BIT(XB_ORDER_2M)
#define XB_INJECT_2M_PAGE 256	/* the page XB_INJECT_2M_PARTIAL gives early */

/* Where a page of the batch ends. */
enum xb_fate {
	XB_FATE_OUT,		/* with Xen: on the balloon */
	XB_FATE_IN,		/* the guest's, mapped and backed: to the allocator */
	XB_FATE_LOST,		/* neither: quarantined */
	XB_FATE_TRY,		/* being worked on */
	XB_FATE_UNDO,		/* its last step must be undone */
	XB_FATE_PLACED,		/* placed with its whole 2 MiB block: skip */
};

struct xb_hv_stats xb_hv_stats;

static LIST_HEAD(xb_list_4k);	/* order-0 pages given to Xen */
static LIST_HEAD(xb_list_2m);	/* order-9 blocks given to Xen whole */
static LIST_HEAD(xb_list_q);	/* quarantined pages */
static u64 xb_nr_4k;
static u64 xb_nr_2m;
static u64 xb_nr_q;
static xen_pfn_t *xb_frames;
static struct page **xb_pages;
static u8 *xb_fate;
static unsigned long xb_cap;		/* entries in the arrays above */
/* PV: the 2 MiB blocks of a batch, and how many of each block's pages ... */
static struct page **xb_blk;
static u16 *xb_blk_n;			/* ... ended as the block's fate says */
static unsigned long xb_blk_cap;
static bool xb_2m_out_ok = true;	/* Xen accepted 2 MiB give-back */
/*
 * When the last memory_op returned: the start of what follows it, without
 * another clock read (under an emulated TSC each read traps into Xen).
 */
static u64 xb_hv_end_ns;
#ifdef CONFIG_XEN_PV
static struct mmu_update *xb_mmu;
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
	u64 t0;
	long rc;

	if (!nr)
		return 0;
	set_xen_guest_handle(r.extent_start, frames);
	r.nr_extents = nr;
	xb_hv_stats.hypercalls++;
	t0 = ktime_get_ns();
	rc = HYPERVISOR_memory_op(cmd, &r);
	xb_hv_end_ns = ktime_get_ns();
	xb_hv_stats.hv_ns += xb_hv_end_ns - t0;
	return rc;
}

/* Extents Xen handled (a prefix of frames); *err set on an error code. */
static unsigned long xb_memory_op_done(unsigned int cmd, xen_pfn_t *frames,
				       unsigned long nr, unsigned int order,
				       int *err)
{
	long rc = xb_memory_op(cmd, frames, nr, order);

	if (rc < 0) {
		*err = (int)rc;
		return 0;
	}
	return min_t(unsigned long, rc, nr);
}

u64 xb_hv_current_reservation(void)
{
	domid_t domid = DOMID_SELF;
	long rc;

	rc = HYPERVISOR_memory_op(XENMEM_current_reservation, &domid);
	return rc > 0 ? (u64)rc : 0;
}

/* Xen's max_pages for this domain (maxmem), 0 if unknown */
u64 xb_hv_maximum_reservation(void)
{
	domid_t domid = DOMID_SELF;
	long rc;

	rc = HYPERVISOR_memory_op(XENMEM_maximum_reservation, &domid);
	return rc > 0 ? (u64)rc : 0;
}

u64 xb_hv_balloon_pages(void)
{
	return xb_nr_4k + xb_nr_2m * XB_PAGES_2M;
}

u64 xb_hv_quarantine_pages(void)
{
	return xb_nr_q;
}

/* Ballooned pages are offline: dump tools, kcore, hibernation skip them. */
static void xb_offline(struct page *page, unsigned long nr)
{
	for (; nr; nr--, page++)
		if (!PageOffline(page))
			__SetPageOffline(page);
}

static void xb_online(struct page *page, unsigned long nr)
{
	for (; nr; nr--, page++)
		if (PageOffline(page))
			__ClearPageOffline(page);
}

/*
 * Lab (check_in=1): count the pages Xen handed over that are not all zero,
 * i.e. that still hold another domain's data.
 */
static void xb_check_zero_in(struct page *page, unsigned long nr)
{
	unsigned long i;
	void *p;

	if (!READ_ONCE(xb_check_in))
		return;
	for (i = 0; i < nr; i++) {
		p = kmap_local_page(page + i);
		if (memchr_inv(p, 0, PAGE_SIZE))
			xb_hv_stats.pages_in_dirty++;
		kunmap_local(p);
	}
	xb_hv_stats.pages_in_checked += nr;
}

static void xb_add(struct page *page, struct list_head *list, u64 *nr)
{
	xb_offline(page, 1);
	list_add(&page->lru, list);
	(*nr)++;
}

/*
 * Zero one page that is about to go to Xen. This guest never reads it
 * again, so on x86-64 the zeros bypass the cache (movnti, as glibc's memset
 * does past the cache's size): a give-back of many MiB would otherwise
 * evict the guest's working set for nothing. The stores are weakly
 * ordered: xb_scrub_fence() must run before the page leaves.
 */
static void xb_clear_page(struct page *page)
{
#ifdef CONFIG_X86_64
	char *p = page_address(page), *end = p + PAGE_SIZE;

	for (; p < end; p += 64)
		asm volatile("movnti %1, 0(%0)\n\tmovnti %1, 8(%0)\n\t"
			     "movnti %1, 16(%0)\n\tmovnti %1, 24(%0)\n\t"
			     "movnti %1, 32(%0)\n\tmovnti %1, 40(%0)\n\t"
			     "movnti %1, 48(%0)\n\tmovnti %1, 56(%0)"
			     : : "r" (p), "r" (0UL) : "memory");
#else
	clear_highpage(page);
#endif
}

/* The zeros of xb_clear_page() are visible to all before Xen gets the page. */
static void xb_scrub_fence(void)
{
	wmb();	/* sfence on x86-64: orders the non-temporal stores */
}

/* Zero pages before Xen gets them, unless the kernel already did. */
static void xb_scrub_pages(struct page *page, unsigned long nr)
{
	unsigned long i;

	if (xb.core.scrub != XB_SCRUB_ZERO)
		return;
	for (i = 0; i < nr; i++)
		xb_clear_page(page + i);
	xb_hv_stats.pages_scrubbed += nr;
}

/*
 * Move the entries of xb_pages/xb_frames/xb_fate[0..n) whose fate is f to
 * the front; returns how many there are.
 */
static unsigned long xb_partition(unsigned long n, u8 f)
{
	unsigned long i, k = 0;

	for (i = 0; i < n; i++) {
		if (xb_fate[i] != f)
			continue;
		if (i != k) {
			swap(xb_pages[i], xb_pages[k]);
			swap(xb_frames[i], xb_frames[k]);
			swap(xb_fate[i], xb_fate[k]);
		}
		k++;
	}
	return k;
}

static void xb_set_fate(unsigned long from, unsigned long to, u8 f)
{
	memset(xb_fate + from, f, to - from);
}

/*
 * Put each page of xb_pages[0..n) where its fate says and count them:
 * OUT on the 4 KiB balloon list, IN to the allocator, LOST in quarantine.
 */
static void xb_dispose_4k(unsigned long n, u64 *out, u64 *in, u64 *lost)
{
	u64 t0 = ktime_get_ns();
	unsigned long i;

	for (i = 0; i < n; i++) {
		struct page *page = xb_pages[i];

		switch (xb_fate[i]) {
		case XB_FATE_OUT:
			xb_add(page, &xb_list_4k, &xb_nr_4k);
			(*out)++;
			break;
		case XB_FATE_IN:
			xb_check_zero_in(page, 1);
			xb_online(page, 1);
			__free_page(page);
			(*in)++;
			break;
		case XB_FATE_PLACED:
			break;
		default:
			xb_add(page, &xb_list_q, &xb_nr_q);
			(*lost)++;
			break;
		}
	}
	xb_hv_stats.dispose_ns += ktime_get_ns() - t0;
}

/*
 * The end of a give-back of xb_pages[0..n), OUT pages already placed: place
 * the rest and count the batch into r (short if Xen kept any).
 */
static void xb_inflate_done(unsigned long n, u64 out, struct xb_hv_result *r)
{
	u64 in = 0, lost = 0;

	xb_dispose_4k(n, &out, &in, &lost);
	if (out < n - lost) {
		r->hv_short = true;
		xb_hv_stats.short_results++;
	}
	r->done += out;
	r->lost += lost;
}

#ifdef CONFIG_XEN_PV
static bool xb_p2m_write(unsigned long pfn, unsigned long mfn)
{
	return pfn < xen_p2m_size &&
		!xen_safe_write_ulong(xen_p2m_addr + pfn, mfn);
}

/*
 * Set a p2m entry. The direct write fails where the p2m page is a shared
 * read-only one (all missing or identity): then a p2m page is allocated for
 * pfn (xen_alloc_p2m_entry, as set_phys_to_machine does) and written.
 */
static bool xb_p2m_set(unsigned long pfn, unsigned long mfn)
{
	if (xb_p2m_write(pfn, mfn) || __pfn_to_mfn(pfn) == mfn)
		return true;
	if (pfn >= xen_p2m_size || xen_alloc_p2m_entry(pfn))
		return false;
	return xb_p2m_write(pfn, mfn);
}

/* Is the page's direct mapping present, and to mfn (map) or absent (unmap)? */
static bool xb_pv_mapped_as(struct page *page, unsigned long mfn, bool map)
{
	unsigned int level;
	pte_t *ptep;

	ptep = lookup_address((unsigned long)page_address(page), &level);
	if (!ptep || level != PG_LEVEL_4K)
		return false;
	if (!map)
		return !pte_present(*ptep);
	return pte_present(*ptep) && pte_mfn(*ptep) == mfn;
}

/*
 * The machine address of the page table entry that maps xb_pages[i] in the
 * kernel's direct map, or 0. PREV is entry i - 1's: the next page's entry
 * follows it in the same table unless a 2 MiB boundary starts a new one, so
 * a 2 MiB block costs one page table walk, not 512.
 */
static u64 xb_pte_maddr(unsigned long i, u64 prev)
{
	unsigned long va = (unsigned long)page_address(xb_pages[i]);
	unsigned int level;
	pte_t *ptep;

	if (i && prev && (va & (PMD_SIZE - 1)) &&
	    page_to_pfn(xb_pages[i]) == page_to_pfn(xb_pages[i - 1]) + 1)
		return prev + sizeof(pte_t);
	ptep = lookup_address(va, &level);
	if (!ptep || level != PG_LEVEL_4K)
		return 0;
	return arbitrary_virt_to_machine(ptep).maddr;
}

/*
 * Map (map: to xb_frames[i]) or unmap the kernel's direct mapping of
 * xb_pages[0..n) with mmu_update requests on the page table entries: Xen
 * checks and applies them in order and stops at the first it refuses,
 * saying how many it applied; the rest are sent again. An unmap ends with
 * one flush of all TLBs. Entries that did not take effect get the fate
 * fail.
 */
static void xb_pv_remap(unsigned long n, bool map, u8 fail)
{
	unsigned long i, end;
	unsigned int done;
	u64 maddr = 0, t0;
	int rc;

	if (!n)
		return;
	for (i = 0; i < n; i++) {
		maddr = xb_pte_maddr(i, maddr);
		xb_mmu[i].ptr = maddr | MMU_NORMAL_PT_UPDATE;
		xb_mmu[i].val = map ?
			pte_val_ma(mfn_pte(xb_frames[i], PAGE_KERNEL)) : 0;
	}
	if (map && (xb_inject & XB_INJECT_PV_MAP) && xb_mmu[0].ptr) {
		/*
		 * lab: map the page writable onto its own page-table page, which
		 * Xen refuses (a page table is never writable in a PV guest)
		 */
		xb_inject &= ~XB_INJECT_PV_MAP;
		xb_mmu[0].val = pte_val_ma(mfn_pte(PFN_DOWN(xb_mmu[0].ptr),
						   PAGE_KERNEL));
	}
	t0 = ktime_get_ns();
	for (i = 0; i < n;) {
		if (!xb_mmu[i].ptr) {
			/* no 4 KiB mapping to change */
			xb_fate[i++] = fail;
			xb_hv_stats.map_failures++;
			continue;
		}
		for (end = i; end < n && xb_mmu[end].ptr; end++)
			;
		while (i < end) {
			done = 0;
			xb_hv_stats.hypercalls++;
			rc = HYPERVISOR_mmu_update(xb_mmu + i, end - i, &done,
						   DOMID_SELF);
			if (!rc)
				break;
			if (done >= end - i) {
				/* an error with all applied: ask the tables */
				for (; i < end; i++)
					if (!xb_pv_mapped_as(xb_pages[i],
							     xb_frames[i], map)) {
						xb_fate[i] = fail;
						xb_hv_stats.map_failures++;
					}
				break;
			}
			/* [i, i + done) applied, i + done refused */
			i += done;
			xb_fate[i++] = fail;
			xb_hv_stats.map_failures++;
		}
		i = end;
	}
	if (!map) {
		struct mmuext_op op = { .cmd = MMUEXT_TLB_FLUSH_ALL };

		xb_hv_stats.hypercalls++;
		HYPERVISOR_mmuext_op(&op, 1, NULL, DOMID_SELF);
	}
	t0 = ktime_get_ns() - t0;
	xb_hv_stats.hv_ns += t0;
	xb_hv_stats.map_ns += t0;
}

/*
 * PV give-back of xb_pages[0..n). Unmapped pages have their p2m entry
 * invalidated and go to Xen; a page that could not be unmapped stays the
 * guest's; what Xen does not take gets its p2m entry and mapping back, and
 * any of these steps that cannot be made or undone quarantines the page.
 */
static void xb_pv_decrease(unsigned long n, struct xb_hv_result *r)
{
	u64 failures = xb_hv_stats.map_failures;
	unsigned long i, k, rc;

	for (i = 0; i < n; i++)
		xb_frames[i] = pfn_to_mfn(page_to_pfn(xb_pages[i]));
	xb_set_fate(0, n, XB_FATE_TRY);
	xb_pv_remap(n, false, XB_FATE_IN);	/* still mapped: keep it */
	for (i = 0; i < n; i++)
		if (xb_fate[i] == XB_FATE_TRY &&
		    !xb_p2m_set(page_to_pfn(xb_pages[i]), INVALID_P2M_ENTRY)) {
			xb_hv_stats.map_failures++;
			xb_fate[i] = XB_FATE_UNDO;	/* map it again */
		}
	k = xb_partition(n, XB_FATE_TRY);
	rc = xb_memory_op_done(XENMEM_decrease_reservation, xb_frames, k, 0,
			       &r->err);
	xb_set_fate(0, rc, XB_FATE_OUT);
	if (rc < k) {
		/* Xen kept the rest: p2m entries and mappings back */
		r->hv_short = true;
		for (i = rc; i < k; i++)
			xb_fate[i] = xb_p2m_set(page_to_pfn(xb_pages[i]),
						xb_frames[i]) ?
				XB_FATE_UNDO : XB_FATE_LOST;
	}
	k = xb_partition(n, XB_FATE_UNDO);
	xb_pv_remap(k, true, XB_FATE_LOST);
	for (i = 0; i < k; i++)
		if (xb_fate[i] == XB_FATE_UNDO)
			xb_fate[i] = XB_FATE_IN;
	if (xb_hv_stats.map_failures != failures) {
		pr_err_ratelimited("unmapping or restoring %llu pages failed: kept or quarantined\n",
				   xb_hv_stats.map_failures - failures);
		if (!r->err)
			r->err = -EIO;
	}
}

/*
 * Xen backed xb_pages[0..rc) of n with the MFNs in xb_frames[0..rc) (and
 * updated the m2p): write their p2m entries and map them.
 */
static void xb_pv_install(unsigned long n, unsigned long rc,
			  struct xb_hv_result *r)
{
	unsigned long i, k;
	u64 failures = xb_hv_stats.map_failures;

	xb_set_fate(0, n, XB_FATE_OUT);
	xb_set_fate(0, rc, XB_FATE_TRY);
	for (i = 0; i < rc; i++)
		if (!xb_p2m_set(page_to_pfn(xb_pages[i]), xb_frames[i])) {
			xb_hv_stats.map_failures++;
			xb_fate[i] = XB_FATE_UNDO;
		}
	k = xb_partition(n, XB_FATE_TRY);
	xb_pv_remap(k, true, XB_FATE_UNDO);
	for (i = 0; i < k; i++) {
		if (xb_fate[i] == XB_FATE_TRY)
			xb_fate[i] = XB_FATE_IN;
		else if (!xb_p2m_set(page_to_pfn(xb_pages[i]),
				     INVALID_P2M_ENTRY))
			xb_fate[i] = XB_FATE_LOST;	/* backed, not mapped */
	}
	/* give back what cannot be used: it stays ballooned */
	k = xb_partition(n, XB_FATE_UNDO);
	rc = xb_memory_op_done(XENMEM_decrease_reservation, xb_frames, k, 0,
			       &r->err);
	xb_set_fate(0, rc, XB_FATE_OUT);
	xb_set_fate(rc, k, XB_FATE_LOST);
	if (xb_hv_stats.map_failures != failures) {
		pr_err_ratelimited("mapping %llu returned pages failed: given back to Xen or quarantined\n",
				   xb_hv_stats.map_failures - failures);
		if (!r->err)
			r->err = -EIO;
	}
}

/*
 * PV take-back of xb_pages[0..n): populate, write the p2m entries, map. A
 * page whose p2m entry or mapping cannot be made is given straight back to
 * Xen (it stays ballooned); if even that fails it is quarantined.
 */
static void xb_pv_populate(unsigned long n, struct xb_hv_result *r)
{
	unsigned long i, rc;

	for (i = 0; i < n; i++)
		xb_frames[i] = page_to_pfn(xb_pages[i]);
	rc = xb_memory_op_done(XENMEM_populate_physmap, xb_frames, n, 0,
			       &r->err);
	r->hv_short = rc < n;
	xb_pv_install(n, rc, r);
}

static void xb_split_one_2m(void);

/* The block of xb_blk[0..nb) that page is in. */
static unsigned long xb_block_of(struct page *page, unsigned long nb)
{
	unsigned long b;

	for (b = 0; b < nb; b++)
		if (page >= xb_blk[b] && page < xb_blk[b] + XB_PAGES_2M)
			return b;
	WARN_ON_ONCE(1);
	return 0;
}

/*
 * Count in xb_blk_n[b] the pages of block b among xb_pages[0..n) whose fate
 * is f. A block whose 512 pages all have it stays whole, for the caller to
 * place: its pages get XB_FATE_PLACED. Any other block is split, for
 * xb_dispose_4k to place page by page.
 */
static void xb_blocks_sort(unsigned long nb, unsigned long n, u8 f)
{
	unsigned long i, b;

	/* the usual case, every page has fate f: no page-to-block lookups */
	for (i = 0; i < n && xb_fate[i] == f; i++)
		;
	if (i == n && n == nb * XB_PAGES_2M) {
		for (b = 0; b < nb; b++)
			xb_blk_n[b] = XB_PAGES_2M;
		xb_set_fate(0, n, XB_FATE_PLACED);
		return;
	}
	memset(xb_blk_n, 0, nb * sizeof(*xb_blk_n));
	for (i = 0; i < n; i++)
		if (xb_fate[i] == f)
			xb_blk_n[xb_block_of(xb_pages[i], nb)]++;
	for (i = 0; i < n; i++)
		if (xb_blk_n[xb_block_of(xb_pages[i], nb)] == XB_PAGES_2M)
			xb_fate[i] = XB_FATE_PLACED;
	for (b = 0; b < nb; b++)
		if (xb_blk_n[b] != XB_PAGES_2M)
			split_page(xb_blk[b], XB_ORDER_2M);
}

/*
 * PV give-back of whole 2 MiB blocks while at least 2 MiB is asked for: one
 * allocator call per block, zeroed, given to Xen as 512 order-0 frames (a
 * PV guest's machine frames are not contiguous). A block whose pages all
 * went stays whole on the 2 MiB list, so that take-back can ask Xen for a
 * 2 MiB extent and free it at once; a block with a page kept or lost is
 * split and each page placed as its fate says.
 */
static void xb_pv_inflate_2m(u64 nr_pages, struct xb_hv_result *r)
{
	unsigned long nb = 0, n, i, b;
	u64 out = 0, t0 = ktime_get_ns();

	nr_pages = min_t(u64, nr_pages, xb_cap);
	while (nb < xb_blk_cap && (nb + 1) * XB_PAGES_2M <= nr_pages) {
		xb_blk[nb] = alloc_pages(XB_GFP_2M, XB_ORDER_2M);
		if (!xb_blk[nb]) {
			/* no free 2 MiB block: the rest in 4 KiB pages */
			xb_hv_stats.fallbacks_2m++;
			break;
		}
		nb++;
	}
	xb_hv_stats.alloc_ns += ktime_get_ns() - t0;
	if (!nb)
		return;
	t0 = ktime_get_ns();
	for (b = 0; b < nb; b++) {
		xb_scrub_pages(xb_blk[b], XB_PAGES_2M);
		for (i = 0; i < XB_PAGES_2M; i++)
			xb_pages[b * XB_PAGES_2M + i] = xb_blk[b] + i;
	}
	xb_scrub_fence();
	xb_hv_stats.scrub_ns += ktime_get_ns() - t0;
	n = nb * XB_PAGES_2M;
	xb_pv_decrease(n, r);
	xb_blocks_sort(nb, n, XB_FATE_OUT);
	for (b = 0; b < nb; b++) {
		if (xb_blk_n[b] != XB_PAGES_2M)
			continue;
		xb_add(xb_blk[b], &xb_list_2m, &xb_nr_2m);
		xb_offline(xb_blk[b], XB_PAGES_2M);
		out += XB_PAGES_2M;
		xb_hv_stats.extents_2m_out++;
	}
	xb_inflate_done(n, out, r);
}

/*
 * PV take-back of whole 2 MiB blocks as 2 MiB extents: Xen backs each with
 * 512 contiguous machine frames; their p2m entries are written and they
 * are mapped as for 4 KiB pages. A block whose pages are all usable goes
 * to the allocator at once; from any other block, what could not be
 * mapped goes back to Xen (or quarantine) page by page (xb_pv_install).
 * Returns the pages taken back; if Xen has no 2 MiB extent, one block is
 * split for the 4 KiB path.
 */
static u64 xb_pv_deflate_2m(u64 nr_pages, struct xb_hv_result *r)
{
	unsigned long nb = 0, n, i, b, done;
	u64 out = 0, in = 0, lost = 0, t0;
	struct page *page, *tmp;

	nr_pages = min_t(u64, nr_pages, xb_cap);
	list_for_each_entry_safe(page, tmp, &xb_list_2m, lru) {
		if (nb >= xb_blk_cap || (nb + 1) * XB_PAGES_2M > nr_pages)
			break;
		list_del(&page->lru);
		xb_blk[nb] = page;
		xb_frames[nb++] = page_to_pfn(page);
	}
	xb_nr_2m -= nb;
	done = xb_memory_op_done(XENMEM_populate_physmap, xb_frames, nb,
				 XB_ORDER_2M, &r->err);
	for (b = done; b < nb; b++) {
		list_add(&xb_blk[b]->lru, &xb_list_2m);
		xb_nr_2m++;
	}
	/*
	 * xb_frames[b] is block b's first MFN: spread from the last block
	 * down, so that each is read before a lower block's frames cover it
	 */
	for (b = done; b-- > 0;) {
		unsigned long mfn = xb_frames[b];

		for (i = XB_PAGES_2M; i-- > 0;) {
			xb_pages[b * XB_PAGES_2M + i] = xb_blk[b] + i;
			xb_frames[b * XB_PAGES_2M + i] = mfn + i;
		}
	}
	n = done * XB_PAGES_2M;
	xb_pv_install(n, n, r);
	xb_blocks_sort(done, n, XB_FATE_IN);
	t0 = ktime_get_ns();
	for (b = 0; b < done; b++) {
		if (xb_blk_n[b] != XB_PAGES_2M)
			continue;
		xb_check_zero_in(xb_blk[b], XB_PAGES_2M);
		xb_online(xb_blk[b], XB_PAGES_2M);
		__free_pages(xb_blk[b], XB_ORDER_2M);
		in += XB_PAGES_2M;
	}
	xb_hv_stats.dispose_ns += ktime_get_ns() - t0;
	xb_dispose_4k(n, &out, &in, &lost);
	r->done += in;
	r->lost += lost;
	xb_hv_stats.extents_2m_in += done;
	if (done < nb) {
		/* no contiguous 2 MiB in Xen: try one block page by page */
		xb_hv_stats.fallbacks_2m++;
		xb_split_one_2m();
	}
	return in;
}
#else
static void xb_pv_decrease(unsigned long n, struct xb_hv_result *r)
{
	xb_set_fate(0, n, XB_FATE_IN);
	r->err = -EOPNOTSUPP;
}

static void xb_pv_populate(unsigned long n, struct xb_hv_result *r)
{
	xb_set_fate(0, n, XB_FATE_OUT);
	r->hv_short = true;
	r->err = -EOPNOTSUPP;
}

static void xb_pv_inflate_2m(u64 nr_pages, struct xb_hv_result *r)
{
	r->err = -EOPNOTSUPP;
}

static u64 xb_pv_deflate_2m(u64 nr_pages, struct xb_hv_result *r)
{
	r->err = -EOPNOTSUPP;
	return 0;
}
#endif /* CONFIG_XEN_PV */

/* Auto-translated give-back of xb_pages[0..n) at order 0. */
static void xb_at_decrease(unsigned long n, struct xb_hv_result *r)
{
	unsigned long i, rc;

	for (i = 0; i < n; i++)
		xb_frames[i] = xen_page_to_gfn(xb_pages[i]);
	rc = xb_memory_op_done(XENMEM_decrease_reservation, xb_frames, n, 0,
			       &r->err);
	/* Xen removes the frames in order and stops at the first it cannot */
	xb_set_fate(0, rc, XB_FATE_OUT);
	xb_set_fate(rc, n, XB_FATE_IN);
}

/*
 * Allocate up to n order-0 pages into xb_pages[0..), in bulk (one pass over
 * the per-CPU lists instead of n allocator calls), then one by one for what
 * the bulk allocator did not fill.
 */
static unsigned long xb_alloc_4k(unsigned long n)
{
	u64 t0 = ktime_get_ns();
	unsigned long i;

	memset(xb_pages, 0, n * sizeof(*xb_pages));
	i = alloc_pages_bulk_array(XB_GFP, n, xb_pages);
	for (; i < n; i++) {
		xb_pages[i] = alloc_page(XB_GFP);
		if (!xb_pages[i])
			break;
	}
	xb_hv_stats.alloc_ns += ktime_get_ns() - t0;
	return i;
}

/*
 * A 2 MiB block that Xen stopped inside: pages below the stop are gone, the
 * rest are not, and Xen does not say where. Split it and settle it at order
 * 0 (xb_settle in the core): what Xen takes now or took before goes on the
 * 4 KiB list, what it refuses and is known to be populated goes back to the
 * allocator, and the one page that cannot be told is quarantined.
 */
static void xb_settle_2m(struct page *block, struct xb_hv_result *r)
{
	struct xb_settle s;
	unsigned long i;
	u32 first, count;
	int err = 0;

	split_page(block, XB_ORDER_2M);
	xb_settle_init(&s, XB_PAGES_2M);
	while (xb_settle_next(&s, &first, &count)) {
		for (i = 0; i < count; i++)
			xb_frames[i] = xen_page_to_gfn(block + first - i);
		xb_settle_result(&s, xb_memory_op_done(XENMEM_decrease_reservation,
						       xb_frames, count, 0,
						       &err));
	}
	for (i = 0; i < XB_PAGES_2M; i++) {
		switch (xb_settle_fate(&s, i)) {
		case XB_SETTLE_GIVEN:
			xb_add(block + i, &xb_list_4k, &xb_nr_4k);
			r->done++;
			break;
		case XB_SETTLE_KEPT:
			xb_online(block + i, 1);
			__free_page(block + i);
			break;
		default:
			xb_add(block + i, &xb_list_q, &xb_nr_q);
			r->lost++;
			break;
		}
	}
	xb_hv_stats.settled_2m++;
	pr_warn_ratelimited("Xen stopped inside a 2 MiB extent: settled page by page, %llu pages quarantined\n",
			    xb_nr_q);
}

/* Give back whole 2 MiB blocks while at least 2 MiB is asked for. */
static void xb_inflate_2m(u64 nr_pages, struct xb_hv_result *r)
{
	unsigned long n = 0, i, done;
	u64 t0 = ktime_get_ns();

	while (n < xb_cap && (n + 1) * XB_PAGES_2M <= nr_pages) {
		xb_pages[n] = alloc_pages(XB_GFP_2M, XB_ORDER_2M);
		if (!xb_pages[n]) {
			/* no free 2 MiB block: the rest in 4 KiB pages */
			xb_hv_stats.fallbacks_2m++;
			break;
		}
		n++;
	}
	xb_hv_stats.alloc_ns += ktime_get_ns() - t0;
	if (!n)
		return;
	t0 = ktime_get_ns();
	for (i = 0; i < n; i++) {
		xb_scrub_pages(xb_pages[i], XB_PAGES_2M);
		xb_frames[i] = xen_page_to_gfn(xb_pages[i]);
	}
	xb_scrub_fence();
	xb_hv_stats.scrub_ns += ktime_get_ns() - t0;
	if (xb_inject & XB_INJECT_2M_PARTIAL) {
		/* lab: one page of the first block goes first, alone */
		xb_inject &= ~XB_INJECT_2M_PARTIAL;
		xb_frames[n] = xen_page_to_gfn(xb_pages[0] + XB_INJECT_2M_PAGE);
		if (xb_memory_op(XENMEM_decrease_reservation, xb_frames + n,
				 1, 0) != 1)
			pr_warn("inject: page not given early\n");
	}
	done = xb_memory_op_done(XENMEM_decrease_reservation, xb_frames, n,
				 XB_ORDER_2M, &r->err);
	for (i = 0; i < done; i++) {
		xb_add(xb_pages[i], &xb_list_2m, &xb_nr_2m);
		xb_offline(xb_pages[i], XB_PAGES_2M);
	}
	r->done += (u64)done * XB_PAGES_2M;
	xb_hv_stats.extents_2m_out += done;
	if (done < n) {
		/* Xen may have stopped inside block done: settle it */
		xb_settle_2m(xb_pages[done], r);
		/* 2 MiB extents did not work: 4 KiB from now on */
		xb_2m_out_ok = false;
		xb_hv_stats.fallbacks_2m++;
		pr_info("2 MiB give-back stopped, using 4 KiB extents\n");
		/* the blocks after it were not touched */
		for (i = done + 1; i < n; i++)
			__free_pages(xb_pages[i], XB_ORDER_2M);
	}
}

void xb_hv_inflate(u64 nr_pages, struct xb_hv_result *r)
{
	unsigned long n, i;
	u64 t0;

	*r = (struct xb_hv_result){ 0 };
	if (xb_pv() && xb_use_2m && xb_blk_cap && nr_pages >= XB_PAGES_2M) {
		xb_pv_inflate_2m(nr_pages, r);
		nr_pages -= min(nr_pages, r->done + r->lost);
		if (r->err || r->lost || r->hv_short || !nr_pages)
			return;
	} else if (!xb_pv() && xb_use_2m && xb_2m_out_ok &&
		   nr_pages >= XB_PAGES_2M) {
		xb_inflate_2m(nr_pages, r);
		nr_pages -= min(nr_pages, r->done + r->lost);
		if (r->err || r->lost || !nr_pages)
			return;
	}
	n = xb_alloc_4k(min_t(u64, nr_pages, xb_cap));
	if (!n)
		return;
	t0 = ktime_get_ns();
	for (i = 0; i < n; i++)
		xb_scrub_pages(xb_pages[i], 1);
	xb_scrub_fence();
	xb_hv_stats.scrub_ns += ktime_get_ns() - t0;
	if (xb_pv())
		xb_pv_decrease(n, r);
	else
		xb_at_decrease(n, r);
	xb_inflate_done(n, 0, r);
}

/* Take back up to n order-0 pages from the 4 KiB list. */
static void xb_deflate_4k(u64 nr_pages, struct xb_hv_result *r)
{
	u64 out = 0, in = 0, lost = 0;
	struct page *page, *tmp;
	unsigned long n = 0, i, rc;

	list_for_each_entry_safe(page, tmp, &xb_list_4k, lru) {
		if (n >= xb_cap || n >= nr_pages)
			break;
		list_del(&page->lru);
		xb_pages[n++] = page;
	}
	xb_nr_4k -= n;
	if (xb_pv()) {
		xb_pv_populate(n, r);
	} else {
		for (i = 0; i < n; i++)
			xb_frames[i] = xen_page_to_gfn(xb_pages[i]);
		rc = xb_memory_op_done(XENMEM_populate_physmap, xb_frames, n,
				       0, &r->err);
		r->hv_short = rc < n;
		xb_set_fate(0, rc, XB_FATE_IN);
		xb_set_fate(rc, n, XB_FATE_OUT);
	}
	xb_dispose_4k(n, &out, &in, &lost);
	r->done += in;
	r->lost += lost;
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
static u64 xb_deflate_2m(u64 nr_pages, int *err)
{
	unsigned long n = 0, i, done;
	struct page *page, *tmp;
	u64 t0;

	list_for_each_entry_safe(page, tmp, &xb_list_2m, lru) {
		if (n >= xb_cap || (n + 1) * XB_PAGES_2M > nr_pages)
			break;
		list_del(&page->lru);
		xb_pages[n++] = page;
	}
	if (!n)
		return 0;
	xb_nr_2m -= n;
	for (i = 0; i < n; i++)
		xb_frames[i] = xen_page_to_gfn(xb_pages[i]);
	done = xb_memory_op_done(XENMEM_populate_physmap, xb_frames, n,
				 XB_ORDER_2M, err);
	t0 = xb_hv_end_ns;
	for (i = 0; i < n; i++) {
		if (i < done) {
			xb_check_zero_in(xb_pages[i], XB_PAGES_2M);
			xb_online(xb_pages[i], XB_PAGES_2M);
			__free_pages(xb_pages[i], XB_ORDER_2M);
		} else {
			list_add(&xb_pages[i]->lru, &xb_list_2m);
			xb_nr_2m++;
		}
	}
	xb_hv_stats.dispose_ns += ktime_get_ns() - t0;
	xb_hv_stats.extents_2m_in += done;
	if (done < n) {
		/* no contiguous 2 MiB in Xen: try this block page by page */
		xb_hv_stats.fallbacks_2m++;
		xb_split_one_2m();
	}
	return (u64)done * XB_PAGES_2M;
}

void xb_hv_deflate(u64 nr_pages, struct xb_hv_result *r)
{
	u64 got, asked;

	*r = (struct xb_hv_result){ 0 };
	/* 4 KiB pages first: they are what 2 MiB failures leave behind */
	if (xb_nr_4k) {
		asked = min3(nr_pages, xb_nr_4k, (u64)xb_cap);
		xb_deflate_4k(asked, r);
		if (r->hv_short || r->err)
			return;
		nr_pages -= asked;
	}
	if (!nr_pages || !xb_nr_2m)
		return;
	if (nr_pages >= XB_PAGES_2M && xb_pv() && xb_blk_cap) {
		got = xb_pv_deflate_2m(nr_pages, r);
		if (got || r->err || r->lost || !xb_nr_4k)
			return;
	} else if (nr_pages >= XB_PAGES_2M && !xb_pv()) {
		got = xb_deflate_2m(nr_pages, &r->err);
		r->done += got;
		if (got || !xb_nr_4k)
			return;
		/*
		 * No contiguous 2 MiB in Xen: one block was split, try it page
		 * by page; only a short answer there is a refusal.
		 */
	} else {
		xb_split_one_2m();
	}
	asked = min3(nr_pages, xb_nr_4k, (u64)xb_cap);
	xb_deflate_4k(asked, r);
}

/*
 * Unpopulated pages this driver now owns (claimed from Linux's balloon.c by
 * xb_grow.c): onto the 4 KiB balloon, taken back like any other.
 */
void xb_hv_adopt(struct page **pages, unsigned long n)
{
	unsigned long i;

	for (i = 0; i < n; i++)
		xb_add(pages[i], &xb_list_4k, &xb_nr_4k);
}

/* Unload with pages held: unlink them from the module's lists, leave them. */
void xb_hv_abandon(void)
{
	struct list_head *lists[] = { &xb_list_4k, &xb_list_2m, &xb_list_q };
	struct page *page, *tmp;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(lists); i++)
		list_for_each_entry_safe(page, tmp, lists[i], lru)
			list_del_init(&page->lru);
	xb_nr_4k = 0;
	xb_nr_2m = 0;
	xb_nr_q = 0;
}

int xb_hv_init(unsigned int batch_pages)
{
	xb_cap = batch_pages;
	/* one spare frame: the lab's fault injection */
	xb_frames = kvcalloc(xb_cap + 1, sizeof(*xb_frames), GFP_KERNEL);
	xb_pages = kvcalloc(xb_cap, sizeof(*xb_pages), GFP_KERNEL);
	xb_fate = kvcalloc(xb_cap, sizeof(*xb_fate), GFP_KERNEL);
#ifdef CONFIG_XEN_PV
	if (xb_pv()) {
		xb_mmu = kvcalloc(xb_cap, sizeof(*xb_mmu), GFP_KERNEL);
		if (!xb_mmu)
			goto nomem;
		xb_blk_cap = xb_cap / XB_PAGES_2M;
		if (xb_blk_cap) {
			xb_blk = kcalloc(xb_blk_cap, sizeof(*xb_blk), GFP_KERNEL);
			xb_blk_n = kcalloc(xb_blk_cap, sizeof(*xb_blk_n),
					   GFP_KERNEL);
			if (!xb_blk || !xb_blk_n)
				goto nomem;
		}
	}
#endif
	if (!xb_frames || !xb_pages || !xb_fate)
		goto nomem;
	return 0;
nomem:
	xb_hv_exit();
	return -ENOMEM;
}

void xb_hv_exit(void)
{
#ifdef CONFIG_XEN_PV
	kvfree(xb_mmu);
	xb_mmu = NULL;
#endif
	kfree(xb_blk);
	kfree(xb_blk_n);
	xb_blk = NULL;
	xb_blk_n = NULL;
	xb_blk_cap = 0;
	kvfree(xb_fate);
	kvfree(xb_pages);
	kvfree(xb_frames);
	xb_fate = NULL;
	xb_pages = NULL;
	xb_frames = NULL;
}
