// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz the report round trip: arbitrary core and meminfo contents are
 * formatted; the result must fit, follow the version-1 contract and read
 * back to the same numbers.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xb_core.h"
#include "core_report_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void expect(const struct rp_report *r, const char *name, u64 want)
{
	u64 v;

	if (rp_num(r, name, &v) || v != want)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char buf[XB_REPORT_MAX + 1];
	struct xb_meminfo mi;
	struct rp_report r;
	struct xb_core c;
	u64 seq = 0;
	int len;

	memset(&c, 0, sizeof(c));
	memset(&mi, 0, sizeof(mi));
	memcpy(&c, data, size < sizeof(c) ? size : sizeof(c));
	if (size > sizeof(c))
		memcpy(&mi, data + sizeof(c),
		       size - sizeof(c) < sizeof(mi) ? size - sizeof(c) :
		       sizeof(mi));
	if (size > sizeof(c) + sizeof(mi))
		memcpy(&seq, data + sizeof(c) + sizeof(mi),
		       size - sizeof(c) - sizeof(mi) < sizeof(seq) ?
		       size - sizeof(c) - sizeof(mi) : sizeof(seq));
	{
		/* raw bytes are no bool: keep one bit of them */
		unsigned char vb;

		memcpy(&vb, &mi.psi.valid, 1);
		mi.psi.valid = vb & 1;
	}
	len = xb_report_format(&c, &mi, seq, buf, sizeof(buf));
	if (len < 0 || len > XB_REPORT_MAX || (size_t)len != strlen(buf))
		abort();
	if (rp_parse(buf, (size_t)len, &r))
		abort();
	expect(&r, "seq", seq);
	expect(&r, "balloon_kb", xb_pages_to_kb(c.balloon_pages));
	expect(&r, "target_kb", xb_pages_to_kb(c.target_pages));
	expect(&r, "current_kb", xb_pages_to_kb(c.total_pages - c.balloon_pages));
	expect(&r, "mem_avail_kb", mi.mem_avail_kb);
	expect(&r, "oom_kills", mi.oom_kills);
	if (mi.psi.valid) {
		expect(&r, "psi_some_avg10_milli", mi.psi.some_avg10_milli);
		expect(&r, "psi_full_total_us", mi.psi.full_total_us);
	} else if (!rp_num(&r, "psi_some_total_us", &seq)) {
		abort();	/* PSI tokens without a sample */
	}
	if (strcmp(rp_str(&r, "mode"), xb_mode_name(c.mode)))
		abort();
	if (strcmp(rp_str(&r, "state"), xb_state_name(c.state)) ||
	    strcmp(rp_str(&r, "last_error"), xb_err_name(c.last_error)))
		abort();
	return 0;
}
