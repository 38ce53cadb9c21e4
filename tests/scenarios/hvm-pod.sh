# SPDX-License-Identifier: GPL-2.0
# lab-seconds: 292 (measured in a lab of 1 CPU beside hvm-ref, to balance --labs)
# lab-needs: hvm
# HVM guests started with populate-on-demand (memory=512, maxmem=1024):
# - with xballoon.ko from the initramfs: it balloons down to the PoD target
#   before the PoD cache runs out, and lives (Xen's PoD entries <= cache);
# - an all-or-nothing mem-set over a PV guest and the PoD guest, whose PoD
#   target change Xen refuses (a domain holding I/O ports: -ENOTEMPTY):
#   both are put back;
# - xballoon mem-set down and up, then xl mem-set the same: Xen's tot_pages,
#   PoD cache and entries, maxmem, memory/target and the driver's report agree;
# - the same guest without the driver, made to touch more than its memory:
#   what Xen does to it (expected: crashed, "out of PoD memory");
# - the PoD start again with zeroing on (scrub=1).

. ./driver.inc
. ./hvm.inc
LAB_BOOT_TIMEOUT=300

# pod_start NAME TAG [--extra ARGS]: boot a PoD guest with the driver, wait
# for its first target, check Xen's view
pod_start() {
	_g=$1 _tag=$2
	shift 2
	_t0=$(date +%s)
	if ! lab_guest "$_g" --type hvm --mem 512 --maxmem 1024 --kernel xb61 --module "$@"; then
		lab_fail "$_tag-boot" "guest did not come up"
		return 1
	fi
	_up=$(($(date +%s) - _t0))
	_key=$(hvm_key "$_g" target)
	_w=0
	while [ $_w -lt 600 ]; do
		_c=$(drv_tok "$_g" current_kb)
		[ -n "$_c" ] && [ "$(drv_tok "$_g" state)" = idle ] && drv_near "$_c" "$_key" 1 && break
		sleep 0.1
		_w=$((_w + 1))
	done
	hvm_pod_log "$_g" "after boot"
	lab_pass "$_tag-boot" "up in ${_up}s (xl create to agent), at target $(($(date +%s) - _t0))s after xl create"
	set -- $(hvm_pod "$_g")
	if [ $# = 3 ] && [ "$3" -le "$2" ] && [ "$3" -gt 0 ] &&
		drv_near $(($1 * 4)) $((512 * 1024)) 1 && drv_near "$_c" "$_key" 1; then
		lab_pass "$_tag-safe" "tot $(($1 / 256)) MiB, PoD entries $3 <= cache $2, report current_kb=$_c, memory/target $_key"
	else
		lab_fail "$_tag-safe" "tot/cache/entries '$*', report current_kb=$_c state=$(drv_tok "$_g" state), memory/target $_key"
	fi
}

# snap NAME: memory/target, maxmem, tot_pages, cache, entries, report
# current_kb (a PV domain has no PoD: tot_pages from xentop, 0 0)
snap() {
	_p=$(hvm_pod "$1")
	[ -n "$_p" ] || _p="$(($(lab_xen_mem_kb "$1") / 4)) 0 0"
	_c=$(drv_tok "$1" current_kb)
	echo "$(hvm_key "$1" target) $(hvm_maxmem_kb "$1") $_p ${_c:-none}"
}

# step TOOL NAME MiB TAG: one target change by xballoon or xl, then Xen's PoD
# numbers and the driver's report must agree; the numbers go to /tmp/snap-TAG
step() {
	_tool=$1 _g=$2 _mib=$3 _tag=$4
	if [ "$_tool" = xl ]; then xl mem-set "$_g" "${_mib}m"; else xballoon mem-set "$_g" "$_mib"; fi
	if _s=$(lab_wait_xen_mem "$_g" "$_mib" 1 60); then
		lab_pass "$_tag-xen" "$_tool: Xen at $(lab_xen_mem_kb "$_g") KiB after ${_s}s"
	else
		lab_fail "$_tag-xen" "$_tool: Xen at $(lab_xen_mem_kb "$_g") KiB, wanted $_mib MiB"
	fi
	_w=0
	while [ $_w -lt 100 ]; do
		drv_near "$(drv_tok "$_g" current_kb)" $((_mib * 1024)) 1 && break
		sleep 0.1
		_w=$((_w + 1))
	done
	sleep 1
	snap "$_g" >"/tmp/snap-$_tag"
	hvm_pod_log "$_g" "after $_tool mem-set $_mib"
	set -- $(cat "/tmp/snap-$_tag")
	# key maxmem tot cache entries current
	if [ $# = 6 ] && [ "$1" = $((_mib * 1024)) ] && [ "$5" -le "$4" ] &&
		drv_near $(($3 * 4)) "$1" 1 && drv_near "$6" "$1" 1; then
		lab_pass "$_tag-agree" "memory/target $1, maxmem $2 KiB, tot $3 pages, PoD cache $4 >= entries $5, report $6 KiB"
	else
		lab_fail "$_tag-agree" "key/maxmem/tot/cache/entries/report: $*"
	fi
}

# same MiB: xballoon's and xl's numbers for the same target
same() {
	_n=same-as-xl-$1
	set -- $(cat "/tmp/snap-xb-$1") $(cat "/tmp/snap-xl-$1")
	if [ $# = 12 ] && [ "$1" = "$7" ] && [ "$2" = "$8" ] && drv_near "$3" "$9" 1; then
		lab_pass "$_n" "memory/target $1 = $7, maxmem $2 = $8 KiB, tot $3 ~ $9 pages"
	else
		lab_fail "$_n" "xballoon: $1 $2 $3 $4 $5 $6; xl: $7 $8 $9 ${10} ${11} ${12}"
	fi
}

# One HVM guest at a time: a second one started while the first ran stalled
# in SeaBIOS (after "Searching bootorder for: HALT") for 300 s, in 1 of 1
# tries; one after another they always came up.

# ---- 1. PoD start with the driver ---------------------------------------
pod_start hpa pod-start || { lab_dump_logs; exit 0; }
info() {
	LAB_EXEC_TIMEOUT=30 lab_exec "$1" 'cd /sys/kernel/xballoon && echo scrub=$(cat /sys/module/xballoon/parameters/scrub) hypercalls=$(cat hypercalls) extents_2m_out=$(cat extents_2m_out) pages_inflated=$(cat pages_inflated) start_latency_us=$(cat start_latency_us)'
}
info hpa

# ---- 4. rollback: Xen refuses the second domain's PoD target ------------
# hpa holds I/O ports: Xen 4.17 refuses to raise its PoD target
# (p2m_pod_set_mem_target returns -ENOTEMPTY). A PV guest first in the plan
# (512 of 1024 MiB) is changed before and must be put back.
if ! lab_guest hpv --type pv --mem 512 --maxmem 1024 --kernel xb61 --module; then
	lab_fail rollback-pod-refused "PV guest did not come up"
elif xlab-pod ioport "$(lab_domid hpa)" 0x2f8 8 1; then
	# /vm/<uuid>/memory, found through the domain's own vm key
	vm() { xlab-xs read "$(xlab-xs read "/local/domain/$(lab_domid "$1")/vm")/memory" 2>/dev/null || echo none; }
	# memory/target, maxmem, tot cache entries, report current_kb, /vm memory
	rsnap() { echo "$(snap "$1") $(vm "$1")"; }
	before_v=$(rsnap hpv) before_a=$(rsnap hpa)
	xballoon mem-set --json hpv hpa 640 >/tmp/rb.json 2>/tmp/rb.err
	rc=$?
	cat /tmp/rb.json /tmp/rb.err | head -c 1500
	echo
	sleep 3
	after_v=$(rsnap hpv) after_a=$(rsnap hpa)
	lab_log "hpv before: $before_v, after: $after_v"
	lab_log "hpa before: $before_a, after: $after_a"
	hvm_pod_log hpa "after the refused change"
	# memory/target, maxmem and /vm memory exactly back; tot_pages within 1%
	back() {
		set -- $1 $2
		[ $# = 14 ] && [ "$1" = "$8" ] && [ "$2" = "$9" ] && [ "$7" = "${14}" ] &&
			drv_near "${10}" "$3" 1
	}
	if [ $rc = 1 ] && grep -q '"outcome":"restored"' /tmp/rb.json &&
		grep -q 'set_pod_target' /tmp/rb.json &&
		back "$before_v" "$after_v" && back "$before_a" "$after_a" && hvm_pod_safe hpa; then
		lab_pass rollback-pod-refused "exit 1; hpv changed then restored, hpa refused by Xen; both back (memory/target, maxmem, /vm memory, tot_pages)"
	else
		lab_fail rollback-pod-refused "exit $rc; hpv $before_v -> $after_v; hpa $before_a -> $after_a"
	fi
	# xl on the same refusal, for the record
	xl mem-set hpa 640m 2>&1 | tail -2
	lab_log "after xl mem-set 640m refused: hpa memory/target $(hvm_key hpa target), maxmem $(hvm_maxmem_kb hpa) KiB (was $(echo "$before_a" | cut -d' ' -f2))"
	xlab-pod ioport "$(lab_domid hpa)" 0x2f8 8 0
	xballoon mem-set hpa 512 >/dev/null
else
	lab_fail rollback-pod-refused "could not grant hpa I/O ports"
fi
lab_destroy hpv

# ---- 2. target changes: xballoon, then xl, the same numbers -------------
step xballoon hpa 384 xb-384
step xballoon hpa 768 xb-768
step xl hpa 384 xl-384
step xl hpa 768 xl-768
same 384
same 768
step xballoon hpa 512 xb-512
info hpa

# the guest at its target uses memory it never touched: it lives
hvm_fill hpa 300 >/dev/null
hvm_wait_fill hpa 300
rc=$?
hvm_pod_log hpa "after writing 300 MiB"
if [ $rc = 0 ] && hvm_pod_safe hpa; then
	lab_pass pod-driver-lives "300 MiB written, not crashed, PoD entries <= cache"
else
	lab_fail pod-driver-lives "fill status $rc, state $(hvm_state hpa)"
	xl dmesg | grep -i pod | tail -5
fi
lab_destroy hpa

# ---- 5. PoD start with zeroing on (scrub=1) -----------------------------
if pod_start hps pod-start-scrub --extra xballoon.scrub=1; then
	info hps
fi
lab_destroy hps

# ---- 1b. the same guest without the driver ------------------------------
t0=$(date +%s)
if lab_guest hp0 --type hvm --mem 512 --maxmem 1024 --kernel xb61; then
	hvm_pod_log hp0 "after boot, no driver"
	hvm_fill hp0 800 >/dev/null
	hvm_wait_fill hp0 400
	rc=$?
	msg=$(xl dmesg | grep 'out of PoD memory' | tail -1)
	lab_log "no driver: fill status $rc (0 filled, 2 crashed), state $(hvm_state hp0), $(($(date +%s) - t0))s after xl create"
	xl dmesg | grep -E 'PoD|pod|crash' | tail -8
	if [ $rc = 2 ] && [ -n "$msg" ]; then
		lab_pass pod-nodriver-crashed "Xen crashed it: ${msg#*) }"
	else
		lab_fail pod-nodriver-crashed "fill status $rc, state $(hvm_state hp0), message '$msg'"
	fi
else
	lab_fail pod-nodriver-crashed "guest did not come up"
fi
lab_destroy hp0
