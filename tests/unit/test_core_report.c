// SPDX-License-Identifier: GPL-2.0
/* Unit tests: the version-1 report formatter against the documented contract. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "xb_core.h"
#include "core_report_parse.h"

static void make_core(struct xb_core *c)
{
	struct xb_config cfg = {
		.initial_pages = 262144,
		.static_max_kb = 1048576,
		.auto_translated = true,
	};

	xb_core_init(c, &cfg);
	xb_core_set_target_kb(c, 262144);
	xb_core_inflated(c, 4096, 4096, false, 0);
}

/* token NAME of report r is there, a number, and WANT */
static void assert_tok(const struct rp_report *r, const char *name, u64 want)
{
	u64 v;

	assert_int_equal(rp_num(r, name, &v), 0);
	assert_true(v == want);
}

static void test_fields(void **state)
{
	struct xb_meminfo mi = { 1048576, 500000, 400000, 1234, 5, 6, 7, 8, { 0 }, 0 };
	struct rp_report r;
	struct xb_core c;
	char buf[XB_REPORT_MAX + 1];
	u64 v;
	int len;

	(void)state;
	make_core(&c);
	len = xb_report_format(&c, &mi, 42, buf, sizeof(buf));
	assert_true(len > 0);
	assert_int_equal((size_t)len, strlen(buf));
	assert_int_equal(rp_parse(buf, (size_t)len, &r), 0);
	assert_int_equal(rp_num(&r, "v", &v), 0);
	assert_true(v == 1);
	assert_int_equal(rp_num(&r, "seq", &v), 0);
	assert_true(v == 42);
	assert_string_equal(rp_str(&r, "state"), "inflating");
	assert_int_equal(rp_num(&r, "target_kb", &v), 0);
	assert_true(v == 262144);
	assert_int_equal(rp_num(&r, "balloon_kb", &v), 0);
	assert_true(v == 16384);
	assert_int_equal(rp_num(&r, "current_kb", &v), 0);
	assert_true(v == 1048576 - 16384);
	assert_int_equal(rp_num(&r, "floor_kb", &v), 0);
	assert_true(v == 98304);
	assert_int_equal(rp_num(&r, "hard_limit_kb", &v), 0);
	assert_true(v == 0);
	assert_string_equal(rp_str(&r, "last_error"), "none");
	assert_int_equal(rp_num(&r, "mem_total_kb", &v), 0);
	assert_true(v == 1048576);
	assert_int_equal(rp_num(&r, "cached_kb", &v), 0);
	assert_true(v == 1234);
	assert_int_equal(rp_num(&r, "oom_kills", &v), 0);
	assert_true(v == 8);
	/* every other token, each with its own value */
	c.cnt.oom_deflates = 11;
	c.cnt.refusals = 12;
	c.cnt.bad_targets = 13;
	c.req_target_pages = 1000;
	c.hard_limit_pages = 2000;
	len = xb_report_format(&c, &mi, 42, buf, sizeof(buf));
	assert_int_equal(rp_parse(buf, (size_t)len, &r), 0);
	assert_tok(&r, "oom_deflates", 11);
	assert_tok(&r, "refusals", 12);
	assert_tok(&r, "bad_targets", 13);
	assert_tok(&r, "requested_kb", 4000);
	assert_tok(&r, "hard_limit_kb", 8000);
	assert_tok(&r, "mem_avail_kb", 500000);
	assert_tok(&r, "mem_free_kb", 400000);
	assert_tok(&r, "swap_in", 5);
	assert_tok(&r, "swap_out", 6);
	assert_tok(&r, "major_faults", 7);
	/* what dom0 needs to know: zeroing, quarantine, whether rmmod works */
	assert_string_equal(rp_str(&r, "scrub"), "off");
	assert_int_equal(rp_num(&r, "quarantine_kb", &v), 0);
	assert_true(v == 0);
	assert_string_equal(rp_str(&r, "rmmod"), "busy");
	c.scrub = XB_SCRUB_INIT_ON_FREE;
	c.quarantine_pages = 3;
	len = xb_report_format(&c, &mi, 43, buf, sizeof(buf));
	assert_int_equal(rp_parse(buf, (size_t)len, &r), 0);
	assert_string_equal(rp_str(&r, "scrub"), "init-on-free");
	assert_int_equal(rp_num(&r, "quarantine_kb", &v), 0);
	assert_true(v == 12);
	c.balloon_pages = 0;
	len = xb_report_format(&c, &mi, 44, buf, sizeof(buf));
	assert_int_equal(rp_parse(buf, (size_t)len, &r), 0);
	assert_string_equal(rp_str(&r, "rmmod"), "busy");	/* quarantine */
	c.quarantine_pages = 0;
	len = xb_report_format(&c, &mi, 45, buf, sizeof(buf));
	assert_int_equal(rp_parse(buf, (size_t)len, &r), 0);
	assert_string_equal(rp_str(&r, "rmmod"), "ok");
	/* no meminfo: the health tokens are left out (unknown) */
	len = xb_report_format(&c, NULL, 1, buf, sizeof(buf));
	assert_int_equal(rp_parse(buf, (size_t)len, &r), 0);
	assert_int_equal(rp_num(&r, "mem_total_kb", &v), -1);
}

