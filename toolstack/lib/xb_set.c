// SPDX-License-Identifier: GPL-2.0
/*
 * libxballoon: one domain's target or maximum set as xl sets it, each in one
 * xenstore transaction on fresh values, and put back exactly when it fails.
 */
#include <errno.h>
#include <string.h>

#include "xb_lib_int.h"

const char *xballoon_dom_check_target(uint32_t domid, uint64_t new_kb,
				uint64_t videoram_kb, uint64_t static_max_kb)
{
	if (new_kb < videoram_kb)
		return "target below the domain's video RAM";
	if (new_kb - videoram_kb > static_max_kb)
		return "target above static-max";
	if (domid == 0 && new_kb < XB_DOM0_MIN_KB)
		return "target below dom0's safe minimum (128 MiB)";
	if (domid != 0 && new_kb < XB_DOMU_MIN_KB)
		return "target below 16 MiB";
	return NULL;
}

const char *xballoon_dom_check_maxmem(uint64_t new_kb, uint64_t target_key_kb)
{
	return new_kb < target_key_kb ?
	       "maximum below the current target (lower the target first)" : NULL;
}

/* Xen's side of S: maxmem and the PoD target (PVH/HVM). */
static int save_xen(struct xb_backend *be, const struct xb_domain *d,
		    struct xb_dom_saved *s)
{
	struct xb_dominfo info;

	if (xb_dom_info(be, d->xen.domid, &info))
		return -1;
	s->maxmem_kb = xb_pages_to_kb(info.max_pages);
	s->pod_target_pages = 0;
	if (d->xen.type != XB_TYPE_PV &&
	    be->ops->get_pod_target(be, d->xen.domid, &s->pod_target_pages))
		return -1;
	return 0;
}

/*
 * Put Xen's side of S back, where it differs from what Xen holds now (a
 * domain whose maxmem Xen refused to change needs nothing put back).
 * 0, or -1 with *why_r.
 */
static int restore_xen(struct xb_backend *be, const struct xb_domain *d,
		       const struct xb_dom_saved *s, bool pod, const char **why_r)
{
	struct xb_dom_saved now = { 0 };
	bool known = !save_xen(be, d, &now);

	if ((!known || now.maxmem_kb != s->maxmem_kb) &&
	    be->ops->set_maxmem(be, d->xen.domid, s->maxmem_kb)) {
		*why_r = "xc_domain_setmaxmem failed while restoring";
		return -1;
	}
	/* only a change that set a PoD target puts one back */
	if (pod && s->pod_target_pages &&
	    (!known || now.pod_target_pages != s->pod_target_pages) &&
	    be->ops->set_pod_target(be, d->xen.domid, s->pod_target_pages)) {
		*why_r = "xc_domain_set_pod_target failed while restoring";
		return -1;
	}
	return 0;
}

/* What is there now, for a report of what a failed restore left. */
static void read_left(struct xb_backend *be, const struct xb_domain *d,
		      struct xb_dom_saved *left)
{
	char path[XB_PATH_LEN];

	memset(left, 0, sizeof(*left));
	save_xen(be, d, left);
	xb_dom_path(path, d->xen.domid, "memory/target");
	left->has_target = xb_read_u64(be, XB_TXN_NULL, path, &left->target_key_kb);
	xb_dom_path(path, d->xen.domid, "memory/static-max");
	left->has_static_max = xb_read_u64(be, XB_TXN_NULL, path,
					   &left->static_max_kb);
	xb_vm_memory_path(path, &d->xen);
	left->has_vm_mib = xb_read_u64(be, XB_TXN_NULL, path, &left->vm_mib);
}

struct set_arg {
	const struct xb_domain *d;
	const struct xb_size *size;
	enum xb_maxmem_policy policy;
	struct xb_set_result *res;
	bool touched;			/* Xen was changed by some attempt */
	bool touched_pod;		/* ... its PoD target too */
	uint64_t maxmem_kb;		/* when not 0: maxmem, overrides POLICY */
};

