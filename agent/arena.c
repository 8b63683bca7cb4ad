/* SPDX-License-Identifier: MIT */
/* arena.c: chunked bump allocation with a cap. */
#include "config.h"

#include <stdalign.h>
#include <stdint.h>
#include <string.h>

#include "arena.h"
#include "xmalloc.h"

struct arena_chunk {
	struct arena_chunk *next;
	size_t size;
	size_t off;
	alignas(max_align_t) unsigned char data[];
};

#define ARENA_ALIGN alignof(max_align_t)

void
arena_init(struct arena *a, size_t chunk_size, size_t cap)
{
	memset(a, 0, sizeof *a);
	a->chunk_size = chunk_size;
	a->cap = cap;
}

void *
arena_alloc(struct arena *a, size_t n)
{
	struct arena_chunk *c = a->head;
	size_t off, size;

	n = (n + ARENA_ALIGN - 1) & ~(ARENA_ALIGN - 1);
	if (n > a->cap || a->used > a->cap - n)
		return NULL;
	if (c == NULL || c->size - c->off < n) {
		size = n > a->chunk_size ? n : a->chunk_size;
		c = xmalloc(sizeof *c + size);
		c->size = size;
		c->off = 0;
		c->next = a->head;
		a->head = c;
		a->total += size;
	}
	off = c->off;
	c->off += n;
	a->used += n;
	return c->data + off;
}

char *
arena_dup(struct arena *a, const void *p, size_t n)
{
	char *q;

	if ((q = arena_alloc(a, n)) != NULL && n != 0)
		memcpy(q, p, n);
	return q;
}

void
arena_reset(struct arena *a)
{
	struct arena_chunk *c, *next;

	if (a->head == NULL)
		return;
	/* Keep the oldest chunk (the last in the list): it is chunk_size. */
	for (c = a->head; c->next != NULL; c = next) {
		next = c->next;
		a->total -= c->size;
		free(c);
	}
	/* An oversized first chunk is not kept: memory returns to steady. */
	if (c->size > a->chunk_size) {
		a->total -= c->size;
		free(c);
		c = NULL;
	} else
		c->off = 0;
	a->head = c;
	a->used = 0;
}

void
arena_free(struct arena *a)
{
	struct arena_chunk *c, *next;

	for (c = a->head; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	a->head = NULL;
	a->used = a->total = 0;
}

struct arena_mark
arena_mark(const struct arena *a)
{
	struct arena_mark m = { a->head, a->head ? a->head->off : 0, a->used };

	return m;
}

void
arena_rewind(struct arena *a, struct arena_mark m)
{
	struct arena_chunk *c;

	while (a->head != NULL && a->head != m.chunk) {
		c = a->head;
		a->head = c->next;
		a->total -= c->size;
		free(c);
	}
	if (a->head != NULL)
		a->head->off = m.off;
	a->used = m.used;
}
