/* SPDX-License-Identifier: MIT */
/* redact.c: built-in secret rules, the user's regexes, dropped and hashed fields. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <unistd.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "bytes.h"
#include "redact.h"
#include "timefmt.h"
#include "xmalloc.h"

static int
rd_alnum(char c)
{
	return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
}

static int
rd_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Characters of a token: base64, base64url, and what API keys are made of. */
static int
rd_token(char c)
{
	return rd_alnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == '+' ||
	    c == '/' || c == '=';
}

/*
 * Names whose values are secrets, lower case without - _ . ; a name ending
 * in one counts too (db_password, x-api-key). Grouped by last letter, so
 * most names are turned down after one look.
 */
static const struct rd_word {
	const char *w;
	size_t n;
} rd_secret_words[] = {
#define W(s)	{ s, sizeof s - 1 }
	W("password"), W("passwd"), W("pwd"), W("sessionid"), { NULL, 0 },	/* d */
	W("secret"), { NULL, 0 },						/* t */
	W("token"), W("authorization"), { NULL, 0 },				/* n */
	W("apikey"), W("accesskey"), W("secretkey"), W("privatekey"), { NULL, 0 },	/* y */
	W("cookie"), W("passphrase"), { NULL, 0 },				/* e */
	W("credentials"), { NULL, 0 },						/* s */
	W("credential"), { NULL, 0 },						/* l */
#undef W
};

/* Whether p[0..n) ends in word, any case, - _ . ignored. */
static int
rd_ends_with(const char *p, size_t n, const char *word, size_t len)
{
	char c;

	while (len > 0) {
		while (n > 0 && (p[n - 1] == '-' || p[n - 1] == '_' || p[n - 1] == '.'))
			n--;
		if (n == 0)
			return 0;
		c = p[--n];
		if ((c >= 'A' && c <= 'Z' ? c | 0x20 : c) != word[--len])
			return 0;
	}
	return 1;
}

int
redact_secret_name(const char *p, size_t n)
{
	const struct rd_word *w;
	char last, before;
	size_t k;

	while (n > 0 && (p[n - 1] == '-' || p[n - 1] == '_' || p[n - 1] == '.'))
		n--;
	if (n < 3 || n > 64)
		return 0;	/* no secret's name is so short, or so long */
	last = p[n - 1] >= 'A' && p[n - 1] <= 'Z' ? p[n - 1] | 0x20 : p[n - 1];
	for (k = n - 1; k > 0 && (p[k - 1] == '-' || p[k - 1] == '_' || p[k - 1] == '.'); k--)
		;
	if (k == 0)
		return 0;
	before = p[k - 1] >= 'A' && p[k - 1] <= 'Z' ? p[k - 1] | 0x20 : p[k - 1];
	switch (last) {
	case 'd': w = rd_secret_words; break;
	case 't': w = rd_secret_words + 5; break;
	case 'n': w = rd_secret_words + 7; break;
	case 'y': w = rd_secret_words + 10; break;
	case 'e': w = rd_secret_words + 15; break;
	case 's': w = rd_secret_words + 18; break;
	case 'l': w = rd_secret_words + 20; break;
	default: return 0;
	}
	/* The last two letters turn down all but a word or two. */
	for (; w->w != NULL; w++)
		if (w->w[w->n - 2] == before && rd_ends_with(p, n, w->w, w->n))
			return 1;
	return 0;
}

