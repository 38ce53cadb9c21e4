# SPDX-License-Identifier: GPL-2.0
# Toolstack unit tests (libxballoon against the fake backend, CLI output).
TS_LIB := ../../toolstack/xb_parse.c ../../toolstack/xb_state.c \
	../../toolstack/xb_lib.c ../../toolstack/xb_backend_fake.c
TS_OUT := ../../toolstack/xb_json.c ../../toolstack/xb_events.c
TS_CLI := ../../toolstack/xb_cli.c ../../toolstack/xb_cmdtable.c \
	../../toolstack/xb_cmd_list.c ../../toolstack/xb_cmd_mem.c \
	../../toolstack/xb_cmd_watch.c ../../xenstore-watch/xsw.c

TESTS += test_ts_parse test_ts_lib test_ts_cli
test_ts_parse_SRCS := test_ts_parse.c ../../toolstack/xb_parse.c
test_ts_lib_SRCS := test_ts_lib.c $(TS_LIB)
test_ts_cli_SRCS := test_ts_cli.c $(TS_LIB) $(TS_OUT) $(TS_CLI)
test_ts_cli_CFLAGS := $(shell pkg-config --cflags yajl xenstore)
test_ts_cli_LDLIBS := $(shell pkg-config --libs yajl xenstore) -lpthread
