// SPDX-License-Identifier: GPL-2.0
/* Unit tests: floor, credit, batch sizing, backoff and the state machine. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "xb_core.h"

#define MIB_KB 1024ull
#define MIB_PAGES (MIB_KB / XB_PAGE_KB)
#define GUEST_PAGES (1024 * MIB_PAGES)	/* a 1 GiB guest */
#define LOTS (1ull << 40)		/* plenty of available memory */

static void init_guest(struct xb_core *c, bool pvh, u64 floor_kb)
{
	struct xb_config cfg = {
		.initial_pages = GUEST_PAGES,
		.static_max_kb = 1024 * MIB_KB,
		.auto_translated = pvh,
		.floor_kb = floor_kb,
	};

	xb_core_init(c, &cfg);
}

/*
 * Run the plan against a fake Xen until nothing is left to do or max_steps.
 * xen_free_pages: what Xen can give back (take-back fails beyond it).
 * Returns the number of steps; time advances by each WAIT.
 */
static int converge(struct xb_core *c, u64 avail, u64 *xen_free_pages,
		    u64 *now, int max_steps)
{
	int steps = 0;

	while (steps < max_steps) {
		struct xb_step st = xb_core_plan(c, avail, *now);
		u64 n;

		steps++;
		switch (st.op) {
		case XB_OP_NONE:
			return steps;
		case XB_OP_WAIT:
			*now += st.delay_ms;
			break;
		case XB_OP_INFLATE:
			assert_true(st.nr_pages > 0);
			assert_true(st.nr_pages <= c->batch_max);
			/* never past the target */
			assert_true((s64)st.nr_pages <= -xb_core_credit(c));
			xb_core_inflated(c, st.nr_pages, st.nr_pages, false,
					 *now);
			*xen_free_pages += st.nr_pages;
			break;
		case XB_OP_DEFLATE:
			assert_true(st.nr_pages > 0);
			assert_true(st.nr_pages <= c->batch_max);
			assert_true((s64)st.nr_pages <= xb_core_credit(c));
			n = st.nr_pages < *xen_free_pages ? st.nr_pages :
				*xen_free_pages;
			*xen_free_pages -= n;
			xb_core_deflated(c, st.nr_pages, n, n < st.nr_pages,
					 *now);
			break;
		case XB_OP_CLAIM:
			fail_msg("claim without a pool");	/* test_core_grow */
			break;
		}
	}
	return steps;
}

/* A fresh 1 GiB guest ballooned to MiB against the fake Xen of converge(). */
static void ballooned_to(struct xb_core *c, bool pvh, u64 mib, u64 *xen,
			 u64 *now)
{
	init_guest(c, pvh, 0);
	xb_core_set_target_kb(c, mib * MIB_KB);
	converge(c, LOTS, xen, now, 10000);
	assert_true(xb_core_current_pages(c) == mib * MIB_PAGES);
}

static void test_floor_default(void **state)
{
	u64 prev = 0, kb;

	(void)state;
	assert_true(xb_floor_default_kb(0) == 0);
	assert_true(xb_floor_default_kb(32 * MIB_KB) == 16 * MIB_KB);
	assert_true(xb_floor_default_kb(128 * MIB_KB) == 40 * MIB_KB);
	assert_true(xb_floor_default_kb(1024 * MIB_KB) == 96 * MIB_KB);
	assert_true(xb_floor_default_kb(2048 * MIB_KB) == 160 * MIB_KB);
	assert_true(xb_floor_default_kb(8192 * MIB_KB) == 352 * MIB_KB);
	assert_true(xb_floor_default_kb(32768 * MIB_KB) == 1120 * MIB_KB);
	/* either side of each corner: the right segment applies */
	assert_true(xb_floor_default_kb(31 * MIB_KB) == 15872);
	assert_true(xb_floor_default_kb(33 * MIB_KB) == 16640);
	assert_true(xb_floor_default_kb(127 * MIB_KB) == 40704);
	assert_true(xb_floor_default_kb(129 * MIB_KB) == 41024);
	assert_true(xb_floor_default_kb(2047 * MIB_KB) == 163776);
	assert_true(xb_floor_default_kb(2049 * MIB_KB) == 163872);
	/* monotonic, continuous (no jump above one gradient step) and below size */
	for (kb = 4; kb <= 64 * 1024 * MIB_KB; kb += 4 * MIB_KB + 4) {
		u64 f = xb_floor_default_kb(kb);

		assert_true(f >= prev);
		assert_true(f - prev <= (4 * MIB_KB + 4) / 2 + 1);
		assert_true(f <= kb);
		prev = f;
	}
}

static void test_reserve(void **state)
{
	(void)state;
	assert_true(xb_reserve_pages(16 * MIB_PAGES) == 4 * MIB_PAGES);
	assert_true(xb_reserve_pages(GUEST_PAGES) == 16 * MIB_PAGES);
	assert_true(xb_reserve_pages(64 * 1024 * MIB_PAGES) == 32 * MIB_PAGES);
}

static void test_init_frames(void **state)
{
	struct xb_config cfg = {
		.initial_pages = GUEST_PAGES - 2 * MIB_PAGES,
		.static_max_kb = 1024 * MIB_KB,
	};
	struct xb_core c;

	(void)state;
	/* PV: target is the guest's own count (Linux: target_diff = 0) */
	xb_core_init(&c, &cfg);
	assert_true(c.target_diff_pages == 0);
	assert_true(c.total_pages == GUEST_PAGES - 2 * MIB_PAGES);
	/* PVH: static-max minus own count is subtracted from targets */
	cfg.auto_translated = true;
	xb_core_init(&c, &cfg);
	assert_true(c.target_diff_pages == 2 * MIB_PAGES);
	assert_true(c.total_pages == GUEST_PAGES);
	assert_int_equal(c.state, XB_STATE_IDLE);
	assert_true(xb_core_credit(&c) == 0);
	/* unknown static-max: own size */
	cfg.static_max_kb = 0;
	xb_core_init(&c, &cfg);
	assert_true(c.static_max_pages == GUEST_PAGES - 2 * MIB_PAGES);
	/*
	 * defaults; the floor of this 1022 MiB guest, by hand from the table in
	 * docs/driver.md: 32 MiB + 1022 MiB / 16 = 98176 KiB = 24544 pages
	 */
	assert_true(c.batch_max == XB_BATCH_DEFAULT);
	assert_true(c.floor_pages == 24544);
	assert_true(c.reserve_pages == 1022 * MIB_PAGES / 64);
	assert_true(c.backoff_min_ms == XB_BACKOFF_MIN_MS);
	assert_true(c.backoff_max_ms == XB_BACKOFF_MAX_MS);
	assert_true(c.batch == XB_BATCH_DEFAULT);
	cfg.batch_pages = 1000000;
	xb_core_init(&c, &cfg);
	assert_true(c.batch_max == XB_BATCH_MAX);
	assert_true(c.batch == XB_BATCH_MAX);
	/* a backoff cap below its start is raised to it */
	cfg.backoff_min_ms = 1000;
	cfg.backoff_max_ms = 10;
	xb_core_init(&c, &cfg);
	assert_true(c.backoff_max_ms == 1000);
}

