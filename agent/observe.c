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
observe_event(void *arg, const struct event *ev)
{
	struct observe *o = arg;
	struct metrics_req r;
	int64_t t;

	if (ev->flags & EVENT_INTERNAL)
		return;		/* our own metrics, alert and summary events are not traffic */
	t = evclock_event(&o->clock, ev, ev->recv_ns);
	if (o->first_ns == 0)
		o->first_ns = o->clock.now;
	/* Counters count every event; a late one lands in the window being filled. */
	metrics_observe_req(&o->m, ev, o->clock.now, &r);
	if (t >= 0 && o->slos.n > 0)
		slos_observe_req(&o->slos, ev, &r, t);
	o->levels[(unsigned)ev->level < LEVEL_COUNT ? ev->level : LEVEL_INFO]++;
	if (ev->level >= LEVEL_ERROR)
		errgroups_add(&o->eg, ev->message.p, ev->message.n, ev->level, ev->recv_ns);
}

/*
 * ,"name": for a name that needs no escapes (a label name, ours), put
 * down as it is. With the format strings this replaced, writing the
 * metrics events (one per series and window) took about twice as long.
 */
static void
observe_put_key(struct buf *b, const char *name)
{
	buf_append(b, ",\"", 2);
	buf_puts(b, name);
	buf_append(b, "\":", 2);
}

/*
 * A quantile, which is whole us, as seconds: exact, and without printf's
 * %g, whose floating-point path was most of the cost of a metrics event.
 */
static void
observe_put_seconds(struct buf *b, const char *name, double s)
{
	char t[32];

	observe_put_key(b, name);
	buf_append(b, t, timefmt_seconds(s > 0 ? (uint64_t)(s * 1e6 + 0.5) * 1000 : 0, t));
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
	buf_puts(&o->pending, "{\"time\":\"");
	buf_append(&o->pending, t, timefmt_rfc3339(end_ns, t));
	buf_puts(&o->pending, "\",\"level\":\"info\",\"msg\":\"metrics\",\"kind\":\"metrics\","
	    "\"window\":\"");
	buf_puts(&o->pending, m->window_name[w]);
	buf_putc(&o->pending, '"');
	for (i = 0; i < m->ngroup; i++) {
		v = series_label(s, i, &n);
		observe_put_key(&o->pending, m->group[i]);
		esc_json_string(&o->pending, v, n);
	}
	observe_put_key(&o->pending, "requests");
	buf_put_u64(&o->pending, f->requests);
	observe_put_key(&o->pending, "errors");
	buf_put_u64(&o->pending, f->errors);
	buf_printf(&o->pending, ",\"rps\":%.6g,\"error_ratio\":%.6g", f->rate, f->error_ratio);
	observe_put_seconds(&o->pending, "p50", f->p50);
	observe_put_seconds(&o->pending, "p90", f->p90);
	observe_put_seconds(&o->pending, "p95", f->p95);
	observe_put_seconds(&o->pending, "p99", f->p99);
	observe_put_seconds(&o->pending, "max", f->max);
	buf_puts(&o->pending, "}\n");
}

/*
 * An SLO alert fired or resolved: an alert event for the sinks, a line in
 * our log. Its time is the end of the minute that decided, in the clock's
 * time, so a replay says when it would have paged.
 */
static void
observe_alert(void *arg, const struct slo *s, const struct slo_alert *a,
    int64_t at_ns, double burn_long, double burn_short)
{
	struct observe *o = arg;
	char t[TIMEFMT_MAX], msg[512], win[16];
	double left = slo_budget_left(s);

	t[timefmt_rfc3339(at_ns, t)] = '\0';
	slo_minutes_name(s->win[0].minutes, win, sizeof win);
	snprintf(msg, sizeof msg, "SLO %s: %s alert %s: burn rate %.3g over %s and %.3g over %s (alerting at %g); error budget left %.1f%% of %s",
	    s->name, a->severity, a->firing ? "firing" : "resolved", burn_long,
	    a->long_name, burn_short, a->short_name, a->rate, left * 100, win);
	buf_printf(&o->pending, "{\"time\":\"%s\",\"level\":\"%s\",\"msg\":", t,
	    !a->firing ? "info" : strcmp(a->severity, "page") == 0 ? "error" : "warn");
	esc_json_string(&o->pending, msg, strlen(msg));
	buf_puts(&o->pending, ",\"kind\":\"alert\",\"slo\":");
	esc_json_string(&o->pending, s->name, strlen(s->name));
	buf_printf(&o->pending, ",\"slo_type\":\"%s\",\"state\":\"%s\",\"severity\":\"%s\","
	    "\"objective\":%.6g,\"burn_rate_threshold\":%.6g,\"long_window\":\"%s\","
	    "\"short_window\":\"%s\",\"burn_rate_long\":%.6g,\"burn_rate_short\":%.6g,"
	    "\"error_budget_left\":%.6g,\"sli\":%.6g}\n", conf_slo_types[s->type],
	    a->firing ? "firing" : "resolved", a->severity, s->objective, a->rate,
	    a->long_name, a->short_name, burn_long, burn_short, left, slo_value(s));
	log_msg(a->firing ? LEVEL_WARN : LEVEL_INFO, "%s (at %s)", msg, t);
}

