#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Host-side self-test of xenlab's own failure paths, without booting Xen: a
# missing emulator, a missing scenario, a failed check in the serial log, and an
# emulator that hangs must all end quickly with status 1 and a clear message.
# Prints TAP lines.
set -uo pipefail
cd "$(dirname "$0")"
t=$(mktemp -d)
cache=${XBALLOON_CACHE:-/var/cache/xballoon}
# cache entries of another key, made below (names no real key has)
junk=("$cache"/root/guest-selftest-{fresh,old}.cpio.gz "$cache"/kernel/6.1-xb-selftest-{fresh,old})
trap 'rm -rf "$t" "${junk[@]}"' EXIT
# a fake emulator needs no turn in the lab queue
export XENLAB_OUT=$t/out XENLAB_KERNELS=xb61 XENLAB_ACCEL=tcg XENLAB_NO_LOCK=1
echo 'lab_pass x' >"$t/sc.sh"
n=0
tap() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - harness: $2"; else
		echo "not ok $n - harness: $2"; sed 's/^/#   /' "$t/o" | tail -20; fi
}

QEMU=/nonexistent/qemu ./xenlab run "$t/sc.sh" >"$t/o" 2>&1
rc=$?
grep -q 'qemu not found\|/nonexistent/qemu not found' "$t/o"
tap $(( rc == 1 && $? == 0 ? 0 : 1 )) "missing emulator fails with a message (rc=$rc)"

./xenlab run "$t/nope.sh" >"$t/o" 2>&1
rc=$?
grep -q 'no such scenario' "$t/o"
tap $(( rc == 1 && $? == 0 ? 0 : 1 )) "missing scenario fails with a message (rc=$rc)"

./xenlab run "$t/sc.sh" --mem lots >"$t/o" 2>&1
rc=$?
tap $(( rc == 1 ? 0 : 1 )) "bad --mem is refused (rc=$rc)"

