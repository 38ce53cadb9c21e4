// SPDX-License-Identifier: GPL-2.0
/* xenstore-watch against fake xenstore ops: coalescing, bounds, re-arm, shutdown. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <xenstore.h>

#include "xsw.h"

#define QMAX 20000

/* A fake xenstore connection: armed watches and a queue of fired events. */
struct fake_xs {
	char *armed[64][2];
	int n_armed, watch_calls, unwatch_calls;
	char *q[QMAX][2];
	int qhead, qtail;
	bool fail_watch, fail_check;
};

static int f_watch(void *xs, const char *path, const char *token)
{
	struct fake_xs *f = xs;

	f->watch_calls++;
	if (f->fail_watch) {
		errno = EACCES;
		return 0;
	}
	for (int i = 0; i < f->n_armed; i++)
		if (!strcmp(f->armed[i][0], path) && !strcmp(f->armed[i][1], token))
			return 1;	/* re-arm of a live watch */
	f->armed[f->n_armed][0] = strdup(path);
	f->armed[f->n_armed][1] = strdup(token);
	f->n_armed++;
	return 1;
}

static int f_unwatch(void *xs, const char *path, const char *token)
{
	struct fake_xs *f = xs;

	f->unwatch_calls++;
	for (int i = 0; i < f->n_armed; i++) {
		if (strcmp(f->armed[i][0], path) || strcmp(f->armed[i][1], token))
			continue;
		free(f->armed[i][0]);
		free(f->armed[i][1]);
		f->armed[i][0] = f->armed[f->n_armed - 1][0];
		f->armed[i][1] = f->armed[f->n_armed - 1][1];
		f->n_armed--;
		return 1;
	}
	errno = ENOENT;
	return 0;
}

static int f_fileno(void *xs)
{
	(void)xs;
	return 42;
}

static char **f_check_watch(void *xs)
{
	struct fake_xs *f = xs;
	size_t lp, lt;
	char **vec;

	if (f->fail_check) {
		errno = EIO;
		return NULL;
	}
	if (f->qhead == f->qtail) {
		errno = EAGAIN;
		return NULL;
	}
	/* like libxenstore: one allocation holding the vector and strings */
	lp = strlen(f->q[f->qhead][0]) + 1;
	lt = strlen(f->q[f->qhead][1]) + 1;
	vec = malloc(2 * sizeof(char *) + lp + lt);
	vec[XS_WATCH_PATH] = (char *)(vec + 2);
	vec[XS_WATCH_TOKEN] = vec[XS_WATCH_PATH] + lp;
	memcpy(vec[XS_WATCH_PATH], f->q[f->qhead][0], lp);
	memcpy(vec[XS_WATCH_TOKEN], f->q[f->qhead][1], lt);
	free(f->q[f->qhead][0]);
	free(f->q[f->qhead][1]);
	f->qhead++;
	return vec;
}

static const struct xsw_ops fake_ops = {
	.watch = f_watch, .unwatch = f_unwatch, .fileno = f_fileno,
	.check_watch = f_check_watch,
};

static void fire(struct fake_xs *f, const char *path, const char *token)
{
	assert_true(f->qtail < QMAX);
	f->q[f->qtail][0] = strdup(path);
	f->q[f->qtail][1] = strdup(token);
	f->qtail++;
}

static int setup(void **state)
{
	*state = calloc(1, sizeof(struct fake_xs));
	return 0;
}

static void free_fake(struct fake_xs *f)
{
	for (int i = 0; i < f->n_armed; i++) {
		free(f->armed[i][0]);
		free(f->armed[i][1]);
	}
	for (int i = f->qhead; i < f->qtail; i++) {
		free(f->q[i][0]);
		free(f->q[i][1]);
	}
	f->n_armed = 0;
	f->qhead = f->qtail = 0;
}

static int teardown(void **state)
{
	free_fake(*state);
	free(*state);
	return 0;
}

/* Pop one event and compare. */
static void expect(struct xsw *w, const char *path, const char *token)
{
	char *p, *t;

	assert_int_equal(xsw_next(w, &p, &t), 1);
	assert_string_equal(p, path);
	assert_string_equal(t, token);
	free(p);
	free(t);
}

