/* SPDX-License-Identifier: MIT */
/* checkpoint.c: loading and saving checkpoints atomically, keeping the previous good copy. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "buf.h"
#include "checkpoint.h"
#include "log.h"
#include "xmalloc.h"

#define CP_MAGIC	"logagent-checkpoints 1"
#define CP_FILE_MAX	(64 << 20)

uint64_t
cp_hash(const void *p, size_t n)
{
	const unsigned char *s = p;
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= s[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

static void
cp_entry_changed(struct ack_stream *st)
{
	struct cp_entry *e = st->owner;

	if (e->registered && e->store != NULL)
		e->store->dirty = 1;
	if (!e->registered && e->holds == 0 && st->pending == 0) {
		free(e->path);
		free(e);
	}
}

struct cp_entry *
checkpoint_find(struct checkpoint_store *cs, dev_t dev, ino_t ino)
{
	struct cp_entry *e;

	for (e = cs ? cs->entries : NULL; e != NULL; e = e->next)
		if (e->dev == dev && e->ino == ino)
			return e;
	return NULL;
}

static void
cp_register(struct checkpoint_store *cs, struct cp_entry *e)
{
	e->store = cs;
	e->registered = 1;
	e->next = cs->entries;
	cs->entries = e;
	cs->count++;
	cs->dirty = 1;
}

void
cp_entry_unregister(struct cp_entry *e)
{
	struct checkpoint_store *cs = e->store;
	struct cp_entry **pp;

	if (!e->registered)
		return;
	for (pp = &cs->entries; *pp != NULL; pp = &(*pp)->next)
		if (*pp == e) {
			*pp = e->next;
			break;
		}
	e->registered = 0;
	e->next = NULL;
	cs->count--;
	cs->dirty = 1;
	if (e->holds == 0 && e->ack.pending == 0) {
		free(e->path);
		free(e);
	}
}

struct cp_entry *
cp_entry_new(struct checkpoint_store *cs, dev_t dev, ino_t ino,
    uint32_t head_len, uint64_t head_hash, uint64_t offset, const char *path)
{
	struct cp_entry *e = xcalloc(1, sizeof *e), *old;

	e->dev = dev;
	e->ino = ino;
	e->path = xstrdup(path);
	e->holds = 1;
	ack_stream_init(&e->ack, offset, e, cp_entry_changed);
	cp_entry_set_head(e, head_len, head_hash);
	if (cs != NULL) {
		if ((old = checkpoint_find(cs, dev, ino)) != NULL)
			cp_entry_unregister(old);
		cp_register(cs, e);
	}
	return e;
}

void
cp_entry_hold(struct cp_entry *e)
{
	e->holds++;
}

void
cp_entry_release(struct cp_entry *e)
{
	if (--e->holds == 0 && !e->registered && e->ack.pending == 0) {
		free(e->path);
		free(e);
	}
}

void
cp_entry_set_head(struct cp_entry *e, uint32_t head_len, uint64_t head_hash)
{
	e->head_len = head_len;
	e->head_hash = head_hash;
	/*
	 * The stream's identity for batch keys: another file on a reused inode
	 * has other first bytes, so its byte ranges get other keys.
	 */
	e->ack.id = (((uint64_t)e->dev * 0x9e3779b97f4a7c15ULL) ^
	    ((uint64_t)e->ino * 0xc2b2ae3d27d4eb4fULL) ^ head_hash ^
	    ((uint64_t)head_len << 48)) | 1;
	if (e->registered)
		e->store->dirty = 1;
}

void
cp_entry_seen(struct cp_entry *e, const char *path, int64_t now_ns)
{
	/* Seconds are enough to forget by; do not dirty the store every tick. */
	if (e->registered && (now_ns - e->seen_ns > 60000000000LL ||
	    strcmp(e->path, path) != 0))
		e->store->dirty = 1;
	if (strcmp(e->path, path) != 0) {
		free(e->path);
		e->path = xstrdup(path);
	}
	e->seen_ns = now_ns;
}

/* Paths are written with bytes outside printable ASCII, space and % as %XX. */
static void
cp_put_path(struct buf *b, const char *p)
{
	for (; *p != '\0'; p++) {
		if ((unsigned char)*p > 0x20 && (unsigned char)*p < 0x7f && *p != '%')
			buf_putc(b, *p);
		else
			buf_printf(b, "%%%02X", (unsigned char)*p);
	}
}

