/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libxballoon: the memory view of every domain, and targets set the way
 * `xl mem-set` sets them. The one public header: the CLI (toolstack/cli/)
 * and the daemon (toolstack/daemon/) include nothing else of the library.
 *
 * Units: KiB unless a name says pages or ms. Conversions happen in
 * xb_pages_to_kb() and xb_kb_to_pages() only.
 *
 * ABI: libxballoon.so.1 exports only xballoon_* (lib/libxballoon.map);
 * types keep the short xb_ prefix, as do the inline helpers and constants.
 * pkg-config: `cc prog.c $(pkg-config --cflags --libs xballoon)`.
 *
 * Errors: functions returning int return 0 (or a count) on success and -1
 * with errno set on failure, as libxenstore's do. Values read from xenstore
 * that a guest can write (its report) are untrusted and parsed as such.
 */
#ifndef LIBXBALLOON_H
#define LIBXBALLOON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define XB_PAGE_KB 4
#define XB_DOM0_MIN_KB (128 * 1024)	/* LIBXL_MIN_DOM0_MEM */
#define XB_DOMU_MIN_KB (16 * 1024)	/* xballoon's own floor for a domU target */
#define XB_MAXMEM_SLACK_KB 1024		/* LIBXL_MAXMEM_CONSTANT */
#define XB_TXN_RETRIES 16
#define XB_NAME_MAX 256			/* bytes of a domain name kept, with the NUL (at most) */
#define XB_JSON_VERSION 1		/* "version" of every JSON document */

static inline uint64_t xb_pages_to_kb(uint64_t pages)
{
	return pages * XB_PAGE_KB;
}

static inline uint64_t xb_kb_to_pages(uint64_t kb)
{
	return kb / XB_PAGE_KB;
}

/* ==== parsers: sizes, xenstore values, the guest's report ==== */
/*
 * All of them take (buffer, length), never read past it, never allocate,
 * and treat their input as untrusted.
 */

#define XB_REPORT_MAX_LEN 1024		/* docs/xenstore-keys.md, version 1 */
#define XB_SIZE_MAX_KB (UINT64_C(1) << 50)	/* 1 EiB in KiB: sanity bound */

enum xb_size_kind {
	XB_SIZE_ABS,		/* "512m", "512" (MiB, as xl), "1g" */
	XB_SIZE_PCT_MAX,	/* "50%": percentage of static-max */
	XB_SIZE_REL,		/* "+512" (MiB), "-1g": relative to the current target */
	XB_SIZE_REL_PCT,	/* "+10%", "-10%": relative, percent of current target */
};

struct xb_size {
	enum xb_size_kind kind;
	bool negative;		/* REL, REL_PCT */
	uint64_t kb;		/* ABS, REL */
	uint32_t pct_milli;	/* PCT_MAX, REL_PCT: percent * 1000 (0.001 % steps) */
};

/*
 * Parse S (LEN bytes, need not be NUL-terminated). Whole decimal numbers with
 * an optional suffix b/k/m/g/t (case-insensitive); no suffix means MiB, as in
 * xl's code (parse_mem_size_kb; xl's man page says KiB and is wrong). "b"
 * truncates to whole KiB, as xl does. Fractions ("1.5g") are rejected;
 * percentages may have up to 3 decimals. Returns 0, or -1 with a short
 * reason in *why_r (static string).
 */
int xballoon_size_parse(const char *s, size_t len, struct xb_size *size_r,
		  const char **why_r);

/*
 * Resolve SIZE to an absolute target in KiB against CUR_KB (current target)
 * and STATIC_MAX_KB. Returns 0, or -1 with *why_r (negative result, overflow).
 */
int xballoon_size_resolve(const struct xb_size *size, uint64_t cur_kb,
		    uint64_t static_max_kb, uint64_t *kb_r, const char **why_r);

/* Format KIB as a short human size ("512M", "1.5G") into BUF. */
const char *xballoon_size_fmt(uint64_t kib, char *buf, size_t buflen);

/*
 * A xenstore decimal value: ASCII digits only (at most 20), no sign, no
 * spaces, fits in uint64. Returns 0 or -1.
 */
int xballoon_xs_u64(const char *s, size_t len, uint64_t *v_r);

/*
 * A domain name for display: copy at most BUFLEN-1 bytes, replacing anything
 * not printable ASCII by '?'. Always NUL-terminates.
 */
void xballoon_xs_name(const char *s, size_t len, char *buf, size_t buflen);

/* ---- the guest driver's report, data/xballoon/report ---- */