/* What a byte may be: part of a word, the first of a secret, a sign that a rule has work. */
enum { RD_ALNUM = 1, RD_START = 2 };
#define RD_A	RD_ALNUM
#define RD_AS	(RD_ALNUM | RD_START)
static const unsigned char rd_class[256] = {
	['0'] = RD_AS, ['1'] = RD_AS, ['2'] = RD_AS, ['3'] = RD_AS, ['4'] = RD_AS,
	['5'] = RD_AS, ['6'] = RD_AS, ['7'] = RD_AS, ['8'] = RD_AS, ['9'] = RD_AS,
	['a'] = RD_A, ['b'] = RD_AS, ['c'] = RD_A, ['d'] = RD_A, ['e'] = RD_AS,
	['f'] = RD_A, ['g'] = RD_A, ['h'] = RD_A, ['i'] = RD_A, ['j'] = RD_A,
	['k'] = RD_A, ['l'] = RD_A, ['m'] = RD_A, ['n'] = RD_A, ['o'] = RD_A,
	['p'] = RD_A, ['q'] = RD_A, ['r'] = RD_A, ['s'] = RD_A, ['t'] = RD_A,
	['u'] = RD_A, ['v'] = RD_A, ['w'] = RD_A, ['x'] = RD_A, ['y'] = RD_A,
	['z'] = RD_A,
	['A'] = RD_AS, ['B'] = RD_AS, ['C'] = RD_A, ['D'] = RD_A, ['E'] = RD_A,
	['F'] = RD_A, ['G'] = RD_A, ['H'] = RD_A, ['I'] = RD_A, ['J'] = RD_A,
	['K'] = RD_A, ['L'] = RD_A, ['M'] = RD_A, ['N'] = RD_A, ['O'] = RD_A,
	['P'] = RD_A, ['Q'] = RD_A, ['R'] = RD_A, ['S'] = RD_A, ['T'] = RD_A,
	['U'] = RD_A, ['V'] = RD_A, ['W'] = RD_A, ['X'] = RD_A, ['Y'] = RD_A,
	['Z'] = RD_A,
	['-'] = RD_START,
};
#undef RD_A
#undef RD_AS

struct rd_found {
	struct redact_span *s;
	size_t n, max;
};

const struct slice redact_mask[REDACT_NRULES] = {
#define M(s)	{ s, sizeof s - 1 }
	[REDACT_SECRET] = M("[REDACTED:secret]"),
	[REDACT_BEARER] = M("[REDACTED:bearer]"),
	[REDACT_URL_PASSWORD] = M("[REDACTED:url_password]"),
	[REDACT_AWS_KEY] = M("[REDACTED:aws_key]"),
	[REDACT_JWT] = M("[REDACTED:jwt]"),
	[REDACT_PRIVATE_KEY] = M("[REDACTED:private_key]"),
	[REDACT_CARD] = M("[REDACTED:card]"),
	[REDACT_PATTERN] = M("[REDACTED:pattern]"),
	[REDACT_VALUE] = M("[REDACTED:value]"),
#undef M
};

static void
rd_add(struct rd_found *f, size_t a, size_t b, enum redact_rule rule)
{
	if (a >= b)
		return;
	if (f->n < f->max)
		f->s[f->n] = (struct redact_span){ a, b, rule };
	f->n++;		/* counted past max: the caller then drops the whole value */
}

/*
 * key=value, key: value, "key": "value": at each = and :, the name
 * before it; when it is a secret's, the value after it.
 */
static void
rd_key_values(const char *p, size_t n, struct rd_found *f)
{
	size_t i, k, a, b;
	char q;

	for (i = 0; i < n; i++) {
		if (p[i] != '=' && p[i] != ':')
			continue;
		k = i;
		if (k > 0 && (p[k - 1] == '"' || p[k - 1] == '\''))
			k--;
		while (k > 0 && p[k - 1] == ' ')
			k--;
		for (a = k; a > 0 && (rd_alnum(p[a - 1]) || p[a - 1] == '_' ||
		    p[a - 1] == '-' || p[a - 1] == '.'); a--)
			;
		if (a == k || !redact_secret_name(p + a, k - a))
			continue;
		if (p[i] == ':' && i + 2 < n && p[i + 1] == '/' && p[i + 2] == '/')
			continue;	/* token://... is a URL, not a value */
		for (a = i + 1; a < n && p[a] == ' '; a++)
			;
		q = a < n && (p[a] == '"' || p[a] == '\'') ? p[a] : 0;
		if (q) {
			for (b = ++a; b < n && p[b] != q; b++)
				if (p[b] == '\\' && b + 1 < n)
					b++;
		} else {
			/* To the end of the word; a header's value runs to the line's end. */
			for (b = a; b < n && p[b] != ' ' && p[b] != '&' && p[b] != ',' &&
			    p[b] != ';' && p[b] != '"' && p[b] != '\'' && p[b] != '}' &&
			    p[b] != '\n' && p[b] != '\r' && p[b] != '\t'; b++)
				;
			/* "Authorization: Bearer x": the scheme is no secret, what follows is. */
			if (b < n && p[b] == ' ' && b - a <= 8 &&
			    (strncasecmp(p + a, "bearer", b - a) == 0 ||
			    strncasecmp(p + a, "basic", b - a) == 0))
				continue;
		}
		rd_add(f, a, b, REDACT_SECRET);
		i = b > i ? b - 1 : i;
	}
}

