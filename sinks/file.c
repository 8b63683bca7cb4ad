/* SPDX-License-Identifier: MIT */
/* file.c: batches appended to files named by a strftime pattern, each batch one gzip member. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "batcher.h"
#include "gzip.h"
#include "log.h"
#include "sink.h"
#include "timefmt.h"
#include "xmalloc.h"

#define FILE_RETRY_MIN_MS	100
#define FILE_RETRY_MAX_MS	30000
#define FILE_NAME_MAX		4096

enum { FILE_GZIP_AUTO, FILE_GZIP_ON, FILE_GZIP_OFF };
enum { FILE_FSYNC_BATCH, FILE_FSYNC_NEVER };

struct file_opts {
	char *path;
	int compress;
	long long level;
	char *mode;
	int fsync;
	int utc;
	size_t max_bytes;
	long long keep_files;
	struct batcher_opts batch;
};

static const char *const file_compress[] = { "auto", "gzip", "none", NULL };
static const char *const file_fsyncs[] = { "batch", "never", NULL };

BATCHER_TABLE(file_batch_options, "10000", "8MiB", "0");

static const struct conf_option file_options[] = {
	{ "path", CONF_STRING, NULL, offsetof(struct file_opts, path), 0, 0, NULL,
	  CONF_REQUIRED, "strftime pattern of the file, e.g. /var/log/agg/app-%Y%m%d-%H.jsonl.gz: when the name changes a new file begins (hourly, daily); directories are created", NULL },
	{ "compress", CONF_ENUM, "auto", offsetof(struct file_opts, compress), 0, 0,
	  file_compress, 0, "gzip: each batch one gzip member (zcat reads a file cut short up to its last whole batch); auto: gzip when the path ends in .gz", NULL },
	{ "level", CONF_INT, "1", offsetof(struct file_opts, level), 1, 9, NULL, 0,
	  "gzip level", NULL },
	{ "mode", CONF_STRING, "0640", offsetof(struct file_opts, mode), 0, 0, NULL, 0,
	  "permissions of new files, octal", NULL },
	{ "fsync", CONF_ENUM, "batch", offsetof(struct file_opts, fsync), 0, 0,
	  file_fsyncs, 0, "batch: fsync before a batch counts as written (checkpoints move only past what is on disk); never: leave it to the kernel", NULL },
	{ "utc", CONF_BOOL, "false", offsetof(struct file_opts, utc), 0, 0, NULL, 0,
	  "format the path in UTC rather than local time", NULL },
	{ "max_bytes", CONF_SIZE, "0", offsetof(struct file_opts, max_bytes), 0,
	  1LL << 50, NULL, 0, "past this size a numbered part begins (app.1.jsonl.gz, app.2...); 0: no limit", NULL },
	{ "keep_files", CONF_INT, "0", offsetof(struct file_opts, keep_files), 0,
	  1000000, NULL, 0, "files the pattern names kept at most, oldest removed first; 0: all", NULL },
	{ "batch", CONF_OBJECT, NULL, offsetof(struct file_opts, batch), 0, 0, NULL, 0,
	  "how events are grouped into gzip members (one member per batch)", file_batch_options },
	{ NULL, 0, NULL, 0, 0, 0, NULL, 0, NULL, NULL },
};

/*
 * One of the sink's batches (a span of its queue): encoded and compressed
 * on the thread pool as soon as it is cut (several at once, on every
 * core), then written in order.
 */
struct file_batch {
	struct span span;
	struct file_batch *next;
	struct file_sink *fs;
	uv_work_t work;
	int ready;		/* out holds its bytes (or rc says why not) */
	int rc;
	struct buf out;
};

#define FILE_RUN_MAX	64	/* batches written, then fsynced, together */

/*
 * Writing is one work on the thread pool at a time: the run of ready
 * batches at the head of the queue is appended and fsynced once (a group
 * commit), and only then are they done.
 */
