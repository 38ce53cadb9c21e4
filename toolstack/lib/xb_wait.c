// SPDX-License-Identifier: GPL-2.0
/*
 * libxballoon: waiting for targets. Only Xen's numbers end a wait early: a
 * domain is done when tot_pages is at its target, or has not moved toward it
 * for stuck_ms (the guest's report may then name the reason), or is gone.
 * A domU whose memory/target is missing is never done (see below).
 */
#include <errno.h>
#include <stdlib.h>

#include "xb_lib_int.h"

/*
 * Mark D as seen following a target (memory/xballoon-followed, dom0-owned,
 * which a guest cannot write): --all then selects it even when it writes no
 * report (Linux's own driver). Best effort.
 */
static void mark_followed(struct xb_backend *be, const struct xb_domain *d)
{
	char path[XB_PATH_LEN];

	if (d->followed || d->xen.domid == 0)
		return;
	xb_dom_path(path, d->xen.domid, XB_KEY_FOLLOWED);
	xb_write_u64(be, XB_TXN_NULL, path, 1);
}

static bool terminal(enum xb_dom_state st)
{
	return st != XB_ST_CONVERGING;
}

enum xb_exit xballoon_wait(struct xb_backend *be, const uint32_t *domids, size_t n,
		     const struct xb_wait_opts *o, enum xb_dom_state *states_r)
{
	struct xb_progress *prog = calloc(n ? n : 1, sizeof(*prog));
	uint64_t *start_gap = calloc(n ? n : 1, sizeof(*start_gap));
	uint64_t start = be->ops->now_ms(be);
	enum xb_exit rc = XB_EXIT_ERROR;
	bool first = true;
	size_t i;

	if (!prog || !start_gap)
		goto out;
	for (;;) {
		struct xb_snapshot snap;
		uint64_t now, elapsed;
		bool done = true;

		if (xballoon_snapshot_take(be, &snap))
			goto out;
		now = be->ops->now_ms(be);
		elapsed = now - start;
		for (i = 0; i < n; i++) {
			const struct xb_domain *d = xballoon_snapshot_find(&snap, domids[i]);

			if (!d || d->xen.dying) {
				states_r[i] = XB_ST_GONE;
				continue;
			}
			if (!first && states_r[i] == XB_ST_GONE)
				continue;	/* a new domain with a reused id */
			/*
			 * A domU without memory/target is being built or torn
			 * down: xl destroy removes the xenstore directory before
			 * Xen marks the domain dying. Its target would read as
			 * its size (at target); wait for Xen to say more.
			 */
			if (d->xen.domid && !d->has_target) {
				states_r[i] = XB_ST_CONVERGING;
				done = false;
				continue;
			}
			states_r[i] = xballoon_derive_state(d, &prog[i], now, o->stuck_ms);
			if (first)
				start_gap[i] = prog[i].best_gap_kb;
			/*
			 * Out of time without any progress at all since the
			 * start: Xen's numbers say it did not move.
			 */
			if (elapsed >= o->timeout_ms && states_r[i] == XB_ST_CONVERGING &&
			    prog[i].last_progress_ms == prog[i].since_ms)
				states_r[i] = xballoon_derive_state(d, &prog[i], now, 0);
			/* it moved to its target: it has a driver */
			if (states_r[i] == XB_ST_AT_TARGET &&
			    start_gap[i] > xballoon_target_tolerance_kb(d->target_kb))
				mark_followed(be, d);
			if (!terminal(states_r[i]))
				done = false;
		}
		first = false;
		if (o->progress)
			o->progress(o->ctx, &snap, domids, states_r, n, elapsed);
		xballoon_snapshot_free(&snap);
		if (done || elapsed >= o->timeout_ms)
			break;
		be->ops->sleep_ms(be, o->interval_ms);
	}
	rc = XB_EXIT_OK;
	for (i = 0; i < n; i++)
		rc = xballoon_exit_worse(rc, xballoon_state_exit(states_r[i]));
out:
	free(prog);
	free(start_gap);
	return rc;
}
