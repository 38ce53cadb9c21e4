# SPDX-License-Identifier: GPL-2.0
# xballoond's policy (pure code) and its simulator.
TESTS += test_daemon_policy
test_daemon_policy_SRCS := test_daemon_policy.c ../../toolstack/daemon/policy.c \
	../../toolstack/lib/xb_state.c
test_daemon_policy_CFLAGS := -I../../toolstack/daemon
