/* SPDX-License-Identifier: MIT */
/* json.c: one JSON object per line, scanned in place; nested values kept as raw JSON. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "parser.h"

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

static int
json_parse(const struct parse_ctx *ctx, const char *line, size_t n,
    struct event *ev)
{
	struct json_scan s = { line, n, 0, ctx, NULL };
	struct slice key, val;
	enum field_type type;
	unsigned seen = 0;
	int rc = 0;

	json_ws(&s);
	if (s.i >= n || line[s.i] != '{')
		return parser_decline(ctx, ev, "json", "not a JSON object", s.i);
	ev->message = (struct slice){ "", 0 };
	s.i++;
	json_ws(&s);
	if (s.i < n && line[s.i] == '}')
		s.i++;
	else for (;;) {
		if (s.i >= n || line[s.i] != '"') {
			s.err = s.i >= n ? "truncated" : "expected a key";
			goto fail;
		}
		if ((rc = json_string(&s, &key, 1)) != 0)
			goto fail;
		json_ws(&s);
		if (s.i >= n || line[s.i] != ':') {
			s.err = "expected ':' after a key";
			goto fail;
		}
		s.i++;
		json_ws(&s);
		if ((rc = json_value(&s, &val, &type, 2, 1)) != 0)
			goto fail;
		if ((rc = parser_member(ctx, ev, &seen, key, val, type)) != 0)
			goto fail;
		json_ws(&s);
		if (s.i < n && line[s.i] == ',') {
			s.i++;
			json_ws(&s);
			continue;
		}
		if (s.i < n && line[s.i] == '}') {
			s.i++;
			break;
		}
		s.err = s.i >= n ? "truncated" : "expected ',' or '}'";
		goto fail;
	}
	json_ws(&s);
	if (s.i != n) {
		s.err = "text after the object";
		goto fail;
	}
	return 0;
fail:
	if (rc == AGENT_E_TOOBIG)
		return rc;
	return parser_decline(ctx, ev, "json", s.err, s.i);
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
