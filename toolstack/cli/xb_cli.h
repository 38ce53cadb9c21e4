/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The xballoon command line: one file per command family (xb_cmd_*.c) and one
 * table of commands with their help (xb_cmdtable.c), as xl does.
 */
#ifndef XB_CLI_H
#define XB_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "libxballoon.h"
#include "xb_out.h"

#define XB_VERSION "1.0"

struct xb_cli {
	struct xb_backend *be;		/* opened before a command that needs it */
	FILE *out, *err;
	bool tty;			/* err is a terminal: progress bar, else lines */
	volatile int *stop;		/* set by SIGINT/SIGTERM (watch) */
	bool json;			/* --json given: usage errors as JSON too */
};

typedef int (*xb_cmd_fn)(struct xb_cli *cli, int argc, char **argv);

struct xb_cmd {
	const char *name;
	xb_cmd_fn fn;
	bool needs_backend;
	const char *summary;
	const char *usage;
	const char *help;
};

extern const struct xb_cmd xb_cmdtable[];
extern const size_t xb_cmdtable_len;

const struct xb_cmd *xb_cmd_find(const char *name);

/* Run argv[0] as a command (argv[0] is the command name). */
int xb_dispatch(struct xb_cli *cli, int argc, char **argv);

/* Print "xballoon CMD: message" and the usage; returns XB_EXIT_USAGE. */
int xb_usage_error(struct xb_cli *cli, const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void xb_print_help(FILE *f, const struct xb_cmd *c);

/* Shared helpers for commands. */
int xb_take_snapshot(struct xb_cli *cli, const char *cmd, struct xb_snapshot *snap);
/* Seconds (digits, optional fraction of up to 3 decimals) to ms; -1 if bad. */
int xb_parse_seconds(const char *s, uint64_t *ms_r);

int xb_cmd_list(struct xb_cli *cli, int argc, char **argv);
int xb_cmd_info(struct xb_cli *cli, int argc, char **argv);
int xb_cmd_mem_set(struct xb_cli *cli, int argc, char **argv);
int xb_cmd_mem_max(struct xb_cli *cli, int argc, char **argv);
int xb_cmd_wait(struct xb_cli *cli, int argc, char **argv);
int xb_cmd_watch(struct xb_cli *cli, int argc, char **argv);
int xb_cmd_mem_policy(struct xb_cli *cli, int argc, char **argv);
int xb_cmd_daemon_status(struct xb_cli *cli, int argc, char **argv);
int xb_cmd_reserve(struct xb_cli *cli, int argc, char **argv);
int xb_cmd_release(struct xb_cli *cli, int argc, char **argv);
int xb_cmd_create(struct xb_cli *cli, int argc, char **argv);
int xb_cmd_help(struct xb_cli *cli, int argc, char **argv);

#endif
