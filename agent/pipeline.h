/* SPDX-License-Identifier: MIT */
/* pipeline.h: lines in, parsed and filtered events out to every sink, in batches. */
#ifndef PIPELINE_H
#define PIPELINE_H

#include <stdint.h>
#include <uv.h>

#include "ack.h"
#include "batch.h"
#include "conf.h"
#include "filter.h"
#include "ratelimit.h"
#include "redact.h"
#include "parser.h"
#include "sink.h"

struct pipeline_stats {
	uint64_t lines;		/* lines handed in */
	uint64_t events_out;	/* events given to the sinks */
	uint64_t filtered;	/* below the level, or not passing the filters */
	uint64_t parse_errors;	/* lines no parser took */
	uint64_t truncated;	/* lines cut at the maximum length */
	uint64_t rate_limited;	/* dropped by a source's rate limit */
	uint64_t batches_failed;
	uint64_t events_failed;	/* in batches some sink did not take */
};

/*
 * The pipeline owns its batches and the list of sinks; sources call
 * pipeline_line() and pipeline_flush(), and stop reading while
 * pipeline_busy() (backpressure). Sinks are owned once added.
 */
struct pipeline {
	uv_loop_t *loop;
	enum level level;
	struct redactor redact;	/* first: nothing after it sees a secret */
	struct filter filter;	/* after the level; metrics see all the same */
	struct parse_ctx pctx;
	struct sink *sinks;
	struct batch *cur;	/* being filled, or NULL */
	struct batch *free;	/* recycled batches */
	unsigned inflight;	/* batches given to sinks and not all done */
	unsigned max_inflight;
	unsigned max_events;
	size_t batch_cap;	/* arena cap per batch */
	const struct pipeline_input *name_src; /* whose name and labels cur holds */
	struct slice name;
	struct field *labels;	/* in cur's arena */
	unsigned nlabels;
	struct pipeline_stats stats;

	/* Called when backpressure lifts, so paused sources read again. */
	void (*on_drain)(void *arg);
	/* Called when a sink fails a batch (status < 0). */
	void (*on_fail)(void *arg, struct sink *s, int status);
	/*
	 * Each parsed event, the level filter's drops too (metrics see them
	 * all). Those the batch keeps are handed over a run at a time: just
	 * before it is sent, and at pipeline_observe_now. Their order may
	 * differ from the lines' within a batch; the metrics clock allows that.
	 */
	void (*observe)(void *arg, const struct event *ev);
	void *observe_arg;
	unsigned observed;	/* events of cur already handed to observe */
	/* Called once each sink given to pipeline_close has closed. */
	void (*on_closed)(void *arg);
	void *arg;
	int closing;
	int drain;		/* set before pipeline_close: sinks deliver everything, spools too */
	uv_check_t flush;	/* sends the batch being filled at the end of each loop turn */
	uv_timer_t hold;	/* ends the wait for more lines in the batch being filled */
};

/* Hand observe the events of the batch being filled that it has not seen (before a scrape). */
void	pipeline_observe_now(struct pipeline *p);

void	pipeline_init(struct pipeline *p, uv_loop_t *loop, const struct conf *c,
	    size_t max_line);
/* Re-read level and limits from a new conf (after SIGHUP). */
void	pipeline_configure(struct pipeline *p, const struct conf *c,
	    size_t max_line);
/* Open a sink and write to it from the next batch on; takes ownership. */
int	pipeline_add_sink(struct pipeline *p, struct sink *s);
/*
 * Close sinks once their batches are done: those of generation gen when
 * same is set, all the others when it is not (a reload retires the old).
 */
void	pipeline_retire_sinks(struct pipeline *p, unsigned gen, int same);

/*
 * Where a line comes from. The pipeline copies name and labels into each
 * batch that needs them, so an input may go away while its batches are in
 * flight; ack (NULL for stdin) must stay until its marks are done.
 */
struct pipeline_input {
	const char *name;
	const struct parser_ops *format;
	const struct parse_opts *opts;	/* NULL: none */
	struct auto_state *learn;	/* what auto learnt of this input, or NULL */
	const struct conf_strmap *labels;
	struct ack_stream *ack;
	struct ratelimit *limit;	/* the source's, or NULL */
	int internal;		/* the agent's own events (metrics, alerts, summaries): not traffic */
};

/*
 * One line; end is the input offset just past it, acknowledged on
 * in->ack once every sink has the batch. The line is copied; it need not
 * outlive the call.
 */
void	pipeline_line(struct pipeline *p, const struct pipeline_input *in,
	    const char *line, size_t n, unsigned flags, int64_t recv_ns,
	    uint64_t end);
/*
 * Send the batch being filled, if it holds anything. It is also sent at
 * the end of every loop turn, so sources need not call this.
 */
void	pipeline_flush(struct pipeline *p);
static inline int
pipeline_busy(const struct pipeline *p)
{
	return p->inflight >= p->max_inflight;
}
/* Flush, let every sink finish and close; then on_closed. */
void	pipeline_close(struct pipeline *p);
void	pipeline_free(struct pipeline *p);

#endif
