// SPDX-License-Identifier: GPL-2.0
/*
 * xballoon core: the version-1 report written to data/xballoon/report
 * (format in docs/xenstore-keys.md). No printf: the core is freestanding.
 */
#include "xb_core.h"

struct xb_buf {
	char *p;
	size_t size;
	size_t len;
	bool overflow;
};

static void xb_put(struct xb_buf *b, const char *s)
{
	for (; *s; s++) {
		if (b->len + 1 >= b->size) {
			b->overflow = true;
			return;
		}
		b->p[b->len++] = *s;
	}
}

static void xb_put_u64(struct xb_buf *b, u64 v)
{
	char tmp[21];
	int i = 20;

	tmp[i] = '\0';
	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	xb_put(b, tmp + i);
}

static void xb_tok_u64(struct xb_buf *b, const char *name, u64 v)
{
	if (b->len)
		xb_put(b, " ");
	xb_put(b, name);
	xb_put(b, "=");
	xb_put_u64(b, v);
}

static void xb_tok_word(struct xb_buf *b, const char *name, const char *w)
{
	if (b->len)
		xb_put(b, " ");
	xb_put(b, name);
	xb_put(b, "=");
	xb_put(b, w);
}

u64 xb_core_others_pages(const struct xb_core *c, u64 xen_pages)
{
	u64 mine;

	/* the driver's count in Xen's frame: its size less what it gave */
	if (!xen_pages || c->total_pages < c->target_diff_pages + c->balloon_pages)
		return 0;
	mine = c->total_pages - c->target_diff_pages - c->balloon_pages;
	return mine > xen_pages ? mine - xen_pages : 0;
}

int xb_report_format(const struct xb_core *c, const struct xb_meminfo *mi,
		     u64 seq, char *buf, size_t size)
{
	struct xb_buf b = { buf, size, 0, false };

	if (!buf || !size)
		return -1;
	xb_tok_u64(&b, "v", 1);
	xb_tok_u64(&b, "seq", seq);
	xb_tok_word(&b, "state", xb_state_name(c->state));
	xb_tok_u64(&b, "target_kb", xb_pages_to_kb(c->target_pages));
	xb_tok_u64(&b, "balloon_kb", xb_pages_to_kb(c->balloon_pages));
	xb_tok_u64(&b, "current_kb",
		   xb_pages_to_kb(xb_core_current_pages(c)));
	xb_tok_u64(&b, "floor_kb", xb_pages_to_kb(c->floor_pages));
	xb_tok_u64(&b, "hard_limit_kb", xb_pages_to_kb(c->hard_limit_pages));
	xb_tok_u64(&b, "oom_deflates", c->cnt.oom_deflates);
	xb_tok_u64(&b, "refusals", c->cnt.refusals);
	xb_tok_word(&b, "last_error", xb_err_name(c->last_error));
	/* optional tokens (extension, see docs/xenstore-keys.md) */
	xb_tok_u64(&b, "requested_kb", xb_pages_to_kb(c->req_target_pages));
	xb_tok_u64(&b, "bad_targets", c->cnt.bad_targets);
	xb_tok_word(&b, "scrub", xb_scrub_name(c->scrub));
	xb_tok_u64(&b, "quarantine_kb", xb_pages_to_kb(c->quarantine_pages));
	/* a companion holds no pages: Linux's balloon does */
	xb_tok_word(&b, "rmmod", c->mode == XB_MODE_DRIVER &&
		    xb_core_holds_pages(c) ? "busy" : "ok");
	xb_tok_word(&b, "mode", xb_mode_name(c->mode));
	if (c->mode == XB_MODE_DRIVER) {
		/* the size at load, and how far a target can take it now */
		xb_tok_u64(&b, "boot_kb", xb_pages_to_kb(c->boot_pages));
		xb_tok_u64(&b, "max_kb",
			   xb_pages_to_kb(xb_core_ceiling_pages(c)));
	}
	if (mi) {
		xb_tok_u64(&b, "mem_total_kb", mi->mem_total_kb);
		xb_tok_u64(&b, "mem_avail_kb", mi->mem_avail_kb);
		xb_tok_u64(&b, "mem_free_kb", mi->mem_free_kb);
		xb_tok_u64(&b, "cached_kb", mi->cached_kb);
		xb_tok_u64(&b, "swap_in", mi->swap_in);
		xb_tok_u64(&b, "swap_out", mi->swap_out);
		xb_tok_u64(&b, "major_faults", mi->major_faults);
		xb_tok_u64(&b, "oom_kills", mi->oom_kills);
	}
	if (mi && mi->xen_pages) {
		xb_tok_u64(&b, "xen_current_kb", xb_pages_to_kb(mi->xen_pages));
		xb_tok_u64(&b, "others_kb",
			   xb_pages_to_kb(xb_core_others_pages(c, mi->xen_pages)));
	}
	if (mi && mi->psi.valid) {
		xb_tok_u64(&b, "psi_some_avg10_milli", mi->psi.some_avg10_milli);
		xb_tok_u64(&b, "psi_some_total_us", mi->psi.some_total_us);
		xb_tok_u64(&b, "psi_full_avg10_milli", mi->psi.full_avg10_milli);
		xb_tok_u64(&b, "psi_full_total_us", mi->psi.full_total_us);
	}
	if (b.overflow)
		return -1;
	b.p[b.len] = '\0';
	return (int)b.len;
}

/* ---- /proc/pressure/memory ---- */

static bool xb_is_digit(char ch)
{
	return ch >= '0' && ch <= '9';
}

