#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Fetch the lab host's parts: Debian's Xen hypervisor and dom0 kernel. They are
# downloaded by package name and unpacked into the cache, never installed on this
# machine. Prints the cache directory, which holds:
#   xen            uncompressed hypervisor (QEMU loads it as a multiboot kernel)
#   vmlinuz        dom0 kernel
#   root/          the unpacked packages (dom0's kernel modules live here)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

kpkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
	awk '/Depends: linux-image-[0-9]/ && !p {p = $2} END {print p}')
xpkg=xen-hypervisor-4.17-amd64
if [ -z "$kpkg" ]; then
	# no package lists: fall back to the newest complete cache entry
	last=$(ls -dt "$XB_CACHE"/host/*/.xb-done 2>/dev/null | head -1 || true)
	[ -n "$last" ] || xb_die "cannot resolve linux-image-amd64 (run apt-get update)"
	dirname "$last"
	exit 0
fi
kver=$(apt-cache policy "$kpkg" | awk '/Candidate:/ {print $2}')
xver=$(apt-cache policy "$xpkg" | awk '/Candidate:/ {print $2}')
key=$(echo "$kpkg $kver $xpkg $xver" | xb_hash)
out=$XB_CACHE/host/$key
mkdir -p "$XB_CACHE/host"
exec 9>"$XB_CACHE/host/.lock"
flock 9
if [ -f "$out/.xb-done" ]; then
	echo "$out"
	exit 0
fi
xb_log "fetching $kpkg $kver and $xpkg $xver"
rm -rf "$out"
mkdir -p "$out/deb" "$out/root"
(cd "$out/deb" && apt-get download -q "$kpkg=$kver" "$xpkg=$xver" >/dev/null 2>&1) ||
	xb_die "apt-get download of $kpkg / $xpkg failed"
for d in "$out"/deb/*.deb; do dpkg-deb -x "$d" "$out/root"; done
rm -rf "$out/deb"
zcat "$out"/root/boot/xen-4.17-amd64.gz >"$out/xen"
cp "$out"/root/boot/vmlinuz-* "$out/vmlinuz"
basename "$(ls -d "$out"/root/lib/modules/*)" >"$out/kernel-release"
touch "$out/.xb-done"
echo "$out"
