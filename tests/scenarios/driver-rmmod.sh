# SPDX-License-Identifier: GPL-2.0
# lab-seconds: 25 (21 s in a lab of two side by side)
# rmmod while Xen caps maxmem. A plain `xl mem-set` leaves maxmem at target +
# 1 MiB, so Xen refuses the ballooned pages back. The driver holds a
# reference on its module while the balloon holds pages: rmmod is refused at
# once (EBUSY/EAGAIN), the log and the report say why, and the report key
# stays. A target at full size that Xen still refuses (maxmem capped) keeps
# the refusal; once maxmem is raised the driver catches up, the balloon
# empties, and rmmod unloads and removes the report key.

. ./driver.inc

g=rmm
if ! lab_guest "$g" --type pv --mem 512 --kernel xb61 --module; then
	lab_fail "rmmod-boot" "guest did not come up"
	return 0
fi
d=$(lab_domid "$g")
rk=/local/domain/$d/data/xballoon/report
xl mem-set "$g" 256m
lab_check "rmmod-down" lab_wait_xen_mem "$g" 256 1 120
lab_log "maxmem now $(xentop -b -i 1 | awk -v n="$g" '$1 == n {print $7}') KiB"

# rmmod with 256 MiB ballooned: refused at once, nothing lost
t0=$(date +%s)
out=$(lab_exec "$g" 'rmmod xballoon 2>&1; echo rc=$?; lsmod | grep -c "^xballoon"; dmesg | grep "xballoon: .*rmmod" | tail -2')
t=$(($(date +%s) - t0))
echo "$out" | sed 's/^/  | /'
if echo "$out" | grep -q '^rc=[1-9]' && [ "$(echo "$out" | grep -A1 '^rc=' | tail -1)" = 1 ] &&
	[ "$t" -lt 10 ] && xenstore-exists "$rk" && echo "$out" | grep -q "xballoon: .*rmmod"; then
	lab_pass "rmmod-refused-while-ballooned" "refused in ${t}s, module still loaded, report key kept, log says why"
else
	lab_fail "rmmod-refused-while-ballooned" "took ${t}s; report key $(xenstore-exists "$rk" && echo kept || echo removed)"
fi
if [ "$(drv_tok "$g" rmmod)" = busy ] && [ "$(drv_tok "$g" balloon_kb)" -gt 0 ]; then
	lab_pass "rmmod-report-says-busy" "report rmmod=busy balloon_kb=$(drv_tok "$g" balloon_kb)"
else
	lab_fail "rmmod-report-says-busy" "report: $(xlab-xs read "$rk" 2>/dev/null)"
fi

# target back at full size but maxmem still capped: Xen refuses, rmmod still
# refused
xenstore-write "/local/domain/$d/memory/target" $((512 * 1024))
n=0
while [ $n -lt 100 ] && [ "$(drv_tok "$g" state)" != refused ]; do sleep 0.2; n=$((n + 1)); done
out=$(lab_exec "$g" 'rmmod xballoon 2>&1; echo rc=$?')
if [ "$(drv_tok "$g" state)" = refused ] && echo "$out" | grep -q '^rc=[1-9]' && xenstore-exists "$rk"; then
	lab_pass "rmmod-refused-while-capped" "state refused at $(lab_xen_mem_kb "$g") KiB, rmmod refused"
else
	lab_fail "rmmod-refused-while-capped" "state $(drv_tok "$g" state), rmmod: $out"
fi

# maxmem raised: the driver catches up after its backoff, then rmmod works
xl mem-max "$g" 513m
if s=$(lab_wait_xen_mem "$g" 512 1 60); then
	lab_pass "rmmod-catch-up" "at $(lab_xen_mem_kb "$g") KiB ${s}s after maxmem was raised; report rmmod=$(drv_tok "$g" rmmod)"
else
	lab_fail "rmmod-catch-up" "Xen at $(lab_xen_mem_kb "$g") KiB; report $(xlab-xs read "$rk" 2>/dev/null)"
fi
n=0
while [ $n -lt 50 ] && [ "$(drv_tok "$g" balloon_kb)" != 0 ]; do sleep 0.2; n=$((n + 1)); done
out=$(lab_exec "$g" 'rmmod xballoon 2>&1; echo rc=$?; dmesg | grep xballoon | tail -2')
echo "$out" | sed 's/^/  | /'
if echo "$out" | grep -q '^rc=0' && ! xenstore-exists "$rk" &&
	drv_near "$(lab_xen_mem_kb "$g")" $((512 * 1024)) 1; then
	lab_pass "rmmod-after-release" "unloaded, report key removed, Xen at $(lab_xen_mem_kb "$g") KiB"
else
	lab_fail "rmmod-after-release" "rmmod: $out; key $(xenstore-exists "$rk" && echo kept || echo removed)"
fi
lab_destroy "$g"