static void test_set_target(void **state)
{
	struct xb_core c;

	(void)state;
	init_guest(&c, false, 0);
	assert_int_equal(xb_core_set_target_kb(&c, 256 * MIB_KB), XB_TARGET_OK);
	assert_true(c.target_pages == 256 * MIB_PAGES);
	assert_true(xb_core_credit(&c) == -(s64)(768 * MIB_PAGES));
	assert_int_equal(c.state, XB_STATE_INFLATING);
	/* above static-max: clamped */
	assert_int_equal(xb_core_set_target_kb(&c, 4096 * MIB_KB),
			 XB_TARGET_CLAMPED_MAX);
	assert_true(c.target_pages == GUEST_PAGES);
	assert_true(c.cnt.clamped_targets == 1);
	/* below floor: floor applied, reported */
	assert_int_equal(xb_core_set_target_kb(&c, 10 * MIB_KB),
			 XB_TARGET_BELOW_FLOOR);
	assert_true(c.target_pages == c.floor_pages);
	assert_true(c.req_target_pages == 10 * MIB_PAGES);
	assert_int_equal(c.last_error, XB_ERR_BELOW_FLOOR);
	assert_true(c.cnt.clamped_targets == 2);
	/* absurd: ignored, previous target kept */
	assert_int_equal(xb_core_set_target_kb(&c, XB_MAX_TARGET_KB + 1),
			 -XB_ERANGE);
	assert_true(c.target_pages == c.floor_pages);
	assert_true(c.cnt.bad_targets == 1);
	assert_int_equal(c.last_error, XB_ERR_BAD_TARGET);
	xb_core_bad_target(&c);
	assert_true(c.cnt.bad_targets == 2);
	assert_true(c.cnt.targets == 3);
	/* sub-page KiB values round down */
	assert_int_equal(xb_core_set_target_kb(&c, 256 * MIB_KB + 3), XB_TARGET_OK);
	assert_true(c.target_pages == 256 * MIB_PAGES);
}

/* Targets exactly on each limit are not past it. */
static void test_set_target_edges(void **state)
{
	struct xb_config cfg = {
		.initial_pages = GUEST_PAGES,
		.static_max_kb = 2048 * MIB_KB,	/* PV booted below maxmem */
	};
	struct xb_core c;
	u64 clamped, xen = 0, now = 0;

	(void)state;
	init_guest(&c, false, 0);
	/* the guest's size (= static-max here) is not clamped */
	assert_int_equal(xb_core_set_target_kb(&c, 1024 * MIB_KB), XB_TARGET_OK);
	assert_true(c.cnt.clamped_targets == 0);
	/* the floor itself is not below the floor */
	assert_int_equal(xb_core_set_target_kb(&c, 96 * MIB_KB), XB_TARGET_OK);
	assert_true(c.cnt.clamped_targets == 0);
	assert_true(c.target_pages == 96 * MIB_PAGES);
	assert_int_equal(c.last_error, XB_ERR_NONE);
	converge(&c, LOTS, &xen, &now, 10000);
	assert_int_equal(c.state, XB_STATE_IDLE);	/* reached, not at-floor */
	/* the largest valid target is clamped, not rejected */
	assert_int_equal(xb_core_set_target_kb(&c, XB_MAX_TARGET_KB),
			 XB_TARGET_CLAMPED_MAX);
	assert_true(c.cnt.bad_targets == 0);
	assert_true(c.target_pages == GUEST_PAGES);
	/* above the guest's size but below static-max: still clamped */
	xb_core_init(&c, &cfg);
	assert_true(c.total_pages == GUEST_PAGES);
	clamped = c.cnt.clamped_targets;
	assert_int_equal(xb_core_set_target_kb(&c, 1536 * MIB_KB),
			 XB_TARGET_CLAMPED_MAX);
	assert_true(c.cnt.clamped_targets == clamped + 1);
	assert_true(c.req_target_pages == GUEST_PAGES);
	assert_true(c.target_pages == GUEST_PAGES);
}

static void test_no_target_no_work(void **state)
{
	struct xb_core c;
	struct xb_step st;

	(void)state;
	init_guest(&c, true, 0);
	st = xb_core_plan(&c, LOTS, 0);
	assert_int_equal(st.op, XB_OP_NONE);
	assert_int_equal(c.state, XB_STATE_IDLE);
}

static void test_inflate_batches(void **state)
{
	struct xb_core c;
	struct xb_step st;
	u64 xen = 0, now = 0;

	(void)state;
	init_guest(&c, true, 0);
	xb_core_set_target_kb(&c, 256 * MIB_KB);
	st = xb_core_plan(&c, LOTS, 0);
	assert_int_equal(st.op, XB_OP_INFLATE);
	assert_true(st.nr_pages == XB_BATCH_DEFAULT);
	/* capped by available memory minus twice the reserve */
	st = xb_core_plan(&c, 2 * c.reserve_pages + 100, 0);
	assert_int_equal(st.op, XB_OP_INFLATE);
	assert_true(st.nr_pages == 100);
	converge(&c, LOTS, &xen, &now, 10000);
	assert_true(xb_core_current_pages(&c) == 256 * MIB_PAGES);
	assert_true(c.balloon_pages == 768 * MIB_PAGES);
	assert_true(xen == 768 * MIB_PAGES);
	assert_int_equal(c.state, XB_STATE_IDLE);
	assert_true(c.cnt.pages_inflated == 768 * MIB_PAGES);
	/* and back */
	xb_core_set_target_kb(&c, 1024 * MIB_KB);
	assert_int_equal(c.state, XB_STATE_DEFLATING);
	converge(&c, LOTS, &xen, &now, 10000);
	assert_true(c.balloon_pages == 0);
	assert_true(xen == 0);
	assert_int_equal(c.state, XB_STATE_IDLE);
	assert_true(now == 0);	/* never waited */
}

