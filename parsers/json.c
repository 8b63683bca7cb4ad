/* SPDX-License-Identifier: MIT */
/* json.c: one JSON object per line, scanned in place; nested values kept as raw JSON. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "parser.h"

#define MEMBER_KEY_JOIN	64	/* longer dotted keys are not well known */

/*
 * Why not cJSON here: it allocates a node per value, needs a terminated
 * string and cuts strings at \u0000. This scanner points into the line,
 * decodes only strings that hold escapes, and never reads past n.
 */
struct json_scan {
	const char *p;
	size_t n;
	size_t i;
	const struct parse_ctx *ctx;
	const char *err;	/* static text: why the line is not JSON */
};

#define JSON_FAIL(s, why) do { (s)->err = (why); return -1; } while (0)

static void
json_ws(struct json_scan *s)
{
	while (s->i < s->n && (s->p[s->i] == ' ' || s->p[s->i] == '\t' ||
	    s->p[s->i] == '\n' || s->p[s->i] == '\r'))
		s->i++;
}

static int
json_hex4(const char *p, unsigned *v)
{
	int k;
	char c;

	*v = 0;
	for (k = 0; k < 4; k++) {
		c = p[k];
		*v <<= 4;
		if (c >= '0' && c <= '9')
			*v |= (unsigned)(c - '0');
		else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
			*v |= (unsigned)((c | 0x20) - 'a' + 10);
		else
			return -1;
	}
	return 0;
}

