/* SPDX-License-Identifier: MIT */
/* linesplit.c: splitting a byte stream into lines in place. */
#include "config.h"

#include <string.h>

#include "agent.h"
#include "linesplit.h"
#include "xmalloc.h"

void
linesplit_init(struct linesplit *ls, size_t max_line, size_t chunk)
{
	memset(ls, 0, sizeof *ls);
	ls->max_line = max_line;
	ls->size = max_line + chunk;
	ls->buf = xmalloc(ls->size);
}

void
linesplit_free(struct linesplit *ls)
{
	free(ls->buf);
	ls->buf = NULL;
}

void
linesplit_space(struct linesplit *ls, char **p, size_t *n)
{
	*p = ls->buf + ls->len;
	*n = ls->size - ls->len;
}

static void
linesplit_emit(const char *p, size_t n, unsigned flags, linesplit_fn fn,
    void *arg)
{
	if (n > 0 && p[n - 1] == '\r')
		n--;
	fn(arg, p, n, flags);
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

	ls->len += n;
	end = ls->buf + ls->len;
	while ((nl = memchr(scan, '\n', (size_t)(end - scan))) != NULL) {
		n = (size_t)(nl - start);
		if (ls->skipping) {
			ls->dropped_bytes += n;
			ls->skipping = 0;
		} else if (n > ls->max_line) {
			/* Whole, but too long: cut it like one still coming. */
			size_t cut = linesplit_cut(start, ls->max_line, n);

			linesplit_emit(start, cut, EVENT_TRUNCATED, fn, arg);
			ls->truncated++;
			ls->dropped_bytes += n - cut;
		} else
			linesplit_emit(start, n, 0, fn, arg);
		start = scan = nl + 1;
	}
	n = (size_t)(end - start);
	if (ls->skipping) {
		ls->dropped_bytes += n;
		n = 0;
	} else if (n > ls->max_line) {
		size_t cut = linesplit_cut(start, ls->max_line, n);

		linesplit_emit(start, cut, EVENT_TRUNCATED, fn, arg);
		ls->truncated++;
		ls->dropped_bytes += n - cut;
		ls->skipping = 1;
		n = 0;
	}
	if (n > 0 && start != ls->buf)
		memmove(ls->buf, start, n);
	ls->len = n;
}

void
linesplit_finish(struct linesplit *ls, linesplit_fn fn, void *arg)
{
	if (ls->len > 0 && !ls->skipping)
		linesplit_emit(ls->buf, ls->len, EVENT_PARTIAL, fn, arg);
	ls->len = 0;
	ls->skipping = 0;
}

void
linesplit_reset(struct linesplit *ls)
{
	ls->len = 0;
	ls->skipping = 0;
}
