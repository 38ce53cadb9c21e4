/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A fake backend for unit tests: domains, host and a small xenstore in memory,
 * a fake clock whose sleep moves each domain toward its target at a set rate,
 * and knobs to inject failures (EAGAIN commits, hypercall errors).
 */
#ifndef XB_FAKE_H
#define XB_FAKE_H

#include "xb_backend.h"

#define XB_FAKE_MAX_DOMS 256

struct xb_fake_dom {
	struct xb_dominfo info;
	uint64_t rate_kb_s;		/* how fast the "driver" moves; 0 = none */
	uint64_t maxmem_kb;		/* last set_maxmem */
	bool pod;			/* has PoD entries (HVM booted below maxmem) */
	uint64_t pod_pages;		/* PoD target last set (pod only) */
	unsigned maxmem_calls, pod_calls;
};

struct xb_fake_kv {
	char *path;
	char *val;			/* NULL: absent (a staged removal, a read of nothing) */
	size_t len;
};

/* An open transaction: its writes, and what it saw (checked at commit). */
struct xb_fake_txn {
	xb_txn_t id;			/* 0: slot free */
	struct xb_fake_kv *staged, *seen;
	size_t n_staged, n_seen;
};
#define XB_FAKE_MAX_TXN 4

struct xb_fake {
	struct xb_backend be;		/* first */
	struct xb_fake_dom doms[XB_FAKE_MAX_DOMS];
	size_t n_doms;
	struct xb_hostinfo host;
	struct xb_fake_kv *kv;
	size_t n_kv;
	/*
	 * Transactions as xenstored runs them: several may be open, and a
	 * commit fails with EAGAIN when a key the transaction read or wrote
	 * was changed by someone else since.
	 */
	struct xb_fake_txn txns[XB_FAKE_MAX_TXN];
	unsigned eagain_commits;	/* next N commits fail with EAGAIN */
	unsigned conflicts;		/* commits refused for a real conflict */
	/* called once per commit, before it is checked (interleaving tests) */
	void (*before_commit)(struct xb_fake *f, void *ctx);
	void *before_commit_ctx;
	int fail_maxmem_domid;		/* -1: none */
	int fail_pod_domid;		/* -1: none */
	unsigned fail_maxmem_after;	/* fail_maxmem_domid fails after N more calls */
	bool fail_physinfo;
	bool batch;			/* offer xs_read_many (else: not available) */
	unsigned calls_read_many;
	unsigned calls_domain_list, calls_txn_start, calls_commit, calls_read,
		 calls_write;
	uint64_t now_ms;
	/* reservations */
	bool track_free;		/* sleep moves host free memory with the domains */
	int fail_create;		/* placeholder_create fails with this errno */
	uint32_t next_domid;		/* placeholder ids from here (default 100) */
	int32_t self_pid;		/* our fake pid (default 4242) */
	int32_t alive[8];		/* pids that are alive besides self */
	unsigned claims, destroys;	/* calls */
};

struct xb_fake *xb_fake_new(void);
void xb_fake_free(struct xb_fake *f);

/* Add a domain; writes name, memory/static-max and memory/target (KiB). */
struct xb_fake_dom *xb_fake_add(struct xb_fake *f, uint32_t domid,
				const char *name, enum xb_domtype type,
				uint64_t static_max_kb, uint64_t target_kb,
				uint64_t actual_kb);
struct xb_fake_dom *xb_fake_dom(struct xb_fake *f, uint32_t domid);
void xb_fake_remove(struct xb_fake *f, uint32_t domid);

/* Direct store access (outside any transaction). LEN bytes of VAL. */
void xb_fake_put(struct xb_fake *f, const char *path, const char *val, size_t len);
void xb_fake_putf(struct xb_fake *f, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The value, or NULL; owned by the fake. */
const char *xb_fake_get(struct xb_fake *f, const char *path);
void xb_fake_del(struct xb_fake *f, const char *path);

#endif
