# SPDX-License-Identifier: GPL-2.0
# lab-seconds: 190 (make check, 2 labs: 140 for PV and PVH 6.1; PV 6.12 added)
# Issue 9 section 3: a real user of Linux's ballooned pages next to
# xballoon.ko. dom0 shares 16 MiB with a guest through gntalloc; the guest
# maps it through gntdev (xlab-gnt). Its kernel backs the mapping with
# pages that balloon.c (always built) takes out of the reservation itself
# (gnttab_alloc_pages -> xen_alloc_ballooned_pages ->
# XENMEM_decrease_reservation), behind the driver's back. While the mapping
# is held, dom0 moves the target down and up. Checked, PV and PVH (6.1),
# and PV on 6.12:
# the guest reads what dom0 wrote; Xen's count drops by exactly the mapping
# and the driver's does not; the report's xen_current_kb is dom0's
# tot_pages and others_kb is the mapping; each target is met in Xen's count
# to the page, the driver holding the mapping's worth more (it takes back
# what balloon.c gave to Xen); after the unmap the pages stay on
# balloon.c's balloon (Xen still at the target); a second mapping, twice
# as large, with no new target, takes them from there, and the driver
# takes back the rest, seen by its check of balloon.c's count; mem-set
# --wait succeeds; no
# BUG or WARNING in the guest. Then the same steps with Linux's own driver
# (ref61, PV), which also meets each target in Xen's count (docs/driver.md,
# "Which count meets the target").

. ./driver.inc

GNT_PAGES=4096			# 16 MiB: well above the toolstack's tolerance
GNT_KB=$((GNT_PAGES * 4))

# gnt_idle G TARGET_KB [OTHERS_KB]: wait (up to 60 s) until the report says
# idle at TARGET_KB with current_kb at the target + OTHERS_KB (what the
# driver took back for balloon.c's users), and Xen's count has been still
# for 1 s
gnt_idle() {
	local t0 prev="" xen
	t0=$(date +%s)
	while [ $(($(date +%s) - t0)) -lt 60 ]; do
		xen=$(lab_xen_mem_kb "$1")
		[ "$(drv_tok "$1" state)" = idle ] && [ "$(drv_tok "$1" target_kb)" = "$2" ] &&
			[ "$(drv_tok "$1" current_kb)" = $(($2 + ${3:-0})) ] && [ "$xen" = "$prev" ] &&
			[ "$(drv_tok "$1" xen_current_kb)" = "$xen" ] && return 0
		prev=$xen
		sleep 0.3
	done
	return 1
}

# gnt_report G: the report tokens the checks use, on one line
gnt_report() {
	echo "state=$(drv_tok "$1" state) target_kb=$(drv_tok "$1" target_kb) current_kb=$(drv_tok "$1" current_kb) balloon_kb=$(drv_tok "$1" balloon_kb) xen_current_kb=$(drv_tok "$1" xen_current_kb) others_kb=$(drv_tok "$1" others_kb); dom0 reads $(lab_xen_mem_kb "$1") KiB"
}

# gnt_target G MiB OTHERS_KB: set the target with xballoon mem-set and
# check that Xen's count meets it to the page (against the offset measured
# at boot), with others_kb OTHERS_KB (the mapping) and the driver's own
# count that much above the target
gnt_target() {
	local g=$1 mib=$2 others=$3 kb=$(($2 * 1024)) xen
	xballoon mem-set "$g" "${mib}m" >/dev/null ||
		lab_fail "$g-mem-set-$mib" "xballoon mem-set $mib MiB failed"
	if ! gnt_idle "$g" "$kb" "$others"; then
		lab_fail "$g-at-$mib" "not idle at $kb KiB + $others in 60 s: $(gnt_report "$g")"
		return 1
	fi
	xen=$(lab_xen_mem_kb "$g")
	if [ "$(drv_tok "$g" others_kb)" = "$others" ] && [ "$xen" = "$((kb + off0))" ]; then
		lab_pass "$g-at-$mib" "$(gnt_report "$g"): Xen = target + $off0 KiB (as at boot), the driver $others KiB above it"
	else
		lab_fail "$g-at-$mib" "$(gnt_report "$g"); wanted others_kb $others, Xen $((kb + off0)) KiB"
	fi
}

