/* SPDX-License-Identifier: MIT */
/* tail.c: one followed file: identity, reading, rotation, truncation and copytruncate recovery. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "source.h"
#include "timefmt.h"
#include "xmalloc.h"

#define TAIL_CHUNK	(64u << 10)	/* read size, and the splitter's room past max_line */
#define TAIL_BUDGET	(4u << 20)	/* bytes per turn, so one file cannot starve the rest */
#define TAIL_READ_MAX	(256u << 10)

static void tail_truncated(struct tail_file *f, uint64_t size);

static int
tail_head(int fd, uint32_t want, uint64_t *hash, uint32_t *got)
{
	char head[CP_HEAD_MAX];
	ssize_t r;

	*hash = 0;
	*got = 0;
	if (want > CP_HEAD_MAX)
		want = CP_HEAD_MAX;
	r = pread(fd, head, want, 0);
	if (r < 0)
		return -errno;
	*got = (uint32_t)r;
	*hash = cp_hash(head, (size_t)r);
	return 0;
}

/*
 * Where the last n lines of a file of size bytes begin, as tail -n finds
 * it: newlines counted back from the end, a last line without one counted
 * too. A read error gives the end: no old lines, never a wrong start.
 */
static uint64_t
tail_last_lines(int fd, uint64_t size, uint64_t n)
{
	char b[16384];
	uint64_t at = size, seen = 0;
	size_t k, got;
	ssize_t r;

	if (n == 0 || size == 0)
		return size;
	while (at > 0) {
		got = at < sizeof b ? (size_t)at : sizeof b;
		if ((r = pread(fd, b, got, (off_t)(at - got))) != (ssize_t)got)
			return size;
		for (k = got; k-- > 0;) {
			/* The file's own last newline ends the last line: not counted. */
			if (b[k] == '\n' && at - got + k != size - 1 && ++seen == n)
				return at - got + k + 1;
		}
		at -= got;
	}
	return 0;
}

/* Does fd hold the file e describes (its first head_len bytes hash the same)? */
static int
tail_same_head(int fd, const struct cp_entry *e)
{
	uint64_t h;
	uint32_t got;

	return tail_head(fd, e->head_len, &h, &got) == 0 && got == e->head_len &&
	    h == e->head_hash;
}

static int
tail_open_fd(struct source_env *env, const char *path, int *err)
{
	int fd, tries;

	for (tries = 0; tries < 2; tries++) {
		if (env->open_files >= env->max_open && tail_park_one(env, source_all) != 0)
			break;
		/* O_NONBLOCK: opening a FIFO must not hang the loop; it is refused after. */
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
		if (fd >= 0) {
			env->open_files++;
			return fd;
		}
		*err = errno;
		if ((errno != EMFILE && errno != ENFILE) || tail_park_one(env, source_all) != 0)
			return -1;
	}
	*err = EMFILE;
	if (!env->emfile_logged)
		log_error("cannot open \"%s\": %u files are open, the most allowed (max_open_files, or ulimit -n); it waits until an idle file can be closed",
		    path, env->open_files);
	env->emfile_logged = 1;
	return -1;
}

static void
tail_close_fd(struct tail_file *f)
{
	if (f->fd >= 0) {
		close(f->fd);
		f->fd = -1;
		f->src->env->open_files--;
	}
}

/* A new tail_file on an open fd; offset is where reading starts. */
static struct tail_file *
tail_attach(struct source *s, const char *path, int fd, const struct stat *st,
    struct cp_entry *cp, enum tail_state state)
{
	struct tail_file *f = xcalloc(1, sizeof *f);

	f->src = s;
	f->path = xstrdup(path);
	f->fd = fd;
	f->dev = st->st_dev;
	f->ino = st->st_ino;
	f->state = state;
	f->cp = cp;
	f->offset = cp->ack.acked;
	f->size_seen = (uint64_t)st->st_size;
	f->last_growth_ns = f->last_read_ns = timefmt_now_ns();
	source_input_init(s, f);
	f->in.ack = &cp->ack;
	linesplit_init(&f->ls, s->conf.max_line, TAIL_CHUNK, f->offset);
	cp_entry_seen(cp, path, f->last_growth_ns);
	f->next = s->files;
	s->files = f;
	s->nfiles++;
	return f;
}

