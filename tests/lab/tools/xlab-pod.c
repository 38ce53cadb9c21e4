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
 *   xlab-pod wait DOMID MIB TIMEOUT_S
 *                     bench/driver-bench.sh's Xen clock: reads the domain's
 *                     tot_pages every 10 ms (one getdomaininfo, no fork: a
 *                     `xentop` per poll took the CPU the guest measured
 *                     shares with dom0) until it is within 1% of MIB;
 *                     prints "SECONDS TOT_KB", or "timeout TOT_KB" (exit 1).
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
#include <time.h>
#include <xenctrl.h>

static int usage(void)
{
    fprintf(stderr, "usage: xlab-pod DOMID | ioport DOMID FIRST NR 1|0 |\n"
            "       wait DOMID MIB TIMEOUT_S\n");
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

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Poll DOMID's tot_pages until within 1% of MIB, or TIMEOUT seconds. */
static int do_wait(xc_interface *xch, long domid, long mib, long timeout)
{
    const struct timespec tick = { 0, 10 * 1000 * 1000 };
    uint64_t want = (uint64_t)mib * 1024, kb = 0;
    double t0 = now_s(), t;
    xc_dominfo_t info;

    for ( ;; )
    {
        if ( xc_domain_getinfo(xch, domid, 1, &info) != 1 ||
             info.domid != (uint32_t)domid )
        {
            fprintf(stderr, "xlab-pod: no domain %ld\n", domid);
            return 1;
        }
        kb = (uint64_t)info.nr_pages * 4;
        t = now_s();
        if ( (kb > want ? kb - want : want - kb) * 100 <= want )
        {
            printf("%.2f %" PRIu64 "\n", t - t0, kb);
            return 0;
        }
        if ( t - t0 >= timeout )
        {
            printf("timeout %" PRIu64 "\n", kb);
            return 1;
        }
        nanosleep(&tick, NULL);
    }
}

int main(int argc, char **argv)
{
    xc_interface *xch;
    uint64_t tot = 0, cache = 0, entries = 0;
    long domid, first = 0, nr = 0, allow = 0;
    int ioport = argc == 6 && !strcmp(argv[1], "ioport");
    int wait = argc == 5 && !strcmp(argv[1], "wait");
    long mib = 0, timeout = 0;
    int rc;

    if ( wait )
    {
        domid = number(argv[2], 0x7ff0);
        mib = number(argv[3], 1L << 30);
        timeout = number(argv[4], 100000);
        if ( mib <= 0 || timeout <= 0 )
            return usage();
    }
    else if ( ioport )
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
    if ( wait )
        rc = do_wait(xch, domid, mib, timeout);
    else if ( ioport )
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
