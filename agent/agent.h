/* SPDX-License-Identifier: MIT */
/* agent.h: the five levels, the event model and the error codes every part shares. */
#ifndef AGENT_H
#define AGENT_H

#include <stddef.h>
#include <stdint.h>

/*
 * Levels are exactly five and ordered, so "at least warn" is a comparison.
 * Every parser maps what it sees onto these (parsers/level.c).
 */
enum level {
	LEVEL_DEBUG = 0,
	LEVEL_INFO,
	LEVEL_WARN,
	LEVEL_ERROR,
	LEVEL_FATAL,
};
#define LEVEL_COUNT 5

/*
 * Errors are negative ints: -errno for system failures, and our own codes
 * far below any errno so the two never collide (libuv does the same).
 * "Not my format" is an outcome, not an error: PARSE_DECLINED in parser.h.
 */
enum {
	AGENT_E_BASE = -20000,
	AGENT_E_CONFIG,		/* the configuration is invalid */
	AGENT_E_USAGE,		/* bad command line */
	AGENT_E_TOOBIG,		/* a hard cap was hit */
	AGENT_E_PARSE,		/* input could not be parsed */
	AGENT_E_UNKNOWN,	/* a name that no registry lists */
	AGENT_E_CLOSED,		/* the target is shutting down */
};

/* The message for an error code: strerror(-e) for -errno, ours otherwise. */
const char *agent_strerror(int err);

/* A run of bytes owned by someone else (the batch arena, usually). */
struct slice {
	const char *p;
	size_t n;
};

#define SLICE_LIT(s) ((struct slice){ (s), sizeof(s) - 1 })

enum field_type {
	FIELD_STRING,		/* decoded UTF-8 text, maybe invalid: encoders repair */
	FIELD_NUMBER,		/* JSON number text as written, e.g. 12.5e3 */
	FIELD_BOOL,		/* "true" or "false" */
	FIELD_NULL,
	FIELD_RAW,		/* a nested object or array, kept as JSON text */
};

struct field {
	struct slice key;
	struct slice val;
	enum field_type type;
};

/* Event flags. */
#define EVENT_TRUNCATED	0x01	/* the line was cut at the maximum line length */
#define EVENT_PARTIAL	0x02	/* no final newline when the source ended */
#define EVENT_TIME_RECV	0x04	/* no time in the line: time is when we read it */
#define EVENT_INTERNAL	0x08	/* our own (metrics, alerts, summaries), not traffic */

/*
 * An event lives in the arena of the batch that holds it, and so do the
 * bytes its slices point into: the batch owns everything, and one reset
 * frees it all once the batch is encoded.
 */
struct event {
	int64_t time_ns;	/* Unix time in nanoseconds */
	int64_t recv_ns;	/* when it was read (wall clock) */
	enum level level;
	unsigned flags;
	struct slice message;
	struct slice source;	/* the source's name (its path, or "-") */
	struct slice parse_error; /* why parsing failed; empty if it did not */
	struct field *fields;	/* in the arena; see parser_add_field() */
	unsigned nfields;
	unsigned fields_cap;
	unsigned fields_dropped; /* fields past the per-event cap */
	uint64_t key_bloom;	/* keys present, for parser_add_field's duplicate check */
};

#endif
