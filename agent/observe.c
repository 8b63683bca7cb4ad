/* SPDX-License-Identifier: MIT */
/* observe.c: events into metrics, metrics out by HTTP and as events, /health. */
#include "config.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "escape.h"
#include "log.h"
#include "observe.h"
#include "timefmt.h"

#define OBSERVE_TICK_MS	1000

/* Every event the pipeline parses, before the level filter: metrics see all. */
static void
observe_event(void *arg, const struct event *ev, const struct pipeline_input *in,
    int64_t recv_ns)
{
	struct observe *o = arg;

	if (in == &o->input)
		return;		/* our own metrics events are not traffic */
	metrics_observe(&o->m, ev, recv_ns);
	o->levels[(unsigned)ev->level < LEVEL_COUNT ? ev->level : LEVEL_INFO]++;
	if (ev->level >= LEVEL_ERROR)
		errgroups_add(&o->eg, ev->message.p, ev->message.n, ev->level, recv_ns);
}

/* A window ended: one metrics event per series, queued for the next tick. */
static void
observe_window(void *arg, const struct metrics *m, unsigned w,
    const struct series *s, const struct metrics_figures *f, int64_t end_ns)
{
	struct observe *o = arg;
	char t[TIMEFMT_MAX];
	const char *v;
	size_t n;
	unsigned i;

	if (!o->emit)
		return;
	t[timefmt_rfc3339(end_ns, t)] = '\0';
	buf_printf(&o->pending, "{\"time\":\"%s\",\"level\":\"info\",\"msg\":\"metrics\","
	    "\"kind\":\"metrics\",\"window\":\"%s\"", t, m->window_name[w]);
	for (i = 0; i < m->ngroup; i++) {
		v = series_label(s, i, &n);
		buf_printf(&o->pending, ",\"%s\":", m->group[i]);
		esc_json_string(&o->pending, v, n);
	}
	buf_printf(&o->pending, ",\"requests\":%llu,\"errors\":%llu,\"rps\":%.6g,"
	    "\"error_ratio\":%.6g,\"p50\":%.6g,\"p90\":%.6g,\"p95\":%.6g,\"p99\":%.6g,"
	    "\"max\":%.6g}\n", (unsigned long long)f->requests,
	    (unsigned long long)f->errors, f->rate, f->error_ratio, f->p50, f->p90,
	    f->p95, f->p99, f->max);
}

static void
observe_tick(uv_timer_t *t)
{
	struct observe *o = t->data;
	int64_t now = timefmt_now_ns();
	char *p, *nl, *end;

	metrics_advance(&o->m, now);
	if (o->pending.len == 0)
		return;
	for (p = o->pending.p, end = p + o->pending.len; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		pipeline_line(o->pipe, &o->input, p, (size_t)(nl - p), 0, now, 0);
	}
	buf_clear(&o->pending);
}

int
observe_dur(char *out, size_t cap, double s)
{
	if (s < 0.001)
		return snprintf(out, cap, "%.2fms", s * 1e3);
	if (s < 1)
		return snprintf(out, cap, "%.0fms", s * 1e3);
	return snprintf(out, cap, "%.2fs", s);
}

size_t
observe_status_line(void *arg, char *buf, size_t cap)
{
	struct observe *o = arg;
	struct metrics_figures f;
	char p50[16], p95[16], p99[16];
	int64_t now;
	int n;

	if (!o->have_metrics || cap == 0)
		return 0;
	now = timefmt_now_ns();
	metrics_advance(&o->m, now);
	metrics_window_all(&o->m, 0, now, &f);
	if (f.lat_count == 0)
		n = snprintf(buf, cap, "%.1f req/s  %.1f%% errors  (%s)", f.rate,
		    f.error_ratio * 100, o->m.window_name[0]);
	else {
		observe_dur(p50, sizeof p50, f.p50);
		observe_dur(p95, sizeof p95, f.p95);
		observe_dur(p99, sizeof p99, f.p99);
		n = snprintf(buf, cap, "%.1f req/s  %.1f%% errors  p50 %s  p95 %s  p99 %s  (%s)",
		    f.rate, f.error_ratio * 100, p50, p95, p99, o->m.window_name[0]);
	}
	return n < 0 ? 0 : (size_t)n < cap ? (size_t)n : cap - 1;
}

static long long
observe_rss(void)
{
	long long pages = 0, rss = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (f == NULL)
		return 0;
	if (fscanf(f, "%lld %lld", &pages, &rss) != 2)
		rss = 0;
	fclose(f);
	return rss * sysconf(_SC_PAGESIZE);
}

static void
observe_sink_sample(struct buf *out, const char *name, const struct sink *k,
    unsigned long long v)
{
	buf_printf(out, "%s{sink=\"", name);
	prom_value(out, k->name, strlen(k->name));
	buf_printf(out, "\"} %llu\n", v);
}

