/* SPDX-License-Identifier: MIT */
/* registry.c: the list of sinks (adding one is a file and a line here), and running encoders. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sink.h"
#include "xmalloc.h"

const struct sink_ops *const sink_table[] = {
	&sink_stdout,
	&sink_file,
	&sink_http,
	&sink_null,
	NULL,
};

const struct sink_ops *
sink_find(const char *name)
{
	size_t i;

	for (i = 0; sink_table[i] != NULL; i++)
		if (strcmp(sink_table[i]->name, name) == 0)
			return sink_table[i];
	return NULL;
}

const char *
sink_names(void)
{
	static char names[256];
	size_t i, at = 0;

	if (names[0] == '\0')
		for (i = 0; sink_table[i] != NULL && at < sizeof names; i++)
			at += (size_t)snprintf(names + at, sizeof names - at,
			    "%s%s", i ? ", " : "", sink_table[i]->name);
	return names;
}

int
encoder_run(const struct encoder_ops *enc, const struct encode_opts *o,
    const struct event *ev, size_t nev, struct buf *out)
{
	size_t i, mark;

	for (i = 0; i < nev; i++) {
		mark = out->len;
		out->failed = 0;
		enc->encode(o, &ev[i], out);
		if (out->failed) {
			out->len = mark;
			return AGENT_E_TOOBIG;
		}
	}
	return 0;
}

void
sink_queue_append(struct sink_queue *q, struct sink_item *it)
{
	it->next = NULL;
	if (q->tail != NULL)
		q->tail->next = it;
	else
		q->head = it;
	q->tail = it;
}

void
sink_queue_remove(struct sink_queue *q, struct sink_item *it)
{
	struct sink_item **pp, *prev = NULL;

	for (pp = &q->head; *pp != it; pp = &(*pp)->next)
		prev = *pp;
	*pp = it->next;
	if (q->tail == it)
		q->tail = prev;
}

void
sink_queue_push(struct sink_queue *q, struct batch *b, sink_done_fn done)
{
	struct sink_item *it = xmalloc(sizeof *it);

	it->b = b;
	it->done = done;
	sink_queue_append(q, it);
}

void
sink_queue_done(struct sink_queue *q, struct sink *s, int status)
{
	struct sink_item *it = q->head;

	sink_queue_remove(q, it);
	it->done(s, it->b, status);
	free(it);
}
