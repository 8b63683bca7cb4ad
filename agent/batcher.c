/* SPDX-License-Identifier: MIT */
/* batcher.c: cut a sink's own batches from its queue by count, size and age. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "ack.h"
#include "batcher.h"

void
batcher_init(struct batcher *bt, const struct batcher_opts *o, unsigned hold_max)
{
	bt->o = o;
	bt->q.head = bt->q.tail = NULL;
	bt->hold_max = hold_max > 0 ? hold_max : 1;
}

void
batcher_add(struct batcher *bt, struct sink_item *it, struct batch *b,
    sink_done_fn done, int64_t now_ns)
{
	it->b = b;
	it->done = done;
	it->taken = 0;
	it->spans = 0;
	it->whole = 0;
	it->status = 0;
	/* Lines and fields as held in the arena: close to their encoded size. */
	it->ev_bytes = b->nevents > 0 ? b->arena.used / b->nevents : 0;
	if (it->ev_bytes == 0)
		it->ev_bytes = 1;
	/* Its events waited in the pipeline's batch too: count from the first. */
	it->since = b->born_ns > 0 && b->born_ns < now_ns ? b->born_ns : now_ns;
	sink_queue_append(&bt->q, it);
}

int
batcher_cut(struct batcher *bt, int64_t now_ns, int force, struct span *sp,
    int64_t *wake_ns)
{
	struct sink_item *it, *first = NULL;
	uint64_t events = 0;
	size_t bytes = 0;
	unsigned held = 0, n;
	int64_t age_ns = bt->o->max_age_ms * 1000000;

	*wake_ns = 0;
	for (it = bt->q.head; it != NULL; it = it->next) {
		if (it->whole)
			continue;
		if (first == NULL)
			first = it;
		held++;
		events += it->b->nevents - it->taken;
		bytes += (size_t)(it->b->nevents - it->taken) * it->ev_bytes;
	}
	if (first == NULL)
		return 0;
	if (!force && events < (uint64_t)bt->o->max_events && bytes < bt->o->max_bytes &&
	    held < bt->hold_max && now_ns - first->since < age_ns) {
		*wake_ns = first->since + age_ns;
		return 0;
	}
	sp->nparts = 0;
	sp->nevents = 0;
	sp->bytes = 0;
	for (it = first; it != NULL && sp->nparts < SPAN_PARTS; it = it->next) {
		if (it->whole)
			continue;
		n = it->b->nevents - it->taken;
		if (n > bt->o->max_events - sp->nevents)
			n = (unsigned)(bt->o->max_events - sp->nevents);
		/* One event at least, even one bigger than max_bytes. */
		if (sp->nevents > 0 && sp->bytes + n * it->ev_bytes > bt->o->max_bytes)
			n = (unsigned)((bt->o->max_bytes - sp->bytes) / it->ev_bytes);
		else if (sp->nevents == 0 && n * it->ev_bytes > bt->o->max_bytes)
			n = it->ev_bytes >= bt->o->max_bytes ? 1 :
			    (unsigned)(bt->o->max_bytes / it->ev_bytes);
		if (n == 0 && it->b->nevents > it->taken)
			break;
		sp->part[sp->nparts++] = (struct span_part){ it, it->taken, n };
		it->taken += n;
		it->spans++;
		it->whole = it->taken == it->b->nevents;
		sp->nevents += n;
		sp->bytes += n * it->ev_bytes;
		if (!it->whole || sp->nevents >= bt->o->max_events ||
		    sp->bytes >= bt->o->max_bytes)
			break;
	}
	return 1;
}

void
batcher_span_done(struct batcher *bt, struct sink *s, const struct span *sp,
    int status)
{
	struct sink_item *it;
	unsigned i;

	for (i = 0; i < sp->nparts; i++) {
		it = sp->part[i].it;
		if (status < 0 && it->status == 0)
			it->status = status;
		if (--it->spans > 0 || !it->whole)
			continue;
		/* Not always the oldest: spans may end in any order. */
		sink_queue_remove(&bt->q, it);
		it->done(s, it->b, it->status);
		free(it);
	}
}

int
span_encode(const struct span *sp, const struct encoder_ops *enc, struct buf *out)
{
	struct encode_opts eo = { 0, 0, 0 };
	unsigned i;
	int rc;

	for (i = 0; i < sp->nparts; i++)
		if ((rc = encoder_run(enc, &eo, sp->part[i].it->b->events + sp->part[i].from,
		    sp->part[i].n, out)) != 0)
			return rc;
	return 0;
}

/* FNV-1a over a 64-bit word, a byte at a time. */
static uint64_t
span_mix(uint64_t h, uint64_t v)
{
	int i;

	for (i = 0; i < 8; i++, v >>= 8)
		h = (h ^ (v & 0xff)) * 1099511628211ULL;
	return h;
}

int
span_key(const struct span *sp, char *out, size_t cap)
{
	const struct batch *b;
	uint64_t h = 14695981039346656037ULL, id, start, end;
	unsigned i, j;

	for (i = 0; i < sp->nparts; i++) {
		b = sp->part[i].it->b;
		if (b->unmarked > 0)
			return -1;
		for (j = 0; j < b->nmarks; j++) {
			ack_mark_range(b->marks[j], &id, &start, &end);
			if (id == 0)
				return -1;
			h = span_mix(span_mix(span_mix(h, id), start), end);
		}
		/* Which events of those lines: a batch cut in two has two keys. */
		h = span_mix(span_mix(h, sp->part[i].from), sp->part[i].n);
	}
	snprintf(out, cap, "%016llx-%u", (unsigned long long)h, sp->nevents);
	return 0;
}