static int
tail_was_rotated(const struct source *s, const char *path)
{
	const struct tail_file *f;

	for (f = s->files; f != NULL; f = f->next)
		if (f->state == TAIL_ROTATED && strcmp(f->path, path) == 0)
			return 1;
	return 0;
}

struct tail_file *
tail_open(struct source *s, const char *path, int startup)
{
	struct source_env *env = s->env;
	struct cp_entry *cp;
	struct stat st;
	uint64_t hash, offset = 0;
	uint32_t hlen;
	int fd, err = 0;

	if ((fd = tail_open_fd(env, path, &err)) < 0) {
		/* Just rotated away: a new file is about to be created. */
		if (err != EMFILE && s->last_errno != err)
			log_msg(err == ENOENT && tail_was_rotated(s, path) ?
			    LEVEL_DEBUG : LEVEL_WARN,
			    "open \"%s\" failed: %s; retrying every %lld ms", path,
			    strerror(err), s->conf.poll_interval_ms);
		s->last_errno = err;
		return NULL;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		env->open_files--;
		if (s->last_errno != EINVAL)
			log_warn("\"%s\" is not a regular file; not reading it", path);
		s->last_errno = EINVAL;
		return NULL;
	}
	if (s->last_errno != 0 && !tail_was_rotated(s, path))
		log_info("\"%s\" opened; following it", path);
	s->last_errno = 0;
	if (env->open_files < env->max_open * 3 / 4)
		env->emfile_logged = 0;

	/* Known identity: same inode and the same first bytes. */
	cp = checkpoint_find(env->cp, st.st_dev, st.st_ino);
	if (cp != NULL && !tail_same_head(fd, cp)) {
		log_info("\"%s\": inode %llu holds another file than before (its first bytes differ); reading it as new",
		    path, (unsigned long long)st.st_ino);
		env->identity_mismatches++;
		cp = NULL;
	}
	if (cp != NULL && cp->ack.acked > (uint64_t)st.st_size) {
		log_warn("\"%s\" is shorter (%lld bytes) than its checkpoint (%llu): truncated while we were away; reading it from the start",
		    path, (long long)st.st_size, (unsigned long long)cp->ack.acked);
		env->truncations++;
		cp = NULL;
	}
	if (cp != NULL) {
		cp_entry_hold(cp);
		if (cp->ack.acked > 0)
			log_info("\"%s\": resumed from checkpoint at offset %llu", path,
			    (unsigned long long)cp->ack.acked);
	} else {
		if (tail_head(fd, CP_HEAD_MAX, &hash, &hlen) != 0) {
			hash = cp_hash("", 0);
			hlen = 0;
		}
		if (startup && s->conf.start_at == START_AT_END)
			offset = tail_last_lines(fd, (uint64_t)st.st_size,
			    (uint64_t)s->conf.start_lines);
		cp = cp_entry_new(env->cp, st.st_dev, st.st_ino, hlen, hash, offset,
		    path);
	}
	return tail_attach(s, path, fd, &st, cp, TAIL_FOLLOW);
}

struct tail_file *
tail_adopt(struct source *s, const char *path, struct cp_entry *e)
{
	struct stat st;
	int fd, err;

	if ((fd = tail_open_fd(s->env, path, &err)) < 0)
		return NULL;
	if (fstat(fd, &st) != 0 || st.st_dev != e->dev || st.st_ino != e->ino ||
	    !tail_same_head(fd, e)) {
		close(fd);
		s->env->open_files--;
		return NULL;
	}
	cp_entry_hold(e);
	log_info("\"%s\" was renamed to \"%s\" while we were stopped; reading it on from offset %llu",
	    e->path, path, (unsigned long long)e->ack.acked);
	s->env->rotations++;
	return tail_attach(s, path, fd, &st, e, TAIL_ROTATED);
}

/*
 * A renamed copy of e's file in dir: same device and inode (a rename), and
 * the same first bytes. Returns 0 with its path in out.
 */
