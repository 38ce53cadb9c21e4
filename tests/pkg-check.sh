#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make check: the packages. make deb on a clean copy of the tree (git's
# tracked files), what each package holds, lintian (no errors; kept warnings
# are explained in debian/), DKMS builds of the xballoon-dkms source against
# both lab kernel trees (6.1, 6.12: tests/lab/build-kernel.sh, cached) and
# Debian's stock kernel headers (linux-headers-amd64), and
# docs/example.c built with pkg-config against the unpacked -dev package.
# Leaves the packages in OUT (default out/deb) for the lab (XB_DEB_DIR). TAP.
#   tests/pkg-check.sh [OUT [--build-only | --built]]
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD
out=${1:-out/deb}
mkdir -p "$out"
out=$(cd "$out" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
tap() {	# tap STATUS NAME [DETAIL]
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2${3:+: $3}"; fi
}
[ "${2:-}" = --build-only ] || echo "1..9"

# a clean clone: only what git tracks, so nothing built here leaks in.
# --built: OUT already holds this build (make check builds it before the lab
# starts, which unpacks it into dom0) and OUT/build.tap says how it went.
if [ "${2:-}" = --built ] && [ -f "$out/build.tap" ]; then
	cat "$out/build.tap"
else
	rm -rf "$out"
	mkdir -p "$out"
	git clone -q --no-hardlinks "$root" "$tmp/clone" 2>/dev/null ||
		{ mkdir -p "$tmp/clone" && git ls-files -z | tar --null -T - -cf - | tar -C "$tmp/clone" -xf -; }
	t0=$SECONDS
	"$tmp/clone/tests/deb-build.sh" "$tmp/deb" >"$out/build.log" 2>&1
	rc=$?
	cp "$tmp"/deb/*.deb "$out"/ 2>/dev/null
	tap $rc "make deb on a clean clone ($((SECONDS - t0)) s)" "$(tail -5 "$out/build.log")" | tee "$out/build.tap"
	[ "${2:-}" = --build-only ] && exit 0
fi
n=1
ver=$(dpkg-parsechangelog -l debian/changelog -S Version)
arch=$(dpkg --print-architecture)
ma=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
deb() { echo "$out/${1}_${ver}_${2:-$arch}.deb"; }

# what each package holds (the paths a user relies on)
miss=
has() {	# has PKG [ARCH] PATH...
	local p=$1 a=$arch f c
	shift
	[ "$1" = all ] && { a=all; shift; }
	c=$(dpkg -c "$(deb "$p" "$a")" 2>/dev/null | awk '{print $6}' | sed 's|^\./|/|')
	for f in "$@"; do grep -qx -- "$f" <<<"$c" || miss+=" $p:$f"; done
}
has xballoon /usr/bin/xballoon /usr/share/man/man1/xballoon.1.gz \
	/usr/share/bash-completion/completions/xballoon
has libxballoon1 "/usr/lib/$ma/libxballoon.so.$ver" "/usr/lib/$ma/libxballoon.so.1"
has libxballoon-dev /usr/include/libxballoon.h "/usr/lib/$ma/libxballoon.so" \
	"/usr/lib/$ma/pkgconfig/xballoon.pc"
has xballoon-dkms all "/usr/src/xballoon-$ver/dkms.conf" "/usr/src/xballoon-$ver/guest/Kbuild" \
	"/usr/src/xballoon-$ver/core/xb_core.h"
# DKMS runs on install: the dependency and dh_dkms's maintainer scripts
dpkg-deb -f "$(deb xballoon-dkms all)" Depends 2>/dev/null | grep -q '\bdkms\b' || miss+=" Depends:dkms"
dpkg-deb -I "$(deb xballoon-dkms all)" postinst 2>/dev/null | grep -q 'dkms' || miss+=" postinst"
[ -z "$miss" ]
tap $? "the four packages hold the CLI, library, -dev files and the DKMS source (dkms runs on install)" "missing$miss"

t0=$SECONDS
lintian --fail-on error \
	"$out"/*.deb >"$tmp/lintian.log" 2>&1
rc=$?
tap $rc "lintian: no errors ($(grep -c '^W:' "$tmp/lintian.log") warnings, $((SECONDS - t0)) s)" \
	"$(grep '^E:' "$tmp/lintian.log" | head -5)"
grep '^[EW]:' "$tmp/lintian.log" | sed 's/^/# /'

# xballoon_* only, one version node; the -dev .pc points at the -dev files
exp=$(dpkg-deb --fsys-tarfile "$(deb libxballoon1)" | tar -xOf - "./usr/lib/$ma/libxballoon.so.$ver" >"$tmp/lib.so" &&
	nm -D --defined-only "$tmp/lib.so" | awk '$3 !~ /^xballoon_/ && $3 !~ /^XBALLOON_1(\.[0-9]+)?$/')
[ -s "$tmp/lib.so" ] && [ -z "$exp" ]
tap $? "libxballoon1 exports xballoon_* only" "$exp"

# DKMS against both lab kernel trees, in a private DKMS tree (nothing on
# this machine's /var/lib/dkms)
dpkg -x "$(deb xballoon-dkms all)" "$tmp/dkms-root"
# dkms_build ID WHAT KDIR KREL [LOG]: one tap line
dkms_build() {
	local dt=$tmp/dkms-$1 t0=$SECONDS ko vm
	shift
	mkdir -p "$dt"
	{ dkms add -m xballoon -v "$ver" --sourcetree "$tmp/dkms-root/usr/src" --dkmstree "$dt" &&
		dkms build -m xballoon -v "$ver" -k "$3" --kernelsourcedir "$2" \
			--sourcetree "$tmp/dkms-root/usr/src" --dkmstree "$dt"; } >"$dt.log" 2>&1
	ko=$dt/xballoon/$ver/$3/$(uname -m)/module/xballoon.ko
	vm=$(modinfo -F vermagic "$ko" 2>/dev/null)
	[ -n "$3" ] && [ "${vm%% *}" = "$3" ]
	tap $? "dkms build against $1: xballoon.ko for $3 ($((SECONDS - t0)) s)" \
		"$(tail -q -n 5 "$dt.log" ${4:+"$4"})"
}
for line in 6.1 6.12; do
	kdir=$(tests/lab/build-kernel.sh "$line" xb 2>"$tmp/kernel-$line.log")
	dkms_build "$line" "the lab's $line tree" "$kdir" "$(cat "$kdir/include/config/kernel.release" 2>/dev/null)" \
		"$tmp/kernel-$line.log"
done
# Debian's stock kernel headers (linux-headers-amd64, as make deps installs
# them): the module a distribution guest gets from the dkms package. The lab
# boots that kernel as a guest and loads the module in companion mode
# (tests/scenarios/driver-debian.sh, built there with Kbuild).
hd=$(ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | sort -V | tail -1)
dkms_build debian "Debian's stock headers (${hd:-none installed: apt-get install linux-headers-amd64})" \
	"${hd:-/nonexistent}" "${hd#/usr/src/linux-headers-}"

# the example, as a user builds it: pkg-config from the unpacked -dev package
dpkg -x "$(deb libxballoon-dev)" "$tmp/dev"
dpkg -x "$(deb libxballoon1)" "$tmp/dev"
flags=$(PKG_CONFIG_SYSROOT_DIR=$tmp/dev PKG_CONFIG_LIBDIR=$tmp/dev/usr/lib/$ma/pkgconfig \
	pkg-config --cflags --libs xballoon 2>&1)
cc -Wall -Wextra -Werror docs/example.c $flags -o "$tmp/example" >"$tmp/cc.log" 2>&1 &&
	readelf -d "$tmp/example" | grep -q 'NEEDED.*\[libxballoon\.so\.1\]'
tap $? "docs/example.c builds with cc example.c \$(pkg-config --cflags --libs xballoon)" \
	"$flags $(head -5 "$tmp/cc.log")"
# the packaged CLI and the example run from a root holding only the
# packages and the libraries they need (as the lab's dom0 gets them): the
# loader finds libxballoon.so.1 in the multiarch directory, no rpath, no
# ld.so.cache. Without Xen, the example's errno-style failure is the expected end.
. tests/lab/lib.sh
cr=$tmp/chroot
mkdir -p "$cr/lab"
dpkg -x "$(deb xballoon)" "$cr" && dpkg -x "$(deb libxballoon1)" "$cr" &&
	cp "$tmp/example" "$cr/lab/example" 2>/dev/null &&
	xb_copy_libs "$cr" "$cr/usr/bin/xballoon" "$cr/lab/example" "$cr/usr/lib/$ma/libxballoon.so.1"
h=$(chroot "$cr" /usr/bin/xballoon help 2>&1 | sed -n 1p)
e=$(chroot "$cr" /lab/example 2>&1 | tail -1)
[ "$h" = "Usage: xballoon COMMAND [ARGS]" ] && [ "$e" = "example: cannot open Xen: No such file or directory" ]
tap $? "the packaged xballoon and the example run from the packages alone (chroot, no rpath)" "$h / $e"
