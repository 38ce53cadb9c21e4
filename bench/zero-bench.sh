# SPDX-License-Identifier: GPL-2.0
# Lab scenario (make bench): what zeroing a page costs, each way a kernel may
# do it, in dom0 (PV), a PV guest and a PVH guest of the lab
# (tests/lab/tools/xlab-zero.c): the reason xballoon.ko zeroes with
# non-temporal stores, and what zeroing weighs in the driver bench.
# One line per place and way, and one on what a clock read costs there:
#   XB-BENCH-ZERO where=<dom0|pv|pvh> way=<WAY> ns_min=N ns_med=N ns_max=N
#   XB-BENCH-CLOCK where=<dom0|pv|pvh> rdtsc_ns=N clock_gettime_ns=N

ZERO_MIB=128
ZERO_ROUNDS=5

zero_lines() {
	n=$(echo "$2" | grep -c '^XB-BENCH-ZERO way=')
	echo "$2" | sed -n "s/^XB-BENCH-\(ZERO\|CLOCK\) /XB-BENCH-\1 where=$1 /p"
	if [ "$n" -ge 5 ]; then
		lab_pass "$1-measured" "$n ways"
	else
		lab_fail "$1-measured" "xlab-zero printed $n lines"
	fi
}

zero_lines dom0 "$(xlab-zero $ZERO_MIB $ZERO_ROUNDS 2>&1)"
for t in pv pvh; do
	if ! lab_guest zero$t --type $t --mem 384 --kernel xb61; then
		lab_fail "$t-boot" "guest did not come up"
		continue
	fi
	zero_lines $t "$(lab_exec zero$t "xlab-zero $ZERO_MIB $ZERO_ROUNDS 2>&1")"
	xl destroy zero$t
done
