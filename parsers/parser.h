/* SPDX-License-Identifier: MIT */
/* parser.h: the parser contract and the registry of formats. */
#ifndef PARSER_H
#define PARSER_H

#include <stddef.h>
#include <stdint.h>

#include "agent.h"
#include "arena.h"

/* parse() outcomes besides 0: not an error, "this line is not my format". */
#define PARSE_DECLINED 1

/* How a time_key's value is written (a source's parse.time_format). */
enum time_format {
	TIME_FORMAT_AUTO = 0,	/* RFC 3339, or an epoch number by magnitude */
	TIME_FORMAT_RFC3339,
	TIME_FORMAT_EPOCH_S,
	TIME_FORMAT_EPOCH_MS,
	TIME_FORMAT_EPOCH_US,
	TIME_FORMAT_EPOCH_NS,
	TIME_FORMAT_PATTERN,	/* strptime(3), with an optional .fraction after %S */
};

/* Units of a latency value; AUTO is "from the key's name, else seconds". */
enum latency_unit {
	LATENCY_UNIT_AUTO = 0,
	LATENCY_UNIT_S,
	LATENCY_UNIT_MS,
	LATENCY_UNIT_US,
	LATENCY_UNIT_NS,
};

/*
 * A source's overrides of how its lines are read (its "parse" object).
 * An empty key means "the usual names"; a key given replaces them.
 */
struct parse_opts {
	int flatten;		/* nested JSON objects become dotted keys */
	struct slice time_key;
	enum time_format time_format;
	const char *time_pattern; /* for TIME_FORMAT_PATTERN, NUL-terminated */
	struct slice level_key;
	struct slice latency_key;
	enum latency_unit latency_unit;
};

/* Every override off. */
extern const struct parse_opts parse_opts_default;

/*
 * A source's "parse" object as parse_opts, whose slices point into cp's
 * strings. Returns 0, or -1 when time_format is none of the names and
 * not a strptime pattern.
 */
struct conf_parse;
int	parser_opts_from_conf(const struct conf_parse *cp, struct parse_opts *out);

/* What a parser may use besides the line. Read only. */
struct parse_ctx {
	struct arena *arena;	/* for decoded strings and the fields array */
	unsigned max_fields;	/* fields past this are dropped (and said so) */
	unsigned max_depth;	/* nesting limit for JSON values */
	const struct parse_opts *opts; /* the source's; never NULL */
};

/*
 * A parser is a pure function of bytes: no loop, no I/O, no malloc (the
 * arena is the only memory it may take, and it is the caller's).
 */
struct parser_ops {
	const char *name;
	const char *help;	/* one line for --help and docs */

	/*
	 * How sure, 0 to 100, that the line is this format. Cheap: it looks
	 * at a few bytes; auto asks every parser and takes the highest.
	 */
	int (*probe)(const char *line, size_t n);

	/*
	 * Fill ev from line[0..n). On entry ev has the receive time, level
	 * info, the whole line as message and the source set; the line stays
	 * valid as long as the event (it is in the same arena). Slices may
	 * point into the line or into ctx->arena.
	 * Returns 0; PARSE_DECLINED with ev->parse_error saying why (the
	 * caller then falls back to plain text); or AGENT_E_TOOBIG when the
	 * arena is full (the caller retries in a fresh batch).
	 */
	int (*parse)(const struct parse_ctx *ctx, const char *line, size_t n,
	    struct event *ev);
};

/* Every format, NULL-terminated, in the order auto breaks ties. */
extern const struct parser_ops *const parser_table[];

/* The parser called name, or NULL. */
const struct parser_ops *parser_find(const char *name);

/* "auto, json, plain": for --help and error messages. */
const char *parser_names(void);

/*
 * Add a field to ev, or replace the value of an earlier one with the same
 * key (JSON's last-one-wins). The fields array grows in ctx->arena.
 * Returns 0 (also when max_fields was reached: the field is dropped and
 * counted in ev->fields_dropped), or AGENT_E_TOOBIG. Shared by every parser so duplicates and the cap are
 * handled one way.
 */
int	parser_add_field(const struct parse_ctx *ctx, struct event *ev,
	    struct slice key, struct slice val,
	    enum field_type type);

/*
 * What parser_member has taken from one line so far: which kinds of
 * well-known key, and the status, whose class is the level when the line
 * names none. Zeroed for each line.
 */
struct members {
	unsigned seen;
	unsigned status;
};

/*
 * A key and value from a structured line (JSON, logfmt). The well-known
 * keys become the event's time (time, ts, timestamp, @timestamp...: RFC
 * 3339 or epoch), level (level, lvl, severity, log.level...: words or
 * numbers) and message (msg, message); the request keys of every common
 * logger become the same fields whatever they were called: method, path
 * (query split off into query), status, latency (seconds, converted from
 * the unit the key names or the source declares), bytes, remote_addr,
 * user_agent, request_id. The first of each kind that parses wins; the
 * rest, and anything else, are fields as they came.
 */
int	parser_member(const struct parse_ctx *ctx, struct event *ev,
	    struct members *m, struct slice key, struct slice val,
	    enum field_type type);

