// SPDX-License-Identifier: GPL-2.0
/*
 * libxballoon: reservations. Memory freed from guests is held with a Xen
 * claim (XENMEM_claim_pages) in an empty placeholder domain until the domain
 * it is for is built; records in one dom0-only xenstore key say who holds
 * what, until when, so that a reservation whose creator died is released.
 * Why a placeholder and not a claim in the new domain: docs/toolstack.md.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xb_lib_int.h"

static const char *const resv_state_names[XB_RESV_NR] = {
	[XB_RESV_FREEING] = "freeing",
	[XB_RESV_HELD] = "held",
	[XB_RESV_BUILDING] = "building",
};

const char *xballoon_resv_state_name(enum xb_resv_state v)
{
	return (unsigned int)v < sizeof(resv_state_names) / sizeof(resv_state_names[0]) ?
	       resv_state_names[v] : NULL;
}

/* ---- the records: one line each, "id state kb holder pid start deadline" ---- */

#define RESV_FIELDS 7
#define RESV_LINE_MAX 160

static int parse_line(const char *s, size_t len, struct xb_resv *r,
		      const char **why_r)
{
	uint64_t v[RESV_FIELDS];
	size_t i = 0, f = 0;
	int st = -1;

	while (f < RESV_FIELDS) {
		size_t j = i;

		while (j < len && s[j] != ' ')
			j++;
		if (j == i) {
			*why_r = "empty field";
			return -1;
		}
		if (f == 1) {
			for (int k = 0; k < XB_RESV_NR; k++)
				if (strlen(xballoon_resv_state_name(k)) == j - i &&
				    !memcmp(xballoon_resv_state_name(k), s + i, j - i))
					st = k;
			if (st < 0) {
				*why_r = "unknown state";
				return -1;
			}
			v[f] = 0;
		} else if (xballoon_xs_u64(s + i, j - i, &v[f])) {
			*why_r = "not a number";
			return -1;
		}
		f++;
		if (f < RESV_FIELDS && j >= len) {
			*why_r = "too few fields";
			return -1;
		}
		i = j + 1;
	}
	if (i <= len) {
		*why_r = "too many fields";
		return -1;
	}
	if (!v[0] || v[0] > UINT32_MAX || v[3] > UINT32_MAX || v[4] > INT32_MAX ||
	    v[2] > XB_SIZE_MAX_KB) {
		*why_r = "value out of range";
		return -1;
	}
	r->id = (uint32_t)v[0];
	r->state = (enum xb_resv_state)st;
	r->kb = v[2];
	r->holder = (uint32_t)v[3];
	r->pid = (int32_t)v[4];
	r->pid_start = v[5];
	r->deadline_ms = v[6];
	return 0;
}

int xballoon_resv_parse(const char *s, size_t len, struct xb_resv *r, size_t max,
		  size_t *n_r, const char **why_r)
{
	size_t i = 0, n = 0;

	*why_r = NULL;
	*n_r = 0;
	while (i < len) {
		size_t j = i;

		while (j < len && s[j] != '\n')
			j++;
		if (j > i) {
			if (n >= max) {
				*why_r = "too many reservations";
				return -1;
			}
			if (parse_line(s + i, j - i, &r[n], why_r))
				return -1;
			n++;
		}
		i = j + 1;
	}
	*n_r = n;
	return 0;
}

static char *resv_format(const struct xb_resv *r, size_t n)
{
	char *buf = malloc(n * RESV_LINE_MAX + 1);
	size_t off = 0;

	if (!buf)
		return NULL;
	buf[0] = 0;
	for (size_t i = 0; i < n; i++)
		off += (size_t)snprintf(buf + off, RESV_LINE_MAX,
				"%" PRIu32 " %s %" PRIu64 " %" PRIu32 " %" PRId32
				" %" PRIu64 " %" PRIu64 "\n",
				r[i].id, xballoon_resv_state_name(r[i].state),
				r[i].kb, r[i].holder, r[i].pid, r[i].pid_start,
				r[i].deadline_ms);
	return buf;
}

static int resv_read(struct xb_backend *be, xb_txn_t t, struct xb_resv *r,
		     size_t max, size_t *n_r, const char **why_r)
{
	size_t len = 0;
	char *s = be->ops->xs_read(be, t, XB_RESV_PATH, &len);
	int rc;

	*n_r = 0;
	if (!s)
		return errno == ENOENT ? 0 : -1;
	rc = xballoon_resv_parse(s, len, r, max, n_r, why_r);
	free(s);
	if (rc)
		errno = EBADMSG;
	return rc;
}