static int
cp_get_path(const char *in, char *out, size_t len)
{
	size_t n = 0;
	unsigned v;

	while (*in != '\0' && n + 1 < len) {
		if (*in == '%') {
			if (sscanf(in + 1, "%2X", &v) != 1 || v == 0)
				return -1;
			out[n++] = (char)v;
			in += 3;
		} else
			out[n++] = *in++;
	}
	out[n] = '\0';
	return *in == '\0' ? 0 : -1;
}

/* Parse a whole checkpoint file; 0, or -1 with why set. Adds entries to cs. */
int
checkpoint_parse(struct checkpoint_store *cs, char *text, size_t len, const char **why)
{
	char *line, *save = NULL, *end_line, path[4096];
	unsigned long long dev, ino, off, hash;
	unsigned head, count = 0, want;
	long long seen;
	uLong crc;
	unsigned long got;
	struct cp_entry *e;

	if (len == 0) {
		*why = "empty";
		return -1;
	}
	if (text[len - 1] != '\n' || memchr(text, '\0', len) != NULL) {
		*why = "cut short";
		return -1;
	}
	/* The last line is "end COUNT CRC32" over everything before it. */
	text[len - 1] = '\0';
	end_line = strrchr(text, '\n');
	if (end_line == NULL || sscanf(end_line + 1, "end %u %lx", &want, &got) != 2) {
		*why = "no end line (cut short?)";
		return -1;
	}
	crc = crc32(0L, (const Bytef *)text, (uInt)(end_line + 1 - text));
	if (crc != got) {
		*why = "checksum does not match";
		return -1;
	}
	*end_line = '\0';
	line = strtok_r(text, "\n", &save);
	if (line == NULL || strcmp(line, CP_MAGIC) != 0) {
		*why = "not a checkpoint file (bad first line)";
		return -1;
	}
	while ((line = strtok_r(NULL, "\n", &save)) != NULL) {
		if (sscanf(line, "%llu %llu %u %llx %llu %lld %4095s", &dev, &ino,
		    &head, &hash, &off, &seen, path) != 7 ||
		    head > CP_HEAD_MAX || cp_get_path(path, path, sizeof path) != 0) {
			*why = "a malformed entry";
			return -1;
		}
		e = cp_entry_new(cs, (dev_t)dev, (ino_t)ino, head, hash, off, path);
		e->seen_ns = seen * 1000000000LL;
		e->holds = 0;
		count++;
	}
	if (count != want) {
		*why = "entry count does not match";
		return -1;
	}
	return 0;
}

void
checkpoint_drop_all(struct checkpoint_store *cs)
{
	while (cs->entries != NULL)
		cp_entry_unregister(cs->entries);
}

