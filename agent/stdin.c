/* SPDX-License-Identifier: MIT */
/* stdin.c: standard input as a stream (pipe, socket, terminal) until its end. */
#include "config.h"

#include <unistd.h>

#include "log.h"
#include "source.h"
#include "timefmt.h"

static void
stdin_alloc_cb(uv_handle_t *h, size_t hint, uv_buf_t *buf)
{
	struct source *s = h->data;
	size_t room;
	char *p;

	linesplit_space(&s->ls, &p, &room);
	*buf = uv_buf_init(p, (unsigned)(room > 65536 ? 65536 : room));
}

static void
stdin_read_cb(uv_stream_t *st, ssize_t nread, const uv_buf_t *buf)
{
	struct source *s = st->data;

	if (nread == 0)
		return;
	if (nread < 0) {
		if (nread != UV_EOF)
			log_error("read standard input failed: %s",
			    uv_strerror((int)nread));
		uv_read_stop(st);
		source_end(s);
		return;
	}
	s->recv_ns = timefmt_now_ns();
	s->offset += (uint64_t)nread;
	linesplit_commit(&s->ls, (size_t)nread, source_lines, s);
	pipeline_flush(s->pipe);
	if (pipeline_busy(s->pipe)) {
		s->paused = 1;
		uv_read_stop(st);
	}
}

int
stdin_start(struct source *s)
{
	uv_stream_t *st = (uv_stream_t *)&s->stream;
	int rc;

	if (st->loop == NULL) {
		if (uv_guess_handle(STDIN_FILENO) == UV_TTY)
			rc = uv_tty_init(s->loop, &s->stream.tty, STDIN_FILENO, 1);
		else if ((rc = uv_pipe_init(s->loop, &s->stream.pipe, 0)) == 0)
			rc = uv_pipe_open(&s->stream.pipe, STDIN_FILENO);
		if (rc != 0) {
			log_error("cannot read standard input: %s", uv_strerror(rc));
			return rc;
		}
		st->data = s;
	}
	if ((rc = uv_read_start(st, stdin_alloc_cb, stdin_read_cb)) != 0)
		log_error("cannot read standard input: %s", uv_strerror(rc));
	return rc;
}
