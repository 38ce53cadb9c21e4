// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz memory/target handling: any bytes from xenstore go through the parser
 * and, if accepted, into the core; the core's invariants must hold.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xb_core.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xb_config cfg = {
		.initial_pages = 262144,
		.static_max_kb = 1048576,
		.auto_translated = size & 1,
	};
	struct xb_core c;
	u64 kb = 12345, again;
	char copy[64];
	int rc;

	xb_core_init(&c, &cfg);
	rc = xb_parse_kb((const char *)data, size, &kb);
	if (rc) {
		if (rc != -XB_EINVAL && rc != -XB_ERANGE)
			abort();
		if (kb != 12345)	/* untouched on error */
			abort();
		xb_core_bad_target(&c);
		return 0;
	}
	/* accepted: it is a canonical decimal, and prints back the same */
	snprintf(copy, sizeof(copy), "%llu", kb);
	if (xb_parse_kb(copy, strlen(copy), &again) || again != kb)
		abort();
	rc = xb_core_set_target_kb(&c, kb);
	if (rc == -XB_ERANGE) {
		if (kb <= XB_MAX_TARGET_KB)
			abort();
		return 0;
	}
	if (c.target_pages > c.total_pages || c.target_pages < c.floor_pages)
		abort();
	if (c.balloon_pages + xb_core_current_pages(&c) != c.total_pages)
		abort();
	return 0;
}
