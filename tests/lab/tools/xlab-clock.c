/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xlab-clock: the in-guest clock of bench/driver-bench.sh, without forking.
 *
 *   xlab-clock FILE LO HI TIMEOUT_S
 *
 * Reads the number in FILE (a driver's current_kb) every 10 ms until it is
 * within [LO, HI], then prints one line:
 *
 *   secs=S polls=N user=U nice=N system=S idle=I iowait=W irq=Q softirq=Q steal=T
 *
 * S is the time from its start (CLOCK_BOOTTIME, the clock of /proc/uptime),
 * the others the deltas of the first line of /proc/stat over the same span,
 * in USER_HZ ticks: where the guest's CPU went while it waited (system: the
 * driver's worker and the rest of the kernel; steal: Xen ran another
 * domain on the physical CPU; idle: nothing to run). A shell loop with
 * `sleep 0.01` forks and execs every 10 ms and takes the CPU it measures;
 * this takes one read and one nanosleep per poll.
 *
 * Exit status: 0 reached, 1 timeout or error (message on stderr), 2 usage.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define NSTAT 8

static const char *const stat_names[NSTAT] = {
    "user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal"
};

static int usage(void)
{
    fprintf(stderr, "usage: xlab-clock FILE LO HI TIMEOUT_S\n");
    return 2;
}

static int number(const char *s, unsigned long long *v)
{
    char *end;

    errno = 0;
    *v = strtoull(s, &end, 0);
    return errno || end == s || *end ? -1 : 0;
}

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_BOOTTIME, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The "cpu" line of /proc/stat into T; -1 on error. */
static int read_stat(unsigned long long t[NSTAT])
{
    char buf[512];
    ssize_t n;
    int fd = open("/proc/stat", O_RDONLY);

    if ( fd < 0 )
        return -1;
    n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if ( n <= 0 )
        return -1;
    buf[n] = '\0';
    if ( sscanf(buf, "cpu %llu %llu %llu %llu %llu %llu %llu %llu",
                &t[0], &t[1], &t[2], &t[3], &t[4], &t[5], &t[6], &t[7]) != NSTAT )
        return -1;
    return 0;
}

/* The number in FILE, read from offset 0 of the open FD; -1 on error. */
static int read_value(int fd, unsigned long long *v)
{
    char buf[64], *end;
    ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

    if ( n <= 0 )
        return -1;
    buf[n] = '\0';
    errno = 0;
    *v = strtoull(buf, &end, 10);
    return errno || end == buf ? -1 : 0;
}

int main(int argc, char **argv)
{
    unsigned long long lo, hi, timeout, v, s0[NSTAT], s1[NSTAT];
    const struct timespec tick = { 0, 10 * 1000 * 1000 };
    unsigned long polls = 0;
    double t0, t;
    int fd, i;

    if ( argc != 5 || number(argv[2], &lo) || number(argv[3], &hi) ||
         number(argv[4], &timeout) || lo > hi )
        return usage();
    t0 = now_s();
    if ( read_stat(s0) )
    {
        fprintf(stderr, "xlab-clock: /proc/stat: unreadable\n");
        return 1;
    }
    fd = open(argv[1], O_RDONLY);
    if ( fd < 0 )
    {
        fprintf(stderr, "xlab-clock: %s: %s\n", argv[1], strerror(errno));
        return 1;
    }
    for ( ;; )
    {
        polls++;
        if ( read_value(fd, &v) )
        {
            fprintf(stderr, "xlab-clock: %s: no number\n", argv[1]);
            close(fd);
            return 1;
        }
        t = now_s();
        if ( v >= lo && v <= hi )
            break;
        if ( t - t0 >= timeout )
        {
            fprintf(stderr, "xlab-clock: %s is %llu after %llu s, not in [%llu, %llu]\n",
                    argv[1], v, timeout, lo, hi);
            close(fd);
            return 1;
        }
        nanosleep(&tick, NULL);
    }
    close(fd);
    if ( read_stat(s1) )
    {
        fprintf(stderr, "xlab-clock: /proc/stat: unreadable\n");
        return 1;
    }
    printf("secs=%.3f polls=%lu", t - t0, polls);
    for ( i = 0; i < NSTAT; i++ )
        printf(" %s=%llu", stat_names[i], s1[i] - s0[i]);
    printf("\n");
    return 0;
}
