// SPDX-License-Identifier: GPL-2.0
/* Unit tests: parsing of memory/target (untrusted xenstore input). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "xb_core.h"

static int parse(const char *s, u64 *kb)
{
	return xb_parse_kb(s, strlen(s), kb);
}

static void test_valid(void **state)
{
	u64 kb = 7;

	(void)state;
	assert_int_equal(parse("0", &kb), 0);
	assert_true(kb == 0);
	assert_int_equal(parse("1048576", &kb), 0);
	assert_true(kb == 1048576);
	assert_int_equal(parse("262144\n", &kb), 0);
	assert_true(kb == 262144);
	assert_int_equal(parse("18446744073709551615", &kb), 0);
	assert_true(kb == 18446744073709551615ull);
}

static void test_invalid(void **state)
{
	static const char *const bad[] = {
		"", "\n", "-1", "+5", " 5", "5 ", "5k", "0x10", "1e6", "abc",
		"12a34", "01", "00", "5\n\n", "\n5", "4294967296.0", "∞",
	};
	size_t i;
	u64 kb = 42;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(parse(bad[i], &kb), -XB_EINVAL);
		assert_true(kb == 42);	/* untouched on error */
	}
	assert_int_equal(xb_parse_kb(NULL, 3, &kb), -XB_EINVAL);
}

static void test_range(void **state)
{
	u64 kb = 42;

	(void)state;
	assert_int_equal(parse("18446744073709551616", &kb), -XB_ERANGE);
	assert_int_equal(parse("99999999999999999999", &kb), -XB_ERANGE);
	assert_int_equal(parse("123456789012345678901", &kb), -XB_ERANGE);
	assert_true(kb == 42);
}

static void test_length_and_nul(void **state)
{
	u64 kb = 0;

	(void)state;
	/* only len bytes are looked at */
	assert_int_equal(xb_parse_kb("12345", 3, &kb), 0);
	assert_true(kb == 123);
	/* a NUL ends the value */
	assert_int_equal(xb_parse_kb("77\0" "99", 5, &kb), 0);
	assert_true(kb == 77);
	assert_int_equal(xb_parse_kb("\0" "99", 3, &kb), -XB_EINVAL);
	assert_int_equal(xb_parse_kb("5", 0, &kb), -XB_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_range),
		cmocka_unit_test(test_length_and_nul),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
