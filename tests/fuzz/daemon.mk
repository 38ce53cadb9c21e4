# SPDX-License-Identifier: GPL-2.0
# xballoond's parsers: xballoond.conf (libinih) and the policy keys.
FUZZERS += fuzz_daemon_conf
fuzz_daemon_conf_SRCS := fuzz_daemon_conf.c ../../toolstack/daemon/config.c \
	../../toolstack/daemon/policy.c ../../toolstack/lib/xb_parse.c \
	../../toolstack/lib/xb_state.c
fuzz_daemon_conf_CFLAGS := -I../../toolstack/daemon $(shell pkg-config --cflags inih)
fuzz_daemon_conf_LDLIBS := $(shell pkg-config --libs inih)
