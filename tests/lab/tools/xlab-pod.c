/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xlab-pod: Xen's populate-on-demand numbers of one domain, for lab
 * scenarios (dom0 only; linked statically like xlab-xs).
 *
 *   xlab-pod DOMID    prints "tot_pages pod_cache pod_entries" (4 KiB pages)
 *   xlab-pod ioport DOMID FIRST NR 1|0
 *                     grant (1) or revoke (0) the domain access to NR I/O
 *                     ports from FIRST. Xen 4.17 refuses to raise the PoD
 *                     target of a domain that holds I/O port or I/O memory
 *                     access (p2m_pod_set_mem_target: -ENOTEMPTY): the lab's
 *                     way to make Xen refuse a PoD target change.
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

static int usage(void)
{
    fprintf(stderr, "usage: xlab-pod DOMID | ioport DOMID FIRST NR 1|0\n");
    return 2;
}

/* a number below LIMIT, or -1 */
static long number(const char *s, unsigned long limit)
{
    unsigned long v;
    char *end;

    errno = 0;
    v = strtoul(s, &end, 0);
    if ( errno || end == s || *end || v >= limit )
        return -1;
    return (long)v;
}

int main(int argc, char **argv)
{
    xc_interface *xch;
    uint64_t tot = 0, cache = 0, entries = 0;
    long domid, first = 0, nr = 0, allow = 0;
    int ioport = argc == 6 && !strcmp(argv[1], "ioport");
    int rc;

    if ( ioport )
    {
        domid = number(argv[2], 0x7ff0);
        first = number(argv[3], 0x10000);
        nr = number(argv[4], 0x10001);
        allow = number(argv[5], 2);
        if ( first < 0 || nr <= 0 || first + nr > 0x10000 || allow < 0 )
            return usage();
    }
    else if ( argc == 2 )
        domid = number(argv[1], 0x7ff0);
    else
        return usage();
    if ( domid < 0 )
    {
        fprintf(stderr, "xlab-pod: bad domid\n");
        return 2;
    }
    xch = xc_interface_open(NULL, NULL, 0);
    if ( !xch )
    {
        fprintf(stderr, "xlab-pod: xc_interface_open: %s\n", strerror(errno));
        return 1;
    }
    if ( ioport )
    {
        rc = xc_domain_ioport_permission(xch, domid, first, nr, allow);
        if ( rc )
            fprintf(stderr, "xlab-pod: xc_domain_ioport_permission(%ld): %s\n",
                    domid, strerror(errno));
    }
    else
    {
        rc = xc_domain_get_pod_target(xch, domid, &tot, &cache, &entries);
        if ( rc )
            fprintf(stderr, "xlab-pod: xc_domain_get_pod_target(%ld): %s\n",
                    domid, strerror(errno));
        else
            printf("%" PRIu64 " %" PRIu64 " %" PRIu64 "\n", tot, cache, entries);
    }
    xc_interface_close(xch);
    return rc ? 1 : 0;
}
