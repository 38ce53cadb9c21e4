// SPDX-License-Identifier: GPL-2.0
/* xballoon mem-set, mem-max and wait. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "xb_cli.h"

struct mem_args {
	bool json, all, wait, keep_maxmem, include_no_driver;
	bool wait_opts;			/* --timeout, --stuck or --interval given */
	struct xb_wait_opts wo;
	const char *size;
	char **argv;			/* argv without the size; freed by the caller */
	char **doms;
	size_t n_doms;
};

enum { OPT_STUCK = 0x100, OPT_INTERVAL, OPT_KEEP_MAXMEM, OPT_NO_DRIVER };

static const struct option mem_opts[] = {
	{ "json", no_argument, NULL, 'j' },
	{ "all", no_argument, NULL, 'a' },
	{ "wait", no_argument, NULL, 'w' },
	{ "timeout", required_argument, NULL, 't' },
	{ "stuck", required_argument, NULL, OPT_STUCK },
	{ "interval", required_argument, NULL, OPT_INTERVAL },
	{ "keep-maxmem", no_argument, NULL, OPT_KEEP_MAXMEM },
	{ "include-no-driver", no_argument, NULL, OPT_NO_DRIVER },
	{ NULL, 0, NULL, 0 },
};

static bool looks_negative_size(const char *s)
{
	return s[0] == '-' && s[1] >= '0' && s[1] <= '9';
}

static bool takes_value(const char *opt)
{
	return !strcmp(opt, "-t") || !strcmp(opt, "--timeout") ||
	       !strcmp(opt, "--stuck") || !strcmp(opt, "--interval");
}

/*
 * Parse {DOM... | --all} [SIZE] with options anywhere, as xl users type them
 * ("mem-set g1 512m --wait"). A "-10%" or "-1g" is a size, not an option, so
 * it is taken out before getopt sees it. a->argv must be freed.
 */
static int parse_mem_args(struct xb_cli *cli, const char *cmd, int argc,
			  char **argv, bool want_size, struct mem_args *a)
{
	uint64_t ms;
	int opt, ac = 0;

	memset(a, 0, sizeof(*a));
	a->wo.timeout_ms = 60000;
	a->wo.interval_ms = 1000;
	a->wo.stuck_ms = XB_STUCK_MS_DEFAULT;
	a->argv = calloc((size_t)argc + 1, sizeof(*a->argv));
	if (!a->argv)
		return XB_EXIT_ERROR;
	for (int i = 0; i < argc; i++) {
		if (want_size && i > 0 && !a->size && looks_negative_size(argv[i]) &&
		    !takes_value(argv[i - 1]))
			a->size = argv[i];
		else
			a->argv[ac++] = argv[i];
	}
	while ((opt = getopt_long(ac, a->argv, "jawt:", mem_opts, NULL)) != -1) {
		switch (opt) {
		case 'j': a->json = true; break;
		case 'a': a->all = true; break;
		case 'w': a->wait = true; break;
		case OPT_KEEP_MAXMEM: a->keep_maxmem = true; break;
		case OPT_NO_DRIVER: a->include_no_driver = true; break;
		case 't':
			a->wait_opts = true;
			if (xb_parse_seconds(optarg, &a->wo.timeout_ms))
				return xb_usage_error(cli, cmd, "bad --timeout '%s'", optarg);
			break;
		case OPT_STUCK:
			a->wait_opts = true;
			if (xb_parse_seconds(optarg, &a->wo.stuck_ms) || !a->wo.stuck_ms)
				return xb_usage_error(cli, cmd, "bad --stuck '%s'", optarg);
			break;
		case OPT_INTERVAL:
			a->wait_opts = true;
			if (xb_parse_seconds(optarg, &ms) || ms < 50 || ms > 60000)
				return xb_usage_error(cli, cmd, "bad --interval '%s'", optarg);
			a->wo.interval_ms = (unsigned)ms;
			break;
		default:
			return xb_usage_error(cli, cmd, "unknown option '%s'",
					      a->argv[optind - 1]);
		}
	}
	if (want_size && !a->size) {
		if (optind >= ac)
			return xb_usage_error(cli, cmd, "missing SIZE");
		a->size = a->argv[--ac];
	}
	a->doms = a->argv + optind;
	a->n_doms = ac > optind ? (size_t)(ac - optind) : 0;
	if (!a->all && !a->n_doms)
		return xb_usage_error(cli, cmd, want_size ?
				      "missing DOM or SIZE (DOM... SIZE, or --all SIZE)" :
				      "missing DOM (DOM..., or --all)");
	if (a->all && a->n_doms)
		return xb_usage_error(cli, cmd, "give either DOM... or --all");
	if (a->include_no_driver && !a->all)
		return xb_usage_error(cli, cmd, "--include-no-driver goes with --all");
	return 0;
}

