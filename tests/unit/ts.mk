# SPDX-License-Identifier: GPL-2.0
# Toolstack unit tests (libxballoon against the fake backend, CLI output).
XB_TS := ../../toolstack
include ../../toolstack/sources.mk

TESTS += test_ts_parse test_ts_lib test_ts_cli test_ts_report
test_ts_parse_SRCS := test_ts_parse.c $(XB_TS)/lib/xb_parse.c
test_ts_lib_SRCS := test_ts_lib.c $(XB_TS_LIB) $(XB_TS_FAKE)
test_ts_cli_SRCS := test_ts_cli.c $(XB_TS_LIB) $(XB_TS_FAKE) $(XB_TS_CLI) \
	../../xenstore-watch/xsw.c
test_ts_cli_CFLAGS := $(shell pkg-config --cflags yajl xenstore)
test_ts_cli_LDLIBS := $(shell pkg-config --libs yajl xenstore) -lpthread
# the report contract: core/ writes it (the driver), lib/ reads it (dom0)
test_ts_report_SRCS := test_ts_report.c ts_report_core.c $(XB_TS)/lib/xb_parse.c \
	../../core/xb_report.c ../../core/xb_policy.c
# the ABI rule: no arrays in libxballoon.h; reports through accessors
TESTS += test_ts_abi
test_ts_abi_SRCS := test_ts_abi.c $(XB_TS_LIB) $(XB_TS_FAKE)
test_ts_abi_CFLAGS := -DXB_PUBLIC_HEADER='"$(abspath $(XB_TS)/lib/libxballoon.h)"'
# the batched reader on xenstored's socket, against a fake xenstored
TESTS += test_xs_raw
test_xs_raw_SRCS := test_xs_raw.c $(XB_TS)/lib/xb_xs_raw.c
test_xs_raw_LDLIBS := -lpthread
