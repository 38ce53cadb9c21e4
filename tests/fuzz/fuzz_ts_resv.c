// SPDX-License-Identifier: GPL-2.0
/*
 * The reservation records (/local/domain/0/xballoon/reservations) are
 * dom0-only, but a corrupt value must still never crash a reader: parse it,
 * read it through the fake, reap, and add a reservation on top (which
 * rewrites the value); what xballoon wrote must parse again.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "libxballoon.h"
#include "xb_fake.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xb_resv r[XB_RESV_MAX], nr;
	struct xb_fake *f;
	const char *why;
	size_t n;

	if (!xballoon_resv_parse((const char *)data, size, r, XB_RESV_MAX, &n, &why)) {
		if (n > XB_RESV_MAX)
			abort();
		xballoon_resv_unclaimed_kb(r, n);
	} else if (!why) {
		abort();
	}
	if (memchr(data, 0, size))
		return 0;	/* xenstore values here are text */
	f = xb_fake_new();
	f->host.free_pages = 1 << 18;
	xb_fake_put(f, XB_RESV_PATH, (const char *)data, size);
	xballoon_resv_list(&f->be, r, XB_RESV_MAX, &n);
	f->now_ms = UINT64_MAX / 2;
	xballoon_resv_reap(&f->be);
	if (!xballoon_resv_begin(&f->be, 4096, 1000, &nr)) {
		const char *v = xb_fake_get(f, XB_RESV_PATH);

		if (!v || xballoon_resv_parse(v, strlen(v), r, XB_RESV_MAX, &n, &why))
			abort();
		xballoon_resv_try_claim(&f->be, &nr);
		if (xballoon_resv_release(&f->be, nr.id))
			abort();
	}
	xb_fake_free(f);
	return 0;
}
