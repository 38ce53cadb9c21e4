# SPDX-License-Identifier: GPL-2.0
# lab-seconds: 75 (measured in a lab of make check, to balance --labs)
# 200 random target changes (no waiting in between) on a PV and a
# PVH guest: the guest ends at the last target (Xen's view within 1%), and no
# page is lost: Xen's count plus the driver's balloon add up to static-max.

. ./driver.inc

for t in pv pvh; do
	g=rnd$t
	if ! lab_guest "$g" --type "$t" --mem 1024 --kernel xb61 --module; then
		lab_fail "$g-boot" "guest did not come up"
		continue
	fi
	d=$(lab_domid "$g")
	smax=$(xenstore-read /local/domain/$d/memory/static-max)
	# reproducible pseudo-random targets 160..1024 MiB (in KiB, not always
	# whole MiB), written faster than the driver can follow; the last one
	# through xl mem-set, as a toolstack would
	case $t in pv) seed=12345 ;; *) seed=54321 ;; esac
	i=0 last=0 t0=$(date +%s)
	while [ $i -lt 199 ]; do
		seed=$(( (seed * 1103515245 + 12345) % 2147483648 ))
		kb=$(( 160 * 1024 + seed / 64 % (864 * 1024) ))
		xlab-xs write /local/domain/$d/memory/target "$kb" ||
			lab_fail "$g-write-$i" "xenstore-write $kb failed"
		[ $((seed % 4)) = 0 ] && sleep 0.$((seed % 7))
		i=$((i + 1))
	done
	last=$(( 160 + seed % 865 ))
	xl mem-set "$g" "${last}m" || lab_fail "$g-mem-set" "xl mem-set $last failed"
	lab_log "$g: 200 targets in $(($(date +%s) - t0)) s, last $last MiB"
	if s=$(lab_wait_xen_mem "$g" "$last" 1 180); then
		lab_pass "$g-last-target" "Xen at $(lab_xen_mem_kb "$g") KiB for $last MiB, ${s}s after the last change"
	else
		lab_fail "$g-last-target" "Xen at $(lab_xen_mem_kb "$g") KiB, last target $last MiB"
	fi
	# let the final report land
	n=0
	while [ $n -lt 50 ] && [ "$(drv_tok "$g" state)" != idle ]; do sleep 0.1; n=$((n + 1)); done
	xen=$(lab_xen_mem_kb "$g")
	bal=$(drv_tok "$g" balloon_kb)
	cur=$(drv_tok "$g" current_kb)
	if [ -n "$bal" ] && drv_near $((xen + bal)) "$smax" 1 && [ $((cur + bal)) = "$smax" ] &&
		drv_near "$cur" "$xen" 1; then
		lab_pass "$g-no-page-lost" "Xen $xen + balloon $bal = $((xen + bal)) KiB, static-max $smax; report current $cur"
	else
		lab_fail "$g-no-page-lost" "Xen $xen + balloon ${bal:-?} vs static-max $smax; report current ${cur:-?}"
	fi
	lab_exec "$g" 'cd /sys/kernel/xballoon && for f in state targets pages_inflated pages_deflated hypercalls refusals; do echo $f=$(cat $f); done'
	lab_destroy "$g"
done
