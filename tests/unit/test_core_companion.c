// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests: companion mode (issue 9 section 4) in the core: the report
 * mirrors Linux's balloon_stats, and an OOM deflate raises Linux's target
 * within what its balloon holds and what Xen's maxmem leaves.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "xb_core.h"

static void make_core(struct xb_core *c, bool pvh)
{
	struct xb_config cfg = {
		.initial_pages = 131072,		/* 512 MiB */
		.static_max_kb = pvh ? 786432 : 0,	/* PVH: diff 64 Ki pages */
		.auto_translated = pvh,
	};

	xb_core_init(c, &cfg);
	c->mode = XB_MODE_COMPANION;
}

static void test_mirror_states(void **state)
{
	struct xb_linux_stats s = { 131072, 131072, 65536, 1 };
	struct xb_core c;

	(void)state;
	make_core(&c, false);
	assert_false(xb_core_companion(&c, &s, 0));
	assert_int_equal(c.state, XB_STATE_IDLE);
	assert_true(c.balloon_pages == 65536);
	assert_true(xb_core_current_pages(&c) == 131072);
	assert_true(c.target_pages == 131072);
	assert_int_equal(c.backoff_ms, 1000);
	s.target_pages = 98304;			/* mem-set down: Linux inflates */
	xb_core_companion(&c, &s, 0);
	assert_int_equal(c.state, XB_STATE_INFLATING);
	assert_true(c.req_target_pages == 98304);
	s.current_pages = 98304;
	s.balloon_pages = 98304;
	xb_core_companion(&c, &s, 0);
	assert_int_equal(c.state, XB_STATE_IDLE);
	assert_true(xb_core_current_pages(&c) == 98304);
	s.target_pages = 120000;		/* up: Linux deflates */
	xb_core_companion(&c, &s, 0);
	assert_int_equal(c.state, XB_STATE_DEFLATING);
	s.balloon_pages = 0;			/* nothing left to take back */
	xb_core_companion(&c, &s, 0);
	assert_int_equal(c.state, XB_STATE_IDLE);
	s.schedule_delay_s = 32;		/* Linux retrying: capped backoff */
	xb_core_companion(&c, &s, 0);
	assert_int_equal(c.backoff_ms, XB_BACKOFF_MAX_MS);
}

static void test_mirror_frame_and_oom(void **state)
{
	struct xb_linux_stats s = { 100000, 100000, 31072, 1 };
	struct xb_core c;

	(void)state;
	make_core(&c, true);
	assert_true(c.target_diff_pages == 65536);
	xb_core_companion(&c, &s, 0);
	/* memory/target's frame: Linux's numbers plus target_diff */
	assert_true(c.target_pages == 165536);
	assert_true(xb_core_current_pages(&c) == 165536);
	/* while Linux's target is the one the OOM deflate set */
	assert_true(xb_core_companion(&c, &s, 100000));
	assert_int_equal(c.state, XB_STATE_OOM_DEFLATED);
	s.target_pages = 90000;			/* dom0 wrote a new target */
	assert_false(xb_core_companion(&c, &s, 100000));
	assert_int_equal(c.state, XB_STATE_INFLATING);
}

static void test_raise_bounds(void **state)
{
	struct xb_linux_stats s = { 81920, 81920, 50000, 1 };	/* 320 MiB */
	u64 t = 7;

	(void)state;
	/* room: maxmem 768 MiB, Xen holds 320 MiB */
	assert_true(xb_companion_raise(&s, 16384, 81920, 196608, &t) == 16384);
	assert_true(t == 81920 + 16384);
	/* maxmem 321 MiB: 256 pages of room */
	assert_true(xb_companion_raise(&s, 16384, 81920, 82176, &t) == 256);
	assert_true(t == 82176);
	/* at maxmem: nothing, target untouched */
	t = 7;
	assert_true(xb_companion_raise(&s, 16384, 82176, 82176, &t) == 0);
	assert_true(t == 7);
	assert_true(xb_companion_raise(&s, 16384, 90000, 82176, &t) == 0);
	/* the balloon holds less than asked */
	s.balloon_pages = 100;
	assert_true(xb_companion_raise(&s, 16384, 81920, 196608, &t) == 100);
	assert_true(t == 82020);
	/*
	 * Linux already taking 1000 pages back (target above current): they
	 * count against the room and the balloon
	 */
	s.balloon_pages = 50000;
	s.target_pages = 82920;
	assert_true(xb_companion_raise(&s, 16384, 81920, 83176, &t) == 256);
	assert_true(t == 83176);
	s.balloon_pages = 1100;
	assert_true(xb_companion_raise(&s, 16384, 81920, 196608, &t) == 100);
	assert_true(t == 83020);
	/* Linux giving back (current above target): raise from current */
	s.balloon_pages = 50000;
	s.target_pages = 70000;
	assert_true(xb_companion_raise(&s, 1000, 81920, 196608, &t) == 1000);
	assert_true(t == 82920);
}

/*
 * Linux's balloon holds nothing beyond what it is already taking back:
 * nothing to raise, and the target is left alone.
 */
static void test_raise_nothing_held(void **state)
{
	struct xb_linux_stats s = { 81920, 81920, 0, 1 };
	u64 t = 7;

	(void)state;
	/* an empty balloon, plenty of room */
	assert_true(xb_companion_raise(&s, 16384, 81920, 196608, &t) == 0);
	assert_true(t == 7);
	/* 1000 pages being taken back, and exactly 1000 in the balloon */
	s.target_pages = 82920;
	s.balloon_pages = 1000;
	assert_true(xb_companion_raise(&s, 16384, 81920, 196608, &t) == 0);
	assert_true(t == 7);
	/* one page more in the balloon: one page */
	s.balloon_pages = 1001;
	assert_true(xb_companion_raise(&s, 16384, 81920, 196608, &t) == 1);
	assert_true(t == 82921);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mirror_states),
		cmocka_unit_test(test_mirror_frame_and_oom),
		cmocka_unit_test(test_raise_bounds),
		cmocka_unit_test(test_raise_nothing_held),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
