/* SPDX-License-Identifier: MIT */
/* u-arena.c: bump allocation, its cap, marks, reset. */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "tap.h"

int
main(void)
{
	struct arena a;
	struct arena_mark m;
	struct buf b;
	char *p, *q;
	int i, aligned = 1;

	arena_init(&a, 1024, 8192);
	for (i = 0; i < 20; i++)
		if (((uintptr_t)arena_alloc(&a, (size_t)i + 1) & 15) != 0)
			aligned = 0;
	tap_ok(aligned, "allocations are aligned");
	p = arena_dup(&a, "hello", 5);
	tap_ok(p != NULL && memcmp(p, "hello", 5) == 0, "dup copies");
	tap_ok(arena_alloc(&a, 9000) == NULL, "past the cap: NULL");
	m = arena_mark(&a);
	q = arena_alloc(&a, 3000);
	tap_ok(q != NULL, "a chunk larger than chunk_size");
	arena_rewind(&a, m);
	tap_is_int((long long)a.used, (long long)m.used, "rewind gives the bytes back");
	tap_ok(memcmp(p, "hello", 5) == 0, "rewind keeps what came before the mark");
	arena_reset(&a);
	tap_is_int((long long)a.used, 0, "reset: nothing used");
	tap_ok(a.total <= 1024, "reset keeps at most one chunk");
	arena_free(&a);

	buf_init(&b, 10);
	tap_is_int(buf_append(&b, "0123456789", 10), 0, "buf: up to the cap");
	tap_ok(buf_putc(&b, 'x') != 0 && b.len == 10 && b.failed, "buf: past the cap fails, contents kept");
	buf_clear(&b);
	tap_ok(buf_printf(&b, "%d", 12345) == 0 && b.len == 5, "buf_printf");
	buf_free(&b);
	return tap_done();
}
