// SPDX-License-Identifier: GPL-2.0
/*
 * xballoon reserve, release and create: free host memory from guests, hold
 * it with a Xen claim, and build a domain into it (docs/toolstack.md,
 * "Reservations").
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "xb_cli.h"

#define RESV_TIMEOUT_MS 60000		/* to find the memory */
#define RESV_HOLD_MS 600000		/* a held reservation lives this long */
#define RESV_INTERVAL_MS 200
#define CREATE_OVERHEAD_KB (32 * 1024)	/* page tables, p2m, grant and xenstore pages */

static uint64_t mib(uint64_t kb)
{
	return kb / 1024;
}

static volatile sig_atomic_t hup;	/* create: SIGHUP, handled as SIGTERM */

/* What a reservation in progress changed, to put back on failure. */
struct resv_run {
	struct xb_resv r;
	bool begun;
	struct xb_give *g;
	size_t n_g;
	bool applied;			/* targets lowered by us (no daemon) */
	struct xb_plan plan;
	bool daemon;
	uint64_t found_kb;		/* Xen's free (minus claims) at the end */
};

static void restore_targets(struct xb_cli *cli, const char *cmd, struct resv_run *run)
{
	struct xb_snapshot snap;
	struct xb_plan back = { 0 };
	uint32_t *ids;
	uint64_t *kbs;
	size_t n = 0;

	if (!run->applied)
		return;
	ids = calloc(run->plan.n + 1, sizeof(*ids));
	kbs = calloc(run->plan.n + 1, sizeof(*kbs));
	if (!ids || !kbs || xballoon_snapshot_take(cli->be, &snap)) {
		fprintf(cli->err, "xballoon %s: cannot put targets back: %s\n", cmd,
			strerror(errno ? errno : ENOMEM));
		free(ids);
		free(kbs);
		return;
	}
	for (size_t i = 0; i < run->plan.n; i++) {
		const struct xb_change *c = &run->plan.changes[i];

		if (c->outcome != XB_OUT_APPLIED || !xballoon_snapshot_find(&snap, c->domid))
			continue;
		ids[n] = c->domid;
		kbs[n++] = c->old_kb;
	}
	if (xballoon_plan_build_each(&snap, ids, kbs, n, &back)) {
		fprintf(cli->err, "xballoon %s: cannot put targets back: %s\n", cmd,
			strerror(errno));
	} else if (back.n_errors) {
		fprintf(cli->err, "xballoon %s: cannot put targets back: %s\n", cmd,
			back.errors[0]);
	} else if (n) {
		back.maxmem = XB_MAXMEM_KEEP;	/* as they were lowered */
		if (xballoon_plan_apply(cli->be, &snap, XB_PLAN_TARGET, &back))
			fprintf(cli->err, "xballoon %s: putting targets back failed: %s\n",
				cmd, strerror(errno));
		else
			for (size_t i = 0; i < back.n; i++)
				fprintf(cli->err, "xballoon %s: dom %" PRIu32 " target put back "
					"to %" PRIu64 " MiB\n", cmd, back.changes[i].domid,
					mib(back.changes[i].new_kb));
	}
	run->applied = false;
	xballoon_plan_free(&back);
	xballoon_snapshot_free(&snap);
	free(ids);
	free(kbs);
}