static int resv_write(struct xb_backend *be, xb_txn_t t, const struct xb_resv *r,
		      size_t n)
{
	char *s;
	int rc;

	if (!n)
		return be->ops->xs_rm(be, t, XB_RESV_PATH);
	s = resv_format(r, n);
	if (!s)
		return -1;
	rc = be->ops->xs_write(be, t, XB_RESV_PATH, s);
	free(s);
	return rc;
}

int xballoon_resv_list(struct xb_backend *be, struct xb_resv *r, size_t max,
		 size_t *n_r)
{
	const char *why = NULL;

	return resv_read(be, XB_TXN_NULL, r, max, n_r, &why);
}

uint64_t xballoon_resv_unclaimed_kb(const struct xb_resv *r, size_t n)
{
	uint64_t kb = 0;

	for (size_t i = 0; i < n; i++)
		if (r[i].state != XB_RESV_HELD)
			kb += r[i].kb;
	return kb;
}

bool xballoon_resv_creator_alive(struct xb_backend *be, const struct xb_resv *r)
{
	return be->ops->pid_alive && be->ops->pid_alive(be, r->pid, r->pid_start);
}

/* ---- changing one record in a transaction ---- */

enum edit_op { EDIT_ADD, EDIT_UPDATE, EDIT_REMOVE };

struct edit {
	enum edit_op op;
	struct xb_resv *r;		/* ADD: id filled in; UPDATE: by id */
	uint32_t id;			/* REMOVE */
	bool found;
};

static int edit_body(struct xb_backend *be, xb_txn_t t, void *arg,
		     const char **why_r)
{
	struct edit *e = arg;
	struct xb_resv r[XB_RESV_MAX + 1];
	size_t n, i;
	uint64_t next = 1;

	e->found = false;
	if (resv_read(be, t, r, XB_RESV_MAX, &n, why_r)) {
		if (errno != EBADMSG)
			return -1;
		/* a malformed key (not ours): start again rather than stay stuck */
		n = 0;
	}
	if (e->op == EDIT_ADD) {
		if (n >= XB_RESV_MAX) {
			*why_r = "too many reservations";
			errno = ENOSPC;
			return -1;
		}
		if (!xb_read_u64(be, t, XB_RESV_NEXT_PATH, &next) || !next ||
		    next > UINT32_MAX)
			next = 1;
		for (;;) {	/* an id no record has */
			for (i = 0; i < n && r[i].id != next; i++)
				;
			if (i == n)
				break;
			next = next >= UINT32_MAX ? 1 : next + 1;
		}
		e->r->id = (uint32_t)next;
		r[n++] = *e->r;
		e->found = true;
		if (xb_write_u64(be, t, XB_RESV_NEXT_PATH,
				 next >= UINT32_MAX ? 1 : next + 1))
			return -1;
		return resv_write(be, t, r, n);
	}
	for (i = 0; i < n; i++)
		if (r[i].id == (e->op == EDIT_UPDATE ? e->r->id : e->id))
			break;
	if (i == n)
		return 0;	/* commit nothing changed; found stays false */
	e->found = true;
	if (e->op == EDIT_UPDATE)
		r[i] = *e->r;
	else
		r[i] = r[--n];
	return resv_write(be, t, r, n);
}

static int resv_edit(struct xb_backend *be, struct edit *e)
{
	const char *why = NULL;

	if (xb_txn_run(be, edit_body, e, &why))
		return -1;
	if (!e->found) {
		errno = ENOENT;
		return -1;
	}
	return 0;
}

static void holder_name_path(char *buf, uint32_t domid)
{
	xb_dom_path(buf, domid, "name");
}

/* Drop the claim and destroy the placeholder; a missing one is fine. */
static int holder_drop(struct xb_backend *be, uint32_t holder)
{
	char path[XB_PATH_LEN];
	int rc = 0;

	if (!holder)
		return 0;
	if (be->ops->claim(be, holder, 0) && errno != ESRCH)
		rc = -1;
	if (be->ops->domain_destroy(be, holder) && errno != ESRCH)
		rc = -1;
	snprintf(path, sizeof(path), "/local/domain/%" PRIu32, holder);
	be->ops->xs_rm(be, XB_TXN_NULL, path);
	return rc;
}

static bool resv_supported(struct xb_backend *be)
{
	if (be->ops->placeholder_create && be->ops->claim &&
	    be->ops->domain_destroy && be->ops->self && be->ops->pid_alive)
		return true;
	errno = ENOSYS;
	return false;
}

int xballoon_resv_release(struct xb_backend *be, uint32_t id)
{
	struct xb_resv r[XB_RESV_MAX];
	struct edit e = { .op = EDIT_REMOVE, .id = id };
	size_t n, i;
	int rc;

	if (!resv_supported(be) || xballoon_resv_list(be, r, XB_RESV_MAX, &n))
		return -1;
	for (i = 0; i < n && r[i].id != id; i++)
		;
	if (i == n) {
		errno = ENOENT;
		return -1;
	}
	rc = holder_drop(be, r[i].holder);
	if (resv_edit(be, &e) && errno != ENOENT)
		return -1;
	return rc;
}

