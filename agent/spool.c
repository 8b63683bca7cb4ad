/* SPDX-License-Identifier: MIT */
/* spool.c: request bodies kept on disk while a collector cannot take them. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "log.h"
#include "spool.h"
#include "xmalloc.h"

#define SPOOL_HDR	24
#define SPOOL_SEG_MAX	((uint64_t)4 << 20)	/* a new segment past this */
#define SPOOL_SEG_MIN	((uint64_t)4 << 10)
#define SPOOL_BODY_MAX	((uint32_t)1 << 30)
static const unsigned char spool_magic[4] = { 'L', 'G', 'S', '1' };

struct spool_seg {
	uint64_t seq;
	uint64_t size;		/* whole records on disk */
	uint64_t records, events;	/* not yet sent */
	struct spool_seg *next;
};

/* A record's header: where its fields sit, little-endian. */
struct spool_hdr {
	uint32_t body_len, nevents, crc;
	uint16_t key_len, flags;
};

static void
put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

static uint32_t
get32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

static int
spool_hdr_read(const unsigned char *p, struct spool_hdr *h)
{
	if (memcmp(p, spool_magic, 4) != 0)
		return -1;
	h->body_len = get32(p + 4);
	h->nevents = get32(p + 8);
	h->crc = get32(p + 12);
	h->key_len = (uint16_t)(p[16] | p[17] << 8);
	h->flags = (uint16_t)(p[18] | p[19] << 8);
	if (h->key_len >= SPOOL_KEY_MAX || h->body_len > SPOOL_BODY_MAX || get32(p + 20) != 0)
		return -1;
	return 0;
}

static uint32_t
spool_crc(const unsigned char *hdr, const void *key, size_t kn, const void *body, size_t bn)
{
	unsigned char h[SPOOL_HDR];
	uLong crc = crc32(0L, Z_NULL, 0);

	memcpy(h, hdr, SPOOL_HDR);
	put32(h + 12, 0);
	crc = crc32(crc, h, SPOOL_HDR);
	crc = crc32(crc, key, (uInt)kn);
	/* bodies are at most 1 GiB, within uInt */
	crc = crc32(crc, body, (uInt)bn);
	return (uint32_t)crc;
}

int
spool_encode(struct buf *out, const char *key, unsigned nevents, unsigned flags,
    const void *body, size_t n)
{
	unsigned char h[SPOOL_HDR];
	size_t kn = strlen(key);

	if (kn >= SPOOL_KEY_MAX || n > SPOOL_BODY_MAX)
		return AGENT_E_TOOBIG;
	memcpy(h, spool_magic, 4);
	put32(h + 4, (uint32_t)n);
	put32(h + 8, nevents);
	h[16] = (unsigned char)kn;
	h[17] = 0;
	h[18] = (unsigned char)flags;
	h[19] = (unsigned char)(flags >> 8);
	put32(h + 20, 0);
	put32(h + 12, spool_crc(h, key, kn, body, n));
	if (buf_append(out, h, sizeof h) != 0 || buf_append(out, key, kn) != 0 ||
	    buf_append(out, body, n) != 0)
		return AGENT_E_TOOBIG;
	return 0;
}

static void
spool_seg_path(const struct spool *sp, uint64_t seq, char *out, size_t cap)
{
	snprintf(out, cap, "%s/%016llx.seg", sp->dir, (unsigned long long)seq);
}

static int
spool_seg_fd(const struct spool *sp, uint64_t seq, int flags)
{
	char path[4200];

	spool_seg_path(sp, seq, path, sizeof path);
	return open(path, flags | O_CLOEXEC | O_NOFOLLOW, 0600);
}

/*
 * Walk seg's records from off: count those whose header holds together
 * (the CRC is checked when one is sent). A torn last record is cut off
 * when fix is set; a damaged stretch is skipped to the next header.
 */
