# SPDX-License-Identifier: GPL-2.0
# lab-seconds: 70 (55 s measured alone before the OOM check)
# lab-needs: deb61
# Debian's stock kernel (linux-image-amd64, the lab's dom0 kernel) booted as a
# PV domU, with xballoon.ko built against the matching linux-headers package
# (issue 9 section 4): the kernel has Linux's balloon driver built in, so the
# module loads in companion mode; Debian 12's kernel has PSI on by default.

. ./driver.inc

g=deb
if ! lab_guest "$g" --type pv --mem 512 --maxmem 768 --kernel deb61; then
	lab_fail "debian-boot" "Debian's kernel did not come up as a PV domU"
	return 0
fi
d=$(lab_domid "$g")
rp=/local/domain/$d/data/xballoon/report
out=$(lab_exec "$g" 'uname -r; insmod /lib/xballoon/xballoon.ko; echo rc=$?; dmesg | grep xballoon')
echo "$out" | sed 's/^/  | /'
n=0
while [ $n -lt 50 ] && [ -z "$(drv_tok "$g" mode)" ]; do sleep 0.2; n=$((n + 1)); done
if [ "$(drv_tok "$g" mode)" = companion ] && [ -n "$(drv_tok "$g" psi_some_total_us)" ]; then
	lab_pass "debian-companion" "$(echo "$out" | sed -n 1p): report $(xlab-xs read "$rp")"
else
	lab_fail "debian-companion" "report: $(xlab-xs read "$rp" 2>&1)"
fi
xl mem-set "$g" 384m
if s=$(lab_wait_xen_mem "$g" 384 2 120); then
	n=0
	while [ $n -lt 50 ] && { [ "$(drv_tok "$g" state)" != idle ] ||
		[ "$(drv_tok "$g" target_kb)" != $((384 * 1024)) ]; }; do sleep 0.2; n=$((n + 1)); done
	if [ "$(drv_tok "$g" target_kb)" = $((384 * 1024)) ]; then
		lab_pass "debian-mem-set" "512->384 MiB by Linux's driver in ${s}s; report state $(drv_tok "$g" state), balloon $(drv_tok "$g" balloon_kb) KiB"
	else
		lab_fail "debian-mem-set" "report: $(xlab-xs read "$rp")"
	fi
else
	lab_fail "debian-mem-set" "Xen sees $(lab_xen_mem_kb "$g") KiB"
fi
# OOM deflate through Linux's driver, with room up to maxmem 768 MiB (xl
# mem-set capped it at 385 MiB): 330 MiB into a tmpfs at a 320 MiB target
xl mem-max "$g" 768m
xlab-xs write "/local/domain/$d/memory/target" $((320 * 1024))
lab_wait_xen_mem "$g" 320 2 120 >/dev/null
od0=$(drv_tok "$g" oom_deflates) p0=$(drv_tok "$g" psi_some_total_us)
LAB_EXEC_TIMEOUT=120
out=$(lab_exec "$g" 'mkdir -p /hog && mount -t tmpfs -o size=600m hog /hog
	dd if=/dev/zero of=/hog/fill bs=1M count=330 2>&1 | tail -1
	dmesg | grep -E "xballoon: guest short|Killed process" | tail -3
	echo kills=$(dmesg | grep -c "Killed process")')
LAB_EXEC_TIMEOUT=300
echo "$out" | sed 's/^/  | /'
# read while the 330 MiB are still held (after they go, the driver may
# already have given the memory back)
od1=$(drv_tok "$g" oom_deflates) p1=$(drv_tok "$g" psi_some_total_us)
xk=$(lab_xen_mem_kb "$g")
lab_exec "$g" 'rm -f /hog/fill; umount /hog' >/dev/null
if [ "${od1:-0}" -gt "${od0:-0}" ] && [ "${xk:-0}" -gt $((330 * 1024)) ] &&
	case $out in *kills=0*) true ;; *) false ;; esac; then
	lab_pass "debian-oom-deflate" "oom_deflates ${od0:-?}->$od1, Xen $xk KiB above the 320 MiB target, nothing killed; PSI some total ${p0:-?}->${p1:-?} us"
else
	lab_fail "debian-oom-deflate" "oom_deflates ${od0:-?}->${od1:-?}, Xen $xk KiB; report: $(xlab-xs read "$rp")"
fi
if lab_exec "$g" 'rmmod xballoon' >/dev/null && ! xlab-xs read "$rp" >/dev/null 2>&1; then
	lab_pass "debian-rmmod" "unloaded, report removed"
else
	lab_fail "debian-rmmod" "rmmod failed or the report stayed"
fi
lab_destroy "$g"
