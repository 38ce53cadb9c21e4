#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make bench report: the balancing-policy section of docs/performance.md.
# No lab: bench/policy-sim.c replays one multi-guest memory trace under five
# policies on a model of the host (xballoond's is toolstack/daemon/policy.c
# itself). The serial log argument is not used.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cc -std=gnu11 -O2 -Wall -Wextra -Werror -Itoolstack/daemon -Itoolstack/lib \
	bench/policy-sim.c toolstack/daemon/policy.c toolstack/lib/xb_state.c -lm \
	-o "$tmp/policy-sim"
echo "## Balancing policy: xballoond against a static split, squeezed and qmemman, on one trace"
echo
echo "Not in the lab: \`bench/policy-sim.c\` replays one memory trace of six guests"
echo "(3 hours in 1 s steps, generated from a fixed seed: a web server's wave, a"
echo "batch job of 1.8 GiB every 30 minutes, a growing database, sudden 700 MiB"
echo "spikes, an idle guest, a build's random walk) under five policies on the same"
echo "host model. xballoond is \`toolstack/daemon/policy.c\` itself with the default"
echo "configuration; the squeezed-like and qmemman-like policies are written from"
echo "their documentation (squeezed: every domain at the same fraction of its"
echo "dynamic range, xapi-project's squeezed architecture notes; qmemman: used x"
echo "1.3 per domain, the rest shared in proportion, Qubes' qmemman documentation),"
echo "no code copied. The model: balloons move 1 GiB/s, never below the working"
echo "set, up only into free host memory; with xballoon.ko and maxmem above its size"
echo "a guest short of memory deflates on OOM (borrows) while the host has free"
echo "memory; otherwise the OOM killer runs (one event, and one more every 10 s it"
echo "stays short). Short of need: holding less than the working set plus 64 MiB."
echo "The others run with Linux's driver (no deflate on OOM), as they do in practice."
echo
"$tmp/policy-sim"
echo
echo "Borrowing trades time short of need for OOM kills: without it (last row) the"
echo "borrower's neighbours are not squeezed to restore the reserve, so fewer"
echo "guest-seconds are short, but the guest that needs memory now is killed more often."
echo "The trace itself: \`policy-sim --trace\` prints it as CSV."
