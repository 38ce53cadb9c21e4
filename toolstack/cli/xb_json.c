// SPDX-License-Identifier: GPL-2.0
/* JSON (yajl) output. No JSON is written by hand here. */
#include <inttypes.h>
#include <stddef.h>
#include <string.h>

#include "xb_out.h"

yajl_gen xb_json_new(void)
{
	yajl_gen g = yajl_gen_alloc(NULL);

	if (g)
		yajl_gen_config(g, yajl_gen_validate_utf8, 1);
	return g;
}

int xb_json_flush(yajl_gen g, FILE *f)
{
	const unsigned char *buf;
	size_t len;

	if (yajl_gen_get_buf(g, &buf, &len) != yajl_gen_status_ok)
		return -1;
	fwrite(buf, 1, len, f);
	fputc('\n', f);
	fflush(f);
	yajl_gen_clear(g);
	yajl_gen_reset(g, NULL);
	return 0;
}

void xb_json_key(yajl_gen g, const char *key)
{
	yajl_gen_string(g, (const unsigned char *)key, strlen(key));
}

/* Exact 64-bit numbers: yajl_gen_integer is only long long. */
void xb_json_u64(yajl_gen g, const char *key, uint64_t v)
{
	char buf[24];
	int n = snprintf(buf, sizeof(buf), "%" PRIu64, v);

	xb_json_key(g, key);
	yajl_gen_number(g, buf, (size_t)n);
}

void xb_json_str(yajl_gen g, const char *key, const char *v)
{
	xb_json_key(g, key);
	if (v)
		yajl_gen_string(g, (const unsigned char *)v, strlen(v));
	else
		yajl_gen_null(g);
}

static const char *status_name(enum xb_report_status s)
{
	switch (s) {
	case XB_REPORT_VALID: return "valid";
	case XB_REPORT_INVALID: return "invalid";
	default: return "absent";
	}
}

void xb_json_report(yajl_gen g, const struct xb_report *r)
{
	yajl_gen_map_open(g);
	enum xb_report_status st = xballoon_report_status(r);
	uint64_t v;

	xb_json_str(g, "status", status_name(st));
	if (st == XB_REPORT_INVALID)
		xb_json_str(g, "reason", xballoon_report_why(r));
	if (st == XB_REPORT_VALID) {
		xb_json_str(g, "state", xballoon_rstate_name(xballoon_report_state(r)));
		xb_json_str(g, "last_error",
			    xballoon_rerror_name(xballoon_report_last_error(r)));
		xb_json_str(g, "mode", xballoon_rmode_name(xballoon_report_mode(r)));
		for (int f = 0; f < XB_RF_NR; f++)
			if (xballoon_report_get(r, (enum xb_rfield)f, &v))
				xb_json_u64(g, xballoon_rfield_name((enum xb_rfield)f), v);
	}
	yajl_gen_map_close(g);
}

static void json_domain(yajl_gen g, const struct xb_domain *d,
			const struct xb_dom_policy *pol)
{
	yajl_gen_map_open(g);
	xb_json_u64(g, "domid", d->xen.domid);
	xb_json_str(g, "name", d->name);
	xb_json_str(g, "type", xballoon_domtype_name(d->xen.type));
	xb_json_u64(g, "static_max_kb", d->static_max_kb);
	xb_json_key(g, "static_max_from_xenstore");
	yajl_gen_bool(g, d->has_static_max);
	xb_json_u64(g, "target_kb", d->target_kb);
	xb_json_u64(g, "videoram_kb", d->videoram_kb);
	xb_json_u64(g, "actual_kb", d->actual_kb);
	xb_json_u64(g, "outstanding_kb", xb_pages_to_kb(d->xen.outstanding_pages));
	xb_json_u64(g, "maxmem_kb", xb_pages_to_kb(d->xen.max_pages));
	xb_json_u64(g, "reclaimed_kb", d->reclaimed_kb);
	xb_json_u64(g, "headroom_kb", xballoon_dom_headroom_kb(d));
	xb_json_u64(g, "borrow_kb", xballoon_dom_borrow_kb(d));
	if (pol) {
		xb_json_key(g, "dynamic_min_kb");
		if (pol->has_range)
			yajl_gen_integer(g, (long long)pol->min_kb);
		else
			yajl_gen_null(g);
		xb_json_key(g, "dynamic_max_kb");
		if (pol->has_range)
			yajl_gen_integer(g, (long long)pol->max_kb);
		else
			yajl_gen_null(g);
		xb_json_key(g, "uncooperative");
		yajl_gen_bool(g, pol->uncooperative);
	}
	xb_json_str(g, "state", xballoon_dom_state_name(d->state));
	xb_json_key(g, "dying");
	yajl_gen_bool(g, d->xen.dying);
	xb_json_key(g, "shutdown");
	yajl_gen_bool(g, d->xen.shutdown);
	xb_json_key(g, "driver");
	xb_json_report(g, d->report);
	yajl_gen_map_close(g);
}