/* The credential after "Bearer " or "Basic ". */
static size_t
rd_bearer(const char *p, size_t i, size_t n, struct rd_found *f)
{
	size_t k, a, b;

	if (n - i >= 7 && strncasecmp(p + i, "bearer ", 7) == 0)
		k = i + 7;
	else if (n - i >= 6 && strncasecmp(p + i, "basic ", 6) == 0)
		k = i + 6;
	else
		return 0;
	for (a = k; a < n && p[a] == ' '; a++)
		;
	for (b = a; b < n && rd_token(p[b]); b++)
		;
	if (b - a < 8)
		return 0;
	rd_add(f, a, b, REDACT_BEARER);
	return b - i;
}

/* AKIA + 16 upper-case letters and digits, and the other key id prefixes. */
static size_t
rd_aws(const char *p, size_t i, size_t n, struct rd_found *f)
{
	static const char *const prefixes[] = {
		"AKIA", "ASIA", "AGPA", "AIDA", "AROA", "AIPA", "ANPA", "ANVA", "ABIA", "ACCA",
	};
	size_t k, j;

	if (n - i < 20)
		return 0;
	for (k = 0; k < sizeof prefixes / sizeof prefixes[0]; k++)
		if (memcmp(p + i, prefixes[k], 4) == 0)
			break;
	if (k == sizeof prefixes / sizeof prefixes[0])
		return 0;
	for (j = i + 4; j < i + 20; j++)
		if (!((p[j] >= 'A' && p[j] <= 'Z') || rd_digit(p[j])))
			return 0;
	if (j < n && rd_alnum(p[j]))
		return 0;
	rd_add(f, i, j, REDACT_AWS_KEY);
	return 20;
}

/* eyJ....eyJ....sig: three base64url parts, the first JSON. */
static size_t
rd_jwt(const char *p, size_t i, size_t n, struct rd_found *f)
{
	size_t j = i, part, start;

	if (n - i < 10 || memcmp(p + i, "eyJ", 3) != 0)
		return 0;
	for (part = 0; part < 3; part++) {
		for (start = j; j < n && (rd_alnum(p[j]) || p[j] == '-' || p[j] == '_'); j++)
			;
		if (part < 2 && (j - start < 4 || j >= n || p[j] != '.'))
			return 0;
		if (part < 2)
			j++;
	}
	rd_add(f, i, j, REDACT_JWT);
	return j - i;
}

/* -----BEGIN ... PRIVATE KEY----- to its END line, or to the end. */
static size_t
rd_private_key(const char *p, size_t i, size_t n, struct rd_found *f)
{
	const char *e, *end;
	size_t k;

	if (n - i < 27 || memcmp(p + i, "-----BEGIN ", 11) != 0)
		return 0;
	for (k = i + 11; k < n && k < i + 64 && p[k] != '\n' && p[k] != '-'; k++)
		;
	if (k - i < 11 + 11 || memcmp(p + k - 11, "PRIVATE KEY", 11) != 0)
		return 0;
	end = p + n;
	if ((e = memmem(p + k, n - k, "-----END ", 9)) != NULL &&
	    (e = memmem(e, n - (size_t)(e - p), "PRIVATE KEY-----", 16)) != NULL)
		end = e + 16;
	rd_add(f, i, (size_t)(end - p), REDACT_PRIVATE_KEY);
	return (size_t)(end - p) - i;
}

