# SPDX-License-Identifier: GPL-2.0
# lab-seconds: 65 (measured in a lab of make check, to balance --labs)
# Invalid requests are rejected with a message and change nothing: neither
# xenstore (memory/target, memory/static-max, /vm/<uuid>/memory) nor Xen's
# maxmem (seen through xentop). A valid request afterwards shows the same
# probes do see a change.

lab_guest tsi-a --type pv --mem 384 --maxmem 512 --kernel xb61 --module || exit 1
lab_guest tsi-b --type pv --mem 384 --maxmem 768 --kernel xb61 --module || exit 1

# everything a request could change, for dom0 and both guests (one xentop
# sample per probe: Xen's maxmem of all three at the same moment)
doms="Domain-0:0 tsi-a:$(xl domid tsi-a) tsi-b:$(xl domid tsi-b)"
state() {
	_top=$(xentop -b -i 1)
	for gd in $doms; do
		g=${gd%:*} d=${gd#*:}
		vm=$(xenstore-read /local/domain/$d/vm 2>/dev/null)
		echo "$g target=$(xenstore-read /local/domain/$d/memory/target 2>/dev/null)" \
			"static-max=$(xenstore-read /local/domain/$d/memory/static-max 2>/dev/null)" \
			"vm-memory=$(xenstore-read $vm/memory 2>/dev/null)" \
			"maxmem=$(echo "$_top" | awk -v n=$g '$1 == n {print $7}')"
	done
}

# reject NAME EXPECTED_MESSAGE xballoon ARGS...: must fail, say why, change nothing
reject() {
	_name=$1 _msg=$2
	shift 2
	before=$(state)
	"$@" >/tmp/rej.out 2>/tmp/rej.err
	_rc=$?
	after=$(state)
	echo "\$ $* -> $_rc: $(head -2 /tmp/rej.err)"
	if [ "$_rc" = 0 ]; then
		lab_fail "$_name" "accepted: $*"
	elif ! grep -q -- "$_msg" /tmp/rej.err; then
		lab_fail "$_name" "no message '$_msg' (stderr: $(head -3 /tmp/rej.err))"
	elif [ "$before" != "$after" ]; then
		lab_fail "$_name" "changed something: before [$before] after [$after]"
	else
		lab_pass "$_name"
	fi
}

state
reject unknown-domain "no such domain" xballoon mem-set nosuchguest 256m
reject above-static-max "above static-max" xballoon mem-set tsi-a 600m
reject not-a-size "not a size" xballoon mem-set tsi-a abc
reject negative-result "below zero" xballoon mem-set tsi-a -5g
reject bad-suffix "suffix" xballoon mem-set tsi-a 5x
reject percent-above-max "above static-max" xballoon mem-set tsi-a 150%
reject mixed-valid-invalid-domains "no such domain" xballoon mem-set tsi-a nosuchguest tsi-b 256m
reject mixed-valid-invalid-sizes "tsi-a (domain .*above static-max" xballoon mem-set tsi-a tsi-b 600m
reject dom0-below-minimum "safe minimum" xballoon mem-set 0 64m
reject fraction "fractions are not accepted" xballoon mem-set tsi-a 0.3g
reject all-none-with-driver-above-max "above static-max" xballoon mem-set --all --include-no-driver 600m
reject mem-max-below-target "below the current target" xballoon mem-max tsi-a 100m
reject all-above-max "above static-max" xballoon mem-set --all 600m
reject usage-no-size "missing DOM or SIZE" xballoon mem-set tsi-a
reject usage-domains-and-all "either" xballoon mem-set --all tsi-a 256m

# --json says the same, in a document
xballoon mem-set --json tsi-a nosuchguest 256m >/tmp/rej.json 2>/dev/null
cat /tmp/rej.json
lab_check rejected-json-applied-false grep -q '"applied":false' /tmp/rej.json
lab_check rejected-json-errors grep -q '"errors":\["nosuchguest: no such domain' /tmp/rej.json
# a usage error with --json: text on stderr, and a JSON document on stdout
xballoon mem-set --json tsi-a >/tmp/use.json 2>/tmp/use.err
rc=$?
cat /tmp/use.json
lab_check usage-error-json-exit-2 test "$rc" = 2
lab_check usage-error-json-document grep -q '^{"version":1,"command":"mem-set","error":"usage","message":"missing DOM or SIZE.*"exit_code":2}$' /tmp/use.json
# the short option too
xballoon mem-set -j tsi-a >/tmp/use.json 2>/dev/null
lab_check usage-error-json-short-option grep -q '^{"version":1,"command":"mem-set","error":"usage"' /tmp/use.json
lab_check usage-error-json-text-too grep -q 'missing DOM or SIZE' /tmp/use.err

# positive control: a valid request changes exactly what the probes look at
before=$(state)
xballoon mem-set tsi-a tsi-b 300m
lab_check valid-request-exit-0 test $? = 0
after=$(state)
echo "$after"
a=$(xl domid tsi-a)
lab_check valid-request-changes-target test "$(xenstore-read /local/domain/$a/memory/target)" = 307200
lab_check valid-request-changes-vm-memory test "$(xenstore-read $(xenstore-read /local/domain/$a/vm)/memory)" = 300
lab_check valid-request-changes-maxmem test "$(xentop -b -i 1 | awk '$1 == "tsi-a" {print $7}')" = $((307200 + 1024))
lab_check valid-request-probes-see-it test "$before" != "$after"

# a bare size is MiB, as xl reads it: both give the same target and maxmem
xballoon mem-set tsi-a 280
xl mem-set tsi-b 280
b=$(xl domid tsi-b)
lab_check bare-size-target-as-xl test "$(xenstore-read /local/domain/$a/memory/target)" = \
	"$(xenstore-read /local/domain/$b/memory/target)"
lab_check bare-size-is-mib test "$(xenstore-read /local/domain/$a/memory/target)" = 286720
top=$(xentop -b -i 1)
lab_check bare-size-maxmem-as-xl test "$(echo "$top" | awk '$1 == "tsi-a" {print $7}')" = \
	"$(echo "$top" | awk '$1 == "tsi-b" {print $7}')"
# relative sizes too: -8 is 8 MiB less
xballoon mem-set tsi-a -8
lab_check relative-bare-size-is-mib test "$(xenstore-read /local/domain/$a/memory/target)" = 278528

# a domain named twice is changed once, and listed once
xballoon list --prometheus tsi-a tsi-a "$a" >/tmp/dup.prom
lab_check named-thrice-one-series test "$(grep -c '^xballoon_domain_target_bytes{.*name="tsi-a"' /tmp/dup.prom)" = 1
xballoon mem-set tsi-a tsi-a 272m >/tmp/dup.out
lab_check named-twice-one-change test "$(grep -c 'target' /tmp/dup.out)" = 1

# a 64-byte name works as an argument, and list prints it whole
long=tsi-b-0123456789abcdef0123456789abcdef0123456789abcdef0123456789
xl rename tsi-b "$long"
lab_check long-name-64-bytes test "${#long}" = 64
xballoon list "$long" >/tmp/long.out
lab_check long-name-list grep -q "^$long " /tmp/long.out
xballoon mem-set "$long" 260m >/dev/null
lab_check long-name-mem-set test "$(xenstore-read /local/domain/$b/memory/target)" = 266240
xl rename "$long" tsi-b
