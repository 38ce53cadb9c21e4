#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Markdown section from reserve-bench.sh's XB-BENCH lines: median and range
# of the seconds from the first command to a running 1 GiB domain.
set -euo pipefail
log=$1
echo "## Starting a 1 GiB domain on a full host (xballoon create vs by hand)"
echo
echo "From the first command to \`xl create\` returning, four guests and a filler"
echo "holding all but ~160 MiB; rounds alternate the order (bench/reserve-bench.sh)."
echo
echo "| way | runs | failed | median s | range s |"
echo "|---|---:|---:|---:|---:|"
for way in xballoon byhand; do
	grep -a "XB-BENCH reserve=$way " "$log" | sed 's/.*secs=\([0-9.]*\) ok=\([01]\).*/\1 \2/' |
		sort -n | awk -v w="$way" '{ s[NR] = $1; if ($2 == 0) f++ }
		END { if (!NR) { print "| " w " | 0 | | | |"; exit }
		      m = NR % 2 ? s[(NR + 1) / 2] : (s[NR / 2] + s[NR / 2 + 1]) / 2
		      printf "| %s | %d | %d | %.2f | %.2f-%.2f |\n", w, NR, f + 0, m, s[1], s[NR] }'
done
