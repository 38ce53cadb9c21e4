# SPDX-License-Identifier: GPL-2.0
# Helpers for lab scenarios (dom0 shell scripts, busybox ash). Sourced before a
# scenario runs; see docs/lab.md for the contract.

LAB_EXEC_TIMEOUT=${LAB_EXEC_TIMEOUT:-300}
LAB_BOOT_TIMEOUT=${LAB_BOOT_TIMEOUT:-180}
LAB_CHECKS_FILE=${LAB_CHECKS_FILE:-/tmp/lab-checks}
LAB_GUESTS_FILE=${LAB_GUESTS_FILE:-/tmp/lab-guests}
export LAB_CHECKS_FILE LAB_GUESTS_FILE

lab_log() { echo "[lab $(cut -d' ' -f1 /proc/uptime)] $*"; }

# ---- named checks -------------------------------------------------------
_lab_result() {
	echo "XLAB-CHECK $1 ${LAB_SCENARIO:-adhoc}: $2${3:+ ($3)}"
	echo "$1 $2" >>"$LAB_CHECKS_FILE"
}
lab_pass() { _lab_result PASS "$1" "$2"; }
lab_fail() { _lab_result FAIL "$1" "$2"; }
# lab_until S CMD...: run CMD every 0.5 s until it exits 0 (0) or S seconds
# have passed (CMD's last status); for what happens soon, not at once
lab_until() {
	local _end _rc
	_end=$(($(date +%s) + $1))
	shift
	while :; do
		"$@" && return 0
		_rc=$?
		[ "$(date +%s)" -lt "$_end" ] || return $_rc
		sleep 0.5
	done
}
# lab_check NAME CMD...: run CMD; pass if it exits 0, else fail with its output.
lab_check() {
	local _n _o
	_n=$1
	shift
	if _o=$("$@" 2>&1); then
		lab_pass "$_n"
	else
		echo "$_o" | tail -20 | sed 's/^/  | /'
		lab_fail "$_n" "command failed: $*"
	fi
}

# ---- guests -------------------------------------------------------------
# Every program started in dom0 costs its dynamic loading under emulation
# (xl domid 135 ms, xenstore-read 75-90 ms, xentop 165 ms): the helpers use
# the lab's static xenstore client xlab-xs (25-40 ms; tests/lab/tools).
lab_domid() { xlab-xs domid "$1" 2>/dev/null; }

# lab_guest NAME --type pv|pvh|hvm --mem MiB [--maxmem MiB] --kernel K [--module]
#           [--extra 'kernel args'] [--vcpus N] [--stress] [--videoram MiB]
# --stress adds stress-ng to the guest (a larger initramfs: slower to boot).
# hvm: QEMU (qemu-system-xen) in dom0 as the device model, direct kernel boot
# (hvmloader, SeaBIOS, QEMU's linuxboot ROM), no VGA unless --videoram (then
# stdvga with that much video RAM), no USB, no disk, no network; the console
# is the PV console (hvc0) as for PV and PVH. --mem below --maxmem starts it
# with populate-on-demand.
lab_guest() {
	local _name _type _mem _max _kern _mod _extra _vcpus _rd _vram _hvm _rc
	_name=$1
	shift
	_type=pv _mem=256 _max= _kern=xb61 _mod=0 _extra= _vcpus=1 _rd=initrd _vram=
	while [ $# -gt 0 ]; do
		case $1 in
		--type) _type=$2; shift 2 ;;
		--mem) _mem=$2; shift 2 ;;
		--maxmem) _max=$2; shift 2 ;;
		--kernel) _kern=$2; shift 2 ;;
		--module) _mod=1; shift ;;
		--extra) _extra=$2; shift 2 ;;
		--vcpus) _vcpus=$2; shift 2 ;;
		--stress) _rd=initrd-stress; shift ;;
		--videoram) _vram=$2; shift 2 ;;
		*) echo "lab_guest: unknown option $1" >&2; return 2 ;;
		esac
	done
	_hvm=
	if [ "$_type" = hvm ]; then
		# the fewest emulated devices: no VGA (or stdvga for --videoram),
		# no VNC/SDL, no serial port, no USB; the platform PCI device stays
		if [ -n "$_vram" ]; then
			_hvm="vga = \"stdvga\"
videoram = $_vram"
		else
			_hvm="vga = \"none\""
		fi
		_hvm="$_hvm
