/* SPDX-License-Identifier: MIT */
/* gzip.h: one complete gzip member from a buffer (zlib), for any sink. */
#ifndef GZIP_H
#define GZIP_H

#include "buf.h"

/*
 * Append in[0..n) to out as one whole gzip member at level (1-9).
 * Members concatenate: zcat of a file of them is every input in order, and
 * a file cut after any member still reads to that member. Thread-safe (a
 * worker thread compresses while the loop parses). Returns 0, or
 * AGENT_E_TOOBIG when out's cap is hit, or -ENOMEM.
 */
int	gzip_member(struct buf *out, const char *in, size_t n, int level);

/* The inverse, for one member (a spooled body): 0 or AGENT_E_PARSE. */
int	gunzip_member(struct buf *out, const char *in, size_t n);

#endif
