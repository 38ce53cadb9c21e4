// SPDX-License-Identifier: GPL-2.0
/* The xballoon CLI against the fake backend: output shapes and exit codes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>
#include <cmocka.h>
#include <yajl/yajl_tree.h>

#include "xb_cli.h"
#include "xb_fake.h"

#define MIB 1024ULL
#define GIB (1024ULL * 1024)

struct run {
	char *out, *err;
	size_t out_len, err_len;
	int rc;
};

static void put(struct xb_fake *f, const char *path, const char *val)
{
	xb_fake_put(f, path, val, strlen(val));
}

static int setup(void **state)
{
	struct xb_fake *f = xb_fake_new();

	xb_fake_add(f, 0, "Domain-0", XB_TYPE_PV, 1 * GIB, 1 * GIB, 1 * GIB);
	xb_fake_add(f, 1, "pv1", XB_TYPE_PV, 1 * GIB, 1 * GIB, 1 * GIB);
	xb_fake_add(f, 2, "pvh2", XB_TYPE_PVH, 1 * GIB, 512 * MIB, 600 * MIB);
	put(f, "/local/domain/2/data/xballoon/report",
	    "v=1 seq=7 state=inflating balloon_kb=450000 current_kb=600000 "
	    "mem_avail_kb=300000 oom_deflates=2");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	xb_fake_free(*state);
	return 0;
}

/* Run "xballoon ARGS..." (NULL-terminated) against the fake. */
/*
 * XB_JSON_DUMP=FILE: append every JSON document a command printed as
 * "XB-JSON <command> <document>" lines (usage errors as usage-error), for
 * tests/schema-check.py to validate against docs/schema/.
 */
static void dump_json(int argc, char **argv, const struct run *r)
{
	const char *path = getenv("XB_JSON_DUMP");
	bool json = false;
	FILE *f;

	for (int i = 1; i < argc; i++)
		json |= !strcmp(argv[i], "--json") || !strcmp(argv[i], "-j");
	if (!path || !json || !argc || !strcmp(argv[0], "help") || !r->out_len)
		return;
	f = fopen(path, "a");
	if (!f)
		return;
	if (!strcmp(argv[0], "watch")) {
		for (const char *l = r->out; *l; ) {
			size_t n = strcspn(l, "\n");

			if (n)
				fprintf(f, "XB-JSON watch %.*s\n", (int)n, l);
			l += n + (l[n] == '\n');
		}
	} else {
		fprintf(f, "XB-JSON %s ", r->rc == XB_EXIT_USAGE ? "usage-error" : argv[0]);
		for (const char *c = r->out; *c; c++)
			if (*c != '\n')
				fputc(*c, f);
		fputc('\n', f);
	}
	fclose(f);
}

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
	dump_json(argc, argv, &r);
	return r;
}

static void run_free(struct run *r)
{
	free(r->out);
	free(r->err);
}

/* A companion-mode report with PSI: list says comp:, JSON carries both */
static void test_list_companion_psi(void **state)
{
	struct xb_fake *f = *state;
	struct run r;

	put(f, "/local/domain/1/data/xballoon/report",
	    "v=1 seq=3 state=idle mode=companion balloon_kb=0 "
	    "current_kb=1048576 psi_some_avg10_milli=2580 "
	    "psi_some_total_us=422609 psi_full_avg10_milli=20 "
	    "psi_full_total_us=192826");
	r = run(f, "list", NULL);
	assert_int_equal(r.rc, 0);
	assert_non_null(strstr(r.out, "comp:idle"));
	assert_non_null(strstr(r.out, " inflating "));	/* pvh2: driver mode */
	run_free(&r);
	r = run(f, "list", "--json", NULL);
	assert_int_equal(r.rc, 0);
	assert_non_null(strstr(r.out, "\"mode\":\"companion\""));
	assert_non_null(strstr(r.out, "\"mode\":\"driver\""));
	assert_non_null(strstr(r.out, "\"psi_some_avg10_milli\":2580"));
	assert_non_null(strstr(r.out, "\"psi_full_total_us\":192826"));
	run_free(&r);
	r = run(f, "list", "--prometheus", NULL);
	assert_int_equal(r.rc, 0);
	assert_non_null(strstr(r.out, "xballoon_driver_psi_memory_some_avg10_ratio{domid=\"1\",name=\"pv1\",type=\"pv\"} 0.0258\n"));
	assert_non_null(strstr(r.out, "xballoon_driver_psi_memory_full_seconds_total{domid=\"1\",name=\"pv1\",type=\"pv\"} 0.192826\n"));
	assert_null(strstr(r.out, "xballoon_driver_psi_memory_full_seconds_total{domid=\"2\""));
	run_free(&r);
}

static yajl_val parse_json(const char *s)
{
	char err[256];
	yajl_val v = yajl_tree_parse(s, err, sizeof(err));

	if (!v)
		fail_msg("bad JSON (%s): %s", err, s);
	return v;
}

static yajl_val at(yajl_val v, const char *k1, const char *k2)
{
	const char *path[] = { k1, k2, NULL };

	return yajl_tree_get(v, path, yajl_t_any);
}