int
tail_find_renamed(const char *dir, const struct cp_entry *e, char *out,
    size_t len)
{
	struct dirent *de;
	struct stat st;
	DIR *d;
	int rc = -1;

	if ((d = opendir(dir)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		if ((ino_t)de->d_ino != e->ino)
			continue;
		snprintf(out, len, "%s/%s", dir, de->d_name);
		if (stat(out, &st) == 0 && st.st_dev == e->dev && st.st_ino == e->ino &&
		    S_ISREG(st.st_mode)) {
			rc = 0;
			break;
		}
	}
	closedir(d);
	return rc;
}

void
path_dirname(const char *path, char *out, size_t len)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		snprintf(out, len, ".");
	else if (slash == path)
		snprintf(out, len, "/");
	else
		snprintf(out, len, "%.*s", (int)(slash - path), path);
}

/*
 * Read the file to its end (up to a budget), splitting lines. The batch
 * they go into is sent at the end of the loop turn (pipeline.c), so many
 * small files share batches.
 */
void
tail_read(struct tail_file *f)
{
	struct source *s = f->src;
	struct source_env *env = s->env;
	size_t budget = TAIL_BUDGET, room;
	struct stat st;
	int64_t now;
	uint64_t hash;
	uint32_t hlen;
	char *p;
	ssize_t r;

	if (f->fd < 0 || s->stopping)
		return;
	/*
	 * Shorter than what we read, or emptied and refilled past our offset
	 * (the first bytes are no longer those of the identity): truncated or
	 * copytruncated under us. Checked before every read, so no byte of the
	 * new content is read from the old offset. One pread of at most 1 KiB.
	 */
	if (s->stdin_file != f && f->offset > 0 && fstat(f->fd, &st) == 0 &&
	    ((uint64_t)st.st_size < f->offset ||
	    (f->cp->head_len > 0 && !tail_same_head(f->fd, f->cp))))
		tail_truncated(f, (uint64_t)st.st_size);
	while (f->fd >= 0) {
		if (pipeline_busy(env->pipe)) {
			s->paused = 1;	/* the pipeline's drain resumes us */
			break;
		}
		if (budget == 0) {
			source_kick(s);
			break;
		}
		linesplit_space(&f->ls, &p, &room);
		if (room > TAIL_READ_MAX)
			room = TAIL_READ_MAX;
		if (s->stdin_file == f)
			r = read(f->fd, p, room);
		else
			r = pread(f->fd, p, room, (off_t)f->offset);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			log_error("read \"%s\" failed at offset %llu: %s", f->path,
			    (unsigned long long)f->offset, strerror(errno));
			f->eof = 1;
			break;
		}
		if (r == 0) {
			f->eof = 1;
			linesplit_release(&f->ls);
			if (s->stdin_file == f) {
				pipeline_flush(env->pipe);
				source_end(s);
				return;
			}
			/*
			 * --oneshot ends when the last file reaches its end: run
			 * the tick now rather than up to 250 ms later. Not from
			 * here, though: ending stops sources while callers still
			 * walk their files.
			 */
			if (env->oneshot && source_drained(s))
				source_tick_now(s);
			break;
		}
		now = timefmt_now_ns();
		f->eof = 0;
		f->offset += (uint64_t)r;
		if (f->offset > f->size_seen)
			f->size_seen = f->offset;
		f->last_growth_ns = f->last_read_ns = now;
		budget -= (size_t)r < budget ? (size_t)r : budget;
		f->in.ack = f->cp != NULL ? &f->cp->ack : NULL;
		linesplit_commit(&f->ls, (size_t)r, source_file_line, f);
	}
	/* A file still under 1 KiB grew: its identity takes the new bytes in. */
	if (f->cp != NULL && f->cp->head_len < CP_HEAD_MAX &&
	    f->offset > f->cp->head_len && f->fd >= 0 &&
	    tail_head(f->fd, CP_HEAD_MAX, &hash, &hlen) == 0)
		cp_entry_set_head(f->cp, hlen, hash);
}

static int
tail_compressed(const char *name)
{
	static const char *const ext[] = { ".gz", ".bz2", ".xz", ".zst", ".lz4", ".zip", NULL };
	size_t n = strlen(name), k, i;

	for (i = 0; ext[i] != NULL; i++) {
		k = strlen(ext[i]);
		if (n > k && strcmp(name + n - k, ext[i]) == 0)
			return 1;
	}
	return 0;
}

/*
 * copytruncate: the lines between our offset and the truncation are in a
 * copy beside the file (name.1, name-20261122...) that starts with the
 * same bytes. The most recently changed such copy is the one.
 */
