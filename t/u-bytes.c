/* SPDX-License-Identifier: MIT */
/* u-bytes.c: the word-at-a-time byte helpers against the plain way, at every length and place. */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "bytes.h"
#include "tap.h"

int
main(void)
{
	char a[80], b[80];
	unsigned seed = 99, bad = 0, checks = 0, i, k;
	size_t n, at, j;
	uint64_t want, x;

	/*
	 * bytes_eq: every length to 64, equal strings, and a difference at
	 * each place (one bit or the whole byte). The strings sit at every
	 * offset within a word: loads may be unaligned.
	 */
	for (n = 0; n <= 64; n++)
		for (k = 0; k < 8; k++) {
			for (j = 0; j < n; j++) {
				seed = seed * 1103515245 + 12345;
				a[k + j] = b[k + j] = (char)(seed >> 16);
			}
			checks++;
			bad += bytes_eq(a + k, b + k, n) != 1;
			for (at = 0; at < n; at++) {
				b[k + at] ^= (char)(at % 2 ? 0x80 : 0x01);
				checks++;
				bad += bytes_eq(a + k, b + k, n) != 0;
				b[k + at] = a[k + at];
			}
		}
	tap_ok(bad == 0, "bytes_eq agrees with memcmp at every length to 64 and every place of "
	    "a difference (%u checks, %u wrong)", checks, bad);

	/* bytes_load_low: the n bytes, low first, zeros above. */
	for (n = 0, bad = 0; n < 8; n++)
		for (k = 0; k < 8; k++) {
			for (j = 0, want = 0; j < n; j++) {
				a[k + j] = (char)(0xf0 + j);
				want |= (uint64_t)(unsigned char)a[k + j] << (8 * j);
			}
			bad += bytes_load_low(a + k, n) != want;
		}
	tap_ok(bad == 0, "bytes_load_low: lengths 0 to 7, at every offset");

	for (i = 0, bad = 0; i < 100000; i++) {
		seed = seed * 1103515245 + 12345;
		x = (uint64_t)seed << 32 ^ (seed * 2654435761u);
		for (k = 0, j = 0; k < 64; k++)
			j += (x >> k) & 1;
		bad += bits_count(x) != j;
	}
	bad += bits_count(0) != 0 || bits_count(~0ULL) != 64;
	tap_ok(bad == 0, "bits_count: random words, none and all");
	return tap_done();
}
