/* SPDX-License-Identifier: MIT */
/* field.c: what every parser shares: adding fields, declining, falling back to plain. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "level.h"
#include "parser.h"
#include "timeparse.h"

/*
 * The bloom bit of a key, chosen by its length and first and last bytes,
 * which tells most keys of one event apart.
 */
static inline uint64_t
field_bit(struct slice key)
{
	return key.n == 0 ? 1 : 1ULL << ((key.n * 7 + (unsigned char)key.p[0] * 3 +
	    (unsigned char)key.p[key.n - 1]) & 63);
}

int
parser_fields_reserve(const struct parse_ctx *ctx, struct event *ev, unsigned n)
{
	struct field *f;

	if (n > ctx->max_fields)
		n = ctx->max_fields;
	if (ev->fields_cap >= n)
		return 0;
	if ((f = arena_alloc(ctx->arena, n * sizeof *f)) == NULL)
		return AGENT_E_TOOBIG;
	if (ev->nfields != 0)
		memcpy(f, ev->fields, ev->nfields * sizeof *f);
	ev->fields = f;
	ev->fields_cap = n;
	return 0;
}

int
parser_add_field_new(const struct parse_ctx *ctx, struct event *ev,
    struct slice key, struct slice val, enum field_type type)
{
	struct field *f;

	if (ev->nfields >= ctx->max_fields) {
		ev->fields_dropped++;
		return 0;
	}
	/* Double in the arena; the old array is left behind, bounded by 2x. */
	if (ev->nfields == ev->fields_cap &&
	    parser_fields_reserve(ctx, ev, ev->fields_cap ? ev->fields_cap * 2 : 8) != 0)
		return AGENT_E_TOOBIG;
	ev->key_bloom |= field_bit(key);
	f = &ev->fields[ev->nfields++];
	f->key = key;
	f->val = val;
	f->type = type;
	return 0;
}

int
parser_add_field(const struct parse_ctx *ctx, struct event *ev,
    struct slice key, struct slice val, enum field_type type)
{
	struct field *f;
	unsigned i;

	/* A key seen before has its bit set: only then look for it. */
	if (ev->key_bloom & field_bit(key))
		for (i = 0; i < ev->nfields; i++) {
			f = &ev->fields[i];
			if (f->key.n == key.n && memcmp(f->key.p, key.p, key.n) == 0) {
				f->val = val;
				f->type = type;
				return 0;
			}
		}
	return parser_add_field_new(ctx, ev, key, val, type);
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
