/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xballoond's configuration (/etc/xballoon/xballoond.conf, INI, read with
 * libinih) and the dom0-written policy keys of a domain. Both parsers take
 * untrusted text and never crash: a bad value is an error with a message.
 */
#ifndef XBD_CONFIG_H
#define XBD_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "policy.h"

#define XBD_CONF_PATH "/etc/xballoon/xballoond.conf"
#define XBD_ERR_MAX 256

/* What the daemon loop needs beyond the policy. */
struct xbd_daemon_config {
	struct xbd_config policy;
	uint64_t resample_ms;		/* safety resample period */
};

void xbd_daemon_config_default(struct xbd_daemon_config *c);

/*
 * Parse TEXT (LEN bytes) over the defaults in *C. Returns 0, or -1 with a
 * message naming the line and key in ERR (XBD_ERR_MAX bytes); *C is then
 * unspecified: parse into a copy and keep the old one on failure.
 */
int xbd_config_parse(const char *text, size_t len, struct xbd_daemon_config *c,
		     char *err);
/* The same from a file; a missing file is an error too (ENOENT in ERR). */
int xbd_config_load(const char *path, struct xbd_daemon_config *c, char *err);

/* Policy keys under memory/ (KiB decimal; weight 1..1000). */
#define XBD_KEY_DYN_MIN "memory/dynamic-min"
#define XBD_KEY_DYN_MAX "memory/dynamic-max"
#define XBD_KEY_WEIGHT "memory/xballoon-weight"
#define XBD_KEY_UNCOOP "memory/uncooperative"
#define XBD_WEIGHT_MAX 1000u

/*
 * The three keys as read (NULL = absent) into D: has_policy is set when
 * dynamic-min and dynamic-max are valid and min <= max; the weight
 * defaults to 1 when absent. Returns NULL, or a static reason when keys
 * are present but unusable (D is then left without policy).
 */
const char *xbd_policy_keys(const char *min, size_t min_len, const char *max,
			    size_t max_len, const char *weight, size_t weight_len,
			    struct xbd_dom *d);

#endif