/* Without xballoond: lower the donors' targets to free what is missing. */
static int give(struct xb_cli *cli, const char *cmd, struct resv_run *run,
		uint64_t kb, uint64_t *short_r)
{
	struct xb_snapshot snap;
	struct xb_resv others[XB_RESV_MAX];
	uint64_t missing, pending = 0, given;
	uint32_t *ids = NULL;
	uint64_t *kbs = NULL;
	size_t n_o = 0, n = 0;
	int rc = -1;

	*short_r = 0;
	if (xb_take_snapshot(cli, cmd, &snap))
		return -1;
	if (!xballoon_resv_list(cli->be, others, XB_RESV_MAX, &n_o))
		for (size_t i = 0; i < n_o; i++)
			if (others[i].id != run->r.id && others[i].state != XB_RESV_HELD)
				pending += others[i].kb;
	missing = kb + pending > snap.host_free_kb ? kb + pending - snap.host_free_kb : 0;
	if (xballoon_give_donors(cli->be, &snap, &run->g, &run->n_g))
		goto out;
	given = xballoon_give_plan(run->g, run->n_g, missing);
	*short_r = missing > given ? missing - given : 0;
	ids = calloc(run->n_g + 1, sizeof(*ids));
	kbs = calloc(run->n_g + 1, sizeof(*kbs));
	if (!ids || !kbs)
		goto out;
	for (size_t i = 0; i < run->n_g; i++)
		if (run->g[i].new_kb < run->g[i].target_kb) {
			ids[n] = run->g[i].domid;
			kbs[n++] = run->g[i].new_kb;
		}
	if (!n) {
		rc = 0;
		goto out;
	}
	if (xballoon_plan_build_each(&snap, ids, kbs, n, &run->plan))
		goto out;
	/* keep maxmem: a guest about to run out may deflate (the claim bounds it) */
	run->plan.maxmem = XB_MAXMEM_KEEP;
	if (run->plan.n_errors) {
		fprintf(cli->err, "xballoon %s: %s\n", cmd, run->plan.errors[0]);
		goto out;
	}
	if (xballoon_plan_apply(cli->be, &snap, XB_PLAN_TARGET, &run->plan)) {
		fprintf(cli->err, "xballoon %s: lowering targets failed (all put back): %s\n",
			cmd, strerror(errno));
		goto out;
	}
	run->applied = true;
	for (size_t i = 0; i < run->plan.n; i++)
		fprintf(cli->err, "xballoon %s: dom %" PRIu32 " (%s) target %" PRIu64
			" -> %" PRIu64 " MiB\n", cmd, run->plan.changes[i].domid,
			run->plan.changes[i].name, mib(run->plan.changes[i].old_kb),
			mib(run->plan.changes[i].new_kb));
	rc = 0;
out:
	free(ids);
	free(kbs);
	xballoon_snapshot_free(&snap);
	return rc;
}

/* Has every donor reached its new target (per Xen)? Then nothing more comes. */
static bool donors_done(struct xb_cli *cli, const struct resv_run *run,
			uint64_t *free_r)
{
	struct xb_snapshot snap;
	bool done = true;

	if (xballoon_snapshot_take_flags(cli->be, 0, &snap))
		return false;
	*free_r = snap.host_free_kb;
	for (size_t i = 0; i < run->plan.n; i++) {
		const struct xb_domain *d = xballoon_snapshot_find(&snap, run->plan.changes[i].domid);
		uint64_t t = run->plan.changes[i].new_kb;

		if (d && d->actual_kb > t + xballoon_target_tolerance_kb(t))
			done = false;
	}
	xballoon_snapshot_free(&snap);
	return done;
}

static void held_back(struct xb_cli *cli, const char *cmd, const struct resv_run *run)
{
	struct xb_snapshot snap;

	if (run->daemon) {
		fprintf(cli->err, "xballoon %s: xballoond decides who gives; see its log "
			"(reasons short, at-dynamic-min, uncooperative)\n", cmd);
		return;
	}
	if (xballoon_snapshot_take_flags(cli->be, 0, &snap))
		return;
	for (size_t i = 0; i < run->n_g; i++) {
		const struct xb_give *g = &run->g[i];
		const struct xb_domain *d = xballoon_snapshot_find(&snap, g->domid);

		if (!d)
			continue;
		if (d->actual_kb > g->new_kb + xballoon_target_tolerance_kb(g->new_kb))
			fprintf(cli->err, "xballoon %s: held back: dom %" PRIu32 " (%s) still "
				"holds %" PRIu64 " MiB of target %" PRIu64 " MiB (%s)\n", cmd,
				g->domid, d->name, mib(d->actual_kb), mib(g->new_kb),
				xballoon_dom_state_name(d->state));
		else if (g->held_back)
			fprintf(cli->err, "xballoon %s: held back: dom %" PRIu32 " (%s) at %"
				PRIu64 " MiB: %s\n", cmd, g->domid, d->name,
				mib(g->new_kb), g->held_back);
	}
	xballoon_snapshot_free(&snap);
}

