/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xballoond --metrics ADDR:PORT: a Prometheus /metrics endpoint served by
 * libmicrohttpd, run from the daemon's own poll loop (no thread: the body is
 * built in the loop, so nothing is shared between threads), and its body.
 */
#ifndef XBD_METRICS_H
#define XBD_METRICS_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#define XBD_ERR_LEN 160

/*
 * "IPv4:PORT" (e.g. 127.0.0.1:9101; PORT 1..65535) into *SA. 0, or -1 with
 * a message in ERR (XBD_ERR_LEN bytes).
 */
int xbd_metrics_parse_addr(const char *s, struct sockaddr_in *sa, char *err);

/* The body of one scrape: malloc()ed text, its length in *LEN_R; NULL: 500. */
typedef char *(*xbd_metrics_fn)(void *ctx, size_t *len_r);

struct xb_backend;
struct xbd_counters;

/*
 * The daemon's body (metrics_body.c), as an xbd_metrics_fn returns it: a fresh snapshot of
 * BE rendered by xballoon_prometheus() over every domain (exactly what
 * `xballoon list --prometheus` prints for the same state), then the
 * daemon's own series: xballoond_view_ok (0 when the snapshot failed: the
 * first part is then absent), xballoond_start_time_seconds (STARTED_MS,
 * wall clock) and the counters C.
 */
char *xbd_metrics_body(struct xb_backend *be, const struct xbd_counters *c,
		       uint64_t started_ms, size_t *len_r);

struct xbd_metrics;

/* Listen on SA. NULL with a message in ERR. */
struct xbd_metrics *xbd_metrics_start(const struct sockaddr_in *sa, xbd_metrics_fn fn,
				      void *ctx, char *err);
/* The descriptor to poll for POLLIN (libmicrohttpd's epoll descriptor). */
int xbd_metrics_fd(struct xbd_metrics *m);
/* How long the loop may sleep before xbd_metrics_run() is due (ms; -1: no limit). */
int xbd_metrics_timeout_ms(struct xbd_metrics *m);
/* Serve what is ready; never blocks. */
void xbd_metrics_run(struct xbd_metrics *m);
void xbd_metrics_stop(struct xbd_metrics *m);

#endif
