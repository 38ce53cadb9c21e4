// SPDX-License-Identifier: GPL-2.0
/* xballoon: main(). Opens the real backend and dispatches (xb_cli.c). */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "xb_cli.h"

static volatile int stop_flag;

static void on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* Microseconds since the process was started (exec, loading, libraries). */
static double process_age_us(void)
{
	unsigned long long start = 0;
	char buf[1024], *p;
	struct timespec up;
	FILE *f = fopen("/proc/self/stat", "r");
	size_t n;

	if (!f)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')');
	/* field 22 (starttime, clock ticks since boot); ')' ends field 2 */
	for (int field = 2; p && field < 22; field++)
		p = strchr(p + 1, ' ');
	if (!p || sscanf(p + 1, "%llu", &start) != 1)
		return 0;
	clock_gettime(CLOCK_BOOTTIME, &up);
	return (up.tv_sec + up.tv_nsec / 1e9 - (double)start / sysconf(_SC_CLK_TCK)) * 1e6;
}

int main(int argc, char **argv)
{
	struct xb_cli cli = { .out = stdout, .err = stderr, .stop = &stop_flag };
	double main_us = process_age_us();
	uint64_t t_main = now_us(), t_open, t_cmd;
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
			cli.be = xballoon_backend_xen_open();
			if (!cli.be) {
				fprintf(stderr, "xballoon: cannot open Xen (libxenctrl/xenstore): %s\n"
					"xballoon: run it in dom0, as root\n", strerror(errno));
				return XB_EXIT_ERROR;
			}
		}
	}
	t_open = now_us();
	rc = xb_dispatch(&cli, argc - 1, argv + 1);
	t_cmd = now_us();
	if (cli.be)
		xballoon_backend_close(cli.be);
	/* XBALLOON_TIMING=1: where a command's time goes (make bench) */
	if (getenv("XBALLOON_TIMING"))
		fprintf(stderr, "xballoon timing: exec-to-main %.1f ms, open %.1f ms, "
			"command %.1f ms, close %.1f ms\n", main_us / 1000.0,
			(t_open - t_main) / 1000.0, (t_cmd - t_open) / 1000.0,
			(now_us() - t_cmd) / 1000.0);
	if (fflush(stdout) && rc == 0)
		rc = XB_EXIT_ERROR;
	return rc;
}
