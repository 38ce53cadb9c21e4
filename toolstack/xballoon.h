/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libxballoon: the memory view of every domain, and targets set the way
 * `xl mem-set` sets them. Sits on a struct xb_backend (xb_backend.h).
 *
 * Units: KiB unless a name says pages. Conversions happen in xb_pages_to_kb()
 * and xb_kb_to_pages() only.
 */
#ifndef XBALLOON_H
#define XBALLOON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "xb_backend.h"
#include "xb_parse.h"

#define XB_PAGE_KB 4
#define XB_DOM0_MIN_KB (128 * 1024)	/* LIBXL_MIN_DOM0_MEM */
#define XB_DOMU_MIN_KB (16 * 1024)	/* xballoon's own floor for a domU target */
#define XB_MAXMEM_SLACK_KB 1024		/* LIBXL_MAXMEM_CONSTANT */
#define XB_TXN_RETRIES 16
#define XB_NAME_MAX 64

static inline uint64_t xb_pages_to_kb(uint64_t pages)
{
	return pages * XB_PAGE_KB;
}

static inline uint64_t xb_kb_to_pages(uint64_t kb)
{
	return kb / XB_PAGE_KB;
}

/* The state the toolstack derives for a domain. */
enum xb_state {
	XB_ST_AT_TARGET,
	XB_ST_CONVERGING,
	XB_ST_STUCK,
	XB_ST_REFUSED,
	XB_ST_AT_FLOOR,
	XB_ST_NO_DRIVER,
	XB_ST_NR
};
extern const char *const xb_state_name[XB_ST_NR];

extern const char *const xb_domtype_name[3];

struct xb_domain {
	struct xb_dominfo xen;
	char name[XB_NAME_MAX];
	bool has_static_max, has_target;
	uint64_t static_max_kb;		/* memory/static-max (or Xen's max for dom0) */
	uint64_t target_kb;		/* memory/target + videoram: what mem-set takes */
	uint64_t videoram_kb;		/* memory/videoram (HVM) */
	uint64_t actual_kb;		/* Xen's tot_pages, in KiB */
	uint64_t reclaimed_kb;		/* static-max - actual, 0 if negative */
	struct xb_report report;	/* data/xballoon/report, untrusted */
	enum xb_state state;
};

struct xb_snapshot {
	struct xb_hostinfo host;
	uint64_t host_total_kb, host_free_kb;	/* free = free - outstanding, as xl info */
	uint64_t reclaimed_kb;		/* sum over domains */
	uint64_t actual_kb, static_max_kb, target_kb;	/* sums */
	size_t n;
	struct xb_domain *doms;		/* sorted by domid */
};

/* Progress of one domain toward its target, kept across samples (wait, watch). */
struct xb_progress {
	uint32_t domid;
	uint64_t target_kb;		/* target when tracking started */
	uint64_t best_gap_kb;		/* smallest |actual - target| seen */
	uint64_t since_ms;		/* target set / tracking started */
	uint64_t last_progress_ms;
};

#define XB_STUCK_MS_DEFAULT 10000	/* no progress for this long: stuck */

/*
 * Tolerance for "at target": Xen and drivers round, and PVH/HVM guests keep a
 * few pages; max(1 MiB, 1 % of the target).
 */
uint64_t xb_target_tolerance_kb(uint64_t target_kb);

/*
 * Derive the state of D from Xen's numbers, its own report and, when not
 * NULL, its progress history P (updated here from D at NOW_MS).
 */
enum xb_state xb_derive_state(const struct xb_domain *d, struct xb_progress *p,
			      uint64_t now_ms, uint64_t stuck_ms);

/*
 * Take a snapshot: all domains (paged by be->chunk), the host, and in one
 * xenstore transaction every domain's name, target, static-max and videoram.
 * Reports are guest-written and read outside the transaction, so a guest
 * writing its report in a loop cannot make the transaction fail forever.
 * Returns 0 or -1 with errno; *snap_r is freed with xb_snapshot_free().
 */
int xb_snapshot_take(struct xb_backend *be, struct xb_snapshot *snap_r);
void xb_snapshot_free(struct xb_snapshot *snap);

/*
 * Refresh only Xen's numbers in SNAP (one domain list, one physinfo; no
 * xenstore). Returns 1 when updated, 0 when domains came or went (take a new
 * snapshot instead; SNAP is unchanged), -1 with errno. States are not
 * re-derived.
 */
int xb_snapshot_refresh_xen(struct xb_backend *be, struct xb_snapshot *snap);

/* Read and parse one domain's report (one xenstore read, no transaction). */
void xb_read_report(struct xb_backend *be, uint32_t domid, struct xb_report *r);

/* The domain with DOMID in SNAP, or NULL. */
struct xb_domain *xb_snapshot_find(const struct xb_snapshot *snap, uint32_t domid);

/*
 * Resolve a user's domain argument (id or name) in SNAP. NULL if unknown or
 * ambiguous.
 */
struct xb_domain *xb_snapshot_lookup(const struct xb_snapshot *snap,
				     const char *arg);

/* ---- setting targets ---- */

