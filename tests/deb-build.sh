#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make deb: dpkg-buildpackage -b -us -uc in a copy of the tree (OUT/src), so
# the checkout stays clean. The .deb files (and .buildinfo, .changes) end up
# in OUT. Usage: tests/deb-build.sh OUT
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:?usage: $0 OUT}
mkdir -p "$out"
out=$(cd "$out" && pwd)
rm -rf "$out/src" "$out"/*.deb "$out"/*.buildinfo "$out"/*.changes
mkdir -p "$out/src"
# the tracked files when this is a git checkout (a clean clone's content),
# else everything but build output
if git rev-parse --git-dir >/dev/null 2>&1; then
	git ls-files -z --cached --others --exclude-standard |
		tar -C . --null -T - -cf - | tar -C "$out/src" -xf -
else
	tar --exclude=./out --exclude='*/build' --exclude='*/build-vg' -cf - . |
		tar -C "$out/src" -xf -
fi
(cd "$out/src" && dpkg-buildpackage -b -us -uc) >"$out/build.log" 2>&1 || {
	tail -40 "$out/build.log" >&2
	echo "make deb: dpkg-buildpackage failed (log: $out/build.log)" >&2
	exit 1
}
# dpkg-buildpackage writes next to the source directory: that is OUT
ls "$out"/*.deb
