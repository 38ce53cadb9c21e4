/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xballoond's policy, as pure code: domain and host states and a
 * configuration in, new targets, maxmem values and a reason per domain out.
 * No Xen, no xenstore, no clock: the daemon (xballoond.c) gathers the inputs
 * and applies the outputs; the unit tests and the simulator call it directly.
 *
 * Units: KiB unless a name says ms. Everything a guest wrote (its report) is
 * untrusted: it can only move that guest's own need, within its range.
 */
#ifndef XBD_POLICY_H
#define XBD_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct xbd_config {
	uint64_t reserve_kb;		/* host free memory never handed out */
	uint64_t margin_kb;		/* initial margin on top of used memory */
	uint64_t margin_min_kb, margin_max_kb;	/* bounds of the margin */
	uint32_t avail_low_pct;		/* MemAvailable below this % of its size: pressure */
	uint64_t headroom_kb;		/* maxmem = target + headroom (borrow bound) */
	uint64_t hysteresis_kb;		/* smaller changes are not made */
	uint64_t min_interval_ms;	/* between two changes of one domain (borrow excepted) */
	uint64_t stuck_ms;		/* no progress toward a target for this long: uncooperative */
	bool manage_dom0;		/* dom0 is managed only when this is set */
	/* domains without policy keys: left alone unless default_max_kb > 0 */
	uint64_t default_min_kb, default_max_kb;
	uint32_t default_weight;
};

/* Sensible defaults (the values in docs/xballoond.conf.example). */
void xbd_config_default(struct xbd_config *cfg);
/* NULL when CFG is consistent, else a static reason. */
const char *xbd_config_check(const struct xbd_config *cfg);

/* One domain as the daemon sees it now. */
struct xbd_dom {
	uint32_t domid;
	/* Xen's numbers (trusted) */
	uint64_t tot_kb;		/* tot_pages in KiB */
	uint64_t static_max_kb;
	uint64_t target_kb;		/* memory/target now */
	/* policy keys (dom0-written) */
	bool has_policy;
	uint64_t dyn_min_kb, dyn_max_kb;
	uint32_t weight;
	/* the guest's report (untrusted) */
	bool has_report;
	uint64_t mem_total_kb, mem_avail_kb, balloon_kb, oom_deflates;
	bool has_psi;
	uint32_t psi_some_avg10_milli;	/* percent * 1000 */
};

/* What the policy remembers about a domain between steps. */
struct xbd_mem {
	uint32_t domid;
	bool valid;
	uint64_t margin_kb;
	bool have_deflates;
	uint64_t last_deflates;
	bool have_tot;
	uint64_t last_tot_kb;		/* Xen's tot_pages at the last step */
	uint64_t last_change_ms;
	bool changed_once;
	/* progress toward the target, from Xen's numbers only */
	uint64_t track_target_kb, best_gap_kb, last_progress_ms;
	bool uncooperative;		/* until tot moves by itself */
	uint64_t stuck_tot_kb;		/* tot when it was marked */
	uint64_t stuck_since_ms;	/* when it was marked */
};

struct xbd_host {
	uint64_t free_kb;		/* Xen's free memory (free - outstanding) */
	/*
	 * Reservations not (or no longer) in a Xen claim (freeing, building):
	 * taken out of free memory, never handed to a guest. Claimed ones are
	 * already out of free_kb (outstanding claims).
	 */
	uint64_t reserved_kb;
};

enum xbd_reason {
	XBD_R_UNMANAGED,	/* no policy keys and no default range: left alone */
	XBD_R_DOM0,		/* dom0, not configured to be managed */
	XBD_R_UNCOOPERATIVE,	/* target not reached, no progress: left alone */
	XBD_R_HOLD,		/* change smaller than the hysteresis, or too soon */
	XBD_R_NEED,		/* target = need (used + margin, clamped) */
	XBD_R_SHARE,		/* need plus its weighted share of free memory */
	XBD_R_BORROW,		/* it deflated on OOM above its target: raised */
	XBD_R_SHORT,		/* host short: below need, toward dynamic-min */
	XBD_R_AT_MIN,		/* at dynamic-min (host short) */
	XBD_R_AT_MAX,		/* capped at dynamic-max / static-max */
	XBD_R_NR
};
extern const char *const xbd_reason_name[XBD_R_NR];

struct xbd_out {
	uint32_t domid;
	bool managed;
	bool change;			/* set target_kb / maxmem_kb */
	bool uncooperative;		/* newly or still marked */
	uint64_t need_kb, margin_kb, used_kb;
	uint64_t target_kb;		/* new target (== current when !change) */
	uint64_t maxmem_kb;		/* target + headroom, at most dynamic-max/static-max */
	bool pressure, borrow;
	enum xbd_reason reason;
};

/*
 * One decision over N domains. MEM (N entries, matched by domid; entries for
 * unknown domids are reset) is updated. OUT receives one entry per domain.
 */
void xbd_policy_step(const struct xbd_config *cfg, const struct xbd_host *host,
		     const struct xbd_dom *doms, struct xbd_mem *mem, size_t n,
		     uint64_t now_ms, struct xbd_out *out);

/* Effective range of D under CFG: false when D is not managed. */
bool xbd_dom_range(const struct xbd_config *cfg, const struct xbd_dom *d,
		   uint64_t *min_r, uint64_t *max_r, uint32_t *weight_r);

#endif
