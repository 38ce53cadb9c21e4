#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Validate xballoon's real JSON output against docs/schema/ (python3-jsonschema).

Reads lab serial logs (or any text) for lines "XB-JSON <command> <document>"
printed by tests/scenarios/toolstack-packaged.sh, validates each document
against docs/schema/<command>.schema.json (watch: watch-event), and checks
that every command was seen and that the schemas reject a document with
its "version" removed or changed. TAP on stdout.

usage: schema-check.py [--want CMD,CMD...] SCHEMA_DIR LOG...
  --want: the commands that must have been seen (default: all of them)
"""
import glob
import json
import os
import re
import sys

import jsonschema

args = sys.argv[1:]
want = ["list", "info", "mem-set", "mem-max", "wait", "watch", "usage-error"]
if args[:1] == ["--want"]:
    want, args = args[1].split(","), args[2:]
sdir, logs = args[0], args[1:]
store = {}
for f in glob.glob(os.path.join(sdir, "*.schema.json")):
    with open(f) as fh:
        s = json.load(fh)
    store[s["$id"]] = s
    jsonschema.Draft202012Validator.check_schema(s)


def validator(cmd):
    key = "watch-event" if cmd == "watch" else cmd
    s = next(v for k, v in store.items() if k.endswith("/" + key + ".schema.json"))
    try:    # jsonschema >= 4.18 resolves through referencing
        import referencing
        reg = referencing.Registry().with_resources(
            (k, referencing.Resource.from_contents(v)) for k, v in store.items())
        return jsonschema.Draft202012Validator(s, registry=reg)
    except ImportError:     # Debian 12's 4.10
        res = jsonschema.RefResolver(s["$id"], s, store=store)
        return jsonschema.Draft202012Validator(s, resolver=res)


docs = []
pat = re.compile(r"XB-JSON (\S+) (\{.*\})\s*$")
for log in logs:
    with open(log, errors="replace") as fh:
        for line in fh:
            m = pat.search(line.replace("\r", ""))
            if m:
                docs.append((m.group(1), m.group(2)))
out = []
seen = set()
for cmd, text in docs:
    try:
        doc = json.loads(text)
    except ValueError as e:
        out.append((False, "%s: real output is JSON" % cmd, str(e)))
        continue
    errs = sorted(validator(cmd).iter_errors(doc), key=str)
    out.append((not errs, "%s: real output matches docs/schema (%s)" % (cmd, text[:60]),
                "; ".join(e.message for e in errs[:3])))
    if not errs:
        seen.add(cmd)
        # the schema can fail: the same document without or with another version
        for bad in ({k: v for k, v in doc.items() if k != "version"}, dict(doc, version=2)):
            if not list(validator(cmd).iter_errors(bad)):
                out.append((False, "%s: schema rejects a wrong version" % cmd, "accepted"))
missing = [c for c in want if c not in seen]
out.append((not missing, "every command's document seen and valid", "missing: " + " ".join(missing)))
print("1..%d" % len(out))
for i, (ok, name, why) in enumerate(out, 1):
    print(("ok %d - %s" if ok else "not ok %d - %s: " + why.replace("%", "%%")) % (i, name))
