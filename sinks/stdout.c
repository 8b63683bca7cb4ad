/* SPDX-License-Identifier: MIT */
/* stdout.c: events to standard output, as ndjson or pretty text. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "escape.h"
#include "gzip.h"
#include "log.h"
#include "sink.h"
#include "xmalloc.h"

/* Write in pieces of about this much, so memory does not grow with a batch. */
#define STDOUT_CHUNK	(1 << 20)
#define STDOUT_RETRY_MS	20
#define STDOUT_STATUS_MS 1000	/* the status line is redrawn this often */
#define STDOUT_CLEAR_LINE "\r\x1b[2K"

struct stdout_opts {
	int encoding;
	int color;
	int compress;
	long long level;
};

enum { STDOUT_ENC_AUTO, STDOUT_ENC_NDJSON, STDOUT_ENC_PRETTY };
enum { STDOUT_COLOR_AUTO, STDOUT_COLOR_ALWAYS, STDOUT_COLOR_NEVER };

static const char *const stdout_encodings[] = { "auto", "ndjson", "pretty", NULL };
static const char *const stdout_colors[] = { "auto", "always", "never", NULL };
static const char *const stdout_compress[] = { "none", "gzip", NULL };

static const struct conf_option stdout_options[] = {
	{ "encoding", CONF_ENUM, "auto", offsetof(struct stdout_opts, encoding),
	  0, 0, stdout_encodings, 0,
	  "auto: pretty on a terminal, ndjson otherwise", NULL },
	{ "color", CONF_ENUM, "auto", offsetof(struct stdout_opts, color), 0, 0,
	  stdout_colors, 0,
	  "auto: colours on a terminal unless NO_COLOR is set or TERM is dumb", NULL },
	{ "compress", CONF_ENUM, "none", offsetof(struct stdout_opts, compress), 0, 0,
	  stdout_compress, 0, "gzip: the output is gzip members (logagent ... | zcat works)", NULL },
	{ "level", CONF_INT, "1", offsetof(struct stdout_opts, level), 1, 9, NULL, 0,
	  "gzip level", NULL },
	{ NULL, 0, NULL, 0, 0, 0, NULL, 0, NULL, NULL },
};

struct stdout_sink {
	struct sink *sink;
	uv_loop_t *loop;
	uv_fs_t req;
	uv_timer_t retry;
	const struct encoder_ops *enc;
	struct encode_opts eo;
	struct buf out;
	struct buf plain;	/* with compress gzip: the text, before out holds its member */
	int gzip;
	int level;
	size_t written;		/* of out, by the writes so far */
	struct sink_queue q;	/* waiting batches; the head is current */
	size_t next_ev;		/* of the current batch, not yet encoded */
	int busy;		/* a write or a retry timer is pending */
	sink_closed_fn closed;
	int tty_pretty;		/* pretty text to a terminal: a status line may show */
	int status_shown;	/* one is on the last line now */
	uv_timer_t status_tick;
	unsigned handles;	/* closing; freed when both are closed */
};

static void stdout_pump(struct stdout_sink *ss);
static void stdout_status_cb(uv_timer_t *t);

/* The terminal's width now (it may have been resized), 80 when it will not say. */
static unsigned
stdout_columns(void)
{
	unsigned rows, cols;

	term_size(STDOUT_FILENO, &rows, &cols);
	return cols;
}

/*
 * The status line, after the events just encoded: cut to the terminal's
 * width (a wrapped status line could not be erased with one \r), dim.
 */
static void
stdout_status_append(struct stdout_sink *ss)
{
	char line[512];
	size_t n, width = stdout_columns();

	if (ss->sink->status == NULL)
		return;
	n = ss->sink->status(ss->sink->status_arg, line, sizeof line);
	if (n > width - 1)
		n = width - 1;
	if (ss->eo.color)
		buf_puts(&ss->out, "\x1b[2m");
	buf_append(&ss->out, line, n);
	if (ss->eo.color)
		buf_puts(&ss->out, "\x1b[0m");
	ss->status_shown = 1;
}

int sink_stdout_closed;