static void test_worst_case_fits(void **state)
{
	struct xb_meminfo mi;
	struct rp_report r;
	struct xb_core c;
	char buf[XB_REPORT_MAX + 1];
	int len;
	u64 v;

	(void)state;
	memset(&c, 0xff, sizeof(c));
	memset(&mi, 0xff, sizeof(mi));
	c.state = XB_STATE_OOM_DEFLATED;
	c.last_error = XB_ERR_BELOW_FLOOR;
	c.scrub = XB_SCRUB_INIT_ON_ALLOC;
	c.mode = XB_MODE_COMPANION;
	mi.psi.valid = true;
	c.total_pages = ~0ull;
	c.balloon_pages = 0;
	len = xb_report_format(&c, &mi, ~0ull, buf, sizeof(buf));
	assert_true(len > 0 && len <= XB_REPORT_MAX);
	assert_int_equal(rp_parse(buf, (size_t)len, &r), 0);
	assert_string_equal(rp_str(&r, "state"), "oom-deflated");
	assert_string_equal(rp_str(&r, "mode"), "companion");
	assert_int_equal(rp_num(&r, "psi_full_total_us", &v), 0);
	assert_true(v == ~0ull);
}

static void test_small_buffer(void **state)
{
	struct xb_core c;
	char buf[64];

	(void)state;
	make_core(&c);
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(xb_report_format(&c, NULL, 1, buf, sizeof(buf)), -1);
	assert_int_equal(xb_report_format(&c, NULL, 1, buf, 0), -1);
	assert_int_equal(xb_report_format(&c, NULL, 1, NULL, 10), -1);
}

/*
 * A buffer of exactly the report's length plus its NUL is enough, one byte
 * less is not; the formatter never writes past either (heap buffers of that
 * very size, so AddressSanitizer sees any byte beyond).
 */
static void test_exact_fit(void **state)
{
	struct xb_core c;
	char buf[XB_REPORT_MAX + 1], *exact;
	int len;

	(void)state;
	make_core(&c);
	len = xb_report_format(&c, NULL, 7, buf, sizeof(buf));
	assert_true(len > 0);
	exact = malloc((size_t)len + 1);
	assert_non_null(exact);
	assert_int_equal(xb_report_format(&c, NULL, 7, exact, (size_t)len + 1), len);
	assert_string_equal(exact, buf);
	free(exact);
	exact = malloc((size_t)len);
	assert_non_null(exact);
	assert_int_equal(xb_report_format(&c, NULL, 7, exact, (size_t)len), -1);
	free(exact);
}

