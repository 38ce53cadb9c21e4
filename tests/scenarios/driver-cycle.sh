# SPDX-License-Identifier: GPL-2.0
# lab-seconds: 140 (measured in a lab of make check, to balance --labs)
# xballoon.ko on both lab kernels, PV and PVH: 1024 -> 256 -> 1024 MiB, each
# target reached within 1% with Xen's view and the driver's report agreeing;
# malformed targets survived and logged; idle for 30 s without CPU; rmmod is
# refused while ballooned and works once the memory is back. The two guests
# of a kernel run side by side.

# report token NAME of guest G (empty if missing)
. ./driver.inc

# wait (up to S seconds) until the report says state is one of WORDS and
# current_kb is within 1% of MiB
drv_wait_report() {
	_w=0
	while [ $_w -lt $(($3 * 10)) ]; do
		_c=$(drv_tok "$1" current_kb)
		case " $4 " in *" $(drv_tok "$1" state) "*)
			[ -n "$_c" ] && drv_near "$_c" $(($2 * 1024)) 1 && return 0 ;;
		esac
		sleep 0.1
		_w=$((_w + 1))
	done
	return 1
}

# one target change: reach MiB within 1% per Xen, then the report agrees
drv_step() {
	_g=$1 _mib=$2 _tag=$3
	xl mem-set "$_g" "${_mib}m"
	if _s=$(lab_wait_xen_mem "$_g" "$_mib" 1 120); then
		lab_pass "$_tag-xen" "Xen at $(lab_xen_mem_kb "$_g") KiB after ${_s}s"
	else
		lab_fail "$_tag-xen" "Xen at $(lab_xen_mem_kb "$_g") KiB, wanted ${_mib} MiB"
	fi
	if drv_wait_report "$_g" "$_mib" 10 "idle at-floor"; then
		_x=$(lab_xen_mem_kb "$_g")
		_c=$(drv_tok "$_g" current_kb)
		if drv_near "$_c" "$_x" 1; then
			lab_pass "$_tag-report" "report current_kb=$_c, Xen $_x KiB, state $(drv_tok "$_g" state)"
		else
			lab_fail "$_tag-report" "report current_kb=$_c but Xen $_x KiB"
		fi
	else
		lab_fail "$_tag-report" "report: $(xenstore-read /local/domain/$(lab_domid "$_g")/data/xballoon/report)"
	fi
}

# first half: boot, load, down to 256 MiB; on 6.1 also malformed targets
cycle_start() {
	g=$1 t=$2 k=$3
	if ! lab_guest "$g" --type "$t" --mem 1024 --kernel "$k" --module; then
		lab_fail "$g-boot" "guest did not come up"
		return 1
	fi
	lab_check "$g-loaded" lab_exec "$g" 'test -f /sys/kernel/xballoon/state && dmesg | grep "xballoon: ready"'
	drv_step "$g" 256 "$g-down"
	lab_exec "$g" 'cd /sys/kernel/xballoon && echo hypercalls=$(cat hypercalls) extents_2m_out=$(cat extents_2m_out) pages_inflated=$(cat pages_inflated) start_latency_us=$(cat start_latency_us)'
	[ "$k" = xb61 ] || return 0

	# malformed targets from dom0: ignored, logged, reported
	p=/local/domain/$(lab_domid "$g")/memory/target
	for bad in abc -5 '' 1e9 ' 12' 0x100000 99999999999999999999999 18014398509481984 "$(printf '262144\001')"; do
		xenstore-write -- "$p" "$bad"
		sleep 0.3
	done
	# a slow guest may still be reading them: up to 15 s
	i=0
	while :; do
		out=$(lab_exec "$g" 'cat /sys/kernel/xballoon/bad_targets; dmesg | grep -c "xballoon: memory/target"')
		nbad=$(echo "$out" | sed -n 1p)
		nlog=$(echo "$out" | sed -n 2p)
		{ [ "${nbad:-0}" -ge 8 ] && [ "$(drv_tok "$g" last_error)" = bad-target ]; } ||
			[ $i -ge 15 ] && break
		sleep 1
		i=$((i + 1))
	done
	if [ "${nbad:-0}" -ge 8 ] && [ "${nlog:-0}" -ge 1 ] &&
		[ "$(drv_tok "$g" last_error)" = bad-target ] &&
		drv_near "$(lab_xen_mem_kb "$g")" $((256 * 1024)) 1; then
		lab_pass "$g-bad-targets" "$nbad rejected, $nlog log lines, still at $(lab_xen_mem_kb "$g") KiB"
	else
		lab_fail "$g-bad-targets" "bad_targets=$nbad log=$nlog last_error=$(drv_tok "$g" last_error) xen=$(lab_xen_mem_kb "$g")"
	fi
	xenstore-write "$p" $((256 * 1024))
	sleep 1
}