/*
 * Free KB and claim it. Returns 0 (run->r HELD), XB_EXIT_SHORT (targets put
 * back, record released), or XB_EXIT_ERROR.
 */
static int reserve_run(struct xb_cli *cli, const char *cmd, uint64_t kb,
		       uint64_t timeout_ms, uint64_t hold_ms, uint64_t interval_ms,
		       struct resv_run *run)
{
	uint64_t start, short_kb = 0, free_kb = 0, last = 0;
	int got;

	xballoon_resv_reap(cli->be);
	if (xballoon_resv_begin(cli->be, kb, timeout_ms + hold_ms, &run->r)) {
		fprintf(cli->err, "xballoon %s: cannot start a reservation: %s\n", cmd,
			errno == ENOSYS ? "not supported by this backend" : strerror(errno));
		return XB_EXIT_ERROR;
	}
	run->begun = true;
	start = xballoon_backend_now_ms(cli->be);
	got = xballoon_resv_try_claim(cli->be, &run->r);
	if (got == 0) {
		run->daemon = xballoon_daemon_running(cli->be);
		if (run->daemon)
			fprintf(cli->err, "xballoon %s: xballoond is running: it frees the "
				"memory (reservation %" PRIu32 ")\n", cmd, run->r.id);
		else if (give(cli, cmd, run, kb, &short_kb))
			goto fail;
		if (short_kb)
			fprintf(cli->err, "xballoon %s: the donors can free %" PRIu64
				" MiB less than needed; waiting for other memory\n",
				cmd, mib(short_kb));
	}
	while (got == 0) {
		uint64_t now = xballoon_backend_now_ms(cli->be);
		bool done;

		if (*cli->stop || hup) {
			fprintf(cli->err, "xballoon %s: interrupted\n", cmd);
			goto fail;
		}
		done = donors_done(cli, run, &free_kb);
		if (now - start >= timeout_ms || (done && short_kb && !run->daemon &&
						  now - start >= 2 * interval_ms + 1000)) {
			run->found_kb = free_kb;
			fprintf(cli->err, "xballoon %s: found %" PRIu64 " of %" PRIu64
				" MiB in %.1f s%s; putting every target back\n", cmd,
				mib(free_kb), mib(kb), (now - start) / 1000.0,
				now - start >= timeout_ms ? " (timed out)" :
				" (the donors gave all they can)");
			held_back(cli, cmd, run);
			restore_targets(cli, cmd, run);
			xballoon_resv_release(cli->be, run->r.id);
			run->begun = false;
			return XB_EXIT_SHORT;
		}
		if (now - last >= 1000) {
			fprintf(cli->err, "xballoon %s: free %" PRIu64 " of %" PRIu64
				" MiB (%.1f s)\n", cmd, mib(free_kb), mib(kb),
				(now - start) / 1000.0);
			last = now;
		}
		xballoon_backend_sleep_ms(cli->be, (unsigned)interval_ms);
		got = xballoon_resv_try_claim(cli->be, &run->r);
	}
	if (got < 0) {
		fprintf(cli->err, "xballoon %s: claim failed: %s\n", cmd, strerror(errno));
		goto fail;
	}
	if (xballoon_resv_touch(cli->be, &run->r, hold_ms))
		fprintf(cli->err, "xballoon %s: cannot update the reservation: %s\n", cmd,
			strerror(errno));
	fprintf(cli->err, "xballoon %s: %" PRIu64 " MiB held by a claim of dom %" PRIu32
		" after %.1f s\n", cmd, mib(kb), run->r.holder,
		(xballoon_backend_now_ms(cli->be) - start) / 1000.0);
	return 0;
fail:
	restore_targets(cli, cmd, run);
	xballoon_resv_release(cli->be, run->r.id);
	run->begun = false;
	return XB_EXIT_ERROR;
}

static void run_free(struct resv_run *run)
{
	free(run->g);
	xballoon_plan_free(&run->plan);
}

