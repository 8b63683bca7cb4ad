/* SPDX-License-Identifier: MIT */
/* linesplit.h: bytes in, lines out, with a hard cap on line length and the offset past each line. */
#ifndef LINESPLIT_H
#define LINESPLIT_H

#include <stddef.h>
#include <stdint.h>

/*
 * Called once per line, without the newline (and without a CR before
 * it). line is valid only during the call. end is the input offset just
 * past the line's newline: acknowledging it means the line is delivered.
 * flags: EVENT_TRUNCATED for a line cut at max_line (the rest of it, up to
 * its newline, is dropped and counted; the event comes when the newline
 * does, so its end covers the dropped part), EVENT_PARTIAL for a held last
 * line given by linesplit_finish.
 */
typedef void (*linesplit_fn)(void *arg, const char *line, size_t n,
    unsigned flags, uint64_t end);

/*
 * Callers read straight into the splitter's buffer (linesplit_space), then
 * hand over what they read (linesplit_commit). The buffer of max_line +
 * chunk bytes is allocated on first use and given back by
 * linesplit_release when nothing is held, so a thousand idle files cost
 * no buffers. Memory never grows with line length.
 */
struct linesplit {
	char *buf;
	size_t len;		/* bytes held: the start of an unfinished line */
	size_t size;
	size_t max_line;
	uint64_t base;		/* input offset of buf[0] */
	int skipping;		/* dropping the tail of a cut line; buf holds its head */
	uint64_t truncated;	/* lines cut */
	uint64_t dropped_bytes;	/* bytes of cut lines that were dropped */
};

/* Start at input offset base. */
void	linesplit_init(struct linesplit *ls, size_t max_line, size_t chunk,
	    uint64_t base);
void	linesplit_free(struct linesplit *ls);
/* Free the buffer if nothing is held in it. */
void	linesplit_release(struct linesplit *ls);
/* Where to read next, and how much room there is (at least chunk bytes). */
void	linesplit_space(struct linesplit *ls, char **p, size_t *n);
/* n bytes were read into the space: emit every complete line. */
void	linesplit_commit(struct linesplit *ls, size_t n, linesplit_fn fn,
	    void *arg);
/* The input ended (or waited too long): emit a held line, marked partial. */
void	linesplit_finish(struct linesplit *ls, linesplit_fn fn, void *arg);
/*
 * A new maximum line length (a reload). The buffer grows to keep room for
 * a whole line plus a read; it never shrinks under what it holds.
 */
void	linesplit_set_max(struct linesplit *ls, size_t max_line);
/* Forget what is held and go on from input offset base. */
void	linesplit_reset(struct linesplit *ls, uint64_t base);
/* Input offset of the next byte to read. */
static inline uint64_t
linesplit_offset(const struct linesplit *ls)
{
	return ls->base + ls->len;
}

#endif