struct file_sink {
	struct sink *sink;
	const struct file_opts *o;
	uv_loop_t *loop;
	uv_work_t work;
	uv_timer_t retry;
	int gzip;
	mode_t mode;
	struct batcher bt;	/* the pipeline's batches, until every span of them is written */
	uv_timer_t tick;	/* the next batch due by age */
	struct file_batch *head, **tail;	/* cut, in order */
	unsigned encoding;	/* encode works not finished */
	int busy;		/* a write work or a retry is pending */
	sink_closed_fn closed;
	/* Owned by the writer while busy. */
	unsigned run;		/* batches in this write */
	unsigned written;	/* of them, on disk when it ends */
	int fd;
	char name[FILE_NAME_MAX];	/* of fd */
	unsigned part;
	int opened;		/* a new file was begun since the last retention */
	off_t size;
	int err;		/* of the last attempt, or 0 */
	char errwhat[64];
	unsigned retry_ms;
	uint64_t failures;
	int logged_err;
};

static void file_next(struct file_sink *fs);

/* A file and its age, for keep_files. */
struct file_aged {
	const char *path;
	struct stat st;
};

/* The name for now: the pattern formatted, with ".N" before the first dot of a part. */
static int
file_name(const struct file_sink *fs, time_t now, unsigned part, char *out, size_t cap)
{
	struct tm tm;
	char base[FILE_NAME_MAX], *slash, *dot;
	size_t n;

	if ((fs->o->utc ? gmtime_r(&now, &tm) : localtime_r(&now, &tm)) == NULL)
		return -EINVAL;
	/* The pattern is the user's, by design: strftime only formats times. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	n = strftime(base, sizeof base, fs->o->path, &tm);
#pragma GCC diagnostic pop
	if (n == 0)
		return -ENAMETOOLONG;
	if (part == 0) {
		snprintf(out, cap, "%s", base);
		return 0;
	}
	slash = strrchr(base, '/');
	dot = strchr(slash != NULL ? slash + 1 : base, '.');
	if (dot == NULL)
		snprintf(out, cap, "%s.%u", base, part);
	else
		snprintf(out, cap, "%.*s.%u%s", (int)(dot - base), base, part, dot);
	return 0;
}

/* mkdir -p of the directory part of path. */
static int
file_mkdirs(const char *path)
{
	char dir[FILE_NAME_MAX], *p;

	snprintf(dir, sizeof dir, "%s", path);
	if ((p = strrchr(dir, '/')) == NULL || p == dir)
		return 0;
	*p = '\0';
	for (p = dir + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0750) != 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(dir, 0750) != 0 && errno != EEXIST)
		return -errno;
	return 0;
}

