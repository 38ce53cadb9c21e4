# SPDX-License-Identifier: GPL-2.0
# Lab scenario: what xballoond costs and how fast it lends (issue 10).
#   tests/lab/xenlab run bench/daemon-bench.sh --verbose
# Two xballoon guests on a host with nothing free beyond the daemon's
# reserve: a donor (coop) holding more than its need and a borrower (bor).
# BENCH_ROUNDS rounds (default 5): bor is brought down to 192 MiB, the
# reserve is set to what is then free, bor's range is opened to 768 MiB and
# it writes its available memory plus the 64 MiB headroom plus up to 96 MiB
# (no more than coop can lend) to a tmpfs in one go, while coop (held at
# 512 MiB, then let go down to 128) has memory to give. `xlab-xs stamp` in dom0 stamps bor's reports and
# targets as they change (read every 10 ms, a line per change):
#   XB-BENCH daemon=borrow round=R alloc_mib=M lend_mib=L stall_ms=A deflate_ms=B
#     raise_ms=C lag_ms=.. wait_ms=.. snapshot_ms=.. read_ms=.. reason=.. oom_kills=K
# (the stamp's wall clock, ms, of the first report with the PSI "some" total
# moved, with oom_deflates moved, and of the first raised target; "-" when
# never seen; the lag fields are the daemon's audit line of that raise).
# Then the daemon's own cost:
#   XB-BENCH daemon=cpu phase=idle|flood secs=S ticks=T writes=W
# (utime + stime in 1/100 s over S s; W report writes made by dom0 during a
# flood, each one a watch event for the daemon) and
#   XB-BENCH daemon=rss rss_kb=R hwm_kb=H


BENCH_ROUNDS=${BENCH_ROUNDS:-5}
. ./daemon.inc
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
free_mib() { xl info | awk '/^free_memory/ {print $3}'; }

