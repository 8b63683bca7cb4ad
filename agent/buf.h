/* SPDX-License-Identifier: MIT */
/* buf.h: a growable byte buffer with a hard cap (curl's dynbuf, in spirit). */
#ifndef BUF_H
#define BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The buffer owns p (malloc'd). Appends that would pass cap fail with
 * AGENT_E_TOOBIG and leave the contents as they were, so a caller can
 * decide what to do with what it has. Growth that fails for lack of memory
 * aborts (xmalloc policy): a small agent cannot do better than die loudly.
 */
struct buf {
	char *p;
	size_t len;
	size_t size;
	size_t cap;
	int failed;	/* sticky: an append hit the cap since buf_clear */
};

void	buf_init(struct buf *b, size_t cap);
void	buf_free(struct buf *b);
/* Forget the contents; keep the memory for the next use. */
static inline void
buf_clear(struct buf *b)
{
	b->len = 0;
	b->failed = 0;
}
/* Make room for n more bytes; returns 0 or AGENT_E_TOOBIG. */
int	buf_reserve(struct buf *b, size_t n);
int	buf_append(struct buf *b, const void *p, size_t n);
int	buf_putc(struct buf *b, char c);
int	buf_puts(struct buf *b, const char *s);
/* v in decimal: what "%llu" gives, without printf's parsing of a format. */
int	buf_put_u64(struct buf *b, uint64_t v);
int	buf_printf(struct buf *b, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
int	buf_vprintf(struct buf *b, const char *fmt, va_list ap)
	    __attribute__((format(printf, 2, 0)));

#endif
