// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests: growing past the boot size (issue 9 section 5). A PV guest
 * booted with memory below maxmem has the rest of its memory map in Linux's
 * balloon.c, unpopulated; the core claims it from there (CLAIM) and takes it
 * back from Xen (DEFLATE). Every expected value is worked out from the
 * numbers the test chose, never read back from the core.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "xb_core.h"
#include "core_report_parse.h"

#define MIB_KB 1024ull
#define MIB_PAGES (MIB_KB / XB_PAGE_KB)
#define BOOT (512 * MIB_PAGES)		/* booted with memory=512 */
#define SMAX (1024 * MIB_PAGES)		/* maxmem=1024 */
#define LOTS (1ull << 40)

/* A fake of what the core cannot see: balloon.c's pool and Xen. */
struct fake {
	u64 pool;	/* pages balloon.c holds */
	u64 xen_cur;	/* Xen's count of the guest */
	u64 xen_max;	/* Xen's maxmem, pages */
	u64 host_free;	/* what Xen can hand out */
	u64 now;
	u64 claims;	/* claim steps */
	u64 claimed;	/* pages claimed */
};

static void boot(struct xb_core *c, struct fake *f, u64 pool, u64 xen_max)
{
	struct xb_config cfg = {
		.initial_pages = BOOT,
		.static_max_kb = SMAX * XB_PAGE_KB,
	};

	xb_core_init(c, &cfg);
	*f = (struct fake){ .pool = pool, .xen_cur = BOOT, .xen_max = xen_max,
			    .host_free = LOTS };
}

static void sync_grow(struct xb_core *c, const struct fake *f)
{
	xb_core_set_grow(c, f->pool,
			 f->xen_max > f->xen_cur ? f->xen_max - f->xen_cur : 0);
}

/* Booted, the pool read as the module does at load, then a target. */
static int boot_target(struct xb_core *c, struct fake *f, u64 pool,
		       u64 xen_max, u64 target_mib)
{
	boot(c, f, pool, xen_max);
	sync_grow(c, f);
	return xb_core_set_target_kb(c, target_mib * MIB_KB);
}

/*
 * Run the plan, as the module's worker does (the pool and Xen's room read
 * before each step), until nothing is left to do; checks the rules of a
 * claim on every step. Returns the last step's op.
 */
static enum xb_op run(struct xb_core *c, struct fake *f, int max_steps)
{
	struct xb_step st = { XB_OP_NONE, 0, 0 };
	u64 n, room;

	while (max_steps--) {
		sync_grow(c, f);
		room = f->xen_max > f->xen_cur ? f->xen_max - f->xen_cur : 0;
		st = xb_core_plan(c, LOTS, f->now);
		switch (st.op) {
		case XB_OP_NONE:
			return st.op;
		case XB_OP_WAIT:
			f->now += st.delay_ms;
			break;
		case XB_OP_CLAIM:
			/* only with the driver's own balloon empty */
			assert_true(c->balloon_pages == 0);
			assert_true(st.nr_pages > 0);
			/* never more than balloon.c holds, nor Xen lets in */
			assert_true(st.nr_pages <= f->pool);
			assert_true(st.nr_pages <= room);
			assert_true(st.nr_pages <= c->batch_max);
			assert_true((s64)st.nr_pages <= xb_core_credit(c));
			f->pool -= st.nr_pages;
			f->claims++;
			f->claimed += st.nr_pages;
			xb_core_claimed(c, st.nr_pages, st.nr_pages, f->now);
			break;
		case XB_OP_DEFLATE:
			assert_true(st.nr_pages <= c->balloon_pages);
			n = st.nr_pages;
			if (n > room)
				n = room;	/* Xen: not above maxmem */
			if (n > f->host_free)
				n = f->host_free;
			f->xen_cur += n;
			f->host_free -= n;
			xb_core_deflated(c, st.nr_pages, n, n < st.nr_pages,
					 f->now);
			break;
		case XB_OP_INFLATE:
			f->xen_cur -= st.nr_pages;
			f->host_free += st.nr_pages;
			xb_core_inflated(c, st.nr_pages, st.nr_pages, false,
					 f->now);
			break;
		}
		/* the driver's view and Xen's stay equal (PV: no target_diff) */
		assert_true(xb_core_current_pages(c) == f->xen_cur);
		assert_true(c->total_pages <= SMAX);
	}
	return st.op;
}

