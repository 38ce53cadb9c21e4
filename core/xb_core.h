/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xballoon core: balloon arithmetic and state machine.
 *
 * Freestanding C: no allocation, no clock, no locking. The caller (the kernel
 * module, or a unit test) owns a struct xb_core, serialises calls on it, and
 * passes in what the core cannot see itself (time in ms, available memory).
 *
 * Units: every quantity is either *_kb (KiB) or *_pages (4 KiB pages) and is
 * converted once, by xb_kb_to_pages() / xb_pages_to_kb().
 *
 * Frame of reference: all page counts here are in the frame of
 * memory/target, i.e. the guest's own page count plus target_diff (which is
 * non-zero only on HVM/PVH, exactly as in Linux's balloon driver).
 * "current" = total_pages - balloon_pages.
 */
#ifndef XB_CORE_H
#define XB_CORE_H

#include "xb_compat.h"

#define XB_PAGE_KB 4u
#define XB_MAX_TARGET_KB 0x40000000000ull	/* 4 PiB: larger is a bad target */
#define XB_TARGET_MAX_DIGITS 20
#define XB_REPORT_MAX 1024		/* bytes, as docs/xenstore-keys.md */

static inline u64 xb_kb_to_pages(u64 kb)
{
	return kb / XB_PAGE_KB;
}

static inline u64 xb_pages_to_kb(u64 pages)
{
	return pages * XB_PAGE_KB;
}

enum xb_state {
	XB_STATE_IDLE,
	XB_STATE_INFLATING,	/* giving memory back to Xen */
	XB_STATE_DEFLATING,	/* taking memory back from Xen */
	XB_STATE_AT_FLOOR,	/* target below the floor: stopped at the floor */
	XB_STATE_REFUSED,	/* Xen refused or returned short: backing off */
	XB_STATE_OOM_DEFLATED,	/* guest pressure took memory from the balloon */
	XB_STATE_ERROR,		/* hypercall failed outright */
	XB_STATE_COUNT
};

enum xb_err {
	XB_ERR_NONE,
	XB_ERR_BAD_TARGET,	/* target not a number / out of range */
	XB_ERR_BELOW_FLOOR,	/* target below floor: floor applied */
	XB_ERR_HV_SHORT,	/* decrease_reservation did fewer extents */
	XB_ERR_HV_REFUSED,	/* populate_physmap refused (host has no memory) */
	XB_ERR_NOMEM,		/* guest has no memory to give back */
	XB_ERR_COUNT
};

/*
 * How pages given to Xen are cleared of the guest's data. Xen does not scrub
 * what a live domain frees (free_domheap_pages scrubs only for a dying
 * domain or with scrub_domheap): the next domain gets the page as it is.
 */
enum xb_scrub {
	XB_SCRUB_OFF,		/* scrub=0: as they are (host has scrub_domheap) */
	XB_SCRUB_ZERO,		/* the driver zeroes every page */
	XB_SCRUB_INIT_ON_FREE,	/* the kernel zeroed it when it was freed */
	XB_SCRUB_INIT_ON_ALLOC,	/* the kernel zeroed it when it was allocated */
	XB_SCRUB_LINUX,		/* companion: Linux's driver (xen_scrub_pages) */
	XB_SCRUB_COUNT
};

/*
 * Which driver owns memory/target. driver: xballoon.ko (kernels without
 * CONFIG_XEN_BALLOON). companion: Linux's xen-balloon driver does, and
 * xballoon.ko only reports and deflates on OOM through it.
 */
enum xb_mode {
	XB_MODE_DRIVER,
	XB_MODE_COMPANION,
	XB_MODE_COUNT
};

const char *xb_mode_name(enum xb_mode m);
const char *xb_state_name(enum xb_state s);
const char *xb_err_name(enum xb_err e);
const char *xb_scrub_name(enum xb_scrub s);
/*
 * The scrub mode for the scrub parameter and the kernel's page init
 * settings: the driver zeroes unless the kernel provably did already.
 */
enum xb_scrub xb_scrub_mode(bool scrub, bool init_on_free, bool init_on_alloc);

/* Target parsing. Returns 0, or a negative XB_E* code. */
#define XB_EINVAL 1	/* not a decimal number */
#define XB_ERANGE 2	/* number too large */
int xb_parse_kb(const char *s, size_t len, u64 *kb_r);

