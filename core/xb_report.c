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
	xb_tok_word(&b, "rmmod", xb_core_holds_pages(c) ? "busy" : "ok");
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
	if (b.overflow)
		return -1;
	b.p[b.len] = '\0';
	return (int)b.len;
}
