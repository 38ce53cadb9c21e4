#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make bench: run every benchmark scenario (bench/*-bench.sh) in one lab boot,
# then every report script (bench/*-report.sh SERIAL_LOG OUTDIR), which prints a
# markdown section (and may write plots into OUTDIR). The sections make
# docs/performance.md. Benchmarks report what they measured, side by side with
# their baseline; they never pass or fail on a time.
set -euo pipefail
cd "$(dirname "$0")/.."
out=out/bench
mkdir -p "$out"
benches=(bench/*-bench.sh)
[ -e "${benches[0]}" ] || { echo "bench: no bench/*-bench.sh" >&2; exit 1; }
log=$out/serial.log
# --report-only: rewrite docs/performance.md from the last run's serial log
if [ "${1:-}" != --report-only ]; then
	XENLAB_KERNELS=${XENLAB_KERNELS:-xb61 ref61 xb612 ref612} \
	XENLAB_SCENARIO_TIMEOUT=${XENLAB_SCENARIO_TIMEOUT:-2400} \
		tests/lab/xenlab run "${benches[@]}" --verbose --log "$log" |
		grep -E 'XB-BENCH|CHECK|SCENARIO' || echo "bench: the lab run reported failures (log: $log)"
fi
[ -s "$log" ] || { echo "bench: no serial log $log" >&2; exit 1; }
{
	echo "# Performance"
	echo
	echo "Measured by \`make bench\` on $(date -u +%Y-%m-%d) in the nested Xen lab"
	echo "($(nproc) host cores, QEMU $(qemu-system-x86_64 --version | head -1 | awk '{print $4}'),"
	echo "TCG unless the lab found a KVM that runs Xen)."
	echo "Times under emulation are not hardware times: compare the columns of one run."
	echo "Raw lines: \`XB-BENCH\` in the serial log of the run."
	echo
	for r in bench/*-report.sh; do
		[ -e "$r" ] || continue
		bash "$r" "$log" docs || echo "(report $r failed)"
		echo
	done
} >"$out/performance.md"
cp "$out/performance.md" docs/performance.md
echo "bench: wrote docs/performance.md"
exit 0
