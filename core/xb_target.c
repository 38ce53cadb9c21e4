// SPDX-License-Identifier: GPL-2.0
/*
 * xballoon core: parsing of memory/target and friends (untrusted input from
 * xenstore). Accepts a decimal number of KiB, nothing else: no sign, no
 * spaces, no suffix, no leading zeros beyond a single "0", at most 20 digits
 * and no more than fits in 64 bits.
 * One trailing newline is tolerated (some writers add it).
 */
#include "xb_core.h"

int xb_parse_kb(const char *s, size_t len, u64 *kb_r)
{
	bool overflow = false;
	u64 v = 0;
	size_t i;

	if (!s)
		return -XB_EINVAL;
	/* xenstore values are not NUL-terminated by contract: stop at NUL */
	for (i = 0; i < len; i++)
		if (s[i] == '\0')
			break;
	len = i;
	if (len && s[len - 1] == '\n')
		len--;
	if (len == 0)
		return -XB_EINVAL;
	if (len > 1 && s[0] == '0')
		return -XB_EINVAL;
	for (i = 0; i < len; i++) {
		unsigned int d;

		if (s[i] < '0' || s[i] > '9')
			return -XB_EINVAL;
		d = (unsigned int)(s[i] - '0');
		if (v > (XB_U64_MAX - d) / 10)
			overflow = true;
		else
			v = v * 10 + d;
	}
	if (overflow || len > XB_TARGET_MAX_DIGITS)
		return -XB_ERANGE;
	*kb_r = v;
	return 0;
}
