/* SPDX-License-Identifier: MIT */
/* enc_collectors.c: a batch as Loki push, OTLP/HTTP JSON logs, or an Elasticsearch _bulk body. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "level.h"
#include "sink.h"

/* One event as its ndjson line, without the newline: Loki's and _bulk's line. */
static void
enc_line(const struct event *ev, struct buf *out)
{
	struct encode_opts eo = { 0, 0, 0 };

	encoder_run(&enc_ndjson, &eo, ev, 1, out);
	if (out->len > 0 && out->p[out->len - 1] == '\n')
		out->len--;
}

/*
 * Loki: {"streams":[{"stream":{"source":..,"level":..},"values":[["ns","line"],...]}]}.
 * Streams by source and level only: labels must stay few, the rest is in the line.
 */
void
enc_loki_batch(const struct event *ev, unsigned n, struct buf *out)
{
	unsigned char *taken = calloc(n ? n : 1, 1);
	struct buf line;
	unsigned i, j, streams = 0;

	buf_init(&line, (size_t)1 << 30);
	buf_puts(out, "{\"streams\":[");
	for (i = 0; i < n; i++) {
		if (taken[i])
			continue;
		buf_puts(out, streams++ ? ",{\"stream\":{\"source\":" : "{\"stream\":{\"source\":");
		esc_json_string(out, ev[i].source.p, ev[i].source.n);
		buf_printf(out, ",\"level\":\"%s\"},\"values\":[", level_name(ev[i].level));
		for (j = i; j < n; j++) {
			if (taken[j] || ev[j].level != ev[i].level ||
			    ev[j].source.n != ev[i].source.n ||
			    memcmp(ev[j].source.p, ev[i].source.p, ev[i].source.n) != 0)
				continue;
			taken[j] = 1;
			buf_printf(out, "%s[\"%lld\",", j == i ? "" : ",",
			    (long long)ev[j].time_ns);
			buf_clear(&line);
			enc_line(&ev[j], &line);
			esc_json_string(out, line.p, line.len);
			buf_putc(out, ']');
		}
		buf_puts(out, "]}");
	}
	buf_puts(out, "]}");
	buf_free(&line);
	free(taken);
}

/* OTLP severity numbers: DEBUG 5, INFO 9, WARN 13, ERROR 17, FATAL 21. */
static const int enc_otlp_severity[LEVEL_COUNT] = { 5, 9, 13, 17, 21 };

/* OTLP/HTTP JSON (ExportLogsServiceRequest): one resource, one scope, a record per event. */
void
enc_otlp_batch(const struct event *ev, unsigned n, struct buf *out)
{
	const struct field *f;
	unsigned i, k;
	char name[16];

	buf_puts(out, "{\"resourceLogs\":[{\"resource\":{\"attributes\":["
	    "{\"key\":\"service.name\",\"value\":{\"stringValue\":\"logagent\"}}]},"
	    "\"scopeLogs\":[{\"scope\":{\"name\":\"logagent\"},\"logRecords\":[");
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof name, "%s", level_name(ev[i].level));
		for (k = 0; name[k] != '\0'; k++)
			name[k] = (char)(name[k] & ~0x20);
		buf_printf(out, "%s{\"timeUnixNano\":\"%lld\",\"severityNumber\":%d,"
		    "\"severityText\":\"%s\",\"body\":{\"stringValue\":", i ? "," : "",
		    (long long)ev[i].time_ns, enc_otlp_severity[ev[i].level], name);
		esc_json_string(out, ev[i].message.p, ev[i].message.n);
		buf_puts(out, "},\"attributes\":[{\"key\":\"source\",\"value\":{\"stringValue\":");
		esc_json_string(out, ev[i].source.p, ev[i].source.n);
		buf_puts(out, "}}");
		for (k = 0; k < ev[i].nfields; k++) {
			f = &ev[i].fields[k];
			if (f->type == FIELD_NULL)
				continue;
			buf_puts(out, ",{\"key\":");
			esc_json_string(out, f->key.p, f->key.n);
			switch (f->type) {
			case FIELD_NUMBER:
				buf_puts(out, ",\"value\":{\"doubleValue\":");
				buf_append(out, f->val.p, f->val.n);
				break;
			case FIELD_BOOL:
				buf_puts(out, ",\"value\":{\"boolValue\":");
				buf_append(out, f->val.p, f->val.n);
				break;
			default:	/* strings, and nested JSON as its text */
				buf_puts(out, ",\"value\":{\"stringValue\":");
				esc_json_string(out, f->val.p, f->val.n);
			}
			buf_puts(out, "}}");
		}
		buf_puts(out, "]}");
	}
	buf_puts(out, "]}]}]}");
}

/* Elasticsearch _bulk: an action line and the document, per event. */
void
enc_es_bulk_batch(const struct event *ev, unsigned n, struct buf *out)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		buf_puts(out, "{\"create\":{}}\n");
		enc_line(&ev[i], out);
		buf_putc(out, '\n');
	}
}
