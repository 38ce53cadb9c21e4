// SPDX-License-Identifier: GPL-2.0
/* JSON (yajl) and Prometheus output. No JSON is written by hand here. */
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

uint64_t xb_dom_headroom_kb(const struct xb_domain *d)
{
	uint64_t max = xb_pages_to_kb(d->xen.max_pages);

	return max > d->target_kb + XB_MAXMEM_SLACK_KB ?
	       max - d->target_kb - XB_MAXMEM_SLACK_KB : 0;
}

uint64_t xb_dom_borrow_kb(const struct xb_domain *d)
{
	return d->actual_kb > d->target_kb ? d->actual_kb - d->target_kb : 0;
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
	xb_json_u64(g, "headroom_kb", xb_dom_headroom_kb(d));
	xb_json_u64(g, "borrow_kb", xb_dom_borrow_kb(d));
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

/* ---- Prometheus text exposition ---- */

static void prom_label(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			fputc('\\', f);
		if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
}

static void prom_head(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void prom_dom(FILE *f, const char *metric, const struct xb_domain *d)
{
	fprintf(f, "%s{domid=\"%" PRIu32 "\",name=\"", metric, d->xen.domid);
	prom_label(f, d->name);
	fprintf(f, "\",type=\"%s\"}", xballoon_domtype_name(d->xen.type));
}

struct prom_metric {
	const char *name, *type, *help;
	int field;		/* >= 0: driver report field */
	size_t off;		/* else offset of a uint64_t KiB field in xb_domain */
	bool bytes;
};

#define DOMF(m) offsetof(struct xb_domain, m)

static const struct prom_metric dom_metrics[] = {
	{ "xballoon_domain_static_max_bytes", "gauge", "Static maximum (memory/static-max).", -1, DOMF(static_max_kb), true },
	{ "xballoon_domain_target_bytes", "gauge", "Balloon target, incl. video RAM.", -1, DOMF(target_kb), true },
	{ "xballoon_domain_actual_bytes", "gauge", "Memory the domain holds (Xen tot_pages).", -1, DOMF(actual_kb), true },
	{ "xballoon_domain_reclaimed_bytes", "gauge", "Static maximum minus actual.", -1, DOMF(reclaimed_kb), true },
	{ "xballoon_driver_balloon_bytes", "gauge", "Guest-reported balloon size (untrusted).", XB_RF_BALLOON, 0, true },
	{ "xballoon_driver_current_bytes", "gauge", "Guest-reported current size (untrusted).", XB_RF_CURRENT, 0, true },
	{ "xballoon_driver_mem_available_bytes", "gauge", "Guest-reported MemAvailable (untrusted).", XB_RF_MEM_AVAIL, 0, true },
	{ "xballoon_driver_floor_bytes", "gauge", "Guest-reported floor (untrusted).", XB_RF_FLOOR, 0, true },
	{ "xballoon_driver_oom_deflates_total", "counter", "Guest-reported OOM deflates (untrusted).", XB_RF_OOM_DEFLATES, 0, false },
	{ "xballoon_driver_refusals_total", "counter", "Guest-reported hypervisor refusals (untrusted).", XB_RF_REFUSALS, 0, false },
};

/* A report field as a float series: PSI (untrusted, as every report field) */
static void prom_scaled(FILE *f, const struct xb_view *v, const char *name,
			const char *type, const char *help, enum xb_rfield fld,
			double div)
{
	prom_head(f, name, type, help);
	uint64_t val;

	for (size_t i = 0; i < v->n; i++) {
		if (!xballoon_report_get(v->doms[i]->report, fld, &val))
			continue;
		prom_dom(f, name, v->doms[i]);
		/* 15 digits: exact up to 1e15 us, no binary noise in 0.0258 */
		fprintf(f, " %.15g\n", (double)val / div);
	}
}

void xb_prometheus(FILE *f, const struct xb_view *v)
{
	uint64_t rec = 0;
	size_t i, m;

	for (m = 0; m < sizeof(dom_metrics) / sizeof(dom_metrics[0]); m++) {
		const struct prom_metric *pm = &dom_metrics[m];

		prom_head(f, pm->name, pm->type, pm->help);
		for (i = 0; i < v->n; i++) {
			const struct xb_domain *d = v->doms[i];
			uint64_t val;

			if (pm->field >= 0) {
				if (!xballoon_report_get(d->report, (enum xb_rfield)pm->field,
							 &val))
					continue;
			} else {
				memcpy(&val, (const char *)d + pm->off, sizeof(val));
			}
			prom_dom(f, pm->name, d);
			/* reports may carry any 64-bit value: print as a float */
			if (pm->bytes)
				fprintf(f, " %.17g\n", (double)val * 1024.0);
			else
				fprintf(f, " %" PRIu64 "\n", val);
		}
	}
	prom_scaled(f, v, "xballoon_driver_psi_memory_some_avg10_ratio", "gauge",
		    "Guest-reported PSI memory some avg10, 0-1 (untrusted).",
		    XB_RF_PSI_SOME_AVG10, 1e5);
	prom_scaled(f, v, "xballoon_driver_psi_memory_full_avg10_ratio", "gauge",
		    "Guest-reported PSI memory full avg10, 0-1 (untrusted).",
		    XB_RF_PSI_FULL_AVG10, 1e5);
	prom_scaled(f, v, "xballoon_driver_psi_memory_some_seconds_total", "counter",
		    "Guest-reported PSI memory some stall time (untrusted).",
		    XB_RF_PSI_SOME_TOTAL, 1e6);
	prom_scaled(f, v, "xballoon_driver_psi_memory_full_seconds_total", "counter",
		    "Guest-reported PSI memory full stall time (untrusted).",
		    XB_RF_PSI_FULL_TOTAL, 1e6);
	prom_head(f, "xballoon_domain_headroom_bytes", "gauge",
		  "How far the domain can go above its target on its own (maxmem - target).");
	for (i = 0; i < v->n; i++) {
		prom_dom(f, "xballoon_domain_headroom_bytes", v->doms[i]);
		fprintf(f, " %" PRIu64 "\n", xb_dom_headroom_kb(v->doms[i]) * 1024);
	}
	prom_head(f, "xballoon_domain_borrow_bytes", "gauge",
		  "Memory the domain holds above its target (actual - target).");
	for (i = 0; i < v->n; i++) {
		prom_dom(f, "xballoon_domain_borrow_bytes", v->doms[i]);
		fprintf(f, " %" PRIu64 "\n", xb_dom_borrow_kb(v->doms[i]) * 1024);
	}
	if (v->policy) {
		prom_head(f, "xballoon_domain_dynamic_min_bytes", "gauge",
			  "memory/dynamic-min (xballoon mem-policy).");
		for (i = 0; i < v->n; i++) {
			if (!v->policy[i].has_range)
				continue;
			prom_dom(f, "xballoon_domain_dynamic_min_bytes", v->doms[i]);
			fprintf(f, " %" PRIu64 "\n", v->policy[i].min_kb * 1024);
		}
		prom_head(f, "xballoon_domain_dynamic_max_bytes", "gauge",
			  "memory/dynamic-max (xballoon mem-policy).");
		for (i = 0; i < v->n; i++) {
			if (!v->policy[i].has_range)
				continue;
			prom_dom(f, "xballoon_domain_dynamic_max_bytes", v->doms[i]);
			fprintf(f, " %" PRIu64 "\n", v->policy[i].max_kb * 1024);
		}
	}
	prom_head(f, "xballoon_domain_state", "gauge",
		  "Derived state, one series per state (1 = current).");
	for (i = 0; i < v->n; i++) {
		for (int s = 0; s < XB_ST_NR; s++) {
			fprintf(f, "xballoon_domain_state{domid=\"%" PRIu32 "\",name=\"",
				v->doms[i]->xen.domid);
			prom_label(f, v->doms[i]->name);
			fprintf(f, "\",state=\"%s\"} %d\n", xballoon_dom_state_name(s),
				v->doms[i]->state == (enum xb_dom_state)s);
		}
	}
	prom_head(f, "xballoon_driver_report_valid", "gauge",
		  "1 if the domain's driver report parsed, 0 if absent or invalid.");
	for (i = 0; i < v->n; i++) {
		prom_dom(f, "xballoon_driver_report_valid", v->doms[i]);
		fprintf(f, " %d\n", xballoon_report_status(v->doms[i]->report) == XB_REPORT_VALID);
		rec += v->doms[i]->reclaimed_kb;
	}
	prom_head(f, "xballoon_reclaimed_bytes", "gauge",
		  "Sum of reclaimed memory over the listed domains.");
	fprintf(f, "xballoon_reclaimed_bytes %" PRIu64 "\n", rec * 1024);
	prom_head(f, "xballoon_host_total_bytes", "gauge", "Host memory (xc_physinfo).");
	fprintf(f, "xballoon_host_total_bytes %" PRIu64 "\n", v->snap->host_total_kb * 1024);
	prom_head(f, "xballoon_host_free_bytes", "gauge",
		  "Host free memory minus outstanding claims (as xl info).");
	fprintf(f, "xballoon_host_free_bytes %" PRIu64 "\n", v->snap->host_free_kb * 1024);
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
