/* SPDX-License-Identifier: MIT */
/* source.c: a configured source: finding its files (path or glob), watching, timeouts, stdin. */
#include "config.h"

#include <errno.h>
#include <fnmatch.h>
#include <glob.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "source.h"
#include "timefmt.h"
#include "xmalloc.h"

#define SOURCE_TICK_MS	250	/* timeouts; the scan runs every poll_interval */

struct source *source_all;

static void source_scan(struct source *s, int64_t now);

void
source_input_init(struct source *s, struct tail_file *f)
{
	f->in.name = s->name;
	f->in.format = s->conf.format;
	f->in.opts = &s->popts;
	f->in.labels = &s->conf.labels;
	f->in.learn = &f->learn;
	f->in.limit = s->conf.rate_limit.rate > 0 ? &s->limit : NULL;
	/* What was learnt may be of another format: learn again. */
	memset(&f->learn, 0, sizeof f->learn);
	multiline_init(&f->ml, &s->conf.multiline, s->conf.format == &parser_cri);
}

/* The token bucket from conf.rate_limit; the summaries go out as the source's events. */
static void
source_limit_init(struct source *s)
{
	const struct conf_ratelimit *c = &s->conf.rate_limit;

	ratelimit_init(&s->limit, c->rate, (double)c->burst, c->keep);
	s->limit_in.name = s->name;
	s->limit_in.format = &parser_json;
	s->limit_in.labels = &s->conf.labels;
	s->limit_in.internal = 1;
}

/* What the rate limit dropped, as one event, when due (every_ns 0: now, if anything). */
static void
source_limit_summary(struct source *s, int64_t every_ns)
{
	int64_t mono = (int64_t)uv_now(s->env->loop) * 1000000;

	if (s->conf.rate_limit.rate <= 0 ||
	    !ratelimit_summary(&s->limit, mono, timefmt_now_ns(), every_ns, &s->limit_out))
		return;
	log_warn("source %s: %.*s", s->name, (int)s->limit_out.len - 1, s->limit_out.p);
	pipeline_line(s->env->pipe, &s->limit_in, s->limit_out.p, s->limit_out.len - 1, 0,
	    timefmt_now_ns(), 0);
	buf_clear(&s->limit_out);
}

struct source *
source_new(struct source_env *env, const struct conf_source *c)
{
	struct source *s = xcalloc(1, sizeof *s);

	s->env = env;
	conf_source_copy(&s->conf, c);
	parser_opts_from_conf(&s->conf.parse, &s->popts);
	s->name = xstrdup(c->name ? c->name : c->path);
	s->is_stdin = strcmp(c->path, "-") == 0;
	s->is_glob = !s->is_stdin && strpbrk(c->path, "*?[") != NULL;
	buf_init(&s->limit_out, 1 << 20);
	source_limit_init(s);
	return s;
}

static void
source_emit(void *arg, const char *line, size_t n, unsigned flags, uint64_t end)
{
	struct tail_file *f = arg;

	pipeline_line(f->src->env->pipe, &f->in, line, n, flags,
	    f->last_growth_ns, end);
}

void
source_file_line(void *arg, const char *line, size_t n, unsigned flags,
    uint64_t end)
{
	struct tail_file *f = arg;

	multiline_line(&f->ml, line, n, flags, end, f->last_growth_ns,
	    source_emit, f);
}

static void
source_kick_cb(uv_timer_t *t)
{
	struct source *s = t->data;
	struct tail_file *f, *next;

	for (f = s->files; f != NULL; f = next) {
		next = f->next;
		tail_read(f);
	}
}

void
source_kick(struct source *s)
{
	uv_timer_start(&s->kick, source_kick_cb, 0, 0);
}

static int
source_excluded(const struct source *s, const char *path)
{
	size_t i;

	for (i = 0; i < s->conf.exclude.n; i++)
		if (fnmatch(s->conf.exclude.v[i], path, 0) == 0)
			return 1;
	return 0;
}

static struct tail_file *
source_following(struct source *s, const char *path)
{
	struct tail_file *f;

	for (f = s->files; f != NULL; f = f->next)
		if (f->state == TAIL_FOLLOW && strcmp(f->path, path) == 0)
			return f;
	return NULL;
}

