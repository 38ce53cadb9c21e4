// SPDX-License-Identifier: GPL-2.0
/* Unit tests and a small simulator for xballoond's policy (daemon/policy.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "libxballoon.h"
#include "policy.h"

#define MIB 1024ull
#define GIB (1024 * MIB)

static struct xbd_config cfg;

static int setup(void **state)
{
	(void)state;
	xbd_config_default(&cfg);
	cfg.reserve_kb = 0;
	cfg.min_interval_ms = 0;
	return 0;
}

static struct xbd_dom dom(uint32_t domid, uint64_t tot, uint64_t min,
			  uint64_t max, uint32_t weight)
{
	struct xbd_dom d = {
		.domid = domid, .tot_kb = tot, .target_kb = tot,
		.static_max_kb = 4 * GIB, .has_policy = true,
		.dyn_min_kb = min, .dyn_max_kb = max, .weight = weight,
	};
	return d;
}

/* a report saying USED of its current size is in use */
static void report(struct xbd_dom *d, uint64_t used, uint64_t deflates)
{
	d->has_report = true;
	d->mem_total_kb = d->static_max_kb;
	d->balloon_kb = d->static_max_kb - d->tot_kb;
	d->mem_avail_kb = d->tot_kb > used ? d->tot_kb - used : 0;
	d->oom_deflates = deflates;
}

static void step(const struct xbd_dom *d, struct xbd_mem *m, size_t n,
		 uint64_t free_kb, uint64_t now, struct xbd_out *o)
{
	struct xbd_host h = { .free_kb = free_kb };

	xbd_policy_step(&cfg, &h, d, m, n, now, o);
}

static void test_need_is_used_plus_margin(void **state)
{
	struct xbd_dom d[2] = { dom(1, 1 * GIB, 128 * MIB, 2 * GIB, 1),
				dom(2, 1 * GIB, 128 * MIB, 2 * GIB, 1) };
	struct xbd_mem m[2] = { 0 };
	struct xbd_out o[2];

	(void)state;
	report(&d[0], 300 * MIB, 0);
	report(&d[1], 1900 * MIB, 0);
	step(d, m, 2, 0, 0, o);
	assert_int_equal(o[0].used_kb, 300 * MIB);
	/* the margin shrinks slowly from its start when there is no pressure */
	assert_true(o[0].margin_kb < cfg.margin_kb);
	assert_true(o[0].margin_kb >= cfg.margin_kb - cfg.margin_kb / 16);
	assert_int_equal(o[0].need_kb, 300 * MIB + o[0].margin_kb);
	/*
	 * No free memory: the idle one shrinks toward its need, the busy one
	 * gets its need, and what is left is shared by weight (1:1).
	 */
	assert_true(o[0].change);
	assert_int_equal(o[0].reason, XBD_R_SHARE);
	assert_true(o[0].target_kb < 1 * GIB);
	assert_true(o[1].target_kb >= o[1].need_kb);
	assert_true(o[0].target_kb - o[0].need_kb <= o[1].target_kb - o[1].need_kb + 8);
	assert_true(o[0].target_kb + o[1].target_kb <= 2 * GIB);
	assert_true(o[0].target_kb + o[1].target_kb >= 2 * GIB - 8);
}

