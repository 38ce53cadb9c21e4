// SPDX-License-Identifier: GPL-2.0
/* The driver's side of the report contract: core/xb_report.c formats. */
#include <string.h>

#include "xb_core.h"
#include "ts_report_core.h"

unsigned trc_nstates(void)
{
	return XB_STATE_COUNT;
}

unsigned trc_nerrors(void)
{
	return XB_ERR_COUNT;
}

int trc_format(unsigned state, unsigned err, uint64_t seed, bool with_mi,
	       char *buf, size_t size, struct trc_expect *exp)
{
	struct xb_config cfg = { .initial_pages = 262144 };
	struct xb_meminfo mi;
	struct xb_core c;

	xb_core_init(&c, &cfg);
	/* distinct values per field, so a field read as another one shows */
	c.state = (enum xb_state)state;
	c.last_error = (enum xb_err)err;
	c.target_pages = 1000 + seed;
	c.balloon_pages = 2000 + seed;
	c.floor_pages = 3000 + seed;
	c.hard_limit_pages = 4000 + seed;
	c.cnt.oom_deflates = 5 + seed;
	c.cnt.refusals = 6 + seed;
	memset(&mi, 0, sizeof(mi));
	mi.mem_total_kb = 70000 + seed;
	mi.mem_avail_kb = 71000 + seed;
	mi.mem_free_kb = 72000 + seed;
	mi.cached_kb = 73000 + seed;
	mi.swap_in = 74 + seed;
	mi.swap_out = 75 + seed;
	mi.major_faults = 76 + seed;
	mi.oom_kills = 77 + seed;

	memset(exp, 0, sizeof(*exp));
	exp->seq = 99 + seed;
	exp->target_kb = c.target_pages * 4;
	exp->balloon_kb = c.balloon_pages * 4;
	exp->current_kb = xb_core_current_pages(&c) * 4;
	exp->floor_kb = c.floor_pages * 4;
	exp->hard_limit_kb = c.hard_limit_pages * 4;
	exp->oom_deflates = c.cnt.oom_deflates;
	exp->refusals = c.cnt.refusals;
	if (with_mi) {
		exp->mem_total_kb = mi.mem_total_kb;
		exp->mem_avail_kb = mi.mem_avail_kb;
		exp->mem_free_kb = mi.mem_free_kb;
		exp->cached_kb = mi.cached_kb;
		exp->swap_in = mi.swap_in;
		exp->swap_out = mi.swap_out;
		exp->major_faults = mi.major_faults;
		exp->oom_kills = mi.oom_kills;
	}
	exp->state = xb_state_name(c.state);
	exp->last_error = xb_err_name(c.last_error);
	return xb_report_format(&c, with_mi ? &mi : NULL, exp->seq, buf, size);
}
