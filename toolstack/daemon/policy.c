// SPDX-License-Identifier: GPL-2.0
/*
 * xballoond's policy: pure arithmetic over the inputs of policy.h.
 *
 * One step:
 *  1. per domain: managed or not, cooperative or not (Xen's numbers only),
 *     used memory and pressure (its report), margin, need, borrow;
 *  2. the budget: free memory above the reserve plus what the managed,
 *     cooperative domains hold, minus what the others are still growing into
 *     and what reservations (xballoon reserve) take outside a claim;
 *  3. every managed domain keeps min(need, what it holds), never below
 *     dynamic-min; if even that does not fit, the lowest weights shrink
 *     toward dynamic-min first;
 *  4. growth toward need comes from what is left (weighted when short), so
 *     one guest's claimed need never pushes another below its need;
 *  5. the rest is shared by weight up to each dynamic-max / static-max.
 */
#include <string.h>

#include "libxballoon.h"
#include "policy.h"

#define MIB 1024ull
#define WEIGHT_MAX 1000u		/* bounds the weighted products */
#define PSI_STALL_MILLI 1000u		/* some avg10 above 1 %: stalls */
#define PROGRESS_KB MIB			/* closer by this much: progress */

const char *const xbd_reason_name[XBD_R_NR] = {
	[XBD_R_UNMANAGED] = "unmanaged",
	[XBD_R_DOM0] = "dom0-unmanaged",
	[XBD_R_UNCOOPERATIVE] = "uncooperative",
	[XBD_R_HOLD] = "hold",
	[XBD_R_NEED] = "need",
	[XBD_R_SHARE] = "share",
	[XBD_R_BORROW] = "borrow",
	[XBD_R_SHORT] = "short",
	[XBD_R_AT_MIN] = "at-dynamic-min",
	[XBD_R_AT_MAX] = "at-dynamic-max",
};

void xbd_config_default(struct xbd_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->reserve_kb = 256 * MIB;
	cfg->margin_kb = 128 * MIB;
	cfg->margin_min_kb = 64 * MIB;
	cfg->margin_max_kb = 1024 * MIB;
	cfg->avail_low_pct = 10;
	cfg->headroom_kb = 256 * MIB;
	cfg->hysteresis_kb = 16 * MIB;
	cfg->min_interval_ms = 2000;
	cfg->stuck_ms = 20000;
	cfg->default_weight = 1;
}

const char *xbd_config_check(const struct xbd_config *cfg)
{
	if (cfg->margin_min_kb > cfg->margin_max_kb)
		return "margin-min is above margin-max";
	if (cfg->margin_kb < cfg->margin_min_kb ||
	    cfg->margin_kb > cfg->margin_max_kb)
		return "margin is outside [margin-min, margin-max]";
	if (cfg->avail_low_pct > 100)
		return "avail-low is above 100%";
	if (cfg->stuck_ms == 0)
		return "stuck time must be above 0";
	if (cfg->default_max_kb && cfg->default_min_kb > cfg->default_max_kb)
		return "default-min is above default-max";
	if (cfg->default_weight == 0 || cfg->default_weight > WEIGHT_MAX)
		return "default-weight must be 1..1000";
	return NULL;
}

static uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

static uint64_t max_u64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

