/* SPDX-License-Identifier: MIT */
/* u-level.c: level words and numbers onto the five levels. */
#include "config.h"

#include <string.h>

#include "level.h"
#include "tap.h"

static void
word(const char *w, int letter, int want)
{
	enum level l = LEVEL_INFO;
	int rc = level_from_word(w, strlen(w), letter, &l);

	if (want < 0)
		tap_ok(rc == -1, "\"%s\" is not a level", w);
	else
		tap_ok(rc == 0 && (int)l == want, "\"%s\" -> %s", w,
		    level_name((enum level)want));
}

static void
number(long long v, int want)
{
	enum level l = LEVEL_INFO;
	int rc = level_from_number(v, &l);

	if (want < 0)
		tap_ok(rc == -1, "%lld is not a level", v);
	else
		tap_ok(rc == 0 && (int)l == want, "%lld -> %s", v,
		    level_name((enum level)want));
}

int
main(void)
{
	word("debug", 0, LEVEL_DEBUG);
	word("TRACE", 0, LEVEL_DEBUG);
	word("Dbg", 0, LEVEL_DEBUG);
	word("info", 0, LEVEL_INFO);
	word("INFORMATION", 0, LEVEL_INFO);
	word("notice", 0, LEVEL_INFO);
	word("warn", 0, LEVEL_WARN);
	word("WARNING", 0, LEVEL_WARN);
	word("Warning", 0, LEVEL_WARN);
	word("err", 0, LEVEL_ERROR);
	word("ERROR", 0, LEVEL_ERROR);
	word("severe", 0, LEVEL_ERROR);
	word("fatal", 0, LEVEL_FATAL);
	word("CRITICAL", 0, LEVEL_FATAL);
	word("crit", 0, LEVEL_FATAL);
	word("emerg", 0, LEVEL_FATAL);
	word("panic", 0, LEVEL_FATAL);
	word("W", 1, LEVEL_WARN);
	word("e", 1, LEVEL_ERROR);
	word("I", 1, LEVEL_INFO);
	word("F", 1, LEVEL_FATAL);
	word("W", 0, -1);
	word("x", 1, -1);
	word("", 1, -1);
	word("warnings", 0, -1);
	word("inf0", 0, -1);
	word("errors", 0, -1);
	tap_ok(level_from_word("warn\0xx", 7, 0, &(enum level){ 0 }) == -1,
	    "a NUL inside the word is not a level");
	number(0, LEVEL_FATAL);
	number(2, LEVEL_FATAL);
	number(3, LEVEL_ERROR);
	number(4, LEVEL_WARN);
	number(5, LEVEL_INFO);
	number(6, LEVEL_INFO);
	number(7, LEVEL_DEBUG);
	number(8, -1);
	number(-1, -1);
	number(10, LEVEL_DEBUG);
	number(20, LEVEL_DEBUG);
	number(30, LEVEL_INFO);
	number(40, LEVEL_WARN);
	number(50, LEVEL_ERROR);
	number(60, LEVEL_FATAL);
	number(61, -1);
	tap_is_str(level_name(LEVEL_WARN), "warn", "name of warn");
	tap_is_str(level_name((enum level)99), "info", "an out-of-range level is named info");
	return tap_done();
}