/* Default floor (KiB) for a guest of total_kb, piecewise linear. */
u64 xb_floor_default_kb(u64 total_kb);
/* Free memory kept in the guest when giving back, and the pressure mark. */
u64 xb_reserve_pages(u64 total_pages);

struct xb_config {
	u64 initial_pages;	/* pages the guest held when the driver started */
	u64 static_max_kb;	/* memory/static-max, 0 if unknown */
	bool auto_translated;	/* PVH/HVM: target_diff applies (Linux rule) */
	u64 floor_kb;		/* 0: xb_floor_default_kb(size) */
	u32 batch_pages;	/* largest batch, pages (0: default) */
	u32 backoff_min_ms;	/* 0: default */
	u32 backoff_max_ms;	/* 0: default */
};

#define XB_BATCH_DEFAULT 16384u
#define XB_BATCH_MAX 16384u
#define XB_BACKOFF_MIN_MS 250u
#define XB_BACKOFF_MAX_MS 16000u

struct xb_counters {
	u64 targets;		/* valid targets received */
	u64 bad_targets;	/* malformed or out-of-range targets */
	u64 clamped_targets;	/* above static-max or below floor */
	u64 pages_inflated;	/* pages given to Xen, cumulative */
	u64 pages_deflated;	/* pages taken back from Xen, cumulative */
	u64 refusals;		/* short or refused hypercalls */
	u64 alloc_failures;	/* guest could not spare pages */
	u64 oom_deflates;	/* deflates under guest memory pressure */
	u64 oom_pages;		/* pages returned under pressure */
};

struct xb_core {
	/* fixed at init */
	u64 total_pages;	/* guest size in the memory/target frame */
	u64 static_max_pages;
	u64 target_diff_pages;
	u64 floor_pages;
	u64 reserve_pages;
	u32 batch_max;
	u32 backoff_min_ms;
	u32 backoff_max_ms;
	/* live */
	bool have_target;
	u64 req_target_pages;	/* last valid target from dom0, clamped to size */
	u64 target_pages;	/* target being applied: max(req, floor) */
	u64 balloon_pages;	/* pages currently given to Xen */
	u64 hard_limit_pages;	/* size at which Xen last refused, 0 none */
	u32 batch;		/* adaptive batch, pages */
	u32 backoff_ms;		/* current backoff step, 0 none */
	u64 retry_at_ms;	/* no hypercall before this time */
	bool oom_sticky;	/* pressure took pages since the last target */
	bool hv_failed;		/* last hypercall returned an error */
	u64 quarantine_pages;	/* held: neither Xen nor the guest can use them */
	/*
	 * Growing past the boot size (PV: Linux's balloon.c holds the pages
	 * of the memory map above it, xen_extra_mem, unpopulated). boot_pages
	 * is total_pages at load; claiming moves pages from balloon.c's
	 * balloon into this driver's (total and balloon grow together).
	 */
	u64 boot_pages;		/* total_pages at load */
	u64 pool_pages;		/* balloon.c holds this many now, 0: no growth */
	u64 xen_room_pages;	/* Xen's maxmem less its count of the guest */
	u64 claimed_pages;	/* taken from balloon.c's balloon, cumulative */
	/*
	 * Pages of the reservation Linux's balloon.c holds for its users
	 * (xb_core_others_pages(), measured): taken back on top of the
	 * target, so that Xen's count meets it (driver mode, PV and PVH).
	 */
	u64 others_pages;
	enum xb_scrub scrub;	/* how pages given to Xen are cleared */
	enum xb_mode mode;	/* driver or companion (fixed at load) */
	enum xb_state state;
	enum xb_err last_error;
	struct xb_counters cnt;
};

void xb_core_init(struct xb_core *c, const struct xb_config *cfg);

/*
 * Growing past the boot size. pool_pages: pages Linux's balloon.c holds
 * ballooned (balloon_stats.balloon_low + balloon_high), which this driver
 * may claim and populate; xen_room_pages: what Xen's maxmem still lets the
 * domain grow by (XENMEM_maximum_reservation - XENMEM_current_reservation).
 * A target is clamped to the size the driver can reach: static-max, and
 * total_pages + pool_pages. Call before xb_core_set_target_kb() and before
 * xb_core_plan() (the pool changes as gntdev & co. take from it).
 */
