/* SPDX-License-Identifier: MIT */
/* pipeline.c: parse, filter and batch lines; hand batches to every sink; recycle them. */
#include "config.h"

#include <string.h>

#include "log.h"
#include "pipeline.h"
#include "timefmt.h"
#include "xmalloc.h"

#define PIPELINE_MAX_EVENTS	1024
#define PIPELINE_MAX_INFLIGHT	16
#define PIPELINE_CHUNK		(256 << 10)

static void pipeline_sink_closed(struct sink *s);

void
pipeline_configure(struct pipeline *p, const struct conf *c, size_t max_line)
{
	char why[512];
	size_t need;

	p->level = (enum level)c->pipeline.level;
	/* Checked with the conf: it compiled then, it compiles now. */
	filter_free(&p->filter);
	if (filter_init(&p->filter, &c->pipeline) != 0)
		log_error("pipeline: the filters did not compile; showing every event");
	redact_free(&p->redact);
	if (redact_init(&p->redact, &c->pipeline.redact, why, sizeof why) != 0)
		log_error("pipeline: %s; only the built-in redaction rules apply", why);
	p->pctx.max_fields = (unsigned)c->pipeline.max_fields;
	p->pctx.max_depth = 64;
	/*
	 * A batch must hold at least one line of the longest kind: its copy,
	 * its decoded strings (never longer than the line) and its fields.
	 */
	need = 2 * max_line + p->pctx.max_fields * 2 * sizeof(struct field) +
	    (64 << 10);
	if (need > p->batch_cap)
		p->batch_cap = need;
}

/*
 * How long the batch being filled may wait for more lines: as long as the
 * most impatient sink lets its own batches wait. A sink that wants every
 * line now (a terminal) makes it 0.
 */
static int64_t
pipeline_hold_ms(const struct pipeline *p)
{
	const struct sink *s;
	int64_t ms = -1;

	for (s = p->sinks; s != NULL; s = s->next)
		if (!s->closing && (ms < 0 || s->max_age_ms < ms))
			ms = s->max_age_ms;
	return ms < 0 ? 0 : ms;
}

static void
pipeline_hold_cb(uv_timer_t *t)
{
	pipeline_flush(t->data);
}

/*
 * The end of a loop turn: send the batch, unless every sink would only
 * wait for more anyway. Then it fills on across turns (a slow trickle
 * makes one batch a second, not one per line), and the waiting holds
 * no extra batch of the pipeline's.
 */
static void
pipeline_flush_cb(uv_check_t *h)
{
	struct pipeline *p = h->data;
	int64_t hold, waited;

	if (p->cur != NULL && p->cur->nevents > 0 && !p->closing &&
	    (hold = pipeline_hold_ms(p)) > 0 &&
	    (waited = (int64_t)(uv_now(p->loop) - p->cur->born_mono_ms)) < hold) {
		if (!uv_is_active((uv_handle_t *)&p->hold))
			uv_timer_start(&p->hold, pipeline_hold_cb, (uint64_t)(hold - waited), 0);
		return;
	}
	pipeline_flush(p);
}

void
pipeline_init(struct pipeline *p, uv_loop_t *loop, const struct conf *c,
    size_t max_line)
{
	memset(p, 0, sizeof *p);
	p->loop = loop;
	p->max_events = PIPELINE_MAX_EVENTS;
	p->max_inflight = PIPELINE_MAX_INFLIGHT;
	p->batch_cap = 8 << 20;
	pipeline_configure(p, c, max_line);
	/*
	 * One batch per loop turn, not per read: a thousand small files fill
	 * one batch, not a thousand. Unreferenced, so it never keeps the
	 * loop alive by itself.
	 */
	uv_check_init(loop, &p->flush);
	p->flush.data = p;
	uv_check_start(&p->flush, pipeline_flush_cb);
	uv_unref((uv_handle_t *)&p->flush);
	uv_timer_init(loop, &p->hold);
	p->hold.data = p;
}

