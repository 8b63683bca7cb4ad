/* SPDX-License-Identifier: MIT */
/* run.h: running the agent: one loop, its sources, pipeline and signals. */
#ifndef RUN_H
#define RUN_H

#include "conf.h"

/* What the command line says over any config file, re-applied on reload. */
struct run_overrides {
	const char *level;	/* NULL: as configured */
	const char *format;
	const char *output;	/* "pretty" or "ndjson" for stdout sinks */
	const char *log_level;
	int no_color;
	const char *grep;	/* filters: NULL or empty, as configured */
	const char *route;
	char **where;
	size_t nwhere;
	int top;		/* the --top screen instead of events */
	int summary;		/* the summary on exit: to stdout on a terminal, else stderr */
};

/*
 * Apply the overrides to c. Returns 0, or AGENT_E_CONFIG with err filled.
 */
int	run_apply_overrides(struct conf *c, const struct run_overrides *o,
	    struct conf_err *err);

/*
 * Run until SIGINT/SIGTERM, or until every source has ended (stdin; with
 * oneshot, every file read to its current end). Takes ownership of c.
 * SIGHUP re-reads c->file when there is one. Returns the exit status:
 * non-zero when anything could not be delivered or checkpointed.
 */
int	run_agent(struct conf *c, const struct run_overrides *o, int oneshot);

/* Check (and create, 0700) the state directory; 0 or a negative code with a message logged. */
int	run_state_dir(const char *dir);

#endif
