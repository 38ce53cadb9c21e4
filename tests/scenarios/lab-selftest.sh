# SPDX-License-Identifier: GPL-2.0
# lab-seconds: 14 (measured in a lab of make check, to balance --labs)
# Self-test of the lab harness inside dom0: a failing check is reported as
# failed with its logs, a scenario that never ends is killed and reported, a
# guest that cannot boot is reported quickly with its console. The inner run's
# output is captured (and defanged) so that its deliberate failures do not count
# as failures of this scenario.
t=/tmp/selftest
rm -rf $t
mkdir -p $t/sc
cat >$t/sc/inner-fail.sh <<'IN'
lab_pass fine
lab_fail must-fail "deliberate failure"
IN
cat >$t/sc/inner-hang.sh <<'IN'
lab_pass before-hang
sh -c 'echo $$ >/tmp/selftest/leftover.pid; exec sleep 997' &
sleep 1000
IN
cat >$t/sc/inner-leave.sh <<'IN'
lab_pass leaves-a-process
sh -c 'echo $$ >/tmp/selftest/leftover2.pid; exec sleep 998' </dev/null >/dev/null 2>&1 &
sleep 1
IN
cat >$t/sc/inner-noboot.sh <<'IN'
if lab_guest nb --type pv --mem 64 --kernel xb61 --extra "rdinit=/none init=/none"; then
	lab_pass booted
else
	lab_fail booted "guest did not boot"
fi
IN
cat >$t/sc/inner-silent.sh <<'IN'
true
IN
# the hang is killed after 8 s; the guest that cannot boot gets a limit that
# a loaded machine cannot reach (xl create and the crash take 5-10 s idle):
# "fast" means its crash is reported, not that it waited for the limit
printf '%s\n' inner-fail.sh inner-hang.sh inner-leave.sh inner-silent.sh >$t/plan
printf '%s\n' inner-noboot.sh >$t/plan-noboot
t0=$(date +%s)
LAB_CHECKS_FILE=$t/checks LAB_GUESTS_FILE=$t/guests LAB_SCENARIO_TIMEOUT=8 \
	LAB_BOOT_TIMEOUT=150 /lab/run-plan $t/plan $t/sc >$t/out 2>&1
LAB_CHECKS_FILE=$t/checks LAB_GUESTS_FILE=$t/guests LAB_SCENARIO_TIMEOUT=120 \
	LAB_BOOT_TIMEOUT=150 /lab/run-plan $t/plan-noboot $t/sc >>$t/out 2>&1
took=$(($(date +%s) - t0))
sed 's/XLAB-/inner-/' $t/out | tail -60 | sed 's/^/  inner| /'

has() { grep -q "$1" $t/out || { echo "missing: $1"; return 1; }; }
lab_check failing-check-reported has 'XLAB-CHECK FAIL inner-fail: must-fail (deliberate failure)'
lab_check passing-check-kept has 'XLAB-CHECK PASS inner-fail: fine'
lab_check failure-dumps-hypervisor-log has 'XLAB-LOG ---- xl dmesg'
lab_check hang-killed has 'XLAB-CHECK FAIL inner-hang: timeout'
lab_check noboot-reported has 'XLAB-CHECK FAIL inner-noboot: booted'
lab_check noboot-shows-console has 'guest-nb.log'
lab_check noboot-fast sh -c "grep -q 'guest nb crashed' $t/out"
lab_check silent-scenario-fails has 'XLAB-CHECK FAIL inner-silent: no-checks'
# what a scenario leaves running is stopped, whether it was killed on its
# limit or ended
# (gone: no such process, or a zombie waiting for init to reap it)
gone() {
	p=$(cat $t/$1 2>/dev/null)
	if [ -n "$p" ] && { [ ! -e /proc/$p/stat ] || [ "$(sed 's/.*) //' /proc/$p/stat | cut -d' ' -f1)" = Z ]; }; then
		return 0
	fi
	echo "$1: ${p:-no pid} still running"
	return 1
}
lab_check killed-scenario-leftover-stopped gone leftover.pid
lab_check ended-scenario-leftover-stopped gone leftover2.pid
lab_check leftover-reported has 'inner-leave left processes running'
lab_log "inner plan took ${took}s"