static uint64_t clamp_u64(uint64_t v, uint64_t lo, uint64_t hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

static uint64_t sub_sat(uint64_t a, uint64_t b)
{
	return a > b ? a - b : 0;
}

static uint64_t add_sat(uint64_t a, uint64_t b)
{
	return a + b < a ? UINT64_MAX : a + b;
}

bool xbd_dom_range(const struct xbd_config *cfg, const struct xbd_dom *d,
		   uint64_t *min_r, uint64_t *max_r, uint32_t *weight_r)
{
	uint64_t lo, hi;
	uint32_t w;

	if (d->domid == 0 && !cfg->manage_dom0)
		return false;
	if (d->has_policy) {
		lo = d->dyn_min_kb;
		hi = d->dyn_max_kb;
		w = d->weight;
	} else if (cfg->default_max_kb) {
		lo = cfg->default_min_kb;
		hi = cfg->default_max_kb;
		w = cfg->default_weight;
	} else {
		return false;
	}
	if (d->static_max_kb)
		hi = min_u64(hi, d->static_max_kb);
	lo = max_u64(lo, d->domid == 0 ? XB_DOM0_MIN_KB : XB_DOMU_MIN_KB);
	if (lo > hi)
		lo = hi;
	*min_r = lo;
	*max_r = hi;
	*weight_r = w == 0 ? 1 : w > WEIGHT_MAX ? WEIGHT_MAX : w;
	return true;
}

static struct xbd_mem *mem_for(struct xbd_mem *mem, size_t n, size_t i,
			       uint32_t domid)
{
	for (size_t j = 0; j < n; j++)
		if (mem[j].valid && mem[j].domid == domid) {
			if (j != i) {
				struct xbd_mem t = mem[i];

				mem[i] = mem[j];
				mem[j] = t;
			}
			return &mem[i];
		}
	if (mem[i].valid) {
		/* slot i belongs to another domain: find a free one for it */
		for (size_t j = 0; j < n; j++)
			if (!mem[j].valid) {
				mem[j] = mem[i];
				break;
			}
	}
	memset(&mem[i], 0, sizeof(mem[i]));
	mem[i].domid = domid;
	return &mem[i];
}

/* Xen's numbers only: has D's tot_pages moved toward its target lately? */
static bool track_stuck(const struct xbd_config *cfg, const struct xbd_dom *d,
			struct xbd_mem *m, uint64_t now_ms)
{
	uint64_t gap = d->tot_kb > d->target_kb ? d->tot_kb - d->target_kb :
			d->target_kb - d->tot_kb;

	if (m->track_target_kb != d->target_kb || gap <= xballoon_target_tolerance_kb(d->target_kb)) {
		m->track_target_kb = d->target_kb;
		m->best_gap_kb = gap;
		m->last_progress_ms = now_ms;
		return false;
	}
	if (gap + PROGRESS_KB <= m->best_gap_kb) {
		m->best_gap_kb = gap;
		m->last_progress_ms = now_ms;
		return false;
	}
	return now_ms - m->last_progress_ms >= cfg->stuck_ms;
}

/* Used memory and pressure from the (untrusted) report. */
static uint64_t dom_used(const struct xbd_config *cfg, const struct xbd_dom *d,
			 bool *pressure_r)
{
	uint64_t size, used;

	*pressure_r = false;
	if (!d->has_report || d->mem_total_kb < d->mem_avail_kb)
		return d->tot_kb;	/* nothing usable: its size is its need */
	size = sub_sat(d->mem_total_kb, d->balloon_kb);
	used = sub_sat(size, d->mem_avail_kb);
	if (d->has_psi)
		*pressure_r = d->psi_some_avg10_milli > PSI_STALL_MILLI;
	else
		*pressure_r = d->mem_avail_kb * 100 < size * cfg->avail_low_pct;
	return used;
}

struct slot {
	bool active;
	uint64_t lo, hi, need, tgt, used;
	uint32_t w;
};

/* Give AMOUNT to the slots by weight, each up to its cap(s); returns the rest. */
static uint64_t waterfill(struct slot *s, size_t n, uint64_t amount,
			  const uint64_t *cap)
{
	while (amount > 0) {
		uint64_t wsum = 0, given = 0;

		for (size_t i = 0; i < n; i++)
			if (s[i].active && s[i].tgt < cap[i])
				wsum += s[i].w;
		if (wsum == 0)
			break;
		for (size_t i = 0; i < n && given < amount; i++) {
			uint64_t share;

			if (!s[i].active || s[i].tgt >= cap[i])
				continue;
			share = amount / wsum * s[i].w +
				amount % wsum * s[i].w / wsum;
			share = max_u64(share, 1);
			share = min_u64(share, min_u64(cap[i] - s[i].tgt,
						       amount - given));
			s[i].tgt += share;
			given += share;
		}
		amount -= given;
		if (given == 0)
			break;
	}
	return amount;
}

void xbd_policy_step(const struct xbd_config *cfg, const struct xbd_host *host,
		     const struct xbd_dom *doms, struct xbd_mem *mem, size_t n,
		     uint64_t now_ms, struct xbd_out *out)
{
	struct slot s[n ? n : 1];
	uint64_t cap[n ? n : 1];
	uint64_t budget, others = 0, held = 0, base = 0, grow = 0, rest;

	memset(s, 0, sizeof(s));
	memset(cap, 0, sizeof(cap));
	for (size_t i = 0; i < n; i++) {
		const struct xbd_dom *d = &doms[i];
		struct xbd_mem *m = mem_for(mem, n, i, d->domid);
		struct xbd_out *o = &out[i];
		bool moved, grew;

		memset(o, 0, sizeof(*o));
		o->domid = d->domid;
		o->target_kb = d->target_kb;
		o->maxmem_kb = 0;
		if (!m->valid) {
			m->valid = true;
			m->margin_kb = cfg->margin_kb;
		}
		moved = m->have_deflates && d->has_report &&
			d->oom_deflates != m->last_deflates;
		if (d->has_report) {
			m->have_deflates = true;
			m->last_deflates = d->oom_deflates;
		}
		/*
		 * Xen's numbers alone show a borrow too: tot_pages went up, above
		 * the target, since the last step. The report saying so can come
		 * later (rate-limited); a step in between must not take back
		 * what the guest just took to stay out of OOM.
		 */
		grew = m->have_tot &&
		       d->tot_kb > add_sat(d->target_kb,
					   xballoon_target_tolerance_kb(d->target_kb)) &&
		       d->tot_kb > add_sat(m->last_tot_kb, PROGRESS_KB);
		m->have_tot = true;
		m->last_tot_kb = d->tot_kb;
		if (m->uncooperative) {
			/* marked until Xen shows it moving on its own */
			uint64_t moved_kb = d->tot_kb > m->stuck_tot_kb ?
					    d->tot_kb - m->stuck_tot_kb :
					    m->stuck_tot_kb - d->tot_kb;

			bool pr;
			/*
			 * Or, after stuck_ms, when its report says it holds far
			 * more than it uses: ask again (a lie only gets it asked
			 * to give, and a guest that still cannot is marked again).
			 */
			bool can_give = d->has_report &&
				now_ms - m->stuck_since_ms >= cfg->stuck_ms &&
				add_sat(add_sat(dom_used(cfg, d, &pr), m->margin_kb),
					cfg->hysteresis_kb) < d->tot_kb;

			if (moved_kb >= PROGRESS_KB || can_give) {
				m->uncooperative = false;
				m->track_target_kb = UINT64_MAX;
				track_stuck(cfg, d, m, now_ms);
			}
		} else if (track_stuck(cfg, d, m, now_ms)) {
			m->uncooperative = true;
			m->stuck_tot_kb = d->tot_kb;
			m->stuck_since_ms = now_ms;
		}
		if (!xbd_dom_range(cfg, d, &s[i].lo, &s[i].hi, &s[i].w)) {
			o->reason = d->domid == 0 && d->has_policy ?
				    XBD_R_DOM0 : XBD_R_UNMANAGED;
			others = add_sat(others, sub_sat(d->target_kb, d->tot_kb));
			continue;
		}
		o->managed = true;
		if (m->uncooperative) {
			/*
			 * Its memory is not counted as reclaimable, and it is no
			 * longer asked for it: its target becomes what it holds
			 * (within its range), so that a guest that cannot give
			 * (its memory in use, or no driver) is not left below
			 * what it holds, unable to borrow past a stale target.
			 */
			uint64_t tgt = clamp_u64(d->tot_kb & ~(uint64_t)(XB_PAGE_KB - 1),
						 s[i].lo, s[i].hi);
			uint64_t delta = tgt > d->target_kb ? tgt - d->target_kb :
					 d->target_kb - tgt;

			o->uncooperative = true;
			o->reason = XBD_R_UNCOOPERATIVE;
			if (delta > xballoon_target_tolerance_kb(tgt)) {
				o->change = true;
				o->target_kb = tgt;
				m->changed_once = true;
				m->last_change_ms = now_ms;
			}
			o->maxmem_kb = min_u64(add_sat(o->target_kb, cfg->headroom_kb),
					       s[i].hi);
			others = add_sat(others, sub_sat(o->target_kb, d->tot_kb));
			continue;
		}
		o->used_kb = dom_used(cfg, d, &o->pressure);
		if (o->pressure || moved || grew)
			m->margin_kb = min_u64(cfg->margin_max_kb,
					       m->margin_kb + m->margin_kb / 2 + 16 * MIB);
		else
			m->margin_kb = max_u64(cfg->margin_min_kb,
					       m->margin_kb - m->margin_kb / 32);
		o->pressure = o->pressure || moved || grew;
		o->margin_kb = m->margin_kb;
		s[i].need = clamp_u64(add_sat(o->used_kb, m->margin_kb),
				      s[i].lo, s[i].hi);
		if ((moved || grew) && d->tot_kb > d->target_kb +
		    xballoon_target_tolerance_kb(d->target_kb)) {
			/* it borrowed: what it took is its need now */
			o->borrow = true;
			s[i].need = clamp_u64(max_u64(s[i].need, d->tot_kb),
					      s[i].lo, s[i].hi);
		}
		o->need_kb = s[i].need;
		s[i].used = o->used_kb;
		s[i].active = true;
		s[i].tgt = clamp_u64(min_u64(s[i].need, d->tot_kb), s[i].lo, s[i].hi);
		held = add_sat(held, d->tot_kb);
		base = add_sat(base, s[i].tgt);
	}

	budget = sub_sat(add_sat(host->free_kb, held),
			 add_sat(add_sat(cfg->reserve_kb, others), host->reserved_kb));

	if (base > budget) {
		/*
		 * Short: lowest weight first, toward dynamic-min, never below.
		 * First down to what each uses (its cache and free memory: what
		 * it can give), and only then below that, where the guest can
		 * give only by reclaiming harder.
		 */
		uint64_t deficit = base - budget;

		for (int pass = 0; pass < 2 && deficit > 0; pass++) {
			while (deficit > 0) {
				size_t pick = n;

				for (size_t i = 0; i < n; i++)
					if (s[i].active &&
					    s[i].tgt > (pass ? s[i].lo : max_u64(s[i].lo, s[i].used)) &&
					    (pick == n || s[i].w < s[pick].w))
						pick = i;
				if (pick == n)
					break;
				uint64_t floor = pass ? s[pick].lo :
						 max_u64(s[pick].lo, s[pick].used);
				uint64_t cut = min_u64(deficit, s[pick].tgt - floor);

				s[pick].tgt -= cut;
				deficit -= cut;
			}
		}
		rest = 0;
	} else {
		rest = budget - base;
	}

	/* growth toward need, by weight when it does not all fit */
	for (size_t i = 0; i < n; i++) {
		cap[i] = s[i].active ? max_u64(s[i].need, s[i].tgt) : 0;
		grow = add_sat(grow, cap[i] - (s[i].active ? s[i].tgt : 0));
	}
	if (grow)
		rest = waterfill(s, n, rest, cap);
	/* the rest, shared by weight up to each range's top */
	for (size_t i = 0; i < n; i++)
		cap[i] = s[i].active ? s[i].hi : 0;
	waterfill(s, n, rest, cap);

	for (size_t i = 0; i < n; i++) {
		const struct xbd_dom *d = &doms[i];
		struct xbd_mem *m = &mem[i];
		struct xbd_out *o = &out[i];
		uint64_t tgt, delta;
		bool in_range;

		if (!s[i].active)
			continue;
		tgt = s[i].tgt & ~(uint64_t)(XB_PAGE_KB - 1);
		tgt = clamp_u64(tgt, s[i].lo, s[i].hi);
		if (o->borrow)
			o->reason = XBD_R_BORROW;
		else if (tgt < s[i].need)
			o->reason = tgt == s[i].lo ? XBD_R_AT_MIN : XBD_R_SHORT;
		else if (tgt == s[i].hi && tgt > s[i].need)
			o->reason = XBD_R_AT_MAX;
		else if (tgt > s[i].need)
			o->reason = XBD_R_SHARE;
		else
			o->reason = XBD_R_NEED;
		delta = tgt > d->target_kb ? tgt - d->target_kb : d->target_kb - tgt;
		in_range = d->target_kb >= s[i].lo && d->target_kb <= s[i].hi;
		if (delta == 0 ||
		    (in_range && !o->borrow &&
		     (delta < cfg->hysteresis_kb ||
		      (m->changed_once &&
		       now_ms - m->last_change_ms < cfg->min_interval_ms)))) {
			if (delta)
				o->reason = XBD_R_HOLD;
			tgt = d->target_kb;
		} else {
			o->change = true;
			m->changed_once = true;
			m->last_change_ms = now_ms;
		}
		o->target_kb = tgt;
		/* the borrow headroom, never past the range's top */
		o->maxmem_kb = min_u64(add_sat(tgt, cfg->headroom_kb), s[i].hi);
	}
}
