// SPDX-License-Identifier: GPL-2.0
/* xballoon list and info: the memory view. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "xb_cli.h"

static const struct option list_opts[] = {
	{ "json", no_argument, NULL, 'j' },
	{ "prometheus", no_argument, NULL, 'p' },
	{ NULL, 0, NULL, 0 },
};

static uint64_t mib(uint64_t kb)
{
	return kb / 1024;
}

/* A driver field in MiB, or "-" when the report lacks it. */
static const char *rcol(const struct xb_report *r, enum xb_rfield f, char *buf,
			size_t len)
{
	uint64_t v;

	if (!xballoon_report_get(r, f, &v))
		return "-";
	snprintf(buf, len, "%" PRIu64, f == XB_RF_OOM_DEFLATES ? v : mib(v));
	return buf;
}

/* The driver's state; "comp:" when it is the companion of Linux's driver. */
static const char *driver_col(const struct xb_report *r, char *buf, size_t len)
{
	enum xb_rmode mode = xballoon_report_mode(r);
	const char *state = xballoon_rstate_name(xballoon_report_state(r));

	switch (xballoon_report_status(r)) {
	case XB_REPORT_VALID:
		if (mode == XB_RMODE_DRIVER)
			return state;
		snprintf(buf, len, "%s:%s", mode == XB_RMODE_COMPANION ?
			 "comp" : "unknown", state);
		return buf;
	case XB_REPORT_INVALID: return "invalid";
	default: return "-";
	}
}

/* The dynamic range, "min-max" in MiB, or "-" when the domain has none. */
static const char *range_col(const struct xb_view *v, size_t i, char *buf, size_t len)
{
	const struct xb_dom_policy *p = v->policy ? &v->policy[i] : NULL;

	if (!p || !p->has_range)
		return "-";
	snprintf(buf, len, "%" PRIu64 "-%" PRIu64, mib(p->min_kb), mib(p->max_kb));
	return buf;
}

static void list_text(FILE *f, const struct xb_view *v)
{
	uint64_t max = 0, tgt = 0, act = 0, rec = 0;
	char b1[24], b2[24], b3[24], b4[24], b5[48], b6[32];

	fprintf(f, "%-40s %5s %-4s %8s %8s %8s %9s %8s %8s %8s %5s %6s %8s %-11s %-12s %s\n",
		"Name", "ID", "Type", "Max", "Target", "Actual", "Reclaimed",
		"Balloon", "Current", "Avail", "OOM", "Borrow", "Headroom", "Range",
		"Driver", "State");
	for (size_t i = 0; i < v->n; i++) {
		const struct xb_domain *d = v->doms[i];
		const struct xb_report *r = d->report;

		fprintf(f, "%-40s %5" PRIu32 " %-4s %8" PRIu64 " %8" PRIu64
			" %8" PRIu64 " %9" PRIu64 " %8s %8s %8s %5s %6" PRIu64 " %8" PRIu64
			" %-11s %-12s %s%s\n",
			d->name[0] ? d->name : "-", d->xen.domid,
			xballoon_domtype_name(d->xen.type), mib(d->static_max_kb),
			mib(d->target_kb), mib(d->actual_kb), mib(d->reclaimed_kb),
			rcol(r, XB_RF_BALLOON, b1, sizeof(b1)),
			rcol(r, XB_RF_CURRENT, b2, sizeof(b2)),
			rcol(r, XB_RF_MEM_AVAIL, b3, sizeof(b3)),
			rcol(r, XB_RF_OOM_DEFLATES, b4, sizeof(b4)),
			mib(xballoon_dom_borrow_kb(d)), mib(xballoon_dom_headroom_kb(d)),
			range_col(v, i, b5, sizeof(b5)),
			driver_col(r, b6, sizeof(b6)), xballoon_dom_state_name(d->state),
			v->policy && v->policy[i].uncooperative ? " (uncooperative)" : "");
		max += d->static_max_kb;
		tgt += d->target_kb;
		act += d->actual_kb;
		rec += d->reclaimed_kb;
	}
	fprintf(f, "%-40s %5zu %-4s %8" PRIu64 " %8" PRIu64 " %8" PRIu64 " %9" PRIu64
		"   host total %" PRIu64 ", free %" PRIu64 "\n",
		"Total", v->n, "", mib(max), mib(tgt), mib(act), mib(rec),
		mib(v->snap->host_total_kb), mib(v->snap->host_free_kb));
	if (v->snap->host.outstanding_pages || v->n_resv)
		fprintf(f, "outstanding claims %" PRIu64 " MiB, %zu reservation(s)\n",
			mib(xb_pages_to_kb(v->snap->host.outstanding_pages)), v->n_resv);
	xb_text_reservations(f, v->resv, v->n_resv, v->now_ms);
}

