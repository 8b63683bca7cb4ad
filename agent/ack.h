/* SPDX-License-Identifier: MIT */
/* ack.h: how far each input is acknowledged by every sink, in order, whatever order batches finish in. */
#ifndef ACK_H
#define ACK_H

#include <stdint.h>

struct ack_mark;

/*
 * One stream per input file. Each batch holding lines of the file takes a
 * mark at the offset just past its last line; when batches finish, the
 * stream's acknowledged offset moves over the leading run of finished
 * marks only, so it never passes a line some sink has not taken. A failed
 * batch stops the stream for good (until restart): what follows is
 * delivered but not acknowledged, so a restart repeats it rather than
 * losing the failed part.
 */
struct ack_stream {
	struct ack_mark *head, *tail;	/* pending marks, oldest first */
	uint64_t acked;			/* offset every sink has taken up to */
	uint64_t last;			/* end of the newest mark: where the next begins */
	uint64_t id;			/* the input's identity, for batch keys; 0: none */
	unsigned pending;
	int failed;
	/* Called when acked moves (not on failure). */
	void (*on_advance)(struct ack_stream *st);
	void *owner;
};

void	ack_stream_init(struct ack_stream *st, uint64_t acked, void *owner,
	    void (*on_advance)(struct ack_stream *));

/* A new pending mark at offset, last in the stream. Owned by the stream. */
struct ack_mark *ack_mark_new(struct ack_stream *st, uint64_t offset);
/* Move a mark's offset forward (more lines of the same batch). */
void	ack_mark_extend(struct ack_mark *m, uint64_t offset);
struct ack_stream *ack_mark_stream(const struct ack_mark *m);
/*
 * What the mark covers: its stream's identity when the mark was made, and
 * the input bytes [start, end). Batches cut the same way from the same
 * bytes have the same ranges, whenever they are read.
 */
void	ack_mark_range(const struct ack_mark *m, uint64_t *id, uint64_t *start,
	    uint64_t *end);
/*
 * The batch holding the mark is done: status 0 when every sink took it.
 * The mark is freed once the stream moves past it; do not use it after.
 */
void	ack_mark_done(struct ack_mark *m, int status);

#endif