/* The queued metrics and alert events, into the pipeline as our own lines. */
static void
observe_send_pending(struct observe *o)
{
	int64_t now = timefmt_now_ns();
	char *p, *nl, *end;

	if (o->pending.len == 0)
		return;		/* and pending.p may be NULL: no arithmetic on it */
	for (p = o->pending.p, end = p + o->pending.len; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		pipeline_line(o->pipe, &o->input, p, (size_t)(nl - p), 0, now, 0);
	}
	buf_clear(&o->pending);
}

static void
observe_tick(uv_timer_t *t)
{
	struct observe *o = t->data;
	int64_t now;

	observe_catch_up(o);	/* the batch being filled counts this second */
	now = evclock_tick(&o->clock, timefmt_now_ns(), uv_now(o->loop) * 1000000);

	if (now != 0) {
		metrics_advance(&o->m, now);
		slos_advance(&o->slos, now);
	}
	observe_send_pending(o);
}

void
observe_catch_up(struct observe *o)
{
	if (o->pipe != NULL && o->pipe->observe_arg == o)
		pipeline_observe_now(o->pipe);
}

int64_t
observe_clock(struct observe *o)
{
	observe_catch_up(o);
	return o->clock.now != 0 ? o->clock.now : timefmt_now_ns();
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
	now = observe_clock(o);
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
	    "logagent_events_dropped_total{reason=\"rate_limit\"} %llu\n"
	    "logagent_events_dropped_total{reason=\"sink_failed\"} %llu\n",
	    (unsigned long long)st->filtered, (unsigned long long)st->rate_limited,
	    (unsigned long long)st->events_failed);
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

/* One sample of an SLO family: the slo label, more labels, the value. */
static void
observe_slo_sample(struct buf *out, const char *family, const struct slo *s,
    const char *more, double v)
{
	buf_printf(out, "%s{slo=\"", family);
	prom_value(out, s->name, strlen(s->name));
	buf_printf(out, "\"%s} %.17g\n", more, v);
}

/* logagent_slo_*: each objective's counts, value, budget, burn rates and alerts. */
static void
observe_slo_metrics(struct observe *o, struct buf *out)
{
	const struct slos *ss = &o->slos;
	const struct slo *s;
	const struct slo_alert *a;
	char more[160], win[16];
	unsigned w;

	prom_head(out, "logagent_events_late_total", "counter",
	    "Events older than the clock less metrics.lateness: counted, but not in SLO minutes.");
	buf_printf(out, "logagent_events_late_total %llu\n", (unsigned long long)o->clock.late);
	prom_head(out, "logagent_events_future_total", "counter",
	    "Events dated past the wall clock plus the lateness, taken at the time they were read.");
	buf_printf(out, "logagent_events_future_total %llu\n", (unsigned long long)o->clock.future);
	if (ss->n == 0)
		return;
	prom_head(out, "logagent_slo_objective_ratio", "gauge", "The good fraction each objective aims at.");
	for (s = ss->v; s < ss->v + ss->n; s++)
		observe_slo_sample(out, "logagent_slo_objective_ratio", s, "", s->objective);
	prom_head(out, "logagent_slo_events_total", "counter",
	    "Events (freshness: minutes) judged by the objective, by result.");
	for (s = ss->v; s < ss->v + ss->n; s++) {
		observe_slo_sample(out, "logagent_slo_events_total", s, ",result=\"good\"",
		    (double)s->good);
		observe_slo_sample(out, "logagent_slo_events_total", s, ",result=\"bad\"",
		    (double)(s->total - s->good));
	}
	prom_head(out, "logagent_slo_sli_ratio", "gauge",
	    "The good fraction over the objective's window, closed minutes (1 without events).");
	for (s = ss->v; s < ss->v + ss->n; s++)
		observe_slo_sample(out, "logagent_slo_sli_ratio", s, "", slo_value(s));
	prom_head(out, "logagent_slo_error_budget_remaining_ratio", "gauge",
	    "The error budget left over the window: 1 untouched, 0 spent, below 0 overspent.");
	for (s = ss->v; s < ss->v + ss->n; s++)
		observe_slo_sample(out, "logagent_slo_error_budget_remaining_ratio", s, "",
		    slo_budget_left(s));
	prom_head(out, "logagent_slo_burn_rate", "gauge",
	    "The bad fraction over the budget's fraction, over each window an alert uses.");
	for (s = ss->v; s < ss->v + ss->n; s++)
		for (w = 0; w < s->nwin; w++) {
			slo_minutes_name(s->win[w].minutes, win, sizeof win);
			snprintf(more, sizeof more, ",window=\"%s\"", win);
			observe_slo_sample(out, "logagent_slo_burn_rate", s, more, slo_burn(s, w));
		}
	prom_head(out, "logagent_slo_alert_firing", "gauge",
	    "1 while a burn-rate alert fires, by severity and windows.");
	for (s = ss->v; s < ss->v + ss->n; s++)
		for (a = s->alert; a < s->alert + s->nalerts; a++) {
			snprintf(more, sizeof more, ",severity=\"%s\",long=\"%s\",short=\"%s\"",
			    a->severity, a->long_name, a->short_name);
			observe_slo_sample(out, "logagent_slo_alert_firing", s, more, a->firing);
		}
}