# A fake emulator that prints a scenario with one failing check.
cat >"$t/fakeqemu" <<'FQ'
#!/bin/bash
for a in "$@"; do case $a in *,logfile=*) log=${a##*,logfile=} ;; esac; done
{
	echo "(XEN) fake hypervisor line"
	echo "XLAB-SCENARIO START demo"
	echo "scenario output line"
	echo "XLAB-CHECK PASS demo: good"
	echo "XLAB-CHECK FAIL demo: bad (deliberate)"
	echo "XLAB-LOG ---- console guest-g.log"
	echo "XLAB-SCENARIO END demo rc=0"
	echo "XLAB-PHASE done 1.0"
} >"$log"
FQ
chmod +x "$t/fakeqemu"
QEMU=$t/fakeqemu ./xenlab run "$t/sc.sh" --results "$t/res" >"$t/o" 2>&1
rc=$?
ok=0
grep -q 'scenario output line' "$t/o" || ok=1
grep -q 'fake hypervisor line' "$t/o" || ok=1
grep -q '1 check(s) passed, 1 failed' "$t/o" || ok=1
grep -q '^FAIL demo: bad' "$t/res" || ok=1
grep -q '^PASS demo: good' "$t/res" || ok=1
tap $(( rc == 1 ? ok : 1 )) "a failed check fails the run and shows its output and logs (rc=$rc)"

# A fake emulator whose scenario passes: the run must succeed.
cat >"$t/passqemu" <<'FQ'
#!/bin/bash
for a in "$@"; do case $a in *,logfile=*) log=${a##*,logfile=} ;; esac; done
printf '%s\n' "XLAB-SCENARIO START demo" "XLAB-CHECK PASS demo: good" \
	"XLAB-SCENARIO END demo rc=0" "XLAB-PHASE done 1.0" >"$log"
FQ
chmod +x "$t/passqemu"
# Another checkout's cache entries (another key): one in use a moment ago,
# one unused for hours. Only the stale one may go.
mkdir -p "$cache/root" "$cache/kernel/6.1-xb-selftest-fresh" "$cache/kernel/6.1-xb-selftest-old"
touch "${junk[0]}" "${junk[2]}/.xb-done"
touch -d '3 hours ago' "${junk[1]}" "${junk[3]}/.xb-done"
QEMU=$t/passqemu ./xenlab run "$t/sc.sh" >"$t/o" 2>&1
rc=$?
grep -q '1 check(s) passed, 0 failed' "$t/o"
tap $(( rc == 0 && $? == 0 ? 0 : 1 )) "a passing run exits 0 (rc=$rc)"
ok=0
[ -e "${junk[0]}" ] && [ -e "${junk[2]}/.xb-done" ] || ok=1
[ ! -e "${junk[1]}" ] && [ ! -e "${junk[3]}" ] || ok=1
ls -d "${junk[@]}" >"$t/o" 2>&1
tap $ok "another key's cache entries are kept while in use, dropped when stale"

# A fake emulator that never ends.
printf '#!/bin/sh\nexec sleep 1000\n' >"$t/hangqemu"
chmod +x "$t/hangqemu"
s=$(date +%s)
QEMU=$t/hangqemu ./xenlab run "$t/sc.sh" --timeout 3 >"$t/o" 2>&1
rc=$?
took=$(($(date +%s) - s))
grep -q 'did not finish within 3s' "$t/o"
tap $(( rc == 1 && $? == 0 ? 0 : 1 )) "a hung emulator is killed at --timeout (rc=$rc)"
# A lab that stops printing is stuck: killed after XENLAB_STALL_TIMEOUT s of
# silence, however far its bound; one that keeps printing is alive, however
# long it takes past that.
printf '#!/bin/bash\nfor a in "$@"; do case $a in *,logfile=*) log=${a##*,logfile=} ;; esac; done\necho "XLAB-SCENARIO START sc" >"$log"\nexec sleep 1000\n' >"$t/quietqemu"
cat >"$t/slowqemu" <<'FQ'
#!/bin/bash
for a in "$@"; do case $a in *,logfile=*) log=${a##*,logfile=} ;; esac; done
echo "XLAB-SCENARIO START sc" >"$log"
for i in 1 2 3 4 5 6 7; do sleep 1; echo "[lab $i] still working" >>"$log"; done
printf '%s\n' "XLAB-CHECK PASS sc: slow" "XLAB-SCENARIO END sc rc=0" "XLAB-PHASE done 8.0" >>"$log"
FQ
chmod +x "$t/quietqemu" "$t/slowqemu"
s=$(date +%s)
QEMU=$t/quietqemu XENLAB_STALL_TIMEOUT=3 timeout 120 ./xenlab run "$t/sc.sh" >"$t/o" 2>&1
rc=$?
took=$(($(date +%s) - s))
grep -q 'lab 1 printed nothing for 3s (stuck) (QEMU killed)' "$t/o"
tap $(( rc == 1 && $? == 0 ? 0 : 1 )) "a silent lab is killed after XENLAB_STALL_TIMEOUT s (rc=$rc, ${took}s)"
QEMU=$t/slowqemu XENLAB_STALL_TIMEOUT=3 ./xenlab run "$t/sc.sh" >"$t/o" 2>&1
rc=$?
grep -q '1 check(s) passed, 0 failed' "$t/o"
tap $(( rc == 0 && $? == 0 ? 0 : 1 )) "a lab that keeps printing runs past XENLAB_STALL_TIMEOUT (rc=$rc)"
# A lab silent for XENLAB_KICK_AFTER s is sent Xen's debug keys once (a dump,
# and console input); one that carries on finishes, with a warning.
cat >"$t/napqemu" <<'FQ'
#!/bin/bash
for a in "$@"; do case $a in *,logfile=*) log=${a##*,logfile=} ;; esac; done
echo "XLAB-SCENARIO START sc" >"$log"
sleep 4
printf '%s\n' "XLAB-CHECK PASS sc: woke" "XLAB-SCENARIO END sc rc=0" "XLAB-PHASE done 5.0" >>"$log"
FQ
chmod +x "$t/napqemu"
QEMU=$t/napqemu XENLAB_KICK_AFTER=2 XENLAB_STALL_TIMEOUT=30 ./xenlab run "$t/sc.sh" >"$t/o" 2>&1
rc=$?
grep -q 'warning: lab 1 went silent: [0-9]* s: silent for 2s, Xen.s debug keys sent; and then finished' "$t/o"
tap $(( rc == 0 && $? == 0 ? 0 : 1 )) "a silent lab is sent Xen's debug keys after XENLAB_KICK_AFTER s, and one that carries on passes with a warning (rc=$rc)"
# Two labs: the scenarios are split by their lab-seconds lines, each fake lab
# runs what its own plan (in its dom0 initramfs) names, and the results of
# both are counted; a lab that never finishes fails the run.
cat >"$t/planqemu" <<'FQ'
#!/bin/bash
for a in "$@"; do
	case $a in *,logfile=*) log=${a##*,logfile=} ;; *vmlinuz*,*) rd=${a##*,} ;; esac
done
plan=$(zcat "${rd%/dom0-*}/plan-${rd##*/dom0-}" | cpio -i --quiet --to-stdout lab/plan)
for sc in $plan; do
	case $sc in hang*) exec sleep 1000 ;; esac
	echo "XLAB-SCENARIO START ${sc%.sh}"
	echo "XLAB-CHECK PASS ${sc%.sh}: ran-with $(echo $plan)"
	echo "XLAB-SCENARIO END ${sc%.sh} rc=0"
done >"$log"
echo "XLAB-PHASE done 1.0" >>"$log"
FQ
chmod +x "$t/planqemu"
printf '# lab-seconds: 100\nlab_pass x\n' >"$t/big.sh"
printf '# lab-seconds: 50\nlab_pass x\n' >"$t/mid.sh"
printf '# lab-seconds: 40\nlab_pass x\n' >"$t/small.sh"
: >"$t/res"
# (a fake lab needs no memory: --mem 64 keeps the memory check from merging
# the labs while a real lab runs on this machine)
QEMU=$t/planqemu ./xenlab run "$t/big.sh" "$t/mid.sh" "$t/small.sh" --labs 2 --mem 64 \
	--results "$t/res" >"$t/o" 2>&1