static void test_every_state_and_error(void **state)
{
	struct rp_report r;
	struct xb_core c;
	char buf[XB_REPORT_MAX + 1];
	int s, e, len;

	(void)state;
	make_core(&c);
	for (s = 0; s < XB_STATE_COUNT; s++)
		for (e = 0; e < XB_ERR_COUNT; e++) {
			c.state = (enum xb_state)s;
			c.last_error = (enum xb_err)e;
			len = xb_report_format(&c, NULL, 1, buf, sizeof(buf));
			assert_int_equal(rp_parse(buf, (size_t)len, &r), 0);
			assert_string_equal(rp_str(&r, "state"),
					    xb_state_name(c.state));
			assert_string_equal(rp_str(&r, "last_error"),
					    xb_err_name(c.last_error));
		}
}

static void test_reader_rejects(void **state)
{
	static const char *const bad[] = {
		"", "seq=1", "v=2", "v=1  seq=1", "v=1 seq=x", "v=1 seq=",
		"v=1 =5", "v=1 state=Idle", "v=1 ", " v=1", "v=1 target_kb=-1",
	};
	struct rp_report r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(rp_parse(bad[i], strlen(bad[i]), &r), -1);
	assert_int_equal(rp_parse("v=1 future_word=abc-1", 21, &r), 0);
}

static const char psi_text[] =
	"some avg10=12.34 avg60=5.00 avg300=1.10 total=123456789\n"
	"full avg10=0.50 avg60=0.20 avg300=0.00 total=4242\n";

static void test_psi_parse(void **state)
{
	static const char *const bad[] = {
		"",
		"some avg10=1.00 avg60=0.00 avg300=0.00 total=1\n",	/* no full */
		"full avg10=1.00 avg60=0.00 avg300=0.00 total=1\n",	/* no some */
		"some avg10=1.00 total=1\nfull avg10=100.01 total=2\n",	/* > 100 % */
		"some avg10=1.0001 total=1\nfull avg10=1 total=2\n",	/* decimals */
		"some avg10=1. total=1\nfull avg10=1 total=2\n",
		"some avg10=.5 total=1\nfull avg10=1 total=2\n",
		"some avg10=1 avg10=2 total=1\nfull avg10=1 total=2\n",
		"some avg10=1 total=1 \nfull avg10=1 total=2\n",	/* trailing space */
		"some avg10=1 total=-1\nfull avg10=1 total=2\n",
		"some avg10=1 total=99999999999999999999999\nfull avg10=1 total=2\n",
		"some avg10=1\nfull avg10=1 total=2\n",			/* no total */
		"some avg10=1 total=1\nfull avg10=1 total=2\n\n",	/* empty line */
		"some avg10=1 total=1\nsome avg10=1 total=2\n",		/* twice */
		"cpu avg10=1 total=1\nfull avg10=1 total=2\n",
		"some avg10=1 total=1\nfull avg10=1 total=2\njunk\n",
		"some  avg10=1 total=1\nfull avg10=1 total=2\n",
		"some avg10 total=1\nfull avg10=1 total=2\n",
		"xome avg10=1 total=1\nfull avg10=1 total=2\n",	/* 1st letter */
		"some xvg10=1 total=1\nfull avg10=1 total=2\n",
		"some avg10=1 total=1\nfull avg10=1 xotal=2\n",
		"some avg10=0050.00 total=1\nfull avg10=1 total=2\n",	/* 4 digits */
		"some avg10=100.001 total=1\nfull avg10=1 total=2\n",
		"some avg10=1,5 total=1\nfull avg10=1 total=2\n",
		"some avg10=1 total=1 junk\nfull avg10=1 total=2\n",	/* no = */
	};
	struct xb_psi p;
	size_t i;

	(void)state;
	assert_int_equal(xb_psi_parse(psi_text, strlen(psi_text), &p), 0);
	assert_true(p.valid);
	assert_int_equal(p.some_avg10_milli, 12340);
	assert_int_equal(p.full_avg10_milli, 500);
	assert_true(p.some_total_us == 123456789);
	assert_true(p.full_total_us == 4242);
	/* without the last newline, and with 100 % */
	assert_int_equal(xb_psi_parse("some avg10=100.00 total=0\nfull avg10=0 total=0",
				      46, &p), 0);
	assert_int_equal(p.some_avg10_milli, 100000);
	/* three decimals, and names in any order */
	assert_int_equal(xb_psi_parse("some total=0 avg10=1.005\nfull avg10=99.9 total=0",
				      48, &p), 0);
	assert_int_equal(p.some_avg10_milli, 1005);
	assert_int_equal(p.full_avg10_milli, 99900);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		p.valid = true;
		assert_int_equal(xb_psi_parse(bad[i], strlen(bad[i]), &p),
				 -XB_EINVAL);
		assert_false(p.valid);
	}
	assert_int_equal(xb_psi_parse(NULL, 3, &p), -XB_EINVAL);
}

