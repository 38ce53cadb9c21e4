// SPDX-License-Identifier: GPL-2.0
/* Parsers: sizes, xenstore values, driver reports (untrusted input). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "libxballoon.h"
#include "xb_lib_int.h"

static int size_of(const char *s, struct xb_size *sz)
{
	const char *why = NULL;
	int rc = xballoon_size_parse(s, strlen(s), sz, &why);

	if (rc)
		assert_non_null(why);
	return rc;
}

static uint64_t abs_kb(const char *s)
{
	struct xb_size sz;

	assert_int_equal(size_of(s, &sz), 0);
	assert_int_equal(sz.kind, XB_SIZE_ABS);
	return sz.kb;
}

static void test_size_xl_units(void **state)
{
	(void)state;
	/* a bare number is MiB: xl's code (parse_mem_size_kb), not its man page */
	assert_int_equal(abs_kb("1024"), 1024 * 1024);
	assert_int_equal(abs_kb("16384"), 16384 * 1024);
	assert_int_equal(abs_kb("1024k"), 1024);
	assert_int_equal(abs_kb("1024K"), 1024);
	assert_int_equal(abs_kb("512m"), 512 * 1024);
	assert_int_equal(abs_kb("512M"), 512 * 1024);
	assert_int_equal(abs_kb("2g"), 2 * 1024 * 1024);
	assert_int_equal(abs_kb("1t"), 1ULL << 30);
	assert_int_equal(abs_kb("1048576b"), 1024);
	assert_int_equal(abs_kb("1023b"), 0);		/* xl truncates bytes */
	assert_int_equal(abs_kb("0"), 0);
}

/* Relative sizes use the same unit; fractions say what is wrong. */
static void test_size_units_relative_fraction(void **state)
{
	struct xb_size sz;
	const char *why = NULL;

	(void)state;
	assert_int_equal(size_of("-1", &sz), 0);
	assert_int_equal(sz.kind, XB_SIZE_REL);
	assert_true(sz.negative);
	assert_int_equal(sz.kb, 1024);			/* 1 MiB less */
	assert_int_equal(size_of("+512", &sz), 0);
	assert_int_equal(sz.kb, 512 * 1024);
	assert_int_equal(xballoon_size_parse("1.5g", 4, &sz, &why), -1);
	assert_non_null(strstr(why, "fractions are not accepted"));
	assert_int_equal(xballoon_size_parse("+0.5", 4, &sz, &why), -1);
	assert_non_null(strstr(why, "fractions are not accepted"));
	assert_int_equal(xballoon_size_parse("7q", 2, &sz, &why), -1);
	assert_non_null(strstr(why, "unknown size suffix"));
}

static void test_size_rejects(void **state)
{
	static const char *const bad[] = {
		"", "abc", "m", "1x", "5gb", "1.5g", " 1g", "1g ", "+", "-", "--1g",
		"1e9", "0x10", "99999999999999999999", "1048577t", "%", "+%",
		"50.%", "50.1234%", "1001%", "-5.0001%", "12345%", "1g\n", "++1g",
	};
	struct xb_size sz;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(size_of(bad[i], &sz), -1);
	/* NUL inside the given length is not a digit */
	assert_int_equal(xballoon_size_parse("1\0g", 3, &sz, &(const char *){ 0 }), -1);
}

static uint64_t resolve(const char *s, uint64_t cur, uint64_t max, int *rc)
{
	const char *why = NULL;
	struct xb_size sz;
	uint64_t kb = 0;

	assert_int_equal(size_of(s, &sz), 0);
	*rc = xballoon_size_resolve(&sz, cur, max, &kb, &why);
	if (*rc)
		assert_non_null(why);
	return kb;
}

static void test_size_relative_percent(void **state)
{
	int rc;

	(void)state;
	assert_int_equal(resolve("+512m", 1048576, 2097152, &rc), 1572864);
	assert_int_equal(rc, 0);
	assert_int_equal(resolve("-512m", 1048576, 2097152, &rc), 524288);
	assert_int_equal(resolve("-10%", 1048576, 2097152, &rc), 943719);
	assert_int_equal(resolve("+10%", 1000000, 2097152, &rc), 1100000);
	assert_int_equal(resolve("50%", 1, 2097152, &rc), 1048576);
	assert_int_equal(resolve("100%", 1, 2097152, &rc), 2097152);
	assert_int_equal(resolve("12.5%", 1, 1000000, &rc), 125000);
	assert_int_equal(resolve("0%", 1, 1000000, &rc), 0);
	assert_int_equal(rc, 0);
	/* below zero is an error, not a clamp */
	resolve("-5g", 1048576, 2097152, &rc);
	assert_int_equal(rc, -1);
	resolve("-101%", 1048576, 2097152, &rc);
	assert_int_equal(rc, -1);
	/* huge current values do not overflow */
	resolve("+1t", UINT64_MAX, UINT64_MAX, &rc);
	assert_int_equal(rc, -1);
	resolve("1000%", 1, UINT64_MAX, &rc);
	assert_int_equal(rc, -1);
}