static int
tail_find_copy(const struct tail_file *f, const struct cp_entry *old, char *out,
    size_t len)
{
	char dir[PATH_MAX], cand[PATH_MAX];
	const char *base = strrchr(f->path, '/');
	struct dirent *de;
	struct stat st;
	size_t bl;
	int64_t best = -1, mt;
	int fd;
	DIR *d;

	base = base ? base + 1 : f->path;
	bl = strlen(base);
	path_dirname(f->path, dir, sizeof dir);
	if ((d = opendir(dir)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, base, bl) != 0 ||
		    strchr(".-_", de->d_name[bl]) == NULL || de->d_name[bl] == '\0' ||
		    tail_compressed(de->d_name))
			continue;
		snprintf(cand, sizeof cand, "%s/%s", dir, de->d_name);
		if (stat(cand, &st) != 0 || !S_ISREG(st.st_mode) ||
		    (st.st_dev == f->dev && st.st_ino == f->ino))
			continue;
		if ((fd = open(cand, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) < 0)
			continue;
		mt = (int64_t)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
		if (tail_same_head(fd, old) && mt > best) {
			best = mt;
			snprintf(out, len, "%s", cand);
		}
		close(fd);
	}
	closedir(d);
	return best >= 0 ? 0 : -1;
}

/*
 * The file is shorter than our offset, or holds other bytes than it did:
 * truncated in place, or copytruncated. Recover what we had not read from
 * the copy if there is one, count what cannot be recovered, and go on
 * from the start under a new identity.
 */
