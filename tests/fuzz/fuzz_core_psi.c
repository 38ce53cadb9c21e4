// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz the /proc/pressure/memory parser (core/xb_report.c): any input is
 * either rejected with nothing kept, or gives averages of at most 100 %
 * that, written back in the kernel's format, parse to the same values.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xb_core.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xb_psi p, q;
	char buf[256];
	int n;

	memset(&p, 0xa5, sizeof(p));
	if (xb_psi_parse((const char *)data, size, &p)) {
		if (p.valid)
			abort();
		return 0;
	}
	if (!p.valid || p.some_avg10_milli > 100000 ||
	    p.full_avg10_milli > 100000)
		abort();
	n = snprintf(buf, sizeof(buf),
		     "some avg10=%u.%03u avg60=0.00 avg300=0.00 total=%llu\n"
		     "full avg10=%u.%03u avg60=0.00 avg300=0.00 total=%llu\n",
		     p.some_avg10_milli / 1000, p.some_avg10_milli % 1000,
		     p.some_total_us, p.full_avg10_milli / 1000,
		     p.full_avg10_milli % 1000, p.full_total_us);
	if (n <= 0 || (size_t)n >= sizeof(buf) ||
	    xb_psi_parse(buf, (size_t)n, &q) ||
	    q.some_avg10_milli != p.some_avg10_milli ||
	    q.full_avg10_milli != p.full_avg10_milli ||
	    q.some_total_us != p.some_total_us ||
	    q.full_total_us != p.full_total_us)
		abort();
	return 0;
}
