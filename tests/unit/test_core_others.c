// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests: staying in step with Linux's balloon.c (issue 9 section 3).
 * balloon.c, built into every Xen kernel, gives guest pages to Xen for its
 * users (gntdev, privcmd, grant tables) when its own balloon is empty: Xen's
 * count of the guest drops without the driver knowing. The core measures
 * that share against Xen's count and takes as many pages back on top of the
 * target, so that Xen's count meets the target, as Linux's driver does.
 * Every expected value is worked out from the numbers the test chose.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "xb_core.h"

#define MIB_PAGES (1024ull / XB_PAGE_KB)
#define SIZE (1024 * MIB_PAGES)		/* the guest's size */
#define LOTS (1ull << 40)

/* Xen's side: its count of the guest, and what balloon.c's users hold. */
struct fake {
	u64 xen_cur;	/* Xen's count of the guest (tot_pages) */
	u64 held;	/* pages balloon.c took out of the reservation */
	u64 diff;	/* PVH: memory the guest does not see (target_diff) */
	u64 now;
};

static void boot(struct xb_core *c, struct fake *f, bool pvh, u64 diff)
{
	struct xb_config cfg = {
		.initial_pages = SIZE - diff,
		.static_max_kb = SIZE * XB_PAGE_KB,
		.auto_translated = pvh,
	};

	xb_core_init(c, &cfg);
	*f = (struct fake){ .xen_cur = SIZE - diff, .diff = diff };
}

/* balloon.c gives N pages to Xen for a user (gntdev maps N pages). */
static void user_takes(struct fake *f, u64 n)
{
	f->xen_cur -= n;
	f->held += n;
}

/*
 * Run the worker as the module does: Xen's count read before each plan
 * (xb_core_set_others), one step applied. Returns the last op.
 */
static enum xb_op run(struct xb_core *c, struct fake *f, int max_steps)
{
	struct xb_step st = { XB_OP_NONE, 0, 0 };

	while (max_steps--) {
		xb_core_set_others(c, f->xen_cur);
		st = xb_core_plan(c, LOTS, f->now);
		switch (st.op) {
		case XB_OP_NONE:
			return st.op;
		case XB_OP_WAIT:
			f->now += st.delay_ms;
			break;
		case XB_OP_DEFLATE:
			f->xen_cur += st.nr_pages;
			xb_core_deflated(c, st.nr_pages, st.nr_pages, false,
					 f->now);
			break;
		case XB_OP_INFLATE:
			f->xen_cur -= st.nr_pages;
			xb_core_inflated(c, st.nr_pages, st.nr_pages, false,
					 f->now);
			break;
		case XB_OP_CLAIM:
			fail_msg("claim without a pool");
			break;
		}
		/* no page lost: the driver's count = Xen's + what users hold */
		assert_true(xb_core_current_pages(c) - f->diff ==
			    f->xen_cur + f->held);
	}
	return st.op;
}

static int target(struct xb_core *c, struct fake *f, u64 mib)
{
	xb_core_set_others(c, f->xen_cur);
	return xb_core_set_target_kb(c, mib * 1024);
}

