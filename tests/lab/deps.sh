#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Install the Debian packages xballoon needs, by name. Idempotent; silent when
# nothing is missing. Xen's hypervisor and the dom0 kernel are not installed on
# this machine: the lab downloads those packages and unpacks them into its cache.
set -euo pipefail

pkgs=(
	# build and unit tests
	gcc make pkg-config libxen-dev libyajl-dev libcmocka-dev valgrind libinih-dev libsystemd-dev libmicrohttpd-dev
	clang libclang-rt-14-dev sparse
	# lab: emulator, Xen tools for dom0, guest userland, kernel sources
	qemu-system-x86 qemu-system-xen xen-utils-4.17 xenstore-utils busybox-static stress-ng
	linux-source-6.1 linux-source-6.12 bc bison flex libelf-dev libssl-dev
	# Debian's stock kernel as a domU (deb61): the module against its headers
	linux-headers-amd64
	cpio xz-utils gzip kmod file
	# bench plots
	gnuplot-nox
	# packaging checks: make deb, lintian, DKMS, JSON schemas, completion
	debhelper dh-dkms dpkg-dev fakeroot lintian dkms python3-jsonschema bash-completion
)

missing=()
for p in "${pkgs[@]}"; do
	s=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
	[ "${s:0:2}" = ii ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "deps: missing packages: ${missing[*]}" >&2
	echo "deps: run 'make deps' as root (or install them with apt-get)" >&2
	exit 1
fi
echo "deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
