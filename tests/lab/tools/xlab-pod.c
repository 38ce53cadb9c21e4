/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xlab-pod: Xen's populate-on-demand numbers of one domain, for lab
 * scenarios (dom0 only; linked statically like xlab-xs).
 *
 *   xlab-pod DOMID    prints "tot_pages pod_cache pod_entries" (4 KiB pages)
 *
 * xc_domain_get_pod_target: tot_pages is what Xen accounts to the domain
 * (the PoD cache included), pod_cache the pages held for PoD entries,
 * pod_entries the guest frames that have no memory behind them yet. A guest
 * is safe while pod_entries <= pod_cache. Exit status: 0, 1 failed, 2 usage.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xenctrl.h>

int main(int argc, char **argv)
{
    xc_interface *xch;
    uint64_t tot = 0, cache = 0, entries = 0;
    char *end;
    unsigned long domid;
    int rc;

    if ( argc != 2 )
    {
        fprintf(stderr, "usage: xlab-pod DOMID\n");
        return 2;
    }
    errno = 0;
    domid = strtoul(argv[1], &end, 10);
    if ( errno || end == argv[1] || *end || domid >= 0x7ff0 )
    {
        fprintf(stderr, "xlab-pod: bad domid '%s'\n", argv[1]);
        return 2;
    }
    xch = xc_interface_open(NULL, NULL, 0);
    if ( !xch )
    {
        fprintf(stderr, "xlab-pod: xc_interface_open: %s\n", strerror(errno));
        return 1;
    }
    rc = xc_domain_get_pod_target(xch, domid, &tot, &cache, &entries);
    if ( rc )
        fprintf(stderr, "xlab-pod: xc_domain_get_pod_target(%lu): %s\n",
                domid, strerror(errno));
    else
        printf("%" PRIu64 " %" PRIu64 " %" PRIu64 "\n", tot, cache, entries);
    xc_interface_close(xch);
    return rc ? 1 : 0;
}