/* The dom0-owned keys that a change reads, inside transaction T. */
static void read_keys(struct xb_backend *be, xb_txn_t t,
		      const struct xb_domain *d, struct xb_dom_saved *s,
		      uint64_t *videoram_r)
{
	uint32_t domid = d->xen.domid;
	char path[XB_PATH_LEN];

	xb_vm_memory_path(path, &d->xen);
	s->has_vm_mib = xb_read_u64(be, t, path, &s->vm_mib);
	xb_dom_path(path, domid, "memory/static-max");
	s->has_static_max = xb_read_u64(be, t, path, &s->static_max_kb);
	xb_dom_path(path, domid, "memory/target");
	s->has_target = xb_read_u64(be, t, path, &s->target_key_kb);
	xb_dom_path(path, domid, "memory/videoram");
	if (!xb_read_u64(be, t, path, videoram_r))
		*videoram_r = 0;
}

static int set_target_body(struct xb_backend *be, xb_txn_t t, void *arg,
			   const char **why_r)
{
	struct set_arg *a = arg;
	const struct xb_domain *d = a->d;
	struct xb_dom_saved *s = &a->res->saved;
	uint32_t domid = d->xen.domid;
	uint64_t static_max, videoram, cur, new_kb, key_kb, max_kb;
	char path[XB_PATH_LEN];

	read_keys(be, t, d, s, &videoram);
	if (!s->has_static_max && domid != 0) {
		*why_r = "no memory/static-max in xenstore (not created by a toolstack?)";
		goto invalid;
	}
	static_max = s->has_static_max ? s->static_max_kb : d->static_max_kb;
	if (videoram > XB_SIZE_MAX_KB || static_max > XB_SIZE_MAX_KB ||
	    (s->has_target && s->target_key_kb > XB_SIZE_MAX_KB)) {
		*why_r = "memory keys out of range";
		goto invalid;
	}
	/* relative sizes start from the target read here, not from a snapshot */
	cur = s->has_target ? s->target_key_kb + videoram : d->actual_kb;
	if (xballoon_size_resolve(a->size, cur, static_max, &new_kb, why_r))
		goto invalid;
	*why_r = xballoon_dom_check_target(domid, new_kb, videoram, static_max);
	if (*why_r)
		goto invalid;
	if (a->maxmem_kb)
		max_kb = a->maxmem_kb;
	else
		max_kb = a->policy == XB_MAXMEM_KEEP ? static_max + videoram : new_kb;
	if (max_kb < new_kb) {
		*why_r = "maxmem below the new target";
		goto invalid;
	}
	a->res->old_kb = cur;
	a->res->new_kb = new_kb;
	key_kb = new_kb - videoram;
	a->touched = true;
	if (be->ops->set_maxmem(be, domid, max_kb + XB_MAXMEM_SLACK_KB)) {
		*why_r = "xc_domain_setmaxmem failed";
		return -1;
	}
	a->touched_pod = d->xen.type != XB_TYPE_PV;
	if (a->touched_pod &&
	    be->ops->set_pod_target(be, domid,
				    xb_kb_to_pages(key_kb + XB_MAXMEM_SLACK_KB))) {
		*why_r = "xc_domain_set_pod_target failed";
		return -1;
	}
	xb_dom_path(path, domid, "memory/target");
	if (xb_write_u64(be, t, path, key_kb)) {
		*why_r = "cannot write memory/target";
		return -1;
	}
	xb_dom_path(path, domid, "memory/static-max");
	if (!s->has_static_max && xb_write_u64(be, t, path, static_max)) {
		*why_r = "cannot write memory/static-max";
		return -1;
	}
	xb_vm_memory_path(path, &d->xen);
	if (xb_write_u64(be, t, path, key_kb / 1024)) {
		*why_r = "cannot write /vm/<uuid>/memory";
		return -1;
	}
	return 0;
invalid:
	errno = EINVAL;
	return -1;
}

