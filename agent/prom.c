/* SPDX-License-Identifier: MIT */
/* prom.c: series as the Prometheus text exposition format 0.0.4. */
#include "config.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "escape.h"
#include "metrics.h"

/* A label value: \, " and newline escaped; invalid UTF-8 as U+FFFD. */
static void
prom_value(struct buf *b, const char *p, size_t n)
{
	uint32_t cp;
	size_t i = 0, len;

	while (i < n) {
		if (p[i] == '\\' || p[i] == '"') {
			buf_putc(b, '\\');
			buf_putc(b, p[i++]);
		} else if (p[i] == '\n') {
			buf_puts(b, "\\n");
			i++;
		} else if ((len = utf8_decode((const unsigned char *)p + i, n - i, &cp)) == 0) {
			buf_puts(b, "\xef\xbf\xbd");
			i++;
		} else {
			buf_append(b, p + i, len);
			i += len;
		}
	}
}

/* {source="a",method="GET",...} with extra (already formatted, may be NULL) last. */
static void
prom_labels(struct buf *b, const struct metrics *m, const struct series *s,
    const char *extra)
{
	const char *v;
	size_t n;
	unsigned i;

	buf_putc(b, '{');
	for (i = 0; i < m->ngroup; i++) {
		v = series_label(s, i, &n);
		buf_printf(b, "%s%s=\"", i ? "," : "", m->group[i]);
		prom_value(b, v, n);
		buf_putc(b, '"');
	}
	if (extra != NULL)
		buf_printf(b, "%s%s", m->ngroup ? "," : "", extra);
	buf_putc(b, '}');
}