/* 512 booted, maxmem raised to 1024 + 1 MiB (xl mem-set): reaches 1024. */
static void test_grow_to_static_max(void **state)
{
	struct xb_core c;
	struct fake f;

	(void)state;
	boot(&c, &f, SMAX - BOOT, SMAX + MIB_PAGES);
	sync_grow(&c, &f);
	assert_true(xb_core_ceiling_pages(&c) == SMAX);
	assert_int_equal(xb_core_set_target_kb(&c, 1024 * MIB_KB),
			 XB_TARGET_OK);
	assert_true(c.cnt.clamped_targets == 0);
	assert_true(c.target_pages == SMAX);
	assert_int_equal(c.state, XB_STATE_DEFLATING);
	assert_int_equal(run(&c, &f, 1000), XB_OP_NONE);
	assert_true(c.total_pages == SMAX);
	assert_true(xb_core_current_pages(&c) == SMAX);
	assert_true(c.balloon_pages == 0);
	assert_true(f.xen_cur == SMAX);
	assert_true(f.pool == 0);
	assert_true(f.claimed == SMAX - BOOT);
	assert_true(c.claimed_pages == SMAX - BOOT);
	/* 512 MiB in batches of XB_BATCH_DEFAULT pages (64 MiB): 8 claims */
	assert_true(f.claims == (SMAX - BOOT) / XB_BATCH_DEFAULT);
	assert_true(c.boot_pages == BOOT);
	assert_int_equal(c.state, XB_STATE_IDLE);
	assert_true(c.cnt.refusals == 0);
}

/* Down again after growing, and back up from the driver's own balloon. */
static void test_grow_then_down(void **state)
{
	struct xb_core c;
	struct fake f;

	(void)state;
	boot_target(&c, &f, SMAX - BOOT, SMAX + MIB_PAGES, 1024);
	run(&c, &f, 1000);
	assert_int_equal(xb_core_set_target_kb(&c, 256 * MIB_KB),
			 XB_TARGET_OK);
	assert_int_equal(run(&c, &f, 1000), XB_OP_NONE);
	assert_true(xb_core_current_pages(&c) == 256 * MIB_PAGES);
	assert_true(c.balloon_pages == SMAX - 256 * MIB_PAGES);
	assert_true(xb_core_holds_pages(&c));	/* rmmod refused */
	/* up again: the driver's own balloon, nothing more claimed */
	f.claims = 0;
	xb_core_set_target_kb(&c, 1024 * MIB_KB);
	assert_int_equal(run(&c, &f, 1000), XB_OP_NONE);
	assert_true(f.claims == 0);
	assert_true(xb_core_current_pages(&c) == SMAX);
	assert_true(!xb_core_holds_pages(&c));	/* rmmod allowed */
}

