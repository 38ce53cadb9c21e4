# SPDX-License-Identifier: GPL-2.0
# lab-seconds: 75 (measured in a lab of make check, to balance --labs)
# 200 random target changes (no waiting in between) on a PV and a PVH guest
# of the 6.1 kernel (6.12: driver-612.sh): the guest ends at the last target
# (Xen's view within 1%), and no page is lost: Xen's count plus the driver's
# balloon is static-max plus the offset measured before, to the page.

. ./driver.inc

drv_random_case rndpv pv xb61 12345
drv_random_case rndpvh pvh xb61 54321