enum xb_rfield {
	XB_RF_SEQ, XB_RF_TARGET, XB_RF_BALLOON, XB_RF_CURRENT, XB_RF_FLOOR,
	XB_RF_HARD_LIMIT, XB_RF_OOM_DEFLATES, XB_RF_REFUSALS, XB_RF_MEM_TOTAL,
	XB_RF_MEM_AVAIL, XB_RF_MEM_FREE, XB_RF_CACHED, XB_RF_SWAP_IN,
	XB_RF_SWAP_OUT, XB_RF_MAJOR_FAULTS, XB_RF_OOM_KILLS,
	/* PSI memory: avg10 in percent * 1000 (at most 100000), totals in us */
	XB_RF_PSI_SOME_AVG10, XB_RF_PSI_SOME_TOTAL, XB_RF_PSI_FULL_AVG10,
	XB_RF_PSI_FULL_TOTAL,
	/*
	 * Xen's count of the guest's pages as the driver read it, and what
	 * Linux's balloon core holds of the reservation for gntdev, privcmd,
	 * grant tables (KiB)
	 */
	XB_RF_XEN_CURRENT, XB_RF_OTHERS,
	XB_RF_NR
};

/*
 * Token names, e.g. xballoon_rfield_name(XB_RF_BALLOON) == "balloon_kb".
 * Every xballoon_*_name() returns a static string, or NULL for a value out
 * of its enum's range (the tables stay inside the library: see the ABI rule
 * in docs/toolstack.md).
 */
const char *xballoon_rfield_name(enum xb_rfield v);

enum xb_rstate {
	XB_RSTATE_UNKNOWN,	/* missing, or a word this version does not know */
	XB_RSTATE_IDLE, XB_RSTATE_INFLATING, XB_RSTATE_DEFLATING,
	XB_RSTATE_AT_FLOOR, XB_RSTATE_REFUSED, XB_RSTATE_OOM_DEFLATED,
	XB_RSTATE_ERROR,
	XB_RSTATE_NR
};
const char *xballoon_rstate_name(enum xb_rstate v);

enum xb_rerror {
	XB_RERR_UNKNOWN, XB_RERR_NONE, XB_RERR_BAD_TARGET, XB_RERR_BELOW_FLOOR,
	XB_RERR_HV_SHORT, XB_RERR_HV_REFUSED, XB_RERR_NOMEM,
	XB_RERR_NR
};
const char *xballoon_rerror_name(enum xb_rerror v);

/*
 * Which driver runs in the guest (the report's mode): xballoon.ko itself,
 * or xballoon.ko as the companion of Linux's own balloon driver, which then
 * applies memory/target. A report without the field is from a driver older
 * than it, which was always the driver.
 */
enum xb_rmode {
	XB_RMODE_UNKNOWN,	/* a word this version does not know */
	XB_RMODE_DRIVER, XB_RMODE_COMPANION,
	XB_RMODE_NR
};
const char *xballoon_rmode_name(enum xb_rmode v);

enum xb_report_status {
	XB_REPORT_ABSENT,	/* no key: no driver (or not started yet) */
	XB_REPORT_VALID,
	XB_REPORT_INVALID,	/* present but rejected; see why */
};

/*
 * A parsed report. Opaque: its layout holds one number per field, so it stays
 * inside the library and a new field does not change the ABI (see
 * docs/toolstack.md). Read it with the accessors below; each takes NULL as an
 * absent report.
 */
struct xb_report;

/*
 * Parse a report of LEN bytes (S may be NULL: absent). A single trailing
 * newline is tolerated. The outcome is in xballoon_report_status(): a bad
 * report is not a failure. NULL with errno = ENOMEM only when out of memory.
 * Free with xballoon_report_free().
 */
struct xb_report *xballoon_report_parse(const char *s, size_t len);
/* Free a report from xballoon_report_parse() or xballoon_read_report(); NULL is fine. */
void xballoon_report_free(const struct xb_report *r);

/* Absent, valid or invalid. */
enum xb_report_status xballoon_report_status(const struct xb_report *r);
/* True with *VAL_R set when R is valid and has field F; false for F out of range. */
bool xballoon_report_get(const struct xb_report *r, enum xb_rfield f, uint64_t *val_r);
/* The state word; XB_RSTATE_UNKNOWN unless valid. */
enum xb_rstate xballoon_report_state(const struct xb_report *r);
/* The last_error word; XB_RERR_UNKNOWN unless valid. */
enum xb_rerror xballoon_report_last_error(const struct xb_report *r);
/* The mode word (XB_RMODE_DRIVER when the report has none); XB_RMODE_UNKNOWN unless valid. */
enum xb_rmode xballoon_report_mode(const struct xb_report *r);
/* Why it was rejected (a static string) when invalid, else NULL. */
const char *xballoon_report_why(const struct xb_report *r);

