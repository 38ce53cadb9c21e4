// SPDX-License-Identifier: GPL-2.0
/*
 * xballoon daemon-status: what xballoond is doing. The daemon writes its
 * status document atomically to RUN_DIR/status.json after every decision
 * (docs/operator-guide.md); whether it runs is its lock, RUN_DIR/xballoond.lock
 * (held by a live daemon, released by the kernel on any exit, kill -9
 * included), not the file's age. The document is parsed with yajl and
 * checked for the fields shown; --json re-emits it (never copied as text)
 * inside {"version", "running", "pid", "status"}.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "xb_cli.h"

#define RUN_DIR "/run/xballoon"
#define STATUS_MAX (4u << 20)	/* bytes of status read at most */

/* Is a daemon holding the lock? *pid_r from the file (0 if unreadable). */
static bool daemon_running(const char *dir, long *pid_r)
{
	char path[4096], buf[32];
	ssize_t r;
	bool held = false;
	int fd;

	*pid_r = 0;
	snprintf(path, sizeof(path), "%s/xballoond.lock", dir);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	if (flock(fd, LOCK_SH | LOCK_NB))
		held = errno == EWOULDBLOCK;
	else
		flock(fd, LOCK_UN);
	r = read(fd, buf, sizeof(buf) - 1);
	buf[r > 0 ? r : 0] = '\0';
	*pid_r = strtol(buf, NULL, 10);
	close(fd);
	return held;
}

static char *read_file(const char *path, size_t *len_r)
{
	size_t cap = 65536, len = 0;
	char *buf = malloc(cap + 1);
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || !buf) {
		free(buf);
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	for (;;) {
		ssize_t r;

		if (len == cap) {
			char *nb;

			if (cap >= STATUS_MAX) {
				errno = EFBIG;
				goto fail;
			}
			cap *= 2;
			nb = realloc(buf, cap + 1);
			if (!nb)
				goto fail;
			buf = nb;
		}
		r = read(fd, buf + len, cap - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			goto fail;
		if (r == 0)
			break;
		len += (size_t)r;
	}
	close(fd);
	buf[len] = '\0';
	*len_r = len;
	return buf;
fail:
	close(fd);
	free(buf);
	return NULL;
}

/* The value at KEY of object V, NULL when absent. */
static yajl_val get(yajl_val v, const char *key)
{
	const char *path[] = { key, NULL };

	return v ? yajl_tree_get(v, path, yajl_t_any) : NULL;
}

static uint64_t get_u64(yajl_val v, const char *key)
{
	yajl_val x = get(v, key);

	return x && YAJL_IS_INTEGER(x) && YAJL_GET_INTEGER(x) > 0 ?
	       (uint64_t)YAJL_GET_INTEGER(x) : 0;
}

static const char *get_str(yajl_val v, const char *key, const char *dflt)
{
	yajl_val x = get(v, key);

	return x && YAJL_IS_STRING(x) ? YAJL_GET_STRING(x) : dflt;
}

static bool get_bool(yajl_val v, const char *key)
{
	return YAJL_IS_TRUE(get(v, key));
}

static const char *mib(uint64_t kb, char *buf, size_t len)
{
	snprintf(buf, len, "%" PRIu64, kb / 1024);
	return buf;
}

static void print_text(FILE *f, bool running, long pid, yajl_val st)
{
	yajl_val c = get(st, "counters"), cfg = get(st, "config");
	yajl_val doms = get(st, "domains");
	char b[7][24];

	if (running)
		fprintf(f, "xballoond: running (pid %ld), %s\n", pid,
			get_str(st, "state", "starting"));
	else
		fprintf(f, "xballoond: not running%s\n",
			st ? "; its last status follows" : "");
	if (!st)
		return;
	if (cfg)
		fprintf(f, "config: %s; reserve %s MiB, margin %s MiB, headroom %s MiB\n",
			get_str(cfg, "path", "(defaults)"),
			mib(get_u64(cfg, "reserve_kb"), b[0], sizeof(b[0])),
			mib(get_u64(cfg, "margin_kb"), b[1], sizeof(b[1])),
			mib(get_u64(cfg, "headroom_kb"), b[2], sizeof(b[2])));
	if (c)
		fprintf(f, "decisions %" PRIu64 ", changes %" PRIu64 ", failures %" PRIu64
			", reloads %" PRIu64 " (%" PRIu64 " refused), reconnects %" PRIu64 "\n",
			get_u64(c, "decisions"), get_u64(c, "changes"), get_u64(c, "failures"),
			get_u64(c, "reloads"), get_u64(c, "reload_failures"),
			get_u64(c, "reconnects"));
	{
		time_t t = (time_t)(get_u64(st, "updated_ms") / 1000);
		struct tm tm;
		char when[32] = "?";

		if (t && gmtime_r(&t, &tm))
			strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm);
		fprintf(f, "updated %s; host free %s MiB\n", when,
			mib(get_u64(st, "host_free_kb"), b[0], sizeof(b[0])));
	}
	if (!doms || !YAJL_IS_ARRAY(doms))
		return;
	fprintf(f, "%-20s %5s %7s %7s %7s %7s %7s %8s %6s %-15s %s\n", "Name", "ID",
		"Target", "Actual", "Need", "Margin", "Borrow", "Headroom", "PSI",
		"Reason", "Last change");
	for (size_t i = 0; i < doms->u.array.len; i++) {
		yajl_val d = doms->u.array.values[i], l = get(d, "last_decision");
		yajl_val psi = get(d, "psi_some_avg10");
		bool managed = get_bool(d, "managed");
		char last[96] = "-", name[40];

		if (l && YAJL_IS_OBJECT(l))
			snprintf(last, sizeof(last), "%s -> %s MiB (%s)%s",
				 mib(get_u64(l, "old_kb"), b[5], sizeof(b[5])),
				 mib(get_u64(l, "new_kb"), b[6], sizeof(b[6])),
				 get_str(l, "reason", "?"),
				 get_bool(l, "failed") ? " FAILED" : "");
		xballoon_xs_name(get_str(d, "name", ""), strlen(get_str(d, "name", "")),
				 name, sizeof(name));
		fprintf(f, "%-20s %5" PRIu64 " %7s %7s %7s %7s %7s %8s %6s %-15s %s\n",
			name, get_u64(d, "domid"),
			mib(get_u64(d, "target_kb"), b[0], sizeof(b[0])),
			mib(get_u64(d, "tot_kb"), b[1], sizeof(b[1])),
			managed ? mib(get_u64(d, "need_kb"), b[2], sizeof(b[2])) : "-",
			managed ? mib(get_u64(d, "margin_kb"), b[3], sizeof(b[3])) : "-",
			mib(get_u64(d, "borrow_kb"), b[4], sizeof(b[4])),
			managed ? mib(get_u64(d, "headroom_kb"), b[5], sizeof(b[5])) : "-",
			psi && YAJL_IS_NUMBER(psi) ? psi->u.number.r : "-",
			get_bool(d, "uncooperative") ? "UNCOOPERATIVE" :
			get_str(d, "reason", "?"), last);
	}
}

