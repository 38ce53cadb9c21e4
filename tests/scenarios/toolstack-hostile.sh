# SPDX-License-Identifier: GPL-2.0
# lab-seconds: 55 (measured in a lab of make check, to balance --labs)
# A guest writing garbage, huge numbers, 4 KiB values and floods into its own
# report key (and keys below it) does not break `xballoon list` or `watch`,
# costs dom0 bounded CPU and memory, never changes another domain, and
# cannot end a wait by claiming a refusal or a floor.

. ./toolstack.inc

# CPU ticks (user + system) and RSS (KiB) of a process
ticks() { awk '{print $14 + $15}' /proc/$1/stat; }
rss() { awk '/^VmRSS/ {print $2}' /proc/$1/status; }

lab_guest tsh-bad --type pv --mem 256 --kernel xb61 || exit 1
lab_guest tsh-ok --type pv --mem 512 --kernel xb61 --module || exit 1
bad=$(lab_domid tsh-bad) ok=$(lab_domid tsh-ok)
ok_target=$(xenstore-read /local/domain/$ok/memory/target)

xballoon watch --json >/tmp/hw.jsonl 2>/tmp/hw.err &
wpid=$!
sleep 2

# listcheck NAME: list works, shows the bad guest's report as invalid or valid
# (never breaks) and the good guest exactly as Xen and xenstore have it
listcheck() {
	xballoon list --json >/tmp/h.json 2>/tmp/h.err
	_rc=$?
	_st=$(jdrv /tmp/h.json "$bad" status)
	_act=$(jdom /tmp/h.json "$ok" actual_kb)
	_xen=$(lab_xen_mem_kb tsh-ok)
	_tgt=$(jdom /tmp/h.json "$ok" target_kb)
	if [ "$_rc" != 0 ]; then
		lab_fail "$1" "list exit $_rc: $(cat /tmp/h.err)"
	elif [ "$_st" != "$2" ]; then
		lab_fail "$1" "bad guest's report status '$_st', expected $2"
	elif [ "$_act" != "$_xen" ] || [ "$_tgt" != "$(xenstore-read /local/domain/$ok/memory/target)" ]; then
		lab_fail "$1" "good guest wrong: actual $_act (xen $_xen) target $_tgt"
	else
		lab_pass "$1"
	fi
	xballoon list >/dev/null 2>&1 || lab_fail "$1-text" "text list failed"
	xballoon list --prometheus >/dev/null 2>&1 || lab_fail "$1-prometheus" "prometheus failed"
}

w() { lab_exec tsh-bad "xenstore-write data/xballoon/report '$1'"; }
w 'v=1 seq=1 state=refused balloon_kb=18446744073709551615 current_kb=99999999999999999999'
listcheck hostile-huge-numbers invalid
w 'v=1 seq=2 state=refused balloon_kb=18446744073709551615 mem_avail_kb=18446744073709551615'
listcheck hostile-max-u64 valid
w 'garbage <script> "quotes" \\ and $(things)'
listcheck hostile-garbage invalid
lab_exec tsh-bad 'xenstore-write data/xballoon/report "v=1 $(head -c 4000 /dev/zero | tr "\0" "a")"'
listcheck hostile-4k-value invalid
lab_exec tsh-bad 'printf "v=1 seq=3\001\002\377" > /tmp/r; xenstore-write data/xballoon/report "$(cat /tmp/r)"'
listcheck hostile-control-bytes invalid

# flood: the guest rewrites its report as fast as it can for 12 s, and creates
# hundreds of keys below it (distinct watch paths)
t0=$(ticks $wpid) r0=$(rss $wpid) s0=$(date +%s)
lab_exec tsh-bad '(i=0; e=$(($(date +%s) + 12)); while [ $(date +%s) -lt $e ]; do
	xenstore-write data/xballoon/report "v=1 seq=$i state=inflating balloon_kb=$i"
	i=$((i + 1)); done; echo $i >/tmp/nwrites) >/dev/null 2>&1 &
	(j=0; while [ $j -lt 300 ]; do xenstore-write data/xballoon/report/k$j x; j=$((j + 1)); done) >/dev/null 2>&1 &
	echo started'
sleep 5
listcheck hostile-list-during-flood valid
# another domain's target is set and reached during the flood
xballoon mem-set tsh-ok 384m --wait --timeout 60 >/tmp/h.set 2>&1
lab_check hostile-memset-other-domain-during-flood test $? = 0
sleep 9
t1=$(ticks $wpid) r1=$(rss $wpid) s1=$(date +%s)
nwrites=$(lab_exec tsh-bad 'cat /tmp/nwrites')
hz=100
cpu_pct=$(( (t1 - t0) * 100 / hz / (s1 - s0) ))
lab_log "flood: $nwrites report writes by the guest in 12 s; watch used $((t1 - t0)) ticks in $((s1 - s0)) s (${cpu_pct}% of a CPU), RSS $r0 -> $r1 KiB"
echo "BENCH toolstack-watch-flood writes=$nwrites seconds=$((s1 - s0)) cpu_pct=$cpu_pct rss_kb_before=$r0 rss_kb_after=$r1"
kill -0 $wpid 2>/dev/null
lab_check hostile-watch-alive test $? = 0
lab_check hostile-watch-cpu-bounded test "$cpu_pct" -lt 50
lab_check hostile-watch-rss-bounded test $((r1 - r0)) -lt 8192
nrep=$(grep -c "\"event\":\"report\",\"domid\":$bad," /tmp/hw.jsonl)
lab_log "watch printed $nrep report events for the flooding guest"
# coalesced: at most one report event per re-read (5/s) plus per tick (1/s)
lab_check hostile-watch-coalesces test "$nrep" -le $(( (s1 - s0 + 10) * 6 ))
lab_check hostile-watch-saw-other-target grep -q "\"event\":\"target\",\"domid\":$ok,.*\"new_kb\":393216" /tmp/hw.jsonl
# the flooding guest never changed anyone's target
lab_check hostile-own-target-untouched test "$(xenstore-read /local/domain/$bad/memory/target)" = 262144
lab_check hostile-other-target-is-ours test "$(xenstore-read /local/domain/$ok/memory/target)" = 393216
# and after the flood watch still reports new events
xballoon mem-set tsh-ok 448m >/dev/null
lab_check hostile-watch-live-after-flood lab_until 20 grep -q "\"event\":\"target\",\"domid\":$ok,.*\"new_kb\":458752" /tmp/hw.jsonl
kill $wpid
wait $wpid
lab_check hostile-watch-clean-exit test $? = 0
: "$ok_target"

# a guest's report cannot end a wait: "refused" in its report is believed
# only once Xen shows no progress, and is labelled as the guest's word
w 'v=1 seq=9 state=refused'
t0=$(date +%s)
xballoon mem-set tsh-bad 200m --wait --timeout 6 >/tmp/lie.out 2>/dev/null
rc=$?
t1=$(date +%s)
cat /tmp/lie.out
lab_check lying-refused-exit-5-only-after-xen test "$rc" = 5 -a $((t1 - t0)) -ge 6
lab_check lying-refused-labelled grep -q 'reason reported by the guest' /tmp/lie.out
# an absurd floor (4 TB) is capped at static-max, and waits like any other
w 'v=1 seq=10 state=idle floor_kb=4000000000'
t0=$(date +%s)
xballoon wait tsh-bad --timeout 4 >/dev/null 2>&1
rc=$?
t1=$(date +%s)
lab_check lying-floor-not-at-once test $((t1 - t0)) -ge 4
lab_log "wait with floor_kb=4000000000: exit $rc after $((t1 - t0)) s"
