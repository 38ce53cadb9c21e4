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

echo "1..4"
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
stray=$(find "$tmp/dest" -type f | sed "s|^$tmp/dest||" | grep -v -e '^/usr/bin/' -e '^/usr/share/man/')
if [ -z "$stray" ]; then
	echo "ok 4 - make install writes only under DESTDIR/PREFIX"
else
	echo "not ok 4 - make install writes only under DESTDIR/PREFIX: $stray"
fi
