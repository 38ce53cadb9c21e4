# SPDX-License-Identifier: GPL-2.0
# lab-seconds: 90 (83 s measured in a single-scenario lab)
# Operating xballoond (issue 10, "Operating it" and scenarios 5 and 6): two
# daemons refuse to run (the lock in /run/xballoon); daemon-status shows
# what it does (text and JSON); xballoon watch shows its decisions; SIGHUP
# reloads the configuration, and an invalid file keeps the old one and logs
# the error; kill -9 in the middle of a rebalance, then a restart: no target
# outside any range, and convergence; xenstored restarted under the daemon:
# it reconnects instead of exiting (no guest runs across that restart, as in
# toolstack-xenstored-restart.sh: a restarted xenstored starts empty).

. ./driver.inc

now_ds() { awk '{ printf "%d", $1 * 10 }' /proc/uptime; }
# wait_for FILE PATTERN S: until FILE has a line matching PATTERN (grep -E)
wait_for() {
	_end=$(($(now_ds) + $3 * 10))
	until grep -qE "$2" "$1" 2>/dev/null; do
		[ "$(now_ds)" -lt "$_end" ] || { echo "no '$2' in $1 after $3 s"; tail -5 "$1"; return 1; }
		sleep 0.2
	done
}
tgt_mib() {
	echo $(($(xlab-xs read "/local/domain/$(lab_domid "$1")/memory/target") / 1024))
}
# in_range GUEST MIN MAX: memory/target within [MIN, MAX] MiB
in_range() {
	_t=$(tgt_mib "$1")
	[ "$_t" -ge "$2" ] && [ "$_t" -le "$3" ] || { echo "$1 target $_t MiB not in [$2, $3]"; return 1; }
}
# wait_tgt GUEST -ge|-le MiB S
wait_tgt() {
	_end=$(($(now_ds) + $4 * 10))
	until [ "$(tgt_mib "$1")" "$2" "$3" ]; do
		[ "$(now_ds)" -lt "$_end" ] || { echo "$1 target $(tgt_mib "$1") MiB, not $2 $3 after $4 s"; return 1; }
		sleep 0.5
	done
}
# status_field KEY: the first "KEY": value of daemon-status --json
status_field() {
	xballoon daemon-status --json | tr ',' '\n' | sed -n "s/.*\"$1\":\([^,}]*\).*/\1/p" | head -1
}

ok=1
lab_guest opa --type pv --mem 512 --kernel xb61 --module || ok=0
lab_guest opb --type pv --mem 512 --kernel xb61 --module || ok=0
if [ $ok = 0 ]; then
	lab_fail "ops-guests" "a guest did not come up"
	return 0 2>/dev/null || exit 0
fi
xballoon mem-policy opa --min 192 --max 512 && xballoon mem-policy opb --min 192 --max 512 ||
	lab_fail "ops-mem-policy" "mem-policy failed"

free=$(xl info | awk '/^free_memory/ {print $3}')
conf() {	# conf MARGIN: a host short by 256 MiB beyond the reserve
	cat >/tmp/xbd-ops.conf <<CONF
[host]
reserve = $((free + 256))
[margin]
default = $1
min = 32m
[borrow]
headroom = 128m
[rate]
hysteresis = 8m
min-interval = 1
resample = 2
stuck = 30
CONF
}
conf 64m
xballoon watch --json >/tmp/xbd-ops-watch.jsonl 2>/dev/null &
wpid=$!
ip link set lo up 2>/dev/null || ifconfig lo 127.0.0.1 up 2>/dev/null
# what systemd would receive (Type=notify): no systemd in the lab's dom0
xlab-notify /tmp/xbd-notify.sock >/tmp/xbd-notify.log 2>&1 &
npid=$!
sleep 0.5
NOTIFY_SOCKET=/tmp/xbd-notify.sock \
	xballoond --config /tmp/xbd-ops.conf --metrics 127.0.0.1:9101 >/tmp/xbd-ops.log 2>&1 &
xbd=$!
lab_check "ops-started" wait_for /tmp/xbd-ops.log '"event":"start"' 20
lab_check "ops-notify-ready" wait_for /tmp/xbd-notify.log '^[0-9]+ READY=1\|STATUS=balancing$' 10

