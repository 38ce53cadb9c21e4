// SPDX-License-Identifier: GPL-2.0
/* Parsers for sizes, xenstore values and driver reports. Declared in libxballoon.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xb_lib_int.h"

static const char *const rfield_names[XB_RF_NR] = {
	[XB_RF_SEQ] = "seq",
	[XB_RF_TARGET] = "target_kb",
	[XB_RF_BALLOON] = "balloon_kb",
	[XB_RF_CURRENT] = "current_kb",
	[XB_RF_FLOOR] = "floor_kb",
	[XB_RF_HARD_LIMIT] = "hard_limit_kb",
	[XB_RF_OOM_DEFLATES] = "oom_deflates",
	[XB_RF_REFUSALS] = "refusals",
	[XB_RF_MEM_TOTAL] = "mem_total_kb",
	[XB_RF_MEM_AVAIL] = "mem_avail_kb",
	[XB_RF_MEM_FREE] = "mem_free_kb",
	[XB_RF_CACHED] = "cached_kb",
	[XB_RF_SWAP_IN] = "swap_in",
	[XB_RF_SWAP_OUT] = "swap_out",
	[XB_RF_MAJOR_FAULTS] = "major_faults",
	[XB_RF_OOM_KILLS] = "oom_kills",
	[XB_RF_PSI_SOME_AVG10] = "psi_some_avg10_milli",
	[XB_RF_PSI_SOME_TOTAL] = "psi_some_total_us",
	[XB_RF_PSI_FULL_AVG10] = "psi_full_avg10_milli",
	[XB_RF_PSI_FULL_TOTAL] = "psi_full_total_us",
	[XB_RF_XEN_CURRENT] = "xen_current_kb",
	[XB_RF_OTHERS] = "others_kb",
};

const char *xballoon_rfield_name(enum xb_rfield v)
{
	return (unsigned int)v < sizeof(rfield_names) / sizeof(rfield_names[0]) ?
	       rfield_names[v] : NULL;
}

static const char *const rmode_names[XB_RMODE_NR] = {
	[XB_RMODE_UNKNOWN] = "unknown",
	[XB_RMODE_DRIVER] = "driver",
	[XB_RMODE_COMPANION] = "companion",
};

const char *xballoon_rmode_name(enum xb_rmode v)
{
	return (unsigned int)v < sizeof(rmode_names) / sizeof(rmode_names[0]) ?
	       rmode_names[v] : NULL;
}

/* PSI averages above 100 % (in thousandths) are not believed */
#define PSI_AVG10_MAX 100000u

static const char *const rstate_names[XB_RSTATE_NR] = {
	[XB_RSTATE_UNKNOWN] = "unknown",
	[XB_RSTATE_IDLE] = "idle",
	[XB_RSTATE_INFLATING] = "inflating",
	[XB_RSTATE_DEFLATING] = "deflating",
	[XB_RSTATE_AT_FLOOR] = "at-floor",
	[XB_RSTATE_REFUSED] = "refused",
	[XB_RSTATE_OOM_DEFLATED] = "oom-deflated",
	[XB_RSTATE_ERROR] = "error",
};

const char *xballoon_rstate_name(enum xb_rstate v)
{
	return (unsigned int)v < sizeof(rstate_names) / sizeof(rstate_names[0]) ?
	       rstate_names[v] : NULL;
}

static const char *const rerror_names[XB_RERR_NR] = {
	[XB_RERR_UNKNOWN] = "unknown",
	[XB_RERR_NONE] = "none",
	[XB_RERR_BAD_TARGET] = "bad-target",
	[XB_RERR_BELOW_FLOOR] = "below-floor",
	[XB_RERR_HV_SHORT] = "hv-short",
	[XB_RERR_HV_REFUSED] = "hv-refused",
	[XB_RERR_NOMEM] = "nomem",
};

