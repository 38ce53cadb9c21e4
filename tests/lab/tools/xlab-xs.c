/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xlab-xs: the lab's own xenstore client, linked statically.
 *
 * Under emulation every program start costs what its dynamic loading costs:
 * Debian's xenstore-read takes 75-130 ms a call in dom0 and in a PV guest,
 * and the lab's helpers make thousands of calls. A static binary starts in
 * a fraction of that. Test infrastructure only; the product's xenstore code
 * is in xenstore-watch/ and toolstack/.
 *
 *   xlab-xs read PATH...             print each value on its own line
 *   xlab-xs write PATH VALUE [...]   write all pairs in one transaction
 *   xlab-xs wait PATH PREFIX MS      wait up to MS ms until PATH's value starts
 *                                    with PREFIX: print it, exit 0; else exit 1
 *   xlab-xs domid NAME               the domid of the domain called NAME
 *   xlab-xs stamp PATH...            per change of a PATH's value, one line
 *                                    "MS PATH VALUE" (MS: wall clock, ms;
 *                                    read every 10 ms), until killed
 *
 * Exit status: 0 done, 1 failed (message on stderr), 2 bad usage.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <xenstore.h>

static int usage(void)
{
    fprintf(stderr,
            "usage: xlab-xs read PATH... | write PATH VALUE [PATH VALUE]... |\n"
            "       wait PATH PREFIX MS | domid NAME | stamp PATH...\n");
    return 2;
}

static int do_read(struct xs_handle *xs, int argc, char **argv)
{
    int i;

    for ( i = 0; i < argc; i++ )
    {
        unsigned int len;
        char *v = xs_read(xs, XBT_NULL, argv[i], &len);

        if ( !v )
        {
            fprintf(stderr, "xlab-xs: read %s: %s\n", argv[i], strerror(errno));
            return 1;
        }
        fwrite(v, 1, len, stdout);
        putchar('\n');
        free(v);
    }
    return 0;
}

static int do_write(struct xs_handle *xs, int argc, char **argv)
{
    int tries, i;

    if ( argc == 0 || argc % 2 )
        return usage();
    for ( tries = 0; tries < 16; tries++ )
    {
        xs_transaction_t t = xs_transaction_start(xs);

        if ( t == XBT_NULL )
            break;
        for ( i = 0; i < argc; i += 2 )
            if ( !xs_write(xs, t, argv[i], argv[i + 1], strlen(argv[i + 1])) )
            {
                fprintf(stderr, "xlab-xs: write %s: %s\n", argv[i],
                        strerror(errno));
                xs_transaction_end(xs, t, true);
                return 1;
            }
        if ( xs_transaction_end(xs, t, false) )
            return 0;
        if ( errno != EAGAIN )
            break;
    }
    fprintf(stderr, "xlab-xs: write: %s\n", strerror(errno));
    return 1;
}

/* PATH's value if it starts with prefix (caller frees), else NULL */
static char *matching(struct xs_handle *xs, const char *path, const char *prefix)
{
    unsigned int len;
    char *v = xs_read(xs, XBT_NULL, path, &len);

    if ( v && strncmp(v, prefix, strlen(prefix)) == 0 )
        return v;
    free(v);
    return NULL;
}

static long now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/*
 * Reads every 20 ms in this one process: a read over the open connection
 * costs xenstored almost nothing, unlike a program start per read.
 */
static int do_wait(struct xs_handle *xs, const char *path, const char *prefix,
                   const char *ms_s)
{
    const struct timespec tick = { .tv_nsec = 20 * 1000000L };
    char *end, *v;
    long ms = strtol(ms_s, &end, 10), deadline;

    if ( *ms_s == '\0' || *end != '\0' || ms < 0 )
        return usage();
    deadline = now_ms() + ms;
    while ( !(v = matching(xs, path, prefix)) )
    {
        if ( now_ms() >= deadline )
            return 1;
        nanosleep(&tick, NULL);
    }
    printf("%s\n", v);
    free(v);
    return 0;
}

static int do_domid(struct xs_handle *xs, const char *name)
{
    unsigned int n, i;
    char **doms = xs_directory(xs, XBT_NULL, "/local/domain", &n);
    int rc = 1;

    if ( !doms )
    {
        fprintf(stderr, "xlab-xs: /local/domain: %s\n", strerror(errno));
        return 1;
    }
    for ( i = 0; i < n && rc; i++ )
    {
        char path[64];
        unsigned int len;
        char *v;

        snprintf(path, sizeof(path), "/local/domain/%s/name", doms[i]);
        v = xs_read(xs, XBT_NULL, path, &len);
        if ( v && strcmp(v, name) == 0 )
        {
            printf("%s\n", doms[i]);
            rc = 0;
        }
        free(v);
    }
    free(doms);
    return rc;
}

/*
 * A stop-watch for latencies seen in dom0: the PATHs read every 10 ms in
 * this one process, a line per change. (Not a xenstore watch: with
 * Debian's static libxenstore, built without threads, xs_read_watch()
 * never returned in the lab, not even the event every new watch fires.)
 * The toolstack's `watch` re-reads every domain per event, which under
 * emulation delays its stamps behind a burst.
 */
static int do_stamp(struct xs_handle *xs, int argc, char **argv)
{
    const struct timespec tick = { .tv_nsec = 10 * 1000000L };
    char **last = calloc(argc, sizeof(*last));
    int i;

    if ( !last )
        return 1;
    setvbuf(stdout, NULL, _IOLBF, 0);
    for ( ;; )
    {
        for ( i = 0; i < argc; i++ )
        {
            unsigned int len;
            char *v = xs_read(xs, XBT_NULL, argv[i], &len);
            struct timespec ts;

            if ( !v || (last[i] && !strcmp(v, last[i])) )
            {
                free(v);
                continue;
            }
            clock_gettime(CLOCK_REALTIME, &ts);
            printf("%lld %s %s\n",
                   (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000,
                   argv[i], v);
            free(last[i]);
            last[i] = v;
        }
        nanosleep(&tick, NULL);
    }
}

static int cmd_wait(struct xs_handle *xs, int argc, char **argv)
{
    (void)argc;
    return do_wait(xs, argv[0], argv[1], argv[2]);
}

static int cmd_domid(struct xs_handle *xs, int argc, char **argv)
{
    (void)argc;
    return do_domid(xs, argv[0]);
}

static const struct {
    const char *name;
    int min_args, max_args;             /* after the command; -1: no limit */
    int (*fn)(struct xs_handle *xs, int argc, char **argv);
} cmds[] = {
    { "read", 1, -1, do_read },
    { "write", 2, -1, do_write },
    { "wait", 3, 3, cmd_wait },
    { "domid", 1, 1, cmd_domid },
    { "stamp", 1, -1, do_stamp },
};

int main(int argc, char **argv)
{
    struct xs_handle *xs;
    unsigned int i;
    int rc, n = argc - 2;

    for ( i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++ )
        if ( argc >= 2 && !strcmp(argv[1], cmds[i].name) )
            break;
    if ( i == sizeof(cmds) / sizeof(cmds[0]) || n < cmds[i].min_args ||
         (cmds[i].max_args >= 0 && n > cmds[i].max_args) )
        return usage();
    xs = xs_open(0);
    if ( !xs )
    {
        fprintf(stderr, "xlab-xs: cannot reach xenstore: %s\n", strerror(errno));
        return 1;
    }
    rc = cmds[i].fn(xs, n, argv + 2);
    xs_close(xs);
    return rc;
}