/* A mapping made at a target: Xen's count is brought back to the target. */
static void test_others_taken_back(void **state)
{
	struct xb_core c;
	struct fake f;

	(void)state;
	boot(&c, &f, false, 0);
	assert_int_equal(target(&c, &f, 768), XB_TARGET_OK);
	assert_int_equal(run(&c, &f, 100), XB_OP_NONE);
	assert_true(f.xen_cur == 768 * MIB_PAGES);
	assert_true(c.others_pages == 0);

	/* gntdev maps 16 MiB: Xen's count drops, the driver's does not */
	user_takes(&f, 16 * MIB_PAGES);
	xb_core_set_others(&c, f.xen_cur);
	assert_true(c.others_pages == 16 * MIB_PAGES);
	assert_int_equal(c.state, XB_STATE_DEFLATING);
	assert_true(xb_core_credit(&c) == (s64)(16 * MIB_PAGES));
	assert_true(xb_core_goal_pages(&c) == (768 + 16) * MIB_PAGES);
	assert_int_equal(run(&c, &f, 100), XB_OP_NONE);
	assert_true(f.xen_cur == 768 * MIB_PAGES);
	assert_true(xb_core_current_pages(&c) == (768 + 16) * MIB_PAGES);
	assert_int_equal(c.state, XB_STATE_IDLE);

	/* a new target with the mapping still held: Xen's count meets it */
	assert_int_equal(target(&c, &f, 512), XB_TARGET_OK);
	assert_int_equal(run(&c, &f, 100), XB_OP_NONE);
	assert_true(f.xen_cur == 512 * MIB_PAGES);
	assert_true(c.balloon_pages == (512 - 16) * MIB_PAGES);

	/* unmapped, and balloon.c populates the pages again: given back */
	f.xen_cur += f.held;
	f.held = 0;
	xb_core_set_others(&c, f.xen_cur);
	assert_true(c.others_pages == 0);
	assert_int_equal(c.state, XB_STATE_INFLATING);
	assert_int_equal(run(&c, &f, 100), XB_OP_NONE);
	assert_true(f.xen_cur == 512 * MIB_PAGES);
	assert_true(c.balloon_pages == 512 * MIB_PAGES);
	assert_true(c.cnt.refusals == 0);
}

/* Nothing beyond what the guest can reach: at full size, nothing to do. */
static void test_others_capped(void **state)
{
	struct xb_core c;
	struct fake f;

	(void)state;
	boot(&c, &f, false, 0);
	user_takes(&f, 48);		/* grant table frames at boot */
	assert_int_equal(target(&c, &f, 1024), XB_TARGET_OK);
	assert_true(c.others_pages == 48);
	assert_true(xb_core_goal_pages(&c) == SIZE);
	assert_true(xb_core_credit(&c) == 0);
	assert_int_equal(c.state, XB_STATE_IDLE);
	assert_int_equal(run(&c, &f, 10), XB_OP_NONE);
	assert_true(c.cnt.refusals == 0);

	/* 100 pages below full size: 48 of them taken back, capped at 100 */
	assert_int_equal(xb_core_set_target_kb(&c, (SIZE - 100) * XB_PAGE_KB),
			 XB_TARGET_OK);
	assert_int_equal(run(&c, &f, 10), XB_OP_NONE);
	assert_true(f.xen_cur == SIZE - 100);
	/* 20 pages below: capped, the guest at its size, Xen 48 short */
	assert_int_equal(xb_core_set_target_kb(&c, (SIZE - 20) * XB_PAGE_KB),
			 XB_TARGET_OK);
	assert_true(xb_core_goal_pages(&c) == SIZE);
	assert_int_equal(run(&c, &f, 10), XB_OP_NONE);
	assert_true(c.balloon_pages == 0);
	assert_true(f.xen_cur == SIZE - 48);
	assert_int_equal(c.state, XB_STATE_IDLE);
}

/* Exactly at the cap: the goal is the cap either way. */
static void test_others_at_cap(void **state)
{
	struct xb_core c;
	struct fake f;

	(void)state;
	boot(&c, &f, false, 0);
	user_takes(&f, 100);
	xb_core_set_others(&c, f.xen_cur);
	assert_int_equal(xb_core_set_target_kb(&c, (SIZE - 100) * XB_PAGE_KB),
			 XB_TARGET_OK);
	assert_true(c.others_pages == 100);
	assert_true(xb_core_goal_pages(&c) == SIZE);
	xb_core_set_others(&c, f.xen_cur + 1);
	assert_true(c.others_pages == 99);
	assert_true(xb_core_goal_pages(&c) == SIZE - 1);
}

/*
 * Xen's count unknown (the hypercall failed: 0), or above the driver's:
 * nothing is taken back on that account; and nothing before a target.
 */