/* A target is clamped to what can be reached: static-max, boot + pool. */
static void test_grow_clamps(void **state)
{
	struct xb_core c;
	struct fake f;

	(void)state;
	/* a pool of 100 MiB: 612 MiB at most */
	boot(&c, &f, 100 * MIB_PAGES, SMAX + MIB_PAGES);
	sync_grow(&c, &f);
	assert_int_equal(xb_core_set_target_kb(&c, 1024 * MIB_KB),
			 XB_TARGET_CLAMPED_MAX);
	assert_true(c.cnt.clamped_targets == 1);
	assert_true(c.req_target_pages == 612 * MIB_PAGES);
	assert_true(c.target_pages == 612 * MIB_PAGES);
	/* exactly the ceiling is not clamped */
	assert_int_equal(xb_core_set_target_kb(&c, 612 * MIB_KB),
			 XB_TARGET_OK);
	assert_int_equal(run(&c, &f, 1000), XB_OP_NONE);
	assert_true(xb_core_current_pages(&c) == 612 * MIB_PAGES);
	assert_true(f.pool == 0);
	/* the pool is used up: the ceiling is the size now */
	assert_true(xb_core_ceiling_pages(&c) == 612 * MIB_PAGES);
	assert_int_equal(xb_core_set_target_kb(&c, 613 * MIB_KB),
			 XB_TARGET_CLAMPED_MAX);

	/* a pool larger than static-max leaves: static-max is the limit */
	boot(&c, &f, 2 * SMAX, SMAX + MIB_PAGES);
	sync_grow(&c, &f);
	assert_true(xb_core_ceiling_pages(&c) == SMAX);
	assert_int_equal(xb_core_set_target_kb(&c, 1025 * MIB_KB),
			 XB_TARGET_CLAMPED_MAX);
	assert_true(c.target_pages == SMAX);
	run(&c, &f, 1000);
	assert_true(c.total_pages == SMAX);
	assert_true(f.claimed == SMAX - BOOT);

	/* no pool (PVH, or a kernel without the extra region): boot size */
	boot(&c, &f, 0, SMAX + MIB_PAGES);
	sync_grow(&c, &f);
	assert_true(xb_core_ceiling_pages(&c) == BOOT);
	assert_int_equal(xb_core_set_target_kb(&c, 1024 * MIB_KB),
			 XB_TARGET_CLAMPED_MAX);
	assert_true(c.target_pages == BOOT);
	assert_int_equal(c.state, XB_STATE_IDLE);
}

/*
 * Xen's maxmem not raised (memory/target written straight, maxmem still
 * boot + 1 MiB): the core claims only what Xen lets in, then reports the
 * refusal and backs off; once maxmem is raised it carries on.
 */
static void test_grow_maxmem(void **state)
{
	struct xb_core c;
	struct fake f;
	enum xb_op op;

	(void)state;
	assert_int_equal(boot_target(&c, &f, SMAX - BOOT, BOOT + MIB_PAGES, 1024),
			 XB_TARGET_OK);
	op = run(&c, &f, 20);
	assert_int_equal(op, XB_OP_WAIT);
	/* the 1 MiB Xen allowed, no page claimed that Xen would refuse */
	assert_true(f.claimed == MIB_PAGES);
	assert_true(xb_core_current_pages(&c) == BOOT + MIB_PAGES);
	assert_true(c.balloon_pages == 0);
	assert_int_equal(c.state, XB_STATE_REFUSED);
	assert_int_equal(c.last_error, XB_ERR_HV_REFUSED);
	assert_true(c.hard_limit_pages == BOOT + MIB_PAGES);
	assert_true(c.cnt.refusals > 0);
	assert_true(c.backoff_ms == XB_BACKOFF_MAX_MS);	/* 20 steps: capped */
	/* maxmem raised: the next try after the backoff gets there */
	f.xen_max = SMAX + MIB_PAGES;
	assert_int_equal(run(&c, &f, 1000), XB_OP_NONE);
	assert_true(xb_core_current_pages(&c) == SMAX);
	assert_true(c.hard_limit_pages == 0);
	assert_int_equal(c.state, XB_STATE_IDLE);
}

/* The host has no memory: claimed pages wait in the balloon, refused. */
static void test_grow_host_full(void **state)
{
	struct xb_core c;
	struct fake f;

	(void)state;
	boot(&c, &f, SMAX - BOOT, SMAX + MIB_PAGES);
	f.host_free = 10 * MIB_PAGES;
	sync_grow(&c, &f);
	xb_core_set_target_kb(&c, 1024 * MIB_KB);
	run(&c, &f, 20);
	assert_true(xb_core_current_pages(&c) == BOOT + 10 * MIB_PAGES);
	/* one batch claimed and left unpopulated, nothing more claimed */
	assert_true(f.claimed == XB_BATCH_DEFAULT);
	assert_true(c.balloon_pages == f.claimed - 10 * MIB_PAGES);
	assert_int_equal(c.state, XB_STATE_REFUSED);
	/* back down: what Xen gave is given back, the claimed rest stays */
	xb_core_set_target_kb(&c, 512 * MIB_KB);
	assert_int_equal(run(&c, &f, 1000), XB_OP_NONE);
	assert_true(xb_core_current_pages(&c) == BOOT);
	assert_true(c.balloon_pages == f.claimed);
	assert_true(c.total_pages == BOOT + f.claimed);
}

