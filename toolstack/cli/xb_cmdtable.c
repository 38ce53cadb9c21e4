// SPDX-License-Identifier: GPL-2.0
/* The one table of xballoon commands. Adding a command = one row here. */
#include <string.h>

#include "xb_cli.h"

const struct xb_cmd xb_cmdtable[] = {
	{ "list", xb_cmd_list, true,
	  "Show every domain's memory, the driver's report and a derived state",
	  "[--json | --prometheus] [DOM...]",
	  "  DOM                domain id or name (default: all domains)\n"
	  "  -j, --json         one JSON document (see docs/operator-guide.md)\n"
	  "  -p, --prometheus   Prometheus text exposition format\n"
	  "Columns are MiB. Reclaimed = static-max - actual. Borrow = actual -\n"
	  "target (what the guest took back on its own, on OOM); Headroom = maxmem\n"
	  "- target (how far it may: xballoond's [borrow] headroom). Range =\n"
	  "memory/dynamic-min-dynamic-max (xballoon mem-policy). State is one of\n"
	  "at-target, converging, stuck, refused, at-floor, no-driver. A domain\n"
	  "named more than once is listed once.\n" },
	{ "mem-set", xb_cmd_mem_set, true,
	  "Set the balloon target of one or more domains (all or nothing)",
	  "[--json] [--keep-maxmem] [--wait [--timeout S] [--stuck S] [--interval S]]\n"
	  "       {DOM... | --all [--include-no-driver]} SIZE",
	  "  SIZE               whole MiB by default, as xl (512 = 512 MiB); suffixes\n"
	  "                     b, k, m, g, t; no fractions (1536m, not 1.5g)\n"
	  "                     +SIZE / -SIZE relative to the current target, same\n"
	  "                     unit (+512 = 512 MiB more, -1 = 1 MiB less)\n"
	  "                     N% a percentage of static-max; +N% / -N% relative\n"
	  "  -a, --all          every running domU that has shown a balloon driver\n"
	  "                     (a report, or a target followed before); the\n"
	  "                     selection is printed first. Never dom0: name it (0)\n"
	  "      --include-no-driver  with --all: every running domU\n"
	  "  -w, --wait         wait for the targets; progress on stderr\n"
	  "  -t, --timeout S    give up waiting after S seconds (default 60)\n"
	  "      --stuck S      Xen shows no progress for S seconds: the wait ends\n"
	  "                     for that domain (stuck, refused, at-floor or\n"
	  "                     no-driver; the reason is the guest's) (default 10)\n"
	  "      --interval S   seconds between samples while waiting (default 1,\n"
	  "                     at least 0.05)\n"
	  "  -j, --json         one JSON document with changes and outcome\n"
	  "      --keep-maxmem  leave Xen's maxmem at static-max (+1 MiB) instead of\n"
	  "                     target + 1 MiB (xl's way), so a balloon driver can\n"
	  "                     take memory back when its guest runs short\n"
	  "Every domain is validated first; if one is rejected nothing changes.\n"
	  "If a change fails, every domain changed is put back exactly (maxmem,\n"
	  "PoD target, memory/target); what could not be is reported.\n"
	  "Exit: 0 reached (or set), 1 rejected/error, 2 usage, 3 timed out,\n"
	  "4 stuck, 5 refused, 6 no driver, 7 at the driver's floor, 8 a domain\n"
	  "went away during the wait (the others were waited for).\n" },
	{ "mem-max", xb_cmd_mem_max, true,
	  "Set the static maximum of one or more domains (all or nothing)",
	  "[--json] {DOM... | --all [--include-no-driver]} SIZE",
	  "  SIZE               as for mem-set; relative and % are of static-max\n"
	  "  --all, --include-no-driver  as for mem-set\n"
	  "Sets Xen's maxmem to SIZE + 1 MiB slack and memory/static-max, as\n"
	  "xl mem-max does. A maximum below the current target is rejected.\n" },
	{ "wait", xb_cmd_wait, true,
	  "Wait until domains reach their current targets",
	  "[--json] [--timeout S] [--stuck S] [--interval S] {DOM... | --all [--include-no-driver]}",
	  "  Options and exit codes as for mem-set --wait.\n" },
	{ "info", xb_cmd_info, true,
	  "Host total and free memory and the sum reclaimed",
	  "[--json]",
	  "  Free is Xen's free memory minus outstanding claims (as xl info).\n" },
	{ "watch", xb_cmd_watch, true,
	  "Stream memory events for all domains",
	  "[--json] [--duration S] [--interval S] [--rate S] [--stuck S]",
	  "  Events: domain-new, domain-gone, target, report, state, resync,\n"
	  "  reconnect.\n"
	  "  -j, --json         one JSON object per line\n"
	  "  -d, --duration S   stop after S seconds (default, or 0: until SIGINT/SIGTERM)\n"
	  "  -i, --interval S   seconds between samples of Xen's numbers (default 1,\n"
	  "                     at least 0.05)\n"
	  "  -r, --rate S       at most one re-read per S seconds after xenstore\n"
	  "                     events (default 0.2): bursts are coalesced\n"
	  "  -s, --stuck S      no progress for S seconds: stuck/no-driver (default 10)\n" },
	{ "mem-policy", xb_cmd_mem_policy, true,
	  "Set the range and weight xballoond balances a domain within",
	  "DOM {--min SIZE --max SIZE [--weight N] | --clear}",
	  "  --min SIZE         memory/dynamic-min: xballoond never goes below it\n"
	  "  --max SIZE         memory/dynamic-max: nor above it (at most static-max)\n"
	  "                     SIZE as for mem-set, absolute only (512 = 512 MiB)\n"
	  "  --weight N         memory/xballoon-weight, 1..1000 (default 1): share of\n"
	  "                     free memory, and who shrinks last when short\n"
	  "  --clear            remove the keys: xballoond leaves the domain alone\n"
	  "The keys are written by dom0 under memory/, which the guest can read but\n"
	  "not write (docs/xenstore-keys.md).\n" },
	{ "daemon-status", xb_cmd_daemon_status, false,
	  "Show what the balancing daemon xballoond is doing",
	  "[--json] [--run-dir DIR]",
	  "  -j, --json         one JSON document (docs/schema/daemon-status.schema.json)\n"
	  "  -r, --run-dir DIR  the daemon's run directory (default /run/xballoon)\n"
	  "Per domain: target, actual, need, margin, borrow (Xen's memory above the\n"
	  "target), headroom (maxmem - target), PSI, the policy's reason and the\n"
	  "daemon's last change. From the status file the daemon writes after each\n"
	  "decision; running or not is its lock, so a killed daemon shows as not\n"
	  "running with its last status.\n"
	  "Exit: 0 running, 1 not running (or no status).\n" },
	{ "reserve", xb_cmd_reserve, true,
	  "Free host memory from guests and hold it with a Xen claim",
	  "[--json] [--timeout S] [--hold S] [--interval S] SIZE",
	  "  SIZE               absolute, as for mem-set (1g, 1024 = 1 GiB)\n"
	  "  -t, --timeout S    give up finding the memory after S seconds (default 60)\n"
	  "      --hold S       a held reservation not released within S seconds is\n"
	  "                     released by xballoond or the next reserve/list\n"
	  "                     (default 600)\n"
	  "      --interval S   seconds between claim attempts (default 0.2)\n"
	  "  -j, --json         one JSON document\n"
	  "Who gives: xballoond's policy when it runs; else this command lowers the\n"
	  "targets of domains with policy keys (mem-policy), lowest weight first,\n"
	  "never below max(dynamic-min, need). Prints the reservation ID when Xen's\n"
	  "free memory (free - outstanding claims) holds SIZE and a claim holds it.\n"
	  "Exit: 0 held, 1 error, 2 usage, 9 not found in time (every target put\n"
	  "back; how much was found and who held back on stderr).\n" },
	{ "release", xb_cmd_release, true,
	  "Give a reservation's memory back",
	  "ID",
	  "  Drops the claim and its placeholder domain. Targets lowered for it stay\n"
	  "  as they are (xballoond hands the memory out again).\n" },
	{ "create", xb_cmd_create, true,
	  "Reserve a domain's memory, then xl create it into the reservation",
	  "[--timeout S] [--hold S] [--size SIZE | --reservation ID] CONFIG [xl create options]",
	  "  CONFIG             an xl config; memory = N (MiB) + 32 MiB is reserved\n"
	  "  -s, --size SIZE    reserve SIZE instead\n"
	  "  -r, --reservation ID  build into a reservation already held (reserve)\n"
	  "  -t, --timeout S, --hold S  as for reserve\n"
	  "The claim is dropped just before xl create runs (libxl claims for the new\n"
	  "domain itself); the reservation is released when xl create ends, on every\n"
	  "exit path (SIGINT, SIGTERM and SIGHUP are passed to xl first); if xl\n"
	  "create fails, the targets lowered for it are put back.\n"
	  "Exit: 0 created, 1 error or xl create failed, 2 usage, 9 as for reserve.\n" },
	{ "help", xb_cmd_help, false,
	  "Show the commands, or one command's help",
	  "[CMD]", "" },
};

const size_t xb_cmdtable_len = sizeof(xb_cmdtable) / sizeof(xb_cmdtable[0]);

const struct xb_cmd *xb_cmd_find(const char *name)
{
	for (size_t i = 0; name && i < xb_cmdtable_len; i++)
		if (!strcmp(xb_cmdtable[i].name, name))
			return &xb_cmdtable[i];
	return NULL;
}
