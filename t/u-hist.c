/* SPDX-License-Identifier: MIT */
/* u-hist.c: histogram buckets, quantile accuracy on 1M lognormal latencies, merging, sparse slots. */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hist.h"
#include "tap.h"

#define N 1000000

/* xorshift64*: the same numbers on every machine, unlike rand(). */
static uint64_t seed = 0x9e3779b97f4a7c15ULL;

static double
uniform(void)
{
	seed ^= seed >> 12;
	seed ^= seed << 25;
	seed ^= seed >> 27;
	return ((seed * 2685821657736338717ULL) >> 11) * (1.0 / 9007199254740992.0);
}

/* Lognormal around 40 ms with sigma 1: a web service's latencies, long tail. */
static uint64_t
lognormal_us(void)
{
	double u1 = uniform(), u2 = uniform(), z;

	if (u1 < 1e-300)
		u1 = 1e-300;
	z = sqrt(-2 * log(u1)) * cos(2 * M_PI * u2);
	return (uint64_t)(40000.0 * exp(z));
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The exact value at quantile q, by the same rank rule: the ceil(q*n)-th smallest. */
static uint64_t
exact(const uint64_t *v, size_t n, double q)
{
	size_t rank = (size_t)ceil(q * (double)n);

	return v[(rank ? rank : 1) - 1];
}

int
main(void)
{
	static const double qs[] = { 0.5, 0.9, 0.95, 0.99, 0.999 };
	uint64_t *v = malloc(N * sizeof *v), got, want, x;
	struct hist *h = malloc(sizeof *h), *a = malloc(sizeof *a), *b = malloc(sizeof *b);
	struct hist *scratch = malloc(sizeof *scratch), *zero = malloc(sizeof *zero);
	struct hist_sparse s1, s2;
	unsigned i, ok;
	double err, worst = 0;
	size_t k;

	/* Buckets: contiguous, each value in its own, width within 1/64. */
	ok = 1;
	for (i = 1; i < HIST_BUCKETS; i++)
		if (hist_bucket_low(i) != hist_bucket_high(i - 1) + 1)
			ok = 0;
	tap_ok(ok, "buckets are contiguous");
	ok = 1;
	for (x = 0; x < (1ULL << 36); x = x < 1000 ? x + 1 : x + x / 7 + 3)
		if (hist_bucket_low(hist_bucket(x)) > x || hist_bucket_high(hist_bucket(x)) < x)
			ok = 0;
	tap_ok(ok, "every value falls in the bucket that spans it");
	ok = 1;
	for (i = HIST_LINEAR; i < HIST_BUCKETS; i++)
		if ((hist_bucket_high(i) - hist_bucket_low(i) + 1) * 64 > hist_bucket_low(i))
			ok = 0;
	tap_ok(ok, "a bucket is at most 1/64 of its lower bound wide");
	tap_is_int(hist_bucket(UINT64_MAX), HIST_BUCKETS - 1, "huge values land in the last bucket");

	hist_init(h);
	tap_is_int((long long)hist_quantile(h, 0.5), 0, "empty: 0");
	for (k = 0; k < N; k++) {
		v[k] = lognormal_us();
		hist_add(h, v[k]);
	}
	qsort(v, N, sizeof *v, cmp_u64);
	for (i = 0; i < sizeof qs / sizeof qs[0]; i++) {
		got = hist_quantile(h, qs[i]);
		want = exact(v, N, qs[i]);
		err = fabs((double)got - (double)want) / (double)want;
		if (err > worst)
			worst = err;
		tap_ok(err <= 0.01, "1M lognormal: p%g = %llu us, exact %llu us, error %.3f%%",
		    qs[i] * 100, (unsigned long long)got, (unsigned long long)want, err * 100);
	}
	tap_ok(worst <= 1.0 / 128, "worst error %.3f%% is within the 0.78%% bound", worst * 100);
	tap_is_int((long long)hist_quantile(h, 1), (long long)v[N - 1], "p100 is the exact max");
	tap_is_int((long long)hist_quantile(h, 0), (long long)v[0], "p0 is the exact min");

	/* Merging halves gives the whole; sparse slots give the same as dense. */
	hist_init(scratch);
	hist_init(zero);
	hist_init(a);
	hist_init(b);
	seed = 42;
	for (k = 0; k < N / 10; k++)
		hist_add(k % 2 ? a : b, lognormal_us());
	memset(&s1, 0, sizeof s1);
	memset(&s2, 0, sizeof s2);
	hist_compact(a, &s1);
	hist_compact(b, &s2);
	tap_ok(s1.n < 1200 && s1.n > 100, "a sparse slot holds only non-empty buckets (%u)", s1.n);
	hist_merge(a, b);
	hist_init(b);
	hist_sparse_merge(&s1, &s2, scratch);
	hist_merge_sparse(b, &s1);
	tap_ok(memcmp(a->b, b->b, sizeof a->b) == 0 && a->count == b->count &&
	    a->sum == b->sum && a->min == b->min && a->max == b->max,
	    "dense merge and sparse merge agree bucket for bucket");
	hist_sparse_free(&s1);
	hist_sparse_free(&s2);

	/*
	 * A slot built tick by tick, merged into its own room: ticks of a few values
	 * each, some buckets shared and some new, some ticks past every bucket
	 * so far and some below; against the same values added densely.
	 */
	hist_init(a);
	hist_init(b);
	memset(&s1, 0, sizeof s1);
	memset(&s2, 0, sizeof s2);
	s1.min = UINT64_MAX;
	seed = 7;
	for (i = 0; i < 300; i++) {
		hist_init(h);
		for (k = 0; k < 1 + i % 40; k++) {
			x = i % 50 == 49 ? 1000000000 + k : i % 50 == 48 ? k : lognormal_us();
			hist_add(h, x);
			hist_add(a, x);
		}
		hist_compact(h, &s2);	/* into the room of the tick before */
		hist_sparse_merge(&s1, &s2, scratch);
	}
	hist_sparse_free(&s2);
	hist_merge_sparse(b, &s1);
	for (ok = 1, i = 1; i < s1.n; i++)
		if (hist_entry_bucket(s1.e[i - 1]) >= hist_entry_bucket(s1.e[i]) ||
		    hist_entry_count(s1.e[i]) == 0)
			ok = 0;
	tap_ok(ok && s1.n <= s1.cap && memcmp(a->b, b->b, sizeof a->b) == 0 &&
	    a->count == b->count && a->sum == b->sum && a->min == b->min && a->max == b->max,
	    "300 ticks merged make the dense histogram, sorted (%u buckets)", s1.n);
	tap_ok(memcmp(scratch, zero, sizeof *scratch) == 0, "the scratch histogram is left empty");
	hist_sparse_free(&s1);

	/*
	 * A bucket with more values than an entry counts (a busy hour's slot):
	 * split over entries of its bucket, which merges add back up, alone
	 * and merged with a slot that has it too.
	 */
	hist_init(a);
	hist_init(b);
	memset(&s1, 0, sizeof s1);
	memset(&s2, 0, sizeof s2);
	for (k = 0; k < 2 * (size_t)HIST_ENTRY_MAX + 7; k++)
		hist_add(a, 40000);
	hist_add(a, 3);
	hist_add(a, 1000000);
	hist_compact(a, &s1);
	for (ok = 1, i = 0; i < s1.n; i++)
		if ((i > 0 && hist_entry_bucket(s1.e[i - 1]) > hist_entry_bucket(s1.e[i])) ||
		    hist_entry_count(s1.e[i]) == 0)
			ok = 0;
	hist_merge_sparse(b, &s1);
	tap_ok(ok && s1.n == 5 && s1.n <= s1.cap && memcmp(a->b, b->b, sizeof a->b) == 0 &&
	    a->count == b->count && a->sum == b->sum,
	    "a bucket of %u values takes 3 entries, in order, and merges back whole",
	    2 * HIST_ENTRY_MAX + 7);
	hist_add(b, 40000);
	hist_compact(b, &s2);
	hist_sparse_merge(&s1, &s2, scratch);
	hist_clear(b);
	hist_merge_sparse(b, &s1);
	hist_merge(a, a);
	hist_add(a, 40000);
	tap_ok(memcmp(a->b, b->b, sizeof a->b) == 0 && a->count == b->count && s1.n == 7 &&
	    memcmp(scratch, zero, sizeof *scratch) == 0,
	    "two such slots merged add up, over %u entries", s1.n);
	hist_sparse_free(&s1);
	hist_sparse_free(&s2);

	/* Quantiles in one pass are the ones asked one at a time. */
	{
		static const double many[] = { 0, 0.001, 0.25, 0.5, 0.9, 0.95, 0.99, 0.999, 1 };
		uint64_t out[9];

		hist_quantiles(a, many, 9, out);
		for (ok = 1, i = 0; i < 9; i++)
			if (out[i] != hist_quantile(a, many[i]))
				ok = 0;
		hist_init(b);
		hist_quantiles(b, many, 9, out);
		for (i = 0; i < 9; i++)
			if (out[i] != 0)
				ok = 0;
		tap_ok(ok, "quantiles in one pass agree with one at a time, and are 0 when empty");
	}
	/* A tick's log at once is the same histogram as each value added. */
	{
		static uint32_t log[5000];
		unsigned r = 99;

		hist_init(a);
		hist_init(b);
		/* Its min and max are outside the log's: the log's must not replace them. */
		hist_add(a, 0);
		hist_add(b, 0);
		hist_add(a, UINT32_MAX);
		hist_add(b, UINT32_MAX);
		for (i = 0; i < 5000; i++) {
			r = r * 1103515245 + 12345;
			log[i] = i % 7 == 0 ? r | 1 : (r >> 8) % 2000000 + 1;
			hist_add(a, log[i]);
		}
		hist_add_log(b, log, 5000);
		hist_add_log(b, log, 0);
		tap_ok(memcmp(a->b, b->b, sizeof a->b) == 0 && a->count == b->count &&
		    a->sum == b->sum && a->min == b->min && a->max == b->max,
		    "a log of 5000 values at once is the histogram of each added, onto one not empty");
	}
	free(v);
	free(h);
	free(a);
	free(b);
	free(scratch);
	free(zero);
	return tap_done();
}
