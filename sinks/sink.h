/* SPDX-License-Identifier: MIT */
/* sink.h: the sink and encoder contracts, and their registries. */
#ifndef SINK_H
#define SINK_H

#include <uv.h>

#include "agent.h"
#include "batch.h"
#include "buf.h"
#include "conf.h"

struct sink;

/* status 0: the batch is durable at the destination; < 0: it is not. */
typedef void (*sink_done_fn)(struct sink *s, struct batch *b, int status);
typedef void (*sink_closed_fn)(struct sink *s);

/*
 * A destination. The sink owns its loop handles; the core owns batches
 * and decides what to do with a failure.
 */
struct sink_ops {
	const char *name;
	const char *help;
	const struct conf_option *options; /* the sink's keys, NULL-terminated */
	size_t opts_size;	/* size of the struct the options fill */

	/* Take resources. Fails now (negative, with a message logged). */
	int (*open)(struct sink *s, uv_loop_t *loop);

	/*
	 * Borrow b until done. A negative return means refused now and done
	 * never runs; 0 means done runs exactly once, later, on the loop,
	 * with status 0 only once the batch is durable (written, 2xx,
	 * spooled). Batches are delivered in the order they were written.
	 */
	int (*write)(struct sink *s, struct batch *b, sink_done_fn done);

	/*
	 * Like uv_close: no write after it; pending batches finish (done is
	 * called for each) and then closed runs once, later, on the loop.
	 */
	void (*close)(struct sink *s, sink_closed_fn closed);
};

/* What a sink tells /metrics and /health; it keeps these up to date. */
struct sink_stats {
	uint64_t sent;		/* batches (requests) delivered */
	uint64_t retried;	/* attempts that failed and will be made again */
	uint64_t dead;		/* batches refused for good (dead-lettered) */
	uint64_t spool_bytes, spool_events;	/* waiting in the spool */
	uint64_t spool_dropped;	/* events dropped from a full spool */
	uint64_t spool_corrupt;	/* damaged spool records skipped */
	int down;		/* the destination fails now */
	char last_error[160];	/* the latest failure, "" once it works */
};

/* One instance of a sink. */
struct sink {
	const struct sink_ops *ops;
	const struct conf_sink *conf;	/* valid during open() only */
	char *name;		/* the config's name, or "stdout" etc. */
	void *priv;		/* the sink's own state */
	void *owner;		/* the pipeline that writes to it */
	unsigned nsources;	/* sources feeding it: name them when several */
	unsigned hold_max;
	int64_t max_age_ms;	/* how long it lets events wait to fill its batches; 0: not at all */	/* batches it may keep waiting for more (backpressure) */
	unsigned inflight;	/* batches written and not yet done */
	int closing;
	int drain;		/* closing at the end of input: deliver all, spooled too */
	unsigned gen;		/* which config made it; see pipeline_retire_sinks */
	/*
	 * A live status line for a terminal (set by the owner, or NULL): the
	 * text, no newline, at most cap - 1 bytes. The stdout sink keeps it
	 * on the last line when it writes pretty text to a terminal.
	 */
	size_t (*status)(void *arg, char *buf, size_t cap);
	void *status_arg;
	const char *state_dir;	/* the agent's (owned, freed with the sink), or NULL */
	struct sink_stats st;
	struct sink *next;	/* in the pipeline's list */
};

/*
 * The batches a sink holds, oldest first: what write() queues and what
 * it owes a done for. Every sink delivers in order, so one list will do.
 */
struct sink_item {
	struct batch *b;
	sink_done_fn done;
	struct sink_item *next;
	/* For sinks that cut their own batches (batcher.h). */
	unsigned taken;		/* events already in a span */
	unsigned spans;		/* spans holding its events, not yet done */
	int whole;		/* every event is in a span */
	int status;		/* the worst a span of it ended with */
	size_t ev_bytes;	/* bytes per event, about */
	int64_t since;		/* when it was queued, ns */
};
struct sink_queue {
	struct sink_item *head, *tail;
};

/*
 * A sink that keeps more per batch puts struct sink_item first in its own
 * struct and appends and removes that; push and done allocate and free a
 * bare item.
 */
void	sink_queue_append(struct sink_queue *q, struct sink_item *it);
void	sink_queue_remove(struct sink_queue *q, struct sink_item *it);
void	sink_queue_push(struct sink_queue *q, struct batch *b, sink_done_fn done);
/* Take the oldest off the queue and call its done with status. */
void	sink_queue_done(struct sink_queue *q, struct sink *s, int status);

extern const struct sink_ops *const sink_table[];
const struct sink_ops *sink_find(const char *name);
const char *sink_names(void);

/* Encoders: pure functions from events to bytes. */
struct encode_opts {
	int color;		/* ANSI colours (pretty only) */
	int show_source;	/* name the source on each line (pretty only) */
	unsigned width;		/* wrap at this many columns, with an indent (pretty only); 0: never */
};

struct encoder_ops {
	const char *name;
	const char *help;
	/*
	 * Append one event to out. May leave a partial event behind when
	 * out hits its cap: encoder_run() takes that back.
	 */
	void (*encode)(const struct encode_opts *o, const struct event *ev,
	    struct buf *out);
};

/*
 * Append ev[0..nev) to out with enc, whole events only. Returns 0, or
 * AGENT_E_TOOBIG when out hit its cap (out then holds the events that
 * fitted).
 */
int	encoder_run(const struct encoder_ops *enc, const struct encode_opts *o,
	    const struct event *ev, size_t nev, struct buf *out);

extern const struct encoder_ops enc_ndjson;

/*
 * Whole-batch bodies for collectors: Loki's push API (streams by source
 * and level), OTLP/HTTP JSON logs, and an Elasticsearch _bulk body.
 */
void	enc_loki_batch(const struct event *ev, unsigned n, struct buf *out);
void	enc_otlp_batch(const struct event *ev, unsigned n, struct buf *out);
void	enc_es_bulk_batch(const struct event *ev, unsigned n, struct buf *out);
extern const struct encoder_ops enc_pretty;
extern const struct sink_ops sink_stdout;
extern const struct sink_ops sink_file;
extern const struct sink_ops sink_http;
/* Set by main when the process started with standard output closed. */
extern int sink_stdout_closed;
extern const struct sink_ops sink_null;

#endif
