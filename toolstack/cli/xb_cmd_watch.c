// SPDX-License-Identifier: GPL-2.0
/*
 * xballoon watch: stream memory events for all domains.
 *
 * xenstore watches (via xenstore-watch) on @introduceDomain, @releaseDomain
 * and, per domain, memory, name and data/xballoon/report tell when to look;
 * Xen's tot_pages has no event, so Xen's numbers alone (one domain list, one
 * physinfo) are sampled every --interval. Events are differences between
 * consecutive views, so a burst of writes to one key is one re-read (at most
 * one per --rate). A report write re-reads that one key; anything else
 * (memory keys, names, domains coming and going, overflow) a full snapshot.
 * Whatever a guest writes costs dom0 bounded work.
 *
 * When xenstored goes away (restarted, killed), the connection is lost for
 * good: watch notices it (see xs_alive()), reconnects with backoff until it
 * works or it is told to stop, re-arms its watches, says so (stderr and a
 * reconnect event), and takes a fresh snapshot whose differences are the
 * events it missed.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <xenstore.h>
#include <xsw.h>

#include "xb_cli.h"

#define WATCH_TOKEN_INTRO "intro"
#define WATCH_TOKEN_RELEASE "release"
#define WATCH_TOKEN_DECISION "decision"
/* xballoond's decisions, one dom0-only key per domain (docs/xenstore-keys.md) */
#define DECISION_DIR "/tool/xballoon/decision"
/* reconnecting: 100 ms, doubling, at most 5 s between attempts */
#define RECONNECT_MIN_MS 100
#define RECONNECT_MAX_MS 5000

struct watcher {
	struct xb_cli *cli;
	struct xsw *xsw;
	yajl_gen g;
	struct xb_snapshot cur;
	bool have_cur;
	struct xb_progress *prog;	/* one per domain of cur, same order */
	uint64_t stuck_ms;
	unsigned long long events;
	/* after events: domains whose report alone changed, or everything */
	uint32_t dirty[64];
	size_t n_dirty;
	bool full;
	uint64_t deadline_ms;		/* --duration, monotonic; 0: none */
	char detail[192];		/* the reconnect event's text */
};

static uint64_t wall_ms(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (uint64_t)tv.tv_sec * 1000 + (uint64_t)tv.tv_usec / 1000;
}

static void emit(void *ctx, const struct xb_event *ev)
{
	struct watcher *w = ctx;

	w->events++;
	if (w->g) {
		xb_json_event(w->g, ev);
		xb_json_flush(w->g, w->cli->out);
	} else {
		xb_text_event(w->cli->out, ev);
		fputc('\n', w->cli->out);
		fflush(w->cli->out);
	}
}

/*
 * A decision xballoond published (PATH = DECISION_DIR/<domid>): its JSON
 * line, parsed (dom0 wrote it; still parsed, never copied as text), as a
 * "decision" event. A removed key (the domain went away) is no event.
 */