/* The file for this batch: the same, or the next one when the name or the size says so. */
static int
file_target(struct file_sink *fs)
{
	char name[FILE_NAME_MAX];
	struct stat st;
	time_t now = time(NULL);
	int rc;

	if ((rc = file_name(fs, now, fs->part, name, sizeof name)) != 0)
		return rc;
	if (fs->fd >= 0 && strcmp(name, fs->name) != 0) {
		/* A new hour, day, second: the pattern moved on, parts start over. */
		fs->part = 0;
		if ((rc = file_name(fs, now, 0, name, sizeof name)) != 0)
			return rc;
	}
	while (fs->o->max_bytes > 0 && fs->fd >= 0 && strcmp(name, fs->name) == 0 &&
	    (size_t)fs->size >= fs->o->max_bytes) {
		fs->part++;
		if ((rc = file_name(fs, now, fs->part, name, sizeof name)) != 0)
			return rc;
	}
	if (fs->fd >= 0 && strcmp(name, fs->name) == 0)
		return 0;
	if (fs->fd >= 0) {
		/* What went to the old file is done with: make it durable first. */
		if (fs->o->fsync == FILE_FSYNC_BATCH && fsync(fs->fd) != 0) {
			snprintf(fs->errwhat, sizeof fs->errwhat, "cannot fsync");
			return -errno;
		}
		close(fs->fd);
		fs->fd = -1;
	}
	if ((rc = file_mkdirs(name)) != 0) {
		snprintf(fs->errwhat, sizeof fs->errwhat, "cannot create the directory");
		return rc;
	}
	/* Created here: the configured mode, whatever the agent's umask (077). */
	if ((fs->fd = open(name, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC,
	    fs->mode)) >= 0)
		(void)fchmod(fs->fd, fs->mode);
	else if (errno == EEXIST)
		fs->fd = open(name, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (fs->fd < 0) {
		snprintf(fs->errwhat, sizeof fs->errwhat, "cannot open");
		snprintf(fs->name, sizeof fs->name, "%s", name);
		return -errno;
	}
	snprintf(fs->name, sizeof fs->name, "%s", name);
	fs->size = fstat(fs->fd, &st) == 0 ? st.st_size : 0;
	fs->opened = 1;
	return 0;
}

/*
 * A write or fsync failed (errno says why): cut the file back to where the
 * batch began, so no torn member is left for zcat to stumble on.
 */
static void
file_undo(struct file_sink *fs, off_t start, const char *what)
{
	fs->err = -errno;
	snprintf(fs->errwhat, sizeof fs->errwhat, "%s", what);
	if (ftruncate(fs->fd, start) != 0)
		snprintf(fs->errwhat, sizeof fs->errwhat, "%s, nor cut back the batch", what);
}

/* On the thread pool: one batch as ndjson, gzipped unless told not to. */
static void
file_encode_work(uv_work_t *w)
{
	struct file_batch *fb = w->data;
	struct buf text;

	buf_init(&text, (size_t)1 << 30);
	buf_init(&fb->out, (size_t)1 << 30);
	if (span_encode(&fb->span, &enc_ndjson, &text) != 0)
		fb->rc = AGENT_E_TOOBIG;
	else if (!fb->fs->gzip || text.len == 0)
		fb->rc = buf_append(&fb->out, text.p, text.len);
	else
		fb->rc = gzip_member(&fb->out, text.p, text.len, (int)fb->fs->o->level);
	buf_free(&text);
}

static void
file_encode_after(uv_work_t *w, int status)
{
	struct file_batch *fb = w->data;

	if (status != 0 && fb->rc == 0)
		fb->rc = status;
	fb->ready = 1;
	fb->fs->encoding--;
	file_next(fb->fs);
}

/*
 * On the thread pool: the run of batches appended, then one fsync. On a
 * failure the file is cut back to where the run began in it, and
 * fs->written says how many batches before that are safe (in an earlier
 * file the pattern moved on from, fsynced when it was closed).
 */
static void
file_write_work(uv_work_t *w)
{
	struct file_sink *fs = w->data;
	struct file_batch *fb = fs->head;
	const char *p;
	size_t left;
	ssize_t k;
	off_t start = 0;
	unsigned i, first_here = 0;
	int fd_before, rc;

	fs->err = 0;
	fs->errwhat[0] = '\0';
	fs->written = 0;
	for (i = 0; i < fs->run; i++, fb = fb->next) {
		fd_before = fs->fd;
		if ((rc = file_target(fs)) != 0) {
			fs->err = rc;
			fs->written = first_here;
			return;
		}
		if (i == 0 || fs->fd != fd_before) {
			start = fs->size;
			first_here = i;
		}
		for (p = fb->out.p, left = fb->out.len; left > 0; p += k, left -= (size_t)k) {
			if ((k = write(fs->fd, p, left)) < 0) {
				if (errno == EINTR) {
					k = 0;
					continue;
				}
				file_undo(fs, start, "cannot write");
				fs->size = start;
				fs->written = first_here;
				return;
			}
		}
		fs->size += (off_t)fb->out.len;
	}
	if (fs->o->fsync == FILE_FSYNC_BATCH && fsync(fs->fd) != 0) {
		file_undo(fs, start, "cannot fsync");
		fs->size = start;
		fs->written = first_here;
		return;
	}
	fs->written = fs->run;
}

static void
file_retry_cb(uv_timer_t *t)
{
	struct file_sink *fs = t->data;

	fs->busy = 0;
	file_next(fs);
}

static int
file_cmp_mtime(const void *a, const void *b)
{
	const struct stat *x = &((const struct file_aged *)a)->st;
	const struct stat *y = &((const struct file_aged *)b)->st;

	if (x->st_mtim.tv_sec != y->st_mtim.tv_sec)
		return x->st_mtim.tv_sec < y->st_mtim.tv_sec ? -1 : 1;
	return x->st_mtim.tv_nsec < y->st_mtim.tv_nsec ? -1 :
	    x->st_mtim.tv_nsec > y->st_mtim.tv_nsec;
}

/*
 * keep_files: of the files the pattern names (each %X a *, and numbered
 * parts: a * before the first dot of the name), the oldest by
 * modification time go first. The one being written stays.
 */
static void
file_retention(struct file_sink *fs)
{
	char pat[FILE_NAME_MAX];
	const char *s, *base;
	struct file_aged *f;
	size_t n = 0, i, nf = 0;
	glob_t g;

	if (fs->o->keep_files <= 0)
		return;
	base = strrchr(fs->o->path, '/');
	base = base != NULL ? base + 1 : fs->o->path;
	for (s = fs->o->path; *s != '\0' && n + 3 < sizeof pat; s++) {
		if (s >= base && *s == '.' && strchr(base, '.') == s)
			pat[n++] = '*';
		if (*s == '%' && s[1] != '\0') {
			s++;
			pat[n++] = s[0] == '%' ? '%' : '*';
		} else
			pat[n++] = *s;
	}
	pat[n] = '\0';
	if (glob(pat, 0, NULL, &g) != 0)
		return;
	f = xcalloc(g.gl_pathc + 1, sizeof *f);
	for (i = 0; i < g.gl_pathc; i++)
		if (stat(g.gl_pathv[i], &f[nf].st) == 0 && S_ISREG(f[nf].st.st_mode))
			f[nf++].path = g.gl_pathv[i];
	qsort(f, nf, sizeof *f, file_cmp_mtime);
	for (i = 0; i + (size_t)fs->o->keep_files < nf; i++)
		if (strcmp(f[i].path, fs->name) != 0 && unlink(f[i].path) == 0)
			log_info("sink %s: removed %s (keep_files %lld)", fs->sink->name,
			    f[i].path, fs->o->keep_files);
	free(f);
	globfree(&g);
}

/* The oldest batch is done with: off the queue, its done called. */
static void
file_pop(struct file_sink *fs, int status)
{
	struct file_batch *fb = fs->head;

	if ((fs->head = fb->next) == NULL)
		fs->tail = &fs->head;
	batcher_span_done(&fs->bt, fs->sink, &fb->span, status);
	buf_free(&fb->out);
	free(fb);
}

static void
file_write_after(uv_work_t *w, int status)
{
	struct file_sink *fs = w->data;
	unsigned i;

	/* Still busy while done runs: it may read more lines and come back here. */
	for (i = 0; i < fs->written; i++)
		file_pop(fs, 0);
	fs->busy = 0;
	fs->sink->st.sent += fs->written;
	if (fs->err == 0 && status == 0) {
		fs->sink->st.down = 0;
		fs->sink->st.last_error[0] = '\0';
		if (fs->logged_err)
			log_info("sink %s: writing to %s again", fs->sink->name, fs->name);
		fs->logged_err = 0;
		fs->retry_ms = 0;
		/* Only a new file can take the count past keep_files. */
		if (fs->opened) {
			fs->opened = 0;
			file_retention(fs);
		}
		file_next(fs);
		return;
	}
	/*
	 * Disk full, permission denied...: the batch stays, and so does every
	 * one behind it (reading pauses through backpressure); try again,
	 * later and later, without end: nothing is acknowledged unwritten.
	 */
	fs->failures++;
	fs->sink->st.retried++;
	fs->sink->st.down = 1;
	snprintf(fs->sink->st.last_error, sizeof fs->sink->st.last_error, "%s %s: %s",
	    fs->errwhat, fs->name[0] ? fs->name : fs->o->path,
	    agent_strerror(fs->err != 0 ? fs->err : status));
	fs->retry_ms = fs->retry_ms == 0 ? FILE_RETRY_MIN_MS :
	    fs->retry_ms * 2 > FILE_RETRY_MAX_MS ? FILE_RETRY_MAX_MS : fs->retry_ms * 2;
	if (!fs->logged_err || fs->retry_ms == FILE_RETRY_MAX_MS)
		log_error("sink %s: %s %s: %s; retrying in %u ms (%llu failures so far)",
		    fs->sink->name, fs->errwhat, fs->name[0] ? fs->name : fs->o->path,
		    agent_strerror(fs->err != 0 ? fs->err : status), fs->retry_ms,
		    (unsigned long long)fs->failures);
	fs->logged_err = 1;
	fs->busy = 1;
	uv_timer_start(&fs->retry, file_retry_cb, fs->retry_ms, 0);
}

static void
file_tick_closed(uv_handle_t *h)
{
	struct file_sink *fs = h->data;
	struct sink *s = fs->sink;
	sink_closed_fn closed = fs->closed;

	if (fs->fd >= 0)
		close(fs->fd);
	conf_opts_free(file_options, (void *)fs->o);
	free(fs);
	s->priv = NULL;
	closed(s);
}

static void
file_closed_cb(uv_handle_t *h)
{
	struct file_sink *fs = h->data;

	uv_close((uv_handle_t *)&fs->tick, file_tick_closed);
}

static void
file_tick_cb(uv_timer_t *t)
{
	file_next(t->data);
}

/* Cut the batches that are due and start encoding them. */
static void
file_cut(struct file_sink *fs)
{
	struct file_batch *fb;
	struct span sp;
	int64_t now = timefmt_now_ns(), due;

	while (batcher_cut(&fs->bt, now, fs->closed != NULL, &sp, &due)) {
		fb = xcalloc(1, sizeof *fb);
		fb->span = sp;
		fb->fs = fs;
		fb->work.data = fb;
		*fs->tail = fb;
		fs->tail = &fb->next;
		fs->encoding++;
		uv_queue_work(fs->loop, &fb->work, file_encode_work, file_encode_after);
	}
	if (due != 0)
		uv_timer_start(&fs->tick, file_tick_cb, (uint64_t)((due - now) / 1000000) + 1, 0);
}

static void
file_next(struct file_sink *fs)
{
	struct file_batch *fb;

	file_cut(fs);
	if (fs->busy)
		return;
	/* A batch that cannot be encoded will never fit: given up (and counted). */
	while ((fb = fs->head) != NULL && fb->ready && fb->rc != 0) {
		log_error("sink %s: a batch of %u events cannot be encoded: %s; dropped",
		    fs->sink->name, fb->span.nevents, agent_strerror(fb->rc));
		file_pop(fs, fb->rc);
	}
	for (fs->run = 0, fb = fs->head; fb != NULL && fb->ready &&
	    fb->rc == 0 && fs->run < FILE_RUN_MAX; fb = fb->next)
		fs->run++;
	if (fs->run > 0) {
		fs->busy = 1;
		fs->work.data = fs;
		uv_queue_work(fs->loop, &fs->work, file_write_work, file_write_after);
		return;
	}
	if (fs->closed != NULL && fs->head == NULL && batcher_empty(&fs->bt) &&
	    fs->encoding == 0 && !uv_is_closing((uv_handle_t *)&fs->retry))
		uv_close((uv_handle_t *)&fs->retry, file_closed_cb);
}

static int
file_open(struct sink *s, uv_loop_t *loop)
{
	const struct file_opts *o = s->conf->opts;
	struct file_sink *fs;
	char *end;
	long mode;
	size_t n = strlen(o->path);

	mode = strtol(o->mode, &end, 8);
	if (*end != '\0' || end == o->mode || mode < 0 || mode > 07777) {
		log_error("sink %s: mode \"%s\" is not an octal mode such as 0640", s->name,
		    o->mode);
		return AGENT_E_CONFIG;
	}
	fs = xcalloc(1, sizeof *fs);
	fs->sink = s;
	/* Ours: the conf goes away on reload while the last batches finish. */
	fs->o = o = conf_opts_dup(file_options, o, sizeof *o);
	fs->loop = loop;
	fs->fd = -1;
	fs->mode = (mode_t)mode;
	fs->gzip = o->compress == FILE_GZIP_ON ||
	    (o->compress == FILE_GZIP_AUTO && n > 3 && strcmp(o->path + n - 3, ".gz") == 0);
	uv_timer_init(loop, &fs->retry);
	fs->retry.data = fs;
	uv_timer_init(loop, &fs->tick);
	fs->tick.data = fs;
	fs->tail = &fs->head;
	batcher_init(&fs->bt, &o->batch, s->hold_max);
	s->max_age_ms = o->batch.max_age_ms;
	s->priv = fs;
	return 0;
}

static int
file_write(struct sink *s, struct batch *b, sink_done_fn done)
{
	struct file_sink *fs = s->priv;

	if (fs->closed != NULL)
		return AGENT_E_CLOSED;
	batcher_add(&fs->bt, xmalloc(sizeof(struct sink_item)), b, done, timefmt_now_ns());
	file_next(fs);
	return 0;
}

static void
file_close(struct sink *s, sink_closed_fn closed)
{
	struct file_sink *fs = s->priv;

	fs->closed = closed;
	file_next(fs);
}

const struct sink_ops sink_file = {
	.name = "file",
	.help = "Files named by a strftime pattern (cron-style hourly or daily files), ndjson, each batch a gzip member; SIGHUP reopens.",
	.options = file_options,
	.opts_size = sizeof(struct file_opts),
	.open = file_open,
	.write = file_write,
	.close = file_close,
};
