# SPDX-License-Identifier: GPL-2.0
# Unit tests of the guest driver's freestanding core (core/).
CORE_SRCS := ../../core/xb_target.c ../../core/xb_policy.c ../../core/xb_report.c

TESTS += test_core_target test_core_policy test_core_report test_core_companion \
	test_core_grow test_core_others
test_core_target_SRCS := test_core_target.c $(CORE_SRCS)
test_core_policy_SRCS := test_core_policy.c $(CORE_SRCS)
test_core_report_SRCS := test_core_report.c core_report_parse.c $(CORE_SRCS)
test_core_companion_SRCS := test_core_companion.c $(CORE_SRCS)
test_core_grow_SRCS := test_core_grow.c core_report_parse.c $(CORE_SRCS)
test_core_others_SRCS := test_core_others.c $(CORE_SRCS)
