/* SPDX-License-Identifier: MIT */
/* batcher.h: a sink's own batches ("spans"), cut from the queued pipeline batches by count, size and age. */
#ifndef BATCHER_H
#define BATCHER_H

#include <stddef.h>
#include <stdint.h>

#include "sink.h"

/* A sink's "batch" object. */
struct batcher_opts {
	long long max_events;	/* at most this many events in a span */
	size_t max_bytes;	/* about this many bytes of events, at most */
	long long max_age_ms;	/* the oldest waits no longer than this */
};

/*
 * The "batch" table with a sink's own defaults (a collector wants fewer,
 * bigger requests; a file wants its lines on disk now).
 */
#define BATCHER_TABLE(name, events, bytes, age)				\
static const struct conf_option name[] = {				\
	{ "max_events", CONF_INT, events,				\
	  offsetof(struct batcher_opts, max_events), 1, 1000000, NULL, 0,	\
	  "events in one batch at most (a bigger queued run is split)", NULL },	\
	{ "max_bytes", CONF_SIZE, bytes,				\
	  offsetof(struct batcher_opts, max_bytes), 1024, 1LL << 30, NULL, 0,	\
	  "a batch is sent once its events hold about this many bytes (their lines as read), and holds no more", NULL },	\
	{ "max_age_ms", CONF_MS, age,					\
	  offsetof(struct batcher_opts, max_age_ms), 0, 3600000, NULL, 0,	\
	  "a batch is sent when its oldest event has waited this long, full or not; 0: at once", NULL },	\
	{ NULL, 0, NULL, 0, 0, 0, NULL, 0, NULL, NULL },		\
}

/* The queued pipeline batches of one sink, oldest first. */
struct batcher {
	const struct batcher_opts *o;
	struct sink_queue q;
	unsigned hold_max;	/* cut whatever waits once this many batches wait */
};

#define SPAN_PARTS	16

/*
 * One batch of the sink's own: events [from, from + n) of each part's
 * pipeline batch, in order. Spans of one sink never overlap; a pipeline
 * batch is done once every span holding its events is.
 */
struct span {
	unsigned nparts;
	unsigned nevents;
	size_t bytes;		/* the estimate max_bytes is held to */
	struct span_part {
		struct sink_item *it;
		unsigned from, n;
	} part[SPAN_PARTS];
};

void	batcher_init(struct batcher *bt, const struct batcher_opts *o,
	    unsigned hold_max);
/* Queue b (it is the caller's item, freed by batcher_span_done's free_item). */
void	batcher_add(struct batcher *bt, struct sink_item *it, struct batch *b,
	    sink_done_fn done, int64_t now_ns);
/*
 * The next span, if one is due now (or force: closing): 1 and *sp filled,
 * or 0 with *wake_ns the time one falls due by age (0: none waits).
 */
int	batcher_cut(struct batcher *bt, int64_t now_ns, int force,
	    struct span *sp, int64_t *wake_ns);
/*
 * The span is durable (status 0) or given up: each pipeline batch it
 * finishes is taken off the queue, done, and its item freed.
 */
void	batcher_span_done(struct batcher *bt, struct sink *s,
	    const struct span *sp, int status);
static inline int
batcher_empty(const struct batcher *bt)
{
	return bt->q.head == NULL;
}

/* Append the span's events to out with enc: 0, or AGENT_E_TOOBIG. */
int	span_encode(const struct span *sp, const struct encoder_ops *enc,
	    struct buf *out);
/*
 * An Idempotency-Key from what the span holds: each input's identity and
 * the byte ranges of its batches, and which of their events. 0, or -1
 * when some events came from no file (stdin, the agent's own): the
 * caller keys those by content.
 */
int	span_key(const struct span *sp, char *out, size_t cap);

#endif
