/* SPDX-License-Identifier: MIT */
/* batch.h: a run of events with the arena that holds them and their bytes. */
#ifndef BATCH_H
#define BATCH_H

#include "agent.h"
#include "arena.h"

struct ack_mark;
struct ack_stream;

/*
 * A batch owns its arena; every event in it, every line its events were
 * parsed from and every decoded string live there. Sinks borrow a batch
 * from write() until they call done; the pipeline recycles it when the
 * last sink is done.
 */
struct batch {
	struct arena arena;
	struct event *events;	/* max_events slots, malloc'd once */
	unsigned nevents;
	unsigned max_events;
	unsigned pending;	/* sinks that have not called done yet */
	int status;		/* the first failure a sink reported, or 0 */
	struct batch *next;	/* in the in-flight list or the free list */
	/*
	 * One mark per input file with lines in the batch (kept or filtered
	 * out): done when the batch is, so checkpoints move past them.
	 */
	struct ack_mark **marks;
	unsigned nmarks, marks_cap;
	struct ack_stream *last_stream;	/* the stream marks[nmarks - 1] is of */
	int64_t born_ns;	/* when its first line was read */
	uint64_t born_mono_ms;	/* the same on the loop's monotonic clock, for waits */
	unsigned unmarked;	/* lines from inputs without offsets (stdin, the agent's own) */
};

void	batch_init(struct batch *b, unsigned max_events, size_t chunk,
	    size_t cap);
/* Forget every event; keeps the memory. */
void	batch_clear(struct batch *b);
void	batch_free(struct batch *b);

static inline int
batch_full(const struct batch *b)
{
	return b->nevents == b->max_events;
}

#endif