/* 13 to 19 digits, single spaces or dashes between, passing Luhn. */
static size_t
rd_card(const char *p, size_t i, size_t n, struct rd_found *f)
{
	unsigned char d[19];
	size_t j = i, nd = 0, last = i, k;
	unsigned sum = 0, v;

	while (j < n) {
		if (rd_digit(p[j])) {
			if (nd == sizeof d)
				return 0;	/* too long for a card: an id */
			d[nd++] = (unsigned char)(p[j] - '0');
			last = ++j;
		} else if ((p[j] == ' ' || p[j] == '-') && j + 1 < n && rd_digit(p[j + 1]) &&
		    nd > 0)
			j++;
		else
			break;
	}
	if (nd < 13 || (last < n && rd_alnum(p[last])))
		return 0;
	for (k = 0; k < nd; k++) {
		v = d[nd - 1 - k];
		if (k % 2 == 1 && (v *= 2) > 9)
			v -= 9;
		sum += v;
	}
	if (sum % 10 != 0)
		return last - i;	/* digits, no card: skip them whole */
	rd_add(f, i, last, REDACT_CARD);
	return last - i;
}

/* scheme://user:password@host: the password. */
static void
rd_url_credentials(const char *p, size_t n, struct rd_found *f)
{
	const char *s = p, *e = p + n, *at, *colon;
	size_t k;

	while ((s = memmem(s, (size_t)(e - s), "://", 3)) != NULL) {
		s += 3;
		colon = NULL;
		for (at = s; at < e && *at != '@' && *at != '/' && *at != ' ' && *at != '"' &&
		    *at != '\n'; at++)
			if (*at == ':' && colon == NULL)
				colon = at;
		if (at < e && *at == '@' && colon != NULL) {
			k = (size_t)(colon - p) + 1;
			rd_add(f, k, (size_t)(at - p), REDACT_URL_PASSWORD);
		}
	}
}

static int
rd_span_cmp(const void *a, const void *b)
{
	const struct redact_span *x = a, *y = b;

	return x->a < y->a ? -1 : x->a > y->a;
}

/*
 * Whether any built-in rule could find something in p[0..n): every one
 * needs an A, B or J (Bearer, Basic, AKIA, eyJ, BEGIN), = or : (key=value,
 * URLs), @, 13 digits, or "bearer "/"basic " in lower case (a b and a
 * space); bytes past ASCII are looked at the slow way. Most values
 * (words, paths, hex ids) have none of these: one table look a byte.
 */
enum { RD_P_DIGIT = 1, RD_P_HIT = 2, RD_P_B = 4, RD_P_SPACE = 8, RD_P_KV = 16, RD_P_AT = 32 };
static const unsigned char rd_pre[256] = {
	['0'] = RD_P_DIGIT, ['1'] = RD_P_DIGIT, ['2'] = RD_P_DIGIT, ['3'] = RD_P_DIGIT,
	['4'] = RD_P_DIGIT, ['5'] = RD_P_DIGIT, ['6'] = RD_P_DIGIT, ['7'] = RD_P_DIGIT,
	['8'] = RD_P_DIGIT, ['9'] = RD_P_DIGIT,
	['A'] = RD_P_HIT, ['B'] = RD_P_HIT, ['J'] = RD_P_HIT, ['='] = RD_P_KV,
	[':'] = RD_P_KV, ['@'] = RD_P_AT, ['b'] = RD_P_B, [' '] = RD_P_SPACE,
	[0x80 ... 0xff] = RD_P_HIT,
};

/* What rd_look saw: which rules have anything to look at. */
enum { RDT_WORD = 1, RDT_KV = 2, RDT_AT = 4 };