/*
 * The pool shrinks behind the driver's back (gntdev took pages): the target
 * follows it down, and a claim is never more than what is left.
 */
static void test_grow_pool_shrinks(void **state)
{
	struct xb_core c;
	struct fake f;

	(void)state;
	boot_target(&c, &f, SMAX - BOOT, SMAX + MIB_PAGES, 1024);
	f.pool = 5000;
	sync_grow(&c, &f);
	assert_true(c.target_pages == BOOT + 5000);
	assert_true(xb_core_ceiling_pages(&c) == BOOT + 5000);
	assert_int_equal(run(&c, &f, 1000), XB_OP_NONE);
	assert_true(f.claimed == 5000);
	assert_true(xb_core_current_pages(&c) == BOOT + 5000);
	/* the request is kept: more pool later, the target follows */
	assert_true(c.req_target_pages == SMAX);
	f.pool = 3000;
	assert_int_equal(run(&c, &f, 1000), XB_OP_NONE);
	assert_true(xb_core_current_pages(&c) == BOOT + 8000);
}

/* A claim that got fewer pages than asked, or more (never trusted). */
static void test_grow_claim_short(void **state)
{
	struct xb_core c;
	struct fake f;
	struct xb_step st;

	(void)state;
	boot_target(&c, &f, SMAX - BOOT, SMAX + MIB_PAGES, 1024);
	st = xb_core_plan(&c, LOTS, 0);
	assert_int_equal(st.op, XB_OP_CLAIM);
	assert_true(st.nr_pages == XB_BATCH_DEFAULT);
	xb_core_claimed(&c, st.nr_pages, 100, 0);
	assert_true(c.total_pages == BOOT + 100);
	assert_true(c.balloon_pages == 100);
	assert_true(c.pool_pages == SMAX - BOOT - 100);
	st = xb_core_plan(&c, LOTS, 0);
	assert_int_equal(st.op, XB_OP_DEFLATE);
	assert_true(st.nr_pages == 100);
	xb_core_deflated(&c, 100, 100, false, 0);
	/* more than asked counts as asked */
	st = xb_core_plan(&c, LOTS, 0);
	assert_int_equal(st.op, XB_OP_CLAIM);
	xb_core_claimed(&c, 10, 20, 0);
	assert_true(c.total_pages == BOOT + 110);
	assert_true(c.claimed_pages == 110);
	/* a pool read lower than what came: not below zero */
	c.pool_pages = 5;
	xb_core_claimed(&c, 10, 10, 0);
	assert_true(c.pool_pages == 0);
	assert_true(c.total_pages == BOOT + 120);
	assert_true(c.cnt.alloc_failures == 0);
	/* nothing claimed (balloon.c failed): nomem, backed off, no loop */
	xb_core_set_grow(&c, 1000, LOTS);
	xb_core_deflated(&c, 120, 120, false, 0);
	st = xb_core_plan(&c, LOTS, 1000);
	assert_int_equal(st.op, XB_OP_CLAIM);
	xb_core_claimed(&c, st.nr_pages, 0, 1000);
	assert_true(c.total_pages == BOOT + 120);
	assert_true(c.cnt.alloc_failures == 1);
	assert_int_equal(c.last_error, XB_ERR_NOMEM);
	st = xb_core_plan(&c, LOTS, 1000);
	assert_int_equal(st.op, XB_OP_WAIT);
	assert_true(st.delay_ms == XB_BACKOFF_MIN_MS);
	st = xb_core_plan(&c, LOTS, 1000 + XB_BACKOFF_MIN_MS);
	assert_int_equal(st.op, XB_OP_CLAIM);
}

/*
 * No room under Xen's maxmem: the claim step is a wait for exactly the
 * backoff, each try counts one refusal, and the state says refused as soon
 * as the step is planned. Once maxmem is raised, a claim that balloon.c
 * fails is the guest's nomem, and the state no longer says refused.
 */