vnc = 0
sdl = 0
nographic = 1
serial = \"none\"
usb = 0
xen_platform_pci = 1"
	elif [ -n "$_vram" ]; then
		echo "lab_guest: --videoram is for --type hvm" >&2
		return 2
	fi
	[ -d "/lab/kernels/$_kern" ] || { echo "lab_guest: no kernel '$_kern' (have: $(ls /lab/kernels))" >&2; return 2; }
	[ -n "$_max" ] || _max=$_mem
	mkdir -p /tmp/xl
	cat >"/tmp/xl/$_name.cfg" <<-CFG
	name = "$_name"
	type = "$_type"
	kernel = "/lab/kernels/$_kern/bzImage"
	ramdisk = "/lab/kernels/$_kern/$_rd.gz"
	memory = $_mem
	maxmem = $_max
	vcpus = $_vcpus
	on_crash = "preserve"
	extra = "console=hvc0 quiet xlab.name=$_name xlab.module=$_mod $_extra"
	$_hvm
	CFG
	echo "$_name" >>"$LAB_GUESTS_FILE"
	if ! lab_xl_create "$_name"; then
		# Under emulation the whole host can stall for a minute (seen once:
		# dom0 soft lockup, then "console tty: timed out"): one logged retry.
		lab_log "lab_guest: xl create $_name failed; retrying once"
		xl destroy "$_name" >/dev/null 2>&1
		lab_xl_create "$_name" || return 1
	fi
	lab_wait_ready "$_name" "$LAB_BOOT_TIMEOUT"
	_rc=$?
	[ "$_rc" = 2 ] || return "$_rc"
	# Not up in time, neither crashed nor gone: a stall of the emulated
	# host (seen once in CI for an HVM guest under a loaded machine). One
	# logged retry; a guest that cannot boot fails again.
	lab_log "lab_guest: $_name did not come up in $LAB_BOOT_TIMEOUT s; destroying it and creating it once more"
	xl destroy "$_name" >/dev/null 2>&1
	lab_xl_create "$_name" || return 1
	lab_wait_ready "$_name" "$LAB_BOOT_TIMEOUT"
}

# lab_xl_create NAME: xl create /tmp/xl/NAME.cfg; its output and a line on
# stderr when it fails
lab_xl_create() {
	xl create "/tmp/xl/$1.cfg" >"/tmp/xl/$1.create" 2>&1 && return 0
	cat "/tmp/xl/$1.create"
	echo "lab_guest: xl create $1 failed" >&2
	return 1
}

# Wait until the guest's agent answers (follows the guest across a reboot,
# since the domid then changes). 1: crashed or gone; 2: not up in time.
lab_wait_ready() {
	local _t0 _d _gone _why _late
	_t0=$(date +%s)
	_gone=
	while :; do
		_d=$(lab_domid "$1")
		if [ -n "$_d" ] && [ "$(xlab-xs read /local/domain/$_d/data/xlab/ready 2>/dev/null)" = 1 ]; then
			lab_log "guest $1 (domid $_d) up after $(($(date +%s) - _t0))s"
			return 0
		fi
		_why=
		if [ -z "$_d" ]; then
			# a rebooting guest is briefly absent while xl re-creates it
			[ -n "$_gone" ] || _gone=$(date +%s)
			[ $(($(date +%s) - _gone)) -ge 10 ] &&
				_why="is gone (destroyed, or it shut itself down)"
		else
			_gone=
			case $(xl list "$1" 2>/dev/null | awk 'NR == 2 {print $5}') in
			*c*) _why="crashed" ;;
			esac
		fi
		_late=
		if [ -z "$_why" ] && [ $(($(date +%s) - _t0)) -ge "$2" ]; then
			_why="did not come up in $2 s"
			_late=1
		fi
		if [ -n "$_why" ]; then
			echo "lab_guest: guest $1 $_why; console:" >&2
			tail -30 /var/log/xen/console/guest-$1.log 2>/dev/null | sed 's/^/  | /' >&2
			if [ -n "$_late" ]; then
				xl list 2>&1 | sed 's/^/  | xl list: /' >&2
				tail -10 /var/log/xen/qemu-dm-$1.log 2>/dev/null | sed 's/^/  | qemu-dm: /' >&2
				return 2
			fi
			return 1
		fi
		sleep 0.2
	done
}

lab_destroy() {
	xl destroy "$1" >/dev/null 2>&1
	sed -i "/^$1\$/d" "$LAB_GUESTS_FILE" 2>/dev/null
	return 0
}

lab_destroy_all() {
	for _g in $(cat "$LAB_GUESTS_FILE" 2>/dev/null); do
		xl destroy "$_g" >/dev/null 2>&1
	done
	rm -f "$LAB_GUESTS_FILE"
}

