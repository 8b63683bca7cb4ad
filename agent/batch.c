/* SPDX-License-Identifier: MIT */
/* batch.c: batches of events. */
#include "config.h"

#include <string.h>

#include "batch.h"
#include "xmalloc.h"

void
batch_init(struct batch *b, unsigned max_events, size_t chunk, size_t cap)
{
	memset(b, 0, sizeof *b);
	arena_init(&b->arena, chunk, cap);
	b->max_events = max_events;
	b->events = xcalloc(max_events, sizeof *b->events);
}

void
batch_clear(struct batch *b)
{
	arena_reset(&b->arena);
	b->nevents = 0;
	b->pending = 0;
	b->status = 0;
	b->next = NULL;
	b->nmarks = 0;
	b->unmarked = 0;
	b->born_ns = 0;
	b->last_stream = NULL;
}

void
batch_free(struct batch *b)
{
	arena_free(&b->arena);
	free(b->events);
	free(b->marks);
	b->events = NULL;
	b->marks = NULL;
}
