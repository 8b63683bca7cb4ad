/* SPDX-License-Identifier: MIT */
/* level.h: words and numbers onto the five levels, and back to names. */
#ifndef LEVEL_H
#define LEVEL_H

#include <stddef.h>

#include "agent.h"

/* "debug", "info", "warn", "error", "fatal". */
const char *level_name(enum level l);

/*
 * A level word in any case: full words and the usual abbreviations
 * (WARNING, warn, W, err, E, crit, notice, trace, dbg, panic...).
 * Returns 0 and sets *l, or -1 when the word is not a level.
 * Single letters are accepted only when allow_letter is set, because a
 * lone "I" or "E" is a level only in a known position (glog, JSON "l").
 */
int	level_from_word(const char *p, size_t n, int allow_letter, enum level *l);

/*
 * A number: syslog severity 0-7 (0 emerg .. 7 debug) or pino/bunyan
 * 10-60 (10 trace .. 60 fatal). Returns 0 and sets *l, or -1.
 */
int	level_from_number(long long v, enum level *l);

#endif
