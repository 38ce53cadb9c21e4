/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internal to libxballoon (lib/): the backend table, xenstore helpers and
 * the transaction runner shared by the snapshot, plan, set and wait code.
 */
#ifndef XB_LIB_INT_H
#define XB_LIB_INT_H

#include "xb_backend.h"

/*
 * A parsed report (opaque in libxballoon.h: its size follows XB_RF_NR, so it
 * must never be part of the ABI).
 */
struct xb_report {
	enum xb_report_status status;
	uint32_t present;		/* bit (1 << field) per numeric field */
	uint64_t num[XB_RF_NR];
	enum xb_rstate state;
	enum xb_rerror last_error;
	enum xb_rmode mode;
	const char *why;		/* static reason when INVALID */
};

static inline bool xb_report_has(const struct xb_report *r, enum xb_rfield f)
{
	return r->status == XB_REPORT_VALID && (r->present & (1u << f));
}

/* The absent report, static: what a domain holds before its report is read. */
extern const struct xb_report xb_report_absent;
/* xballoon_report_parse() into R (never fails). */
void xb_report_parse_into(const char *s, size_t len, struct xb_report *r);
/* Free R unless it is NULL or xb_report_absent. */
void xb_report_release(const struct xb_report *r);

#define XB_DOMID_FIRST_RESERVED 0x7ff0U
#define XB_PATH_LEN 128

/* dom0-owned mark: xballoon saw this domain follow a target (xballoon_dom_has_driver) */
#define XB_KEY_FOLLOWED "memory/xballoon-followed"

/* dom0-owned policy keys (xballoon mem-policy, xballoond) */
#define XB_KEY_DYN_MIN "memory/dynamic-min"
#define XB_KEY_DYN_MAX "memory/dynamic-max"
#define XB_KEY_UNCOOP "memory/uncooperative"

/* The policy keys of one domain (libxballoon.h: xballoon_dom_dynamic_range()). */
struct xb_dom_pol {
	bool has_range;			/* dynamic-min and -max both valid, min <= max */
	uint64_t min_kb, max_kb;
	bool uncooperative;		/* memory/uncooperative = 1 */
};
/*
 * The policy keys of N domains into P (N entries): one round of requests
 * when the backend pipelines them, else one by one. Unreadable is absent.
 */
void xb_read_policies(struct xb_backend *be, const uint32_t *domids, size_t n,
		      struct xb_dom_pol *p);

/* PATH as a decimal value. 1 = read, 0 = missing or not a number. */
int xb_read_u64(struct xb_backend *be, xb_txn_t t, const char *path,
		uint64_t *v_r);
int xb_write_u64(struct xb_backend *be, xb_txn_t t, const char *path,
		 uint64_t v);
/* "/local/domain/DOMID/KEY" into BUF (XB_PATH_LEN bytes). */
void xb_dom_path(char *buf, uint32_t domid, const char *key);
/* "/vm/<uuid>/memory" into BUF (XB_PATH_LEN bytes). */
void xb_vm_memory_path(char *buf, const struct xb_dominfo *info);
/* INFO's UUID from Xen's 16-byte handle H. */
void xb_uuid_set(struct xb_dominfo *info, const uint8_t *h);
/* Same UUID? */
static inline bool xb_uuid_equal(const struct xb_dominfo *a, const struct xb_dominfo *b)
{
	return a->uuid_hi == b->uuid_hi && a->uuid_lo == b->uuid_lo;
}

/*
 * Run BODY inside a xenstore transaction, retrying the whole body when the
 * commit fails with EAGAIN (someone else changed what it read). BODY returns
 * 0 to commit or -1 (errno, *why) to abort.
 */
typedef int (*xb_txn_body_fn)(struct xb_backend *be, xb_txn_t t, void *arg,
			      const char **why_r);
int xb_txn_run(struct xb_backend *be, xb_txn_body_fn body, void *arg,
	       const char **why_r);

/* Xen's view of one domain now; -1 with ESRCH when it is gone. */
int xb_dom_info(struct xb_backend *be, uint32_t domid, struct xb_dominfo *info_r);

/*
 * Put back a change that was applied (RES from its xb_dom_set_*()): Xen's
 * maxmem and PoD target, and the keys it wrote unless someone has changed
 * them since. 0, or -1 with *why_r and what was left in *LEFT_R.
 */
int xb_dom_restore(struct xb_backend *be, const struct xb_domain *d,
		   enum xb_plan_kind kind, const struct xb_set_result *res,
		   struct xb_dom_saved *left_r, const char **why_r);

#endif
