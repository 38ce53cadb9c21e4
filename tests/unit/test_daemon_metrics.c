// SPDX-License-Identifier: GPL-2.0
/*
 * xballoond's /metrics body against the fake backend: it begins with
 * exactly what `xballoon list --prometheus` prints for the same state
 * (policy-key series and reservations included), then only the daemon's
 * own series.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "xb_cli.h"
#include "xb_fake.h"
#include "audit.h"
#include "metrics.h"

#define MIB 1024ULL
#define GIB (1024ULL * 1024)

static int setup(void **state)
{
	struct xb_fake *f = xb_fake_new();
	struct xb_resv r;

	xb_fake_add(f, 0, "Domain-0", XB_TYPE_PV, 1 * GIB, 1 * GIB, 1 * GIB);
	xb_fake_add(f, 1, "pv1", XB_TYPE_PV, 1 * GIB, 768 * MIB, 800 * MIB);
	xb_fake_add(f, 2, "pvh2", XB_TYPE_PVH, 1 * GIB, 512 * MIB, 600 * MIB);
	xb_fake_putf(f, "/local/domain/2/data/xballoon/report", "%s",
		     "v=1 seq=7 state=inflating balloon_kb=450000 current_kb=600000 "
		     "mem_avail_kb=300000 oom_deflates=2 psi_some_avg10_milli=2580");
	/* pv1: a range and the daemon's mark; pvh2: a range with min > max (none) */
	xb_fake_putf(f, "/local/domain/1/memory/dynamic-min", "%llu", 256 * MIB);
	xb_fake_putf(f, "/local/domain/1/memory/dynamic-max", "%llu", 1 * GIB);
	xb_fake_putf(f, "/local/domain/1/memory/uncooperative", "1");
	xb_fake_putf(f, "/local/domain/2/memory/dynamic-min", "%llu", 900 * MIB);
	xb_fake_putf(f, "/local/domain/2/memory/dynamic-max", "%llu", 800 * MIB);
	/* one reservation being freed (its placeholder is a domain too) */
	assert_int_equal(xballoon_resv_begin(&f->be, 256 * MIB, 60000, &r), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	xb_fake_free(*state);
	return 0;
}

/* `xballoon list --prometheus` against F: its stdout (malloc()ed). */
static char *list_prometheus(struct xb_fake *f)
{
	char *out = NULL, *err = NULL;
	size_t out_len = 0, err_len = 0;
	volatile int stop = 0;
	struct xb_cli cli = { .be = &f->be, .stop = &stop };
	char *argv[] = { "list", "--prometheus", NULL };
	int rc;

	cli.out = open_memstream(&out, &out_len);
	cli.err = open_memstream(&err, &err_len);
	rc = xb_dispatch(&cli, 2, argv);
	fclose(cli.out);
	fclose(cli.err);
	assert_int_equal(rc, 0);
	assert_string_equal(err, "");
	free(err);
	return out;
}

