// SPDX-License-Identifier: GPL-2.0
#include <string.h>

#include "core_report_parse.h"

static const char *const rp_numeric[] = {
	"v", "seq", "target_kb", "balloon_kb", "current_kb", "floor_kb",
	"hard_limit_kb", "oom_deflates", "refusals", "mem_total_kb",
	"mem_avail_kb", "mem_free_kb", "cached_kb", "swap_in", "swap_out",
	"major_faults", "oom_kills",
};

static bool rp_is_numeric_name(const char *n)
{
	size_t i;

	for (i = 0; i < sizeof(rp_numeric) / sizeof(rp_numeric[0]); i++)
		if (!strcmp(n, rp_numeric[i]))
			return true;
	return false;
}

int rp_parse(const char *s, size_t len, struct rp_report *r)
{
	size_t i = 0;
	u64 v;

	memset(r, 0, sizeof(*r));
	if (len > XB_REPORT_MAX || len == 0)
		return -1;
	while (i < len) {
		struct rp_token *t;
		size_t nl = 0, vl = 0;
		bool digits = true, word = true;

		if (r->n == RP_MAX_TOKENS)
			return -1;
		t = &r->tok[r->n++];
		while (i < len && s[i] != '=' && s[i] != ' ') {
			char ch = s[i++];

			if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
			      ch == '_') || nl + 1 >= sizeof(t->name))
				return -1;
			t->name[nl++] = ch;
		}
		if (!nl || i >= len || s[i] != '=')
			return -1;
		i++;
		while (i < len && s[i] != ' ') {
			char ch = s[i++];

			if (vl + 1 >= sizeof(t->value))
				return -1;
			if (ch < '0' || ch > '9')
				digits = false;
			if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
			      ch == '-'))
				word = false;
			t->value[vl++] = ch;
		}
		if (!vl || !word)
			return -1;
		if (digits) {
			if (vl > 20 || xb_parse_kb(t->value, vl, &v))
				return -1;
			t->numeric = true;
			t->num = v;
		}
		if (rp_is_numeric_name(t->name) && !t->numeric)
			return -1;
		if (i < len) {	/* a single space, then another token */
			i++;
			if (i >= len || s[i] == ' ')
				return -1;
		}
	}
	if (rp_num(r, "v", &v) || v != 1)
		return -1;
	return 0;
}

int rp_num(const struct rp_report *r, const char *name, u64 *v)
{
	int i;

	for (i = 0; i < r->n; i++)
		if (!strcmp(r->tok[i].name, name) && r->tok[i].numeric) {
			*v = r->tok[i].num;
			return 0;
		}
	return -1;
}

const char *rp_str(const struct rp_report *r, const char *name)
{
	int i;

	for (i = 0; i < r->n; i++)
		if (!strcmp(r->tok[i].name, name))
			return r->tok[i].value;
	return NULL;
}
