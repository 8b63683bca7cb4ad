/* SPDX-License-Identifier: MIT */
/* null.c: a sink that takes every batch and keeps nothing, for benchmarks and dry runs. */
#include "config.h"

#include <stdlib.h>

#include "sink.h"
#include "xmalloc.h"

struct null_sink {
	struct sink *sink;
	uv_timer_t timer;	/* done runs from here: later, never inside write() */
	struct sink_queue q;
	sink_closed_fn closed;
};

static const struct conf_option null_options[] = {
	{ NULL, 0, NULL, 0, 0, 0, NULL, 0, NULL, NULL },
};

static void
null_timer_cb(uv_timer_t *t)
{
	struct null_sink *ns = t->data;
	while (ns->q.head != NULL)
		sink_queue_done(&ns->q, ns->sink, 0);
}

static int
null_open(struct sink *s, uv_loop_t *loop)
{
	struct null_sink *ns = xcalloc(1, sizeof *ns);

	ns->sink = s;
	uv_timer_init(loop, &ns->timer);
	ns->timer.data = ns;
	s->priv = ns;
	return 0;
}

static int
null_write(struct sink *s, struct batch *b, sink_done_fn done)
{
	struct null_sink *ns = s->priv;
	if (ns->closed != NULL)
		return AGENT_E_CLOSED;
	sink_queue_push(&ns->q, b, done);
	uv_timer_start(&ns->timer, null_timer_cb, 0, 0);
	return 0;
}

static void
null_closed_cb(uv_handle_t *h)
{
	struct null_sink *ns = h->data;
	struct sink *s = ns->sink;
	sink_closed_fn closed = ns->closed;

	free(ns);
	s->priv = NULL;
	closed(s);
}

static void
null_close(struct sink *s, sink_closed_fn closed)
{
	struct null_sink *ns = s->priv;

	ns->closed = closed;
	null_timer_cb(&ns->timer);	/* finish what is queued: they are "written" */
	uv_close((uv_handle_t *)&ns->timer, null_closed_cb);
}

const struct sink_ops sink_null = {
	.name = "null",
	.help = "Takes every batch and keeps nothing: for benchmarks and dry runs of a config.",
	.options = null_options,
	.opts_size = 0,
	.open = null_open,
	.write = null_write,
	.close = null_close,
};
