# SPDX-License-Identifier: GPL-2.0
# lab-seconds: 110 (measured in a single-scenario lab: 104 s)
# Issue 11: start a domain on a full host. Four xballoon guests hold all free
# memory but ~160 MiB; a plain `xl create` of a 1 GiB guest fails, `xballoon
# create` of the same config frees memory from the four (never below
# dynamic-min) into a Xen claim and builds it. Then: a reservation holds
# while two guests' targets are raised (the race); asking for more than can be
# freed fails cleanly (exit 9, targets back); a reservation whose creator died
# is released after its time (no outstanding claim left). No daemon here:
# the command's own rules decide who gives.

. ./driver.inc

# without xballoond: this scenario is the command's own rules (run-plan
# stops whatever an earlier scenario left running, a daemon included).

tgt_mib() {
	echo $(($(xlab-xs read "/local/domain/$(lab_domid "$1")/memory/target") / 1024))
}
xen_mib() {
	echo $(($(lab_xen_mem_kb "$1") / 1024))
}
free_mib() {
	xl info | awk '/^free_memory/ {print $3}'
}
outstanding_mib() {
	xl info | awk '/^outstanding_claims/ {print $3}'
}
oom_kills() {
	lab_exec "$1" 'sed -n "s/^oom_kill //p" /proc/vmstat'
}
# pv_cfg NAME MiB: a plain PV guest config (no agent wait)
pv_cfg() {
	mkdir -p /tmp/xl
	cat >"/tmp/xl/$1.cfg" <<-CFG
	name = "$1"
	type = "pv"
	kernel = "/lab/kernels/xb61/bzImage"
	ramdisk = "/lab/kernels/xb61/initrd.gz"
	memory = $2
	vcpus = 1
	extra = "console=hvc0 quiet xlab.name=$1 xlab.module=0"
	CFG
	echo "$1" >>"$LAB_GUESTS_FILE"
}

GUESTS="g1 g2 g3 g4"
# four guests of equal size holding all free memory but ~160 MiB
f0=$(free_mib)
gm=$(((f0 - 160) / 4 / 16 * 16))
[ $gm -gt 1536 ] && gm=1536
lab_log "host free ${f0} MiB: four guests of ${gm} MiB"
ok=1
for g in $GUESTS; do
	lab_guest $g --type pv --mem $gm --kernel xb61 --module || ok=0
done
if [ $ok = 0 ]; then
	lab_fail "reserve-guests" "a guest did not come up"
	return 0 2>/dev/null || exit 0
fi
for g in $GUESTS; do
	xballoon mem-policy $g --min 256 --max $gm >/dev/null || ok=0
done
[ $ok = 1 ] && lab_pass "reserve-mem-policy" "dynamic-min 256 MiB, dynamic-max $gm MiB"
k0=""
for g in $GUESTS; do k0="$k0 $(oom_kills $g)"; done
# fill what the guests left, but 160 MiB (they may have grown a little less)
f1=$(free_mib)
if [ "$f1" -gt 200 ]; then
	drv_filler $((f1 - 160)) || lab_fail "reserve-filler" "could not fill $((f1 - 160)) MiB"
fi
lab_log "free now $(free_mib) MiB"

# ---- 1. a full host ----
pv_cfg big 1024
if xl create /tmp/xl/big.cfg >/tmp/xl/big.plain 2>&1; then
	lab_fail "reserve-plain-xl-fails" "xl create of 1 GiB succeeded with $(free_mib) MiB free"
	xl destroy big
else
	lab_pass "reserve-plain-xl-fails" "$(grep -i -m1 -e 'memory' -e 'fail' /tmp/xl/big.plain)"
fi
t0=$(cut -d' ' -f1 /proc/uptime)
if xballoon create --timeout 120 /tmp/xl/big.cfg >/tmp/xl/big.xb 2>&1; then
	t1=$(cut -d' ' -f1 /proc/uptime)
	sed 's/^/  | /' /tmp/xl/big.xb
	if xl list big >/dev/null 2>&1; then
		lab_pass "reserve-create-full-host" "xballoon create built big ($(xen_mib big) MiB) in $(echo "$t0 $t1" | awk '{printf "%.1f", $2 - $1}') s"
	else
		lab_fail "reserve-create-full-host" "xballoon create exited 0 but there is no domain big"
	fi
else
	rc=$?
	sed 's/^/  | /' /tmp/xl/big.xb
	lab_fail "reserve-create-full-host" "xballoon create exited $rc"
fi
bad=""
for g in $GUESTS; do
	t=$(tgt_mib $g) x=$(xen_mib $g)
	lab_log "$g: target $t MiB, Xen $x MiB"
	{ [ "$t" -ge 256 ] && [ "$x" -ge 250 ] && lab_exec $g 'echo alive' >/dev/null; } || bad="$bad $g(t=$t,x=$x)"
done
if [ -z "$bad" ]; then
	lab_pass "reserve-donors-above-min" "all four running, each at or above dynamic-min 256 MiB"
else
	lab_fail "reserve-donors-above-min" "$bad"
fi
lab_check "reserve-no-claim-left" test "$(outstanding_mib)" = 0
lab_check "reserve-no-record-left" sh -c '! xenstore-exists /local/domain/0/xballoon/reservations'
xl destroy big