/* ---- progress while waiting ---- */

struct progress {
	struct xb_cli *cli;
	size_t n;
	uint64_t *start_gap, *last_actual;
	enum xb_dom_state *last_state;
	bool started, drawn;
};

static uint64_t gap_of(const struct xb_domain *d)
{
	return d->actual_kb > d->target_kb ? d->actual_kb - d->target_kb :
					     d->target_kb - d->actual_kb;
}

static void progress_cb(void *ctx, const struct xb_snapshot *snap,
			const uint32_t *domids, const enum xb_dom_state *states,
			size_t n, uint64_t elapsed_ms)
{
	struct progress *p = ctx;
	uint64_t total = 0, left = 0;
	size_t done = 0;
	FILE *f = p->cli->err;

	for (size_t i = 0; i < n; i++) {
		const struct xb_domain *d = xballoon_snapshot_find(snap, domids[i]);
		uint64_t gap;

		if (!d)
			continue;
		gap = gap_of(d);
		if (!p->started)
			p->start_gap[i] = gap;
		total += p->start_gap[i];
		left += gap < p->start_gap[i] ? gap : p->start_gap[i];
		done += states[i] == XB_ST_AT_TARGET;
		if (p->cli->tty)
			continue;
		/* plain lines: only what changed */
		if (p->started && states[i] == p->last_state[i] &&
		    (d->actual_kb > p->last_actual[i] ? d->actual_kb - p->last_actual[i] :
		     p->last_actual[i] - d->actual_kb) < 1024)
			continue;
		fprintf(f, "%6.1fs %s(%" PRIu32 ") actual %" PRIu64 " MiB target %"
			PRIu64 " MiB %s\n", (double)elapsed_ms / 1000,
			d->name[0] ? d->name : "-", d->xen.domid, d->actual_kb / 1024,
			d->target_kb / 1024, xballoon_dom_state_name(states[i]));
		p->last_actual[i] = d->actual_kb;
		p->last_state[i] = states[i];
	}
	p->started = true;
	if (p->cli->tty) {
		unsigned pct = total ? (unsigned)((total - left) * 100 / total) : 100;
		char bar[31];

		if (done == n)
			pct = 100;
		memset(bar, '.', 30);
		memset(bar, '#', pct * 30 / 100);
		bar[30] = '\0';
		fprintf(f, "\r[%s] %3u%%  %zu/%zu at target  %5.1fs ", bar, pct, done,
			n, (double)elapsed_ms / 1000);
		p->drawn = true;
	}
	fflush(f);
}

static const char *exit_name(enum xb_exit e)
{
	switch (e) {
	case XB_EXIT_OK: return "reached";
	case XB_EXIT_TIMEOUT: return "timed-out";
	case XB_EXIT_STUCK: return "stuck";
	case XB_EXIT_REFUSED: return "refused";
	case XB_EXIT_NO_DRIVER: return "no-driver";
	case XB_EXIT_AT_FLOOR: return "at-floor";
	case XB_EXIT_GONE: return "gone";
	case XB_EXIT_USAGE: return "usage";
	default: return "error";
	}
}

