// SPDX-License-Identifier: GPL-2.0
/*
 * Hostile xenstore values through the whole path: fuzz input is split on NUL
 * into name, target, static-max, videoram, report and policy keys of one HVM
 * guest next to a well-behaved one, and the reservation records; snapshot,
 * JSON, Prometheus, events and a mem-set plan must cope, and the
 * well-behaved guest's view must not change.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xb_out.h"
#include "xb_fake.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const keys[] = {
	"/local/domain/7/name", "/local/domain/7/memory/target",
	"/local/domain/7/memory/static-max", "/local/domain/7/memory/videoram",
	"/local/domain/7/data/xballoon/report",
	"/local/domain/7/memory/dynamic-min", "/local/domain/7/memory/dynamic-max",
	"/local/domain/7/memory/uncooperative", XB_RESV_PATH,
};

static void sink(void *ctx, const struct xb_event *ev)
{
	yajl_gen g = ctx;

	xb_json_event(g, ev);
	yajl_gen_clear(g);
	yajl_gen_reset(g, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xb_fake *f = xb_fake_new();
	struct xb_snapshot s, s2;
	const struct xb_domain *good;
	struct xb_domain good_copy;
	size_t off = 0, k = 0;
	yajl_gen g;
	char *prom;
	size_t prom_len;

	xb_fake_add(f, 1, "good", XB_TYPE_PV, 1 << 20, 1 << 19, 1 << 19);
	xb_fake_add(f, 7, NULL, XB_TYPE_HVM, 0, 0, 1 << 18);
	while (off < size && k < sizeof(keys) / sizeof(keys[0])) {
		const uint8_t *nul = memchr(data + off, 0, size - off);
		size_t len = nul ? (size_t)(nul - (data + off)) : size - off;

		xb_fake_put(f, keys[k], (const char *)data + off, len);
		off += len + 1;
		k++;
	}
	if (xballoon_snapshot_take(&f->be, &s))
		abort();
	good = xballoon_snapshot_find(&s, 1);
	if (!good || good->target_kb != 1 << 19 || good->static_max_kb != 1 << 20)
		abort();
	good_copy = *good;
	g = xb_json_new();
	{
		const struct xb_domain *doms[2] = { &s.doms[0], &s.doms[1] };
		struct xb_view v = { .snap = &s, .doms = doms, .n = 2 };
		const char *const all_args[] = { "7", "good" };
		struct xb_size sz = { .kind = XB_SIZE_PCT_MAX, .pct_milli = 50000 };
		struct xb_plan plan;

		xb_json_list(g, &v);
		if (yajl_gen_get_buf(g, &(const unsigned char *){ 0 }, &(size_t){ 0 }) !=
		    yajl_gen_status_ok)
			abort();
		yajl_gen_clear(g);
		yajl_gen_reset(g, NULL);
		if (xballoon_prometheus(&f->be, &s, doms, 2, &prom, &prom_len) ||
		    strlen(prom) != prom_len)
			abort();
		free(prom);
		if (!xballoon_plan_build(&s, XB_PLAN_TARGET, all_args, 2, false, false, &sz, &plan)) {
			if (!xballoon_plan_apply(&f->be, &s, XB_PLAN_TARGET, &plan) &&
			    strcmp(xb_fake_get(f, "/local/domain/1/memory/target"), "524288"))
				abort();
			xballoon_plan_free(&plan);
		}
	}
	if (xballoon_snapshot_take(&f->be, &s2))
		abort();
	xballoon_events_snapshot(&s, &s2, 1, sink, g);
	/* the good guest's report and static-max are its own */
	good = xballoon_snapshot_find(&s2, 1);
	if (!xballoon_report_same(good->report, good_copy.report) ||
	    good->static_max_kb != good_copy.static_max_kb ||
	    good->actual_kb != good_copy.actual_kb)
		abort();
	yajl_gen_free(g);
	xballoon_snapshot_free(&s);
	xballoon_snapshot_free(&s2);
	xb_fake_free(f);
	return 0;
}