int
pipeline_add_sink(struct pipeline *p, struct sink *s)
{
	struct sink **tail;
	int rc;

	s->owner = p;
	/*
	 * A sink that waits to fill its own batches must not wait on batches
	 * the pipeline cannot make because that sink holds them all.
	 */
	s->hold_max = p->max_inflight / 8;	/* measured: more stalls a backfill */
	if ((rc = s->ops->open(s, p->loop)) != 0)
		return rc;
	for (tail = &p->sinks; *tail != NULL; tail = &(*tail)->next)
		;
	*tail = s;
	return 0;
}

static void
pipeline_close_sink(struct sink *s)
{
	s->closing = 2;		/* close() called */
	s->drain = ((struct pipeline *)s->owner)->drain;
	s->ops->close(s, pipeline_sink_closed);
}

void
pipeline_retire_sinks(struct pipeline *p, unsigned gen, int same)
{
	struct sink *s;

	for (s = p->sinks; s != NULL; s = s->next) {
		if (s->closing || (s->gen == gen) != same)
			continue;
		/*
		 * Now, not once its batches are done: a sink that waits to fill
		 * its own batches sends them when told it is closing.
		 */
		pipeline_close_sink(s);
	}
}

static struct batch *
pipeline_batch_get(struct pipeline *p)
{
	struct batch *b;

	if ((b = p->free) != NULL) {
		p->free = b->next;
		b->next = NULL;
		b->arena.cap = p->batch_cap;
		return b;
	}
	b = xmalloc(sizeof *b);
	batch_init(b, p->max_events, PIPELINE_CHUNK, p->batch_cap);
	return b;
}

static void
pipeline_complete(struct pipeline *p, struct batch *b)
{
	int was_busy = pipeline_busy(p);
	unsigned i;

	/* The batch is delivered (or failed): its inputs may move on. */
	for (i = 0; i < b->nmarks; i++)
		ack_mark_done(b->marks[i], b->status);
	b->nmarks = 0;

	if (b->status != 0) {
		p->stats.batches_failed++;
		p->stats.events_failed += b->nevents;
	}
	batch_clear(b);
	b->next = p->free;
	p->free = b;
	p->inflight--;
	if (was_busy && !pipeline_busy(p) && p->on_drain != NULL)
		p->on_drain(p->arg);
}

static void
pipeline_done(struct sink *s, struct batch *b, int status)
{
	struct pipeline *p = s->owner;

	s->inflight--;
	if (status < 0) {
		if (b->status == 0)
			b->status = status;
		if (p->on_fail != NULL)
			p->on_fail(p->arg, s, status);
	}
	if (--b->pending == 0)
		pipeline_complete(p, b);
}

/*
 * The kept events observe has not seen, a run at a time: metrics code
 * and data stay in the caches for the run, instead of taking turns with
 * the parser's on every line.
 */
void
pipeline_observe_now(struct pipeline *p)
{
	struct batch *b = p->cur;

	if (b == NULL || p->observe == NULL)
		return;
	for (; p->observed < b->nevents; p->observed++)
		p->observe(p->observe_arg, &b->events[p->observed]);
}

void
pipeline_flush(struct pipeline *p)
{
	struct batch *b = p->cur;
	struct sink *s;
	int rc;

	if (b == NULL || (b->nevents == 0 && b->nmarks == 0))
		return;
	pipeline_observe_now(p);
	p->observed = 0;
	uv_timer_stop(&p->hold);
	p->cur = NULL;
	p->name_src = NULL;
	p->inflight++;
	p->stats.events_out += b->nevents;
	b->pending = 1;		/* ours, so no done() completes it early */
	for (s = p->sinks; s != NULL; s = s->next) {
		if (s->closing)
			continue;
		b->pending++;
		s->inflight++;
		if ((rc = s->ops->write(s, b, pipeline_done)) < 0) {
			log_error("sink %s refused a batch of %u events: %s",
			    s->name, b->nevents, agent_strerror(rc));
			s->inflight--;
			b->pending--;
			b->status = rc;
		}
	}
	if (--b->pending == 0)
		pipeline_complete(p, b);
}

