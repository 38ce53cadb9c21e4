# SPDX-License-Identifier: GPL-2.0
# Lab scenario: 1024 -> 128 -> 1024 MiB give-back and take-back on PV and PVH
# guests, xballoon.ko (xb61) against Linux's own driver (ref61), in one lab run.
#   tests/lab/xenlab run bench/driver-bench.sh --verbose
# Each measurement is the time from `xl mem-set` until Xen's view of the guest
# (xentop, tot_pages) is within 1% of the target, polled as fast as xentop
# answers. One line per measurement:
#   XB-BENCH driver=<xballoon|xballoon-scrub|linux> type=<pv|pvh> dir=<give|take> mib=<N> secs=<S|timeout> mib_s=<R> xen_kb=<KiB at the end>
# plus, for xballoon, the driver's own counters (hypercalls, 2 MiB extents,
# worker start latency).

BENCH_TIMEOUT=${BENCH_TIMEOUT:-120}

bench_now() { cut -d' ' -f1 /proc/uptime; }

# bench_wait NAME MiB: seconds (2 decimals) until Xen's view is within 1%, or
# "timeout" after BENCH_TIMEOUT seconds
bench_wait() {
	_t0=$(bench_now)
	while :; do
		_kb=$(lab_xen_mem_kb "$1")
		_t=$(bench_now)
		if [ -n "$_kb" ] && awk -v k="$_kb" -v m="$2" 'BEGIN { d = k / 1024 - m; if (d < 0) d = -d; exit !(d <= m / 100) }'; then
			awk -v a="$_t0" -v b="$_t" 'BEGIN { printf "%.2f\n", b - a }'
			return 0
		fi
		if awk -v a="$_t0" -v b="$_t" -v l="$BENCH_TIMEOUT" 'BEGIN { exit !(b - a >= l) }'; then
			echo timeout
			return 1
		fi
	done
}

bench_one() {	# driver type dir guest from_mib to_mib
	xl mem-set "$4" "${6}m"
	_s=$(bench_wait "$4" "$6")
	_kb=$(lab_xen_mem_kb "$4")
	_d=$(( $5 > $6 ? $5 - $6 : $6 - $5 ))
	if [ "$_s" = timeout ]; then
		_r=0
	else
		_r=$(awk -v d="$_d" -v s="$_s" 'BEGIN { if (s < 0.01) s = 0.01; printf "%.0f\n", d / s }')
	fi
	echo "XB-BENCH driver=$1 type=$2 dir=$3 mib=$_d secs=$_s mib_s=$_r xen_kb=$_kb"
	if [ "$_s" = timeout ] && [ "$1" = xballoon ]; then
		lab_fail "$1-$2-$3" "did not reach $6 MiB in ${BENCH_TIMEOUT}s (Xen at $_kb KiB)"
	elif [ "$_s" = timeout ]; then
		# the baseline not reaching the target is a measurement, not a failure
		lab_pass "$1-$2-$3" "did not reach $6 MiB in ${BENCH_TIMEOUT}s (Xen at $_kb KiB)"
	else
		lab_pass "$1-$2-$3" "$_d MiB in ${_s}s, $_r MiB/s"
	fi
}

for t in pv pvh; do
	for drv in xballoon linux; do
		case $drv in
		xballoon) k=xb61 m=--module ;;
		linux) k=ref61 m= ;;
		esac
		g=b$t$k
		# shellcheck disable=SC2086
		if ! lab_guest "$g" --type "$t" --mem 1024 --kernel "$k" $m; then
			lab_fail "$drv-$t-boot" "guest did not come up"
			continue
		fi
		sleep 2
		bench_one "$drv" "$t" give "$g" 1024 128
		[ "$drv" = xballoon ] && lab_exec "$g" 'cd /sys/kernel/xballoon && echo "XB-BENCH-INFO give hypercalls=$(cat hypercalls) extents_2m_out=$(cat extents_2m_out) start_latency_us=$(cat start_latency_us) work_us=$(cat work_us)"'
		bench_one "$drv" "$t" take "$g" 128 1024
		if [ "$drv" = xballoon ]; then
			lab_exec "$g" 'cd /sys/kernel/xballoon && echo "XB-BENCH-INFO take hypercalls=$(cat hypercalls) extents_2m_in=$(cat extents_2m_in) start_latency_us=$(cat start_latency_us) work_us=$(cat work_us)"'
			# Linux zeroes pages before giving them (XEN_SCRUB_PAGES_DEFAULT=y
			# in the ref kernel); xballoon does not by default: measure both
			lab_exec "$g" 'echo 1 >/sys/module/xballoon/parameters/scrub'
			bench_one xballoon-scrub "$t" give "$g" 1024 128
			bench_one xballoon-scrub "$t" take "$g" 128 1024
		fi
		lab_destroy "$g"
	done
done
