/* SPDX-License-Identifier: MIT */
/* spool.h: a bounded on-disk queue of request bodies, fsynced, kept across restarts. */
#ifndef SPOOL_H
#define SPOOL_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define SPOOL_KEY_MAX	64

/* One spooled request: what was to be sent, exactly as it would have been. */
struct spool_rec {
	char key[SPOOL_KEY_MAX];	/* its Idempotency-Key */
	unsigned nevents;
	unsigned flags;			/* the sender's: encoding, compression */
	struct buf body;
	uint64_t size;			/* on disk, header included */
};

struct spool_seg;

/*
 * Segments DIR/<16 hex digits>.seg, oldest first, records appended to the
 * newest; each record has a CRC, so a torn or damaged one is skipped and
 * counted, never sent. DIR/head says how far the oldest segment is sent.
 * The loop thread owns it all, except that spool_write_run() (on the
 * thread pool) writes the bytes a spool_write_begin() handed out.
 */
struct spool {
	char *dir;
	char *name;			/* of the sink, for messages */
	uint64_t max_bytes;
	int drop_oldest;		/* full: drop the oldest records; else refuse */
	struct spool_seg *head, *tail;
	uint64_t roff;			/* next record to send, in head */
	uint64_t bytes;			/* on disk, not yet sent */
	uint64_t records, events;	/* waiting */
	int wfd;			/* tail's, while writing to it */
	int writing;			/* a write is under way */
	uint64_t next_seq;
	/* Counters, for /metrics and the log. */
	uint64_t corrupt, dropped_records, dropped_events, written_records;
};

/*
 * Open (creating DIR, 0700) and load what an earlier run left: 0 or a
 * negative errno with a message logged.
 */
int	spool_open(struct spool *sp, const char *dir, const char *name,
	    uint64_t max_bytes, int drop_oldest);
void	spool_close(struct spool *sp);

static inline int
spool_empty(const struct spool *sp)
{
	return sp->records == 0;
}

/* Append a record's encoded form (header, key, body) to out. */
int	spool_encode(struct buf *out, const char *key, unsigned nevents,
	    unsigned flags, const void *body, size_t n);

/*
 * A write of n bytes (records made by spool_encode) about to start: where
 * they go. 0; -ENOSPC when the spool is full and may not drop (the caller
 * holds its records and tries later), or another negative errno.
 */
struct spool_write {
	int fd;
	uint64_t off;
	const char *p;
	size_t n;
	int err;		/* set by spool_write_run */
};
int	spool_write_begin(struct spool *sp, const char *p, size_t n,
	    struct spool_write *w);
/* On the thread pool: write and fsync, or cut back and set w->err. */
void	spool_write_run(struct spool_write *w);
/* Back on the loop: count the records in, or forget a failed write. */
void	spool_write_end(struct spool *sp, const struct spool_write *w,
	    unsigned records, uint64_t events);

/*
 * The oldest record (body allocated; free with buf_free). 0, or 1 when
 * there is none. Damaged records on the way are skipped and counted.
 */
int	spool_peek(struct spool *sp, struct spool_rec *r);
/* The record peek gave is delivered (or dead-lettered): past it. */
void	spool_pop(struct spool *sp, const struct spool_rec *r);

#endif