static void
spool_seg_count(struct spool *sp, struct spool_seg *sg, uint64_t off, int fix)
{
	unsigned char h[SPOOL_HDR];
	struct spool_hdr hd;
	struct stat st;
	uint64_t len;
	int fd;

	sg->records = sg->events = 0;
	if ((fd = spool_seg_fd(sp, sg->seq, fix ? O_RDWR : O_RDONLY)) < 0 ||
	    fstat(fd, &st) != 0) {
		log_error("spool %s: cannot read segment %016llx: %s", sp->name,
		    (unsigned long long)sg->seq, strerror(errno));
		sg->size = off;
		if (fd >= 0)
			close(fd);
		return;
	}
	sg->size = (uint64_t)st.st_size;
	while (off + SPOOL_HDR <= sg->size) {
		if (pread(fd, h, sizeof h, (off_t)off) != (ssize_t)sizeof h)
			break;
		if (spool_hdr_read(h, &hd) != 0) {
			off++;		/* resync, a byte at a time: damage is rare */
			continue;
		}
		len = SPOOL_HDR + hd.key_len + (uint64_t)hd.body_len;
		if (off + len > sg->size)
			break;
		sg->records++;
		sg->events += hd.nevents;
		off += len;
	}
	if (off < sg->size && fix && sg->next == NULL) {
		log_warn("spool %s: segment %016llx ends in a torn record (%llu bytes at offset %llu), cut off",
		    sp->name, (unsigned long long)sg->seq,
		    (unsigned long long)(sg->size - off), (unsigned long long)off);
		if (ftruncate(fd, (off_t)off) == 0)
			sg->size = off;
	}
	close(fd);
}

static void
spool_head_save(struct spool *sp)
{
	char path[4200], tmp[4200];
	FILE *f;

	snprintf(path, sizeof path, "%s/head", sp->dir);
	if (sp->head == NULL) {
		(void)unlink(path);
		return;
	}
	/* No fsync: a lost head only resends records, under their own keys. */
	snprintf(tmp, sizeof tmp, "%s/head.tmp", sp->dir);
	if ((f = fopen(tmp, "we")) == NULL)
		return;
	fprintf(f, "%016llx %llu\n", (unsigned long long)sp->head->seq,
	    (unsigned long long)sp->roff);
	if (fclose(f) == 0)
		(void)rename(tmp, path);
}

static int
spool_seq_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void
spool_recount(struct spool *sp)
{
	struct spool_seg *sg;

	sp->records = sp->events = sp->bytes = 0;
	for (sg = sp->head; sg != NULL; sg = sg->next) {
		sp->records += sg->records;
		sp->events += sg->events;
		sp->bytes += sg->size - (sg == sp->head ? sp->roff : 0);
	}
}

int
spool_open(struct spool *sp, const char *dir, const char *name, uint64_t max_bytes,
    int drop_oldest)
{
	unsigned long long hseq = 0, hoff = 0, v;
	struct spool_seg *sg, **tail;
	struct dirent *de;
	uint64_t *seqs = NULL;
	size_t n = 0, cap = 0, i;
	char path[4200], c;
	FILE *f;
	DIR *d;

	memset(sp, 0, sizeof *sp);
	sp->wfd = -1;
	sp->max_bytes = max_bytes;
	sp->drop_oldest = drop_oldest;
	sp->dir = xstrdup(dir);
	sp->name = xstrdup(name);
	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		log_error("spool %s: cannot create %s: %s", name, dir, strerror(errno));
		return -errno;
	}
	if ((d = opendir(dir)) == NULL) {
		log_error("spool %s: cannot read %s: %s", name, dir, strerror(errno));
		return -errno;
	}
	while ((de = readdir(d)) != NULL) {
		if (strlen(de->d_name) != 20 || strcmp(de->d_name + 16, ".seg") != 0 ||
		    sscanf(de->d_name, "%16llx.se%c", &v, &c) != 2)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			seqs = xrealloc(seqs, cap * sizeof *seqs);
		}
		seqs[n++] = v;
	}
	closedir(d);
	if (n > 1)
		qsort(seqs, n, sizeof *seqs, spool_seq_cmp);
	snprintf(path, sizeof path, "%s/head", dir);
	if ((f = fopen(path, "re")) != NULL) {
		if (fscanf(f, "%16llx %llu", &hseq, &hoff) != 2)
			hseq = hoff = 0;
		fclose(f);
	}
	tail = &sp->head;
	for (i = 0; i < n; i++) {
		if (seqs[i] < hseq) {
			/* Sent before the last stop, but not yet removed. */
			spool_seg_path(sp, seqs[i], path, sizeof path);
			(void)unlink(path);
			continue;
		}
		sg = xcalloc(1, sizeof *sg);
		sg->seq = seqs[i];
		*tail = sg;
		tail = &sg->next;
		sp->tail = sg;
	}
	for (sg = sp->head; sg != NULL; sg = sg->next) {
		uint64_t from = sg == sp->head && sg->seq == hseq ? hoff : 0;

		spool_seg_count(sp, sg, from, 1);
		if (sg == sp->head)
			sp->roff = from <= sg->size ? from : sg->size;
	}
	sp->next_seq = n > 0 ? seqs[n - 1] + 1 : 1;
	free(seqs);
	spool_recount(sp);
	if (sp->records > 0)
		log_info("spool %s: %llu requests (%llu events, %llu bytes) left from before; sending them first",
		    name, (unsigned long long)sp->records, (unsigned long long)sp->events,
		    (unsigned long long)sp->bytes);
	return 0;
}

