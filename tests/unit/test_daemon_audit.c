// SPDX-License-Identifier: GPL-2.0
/*
 * xballoond's JSON (audit.c): the decision and uncooperative lines with a
 * hostile domain name, and the status file (atomic write, every field the
 * schema requires); the --metrics address parser (metrics.c).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <cmocka.h>
#include <yajl/yajl_tree.h>

#include "libxballoon.h"
#include "audit.h"
#include "metrics.h"

#define MIB 1024u
#define EVIL "we\"ird\\name\x01"

static yajl_val parse(const char *s)
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

static const struct xbd_dom dom3 = {
	.domid = 3, .tot_kb = 600 * MIB, .target_kb = 500 * MIB,
	.static_max_kb = 1024 * MIB, .has_policy = true, .dyn_min_kb = 256 * MIB,
	.dyn_max_kb = 1024 * MIB, .weight = 2, .has_report = true,
};
static const struct xbd_out out3 = {
	.domid = 3, .managed = true, .change = true, .need_kb = 550 * MIB,
	.margin_kb = 96 * MIB, .used_kb = 454 * MIB, .target_kb = 600 * MIB,
	.maxmem_kb = 856 * MIB, .borrow = true, .reason = XBD_R_BORROW,
};

static void test_decision_line(void **state)
{
	char *line = xbd_json_decision(12345, EVIL, &dom3, &out3, NULL, false);
	yajl_val v;

	(void)state;
	assert_non_null(line);
	assert_null(strchr(line, '\n'));	/* one line */
	v = parse(line);
	assert_string_equal(YAJL_GET_STRING(at(v, "event", NULL)), "decision");
	assert_string_equal(YAJL_GET_STRING(at(v, "name", NULL)), EVIL);
	assert_int_equal(num(v, "domid", NULL), 3);
	assert_int_equal(num(v, "old_kb", NULL), 500 * MIB);
	assert_int_equal(num(v, "new_kb", NULL), 600 * MIB);
	assert_int_equal(num(v, "maxmem_kb", NULL), 856 * MIB);
	assert_int_equal(num(v, "need_kb", NULL), 550 * MIB);
	assert_string_equal(YAJL_GET_STRING(at(v, "reason", NULL)), "borrow");
	assert_true(YAJL_IS_TRUE(at(v, "borrow", NULL)));
	assert_null(at(v, "dry_run", NULL));
	assert_null(at(v, "lag_ms", NULL));	/* no timing given */
	assert_null(at(v, "snapshot_ms", NULL));
	yajl_tree_free(v);
	free(line);
	line = xbd_json_decision(1, "x", &dom3, &out3, NULL, true);
	v = parse(line);
	assert_true(YAJL_IS_TRUE(at(v, "dry_run", NULL)));
	yajl_tree_free(v);
	free(line);
	/* the time from the event to the change, and the snapshot's share */
	line = xbd_json_decision(1, "x", &dom3, &out3,
				 &(struct xbd_timing){ .event = true, .lag_ms = 345,
						       .wait_ms = 12, .snapshot_ms = 67,
						       .read_ms = 89 }, false);
	v = parse(line);
	assert_int_equal(num(v, "lag_ms", NULL), 345);
	assert_int_equal(num(v, "wait_ms", NULL), 12);
	assert_int_equal(num(v, "snapshot_ms", NULL), 67);
	assert_int_equal(num(v, "read_ms", NULL), 89);
	yajl_tree_free(v);
	free(line);
	/* a resample: no event, so no lag */
	line = xbd_json_decision(1, "x", &dom3, &out3,
				 &(struct xbd_timing){ .lag_ms = 345, .snapshot_ms = 8 },
				 false);
	v = parse(line);
	assert_null(at(v, "lag_ms", NULL));
	assert_null(at(v, "wait_ms", NULL));
	assert_int_equal(num(v, "snapshot_ms", NULL), 8);
	yajl_tree_free(v);
	free(line);
	line = xbd_json_uncoop(7, EVIL, &dom3, true);
	v = parse(line);
	assert_string_equal(YAJL_GET_STRING(at(v, "event", NULL)), "uncooperative");
	assert_string_equal(YAJL_GET_STRING(at(v, "name", NULL)), EVIL);
	assert_true(YAJL_IS_TRUE(at(v, "on", NULL)));
	assert_int_equal(num(v, "tot_kb", NULL), 600 * MIB);
	yajl_tree_free(v);
	free(line);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = calloc(1, 1 << 16);

	assert_non_null(f);
	assert_non_null(buf);
	assert_true(fread(buf, 1, (1 << 16) - 1, f) > 0);
	fclose(f);
	return buf;
}

