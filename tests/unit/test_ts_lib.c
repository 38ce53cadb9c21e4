// SPDX-License-Identifier: GPL-2.0
/* libxballoon against the fake backend. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "libxballoon.h"
#include "xb_fake.h"
#include "xb_lib_int.h"

#define MIB 1024ULL
#define GIB (1024ULL * 1024)

/* Two parsed reports are the same, field by field. */
static void assert_report_equal(const struct xb_report *a, const struct xb_report *b)
{
	assert_non_null(a);
	assert_non_null(b);
	assert_int_equal(a->status, b->status);
	assert_int_equal(a->present, b->present);
	assert_memory_equal(a->num, b->num, sizeof(a->num));
	assert_int_equal(a->state, b->state);
	assert_int_equal(a->last_error, b->last_error);
	assert_int_equal(a->mode, b->mode);
	assert_ptr_equal(a->why, b->why);
}

/*
 * Two views of a domain are the same: the same name and report, every other
 * byte equal.
 */
static void assert_dom_equal(const struct xb_domain *a, const struct xb_domain *b)
{
	struct xb_domain x, y;

	memcpy(&x, a, sizeof(x));	/* padding too: the snapshot calloc()s */
	memcpy(&y, b, sizeof(y));
	assert_non_null(a->name);
	assert_non_null(b->name);
	assert_string_equal(a->name, b->name);
	assert_report_equal(a->report, b->report);
	x.name = y.name = NULL;
	x.report = y.report = NULL;
	assert_memory_equal(&x, &y, sizeof(x));
}

static const char *get(struct xb_fake *f, unsigned domid, const char *key)
{
	char path[128];

	snprintf(path, sizeof(path), "/local/domain/%u/%s", domid, key);
	return xb_fake_get(f, path);
}

static void report(struct xb_fake *f, unsigned domid, const char *s, size_t len)
{
	char path[96];

	snprintf(path, sizeof(path), "/local/domain/%u/data/xballoon/report", domid);
	xb_fake_put(f, path, s, len);
}

/* dom0 (no static-max, as on a fresh host), a PV, a PVH, an HVM guest */
static int setup(void **state)
{
	struct xb_fake *f = xb_fake_new();
	struct xb_fake_dom *d0, *d;

	d0 = xb_fake_add(f, 0, "Domain-0", XB_TYPE_PV, 0, 0, 1 * GIB);
	d0->info.max_pages = 1 * GIB / 4;
	xb_fake_add(f, 1, "pv1", XB_TYPE_PV, 1 * GIB, 1 * GIB, 1 * GIB);
	d = xb_fake_add(f, 2, "pvh2", XB_TYPE_PVH, 1 * GIB, 768 * MIB, 768 * MIB);
	d->pod = true;			/* as libxl left it at creation */
	d->pod_pages = (768 * MIB + 1024) / 4;
	d = xb_fake_add(f, 3, "hvm3", XB_TYPE_HVM, 2 * GIB, 2 * GIB - 8 * MIB, 2 * GIB);
	d->pod = true;
	d->pod_pages = (2 * GIB - 8 * MIB + 1024) / 4;
	xb_fake_put(f, "/local/domain/3/memory/videoram", "8192", 4);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	xb_fake_free(*state);
	return 0;
}

static void test_snapshot_basic(void **state)
{
	struct xb_fake *f = *state;
	struct xb_snapshot s;
	const struct xb_domain *d;

	assert_int_equal(xballoon_snapshot_take(&f->be, &s), 0);
	assert_int_equal(s.n, 4);
	assert_int_equal(s.host_total_kb, 4 * GIB);
	d = xballoon_snapshot_find(&s, 0);
	assert_string_equal(d->name, "Domain-0");
	assert_false(d->has_static_max);		/* from Xen's max_pages */
	assert_int_equal(d->static_max_kb, 1 * GIB);
	assert_int_equal(d->target_kb, 1 * GIB);	/* = actual when unset */
	d = xballoon_snapshot_find(&s, 2);
	assert_int_equal(d->xen.type, XB_TYPE_PVH);
	assert_int_equal(d->reclaimed_kb, 256 * MIB);
	assert_int_equal(d->state, XB_ST_AT_TARGET);
	d = xballoon_snapshot_find(&s, 3);
	assert_int_equal(d->videoram_kb, 8 * MIB);
	assert_int_equal(d->target_kb, 2 * GIB);	/* incl. video RAM, as xl */
	assert_int_equal(s.reclaimed_kb, 256 * MIB);
	assert_int_equal(s.actual_kb, 1 * GIB + 1 * GIB + 768 * MIB + 2 * GIB);
	/* one transaction for all domains */
	assert_int_equal(f->calls_txn_start, 1);
	assert_int_equal(d->report->status, XB_REPORT_ABSENT);
	assert_int_equal(xballoon_snapshot_find(&s, 1)->state, XB_ST_AT_TARGET);
	xballoon_snapshot_free(&s);
}

/* The batched read path gives the same snapshot as key-by-key reads. */
static void test_snapshot_batched(void **state)
{
	struct xb_fake *f = *state;
	struct xb_snapshot a, b;

	xb_fake_put(f, "/local/domain/2/data/xballoon/report", "v=1 seq=5", 9);
	xb_fake_put(f, "/local/domain/1/data/xballoon/report", "junk", 4);
	assert_int_equal(xballoon_snapshot_take(&f->be, &a), 0);
	f->batch = true;
	f->eagain_commits = 2;
	assert_int_equal(xballoon_snapshot_take(&f->be, &b), 0);
	assert_int_equal(f->calls_read_many, 2);	/* keys, then reports */
	assert_int_equal(f->eagain_commits, 0);
	assert_int_equal(a.n, b.n);
	for (size_t i = 0; i < a.n; i++)
		assert_dom_equal(&a.doms[i], &b.doms[i]);
	assert_int_equal(a.reclaimed_kb, b.reclaimed_kb);
	assert_int_equal(xballoon_snapshot_find(&b, 2)->report->status, XB_REPORT_VALID);
	assert_int_equal(xballoon_snapshot_find(&b, 1)->report->status, XB_REPORT_INVALID);
	assert_int_equal(xballoon_snapshot_find(&b, 3)->videoram_kb, 8 * MIB);
	xballoon_snapshot_free(&b);
	/* a batch that keeps conflicting falls back to key-by-key reads */
	f->eagain_commits = 20;
	assert_int_equal(xballoon_snapshot_take(&f->be, &b), 0);
	assert_int_equal(b.n, a.n);
	assert_dom_equal(&a.doms[3], &b.doms[3]);
	f->eagain_commits = 0;
	xballoon_snapshot_free(&a);
	xballoon_snapshot_free(&b);
}