/* The batch's mark for in's stream, extended to end (a new one if needed). */
static void
pipeline_mark(struct batch *b, struct ack_stream *st, uint64_t end)
{
	unsigned i;

	if (st == NULL) {
		b->unmarked++;
		return;
	}
	if (b->last_stream == st) {
		ack_mark_extend(b->marks[b->nmarks - 1], end);
		return;
	}
	for (i = 0; i < b->nmarks; i++)
		if (ack_mark_stream(b->marks[i]) == st) {
			ack_mark_extend(b->marks[i], end);
			return;
		}
	if (b->nmarks == b->marks_cap) {
		b->marks_cap = b->marks_cap ? b->marks_cap * 2 : 4;
		b->marks = xrealloc(b->marks, b->marks_cap * sizeof *b->marks);
	}
	b->marks[b->nmarks++] = ack_mark_new(st, end);
	b->last_stream = st;
}

/* Copy in's name and labels into the batch, once per batch and input. */
static int
pipeline_input_copy(struct pipeline *p, const struct pipeline_input *in)
{
	struct batch *b = p->cur;
	const struct conf_strmap *l = in->labels;
	char *copy;
	size_t i;

	if (p->name_src == in)
		return 0;
	if ((copy = arena_dup(&b->arena, in->name, strlen(in->name))) == NULL)
		return AGENT_E_TOOBIG;
	p->name = (struct slice){ copy, strlen(in->name) };
	p->nlabels = 0;
	p->labels = NULL;
	if (l != NULL && l->n > 0) {
		if ((p->labels = arena_alloc(&b->arena, l->n * sizeof *p->labels)) == NULL)
			return AGENT_E_TOOBIG;
		for (i = 0; i < l->n; i++) {
			p->labels[i].key.p = arena_dup(&b->arena, l->k[i], strlen(l->k[i]));
			p->labels[i].val.p = arena_dup(&b->arena, l->v[i], strlen(l->v[i]));
			if (p->labels[i].key.p == NULL || p->labels[i].val.p == NULL)
				return AGENT_E_TOOBIG;
			p->labels[i].key.n = strlen(l->k[i]);
			p->labels[i].val.n = strlen(l->v[i]);
			p->labels[i].type = FIELD_STRING;
		}
		p->nlabels = (unsigned)l->n;
	}
	p->name_src = in;
	return 0;
}

/* Parse one line into the next slot of the current batch; 0 or AGENT_E_TOOBIG. */
static int
pipeline_parse(struct pipeline *p, const struct pipeline_input *in,
    const char *line, size_t n, unsigned flags, int64_t recv_ns)
{
	struct batch *b = p->cur;
	struct arena_mark mark;
	struct event *ev = &b->events[b->nevents];
	char *copy;
	unsigned i;
	int rc;

	if (pipeline_input_copy(p, in) != 0)
		return AGENT_E_TOOBIG;
	mark = arena_mark(&b->arena);
	if ((copy = arena_dup(&b->arena, line, n)) == NULL)
		return AGENT_E_TOOBIG;
	memset(ev, 0, sizeof *ev);
	ev->time_ns = ev->recv_ns = recv_ns;
	ev->level = LEVEL_INFO;
	ev->flags = flags | EVENT_TIME_RECV | (in->internal ? EVENT_INTERNAL : 0);
	ev->message = (struct slice){ copy, n };
	ev->source = p->name;
	p->pctx.arena = &b->arena;
	p->pctx.opts = in->opts != NULL ? in->opts : &parse_opts_default;
	if (in->format == &parser_auto && in->learn != NULL)
		rc = auto_run(in->learn, &p->pctx, copy, n, ev);
	else
		rc = parser_run(in->format, &p->pctx, copy, n, ev);
	if (rc == 1) {
		p->stats.parse_errors++;
		rc = 0;
	}
	/* Labels last: a field of the same name in the line gives way. */
	for (i = 0; i < p->nlabels && rc == 0; i++)
		rc = parser_add_field(&p->pctx, ev, p->labels[i].key,
		    p->labels[i].val, FIELD_STRING);
	if (rc == 0)
		rc = redact_event(&p->redact, &b->arena, ev);
	if (rc != 0) {
		arena_rewind(&b->arena, mark);
		return AGENT_E_TOOBIG;
	}
	if (ev->level < p->level || !filter_keep(&p->filter, ev)) {
		if (p->observe != NULL)
			p->observe(p->observe_arg, ev);	/* now: its bytes go with the rewind */
		arena_rewind(&b->arena, mark);
		p->stats.filtered++;
		return 0;
	}
	/* After the filters: what would not be sent uses no tokens. */
	if (in->limit != NULL && !ratelimit_take(in->limit, ev->level,
	    (int64_t)uv_now(p->loop) * 1000000)) {
		if (p->observe != NULL)
			p->observe(p->observe_arg, ev);
		arena_rewind(&b->arena, mark);
		p->stats.rate_limited++;
		return 0;
	}
	b->nevents++;	/* observed with the batch's run, at pipeline_observe_now */
	return 0;
}

