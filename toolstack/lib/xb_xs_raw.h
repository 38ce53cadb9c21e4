/* SPDX-License-Identifier: GPL-2.0 */
/* libxballoon, private: batched reads on xenstored's socket (xb_xs_raw.c). */
#ifndef XB_XS_RAW_H
#define XB_XS_RAW_H

#include <stdbool.h>
#include <stddef.h>
#include <xen/io/xs_wire.h>

#define XB_RAW_CHUNK 64

/*
 * Read PATHS[0..N) on FD (connected to xenstored's socket), inside one
 * transaction if TXN. VALS[i] is a malloc'd NUL-terminated value, or NULL
 * where xenstored answered with an error (missing, not readable); LENS[i] its
 * length. 0: done; 1: the transaction conflicted (retry); -1: failure (the
 * stream may be out of step: close it). VALS may be partly set in all cases.
 */
int xb_xs_raw_read(int fd, bool txn, const char *const *paths, size_t n,
		   char **vals, size_t *lens);

#endif