static bool xb_same(const char *s, size_t len, const char *word)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!word[i] || s[i] != word[i])
			return false;
	return !word[len];
}

/* Decimal digits, 1 to 20 of them, that fit in a u64. */
static int xb_psi_u64(const char *s, size_t len, u64 *v_r)
{
	u64 v = 0;
	size_t i;

	if (!len || len > 20)
		return -XB_EINVAL;
	for (i = 0; i < len; i++) {
		u64 d = (u64)(s[i] - '0');

		if (!xb_is_digit(s[i]) || v > (XB_U64_MAX - d) / 10)
			return -XB_EINVAL;
		v = v * 10 + d;
	}
	*v_r = v;
	return 0;
}

/* Percent with up to 3 decimals, as thousandths, at most 100 %. */
static int xb_psi_pct(const char *s, size_t len, u32 *milli_r)
{
	u64 whole = 0, frac = 0;
	size_t i = 0, nd = 0, nf = 0;

	while (i < len && xb_is_digit(s[i])) {
		if (++nd > 3)
			return -XB_EINVAL;
		whole = whole * 10 + (u64)(s[i++] - '0');
	}
	if (!nd)
		return -XB_EINVAL;
	if (i < len && s[i] == '.') {
		i++;
		while (i < len && xb_is_digit(s[i])) {
			if (++nf > 3)
				return -XB_EINVAL;
			frac = frac * 10 + (u64)(s[i++] - '0');
		}
		if (!nf)
			return -XB_EINVAL;
		for (; nf < 3; nf++)
			frac *= 10;
	}
	if (i != len)
		return -XB_EINVAL;
	whole = whole * 1000 + frac;
	if (whole > 100000)
		return -XB_EINVAL;
	*milli_r = (u32)whole;
	return 0;
}

/*
 * One line: "some|full" and name=value tokens separated by single spaces;
 * avg10 and total must be there once each, other names are skipped.
 */
static int xb_psi_line(const char *s, size_t len, u32 *avg10_r, u64 *total_r)
{
	bool have_avg = false, have_total = false;
	size_t i = 0;

	while (i < len) {
		size_t end = i, eq;

		while (end < len && s[end] != ' ')
			end++;
		for (eq = i; eq < end && s[eq] != '='; eq++)
			;
		if (eq == i || eq == end)
			return -XB_EINVAL;
		if (xb_same(s + i, eq - i, "avg10")) {
			if (have_avg || xb_psi_pct(s + eq + 1, end - eq - 1,
						   avg10_r))
				return -XB_EINVAL;
			have_avg = true;
		} else if (xb_same(s + i, eq - i, "total")) {
			if (have_total || xb_psi_u64(s + eq + 1, end - eq - 1,
						     total_r))
				return -XB_EINVAL;
			have_total = true;
		}
		if (end == len)
			break;
		i = end + 1;
		if (i == len)
			return -XB_EINVAL;	/* trailing space */
	}
	return have_avg && have_total ? 0 : -XB_EINVAL;
}

int xb_psi_parse(const char *s, size_t len, struct xb_psi *p)
{
	struct xb_psi r = { 0 };
	bool some = false, full = false;
	size_t i = 0;

	p->valid = false;
	if (!s)
		return -XB_EINVAL;
	while (i < len) {
		size_t end = i;
		int rc;

		while (end < len && s[end] != '\n')
			end++;
		if (end - i > 5 && xb_same(s + i, 5, "some ")) {
			rc = some ? -XB_EINVAL :
				xb_psi_line(s + i + 5, end - i - 5,
					    &r.some_avg10_milli,
					    &r.some_total_us);
			some = true;
		} else if (end - i > 5 && xb_same(s + i, 5, "full ")) {
			rc = full ? -XB_EINVAL :
				xb_psi_line(s + i + 5, end - i - 5,
					    &r.full_avg10_milli,
					    &r.full_total_us);
			full = true;
		} else {
			rc = -XB_EINVAL;
		}
		if (rc)
			return rc;
		i = end + 1;
	}
	if (!some || !full)
		return -XB_EINVAL;
	r.valid = true;
	*p = r;
	return 0;
}

static bool xb_avg_moved(u32 a, u32 b)
{
	if (!a != !b)
		return true;
	return (a > b ? a - b : b - a) >= XB_PSI_SIGNIFICANT_MILLI;
}

bool xb_psi_changed(const struct xb_psi *now, const struct xb_psi *last)
{
	if (now->valid != last->valid)
		return true;
	if (!now->valid)
		return false;
	return xb_avg_moved(now->some_avg10_milli, last->some_avg10_milli) ||
		xb_avg_moved(now->full_avg10_milli, last->full_avg10_milli);
}

bool xb_psi_active(const struct xb_psi *p)
{
	return p->valid && (p->some_avg10_milli || p->full_avg10_milli);
}

long xb_report_delay_psi(const struct xb_report_clock *rc,
			 const struct xb_core *now, const struct xb_core *last,
			 const struct xb_psi *psi, const struct xb_psi *psi_last,
			 u64 now_ms, u32 period_ms, u32 min_interval_ms)
{
	long d = xb_report_delay(rc, now, last, now_ms, period_ms,
				 min_interval_ms);
	u64 due;
	long pd;

	if (!psi || d == 0 || !xb_psi_changed(psi, psi_last))
		return d;
	due = rc->last_ms + xb_clamp_u32(min_interval_ms, XB_REPORT_MIN_MS_LO,
					 XB_REPORT_MIN_MS_HI);
	pd = due > now_ms ? (long)(due - now_ms) : 0;
	return d < 0 || pd < d ? pd : d;
}
