# SPDX-License-Identifier: GPL-2.0
# Lab scenario (make bench): the cost of the toolstack's view.
#  1. wall time of `xl list`, `xballoon list` (batched reads and plain
#     libxenstore) and `xballoon list --json` with 1, 8 and 16 guests (plus
#     dom0): median and range of BENCH_ROUNDS rounds of BENCH_REPS calls, and
#     the breakdown of xballoon's own time (start-up, open, command);
#  2. CPU and memory of `xballoon watch --json`, idle and while a guest rewrites
#     its report key as fast as it can.
# One line per measurement:
#   XB-BENCH toolstack=list domus=<N> xl_ms=<ms> xl_spread=<lo-hi> xballoon_ms=<ms> ...
#   XB-BENCH toolstack=watch load=<idle|flood> secs=<S> writes=<N> cpu_pct=<P> rss_kb=<start>-><end> events=<N>

BENCH_REPS=${BENCH_REPS:-10}

now_cs() { awk '{printf "%d\n", $1 * 100}' /proc/uptime; }

# mean_ms CMD...: mean wall time of BENCH_REPS runs, in ms (one decimal)
mean_ms() {
	_t0=$(now_cs)
	_i=0
	while [ $_i -lt "$BENCH_REPS" ]; do
		"$@" >/dev/null 2>&1
		_i=$((_i + 1))
	done
	_t1=$(now_cs)
	awk -v a="$_t0" -v b="$_t1" -v n="$BENCH_REPS" 'BEGIN { printf "%.1f\n", (b - a) * 10 / n }'
}

# list: xl, xballoon (pipelined reads on its own xenstored connection),
# xballoon on plain libxenstore (XBALLOON_XS_BATCH=0), --json, and `xballoon
# help` (start-up alone): BENCH_ROUNDS rounds, each variant BENCH_REPS calls
# per round, the order reversed every other round so that drifting machine
# load hits all alike; median and range of the per-round means. Then where
# xballoon's own time goes (XBALLOON_TIMING).
BENCH_ROUNDS=${BENCH_ROUNDS:-5}
bl_run() {
	case $1 in
	xl) mean_ms xl list ;;
	xb) mean_ms xballoon list ;;
	libxs) mean_ms env XBALLOON_XS_BATCH=0 xballoon list ;;
	json) mean_ms xballoon list --json ;;
	help) mean_ms xballoon help ;;
	xlhelp) mean_ms xl help ;;
	esac
}
bench_list() {
	_n=$(($(xl list | wc -l) - 2))
	rm -f /tmp/bl.*
	_r=0
	while [ $_r -lt "$BENCH_ROUNDS" ]; do
		if [ $((_r % 2)) = 0 ]; then _order="xl xb libxs json help xlhelp"
		else _order="xlhelp help json libxs xb xl"; fi
		for _v in $_order; do bl_run $_v >>/tmp/bl.$_v; done
		_r=$((_r + 1))
	done
	_line="XB-BENCH toolstack=list domus=$_n rounds=$BENCH_ROUNDS reps=$BENCH_REPS"
	for _v in xl xb libxs json help xlhelp; do
		_line="$_line $(sort -n /tmp/bl.$_v | awk -v k=$_v '{ v[NR] = $1 } END {
			printf "%s_ms=%s %s_spread=%s-%s", k, v[int((NR + 1) / 2)], k, v[1], v[NR] }')"
	done
	_bd=$(_i=0; while [ $_i -lt "$BENCH_REPS" ]; do
		XBALLOON_TIMING=1 xballoon list 2>&1 >/dev/null | grep 'timing:'
		_i=$((_i + 1)); done | awk '
		/exec-to-main/ { e += $4; o += $7; c += $10; n++ }
		/snapshot/ { l += $8; h += $11; k += $14; r += $17; nk += $19; nd += $5; m++ }
		END { printf "exec_ms=%.1f open_ms=%.1f cmd_ms=%.1f", e / n, o / n, c / n
		      if (m) printf " snap_list_ms=%.1f snap_host_ms=%.1f snap_keys_ms=%.1f snap_reports_ms=%.1f keys=%d reports=%d", l / m, h / m, k / m, r / m, nk / m, nd / m }')
	echo "$_line $_bd"
}

n=0
for target in 1 8 16; do
	while [ $n -lt $target ]; do
		n=$((n + 1))
		lab_guest tb$n --type pv --mem 128 --kernel xb61 ||
			{ lab_fail "bench-guest-$n" "guest did not boot"; break 2; }
	done
	sleep 5	# let the last guest settle
	bench_list
done
lab_pass bench-list

ticks() { awk '{print $14 + $15}' /proc/$1/stat; }
rss() { awk '/^VmRSS/ {print $2}' /proc/$1/status; }

# watch_bench LOAD SECS: CPU and RSS of a watch over SECS seconds (variables
# not named _x: lab_exec uses those)
watch_bench() {
	xballoon watch --json >/tmp/wb.jsonl 2>/dev/null &
	wb_pid=$!
	sleep 3
	wb_t0=$(ticks $wb_pid) wb_r0=$(rss $wb_pid) wb_s0=$(now_cs) wb_e0=$(wc -l </tmp/wb.jsonl)
	wb_w=0
	if [ "$1" = flood ]; then
		lab_exec tb1 "(i=0; e=\$((\$(date +%s) + $2)); while [ \$(date +%s) -lt \$e ]; do
			xenstore-write data/xballoon/report \"v=1 seq=\$i state=inflating balloon_kb=\$i\"
			i=\$((i + 1)); done; echo \$i >/tmp/nwrites) >/dev/null 2>&1 & echo started" >/dev/null
	fi
	sleep "$2"
	sleep 1
	wb_t1=$(ticks $wb_pid) wb_r1=$(rss $wb_pid) wb_s1=$(now_cs) wb_e1=$(wc -l </tmp/wb.jsonl)
	[ "$1" = flood ] && wb_w=$(lab_exec tb1 'cat /tmp/nwrites')
	kill $wb_pid
	wait $wb_pid
	awk -v t="$((wb_t1 - wb_t0))" -v s="$((wb_s1 - wb_s0))" -v l="$1" -v w="$wb_w" \
		-v r="$wb_r0->$wb_r1" -v e="$((wb_e1 - wb_e0))" -v d="$2" \
		'BEGIN { printf "XB-BENCH toolstack=watch load=%s secs=%d writes=%s cpu_pct=%.1f rss_kb=%s events=%d\n", l, d, w, t * 100 / s, r, e }'
}
watch_bench idle 20
watch_bench flood 30
lab_pass bench-watch
