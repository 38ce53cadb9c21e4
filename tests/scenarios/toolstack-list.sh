# SPDX-License-Identifier: GPL-2.0
# lab-seconds: 35 (measured in a lab of make check, to balance --labs)
# xballoon list --json agrees with xl list and xl info on the same snapshot, and
# its totals equal the sums of its rows. Four guests: PV and PVH on the xb kernel
# with the driver, PV on the ref kernel (Linux's balloon), PV on the xb kernel
# without the module.

. ./toolstack.inc

# jtop FILE SECTION FIELD: host/totals fields
jtop() {
	sed 's/"domains":\[.*//' "$1" | grep -o "\"$2\":{[^}]*}" |
		grep -o "\"$3\":[0-9]*" | cut -d: -f2
}
xlmem() { awk 'NR > 1 {print $1, $2, $3}' "$1"; }

lab_guest tsl-pv --type pv --mem 384 --maxmem 512 --kernel xb61 --module || exit 1
lab_guest tsl-pvh --type pvh --mem 384 --maxmem 512 --kernel xb61 --module || exit 1
lab_guest tsl-ref --type pv --mem 384 --maxmem 512 --kernel ref61 || exit 1
lab_guest tsl-nod --type pv --mem 384 --maxmem 512 --kernel xb61 || exit 1
sleep 3	# first driver reports

# one snapshot: xl before and after agree, so xballoon's view in between is
# the same state of the host
ok=0
for try in 1 2 3 4 5 6 7 8 9 10; do
	xl list >/tmp/xl1 2>&1; xl info >/tmp/xi1 2>&1
	xballoon list --json >/tmp/xb.json 2>/tmp/xb.err; rc=$?
	xl list >/tmp/xl2 2>&1; xl info >/tmp/xi2 2>&1
	if [ "$(xlmem /tmp/xl1)" = "$(xlmem /tmp/xl2)" ] &&
	   [ "$(grep free_memory /tmp/xi1)" = "$(grep free_memory /tmp/xi2)" ]; then
		ok=1
		break
	fi
	sleep 1
done
[ $ok = 1 ] || lab_log "host never stood still for one snapshot; comparing the last"
lab_check list-json-exit-0 test "$rc" = 0
cat /tmp/xb.json | head -c 600; echo
xl list

n_xl=$(awk 'NR > 1' /tmp/xl1 | wc -l)
n_xb=$(jtop /tmp/xb.json totals domains)
lab_check list-same-domains test "$n_xl" = "$n_xb"

bad=
sum_rec=0 sum_act=0
for id in $(awk 'NR > 1 {print $2}' /tmp/xl1); do
	xl_name=$(awk -v i="$id" 'NR > 1 && $2 == i {print $1}' /tmp/xl1)
	xl_mem=$(awk -v i="$id" 'NR > 1 && $2 == i {print $3}' /tmp/xl1)
	act=$(jdom /tmp/xb.json "$id" actual_kb)
	name=$(jdom /tmp/xb.json "$id" name)
	smax=$(jdom /tmp/xb.json "$id" static_max_kb)
	rec=$(jdom /tmp/xb.json "$id" reclaimed_kb)
	[ -n "$act" ] || { bad="$bad $id:missing"; continue; }
	# xl list Mem = (tot_pages + outstanding) in MiB; no claims in the lab
	[ $((act / 1024)) = "$xl_mem" ] || bad="$bad $id:mem(xb $((act / 1024)) xl $xl_mem)"
	[ "$name" = "$xl_name" ] || bad="$bad $id:name($name/$xl_name)"
	# reclaimed = static-max - actual, static-max as xenstore has it (domUs)
	[ $((smax > act ? smax - act : 0)) = "$rec" ] || bad="$bad $id:reclaimed"
	if [ "$id" != 0 ]; then
		xs_max=$(xenstore-read /local/domain/$id/memory/static-max)
		[ "$xs_max" = "$smax" ] || bad="$bad $id:static-max($smax/$xs_max)"
	fi
	sum_rec=$((sum_rec + rec))
	sum_act=$((sum_act + act))
done
if [ -z "$bad" ]; then lab_pass list-agrees-with-xl-list; else lab_fail list-agrees-with-xl-list "$bad"; fi
[ "$sum_rec" = "$(jtop /tmp/xb.json totals reclaimed_kb)" ] &&
	[ "$sum_act" = "$(jtop /tmp/xb.json totals actual_kb)" ] &&
	lab_pass list-totals-are-sums ||
	lab_fail list-totals-are-sums "rows: reclaimed $sum_rec actual $sum_act; totals: $(jtop /tmp/xb.json totals reclaimed_kb) $(jtop /tmp/xb.json totals actual_kb)"

xi_total=$(awk '$1 == "total_memory" {print $3}' /tmp/xi1)
xi_free=$(awk '$1 == "free_memory" {print $3}' /tmp/xi1)
xb_total=$(($(jtop /tmp/xb.json host total_kb) / 1024))
xb_free=$(($(jtop /tmp/xb.json host free_kb) / 1024))
lab_check list-host-total-equals-xl-info test "$xi_total" = "$xb_total"
lab_check list-host-free-equals-xl-info test "$xi_free" = "$xb_free"

# types, driver presence and derived state, per guest
pv=$(lab_domid tsl-pv) pvh=$(lab_domid tsl-pvh) ref=$(lab_domid tsl-ref) nod=$(lab_domid tsl-nod)
lab_check list-type-pv test "$(jdom /tmp/xb.json "$pv" type)" = pv
lab_check list-type-pvh test "$(jdom /tmp/xb.json "$pvh" type)" = pvh
lab_check list-no-report-without-module test "$(jdrv /tmp/xb.json "$nod" status)" = absent
lab_check list-no-report-on-ref-kernel test "$(jdrv /tmp/xb.json "$ref" status)" = absent
lab_check list-driver-report-pv test "$(jdrv /tmp/xb.json "$pv" status)" = valid
lab_check list-driver-report-pvh test "$(jdrv /tmp/xb.json "$pvh" status)" = valid
lab_check list-at-target test "$(jdom /tmp/xb.json "$nod" state)" = at-target

# text and Prometheus carry the same numbers
xballoon list >/tmp/xb.txt; rc=$?
cat /tmp/xb.txt
lab_check list-text-exit-0 test "$rc" = 0
lab_check list-text-has-totals grep -q "^Total .* host total $xi_total, free" /tmp/xb.txt
xballoon list --prometheus >/tmp/xb.prom
lab_check list-prometheus-host-total grep -qx "xballoon_host_total_bytes $(($(jtop /tmp/xb.json host total_kb) * 1024))" /tmp/xb.prom
lab_check list-prometheus-state grep -q "^xballoon_domain_state{domid=\"$nod\",name=\"tsl-nod\",state=\"at-target\"} 1" /tmp/xb.prom
# a filter lists only what was asked, and an unknown name is an error
lab_check list-filter test "$(xballoon list --json tsl-pv tsl-ref | grep -o '"domid":' | wc -l)" = 2
xballoon list nosuchguest >/dev/null 2>&1
lab_check list-unknown-domain-fails test $? = 1
# info agrees with list
xballoon info --json >/tmp/xi.json
lab_check info-reclaimed-sum test "$(grep -o '"reclaimed_kb":[0-9]*' /tmp/xi.json | cut -d: -f2)" = "$(jtop /tmp/xb.json totals reclaimed_kb)"