static void test_inflate_nomem_backoff(void **state)
{
	struct xb_core c;
	struct xb_step st;
	u32 expect = XB_BACKOFF_MIN_MS;
	u64 now = 1000;
	int i;

	(void)state;
	init_guest(&c, false, 0);
	xb_core_set_target_kb(&c, 256 * MIB_KB);
	for (i = 0; i < 12; i++) {
		st = xb_core_plan(&c, c.reserve_pages, now);
		assert_int_equal(st.op, XB_OP_WAIT);
		assert_true(st.delay_ms == expect);
		assert_int_equal(c.last_error, XB_ERR_NOMEM);
		/* asking again before the time: wait the rest */
		st = xb_core_plan(&c, LOTS, now + 1);
		assert_int_equal(st.op, XB_OP_WAIT);
		assert_true(st.delay_ms == expect - 1);
		now += expect;
		expect = expect * 2 > XB_BACKOFF_MAX_MS ? XB_BACKOFF_MAX_MS :
			expect * 2;
	}
	assert_true(c.backoff_ms == XB_BACKOFF_MAX_MS);
	assert_true(c.cnt.alloc_failures == 12);
	/* exactly twice the reserve available: still nothing to spare */
	st = xb_core_plan(&c, 2 * c.reserve_pages, now);
	assert_int_equal(st.op, XB_OP_WAIT);
	assert_true(c.cnt.alloc_failures == 13);
	now += st.delay_ms;
	/* memory came back: proceeds and resets the backoff */
	st = xb_core_plan(&c, LOTS, now);
	assert_int_equal(st.op, XB_OP_INFLATE);
	xb_core_inflated(&c, st.nr_pages, st.nr_pages, false, now);
	assert_true(c.backoff_ms == 0);
}

static void test_inflate_short(void **state)
{
	struct xb_core c;
	struct xb_step st;

	(void)state;
	init_guest(&c, true, 0);
	xb_core_set_target_kb(&c, 256 * MIB_KB);
	st = xb_core_plan(&c, LOTS, 0);
	/* Xen took half: recorded as a refusal, batch halves, no backoff */
	xb_core_inflated(&c, st.nr_pages, st.nr_pages / 2, true, 0);
	assert_true(c.balloon_pages == st.nr_pages / 2);
	assert_true(c.cnt.refusals == 1);
	assert_int_equal(c.last_error, XB_ERR_HV_SHORT);
	assert_true(c.batch == XB_BATCH_DEFAULT / 2);
	assert_true(c.backoff_ms == 0);
	/* Xen took nothing: back off */
	xb_core_inflated(&c, 10, 0, true, 0);
	assert_true(c.backoff_ms == XB_BACKOFF_MIN_MS);
	/* guest could not allocate: nomem, not a refusal */
	xb_core_inflated(&c, 10, 3, false, 0);
	assert_true(c.cnt.refusals == 2);
	assert_true(c.cnt.alloc_failures == 1);
	assert_int_equal(c.last_error, XB_ERR_NOMEM);
	/* batches shrink to 1 and grow back to the maximum */
	while (c.batch > 1)
		xb_core_inflated(&c, 2, 1, false, 0);
	xb_core_inflated(&c, 2, 1, false, 0);
	assert_true(c.batch == 1);
	while (c.batch < c.batch_max)
		xb_core_inflated(&c, 1, 1, false, 0);
	xb_core_inflated(&c, 1, 1, false, 0);
	assert_true(c.batch == c.batch_max);
}

/*
 * Xen or the hypercall site reporting more than was asked, or more than the
 * guest has, must not inflate the count past what really went: each clamp
 * in xb_core_inflated() is checked on its own, by the exact counts.
 */
static void test_inflate_clamps(void **state)
{
	struct xb_core c;
	u64 bal, infl;

	(void)state;
	init_guest(&c, false, 0);
	xb_core_set_target_kb(&c, 256 * MIB_KB);
	/* done > asked: only what was asked went */
	xb_core_inflated(&c, 1, 5, false, 0);
	assert_true(c.balloon_pages == 1);
	assert_true(c.cnt.pages_inflated == 1);
	assert_true(xb_core_current_pages(&c) == GUEST_PAGES - 1);
	/* done > what the guest has (asked too): only what it has */
	bal = c.balloon_pages;
	infl = c.cnt.pages_inflated;
	xb_core_inflated(&c, 2 * GUEST_PAGES, 2 * GUEST_PAGES, false, 0);
	assert_true(c.balloon_pages == GUEST_PAGES);
	assert_true(c.cnt.pages_inflated == infl + (GUEST_PAGES - bal));
	assert_true(xb_core_current_pages(&c) == 0);
	/* nothing left: a further claim adds nothing */
	xb_core_inflated(&c, 10, 10, false, 0);
	assert_true(c.balloon_pages == GUEST_PAGES);
	assert_true(c.cnt.pages_inflated == GUEST_PAGES);
}

/*
 * Batch and backoff limits that are not powers of two: doubling stops at
 * the limit, never past it and never short of it.
 */
static void test_odd_limits(void **state)
{
	struct xb_config cfg = {
		.initial_pages = GUEST_PAGES,
		.batch_pages = 5,
		.backoff_min_ms = 1,
		.backoff_max_ms = 5,
	};
	static const u32 backoff[] = { 1, 2, 5, 5 };
	struct xb_core c;
	unsigned int i;

	(void)state;
	xb_core_init(&c, &cfg);
	xb_core_set_target_kb(&c, 256 * MIB_KB);
	assert_true(c.batch == 5);
	xb_core_inflated(&c, 5, 1, false, 0);
	assert_true(c.batch == 2);
	xb_core_inflated(&c, 2, 2, false, 0);
	assert_true(c.batch == 4);
	xb_core_inflated(&c, 4, 4, false, 0);
	assert_true(c.batch == 5);
	for (i = 0; i < sizeof(backoff) / sizeof(backoff[0]); i++) {
		xb_core_hv_error(&c, 100);
		assert_true(c.backoff_ms == backoff[i]);
		assert_true(c.retry_at_ms == 100 + backoff[i]);
	}
}

