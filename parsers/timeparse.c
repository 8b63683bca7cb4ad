/* SPDX-License-Identifier: MIT */
/* timeparse.c: RFC 3339 and epoch timestamps, without the C library's time zone state. */
#include "config.h"

#include <stdint.h>
#include <string.h>
#include <time.h>

#include "timeparse.h"

#define NS_PER_SEC 1000000000LL

int64_t
time_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era, yoe, doy, doe;

	/* Count years from March so the leap day is the last of the year. */
	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int
time_digits(const char *p, size_t n, size_t at, size_t count, int *v)
{
	size_t i;

	if (at + count > n)
		return -1;
	*v = 0;
	for (i = at; i < at + count; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		*v = *v * 10 + (p[i] - '0');
	}
	return 0;
}

static int
time_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

size_t
time_parse_rfc3339(const char *p, size_t n, int64_t *ns)
{
	static const unsigned char mdays[12] = {
		31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31,
	};
	int y, mo, d, h, mi, s, oh, om, sign;
	int64_t frac = 0, scale = 100000000, secs;
	size_t i;

	if (time_digits(p, n, 0, 4, &y) || n < 5 || p[4] != '-' ||
	    time_digits(p, n, 5, 2, &mo) || n < 8 || p[7] != '-' ||
	    time_digits(p, n, 8, 2, &d) || n < 11 ||
	    (p[10] != 'T' && p[10] != 't' && p[10] != ' ') ||
	    time_digits(p, n, 11, 2, &h) || n < 14 || p[13] != ':' ||
	    time_digits(p, n, 14, 2, &mi) || n < 17 || p[16] != ':' ||
	    time_digits(p, n, 17, 2, &s))
		return 0;
	if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] ||
	    (mo == 2 && d == 29 && !time_leap(y)) || h > 23 || mi > 59 ||
	    s > 60)
		return 0;
	if (s == 60)		/* a leap second is the last instant of :59 */
		s = 59;
	i = 19;
	if (i < n && (p[i] == '.' || p[i] == ',') && i + 1 < n &&
	    p[i + 1] >= '0' && p[i + 1] <= '9') {
		for (i++; i < n && p[i] >= '0' && p[i] <= '9'; i++) {
			frac += (p[i] - '0') * scale;
			scale /= 10;
		}
	}
	secs = time_days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 +
	    h * 3600 + mi * 60 + s;
	if (i < n && (p[i] == 'Z' || p[i] == 'z'))
		i++;
	else if (i < n && (p[i] == '+' || p[i] == '-')) {
		sign = p[i] == '-' ? -1 : 1;
		if (time_digits(p, n, i + 1, 2, &oh) != 0)
			return 0;
		if (i + 3 < n && p[i + 3] == ':') {
			if (time_digits(p, n, i + 4, 2, &om) != 0)
				return 0;
			i += 6;
		} else if (time_digits(p, n, i + 3, 2, &om) == 0)
			i += 5;
		else {
			om = 0;
			i += 3;
		}
		if (oh > 23 || om > 59)
			return 0;
		secs -= sign * (oh * 3600 + om * 60);
	}
	/* int64 nanoseconds span the years 1678 to 2261; outside is no time. */
	if (__builtin_mul_overflow(secs, NS_PER_SEC, ns) ||
	    __builtin_add_overflow(*ns, frac, ns))
		return 0;
	return i;
}

int
time_parse_epoch(const char *p, size_t n, int64_t *ns)
{
	int64_t whole = 0, frac = 0, scale = 100000000, mult, fdiv;
	size_t i = 0, digits = 0;

	if (n == 0 || n > 40)
		return -1;
	for (; i < n && p[i] >= '0' && p[i] <= '9'; i++, digits++) {
		if (whole > (INT64_MAX - (p[i] - '0')) / 10)
			return -1;
		whole = whole * 10 + (p[i] - '0');
	}
	if (digits == 0)
		return -1;
	if (i < n && p[i] == '.') {
		for (i++; i < n && p[i] >= '0' && p[i] <= '9'; i++) {
			frac += (p[i] - '0') * scale;
			scale /= 10;
		}
	}
	if (i != n)
		return -1;
	/*
	 * Seconds below 1e11 (year 5138), then ms, us, ns: what loggers
	 * write. Past what int64 nanoseconds hold (year 2262) is no time.
	 */
	if (whole < 100000000000LL) {
		mult = 1000000000;
		fdiv = 1;
	} else if (whole < 100000000000000LL) {
		mult = 1000000;
		fdiv = 1000;
	} else if (whole < 100000000000000000LL) {
		mult = 1000;
		fdiv = 1000000;
	} else {
		mult = 1;
		fdiv = 1000000000;
	}
	if (__builtin_mul_overflow(whole, mult, ns) ||
	    __builtin_add_overflow(*ns, frac / fdiv, ns))
		return -1;
	return 0;
}

/*
 * Common Log Format time: "10/Oct/2000:13:55:36 -0700" (the part inside
 * the brackets). Returns the bytes used and sets *ns, or 0.
 */