# idle for 30 s: no worker run, no report, no CPU. Measured inside each
# guest, the guests of one kernel at the same time, and nothing else runs in
# the lab meanwhile: dom0 only sleeps.
idle_window() {
	for g in "$@"; do
		lab_exec "$g" '(x=/sys/kernel/xballoon; w0=$(cat $x/wakeups) u0=$(cat $x/work_us) r0=$(cat $x/reports)
			set -- $(head -1 /proc/stat); b0=$(($2+$3+$4+$7+$8)); sleep 30
			set -- $(head -1 /proc/stat); b1=$(($2+$3+$4+$7+$8))
			echo $(($(cat $x/wakeups)-w0)) $(($(cat $x/work_us)-u0)) $(($(cat $x/reports)-r0)) $((b1-b0)) >/tmp/idle.tmp
			mv /tmp/idle.tmp /tmp/idle) >/dev/null 2>&1 &'
	done
	sleep 31
	for g in "$@"; do
		set -- $(lab_exec "$g" 'n=0; while [ $n -lt 20 ] && [ ! -f /tmp/idle ]; do sleep 0.5; n=$((n + 1)); done; cat /tmp/idle')
		if [ "$1" = 0 ] && [ "$2" = 0 ] && [ "$3" = 0 ] && [ "${4:-999}" -lt 30 ]; then
			lab_pass "$g-idle-30s" "driver wakeups 0, work 0 us, reports 0; guest busy jiffies $4 in 30 s"
		else
			lab_fail "$g-idle-30s" "wakeups=$1 work_us=$2 reports=$3 guest busy jiffies=$4"
		fi
	done
}

# second half: back up to 1024 MiB, rmmod
cycle_finish() {
	g=$1
	drv_step "$g" 1024 "$g-up"

	# rmmod while ballooned is refused: the module holds the pages (xl
	# mem-set also lowered maxmem, Xen would not give them back). With the
	# guest's memory back it unloads and removes the report.
	xl mem-set "$g" 384m
	lab_wait_xen_mem "$g" 384 1 120 >/dev/null
	if lab_exec "$g" 'rmmod xballoon' >/dev/null 2>&1; then
		lab_fail "$g-rmmod-busy" "rmmod succeeded with 640 MiB ballooned"
	else
		lab_pass "$g-rmmod-busy" "refused with 640 MiB ballooned, report rmmod=$(drv_tok "$g" rmmod)"
	fi
	xl mem-set "$g" 1024m
	lab_wait_xen_mem "$g" 1024 1 120 >/dev/null
	n=0
	while [ $n -lt 150 ] && [ "$(drv_tok "$g" rmmod)" != ok ]; do sleep 0.2; n=$((n + 1)); done
	if lab_exec "$g" 'rmmod xballoon' >/dev/null &&
		drv_near "$(lab_xen_mem_kb "$g")" $((1024 * 1024)) 1 &&
		! xenstore-exists "/local/domain/$(lab_domid "$g")/data/xballoon/report"; then
		lab_pass "$g-rmmod" "unloaded at $(lab_xen_mem_kb "$g") KiB, report removed"
	else
		lab_fail "$g-rmmod" "Xen at $(lab_xen_mem_kb "$g") KiB after rmmod"
	fi
	lab_exec "$g" 'dmesg | grep xballoon | tail -5'
	lab_destroy "$g"
}

# PV and PVH of one kernel side by side, their idle windows together (6.1)
for k in xb61 xb612; do
	up=
	for t in pv pvh; do
		cycle_start "$t$k" "$t" "$k" && up="$up $t$k"
	done
	# shellcheck disable=SC2086
	[ "$k" != xb61 ] || [ -z "$up" ] || idle_window $up
	for g in $up; do
		cycle_finish "$g"
	done
done