static void test_coalesce_in_order(void **state)
{
	struct fake_xs *f = *state;
	struct xsw *w = xsw_open(&fake_ops, f, 16);
	struct xsw_stats st;
	char *p, *t;

	assert_non_null(w);
	assert_int_equal(xsw_fd(w), 42);
	assert_int_equal(xsw_add(w, "@introduceDomain", "intro"), 0);
	assert_int_equal(xsw_add(w, "@releaseDomain", "release"), 0);
	assert_int_equal(xsw_add(w, "/local/domain/1/data", "d1"), 0);
	assert_int_equal(xsw_add(w, "/local/domain/1/data", "d1"), 0);	/* once */
	assert_int_equal(f->n_armed, 3);
	/* a burst: 1000 writes to one key, interleaved with others */
	for (int i = 0; i < 1000; i++)
		fire(f, "/local/domain/1/data/xballoon/report", "d1");
	fire(f, "@introduceDomain", "intro");
	fire(f, "/local/domain/1/data/xballoon/report", "d1");
	fire(f, "@releaseDomain", "release");
	fire(f, "/local/domain/7/x", "not-ours");		/* stale token */
	assert_int_equal(xsw_drain(w), 1004);
	assert_int_equal(xsw_pending(w), 3);
	expect(w, "/local/domain/1/data/xballoon/report", "d1");	/* first seen first */
	expect(w, "@introduceDomain", "intro");
	expect(w, "@releaseDomain", "release");
	assert_int_equal(xsw_next(w, &p, &t), 0);
	xsw_get_stats(w, &st);
	assert_int_equal(st.read, 1004);
	assert_int_equal(st.coalesced, 1000);
	assert_int_equal(st.dropped, 0);
	/* after delivery the same path is new again */
	fire(f, "/local/domain/1/data/xballoon/report", "d1");
	assert_int_equal(xsw_drain(w), 1);
	expect(w, "/local/domain/1/data/xballoon/report", "d1");
	xsw_close(w);
	assert_int_equal(f->n_armed, 0);	/* clean shutdown unwatches all */
}

static void test_bounded_overflow(void **state)
{
	struct fake_xs *f = *state;
	struct xsw *w = xsw_open(&fake_ops, f, 8);
	struct xsw_stats st;
	char path[64], *p, *t;

	assert_int_equal(xsw_add(w, "/local/domain", "all"), 0);
	/* many distinct paths (a guest creating keys): the set stays bounded */
	for (int i = 0; i < 5000; i++) {
		snprintf(path, sizeof(path), "/local/domain/3/data/k%d", i);
		fire(f, path, "all");
	}
	assert_int_equal(xsw_drain(w), 5000);
	assert_int_equal(xsw_pending(w), 1);		/* just the overflow */
	expect(w, XSW_OVERFLOW_TOKEN, XSW_OVERFLOW_TOKEN);
	assert_int_equal(xsw_next(w, &p, &t), 0);
	xsw_get_stats(w, &st);
	assert_int_equal(st.dropped, 5000 - 0);
	/* and works normally afterwards */
	fire(f, "/local/domain/3/memory/target", "all");
	xsw_drain(w);
	expect(w, "/local/domain/3/memory/target", "all");
	/* an over-long path is dropped, not truncated */
	{
		char *longp = malloc(XSW_PATH_MAX + 10);

		memset(longp, 'a', XSW_PATH_MAX + 9);
		longp[0] = '/';
		longp[XSW_PATH_MAX + 9] = '\0';
		fire(f, longp, "all");
		free(longp);
	}
	xsw_drain(w);
	assert_int_equal(xsw_pending(w), 0);
	xsw_close(w);
}