static void test_status_file(void **state)
{
	char dir[] = "/tmp/xbd-audit-XXXXXX", path[64], tmp[80];
	struct xbd_daemon_config cfg;
	struct xbd_counters c = { .decisions = 4, .changes = 2, .reload_failures = 1 };
	struct xbd_dom doms[2] = { { .domid = 0, .tot_kb = 1024 * MIB, .target_kb = 1024 * MIB },
				   dom3 };
	struct xbd_out outs[2] = { { .reason = XBD_R_UNMANAGED }, out3 };
	const char *names[2] = { "Domain-0", EVIL };
	struct xbd_last last[2] = { { 0 }, { .domid = 3, .valid = true, .ts_ms = 99,
				     .old_kb = 500 * MIB, .new_kb = 600 * MIB,
				     .maxmem_kb = 856 * MIB, .reason = XBD_R_BORROW } };
	struct xbd_status st = {
		.pid = 42, .state = "balancing", .config_path = NULL, .started_ms = 1,
		.updated_ms = 2, .cfg = &cfg, .counters = &c, .host_free_kb = 77,
		.n = 2, .doms = doms, .outs = outs, .names = names, .last = last,
	};
	yajl_val v, d;
	char *text;

	(void)state;
	doms[1].has_psi = true;
	doms[1].psi_some_avg10_milli = 12345;
	xbd_daemon_config_default(&cfg);
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/status.json", dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	assert_int_equal(xbd_status_write(path, &st), 0);
	assert_int_equal(access(tmp, F_OK), -1);	/* renamed, not left */
	text = slurp(path);
	v = parse(text);
	assert_int_equal(num(v, "version", NULL), XB_JSON_VERSION);
	assert_int_equal(num(v, "pid", NULL), 42);
	assert_true(YAJL_IS_NULL(at(v, "config", "path")));
	assert_int_equal(num(v, "counters", "reload_failures"), 1);
	assert_int_equal(num(v, "host_free_kb", NULL), 77);
	assert_int_equal(YAJL_GET_ARRAY(at(v, "domains", NULL))->len, 2);
	d = YAJL_GET_ARRAY(at(v, "domains", NULL))->values[0];
	assert_true(YAJL_IS_FALSE(at(d, "managed", NULL)));
	assert_null(at(d, "need_kb", NULL));
	assert_true(YAJL_IS_NULL(at(d, "last_decision", NULL)));
	assert_true(YAJL_IS_NULL(at(d, "psi_some_avg10", NULL)));
	d = YAJL_GET_ARRAY(at(v, "domains", NULL))->values[1];
	assert_string_equal(YAJL_GET_STRING(at(d, "name", NULL)), EVIL);
	assert_int_equal(num(d, "need_kb", NULL), 550 * MIB);
	assert_int_equal(num(d, "borrow_kb", NULL), 100 * MIB);	/* tot - target */
	assert_int_equal(num(d, "headroom_kb", NULL), 256 * MIB);	/* maxmem - planned */
	assert_int_equal(num(d, "dynamic_min_kb", NULL), 256 * MIB);
	assert_true(YAJL_IS_DOUBLE(at(d, "psi_some_avg10", NULL)));
	assert_string_equal(at(d, "psi_some_avg10", NULL)->u.number.r, "12.345");
	assert_int_equal(num(d, "last_decision", "new_kb"), 600 * MIB);
	assert_string_equal(YAJL_GET_STRING(at(d, "last_decision", "reason")), "borrow");
	yajl_tree_free(v);
	free(text);
	/* a directory that is not there: an error, nothing half-written */
	snprintf(path, sizeof(path), "%s/nosuch/status.json", dir);
	assert_int_equal(xbd_status_write(path, &st), -1);
	assert_int_equal(errno, ENOENT);
	snprintf(path, sizeof(path), "%s/status.json", dir);
	unlink(path);
	rmdir(dir);
}

static void test_metrics_addr(void **state)
{
	static const char *const bad[] = {
		"", ":", "127.0.0.1", "127.0.0.1:", ":9101", "127.0.0.1:0",
		"127.0.0.1:65536", "127.0.0.1:99999999999999999999", "127.0.0.1:9x",
		"127.0.0.1:-1", "::1:9101", "localhost:9101", "1.2.3:80", "1.2.3.4.5:80",
	};
	struct sockaddr_in sa;
	char err[XBD_ERR_LEN];

	(void)state;
	assert_int_equal(xbd_metrics_parse_addr("127.0.0.1:9101", &sa, err), 0);
	assert_int_equal(ntohs(sa.sin_port), 9101);
	assert_int_equal(ntohl(sa.sin_addr.s_addr), 0x7f000001);
	assert_int_equal(xbd_metrics_parse_addr("0.0.0.0:65535", &sa, err), 0);
	assert_int_equal(ntohs(sa.sin_port), 65535);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		if (xbd_metrics_parse_addr(bad[i], &sa, err) != -1)
			fail_msg("accepted '%s'", bad[i]);
		assert_true(err[0] != '\0');
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decision_line),
		cmocka_unit_test(test_status_file),
		cmocka_unit_test(test_metrics_addr),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
