#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Markdown section from daemon-bench.sh's XB-BENCH lines: latency from a
# guest's first PSI stall or OOM deflate (as its report shows them in dom0)
# to the raised target, and the daemon's CPU and RSS.
set -euo pipefail
log=$1
echo "## xballoond: lending latency, CPU and memory"
echo
echo "Two xballoon guests, nothing free beyond the reserve; the borrower writes its"
echo "available memory, plus the 64 MiB headroom, plus up to 96 MiB more (never more"
echo "than the donor holds above its need) to a tmpfs in one go"
echo "(bench/daemon-bench.sh). \`xlab-xs stamp\` in dom0 (the keys read every 10 ms,"
echo "a line per change) stamps the borrower's reports and targets: the figures run"
echo "from the report that shows the stall (or deflate) to the raised target."
echo
lines=$(grep -a "XB-BENCH daemon=borrow " "$log" | tr -d '\r' || true)
if [ -z "$lines" ]; then
	echo "(no daemon-bench lines in this run)"
	exit 0
fi
done_lines=$(echo "$lines" | grep -v 'skipped=1' || true)
echo "| from | rounds seen | median s | min s | worst s |"
echo "|---|---:|---:|---:|---:|"
for what in stall deflate; do
	echo "$done_lines" | awk -v w="$what" 'NF {
		for (i = 1; i <= NF; i++) { split($i, a, "="); v[a[1]] = a[2] }
		s = v[w "_ms"]; r = v["raise_ms"]
		if (s != "-" && s != "" && r != "-" && r != "") print (r > s ? r - s : 0) / 1000
	}' | sort -n | awk -v w="$what" '{ x[NR] = $1 }
	END { name = (w == "stall") ? "first PSI stall" : "first OOM deflate"
	      if (!NR) { printf "| %s | 0 | | | |\n", name; exit }
	      m = NR % 2 ? x[(NR + 1) / 2] : (x[NR / 2] + x[NR / 2 + 1]) / 2
	      printf "| %s | %d | %.2f | %.2f | %.2f |\n", name, NR, m, x[1], x[NR] }'
done
n=$(echo "$lines" | wc -l)
skipped=$(echo "$lines" | grep -c 'skipped=1' || true)
raised=$(echo "$done_lines" | grep -c 'raise_ms=[0-9]' || true)
kills=$(echo "$done_lines" | sed -n 's/.*oom_kills=\([0-9-]*\).*/\1/p' | awk '{ s += $1 } END { print s + 0 }')
echo
echo "Rounds: $n ($skipped skipped: the donor held nothing above its need); target"
echo "raised in $raised; OOM kills in the borrower over all rounds: $kills. A raise seen"
echo "before the stall or deflate counts as 0 s."
echo
echo "Where the daemon's part went, per round, from its audit line of the first"
echo "raise (ms): from the xenstore event to the write (lag), of which waiting for"
echo "the pass (wait), the snapshot of Xen and the domains' keys, the other reads"
echo "(policy keys, reservations), and the rest (the changes made before it in the"
echo "same pass: the donor's, decreases first); and from the stall report to the"
echo "raised target as stamped (end to end)."
echo
echo "| round | end to end | lag | wait | snapshot | reads | rest | reason |"
echo "|---:|---:|---:|---:|---:|---:|---:|---|"
echo "$done_lines" | awk 'NF {
	delete v
	for (i = 1; i <= NF; i++) { split($i, a, "="); v[a[1]] = a[2] }
	e2e = (v["stall_ms"] ~ /^[0-9]+$/ && v["raise_ms"] ~ /^[0-9]+$/) ? v["raise_ms"] - v["stall_ms"] : "-"
	rest = (v["lag_ms"] ~ /^[0-9]+$/) ? v["lag_ms"] - v["wait_ms"] - v["snapshot_ms"] - v["read_ms"] : "-"
	printf "| %s | %s | %s | %s | %s | %s | %s | %s |\n", v["round"], e2e, v["lag_ms"], v["wait_ms"],
		v["snapshot_ms"], v["read_ms"], rest, v["reason"] }'
echo
echo "| daemon | CPU % | report writes/s | target changes |"
echo "|---|---:|---:|---:|"
grep -a "XB-BENCH daemon=cpu " "$log" | tr -d '\r' | awk '{
	for (i = 1; i <= NF; i++) { split($i, a, "="); v[a[1]] = a[2] }
	printf "| %s | %.2f | %.1f | %s |\n", v["phase"], v["ticks"] / v["secs"], v["writes"] / v["secs"], v["decisions"] == "" ? "?" : v["decisions"] }'
grep -a "XB-BENCH daemon=rss " "$log" | tr -d '\r' | tail -1 | awk '{
	for (i = 1; i <= NF; i++) { split($i, a, "="); v[a[1]] = a[2] }
	printf "\nRSS at the end: %d KiB (peak %d KiB).\n", v["rss_kb"], v["hwm_kb"] }'