/* Start following path unless we already do. */
static void
source_consider(struct source *s, const char *path, int startup)
{
	struct tail_file *f;
	struct stat st;

	if (source_following(s, path) != NULL || source_excluded(s, path))
		return;
	/* Globs match directories and FIFOs too: only regular files, quietly. */
	if (s->is_glob && (stat(path, &st) != 0 || !S_ISREG(st.st_mode)))
		return;
	if ((f = tail_open(s, path, startup)) != NULL)
		tail_read(f);
}

/* inotify on a directory: read the file the event names, or scan. */
static void
source_watch_cb(uv_fs_event_t *h, const char *name, int events, int status)
{
	struct source *s = h->data;
	struct tail_file *f, *next;
	const char *base;
	int known = 0;

	if (s->stopping)
		return;
	for (f = s->files; f != NULL; f = next) {
		next = f->next;
		base = strrchr(f->path, '/');
		base = base ? base + 1 : f->path;
		if (name != NULL && f->state == TAIL_FOLLOW && strcmp(base, name) == 0) {
			known = 1;
			if (events & UV_RENAME)
				tail_check(f, timefmt_now_ns());
			else
				tail_read(f);
		} else if (f->state == TAIL_ROTATED)
			tail_read(f);
	}
	/* A new name, or a rename: look again now rather than at the next scan. */
	if (!known || (events & UV_RENAME))
		source_scan(s, timefmt_now_ns());
}

/* Watch dir (once) so new and growing files are seen at once. */
static void
source_watch_dir(struct source *s, const char *dir)
{
	unsigned i;
	int rc;

	if (s->conf.watch != WATCH_INOTIFY || s->env->oneshot)
		return;
	for (i = 0; i < s->nwatches; i++)
		if (strcmp(s->watch_dirs[i], dir) == 0)
			return;
	/* Handles are allocated one by one: libuv keeps pointers to them. */
	s->watches = xrealloc(s->watches, (s->nwatches + 1) * sizeof *s->watches);
	s->watch_dirs = xrealloc(s->watch_dirs, (s->nwatches + 1) * sizeof *s->watch_dirs);
	s->watches[s->nwatches] = xcalloc(1, sizeof **s->watches);
	uv_fs_event_init(s->env->loop, s->watches[s->nwatches]);
	s->watches[s->nwatches]->data = s;
	s->watch_dirs[s->nwatches] = xstrdup(dir);
	if ((rc = uv_fs_event_start(s->watches[s->nwatches], source_watch_cb, dir, 0)) != 0)
		log_info("no inotify watch on \"%s\" (%s); polling every %lld ms", dir,
		    uv_strerror(rc), s->conf.poll_interval_ms);
	s->nwatches++;
	s->open_handles++;
}

static void
source_scan(struct source *s, int64_t now)
{
	char dir[PATH_MAX];
	glob_t g;
	size_t i;
	int rc;

	s->last_scan_ns = now;
	if (!s->is_glob) {
		path_dirname(s->conf.path, dir, sizeof dir);
		source_watch_dir(s, dir);
		source_consider(s, s->conf.path, s->env->at_startup);
		return;
	}
	rc = glob(s->conf.path, GLOB_NOSORT | GLOB_BRACE, NULL, &g);
	if (rc != 0 && rc != GLOB_NOMATCH && s->last_errno != -rc) {
		log_warn("glob \"%s\" failed (%s); retrying every %lld ms", s->conf.path,
		    rc == GLOB_NOSPACE ? "out of memory" : "read error",
		    s->conf.poll_interval_ms);
		s->last_errno = -rc;
	}
	if (rc == 0) {
		for (i = 0; i < g.gl_pathc; i++) {
			path_dirname(g.gl_pathv[i], dir, sizeof dir);
			source_watch_dir(s, dir);
			source_consider(s, g.gl_pathv[i], s->env->at_startup);
		}
	}
	if (rc == 0 || rc == GLOB_NOMATCH)
		globfree(&g);
	/* A pattern whose directory has no wildcard: watch it for new files. */
	path_dirname(s->conf.path, dir, sizeof dir);
	if (strpbrk(dir, "*?[") == NULL)
		source_watch_dir(s, dir);
}

