/* SPDX-License-Identifier: MIT */
/* route.c: ids in paths become :id, so series follow routes, not requests. */
#include "config.h"

#include <fnmatch.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "bytes.h"
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
 * In eight bytes w: *stop flags each '?' or '#', the return each digit.
 * In x = w ^ (c * ones) a byte equal to c is zero, and (x - ones) & ~x &
 * highs flags it; a flag can be wrong only above one rightly set, so the
 * lowest flag is exact, which is all the caller reads. Zero bytes are
 * neither.
 */
static inline uint64_t
route_flags(uint64_t w, uint64_t *stop)
{
	const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
	uint64_t d = w ^ (ones * '0'), q = w ^ (ones * '?'), h = w ^ (ones * '#');

	*stop = ((q - ones) & ~q & highs) | ((h - ones) & ~h & highs);
	return (d - ones * 10) & ~d & highs;	/* b ^ '0' below 10 */
}

/*
 * Where the path ends: at its first '?' or '#', since the query and
 * fragment are not part of a route (or every search would be a series of
 * its own); and in *digit whether a digit comes before that.
 */
static size_t
route_scan(const char *p, size_t n, int *digit)
{
	uint64_t w, d, stop;
	size_t i = 0, at;

	*digit = 0;
	for (;;) {
		if (n - i >= 8)
			memcpy(&w, p + i, 8);
		else if (n >= 8) {
			/* The last bytes, loaded from n - 8, shifted down: zeros above. */
			memcpy(&w, p + n - 8, 8);
			w >>= 8 * (8 - (n - i));
		} else
			w = bytes_load_low(p, n);
		d = route_flags(w, &stop);
		if (stop != 0) {
			at = (size_t)__builtin_ctzll(stop) / 8;
			*digit |= d != 0 && (size_t)__builtin_ctzll(d) / 8 < at;
			return i + at;
		}
		*digit |= d != 0;
		if (n - i <= 8)
			return n;
		i += 8;
	}
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

#ifdef __SSE2__
/*
 * The route of a path of at most ROUTE_FAST bytes, where out has room for
 * 2n + 16 (an id may be longer than its segment, and copies write whole
 * words). One pass of 16-byte compares makes a bit mask per byte class
 * (slash, digit, hex, dot) over the whole path; then each segment's
 * counts are popcounts of the masks, instead of a loop over its bytes,
 * and it is copied by words. Same answers as the byte loop in route_of,
 * which the tests hold it to.
 */
#define ROUTE_FAST	63	/* below 64: bit n of a mask marks the end */

/*
 * The 16 bytes of path from k, in a register. The path is read in place,
 * never past its end: the last block of a path of 16 bytes or more is
 * the 16 that end it (its bits are shifted into place by the caller),
 * and a shorter path is put together from word loads. A copy to the
 * stack to load from instead cost a failed store forwarding per block.
 */
static inline __m128i
route_block(const char *path, size_t n, size_t k)
{
	uint64_t lo, hi;

	if (n >= 16)
		return _mm_loadu_si128((const __m128i *)(const void *)(path + k));
	if (n <= 8)
		return _mm_cvtsi64_si128((long long)bytes_load_low(path, n));
	memcpy(&lo, path, 8);
	memcpy(&hi, path + n - 8, 8);
	return _mm_set_epi64x((long long)(hi >> (8 * (16 - n))), (long long)lo);
}

static size_t
route_fast(const char *path, size_t n, char *out)
{
	uint64_t slash = 0, digit = 0, hex = 0, dot = 0, stop = 0, below, seg, part, dots;
	size_t pos, a, d, e, c, f, k, len = 0;

	for (k = 0; k < n; k += 16) {
		/* A last part block: the 16 bytes that end the path, bits shifted into place. */
		size_t at = n >= 16 && k + 16 > n ? n - 16 : k;
		__m128i v = route_block(path, n, at);
		__m128i l = _mm_or_si128(v, _mm_set1_epi8(0x20));
		/* Signed compares: bytes from 0x80 are below everything here. */
		__m128i dg = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('0' - 1)),
		    _mm_cmplt_epi8(v, _mm_set1_epi8('9' + 1)));
		__m128i x = _mm_and_si128(_mm_cmpgt_epi8(l, _mm_set1_epi8('a' - 1)),
		    _mm_cmplt_epi8(l, _mm_set1_epi8('f' + 1)));

		slash |= (uint64_t)(unsigned)_mm_movemask_epi8(
		    _mm_cmpeq_epi8(v, _mm_set1_epi8('/'))) << at;
		digit |= (uint64_t)(unsigned)_mm_movemask_epi8(dg) << at;
		hex |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_or_si128(dg, x)) << at;
		dot |= (uint64_t)(unsigned)_mm_movemask_epi8(
		    _mm_cmpeq_epi8(v, _mm_set1_epi8('.'))) << at;
		stop |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_or_si128(
		    _mm_cmpeq_epi8(v, _mm_set1_epi8('?')),
		    _mm_cmpeq_epi8(v, _mm_set1_epi8('#')))) << at;
	}
	/* The query and fragment are not part of a route: they end it. */
	if (stop != 0)
		n = (size_t)__builtin_ctzll(stop);
	digit &= ~(~0ULL << n);
	slash |= 1ULL << n;	/* the end ends the last segment */
	/*
	 * Only segments with a digit can be ids (numbers, UUIDs, hashes):
	 * from each digit, back to its segment's start; the words before it
	 * are copied as they are.
	 */
	for (pos = 0; (digit >> pos) != 0; pos = e) {
		d = (size_t)__builtin_ctzll(digit >> pos << pos);
		below = slash & ~(~0ULL << d);
		a = below != 0 ? 64 - (size_t)__builtin_clzll(below) : 0;	/* after the slash */
		e = (size_t)__builtin_ctzll(slash >> d << d);
		bytes_copy(out + len, path + pos, a - pos);
		len += a - pos;
		seg = ~0ULL << a & ~(~0ULL << e);
		if (route_is_id(path + a, e - a, bits_count(digit & seg), bits_count(hex & seg))) {
			memcpy(out + len, ":id", 3);
			len += 3;
		} else if (!(dot & seg)) {
			bytes_copy(out + len, path + a, e - a);
			len += e - a;
		} else {
			/* app.3c8f9a2b.js: each part between dots, as route_dotted does. */
			dots = (dot & seg) | 1ULL << e;
			for (c = a;; c = f + 1) {
				f = (size_t)__builtin_ctzll(dots >> c << c);
				part = ~0ULL << c & ~(~0ULL << f);
				if (f - c >= 3 && (digit & part) && (hex & part) == part) {
					memcpy(out + len, ":id", 3);
					len += 3;
				} else {
					bytes_copy(out + len, path + c, f - c);
					len += f - c;
				}
				if (f == e)
					break;
				out[len++] = '.';
			}
		}
	}
	bytes_copy(out + len, path + pos, n - pos);
	len += n - pos;
	out[len] = '\0';
	return len;
}
#endif

size_t
route_of(const struct route_rules *r, const char *path, size_t n, char *out,
    size_t cap)
{
	char tmp[1024];
	size_t i, k, len = 0, seg, seg_out, digits, hex;
	unsigned class;
	int digit;

	if (cap == 0)
		return 0;
	if (n == 0) {
		out[0] = '\0';	/* and path may be NULL */
		return 0;
	}
#ifdef __SSE2__
	/* Short paths, the most, by masks: route_fast finds the query too. */
	if ((r == NULL || r->n == 0) && n <= ROUTE_FAST && cap >= 2 * n + 16)
		return route_fast(path, n, out);
#endif
	n = route_scan(path, n, &digit);
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
	if (n < cap && !digit) {
		memcpy(out, path, n);
		out[n] = '\0';
		return n;
	}
#ifdef __SSE2__
	if (n <= ROUTE_FAST && cap >= 2 * n + 16)
		return route_fast(path, n, out);
#endif
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
