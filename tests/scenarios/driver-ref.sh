# SPDX-License-Identifier: GPL-2.0
# lab-seconds: 35 (31 s measured alone, one lab)
# Companion mode (issue 9 section 4): on a kernel with Linux's own Xen
# balloon driver (ref61, CONFIG_XEN_BALLOON=y), xballoon.ko loads as its
# companion: Linux's driver keeps applying memory/target, xballoon.ko writes
# the report (mode=companion, the balloon as balloon_stats says, memory
# health, PSI) and on OOM raises Linux's target within maxmem.

. ./driver.inc

g=ref
# maxmem above memory: room for the OOM deflate to borrow
if ! lab_guest "$g" --type pv --mem 512 --maxmem 768 --kernel ref61 --stress; then
	lab_fail "ref-boot" "guest did not come up"
	return 0
fi
d=$(lab_domid "$g")
rp=/local/domain/$d/data/xballoon/report
tp=/local/domain/$d/memory/target
out=$(lab_exec "$g" 'insmod /lib/xballoon/xballoon.ko oom_kb=65536; echo rc=$?; dmesg | grep xballoon')
echo "$out" | sed 's/^/  | /'
n=0
while [ $n -lt 50 ] && [ -z "$(drv_tok "$g" mode)" ]; do sleep 0.2; n=$((n + 1)); done
case $out in
*"rc=0"*"companion mode"*)
	if [ "$(drv_tok "$g" mode)" = companion ]; then
		lab_pass "ref-companion-loads" "report: $(xlab-xs read "$rp")"
	else
		lab_fail "ref-companion-loads" "loaded, report: $(xlab-xs read "$rp" 2>&1)"
	fi ;;
*) lab_fail "ref-companion-loads" "insmod failed or no companion message" ;;
esac

# mem-set still works, through Linux's driver; the report follows it
xl mem-set "$g" 384m
if s=$(lab_wait_xen_mem "$g" 384 2 120); then
	n=0
	while [ $n -lt 50 ] && { [ "$(drv_tok "$g" state)" != idle ] ||
		[ "$(drv_tok "$g" target_kb)" != $((384 * 1024)) ]; }; do sleep 0.2; n=$((n + 1)); done
	b=$(drv_tok "$g" balloon_kb)
	if [ "$(drv_tok "$g" state)" = idle ] && [ "$(drv_tok "$g" target_kb)" = $((384 * 1024)) ] &&
		[ "${b:-0}" -ge $((120 * 1024)) ]; then
		lab_pass "ref-companion-mem-set" "512->384 MiB by Linux's driver in ${s}s; report idle, target 384 MiB, balloon $b KiB"
	else
		lab_fail "ref-companion-mem-set" "report: $(xlab-xs read "$rp")"
	fi
else
	lab_fail "ref-companion-mem-set" "Xen sees $(lab_xen_mem_kb "$g") KiB"
fi

# OOM deflate. xl mem-set above capped maxmem at 385 MiB (target + 1 MiB):
# give the domain room again (maxmem 768 MiB), and lower the target by
# writing memory/target straight (which leaves maxmem alone). 330 MiB
# written to a tmpfs (no swap, nothing to reclaim) then reaches the OOM
# notifier, which raises Linux's target: nothing is killed. (stress-ng
# backs off when memory runs low and never got that far in this guest.)
hog='mkdir -p /hog && mount -t tmpfs -o size=600m hog /hog
	dd if=/dev/zero of=/hog/fill bs=1M count=330 2>&1 | tail -1; echo dd=$?
	cat /sys/devices/system/xen_memory/xen_memory0/target_kb
	dmesg | grep -E "xballoon: guest short|Killed process" | tail -3
	echo kills=$(dmesg | grep -c "Killed process")'
