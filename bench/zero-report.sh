#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# zero-report.sh SERIAL_LOG OUTDIR: the markdown section for
# bench/zero-bench.sh, the cost of zeroing a page each way, in the lab and,
# for comparison, on this machine's own CPU (no emulation).
set -euo pipefail
log=$(readlink -f "${1:?usage: zero-report.sh SERIAL_LOG OUTDIR}")
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
grep -ao 'XB-BENCH-ZERO where=.*' "$log" | tr -d '\r' >"$tmp/lines" || true
grep -ao 'XB-BENCH-CLOCK where=.*' "$log" | tr -d '\r' >"$tmp/clock" || true
if make -s -C tests/lab/tools xlab-zero >/dev/null 2>&1; then
	tests/lab/tools/xlab-zero 256 5 2>/dev/null >"$tmp/host" || true
	sed -n 's/^XB-BENCH-ZERO /XB-BENCH-ZERO where=host /p' "$tmp/host" >>"$tmp/lines"
	sed -n 's/^XB-BENCH-CLOCK /XB-BENCH-CLOCK where=host /p' "$tmp/host" >>"$tmp/clock"
fi
echo "## Zeroing a page, each way"
echo
if [ ! -s "$tmp/lines" ]; then
	echo "No measurement in this run (see the serial log)."
	exit 0
fi
echo "Nanoseconds per 4 KiB page, median [min-max] over 5 rounds of clearing"
echo "128 MiB (256 MiB on the host) page by page, far more than any cache"
echo "(bench/zero-bench.sh, tests/lab/tools/xlab-zero.c). **rep-stosq** is"
echo "Linux's \`clear_page\` on the lab's CPU (qemu64: REP_GOOD, no ERMS), so"
echo "Linux's balloon driver; **movnti-x8** (non-temporal stores) is xballoon.ko's."
echo "**host** is this machine's own CPU, without emulation."
echo
wheres=$(awk '{ split($2, kv, "="); if (!(kv[2] in s)) { s[kv[2]] = 1; printf "%s ", kv[2] } }' "$tmp/lines")
printf '| way |'
for w in $wheres; do printf ' %s |' "$w"; done
echo
printf '|---|'
for w in $wheres; do printf -- '---:|'; done
echo
for way in rep-stosq rep-stosb movq-x8 movnti-x8 memset; do
	printf '| %s |' "$way"
	for w in $wheres; do
		awk -v w="where=$w" -v y="way=$way" '$2 == w && $3 == y {
			for (i = 4; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
			printf " %s [%s-%s] |", v["ns_med"], v["ns_min"], v["ns_max"]; found = 1 }
			END { if (!found) printf " |" }' "$tmp/lines"
	done
	echo
done
if [ -s "$tmp/clock" ]; then
	echo
	echo "What one read of the clock costs, mean of 2000 (ns): the lab's emulated CPU"
	echo 'has no invariant TSC, so Xen emulates it and every `rdtsc` traps into Xen'
	echo "(a VM exit on PVH). The kernel's clock (\`ktime_get_ns\`) reads the TSC, so"
	echo "the driver reads it twice per step and not per page."
	echo
	echo "| where | rdtsc | clock_gettime |"
	echo "|---|---:|---:|"
	awk '{ for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		printf "| %s | %s | %s |\n", v["where"], v["rdtsc_ns"], v["clock_gettime_ns"] }' "$tmp/clock"
fi