static void test_snapshot_paging(void **state)
{
	struct xb_fake *f = *state;
	struct xb_snapshot s;

	for (unsigned i = 10; i < 17; i++)
		xb_fake_add(f, i, "many", XB_TYPE_PV, 512 * MIB, 256 * MIB, 256 * MIB);
	f->be.chunk = 2;
	assert_int_equal(xballoon_snapshot_take(&f->be, &s), 0);
	assert_int_equal(s.n, 11);
	for (size_t i = 1; i < s.n; i++)
		assert_true(s.doms[i].xen.domid > s.doms[i - 1].xen.domid);
	assert_int_equal(f->calls_domain_list, 6);	/* 2+2+2+2+2+1 */
	/* names can be ambiguous: lookup refuses to guess */
	assert_null(xballoon_snapshot_lookup(&s, "many"));
	assert_non_null(xballoon_snapshot_lookup(&s, "pv1"));
	assert_non_null(xballoon_snapshot_lookup(&s, "16"));
	assert_null(xballoon_snapshot_lookup(&s, "17"));
	assert_null(xballoon_snapshot_lookup(&s, "99999999999"));
	xballoon_snapshot_free(&s);
}

static void test_snapshot_refresh_xen(void **state)
{
	struct xb_fake *f = *state;
	struct xb_snapshot s;
	unsigned txns;

	assert_int_equal(xballoon_snapshot_take(&f->be, &s), 0);
	txns = f->calls_txn_start;
	xb_fake_dom(f, 2)->info.tot_pages = 512 * MIB / 4;
	f->host.free_pages = 2;
	assert_int_equal(xballoon_snapshot_refresh_xen(&f->be, &s), 1);
	assert_int_equal(f->calls_txn_start, txns);	/* no xenstore at all */
	assert_int_equal(xballoon_snapshot_find(&s, 2)->actual_kb, 512 * MIB);
	assert_int_equal(xballoon_snapshot_find(&s, 2)->reclaimed_kb, 512 * MIB);
	assert_int_equal(xballoon_snapshot_find(&s, 2)->target_kb, 768 * MIB);
	assert_int_equal(s.reclaimed_kb, 512 * MIB);
	assert_int_equal(s.host_free_kb, 8);
	/* dom0 has no target key: its target follows actual */
	xb_fake_dom(f, 0)->info.tot_pages = 900 * MIB / 4;
	assert_int_equal(xballoon_snapshot_refresh_xen(&f->be, &s), 1);
	assert_int_equal(xballoon_snapshot_find(&s, 0)->target_kb, 900 * MIB);
	/* a domain arrives: the caller must take a full snapshot */
	xb_fake_add(f, 20, "late", XB_TYPE_PV, 1 * GIB, 1 * GIB, 1 * GIB);
	assert_int_equal(xballoon_snapshot_refresh_xen(&f->be, &s), 0);
	assert_int_equal(s.n, 4);
	xb_fake_remove(f, 20);
	/* the same id with another UUID is another domain */
	xb_fake_dom(f, 3)->info.uuid_hi |= 9ULL << 16;	/* byte 5 */
	assert_int_equal(xballoon_snapshot_refresh_xen(&f->be, &s), 0);
	xballoon_snapshot_free(&s);
}

static void test_snapshot_txn_retry(void **state)
{
	struct xb_fake *f = *state;
	struct xb_snapshot s;

	f->eagain_commits = 3;
	assert_int_equal(xballoon_snapshot_take(&f->be, &s), 0);
	assert_int_equal(f->calls_txn_start, 4);
	xballoon_snapshot_free(&s);
	f->eagain_commits = 1000;
	assert_int_equal(xballoon_snapshot_take(&f->be, &s), -1);	/* bounded */
	assert_int_equal(f->calls_txn_start, 4 + XB_TXN_RETRIES);
	f->eagain_commits = 0;
	f->fail_physinfo = true;
	assert_int_equal(xballoon_snapshot_take(&f->be, &s), -1);
}

/* Build a plan from a command line-like request. */
static int plan(struct xb_fake *f, const char *size, bool all,
		const char *const *doms, size_t n, struct xb_plan *p,
		struct xb_snapshot *s)
{
	struct xb_size sz;
	const char *why;

	assert_int_equal(xballoon_size_parse(size, strlen(size), &sz, &why), 0);
	assert_int_equal(xballoon_snapshot_take(&f->be, s), 0);
	/* --all in these tests: every domU (the driver rule has its own test) */
	assert_int_equal(xballoon_plan_build(s, XB_PLAN_TARGET, doms, n, all, all, &sz, p), 0);
	return (int)p->n_errors;
}

static void test_set_target_invariants(void **state)
{
	struct xb_fake *f = *state;
	const char *const doms[] = { "pv1", "pvh2", "3" };
	struct xb_snapshot s;
	struct xb_plan p;

	assert_int_equal(plan(f, "512m", false, doms, 3, &p, &s), 0);
	assert_int_equal(xballoon_plan_apply(&f->be, &s, XB_PLAN_TARGET, &p), 0);
	/* PV: target and /vm/<uuid>/memory (MiB), maxmem = target + 1 MiB, no PoD */
	assert_string_equal(get(f, 1, "memory/target"), "524288");
	assert_string_equal(xb_fake_get(f, "/vm/01000000-0000-0000-0000-0000000000ab/memory"),
			    "512");
	assert_int_equal(xb_fake_dom(f, 1)->maxmem_kb, 512 * MIB + 1024);
	assert_int_equal(xb_fake_dom(f, 1)->pod_calls, 0);
	/* PVH: PoD target in pages (target + slack) */
	assert_int_equal(xb_fake_dom(f, 2)->pod_calls, 1);
	assert_int_equal(xb_fake_dom(f, 2)->pod_pages, (512 * MIB + 1024) / 4);
	/* HVM: memory/target excludes video RAM, maxmem includes it */
	assert_string_equal(get(f, 3, "memory/target"), "516096");
	assert_int_equal(xb_fake_dom(f, 3)->maxmem_kb, 512 * MIB + 1024);
	assert_int_equal(xb_fake_dom(f, 3)->pod_pages, (504 * MIB + 1024) / 4);
	/* static-max untouched for domUs */
	assert_string_equal(get(f, 1, "memory/static-max"), "1048576");
	xballoon_plan_free(&p);
	xballoon_snapshot_free(&s);
}

