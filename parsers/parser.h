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

/* What a parser may use besides the line. Read only. */
struct parse_ctx {
	struct arena *arena;	/* for decoded strings and the fields array */
	unsigned max_fields;	/* fields past this are dropped (and said so) */
	unsigned max_depth;	/* nesting limit for JSON values */
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
 * A key and value from a structured line: the well-known keys become the
 * event's time (time, ts, timestamp, @timestamp...: RFC 3339 or epoch),
 * level (level, lvl, severity, log.level...: words or numbers) and
 * message (msg, message) — the first of each kind that parses; anything
 * else is a field. *seen starts at 0 for each line.
 */
int	parser_member(const struct parse_ctx *ctx, struct event *ev,
	    unsigned *seen, struct slice key, struct slice val,
	    enum field_type type);

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

#endif
