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

static void
ndjson_encode(const struct encode_opts *o, const struct event *ev,
    struct buf *out)
{
	char ts[TIMEFMT_MAX];
	const struct field *f;
	size_t mark;
	unsigned i;

	buf_append(out, "{\"time\":\"", 9);
	buf_append(out, ts, timefmt_rfc3339(ev->time_ns, ts));
	buf_append(out, "\",\"level\":\"", 11);
	buf_puts(out, level_name(ev->level));
	buf_append(out, "\",\"message\":", 12);
	esc_json_string(out, ev->message.p, ev->message.n);
	buf_append(out, ",\"source\":", 10);
	esc_json_string(out, ev->source.p, ev->source.n);
	if (ev->flags & EVENT_TRUNCATED)
		buf_puts(out, ",\"truncated\":true");
	if (ev->flags & EVENT_PARTIAL)
		buf_puts(out, ",\"partial\":true");
	if (ev->parse_error.n != 0) {
		buf_puts(out, ",\"parse_error\":");
		esc_json_string(out, ev->parse_error.p, ev->parse_error.n);
	}
	for (i = 0; i < ev->nfields && !out->failed; i++) {
		f = &ev->fields[i];
		buf_putc(out, ',');
		mark = out->len;
		esc_json_string(out, f->key.p, f->key.n);
		if (ndjson_is_reserved(f->key) && buf_putc(out, '_') == 0) {
			/* "time" becomes "_time": shift right past the quote. */
			memmove(out->p + mark + 2, out->p + mark + 1,
			    out->len - mark - 2);
			out->p[mark + 1] = '_';
		}
		buf_putc(out, ':');
		switch (f->type) {
		case FIELD_STRING:
			esc_json_string(out, f->val.p, f->val.n);
			break;
		case FIELD_RAW:
			esc_json_raw(out, f->val.p, f->val.n);
			break;
		default:	/* numbers and literals were checked by the parser */
			buf_append(out, f->val.p, f->val.n);
		}
	}
	if (ev->fields_dropped != 0)
		buf_printf(out, ",\"_fields_dropped\":%u", ev->fields_dropped);
	buf_append(out, "}\n", 2);
}

const struct encoder_ops enc_ndjson = {
	.name = "ndjson",
	.help = "one JSON object per line",
	.encode = ndjson_encode,
};
