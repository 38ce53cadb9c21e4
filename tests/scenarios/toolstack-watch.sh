# SPDX-License-Identifier: GPL-2.0
# lab-seconds: 45 (measured in a lab of make check, to balance --labs)
# xballoon watch --json records a mem-set sequence's events in order, sees
# domains appear and leave (@introduceDomain / @releaseDomain), and keeps
# working after they do.

lab_guest tsv1 --type pv --mem 512 --kernel xb61 --module || exit 1
d1=$(lab_domid tsv1)

xballoon watch --json >/tmp/watch.jsonl 2>/tmp/watch.err &
wpid=$!
lab_check watch-starts-with-domains lab_until 20 grep -q "\"event\":\"domain-new\",\"domid\":$d1," /tmp/watch.jsonl

for m in 400 300 450; do
	xballoon mem-set tsv1 ${m}m --wait --timeout 60 >/dev/null 2>&1
	sleep 1.5
done
lab_guest tsv2 --type pvh --mem 256 --kernel xb61 || exit 1
d2=$(lab_domid tsv2)
sleep 2
xballoon mem-set tsv2 200m >/dev/null
sleep 2
lab_destroy tsv2
sleep 3
# after a domain left, events still flow
xballoon mem-set tsv1 350m --wait --timeout 60 >/dev/null 2>&1
sleep 2
kill -0 $wpid 2>/dev/null
lab_check watch-survives-domains-coming-and-going test $? = 0
kill $wpid
wait $wpid
lab_check watch-exits-cleanly-on-sigterm test $? = 0
cat /tmp/watch.err
grep -v '"domain-new"' /tmp/watch.jsonl | head -40

targets=$(grep "\"event\":\"target\",\"domid\":$d1," /tmp/watch.jsonl |
	grep -o '"new_kb":[0-9]*' | cut -d: -f2 | tr '\n' ' ')
lab_check watch-target-sequence-in-order test "$targets" = "409600 307200 460800 358400 "

# tsv2: appeared, got its target, left: in that order (a tick may see the
# domain before libxl wrote its keys, so more target events may come first)
seq2=$(grep "\"domid\":$d2," /tmp/watch.jsonl | sed -n \
	-e 's/.*"event":"\(domain-new\|domain-gone\)".*/\1/p' \
	-e 's/.*"event":"target".*"new_kb":\([0-9]*\).*/target:\1/p' | tr '\n' ' ')
echo "tsv2 events: $seq2"
case $seq2 in
"domain-new "*"target:204800 "*"domain-gone ") lab_pass watch-domain-lifecycle-in-order ;;
*) lab_fail watch-domain-lifecycle-in-order "events for tsv2: $seq2" ;;
esac

# tsv1 passed through converging back to at-target at least once
lab_check watch-state-events grep -q "\"event\":\"state\",\"domid\":$d1,.*\"new\":\"at-target\"" /tmp/watch.jsonl

# every line is one JSON object, timestamps never go back
bad=$(grep -cv '^{"version":1,"ts_ms":[0-9]*,"event":"[a-z-]*".*}$' /tmp/watch.jsonl)
lab_check watch-one-object-per-line test "$bad" = 0
lab_check watch-timestamps-monotonic sh -c "grep -o '^{\"version\":1,\"ts_ms\":[0-9]*' /tmp/watch.jsonl | cut -d: -f3 | sort -c -n"

# text mode, bounded by --duration
xballoon watch --duration 2 >/tmp/watch.txt 2>&1
lab_check watch-duration-exit-0 test $? = 0
lab_check watch-text-lines grep -q "domain-new  tsv1($d1) pv max 512M" /tmp/watch.txt
