# SPDX-License-Identifier: GPL-2.0
# lab-seconds: 99 (measured alone, one lab)
# PSI in the report (issue 10): the lab guest kernels have CONFIG_PSI, the
# report carries psi_some/full_avg10_milli and _total_us; a guest squeezed
# below its working set (stress-ng --vm over a lowered target) stalls on
# memory, and its report shows it without dom0 asking: the shrinker kicks
# the report, the work item samples /proc/pressure/memory.

. ./driver.inc

g=psi
if ! lab_guest "$g" --type pv --mem 768 --kernel xb61 --stress --module; then
	lab_fail "psi-boot" "guest did not come up"
	return 0
fi
d=$(lab_domid "$g")
rp=/local/domain/$d/data/xballoon/report
n=0
while [ $n -lt 50 ] && [ -z "$(drv_tok "$g" psi_some_total_us)" ]; do sleep 0.2; n=$((n + 1)); done
lab_exec "$g" 'cat /proc/pressure/memory; dmesg | grep "xballoon: PSI"' | sed 's/^/  | /'
if [ -n "$(drv_tok "$g" psi_some_total_us)" ] && [ -n "$(drv_tok "$g" psi_full_avg10_milli)" ]; then
	lab_pass "psi-fields" "report: $(xlab-xs read "$rp" | tr ' ' '\n' | grep '^psi_' | tr '\n' ' ')"
else
	lab_fail "psi-fields" "report: $(xlab-xs read "$rp")"
fi
# issue 9 section 3: the report carries Xen's count next to the driver's
xc=$(drv_tok "$g" xen_current_kb) xk=$(lab_xen_mem_kb "$g")
if [ -n "$xc" ] && [ "$xc" = "$xk" ] && [ "$(drv_tok "$g" others_kb)" = 0 ]; then
	lab_pass "psi-xen-count" "xen_current_kb $xc = Xen's tot_pages as dom0 reads it, others_kb 0"
else
	lab_fail "psi-xen-count" "xen_current_kb ${xc:-none}, dom0 reads $xk KiB, others_kb $(drv_tok "$g" others_kb)"
fi
t0=$(drv_tok "$g" psi_some_total_us)
seq0=$(drv_tok "$g" seq)
# below the workload: reclaim, swap-less thrashing of the page cache and
# pressure deflates all stall
xlab-xs write "/local/domain/$d/memory/target" $((320 * 1024))
lab_wait_xen_mem "$g" 320 1 120 >/dev/null
lab_exec "$g" '(stress-ng --vm 2 --vm-bytes 300M --timeout 30s >/tmp/st.log 2>&1; echo $? >/tmp/st.rc) >/dev/null 2>&1 &'
best=0 i=0
while [ $i -lt 40 ]; do
	a=$(drv_tok "$g" psi_some_avg10_milli)
	[ "${a:-0}" -le "$best" ] || best=$a
	sleep 1
	i=$((i + 1))
done
t1=$(drv_tok "$g" psi_some_total_us)
seq1=$(drv_tok "$g" seq)
lab_exec "$g" 'cat /proc/pressure/memory; cat /tmp/st.rc; tail -2 /tmp/st.log' | sed 's/^/  | /'
if [ "$best" -gt 0 ] && [ "${t1:-0}" -gt "${t0:-0}" ]; then
	lab_pass "psi-under-stress" "report showed some avg10 up to $best milli-%, some total ${t0}->${t1} us, report seq $seq0->$seq1"
else
	lab_fail "psi-under-stress" "best some avg10 $best, total ${t0:-?}->${t1:-?}, report: $(xlab-xs read "$rp")"
fi
lab_destroy "$g"

# a kernel booted with psi=0: no psi_* fields, the log says why, the rest
# of the report as usual
if lab_guest psioff --type pv --mem 256 --kernel xb61 --module --extra psi=0; then
	n=0
	while [ $n -lt 50 ] && [ -z "$(drv_tok psioff seq)" ]; do sleep 0.2; n=$((n + 1)); done
	msg=$(lab_exec psioff 'dmesg | grep "xballoon: PSI"')
	if [ -n "$(drv_tok psioff mem_avail_kb)" ] && [ -z "$(drv_tok psioff psi_some_total_us)" ] &&
		[ -n "$msg" ]; then
		lab_pass "psi-off" "no psi_* fields; log: ${msg#*] }"
	else
		lab_fail "psi-off" "report: $(xlab-xs read "/local/domain/$(lab_domid psioff)/data/xballoon/report"); log: $msg"
	fi
	lab_destroy psioff
else
	lab_fail "psi-off-boot" "guest with psi=0 did not come up"
fi
