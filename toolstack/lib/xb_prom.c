// SPDX-License-Identifier: GPL-2.0
/*
 * The Prometheus text exposition of the host and a set of domains: what
 * `xballoon list --prometheus` prints and xballoond's /metrics begins with,
 * so the two cannot drift apart. Reads the policy keys and reservations
 * itself; the FILE it writes to is its own (an open_memstream).
 */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xb_lib_int.h"

struct prom {
	FILE *f;
	const struct xb_snapshot *snap;
	const struct xb_domain *const *doms;	/* NULL: snap->doms */
	size_t n;
	struct xb_dom_pol *pol;			/* per domain */
	struct xb_resv resv[XB_RESV_MAX];
	size_t n_resv;
};

static const struct xb_domain *dom(const struct prom *p, size_t i)
{
	return p->doms ? p->doms[i] : &p->snap->doms[i];
}

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
static void prom_scaled(const struct prom *p, const char *name, const char *type,
			const char *help, enum xb_rfield fld, double div)
{
	uint64_t val;

	prom_head(p->f, name, type, help);
	for (size_t i = 0; i < p->n; i++) {
		if (!xballoon_report_get(dom(p, i)->report, fld, &val))
			continue;
		prom_dom(p->f, name, dom(p, i));
		/* 15 digits: exact up to 1e15 us, no binary noise in 0.0258 */
		fprintf(p->f, " %.15g\n", (double)val / div);
	}
}

/* A KiB value per domain as bytes; WHICH picks it (false: no series). */
static void prom_kb(const struct prom *p, const char *name, const char *help,
		    bool (*which)(const struct prom *p, size_t i, uint64_t *kb_r))
{
	uint64_t kb;

	prom_head(p->f, name, "gauge", help);
	for (size_t i = 0; i < p->n; i++) {
		if (!which(p, i, &kb))
			continue;
		prom_dom(p->f, name, dom(p, i));
		fprintf(p->f, " %" PRIu64 "\n", kb * 1024);
	}
}

static bool headroom(const struct prom *p, size_t i, uint64_t *kb_r)
{
	*kb_r = xballoon_dom_headroom_kb(dom(p, i));
	return true;
}

static bool borrow(const struct prom *p, size_t i, uint64_t *kb_r)
{
	*kb_r = xballoon_dom_borrow_kb(dom(p, i));
	return true;
}

static bool dyn_min(const struct prom *p, size_t i, uint64_t *kb_r)
{
	*kb_r = p->pol[i].min_kb;
	return p->pol[i].has_range;
}

static bool dyn_max(const struct prom *p, size_t i, uint64_t *kb_r)
{
	*kb_r = p->pol[i].max_kb;
	return p->pol[i].has_range;
}

