// SPDX-License-Identifier: GPL-2.0
/* Fake backend for unit tests. See xb_fake.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xb_fake.h"

static struct xb_fake *fake_of(struct xb_backend *be)
{
	return (struct xb_fake *)be;
}

static struct xb_fake_kv *kv_find(struct xb_fake_kv *kv, size_t n, const char *path)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(kv[i].path, path))
			return &kv[i];
	return NULL;
}

static void kv_put(struct xb_fake_kv **kv, size_t *n, const char *path,
		   const char *val, size_t len)
{
	struct xb_fake_kv *e = kv_find(*kv, *n, path);

	if (!e) {
		*kv = realloc(*kv, (*n + 1) * sizeof(**kv));
		if (!*kv)
			abort();
		e = &(*kv)[(*n)++];
		e->path = strdup(path);
	} else {
		free(e->val);
	}
	e->val = malloc(len + 1);
	if (!e->path || !e->val)
		abort();
	memcpy(e->val, val, len);
	e->val[len] = '\0';
	e->len = len;
}

static void kv_clear(struct xb_fake_kv **kv, size_t *n)
{
	for (size_t i = 0; i < *n; i++) {
		free((*kv)[i].path);
		free((*kv)[i].val);
	}
	free(*kv);
	*kv = NULL;
	*n = 0;
}

void xb_fake_put(struct xb_fake *f, const char *path, const char *val, size_t len)
{
	kv_put(&f->kv, &f->n_kv, path, val, len);
}

void xb_fake_putf(struct xb_fake *f, const char *path, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		abort();
	xb_fake_put(f, path, s, (size_t)n);
	free(s);
}

const char *xb_fake_get(struct xb_fake *f, const char *path)
{
	struct xb_fake_kv *e = kv_find(f->kv, f->n_kv, path);

	return e ? e->val : NULL;
}

void xb_fake_del(struct xb_fake *f, const char *path)
{
	struct xb_fake_kv *e = kv_find(f->kv, f->n_kv, path);

	if (!e)
		return;
	free(e->path);
	free(e->val);
	*e = f->kv[--f->n_kv];
}

struct xb_fake_dom *xb_fake_dom(struct xb_fake *f, uint32_t domid)
{
	for (size_t i = 0; i < f->n_doms; i++)
		if (f->doms[i].info.domid == domid)
			return &f->doms[i];
	return NULL;
}

static int by_domid(const void *a, const void *b)
{
	const struct xb_fake_dom *x = a, *y = b;

	return x->info.domid < y->info.domid ? -1 : x->info.domid > y->info.domid;
}

struct xb_fake_dom *xb_fake_add(struct xb_fake *f, uint32_t domid,
				const char *name, enum xb_domtype type,
				uint64_t static_max_kb, uint64_t target_kb,
				uint64_t actual_kb)
{
	struct xb_fake_dom *d;
	char path[96];

	if (f->n_doms == XB_FAKE_MAX_DOMS || xb_fake_dom(f, domid))
		abort();
	d = &f->doms[f->n_doms++];
	memset(d, 0, sizeof(*d));
	d->info.domid = domid;
	d->info.type = type;
	d->info.tot_pages = actual_kb / 4;
	d->info.max_pages = (static_max_kb + 1024) / 4;
	d->info.uuid_hi = (uint64_t)(uint8_t)domid << 56;	/* byte 0 */
	d->info.uuid_lo = 0xab;					/* byte 15 */
	qsort(f->doms, f->n_doms, sizeof(f->doms[0]), by_domid);
	snprintf(path, sizeof(path), "/local/domain/%" PRIu32 "/name", domid);
	if (name)
		xb_fake_put(f, path, name, strlen(name));
	snprintf(path, sizeof(path), "/local/domain/%" PRIu32 "/memory/static-max", domid);
	if (static_max_kb)
		xb_fake_putf(f, path, "%" PRIu64, static_max_kb);
	snprintf(path, sizeof(path), "/local/domain/%" PRIu32 "/memory/target", domid);
	if (target_kb)
		xb_fake_putf(f, path, "%" PRIu64, target_kb);
	return xb_fake_dom(f, domid);
}

