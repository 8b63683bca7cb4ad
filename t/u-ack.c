/* SPDX-License-Identifier: MIT */
/* u-ack.c: acknowledged offsets move in order, whatever order batches finish in; checkpoints round-trip. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ack.h"
#include "checkpoint.h"
#include "tap.h"

static int advances;

static void
on_advance(struct ack_stream *st)
{
	advances++;
}

int
main(void)
{
	struct ack_stream st;
	struct ack_mark *a, *b, *c;
	struct checkpoint_store cs;
	struct cp_entry *e, *f;
	char dir[] = "/tmp/u-ack.XXXXXX", path[256], *text;
	const char *why;
	FILE *fp;
	struct stat sb;

	ack_stream_init(&st, 0, NULL, on_advance);
	a = ack_mark_new(&st, 100);
	b = ack_mark_new(&st, 200);
	c = ack_mark_new(&st, 300);
	ack_mark_extend(c, 350);
	ack_mark_done(b, 0);
	tap_is_int((long long)st.acked, 0, "a later batch done first: nothing acknowledged");
	ack_mark_done(a, 0);
	tap_is_int((long long)st.acked, 200, "then the earlier: both acknowledged");
	tap_is_int(st.pending, 1, "one mark left");
	ack_mark_done(c, 0);
	tap_is_int((long long)st.acked, 350, "an extended mark acknowledges its last offset");
	tap_is_int(advances, 2, "on_advance called when the offset moved");

	ack_stream_init(&st, 0, NULL, NULL);
	a = ack_mark_new(&st, 10);
	b = ack_mark_new(&st, 20);
	ack_mark_done(a, -5);
	ack_mark_done(b, 0);
	tap_ok(st.acked == 0 && st.failed, "a failed batch stops the stream: what follows is not acknowledged");

	/* The store: save, load, damage, the previous copy. */
	if (mkdtemp(dir) == NULL)
		return 1;
	checkpoint_open(&cs, dir);
	tap_is_int(cs.count, 0, "a new store is empty");
	e = cp_entry_new(&cs, 2049, 77, 12, 0xabcdef, 4096, "/var/log/a b%.log");
	f = cp_entry_new(&cs, 2049, 78, 0, 1, 0, "/var/log/c.log");
	tap_ok(checkpoint_save(&cs) == 0, "save");
	snprintf(path, sizeof path, "%s/checkpoints", dir);
	tap_ok(stat(path, &sb) == 0 && (sb.st_mode & 0777) == 0600, "the file is 0600");
	cp_entry_release(e);
	cp_entry_release(f);
	checkpoint_close(&cs);

	checkpoint_open(&cs, dir);
	e = checkpoint_find(&cs, 2049, 77);
	tap_ok(e != NULL && e->ack.acked == 4096 && e->head_len == 12 &&
	    e->head_hash == 0xabcdef && strcmp(e->path, "/var/log/a b%.log") == 0,
	    "loaded back: offset, identity and a path with a space and %%");
	tap_ok(checkpoint_find(&cs, 2049, 78) != NULL, "and the other entry");
	f = cp_entry_new(&cs, 2049, 77, 5, 9, 0, "/var/log/new.log");
	tap_ok(checkpoint_find(&cs, 2049, 77) == f && cs.count == 2,
	    "a new identity on the same inode replaces the old entry");
	e = checkpoint_find(&cs, 2049, 78);
	ack_mark_done(ack_mark_new(&e->ack, 999), 0);
	tap_ok(cs.dirty, "an acknowledgement makes the store dirty");
	checkpoint_save(&cs);	/* the first save becomes .prev */
	cp_entry_release(f);
	checkpoint_close(&cs);

	fp = fopen(path, "w");
	fputs("logagent-checkpoints 1\ngarbage\n", fp);
	fclose(fp);
	checkpoint_open(&cs, dir);
	e = checkpoint_find(&cs, 2049, 78);
	tap_ok(e != NULL && e->ack.acked == 0, "a damaged file: the previous good copy is loaded");
	checkpoint_close(&cs);

	/* Entries not seen for longer than the limit are forgotten; held ones are not. */
	memset(&cs, 0, sizeof cs);
	e = cp_entry_new(&cs, 1, 1, 0, 0, 0, "/old");
	e->seen_ns = 1000;
	cp_entry_release(e);	/* no file holds it now */
	f = cp_entry_new(&cs, 1, 2, 0, 0, 0, "/held");
	f->seen_ns = 1000;
	checkpoint_forget(&cs, 10 * 1000000000LL, 5 * 1000000000LL);
	tap_ok(checkpoint_find(&cs, 1, 1) == NULL && checkpoint_find(&cs, 1, 2) == f,
	    "forget: an old unheld entry goes, a held one stays");
	cp_entry_release(f);
	checkpoint_drop_all(&cs);

	memset(&cs, 0, sizeof cs);
	text = strdup("logagent-checkpoints 1\n1 2 3 0000000000000004 5 6 /x\nend 1 00000000\n");
	tap_ok(checkpoint_parse(&cs, text, strlen(text), &why) != 0 &&
	    strcmp(why, "checksum does not match") == 0, "a wrong checksum is refused, with the reason");
	free(text);
	text = strdup("logagent-checkpoints 1\n");
	tap_ok(checkpoint_parse(&cs, text, strlen(text), &why) != 0, "no end line is refused");
	free(text);
	checkpoint_drop_all(&cs);

	snprintf(path, sizeof path, "rm -rf %s", dir);
	if (system(path) != 0)
		return 1;
	return tap_done();
}
