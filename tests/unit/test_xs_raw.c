// SPDX-License-Identifier: GPL-2.0
/*
 * The batched xenstore reader (toolstack/lib/xb_xs_raw.c) against a fake
 * xenstored on a socket pair: values in order across chunks, answers split
 * at every byte, a chunk's requests all sent before any answer is read,
 * conflicts, every protocol surprise refused, and no SIGPIPE.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include <cmocka.h>

#include "xb_xs_raw.h"

enum fault {
	F_NONE,
	F_END_EAGAIN,		/* the transaction's end conflicts */
	F_END_EACCES,		/* ... or fails otherwise */
	F_BAD_REQ_ID,		/* an answer to a request never sent */
	F_WATCH_EVENT,		/* a watch event on a connection with no watch */
	F_HUGE_LEN,		/* a length beyond the protocol's payload limit */
	F_CLOSE,		/* xenstored goes away in the middle */
	F_BAD_TX,		/* a transaction id of 0 */
};

struct fake_xsd {
	int fd;
	bool byte_at_a_time;	/* answers written one byte per write() */
	enum fault fault;
	size_t missing_every;	/* every Nth read answers ENOENT (0: none) */
	/* what the fake saw */
	int reads, starts, ends;
	int max_unanswered;	/* requests received before the first answer */
	bool early_answer;	/* an answer sent before its chunk was complete */
	uint32_t last_tx;
};

/* Write to the client; a client that has gone (a refused answer) ends it. */
static void put(struct fake_xsd *f, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		size_t part = f->byte_at_a_time ? 1 : len;
		ssize_t n = send(f->fd, p, part, MSG_NOSIGNAL);

		if (n <= 0)
			return;
		p += n;
		len -= (size_t)n;
	}
}

static void answer(struct fake_xsd *f, uint32_t type, uint32_t req,
		   uint32_t tx, const char *payload, size_t len)
{
	struct xsd_sockmsg m = { .type = type, .req_id = req, .tx_id = tx,
				 .len = (uint32_t)len };
	char buf[sizeof(m) + 4200];

	memcpy(buf, &m, sizeof(m));
	memcpy(buf + sizeof(m), payload, len);
	put(f, buf, sizeof(m) + len);
}

/*
 * Requests come in as messages; the fake queues the answers of a batch and
 * sends them only when the socket has nothing more to read, so a client
 * that waits for each answer before its next request shows up as a batch
 * of one.
 */
static void *fake_xsd_run(void *arg)
{
	struct fake_xsd *f = arg;
	static char in[1 << 17];
	size_t have = 0;
	struct {
		uint32_t type, req, tx;
		char payload[256];
	} q[256];
	int nq = 0;

	for (;;) {
		ssize_t n = read(f->fd, in + have, sizeof(in) - have);
		size_t at = 0;

		if (n <= 0)
			return NULL;
		have += (size_t)n;
		while (have - at >= sizeof(struct xsd_sockmsg)) {
			struct xsd_sockmsg m;

			memcpy(&m, in + at, sizeof(m));
			if (have - at < sizeof(m) + m.len)
				break;
			q[nq].type = m.type;
			q[nq].req = m.req_id;
			q[nq].tx = m.tx_id;
			memcpy(q[nq].payload, in + at + sizeof(m),
			       m.len < 256 ? m.len : 255);
			q[nq].payload[m.len < 256 ? m.len : 255] = '\0';
			nq++;
			at += sizeof(m) + m.len;
		}
		memmove(in, in + at, have - at);
		have -= at;
		if (have)
			continue;	/* a message cut in two: read on */
		{
			struct timeval tv = { .tv_usec = 20000 };
			fd_set rd;

			FD_ZERO(&rd);
			FD_SET(f->fd, &rd);
			if (select(f->fd + 1, &rd, NULL, NULL, &tv) > 0)
				continue;	/* more of the batch is coming */
		}
		if (nq > f->max_unanswered)
			f->max_unanswered = nq;
		for (int i = 0; i < nq; i++) {
			char val[64];

			switch (q[i].type) {
			case XS_TRANSACTION_START:
				f->starts++;
				f->last_tx = f->fault == F_BAD_TX ? 0 : 77;
				snprintf(val, sizeof(val), "%u", f->last_tx);
				answer(f, XS_TRANSACTION_START, q[i].req, 0, val,
				       strlen(val) + 1);
				break;
			case XS_TRANSACTION_END:
				f->ends++;
				if (f->fault == F_END_EAGAIN)
					answer(f, XS_ERROR, q[i].req, q[i].tx, "EAGAIN", 7);
				else if (f->fault == F_END_EACCES)
					answer(f, XS_ERROR, q[i].req, q[i].tx, "EACCES", 7);
				else
					answer(f, XS_TRANSACTION_END, q[i].req, q[i].tx, "OK", 3);
				break;
			case XS_READ:
				f->reads++;
				if (f->fault == F_CLOSE && f->reads == 70) {
					shutdown(f->fd, SHUT_RDWR);
					return NULL;
				}
				if (f->fault == F_HUGE_LEN && f->reads == 3) {
					struct xsd_sockmsg m = { .type = XS_READ,
						.req_id = q[i].req, .len = 5000 };
					put(f, &m, sizeof(m));
					shutdown(f->fd, SHUT_RDWR);
					return NULL;
				}
				if (f->fault == F_BAD_REQ_ID && f->reads == 5)
					q[i].req += 1000;
				if (f->fault == F_WATCH_EVENT && f->reads == 2)
					answer(f, XS_WATCH_EVENT, 0, 0, "a\0b", 4);
				if (f->missing_every && f->reads % f->missing_every == 0) {
					answer(f, XS_ERROR, q[i].req, q[i].tx, "ENOENT", 7);
					break;
				}
				/* the value names the path and the transaction */
				snprintf(val, sizeof(val), "v:%s@%u", q[i].payload, q[i].tx);
				answer(f, XS_READ, q[i].req, q[i].tx, val, strlen(val));
				break;
			default:
				answer(f, XS_ERROR, q[i].req, q[i].tx, "EINVAL", 7);
			}
		}
		nq = 0;
	}
}

