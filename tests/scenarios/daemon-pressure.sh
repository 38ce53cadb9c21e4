# SPDX-License-Identifier: GPL-2.0
# lab-seconds: 140 (measured in a lab of two, with other daemon scenarios)
# xballoond under pressure (issue 10, lab scenario 1): four xballoon guests
# on a host with no free memory beyond the reserve. One guest (busy) ramps a
# workload from 200 MiB to 1100 MiB in 100 MiB steps (tmpfs writes, which
# cannot be swapped or backed off from, as stress-ng --vm does when memory
# is low: see driver.inc). With the daemon it gets its memory, taken from
# the three idle guests, which shrink to their need; no guest OOM-kills or
# fails an allocation. Then the same ramp with the daemon off and the
# targets where they were before the ramp: the workload is OOM-killed or
# refused (tmpfs full), and the scenario records which.

. ./driver.inc
. ./daemon.inc

RAMP_FROM=200 RAMP_TO=1100 RAMP_STEP=100
tgt_mib() { echo $(($(tgt_kb "$1") / 1024)); }
# ramp GUEST: the workload; prints "ok MiB" or "failed at MiB (dd rc)"
# and leaves the files in place until unramp
ramp() {
	lab_exec "$1" "mkdir -p /hog && mount -t tmpfs -o size=$((RAMP_TO + 100))m hog /hog &&
		dd if=/dev/zero of=/hog/f0 bs=1M count=$RAMP_FROM 2>/dev/null || { echo failed at 0 \$?; exit 0; }
		m=$RAMP_FROM
		while [ \$m -lt $RAMP_TO ]; do
			sleep 1
			dd if=/dev/zero of=/hog/f\$m bs=1M count=$RAMP_STEP 2>/dev/null ||
				{ echo failed at \$m \$?; exit 0; }
			m=\$((m + $RAMP_STEP))
		done
		echo ok \$m"
}
unramp() { lab_exec "$1" 'rm -f /hog/f*; umount /hog' >/dev/null 2>&1; }
alloc_fail() { lab_exec "$1" 'dmesg | grep -c "page allocation failure"'; }

ok=1
# a guest grows back only up to the size it booted with: busy boots big and
# the daemon shrinks it first
lab_guest busy --type pv --mem 1280 --kernel xb61 --module || ok=0
for g in idle1 idle2 idle3; do
	lab_guest $g --type pv --mem 640 --kernel xb61 --module || ok=0
done
if [ $ok = 0 ]; then
	lab_fail "pressure-guests" "a guest did not come up"
	return 0 2>/dev/null || exit 0
fi
xballoon mem-policy busy --min 192 --max 1280 >/dev/null &&
	for g in idle1 idle2 idle3; do xballoon mem-policy $g --min 96 --max 640 >/dev/null || exit 1; done ||
	lab_fail "pressure-mem-policy" "mem-policy failed"
for g in busy idle1 idle2 idle3; do
	eval "k0_$g=\$(oom_kills $g) a0_$g=\$(alloc_fail $g)"
done
# a tight host: the guests first hold 1600 MiB between them (the ramp's top
# needs about 1230 with its margin, the idle guests about 120 each), then a
# paused filler holds what is free but the reserve (160 MiB)
xl mem-set busy 400m
for g in idle1 idle2 idle3; do xl mem-set $g 400m; done
for g in busy idle1 idle2 idle3; do
	lab_wait_xen_mem $g 400 2 90 >/dev/null || lab_fail "pressure-setup" "$g at $(lab_xen_mem_kb $g) KiB, not 400 MiB"
