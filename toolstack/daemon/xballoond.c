// SPDX-License-Identifier: GPL-2.0
/*
 * xballoond: the edge around policy.c. Reads the domains (libxballoon's
 * public header), their policy keys and reports (xenstore), runs one policy
 * step and applies the new targets and maxmem values, logging each decision
 * with its reason. Woken by xenstore watches (reports, policy keys, domains
 * coming and going) and at most once per resample period otherwise.
 *
 * Operating it: Type=notify (sd_notify READY, RELOADING, STOPPING, STATUS),
 * SIGHUP reloads the configuration (a bad file keeps the old one), SIGTERM
 * stops leaving the targets as they are, a lock in the run directory keeps a
 * second daemon from running, a lost xenstored is reconnected to, and every
 * change is one JSON line (log and XBD_XS_DECISION_DIR/<domid> for
 * `xballoon watch`); the status file is what `xballoon daemon-status` shows.
 *
 * With --metrics, a Prometheus endpoint (metrics.c) serves what `xballoon
 * list --prometheus` shows plus the daemon's counters.
 *
 *   xballoond [--config PATH] [--once] [--dry-run] [--syslog] [--run-dir DIR]
 *             [--metrics IPv4:PORT]
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>
#include <xenstore.h>
#include <yajl/yajl_tree.h>

#include "libxballoon.h"
#include "xsw.h"
#include "config.h"
#include "policy.h"
#include "audit.h"
#include "metrics.h"

#define DEBOUNCE_MS 200		/* at most one decision per this (a burst: one) */
#define TOKEN_DOM "dom"
#define TOKEN_INTRO "intro"
/* reconnecting to xenstored: 100 ms, doubling, at most 5 s between attempts */
#define RECONNECT_MIN_MS 100
#define RECONNECT_MAX_MS 5000

static volatile sig_atomic_t stop, reload;
static bool use_syslog;

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		reload = 1;
	else
		stop = 1;
}

static uint64_t wall_ms(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (uint64_t)tv.tv_sec * 1000 + (uint64_t)tv.tv_usec / 1000;
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
	/* operating it */
	const char *conf;		/* NULL: the defaults */
	char run_dir[256], status_path[320];
	int lock_fd;
	uint64_t started_ms;
	struct xbd_counters counters;
	struct xbd_last *last;		/* by domid, live domains only */
	size_t n_last;
	struct xbd_metrics *metrics;	/* --metrics, or NULL */
	/* this pass's timing, monotonic ms (the audit line's) */
	uint64_t pass_event_ms;		/* first event that led to it, 0: none */
	uint64_t pass_start_ms;
	uint64_t pass_snapshot_ms, pass_read_ms;
	/*
	 * What a pass reads again, the rest coming from the passes before:
	 * the policy keys of domains whose memory/ changed (a watch event),
	 * everything on a safety resample, a reload, a reconnect, or a domain
	 * or reservation coming or going. A guest's report alone (the common
	 * event, and a borrow's) costs no policy or reservation read.
	 */
	bool reread_all;
	struct pol_cache *pol;		/* by domid, the last pass's domains */
	size_t n_pol;
	uint64_t resv_kb;		/* reservations taken outside a claim */
};

/* A domain's policy keys as last read (xbd_policy_keys's result). */
struct pol_cache {
	uint32_t domid;
	bool stale;			/* its memory/ changed since */
	bool has_policy;
	uint64_t dyn_min_kb, dyn_max_kb;
	uint32_t weight;
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

/* What a watch event makes stale: PATH with TOKEN. */
static void event_stale(struct daemon *dm, const char *path, const char *token)
{
	unsigned int domid;
	int end = 0;

	if (strcmp(token, TOKEN_DOM)) {
		dm->reread_all = true;	/* domains or reservations came or went */
		return;
	}
	if (sscanf(path, "/local/domain/%u/memory%n", &domid, &end) != 1 || !end ||
	    (path[end] != '\0' && path[end] != '/'))
		return;
	for (size_t i = 0; i < dm->n_pol; i++)
		if (dm->pol[i].domid == domid)
			dm->pol[i].stale = true;
}

/* DOMID's cached policy keys, NULL when they must be read. */
static const struct pol_cache *pol_cached(const struct daemon *dm, uint32_t domid)
{
	if (dm->reread_all)
		return NULL;
	for (size_t i = 0; i < dm->n_pol; i++)
		if (dm->pol[i].domid == domid)
			return dm->pol[i].stale ? NULL : &dm->pol[i];
	return NULL;
}

static void fill_dom(struct daemon *dm, const struct xb_domain *d, struct xbd_dom *pd,
		     struct pol_cache *pc)
{
	const struct xb_report *r = d->report;
	const struct pol_cache *old = pol_cached(dm, d->xen.domid);
	uint64_t psi;