void xb_fake_remove(struct xb_fake *f, uint32_t domid)
{
	struct xb_fake_dom *d = xb_fake_dom(f, domid);

	if (!d)
		return;
	*d = f->doms[--f->n_doms];
	qsort(f->doms, f->n_doms, sizeof(f->doms[0]), by_domid);
}

/* ---- ops ---- */

static int fake_domain_list(struct xb_backend *be, uint32_t first, unsigned max,
			    struct xb_dominfo *buf)
{
	struct xb_fake *f = fake_of(be);
	unsigned n = 0;

	f->calls_domain_list++;
	for (size_t i = 0; i < f->n_doms && n < max; i++)
		if (f->doms[i].info.domid >= first)
			buf[n++] = f->doms[i].info;
	return (int)n;
}

static int fake_physinfo(struct xb_backend *be, struct xb_hostinfo *h)
{
	struct xb_fake *f = fake_of(be);

	if (f->fail_physinfo) {
		errno = EIO;
		return -1;
	}
	*h = f->host;
	return 0;
}

static struct xb_fake_txn *txn_of(struct xb_fake *f, xb_txn_t t)
{
	for (size_t i = 0; t && i < XB_FAKE_MAX_TXN; i++)
		if (f->txns[i].id == t)
			return &f->txns[i];
	return NULL;
}

static int fake_txn_start(struct xb_backend *be, xb_txn_t *t_r)
{
	struct xb_fake *f = fake_of(be);
	struct xb_fake_txn *tx = txn_of(f, 0);

	for (size_t i = 0; !tx && i < XB_FAKE_MAX_TXN; i++)
		if (!f->txns[i].id)
			tx = &f->txns[i];
	if (!tx) {
		errno = EBUSY;
		return -1;
	}
	f->calls_txn_start++;
	tx->id = f->calls_txn_start;
	*t_r = tx->id;
	return 0;
}

/* Remember what transaction TX saw at PATH the first time it touched it. */
static void txn_saw(struct xb_fake *f, struct xb_fake_txn *tx, const char *path)
{
	struct xb_fake_kv *e = kv_find(f->kv, f->n_kv, path), *s;

	if (kv_find(tx->seen, tx->n_seen, path))
		return;
	kv_put(&tx->seen, &tx->n_seen, path, e ? e->val : "", e ? e->len : 0);
	s = kv_find(tx->seen, tx->n_seen, path);
	if (!e) {
		free(s->val);
		s->val = NULL;
	}
}

static bool txn_conflicts(struct xb_fake *f, const struct xb_fake_txn *tx)
{
	for (size_t i = 0; i < tx->n_seen; i++) {
		const struct xb_fake_kv *s = &tx->seen[i];
		const struct xb_fake_kv *e = kv_find(f->kv, f->n_kv, s->path);

		if (!e != !s->val)
			return true;
		if (e && (e->len != s->len || memcmp(e->val, s->val, e->len)))
			return true;
	}
	return false;
}

static void txn_close(struct xb_fake_txn *tx)
{
	kv_clear(&tx->staged, &tx->n_staged);
	kv_clear(&tx->seen, &tx->n_seen);
	tx->id = 0;
}

