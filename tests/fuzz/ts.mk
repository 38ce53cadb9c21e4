# SPDX-License-Identifier: GPL-2.0
# Toolstack parsers: sizes, xenstore values, driver reports, and the whole
# snapshot -> JSON/Prometheus/plan path fed with hostile xenstore values.
XB_TS := ../../toolstack
include ../../toolstack/sources.mk

FUZZERS += fuzz_ts_size fuzz_ts_xsval fuzz_ts_report fuzz_ts_snapshot
fuzz_ts_size_SRCS := fuzz_ts_size.c $(XB_TS)/lib/xb_parse.c
fuzz_ts_xsval_SRCS := fuzz_ts_xsval.c $(XB_TS)/lib/xb_parse.c
fuzz_ts_report_SRCS := fuzz_ts_report.c $(XB_TS)/lib/xb_parse.c
fuzz_ts_snapshot_SRCS := fuzz_ts_snapshot.c $(XB_TS_LIB) $(XB_TS_FAKE) $(XB_TS_OUT)
fuzz_ts_snapshot_CFLAGS := $(shell pkg-config --cflags yajl)
fuzz_ts_snapshot_LDLIBS := $(shell pkg-config --libs yajl)