# ---- 2. a race: the reservation holds while two guests ask for memory back ----
lab_log "free before the race $(free_mib) MiB"
if id=$(xballoon reserve --timeout 60 --hold 300 896m 2>/tmp/xl/race.err); then
	o=$(outstanding_mib)
	lab_log "reservation $id held; outstanding $o MiB, free $(free_mib) MiB"
	# raise two targets to the guests' boot size: more than is left unclaimed
	xl mem-set g1 ${gm}m
	xl mem-set g2 ${gm}m
	sleep 8
	o2=$(outstanding_mib)
	lab_log "after raising g1 g2 to $gm: g1 $(xen_mib g1) MiB, g2 $(xen_mib g2) MiB, free $(free_mib), outstanding $o2"
	if [ "$o2" -ge 895 ]; then
		lab_pass "reserve-race-claim-holds" "outstanding $o2 MiB while g1/g2 wanted $gm MiB"
	else
		lab_fail "reserve-race-claim-holds" "outstanding fell to $o2 MiB"
	fi
	pv_cfg mid 832
	if xballoon create --reservation "$id" /tmp/xl/mid.cfg >/tmp/xl/mid.xb 2>&1 &&
		xl list mid >/dev/null 2>&1; then
		lab_pass "reserve-race-built" "mid ($(xen_mib mid) MiB) built into reservation $id"
	else
		sed 's/^/  | /' /tmp/xl/mid.xb
		lab_fail "reserve-race-built" "no domain mid"
	fi
	k1=""
	for g in $GUESTS; do k1="$k1 $(oom_kills $g)"; done
	if [ "$k1" = "$k0" ] && lab_exec g1 'echo alive' >/dev/null && lab_exec g2 'echo alive' >/dev/null; then
		lab_pass "reserve-race-no-oom" "oom_kill counts$k1; g1 $(xen_mib g1) MiB, g2 $(xen_mib g2) MiB"
	else
		lab_fail "reserve-race-no-oom" "oom_kill counts before$k0, after$k1"
	fi
	lab_check "reserve-race-no-claim-left" test "$(outstanding_mib)" = 0
	xl destroy mid
else
	sed 's/^/  | /' /tmp/xl/race.err
	lab_fail "reserve-race-held" "xballoon reserve 896m failed"
fi

# ---- 3. not enough memory ----
before=""
for g in $GUESTS; do before="$before $(tgt_mib $g)"; done
xballoon reserve --timeout 60 16g >/tmp/xl/short.out 2>/tmp/xl/short.err
rc=$?
sed 's/^/  | /' /tmp/xl/short.err
after=""
for g in $GUESTS; do after="$after $(tgt_mib $g)"; done
if [ $rc = 9 ] && grep -q "found [0-9]* of 16384 MiB" /tmp/xl/short.err; then
	lab_pass "reserve-short-exit" "exit 9: $(grep -m1 'found' /tmp/xl/short.err)"
else
	lab_fail "reserve-short-exit" "exit $rc"
fi
if [ "$before" = "$after" ]; then
	lab_pass "reserve-short-restored" "targets$after"
else
	lab_fail "reserve-short-restored" "before$before, after$after"
fi
lab_check "reserve-short-no-claim" test "$(outstanding_mib)" = 0
lab_check "reserve-short-no-placeholder" sh -c '! xl list | grep -q xballoon-reserve'

# ---- 4. a crashed creator ----
# (a) killed while freeing: its record and placeholder go after --timeout + --hold
xballoon reserve --timeout 5 --hold 5 8g >/dev/null 2>/tmp/xl/kill.err &
pid=$!
sleep 2
lab_log "placeholders: $(xl list | grep -c xballoon-reserve); record: $(xenstore-read /local/domain/0/xballoon/reservations 2>/dev/null)"
kill -9 $pid
wait $pid 2>/dev/null
# (b) held, then its creator gone (reserve exited): released after --hold
if id=$(xballoon reserve --hold 10 256m 2>/dev/null); then
	o=$(outstanding_mib)
	sleep 2
	xballoon list >/dev/null
	o1=$(outstanding_mib)
	if [ "$o" -ge 255 ] && [ "$o1" -ge 255 ]; then
		lab_pass "reserve-held-until-timeout" "outstanding $o1 MiB before its time"
	else
		lab_fail "reserve-held-until-timeout" "outstanding $o then $o1 MiB"
	fi
else
	lab_fail "reserve-held-until-timeout" "xballoon reserve 256m failed"
fi
sleep 12
xballoon list >/tmp/xl/list.out 2>&1
o=$(outstanding_mib)
if [ "$o" = 0 ] && ! xl list | grep -q xballoon-reserve &&
	! xenstore-exists /local/domain/0/xballoon/reservations; then
	lab_pass "reserve-crashed-creator-released" "xl info outstanding_claims 0, no placeholder, no record"
else
	lab_fail "reserve-crashed-creator-released" "outstanding $o; $(xl list | grep xballoon-reserve); $(xenstore-read /local/domain/0/xballoon/reservations 2>/dev/null)"
fi
for g in $GUESTS; do lab_destroy $g; done
lab_destroy filler
