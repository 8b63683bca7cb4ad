/* SPDX-License-Identifier: MIT */
/* tap.c: TAP output for the unit tests; the plan is printed at the end. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "tap.h"

static int tap_n, tap_failed;

static int tap_vreport(int cond, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

static int
tap_vreport(int cond, const char *fmt, va_list ap)
{
	tap_n++;
	if (!cond)
		tap_failed++;
	printf("%sok %d - ", cond ? "" : "not ", tap_n);
	vprintf(fmt, ap);
	printf("\n");
	fflush(stdout);
	return cond;
}

int
tap_ok(int cond, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = tap_vreport(cond, fmt, ap);
	va_end(ap);
	return rc;
}

void
tap_diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

int
tap_is_int(long long got, long long want, const char *name)
{
	if (!tap_ok(got == want, "%s", name))
		tap_diag("  got %lld, want %lld", got, want);
	return got == want;
}

int
tap_is_str(const char *got, const char *want, const char *name)
{
	int ok = got != NULL && want != NULL ? strcmp(got, want) == 0 : got == want;

	if (!tap_ok(ok, "%s", name))
		tap_diag("  got  \"%s\"\n#   want \"%s\"", got ? got : "(null)",
		    want ? want : "(null)");
	return ok;
}

int
tap_is_mem(const char *got, size_t n, const char *want, const char *name)
{
	int ok = strlen(want) == n && (n == 0 || memcmp(got, want, n) == 0);

	if (!tap_ok(ok, "%s", name))
		tap_diag("  got  \"%.*s\"\n#   want \"%s\"", (int)(n > 400 ? 400 : n),
		    got ? got : "", want);
	return ok;
}

int
tap_contains(const char *hay, const char *needle, const char *name)
{
	int ok = hay != NULL && strstr(hay, needle) != NULL;

	if (!tap_ok(ok, "%s", name))
		tap_diag("  \"%s\"\n#   does not contain \"%s\"", hay ? hay : "(null)",
		    needle);
	return ok;
}

int
tap_done(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed != 0;
}
