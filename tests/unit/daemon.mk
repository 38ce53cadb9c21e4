# SPDX-License-Identifier: GPL-2.0
# xballoond's policy (pure code) and its simulator.
TESTS += test_daemon_policy
test_daemon_policy_SRCS := test_daemon_policy.c ../../toolstack/daemon/policy.c \
	../../toolstack/lib/xb_state.c
test_daemon_policy_CFLAGS := -I../../toolstack/daemon
# xballoond.conf (libinih) and the policy keys
TESTS += test_daemon_config
test_daemon_config_SRCS := test_daemon_config.c ../../toolstack/daemon/config.c \
	../../toolstack/daemon/policy.c ../../toolstack/lib/xb_parse.c \
	../../toolstack/lib/xb_state.c
test_daemon_config_CFLAGS := -I../../toolstack/daemon $(shell pkg-config --cflags inih)
test_daemon_config_LDLIBS := $(shell pkg-config --libs inih)
# the daemon's JSON (audit line, status file) and --metrics address
TESTS += test_daemon_audit
test_daemon_audit_SRCS := test_daemon_audit.c ../../toolstack/daemon/audit.c \
	../../toolstack/daemon/metrics.c ../../toolstack/daemon/config.c \
	../../toolstack/daemon/policy.c ../../toolstack/lib/xb_parse.c \
	../../toolstack/lib/xb_state.c
test_daemon_audit_CFLAGS := -I../../toolstack/daemon $(shell pkg-config --cflags inih yajl libmicrohttpd)
test_daemon_audit_LDLIBS := $(shell pkg-config --libs inih yajl libmicrohttpd)
# the /metrics body: exactly list --prometheus (the library's), then the daemon's
XB_TS := ../../toolstack
include ../../toolstack/sources.mk
TESTS += test_daemon_metrics
test_daemon_metrics_SRCS := test_daemon_metrics.c ../../toolstack/daemon/metrics_body.c \
	$(XB_TS_LIB) $(XB_TS_FAKE) $(XB_TS_CLI) ../../xenstore-watch/xsw.c
test_daemon_metrics_CFLAGS := -I../../toolstack/daemon $(shell pkg-config --cflags yajl xenstore inih)
test_daemon_metrics_LDLIBS := $(shell pkg-config --libs yajl xenstore) -lpthread
