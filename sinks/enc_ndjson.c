/* SPDX-License-Identifier: MIT */
/* enc_ndjson.c: one JSON object per event and line. */
#include "config.h"

#include <string.h>

#include "escape.h"
#include "level.h"
#include "sink.h"
#include "timefmt.h"

/*
 * Keys the encoder writes itself. A field with one of these names is
 * written as "_<name>" so an object never holds a key twice.
 */
static const char *const ndjson_reserved[] = {
	"time", "level", "message", "source", "truncated", "partial",
	"parse_error", NULL,
};

static int
ndjson_is_reserved(struct slice k)
{
	size_t i;

	for (i = 0; ndjson_reserved[i] != NULL; i++)
		if (strlen(ndjson_reserved[i]) == k.n &&
		    memcmp(ndjson_reserved[i], k.p, k.n) == 0)
			return 1;
	return 0;
}

/* Raw JSON from the parser is valid JSON but may hold invalid UTF-8 in its strings. */
static int
ndjson_raw(struct buf *out, struct slice v)
{
	const unsigned char *p = (const unsigned char *)v.p;
	size_t i = 0, run, len;
	uint32_t cp;
	int rc;

	while (i < v.n) {
		for (run = i; run < v.n && p[run] < 0x80; run++)
			;
		if (run > i && (rc = buf_append(out, p + i, run - i)) != 0)
			return rc;
		if ((i = run) >= v.n)
			break;
		if ((len = utf8_decode(p + i, v.n - i, &cp)) == 0) {
			rc = buf_append(out, "\xef\xbf\xbd", 3);
			len = 1;
		} else
			rc = buf_append(out, p + i, len);
		if (rc != 0)
			return rc;
		i += len;
	}
	return 0;
}

static int
ndjson_event(const struct event *ev, struct buf *out)
{
	char ts[TIMEFMT_MAX];
	const struct field *f;
	size_t mark;
	unsigned i;
	int rc = 0;

	rc |= buf_append(out, "{\"time\":\"", 9);
	rc |= buf_append(out, ts, timefmt_rfc3339(ev->time_ns, ts));
	rc |= buf_append(out, "\",\"level\":\"", 11);
	rc |= buf_puts(out, level_name(ev->level));
	rc |= buf_append(out, "\",\"message\":", 12);
	rc |= esc_json_string(out, ev->message.p, ev->message.n);
	rc |= buf_append(out, ",\"source\":", 10);
	rc |= esc_json_string(out, ev->source.p, ev->source.n);
	if (ev->flags & EVENT_TRUNCATED)
		rc |= buf_puts(out, ",\"truncated\":true");
	if (ev->flags & EVENT_PARTIAL)
		rc |= buf_puts(out, ",\"partial\":true");
	if (ev->parse_error.n != 0) {
		rc |= buf_puts(out, ",\"parse_error\":");
		rc |= esc_json_string(out, ev->parse_error.p, ev->parse_error.n);
	}
	for (i = 0; i < ev->nfields && rc == 0; i++) {
		f = &ev->fields[i];
		rc |= buf_putc(out, ',');
		mark = out->len;
		rc |= esc_json_string(out, f->key.p, f->key.n);
		if (rc == 0 && ndjson_is_reserved(f->key) &&
		    (rc = buf_putc(out, '_')) == 0) {
			/* "time" becomes "_time": shift right past the quote. */
			memmove(out->p + mark + 2, out->p + mark + 1,
			    out->len - mark - 2);
			out->p[mark + 1] = '_';
		}
		rc |= buf_putc(out, ':');
		switch (f->type) {
		case FIELD_STRING:
			rc |= esc_json_string(out, f->val.p, f->val.n);
			break;
		case FIELD_RAW:
			rc |= ndjson_raw(out, f->val);
			break;
		default:	/* numbers and literals were checked by the parser */
			rc |= buf_append(out, f->val.p, f->val.n);
		}
	}
	if (ev->fields_dropped != 0)
		rc |= buf_printf(out, ",\"_fields_dropped\":%u", ev->fields_dropped);
	rc |= buf_append(out, "}\n", 2);
	return rc ? AGENT_E_TOOBIG : 0;
}

static int
ndjson_encode(const struct encode_opts *o, const struct event *ev, size_t nev,
    struct buf *out)
{
	size_t i, mark;

	for (i = 0; i < nev; i++) {
		mark = out->len;
		if (ndjson_event(&ev[i], out) != 0) {
			out->len = mark;	/* only whole events */
			return AGENT_E_TOOBIG;
		}
	}
	return 0;
}

const struct encoder_ops enc_ndjson = {
	.name = "ndjson",
	.help = "one JSON object per line",
	.encode = ndjson_encode,
};
