/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xlab-zero: what zeroing a 4 KiB page costs on this CPU, each way a kernel
 * may do it (bench/zero-bench.sh).
 *
 *   xlab-zero [MIB [ROUNDS]]
 *
 * Fills MIB MiB (default 256, far more than any cache), then clears it page
 * by page with each way, ROUNDS times (default 3, at most 16), and prints
 * one line per way:
 *
 *   XB-BENCH-ZERO way=WAY ns_min=N ns_med=N ns_max=N
 *
 * the nanoseconds per page over the rounds. The ways:
 *   rep-stosq  Linux's clear_page on a CPU with REP_GOOD and no ERMS
 *              (the lab's emulated CPU): Linux's balloon driver
 *   rep-stosb  Linux's clear_page with ERMS
 *   movq-x8    Linux's clear_page with neither (clear_page_orig)
 *   movnti-x8  non-temporal stores, bypassing the cache: xballoon.ko
 *   memset     glibc's memset of one page
 *
 * Then one line on what reading the clock costs here:
 *
 *   XB-BENCH-CLOCK rdtsc_ns=N clock_gettime_ns=N
 *
 * the mean of 2000 reads each: where Xen emulates the TSC, a read traps
 * into Xen (a VM exit on PVH), and a kernel's every clock read pays it.
 *
 * Exit status: 0 done, 1 no memory, 2 usage.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#define PG 4096

static void z_stosq(void *p)
{
    unsigned long c = PG / 8;

    asm volatile("rep stosq" : "+D"(p), "+c"(c) : "a"(0UL) : "memory");
}

static void z_stosb(void *p)
{
    unsigned long c = PG;

    asm volatile("rep stosb" : "+D"(p), "+c"(c) : "a"(0UL) : "memory");
}

/* A page as 64 8-byte stores of INSN, eight to a 64-byte line. */
#define Z_STORES8(name, insn)                                                 \
static void name(void *p)                                                     \
{                                                                             \
    char *c = p, *e = c + PG;                                                 \
                                                                              \
    for (; c < e; c += 64)                                                    \
        asm volatile(insn " %1, 0(%0)\n\t" insn " %1, 8(%0)\n\t"              \
                     insn " %1, 16(%0)\n\t" insn " %1, 24(%0)\n\t"            \
                     insn " %1, 32(%0)\n\t" insn " %1, 40(%0)\n\t"            \
                     insn " %1, 48(%0)\n\t" insn " %1, 56(%0)"                \
                     : : "r"(c), "r"(0UL) : "memory");                        \
}

Z_STORES8(z_movq, "movq")
Z_STORES8(z_movnti, "movnti")

static void z_memset(void *p)
{
    memset(p, 0, PG);
    asm volatile("" : : "r"(p) : "memory");
}

static const struct way {
    const char *name;
    void (*fn)(void *);
} ways[] = {
    { "rep-stosq", z_stosq }, { "rep-stosb", z_stosb }, { "movq-x8", z_movq },
    { "movnti-x8", z_movnti }, { "memset", z_memset },
};

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

/* The mean cost of one rdtsc and of one clock_gettime, in ns. */
static void clock_cost(void)
{
    const int n = 2000;
    struct timespec ts;
    uint32_t lo, hi;
    double t0, t1, t2;
    int i;

    t0 = now_s();
    for (i = 0; i < n; i++)
        asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
    t1 = now_s();
    for (i = 0; i < n; i++)
        clock_gettime(CLOCK_MONOTONIC, &ts);
    t2 = now_s();
    printf("XB-BENCH-CLOCK rdtsc_ns=%.0f clock_gettime_ns=%.0f\n",
           (t1 - t0) * 1e9 / n, (t2 - t1) * 1e9 / n);
}

int main(int argc, char **argv)
{
    unsigned long mib = argc > 1 ? strtoul(argv[1], NULL, 0) : 256;
    unsigned long rounds = argc > 2 ? strtoul(argv[2], NULL, 0) : 3;
    unsigned long np, i, r, w;
    double t[16];
    char *buf;

    if (!mib || mib > 65536 || !rounds || rounds > 16) {
        fprintf(stderr, "usage: xlab-zero [MIB [ROUNDS]] (1-65536 MiB, 1-16 rounds)\n");
        return 2;
    }
    np = mib * 256;
    buf = mmap(NULL, np * PG, PROT_READ | PROT_WRITE,
               MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    if (buf == MAP_FAILED) {
        perror("xlab-zero: mmap");
        return 1;
    }
    memset(buf, 1, np * PG);
    for (w = 0; w < sizeof(ways) / sizeof(ways[0]); w++) {
        for (r = 0; r < rounds; r++) {
            double t0 = now_s();

            for (i = 0; i < np; i++)
                ways[w].fn(buf + i * PG);
            asm volatile("sfence" : : : "memory");
            t[r] = (now_s() - t0) * 1e9 / np;
        }
        qsort(t, rounds, sizeof(t[0]), cmp);
        printf("XB-BENCH-ZERO way=%s ns_min=%.0f ns_med=%.0f ns_max=%.0f\n",
               ways[w].name, t[0], t[rounds / 2], t[rounds - 1]);
    }
    clock_cost();
    return 0;
}