void xb_core_set_grow(struct xb_core *c, u64 pool_pages, u64 xen_room_pages);
/* The ceiling a target is clamped to now (pages, memory/target frame). */
u64 xb_core_ceiling_pages(const struct xb_core *c);

/*
 * Staying in step with balloon.c: XEN_PAGES is Xen's count of the guest
 * (XENMEM_current_reservation, 0 when unknown). What balloon.c took out of
 * the reservation for its users is taken back from Xen on top of the
 * target, within the ceiling, as Linux's own driver does: Xen's count, not
 * only the driver's, then meets the target. Call before xb_core_plan().
 */
void xb_core_set_others(struct xb_core *c, u64 xen_pages);
/* The driver's own count it works toward: the target plus others, capped. */
u64 xb_core_goal_pages(const struct xb_core *c);

/* Results of xb_core_set_target_kb (>= 0) */
#define XB_TARGET_OK 0
#define XB_TARGET_CLAMPED_MAX 1
#define XB_TARGET_BELOW_FLOOR 2
/* Apply a target from memory/target. Returns XB_TARGET_* or -XB_ERANGE. */
int xb_core_set_target_kb(struct xb_core *c, u64 target_kb);
/* Record a target string that did not parse. */
void xb_core_bad_target(struct xb_core *c);
/* Change the floor at run time (0 = default). */
void xb_core_set_floor_kb(struct xb_core *c, u64 floor_kb);

static inline u64 xb_core_current_pages(const struct xb_core *c)
{
	return c->total_pages - c->balloon_pages;
}

/* > 0: pages to take back from Xen; < 0: pages to give back. */
s64 xb_core_credit(const struct xb_core *c);

/*
 * CLAIM: take nr_pages from Linux's balloon.c into this driver's balloon
 * (xb_core_claimed()), then DEFLATE populates them: the guest grows past
 * its boot size. Planned only with the driver's own balloon empty, at most
 * what balloon.c holds (pool_pages: asking it for more makes it give the
 * guest's memory to Xen to make up the rest) and what Xen's maxmem leaves.
 */
enum xb_op { XB_OP_NONE, XB_OP_INFLATE, XB_OP_DEFLATE, XB_OP_WAIT,
	     XB_OP_CLAIM };

struct xb_step {
	enum xb_op op;
	u64 nr_pages;		/* INFLATE/DEFLATE/CLAIM: batch size */
	u64 delay_ms;		/* WAIT: come back after this long */
};

/*
 * What to do next. avail_pages: memory the guest could spare now
 * (MemAvailable), used to cap give-back. now_ms: monotonic time.
 */
struct xb_step xb_core_plan(struct xb_core *c, u64 avail_pages, u64 now_ms);

/*
 * Outcome of a give-back batch: done pages went to Xen.
 * hv_short: Xen returned fewer than offered; otherwise the shortfall means
 * the guest could not allocate the pages.
 */
void xb_core_inflated(struct xb_core *c, u64 asked, u64 done, bool hv_short,
		      u64 now_ms);
/*
 * Outcome of a take-back batch: done pages came back from Xen. refused: Xen
 * gave fewer than asked (host out of memory); otherwise a short batch is
 * only a smaller step (nothing at all counts as refused).
 */
void xb_core_deflated(struct xb_core *c, u64 asked, u64 done, bool refused,
		      u64 now_ms);
/*
 * Outcome of a claim: done pages (at most asked) came from balloon.c's
 * balloon, unpopulated, onto this driver's: the guest's size grows by done,
 * its balloon too, and the next deflate populates them. Nothing claimed
 * (balloon.c failed) is a guest allocation failure: nomem, backed off.
 */
void xb_core_claimed(struct xb_core *c, u64 asked, u64 done, u64 now_ms);
/* A hypercall failed with an error (not a short count). */
void xb_core_hv_error(struct xb_core *c, u64 now_ms);
/* Pages returned to the guest because it was running out of memory. */
void xb_core_oom_deflated(struct xb_core *c, u64 done, u64 now_ms);
/* Is the guest under memory pressure (deflate it)? */
bool xb_core_under_pressure(const struct xb_core *c, u64 avail_pages);
/*
 * nr pages that neither Xen nor the guest can use safely (a mapping or p2m
 * update that could not be made or undone): held for good, never freed.
 */
