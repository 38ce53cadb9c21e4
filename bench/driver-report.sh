#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# driver-report.sh SERIAL_LOG OUTDIR: the markdown section for the balloon
# driver benchmark (bench/driver-bench.sh), xballoon.ko against Linux's own
# driver measured in the same lab run, and a gnuplot chart OUTDIR/driver-bench.png.
set -euo pipefail
log=${1:?usage: driver-report.sh SERIAL_LOG OUTDIR}
outdir=${2:?usage: driver-report.sh SERIAL_LOG OUTDIR}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
grep -o 'XB-BENCH driver=.*' "$log" | tr -d '\r' >"$tmp/lines" || true
grep -o 'XB-BENCH-INFO .*' "$log" | tr -d '\r' >"$tmp/info" || true

echo "## Balloon driver: xballoon.ko against Linux's driver"
echo
if [ ! -s "$tmp/lines" ]; then
	echo "No measurement in this run (see the serial log)."
	exit 0
fi
echo "Give-back 1024 -> 128 MiB and take-back 128 -> 1024 MiB on 1 GiB guests, one"
echo "lab run, time from \`xl mem-set\` until Xen's own count (tot_pages) is within"
echo "1% of the target. \`xballoon-scrub\` is xballoon with \`scrub=1\` (zeroes pages"
echo "before giving them back, as Linux does by default)."
echo
# value FIELD DRIVER TYPE DIR
awk '
function f(name,   i, kv) { for (i = 2; i <= NF; i++) { split($i, kv, "="); if (kv[1] == name) return kv[2] } return "" }
{ k = f("driver") SUBSEP f("type") SUBSEP f("dir"); secs[k] = f("secs"); rate[k] = f("mib_s") }
END {
	goal["pv", "give"] = 3; goal["pvh", "give"] = 5; goal["pv", "take"] = 2; goal["pvh", "take"] = 2
	print "| guest | direction | Linux | xballoon | xballoon-scrub | speed-up | goal | reached |"
	print "|---|---|---|---|---|---|---|---|"
	nt = split("pv pvh", types, " "); nd = split("give take", dirs, " ")
	for (i = 1; i <= nt; i++) for (j = 1; j <= nd; j++) {
		t = types[i]; d = dirs[j]
		l = secs["linux", t, d]; x = secs["xballoon", t, d]; s = secs["xballoon-scrub", t, d]
		r = (l + 0 > 0 && x + 0 > 0) ? sprintf("%.1fx", l / x) : "n/a"
		ok = (r == "n/a") ? "n/a" : ((l / x >= goal[t, d]) ? "yes" : "no")
		printf "| %s | %s | %s s (%s MiB/s) | %s s (%s MiB/s) | %s s | %s | %dx | %s |\n", \
			toupper(t), (d == "give" ? "give back 1024->128" : "take back 128->1024"), \
			l, rate["linux", t, d], x, rate["xballoon", t, d], (s == "" ? "-" : s), r, goal[t, d], ok
		printf "%s-%s %s %s %s\n", t, d, rate["linux", t, d] + 0, rate["xballoon", t, d] + 0, \
			rate["xballoon-scrub", t, d] + 0 > "/dev/stderr"
	}
}' "$tmp/lines" 2>"$tmp/plot.dat"
echo
if [ -s "$tmp/info" ]; then
	echo "Inside xballoon.ko (from its own counters, same run):"
	echo
	echo "| operation | hypercalls | 2 MiB extents | start after target write | work time |"
	echo "|---|---|---|---|---|"
	# each INFO line follows the xballoon measurement it belongs to
	grep -o 'XB-BENCH.*' "$log" | tr -d '\r' | awk '
	/XB-BENCH driver=xballoon / { for (i = 2; i <= NF; i++) if ($i ~ /^type=/) ty = toupper(substr($i, 6)) }
	/XB-BENCH-INFO/ {
		hc = ext = lat = work = "?"
		for (i = 3; i <= NF; i++) {
			split($i, kv, "=")
			if (kv[1] == "hypercalls") hc = kv[2]
			else if (kv[1] ~ /^extents_2m/) ext = kv[2]
			else if (kv[1] == "start_latency_us") lat = kv[2]
			else if (kv[1] == "work_us") work = sprintf("%.2f s", kv[2] / 1e6)
		}
		printf "| %s %s 896 MiB | %s | %s | %s µs | %s |\n", ty, $2, hc, ext, lat, work
	}'
	echo
	echo "Goal for the start: within 100 ms (100000 µs) of a target write."
	echo
fi
if command -v gnuplot >/dev/null && [ -s "$tmp/plot.dat" ]; then
	gnuplot <<-GP
	set terminal pngcairo size 800,420 noenhanced
	set output "$outdir/driver-bench.png"
	set title "Balloon throughput in the nested Xen lab (MiB/s, higher is better)"
	set style data histograms
	set style histogram clustered gap 1
	set style fill solid 0.8 border -1
	set ylabel "MiB/s"
	set key top left
	set grid ytics
	plot "$tmp/plot.dat" using 2:xtic(1) title "Linux balloon", \
	     "" using 3 title "xballoon.ko", \
	     "" using 4 title "xballoon.ko scrub=1"
	GP
	echo "![throughput chart](driver-bench.png)"
fi
