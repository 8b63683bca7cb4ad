/* SPDX-License-Identifier: MIT */
/* linesplit.c: splitting a byte stream into lines in place. */
#include "config.h"

#include <string.h>

#include "agent.h"
#include "linesplit.h"
#include "xmalloc.h"

void
linesplit_init(struct linesplit *ls, size_t max_line, size_t chunk,
    uint64_t base)
{
	memset(ls, 0, sizeof *ls);
	ls->max_line = max_line;
	ls->size = max_line + chunk;
	ls->base = base;
}

void
linesplit_free(struct linesplit *ls)
{
	free(ls->buf);
	ls->buf = NULL;
}

void
linesplit_release(struct linesplit *ls)
{
	if (ls->len == 0 && !ls->skipping)
		linesplit_free(ls);
}

void
linesplit_space(struct linesplit *ls, char **p, size_t *n)
{
	if (ls->buf == NULL)
		ls->buf = xmalloc(ls->size);
	*p = ls->buf + ls->len;
	*n = ls->size - ls->len;
}

static void
linesplit_emit(const char *p, size_t n, unsigned flags, uint64_t end,
    linesplit_fn fn, void *arg)
{
	if (n > 0 && p[n - 1] == '\r')
		n--;
	fn(arg, p, n, flags, end);
}

/*
 * Where to cut a line of held bytes at about cut: never inside a UTF-8
 * character, so the kept part stays valid text. p[k] is the first byte
 * dropped; while it continues a character, move back to its lead byte.
 */
static size_t
linesplit_cut(const char *p, size_t cut, size_t held)
{
	size_t k = cut;

	while (k > 0 && k < held && cut - k < 3 &&
	    ((unsigned char)p[k] & 0xc0) == 0x80)
		k--;
	if (k < held && ((unsigned char)p[k] & 0xc0) == 0x80)
		return cut;	/* not UTF-8 at all: cut where asked */
	return k;
}

void
linesplit_commit(struct linesplit *ls, size_t n, linesplit_fn fn, void *arg)
{
	char *start = ls->buf, *scan = ls->buf + ls->len, *end, *nl;
	uint64_t at;
	size_t len, cut;

	end = scan + n;
	if (ls->skipping) {
		/*
		 * buf holds the kept head of a cut line (ls->len bytes); the
		 * new bytes are its tail until a newline ends it.
		 */
		at = ls->base + ls->len;	/* offset of scan */
		if ((nl = memchr(scan, '\n', n)) == NULL) {
			ls->dropped_bytes += n;
			ls->base += n;	/* the dropped bytes are behind us */
			return;
		}
		ls->dropped_bytes += (size_t)(nl - scan);
		linesplit_emit(ls->buf, ls->len, EVENT_TRUNCATED,
		    at + (uint64_t)(nl - scan) + 1, fn, arg);
		ls->skipping = 0;
		/* Move the rest down over the head just sent. */
		len = (size_t)(end - (nl + 1));
		ls->base = at + (uint64_t)(nl + 1 - scan);
		memmove(ls->buf, nl + 1, len);
		ls->len = 0;
		start = scan = ls->buf;
		end = ls->buf + len;
	}
	while ((nl = memchr(scan, '\n', (size_t)(end - scan))) != NULL) {
		len = (size_t)(nl - start);
		at = ls->base + (uint64_t)(nl + 1 - ls->buf);
		if (len > ls->max_line) {
			/* Whole, but too long: cut it like one still coming. */
			cut = linesplit_cut(start, ls->max_line, len);
			linesplit_emit(start, cut, EVENT_TRUNCATED, at, fn, arg);
			ls->truncated++;
			ls->dropped_bytes += len - cut;
		} else
			linesplit_emit(start, len, 0, at, fn, arg);
		start = scan = nl + 1;
	}
	len = (size_t)(end - start);
	ls->base += (uint64_t)(start - ls->buf);
	if (len > ls->max_line) {
		/* Keep the head, drop the rest until the newline comes. */
		cut = linesplit_cut(start, ls->max_line, len);
		ls->truncated++;
		ls->dropped_bytes += len - cut;
		ls->skipping = 1;
		if (start != ls->buf)
			memmove(ls->buf, start, cut);
		ls->len = cut;
		ls->base += len - cut;	/* the dropped part is behind us */
		return;
	}
	if (len > 0 && start != ls->buf)
		memmove(ls->buf, start, len);
	ls->len = len;
}

void
linesplit_finish(struct linesplit *ls, linesplit_fn fn, void *arg)
{
	unsigned flags = EVENT_PARTIAL | (ls->skipping ? EVENT_TRUNCATED : 0);

	if (ls->len > 0 || ls->skipping)
		linesplit_emit(ls->buf, ls->len, flags, ls->base + ls->len, fn, arg);
	ls->base += ls->len;
	ls->len = 0;
	ls->skipping = 0;
}

void
linesplit_set_max(struct linesplit *ls, size_t max_line)
{
	size_t chunk = ls->size - ls->max_line;

	ls->max_line = max_line;
	if (max_line + chunk > ls->size) {
		ls->size = max_line + chunk;
		if (ls->buf != NULL)
			ls->buf = xrealloc(ls->buf, ls->size);
	}
}

void
linesplit_reset(struct linesplit *ls, uint64_t base)
{
	ls->len = 0;
	ls->skipping = 0;
	ls->base = base;
}
