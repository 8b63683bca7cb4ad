/* SPDX-License-Identifier: MIT */
/* route.c: ids in paths become :id, so series follow routes, not requests. */
#include "config.h"

#include <fnmatch.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "route.h"
#include "xmalloc.h"

int
route_rules_init(struct route_rules *r, const struct conf_strmap *m,
    char *err, size_t errlen)
{
	char why[256];
	size_t i;
	int rc;

	memset(r, 0, sizeof *r);
	if (m->n == 0)
		return 0;
	r->re = xcalloc(m->n, sizeof *r->re);
	r->route = xcalloc(m->n, sizeof *r->route);
	for (i = 0; i < m->n; i++) {
		if ((rc = regcomp(&r->re[i], m->k[i], REG_EXTENDED | REG_NOSUB)) != 0) {
			regerror(rc, &r->re[i], why, sizeof why);
			snprintf(err, errlen, "\"%s\" is not a valid regular expression: %s",
			    m->k[i], why);
			r->n = i;
			route_rules_free(r);
			return -1;
		}
		r->route[i] = xstrdup(m->v[i]);
		r->n = i + 1;
	}
	return 0;
}

void
route_rules_free(struct route_rules *r)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		regfree(&r->re[i]);
		free(r->route[i]);
	}
	free(r->route);
	free(r->re);
	memset(r, 0, sizeof *r);
}

/* Byte classes, so a segment is classed with one load and an or per byte. */
enum { ROUTE_DIGIT = 1, ROUTE_HEX = 2, ROUTE_DOT = 4 };
#define RD (ROUTE_DIGIT | ROUTE_HEX)
#define RH ROUTE_HEX
static const unsigned char route_class[256] = {
	['0'] = RD, ['1'] = RD, ['2'] = RD, ['3'] = RD, ['4'] = RD,
	['5'] = RD, ['6'] = RD, ['7'] = RD, ['8'] = RD, ['9'] = RD,
	['a'] = RH, ['b'] = RH, ['c'] = RH, ['d'] = RH, ['e'] = RH, ['f'] = RH,
	['A'] = RH, ['B'] = RH, ['C'] = RH, ['D'] = RH, ['E'] = RH, ['F'] = RH,
	['.'] = ROUTE_DOT,
};
#undef RD
#undef RH

/*
 * Whether p[0..n) holds an ASCII digit, eight bytes at a time: a byte
 * b is a digit when b ^ '0' is below 10; the borrow trick can flag a byte
 * wrongly only above one that really is a digit, so the answer is exact.
 */
static int
route_has_digit(const char *p, size_t n)
{
	const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
	uint64_t w;
	size_t i;

	for (; n >= 8; p += 8, n -= 8) {
		memcpy(&w, p, 8);
		w ^= ones * '0';
		if ((w - ones * 10) & ~w & highs)
			return 1;
	}
	for (i = 0; i < n; i++)
		if (p[i] >= '0' && p[i] <= '9')
			return 1;
	return 0;
}

static int
route_hex(char c)
{
	return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f');
}

/*
 * A segment that names one thing among many: a number, a UUID, a long hex
 * string; digits and hex are its counts of each, already made.
 */
static int
route_is_id(const char *s, size_t n, size_t digits, size_t hex)
{
	if (n == 0)
		return 0;
	if (digits == n)
		return 1;
	if (n == 36 && s[8] == '-' && s[13] == '-' && s[18] == '-' && s[23] == '-' &&
	    hex == 32)
		return 1;
	/* 16+ hex digits with at least one digit: a hash or object id, not "deadbeefcafe" words. */
	return hex == n && n >= 16 && digits > 0;
}

/*
 * A file name with a content hash or build number between dots, as
 * bundlers write them (app.3c8f9a2b.js, main.941.css): the hash part is
 * an id, or every build would make new routes.
 */
static size_t
route_dotted(const char *p, size_t n, char *out, size_t len, size_t cap)
{
	size_t i = 0, start, k, digits;

	while (i <= n && len + 1 < cap) {
		for (start = i, digits = 0; i < n && p[i] != '.'; i++)
			digits += p[i] >= '0' && p[i] <= '9';
		for (k = start; k < i && route_hex(p[k]); k++)
			;
		if (k == i && i - start >= 3 && digits > 0) {
			if (len + 3 >= cap)
				break;
			memcpy(out + len, ":id", 3);
			len += 3;
		} else {
			for (k = start; k < i && len + 1 < cap; k++)
				out[len++] = p[k];
		}
		if (i < n && len + 1 < cap)
			out[len++] = '.';
		i++;
	}
	return len;
}

size_t
route_of(const struct route_rules *r, const char *path, size_t n, char *out,
    size_t cap)
{
	char tmp[1024];
	size_t i, k, len = 0, seg, seg_out, digits, hex;
	unsigned class;

	if (cap == 0)
		return 0;
	if (n == 0) {
		out[0] = '\0';	/* and path may be NULL */
		return 0;
	}
	if (r != NULL && r->n > 0 && n < sizeof tmp) {
		memcpy(tmp, path, n);
		tmp[n] = '\0';
		for (i = 0; i < r->n; i++)
			if (regexec(&r->re[i], tmp, 0, NULL, 0) == 0) {
				snprintf(out, cap, "%s", r->route[i]);
				return strlen(out);
			}
	}
	/*
	 * Most paths hold no digit (/health, /api/items), and every id and
	 * hash has one: such a path is its own route, copied whole.
	 */
	if (n < cap && !route_has_digit(path, n)) {
		memcpy(out, path, n);
		out[n] = '\0';
		return n;
	}
	/*
	 * Each segment: found and classed in one pass over a byte table,
	 * copied whole; only one holding a digit is looked at closer, since
	 * ids and hashes all have one.
	 */
	for (i = 0; i < n && len + 1 < cap;) {
		if (path[i] == '/') {
			out[len++] = path[i++];
			continue;
		}
		class = 0;
		seg_out = len;
		if (n - i < cap - 1 - len) {
			/* The rest of the path fits: copy as we class, no checks. */
			for (seg = i; i < n && path[i] != '/'; i++) {
				class |= route_class[(unsigned char)path[i]];
				out[len++] = path[i];
			}
		} else {
			for (seg = i; i < n && path[i] != '/'; i++)
				class |= route_class[(unsigned char)path[i]];
			k = i - seg < cap - 1 - len ? i - seg : cap - 1 - len;
			memcpy(out + len, path + seg, k);
			len += k;
		}
		if (!(class & ROUTE_DIGIT))
			continue;	/* no number, no hash: a word */
		for (k = seg, digits = hex = 0; k < i; k++) {
			digits += (route_class[(unsigned char)path[k]] & ROUTE_DIGIT) != 0;
			hex += (route_class[(unsigned char)path[k]] & ROUTE_HEX) != 0;
		}
		if (route_is_id(path + seg, i - seg, digits, hex)) {
			len = seg_out;
			if (len + 3 >= cap)
				break;
			out[len++] = ':';
			out[len++] = 'i';
			out[len++] = 'd';
		} else if (class & ROUTE_DOT)
			len = route_dotted(path + seg, i - seg, out, seg_out, cap);
	}
	out[len] = '\0';
	return len;
}

int
route_glob(const char *pattern, const char *path, size_t n)
{
	char copy[2048], route[2048];

	if (n >= sizeof copy)
		return 0;
	if (n > 0)
		memcpy(copy, path, n);
	copy[n] = '\0';
	if (fnmatch(pattern, copy, 0) == 0)
		return 1;
	route_of(NULL, path, n, route, sizeof route);
	return fnmatch(pattern, route, 0) == 0;
}
