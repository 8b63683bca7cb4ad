/* SPDX-License-Identifier: MIT */
/*
 * reqcache.h: a request's series found again from the values it came
 * with (source, method, raw path, status, level), before any route is
 * made, key built or hashed.
 *
 * Most of what metrics costs an event is making its series key: the
 * route from the path, the key, its hash and compare. Yet a sidecar's
 * traffic repeats itself: health checks, list and search endpoints,
 * a handful of asset names. A direct-mapped cache of one line per
 * entry, keyed by the raw values, finds those without any of it. Paths
 * with ids in them (/users/741/orders) miss more, and traffic that
 * misses nearly always (every path its own id) turns the cache off for
 * a while, so that it costs that traffic next to nothing.
 *
 * Ownership: the cache owns its entries and its copies of source names;
 * series are the metrics' (the cache only points at them, and never
 * outlives them).
 */
#ifndef REQCACHE_H
#define REQCACHE_H

#include <stdint.h>
#include <string.h>

#include "agent.h"
#include "bytes.h"

#define REQCACHE_ENTRIES	512	/* a power of two; 32 KiB */
#define REQCACHE_PATH		40	/* longer paths go the whole way */
#define REQCACHE_SOURCES	64	/* source names it tells apart; past them, no cache */
#define REQCACHE_PROBES		1024	/* lookups between checks of the hit rate */
#define REQCACHE_REST		16384	/* events it stays off for after a poor rate */
#define REQCACHE_USED		(1ULL << 63)	/* in a tag: found since the last miss on its line */

/* Which values a series is keyed by: what the cache must tell apart. */
#define REQCACHE_BY_SOURCE	0x01
#define REQCACHE_BY_METHOD	0x02
#define REQCACHE_BY_ROUTE	0x04
#define REQCACHE_BY_CLASS	0x08
#define REQCACHE_BY_STATUS	0x10
#define REQCACHE_BY_LEVEL	0x20

struct series;

/*
 * One cache line. The small values are packed in one word, tag, so an
 * entry is told from another by two word compares and the path's.
 */
struct reqcache_entry {
	struct series *s;	/* NULL: empty */
	uint64_t method;	/* up to 8 bytes, zeros after */
	uint64_t tag;		/* see reqcache_find */
	char path[REQCACHE_PATH];
};
_Static_assert(sizeof(struct reqcache_entry) == 64, "an entry is one cache line");

/* An event's values, as the cache keys them. */
struct reqcache_key {
	uint64_t method, tag;
	const char *path;
	size_t path_n;
	struct reqcache_entry *at;	/* its entry; NULL when not cacheable */
};

struct reqcache {
	struct reqcache_entry *e;	/* REQCACHE_ENTRIES; owned. NULL: off for good */
	uint32_t rest, probes, hits;
	unsigned keyed;			/* REQCACHE_BY_* */
	unsigned level_mask;
	unsigned last;			/* 1 + the last source's index; 0: none yet, or not keyed by source */
	char *source[REQCACHE_SOURCES];	/* owned copies */
	size_t source_n[REQCACHE_SOURCES];
	unsigned nsources;
	uint64_t found;			/* lookups that hit, all told */
};

/* keyed: the REQCACHE_BY_* a series key depends on; 0 turns the cache off. */
void	reqcache_init(struct reqcache *c, unsigned keyed);
void	reqcache_free(struct reqcache *c);
/* 1 + the index of a source name not the last one seen; 0 when it cannot be cached. */
unsigned reqcache_source(struct reqcache *c, const char *p, size_t n);
/* After REQCACHE_PROBES lookups: on, or off for a rest. */
void	reqcache_rate(struct reqcache *c);

/* k's series: where a lookup missed, remember s. */
static inline void
reqcache_put(const struct reqcache_key *k, struct series *s)
{
	struct reqcache_entry *e = k->at;

	if (e == NULL)
		return;
	e->s = s;
	e->method = k->method;
	e->tag = k->tag;
	if (k->path_n > 0)
		bytes_copy(e->path, k->path, k->path_n);
}

/*
 * The series an event with these values went to before, or NULL; then
 * k->at is where reqcache_put puts it (or NULL: not cacheable).
 */
static inline struct series *
reqcache_find(struct reqcache *c, const struct slice *source, const struct slice *method,
    const struct slice *path, unsigned code, unsigned level, struct reqcache_key *k)
{
	struct reqcache_entry *e;
	uint64_t a, b;
	size_t mn, pn;
	unsigned src = c->last, hit;

	k->at = NULL;
	k->path = NULL;
	k->path_n = 0;
	if (c->rest > 0) {
		c->rest--;
		return NULL;
	}
	if (c->e == NULL)
		return NULL;
	mn = c->keyed & REQCACHE_BY_METHOD ? method->n : 0;
	pn = c->keyed & REQCACHE_BY_ROUTE ? path->n : 0;
	if (mn > 8 || pn > REQCACHE_PATH)
		return NULL;	/* rare, and more room would cost every entry */
	if (c->keyed & REQCACHE_BY_SOURCE) {
		/* Names are compared, not pointers: a batch's copy may reuse a freed one's place. */
		if (src == 0 || source->n != c->source_n[src - 1] ||
		    !bytes_eq(source->p, c->source[src - 1], source->n))
			if ((src = reqcache_source(c, source->p, source->n)) == 0)
				return NULL;
	}
	if (mn == 8)
		memcpy(&k->method, method->p, 8);
	else
		k->method = bytes_load_low(method->p, mn);
	/*
	 * tag: the method's length, the path's, the status (or class), level
	 * and source. The class is a division by a constant, a multiply (by
	 * a divisor kept in the cache, it was a division an event).
	 */
	k->tag = (uint64_t)mn | (uint64_t)pn << 8 |
	    (uint64_t)(c->keyed & REQCACHE_BY_STATUS ? code :
	    c->keyed & REQCACHE_BY_CLASS ? code / 100 : 0) << 16 |
	    (uint64_t)(level & c->level_mask) << 32 | (uint64_t)src << 40;
	k->path = path->p;
	k->path_n = pn;
	/* The slot from the path's ends and the rest: no loop over the path. */
	if (pn >= 8) {
		memcpy(&a, path->p, 8);
		memcpy(&b, path->p + pn - 8, 8);
	} else {
		a = bytes_load_low(path->p, pn);
		b = 0;
	}
	a = (a ^ (b * 0x9e3779b97f4a7c15ULL) ^ k->method ^ k->tag) * 0xff51afd7ed558ccdULL;
	_Static_assert(REQCACHE_ENTRIES == 1 << 9, "the slot is the top 9 bits");
	e = k->at = &c->e[a >> (64 - 9)];
	hit = e->s != NULL && e->method == k->method &&
	    (e->tag & ~REQCACHE_USED) == k->tag && bytes_eq(e->path, path->p, pn);
	/*
	 * A second chance: an entry found since the last miss on its line
	 * stays, and that miss is not cached. Paths seen once (an id each)
	 * then do not push out the ones that repeat.
	 */
	if (hit)
		e->tag = k->tag | REQCACHE_USED;
	else if (e->tag & REQCACHE_USED) {
		e->tag &= ~REQCACHE_USED;
		k->at = NULL;
	}
	c->hits += hit;
	c->found += hit;
	if (++c->probes >= REQCACHE_PROBES)
		reqcache_rate(c);
	return hit ? e->s : NULL;
}

#endif
