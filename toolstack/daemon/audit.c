// SPDX-License-Identifier: GPL-2.0
/*
 * xballoond's JSON: the audit line of a decision and the status file
 * (docs/schema/daemon-status.schema.json). Built with yajl, never by hand:
 * domain names are escaped.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <yajl/yajl_gen.h>

#include "libxballoon.h"
#include "audit.h"

static yajl_gen gen_new(void)
{
	yajl_gen g = yajl_gen_alloc(NULL);

	if (g)
		yajl_gen_config(g, yajl_gen_validate_utf8, 1);
	return g;
}

static void key(yajl_gen g, const char *k)
{
	yajl_gen_string(g, (const unsigned char *)k, strlen(k));
}

static void u64(yajl_gen g, const char *k, uint64_t v)
{
	char buf[24];
	int n = snprintf(buf, sizeof(buf), "%llu", (unsigned long long)v);

	key(g, k);
	yajl_gen_number(g, buf, (size_t)n);
}

static void str(yajl_gen g, const char *k, const char *v)
{
	key(g, k);
	if (v)
		yajl_gen_string(g, (const unsigned char *)v, strlen(v));
	else
		yajl_gen_null(g);
}

static void boolean(yajl_gen g, const char *k, bool v)
{
	key(g, k);
	yajl_gen_bool(g, v);
}

/* The buffer of G as a malloc()ed string; frees G. */
static char *gen_take(yajl_gen g)
{
	const unsigned char *buf;
	size_t len;
	char *s = NULL;

	if (yajl_gen_get_buf(g, &buf, &len) == yajl_gen_status_ok) {
		s = malloc(len + 1);
		if (s) {
			memcpy(s, buf, len);
			s[len] = '\0';
		}
	}
	yajl_gen_free(g);
	return s;
}

char *xbd_json_decision(uint64_t ts_ms, const char *name, const struct xbd_dom *pd,
			const struct xbd_out *o, const struct xbd_timing *t,
			bool dry_run)
{
	yajl_gen g = gen_new();

	if (!g)
		return NULL;
	yajl_gen_map_open(g);
	str(g, "event", "decision");
	u64(g, "ts_ms", ts_ms);
	u64(g, "domid", pd->domid);
	str(g, "name", name);
	u64(g, "old_kb", pd->target_kb);
	u64(g, "new_kb", o->target_kb);
	u64(g, "maxmem_kb", o->maxmem_kb);
	u64(g, "tot_kb", pd->tot_kb);
	u64(g, "used_kb", o->used_kb);
	u64(g, "margin_kb", o->margin_kb);
	u64(g, "need_kb", o->need_kb);
	boolean(g, "pressure", o->pressure);
	boolean(g, "borrow", o->borrow);
	str(g, "reason", xbd_reason_name[o->reason]);
	if (t && t->event) {
		u64(g, "lag_ms", t->lag_ms);
		u64(g, "wait_ms", t->wait_ms);
	}
	if (t) {
		u64(g, "snapshot_ms", t->snapshot_ms);
		u64(g, "read_ms", t->read_ms);
	}
	if (dry_run)
		boolean(g, "dry_run", true);
	yajl_gen_map_close(g);
	return gen_take(g);
}

char *xbd_json_uncoop(uint64_t ts_ms, const char *name, const struct xbd_dom *pd,
		      bool on)
{
	yajl_gen g = gen_new();

	if (!g)
		return NULL;
	yajl_gen_map_open(g);
	str(g, "event", "uncooperative");
	u64(g, "ts_ms", ts_ms);
	u64(g, "domid", pd->domid);
	str(g, "name", name);
	boolean(g, "on", on);
	u64(g, "tot_kb", pd->tot_kb);
	u64(g, "target_kb", pd->target_kb);
	yajl_gen_map_close(g);
	return gen_take(g);
}