/* Every file is read to its end and nothing waits: a oneshot source is done. */
int
source_drained(const struct source *s)
{
	const struct tail_file *f;

	for (f = s->files; f != NULL; f = f->next)
		if (!f->eof && f->fd >= 0)
			return 0;
	return 1;
}

void
source_end(struct source *s)
{
	struct tail_file *f;

	if (s->ended)
		return;
	s->ended = 1;
	/* Without checkpoints a held last line would be lost: send it. */
	if (s->env->cp == NULL || s->is_stdin)
		for (f = s->files; f != NULL; f = f->next) {
			linesplit_finish(&f->ls, source_file_line, f);
			multiline_flush(&f->ml, source_file_line, f);
		}
	pipeline_flush(s->env->pipe);
	if (s->env->on_end != NULL)
		s->env->on_end(s);
}

static void
source_tick_cb(uv_timer_t *t)
{
	struct source *s = t->data;
	struct tail_file *f, *next;
	int64_t now = timefmt_now_ns();
	int scan = now - s->last_scan_ns >= s->conf.poll_interval_ms * 1000000LL;

	if (s->stopping || s->ended)
		return;
	source_limit_summary(s, s->conf.rate_limit.summary_ms * 1000000);
	/* Standard input has no path to stat or glob: only its timeouts apply. */
	if (s->is_stdin)
		scan = 0;
	if (scan && !s->env->oneshot)
		source_scan(s, now);
	for (f = s->files; f != NULL; f = next) {
		next = f->next;
		if (scan && !s->env->oneshot)
			tail_check(f, now);
		if (!s->env->oneshot)
			tail_timeouts(f, now);
	}
	if (s->env->oneshot && source_drained(s))
		source_end(s);
}

void
source_tick_now(struct source *s)
{
	uv_timer_start(&s->tick, source_tick_cb, 0, SOURCE_TICK_MS);
}

/* --- stdin ---------------------------------------------------------------- */

static void
source_stdin_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf)
{
	struct source *s = h->data;
	size_t room;
	char *p;

	linesplit_space(&s->stdin_file->ls, &p, &room);
	*buf = uv_buf_init(p, (unsigned)(room > 65536 ? 65536 : room));
}

static void
source_stdin_read(uv_stream_t *st, ssize_t nread, const uv_buf_t *buf)
{
	struct source *s = st->data;
	struct tail_file *f = s->stdin_file;

	if (nread == 0)
		return;
	if (nread < 0) {
		if (nread != UV_EOF)
			log_error("read standard input failed: %s", uv_strerror((int)nread));
		uv_read_stop(st);
		source_end(s);
		return;
	}
	f->last_growth_ns = timefmt_now_ns();
	f->offset += (uint64_t)nread;
	linesplit_commit(&f->ls, (size_t)nread, source_file_line, f);
	if (pipeline_busy(s->env->pipe)) {
		s->paused = 1;
		uv_read_stop(st);
	}
}

static int
source_stdin_start(struct source *s)
{
	uv_stream_t *st = (uv_stream_t *)&s->stream;
	int rc = 0;

	if (st->loop == NULL) {
		if (uv_guess_handle(STDIN_FILENO) == UV_TTY)
			rc = uv_tty_init(s->env->loop, &s->stream.tty, STDIN_FILENO, 1);
		else if ((rc = uv_pipe_init(s->env->loop, &s->stream.pipe, 0)) == 0)
			rc = uv_pipe_open(&s->stream.pipe, STDIN_FILENO);
		st->data = s;
		s->open_handles++;
		if (rc != 0) {
			log_error("cannot read standard input: %s", uv_strerror(rc));
			return rc;
		}
	}
	if ((rc = uv_read_start(st, source_stdin_alloc, source_stdin_read)) != 0)
		log_error("cannot read standard input: %s", uv_strerror(rc));
	return rc;
}

