# SPDX-License-Identifier: GPL-2.0
# lab-seconds: 240 (measured alone, one lab)
# Pages given back to Xen carry none of the guest's data. A paused filler
# domain holds every free page of the host but room for one small guest. The
# guest fills its free memory with a pattern, frees it, and balloons down; a
# new domain (stopped at once) then gets the freed frames from Xen, and its
# memory (xl dump-core) is searched for the pattern:
#  - default load (scrub=1): the driver zeroes, none found;
#  - scrub=0: the pattern is found (the check can see a leak), and the load
#    logs the risk;
#  - init_on_free=1 on the guest's command line: the driver skips its own
#    zeroing and says why, and still none is found.

. ./driver.inc

PAT=XBSCRUB-PATTERN-7f3a9c

# scrub_dump NAME: count the pattern's lines in domain NAME's memory (streamed
# through a FIFO: no copy of the dump in dom0); status 1 if the dump failed
scrub_dump() {
	rm -f /tmp/core.fifo /tmp/core.count
	mkfifo /tmp/core.fifo
	(tr -s '\000' '\n' </tmp/core.fifo | grep -c "$PAT" >/tmp/core.count) &
	_t0=$(date +%s)
	timeout 240 xl dump-core "$1" /tmp/core.fifo >/tmp/core.log 2>&1
	_rc=$?
	# a writer that never opened the FIFO leaves the reader waiting: open and
	# close it without blocking
	exec 3<>/tmp/core.fifo
	exec 3>&-
	wait
	lab_log "xl dump-core $1: status $_rc in $(($(date +%s) - _t0)) s" >&2
	if [ $_rc != 0 ]; then
		sed 's/^/  | /' /tmp/core.log >&2
		return 1
	fi
	cat /tmp/core.count
}

# new_domain NAME TYPE MiB [xl create option]: a domain of MiB with the lab
# kernel and no initramfs (with -p it stays paused)
new_domain() {
	cat >"/tmp/xl/$1.cfg" <<-CFG
	name = "$1"
	type = "$2"
	kernel = "/lab/kernels/xb61/bzImage"
	extra = "console=hvc0 quiet"
	memory = $3
	on_crash = "preserve"
	CFG
	echo "$1" >>/tmp/lab-guests
	xl create $4 "/tmp/xl/$1.cfg" >"/tmp/xl/$1.log" 2>&1 && return 0
	tail -5 "/tmp/xl/$1.log" | sed 's/^/  | /'
	return 1
}

# probe_domain MiB: a PV domain that boots the lab kernel without an
# initramfs, so it stops at once (kernel panic, kept crashed): its memory is
# what Xen gave it, barely touched, and its p2m (which xl dump-core needs for
# PV) is set up; a PVH domain would be dumped over its whole physical map,
# which under emulation takes minutes
probe_domain() {
	new_domain probe pv "$1" || return 1
	_n=0
	while [ $_n -lt 60 ]; do
		case $(xl list probe 2>/dev/null | awk 'NR == 2 {print $5}') in
		*c*) return 0 ;;
		esac
		sleep 1
		_n=$((_n + 1))
	done
	echo "  | probe did not stop: $(xl list probe 2>&1 | tail -1)" >&2
	return 1
}

# scrub_case TAG 'KERNEL ARGS' 'INSMOD ARGS' MODE: run one case; MODE is the
# word the driver reports (sysfs scrub_mode, report token scrub)
scrub_case() {
	tag=$1 kargs=$2 margs=$3 mode=$4
	g=sc$tag
	if ! lab_guest "$g" --type pv --mem 256 --kernel xb61 --extra "$kargs"; then
		lab_fail "$tag-boot" "guest did not come up"
		return 1
	fi
	lab_exec "$g" "insmod /lib/xballoon/xballoon.ko $margs"
	out=$(lab_exec "$g" 'cat /sys/kernel/xballoon/scrub_mode; dmesg | grep "xballoon: scrub"')
	echo "$out" | sed 's/^/  | /'
	if [ "$(echo "$out" | sed -n 1p)" = "$mode" ] && [ "$(echo "$out" | grep -c "xballoon: scrub")" = 1 ]; then
		lab_pass "$tag-mode" "scrub_mode $mode, logged once at load"
	else
		lab_fail "$tag-mode" "wanted scrub_mode $mode and one log line"
	fi
	# the pattern into page cache, then freed: the guest's free pages hold it
	lab_exec "$g" "yes $PAT | head -c 150994944 >/tmp/fill; rm /tmp/fill; grep MemFree /proc/meminfo"
	lab_log "$tag: pattern written and freed"
	xl mem-set "$g" 96m
	lab_wait_xen_mem "$g" 96 1 120 >/dev/null || lab_fail "$tag-down" "Xen at $(lab_xen_mem_kb "$g") KiB"
	scrubbed=$(lab_exec "$g" 'cat /sys/kernel/xballoon/pages_scrubbed')
	rep=$(drv_tok "$g" scrub)
	# a new domain made of the freed frames and what little was left over
	free=$(xl info | awk '/^free_memory/ {print $3}')
	probe=64
	lab_log "$tag: $free MiB free"
	if ! probe_domain $probe; then
		lab_fail "$tag-probe" "could not create a probe domain of $probe MiB"
	elif lab_log "$tag: probe of $probe MiB created" && ! n=$(scrub_dump probe); then
		lab_fail "$tag-probe" "xl dump-core of the probe domain failed"
	else
		lab_log "$tag: probe of $probe MiB holds $n pattern lines; driver zeroed ${scrubbed:-?} pages, report scrub=${rep:-?}"
		case $mode in
		off)
			if [ "${n:-0}" -gt 1000 ]; then
				lab_pass "$tag-leak-seen" "scrub=0: $n pattern lines reached another domain (the check sees a leak)"
			else
				lab_fail "$tag-leak-seen" "scrub=0 but only ${n:-?} pattern lines found: the check cannot see a leak"
			fi ;;
		*)
			if [ "$n" = 0 ]; then
				lab_pass "$tag-no-leak" "0 pattern lines in $probe MiB of another domain"
			else
				lab_fail "$tag-no-leak" "${n:-?} pattern lines reached another domain"
			fi ;;
		esac
		case $mode in zero) want=yes ;; *) want=no ;; esac
		if [ "$rep" = "$mode" ] && { [ "${scrubbed:-0}" -gt 0 ] && [ $want = yes ] ||
			[ "$scrubbed" = 0 ] && [ $want = no ]; }; then
			lab_pass "$tag-counted" "report scrub=$rep, pages_scrubbed=$scrubbed"
		else
			lab_fail "$tag-counted" "report scrub=${rep:-?}, pages_scrubbed=${scrubbed:-?} (mode $mode)"
		fi
	fi
	lab_destroy probe
	lab_destroy "$g"
}

# every free host page but room for a 256 MiB guest and a little: the
# probe's 64 MiB must come mostly from what the guest gives back
free=$(xl info | awk '/^free_memory/ {print $3}')
if ! new_domain filler pvh $((free - 256 - 40)) -p; then
	lab_fail "filler" "could not create a filler of $((free - 256 - 40)) MiB"
	return 0
fi
lab_log "filler of $((free - 256 - 40)) MiB; $(xl info | awk '/^free_memory/ {print $3}') MiB free"
scrub_case default "" "" zero
scrub_case off "" "scrub=0" off
scrub_case initfree "init_on_free=1" "" init-on-free