static long long num(yajl_val v, const char *k1, const char *k2)
{
	yajl_val n = at(v, k1, k2);

	assert_non_null(n);
	assert_true(YAJL_IS_INTEGER(n));
	return YAJL_GET_INTEGER(n);
}

/* mem-policy: every bad request is refused before anything is written. */
static void test_mem_policy_usage(void **state)
{
	static const char *const bad[][8] = {
		{ "mem-policy", "pv1", "--min", "2g", "--max", "1g", NULL },
		{ "mem-policy", "pv1", "--min", "512", NULL },
		{ "mem-policy", "pv1", "--min", "10%", "--max", "1g", NULL },
		{ "mem-policy", "pv1", "--min", "+1g", "--max", "2g", NULL },
		{ "mem-policy", "pv1", "--min", "512", "--max", "1g", "--weight", },
		{ "mem-policy", "pv1", "--clear", "--min", "512", NULL },
		{ "mem-policy", "--min", "512", "--max", "1g", NULL },
		{ "mem-policy", "pv1", "pvh2", "--clear", NULL },
	};
	struct xb_fake *f = *state;
	struct run r;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		r = run(f, bad[i][0], bad[i][1], bad[i][2], bad[i][3], bad[i][4],
			bad[i][5], bad[i][6], NULL);
		assert_int_equal(r.rc, XB_EXIT_USAGE);
		assert_int_equal(r.out_len, 0);
		run_free(&r);
	}
	r = run(f, "mem-policy", "pv1", "--min", "512", "--max", "1g", "--weight", "0", NULL);
	assert_int_equal(r.rc, XB_EXIT_USAGE);
	run_free(&r);
	r = run(f, "mem-policy", "pv1", "--min", "512", "--max", "1g", "--weight", "1001", NULL);
	assert_int_equal(r.rc, XB_EXIT_USAGE);
	run_free(&r);
	/* checked against the domain: unknown, above static-max, below the floor */
	r = run(f, "mem-policy", "nosuch", "--min", "512", "--max", "1g", NULL);
	assert_int_equal(r.rc, XB_EXIT_ERROR);
	assert_non_null(strstr(r.err, "no such domain"));
	run_free(&r);
	r = run(f, "mem-policy", "pv1", "--min", "512", "--max", "64g", NULL);
	assert_int_equal(r.rc, XB_EXIT_ERROR);
	assert_non_null(strstr(r.err, "static-max"));
	run_free(&r);
	r = run(f, "mem-policy", "pv1", "--min", "1", "--max", "1g", NULL);
	assert_int_equal(r.rc, XB_EXIT_ERROR);
	assert_non_null(strstr(r.err, "below"));
	run_free(&r);
}

static void test_list_json_shape(void **state)
{
	struct run r = run(*state, "list", "--json", NULL);
	yajl_val v, doms, d;
	long long sum = 0;

	assert_int_equal(r.rc, 0);
	v = parse_json(r.out);
	assert_int_equal(num(v, "version", NULL), 1);
	assert_int_equal(num(v, "host", "total_kb"), 4 * GIB);
	assert_int_equal(num(v, "host", "free_kb"), 1 * GIB);
	doms = at(v, "domains", NULL);
	assert_true(YAJL_IS_ARRAY(doms));
	assert_int_equal(YAJL_GET_ARRAY(doms)->len, 3);
	for (size_t i = 0; i < 3; i++) {
		static const char *const keys[] = {
			"domid", "name", "type", "static_max_kb", "target_kb",
			"actual_kb", "reclaimed_kb", "state", "driver",
		};

		d = YAJL_GET_ARRAY(doms)->values[i];
		for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
			assert_non_null(at(d, keys[k], NULL));
		sum += num(d, "reclaimed_kb", NULL);
		/* headroom = maxmem - slack - target, borrow = actual - target (>= 0) */
		assert_int_equal(num(d, "headroom_kb", NULL),
				 num(d, "maxmem_kb", NULL) > num(d, "target_kb", NULL) + 1024 ?
				 num(d, "maxmem_kb", NULL) - num(d, "target_kb", NULL) - 1024 : 0);
		assert_int_equal(num(d, "borrow_kb", NULL),
				 num(d, "actual_kb", NULL) > num(d, "target_kb", NULL) ?
				 num(d, "actual_kb", NULL) - num(d, "target_kb", NULL) : 0);
	}
	assert_int_equal(num(v, "totals", "reclaimed_kb"), sum);
	assert_int_equal(num(v, "totals", "domains"), 3);
	assert_int_equal(num(v, "totals", "with_driver"), 1);
	d = YAJL_GET_ARRAY(doms)->values[2];
	assert_string_equal(YAJL_GET_STRING(at(d, "type", NULL)), "pvh");
	assert_string_equal(YAJL_GET_STRING(at(d, "state", NULL)), "converging");
	assert_string_equal(YAJL_GET_STRING(at(d, "driver", "status")), "valid");
	assert_string_equal(YAJL_GET_STRING(at(d, "driver", "state")), "inflating");
	assert_int_equal(num(d, "driver", "balloon_kb"), 450000);
	assert_int_equal(num(d, "reclaimed_kb", NULL), 1 * GIB - 600 * MIB);
	d = YAJL_GET_ARRAY(doms)->values[1];
	assert_string_equal(YAJL_GET_STRING(at(d, "driver", "status")), "absent");
	yajl_tree_free(v);
	run_free(&r);
}

