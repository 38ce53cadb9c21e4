#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make check: `make all` and `make install` build and install only the
# project's own files: run as an unprivileged user on a copy of the tree,
# with apt-get, apt, dpkg and dpkg-query on PATH replaced by recorders that must stay
# unused. TAP on stdout.
set -uo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
user=nobody
mkdir -p "$tmp/src" "$tmp/bin" "$tmp/dest"
tar --exclude=./out --exclude=./.git --exclude='*/build' --exclude='*/build-vg' \
	-cf - . | tar -C "$tmp/src" -xf -
for t in apt-get apt dpkg dpkg-query; do
	printf '#!/bin/sh\necho "%s $*" >>%s/pkg-calls\nexit 1\n' "$t" "$tmp" >"$tmp/bin/$t"
	chmod 0755 "$tmp/bin/$t"
done
: >"$tmp/pkg-calls"
chown -R "$user" "$tmp"
as_user() { runuser -u "$user" -- env PATH="$tmp/bin:$PATH" HOME="$tmp" "$@"; }

echo "1..6"
if as_user make -s -C "$tmp/src" all >"$tmp/all.log" 2>&1; then
	echo "ok 1 - non-root make all"
else
	echo "not ok 1 - non-root make all"; tail -20 "$tmp/all.log"
fi
if as_user make -s -C "$tmp/src" install DESTDIR="$tmp/dest" PREFIX=/usr \
	>"$tmp/install.log" 2>&1 && [ -x "$tmp/dest/usr/bin/xballoon" ] &&
	[ -f "$tmp/dest/usr/share/man/man1/xballoon.1" ]; then
	echo "ok 2 - non-root make install DESTDIR= installs the toolstack"
else
	echo "not ok 2 - non-root make install DESTDIR= installs the toolstack"
	tail -20 "$tmp/install.log"
fi
if [ ! -s "$tmp/pkg-calls" ]; then
	echo "ok 3 - make all and make install call no package manager"
else
	echo "not ok 3 - make all and make install call no package manager"
	cat "$tmp/pkg-calls"
fi
stray=$(find "$tmp/dest" -type f | sed "s|^$tmp/dest||" | grep -v -e '^/usr/bin/' -e '^/usr/sbin/xballoond$' -e '^/usr/share/man/' \
	-e '^/usr/lib/libxballoon\.so\.' -e '^/usr/lib/pkgconfig/xballoon\.pc$' \
	-e '^/usr/include/libxballoon\.h$' -e '^/usr/share/bash-completion/completions/xballoon$' \
	-e '^/usr/lib/systemd/system/')
if [ -z "$stray" ]; then
	echo "ok 4 - make install writes only under DESTDIR/PREFIX"
else
	echo "not ok 4 - make install writes only under DESTDIR/PREFIX: $stray"
fi
# the library as a user sees it: only xballoon_* exported, soname .so.1, and
# the CLI linked against it with no rpath
lib=$tmp/dest/usr/lib/libxballoon.so.1
bad=$(nm -D --defined-only "$lib" 2>/dev/null | awk '$3 !~ /^xballoon_/ && $3 !~ /^XBALLOON_1(\.[0-9]+)?$/ {print $3}')
if [ -f "$lib" ] && [ -z "$bad" ] && readelf -d "$lib" | grep -q 'SONAME.*\[libxballoon\.so\.1\]' &&
	readelf -d "$tmp/dest/usr/bin/xballoon" | grep -q 'NEEDED.*\[libxballoon\.so\.1\]' &&
	! readelf -d "$tmp/dest/usr/bin/xballoon" | grep -qE 'RPATH|RUNPATH'; then
	echo "ok 5 - libxballoon.so.1 exports only xballoon_*; the CLI links it without rpath"
else
	echo "not ok 5 - libxballoon.so.1 exports only xballoon_*; the CLI links it without rpath${bad:+: $bad}"
fi
# uninstall removes exactly what install wrote: an empty tree, and a file of
# someone else's in an installed directory stays
touch "$tmp/dest/usr/lib/someone-else"
as_user make -s -C "$tmp/src" uninstall DESTDIR="$tmp/dest" PREFIX=/usr >"$tmp/uninstall.log" 2>&1
left=$(cd "$tmp/dest" && find . -mindepth 1 | LC_ALL=C sort | tr '\n' ' ')
if [ "$left" = "./usr ./usr/lib ./usr/lib/someone-else " ]; then
	echo "ok 6 - make uninstall removes exactly what make install wrote"
else
	echo "not ok 6 - make uninstall removes exactly what make install wrote: left $left"
	tail -5 "$tmp/uninstall.log"
fi
