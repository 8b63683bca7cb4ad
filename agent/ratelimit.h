/* SPDX-License-Identifier: MIT */
/* ratelimit.h: a token bucket per source that drops the lower levels first, and counts what it drops. */
#ifndef RATELIMIT_H
#define RATELIMIT_H

#include <stdint.h>

#include "agent.h"
#include "buf.h"

/*
 * rate events a second, up to burst at once. Levels at or above keep are
 * never dropped (they still take tokens, so the others get fewer). Below
 * it, a level may take a token only while the bucket holds more than a
 * reserve for the levels above it: with keep error, warn may empty the
 * bucket, info may take it down to a third, debug to two thirds. So in a
 * flood debug goes first, then info, then warn.
 */
struct ratelimit {
	double rate, burst;
	int keep;		/* a level, or LEVEL_COUNT to keep none for sure */
	double reserve[LEVEL_COUNT];	/* tokens that must stay for the levels above */
	double tokens;
	int64_t last_ns;	/* of the last refill; 0 before the first event */
	/* Since the last summary. */
	uint64_t dropped[LEVEL_COUNT];
	uint64_t kept;
	int64_t since_ns;
	uint64_t dropped_total;	/* since start, for /metrics */
};

/* rate 0 is no limit; burst 0 is rate. keep is a level or LEVEL_COUNT (none). */
void	ratelimit_init(struct ratelimit *r, double rate, double burst, int keep);

/* Whether an event of this level at now_ns (monotonic) goes on; 0: dropped and counted. */
int	ratelimit_take(struct ratelimit *r, enum level level, int64_t now_ns);

/*
 * If something was dropped since the last summary and at least every_ns
 * has passed (or at once when every_ns is 0): one JSON event line of the
 * drops by level into out (the caller sends it as the source's), the
 * counts reset; 1 when written. now_ns is monotonic, wall_ns its time.
 */
int	ratelimit_summary(struct ratelimit *r, int64_t now_ns,
	    int64_t wall_ns, int64_t every_ns, struct buf *out);

#endif
