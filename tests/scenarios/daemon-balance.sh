# SPDX-License-Identifier: GPL-2.0
# lab-seconds: 202 (measured in a single-scenario lab, not yet in make check)
# xballoond balances: two xballoon guests and a liar on a host with no free
# memory beyond the reserve. The busy guest (stress-ng, 600 MiB) gets memory
# taken from the idle one, within their ranges (xballoon mem-policy); the
# liar (no driver; its report claims no MemAvailable and ever more OOM
# deflates) gets at most its dynamic-max; nobody is OOM-killed; SIGTERM stops
# the daemon cleanly, leaving the targets.

. ./driver.inc

# tgt_mib GUEST: memory/target in MiB
tgt_mib() {
	echo $(($(xlab-xs read "/local/domain/$(lab_domid "$1")/memory/target") / 1024))
}
# wait_tgt GUEST OP MiB S: until the target OP (-ge/-le) MiB, at most S s
wait_tgt() {
	local n=0
	while [ $n -lt $(($4 * 2)) ]; do
		[ "$(tgt_mib "$1")" "$2" "$3" ] && return 0
		sleep 0.5
		n=$((n + 1))
	done
	return 1
}
oom_kills() {
	lab_exec "$1" 'sed -n "s/^oom_kill //p" /proc/vmstat'
}

ok=1
# a guest grows back only up to the size it booted with (docs/driver.md):
# both start at 1 GiB and the daemon shrinks them
lab_guest busy --type pv --mem 1024 --kernel xb61 --module --stress || ok=0
lab_guest idle --type pv --mem 1024 --kernel xb61 --module || ok=0
lab_guest liar --type pv --mem 256 --maxmem 512 --kernel xb61 || ok=0
if [ $ok = 0 ]; then
	lab_fail "daemon-guests" "a guest did not come up"
	return 0 2>/dev/null || exit 0
fi
lab_check "daemon-busy-driver" lab_exec busy 'test -d /sys/kernel/xballoon && command -v stress-ng'
lab_check "daemon-mem-policy" sh -c '
	xballoon mem-policy busy --min 256 --max 1024 --weight 1 &&
	xballoon mem-policy idle --min 256 --max 1024 &&
	xballoon mem-policy liar --min 128m --max 384m'
# the guest can read its policy keys but not write them
if lab_exec liar "xlab-xs write /local/domain/$(lab_domid liar)/memory/dynamic-max 99999999" \
	>/dev/null 2>&1; then
	lab_fail "daemon-keys-guest-readonly" "the guest wrote memory/dynamic-max"
else
	lab_pass "daemon-keys-guest-readonly"
fi
b0=$(oom_kills busy) i0=$(oom_kills idle)

# the liar: a report every second, no memory available, deflates climbing
lab_exec liar "sh -c 'n=0; while :; do n=\$((n + 1));
	xlab-xs write /local/domain/$(lab_domid liar)/data/xballoon/report \
	\"v=1 seq=\$n state=oom-deflated mem_total_kb=67108864 mem_avail_kb=0 balloon_kb=0 oom_deflates=\$n\";
	sleep 1; done' </dev/null >/dev/null 2>&1 &"

# a host short of memory: the reserve is 768 MiB more than is free, so the
# guests share about 1.5 GiB of their 2.25 GiB
free=$(xl info | awk '/^free_memory/ {print $3}')
idle0=$(tgt_mib idle)
for g in idle busy liar; do
	eval ${g}_kb0=$(xlab-xs read "/local/domain/$(lab_domid $g)/memory/target")
done
cat >/tmp/xballoond.conf <<CONF
[host]
reserve = $((free + 768))
[margin]
default = 96m
min = 64m
[borrow]
headroom = 256m
[rate]
hysteresis = 8m
min-interval = 1
resample = 2
stuck = 30
CONF
lab_log "host free ${free} MiB; config: $(tr '\n' ' ' </tmp/xballoond.conf)"
xballoond --config /tmp/xballoond.conf >/tmp/xballoond.log 2>&1 &
xbd=$!
i=0
while [ $i -lt 100 ] && kill -0 $xbd 2>/dev/null && ! grep -q '"event":"start"' /tmp/xballoond.log; do
	sleep 0.2
	i=$((i + 1))
done
if kill -0 $xbd 2>/dev/null && grep -q '"event":"start"' /tmp/xballoond.log; then
	lab_pass "daemon-started"