# a second daemon refuses, naming the first; the first goes on
xballoond --config /tmp/xbd-ops.conf >/tmp/xbd-ops2.log 2>&1 &
x2=$!
n=0
while kill -0 $x2 2>/dev/null && [ $n -lt 50 ]; do sleep 0.2; n=$((n + 1)); done
if kill -0 $x2 2>/dev/null; then
	kill -9 $x2
	lab_fail "ops-two-daemons-refuse" "the second daemon is still running"
else
	wait $x2
	rc=$?
	if [ $rc = 1 ] && grep -q "another xballoond (pid $xbd) is running.*refusing to run" /tmp/xbd-ops2.log &&
		kill -0 $xbd; then
		lab_pass "ops-two-daemons-refuse" "$(cat /tmp/xbd-ops2.log)"
	else
		lab_fail "ops-two-daemons-refuse" "exit $rc: $(cat /tmp/xbd-ops2.log)"
	fi
fi

# the daemon shrinks both toward need: decisions logged, published, watched
lab_check "ops-decisions" wait_for /tmp/xbd-ops.log '"event":"decision"' 60
lab_check "ops-watch-shows-decisions" wait_for /tmp/xbd-ops-watch.jsonl '"event":"decision","domid":[0-9]+,"name":"op[ab]","decision":\{"event":"decision"' 20
grep '"event":"decision"' /tmp/xbd-ops-watch.jsonl | head -3 | while IFS= read -r l; do
	echo "XB-JSON watch $l"
done
# dom0 reads the key; the guest cannot
if xlab-xs read "/tool/xballoon/decision/$(lab_domid opa)" >/dev/null &&
	! lab_exec opa "xlab-xs read /tool/xballoon/decision/$(lab_domid opa)" >/dev/null 2>&1; then
	lab_pass "ops-decision-key-dom0-only"
else
	lab_fail "ops-decision-key-dom0-only" "dom0 cannot read it, or the guest can"
fi

# daemon-status: running, both guests with need and margin
sleep 3
xballoon daemon-status >/tmp/xbd-ops-st.txt 2>&1
st=$?
cat /tmp/xbd-ops-st.txt | sed 's/^/  | /'
if [ $st = 0 ] && grep -q "running (pid $xbd)" /tmp/xbd-ops-st.txt &&
	grep -qE "^opa +$(lab_domid opa) " /tmp/xbd-ops-st.txt &&
	grep -qE "^opb +$(lab_domid opb) " /tmp/xbd-ops-st.txt; then
	lab_pass "ops-daemon-status-text"
else
	lab_fail "ops-daemon-status-text" "exit $st"
fi
echo "XB-JSON daemon-status $(xballoon daemon-status --json)"
lab_check "ops-daemon-status-json" sh -c \
	"xballoon daemon-status --json | grep -q '\"running\":true,\"pid\":$xbd,.*\"name\":\"opa\",\"managed\":true'"

# list shows the dynamic range, and the headroom the daemon gave (maxmem =
# target + [borrow] headroom, 128 MiB, at most dynamic-max)
j=$(xballoon list --json opa)
echo "XB-JSON list $j"
h=$(echo "$j" | sed -n 's/.*"headroom_kb":\([0-9]*\).*/\1/p')
if echo "$j" | grep -q '"dynamic_min_kb":196608,"dynamic_max_kb":524288,"uncooperative":false' &&
	[ -n "$h" ] && [ "$h" -gt 0 ] && [ "$h" -le 131072 ]; then
	lab_pass "ops-list-headroom-range" "headroom_kb $h"
else
	lab_fail "ops-list-headroom-range" "headroom_kb '$h': $j"
fi
xballoon list | sed 's/^/  | /'

# /metrics: what list --prometheus shows, and the daemon's counters
wget -qO /tmp/xbd-ops.prom http://127.0.0.1:9101/metrics 2>/tmp/xbd-ops.wget
if grep -q "^xballoon_domain_target_bytes{domid=\"$(lab_domid opa)\",name=\"opa\"" /tmp/xbd-ops.prom &&
	grep -q '^xballoon_domain_headroom_bytes{' /tmp/xbd-ops.prom &&
	grep -qE '^xballoond_decisions_total [1-9]' /tmp/xbd-ops.prom &&
	grep -qE '^xballoond_changes_total [1-9]' /tmp/xbd-ops.prom; then
	lab_pass "ops-metrics" "$(wc -l </tmp/xbd-ops.prom) lines"
