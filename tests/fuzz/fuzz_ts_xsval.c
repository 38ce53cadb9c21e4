// SPDX-License-Identifier: GPL-2.0
/* xenstore values: the strict decimal reader against strtoull, and names. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "libxballoon.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	char buf[64], *copy, *end;
	unsigned long long ref;
	uint64_t v = 0;
	bool digits = size > 0 && size <= 20;

	for (size_t i = 0; digits && i < size; i++)
		digits = s[i] >= '0' && s[i] <= '9';
	copy = malloc(size + 1);
	memcpy(copy, data, size);
	copy[size] = '\0';
	errno = 0;
	ref = strtoull(copy, &end, 10);
	if (!xballoon_xs_u64(s, size, &v)) {
		/* accepted: only digits, and the same value strtoull gives */
		if (!digits || errno == ERANGE || *end || v != ref)
			abort();
	} else if (digits && errno != ERANGE) {
		abort();	/* rejected a plain in-range number */
	}
	free(copy);

	xballoon_xs_name(s, size, buf, sizeof(buf));
	if (strlen(buf) > sizeof(buf) - 1 || strlen(buf) > size)
		abort();
	for (size_t i = 0; buf[i]; i++)
		if (buf[i] < 0x20 || buf[i] >= 0x7f)
			abort();
	return 0;
}
