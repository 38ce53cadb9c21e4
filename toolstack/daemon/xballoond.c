// SPDX-License-Identifier: GPL-2.0
/*
 * xballoond: the edge around policy.c. Reads the domains (libxballoon's
 * public header), their policy keys and reports (xenstore), runs one policy
 * step and applies the new targets and maxmem values, logging each decision
 * with its reason. Woken by xenstore watches (reports, policy keys, domains
 * coming and going) and at most once per resample period otherwise.
 *
 *   xballoond [--config PATH] [--once] [--dry-run] [--syslog]
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <xenstore.h>

#include "libxballoon.h"
#include "xsw.h"
#include "config.h"
#include "policy.h"

#define DEBOUNCE_MS 200		/* collect a burst of events into one decision */
#define TOKEN_DOM "dom"
#define TOKEN_INTRO "intro"

static volatile sig_atomic_t stop;
static bool use_syslog;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void logmsg(int prio, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void logmsg(int prio, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (use_syslog) {
		vsyslog(prio, fmt, ap);
	} else {
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
	}
	va_end(ap);
}

struct daemon {
	struct xbd_daemon_config cfg;
	struct xb_backend *be;
	struct xs_handle *xs;
	struct xsw *w;
	bool dry_run;
	struct xbd_mem *store;		/* policy memory, by domid */
	size_t n_store;
	uint32_t *watched;		/* domids with watches */
	size_t n_watched;
};

static char *xs_get(struct xs_handle *xs, uint32_t domid, const char *key,
		    unsigned int *len_r)
{
	char path[96];

	snprintf(path, sizeof(path), "/local/domain/%u/%s", domid, key);
	return xs_read(xs, XBT_NULL, path, len_r);
}

static void read_policy(struct daemon *dm, const struct xb_domain *d,
			struct xbd_dom *pd)
{
	unsigned int l1 = 0, l2 = 0, l3 = 0;
	char *a = xs_get(dm->xs, d->xen.domid, XBD_KEY_DYN_MIN, &l1);
	char *b = xs_get(dm->xs, d->xen.domid, XBD_KEY_DYN_MAX, &l2);
	char *c = xs_get(dm->xs, d->xen.domid, XBD_KEY_WEIGHT, &l3);
	const char *why = xbd_policy_keys(a, l1, b, l2, c, l3, pd);

	if (why)
		logmsg(LOG_WARNING, "dom %u: policy keys ignored: %s", d->xen.domid, why);
	free(a);
	free(b);
	free(c);
}

static void fill_dom(struct daemon *dm, const struct xb_domain *d, struct xbd_dom *pd)
{
	const struct xb_report *r = &d->report;

	memset(pd, 0, sizeof(*pd));
	pd->domid = d->xen.domid;
	pd->tot_kb = d->actual_kb;
	pd->static_max_kb = d->static_max_kb;
	pd->target_kb = d->has_target ? d->target_kb : d->actual_kb;
	read_policy(dm, d, pd);
	if (xb_report_has(r, XB_RF_MEM_TOTAL) && xb_report_has(r, XB_RF_MEM_AVAIL)) {
		pd->has_report = true;
		pd->mem_total_kb = r->num[XB_RF_MEM_TOTAL];
		pd->mem_avail_kb = r->num[XB_RF_MEM_AVAIL];
		pd->balloon_kb = xb_report_has(r, XB_RF_BALLOON) ?
				 r->num[XB_RF_BALLOON] : 0;
		pd->oom_deflates = xb_report_has(r, XB_RF_OOM_DEFLATES) ?
				   r->num[XB_RF_OOM_DEFLATES] : 0;
	}
}

static struct xbd_mem *store_find(struct daemon *dm, uint32_t domid)
{
	for (size_t i = 0; i < dm->n_store; i++)
		if (dm->store[i].valid && dm->store[i].domid == domid)
			return &dm->store[i];
	return NULL;
}

/* Keep the policy's memory of live domains only. */
static int store_put(struct daemon *dm, const struct xbd_mem *mem, size_t n)
{
	struct xbd_mem *s = calloc(n ? n : 1, sizeof(*s));

	if (!s)
		return -1;
	memcpy(s, mem, n * sizeof(*s));
	free(dm->store);
	dm->store = s;
	dm->n_store = n;
	return 0;
}

static void watch_domains(struct daemon *dm, const struct xb_snapshot *snap)
{
	uint32_t *nw = calloc(snap->n ? snap->n : 1, sizeof(*nw));
	char path[96];
	size_t n = 0;

	if (!nw)
		return;
	for (size_t i = 0; i < dm->n_watched; i++) {
		if (xballoon_snapshot_find(snap, dm->watched[i]))
			continue;
		snprintf(path, sizeof(path), "/local/domain/%u/data/xballoon/report",
			 dm->watched[i]);
		xsw_remove(dm->w, path, TOKEN_DOM);
		snprintf(path, sizeof(path), "/local/domain/%u/memory", dm->watched[i]);
		xsw_remove(dm->w, path, TOKEN_DOM);
	}
	for (size_t i = 0; i < snap->n; i++) {
		uint32_t domid = snap->doms[i].xen.domid;

		snprintf(path, sizeof(path), "/local/domain/%u/data/xballoon/report", domid);
		xsw_add(dm->w, path, TOKEN_DOM);
		snprintf(path, sizeof(path), "/local/domain/%u/memory", domid);
		xsw_add(dm->w, path, TOKEN_DOM);
		nw[n++] = domid;
	}
	free(dm->watched);
	dm->watched = nw;
	dm->n_watched = n;
}

static void mark_uncooperative(struct daemon *dm, uint32_t domid, bool on)
{
	char path[96];

	snprintf(path, sizeof(path), "/local/domain/%u/%s", domid, XBD_KEY_UNCOOP);
	if (on)
		xs_write(dm->xs, XBT_NULL, path, "1", 1);
	else
		xs_rm(dm->xs, XBT_NULL, path);
}

static void apply(struct daemon *dm, const struct xb_domain *d,
		  const struct xbd_dom *pd, const struct xbd_out *o)
{
	struct xb_size size = { .kind = XB_SIZE_ABS, .kb = o->target_kb };
	const char *why = NULL;

	logmsg(LOG_INFO,
	       "{\"event\":\"decision\",\"domid\":%u,\"name\":\"%s\",\"old_kb\":%llu,"
	       "\"new_kb\":%llu,\"maxmem_kb\":%llu,\"tot_kb\":%llu,\"used_kb\":%llu,"
	       "\"margin_kb\":%llu,\"need_kb\":%llu,\"pressure\":%s,\"reason\":\"%s\"%s}",
	       d->xen.domid, d->name, (unsigned long long)pd->target_kb,
	       (unsigned long long)o->target_kb, (unsigned long long)o->maxmem_kb,
	       (unsigned long long)pd->tot_kb, (unsigned long long)o->used_kb,
	       (unsigned long long)o->margin_kb, (unsigned long long)o->need_kb,
	       o->pressure ? "true" : "false", xbd_reason_name[o->reason],
	       dm->dry_run ? ",\"dry_run\":true" : "");
	if (dm->dry_run)
		return;
	if (xballoon_dom_set_target(dm->be, d, &size, XB_MAXMEM_FOLLOW, NULL, &why) ||
	    xballoon_dom_set_xen_maxmem(dm->be, d->xen.domid, o->maxmem_kb)) {
		logmsg(LOG_ERR, "dom %u: setting target %llu KiB failed: %s (%s)",
		       d->xen.domid, (unsigned long long)o->target_kb,
		       why ? why : "maxmem", strerror(errno));
	}
}

/* Reap dead creators' reservations; what the live ones take outside a claim. */
static uint64_t reservations(struct daemon *dm)
{
	struct xb_resv r[XB_RESV_MAX];
	size_t n = 0;
	int reaped = dm->dry_run ? 0 : xballoon_resv_reap(dm->be);

	if (reaped > 0)
		logmsg(LOG_INFO, "{\"event\":\"reservations-reaped\",\"count\":%d}", reaped);
	if (xballoon_resv_list(dm->be, r, XB_RESV_MAX, &n))
		return 0;
	return xballoon_resv_unclaimed_kb(r, n);
}

/* One decision: read everything, one policy step, apply. */
static int decide(struct daemon *dm, uint64_t now_ms)
{
	struct xb_snapshot snap;
	struct xbd_dom *pd = NULL;
	struct xbd_mem *mem = NULL;
	struct xbd_out *out = NULL;
	const struct xb_domain **dd = NULL;
	struct xbd_host host;
	size_t n = 0;
	int rc = -1;

	if (xballoon_snapshot_take(dm->be, &snap)) {
		logmsg(LOG_ERR, "snapshot failed: %s", strerror(errno));
		return -1;
	}
	watch_domains(dm, &snap);
	pd = calloc(snap.n ? snap.n : 1, sizeof(*pd));
	mem = calloc(snap.n ? snap.n : 1, sizeof(*mem));
	out = calloc(snap.n ? snap.n : 1, sizeof(*out));
	dd = calloc(snap.n ? snap.n : 1, sizeof(*dd));
	if (!pd || !mem || !out || !dd)
		goto out;
	for (size_t i = 0; i < snap.n; i++) {
		const struct xb_domain *d = &snap.doms[i];
		struct xbd_mem *m;

		if (d->xen.dying || d->xen.shutdown)
			continue;
		fill_dom(dm, d, &pd[n]);
		m = store_find(dm, d->xen.domid);
		if (m)
			mem[n] = *m;
		dd[n++] = d;
	}
	host.free_kb = snap.host_free_kb;
	host.reserved_kb = reservations(dm);
	xbd_policy_step(&dm->cfg.policy, &host, pd, mem, n, now_ms, out);
	for (size_t i = 0; i < n; i++) {
		struct xbd_mem *old = store_find(dm, pd[i].domid);
		bool was = old && old->uncooperative;

		if (out[i].managed && out[i].uncooperative != was) {
			logmsg(LOG_WARNING,
			       "{\"event\":\"uncooperative\",\"domid\":%u,\"name\":\"%s\",\"on\":%s,"
			       "\"tot_kb\":%llu,\"target_kb\":%llu}",
			       pd[i].domid, dd[i]->name, out[i].uncooperative ? "true" : "false",
			       (unsigned long long)pd[i].tot_kb,
			       (unsigned long long)pd[i].target_kb);
			if (!dm->dry_run)
				mark_uncooperative(dm, pd[i].domid, out[i].uncooperative);
		}
	}
	/* free before allocating: decreases first */
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < n; i++) {
			bool down = out[i].target_kb < pd[i].target_kb;

			if (out[i].change && down == (pass == 0))
				apply(dm, dd[i], &pd[i], &out[i]);
		}
	rc = store_put(dm, mem, n);
out:
	if (rc)
		logmsg(LOG_ERR, "decision failed: out of memory");
	free(pd);
	free(mem);
	free(out);
	free(dd);
	xballoon_snapshot_free(&snap);
	return rc;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: xballoond [--config PATH] [--once] [--dry-run] [--syslog]\n"
		"  -c, --config PATH  configuration (default " XBD_CONF_PATH ";\n"
		"                     a missing default file means the defaults)\n"
		"  -1, --once         one decision, then exit\n"
		"  -n, --dry-run      log decisions, change nothing\n"
		"  -s, --syslog       log to syslog instead of stderr\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "once", no_argument, NULL, '1' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "syslog", no_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct daemon dm = { 0 };
	const char *conf = NULL;
	char err[XBD_ERR_MAX];
	bool once = false, pending = true;
	uint64_t last_ms = 0, event_ms = 0;
	struct sigaction sa = { .sa_handler = on_signal };
	int c, rc = 1;

	while ((c = getopt_long(argc, argv, "c:1nsh", opts, NULL)) != -1) {
		switch (c) {
		case 'c': conf = optarg; break;
		case '1': once = true; break;
		case 'n': dm.dry_run = true; break;
		case 's': use_syslog = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	if (use_syslog)
		openlog("xballoond", LOG_PID, LOG_DAEMON);
	xbd_daemon_config_default(&dm.cfg);
	/* no --config and no default file: the defaults */
	if ((conf || access(XBD_CONF_PATH, F_OK) == 0) &&
	    xbd_config_load(conf ? conf : XBD_CONF_PATH, &dm.cfg, err)) {
		logmsg(LOG_ERR, "xballoond: bad configuration: %s", err);
		return 1;
	}
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	dm.be = xballoon_backend_xen_open();
	if (!dm.be) {
		logmsg(LOG_ERR, "xballoond: cannot open Xen/xenstore: %s", strerror(errno));
		return 1;
	}
	dm.xs = xballoon_backend_xs_handle(dm.be);
	dm.w = dm.xs ? xsw_open(&xsw_xs_ops, dm.xs, 0) : NULL;
	if (!dm.w || xsw_add(dm.w, "@introduceDomain", TOKEN_INTRO) ||
	    xsw_add(dm.w, "@releaseDomain", TOKEN_INTRO) ||
	    xsw_add(dm.w, XB_RESV_PATH, TOKEN_INTRO)) {
		logmsg(LOG_ERR, "xballoond: cannot watch xenstore: %s", strerror(errno));
		goto out;
	}
	if (!dm.dry_run)
		xballoon_daemon_announce(dm.be, (int32_t)getpid());
	logmsg(LOG_INFO,
	       "{\"event\":\"start\",\"reserve_kb\":%llu,\"margin_kb\":%llu,"
	       "\"headroom_kb\":%llu,\"resample_ms\":%llu,\"dry_run\":%s}",
	       (unsigned long long)dm.cfg.policy.reserve_kb,
	       (unsigned long long)dm.cfg.policy.margin_kb,
	       (unsigned long long)dm.cfg.policy.headroom_kb,
	       (unsigned long long)dm.cfg.resample_ms, dm.dry_run ? "true" : "false");
	while (!stop) {
		uint64_t now = xballoon_backend_now_ms(dm.be), wait_ms;
		struct pollfd pfd = { .fd = xsw_fd(dm.w), .events = POLLIN };
		char *path, *token;

		if (pending && now - event_ms >= DEBOUNCE_MS) {
			decide(&dm, now);
			last_ms = now;
			pending = false;
			if (once)
				break;
		}
		if (pending)
			wait_ms = DEBOUNCE_MS - (now - event_ms);
		else
			wait_ms = last_ms + dm.cfg.resample_ms > now ?
				  last_ms + dm.cfg.resample_ms - now : 0;
		if (poll(&pfd, 1, (int)wait_ms) < 0 && errno != EINTR)
			break;
		if (xsw_drain(dm.w) < 0 && xsw_conn_lost(errno)) {
			logmsg(LOG_ERR, "xballoond: lost xenstore; exiting (restart me)");
			goto out;
		}
		while (xsw_next(dm.w, &path, &token) == 1) {
			if (!pending)
				event_ms = xballoon_backend_now_ms(dm.be);
			pending = true;
			free(path);
			free(token);
		}
		now = xballoon_backend_now_ms(dm.be);
		if (!pending && now - last_ms >= dm.cfg.resample_ms) {
			pending = true;	/* the safety resample */
			event_ms = now - DEBOUNCE_MS;
		}
	}
	rc = 0;
	logmsg(LOG_INFO, "{\"event\":\"stop\"}");
out:
	if (!dm.dry_run)
		xballoon_daemon_announce(dm.be, 0);
	xsw_close(dm.w);
	xballoon_backend_close(dm.be);
	free(dm.store);
	free(dm.watched);
	return rc;
}