struct run {
	struct fake_xsd f;
	int fd;
	pthread_t th;
	char *paths[200];
	char **vals;
	size_t *lens;
	size_t n;
};

static void run_start(struct run *r, size_t n)
{
	int sv[2];
	struct timeval tmo = { .tv_sec = 5 };

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tmo, sizeof(tmo));
	r->f.fd = sv[1];
	r->fd = sv[0];
	r->n = n;
	for (size_t i = 0; i < n; i++) {
		char p[64];

		snprintf(p, sizeof(p), "/local/domain/%zu/memory/target", i);
		r->paths[i] = strdup(p);
	}
	r->vals = calloc(n + 1, sizeof(*r->vals));
	r->lens = calloc(n + 1, sizeof(*r->lens));
	assert_int_equal(pthread_create(&r->th, NULL, fake_xsd_run, &r->f), 0);
}

static int run_read(struct run *r, bool txn)
{
	return xb_xs_raw_read(r->fd, txn, (const char *const *)r->paths, r->n,
			      r->vals, r->lens);
}

static void run_end(struct run *r)
{
	shutdown(r->fd, SHUT_RDWR);
	close(r->fd);
	pthread_join(r->th, NULL);
	close(r->f.fd);
	for (size_t i = 0; i < r->n; i++) {
		free(r->paths[i]);
		free(r->vals[i]);
	}
	free(r->vals);
	free(r->lens);
}

static void check_values(struct run *r, uint32_t tx, size_t missing_every)
{
	for (size_t i = 0; i < r->n; i++) {
		char want[96];

		if (missing_every && (i + 1) % missing_every == 0) {
			assert_null(r->vals[i]);
			continue;
		}
		snprintf(want, sizeof(want), "v:%s@%u", r->paths[i], tx);
		assert_non_null(r->vals[i]);
		assert_string_equal(r->vals[i], want);
		assert_int_equal(r->lens[i], strlen(want));
	}
}

/* 150 keys: three chunks, in a transaction, answers cut at every byte. */
static void test_values_in_order(void **state)
{
	struct run r = { .f = { .byte_at_a_time = true, .missing_every = 7 } };

	(void)state;
	run_start(&r, 150);
	assert_int_equal(run_read(&r, true), 0);
	check_values(&r, 77, 7);
	assert_int_equal(r.f.starts, 1);
	assert_int_equal(r.f.ends, 1);
	assert_int_equal(r.f.reads, 150);
	run_end(&r);
}

/*
 * Pipelined: a whole chunk of requests is in xenstored's hands before the
 * first answer is read (64, then 64, then 22), with and without the
 * transaction around them.
 */
static void test_pipelined(void **state)
{
	struct run r = { 0 };

	(void)state;
	run_start(&r, 150);
	assert_int_equal(run_read(&r, true), 0);
	check_values(&r, 77, 0);
	assert_int_equal(r.f.max_unanswered, XB_RAW_CHUNK);
	run_end(&r);

	memset(&r, 0, sizeof(r));
	run_start(&r, 20);
	assert_int_equal(run_read(&r, false), 0);
	check_values(&r, 0, 0);
	assert_int_equal(r.f.starts + r.f.ends, 0);
	assert_int_equal(r.f.max_unanswered, 20);
	run_end(&r);
}

static void test_conflict_and_errors(void **state)
{
	static const struct {
		enum fault fault;
		int want;
	} cases[] = {
		{ F_END_EAGAIN, 1 }, { F_END_EACCES, -1 }, { F_BAD_REQ_ID, -1 },
		{ F_WATCH_EVENT, -1 }, { F_HUGE_LEN, -1 }, { F_CLOSE, -1 },
		{ F_BAD_TX, -1 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct run r = { .f = { .fault = cases[i].fault } };

		run_start(&r, 100);
		assert_int_equal(run_read(&r, true), cases[i].want);
		run_end(&r);
	}
}

/* A transaction over no keys still starts and ends. */
static void test_empty(void **state)
{
	struct run r = { 0 };

	(void)state;
	run_start(&r, 0);
	assert_int_equal(run_read(&r, true), 0);
	assert_int_equal(r.f.starts, 1);
	assert_int_equal(r.f.ends, 1);
	run_end(&r);
}

/* xenstored gone before the first request: an error, not a SIGPIPE. */
static void test_xenstored_gone(void **state)
{
	const char *path = "/local/domain/0/name";
	char *val = NULL;
	size_t len = 0;
	int sv[2];

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	close(sv[1]);
	errno = 0;
	assert_int_equal(xb_xs_raw_read(sv[0], true, &path, 1, &val, &len), -1);
	assert_int_equal(errno, EPIPE);
	assert_null(val);
	close(sv[0]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_values_in_order),
		cmocka_unit_test(test_pipelined),
		cmocka_unit_test(test_conflict_and_errors),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_xenstored_gone),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
