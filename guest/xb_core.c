// SPDX-License-Identifier: GPL-2.0
/*
 * The freestanding core (../core), compiled into the module unchanged: the
 * same files are unit-tested in userspace (tests/unit/core.mk).
 */
#include "../core/xb_target.c"
#include "../core/xb_policy.c"
#include "../core/xb_report.c"
