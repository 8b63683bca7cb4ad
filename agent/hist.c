/* SPDX-License-Identifier: MIT */
/* hist.c: log-linear histograms: adding, quantiles, merging, and sparse slots for windows. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "hist.h"
#include "xmalloc.h"

void
hist_init(struct hist *h)
{
	memset(h, 0, sizeof *h);
	h->min = UINT64_MAX;
}

void
hist_clear(struct hist *h)
{
	if (h->count > 0)
		memset(&h->b[hist_bucket(h->min)], 0,
		    (hist_bucket(h->max) - hist_bucket(h->min) + 1) * sizeof h->b[0]);
	h->count = h->sum = h->max = 0;
	h->min = UINT64_MAX;
}

uint64_t
hist_bucket_low(unsigned i)
{
	unsigned k;

	if (i < HIST_LINEAR)
		return i;
	k = (i - HIST_LINEAR) / HIST_SUB + 7;
	return ((uint64_t)HIST_SUB + (i - HIST_LINEAR) % HIST_SUB) << (k - 6);
}

uint64_t
hist_bucket_high(unsigned i)
{
	if (i < HIST_LINEAR)
		return i;
	return hist_bucket_low(i) + (1ULL << ((i - HIST_LINEAR) / HIST_SUB + 1)) - 1;
}

/* The middle of bucket i, within the exact min and max. */
static uint64_t
hist_mid(const struct hist *h, unsigned i)
{
	uint64_t v = hist_bucket_low(i) + (hist_bucket_high(i) - hist_bucket_low(i)) / 2;

	return v < h->min ? h->min : v > h->max ? h->max : v;
}

/* The smallest count of values at or below a quantile q (0 < q < 1) of h. */
static uint64_t
hist_rank(const struct hist *h, double q)
{
	uint64_t rank = (uint64_t)(q * (double)h->count);

	if ((double)rank < q * (double)h->count)
		rank++;
	return rank == 0 ? 1 : rank;
}

void
hist_quantiles(const struct hist *h, const double *q, unsigned nq, uint64_t *out)
{
	uint64_t seen = 0, want = 0;
	unsigned i, j, hi;

	if (h->count == 0) {
		for (j = 0; j < nq; j++)
			out[j] = 0;
		return;
	}
	for (j = 0; j < nq && q[j] <= 0; j++)
		out[j] = h->min;
	/* Only the buckets from the least value to the greatest can be set. */
	hi = hist_bucket(h->max);
	if (j < nq && q[j] < 1)
		want = hist_rank(h, q[j]);
	for (i = hist_bucket(h->min); i <= hi && j < nq && q[j] < 1; i++) {
		seen += h->b[i];
		while (j < nq && q[j] < 1 && seen >= want) {
			out[j++] = hist_mid(h, i);
			if (j < nq && q[j] < 1)
				want = hist_rank(h, q[j]);
		}
	}
	for (; j < nq; j++)
		out[j] = h->max;	/* q of 1, or past the last value */
}

uint64_t
hist_quantile(const struct hist *h, double q)
{
	uint64_t v;

	hist_quantiles(h, &q, 1, &v);
	return v;
}

void
hist_merge(struct hist *into, const struct hist *from)
{
	unsigned i;

	if (from->count == 0)
		return;
	for (i = 0; i < HIST_BUCKETS; i++)
		into->b[i] += from->b[i];
	into->count += from->count;
	into->sum += from->sum;
	if (from->min < into->min)
		into->min = from->min;
	if (from->max > into->max)
		into->max = from->max;
}

/*
 * count, sum, min and max kept in registers over the values, not in h:
 * with hist_add, each value waited on the last's stores to them (the
 * compiler cannot tell a bucket's count from h's own fields).
 */
void
hist_add_log(struct hist *h, const uint32_t *v, uint32_t n)
{
	uint64_t sum = 0;
	uint32_t i, min = UINT32_MAX, max = 0;

	if (n == 0)
		return;
	for (i = 0; i < n; i++) {
		h->b[hist_bucket(v[i])]++;
		sum += v[i];
		min = v[i] < min ? v[i] : min;
		max = v[i] > max ? v[i] : max;
	}
	h->count += n;
	h->sum += sum;
	if (min < h->min)
		h->min = min;
	if (max > h->max)
		h->max = max;
}