static int parse_kb(struct xb_cli *cli, const char *cmd, const char *s, uint64_t *kb_r)
{
	struct xb_size sz;
	const char *why = NULL;

	if (xballoon_size_parse(s, strlen(s), &sz, &why) || sz.kind != XB_SIZE_ABS ||
	    !sz.kb) {
		xb_usage_error(cli, cmd, "bad SIZE '%s': %s", s,
			       why ? why : "an absolute size above 0 (512m, 1g)");
		return -1;
	}
	*kb_r = (sz.kb + XB_PAGE_KB - 1) & ~(uint64_t)(XB_PAGE_KB - 1);
	return 0;
}

static void json_resv(struct xb_cli *cli, const char *cmd, const struct resv_run *run,
		      int rc, uint64_t kb)
{
	yajl_gen g = xb_json_new();

	if (!g)
		return;
	xb_json_open_doc(g, cmd);
	xb_json_u64(g, "size_kb", kb);
	xb_json_str(g, "result", rc == 0 ? "held" : rc == XB_EXIT_SHORT ? "short" : "error");
	if (rc == 0) {
		xb_json_u64(g, "id", run->r.id);
		xb_json_u64(g, "holder_domid", run->r.holder);
	} else {
		xb_json_u64(g, "found_kb", run->found_kb);
	}
	xb_json_u64(g, "exit", (uint64_t)rc);
	yajl_gen_map_close(g);
	xb_json_flush(g, cli->out);
	yajl_gen_free(g);
}

static const struct option resv_opts[] = {
	{ "json", no_argument, NULL, 'j' },
	{ "timeout", required_argument, NULL, 't' },
	{ "hold", required_argument, NULL, 'H' },
	{ "interval", required_argument, NULL, 'i' },
	{ "size", required_argument, NULL, 's' },
	{ "reservation", required_argument, NULL, 'r' },
	{ NULL, 0, NULL, 0 },
};

struct resv_args {
	bool json;
	uint64_t timeout_ms, hold_ms, interval_ms, size_kb;
	uint32_t use_id;
};

static int parse_opts(struct xb_cli *cli, const char *cmd, int argc, char **argv,
		      struct resv_args *a, bool create)
{
	int opt;

	a->timeout_ms = RESV_TIMEOUT_MS;
	a->hold_ms = RESV_HOLD_MS;
	a->interval_ms = RESV_INTERVAL_MS;
	/* create: options end at CONFIG; what follows is xl create's */
	while ((opt = getopt_long(argc, argv, create ? "+jt:s:r:" : "jt:", resv_opts,
				  NULL)) != -1) {
		uint64_t v;

		switch (opt) {
		case 'j':
			a->json = true;
			cli->json = true;
			break;
		case 't':
		case 'H':
		case 'i':
			if (xb_parse_seconds(optarg, &v) || (opt == 'i' && v < 50) ||
			    (opt != 'i' && !v))
				return xb_usage_error(cli, cmd, "bad seconds '%s'", optarg);
			if (opt == 't')
				a->timeout_ms = v;
			else if (opt == 'H')
				a->hold_ms = v;
			else
				a->interval_ms = v;
			break;
		case 's':
			if (!create || parse_kb(cli, cmd, optarg, &a->size_kb))
				return create ? XB_EXIT_USAGE :
				       xb_usage_error(cli, cmd, "unknown option '--size'");
			break;
		case 'r': {
			uint64_t id;

			if (!create || xballoon_xs_u64(optarg, strlen(optarg), &id) || !id ||
			    id > UINT32_MAX)
				return xb_usage_error(cli, cmd, "bad reservation id '%s'", optarg);
			a->use_id = (uint32_t)id;
			break;
		}
		default:
			return xb_usage_error(cli, cmd, "unknown option '%s'", argv[optind - 1]);
		}
	}
	return 0;
}

