/* SPDX-License-Identifier: MIT */
/* timefmt.c: formatting times without touching the C library's time zone state on the hot path. */
#include "config.h"

#include <stdio.h>
#include <time.h>

#include "timefmt.h"

/* Inverse of time_days_from_civil: days since 1970-01-01 to a date. */
static void
timefmt_civil(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	*m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static int64_t
timefmt_floordiv(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

size_t
timefmt_rfc3339(int64_t ns, char *out)
{
	int64_t secs = timefmt_floordiv(ns, 1000000000LL);
	int64_t frac = ns - secs * 1000000000LL;
	int64_t days = timefmt_floordiv(secs, 86400), y;
	int64_t sod = secs - days * 86400;
	unsigned m, d;
	int len;

	timefmt_civil(days, &y, &m, &d);
	len = snprintf(out, TIMEFMT_MAX, "%04lld-%02u-%02uT%02d:%02d:%02d",
	    (long long)y, m, d, (int)(sod / 3600), (int)(sod / 60 % 60),
	    (int)(sod % 60));
	if (frac % 1000000 == 0)
		len += snprintf(out + len, TIMEFMT_MAX - (size_t)len, ".%03dZ",
		    (int)(frac / 1000000));
	else if (frac % 1000 == 0)
		len += snprintf(out + len, TIMEFMT_MAX - (size_t)len, ".%06dZ",
		    (int)(frac / 1000));
	else
		len += snprintf(out + len, TIMEFMT_MAX - (size_t)len, ".%09dZ",
		    (int)frac);
	return (size_t)len;
}

size_t
timefmt_local_short(int64_t ns, char *out)
{
	/* localtime_r takes a lock and may stat /etc/localtime: once a second. */
	static time_t cached_sec = -1;
	static char cached[16];
	time_t sec = (time_t)timefmt_floordiv(ns, 1000000000LL);
	struct tm tm;

	if (sec != cached_sec) {
		if (localtime_r(&sec, &tm) == NULL)
			return (size_t)snprintf(out, TIMEFMT_MAX, "??:??:??.???");
		snprintf(cached, sizeof cached, "%02d:%02d:%02d", tm.tm_hour,
		    tm.tm_min, tm.tm_sec);
		cached_sec = sec;
	}
	return (size_t)snprintf(out, TIMEFMT_MAX, "%s.%03d", cached,
	    (int)((ns - (int64_t)sec * 1000000000LL) / 1000000));
}

int64_t
timefmt_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

size_t
timefmt_seconds(uint64_t ns, char *out)
{
	char digits[20];
	uint64_t whole = ns / 1000000000, frac = ns % 1000000000;
	size_t len = 0, w = 0;

	do
		digits[w++] = (char)('0' + whole % 10);
	while ((whole /= 10) != 0);
	while (w > 0)
		out[len++] = digits[--w];
	if (frac != 0) {
		out[len++] = '.';
		for (; frac != 0; frac = frac % 100000000 * 10)
			out[len++] = (char)('0' + frac / 100000000);
	}
	return len;
}
