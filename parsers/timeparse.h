/* SPDX-License-Identifier: MIT */
/* timeparse.h: timestamps as logs write them, to Unix nanoseconds. */
#ifndef TIMEPARSE_H
#define TIMEPARSE_H

#include <stddef.h>
#include <stdint.h>

/* Days since 1970-01-01 of a proleptic Gregorian date. */
int64_t	time_days_from_civil(int64_t y, unsigned m, unsigned d);

/*
 * An RFC 3339 / ISO 8601 time at the start of p: "2026-11-22T10:00:00Z",
 * with a space instead of T, a fraction after '.' or ',' (up to 9 digits
 * kept), and an offset "Z", "+01:00", "+0100" or none (then UTC).
 * Returns the bytes used and sets *ns, or 0 when p does not start with one.
 */
size_t	time_parse_rfc3339(const char *p, size_t n, int64_t *ns);

/*
 * An epoch number as text ("1732269600", "1732269600.123", "1732269600123").
 * Integers are taken as seconds, ms, us or ns by magnitude, the way log
 * libraries write them. The whole of p must be the number.
 * Returns 0 and sets *ns, or -1.
 */
int	time_parse_epoch(const char *p, size_t n, int64_t *ns);

/* CLF: "10/Oct/2000:13:55:36 -0700" at p; the bytes used (26), or 0. */
size_t	time_parse_clf(const char *p, size_t n, int64_t *ns);

#endif
