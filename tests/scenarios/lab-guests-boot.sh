# SPDX-License-Identifier: GPL-2.0
# lab-seconds: 53 (measured in a lab of make check, to balance --labs)
# The lab itself: PV and PVH guests boot with each lab kernel, on the first try
# (no triple fault and automatic reboot), and answer over the command channel.
tf() { xl dmesg | grep -c 'Triple fault'; }
for k in xb61 ref61 xb612; do
	for t in pv pvh; do
		g=$t$k
		before=$(tf)
		if lab_guest "$g" --type "$t" --mem 128 --kernel "$k"; then
			lab_pass "boot-$t-$k"
			out=$(lab_exec "$g" 'uname -r; echo hello-from-$(hostname)')
			case $out in
			*hello-from-$g*) lab_pass "exec-$t-$k" ;;
			*) lab_fail "exec-$t-$k" "unexpected output: $out" ;;
			esac
		else
			lab_fail "boot-$t-$k" "guest did not come up"
		fi
		after=$(tf)
		if [ "$after" = "$before" ]; then
			lab_pass "first-boot-$t-$k"
		else
			xl dmesg | grep -B5 'Triple fault' | tail -12
			lab_fail "first-boot-$t-$k" "guest triple-faulted and was rebooted"
		fi
		lab_destroy "$g"
	done
done
