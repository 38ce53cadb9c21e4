# SPDX-License-Identifier: GPL-2.0
# lab-seconds: 120 (measured alone, one lab)
# How the driver holds the guest's pages:
#  - every ballooned page is marked offline (PageOffline, as Linux's and
#    virtio's balloons do), so dump tools skip it: /proc/kpageflags counts
#    exactly the balloon, on PV (4 KiB pages) and PVH (2 MiB blocks), and none
#    once the memory is back;
#  - 2 MiB blocks are taken only when free: in a guest whose free memory is
#    fragmented, giving memory back runs no compaction and wakes no kswapd
#    for them (/proc/vmstat), and falls back to 4 KiB pages.

. ./driver.inc

# offline pages in the guest, from /proc/kpageflags (KPF_OFFLINE is bit 23)
offline_pages() {
	lab_exec "$1" "od -An -v -tx1 -w8 /proc/kpageflags | awk 'substr(\$3, 1, 1) ~ /[89a-f]/ {n++} END {print n + 0}'"
}

for t in pv pvh; do
	g=off$t
	if ! lab_guest "$g" --type "$t" --mem 512 --kernel xb61 --module; then
		lab_fail "$g-boot" "guest did not come up"
		continue
	fi
	xl mem-set "$g" 256m
	lab_wait_xen_mem "$g" 256 1 120 >/dev/null
	n=$(offline_pages "$g")
	bal=$(lab_exec "$g" 'cat /sys/kernel/xballoon/balloon_kb')
	if [ -n "$bal" ] && [ "${n:-0}" = $((bal / 4)) ] && [ "$bal" -gt 0 ]; then
		lab_pass "$g-ballooned-offline" "$n pages offline, balloon $bal KiB"
	else
		lab_fail "$g-ballooned-offline" "${n:-?} pages offline, balloon ${bal:-?} KiB"
	fi
	xl mem-set "$g" 512m
	lab_wait_xen_mem "$g" 512 1 120 >/dev/null
	n=$(offline_pages "$g")
	if [ "$n" = 0 ]; then
		lab_pass "$g-back-online" "no page offline once the memory is back"
	else
		lab_fail "$g-back-online" "${n:-?} pages still offline"
	fi
	lab_destroy "$g"
done

# fragmented free memory: files of 15 pages and of 1 page, one after the
# other, fill nearly all free memory, then the large ones are removed: every
# 2 MiB block keeps used pages (the allocator hands out pages in per-CPU
# batches, not in address order, so one in 16 rather than one in 512). The files come from one cpio archive made by
# awk (busybox has no split), so their pages are allocated in that order.
frag_awk='BEGIN {
	d = "x"; while (length(d) < 4096) d = d d; d = substr(d, 1, 4096)
	h = "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%s%c%c%c"
	for (i = 0; i < n; i++) {
		printf h, 2 * i + 1, 33188, 0, 0, 1, 0, 15 * 4096, 0, 0, 0, 0, 8, 0, sprintf("a%06d", i), 0, 0, 0
		for (j = 0; j < 15; j++) printf "%s", d
		printf h "%s", 2 * i + 2, 33188, 0, 0, 1, 0, 4096, 0, 0, 0, 0, 8, 0, sprintf("b%06d", i), 0, 0, 0, d
	}
	printf h "%c%c", 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 11, 0, "TRAILER!!!", 0, 0, 0, 0, 0
}'
g=frag
if lab_guest "$g" --type pvh --mem 256 --kernel xb61 --module; then
	lab_exec "$g" "mkdir -p /frag && mount -t tmpfs -o size=100% frag /frag && cd /frag
		n=\$(awk '/^MemFree/ {print int((\$2 - 16384) / 64)}' /proc/meminfo)
		awk -v n=\$n '$frag_awk' | cpio -i 2>/dev/null
		rm -f a*; echo \"\$(ls | wc -l) one-page files left\"
		grep -E 'MemFree|MemAvail' /proc/meminfo; cat /proc/buddyinfo"
	vm='grep -E "^(compact_stall|compact_daemon_wake|allocstall_normal|pageoutrun) " /proc/vmstat | tr "\n" " "'
	before=$(lab_exec "$g" "$vm")
	f0=$(lab_exec "$g" 'cat /sys/kernel/xballoon/fallbacks_2m')
	xl mem-set "$g" 208m
	lab_wait_xen_mem "$g" 208 1 120 >/dev/null || lab_fail "frag-down" "Xen at $(lab_xen_mem_kb "$g") KiB"
	after=$(lab_exec "$g" "$vm")
	f1=$(lab_exec "$g" 'cat /sys/kernel/xballoon/fallbacks_2m')
	lab_log "vmstat before: $before"
	lab_log "vmstat after:  $after"
	stall0=$(echo "$before" | tr ' ' '\n' | sed -n '/^compact_stall$/{n;p}')
	stall1=$(echo "$after" | tr ' ' '\n' | sed -n '/^compact_stall$/{n;p}')
	wake0=$(echo "$before" | tr ' ' '\n' | sed -n '/^compact_daemon_wake$/{n;p}')
	wake1=$(echo "$after" | tr ' ' '\n' | sed -n '/^compact_daemon_wake$/{n;p}')
	if [ -n "$stall1" ] && [ "$stall1" = "$stall0" ] && [ "$wake1" = "$wake0" ] &&
		[ "${f1:-0}" -gt "${f0:-0}" ]; then
		lab_pass "frag-no-compaction" "48 MiB given with no compaction (stalls $stall0, kcompactd wakes $wake0), $((f1 - f0)) fallbacks to 4 KiB"
	else
		lab_fail "frag-no-compaction" "compact_stall $stall0 -> $stall1, compact_daemon_wake $wake0 -> $wake1, fallbacks_2m $f0 -> $f1"
	fi
	lab_destroy "$g"
else
	lab_fail "frag-boot" "guest did not come up"
fi