int xballoon_resv_reap(struct xb_backend *be)
{
	struct xb_resv r[XB_RESV_MAX];
	uint64_t now;
	size_t n;
	int reaped = 0;

	if (!resv_supported(be) || xballoon_resv_list(be, r, XB_RESV_MAX, &n))
		return -1;
	now = be->ops->now_ms(be);
	for (size_t i = 0; i < n; i++) {
		if (now < r[i].deadline_ms || xballoon_resv_creator_alive(be, &r[i]))
			continue;
		if (!xballoon_resv_release(be, r[i].id))
			reaped++;
	}
	return reaped;
}

int xballoon_resv_begin(struct xb_backend *be, uint64_t kb, uint64_t hold_ms,
		  struct xb_resv *r_out)
{
	struct xb_resv r = { .state = XB_RESV_FREEING, .kb = kb };
	struct edit e = { .op = EDIT_ADD, .r = &r };
	char path[XB_PATH_LEN], name[48];
	int saved;

	if (!resv_supported(be))
		return -1;
	if (!kb || kb > XB_SIZE_MAX_KB || kb % XB_PAGE_KB) {
		errno = EINVAL;
		return -1;
	}
	be->ops->self(be, &r.pid, &r.pid_start);
	r.deadline_ms = be->ops->now_ms(be) + hold_ms;
	/* the record first: a placeholder never exists without one */
	if (resv_edit(be, &e))
		return -1;
	if (be->ops->placeholder_create(be, kb + XB_MAXMEM_SLACK_KB, &r.holder))
		goto fail;
	e.op = EDIT_UPDATE;
	if (resv_edit(be, &e)) {
		holder_drop(be, r.holder);
		r.holder = 0;
		goto fail;
	}
	holder_name_path(path, r.holder);
	snprintf(name, sizeof(name), XB_RESV_HOLDER_NAME "%" PRIu32, r.id);
	be->ops->xs_write(be, XB_TXN_NULL, path, name);	/* for xl list only */
	*r_out = r;
	return 0;
fail:
	saved = errno;
	e.op = EDIT_REMOVE;
	e.id = r.id;
	resv_edit(be, &e);
	errno = saved;
	return -1;
}

int xballoon_resv_try_claim(struct xb_backend *be, struct xb_resv *r)
{
	struct edit e = { .op = EDIT_UPDATE, .r = r };

	if (r->state == XB_RESV_HELD)
		return 1;
	if (!r->holder) {
		errno = EINVAL;
		return -1;
	}
	if (be->ops->claim(be, r->holder, xb_kb_to_pages(r->kb)))
		return errno == ENOMEM ? 0 : -1;
	r->state = XB_RESV_HELD;
	if (resv_edit(be, &e)) {
		int saved = errno;

		be->ops->claim(be, r->holder, 0);
		r->state = XB_RESV_FREEING;
		errno = saved;
		return -1;
	}
	return 1;
}

int xballoon_resv_touch(struct xb_backend *be, struct xb_resv *r, uint64_t hold_ms)
{
	struct edit e = { .op = EDIT_UPDATE, .r = r };

	if (!resv_supported(be))
		return -1;
	be->ops->self(be, &r->pid, &r->pid_start);
	r->deadline_ms = be->ops->now_ms(be) + hold_ms;
	return resv_edit(be, &e);
}

int xballoon_resv_handover(struct xb_backend *be, struct xb_resv *r)
{
	struct edit e = { .op = EDIT_UPDATE, .r = r };
	int rc;

	if (!resv_supported(be))
		return -1;
	rc = holder_drop(be, r->holder);
	r->holder = 0;
	r->state = XB_RESV_BUILDING;
	if (resv_edit(be, &e))
		return -1;
	return rc;
}

/* ---- who gives ---- */

int xballoon_give_donors(struct xb_backend *be, const struct xb_snapshot *snap,
		   struct xb_give **g_r, size_t *n_r)
{
	struct xb_give *g = calloc(snap->n ? snap->n : 1, sizeof(*g));
	size_t n = 0;

