// SPDX-License-Identifier: GPL-2.0
/*
 * The body of a /metrics scrape: libxballoon's exposition of a fresh
 * snapshot (xballoon_prometheus(), exactly what `xballoon list
 * --prometheus` prints), then the daemon's own series. metrics.c serves it.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "libxballoon.h"
#include "audit.h"
#include "metrics.h"

static void counter(FILE *f, const char *name, const char *help,
		    unsigned long long v)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s counter\n%s %llu\n", name, help, name, name, v);
}

char *xbd_metrics_body(struct xb_backend *be, const struct xbd_counters *c,
		       uint64_t started_ms, size_t *len_r)
{
	struct xb_snapshot snap;
	char *view = NULL, *buf = NULL;
	size_t view_len = 0, len = 0;
	FILE *f;
	bool up;

	/* the view list takes: no followed marks to read */
	up = xballoon_snapshot_take_flags(be, 0, &snap) == 0;
	if (up) {
		int rc = xballoon_prometheus(be, &snap, NULL, 0, &view, &view_len);

		xballoon_snapshot_free(&snap);
		if (rc)
			return NULL;
	}
	f = open_memstream(&buf, &len);
	if (!f) {
		free(view);
		return NULL;
	}
	if (view)
		fwrite(view, 1, view_len, f);
	free(view);
	fprintf(f, "# HELP xballoond_view_ok 1 if this scrape could read Xen and xenstore.\n"
		"# TYPE xballoond_view_ok gauge\nxballoond_view_ok %d\n", up);
	fprintf(f, "# HELP xballoond_start_time_seconds When the daemon started (Unix time).\n"
		"# TYPE xballoond_start_time_seconds gauge\nxballoond_start_time_seconds %" PRIu64 "\n",
		started_ms / 1000);
	counter(f, "xballoond_decisions_total", "Policy steps.", c->decisions);
	counter(f, "xballoond_changes_total", "Targets the daemon set.", c->changes);
	counter(f, "xballoond_failures_total", "Targets Xen or xenstore refused.", c->failures);
	counter(f, "xballoond_reloads_total", "Configuration reloads (SIGHUP) taken.", c->reloads);
	counter(f, "xballoond_reload_failures_total",
		"Reloads refused (a bad file; the old configuration kept).", c->reload_failures);
	counter(f, "xballoond_xenstore_reconnects_total", "Reconnections to xenstored.",
		c->reconnects);
	counter(f, "xballoond_uncooperative_marks_total", "Domains marked uncooperative.",
		c->uncooperative);
	if (fclose(f)) {
		free(buf);
		return NULL;
	}
	*len_r = len;
	return buf;
}