rc=$?
ok=0
grep -q '^PASS big: ran-with big.sh$' "$t/res" || ok=1
grep -q '^PASS mid: ran-with mid.sh small.sh$' "$t/res" || ok=1
grep -q '^PASS small: ran-with mid.sh small.sh$' "$t/res" || ok=1
grep -q '3 check(s) passed, 0 failed' "$t/o" || ok=1
tap $(( rc == 0 ? ok : 1 )) "two labs split the scenarios by their lab-seconds and count both (rc=$rc)"

printf '# lab-seconds: 100\nlab_pass x\n' >"$t/hang.sh"
: >"$t/res"
QEMU=$t/planqemu ./xenlab run "$t/hang.sh" "$t/mid.sh" --labs 2 --mem 64 --timeout 3 \
	--results "$t/res" >"$t/o" 2>&1
rc=$?
ok=0
grep -q '^PASS mid: ran-with mid.sh$' "$t/res" || ok=1
grep -q '^FAIL lab: boot-and-finish (lab 1)' "$t/res" || ok=1
grep -q 'lab 1 did not finish within 3s' "$t/o" || ok=1
tap $(( rc == 1 ? ok : 1 )) "of two labs, one that hangs fails the run, the other's checks count (rc=$rc)"

# lab_wait_xen_mem (dom0's lib.sh, run here with busybox's sh as in dom0)
# against a fake xentop: a domain that converges slowly takes longer than the
# limit and passes, since it keeps moving; one that stands still fails after
# the limit.
mkdir -p "$t/xt"
cat >"$t/xt/xentop" <<'FK'
#!/bin/bash
# g's memory: from 1024 MiB down by $STEP MiB a call, no lower than $STOP MiB
n=$(($(cat "$XT_CALLS" 2>/dev/null || echo 0) + 1))
echo $n >"$XT_CALLS"
m=$((1024 - n * STEP))
[ $m -ge "$STOP" ] || m=$STOP
echo "      NAME  STATE   CPU(sec) CPU(%)     MEM(k) MEM(%)"
echo "         g --b---          1    0.0 $((m * 1024))    4.2"
FK
chmod +x "$t/xt/xentop"
wxm() { PATH=$t/xt:$PATH XT_CALLS=$t/xt/calls-$1 STEP=$2 STOP=$3 \
	busybox sh -c '. ./dom0/lib.sh; lab_wait_xen_mem g 256 1 1' >"$t/o" 2>&1; }
wxm slow 100 256
rc=$?
tap $(( rc == 0 ? 0 : 1 )) "lab_wait_xen_mem: a domain still moving is waited for past the limit (rc=$rc, $(cat "$t/xt/calls-slow") samples)"
wxm stuck 100 700
rc=$?
grep -q 'no progress for 1 s' "$t/o"
tap $(( rc == 1 && $? == 0 ? 0 : 1 )) "lab_wait_xen_mem: a domain that stands still fails after the limit (rc=$rc)"

# A writer still writing after its reader found the line it wanted dies of
# SIGPIPE, and under pipefail so does the script that ran the pipeline: the
# first build of the root filesystems lost the whole lab this way, now and
# then (ldconfig -p is 55 KB; the line needed is in the middle). Fakes that
# write the rest later make it happen every time.
mkdir -p "$t/bin" "$t/root"
cat >"$t/bin/ldconfig" <<'FK'
#!/bin/bash
/sbin/ldconfig -p | grep 'libgcc_s.so.1 .*x86-64'
sleep 0.3
seq 1 20000 | sed 's/^/\tlibxlab-filler/'
FK
cat >"$t/bin/apt-cache" <<'FK'
#!/bin/bash
[ "$1" = depends ] || exec /usr/bin/apt-cache "$@"
/usr/bin/apt-cache "$@"
sleep 0.3
seq 1 20000 | sed 's/^/  Suggests: xlab-filler/'
FK
chmod +x "$t/bin/ldconfig" "$t/bin/apt-cache"
PATH=$t/bin:$PATH bash -c 'set -euo pipefail; . ./lib.sh; xb_copy_bins "$1" /bin/true' \
	sh "$t/root" >"$t/o" 2>&1
rc=$?
[ -e "$t/root$(/sbin/ldconfig -p | awk '/libgcc_s.so.1 .*x86-64/ {l = $NF} END {print l}')" ]
tap $(( rc == 0 && $? == 0 ? 0 : 1 )) "xb_copy_bins survives an ldconfig that writes on after the line it needs (rc=$rc)"
PATH=$t/bin:$PATH ./host-parts.sh >"$t/o" 2>&1
rc=$?
tap $(( rc == 0 ? 0 : 1 )) "host-parts.sh survives an apt-cache that writes on after the line it needs (rc=$rc)"
echo "1..$n"
