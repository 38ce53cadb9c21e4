#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# xballoond's policy against the three baselines on bench/policy-sim.c's
# trace (no Xen, deterministic: one fixed trace, no clock), as TAP. A policy
# change that makes xballoond lose to a static split, squeezed-like or
# qmemman-like balancing on OOM events or on time short of need, or leave
# more host memory idle than qmemman-like (beyond its 16 MiB hysteresis),
# fails here; make bench prints the full table (docs/performance.md).
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if ! cc -std=gnu11 -O1 -g -Wall -Wextra -Werror -fsanitize=address,undefined \
	-fno-sanitize-recover=all -Itoolstack/daemon -Itoolstack/lib \
	bench/policy-sim.c toolstack/daemon/policy.c toolstack/lib/xb_state.c -lm \
	-o "$tmp/sim" 2>"$tmp/cc.err"; then
	cat "$tmp/cc.err"
	echo "1..1"
	echo "not ok 1 - policy-sim: builds"
	exit 0
fi
"$tmp/sim" >"$tmp/out"
echo "1..6"
n=0
for host in 8192 6144; do
	sed -n "/^Host of $host MiB/,/^Host of [^$host]/p" "$tmp/out" | grep '^| ' | grep -v '^| policy' >"$tmp/t"
	# columns: | policy | oom | short | idle | unused | changes |
	col() { awk -F'|' -v p="$1" -v c="$2" '{ gsub(/^ +| +$/, "", $2) } $2 == p { gsub(/ /, "", $c); print $c }' "$tmp/t"; }
	xo=$(col xballoond 3) xs=$(col xballoond 4) xi=$(col xballoond 5)
	bo=999999999 bs=999999999
	for p in "static split" squeezed-like qmemman-like; do
		o=$(col "$p" 3) s=$(col "$p" 4)
		[ "$o" -lt "$bo" ] && bo=$o
		[ "$s" -lt "$bs" ] && bs=$s
	done
	qi=$(col qmemman-like 5)
	n=$((n + 1))
	if [ -n "$xo" ] && [ "$xo" -lt "$bo" ]; then
		echo "ok $n - $host MiB host: xballoond $xo OOM events, best baseline $bo"
	else
		echo "not ok $n - $host MiB host: xballoond ${xo:-?} OOM events, best baseline $bo"
	fi
	n=$((n + 1))
	if [ -n "$xs" ] && [ "$xs" -lt "$bs" ]; then
		echo "ok $n - $host MiB host: xballoond $xs guest-seconds short of need, best baseline $bs"
	else
		echo "not ok $n - $host MiB host: xballoond ${xs:-?} guest-seconds short of need, best baseline $bs"
	fi
	n=$((n + 1))
	if [ -n "$xi" ] && [ "$xi" -le $((qi + 16)) ]; then
		echo "ok $n - $host MiB host: xballoond leaves $xi MiB idle, qmemman-like $qi"
	else
		echo "not ok $n - $host MiB host: xballoond leaves ${xi:-?} MiB idle, qmemman-like $qi"
	fi
done