/* Standard input as a tail_file without identity or checkpoint. */
static int
source_stdin_open(struct source *s)
{
	struct tail_file *f = xcalloc(1, sizeof *f);

	f->src = s;
	f->path = xstrdup("-");
	f->fd = -1;
	source_input_init(s, f);
	f->last_growth_ns = timefmt_now_ns();
	linesplit_init(&f->ls, s->conf.max_line, 64 << 10, 0);
	s->files = s->stdin_file = f;
	s->nfiles = 1;
	if (uv_guess_handle(STDIN_FILENO) == UV_FILE) {
		/* Redirected from a file: read it to its end like any file. */
		f->fd = STDIN_FILENO;
		s->env->open_files++;
		source_kick(s);
		return 0;
	}
	return source_stdin_start(s);
}

/* --- life cycle ----------------------------------------------------------- */

int
source_start(struct source *s)
{
	struct source_env *env = s->env;

	uv_timer_init(env->loop, &s->kick);
	uv_timer_init(env->loop, &s->tick);
	s->kick.data = s->tick.data = s;
	s->open_handles += 2;
	uv_timer_start(&s->tick, source_tick_cb, SOURCE_TICK_MS, SOURCE_TICK_MS);
	if (s->is_stdin)
		return source_stdin_open(s);
	source_scan(s, timefmt_now_ns());
	return 0;
}

void
source_resume(struct source *s)
{
	struct tail_file *f, *next;

	if (!s->paused || s->ended || s->stopping)
		return;
	s->paused = 0;
	if (s->is_stdin && s->stdin_file->fd < 0) {
		source_stdin_start(s);
		return;
	}
	for (f = s->files; f != NULL; f = next) {
		next = f->next;
		tail_read(f);
	}
}

void
source_update(struct source *s, const struct conf_source *c)
{
	struct tail_file *f;

	/* Lines already split keep the old settings; the next ones take the new. */
	for (f = s->files; f != NULL; f = f->next) {
		multiline_flush(&f->ml, source_file_line, f);
		multiline_free(&f->ml);
	}
	source_limit_summary(s, 0);
	pipeline_flush(s->env->pipe);
	conf_source_free(&s->conf);
	conf_source_copy(&s->conf, c);
	free(s->name);
	s->name = xstrdup(c->name ? c->name : c->path);
	source_limit_init(s);
	s->env->pipe->name_src = NULL;
	parser_opts_from_conf(&s->conf.parse, &s->popts);
	for (f = s->files; f != NULL; f = f->next) {
		source_input_init(s, f);
		linesplit_set_max(&f->ls, s->conf.max_line);
	}
}

static void
source_handle_closed(uv_handle_t *h)
{
	struct source *s = h->data;
	unsigned i;

	if (--s->open_handles > 0)
		return;
	for (i = 0; i < s->nwatches; i++) {
		free(s->watch_dirs[i]);
		free(s->watches[i]);
	}
	free(s->watches);
	free(s->watch_dirs);
	s->on_closed(s);
	conf_source_free(&s->conf);
	buf_free(&s->limit_out);
	free(s->name);
	free(s);
}

static void
source_close_handle(struct source *s, uv_handle_t *h)
{
	if (h->loop == NULL || uv_is_closing(h))
		return;
	h->data = s;
	uv_close(h, source_handle_closed);
}

void
source_stop(struct source *s, void (*on_closed)(struct source *))
{
	int flush = s->env->cp == NULL || s->is_stdin;
	unsigned i;

	s->on_closed = on_closed;
	s->stopping = 1;
	/* With checkpoints, what is held is read again next time, whole. */
	while (s->files != NULL)
		tail_free(s->files, flush);
	s->stdin_file = NULL;
	source_limit_summary(s, 0);	/* no drop goes unsaid */
	pipeline_flush(s->env->pipe);
	s->open_handles++;	/* ours, until every close is started */
	for (i = 0; i < s->nwatches; i++)
		source_close_handle(s, (uv_handle_t *)s->watches[i]);
	source_close_handle(s, (uv_handle_t *)&s->tick);
	source_close_handle(s, (uv_handle_t *)&s->kick);
	if (s->is_stdin)
		source_close_handle(s, (uv_handle_t *)&s->stream);
	if (--s->open_handles == 0) {
		/* Nothing was opened: finish on the next turn all the same. */
		uv_timer_init(s->env->loop, &s->kick);
		s->open_handles++;
		source_close_handle(s, (uv_handle_t *)&s->kick);
	}
}
