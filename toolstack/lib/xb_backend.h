/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The backend (private to lib/): everything libxballoon needs from Xen and
 * xenstore, as a flat table of function pointers. The real one (xb_backend_xen.c) sits on
 * libxenctrl and libxenstore; tests use a fake (xb_backend_fake.c).
 *
 * Conventions: int functions return 0 (or a count) on success, -1 with errno
 * on failure. Strings returned are malloc()ed and the caller frees them.
 */
#ifndef XB_BACKEND_H
#define XB_BACKEND_H

#include "libxballoon.h"

#define XB_DOMINFO_CHUNK 1024	/* domains per xc_domain_getinfolist call */

typedef uint32_t xb_txn_t;		/* xs_transaction_t */
#define XB_TXN_NULL 0

struct xb_backend;

struct xb_backend_ops {
	/*
	 * Like xc_domain_getinfolist: up to MAX domains with id >= FIRST, in id
	 * order. Returns the number filled in.
	 */
	int (*domain_list)(struct xb_backend *be, uint32_t first, unsigned max,
			   struct xb_dominfo *buf);
	int (*physinfo)(struct xb_backend *be, struct xb_hostinfo *host_r);
	int (*txn_start)(struct xb_backend *be, xb_txn_t *t_r);
	/* 0 on commit; -1 with errno EAGAIN when the transaction must be retried */
	int (*txn_end)(struct xb_backend *be, xb_txn_t t, bool abort);
	/* NULL with errno ENOENT when the key does not exist */
	char *(*xs_read)(struct xb_backend *be, xb_txn_t t, const char *path,
			 size_t *len_r);
	int (*xs_write)(struct xb_backend *be, xb_txn_t t, const char *path,
			const char *value);
	/*
	 * Optional (may be NULL): read N keys with one round of requests, in one
	 * transaction of its own (retried on EAGAIN) when TXN. VALS[i] is
	 * malloc()ed or NULL when the key is missing; LENS[i] its length.
	 * -1 means "use xs_read instead", never a partial result.
	 */
	int (*xs_read_many)(struct xb_backend *be, bool txn,
			    const char *const *paths, size_t n, char **vals,
			    size_t *lens);
	int (*set_maxmem)(struct xb_backend *be, uint32_t domid, uint64_t max_kb);
	int (*set_pod_target)(struct xb_backend *be, uint32_t domid,
			      uint64_t target_pages);
	/*
	 * The PoD target to put back to leave the domain's PoD cache as it is
	 * now, in pages; 0 when the domain has no PoD entries (then there is
	 * nothing to put back).
	 */
	int (*get_pod_target)(struct xb_backend *be, uint32_t domid,
			      uint64_t *target_pages_r);
	/* Remove PATH (0 also when it did not exist). */
	int (*xs_rm)(struct xb_backend *be, xb_txn_t t, const char *path);
	/*
	 * Reservations (xb_resv.c). Optional (NULL: not supported, ENOSYS).
	 * placeholder_create: an empty PV domain (no vCPU runs, no memory)
	 * whose only use is to hold a claim; its maxmem is MAX_KB.
	 * claim: XENMEM_claim_pages for DOMID, PAGES in all (0 cancels);
	 * ENOMEM when Xen's free minus outstanding claims is short.
	 * pid_alive: is process PID with start time START (0: any) running?
	 * self: our pid and its start time.
	 */
	int (*placeholder_create)(struct xb_backend *be, uint64_t max_kb,
				  uint32_t *domid_r);
	int (*claim)(struct xb_backend *be, uint32_t domid, uint64_t pages);
	int (*domain_destroy)(struct xb_backend *be, uint32_t domid);
	bool (*pid_alive)(struct xb_backend *be, int32_t pid, uint64_t start);
	void (*self)(struct xb_backend *be, int32_t *pid_r, uint64_t *start_r);
	/* Optional: reconnect to xenstored (xenstored restarted). */
	int (*xs_reopen)(struct xb_backend *be);
	/* Monotonic milliseconds, and a sleep; faked in tests. */
	uint64_t (*now_ms)(struct xb_backend *be);
	void (*sleep_ms)(struct xb_backend *be, unsigned ms);
	/* The xenstore handle for watches (struct xs_handle *), or NULL. */
	void *(*xs_handle)(struct xb_backend *be);
	void (*close)(struct xb_backend *be);
};

struct xb_backend {
	const struct xb_backend_ops *ops;
	unsigned chunk;			/* domains per domain_list call */
};

#endif
