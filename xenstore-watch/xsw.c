// SPDX-License-Identifier: GPL-2.0
/* xenstore-watch: coalescing, bounded watch set over libxenstore. See xsw.h. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <xenstore.h>

#include "xsw.h"

struct xsw_pair {
	char *path;
	char *token;
};

struct xsw {
	const struct xsw_ops *ops;
	void *xs;
	struct xsw_pair *armed;
	size_t n_armed, cap_armed;
	struct xsw_pair *pending;	/* FIFO, oldest first, n_pending used */
	size_t n_pending, max_pending;
	bool overflow;
	struct xsw_stats st;
};

static int xs_watch_op(void *xs, const char *path, const char *token)
{
	return xs_watch(xs, path, token);
}

static int xs_unwatch_op(void *xs, const char *path, const char *token)
{
	return xs_unwatch(xs, path, token);
}

static int xs_fileno_op(void *xs)
{
	return xs_fileno(xs);
}

static char **xs_check_watch_op(void *xs)
{
	return xs_check_watch(xs);
}

const struct xsw_ops xsw_xs_ops = {
	.watch = xs_watch_op,
	.unwatch = xs_unwatch_op,
	.fileno = xs_fileno_op,
	.check_watch = xs_check_watch_op,
};

static void pair_free(struct xsw_pair *p)
{
	free(p->path);
	free(p->token);
	p->path = p->token = NULL;
}

