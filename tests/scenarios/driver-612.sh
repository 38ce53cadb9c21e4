# SPDX-License-Identifier: GPL-2.0
# lab-seconds: 300 (estimate: driver-random and driver-stress on 6.12, and
# the notifier-only case)
# The 6.12 kernel under the same load as 6.1: 200 random targets (PV, PVH)
# and pressure with the floor (PV, PVH). Then the OOM notifier apart from the
# shrinker: with the shrinker offering nothing (lab parameter inject=8), a
# workload that needs more than the target leaves must still run without an
# OOM kill, saved by the notifier alone.

. ./driver.inc

drv_random_case r12pv pv xb612 12345
drv_random_case r12pvh pvh xb612 54321
drv_stress_case s12pv pv xb612
drv_stress_case s12pvh pvh xb612
drv_stress_case oomnpv pv xb61 notifier