static int set_maxmem_body(struct xb_backend *be, xb_txn_t t, void *arg,
			   const char **why_r)
{
	struct set_arg *a = arg;
	struct xb_dom_saved *s = &a->res->saved;
	uint32_t domid = a->d->xen.domid;
	char path[XB_PATH_LEN];
	uint64_t videoram, cur, new_kb;

	read_keys(be, t, a->d, s, &videoram);
	cur = s->has_static_max ? s->static_max_kb : a->d->static_max_kb;
	if (xballoon_size_resolve(a->size, cur, cur, &new_kb, why_r))
		goto invalid;
	*why_r = s->has_target ? xballoon_dom_check_maxmem(new_kb, s->target_key_kb) :
				 NULL;
	if (*why_r)
		goto invalid;
	a->res->old_kb = cur;
	a->res->new_kb = new_kb;
	a->touched = true;
	if (be->ops->set_maxmem(be, domid, new_kb + XB_MAXMEM_SLACK_KB)) {
		*why_r = "xc_domain_setmaxmem failed";
		return -1;
	}
	xb_dom_path(path, domid, "memory/static-max");
	if (xb_write_u64(be, t, path, new_kb)) {
		*why_r = "cannot write memory/static-max";
		return -1;
	}
	return 0;
invalid:
	errno = EINVAL;
	return -1;
}

/*
 * Run BODY for D with Xen's values saved first; when it fails, put Xen's
 * values back (the transaction's xenstore writes were never committed).
 */
static int set_one(struct xb_backend *be, const struct xb_domain *d,
		   xb_txn_body_fn body, struct set_arg *a, const char **why_r)
{
	struct xb_set_result *res = a->res;
	const char *why = NULL, *rwhy = NULL;
	struct xb_dominfo info;
	int saved;

	memset(res, 0, sizeof(*res));
	if (save_xen(be, d, &res->saved)) {
		*why_r = errno == ESRCH ? "domain is gone" :
			 "cannot read the domain's maxmem or PoD target";
		return -1;
	}
	if (xb_dom_info(be, d->xen.domid, &info) || info.dying || info.shutdown) {
		*why_r = "domain is shutting down";
		errno = ESRCH;
		return -1;
	}
	if (!xb_txn_run(be, body, a, &why))
		return 0;
	saved = errno ? errno : EIO;
	*why_r = why;
	if (a->touched &&
	    restore_xen(be, d, &res->saved, a->touched_pod, &rwhy)) {
		res->restore_failed = true;
		res->restore_why = rwhy;
		read_left(be, d, &res->left);
	}
	errno = saved;
	return -1;
}

/* A target, with maxmem per POLICY or, when MAXMEM_KB is not 0, that. */
static int set_target(struct xb_backend *be, const struct xb_domain *d,
		      const struct xb_size *size, enum xb_maxmem_policy policy,
		      uint64_t maxmem_kb, struct xb_set_result *res_r,
		      const char **why_r)
{
	struct xb_set_result res;
	struct set_arg a = { d, size, policy, res_r ? res_r : &res, false, false,
			     maxmem_kb };
	const char *why = NULL;
	int rc = set_one(be, d, set_target_body, &a, &why);

	if (why_r)
		*why_r = why;
	return rc;
}

int xballoon_dom_set_target(struct xb_backend *be, const struct xb_domain *d,
		      const struct xb_size *size, enum xb_maxmem_policy policy,
		      struct xb_set_result *res_r, const char **why_r)
{
	return set_target(be, d, size, policy, 0, res_r, why_r);
}

int xballoon_dom_set_target_maxmem(struct xb_backend *be,
				   const struct xb_domain *d,
				   const struct xb_size *size, uint64_t maxmem_kb,
				   struct xb_set_result *res_r, const char **why_r)
{
	if (!maxmem_kb || maxmem_kb > XB_SIZE_MAX_KB) {
		if (why_r)
			*why_r = "maxmem out of range";
		errno = EINVAL;
		return -1;
	}
	return set_target(be, d, size, XB_MAXMEM_FOLLOW, maxmem_kb, res_r, why_r);
}

