/* SPDX-License-Identifier: MIT */
/* arena.h: a bump allocator for things that die together (a batch's events and bytes). */
#ifndef ARENA_H
#define ARENA_H

#include <stddef.h>

struct arena_chunk;

/*
 * Allocations come from chunks of at least chunk_size bytes; nothing is
 * freed alone. arena_reset() frees all but the first chunk, so a steady
 * workload reuses the same memory. cap bounds the total: past it,
 * arena_alloc returns NULL and the caller must seal its batch and start
 * another (batch.c does).
 */
struct arena {
	struct arena_chunk *head;	/* the chunk being filled */
	size_t chunk_size;
	size_t used;			/* bytes handed out since the last reset */
	size_t total;			/* bytes held in chunks */
	size_t cap;
};

void	 arena_init(struct arena *a, size_t chunk_size, size_t cap);
/* Aligned for any type; NULL when the cap would be passed. */
void	*arena_alloc(struct arena *a, size_t n);
/* A copy of p[0..n) in the arena; NULL when the cap would be passed. */
char	*arena_dup(struct arena *a, const void *p, size_t n);
void	 arena_reset(struct arena *a);

/*
 * A point to come back to: arena_rewind() gives back everything allocated
 * after arena_mark(), so a line that is filtered out costs nothing.
 */
struct arena_mark {
	struct arena_chunk *chunk;
	size_t off;
	size_t used;
};
struct arena_mark arena_mark(const struct arena *a);
void	 arena_rewind(struct arena *a, struct arena_mark m);
void	 arena_free(struct arena *a);

#endif
