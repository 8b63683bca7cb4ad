/* SPDX-License-Identifier: MIT */
/* enc_pretty.c: events for people: time, coloured level, message, dimmed fields. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "sink.h"
#include "timefmt.h"

#define SGR_RESET	"\033[0m"
#define SGR_DIM		"\033[2m"

/* Our own colours are the only escape sequences that reach the terminal. */
static const struct {
	const char *tag;
	const char *sgr;
} pretty_levels[LEVEL_COUNT] = {
	[LEVEL_DEBUG] = { "DEBUG", "\033[2m" },
	[LEVEL_INFO] = { "INFO ", "" },
	[LEVEL_WARN] = { "WARN ", "\033[33m" },
	[LEVEL_ERROR] = { "ERROR", "\033[31m" },
	[LEVEL_FATAL] = { "FATAL", "\033[7;31m" },
};

/* A value needs quotes when it would not read back as one word. */
static int
pretty_needs_quotes(struct slice v)
{
	size_t i;

	if (v.n == 0)
		return 1;
	for (i = 0; i < v.n; i++)
		if (v.p[i] == ' ' || v.p[i] == '"' || v.p[i] == '=' ||
		    (unsigned char)v.p[i] < 0x20)
			return 1;
	return 0;
}

static void
pretty_kv(struct buf *out, const char *k, size_t kn, struct slice v, int quote)
{
	buf_putc(out, ' ');
	esc_text(out, k, kn);
	buf_putc(out, '=');
	if (quote && pretty_needs_quotes(v)) {
		buf_putc(out, '"');
		esc_text(out, v.p, v.n);
		buf_putc(out, '"');
	} else
		esc_text(out, v.p, v.n);
}

/*
 * The event just written at out[start..) as rows of at most width
 * columns, broken at a space where the row has one, each row after the
 * first indented to where the message began (indent columns), so the
 * time and level stand out on the left.
 */
static void
pretty_wrap(struct buf *out, size_t start, size_t indent, unsigned width)
{
	size_t n = out->len - start, i, k, col = 0, space = SIZE_MAX, tail;
	char *text, *moved;
	unsigned c;

	if (indent > width / 2)
		indent = 4;
	if ((text = malloc(n)) == NULL)
		return;		/* unwrapped is still right */
	memcpy(text, out->p + start, n);
	out->len = start;
	for (i = 0; i < n; i += k) {
		k = term_step(text + i, n - i, &c);
		if (c > 0 && col + c > width) {
			if (space != SIZE_MAX && buf_reserve(out, indent) == 0) {
				/* Move what follows the last space to the next row. */
				tail = out->len - space - 1;
				moved = out->p + space + 1;
				memmove(out->p + space + 1 + indent, moved, tail);
				out->p[space] = '\n';
				memset(out->p + space + 1, ' ', indent);
				out->len = space + 1 + indent + tail;
				col = indent + term_width(out->p + space + 1 + indent, tail);
				space = SIZE_MAX;
			} else {
				buf_putc(out, '\n');
				for (col = 0; col < indent; col++)
					buf_putc(out, ' ');
				space = SIZE_MAX;
				if (text[i] == ' ')
					continue;	/* a row does not begin with the space it broke at */
			}
		}
		buf_append(out, text + i, k);
		col += c;
		if (text[i] == ' ' && col > indent + 1)
			space = out->len - 1;
	}
	free(text);
}

static void
pretty_encode(const struct encode_opts *o, const struct event *ev,
    struct buf *out)
{
	char ts[TIMEFMT_MAX];
	unsigned i, l = (unsigned)ev->level < LEVEL_COUNT ? ev->level : LEVEL_INFO;
	size_t start = out->len, indent;
	char num[24];
	int len;

	if (o->color)
		buf_puts(out, SGR_DIM);
	buf_append(out, ts, timefmt_local_short(ev->time_ns, ts));
	if (o->color)
		buf_puts(out, SGR_RESET);
	buf_putc(out, ' ');
	if (o->color && pretty_levels[l].sgr[0] != '\0') {
		buf_puts(out, pretty_levels[l].sgr);
		buf_puts(out, pretty_levels[l].tag);
		buf_puts(out, SGR_RESET);
	} else
		buf_puts(out, pretty_levels[l].tag);
	if (o->show_source) {
		buf_putc(out, ' ');
		if (o->color)
			buf_puts(out, "\033[36m");
		esc_text(out, ev->source.p, ev->source.n);
		if (o->color)
			buf_puts(out, SGR_RESET);
	}
	buf_putc(out, ' ');
	indent = term_width(out->p + start, out->len - start);
	esc_text(out, ev->message.p, ev->message.n);
	if (o->color && (ev->nfields || ev->flags || ev->parse_error.n))
		buf_puts(out, SGR_DIM);
	for (i = 0; i < ev->nfields; i++)
		pretty_kv(out, ev->fields[i].key.p, ev->fields[i].key.n,
		    ev->fields[i].val, ev->fields[i].type == FIELD_STRING);
	if (ev->flags & EVENT_TRUNCATED)
		pretty_kv(out, "truncated", 9, SLICE_LIT("true"), 0);
	if (ev->flags & EVENT_PARTIAL)
		pretty_kv(out, "partial", 7, SLICE_LIT("true"), 0);
	if (ev->parse_error.n)
		pretty_kv(out, "parse_error", 11, ev->parse_error, 1);
	if (ev->fields_dropped) {
		len = snprintf(num, sizeof num, "%u", ev->fields_dropped);
		pretty_kv(out, "fields_dropped", 14,
		    (struct slice){ num, (size_t)len }, 0);
	}
	if (o->color && (ev->nfields || ev->flags || ev->parse_error.n))
		buf_puts(out, SGR_RESET);
	if (o->width >= 20 && term_width(out->p + start, out->len - start) > o->width)
		pretty_wrap(out, start, indent, o->width);
	buf_putc(out, '\n');
}

const struct encoder_ops enc_pretty = {
	.name = "pretty",
	.help = "for people: local time, coloured level, message, key=value fields",
	.encode = pretty_encode,
};