	if (!g)
		return -1;
	for (size_t i = 0; i < snap->n; i++) {
		const struct xb_domain *d = &snap->doms[i];
		const struct xb_report *r = d->report;
		struct xb_give *o;
		char path[XB_PATH_LEN];
		uint64_t dmin = 0, w = 1, need;

		if (!d->xen.domid || d->xen.dying || d->xen.shutdown ||
		    !d->has_target || !xballoon_dom_has_driver(d))
			continue;
		o = &g[n++];
		o->domid = d->xen.domid;
		o->target_kb = d->target_kb;
		o->floor_kb = d->target_kb;
		o->new_kb = d->target_kb;
		o->weight = 1;
		xb_dom_path(path, d->xen.domid, XB_KEY_DYN_MIN);
		if (!xb_read_u64(be, XB_TXN_NULL, path, &dmin)) {
			o->held_back = "no policy keys (xballoon mem-policy)";
			continue;
		}
		xb_dom_path(path, d->xen.domid, "memory/xballoon-weight");
		if (xb_read_u64(be, XB_TXN_NULL, path, &w) && w >= 1 && w <= 1000)
			o->weight = (uint32_t)w;
		if (xb_report_has(r, XB_RF_MEM_TOTAL) && xb_report_has(r, XB_RF_MEM_AVAIL) &&
		    r->num[XB_RF_MEM_TOTAL] >= r->num[XB_RF_MEM_AVAIL]) {
			uint64_t bal = xb_report_has(r, XB_RF_BALLOON) ?
				       r->num[XB_RF_BALLOON] : 0;
			uint64_t size = r->num[XB_RF_MEM_TOTAL] > bal ?
					r->num[XB_RF_MEM_TOTAL] - bal : 0;
			uint64_t used = size > r->num[XB_RF_MEM_AVAIL] ?
					size - r->num[XB_RF_MEM_AVAIL] : 0;

			need = used + XB_GIVE_MARGIN_KB;
		} else {
			need = d->actual_kb;	/* nothing usable: its size is its need */
		}
		if (dmin < XB_DOMU_MIN_KB)
			dmin = XB_DOMU_MIN_KB;
		o->floor_kb = dmin > need ? dmin : need;
		o->floor_kb = (o->floor_kb + XB_PAGE_KB - 1) & ~(uint64_t)(XB_PAGE_KB - 1);
		if (o->floor_kb >= d->target_kb) {
			o->floor_kb = d->target_kb;
			o->held_back = dmin >= need ? "at dynamic-min" : "at its need";
		}
	}
	*g_r = g;
	*n_r = n;
	return 0;
}

uint64_t xballoon_give_plan(struct xb_give *g, size_t n, uint64_t amount_kb)
{
	uint64_t given = 0;
	uint32_t w = 0;

	amount_kb = (amount_kb + XB_PAGE_KB - 1) & ~(uint64_t)(XB_PAGE_KB - 1);
	for (size_t i = 0; i < n; i++)
		g[i].new_kb = g[i].target_kb;
	/* weight classes, lowest first */
	while (given < amount_kb) {
		uint32_t cls = UINT32_MAX;
		uint64_t surplus = 0, want, took = 0;

		for (size_t i = 0; i < n; i++)
			if (g[i].weight > w && g[i].weight < cls)
				cls = g[i].weight;
		if (cls == UINT32_MAX)
			break;
		w = cls;
		for (size_t i = 0; i < n; i++)
			if (g[i].weight == cls)
				surplus += g[i].target_kb - g[i].floor_kb;
		if (!surplus)
			continue;
		want = amount_kb - given < surplus ? amount_kb - given : surplus;
		for (size_t i = 0; i < n; i++) {
			uint64_t s, share;

			if (g[i].weight != cls)
				continue;
			s = g[i].target_kb - g[i].floor_kb;
			/* in proportion to what each can give, whole pages, rounded up */
			share = (uint64_t)(((unsigned __int128)want * s + surplus - 1) / surplus);
			share = (share + XB_PAGE_KB - 1) & ~(uint64_t)(XB_PAGE_KB - 1);
			if (share > s)
				share = s;
			if (share > want - took)
				share = want - took;
			g[i].new_kb = g[i].target_kb - share;
			took += share;
		}
		given += took;
	}
	for (size_t i = 0; i < n; i++)
		if (g[i].new_kb == g[i].floor_kb && !g[i].held_back &&
		    g[i].floor_kb < g[i].target_kb)
			g[i].held_back = "gave down to max(dynamic-min, need)";
	return given;
}

/* ---- is xballoond there ---- */

bool xballoon_daemon_running(struct xb_backend *be)
{
	uint64_t pid = 0;

	if (!xb_read_u64(be, XB_TXN_NULL, XB_DAEMON_PID_PATH, &pid) || !pid ||
	    pid > INT32_MAX || !be->ops->pid_alive)
		return false;
	return be->ops->pid_alive(be, (int32_t)pid, 0);
}

int xballoon_daemon_announce(struct xb_backend *be, int32_t pid)
{
	if (pid <= 0)
		return be->ops->xs_rm(be, XB_TXN_NULL, XB_DAEMON_PID_PATH);
	return xb_write_u64(be, XB_TXN_NULL, XB_DAEMON_PID_PATH, (uint64_t)pid);
}
