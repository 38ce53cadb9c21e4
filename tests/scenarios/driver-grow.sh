# SPDX-License-Identifier: GPL-2.0
# lab-seconds: 230 (192 s and 225 s measured alone, one lab)
# Growing past the boot size (issue 9 section 5): a guest booted with
# memory=512, maxmem=1024 reaches 1024 MiB when its target is 1024 MiB,
# goes back down, and a workload that needs the grown memory runs without an
# OOM kill. xballoon.ko on PV (the memory map's extra region, held by Linux's
# balloon.c), and PVH (populate-on-demand), each with Linux's own driver
# side by side (ref61).

. ./driver.inc

# the workload: 700 MiB written to a tmpfs (no swap in the guest: it must
# stay in memory; more than a 512 MiB guest holds). Not stress-ng --vm,
# which backs off when memory runs low. Prints "rc= kills= memtotal_kb=".
GROW_HOG='k0=$(sed -n "s/^oom_kill //p" /proc/vmstat)
	mkdir -p /hog && mount -t tmpfs -o size=900m hog /hog
	dd if=/dev/zero of=/hog/fill bs=1M count=700 2>/tmp/dd.log; rc=$?
	echo rc=$rc kills=$(($(sed -n "s/^oom_kill //p" /proc/vmstat) - k0)) \
		memtotal_kb=$(sed -n "s/^MemTotal: *\([0-9]*\) kB/\1/p" /proc/meminfo)
	tail -1 /tmp/dd.log
	rm -f /hog/fill; umount /hog'

# grow_hog GUEST NAME: run the workload, check it ran and nothing was killed
grow_hog() {
	LAB_EXEC_TIMEOUT=180
	out=$(lab_exec "$1" "$GROW_HOG")
	LAB_EXEC_TIMEOUT=300
	echo "$out" | sed 's/^/  | /'
	case $(echo "$out" | head -1) in
	"rc=0 kills=0 "*)
		lab_pass "$2" "700 MiB in a tmpfs, no OOM kill; $(echo "$out" | head -1 | cut -d' ' -f3)" ;;
	*) lab_fail "$2" "$(echo "$out" | head -1)" ;;
	esac
}

maxmem_kb() { xentop -b -i 1 | awk -v n="$1" '$1 == n {print $7}'; }

# grow_balloon_kb GUEST KERNEL: what the guest's balloon driver holds, KiB
grow_balloon_kb() {
	if [ "$2" = ref61 ]; then
		# on PoD Xen's count is at the target at once, while Linux's
		# driver may still be deflating: up to 60 s for it to be empty
		lab_exec "$1" 'cd /sys/devices/system/xen_memory/xen_memory0/info &&
			for i in $(seq 60); do
				b=$(($(cat low_kb) + $(cat high_kb)))
				[ $b -le 10240 ] && break
				sleep 1
			done; echo $b'
	else
		drv_wait_state "$1" idle
		drv_tok "$1" balloon_kb
	fi
}

# grow_to CHECK GUEST MiB WHAT: xl mem-set (maxmem raised first), then Xen's
# count within 1 % of MiB in 120 s
grow_to() {
	xl mem-set "$2" "${3}m"
	if s=$(lab_wait_xen_mem "$2" "$3" 1 120); then
		lab_pass "$1" "$4 in ${s}s (Xen $(lab_xen_mem_kb "$2") KiB)"
	else
		lab_fail "$1" "$4: Xen $(lab_xen_mem_kb "$2") KiB"
	fi
}

