/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xenstore-watch: a small event layer over libxenstore's watches.
 *
 * - Usable from a poll loop: xsw_fd() is readable when events may be pending;
 *   xsw_drain() then calls xs_check_watch() until EAGAIN.
 * - Coalesces bursts: events are kept in a per-(path, token) pending set, so a
 *   key written a thousand times between two drains is delivered once.
 * - Bounded memory: the pending set holds at most max_pending entries and each
 *   path at most XSW_PATH_MAX bytes. When it is full, further events are
 *   dropped and one overflow event (XSW_OVERFLOW_TOKEN) is delivered instead:
 *   the caller then re-reads everything it watches.
 * - Re-arms: xsw_rearm() registers every watch again, and the first event
 *   xenstore sends for a new watch is delivered like any other.
 * - Reconnects: when xenstored restarts, the connection is lost for good;
 *   xsw_reconnect_loop() opens a new one with exponential backoff and
 *   re-arms every watch on it (xsw_reconnect()).
 * - Clean shutdown: xsw_close() unwatches everything and frees all memory.
 *
 * Special paths "@introduceDomain" and "@releaseDomain" work like any other.
 *
 * Errors: functions returning int return 0 (or a count) on success and -1 with
 * errno set on failure. Strings returned by xsw_next() belong to the caller
 * (free()).
 */
#ifndef XSW_H
#define XSW_H

#include <stddef.h>

#define XSW_PATH_MAX 3072		/* XENSTORE_ABS_PATH_MAX */
#define XSW_TOKEN_MAX 64
#define XSW_OVERFLOW_TOKEN "@xsw-overflow"

/* The calls xsw makes into libxenstore; replaceable for tests. */
struct xsw_ops {
	int (*watch)(void *xs, const char *path, const char *token);	/* bool */
	int (*unwatch)(void *xs, const char *path, const char *token);	/* bool */
	int (*fileno)(void *xs);
	/* vector of XS_WATCH_PATH/XS_WATCH_TOKEN, one free(); NULL+EAGAIN when none */
	char **(*check_watch)(void *xs);
};

/* The ops for a real struct xs_handle. */
extern const struct xsw_ops xsw_xs_ops;

struct xsw;

/*
 * Create a watch set on XS (not owned: the caller closes it after xsw_close).
 * max_pending bounds the pending set (0 = default 1024).
 */
struct xsw *xsw_open(const struct xsw_ops *ops, void *xs, size_t max_pending);

/* Add a watch. A path/token pair already armed is not armed twice. */
int xsw_add(struct xsw *w, const char *path, const char *token);

/* Remove a watch and any pending event for it. ENOENT if not armed. */
int xsw_remove(struct xsw *w, const char *path, const char *token);

/* Register every armed watch again with xenstored. */
int xsw_rearm(struct xsw *w);

/* The descriptor to poll for POLLIN. */
int xsw_fd(struct xsw *w);

/*
 * Read every fired watch (until EAGAIN) into the pending set.
 * Returns the number of events read (including coalesced ones), -1 on error.
 *
 * -1 is also how a lost connection shows: libxenstore's reader thread sees
 * xenstored close the socket, closes its end, and from then on
 * xs_check_watch() fails (EINVAL), but xsw_fd() never becomes readable. Call
 * xsw_drain() at every wake-up, not only on POLLIN, to notice it.
 */
int xsw_drain(struct xsw *w);

/* Number of distinct pending events. */
size_t xsw_pending(const struct xsw *w);

/*
 * Pop the oldest pending event. Returns 1 and sets *path_r and *token_r
 * (caller frees both), 0 when nothing is pending, -1 on error.
 */
int xsw_next(struct xsw *w, char **path_r, char **token_r);

/* ---- reconnecting after xenstored went away ---- */

/*
 * Does errno ERR (of a failed xenstore call) mean the connection is gone
 * (EIO, ECONNRESET, EPIPE, EBADF, ENOTCONN, ECONNREFUSED, ESHUTDOWN)?
 * Anything else (ENOENT, EACCES, EAGAIN, ENOMEM...) is an answer on a live one.
 */
int xsw_conn_lost(int err);

/* Exponential backoff: min_ms, doubling, at most max_ms. */
struct xsw_backoff {
	unsigned int min_ms, max_ms, next_ms;
};
void xsw_backoff_init(struct xsw_backoff *b, unsigned int min_ms,
		      unsigned int max_ms);
/* The delay to wait now; the next call returns twice that (up to max_ms). */
unsigned int xsw_backoff_next(struct xsw_backoff *b);

/*
 * Use connection XS from now on (the old one is gone: it is not touched),
 * drop every pending event and a pending overflow (the caller re-reads
 * everything after a reconnect), and register every armed watch on XS.
 * 0, or -1 with errno when a watch could not be registered.
 */
int xsw_reconnect(struct xsw *w, void *xs);

struct xsw_reconnect_ops {
	/* A new connection (the old one may be closed by it), or NULL with errno. */
	void *(*reopen)(void *ctx);
	/* Wait MS milliseconds; non-zero to give up (a signal, a deadline). */
	int (*sleep)(void *ctx, unsigned int ms);
};

/*
 * Reconnect until it works: reopen, then xsw_reconnect(); after a failure of
 * either, sleep for xsw_backoff_next(B) and try again. Returns the number of
 * attempts (1 or more), or -1 with errno EINTR when sleep said to give up.
 */
int xsw_reconnect_loop(struct xsw *w, const struct xsw_reconnect_ops *ops,
		       void *ctx, struct xsw_backoff *b);

/*
 * Counters: events read, events coalesced away, events dropped on overflow,
 * re-arms, reconnects (successful xsw_reconnect()).
 */
struct xsw_stats {
	unsigned long long read, coalesced, dropped, rearms, reconnects;
};
void xsw_get_stats(const struct xsw *w, struct xsw_stats *st_r);

/* Unwatch everything and free. NULL is allowed. */
void xsw_close(struct xsw *w);

#endif
