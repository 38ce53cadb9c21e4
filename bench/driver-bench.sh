# SPDX-License-Identifier: GPL-2.0
# Lab scenario: give-back 1024 -> 128 MiB and take-back 128 -> 1024 MiB,
# xballoon.ko (xb61, xb612) against Linux's own driver on the same source
# (ref61, ref612; ref612 is in the lab only when XENLAB_KERNELS names it, as
# make bench does),
# like for like: both zero the pages they give to Xen (xballoon's default
# scrub=1; Linux's CONFIG_XEN_SCRUB_PAGES_DEFAULT=y), checked and printed.
#   tests/lab/xenlab run bench/driver-bench.sh --verbose
# Per guest type (PV, PVH) both guests run side by side and BENCH_ROUNDS
# rounds (default 5) alternate which driver goes first. Two clocks per
# measurement:
#  - xen: from `xl mem-set` in dom0 until Xen's count (tot_pages) is within
#    1% of the target, read every 10 ms (xlab-pod wait: no fork per poll);
#  - usable: in the guest, from the moment it sees the new memory/target until
#    the driver's own count of the guest's memory (xballoon: current_kb;
#    Linux: xen_memory0/info/current_kb) is within 1%, i.e. until the pages
#    are back in (or out of) the kernel's hands, mappings included.
# One line per measurement:
#   XB-BENCH driver=<xballoon|linux> kernel=K type=T dir=<give|take> round=R mib=N secs=S usable=U scrub=0|1
#     xen_kb=K polls=N user= nice= system= idle= iowait= irq= softirq= steal=
# (the last ones: the guest's /proc/stat ticks over the usable span, from
# xlab-clock: where its CPU went while the driver worked)
# and for xballoon, where its worker's time went (deltas of its counters):
#   XB-BENCH-TIME kernel=K type=T dir=D round=R work_us= hv_us= scrub_us= alloc_us=
#     map_us= dispose_us=
# (map_us: of hv_us, the PV page table updates; dispose_us: of the rest,
# pages handed to the kernel or put on the balloon's lists)

BENCH_TIMEOUT=${BENCH_TIMEOUT:-120}
BENCH_ROUNDS=${BENCH_ROUNDS:-5}

# bench_arm GUEST DRIVER MiB: start the in-guest clock (in the background):
# it waits (a xenstore watch, no polling) for memory/target to become MiB,
# then xlab-clock reads the driver's count every 10 ms (one read and one
# nanosleep, no fork) and writes to /tmp/usable the seconds it took and
# where the guest's CPU went meanwhile (/proc/stat: system, idle, steal...)
bench_arm() {
	case $2 in
	xballoon) _f=/sys/kernel/xballoon/current_kb ;;
	*) _f=/sys/devices/system/xen_memory/xen_memory0/info/current_kb ;;
	esac
	_lo=$(($3 * 1024 * 99 / 100)) _hi=$(($3 * 1024 * 101 / 100))
	lab_exec "$1" "rm -f /tmp/usable
		sh -c 'xlab-xs wait memory/target $(($3 * 1024)) 300000 || exit 1
			exec xlab-clock $_f $_lo $_hi 300 >/tmp/usable' >/dev/null 2>&1 &"
}

bench_usable() {	# GUEST: "SECONDS polls=.. user=.. ...", or "timeout" (20 s after Xen's count)
	_n=0
	while [ $_n -lt 40 ]; do
		_u=$(lab_exec "$1" 'cat /tmp/usable 2>/dev/null' | tr -d '\r')
		case $_u in
		secs=*)
			_u=${_u#secs=}
			echo "$_u" | awk '{ printf "%.2f", $1; for (i = 2; i <= NF; i++) printf " %s", $i; print "" }'
			return 0
			;;
		esac
		sleep 0.5
		_n=$((_n + 1))
	done
	echo timeout
}

bench_xbtimes() {	# GUEST: work hv scrub alloc map dispose (µs, cumulative)
	lab_exec "$1" 'cd /sys/kernel/xballoon && echo $(cat work_us) $(cat time_hv_us) $(cat time_scrub_us) $(cat time_alloc_us) $(cat time_hv_map_us) $(cat time_dispose_us)' | tr -d '\r'
}

