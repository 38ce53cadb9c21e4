# SPDX-License-Identifier: GPL-2.0
# Toolstack parsers: sizes, xenstore values, driver reports, and the whole
# snapshot -> JSON/Prometheus/plan path fed with hostile xenstore values.
FUZZERS += fuzz_ts_size fuzz_ts_xsval fuzz_ts_report fuzz_ts_snapshot
fuzz_ts_size_SRCS := fuzz_ts_size.c ../../toolstack/xb_parse.c
fuzz_ts_xsval_SRCS := fuzz_ts_xsval.c ../../toolstack/xb_parse.c
fuzz_ts_report_SRCS := fuzz_ts_report.c ../../toolstack/xb_parse.c
fuzz_ts_snapshot_SRCS := fuzz_ts_snapshot.c ../../toolstack/xb_parse.c \
	../../toolstack/xb_state.c ../../toolstack/xb_lib.c \
	../../toolstack/xb_backend_fake.c ../../toolstack/xb_json.c \
	../../toolstack/xb_events.c
fuzz_ts_snapshot_CFLAGS := $(shell pkg-config --cflags yajl)
fuzz_ts_snapshot_LDLIBS := $(shell pkg-config --libs yajl)