void xb_core_quarantined(struct xb_core *c, u64 nr);
/*
 * Does the driver hold pages (ballooned or quarantined)? Then the module
 * must stay loaded: its lists hold them.
 */
static inline bool xb_core_holds_pages(const struct xb_core *c)
{
	return c->balloon_pages || c->quarantine_pages;
}

/*
 * Settling a 2 MiB block whose order-9 decrease_reservation stopped part
 * way. Xen removes an extent page by page and stops at the first page it
 * cannot remove (j), without saying which: pages [0, j) are gone, j and the
 * pages above it are still there. No page of the block may reach the
 * allocator unless it is known to be populated.
 *
 * The driver gives the block's pages back at order 0, from the top down, one
 * hypercall per run: xb_settle_next() says which pages to submit (first,
 * first - 1, ... count of them), xb_settle_result() takes how many Xen
 * removed. A page that fails right after progress (or in the first run) is
 * tried once more on its own (a transient failure); then it is skipped and
 * the walk goes on below it. Afterwards:
 *  - a page that failed above a page Xen removed was populated (so was
 *    everything above j): Xen keeps refusing it, it goes back to the guest;
 *  - the pages that failed below the lowest page Xen removed are the prefix
 *    [0, j) plus the page j itself if Xen still refuses it: the highest of
 *    them is quarantined (never used, never counted as given), the rest were
 *    given already;
 *  - if Xen removed no page at all, all of them are quarantined.
 * This assumes what Xen's decrease_reservation does: one stop, and pages
 * above it that Xen would take like any other.
 */
#define XB_SETTLE_MAX 512u
enum xb_settle_fate { XB_SETTLE_GIVEN, XB_SETTLE_KEPT, XB_SETTLE_QUARANTINED };

struct xb_settle {
	u32 nr;			/* pages in the block */
	u32 top;		/* pages [top, nr) are settled */
	u32 low;		/* lowest page Xen removed in the walk, nr if none */
	bool retry;		/* the next run is page top - 1 alone, once more */
	bool done;
	u64 failed[XB_SETTLE_MAX / 64];	/* pages whose removal failed */
};

void xb_settle_init(struct xb_settle *s, u32 nr);
/*
 * Pages to submit next: *first_r, *first_r - 1, ... (*count_r of them);
 * false when settled.
 */
bool xb_settle_next(const struct xb_settle *s, u32 *first_r, u32 *count_r);
void xb_settle_result(struct xb_settle *s, u32 removed);
/* Once settled: where page i belongs. */
enum xb_settle_fate xb_settle_fate(const struct xb_settle *s, u32 i);

/*
 * Companion mode: the numbers of Linux's own balloon driver
 * (balloon_stats), in its frame (the guest's pages, no target_diff).
 */
struct xb_linux_stats {
	u64 current_pages;
	u64 target_pages;
	u64 balloon_pages;	/* balloon_low + balloon_high */
	u64 schedule_delay_s;	/* its retry delay, s */
};

/*
 * Mirror Linux's balloon in the core (for the report): sizes in the
 * memory/target frame, state idle / inflating / deflating, or oom-deflated
 * while Linux's target is still oom_target (the one an OOM deflate set, 0
 * none). Returns false once it is not (dom0 wrote a new target): the caller
 * forgets oom_target.
 */
bool xb_core_companion(struct xb_core *c, const struct xb_linux_stats *s,
		       u64 oom_target);

/*
 * Companion mode, OOM: the target to give Linux's balloon so that up to want
 * more pages come back, bounded by what its balloon holds and by what Xen
 * lets the domain grow (xen_max - xen_cur, maxmem), counting pages Linux is
 * already taking back (its target above its current). Returns the pages
 * added (0: nothing to do, *target_r unchanged).
 */
u64 xb_companion_raise(const struct xb_linux_stats *s, u64 want, u64 xen_cur,
		       u64 xen_max, u64 *target_r);

/* Report rate limiting */
struct xb_report_clock {
	u64 last_ms;		/* time of the last report written */
	bool written;		/* any report written yet */
};

/*
 * Bounds of the report intervals (module parameters are clamped to them):
 * report_min_ms, the shortest interval between two reports, and
 * report_period_ms, the period while converging.
 */