/* /health's "slos": each objective's value, budget and alerts firing now. */
static void
observe_slo_health(const struct observe *o, struct buf *out)
{
	const struct slo *s;
	const struct slo_alert *a;
	char win[16];
	unsigned i;
	int first;

	buf_puts(out, ",\"slos\":[");
	for (i = 0; i < o->slos.n; i++) {
		s = &o->slos.v[i];
		slo_minutes_name(s->win[0].minutes, win, sizeof win);
		buf_puts(out, i == 0 ? "{\"name\":" : ",{\"name\":");
		esc_json_string(out, s->name, strlen(s->name));
		buf_printf(out, ",\"objective\":%.6g,\"window\":\"%s\",\"sli\":%.6g,"
		    "\"error_budget_left\":%.6g,\"events\":%llu,\"firing\":[",
		    s->objective, win, slo_value(s), slo_budget_left(s),
		    (unsigned long long)s->win[0].total);
		for (a = s->alert, first = 1; a < s->alert + s->nalerts; a++)
			if (a->firing) {
				buf_printf(out, "%s{\"severity\":\"%s\",\"long_window\":\"%s\",\"short_window\":\"%s\"}",
				    first ? "" : ",", a->severity, a->long_name, a->short_name);
				first = 0;
			}
		buf_puts(out, "]}");
	}
	buf_putc(out, ']');
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
		buf_printf(out, ",\"files\":%u,\"lag_bytes\":%llu,\"rate_limited\":%llu,\"last_error\":",
		    s->nfiles, lag, (unsigned long long)s->limit.dropped_total);
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
	buf_putc(out, ']');
	if (o->have_metrics)
		observe_slo_health(o, out);
	buf_printf(out, ",\"batches_failed\":%llu,\"status\":\"%s\"}\n",
	    (unsigned long long)o->pipe->stats.batches_failed,
	    degraded || o->pipe->stats.batches_failed ? "degraded" : "ok");
	*status = 200;
}

static void
observe_http(void *arg, const char *path, struct buf *body, int *status,
    const char **ctype)
{
	struct observe *o = arg;

	observe_catch_up(o);	/* for both pages */
	if (strcmp(path, "/metrics") == 0) {
		*ctype = "text/plain; version=0.0.4; charset=utf-8";
		observe_agent_metrics(o, body);
		if (o->have_metrics)
			metrics_prometheus(&o->m, observe_clock(o), body);
		if (o->have_metrics)
			observe_slo_metrics(o, body);
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
	o->input.internal = 1;
	if (c->metrics.enabled && metrics_init(&o->m, &c->metrics) == 0) {
		o->have_metrics = 1;
		errgroups_init(&o->eg);
		evclock_init(&o->clock, c->metrics.clock == CLOCK_EVENT, !env->oneshot,
		    c->metrics.lateness_ms * 1000000);
		slos_init(&o->slos, c);
		o->slos.on_alert = observe_alert;
		o->slos.arg = o;
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
	observe_catch_up(o);	/* the lines read are all counted */
	if (o->pipe->observe_arg == o)
		o->pipe->observe = NULL;
	if (o->have_metrics) {
		/* A replay's last minute is whole: its alerts are judged too. */
		if (!o->clock.live)
			slos_finish(&o->slos);
		observe_send_pending(o);
	}
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
		slos_free(&o->slos);
		errgroups_free(&o->eg);
	}
	buf_free(&o->pending);
}
