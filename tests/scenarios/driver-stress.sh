# SPDX-License-Identifier: GPL-2.0
# lab-seconds: 100 (118 s measured with a second boot per guest, which is gone)
# Guest pressure and the floor: 600 MiB written to tmpfs needs more than the target
# leaves; the workload is not OOM-killed, memory comes back from the balloon
# and the state says so; afterwards the driver returns to the target. A target
# below the floor stops at the floor, state at-floor.
#
# The target is set with `xballoon mem-set --keep-maxmem`: a plain `xl
# mem-set` (or `xballoon mem-set`) also lowers maxmem to the target, after
# which Xen refuses any page above it and deflating under pressure is
# impossible (see docs/driver.md, "OOM policy").

. ./driver.inc

for t in pv pvh; do
	drv_stress_case "st$t" "$t" xb61
done