void
spool_close(struct spool *sp)
{
	struct spool_seg *sg;

	if (sp->wfd >= 0)
		close(sp->wfd);
	sp->wfd = -1;
	while ((sg = sp->head) != NULL) {
		sp->head = sg->next;
		free(sg);
	}
	sp->tail = NULL;
	free(sp->dir);
	free(sp->name);
	sp->dir = sp->name = NULL;
}

/* Forget the oldest segment, sent or dropped; its file goes. */
static void
spool_seg_drop(struct spool *sp)
{
	struct spool_seg *sg = sp->head;
	char path[4200];

	if (sg == sp->tail && sp->wfd >= 0) {
		close(sp->wfd);
		sp->wfd = -1;
	}
	spool_seg_path(sp, sg->seq, path, sizeof path);
	(void)unlink(path);
	sp->head = sg->next;
	if (sp->head == NULL)
		sp->tail = NULL;
	sp->roff = 0;
	free(sg);
	spool_recount(sp);
	spool_head_save(sp);
}

static uint64_t
spool_seg_cap(const struct spool *sp)
{
	uint64_t cap = sp->max_bytes / 8;

	return cap > SPOOL_SEG_MAX ? SPOOL_SEG_MAX : cap < SPOOL_SEG_MIN ? SPOOL_SEG_MIN : cap;
}

int
spool_write_begin(struct spool *sp, const char *p, size_t n, struct spool_write *w)
{
	struct spool_seg *sg;

	while (sp->records > 0 && sp->bytes + n > sp->max_bytes) {
		if (!sp->drop_oldest)
			return -ENOSPC;
		/* The oldest records make room; never the segment being written. */
		if (sp->head == sp->tail && sp->wfd >= 0) {
			close(sp->wfd);
			sp->wfd = -1;
		}
		sg = sp->head;
		sp->dropped_records += sg->records;
		sp->dropped_events += sg->events;
		log_warn("spool %s: full (%llu bytes, max %llu): dropped its oldest %llu requests (%llu events; %llu dropped so far)",
		    sp->name, (unsigned long long)sp->bytes, (unsigned long long)sp->max_bytes,
		    (unsigned long long)sg->records, (unsigned long long)sg->events,
		    (unsigned long long)sp->dropped_events);
		spool_seg_drop(sp);
	}
	if (sp->wfd < 0 || sp->tail == NULL || sp->tail->size >= spool_seg_cap(sp)) {
		if (sp->wfd >= 0)
			close(sp->wfd);
		sg = xcalloc(1, sizeof *sg);
		sg->seq = sp->next_seq++;
		if ((sp->wfd = spool_seg_fd(sp, sg->seq, O_WRONLY | O_CREAT | O_EXCL)) < 0) {
			int err = -errno;

			free(sg);
			return err;
		}
		if (sp->tail != NULL)
			sp->tail->next = sg;
		else {
			sp->head = sg;
			sp->roff = 0;
		}
		sp->tail = sg;
	}
	w->fd = sp->wfd;
	w->off = sp->tail->size;
	w->p = p;
	w->n = n;
	w->err = 0;
	sp->writing = 1;
	return 0;
}

