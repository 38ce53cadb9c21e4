/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Trace-driven comparison of balancing policies, without Xen (issue 10's
 * bench). One multi-guest memory trace, generated from a fixed seed, is
 * replayed under five policies on the same host model:
 *
 *  - static: each guest's share of the host by weight, set once;
 *  - squeezed-like: every guest at the same fraction x of its range,
 *    dynamic-min + x * (dynamic-max - dynamic-min), x chosen so that the
 *    host keeps its reserve. After the xapi project's description of
 *    squeezed's balancing ("Squeezed" architecture page, "the ballooning
 *    algorithm"); it reads no signal from the guests;
 *  - qmemman-like: after Qubes' memory-manager documentation (qubes-doc
 *    "Qmemman", developer/services/qmemman): a preferred size of used x 1.3
 *    per domain, free memory shared in proportion to the preferred sizes,
 *    everything scaled down in proportion when it does not fit; redistributed
 *    on every meminfo change (here: every step);
 *  - xballoond: toolstack/daemon/policy.c itself, called as the daemon calls
 *    it, with the default configuration (docs/xballoond.conf.example);
 *  - xballoond without borrowing (headroom 0): the same policy with maxmem
 *    at the target, to show what deflate-on-OOM adds.
 *
 * No code of squeezed or qmemman is copied; the first three are written from
 * their documentation, as the issue asks.
 *
 * The host model (1 s steps): a pool of memory for the guests; each guest has
 * a working set from the trace (memory it cannot give up); the balloon moves
 * a guest toward its target at RATE per second, never below its working set
 * (the allocation fails there, as both drivers' allocations do), and up only
 * with free memory on the host. A guest whose working set exceeds what it
 * holds:
 *  - with xballoon.ko and maxmem above its size, deflates on OOM up to maxmem
 *    while the host has free memory (the borrow);
 *  - otherwise runs into the OOM killer: one OOM event, and one more every
 *    OOM_RESTART_S seconds it stays short (the killed workload is restarted
 *    and killed again).
 * A guest is short of need while it holds less than its working set plus
 * NEED_SLACK (below that, the kernel reclaims its file pages all the time and
 * PSI shows stalls; the report says so to the policies that read it).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>

#include "libxballoon.h"
#include "policy.h"

#define MIB UINT64_C(1024)
#define NDOM 6
#define STEPS 10800			/* 3 hours of 1 s steps */
#define RATE_KB (1024 * MIB)		/* balloon speed, per second, both ways */
#define NEED_SLACK_KB (64 * MIB)
#define QMEMMAN_FACTOR 1.3
#define OOM_RESTART_S 10		/* a killed workload is back this soon */

static uint64_t POOL_KB;		/* host memory for the guests */

struct guest {
	const char *name;
	uint64_t smax, dmin, dmax;
	uint32_t weight;
};

static const struct guest guests[NDOM] = {
	{ "web",   3072 * MIB,  512 * MIB, 3072 * MIB, 1 },
	{ "batch", 3072 * MIB,  256 * MIB, 3072 * MIB, 1 },
	{ "db",    3072 * MIB, 1024 * MIB, 3072 * MIB, 2 },
	{ "spiky", 2048 * MIB,  256 * MIB, 2048 * MIB, 1 },
	{ "idle",  2048 * MIB,  256 * MIB, 2048 * MIB, 1 },
	{ "build", 3072 * MIB,  256 * MIB, 3072 * MIB, 1 },
};

enum pol { P_STATIC, P_SQUEEZED, P_QMEMMAN, P_XBD, P_XBD_NOBORROW, P_NR };
static const char *const pol_name[P_NR] = {
	"static split", "squeezed-like", "qmemman-like", "xballoond",
	"xballoond, no borrow",
};

static uint64_t trace[STEPS][NDOM];	/* working set, KiB */

/* A small reproducible generator (the same trace on every machine). */
static uint64_t rng_state = 20261128;

static double rnd(void)
{
	rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
	return (double)(rng_state >> 11) / (double)(1ull << 53);
}

static void make_trace(void)
{
	double walk = 600;
	int spike_until = -1, next_spike = 300;

	for (int t = 0; t < STEPS; t++) {
		double w[NDOM];
		int job = (t - 600) % 1800;

		/* web: a daily-like wave (one period an hour here) */
		w[0] = 650 + 300 * sin(2 * M_PI * t / 3600.0) + 40 * (rnd() - 0.5);
		/* batch: idle, a job every 30 min ramping 1.8 GiB in 2 min, 7 min */
		w[1] = 300;
		if (t >= 600 && job < 120)
			w[1] += 1800.0 * job / 120;
		else if (t >= 600 && job < 540)
			w[1] += 1800;
		/* db: grows from 1.2 to 1.8 GiB over the run */
		w[2] = 1200 + 600.0 * t / STEPS + 20 * (rnd() - 0.5);
		/* spiky: sudden 700 MiB for a minute, every 10-20 min */
		if (t == next_spike) {
			spike_until = t + 60;
			next_spike = t + 600 + (int)(600 * rnd());
		}
		w[3] = 400 + (t < spike_until ? 700 : 0);
		/* idle */
		w[4] = 250;
		/* build: a random walk between 300 MiB and 1.5 GiB */
		walk += 40 * (rnd() - 0.5) + (t % 1200 < 600 ? 2 : -2);
		walk = walk < 300 ? 300 : walk > 1500 ? 1500 : walk;
		w[5] = walk;
		for (int i = 0; i < NDOM; i++)
			trace[t][i] = (uint64_t)w[i] * MIB;
	}
}

struct state {
	uint64_t cur[NDOM], target[NDOM], maxmem[NDOM];
	uint64_t deflates[NDOM];
	int last_oom[NDOM];
	/* results */
	uint64_t oom_events, short_s, changes;
	double idle_kb_s, slack_kb_s;
};

static uint64_t min_u(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

static uint64_t clamp_u(uint64_t v, uint64_t lo, uint64_t hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

static uint64_t pool_free(const struct state *s)
{
	uint64_t used = 0;

	for (int i = 0; i < NDOM; i++)
		used += s->cur[i];
	return used < POOL_KB ? POOL_KB - used : 0;
}

/* static split, by weight, each within its range */
static void targets_static(uint64_t *tgt)
{
	uint64_t budget = POOL_KB - 256 * MIB;
	uint32_t wsum = 0;

	for (int i = 0; i < NDOM; i++)
		wsum += guests[i].weight;
	for (int i = 0; i < NDOM; i++)
		tgt[i] = clamp_u(budget / wsum * guests[i].weight,
				 guests[i].dmin, guests[i].dmax);
}

/* squeezed-like: the same fraction of every range, keeping the reserve */
static void targets_squeezed(uint64_t *tgt)
{
	uint64_t budget = POOL_KB - 256 * MIB;
	double lo = 0, hi = 1;

	for (int k = 0; k < 60; k++) {
		double x = (lo + hi) / 2, sum = 0;

		for (int i = 0; i < NDOM; i++)
			sum += guests[i].dmin + x * (guests[i].dmax - guests[i].dmin);
		if (sum > budget)
			hi = x;
		else
			lo = x;
	}
	for (int i = 0; i < NDOM; i++)
		tgt[i] = guests[i].dmin +
			 (uint64_t)(lo * (guests[i].dmax - guests[i].dmin));
}

/*
 * qmemman-like: used x 1.3 each; what is left shared in proportion to those
 * preferred sizes; scaled down in proportion when they do not all fit. Used
 * memory is what the guest's meminfo says it uses: its working set.
 */
static void targets_qmemman(const struct state *s, int t, uint64_t *tgt)
{
	uint64_t budget = POOL_KB - 256 * MIB;
	double pref[NDOM], psum = 0;

	(void)s;
	for (int i = 0; i < NDOM; i++) {
		pref[i] = QMEMMAN_FACTOR * trace[t][i];
		psum += pref[i];
	}
	for (int i = 0; i < NDOM; i++) {
		double v = psum <= budget ?
			   pref[i] + (budget - psum) * pref[i] / psum :
			   pref[i] * budget / psum;

		tgt[i] = clamp_u((uint64_t)v, guests[i].dmin, guests[i].smax);
	}
}

/* what the guest reports (xballoon.ko's report: PSI, MemAvailable, counters) */
static void fill_dom(const struct state *s, int t, int i, struct xbd_dom *d)
{
	uint64_t ws = trace[t][i];

	memset(d, 0, sizeof(*d));
	d->domid = i + 1;
	d->tot_kb = s->cur[i];
	d->static_max_kb = guests[i].smax;
	d->target_kb = s->target[i];
	d->has_policy = true;
	d->dyn_min_kb = guests[i].dmin;
	d->dyn_max_kb = guests[i].dmax;
	d->weight = guests[i].weight;
	d->has_report = true;
	d->balloon_kb = guests[i].smax - s->cur[i];
	d->mem_total_kb = guests[i].smax;
	d->mem_avail_kb = s->cur[i] > ws ? s->cur[i] - ws : 0;
	d->oom_deflates = s->deflates[i];
	d->has_psi = true;
	/* stalls while short of need: deeper short, more stall */
	if (s->cur[i] < ws + NEED_SLACK_KB)
		d->psi_some_avg10_milli = 5000 + (uint32_t)min_u(
			45000, (ws + NEED_SLACK_KB - s->cur[i]) * 45000 / (512 * MIB));
}

static void run(enum pol p, struct state *s)
{
	struct xbd_config cfg;
	struct xbd_mem mem[NDOM];
	struct xbd_dom doms[NDOM];
	struct xbd_out out[NDOM];
	uint64_t tgt[NDOM];

	memset(s, 0, sizeof(*s));
	memset(mem, 0, sizeof(mem));
	xbd_config_default(&cfg);
	if (p == P_XBD_NOBORROW)
		cfg.headroom_kb = 0;
	/* everyone starts from the static split */
	targets_static(tgt);
	for (int i = 0; i < NDOM; i++) {
		s->cur[i] = s->target[i] = s->maxmem[i] = tgt[i];
		s->last_oom[i] = -OOM_RESTART_S;
	}

	for (int t = 0; t < STEPS; t++) {
		uint64_t idle;

		/* 1. the policy, from what it saw at the end of the last step */
		switch (p) {
		case P_STATIC:
			break;
		case P_SQUEEZED:
			targets_squeezed(tgt);
			for (int i = 0; i < NDOM; i++) {
				s->changes += tgt[i] != s->target[i];
				s->target[i] = s->maxmem[i] = tgt[i];
			}
			break;
		case P_QMEMMAN:
			targets_qmemman(s, t ? t - 1 : 0, tgt);
			for (int i = 0; i < NDOM; i++) {
				s->changes += tgt[i] != s->target[i];
				s->target[i] = s->maxmem[i] = tgt[i];
			}
			break;
		case P_XBD:
		case P_XBD_NOBORROW: {
			struct xbd_host host = { .free_kb = pool_free(s) };

			for (int i = 0; i < NDOM; i++)
				fill_dom(s, t ? t - 1 : 0, i, &doms[i]);
			xbd_policy_step(&cfg, &host, doms, mem, NDOM,
					(uint64_t)t * 1000, out);
			for (int i = 0; i < NDOM; i++) {
				if (!out[i].change)
					continue;
				s->changes++;
				s->target[i] = out[i].target_kb;
				s->maxmem[i] = out[i].maxmem_kb > out[i].target_kb ?
					       out[i].maxmem_kb : out[i].target_kb;
			}
			break;
		}
		default:
			abort();
		}

		/* 2. the balloons move: down first (frees host memory), then up */
		for (int i = 0; i < NDOM; i++) {
			uint64_t floor = trace[t][i];

			if (s->cur[i] > s->target[i] && s->cur[i] > floor) {
				uint64_t go = min_u(RATE_KB, s->cur[i] -
						    (s->target[i] > floor ? s->target[i] : floor));

				s->cur[i] -= go;
			}
		}
		for (int i = 0; i < NDOM; i++)
			if (s->cur[i] < s->target[i])
				s->cur[i] += min_u(min_u(RATE_KB, s->target[i] - s->cur[i]),
						   pool_free(s));

		/* 3. the workloads: borrow, or the OOM killer */
		for (int i = 0; i < NDOM; i++) {
			uint64_t ws = trace[t][i];
			bool oom;

			if (ws > s->cur[i] && s->maxmem[i] > s->cur[i] &&
			    p >= P_XBD && pool_free(s) > 0) {
				uint64_t take = min_u(min_u(ws, s->maxmem[i]) - s->cur[i],
						      pool_free(s));

				if (take) {
					s->cur[i] += take;
					s->deflates[i]++;
				}
			}
			oom = ws > s->cur[i];
			if (oom && t - s->last_oom[i] >= OOM_RESTART_S) {
				s->oom_events++;
				s->last_oom[i] = t;
			}
			if (s->cur[i] < ws + NEED_SLACK_KB)
				s->short_s++;
			s->slack_kb_s += s->cur[i] > ws ? s->cur[i] - ws : 0;
		}
		idle = pool_free(s);
		s->idle_kb_s += idle > 256 * MIB ? idle - 256 * MIB : 0;
	}
}

int main(int argc, char **argv)
{
	struct state s;
	bool csv = argc > 1 && !strcmp(argv[1], "--trace");

	make_trace();
	if (csv) {
		printf("t");
		for (int i = 0; i < NDOM; i++)
			printf(",%s_mib", guests[i].name);
		printf("\n");
		for (int t = 0; t < STEPS; t++) {
			printf("%d", t);
			for (int i = 0; i < NDOM; i++)
				printf(",%" PRIu64, trace[t][i] / (uint64_t)MIB);
			printf("\n");
		}
		return 0;
	}
	for (int h = 0; h < 2; h++) {
		POOL_KB = (h ? 6144 : 8192) * MIB;
		printf("%sHost of %" PRIu64 " MiB for the guests (reserve 256 MiB): %s\n\n",
		       h ? "\n" : "", POOL_KB / MIB,
		       h ? "short at the peaks, whatever the policy" :
			   "enough at every instant, if it is where it is needed");
		printf("| policy | OOM events | guest-seconds short of need | host memory idle above the reserve, MiB (mean) | guest memory unused, MiB (mean, all guests) | target changes |\n");
		printf("|---|---:|---:|---:|---:|---:|\n");
		for (int p = 0; p < P_NR; p++) {
			run(p, &s);
			printf("| %s | %" PRIu64 " | %" PRIu64 " | %.0f | %.0f | %" PRIu64 " |\n",
			       pol_name[p], s.oom_events, s.short_s,
			       s.idle_kb_s / STEPS / MIB, s.slack_kb_s / STEPS / MIB,
			       s.changes);
		}
	}
	return 0;
}
