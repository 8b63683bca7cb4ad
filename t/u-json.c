/* SPDX-License-Identifier: MIT */
/* u-json.c: parser cases a .cases file cannot hold: 1 MiB lines, deep nesting, many fields, receive times. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "parser.h"
#include "tap.h"

static struct arena arena;
static struct parse_ctx ctx;

static int
parse(const struct parser_ops *ops, const char *line, size_t n, struct event *ev)
{
	arena_reset(&arena);
	memset(ev, 0, sizeof *ev);
	ev->level = LEVEL_INFO;
	ev->message = (struct slice){ line, n };
	return ops->parse(&ctx, line, n, ev);
}

int
main(void)
{
	const size_t big = 1 << 20;
	struct event ev;
	char *line, *p;
	size_t i, n;
	int rc;

	arena_init(&arena, 1 << 16, 1 << 26);
	ctx.arena = &arena;
	ctx.max_fields = 128;
	ctx.max_depth = 64;
	ctx.opts = &parse_opts_default;

	/* A 1 MiB message, no escapes: kept whole, pointing into the line. */
	line = malloc(big + 64);
	n = (size_t)sprintf(line, "{\"level\":\"error\",\"msg\":\"");
	memset(line + n, 'x', big);
	n += big;
	n += (size_t)sprintf(line + n, "\"}");
	rc = parse(&parser_json, line, n, &ev);
	tap_ok(rc == 0 && ev.message.n == big && ev.level == LEVEL_ERROR,
	    "json: 1 MiB message");
	tap_ok(ev.message.p > line && ev.message.p < line + n,
	    "json: an unescaped string is not copied");

	/* The same with an escape at the end: decoded into the arena. */
	memcpy(line + n - 4, "\\n\"}", 4);
	rc = parse(&parser_json, line, n, &ev);
	tap_ok(rc == 0 && ev.message.n == big - 1 && ev.message.p[big - 2] == '\n',
	    "json: 1 MiB message with an escape");

	/* Cut short: declined, never read past n. */
	rc = parse(&parser_json, line, n - 2, &ev);
	tap_ok(rc == PARSE_DECLINED && ev.parse_error.n > 0, "json: 1 MiB truncated is declined");

	/* Plain: 1 MiB of text with a level word. */
	memcpy(line, "WARN ", 5);
	memset(line + 5, 'y', big - 5);
	rc = parse(&parser_plain, line, big, &ev);
	tap_ok(rc == 0 && ev.level == LEVEL_WARN && ev.message.n == big - 5,
	    "plain: 1 MiB line");
	memset(line, ' ', big);
	rc = parse(&parser_plain, line, big, &ev);
	tap_ok(rc == 0 && ev.message.n == 0, "plain: 1 MiB of spaces");

	/* 100000 levels of nesting: declined at the depth limit, no deep recursion. */
	p = line;
	p += sprintf(p, "{\"a\":");
	for (i = 0; i < 100000; i++)
		*p++ = '[';
	for (i = 0; i < 100000; i++)
		*p++ = ']';
	*p++ = '}';
	rc = parse(&parser_json, line, (size_t)(p - line), &ev);
	tap_ok(rc == PARSE_DECLINED, "json: 100000 levels of nesting declined");
	tap_ok(strstr(ev.parse_error.p, "nested too deeply") != NULL,
	    "json: and says why");

	/* 1000 distinct keys: 128 kept, the rest counted. */
	p = line;
	*p++ = '{';
	for (i = 0; i < 1000; i++)
		p += sprintf(p, "%s\"k%zu\":%zu", i ? "," : "", i, i);
	*p++ = '}';
	rc = parse(&parser_json, line, (size_t)(p - line), &ev);
	tap_ok(rc == 0 && ev.nfields == 128 && ev.fields_dropped == 872,
	    "json: fields past max_fields are dropped and counted");

	/* 1000 times the same key: one field, the last value. */
	p = line;
	*p++ = '{';
	for (i = 0; i < 1000; i++)
		p += sprintf(p, "%s\"k\":%zu", i ? "," : "", i);
	*p++ = '}';
	rc = parse(&parser_json, line, (size_t)(p - line), &ev);
	tap_ok(rc == 0 && ev.nfields == 1 && ev.fields[0].val.n == 3 &&
	    memcmp(ev.fields[0].val.p, "999", 3) == 0, "json: a repeated key keeps its last value");

	/* Every byte value at every position of a small object: no crash, always an answer. */
	{
		char tmpl[] = "{\"msg\":\"ab\",\"n\":1}";
		int fine = 1;
		size_t pos;
		int b;

		for (pos = 0; pos < sizeof tmpl - 1; pos++)
			for (b = 0; b < 256; b++) {
				char copy[sizeof tmpl];

				memcpy(copy, tmpl, sizeof tmpl);
				copy[pos] = (char)b;
				rc = parse(&parser_json, copy, sizeof tmpl - 1, &ev);
				if (rc != 0 && rc != PARSE_DECLINED)
					fine = 0;
				if (rc == PARSE_DECLINED && ev.parse_error.n == 0)
					fine = 0;
			}
		tap_ok(fine, "json: every single-byte change parses or is declined with a reason");
	}

	/* A full arena: AGENT_E_TOOBIG, so the caller can retry in a fresh batch. */
	{
		struct arena small;
		struct parse_ctx sctx = { &small, 128, 64, &parse_opts_default };

		arena_init(&small, 64, 64);
		memset(&ev, 0, sizeof ev);
		rc = parser_json.parse(&sctx, "{\"msg\":\"a\\nb\",\"k\":1,\"j\":2}", 27, &ev);
		tap_is_int(rc, AGENT_E_TOOBIG, "json: a full arena says so");
		arena_free(&small);
	}
	/* RFC 3164 has no year: the receive time's, or the year before if that is in the future. */
	{
		const char *dec = "Dec 31 23:59:00 h app: x", *jan = "Jan  1 00:00:05 h app: y";
		const int64_t recv = 1798761610LL * 1000000000LL;	/* 2027-01-01T00:00:10Z */

		arena_reset(&arena);
		memset(&ev, 0, sizeof ev);
		ev.time_ns = recv;
		rc = parser_syslog.parse(&ctx, dec, strlen(dec), &ev);
		tap_ok(rc == 0 && ev.time_ns == 1798761540LL * 1000000000LL,
		    "syslog: a December line read on New Year's day is last year's");
		memset(&ev, 0, sizeof ev);
		ev.time_ns = recv;
		rc = parser_syslog.parse(&ctx, jan, strlen(jan), &ev);
		tap_ok(rc == 0 && ev.time_ns == 1798761605LL * 1000000000LL,
		    "syslog: a January line then is this year's");
	}
	free(line);
	arena_free(&arena);
	return tap_done();
}
