# SPDX-License-Identifier: GPL-2.0
# lab-seconds: 115 (93-114 s; 184 s once when the PVH guest rebooted at boot)
# How the driver holds the guest's pages:
#  - every ballooned page is marked offline (PageOffline, as Linux's and
#    virtio's balloons do), so dump tools skip it: /proc/kpageflags counts
#    exactly the balloon, on PV (4 KiB pages) and PVH (2 MiB blocks), and none
#    once the memory is back;
#  - 2 MiB blocks are taken only when free: in a guest whose free memory is
#    fragmented (checked in /proc/buddyinfo), giving memory back runs no
#    compaction, no direct reclaim and wakes neither kswapd nor kcompactd
#    (/proc/vmstat), and falls back to 4 KiB pages.

. ./driver.inc

# offline pages in the guest, from /proc/kpageflags (KPF_OFFLINE is bit 23),
# with the balloon read before and after the scan (seconds under TCG): "N
# KB": the balloon did not move meanwhile, tried up to 5 times
offline_pages() {
	lab_exec "$1" "for i in 1 2 3 4 5; do
		b0=\$(cat /sys/kernel/xballoon/balloon_kb)
		n=\$(od -An -v -tx1 -w8 /proc/kpageflags | awk 'substr(\$3, 1, 1) ~ /[89a-f]/ {n++} END {print n + 0}')
		[ \"\$b0\" = \"\$(cat /sys/kernel/xballoon/balloon_kb)\" ] && break
		sleep 1
	done; echo \$n \$b0"
}

for t in pv pvh; do
	g=off$t
	if ! lab_guest "$g" --type "$t" --mem 256 --kernel xb61 --module; then
		lab_fail "$g-boot" "guest did not come up"
		continue
	fi
	xl mem-set "$g" 128m
	lab_wait_xen_mem "$g" 128 1 120 >/dev/null
	drv_wait_state "$g" idle
	set -- $(offline_pages "$g")
	n=$1 bal=$2
	if [ -n "$bal" ] && [ "${n:-0}" = $((bal / 4)) ] && [ "$bal" -gt 0 ]; then
		lab_pass "$g-ballooned-offline" "$n pages offline, balloon $bal KiB"
	else
		lab_fail "$g-ballooned-offline" "${n:-?} pages offline, balloon ${bal:-?} KiB"
	fi
	xl mem-set "$g" 256m
	lab_wait_xen_mem "$g" 256 1 120 >/dev/null
	drv_wait_state "$g" idle
	set -- $(offline_pages "$g")
	n=$1 bal=$2
	if [ "$n" = 0 ] && [ "$bal" = 0 ]; then
		lab_pass "$g-back-online" "no page offline once the memory is back"
	else
		lab_fail "$g-back-online" "${n:-?} pages still offline, balloon ${bal:-?} KiB"
	fi
	lab_destroy "$g"
done

# Fragmented free memory: one awk writes a 15-page and a 1-page tmpfs file,
# pair after pair, until the guest has FRAG_LEFT KiB free, then the 15-page
# files are removed. The page allocator hands out pages roughly in address
# order, so every 2 MiB block keeps used pages; /proc/buddyinfo says whether
# it worked (a setup that leaves free 2 MiB blocks fails as such, it does not
# pass). Proactive compaction is off so that nothing else defragments it in
# the meantime; the driver's order-9 attempts must not either. Watermark
# boosting is off too: when any 4 KiB allocation (the fallback's, as Linux's
# own balloon's) steals a movable pageblock, the allocator wakes kswapd and
# then kcompactd whatever the caller's flags (rmqueue, ZONE_BOOSTED_WATERMARK):
# not what this check is about.
FRAG_MEM=192
FRAG_GIVE=48	# MiB given back while fragmented
FRAG_LEFT=12288
frag_awk='BEGIN {
	d = "x"; while (length(d) < 4096) d = d d; d = substr(d, 1, 4096)
	d15 = ""; for (j = 0; j < 15; j++) d15 = d15 d
	for (i = 0; i < 1000000; i++) {
		if (i % 32 == 0) {
			free = 0
			while ((getline l < "/proc/meminfo") > 0)
				if (l ~ /^MemFree:/) { split(l, w, " "); free = w[2] }
			close("/proc/meminfo")
			if (free < lim) break
		}
		f = "a" i; printf "%s", d15 > f; close(f)
		f = "b" i; printf "%s", d > f; close(f)
	}
	print i " pairs of a 15-page and a 1-page file"
}'
# free KiB in blocks of order 9 and up (buddyinfo: order k is field 5 + k;
# the guest's busybox awk has no math library, hence no ^)
free2m='awk "{m = 2048; for (i = 14; i <= NF; i++) {s += \$i * m; m *= 2}} END {print s + 0}" /proc/buddyinfo'
vm='grep -E "^(compact_stall|compact_daemon_wake|pageoutrun|allocstall_[a-z0-9]+) " /proc/vmstat | tr "\n" " "'
g=frag
if lab_guest "$g" --type pvh --mem $FRAG_MEM --kernel xb61 --module; then
	lab_exec "$g" "echo 0 >/proc/sys/vm/compaction_proactiveness
		echo 0 >/proc/sys/vm/watermark_boost_factor
		mkdir -p /frag && mount -t tmpfs -o size=100% frag /frag && cd /frag
		awk -v lim=$FRAG_LEFT '$frag_awk'
		rm -f a*; grep -E 'MemFree' /proc/meminfo; cat /proc/buddyinfo"
	hi=$(lab_exec "$g" "$free2m")
	before=$(lab_exec "$g" "$vm")
	f0=$(lab_exec "$g" 'cat /sys/kernel/xballoon/fallbacks_2m')
	if [ -n "$hi" ] && [ "$hi" -lt $((FRAG_GIVE * 1024 / 2)) ]; then
		lab_pass "frag-setup" "$hi KiB free in 2 MiB blocks, less than half of the $FRAG_GIVE MiB to give"
	else
		lab_fail "frag-setup" "${hi:-?} KiB still free in 2 MiB blocks: memory not fragmented"
	fi
	xl mem-set "$g" $((FRAG_MEM - FRAG_GIVE))m
	lab_wait_xen_mem "$g" $((FRAG_MEM - FRAG_GIVE)) 1 120 >/dev/null ||
		lab_fail "frag-down" "Xen at $(lab_xen_mem_kb "$g") KiB"
	after=$(lab_exec "$g" "$vm")
	f1=$(lab_exec "$g" 'cat /sys/kernel/xballoon/fallbacks_2m')
	lab_log "vmstat before: $before"
	lab_log "vmstat after:  $after"
	if [ -n "$before" ] && [ "$after" = "$before" ]; then
		lab_pass "frag-no-compaction" "$FRAG_GIVE MiB given with no compaction, reclaim or kswapd run ($after)"
	else
		lab_fail "frag-no-compaction" "vmstat moved: before $before, after $after"
	fi
	if [ "${f1:-0}" -gt "${f0:-0}" ]; then
		lab_pass "frag-fallback-4k" "$((f1 - f0)) fallbacks from 2 MiB to 4 KiB"
	else
		lab_fail "frag-fallback-4k" "fallbacks_2m ${f0:-?} -> ${f1:-?}"
	fi
	lab_destroy "$g"
else
	lab_fail "frag-boot" "guest did not come up"
fi