static void decision(struct watcher *w, const char *path)
{
	size_t dl = strlen(DECISION_DIR "/");
	void *xsh = xballoon_backend_xs_handle(w->cli->be);
	yajl_val t, v;
	char *text, err[128];
	unsigned int len = 0;
	uint64_t id, ts = wall_ms();
	const char *keys[] = { NULL, NULL };

	if (strncmp(path, DECISION_DIR "/", dl) ||
	    xballoon_xs_u64(path + dl, strlen(path + dl), &id) || id > UINT32_MAX || !xsh)
		return;
	text = xs_read(xsh, XBT_NULL, path, &len);
	if (!text)
		return;
	t = len < 4096 ? yajl_tree_parse(text, err, sizeof(err)) : NULL;
	free(text);
	if (!t || !YAJL_IS_OBJECT(t)) {
		yajl_tree_free(t);
		return;
	}
	w->events++;
	if (w->g) {
		xb_json_open_doc(w->g, NULL);
		xb_json_u64(w->g, "ts_ms", ts);
		xb_json_str(w->g, "event", "decision");
		xb_json_u64(w->g, "domid", id);
		keys[0] = "name";
		v = yajl_tree_get(t, keys, yajl_t_string);
		xb_json_str(w->g, "name", v && v->u.string ? v->u.string : "");
		xb_json_key(w->g, "decision");
		xb_json_tree(w->g, t);
		yajl_gen_map_close(w->g);
		xb_json_flush(w->g, w->cli->out);
	} else {
		static const char *const f[] = { "old_kb", "new_kb", "maxmem_kb", "need_kb" };
		uint64_t n[4] = { 0 };
		char a[4][16], name[64];
		const char *nm = "-";
		time_t secs = (time_t)(ts / 1000);
		char when[16];
		struct tm tm;

		for (size_t i = 0; i < 4; i++) {
			keys[0] = f[i];
			v = yajl_tree_get(t, keys, yajl_t_number);
			n[i] = v && YAJL_IS_INTEGER(v) && YAJL_GET_INTEGER(v) > 0 ?
			       (uint64_t)YAJL_GET_INTEGER(v) : 0;
			xballoon_size_fmt(n[i], a[i], sizeof(a[i]));
		}
		keys[0] = "name";
		v = yajl_tree_get(t, keys, yajl_t_string);
		if (v && v->u.string)
			nm = v->u.string;
		xballoon_xs_name(nm, strlen(nm), name, sizeof(name));
		keys[0] = "event";
		v = yajl_tree_get(t, keys, yajl_t_string);
		localtime_r(&secs, &tm);
		strftime(when, sizeof(when), "%H:%M:%S", &tm);
		if (v && v->u.string && !strcmp(v->u.string, "uncooperative")) {
			keys[0] = "on";
			fprintf(w->cli->out, "%s.%03u %-11s %s(%" PRIu64 ") uncooperative %s\n",
				when, (unsigned)(ts % 1000), "decision", name, id,
				YAJL_IS_TRUE(yajl_tree_get(t, keys, yajl_t_any)) ?
				"(marked)" : "no more");
		} else {
			keys[0] = "reason";
			v = yajl_tree_get(t, keys, yajl_t_string);
			fprintf(w->cli->out,
				"%s.%03u %-11s %s(%" PRIu64 ") %s -> %s maxmem %s need %s reason=%s\n",
				when, (unsigned)(ts % 1000), "decision", name, id, a[0], a[1],
				a[2], a[3], v && v->u.string ? v->u.string : "?");
		}
		fflush(w->cli->out);
	}
	yajl_tree_free(t);
}

static void dom_watches(struct watcher *w, uint32_t domid, bool add)
{
	static const char *const keys[] = { "memory", "name", "data/xballoon/report" };
	char path[96], token[32];

	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
		snprintf(path, sizeof(path), "/local/domain/%" PRIu32 "/%s", domid, keys[k]);
		snprintf(token, sizeof(token), "d%" PRIu32, domid);
		if (add)
			xsw_add(w->xsw, path, token);
		else
			xsw_remove(w->xsw, path, token);
	}
}

/*
 * Is the connection to xenstored still there? libxenstore's reader thread
 * closes a connection xenstored dropped without waking the poll descriptor;
 * draining (xs_check_watch) is what fails then. Asked before a re-read's
 * differences are emitted, so that keys unreadable because xenstored died
 * are not reported as removed.
 */
static bool xs_alive(struct watcher *w)
{
	return xsw_drain(w->xsw) >= 0;
}

/* Take a new snapshot, derive states with history, emit the differences. */
static int refresh(struct watcher *w)
{
	struct xb_backend *be = w->cli->be;
	struct xb_snapshot next;
	struct xb_progress *prog;
	uint64_t now = xballoon_backend_now_ms(be);
	size_t i;

	if (xballoon_snapshot_take(be, &next))
		return -1;
	if (!xs_alive(w)) {
		xballoon_snapshot_free(&next);
		errno = ECONNRESET;
		return -1;
	}
	prog = calloc(next.n ? next.n : 1, sizeof(*prog));
	if (!prog) {
		xballoon_snapshot_free(&next);
		return -1;
	}
	for (i = 0; i < next.n; i++) {
		struct xb_domain *d = &next.doms[i];
		const struct xb_domain *old = w->have_cur ?
			xballoon_snapshot_find(&w->cur, d->xen.domid) : NULL;

		if (old) {
			prog[i] = w->prog[old - w->cur.doms];
			/* a domain being destroyed loses its name first */
			if (!d->name[0] && old->name[0]) {
				char *n = strdup(old->name);

				if (n) {	/* else it stays unnamed */
					free(d->name);
					d->name = n;
				}
			}
		}
		d->state = xballoon_derive_state(d, &prog[i], now, w->stuck_ms);
		if (!old)
			dom_watches(w, d->xen.domid, true);
	}
	for (i = 0; w->have_cur && i < w->cur.n; i++)
		if (!xballoon_snapshot_find(&next, w->cur.doms[i].xen.domid))
			dom_watches(w, w->cur.doms[i].xen.domid, false);
	xballoon_events_snapshot(w->have_cur ? &w->cur : NULL, &next, wall_ms(), emit, w);
	if (w->have_cur)
		xballoon_snapshot_free(&w->cur);
	free(w->prog);
	w->cur = next;
	w->prog = prog;
	w->have_cur = true;
	return 0;
}

