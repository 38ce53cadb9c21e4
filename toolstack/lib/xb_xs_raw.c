// SPDX-License-Identifier: GPL-2.0
/*
 * libxballoon: batched reads over a connection of our own to xenstored's
 * socket: a chunk of XS_READ requests goes out in one write(), then their
 * answers come back in order. One round trip per chunk instead of one per
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

/* One read() or send() (no SIGPIPE for a library's caller): bytes, or -1. */
static ssize_t io_once(int fd, void *buf, size_t len, bool wr)
{
	for (;;) {
		ssize_t n = wr ? send(fd, buf, len, MSG_NOSIGNAL) : read(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (!n)
			errno = EIO;
		return n > 0 ? n : -1;
	}
}

static int raw_flush(struct xb_xs_raw *c)
{
	char *p = c->out;
	size_t len = c->out_len;

	c->out_len = 0;
	while (len) {
		ssize_t n = io_once(c->fd, p, len, true);

		if (n < 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int raw_send(struct xb_xs_raw *c, uint32_t type, uint32_t tx, uint32_t req,
		    const char *payload, size_t len)
{
	struct xsd_sockmsg m = { .type = type, .req_id = req, .tx_id = tx,
				 .len = (uint32_t)len };

	if (len > XENSTORE_PAYLOAD_MAX) {
		errno = E2BIG;
		return -1;
	}
	if (c->out_len + sizeof(m) + len > sizeof(c->out) && raw_flush(c))
		return -1;
	memcpy(c->out + c->out_len, &m, sizeof(m));
	memcpy(c->out + c->out_len + sizeof(m), payload, len);
	c->out_len += sizeof(m) + len;
	return 0;
}

/* LEN bytes of the answers into DST, reading more when the buffer runs dry. */
static int raw_get(struct xb_xs_raw *c, void *dst, size_t len)
{
	char *p = dst;

	while (len) {
		size_t take;

		if (c->in_pos == c->in_len) {
			ssize_t n = io_once(c->fd, c->in, sizeof(c->in), false);

			if (n < 0)
				return -1;
			c->in_pos = 0;
			c->in_len = (size_t)n;
		}
		take = c->in_len - c->in_pos < len ? c->in_len - c->in_pos : len;
		memcpy(p, c->in + c->in_pos, take);
		c->in_pos += take;
		p += take;
		len -= take;
	}
	return 0;
}

/* One answer into C->val, NUL-terminated. */
static int raw_recv(struct xb_xs_raw *c, uint32_t req, struct xsd_sockmsg *m)
{
	if (raw_get(c, m, sizeof(*m)))
		return -1;
	if (m->len > XENSTORE_PAYLOAD_MAX || m->req_id != req ||
	    m->type == XS_WATCH_EVENT) {
		errno = EPROTO;
		return -1;
	}
	if (raw_get(c, c->val, m->len))
		return -1;
	c->val[m->len] = '\0';
	return 0;
}

/*
 * One attempt: 0 done, 1 transaction conflict (retry), -1 failure. The
 * transaction's end goes out with the last chunk of reads.
 */
int xb_xs_raw_read(struct xb_xs_raw *c, bool txn, const char *const *paths,
			 size_t n, char **vals, size_t *lens)
{
	struct xsd_sockmsg m;
	uint32_t tx = 0, req = 1;

	c->out_len = c->in_pos = c->in_len = 0;
	if (txn) {
		if (raw_send(c, XS_TRANSACTION_START, 0, req, "", 1) || raw_flush(c) ||
		    raw_recv(c, req++, &m) || m.type != XS_TRANSACTION_START)
			return -1;
		tx = (uint32_t)strtoul(c->val, NULL, 10);
		if (!tx)
			return -1;
	}
	for (size_t i = 0; i < n || (!n && i == 0); i += XB_RAW_CHUNK) {
		size_t end = n - i < XB_RAW_CHUNK ? n : i + XB_RAW_CHUNK;
		bool last = end == n;

		for (size_t j = i; j < end; j++)
			if (raw_send(c, XS_READ, tx, req + (uint32_t)(j - i),
				     paths[j], strlen(paths[j]) + 1))
				return -1;
		if (last && txn &&
		    raw_send(c, XS_TRANSACTION_END, tx, req + XB_RAW_CHUNK, "T", 2))
			return -1;
		if (raw_flush(c))
			return -1;
		for (size_t j = i; j < end; j++) {
			if (raw_recv(c, req + (uint32_t)(j - i), &m))
				return -1;
			if (m.type == XS_ERROR)
				continue;	/* missing (ENOENT) or not readable */
			if (m.type != XS_READ)
				return -1;
			vals[j] = malloc(m.len + 1);
			if (!vals[j])
				return -1;
			memcpy(vals[j], c->val, m.len + 1);
			lens[j] = m.len;
		}
		if (last)
			break;
		req += XB_RAW_CHUNK;
	}
	if (!txn)
		return 0;
	if (raw_recv(c, req + XB_RAW_CHUNK, &m))
		return -1;
	if (m.type == XS_ERROR)
		return strcmp(c->val, "EAGAIN") ? -1 : 1;
	return m.type == XS_TRANSACTION_END ? 0 : -1;
}

