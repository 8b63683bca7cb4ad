/* SPDX-License-Identifier: MIT */
/* evclock.c: the clock of windows and SLOs, moved by event time (or wall time). */
#include "config.h"

#include <string.h>

#include "evclock.h"

void
evclock_init(struct evclock *c, int event, int live, int64_t lateness_ns)
{
	memset(c, 0, sizeof *c);
	c->event = event;
	c->live = live;
	c->lateness = lateness_ns;
}

int64_t
evclock_event(struct evclock *c, const struct event *ev, int64_t recv_ns,
    uint64_t mono_ns)
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
		c->moved_mono = mono_ns;
	} else if (t < c->now - c->lateness) {
		c->late++;
		return -1;
	}
	return t;
}

int64_t
evclock_tick(struct evclock *c, int64_t wall_ns, uint64_t mono_ns)
{
	if (!c->event) {
		if (wall_ns > c->now)
			c->now = wall_ns;
	} else if (c->live && c->moved_mono == 0) {
		c->moved_mono = mono_ns;	/* the first tick: a grace to read the first lines */
	} else if (c->live && mono_ns - c->moved_mono >= (uint64_t)EVCLOCK_IDLE_NS) {
		/*
		 * Quiet: time passes as the monotonic clock says, and a clock
		 * left behind by a backlog catches up with the wall (less the
		 * lateness, so a slow writer's lines still count).
		 */
		if (c->now != 0 && mono_ns > c->tick_mono && c->tick_mono != 0)
			c->now += (int64_t)(mono_ns - c->tick_mono);
		if (c->now < wall_ns - c->lateness)
			c->now = wall_ns - c->lateness;
	}
	c->tick_mono = mono_ns;
	return c->now;
}