/*
 * A tick: only Xen's numbers (actual, host) change without a xenstore event,
 * so re-read just those, unless domains came or went.
 */
static int refresh_xen(struct watcher *w)
{
	struct xb_backend *be = w->cli->be;
	struct xb_snapshot next;
	uint64_t now;
	int rc;

	if (!w->have_cur)
		return refresh(w);
	next = w->cur;
	next.doms = malloc((next.n ? next.n : 1) * sizeof(*next.doms));
	if (!next.doms)
		return -1;
	memcpy(next.doms, w->cur.doms, next.n * sizeof(*next.doms));
	rc = xballoon_snapshot_refresh_xen(be, &next);
	if (rc <= 0) {
		free(next.doms);
		return rc < 0 ? -1 : refresh(w);
	}
	now = xballoon_backend_now_ms(be);
	for (size_t i = 0; i < next.n; i++)	/* same domains, same order */
		next.doms[i].state = xballoon_derive_state(&next.doms[i], &w->prog[i], now,
						     w->stuck_ms);
	xballoon_events_snapshot(&w->cur, &next, wall_ms(), emit, w);
	/* NEXT's domains are copies: their names are still CUR's, now NEXT's */
	free(w->cur.doms);
	w->cur = next;
	return 0;
}

/* Classify one xenstore event: a report write re-reads one key, the rest all. */
static void mark(struct watcher *w, const char *path, const char *token)
{
	uint64_t id;

	if (token[0] == 'd' && !xballoon_xs_u64(token + 1, strlen(token + 1), &id) &&
	    strstr(path, "/data/xballoon/report")) {
		for (size_t i = 0; i < w->n_dirty; i++)
			if (w->dirty[i] == id)
				return;
		if (w->n_dirty < sizeof(w->dirty) / sizeof(w->dirty[0])) {
			w->dirty[w->n_dirty++] = (uint32_t)id;
			return;
		}
	}
	w->full = true;
}

/* Re-read only the reports of the dirty domains: one xenstore read each. */
static int refresh_reports(struct watcher *w)
{
	struct xb_backend *be = w->cli->be;
	uint64_t now = xballoon_backend_now_ms(be), ts = wall_ms();

	for (size_t i = 0; w->have_cur && i < w->n_dirty; i++) {
		struct xb_domain *d = xballoon_snapshot_find(&w->cur, w->dirty[i]);
		struct xb_domain nd;

		if (!d)
			continue;
		nd = *d;
		nd.report = xballoon_read_report(be, nd.xen.domid);
		if (!nd.report)
			return -1;
		/* a report unreadable because xenstored died is not "removed" */
		if (!xs_alive(w)) {
			xballoon_report_free(nd.report);
			errno = ECONNRESET;
			return -1;
		}
		nd.state = xballoon_derive_state(&nd, &w->prog[d - w->cur.doms], now,
					   w->stuck_ms);
		xballoon_events_diff(d, &nd, ts, emit, w);
		/* the snapshot owns the new report now */
		xballoon_report_free(d->report);
		*d = nd;
	}
	w->n_dirty = 0;
	return 0;
}

/* xsw_reconnect_loop's ops: the backend's new connection; a sleep that ends early. */
static void *reopen_xs(void *ctx)
{
	struct watcher *w = ctx;

	if (xballoon_backend_xs_reopen(w->cli->be))
		return NULL;
	return xballoon_backend_xs_handle(w->cli->be);
}