int xb_cmd_reserve(struct xb_cli *cli, int argc, char **argv)
{
	struct resv_args a = { 0 };
	struct resv_run run = { 0 };
	uint64_t kb;
	int rc;

	rc = parse_opts(cli, "reserve", argc, argv, &a, false);
	if (rc)
		return rc;
	if (optind + 1 != argc)
		return xb_usage_error(cli, "reserve", "expected one SIZE");
	if (parse_kb(cli, "reserve", argv[optind], &kb))
		return XB_EXIT_USAGE;
	rc = reserve_run(cli, "reserve", kb, a.timeout_ms, a.hold_ms, a.interval_ms, &run);
	if (a.json)
		json_resv(cli, "reserve", &run, rc, kb);
	else if (!rc)
		fprintf(cli->out, "%" PRIu32 "\n", run.r.id);
	run_free(&run);
	return rc;
}

int xb_cmd_release(struct xb_cli *cli, int argc, char **argv)
{
	uint64_t id;

	if (argc != 2 || xballoon_xs_u64(argv[1], strlen(argv[1]), &id) || !id ||
	    id > UINT32_MAX)
		return xb_usage_error(cli, "release", "expected one reservation ID (a number)");
	if (xballoon_resv_release(cli->be, (uint32_t)id)) {
		fprintf(cli->err, "xballoon release: %" PRIu64 ": %s\n", id,
			errno == ENOENT ? "no such reservation" : strerror(errno));
		return XB_EXIT_ERROR;
	}
	return 0;
}

/* memory = N (MiB) of an xl config file; 0 when absent or unreadable. */
static uint64_t config_memory_kb(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[512];
	uint64_t kb = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		char *p = line;
		unsigned long long v;

		while (isspace((unsigned char)*p))
			p++;
		if (strncmp(p, "memory", 6))
			continue;
		p += 6;
		while (isspace((unsigned char)*p))
			p++;
		if (*p++ != '=')
			continue;
		while (isspace((unsigned char)*p) || *p == '"' || *p == '\'')
			p++;
		if (!isdigit((unsigned char)*p))
			continue;
		v = strtoull(p, NULL, 10);
		if (v && v < XB_SIZE_MAX_KB / 1024)
			kb = v * 1024;
	}
	fclose(f);
	return kb;
}

/*
 * The window between dropping our claim and libxl's claim for the new
 * domain: no running domU may grow in it (a guest deflating on OOM, a raised
 * target), so each one's Xen maxmem is held at what it has now (+ 1 MiB
 * slack) until xl create is done, then put back. A guest that wants memory
 * meanwhile is refused by Xen, as on a full host, and waits.
 */
struct freeze {
	uint32_t domid;
	uint64_t maxmem_kb;		/* as given to xballoon_dom_set_xen_maxmem */
};

static size_t freeze_domus(struct xb_cli *cli, struct freeze **fz_r)
{
	struct xb_snapshot snap;
	struct freeze *fz;
	size_t n = 0;

	*fz_r = NULL;
	if (xballoon_snapshot_take_flags(cli->be, 0, &snap))
		return 0;
	fz = calloc(snap.n + 1, sizeof(*fz));
	for (size_t i = 0; fz && i < snap.n; i++) {
		const struct xb_domain *d = &snap.doms[i];
		uint64_t max_kb = xb_pages_to_kb(d->xen.max_pages);

		if (!d->xen.domid || d->xen.dying || d->xen.shutdown ||
		    max_kb <= d->actual_kb + XB_MAXMEM_SLACK_KB)
			continue;
		if (xballoon_dom_set_xen_maxmem(cli->be, d->xen.domid, d->actual_kb))
			continue;
		fz[n].domid = d->xen.domid;
		fz[n++].maxmem_kb = max_kb - XB_MAXMEM_SLACK_KB;
	}
	xballoon_snapshot_free(&snap);
	*fz_r = fz;
	return n;
}

static void thaw_domus(struct xb_cli *cli, struct freeze *fz, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (xballoon_dom_set_xen_maxmem(cli->be, fz[i].domid, fz[i].maxmem_kb) &&
		    errno != ESRCH)
			fprintf(cli->err, "xballoon create: dom %" PRIu32 ": cannot put "
				"maxmem back to %" PRIu64 " MiB: %s\n", fz[i].domid,
				mib(fz[i].maxmem_kb), strerror(errno));
	free(fz);
}