/*
 * A total is 1 to 20 decimal digits that fit in a u64: 2^64 - 1 is read,
 * 2^64 is not, nor an empty number or 21 digits (even with leading zeros).
 */
static void test_psi_total_bounds(void **state)
{
	static const char *const bad[] = {
		"some avg10=1 total=\nfull avg10=1 total=2\n",
		"some avg10=1 total=18446744073709551616\nfull avg10=1 total=2\n",
		"some avg10=1 total=99999999999999999999\nfull avg10=1 total=2\n",
		"some avg10=1 total=000000000000000000001\nfull avg10=1 total=2\n",
	};
	static const char max[] =
		"some avg10=1 total=18446744073709551615\n"
		"full avg10=1 total=00000000000000000007\n";
	struct xb_psi p;
	size_t i;

	(void)state;
	assert_int_equal(xb_psi_parse(max, strlen(max), &p), 0);
	assert_true(p.some_total_us == XB_U64_MAX);
	assert_true(p.full_total_us == 7);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		p.valid = true;
		assert_int_equal(xb_psi_parse(bad[i], strlen(bad[i]), &p),
				 -XB_EINVAL);
		assert_false(p.valid);
	}
}

/*
 * Text that is not NUL-terminated (the buffer ends where it does) is read
 * up to its last character and no further: a value at the very end, the
 * lines in either order, a last line too short for its prefix.
 */
static void test_psi_unterminated(void **state)
{
	static const struct {
		const char *text;
		int rc;
		u32 full_avg10_milli;
	} t[] = {
		{ "some avg10=1 total=1\nfull total=2 avg10=7", 0, 7000 },
		{ "some avg10=1 total=1\nfull total=2 avg10=7.5", 0, 7500 },
		{ "full total=2 avg10=7\nsome avg10=1 total=1", 0, 7000 },
		{ "some avg10=1 total=1\nfull avg10=1 total=2\nso", -XB_EINVAL, 0 },
		{ "full avg10=1 total=2\nsome avg10=1 total=1\nfu", -XB_EINVAL, 0 },
	};
	struct xb_psi p;
	size_t i, len;
	char *buf;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		len = strlen(t[i].text);
		buf = malloc(len);
		assert_non_null(buf);
		memcpy(buf, t[i].text, len);
		assert_int_equal(xb_psi_parse(buf, len, &p), t[i].rc);
		if (!t[i].rc) {
			assert_int_equal(p.some_avg10_milli, 1000);
			assert_int_equal(p.full_avg10_milli,
					 t[i].full_avg10_milli);
		}
		free(buf);
	}
}

static void test_psi_changed(void **state)
{
	struct xb_psi a = { .valid = true }, b = { .valid = true };

	(void)state;
	assert_false(xb_psi_changed(&a, &b));
	assert_false(xb_psi_active(&a));
	a.some_avg10_milli = 10;		/* 0 -> 0.01 %: stalls began */
	assert_true(xb_psi_changed(&a, &b));
	assert_true(xb_psi_active(&a));
	b.some_avg10_milli = 5000;
	a.some_avg10_milli = 5999;		/* less than a point */
	assert_false(xb_psi_changed(&a, &b));
	a.some_avg10_milli = 6000;
	assert_true(xb_psi_changed(&a, &b));
	a.some_avg10_milli = 4000;
	assert_true(xb_psi_changed(&a, &b));
	a.some_avg10_milli = 5000;
	a.some_total_us = 1000000;		/* totals ride along */
	assert_false(xb_psi_changed(&a, &b));
	a.full_avg10_milli = 1;
	assert_true(xb_psi_changed(&a, &b));
	a.full_avg10_milli = 0;
	b.some_avg10_milli = 0;
	a.some_avg10_milli = 0;
	a.valid = false;			/* PSI went away */
	assert_true(xb_psi_changed(&a, &b));
	assert_false(xb_psi_active(&a));
	b.valid = false;
	assert_false(xb_psi_changed(&a, &b));
	a.some_avg10_milli = 9000;		/* not valid: not active */
	assert_false(xb_psi_active(&a));
}

