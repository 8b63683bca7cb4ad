/* SPDX-License-Identifier: MIT */
/* timefmt.h: event times as text. */
#ifndef TIMEFMT_H
#define TIMEFMT_H

#include <stddef.h>
#include <stdint.h>

#define TIMEFMT_MAX 40

/*
 * "2026-11-22T10:00:00.123Z" in UTC, with 3, 6 or 9 fraction digits as
 * the value needs. Returns the length written to out (TIMEFMT_MAX bytes).
 */
size_t	timefmt_rfc3339(int64_t ns, char *out);

/*
 * A duration of ns (>= 0) as seconds, the fraction without trailing
 * zeros: "0.042", "2", "0.000001". At most 30 bytes written; the length.
 */
size_t	timefmt_seconds(uint64_t ns, char *out);

/* "10:00:00.123" in local time, for the terminal. */
size_t	timefmt_local_short(int64_t ns, char *out);

/* The current wall-clock time in Unix nanoseconds. */
int64_t	timefmt_now_ns(void);

#endif
