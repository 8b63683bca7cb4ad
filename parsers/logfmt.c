/* SPDX-License-Identifier: MIT */
/* logfmt.c: key=value pairs, values bare or quoted with escapes (Heroku, Go's logfmt, Grafana). */
#include "config.h"

#include <string.h>

#include "parser.h"

static int
logfmt_space(char c)
{
	return c == ' ' || c == '\t';
}

/* Key bytes: anything printable but space, '=' and '"'. */
static int
logfmt_key_byte(unsigned char c)
{
	return c > 0x20 && c != '=' && c != '"' && c != 0x7f;
}

/* Is v a JSON-style number? Then it stays a number in the output. */
static int
logfmt_number(const char *p, size_t n)
{
	size_t i = 0, d;

	if (i < n && p[i] == '-')
		i++;
	for (d = i; i < n && p[i] >= '0' && p[i] <= '9'; i++)
		;
	if (i == d || (p[d] == '0' && i - d > 1))
		return 0;
	if (i < n && p[i] == '.') {
		for (d = ++i; i < n && p[i] >= '0' && p[i] <= '9'; i++)
			;
		if (i == d)
			return 0;
	}
	if (i < n && (p[i] == 'e' || p[i] == 'E')) {
		i++;
		if (i < n && (p[i] == '+' || p[i] == '-'))
			i++;
		for (d = i; i < n && p[i] >= '0' && p[i] <= '9'; i++)
			;
		if (i == d)
			return 0;
	}
	return i == n && n <= 40;
}

/*
 * A quoted value at line[*i] (the opening quote). Escapes \" \\ \n \t \r
 * are decoded into the arena; without escapes the slice points into the
 * line. Returns 0, 1 for an unterminated quote, or AGENT_E_TOOBIG.
 */
static int
logfmt_quoted(const struct parse_ctx *ctx, const char *line, size_t n,
    size_t *i, struct slice *val)
{
	size_t start = ++*i, end, j, k = 0, escapes = 0;
	char *o, c;

	while (*i < n && line[*i] != '"') {
		if (line[*i] == '\\' && *i + 1 < n) {
			escapes++;
			(*i)++;
		}
		(*i)++;
	}
	if (*i >= n)
		return 1;
	end = (*i)++;
	val->p = line + start;
	val->n = end - start;
	if (escapes == 0)
		return 0;
	if ((o = arena_alloc(ctx->arena, val->n)) == NULL)
		return AGENT_E_TOOBIG;
	for (j = start; j < end; j++) {
		c = line[j];
		if (c == '\\' && j + 1 < end) {
			c = line[++j];
			c = c == 'n' ? '\n' : c == 't' ? '\t' : c == 'r' ? '\r' : c;
		}
		o[k++] = c;
	}
	val->p = o;
	val->n = k;
	return 0;
}

static int
logfmt_parse(const struct parse_ctx *ctx, const char *line, size_t n,
    struct event *ev)
{
	struct slice key, val;
	enum field_type type;
	struct members m = { 0, 0 };
	unsigned pairs = 0;
	size_t i = 0, start;
	int rc, is_pair;

	ev->message = (struct slice){ "", 0 };
	for (;;) {
		while (i < n && logfmt_space(line[i]))
			i++;
		if (i >= n)
			break;
		start = i;
		while (i < n && logfmt_key_byte((unsigned char)line[i]))
			i++;
		if (i == start)
			return parser_decline(ctx, ev, "logfmt", "expected a key", i);
		key = (struct slice){ line + start, i - start };
		is_pair = i < n && line[i] == '=';
		if (!is_pair) {
			/* A bare key is a flag: present means true. */
			if (i < n && !logfmt_space(line[i]))
				return parser_decline(ctx, ev, "logfmt",
				    "unexpected character in a key", i);
			val = SLICE_LIT("true");
			type = FIELD_BOOL;
		} else if (++i < n && line[i] == '"') {
			if ((rc = logfmt_quoted(ctx, line, n, &i, &val)) != 0) {
				if (rc == AGENT_E_TOOBIG)
					return rc;
				return parser_decline(ctx, ev, "logfmt",
				    "unterminated quoted value", start);
			}
			type = FIELD_STRING;
			if (i < n && !logfmt_space(line[i]))
				return parser_decline(ctx, ev, "logfmt",
				    "text right after a quoted value", i);
		} else {
			start = i;
			while (i < n && !logfmt_space(line[i]))
				i++;
			val = (struct slice){ line + start, i - start };
			type = logfmt_number(val.p, val.n) ? FIELD_NUMBER :
			    (val.n == 4 && memcmp(val.p, "true", 4) == 0) ||
			    (val.n == 5 && memcmp(val.p, "false", 5) == 0) ?
			    FIELD_BOOL : FIELD_STRING;
		}
		if ((rc = parser_member(ctx, ev, &m, key, val, type)) != 0)
			return rc;
		/* Flags alone do not make a line logfmt: "just some words". */
		pairs += is_pair;
	}
	if (pairs == 0)
		return parser_decline(ctx, ev, "logfmt", "no key=value pairs", 0);
	parser_members_end(ev, &m);
	return 0;
}

/* key=value at the start, and more than one of them: surely logfmt. */
static int
logfmt_probe(const char *line, size_t n)
{
	size_t i = 0, pairs = 0;

	while (i < n && pairs < 3) {
		while (i < n && logfmt_space(line[i]))
			i++;
		if (i >= n || !logfmt_key_byte((unsigned char)line[i]))
			break;
		while (i < n && logfmt_key_byte((unsigned char)line[i]))
			i++;
		if (i >= n || line[i] != '=')
			break;
		pairs++;
		if (++i < n && line[i] == '"') {
			for (i++; i < n && line[i] != '"'; i++)
				if (line[i] == '\\')
					i++;
			i++;
		} else
			while (i < n && !logfmt_space(line[i]))
				i++;
	}
	return pairs >= 2 ? 80 : pairs == 1 ? 40 : 0;
}

const struct parser_ops parser_logfmt = {
	.name = "logfmt",
	.help = "key=value pairs, values bare or \"quoted\"; time, level and msg keys recognised",
	.probe = logfmt_probe,
	.parse = logfmt_parse,
};