static int backoff_sleep(void *ctx, unsigned int ms)
{
	struct watcher *w = ctx;
	uint64_t now = xballoon_backend_now_ms(w->cli->be);

	if (*w->cli->stop || (w->deadline_ms && now >= w->deadline_ms))
		return 1;
	if (w->deadline_ms && w->deadline_ms - now < ms)
		ms = (unsigned int)(w->deadline_ms - now);
	poll(NULL, 0, (int)ms);		/* SIGINT/SIGTERM end it (EINTR) */
	now = xballoon_backend_now_ms(w->cli->be);
	return *w->cli->stop || (w->deadline_ms && now >= w->deadline_ms);
}

static const struct xsw_reconnect_ops reconnect_ops = {
	.reopen = reopen_xs,
	.sleep = backoff_sleep,
};

/*
 * The connection to xenstored is gone (WHY says how it showed): reconnect
 * until it works, re-arm, and have the caller take a full snapshot. 0 when
 * reconnected, 1 when told to stop meanwhile (SIGINT/SIGTERM, --duration).
 */
static int reconnect(struct watcher *w, const char *why)
{
	struct xb_backend *be = w->cli->be;
	uint64_t t0 = xballoon_backend_now_ms(be), took;
	struct xb_event ev = { .type = XB_EV_RECONNECT };
	struct xsw_backoff b;
	int attempts;

	fprintf(w->cli->err,
		"xballoon watch: lost the connection to xenstored (%s); reconnecting every %.1f-%u s\n",
		why, RECONNECT_MIN_MS / 1000.0, RECONNECT_MAX_MS / 1000);
	fflush(w->cli->err);
	xsw_backoff_init(&b, RECONNECT_MIN_MS, RECONNECT_MAX_MS);
	attempts = xsw_reconnect_loop(w->xsw, &reconnect_ops, w, &b);
	if (attempts < 0)
		return 1;
	/* watches of domains whose xsw_add failed as the connection went */
	for (size_t i = 0; w->have_cur && i < w->cur.n; i++)
		dom_watches(w, w->cur.doms[i].xen.domid, true);
	took = xballoon_backend_now_ms(be) - t0;
	snprintf(w->detail, sizeof(w->detail),
		 "reconnected to xenstored after %d attempt(s) in %" PRIu64 ".%" PRIu64
		 " s (%s); watches re-armed, state re-read",
		 attempts, took / 1000, took % 1000 / 100, why);
	fprintf(w->cli->err, "xballoon watch: %s\n", w->detail);
	fflush(w->cli->err);
	ev.ts_ms = wall_ms();
	ev.detail = w->detail;
	emit(w, &ev);
	w->full = true;		/* the snapshot's differences: what was missed */
	w->n_dirty = 0;
	return 0;
}

/*
 * A re-read failed: reconnect when the connection is gone (0 reconnected,
 * 1 stopped meanwhile); any other failure is fatal (-1, errno kept).
 */
static int recover(struct watcher *w)
{
	int err = errno;

	if (!xs_alive(w))
		return reconnect(w, "xenstored closed the connection");
	if (!xsw_conn_lost(err)) {
		errno = err;
		return -1;
	}
	return reconnect(w, strerror(err));
}

static const struct option watch_opts[] = {
	{ "json", no_argument, NULL, 'j' },
	{ "duration", required_argument, NULL, 'd' },
	{ "interval", required_argument, NULL, 'i' },
	{ "rate", required_argument, NULL, 'r' },
	{ "stuck", required_argument, NULL, 's' },
	{ NULL, 0, NULL, 0 },
};

/* Seconds (as every command's time options), within [LO_MS, HI_MS]. */
static int parse_secs(const char *s, uint64_t lo_ms, uint64_t hi_ms,
		      uint64_t *ms_r)
{
	uint64_t v;

	if (xb_parse_seconds(s, &v) || v < lo_ms || v > hi_ms)
		return -1;
	*ms_r = v;
	return 0;
}

