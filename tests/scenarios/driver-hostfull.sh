# SPDX-License-Identifier: GPL-2.0
# lab-seconds: 100 (estimate: 51 s measured for PVH alone in make check)
# Take-back while the host has no free memory, on PV and PVH (the PV path
# also maps and enters in the p2m what Xen gives): the guest stays up,
# reports the refusal (state refused, hard limit), and reaches its target once
# memory is freed.

. ./driver.inc

for t in pv pvh; do
	g=hf$t
	if ! lab_guest "$g" --type "$t" --mem 1024 --kernel xb61 --module; then
		lab_fail "$g-boot" "guest did not come up"
	else
		xl mem-set "$g" 256m
		lab_check "$g-down" lab_wait_xen_mem "$g" 256 1 120
		# fill the host: a paused guest holding all free memory but 64 MiB
		free=$(xl info | awk '/^free_memory/ {print $3}')
		fill=$((free - 64))
		if drv_filler $fill; then
			lab_log "host free after filler ($fill MiB): $(xl info | awk '/^free_memory/ {print $3}') MiB"
			xl mem-set "$g" 1024m
			n=0
			while [ $n -lt 300 ] && [ "$(drv_tok "$g" state)" != refused ]; do sleep 0.1; n=$((n + 1)); done
			sleep 2
			rep=$(xenstore-read /local/domain/$(lab_domid "$g")/data/xballoon/report)
			echo "  | $rep"
			hl=$(drv_tok "$g" hard_limit_kb)
			if [ "$(drv_tok "$g" state)" = refused ] && [ "$(drv_tok "$g" last_error)" = hv-refused ] &&
				[ "${hl:-0}" -gt 0 ] && [ "$(drv_tok "$g" refusals)" -gt 0 ]; then
				lab_pass "$g-refusal-reported" "state refused, hard_limit_kb=$hl, Xen $(lab_xen_mem_kb "$g") KiB"
			else
				lab_fail "$g-refusal-reported" "report: $rep"
			fi
			lab_check "$g-guest-alive" lab_exec "$g" 'echo alive; cat /sys/kernel/xballoon/state'
			lab_destroy filler
			if s=$(lab_wait_xen_mem "$g" 1024 1 120); then
				lab_pass "$g-catch-up" "reached 1024 MiB ${s}s after memory was freed; state $(drv_tok "$g" state)"
			else
				lab_fail "$g-catch-up" "Xen at $(lab_xen_mem_kb "$g") KiB; report $(xenstore-read /local/domain/$(lab_domid "$g")/data/xballoon/report)"
			fi
		else
			lab_fail "$g-filler" "could not create the filler domain of $fill MiB"
		fi
		lab_destroy "$g"
	fi
done
