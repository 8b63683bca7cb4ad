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
evclock_tick(struct evclock *c, int64_t wall_ns, uint64_t mono_ns)
{
	if (c->moved || c->moved_mono == 0) {
		/* Moved since the last tick (or the first tick: a grace to read the first lines). */
		c->moved_mono = mono_ns;
		c->moved = 0;
	}
	if (!c->event) {
		if (wall_ns > c->now)
			c->now = wall_ns;
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
