/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xlab-gnt: a real user of Linux's ballooned pages, for the lab.
 *
 * dom0 shares pages with a guest through gntalloc; the guest maps them
 * through gntdev. The guest kernel backs each mapping with pages it takes
 * out of its own reservation (gnttab_alloc_pages -> balloon.c's
 * xen_alloc_ballooned_pages -> XENMEM_decrease_reservation), behind the
 * balloon driver's back: what issue 9 section 3 is about. Linked
 * statically like xlab-xs (program starts cost their dynamic loading).
 *
 *   xlab-gnt share DOMID NPAGES SEED   share NPAGES writable pages with DOMID,
 *                                      fill them with SEED's pattern, print
 *                                      "refs SPEC" (SPEC: A:B,... runs of
 *                                      consecutive refs from A to B, up or
 *                                      down: gntalloc takes them from a
 *                                      free list that runs either way),
 *                                      hold them until SIGTERM/SIGINT
 *   xlab-gnt map DOMID SEED SPEC       map SPEC's grants of DOMID, check every
 *                                      word against SEED's pattern, print
 *                                      "mapped N pages, N good, N bad", hold
 *                                      the mapping until SIGTERM/SIGINT, then
 *                                      unmap and print "unmapped N pages"
 *
 * Word w of page i (i-th grant of SPEC) holds pattern(SEED, i, w): a page
 * that is not the one dom0 filled, or a stale copy from another run (other
 * SEED), does not match. Exit status: 0 done (map: every page good), 1
 * failed (message on stderr), 2 bad usage.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <xengnttab.h>

#define XLAB_PAGE 4096u
#define XLAB_WORDS (XLAB_PAGE / sizeof(uint64_t))
#define XLAB_MAX_PAGES 65536u

static volatile sig_atomic_t xlab_stop;

static int usage(void)
{
    fprintf(stderr,
            "usage: xlab-gnt share DOMID NPAGES SEED |\n"
            "       map DOMID SEED A:B[,A:B]...\n");
    return 2;
}

static void on_signal(int sig)
{
    (void)sig;
    xlab_stop = 1;
}

static uint64_t pattern(uint64_t seed, uint64_t page, uint64_t word)
{
    uint64_t x = seed ^ (page * XLAB_WORDS + word) * 0x9e3779b97f4a7c15ull;

    x ^= x >> 31;
    return x * 0xbf58476d1ce4e5b9ull;
}

static int parse_u64(const char *s, uint64_t max, uint64_t *v_r)
{
    char *end;
    unsigned long long v;

    errno = 0;
    v = strtoull(s, &end, 0);
    if ( errno || end == s || *end || v > max || s[0] == '-' )
        return -1;
    *v_r = v;
    return 0;
}

/* Wait for SIGTERM or SIGINT (installed before anything is printed). */
static void hold(void)
{
    sigset_t none;

    sigemptyset(&none);
    while ( !xlab_stop )
        sigsuspend(&none);
}

static void catch_signals(void)
{
    struct sigaction sa;
    sigset_t block;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    /* delivered only inside sigsuspend: no signal lost before it */
    sigemptyset(&block);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGINT);
    sigprocmask(SIG_BLOCK, &block, NULL);
}

/* Print refs as A:B runs of consecutive references, ascending or not. */
static void print_refs(const uint32_t *refs, uint32_t n)
{
    uint32_t i = 0;

    printf("refs ");
    while ( i < n )
    {
        uint32_t j = i + 1;
        int64_t step = 0;

        if ( j < n && (refs[j] == refs[i] + 1 || refs[j] + 1 == refs[i]) )
            step = (int64_t)refs[j] - refs[i];
        while ( step && j < n && (int64_t)refs[j] - refs[j - 1] == step )
            j++;
        printf("%s%" PRIu32 ":%" PRIu32, i ? "," : "", refs[i], refs[j - 1]);
        i = j;
    }
    printf("\n");
    fflush(stdout);
}

