/* SPDX-License-Identifier: MIT */
/* route.c: ids in paths become :id, so series follow routes, not requests. */
#include "config.h"

#include <stdint.h>
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
	r->route = m->v;
	for (i = 0; i < m->n; i++) {
		if ((rc = regcomp(&r->re[i], m->k[i], REG_EXTENDED | REG_NOSUB)) != 0) {
			regerror(rc, &r->re[i], why, sizeof why);
			snprintf(err, errlen, "\"%s\" is not a valid regular expression: %s",
			    m->k[i], why);
			r->n = i;
			route_rules_free(r);
			return -1;
		}
		r->n = i + 1;
	}
	return 0;
}

void
route_rules_free(struct route_rules *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		regfree(&r->re[i]);
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

/*
 * Per byte of w, exactly: 0x80 where the byte is in [lo, hi]. On 7-bit
 * values an addition never carries into the next byte, so no byte can
 * disturb another (the usual borrow trick can).
 */
static uint64_t
route_bytes_in(uint64_t w, unsigned char lo, unsigned char hi)
{
	const uint64_t ones = 0x0101010101010101ULL, low7 = ones * 0x7f, highs = ones * 0x80;
	uint64_t x = w & low7;

	return ((x + ones * (0x80 - lo)) & ~(x + ones * (0x7f - hi)) & ~w & highs);
}

/* The 0x80 bits of each byte of a word gathered into 8 bits, byte 0 lowest. */
static unsigned
route_gather(uint64_t m)
{
	return (unsigned)(((m >> 7) * 0x0102040810204080ULL) >> 56);
}

/*
 * route_of for a path of at most 64 bytes and no user rule, into at
 * least 3n + 1 bytes (each one-byte segment may become :id): where its
 * slashes and digits are, as bit masks made eight bytes at a time; then
 * only the segments holding a digit are looked at, and the path is
 * copied around them. Most paths have none (/health, /api/items).
 */
static size_t
route_short(const char *path, size_t n, char *out, size_t cap)
{
	uint64_t slashes = 0, digits = 0, w, seg;
	size_t i, len = 0, from = 0, start, end, k, nd, hex;
	unsigned class;

	for (i = 0; i < n; i += 8) {
		w = 0;
		memcpy(&w, path + i, n - i < 8 ? n - i : 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
		w = __builtin_bswap64(w);
#endif
		slashes |= (uint64_t)route_gather(route_bytes_in(w, '/', '/')) << i;
		digits |= (uint64_t)route_gather(route_bytes_in(w, '0', '9')) << i;
	}
	if (n < 64)
		digits &= (1ULL << n) - 1;	/* the zeros past the end are no digits */
	while (digits != 0) {
		/* The segment around the lowest digit left: from the slash before it to the next. */
		k = (size_t)__builtin_ctzll(digits);
		seg = slashes & ((1ULL << k) - 1);
		start = seg ? (size_t)(63 - __builtin_clzll(seg)) + 1 : 0;
		seg = k == 63 ? 0 : slashes & ~((2ULL << k) - 1);
		end = seg ? (size_t)__builtin_ctzll(seg) : n;
		digits &= end >= 64 ? 0 : ~((1ULL << end) - 1);
		for (k = start, nd = hex = 0, class = 0; k < end; k++) {
			class |= route_class[(unsigned char)path[k]];
			nd += (route_class[(unsigned char)path[k]] & ROUTE_DIGIT) != 0;
			hex += (route_class[(unsigned char)path[k]] & ROUTE_HEX) != 0;
		}
		if (route_is_id(path + start, end - start, nd, hex)) {
			memcpy(out + len, path + from, start - from);
			len += start - from;
			memcpy(out + len, ":id", 3);
			len += 3;
			from = end;
		} else if (class & ROUTE_DOT) {
			memcpy(out + len, path + from, start - from);
			len += start - from;
			len = route_dotted(path + start, end - start, out, len, cap);
			from = end;
		}
	}
	memcpy(out + len, path + from, n - from);
	len += n - from;
	out[len] = '\0';
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
	if (n <= 64 && cap > 3 * n)
		return route_short(path, n, out, cap);
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