static int fake_txn_end(struct xb_backend *be, xb_txn_t t, bool abort)
{
	struct xb_fake *f = fake_of(be);
	struct xb_fake_txn *tx = txn_of(f, t);
	void (*hook)(struct xb_fake *, void *) = f->before_commit;

	if (!tx) {
		errno = EINVAL;
		return -1;
	}
	if (!abort && hook) {
		f->before_commit = NULL;	/* once; the hook may commit too */
		hook(f, f->before_commit_ctx);
	}
	if (!abort && (f->eagain_commits || txn_conflicts(f, tx))) {
		if (f->eagain_commits)
			f->eagain_commits--;
		else
			f->conflicts++;
		txn_close(tx);
		errno = EAGAIN;
		return -1;
	}
	if (!abort) {
		f->calls_commit++;
		for (size_t i = 0; i < tx->n_staged; i++) {
			const struct xb_fake_kv *e = &tx->staged[i];

			if (e->val)
				xb_fake_put(f, e->path, e->val, e->len);
			else
				xb_fake_del(f, e->path);
		}
	}
	txn_close(tx);
	return 0;
}

static char *fake_xs_read(struct xb_backend *be, xb_txn_t t, const char *path,
			  size_t *len_r)
{
	struct xb_fake *f = fake_of(be);
	struct xb_fake_txn *tx = txn_of(f, t);
	struct xb_fake_kv *e = NULL;
	char *s;

	f->calls_read++;
	if (t && !tx) {
		errno = EINVAL;
		return NULL;
	}
	if (tx) {
		txn_saw(f, tx, path);
		e = kv_find(tx->staged, tx->n_staged, path);
	}
	if (!e)
		e = kv_find(f->kv, f->n_kv, path);
	if (!e || !e->val) {
		errno = ENOENT;
		return NULL;
	}
	s = malloc(e->len + 1);
	if (!s)
		return NULL;
	memcpy(s, e->val, e->len + 1);
	*len_r = e->len;
	return s;
}

static int fake_xs_change(struct xb_backend *be, xb_txn_t t, const char *path,
			  const char *value)
{
	struct xb_fake *f = fake_of(be);
	struct xb_fake_txn *tx = txn_of(f, t);

	f->calls_write++;
	if (t && !tx) {
		errno = EINVAL;
		return -1;
	}
	if (tx) {
		struct xb_fake_kv *e;

		txn_saw(f, tx, path);
		kv_put(&tx->staged, &tx->n_staged, path, value ? value : "",
		       value ? strlen(value) : 0);
		e = kv_find(tx->staged, tx->n_staged, path);
		if (!value) {
			free(e->val);
			e->val = NULL;
		}
	} else if (value) {
		xb_fake_put(f, path, value, strlen(value));
	} else {
		xb_fake_del(f, path);
	}
	return 0;
}

static int fake_xs_write(struct xb_backend *be, xb_txn_t t, const char *path,
			 const char *value)
{
	return fake_xs_change(be, t, path, value);
}

static int fake_xs_rm(struct xb_backend *be, xb_txn_t t, const char *path)
{
	return fake_xs_change(be, t, path, NULL);
}

static int fake_xs_read_many(struct xb_backend *be, bool txn,
			     const char *const *paths, size_t n, char **vals,
			     size_t *lens)
{
	struct xb_fake *f = fake_of(be);
	int tries = 0;

	if (!f->batch) {
		errno = ENOSYS;
		return -1;
	}
	f->calls_read_many++;
	/* a conflicting transaction is retried inside, as the real one does */
	while (txn && f->eagain_commits) {
		f->eagain_commits--;
		if (++tries == 16) {
			errno = EAGAIN;
			return -1;
		}
	}
	for (size_t i = 0; i < n; i++) {
		struct xb_fake_kv *e = kv_find(f->kv, f->n_kv, paths[i]);

		vals[i] = NULL;
		lens[i] = 0;
		if (!e)
			continue;
		vals[i] = malloc(e->len + 1);
		if (!vals[i])
			abort();
		memcpy(vals[i], e->val, e->len + 1);
		lens[i] = e->len;
	}
	return 0;
}