	memset(pd, 0, sizeof(*pd));
	pd->domid = d->xen.domid;
	pd->tot_kb = d->actual_kb;
	pd->static_max_kb = d->static_max_kb;
	pd->target_kb = d->has_target ? d->target_kb : d->actual_kb;
	if (old) {
		*pc = *old;
	} else {
		read_policy(dm, d, pd);
		pc->domid = pd->domid;
		pc->has_policy = pd->has_policy;
		pc->dyn_min_kb = pd->dyn_min_kb;
		pc->dyn_max_kb = pd->dyn_max_kb;
		pc->weight = pd->weight;
	}
	pd->has_policy = pc->has_policy;
	pd->dyn_min_kb = pc->dyn_min_kb;
	pd->dyn_max_kb = pc->dyn_max_kb;
	pd->weight = pc->weight;
	if (xballoon_report_get(r, XB_RF_MEM_TOTAL, &pd->mem_total_kb) &&
	    xballoon_report_get(r, XB_RF_MEM_AVAIL, &pd->mem_avail_kb)) {
		pd->has_report = true;
		/* each stays 0 (from the memset) when the report lacks it */
		xballoon_report_get(r, XB_RF_BALLOON, &pd->balloon_kb);
		xballoon_report_get(r, XB_RF_OOM_DEFLATES, &pd->oom_deflates);
		/* the library drops an avg10 above 100 % */
		pd->has_psi = xballoon_report_get(r, XB_RF_PSI_SOME_AVG10, &psi);
		pd->psi_some_avg10_milli = pd->has_psi ? (uint32_t)psi : 0;
	} else {
		pd->mem_total_kb = 0;
	}
}

static struct xbd_mem *store_find(struct daemon *dm, uint32_t domid)
{
	for (size_t i = 0; i < dm->n_store; i++)
		if (dm->store[i].valid && dm->store[i].domid == domid)
			return &dm->store[i];
	return NULL;
}

/*
 * A restart changes nothing by itself: at the first decision, a domain's
 * margin is taken back from the last decision the previous daemon
 * published for it (XBD_XS_DECISION_DIR/<domid>, dom0-only), when that was
 * a decision about a domain of the same name; else the policy starts from
 * the configured margin. Returns true when *M was seeded.
 */
static bool resume_mem(struct daemon *dm, const struct xb_domain *d, struct xbd_mem *m)
{
	const char *kev[] = { "event", NULL }, *kname[] = { "name", NULL };
	const char *kmargin[] = { "margin_kb", NULL };
	const struct xbd_config *p = &dm->cfg.policy;
	yajl_val t, ev, name, margin;
	unsigned int len = 0;
	char path[96], err[64], *text;
	bool ok = false;

	snprintf(path, sizeof(path), XBD_XS_DECISION_DIR "/%u", d->xen.domid);
	text = xs_read(dm->xs, XBT_NULL, path, &len);
	if (!text)
		return false;
	t = len < 4096 ? yajl_tree_parse(text, err, sizeof(err)) : NULL;
	free(text);
	ev = t ? yajl_tree_get(t, kev, yajl_t_string) : NULL;
	name = t ? yajl_tree_get(t, kname, yajl_t_string) : NULL;
	margin = t ? yajl_tree_get(t, kmargin, yajl_t_number) : NULL;
	if (ev && name && margin && YAJL_IS_INTEGER(margin) && YAJL_GET_INTEGER(margin) > 0 &&
	    !strcmp(ev->u.string, "decision") && !strcmp(name->u.string, d->name)) {
		uint64_t mk = (uint64_t)YAJL_GET_INTEGER(margin);

		mk = mk < p->margin_min_kb ? p->margin_min_kb : mk;
		mk = mk > p->margin_max_kb ? p->margin_max_kb : mk;
		memset(m, 0, sizeof(*m));
		m->domid = d->xen.domid;
		m->valid = true;
		m->margin_kb = mk;
		logmsg(LOG_INFO, "{\"event\":\"resume\",\"domid\":%u,\"margin_kb\":%llu}",
		       d->xen.domid, (unsigned long long)mk);
		ok = true;
	}
	yajl_tree_free(t);
	return ok;
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
		if (!dm->dry_run) {
			snprintf(path, sizeof(path), XBD_XS_DECISION_DIR "/%u", dm->watched[i]);
			xs_rm(dm->xs, XBT_NULL, path);
		}
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

static struct xbd_last *last_find(struct xbd_last *last, size_t n, uint32_t domid)
{
	for (size_t i = 0; i < n; i++)
		if (last[i].valid && last[i].domid == domid)
			return &last[i];
	return NULL;
}

/* For `xballoon watch`: the daemon's last action on DOMID, dom0-only. */
static void publish(struct daemon *dm, uint32_t domid, const char *line)
{
	char path[96];

	if (!line)
		return;
	snprintf(path, sizeof(path), XBD_XS_DECISION_DIR "/%u", domid);
	if (!xs_write(dm->xs, XBT_NULL, path, line, strlen(line)))
		logmsg(LOG_WARNING, "dom %u: cannot write %s: %s", domid, path,
		       strerror(errno));
}

/* Log one change (one JSON line), publish it in xenstore, make it. */
static void apply(struct daemon *dm, const struct xb_domain *d,
		  const struct xbd_dom *pd, const struct xbd_out *o,
		  struct xbd_last *last)
{
	struct xb_size size = { .kind = XB_SIZE_ABS, .kb = o->target_kb };
	uint64_t ts = wall_ms(), now = xballoon_backend_now_ms(dm->be);
	bool ev = dm->pass_event_ms && dm->pass_start_ms >= dm->pass_event_ms;
	struct xbd_timing t = {
		.event = ev,
		.lag_ms = ev ? now - dm->pass_event_ms : 0,
		.wait_ms = ev ? dm->pass_start_ms - dm->pass_event_ms : 0,
		.snapshot_ms = dm->pass_snapshot_ms,
		.read_ms = dm->pass_read_ms,
	};
	char *line = xbd_json_decision(ts, d->name, pd, o, &t, dm->dry_run);
	const char *why = NULL;

	if (line)
		logmsg(LOG_INFO, "%s", line);
	else
		logmsg(LOG_ERR, "dom %u: out of memory logging a decision", d->xen.domid);
	if (dm->dry_run) {
		free(line);
		return;
	}
	last->domid = d->xen.domid;
	last->valid = true;
	last->ts_ms = ts;
	last->old_kb = pd->target_kb;
	last->new_kb = o->target_kb;
	last->maxmem_kb = o->maxmem_kb;
	last->reason = o->reason;
	last->failed = false;
	dm->counters.changes++;
	/*
	 * The target and the headroom in one step (maxmem first, so the guest
	 * is never capped at its new target in between); the published line
	 * waits.
	 */
	if (xballoon_dom_set_target_maxmem(dm->be, d, &size, o->maxmem_kb, NULL,
					   &why)) {
		logmsg(LOG_ERR,
		       "{\"event\":\"failed\",\"domid\":%u,\"new_kb\":%llu,\"error\":\"%s (%s)\"}",
		       d->xen.domid, (unsigned long long)o->target_kb,
		       why ? why : "unknown", strerror(errno));
		last->failed = true;
		dm->counters.failures++;
	}
	publish(dm, d->xen.domid, line);
	free(line);
}

static void write_status(struct daemon *dm, const char *state, uint64_t free_kb,
			 const struct xbd_dom *pd, const struct xbd_out *out,
			 const char *const *names, const struct xbd_last *last, size_t n)
{
	struct xbd_status st = {
		.pid = (int)getpid(), .state = state, .config_path = dm->conf,
		.started_ms = dm->started_ms, .updated_ms = wall_ms(),
		.cfg = &dm->cfg, .counters = &dm->counters, .host_free_kb = free_kb,
		.n = n, .doms = pd, .outs = out, .names = names, .last = last,
	};

	if (dm->dry_run || !dm->status_path[0])
		return;
	if (xbd_status_write(dm->status_path, &st))
		logmsg(LOG_WARNING, "cannot write %s: %s", dm->status_path, strerror(errno));
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
	const char **names = NULL;
	struct xbd_last *last = NULL;
	struct pol_cache *pol = NULL;
	struct xbd_host host;
	size_t n = 0;
	int rc = -1;

	if (xballoon_snapshot_take(dm->be, &snap)) {
		logmsg(LOG_ERR, "snapshot failed: %s", strerror(errno));
		return -1;
	}
	dm->pass_start_ms = now_ms;
	dm->pass_snapshot_ms = xballoon_backend_now_ms(dm->be) - now_ms;
	watch_domains(dm, &snap);
	pd = calloc(snap.n ? snap.n : 1, sizeof(*pd));
	mem = calloc(snap.n ? snap.n : 1, sizeof(*mem));
	out = calloc(snap.n ? snap.n : 1, sizeof(*out));
	dd = calloc(snap.n ? snap.n : 1, sizeof(*dd));
	names = calloc(snap.n ? snap.n : 1, sizeof(*names));
	last = calloc(snap.n ? snap.n : 1, sizeof(*last));
	pol = calloc(snap.n ? snap.n : 1, sizeof(*pol));
	if (!pd || !mem || !out || !dd || !names || !last || !pol)
		goto out;
	for (size_t i = 0; i < snap.n; i++) {
		const struct xb_domain *d = &snap.doms[i];
		struct xbd_mem *m;
		struct xbd_last *l;

		if (d->xen.dying || d->xen.shutdown)
			continue;
		fill_dom(dm, d, &pd[n], &pol[n]);
		m = store_find(dm, d->xen.domid);
		if (m)
			mem[n] = *m;
		else if (!dm->counters.decisions)
			resume_mem(dm, d, &mem[n]);
		l = last_find(dm->last, dm->n_last, d->xen.domid);
		if (l)
			last[n] = *l;
		names[n] = d->name;
		dd[n++] = d;
	}
	host.free_kb = snap.host_free_kb;
	if (dm->reread_all)
		dm->resv_kb = reservations(dm);
	host.reserved_kb = dm->resv_kb;
	/* what was read is the cache now */
	free(dm->pol);
	dm->pol = pol;
	dm->n_pol = n;
	pol = NULL;
	dm->reread_all = false;
	dm->pass_read_ms = xballoon_backend_now_ms(dm->be) - now_ms - dm->pass_snapshot_ms;
	xbd_policy_step(&dm->cfg.policy, &host, pd, mem, n, now_ms, out);
	dm->counters.decisions++;
	for (size_t i = 0; i < n; i++) {
		struct xbd_mem *old = store_find(dm, pd[i].domid);
		bool was = old && old->uncooperative;

		if (out[i].managed && out[i].uncooperative != was) {
			char *line = xbd_json_uncoop(wall_ms(), dd[i]->name, &pd[i],
						     out[i].uncooperative);

			if (line)
				logmsg(LOG_WARNING, "%s", line);
			if (out[i].uncooperative)
				dm->counters.uncooperative++;
			if (!dm->dry_run) {
				mark_uncooperative(dm, pd[i].domid, out[i].uncooperative);
				publish(dm, pd[i].domid, line);
			}
			free(line);
		}
	}
	/* free before allocating: decreases first */
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < n; i++) {
			bool down = out[i].target_kb < pd[i].target_kb;

			if (out[i].change && down == (pass == 0))
				apply(dm, dd[i], &pd[i], &out[i], &last[i]);
		}
	write_status(dm, "balancing", snap.host_free_kb, pd, out, names, last, n);
	rc = store_put(dm, mem, n);
	if (!rc) {
		free(dm->last);
		dm->last = last;
		dm->n_last = n;
		last = NULL;
	}
out:
	if (rc)
		logmsg(LOG_ERR, "decision failed: out of memory");
	free(pd);
	free(mem);
	free(out);
	free(dd);
	free(names);
	free(last);
	free(pol);
	xballoon_snapshot_free(&snap);
	return rc;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: xballoond [--config PATH] [--once] [--dry-run] [--syslog] [--run-dir DIR]\n"
		"  -c, --config PATH  configuration (default " XBD_CONF_PATH ";\n"
		"                     a missing default file means the defaults)\n"
		"  -1, --once         one decision, then exit\n"
		"  -n, --dry-run      log decisions, change nothing (no lock, no status)\n"
		"  -s, --syslog       log to syslog instead of stderr\n"
		"  -r, --run-dir DIR  lock and status file (default " XBD_RUN_DIR ")\n"
		"  -m, --metrics IPv4:PORT  serve Prometheus /metrics there (e.g.\n"
		"                     127.0.0.1:9101): list --prometheus and the counters\n");
}