# lab_exec NAME CMD: run CMD with sh in the guest, print its output (the last
# 1400 bytes), return its exit status (124 when the guest does not answer).
# Three xlab-xs calls: command and request number written in one
# transaction, a wait until the status for this request is there (xlab-xs
# polls over its one connection), the output.
lab_exec() {
	local _g _d _p _seq _t0 _rc
	_g=$1
	shift
	_d=$(lab_domid "$_g")
	[ -n "$_d" ] || { echo "lab_exec: no guest $_g" >&2; return 125; }
	_seq=$(($(cat /tmp/lab-seq 2>/dev/null || echo 0) + 1))
	echo $_seq >/tmp/lab-seq
	_t0=$(date +%s)
	while :; do
		_p=/local/domain/$_d/data/xlab
		xlab-xs write "$_p/cmd" "$(printf '%s' "$*" | base64 -w0)" "$_p/req" "$_seq" || return 125
		_rc=$(xlab-xs wait "$_p/rc" "$_seq " 10000) && break
		if [ $(($(date +%s) - _t0)) -ge "${LAB_EXEC_TIMEOUT}" ]; then
			echo "lab_exec: guest $_g did not answer in ${LAB_EXEC_TIMEOUT}s: $*" >&2
			return 124
		fi
		# no answer yet: a slow command, or a guest that rebooted under a new
		# domid; ask again (same request number: the agent runs it only once)
		_d=$(lab_domid "$_g")
		[ -n "$_d" ] || { echo "lab_exec: guest $_g is gone" >&2; return 125; }
	done
	xlab-xs read "$_p/out" 2>/dev/null | base64 -d 2>/dev/null
	return "${_rc#* }"
}

# ---- memory as Xen sees it ---------------------------------------------
# KiB of memory Xen accounts to the domain (tot_pages * 4).
lab_xen_mem_kb() {
	xentop -b -i 1 2>/dev/null | awk -v n="$1" '$1 == n {print $5; exit}'
}

# lab_wait_xen_mem NAME MiB TOL_PCT S: wait until Xen's view of the domain is
# within TOL_PCT of MiB. S bounds the time without progress, not the wait: as
# long as the domain keeps moving toward MiB (1 MiB closer within S s), it is
# converging, only slowly (a loaded machine), and the wait goes on, up to
# 10 x S in all. Prints the seconds it took; status 1 when the domain stood
# still for S s (or after 10 x S).
lab_wait_xen_mem() {
	local _t0 _kb _d _best _last _now
	_t0=$(date +%s)
	_last=$_t0 _best=
	while :; do
		_kb=$(lab_xen_mem_kb "$1")
		if [ -n "$_kb" ] && awk -v k="$_kb" -v m="$2" -v t="$3" \
			'BEGIN { d = k / 1024 - m; if (d < 0) d = -d; exit !(d <= m * t / 100) }'; then
			echo $(($(date +%s) - _t0))
			return 0
		fi
		_now=$(date +%s)
		if [ -n "$_kb" ]; then
			_d=$(awk -v k="$_kb" -v m="$2" 'BEGIN { d = k - m * 1024; printf "%d", d < 0 ? -d : d }')
			if [ -z "$_best" ] || [ "$_d" -le $((_best - 1024)) ]; then
				_best=$_d _last=$_now
			fi
		fi
		if [ $((_now - _last)) -ge "$4" ] || [ $((_now - _t0)) -ge $((10 * $4)) ]; then
			echo "lab_wait_xen_mem: $1 at ${_kb:-?} KiB, wanted $2 MiB +-$3%; no progress for $((_now - _last)) s (limit $4 s), $((_now - _t0)) s in all" >&2
			return 1
		fi
		sleep 0.3
	done
}

# Print guest consoles and the hypervisor log tail (run on failure).
lab_dump_logs() {
	for _f in /var/log/xen/console/guest-*.log; do
		[ -f "$_f" ] || continue
		# only consoles written since the scenario started
		[ -f /tmp/lab-scenario-start ] && [ -z "$(find "$_f" -newer /tmp/lab-scenario-start)" ] && continue
		echo "XLAB-LOG ---- console $(basename "$_f") (last 40 lines)"
		tail -40 "$_f" | sed 's/^/  | /'
	done
	echo "XLAB-LOG ---- xl dmesg (last 30 lines)"
	xl dmesg 2>/dev/null | tail -30 | sed 's/^/  | /'
}
