# SPDX-License-Identifier: GPL-2.0
# lab-seconds: 25 (measured in a lab of 3 toolstack scenarios)
# The toolstack as installed from the Debian packages (make check builds them
# and the lab unpacks xballoon and libxballoon1 into dom0): the xballoon on
# PATH is the packaged one and runs on the packaged libxballoon.so.1;
# docs/example.c, built against the packaged libxballoon-dev with pkg-config,
# runs in dom0 and sees what xballoon list sees. Every command's JSON document
# is printed as one "XB-JSON <command> <document>" line: tests/schema-check.sh
# validates them against docs/schema/ on the host, from the serial log.

if [ ! -f /lab/packaged ]; then
	lab_log "no packages in this dom0 (XB_DEB_DIR unset): build-tree toolstack"
	lab_pass packaged-skipped "run with XB_DEB_DIR=out/deb (make check does)"
else
	lab_log "packages: $(tr '\n' ' ' </lab/packaged)"
	lab_check packaged-cli-on-path test "$(command -v xballoon)" = /usr/bin/xballoon
	lab_check packaged-no-build-tree-cli test ! -e /usr/local/bin/xballoon
fi

lab_guest tsp-a --type pv --mem 384 --maxmem 512 --kernel xb61 --module || exit 1
a=$(lab_domid tsp-a)
sleep 2	# a first driver report

# json CMD ARGS...: run xballoon CMD --json ARGS, print its document on one line
json() {
	_c=$1
	shift
	xballoon "$_c" --json "$@" >/tmp/xbj.out 2>/tmp/xbj.err
	_rc=$?
	# JSON strings escape their newlines: dropping raw ones keeps the document
	if [ "$_c" = watch ]; then
		while IFS= read -r _l; do echo "XB-JSON watch $_l"; done </tmp/xbj.out
	else
		echo "XB-JSON $_c $(tr -d '\n' </tmp/xbj.out)"
	fi
	return $_rc
}

json list; lab_check packaged-list-exit-0 test $? = 0
json info; lab_check packaged-info-exit-0 test $? = 0
json mem-set tsp-a 320; lab_check packaged-mem-set-exit-0 test $? = 0
json wait --timeout 60 tsp-a; lab_check packaged-wait-exit-0 test $? = 0
json mem-set --wait --timeout 60 tsp-a 352; lab_check packaged-mem-set-wait-exit-0 test $? = 0
json mem-max tsp-a 512; lab_check packaged-mem-max-exit-0 test $? = 0
# a rejected request has a document too (above static-max: exit 1)
json mem-set tsp-a 4g; lab_check packaged-mem-set-rejected-exit-1 test $? = 1
# a bad command line: a usage document (exit 2)
xballoon mem-set --json --no-such-option >/tmp/xbj.out 2>/dev/null
rc=$?
echo "XB-JSON usage-error $(tr -d '\n' </tmp/xbj.out)"
lab_check packaged-usage-exit-2 test "$rc" = 2
# events while a target moves: the target once watch has shown the domains
( lab_until 8 grep -q '"event":"domain-new"' /tmp/xbj.out; xballoon mem-set tsp-a 384 >/dev/null 2>&1 ) &
json watch --duration 10; lab_check packaged-watch-exit-0 test $? = 0
wait
lab_check packaged-watch-saw-target grep -q '"event":"target"' /tmp/xbj.out

# the example: built with pkg-config against the packaged -dev files
if [ -x /lab/example ]; then
	/lab/example >/tmp/ex.out 2>/tmp/ex.err
	rc=$?
	cat /tmp/ex.out
	lab_check packaged-example-exit-0 test "$rc" = 0
	lab_check packaged-example-sees-dom0 grep -q '^0 Domain-0 ' /tmp/ex.out
	lab_check packaged-example-sees-guest grep -q "^$a tsp-a " /tmp/ex.out
fi
lab_destroy tsp-a