static void test_list_hostile_report(void **state)
{
	struct xb_fake *f = *state;
	char big[4096];
	struct run r;
	yajl_val v, d;

	/* quotes, backslashes and control bytes in a report and a name */
	xb_fake_put(f, "/local/domain/1/data/xballoon/report", "v=1 \"\\\x01\n", 8);
	xb_fake_put(f, "/local/domain/1/name", "evil\"name\\\n", 11);
	memset(big, 'z', sizeof(big));
	xb_fake_put(f, "/local/domain/2/data/xballoon/report", big, sizeof(big));
	r = run(f, "list", "--json", NULL);
	assert_int_equal(r.rc, 0);
	v = parse_json(r.out);
	d = YAJL_GET_ARRAY(at(v, "domains", NULL))->values[1];
	assert_string_equal(YAJL_GET_STRING(at(d, "name", NULL)), "evil\"name\\?");
	assert_string_equal(YAJL_GET_STRING(at(d, "driver", "status")), "invalid");
	d = YAJL_GET_ARRAY(at(v, "domains", NULL))->values[2];
	assert_string_equal(YAJL_GET_STRING(at(d, "driver", "status")), "invalid");
	assert_string_equal(YAJL_GET_STRING(at(d, "state", NULL)), "no-driver");
	yajl_tree_free(v);
	run_free(&r);
	/* text and Prometheus survive it too */
	r = run(f, "list", NULL);
	assert_int_equal(r.rc, 0);
	assert_non_null(strstr(r.out, "invalid"));
	run_free(&r);
	r = run(f, "list", "--prometheus", NULL);
	assert_int_equal(r.rc, 0);
	assert_non_null(strstr(r.out, "name=\"evil\\\"name\\\\?\""));
	run_free(&r);
}

static void test_list_text_and_filter(void **state)
{
	struct run r = run(*state, "list", "pvh2", NULL);

	assert_int_equal(r.rc, 0);
	assert_non_null(strstr(r.out, "pvh2"));
	assert_null(strstr(r.out, "pv1 "));
	assert_non_null(strstr(r.out, "Total"));
	assert_non_null(strstr(r.out, "host total 4096, free 1024"));
	run_free(&r);
	r = run(*state, "list", "nosuch", NULL);
	assert_int_equal(r.rc, XB_EXIT_ERROR);
	assert_non_null(strstr(r.err, "nosuch"));
	run_free(&r);
	r = run(*state, "list", "--json", "--prometheus", NULL);
	assert_int_equal(r.rc, XB_EXIT_USAGE);
	run_free(&r);
}

static void test_prometheus(void **state)
{
	struct run r = run(*state, "list", "--prometheus", NULL);

	assert_int_equal(r.rc, 0);
	assert_non_null(strstr(r.out, "# TYPE xballoon_domain_actual_bytes gauge\n"));
	assert_non_null(strstr(r.out, "xballoon_domain_actual_bytes{domid=\"2\",name=\"pvh2\",type=\"pvh\"} 629145600\n"));
	assert_non_null(strstr(r.out, "xballoon_domain_state{domid=\"2\",name=\"pvh2\",state=\"converging\"} 1\n"));
	assert_non_null(strstr(r.out, "xballoon_driver_oom_deflates_total{domid=\"2\",name=\"pvh2\",type=\"pvh\"} 2\n"));
	assert_non_null(strstr(r.out, "xballoon_host_total_bytes 4294967296\n"));
	/* no driver series for a domain without a report */
	assert_null(strstr(r.out, "xballoon_driver_balloon_bytes{domid=\"1\""));
	run_free(&r);
}

/* Policy keys through the backend (the fake too), and a selection only */
static void test_prometheus_policy_selection(void **state)
{
	struct xb_fake *f = *state;
	struct run r;

	put(f, "/local/domain/1/memory/dynamic-min", "262144");
	put(f, "/local/domain/1/memory/dynamic-max", "1048576");
	put(f, "/local/domain/2/memory/dynamic-min", "262144");	/* no max: no range */
	put(f, "/local/domain/2/memory/uncooperative", "1");
	r = run(f, "list", "--prometheus", "pv1", "pvh2", NULL);
	assert_int_equal(r.rc, 0);
	assert_non_null(strstr(r.out, "# TYPE xballoon_domain_dynamic_min_bytes gauge\n"
				      "xballoon_domain_dynamic_min_bytes{domid=\"1\",name=\"pv1\",type=\"pv\"} 268435456\n"
				      "# HELP xballoon_domain_dynamic_max_bytes"));
	assert_non_null(strstr(r.out, "xballoon_domain_dynamic_max_bytes{domid=\"1\",name=\"pv1\",type=\"pv\"} 1073741824\n"));
	assert_non_null(strstr(r.out, "xballoon_domain_uncooperative{domid=\"1\",name=\"pv1\",type=\"pv\"} 0\n"
				      "xballoon_domain_uncooperative{domid=\"2\",name=\"pvh2\",type=\"pvh\"} 1\n"));
	/* Domain-0 was not asked for: none of its series, nor in the sum */
	assert_null(strstr(r.out, "domid=\"0\""));
	assert_non_null(strstr(r.out, "\nxballoon_reclaimed_bytes 444596224\n"));
	assert_non_null(strstr(r.out, "# TYPE xballoon_reservation_bytes gauge\n"));
	assert_null(strstr(r.out, "xballoon_reservation_bytes{"));
	run_free(&r);
}

