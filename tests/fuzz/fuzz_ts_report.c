// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
/* The driver's report (untrusted guest input): never crash, never half-parse. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "libxballoon.h"
#include "xb_lib_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xb_report r, again;
	char *copy;

	xb_report_parse_into((const char *)data, size, &r);
	switch (r.status) {
	case XB_REPORT_VALID:
		if (size > XB_REPORT_MAX_LEN + 1 || r.why || !memmem(data, size, "v=", 2))
			abort();
		if (r.present >> XB_RF_NR)
			abort();
		for (int f = 0; f < XB_RF_NR; f++)
			if (!(r.present & (1u << f)) && r.num[f])
				abort();
		if (r.state >= XB_RSTATE_NR || r.last_error >= XB_RERR_NR)
			abort();
		break;
	case XB_REPORT_INVALID:
		if (!r.why || r.present || r.state != XB_RSTATE_UNKNOWN)
			abort();
		break;
	default:
		abort();	/* a buffer is never "absent" */
	}
	/* deterministic, and independent of what lies past the length */
	copy = malloc(size + 1);
	memcpy(copy, data, size);
	copy[size] = 'x';
	xb_report_parse_into(copy, size, &again);
	free(copy);
	if (again.status != r.status || again.present != r.present ||
	    memcmp(again.num, r.num, sizeof(r.num)))
		abort();
	return 0;
}
