# SPDX-License-Identifier: GPL-2.0
# lab-seconds: 100 (99 s in a lab of two side by side)
# Reclaim while reports are written. stress-ng --vm needs more than the target
# leaves, so the kernel reclaims all the time and calls the driver's
# shrinker (and OOM notifier), while dom0 changes the target every second and
# the driver writes a report at its shortest interval. Neither pressure hook
# may wait for a lock that a report writer holds while xenbus allocates: the
# guest must keep answering, the report must keep advancing, and afterwards
# a target must still be applied. The exact instant (reclaim inside a report
# write reaching the shrinker) is then made on purpose (inject=4).

. ./driver.inc

g=rcl
if ! lab_guest "$g" --type pv --mem 1024 --kernel xb61 --stress; then
	lab_fail "reclaim-boot" "guest did not come up"
	return 0
fi
lab_check "reclaim-has-stress-ng" lab_exec "$g" 'command -v stress-ng'
# the shortest report intervals the driver accepts (it clamps what is below)
lab_exec "$g" 'insmod /lib/xballoon/xballoon.ko report_min_ms=1 report_period_ms=1;
	cat /sys/module/xballoon/parameters/report_min_ms /sys/module/xballoon/parameters/report_period_ms'
d=$(lab_domid "$g")
tp=/local/domain/$d/memory/target
# memory/target written directly: maxmem stays at static-max, so pressure
# can take pages back
xlab-xs write "$tp" $((384 * 1024))
lab_check "reclaim-at-384" lab_wait_xen_mem "$g" 384 1 120
seq0=$(drv_tok "$g" seq)

# 60 s of stress-ng --vm, 600 MiB mapped and unmapped over and over: more
# than the target leaves, so the balloon is deflated under pressure, given
# back when the workers unmap, and so on
lab_exec "$g" '(stress-ng --vm 2 --vm-bytes 600M --timeout 60s >/tmp/st.log 2>&1; echo $? >/tmp/st.rc) >/dev/null 2>&1 &'
LAB_EXEC_TIMEOUT=60
t0=$(date +%s) i=0 slow=0 worst=0 lost=0
while [ $(($(date +%s) - t0)) -lt 70 ]; do
	case $((i % 2)) in 0) kb=$((352 * 1024)) ;; *) kb=$((448 * 1024)) ;; esac
	xlab-xs write "$tp" "$kb" || lab_log "target write failed"
	i=$((i + 1))
	if [ $((i % 4)) = 0 ]; then
		a=$(date +%s)
		if ! lab_exec "$g" 'cat /sys/kernel/xballoon/state' >/dev/null; then
			lost=$((lost + 1))
			lab_log "guest did not answer in ${LAB_EXEC_TIMEOUT}s"
		fi
		b=$(($(date +%s) - a))
		[ $b -le "$worst" ] || worst=$b
		[ $b -lt 10 ] || slow=$((slow + 1))
	fi
	sleep 1
done
LAB_EXEC_TIMEOUT=300
seq1=$(drv_tok "$g" seq)
if [ "$lost" = 0 ]; then
	lab_pass "reclaim-guest-answers" "$i target changes; every probe answered, slowest ${worst}s ($slow over 10 s)"
else
	lab_fail "reclaim-guest-answers" "$lost probes unanswered in 60 s, slowest ${worst}s"
fi
if [ -n "$seq1" ] && [ "$seq1" -gt $((${seq0:-0} + 10)) ]; then
	lab_pass "reclaim-reports-advance" "report seq $seq0 -> $seq1 during the stress"
else
	lab_fail "reclaim-reports-advance" "report seq ${seq0:-?} -> ${seq1:-?}"
fi
out=$(lab_exec "$g" 'n=0; while [ ! -f /tmp/st.rc ] && [ $n -lt 60 ]; do sleep 1; n=$((n + 1)); done
	cd /sys/kernel/xballoon && echo $(cat oom_deflates) $(cat oom_pages) $(cat reports) $(cat state)
	echo stress_rc=$(cat /tmp/st.rc 2>/dev/null); tail -3 /tmp/st.log
	echo OOM kills: $(dmesg | grep -ci "killed process")')
echo "$out" | sed 's/^/  | /'
set -- $(echo "$out" | sed -n 1p)
if [ "${1:-0}" -gt 0 ]; then
	lab_pass "reclaim-pressure-reached" "$1 pressure deflates, $(($2 * 4)) KiB, during the stress"
else
	lab_fail "reclaim-pressure-reached" "no pressure deflate: the stress did not reach the driver's hooks"
fi

# the shrinker inside a report write (what reclaim in xenbus_write's
# allocation does; made on purpose with inject=4, the stress above rarely
# hits that instant): the guest still answers, reports go on, a target is
# applied
xlab-xs write "$tp" $((320 * 1024))
lab_wait_xen_mem "$g" 320 1 60 >/dev/null
seq0=$(drv_tok "$g" seq)
LAB_EXEC_TIMEOUT=60
lab_exec "$g" 'echo 4 >/sys/module/xballoon/parameters/inject'
xlab-xs write "$tp" $((336 * 1024))
sleep 3
xlab-xs write "$tp" $((352 * 1024))
if out=$(lab_exec "$g" 'dmesg | grep "inject: shrinker"') && [ -n "$out" ] &&
	s=$(lab_wait_xen_mem "$g" 352 1 60) && [ "$(drv_tok "$g" seq)" -gt $((seq0 + 1)) ]; then
	lab_pass "reclaim-shrinker-in-report" "${out#*] }; guest answers, target applied ${s}s later, report seq $seq0 -> $(drv_tok "$g" seq)"
else
	lab_fail "reclaim-shrinker-in-report" "guest answer: '${out:-none}', Xen at $(lab_xen_mem_kb "$g") KiB, report seq $seq0 -> $(drv_tok "$g" seq)"
fi
LAB_EXEC_TIMEOUT=300

# afterwards a new target is still applied, and reported
xlab-xs write "$tp" $((512 * 1024))
if s=$(lab_wait_xen_mem "$g" 512 1 120); then
	n=0
	while [ $n -lt 50 ] && [ "$(drv_tok "$g" state)" != idle ]; do sleep 0.2; n=$((n + 1)); done
	if [ "$(drv_tok "$g" state)" = idle ] && [ "$(drv_tok "$g" target_kb)" = $((512 * 1024)) ]; then
		lab_pass "reclaim-target-after" "512 MiB reached ${s}s after the stress, report idle"
	else
		lab_fail "reclaim-target-after" "report: $(xlab-xs read "/local/domain/$d/data/xballoon/report")"
	fi
else
	lab_fail "reclaim-target-after" "Xen at $(lab_xen_mem_kb "$g") KiB, wanted 512 MiB"
fi
lab_destroy "$g"
