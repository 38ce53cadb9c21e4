# SPDX-License-Identifier: GPL-2.0
# lab-seconds: 50 (measured in a lab of make check, to balance --labs)
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
reject named-twice "more than once" xballoon mem-set tsi-a tsi-a 256m
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
lab_check usage-error-json-document grep -q '^{"command":"mem-set","error":"usage","message":"missing DOM or SIZE.*"exit_code":2}$' /tmp/use.json
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
