// SPDX-License-Identifier: GPL-2.0
/* Reservations against the fake backend: records, claims, who gives, the CLI. */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "libxballoon.h"
#include "xb_fake.h"
#include "xb_cli.h"

#define MIB 1024ULL
#define GIB (1024ULL * 1024)

/* A report saying USED_KB is in use of a guest holding TOT_KB of MAX_KB. */
static void report(struct xb_fake *f, unsigned domid, uint64_t max_kb,
		   uint64_t tot_kb, uint64_t used_kb)
{
	char path[96];

	snprintf(path, sizeof(path), "/local/domain/%u/data/xballoon/report", domid);
	xb_fake_putf(f, path, "v=1 seq=1 state=idle balloon_kb=%llu current_kb=%llu "
		     "mem_total_kb=%llu mem_avail_kb=%llu oom_deflates=0",
		     (unsigned long long)(max_kb - tot_kb), (unsigned long long)tot_kb,
		     (unsigned long long)max_kb,
		     (unsigned long long)(tot_kb - used_kb));
}

static void policy(struct xb_fake *f, unsigned domid, uint64_t min_kb, unsigned w)
{
	char path[96];

	snprintf(path, sizeof(path), "/local/domain/%u/memory/dynamic-min", domid);
	xb_fake_putf(f, path, "%llu", (unsigned long long)min_kb);
	snprintf(path, sizeof(path), "/local/domain/%u/memory/xballoon-weight", domid);
	xb_fake_putf(f, path, "%u", w);
}

/*
 * A full host: dom0 and four 1 GiB guests using 300 MiB each, dynamic-min
 * 256 MiB; 64 MiB free. Each guest's driver moves 512 MiB/s.
 */
