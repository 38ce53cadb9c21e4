# SPDX-License-Identifier: GPL-2.0
# The lab itself: PV and PVH guests boot with each lab kernel and answer over the
# command channel.
for k in xb61 ref61 xb612; do
	for t in pv pvh; do
		g=$t$k
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
		lab_destroy "$g"
	done
done