static void test_margin_grows_under_pressure_shrinks_slowly(void **state)
{
	struct xbd_dom d = dom(1, 1 * GIB, 128 * MIB, 4 * GIB, 1);
	struct xbd_mem m = { 0 };
	struct xbd_out o;
	uint64_t prev;

	(void)state;
	report(&d, 1 * GIB - 10 * MIB, 0);	/* 1 % available: pressure */
	step(&d, &m, 1, 0, 0, &o);
	assert_true(o.pressure);
	assert_true(o.margin_kb > cfg.margin_kb);
	prev = o.margin_kb;
	step(&d, &m, 1, 0, 1000, &o);
	assert_true(o.margin_kb > prev);
	for (int i = 0; i < 50; i++)
		step(&d, &m, 1, 0, 2000 + i, &o);
	assert_int_equal(o.margin_kb, cfg.margin_max_kb);
	/* PSI, when present, decides instead of MemAvailable */
	d.has_psi = true;
	d.psi_some_avg10_milli = 0;
	prev = o.margin_kb;
	step(&d, &m, 1, 0, 3000, &o);
	assert_false(o.pressure);
	assert_true(o.margin_kb < prev);
	assert_true(o.margin_kb >= prev - prev / 16);	/* slowly */
	d.psi_some_avg10_milli = 5000;
	prev = o.margin_kb;
	step(&d, &m, 1, 0, 4000, &o);
	assert_true(o.pressure);
	assert_true(o.margin_kb > prev);
	/* and it never goes below its minimum */
	d.psi_some_avg10_milli = 0;
	for (int i = 0; i < 500; i++)
		step(&d, &m, 1, 0, 5000 + i, &o);
	assert_int_equal(o.margin_kb, cfg.margin_min_kb);
}

static void test_need_clamped_to_range(void **state)
{
	struct xbd_dom d[2] = { dom(1, 1 * GIB, 512 * MIB, 768 * MIB, 1),
				dom(2, 1 * GIB, 512 * MIB, 768 * MIB, 1) };
	struct xbd_mem m[2] = { 0 };
	struct xbd_out o[2];

	(void)state;
	report(&d[0], 10 * MIB, 0);		/* tiny: dynamic-min */
	report(&d[1], 3 * GIB, 0);		/* huge: dynamic-max */
	step(d, m, 2, 0, 0, o);
	assert_int_equal(o[0].need_kb, 512 * MIB);
	assert_int_equal(o[1].need_kb, 768 * MIB);
	assert_true(o[1].target_kb <= 768 * MIB);
	assert_true(o[0].target_kb >= 512 * MIB);
}

static void test_free_shared_by_weight(void **state)
{
	struct xbd_dom d[2] = { dom(1, 512 * MIB, 128 * MIB, 4 * GIB, 1),
				dom(2, 512 * MIB, 128 * MIB, 4 * GIB, 3) };
	struct xbd_mem m[2] = { 0 };
	struct xbd_out o[2];
	uint64_t extra0, extra1;

	(void)state;
	cfg.reserve_kb = 256 * MIB;
	report(&d[0], 200 * MIB, 0);
	report(&d[1], 200 * MIB, 0);
	step(d, m, 2, 256 * MIB + 1 * GIB, 0, o);
	assert_int_equal(o[0].need_kb, o[1].need_kb);
	extra0 = o[0].target_kb - o[0].need_kb;
	extra1 = o[1].target_kb - o[1].need_kb;
	assert_int_equal(o[0].reason, XBD_R_SHARE);
	/* 1:3, to the page */
	assert_true(extra1 >= 3 * extra0 - 16 && extra1 <= 3 * extra0 + 16);
	/* the reserve stays free */
	assert_true(o[0].target_kb + o[1].target_kb <= 2 * GIB);
	assert_true(o[0].target_kb + o[1].target_kb >= 2 * GIB - 16);
}

