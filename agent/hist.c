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

uint64_t
hist_quantile(const struct hist *h, double q)
{
	uint64_t rank, seen = 0, v;
	unsigned i;

	if (h->count == 0)
		return 0;
	if (q <= 0)
		return h->min;
	if (q >= 1)
		return h->max;
	/* The smallest value with at least q of the values at or below it. */
	rank = (uint64_t)(q * (double)h->count);
	if ((double)rank < q * (double)h->count)
		rank++;
	if (rank == 0)
		rank = 1;
	for (i = 0; i < HIST_BUCKETS; i++) {
		seen += h->b[i];
		if (seen >= rank)
			break;
	}
	if (i == HIST_BUCKETS)
		return h->max;
	v = hist_bucket_low(i) + (hist_bucket_high(i) - hist_bucket_low(i)) / 2;
	return v < h->min ? h->min : v > h->max ? h->max : v;
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

void
hist_compact(const struct hist *h, struct hist_sparse *out)
{
	unsigned i, n = 0;

	unsigned lo, hi;

	memset(out, 0, sizeof *out);
	out->min = UINT64_MAX;
	if (h->count == 0)
		return;
	/* Only the buckets between the least and the greatest value can be set. */
	lo = hist_bucket(h->min);
	hi = hist_bucket(h->max);
	for (i = lo; i <= hi; i++)
		n += h->b[i] != 0;
	out->e = xcalloc(n, sizeof *out->e);
	for (i = lo; i <= hi; i++)
		if (h->b[i] != 0)
			out->e[out->n++] = (struct hist_entry){ (uint16_t)i, h->b[i] };
	out->count = h->count;
	out->sum = h->sum;
	out->min = h->min;
	out->max = h->max;
}

void
hist_merge_sparse(struct hist *into, const struct hist_sparse *from)
{
	uint32_t k;

	if (from->count == 0)
		return;
	for (k = 0; k < from->n; k++)
		into->b[from->e[k].i] += from->e[k].c;
	into->count += from->count;
	into->sum += from->sum;
	if (from->min < into->min)
		into->min = from->min;
	if (from->max > into->max)
		into->max = from->max;
}

void
hist_sparse_merge(struct hist_sparse *into, const struct hist_sparse *from)
{
	struct hist_entry *e;
	uint32_t a = 0, b = 0, n = 0;

	if (from->count == 0)
		return;
	if (into->count == 0) {
		/* A slot's first tick (every tick, for a 1m window): a copy will do. */
		free(into->e);
		into->e = xmalloc((size_t)from->n * sizeof *e);
		memcpy(into->e, from->e, (size_t)from->n * sizeof *e);
		into->n = from->n;
		into->count = from->count;
		into->sum = from->sum;
		into->min = from->min;
		into->max = from->max;
		return;
	}
	/* Both are sorted by bucket: one pass, like merging two sorted lists. */
	e = xcalloc((size_t)into->n + from->n, sizeof *e);
	while (a < into->n || b < from->n) {
		if (b == from->n || (a < into->n && into->e[a].i < from->e[b].i))
			e[n++] = into->e[a++];
		else if (a == into->n || from->e[b].i < into->e[a].i)
			e[n++] = from->e[b++];
		else {
			e[n] = into->e[a++];
			e[n++].c += from->e[b++].c;
		}
	}
	free(into->e);
	into->e = e;
	into->n = n;
	into->count += from->count;
	into->sum += from->sum;
	if (from->min < into->min)
		into->min = from->min;
	if (from->max > into->max)
		into->max = from->max;
}

void
hist_sparse_free(struct hist_sparse *s)
{
	free(s->e);
	memset(s, 0, sizeof *s);
	s->min = UINT64_MAX;
}
