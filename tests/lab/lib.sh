# SPDX-License-Identifier: GPL-2.0
# Shared helpers for the host side of the nested Xen lab (sourced, not run).

XB_CACHE=${XBALLOON_CACHE:-/var/cache/xballoon}
XB_LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
XB_ROOT=$(cd "$XB_LAB_DIR/../.." && pwd)

xb_log() { printf 'xenlab: %s\n' "$*" >&2; }
xb_die() { printf 'xenlab: error: %s\n' "$*" >&2; exit 1; }

# Version of an installed Debian package, or empty.
xb_pkg_version() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || true; }

# Short hash of stdin, used to key cache entries by their inputs.
xb_hash() { sha256sum | cut -c1-12; }

# Copy executables into ROOT at the same paths, with every shared library they
# need (as ldd resolves them on this machine) and the dynamic loader.
xb_copy_bins() {
	local root=$1 bin lib
	shift
	for bin in "$@"; do
		[ -e "$bin" ] || xb_die "missing $bin"
		mkdir -p "$root$(dirname "$bin")"
		cp -L "$bin" "$root$bin"
		xb_copy_libs "$root" "$bin"
	done
	# pthread_cancel needs libgcc_s at run time (dlopen), ldd does not show it
	# (awk reads to the end: a reader that quits early kills the writer with
	# SIGPIPE, and under pipefail the caller dies of it)
	lib=$(ldconfig -p | awk '/libgcc_s.so.1 .*x86-64/ && !l {l = $NF} END {print l}')
	if [ -n "$lib" ] && [ ! -e "$root$lib" ]; then
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	fi
}

# Copy into ROOT the shared libraries (as ldd resolves them here) that the
# executables BIN... need, wherever those executables are.
xb_copy_libs() {
	local root=$1 bin lib
	shift
	for bin in "$@"; do
		for lib in $(ldd "$bin" 2>/dev/null | grep -o '/[^ ]*' || true); do
			[ -e "$root$lib" ] && continue
			mkdir -p "$root$(dirname "$lib")"
			cp -L "$lib" "$root$lib"
		done
	done
}

# Install busybox-static into ROOT with one link per applet.
xb_install_busybox() {
	local root=$1 a
	mkdir -p "$root/bin" "$root/sbin" "$root/usr/bin" "$root/usr/sbin"
	cp /bin/busybox "$root/bin/busybox"
	for a in $(/bin/busybox --list-full); do
		# never replace busybox itself or a real binary already copied
		[ "$a" = bin/busybox ] && continue
		[ -e "$root/$a" ] && continue
		ln -s /bin/busybox "$root/$a"
	done
}

# Pack directory DIR into a gzipped newc cpio archive OUT.
xb_pack() {
	(cd "$1" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) |
		gzip -1 >"$2.tmp"
	mv "$2.tmp" "$2"
}
