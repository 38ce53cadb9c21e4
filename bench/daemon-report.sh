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
echo "available memory plus 96 MiB (past the 64 MiB headroom) to a tmpfs in one go"
echo "(bench/daemon-bench.sh). \`xballoon watch --json\` in dom0 stamps the borrower's"
echo "reports and targets as their xenstore events arrive: the figures run from the"
echo "report that shows the stall (or deflate) to the raised target, so they include"
echo "the daemon's 200 ms debounce, its snapshot and decision, and both watches."
echo
lines=$(grep -a "XB-BENCH daemon=borrow " "$log" | tr -d '\r' || true)
if [ -z "$lines" ]; then
	echo "(no daemon-bench lines in this run)"
	exit 0
fi
echo "| from | rounds seen | median s | worst s |"
echo "|---|---:|---:|---:|"
for what in stall deflate; do
	echo "$lines" | awk -v w="$what" '{
		for (i = 1; i <= NF; i++) { split($i, a, "="); v[a[1]] = a[2] }
		s = v[w "_ms"]; r = v["raise_ms"]
		if (s != "-" && r != "-") print (r > s ? r - s : 0) / 1000
	}' | sort -n | awk -v w="$what" '{ x[NR] = $1 }
	END { name = (w == "stall") ? "first PSI stall" : "first OOM deflate"
	      if (!NR) { printf "| %s | 0 | | |\n", name; exit }
	      m = NR % 2 ? x[(NR + 1) / 2] : (x[NR / 2] + x[NR / 2 + 1]) / 2
	      printf "| %s | %d | %.2f | %.2f |\n", name, NR, m, x[NR] }'
done
n=$(echo "$lines" | wc -l)
raised=$(echo "$lines" | grep -vc 'raise_ms=-' || true)
kills=$(echo "$lines" | sed 's/.*oom_kills=\([0-9-]*\).*/\1/' | awk '{ s += $1 } END { print s + 0 }')
echo
echo "Rounds: $n; target raised in $raised; OOM kills in the borrower over all rounds: $kills."
echo "A raise seen before the stall or deflate counts as 0 s (the daemon lent on"
echo "the pressure report alone)."
echo
echo "| daemon | CPU % | report writes/s | target changes |"
echo "|---|---:|---:|---:|"
grep -a "XB-BENCH daemon=cpu " "$log" | tr -d '\r' | awk '{
	for (i = 1; i <= NF; i++) { split($i, a, "="); v[a[1]] = a[2] }
	printf "| %s | %.2f | %.1f | %s |\n", v["phase"], v["ticks"] / v["secs"], v["writes"] / v["secs"], v["decisions"] == "" ? "?" : v["decisions"] }'
grep -a "XB-BENCH daemon=rss " "$log" | tr -d '\r' | tail -1 | awk '{
	for (i = 1; i <= NF; i++) { split($i, a, "="); v[a[1]] = a[2] }
	printf "\nRSS at the end: %d KiB (peak %d KiB).\n", v["rss_kb"], v["hwm_kb"] }'