else
	lab_fail "ops-metrics" "$(cat /tmp/xbd-ops.wget; grep xballoond_ /tmp/xbd-ops.prom | head -5)"
fi
grep '^xballoond_' /tmp/xbd-ops.prom | sed 's/^/  | /'
# /metrics begins with what list --prometheus prints (one library function
# renders both): the same metrics, help and series in the same order, and
# the same values where nothing moves between the two reads (static-max,
# the policy keys, the uncooperative marks, host total, reservations); the
# rest is the daemon's own series only
xballoon list --prometheus >/tmp/xbd-ops.list
n=$(wc -l </tmp/xbd-ops.list)
keys() { awk '/^#/ { print; next } { sub(/ [^ ]*$/, ""); print }' "$@"; }
stable='^(xballoon_domain_static_max_bytes|xballoon_domain_dynamic_m(in|ax)_bytes|xballoon_domain_uncooperative|xballoon_host_total_bytes|xballoon_reservation_bytes)[{ ]'
head -n "$n" /tmp/xbd-ops.prom >/tmp/xbd-ops.head
keys /tmp/xbd-ops.head >/tmp/xbd-ops.k1
keys /tmp/xbd-ops.list >/tmp/xbd-ops.k2
grep -E "$stable" /tmp/xbd-ops.head >/tmp/xbd-ops.s1
grep -E "$stable" /tmp/xbd-ops.list >/tmp/xbd-ops.s2
tail -n +"$((n + 1))" /tmp/xbd-ops.prom | grep -v -e '^xballoond_' -e '^# [A-Z]* xballoond_' >/tmp/xbd-ops.rest
if [ "$n" -gt 0 ] && diff /tmp/xbd-ops.k1 /tmp/xbd-ops.k2 >/tmp/xbd-ops.diff &&
	diff /tmp/xbd-ops.s1 /tmp/xbd-ops.s2 >>/tmp/xbd-ops.diff && [ ! -s /tmp/xbd-ops.rest ] &&
	grep -q "^xballoon_domain_dynamic_min_bytes{domid=\"$(lab_domid opa)\",name=\"opa\",type=\"[a-z]*\"} 201326592\$" /tmp/xbd-ops.head; then
	lab_pass "ops-metrics-as-list" "first $n lines as list --prometheus ($(wc -l </tmp/xbd-ops.s1) equal stable values, opa's range)"
else
	lab_fail "ops-metrics-as-list" "$n lines; $(head -10 /tmp/xbd-ops.diff; head -3 /tmp/xbd-ops.rest)"
fi

# SIGHUP: a new margin is taken
conf 80m
kill -HUP $xbd
lab_check "ops-sighup-reload" wait_for /tmp/xbd-ops.log '"event":"reload","pid"' 10
lab_check "ops-notify-reloading" lab_until 10 sh -c "grep -A1 'RELOADING=1' /tmp/xbd-notify.log | grep -q 'READY=1'"
margin_is() { [ "$(status_field margin_kb)" = "$1" ]; }
lab_check "ops-sighup-new-config" lab_until 10 margin_is 81920

# SIGHUP with an invalid file: the old configuration stays, the error is logged
printf '[host]\nreserve = lots\n[nonsense\n' >/tmp/xbd-ops.conf
kill -HUP $xbd
lab_check "ops-reload-invalid-logged" wait_for /tmp/xbd-ops.log '"event":"reload","ok":false,"error":".*line' 10
sleep 1
if kill -0 $xbd && [ "$(status_field margin_kb)" = 81920 ] &&
	[ "$(status_field reserve_kb)" = $(((free + 256) * 1024)) ]; then
	lab_pass "ops-reload-invalid-keeps-old" "margin_kb $(status_field margin_kb), reserve_kb $(status_field reserve_kb)"
else
	lab_fail "ops-reload-invalid-keeps-old" "margin_kb $(status_field margin_kb) reserve_kb $(status_field reserve_kb)"
fi
grep '"event":"reload"' /tmp/xbd-ops.log | sed 's/^/  | /'
conf 80m