static void test_mem_set_json(void **state)
{
	struct xb_fake *f = *state;
	struct run r = run(f, "mem-set", "--json", "pv1", "pvh2", "50%", NULL);
	yajl_val v, c;

	assert_int_equal(r.rc, 0);
	v = parse_json(r.out);
	assert_true(YAJL_IS_TRUE(at(v, "applied", NULL)));
	c = at(v, "changes", NULL);
	assert_int_equal(YAJL_GET_ARRAY(c)->len, 2);
	assert_int_equal(num(YAJL_GET_ARRAY(c)->values[0], "new_kb", NULL), 512 * MIB);
	assert_int_equal(num(YAJL_GET_ARRAY(c)->values[0], "old_kb", NULL), 1 * GIB);
	yajl_tree_free(v);
	run_free(&r);
	assert_string_equal(xb_fake_get(f, "/local/domain/1/memory/target"), "524288");
	/* mem-max's document: the same shape */
	r = run(f, "mem-max", "--json", "pv1", "768m", NULL);
	assert_int_equal(r.rc, 0);
	v = parse_json(r.out);
	assert_true(YAJL_IS_TRUE(at(v, "applied", NULL)));
	yajl_tree_free(v);
	run_free(&r);
	assert_string_equal(xb_fake_get(f, "/local/domain/1/memory/static-max"), "786432");
}

static void test_mem_set_rejects(void **state)
{
	struct xb_fake *f = *state;
	static const char *const cases[][3] = {
		{ "nosuch", "512m", "no such domain" },
		{ "pv1", "2g", "static-max" },
		{ "pv1", "abc", "not a size" },
		{ "pv1", "-5g", "below zero" },
	};
	struct run r;
	yajl_val v;
	const char *msg;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		r = run(f, "mem-set", (char *)cases[i][0], (char *)cases[i][1], NULL);
		assert_int_not_equal(r.rc, 0);
		if (!strstr(r.err, cases[i][2]))
			fail_msg("case %zu: stderr lacks '%s': %s", i, cases[i][2], r.err);
		run_free(&r);
	}
	/* a mix of valid and invalid: nothing changes, JSON says why */
	r = run(f, "mem-set", "--json", "pv1", "nosuch", "pvh2", "256m", NULL);
	assert_int_equal(r.rc, XB_EXIT_ERROR);
	v = parse_json(r.out);
	assert_true(YAJL_IS_FALSE(at(v, "applied", NULL)));
	assert_int_equal(YAJL_GET_ARRAY(at(v, "errors", NULL))->len, 1);
	yajl_tree_free(v);
	run_free(&r);
	assert_string_equal(xb_fake_get(f, "/local/domain/1/memory/target"), "1048576");
	assert_string_equal(xb_fake_get(f, "/local/domain/2/memory/target"), "524288");
	assert_int_equal(xb_fake_dom(f, 1)->maxmem_calls, 0);
	assert_int_equal(xb_fake_dom(f, 2)->maxmem_calls, 0);
	/* options after the operands, a relative negative size among them */
	r = run(f, "mem-set", "pvh2", "-10%", "--json", NULL);
	assert_int_equal(r.rc, 0);
	run_free(&r);
	assert_string_equal(xb_fake_get(f, "/local/domain/2/memory/target"), "471860");
	r = run(f, "mem-set", "pvh2", "-1g", "-5g", NULL);
	assert_int_equal(r.rc, XB_EXIT_USAGE);
	run_free(&r);
	/* usage errors */
	r = run(f, "mem-set", "pv1", NULL);
	assert_int_equal(r.rc, XB_EXIT_USAGE);
	run_free(&r);
	r = run(f, "mem-set", "--all", "pv1", "1g", NULL);
	assert_int_equal(r.rc, XB_EXIT_USAGE);
	run_free(&r);
	r = run(f, "mem-set", "--bogus", "pv1", "1g", NULL);
	assert_int_equal(r.rc, XB_EXIT_USAGE);
	assert_int_equal(r.out_len, 0);
	run_free(&r);
	/* --keep-maxmem: maxmem stays at static-max + slack, target moves */
	r = run(f, "mem-set", "--keep-maxmem", "pv1", "256m", NULL);
	assert_int_equal(r.rc, 0);
	run_free(&r);
	assert_string_equal(xb_fake_get(f, "/local/domain/1/memory/target"), "262144");
	assert_int_equal(xb_fake_dom(f, 1)->maxmem_kb, 1 * GIB + 1024);
	r = run(f, "mem-set", "pv1", "300m", NULL);
	assert_int_equal(r.rc, 0);
	run_free(&r);
	assert_int_equal(xb_fake_dom(f, 1)->maxmem_kb, 300 * MIB + 1024);
	r = run(f, "mem-max", "--keep-maxmem", "pv1", "1g", NULL);
	assert_int_equal(r.rc, XB_EXIT_USAGE);
	run_free(&r);
	r = run(f, "wait", "--keep-maxmem", "pv1", NULL);
	assert_int_equal(r.rc, XB_EXIT_USAGE);
	run_free(&r);
	/* with --json, a usage error is also a JSON document on stdout */
	r = run(f, "mem-set", "pv1", "--json", NULL);
	assert_int_equal(r.rc, XB_EXIT_USAGE);
	v = parse_json(r.out);
	assert_string_equal(YAJL_GET_STRING(at(v, "error", NULL)), "usage");
	assert_string_equal(YAJL_GET_STRING(at(v, "command", NULL)), "mem-set");
	msg = YAJL_GET_STRING(at(v, "message", NULL));
	assert_non_null(msg);
	assert_non_null(strstr(msg, "missing DOM or SIZE"));
	assert_int_equal(num(v, "exit_code", NULL), XB_EXIT_USAGE);
	yajl_tree_free(v);
	assert_non_null(strstr(r.err, "missing DOM or SIZE"));
	run_free(&r);
	r = run(f, "nosuchcmd", "--json", NULL);
	assert_int_equal(r.rc, XB_EXIT_USAGE);
	v = parse_json(r.out);
	assert_string_equal(YAJL_GET_STRING(at(v, "error", NULL)), "usage");
	yajl_tree_free(v);
	run_free(&r);
}