static void test_grow_claim_no_room(void **state)
{
	struct xb_core c;
	struct fake f;
	struct xb_step st;
	u64 now = 1000;

	(void)state;
	assert_int_equal(boot_target(&c, &f, SMAX - BOOT, BOOT, 1024),
			 XB_TARGET_OK);
	assert_int_equal(c.state, XB_STATE_DEFLATING);
	st = xb_core_plan(&c, LOTS, now);
	assert_int_equal(st.op, XB_OP_WAIT);
	assert_true(st.delay_ms == XB_BACKOFF_MIN_MS);
	assert_true(c.cnt.refusals == 1);
	assert_int_equal(c.last_error, XB_ERR_HV_REFUSED);
	assert_int_equal(c.state, XB_STATE_REFUSED);
	assert_true(c.hard_limit_pages == BOOT);
	/* before the backoff ends: the rest of it, no new refusal */
	st = xb_core_plan(&c, LOTS, now + XB_BACKOFF_MIN_MS - 10);
	assert_int_equal(st.op, XB_OP_WAIT);
	assert_true(st.delay_ms == 10);
	assert_true(c.cnt.refusals == 1);
	/* the next try is refused again, after twice the backoff */
	now += XB_BACKOFF_MIN_MS;
	st = xb_core_plan(&c, LOTS, now);
	assert_int_equal(st.op, XB_OP_WAIT);
	assert_true(st.delay_ms == 2 * XB_BACKOFF_MIN_MS);
	assert_true(c.cnt.refusals == 2);
	assert_int_equal(c.state, XB_STATE_REFUSED);
	/* maxmem raised: a claim; balloon.c gives nothing */
	f.xen_max = SMAX + MIB_PAGES;
	sync_grow(&c, &f);
	now += 2 * XB_BACKOFF_MIN_MS;
	st = xb_core_plan(&c, LOTS, now);
	assert_int_equal(st.op, XB_OP_CLAIM);
	assert_true(st.nr_pages == XB_BATCH_DEFAULT);
	xb_core_claimed(&c, st.nr_pages, 0, now);
	assert_true(c.cnt.refusals == 2);
	assert_true(c.cnt.alloc_failures == 1);
	assert_int_equal(c.last_error, XB_ERR_NOMEM);
	assert_int_equal(c.state, XB_STATE_DEFLATING);
	assert_true(c.total_pages == BOOT);
}

/*
 * Refused (no room in maxmem), then maxmem raised and a claim that works:
 * the refusal is over, so the state is deflating and the backoff gone, not
 * "refused" until the next populate (seen in the report for one step).
 */
static void test_grow_claim_after_refusal(void **state)
{
	struct xb_core c;
	struct fake f;
	struct xb_step st;
	u64 now = 1000;

	(void)state;
	assert_int_equal(boot_target(&c, &f, SMAX - BOOT, BOOT, 1024),
			 XB_TARGET_OK);
	st = xb_core_plan(&c, LOTS, now);
	assert_int_equal(st.op, XB_OP_WAIT);
	assert_int_equal(c.state, XB_STATE_REFUSED);
	f.xen_max = SMAX;
	sync_grow(&c, &f);
	now += XB_BACKOFF_MIN_MS;
	st = xb_core_plan(&c, LOTS, now);
	assert_int_equal(st.op, XB_OP_CLAIM);
	xb_core_claimed(&c, st.nr_pages, st.nr_pages, now);
	assert_true(c.claimed_pages == st.nr_pages);
	assert_int_equal(c.state, XB_STATE_DEFLATING);
	assert_true(c.backoff_ms == 0);
	/* and the next step goes on at once: a populate of what was claimed */
	st = xb_core_plan(&c, LOTS, now);
	assert_int_equal(st.op, XB_OP_DEFLATE);
	assert_true(c.cnt.refusals == 1);
}

