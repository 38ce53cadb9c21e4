// SPDX-License-Identifier: GPL-2.0
/*
 * The report contract, both sides: every state and error the driver's core
 * can report is formatted by core/xb_report.c and parsed by the toolstack's
 * lib/xb_parse.c, and every field comes back as it was written.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "libxballoon.h"
#include "xb_lib_int.h"
#include "ts_report_core.h"

static void check_one(unsigned st, unsigned err, uint64_t seed, bool mi)
{
	struct trc_expect e;
	struct xb_report r;
	char buf[XB_REPORT_MAX_LEN];
	int len = trc_format(st, err, seed, mi, buf, sizeof(buf), &e);

	assert_true(len > 0);
	xb_report_parse_into(buf, (size_t)len, &r);
	if (r.status != XB_REPORT_VALID)
		fail_msg("state %u err %u: rejected (%s): %s", st, err, r.why, buf);
	assert_string_equal(xballoon_rstate_name(r.state), e.state);
	assert_string_equal(xballoon_rerror_name(r.last_error), e.last_error);
	assert_int_equal(r.num[XB_RF_SEQ], e.seq);
	assert_int_equal(r.num[XB_RF_TARGET], e.target_kb);
	assert_int_equal(r.num[XB_RF_BALLOON], e.balloon_kb);
	assert_int_equal(r.num[XB_RF_CURRENT], e.current_kb);
	assert_int_equal(r.num[XB_RF_FLOOR], e.floor_kb);
	assert_int_equal(r.num[XB_RF_HARD_LIMIT], e.hard_limit_kb);
	assert_int_equal(r.num[XB_RF_OOM_DEFLATES], e.oom_deflates);
	assert_int_equal(r.num[XB_RF_REFUSALS], e.refusals);
	for (int f = XB_RF_MEM_TOTAL; f <= XB_RF_OOM_KILLS; f++)
		assert_int_equal(xb_report_has(&r, (enum xb_rfield)f), mi);
	if (!mi)
		return;
	assert_int_equal(r.num[XB_RF_MEM_TOTAL], e.mem_total_kb);
	assert_int_equal(r.num[XB_RF_MEM_AVAIL], e.mem_avail_kb);
	assert_int_equal(r.num[XB_RF_MEM_FREE], e.mem_free_kb);
	assert_int_equal(r.num[XB_RF_CACHED], e.cached_kb);
	assert_int_equal(r.num[XB_RF_SWAP_IN], e.swap_in);
	assert_int_equal(r.num[XB_RF_SWAP_OUT], e.swap_out);
	assert_int_equal(r.num[XB_RF_MAJOR_FAULTS], e.major_faults);
	assert_int_equal(r.num[XB_RF_OOM_KILLS], e.oom_kills);
}

/* Every state with every error, with and without meminfo. */
static void test_every_state_and_error(void **state)
{
	(void)state;
	for (unsigned st = 0; st < trc_nstates(); st++)
		for (unsigned err = 0; err < trc_nerrors(); err++) {
			check_one(st, err, st * 100 + err, true);
			check_one(st, err, st * 100 + err, false);
		}
}

/* Large numbers survive too (the driver counts in pages, reports in KiB). */
static void test_large_numbers(void **state)
{
	(void)state;
	check_one(0, 0, UINT64_C(1) << 40, true);
}

/* Each toolstack state word is one the driver can write, and the reverse. */
static void test_vocabularies_match(void **state)
{
	(void)state;
	/* UNKNOWN is the toolstack's own "not a word I know" */
	assert_int_equal(trc_nstates(), XB_RSTATE_NR - 1);
	assert_int_equal(trc_nerrors(), XB_RERR_NR - 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_state_and_error),
		cmocka_unit_test(test_large_numbers),
		cmocka_unit_test(test_vocabularies_match),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
