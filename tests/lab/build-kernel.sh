#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build a lab domU kernel from Debian's linux-source-LINE package.
#
#   build-kernel.sh LINE FLAVOR      LINE: 6.1 | 6.12   FLAVOR: xb | ref
#
# Prints the build directory (usable as KDIR for out-of-tree modules) on stdout.
# Builds are cached under $XBALLOON_CACHE (default /var/cache/xballoon), keyed by
# the source package version, the config fragments and this script, so a second
# run reuses them.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

line=${1:?usage: build-kernel.sh LINE FLAVOR}
flavor=${2:?usage: build-kernel.sh LINE FLAVOR}
case $line in 6.1|6.12) ;; *) xb_die "unknown kernel line '$line' (6.1 or 6.12)";; esac
case $flavor in xb|ref) ;; *) xb_die "unknown flavor '$flavor' (xb or ref)";; esac

pkg=linux-source-$line
ver=$(xb_pkg_version "$pkg")
[ -n "$ver" ] || xb_die "$pkg is not installed (run: make deps)"
tarball=/usr/src/$pkg.tar.xz
[ -f "$tarball" ] || xb_die "$tarball missing; reinstall $pkg"

frags=("$XB_LAB_DIR/kconfig/guest.config")
[ "$flavor" = ref ] && frags+=("$XB_LAB_DIR/kconfig/ref.config")
key=$( { echo "$ver"; cat "${frags[@]}" "$0"; } | xb_hash)
src=$XB_CACHE/src/$pkg-$ver
out=$XB_CACHE/kernel/$line-$flavor-$key

# ref differs from xb by the ref fragment alone: it starts from a copy of the
# finished xb tree, and Kbuild's per-option dependencies then rebuild only the
# objects that option touches (seconds instead of minutes). Kbuild records the
# build directory's absolute path in every object's command line, so each
# line's kernels are all built in one place (.work-LINE) and moved out when
# done; a copy brought back there rebuilds incrementally.
base=
if [ "$flavor" = ref ] && [ ! -f "$out/.xb-done" ]; then
	base=$("$0" "$line" xb) || xb_die "the xb $line kernel (base of ref) failed to build"
fi

mkdir -p "$XB_CACHE/src" "$XB_CACHE/kernel"
exec 9>"$XB_CACHE/kernel/.lock-$line"
flock 9

if [ -f "$out/.xb-done" ]; then
	echo "$out"
	exit 0
fi

if [ ! -f "$src/.xb-done" ]; then
	xb_log "unpacking $pkg $ver"
	rm -rf "$src" "$src.tmp"
	mkdir -p "$src.tmp"
	tar -C "$src.tmp" --strip-components=1 -xf "$tarball"
	touch "$src.tmp/.xb-done"
	mv "$src.tmp" "$src"
fi

w=$XB_CACHE/kernel/.work-$line
rm -rf "$out" "$w"
log=$w/build.log
if [ -n "$base" ]; then
	xb_log "building $line-$flavor kernel (key $key) from $base"
	cp -a "$base" "$w"
	rm -f "$w/.xb-done"
	{
		"$src/scripts/kconfig/merge_config.sh" -m -O "$w" "$w/.config" "${frags[@]:1}"
		make -C "$src" O="$w" olddefconfig
	} >"$log" 2>&1 || { tail -30 "$log" >&2; xb_die "kernel configuration failed (log: $log)"; }
else
	xb_log "building $line-$flavor kernel (key $key)"
	mkdir -p "$w"
	{
		make -C "$src" O="$w" tinyconfig
		"$src/scripts/kconfig/merge_config.sh" -m -O "$w" "$w/.config" "${frags[@]}"
		make -C "$src" O="$w" olddefconfig
	} >"$log" 2>&1 || { tail -30 "$log" >&2; xb_die "kernel configuration failed (log: $log)"; }
fi

# Every option the fragments ask for (later fragments win) must have survived
# olddefconfig.
missing=0
while IFS= read -r opt; do
	case $opt in
	CONFIG_*=n) name=${opt%=n}
		grep -q "^$name=" "$w/.config" && { xb_log "option not off: $name"; missing=1; } ;;
	CONFIG_*) grep -qx "$opt" "$w/.config" || { xb_log "option not set: $opt"; missing=1; } ;;
	esac
done < <(cat "${frags[@]}" | grep -E '^CONFIG_' | awk -F= '{v[$1]=$0; if (!($1 in o)) {o[$1]=n++; k[n-1]=$1}} END {for (i=0;i<n;i++) print v[k[i]]}')
[ $missing = 0 ] || xb_die "kernel config is missing options asked for by the fragment"

jobs=$(nproc)
if ! make -C "$src" O="$w" -j"$jobs" bzImage modules >>"$log" 2>&1; then
	tail -40 "$log" >&2
	xb_die "kernel build failed (log: $log)"
fi
touch "$w/.xb-done"
mv "$w" "$out"
xb_log "built $out/arch/x86/boot/bzImage ($(grep -c '^  CC ' "$out/build.log") files compiled)"
echo "$out"
