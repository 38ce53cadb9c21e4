// SPDX-License-Identifier: GPL-2.0
/*
 * libxballoon: batched reads over a connection of our own to xenstored's
 * socket: send a chunk of XS_READ requests, then read their answers
 * (xenstored answers in order). One round trip per chunk instead of one per
 * key: libxenstore has no asynchronous read. Any surprise returns -1 and the
 * caller falls back to xs_read().
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <xen/io/xs_wire.h>

#include "xb_xs_raw.h"

static int raw_io(int fd, void *buf, size_t len, bool wr)
{
	char *p = buf;

	while (len) {
		/* no SIGPIPE for a library's caller when xenstored goes away */
		ssize_t n = wr ? send(fd, p, len, MSG_NOSIGNAL) : read(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (!n)
				errno = EIO;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int raw_send(int fd, uint32_t type, uint32_t tx, uint32_t req,
		    const char *payload, size_t len)
{
	struct xsd_sockmsg m = { .type = type, .req_id = req, .tx_id = tx,
				 .len = (uint32_t)len };

	if (len > XENSTORE_PAYLOAD_MAX) {
		errno = E2BIG;
		return -1;
	}
	return raw_io(fd, &m, sizeof(m), true) || raw_io(fd, (void *)payload, len, true) ?
	       -1 : 0;
}

/* One answer into BUF (XENSTORE_PAYLOAD_MAX + 1 bytes, NUL-terminated). */
static int raw_recv(int fd, uint32_t req, struct xsd_sockmsg *m, char *buf)
{
	if (raw_io(fd, m, sizeof(*m), false))
		return -1;
	if (m->len > XENSTORE_PAYLOAD_MAX || m->req_id != req ||
	    m->type == XS_WATCH_EVENT) {
		errno = EPROTO;
		return -1;
	}
	if (raw_io(fd, buf, m->len, false))
		return -1;
	buf[m->len] = '\0';
	return 0;
}

static int read_once(int fd, bool txn, const char *const *paths, size_t n,
		     char **vals, size_t *lens, char *buf)
{
	struct xsd_sockmsg m;
	uint32_t tx = 0, req = 1;

	if (txn) {
		if (raw_send(fd, XS_TRANSACTION_START, 0, req, "", 1) ||
		    raw_recv(fd, req++, &m, buf) || m.type != XS_TRANSACTION_START)
			return -1;
		tx = (uint32_t)strtoul(buf, NULL, 10);
		if (!tx)
			return -1;
	}
	for (size_t i = 0; i < n; i += XB_RAW_CHUNK) {
		size_t end = n - i < XB_RAW_CHUNK ? n : i + XB_RAW_CHUNK;

		for (size_t j = i; j < end; j++)
			if (raw_send(fd, XS_READ, tx, req + (uint32_t)(j - i),
				     paths[j], strlen(paths[j]) + 1))
				return -1;
		for (size_t j = i; j < end; j++) {
			if (raw_recv(fd, req + (uint32_t)(j - i), &m, buf))
				return -1;
			if (m.type == XS_ERROR)
				continue;	/* missing (ENOENT) or not readable */
			if (m.type != XS_READ)
				return -1;
			vals[j] = malloc(m.len + 1);
			if (!vals[j])
				return -1;
			memcpy(vals[j], buf, m.len + 1);
			lens[j] = m.len;
		}
		req += XB_RAW_CHUNK;
	}
	if (!txn)
		return 0;
	if (raw_send(fd, XS_TRANSACTION_END, tx, req, "T", 2) ||
	    raw_recv(fd, req, &m, buf))
		return -1;
	if (m.type == XS_ERROR)
		return strcmp(buf, "EAGAIN") ? -1 : 1;
	return m.type == XS_TRANSACTION_END ? 0 : -1;
}

int xb_xs_raw_read(int fd, bool txn, const char *const *paths, size_t n,
		   char **vals, size_t *lens)
{
	char *buf = malloc(XENSTORE_PAYLOAD_MAX + 1);
	int rc;

	if (!buf)
		return -1;
	rc = read_once(fd, txn, paths, n, vals, lens, buf);
	free(buf);
	return rc;
}
