/* SPDX-License-Identifier: MIT */
/* linesplit.h: bytes in, lines out, with a hard cap on line length. */
#ifndef LINESPLIT_H
#define LINESPLIT_H

#include <stddef.h>
#include <stdint.h>

/*
 * Called once per line, without the newline (and without a CR before
 * it). line is valid only during the call. flags: EVENT_TRUNCATED for a
 * line cut at max_line (the rest of it, up to its newline, is dropped and
 * counted), EVENT_PARTIAL for the held last line given by linesplit_finish.
 */
typedef void (*linesplit_fn)(void *arg, const char *line, size_t n,
    unsigned flags);

/*
 * The splitter owns one buffer of max_line + chunk bytes; callers read
 * straight into it (linesplit_space), then hand over what they read
 * (linesplit_commit). Memory never grows with line length.
 */
struct linesplit {
	char *buf;
	size_t len;		/* bytes held: the start of an unfinished line */
	size_t size;
	size_t max_line;
	int skipping;		/* dropping the tail of a cut line */
	uint64_t truncated;	/* lines cut */
	uint64_t dropped_bytes;	/* bytes of cut lines that were dropped */
};

void	linesplit_init(struct linesplit *ls, size_t max_line, size_t chunk);
void	linesplit_free(struct linesplit *ls);
/* Where to read next, and how much room there is (at least chunk bytes). */
void	linesplit_space(struct linesplit *ls, char **p, size_t *n);
/* n bytes were read into the space: emit every complete line. */
void	linesplit_commit(struct linesplit *ls, size_t n, linesplit_fn fn,
	    void *arg);
/* The input ended: emit a held unfinished line, marked partial. */
void	linesplit_finish(struct linesplit *ls, linesplit_fn fn, void *arg);
/* Forget a held unfinished line (the file was truncated or replaced). */
void	linesplit_reset(struct linesplit *ls);

#endif
