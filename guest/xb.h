/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xballoon.ko internals shared between its files:
 *   xb_main.c   module init/exit, parameters, the balloon worker, locking
 *   xb_hv.c     the hypercall site: give back / take back a batch
 *   xb_grow.c   growing past the boot size: pages claimed from balloon.c
 *   xb_others.c in step with balloon.c: what its users hold, taken back
 *   xb_xs.c     xenstore: memory/target watch, data/xballoon/report
 *   xb_sysfs.c  /sys/kernel/xballoon/
 *   xb_oom.c    OOM notifier and shrinker: deflate under guest pressure
 *   xb_psi.c    memory pressure stall information for the report
 *   xb_core.c   the freestanding core (../core)
 */
#ifndef XB_H
#define XB_H

#include <linux/mm_types.h>
#include <linux/mutex.h>
#include <linux/types.h>
#include <linux/workqueue.h>
#include "xb_core.h"

/* Everything the module shares; the mutex guards core and the hv lists. */
struct xb_dev {
	struct mutex lock;	/* guards core, the hv lists and counters */
	struct xb_core core;
	struct workqueue_struct *wq;
	struct delayed_work balloon_work;
	bool stopping;
	bool pinned;		/* holds a reference on the module (pages held) */
	bool companion;		/* Linux's xen-balloon drives memory/target */
	u64 comp_oom_target;	/* companion: the target an OOM deflate set */
	/* statistics, under lock */
	u64 wakeups;		/* balloon worker runs */
	u64 work_ns;		/* time spent in the worker */
	u64 target_events;	/* memory/target watch events */
	u64 last_target_ns;	/* time of the last target event */
	u64 first_action_ns;	/* latency of the last target: event to work */
};

extern struct xb_dev xb;

/* module parameters (xb_main.c) */
extern unsigned int xb_report_period_ms;
extern unsigned int xb_report_min_ms;
extern unsigned int xb_oom_kb;
extern bool xb_use_2m;
extern bool xb_scrub;
extern unsigned int xb_inject;
extern bool xb_check_in;

/* xb_inject bits (lab fault injection; 0-2 one shot each, 3 while set) */
#define XB_INJECT_PV_MAP	BIT(0)	/* PV take-back: map one page badly */
#define XB_INJECT_2M_PARTIAL	BIT(1)	/* PVH give-back: stop inside a 2 MiB extent */
#define XB_INJECT_REPORT_RECLAIM BIT(2)	/* the shrinker runs inside a report write */
#define XB_INJECT_NO_SHRINKER	BIT(3)	/* while set: the shrinker offers nothing */

u64 xb_now_ms(void);
void xb_kick(void);
void xb_set_target(int parse_rc, u64 target_kb);
u64 xb_pressure_deflate(u64 nr_pages, unsigned int wait_ms);
void xb_snapshot(struct xb_core *out);
void xb_snapshot_xen(struct xb_core *out, u64 *xen_pages);

/* xb_hv.c: callers hold xb.lock */
struct xb_hv_stats {
	u64 hypercalls;		/* memory_op, mmu_update and mmuext_op */
	u64 extents_2m_out;	/* 2 MiB extents given back */
	u64 extents_2m_in;	/* 2 MiB extents taken back */
	u64 fallbacks_2m;	/* 2 MiB attempts that fell back to 4 KiB */
	u64 short_results;	/* decrease_reservation returned short */
	u64 pages_scrubbed;	/* pages zeroed before they went to Xen */
	u64 map_failures;	/* PV mapping or p2m updates that failed */
	u64 settled_2m;		/* 2 MiB extents Xen stopped inside, settled */
	u64 pages_in_checked;	/* lab (check_in=1): pages taken back and read */
	u64 pages_in_dirty;	/* lab (check_in=1): of those, not all zero */
	/* where the worker's time goes (ns): the rest is the driver's own */
	u64 hv_ns;		/* inside those hypercalls */
	u64 map_ns;		/* of hv_ns: PV page table updates */
	u64 dispose_ns;		/* 4 KiB pages to the allocator or the lists */
	u64 scrub_ns;		/* zeroing pages before Xen gets them */
	u64 alloc_ns;		/* allocating the pages to give back */
};

/* The outcome of one batch. */
struct xb_hv_result {
	u64 done;	/* inflate: pages Xen took; deflate: pages usable again */
	u64 lost;	/* pages quarantined (deflate: they left the balloon) */
	bool hv_short;	/* inflate: Xen took fewer; deflate: Xen gave fewer */
	int err;	/* a hypercall or mapping error, 0 if none */
};

extern struct xb_hv_stats xb_hv_stats;
int xb_hv_init(unsigned int batch_pages);
void xb_hv_exit(void);
u64 xb_hv_current_reservation(void);
u64 xb_hv_maximum_reservation(void);
/* Give back up to nr_pages (zeroed as xb.core.scrub says). */
void xb_hv_inflate(u64 nr_pages, struct xb_hv_result *r);
/*
 * Take back up to nr_pages; hv_short if Xen gave fewer than asked (a partial
 * batch without it is only a smaller step).
 */
void xb_hv_deflate(u64 nr_pages, struct xb_hv_result *r);
u64 xb_hv_balloon_pages(void);
u64 xb_hv_quarantine_pages(void);
/* Unload with pages still held: unlink them (they are never freed). */
void xb_hv_abandon(void);
/* Unpopulated pages the driver now owns: onto its balloon. */
void xb_hv_adopt(struct page **pages, unsigned long n);

/* xb_grow.c: callers hold xb.lock */
int xb_grow_init(unsigned int batch_pages);
void xb_grow_exit(void);
/* Tell the core what balloon.c holds, and Xen's room when it may claim. */
void xb_grow_sync(void);
/* Claim up to nr_pages from balloon.c onto the balloon; returns how many. */
u64 xb_grow_claim(u64 nr_pages);

/* xb_others.c: xb_others_sync() under xb.lock */
void xb_others_init(void);
void xb_others_exit(void);
/* Tell the core what balloon.c's users hold; keep balloon.c's target still. */
void xb_others_sync(void);
/* Xen's count may have moved other than by a batch: read it at the next sync. */
void xb_others_stale(void);

/* xb_xs.c */
int xb_xs_init(void);
void xb_xs_unwatch(void);
void xb_xs_exit(void);
int xb_xs_read_kb(const char *dir, const char *node, u64 *kb_r, int *parse_rc);
void xb_xs_remove_report(void);
void xb_report_kick(void);
extern u64 xb_reports;

/* xb_psi.c */
void xb_psi_init(void);
void xb_psi_sample(struct xb_psi *p, u64 now_ms);
void xb_psi_pressure(void);
void xb_psi_exit(void);

/* xb_sysfs.c */
int xb_sysfs_init(void);
void xb_sysfs_exit(void);

/* xb_oom.c */
int xb_oom_init(void);
void xb_oom_exit(void);

#endif /* XB_H */
