# SPDX-License-Identifier: GPL-2.0
# lab-seconds: 60
# xballoon watch survives a restart of xenstored: it notices the lost
# connection, reconnects with backoff, says so (stderr and a reconnect event),
# re-reads everything and goes on; SIGTERM still ends it while xenstored is
# down.
#
# Debian's C xenstored 4.17 keeps its store in memory, and live update is not
# available here, so a restarted xenstored starts empty: as a host's init
# would, xen-init-dom0 writes dom0's keys again and xenconsoled is restarted.
# Guests running across the restart do not survive it: the new xenstored does
# not know them (no name, no keys, their agent never answers, xl cannot name
# them). So no guest runs across a restart here; one created after the first
# restart shows dom0 usable again, and is destroyed before the second.

# the monotonic clock in tenths of a second
now_ds() { awk '{ printf "%d", $1 * 10 }' /proc/uptime; }
# wait_for FILE PATTERN S: until FILE has a line matching PATTERN (grep -E)
wait_for() {
	_end=$(($(now_ds) + $3 * 10))
	until grep -qE "$2" "$1"; do
		[ "$(now_ds)" -lt "$_end" ] || { echo "no '$2' in $1 after $3 s"; return 1; }
		sleep 0.2
	done
}
# wait_count FILE PATTERN N S: until FILE has N lines matching PATTERN
wait_count() {
	_end=$(($(now_ds) + $4 * 10))
	until [ "$(grep -cE "$2" "$1")" -ge "$3" ]; do
		[ "$(now_ds)" -lt "$_end" ] || { echo "fewer than $3 '$2' in $1 after $4 s"; return 1; }
		sleep 0.2
	done
}
# stop xenstored with signal $1, and wait until it is gone (no xenstore
# client may run until xs_start: it would block until xenstored is back)
xs_stop() {
	_p=$(cat /run/xenstored.pid)
	kill "-$1" "$_p"
	_end=$(($(now_ds) + 100))
	while kill -0 "$_p" 2>/dev/null && [ "$(now_ds)" -lt "$_end" ]; do sleep 0.1; done
	kill -9 "$_p" 2>/dev/null
	lab_log "xenstored ($_p) stopped with SIG$1"
}
# start xenstored again, dom0's keys (xen-init-dom0), a new xenconsoled
xs_start() {
	xenstored --pid-file /run/xenstored.pid || return 1
	xen-init-dom0 >/tmp/xsr-init.log 2>&1 || { cat /tmp/xsr-init.log; return 1; }
	_c=$(cat /var/run/xen/xenconsoled.pid 2>/dev/null)
	if [ -n "$_c" ] && kill "$_c" 2>/dev/null; then
		while kill -0 "$_c" 2>/dev/null; do sleep 0.1; done
	fi
	xenconsoled --log=guest --log-dir=/var/log/xen/console || return 1
	lab_log "xenstored ($(cat /run/xenstored.pid)) started, dom0's keys written"
}

xballoon watch --json >/tmp/xsr.jsonl 2>/tmp/xsr.err &
wpid=$!
lab_check watch-started wait_for /tmp/xsr.jsonl '"event":"domain-new","domid":0,' 60 || exit 1

# a crash: down for a few seconds, during which watch backs off
xs_stop KILL
lab_check watch-notices-lost-connection wait_for /tmp/xsr.err 'lost the connection to xenstored' 30
sleep 3
xs_start || { lab_fail xenstored-restarted "could not start xenstored again"; exit 1; }
lab_check watch-reconnect-event wait_for /tmp/xsr.jsonl '"event":"reconnect","detail":"reconnected to xenstored after [0-9]+ attempt' 60
lab_check watch-reconnect-stderr grep -q 'reconnected to xenstored after' /tmp/xsr.err
lab_check watch-alive-after-restart kill -0 $wpid

# a target written after the restart is an event (the new store holds only
# dom0's name and domid; the key is removed again afterwards)
xlab-xs write /local/domain/0/memory/target 1047552
lab_check watch-dom0-target-after-restart \
	wait_for /tmp/xsr.jsonl '"event":"target","domid":0,.*"new_kb":1047552' 30
xenstore-rm /local/domain/0/memory/target

# dom0 is usable again: a new guest boots and answers, and its target
# change is an event too
lab_guest xsr1 --type pv --mem 256 --kernel xb61 --module || exit 1
d=$(lab_domid xsr1)
lab_check guest-after-restart-answers lab_exec xsr1 true
lab_check guest-console-after-restart grep -q 'xlab: guest xsr1 up' /var/log/xen/console/guest-xsr1.log
xballoon mem-set xsr1 200 >/dev/null
lab_check watch-guest-events-after-restart \
	wait_for /tmp/xsr.jsonl "\"event\":\"target\",\"domid\":$d,.*\"new_kb\":204800" 30
lab_destroy xsr1

# SIGTERM while xenstored is down: watch is backing off, not stuck in a call
# to a xenstored that is not there, and ends at once with status 0
xs_stop TERM
lab_check watch-notices-second-loss wait_count /tmp/xsr.err 'lost the connection' 2 30
sleep 3
t0=$(now_ds)
kill -TERM $wpid
while kill -0 $wpid 2>/dev/null && [ $(($(now_ds) - t0)) -lt 100 ]; do sleep 0.1; done
took=$(($(now_ds) - t0))
if kill -0 $wpid 2>/dev/null; then
	lab_fail watch-sigterm-while-down "still running ${took}00 ms after SIGTERM"
	xs_start
	kill -9 $wpid
	wait $wpid
else
	wait $wpid
	rc=$?
	lab_check watch-sigterm-while-down test "$rc" = 0 -a "$took" -le 20
	lab_log "watch ended ${took}00 ms after SIGTERM, status $rc"
	xs_start || { lab_fail xenstored-restarted "could not start xenstored again"; exit 1; }
fi
lab_check xenstored-usable-after xlab-xs read /local/domain/0/name
echo "---- watch stderr"
cat /tmp/xsr.err
echo "---- watch events (not domain-new)"
grep -v '"domain-new"' /tmp/xsr.jsonl | cut -c1-240 | head -30