int xballoon_dom_set_maxmem(struct xb_backend *be, const struct xb_domain *d,
		      const struct xb_size *size, struct xb_set_result *res_r,
		      const char **why_r)
{
	struct xb_set_result res;
	struct set_arg a = { d, size, XB_MAXMEM_FOLLOW, res_r ? res_r : &res, false,
			     false, 0 };
	const char *why = NULL;
	int rc = set_one(be, d, set_maxmem_body, &a, &why);

	if (why_r)
		*why_r = why;
	return rc;
}

int xballoon_dom_set_xen_maxmem(struct xb_backend *be, uint32_t domid,
			  uint64_t maxmem_kb)
{
	if (maxmem_kb > XB_SIZE_MAX_KB) {
		errno = EINVAL;
		return -1;
	}
	return be->ops->set_maxmem(be, domid, maxmem_kb + XB_MAXMEM_SLACK_KB);
}

/* ---- putting a change back ---- */

struct restore_arg {
	const struct xb_domain *d;
	const struct xb_set_result *res;
	enum xb_plan_kind kind;
	bool keys_changed;		/* someone else wrote the key since */
};

/* Write OLD (or remove the key) when the key still holds what we wrote. */
static int restore_key(struct xb_backend *be, xb_txn_t t, const char *path,
		       bool had, uint64_t old, uint64_t written, bool *changed_r)
{
	uint64_t now;

	if (!xb_read_u64(be, t, path, &now) || now != written) {
		*changed_r = true;
		return 0;
	}
	return had ? xb_write_u64(be, t, path, old) : be->ops->xs_rm(be, t, path);
}

static int restore_body(struct xb_backend *be, xb_txn_t t, void *arg,
			const char **why_r)
{
	struct restore_arg *a = arg;
	const struct xb_dom_saved *s = &a->res->saved;
	const struct xb_domain *d = a->d;
	char path[XB_PATH_LEN];
	uint64_t videoram = 0;

	a->keys_changed = false;
	xb_dom_path(path, d->xen.domid, "memory/videoram");
	if (!xb_read_u64(be, t, path, &videoram) || videoram > a->res->new_kb)
		videoram = 0;
	if (a->kind == XB_PLAN_MAXMEM) {
		xb_dom_path(path, d->xen.domid, "memory/static-max");
		if (restore_key(be, t, path, s->has_static_max, s->static_max_kb,
				a->res->new_kb, &a->keys_changed))
			goto fail;
		return 0;
	}
	xb_dom_path(path, d->xen.domid, "memory/target");
	if (restore_key(be, t, path, s->has_target, s->target_key_kb,
			a->res->new_kb - videoram, &a->keys_changed))
		goto fail;
	if (!s->has_static_max && d->xen.domid == 0) {
		xb_dom_path(path, d->xen.domid, "memory/static-max");
		if (be->ops->xs_rm(be, t, path))
			goto fail;
	}
	xb_vm_memory_path(path, &d->xen);
	if (restore_key(be, t, path, s->has_vm_mib, s->vm_mib,
			(a->res->new_kb - videoram) / 1024, &a->keys_changed))
		goto fail;
	return 0;
fail:
	*why_r = "cannot write xenstore while restoring";
	return -1;
}

int xb_dom_restore(struct xb_backend *be, const struct xb_domain *d,
		   enum xb_plan_kind kind, const struct xb_set_result *res,
		   struct xb_dom_saved *left_r, const char **why_r)
{
	struct restore_arg a = { d, res, kind, false };
	const char *why = NULL;
	int rc = 0;

	/* each part is put back even when another could not be */
	if (restore_xen(be, d, &res->saved,
			kind == XB_PLAN_TARGET && d->xen.type != XB_TYPE_PV, &why))
		rc = -1;
	if (xb_txn_run(be, restore_body, &a, rc ? NULL : &why))
		rc = -1;
	if (!rc && a.keys_changed) {
		why = "changed by someone else since; left as they set it";
		rc = -1;
	}
	if (rc) {
		read_left(be, d, left_r);
		*why_r = why;
	}
	return rc;
}
