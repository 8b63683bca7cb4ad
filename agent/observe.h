/* SPDX-License-Identifier: MIT */
/* observe.h: the agent watching its traffic: metrics from events, /metrics and /health, metrics events. */
#ifndef OBSERVE_H
#define OBSERVE_H

#include <uv.h>

#include "errgroup.h"
#include "evclock.h"
#include "httpd.h"
#include "metrics.h"
#include "pipeline.h"
#include "slo.h"
#include "source.h"

struct observe {
	uv_loop_t *loop;
	struct pipeline *pipe;
	struct source_env *env;
	int have_metrics;
	struct metrics m;
	struct evclock clock;	/* what windows, SLOs and alerts follow */
	int64_t first_ns;	/* the clock at the first event */
	struct slos slos;
	int httpd_started;	/* httpd_close is owed */
	int serving;
	struct httpd httpd;
	uv_timer_t tick;	/* each second: windows advance, metrics events go out */
	int emit;		/* window-end events to the sinks */
	struct buf pending;	/* those events, as JSON lines, until the next tick */
	struct pipeline_input input;	/* where they come from: "logagent" */
	int64_t started_ns;
	uint64_t levels[LEVEL_COUNT];	/* events seen, by level */
	struct errgroups eg;	/* error and fatal messages by shape */
	unsigned open_handles;
	void (*on_closed)(struct observe *o);
};

/*
 * Start aggregating (conf metrics.enabled) and, when listen is set and
 * addr is not empty, serving /metrics and /health. A port that cannot be
 * bound is logged and the agent runs on without it. Hooks into pipe.
 */
void	observe_start(struct observe *o, uv_loop_t *loop, const struct conf *c,
	    struct pipeline *pipe, struct source_env *env, int listen);
void	observe_close(struct observe *o, void (*on_closed)(struct observe *o));
void	observe_free(struct observe *o);

/*
 * Count the events read so far: the pipeline hands them over a batch at a
 * time, so every reader of figures or counts calls this first.
 */
void	observe_catch_up(struct observe *o);

/* The clock of the windows (event or wall time), after observe_catch_up; the wall before the first event. */
int64_t	observe_clock(struct observe *o);

/* The terminal's status line (sink.status): requests/s, error %, p50/p95/p99. */
size_t	observe_status_line(void *arg, char *buf, size_t cap);

/* A latency in seconds as a person reads it at a glance: 0.40ms, 21ms, 1.50s. */
int	observe_dur(char *out, size_t cap, double s);

/* The agent's own metrics, in the Prometheus text format. */
void	observe_agent_metrics(struct observe *o, struct buf *out);

#endif
