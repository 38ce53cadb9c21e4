#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make check: the Debian packages (make deb, lintian, DKMS), unit tests
# (ASan+UBSan), the same under valgrind, fuzz smoke runs, kernel style, the lab harness self-test, and every lab scenario. The lab
# starts first, in the background (XB_LABS labs side by side, default 2), and
# the host-side phases run while it prepares and boots; its output follows.
# Prints each failure, and ends with the line "N passed, N failed" counting
# every unit test, fuzz target and lab check.
set -uo pipefail
cd "$(dirname "$0")/.."
out=out/check
rm -rf "$out"
mkdir -p "$out"
res=$out/results
: >"$res"

# TAP from stdin -> results file; prints failing lines
tap_collect() {
	local prefix=$1 line
	while IFS= read -r line; do
		case $line in
		"ok "*) echo "PASS $prefix: ${line#ok }" >>"$res" ;;
		"not ok "*) echo "FAIL $prefix: ${line#not ok }" >>"$res"; echo "$line" ;;
		"# unit: "*) prefix=${line#\# unit: } ;;
		"  "*|"#"*|[0-9]*..[0-9]*) [ -n "${XB_VERBOSE:-}" ] && echo "$line" ;;
		*) echo "$line" ;;
		esac
	done
	return 0
}

# "== NAME" per phase; the time each phase took goes to the closing summary
t_start=$SECONDS t_phase=$SECONDS p_name= timing=
phase_end() {
	[ -n "$p_name" ] && timing+="${timing:+, }$p_name $((SECONDS - t_phase))s"
	t_phase=$SECONDS
}
phase() {
	phase_end
	p_name=$1
	printf '== %s\n' "$2"
}

# The packages first (make deb on a clean clone, ~30-70 s): the lab unpacks
# them into dom0 and its toolstack scenarios run the packaged binaries.
printf '== make deb on a clean clone (for the lab and the package checks)\n'
tests/pkg-check.sh out/deb --build-only >/dev/null 2>&1
export XB_DEB_DIR=$PWD/out/deb

scen=(tests/scenarios/*.sh)
lab_pid=
if [ "${XB_SKIP_LAB:-}" != 1 ] && [ -e "${scen[0]}" ]; then
	: >"$out/lab.results"
	tests/lab/xenlab run "${scen[@]}" --labs "${XB_LABS:-2}" --results "$out/lab.results" \
		--log "$out/lab-serial.log" >"$out/lab.out" 2>&1 &
	lab_pid=$!
	trap 'kill $lab_pid 2>/dev/null' EXIT
	printf '== lab scenarios (%s) started in the background (output: %s)\n' "${#scen[@]}" "$out/lab.out"
fi

phase unit "unit tests (AddressSanitizer + UBSan)"
if make -s -C tests/unit check >"$out/unit.tap" 2>"$out/unit.err"; then :; else
	cat "$out/unit.err"; echo "FAIL unit: build-or-run" >>"$res"
fi
tap_collect unit <"$out/unit.tap"

phase schema-unit "JSON documents from the CLI on the fake backend against docs/schema"
rm -f "$out/unit.json"
XB_JSON_DUMP=$PWD/$out/unit.json CMOCKA_MESSAGE_OUTPUT=TAP tests/unit/build/test_ts_cli >/dev/null 2>&1
/usr/bin/python3 tests/schema-check.py --want list,info,mem-set,mem-max,wait,usage-error,daemon-status \
	docs/schema "$out/unit.json" >"$out/schema-unit.tap" 2>&1
tap_collect schema-unit <"$out/schema-unit.tap"

phase valgrind "unit tests under valgrind"
if make -s -C tests/unit valgrind >"$out/vg.tap" 2>"$out/vg.err"; then :; else
	cat "$out/vg.err"; echo "FAIL valgrind: build-or-run" >>"$res"
fi
tap_collect valgrind <"$out/vg.tap"

phase policy "xballoond's policy against static, squeezed-like and qmemman-like on one trace (bench/policy-sim.c)"
tests/policy-sim-check.sh >"$out/policy.tap" 2>&1
tap_collect policy <"$out/policy.tap"

phase fuzz "fuzz smoke runs (${FUZZ_SECONDS:-10}s each)"
if make -s -C tests/fuzz check FUZZ_SECONDS="${FUZZ_SECONDS:-10}" >"$out/fuzz.tap" 2>"$out/fuzz.err"; then :; else
	cat "$out/fuzz.err"; echo "FAIL fuzz: build-or-run" >>"$res"
fi
tap_collect fuzz <"$out/fuzz.tap"

phase build "non-root make all / make install: no packages, only DESTDIR"
tests/build-check.sh >"$out/build.tap" 2>&1
tap_collect build <"$out/build.tap"

phase pkg "packages: contents, lintian, DKMS against the lab kernels, pkg-config example"
tests/pkg-check.sh out/deb --built >"$out/pkg.tap" 2>&1
tap_collect pkg <"$out/pkg.tap"

phase completion "bash completion: commands, options, domain names (fake xenstore)"
tests/completion.sh >"$out/completion.tap" 2>&1
tap_collect completion <"$out/completion.tap"

phase style "kernel code style (checkpatch --strict, sparse)"
tests/style.sh >"$out/style.tap" 2>&1
tap_collect style <"$out/style.tap"

phase harness "lab harness self-test (no boot)"
tests/lab/selftest.sh >"$out/harness.tap" 2>&1
tap_collect harness <"$out/harness.tap"

if [ "${XB_SKIP_LAB:-}" = 1 ]; then
	phase skip "lab scenarios skipped (XB_SKIP_LAB=1)"
elif [ -n "$lab_pid" ]; then
	phase lab "lab scenarios (${#scen[@]}) in the nested Xen lab (the rest of its run)"
	tail --pid="$lab_pid" -n +1 -f "$out/lab.out"
	wait "$lab_pid"
	lab_rc=$?
	trap - EXIT
	cat "$out/lab.results" >>"$res"
	# a lab that ended without any verdict line still counts as a failure
	if [ "$lab_rc" != 0 ] && ! grep -q '^FAIL' "$out/lab.results"; then
		echo "FAIL lab: run (xenlab exit status $lab_rc; see $out/lab.out)" >>"$res"
	fi
	[ "$lab_rc" = 0 ] || echo "xenlab: some lab checks failed (serial logs: $out/lab-serial*.log)"
	phase schema "JSON documents from the lab against docs/schema (python3-jsonschema)"
	/usr/bin/python3 tests/schema-check.py docs/schema "$out"/lab-serial*.log >"$out/schema.tap" 2>&1
	tap_collect schema <"$out/schema.tap"
fi

phase_end
echo "== time: $timing; total $((SECONDS - t_start))s"
pass=$(grep -c '^PASS' "$res")
fail=$(grep -c '^FAIL' "$res")
if [ "$fail" != 0 ]; then
	echo "== failed:"
	grep '^FAIL' "$res" | sed 's/^FAIL /  /'
fi
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