static void test_mem_set_wait(void **state)
{
	struct xb_fake *f = *state;
	struct run r;
	yajl_val v;

	/* relative negative size after --all is a size, not an option */
	xb_fake_dom(f, 1)->rate_kb_s = 200 * MIB;
	xb_fake_dom(f, 2)->rate_kb_s = 200 * MIB;
	r = run(f, "mem-set", "--json", "--wait", "--all", "--include-no-driver",
		"-50%", NULL);
	assert_int_equal(r.rc, XB_EXIT_OK);
	v = parse_json(r.out);
	assert_string_equal(YAJL_GET_STRING(at(v, "wait", "result")), "reached");
	assert_int_equal(num(v, "wait", "exit_code"), 0);
	yajl_tree_free(v);
	run_free(&r);
	assert_string_equal(xb_fake_get(f, "/local/domain/1/memory/target"), "524288");
	assert_string_equal(xb_fake_get(f, "/local/domain/2/memory/target"), "262144");

	/* no driver: plain progress lines on stderr, exit 6 */
	xb_fake_dom(f, 1)->rate_kb_s = 0;
	r = run(f, "mem-set", "pv1", "256m", "--wait", "--timeout", "15", NULL);
	if (r.rc != XB_EXIT_NO_DRIVER)
		fail_msg("rc %d: %s%s", r.rc, r.err, r.out);
	assert_non_null(strstr(r.err, "pv1(1) actual 512 MiB target 256 MiB"));
	assert_non_null(strstr(r.out, "result: no-driver (exit 6)"));
	run_free(&r);

	r = run(f, "wait", "pv1", "--timeout", "3", "--json", NULL);
	assert_int_equal(r.rc, XB_EXIT_NO_DRIVER);
	v = parse_json(r.out);
	assert_string_equal(YAJL_GET_STRING(at(v, "wait", "result")), "no-driver");
	yajl_tree_free(v);
	run_free(&r);
}

static void test_info_and_help(void **state)
{
	struct run r = run(*state, "info", "--json", NULL);
	yajl_val v;

	assert_int_equal(r.rc, 0);
	v = parse_json(r.out);
	assert_int_equal(num(v, "host", "total_kb"), 4 * GIB);
	assert_int_equal(num(v, "reclaimed_kb", NULL), 1 * GIB - 600 * MIB);
	assert_int_equal(num(v, "domains", NULL), 3);
	yajl_tree_free(v);
	run_free(&r);
	r = run(*state, "info", NULL);
	assert_non_null(strstr(r.out, "reclaimed_sum_mib    : 424"));
	run_free(&r);
	for (size_t i = 0; i < xb_cmdtable_len; i++) {
		r = run(*state, "help", (char *)xb_cmdtable[i].name, NULL);
		assert_int_equal(r.rc, 0);
		assert_non_null(strstr(r.out, "Usage: xballoon"));
		run_free(&r);
	}
	r = run(*state, "help", "nosuch", NULL);
	assert_int_equal(r.rc, XB_EXIT_USAGE);
	run_free(&r);
	r = run(*state, "mem-max", "--help", NULL);
	assert_int_equal(r.rc, 0);
	run_free(&r);
}

/* watch's events: differences between snapshots, in a fixed order. */
struct captured {
	char buf[4096];
	size_t len;
};

static void capture(void *ctx, const struct xb_event *ev)
{
	struct captured *c = ctx;
	int n = snprintf(c->buf + c->len, sizeof(c->buf) - c->len, "%s:%u ",
			 xballoon_event_name(ev->type), ev->dom->xen.domid);

	if (n > 0 && (size_t)n < sizeof(c->buf) - c->len)
		c->len += (size_t)n;
}