struct xb_change {
	uint32_t domid;
	char name[XB_NAME_MAX];
	uint64_t old_kb, new_kb;	/* user-facing targets (incl. videoram) */
};

/*
 * What a new target does to Xen's maxmem. FOLLOW (xl's way): maxmem =
 * target + slack, so the guest cannot take memory back above its target on
 * its own. KEEP: maxmem = static-max + slack, so a balloon driver can deflate
 * when its guest is about to run out of memory (xballoon.ko does).
 */
enum xb_maxmem_policy { XB_MAXMEM_FOLLOW, XB_MAXMEM_KEEP };

struct xb_plan {
	size_t n;
	struct xb_change *changes;
	enum xb_maxmem_policy maxmem;	/* targets only; FOLLOW unless set */
	size_t n_errors;
	char **errors;			/* one message per rejected domain/argument */
};

void xb_plan_free(struct xb_plan *plan);

enum xb_plan_kind { XB_PLAN_TARGET, XB_PLAN_MAXMEM };

/*
 * Validate a request against SNAP without changing anything: every domain in
 * ARGS (ids or names; ALL = every running domU) gets SIZE resolved and checked
 * against the invariants xl keeps. If any check fails, plan->n_errors > 0 and
 * nothing must be applied. Returns 0 (plan built, maybe with errors) or -1
 * with errno (out of memory).
 */
int xb_plan_build(const struct xb_snapshot *snap, enum xb_plan_kind kind,
		  const char *const *args, size_t n_args, bool all,
		  const struct xb_size *size, struct xb_plan *plan_r);

/*
 * Set one domain's target as xl mem-set does, in one xenstore transaction
 * (retried on EAGAIN): re-check against the fresh static-max, set maxmem to
 * target + videoram + slack, the PoD target for PVH/HVM, then write
 * memory/target (minus videoram) and /vm/<uuid>/memory (MiB).
 * NEW_KB is the user-facing target (incl. videoram). D comes from a snapshot;
 * its static-max is used only when xenstore has none (dom0). Returns 0 or -1 with errno
 * (EINVAL: rejected; *why_r says why).
 */
int xb_set_target(struct xb_backend *be, const struct xb_domain *d,
		  uint64_t new_kb, const char **why_r);
/* The same with a maxmem policy (xb_set_target is XB_MAXMEM_FOLLOW). */
int xb_set_target_policy(struct xb_backend *be, const struct xb_domain *d,
			 uint64_t new_kb, enum xb_maxmem_policy policy,
			 const char **why_r);

/* As xl mem-max: maxmem = MAX_KB + slack, memory/static-max = MAX_KB. */
int xb_set_maxmem(struct xb_backend *be, const struct xb_domain *d,
		  uint64_t max_kb, const char **why_r);

/*
 * Apply a validated plan (n_errors must be 0). If a domain fails, the ones
 * already changed are put back to their old values (best effort), so the
 * request stays all or nothing. Messages go to ERR. Returns 0 or -1.
 */
int xb_plan_apply(struct xb_backend *be, const struct xb_snapshot *snap,
		  enum xb_plan_kind kind, const struct xb_plan *plan, FILE *err);

/* ---- waiting ---- */

/* Exit codes of mem-set --wait and wait (documented in docs/toolstack.md). */
enum xb_exit {
	XB_EXIT_OK = 0,			/* every target reached */
	XB_EXIT_ERROR = 1,		/* bad request or backend failure; nothing changed */
	XB_EXIT_USAGE = 2,		/* bad command line */
	XB_EXIT_TIMEOUT = 3,		/* still converging when the time ran out */
	XB_EXIT_STUCK = 4,		/* driver present, no progress */
	XB_EXIT_REFUSED = 5,		/* the hypervisor refused memory */
	XB_EXIT_NO_DRIVER = 6,		/* no driver report and no progress */
	XB_EXIT_AT_FLOOR = 7,		/* the driver stopped at its floor */
};

/* The exit code a domain left in state ST (after a timeout) maps to. */
enum xb_exit xb_state_exit(enum xb_state st);

/* Combine exit codes of several domains: the most severe wins. */
enum xb_exit xb_exit_worse(enum xb_exit a, enum xb_exit b);


/* ---- wait (also used by mem-set --wait) ---- */

struct xb_wait_opts {
	uint64_t timeout_ms;		/* give up after this long */
	unsigned interval_ms;		/* sampling period */
	uint64_t stuck_ms;		/* no progress for this long: stuck */
	/* called after every sample; may be NULL */
	void (*progress)(void *ctx, const struct xb_snapshot *snap,
			 const uint32_t *domids, const enum xb_state *states,
			 size_t n, uint64_t elapsed_ms);
	void *ctx;
};

/*
 * Wait until every domain in DOMIDS is at its (current) target, the time runs
 * out, or every domain not there is refused or at its floor. STATES_R (n
 * entries) receives the final states. Returns an enum xb_exit.
 */
enum xb_exit xb_wait(struct xb_backend *be, const uint32_t *domids, size_t n,
		     const struct xb_wait_opts *o, enum xb_state *states_r);
#endif