static void
tail_truncated(struct tail_file *f, uint64_t size)
{
	struct source *s = f->src;
	struct source_env *env = s->env;
	struct cp_entry *old = f->cp;
	char copy[PATH_MAX], *p;
	uint64_t hash, lost = 0, from = f->offset;
	uint32_t hlen;
	size_t room;
	ssize_t r;
	int cfd;

	env->truncations++;
	if (tail_find_copy(f, old, copy, sizeof copy) == 0 &&
	    (cfd = open(copy, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) >= 0) {
		/* Read on from our offset in the copy: the same bytes, kept. */
		for (;;) {
			linesplit_space(&f->ls, &p, &room);
			if (room > TAIL_READ_MAX)
				room = TAIL_READ_MAX;
			if ((r = pread(cfd, p, room, (off_t)f->offset)) <= 0)
				break;
			f->offset += (uint64_t)r;
			linesplit_commit(&f->ls, (size_t)r, source_file_line, f);
		}
		close(cfd);
		env->recovered_bytes += f->offset - from;
		log_info("\"%s\" was copied and truncated; read %llu bytes it had not sent from the copy \"%s\"",
		    f->path, (unsigned long long)(f->offset - from), copy);
	}
	if (f->size_seen > f->offset)
		lost = f->size_seen - f->offset;
	if (lost > 0) {
		env->unrecoverable_bytes += lost;
		log_warn("\"%s\" was truncated with %llu bytes we had not read and no copy holds; they are lost",
		    f->path, (unsigned long long)lost);
	} else if (f->offset == from)
		log_warn("\"%s\" was truncated (from %llu to %llu bytes); reading it from the start",
		    f->path, (unsigned long long)from, (unsigned long long)size);
	/* What the old content left unfinished is sent; it will not be finished now. */
	linesplit_finish(&f->ls, source_file_line, f);
	multiline_flush(&f->ml, source_file_line, f);
	if (tail_head(f->fd, CP_HEAD_MAX, &hash, &hlen) != 0) {
		hash = cp_hash("", 0);
		hlen = 0;
	}
	f->cp = cp_entry_new(env->cp, f->dev, f->ino, hlen, hash, 0, f->path);
	cp_entry_release(old);
	f->in.ack = &f->cp->ack;
	f->offset = 0;
	f->size_seen = size;
	linesplit_reset(&f->ls, 0);
}

/* Reopen a parked file by its identity; 0, or -1 when it is not the same file. */
static int
tail_unpark(struct tail_file *f, const char *path)
{
	struct stat st;
	int fd, err;

	if ((fd = tail_open_fd(f->src->env, path, &err)) < 0)
		return -1;
	if (fstat(fd, &st) != 0 || st.st_dev != f->dev || st.st_ino != f->ino ||
	    !tail_same_head(fd, f->cp)) {
		close(fd);
		f->src->env->open_files--;
		return -1;
	}
	f->fd = fd;
	f->parked = 0;
	return 0;
}

/* The path no longer names f: read the old file to its end, wherever it went. */
static void
tail_rotated(struct tail_file *f)
{
	struct source_env *env = f->src->env;
	char dir[PATH_MAX], found[PATH_MAX];

	f->state = TAIL_ROTATED;
	env->rotations++;
	log_info("\"%s\" was rotated or removed; reading the old file to its end",
	    f->path);
	if (!f->parked)
		return;
	/* Closed to save descriptors: find it by inode in the same directory. */
	path_dirname(f->path, dir, sizeof dir);
	if (tail_find_renamed(dir, f->cp, found, sizeof found) == 0 &&
	    tail_unpark(f, found) == 0)
		return;
	if (f->size_seen > f->offset) {
		env->at_risk_bytes += f->size_seen - f->offset;
		log_warn("\"%s\" was deleted before it was read to its end: %llu bytes at risk",
		    f->path, (unsigned long long)(f->size_seen - f->offset));
	}
}

void
tail_check(struct tail_file *f, int64_t now_ns)
{
	struct stat st;

	if (f->state == TAIL_FOLLOW) {
		if (stat(f->path, &st) == 0 && st.st_dev == f->dev && st.st_ino == f->ino) {
			cp_entry_seen(f->cp, f->path, now_ns);
			if ((uint64_t)st.st_size > f->size_seen)
				f->size_seen = (uint64_t)st.st_size;
			if (f->parked && ((uint64_t)st.st_size != f->offset ||
			    f->src->conf.watch == WATCH_POLL) && tail_unpark(f, f->path) != 0)
				tail_rotated(f);
		} else
			tail_rotated(f);
	}
	if (f->fd >= 0)
		tail_read(f);	/* the safety net; it checks for truncation too */
}

void
tail_timeouts(struct tail_file *f, int64_t now_ns)
{
	struct source *s = f->src;

	if (f->ls.len > 0 && f->eof &&
	    now_ns - f->last_growth_ns >= s->conf.partial_flush_ms * 1000000LL) {
		linesplit_finish(&f->ls, source_file_line, f);
		linesplit_release(&f->ls);
	}
	multiline_timeout(&f->ml, now_ns, source_file_line, f);
	if (f->state == TAIL_ROTATED && s->stdin_file != f && (f->fd < 0 || (f->eof &&
	    now_ns - f->last_growth_ns >= s->conf.rotate_wait_ms * 1000000LL))) {
		log_debug("\"%s\": the rotated file is read to its end and quiet; closing it",
		    f->path);
		tail_free(f, 1);
	}
}

void
tail_free(struct tail_file *f, int flush_partial)
{
	struct source *s = f->src;
	struct tail_file **pp;

	if (flush_partial) {
		linesplit_finish(&f->ls, source_file_line, f);
		multiline_flush(&f->ml, source_file_line, f);
		pipeline_flush(s->env->pipe);
	}
	for (pp = &s->files; *pp != NULL; pp = &(*pp)->next)
		if (*pp == f) {
			*pp = f->next;
			break;
		}
	s->nfiles--;
	tail_close_fd(f);
	if (s->env->pipe->name_src == &f->in)
		s->env->pipe->name_src = NULL;
	linesplit_free(&f->ls);
	multiline_free(&f->ml);
	if (f->cp != NULL)
		cp_entry_release(f->cp);
	free(f->path);
	free(f);
}

/* Close the open file idle the longest (read to its end, nothing held). */
int
tail_park_one(struct source_env *env, struct source *all)
{
	struct tail_file *f, *best = NULL;
	struct source *s;

	for (s = all; s != NULL; s = s->next)
		for (f = s->files; f != NULL; f = f->next)
			if (f->fd >= 0 && f->state == TAIL_FOLLOW && f->eof &&
			    f->ls.len == 0 && !f->ls.skipping &&
			    !multiline_pending(&f->ml) && s->stdin_file != f &&
			    (best == NULL || f->last_read_ns < best->last_read_ns))
				best = f;
	if (best == NULL)
		return -1;
	tail_close_fd(best);
	linesplit_release(&best->ls);
	best->parked = 1;
	env->parked++;
	return 0;
}