# gnt_map G [SUFFIX [PAGES]]: dom0 shares PAGES (GNT_PAGES) pages with G
# (xlab-gnt share in the background, its pid in gnt_spid), G maps them (its
# pid in the guest's /tmp/map.pid) and checks every word; 0 when all pages
# read back good
gnt_map() {
	local g=$1 n=${3:-$GNT_PAGES} d seed spec out i
	d=$(lab_domid "$g")
	seed=$(( ($(date +%s) * 7919 + d) % 4294967296 ))
	xlab-gnt share "$d" "$n" "$seed" >"/tmp/gnt-$g.out" 2>&1 &
	gnt_spid=$!
	i=0
	while [ $i -lt 50 ] && ! grep -q '^refs ' "/tmp/gnt-$g.out"; do sleep 0.2; i=$((i + 1)); done
	spec=$(sed -n 's/^refs //p' "/tmp/gnt-$g.out")
	# the command goes to the guest through xenstore (4 KiB values)
	if [ -z "$spec" ] || [ ${#spec} -gt 2000 ]; then
		lab_fail "$g-shared" "xlab-gnt share: $(head -c 300 "/tmp/gnt-$g.out")"
		return 1
	fi
	lab_log "$g: dom0 shares $GNT_PAGES pages, grant refs $spec"
	lab_exec "$g" "xlab-gnt map 0 $seed $spec >/tmp/map.out 2>&1 & echo \$! >/tmp/map.pid" >/dev/null
	out=$(lab_exec "$g" 'i=0; while [ $i -lt 100 ] && ! grep -q "^mapped" /tmp/map.out; do sleep 0.2; i=$((i + 1)); done; cat /tmp/map.out')
	if [ "$out" = "mapped $n pages, $n good, 0 bad" ]; then
		lab_pass "$g-mapped$2" "the guest read dom0's data: $out"
		return 0
	fi
	lab_fail "$g-mapped$2" "xlab-gnt map: $out"
	return 1
}

# gnt_unmap G [SUFFIX [PAGES]]: the guest unmaps (xlab-gnt map ends), dom0
# stops sharing
gnt_unmap() {
	local out
	out=$(lab_exec "$1" 'kill $(cat /tmp/map.pid); i=0; while [ $i -lt 100 ] && ! grep -q "^unmapped" /tmp/map.out; do sleep 0.2; i=$((i + 1)); done; tail -1 /tmp/map.out')
	if [ "$out" = "unmapped ${3:-$GNT_PAGES} pages" ]; then
		lab_pass "$1-unmapped$2" "$out"
	else
		lab_fail "$1-unmapped$2" "xlab-gnt map: $out"
	fi
	kill "$gnt_spid" 2>/dev/null
	wait "$gnt_spid" 2>/dev/null
}

# gnt_still G: wait until Xen's count has not moved for 3 s (at most 60 s)
gnt_still() {
	local n=0 same=0 prev="" xen
	while [ $n -lt 120 ] && [ $same -lt 6 ]; do
		xen=$(lab_xen_mem_kb "$1")
		if [ "$xen" = "$prev" ]; then same=$((same + 1)); else same=0; fi
		prev=$xen
		sleep 0.5
		n=$((n + 1))
	done
	echo "$xen"
}

# gnt_case G TYPE [KERNEL]: the steps above with xballoon.ko (xb61)
gnt_case() {
	local g=$1 t=$2 d rp out xen0 xen1 i t0
	if ! lab_guest "$g" --type "$t" --mem 512 --kernel "${3:-xb61}" --module; then
		lab_fail "$g-boot" "guest did not come up"
		return
	fi
	d=$(lab_domid "$g")
	rp=/local/domain/$d/data/xballoon/report
	lab_check "$g-gntdev" lab_exec "$g" \
		'insmod /lib/xlab/xen-gntdev.ko && test -c /dev/xen/gntdev'
	# boot: the driver's count and Xen's (off0: Xen's special pages on PVH)
	if ! gnt_idle "$g" $((512 * 1024)); then
		lab_fail "$g-idle" "not idle at boot: $(gnt_report "$g")"
		lab_destroy "$g"
		return
	fi
	xen0=$(lab_xen_mem_kb "$g")
	off0=$((xen0 - 512 * 1024))
	lab_log "$g: boot: $(gnt_report "$g"), Xen - target $off0 KiB"

	gnt_map "$g" || { kill "$gnt_spid" 2>/dev/null; lab_destroy "$g"; return; }

	# balloon.c took the pages: Xen's count down by the mapping, the
	# driver's not (it did nothing); a target change writes the report
	i=0
	while [ $i -lt 50 ] && [ "$(lab_xen_mem_kb "$g")" != $((xen0 - GNT_KB)) ]; do sleep 0.2; i=$((i + 1)); done
	xen1=$(lab_xen_mem_kb "$g")
	if [ "$xen1" = $((xen0 - GNT_KB)) ] && [ "$(drv_tok "$g" current_kb)" = $((512 * 1024)) ]; then
		lab_pass "$g-balloon-c-took" "Xen $xen0 -> $xen1 KiB, the driver's current_kb still $(drv_tok "$g" current_kb)"
	else
		lab_fail "$g-balloon-c-took" "Xen $xen0 -> $xen1 KiB, wanted $((xen0 - GNT_KB)); $(gnt_report "$g")"
	fi

	# targets while the mapping is held: down, up
	gnt_target "$g" 320 "$GNT_KB"
	gnt_target "$g" 448 "$GNT_KB"
	lab_log "$g: xballoon list with the mapping held:"
	xballoon list "$g" | sed 's/^/  | /'
	lab_check "$g-list-at-target" sh -c "xballoon list $g | grep -q ' at-target\$'"
	lab_exec "$g" 'dmesg | grep "balloon core holds" | tail -3' | sed 's/^/  | /'

	# unmap: the pages go back onto balloon.c's balloon, unpopulated, and
	# stay there (balloon.c is kept from taking them back from Xen itself):
	# Xen's count stays at the target, others_kb still counts them
	gnt_unmap "$g"
	xen1=$(gnt_still "$g")
	if [ "$xen1" = $((448 * 1024 + off0)) ] && [ "$(drv_tok "$g" others_kb)" = "$GNT_KB" ]; then
		lab_pass "$g-unmap-at-target" "Xen still at $xen1 KiB, the target + $off0 KiB as at boot; $(gnt_report "$g")"
	else
		lab_fail "$g-unmap-at-target" "Xen at $xen1 KiB, wanted $((448 * 1024 + off0)); $(gnt_report "$g")"
	fi
	# a second mapping, twice as large, with no new target: half of it
	# comes from balloon.c's balloon, the other half it gives to Xen again;
	# the driver sees its count move (checked every second), and takes that
	# half back: Xen back at the target, others_kb twice the first mapping
	t0=$(date +%s)
	if gnt_map "$g" -again $((2 * GNT_PAGES)); then
		if gnt_idle "$g" $((448 * 1024)) $((2 * GNT_KB)) &&
			[ "$(lab_xen_mem_kb "$g")" = $((448 * 1024 + off0)) ]; then
			lab_pass "$g-remap-taken-back" "Xen back at $(lab_xen_mem_kb "$g") KiB $(($(date +%s) - t0))s after the map began, no new target: $(gnt_report "$g")"
		else
			lab_fail "$g-remap-taken-back" "wanted Xen at $((448 * 1024 + off0)) KiB, others_kb $((2 * GNT_KB)): $(gnt_report "$g")"
		fi
		gnt_unmap "$g" -again $((2 * GNT_PAGES))
	else
		kill "$gnt_spid" 2>/dev/null
	fi
	# targets as usual, and the toolstack's wait agrees
	gnt_target "$g" 384 $((2 * GNT_KB))
	lab_check "$g-wait" xballoon mem-set "$g" 352m --wait --timeout 60
	gnt_target "$g" 352 $((2 * GNT_KB))

	out=$(lab_exec "$g" 'dmesg | grep -cE "BUG|WARNING|Oops|Call Trace"')
	if [ "$out" = 0 ]; then
		lab_pass "$g-no-bug" "no BUG, WARNING or Oops in the guest's log"
	else
		lab_fail "$g-no-bug" "$out lines: $(lab_exec "$g" 'dmesg | grep -E -A5 "BUG|WARNING|Oops|Call Trace" | head -30')"
	fi
	xlab-xs read "$rp" | sed 's/^/  | report: /'
	lab_destroy "$g"
}

# The same with Linux's own driver (ref61, PV, no xballoon.ko), side by
# side. Its balloon_stats.current_pages drops by the pages balloon.c takes,
# so at its next target it tops Xen's count up from its own balloon: Xen
# meets the target with the mapping held (the guest has the mapping less to
# use); after the unmap the pages go onto its balloon list and Xen stays at
# the target.
gnt_linux() {
	local g=gntref xen0 xen1 x320 x448 xun
	if ! lab_guest "$g" --type pv --mem 512 --kernel ref61; then
		lab_fail "$g-boot" "guest did not come up"
		return
	fi
	lab_check "$g-gntdev" lab_exec "$g" \
		'insmod /lib/xlab/xen-gntdev.ko && test -c /dev/xen/gntdev'
	xen0=$(gnt_still "$g")
	gnt_map "$g" || { kill "$gnt_spid" 2>/dev/null; lab_destroy "$g"; return; }
	xen1=$(gnt_still "$g")
	xballoon mem-set "$g" 320m >/dev/null
	x320=$(gnt_still "$g")
	xballoon mem-set "$g" 448m >/dev/null
	x448=$(gnt_still "$g")
	gnt_unmap "$g"
	xun=$(gnt_still "$g")
	lab_log "$g: Linux's driver: Xen $xen0 KiB at boot, $xen1 mapped, $x320 at 320 MiB, $x448 at 448 MiB, $xun after the unmap"
	if [ "$xen1" = $((xen0 - GNT_KB)) ] && [ "$x320" = $((320 * 1024)) ] &&
		[ "$x448" = $((448 * 1024)) ] && [ "$xun" = $((448 * 1024)) ]; then
		lab_pass "$g-linux-at-target" "Xen $xen0 -> $xen1 KiB mapped, then at the target to the page: $x320, $x448, $xun after the unmap"
	else
		lab_fail "$g-linux-at-target" "Xen $xen0 -> $xen1 KiB mapped, $x320 at 320 MiB, $x448 at 448 MiB, $xun after the unmap"
	fi
	lab_destroy "$g"
}

# gntalloc shares at most 1024 pages by default
echo $((GNT_PAGES * 2)) >/sys/module/xen_gntalloc/parameters/limit
gnt_case gntpv pv
gnt_case gntpvh pvh
gnt_case gntpv612 pv xb612
gnt_linux