static void test_watch_events(void **state)
{
	struct xb_fake *f = *state;
	struct xb_snapshot a, b;
	struct captured c = { .len = 0 };
	yajl_gen g = xb_json_new();
	const unsigned char *buf;
	size_t len;
	yajl_val v;
	struct xb_event ev;

	assert_int_equal(xballoon_snapshot_take(&f->be, &a), 0);
	xballoon_events_snapshot(NULL, &a, 1, capture, &c);
	assert_string_equal(c.buf, "domain-new:0 domain-new:1 domain-new:2 ");
	c.len = 0;
	c.buf[0] = '\0';
	xb_fake_put(f, "/local/domain/1/memory/target", "524288", 6);
	xb_fake_put(f, "/local/domain/2/data/xballoon/report", "v=1 seq=8", 9);
	xb_fake_remove(f, 0);
	xb_fake_add(f, 9, "new9", XB_TYPE_PV, 1 * GIB, 1 * GIB, 1 * GIB);
	assert_int_equal(xballoon_snapshot_take(&f->be, &b), 0);
	xballoon_events_snapshot(&a, &b, 2, capture, &c);
	assert_string_equal(c.buf, "target:1 state:1 report:2 state:2 domain-new:9 domain-gone:0 ");
	/* keys vanishing while a domain is torn down are not a target change */
	c.len = 0;
	c.buf[0] = '\0';
	xb_fake_del(f, "/local/domain/9/memory/target");
	xballoon_snapshot_free(&a);
	assert_int_equal(xballoon_snapshot_take(&f->be, &a), 0);
	xballoon_events_snapshot(&b, &a, 3, capture, &c);
	assert_string_equal(c.buf, "");
	xb_fake_put(f, "/local/domain/9/memory/target", "1048576", 7);
	/* a domid reused by another domain (new UUID): gone, then new */
	c.len = 0;
	c.buf[0] = '\0';
	xballoon_snapshot_free(&a);
	assert_int_equal(xballoon_snapshot_take(&f->be, &a), 0);
	xb_fake_dom(f, 9)->info.uuid_hi |= 0x77ULL << 32;	/* byte 3 */
	xballoon_snapshot_free(&b);
	assert_int_equal(xballoon_snapshot_take(&f->be, &b), 0);
	xballoon_events_snapshot(&a, &b, 3, capture, &c);
	assert_string_equal(c.buf, "domain-gone:9 domain-new:9 ");
	/* the same snapshot twice: nothing */
	c.len = 0;
	c.buf[0] = '\0';
	xballoon_events_snapshot(&b, &b, 3, capture, &c);
	assert_string_equal(c.buf, "");
	/* JSON of a target event */
	memset(&ev, 0, sizeof(ev));
	ev.type = XB_EV_TARGET;
	ev.ts_ms = 5;
	ev.dom = xballoon_snapshot_find(&b, 1);
	ev.old_kb = 1 * GIB;
	ev.new_kb = 512 * MIB;
	xb_json_event(g, &ev);
	yajl_gen_get_buf(g, &buf, &len);
	v = parse_json((const char *)buf);
	assert_string_equal(YAJL_GET_STRING(at(v, "event", NULL)), "target");
	assert_int_equal(num(v, "new_kb", NULL), 512 * MIB);
	assert_int_equal(num(v, "domid", NULL), 1);
	yajl_tree_free(v);
	yajl_gen_free(g);
	xballoon_snapshot_free(&a);
	xballoon_snapshot_free(&b);
}

/* watch's reconnect event: no domain, the detail in JSON and in text. */
static void test_watch_reconnect_event(void **state)
{
	struct xb_event ev = { .type = XB_EV_RECONNECT, .ts_ms = 7,
			       .detail = "reconnected to xenstored after 3 attempt(s)" };
	yajl_gen g = xb_json_new();
	const unsigned char *buf;
	char *text = NULL;
	size_t len;
	yajl_val v;
	FILE *f;

	(void)state;
	xb_json_event(g, &ev);
	yajl_gen_get_buf(g, &buf, &len);
	v = parse_json((const char *)buf);
	assert_string_equal(YAJL_GET_STRING(at(v, "event", NULL)), "reconnect");
	assert_string_equal(YAJL_GET_STRING(at(v, "detail", NULL)),
			    "reconnected to xenstored after 3 attempt(s)");
	assert_int_equal(num(v, "ts_ms", NULL), 7);
	assert_null(at(v, "domid", NULL));
	yajl_tree_free(v);
	yajl_gen_free(g);
	f = open_memstream(&text, &len);
	xb_text_event(f, &ev);
	fclose(f);
	assert_non_null(strstr(text, "reconnect   reconnected to xenstored after 3 attempt(s)"));
	free(text);
}