bench_one() {	# driver kernel type dir guest from_mib to_mib round scrub
	_b=
	[ "$1" = xballoon ] && _b=$(bench_xbtimes "$5")
	bench_arm "$5" "$1" "$7"
	xl mem-set "$5" "${7}m"
	_w=$(xlab-pod wait "$(lab_domid "$5")" "$7" "$BENCH_TIMEOUT")
	_s=${_w%% *} _kb=${_w#* }
	_s=${_s:-timeout}	# no such domain: no line
	_u=$(bench_usable "$5")
	_cpu=${_u#* }
	[ "$_cpu" = "$_u" ] && _cpu=
	_u=${_u%% *}
	_d=$(( $6 > $7 ? $6 - $7 : $7 - $6 ))
	echo "XB-BENCH driver=$1 kernel=$2 type=$3 dir=$4 round=$8 mib=$_d secs=$_s usable=$_u scrub=$9 xen_kb=$_kb${_cpu:+ $_cpu}"
	if [ "$1" = xballoon ]; then
		echo "$_b $(bench_xbtimes "$5")" | awk -v h="kernel=$2 type=$3 dir=$4 round=$8" \
			'{ printf "XB-BENCH-TIME %s work_us=%d hv_us=%d scrub_us=%d alloc_us=%d map_us=%d dispose_us=%d\n", h, $7 - $1, $8 - $2, $9 - $3, $10 - $4, $11 - $5, $12 - $6 }'
	fi
	if [ "$_s" = timeout ] || [ "$_u" = timeout ]; then
		if [ "$1" = xballoon ]; then
			lab_fail "$1-$3-$4-$8" "did not reach $7 MiB in ${BENCH_TIMEOUT}s (Xen at $_kb KiB, usable $_u)"
		else
			# the baseline not reaching the target is a measurement
			lab_pass "$1-$3-$4-$8" "did not reach $7 MiB in ${BENCH_TIMEOUT}s (Xen at $_kb KiB, usable $_u)"
		fi
	else
		lab_pass "$1-$3-$4-$8" "$_d MiB: Xen ${_s}s, usable ${_u}s"
	fi
}

for line in 61 612; do
for t in pv pvh; do
	kx=xb$line kl=ref$line gx=bx$t$line gl=bl$t$line
	if [ ! -d /lab/kernels/$kl ]; then
		echo "no $kl kernel in this lab (make bench builds it: XENLAB_KERNELS)"
		continue
	fi
	if ! lab_guest "$gx" --type "$t" --mem 1024 --kernel "$kx" --module ||
		! lab_guest "$gl" --type "$t" --mem 1024 --kernel "$kl"; then
		lab_fail "$t$line-boot" "a guest did not come up"
		lab_destroy "$gx"
		lab_destroy "$gl"
		continue
	fi
	sx=$(lab_exec "$gx" 'cat /sys/module/xballoon/parameters/scrub' | tr -d '\r')
	sl=$(lab_exec "$gl" 'cat /sys/devices/system/xen_memory/xen_memory0/scrub_pages' | tr -d '\r')
	case $sx in Y|1) sx=1 ;; *) sx=0 ;; esac
	case $sl in Y|1) sl=1 ;; *) sl=0 ;; esac
	if [ $sx = 1 ] && [ $sl = 1 ]; then
		lab_pass "$t$line-like-for-like" "both drivers zero the pages they give to Xen"
	else
		lab_fail "$t$line-like-for-like" "scrub: xballoon $sx, Linux $sl"
	fi
	sleep 2
	r=1
	while [ $r -le "$BENCH_ROUNDS" ]; do
		if [ $((r % 2)) = 1 ]; then order="xballoon linux"; else order="linux xballoon"; fi
		for dir in give take; do
			for drv in $order; do
				case $drv in xballoon) g=$gx k=$kx s=$sx ;; *) g=$gl k=$kl s=$sl ;; esac
				case $dir in
				give) bench_one "$drv" "$k" "$t" give "$g" 1024 128 "$r" "$s" ;;
				*) bench_one "$drv" "$k" "$t" take "$g" 128 1024 "$r" "$s" ;;
				esac
			done
		done
		r=$((r + 1))
	done
	lab_destroy "$gx"
	lab_destroy "$gl"
done
done