void
pipeline_line(struct pipeline *p, const struct pipeline_input *in,
    const char *line, size_t n, unsigned flags, int64_t recv_ns, uint64_t end)
{
	int tries;

	p->stats.lines++;
	if (flags & EVENT_TRUNCATED)
		p->stats.truncated++;
	for (tries = 0;; tries++) {
		if (p->cur == NULL) {
			p->cur = pipeline_batch_get(p);
			p->cur->born_ns = recv_ns;
			/* A wall clock stepped back must not hold a batch for an hour. */
			p->cur->born_mono_ms = uv_now(p->loop);
		}
		if (pipeline_parse(p, in, line, n, flags, recv_ns) == 0)
			break;
		if (p->cur->nevents == 0 || tries == 1) {
			/* Cannot happen: an empty batch is sized for the longest line. */
			log_error("a line of %zu bytes does not fit an empty batch; dropped",
			    n);
			p->stats.events_failed++;
			break;
		}
		/* The arena is full: send what it has and start afresh. */
		pipeline_flush(p);
	}
	pipeline_mark(p->cur, in->ack, end);
	if (batch_full(p->cur))
		pipeline_flush(p);
}

static void
pipeline_sink_closed(struct sink *s)
{
	struct pipeline *p = s->owner;
	struct sink **pp;

	for (pp = &p->sinks; *pp != NULL; pp = &(*pp)->next)
		if (*pp == s) {
			*pp = s->next;
			break;
		}
	free(s->name);
	free((char *)s->state_dir);
	free(s);
	if (p->closing && p->sinks == NULL && p->on_closed != NULL)
		p->on_closed(p->arg);
}

static void
pipeline_flush_closed(uv_handle_t *h)
{
}

void
pipeline_close(struct pipeline *p)
{
	pipeline_flush(p);
	p->closing = 1;
	uv_close((uv_handle_t *)&p->flush, pipeline_flush_closed);
	uv_close((uv_handle_t *)&p->hold, pipeline_flush_closed);
	if (p->sinks == NULL) {
		if (p->on_closed != NULL)
			p->on_closed(p->arg);
		return;
	}
	pipeline_retire_sinks(p, 0, 0);
	pipeline_retire_sinks(p, 0, 1);
}

void
pipeline_free(struct pipeline *p)
{
	struct batch *b;

	if (p->cur != NULL) {
		batch_free(p->cur);
		free(p->cur);
		p->cur = NULL;
	}
	while ((b = p->free) != NULL) {
		p->free = b->next;
		batch_free(b);
		free(b);
	}
	filter_free(&p->filter);
	redact_free(&p->redact);
}
