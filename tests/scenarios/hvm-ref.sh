# SPDX-License-Identifier: GPL-2.0
# lab-seconds: 227 (measured in a lab of 1 CPU beside hvm-pod, to balance --labs)
# lab-needs: hvm
# An HVM guest on the ref kernel (Linux's own balloon driver, beside
# xballoon.ko in hvm-pod.sh) started with populate-on-demand (memory=512,
# maxmem=1024) and 16 MiB of video RAM (stdvga):
# - Linux's driver balloons it down to its PoD target and it is safe;
# - xballoon list shows the Max, Target and Actual that xl shows;
# - a target near static-max is taken or refused as libxl does
#   (libxl_set_memory_target: target - videoram <= static-max), with the
#   same memory/target and maxmem as xl mem-set;
# - give-back and take-back (512 -> 384 -> 512 MiB) timed, for comparison
#   with xballoon.ko's in hvm-pod.sh.

. ./toolstack.inc
. ./driver.inc
. ./hvm.inc
LAB_BOOT_TIMEOUT=300

t0=$(date +%s)
if ! lab_guest hpr --type hvm --mem 512 --maxmem 1024 --videoram 16 --kernel ref61; then
	lab_fail ref-boot "guest did not come up"
	exit 0
fi
lab_pass ref-boot "up in $(($(date +%s) - t0))s (xl create to agent)"
# Linux's driver takes memory/target as the size including video RAM
# (target_diff = static-max - its RAM at boot, which is the video RAM): it
# settles where Xen's tot_pages is memory/target (512 - 16 - 1 MiB of libxl's
# PoD fudge), 16 MiB below what libxl meant
if s=$(lab_wait_xen_mem hpr 495 1 120); then
	lab_pass ref-pod-start "Linux's driver: Xen at $(lab_xen_mem_kb hpr) KiB = memory/target $(hvm_key hpr target) $(($(date +%s) - t0))s after xl create"
else
	lab_fail ref-pod-start "Xen sees $(lab_xen_mem_kb hpr) KiB, memory/target $(hvm_key hpr target)"
fi
hvm_pod_log hpr "after boot"
if hvm_pod_safe hpr; then
	lab_pass ref-pod-safe "$(hvm_pod hpr) (tot cache entries)"
else
	lab_fail ref-pod-safe "$(hvm_pod hpr) (tot cache entries)"
fi
id=$(lab_domid hpr)
lab_log "memory/: static-max $(hvm_key hpr static-max) target $(hvm_key hpr target) videoram $(hvm_key hpr videoram)"

# ---- 3. videoram: list against xl ---------------------------------------
# xl list -l: max_memkb is static-max, target_memkb is memory/target +
# videoram (+ 1 MiB for a PoD guest: libxl__get_targetmem_fudge), xl list's
# Mem is tot_pages
xlkey() { grep -o "\"$1\": *[0-9]*" /tmp/xll | head -1 | grep -o '[0-9]*$'; }
ok=0
for try in 1 2 3 4 5; do
	xl list hpr >/tmp/xl1
	xballoon list --json hpr >/tmp/xb.json
	xl list hpr >/tmp/xl2
	cmp -s /tmp/xl1 /tmp/xl2 && { ok=1; break; }
	sleep 1
done
xl list -l hpr >/tmp/xll
xl_mem=$(awk 'NR == 2 {print $3}' /tmp/xl1)
xl_max=$(xlkey max_memkb) xl_tgt=$(xlkey target_memkb) xl_vram=$(xlkey video_memkb)
xb_max=$(jdom /tmp/xb.json "$id" static_max_kb)
xb_tgt=$(jdom /tmp/xb.json "$id" target_kb)
xb_act=$(jdom /tmp/xb.json "$id" actual_kb)
fudge=$((xl_tgt - xb_tgt))
lab_log "xl: Mem $xl_mem MiB, max_memkb $xl_max, target_memkb $xl_tgt, video_memkb $xl_vram; xballoon: static_max_kb $xb_max, target_kb $xb_tgt, actual_kb $xb_act"
if [ -n "$xb_act" ] && [ "$xb_max" = "$xl_max" ] && [ $((xb_act / 1024)) = "$xl_mem" ] &&
	{ [ "$fudge" = 0 ] || [ "$fudge" = 1024 ]; } && [ "$xl_vram" = 16384 ] &&
	[ "$xb_tgt" = $(($(hvm_key hpr target) + 16384)) ]; then
	lab_pass videoram-list "Max $xb_max = xl $xl_max KiB, Actual $((xb_act / 1024)) = xl $xl_mem MiB, Target $xb_tgt = memory/target + videoram (xl $xl_tgt, libxl's PoD fudge $fudge KiB)"
else
	lab_fail videoram-list "xballoon max/target/actual $xb_max/$xb_tgt/$xb_act, xl $xl_max/$xl_tgt/${xl_mem} MiB, stable=$ok"