static int setup(void **state)
{
	struct xb_fake *f = xb_fake_new();

	f->track_free = true;
	f->host.free_pages = 64 * MIB / 4;
	xb_fake_add(f, 0, "Domain-0", XB_TYPE_PV, 1 * GIB, 1 * GIB, 1 * GIB);
	for (unsigned i = 1; i <= 4; i++) {
		char name[8];
		struct xb_fake_dom *d;

		snprintf(name, sizeof(name), "g%u", i);
		d = xb_fake_add(f, i, name, XB_TYPE_PV, 1 * GIB, 1 * GIB, 1 * GIB);
		d->rate_kb_s = 512 * MIB;
		report(f, i, 1 * GIB, 1 * GIB, 300 * MIB);
		policy(f, i, 256 * MIB, 1);
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	xb_fake_free(*state);
	return 0;
}

static uint64_t target_of(struct xb_fake *f, unsigned domid)
{
	char path[96];
	const char *s;

	snprintf(path, sizeof(path), "/local/domain/%u/memory/target", domid);
	s = xb_fake_get(f, path);
	return s ? strtoull(s, NULL, 10) : 0;
}

/* ---- records ---- */

static void test_parse(void **state)
{
	struct xb_resv r[4];
	const char *why;
	size_t n;
	const char *ok = "3 held 1048576 101 77 12345 99999\n4 freeing 4 0 1 0 0\n";

	(void)state;
	assert_int_equal(xballoon_resv_parse(ok, strlen(ok), r, 4, &n, &why), 0);
	assert_int_equal(n, 2);
	assert_int_equal(r[0].id, 3);
	assert_int_equal(r[0].state, XB_RESV_HELD);
	assert_int_equal(r[0].kb, 1048576);
	assert_int_equal(r[0].holder, 101);
	assert_int_equal(r[0].pid, 77);
	assert_int_equal(r[0].deadline_ms, 99999);
	assert_int_equal(r[1].state, XB_RESV_FREEING);
	assert_int_equal(xballoon_resv_parse("", 0, r, 4, &n, &why), 0);
	assert_int_equal(n, 0);
	static const char *const bad[] = {
		"3 held 1 2 3 4",		/* a field short */
		"3 held 1 2 3 4 5 6",		/* one too many */
		"3 gone 1 2 3 4 5",		/* unknown state */
		"0 held 1 2 3 4 5",		/* id 0 */
		"3 held -1 2 3 4 5",		/* a sign */
		"3  held 1 2 3 4 5",		/* an empty field */
		"3 held 1 2 3 4 5 ",		/* a trailing space */
		"3 held 1 2 4294967296 4 5",	/* pid out of range */
		"3 held 1 4294967296 3 4 5",	/* holder out of range */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why = NULL;
		assert_int_equal(xballoon_resv_parse(bad[i], strlen(bad[i]), r, 4, &n,
						 &why), -1);
		assert_non_null(why);
	}
	/* more records than room */
	assert_int_equal(xballoon_resv_parse(ok, strlen(ok), r, 1, &n, &why), -1);
}

static void test_claim_lifecycle(void **state)
{
	struct xb_fake *f = *state;
	struct xb_resv r, l[XB_RESV_MAX];
	struct xb_fake_dom *h;
	size_t n;
	char path[96];

	assert_int_equal(xballoon_resv_begin(&f->be, 512 * MIB, 10000, &r), 0);
	assert_int_equal(r.id, 1);
	assert_int_equal(r.state, XB_RESV_FREEING);
	h = xb_fake_dom(f, r.holder);
	assert_non_null(h);
	assert_int_equal(h->info.max_pages, (512 * MIB + 1024) / 4);
	snprintf(path, sizeof(path), "/local/domain/%u/name", r.holder);
	assert_string_equal(xb_fake_get(f, path), "xballoon-reserve-1");
	assert_int_equal(xballoon_resv_list(&f->be, l, XB_RESV_MAX, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(l[0].pid, 4242);
	assert_int_equal(xballoon_resv_unclaimed_kb(l, n), 512 * MIB);
	/* 64 MiB free: Xen refuses the claim */
	assert_int_equal(xballoon_resv_try_claim(&f->be, &r), 0);
	assert_int_equal(f->host.outstanding_pages, 0);
	f->host.free_pages = 600 * MIB / 4;
	assert_int_equal(xballoon_resv_try_claim(&f->be, &r), 1);
	assert_int_equal(f->host.outstanding_pages, 512 * MIB / 4);
	assert_int_equal(xballoon_resv_list(&f->be, l, XB_RESV_MAX, &n), 0);
	assert_int_equal(l[0].state, XB_RESV_HELD);
	/* claimed memory is out of Xen's free already: not counted again */
	assert_int_equal(xballoon_resv_unclaimed_kb(l, n), 0);
	/* a second reservation cannot take what the first holds */
	struct xb_resv r2;

	assert_int_equal(xballoon_resv_begin(&f->be, 256 * MIB, 10000, &r2), 0);
	assert_int_equal(r2.id, 2);
	assert_int_equal(xballoon_resv_try_claim(&f->be, &r2), 0);
	assert_int_equal(xballoon_resv_release(&f->be, r2.id), 0);
	/* handover: the claim and the placeholder go, the record stays (building) */
	assert_int_equal(xballoon_resv_handover(&f->be, &r), 0);
	assert_int_equal(f->host.outstanding_pages, 0);
	assert_null(xb_fake_dom(f, h ? 101 : 0));
	assert_int_equal(xballoon_resv_list(&f->be, l, XB_RESV_MAX, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(l[0].state, XB_RESV_BUILDING);
	assert_int_equal(xballoon_resv_unclaimed_kb(l, n), 512 * MIB);
	assert_int_equal(xballoon_resv_release(&f->be, r.id), 0);
	assert_int_equal(xballoon_resv_list(&f->be, l, XB_RESV_MAX, &n), 0);
	assert_int_equal(n, 0);
	assert_null(xb_fake_get(f, XB_RESV_PATH));
	errno = 0;
	assert_int_equal(xballoon_resv_release(&f->be, 7), -1);
	assert_int_equal(errno, ENOENT);
}

static void test_release_drops_claim(void **state)
{
	struct xb_fake *f = *state;
	struct xb_resv r;
	uint32_t holder;

	f->host.free_pages = 1 * GIB / 4;
	assert_int_equal(xballoon_resv_begin(&f->be, 256 * MIB, 10000, &r), 0);
	holder = r.holder;
	assert_int_equal(xballoon_resv_try_claim(&f->be, &r), 1);
	assert_int_equal(f->host.outstanding_pages, 256 * MIB / 4);
	assert_int_equal(xballoon_resv_release(&f->be, r.id), 0);
	assert_int_equal(f->host.outstanding_pages, 0);
	assert_null(xb_fake_dom(f, holder));
}

static void test_reap(void **state)
{
	struct xb_fake *f = *state;
	struct xb_resv a, b, c, l[XB_RESV_MAX];
	size_t n;

	f->host.free_pages = 2 * GIB / 4;
	/* a: creator 111 (dead), b: creator 222 (alive), c: ours, not expired */
	assert_int_equal(xballoon_resv_begin(&f->be, 256 * MIB, 1000, &a), 0);
	assert_int_equal(xballoon_resv_try_claim(&f->be, &a), 1);
	f->self_pid = 111;
	assert_int_equal(xballoon_resv_touch(&f->be, &a, 1000), 0);
	f->self_pid = 222;
	assert_int_equal(xballoon_resv_begin(&f->be, 256 * MIB, 1000, &b), 0);
	f->alive[0] = 222;
	f->self_pid = 4242;
	assert_int_equal(xballoon_resv_begin(&f->be, 256 * MIB, 60000, &c), 0);
	/* before the deadline nothing goes */
	assert_int_equal(xballoon_resv_reap(&f->be), 0);
	f->now_ms += 2000;
	assert_int_equal(xballoon_resv_reap(&f->be), 1);
	assert_int_equal(xballoon_resv_list(&f->be, l, XB_RESV_MAX, &n), 0);
	assert_int_equal(n, 2);
	assert_true(l[0].id != a.id && l[1].id != a.id);
	assert_int_equal(f->host.outstanding_pages, 0);
	assert_null(xb_fake_dom(f, a.holder));
	/* the live creator's goes when it dies */
	f->alive[0] = 0;
	assert_int_equal(xballoon_resv_reap(&f->be), 1);
	assert_int_equal(xballoon_resv_list(&f->be, l, XB_RESV_MAX, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(l[0].id, c.id);
}

static void test_begin_fails_clean(void **state)
{
	struct xb_fake *f = *state;
	struct xb_resv r;
	size_t before = f->n_doms;

	f->fail_create = EPERM;
	errno = 0;
	assert_int_equal(xballoon_resv_begin(&f->be, 256 * MIB, 1000, &r), -1);
	assert_int_equal(errno, EPERM);
	assert_null(xb_fake_get(f, XB_RESV_PATH));
	assert_int_equal(f->n_doms, before);
	f->fail_create = 0;
	assert_int_equal(xballoon_resv_begin(&f->be, 5, 1000, &r), -1);	/* not whole pages */
	assert_int_equal(errno, EINVAL);
}

/* ---- who gives ---- */

static void test_give_plan(void **state)
{
	struct xb_give g[3] = {
		{ .domid = 1, .target_kb = 1024 * MIB, .floor_kb = 512 * MIB, .weight = 2 },
		{ .domid = 2, .target_kb = 1024 * MIB, .floor_kb = 768 * MIB, .weight = 1 },
		{ .domid = 3, .target_kb = 1024 * MIB, .floor_kb = 256 * MIB, .weight = 1 },
	};

	(void)state;
	/* weight 1 first, in proportion to what each can give (256 : 768) */
	assert_int_equal(xballoon_give_plan(g, 3, 512 * MIB), 512 * MIB);
	assert_int_equal(g[0].new_kb, 1024 * MIB);
	assert_int_equal(g[1].new_kb, 1024 * MIB - 128 * MIB);
	assert_int_equal(g[2].new_kb, 1024 * MIB - 384 * MIB);
	/* more than weight 1 has: weight 2 gives the rest */
	assert_int_equal(xballoon_give_plan(g, 3, 1200 * MIB), 1200 * MIB);
	assert_int_equal(g[1].new_kb, 768 * MIB);
	assert_int_equal(g[2].new_kb, 256 * MIB);
	assert_int_equal(g[0].new_kb, 1024 * MIB - 176 * MIB);
	/* more than all can give: everyone at its floor, never below */
	assert_int_equal(xballoon_give_plan(g, 3, 4096 * MIB), 1536 * MIB);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(g[i].new_kb, g[i].floor_kb);
		assert_non_null(g[i].held_back);
	}
	/* nothing asked: nothing changes */
	assert_int_equal(xballoon_give_plan(g, 3, 0), 0);
	assert_int_equal(g[0].new_kb, 1024 * MIB);
}

static void test_give_donors(void **state)
{
	struct xb_fake *f = *state;
	struct xb_snapshot s;
	struct xb_give *g;
	size_t n;

	xb_fake_del(f, "/local/domain/4/memory/dynamic-min");
	policy(f, 3, 900 * MIB, 5);
	assert_int_equal(xballoon_snapshot_take(&f->be, &s), 0);
	assert_int_equal(xballoon_give_donors(&f->be, &s, &g, &n), 0);
	assert_int_equal(n, 4);	/* the domUs with a driver; never dom0 */
	/* need = 300 MiB used + 128 MiB margin, above dynamic-min 256 MiB */
	assert_int_equal(g[0].domid, 1);
	assert_int_equal(g[0].floor_kb, 428 * MIB);
	assert_null(g[0].held_back);
	/* dynamic-min above need */
	assert_int_equal(g[2].floor_kb, 900 * MIB);
	assert_int_equal(g[2].weight, 5);
	/* no policy keys: gives nothing */
	assert_int_equal(g[3].floor_kb, g[3].target_kb);
	assert_non_null(g[3].held_back);
	free(g);
	xballoon_snapshot_free(&s);
}

static void test_plan_build_each(void **state)
{
	struct xb_fake *f = *state;
	struct xb_snapshot s;
	struct xb_plan p;
	uint32_t ids[2] = { 1, 2 };
	uint64_t kbs[2] = { 600 * MIB, 700 * MIB };

	assert_int_equal(xballoon_snapshot_take(&f->be, &s), 0);
	assert_int_equal(xballoon_plan_build_each(&s, ids, kbs, 2, &p), 0);
	assert_int_equal(p.n_errors, 0);
	assert_int_equal(xballoon_plan_apply(&f->be, &s, XB_PLAN_TARGET, &p), 0);
	assert_int_equal(target_of(f, 1), 600 * MIB);
	assert_int_equal(target_of(f, 2), 700 * MIB);
	xballoon_plan_free(&p);
	/* one bad target: the plan has an error, nothing applies */
	kbs[1] = 2 * GIB;	/* above static-max */
	assert_int_equal(xballoon_plan_build_each(&s, ids, kbs, 2, &p), 0);
	assert_int_equal(p.n_errors, 1);
	xballoon_plan_free(&p);
	xballoon_snapshot_free(&s);
}

static void test_daemon_running(void **state)
{
	struct xb_fake *f = *state;

	assert_false(xballoon_daemon_running(&f->be));
	assert_int_equal(xballoon_daemon_announce(&f->be, 999), 0);
	assert_false(xballoon_daemon_running(&f->be));	/* 999 is not alive */
	f->alive[1] = 999;
	assert_true(xballoon_daemon_running(&f->be));
	assert_int_equal(xballoon_daemon_announce(&f->be, 0), 0);
	assert_false(xballoon_daemon_running(&f->be));
}

/* ---- the CLI ---- */

struct run {
	char *out, *err;
	size_t out_len, err_len;
	int rc;
};

static struct run run(struct xb_fake *f, ...)
{
	struct run r = { 0 };
	char *argv[32];
	int argc = 0;
	volatile int stop = 0;
	struct xb_cli cli = { .be = &f->be, .stop = &stop };
	va_list ap;

	va_start(ap, f);
	while (argc < 31 && (argv[argc] = va_arg(ap, char *)))
		argc++;
	va_end(ap);
	argv[argc] = NULL;
	cli.out = open_memstream(&r.out, &r.out_len);
	cli.err = open_memstream(&r.err, &r.err_len);
	r.rc = xb_dispatch(&cli, argc, argv);
	fclose(cli.out);
	fclose(cli.err);
	return r;
}

static void run_free(struct run *r)
{
	free(r->out);
	free(r->err);
}

static void test_cli_reserve_full_host(void **state)
{
	struct xb_fake *f = *state;
	struct run r;

	r = run(f, "reserve", "1g", NULL);
	assert_int_equal(r.rc, 0);
	assert_string_equal(r.out, "1\n");
	assert_int_equal(f->host.outstanding_pages, 1 * GIB / 4);
	/* everyone gave, nobody below max(dynamic-min, need) = 428 MiB */
	for (unsigned i = 1; i <= 4; i++) {
		assert_true(target_of(f, i) >= 428 * MIB);
		assert_true(target_of(f, i) < 1 * GIB);
	}
	run_free(&r);
	r = run(f, "info", NULL);
	assert_non_null(strstr(r.out, "reservations"));
	assert_non_null(strstr(r.out, "1 held 1024 MiB"));
	run_free(&r);
	r = run(f, "release", "1", NULL);
	assert_int_equal(r.rc, 0);
	assert_int_equal(f->host.outstanding_pages, 0);
	run_free(&r);
	r = run(f, "release", "1", NULL);
	assert_int_equal(r.rc, XB_EXIT_ERROR);
	assert_non_null(strstr(r.err, "no such reservation"));
	run_free(&r);
}

static void test_cli_reserve_short(void **state)
{
	struct xb_fake *f = *state;
	struct run r;

	/* 4 x (1024 - 428) + 64 = 2448 MiB can be found; ask for 3 GiB */
	r = run(f, "reserve", "--timeout", "20", "3g", NULL);
	assert_int_equal(r.rc, XB_EXIT_SHORT);
	assert_non_null(strstr(r.err, "found "));
	assert_non_null(strstr(r.err, "of 3072 MiB"));
	assert_non_null(strstr(r.err, "held back: dom 1 (g1)"));
	/* every target back, no claim, no record, no placeholder */
	for (unsigned i = 1; i <= 4; i++)
		assert_int_equal(target_of(f, i), 1 * GIB);
	assert_int_equal(f->host.outstanding_pages, 0);
	assert_null(xb_fake_get(f, XB_RESV_PATH));
	assert_int_equal(f->n_doms, 5);
	/* it stopped once the donors had given all they can, not at the timeout */
	assert_true(f->now_ms < 1000 + 20000);
	run_free(&r);
	r = run(f, "reserve", "--json", "3g", NULL);
	assert_int_equal(r.rc, XB_EXIT_SHORT);
	assert_non_null(strstr(r.out, "\"result\":\"short\""));
	run_free(&r);
}

static void test_cli_reserve_daemon_frees(void **state)
{
	struct xb_fake *f = *state;
	struct run r;

	/* with xballoond announced, the command lowers nothing itself */
	xballoon_daemon_announce(&f->be, 4242);
	r = run(f, "reserve", "--timeout", "2", "1g", NULL);
	assert_int_equal(r.rc, XB_EXIT_SHORT);
	assert_non_null(strstr(r.err, "xballoond"));
	for (unsigned i = 1; i <= 4; i++)
		assert_int_equal(target_of(f, i), 1 * GIB);
	run_free(&r);
}

static void test_cli_usage(void **state)
{
	struct xb_fake *f = *state;
	struct run r;
	static const char *const bad[][3] = {
		{ "reserve", NULL, NULL }, { "reserve", "50%", NULL },
		{ "reserve", "+1g", NULL }, { "reserve", "0", NULL },
		{ "reserve", "--timeout", "x" }, { "release", "x", NULL },
		{ "release", "0", NULL }, { "create", NULL, NULL },
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		r = run(f, bad[i][0], bad[i][1], bad[i][2], NULL);
		assert_int_equal(r.rc, XB_EXIT_USAGE);
		run_free(&r);
	}
	/* a config without memory = */
	r = run(f, "create", "/dev/null", NULL);
	assert_int_equal(r.rc, XB_EXIT_ERROR);
	assert_non_null(strstr(r.err, "no memory = N"));
	run_free(&r);
}

static void test_cli_create(void **state)
{
	struct xb_fake *f = *state;
	char cfg[] = "/tmp/xb-resv-XXXXXX";
	int fd = mkstemp(cfg);
	struct run r;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, "name = \"big\"\nmemory = 512\n", 26), 26);
	close(fd);
	/* xl create succeeds: the reservation is gone, the donors stay lowered */
	setenv("XBALLOON_XL", "true", 1);
	r = run(f, "create", cfg, NULL);
	assert_int_equal(r.rc, 0);
	assert_null(xb_fake_get(f, XB_RESV_PATH));
	assert_int_equal(f->host.outstanding_pages, 0);
	assert_true(target_of(f, 1) < 1 * GIB);
	/* maxmem, held at what each had while xl ran, is put back (static-max + slack) */
	for (unsigned i = 1; i <= 4; i++) {
		assert_int_equal(xb_fake_dom(f, i)->maxmem_kb, 1 * GIB + 1024);
		assert_true(xb_fake_dom(f, i)->maxmem_calls >= 3);
	}
	run_free(&r);
	/* xl create fails: every target put back, the reservation released */
	for (unsigned i = 1; i <= 4; i++) {
		char path[64];

		snprintf(path, sizeof(path), "/local/domain/%u/memory/target", i);
		xb_fake_putf(f, path, "%llu", 1 * GIB);
		f->doms[i].info.tot_pages = 1 * GIB / 4;
	}
	f->host.free_pages = 64 * MIB / 4;
	setenv("XBALLOON_XL", "false", 1);
	r = run(f, "create", cfg, NULL);
	assert_int_equal(r.rc, XB_EXIT_ERROR);
	assert_non_null(strstr(r.err, "xl create failed"));
	for (unsigned i = 1; i <= 4; i++)
		assert_int_equal(target_of(f, i), 1 * GIB);
	assert_null(xb_fake_get(f, XB_RESV_PATH));
	run_free(&r);
	unsetenv("XBALLOON_XL");
	unlink(cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test_setup_teardown(test_claim_lifecycle, setup, teardown),
		cmocka_unit_test_setup_teardown(test_release_drops_claim, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_begin_fails_clean, setup, teardown),
		cmocka_unit_test(test_give_plan),
		cmocka_unit_test_setup_teardown(test_give_donors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_plan_build_each, setup, teardown),
		cmocka_unit_test_setup_teardown(test_daemon_running, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cli_reserve_full_host, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cli_reserve_short, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cli_reserve_daemon_frees, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cli_usage, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cli_create, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