static void test_take_back_refused(void **state)
{
	struct xb_core c;
	u64 xen = 0, now = 0, freed;
	struct xb_step st;
	int steps;

	(void)state;
	ballooned_to(&c, false, 128, &xen, &now);
	/* host has only 100 MiB free for us */
	xen = 100 * MIB_PAGES;
	xb_core_set_target_kb(&c, 1024 * MIB_KB);
	steps = converge(&c, LOTS, &xen, &now, 40);
	assert_int_equal(steps, 40);	/* still trying */
	assert_int_equal(c.state, XB_STATE_REFUSED);
	assert_int_equal(c.last_error, XB_ERR_HV_REFUSED);
	assert_true(c.hard_limit_pages == 228 * MIB_PAGES);
	assert_true(xb_core_current_pages(&c) == 228 * MIB_PAGES);
	assert_true(c.cnt.refusals > 0);
	assert_true(c.backoff_ms == XB_BACKOFF_MAX_MS);
	assert_true(c.batch == 1);	/* halved at each refusal */
	/* a target at the size Xen stopped at is reached: the limit goes */
	xb_core_set_target_kb(&c, 228 * MIB_KB);
	assert_true(c.hard_limit_pages == 0);
	assert_int_equal(c.state, XB_STATE_IDLE);
	xb_core_set_target_kb(&c, 1024 * MIB_KB);
	/* memory freed on the host: catches up after the backoff */
	freed = 2048 * MIB_PAGES;
	xen = freed;
	converge(&c, LOTS, &xen, &now, 10000);
	assert_true(c.balloon_pages == 0);
	assert_int_equal(c.state, XB_STATE_IDLE);
	assert_true(c.hard_limit_pages == 0);
	/* a new target cancels the backoff at once */
	xb_core_set_target_kb(&c, 512 * MIB_KB);
	converge(&c, LOTS, &xen, &now, 10000);
	xen = 0;
	xb_core_set_target_kb(&c, 1024 * MIB_KB);
	st = xb_core_plan(&c, LOTS, now);
	xb_core_deflated(&c, st.nr_pages, 0, false, now);
	assert_true(c.backoff_ms > 0);
	assert_int_equal(xb_core_plan(&c, LOTS, now).op, XB_OP_WAIT);
	xb_core_set_target_kb(&c, 1000 * MIB_KB);
	assert_true(c.backoff_ms == 0);
	assert_int_equal(xb_core_plan(&c, LOTS, now).op, XB_OP_DEFLATE);
	/* refused once: batch halved, backing off, state refused */
	xb_core_deflated(&c, 100, 10, true, now);
	assert_true(c.batch == c.batch_max / 2);
	assert_int_equal(c.state, XB_STATE_REFUSED);
	/* a whole batch then: no backoff left, batch doubled, deflating again */
	xb_core_deflated(&c, 100, 100, false, now);
	assert_true(c.backoff_ms == 0);
	assert_true(c.batch == c.batch_max);
	assert_int_equal(c.state, XB_STATE_DEFLATING);
	assert_int_equal(xb_core_plan(&c, LOTS, now).op, XB_OP_DEFLATE);
}

/* Like xb_core_inflated(), a take-back result is clamped to what was asked. */
static void test_deflate_clamp_and_one_page(void **state)
{
	struct xb_core c;
	struct xb_step st;
	u64 xen = 0, now = 0;

	(void)state;
	ballooned_to(&c, true, 256, &xen, &now);
	xb_core_set_target_kb(&c, 512 * MIB_KB);
	xb_core_deflated(&c, 1, 5, false, 0);
	assert_true(c.balloon_pages == 768 * MIB_PAGES - 1);
	assert_true(c.cnt.pages_deflated == 1);
	/* one page of credit is one page to take back */
	xb_core_set_target_kb(&c, 256 * MIB_KB + 2 * XB_PAGE_KB);
	st = xb_core_plan(&c, LOTS, 0);
	assert_int_equal(st.op, XB_OP_DEFLATE);
	assert_true(st.nr_pages == 1);
}

static void test_take_back_partial(void **state)
{
	struct xb_core c;
	u64 xen = 0, now = 0;

	(void)state;
	ballooned_to(&c, true, 256, &xen, &now);
	xb_core_set_target_kb(&c, 1024 * MIB_KB);
	/* a smaller step (2 MiB fallback), not a refusal: no penalty */
	xb_core_deflated(&c, 4096, 512, false, now);
	assert_true(c.cnt.refusals == 0);
	assert_true(c.backoff_ms == 0);
	assert_true(c.hard_limit_pages == 0);
	assert_int_equal(c.state, XB_STATE_DEFLATING);
	assert_true(c.batch == c.batch_max);
	assert_int_equal(xb_core_plan(&c, LOTS, now).op, XB_OP_DEFLATE);
	/* nothing at all is a refusal even if not flagged */
	xb_core_deflated(&c, 4096, 0, false, now);
	assert_true(c.cnt.refusals == 1);
	assert_int_equal(c.state, XB_STATE_REFUSED);
}

static void test_floor_state(void **state)
{
	struct xb_core c;
	u64 xen = 0, now = 0;

	(void)state;
	init_guest(&c, false, 200 * MIB_KB);
	assert_true(c.floor_pages == 200 * MIB_PAGES);
	xb_core_set_target_kb(&c, 128 * MIB_KB);
	assert_int_equal(c.state, XB_STATE_INFLATING);
	converge(&c, LOTS, &xen, &now, 10000);
	assert_true(xb_core_current_pages(&c) == 200 * MIB_PAGES);
	assert_int_equal(c.state, XB_STATE_AT_FLOOR);
	assert_int_equal(c.last_error, XB_ERR_BELOW_FLOOR);
	/* lowering the floor at run time lets it go on */
	xb_core_set_floor_kb(&c, 64 * MIB_KB);
	assert_int_equal(c.state, XB_STATE_INFLATING);
	converge(&c, LOTS, &xen, &now, 10000);
	assert_true(xb_core_current_pages(&c) == 128 * MIB_PAGES);
	assert_int_equal(c.state, XB_STATE_IDLE);
	/* a floor above the guest size is the guest size */
	xb_core_set_floor_kb(&c, 1ull << 40);
	assert_true(c.floor_pages == c.total_pages);
}

static void test_oom_deflate(void **state)
{
	struct xb_core c;
	u64 xen = 0, now = 0;
	struct xb_step st;

	(void)state;
	ballooned_to(&c, true, 256, &xen, &now);
	assert_false(xb_core_under_pressure(&c, c.reserve_pages));
	assert_true(xb_core_under_pressure(&c, c.reserve_pages - 1));
	xb_core_oom_deflated(&c, 4 * MIB_PAGES, now);
	assert_true(c.cnt.oom_deflates == 1);
	assert_true(c.cnt.oom_pages == 4 * MIB_PAGES);
	assert_true(c.cnt.pages_deflated == 4 * MIB_PAGES);
	assert_int_equal(c.last_error, XB_ERR_NOMEM);
	assert_int_equal(c.state, XB_STATE_OOM_DEFLATED);
	assert_true(xb_core_current_pages(&c) == 260 * MIB_PAGES);
	/* no immediate give-back */
	st = xb_core_plan(&c, LOTS, now);
	assert_int_equal(st.op, XB_OP_WAIT);
	/* still short of memory after the wait: keeps waiting, still says so */
	now += st.delay_ms;
	st = xb_core_plan(&c, c.reserve_pages, now);
	assert_int_equal(st.op, XB_OP_WAIT);
	assert_int_equal(c.state, XB_STATE_OOM_DEFLATED);
	/* zero or absurd amounts */
	xb_core_oom_deflated(&c, 0, now);
	assert_true(c.cnt.oom_deflates == 1);
	xb_core_oom_deflated(&c, 1ull << 40, now);
	assert_true(c.balloon_pages == 0);
	assert_false(xb_core_under_pressure(&c, 0));	/* nothing to give */
	/* memory is back: converges to the target, state clears */
	now += 100000;
	converge(&c, LOTS, &xen, &now, 10000);
	assert_true(xb_core_current_pages(&c) == 256 * MIB_PAGES);
	assert_int_equal(c.state, XB_STATE_IDLE);
}

