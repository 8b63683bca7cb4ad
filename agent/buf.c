/* SPDX-License-Identifier: MIT */
/* buf.c: growable byte buffers with a hard cap. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "agent.h"
#include "buf.h"
#include "xmalloc.h"

void
buf_init(struct buf *b, size_t cap)
{
	b->p = NULL;
	b->len = 0;
	b->size = 0;
	b->cap = cap;
	b->failed = 0;
}

void
buf_free(struct buf *b)
{
	free(b->p);
	buf_init(b, b->cap);
}

int
buf_reserve(struct buf *b, size_t n)
{
	size_t want, size;

	if (n > b->cap || b->len > b->cap - n) {
		b->failed = 1;
		return AGENT_E_TOOBIG;
	}
	want = b->len + n;
	if (want <= b->size)
		return 0;
	size = b->size ? b->size : 256;
	while (size < want)
		size *= 2;
	if (size > b->cap)
		size = b->cap;
	b->p = xrealloc(b->p, size);
	b->size = size;
	return 0;
}

int
buf_append(struct buf *b, const void *p, size_t n)
{
	int rc;

	if ((rc = buf_reserve(b, n)) != 0)
		return rc;
	if (n != 0)
		memcpy(b->p + b->len, p, n);
	b->len += n;
	return 0;
}

int
buf_putc(struct buf *b, char c)
{
	return buf_append(b, &c, 1);
}

int
buf_puts(struct buf *b, const char *s)
{
	return buf_append(b, s, strlen(s));
}

int
buf_put_u64(struct buf *b, uint64_t v)
{
	char d[20];
	size_t n = sizeof d;

	do
		d[--n] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	return buf_append(b, d + n, sizeof d - n);
}

int
buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	size_t room = b->size - b->len;
	va_list ap2;
	int n, rc;

	/*
	 * Into the room there is: most appends fit, and are formatted once
	 * instead of measured first. What does not fit is formatted again
	 * once there is room; what was written past len meanwhile is not
	 * the contents.
	 */
	va_copy(ap2, ap);
	n = vsnprintf(room > 0 ? b->p + b->len : NULL, room, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return AGENT_E_PARSE;
	if ((size_t)n < room) {
		b->len += (size_t)n;
		return 0;
	}
	/* +1 for the terminator vsnprintf writes; it is not counted in len. */
	if ((rc = buf_reserve(b, (size_t)n + 1)) != 0)
		return rc;
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = buf_vprintf(b, fmt, ap);
	va_end(ap);
	return rc;
}