/* The configuration at start-up and on SIGHUP: into *C, or an error in ERR. */
static int load_config(const char *conf, struct xbd_daemon_config *c, char *err)
{
	xbd_daemon_config_default(c);
	/* no --config and no default file: the defaults */
	if (!conf && access(XBD_CONF_PATH, F_OK) != 0)
		return 0;
	return xbd_config_load(conf ? conf : XBD_CONF_PATH, c, err);
}

static void log_config(const char *event, const struct daemon *dm)
{
	logmsg(LOG_INFO,
	       "{\"event\":\"%s\",\"pid\":%d,\"reserve_kb\":%llu,\"margin_kb\":%llu,"
	       "\"headroom_kb\":%llu,\"resample_ms\":%llu,\"dry_run\":%s}",
	       event, (int)getpid(), (unsigned long long)dm->cfg.policy.reserve_kb,
	       (unsigned long long)dm->cfg.policy.margin_kb,
	       (unsigned long long)dm->cfg.policy.headroom_kb,
	       (unsigned long long)dm->cfg.resample_ms, dm->dry_run ? "true" : "false");
}

/*
 * SIGHUP: read the configuration again. A file that does not parse keeps
 * the old configuration (and says why); the policy's memory is kept.
 */
static void do_reload(struct daemon *dm)
{
	struct xbd_daemon_config c;
	char err[XBD_ERR_MAX] = "";

	sd_notifyf(0, "RELOADING=1\nSTATUS=reloading %s",
		   dm->conf ? dm->conf : XBD_CONF_PATH);
	if (load_config(dm->conf, &c, err)) {
		dm->counters.reload_failures++;
		/* ERR is ours (config.c), but it names keys from the file: keep it
		 * out of the JSON quoting */
		for (char *p = err; *p; p++)
			if (*p == '"' || *p == '\\' || (unsigned char)*p < 0x20)
				*p = '\'';
		logmsg(LOG_ERR,
		       "{\"event\":\"reload\",\"ok\":false,\"error\":\"%s\",\"kept\":\"the previous configuration\"}",
		       err);
	} else {
		dm->cfg = c;
		dm->counters.reloads++;
		log_config("reload", dm);
	}
	sd_notify(0, "READY=1\nSTATUS=balancing");
}