static void test_short_lowest_weight_first(void **state)
{
	struct xbd_dom d[3] = { dom(1, 1 * GIB, 256 * MIB, 2 * GIB, 1),
				dom(2, 1 * GIB, 256 * MIB, 2 * GIB, 5),
				dom(3, 1 * GIB, 256 * MIB, 2 * GIB, 3) };
	struct xbd_mem m[3] = { 0 };
	struct xbd_out o[3];

	(void)state;
	for (int i = 0; i < 3; i++)
		report(&d[i], 900 * MIB, 0);
	/* Xen gives nothing free and the reserve wants 600 MiB back */
	cfg.reserve_kb = 600 * MIB;
	step(d, m, 3, 0, 0, o);
	/*
	 * First every domain gives what it does not use (124 MiB each, 372 in
	 * all, lowest weight first), then weight 1 pays the other 228 MiB below
	 * what it uses.
	 */
	assert_int_equal(o[0].target_kb, 900 * MIB - 228 * MIB);
	assert_int_equal(o[0].reason, XBD_R_SHORT);
	assert_int_equal(o[1].target_kb, 900 * MIB);
	assert_int_equal(o[2].target_kb, 900 * MIB);
	cfg.reserve_kb = 1 * GIB;
	memset(m, 0, sizeof(m));
	step(d, m, 3, 0, 0, o);
	/* 1 GiB: 372 MiB unused, then weight 1 down to its dynamic-min (644) */
	assert_int_equal(o[0].target_kb, 256 * MIB);
	assert_int_equal(o[0].reason, XBD_R_AT_MIN);
	/* then weight 3, for the last 8 MiB */
	assert_int_equal(o[2].target_kb, 892 * MIB);
	assert_int_equal(o[1].target_kb, 900 * MIB);
	/* never below dynamic-min, even when nothing fits */
	cfg.reserve_kb = 64 * GIB;
	step(d, m, 3, 0, 0, o);
	for (int i = 0; i < 3; i++)
		assert_int_equal(o[i].target_kb, 256 * MIB);
}

static void test_never_above_max_or_static_max(void **state)
{
	struct xbd_dom d[2] = { dom(1, 512 * MIB, 128 * MIB, 8 * GIB, 1),
				dom(2, 512 * MIB, 128 * MIB, 700 * MIB, 1) };
	struct xbd_mem m[2] = { 0 };
	struct xbd_out o[2];

	(void)state;
	d[0].static_max_kb = 1 * GIB;
	report(&d[0], 100 * MIB, 0);
	report(&d[1], 100 * MIB, 0);
	step(d, m, 2, 64 * GIB, 0, o);
	assert_int_equal(o[0].target_kb, 1 * GIB);
	assert_int_equal(o[0].reason, XBD_R_AT_MAX);
	assert_int_equal(o[1].target_kb, 700 * MIB);
	/* maxmem: target + headroom, never above static-max */
	assert_int_equal(o[0].maxmem_kb, 1 * GIB);
	assert_int_equal(o[1].maxmem_kb, 700 * MIB);
	/* below the top: target + headroom */
	d[1].dyn_max_kb = 2 * GIB;
	d[1].static_max_kb = 2 * GIB;
	report(&d[1], 100 * MIB, 0);
	cfg.headroom_kb = 128 * MIB;
	step(d, m, 2, 0, 0, o);
	assert_true(o[1].target_kb < 2 * GIB - 128 * MIB);
	assert_int_equal(o[1].maxmem_kb, o[1].target_kb + 128 * MIB);
}

static void test_unmanaged_and_dom0_left_alone(void **state)
{
	struct xbd_dom d[3] = { dom(0, 2 * GIB, 512 * MIB, 4 * GIB, 1),
				dom(1, 1 * GIB, 0, 0, 0),
				dom(2, 512 * MIB, 128 * MIB, 4 * GIB, 1) };
	struct xbd_mem m[3] = { 0 };
	struct xbd_out o[3];

	(void)state;
	d[1].has_policy = false;
	for (int i = 0; i < 3; i++)
		report(&d[i], 100 * MIB, 0);
	/* dom1 is still growing toward its target: that memory is not ours */
	d[1].tot_kb = 512 * MIB;
	step(d, m, 3, 1 * GIB, 0, o);
	assert_false(o[0].managed);
	assert_false(o[0].change);
	assert_int_equal(o[0].reason, XBD_R_DOM0);
	assert_false(o[1].managed);
	assert_false(o[1].change);
	assert_int_equal(o[1].reason, XBD_R_UNMANAGED);
	assert_true(o[2].managed);
	assert_int_equal(o[2].target_kb, 512 * MIB + 512 * MIB);
	/* configured: dom0 with its keys, others with the default range */
	cfg.manage_dom0 = true;
	cfg.default_min_kb = 256 * MIB;
	cfg.default_max_kb = 1 * GIB;
	memset(m, 0, sizeof(m));
	step(d, m, 3, 1 * GIB, 0, o);
	assert_true(o[0].managed);
	assert_true(o[1].managed);
	assert_true(o[1].target_kb <= 1 * GIB);
	assert_true(o[1].target_kb >= 256 * MIB);
}