fi

# ---- 3. a target near static-max, as libxl takes it ---------------------
# static-max 1024 MiB, videoram 16 MiB: libxl takes up to 1040 MiB
near() { # TOOL MiB: exit status, memory/target, maxmem
	if [ "$1" = xl ]; then xl mem-set hpr "${2}m" >/tmp/near.out 2>&1; else xballoon mem-set hpr "$2" >/tmp/near.out 2>&1; fi
	echo "$? $(hvm_key hpr target) $(hvm_maxmem_kb hpr)"
}
xb1041=$(near xballoon 1041)
xl1041=$(near xl 1041)
xb1040=$(near xballoon 1040)
xballoon mem-set hpr 512 >/dev/null
xl1040=$(near xl 1040)
xballoon mem-set hpr 512 >/dev/null
lab_log "1041: xballoon $xb1041, xl $xl1041; 1040: xballoon $xb1040, xl $xl1040 (status memory/target maxmem)"
if [ "${xb1041%% *}" != 0 ] && [ "${xl1041%% *}" != 0 ] &&
	[ "${xb1040%% *}" = 0 ] && [ "$xb1040" = "$xl1040" ] &&
	[ "$(echo "$xb1040" | cut -d' ' -f2)" = 1048576 ]; then
	lab_pass videoram-near-max "1041 MiB refused by both, 1040 MiB taken by both: memory/target 1048576 (= static-max), same maxmem"
else
	lab_fail videoram-near-max "1041: xballoon '$xb1041' xl '$xl1041'; 1040: xballoon '$xb1040' xl '$xl1040'"
fi
lab_wait_xen_mem hpr 496 2 120 >/dev/null

# ---- 6. Linux's driver on HVM: give-back and take-back ------------------
# (Xen settles at memory/target = the target less the 16 MiB video RAM)
for mib in 384 512; do
	xl mem-set hpr "${mib}m"
	if s=$(lab_wait_xen_mem hpr $((mib - 16)) 1 120); then
		lab_pass "ref-$mib" "Linux's driver: Xen at $(lab_xen_mem_kb hpr) KiB after ${s}s"
	else
		lab_fail "ref-$mib" "Xen at $(lab_xen_mem_kb hpr) KiB, wanted $((mib - 16)) MiB"
	fi
	hvm_pod_log hpr "after xl mem-set $mib"
done
# xballoon's wait on this guest: its Target counts the video RAM, Linux's
# driver settles 16 MiB below it (at memory/target); that band is the target
xballoon mem-set --wait --timeout 60 --stuck 20 hpr 448 >/tmp/w.out 2>&1
rc=$?
tail -3 /tmp/w.out
st=$(xballoon list --json hpr | tr -d ' \n' | grep -o '"state":"[a-z-]*"' | head -1)
if [ "$rc" = 0 ] && [ "$st" = '"state":"at-target"' ]; then
	lab_pass wait-videoram "mem-set --wait 448 exit 0 with Xen at $(lab_xen_mem_kb hpr) KiB; list $st"
else
	lab_fail wait-videoram "mem-set --wait 448: exit $rc, Xen at $(lab_xen_mem_kb hpr) KiB, list $st"
fi
lab_destroy hpr

# ---- 3. the same guest with xballoon.ko: where does it settle? ----------
t0=$(date +%s)
if lab_guest hvx --type hvm --mem 512 --maxmem 1024 --videoram 16 --kernel xb61 --module; then
	key=$(hvm_key hvx target)
	w=0
	while [ $w -lt 300 ] && [ "$(drv_tok hvx state)" != idle ]; do sleep 0.2; w=$((w + 1)); done
	sleep 2
	xballoon list hvx
	hvm_pod_log hvx "after boot"
	act=$(lab_xen_mem_kb hvx)
	cur=$(drv_tok hvx current_kb)
	lab_log "xballoon.ko with 16 MiB video RAM: Xen at $act KiB, memory/target $key, report current_kb $cur, $(($(date +%s) - t0))s after xl create"
	near1() { awk -v a="$1" -v k="$2" 'BEGIN { d = a - k; if (d < 0) d = -d; exit !(d <= k / 100) }'; }
	if near1 "$act" "$key"; then where="memory/target $key (as Linux's driver)"
	elif near1 "$act" $((key + 16384)); then where="memory/target + videoram $((key + 16384)) (as xballoon list's Target)"
	else where=; fi
	if hvm_pod_safe hvx && [ -n "$where" ]; then
		lab_pass xb-videoram-start "Xen at $act KiB = $where, report current_kb $cur, PoD safe"
	else
		lab_fail xb-videoram-start "Xen at $act KiB, memory/target $key, report current_kb $cur, PoD $(hvm_pod hvx)"
	fi
else
	lab_fail xb-videoram-start "guest did not come up"
fi
lab_destroy hvx
