# SPDX-License-Identifier: GPL-2.0
# lab-seconds: 60 (measured in a lab of two, with other daemon scenarios)
# Issue 11 with xballoond running: `xballoon reserve` leaves who gives to the
# daemon, whose policy takes the reservation out of free memory (never hands
# it to the guests), shrinks them within their ranges until Xen's free memory
# holds it, and the command claims it. After `xballoon release` the daemon
# shares the memory again.

. ./driver.inc

tgt_mib() {
	echo $(($(xlab-xs read "/local/domain/$(lab_domid "$1")/memory/target") / 1024))
}
outstanding_mib() {
	xl info | awk '/^outstanding_claims/ {print $3}'
}

ok=1
lab_guest d1 --type pv --mem 1024 --kernel xb61 --module || ok=0
lab_guest d2 --type pv --mem 1024 --kernel xb61 --module || ok=0
if [ $ok = 0 ]; then
	lab_fail "dreserve-guests" "a guest did not come up"
	return 0 2>/dev/null || exit 0
fi
xballoon mem-policy d1 --min 256 --max 1024 >/dev/null
xballoon mem-policy d2 --min 256 --max 1024 >/dev/null
# a full host: a paused filler holds all free memory but 128 MiB
free=$(xl info | awk '/^free_memory/ {print $3}')
drv_filler $((free - 128)) || lab_fail "dreserve-filler" "no filler of $((free - 128)) MiB"
cat >/tmp/xbd-res.conf <<CONF
[host]
reserve = 64
[rate]
hysteresis = 8m
min-interval = 1
resample = 1
CONF
xballoond --config /tmp/xbd-res.conf >/tmp/xbd-res.log 2>&1 &
xbd=$!
sleep 5
lab_log "targets d1 $(tgt_mib d1) d2 $(tgt_mib d2); free $(xl info | awk '/^free_memory/ {print $3}') MiB"
lab_check "dreserve-daemon-announced" lab_until 20 xenstore-exists /local/domain/0/xballoon/daemon-pid
if id=$(xballoon reserve --timeout 90 --hold 120 768m 2>/tmp/xl-dres.err); then
	sed 's/^/  | /' /tmp/xl-dres.err
	# the daemon's targets as it settles with the reservation held (read
	# at once, they were seen still at 1024 while Xen had already freed it)
	sleep 3
	t1=$(tgt_mib d1) t2=$(tgt_mib d2) o=$(outstanding_mib)
	grep '"event":"decision"' /tmp/xbd-res.log | tail -4 | cut -c1-240 | sed 's/^/  | /'
	if grep -q "xballoond is running" /tmp/xl-dres.err && [ "$o" -ge 767 ] &&
		[ "$t1" -ge 256 ] && [ "$t2" -ge 256 ] && [ $((t1 + t2)) -le $((2048 - 600)) ]; then
		lab_pass "dreserve-daemon-frees" "reservation $id held (outstanding $o MiB); targets d1 $t1, d2 $t2 MiB"
	else
		lab_fail "dreserve-daemon-frees" "outstanding $o, targets $t1 $t2"
	fi
	sleep 2
	# held memory is not handed back: the targets do not grow while it is held
	if [ "$(tgt_mib d1)" -le $((t1 + 16)) ] && [ "$(tgt_mib d2)" -le $((t2 + 16)) ]; then
		lab_pass "dreserve-not-handed-back" "targets d1 $(tgt_mib d1), d2 $(tgt_mib d2) MiB"
	else
		lab_fail "dreserve-not-handed-back" "targets grew to $(tgt_mib d1), $(tgt_mib d2)"
	fi
	xballoon release "$id"
	released() { [ "$(outstanding_mib)" = 0 ]; }
	shared() { [ "$(tgt_mib d1)" -gt $((t1 + 100)) ] || [ "$(tgt_mib d2)" -gt $((t2 + 100)) ]; }
	sleep 6
	lab_check "dreserve-released" lab_until 10 released
	if lab_until 20 shared; then
		lab_pass "dreserve-shared-again" "targets d1 $(tgt_mib d1), d2 $(tgt_mib d2) MiB"
	else
		lab_fail "dreserve-shared-again" "targets d1 $(tgt_mib d1), d2 $(tgt_mib d2) MiB"
	fi
else
	sed 's/^/  | /' /tmp/xl-dres.err
	lab_fail "dreserve-daemon-frees" "xballoon reserve 768m failed"
	tail -20 /tmp/xbd-res.log | sed 's/^/  | /'
fi
kill $xbd
wait $xbd 2>/dev/null
lab_destroy d1
lab_destroy d2
lab_destroy filler
