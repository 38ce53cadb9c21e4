# SPDX-License-Identifier: GPL-2.0
# xballoond's parsers: xballoond.conf (libinih) and the policy keys.
FUZZERS += fuzz_daemon_conf
fuzz_daemon_conf_SRCS := fuzz_daemon_conf.c ../../toolstack/daemon/config.c \
	../../toolstack/daemon/policy.c ../../toolstack/lib/xb_parse.c \
	../../toolstack/lib/xb_state.c
fuzz_daemon_conf_CFLAGS := -I../../toolstack/daemon $(shell pkg-config --cflags inih)
fuzz_daemon_conf_LDLIBS := $(shell pkg-config --libs inih)

# xballoond --metrics IPv4:PORT
FUZZERS += fuzz_daemon_metrics_addr
fuzz_daemon_metrics_addr_SRCS := fuzz_daemon_metrics_addr.c ../../toolstack/daemon/metrics.c
fuzz_daemon_metrics_addr_CFLAGS := -I../../toolstack/daemon $(shell pkg-config --cflags libmicrohttpd)
fuzz_daemon_metrics_addr_LDLIBS := $(shell pkg-config --libs libmicrohttpd)