static void assert_unchanged(struct xb_fake *f)
{
	assert_string_equal(get(f, 1, "memory/target"), "1048576");
	assert_string_equal(get(f, 2, "memory/target"), "786432");
	assert_int_equal(xb_fake_dom(f, 1)->maxmem_calls, 0);
	assert_int_equal(xb_fake_dom(f, 2)->maxmem_calls, 0);
	assert_int_equal(xb_fake_dom(f, 2)->pod_calls, 0);
}

static void test_all_or_nothing(void **state)
{
	struct xb_fake *f = *state;
	const char *const mix[] = { "pv1", "nosuch", "pvh2" };
	const char *const twice[] = { "pv1", "1" };
	const char *const one[] = { "pv1" };
	const char *const dom0[] = { "0" };
	struct xb_snapshot s;
	struct xb_plan p;

	/* a mix of valid and invalid domains: rejected as a whole */
	assert_int_equal(plan(f, "512m", false, mix, 3, &p, &s), 1);
	assert_non_null(strstr(p.errors[0], "nosuch"));
	assert_int_equal(xballoon_plan_apply(&f->be, &s, XB_PLAN_TARGET, &p), -1);
	xballoon_plan_free(&p);
	xballoon_snapshot_free(&s);
	assert_unchanged(f);

	/* above static-max (pvh2 has 1 GiB) */
	assert_int_equal(plan(f, "1025m", false, mix + 2, 1, &p, &s), 1);
	assert_non_null(strstr(p.errors[0], "static-max"));
	xballoon_plan_free(&p);
	xballoon_snapshot_free(&s);
	/* -5g relative goes below zero */
	assert_int_equal(plan(f, "-5g", false, one, 1, &p, &s), 1);
	xballoon_plan_free(&p);
	xballoon_snapshot_free(&s);
	/* 101% of static-max */
	assert_int_equal(plan(f, "101%", true, NULL, 0, &p, &s), 3);
	xballoon_plan_free(&p);
	xballoon_snapshot_free(&s);
	/* a domain named twice (by name and by id) is taken once */
	assert_int_equal(plan(f, "512m", false, twice, 2, &p, &s), 0);
	assert_int_equal(p.n, 1);
	xballoon_plan_free(&p);
	xballoon_snapshot_free(&s);
	/* dom0 never below its safe minimum */
	assert_int_equal(plan(f, "100m", false, dom0, 1, &p, &s), 1);
	assert_non_null(strstr(p.errors[0], "dom0"));
	xballoon_plan_free(&p);
	xballoon_snapshot_free(&s);
	/* a tiny domU target */
	assert_int_equal(plan(f, "1m", false, one, 1, &p, &s), 1);
	xballoon_plan_free(&p);
	xballoon_snapshot_free(&s);
	/* nothing given */
	assert_int_equal(plan(f, "512m", false, NULL, 0, &p, &s), 1);
	xballoon_plan_free(&p);
	xballoon_snapshot_free(&s);
	assert_unchanged(f);
}

static void test_all_percent_and_relative(void **state)
{
	struct xb_fake *f = *state;
	const char *const one[] = { "pvh2" };
	struct xb_snapshot s;
	struct xb_plan p;

	/* --all: domUs only; 50% of each static-max */
	assert_int_equal(plan(f, "50%", true, NULL, 0, &p, &s), 0);
	assert_int_equal(p.n, 3);
	assert_int_equal(xballoon_plan_apply(&f->be, &s, XB_PLAN_TARGET, &p), 0);
	assert_string_equal(get(f, 1, "memory/target"), "524288");
	assert_string_equal(get(f, 2, "memory/target"), "524288");
	assert_string_equal(get(f, 3, "memory/target"), "1040384");
	assert_null(get(f, 0, "memory/target"));
	xballoon_plan_free(&p);
	xballoon_snapshot_free(&s);
	/* relative to the current target */
	assert_int_equal(plan(f, "+256m", false, one, 1, &p, &s), 0);
	assert_int_equal(p.changes[0].old_kb, 512 * MIB);
	assert_int_equal(p.changes[0].new_kb, 768 * MIB);
	xballoon_plan_free(&p);
	xballoon_snapshot_free(&s);
}

static void test_dom0_target(void **state)
{
	struct xb_fake *f = *state;
	const char *const dom0[] = { "Domain-0" };
	struct xb_snapshot s;
	struct xb_plan p;

	assert_int_equal(plan(f, "768m", false, dom0, 1, &p, &s), 0);
	assert_int_equal(xballoon_plan_apply(&f->be, &s, XB_PLAN_TARGET, &p), 0);
	assert_string_equal(get(f, 0, "memory/target"), "786432");
	/* xenstore had no static-max for dom0: written from Xen's maximum */
	assert_string_equal(get(f, 0, "memory/static-max"), "1048576");
	xballoon_plan_free(&p);
	xballoon_snapshot_free(&s);
}

static void test_apply_rollback(void **state)
{
	struct xb_fake *f = *state;
	const char *const doms[] = { "pv1", "pvh2" };
	struct xb_snapshot s;
	struct xb_plan p;
	FILE *devnull = fopen("/dev/null", "w");

	f->fail_pod_domid = 2;		/* the second domain fails in Xen */
	assert_int_equal(plan(f, "512m", false, doms, 2, &p, &s), 0);
	assert_int_equal(xballoon_plan_apply(&f->be, &s, XB_PLAN_TARGET, &p), -1);
	/* the first one was put back */
	assert_string_equal(get(f, 1, "memory/target"), "1048576");
	assert_int_equal(xb_fake_dom(f, 1)->maxmem_kb, 1 * GIB + 1024);
	assert_string_equal(get(f, 2, "memory/target"), "786432");
	xballoon_plan_free(&p);
	xballoon_snapshot_free(&s);
	fclose(devnull);
}

/* Set DOMID's target from a size string, as the CLI does. */
/*
 * EAGAIN (forced commit failures) and HOOK (runs at the next commit) are set
 * after the snapshot, so they hit the change's own transaction.
 */
static int set_size_hook(struct xb_fake *f, uint32_t domid, const char *size,
			 unsigned eagain, void (*hook)(struct xb_fake *, void *),
			 struct xb_set_result *res, const char **why)
{
	struct xb_snapshot s;
	struct xb_size sz;
	const char *w = NULL;
	int rc;

