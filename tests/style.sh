#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Kernel-side quality gates, as TAP: checkpatch.pl --strict on core/ and guest/,
# and a sparse build of the module (make C=1) against the lab's 6.1 kernel.
set -uo pipefail
cd "$(dirname "$0")/.."
kdir=$(tests/lab/build-kernel.sh 6.1 xb) || { echo "not ok 1 - style: no kernel tree"; exit 0; }
src=$(readlink -f "$kdir/source" 2>/dev/null || true)
[ -d "$src" ] || src=$(ls -d "${XBALLOON_CACHE:-/var/cache/xballoon}"/src/linux-source-6.1-* | head -1)
files=$(git ls-files 'core/*.[ch]' 'guest/*.[ch]')
if [ -z "$files" ]; then
	echo "ok 1 - style: no kernel sources yet"
	exit 0
fi
# The kernel's page-type helpers (__SetPageOffline, __ClearPageOffline) are
# made by a macro, so checkpatch cannot find them in any header and calls
# them CamelCase (it exempts SetPage* only): only those lines are dropped.
# shellcheck disable=SC2086
out=$(perl "$src/scripts/checkpatch.pl" --strict --no-tree --terse --show-types \
	--ignore FILE_PATH_CHANGES -f $files 2>&1 |
	grep -vE 'CHECK:CAMELCASE: Avoid CamelCase: <__(Set|Clear)Page[A-Z][a-z]+>$')
if ! grep -qE 'ERROR|WARNING|CHECK' <<<"$out"; then
	echo "ok 1 - style: checkpatch --strict clean ($(wc -w <<<"$files") files)"
else
	echo "not ok 1 - style: checkpatch --strict"
	grep -E 'ERROR|WARNING|CHECK' <<<"$out" | head -30 | sed 's/^/# /'
fi
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
cp -a core guest "$t/"
make -s -C "$t/guest" clean KDIR="$kdir" >/dev/null 2>&1
if make -C "$t/guest" KDIR="$kdir" C=2 >"$t/sparse.log" 2>&1 &&
	! grep -qE 'warning:|error:' "$t/sparse.log"; then
	echo "ok 2 - style: sparse (make C=2) clean"
else
	echo "not ok 2 - style: sparse (make C=2)"
	grep -E 'warning:|error:' "$t/sparse.log" | head -30 | sed 's/^/# /'
fi
echo "1..2"