static size_t
json_put_utf8(char *o, unsigned c)
{
	if (c < 0x80) {
		o[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		o[0] = (char)(0xc0 | (c >> 6));
		o[1] = (char)(0x80 | (c & 0x3f));
		return 2;
	}
	if (c < 0x10000) {
		o[0] = (char)(0xe0 | (c >> 12));
		o[1] = (char)(0x80 | ((c >> 6) & 0x3f));
		o[2] = (char)(0x80 | (c & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | (c >> 18));
	o[1] = (char)(0x80 | ((c >> 12) & 0x3f));
	o[2] = (char)(0x80 | ((c >> 6) & 0x3f));
	o[3] = (char)(0x80 | (c & 0x3f));
	return 4;
}

/*
 * Decode the escapes of p[0..n) (a string body known to be well formed)
 * into o, which has room for n bytes: no escape decodes to more bytes than
 * it is written with. Lone surrogates become U+FFFD; \u0000 stays a NUL
 * byte, which every output escapes again.
 */
static size_t
json_unescape(const char *p, size_t n, char *o)
{
	size_t i = 0, k = 0;
	unsigned c, lo;

	while (i < n) {
		if (p[i] != '\\') {
			o[k++] = p[i++];
			continue;
		}
		i++;
		switch (p[i++]) {
		case 'b': o[k++] = '\b'; break;
		case 'f': o[k++] = '\f'; break;
		case 'n': o[k++] = '\n'; break;
		case 'r': o[k++] = '\r'; break;
		case 't': o[k++] = '\t'; break;
		case 'u':
			json_hex4(p + i, &c);
			i += 4;
			if (c >= 0xd800 && c <= 0xdbff && i + 6 <= n &&
			    p[i] == '\\' && p[i + 1] == 'u' &&
			    json_hex4(p + i + 2, &lo) == 0 &&
			    lo >= 0xdc00 && lo <= 0xdfff) {
				c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
				i += 6;
			} else if (c >= 0xd800 && c <= 0xdfff)
				c = 0xfffd;
			k += json_put_utf8(o + k, c);
			break;
		default:	/* " \ / */
			o[k++] = p[i - 1];
			break;
		}
	}
	return k;
}

/*
 * A string at s->i (the opening quote); out gets its text, decoded into
 * the arena when decode is set and it holds escapes.
 */
/*
 * Eight bytes at a time: is any of them a quote, a backslash or a control
 * byte (below 0x20)? The usual bit trick: x - 0x01.. borrows into the top
 * bit of each byte that was zero, and (x - n..) & ~x & 0x80.. flags bytes
 * below n for n <= 0x80.
 */
#define JSON_ONES	0x0101010101010101ULL
#define JSON_HIGHS	0x8080808080808080ULL

static inline uint64_t
json_word_special(uint64_t w)
{
	uint64_t q = w ^ (JSON_ONES * '"'), b = w ^ (JSON_ONES * '\\');

	return (((q - JSON_ONES) & ~q) | ((b - JSON_ONES) & ~b) |
	    ((w - JSON_ONES * 0x20) & ~w)) & JSON_HIGHS;
}

static int
json_string(struct json_scan *s, struct slice *out, int decode)
{
	size_t start = ++s->i, escapes = 0;
	uint64_t w, m;
	unsigned v;
	unsigned char c;
	char *o;

	for (;;) {
		/*
		 * The common case: runs of plain text, a word at a time. The
		 * lowest flagged byte is exact (a borrow only spills upward),
		 * so on a little-endian machine we jump straight to it.
		 */
		while (s->i + 8 <= s->n) {
			memcpy(&w, s->p + s->i, 8);
			if ((m = json_word_special(w)) != 0) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
				s->i += (size_t)__builtin_ctzll(m) >> 3;
#endif
				break;
			}
			s->i += 8;
		}
		if (s->i >= s->n)
			JSON_FAIL(s, "unterminated string");
		c = (unsigned char)s->p[s->i];
		if (c == '"')
			break;
		if (c < 0x20)
			JSON_FAIL(s, "control character in a string");
		if (c == '\\') {
			if (s->i + 1 >= s->n)
				JSON_FAIL(s, "unterminated string");
			c = (unsigned char)s->p[s->i + 1];
			if (c == 'u') {
				if (s->i + 6 > s->n ||
				    json_hex4(s->p + s->i + 2, &v) != 0)
					JSON_FAIL(s, "bad \\u escape");
				s->i += 6;
			} else if (strchr("\"\\/bfnrt", c) != NULL && c != 0)
				s->i += 2;
			else
				JSON_FAIL(s, "bad escape in a string");
			escapes++;
			continue;
		}
		s->i++;
	}
	out->p = s->p + start;
	out->n = s->i - start;
	s->i++;
	if (escapes == 0 || !decode)
		return 0;
	if ((o = arena_alloc(s->ctx->arena, out->n)) == NULL)
		return AGENT_E_TOOBIG;
	out->n = json_unescape(out->p, out->n, o);
	out->p = o;
	return 0;
}

static int
json_digits(struct json_scan *s)
{
	size_t start = s->i;

	while (s->i < s->n && s->p[s->i] >= '0' && s->p[s->i] <= '9')
		s->i++;
	return s->i > start ? 0 : -1;
}

static int
json_number(struct json_scan *s)
{
	if (s->i < s->n && s->p[s->i] == '-')
		s->i++;
	if (s->i < s->n && s->p[s->i] == '0')
		s->i++;
	else if (json_digits(s) != 0)
		JSON_FAIL(s, "bad number");
	if (s->i < s->n && s->p[s->i] == '.') {
		s->i++;
		if (json_digits(s) != 0)
			JSON_FAIL(s, "bad number");
	}
	if (s->i < s->n && (s->p[s->i] | 0x20) == 'e') {
		s->i++;
		if (s->i < s->n && (s->p[s->i] == '+' || s->p[s->i] == '-'))
			s->i++;
		if (json_digits(s) != 0)
			JSON_FAIL(s, "bad number");
	}
	return 0;
}

static int
json_literal(struct json_scan *s, const char *word, size_t len)
{
	if (s->n - s->i < len || memcmp(s->p + s->i, word, len) != 0)
		JSON_FAIL(s, "unexpected character");
	s->i += len;
	return 0;
}

static int json_value(struct json_scan *s, struct slice *val,
    enum field_type *type, unsigned depth, int decode);

/* Check a nested object or array without keeping anything: it stays raw text. */
static int
json_container(struct json_scan *s, unsigned depth)
{
	struct slice dummy;
	enum field_type type;
	char close;
	int rc;

	close = s->p[s->i] == '{' ? '}' : ']';
	s->i++;
	json_ws(s);
	if (s->i < s->n && s->p[s->i] == close) {
		s->i++;
		return 0;
	}
	for (;;) {
		if (close == '}') {
			if (s->i >= s->n || s->p[s->i] != '"')
				JSON_FAIL(s, "expected a key");
			/* Keys are not kept: scan without decoding. */
			if ((rc = json_string(s, &dummy, 0)) != 0)
				return rc;
			json_ws(s);
			if (s->i >= s->n || s->p[s->i] != ':')
				JSON_FAIL(s, "expected ':'");
			s->i++;
			json_ws(s);
		}
		if ((rc = json_value(s, &dummy, &type, depth + 1, 0)) != 0)
			return rc;
		json_ws(s);
		if (s->i >= s->n)
			JSON_FAIL(s, "truncated");
		if (s->p[s->i] == close) {
			s->i++;
			return 0;
		}
		if (s->p[s->i] != ',')
			JSON_FAIL(s, close == '}' ? "expected ',' or '}'" :
			    "expected ',' or ']'");
		s->i++;
		json_ws(s);
	}
}

/*
 * A value at s->i, depth levels down: its text and type. Strings are
 * decoded when decode is set; objects and arrays are checked and kept as
 * their raw text.
 */
static int
json_value(struct json_scan *s, struct slice *val, enum field_type *type,
    unsigned depth, int decode)
{
	size_t start = s->i;
	int rc;

	if (s->i >= s->n)
		JSON_FAIL(s, "truncated");
	switch (s->p[s->i]) {
	case '"':
		*type = FIELD_STRING;
		return json_string(s, val, decode);
	case '{':
	case '[':
		*type = FIELD_RAW;
		if (depth > s->ctx->max_depth)
			JSON_FAIL(s, "nested too deeply");
		rc = json_container(s, depth);
		break;
	case 't':
		*type = FIELD_BOOL;
		rc = json_literal(s, "true", 4);
		break;
	case 'f':
		*type = FIELD_BOOL;
		rc = json_literal(s, "false", 5);
		break;
	case 'n':
		*type = FIELD_NULL;
		rc = json_literal(s, "null", 4);
		break;
	default:
		*type = FIELD_NUMBER;
		rc = json_number(s);
	}
	val->p = s->p + start;
	val->n = s->i - start;
	return rc;
}

/* What json_object does with the members it finds. */
enum json_mode {
	JSON_KEEP,		/* every member is a field; objects stay raw */
	JSON_FLATTEN,		/* objects become dotted keys, all the way down */
	JSON_KNOWN,		/* only well-known keys are taken (inside a raw object) */
};

/*
 * "prefix.key", in the arena when it is kept (flattening) and in tmp when
 * it is only looked up. key alone when there is no prefix.
 */
static int
json_join(struct json_scan *s, struct slice prefix, struct slice key,
    char *tmp, size_t tmplen, struct slice *out)
{
	char *o = tmp;

	if (prefix.n == 0) {
		*out = key;
		return 0;
	}
	if (tmp == NULL)
		o = arena_alloc(s->ctx->arena, prefix.n + 1 + key.n);
	else if (prefix.n + 1 + key.n > tmplen)
		return 1;
	if (o == NULL)
		return AGENT_E_TOOBIG;
	memcpy(o, prefix.p, prefix.n);
	o[prefix.n] = '.';
	memcpy(o + prefix.n + 1, key.p, key.n);
	*out = (struct slice){ o, prefix.n + 1 + key.n };
	return 0;
}

/*
 * The members of the object at s->i, their keys under prefix. Objects
 * within are flattened, kept raw, or kept raw and also searched for
 * well-known keys ({"req": {"method": "GET"}}), as mode and the source say.
 */
static int
json_object(struct json_scan *s, struct event *ev, struct members *m,
    struct slice prefix, unsigned depth, enum json_mode mode)
{
	const struct parse_ctx *ctx = s->ctx;
	struct slice key, full, val;
	enum field_type type;
	struct json_scan sub;
	char tmp[MEMBER_KEY_JOIN];
	int rc, known;

	if (depth > ctx->max_depth)
		JSON_FAIL(s, "nested too deeply");
	s->i++;
	json_ws(s);
	if (s->i < s->n && s->p[s->i] == '}') {
		s->i++;
		return 0;
	}
	for (;;) {
		if (s->i >= s->n || s->p[s->i] != '"')
			JSON_FAIL(s, s->i >= s->n ? "truncated" : "expected a key");
		if ((rc = json_string(s, &key, 1)) != 0)
			return rc;
		json_ws(s);
		if (s->i >= s->n || s->p[s->i] != ':')
			JSON_FAIL(s, "expected ':' after a key");
		s->i++;
		json_ws(s);
		if (mode == JSON_FLATTEN && s->i < s->n && s->p[s->i] == '{' &&
		    s->i + 1 < s->n) {
			/* {} has no members to flatten into: it stays as it is. */
			sub = *s;
			sub.i++;
			json_ws(&sub);
			if (sub.i < s->n && s->p[sub.i] != '}') {
				if ((rc = json_join(s, prefix, key, NULL, 0, &full)) != 0 ||
				    (rc = json_object(s, ev, m, full, depth + 1, mode)) != 0)
					return rc;
				goto next;
			}
		}
		if ((rc = json_value(s, &val, &type, depth, 1)) != 0)
			return rc;
		if (mode == JSON_FLATTEN) {
			if ((rc = json_join(s, prefix, key, NULL, 0, &full)) != 0 ||
			    (rc = parser_member(ctx, ev, m, full, val, type)) != 0)
				return rc;
			goto next;
		}
		if (mode == JSON_KEEP && (rc = parser_member(ctx, ev, m, key, val,
		    type)) != 0)
			return rc;
		if (mode == JSON_KEEP && type != FIELD_RAW)
			goto next;
		/* Only the well-known keys and the objects that may hold them. */
		if ((rc = json_join(s, prefix, key, tmp, sizeof tmp, &full)) != 0)
			goto next;
		known = parser_member_known(ctx, full);
		if (mode == JSON_KNOWN && (known & MEMBER_NAME) && type != FIELD_RAW &&
		    (rc = parser_member_take(ctx, ev, m, full, val, type)) < 0)
			return rc;
		if ((known & MEMBER_PREFIX) && val.p[0] == '{') {
			/* Search the raw object again, this time for its keys. */
			sub = (struct json_scan){ val.p, val.n, 0, ctx, NULL };
			if ((rc = json_join(s, prefix, key, NULL, 0, &full)) != 0 ||
			    (rc = json_object(&sub, ev, m, full, depth + 1,
			    JSON_KNOWN)) == AGENT_E_TOOBIG)
				return AGENT_E_TOOBIG;
		}
next:
		json_ws(s);
		if (s->i < s->n && s->p[s->i] == ',') {
			s->i++;
			json_ws(s);
			continue;
		}
		if (s->i < s->n && s->p[s->i] == '}') {
			s->i++;
			return 0;
		}
		JSON_FAIL(s, s->i >= s->n ? "truncated" : "expected ',' or '}'");
	}
}

static int
json_parse(const struct parse_ctx *ctx, const char *line, size_t n,
    struct event *ev)
{
	struct json_scan s = { line, n, 0, ctx, NULL };
	struct members m = { 0, 0 };
	int rc;

	json_ws(&s);
	if (s.i >= n || line[s.i] != '{')
		return parser_decline(ctx, ev, "json", "not a JSON object", s.i);
	ev->message = (struct slice){ "", 0 };
	rc = json_object(&s, ev, &m, (struct slice){ NULL, 0 }, 2,
	    ctx->opts->flatten ? JSON_FLATTEN : JSON_KEEP);
	if (rc == AGENT_E_TOOBIG)
		return rc;
	if (rc == 0) {
		json_ws(&s);
		if (s.i != n) {
			s.err = "text after the object";
			rc = -1;
		}
	}
	if (rc != 0)
		return parser_decline(ctx, ev, "json", s.err, s.i);
	parser_members_end(ev, &m);
	return 0;
}

static int
json_probe(const char *line, size_t n)
{
	size_t i = 0;

	while (i < n && (line[i] == ' ' || line[i] == '\t'))
		i++;
	if (i < n && line[i] == '{')
		return (n > 1 && line[n - 1] == '}') ? 90 : 60;
	return 0;
}

const struct parser_ops parser_json = {
	.name = "json",
	.help = "one JSON object per line; time, level and msg keys recognised",
	.probe = json_probe,
	.parse = json_parse,
};