static void test_psi_report(void **state)
{
	struct xb_meminfo mi = { 1048576, 500000, 400000, 1234, 5, 6, 7, 8, { 0 }, 0 };
	struct xb_report_clock rc = { .last_ms = 1000, .written = true };
	struct xb_psi last = { .valid = true };
	char buf[XB_REPORT_MAX + 1];
	struct rp_report r;
	struct xb_core c;
	int len;
	u64 v;

	(void)state;
	make_core(&c);
	len = xb_report_format(&c, &mi, 1, buf, sizeof(buf));
	assert_int_equal(rp_parse(buf, (size_t)len, &r), 0);
	assert_int_equal(rp_num(&r, "psi_some_avg10_milli", &v), -1);
	assert_string_equal(rp_str(&r, "mode"), "driver");
	assert_string_equal(rp_str(&r, "rmmod"), "busy");
	c.mode = XB_MODE_COMPANION;	/* Linux's balloon holds the pages */
	len = xb_report_format(&c, &mi, 1, buf, sizeof(buf));
	assert_int_equal(rp_parse(buf, (size_t)len, &r), 0);
	assert_string_equal(rp_str(&r, "rmmod"), "ok");
	assert_string_equal(rp_str(&r, "mode"), "companion");
	c.mode = XB_MODE_DRIVER;
	assert_int_equal(xb_psi_parse(psi_text, strlen(psi_text), &mi.psi), 0);
	len = xb_report_format(&c, &mi, 2, buf, sizeof(buf));
	assert_int_equal(rp_parse(buf, (size_t)len, &r), 0);
	assert_int_equal(rp_num(&r, "psi_some_avg10_milli", &v), 0);
	assert_true(v == 12340);
	assert_int_equal(rp_num(&r, "psi_some_total_us", &v), 0);
	assert_true(v == 123456789);
	assert_int_equal(rp_num(&r, "psi_full_avg10_milli", &v), 0);
	assert_true(v == 500);
	assert_int_equal(rp_num(&r, "psi_full_total_us", &v), 0);
	assert_true(v == 4242);

	/* idle core: only PSI can make a report due */
	c.state = XB_STATE_IDLE;
	assert_int_equal(xb_report_delay_psi(&rc, &c, &c, NULL, &last, 1050,
					     1000, 200), -1);
	assert_int_equal(xb_report_delay_psi(&rc, &c, &c, &last, &last, 1050,
					     1000, 200), -1);
	assert_int_equal(xb_report_delay_psi(&rc, &c, &c, &mi.psi, &last, 1050,
					     1000, 200), 150);
	assert_int_equal(xb_report_delay_psi(&rc, &c, &c, &mi.psi, &last, 5000,
					     1000, 200), 0);
	/* a core change due earlier wins; PSI never delays it */
	c.state = XB_STATE_INFLATING;
	assert_int_equal(xb_report_delay_psi(&rc, &c, &c, &mi.psi, &last, 1050,
					     1000, 200), 150);
}

/*
 * A converging core's report is due 1 ms from now (its period), while a
 * PSI change is due already (its shorter minimum interval has passed):
 * the report goes now.
 */
