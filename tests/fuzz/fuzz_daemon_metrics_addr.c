// SPDX-License-Identifier: GPL-2.0
/*
 * xballoond --metrics IPv4:PORT with arbitrary bytes: it fails with a
 * message, or yields an IPv4 address and a port 1..65535.
 */
#include <arpa/inet.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), err[XBD_ERR_LEN];
	struct sockaddr_in sa;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	err[0] = '\0';
	if (xbd_metrics_parse_addr(s, &sa, err) == 0) {
		if (sa.sin_family != AF_INET || ntohs(sa.sin_port) == 0)
			abort();
	} else if (!err[0] || !memchr(err, '\0', sizeof(err))) {
		abort();
	}
	free(s);
	return 0;
}
