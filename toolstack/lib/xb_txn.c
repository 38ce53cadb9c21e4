// SPDX-License-Identifier: GPL-2.0
/* libxballoon: xenstore helpers, the transaction runner, backend accessors. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "xb_lib_int.h"

int xb_read_u64(struct xb_backend *be, xb_txn_t t, const char *path,
		uint64_t *v_r)
{
	size_t len = 0;
	char *s = be->ops->xs_read(be, t, path, &len);
	int ok;

	if (!s)
		return 0;
	ok = !xballoon_xs_u64(s, len, v_r);
	free(s);
	return ok;
}

int xb_write_u64(struct xb_backend *be, xb_txn_t t, const char *path,
		 uint64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%" PRIu64, v);
	return be->ops->xs_write(be, t, path, buf);
}

void xb_dom_path(char *buf, uint32_t domid, const char *key)
{
	snprintf(buf, XB_PATH_LEN, "/local/domain/%" PRIu32 "/%s", domid, key);
}

void xb_vm_memory_path(char *buf, const struct xb_dominfo *info)
{
	char uuid[XB_UUID_LEN];

	xballoon_dominfo_uuid(info, uuid, sizeof(uuid));
	snprintf(buf, XB_PATH_LEN, "/vm/%s/memory", uuid);
}

void xb_uuid_set(struct xb_dominfo *info, const uint8_t *h)
{
	info->uuid_hi = info->uuid_lo = 0;
	for (int i = 0; i < 8; i++) {
		info->uuid_hi = info->uuid_hi << 8 | h[i];
		info->uuid_lo = info->uuid_lo << 8 | h[8 + i];
	}
}

int xballoon_dominfo_uuid(const struct xb_dominfo *info, char *buf, size_t len)
{
	if (len < XB_UUID_LEN) {
		if (len)
			buf[0] = '\0';
		errno = ERANGE;
		return -1;
	}
	snprintf(buf, len, "%08" PRIx64 "-%04" PRIx64 "-%04" PRIx64 "-%04" PRIx64
		 "-%012" PRIx64, info->uuid_hi >> 32, (info->uuid_hi >> 16) & 0xffff,
		 info->uuid_hi & 0xffff, info->uuid_lo >> 48,
		 info->uuid_lo & (uint64_t)0xffffffffffff);
	return 0;
}

int xb_txn_run(struct xb_backend *be, xb_txn_body_fn body, void *arg,
	       const char **why_r)
{
	const char *why = NULL;

	for (int tries = 0; tries < XB_TXN_RETRIES; tries++) {
		xb_txn_t t;
		int saved;

		if (be->ops->txn_start(be, &t)) {
			why = "cannot start a xenstore transaction";
			break;
		}
		errno = 0;
		if (body(be, t, arg, &why)) {
			saved = errno ? errno : EIO;
			be->ops->txn_end(be, t, true);
			errno = saved;
			break;
		}
		if (!be->ops->txn_end(be, t, false))
			return 0;
		why = "xenstore transaction failed";
		if (errno != EAGAIN)
			break;
		why = "xenstore transaction kept conflicting (EAGAIN)";
	}
	if (why_r)
		*why_r = why;
	return -1;
}

int xb_dom_info(struct xb_backend *be, uint32_t domid, struct xb_dominfo *info_r)
{
	int n = be->ops->domain_list(be, domid, 1, info_r);

	if (n < 0)
		return -1;
	if (n != 1 || info_r->domid != domid) {
		errno = ESRCH;
		return -1;
	}
	return 0;
}

void xballoon_backend_close(struct xb_backend *be)
{
	if (be)
		be->ops->close(be);
}

uint64_t xballoon_backend_now_ms(struct xb_backend *be)
{
	return be->ops->now_ms(be);
}

void xballoon_backend_sleep_ms(struct xb_backend *be, unsigned ms)
{
	be->ops->sleep_ms(be, ms);
}

void *xballoon_backend_xs_handle(struct xb_backend *be)
{
	return be->ops->xs_handle(be);
}

int xballoon_backend_xs_reopen(struct xb_backend *be)
{
	if (!be->ops->xs_reopen) {
		errno = ENOSYS;
		return -1;
	}
	return be->ops->xs_reopen(be);
}
