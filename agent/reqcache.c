/* SPDX-License-Identifier: MIT */
/* reqcache.c: what the cache of requests' series does off the hot path (see reqcache.h). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "reqcache.h"
#include "xmalloc.h"

void
reqcache_init(struct reqcache *c, unsigned keyed)
{
	memset(c, 0, sizeof *c);
	c->keyed = keyed;
	c->level_mask = keyed & REQCACHE_BY_LEVEL ? 0xff : 0;
	if (keyed != 0)
		c->e = xcalloc_lines(REQCACHE_ENTRIES * sizeof *c->e);
}

void
reqcache_free(struct reqcache *c)
{
	unsigned i;

	for (i = 0; i < c->nsources; i++)
		free(c->source[i]);
	free(c->e);
	memset(c, 0, sizeof *c);
}

unsigned
reqcache_source(struct reqcache *c, const char *p, size_t n)
{
	unsigned i;

	for (i = 0; i < c->nsources; i++)
		if (c->source_n[i] == n && memcmp(c->source[i], p, n) == 0)
			break;
	if (i == c->nsources) {
		if (i == REQCACHE_SOURCES)
			return 0;	/* so many sources: theirs go the whole way */
		c->source[i] = xmalloc(n + 1);
		if (n > 0)
			memcpy(c->source[i], p, n);
		c->source_n[i] = n;
		c->nsources++;
	}
	c->last = i + 1;
	return i + 1;
}

void
reqcache_rate(struct reqcache *c)
{
	/*
	 * Under a quarter found: the misses cost more than the hits save
	 * (a miss is a lookup and a line written for nothing). Rest, then
	 * try again: traffic changes.
	 */
	if (c->hits * 4 < c->probes)
		c->rest = REQCACHE_REST;
	c->probes = 0;
	c->hits = 0;
}