static int
stdout_open(struct sink *s, uv_loop_t *loop)
{
	const struct stdout_opts *o = s->conf->opts;
	struct stdout_sink *ss = xcalloc(1, sizeof *ss);
	int tty = isatty(STDOUT_FILENO);

	if (sink_stdout_closed) {
		free(ss);
		log_error("sink %s: standard output is closed; nowhere to write", s->name);
		return -EBADF;
	}
	ss->sink = s;
	ss->loop = loop;
	ss->enc = o->encoding == STDOUT_ENC_PRETTY ||
	    (o->encoding == STDOUT_ENC_AUTO && tty) ? &enc_pretty : &enc_ndjson;
	ss->eo.color = o->color == STDOUT_COLOR_ALWAYS ||
	    (o->color == STDOUT_COLOR_AUTO && term_color_ok(STDOUT_FILENO));
	ss->eo.show_source = s->nsources > 1;
	ss->tty_pretty = tty && ss->enc == &enc_pretty;
	if ((ss->gzip = o->compress == 1)) {
		/* Compressed bytes are no text: no colours, no status line. */
		ss->tty_pretty = 0;
		ss->eo.color = 0;
		ss->level = (int)o->level;
		buf_init(&ss->plain, (size_t)1 << 30);
	}
	/* One event may be large (a 64 MiB line, escaped): cap, but high. */
	buf_init(&ss->out, (size_t)1 << 30);
	uv_timer_init(loop, &ss->retry);
	ss->retry.data = ss;
	uv_timer_init(loop, &ss->status_tick);
	ss->status_tick.data = ss;
	if (ss->tty_pretty)
		uv_timer_start(&ss->status_tick, stdout_status_cb, STDOUT_STATUS_MS,
		    STDOUT_STATUS_MS);
	/* The status tick alone must not keep the loop alive. */
	uv_unref((uv_handle_t *)&ss->status_tick);
	s->priv = ss;
	return 0;
}

static void
stdout_finish(struct stdout_sink *ss, int status)
{
	ss->next_ev = 0;
	buf_clear(&ss->out);
	ss->written = 0;
	sink_queue_done(&ss->q, ss->sink, status);
}

static void
stdout_retry_cb(uv_timer_t *t)
{
	struct stdout_sink *ss = t->data;

	ss->busy = 0;
	stdout_pump(ss);
}

static void
stdout_write_cb(uv_fs_t *req)
{
	struct stdout_sink *ss = req->data;
	ssize_t r = req->result;

	uv_fs_req_cleanup(req);
	ss->busy = 0;
	if (r == UV_EAGAIN || r == UV_EINTR) {
		/* Someone made our stdout non-blocking: try again shortly. */
		ss->busy = 1;
		uv_timer_start(&ss->retry, stdout_retry_cb, STDOUT_RETRY_MS, 0);
		return;
	}
	if (r < 0) {
		if (r != UV_EPIPE)
			log_error("stdout: write failed: %s", uv_strerror((int)r));
		stdout_finish(ss, (int)r);
	} else
		ss->written += (size_t)r;
	stdout_pump(ss);
}

static void
stdout_closed_cb(uv_handle_t *h)
{
	struct stdout_sink *ss = h->data;
	struct sink *s = ss->sink;
	sink_closed_fn closed = ss->closed;

	if (--ss->handles > 0)
		return;
	buf_free(&ss->out);
	buf_free(&ss->plain);
	free(ss);
	s->priv = NULL;
	closed(s);
}

