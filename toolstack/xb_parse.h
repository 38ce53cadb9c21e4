/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Parsers for everything xballoon reads from people and from xenstore.
 * All of them take (buffer, length), never read past it, never allocate,
 * and treat their input as untrusted. Sizes are in KiB everywhere.
 */
#ifndef XB_PARSE_H
#define XB_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define XB_REPORT_MAX_LEN 1024		/* docs/xenstore-keys.md, version 1 */
#define XB_SIZE_MAX_KB (UINT64_C(1) << 50)	/* 1 EiB in KiB: sanity bound */

/* ---- sizes, as xl takes them, plus relative and percentage forms ---- */

enum xb_size_kind {
	XB_SIZE_ABS,		/* "512m", "1048576" (KiB), "1g" */
	XB_SIZE_PCT_MAX,	/* "50%": percentage of static-max */
	XB_SIZE_REL,		/* "+512m", "-1g": relative to the current target */
	XB_SIZE_REL_PCT,	/* "+10%", "-10%": relative, percent of current target */
};

struct xb_size {
	enum xb_size_kind kind;
	bool negative;		/* REL, REL_PCT */
	uint64_t kb;		/* ABS, REL */
	uint32_t pct_milli;	/* PCT_MAX, REL_PCT: percent * 1000 (0.001 % steps) */
};

/*
 * Parse S (LEN bytes, need not be NUL-terminated). Numbers are decimal with an
 * optional suffix b/k/m/g/t (case-insensitive; none = KiB, as xl mem-set);
 * "b" truncates to whole KiB (as xl does). Percentages may have up to 3 decimals.
 * Returns 0, or -1 with a short reason in *why_r (static string).
 */
int xb_size_parse(const char *s, size_t len, struct xb_size *size_r,
		  const char **why_r);

/*
 * Resolve SIZE to an absolute target in KiB against CUR_KB (current target)
 * and STATIC_MAX_KB. Returns 0, or -1 with *why_r (negative result, overflow).
 */
int xb_size_resolve(const struct xb_size *size, uint64_t cur_kb,
		    uint64_t static_max_kb, uint64_t *kb_r, const char **why_r);

/* Format KIB as a short human size ("512M", "1.5G") into BUF. */
const char *xb_size_fmt(uint64_t kib, char *buf, size_t buflen);

/* ---- xenstore values ---- */

/*
 * A xenstore decimal value: ASCII digits only (at most 20), no sign, no
 * spaces, fits in uint64. Returns 0 or -1.
 */
int xb_xs_u64(const char *s, size_t len, uint64_t *v_r);

/*
 * A domain name for display: copy at most BUFLEN-1 bytes, replacing anything
 * not printable ASCII by '?'. Always NUL-terminates.
 */
void xb_xs_name(const char *s, size_t len, char *buf, size_t buflen);

/* ---- the guest driver's report, data/xballoon/report ---- */

enum xb_rfield {
	XB_RF_SEQ, XB_RF_TARGET, XB_RF_BALLOON, XB_RF_CURRENT, XB_RF_FLOOR,
	XB_RF_HARD_LIMIT, XB_RF_OOM_DEFLATES, XB_RF_REFUSALS, XB_RF_MEM_TOTAL,
	XB_RF_MEM_AVAIL, XB_RF_MEM_FREE, XB_RF_CACHED, XB_RF_SWAP_IN,
	XB_RF_SWAP_OUT, XB_RF_MAJOR_FAULTS, XB_RF_OOM_KILLS,
	XB_RF_NR
};

/* Token names, e.g. xb_rfield_name[XB_RF_BALLOON] == "balloon_kb". */
extern const char *const xb_rfield_name[XB_RF_NR];

enum xb_rstate {
	XB_RSTATE_UNKNOWN,	/* missing, or a word this version does not know */
	XB_RSTATE_IDLE, XB_RSTATE_INFLATING, XB_RSTATE_DEFLATING,
	XB_RSTATE_AT_FLOOR, XB_RSTATE_REFUSED, XB_RSTATE_OOM_DEFLATED,
	XB_RSTATE_ERROR,
	XB_RSTATE_NR
};
extern const char *const xb_rstate_name[XB_RSTATE_NR];

enum xb_rerror {
	XB_RERR_UNKNOWN, XB_RERR_NONE, XB_RERR_BAD_TARGET, XB_RERR_BELOW_FLOOR,
	XB_RERR_HV_SHORT, XB_RERR_HV_REFUSED, XB_RERR_NOMEM,
	XB_RERR_NR
};
extern const char *const xb_rerror_name[XB_RERR_NR];

enum xb_report_status {
	XB_REPORT_ABSENT,	/* no key: no driver (or not started yet) */
	XB_REPORT_VALID,
	XB_REPORT_INVALID,	/* present but rejected; see why */
};

struct xb_report {
	enum xb_report_status status;
	uint32_t present;		/* bit (1 << field) per numeric field */
	uint64_t num[XB_RF_NR];
	enum xb_rstate state;
	enum xb_rerror last_error;
	const char *why;		/* static reason when INVALID */
};

static inline bool xb_report_has(const struct xb_report *r, enum xb_rfield f)
{
	return r->status == XB_REPORT_VALID && (r->present & (1u << f));
}

/*
 * Parse a report of LEN bytes (S may be NULL: absent). Never fails: the
 * outcome is in report_r->status. A single trailing newline is tolerated.
 */
void xb_report_parse(const char *s, size_t len, struct xb_report *report_r);

#endif