size_t
time_parse_clf(const char *p, size_t n, int64_t *ns)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	/* Access logs stamp whole seconds: the lines of one second share the text. */
	static _Thread_local char last[26];
	static _Thread_local int64_t last_ns;
	int d, y, h, mi, s, oh, om, m;
	int64_t secs;

	if (n >= 26 && last[0] != '\0' && memcmp(p, last, 26) == 0) {
		*ns = last_ns;
		return 26;
	}
	if (n < 26 || p[2] != '/' || p[6] != '/' || p[11] != ':' ||
	    p[14] != ':' || p[17] != ':' || p[20] != ' ' ||
	    (p[21] != '+' && p[21] != '-') ||
	    time_digits(p, n, 0, 2, &d) || time_digits(p, n, 7, 4, &y) ||
	    time_digits(p, n, 12, 2, &h) || time_digits(p, n, 15, 2, &mi) ||
	    time_digits(p, n, 18, 2, &s) || time_digits(p, n, 22, 2, &oh) ||
	    time_digits(p, n, 24, 2, &om))
		return 0;
	for (m = 0; m < 12; m++)
		if (memcmp(months + m * 3, p + 3, 3) == 0)
			break;
	if (m == 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60 ||
	    oh > 23 || om > 59)
		return 0;
	if (s == 60)
		s = 59;
	secs = time_days_from_civil(y, (unsigned)m + 1, (unsigned)d) * 86400 +
	    h * 3600 + mi * 60 + s;
	secs -= (p[21] == '-' ? -1 : 1) * (oh * 3600 + om * 60);
	if (__builtin_mul_overflow(secs, NS_PER_SEC, ns))
		return 0;
	memcpy(last, p, 26);
	last_ns = *ns;
	return 26;
}

size_t
time_parse_clock(const char *p, size_t n, int64_t *day_ns)
{
	int h, mi, s;
	int64_t frac = 0, scale = 100000000;
	size_t i = 8;

	if (time_digits(p, n, 0, 2, &h) || n < 8 || p[2] != ':' ||
	    time_digits(p, n, 3, 2, &mi) || p[5] != ':' ||
	    time_digits(p, n, 6, 2, &s) || h > 23 || mi > 59 || s > 60)
		return 0;
	if (s == 60)
		s = 59;
	if (i + 1 < n && (p[i] == '.' || p[i] == ',') &&
	    p[i + 1] >= '0' && p[i + 1] <= '9')
		for (i++; i < n && p[i] >= '0' && p[i] <= '9'; i++) {
			frac += (p[i] - '0') * scale;
			scale /= 10;
		}
	*day_ns = (h * 3600LL + mi * 60 + s) * NS_PER_SEC + frac;
	return i;
}

int64_t
time_without_year(unsigned mon, unsigned day, int64_t day_ns, int64_t recv_ns)
{
	int64_t days = recv_ns / (86400 * NS_PER_SEC), t;
	int64_t y = 1970;

	/* The year of recv_ns, counted from days (no time zone state). */
	while (time_days_from_civil(y + 1, 1, 1) <= days)
		y++;
	t = time_days_from_civil(y, mon, day) * 86400 * NS_PER_SEC + day_ns;
	if (t > recv_ns + 86400 * NS_PER_SEC)
		t = time_days_from_civil(y - 1, mon, day) * 86400 * NS_PER_SEC + day_ns;
	return t;
}

size_t
time_parse_pattern(const char *pattern, const char *p, size_t n, int64_t *ns)
{
	char tmp[128], *end;
	struct tm tm;
	int64_t secs, frac = 0, scale = 100000000;
	size_t i;

	if (n >= sizeof tmp || pattern == NULL)
		return 0;
	memcpy(tmp, p, n);
	tmp[n] = '\0';
	memset(&tm, 0, sizeof tm);
	tm.tm_mday = 1;
	if ((end = strptime(tmp, pattern, &tm)) == NULL)
		return 0;
	i = (size_t)(end - tmp);
	/* strptime has no fractions: ".123" right after the pattern is one. */
	if (i + 1 < n && (p[i] == '.' || p[i] == ',') && p[i + 1] >= '0' &&
	    p[i + 1] <= '9')
		for (i++; i < n && p[i] >= '0' && p[i] <= '9'; i++) {
			frac += (p[i] - '0') * scale;
			scale /= 10;
		}
	if (tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31)
		return 0;
	/* UTC unless the pattern has %z: timegm's arithmetic, without its calls. */
	secs = time_days_from_civil(tm.tm_year + 1900LL, (unsigned)tm.tm_mon + 1,
	    (unsigned)tm.tm_mday) * 86400 + tm.tm_hour * 3600LL + tm.tm_min * 60 +
	    tm.tm_sec - tm.tm_gmtoff;
	if (__builtin_mul_overflow(secs, NS_PER_SEC, ns) ||
	    __builtin_add_overflow(*ns, frac, ns))
		return 0;
	return i;
}