	assert_int_equal(xballoon_size_parse(size, strlen(size), &sz, &w), 0);
	assert_int_equal(xballoon_snapshot_take(&f->be, &s), 0);
	f->eagain_commits = eagain;
	f->before_commit = hook;
	rc = xballoon_dom_set_target(&f->be, xballoon_snapshot_find(&s, domid), &sz,
			       XB_MAXMEM_FOLLOW, res, why ? why : &w);
	f->eagain_commits = 0;
	xballoon_snapshot_free(&s);
	return rc;
}

static int set_size(struct xb_fake *f, uint32_t domid, const char *size,
		    struct xb_set_result *res, const char **why)
{
	return set_size_hook(f, domid, size, 0, NULL, res, why);
}

static void test_set_target_txn(void **state)
{
	struct xb_fake *f = *state;
	struct xb_snapshot s;
	const char *why = NULL;

	assert_int_equal(xballoon_snapshot_take(&f->be, &s), 0);
	assert_int_equal(set_size_hook(f, 1, "600", 2, NULL, NULL, &why), 0);
	assert_string_equal(get(f, 1, "memory/target"), "614400");
	/* static-max lowered behind our back: re-checked inside the transaction */
	xb_fake_put(f, "/local/domain/1/memory/static-max", "524288", 6);
	errno = 0;
	assert_int_equal(set_size(f, 1, "600m", NULL, &why), -1);
	assert_int_equal(errno, EINVAL);
	assert_non_null(strstr(why, "static-max"));
	assert_string_equal(get(f, 1, "memory/target"), "614400");
	assert_int_equal(set_size_hook(f, 1, "256m", 1000, NULL, NULL, &why), -1);
	assert_string_equal(get(f, 1, "memory/target"), "614400");
	xballoon_snapshot_free(&s);
}

/*
 * xballoond's step: the target and the headroom above it in one call, one
 * maxmem write (no moment capped at the target); a failure changes nothing.
 */
static void test_set_target_maxmem(void **state)
{
	struct xb_fake *f = *state;
	struct xb_fake_dom *d = xb_fake_dom(f, 2);
	struct xb_snapshot s;
	struct xb_size sz;
	const char *why = NULL;
	unsigned calls;

	assert_int_equal(xballoon_snapshot_take(&f->be, &s), 0);
	xballoon_size_parse("600m", 4, &sz, &why);
	calls = d->maxmem_calls;
	assert_int_equal(xballoon_dom_set_target_maxmem(&f->be, xballoon_snapshot_find(&s, 2),
						       &sz, 700 * MIB, NULL, &why), 0);
	assert_string_equal(get(f, 2, "memory/target"), "614400");
	assert_int_equal(d->maxmem_kb, 700 * MIB + 1024);
	assert_int_equal(d->maxmem_calls, calls + 1);
	assert_int_equal(d->pod_pages, (600 * MIB + 1024) / 4);

	/* headroom below the new target: refused before Xen is touched */
	calls = d->maxmem_calls;
	errno = 0;
	assert_int_equal(xballoon_dom_set_target_maxmem(&f->be, xballoon_snapshot_find(&s, 2),
						       &sz, 500 * MIB, NULL, &why), -1);
	assert_int_equal(errno, EINVAL);
	assert_non_null(strstr(why, "maxmem"));
	assert_int_equal(d->maxmem_calls, calls);
	assert_int_equal(xballoon_dom_set_target_maxmem(&f->be, xballoon_snapshot_find(&s, 2),
						       &sz, 0, NULL, &why), -1);
	assert_int_equal(d->maxmem_calls, calls);

	/* the PoD target fails after maxmem was raised: maxmem is put back */
	xballoon_size_parse("300m", 4, &sz, &why);
	f->fail_pod_domid = 2;
	assert_int_equal(xballoon_dom_set_target_maxmem(&f->be, xballoon_snapshot_find(&s, 2),
						       &sz, 900 * MIB, NULL, &why), -1);
	f->fail_pod_domid = -1;
	assert_string_equal(get(f, 2, "memory/target"), "614400");
	assert_int_equal(d->maxmem_kb, 700 * MIB + 1024);
	xballoon_snapshot_free(&s);
}

static void test_mem_max(void **state)
{
	struct xb_fake *f = *state;
	const char *const one[] = { "pvh2" };
	struct xb_snapshot s;
	struct xb_plan p;
	struct xb_size sz;
	const char *why;

	assert_int_equal(xballoon_snapshot_take(&f->be, &s), 0);
	xballoon_size_parse("2g", 2, &sz, &why);
	assert_int_equal(xballoon_plan_build(&s, XB_PLAN_MAXMEM, one, 1, false, false, &sz, &p), 0);
	assert_int_equal(p.n_errors, 0);
	assert_int_equal(xballoon_plan_apply(&f->be, &s, XB_PLAN_MAXMEM, &p), 0);
	assert_string_equal(get(f, 2, "memory/static-max"), "2097152");
	assert_int_equal(xb_fake_dom(f, 2)->maxmem_kb, 2 * GIB + 1024);
	xballoon_plan_free(&p);
	/* below the current target (768m) */
	xballoon_size_parse("512m", 4, &sz, &why);
	assert_int_equal(xballoon_plan_build(&s, XB_PLAN_MAXMEM, one, 1, false, false, &sz, &p), 0);
	assert_int_equal(p.n_errors, 1);
	xballoon_plan_free(&p);
	xballoon_snapshot_free(&s);
}

/* Reports for dom(): a few live at once, none to free. */
static struct xb_report dom_reports[8];
static unsigned int dom_next;

static struct xb_domain dom(uint64_t target, uint64_t actual, const char *rep)
{
	struct xb_report *r = &dom_reports[dom_next++ % 8];
	struct xb_domain d;

	memset(&d, 0, sizeof(d));
	d.xen.domid = 5;
	d.static_max_kb = 4 * GIB;
	d.target_kb = target;
	d.actual_kb = actual;
	xb_report_parse_into(rep, rep ? strlen(rep) : 0, r);
	d.report = r;
	return d;
}

