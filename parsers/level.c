/* SPDX-License-Identifier: MIT */
/* level.c: one table of level words, so every parser agrees on what "WARNING" means. */
#include "config.h"

#include <string.h>
#include <strings.h>

#include "level.h"

static const char *const level_names[LEVEL_COUNT] = {
	"debug", "info", "warn", "error", "fatal",
};

const char *
level_name(enum level l)
{
	if ((unsigned)l >= LEVEL_COUNT)
		return "info";
	return level_names[l];
}

/*
 * Syslog's emerg/alert/crit are all "the service is going down" and map
 * to fatal; notice is routine and maps to info; trace and verbose to debug.
 */
static const struct {
	const char *word;
	enum level level;
} level_words[] = {
	{ "trace", LEVEL_DEBUG },	{ "trc", LEVEL_DEBUG },
	{ "debug", LEVEL_DEBUG },	{ "dbg", LEVEL_DEBUG },
	{ "verbose", LEVEL_DEBUG },	{ "fine", LEVEL_DEBUG },
	{ "finer", LEVEL_DEBUG },	{ "finest", LEVEL_DEBUG },
	{ "info", LEVEL_INFO },		{ "inf", LEVEL_INFO },
	{ "information", LEVEL_INFO },	{ "informational", LEVEL_INFO },
	{ "notice", LEVEL_INFO },	{ "note", LEVEL_INFO },
	{ "warn", LEVEL_WARN },		{ "warning", LEVEL_WARN },
	{ "wrn", LEVEL_WARN },
	{ "error", LEVEL_ERROR },	{ "err", LEVEL_ERROR },
	{ "eror", LEVEL_ERROR },	{ "severe", LEVEL_ERROR },
	{ "fatal", LEVEL_FATAL },	{ "crit", LEVEL_FATAL },
	{ "critical", LEVEL_FATAL },	{ "alert", LEVEL_FATAL },
	{ "emerg", LEVEL_FATAL },	{ "emergency", LEVEL_FATAL },
	{ "panic", LEVEL_FATAL },	{ "ftl", LEVEL_FATAL },
};

int
level_from_word(const char *p, size_t n, int allow_letter, enum level *l)
{
	size_t i;

	if (n == 1) {
		if (!allow_letter)
			return -1;
		switch (p[0] | 0x20) {
		case 't':
		case 'd':
		case 'v':
			*l = LEVEL_DEBUG;
			return 0;
		case 'i':
		case 'n':
			*l = LEVEL_INFO;
			return 0;
		case 'w':
			*l = LEVEL_WARN;
			return 0;
		case 'e':
			*l = LEVEL_ERROR;
			return 0;
		case 'f':
		case 'c':
			*l = LEVEL_FATAL;
			return 0;
		}
		return -1;
	}
	if (n < 3 || n > 13)
		return -1;
	for (i = 0; i < sizeof level_words / sizeof level_words[0]; i++) {
		/* Cheap rejections first: the first letter, then the length. */
		if ((level_words[i].word[0] | 0x20) != (p[0] | 0x20) ||
		    strlen(level_words[i].word) != n)
			continue;
		if (strncasecmp(p, level_words[i].word, n) == 0) {
			*l = level_words[i].level;
			return 0;
		}
	}
	return -1;
}

int
level_from_number(long long v, enum level *l)
{
	static const enum level syslog_sev[8] = {
		LEVEL_FATAL, LEVEL_FATAL, LEVEL_FATAL, LEVEL_ERROR,
		LEVEL_WARN, LEVEL_INFO, LEVEL_INFO, LEVEL_DEBUG,
	};

	if (v >= 0 && v <= 7) {
		*l = syslog_sev[v];
		return 0;
	}
	if (v < 10 || v > 60)
		return -1;
	if (v < 30)
		*l = LEVEL_DEBUG;
	else if (v < 40)
		*l = LEVEL_INFO;
	else if (v < 50)
		*l = LEVEL_WARN;
	else if (v < 60)
		*l = LEVEL_ERROR;
	else
		*l = LEVEL_FATAL;
	return 0;
}
