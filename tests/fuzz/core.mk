# SPDX-License-Identifier: GPL-2.0
# Fuzz targets of the guest driver's core: the memory/target parser, and the
# report formatter checked by a strict reader of the documented format.
FUZZERS += fuzz_core_target fuzz_core_report fuzz_core_psi
fuzz_core_target_SRCS := fuzz_core_target.c ../../core/xb_target.c \
	../../core/xb_policy.c ../../core/xb_report.c
fuzz_core_report_SRCS := fuzz_core_report.c ../unit/core_report_parse.c \
	../../core/xb_target.c ../../core/xb_policy.c ../../core/xb_report.c
fuzz_core_report_CFLAGS := -I../unit
fuzz_core_psi_SRCS := fuzz_core_psi.c ../../core/xb_target.c \
	../../core/xb_policy.c ../../core/xb_report.c