static void test_derived_state(void **state)
{
	struct xb_domain d;
	struct xb_progress p = { 0 };

	(void)state;
	d = dom(512 * MIB, 512 * MIB + 1000, NULL);
	assert_int_equal(xballoon_derive_state(&d, NULL, 0, 10000), XB_ST_AT_TARGET);
	d = dom(512 * MIB, 1 * GIB, NULL);
	assert_int_equal(xballoon_derive_state(&d, NULL, 0, 10000), XB_ST_NO_DRIVER);
	d = dom(512 * MIB, 1 * GIB, "v=1 state=inflating");
	assert_int_equal(xballoon_derive_state(&d, NULL, 0, 10000), XB_ST_CONVERGING);
	d = dom(512 * MIB, 1 * GIB, "v=1 state=idle");
	assert_int_equal(xballoon_derive_state(&d, NULL, 0, 10000), XB_ST_STUCK);
	d = dom(512 * MIB, 1 * GIB, "v=1 state=refused");
	assert_int_equal(xballoon_derive_state(&d, NULL, 0, 10000), XB_ST_REFUSED);
	d = dom(64 * MIB, 128 * MIB, "v=1 state=at-floor");
	assert_int_equal(xballoon_derive_state(&d, NULL, 0, 10000), XB_ST_AT_FLOOR);
	d = dom(64 * MIB, 128 * MIB, "v=1 state=idle floor_kb=131072");
	assert_int_equal(xballoon_derive_state(&d, NULL, 0, 10000), XB_ST_AT_FLOOR);
	/*
	 * Video RAM (16 MiB): the target counts it, memory/target does not;
	 * Xen anywhere from memory/target (a PoD guest in the lab) to the
	 * target is at the target, not stuck; outside that band it is not.
	 */
	d = dom(512 * MIB, 496 * MIB, "v=1 state=idle");
	d.videoram_kb = 16 * MIB;
	assert_int_equal(xballoon_derive_state(&d, NULL, 0, 10000), XB_ST_AT_TARGET);
	d.actual_kb = 512 * MIB;
	assert_int_equal(xballoon_derive_state(&d, NULL, 0, 10000), XB_ST_AT_TARGET);
	d.actual_kb = 488 * MIB;
	assert_int_equal(xballoon_derive_state(&d, NULL, 0, 10000), XB_ST_STUCK);
	d.actual_kb = 520 * MIB;
	assert_int_equal(xballoon_derive_state(&d, NULL, 0, 10000), XB_ST_STUCK);
	d.videoram_kb = 1 * GIB;	/* nonsense from xenstore: no underflow */
	d.actual_kb = 0;
	assert_int_equal(xballoon_derive_state(&d, NULL, 0, 10000), XB_ST_AT_TARGET);
	/* an invalid report counts as no report */
	d = dom(512 * MIB, 1 * GIB, "v=1 state=idle balloon_kb=x");
	assert_int_equal(xballoon_derive_state(&d, NULL, 0, 10000), XB_ST_NO_DRIVER);

	/* with history: progress means converging, even without a driver */
	d = dom(512 * MIB, 1 * GIB, NULL);
	assert_int_equal(xballoon_derive_state(&d, &p, 1000, 10000), XB_ST_CONVERGING);
	d.actual_kb -= 100 * MIB;
	assert_int_equal(xballoon_derive_state(&d, &p, 5000, 10000), XB_ST_CONVERGING);
	assert_int_equal(xballoon_derive_state(&d, &p, 14000, 10000), XB_ST_CONVERGING);
	assert_int_equal(xballoon_derive_state(&d, &p, 15001, 10000), XB_ST_NO_DRIVER);
	/* moving away from the target is not progress */
	d.actual_kb += 200 * MIB;
	assert_int_equal(xballoon_derive_state(&d, &p, 16000, 10000), XB_ST_NO_DRIVER);
	/* a driver that stops moving is stuck, whatever it says */
	d = dom(512 * MIB, 1 * GIB, "v=1 state=inflating");
	memset(&p, 0, sizeof(p));
	assert_int_equal(xballoon_derive_state(&d, &p, 1000, 10000), XB_ST_CONVERGING);
	assert_int_equal(xballoon_derive_state(&d, &p, 12000, 10000), XB_ST_STUCK);
	/* with history, the guest's word alone is not stuck: Xen decides */
	d = dom(512 * MIB, 1 * GIB, "v=1 state=refused");
	memset(&p, 0, sizeof(p));
	assert_int_equal(xballoon_derive_state(&d, &p, 1000, 10000), XB_ST_CONVERGING);
	assert_int_equal(xballoon_derive_state(&d, &p, 10999, 10000), XB_ST_CONVERGING);
	assert_int_equal(xballoon_derive_state(&d, &p, 11000, 10000), XB_ST_REFUSED);
	d = dom(512 * MIB, 1 * GIB, "v=1 state=inflating");
	memset(&p, 0, sizeof(p));
	assert_int_equal(xballoon_derive_state(&d, &p, 1000, 10000), XB_ST_CONVERGING);
	assert_int_equal(xballoon_derive_state(&d, &p, 12000, 10000), XB_ST_STUCK);
	/* a new target restarts the clock */
	d.target_kb = 600 * MIB;
	assert_int_equal(xballoon_derive_state(&d, &p, 13000, 10000), XB_ST_CONVERGING);

	assert_int_equal(xballoon_state_exit(XB_ST_NO_DRIVER), XB_EXIT_NO_DRIVER);
	assert_int_equal(xballoon_exit_worse(XB_EXIT_OK, XB_EXIT_TIMEOUT), XB_EXIT_TIMEOUT);
	assert_int_equal(xballoon_exit_worse(XB_EXIT_REFUSED, XB_EXIT_TIMEOUT), XB_EXIT_REFUSED);
	assert_int_equal(xballoon_exit_worse(XB_EXIT_STUCK, XB_EXIT_NO_DRIVER), XB_EXIT_STUCK);
}

/* One guest's report never changes anything about another domain. */
static void test_report_isolation(void **state)
{
	struct xb_fake *f = *state;
	struct xb_snapshot a, b;
	const char *const one[] = { "pvh2" };
	struct xb_plan p;
	char *big = malloc(4096);

	assert_int_equal(xballoon_snapshot_take(&f->be, &a), 0);
	memset(big, '9', 4096);
	report(f, 1, big, 4096);
	report(f, 3, "v=1 state=refused balloon_kb=18446744073709551615 "
		     "current_kb=18446744073709551615 target_kb=1", 93);
	report(f, 0, "v=1 seq=1 floor_kb=99999999999", 30);
	assert_int_equal(xballoon_snapshot_take(&f->be, &b), 0);
	assert_int_equal(xballoon_snapshot_find(&b, 1)->report->status, XB_REPORT_INVALID);
	assert_int_equal(xballoon_snapshot_find(&b, 3)->report->status, XB_REPORT_VALID);
	/* domain 2's view and every sum are the same as before */
	assert_dom_equal(xballoon_snapshot_find(&a, 2), xballoon_snapshot_find(&b, 2));
	assert_int_equal(a.reclaimed_kb, b.reclaimed_kb);
	assert_int_equal(a.actual_kb, b.actual_kb);
	assert_int_equal(a.target_kb, b.target_kb);
	/* and a plan for domain 2 is the same */
	xballoon_snapshot_free(&a);
	xballoon_snapshot_free(&b);
	assert_int_equal(plan(f, "50%", false, one, 1, &p, &b), 0);
	assert_int_equal(p.changes[0].new_kb, 512 * MIB);
	xballoon_plan_free(&p);
	xballoon_snapshot_free(&b);
	free(big);
}