void
observe_agent_metrics(struct observe *o, struct buf *out)
{
	const struct pipeline_stats *st = &o->pipe->stats;
	unsigned long long lag = 0, bytes = 0;
	struct tail_file *f;
	struct source *s;
	struct sink *k;
	size_t i;

	for (s = source_all; s != NULL; s = s->next)
		for (f = s->files; f != NULL; f = f->next) {
			bytes += f->offset;
			if (f->cp != NULL && f->offset > f->cp->ack.acked)
				lag += f->offset - f->cp->ack.acked;
		}
	{
		/* The families of one number each. */
		const struct {
			const char *name, *type, *help;
			unsigned long long v;
		} one[] = {
			{ "logagent_events_in_total", "counter", "Lines read, before parsing.", st->lines },
			{ "logagent_events_out_total", "counter", "Events handed to the sinks.", st->events_out },
			{ "logagent_parse_errors_total", "counter", "Lines no parser took (kept as plain text with parse_error).", st->parse_errors },
			{ "logagent_lines_truncated_total", "counter", "Lines cut at max_line_bytes.", st->truncated },
			{ "logagent_redacted_values_total", "counter", "Values changed by redaction: secrets replaced, fields dropped or hashed.", o->pipe->redact.values },
			{ "logagent_bytes_read_total", "counter", "Bytes read from the files followed now.", bytes },
			{ "logagent_batches_failed_total", "counter", "Batches a sink did not take.", st->batches_failed },
			{ "logagent_checkpoint_lag_bytes", "gauge", "Bytes read but not yet acknowledged by every sink.", lag },
			{ "logagent_rotations_total", "counter", "Log rotations followed.", o->env->rotations },
			{ "logagent_resident_memory_bytes", "gauge", "Resident set size of the agent.", (unsigned long long)observe_rss() },
			{ "logagent_http_requests_total", "counter", "Requests served by this endpoint.", o->serving ? o->httpd.requests : 0 },
		};

		for (i = 0; i < sizeof one / sizeof one[0]; i++) {
			prom_head(out, one[i].name, one[i].type, one[i].help);
			buf_printf(out, "%s %llu\n", one[i].name, one[i].v);
		}
	}
	prom_head(out, "logagent_events_dropped_total", "counter", "Events not sent, by reason.");
	buf_printf(out, "logagent_events_dropped_total{reason=\"level\"} %llu\n"
	    "logagent_events_dropped_total{reason=\"sink_failed\"} %llu\n",
	    (unsigned long long)st->filtered, (unsigned long long)st->events_failed);
	{
		/* Per sink: one family each, a sample per sink. */
		static const struct {
			const char *name, *type, *help;
			size_t off;
		} per[] = {
#define SINK_STAT(f)	offsetof(struct sink_stats, f)
			{ "logagent_sink_batches_sent_total", "counter", "Batches (requests) a sink delivered.", SINK_STAT(sent) },
			{ "logagent_sink_batches_retried_total", "counter", "Attempts that failed and are made again.", SINK_STAT(retried) },
			{ "logagent_sink_batches_dead_total", "counter", "Batches refused for good, to the dead-letter file.", SINK_STAT(dead) },
			{ "logagent_sink_spool_bytes", "gauge", "Bytes waiting in the sink's spool.", SINK_STAT(spool_bytes) },
			{ "logagent_sink_spool_events", "gauge", "Events waiting in the sink's spool.", SINK_STAT(spool_events) },
			{ "logagent_sink_spool_dropped_events_total", "counter", "Events dropped from a full spool (when_full drop_oldest).", SINK_STAT(spool_dropped) },
			{ "logagent_sink_spool_corrupt_total", "counter", "Damaged spool records skipped.", SINK_STAT(spool_corrupt) },
#undef SINK_STAT
		};

		prom_head(out, "logagent_sink_queue_batches", "gauge",
		    "Batches given to a sink and not yet done.");
		for (k = o->pipe->sinks; k != NULL; k = k->next)
			observe_sink_sample(out, "logagent_sink_queue_batches", k, k->inflight);
		prom_head(out, "logagent_sink_up", "gauge",
		    "1 while the sink's destination takes batches, 0 while it fails.");
		for (k = o->pipe->sinks; k != NULL; k = k->next)
			observe_sink_sample(out, "logagent_sink_up", k, !k->st.down);
		for (i = 0; i < sizeof per / sizeof per[0]; i++) {
			prom_head(out, per[i].name, per[i].type, per[i].help);
			for (k = o->pipe->sinks; k != NULL; k = k->next)
				observe_sink_sample(out, per[i].name, k,
				    *(const uint64_t *)(const void *)((const char *)&k->st + per[i].off));
		}
	}
}

