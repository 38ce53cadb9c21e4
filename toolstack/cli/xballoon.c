// SPDX-License-Identifier: GPL-2.0
/* xballoon: main(). Opens the real backend and dispatches (xb_cli.c). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "xb_cli.h"

static volatile int stop_flag;

static void on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

int main(int argc, char **argv)
{
	struct xb_cli cli = { .out = stdout, .err = stderr, .stop = &stop_flag };
	const struct xb_cmd *c;
	struct sigaction sa;
	int rc;

	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		char help[] = "help";
		char *hv[] = { help, NULL };

		cli.out = argc < 2 ? stderr : stdout;
		xb_cmd_help(&cli, 1, hv);
		return argc < 2 ? XB_EXIT_USAGE : 0;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		printf("xballoon %s\n", XB_VERSION);
		return 0;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	cli.tty = isatty(STDERR_FILENO);
	c = xb_cmd_find(argv[1]);
	if (c && c->needs_backend) {
		int only_help = 0;

		for (int i = 2; i < argc; i++)
			only_help |= !strcmp(argv[i], "-h") || !strcmp(argv[i], "--help");
		if (!only_help) {
			cli.be = xb_backend_xen_open();
			if (!cli.be) {
				fprintf(stderr, "xballoon: cannot open Xen (libxenctrl/xenstore): %s\n"
					"xballoon: run it in dom0, as root\n", strerror(errno));
				return XB_EXIT_ERROR;
			}
		}
	}
	rc = xb_dispatch(&cli, argc - 1, argv + 1);
	if (cli.be)
		xb_backend_close(cli.be);
	if (fflush(stdout) && rc == 0)
		rc = XB_EXIT_ERROR;
	return rc;
}
