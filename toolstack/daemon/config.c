// SPDX-License-Identifier: GPL-2.0
/* xballoond.conf (libinih) and the policy keys. See config.h. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>

#include "libxballoon.h"
#include "config.h"

void xbd_daemon_config_default(struct xbd_daemon_config *c)
{
	xbd_config_default(&c->policy);
	c->resample_ms = 5000;
}

struct pctx {
	struct xbd_daemon_config *c;
	char *err;
	bool failed;
};

static int size_kb(const char *v, uint64_t *kb_r, const char **why_r)
{
	struct xb_size sz;

	if (xballoon_size_parse(v, strlen(v), &sz, why_r) < 0)
		return -1;
	if (sz.kind != XB_SIZE_ABS) {
		*why_r = "must be an absolute size (512m, 2g; bare number = MiB)";
		return -1;
	}
	*kb_r = sz.kb;
	return 0;
}

/* Whole seconds, or milliseconds with an "ms" suffix; at most a day. */
static int duration_ms(const char *v, uint64_t *ms_r, const char **why_r)
{
	size_t len = strlen(v);
	uint64_t n, mul = 1000;

	if (len > 2 && strcmp(v + len - 2, "ms") == 0) {
		len -= 2;
		mul = 1;
	}
	if (xballoon_xs_u64(v, len, &n) < 0 || n > 86400000) {
		*why_r = "must be whole seconds (5) or milliseconds (500ms)";
		return -1;
	}
	*ms_r = n * mul;
	return 0;
}

static int number(const char *v, uint64_t max, uint64_t *n_r, const char **why_r)
{
	if (xballoon_xs_u64(v, strlen(v), n_r) < 0 || *n_r > max) {
		*why_r = "must be a whole number in range";
		return -1;
	}
	return 0;
}

static int boolean(const char *v, bool *b_r, const char **why_r)
{
	if (!strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "1"))
		*b_r = true;
	else if (!strcmp(v, "no") || !strcmp(v, "false") || !strcmp(v, "0"))
		*b_r = false;
	else {
		*why_r = "must be yes or no";
		return -1;
	}
	return 0;
}

static int on_key(void *user, const char *section, const char *name,
		  const char *value)
{
	struct pctx *p = user;
	struct xbd_config *pc = &p->c->policy;
	const char *why = "unknown key";
	uint64_t n;
	int rc = -1;

#define KEY(s, k) (!strcmp(section, s) && !strcmp(name, k))
	if (KEY("host", "reserve"))
		rc = size_kb(value, &pc->reserve_kb, &why);
	else if (KEY("margin", "default"))
		rc = size_kb(value, &pc->margin_kb, &why);
	else if (KEY("margin", "min"))
		rc = size_kb(value, &pc->margin_min_kb, &why);
	else if (KEY("margin", "max"))
		rc = size_kb(value, &pc->margin_max_kb, &why);
	else if (KEY("margin", "avail-low-percent")) {
		rc = number(value, 100, &n, &why);
		pc->avail_low_pct = (uint32_t)n;
	} else if (KEY("borrow", "headroom"))
		rc = size_kb(value, &pc->headroom_kb, &why);
	else if (KEY("rate", "hysteresis"))
		rc = size_kb(value, &pc->hysteresis_kb, &why);
	else if (KEY("rate", "min-interval"))
		rc = duration_ms(value, &pc->min_interval_ms, &why);
	else if (KEY("rate", "resample"))
		rc = duration_ms(value, &p->c->resample_ms, &why);
	else if (KEY("rate", "stuck"))
		rc = duration_ms(value, &pc->stuck_ms, &why);
	else if (KEY("domains", "manage-dom0"))
		rc = boolean(value, &pc->manage_dom0, &why);
	else if (KEY("domains", "default-min"))
		rc = size_kb(value, &pc->default_min_kb, &why);
	else if (KEY("domains", "default-max"))
		rc = size_kb(value, &pc->default_max_kb, &why);
	else if (KEY("domains", "default-weight")) {
		rc = number(value, XBD_WEIGHT_MAX, &n, &why);
		pc->default_weight = (uint32_t)n;
	}
#undef KEY
	if (rc < 0 && !p->failed) {
		snprintf(p->err, XBD_ERR_MAX, "[%.32s] %.32s = \"%.32s\": %s",
			 section, name, value, why);
		p->failed = true;
	}
	return rc < 0 ? 0 : 1;
}

static int finish(int rc, struct pctx *p)
{
	char first[XBD_ERR_MAX];
	const char *why;

	/* inih returns the line of the first error (a bad key counts too) */
	if (rc > 0) {
		snprintf(first, sizeof(first), "%s", p->failed ? p->err : "syntax error");
		snprintf(p->err, XBD_ERR_MAX, "line %d: %.200s", rc, first);
	}
	if (rc != 0 || p->failed)
		return -1;
	why = xbd_config_check(&p->c->policy);
	if (!why && p->c->resample_ms < 1000)
		why = "[rate] resample must be at least 1 s";
	if (why) {
		snprintf(p->err, XBD_ERR_MAX, "%s", why);
		return -1;
	}
	return 0;
}

int xbd_config_parse(const char *text, size_t len, struct xbd_daemon_config *c,
		     char *err)
{
	struct pctx p = { .c = c, .err = err };
	char *s;
	int rc;

	if (memchr(text, '\0', len)) {
		snprintf(err, XBD_ERR_MAX, "NUL byte in the file");
		return -1;
	}
	s = malloc(len + 1);
	if (!s) {
		snprintf(err, XBD_ERR_MAX, "out of memory");
		return -1;
	}
	memcpy(s, text, len);
	s[len] = '\0';
	rc = ini_parse_string(s, on_key, &p);
	free(s);
	return finish(rc, &p);
}

int xbd_config_load(const char *path, struct xbd_daemon_config *c, char *err)
{
	struct pctx p = { .c = c, .err = err };
	int rc = ini_parse(path, on_key, &p);

	if (rc == -1) {
		snprintf(err, XBD_ERR_MAX, "%s: %s", path, strerror(errno ? errno : ENOENT));
		return -1;
	}
	if (rc == -2) {
		snprintf(err, XBD_ERR_MAX, "out of memory");
		return -1;
	}
	return finish(rc, &p);
}

const char *xbd_policy_keys(const char *min, size_t min_len, const char *max,
			    size_t max_len, const char *weight, size_t weight_len,
			    struct xbd_dom *d)
{
	uint64_t lo, hi, w = 1;

	d->has_policy = false;
	if (!min && !max && !weight)
		return NULL;
	if (!min || !max)
		return "dynamic-min and dynamic-max must both be set";
	if (xballoon_xs_u64(min, min_len, &lo) < 0 || xballoon_xs_u64(max, max_len, &hi) < 0)
		return "dynamic-min/max is not a decimal KiB value";
	if (lo > hi)
		return "dynamic-min is above dynamic-max";
	if (hi > XB_SIZE_MAX_KB)
		return "dynamic-max is out of range";
	if (weight && (xballoon_xs_u64(weight, weight_len, &w) < 0 || w == 0 ||
		       w > XBD_WEIGHT_MAX))
		return "weight is not 1..1000";
	d->has_policy = true;
	d->dyn_min_kb = lo;
	d->dyn_max_kb = hi;
	d->weight = (uint32_t)w;
	return NULL;
}
