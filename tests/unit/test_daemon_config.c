// SPDX-License-Identifier: GPL-2.0
/* Unit tests: xballoond.conf (libinih) and the policy keys (daemon/config.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "libxballoon.h"
#include "config.h"

#define MIB 1024ull

static int parse(const char *text, struct xbd_daemon_config *c, char *err)
{
	xbd_daemon_config_default(c);
	err[0] = '\0';
	return xbd_config_parse(text, strlen(text), c, err);
}

static void test_full_config(void **state)
{
	struct xbd_daemon_config c;
	char err[XBD_ERR_MAX];
	const char *text =
		"; comment\n"
		"[host]\nreserve = 512m\n"
		"[margin]\ndefault = 200\nmin = 32m\nmax = 2g\navail-low-percent = 15\n"
		"[borrow]\nheadroom = 128m\n"
		"[rate]\nhysteresis = 8m\nmin-interval = 3\nresample = 10\nstuck = 500ms\n"
		"[domains]\nmanage-dom0 = yes\ndefault-min = 256m\n"
		"default-max = 1g\ndefault-weight = 4\n";

	(void)state;
	assert_int_equal(parse(text, &c, err), 0);
	assert_int_equal(c.policy.reserve_kb, 512 * MIB);
	assert_int_equal(c.policy.margin_kb, 200 * MIB);	/* bare = MiB */
	assert_int_equal(c.policy.margin_min_kb, 32 * MIB);
	assert_int_equal(c.policy.margin_max_kb, 2048 * MIB);
	assert_int_equal(c.policy.avail_low_pct, 15);
	assert_int_equal(c.policy.headroom_kb, 128 * MIB);
	assert_int_equal(c.policy.hysteresis_kb, 8 * MIB);
	assert_int_equal(c.policy.min_interval_ms, 3000);
	assert_int_equal(c.resample_ms, 10000);
	assert_int_equal(c.policy.stuck_ms, 500);
	assert_true(c.policy.manage_dom0);
	assert_int_equal(c.policy.default_min_kb, 256 * MIB);
	assert_int_equal(c.policy.default_max_kb, 1024 * MIB);
	assert_int_equal(c.policy.default_weight, 4);
	/* empty: the defaults, which leave domains without keys alone */
	assert_int_equal(parse("", &c, err), 0);
	assert_int_equal(c.policy.default_max_kb, 0);
	assert_false(c.policy.manage_dom0);
}

static void test_bad_values(void **state)
{
	static const char *const bad[] = {
		"[host]\nreserve = lots\n",
		"[host]\nreserve = 50%\n",
		"[host]\nreserve = -1g\n",
		"[host]\nreserve = 1.5g\n",
		"[host]\nresrve = 1g\n",		/* unknown key */
		"[hosts]\nreserve = 1g\n",		/* unknown section */
		"[margin]\navail-low-percent = 101\n",
		"[margin]\nmin = 2g\nmax = 1g\n",
		"[rate]\nmin-interval = 1.5\n",
		"[rate]\nresample = 0\n",
		"[rate]\nstuck = 0\n",
		"[domains]\nmanage-dom0 = maybe\n",
		"[domains]\ndefault-weight = 0\n",
		"[domains]\ndefault-min = 2g\ndefault-max = 1g\n",
		"[host\nreserve = 1g\n",			/* syntax */
		"just words\n",
	};
	struct xbd_daemon_config c;
	char err[XBD_ERR_MAX];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(parse(bad[i], &c, err), -1);
		assert_true(strlen(err) > 5);
	}
	/* the message names the line and the key */
	assert_int_equal(parse("[host]\n\nreserve = lots\n", &c, err), -1);
	assert_non_null(strstr(err, "line 3"));
	assert_non_null(strstr(err, "reserve"));
	assert_int_equal(xbd_config_parse("[host]\0", 7, &c, err), -1);
}

static void test_load_file(void **state)
{
	struct xbd_daemon_config c;
	char err[XBD_ERR_MAX], path[] = "/tmp/xbd-conf-XXXXXX";
	FILE *f;
	int fd;

	(void)state;
	xbd_daemon_config_default(&c);
	assert_int_equal(xbd_config_load("/nonexistent/xballoond.conf", &c, err), -1);
	assert_non_null(strstr(err, "/nonexistent/xballoond.conf"));
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	fputs("[host]\nreserve = 1g\n", f);
	fclose(f);
	assert_int_equal(xbd_config_load(path, &c, err), 0);
	assert_int_equal(c.policy.reserve_kb, 1024 * MIB);
	unlink(path);
}

static size_t slen(const char *s)
{
	return s ? strlen(s) : 0;
}

#define KEYS(a, b, w, d) xbd_policy_keys(a, slen(a), b, slen(b), w, slen(w), d)
static void test_policy_keys(void **state)
{
	struct xbd_dom d;

	(void)state;
	memset(&d, 0, sizeof(d));
	assert_null(KEYS("524288", "2097152", "2", &d));
	assert_true(d.has_policy);
	assert_int_equal(d.dyn_min_kb, 524288);
	assert_int_equal(d.dyn_max_kb, 2097152);
	assert_int_equal(d.weight, 2);
	assert_null(KEYS("1", "2", NULL, &d));
	assert_int_equal(d.weight, 1);
	assert_null(KEYS(NULL, NULL, NULL, &d));
	assert_false(d.has_policy);
	assert_non_null(KEYS("1", NULL, NULL, &d));
	assert_false(d.has_policy);
	assert_non_null(KEYS("2", "1", NULL, &d));
	assert_non_null(KEYS("1m", "2", NULL, &d));
	assert_non_null(KEYS("1", "2", "0", &d));
	assert_non_null(KEYS("1", "2", "1001", &d));
	assert_non_null(KEYS("1", "99999999999999999999999", NULL, &d));
	assert_false(d.has_policy);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_config),
		cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_load_file),
		cmocka_unit_test(test_policy_keys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