/* Reap dead creators' reservations, then read them (none on error). */
static void read_resv(struct xb_cli *cli, struct xb_resv *r, size_t *n_r,
		      uint64_t *now_r)
{
	xballoon_resv_reap(cli->be);
	if (xballoon_resv_list(cli->be, r, XB_RESV_MAX, n_r))
		*n_r = 0;
	*now_r = xballoon_backend_now_ms(cli->be);
}

/*
 * The policy keys of the view's domains (parsed by the library as untrusted
 * text, as the daemon does). NULL when out of memory.
 */
static struct xb_dom_policy *read_policy(struct xb_cli *cli, const struct xb_view *v)
{
	struct xb_dom_policy *p = calloc(v->n ? v->n : 1, sizeof(*p));

	for (size_t i = 0; p && i < v->n; i++) {
		uint32_t id = v->doms[i]->xen.domid;

		p[i].has_range = xballoon_dom_dynamic_range(cli->be, id, &p[i].min_kb,
						      &p[i].max_kb);
		p[i].uncooperative = xballoon_dom_uncooperative(cli->be, id);
	}
	return p;
}

/* Output a whole view in the chosen format. */
static int emit_view(struct xb_cli *cli, const struct xb_view *v, char fmt)
{
	yajl_gen g;
	int rc;

	if (fmt == 'p') {
		char *text;
		size_t len;

		/* the library reads the policy keys and reservations itself */
		if (xballoon_prometheus(cli->be, v->snap, v->doms, v->n, &text, &len)) {
			fprintf(cli->err, "xballoon list: %s\n", strerror(errno));
			return XB_EXIT_ERROR;
		}
		fwrite(text, 1, len, cli->out);
		free(text);
		return 0;
	}
	if (fmt != 'j') {
		list_text(cli->out, v);
		return 0;
	}
	g = xb_json_new();
	if (!g)
		return XB_EXIT_ERROR;
	xb_json_list(g, v);
	rc = xb_json_flush(g, cli->out) ? XB_EXIT_ERROR : 0;
	yajl_gen_free(g);
	return rc;
}

int xb_cmd_list(struct xb_cli *cli, int argc, char **argv)
{
	struct xb_snapshot snap;
	struct xb_selection sel = { 0 };
	struct xb_view v = { 0 };
	struct xb_resv resv[XB_RESV_MAX];
	char fmt = 't';
	int opt, rc = 0;

	while ((opt = getopt_long(argc, argv, "jp", list_opts, NULL)) != -1) {
		if (opt == 'j' || opt == 'p') {
			if (fmt != 't' && fmt != opt)
				return xb_usage_error(cli, "list",
						      "--json and --prometheus exclude each other");
			fmt = (char)opt;
		} else {
			return xb_usage_error(cli, "list", "unknown option '%s'",
					      argv[optind - 1]);
		}
	}
	read_resv(cli, resv, &v.n_resv, &v.now_ms);
	v.resv = resv;
	/* the view only: no selection, so no followed marks to read */
	if (xballoon_snapshot_take_flags(cli->be, 0, &snap)) {
		fprintf(cli->err, "xballoon list: cannot read domains: %s\n",
			strerror(errno));
		return XB_EXIT_ERROR;
	}
	v.snap = &snap;
	if (optind == argc) {
		v.doms = calloc(snap.n + 1, sizeof(*v.doms));
		if (!v.doms) {
			xballoon_snapshot_free(&snap);
			return XB_EXIT_ERROR;
		}
		for (size_t i = 0; i < snap.n; i++)
			v.doms[v.n++] = &snap.doms[i];
	} else if (xballoon_select(&snap, (const char *const *)argv + optind,
			     (size_t)(argc - optind), false, false, &sel)) {
		xballoon_snapshot_free(&snap);
		return XB_EXIT_ERROR;
	} else {
		/* each domain once, however often it is named */
		v.doms = sel.doms;
		v.n = sel.n;
		for (size_t i = 0; i < sel.n_bad; i++) {
			fprintf(cli->err, "xballoon list: %s: no such domain\n",
				argv[optind + (int)sel.bad[i]]);
			rc = XB_EXIT_ERROR;
		}
		sel.doms = NULL;
	}
	if (!rc) {
		/* --prometheus: the library reads them itself */
		struct xb_dom_policy *pol = fmt == 'p' ? NULL : read_policy(cli, &v);

		v.policy = pol;
		rc = emit_view(cli, &v, fmt);
		free(pol);
	}
	free(v.doms);
	xballoon_selection_free(&sel);
	xballoon_snapshot_free(&snap);
	return rc;
}

