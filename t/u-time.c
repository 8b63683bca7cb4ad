/* SPDX-License-Identifier: MIT */
/* u-time.c: RFC 3339 and epoch parsing, and formatting back. */
#include "config.h"

#include <string.h>

#include "tap.h"
#include "timefmt.h"
#include "timeparse.h"

static void
rfc(const char *in, size_t want_len, long long want_ns)
{
	int64_t ns = -1;
	size_t n = time_parse_rfc3339(in, strlen(in), &ns);

	if (want_len == 0)
		tap_ok(n == 0, "\"%s\" is not a time", in);
	else if (!tap_ok(n == want_len && ns == want_ns, "\"%s\"", in))
		tap_diag("  used %zu, ns %lld; want %zu, %lld", n, (long long)ns,
		    want_len, want_ns);
}

static void
epoch(const char *in, long long want_ns)
{
	int64_t ns = -1;
	int rc = time_parse_epoch(in, strlen(in), &ns);

	if (want_ns < 0)
		tap_ok(rc == -1, "\"%s\" is not an epoch", in);
	else if (!tap_ok(rc == 0 && ns == want_ns, "epoch \"%s\"", in))
		tap_diag("  got %lld want %lld", (long long)ns, want_ns);
}

static void
fmt(long long ns, const char *want)
{
	char out[TIMEFMT_MAX];
	size_t n = timefmt_rfc3339(ns, out);

	tap_is_mem(out, n, want, want);
}

int
main(void)
{
	const long long T = 1795860000LL * 1000000000LL;	/* 2026-11-28T10:00:00Z */

	rfc("2026-11-28T10:00:00Z", 20, T);
	rfc("2026-11-28 10:00:00Z", 20, T);
	rfc("2026-11-28T10:00:00.123Z", 24, T + 123000000);
	rfc("2026-11-28T10:00:00,5Z rest", 22, T + 500000000);
	rfc("2026-11-28T10:00:00.123456789Z", 30, T + 123456789);
	rfc("2026-11-28T10:00:00.1234567891Z", 31, T + 123456789);
	rfc("2026-11-28T11:00:00+01:00", 25, T);
	rfc("2026-11-28T09:30:00-0030", 24, T);
	rfc("2026-11-28T12:00:00+02", 22, T);
	rfc("2026-11-28T10:00:00", 19, T);
	rfc("2024-02-29T00:00:00Z", 20, 1709164800LL * 1000000000LL);
	rfc("2025-02-29T00:00:00Z", 0, 0);
	rfc("2026-13-01T00:00:00Z", 0, 0);
	rfc("2026-11-28T24:00:00Z", 0, 0);
	rfc("2026-11-28", 0, 0);
	rfc("2026-11-28T10:00", 0, 0);
	rfc("", 0, 0);
	rfc("1970-01-01T00:00:00Z", 20, 0);
	rfc("1969-12-31T23:59:59Z", 20, -1000000000LL);
	rfc("2016-12-31T23:59:60Z", 20, 1483228799LL * 1000000000LL);
	rfc("1014-02-28T00:00:00Z", 0, 0);	/* before 1678: no int64 ns */
	rfc("9999-12-31T23:59:59Z", 0, 0);
	epoch("1795860000", T);
	epoch("1795860000.25", T + 250000000);
	epoch("1795860000123", T + 123000000);
	epoch("1795860000123456", T + 123456000);
	epoch("1795860000123456789", T + 123456789);
	epoch("0", 0);
	epoch("", -1);
	epoch("-5", -1);
	epoch("12x", -1);
	epoch("99999999999999999999", -1);
	epoch("35917200006", -1);	/* seconds past year 2262: no int64 ns */
	epoch("99999999999999", -1);	/* ms past year 2262 */
	epoch("9223372036854775807", 9223372036854775807LL);
	fmt(T, "2026-11-28T10:00:00.000Z");
	fmt(T + 123000000, "2026-11-28T10:00:00.123Z");
	fmt(T + 123456000, "2026-11-28T10:00:00.123456Z");
	fmt(T + 123456789, "2026-11-28T10:00:00.123456789Z");
	fmt(0, "1970-01-01T00:00:00.000Z");
	fmt(-1, "1969-12-31T23:59:59.999999999Z");
	fmt(951782400LL * 1000000000LL, "2000-02-29T00:00:00.000Z");
	tap_is_int(time_days_from_civil(2000, 3, 1), 11017, "days to 2000-03-01");
	return tap_done();
}
