/* SPDX-License-Identifier: MIT */
/* u-arena.c: bump allocation, its cap, marks, reset; and buf, the growable buffer. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
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
	char *p, *q, pad[100], want[20000];
	size_t n;
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
	/* Into the room left (4), "abcd" and its terminator do not fit: nothing added. */
	buf_clear(&b);
	buf_append(&b, "012345", 6);
	tap_ok(buf_printf(&b, "%s", "abcd") != 0 && b.len == 6 && b.failed &&
	    memcmp(b.p, "012345", 6) == 0, "buf_printf past the cap fails, contents kept");
	buf_clear(&b);
	tap_ok(buf_printf(&b, "%s", "abc") == 0 && b.len == 3 && memcmp(b.p, "abc", 3) == 0,
	    "buf_printf that just fits");
	buf_free(&b);

	/* Appends that fit the room and appends that make it grow give the same text. */
	buf_init(&b, 1 << 20);
	want[0] = '\0';
	for (i = 0, n = 0; i < 300; i++) {
		memset(pad, 'a' + i % 26, (size_t)i % 97);
		pad[i % 97] = '\0';
		buf_printf(&b, "%d:%s;", i, pad);
		n += (size_t)snprintf(want + n, sizeof want - n, "%d:%s;", i, pad);
	}
	tap_ok(b.len == n && memcmp(b.p, want, n) == 0 && !b.failed,
	    "300 buf_printf, growing 256 bytes to %zu, as snprintf", b.size);
	buf_clear(&b);
	buf_put_u64(&b, 0);
	buf_putc(&b, ' ');
	buf_put_u64(&b, 7);
	buf_putc(&b, ' ');
	buf_put_u64(&b, 1000000);
	buf_putc(&b, ' ');
	buf_put_u64(&b, UINT64_MAX);
	tap_ok(b.len == 32 && memcmp(b.p, "0 7 1000000 18446744073709551615", 32) == 0,
	    "buf_put_u64");
	buf_free(&b);
	return tap_done();
}
