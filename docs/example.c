// SPDX-License-Identifier: GPL-2.0
/*
 * libxballoon example: every domain's memory view, as `xballoon list` shows
 * it. Build and run in dom0 (as root):
 *
 *   cc example.c $(pkg-config --cflags --libs xballoon) -o example && ./example
 *
 * Errors are errno-style: NULL or -1 with errno set.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <libxballoon.h>

int main(void)
{
	struct xb_backend *be;
	struct xb_snapshot snap;
	size_t i;

	be = xballoon_backend_xen_open();
	if (!be) {
		fprintf(stderr, "example: cannot open Xen: %s\n", strerror(errno));
		return 1;
	}
	if (xballoon_snapshot_take(be, &snap) < 0) {
		fprintf(stderr, "example: snapshot: %s\n", strerror(errno));
		xballoon_backend_close(be);
		return 1;
	}
	printf("host: total %" PRIu64 " KiB, free %" PRIu64 " KiB\n",
	       snap.host_total_kb, snap.host_free_kb);
	for (i = 0; i < snap.n; i++) {
		const struct xb_domain *d = &snap.doms[i];

		printf("%" PRIu32 " %s target %" PRIu64 " KiB actual %" PRIu64
		       " KiB state %s\n", d->xen.domid, d->name, d->target_kb,
		       d->actual_kb, xballoon_dom_state_name(d->state));
	}
	xballoon_snapshot_free(&snap);
	xballoon_backend_close(be);
	return 0;
}