else
	lab_fail "daemon-started" "$(tail -3 /tmp/xballoond.log)"
fi

# idle: both shrink toward need + their share; the liar stays in its range
if wait_tgt idle -lt 800 90; then
	lab_pass "daemon-idle-shrinks" "idle target $idle0 -> $(tgt_mib idle) MiB"
else
	lab_fail "daemon-idle-shrinks" "idle target still $(tgt_mib idle) MiB"
fi
sleep 5
busy1=$(tgt_mib busy) idle1=$(tgt_mib idle)
lab_log "before the workload: busy $busy1 MiB, idle $idle1 MiB, liar $(tgt_mib liar) MiB"

# the workload: 600 MiB kept for 60 s in busy
# (written to tmpfs, unswappable here: stress-ng --vm backs off when memory
# is low and reports success without allocating)
lab_exec busy 'mkdir -p /hog && mount -t tmpfs -o size=800m hog /hog &&
	(dd if=/dev/zero of=/hog/fill bs=1M count=600 >/tmp/st.log 2>&1; echo dd=$? >>/tmp/st.log; sleep 60;
	 rm -f /hog/fill; echo done >/tmp/st.done) </dev/null >/dev/null 2>&1 &'
if wait_tgt busy -ge 750 120; then
	lab_pass "daemon-busy-gets-memory" "busy target $busy1 -> $(tgt_mib busy) MiB, Xen $(lab_xen_mem_kb busy) KiB"
else
	lab_fail "daemon-busy-gets-memory" "busy target $(tgt_mib busy) MiB (was $busy1)"
fi
idle2=$(tgt_mib idle)
if [ "$idle2" -lt "$idle1" ] && [ "$idle2" -ge 256 ]; then
	lab_pass "daemon-taken-from-idle" "idle target $idle1 -> $idle2 MiB (dynamic-min 256)"
else
	lab_fail "daemon-taken-from-idle" "idle target $idle1 -> $idle2 MiB"
fi
liar=$(tgt_mib liar)
if [ "$liar" -le 384 ] && [ "$liar" -ge 128 ]; then
	lab_pass "daemon-liar-bounded" "liar target $liar MiB (dynamic-max 384)"
else
	lab_fail "daemon-liar-bounded" "liar target $liar MiB"
fi
lab_exec busy 'for i in $(seq 90); do test -e /tmp/st.done && break; sleep 1; done; tail -2 /tmp/st.log' |
	sed 's/^/  | /'
b1=$(oom_kills busy) i1=$(oom_kills idle)
if [ "$b1" = "$b0" ] && [ "$i1" = "$i0" ] && [ -n "$b1" ] && [ -n "$i1" ]; then
	lab_pass "daemon-no-oom-kills" "busy $b0 -> $b1, idle $i0 -> $i1"
else
	lab_fail "daemon-no-oom-kills" "busy $b0 -> $b1, idle $i0 -> $i1"
fi

# every decision logged with its reason
n=$(grep -c '"event":"decision"' /tmp/xballoond.log)
if [ "$n" -gt 0 ] && ! grep '"event":"decision"' /tmp/xballoond.log | grep -vq '"reason":"'; then
	lab_pass "daemon-decisions-logged" "$n decisions"
else
	lab_fail "daemon-decisions-logged" "$n decisions"
fi
grep '"event"' /tmp/xballoond.log | tail -12 | sed 's/^/  | /'

# a decision taken just before the signal is still applied (it is logged
# first), so each guest's target must be the last one the log shows for it,
# or the one it had before the daemon started
kill -TERM $xbd
wait $xbd
rc=$?
moved=""
for g in idle busy liar; do
	id=$(lab_domid $g)
	want=$(grep '"event":"decision"' /tmp/xballoond.log | grep "\"domid\":$id," | tail -1 |
		sed -n 's/.*"new_kb":\([0-9]*\).*/\1/p')
	[ -n "$want" ] || want=$(eval echo \$${g}_kb0)
	have=$(xlab-xs read "/local/domain/$id/memory/target")
	[ "$have" = "$want" ] || moved="$moved $g:$want->$have"
done
if [ $rc = 0 ] && grep -q '"event":"stop"' /tmp/xballoond.log && [ -z "$moved" ]; then
	lab_pass "daemon-sigterm" "exit 0, targets left as last decided"
else
	lab_fail "daemon-sigterm" "exit $rc; moved:${moved:- none}; last: $(tail -1 /tmp/xballoond.log)"
fi