lab_guest coop --type pv --mem 512 --kernel xb61 --module &&
	lab_guest bor --type pv --mem 768 --kernel xb61 --module || {
	lab_fail "dbench-guests" "a guest did not come up"
	return 0 2>/dev/null || exit 0
}
xballoon mem-policy coop --min 128 --max 512 >/dev/null
xballoon mem-policy bor --min 128 --max 192 >/dev/null
cat >/tmp/xbd-bench.conf <<CONF
[host]
reserve = $(($(free_mib) + 128))
[margin]
default = 64m
min = 32m
; bounded, so that each round starts from about the same need: a margin
; grown by the round before (it shrinks by 1/32 a decision) would keep
; the donor's surplus with the borrower, and leave nothing to lend
max = 160m
[borrow]
headroom = 64m
[rate]
hysteresis = 8m
min-interval = 1
resample = 2
CONF
xballoond --config /tmp/xbd-bench.conf >/tmp/xbd-bench.log 2>&1 &
xbd=$!
sleep 5
lab_check "dbench-daemon-up" kill -0 $xbd
bd=$(lab_domid bor)
r=1
while [ $r -le "$BENCH_ROUNDS" ]; do
	xballoon mem-policy bor --min 128 --max 192 >/dev/null
	n=0
	until [ "$(tgt_kb bor)" -le $((192 * 1024)) ] || [ $n -ge 30 ]; do sleep 1; n=$((n + 1)); done
	lab_wait_xen_mem bor $(($(tgt_kb bor) / 1024)) 2 60 >/dev/null
	# the donor holds 512 MiB, more than its need: the borrow is paid from it
	xballoon mem-policy coop --min 512 --max 512 >/dev/null
	n=0
	until [ "$(tgt_kb coop)" -ge $((500 * 1024)) ] || [ $n -ge 30 ]; do sleep 1; n=$((n + 1)); done
	lab_wait_xen_mem coop $(($(tgt_kb coop) / 1024)) 2 60 >/dev/null
	sed -i "s/^reserve = .*/reserve = $(free_mib)/" /tmp/xbd-bench.conf
	kill -HUP $xbd
	sleep 2
	# coop's weight keeps most of the share with it, so that it holds more
	# than its need when bor asks
	xballoon mem-policy coop --min 128 --max 512 --weight 8 >/dev/null
	xballoon mem-policy bor --min 128 --max 768 --weight 1 >/dev/null
	sleep 3
	t0=$(tgt_kb bor)
	rep0=$(xsr bor data/xballoon/report)
	dfl0=$(echo "$rep0" | tr ' ' '\n' | sed -n 's/^oom_deflates=//p')
	psi0=$(echo "$rep0" | tr ' ' '\n' | sed -n 's/^psi_some_total_us=//p')
	k0=$(oom_kills bor)
	avail=$(lab_exec bor 'sed -n "s/^MemAvailable: *\([0-9]*\).*/\1/p" /proc/meminfo')
	# what coop can lend: its target above its need as the daemon sees it
	# now (bor's need, its margin grown by the rounds before, may already
	# have taken coop's surplus: then a burst past the headroom has no
	# lender and an OOM kill is the right outcome, not a figure)
	ct=$(dstat coop target_kb) cn=$(dstat coop need_kb)
	lend=$(( (${ct:-0} - ${cn:-0}) / 1024 ))
	# past the 64 MiB headroom by at most 96 MiB, and by no more than what
	# coop can lend (less 16 MiB for the daemon's hysteresis and rounding)
	over=$((lend - 16))
	[ $over -gt 96 ] && over=96
	alloc=$(( avail / 1024 + 64 + over ))
	if [ $over -lt 16 ]; then
		echo "XB-BENCH daemon=borrow round=$r skipped=1 lend_mib=$lend"
		r=$((r + 1))
		continue
	fi
	nb0=$(grep "\"domid\":$bd," /tmp/xbd-bench.log | grep -c "\"event\":\"decision\"")
	nl0=$(wc -l </tmp/xbd-bench.log)
	stamp_on bor /tmp/bor.stamp
	sleep 2
	lab_exec bor "mkdir -p /hog && mount -t tmpfs -o size=$((alloc + 64))m hog /hog &&
		dd if=/dev/zero of=/hog/fill bs=1M count=$alloc 2>/tmp/st.log; echo rc=\$? >>/tmp/st.log;
		sleep 5; rm -f /hog/fill; umount /hog" >/dev/null
	kill $stamp_pid
	wait $stamp_pid 2>/dev/null
	ts=$(first_stamp /tmp/bor.stamp data/xballoon/report psi_some_total_us "${psi0:-0}")
	td=$(first_stamp /tmp/bor.stamp data/xballoon/report oom_deflates "${dfl0:-0}")
	tr2=$(first_stamp /tmp/bor.stamp memory/target - "$t0")
	k1=$(oom_kills bor)
	# the daemon's share, from the audit line of this round's first raise:
	# from the event to the write (lag), of which waiting for the pass,
	# the snapshot, the other reads; the rest is changes made before it
	tm=$(grep "\"domid\":$bd," /tmp/xbd-bench.log | grep "\"event\":\"decision\"" |
		awk -v skip="$nb0" 'NR > skip + 0 { o = n = 0
			if (match($0, /"old_kb":[0-9]+/)) o = substr($0, RSTART + 9, RLENGTH - 9) + 0
			if (match($0, /"new_kb":[0-9]+/)) n = substr($0, RSTART + 9, RLENGTH - 9) + 0
			if (n <= o) next
			s = ""
			split("lag_ms wait_ms snapshot_ms read_ms reason", k, " ")
			for (i = 1; i <= 5; i++) {
				v = "-"
				if (match($0, "\"" k[i] "\":\"?[0-9a-z-]+")) v = substr($0, RSTART + length(k[i]) + 3, RLENGTH - length(k[i]) - 3)
				sub(/^"/, "", v)
				s = s " " k[i] "=" v
			}
			print s; exit }')
	echo "XB-BENCH daemon=borrow round=$r alloc_mib=$alloc lend_mib=$lend stall_ms=${ts:--} deflate_ms=${td:--} raise_ms=${tr2:--}${tm:- lag_ms=-} oom_kills=$((${k1:-0} - ${k0:-0})) dd=$(lab_exec bor 'sed -n "s/^rc=//p" /tmp/st.log')"
	# what the daemon did meanwhile (for reading a slow or failed round)
	sed "1,${nl0}d" /tmp/xbd-bench.log | grep '"event":"decision"' | head -8 | cut -c1-330 | sed 's/^/  | /'
	r=$((r + 1))
done

# the daemon's CPU: idle (nothing moves), then under a report flood (dom0
# writes bor's report as fast as it can: each write is a watch event)
# (idle with the default safety resample, not the 2 s used above for speed)
sed -i '/^resample = /d' /tmp/xbd-bench.conf
kill -HUP $xbd
# idle means settled: the margins the rounds grew shrink by 1/32 a decision,
# and each step past the hysteresis is a change; wait (up to 180 s) for 20 s
# without one
n=0 d0=-1
while [ $n -lt 18 ]; do
	d=$(grep -c '"event":"decision"' /tmp/xbd-bench.log)
	[ "$d" = "$d0" ] && break
	d0=$d
	sleep 20
	n=$((n + 2))
done
echo "XB-BENCH daemon=settle secs=$((n * 10))"
a=$(ticks $xbd) d0=$(grep -c '"event":"decision"' /tmp/xbd-bench.log)
sleep 30
b=$(ticks $xbd) d1=$(grep -c '"event":"decision"' /tmp/xbd-bench.log)
echo "XB-BENCH daemon=cpu phase=idle secs=30 ticks=$((b - a)) writes=0 decisions=$((d1 - d0))"
rep=$(xsr bor data/xballoon/report)
a=$(ticks $xbd) t0=$(now_cs) w=0 d1=$(grep -c '"event":"decision"' /tmp/xbd-bench.log)
while [ $(($(now_cs) - t0)) -lt 3000 ]; do
	xlab-xs write "/local/domain/$bd/data/xballoon/report" \
		"$(echo "$rep" | sed "s/seq=[0-9]*/seq=$((1000000 + w))/")" || break
	w=$((w + 1))
done
b=$(ticks $xbd) d2=$(grep -c '"event":"decision"' /tmp/xbd-bench.log)
echo "XB-BENCH daemon=cpu phase=flood secs=30 ticks=$((b - a)) writes=$w decisions=$((d2 - d1))"
echo "XB-BENCH daemon=rss rss_kb=$(awk '/^VmRSS/ {print $2}' /proc/$xbd/status) hwm_kb=$(awk '/^VmHWM/ {print $2}' /proc/$xbd/status)"
lab_check "dbench-daemon-alive" kill -0 $xbd
kill -TERM $xbd
wait $xbd
lab_check "dbench-sigterm" test $? = 0
