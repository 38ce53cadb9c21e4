// SPDX-License-Identifier: GPL-2.0
/* Sizes as operators type them: parse, resolve, check the invariants. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "libxballoon.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t cur = 0, max = 0, kb = 0;
	const char *why = NULL;
	struct xb_size sz;

	if (size >= 16) {
		memcpy(&cur, data, 8);
		memcpy(&max, data + 8, 8);
		data += 16;
		size -= 16;
	}
	if (xballoon_size_parse((const char *)data, size, &sz, &why)) {
		if (!why)
			abort();
		return 0;
	}
	if (sz.kind == XB_SIZE_ABS || sz.kind == XB_SIZE_REL) {
		if (sz.kb > XB_SIZE_MAX_KB)
			abort();
	} else if (sz.pct_milli > 1000 * 1000) {
		abort();
	}
	/* only a sign makes a size relative, only '%' makes it a percentage */
	if ((sz.kind == XB_SIZE_REL || sz.kind == XB_SIZE_REL_PCT) !=
	    (data[0] == '+' || data[0] == '-'))
		abort();
	if ((sz.kind == XB_SIZE_PCT_MAX || sz.kind == XB_SIZE_REL_PCT) !=
	    (data[size - 1] == '%'))
		abort();
	if (xballoon_size_resolve(&sz, cur, max, &kb, &why)) {
		if (!why)
			abort();
		return 0;
	}
	if (kb > XB_SIZE_MAX_KB)
		abort();
	if (sz.kind == XB_SIZE_ABS && kb != sz.kb)
		abort();
	if (sz.kind == XB_SIZE_REL && !sz.negative && kb < cur)
		abort();
	if (sz.kind == XB_SIZE_REL && sz.negative && kb > cur)
		abort();
	return 0;
}
