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

/*
 * "hh:mm:ss" with an optional fraction: the nanoseconds into the day.
 * Returns the bytes used, or 0.
 */
size_t	time_parse_clock(const char *p, size_t n, int64_t *day_ns);

/*
 * A month (1-12) and day without a year, as syslog (RFC 3164) and glog
 * write them: the year of recv_ns, or the one before when that would put
 * the time over a day after recv_ns (a December line read in January).
 */
int64_t	time_without_year(unsigned mon, unsigned day, int64_t day_ns,
	    int64_t recv_ns);

/*
 * A time written as the strptime(3) pattern says ("%d/%m/%Y %H:%M:%S"),
 * optionally followed by a fraction; UTC unless the pattern has %z.
 * Returns the bytes used, or 0.
 */
size_t	time_parse_pattern(const char *pattern, const char *p, size_t n,
	    int64_t *ns);

#endif
