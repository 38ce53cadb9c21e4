# SPDX-License-Identifier: GPL-2.0
# lab-seconds: 100 (measured in a lab of make check, to balance --labs)
# mem-set --wait: a guest without a driver ends with the no-driver exit code
# (6), judged from Xen's numbers, and shows as no-driver; --all selects only
# domains that showed a driver (--include-no-driver takes every domU); a
# domain destroyed during a wait is reported gone while the others are still
# waited for; growing back with --all 75% --wait ends with 0.

# wstate FILE DOMID: the domain's final state in mem-set --json's "wait" part
wstate() {
	sed 's/.*"wait"://; s/{"domid":/\n{"domid":/g' "$1" | grep "^{\"domid\":$2," |
		grep -o '"state":"[a-z-]*"' | head -1 | cut -d'"' -f4
}

lab_guest tsw-pv --type pv --mem 512 --kernel xb61 --module || exit 1
lab_guest tsw-pvh --type pvh --mem 512 --kernel xb61 --module || exit 1
lab_guest tsw-ref --type pv --mem 512 --kernel ref61 || exit 1
lab_guest tsw-nod --type pv --mem 512 --kernel xb61 || exit 1
nod=$(lab_domid tsw-nod)

# no driver: the target is set, nothing moves, --wait ends with 6
t0=$(date +%s)
xballoon mem-set tsw-nod 256m --wait --timeout 8 >/tmp/nod.out 2>/tmp/nod.err
rc=$?
t1=$(date +%s)
cat /tmp/nod.out; tail -3 /tmp/nod.err
lab_check nodriver-exit-6 test "$rc" = 6
lab_check nodriver-waited-for-timeout test $((t1 - t0)) -ge 8
lab_check nodriver-result-line grep -q 'result: no-driver (exit 6)' /tmp/nod.out
lab_check nodriver-plain-progress-lines grep -q "tsw-nod($nod) actual 51[0-9] MiB target 256 MiB no-driver" /tmp/nod.err
lab_check nodriver-target-written test "$(xenstore-read /local/domain/$nod/memory/target)" = 262144
lab_check nodriver-list-state sh -c "xballoon list tsw-nod | grep -q ' no-driver\$'"
kb=$(lab_xen_mem_kb tsw-nod)
lab_check nodriver-xen-unchanged test "$kb" -ge $((500 * 1024))
xballoon wait tsw-nod --timeout 3 >/dev/null 2>&1
lab_check wait-nodriver-exit-6 test $? = 6

# --all selects the domains that showed a driver: a report (tsw-pv, tsw-pvh),
# or a target followed before (none yet); tsw-ref (Linux's driver, no report)
# and tsw-nod are left out, and the selection is printed first
xballoon mem-set --all 50% --wait --timeout 25 --json >/tmp/all.json 2>/tmp/all.err
rc=$?
cat /tmp/all.json; echo
ref=$(lab_domid tsw-ref) pv=$(lab_domid tsw-pv) pvh=$(lab_domid tsw-pvh)
lab_check all50-exit-0 test "$rc" = 0
lab_check all50-selection-shown grep -q "\"selected\":\[$pv,$pvh\],\"skipped_no_driver\":\[$ref,$nod\]" /tmp/all.json
for g in tsw-pv tsw-pvh; do
	lab_check "all50-$g-at-target" test "$(wstate /tmp/all.json "$(lab_domid $g)")" = at-target
	lab_check "all50-$g-xen-view" lab_wait_xen_mem "$g" 256 2 5
done
lab_check all50-ref-untouched test "$(xenstore-read /local/domain/$ref/memory/target)" = 524288
# Linux's driver follows a target: the wait sees it and marks the domain
xballoon mem-set tsw-ref 256m --wait --timeout 60 >/dev/null 2>&1
lab_check ref-reached-and-marked test "$(xenstore-read /local/domain/$ref/memory/xballoon-followed)" = 1
lab_exec tsw-ref 'xenstore-write memory/xballoon-followed 0' >/dev/null 2>&1
lab_check ref-mark-not-guest-writable test "$(xenstore-read /local/domain/$ref/memory/xballoon-followed)" = 1

# --include-no-driver: every domU; the one without a driver ends the wait as
# no-driver (exit 6), the others are at their targets, dom0 is never taken
xballoon mem-set --all --include-no-driver 50% --wait --timeout 25 --json >/tmp/all.json 2>/tmp/all.err
rc=$?
cat /tmp/all.json; echo
lab_check allnd-exit-is-no-driver test "$rc" = 6
for g in tsw-pv tsw-pvh tsw-ref; do
	lab_check "allnd-$g-at-target" test "$(wstate /tmp/all.json "$(lab_domid $g)")" = at-target
done
lab_check allnd-tsw-nod-no-driver test "$(wstate /tmp/all.json "$nod")" = no-driver
lab_check allnd-dom0-untouched sh -c "! grep -q '\"domid\":0,' /tmp/all.json"

# a domain destroyed during a wait is "gone" (exit 8); the others are still
# waited for to the end
xballoon mem-set tsw-pv 320m >/dev/null
xballoon mem-set tsw-nod 200m >/dev/null
xballoon wait tsw-pv tsw-nod --timeout 60 --stuck 40 >/tmp/gone.out 2>/dev/null &
wp=$!
sleep 1
lab_destroy tsw-nod
wait $wp
rc=$?
cat /tmp/gone.out
lab_check wait-gone-exit-8 test "$rc" = 8
lab_check wait-gone-reported grep -q "domain $nod: gone" /tmp/gone.out
lab_check wait-gone-others-reached grep -q "^tsw-pv($pv): at-target" /tmp/gone.out

# growing back: --all now takes tsw-ref too (it followed a target); exit 0
sleep 1
xballoon mem-set --all 75% --wait --timeout 180 >/tmp/up.out 2>&1
rc=$?
tail -5 /tmp/up.out
lab_check all75-exit-0 test "$rc" = 0
for g in tsw-pv tsw-pvh tsw-ref; do
	lab_check "all75-$g-xen-view" lab_wait_xen_mem "$g" 384 2 5
done