/* out's room for n entries at least; what it held is not kept. */
static void
hist_sparse_room(struct hist_sparse *out, uint64_t n)
{
	if (n <= out->cap)
		return;
	out->cap = (uint32_t)n;
	free(out->e);
	out->e = xmalloc((size_t)out->cap * sizeof *out->e);
}

/* The rare compaction with a bucket past HIST_ENTRY_MAX: it takes more than one entry. */
static uint32_t
hist_compact_split(const struct hist *h, unsigned lo, unsigned hi, struct hist_sparse *out)
{
	uint64_t need = 0;
	uint32_t n = 0, c;
	unsigned i;

	for (i = lo; i <= hi; i++)
		need += ((uint64_t)h->b[i] + HIST_ENTRY_MAX - 1) / HIST_ENTRY_MAX;
	hist_sparse_room(out, need);
	for (i = lo; i <= hi; i++)
		for (c = h->b[i]; c > 0; c -= c > HIST_ENTRY_MAX ? HIST_ENTRY_MAX : c)
			out->e[n++] = (hist_entry)i << HIST_ENTRY_SHIFT |
			    (c > HIST_ENTRY_MAX ? HIST_ENTRY_MAX : c);
	return n;
}

void
hist_compact(const struct hist *h, struct hist_sparse *out)
{
	unsigned i, lo, hi;
	uint32_t n = 0, any = 0;

	hist_sparse_clear(out);
	if (h->count == 0)
		return;
	/* Only the buckets between the least and the greatest value can be set. */
	lo = hist_bucket(h->min);
	hi = hist_bucket(h->max);
	/* No more buckets are set than there are values: a tick's few need few entries. */
	hist_sparse_room(out, h->count < hi - lo + 1 ? h->count : hi - lo + 1);
	/*
	 * Every bucket written, the next written over it unless it counted:
	 * whether a bucket is empty is a coin toss in a tick's range, and a
	 * branch on it was mispredicted half the time. The last bucket (the
	 * max's) is set, so no write goes past the set ones.
	 */
	for (i = lo; i <= hi; i++) {
		out->e[n] = (hist_entry)i << HIST_ENTRY_SHIFT | h->b[i];
		n += h->b[i] != 0;
		any |= h->b[i];
	}
	if (any > HIST_ENTRY_MAX)
		n = hist_compact_split(h, lo, hi, out);
	out->n = n;
	out->count = h->count;
	out->sum = h->sum;
	out->min = h->min;
	out->max = h->max;
}

void
hist_move(struct hist *h, struct hist_sparse *out)
{
	hist_compact(h, out);
	hist_clear(h);
}

void
hist_merge_sparse(struct hist *into, const struct hist_sparse *from)
{
	uint32_t k;

	if (from->count == 0)
		return;
	for (k = 0; k < from->n; k++)
		into->b[hist_entry_bucket(from->e[k])] += hist_entry_count(from->e[k]);
	into->count += from->count;
	into->sum += from->sum;
	if (from->min < into->min)
		into->min = from->min;
	if (from->max > into->max)
		into->max = from->max;
}

void
hist_sparse_merge(struct hist_sparse *into, const struct hist_sparse *from,
    struct hist *scratch)
{
	if (from->count == 0)
		return;
	if (into->count == 0) {
		/* A slot's first tick (every tick, for a 1m window): a copy. */
		if (from->n > into->cap) {
			/* Room to spare: a slot takes a tick at a time, and most add a few buckets. */
			into->cap = from->n > 2 * into->cap ? from->n : 2 * into->cap;
			free(into->e);
			into->e = xmalloc((size_t)into->cap * sizeof *into->e);
		}
		memcpy(into->e, from->e, (size_t)from->n * sizeof *into->e);
		into->n = from->n;
		into->count = from->count;
		into->sum = from->sum;
		into->min = from->min;
		into->max = from->max;
		return;
	}
	/*
	 * Both into a histogram that stays in cache, then compacted back: a
	 * merge of two sorted lists, entry by entry, was a branch on their
	 * order each step, mispredicted about half the time.
	 */
	hist_merge_sparse(scratch, into);
	hist_merge_sparse(scratch, from);
	hist_move(scratch, into);
}

void
hist_sparse_clear(struct hist_sparse *s)
{
	s->n = 0;
	s->count = s->sum = s->max = 0;
	s->min = UINT64_MAX;
}

void
hist_sparse_free(struct hist_sparse *s)
{
	free(s->e);
	memset(s, 0, sizeof *s);
	s->min = UINT64_MAX;
}