/* A target one page above the boot size: that one page claimed, then used. */
static void test_grow_one_page(void **state)
{
	struct xb_core c;
	struct fake f;
	struct xb_step st;

	(void)state;
	boot(&c, &f, SMAX - BOOT, SMAX + MIB_PAGES);
	sync_grow(&c, &f);
	assert_int_equal(xb_core_set_target_kb(&c, (BOOT + 1) * XB_PAGE_KB),
			 XB_TARGET_OK);
	assert_true(xb_core_credit(&c) == 1);
	st = xb_core_plan(&c, LOTS, 0);
	assert_int_equal(st.op, XB_OP_CLAIM);
	assert_true(st.nr_pages == 1);
	xb_core_claimed(&c, 1, 1, 0);
	assert_true(c.total_pages == BOOT + 1);
	assert_true(c.balloon_pages == 1);
	assert_true(c.pool_pages == SMAX - BOOT - 1);
	st = xb_core_plan(&c, LOTS, 0);
	assert_int_equal(st.op, XB_OP_DEFLATE);
	assert_true(st.nr_pages == 1);
	xb_core_deflated(&c, 1, 1, false, 0);
	assert_true(xb_core_current_pages(&c) == BOOT + 1);
	assert_int_equal(c.state, XB_STATE_IDLE);
	st = xb_core_plan(&c, LOTS, 0);
	assert_int_equal(st.op, XB_OP_NONE);
}

/*
 * The pool read again moves the target within the new ceiling, and the
 * state with it, before any step: a grow that balloon.c's pool no longer
 * covers (gntdev took its pages) is no longer pending.
 */
static void test_grow_pool_moves_state(void **state)
{
	struct xb_core c;
	struct fake f;

	(void)state;
	boot_target(&c, &f, 100 * MIB_PAGES, SMAX + MIB_PAGES, 1024);
	assert_true(c.target_pages == BOOT + 100 * MIB_PAGES);
	assert_int_equal(c.state, XB_STATE_DEFLATING);
	xb_core_set_grow(&c, 0, LOTS);
	assert_true(c.target_pages == BOOT);
	assert_int_equal(c.state, XB_STATE_IDLE);
}

/* The report says the boot size and the ceiling (driver mode only). */
static void test_grow_report(void **state)
{
	struct xb_core c;
	struct fake f;
	struct rp_report r;
	char buf[XB_REPORT_MAX];
	int len;
	u64 v;

	(void)state;
	boot(&c, &f, 100 * MIB_PAGES, SMAX + MIB_PAGES);
	sync_grow(&c, &f);
	len = xb_report_format(&c, NULL, 1, buf, sizeof(buf));
	assert_true(len > 0);
	assert_int_equal(rp_parse(buf, (size_t)len, &r), 0);
	assert_int_equal(rp_num(&r, "boot_kb", &v), 0);
	assert_true(v == 512 * MIB_KB);
	assert_int_equal(rp_num(&r, "max_kb", &v), 0);
	assert_true(v == 612 * MIB_KB);
	c.mode = XB_MODE_COMPANION;
	len = xb_report_format(&c, NULL, 2, buf, sizeof(buf));
	assert_int_equal(rp_parse(buf, (size_t)len, &r), 0);
	assert_true(rp_num(&r, "boot_kb", &v) != 0);
	assert_true(rp_num(&r, "max_kb", &v) != 0);
	/* companion: set_grow does not touch Linux's numbers */
	c.target_pages = 7;
	xb_core_set_grow(&c, 0, 0);
	assert_true(c.target_pages == 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_grow_to_static_max),
		cmocka_unit_test(test_grow_then_down),
		cmocka_unit_test(test_grow_clamps),
		cmocka_unit_test(test_grow_maxmem),
		cmocka_unit_test(test_grow_host_full),
		cmocka_unit_test(test_grow_pool_shrinks),
		cmocka_unit_test(test_grow_claim_short),
		cmocka_unit_test(test_grow_claim_no_room),
		cmocka_unit_test(test_grow_claim_after_refusal),
		cmocka_unit_test(test_grow_one_page),
		cmocka_unit_test(test_grow_pool_moves_state),
		cmocka_unit_test(test_grow_report),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