static enum xb_exit run_wait(struct xb_fake *f, uint32_t domid, uint64_t timeout_ms,
			     enum xb_dom_state *st)
{
	struct xb_wait_opts o = {
		.timeout_ms = timeout_ms, .interval_ms = 1000, .stuck_ms = 10000,
	};

	return xballoon_wait(&f->be, &domid, 1, &o, st);
}

static void set_target(struct xb_fake *f, uint32_t domid, uint64_t kb)
{
	char size[32];

	snprintf(size, sizeof(size), "%lluk", (unsigned long long)kb);
	assert_int_equal(set_size(f, domid, size, NULL, NULL), 0);
}

static void test_wait_outcomes(void **state)
{
	struct xb_fake *f = *state;
	enum xb_dom_state st;
	uint64_t t0;

	/* a driver moving at 100 MiB/s reaches 512 MiB from 1 GiB */
	xb_fake_dom(f, 1)->rate_kb_s = 100 * MIB;
	set_target(f, 1, 512 * MIB);
	t0 = f->now_ms;
	assert_int_equal(run_wait(f, 1, 60000, &st), XB_EXIT_OK);
	assert_int_equal(st, XB_ST_AT_TARGET);
	assert_true(f->now_ms - t0 >= 5000 && f->now_ms - t0 <= 7000);

	/* nothing moves and nothing reports: no-driver, judged from Xen's numbers */
	set_target(f, 2, 512 * MIB);
	t0 = f->now_ms;
	assert_int_equal(run_wait(f, 2, 30000, &st), XB_EXIT_NO_DRIVER);
	assert_int_equal(st, XB_ST_NO_DRIVER);
	assert_true(f->now_ms - t0 >= 10000);	/* --stuck, not at once */

	/* a driver that says it is working but does not move: stuck */
	report(f, 2, "v=1 state=inflating", 19);
	assert_int_equal(run_wait(f, 2, 30000, &st), XB_EXIT_STUCK);

	/* slow but moving when the time runs out: timed out */
	xb_fake_dom(f, 3)->rate_kb_s = 10 * MIB;
	set_target(f, 3, 1 * GIB);
	assert_int_equal(run_wait(f, 3, 5000, &st), XB_EXIT_TIMEOUT);
	assert_int_equal(st, XB_ST_CONVERGING);

	/* the domain goes away: reported as gone, not "nothing changed" */
	xb_fake_remove(f, 3);
	assert_int_equal(run_wait(f, 3, 5000, &st), XB_EXIT_GONE);
	assert_int_equal(st, XB_ST_GONE);
}

/* A guest's report cannot end a wait: only Xen's tot_pages can. */
static void test_wait_believes_xen(void **state)
{
	struct xb_fake *f = *state;
	enum xb_dom_state st;
	uint64_t t0;

	/* a lying "refused" while Xen shows it moving: the wait goes on */
	xb_fake_dom(f, 1)->rate_kb_s = 50 * MIB;
	set_target(f, 1, 512 * MIB);
	report(f, 1, "v=1 state=refused", 17);
	assert_int_equal(run_wait(f, 1, 60000, &st), XB_EXIT_OK);
	assert_int_equal(st, XB_ST_AT_TARGET);

	/* refused and really not moving: refused, but only after --stuck */
	xb_fake_dom(f, 1)->rate_kb_s = 0;
	set_target(f, 1, 256 * MIB);
	t0 = f->now_ms;
	assert_int_equal(run_wait(f, 1, 60000, &st), XB_EXIT_REFUSED);
	assert_true(f->now_ms - t0 >= 10000);
	assert_true(xballoon_dom_state_guest_reason(st));

	/* an absurd floor (4 TB) cannot make a moving guest "at floor" */
	xb_fake_dom(f, 1)->rate_kb_s = 50 * MIB;
	set_target(f, 1, 128 * MIB);
	report(f, 1, "v=1 state=idle floor_kb=4000000000", 34);
	assert_int_equal(run_wait(f, 1, 60000, &st), XB_EXIT_OK);
}

static void test_floor_capped(void **state)
{
	struct xb_domain d;
	uint64_t floor = 0;

	(void)state;
	d = dom(64 * MIB, 900 * MIB, "v=1 state=idle floor_kb=4000000000");
	d.static_max_kb = 1 * GIB;
	assert_true(xballoon_dom_floor_kb(&d, &floor));
	assert_int_equal(floor, 1 * GIB);
	/* capped at 1 GiB, actual 900 MiB is below that floor + tolerance */
	assert_int_equal(xballoon_derive_state(&d, NULL, 0, 10000), XB_ST_AT_FLOOR);
	d.actual_kb = 2 * GIB;	/* above the capped floor: not at floor */
	assert_int_equal(xballoon_derive_state(&d, NULL, 0, 10000), XB_ST_STUCK);
}

/* One domain of several disappears: the others are still waited for. */
static void test_wait_one_gone(void **state)
{
	struct xb_fake *f = *state;
	uint32_t ids[2] = { 1, 2 };
	enum xb_dom_state st[2];
	struct xb_wait_opts o = {
		.timeout_ms = 60000, .interval_ms = 1000, .stuck_ms = 10000,
	};

	xb_fake_dom(f, 1)->rate_kb_s = 50 * MIB;
	set_target(f, 1, 512 * MIB);
	set_target(f, 2, 700 * MIB);
	xb_fake_remove(f, 2);
	assert_int_equal(xballoon_wait(&f->be, ids, 2, &o, st), XB_EXIT_GONE);
	assert_int_equal(st[0], XB_ST_AT_TARGET);	/* waited for to the end */
	assert_int_equal(st[1], XB_ST_GONE);
	assert_string_equal(get(f, 1, "memory/target"), "524288");
}

/*
 * xl destroy removes the domain's xenstore directory before Xen marks it
 * dying: without memory/target it is not "at target" (its size would stand
 * in for the target); the wait goes on until Xen says it is gone.
 */