#ifdef __SSE2__
/* Set bits of a 16-bit mask (baseline x86-64 has no popcnt; libgcc's is a call). */
static const unsigned char rd_bits8[256] = {
#define RD_B2(n)	n, n + 1, n + 1, n + 2
#define RD_B4(n)	RD_B2(n), RD_B2(n + 1), RD_B2(n + 1), RD_B2(n + 2)
#define RD_B6(n)	RD_B4(n), RD_B4(n + 1), RD_B4(n + 1), RD_B4(n + 2)
	RD_B6(0), RD_B6(1), RD_B6(1), RD_B6(2)
#undef RD_B2
#undef RD_B4
#undef RD_B6
};
#define RD_BITS16(x)	((unsigned)rd_bits8[(x) & 255] + rd_bits8[((x) >> 8) & 255])

/* rd_pre's flags of the 16 bytes in v, in one go; *dig gets the digits' bit mask. */
static inline unsigned
rd_look16(__m128i v, unsigned *dig)
{
	const __m128i d0 = _mm_set1_epi8('0' - 1), d9 = _mm_set1_epi8('9' + 1);
	unsigned flags = 0;

	/* Bytes past ASCII are negative as signed: the sign bit is in v itself. */
	if (_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('A')),
	    _mm_cmpeq_epi8(v, _mm_set1_epi8('B'))), _mm_or_si128(_mm_cmpeq_epi8(v,
	    _mm_set1_epi8('J')), v))) != 0)
		flags |= RD_P_HIT;
	if (_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('=')),
	    _mm_cmpeq_epi8(v, _mm_set1_epi8(':')))) != 0)
		flags |= RD_P_KV;
	if (_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8('@'))) != 0)
		flags |= RD_P_AT;
	if (_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8('b'))) != 0)
		flags |= RD_P_B;
	if (_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(' '))) != 0)
		flags |= RD_P_SPACE;
	*dig = (unsigned)_mm_movemask_epi8(_mm_and_si128(_mm_cmpgt_epi8(v, d0),
	    _mm_cmplt_epi8(v, d9)));
	return flags;
}
#endif

static unsigned
rd_look(const char *p, size_t n)
{
	unsigned flags = 0, digits = 0, t, out;
	size_t i = 0;

#ifdef __SSE2__
	{
		unsigned dig;
		uint64_t lo, hi;

		if (n >= 16) {
			for (; i + 16 <= n; i += 16) {
				flags |= rd_look16(_mm_loadu_si128((const __m128i *)(const void *)
				    (p + i)), &dig);
				digits += RD_BITS16(dig);
			}
			if (i < n) {
				/* The last 16 bytes again, its digits past i only: no scalar tail. */
				flags |= rd_look16(_mm_loadu_si128((const __m128i *)(const void *)
				    (p + n - 16)), &dig);
				digits += RD_BITS16(dig >> (16 - (n - i)));
				i = n;
			}
		} else if (n >= 8) {
			/* Two 8-byte loads that overlap cover 8 to 15 bytes in one register. */
			memcpy(&lo, p, 8);
			memcpy(&hi, p + n - 8, 8);
			flags |= rd_look16(_mm_set_epi64x((long long)hi, (long long)lo), &dig);
			digits += RD_BITS16((dig & 0xff) | ((dig >> 8) >> (16 - n)) << 8);
			i = n;
		}
	}
#endif
	for (; i < n; i++) {
		t = rd_pre[(unsigned char)p[i]];
		flags |= t;
		digits += t & RD_P_DIGIT;
	}
	out = 0;
	if ((flags & RD_P_HIT) || digits >= 13 ||
	    (flags & (RD_P_B | RD_P_SPACE)) == (RD_P_B | RD_P_SPACE))
		out |= RDT_WORD;
	if (flags & RD_P_KV)
		out |= RDT_KV;
	if (flags & RD_P_AT)
		out |= RDT_AT;
	return out;
}