/*
 * One daemon per host: an exclusive flock on RUN_DIR/xballoond.lock, held
 * for the daemon's life (the kernel drops it on any exit, kill -9 included).
 * The file holds the holder's pid, for the message.
 */
static int take_lock(struct daemon *dm)
{
	char path[320], pid[32];
	ssize_t r;
	int fd, n;

	if (mkdir(dm->run_dir, 0755) && errno != EEXIST) {
		logmsg(LOG_ERR, "xballoond: cannot create %s: %s", dm->run_dir, strerror(errno));
		return -1;
	}
	snprintf(path, sizeof(path), "%s/" XBD_LOCK_FILE, dm->run_dir);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		logmsg(LOG_ERR, "xballoond: cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		int err = errno;

		r = read(fd, pid, sizeof(pid) - 1);
		pid[r > 0 ? r : 0] = '\0';
		pid[strcspn(pid, "\n")] = '\0';
		if (err == EWOULDBLOCK)
			logmsg(LOG_ERR,
			       "xballoond: another xballoond (pid %s) is running: it holds %s; refusing to run",
			       pid[0] ? pid : "?", path);
		else
			logmsg(LOG_ERR, "xballoond: cannot lock %s: %s", path, strerror(err));
		close(fd);
		return -1;
	}
	n = snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
	if (ftruncate(fd, 0) || pwrite(fd, pid, (size_t)n, 0) != n)
		logmsg(LOG_WARNING, "xballoond: cannot write the pid to %s", path);
	dm->lock_fd = fd;
	snprintf(dm->status_path, sizeof(dm->status_path), "%s/" XBD_STATUS_FILE,
		 dm->run_dir);
	return 0;
}