static void test_borrow_raises_target(void **state)
{
	struct xbd_dom d[2] = { dom(1, 1 * GIB, 256 * MIB, 2 * GIB, 1),
				dom(2, 1 * GIB, 256 * MIB, 2 * GIB, 1) };
	struct xbd_mem m[2] = { 0 };
	struct xbd_out o[2];

	(void)state;
	report(&d[0], 700 * MIB, 3);
	report(&d[1], 200 * MIB, 0);
	step(d, m, 2, 0, 0, o);
	/* dom1 deflated on OOM: 300 MiB above its target, counter moved */
	d[0].target_kb = o[0].target_kb;
	d[1].target_kb = o[1].target_kb;
	d[1].tot_kb = d[1].target_kb;
	d[0].tot_kb = d[0].target_kb + 300 * MIB;
	report(&d[0], d[0].tot_kb - 20 * MIB, 4);
	report(&d[1], 200 * MIB, 0);
	step(d, m, 2, 0, 100, o);
	assert_true(o[0].borrow);
	assert_int_equal(o[0].reason, XBD_R_BORROW);
	assert_true(o[0].change);
	assert_true(o[0].target_kb >= d[0].tot_kb);
	/* taken from the other, which keeps its need */
	assert_true(o[1].target_kb < d[1].target_kb);
	assert_true(o[1].target_kb >= o[1].need_kb);
	/* without the counter moving, a domain above its target is no borrow */
	report(&d[0], d[0].tot_kb - 20 * MIB, 4);
	step(d, m, 2, 0, 200, o);
	assert_false(o[0].borrow);
}

/*
 * A borrow seen in Xen's numbers before the report says so (the report is
 * rate-limited): a step in between once raised the target by a share and
 * set maxmem below what the guest held (seen in the lab, daemon-borrow).
 */
static void test_borrow_seen_in_xen(void **state)
{
	struct xbd_dom d[2] = { dom(1, 1 * GIB, 256 * MIB, 2 * GIB, 1),
				dom(2, 1 * GIB, 256 * MIB, 2 * GIB, 1) };
	struct xbd_mem m[2] = { 0 };
	struct xbd_out o[2];

	(void)state;
	report(&d[0], 300 * MIB, 3);
	report(&d[1], 200 * MIB, 0);
	step(d, m, 2, 0, 0, o);
	d[0].target_kb = o[0].target_kb;
	d[1].target_kb = o[1].target_kb;
	d[0].tot_kb = d[0].target_kb;
	d[1].tot_kb = d[1].target_kb;
	step(d, m, 2, 0, 100, o);
	assert_false(o[0].borrow);
	/* Xen: 200 MiB above its target; the report is the old one */
	d[0].tot_kb = d[0].target_kb + 200 * MIB;
	step(d, m, 2, 0, 200, o);
	assert_true(o[0].borrow);
	assert_true(o[0].pressure);
	assert_int_equal(o[0].reason, XBD_R_BORROW);
	assert_true(o[0].target_kb >= d[0].tot_kb);
	assert_true(o[0].maxmem_kb > d[0].tot_kb);
	assert_true(o[1].target_kb >= o[1].need_kb);
	/* held there, not rising: no new borrow */
	step(d, m, 2, 0, 300, o);
	assert_false(o[0].borrow);
	/* a target lowered below what it holds is no borrow */
	d[0].target_kb = 400 * MIB;
	d[0].tot_kb = 600 * MIB;
	step(d, m, 2, 0, 400, o);
	d[0].tot_kb = 590 * MIB;
	step(d, m, 2, 0, 500, o);
	assert_false(o[0].borrow);
}