static void test_psi_due_before_period(void **state)
{
	struct xb_report_clock rc = { .last_ms = 1000, .written = true };
	struct xb_psi psi = { .valid = true, .some_avg10_milli = 5000 };
	struct xb_psi last = { .valid = true };
	struct xb_core c;

	(void)state;
	make_core(&c);
	c.state = XB_STATE_INFLATING;
	assert_int_equal(xb_report_delay(&rc, &c, &c, 1999, 1000, 200), 1);
	assert_int_equal(xb_report_delay_psi(&rc, &c, &c, &last, &last, 1999,
					     1000, 200), 1);
	assert_int_equal(xb_report_delay_psi(&rc, &c, &c, &psi, &last, 1999,
					     1000, 200), 0);
	assert_int_equal(xb_report_delay_psi(&rc, &c, &c, &psi, &last, 1199,
					     1000, 200), 1);
}

/* issue 9 section 3: Xen's count next to the driver's */
static void test_xen_count(void **state)
{
	struct xb_meminfo mi = { 1048576, 500000, 400000, 1234, 5, 6, 7, 8, { 0 }, 0 };
	char buf[XB_REPORT_MAX + 1];
	struct xb_config cfg = {
		.initial_pages = 200000,
		.static_max_kb = 1048576,
		.auto_translated = true,	/* target_diff 62144 pages */
	};
	struct rp_report r;
	struct xb_core c;
	int len;
	u64 v;

	(void)state;
	xb_core_init(&c, &cfg);
	assert_true(c.target_diff_pages == 62144);
	c.balloon_pages = 50000;
	/* the driver's count in Xen's frame: 200000 - 50000 */
	assert_true(xb_core_others_pages(&c, 150000) == 0);
	assert_true(xb_core_others_pages(&c, 149000) == 1000);
	assert_true(xb_core_others_pages(&c, 151000) == 0);
	assert_true(xb_core_others_pages(&c, 0) == 0);	/* unknown */
	len = xb_report_format(&c, &mi, 1, buf, sizeof(buf));
	assert_int_equal(rp_parse(buf, (size_t)len, &r), 0);
	assert_int_equal(rp_num(&r, "xen_current_kb", &v), -1);
	mi.xen_pages = 149000;
	len = xb_report_format(&c, &mi, 2, buf, sizeof(buf));
	assert_int_equal(rp_parse(buf, (size_t)len, &r), 0);
	assert_int_equal(rp_num(&r, "xen_current_kb", &v), 0);
	assert_true(v == 149000 * 4);
	assert_int_equal(rp_num(&r, "others_kb", &v), 0);
	assert_true(v == 4000);
	c.balloon_pages = 300000;	/* nonsense: no underflow */
	assert_true(xb_core_others_pages(&c, 1) == 0);
}

/*
 * PV (no target_diff): others is Xen's count below the guest's size less
 * the balloon.
 */
static void test_xen_count_pv(void **state)
{
	struct xb_config cfg = { .initial_pages = 262144 };
	struct xb_core c;

	(void)state;
	xb_core_init(&c, &cfg);
	assert_true(c.target_diff_pages == 0);
	c.balloon_pages = 50000;
	assert_true(xb_core_others_pages(&c, 212144) == 0);
	assert_true(xb_core_others_pages(&c, 212145) == 0);
	assert_true(xb_core_others_pages(&c, 200000) == 12144);
	assert_true(xb_core_others_pages(&c, 1) == 212143);
	/* all of it ballooned: the driver counts nothing Xen could lack */
	c.balloon_pages = 262144;
	assert_true(xb_core_others_pages(&c, 1) == 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_worst_case_fits),
		cmocka_unit_test(test_small_buffer),
		cmocka_unit_test(test_exact_fit),
		cmocka_unit_test(test_every_state_and_error),
		cmocka_unit_test(test_reader_rejects),
		cmocka_unit_test(test_psi_parse),
		cmocka_unit_test(test_psi_total_bounds),
		cmocka_unit_test(test_psi_unterminated),
		cmocka_unit_test(test_psi_changed),
		cmocka_unit_test(test_psi_report),
		cmocka_unit_test(test_psi_due_before_period),
		cmocka_unit_test(test_xen_count),
		cmocka_unit_test(test_xen_count_pv),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
