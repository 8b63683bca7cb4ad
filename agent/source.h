/* SPDX-License-Identifier: MIT */
/* source.h: where lines come from: a followed file, or standard input. */
#ifndef SOURCE_H
#define SOURCE_H

#include <stdint.h>
#include <sys/types.h>
#include <uv.h>

#include "linesplit.h"
#include "parser.h"
#include "pipeline.h"

enum source_kind {
	SOURCE_FILE,		/* a path, followed like tail -F */
	SOURCE_STDIN_FILE,	/* stdin redirected from a file: read to its end */
	SOURCE_STDIN_STREAM,	/* stdin as a pipe, socket or terminal */
};

/*
 * A source owns its fd, its loop handles and its line buffer. It reads
 * only while the pipeline is not busy, and is resumed by source_resume().
 */
struct source {
	enum source_kind kind;
	char *path;
	char *name;
	const struct parser_ops *format;
	struct pipeline *pipe;
	uv_loop_t *loop;
	struct linesplit ls;
	int64_t recv_ns;	/* when the bytes being split were read */

	int fd;
	dev_t dev;
	ino_t ino;
	uint64_t offset;	/* of the next byte to read */
	int last_errno;		/* what was last logged, to log a state once */
	int gone;		/* the path no longer names our file */

	uv_fs_event_t watch;
	uv_timer_t tick;	/* the periodic stat: rotation, truncation, a missed event */
	uv_timer_t kick;	/* go on reading on the next loop turn */
	union {
		uv_pipe_t pipe;
		uv_tty_t tty;
	} stream;
	int watching;
	int paused;
	int ended;
	unsigned open_handles;

	/* The input ended (stdin only; a followed file never ends). */
	void (*on_end)(struct source *s);
	void (*on_closed)(struct source *s);
	void *owner;
	struct source *next;
};

/*
 * A new source for path ("-" is standard input); the caller sets pipe,
 * on_end and owner, then calls source_start. Returns NULL with a message
 * logged when stdin cannot be used.
 */
struct source *source_new(uv_loop_t *loop, const char *path, const char *name,
    const struct parser_ops *format, size_t max_line);
int	source_start(struct source *s);
/* Backpressure lifted: read again. */
void	source_resume(struct source *s);
/*
 * Stop reading; a held last line without a newline is sent as partial;
 * then the handles close and on_closed runs once, later. s is freed after.
 */
void	source_stop(struct source *s, void (*on_closed)(struct source *));

/* Tail internals shared with stdin.c. */
int	tail_start(struct source *s);
void	tail_read(struct source *s);
int	stdin_start(struct source *s);
void	source_lines(void *arg, const char *line, size_t n, unsigned flags);
void	source_end(struct source *s);

#endif
