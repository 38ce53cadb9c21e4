// SPDX-License-Identifier: GPL-2.0
/*
 * libxballoon's ABI rule (docs/toolstack.md): no public declaration has a
 * size that follows an enum's count; reports are read through accessors.
 */
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

/* The public header without its comments, NUL-terminated; free() it. */
static char *header_code(void)
{
	FILE *f = fopen(XB_PUBLIC_HEADER, "r");
	char *buf, *out;
	size_t len, i, o = 0;

	assert_non_null(f);
	buf = calloc(1, 1 << 20);
	out = calloc(1, 1 << 20);
	assert_non_null(buf);
	assert_non_null(out);
	len = fread(buf, 1, (1 << 20) - 1, f);
	fclose(f);
	for (i = 0; i < len; i++) {
		if (buf[i] == '/' && buf[i + 1] == '*') {
			char *end = strstr(buf + i + 2, "*/");

			assert_non_null(end);
			i = (size_t)(end - buf) + 1;
			out[o++] = ' ';
		} else if (buf[i] == '/' && buf[i + 1] == '/') {
			while (i < len && buf[i] != '\n')
				i++;
			out[o++] = '\n';
		} else {
			out[o++] = buf[i];
		}
	}
	free(buf);
	return out;
}

/*
 * No array in any public declaration (a table or a struct sized by an enum's
 * count, as num[XB_RF_NR] was, grows with the enum), and no FILE *.
 */
static void test_header_no_arrays(void **state)
{
	char *code = header_code();
	char *line = code, *nl;
	int bad = 0;

	(void)state;
	for (; line && *line; line = nl ? nl + 1 : NULL) {
		nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		if (strchr(line, '[') || strstr(line, "FILE")) {
			print_message("# libxballoon.h: %s\n", line);
			bad++;
		}
	}
	free(code);
	assert_int_equal(bad, 0);
}

/* Every table's words are there, and out of range is NULL. */
static void test_names(void **state)
{
	(void)state;
	assert_string_equal(xballoon_rfield_name(XB_RF_BALLOON), "balloon_kb");
	assert_string_equal(xballoon_rfield_name(XB_RF_OTHERS), "others_kb");
	for (int f = 0; f < XB_RF_NR; f++)
		assert_non_null(xballoon_rfield_name((enum xb_rfield)f));
	for (int v = 0; v < XB_RSTATE_NR; v++)
		assert_non_null(xballoon_rstate_name((enum xb_rstate)v));
	for (int v = 0; v < XB_RERR_NR; v++)
		assert_non_null(xballoon_rerror_name((enum xb_rerror)v));
	for (int v = 0; v < XB_RMODE_NR; v++)
		assert_non_null(xballoon_rmode_name((enum xb_rmode)v));
	for (int v = 0; v < XB_ST_NR; v++)
		assert_non_null(xballoon_dom_state_name((enum xb_dom_state)v));
	for (int v = 0; v < XB_RESV_NR; v++)
		assert_non_null(xballoon_resv_state_name((enum xb_resv_state)v));
	for (int v = 0; v < XB_EV_NR; v++)
		assert_non_null(xballoon_event_name((enum xb_event_type)v));
	for (int v = 0; v <= XB_OUT_RESTORE_FAILED; v++)
		assert_non_null(xballoon_outcome_name((enum xb_outcome)v));
	assert_string_equal(xballoon_domtype_name(XB_TYPE_HVM), "hvm");
	assert_null(xballoon_rfield_name(XB_RF_NR));
	assert_null(xballoon_rfield_name((enum xb_rfield)-1));
	assert_null(xballoon_rstate_name(XB_RSTATE_NR));
	assert_null(xballoon_rerror_name(XB_RERR_NR));
	assert_null(xballoon_rmode_name(XB_RMODE_NR));
	assert_null(xballoon_domtype_name((enum xb_domtype)(XB_TYPE_HVM + 1)));
	assert_null(xballoon_dom_state_name(XB_ST_NR));
	assert_null(xballoon_resv_state_name(XB_RESV_NR));
	assert_null(xballoon_event_name(XB_EV_NR));
	assert_null(xballoon_outcome_name((enum xb_outcome)(XB_OUT_RESTORE_FAILED + 1)));
}

/* A report read through the accessors: present, absent, out of range. */
static void test_report_accessors(void **state)
{
	static const char rep[] = "v=1 seq=5 balloon_kb=7 state=refused "
				  "last_error=hv-short mode=companion";
	struct xb_report *r = xballoon_report_parse(rep, strlen(rep));
	uint64_t v = 42;

	(void)state;
	assert_non_null(r);
	assert_int_equal(xballoon_report_status(r), XB_REPORT_VALID);
	assert_true(xballoon_report_get(r, XB_RF_SEQ, &v));
	assert_int_equal(v, 5);
	assert_true(xballoon_report_get(r, XB_RF_BALLOON, &v));
	assert_int_equal(v, 7);
	v = 42;
	assert_false(xballoon_report_get(r, XB_RF_CACHED, &v));	/* absent */
	assert_false(xballoon_report_get(r, XB_RF_NR, &v));		/* out of range */
	assert_false(xballoon_report_get(r, (enum xb_rfield)-1, &v));
	assert_false(xballoon_report_get(r, (enum xb_rfield)40, &v));
	assert_int_equal(v, 42);					/* untouched */
	assert_int_equal(xballoon_report_state(r), XB_RSTATE_REFUSED);
	assert_int_equal(xballoon_report_last_error(r), XB_RERR_HV_SHORT);
	assert_int_equal(xballoon_report_mode(r), XB_RMODE_COMPANION);
	assert_null(xballoon_report_why(r));
	xballoon_report_free(r);

	r = xballoon_report_parse("v=1 seq=x", 9);	/* rejected: nothing readable */
	assert_non_null(r);
	assert_int_equal(xballoon_report_status(r), XB_REPORT_INVALID);
	assert_non_null(xballoon_report_why(r));
	assert_false(xballoon_report_get(r, XB_RF_SEQ, &v));
	assert_int_equal(xballoon_report_state(r), XB_RSTATE_UNKNOWN);
	xballoon_report_free(r);

	r = xballoon_report_parse(NULL, 0);		/* no key */
	assert_non_null(r);
	assert_int_equal(xballoon_report_status(r), XB_REPORT_ABSENT);
	assert_null(xballoon_report_why(r));
	xballoon_report_free(r);

	/* NULL reads as absent; freeing NULL is fine */
	assert_int_equal(xballoon_report_status(NULL), XB_REPORT_ABSENT);
	assert_false(xballoon_report_get(NULL, XB_RF_SEQ, &v));
	assert_int_equal(xballoon_report_mode(NULL), XB_RMODE_UNKNOWN);
	xballoon_report_free(NULL);
}

/* The UUID as text, and a buffer too short for it. */
static void test_dominfo_uuid(void **state)
{
	struct xb_dominfo info = { .uuid_hi = 0x0011223344556677ULL,
				   .uuid_lo = 0x8899aabbccddeeffULL };
	char buf[XB_UUID_LEN];

	(void)state;
	assert_int_equal(xballoon_dominfo_uuid(&info, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "00112233-4455-6677-8899-aabbccddeeff");
	errno = 0;
	assert_int_equal(xballoon_dominfo_uuid(&info, buf, sizeof(buf) - 1), -1);
	assert_int_equal(errno, ERANGE);
	assert_string_equal(buf, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header_no_arrays),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_report_accessors),
		cmocka_unit_test(test_dominfo_uuid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