static const struct option info_opts[] = {
	{ "json", no_argument, NULL, 'j' },
	{ NULL, 0, NULL, 0 },
};

int xb_cmd_info(struct xb_cli *cli, int argc, char **argv)
{
	struct xb_snapshot snap;
	struct xb_resv resv[XB_RESV_MAX];
	size_t drivers = 0, i, n_resv = 0;
	uint64_t now = 0;
	bool json = false;
	int opt, rc = 0;

	while ((opt = getopt_long(argc, argv, "j", info_opts, NULL)) != -1) {
		if (opt != 'j')
			return xb_usage_error(cli, "info", "unknown option '%s'",
					      argv[optind - 1]);
		json = true;
	}
	if (optind != argc)
		return xb_usage_error(cli, "info", "unexpected argument '%s'",
				      argv[optind]);
	read_resv(cli, resv, &n_resv, &now);
	if (xb_take_snapshot(cli, "info", &snap))
		return XB_EXIT_ERROR;
	for (i = 0; i < snap.n; i++)
		drivers += xballoon_report_status(snap.doms[i].report) == XB_REPORT_VALID;
	if (json) {
		yajl_gen g = xb_json_new();

		if (!g) {
			rc = XB_EXIT_ERROR;
			goto out;
		}
		xb_json_open_doc(g, "info");
		xb_json_key(g, "host");
		xb_json_host(g, &snap);
		xb_json_u64(g, "domains", snap.n);
		xb_json_u64(g, "with_driver", drivers);
		xb_json_u64(g, "static_max_kb", snap.static_max_kb);
		xb_json_u64(g, "target_kb", snap.target_kb);
		xb_json_u64(g, "actual_kb", snap.actual_kb);
		xb_json_u64(g, "reclaimed_kb", snap.reclaimed_kb);
		xb_json_reservations(g, resv, n_resv, now);
		yajl_gen_map_close(g);
		rc = xb_json_flush(g, cli->out) ? XB_EXIT_ERROR : 0;
		yajl_gen_free(g);
		goto out;
	}
	fprintf(cli->out,
		"total_memory_mib     : %" PRIu64 "\n"
		"free_memory_mib      : %" PRIu64 "\n"
		"scrub_memory_mib     : %" PRIu64 "\n"
		"outstanding_mib      : %" PRIu64 "\n"
		"domains              : %zu\n"
		"domains_with_driver  : %zu\n"
		"static_max_sum_mib   : %" PRIu64 "\n"
		"target_sum_mib       : %" PRIu64 "\n"
		"actual_sum_mib       : %" PRIu64 "\n"
		"reclaimed_sum_mib    : %" PRIu64 "\n",
		mib(snap.host_total_kb), mib(snap.host_free_kb),
		mib(xb_pages_to_kb(snap.host.scrub_pages)),
		mib(xb_pages_to_kb(snap.host.outstanding_pages)), snap.n, drivers,
		mib(snap.static_max_kb), mib(snap.target_kb), mib(snap.actual_kb),
		mib(snap.reclaimed_kb));
	fprintf(cli->out, "reservations         : %zu\n", n_resv);
	xb_text_reservations(cli->out, resv, n_resv, now);
out:
	xballoon_snapshot_free(&snap);
	return rc;
}
