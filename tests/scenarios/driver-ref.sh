# SPDX-License-Identifier: GPL-2.0
# lab-seconds: 9 (measured in a lab of make check, to balance --labs)
# On a kernel whose own Xen balloon driver is active (ref61), xballoon.ko
# refuses to load, with a message that says why.
if ! lab_guest ref --type pv --mem 256 --kernel ref61; then
	lab_fail "ref-boot" "guest did not come up"
else
	out=$(lab_exec ref 'insmod /lib/xballoon/xballoon.ko; echo rc=$?; dmesg | grep xballoon; test -d /sys/kernel/xballoon && echo loaded-anyway')
	echo "$out" | sed 's/^/  | /'
	case $out in
	*loaded-anyway*) lab_fail "ref-refuses" "module loaded next to Linux's balloon" ;;
	*"rc=0"*) lab_fail "ref-refuses" "insmod succeeded" ;;
	*"Xen balloon driver"*"not loading"*) lab_pass "ref-refuses" "insmod failed with the message" ;;
	*) lab_fail "ref-refuses" "insmod failed without the message" ;;
	esac
	lab_destroy ref
fi
