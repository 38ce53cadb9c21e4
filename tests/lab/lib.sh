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