static int pair_set(struct xsw_pair *p, const char *path, const char *token)
{
	p->path = strdup(path);
	p->token = strdup(token);
	if (!p->path || !p->token) {
		pair_free(p);
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

static bool pair_eq(const struct xsw_pair *p, const char *path, const char *token)
{
	return !strcmp(p->path, path) && !strcmp(p->token, token);
}

static bool valid_arg(const char *path, const char *token)
{
	return path && token && *path && *token &&
	       strlen(path) < XSW_PATH_MAX && strlen(token) < XSW_TOKEN_MAX;
}

struct xsw *xsw_open(const struct xsw_ops *ops, void *xs, size_t max_pending)
{
	struct xsw *w;

	if (!ops || !xs) {
		errno = EINVAL;
		return NULL;
	}
	w = calloc(1, sizeof(*w));
	if (!w)
		return NULL;
	w->ops = ops;
	w->xs = xs;
	w->max_pending = max_pending ? max_pending : 1024;
	w->pending = calloc(w->max_pending, sizeof(*w->pending));
	if (!w->pending) {
		free(w);
		return NULL;
	}
	return w;
}

static ssize_t find_armed(const struct xsw *w, const char *path, const char *token)
{
	for (size_t i = 0; i < w->n_armed; i++)
		if (pair_eq(&w->armed[i], path, token))
			return (ssize_t)i;
	return -1;
}

static bool token_armed(const struct xsw *w, const char *token)
{
	for (size_t i = 0; i < w->n_armed; i++)
		if (!strcmp(w->armed[i].token, token))
			return true;
	return false;
}

int xsw_add(struct xsw *w, const char *path, const char *token)
{
	struct xsw_pair *p;

	if (!w || !valid_arg(path, token) || !strcmp(token, XSW_OVERFLOW_TOKEN)) {
		errno = EINVAL;
		return -1;
	}
	if (find_armed(w, path, token) >= 0)
		return 0;
	if (w->n_armed == w->cap_armed) {
		size_t cap = w->cap_armed ? w->cap_armed * 2 : 16;

		p = realloc(w->armed, cap * sizeof(*p));
		if (!p)
			return -1;
		w->armed = p;
		w->cap_armed = cap;
	}
	p = &w->armed[w->n_armed];
	if (pair_set(p, path, token))
		return -1;
	if (!w->ops->watch(w->xs, path, token)) {
		int saved = errno;

		pair_free(p);
		errno = saved ? saved : EIO;
		return -1;
	}
	w->n_armed++;
	return 0;
}

static void pending_del(struct xsw *w, size_t i)
{
	pair_free(&w->pending[i]);
	memmove(&w->pending[i], &w->pending[i + 1],
		(w->n_pending - i - 1) * sizeof(*w->pending));
	w->n_pending--;
}

int xsw_remove(struct xsw *w, const char *path, const char *token)
{
	ssize_t i;
	size_t j;

	if (!w || !valid_arg(path, token)) {
		errno = EINVAL;
		return -1;
	}
	i = find_armed(w, path, token);
	if (i < 0) {
		errno = ENOENT;
		return -1;
	}
	w->ops->unwatch(w->xs, path, token);	/* gone with the domain is fine */
	pair_free(&w->armed[i]);
	w->armed[i] = w->armed[--w->n_armed];
	/* events already queued for this watch are stale now */
	if (token_armed(w, token))
		return 0;
	for (j = w->n_pending; j-- > 0;)
		if (!strcmp(w->pending[j].token, token))
			pending_del(w, j);
	return 0;
}

int xsw_rearm(struct xsw *w)
{
	int rc = 0;

	if (!w) {
		errno = EINVAL;
		return -1;
	}
	for (size_t i = 0; i < w->n_armed; i++)
		if (!w->ops->watch(w->xs, w->armed[i].path, w->armed[i].token) &&
		    errno != EEXIST)
			rc = -1;
	w->st.rearms++;
	return rc;
}

int xsw_conn_lost(int err)
{
	switch (err) {
	case EIO:
	case ECONNRESET:
	case EPIPE:
	case EBADF:
	case ENOTCONN:
	case ECONNREFUSED:
	case ESHUTDOWN:
		return 1;
	default:
		return 0;
	}
}

void xsw_backoff_init(struct xsw_backoff *b, unsigned int min_ms,
		      unsigned int max_ms)
{
	b->min_ms = min_ms ? min_ms : 1;
	b->max_ms = max_ms < b->min_ms ? b->min_ms : max_ms;
	b->next_ms = b->min_ms;
}

unsigned int xsw_backoff_next(struct xsw_backoff *b)
{
	unsigned int ms = b->next_ms;

	b->next_ms = ms > b->max_ms / 2 ? b->max_ms : ms * 2;
	return ms;
}

int xsw_reconnect(struct xsw *w, void *xs)
{
	if (!w || !xs) {
		errno = EINVAL;
		return -1;
	}
	w->xs = xs;
	for (size_t i = 0; i < w->n_pending; i++)
		pair_free(&w->pending[i]);
	w->n_pending = 0;
	w->overflow = false;
	if (xsw_rearm(w))
		return -1;
	w->st.reconnects++;
	return 0;
}

int xsw_reconnect_loop(struct xsw *w, const struct xsw_reconnect_ops *ops,
		       void *ctx, struct xsw_backoff *b)
{
	int attempts = 0;

	if (!w || !ops || !b) {
		errno = EINVAL;
		return -1;
	}
	for (;;) {
		void *xs;

		if (attempts < 0x7fffffff)
			attempts++;
		xs = ops->reopen(ctx);
		if (xs && !xsw_reconnect(w, xs))
			return attempts;
		if (ops->sleep(ctx, xsw_backoff_next(b))) {
			errno = EINTR;
			return -1;
		}
	}
}

int xsw_fd(struct xsw *w)
{
	if (!w) {
		errno = EINVAL;
		return -1;
	}
	return w->ops->fileno(w->xs);
}

/* Queue one event; coalesce with a pending one for the same path and token. */
static void enqueue(struct xsw *w, const char *path, const char *token)
{
	w->st.read++;
	if (!valid_arg(path, token) || !token_armed(w, token))
		return;		/* stale (unwatched) or not ours */
	if (w->overflow) {
		w->st.dropped++;
		return;
	}
	for (size_t i = 0; i < w->n_pending; i++) {
		if (pair_eq(&w->pending[i], path, token)) {
			w->st.coalesced++;
			return;
		}
	}
	if (w->n_pending == w->max_pending ||
	    pair_set(&w->pending[w->n_pending], path, token)) {
		/* full (or out of memory): the caller must resynchronise */
		for (size_t i = 0; i < w->n_pending; i++)
			pair_free(&w->pending[i]);
		w->st.dropped += w->n_pending + 1;
		w->n_pending = 0;
		w->overflow = true;
		return;
	}
	w->n_pending++;
}

int xsw_drain(struct xsw *w)
{
	int n = 0;

	if (!w) {
		errno = EINVAL;
		return -1;
	}
	for (;;) {
		char **vec;

		errno = 0;
		vec = w->ops->check_watch(w->xs);
		if (!vec) {
			if (errno == EAGAIN || errno == 0)
				return n;
			return -1;
		}
		enqueue(w, vec[XS_WATCH_PATH], vec[XS_WATCH_TOKEN]);
		free(vec);
		if (n < 0x7fffffff)
			n++;
	}
}

size_t xsw_pending(const struct xsw *w)
{
	return w ? w->n_pending + (w->overflow ? 1 : 0) : 0;
}

int xsw_next(struct xsw *w, char **path_r, char **token_r)
{
	if (!w || !path_r || !token_r) {
		errno = EINVAL;
		return -1;
	}
	*path_r = *token_r = NULL;
	if (w->overflow) {
		*path_r = strdup(XSW_OVERFLOW_TOKEN);
		*token_r = strdup(XSW_OVERFLOW_TOKEN);
		if (!*path_r || !*token_r) {
			free(*path_r);
			free(*token_r);
			*path_r = *token_r = NULL;
			errno = ENOMEM;
			return -1;
		}
		w->overflow = false;
		return 1;
	}
	if (!w->n_pending)
		return 0;
	*path_r = w->pending[0].path;
	*token_r = w->pending[0].token;
	w->pending[0].path = w->pending[0].token = NULL;
	memmove(&w->pending[0], &w->pending[1],
		(w->n_pending - 1) * sizeof(*w->pending));
	w->n_pending--;
	return 1;
}

void xsw_get_stats(const struct xsw *w, struct xsw_stats *st_r)
{
	if (w && st_r)
		*st_r = w->st;
}

void xsw_close(struct xsw *w)
{
	if (!w)
		return;
	for (size_t i = 0; i < w->n_armed; i++) {
		w->ops->unwatch(w->xs, w->armed[i].path, w->armed[i].token);
		pair_free(&w->armed[i]);
	}
	for (size_t i = 0; i < w->n_pending; i++)
		pair_free(&w->pending[i]);
	free(w->armed);
	free(w->pending);
	free(w);
}
