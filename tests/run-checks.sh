#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make check: unit tests (ASan+UBSan), the same under valgrind, fuzz smoke runs,
# then every lab scenario in one lab boot. Prints each failure, and ends with the
# line "N passed, N failed" counting every unit test, fuzz target and lab check.
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

phase() { printf '== %s\n' "$*"; }

phase "unit tests (AddressSanitizer + UBSan)"
if make -s -C tests/unit check >"$out/unit.tap" 2>"$out/unit.err"; then :; else
	cat "$out/unit.err"; echo "FAIL unit: build-or-run" >>"$res"
fi
tap_collect unit <"$out/unit.tap"

phase "unit tests under valgrind"
if make -s -C tests/unit valgrind >"$out/vg.tap" 2>"$out/vg.err"; then :; else
	cat "$out/vg.err"; echo "FAIL valgrind: build-or-run" >>"$res"
fi
tap_collect valgrind <"$out/vg.tap"

phase "fuzz smoke runs (${FUZZ_SECONDS:-10}s each)"
if make -s -C tests/fuzz check FUZZ_SECONDS="${FUZZ_SECONDS:-10}" >"$out/fuzz.tap" 2>"$out/fuzz.err"; then :; else
	cat "$out/fuzz.err"; echo "FAIL fuzz: build-or-run" >>"$res"
fi
tap_collect fuzz <"$out/fuzz.tap"

phase "kernel code style (checkpatch --strict, sparse)"
tests/style.sh >"$out/style.tap" 2>&1
tap_collect style <"$out/style.tap"

phase "lab harness self-test (no boot)"
tests/lab/selftest.sh >"$out/harness.tap" 2>&1
tap_collect harness <"$out/harness.tap"

scen=(tests/scenarios/*.sh)
if [ "${XB_SKIP_LAB:-}" = 1 ]; then
	phase "lab scenarios skipped (XB_SKIP_LAB=1)"
elif [ -e "${scen[0]}" ]; then
	phase "lab scenarios (${#scen[@]}) in the nested Xen lab"
	tests/lab/xenlab run "${scen[@]}" --results "$res" --log "$out/lab-serial.log" ||
		echo "xenlab: some lab checks failed (serial log: $out/lab-serial.log)"
fi

pass=$(grep -c '^PASS' "$res")
fail=$(grep -c '^FAIL' "$res")
if [ "$fail" != 0 ]; then
	echo "== failed:"
	grep '^FAIL' "$res" | sed 's/^FAIL /  /'
fi
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
