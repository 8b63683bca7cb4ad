/* SPDX-License-Identifier: MIT */
/* evclock.h: the time windows, SLOs and alerts follow: the events' own, or the wall's. */
#ifndef EVCLOCK_H
#define EVCLOCK_H

#include <stdint.h>

#include "agent.h"

/* A stream quiet for this long (monotonic time) lets the clock run on by itself. */
#define EVCLOCK_IDLE_NS	(5LL * 1000000000)

/*
 * With event time the clock is the newest event time seen (a watermark):
 * it never goes back, and a replay (--oneshot) moves it exactly as the
 * original traffic did. Lines without a time count at the clock as it
 * stands. Live, a quiet stream must still let minutes end (alerts resolve,
 * freshness goes bad), so after EVCLOCK_IDLE_NS without a move the clock
 * runs with the monotonic clock, and is kept no further behind the wall
 * than the lateness.
 */
struct evclock {
	int event;		/* follow event time; else wall time */
	int live;		/* not a replay: idle time passes */
	int64_t lateness;	/* ns an event may trail the clock and still count */
	int64_t now;		/* 0 until the first event (or idle tick) */
	int moved;		/* an event moved it since the last tick */
	uint64_t moved_mono;	/* monotonic ns of the tick that saw the last move */
	uint64_t tick_mono;	/* of the last tick */
	uint64_t late;		/* events older than now - lateness */
	uint64_t future;	/* live: events dated past the wall clock + lateness, taken at wall time */
};

void	evclock_init(struct evclock *c, int event, int live, int64_t lateness_ns);

/*
 * The time event ev counts at, read at wall time recv_ns; the clock moves
 * to it when it is newer. Returns -1 for a late event (counted in
 * c->late): it is older than the clock less the lateness, and its minutes
 * are over. Inline: every event comes here.
 */
static inline int64_t
evclock_event(struct evclock *c, const struct event *ev, int64_t recv_ns)
{
	int64_t t;

	if (!c->event) {
		if (recv_ns > c->now)
			c->now = recv_ns;
		return c->now;
	}
	if (ev->flags & EVENT_TIME_RECV)
		t = c->now != 0 ? c->now : recv_ns;
	else
		t = ev->time_ns;
	if (c->live && t > recv_ns + c->lateness) {
		/* A clock ahead of ours (or a misread date) must not end windows early. */
		c->future++;
		t = recv_ns;
	}
	if (t > c->now) {
		c->now = t;
		c->moved = 1;
	} else if (t < c->now - c->lateness) {
		c->late++;
		return -1;
	}
	return t;
}

/* A timer's tick: wall time, or idle time passing. Returns the clock. */
int64_t	evclock_tick(struct evclock *c, int64_t wall_ns, uint64_t mono_ns);

#endif
