#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build the cached base root filesystems of the lab (gzipped cpio archives).
#
#   mkroot.sh dom0 HOSTDIR   dom0 base: busybox, Xen's tools with their libraries,
#                            the dom0 kernel's Xen modules. Prints the archive.
#   mkroot.sh guest          guest base: busybox, xenstore clients, the guest
#                            init and lab agent. Prints the archive.
#   mkroot.sh stress         stress-ng with its libraries, an add-on archive for
#                            guests created with --stress (it is large, and a
#                            PVH guest unpacks it slowly under emulation).
#   mkroot.sh hvm            add-on for dom0: the HVM device model (Debian's
#                            qemu-system-xen) with the libraries dom0's base
#                            lacks, hvmloader and SeaBIOS. Prints the archive.
# Per-run files (scenarios, guest kernels, xballoon.ko, the toolstack) are packed
# by xenlab into a second archive, concatenated to these.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

what=${1:?usage: mkroot.sh dom0 HOSTDIR | guest | stress | hvm}
mkdir -p "$XB_CACHE/root"
exec 9>"$XB_CACHE/root/.lock"
flock 9

xen_bins=(xl xenstored xenconsoled xen-init-dom0 xentop libxl-save-helper)
# what libxl (xen-utils-4.17) starts for an HVM guest: the device model, the
# firmware loader and the BIOS it loads, QEMU's option ROMs for direct kernel
# boot (-kernel; Xen's machine has no fw_cfg DMA: linuxboot.bin), the keymap
# QEMU reads even for "-vnc none", the VGA BIOS for --videoram (stdvga)
hvm_files=(/usr/libexec/xen-qemu-system-i386 /usr/lib/xen-4.17/boot/hvmloader
	/usr/share/seabios/bios-256k.bin /usr/share/qemu/linuxboot.bin
	/usr/share/qemu/linuxboot_dma.bin /usr/share/qemu/keymaps/en-us
	/usr/share/seabios/vgabios-stdvga.bin)
xs_cmds=(read write ls list rm exists watch chmod)

case $what in
dom0)
	host=${2:?usage: mkroot.sh dom0 HOSTDIR}
	key=$( { cat "$host/kernel-release" "$0" "$XB_LAB_DIR/lib.sh"
		xb_pkg_version xen-utils-4.17; xb_pkg_version xenstore-utils
		xb_pkg_version busybox-static; xb_pkg_version libc6; } | xb_hash)
	;;
guest)
	key=$( { cat "$0" "$XB_LAB_DIR/lib.sh" "$XB_LAB_DIR"/guest/*
		xb_pkg_version xenstore-utils
		xb_pkg_version busybox-static; xb_pkg_version libc6; } | xb_hash)
	;;
stress)
	key=$( { cat "$0" "$XB_LAB_DIR/lib.sh"; xb_pkg_version stress-ng
		xb_pkg_version libc6; } | xb_hash)
	;;
hvm)
	key=$( { cat "$0" "$XB_LAB_DIR/lib.sh"; xb_pkg_version qemu-system-xen
		xb_pkg_version qemu-system-data; xb_pkg_version seabios
		xb_pkg_version xen-utils-4.17; xb_pkg_version libc6; } | xb_hash)
	;;
*) xb_die "unknown root '$what'" ;;
esac
out=$XB_CACHE/root/$what-$key.cpio.gz
if [ -f "$out" ]; then
	echo "$out"
	exit 0
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
r=$tmp/root
if [ "$what" = stress ]; then
	# only what the guest base does not have already
	mkdir -p "$tmp/base"
	xb_copy_bins "$tmp/base" /usr/bin/xenstore
	xb_copy_bins "$r" "$(command -v stress-ng)"
	(cd "$tmp/base" && find . -type f) | while read -r f; do rm -f "$r/$f"; done
	xb_pack "$r" "$out"
	xb_log "built stress add-on $(du -h "$out" | cut -f1)"
	echo "$out"
	exit 0
fi
if [ "$what" = hvm ]; then
	for f in "${hvm_files[@]}"; do
		[ -f "$f" ] || xb_die "missing $f (install qemu-system-xen: make deps)"
	done
	# only what the dom0 base does not have already
	bins=()
	for b in "${xen_bins[@]}"; do bins+=("/usr/lib/xen-4.17/bin/$b"); done
	xb_copy_bins "$tmp/base" /usr/bin/xenstore "${bins[@]}"
	xb_copy_bins "$r" "${hvm_files[0]}"
	(cd "$tmp/base" && find . -type f) | while read -r f; do rm -f "$r/$f"; done
	for f in "${hvm_files[@]:1}"; do
		mkdir -p "$r$(dirname "$f")"
		cp -L "$f" "$r$f"
	done
	xb_pack "$r" "$out"
	xb_log "built hvm add-on $(du -h "$out" | cut -f1)"
	echo "$out"
	exit 0
fi
mkdir -p "$r"/{proc,sys,dev,tmp,run,root,etc,lib,sbin,bin,usr/bin,usr/sbin,var/log}
xb_copy_bins "$r" /usr/bin/xenstore
for c in "${xs_cmds[@]}"; do ln -s xenstore "$r/usr/bin/xenstore-$c"; done
echo 'root:x:0:0:root:/root:/bin/sh' >"$r/etc/passwd"
echo 'root:x:0:' >"$r/etc/group"

if [ "$what" = dom0 ]; then
	bins=()
	for b in "${xen_bins[@]}"; do bins+=("/usr/lib/xen-4.17/bin/$b"); done
	xb_copy_bins "$r" "${bins[@]}"
	# xl finds its helpers and scripts here
	mkdir -p "$r/etc/xen/scripts" "$r/var/lib/xen" "$r/usr/lib/xen-4.17/boot"
	cp -a /etc/xen/scripts/. "$r/etc/xen/scripts/" 2>/dev/null || true
	kr=$(cat "$host/kernel-release")
	for m in xen-evtchn xen-privcmd xen-gntdev xen-gntalloc xenfs; do
		f=$(find "$host/root/lib/modules/$kr" -name "$m.ko" -print -quit)
		[ -n "$f" ] || xb_die "dom0 module $m.ko not found in $host"
		mkdir -p "$r/lib/modules/$kr/xen"
		cp "$f" "$r/lib/modules/$kr/xen/"
	done
else
	install -m 0755 "$XB_LAB_DIR/guest/init" "$r/init"
	install -m 0755 "$XB_LAB_DIR/guest/xlab-agent" "$r/sbin/xlab-agent"
fi
xb_install_busybox "$r"
xb_pack "$r" "$out"
xb_log "built $what root $(du -h "$out" | cut -f1)"
echo "$out"
