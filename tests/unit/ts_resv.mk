# SPDX-License-Identifier: GPL-2.0
# Reservations (issue 11): records, claims, who gives, reserve/release/create.
TESTS += test_ts_resv
test_ts_resv_SRCS := test_ts_resv.c $(XB_TS_LIB) $(XB_TS_FAKE) $(XB_TS_CLI) \
	../../xenstore-watch/xsw.c
test_ts_resv_CFLAGS := $(shell pkg-config --cflags yajl xenstore)
test_ts_resv_LDLIBS := $(shell pkg-config --libs yajl xenstore) -lpthread