/* The pressure hold ends when the target is reached or replaced. */
static void test_oom_hold_ends(void **state)
{
	struct xb_core c;
	u64 xen = 0, now = 0;

	(void)state;
	init_guest(&c, false, 200 * MIB_KB);
	xb_core_set_target_kb(&c, 128 * MIB_KB);
	converge(&c, LOTS, &xen, &now, 10000);
	assert_int_equal(c.state, XB_STATE_AT_FLOOR);
	xb_core_oom_deflated(&c, MIB_PAGES, now);
	assert_int_equal(c.state, XB_STATE_OOM_DEFLATED);
	/* back at the floor: the hold is over; a lower floor means inflating */
	now += 100000;
	converge(&c, LOTS, &xen, &now, 10000);
	assert_int_equal(c.state, XB_STATE_AT_FLOOR);
	xb_core_set_floor_kb(&c, 64 * MIB_KB);
	assert_int_equal(c.state, XB_STATE_INFLATING);
	/* a new target ends a hold at once */
	xb_core_oom_deflated(&c, MIB_PAGES, now);
	assert_int_equal(c.state, XB_STATE_OOM_DEFLATED);
	xb_core_set_target_kb(&c, 100 * MIB_KB);
	assert_int_equal(c.state, XB_STATE_INFLATING);
}

static void test_hv_error(void **state)
{
	struct xb_core c;

	(void)state;
	init_guest(&c, true, 0);
	xb_core_set_target_kb(&c, 256 * MIB_KB);
	xb_core_hv_error(&c, 0);
	assert_int_equal(c.state, XB_STATE_ERROR);
	assert_true(c.cnt.refusals == 1);
	assert_int_equal(xb_core_plan(&c, LOTS, 0).op, XB_OP_WAIT);
	xb_core_inflated(&c, 8, 8, false, 1000);
	assert_int_equal(c.state, XB_STATE_INFLATING);
	/* a new target ends the error state, and restores the batch */
	xb_core_inflated(&c, 8, 4, false, 1000);
	assert_true(c.batch < c.batch_max);
	xb_core_hv_error(&c, 1000);
	xb_core_set_target_kb(&c, 200 * MIB_KB);
	assert_int_equal(c.state, XB_STATE_INFLATING);
	assert_true(c.batch == c.batch_max);
	/* so does the target being reached, here by a floor at the size now */
	xb_core_hv_error(&c, 1000);
	xb_core_set_floor_kb(&c, xb_pages_to_kb(xb_core_current_pages(&c)));
	assert_int_equal(c.state, XB_STATE_AT_FLOOR);
	xb_core_set_floor_kb(&c, 0);
	assert_int_equal(c.state, XB_STATE_INFLATING);
	/* and a take-back that works */
	xb_core_set_target_kb(&c, 1024 * MIB_KB);
	xb_core_hv_error(&c, 1000);
	xb_core_deflated(&c, 4, 4, false, 2000);
	assert_int_equal(c.state, XB_STATE_DEFLATING);
	/* deflating more than the balloon holds is clamped */
	xb_core_deflated(&c, 100, 100, false, 1000);
	assert_true(c.balloon_pages == 0);
	assert_true(xb_core_current_pages(&c) == c.total_pages);
}

/*
 * What the 1 GiB guest of init_guest() must apply for a target of kb, worked
 * out from the input alone: whole pages, at most the guest, at least its
 * 96 MiB default floor.
 */
static u64 expected_target_pages(u64 kb)
{
	u64 t = kb / XB_PAGE_KB;

	if (t > GUEST_PAGES)
		t = GUEST_PAGES;
	if (t < 96 * MIB_PAGES)
		t = 96 * MIB_PAGES;
	return t;
}

/* The state that the numbers call for, with Xen always obliging. */
static enum xb_state expected_state(const struct xb_core *c, u64 kb)
{
	s64 credit = (s64)c->target_pages - (s64)xb_core_current_pages(c);

	if (credit < 0)
		return XB_STATE_INFLATING;
	if (credit > 0)
		return XB_STATE_DEFLATING;
	return kb / XB_PAGE_KB < 96 * MIB_PAGES ? XB_STATE_AT_FLOOR :
		XB_STATE_IDLE;
}

static void test_random_targets(void **state)
{
	struct xb_core c;
	u64 xen = 0, now = 0, last = 0;
	int i;

	(void)state;
	srand(3);
	init_guest(&c, true, 0);
	for (i = 0; i < 200; i++) {
		last = (u64)(rand() % 1100) * MIB_KB + (u64)(rand() % 1024);
		xb_core_set_target_kb(&c, last);
		assert_true(c.target_pages == expected_target_pages(last));
		/* apply a random part of the work before the next target */
		converge(&c, LOTS, &xen, &now, rand() % 50);
		/* the fake Xen holds what the core says it gave, no more */
		assert_true(xen == c.balloon_pages);
		/* the cumulative counters agree with the live count */
		assert_true(c.cnt.pages_inflated - c.cnt.pages_deflated ==
			    c.balloon_pages);
		assert_int_equal(c.state, expected_state(&c, last));
		/* last_error stays until the next error; none other here */
		if (last / XB_PAGE_KB < 96 * MIB_PAGES)
			assert_int_equal(c.last_error, XB_ERR_BELOW_FLOOR);
		else
			assert_true(c.last_error == XB_ERR_NONE ||
				    c.last_error == XB_ERR_BELOW_FLOOR);
	}
	converge(&c, LOTS, &xen, &now, 100000);
	assert_true(xb_core_current_pages(&c) == expected_target_pages(last));
	assert_true(xen == GUEST_PAGES - expected_target_pages(last));
	assert_int_equal(c.state, expected_state(&c, last));
	assert_true(now == 0);	/* Xen never refused: never waited */
}

