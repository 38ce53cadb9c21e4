// SPDX-License-Identifier: GPL-2.0
/*
 * The /metrics endpoint (libmicrohttpd, external polling with epoll): GET
 * /metrics answers the body the daemon builds; anything else is 404 (or 405
 * for another method). Bound to the one address given, 127.0.0.1 by intent.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#include "metrics.h"

struct xbd_metrics {
	struct MHD_Daemon *mhd;
	xbd_metrics_fn fn;
	void *ctx;
};

int xbd_metrics_parse_addr(const char *s, struct sockaddr_in *sa, char *err)
{
	const char *colon = s ? strrchr(s, ':') : NULL;
	char ip[INET_ADDRSTRLEN];
	unsigned long port = 0;
	size_t n;

	if (!colon || colon == s || !colon[1]) {
		snprintf(err, XBD_ERR_LEN, "'%.40s': expected IPv4:PORT, e.g. 127.0.0.1:9101",
			 s ? s : "");
		return -1;
	}
	n = (size_t)(colon - s);
	if (n >= sizeof(ip)) {
		snprintf(err, XBD_ERR_LEN, "'%.40s': not an IPv4 address", s);
		return -1;
	}
	memcpy(ip, s, n);
	ip[n] = '\0';
	for (const char *p = colon + 1; *p; p++) {
		if (*p < '0' || *p > '9' || port > 65535) {
			snprintf(err, XBD_ERR_LEN, "'%.40s': bad port", s);
			return -1;
		}
		port = port * 10 + (unsigned long)(*p - '0');
	}
	if (port == 0 || port > 65535) {
		snprintf(err, XBD_ERR_LEN, "'%.40s': port must be 1..65535", s);
		return -1;
	}
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, ip, &sa->sin_addr) != 1) {
		snprintf(err, XBD_ERR_LEN, "'%.40s': not an IPv4 address", s);
		return -1;
	}
	return 0;
}

static enum MHD_Result answer(void *cls, struct MHD_Connection *conn, const char *url,
			      const char *method, const char *version,
			      const char *upload_data, size_t *upload_data_size,
			      void **con_cls)
{
	static const char nf[] = "not found: try /metrics\n";
	static const char na[] = "method not allowed\n";
	static const char ie[] = "internal error\n";
	struct xbd_metrics *m = cls;
	struct MHD_Response *r;
	unsigned int code = MHD_HTTP_OK;
	enum MHD_Result ret;
	char *body = NULL;
	size_t len = 0;

	(void)version;
	(void)upload_data;
	(void)upload_data_size;
	(void)con_cls;
	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD)) {
		code = MHD_HTTP_METHOD_NOT_ALLOWED;
		r = MHD_create_response_from_buffer(sizeof(na) - 1, (void *)na,
						    MHD_RESPMEM_PERSISTENT);
	} else if (strcmp(url, "/metrics")) {
		code = MHD_HTTP_NOT_FOUND;
		r = MHD_create_response_from_buffer(sizeof(nf) - 1, (void *)nf,
						    MHD_RESPMEM_PERSISTENT);
	} else {
		body = m->fn(m->ctx, &len);
		if (body) {
			r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
		} else {
			code = MHD_HTTP_INTERNAL_SERVER_ERROR;
			r = MHD_create_response_from_buffer(sizeof(ie) - 1, (void *)ie,
							    MHD_RESPMEM_PERSISTENT);
		}
	}
	if (!r) {
		free(body);
		return MHD_NO;
	}
	if (code == MHD_HTTP_OK)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
					"text/plain; version=0.0.4; charset=utf-8");
	ret = MHD_queue_response(conn, code, r);
	MHD_destroy_response(r);
	return ret;
}

struct xbd_metrics *xbd_metrics_start(const struct sockaddr_in *sa, xbd_metrics_fn fn,
				      void *ctx, char *err)
{
	struct xbd_metrics *m = calloc(1, sizeof(*m));

	if (!m) {
		snprintf(err, XBD_ERR_LEN, "out of memory");
		return NULL;
	}
	m->fn = fn;
	m->ctx = ctx;
	errno = 0;
	m->mhd = MHD_start_daemon(MHD_USE_EPOLL | MHD_USE_ERROR_LOG, ntohs(sa->sin_port),
				  NULL, NULL, answer, m,
				  MHD_OPTION_SOCK_ADDR, (const struct sockaddr *)sa,
				  MHD_OPTION_CONNECTION_LIMIT, (unsigned int)16,
				  MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)10,
				  MHD_OPTION_END);
	if (!m->mhd) {
		snprintf(err, XBD_ERR_LEN, "cannot listen on %s:%u: %s",
			 inet_ntoa(sa->sin_addr), ntohs(sa->sin_port),
			 errno ? strerror(errno) : "libmicrohttpd refused");
		free(m);
		return NULL;
	}
	return m;
}

int xbd_metrics_fd(struct xbd_metrics *m)
{
	const union MHD_DaemonInfo *i = MHD_get_daemon_info(m->mhd, MHD_DAEMON_INFO_EPOLL_FD);

	return i ? i->epoll_fd : -1;
}

int xbd_metrics_timeout_ms(struct xbd_metrics *m)
{
	MHD_UNSIGNED_LONG_LONG t;

	if (MHD_get_timeout(m->mhd, &t) != MHD_YES)
		return -1;
	return t > 60000 ? 60000 : (int)t;
}

void xbd_metrics_run(struct xbd_metrics *m)
{
	MHD_run(m->mhd);
}

void xbd_metrics_stop(struct xbd_metrics *m)
{
	if (!m)
		return;
	MHD_stop_daemon(m->mhd);
	free(m);
}