static void test_remove_and_rearm(void **state)
{
	struct fake_xs *f = *state;
	struct xsw *w = xsw_open(&fake_ops, f, 0);
	struct xsw_stats st;

	xsw_add(w, "/local/domain/5/memory/target", "d5");
	xsw_add(w, "/local/domain/5/data/xballoon/report", "d5");
	xsw_add(w, "/local/domain/6/memory/target", "d6");
	fire(f, "/local/domain/5/memory/target", "d5");
	fire(f, "/local/domain/6/memory/target", "d6");
	xsw_drain(w);
	/* domain 5 leaves: its pending events go with it (once both watches are gone) */
	assert_int_equal(xsw_remove(w, "/local/domain/5/memory/target", "d5"), 0);
	assert_int_equal(xsw_pending(w), 2);
	assert_int_equal(xsw_remove(w, "/local/domain/5/data/xballoon/report", "d5"), 0);
	assert_int_equal(xsw_pending(w), 1);
	errno = 0;
	assert_int_equal(xsw_remove(w, "/local/domain/5/memory/target", "d5"), -1);
	assert_int_equal(errno, ENOENT);
	/* late events for a removed watch are ignored */
	fire(f, "/local/domain/5/memory/target", "d5");
	xsw_drain(w);
	assert_int_equal(xsw_pending(w), 1);
	expect(w, "/local/domain/6/memory/target", "d6");
	/* re-arm: every watch registered again */
	f->watch_calls = 0;
	assert_int_equal(xsw_rearm(w), 0);
	assert_int_equal(f->watch_calls, 1);
	xsw_get_stats(w, &st);
	assert_int_equal(st.rearms, 1);
	/* errors */
	f->fail_watch = true;
	assert_int_equal(xsw_add(w, "/x", "t"), -1);
	assert_int_equal(errno, EACCES);
	f->fail_watch = false;
	assert_int_equal(xsw_add(w, "", "t"), -1);
	assert_int_equal(xsw_add(w, "/x", XSW_OVERFLOW_TOKEN), -1);
	f->fail_check = true;
	assert_int_equal(xsw_drain(w), -1);
	f->fail_check = false;
	xsw_close(w);
	xsw_close(NULL);
	assert_null(xsw_open(&fake_ops, NULL, 0));
}

static void test_backoff(void **state)
{
	static const unsigned int want[] = {
		100, 200, 400, 800, 1600, 3200, 5000, 5000, 5000
	};
	struct xsw_backoff b;

	(void)state;
	xsw_backoff_init(&b, 100, 5000);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		assert_int_equal(xsw_backoff_next(&b), want[i]);
	xsw_backoff_init(&b, 100, 5000);	/* a new outage starts short again */
	assert_int_equal(xsw_backoff_next(&b), 100);
	/* no overflow near the top of the range, no zero delay */
	xsw_backoff_init(&b, 3000000000u, 4000000000u);
	assert_int_equal(xsw_backoff_next(&b), 3000000000u);
	assert_int_equal(xsw_backoff_next(&b), 4000000000u);
	assert_int_equal(xsw_backoff_next(&b), 4000000000u);
	xsw_backoff_init(&b, 0, 0);
	assert_int_equal(xsw_backoff_next(&b), 1);
}

static void test_conn_lost(void **state)
{
	(void)state;
	assert_true(xsw_conn_lost(EIO));
	assert_true(xsw_conn_lost(ECONNRESET));
	assert_true(xsw_conn_lost(EPIPE));
	assert_true(xsw_conn_lost(EBADF));
	assert_true(xsw_conn_lost(ENOTCONN));
	assert_true(xsw_conn_lost(ECONNREFUSED));
	assert_false(xsw_conn_lost(ENOENT));
	assert_false(xsw_conn_lost(EACCES));
	assert_false(xsw_conn_lost(EAGAIN));
	assert_false(xsw_conn_lost(0));
}

/* A xenstored that comes back after some attempts; sleeps are recorded. */
struct restart {
	struct fake_xs conn[8];
	int n_conn;		/* connections handed out */
	int refuse;		/* the next N reopens fail */
	int dead_on_arrival;	/* the next N connections refuse watches */
	unsigned int slept[32];
	int n_slept, stop_after;
};

static void *r_reopen(void *ctx)
{
	struct restart *r = ctx;
	struct fake_xs *f;

	if (r->refuse) {
		r->refuse--;
		errno = ECONNREFUSED;
		return NULL;
	}
	assert_true(r->n_conn < 8);
	f = &r->conn[r->n_conn++];
	if (r->dead_on_arrival) {
		r->dead_on_arrival--;
		f->fail_watch = true;
	}
	return f;
}