/* xsw_reconnect_loop's ops: the backend's new connection; a sleep that ends early. */
static void *reopen_xs(void *ctx)
{
	struct daemon *dm = ctx;

	if (xballoon_backend_xs_reopen(dm->be))
		return NULL;
	dm->xs = xballoon_backend_xs_handle(dm->be);
	return dm->xs;
}

static int backoff_sleep(void *ctx, unsigned int ms)
{
	(void)ctx;
	if (stop)
		return 1;
	poll(NULL, 0, (int)ms);		/* SIGTERM ends it (EINTR) */
	return stop;
}

static const struct xsw_reconnect_ops reconnect_ops = {
	.reopen = reopen_xs,
	.sleep = backoff_sleep,
};

/*
 * xenstored went away (restarted, killed): reconnect with backoff until it
 * works or SIGTERM, re-arm every watch, and have the caller decide again
 * from a fresh snapshot. 0 reconnected, 1 told to stop meanwhile.
 */
static int reconnect(struct daemon *dm, const char *why)
{
	uint64_t t0 = xballoon_backend_now_ms(dm->be);
	struct xsw_backoff b;
	int attempts;

	logmsg(LOG_ERR, "{\"event\":\"xenstore-lost\",\"detail\":\"%s\"}", why);
	sd_notifyf(0, "STATUS=reconnecting to xenstored (%s)", why);
	write_status(dm, "reconnecting", 0, NULL, NULL, NULL, NULL, 0);
	xsw_backoff_init(&b, RECONNECT_MIN_MS, RECONNECT_MAX_MS);
	attempts = xsw_reconnect_loop(dm->w, &reconnect_ops, dm, &b);
	if (attempts < 0)
		return 1;
	/*
	 * xsw_reconnect() registered every armed watch again; the next
	 * decision adds any a failing xsw_add missed and drops those of
	 * domains that went away meanwhile
	 */
	dm->counters.reconnects++;
	dm->reread_all = true;	/* whatever changed meanwhile */
	logmsg(LOG_WARNING,
	       "{\"event\":\"reconnect\",\"attempts\":%d,\"ms\":%llu}", attempts,
	       (unsigned long long)(xballoon_backend_now_ms(dm->be) - t0));
	sd_notify(0, "STATUS=balancing");
	return 0;
}