static int fake_set_maxmem(struct xb_backend *be, uint32_t domid, uint64_t max_kb)
{
	struct xb_fake *f = fake_of(be);
	struct xb_fake_dom *d = xb_fake_dom(f, domid);

	if (!d || (f->fail_maxmem_domid == (int)domid &&
		   !(f->fail_maxmem_after && f->fail_maxmem_after--))) {
		errno = d ? EPERM : ESRCH;
		return -1;
	}
	d->maxmem_kb = max_kb;
	d->info.max_pages = max_kb / 4;
	d->maxmem_calls++;
	return 0;
}

static int fake_set_pod_target(struct xb_backend *be, uint32_t domid,
			       uint64_t target_pages)
{
	struct xb_fake *f = fake_of(be);
	struct xb_fake_dom *d = xb_fake_dom(f, domid);

	if (!d || f->fail_pod_domid == (int)domid) {
		errno = d ? EPERM : ESRCH;
		return -1;
	}
	d->pod_calls++;
	if (d->pod)		/* Xen ignores it on a domain without PoD entries */
		d->pod_pages = target_pages;
	return 0;
}

static int fake_get_pod_target(struct xb_backend *be, uint32_t domid,
			       uint64_t *target_pages_r)
{
	struct xb_fake_dom *d = xb_fake_dom(fake_of(be), domid);

	if (!d) {
		errno = ESRCH;
		return -1;
	}
	*target_pages_r = d->pod_pages;
	return 0;
}

static uint64_t fake_now_ms(struct xb_backend *be)
{
	return fake_of(be)->now_ms;
}

/* Time passes: every domain with a rate moves toward target + videoram. */
static void fake_sleep_ms(struct xb_backend *be, unsigned ms)
{
	struct xb_fake *f = fake_of(be);
	char path[96];

	f->now_ms += ms;
	for (size_t i = 0; i < f->n_doms; i++) {
		struct xb_fake_dom *d = &f->doms[i];
		uint64_t target = 0, video = 0, cur = d->info.tot_pages * 4, step;
		const char *s;

		if (!d->rate_kb_s)
			continue;
		snprintf(path, sizeof(path), "/local/domain/%" PRIu32 "/memory/target",
			 d->info.domid);
		s = xb_fake_get(f, path);
		if (!s)
			continue;
		target = strtoull(s, NULL, 10);
		snprintf(path, sizeof(path), "/local/domain/%" PRIu32 "/memory/videoram",
			 d->info.domid);
		s = xb_fake_get(f, path);
		video = s ? strtoull(s, NULL, 10) : 0;
		target += video;
		step = d->rate_kb_s * ms / 1000;
		if (cur > target)
			cur = cur - target > step ? cur - step : target;
		else
			cur = target - cur > step ? cur + step : target;
		if (f->track_free) {
			int64_t delta = (int64_t)(cur / 4) - (int64_t)d->info.tot_pages;

			f->host.free_pages -= delta;
		}
		d->info.tot_pages = cur / 4;
	}
}

/* ---- reservations ---- */

static int fake_placeholder_create(struct xb_backend *be, uint64_t max_kb,
				   uint32_t *domid_r)
{
	struct xb_fake *f = fake_of(be);
	struct xb_fake_dom *d;
	uint32_t id = f->next_domid ? f->next_domid : 100;

	if (f->fail_create) {
		errno = f->fail_create;
		return -1;
	}
	while (xb_fake_dom(f, id))
		id++;
	f->next_domid = id + 1;
	if (f->n_doms >= XB_FAKE_MAX_DOMS) {
		errno = ENOSPC;
		return -1;
	}
	d = &f->doms[f->n_doms++];
	memset(d, 0, sizeof(*d));
	d->info.domid = id;
	d->info.max_pages = max_kb / 4;
	d->maxmem_kb = max_kb;
	qsort(f->doms, f->n_doms, sizeof(f->doms[0]), by_domid);
	*domid_r = id;
	return 0;
}

