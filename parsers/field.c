/* SPDX-License-Identifier: MIT */
/* field.c: what every parser shares: adding fields, declining, falling back to plain. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "level.h"
#include "parser.h"
#include "timeparse.h"

int
parser_add_field(const struct parse_ctx *ctx, struct event *ev,
    struct slice key, struct slice val, enum field_type type)
{
	struct field *f;
	unsigned i, ncap;
	uint64_t bit;

	/*
	 * A key seen before has its bit set: only then look for it. The bit is
	 * chosen by length and the first and last bytes, which tells most keys
	 * of one event apart.
	 */
	bit = key.n == 0 ? 1 : 1ULL << ((key.n * 7 + (unsigned char)key.p[0] * 3 +
	    (unsigned char)key.p[key.n - 1]) & 63);
	for (i = (ev->key_bloom & bit) ? 0 : ev->nfields; i < ev->nfields; i++) {
		f = &ev->fields[i];
		if (f->key.n == key.n && memcmp(f->key.p, key.p, key.n) == 0) {
			f->val = val;
			f->type = type;
			return 0;
		}
	}
	if (ev->nfields >= ctx->max_fields) {
		ev->fields_dropped++;
		return 0;
	}
	if (ev->nfields == ev->fields_cap) {
		/* Double in the arena; the old array is left behind, bounded by 2x. */
		ncap = ev->fields_cap ? ev->fields_cap * 2 : 8;
		if (ncap > ctx->max_fields)
			ncap = ctx->max_fields;
		f = arena_alloc(ctx->arena, ncap * sizeof *f);
		if (f == NULL)
			return AGENT_E_TOOBIG;
		if (ev->nfields != 0)
			memcpy(f, ev->fields, ev->nfields * sizeof *f);
		ev->fields = f;
		ev->fields_cap = ncap;
	}
	ev->key_bloom |= bit;
	f = &ev->fields[ev->nfields++];
	f->key = key;
	f->val = val;
	f->type = type;
	return 0;
}

int
parser_decline(const struct parse_ctx *ctx, struct event *ev,
    const char *format, const char *why, size_t at)
{
	char tmp[160], *p;
	int len;

	ev->nfields = 0;
	ev->fields_cap = 0;
	ev->fields = NULL;
	ev->fields_dropped = 0;
	ev->key_bloom = 0;
	len = snprintf(tmp, sizeof tmp, "%s: %s at byte %zu", format, why, at);
	if (len < 0 || (size_t)len >= sizeof tmp)
		len = (int)strlen(tmp);
	if ((p = arena_dup(ctx->arena, tmp, (size_t)len)) != NULL)
		ev->parse_error = (struct slice){ p, (size_t)len };
	else
		ev->parse_error = (struct slice){ format, strlen(format) };
	return PARSE_DECLINED;
}

int
parser_run(const struct parser_ops *ops, const struct parse_ctx *ctx,
    const char *line, size_t n, struct event *ev)
{
	struct event init = *ev;
	struct slice perr;
	int rc;

	if ((rc = ops->parse(ctx, line, n, ev)) != PARSE_DECLINED)
		return rc;
	perr = ev->parse_error;
	*ev = init;
	if ((rc = parser_plain.parse(ctx, line, n, ev)) != 0)
		return rc;
	ev->parse_error = perr;
	return 1;
}

enum { KEY_TIME = 1, KEY_LEVEL = 2, KEY_MSG = 4 };

/* The well-known keys, with their lengths so most keys fail on length alone. */
static const struct {
	const char *name;
	size_t n;
	unsigned kind;
} parser_known[] = {
#define K(s, kind) { s, sizeof(s) - 1, kind }
	K("time", KEY_TIME), K("ts", KEY_TIME), K("timestamp", KEY_TIME),
	K("@timestamp", KEY_TIME), K("@t", KEY_TIME), K("datetime", KEY_TIME),
	K("level", KEY_LEVEL), K("lvl", KEY_LEVEL), K("severity", KEY_LEVEL),
	K("log.level", KEY_LEVEL), K("loglevel", KEY_LEVEL),
	K("levelname", KEY_LEVEL), K("@l", KEY_LEVEL),
	K("msg", KEY_MSG), K("message", KEY_MSG), K("@m", KEY_MSG),
#undef K
};

static unsigned
parser_key_kind(struct slice k)
{
	size_t i;

	if (k.n < 2 || k.n > 10)
		return 0;
	for (i = 0; i < sizeof parser_known / sizeof parser_known[0]; i++)
		if (parser_known[i].n == k.n && parser_known[i].name[0] == k.p[0] &&
		    memcmp(parser_known[i].name, k.p, k.n) == 0)
			return parser_known[i].kind;
	return 0;
}

int
parser_member(const struct parse_ctx *ctx, struct event *ev, unsigned *seen,
    struct slice key, struct slice val, enum field_type type)
{
	unsigned kind = parser_key_kind(key) & ~*seen;
	long long num;
	int64_t ns;
	enum level l;
	char tmp[24];

	if (kind == 0)
		return parser_add_field(ctx, ev, key, val, type);
	if (kind == KEY_TIME && (type == FIELD_STRING || type == FIELD_NUMBER) &&
	    ((type == FIELD_STRING && time_parse_rfc3339(val.p, val.n, &ns) == val.n) ||
	    time_parse_epoch(val.p, val.n, &ns) == 0)) {
		ev->time_ns = ns;
		ev->flags &= ~EVENT_TIME_RECV;
		*seen |= KEY_TIME;
		return 0;
	}
	if (kind == KEY_LEVEL && type == FIELD_STRING &&
	    level_from_word(val.p, val.n, 1, &l) == 0) {
		ev->level = l;
		*seen |= KEY_LEVEL;
		return 0;
	}
	if (kind == KEY_LEVEL && type == FIELD_NUMBER && val.n < sizeof tmp) {
		memcpy(tmp, val.p, val.n);
		tmp[val.n] = '\0';
		if (sscanf(tmp, "%lld", &num) == 1 && level_from_number(num, &l) == 0) {
			ev->level = l;
			*seen |= KEY_LEVEL;
			return 0;
		}
	}
	if (kind == KEY_MSG && type == FIELD_STRING) {
		ev->message = val;
		*seen |= KEY_MSG;
		return 0;
	}
	return parser_add_field(ctx, ev, key, val, type);
}