/*
 * The same, but a key that is not taken into the event is not added as a
 * field either: returns 0 when taken (or taken and worth keeping, 2), 1
 * when not, or AGENT_E_TOOBIG. For keys inside a JSON object kept raw.
 */
int	parser_member_take(const struct parse_ctx *ctx, struct event *ev,
	    struct members *m, struct slice key, struct slice val,
	    enum field_type type);

/*
 * After the last member: a line with a status and no level takes its
 * level from the status (5xx error, 4xx warn, else info).
 */
void	parser_members_end(struct event *ev, const struct members *m);

/*
 * Is key one parser_member takes into the event (MEMBER_NAME), or the
 * start of a dotted one (MEMBER_PREFIX: "req" of "req.method")? So JSON
 * objects that are not flattened are still searched for request fields
 * ({"req": {"method": ...}}); 0 when neither.
 */
#define MEMBER_NAME	1
#define MEMBER_PREFIX	2
int	parser_member_known(const struct parse_ctx *ctx, struct slice key);

/*
 * An HTTP request line ("GET /a?b=1 HTTP/1.1"): method, path, query and
 * protocol as fields. Returns 0, or AGENT_E_TOOBIG.
 */
int	parser_request_line(const struct parse_ctx *ctx, struct event *ev,
	    struct slice req);

/*
 * A latency as decimal seconds text (exact: "12.5" ms is "0.0125"), from a
 * number, a numeric string or a Go-style duration ("1.5ms", "2m3s") in
 * unit. The text goes into the arena. Returns 0, 1 when val is not a
 * latency (negative, not a number, out of range), or AGENT_E_TOOBIG.
 */
int	parser_latency(const struct parse_ctx *ctx, struct slice val,
	    enum latency_unit unit, struct slice *out);

/* "/a/b?x=1#f" or "https://host/a?x" into path "/a/b" and query "x=1". */
void	parser_split_target(struct slice target, struct slice *path,
	    struct slice *query);

/*
 * A decimal number at p ("12", "12.5", "1.5e3") times 10^scale as a whole
 * number, exact to 19 significant digits and truncated below 1. Returns
 * the bytes used, or 0 (not a number, negative, or past INT64_MAX).
 */
size_t	parser_decimal_scaled(const char *p, size_t n, int scale, int64_t *out);

/* The level an HTTP status stands for: 5xx error, 4xx warn, else info. */
enum level parser_status_level(unsigned status);

/* Room for n fields at once, for a parser that knows how many it adds. */
int	parser_fields_reserve(const struct parse_ctx *ctx, struct event *ev,
	    unsigned n);

/* The same for a key the caller knows is not in ev yet: no search. */
int	parser_add_field_new(const struct parse_ctx *ctx, struct event *ev,
	    struct slice key, struct slice val, enum field_type type);

/*
 * Give up on a line: drop the fields found so far, set ev->parse_error to
 * "<format>: <why> at byte <at>" (in the arena when it has room) and return
 * PARSE_DECLINED, so every parser words its refusals the same way.
 */
int	parser_decline(const struct parse_ctx *ctx, struct event *ev,
	    const char *format, const char *why, size_t at);

/*
 * Parse a line the way the pipeline does: with ops, and when ops declines,
 * as plain text carrying ops's parse_error, so no line is ever lost. ev is
 * set up by the caller (time, level info, flags, message, source) and put
 * back that way before the fallback. Returns 0, 1 when the fallback was
 * used, or AGENT_E_TOOBIG when the arena is full.
 */
int	parser_run(const struct parser_ops *ops, const struct parse_ctx *ctx,
	    const char *line, size_t n, struct event *ev);

extern const struct parser_ops parser_json;
extern const struct parser_ops parser_logfmt;
extern const struct parser_ops parser_clf;
extern const struct parser_ops parser_syslog;
extern const struct parser_ops parser_cri;

/*
 * The header of a CRI line: its time, stream and tag (F or P), and the
 * offset of the message, or 0 when the line is not one. The source uses it
 * to join P parts before parsing.
 */
size_t	cri_header(const char *line, size_t n, int64_t *ns, struct slice *stream,
	    char *tag);
extern const struct parser_ops parser_plain;
extern const struct parser_ops parser_auto;

/*
 * What auto has learnt of one file. Its first AUTO_LEARN_LINES non-blank
 * lines are parsed line by line and vote; a structured format with three
 * quarters of the votes becomes the file's, tried first for every later
 * line (a line it refuses is judged on its own). Zeroed to start over.
 */
#define AUTO_LEARN_LINES	8
#define AUTO_FORMATS		16	/* at least the entries of parser_table */
struct auto_state {
	const struct parser_ops *format; /* NULL while learning; parser_auto: mixed */
	unsigned lines;
	unsigned votes[AUTO_FORMATS];
};

/* parser_run for a file read with auto; the same returns. */
int	auto_run(struct auto_state *st, const struct parse_ctx *ctx,
	    const char *line, size_t n, struct event *ev);

#endif
