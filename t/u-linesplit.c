/* SPDX-License-Identifier: MIT */
/* u-linesplit.c: lines out of uneven reads, CRLF, the cap, the held last line. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "agent.h"
#include "buf.h"
#include "linesplit.h"
#include "tap.h"

/* Lines are collected as "text|flags@end\n" to compare in one string. */
static void
collect(void *arg, const char *line, size_t n, unsigned flags, uint64_t end)
{
	struct buf *b = arg;

	buf_append(b, line, n);
	buf_printf(b, "|%s%s@%llu\n", flags & EVENT_TRUNCATED ? "T" : "",
	    flags & EVENT_PARTIAL ? "P" : "", (unsigned long long)end);
}

static void
feed(struct linesplit *ls, const char *in, size_t step, struct buf *out)
{
	size_t n = strlen(in), at = 0, room;
	char *p;

	while (at < n) {
		linesplit_space(ls, &p, &room);
		if (room > step)
			room = step;
		if (room > n - at)
			room = n - at;
		memcpy(p, in + at, room);
		at += room;
		linesplit_commit(ls, room, collect, out);
	}
}

static void
check(const char *in, size_t max_line, size_t step, int finish, const char *want,
    const char *name)
{
	struct linesplit ls;
	struct buf out;

	buf_init(&out, 1 << 20);
	buf_putc(&out, 0);
	out.len = 0;
	linesplit_init(&ls, max_line, 64, 0);
	feed(&ls, in, step, &out);
	if (finish)
		linesplit_finish(&ls, collect, &out);
	tap_is_mem(out.p ? out.p : "", out.len, want, name);
	linesplit_free(&ls);
	buf_free(&out);
}

int
main(void)
{
	struct linesplit ls;
	struct buf out;
	size_t s;

	for (s = 1; s <= 7; s += 3) {
		char name[64];

		snprintf(name, sizeof name, "three lines, %zu bytes a read", s);
		check("one\ntwo\nthree\n", 100, s, 0, "one|@4\ntwo|@8\nthree|@14\n", name);
	}
	check("a\r\nb\r\n", 100, 100, 0, "a|@3\nb|@6\n", "CRLF: the CR goes");
	check("a\rb\n", 100, 100, 0, "a\rb|@4\n", "a lone CR inside stays");
	check("\n\n", 100, 100, 0, "|@1\n|@2\n", "empty lines are lines");
	check("held", 100, 2, 0, "", "no newline: held");
	check("held", 100, 2, 1, "held|P@4\n", "finish: held line, partial");
	check("0123456789abc\nnext\n", 10, 3, 0, "0123456789|T@14\nnext|@19\n",
	    "a long line is cut at the cap, the rest dropped");
	check("0123456789abcdefghijklmnopqrstuvwxyz\nok\n", 10, 64, 0,
	    "0123456789|T@37\nok|@40\n", "a line of 3x the cap in one read");
	check("12345678\xc3\xa9xyz\n", 9, 100, 0, "12345678|T@14\n",
	    "the cut never splits a UTF-8 character");
	check("0123456789\nab\n", 10, 3, 0, "0123456789|@11\nab|@14\n",
	    "exactly the cap, split across reads: whole");
	check("0123456789", 10, 100, 1, "0123456789|P@10\n",
	    "exactly the cap, no newline: whole, partial");

	/* The dropped bytes of a cut line are counted. */
	linesplit_init(&ls, 4, 64, 0);
	buf_init(&out, 4096);
	feed(&ls, "abcdefgh\nxy\n", 5, &out);
	tap_is_int((long long)ls.truncated, 1, "one line cut");
	tap_is_int((long long)ls.dropped_bytes, 4, "four bytes dropped");
	linesplit_reset(&ls, linesplit_offset(&ls));
	linesplit_finish(&ls, collect, &out);
	tap_is_mem(out.p, out.len, "abcd|T@9\nxy|@12\n", "reset forgets a held line");
	linesplit_free(&ls);
	buf_free(&out);
	check("0123456789abcdef", 10, 4, 1, "0123456789|TP@16\n",
	    "a cut line that never ends: its head, truncated and partial");
	/* The offset goes on from where it started. */
	linesplit_init(&ls, 100, 64, 1000);
	buf_init(&out, 4096);
	feed(&ls, "ab\ncd", 3, &out);
	tap_is_mem(out.p, out.len, "ab|@1003\n", "offsets count from the start offset");
	tap_is_int((long long)linesplit_offset(&ls), 1005, "next offset after a held line");
	linesplit_release(&ls);
	tap_ok(ls.buf != NULL, "release keeps a buffer that holds a line");
	linesplit_finish(&ls, collect, &out);
	linesplit_release(&ls);
	tap_ok(ls.buf == NULL, "release frees an empty buffer");
	linesplit_free(&ls);
	buf_free(&out);
	/* A reload raises the cap while a line is held: room grows, the line survives. */
	linesplit_init(&ls, 8, 16, 0);
	buf_init(&out, 4096);
	feed(&ls, "0123456", 7, &out);
	linesplit_set_max(&ls, 64);
	feed(&ls, "789abcdefghij\n", 5, &out);
	tap_is_mem(out.p, out.len, "0123456789abcdefghij|@21\n",
	    "a raised cap keeps the held start and takes the longer line whole");
	{
		char *p;
		size_t room;

		linesplit_space(&ls, &p, &room);
		tap_ok(room >= 64 + 16, "the buffer grew to the new cap plus a read");
	}
	linesplit_free(&ls);
	buf_free(&out);
	return tap_done();
}