static void test_liar_bounded(void **state)
{
	struct xbd_dom d[2] = { dom(1, 1 * GIB, 256 * MIB, 1536 * MIB, 10),
				dom(2, 1 * GIB, 256 * MIB, 2 * GIB, 1) };
	struct xbd_mem m[2] = { 0 };
	struct xbd_out o[2];

	(void)state;
	/* dom1 claims everything is used, deflates every step, PSI 100 % */
	report(&d[1], 600 * MIB, 0);
	for (int i = 0; i < 30; i++) {
		uint64_t free_kb = 3 * GIB - d[0].tot_kb - d[1].tot_kb;

		report(&d[0], 64 * GIB, (uint64_t)i);
		d[0].has_psi = true;
		d[0].psi_some_avg10_milli = 100000;
		d[0].mem_total_kb = UINT64_MAX;
		step(d, m, 2, free_kb, (uint64_t)i * 1000, o);
		assert_true(o[0].target_kb <= 1536 * MIB);
		assert_true(o[1].target_kb >= o[1].need_kb);
		assert_true(o[1].target_kb >= 256 * MIB);
		d[0].target_kb = o[0].target_kb;
		d[1].target_kb = o[1].target_kb;
		/* Xen follows; the liar grabs all it can below its maxmem */
		d[1].tot_kb = d[1].target_kb;
		free_kb = 3 * GIB - d[0].tot_kb - d[1].tot_kb;
		if (o[0].maxmem_kb > d[0].tot_kb)
			d[0].tot_kb += free_kb < o[0].maxmem_kb - d[0].tot_kb ?
				       free_kb : o[0].maxmem_kb - d[0].tot_kb;
		/* the headroom never takes it above its dynamic-max */
		assert_true(d[0].tot_kb <= 1536 * MIB);
	}
	/* garbage numbers (avail > total) count as no report */
	d[0].mem_avail_kb = 8 * GIB;
	d[0].mem_total_kb = 1;
	step(d, m, 2, 3 * GIB - d[0].tot_kb - d[1].tot_kb, 100000, o);
	assert_int_equal(o[0].used_kb, d[0].tot_kb);
}

/* Short host: a heavy claimer's growth does not push another below its need. */
static void test_claims_do_not_push_others_below_need(void **state)
{
	struct xbd_dom d[2] = { dom(1, 1200 * MIB, 256 * MIB, 1536 * MIB, 10),
				dom(2, 800 * MIB, 256 * MIB, 2 * GIB, 1) };
	struct xbd_mem m[2] = { 0 };
	struct xbd_out o[2];

	(void)state;
	report(&d[0], 64 * GIB, 0);
	report(&d[1], 600 * MIB, 0);
	step(d, m, 2, 48 * MIB, 0, o);
	assert_true(o[0].need_kb > 1200 * MIB + 48 * MIB);
	assert_true(o[1].target_kb >= o[1].need_kb);
	/* the claimer gets the free memory and what the other does not need */
	assert_true(o[0].target_kb > 1200 * MIB);
	assert_true(o[0].target_kb + o[1].target_kb <= 2 * GIB);
}

/*
 * Reservations outside a claim are not free memory: the share shrinks by
 * them, and when they do not fit the guests give toward dynamic-min.
 */
static void test_reserved_not_handed_out(void **state)
{
	struct xbd_dom d[2] = { dom(1, 1 * GIB, 256 * MIB, 2 * GIB, 1),
				dom(2, 1 * GIB, 256 * MIB, 2 * GIB, 1) };
	struct xbd_mem m[2] = { 0 };
	struct xbd_out o[2];
	struct xbd_host h = { .free_kb = 1 * GIB, .reserved_kb = 1 * GIB };

	(void)state;
	report(&d[0], 300 * MIB, 0);
	report(&d[1], 300 * MIB, 0);
	/* 1 GiB free, all of it reserved: nobody grows */
	xbd_policy_step(&cfg, &h, d, m, 2, 0, o);
	for (int i = 0; i < 2; i++)
		assert_true(o[i].target_kb <= 1 * GIB);
	/* 1.5 GiB reserved with 1 GiB free: both give, never below dynamic-min */
	memset(m, 0, sizeof(m));
	h.reserved_kb = 1536 * MIB;
	xbd_policy_step(&cfg, &h, d, m, 2, 0, o);
	assert_true(o[0].target_kb + o[1].target_kb <= 2 * GIB - 512 * MIB);
	for (int i = 0; i < 2; i++)
		assert_true(o[i].target_kb >= 256 * MIB);
	/* without the reservation the same host shares the free GiB */
	memset(m, 0, sizeof(m));
	h.reserved_kb = 0;
	xbd_policy_step(&cfg, &h, d, m, 2, 0, o);
	assert_true(o[0].target_kb + o[1].target_kb > 2 * GIB + 512 * MIB);
}