static void test_others_unknown(void **state)
{
	struct xb_core c;
	struct fake f;

	(void)state;
	boot(&c, &f, false, 0);
	user_takes(&f, 16 * MIB_PAGES);
	xb_core_set_others(&c, f.xen_cur);
	assert_true(c.others_pages == 16 * MIB_PAGES);
	assert_true(xb_core_credit(&c) == 0);	/* no target yet */
	assert_int_equal(c.state, XB_STATE_IDLE);

	assert_int_equal(xb_core_set_target_kb(&c, 512 * 1024), XB_TARGET_OK);
	xb_core_set_others(&c, 0);
	assert_true(c.others_pages == 0);
	assert_true(xb_core_goal_pages(&c) == 512 * MIB_PAGES);
	xb_core_set_others(&c, SIZE + 5);	/* above the driver's count */
	assert_true(c.others_pages == 0);
	assert_true(xb_core_credit(&c) == -(s64)(512 * MIB_PAGES));
}

/* PVH: targets include what the guest does not see; others do not. */
static void test_others_pvh(void **state)
{
	struct xb_core c;
	struct fake f;

	(void)state;
	boot(&c, &f, true, 4 * MIB_PAGES);
	assert_true(c.target_diff_pages == 4 * MIB_PAGES);
	user_takes(&f, 48);
	assert_int_equal(target(&c, &f, 512), XB_TARGET_OK);
	assert_true(c.others_pages == 48);
	assert_int_equal(run(&c, &f, 100), XB_OP_NONE);
	/* Linux's rule: Xen's count is the target less target_diff */
	assert_true(f.xen_cur == (512 - 4) * MIB_PAGES);
	assert_true(xb_core_current_pages(&c) == 512 * MIB_PAGES + 48);
}

/* A target below the floor: the floor, plus what balloon.c holds. */
static void test_others_floor(void **state)
{
	struct xb_core c;
	struct fake f;

	(void)state;
	boot(&c, &f, false, 0);
	xb_core_set_floor_kb(&c, 256 * 1024);
	user_takes(&f, MIB_PAGES);
	assert_int_equal(target(&c, &f, 128), XB_TARGET_BELOW_FLOOR);
	assert_int_equal(run(&c, &f, 100), XB_OP_NONE);
	assert_true(f.xen_cur == 256 * MIB_PAGES);
	assert_int_equal(c.state, XB_STATE_AT_FLOOR);
}

/*
 * A ceiling below the target (static-max under the boot size, a toolstack
 * that wrote it so): the goal is never below the target.
 */
static void test_others_ceiling_below_target(void **state)
{
	struct xb_config cfg = {
		.initial_pages = SIZE,
		.static_max_kb = 512 * 1024,
	};
	struct xb_core c;

	(void)state;
	xb_core_init(&c, &cfg);
	xb_core_set_floor_kb(&c, 600 * 1024);
	assert_int_equal(xb_core_set_target_kb(&c, 100 * 1024),
			 XB_TARGET_BELOW_FLOOR);
	assert_true(c.target_pages == 600 * MIB_PAGES);
	assert_true(xb_core_ceiling_pages(&c) == 512 * MIB_PAGES);
	xb_core_set_others(&c, SIZE - 10);
	assert_true(c.others_pages == 10);
	assert_true(xb_core_goal_pages(&c) == 600 * MIB_PAGES);
	assert_true(xb_core_credit(&c) == -(s64)((1024 - 600) * MIB_PAGES));
}

/* What balloon.c's users hold is in the report: a change is reported. */
static void test_others_reported(void **state)
{
	struct xb_core a, b;
	struct fake f;

	(void)state;
	boot(&a, &f, false, 0);
	b = a;
	assert_false(xb_report_changed(&a, &b));
	user_takes(&f, 1);
	xb_core_set_others(&b, f.xen_cur);
	assert_true(b.others_pages == 1);
	assert_true(xb_report_changed(&a, &b));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_others_taken_back),
		cmocka_unit_test(test_others_capped),
		cmocka_unit_test(test_others_at_cap),
		cmocka_unit_test(test_others_unknown),
		cmocka_unit_test(test_others_pvh),
		cmocka_unit_test(test_others_floor),
		cmocka_unit_test(test_others_ceiling_below_target),
		cmocka_unit_test(test_others_reported),
	};

	return cmocka_run_group_tests_name("core_others", tests, NULL, NULL);
}