/* Zeroing is the default; skipped only where the kernel zeroed already. */
static void test_scrub_mode(void **state)
{
	(void)state;
	assert_int_equal(xb_scrub_mode(true, false, false), XB_SCRUB_ZERO);
	assert_int_equal(xb_scrub_mode(true, true, false), XB_SCRUB_INIT_ON_FREE);
	assert_int_equal(xb_scrub_mode(true, false, true), XB_SCRUB_INIT_ON_ALLOC);
	assert_int_equal(xb_scrub_mode(true, true, true), XB_SCRUB_INIT_ON_FREE);
	assert_int_equal(xb_scrub_mode(false, false, false), XB_SCRUB_OFF);
	assert_int_equal(xb_scrub_mode(false, true, true), XB_SCRUB_OFF);
}

static void test_report_delay(void **state)
{
	struct xb_report_clock rc = { 0 };
	struct xb_core c, last;

	(void)state;
	init_guest(&c, false, 0);
	last = c;
	/* first report: now */
	assert_int_equal(xb_report_delay(&rc, &c, &last, 5, 1000, 200), 0);
	rc.written = true;
	rc.last_ms = 1000;
	/* idle and unchanged: no timer at all */
	assert_int_equal(xb_report_delay(&rc, &c, &last, 1000, 1000, 200), -1);
	assert_int_equal(xb_report_delay(&rc, &c, &last, 99999, 1000, 200), -1);
	/* change: rate-limited to min interval */
	xb_core_set_target_kb(&c, 256 * MIB_KB);
	assert_int_equal(xb_report_delay(&rc, &c, &last, 1050, 1000, 200), 150);
	assert_int_equal(xb_report_delay(&rc, &c, &last, 1300, 1000, 200), 0);
	/* converging: periodic */
	last = c;
	assert_int_equal(xb_report_delay(&rc, &c, &last, 1100, 1000, 200), 900);
	assert_int_equal(xb_report_delay(&rc, &c, &last, 2500, 1000, 200), 0);
	/* a period below the min interval is raised to it */
	assert_int_equal(xb_report_delay(&rc, &c, &last, 1000, 150, 300), 300);
}

/* Tunables of 0 (or absurd) are clamped: no report storm, no endless wait. */
static void test_report_bounds(void **state)
{
	struct xb_report_clock rc = { 1000, true };
	struct xb_core c, last;

	(void)state;
	init_guest(&c, false, 0);
	xb_core_set_target_kb(&c, 256 * MIB_KB);
	last = c;
	/* converging, period 0 and min 0: not at once, but after the bounds */
	assert_int_equal(xb_report_delay(&rc, &c, &last, 1000, 0, 0),
			 XB_REPORT_PERIOD_MS_LO);
	/* changed, min 0: after the lowest min interval */
	c.balloon_pages++;
	assert_int_equal(xb_report_delay(&rc, &c, &last, 1000, 0, 0),
			 XB_REPORT_MIN_MS_LO);
	/* huge values are capped */
	assert_int_equal(xb_report_delay(&rc, &c, &last, 1000, ~0u, ~0u),
			 XB_REPORT_MIN_MS_HI);
	c = last;
	assert_int_equal(xb_report_delay(&rc, &c, &last, 1000, ~0u, 1),
			 XB_REPORT_PERIOD_MS_HI);
	assert_true(xb_clamp_u32(0, 5, 9) == 5);
	assert_true(xb_clamp_u32(7, 5, 9) == 7);
	assert_true(xb_clamp_u32(10, 5, 9) == 9);
}

/*
 * A stuck guest (refused, error, nomem, oom-deflated) reports at the pace of
 * its backoff, not every period: at most one report per backoff step.
 */
static void test_report_stuck_backoff(void **state)
{
	struct xb_report_clock rc = { 0, true };
	struct xb_core c, last;
	u64 xen = 0, now = 0;
	long d;

	(void)state;
	/* refused: the host has nothing; backoff grows to its cap */
	init_guest(&c, false, 0);
	xb_core_set_target_kb(&c, 256 * MIB_KB);
	converge(&c, LOTS, &xen, &now, 10000);
	xen = 0;
	xb_core_set_target_kb(&c, 1024 * MIB_KB);
	converge(&c, LOTS, &xen, &now, 40);
	assert_int_equal(c.state, XB_STATE_REFUSED);
	assert_true(c.backoff_ms == XB_BACKOFF_MAX_MS);
	last = c;
	rc.last_ms = now;
	d = xb_report_delay(&rc, &c, &last, now, 1000, 200);
	assert_int_equal(d, XB_BACKOFF_MAX_MS);
	assert_true(xb_report_period(&c, 1000) == XB_BACKOFF_MAX_MS);
	/* nomem: the guest has nothing to spare */
	init_guest(&c, false, 0);
	xb_core_set_target_kb(&c, 256 * MIB_KB);
	now = 0;
	while (c.backoff_ms < 4000) {
		struct xb_step st = xb_core_plan(&c, c.reserve_pages, now);

		assert_int_equal(st.op, XB_OP_WAIT);
		now += st.delay_ms;
	}
	last = c;
	rc.last_ms = now;
	assert_int_equal(c.state, XB_STATE_INFLATING);
	assert_int_equal(xb_report_delay(&rc, &c, &last, now, 1000, 200),
			 (long)c.backoff_ms);
	/* error */
	init_guest(&c, true, 0);
	xb_core_set_target_kb(&c, 256 * MIB_KB);
	xb_core_hv_error(&c, 0);
	xb_core_hv_error(&c, 0);
	xb_core_hv_error(&c, 0);
	xb_core_hv_error(&c, 0);
	assert_int_equal(c.state, XB_STATE_ERROR);
	assert_true(xb_report_period(&c, 1000) == c.backoff_ms);
	assert_true(c.backoff_ms > 1000);
	/* converging normally: the plain period */
	xb_core_set_target_kb(&c, 512 * MIB_KB);
	assert_true(xb_report_period(&c, 1000) == 1000);
}

/*
 * Pressure that keeps taking pages back: each cycle of give-back and
 * pressure deflate waits longer (the backoff doubles to its cap), instead of
 * restarting at the shortest wait after every successful give-back.
 */