/* A failed change: the JSON says exactly what was undone and what was left. */
static void test_mem_set_rollback_json(void **state)
{
	struct xb_fake *f = *state;
	struct run r;
	yajl_val v, doms;

	/* pvh2 fails in Xen; pv1's change cannot be undone (maxmem refused) */
	f->fail_maxmem_domid = 1;
	f->fail_maxmem_after = 1;
	f->fail_pod_domid = 2;
	xb_fake_dom(f, 2)->pod = true;
	r = run(f, "mem-set", "--json", "pv1", "pvh2", "512", NULL);
	assert_int_equal(r.rc, XB_EXIT_ERROR);
	v = parse_json(r.out);
	assert_int_equal(num(v, "version", NULL), XB_JSON_VERSION);
	assert_true(YAJL_IS_FALSE(at(v, "applied", NULL)));
	assert_true(YAJL_IS_FALSE(at(v, "all_undone", NULL)));
	doms = at(v, "domains", NULL);
	assert_true(YAJL_IS_ARRAY(doms));
	assert_int_equal(YAJL_GET_ARRAY(doms)->len, 2);
	{
		yajl_val d0 = YAJL_GET_ARRAY(doms)->values[0];
		yajl_val d1 = YAJL_GET_ARRAY(doms)->values[1];

		assert_string_equal(YAJL_GET_STRING(at(d0, "outcome", NULL)), "restore-failed");
		assert_int_equal(num(d0, "left", "maxmem_kb"), 512 * MIB + 1024);
		assert_int_equal(num(d0, "before", "maxmem_kb"), 1 * GIB + 1024);
		assert_int_equal(num(d0, "left", "memory_target_kb"), 1 * GIB);
		assert_string_equal(YAJL_GET_STRING(at(d1, "outcome", NULL)), "failed");
	}
	assert_null(strstr(r.out, "were undone"));
	assert_non_null(strstr(r.err, "could not restore"));
	assert_non_null(strstr(r.err, "NOT all changes could be undone"));
	yajl_tree_free(v);
	run_free(&r);

	/* when everything was put back, it says so */
	f->fail_maxmem_domid = -1;
	r = run(f, "mem-set", "--json", "pv1", "pvh2", "512", NULL);
	assert_int_equal(r.rc, XB_EXIT_ERROR);
	v = parse_json(r.out);
	assert_true(YAJL_IS_TRUE(at(v, "all_undone", NULL)));
	yajl_tree_free(v);
	assert_non_null(strstr(r.err, "pv1(1): put back as it was"));
	assert_non_null(strstr(r.err, "nothing changed"));
	run_free(&r);
	f->fail_pod_domid = -1;
}

/* -j is --json for usage errors too; every document carries "version". */
static void test_json_short_and_version(void **state)
{
	struct xb_fake *f = *state;
	static const char *const cmds[][4] = {
		{ "list", "--json", NULL },
		{ "info", "--json", NULL },
		{ "mem-set", "-j", "pv1", "600m" },
		{ "wait", "-j", "pv1", NULL },
		{ "mem-set", "-j", "pv1", NULL },	/* usage error */
		{ "mem-set", "-jw", NULL, NULL },	/* usage error, flags together */
	};
	struct run r;
	yajl_val v;

	xb_fake_dom(f, 1)->rate_kb_s = 1000 * MIB;
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		r = run(f, cmds[i][0], cmds[i][1], cmds[i][2], cmds[i][3], NULL);
		v = parse_json(r.out);
		if (num(v, "version", NULL) != XB_JSON_VERSION)
			fail_msg("%s %s: no version: %s", cmds[i][0], cmds[i][1], r.out);
		yajl_tree_free(v);
		run_free(&r);
	}
}

/* wait --all: the selection is shown; nothing to wait for is an error. */
static void test_wait_all_selection(void **state)
{
	struct xb_fake *f = *state;
	struct run r;
	yajl_val v;

	xb_fake_del(f, "/local/domain/2/data/xballoon/report");
	r = run(f, "wait", "--all", NULL);
	assert_int_equal(r.rc, XB_EXIT_ERROR);
	assert_non_null(strstr(r.err, "no domU with a balloon driver"));
	run_free(&r);
	put(f, "/local/domain/2/data/xballoon/report", "v=1 state=idle");
	r = run(f, "wait", "--all", "--json", "--timeout", "1", NULL);
	v = parse_json(r.out);
	assert_int_equal(YAJL_GET_ARRAY(at(v, "selected", NULL))->len, 1);
	assert_int_equal(YAJL_GET_INTEGER(YAJL_GET_ARRAY(at(v, "selected", NULL))->values[0]), 2);
	assert_int_equal(YAJL_GET_INTEGER(YAJL_GET_ARRAY(at(v, "skipped_no_driver", NULL))->values[0]), 1);
	yajl_tree_free(v);
	assert_non_null(strstr(r.err, "--all selects 1 domain(s): pvh2(2)"));
	run_free(&r);
	/* wait options without --wait are a usage error for mem-set */
	r = run(f, "mem-set", "pv1", "512", "--timeout", "5", NULL);
	assert_int_equal(r.rc, XB_EXIT_USAGE);
	run_free(&r);
}

static void put_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

/*
 * daemon-status: running or not from the lock (held here as a daemon
 * would), the status document rendered as text and re-emitted as JSON; a
 * bad document is an error, not a crash.
 */
