# SPDX-License-Identifier: GPL-2.0
# make demo: three guests on one Xen host; the host takes memory back from them
# and gives it back, and every step shows what Xen and the guests report.
say() { printf '\n\033[1m=== %s\033[0m\n' "$*"; }
have_xb() { command -v xballoon >/dev/null 2>&1; }
show() {
	if have_xb; then xballoon list; else xl list; fi
	echo "host free memory: $(xl info free_memory) MiB"
}

# balloon_all MiB CHECK: set every guest's target, wait, show, and check
balloon_all() {
	t0=$(date +%s)
	if have_xb; then
		xballoon mem-set web db old "${1}m" --wait --timeout 120
		echo "xballoon mem-set --wait exited with status $?"
	else
		for g in web db old; do xl mem-set $g "${1}m"; done
		for g in web db old; do lab_wait_xen_mem $g "$1" 2 120 >/dev/null; done
	fi
	echo "took $(($(date +%s) - t0)) s"
	show
	reached=1
	for g in web db old; do lab_wait_xen_mem $g "$1" 2 5 >/dev/null || reached=0; done
	[ $reached = 1 ] && lab_pass "$2" || lab_fail "$2" "a guest did not reach $1 MiB"
}

say "Xen $(xl info xen_version) is up in the lab. Starting three 512 MiB guests:"
echo "  web  PV guest,  xballoon.ko driver"
echo "  db   PVH guest, xballoon.ko driver"
echo "  old  PV guest,  Linux's own balloon driver (the baseline)"
ok=1
lab_guest web --type pv --mem 512 --kernel xb61 --module || ok=0
lab_guest db --type pvh --mem 512 --kernel xb61 --module || ok=0
lab_guest old --type pv --mem 512 --kernel ref61 || ok=0
[ $ok = 1 ] && lab_pass guests-up || lab_fail guests-up "a guest did not boot"
show

say "The host needs memory: take half of every guest back (targets 256 MiB)"
balloon_all 256 balloon-down

say "Inside 'web', the guest sees what happened:"
lab_exec web 'grep -E "MemTotal|MemAvailable" /proc/meminfo; for f in /sys/kernel/xballoon/*_kb /sys/kernel/xballoon/state; do [ -f $f ] && echo "$(basename $f): $(cat $f)"; done'

say "Load is over: give every guest its memory back (targets 512 MiB)"
balloon_all 512 balloon-up
say "Done. Write your own dom0 scripts like this one: see docs/lab.md"
