# SPDX-License-Identifier: GPL-2.0
# Lab scenario (make bench): starting a 1 GiB domain on a full host (issue 11).
# Four xballoon guests (dynamic-min 256 MiB) and a paused filler hold all free
# memory but ~160 MiB. Per round, both ways, the order swapped every other
# round, the guests put back to full size in between:
#   xballoon: `xballoon create big.cfg` (frees, claims, xl create);
#   by hand:  `xl mem-set` each guest down by a quarter of what is missing,
#             poll `xl info` free_memory every 0.1 s until it holds the
#             domain, then `xl create big.cfg` (the best xl alone can do).
# The time is from the first command to `xl create` returning (domain built
# and running). One line per run:
#   XB-BENCH reserve=<xballoon|byhand> round=<N> secs=<S> ok=<0|1>

# filler MiB: a paused PVH domain holding MiB of the free memory
filler() {
	mkdir -p /tmp/xl
	printf 'name = "filler"\ntype = "pvh"\nkernel = "/lab/kernels/xb61/bzImage"\nmemory = %s\n' \
		"$1" >/tmp/xl/filler.cfg
	echo filler >>"$LAB_GUESTS_FILE"
	xl create -p /tmp/xl/filler.cfg >/dev/null 2>&1
}

BENCH_ROUNDS=${BENCH_ROUNDS:-3}
NEED=1056	# memory = 1024 plus xballoon create's 32 MiB

now() { cut -d' ' -f1 /proc/uptime; }
free_mib() { xl info | awk '/^free_memory/ {print $3}'; }

f0=$(free_mib)
gm=$(((f0 - 160) / 4 / 16 * 16))
[ $gm -gt 1536 ] && gm=1536
for g in g1 g2 g3 g4; do
	lab_guest $g --type pv --mem $gm --kernel xb61 --module || { lab_fail "bench-reserve-guests" "$g"; exit 0; }
	xballoon mem-policy $g --min 256 --max $gm >/dev/null
done
f1=$(free_mib)
[ "$f1" -gt 200 ] && filler $((f1 - 160))
mkdir -p /tmp/xl
cat >/tmp/xl/big.cfg <<CFG
name = "big"
type = "pv"
kernel = "/lab/kernels/xb61/bzImage"
ramdisk = "/lab/kernels/xb61/initrd.gz"
memory = 1024
vcpus = 1
extra = "console=hvc0 quiet xlab.name=big xlab.module=0"
CFG
echo big >>"$LAB_GUESTS_FILE"

# full: the guests back to their boot size (what they held before)
full() {
	xl destroy big >/dev/null 2>&1
	for g in g1 g2 g3 g4; do xl mem-set $g ${gm}m; done
	for g in g1 g2 g3 g4; do lab_wait_xen_mem $g $gm 2 120 >/dev/null; done
	sleep 1
}

run_xballoon() {
	t0=$(now)
	xballoon create --timeout 120 /tmp/xl/big.cfg >/tmp/xl/bench.out 2>&1 && ok=1 || ok=0
	t1=$(now)
}

run_byhand() {
	t0=$(now)
	miss=$((NEED - $(free_mib)))
	if [ $miss -gt 0 ]; then
		share=$(((miss + 3) / 4 + 8))
		for g in g1 g2 g3 g4; do
			xl mem-set $g $(($(xlab-xs read "/local/domain/$(lab_domid $g)/memory/target") / 1024 - share))m
		done
	fi
	n=0
	while [ "$(free_mib)" -lt $NEED ] && [ $n -lt 1200 ]; do sleep 0.1; n=$((n + 1)); done
	xl create /tmp/xl/big.cfg >/tmp/xl/bench.out 2>&1 && ok=1 || ok=0
	t1=$(now)
}

r=1
while [ $r -le "$BENCH_ROUNDS" ]; do
	if [ $((r % 2)) = 1 ]; then order="xballoon byhand"; else order="byhand xballoon"; fi
	for way in $order; do
		full
		run_$way
		[ $ok = 1 ] || sed 's/^/  | /' /tmp/xl/bench.out
		echo "XB-BENCH reserve=$way round=$r secs=$(echo "$t0 $t1" | awk '{printf "%.2f", $2 - $1}') ok=$ok"
	done
	r=$((r + 1))
done
xl destroy big >/dev/null 2>&1
lab_pass "bench-reserve" "$BENCH_ROUNDS rounds"
for g in g1 g2 g3 g4; do lab_destroy $g; done
lab_destroy filler