static void test_uncooperative(void **state)
{
	struct xbd_dom d[2] = { dom(1, 1 * GIB, 256 * MIB, 2 * GIB, 1),
				dom(2, 1 * GIB, 256 * MIB, 2 * GIB, 1) };
	struct xbd_mem m[2] = { 0 };
	struct xbd_out o[2];

	(void)state;
	/* dom1 was asked to go to 512 MiB and never moves */
	d[0].target_kb = 512 * MIB;
	report(&d[0], 100 * MIB, 0);
	report(&d[1], 1 * GIB - 20 * MIB, 0);
	step(d, m, 2, 0, 0, o);
	assert_false(o[0].uncooperative);
	step(d, m, 2, 0, cfg.stuck_ms - 1, o);
	assert_false(o[0].uncooperative);
	/* progress resets the clock */
	d[0].tot_kb -= 2 * MIB;
	step(d, m, 2, 0, cfg.stuck_ms + 5, o);
	assert_false(o[0].uncooperative);
	step(d, m, 2, 0, 2 * cfg.stuck_ms + 5, o);
	assert_true(o[0].uncooperative);
	assert_int_equal(o[0].reason, XBD_R_UNCOOPERATIVE);
	/* it is no longer asked: its target becomes what it holds */
	assert_true(o[0].change);
	assert_int_equal(o[0].target_kb, 1 * GIB - 2 * MIB);
	assert_int_equal(o[0].maxmem_kb, 1 * GIB - 2 * MIB + cfg.headroom_kb);
	/*
	 * Its memory is not reclaimable: the other gets nothing of the 510 MiB
	 * it still holds above its old target (no free memory to share).
	 */
	assert_true(o[1].target_kb <= 1 * GIB);
	/* at its new target and still not moving: still marked, not flapping */
	d[0].target_kb = o[0].target_kb;
	step(d, m, 2, 0, 3 * cfg.stuck_ms + 4, o);
	assert_true(o[0].uncooperative);
	assert_false(o[0].change);
	assert_true(o[1].target_kb <= 1 * GIB);
	/*
	 * stuck_ms after the mark, its report still says it uses 100 MiB of
	 * 1 GiB: it is asked again
	 */
	step(d, m, 2, 0, 3 * cfg.stuck_ms + 5, o);
	assert_false(o[0].uncooperative);
	assert_true(o[0].change);
	assert_true(o[0].target_kb < d[0].tot_kb);
	d[0].target_kb = o[0].target_kb;
	/* and still not moving: marked again, stuck_ms after its new target */
	step(d, m, 2, 0, 3 * cfg.stuck_ms + 6, o);
	assert_false(o[0].uncooperative);
	step(d, m, 2, 0, 4 * cfg.stuck_ms + 6, o);
	assert_true(o[0].uncooperative);
	d[0].target_kb = o[0].target_kb;
	/* without a report (no driver) the mark stays, however long */
	d[0].has_report = false;
	step(d, m, 2, 0, 20 * cfg.stuck_ms, o);
	assert_true(o[0].uncooperative);
	assert_false(o[0].change);
	/* moving by itself (here: down 510 MiB) clears the mark */
	d[0].tot_kb = 512 * MIB;
	step(d, m, 2, 0, 20 * cfg.stuck_ms + 10, o);
	assert_false(o[0].uncooperative);
}

