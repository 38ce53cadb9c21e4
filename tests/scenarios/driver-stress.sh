# SPDX-License-Identifier: GPL-2.0
# lab-seconds: 118 (measured in a lab of make check, to balance --labs)
# Guest pressure and the floor: stress-ng --vm needs more than the target
# leaves; the workload is not OOM-killed, memory comes back from the balloon
# and the state says so; afterwards the driver returns to the target. A target
# below the floor stops at the floor, state at-floor.
#
# The target is set with `xballoon mem-set --keep-maxmem`: a plain `xl
# mem-set` (or `xballoon mem-set`) also lowers maxmem to the target, after
# which Xen refuses any page above it and deflating under pressure is
# impossible (see docs/driver.md, "OOM policy").

. ./driver.inc

for t in pv pvh; do
	g=st$t
	if ! lab_guest "$g" --type "$t" --mem 1024 --kernel xb61 --module --stress ||
		! lab_exec "$g" 'test -d /sys/kernel/xballoon'; then
		# a lab whose --stress initramfs lacks the module: without stress-ng
		lab_fail "$g-stress-guest" "no xballoon.ko in the --stress guest; again without stress-ng"
		lab_destroy "$g"
		if ! lab_guest "$g" --type "$t" --mem 1024 --kernel xb61 --module ||
			! lab_exec "$g" 'test -d /sys/kernel/xballoon'; then
			lab_fail "$g-loaded" "xballoon.ko not loaded"
			lab_destroy "$g"
			continue
		fi
	fi
	lab_check "$g-has-stress-ng" lab_exec "$g" 'command -v stress-ng'
	xballoon mem-set "$g" 256m --keep-maxmem
	maxmem=$(xentop -b -i 1 | awk -v n="$g" '$1 == n {print $7}')
	if [ "$maxmem" = $((1024 * 1024 + 1024)) ]; then
		lab_pass "$g-keep-maxmem" "target 256 MiB, Xen's maxmem still $maxmem KiB"
	else
		lab_fail "$g-keep-maxmem" "Xen's maxmem $maxmem KiB, wanted static-max + 1 MiB"
	fi
	lab_check "$g-at-256" lab_wait_xen_mem "$g" 256 1 120

	# the workload: stress-ng --vm (600 MiB, kept) or, if this guest has no
	# stress-ng, the same amount written to tmpfs (unswappable in this guest)
	out=$(lab_exec "$g" 'k0=$(sed -n "s/^oom_kill //p" /proc/vmstat)
		if command -v stress-ng >/dev/null; then
			stress-ng --vm 1 --vm-bytes 600M --vm-keep --timeout 20s >/tmp/st.log 2>&1; rc=$?
		else
			echo "no stress-ng in this guest: 600 MiB into tmpfs instead" >/tmp/st.log
			mkdir -p /hog && mount -t tmpfs -o size=800m hog /hog
			dd if=/dev/zero of=/hog/fill bs=1M count=600 2>>/tmp/st.log; rc=$?
			sleep 5; rm -f /hog/fill; umount /hog
		fi
		echo rc=$rc oom_kill=$(($(sed -n "s/^oom_kill //p" /proc/vmstat) - k0)) \
			state=$(cat /sys/kernel/xballoon/state) oom_deflates=$(cat /sys/kernel/xballoon/oom_deflates) \
			oom_kb=$(($(cat /sys/kernel/xballoon/oom_pages) * 4))
		tail -3 /tmp/st.log; dmesg | grep -i -c "killed process"')
	echo "$out" | sed 's/^/  | /'
	set -- $(echo "$out" | sed -n 1p)
	rc=${1#rc=} kills=${2#oom_kill=} state=${3#state=} defl=${4#oom_deflates=}
	if [ "$rc" = 0 ] && [ "$kills" = 0 ] && [ "$(echo "$out" | tail -1)" = 0 ]; then
		lab_pass "$g-not-oom-killed" "workload rc=0, 0 OOM kills"
	else
		lab_fail "$g-not-oom-killed" "workload rc=$rc, OOM kills $kills"
	fi
	# the guest's state is read as the workload ends; by the time dom0 reads
	# the report the driver may already be back at its target (state idle),
	# so the report is checked by its cumulative counter
	if [ "${defl:-0}" -gt 0 ] && [ "$state" = oom-deflated ] &&
		[ "$(drv_tok "$g" oom_deflates)" -gt 0 ]; then
		lab_pass "$g-deflated-under-pressure" "$defl deflates, ${5#oom_kb=} KiB, state $state, report oom_deflates=$(drv_tok "$g" oom_deflates)"
	else
		lab_fail "$g-deflated-under-pressure" "oom_deflates=$defl state=$state report state=$(drv_tok "$g" state)"
	fi
	# the workload is gone: back to the target after the backoff
	if s=$(lab_wait_xen_mem "$g" 256 1 120); then
		lab_pass "$g-back-to-target" "at $(lab_xen_mem_kb "$g") KiB ${s}s after the workload"
	else
		lab_fail "$g-back-to-target" "at $(lab_xen_mem_kb "$g") KiB, state $(drv_tok "$g" state)"
	fi

	# below the floor: stop at the floor and say so. On a fresh guest without
	# stress-ng: its 25 MiB of files sit in the guest's unswappable rootfs,
	# and the driver rightly keeps that much above the floor.
	lab_destroy "$g"
	if ! lab_guest "$g" --type "$t" --mem 1024 --kernel xb61 --module; then
		lab_fail "$g-at-floor" "guest without stress-ng did not come up"
		continue
	fi
	p=/local/domain/$(lab_domid "$g")/memory/target
	xenstore-write "$p" $((32 * 1024))
	floor=$(lab_exec "$g" 'cat /sys/kernel/xballoon/floor_kb')
	if [ -n "$floor" ] && s=$(lab_wait_xen_mem "$g" $((floor / 1024)) 1 120); then
		n=0
		while [ $n -lt 50 ] && [ "$(drv_tok "$g" state)" != at-floor ]; do sleep 0.1; n=$((n + 1)); done
		if [ "$(drv_tok "$g" state)" = at-floor ] && [ "$(drv_tok "$g" last_error)" = below-floor ] &&
			[ "$(drv_tok "$g" floor_kb)" = "$floor" ]; then
			lab_pass "$g-at-floor" "target 32 MiB, stopped at floor $floor KiB (Xen $(lab_xen_mem_kb "$g") KiB)"
		else
			lab_fail "$g-at-floor" "report: $(xenstore-read /local/domain/$(lab_domid "$g")/data/xballoon/report)"
		fi
	else
		lab_fail "$g-at-floor" "floor ${floor:-?} KiB not reached: Xen at $(lab_xen_mem_kb "$g") KiB"
	fi
	lab_destroy "$g"
done