static void test_size_fmt(void **state)
{
	char buf[16];

	(void)state;
	assert_string_equal(xballoon_size_fmt(512, buf, sizeof(buf)), "512K");
	assert_string_equal(xballoon_size_fmt(1024, buf, sizeof(buf)), "1M");
	assert_string_equal(xballoon_size_fmt(1536 * 1024, buf, sizeof(buf)), "1.5G");
	assert_string_equal(xballoon_size_fmt(UINT64_MAX, buf, sizeof(buf)), "16777215P");
}

static void test_xs_values(void **state)
{
	uint64_t v = 7;

	(void)state;
	assert_int_equal(xballoon_xs_u64("123", 3, &v), 0);
	assert_int_equal(v, 123);
	assert_int_equal(xballoon_xs_u64("18446744073709551615", 20, &v), 0);
	assert_true(v == UINT64_MAX);
	v = 7;
	assert_int_equal(xballoon_xs_u64("18446744073709551616", 20, &v), -1);
	assert_int_equal(xballoon_xs_u64("99999999999999999999", 20, &v), -1);
	assert_int_equal(xballoon_xs_u64("000000000000000000001", 21, &v), -1);
	assert_int_equal(xballoon_xs_u64("", 0, &v), -1);
	assert_int_equal(xballoon_xs_u64("-1", 2, &v), -1);
	assert_int_equal(xballoon_xs_u64("12 ", 3, &v), -1);
	assert_int_equal(xballoon_xs_u64("1\0", 2, &v), -1);
	assert_int_equal(xballoon_xs_u64(NULL, 3, &v), -1);
	assert_int_equal(v, 7);		/* untouched on failure */
}

static void test_xs_name(void **state)
{
	char buf[8];

	(void)state;
	xballoon_xs_name("guest\n\x1b[31m", 12, buf, sizeof(buf));
	assert_string_equal(buf, "guest??");
	xballoon_xs_name(NULL, 5, buf, sizeof(buf));
	assert_string_equal(buf, "");
	xballoon_xs_name("a\0b", 3, buf, sizeof(buf));
	assert_string_equal(buf, "a?b");
}

static void parse(const char *s, struct xb_report *r)
{
	xb_report_parse_into(s, s ? strlen(s) : 0, r);
}

static void test_report_valid(void **state)
{
	struct xb_report r;

	(void)state;
	parse("v=1 seq=42 state=inflating target_kb=524288 balloon_kb=524288 "
	      "current_kb=524288 floor_kb=65536 hard_limit_kb=0 oom_deflates=3 "
	      "refusals=1 last_error=hv-short mem_total_kb=500000 "
	      "mem_avail_kb=400000 future_field=whatever future_n=12\n", &r);
	assert_int_equal(r.status, XB_REPORT_VALID);
	assert_int_equal(r.state, XB_RSTATE_INFLATING);
	assert_int_equal(r.last_error, XB_RERR_HV_SHORT);
	assert_true(xb_report_has(&r, XB_RF_SEQ));
	assert_int_equal(r.num[XB_RF_SEQ], 42);
	assert_int_equal(r.num[XB_RF_BALLOON], 524288);
	assert_int_equal(r.num[XB_RF_OOM_DEFLATES], 3);
	assert_int_equal(r.num[XB_RF_MEM_AVAIL], 400000);
	assert_false(xb_report_has(&r, XB_RF_CACHED));	/* missing = unknown */

	parse("v=1", &r);
	assert_int_equal(r.status, XB_REPORT_VALID);
	assert_int_equal(r.state, XB_RSTATE_UNKNOWN);
	assert_int_equal(r.present, 0);

	parse("v=1 state=dancing last_error=weird", &r);	/* unknown words */
	assert_int_equal(r.status, XB_REPORT_VALID);
	assert_int_equal(r.state, XB_RSTATE_UNKNOWN);
	assert_int_equal(r.last_error, XB_RERR_UNKNOWN);

	parse("balloon_kb=18446744073709551615 v=1", &r);	/* order free, max u64 */
	assert_int_equal(r.status, XB_REPORT_VALID);
	assert_true(r.num[XB_RF_BALLOON] == UINT64_MAX);

	parse(NULL, &r);
	assert_int_equal(r.status, XB_REPORT_ABSENT);
}

static void expect_invalid(const char *s, size_t len)
{
	struct xb_report r;

	xb_report_parse_into(s, len, &r);
	assert_int_equal(r.status, XB_REPORT_INVALID);
	assert_non_null(r.why);
	assert_int_equal(r.present, 0);		/* nothing half-parsed leaks out */
	assert_int_equal(r.state, XB_RSTATE_UNKNOWN);
}

