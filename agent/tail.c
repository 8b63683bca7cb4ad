/* SPDX-License-Identifier: MIT */
/* tail.c: following a file by name, like tail -F: appends, replacement, truncation. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "source.h"
#include "timefmt.h"

#define TAIL_STAT_MS	1000		/* safety net when inotify says nothing */
#define TAIL_BUDGET	(4u << 20)	/* bytes per turn, so one file cannot starve the rest */
#define TAIL_READ_MAX	(256u << 10)

static void tail_try_open(struct source *s);
static void tail_check_truncated(struct source *s);

static void
tail_kick_cb(uv_timer_t *t)
{
	tail_read(t->data);
}

static void
tail_event_cb(uv_fs_event_t *h, const char *filename, int events, int status)
{
	tail_read(h->data);
}

/* Close the current file; its unfinished last line cannot be finished now. */
static void
tail_close_file(struct source *s)
{
	linesplit_finish(&s->ls, source_lines, s);
	pipeline_flush(s->pipe);
	if (s->watching) {
		uv_fs_event_stop(&s->watch);
		s->watching = 0;
	}
	close(s->fd);
	s->fd = -1;
}

/* Log a state (an errno) once, not on every retry. */
static void
tail_note(struct source *s, int err, const char *what)
{
	if (s->last_errno == err)
		return;
	s->last_errno = err;
	log_warn("%s \"%s\" failed: %s; retrying every %d ms", what, s->path,
	    strerror(err), TAIL_STAT_MS);
}

void
tail_read(struct source *s)
{
	size_t budget = TAIL_BUDGET, room;
	char *p;
	ssize_t r;
	int err;

	if (s->fd >= 0 && s->kind == SOURCE_FILE)
		tail_check_truncated(s);
	while (s->fd >= 0 && !s->paused && !s->ended) {
		if (pipeline_busy(s->pipe)) {
			s->paused = 1;	/* pipeline's on_drain resumes us */
			break;
		}
		if (budget == 0) {
			uv_timer_start(&s->kick, tail_kick_cb, 0, 0);
			break;
		}
		linesplit_space(&s->ls, &p, &room);
		if (room > TAIL_READ_MAX)
			room = TAIL_READ_MAX;
		if (s->kind == SOURCE_STDIN_FILE)
			r = read(s->fd, p, room);
		else
			r = pread(s->fd, p, room, (off_t)s->offset);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			err = errno;
			log_error("read \"%s\" failed at offset %llu: %s", s->path,
			    (unsigned long long)s->offset, strerror(err));
			if (s->kind == SOURCE_STDIN_FILE) {
				source_end(s);
				break;
			}
			tail_close_file(s);
			break;
		}
		if (r == 0) {
			if (s->kind == SOURCE_STDIN_FILE)
				source_end(s);
			break;
		}
		s->offset += (uint64_t)r;
		budget -= (size_t)r < budget ? (size_t)r : budget;
		s->recv_ns = timefmt_now_ns();
		linesplit_commit(&s->ls, (size_t)r, source_lines, s);
	}
	pipeline_flush(s->pipe);
}

/*
 * Was the file truncated under us? Either it is shorter than what we
 * read, or it was emptied and refilled past our offset before we looked:
 * then the byte before our offset is no longer the newline we read there.
 */
static int
tail_truncated(struct source *s)
{
	struct stat st;
	char c;

	if (fstat(s->fd, &st) != 0 || s->offset == 0)
		return 0;
	if ((uint64_t)st.st_size < s->offset)
		return 1;
	return s->ls.len == 0 && !s->ls.skipping &&
	    pread(s->fd, &c, 1, (off_t)s->offset - 1) == 1 && c != '\n';
}

static void
tail_check_truncated(struct source *s)
{
	if (!tail_truncated(s))
		return;
	log_warn("\"%s\" was truncated; reading it again from the start", s->path);
	s->offset = 0;
	linesplit_reset(&s->ls);
}

/* Is the file at the path still ours? Rotation, truncation, deletion. */
static void
tail_check(struct source *s)
{
	struct stat st, fst;

	tail_check_truncated(s);
	tail_read(s);
	if (stat(s->path, &st) == 0 && st.st_dev == s->dev && st.st_ino == s->ino) {
		s->gone = 0;
		return;
	}
	/*
	 * The path names another file or none: the old one was renamed or
	 * deleted. Read it to its end first, however long that takes, then
	 * move to the new file.
	 */
	if (!s->gone) {
		s->gone = 1;
		log_info("\"%s\" was rotated or removed; reading the old file to its end",
		    s->path);
	}
	if (s->paused || fstat(s->fd, &fst) != 0 || (uint64_t)fst.st_size > s->offset)
		return;
	tail_close_file(s);
	s->gone = 0;
	tail_try_open(s);
}

static void
tail_tick_cb(uv_timer_t *t)
{
	struct source *s = t->data;

	if (s->ended)
		return;
	if (s->fd < 0) {
		tail_try_open(s);
		return;
	}
	tail_check(s);
}

static void
tail_try_open(struct source *s)
{
	struct stat st;
	int fd, rc;

	/* O_NONBLOCK: opening a FIFO must not hang the loop; we refuse it below. */
	fd = open(s->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		tail_note(s, errno, "open");
		return;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		if (s->last_errno != EINVAL)
			log_warn("\"%s\" is not a regular file; not reading it", s->path);
		s->last_errno = EINVAL;
		return;
	}
	if (s->last_errno != 0)
		log_info("\"%s\" opened; following it", s->path);
	s->last_errno = 0;
	s->fd = fd;
	s->dev = st.st_dev;
	s->ino = st.st_ino;
	s->offset = 0;
	linesplit_reset(&s->ls);
	if ((rc = uv_fs_event_start(&s->watch, tail_event_cb, s->path, 0)) == 0)
		s->watching = 1;
	else
		log_debug("no inotify watch on \"%s\" (%s); polling every %d ms",
		    s->path, uv_strerror(rc), TAIL_STAT_MS);
	tail_read(s);
}

int
tail_start(struct source *s)
{
	uv_timer_init(s->loop, &s->kick);
	s->kick.data = s;
	if (s->kind == SOURCE_STDIN_FILE) {
		s->fd = STDIN_FILENO;
		uv_timer_start(&s->kick, tail_kick_cb, 0, 0);
		return 0;
	}
	uv_fs_event_init(s->loop, &s->watch);
	s->watch.data = s;
	uv_timer_init(s->loop, &s->tick);
	s->tick.data = s;
	uv_timer_start(&s->tick, tail_tick_cb, TAIL_STAT_MS, TAIL_STAT_MS);
	tail_try_open(s);
	return 0;
}