static void test_body_starts_with_list(void **state)
{
	struct xb_fake *f = *state;
	struct xbd_counters c = { .decisions = 4, .changes = 2, .reconnects = 1 };
	char *list = list_prometheus(f);
	size_t len = 0, n = strlen(list);
	char *body = xbd_metrics_body(&f->be, &c, 1234567, &len);
	char *line, *nl;

	assert_non_null(body);
	assert_int_equal(strlen(body), len);
	/* the list part carries the policy keys and the reservation */
	assert_non_null(strstr(list, "xballoon_domain_dynamic_min_bytes{domid=\"1\",name=\"pv1\",type=\"pv\"} 268435456\n"));
	assert_non_null(strstr(list, "xballoon_domain_dynamic_max_bytes{domid=\"1\",name=\"pv1\",type=\"pv\"} 1073741824\n"));
	assert_null(strstr(list, "xballoon_domain_dynamic_min_bytes{domid=\"2\""));
	assert_non_null(strstr(list, "xballoon_domain_uncooperative{domid=\"1\",name=\"pv1\",type=\"pv\"} 1\n"));
	assert_non_null(strstr(list, "xballoon_domain_uncooperative{domid=\"2\",name=\"pvh2\",type=\"pvh\"} 0\n"));
	assert_non_null(strstr(list, "xballoon_reservation_bytes{id=\"1\",state=\"freeing\"} 268435456\n"));
	assert_non_null(strstr(list, "xballoon_domain_borrow_bytes{domid=\"1\",name=\"pv1\",type=\"pv\"} 33554432\n"));
	/* the body begins with exactly that, byte for byte */
	assert_true(len > n);
	if (memcmp(body, list, n))
		fail_msg("body and list --prometheus differ:\n%s\n----\n%s", body, list);
	/* and the rest is the daemon's own series only */
	for (line = body + n; *line; line = nl + 1) {
		nl = strchr(line, '\n');
		assert_non_null(nl);
		if (strncmp(line, "xballoond_", 10) && strncmp(line, "# HELP xballoond_", 17) &&
		    strncmp(line, "# TYPE xballoond_", 17))
			fail_msg("not the daemon's: %.*s", (int)(nl - line), line);
	}
	assert_non_null(strstr(body + n, "\nxballoond_view_ok 1\n"));
	assert_non_null(strstr(body + n, "\nxballoond_start_time_seconds 1234\n"));
	assert_non_null(strstr(body + n, "\nxballoond_decisions_total 4\n"));
	assert_non_null(strstr(body + n, "\nxballoond_xenstore_reconnects_total 1\n"));
	free(body);
	free(list);
}

/*
 * The policy keys in one round of requests when the backend pipelines
 * them (the real one does): the same text as read one by one.
 */
static void test_batched_policy_reads(void **state)
{
	struct xb_fake *f = *state;
	struct xb_snapshot snap;
	char *one = NULL, *batch = NULL;
	size_t one_len = 0, batch_len = 0;
	unsigned reads;

	assert_int_equal(xballoon_snapshot_take_flags(&f->be, 0, &snap), 0);
	f->batch = false;
	reads = f->calls_read;
	assert_int_equal(xballoon_prometheus(&f->be, &snap, NULL, 0, &one, &one_len), 0);
	assert_true(f->calls_read - reads >= 3 * snap.n);
	f->batch = true;
	f->calls_read_many = 0;
	reads = f->calls_read;
	assert_int_equal(xballoon_prometheus(&f->be, &snap, NULL, 0, &batch, &batch_len), 0);
	assert_int_equal(f->calls_read_many, 1);
	assert_true(f->calls_read - reads < 3);		/* the reservations only */
	assert_int_equal(batch_len, one_len);
	assert_string_equal(batch, one);
	assert_non_null(strstr(batch, "xballoon_domain_dynamic_max_bytes{domid=\"1\",name=\"pv1\",type=\"pv\"} 1073741824\n"));
	assert_non_null(strstr(batch, "xballoon_domain_uncooperative{domid=\"1\",name=\"pv1\",type=\"pv\"} 1\n"));
	free(one);
	free(batch);
	xballoon_snapshot_free(&snap);
}

/* Xen unreadable: no view, view_ok 0, the counters still */
static void test_body_view_down(void **state)
{
	struct xb_fake *f = *state;
	struct xbd_counters c = { .decisions = 1 };
	size_t len = 0;
	char *body;

	f->fail_physinfo = true;
	body = xbd_metrics_body(&f->be, &c, 0, &len);
	assert_non_null(body);
	assert_null(strstr(body, "xballoon_"));
	assert_non_null(strstr(body, "\nxballoond_view_ok 0\n"));
	assert_non_null(strstr(body, "\nxballoond_decisions_total 1\n"));
	free(body);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_body_starts_with_list, setup, teardown),
		cmocka_unit_test_setup_teardown(test_batched_policy_reads, setup, teardown),
		cmocka_unit_test_setup_teardown(test_body_view_down, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