const char *xballoon_rerror_name(enum xb_rerror v)
{
	return (unsigned int)v < sizeof(rerror_names) / sizeof(rerror_names[0]) ?
	       rerror_names[v] : NULL;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Digits only, 1..20 of them, fitting in uint64. */
int xballoon_xs_u64(const char *s, size_t len, uint64_t *v_r)
{
	uint64_t v = 0;

	if (!s || len == 0 || len > 20)
		return -1;
	for (size_t i = 0; i < len; i++) {
		unsigned d;

		if (!is_digit(s[i]))
			return -1;
		d = (unsigned)(s[i] - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*v_r = v;
	return 0;
}

void xballoon_xs_name(const char *s, size_t len, char *buf, size_t buflen)
{
	size_t n = 0;

	if (!buflen)
		return;
	for (size_t i = 0; s && i < len && n + 1 < buflen; i++) {
		unsigned char c = (unsigned char)s[i];

		buf[n++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	buf[n] = '\0';
}

/* ---- sizes ---- */

/* Percent with up to 3 decimals, as thousandths; at most 1000 %. */
static int parse_pct(const char *s, size_t len, uint32_t *milli_r)
{
	uint64_t whole = 0, frac = 0;
	size_t i = 0, nd = 0, nf = 0;

	while (i < len && is_digit(s[i])) {
		whole = whole * 10 + (uint64_t)(s[i++] - '0');
		if (++nd > 4)
			return -1;
	}
	if (!nd)
		return -1;
	if (i < len && s[i] == '.') {
		i++;
		while (i < len && is_digit(s[i])) {
			if (++nf > 3)
				return -1;
			frac = frac * 10 + (uint64_t)(s[i++] - '0');
		}
		if (!nf)
			return -1;
		while (nf++ < 3)
			frac *= 10;
	}
	if (i != len)
		return -1;
	whole = whole * 1000 + frac;
	if (whole > 1000 * 1000)
		return -1;
	*milli_r = (uint32_t)whole;
	return 0;
}

int xballoon_size_parse(const char *s, size_t len, struct xb_size *size_r,
		  const char **why_r)
{
	struct xb_size sz = { .kind = XB_SIZE_ABS };
	const char *why = NULL;
	uint64_t v = 0;
	size_t i = 0, nd = 0;
	unsigned shift = 0;
	bool rel = false, bytes = false;

	if (!s || !len) {
		why = "empty size";
		goto bad;
	}
	if (s[0] == '+' || s[0] == '-') {
		rel = true;
		sz.negative = s[0] == '-';
		i = 1;
	}
	if (s[len - 1] == '%') {
		if (parse_pct(s + i, len - 1 - i, &sz.pct_milli)) {
			why = "bad percentage (digits, up to 3 decimals, at most 1000%)";
			goto bad;
		}
		sz.kind = rel ? XB_SIZE_REL_PCT : XB_SIZE_PCT_MAX;
		*size_r = sz;
		return 0;
	}
	for (; i < len && is_digit(s[i]); i++, nd++) {
		if (nd >= 19) {
			why = "size too large";
			goto bad;
		}
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (!nd) {
		why = "not a size (expected a number with optional b/k/m/g/t suffix)";
		goto bad;
	}
	if (i < len && (s[i] == '.' || s[i] == ',')) {
		why = "fractions are not accepted (write 1536m, not 1.5g)";
		goto bad;
	}
	/* no suffix means MiB, as xl's parse_mem_size_kb() (not its man page) */
	shift = 10;
	if (i < len) {
		switch (s[i] | 0x20) {
		case 't': shift = 30; break;
		case 'g': shift = 20; break;
		case 'm': shift = 10; break;
		case 'k': shift = 0; break;
		case 'b': shift = 0; bytes = true; break;
		default:
			why = "unknown size suffix (use b, k, m, g or t)";
			goto bad;
		}
		if (++i != len) {
			why = "trailing characters after size";
			goto bad;
		}
	}
	if (bytes)
		v >>= 10;
	if (v > (XB_SIZE_MAX_KB >> shift)) {
		why = "size too large";
		goto bad;
	}
	sz.kb = v << shift;
	sz.kind = rel ? XB_SIZE_REL : XB_SIZE_ABS;
	*size_r = sz;
	return 0;
bad:
	if (why_r)
		*why_r = why;
	return -1;
}

int xballoon_size_resolve(const struct xb_size *size, uint64_t cur_kb,
		    uint64_t static_max_kb, uint64_t *kb_r, const char **why_r)
{
	unsigned __int128 r = 0, delta = 0;

	switch (size->kind) {
	case XB_SIZE_ABS:
		r = size->kb;
		break;
	case XB_SIZE_PCT_MAX:
		r = (unsigned __int128)static_max_kb * size->pct_milli / 100000;
		break;
	case XB_SIZE_REL:
	case XB_SIZE_REL_PCT:
		delta = size->kind == XB_SIZE_REL ? size->kb :
			(unsigned __int128)cur_kb * size->pct_milli / 100000;
		if (size->negative) {
			if (delta > cur_kb) {
				*why_r = "relative size goes below zero";
				return -1;
			}
			r = cur_kb - delta;
		} else {
			r = cur_kb + delta;
		}
		break;
	default:
		*why_r = "bad size kind";
		return -1;
	}
	if (r > XB_SIZE_MAX_KB) {
		*why_r = "size too large";
		return -1;
	}
	*kb_r = (uint64_t)r;
	return 0;
}

const char *xballoon_size_fmt(uint64_t kib, char *buf, size_t buflen)
{
	static const char unit[] = "KMGTP";
	unsigned u = 0;
	uint64_t whole = kib, tenths = 0;

	while (whole >= 1024 && u < sizeof(unit) - 2) {
		tenths = (whole % 1024) * 10 / 1024;
		whole /= 1024;
		u++;
	}
	if (tenths && whole < 100)
		snprintf(buf, buflen, "%llu.%llu%c", (unsigned long long)whole,
			 (unsigned long long)tenths, unit[u]);
	else
		snprintf(buf, buflen, "%llu%c", (unsigned long long)whole, unit[u]);
	return buf;
}

/* ---- driver report ---- */

static bool is_word(const char *s, size_t len)
{
	if (!len)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!(is_digit(s[i]) || (s[i] >= 'a' && s[i] <= 'z') || s[i] == '-'))
			return false;
	return true;
}

static bool is_name(const char *s, size_t len)
{
	if (!len)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!(is_digit(s[i]) || (s[i] >= 'a' && s[i] <= 'z') || s[i] == '_'))
			return false;
	return true;
}

static int lookup(const char *const *names, int n, const char *s, size_t len)
{
	for (int i = 0; i < n; i++)
		if (names[i] && strlen(names[i]) == len && !memcmp(names[i], s, len))
			return i;
	return -1;
}

/* Handle one name=value token; returns a reason on rejection. */
static const char *report_token(struct xb_report *r, const char *tok, size_t len,
				bool *seen_v, bool *seen_state, bool *seen_err,
				bool *seen_mode)
{
	const char *eq = memchr(tok, '=', len);
	size_t nlen, vlen;
	const char *val;
	uint64_t v;
	int f;

	if (!eq)
		return "token without '='";
	nlen = (size_t)(eq - tok);
	val = eq + 1;
	vlen = len - nlen - 1;
	if (!is_name(tok, nlen))
		return "bad token name";
	if (!is_word(val, vlen))
		return "bad token value";
	if (nlen == 1 && tok[0] == 'v') {
		if (*seen_v)
			return "duplicate v";
		*seen_v = true;
		if (xballoon_xs_u64(val, vlen, &v) || v != 1)
			return "unsupported version";
		return NULL;
	}
	if (nlen == 5 && !memcmp(tok, "state", 5)) {
		if (*seen_state)
			return "duplicate state";
		*seen_state = true;
		f = lookup(rstate_names, XB_RSTATE_NR, val, vlen);
		r->state = f > 0 ? (enum xb_rstate)f : XB_RSTATE_UNKNOWN;
		return NULL;
	}
	if (nlen == 10 && !memcmp(tok, "last_error", 10)) {
		if (*seen_err)
			return "duplicate last_error";
		*seen_err = true;
		f = lookup(rerror_names, XB_RERR_NR, val, vlen);
		r->last_error = f > 0 ? (enum xb_rerror)f : XB_RERR_UNKNOWN;
		return NULL;
	}
	if (nlen == 4 && !memcmp(tok, "mode", 4)) {
		if (*seen_mode)
			return "duplicate mode";
		*seen_mode = true;
		f = lookup(rmode_names, XB_RMODE_NR, val, vlen);
		r->mode = f > 0 ? (enum xb_rmode)f : XB_RMODE_UNKNOWN;
		return NULL;
	}
	f = lookup(rfield_names, XB_RF_NR, tok, nlen);
	if (f < 0)
		return NULL;	/* unknown names are ignored */
	if (r->present & (1u << f))
		return "duplicate field";
	if (xballoon_xs_u64(val, vlen, &v))
		return "numeric field is not a number";
	if ((f == XB_RF_PSI_SOME_AVG10 || f == XB_RF_PSI_FULL_AVG10) &&
	    v > PSI_AVG10_MAX)
		return NULL;	/* impossible: left out, as if not reported */
	r->num[f] = v;
	r->present |= 1u << f;
	return NULL;
}

void xb_report_parse_into(const char *s, size_t len, struct xb_report *report_r)
{
	struct xb_report r = { .status = XB_REPORT_ABSENT,
			       .mode = XB_RMODE_DRIVER };
	bool seen_v = false, seen_state = false, seen_err = false;
	bool seen_mode = false;
	const char *why = NULL;
	size_t i = 0;

	if (!s)
		goto out;
	r.status = XB_REPORT_INVALID;
	if (len && s[len - 1] == '\n')
		len--;
	if (len > XB_REPORT_MAX_LEN) {
		why = "longer than 1024 bytes";
		goto out;
	}
	if (!len) {
		why = "empty";
		goto out;
	}
	while (i <= len) {
		const char *sp = memchr(s + i, ' ', len - i);
		size_t end = sp ? (size_t)(sp - s) : len;

		if (end == i) {
			why = "empty token";
			goto out;
		}
		why = report_token(&r, s + i, end - i, &seen_v, &seen_state,
				   &seen_err, &seen_mode);
		if (why)
			goto out;
		i = end + 1;
	}
	if (!seen_v) {
		why = "no version";
		goto out;
	}
	r.status = XB_REPORT_VALID;
out:
	if (r.status != XB_REPORT_VALID) {
		r.present = 0;
		memset(r.num, 0, sizeof(r.num));
		r.state = XB_RSTATE_UNKNOWN;
		r.last_error = XB_RERR_UNKNOWN;
		r.mode = XB_RMODE_UNKNOWN;
	}
	r.why = why;
	*report_r = r;
}

const struct xb_report xb_report_absent = {
	.status = XB_REPORT_ABSENT,
	.state = XB_RSTATE_UNKNOWN,
	.last_error = XB_RERR_UNKNOWN,
	.mode = XB_RMODE_UNKNOWN,
};

struct xb_report *xballoon_report_parse(const char *s, size_t len)
{
	struct xb_report *r = malloc(sizeof(*r));

	if (!r) {
		errno = ENOMEM;
		return NULL;
	}
	xb_report_parse_into(s, len, r);
	return r;
}

void xballoon_report_free(const struct xb_report *r)
{
	xb_report_release(r);
}

void xb_report_release(const struct xb_report *r)
{
	if (r != &xb_report_absent)
		free((void *)r);
}

static const struct xb_report *or_absent(const struct xb_report *r)
{
	return r ? r : &xb_report_absent;
}

enum xb_report_status xballoon_report_status(const struct xb_report *r)
{
	return or_absent(r)->status;
}

bool xballoon_report_get(const struct xb_report *r, enum xb_rfield f, uint64_t *val_r)
{
	if (!r || (unsigned int)f >= XB_RF_NR || !xb_report_has(r, f))
		return false;
	*val_r = r->num[f];
	return true;
}

enum xb_rstate xballoon_report_state(const struct xb_report *r)
{
	return or_absent(r)->state;
}

enum xb_rerror xballoon_report_last_error(const struct xb_report *r)
{
	return or_absent(r)->last_error;
}

enum xb_rmode xballoon_report_mode(const struct xb_report *r)
{
	return or_absent(r)->mode;
}

const char *xballoon_report_why(const struct xb_report *r)
{
	return or_absent(r)->why;
}