/* One scrape: a fresh view as `list --prometheus`, then the daemon's own. */
static char *metrics_body(void *ctx, size_t *len_r)
{
	struct daemon *dm = ctx;

	return xbd_metrics_body(dm->be, &dm->counters, dm->started_ms, len_r);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "once", no_argument, NULL, '1' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "syslog", no_argument, NULL, 's' },
		{ "run-dir", required_argument, NULL, 'r' },
		{ "metrics", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct daemon dm = { .lock_fd = -1, .reread_all = true };
	char err[XBD_ERR_MAX];
	bool once = false, pending = true;
	uint64_t last_ms = 0, event_ms = 0, first_ev_ms = 0;
	struct sigaction sa = { .sa_handler = on_signal };
	const char *run_dir = XBD_RUN_DIR;
	struct sockaddr_in metrics_sa;
	bool metrics = false;
	char merr[XBD_ERR_LEN];
	int c, rc = 1;

	while ((c = getopt_long(argc, argv, "c:1nsr:m:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c': dm.conf = optarg; break;
		case '1': once = true; break;
		case 'n': dm.dry_run = true; break;
		case 's': use_syslog = true; break;
		case 'r': run_dir = optarg; break;
		case 'm':
			if (xbd_metrics_parse_addr(optarg, &metrics_sa, merr)) {
				fprintf(stderr, "xballoond: --metrics %s\n", merr);
				return 2;
			}
			metrics = true;
			break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc || !run_dir[0] || strlen(run_dir) >= sizeof(dm.run_dir)) {
		usage(stderr);
		return 2;
	}
	snprintf(dm.run_dir, sizeof(dm.run_dir), "%s", run_dir);
	if (use_syslog)
		openlog("xballoond", LOG_PID, LOG_DAEMON);
	if (load_config(dm.conf, &dm.cfg, err)) {
		logmsg(LOG_ERR, "xballoond: bad configuration: %s", err);
		return 1;
	}
	if (!dm.dry_run && take_lock(&dm))
		return 1;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	dm.started_ms = wall_ms();
	dm.be = xballoon_backend_xen_open();
	if (!dm.be) {
		logmsg(LOG_ERR, "xballoond: cannot open Xen/xenstore: %s", strerror(errno));
		goto out;
	}
	dm.xs = xballoon_backend_xs_handle(dm.be);
	dm.w = dm.xs ? xsw_open(&xsw_xs_ops, dm.xs, 0) : NULL;
	if (!dm.w || xsw_add(dm.w, "@introduceDomain", TOKEN_INTRO) ||
	    xsw_add(dm.w, "@releaseDomain", TOKEN_INTRO) ||
	    xsw_add(dm.w, XB_RESV_PATH, TOKEN_INTRO)) {
		logmsg(LOG_ERR, "xballoond: cannot watch xenstore: %s", strerror(errno));
		goto out;
	}
	if (metrics) {
		dm.metrics = xbd_metrics_start(&metrics_sa, metrics_body, &dm, merr);
		if (!dm.metrics) {
			logmsg(LOG_ERR, "xballoond: --metrics: %s", merr);
			goto out;
		}
	}
	if (!dm.dry_run)
		xballoon_daemon_announce(dm.be, (int32_t)getpid());
	log_config("start", &dm);
	sd_notify(0, "READY=1\nSTATUS=balancing");
	while (!stop) {
		uint64_t now = xballoon_backend_now_ms(dm.be), wait_ms;
		struct pollfd pfd[2] = {
			{ .fd = xsw_fd(dm.w), .events = POLLIN },
			{ .fd = dm.metrics ? xbd_metrics_fd(dm.metrics) : -1, .events = POLLIN },
		};
		char *path, *token;
		int r = 0;

		if (reload) {
			reload = 0;
			do_reload(&dm);
			dm.reread_all = true;
			pending = true;
			event_ms = now - DEBOUNCE_MS;
		}
		if (pending && now - event_ms >= DEBOUNCE_MS) {
			dm.pass_event_ms = first_ev_ms;
			first_ev_ms = 0;
			if (decide(&dm, now) && xsw_drain(dm.w) < 0)
				r = reconnect(&dm, "xenstored closed the connection");
			last_ms = now;
			pending = r == 0 ? false : pending;
			if (r)
				break;
			if (once)
				break;
			continue;	/* a reconnect: look again at once */
		}
		if (pending)
			wait_ms = DEBOUNCE_MS - (now - event_ms);
		else
			wait_ms = last_ms + dm.cfg.resample_ms > now ?
				  last_ms + dm.cfg.resample_ms - now : 0;
		if (dm.metrics) {
			int mt = xbd_metrics_timeout_ms(dm.metrics);

			if (mt >= 0 && (uint64_t)mt < wait_ms)
				wait_ms = (uint64_t)mt;
		}
		if (poll(pfd, 2, (int)wait_ms) < 0 && errno != EINTR)
			break;
		if (stop)
			break;
		if (dm.metrics)
			xbd_metrics_run(dm.metrics);	/* never blocks */
		/* a lost connection never makes the fd readable: drain says so */
		if (pfd[0].revents & (POLLHUP | POLLERR | POLLNVAL))
			r = reconnect(&dm, "hang-up on its descriptor");
		else if (xsw_drain(dm.w) < 0 && xsw_conn_lost(errno))
			r = reconnect(&dm, "xenstored closed the connection");
		if (r)
			break;
		while (xsw_next(dm.w, &path, &token) == 1) {
			uint64_t t = xballoon_backend_now_ms(dm.be);

			/*
			 * At once after a quiet spell; within a burst, at most
			 * one decision per DEBOUNCE_MS (from the last one).
			 */
			if (!pending)
				event_ms = t < last_ms + DEBOUNCE_MS ? last_ms :
					   t - DEBOUNCE_MS;
			if (!first_ev_ms)
				first_ev_ms = t;
			event_stale(&dm, path, token);
			pending = true;
			free(path);
			free(token);
		}
		now = xballoon_backend_now_ms(dm.be);
		if (!pending && now - last_ms >= dm.cfg.resample_ms) {
			pending = true;	/* the safety resample: all read again */
			dm.reread_all = true;
			event_ms = now - DEBOUNCE_MS;
		}
	}
	rc = 0;
	sd_notify(0, "STOPPING=1\nSTATUS=stopping; targets left as they are");
	write_status(&dm, "stopped", 0, NULL, NULL, NULL, NULL, 0);
	logmsg(LOG_INFO, "{\"event\":\"stop\"}");
out:
	xbd_metrics_stop(dm.metrics);
	if (!dm.dry_run)
		xballoon_daemon_announce(dm.be, 0);
	xsw_close(dm.w);
	if (dm.be)
		xballoon_backend_close(dm.be);
	free(dm.store);
	free(dm.pol);
	free(dm.watched);
	free(dm.last);
	if (dm.lock_fd >= 0)
		close(dm.lock_fd);
	return rc;
}