void xb_json_domain(yajl_gen g, const struct xb_domain *d)
{
	json_domain(g, d, NULL);
}

void xb_json_host(yajl_gen g, const struct xb_snapshot *snap)
{
	yajl_gen_map_open(g);
	xb_json_u64(g, "total_kb", snap->host_total_kb);
	xb_json_u64(g, "free_kb", snap->host_free_kb);
	xb_json_u64(g, "scrub_kb", xb_pages_to_kb(snap->host.scrub_pages));
	xb_json_u64(g, "outstanding_kb", xb_pages_to_kb(snap->host.outstanding_pages));
	yajl_gen_map_close(g);
}

void xb_json_open_doc(yajl_gen g, const char *cmd)
{
	yajl_gen_map_open(g);
	xb_json_u64(g, "version", XB_JSON_VERSION);
	if (cmd)
		xb_json_str(g, "command", cmd);
}

void xb_json_list(yajl_gen g, const struct xb_view *v)
{
	uint64_t max = 0, tgt = 0, act = 0, rec = 0;
	size_t i, drivers = 0;

	for (i = 0; i < v->n; i++) {
		max += v->doms[i]->static_max_kb;
		tgt += v->doms[i]->target_kb;
		act += v->doms[i]->actual_kb;
		rec += v->doms[i]->reclaimed_kb;
		drivers += xballoon_report_status(v->doms[i]->report) == XB_REPORT_VALID;
	}
	xb_json_open_doc(g, "list");
	xb_json_key(g, "host");
	xb_json_host(g, v->snap);
	xb_json_key(g, "totals");
	yajl_gen_map_open(g);
	xb_json_u64(g, "domains", v->n);
	xb_json_u64(g, "with_driver", drivers);
	xb_json_u64(g, "static_max_kb", max);
	xb_json_u64(g, "target_kb", tgt);
	xb_json_u64(g, "actual_kb", act);
	xb_json_u64(g, "reclaimed_kb", rec);
	yajl_gen_map_close(g);
	xb_json_key(g, "domains");
	yajl_gen_array_open(g);
	for (i = 0; i < v->n; i++)
		json_domain(g, v->doms[i], v->policy ? &v->policy[i] : NULL);
	yajl_gen_array_close(g);
	xb_json_reservations(g, v->resv, v->n_resv, v->now_ms);
	yajl_gen_map_close(g);
}

void xb_json_reservations(yajl_gen g, const struct xb_resv *r, size_t n,
			  uint64_t now_ms)
{
	xb_json_key(g, "reservations");
	yajl_gen_array_open(g);
	for (size_t i = 0; r && i < n; i++) {
		yajl_gen_map_open(g);
		xb_json_u64(g, "id", r[i].id);
		xb_json_str(g, "state", xballoon_resv_state_name(r[i].state));
		xb_json_u64(g, "size_kb", r[i].kb);
		xb_json_u64(g, "holder_domid", r[i].holder);
		xb_json_u64(g, "pid", (uint64_t)r[i].pid);
		xb_json_u64(g, "expires_in_ms",
			    r[i].deadline_ms > now_ms ? r[i].deadline_ms - now_ms : 0);
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
}

void xb_text_reservations(FILE *f, const struct xb_resv *r, size_t n,
			  uint64_t now_ms)
{
	for (size_t i = 0; r && i < n; i++)
		fprintf(f, "reservation          : %" PRIu32 " %s %" PRIu64
			" MiB holder %" PRIu32 " pid %" PRId32 " expires-in %" PRIu64 " s\n",
			r[i].id, xballoon_resv_state_name(r[i].state), r[i].kb / 1024,
			r[i].holder, r[i].pid,
			(r[i].deadline_ms > now_ms ? r[i].deadline_ms - now_ms : 0) / 1000);
}

/* Emit the parsed tree V again (strings re-escaped by yajl). */
void xb_json_tree(yajl_gen g, yajl_val v)
{
	if (!v) {
		yajl_gen_null(g);
	} else if (YAJL_IS_OBJECT(v)) {
		yajl_gen_map_open(g);
		for (size_t i = 0; i < v->u.object.len; i++) {
			xb_json_key(g, v->u.object.keys[i]);
			xb_json_tree(g, v->u.object.values[i]);
		}
		yajl_gen_map_close(g);
	} else if (YAJL_IS_ARRAY(v)) {
		yajl_gen_array_open(g);
		for (size_t i = 0; i < v->u.array.len; i++)
			xb_json_tree(g, v->u.array.values[i]);
		yajl_gen_array_close(g);
	} else if (YAJL_IS_STRING(v)) {
		const char *s = v->u.string;

		yajl_gen_string(g, (const unsigned char *)s, strlen(s));
	} else if (YAJL_IS_NUMBER(v)) {
		yajl_gen_number(g, v->u.number.r, strlen(v->u.number.r));
	} else if (YAJL_IS_TRUE(v) || YAJL_IS_FALSE(v)) {
		yajl_gen_bool(g, YAJL_IS_TRUE(v));
	} else {
		yajl_gen_null(g);
	}
}