static void on_hup(int sig)
{
	(void)sig;
	hup = 1;
}

/* Run xl create CONFIG ARGS...; forwards SIGINT/SIGTERM/SIGHUP. Exit code or -1. */
static int run_xl(struct xb_cli *cli, int argc, char **argv)
{
	const char *xl = getenv("XBALLOON_XL") ? getenv("XBALLOON_XL") : "xl";
	char **av = calloc((size_t)argc + 3, sizeof(*av));
	pid_t pid;
	int status, sent = 0;

	if (!av)
		return -1;
	av[0] = (char *)xl;
	av[1] = (char *)"create";
	for (int i = 0; i < argc; i++)
		av[i + 2] = argv[i];
	pid = fork();
	if (pid < 0) {
		free(av);
		return -1;
	}
	if (pid == 0) {
		execvp(xl, av);
		fprintf(stderr, "xballoon create: cannot run %s: %s\n", xl, strerror(errno));
		_exit(127);
	}
	free(av);
	for (;;) {
		pid_t w = waitpid(pid, &status, WNOHANG);

		if (w == pid)
			break;
		if (w < 0 && errno != EINTR)
			return -1;
		if ((*cli->stop || hup) && !sent) {
			kill(pid, SIGTERM);
			sent = 1;
		}
		usleep(20000);
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int xb_cmd_create(struct xb_cli *cli, int argc, char **argv)
{
	struct resv_args a = { 0 };
	struct resv_run run = { 0 };
	struct sigaction sa;
	struct freeze *fz = NULL;
	size_t n_fz = 0;
	uint64_t kb;
	int rc, xl;

	rc = parse_opts(cli, "create", argc, argv, &a, true);
	if (rc)
		return rc;
	if (optind >= argc)
		return xb_usage_error(cli, "create", "expected an xl CONFIG file");
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_hup;
	sigaction(SIGHUP, &sa, NULL);
	kb = a.size_kb;
	if (!kb && !a.use_id) {
		kb = config_memory_kb(argv[optind]);
		if (!kb) {
			fprintf(cli->err, "xballoon create: %s: no memory = N (MiB) found; "
				"give --size\n", argv[optind]);
			return XB_EXIT_ERROR;
		}
		kb += CREATE_OVERHEAD_KB;
	}
	if (a.use_id) {
		struct xb_resv r[XB_RESV_MAX];
		size_t n = 0, i;

		if (xballoon_resv_list(cli->be, r, XB_RESV_MAX, &n))
			n = 0;
		for (i = 0; i < n && r[i].id != a.use_id; i++)
			;
		if (i == n || r[i].state != XB_RESV_HELD) {
			fprintf(cli->err, "xballoon create: reservation %" PRIu32
				" is not held\n", a.use_id);
			return XB_EXIT_ERROR;
		}
		run.r = r[i];
		run.begun = true;
		/* ours now: released when we are done, or after --hold if we die */
		xballoon_resv_touch(cli->be, &run.r, a.hold_ms);
	} else {
		rc = reserve_run(cli, "create", kb, a.timeout_ms, a.hold_ms,
				 a.interval_ms, &run);
		if (rc) {
			run_free(&run);
			return rc;
		}
	}
	if (*cli->stop || hup) {
		xl = -1;
		goto out;
	}
	/* the claim goes just before libxl claims for the new domain itself */
	n_fz = freeze_domus(cli, &fz);
	if (xballoon_resv_handover(cli->be, &run.r))
		fprintf(cli->err, "xballoon create: handing the claim over: %s\n",
			strerror(errno));
	fflush(cli->err);
	xl = run_xl(cli, argc - optind, argv + optind);
	thaw_domus(cli, fz, n_fz);
out:
	if (xl != 0)
		restore_targets(cli, "create", &run);
	xballoon_resv_release(cli->be, run.r.id);
	if (xl != 0)
		fprintf(cli->err, "xballoon create: xl create failed (%d); reservation %"
			PRIu32 " released\n", xl, run.r.id);
	run_free(&run);
	return xl == 0 ? 0 : XB_EXIT_ERROR;
}
