# SPDX-License-Identifier: GPL-2.0
# lab-seconds: 80 (75 s in a lab of two side by side)
# Pages given back to Xen carry none of the guest's data. A paused filler
# domain holds every free page of the host but a little, so that what one
# guest gives back is what the next domain to ask gets. A guest fills its
# free memory with a pattern, frees it, and balloons down; a probe guest
# then takes memory back, and its driver (lab parameter check_in=1) reads
# every page Xen hands it and counts those that are not all zero:
#  - default load (scrub=1): the driver zeroes, none arrives dirty;
#  - scrub=0: pages arrive dirty (the check sees a leak), and the load logs
#    the risk;
#  - init_on_free=1 on the guest's command line: the driver skips its own
#    zeroing and says why, and none arrives dirty.
# (Xen itself scrubs only what dying domains free and what it never gave
# out, so a non-zero page here is a live domain's data.)

. ./driver.inc

PAT=XBSCRUB-PATTERN-7f3a9c
A_MEM=192	# the guest that gives memory back
A_DOWN=96
P_MEM=144	# the probe: booted at P_MEM, kept at P_LOW between cases
P_LOW=64

# probe_val NAME: a counter of the probe's driver
probe_val() { lab_exec probe "cat /sys/kernel/xballoon/$1"; }

# scrub_case TAG 'KERNEL ARGS' 'INSMOD ARGS' MODE: run one case; MODE is the
# word the driver reports (sysfs scrub_mode, report token scrub)
scrub_case() {
	tag=$1 kargs=$2 margs=$3 mode=$4
	g=sc$tag
	if ! lab_guest "$g" --type pv --mem $A_MEM --kernel xb61 --extra "$kargs"; then
		lab_fail "$tag-boot" "guest did not come up"
		return 1
	fi
	lab_exec "$g" "insmod /lib/xballoon/xballoon.ko $margs"
	out=$(lab_exec "$g" 'cat /sys/kernel/xballoon/scrub_mode; dmesg | grep "xballoon: scrub"')
	echo "$out" | sed 's/^/  | /'
	if [ "$(echo "$out" | sed -n 1p)" = "$mode" ] && [ "$(echo "$out" | grep -c "xballoon: scrub")" = 1 ]; then
		lab_pass "$tag-mode" "scrub_mode $mode, logged once at load"
	else
		lab_fail "$tag-mode" "wanted scrub_mode $mode and one log line"
	fi
	# the pattern into page cache (one cat of a 1 MiB file), then freed:
	# most of the guest's free pages hold it
	lab_exec "$g" "yes $PAT | head -c 1048576 >/tmp/p1
		cat \$(i=0; while [ \$i -lt 96 ]; do echo /tmp/p1; i=\$((i + 1)); done) >/tmp/fill
		rm /tmp/fill /tmp/p1; grep MemFree /proc/meminfo"
	lab_log "$tag: pattern written and freed"
	xl mem-set "$g" ${A_DOWN}m
	lab_wait_xen_mem "$g" $A_DOWN 1 120 >/dev/null || lab_fail "$tag-down" "Xen at $(lab_xen_mem_kb "$g") KiB"
	scrubbed=$(lab_exec "$g" 'cat /sys/kernel/xballoon/pages_scrubbed')
	rep=$(drv_tok "$g" scrub)
	# the probe takes back P_MEM - P_LOW: most of it is what $g gave
	c0=$(probe_val pages_in_checked) d0=$(probe_val pages_in_dirty)
	xl mem-set probe ${P_MEM}m
	lab_wait_xen_mem probe $P_MEM 1 120 >/dev/null || lab_fail "$tag-probe-up" "probe at $(lab_xen_mem_kb probe) KiB"
	c1=$(probe_val pages_in_checked) d1=$(probe_val pages_in_dirty)
	checked=$((c1 - c0)) dirty=$((d1 - d0))
	lab_log "$tag: the probe read $checked pages taken back, $dirty not zero; the guest zeroed ${scrubbed:-?} pages, report scrub=${rep:-?}"
	if [ "$checked" -lt $(((P_MEM - P_LOW) * 256 * 9 / 10)) ]; then
		lab_fail "$tag-probe-read" "the probe read only $checked pages"
	else
		case $mode in
		off)
			# a quarter of what the probe got would do; far more is seen
			if [ "$dirty" -gt $(((P_MEM - P_LOW) * 256 / 4)) ]; then
				lab_pass "$tag-leak-seen" "scrub=0: $dirty of $checked pages reached another domain with data (the check sees a leak)"
			else
				lab_fail "$tag-leak-seen" "scrub=0 but only $dirty of $checked pages arrived dirty: the check cannot see a leak"
			fi ;;
		*)
			if [ "$dirty" = 0 ]; then
				lab_pass "$tag-no-leak" "0 of $checked pages taken back by another domain held data"
			else
				lab_fail "$tag-no-leak" "$dirty of $checked pages reached another domain with data"
			fi ;;
		esac
	fi
	# the driver zeroes in mode zero only, and then counts it
	case $mode in
	zero) [ "${scrubbed:-0}" -gt 0 ] 2>/dev/null ;;
	*) [ "$scrubbed" = 0 ] ;;
	esac
	counted=$?
	if [ "$rep" = "$mode" ] && [ $counted = 0 ]; then
		lab_pass "$tag-counted" "report scrub=$rep, pages_scrubbed=$scrubbed"
	else
		lab_fail "$tag-counted" "report scrub=${rep:-?}, pages_scrubbed=${scrubbed:-?} (mode $mode)"
	fi
	# the probe gives its pages back zeroed (its own default), and Xen
	# scrubs what a destroyed domain held
	xl mem-set probe ${P_LOW}m
	lab_wait_xen_mem probe $P_LOW 1 120 >/dev/null
	lab_destroy "$g"
}

if ! lab_guest probe --type pv --mem $P_MEM --kernel xb61 --module; then
	lab_fail "probe-boot" "probe guest did not come up"
	return 0
fi
lab_exec probe 'echo 1 >/sys/module/xballoon/parameters/check_in'
xl mem-set probe ${P_LOW}m
lab_wait_xen_mem probe $P_LOW 1 120 >/dev/null || lab_fail "probe-down" "probe at $(lab_xen_mem_kb probe) KiB"
# every free host page but room for the guest and a little: the probe's
# P_MEM - P_LOW must come mostly from what the guest gives back. The filler
# costs Xen about 20 MiB of its own (p2m), the guest a few MiB over A_MEM.
free=$(xl info | awk '/^free_memory/ {print $3}')
fill=$((free - A_MEM - 48))
if ! drv_filler $fill; then
	lab_fail "filler" "could not create a filler of $fill MiB"
	return 0
fi
free=$(xl info | awk '/^free_memory/ {print $3}')
lab_log "filler of $fill MiB; $free MiB free"
if [ "$free" -lt $((A_MEM + 8)) ] || [ "$free" -gt $((A_MEM + 48)) ]; then
	lab_fail "filler" "$free MiB free after the filler, wanted $((A_MEM + 8))-$((A_MEM + 48))"
	return 0
fi
scrub_case default "" "" zero
scrub_case initfree "init_on_free=1" "" init-on-free
scrub_case off "" "scrub=0" off