static void test_wait_torn_down(void **state)
{
	struct xb_fake *f = *state;
	uint32_t ids[2] = { 1, 2 };
	enum xb_dom_state st[2];
	struct xb_wait_opts o = {
		.timeout_ms = 30000, .interval_ms = 1000, .stuck_ms = 10000,
	};

	xb_fake_dom(f, 1)->rate_kb_s = 50 * MIB;
	set_target(f, 1, 512 * MIB);
	set_target(f, 2, 700 * MIB);
	xb_fake_del(f, "/local/domain/2/memory/target");
	assert_int_equal(xballoon_wait(&f->be, ids, 2, &o, st), XB_EXIT_TIMEOUT);
	assert_int_equal(st[0], XB_ST_AT_TARGET);
	assert_int_equal(st[1], XB_ST_CONVERGING);
	/* then Xen marks it dying: gone */
	xb_fake_dom(f, 2)->info.dying = true;
	assert_int_equal(xballoon_wait(&f->be, ids, 2, &o, st), XB_EXIT_GONE);
	assert_int_equal(st[1], XB_ST_GONE);
	/* dom0 may have no memory/target: its size stands in */
	ids[0] = 0;
	assert_int_equal(xballoon_wait(&f->be, ids, 1, &o, st), XB_EXIT_OK);
}

/* Every domain's Xen and xenstore values, to compare before and after. */
struct dom_vals {
	uint64_t max_pages, pod_pages;
	char target[32], static_max[32], vm_mem[32];
};

static void vals_of(struct xb_fake *f, uint32_t domid, struct dom_vals *v)
{
	const struct xb_fake_dom *d = xb_fake_dom(f, domid);
	const char *t = get(f, domid, "memory/target");
	const char *m = get(f, domid, "memory/static-max");
	char path[96];
	const char *vm;

	snprintf(path, sizeof(path),
		 "/vm/%02x000000-0000-0000-0000-0000000000ab/memory", domid);
	vm = xb_fake_get(f, path);
	memset(v, 0, sizeof(*v));
	v->max_pages = d->info.max_pages;
	v->pod_pages = d->pod_pages;
	snprintf(v->target, sizeof(v->target), "%s", t ? t : "(none)");
	snprintf(v->static_max, sizeof(v->static_max), "%s", m ? m : "(none)");
	snprintf(v->vm_mem, sizeof(v->vm_mem), "%s", vm ? vm : "(none)");
}

static void assert_vals(struct xb_fake *f, uint32_t domid, const struct dom_vals *want)
{
	struct dom_vals now;

	vals_of(f, domid, &now);
	if (now.max_pages != want->max_pages || now.pod_pages != want->pod_pages ||
	    strcmp(now.target, want->target) || strcmp(now.static_max, want->static_max) ||
	    strcmp(now.vm_mem, want->vm_mem))
		fail_msg("domain %u: maxmem %llu pod %llu target %s static-max %s vm %s; "
			 "want %llu %llu %s %s %s", domid,
			 (unsigned long long)now.max_pages, (unsigned long long)now.pod_pages,
			 now.target, now.static_max, now.vm_mem,
			 (unsigned long long)want->max_pages,
			 (unsigned long long)want->pod_pages, want->target,
			 want->static_max, want->vm_mem);
}

/*
 * A plan over pv1, pvh2 (PoD) and hvm3 fails at each domain in turn; every
 * domain is exactly as it was after each failure, the failing one included.
 */
static void test_rollback_exact(void **state)
{
	struct xb_fake *f = *state;
	const char *const doms[] = { "pv1", "pvh2", "hvm3" };
	struct dom_vals before[4];
	struct xb_snapshot s;
	struct xb_plan p;

	xb_fake_dom(f, 2)->pod_pages = 700 * MIB / 4;
	for (uint32_t id = 1; id <= 3; id++)
		vals_of(f, id, &before[id]);
	for (int fail = 1; fail <= 3; fail++) {
		for (int how = 0; how < 2; how++) {
			/* how 0: maxmem refused; 1: PoD refused after maxmem was set */
			f->fail_maxmem_domid = how == 0 ? fail : -1;
			f->fail_pod_domid = how == 1 ? fail : -1;
			if (how == 1 && fail == 1)
				continue;	/* PV has no PoD */
			assert_int_equal(plan(f, "512m", false, doms, 3, &p, &s), 0);
			assert_int_equal(xballoon_plan_apply(&f->be, &s, XB_PLAN_TARGET, &p), -1);
			assert_int_equal(p.changes[fail - 1].outcome, XB_OUT_FAILED);
			for (int i = 0; i < fail - 1; i++)
				assert_int_equal(p.changes[i].outcome, XB_OUT_RESTORED);
			for (int i = fail; i < 3; i++)
				assert_int_equal(p.changes[i].outcome, XB_OUT_PENDING);
			for (uint32_t id = 1; id <= 3; id++)
				assert_vals(f, id, &before[id]);
			xballoon_plan_free(&p);
			xballoon_snapshot_free(&s);
		}
	}
	f->fail_maxmem_domid = f->fail_pod_domid = -1;
	/* pv1 has no PoD: a rollback never gives it a PoD target */
	assert_int_equal(xb_fake_dom(f, 1)->pod_pages, 0);
}

/* 16 EAGAINs: the target fails, and maxmem is put back. */
static void test_rollback_eagain(void **state)
{
	struct xb_fake *f = *state;
	struct xb_set_result res;
	struct dom_vals before;
	const char *why = NULL;

	xb_fake_dom(f, 2)->pod_pages = 700 * MIB / 4;
	vals_of(f, 2, &before);
	assert_int_equal(set_size_hook(f, 2, "256m", 1000, NULL, &res, &why), -1);
	assert_non_null(strstr(why, "EAGAIN"));
	assert_false(res.restore_failed);
	assert_vals(f, 2, &before);
}