/* Load one file; 0 when it was read whole, -1 with the reason logged. */
static int
cp_load(struct checkpoint_store *cs, const char *file)
{
	struct buf b;
	const char *why = NULL;
	char chunk[65536];
	ssize_t r;
	int fd, rc = -1;

	buf_init(&b, CP_FILE_MAX);
	if ((fd = open(file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0) {
		if (errno != ENOENT)
			log_warn("checkpoints: cannot open \"%s\": %s", file,
			    strerror(errno));
		goto out;
	}
	while ((r = read(fd, chunk, sizeof chunk)) > 0)
		if (buf_append(&b, chunk, (size_t)r) != 0)
			break;
	if (r < 0 || b.failed) {
		log_warn("checkpoints: cannot read \"%s\": %s", file,
		    r < 0 ? strerror(errno) : "too large");
		goto out;
	}
	buf_putc(&b, '\0');
	if (checkpoint_parse(cs, b.p, b.len - 1, &why) != 0) {
		log_warn("checkpoints: \"%s\" is damaged (%s); not using it", file, why);
		checkpoint_drop_all(cs);
		goto out;
	}
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	buf_free(&b);
	return rc;
}

static char *
cp_join(const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *p = xmalloc(n);

	snprintf(p, n, "%s/%s", dir, name);
	return p;
}

int
checkpoint_open(struct checkpoint_store *cs, const char *dir)
{
	memset(cs, 0, sizeof *cs);
	cs->dir = xstrdup(dir);
	cs->file = cp_join(dir, "checkpoints");
	cs->prev = cp_join(dir, "checkpoints.prev");
	cs->tmp = cp_join(dir, "checkpoints.tmp");
	if (cp_load(cs, cs->file) == 0) {
		log_info("checkpoints: %u files resumed from \"%s\"", cs->count, cs->file);
		cs->dirty = 0;
		return 0;
	}
	if (access(cs->file, F_OK) == 0 || access(cs->prev, F_OK) == 0) {
		if (cp_load(cs, cs->prev) == 0)
			log_warn("checkpoints: using the previous good copy \"%s\" (%u files); lines after it may repeat",
			    cs->prev, cs->count);
		else
			log_warn("checkpoints: no usable checkpoint in \"%s\"; files not seen before start as configured by start_at",
			    dir);
	}
	cs->dirty = cs->count > 0;
	return 0;
}

static int
cp_write_all(int fd, const char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		if ((w = write(fd, p, n)) < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int
checkpoint_save(struct checkpoint_store *cs)
{
	struct cp_entry *e;
	struct buf b;
	uLong crc;
	int fd = -1, dfd = -1, rc = 0;
	const char *step = "open";

	buf_init(&b, CP_FILE_MAX);
	buf_printf(&b, "%s\n", CP_MAGIC);
	for (e = cs->entries; e != NULL; e = e->next) {
		buf_printf(&b, "%llu %llu %u %016" PRIx64 " %llu %lld ",
		    (unsigned long long)e->dev, (unsigned long long)e->ino,
		    e->head_len, e->head_hash, (unsigned long long)e->ack.acked,
		    (long long)(e->seen_ns / 1000000000LL));
		cp_put_path(&b, e->path);
		buf_putc(&b, '\n');
	}
	crc = crc32(0L, (const Bytef *)b.p, (uInt)b.len);
	buf_printf(&b, "end %u %08lx\n", cs->count, (unsigned long)crc);
	if (b.failed) {
		rc = AGENT_E_TOOBIG;
		step = "build";
		goto out;
	}
	fd = open(cs->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		rc = -errno;
		goto out;
	}
	step = "write";
	if ((rc = cp_write_all(fd, b.p, b.len)) != 0)
		goto out;
	step = "fsync";
	if (fsync(fd) != 0) {
		rc = -errno;
		goto out;
	}
	close(fd);
	fd = -1;
	/* Keep the current file as the previous good copy, then replace it. */
	unlink(cs->prev);
	if (link(cs->file, cs->prev) != 0 && errno != ENOENT) {
		rc = -errno;
		step = "link";
		goto out;
	}
	step = "rename";
	if (rename(cs->tmp, cs->file) != 0) {
		rc = -errno;
		goto out;
	}
	step = "fsync the directory";
	if ((dfd = open(cs->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 ||
	    fsync(dfd) != 0) {
		rc = -errno;
		goto out;
	}
	cs->dirty = 0;
	cs->saves++;
	if (cs->last_errno != 0)
		log_info("checkpoints: saving works again (\"%s\")", cs->file);
	cs->last_errno = 0;
out:
	if (rc != 0) {
		cs->save_errors++;
		if (cs->last_errno != rc)
			log_error("checkpoints: %s \"%s\" failed: %s; keeping the last good checkpoint and retrying",
			    step, cs->tmp, agent_strerror(rc));
		cs->last_errno = rc;
		unlink(cs->tmp);
	}
	if (fd >= 0)
		close(fd);
	if (dfd >= 0)
		close(dfd);
	buf_free(&b);
	return rc;
}

void
checkpoint_forget(struct checkpoint_store *cs, int64_t now_ns,
    int64_t older_than_ns)
{
	struct cp_entry *e, *next;

	for (e = cs->entries; e != NULL; e = next) {
		next = e->next;
		if (e->holds == 0 && now_ns - e->seen_ns > older_than_ns) {
			log_debug("checkpoints: forgetting \"%s\" (not seen for a while)", e->path);
			cp_entry_unregister(e);
		}
	}
}

void
checkpoint_close(struct checkpoint_store *cs)
{
	checkpoint_drop_all(cs);
	free(cs->file);
	free(cs->prev);
	free(cs->tmp);
	free(cs->dir);
}