static void test_oom_cycle_backoff(void **state)
{
	struct xb_core c;
	u64 xen = 0, now = 0;
	u32 prev = 0;
	int i;

	(void)state;
	init_guest(&c, true, 0);
	xb_core_set_target_kb(&c, 256 * MIB_KB);
	converge(&c, LOTS, &xen, &now, 10000);
	for (i = 0; i < 10; i++) {
		struct xb_step st;

		xb_core_oom_deflated(&c, 8 * MIB_PAGES, now);
		assert_int_equal(c.state, XB_STATE_OOM_DEFLATED);
		assert_true(c.backoff_ms > prev || c.backoff_ms == XB_BACKOFF_MAX_MS);
		prev = c.backoff_ms;
		st = xb_core_plan(&c, LOTS, now);
		assert_int_equal(st.op, XB_OP_WAIT);
		assert_true(st.delay_ms == c.backoff_ms);
		now += st.delay_ms;
		/* memory is back for a moment: the pages go out again */
		st = xb_core_plan(&c, LOTS, now);
		assert_int_equal(st.op, XB_OP_INFLATE);
		xb_core_inflated(&c, st.nr_pages, st.nr_pages, false, now);
		assert_true(c.backoff_ms == prev);
	}
	assert_true(c.backoff_ms == XB_BACKOFF_MAX_MS);
	/* a new target ends the hold and the backoff */
	xb_core_set_target_kb(&c, 300 * MIB_KB);
	assert_true(c.backoff_ms == 0);
}

/*
 * A fake Xen for one 2 MiB block: pages [0, j) already removed by the
 * order-9 call, pages in stuck[] cannot be removed, a page in once[] fails
 * the first time only. Removal of a run stops at the first failure, as
 * decrease_reservation does.
 */
struct fake_block {
	bool populated[XB_SETTLE_MAX];
	bool stuck[XB_SETTLE_MAX];
	bool once[XB_SETTLE_MAX];
};

static u32 fake_remove_down(struct fake_block *b, u32 first, u32 count)
{
	u32 n = 0, p;

	while (n < count) {
		p = first - n;
		if (!b->populated[p] || b->stuck[p])
			break;
		if (b->once[p]) {
			b->once[p] = false;
			break;
		}
		b->populated[p] = false;
		n++;
	}
	return n;
}

/*
 * Settle the block; every page must end where the driver will put it, and at
 * most max_q pages may be quarantined.
 */
static void settle_check(struct fake_block *b, u32 nr, u32 max_q)
{
	struct xb_settle s;
	u32 first, count, i, rounds = 0, nq = 0;

	xb_settle_init(&s, nr);
	while (xb_settle_next(&s, &first, &count)) {
		assert_true(count > 0 && count <= first + 1 && first < nr);
		xb_settle_result(&s, fake_remove_down(b, first, count));
		assert_true(++rounds <= 2 * nr + 1);
	}
	for (i = 0; i < nr; i++) {
		switch (xb_settle_fate(&s, i)) {
		case XB_SETTLE_KEPT:
			/* back to the allocator: must have memory behind it */
			assert_true(b->populated[i]);
			break;
		case XB_SETTLE_GIVEN:
			/* counted as given to Xen: must be gone */
			assert_false(b->populated[i]);
			break;
		case XB_SETTLE_QUARANTINED:
			nq++;
			break;
		}
	}
	assert_true(nq <= max_q);
}

static void block_from(struct fake_block *b, u32 first)
{
	u32 i;

	memset(b, 0, sizeof(*b));
	for (i = first; i < XB_SETTLE_MAX; i++)
		b->populated[i] = true;
}

static void test_settle_partial_2m(void **state)
{
	struct fake_block b;
	struct xb_settle s;
	u32 j, first, count;

	(void)state;
	for (j = 0; j < XB_SETTLE_MAX; j++) {
		/* Xen stopped at page j, which it cannot remove */
		block_from(&b, j);
		b.stuck[j] = true;
		settle_check(&b, XB_SETTLE_MAX, j + 1 < XB_SETTLE_MAX ? 1 : 512);
		/* ... a transient failure (p2m split out of memory) */
		block_from(&b, j);
		b.once[j] = true;
		settle_check(&b, XB_SETTLE_MAX, 1);
		/*
		 * ... page j already gone (the lab's injection); if it was the
		 * last one, nothing tells an empty block from one Xen refuses
		 * whole, and all of it stays out of use
		 */
		block_from(&b, j + 1);
		settle_check(&b, XB_SETTLE_MAX, j + 1 < XB_SETTLE_MAX ? 1 : 512);
		/* ... and a page above it that Xen will not take either */
		block_from(&b, j);
		b.stuck[j] = true;
		b.stuck[(j + 7) % XB_SETTLE_MAX] = true;
		b.stuck[XB_SETTLE_MAX - 1] = true;
		settle_check(&b, XB_SETTLE_MAX, XB_SETTLE_MAX);
	}
	/* nothing removable at all: nothing is given, nothing is kept */
	block_from(&b, 0);
	memset(b.stuck, 1, sizeof(b.stuck));
	settle_check(&b, XB_SETTLE_MAX, XB_SETTLE_MAX);
	/* an untouched block (order refused outright) is given whole at once */
	block_from(&b, 0);
	xb_settle_init(&s, XB_SETTLE_MAX);
	assert_true(xb_settle_next(&s, &first, &count));
	assert_true(first == XB_SETTLE_MAX - 1 && count == XB_SETTLE_MAX);
	xb_settle_result(&s, fake_remove_down(&b, first, count));
	assert_false(xb_settle_next(&s, &first, &count));
	for (j = 0; j < XB_SETTLE_MAX; j++)
		assert_int_equal(xb_settle_fate(&s, j), XB_SETTLE_GIVEN);
}

/* Run a settle walk against a fake block; returns the number of runs. */
static u32 settle_runs(struct fake_block *b, struct xb_settle *s, u32 nr)
{
	u32 first, count, runs = 0;

	xb_settle_init(s, nr);
	while (xb_settle_next(s, &first, &count)) {
		xb_settle_result(s, fake_remove_down(b, first, count));
		runs++;
	}
	assert_true(first == 0 && count == 0);	/* nothing once settled */
	return runs;
}