/* /health: ok, or degraded with what is wrong, per source and per sink. */
static void
observe_health(struct observe *o, struct buf *out, int *status)
{
	struct tail_file *f;
	struct source *s;
	struct sink *k;
	unsigned long long lag;
	int degraded = 0;

	buf_puts(out, "{\"sources\":[");
	for (s = source_all; s != NULL; s = s->next) {
		lag = 0;
		for (f = s->files; f != NULL; f = f->next)
			if (f->size_seen > (f->cp != NULL ? f->cp->ack.acked : f->offset))
				lag += f->size_seen - (f->cp != NULL ? f->cp->ack.acked :
				    f->offset);
		buf_puts(out, s == source_all ? "{\"name\":" : ",{\"name\":");
		esc_json_string(out, s->name, strlen(s->name));
		buf_printf(out, ",\"files\":%u,\"lag_bytes\":%llu,\"last_error\":",
		    s->nfiles, lag);
		if (s->last_errno != 0) {
			degraded = 1;
			esc_json_string(out, strerror(s->last_errno),
			    strlen(strerror(s->last_errno)));
		} else
			buf_puts(out, "null");
		buf_putc(out, '}');
	}
	buf_puts(out, "],\"sinks\":[");
	for (k = o->pipe->sinks; k != NULL; k = k->next) {
		buf_puts(out, k == o->pipe->sinks ? "{\"name\":" : ",{\"name\":");
		esc_json_string(out, k->name, strlen(k->name));
		buf_printf(out, ",\"queue_batches\":%u,\"up\":%s,\"spool_bytes\":%llu,\"spool_events\":%llu,\"last_error\":",
		    k->inflight, k->st.down ? "false" : "true",
		    (unsigned long long)k->st.spool_bytes, (unsigned long long)k->st.spool_events);
		if (k->st.last_error[0] != '\0') {
			esc_json_string(out, k->st.last_error, strlen(k->st.last_error));
			degraded = 1;
		} else
			buf_puts(out, "null");
		buf_putc(out, '}');
	}
	buf_printf(out, "],\"batches_failed\":%llu,\"status\":\"%s\"}\n",
	    (unsigned long long)o->pipe->stats.batches_failed,
	    degraded || o->pipe->stats.batches_failed ? "degraded" : "ok");
	*status = 200;
}

static void
observe_http(void *arg, const char *path, struct buf *body, int *status,
    const char **ctype)
{
	struct observe *o = arg;

	if (strcmp(path, "/metrics") == 0) {
		*ctype = "text/plain; version=0.0.4; charset=utf-8";
		observe_agent_metrics(o, body);
		if (o->have_metrics)
			metrics_prometheus(&o->m, timefmt_now_ns(), body);
		*status = 200;
	} else if (strcmp(path, "/health") == 0) {
		*ctype = "application/json";
		observe_health(o, body, status);
	} else {
		buf_puts(body, "logagent: GET /metrics or /health\n");
		*status = 404;
	}
}

void
observe_start(struct observe *o, uv_loop_t *loop, const struct conf *c,
    struct pipeline *pipe, struct source_env *env, int listen)
{
	char err[256];

	memset(o, 0, sizeof *o);
	o->loop = loop;
	o->pipe = pipe;
	o->env = env;
	o->started_ns = timefmt_now_ns();
	buf_init(&o->pending, 64 << 20);
	o->input.name = "logagent";
	o->input.format = &parser_json;
	if (c->metrics.enabled && metrics_init(&o->m, &c->metrics) == 0) {
		o->have_metrics = 1;
		errgroups_init(&o->eg);
		o->emit = c->metrics.events;
		o->m.on_window = observe_window;
		o->m.arg = o;
		pipe->observe = observe_event;
		pipe->observe_arg = o;
		uv_timer_init(loop, &o->tick);
		o->tick.data = o;
		uv_timer_start(&o->tick, observe_tick, OBSERVE_TICK_MS, OBSERVE_TICK_MS);
		o->open_handles++;
	}
	if (!listen || c->metrics.listen == NULL || c->metrics.listen[0] == '\0')
		return;
	/* Counted either way: a listener that failed still has its close to come. */
	o->httpd_started = 1;
	o->open_handles++;
	if (httpd_start(&o->httpd, loop, c->metrics.listen, observe_http, o, err,
	    sizeof err) != 0) {
		log_error("metrics: %s; /metrics and /health are not served", err);
		return;
	}
	o->serving = 1;
	log_info("metrics: serving http://%s/metrics and /health", c->metrics.listen);
}

static void
observe_part_closed(struct observe *o)
{
	if (--o->open_handles == 0 && o->on_closed != NULL)
		o->on_closed(o);
}

static void
observe_tick_closed(uv_handle_t *h)
{
	observe_part_closed(h->data);
}

static void
observe_httpd_closed(struct httpd *h)
{
	observe_part_closed((struct observe *)((char *)h - offsetof(struct observe, httpd)));
}

void
observe_close(struct observe *o, void (*on_closed)(struct observe *o))
{
	o->on_closed = on_closed;
	if (o->pipe->observe_arg == o)
		o->pipe->observe = NULL;
	if (o->open_handles == 0) {
		if (on_closed != NULL)
			on_closed(o);
		return;
	}
	if (o->have_metrics)
		uv_close((uv_handle_t *)&o->tick, observe_tick_closed);
	if (o->httpd_started)
		httpd_close(&o->httpd, observe_httpd_closed);
}

void
observe_free(struct observe *o)
{
	if (o->have_metrics) {
		metrics_free(&o->m);
		errgroups_free(&o->eg);
	}
	buf_free(&o->pending);
}