/* Wait for DOMIDS and report; JSON goes into G (an open map) when not NULL. */
static int do_wait(struct xb_cli *cli, struct mem_args *a, const uint32_t *domids,
		   size_t n, yajl_gen g)
{
	enum xb_dom_state *st = calloc(n ? n : 1, sizeof(*st));
	struct progress p = { .cli = cli, .n = n };
	struct xb_snapshot snap = { 0 };
	enum xb_exit rc = XB_EXIT_ERROR;

	p.start_gap = calloc(n ? n : 1, sizeof(uint64_t));
	p.last_actual = calloc(n ? n : 1, sizeof(uint64_t));
	p.last_state = calloc(n ? n : 1, sizeof(*p.last_state));
	if (!st || !p.start_gap || !p.last_actual || !p.last_state)
		goto out;
	if (!a->json) {
		a->wo.progress = progress_cb;
		a->wo.ctx = &p;
	}
	rc = xballoon_wait(cli->be, domids, n, &a->wo, st);
	if (p.drawn)
		fputc('\n', cli->err);
	if (xballoon_snapshot_take(cli->be, &snap))
		memset(&snap, 0, sizeof(snap));
	if (g) {
		xb_json_key(g, "wait");
		yajl_gen_map_open(g);
		xb_json_str(g, "result", exit_name(rc));
		xb_json_u64(g, "exit_code", rc);
		xb_json_key(g, "domains");
		yajl_gen_array_open(g);
	}
	for (size_t i = 0; i < n; i++) {
		const struct xb_domain *d = st[i] == XB_ST_GONE ? NULL :
					    xballoon_snapshot_find(&snap, domids[i]);
		bool guest = xballoon_dom_state_guest_reason(st[i]);

		if (g) {
			yajl_gen_map_open(g);
			xb_json_u64(g, "domid", domids[i]);
			xb_json_str(g, "name", d ? d->name : NULL);
			xb_json_str(g, "state", xballoon_dom_state_name(st[i]));
			/* stuck is Xen's verdict; the reason is the guest's word */
			if (guest)
				xb_json_str(g, "reason_from", "guest-report");
			if (d) {
				xb_json_u64(g, "target_kb", d->target_kb);
				xb_json_u64(g, "actual_kb", d->actual_kb);
			}
			yajl_gen_map_close(g);
		} else if (d) {
			fprintf(cli->out, "%s(%" PRIu32 "): %s%s, actual %" PRIu64
				" MiB, target %" PRIu64 " MiB\n",
				d->name[0] ? d->name : "-", d->xen.domid,
				xballoon_dom_state_name(st[i]),
				guest ? " (no progress per Xen; reason reported by the guest)" : "",
				d->actual_kb / 1024, d->target_kb / 1024);
		} else if (st[i] == XB_ST_GONE) {
			fprintf(cli->out, "domain %" PRIu32 ": gone (destroyed during the wait)\n",
				domids[i]);
		} else {
			fprintf(cli->out, "domain %" PRIu32 ": %s (gone since)\n",
				domids[i], xballoon_dom_state_name(st[i]));
		}
	}
	if (g) {
		yajl_gen_array_close(g);
		yajl_gen_map_close(g);
	} else {
		fprintf(cli->out, "result: %s (exit %d)\n", exit_name(rc), rc);
	}
out:
	xballoon_snapshot_free(&snap);
	free(st);
	free(p.start_gap);
	free(p.last_actual);
	free(p.last_state);
	return rc;
}

static void json_errors(yajl_gen g, const struct xb_plan *plan)
{
	xb_json_key(g, "errors");
	yajl_gen_array_open(g);
	for (size_t i = 0; i < plan->n_errors; i++)
		yajl_gen_string(g, (const unsigned char *)plan->errors[i],
				strlen(plan->errors[i]));
	yajl_gen_array_close(g);
}

static void json_saved(yajl_gen g, const char *key, const struct xb_dom_saved *s)
{
	xb_json_key(g, key);
	yajl_gen_map_open(g);
	xb_json_u64(g, "maxmem_kb", s->maxmem_kb);
	if (s->pod_target_pages)
		xb_json_u64(g, "pod_target_pages", s->pod_target_pages);
	if (s->has_target)
		xb_json_u64(g, "memory_target_kb", s->target_key_kb);
	if (s->has_static_max)
		xb_json_u64(g, "static_max_kb", s->static_max_kb);
	if (s->has_vm_mib)
		xb_json_u64(g, "vm_memory_mib", s->vm_mib);
	yajl_gen_map_close(g);
}

