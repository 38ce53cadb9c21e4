# SPDX-License-Identifier: GPL-2.0
# Reservation records (issue 11), parsed and rewritten through the fake.
FUZZERS += fuzz_ts_resv
fuzz_ts_resv_SRCS := fuzz_ts_resv.c $(XB_TS_LIB) $(XB_TS_FAKE)