/* ==== the backend: Xen and xenstore ==== */

enum xb_domtype { XB_TYPE_PV, XB_TYPE_PVH, XB_TYPE_HVM };
const char *xballoon_domtype_name(enum xb_domtype v);

/* What Xen says about one domain (xc_domaininfo_t, reduced). */
struct xb_dominfo {
	uint32_t domid;
	enum xb_domtype type;
	bool dying, shutdown;
	uint64_t tot_pages, max_pages, outstanding_pages;
	/* the domain's UUID (Xen's handle): bytes 0-7 and 8-15, big-endian */
	uint64_t uuid_hi, uuid_lo;
};

#define XB_UUID_LEN 37	/* "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" and its NUL */
/*
 * The domain's UUID as text into BUF of LEN bytes (at least XB_UUID_LEN).
 * 0, or -1 with errno = ERANGE when LEN is too short (BUF is then "").
 */
int xballoon_dominfo_uuid(const struct xb_dominfo *info, char *buf, size_t len);

/* What Xen says about the host (xc_physinfo_t, reduced). */
struct xb_hostinfo {
	uint64_t total_pages, free_pages, scrub_pages, outstanding_pages;
};

/* Opaque: the real one, or a test's fake. */
struct xb_backend;

/* Open the real backend (xc_interface_open + xs_open). NULL with errno. */
struct xb_backend *xballoon_backend_xen_open(void);
void xballoon_backend_close(struct xb_backend *be);
/* Monotonic milliseconds (faked in tests). */
uint64_t xballoon_backend_now_ms(struct xb_backend *be);
/* Sleep MS milliseconds (faked in tests: time passes, guests move). */
void xballoon_backend_sleep_ms(struct xb_backend *be, unsigned ms);
/* The xenstore handle for watches (a struct xs_handle *), or NULL. */
void *xballoon_backend_xs_handle(struct xb_backend *be);
/*
 * Drop the xenstore connection and open a new one (xenstored restarted).
 * The old xs_handle is closed; take xballoon_backend_xs_handle() again. 0 or -1.
 */
int xballoon_backend_xs_reopen(struct xb_backend *be);

/* ==== domains ==== */

/* The state the toolstack derives for a domain. */
enum xb_dom_state {
	XB_ST_AT_TARGET,
	XB_ST_CONVERGING,
	XB_ST_STUCK,
	XB_ST_REFUSED,		/* stuck per Xen; the guest reports a refusal */
	XB_ST_AT_FLOOR,		/* stuck per Xen; the guest reports its floor */
	XB_ST_NO_DRIVER,
	XB_ST_GONE,		/* the domain went away (wait) */
	XB_ST_NR
};
const char *xballoon_dom_state_name(enum xb_dom_state v);

/* True when ST's reason (refused, at-floor) comes from the guest's report. */
bool xballoon_dom_state_guest_reason(enum xb_dom_state st);

struct xb_domain {
	struct xb_dominfo xen;
	char *name;			/* never NULL, "" when unknown; malloc()ed, freed by
				   xballoon_snapshot_free() (a struct copy shares it) */
	bool has_static_max, has_target;
	bool followed;			/* memory/xballoon-followed: seen following a target */
	uint64_t static_max_kb;		/* memory/static-max (or Xen's max for dom0) */
	uint64_t target_kb;		/* memory/target + videoram: what mem-set takes */
	uint64_t videoram_kb;		/* memory/videoram (HVM) */
	uint64_t actual_kb;		/* Xen's tot_pages, in KiB */
	uint64_t reclaimed_kb;		/* static-max - actual, 0 if negative */
	/*
	 * data/xballoon/report, untrusted. Never NULL; owned by the snapshot and
	 * freed by xballoon_snapshot_free() (a struct copy shares it)
	 */
	const struct xb_report *report;
	enum xb_dom_state state;
};

