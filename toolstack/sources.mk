# SPDX-License-Identifier: GPL-2.0
# The toolstack's sources, listed once. Paths are relative to toolstack/;
# includers prefix them with where toolstack/ is (XB_TS).
#   lib/     libxballoon: public header libxballoon.h, everything else private
#   cli/     the xballoon command (uses only lib/libxballoon.h)
#   daemon/  xballoond (uses only lib/libxballoon.h)

XB_TS ?= .
XB_TS_LIB := $(addprefix $(XB_TS)/lib/,xb_parse.c xb_state.c xb_txn.c \
	xb_snapshot.c xb_plan.c xb_set.c xb_wait.c xb_events.c xb_resv.c xb_prom.c)
XB_TS_XEN := $(addprefix $(XB_TS)/lib/,xb_backend_xen.c xb_xs_raw.c)
XB_TS_FAKE := $(XB_TS)/lib/xb_backend_fake.c
# the CLI's own output (JSON, events); Prometheus is the library's
XB_TS_OUT := $(addprefix $(XB_TS)/cli/,xb_json.c xb_out_event.c)
XB_TS_CLI := $(addprefix $(XB_TS)/cli/,xb_cli.c xb_cmdtable.c xb_cmd_list.c \
	xb_cmd_mem.c xb_cmd_watch.c xb_cmd_policy.c xb_cmd_daemon.c xb_cmd_resv.c) $(XB_TS_OUT)
XB_TS_MAIN := $(XB_TS)/cli/xballoon.c
XB_TS_DAEMON_CORE := $(addprefix $(XB_TS)/daemon/,policy.c config.c)
XB_TS_DAEMON := $(XB_TS_DAEMON_CORE) $(addprefix $(XB_TS)/daemon/,audit.c metrics.c metrics_body.c xballoond.c)
XB_TS_HDRS := $(wildcard $(XB_TS)/lib/*.h $(XB_TS)/cli/*.h)
