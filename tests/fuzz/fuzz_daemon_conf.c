// SPDX-License-Identifier: GPL-2.0
/*
 * xballoond's parsers fed with arbitrary bytes: the config file (libinih)
 * and the policy keys. A parse either fails with a message or yields a
 * configuration the policy accepts; the keys yield a range with min <= max.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xbd_daemon_config c;
	char err[XBD_ERR_MAX];
	const char *s = (const char *)data;
	size_t a = size / 3, b = size / 3;
	struct xbd_dom d;

	xbd_daemon_config_default(&c);
	if (xbd_config_parse(s, size, &c, err) == 0) {
		if (xbd_config_check(&c.policy))
			abort();
	} else if (!memchr(err, '\0', sizeof(err)) || !err[0]) {
		abort();
	}
	memset(&d, 0, sizeof(d));
	if (!xbd_policy_keys(s, a, s + a, b, s + a + b, size - a - b, &d) &&
	    d.has_policy && (d.dyn_min_kb > d.dyn_max_kb || d.weight == 0 ||
			     d.weight > XBD_WEIGHT_MAX))
		abort();
	return 0;
}