# ---- xballoon.ko, PV ----------------------------------------------------
g=grow
if lab_guest "$g" --type pv --mem 512 --maxmem 1024 --kernel xb61 --module; then
	d=$(lab_domid "$g")
	lab_exec "$g" 'dmesg | grep -E "xballoon: ready|Memory:"' | sed 's/^/  | /'
	# what the driver sees at load: boot size, and how far it can grow
	if [ "$(drv_tok "$g" boot_kb)" = 524288 ] && [ "$(drv_tok "$g" max_kb)" = 1048576 ]; then
		lab_pass "pv-ceiling" "boot_kb 524288, max_kb 1048576 (Linux's balloon holds $(lab_exec "$g" 'cat /sys/kernel/xballoon/pool_kb') KiB)"
	else
		lab_fail "pv-ceiling" "report: $(xlab-xs read /local/domain/$d/data/xballoon/report)"
	fi

	# maxmem not raised (memory/target written straight): the driver takes
	# what Xen allows (maxmem 513 MiB) and says Xen refuses the rest
	xlab-xs write /local/domain/$d/memory/target $((1024 * 1024))
	drv_wait_state "$g" refused
	xk=$(lab_xen_mem_kb "$g")
	if [ "$(drv_tok "$g" state)" = refused ] && [ "$(drv_tok "$g" last_error)" = hv-refused ] &&
		[ "${xk:-0}" -le "$(maxmem_kb "$g")" ]; then
		lab_pass "pv-maxmem-refused" "Xen $xk KiB, maxmem $(maxmem_kb "$g") KiB: state refused, hard_limit_kb $(drv_tok "$g" hard_limit_kb)"
	else
		lab_fail "pv-maxmem-refused" "Xen $xk KiB; report: $(xlab-xs read /local/domain/$d/data/xballoon/report)"
	fi
	# maxmem raised later, no new target: caught up after the backoff
	xl mem-max "$g" 1025m
	if s=$(lab_wait_xen_mem "$g" 1024 1 120); then
		drv_wait_state "$g" idle
		if [ "$(drv_tok "$g" current_kb)" = 1048576 ] && [ "$(drv_tok "$g" state)" = idle ]; then
			lab_pass "pv-maxmem-raised" "1024 MiB ${s}s after maxmem was raised, no new target (Xen $(lab_xen_mem_kb "$g") KiB, MemTotal $(lab_exec "$g" 'sed -n "s/^MemTotal: *//p" /proc/meminfo'))"
		else
			lab_fail "pv-maxmem-raised" "report: $(xlab-xs read /local/domain/$d/data/xballoon/report)"
		fi
	else
		lab_fail "pv-maxmem-raised" "Xen $(lab_xen_mem_kb "$g") KiB"
	fi

	# down to the boot size and below, then up again with xl mem-set
	grow_to "pv-down" "$g" 384 "1024 -> 384 MiB"
	lab_log "$g: rmmod=$(drv_tok "$g" rmmod) at 384 MiB"
	xl mem-set "$g" 1024m
	if s=$(lab_wait_xen_mem "$g" 1024 1 120) && drv_wait_state "$g" idle &&
		[ "$(drv_tok "$g" current_kb)" = 1048576 ]; then
		lab_pass "pv-grow" "384 -> 1024 MiB by xl mem-set in ${s}s; Xen $(lab_xen_mem_kb "$g") KiB, report current_kb $(drv_tok "$g" current_kb) balloon_kb $(drv_tok "$g" balloon_kb) state $(drv_tok "$g" state) rmmod=$(drv_tok "$g" rmmod)"
	else
		lab_fail "pv-grow" "Xen $(lab_xen_mem_kb "$g") KiB; report: $(xlab-xs read /local/domain/$d/data/xballoon/report)"
	fi
	grow_hog "$g" "pv-workload"
	lab_exec "$g" 'grep . /sys/kernel/xballoon/claimed_kb /sys/kernel/xballoon/pool_kb /sys/kernel/xballoon/map_failures /sys/kernel/xballoon/quarantine_kb' | sed 's/^/  | /'
	# at full size nothing is held: rmmod works
	if [ "$(drv_tok "$g" rmmod)" = ok ] &&
		lab_exec "$g" 'rmmod xballoon && ! test -d /sys/kernel/xballoon' >/dev/null; then
		lab_pass "pv-rmmod" "unloaded at 1024 MiB"
	else
		lab_fail "pv-rmmod" "rmmod=$(drv_tok "$g" rmmod)"
	fi
	lab_destroy "$g"
else
	lab_fail "pv-boot" "guest did not come up"
fi

# ---- PVH, and Linux's driver, side by side -------------------------------
# grow_case NAME TYPE KERNEL [--module]: 512 -> 1024 MiB by xl mem-set (it
# raises maxmem first), the workload, back down to 384 MiB. A PVH guest
# with memory below maxmem is built with populate-on-demand (libxl): its
# memory map already spans maxmem and the driver balloons down to memory at
# boot, so growing is taking back the balloon.
grow_case() {
	g=$1 t=$2 k=$3 who="xballoon.ko"
	[ "$k" = ref61 ] && who="Linux's driver"
	if ! lab_guest "$g" --type "$t" --mem 512 --maxmem 1024 --kernel "$k" $4; then
		lab_fail "$g-boot" "guest did not come up"
		return
	fi
	lab_exec "$g" 'sed -n "s/^MemTotal: *//p" /proc/meminfo' | sed "s/^/  | $t $k MemTotal at boot: /"
	lab_log "$g: Xen $(lab_xen_mem_kb "$g") KiB, maxmem $(maxmem_kb "$g") KiB at boot"
	grow_to "$g-grow" "$g" 1024 "$who, $t: 512 -> 1024 MiB by xl mem-set"
	# the guest's own balloon is empty: on PoD (PVH) Xen's count follows
	# the PoD target whatever the guest does, so this is the check there
	b=$(grow_balloon_kb "$g" "$k")
	if [ -n "$b" ] && [ "$b" -le 10240 ]; then
		lab_pass "$g-balloon-empty" "$who, $t: the guest's balloon holds $b KiB at 1024 MiB (at most 1 %)"
	else
		lab_fail "$g-balloon-empty" "$who, $t: balloon ${b:-?} KiB"
	fi
	grow_hog "$g" "$g-workload"
	grow_to "$g-down" "$g" 384 "$who, $t: 1024 -> 384 MiB"
	lab_destroy "$g"
}
grow_case refpv pv ref61
grow_case pv612 pv xb612 --module
grow_case pvh pvh xb61 --module
grow_case refpvh pvh ref61
