#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# driver-report.sh SERIAL_LOG OUTDIR: the markdown section for the balloon
# driver benchmark (bench/driver-bench.sh): xballoon.ko against Linux's own
# driver, like for like, in one lab run, median and range over the rounds;
# where xballoon's time goes; a gnuplot chart OUTDIR/driver-bench.png.
set -euo pipefail
log=${1:?usage: driver-report.sh SERIAL_LOG OUTDIR}
outdir=${2:?usage: driver-report.sh SERIAL_LOG OUTDIR}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
grep -o 'XB-BENCH driver=.*' "$log" | tr -d '\r' >"$tmp/lines" || true
grep -o 'XB-BENCH-TIME .*' "$log" | tr -d '\r' >"$tmp/times" || true
# the awk functions every table uses: f(NAME), the value of NAME=... in the
# line; med(LIST), the median of a space-separated list ("" if empty), with
# its minimum and maximum in lo and hi
awk_lib='
function f(name,   i, kv) { for (i = 2; i <= NF; i++) { split($i, kv, "="); if (kv[1] == name) return kv[2] } return "" }
function med(list,   n, a, i, j, t) {
	n = split(list, a, " ")
	for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
	if (n == 0) return ""
	lo = a[1]; hi = a[n]
	return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
'

echo "## Balloon driver: xballoon.ko against Linux's driver, like for like"
echo
if [ ! -s "$tmp/lines" ]; then
	echo "No measurement in this run (see the serial log)."
	exit 0
fi
rounds=$(awk '{ for (i = 2; i <= NF; i++) if ($i ~ /^round=/) { split($i, kv, "="); if (kv[2] > m) m = kv[2] } } END { print m + 0 }' "$tmp/lines")
scrub=$(awk '{ for (i = 2; i <= NF; i++) if ($i ~ /^scrub=/) s[substr($i, 7)]++ } END { for (k in s) printf "%s%s", (n++ ? "," : ""), k }' "$tmp/lines")
echo "Give-back 1024 -> 128 MiB and take-back 128 -> 1024 MiB on 1 GiB guests of"
echo "the same kernel source, 6.1 and 6.12 (xballoon.ko on the xb kernel, Linux's"
echo "driver on the ref kernel), side by side in one lab run, $rounds rounds, the driver that goes"
echo "first alternating. Both zero the pages they give to Xen (scrub seen in the"
echo "guests: $scrub; 1 = on). Median [min-max] in seconds:"
echo
echo "- **Xen**: from \`xl mem-set\` until Xen's count (tot_pages) is within 1%,"
echo "  read every 10 ms in dom0 without forking;"
echo "- **usable**: in the guest, from the new memory/target until the driver's own"
echo "  count of the guest's memory is within 1%: the pages are in (or out of) the"
echo "  kernel's hands, PV mappings included."
echo
echo "The lab runs Xen on emulated hardware (QEMU TCG, emulated SVM for PVH):"
echo "PVH's nested paging is emulated and far slower than on real hardware, so"
echo "compare the columns of one row, not the figures with a real host."
echo
awk "$awk_lib"'
function cell(list,   m) { m = med(list); return (m == "") ? "n/a" : sprintf("%.2f [%.2f-%.2f]", m, lo, hi) }
{
	ln = f("kernel"); sub(/^(xb|ref)/, "", ln); seen[ln] = 1
	k = f("driver") SUBSEP ln SUBSEP f("type") SUBSEP f("dir")
	if (f("secs") != "timeout") xen[k] = xen[k] " " f("secs"); else tout[k]++
	if (f("usable") != "timeout") use[k] = use[k] " " f("usable"); else tout[k]++
}
END {
	goal["pv", "give"] = 2; goal["pvh", "give"] = 2.5; goal["pv", "take"] = 1.5; goal["pvh", "take"] = 1
	print "| kernel | guest | direction | Linux, Xen | xballoon, Xen | Linux, usable | xballoon, usable | speed-up, usable (Xen) | goal | met |"
	print "|---|---|---|---|---|---|---|---|---|---|"
	nt = split("pv pvh", types, " "); nd = split("give take", dirs, " "); nl = split("61 612", lines, " ")
	for (h = 1; h <= nl; h++) for (i = 1; i <= nt; i++) for (j = 1; j <= nd; j++) {
		L = lines[h]; t = types[i]; d = dirs[j]
		if (!(L in seen)) continue
		lu = med(use["linux", L, t, d]); xu = med(use["xballoon", L, t, d])
		lx = med(xen["linux", L, t, d]); xx = med(xen["xballoon", L, t, d])
		r = (lu + 0 > 0 && xu + 0 > 0) ? lu / xu : 0
		rx = (lx + 0 > 0 && xx + 0 > 0) ? sprintf("%.1fx", lx / xx) : "n/a"
		printf "| %s | %s | %s | %s | %s | %s | %s | %s (%s) | %s | %s |\n", (L == 61 ? "6.1" : "6.12"), toupper(t), \
			(d == "give" ? "give back 1024->128" : "take back 128->1024"), \
			cell(xen["linux", L, t, d]), cell(xen["xballoon", L, t, d]), \
			cell(use["linux", L, t, d]), cell(use["xballoon", L, t, d]), \
			(r > 0 ? sprintf("%.1fx", r) : "n/a"), rx, \
			(goal[t, d] == 1 ? "keep the lead" : sprintf(">= %sx", goal[t, d])), \
			(r == 0 ? "n/a" : (r >= goal[t, d] ? "yes" : "no"))
		if (tout["linux", L, t, d] + tout["xballoon", L, t, d])
			printf "|  |  | (timeouts: Linux %d, xballoon %d) |  |  |  |  |  |  |  |\n", \
				tout["linux", L, t, d], tout["xballoon", L, t, d]
	}
}' "$tmp/lines"
echo
if grep -q ' steal=' "$tmp/lines"; then
	echo "Where the guest's CPU went during **usable**, from the guest's own"
	echo "\`/proc/stat\` over that span (xlab-clock, which polls without forking),"
	echo "median seconds over the rounds: **kernel** (system time: the driver's"
	echo "worker, and the rest of the kernel), **idle** (nothing runnable: the"
	echo "driver waiting), **steal** (Xen ran another domain, dom0 or the other"
	echo "guest, on the lab's CPU), and **other** (user, irq, softirq, iowait). The"
	echo "kernel time is what a driver can shorten; steal and idle are not its work."
	echo
	echo "| kernel | guest | direction | driver | usable | kernel | idle | steal | other |"
	echo "|---|---|---|---|---:|---:|---:|---:|---:|"
	awk "$awk_lib"'
	f("steal") != "" && f("usable") != "timeout" {
		ln = f("kernel"); sub(/^(xb|ref)/, "", ln)
		k = ln SUBSEP f("type") SUBSEP f("dir") SUBSEP f("driver")
		u[k] = u[k] " " f("usable")
		sy[k] = sy[k] " " f("system") / 100
		id[k] = id[k] " " f("idle") / 100
		st[k] = st[k] " " f("steal") / 100
		ot[k] = ot[k] " " (f("user") + f("nice") + f("iowait") + f("irq") + f("softirq")) / 100
	}
	END {
		nl = split("61 612", lines, " "); nt = split("pv pvh", types, " ")
		nd = split("give take", dirs, " "); nv = split("linux xballoon", drv, " ")
		for (h = 1; h <= nl; h++) for (i = 1; i <= nt; i++) for (j = 1; j <= nd; j++) for (v = 1; v <= nv; v++) {
			k = lines[h] SUBSEP types[i] SUBSEP dirs[j] SUBSEP drv[v]
			if (u[k] == "") continue
			printf "| %s | %s | %s | %s | %.2f | %.2f | %.2f | %.2f | %.2f |\n", \
				(lines[h] == 61 ? "6.1" : "6.12"), toupper(types[i]), dirs[j], \
				(drv[v] == "linux" ? "Linux" : "xballoon"), \
				med(u[k]), med(sy[k]), med(id[k]), med(st[k]), med(ot[k])
		}
	}' "$tmp/lines"
	echo
fi
if [ -s "$tmp/times" ]; then
	echo "Where xballoon.ko's worker spends its time, from its own counters"
	echo "(\`/sys/kernel/xballoon/\`: work_us, time_hv_us, time_scrub_us,"
	echo "time_alloc_us), median over the rounds: inside Xen (memory_op and the PV"
	echo "page table updates), zeroing, allocating the pages, and the rest (the driver's own"
	echo "work: lists, page flags, p2m, freeing pages to the kernel). Goal: what is"
	echo "neither Xen's nor zeroing (allocating and the rest) <= 20% of the work."
	echo
	echo "Of Xen's share, **mapping** is the PV page table updates (\`mmu_update\`,"
	echo "one entry per page; none on PVH), the rest \`memory_op\`; of the"
	echo "rest, **dispose** is handing the pages to the kernel's allocator (take-back)"
	echo "or putting them on the balloon's lists (give-back)."
	echo
	echo "| kernel | guest | direction | work (s) | Xen | of it, mapping | zeroing | allocating | rest | of it, dispose | guest overhead <= 20% |"
	echo "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---|"
	awk "$awk_lib"'
	{
		ln = f("kernel"); sub(/^(xb|ref)/, "", ln); seen[ln] = 1
		k = ln SUBSEP f("type") SUBSEP f("dir"); w = f("work_us")
		if (w + 0 <= 0) next
		work[k] = work[k] " " w
		hv[k] = hv[k] " " 100 * f("hv_us") / w
		sc[k] = sc[k] " " 100 * f("scrub_us") / w
		al[k] = al[k] " " 100 * f("alloc_us") / w
		re[k] = re[k] " " 100 * (w - f("hv_us") - f("scrub_us") - f("alloc_us")) / w
		ov[k] = ov[k] " " 100 * (w - f("hv_us") - f("scrub_us")) / w
		mp[k] = mp[k] " " (f("map_us") == "" ? "-" : 100 * f("map_us") / w)
		dp[k] = dp[k] " " (f("dispose_us") == "" ? "-" : 100 * f("dispose_us") / w)
	}
	function pct(list,   m) { if (list ~ /-/) return "n/a"; m = med(list); return sprintf("%.0f%%", m) }
	END {
		nt = split("pv pvh", types, " "); nd = split("give take", dirs, " "); nl = split("61 612", lines, " ")
		for (h = 1; h <= nl; h++) for (i = 1; i <= nt; i++) for (j = 1; j <= nd; j++) {
			L = lines[h]; k = L SUBSEP types[i] SUBSEP dirs[j]
			if (work[k] == "") continue
			r = med(re[k]); o = med(ov[k])
			printf "| %s | %s | %s | %.2f | %.0f%% | %s | %.0f%% | %.0f%% | %.0f%% | %s | %.0f%%: %s |\n", (L == 61 ? "6.1" : "6.12"), \
				toupper(types[i]), dirs[j], \
				med(work[k]) / 1e6, med(hv[k]), pct(mp[k]), med(sc[k]), med(al[k]), r, pct(dp[k]), o, (o <= 20 ? "yes" : "no")
			printf "%s-%s-%s %.1f %.1f %.1f %.1f\n", L, types[i], dirs[j], med(hv[k]), med(sc[k]), med(al[k]), r > "/dev/stderr"
		}
	}' "$tmp/times" 2>"$tmp/plot.dat"
	echo
fi
if command -v gnuplot >/dev/null && [ -s "${tmp}/plot.dat" ]; then
	gnuplot <<-GP
	set terminal pngcairo size 800,420 noenhanced
	set output "$outdir/driver-bench.png"
	set title "Where xballoon.ko's worker time goes (% of its work time, median)"
	set style data histograms
	set style histogram rowstacked
	set style fill solid 0.8 border -1
	set boxwidth 0.6
	set ylabel "% of work time"
	set yrange [0:100]
	set key outside right
	set grid ytics
	plot "$tmp/plot.dat" using 2:xtic(1) title "inside Xen", \
	     "" using 3 title "zeroing", \
	     "" using 4 title "allocating", \
	     "" using 5 title "rest (driver)"
	GP
	echo "![time breakdown](driver-bench.png)"
fi