# kill -9 in the middle of a rebalance: opa's range moves up, so opb must
# give memory; the daemon dies right after the event
sleep 2
lab_log "before: opa $(tgt_mib opa) MiB, opb $(tgt_mib opb) MiB"
xballoon mem-policy opa --min 384 --max 512
sleep 0.3
kill -9 $xbd
wait $xbd 2>/dev/null
lab_log "after kill -9: opa $(tgt_mib opa) MiB, opb $(tgt_mib opb) MiB"
a=$(tgt_mib opa) b=$(tgt_mib opb)
if [ "$a" -ge 192 ] && [ "$a" -le 512 ] && [ "$b" -ge 192 ] && [ "$b" -le 512 ]; then
	lab_pass "ops-kill9-targets-in-range" "opa $a MiB, opb $b MiB"
else
	lab_fail "ops-kill9-targets-in-range" "opa $a MiB, opb $b MiB"
fi
xballoon daemon-status >/tmp/xbd-ops-st.txt 2>&1
st=$?
lab_check "ops-status-after-kill9" sh -c "test $st = 1 && grep -q 'not running; its last status follows' /tmp/xbd-ops-st.txt"
NOTIFY_SOCKET=/tmp/xbd-notify.sock xballoond --config /tmp/xbd-ops.conf >>/tmp/xbd-ops.log 2>&1 &
xbd=$!
lab_check "ops-restart-after-kill9" wait_for /tmp/xbd-ops.log "\"event\":\"start\",\"pid\":$xbd," 20
lab_check "ops-restart-resumes-margins" wait_for /tmp/xbd-ops.log \
	"\"event\":\"resume\",\"domid\":$(lab_domid opb),\"margin_kb\":[0-9]+" 10
lab_check "ops-restart-converges" wait_tgt opa -ge 384 60
lab_check "ops-restart-opa-in-range" in_range opa 384 512
lab_check "ops-restart-opb-in-range" in_range opb 192 512
lab_log "converged: opa $(tgt_mib opa) MiB, opb $(tgt_mib opb) MiB"

# xenstored restarted under the daemon (no guests: they do not survive it)
lab_destroy opa
lab_destroy opb
kill $wpid 2>/dev/null
sleep 3
p=$(cat /run/xenstored.pid)
kill -KILL "$p"
while kill -0 "$p" 2>/dev/null; do sleep 0.1; done
lab_log "xenstored ($p) killed"
lab_check "ops-xenstore-lost-seen" wait_for /tmp/xbd-ops.log '"event":"xenstore-lost"' 30
sleep 2
xenstored --pid-file /run/xenstored.pid && xen-init-dom0 >/tmp/xbd-ops-init.log 2>&1 ||
	lab_fail "ops-xenstored-restarted" "$(cat /tmp/xbd-ops-init.log)"
c=$(cat /var/run/xen/xenconsoled.pid 2>/dev/null)
if [ -n "$c" ] && kill "$c" 2>/dev/null; then
	while kill -0 "$c" 2>/dev/null; do sleep 0.1; done
fi
xenconsoled --log=guest --log-dir=/var/log/xen/console
lab_check "ops-reconnected" wait_for /tmp/xbd-ops.log '"event":"reconnect","attempts":[0-9]+' 60
sleep 4
lab_check "ops-alive-after-xenstored-restart" kill -0 $xbd
lab_check "ops-status-after-reconnect" lab_until 20 sh -c \
	"xballoon daemon-status --json | grep -q '\"state\":\"balancing\".*\"reconnects\":1'"

kill -TERM $xbd
wait $xbd
rc=$?
lab_check "ops-sigterm" sh -c "test $rc = 0 && grep -q '\"event\":\"stop\"' /tmp/xbd-ops.log"
lab_check "ops-notify-reconnecting-stopping" sh -c \
	"grep -q 'STATUS=reconnecting to xenstored' /tmp/xbd-notify.log && grep -q 'STOPPING=1' /tmp/xbd-notify.log"
kill $npid
sed 's/^/  notify | /' /tmp/xbd-notify.log
grep '"event"' /tmp/xbd-ops.log | grep -v '"decision"' | sed 's/^/  | /'
grep '"event":"decision"' /tmp/xbd-ops.log | tail -6 | cut -c1-240 | sed 's/^/  | /'