/* --keep-maxmem headroom survives a rollback: old values, not xl's formula. */
static void test_rollback_keep_maxmem(void **state)
{
	struct xb_fake *f = *state;
	const char *const doms[] = { "pv1", "pvh2" };
	struct dom_vals before;
	struct xb_snapshot s;
	struct xb_plan p;

	/* pv1 was set with --keep-maxmem: target 512m, maxmem static-max + 1m */
	assert_int_equal(plan(f, "512m", false, doms, 1, &p, &s), 0);
	p.maxmem = XB_MAXMEM_KEEP;
	assert_int_equal(xballoon_plan_apply(&f->be, &s, XB_PLAN_TARGET, &p), 0);
	xballoon_plan_free(&p);
	xballoon_snapshot_free(&s);
	assert_int_equal(xb_fake_dom(f, 1)->maxmem_kb, 1 * GIB + 1024);
	vals_of(f, 1, &before);
	/* then a plain mem-set of both fails at pvh2 */
	f->fail_maxmem_domid = 2;
	assert_int_equal(plan(f, "300m", false, doms, 2, &p, &s), 0);
	assert_int_equal(xballoon_plan_apply(&f->be, &s, XB_PLAN_TARGET, &p), -1);
	f->fail_maxmem_domid = -1;
	assert_vals(f, 1, &before);	/* 1 GiB + 1 MiB, not 512m + 1m */
	xballoon_plan_free(&p);
	xballoon_snapshot_free(&s);
}

/* A restore that fails is reported with what it left. */
static void test_rollback_restore_fails(void **state)
{
	struct xb_fake *f = *state;
	const char *const doms[] = { "pv1", "pvh2" };
	struct xb_snapshot s;
	struct xb_plan p;

	/* pv1: its set succeeds (1 call), then its restore fails */
	f->fail_maxmem_domid = 1;
	f->fail_maxmem_after = 1;
	f->fail_pod_domid = 2;
	assert_int_equal(plan(f, "512m", false, doms, 2, &p, &s), 0);
	assert_int_equal(xballoon_plan_apply(&f->be, &s, XB_PLAN_TARGET, &p), -1);
	assert_int_equal(p.changes[0].outcome, XB_OUT_RESTORE_FAILED);
	assert_non_null(p.changes[0].restore_why);
	assert_non_null(strstr(p.changes[0].restore_why, "setmaxmem"));
	assert_int_equal(p.changes[0].saved.maxmem_kb, 1 * GIB + 1024);
	assert_int_equal(p.changes[0].left.maxmem_kb, 512 * MIB + 1024);
	assert_int_equal(p.changes[1].outcome, XB_OUT_FAILED);
	f->fail_maxmem_domid = f->fail_pod_domid = -1;
	xballoon_plan_free(&p);
	xballoon_snapshot_free(&s);
}

/* The second writer runs to its end while the first one is in its transaction. */
static void second_writer(struct xb_fake *f, void *ctx)
{
	(void)ctx;
	assert_int_equal(set_size(f, 1, "+100m", NULL, NULL), 0);
}

static void test_concurrent_relative(void **state)
{
	struct xb_fake *f = *state;

	set_target(f, 1, 512 * MIB);
	assert_int_equal(set_size_hook(f, 1, "+100m", 0, second_writer, NULL, NULL), 0);
	/* both additions count: 512 + 100 + 100 */
	assert_string_equal(get(f, 1, "memory/target"), "729088");
	assert_int_equal(f->conflicts, 1);
	assert_int_equal(xb_fake_dom(f, 1)->maxmem_kb, 712 * MIB + 1024);
}

/* --all: only domains that showed a driver; each named domain once. */
static void test_select_all(void **state)
{
	struct xb_fake *f = *state;
	const char *const dup[] = { "pv1", "1", "pv1", "pvh2" };
	struct xb_selection sel;
	struct xb_snapshot s;

	report(f, 1, "v=1 state=idle", 14);
	/* hvm3: no report, but marked as having followed a target before */
	xb_fake_put(f, "/local/domain/3/memory/xballoon-followed", "1", 1);
	assert_int_equal(xballoon_snapshot_take(&f->be, &s), 0);
	assert_int_equal(xballoon_select(&s, NULL, 0, true, false, &sel), 0);
	assert_int_equal(sel.n, 2);
	assert_int_equal(sel.doms[0]->xen.domid, 1);
	assert_int_equal(sel.doms[1]->xen.domid, 3);
	assert_int_equal(sel.n_skipped, 1);
	assert_int_equal(sel.skipped[0]->xen.domid, 2);
	xballoon_selection_free(&sel);
	assert_int_equal(xballoon_select(&s, NULL, 0, true, true, &sel), 0);
	assert_int_equal(sel.n, 3);	/* never dom0 */
	xballoon_selection_free(&sel);
	assert_int_equal(xballoon_select(&s, dup, 4, false, false, &sel), 0);
	assert_int_equal(sel.n, 2);
	xballoon_selection_free(&sel);
	xballoon_snapshot_free(&s);
	/* a plain view (list) does not read the marks: one key less per domain */
	assert_int_equal(xballoon_snapshot_take_flags(&f->be, 0, &s), 0);
	assert_false(xballoon_snapshot_find(&s, 3)->followed);
	xballoon_snapshot_free(&s);

	/* a wait that sees a domain reach a new target marks it */
	xb_fake_dom(f, 2)->rate_kb_s = 100 * MIB;
	set_target(f, 2, 512 * MIB);
	{
		enum xb_dom_state st;

		assert_int_equal(run_wait(f, 2, 60000, &st), XB_EXIT_OK);
	}
	assert_string_equal(get(f, 2, "memory/xballoon-followed"), "1");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_snapshot_basic, setup, teardown),
		cmocka_unit_test_setup_teardown(test_snapshot_batched, setup, teardown),
		cmocka_unit_test_setup_teardown(test_snapshot_paging, setup, teardown),
		cmocka_unit_test_setup_teardown(test_snapshot_refresh_xen, setup, teardown),
		cmocka_unit_test_setup_teardown(test_snapshot_txn_retry, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_target_invariants, setup, teardown),
		cmocka_unit_test_setup_teardown(test_all_or_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_all_percent_and_relative, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dom0_target, setup, teardown),
		cmocka_unit_test_setup_teardown(test_apply_rollback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_target_txn, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_target_maxmem, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mem_max, setup, teardown),
		cmocka_unit_test(test_derived_state),
		cmocka_unit_test_setup_teardown(test_report_isolation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wait_outcomes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wait_believes_xen, setup, teardown),
		cmocka_unit_test(test_floor_capped),
		cmocka_unit_test_setup_teardown(test_wait_one_gone, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wait_torn_down, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rollback_exact, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rollback_eagain, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rollback_keep_maxmem, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rollback_restore_fails, setup, teardown),
		cmocka_unit_test_setup_teardown(test_concurrent_relative, setup, teardown),
		cmocka_unit_test_setup_teardown(test_select_all, setup, teardown),
	};

	return cmocka_run_group_tests_name("ts_lib", tests, NULL, NULL);
}