/* PSI and mode (issue 10, issue 9 section 4): untrusted like the rest */
static void test_report_psi_mode(void **state)
{
	struct xb_report r;

	(void)state;
	parse("v=1 state=idle mode=companion psi_some_avg10_milli=12340 "
	      "psi_some_total_us=123456789 psi_full_avg10_milli=500 "
	      "psi_full_total_us=4242", &r);
	assert_int_equal(r.status, XB_REPORT_VALID);
	assert_int_equal(r.mode, XB_RMODE_COMPANION);
	assert_true(xb_report_has(&r, XB_RF_PSI_SOME_AVG10));
	assert_int_equal(r.num[XB_RF_PSI_SOME_AVG10], 12340);
	assert_int_equal(r.num[XB_RF_PSI_SOME_TOTAL], 123456789);
	assert_int_equal(r.num[XB_RF_PSI_FULL_AVG10], 500);
	assert_int_equal(r.num[XB_RF_PSI_FULL_TOTAL], 4242);
	assert_string_equal(xballoon_rfield_name(XB_RF_PSI_FULL_TOTAL),
			    "psi_full_total_us");

	parse("v=1 xen_current_kb=786432 others_kb=4096", &r);
	assert_int_equal(r.num[XB_RF_XEN_CURRENT], 786432);
	assert_int_equal(r.num[XB_RF_OTHERS], 4096);

	/* no mode: a driver older than the field, always the driver */
	parse("v=1 state=idle", &r);
	assert_int_equal(r.mode, XB_RMODE_DRIVER);
	assert_false(xb_report_has(&r, XB_RF_PSI_SOME_AVG10));
	parse("v=1 mode=driver", &r);
	assert_int_equal(r.mode, XB_RMODE_DRIVER);
	parse("v=1 mode=sidecar", &r);			/* unknown word */
	assert_int_equal(r.status, XB_REPORT_VALID);
	assert_int_equal(r.mode, XB_RMODE_UNKNOWN);
	parse("v=1 mode=driver mode=companion", &r);
	assert_int_equal(r.status, XB_REPORT_INVALID);
	assert_int_equal(r.mode, XB_RMODE_UNKNOWN);
	/* an average above 100 % is left out, the rest of the report kept */
	parse("v=1 psi_some_avg10_milli=100001 psi_full_avg10_milli=100000 "
	      "psi_some_total_us=7", &r);
	assert_int_equal(r.status, XB_REPORT_VALID);
	assert_false(xb_report_has(&r, XB_RF_PSI_SOME_AVG10));
	assert_true(xb_report_has(&r, XB_RF_PSI_FULL_AVG10));
	assert_int_equal(r.num[XB_RF_PSI_SOME_TOTAL], 7);
	/* decimals are not the format: the whole report is rejected */
	parse("v=1 psi_some_avg10_milli=1.5", &r);
	assert_int_equal(r.status, XB_REPORT_INVALID);
	parse("v=1 psi_some_avg10_milli=1 psi_some_avg10_milli=2", &r);
	assert_int_equal(r.status, XB_REPORT_INVALID);
}

static void test_report_garbage(void **state)
{
	static const char *const bad[] = {
		"", "\n", "garbage", "v=2 seq=1", "seq=1 balloon_kb=5", "v=1  seq=1",
		" v=1", "v=1 ", "v=1 seq=-1", "v=1 seq=1x", "v=1 balloon_kb=lots",
		"v=1 balloon_kb=18446744073709551616", "v=1 seq=1 seq=2",
		"v=1 v=1", "v=1 State=idle", "v=1 state=IDLE", "v=1 a=b=c",
		"v=1 =5", "v=1 seq=", "v=1\tseq=1", "v=1 seq=1\n\n", "v=1 sta\xffte=x",
		"v=1 state=idle state=idle", "v=01x",
	};
	char *big;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_invalid(bad[i], strlen(bad[i]));
	expect_invalid("v=1 seq=1\0 balloon_kb=9", 22);	/* NUL inside */

	/* 4 KiB values (the xenstore maximum) are rejected, not truncated */
	big = malloc(4097);
	assert_non_null(big);
	memcpy(big, "v=1 seq=", 8);
	memset(big + 8, '7', 4088);
	big[4096] = '\0';
	expect_invalid(big, 4096);
	/* exactly 1024 bytes is allowed, 1025 is not */
	memset(big, 0, 4097);
	memcpy(big, "v=1 x=", 6);
	memset(big + 6, 'a', 1018);
	{
		struct xb_report r;

		xb_report_parse_into(big, 1024, &r);
		assert_int_equal(r.status, XB_REPORT_VALID);
	}
	big[1024] = 'a';
	expect_invalid(big, 1025);
	free(big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_size_xl_units),
		cmocka_unit_test(test_size_units_relative_fraction),
		cmocka_unit_test(test_size_rejects),
		cmocka_unit_test(test_size_relative_percent),
		cmocka_unit_test(test_size_fmt),
		cmocka_unit_test(test_xs_values),
		cmocka_unit_test(test_xs_name),
		cmocka_unit_test(test_report_valid),
		cmocka_unit_test(test_report_garbage),
		cmocka_unit_test(test_report_psi_mode),
	};

	return cmocka_run_group_tests_name("ts_parse", tests, NULL, NULL);
}
