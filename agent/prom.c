/* SPDX-License-Identifier: MIT */
/* prom.c: series as the Prometheus text exposition format 0.0.4. */
#include "config.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "metrics.h"
#include "xmalloc.h"

void
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

void
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

/* A counter of every series: the uint64_t at off in struct series. */
static void
prom_counter(struct buf *out, const struct metrics *m, const char *name,
    const char *help, size_t off)
{
	const struct series *s;

	prom_head(out, name, "counter", help);
	for (s = m->all; s != NULL; s = s->next) {
		buf_puts(out, name);
		prom_labels(out, m, s, NULL);
		buf_printf(out, " %llu\n",
		    (unsigned long long)*(const uint64_t *)((const char *)s + off));
	}
}

/* A gauge of every series and window: the double at off in its figures. */
static void
prom_window_gauge(struct buf *out, const struct metrics *m,
    const struct metrics_figures *figs, const char *name, const char *help,
    size_t off)
{
	const struct series *s;
	char extra[64];
	unsigned w, k = 0;

	prom_head(out, name, "gauge", help);
	for (s = m->all; s != NULL; s = s->next)
		for (w = 0; w < m->nwindows; w++, k++) {
			snprintf(extra, sizeof extra, "window=\"%s\"", m->window_name[w]);
			buf_puts(out, name);
			prom_labels(out, m, s, extra);
			prom_double(out, *(const double *)((const char *)&figs[k] + off));
		}
}

void
metrics_prometheus(struct metrics *m, int64_t now, struct buf *out)
{
	struct metrics_figures *figs, *f;
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
	/* Each window's figures once: merging its slots is the costly part. */
	figs = xcalloc((size_t)m->nseries * m->nwindows + 1, sizeof *figs);
	for (s = m->all, f = figs; s != NULL; s = s->next)
		for (w = 0; w < m->nwindows; w++)
			metrics_window(m, s, w, now, f++);
	prom_counter(out, m, "logagent_events_total",
	    "Events seen, per series (request or not).", offsetof(struct series, events));
	prom_counter(out, m, "logagent_requests_total",
	    "Requests seen in the logs (events with an HTTP status).",
	    offsetof(struct series, requests));
	prom_counter(out, m, "logagent_errors_total",
	    "Requests with an error status, and other events at level error or fatal.",
	    offsetof(struct series, errors));
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
		prom_double(out, (double)s->lat_sum_us / 1e6);
		buf_puts(out, "logagent_request_duration_seconds_count");
		prom_labels(out, m, s, NULL);
		buf_printf(out, " %llu\n", (unsigned long long)cum);	/* the +Inf bucket */
	}
	prom_window_gauge(out, m, figs, "logagent_window_requests_per_second",
	    "Requests per second over the rolling window.",
	    offsetof(struct metrics_figures, rate));
	prom_window_gauge(out, m, figs, "logagent_window_error_ratio",
	    "Errors per request over the rolling window.",
	    offsetof(struct metrics_figures, error_ratio));
	/* A summary is what a rolling window's quantiles are, in Prometheus terms. */
	prom_head(out, "logagent_window_request_duration_seconds", "summary",
	    "Request latency over the rolling window.");
	for (s = m->all, f = figs; s != NULL; s = s->next)
		for (w = 0; w < m->nwindows; w++, f++) {
			for (i = 0; i < sizeof quantiles / sizeof quantiles[0]; i++) {
				snprintf(extra, sizeof extra, "window=\"%s\",quantile=\"%s\"",
				    m->window_name[w], quantiles[i].name);
				buf_puts(out, "logagent_window_request_duration_seconds");
				prom_labels(out, m, s, extra);
				prom_double(out, *(const double *)((const char *)f +
				    quantiles[i].off));
			}
			snprintf(extra, sizeof extra, "window=\"%s\"", m->window_name[w]);
			buf_puts(out, "logagent_window_request_duration_seconds_sum");
			prom_labels(out, m, s, extra);
			prom_double(out, f->lat_sum);
			buf_puts(out, "logagent_window_request_duration_seconds_count");
			prom_labels(out, m, s, extra);
			buf_printf(out, " %llu\n", (unsigned long long)f->lat_count);
		}
	prom_window_gauge(out, m, figs, "logagent_window_request_duration_max_seconds",
	    "The longest request latency in the rolling window.",
	    offsetof(struct metrics_figures, max));
	free(figs);
	prom_head(out, "logagent_metrics_series", "gauge", "Series kept.");
	buf_printf(out, "logagent_metrics_series %u\n", m->nseries);
	prom_head(out, "logagent_metrics_overflow_events_total", "counter",
	    "Events whose label set came past max_series (counted in the __overflow__ series).");
	buf_printf(out, "logagent_metrics_overflow_events_total %llu\n",
	    (unsigned long long)m->overflow_events);
}