size_t
redact_find(const struct redactor *r, const char *p, size_t n, struct redact_span *spans,
    size_t max)
{
	const struct conf_redact *c = r->c;
	struct rd_found f = { spans, 0, max };
	unsigned char t;
	unsigned look;
	regmatch_t m;
	size_t i, k, out;

	/* The shortest built-in find is 5 bytes (pwd=x). */
	if (n == 0)
		return 0;
	look = n < 5 ? 0 : rd_look(p, n);
	if (look == 0 && r->nre == 0)
		return 0;
	/*
	 * One pass: the rules that start a word are tried where the first
	 * byte says they may; whether = : or @ occur decides the others.
	 */
	for (i = 0; i < n && (look & RDT_WORD); i++) {
		t = rd_class[(unsigned char)p[i]];
		if (!(t & RD_START) || (i > 0 && (rd_class[(unsigned char)p[i - 1]] & RD_ALNUM)))
			continue;
		k = 0;
		switch (p[i]) {
		case 'b': case 'B':
			if (c->bearer)
				k = rd_bearer(p, i, n, &f);
			break;
		case 'A':
			if (c->aws)
				k = rd_aws(p, i, n, &f);
			break;
		case 'e':
			if (c->jwt)
				k = rd_jwt(p, i, n, &f);
			break;
		case '-':
			if (c->private_keys)
				k = rd_private_key(p, i, n, &f);
			break;
		default:
			if (c->cards)
				k = rd_card(p, i, n, &f);
			break;
		}
		if (k > 1)
			i += k - 1;
	}
	if (c->key_values && (look & RDT_KV))
		rd_key_values(p, n, &f);
	if (c->url_credentials && (look & RDT_AT))
		rd_url_credentials(p, n, &f);
	for (k = 0; k < r->nre; k++) {
		/* Every match, each search starting where the last ended. */
		for (i = 0; i < n;) {
			m.rm_so = (regoff_t)i;
			m.rm_eo = (regoff_t)n;
			if (regexec(&r->re[k], p, 1, &m, REG_STARTEND) != 0)
				break;
			rd_add(&f, (size_t)m.rm_so, (size_t)m.rm_eo, REDACT_PATTERN);
			i = (size_t)m.rm_eo > i ? (size_t)m.rm_eo : i + 1;
		}
	}
	if (f.n > max)
		return max + 1;
	if (f.n <= 1)
		return f.n;
	/* Sorted and merged, so each byte is replaced once. */
	qsort(spans, f.n, sizeof *spans, rd_span_cmp);
	for (i = 0, out = 0; i < f.n; i++) {
		if (out > 0 && spans[i].a <= spans[out - 1].b) {
			if (spans[i].b > spans[out - 1].b)
				spans[out - 1].b = spans[i].b;
		} else
			spans[out++] = spans[i];
	}
	return out;
}

/* SipHash-2-4 (Aumasson, Bernstein): a keyed hash, so a hashed value cannot be guessed back without the key. */
#define RD_ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))
#define RD_SIPROUND do { \
	v0 += v1; v1 = RD_ROTL(v1, 13); v1 ^= v0; v0 = RD_ROTL(v0, 32); \
	v2 += v3; v3 = RD_ROTL(v3, 16); v3 ^= v2; \
	v0 += v3; v3 = RD_ROTL(v3, 21); v3 ^= v0; \
	v2 += v1; v1 = RD_ROTL(v1, 17); v1 ^= v2; v2 = RD_ROTL(v2, 32); \
} while (0)