/* Encode and write until the queue is empty or a write is under way. */
static void
stdout_pump(struct stdout_sink *ss)
{
	struct batch *b;
	size_t end;
	uv_buf_t ub;
	int rc;

	while (!ss->busy) {
		if (ss->written < ss->out.len) {
			ub = uv_buf_init(ss->out.p + ss->written,
			    (unsigned)(ss->out.len - ss->written));
			ss->req.data = ss;
			rc = uv_fs_write(ss->loop, &ss->req, STDOUT_FILENO, &ub, 1,
			    -1, stdout_write_cb);
			if (rc == 0) {
				ss->busy = 1;
				return;
			}
			log_error("stdout: write failed: %s", uv_strerror(rc));
			stdout_finish(ss, rc);
			continue;
		}
		if (ss->q.head == NULL)
			break;
		b = ss->q.head->b;
		if (ss->next_ev == b->nevents) {
			stdout_finish(ss, 0);
			continue;
		}
		buf_clear(&ss->out);
		ss->written = 0;
		/* Events go above the status line: erase it, write, draw it again. */
		if (ss->status_shown || (ss->tty_pretty && ss->sink->status != NULL)) {
			buf_puts(&ss->out, STDOUT_CLEAR_LINE);
			ss->status_shown = 0;
		}
		if (ss->tty_pretty)
			ss->eo.width = stdout_columns();
		/* Encode whole events up to about one chunk. */
		for (end = ss->next_ev; end < b->nevents && ss->out.len < STDOUT_CHUNK;
		    end++) {
			if (encoder_run(ss->enc, &ss->eo, &b->events[end], 1, &ss->out) != 0) {
				log_error("stdout: an event of %zu bytes does not fit the output buffer; skipped",
				    b->events[end].message.n);
				buf_clear(&ss->out);
			}
		}
		ss->next_ev = end;
		if (ss->tty_pretty && ss->closed == NULL)
			stdout_status_append(ss);
		if (ss->gzip && ss->out.len > 0) {
			/*
			 * One gzip member per chunk: members concatenate for zcat.
			 * The text moves to plain by swapping the buffers, not copying.
			 */
			struct buf text = ss->out;

			ss->out = ss->plain;
			ss->plain = text;
			buf_clear(&ss->out);
			if (gzip_member(&ss->out, ss->plain.p, ss->plain.len, ss->level) != 0) {
				log_error("stdout: cannot compress %zu bytes; these events are skipped",
				    ss->plain.len);
				buf_clear(&ss->out);
			}
		}
	}
	if (ss->q.head == NULL && ss->closed != NULL && !ss->busy && ss->status_shown) {
		/* Leave the terminal as we found it: no status line behind us. */
		buf_clear(&ss->out);
		ss->written = 0;
		buf_puts(&ss->out, STDOUT_CLEAR_LINE);
		ss->status_shown = 0;
		stdout_pump(ss);
		return;
	}
	if (ss->q.head == NULL && ss->closed != NULL && !ss->busy &&
	    !uv_is_closing((uv_handle_t *)&ss->retry)) {
		ss->handles = 2;
		uv_close((uv_handle_t *)&ss->status_tick, stdout_closed_cb);
		uv_close((uv_handle_t *)&ss->retry, stdout_closed_cb);
	}
}

/* Each second, when nothing is being written: the status line, fresh. */
static void
stdout_status_cb(uv_timer_t *t)
{
	struct stdout_sink *ss = t->data;

	if (ss->busy || ss->q.head != NULL || ss->closed != NULL ||
	    ss->sink->status == NULL)
		return;
	buf_clear(&ss->out);
	ss->written = 0;
	buf_puts(&ss->out, STDOUT_CLEAR_LINE);
	stdout_status_append(ss);
	stdout_pump(ss);
}

static int
stdout_write(struct sink *s, struct batch *b, sink_done_fn done)
{
	struct stdout_sink *ss = s->priv;
	if (ss->closed != NULL)
		return AGENT_E_CLOSED;
	sink_queue_push(&ss->q, b, done);
	/*
	 * Pump from a zero timer, not from here: done must run later, on the
	 * loop, never inside write().
	 */
	if (!ss->busy) {
		ss->busy = 1;
		uv_timer_start(&ss->retry, stdout_retry_cb, 0, 0);
	}
	return 0;
}

static void
stdout_close(struct sink *s, sink_closed_fn closed)
{
	struct stdout_sink *ss = s->priv;

	ss->closed = closed;
	if (!ss->busy)
		stdout_pump(ss);
}

const struct sink_ops sink_stdout = {
	.name = "stdout",
	.help = "Events to standard output, as ndjson or as pretty text for a terminal.",
	.options = stdout_options,
	.opts_size = sizeof(struct stdout_opts),
	.open = stdout_open,
	.write = stdout_write,
	.close = stdout_close,
};