/* --all: which domains were selected and which left out, before acting. */
static void show_selection(struct xb_cli *cli, const char *cmd,
			   const struct xb_plan *plan, yajl_gen g)
{
	if (g) {
		xb_json_key(g, "selected");
		yajl_gen_array_open(g);
		for (size_t i = 0; i < plan->n; i++)
			yajl_gen_integer(g, plan->changes[i].domid);
		yajl_gen_array_close(g);
		xb_json_key(g, "skipped_no_driver");
		yajl_gen_array_open(g);
		for (size_t i = 0; i < plan->n_skipped; i++)
			yajl_gen_integer(g, plan->skipped[i]);
		yajl_gen_array_close(g);
		return;
	}
	fprintf(cli->err, "xballoon %s: --all selects %zu domain(s):", cmd, plan->n);
	for (size_t i = 0; i < plan->n; i++)
		fprintf(cli->err, " %s(%" PRIu32 ")", plan->changes[i].name[0] ?
			plan->changes[i].name : "-", plan->changes[i].domid);
	fputc('\n', cli->err);
	if (plan->n_skipped) {
		fprintf(cli->err, "xballoon %s: left out, no balloon driver seen "
			"(--include-no-driver takes them):", cmd);
		for (size_t i = 0; i < plan->n_skipped; i++)
			fprintf(cli->err, " %" PRIu32, plan->skipped[i]);
		fputc('\n', cli->err);
	}
}

/* After a failed apply: what happened to each domain, exactly. */
static bool show_failure(struct xb_cli *cli, const char *cmd,
			 const struct xb_plan *plan, yajl_gen g)
{
	bool all_undone = true;

	if (g) {
		xb_json_key(g, "domains");
		yajl_gen_array_open(g);
	}
	for (size_t i = 0; i < plan->n; i++) {
		const struct xb_change *c = &plan->changes[i];
		const char *name = c->name[0] ? c->name : "-";

		if (c->outcome == XB_OUT_RESTORE_FAILED)
			all_undone = false;
		if (g) {
			yajl_gen_map_open(g);
			xb_json_u64(g, "domid", c->domid);
			xb_json_str(g, "name", c->name);
			xb_json_str(g, "outcome", xballoon_outcome_name(c->outcome));
			if (c->why)
				xb_json_str(g, "why", c->why);
			if (c->restore_why)
				xb_json_str(g, "restore_why", c->restore_why);
			if (c->outcome == XB_OUT_FAILED && c->err)
				xb_json_str(g, "error", strerror(c->err));
			if (c->outcome == XB_OUT_RESTORE_FAILED) {
				json_saved(g, "before", &c->saved);
				json_saved(g, "left", &c->left);
			}
			yajl_gen_map_close(g);
		}
		switch (c->outcome) {
		case XB_OUT_FAILED:
			fprintf(cli->err, "xballoon %s: %s(%" PRIu32 "): %s: %s; "
				"its maxmem and PoD target were put back\n", cmd, name,
				c->domid, c->why ? c->why : "failed",
				strerror(c->err ? c->err : EIO));
			break;
		case XB_OUT_RESTORED:
			fprintf(cli->err, "xballoon %s: %s(%" PRIu32 "): put back as it was\n",
				cmd, name, c->domid);
			break;
		case XB_OUT_RESTORE_FAILED:
			if (c->why)
				fprintf(cli->err, "xballoon %s: %s(%" PRIu32 "): %s\n",
					cmd, name, c->domid, c->why);
			fprintf(cli->err, "xballoon %s: %s(%" PRIu32 "): could not restore "
				"(%s): left maxmem %" PRIu64 " KiB, memory/target %" PRIu64
				" KiB, /vm/<uuid>/memory %" PRIu64 " MiB (was %" PRIu64
				", %" PRIu64 " KiB and %" PRIu64 " MiB)\n", cmd, name,
				c->domid, c->restore_why ? c->restore_why : "?",
				c->left.maxmem_kb, c->left.target_key_kb, c->left.vm_mib,
				c->saved.maxmem_kb, c->saved.target_key_kb,
				c->saved.vm_mib);
			break;
		default:
			break;
		}
	}
	if (g)
		yajl_gen_array_close(g);
	return all_undone;
}

/* mem-set and mem-max: validate everything, then apply, then maybe wait. */
static int mem_cmd(struct xb_cli *cli, int argc, char **argv, const char *cmd,
		   enum xb_plan_kind kind)
{
	struct xb_snapshot snap = { 0 };
	struct xb_plan plan = { 0 };
	const char *why = NULL;
	struct mem_args a;
	struct xb_size size;
	uint32_t *domids = NULL;
	yajl_gen g = NULL;
	int rc;