void
spool_write_run(struct spool_write *w)
{
	size_t done = 0;
	ssize_t k;

	while (done < w->n) {
		if ((k = pwrite(w->fd, w->p + done, w->n - done, (off_t)(w->off + done))) < 0) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		done += (size_t)k;
	}
	if (fdatasync(w->fd) != 0)
		goto fail;
	return;
fail:
	w->err = -errno;
	/* No torn record left behind for the next run to trip on. */
	(void)ftruncate(w->fd, (off_t)w->off);
}

void
spool_write_end(struct spool *sp, const struct spool_write *w, unsigned records,
    uint64_t events)
{
	int dfd;

	sp->writing = 0;
	if (w->err != 0)
		return;
	if (w->off == 0 && (dfd = open(sp->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		/* A new segment: its name must survive a crash too. */
		(void)fsync(dfd);
		close(dfd);
	}
	sp->tail->size += w->n;
	sp->tail->records += records;
	sp->tail->events += events;
	sp->records += records;
	sp->events += events;
	sp->bytes += w->n;
	sp->written_records += records;
	if (sp->head == sp->tail && sp->records == records)
		spool_head_save(sp);
}

int
spool_peek(struct spool *sp, struct spool_rec *r)
{
	unsigned char h[SPOOL_HDR];
	struct spool_hdr hd;
	struct spool_seg *sg;
	int fd;

	buf_init(&r->body, SPOOL_BODY_MAX);
	for (;;) {
		if ((sg = sp->head) == NULL || sp->records == 0)
			return 1;
		if (sp->roff >= sg->size) {
			if (sg == sp->tail)
				return 1;
			spool_seg_drop(sp);
			continue;
		}
		if ((fd = spool_seg_fd(sp, sg->seq, O_RDONLY)) < 0)
			goto damaged;
		if (pread(fd, h, sizeof h, (off_t)sp->roff) != (ssize_t)sizeof h ||
		    spool_hdr_read(h, &hd) != 0 ||
		    sp->roff + SPOOL_HDR + hd.key_len + hd.body_len > sg->size ||
		    pread(fd, r->key, hd.key_len, (off_t)sp->roff + SPOOL_HDR) != hd.key_len ||
		    buf_reserve(&r->body, hd.body_len) != 0 ||
		    pread(fd, r->body.p, hd.body_len,
		    (off_t)(sp->roff + SPOOL_HDR + hd.key_len)) != (ssize_t)hd.body_len) {
			close(fd);
			goto damaged;
		}
		close(fd);
		r->body.len = hd.body_len;
		if (spool_crc(h, r->key, hd.key_len, r->body.p, hd.body_len) != hd.crc)
			goto damaged;
		r->key[hd.key_len] = '\0';
		r->nevents = hd.nevents;
		r->flags = hd.flags;
		r->size = SPOOL_HDR + hd.key_len + (uint64_t)hd.body_len;
		return 0;
damaged:
		/* Skip to the next record that holds together; count the loss. */
		sp->corrupt++;
		log_error("spool %s: a damaged record in %s/%016llx.seg at offset %llu is skipped (%llu so far)",
		    sp->name, sp->dir, (unsigned long long)sg->seq,
		    (unsigned long long)sp->roff, (unsigned long long)sp->corrupt);
		spool_seg_count(sp, sg, sp->roff + 1, 0);
		fd = spool_seg_fd(sp, sg->seq, O_RDONLY);
		for (sp->roff++; fd >= 0 && sp->roff < sg->size; sp->roff++)
			if (pread(fd, h, sizeof h, (off_t)sp->roff) == (ssize_t)sizeof h &&
			    spool_hdr_read(h, &hd) == 0)
				break;
		if (fd >= 0)
			close(fd);
		else
			sp->roff = sg->size;
		if (sp->roff > sg->size)
			sp->roff = sg->size;
		spool_recount(sp);
		buf_clear(&r->body);
	}
}

void
spool_pop(struct spool *sp, const struct spool_rec *r)
{
	struct spool_seg *sg = sp->head;

	sp->roff += r->size;
	if (sg->records > 0)
		sg->records--;
	sg->events -= r->nevents <= sg->events ? r->nevents : sg->events;
	spool_recount(sp);
	if (sp->roff >= sg->size && (sg != sp->tail || !sp->writing)) {
		spool_seg_drop(sp);
		return;
	}
	spool_head_save(sp);
}
