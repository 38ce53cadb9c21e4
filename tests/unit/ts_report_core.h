/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The driver's side of the report contract for test_ts_report: formats a
 * report with core/xb_report.c. Kept in its own file because core/xb_core.h
 * and libxballoon.h are the two sides of the contract and share names.
 */
#ifndef TS_REPORT_CORE_H
#define TS_REPORT_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct trc_expect {
	uint64_t seq, target_kb, balloon_kb, current_kb, floor_kb, hard_limit_kb;
	uint64_t oom_deflates, refusals;
	uint64_t mem_total_kb, mem_avail_kb, mem_free_kb, cached_kb;
	uint64_t swap_in, swap_out, major_faults, oom_kills;
	const char *state, *last_error;
};

unsigned trc_nstates(void);
unsigned trc_nerrors(void);
/*
 * Format a report in state STATE with error ERR, numbers derived from SEED,
 * with meminfo when WITH_MI. Returns its length (or -1); EXP gets what was
 * written.
 */
int trc_format(unsigned state, unsigned err, uint64_t seed, bool with_mi,
	       char *buf, size_t size, struct trc_expect *exp);

#endif