	rc = parse_mem_args(cli, cmd, argc, argv, true, &a);
	if (!rc && a.wait && kind == XB_PLAN_MAXMEM)
		rc = xb_usage_error(cli, cmd, "--wait is for mem-set");
	if (!rc && a.keep_maxmem && kind == XB_PLAN_MAXMEM)
		rc = xb_usage_error(cli, cmd, "--keep-maxmem is for mem-set");
	if (!rc && a.wait_opts && !a.wait)
		rc = xb_usage_error(cli, cmd, "--timeout, --stuck and --interval go with --wait");
	if (!rc && xballoon_size_parse(a.size, strlen(a.size), &size, &why))
		rc = xb_usage_error(cli, cmd, "'%s': %s", a.size, why);
	if (!rc && xb_take_snapshot(cli, cmd, &snap))
		rc = XB_EXIT_ERROR;
	if (rc) {
		free(a.argv);
		return rc;
	}
	rc = XB_EXIT_ERROR;
	if (xballoon_plan_build(&snap, kind, (const char *const *)a.doms, a.n_doms, a.all,
			  a.include_no_driver, &size, &plan))
		goto out;
	if (a.json) {
		g = xb_json_new();
		if (!g)
			goto out;
		xb_json_open_doc(g, cmd);
		xb_json_str(g, "size", a.size);
	}
	if (a.all)
		show_selection(cli, cmd, &plan, g);
	if (plan.n_errors) {
		for (size_t i = 0; i < plan.n_errors; i++)
			fprintf(cli->err, "xballoon %s: %s\n", cmd, plan.errors[i]);
		fprintf(cli->err, "xballoon %s: nothing changed\n", cmd);
		if (g) {
			xb_json_key(g, "applied");
			yajl_gen_bool(g, 0);
			json_errors(g, &plan);
		}
		goto out_json;
	}
	if (a.keep_maxmem)
		plan.maxmem = XB_MAXMEM_KEEP;
	if (xballoon_plan_apply(cli->be, &snap, kind, &plan)) {
		bool undone;

		if (g) {
			xb_json_key(g, "applied");
			yajl_gen_bool(g, 0);
		}
		undone = show_failure(cli, cmd, &plan, g);
		if (g) {
			xb_json_key(g, "all_undone");
			yajl_gen_bool(g, undone);
		}
		fprintf(cli->err, undone ? "xballoon %s: nothing changed\n" :
			"xballoon %s: NOT all changes could be undone (see above)\n",
			cmd);
		goto out_json;
	}
	rc = 0;
	if (g) {
		xb_json_key(g, "applied");
		yajl_gen_bool(g, 1);
		xb_json_key(g, "changes");
		yajl_gen_array_open(g);
	}
	domids = calloc(plan.n, sizeof(*domids));
	if (!domids) {
		rc = XB_EXIT_ERROR;
		goto out_json;
	}
	for (size_t i = 0; i < plan.n; i++) {
		const struct xb_change *c = &plan.changes[i];

		domids[i] = c->domid;
		if (g) {
			yajl_gen_map_open(g);
			xb_json_u64(g, "domid", c->domid);
			xb_json_str(g, "name", c->name);
			xb_json_u64(g, "old_kb", c->old_kb);
			xb_json_u64(g, "new_kb", c->new_kb);
			yajl_gen_map_close(g);
		} else {
			fprintf(cli->out, "%s(%" PRIu32 "): %s %" PRIu64 " -> %" PRIu64
				" KiB\n", c->name[0] ? c->name : "-", c->domid,
				kind == XB_PLAN_TARGET ? "target" : "static-max",
				c->old_kb, c->new_kb);
		}
	}
	if (g)
		yajl_gen_array_close(g);
	if (a.wait) {
		fflush(cli->out);
		rc = do_wait(cli, &a, domids, plan.n, g);
		if (rc == XB_EXIT_ERROR)
			fprintf(cli->err, "xballoon %s: the targets were set, but the "
				"wait failed: %s\n", cmd, strerror(errno ? errno : EIO));
	}
out_json:
	if (g) {
		yajl_gen_map_close(g);
		xb_json_flush(g, cli->out);
	}
out:
	if (g)
		yajl_gen_free(g);
	free(domids);
	free(a.argv);
	xballoon_plan_free(&plan);
	xballoon_snapshot_free(&snap);
	return rc;
}