done
free=$(xl info | awk '/^free_memory/ {print $3}')
drv_filler $((free - 160)) || lab_fail "pressure-filler" "no filler of $((free - 160)) MiB"
daemon_conf /tmp/xbd-pressure.conf 128
xballoond --config /tmp/xbd-pressure.conf >/tmp/xbd-pressure.log 2>&1 &
xbd=$!
lab_check "pressure-started" wait_for /tmp/xbd-pressure.log '"event":"start"' 20
# the daemon settles first
sleep 20
lab_log "settled: busy $(tgt_mib busy), idle $(tgt_mib idle1)/$(tgt_mib idle2)/$(tgt_mib idle3) MiB; free $(xl info | awk '/^free_memory/ {print $3}') MiB"
before_busy=$(tgt_kb busy)
before_idle="$(tgt_kb idle1) $(tgt_kb idle2) $(tgt_kb idle3)"

out=$(ramp busy)
lab_log "ramp with the daemon: $out; busy target $(tgt_mib busy) MiB, Xen $(lab_xen_mem_kb busy) KiB"
if [ "$out" = "ok $RAMP_TO" ]; then
	lab_pass "pressure-ramp-served" "busy wrote $RAMP_TO MiB; target $((before_busy / 1024)) -> $(tgt_mib busy) MiB"
else
	lab_fail "pressure-ramp-served" "$out; busy target $(tgt_mib busy) MiB"
fi
# shrunk to its need: within need + the 64 MiB margin + hysteresis (need and
# target are read at different moments: read again for up to 15 s)
at_need() {
	short=
	for g in idle1 idle2 idle3; do
		need=$(dstat $g need_kb) t=$(tgt_kb $g)
		if [ -z "$need" ] || [ "$t" -gt $((need + 80 * 1024)) ]; then
			short="$short $g($t>$need)"
		fi
	done
	[ -z "$short" ]
}
lab_until 15 at_need
for g in idle1 idle2 idle3; do
	lab_log "$g: target $(tgt_kb $g) KiB, need $(dstat $g need_kb) KiB"
done
if [ -z "$short" ]; then
	lab_pass "pressure-idle-at-need" "idle targets $(tgt_mib idle1)/$(tgt_mib idle2)/$(tgt_mib idle3) MiB"
else
	lab_fail "pressure-idle-at-need" "above need + margin:$short"
fi
bad=
for g in busy idle1 idle2 idle3; do
	eval "k0=\$k0_$g a0=\$a0_$g"
	k1=$(oom_kills $g) a1=$(alloc_fail $g)
	[ -n "$k1" ] && [ "$k1" = "$k0" ] && [ "$a1" = "$a0" ] || bad="$bad $g(oom $k0->$k1, alloc failures $a0->$a1)"
done
if [ -z "$bad" ]; then
	lab_pass "pressure-nothing-killed" "no OOM kill, no page allocation failure in the four guests"
else
	lab_fail "pressure-nothing-killed" "$bad"
fi
grep '"event":"decision"' /tmp/xbd-pressure.log | tail -6 | cut -c1-240 | sed 's/^/  | /'

# ---- the same with the daemon off, from the targets before the ramp
kill -TERM $xbd
wait $xbd
unramp busy
xl mem-set busy $((before_busy / 1024))m
set -- $before_idle
for g in idle1 idle2 idle3; do xl mem-set $g $(($1 / 1024))m; shift; done
lab_wait_xen_mem busy $((before_busy / 1024)) 2 90 >/dev/null
k0=$(oom_kills busy)
out=$(ramp busy)
k1=$(oom_kills busy)
lab_log "ramp without the daemon: ${out:-no answer}; busy oom_kill $k0 -> $k1, Xen $(lab_xen_mem_kb busy) KiB"
case $out in
ok*)
	lab_fail "pressure-daemon-off-fails" "the ramp succeeded without the daemon: the scenario shows nothing" ;;
*)
	if [ -n "$k1" ] && [ "$k1" != "$k0" ]; then how="OOM-killed ($k0 -> $k1 kills)"; else how="refused: ${out:-no answer}"; fi
	lab_pass "pressure-daemon-off-fails" "without the daemon the workload is $how" ;;
esac
unramp busy
xballoon list | sed 's/^/  | /'