/*
 * A guest held below what it uses (the host was short) cannot reach its
 * target: it is marked, and must not stay pinned under a stale target. Once
 * marked its target is what it holds; when its workload grows it borrows
 * (deflates on OOM up to maxmem), Xen sees it move, the mark goes, and the
 * borrow raises its target. Found by bench/policy-sim.c: with the old rule
 * (marked, target left below its use) the borrowing guest OOMed again and
 * again at its stale maxmem.
 */
static void test_uncooperative_then_borrow(void **state)
{
	struct xbd_dom d[2] = { dom(1, 929 * MIB, 512 * MIB, 3 * GIB, 1),
				dom(2, 2 * GIB, 256 * MIB, 3 * GIB, 1) };
	struct xbd_mem m[2] = { 0 };
	struct xbd_out o[2];
	uint64_t t = 0;

	(void)state;
	d[0].target_kb = 673 * MIB;
	report(&d[0], 919 * MIB, 0);	/* it uses all but 10 MiB of what it holds */
	report(&d[1], 1 * GIB, 0);
	for (t = 0; t <= cfg.stuck_ms + 1000; t += 1000)
		step(d, m, 2, 0, t, o);
	assert_true(o[0].uncooperative);
	assert_int_equal(o[0].target_kb, 929 * MIB);
	d[0].target_kb = o[0].target_kb;
	/* its workload grows by 100 MiB: it deflates on OOM above its target */
	d[0].tot_kb = 1029 * MIB;
	report(&d[0], 1024 * MIB, 1);
	step(d, m, 2, 0, t + 1000, o);
	assert_false(o[0].uncooperative);
	assert_true(o[0].borrow);
	assert_true(o[0].change);
	assert_true(o[0].target_kb >= 1029 * MIB);
}

static void test_hysteresis_and_interval(void **state)
{
	struct xbd_dom d[2] = { dom(1, 1 * GIB, 256 * MIB, 2 * GIB, 1),
				dom(2, 1 * GIB, 256 * MIB, 2 * GIB, 1) };
	struct xbd_mem m[2] = { 0 };
	struct xbd_out o[2];

	(void)state;
	report(&d[0], 1 * GIB - 128 * MIB - 4 * MIB, 0);
	report(&d[1], 1 * GIB - 128 * MIB + 4 * MIB, 0);
	step(d, m, 2, 0, 0, o);
	/* a few MiB either way: not worth a change */
	assert_false(o[0].change);
	assert_false(o[1].change);
	assert_int_equal(o[0].reason, XBD_R_HOLD);
	/* big change, then another right after: the second waits */
	cfg.min_interval_ms = 5000;
	report(&d[0], 300 * MIB, 0);
	step(d, m, 2, 0, 1000, o);
	assert_true(o[0].change);
	d[0].target_kb = o[0].target_kb;
	d[1].target_kb = o[1].target_kb;
	report(&d[0], 600 * MIB, 0);
	step(d, m, 2, 0, 2000, o);
	assert_false(o[0].change);
	step(d, m, 2, 0, 7000, o);
	assert_true(o[0].change);
}

static void test_config_check(void **state)
{
	struct xbd_config c;

	(void)state;
	xbd_config_default(&c);
	assert_null(xbd_config_check(&c));
	c.margin_min_kb = c.margin_max_kb + 1;
	assert_non_null(xbd_config_check(&c));
	xbd_config_default(&c);
	c.default_max_kb = 1;
	c.default_min_kb = 2;
	assert_non_null(xbd_config_check(&c));
	xbd_config_default(&c);
	c.default_weight = 0;
	assert_non_null(xbd_config_check(&c));
}

/*
 * Simulator: 4 guests on a 6 GiB host, Xen moving each tot_pages at most
 * 64 MiB per second toward its target and never past free memory. One guest
 * ramps its use, then everything holds still. Invariants every step; then it
 * converges, and no target changes direction more than a few times.
 */