/* As Xen's domain_set_outstanding_pages (4.17). */
static int fake_claim(struct xb_backend *be, uint32_t domid, uint64_t pages)
{
	struct xb_fake *f = fake_of(be);
	struct xb_fake_dom *d = xb_fake_dom(f, domid);
	uint64_t avail, claim;

	f->claims++;
	if (!d) {
		errno = ESRCH;
		return -1;
	}
	if (!pages) {
		f->host.outstanding_pages -= d->info.outstanding_pages;
		d->info.outstanding_pages = 0;
		return 0;
	}
	if (d->info.outstanding_pages || pages <= d->info.tot_pages ||
	    pages > d->info.max_pages) {
		errno = EINVAL;
		return -1;
	}
	claim = pages - d->info.tot_pages;
	avail = f->host.free_pages > f->host.outstanding_pages ?
		f->host.free_pages - f->host.outstanding_pages : 0;
	if (claim > avail) {
		errno = ENOMEM;
		return -1;
	}
	d->info.outstanding_pages = claim;
	f->host.outstanding_pages += claim;
	return 0;
}

static int fake_domain_destroy(struct xb_backend *be, uint32_t domid)
{
	struct xb_fake *f = fake_of(be);
	struct xb_fake_dom *d = xb_fake_dom(f, domid);

	f->destroys++;
	if (!d) {
		errno = ESRCH;
		return -1;
	}
	f->host.outstanding_pages -= d->info.outstanding_pages;
	f->host.free_pages += d->info.tot_pages;
	xb_fake_remove(f, domid);
	return 0;
}

static bool fake_pid_alive(struct xb_backend *be, int32_t pid, uint64_t start)
{
	struct xb_fake *f = fake_of(be);

	(void)start;
	if (pid == f->self_pid)
		return true;
	for (size_t i = 0; i < sizeof(f->alive) / sizeof(f->alive[0]); i++)
		if (pid && f->alive[i] == pid)
			return true;
	return false;
}

static void fake_self(struct xb_backend *be, int32_t *pid_r, uint64_t *start_r)
{
	*pid_r = fake_of(be)->self_pid;
	*start_r = 7;
}

static void *fake_xs_handle(struct xb_backend *be)
{
	(void)be;
	return NULL;
}

static void fake_close(struct xb_backend *be)
{
	(void)be;	/* the test owns the fake: xb_fake_free() */
}

static const struct xb_backend_ops fake_ops = {
	.domain_list = fake_domain_list,
	.physinfo = fake_physinfo,
	.txn_start = fake_txn_start,
	.txn_end = fake_txn_end,
	.xs_read = fake_xs_read,
	.xs_write = fake_xs_write,
	.xs_read_many = fake_xs_read_many,
	.set_maxmem = fake_set_maxmem,
	.set_pod_target = fake_set_pod_target,
	.get_pod_target = fake_get_pod_target,
	.xs_rm = fake_xs_rm,
	.placeholder_create = fake_placeholder_create,
	.claim = fake_claim,
	.domain_destroy = fake_domain_destroy,
	.pid_alive = fake_pid_alive,
	.self = fake_self,
	.now_ms = fake_now_ms,
	.sleep_ms = fake_sleep_ms,
	.xs_handle = fake_xs_handle,
	.close = fake_close,
};

struct xb_fake *xb_fake_new(void)
{
	struct xb_fake *f = calloc(1, sizeof(*f));

	if (!f)
		abort();
	f->be.ops = &fake_ops;
	f->be.chunk = XB_DOMINFO_CHUNK;
	f->fail_maxmem_domid = -1;
	f->fail_pod_domid = -1;
	f->host.total_pages = 4ULL << 18;	/* 4 GiB */
	f->host.free_pages = 1ULL << 18;
	f->now_ms = 1000;
	f->self_pid = 4242;
	return f;
}

void xb_fake_free(struct xb_fake *f)
{
	if (!f)
		return;
	kv_clear(&f->kv, &f->n_kv);
	for (size_t i = 0; i < XB_FAKE_MAX_TXN; i++)
		txn_close(&f->txns[i]);
	free(f);
}