static void prom_doms(const struct prom *p)
{
	FILE *f = p->f;
	size_t i, m;

	for (m = 0; m < sizeof(dom_metrics) / sizeof(dom_metrics[0]); m++) {
		const struct prom_metric *pm = &dom_metrics[m];

		prom_head(f, pm->name, pm->type, pm->help);
		for (i = 0; i < p->n; i++) {
			const struct xb_domain *d = dom(p, i);
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
	prom_scaled(p, "xballoon_driver_psi_memory_some_avg10_ratio", "gauge",
		    "Guest-reported PSI memory some avg10, 0-1 (untrusted).",
		    XB_RF_PSI_SOME_AVG10, 1e5);
	prom_scaled(p, "xballoon_driver_psi_memory_full_avg10_ratio", "gauge",
		    "Guest-reported PSI memory full avg10, 0-1 (untrusted).",
		    XB_RF_PSI_FULL_AVG10, 1e5);
	prom_scaled(p, "xballoon_driver_psi_memory_some_seconds_total", "counter",
		    "Guest-reported PSI memory some stall time (untrusted).",
		    XB_RF_PSI_SOME_TOTAL, 1e6);
	prom_scaled(p, "xballoon_driver_psi_memory_full_seconds_total", "counter",
		    "Guest-reported PSI memory full stall time (untrusted).",
		    XB_RF_PSI_FULL_TOTAL, 1e6);
	prom_kb(p, "xballoon_domain_headroom_bytes",
		"How far the domain can go above its target on its own (maxmem - target).",
		headroom);
	prom_kb(p, "xballoon_domain_borrow_bytes",
		"Memory the domain holds above its target (actual - target).", borrow);
	prom_kb(p, "xballoon_domain_dynamic_min_bytes",
		"memory/dynamic-min (xballoon mem-policy).", dyn_min);
	prom_kb(p, "xballoon_domain_dynamic_max_bytes",
		"memory/dynamic-max (xballoon mem-policy).", dyn_max);
	prom_head(f, "xballoon_domain_uncooperative", "gauge",
		  "1 if xballoond marked the domain uncooperative (memory/uncooperative).");
	for (i = 0; i < p->n; i++) {
		prom_dom(f, "xballoon_domain_uncooperative", dom(p, i));
		fprintf(f, " %d\n", p->pol[i].uncooperative);
	}
	prom_head(f, "xballoon_domain_state", "gauge",
		  "Derived state, one series per state (1 = current).");
	for (i = 0; i < p->n; i++) {
		for (int s = 0; s < XB_ST_NR; s++) {
			fprintf(f, "xballoon_domain_state{domid=\"%" PRIu32 "\",name=\"",
				dom(p, i)->xen.domid);
			prom_label(f, dom(p, i)->name);
			fprintf(f, "\",state=\"%s\"} %d\n", xballoon_dom_state_name(s),
				dom(p, i)->state == (enum xb_dom_state)s);
		}
	}
	prom_head(f, "xballoon_driver_report_valid", "gauge",
		  "1 if the domain's driver report parsed, 0 if absent or invalid.");
	for (i = 0; i < p->n; i++) {
		prom_dom(f, "xballoon_driver_report_valid", dom(p, i));
		fprintf(f, " %d\n",
			xballoon_report_status(dom(p, i)->report) == XB_REPORT_VALID);
	}
}

static void prom_host(const struct prom *p)
{
	FILE *f = p->f;
	uint64_t rec = 0;

	for (size_t i = 0; i < p->n; i++)
		rec += dom(p, i)->reclaimed_kb;
	prom_head(f, "xballoon_reclaimed_bytes", "gauge",
		  "Sum of reclaimed memory over the listed domains.");
	fprintf(f, "xballoon_reclaimed_bytes %" PRIu64 "\n", rec * 1024);
	prom_head(f, "xballoon_host_total_bytes", "gauge", "Host memory (xc_physinfo).");
	fprintf(f, "xballoon_host_total_bytes %" PRIu64 "\n", p->snap->host_total_kb * 1024);
	prom_head(f, "xballoon_host_free_bytes", "gauge",
		  "Host free memory minus outstanding claims (as xl info).");
	fprintf(f, "xballoon_host_free_bytes %" PRIu64 "\n", p->snap->host_free_kb * 1024);
	prom_head(f, "xballoon_reservation_bytes", "gauge",
		  "Memory held or being freed for a domain about to be built (xballoon reserve, create).");
	for (size_t i = 0; i < p->n_resv; i++)
		fprintf(f, "xballoon_reservation_bytes{id=\"%" PRIu32 "\",state=\"%s\"} %" PRIu64 "\n",
			p->resv[i].id, xballoon_resv_state_name(p->resv[i].state),
			p->resv[i].kb * 1024);
}

int xballoon_prometheus(struct xb_backend *be, const struct xb_snapshot *snap,
		  const struct xb_domain *const *doms, size_t n,
		  char **text_r, size_t *len_r)
{
	struct prom *p = calloc(1, sizeof(*p));
	uint32_t *domids = NULL;
	char *buf = NULL;
	size_t len = 0;
	int rc = -1, err = ENOMEM;

	*text_r = NULL;
	if (!p)
		goto out;
	p->snap = snap;
	p->doms = doms;
	p->n = doms ? n : snap->n;
	p->pol = calloc(p->n ? p->n : 1, sizeof(*p->pol));
	domids = calloc(p->n ? p->n : 1, sizeof(*domids));
	if (!p->pol || !domids)
		goto out;
	for (size_t i = 0; i < p->n; i++)
		domids[i] = dom(p, i)->xen.domid;
	xb_read_policies(be, domids, p->n, p->pol);
	if (xballoon_resv_list(be, p->resv, XB_RESV_MAX, &p->n_resv))
		p->n_resv = 0;
	p->f = open_memstream(&buf, &len);
	if (!p->f)
		goto out;
	prom_doms(p);
	prom_host(p);
	if (fclose(p->f)) {
		err = errno;
		goto out;
	}
	*text_r = buf;
	buf = NULL;
	if (len_r)
		*len_r = len;
	rc = 0;
out:
	free(buf);
	free(domids);
	if (p)
		free(p->pol);
	free(p);
	if (rc)
		errno = err;
	return rc;
}