static const struct option daemon_opts[] = {
	{ "json", no_argument, NULL, 'j' },
	{ "run-dir", required_argument, NULL, 'r' },
	{ NULL, 0, NULL, 0 },
};

int xb_cmd_daemon_status(struct xb_cli *cli, int argc, char **argv)
{
	const char *dir = RUN_DIR;
	char path[4096], errbuf[256] = "";
	yajl_val st = NULL;
	bool json = cli->json, running;
	char *text = NULL;
	size_t len = 0;
	long pid;
	int opt;

	while ((opt = getopt_long(argc, argv, "jr:", daemon_opts, NULL)) != -1) {
		switch (opt) {
		case 'j': json = true; break;
		case 'r': dir = optarg; break;
		default: return xb_usage_error(cli, "daemon-status", "bad arguments");
		}
	}
	if (optind != argc)
		return xb_usage_error(cli, "daemon-status", "no arguments expected");
	if (strlen(dir) > sizeof(path) - 32)
		return xb_usage_error(cli, "daemon-status", "run directory name too long");
	running = daemon_running(dir, &pid);
	snprintf(path, sizeof(path), "%s/status.json", dir);
	text = read_file(path, &len);
	if (text) {
		st = yajl_tree_parse(text, errbuf, sizeof(errbuf));
		if (!st || !YAJL_IS_OBJECT(st) ||
		    get_u64(st, "version") != XB_JSON_VERSION) {
			fprintf(cli->err, "xballoon daemon-status: %s: not a status document%s%s\n",
				path, errbuf[0] ? ": " : "", errbuf);
			yajl_tree_free(st);
			st = NULL;
		}
	} else if (errno != ENOENT) {
		fprintf(cli->err, "xballoon daemon-status: %s: %s\n", path, strerror(errno));
	}
	free(text);
	/* a status whose pid is not the lock holder's is an old daemon's */
	if (json) {
		yajl_gen g = xb_json_new();

		if (!g) {
			yajl_tree_free(st);
			return XB_EXIT_ERROR;
		}
		yajl_gen_map_open(g);
		xb_json_u64(g, "version", XB_JSON_VERSION);
		xb_json_str(g, "command", "daemon-status");
		xb_json_key(g, "running");
		yajl_gen_bool(g, running);
		xb_json_key(g, "pid");
		if (running && pid > 0)
			yajl_gen_integer(g, pid);
		else
			yajl_gen_null(g);
		xb_json_key(g, "status");
		xb_json_tree(g, st);
		yajl_gen_map_close(g);
		xb_json_flush(g, cli->out);
		yajl_gen_free(g);
	} else {
		print_text(cli->out, running, pid, st);
	}
	yajl_tree_free(st);
	return running ? XB_EXIT_OK : XB_EXIT_ERROR;
}