static void
prom_head(struct buf *b, const char *name, const char *type, const char *help)
{
	buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* %.17g gives back the same double; Prometheus reads it. */
static void
prom_double(struct buf *b, double v)
{
	buf_printf(b, " %.17g\n", v);
}

void
metrics_prometheus(struct metrics *m, int64_t now, struct buf *out)
{
	struct metrics_figures f;
	const struct series *s;
	char extra[96];
	uint64_t cum;
	unsigned i, w;
	static const struct {
		const char *name;
		size_t off;
	} quantiles[] = {
		{ "0.5", offsetof(struct metrics_figures, p50) },
		{ "0.9", offsetof(struct metrics_figures, p90) },
		{ "0.95", offsetof(struct metrics_figures, p95) },
		{ "0.99", offsetof(struct metrics_figures, p99) },
	};

	metrics_advance(m, now);
	prom_head(out, "logagent_events_total", "counter",
	    "Events seen, per series (request or not).");
	for (s = m->all; s != NULL; s = s->next) {
		buf_puts(out, "logagent_events_total");
		prom_labels(out, m, s, NULL);
		buf_printf(out, " %llu\n", (unsigned long long)s->events);
	}
	prom_head(out, "logagent_requests_total", "counter",
	    "Requests seen in the logs (events with an HTTP status).");
	for (s = m->all; s != NULL; s = s->next) {
		buf_puts(out, "logagent_requests_total");
		prom_labels(out, m, s, NULL);
		buf_printf(out, " %llu\n", (unsigned long long)s->requests);
	}
	prom_head(out, "logagent_errors_total", "counter",
	    "Requests with an error status, and other events at level error or fatal.");
	for (s = m->all; s != NULL; s = s->next) {
		buf_puts(out, "logagent_errors_total");
		prom_labels(out, m, s, NULL);
		buf_printf(out, " %llu\n", (unsigned long long)s->errors);
	}
	prom_head(out, "logagent_request_duration_seconds", "histogram",
	    "Request latency from the logs.");
	for (s = m->all; s != NULL; s = s->next) {
		for (i = 0, cum = 0; i <= m->nbuckets; i++) {
			cum += s->le[i];
			if (i < m->nbuckets)
				snprintf(extra, sizeof extra, "le=\"%.17g\"", m->bucket[i]);
			else
				snprintf(extra, sizeof extra, "le=\"+Inf\"");
			buf_puts(out, "logagent_request_duration_seconds_bucket");
			prom_labels(out, m, s, extra);
			buf_printf(out, " %llu\n", (unsigned long long)cum);
		}
		buf_puts(out, "logagent_request_duration_seconds_sum");
		prom_labels(out, m, s, NULL);
		prom_double(out, s->lat_sum);
		buf_puts(out, "logagent_request_duration_seconds_count");
		prom_labels(out, m, s, NULL);
		buf_printf(out, " %llu\n", (unsigned long long)s->lat_count);
	}
	prom_head(out, "logagent_window_requests_per_second", "gauge",
	    "Requests per second over the rolling window.");
	for (s = m->all; s != NULL; s = s->next)
		for (w = 0; w < m->nwindows; w++) {
			metrics_window(m, s, w, now, &f);
			snprintf(extra, sizeof extra, "window=\"%s\"", m->window_name[w]);
			buf_puts(out, "logagent_window_requests_per_second");
			prom_labels(out, m, s, extra);
			prom_double(out, f.rate);
		}
	prom_head(out, "logagent_window_error_ratio", "gauge",
	    "Errors per request over the rolling window.");
	for (s = m->all; s != NULL; s = s->next)
		for (w = 0; w < m->nwindows; w++) {
			metrics_window(m, s, w, now, &f);
			snprintf(extra, sizeof extra, "window=\"%s\"", m->window_name[w]);
			buf_puts(out, "logagent_window_error_ratio");
			prom_labels(out, m, s, extra);
			prom_double(out, f.error_ratio);
		}
	/* A summary is what a rolling window's quantiles are, in Prometheus terms. */
	prom_head(out, "logagent_window_request_duration_seconds", "summary",
	    "Request latency over the rolling window.");
	for (s = m->all; s != NULL; s = s->next)
		for (w = 0; w < m->nwindows; w++) {
			metrics_window(m, s, w, now, &f);
			for (i = 0; i < sizeof quantiles / sizeof quantiles[0]; i++) {
				snprintf(extra, sizeof extra, "window=\"%s\",quantile=\"%s\"",
				    m->window_name[w], quantiles[i].name);
				buf_puts(out, "logagent_window_request_duration_seconds");
				prom_labels(out, m, s, extra);
				prom_double(out, *(const double *)((const char *)&f +
				    quantiles[i].off));
			}
			snprintf(extra, sizeof extra, "window=\"%s\"", m->window_name[w]);
			buf_puts(out, "logagent_window_request_duration_seconds_sum");
			prom_labels(out, m, s, extra);
			prom_double(out, f.lat_sum);
			buf_puts(out, "logagent_window_request_duration_seconds_count");
			prom_labels(out, m, s, extra);
			buf_printf(out, " %llu\n", (unsigned long long)f.lat_count);
		}
	prom_head(out, "logagent_window_request_duration_max_seconds", "gauge",
	    "The longest request latency in the rolling window.");
	for (s = m->all; s != NULL; s = s->next)
		for (w = 0; w < m->nwindows; w++) {
			metrics_window(m, s, w, now, &f);
			snprintf(extra, sizeof extra, "window=\"%s\"", m->window_name[w]);
			buf_puts(out, "logagent_window_request_duration_max_seconds");
			prom_labels(out, m, s, extra);
			prom_double(out, f.max);
		}
	prom_head(out, "logagent_metrics_series", "gauge", "Series kept.");
	buf_printf(out, "logagent_metrics_series %u\n", m->nseries);
	prom_head(out, "logagent_metrics_overflow_events_total", "counter",
	    "Events whose label set came past max_series (counted in the __overflow__ series).");
	buf_printf(out, "logagent_metrics_overflow_events_total %llu\n",
	    (unsigned long long)m->overflow_events);
}
