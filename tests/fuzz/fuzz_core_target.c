// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz memory/target handling: any bytes from xenstore go through the parser
 * and, if accepted, into the core; the core's invariants must hold.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xb_core.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define GUEST_PAGES 262144ull		/* 1 GiB, static-max 1 GiB */
#define FLOOR_PAGES (96ull * 256)	/* its default floor, 96 MiB */

/*
 * The core's answer to an accepted target of kb on a fresh 1 GiB guest,
 * against what the rules in docs/driver.md call for, worked out here from
 * kb alone; then one step of the plan and its result.
 */
static void check_applied(struct xb_core *c, u64 kb, int rc)
{
	u64 t = kb / 4, want = t;
	int want_rc = XB_TARGET_OK;
	struct xb_step st;

	if (want > GUEST_PAGES) {
		want = GUEST_PAGES;
		want_rc = XB_TARGET_CLAMPED_MAX;
	}
	if (want < FLOOR_PAGES) {
		want = FLOOR_PAGES;
		want_rc = XB_TARGET_BELOW_FLOOR;
	}
	if (rc != want_rc || c->target_pages != want ||
	    c->req_target_pages != (t < GUEST_PAGES ? t : GUEST_PAGES))
		abort();
	if (c->state != (want < GUEST_PAGES ? XB_STATE_INFLATING :
			 XB_STATE_IDLE) ||
	    c->cnt.targets != 1 || c->cnt.bad_targets != 0 ||
	    c->cnt.clamped_targets != (want_rc != XB_TARGET_OK))
		abort();
	/* plenty available: one batch toward the target, never past it */
	st = xb_core_plan(c, 1ull << 40, 0);
	if (want == GUEST_PAGES) {
		if (st.op != XB_OP_NONE)
			abort();
		return;
	}
	if (st.op != XB_OP_INFLATE ||
	    st.nr_pages != (GUEST_PAGES - want < XB_BATCH_DEFAULT ?
			    GUEST_PAGES - want : XB_BATCH_DEFAULT))
		abort();
	xb_core_inflated(c, st.nr_pages, st.nr_pages, false, 0);
	if (c->balloon_pages != st.nr_pages ||
	    xb_core_current_pages(c) != GUEST_PAGES - st.nr_pages ||
	    c->state != (xb_core_current_pages(c) == want ?
			 (t < FLOOR_PAGES ? XB_STATE_AT_FLOOR : XB_STATE_IDLE) :
			 XB_STATE_INFLATING))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xb_config cfg = {
		.initial_pages = GUEST_PAGES,
		.static_max_kb = 1048576,
		.auto_translated = size & 1,
	};
	struct xb_core c;
	u64 kb = 12345, again;
	char copy[64];
	int rc;

	xb_core_init(&c, &cfg);
	rc = xb_parse_kb((const char *)data, size, &kb);
	if (rc) {
		if (rc != -XB_EINVAL && rc != -XB_ERANGE)
			abort();
		if (kb != 12345)	/* untouched on error */
			abort();
		xb_core_bad_target(&c);
		return 0;
	}
	/* accepted: it is a canonical decimal, and prints back the same */
	snprintf(copy, sizeof(copy), "%llu", kb);
	if (xb_parse_kb(copy, strlen(copy), &again) || again != kb)
		abort();
	rc = xb_core_set_target_kb(&c, kb);
	if (rc == -XB_ERANGE) {
		if (kb <= XB_MAX_TARGET_KB)
			abort();
		return 0;
	}
	check_applied(&c, kb, rc);
	return 0;
}
