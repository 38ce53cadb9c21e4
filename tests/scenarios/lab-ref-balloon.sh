# SPDX-License-Identifier: GPL-2.0
# lab-seconds: 22 (measured in a lab of make check, to balance --labs)
# Validates the lab against Linux's own balloon driver (ref kernel): xl mem-set
# takes a PV and a PVH guest down and back up, as Xen sees it.
for t in pv pvh; do
	g=r$t
	lab_guest $g --type $t --mem 512 --kernel ref61 || { lab_fail "boot-$t" "no boot"; continue; }
	xl mem-set $g 256m
	if s=$(lab_wait_xen_mem $g 256 2 120); then
		lab_pass "ref-$t-down" "512->256 MiB in ${s}s"
	else
		lab_fail "ref-$t-down" "Xen sees $(lab_xen_mem_kb $g) KiB"
	fi
	xl mem-set $g 512m
	if s=$(lab_wait_xen_mem $g 512 2 120); then
		lab_pass "ref-$t-up" "256->512 MiB in ${s}s"
	else
		lab_fail "ref-$t-up" "Xen sees $(lab_xen_mem_kb $g) KiB"
	fi
	lab_destroy $g
done
