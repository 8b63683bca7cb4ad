/* SPDX-License-Identifier: MIT */
/* ack.c: ordered acknowledgement of input offsets. */
#include "config.h"

#include <stddef.h>

#include "ack.h"
#include "xmalloc.h"

struct ack_mark {
	struct ack_stream *st;
	uint64_t id;
	uint64_t start;
	uint64_t offset;
	int done;
	struct ack_mark *next;
};

void
ack_stream_init(struct ack_stream *st, uint64_t acked, void *owner,
    void (*on_advance)(struct ack_stream *))
{
	st->head = st->tail = NULL;
	st->acked = acked;
	st->last = acked;
	st->id = 0;
	st->pending = 0;
	st->failed = 0;
	st->owner = owner;
	st->on_advance = on_advance;
}

struct ack_mark *
ack_mark_new(struct ack_stream *st, uint64_t offset)
{
	struct ack_mark *m = xmalloc(sizeof *m);

	m->st = st;
	m->id = st->id;
	m->start = st->last;
	m->offset = offset;
	if (offset > st->last)
		st->last = offset;
	m->done = 0;
	m->next = NULL;
	if (st->tail != NULL)
		st->tail->next = m;
	else
		st->head = m;
	st->tail = m;
	st->pending++;
	return m;
}

void
ack_mark_extend(struct ack_mark *m, uint64_t offset)
{
	if (offset > m->offset)
		m->offset = offset;
	if (offset > m->st->last)
		m->st->last = offset;
}

struct ack_stream *
ack_mark_stream(const struct ack_mark *m)
{
	return m->st;
}

void
ack_mark_range(const struct ack_mark *m, uint64_t *id, uint64_t *start,
    uint64_t *end)
{
	*id = m->id;
	*start = m->start;
	*end = m->offset;
}

void
ack_mark_done(struct ack_mark *m, int status)
{
	struct ack_stream *st = m->st;
	struct ack_mark *h;
	uint64_t before = st->acked;

	m->done = 1;
	if (status != 0)
		st->failed = 1;
	while ((h = st->head) != NULL && h->done) {
		st->head = h->next;
		if (st->head == NULL)
			st->tail = NULL;
		st->pending--;
		/*
		 * Offsets only grow within a file's identity; a reset to 0
		 * (truncation) starts a new stream, never reuses this one.
		 */
		if (!st->failed && h->offset > st->acked)
			st->acked = h->offset;
		free(h);
	}
	if (st->acked != before && st->on_advance != NULL)
		st->on_advance(st);
}
