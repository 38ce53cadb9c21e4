// SPDX-License-Identifier: GPL-2.0
/*
 * xballoon mem-policy: the policy keys xballoond reads, written by dom0 under
 * the domain's memory/ (which the guest can read but not write):
 * memory/dynamic-min and memory/dynamic-max (KiB, squeezed's names) and
 * memory/xballoon-weight (1..1000).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xenstore.h>

#include "xb_cli.h"

#define CMD "mem-policy"
#define WEIGHT_MAX 1000

static int abs_size(struct xb_cli *cli, const char *opt, const char *s,
		    uint64_t *kb_r)
{
	struct xb_size sz;
	const char *why;

	if (xballoon_size_parse(s, strlen(s), &sz, &why) < 0)
		return xb_usage_error(cli, CMD, "%s %s: %s", opt, s, why);
	if (sz.kind != XB_SIZE_ABS)
		return xb_usage_error(cli, CMD, "%s %s: an absolute size is needed", opt, s);
	*kb_r = sz.kb;
	return 0;
}

/* Write (or with CLEAR remove) the three keys in one transaction. */
static int write_keys(struct xs_handle *xs, uint32_t domid, bool clear,
		      uint64_t min_kb, uint64_t max_kb, unsigned weight)
{
	static const char *const keys[] = {
		"memory/dynamic-min", "memory/dynamic-max", "memory/xballoon-weight",
	};
	uint64_t vals[] = { min_kb, max_kb, weight };

	for (int tries = 0; tries < XB_TXN_RETRIES; tries++) {
		xs_transaction_t t = xs_transaction_start(xs);
		bool ok = t != XBT_NULL;

		for (size_t i = 0; ok && i < 3; i++) {
			char path[96], val[24];

			snprintf(path, sizeof(path), "/local/domain/%" PRIu32 "/%s",
				 domid, keys[i]);
			snprintf(val, sizeof(val), "%" PRIu64, vals[i]);
			ok = clear ? (xs_rm(xs, t, path) || errno == ENOENT) :
			     xs_write(xs, t, path, val, strlen(val));
		}
		if (t == XBT_NULL)
			return -1;
		if (!ok) {
			int e = errno;

			xs_transaction_end(xs, t, true);
			errno = e;
			return -1;
		}
		if (xs_transaction_end(xs, t, false))
			return 0;
		if (errno != EAGAIN)
			return -1;
	}
	errno = EAGAIN;
	return -1;
}

int xb_cmd_mem_policy(struct xb_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "min", required_argument, NULL, 'm' },
		{ "max", required_argument, NULL, 'M' },
		{ "weight", required_argument, NULL, 'w' },
		{ "clear", no_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t min_kb = 0, max_kb = 0, w = 1;
	bool has_min = false, has_max = false, clear = false;
	struct xb_snapshot snap;
	const struct xb_domain *d;
	struct xs_handle *xs;
	int c, rc = 0;

	optind = 1;
	opterr = 0;
	while (!rc && (c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'm':
			rc = abs_size(cli, "--min", optarg, &min_kb);
			has_min = true;
			break;
		case 'M':
			rc = abs_size(cli, "--max", optarg, &max_kb);
			has_max = true;
			break;
		case 'w':
			if (xballoon_xs_u64(optarg, strlen(optarg), &w) < 0 || w == 0 ||
			    w > WEIGHT_MAX)
				rc = xb_usage_error(cli, CMD, "--weight %s: 1 to %d",
						    optarg, WEIGHT_MAX);
			break;
		case 'c':
			clear = true;
			break;
		default:
			rc = xb_usage_error(cli, CMD, "unknown option %s", argv[optind - 1]);
		}
	}
	if (rc)
		return rc;
	if (optind + 1 != argc)
		return xb_usage_error(cli, CMD, "one domain is needed");
	if (!clear && (!has_min || !has_max))
		return xb_usage_error(cli, CMD, "--min and --max are needed (or --clear)");
	if (clear && (has_min || has_max))
		return xb_usage_error(cli, CMD, "--clear takes no sizes");
	if (!clear && min_kb > max_kb)
		return xb_usage_error(cli, CMD, "--min is above --max");
	if (xb_take_snapshot(cli, CMD, &snap))
		return XB_EXIT_ERROR;
	d = xballoon_snapshot_lookup(&snap, argv[optind]);
	if (!d) {
		fprintf(cli->err, "xballoon %s: %s: no such domain\n", CMD, argv[optind]);
		rc = XB_EXIT_ERROR;
	} else if (!clear && d->has_static_max && max_kb > d->static_max_kb) {
		fprintf(cli->err, "xballoon %s: --max is above static-max (%" PRIu64
			" KiB)\n", CMD, d->static_max_kb);
		rc = XB_EXIT_ERROR;
	} else if (!clear && min_kb < (d->xen.domid ? XB_DOMU_MIN_KB : XB_DOM0_MIN_KB)) {
		fprintf(cli->err, "xballoon %s: --min is below %u MiB\n", CMD,
			(d->xen.domid ? XB_DOMU_MIN_KB : XB_DOM0_MIN_KB) / 1024);
		rc = XB_EXIT_ERROR;
	}
	xs = xballoon_backend_xs_handle(cli->be);
	if (!rc && !xs) {
		fprintf(cli->err, "xballoon %s: no xenstore connection\n", CMD);
		rc = XB_EXIT_ERROR;
	}
	if (!rc && write_keys(xs, d->xen.domid, clear, min_kb, max_kb, (unsigned)w)) {
		fprintf(cli->err, "xballoon %s: cannot write the policy keys: %s\n",
			CMD, strerror(errno));
		rc = XB_EXIT_ERROR;
	}
	if (!rc && clear)
		fprintf(cli->out, "%s(%" PRIu32 "): policy cleared (xballoond leaves it alone)\n",
			d->name, d->xen.domid);
	else if (!rc)
		fprintf(cli->out, "%s(%" PRIu32 "): dynamic-min %" PRIu64 " KiB, dynamic-max %"
			PRIu64 " KiB, weight %" PRIu64 "\n", d->name, d->xen.domid,
			min_kb, max_kb, w);
	xballoon_snapshot_free(&snap);
	return rc;
}
