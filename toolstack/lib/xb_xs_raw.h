/* SPDX-License-Identifier: GPL-2.0 */
/* libxballoon, private: batched reads on xenstored's socket (xb_xs_raw.c). */
#ifndef XB_XS_RAW_H
#define XB_XS_RAW_H

#include <stdbool.h>
#include <stddef.h>
#include <xen/io/xs_wire.h>

#define XB_RAW_CHUNK 64
#define XB_RAW_BUF (64 * 1024)

/*
 * The connection's buffers: requests are queued and written with one
 * write(), answers read with as few read() calls as they fit in. Every
 * system call is a trip through Xen in a PV dom0.
 */
struct xb_xs_raw {
	int fd;
	size_t out_len, in_pos, in_len;
	char out[XB_RAW_BUF];
	char in[XB_RAW_BUF];
	char val[XENSTORE_PAYLOAD_MAX + 1];
};

/*
 * Read PATHS[0..N) on C->fd (connected to xenstored's socket), inside one
 * transaction if TXN. VALS[i] is a malloc'd NUL-terminated value, or NULL
 * where xenstored answered with an error (missing, not readable); LENS[i] its
 * length. 0: done; 1: the transaction conflicted (retry); -1: failure (the
 * stream may be out of step: close it). VALS may be partly set in all cases.
 */
int xb_xs_raw_read(struct xb_xs_raw *c, bool txn, const char *const *paths,
		   size_t n, char **vals, size_t *lens);

#endif
