#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make bench report: the toolstack section of docs/performance.md, from the
# XB-BENCH toolstack= lines of a serial log (bench/toolstack-bench.sh).
set -euo pipefail
log=$1
field() { grep -o "$1=[^ ]*" | head -1 | cut -d= -f2-; }
echo "## Toolstack: \`xballoon list\` against \`xl list\`, and \`xballoon watch\` under a flood"
echo
if ! grep -q 'XB-BENCH toolstack=' "$log"; then
	echo "No toolstack measurements in this run."
	exit 0
fi
echo "Mean wall time per call, ${BENCH_REPS:-20} calls each, PV guests of 128 MiB plus dom0."
echo "\`xballoon list\` reads, besides what \`xl list\` reads, every domain's target,"
echo "static-max and driver report, and the host's physinfo."
echo
echo "Median of 5 rounds (BENCH_ROUNDS) of 10 calls each (BENCH_REPS), the order of the"
echo "variants reversed every other round; range of the round means in brackets."
echo "The libxenstore column is the same binary with XBALLOON_XS_BATCH=0: plain libxenstore"
echo "reads instead of pipelined reads on its own xenstored connection."
echo
echo '| domUs | xl list (ms) | xballoon list (ms) | xballoon, libxenstore (ms) | --json (ms) | xballoon / xl | start-up / open / command (ms) | xballoon help (ms) | xl help (ms) |'
echo "|---:|---:|---:|---:|---:|---:|---|---:|---:|"
grep -o 'XB-BENCH toolstack=list.*' "$log" | tr -d '\r' | while read -r l; do
	n=$(field domus <<<"$l"); a=$(field xl_ms <<<"$l"); b=$(field xb_ms <<<"$l")
	r=$(awk -v a="$a" -v b="$b" 'BEGIN { if (a > 0) printf "%.2f", b / a; else print "-" }')
	echo "| $n | $a [$(field xl_spread <<<"$l")] | $b [$(field xb_spread <<<"$l")] |" \
		"$(field libxs_ms <<<"$l") [$(field libxs_spread <<<"$l")] | $(field json_ms <<<"$l") | $r |" \
		"$(field exec_ms <<<"$l") / $(field open_ms <<<"$l") / $(field cmd_ms <<<"$l") |" \
		"$(field help_ms <<<"$l") | $(field xlhelp_ms <<<"$l") |"
done
echo
echo "Inside the command: the snapshot's parts (XBALLOON_TIMING), mean of 10 calls:"
echo "Xen's domain list, physinfo, the dom0-owned keys (one transaction, pipelined"
echo "on one connection) and the reports (pipelined, outside the transaction)."
echo "xenstored answers one request per pass of its main loop, so the keys and"
echo "reports cost about the same per request however they are sent."
echo
echo '| domUs | domain list (ms) | physinfo (ms) | keys (ms) | keys read | reports (ms) | reports read | ms per xenstore read |'
echo "|---:|---:|---:|---:|---:|---:|---:|---:|"
grep -o 'XB-BENCH toolstack=list.*' "$log" | tr -d '\r' | grep 'snap_keys_ms=' | while read -r l; do
	k=$(field snap_keys_ms <<<"$l"); r=$(field snap_reports_ms <<<"$l")
	nk=$(field keys <<<"$l"); nr=$(field reports <<<"$l")
	per=$(awk -v a="$k" -v b="$r" -v c="$nk" -v d="$nr" 'BEGIN { if (c + d > 0) printf "%.2f", (a + b) / (c + d); else print "-" }')
	echo "| $(field domus <<<"$l") | $(field snap_list_ms <<<"$l") | $(field snap_host_ms <<<"$l") |" \
		"$k | $nk | $r | $nr | $per |"
done
echo
echo "\`xballoon watch --json\`, measured from dom0's /proc over the window; in the"
echo "flood a guest rewrites its own \`data/xballoon/report\` in a shell loop."
echo
echo "| load | seconds | guest writes | watch CPU (% of one CPU) | watch RSS (KiB) | events printed |"
echo "|---|---:|---:|---:|---|---:|"
grep -o 'XB-BENCH toolstack=watch.*' "$log" | tr -d '\r' | while read -r l; do
	echo "| $(field load <<<"$l") | $(field secs <<<"$l") | $(field writes <<<"$l") |" \
		"$(field cpu_pct <<<"$l") | $(field rss_kb <<<"$l") | $(field events <<<"$l") |"
done