#define SIM_N 4
static void test_simulator(void **state)
{
	struct xbd_dom d[SIM_N];
	struct xbd_mem m[SIM_N] = { 0 };
	struct xbd_out o[SIM_N];
	const uint64_t host = 6 * GIB;
	uint64_t used[SIM_N] = { 300 * MIB, 300 * MIB, 300 * MIB, 300 * MIB };
	int dir[SIM_N] = { 0 }, flips[SIM_N] = { 0 }, last_change = 0;

	(void)state;
	cfg.reserve_kb = 256 * MIB;
	cfg.min_interval_ms = 2000;
	for (int i = 0; i < SIM_N; i++) {
		d[i] = dom((uint32_t)i + 1, 1 * GIB, 384 * MIB, 3 * GIB,
			   (uint32_t)i + 1);
		d[i].static_max_kb = 3 * GIB;
	}
	for (int t = 0; t < 600; t++) {
		uint64_t sum = 0, free_kb;

		if (t < 100)
			used[0] = 300 * MIB + (uint64_t)t * 20 * MIB;	/* to 2.3 GiB */
		for (int i = 0; i < SIM_N; i++)
			sum += d[i].tot_kb;
		assert_true(sum <= host);
		free_kb = host - sum;
		for (int i = 0; i < SIM_N; i++)
			report(&d[i], used[i] < d[i].tot_kb ? used[i] : d[i].tot_kb, 0);
		step(d, m, SIM_N, free_kb, (uint64_t)t * 1000, o);
		for (int i = 0; i < SIM_N; i++) {
			int nd;

			assert_true(o[i].target_kb >= 384 * MIB);
			assert_true(o[i].target_kb <= 3 * GIB);
			if (!o[i].change)
				continue;
			nd = o[i].target_kb > d[i].target_kb ? 1 : -1;
			if (dir[i] && nd != dir[i])
				flips[i]++;
			dir[i] = nd;
			last_change = t;
			d[i].target_kb = o[i].target_kb;
		}
		/* Xen: shrink first, then grow from what is free */
		for (int i = 0; i < SIM_N; i++)
			if (d[i].tot_kb > d[i].target_kb) {
				uint64_t dn = d[i].tot_kb - d[i].target_kb;

				d[i].tot_kb -= dn > 64 * MIB ? 64 * MIB : dn;
				free_kb += dn > 64 * MIB ? 64 * MIB : dn;
			}
		for (int i = 0; i < SIM_N; i++)
			if (d[i].tot_kb < d[i].target_kb) {
				uint64_t up = d[i].target_kb - d[i].tot_kb;

				up = up > 64 * MIB ? 64 * MIB : up;
				up = up > free_kb ? free_kb : up;
				d[i].tot_kb += up;
				free_kb -= up;
			}
	}
	/* converged well before the end, the hungry guest has what it uses */
	assert_true(last_change < 300);
	assert_true(d[0].tot_kb >= used[0]);
	for (int i = 1; i < SIM_N; i++)
		assert_true(d[i].tot_kb >= used[i]);
	for (int i = 0; i < SIM_N; i++)
		assert_true(flips[i] <= 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_need_is_used_plus_margin, setup),
		cmocka_unit_test_setup(test_reserved_not_handed_out, setup),
		cmocka_unit_test_setup(test_margin_grows_under_pressure_shrinks_slowly, setup),
		cmocka_unit_test_setup(test_need_clamped_to_range, setup),
		cmocka_unit_test_setup(test_free_shared_by_weight, setup),
		cmocka_unit_test_setup(test_short_lowest_weight_first, setup),
		cmocka_unit_test_setup(test_never_above_max_or_static_max, setup),
		cmocka_unit_test_setup(test_unmanaged_and_dom0_left_alone, setup),
		cmocka_unit_test_setup(test_borrow_raises_target, setup),
		cmocka_unit_test_setup(test_borrow_seen_in_xen, setup),
		cmocka_unit_test_setup(test_liar_bounded, setup),
		cmocka_unit_test_setup(test_claims_do_not_push_others_below_need, setup),
		cmocka_unit_test_setup(test_uncooperative, setup),
		cmocka_unit_test_setup(test_uncooperative_then_borrow, setup),
		cmocka_unit_test_setup(test_hysteresis_and_interval, setup),
		cmocka_unit_test_setup(test_config_check, setup),
		cmocka_unit_test_setup(test_simulator, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