static void test_daemon_status(void **state)
{
	static const char doc[] =
		"{\"version\":1,\"pid\":4242,\"state\":\"balancing\",\"started_ms\":1,"
		"\"updated_ms\":2,\"config\":{\"path\":null,\"reserve_kb\":262144,"
		"\"margin_kb\":131072,\"headroom_kb\":262144,\"hysteresis_kb\":16384,"
		"\"stuck_ms\":20000,\"resample_ms\":5000,\"manage_dom0\":false},"
		"\"counters\":{\"decisions\":7,\"changes\":3,\"failures\":0,\"reloads\":1,"
		"\"reload_failures\":1,\"reconnects\":0,\"uncooperative\":0},"
		"\"host_free_kb\":1024,\"domains\":[{\"domid\":3,\"name\":\"web\\\"1\","
		"\"managed\":true,\"uncooperative\":false,\"reason\":\"share\",\"tot_kb\":524288,"
		"\"target_kb\":524288,\"static_max_kb\":1048576,\"dynamic_min_kb\":262144,"
		"\"dynamic_max_kb\":1048576,\"weight\":1,\"need_kb\":400000,\"margin_kb\":98304,"
		"\"used_kb\":301696,\"planned_kb\":524288,\"maxmem_kb\":786432,"
		"\"headroom_kb\":262144,\"borrow_kb\":0,\"pressure\":false,\"report\":true,"
		"\"psi_some_avg10\":null,\"last_decision\":{\"ts_ms\":2,\"old_kb\":262144,"
		"\"new_kb\":524288,\"maxmem_kb\":786432,\"reason\":\"share\",\"failed\":false}}]}";
	char dir[] = "/tmp/xb-ds-XXXXXX", path[64], lock[64];
	struct run r;
	yajl_val v;
	int fd;

	assert_non_null(mkdtemp(dir));
	/* nothing there: not running, no status */
	r = run(*state, "daemon-status", "--run-dir", dir, NULL);
	assert_int_equal(r.rc, XB_EXIT_ERROR);
	assert_string_equal(r.out, "xballoond: not running\n");
	run_free(&r);
	snprintf(path, sizeof(path), "%s/status.json", dir);
	snprintf(lock, sizeof(lock), "%s/xballoond.lock", dir);
	put_file(path, doc);
	put_file(lock, "4242\n");
	/* a status, but nobody holds the lock (killed daemon): not running */
	r = run(*state, "daemon-status", "--run-dir", dir, NULL);
	assert_int_equal(r.rc, XB_EXIT_ERROR);
	assert_non_null(strstr(r.out, "not running; its last status follows"));
	assert_non_null(strstr(r.out, "web\"1"));
	run_free(&r);
	fd = open(lock, O_RDWR);
	assert_true(fd >= 0);
	assert_int_equal(flock(fd, LOCK_EX | LOCK_NB), 0);
	r = run(*state, "daemon-status", "--run-dir", dir, NULL);
	assert_int_equal(r.rc, 0);
	assert_non_null(strstr(r.out, "xballoond: running (pid 4242), balancing"));
	assert_non_null(strstr(r.out, "reloads 1 (1 refused)"));
	assert_non_null(strstr(r.out, "256 -> 512 MiB (share)"));
	run_free(&r);
	r = run(*state, "daemon-status", "--json", "--run-dir", dir, NULL);
	assert_int_equal(r.rc, 0);
	v = parse_json(r.out);
	assert_int_equal(num(v, "version", NULL), 1);
	assert_true(YAJL_IS_TRUE(at(v, "running", NULL)));
	assert_int_equal(num(v, "pid", NULL), 4242);
	assert_int_equal(num(v, "status", "host_free_kb"), 1024);
	assert_string_equal(YAJL_GET_STRING(YAJL_GET_ARRAY(at(v, "status", "domains"))->values[0]->u.object.values[1]),
			    "web\"1");
	yajl_tree_free(v);
	run_free(&r);
	/* garbage, or a document of another version: said, and no status */
	put_file(path, "{\"version\":2}");
	r = run(*state, "daemon-status", "--json", "--run-dir", dir, NULL);
	assert_non_null(strstr(r.err, "not a status document"));
	v = parse_json(r.out);
	assert_true(YAJL_IS_NULL(at(v, "status", NULL)));
	yajl_tree_free(v);
	run_free(&r);
	put_file(path, "{\"version\":1,");
	r = run(*state, "daemon-status", "--run-dir", dir, NULL);
	assert_non_null(strstr(r.err, "not a status document"));
	assert_int_equal(r.rc, 0);
	run_free(&r);
	r = run(*state, "daemon-status", "extra", NULL);
	assert_int_equal(r.rc, XB_EXIT_USAGE);
	run_free(&r);
	close(fd);
	unlink(path);
	unlink(lock);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_list_json_shape, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_companion_psi, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_hostile_report, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_text_and_filter, setup, teardown),
		cmocka_unit_test_setup_teardown(test_prometheus, setup, teardown),
		cmocka_unit_test_setup_teardown(test_prometheus_policy_selection, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mem_set_json, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mem_set_rejects, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mem_set_wait, setup, teardown),
		cmocka_unit_test_setup_teardown(test_info_and_help, setup, teardown),
		cmocka_unit_test_setup_teardown(test_watch_events, setup, teardown),
		cmocka_unit_test(test_watch_reconnect_event),
		cmocka_unit_test_setup_teardown(test_mem_set_rollback_json, setup, teardown),
		cmocka_unit_test_setup_teardown(test_json_short_and_version, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wait_all_selection, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mem_policy_usage, setup, teardown),
		cmocka_unit_test_setup_teardown(test_daemon_status, setup, teardown),
	};

	return cmocka_run_group_tests_name("ts_cli", tests, NULL, NULL);
}