static uint64_t
rd_siphash(uint64_t k0, uint64_t k1, const unsigned char *p, size_t n)
{
	uint64_t v0 = 0x736f6d6570736575ULL ^ k0, v1 = 0x646f72616e646f6dULL ^ k1;
	uint64_t v2 = 0x6c7967656e657261ULL ^ k0, v3 = 0x7465646279746573ULL ^ k1;
	uint64_t m, b = (uint64_t)n << 56;
	size_t i, left = n & 7;

	for (i = 0; i + 8 <= n; i += 8) {
		m = (uint64_t)p[i] | (uint64_t)p[i + 1] << 8 | (uint64_t)p[i + 2] << 16 |
		    (uint64_t)p[i + 3] << 24 | (uint64_t)p[i + 4] << 32 |
		    (uint64_t)p[i + 5] << 40 | (uint64_t)p[i + 6] << 48 |
		    (uint64_t)p[i + 7] << 56;
		v3 ^= m;
		RD_SIPROUND;
		RD_SIPROUND;
		v0 ^= m;
	}
	while (left-- > 0)
		b |= (uint64_t)p[i + left] << (8 * left);
	v3 ^= b;
	RD_SIPROUND;
	RD_SIPROUND;
	v0 ^= b;
	v2 ^= 0xff;
	RD_SIPROUND;
	RD_SIPROUND;
	RD_SIPROUND;
	RD_SIPROUND;
	return v0 ^ v1 ^ v2 ^ v3;
}

int
redact_init(struct redactor *r, const struct conf_redact *c, char *err, size_t errlen)
{
	unsigned char key[16];
	char why[256];
	size_t i;
	int rc;

	memset(r, 0, sizeof *r);
	r->c = c;
	if (c->patterns.n > 0)
		r->re = xcalloc(c->patterns.n, sizeof *r->re);
	for (i = 0; i < c->patterns.n; i++) {
		if ((rc = regcomp(&r->re[i], c->patterns.v[i], REG_EXTENDED)) != 0) {
			regerror(rc, &r->re[i], why, sizeof why);
			snprintf(err, errlen, "redact.patterns[%zu]: \"%s\" is not a valid regular expression: %s",
			    i, c->patterns.v[i], why);
			redact_free(r);
			return -1;
		}
		r->nre = i + 1;
	}
	if (c->hash_key != NULL) {
		r->k0 = rd_siphash(0x6c6f676167656e74ULL, 1, (const unsigned char *)c->hash_key,
		    strlen(c->hash_key));
		r->k1 = rd_siphash(0x6c6f676167656e74ULL, 2, (const unsigned char *)c->hash_key,
		    strlen(c->hash_key));
	} else if (getrandom(key, sizeof key, 0) == (ssize_t)sizeof key) {
		memcpy(&r->k0, key, 8);
		memcpy(&r->k1, key + 8, 8);
	} else {
		/* No entropy to be had: the hashes still hide, but could be tried. */
		r->k0 = (uint64_t)timefmt_now_ns();
		r->k1 = (uint64_t)getpid() * 0x9e3779b97f4a7c15ULL;
	}
	return 0;
}

void
redact_free(struct redactor *r)
{
	size_t i;

	for (i = 0; i < r->nre; i++)
		regfree(&r->re[i]);
	free(r->re);
	r->re = NULL;
	r->nre = 0;
}

/* redact_secret_name through the redactor's memory of names. */
static int
rd_secret_field(struct redactor *r, struct slice key)
{
	struct redact_name *e, *set;

	if (key.n == 0 || key.n > sizeof e->key)
		return redact_secret_name(key.p, key.n);
	/* Two ways a set: the newest in front, the one it pushed out behind. */
	set = &r->names[(key.n * 31 + (unsigned char)key.p[0] * 7 +
	    (unsigned char)key.p[key.n - 1]) % (sizeof r->names / sizeof r->names[0] / 2) * 2];
	for (e = set; e < set + 2; e++)
		if (e->n == key.n && bytes_eq(e->key, key.p, key.n))
			return e->secret;
	set[1] = set[0];
	e = set;
	e->n = (unsigned char)key.n;
	memcpy(e->key, key.p, key.n);
	e->secret = (unsigned char)redact_secret_name(key.p, key.n);
	return e->secret;
}

static int
rd_listed(const struct conf_strlist *l, struct slice key)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strlen(l->v[i]) == key.n && memcmp(l->v[i], key.p, key.n) == 0)
			return 1;
	return 0;
}

