// SPDX-License-Identifier: GPL-2.0
/* xballoon: dispatch, help and helpers shared by commands (xb_cmd_*.c). */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "xb_cli.h"
#include "xb_out.h"

void xb_print_help(FILE *f, const struct xb_cmd *c)
{
	fprintf(f, "Usage: xballoon %s %s\n\n%s.\n\n%s", c->name, c->usage,
		c->summary, c->help);
}

/*
 * With --json anywhere on the command line, a usage error is also a JSON
 * document on stdout ({"command","error":"usage","message","exit_code"}), so
 * a script parsing stdout never meets an empty or half document.
 */
static void json_usage(struct xb_cli *cli, const char *cmd, const char *msg)
{
	yajl_gen g = xb_json_new();

	if (!g)
		return;
	xb_json_open_doc(g, cmd);
	xb_json_str(g, "error", "usage");
	xb_json_str(g, "message", msg);
	xb_json_u64(g, "exit_code", XB_EXIT_USAGE);
	yajl_gen_map_close(g);
	xb_json_flush(g, cli->out);
	yajl_gen_free(g);
}

int xb_usage_error(struct xb_cli *cli, const char *cmd, const char *fmt, ...)
{
	const struct xb_cmd *c = xb_cmd_find(cmd);
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(cli->err, "xballoon %s: %s\n", cmd, msg);
	if (c)
		fprintf(cli->err, "Usage: xballoon %s %s\n", c->name, c->usage);
	if (cli->json)
		json_usage(cli, cmd, msg);
	return XB_EXIT_USAGE;
}

int xb_take_snapshot(struct xb_cli *cli, const char *cmd, struct xb_snapshot *snap)
{
	if (!xballoon_snapshot_take(cli->be, snap))
		return 0;
	fprintf(cli->err, "xballoon %s: cannot read domains: %s\n", cmd,
		strerror(errno));
	return -1;
}

int xb_parse_seconds(const char *s, uint64_t *ms_r)
{
	uint64_t whole = 0, frac = 0;
	const char *dot = strchr(s, '.');
	size_t wl = dot ? (size_t)(dot - s) : strlen(s);

	if (xballoon_xs_u64(s, wl, &whole) || whole > 86400 * 365)
		return -1;
	if (dot) {
		size_t fl = strlen(dot + 1);

		if (!fl || fl > 3 || xballoon_xs_u64(dot + 1, fl, &frac))
			return -1;
		while (fl++ < 3)
			frac *= 10;
	}
	*ms_r = whole * 1000 + frac;
	return 0;
}

static void list_commands(FILE *f)
{
	fprintf(f, "Usage: xballoon COMMAND [ARGS]\n\nCommands:\n");
	for (size_t i = 0; i < xb_cmdtable_len; i++)
		fprintf(f, "  %-9s %s\n", xb_cmdtable[i].name, xb_cmdtable[i].summary);
	fprintf(f, "\n'xballoon help COMMAND' shows a command's options.\n"
		"Sizes are MiB unless suffixed b/k/m/g/t, as in xl. Every command takes --json.\n");
}

int xb_cmd_help(struct xb_cli *cli, int argc, char **argv)
{
	const struct xb_cmd *c;

	if (argc < 2) {
		list_commands(cli->out);
		return 0;
	}
	c = xb_cmd_find(argv[1]);
	if (!c) {
		fprintf(cli->err, "xballoon help: unknown command '%s'\n", argv[1]);
		list_commands(cli->err);
		return XB_EXIT_USAGE;
	}
	xb_print_help(cli->out, c);
	return 0;
}

/* --json, -j, or -j among short flags (-jw); never a size such as -1g */
static bool json_flag(const char *a)
{
	if (!strcmp(a, "--json"))
		return true;
	if (a[0] != '-' || a[1] == '-' || !a[1])
		return false;
	for (const char *c = a + 1; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z')))
			return false;
	return strchr(a + 1, 'j') != NULL;
}

int xb_dispatch(struct xb_cli *cli, int argc, char **argv)
{
	const struct xb_cmd *c;

	if (argc < 1) {
		list_commands(cli->err);
		return XB_EXIT_USAGE;
	}
	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (json_flag(argv[i]))
			cli->json = true;
	c = xb_cmd_find(argv[0]);
	if (!c) {
		fprintf(cli->err, "xballoon: unknown command '%s'\n", argv[0]);
		list_commands(cli->err);
		if (cli->json)
			json_usage(cli, argv[0], "unknown command");
		return XB_EXIT_USAGE;
	}
	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			xb_print_help(cli->out, c);
			return 0;
		}
	}
	optind = 0;	/* glibc: reinitialise getopt for this command */
	opterr = 0;
	return c->fn(cli, argc, argv);
}