static int r_sleep(void *ctx, unsigned int ms)
{
	struct restart *r = ctx;

	assert_true(r->n_slept < 32);
	r->slept[r->n_slept++] = ms;
	return r->stop_after && r->n_slept >= r->stop_after;
}

static const struct xsw_reconnect_ops r_ops = { .reopen = r_reopen, .sleep = r_sleep };

static void test_reconnect(void **state)
{
	struct fake_xs *old = *state;
	struct restart *r = calloc(1, sizeof(*r));
	struct xsw *w = xsw_open(&fake_ops, old, 0);
	struct xsw_backoff b;
	struct xsw_stats st;

	assert_int_equal(xsw_add(w, "@introduceDomain", "intro"), 0);
	assert_int_equal(xsw_add(w, "/local/domain/1/memory", "d1"), 0);
	assert_int_equal(xsw_add(w, "/local/domain/1/name", "d1"), 0);
	fire(old, "/local/domain/1/memory", "d1");
	xsw_drain(w);
	assert_int_equal(xsw_pending(w), 1);
	/* xenstored died: the old connection refuses everything */
	old->fail_check = true;
	assert_int_equal(xsw_drain(w), -1);
	/* refused twice, then a connection that dies at once, then one that works */
	r->refuse = 2;
	r->dead_on_arrival = 1;
	xsw_backoff_init(&b, 100, 5000);
	assert_int_equal(xsw_reconnect_loop(w, &r_ops, r, &b), 4);
	assert_int_equal(r->n_slept, 3);
	assert_int_equal(r->slept[0], 100);
	assert_int_equal(r->slept[1], 200);
	assert_int_equal(r->slept[2], 400);
	/* every watch armed on the new connection, none on the old one again */
	assert_int_equal(r->conn[1].n_armed, 3);
	assert_int_equal(old->watch_calls, 3);
	/* stale events from before are dropped: the caller re-reads everything */
	assert_int_equal(xsw_pending(w), 0);
	/* events flow from the new connection */
	fire(&r->conn[1], "/local/domain/1/name", "d1");
	assert_int_equal(xsw_drain(w), 1);
	expect(w, "/local/domain/1/name", "d1");
	xsw_get_stats(w, &st);
	assert_int_equal(st.reconnects, 1);
	/* a pending overflow is dropped too */
	for (int i = 0; i < 1100; i++) {
		char p[64];

		snprintf(p, sizeof(p), "/local/domain/1/memory/k%d", i);
		fire(&r->conn[1], p, "d1");
	}
	xsw_drain(w);
	assert_int_equal(xsw_pending(w), 1);
	assert_int_equal(xsw_reconnect(w, &r->conn[2]), 0);
	r->n_conn = 3;
	assert_int_equal(xsw_pending(w), 0);
	assert_int_equal(r->conn[2].n_armed, 3);
	/* told to stop while xenstored stays away: -1, EINTR, after that sleep */
	r->refuse = 1000;
	r->n_slept = 0;
	r->stop_after = 5;
	xsw_backoff_init(&b, 100, 5000);
	errno = 0;
	assert_int_equal(xsw_reconnect_loop(w, &r_ops, r, &b), -1);
	assert_int_equal(errno, EINTR);
	assert_int_equal(r->n_slept, 5);
	assert_int_equal(r->slept[4], 1600);
	/* bad arguments */
	assert_int_equal(xsw_reconnect(w, NULL), -1);
	assert_int_equal(xsw_reconnect_loop(w, NULL, r, &b), -1);
	xsw_close(w);	/* unwatches on the connection in use */
	assert_int_equal(r->conn[2].n_armed, 0);
	for (int i = 0; i < 8; i++)
		free_fake(&r->conn[i]);
	free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_coalesce_in_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bounded_overflow, setup, teardown),
		cmocka_unit_test_setup_teardown(test_remove_and_rearm, setup, teardown),
		cmocka_unit_test(test_backoff),
		cmocka_unit_test(test_conn_lost),
		cmocka_unit_test_setup_teardown(test_reconnect, setup, teardown),
	};

	return cmocka_run_group_tests_name("xsw", tests, NULL, NULL);
}