int xb_cmd_watch(struct xb_cli *cli, int argc, char **argv)
{
	struct watcher w = { .cli = cli, .stuck_ms = XB_STUCK_MS_DEFAULT };
	uint64_t duration_ms = 0, interval_ms = 1000, rate_ms = 200;
	uint64_t start, next_tick, next_refresh = 0;
	struct xb_backend *be = cli->be;
	int opt, rc = XB_EXIT_ERROR;
	void *xsh;

	while ((opt = getopt_long(argc, argv, "jd:i:r:s:", watch_opts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			w.g = w.g ? w.g : xb_json_new();
			if (!w.g)
				return XB_EXIT_ERROR;
			break;
		case 'd':
			if (xb_parse_seconds(optarg, &duration_ms))
				goto usage;
			break;
		case 'i':
			if (parse_secs(optarg, 50, 60000, &interval_ms))
				goto usage;
			break;
		case 'r':
			if (parse_secs(optarg, 0, 60000, &rate_ms))
				goto usage;
			break;
		case 's':
			if (xb_parse_seconds(optarg, &w.stuck_ms) || !w.stuck_ms)
				goto usage;
			break;
		default:
			goto usage;
		}
	}
	if (optind != argc)
		goto usage;
	xsh = xballoon_backend_xs_handle(be);
	if (!xsh) {
		fprintf(cli->err, "xballoon watch: no xenstore connection\n");
		goto out;
	}
	w.xsw = xsw_open(&xsw_xs_ops, xsh, 4096);
	if (!w.xsw || xsw_add(w.xsw, "@introduceDomain", WATCH_TOKEN_INTRO) ||
	    xsw_add(w.xsw, "@releaseDomain", WATCH_TOKEN_RELEASE) ||
	    xsw_add(w.xsw, DECISION_DIR, WATCH_TOKEN_DECISION)) {
		fprintf(cli->err, "xballoon watch: cannot watch xenstore: %s\n",
			strerror(errno));
		goto out;
	}
	if (xsw_fd(w.xsw) < 0 || refresh(&w)) {
		fprintf(cli->err, "xballoon watch: %s\n", strerror(errno));
		goto out;
	}
	start = xballoon_backend_now_ms(be);
	w.deadline_ms = duration_ms ? start + duration_ms : 0;
	next_tick = start + interval_ms;
	while (!*cli->stop) {
		uint64_t now = xballoon_backend_now_ms(be), wake = next_tick;
		/* a reconnect gives a new descriptor */
		struct pollfd pfd = { .fd = xsw_fd(w.xsw), .events = POLLIN };
		char *path, *token;
		int r = 0;

		if (duration_ms && now - start >= duration_ms)
			break;
		if (xsw_pending(w.xsw) && next_refresh < wake)
			wake = next_refresh;
		if (w.full || w.n_dirty)
			wake = now;
		if (duration_ms && start + duration_ms < wake)
			wake = start + duration_ms;
		if (poll(&pfd, 1, wake > now ? (int)(wake - now) : 0) < 0 &&
		    errno != EINTR)
			goto fail;
		if (*cli->stop)
			break;
		/* every wake-up: a lost connection never makes the fd readable */
		if (pfd.revents & (POLLHUP | POLLERR | POLLNVAL))
			r = reconnect(&w, "hang-up on its descriptor");
		else if (xsw_drain(w.xsw) < 0)
			r = reconnect(&w, "xenstored closed the connection");
		if (r)
			break;
		now = xballoon_backend_now_ms(be);
		if (xsw_pending(w.xsw) && now >= next_refresh) {
			while (xsw_next(w.xsw, &path, &token) == 1) {
				if (!strcmp(token, XSW_OVERFLOW_TOKEN)) {
					struct xb_event ev = { .type = XB_EV_RESYNC,
							       .ts_ms = wall_ms() };

					emit(&w, &ev);
				}
				if (!strcmp(token, WATCH_TOKEN_DECISION))
					decision(&w, path);
				else
					mark(&w, path, token);
				free(path);
				free(token);
			}
			next_refresh = now + rate_ms;
		}
		if (w.full) {
			w.full = false;
			w.n_dirty = 0;
			if (refresh(&w))
				r = recover(&w);
		} else if (w.n_dirty) {
			if (refresh_reports(&w))
				r = recover(&w);
		}
		if (!r && now >= next_tick) {
			next_tick = now + interval_ms;
			if (refresh_xen(&w))
				r = recover(&w);
		}
		if (r < 0)
			goto fail;
		if (r)
			break;
	}
	rc = 0;
	goto out;
fail:
	fprintf(cli->err, "xballoon watch: %s\n", strerror(errno));
out:
	xsw_close(w.xsw);
	if (w.have_cur)
		xballoon_snapshot_free(&w.cur);
	free(w.prog);
	if (w.g)
		yajl_gen_free(w.g);
	return rc;
usage:
	if (w.g)
		yajl_gen_free(w.g);
	return xb_usage_error(cli, "watch", "bad arguments");
}