/*
 * v with its spans replaced, in the arena: 1 when changed, 0 when not,
 * AGENT_E_TOOBIG. Past REDACT_MAX_SPANS, or for a value that must stay
 * valid JSON, the whole value goes.
 */
static int
rd_value(struct redactor *r, struct arena *a, struct slice *v, int whole_if_any)
{
	struct redact_span sp[REDACT_MAX_SPANS];
	size_t ns = redact_find(r, v->p, v->n, sp, REDACT_MAX_SPANS), i, at = 0, len;
	char *o;

	if (ns == 0)
		return 0;
	if (ns > REDACT_MAX_SPANS || whole_if_any) {
		*v = redact_mask[ns == 1 && whole_if_any ? sp[0].rule : REDACT_VALUE];
		return 1;
	}
	len = v->n;
	for (i = 0; i < ns; i++)
		len = len - (sp[i].b - sp[i].a) + redact_mask[sp[i].rule].n;
	if ((o = arena_alloc(a, len)) == NULL)
		return AGENT_E_TOOBIG;
	for (i = 0, len = 0; i < ns; i++) {
		memcpy(o + len, v->p + at, sp[i].a - at);
		len += sp[i].a - at;
		memcpy(o + len, redact_mask[sp[i].rule].p, redact_mask[sp[i].rule].n);
		len += redact_mask[sp[i].rule].n;
		at = sp[i].b;
	}
	memcpy(o + len, v->p + at, v->n - at);
	*v = (struct slice){ o, len + v->n - at };
	return 1;
}

int
redact_event(struct redactor *r, struct arena *a, struct event *ev)
{
	const struct conf_redact *c = r->c;
	struct field *f;
	unsigned i, k;
	uint64_t h;
	char *o;
	int rc, clean;

	if (!c->enabled)
		return 0;
	/*
	 * A message with nothing any rule could start on vouches for every
	 * value cut from it (an access log's path from its request line): a
	 * part holds no trigger its whole lacks. User regexes have none.
	 */
	clean = r->nre == 0 && (ev->message.n < 5 || rd_look(ev->message.p, ev->message.n) == 0);
	if (!clean && (rc = rd_value(r, a, &ev->message, 0)) < 0)
		return rc;
	if (!clean)
		r->values += (uint64_t)rc;
	for (i = 0, k = 0; i < ev->nfields; i++) {
		f = &ev->fields[i];
		if (c->drop_fields.n > 0 && rd_listed(&c->drop_fields, f->key)) {
			r->values++;
			continue;
		}
		if (c->hash_fields.n > 0 && rd_listed(&c->hash_fields, f->key) &&
		    f->type != FIELD_NULL) {
			h = rd_siphash(r->k0, r->k1, (const unsigned char *)f->val.p, f->val.n);
			if ((o = arena_alloc(a, 16)) == NULL)
				return AGENT_E_TOOBIG;
			for (rc = 0; rc < 16; rc++)
				o[rc] = "0123456789abcdef"[(h >> (60 - 4 * rc)) & 15];
			f->val = (struct slice){ o, 16 };
			f->type = FIELD_STRING;
			r->values++;
		} else if (c->secret_fields && f->type != FIELD_NULL && f->type != FIELD_BOOL &&
		    rd_secret_field(r, f->key)) {
			f->val = redact_mask[REDACT_SECRET];
			f->type = FIELD_STRING;
			r->values++;
		} else if ((f->type == FIELD_STRING || f->type == FIELD_RAW ||
		    (f->type == FIELD_NUMBER && f->val.n >= 13)) &&
		    !(clean && f->val.p >= ev->message.p &&
		    f->val.p + f->val.n <= ev->message.p + ev->message.n)) {
			/* Raw JSON and numbers go whole: a part replaced would not parse. */
			if ((rc = rd_value(r, a, &f->val, f->type != FIELD_STRING)) < 0)
				return rc;
			if (rc > 0) {
				f->type = FIELD_STRING;
				r->values++;
			}
		}
		ev->fields[k++] = *f;
	}
	ev->nfields = k;
	return 0;
}
