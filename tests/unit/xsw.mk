# SPDX-License-Identifier: GPL-2.0
# xenstore-watch unit tests, against fake xenstore ops.
TESTS += test_xsw
test_xsw_SRCS := test_xsw.c ../../xenstore-watch/xsw.c
test_xsw_CFLAGS := $(shell pkg-config --cflags xenstore)
test_xsw_LDLIBS := $(shell pkg-config --libs xenstore)