static int do_share(int argc, char **argv)
{
    uint64_t domid, npages, seed, i, w;
    xengntshr_handle *xgs = NULL;
    uint32_t *refs = NULL;
    uint64_t *mem = NULL;
    int rc = 1;

    if ( argc != 3 || parse_u64(argv[0], 0x7fef, &domid) ||
         parse_u64(argv[1], XLAB_MAX_PAGES, &npages) || !npages ||
         parse_u64(argv[2], UINT64_MAX, &seed) )
        return usage();
    catch_signals();
    refs = calloc(npages, sizeof(*refs));
    xgs = xengntshr_open(NULL, 0);
    if ( !refs || !xgs )
    {
        perror("xlab-gnt: gntalloc");
        goto out;
    }
    mem = xengntshr_share_pages(xgs, domid, npages, refs, 1);
    if ( !mem )
    {
        fprintf(stderr, "xlab-gnt: sharing %" PRIu64 " pages with domain %"
                PRIu64 " failed: %s\n", npages, domid, strerror(errno));
        goto out;
    }
    for ( i = 0; i < npages; i++ )
        for ( w = 0; w < XLAB_WORDS; w++ )
            mem[i * XLAB_WORDS + w] = pattern(seed, i, w);
    print_refs(refs, npages);
    hold();
    xengntshr_unshare(xgs, mem, npages);
    rc = 0;
 out:
    if ( xgs )
        xengntshr_close(xgs);
    free(refs);
    return rc;
}

/* Parse A:B[,...] into refs; returns the number of refs or -1. */
static long parse_spec(char *spec, uint32_t *refs, uint32_t max)
{
    uint32_t n = 0;
    char *tok, *save = NULL;

    for ( tok = strtok_r(spec, ",", &save); tok;
          tok = strtok_r(NULL, ",", &save) )
    {
        char *colon = strchr(tok, ':');
        uint64_t a, b, count, k;

        if ( !colon )
            return -1;
        *colon = '\0';
        if ( parse_u64(tok, UINT32_MAX, &a) ||
             parse_u64(colon + 1, UINT32_MAX, &b) )
            return -1;
        count = (a <= b ? b - a : a - b) + 1;
        if ( count > max - n )
            return -1;
        for ( k = 0; k < count; k++ )
            refs[n++] = a <= b ? a + k : a - k;
    }
    return n ? (long)n : -1;
}

static int do_map(int argc, char **argv)
{
    uint64_t domid, seed, i, w, good = 0, bad = 0;
    xengnttab_handle *xgt = NULL;
    uint32_t *refs = NULL;
    uint64_t *mem = NULL;
    long n;
    int rc = 1;

    if ( argc != 3 || parse_u64(argv[0], 0x7fef, &domid) ||
         parse_u64(argv[1], UINT64_MAX, &seed) )
        return usage();
    refs = calloc(XLAB_MAX_PAGES, sizeof(*refs));
    if ( !refs )
        goto out;
    n = parse_spec(argv[2], refs, XLAB_MAX_PAGES);
    if ( n < 0 )
    {
        rc = usage();
        goto out;
    }
    catch_signals();
    xgt = xengnttab_open(NULL, 0);
    if ( !xgt )
    {
        perror("xlab-gnt: gntdev");
        goto out;
    }
    mem = xengnttab_map_domain_grant_refs(xgt, n, domid, refs,
                                          PROT_READ | PROT_WRITE);
    if ( !mem )
    {
        fprintf(stderr, "xlab-gnt: mapping %ld grants of domain %" PRIu64
                " failed: %s\n", n, domid, strerror(errno));
        goto out;
    }
    for ( i = 0; i < (uint64_t)n; i++ )
    {
        for ( w = 0; w < XLAB_WORDS; w++ )
            if ( mem[i * XLAB_WORDS + w] != pattern(seed, i, w) )
                break;
        if ( w == XLAB_WORDS )
            good++;
        else
            bad++;
    }
    printf("mapped %ld pages, %" PRIu64 " good, %" PRIu64 " bad\n", n, good,
           bad);
    fflush(stdout);
    hold();
    if ( xengnttab_unmap(xgt, mem, n) )
    {
        perror("xlab-gnt: unmap");
        goto out;
    }
    printf("unmapped %ld pages\n", n);
    fflush(stdout);
    rc = bad ? 1 : 0;
 out:
    if ( xgt )
        xengnttab_close(xgt);
    free(refs);
    return rc;
}

int main(int argc, char **argv)
{
    if ( argc < 2 )
        return usage();
    if ( !strcmp(argv[1], "share") )
        return do_share(argc - 2, argv + 2);
    if ( !strcmp(argv[1], "map") )
        return do_map(argc - 2, argv + 2);
    return usage();
}
