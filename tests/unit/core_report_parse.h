/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A strict reader of the version-1 report, written from docs/xenstore-keys.md
 * alone, to check the driver's formatter against the contract (unit test and
 * fuzz round trip). The toolstack has its own reader.
 */
#ifndef CORE_REPORT_PARSE_H
#define CORE_REPORT_PARSE_H

#include <stddef.h>
#include "xb_core.h"

#define RP_MAX_TOKENS 64

struct rp_token {
	char name[32];
	char value[32];
	bool numeric;
	u64 num;
};

struct rp_report {
	int n;
	struct rp_token tok[RP_MAX_TOKENS];
};

/* 0 on success, -1 if the report breaks the contract. */
int rp_parse(const char *s, size_t len, struct rp_report *r);
/* Value of a numeric token, or -1 if missing. */
int rp_num(const struct rp_report *r, const char *name, u64 *v);
/* Value of a token as a string, or NULL. */
const char *rp_str(const struct rp_report *r, const char *name);

#endif
