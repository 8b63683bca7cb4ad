/* SPDX-License-Identifier: MIT */
/* source.c: what every kind of source shares: creation, lines to the pipeline, stopping. */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include "log.h"
#include "source.h"
#include "xmalloc.h"

#define SOURCE_READ_CHUNK (64 << 10)

struct source *
source_new(uv_loop_t *loop, const char *path, const char *name,
    const struct parser_ops *format, size_t max_line)
{
	struct source *s = xcalloc(1, sizeof *s);
	uv_handle_type t;

	s->loop = loop;
	s->path = xstrdup(path);
	s->name = xstrdup(name ? name : path);
	s->format = format;
	s->fd = -1;
	if (strcmp(path, "-") == 0) {
		t = uv_guess_handle(STDIN_FILENO);
		s->kind = t == UV_FILE ? SOURCE_STDIN_FILE : SOURCE_STDIN_STREAM;
	} else
		s->kind = SOURCE_FILE;
	linesplit_init(&s->ls, max_line, SOURCE_READ_CHUNK);
	return s;
}

void
source_lines(void *arg, const char *line, size_t n, unsigned flags)
{
	struct source *s = arg;

	pipeline_line(s->pipe, s, s->name, s->format, line, n, flags,
	    s->recv_ns);
}

int
source_start(struct source *s)
{
	if (s->kind == SOURCE_STDIN_STREAM)
		return stdin_start(s);
	return tail_start(s);
}

/* The input ended: send the held last line, and tell the owner. */
void
source_end(struct source *s)
{
	if (s->ended)
		return;
	s->ended = 1;
	linesplit_finish(&s->ls, source_lines, s);
	pipeline_flush(s->pipe);
	if (s->on_end != NULL)
		s->on_end(s);
}

void
source_resume(struct source *s)
{
	if (!s->paused || s->ended)
		return;
	s->paused = 0;
	if (s->kind == SOURCE_STDIN_STREAM) {
		stdin_start(s);
		return;
	}
	tail_read(s);
}

static void
source_handle_closed(uv_handle_t *h)
{
	struct source *s = h->data;

	if (--s->open_handles > 0)
		return;
	linesplit_free(&s->ls);
	if (s->fd > STDIN_FILENO)
		close(s->fd);
	s->on_closed(s);
	free(s->path);
	free(s->name);
	free(s);
}

static void
source_close_handle(struct source *s, uv_handle_t *h)
{
	if (h->loop == NULL || uv_is_closing(h))
		return;
	h->data = s;
	s->open_handles++;
	uv_close(h, source_handle_closed);
}

void
source_stop(struct source *s, void (*on_closed)(struct source *))
{
	s->on_closed = on_closed;
	s->paused = 1;
	if (!s->ended) {
		s->ended = 1;	/* no on_end: the owner is the one stopping us */
		linesplit_finish(&s->ls, source_lines, s);
		pipeline_flush(s->pipe);
	}
	/*
	 * One reference for ourselves, so the closes below cannot finish
	 * before all of them are started.
	 */
	s->open_handles++;
	source_close_handle(s, (uv_handle_t *)&s->watch);
	source_close_handle(s, (uv_handle_t *)&s->tick);
	source_close_handle(s, (uv_handle_t *)&s->kick);
	source_close_handle(s, (uv_handle_t *)&s->stream);
	s->open_handles--;
	if (s->open_handles == 0) {
		/* Nothing was ever opened: finish on the next loop turn all the same. */
		uv_timer_init(s->loop, &s->kick);
		source_close_handle(s, (uv_handle_t *)&s->kick);
	}
}
