# SPDX-License-Identifier: GPL-2.0
# lab-seconds: 8 (measured in a lab of make check, to balance --labs)
# A guest can write under its own data/ but not its own memory/target; dom0
# sees what the guest wrote. The driver's reports and the lab's command channel
# rely on the first; the toolstack's trust model on the second.
lab_guest perm --type pv --mem 128 --kernel xb61 || { lab_fail boot "no boot"; exit 0; }
d=$(lab_domid perm)
lab_check guest-writes-data lab_exec perm 'xenstore-write data/selftest hello'
v=$(xenstore-read /local/domain/$d/data/selftest 2>&1)
[ "$v" = hello ] && lab_pass dom0-reads-data || lab_fail dom0-reads-data "read '$v'"
before=$(xenstore-read /local/domain/$d/memory/target)
if lab_exec perm 'xenstore-write memory/target 1024'; then
	lab_fail guest-cannot-write-target "the guest's write of memory/target succeeded"
else
	lab_pass guest-cannot-write-target
fi
after=$(xenstore-read /local/domain/$d/memory/target)
[ "$before" = "$after" ] && lab_pass target-unchanged "$after KiB" ||
	lab_fail target-unchanged "was $before, now $after"
if lab_exec perm "xenstore-write /local/domain/0/data/x 1"; then
	lab_fail guest-cannot-write-dom0 "write to dom0's data/ succeeded"
else
	lab_pass guest-cannot-write-dom0
fi
