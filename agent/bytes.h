/* SPDX-License-Identifier: MIT */
/* bytes.h: comparing short byte strings on hot paths, inline. */
#ifndef BYTES_H
#define BYTES_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/*
 * Word-at-a-time code here and in its users (route.c, metrics.c, redact.c)
 * reads the first byte of a word as its lowest: little-endian only, which
 * every machine we build for is. Said where the compiler checks it.
 */
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
    "logagent's word-at-a-time byte code assumes a little-endian machine");

static inline uint64_t bytes_load_low(const char *p, size_t n);

/*
 * Whether a[0..n) and b[0..n) are equal. For keys and label values of
 * tens of bytes: eight at a time, inline, rather than a memcmp call; the
 * last eight overlap the words before them instead of a loop over the
 * bytes left, whose count would be a branch mispredicted per length.
 */
static inline int
bytes_eq(const char *a, const char *b, size_t n)
{
	uint64_t x, y;
	size_t i;

	if (n < 8)
		return bytes_load_low(a, n) == bytes_load_low(b, n);
	for (i = 0; i + 8 < n; i += 8) {
		memcpy(&x, a + i, 8);
		memcpy(&y, b + i, 8);
		if (x != y)
			return 0;
	}
	memcpy(&x, a + n - 8, 8);
	memcpy(&y, b + n - 8, 8);
	return x == y;
}

/*
 * The n (below 8) bytes at p as the low bytes of a word, zeros above,
 * without reading past them: two loads that may overlap, and agree on
 * the bytes they share.
 */
static inline uint64_t
bytes_load_low(const char *p, size_t n)
{
	uint32_t a, b;
	uint16_t c, d;

	if (n >= 4) {
		memcpy(&a, p, 4);
		memcpy(&b, p + n - 4, 4);
		return a | (uint64_t)b << (8 * (n - 4));
	}
	if (n >= 2) {
		memcpy(&c, p, 2);
		memcpy(&d, p + n - 2, 2);
		return c | (uint64_t)d << (8 * (n - 2));
	}
	return n == 1 ? (unsigned char)p[0] : 0;
}

/*
 * n bytes from s to d, reading exactly s[0..n) and writing whole words:
 * up to max(n, 8) bytes at d, which must have that room. For short
 * values, copied where a memcpy call would cost more than the copy.
 */
static inline void
bytes_copy(char *d, const char *s, size_t n)
{
	uint64_t x, y;
	size_t i;

	if (n < 8) {
		x = bytes_load_low(s, n);
		memcpy(d, &x, 8);
		return;
	}
	for (i = 0; i + 8 < n; i += 8) {
		memcpy(&x, s + i, 8);
		memcpy(d + i, &x, 8);
	}
	memcpy(&y, s + n - 8, 8);
	memcpy(d + n - 8, &y, 8);
}

/*
 * The bits set in x. Not __builtin_popcountll: without -mpopcnt (a
 * portable build) that is a call into libgcc.
 */
static inline unsigned
bits_count(uint64_t x)
{
	x -= (x >> 1) & 0x5555555555555555ULL;
	x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
	x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0fULL;
	return (unsigned)((x * 0x0101010101010101ULL) >> 56);
}

#endif
