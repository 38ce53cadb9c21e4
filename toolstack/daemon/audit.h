/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What xballoond tells the operator: one JSON object per decision (the audit
 * line, also written to xenstore for `xballoon watch`) and the status file
 * `xballoon daemon-status` reads. All JSON is built with yajl.
 */
#ifndef XBD_AUDIT_H
#define XBD_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "policy.h"

#define XBD_RUN_DIR "/run/xballoon"
#define XBD_LOCK_FILE "xballoond.lock"
#define XBD_STATUS_FILE "status.json"
/* dom0-only: /tool is readable by dom0 alone; one key per domain */
#define XBD_XS_DECISION_DIR "/tool/xballoon/decision"

/* The daemon's own counters (status file, metrics). */
struct xbd_counters {
	unsigned long long decisions;	/* policy steps */
	unsigned long long changes;	/* targets set */
	unsigned long long failures;	/* targets Xen or xenstore refused */
	unsigned long long reloads, reload_failures;
	unsigned long long reconnects;	/* to xenstored */
	unsigned long long uncooperative;	/* domains marked */
};

/* The last change the daemon made to a domain. */
struct xbd_last {
	uint32_t domid;
	bool valid;
	uint64_t ts_ms;			/* wall clock */
	uint64_t old_kb, new_kb, maxmem_kb;
	enum xbd_reason reason;
	bool failed;
};

/*
 * Where a decision's time went (ms). lag = wait + snapshot + read + the
 * changes made before this one in the same pass.
 */
struct xbd_timing {
	bool event;			/* caused by a xenstore event (else resample, reload) */
	uint64_t lag_ms;		/* from that event's arrival to this change */
	uint64_t wait_ms;		/* of which before the pass began (rate limit) */
	uint64_t snapshot_ms;		/* reading Xen and the domains' keys */
	uint64_t read_ms;		/* policy keys, reservations */
};

/*
 * One decision as a JSON object on one line (malloc()ed, NULL when out of
 * memory): "event":"decision", the domain, old and new target, maxmem, the
 * inputs (tot, used, margin, need, pressure), the reason and, with T, its
 * timing (lag_ms and wait_ms only when an event caused it).
 */
char *xbd_json_decision(uint64_t ts_ms, const char *name, const struct xbd_dom *pd,
			const struct xbd_out *o, const struct xbd_timing *t,
			bool dry_run);

/*
 * A domain marked (ON) or no longer marked uncooperative, as one JSON line:
 * "event":"uncooperative", the domain, "on", Xen's tot and the target.
 */
char *xbd_json_uncoop(uint64_t ts_ms, const char *name, const struct xbd_dom *pd,
		      bool on);

/* What the status file shows. */
struct xbd_status {
	int pid;
	const char *state;		/* "balancing", "reconnecting", "stopped" */
	const char *config_path;	/* NULL: the defaults */
	uint64_t started_ms, updated_ms;	/* wall clock */
	const struct xbd_daemon_config *cfg;
	const struct xbd_counters *counters;
	uint64_t host_free_kb;
	size_t n;
	const struct xbd_dom *doms;
	const struct xbd_out *outs;
	const char *const *names;
	const struct xbd_last *last;	/* n entries (valid = false: none) */
};

/*
 * Write the status document to PATH atomically (a temporary file in the same
 * directory, then rename). 0, or -1 with errno.
 */
int xbd_status_write(const char *path, const struct xbd_status *st);

#endif
