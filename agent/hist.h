/* SPDX-License-Identifier: MIT */
/* hist.h: log-linear latency histograms (HdrHistogram-like): bounded relative error, fixed size, mergeable. */
#ifndef HIST_H
#define HIST_H

#include <stddef.h>
#include <stdint.h>

/*
 * Values are whole microseconds. Below 128 each value has its own bucket;
 * above, every power of two is cut into 64 equal buckets, so a bucket is
 * at most 1/64 of its lower bound wide and its midpoint is within 1/128
 * (0.78%) of any value in it. 2048 buckets reach 2^36 us (19 hours);
 * larger values land in the last bucket (max stays exact).
 */
#define HIST_LINEAR	128
#define HIST_SUB	64
#define HIST_BUCKETS	2048

struct hist {
	uint64_t count;
	uint64_t sum;		/* of the values, us */
	uint64_t min, max;	/* exact; min is UINT64_MAX when empty */
	uint32_t b[HIST_BUCKETS];
};

/*
 * A histogram kept as its non-empty buckets only: a closed time slot of a
 * rolling window, usually a few hundred bytes instead of 8 KiB. Owned by
 * whoever holds it; hist_sparse_free releases the entries.
 *
 * An entry is one word: the bucket in the top 11 bits, its count in the
 * low 21. Closing ticks is mostly moving slots through memory that has
 * left the caches, and a 2-byte index beside a 4-byte count took 8 bytes
 * with the padding: at 4 the ticks took half the time. A count past
 * HIST_ENTRY_MAX (a busy slot) is split over entries of the same bucket,
 * which a merge adds up.
 */
#define HIST_ENTRY_SHIFT	21
#define HIST_ENTRY_MAX		((1U << HIST_ENTRY_SHIFT) - 1)
typedef uint32_t hist_entry;
_Static_assert(HIST_BUCKETS <= 1U << (32 - HIST_ENTRY_SHIFT), "a bucket fits an entry's index");

static inline unsigned
hist_entry_bucket(hist_entry e)
{
	return e >> HIST_ENTRY_SHIFT;
}

static inline uint32_t
hist_entry_count(hist_entry e)
{
	return e & HIST_ENTRY_MAX;
}

struct hist_sparse {
	uint64_t count, sum, min, max;
	uint32_t n, cap;	/* entries used, and room for */
	hist_entry *e;
};

void	hist_init(struct hist *h);
/* Empty again, touching only the buckets between min and max (the only ones set). */
void	hist_clear(struct hist *h);

/* Inline: it is on the path of every latency. */
static inline unsigned
hist_bucket(uint64_t us)
{
	unsigned k, i;

	if (us < HIST_LINEAR)
		return (unsigned)us;
	/* us is in [2^k, 2^(k+1)), k >= 7: 64 buckets of 2^(k-6). */
	k = 63 - (unsigned)__builtin_clzll(us);
	i = HIST_LINEAR + (k - 7) * HIST_SUB + (unsigned)((us >> (k - 6)) - HIST_SUB);
	return i < HIST_BUCKETS ? i : HIST_BUCKETS - 1;
}

/* The smallest and largest value of bucket i. */
uint64_t hist_bucket_low(unsigned i);
uint64_t hist_bucket_high(unsigned i);

/* us into h, whose bucket (hist_bucket(us)) the caller has already. */
static inline void
hist_add_at(struct hist *h, unsigned i, uint64_t us)
{
	h->b[i]++;
	h->count++;
	h->sum += us;
	if (us < h->min)
		h->min = us;
	if (us > h->max)
		h->max = us;
}

static inline void
hist_add(struct hist *h, uint64_t us)
{
	hist_add_at(h, hist_bucket(us), us);
}

/* n values (us, below 2^32) into h: the log of a tick, at its end. */
void	hist_add_log(struct hist *h, const uint32_t *v, uint32_t n);

/* The value at quantile q (0..1): the middle of its bucket, within min..max; 0 if empty. */
uint64_t hist_quantile(const struct hist *h, double q);
/* The same for nq quantiles in ascending order, in one pass, into out. */
void	hist_quantiles(const struct hist *h, const double *q, unsigned nq, uint64_t *out);
void	hist_merge(struct hist *into, const struct hist *from);

/*
 * h as a sparse slot into out, replacing what it held and reusing its
 * room (out zeroed, or hist_sparse_free'd, the first time); and a sparse
 * slot added into h.
 */
void	hist_compact(const struct hist *h, struct hist_sparse *out);
/* The same, and h is empty again: a scratch histogram, handed on. */
void	hist_move(struct hist *h, struct hist_sparse *out);
void	hist_merge_sparse(struct hist *into, const struct hist_sparse *from);
/*
 * from added into into, whose room is reused (and grows when it must),
 * by way of scratch, which must be empty and is left empty.
 */
void	hist_sparse_merge(struct hist_sparse *into, const struct hist_sparse *from,
	    struct hist *scratch);
/* Empty, keeping its room. */
void	hist_sparse_clear(struct hist_sparse *s);
void	hist_sparse_free(struct hist_sparse *s);

#endif