#define XB_REPORT_MIN_MS_LO 50u
#define XB_REPORT_MIN_MS_HI 60000u
#define XB_REPORT_PERIOD_MS_LO 100u
#define XB_REPORT_PERIOD_MS_HI 600000u
u32 xb_clamp_u32(u32 v, u32 lo, u32 hi);

/* Does the report of b differ from the one of a in anything but health? */
bool xb_report_changed(const struct xb_core *a, const struct xb_core *b);
/* Is the driver still working towards its target (periodic reports)? */
bool xb_report_converging(const struct xb_core *c);
/*
 * The period of reports while converging: period_ms (clamped), stretched to
 * the backoff while the driver backs off (refused, error, nomem,
 * oom-deflated), so that a stuck guest writes rarely.
 */
u32 xb_report_period(const struct xb_core *c, u32 period_ms);

/*
 * Delay in ms before the next report, or -1 for none: now is the core as it
 * is, last as it was last reported; the intervals are clamped.
 */
long xb_report_delay(const struct xb_report_clock *rc,
		     const struct xb_core *now, const struct xb_core *last,
		     u64 now_ms, u32 period_ms, u32 min_interval_ms);

/*
 * Pressure stall information for memory, as /proc/pressure/memory shows it:
 * the share of the last 10 s in which some task (some) or every non-idle
 * task (full) stalled on memory, and the total stall time since boot.
 */
struct xb_psi {
	bool valid;		/* read and parsed; the fields below hold */
	u32 some_avg10_milli;	/* percent * 1000, at most 100000 */
	u32 full_avg10_milli;
	u64 some_total_us;
	u64 full_total_us;
};

/* avg10 moves by this much (1 percentage point) or to/from 0: report */
#define XB_PSI_SIGNIFICANT_MILLI 1000u

/*
 * Parse the text of /proc/pressure/memory (len bytes, need not be
 * NUL-terminated): a "some" and a "full" line of name=value tokens, of
 * which avg10 (percent, up to 3 decimals) and total (us) are kept. Returns
 * 0, or -XB_EINVAL (p->valid is then false).
 */
int xb_psi_parse(const char *s, size_t len, struct xb_psi *p);
/* Is the change from last to now worth a report of its own? */
bool xb_psi_changed(const struct xb_psi *now, const struct xb_psi *last);
/*
 * Were there stalls in the last 10 s? Then PSI is sampled again every
 * report period, until its averages are back to zero.
 */
bool xb_psi_active(const struct xb_psi *p);

/*
 * xb_report_delay with PSI: also due (at the minimum interval) when the
 * PSI sample psi differs significantly from psi_last, the one last
 * reported. psi NULL: xb_report_delay.
 */
long xb_report_delay_psi(const struct xb_report_clock *rc,
			 const struct xb_core *now, const struct xb_core *last,
			 const struct xb_psi *psi, const struct xb_psi *psi_last,
			 u64 now_ms, u32 period_ms, u32 min_interval_ms);

struct xb_meminfo {
	u64 mem_total_kb;
	u64 mem_avail_kb;
	u64 mem_free_kb;
	u64 cached_kb;
	u64 swap_in;
	u64 swap_out;
	u64 major_faults;
	u64 oom_kills;
	struct xb_psi psi;	/* reported when psi.valid */
	/*
	 * Xen's count of the guest's pages (XENMEM_current_reservation, in
	 * Xen's frame: no target_diff), read when the report is written;
	 * 0: unknown, not reported.
	 */
	u64 xen_pages;
};

/*
 * Pages missing from Xen's count that the driver did not give back: taken
 * out of the reservation by Linux's own balloon core for its users (gntdev,
 * privcmd, grant tables: alloc_xenballooned_pages and
 * xen_alloc_unpopulated_pages) behind the driver's back. 0 when Xen's count
 * is unknown, or not below the driver's (in Xen's frame).
 */
u64 xb_core_others_pages(const struct xb_core *c, u64 xen_pages);

/*
 * Format the version-1 report into buf (NUL-terminated). Returns its length,
 * or -1 if it does not fit in size bytes.
 */
int xb_report_format(const struct xb_core *c, const struct xb_meminfo *mi,
		     u64 seq, char *buf, size_t size);

#endif /* XB_CORE_H */