struct xb_snapshot {
	unsigned flags;			/* XB_SNAP_* it was taken with */
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
uint64_t xballoon_target_tolerance_kb(uint64_t target_kb);

/* The guest's reported floor, capped at static-max; false when none. */
bool xballoon_dom_floor_kb(const struct xb_domain *d, uint64_t *floor_r);

/*
 * Derive the state of D. With a progress history P (updated here from D at
 * NOW_MS), only Xen's numbers decide that D is stuck: tot_pages has not moved
 * toward the target for STUCK_MS. The guest's report then only names the
 * reason (refused, at its floor). Without P (one snapshot), the report's own
 * state is shown as it is.
 */
enum xb_dom_state xballoon_derive_state(const struct xb_domain *d,
				  struct xb_progress *p, uint64_t now_ms,
				  uint64_t stuck_ms);

/*
 * Has D shown a balloon driver: a valid report of ours, or Xen's numbers
 * following a target below static-max (Linux's driver reports nothing)?
 * This is what --all selects unless told to include every domU.
 */
bool xballoon_dom_has_driver(const struct xb_domain *d);

/*
 * How far D can go above its target on its own (Xen's maxmem - slack -
 * target) and how far it has (actual - target); 0 when not above.
 */
uint64_t xballoon_dom_headroom_kb(const struct xb_domain *d);
uint64_t xballoon_dom_borrow_kb(const struct xb_domain *d);

/*
 * The policy keys xballoond balances a domain by (dom0-written, parsed as
 * untrusted text; one read each, outside any transaction). The dynamic
 * range: true with *MIN_KB_R and *MAX_KB_R when memory/dynamic-min and
 * memory/dynamic-max are both decimal KiB and min <= max; false otherwise
 * (absent, unreadable or unusable: the daemon leaves such a domain alone).
 * Uncooperative: memory/uncooperative is 1 (xballoond marked the domain).
 */
bool xballoon_dom_dynamic_range(struct xb_backend *be, uint32_t domid,
			  uint64_t *min_kb_r, uint64_t *max_kb_r);
bool xballoon_dom_uncooperative(struct xb_backend *be, uint32_t domid);

/*
 * Take a snapshot: all domains (paged), the host, and in one xenstore
 * transaction every domain's name, target, static-max and videoram.
 * Reports are guest-written and read outside the transaction, so a guest
 * writing its report in a loop cannot make the transaction fail forever.
 * Returns 0 or -1 with errno; *snap_r is freed with xballoon_snapshot_free().
 */
int xballoon_snapshot_take(struct xb_backend *be, struct xb_snapshot *snap_r);
/*
 * The same, reading only what FLAGS ask beyond the view: XB_SNAP_FOLLOWED
 * reads memory/xballoon-followed, which --all's selection needs
 * (xballoon_snapshot_take() reads it; a plain view such as list does not).
 */
#define XB_SNAP_FOLLOWED 0x1u
int xballoon_snapshot_take_flags(struct xb_backend *be, unsigned flags,
			   struct xb_snapshot *snap_r);
void xballoon_snapshot_free(struct xb_snapshot *snap);

/*
 * Refresh only Xen's numbers in SNAP (one domain list, one physinfo; no
 * xenstore). Returns 1 when updated, 0 when domains came or went (take a new
 * snapshot instead; SNAP is unchanged), -1 with errno. States are not
 * re-derived.
 */
int xballoon_snapshot_refresh_xen(struct xb_backend *be, struct xb_snapshot *snap);

/*
 * Read and parse one domain's report (one xenstore read, no transaction).
 * Free with xballoon_report_free(). NULL with errno = ENOMEM.
 */
struct xb_report *xballoon_read_report(struct xb_backend *be, uint32_t domid);

/* The domain with DOMID in SNAP, or NULL. */
struct xb_domain *xballoon_snapshot_find(const struct xb_snapshot *snap, uint32_t domid);

/*
 * Resolve a user's domain argument (id or name) in SNAP. NULL if unknown or
 * ambiguous.
 */
struct xb_domain *xballoon_snapshot_lookup(const struct xb_snapshot *snap,
				     const char *arg);

/*
 * The domains a command names, in argument order, each once (a domain named
 * twice, by name or id, is taken once). ALL adds every running domU that
 * xballoon_dom_has_driver() (or every running domU with INCLUDE_NO_DRIVER);
 * SKIPPED_R (may be NULL) receives the ones --all left out. Unknown or
 * ambiguous arguments are listed in BAD_R (indexes into ARGS).
 * Arrays are malloc()ed. Returns 0 or -1 with errno (ENOMEM).
 */
struct xb_selection {
	const struct xb_domain **doms;
	size_t n;
	const struct xb_domain **skipped;
	size_t n_skipped;
	size_t *bad;
	size_t n_bad;
};
int xballoon_select(const struct xb_snapshot *snap, const char *const *args,
	      size_t n_args, bool all, bool include_no_driver,
	      struct xb_selection *sel_r);
void xballoon_selection_free(struct xb_selection *sel);

/* ==== setting targets ==== */

/*
 * What a new target does to Xen's maxmem. FOLLOW (xl's way): maxmem =
 * target + slack, so the guest cannot take memory back above its target on
 * its own. KEEP: maxmem = static-max + slack, so a balloon driver can deflate
 * when its guest is about to run out of memory (xballoon.ko does).
 */
enum xb_maxmem_policy { XB_MAXMEM_FOLLOW, XB_MAXMEM_KEEP };

/* What a domain held before a change: what a rollback puts back. */
struct xb_dom_saved {
	uint64_t maxmem_kb;		/* Xen's max_pages, in KiB */
	uint64_t pod_target_pages;	/* 0: the domain has no PoD (nothing to put back) */
	bool has_target, has_static_max;
	uint64_t target_key_kb;		/* memory/target as it was (excl. videoram) */
	uint64_t static_max_kb;		/* memory/static-max as it was */
	bool has_vm_mib;
	uint64_t vm_mib;		/* /vm/<uuid>/memory as it was (MiB) */
};

enum xb_outcome {
	XB_OUT_PENDING,		/* not reached (an earlier domain failed) */
	XB_OUT_APPLIED,
	XB_OUT_FAILED,		/* this domain's change failed; its own state restored */
	XB_OUT_RESTORED,	/* applied, then put back after a later failure */
	XB_OUT_RESTORE_FAILED,	/* could not be put back: see left */
};
const char *xballoon_outcome_name(enum xb_outcome v);

struct xb_change {
	bool own_size;			/* apply SIZE, not the plan's (xballoon_plan_build_each) */
	struct xb_size size;
	uint32_t domid;
	char *name;			/* never NULL; the plan's (xballoon_plan_free) */
	uint64_t old_kb, new_kb;	/* user-facing targets (incl. videoram) */
	enum xb_outcome outcome;
	const char *why;		/* static: why it failed */
	const char *restore_why;	/* static: why putting it back failed */
	int err;			/* errno of the failure */
	struct xb_dom_saved saved;	/* before the change */
	struct xb_dom_saved left;	/* RESTORE_FAILED: what was left */
};

struct xb_plan {
	size_t n;
	struct xb_change *changes;
	enum xb_maxmem_policy maxmem;	/* targets only; FOLLOW unless set */
	size_t n_errors;
	char **errors;			/* one message per rejected domain/argument */
	size_t n_skipped;		/* --all: domains left out (no driver seen) */
	uint32_t *skipped;
	struct xb_size size;		/* resolved again in each domain's transaction */
};

void xballoon_plan_free(struct xb_plan *plan);

enum xb_plan_kind { XB_PLAN_TARGET, XB_PLAN_MAXMEM };

/*
 * Check a request against SNAP without changing anything: the domains of
 * ARGS (ids or names; ALL as xballoon_select()) and SIZE, checked with the same
 * rules the change applies inside its transaction (xballoon_dom_check_target()),
 * so that a request with one bad domain changes none. If any check fails,
 * plan->n_errors > 0 and nothing must be applied. Returns 0 (plan built,
 * maybe with errors) or -1 with errno (out of memory).
 */
int xballoon_plan_build(const struct xb_snapshot *snap, enum xb_plan_kind kind,
		  const char *const *args, size_t n_args, bool all,
		  bool include_no_driver, const struct xb_size *size,
		  struct xb_plan *plan_r);

/*
 * A plan of targets, one absolute size per domain (KBS[i] for DOMIDS[i]),
 * checked as xballoon_plan_build() checks; applied by xballoon_plan_apply().
 */
int xballoon_plan_build_each(const struct xb_snapshot *snap,
		       const uint32_t *domids, const uint64_t *kbs, size_t n,
		       struct xb_plan *plan_r);

/*
 * The rules for a new target, as libxl keeps them: NEW_KB is the user-facing
 * target (incl. VIDEORAM_KB). NULL when allowed, else the reason.
 */
const char *xballoon_dom_check_target(uint32_t domid, uint64_t new_kb,
				uint64_t videoram_kb, uint64_t static_max_kb);

/* The rule for a new maximum: not below the target (excl. videoram). */
const char *xballoon_dom_check_maxmem(uint64_t new_kb, uint64_t target_key_kb);

/*
 * Set one domain's target as xl mem-set does, in one xenstore transaction
 * (retried on EAGAIN): read memory/target, static-max and videoram there,
 * resolve SIZE against them (so "+100m" twice at once adds 200m), check the
 * rules, set maxmem (POLICY), the PoD target for PVH/HVM, then write
 * memory/target (minus videoram) and /vm/<uuid>/memory (MiB).
 * D comes from a snapshot: its identity, type, and static-max for dom0 when
 * xenstore has none. When it fails, whatever this call changed in Xen is put
 * back; if that too fails, *left_r (may be NULL) says what was left and the
 * errno is that of the first failure. Resolved targets are in *old_kb_r and
 * *new_kb_r (may be NULL). Returns 0 or -1 with errno (EINVAL: rejected;
 * *why_r says why).
 */
struct xb_set_result {
	uint64_t old_kb, new_kb;	/* user-facing targets, resolved in the transaction */
	struct xb_dom_saved saved;	/* the domain before */
	bool restore_failed;		/* on failure: Xen's values could not be put back */
	const char *restore_why;	/* ... and why (static) */
	struct xb_dom_saved left;	/* ... and these were left */
};
int xballoon_dom_set_target(struct xb_backend *be, const struct xb_domain *d,
		      const struct xb_size *size, enum xb_maxmem_policy policy,
		      struct xb_set_result *res_r, const char **why_r);

/*
 * As xballoon_dom_set_target, with Xen's maxmem set to MAXMEM_KB + slack
 * (user-facing, as a target) in the same step, before the target is written:
 * a daemon that leaves a guest room above its target never caps it at the
 * target in between. MAXMEM_KB below the new target: EINVAL, nothing done.
 */
int xballoon_dom_set_target_maxmem(struct xb_backend *be,
				   const struct xb_domain *d,
				   const struct xb_size *size, uint64_t maxmem_kb,
				   struct xb_set_result *res_r, const char **why_r);

/* As xl mem-max: maxmem = MAX_KB + slack, memory/static-max = MAX_KB. */
int xballoon_dom_set_maxmem(struct xb_backend *be, const struct xb_domain *d,
		      const struct xb_size *size, struct xb_set_result *res_r,
		      const char **why_r);

/*
 * Xen's maxmem only (xc_domain_setmaxmem to MAXMEM_KB + slack): no xenstore
 * key changes. xballoond bounds how far a guest can deflate beyond its target
 * with it (target + headroom). 0 or -1 with errno (EINVAL: out of range).
 */
int xballoon_dom_set_xen_maxmem(struct xb_backend *be, uint32_t domid,
			  uint64_t maxmem_kb);

/*
 * Apply a validated plan (n_errors must be 0), domain by domain. If one
 * fails, it and every domain already changed are put back to exactly the
 * values saved before (maxmem, PoD target, memory/target, static-max,
 * /vm/<uuid>/memory), so
 * the request stays all or nothing; each change's outcome says what
 * happened, and for RESTORE_FAILED what was left. Returns 0, or -1 with
 * errno of the first failure.
 */
int xballoon_plan_apply(struct xb_backend *be, const struct xb_snapshot *snap,
		  enum xb_plan_kind kind, struct xb_plan *plan);

/* ==== waiting ==== */

/* Exit codes of mem-set --wait and wait (documented in docs/toolstack.md). */
enum xb_exit {
	XB_EXIT_OK = 0,			/* every target reached */
	XB_EXIT_ERROR = 1,		/* bad request or backend failure; nothing changed */
	XB_EXIT_USAGE = 2,		/* bad command line */
	XB_EXIT_TIMEOUT = 3,		/* still converging when the time ran out */
	XB_EXIT_STUCK = 4,		/* driver present, no progress */
	XB_EXIT_REFUSED = 5,		/* no progress; the guest reports a refusal */
	XB_EXIT_NO_DRIVER = 6,		/* no driver report and no progress */
	XB_EXIT_AT_FLOOR = 7,		/* no progress; the guest reports its floor */
	XB_EXIT_GONE = 8,		/* a domain went away during the wait */
	XB_EXIT_SHORT = 9,		/* reserve/create: the memory was not found in
					   time; every target was put back */
};

/* The exit code a domain left in state ST maps to. */
enum xb_exit xballoon_state_exit(enum xb_dom_state st);

/* Combine exit codes of several domains: the most severe wins. */
enum xb_exit xballoon_exit_worse(enum xb_exit a, enum xb_exit b);

struct xb_wait_opts {
	uint64_t timeout_ms;		/* give up after this long */
	unsigned interval_ms;		/* sampling period */
	uint64_t stuck_ms;		/* no progress (per Xen) for this long: stuck */
	/* called after every sample; may be NULL */
	void (*progress)(void *ctx, const struct xb_snapshot *snap,
			 const uint32_t *domids, const enum xb_dom_state *states,
			 size_t n, uint64_t elapsed_ms);
	void *ctx;
};

/*
 * Wait until every domain in DOMIDS is at its (current) target, or is stuck
 * by Xen's numbers (see xballoon_derive_state), or went away, or the time runs
 * out. A domain that goes away is GONE and the wait goes on for the others.
 * STATES_R (n entries) receives the final states. Returns an enum xb_exit.
 */
enum xb_exit xballoon_wait(struct xb_backend *be, const uint32_t *domids, size_t n,
		     const struct xb_wait_opts *o, enum xb_dom_state *states_r);

/* ==== reservations: free memory and hold it with a Xen claim ==== */
/*
 * A reservation holds KB of host memory for a domain about to be built.
 * While memory is being freed (FREEING) it is a record only; once Xen's free
 * memory (free - outstanding claims) holds it, an empty placeholder domain
 * (HOLDER) claims it (HELD), so no other domain can allocate it. Just before
 * `xl create` the claim is dropped and the placeholder destroyed (BUILDING):
 * libxl claims for the new domain itself. Records live in one dom0-only
 * xenstore key, XB_RESV_PATH (docs/xenstore-keys.md); xballoond counts
 * FREEING and BUILDING records as taken and never hands them out.
 */
#define XB_RESV_PATH "/local/domain/0/xballoon/reservations"
#define XB_RESV_NEXT_PATH "/local/domain/0/xballoon/reservation-next-id"
#define XB_DAEMON_PID_PATH "/local/domain/0/xballoon/daemon-pid"
#define XB_RESV_MAX 64
#define XB_RESV_HOLDER_NAME "xballoon-reserve-"	/* + id: the placeholder's name */

enum xb_resv_state { XB_RESV_FREEING, XB_RESV_HELD, XB_RESV_BUILDING, XB_RESV_NR };
const char *xballoon_resv_state_name(enum xb_resv_state v);

struct xb_resv {
	uint32_t id;			/* 1.. */
	enum xb_resv_state state;
	uint64_t kb;
	uint32_t holder;		/* placeholder domid; 0 none */
	int32_t pid;			/* creator */
	uint64_t pid_start;		/* its start time (/proc/PID/stat), 0 unknown */
	uint64_t deadline_ms;		/* monotonic: reaped after this if the creator died */
};

/*
 * Parse the records value (LEN bytes, untrusted shape): at most MAX records
 * into R. Returns 0, or -1 with *why_r (static) when a line is malformed.
 */
int xballoon_resv_parse(const char *s, size_t len, struct xb_resv *r, size_t max,
		  size_t *n_r, const char **why_r);
/* Read every record (no record: 0 of them). 0 or -1 with errno. */
int xballoon_resv_list(struct xb_backend *be, struct xb_resv *r, size_t max,
		 size_t *n_r);
/* Memory taken by records but not (or no longer) in a claim: FREEING + BUILDING. */
uint64_t xballoon_resv_unclaimed_kb(const struct xb_resv *r, size_t n);
/* Is the record's creator still running? */
bool xballoon_resv_creator_alive(struct xb_backend *be, const struct xb_resv *r);
/*
 * Release every reservation past its deadline whose creator is gone (claim
 * dropped, placeholder destroyed, record removed). Returns how many, or -1.
 */
int xballoon_resv_reap(struct xb_backend *be);
/* Release one: ENOENT when there is no such reservation. 0 or -1. */
int xballoon_resv_release(struct xb_backend *be, uint32_t id);

/*
 * Start a reservation of KB: a FREEING record owned by this process with
 * deadline now + HOLD_MS, and its placeholder domain. 0 or -1 with errno.
 */
int xballoon_resv_begin(struct xb_backend *be, uint64_t kb, uint64_t hold_ms,
		  struct xb_resv *r_out);
/* Try the claim: 1 held (record HELD), 0 not enough free yet, -1 error. */
int xballoon_resv_try_claim(struct xb_backend *be, struct xb_resv *r);
/* Set the record's deadline (and creator: this process) anew. 0 or -1. */
int xballoon_resv_touch(struct xb_backend *be, struct xb_resv *r, uint64_t hold_ms);
/*
 * Hand over to a build: drop the claim, destroy the placeholder, record
 * BUILDING (still counted as taken by xballoond until released). 0 or -1.
 */
int xballoon_resv_handover(struct xb_backend *be, struct xb_resv *r);

/*
 * Who gives: without xballoond, the command lowers targets itself with the
 * daemon's rules: a domain gives only when it has a balloon driver and policy
 * keys (memory/dynamic-min), never below max(dynamic-min, need), need being
 * used + XB_GIVE_MARGIN_KB from its report (or what it holds, without a
 * report); lowest weight first, in proportion to what each can give.
 */
#define XB_GIVE_MARGIN_KB (128 * 1024)	/* xballoond's default margin */
struct xb_give {
	uint32_t domid;
	uint64_t target_kb, floor_kb, new_kb;
	uint32_t weight;
	const char *held_back;		/* static: why it cannot give (more) */
};
/* Floors and weights of the domains of SNAP that may give; malloc()ed. */
int xballoon_give_donors(struct xb_backend *be, const struct xb_snapshot *snap,
		   struct xb_give **g_r, size_t *n_r);
/* Lower targets (new_kb) to free AMOUNT_KB; returns what the plan frees. */
uint64_t xballoon_give_plan(struct xb_give *g, size_t n, uint64_t amount_kb);

/* Is xballoond running (its pid in XB_DAEMON_PID_PATH, alive)? */
bool xballoon_daemon_running(struct xb_backend *be);
/* xballoond: announce (PID > 0) or withdraw (0) itself. 0 or -1. */
int xballoon_daemon_announce(struct xb_backend *be, int32_t pid);

/* ==== Prometheus text exposition ==== */

/*
 * The Prometheus text exposition (format 0.0.4) of SNAP's host and of N of
 * its domains, DOMS (pointers into SNAP, in that order; NULL: every domain
 * of SNAP, N ignored): what `xballoon list --prometheus` prints and what
 * xballoond's /metrics begins with. One "# HELP" and "# TYPE" per metric,
 * sizes in bytes, guest-reported series only for domains that report them.
 * Beyond SNAP it reads through BE each domain's policy keys (as
 * xballoon_dom_dynamic_range() and xballoon_dom_uncooperative() do, in one
 * round of requests where the backend pipelines reads) and the
 * reservations (xballoon_resv_list(); none when they cannot be read); it
 * changes nothing (no reaping). Metric names and help texts are listed in
 * docs/operator-guide.md and do not change within a soname.
 * On success *TEXT_R is malloc()ed and NUL-terminated (the caller frees
 * it) and *LEN_R (may be NULL) is its length without the NUL. Returns 0, or
 * -1 with errno (ENOMEM) and *TEXT_R NULL.
 */
int xballoon_prometheus(struct xb_backend *be, const struct xb_snapshot *snap,
		  const struct xb_domain *const *doms, size_t n,
		  char **text_r, size_t *len_r);

/* ==== events: differences between two snapshots (watch) ==== */

enum xb_event_type {
	XB_EV_DOMAIN_NEW,
	XB_EV_DOMAIN_GONE,
	XB_EV_TARGET,
	XB_EV_REPORT,
	XB_EV_STATE,
	XB_EV_RESYNC,		/* events were lost (overflow); state re-read */
	XB_EV_RECONNECT,	/* xenstored went away; reconnected, state re-read */
	XB_EV_NR
};
const char *xballoon_event_name(enum xb_event_type v);

struct xb_event {
	enum xb_event_type type;
	uint64_t ts_ms;			/* wall clock, ms since the epoch */
	const struct xb_domain *dom;	/* new view (old one for DOMAIN_GONE) */
	uint64_t old_kb, new_kb;	/* TARGET */
	enum xb_dom_state old_state, new_state;	/* STATE */
	const char *detail;		/* RECONNECT: what happened (static) */
};

typedef void (*xb_event_fn)(void *ctx, const struct xb_event *ev);

/* Same report content (status, numbers, words)? */
bool xballoon_report_same(const struct xb_report *a, const struct xb_report *b);

/*
 * Events between two views of one domain; OLD or CUR may be NULL (appeared,
 * left). States must already be derived. Events come in a fixed order:
 * domain-new, target, report, state, domain-gone.
 */
void xballoon_events_diff(const struct xb_domain *old, const struct xb_domain *cur,
		    uint64_t ts_ms, xb_event_fn fn, void *ctx);

/* Events between two snapshots (domains matched by domid). */
void xballoon_events_snapshot(const struct xb_snapshot *old,
			const struct xb_snapshot *cur, uint64_t ts_ms,
			xb_event_fn fn, void *ctx);

#endif