/* The walk's cost: one hypercall per run, a retry only where it can help. */
static void test_settle_runs(void **state)
{
	struct fake_block b;
	struct xb_settle s;
	u32 i, first, count;

	(void)state;
	/* a transient failure at 300, all populated: 3 runs */
	block_from(&b, 0);
	b.once[300] = true;
	assert_int_equal(settle_runs(&b, &s, XB_SETTLE_MAX), 3);
	for (i = 0; i < XB_SETTLE_MAX; i++)
		assert_int_equal(xb_settle_fate(&s, i), XB_SETTLE_GIVEN);
	/* a page Xen keeps refusing at 300, the rest populated: 3 runs */
	block_from(&b, 0);
	b.stuck[300] = true;
	assert_int_equal(settle_runs(&b, &s, XB_SETTLE_MAX), 3);
	assert_int_equal(xb_settle_fate(&s, 300), XB_SETTLE_KEPT);
	assert_int_equal(xb_settle_fate(&s, 299), XB_SETTLE_GIVEN);
	/* Xen stopped at 100 (gone below): 2 runs, then one per gone page */
	block_from(&b, 100);
	b.stuck[100] = true;
	assert_int_equal(settle_runs(&b, &s, XB_SETTLE_MAX), 2 + 100);
	assert_int_equal(xb_settle_fate(&s, 100), XB_SETTLE_QUARANTINED);
	assert_int_equal(xb_settle_fate(&s, 99), XB_SETTLE_GIVEN);
	/* nothing removable: the top page retried once, the others not */
	block_from(&b, 0);
	memset(b.stuck, 1, sizeof(b.stuck));
	assert_int_equal(settle_runs(&b, &s, XB_SETTLE_MAX), XB_SETTLE_MAX + 1);
	assert_int_equal(xb_settle_fate(&s, 0), XB_SETTLE_QUARANTINED);
	/* outside the block */
	assert_int_equal(xb_settle_fate(&s, XB_SETTLE_MAX), XB_SETTLE_GIVEN);
	/* a Xen that says it removed more than it was given */
	xb_settle_init(&s, XB_SETTLE_MAX);
	xb_settle_result(&s, 10 * XB_SETTLE_MAX);
	assert_false(xb_settle_next(&s, &first, &count));
	assert_int_equal(xb_settle_fate(&s, 0), XB_SETTLE_GIVEN);
	xb_settle_init(&s, XB_SETTLE_MAX);
	xb_settle_result(&s, 11);		/* stops at 500: retried alone */
	assert_true(xb_settle_next(&s, &first, &count));
	assert_true(first == 500 && count == 1);
	xb_settle_result(&s, 7);		/* counts as the one page */
	assert_true(xb_settle_next(&s, &first, &count));
	assert_true(first == 499 && count == 500);
	/* sizes: none, smaller, larger than a block */
	xb_settle_init(&s, 0);
	assert_false(xb_settle_next(&s, &first, &count));
	xb_settle_init(&s, 100);
	assert_true(xb_settle_next(&s, &first, &count));
	assert_true(first == 99 && count == 100);
	xb_settle_init(&s, 2 * XB_SETTLE_MAX);
	assert_true(xb_settle_next(&s, &first, &count));
	assert_true(first == XB_SETTLE_MAX - 1 && count == XB_SETTLE_MAX);
}

/* Pages held for good: counted, reported, and they keep the module loaded. */
static void test_quarantine(void **state)
{
	struct xb_core c, last;

	(void)state;
	init_guest(&c, true, 0);
	last = c;
	assert_false(xb_core_holds_pages(&c));
	xb_core_quarantined(&c, 3);
	xb_core_quarantined(&c, 2);
	assert_true(c.quarantine_pages == 5);
	assert_true(xb_core_holds_pages(&c));
	assert_true(xb_report_changed(&c, &last));
	assert_true(c.balloon_pages == 0);
}

/* Each reported fact on its own is a change worth a report. */
static void test_report_changed(void **state)
{
	struct xb_core a, b;

	(void)state;
	init_guest(&a, true, 0);
	b = a;
	assert_false(xb_report_changed(&a, &b));
	b.state = XB_STATE_REFUSED;
	assert_true(xb_report_changed(&a, &b));
	b = a;
	b.target_pages++;
	assert_true(xb_report_changed(&a, &b));
	b = a;
	b.scrub = XB_SCRUB_OFF;
	a.scrub = XB_SCRUB_ZERO;
	assert_true(xb_report_changed(&a, &b));
	b = a;
	b.cnt.bad_targets++;
	assert_true(xb_report_changed(&a, &b));
	/* health and internal counters are not */
	b = a;
	b.cnt.alloc_failures++;
	b.cnt.pages_inflated++;
	assert_false(xb_report_changed(&a, &b));
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(xb_scrub_name(XB_SCRUB_OFF), "off");
	assert_string_equal(xb_scrub_name(XB_SCRUB_ZERO), "zero");
	assert_string_equal(xb_scrub_name(XB_SCRUB_INIT_ON_FREE), "init-on-free");
	assert_string_equal(xb_scrub_name(XB_SCRUB_INIT_ON_ALLOC), "init-on-alloc");
	assert_string_equal(xb_scrub_name(XB_SCRUB_COUNT), "off");
	assert_string_equal(xb_scrub_name((enum xb_scrub)99), "off");
	assert_string_equal(xb_state_name(XB_STATE_IDLE), "idle");
	assert_string_equal(xb_state_name(XB_STATE_AT_FLOOR), "at-floor");
	assert_string_equal(xb_state_name(XB_STATE_OOM_DEFLATED), "oom-deflated");
	assert_string_equal(xb_state_name((enum xb_state)99), "error");
	assert_string_equal(xb_state_name(XB_STATE_COUNT), "error");
	assert_string_equal(xb_err_name(XB_ERR_HV_REFUSED), "hv-refused");
	assert_string_equal(xb_err_name((enum xb_err)99), "none");
	assert_string_equal(xb_err_name(XB_ERR_COUNT), "none");
	assert_string_equal(xb_mode_name(XB_MODE_DRIVER), "driver");
	assert_string_equal(xb_mode_name(XB_MODE_COMPANION), "companion");
	assert_string_equal(xb_mode_name(XB_MODE_COUNT), "driver");
	assert_string_equal(xb_mode_name((enum xb_mode)99), "driver");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_floor_default),
		cmocka_unit_test(test_reserve),
		cmocka_unit_test(test_init_frames),
		cmocka_unit_test(test_set_target),
		cmocka_unit_test(test_set_target_edges),
		cmocka_unit_test(test_no_target_no_work),
		cmocka_unit_test(test_inflate_batches),
		cmocka_unit_test(test_inflate_nomem_backoff),
		cmocka_unit_test(test_inflate_short),
		cmocka_unit_test(test_inflate_clamps),
		cmocka_unit_test(test_odd_limits),
		cmocka_unit_test(test_take_back_refused),
		cmocka_unit_test(test_deflate_clamp_and_one_page),
		cmocka_unit_test(test_take_back_partial),
		cmocka_unit_test(test_floor_state),
		cmocka_unit_test(test_oom_deflate),
		cmocka_unit_test(test_oom_hold_ends),
		cmocka_unit_test(test_hv_error),
		cmocka_unit_test(test_random_targets),
		cmocka_unit_test(test_scrub_mode),
		cmocka_unit_test(test_report_delay),
		cmocka_unit_test(test_report_bounds),
		cmocka_unit_test(test_report_stuck_backoff),
		cmocka_unit_test(test_oom_cycle_backoff),
		cmocka_unit_test(test_settle_partial_2m),
		cmocka_unit_test(test_settle_runs),
		cmocka_unit_test(test_quarantine),
		cmocka_unit_test(test_report_changed),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