int xb_cmd_mem_set(struct xb_cli *cli, int argc, char **argv)
{
	return mem_cmd(cli, argc, argv, "mem-set", XB_PLAN_TARGET);
}

int xb_cmd_mem_max(struct xb_cli *cli, int argc, char **argv)
{
	return mem_cmd(cli, argc, argv, "mem-max", XB_PLAN_MAXMEM);
}

int xb_cmd_wait(struct xb_cli *cli, int argc, char **argv)
{
	uint32_t *skipped = NULL;
	size_t n_skipped = 0;
	struct xb_selection sel;
	struct xb_snapshot snap;
	struct mem_args a;
	uint32_t *domids;
	yajl_gen g = NULL;
	size_t n = 0;
	int rc;

	rc = parse_mem_args(cli, "wait", argc, argv, false, &a);
	if (!rc && a.keep_maxmem)
		rc = xb_usage_error(cli, "wait", "--keep-maxmem is for mem-set");
	if (!rc && xb_take_snapshot(cli, "wait", &snap))
		rc = XB_EXIT_ERROR;
	if (rc) {
		free(a.argv);
		return rc;
	}
	if (xballoon_select(&snap, (const char *const *)a.doms, a.n_doms, a.all,
		      a.include_no_driver, &sel)) {
		xballoon_snapshot_free(&snap);
		free(a.argv);
		return XB_EXIT_ERROR;
	}
	domids = calloc(sel.n + 1, sizeof(*domids));
	for (size_t i = 0; domids && i < sel.n; i++)
		domids[n++] = sel.doms[i]->xen.domid;
	for (size_t i = 0; i < sel.n_bad; i++) {
		fprintf(cli->err, "xballoon wait: %s: no such domain\n",
			a.doms[sel.bad[i]]);
		rc = XB_EXIT_ERROR;
	}
	if (!domids)
		rc = XB_EXIT_ERROR;
	if (a.all && !sel.n && !rc) {
		fprintf(cli->err, "xballoon wait: --all: no domU with a balloon driver "
			"(--include-no-driver selects every domU)\n");
		rc = XB_EXIT_ERROR;
	}
	if (a.all && !rc) {
		fprintf(cli->err, "xballoon wait: --all selects %zu domain(s):", sel.n);
		for (size_t i = 0; i < sel.n; i++)
			fprintf(cli->err, " %s(%" PRIu32 ")", sel.doms[i]->name[0] ?
				sel.doms[i]->name : "-", sel.doms[i]->xen.domid);
		fputc('\n', cli->err);
		if (sel.n_skipped) {
			fprintf(cli->err, "xballoon wait: left out, no balloon driver seen "
				"(--include-no-driver takes them):");
			for (size_t i = 0; i < sel.n_skipped; i++)
				fprintf(cli->err, " %" PRIu32, sel.skipped[i]->xen.domid);
			fputc('\n', cli->err);
		}
	}
	skipped = calloc(sel.n_skipped + 1, sizeof(*skipped));
	for (size_t i = 0; skipped && i < sel.n_skipped; i++)
		skipped[n_skipped++] = sel.skipped[i]->xen.domid;
	xballoon_selection_free(&sel);
	xballoon_snapshot_free(&snap);
	if (rc)
		goto out;
	if (a.json) {
		g = xb_json_new();
		if (!g) {
			rc = XB_EXIT_ERROR;
			goto out;
		}
		xb_json_open_doc(g, "wait");
		if (a.all) {
			xb_json_key(g, "selected");
			yajl_gen_array_open(g);
			for (size_t i = 0; i < n; i++)
				yajl_gen_integer(g, domids[i]);
			yajl_gen_array_close(g);
			xb_json_key(g, "skipped_no_driver");
			yajl_gen_array_open(g);
			for (size_t i = 0; i < n_skipped; i++)
				yajl_gen_integer(g, skipped[i]);
			yajl_gen_array_close(g);
		}
	}
	rc = do_wait(cli, &a, domids, n, g);
	if (g) {
		yajl_gen_map_close(g);
		xb_json_flush(g, cli->out);
		yajl_gen_free(g);
	}
out:
	free(skipped);
	free(domids);
	free(a.argv);
	return rc;
}