xl mem-max "$g" 768m
xlab-xs write "$tp" $((320 * 1024))
lab_wait_xen_mem "$g" 320 2 120 >/dev/null
od0=$(drv_tok "$g" oom_deflates)
LAB_EXEC_TIMEOUT=120
out=$(lab_exec "$g" "$hog")
echo "$out" | sed 's/^/  | /'
# read while the 330 MiB are still held
od1=$(drv_tok "$g" oom_deflates)
xk=$(lab_xen_mem_kb "$g")
lab_exec "$g" 'rm -f /hog/fill; umount /hog' >/dev/null
if [ "${od1:-0}" -gt "${od0:-0}" ] && [ "${xk:-0}" -gt $((330 * 1024)) ] &&
	case $out in *kills=0*) true ;; *) false ;; esac; then
	lab_pass "ref-companion-oom-deflate" "oom_deflates ${od0:-?}->$od1, Xen now $xk KiB above the 320 MiB target, nothing killed, state $(drv_tok "$g" state)"
else
	lab_fail "ref-companion-oom-deflate" "oom_deflates ${od0:-?}->${od1:-?}, Xen $xk KiB; report: $(xlab-xs read "$rp")"
fi
# maxmem is the bound: after xl mem-set (maxmem = target + 1 MiB) the raise
# stops at maxmem and the OOM killer does the rest. The workload is
# anonymous memory (one 280 MiB dd buffer), which the kill frees: a tmpfs
# file would stay and wedge the guest (seen in the lab).
xl mem-set "$g" 320m
lab_wait_xen_mem "$g" 320 2 120 >/dev/null
LAB_EXEC_TIMEOUT=120
out=$(lab_exec "$g" 'dmesg -c >/dev/null; dd if=/dev/zero of=/dev/null bs=280M count=1 2>&1 | tail -1
	dmesg | grep -E "xballoon: guest short|Killed process" | tail -4
	echo kills=$(dmesg | grep -c "Killed process")')
LAB_EXEC_TIMEOUT=300
echo "$out" | sed 's/^/  | /'
xk=$(lab_xen_mem_kb "$g")
# every raise logged: "raised Linux's balloon target to T KiB (maxmem M KiB)"
over=$(echo "$out" | sed -n 's/.*target to \([0-9]*\) KiB (maxmem \([0-9]*\) KiB).*/\1 \2/p' |
	awk '$1 > $2 {n++} END {print n + 0}')
raises=$(echo "$out" | grep -c 'guest short')
if [ "$raises" -gt 0 ] && [ "$over" = 0 ] && [ "${xk:-0}" -le $((321 * 1024)) ] &&
	lab_exec "$g" true >/dev/null; then
	lab_pass "ref-companion-oom-maxmem" "$raises raise(s), none above maxmem; Xen $xk KiB; $(echo "$out" | sed -n 's/^kills=//p') OOM kill(s); guest answers"
else
	lab_fail "ref-companion-oom-maxmem" "$raises raises, $over above maxmem, Xen $xk KiB"
fi
# and a new target from dom0 is applied again by Linux's driver
xl mem-set "$g" 448m
if s=$(lab_wait_xen_mem "$g" 448 2 120); then
	n=0
	while [ $n -lt 50 ] && [ "$(drv_tok "$g" state)" != idle ]; do sleep 0.2; n=$((n + 1)); done
	lab_pass "ref-companion-after" "448 MiB in ${s}s; report state $(drv_tok "$g" state), target $(drv_tok "$g" target_kb) KiB"
else
	lab_fail "ref-companion-after" "Xen sees $(lab_xen_mem_kb "$g") KiB"
fi
# rmmod: nothing held in companion mode (rmmod=ok), the report goes away
if [ "$(drv_tok "$g" rmmod)" = ok ]; then
	lab_pass "ref-companion-rmmod-ok" "the report says rmmod=ok"
else
	lab_fail "ref-companion-rmmod-ok" "rmmod=$(drv_tok "$g" rmmod)"
fi
lab_exec "$g" 'rmmod xballoon; echo rc=$?' | sed 's/^/  | /'
if xlab-xs read "$rp" >/dev/null 2>&1; then
	lab_fail "ref-companion-rmmod" "report still there: $(xlab-xs read "$rp")"
else
	lab_pass "ref-companion-rmmod" "unloaded, report removed"
fi
lab_destroy "$g"