static void gen_domain(yajl_gen g, const struct xbd_status *st, size_t i)
{
	const struct xbd_dom *d = &st->doms[i];
	const struct xbd_out *o = &st->outs[i];
	const struct xbd_last *l = &st->last[i];
	uint64_t min = 0, max = 0;
	uint32_t weight = 0;
	bool managed = xbd_dom_range(&st->cfg->policy, d, &min, &max, &weight);

	yajl_gen_map_open(g);
	u64(g, "domid", d->domid);
	str(g, "name", st->names[i]);
	boolean(g, "managed", managed && o->managed);
	boolean(g, "uncooperative", o->uncooperative);
	str(g, "reason", xbd_reason_name[o->reason]);
	u64(g, "tot_kb", d->tot_kb);
	u64(g, "target_kb", d->target_kb);
	u64(g, "static_max_kb", d->static_max_kb);
	if (managed) {
		u64(g, "dynamic_min_kb", min);
		u64(g, "dynamic_max_kb", max);
		u64(g, "weight", weight);
		u64(g, "need_kb", o->need_kb);
		u64(g, "margin_kb", o->margin_kb);
		u64(g, "used_kb", o->used_kb);
		u64(g, "planned_kb", o->target_kb);
		u64(g, "maxmem_kb", o->maxmem_kb);
		u64(g, "headroom_kb", o->maxmem_kb > o->target_kb ?
		    o->maxmem_kb - o->target_kb : 0);
	}
	/* borrowed: what Xen gives it above its target */
	u64(g, "borrow_kb", d->tot_kb > d->target_kb ? d->tot_kb - d->target_kb : 0);
	boolean(g, "pressure", o->pressure);
	boolean(g, "report", d->has_report);
	key(g, "psi_some_avg10");
	if (d->has_psi) {
		char buf[32];
		int n = snprintf(buf, sizeof(buf), "%u.%03u", d->psi_some_avg10_milli / 1000,
				 d->psi_some_avg10_milli % 1000);

		yajl_gen_number(g, buf, (size_t)n);
	} else {
		yajl_gen_null(g);
	}
	key(g, "last_decision");
	if (l->valid) {
		yajl_gen_map_open(g);
		u64(g, "ts_ms", l->ts_ms);
		u64(g, "old_kb", l->old_kb);
		u64(g, "new_kb", l->new_kb);
		u64(g, "maxmem_kb", l->maxmem_kb);
		str(g, "reason", xbd_reason_name[l->reason]);
		boolean(g, "failed", l->failed);
		yajl_gen_map_close(g);
	} else {
		yajl_gen_null(g);
	}
	yajl_gen_map_close(g);
}

static char *status_json(const struct xbd_status *st)
{
	const struct xbd_counters *c = st->counters;
	const struct xbd_config *p = &st->cfg->policy;
	yajl_gen g = gen_new();

	if (!g)
		return NULL;
	yajl_gen_config(g, yajl_gen_beautify, 1);
	yajl_gen_map_open(g);
	u64(g, "version", XB_JSON_VERSION);
	u64(g, "pid", (uint64_t)st->pid);
	str(g, "state", st->state);
	u64(g, "started_ms", st->started_ms);
	u64(g, "updated_ms", st->updated_ms);
	key(g, "config");
	yajl_gen_map_open(g);
	str(g, "path", st->config_path);
	u64(g, "reserve_kb", p->reserve_kb);
	u64(g, "margin_kb", p->margin_kb);
	u64(g, "headroom_kb", p->headroom_kb);
	u64(g, "hysteresis_kb", p->hysteresis_kb);
	u64(g, "stuck_ms", p->stuck_ms);
	u64(g, "resample_ms", st->cfg->resample_ms);
	boolean(g, "manage_dom0", p->manage_dom0);
	yajl_gen_map_close(g);
	key(g, "counters");
	yajl_gen_map_open(g);
	u64(g, "decisions", c->decisions);
	u64(g, "changes", c->changes);
	u64(g, "failures", c->failures);
	u64(g, "reloads", c->reloads);
	u64(g, "reload_failures", c->reload_failures);
	u64(g, "reconnects", c->reconnects);
	u64(g, "uncooperative", c->uncooperative);
	yajl_gen_map_close(g);
	u64(g, "host_free_kb", st->host_free_kb);
	key(g, "domains");
	yajl_gen_array_open(g);
	for (size_t i = 0; i < st->n; i++)
		gen_domain(g, st, i);
	yajl_gen_array_close(g);
	yajl_gen_map_close(g);
	return gen_take(g);
}

int xbd_status_write(const char *path, const struct xbd_status *st)
{
	char *json = status_json(st), tmp[4096];
	size_t len, off = 0;
	int fd, err;

	if (!json) {
		errno = ENOMEM;
		return -1;
	}
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp)) {
		free(json);
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		err = errno;
		free(json);
		errno = err;
		return -1;
	}
	len = strlen(json);
	while (off < len) {
		ssize_t w = write(fd, json + off, len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			goto fail;
		off += (size_t)w;
	}
	if (write(fd, "\n", 1) != 1)
		goto fail;
	if (close(fd)) {
		fd = -1;
		goto fail;
	}
	free(json);
	if (rename(tmp, path)) {
		err = errno;
		unlink(tmp);
		errno = err;
		return -1;
	}
	return 0;
fail:
	err = errno ? errno : EIO;
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	free(json);
	errno = err;
	return -1;
}
