/* SPDX-License-Identifier: MIT */
/* u-parsers.c: the table-driven parser cases in t/data/parsers/<format>.cases. */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "conf.h"
#include "buf.h"
#include "parser.h"
#include "sink.h"
#include "tap.h"

/*
 * A case is three lines, cases are separated by blank lines, and lines
 * starting with # between cases are comments:
 *   FORMAT [escaped] [OPTION=VALUE...]
 *   INPUT            (escaped: |...| with \n \r \t \\ \0 \xNN)
 *   EXPECTED         (the event as the ndjson encoder writes it)
 * The line is parsed as the pipeline does it: a declined line falls back
 * to plain with parse_error. The receive time is 0 and the source "t".
 * Options are a source's parse keys (flatten, time_key=..., time_format=...,
 * level_key=..., latency_key=..., latency_unit=...; values escaped as above,
 * \x20 for a space) and recv=NS, the receive time.
 */

static size_t
unescape(const char *in, char *out)
{
	size_t n = 0;
	unsigned v;

	while (*in != '\0') {
		if (*in != '\\') {
			out[n++] = *in++;
			continue;
		}
		in++;
		switch (*in) {
		case 'n': out[n++] = '\n'; in++; break;
		case 'r': out[n++] = '\r'; in++; break;
		case 't': out[n++] = '\t'; in++; break;
		case '0': out[n++] = '\0'; in++; break;
		case 'x':
			sscanf(in + 1, "%2x", &v);
			out[n++] = (char)v;
			in += 3;
			break;
		default: out[n++] = *in++; break;
		}
	}
	return n;
}

/* A context and an event as the pipeline sets them up for a line (the caller frees a). */
static void
case_setup(struct parse_ctx *ctx, struct arena *a, const struct parse_opts *po,
    struct event *ev, const char *line, size_t n, int64_t recv)
{
	arena_init(a, 4096, 1 << 26);
	ctx->arena = a;
	ctx->max_fields = 16;
	ctx->max_depth = 8;
	ctx->opts = po;
	memset(ev, 0, sizeof *ev);
	ev->time_ns = recv;
	ev->flags = EVENT_TIME_RECV;
	ev->level = LEVEL_INFO;
	ev->message = (struct slice){ line, n };
	ev->source = SLICE_LIT("t");
}

/* The options after FORMAT into cp (strings malloc'd) and *recv. */
static int
case_options(const char *fmtline, struct conf_parse *cp, int64_t *recv)
{
	static const char *const units[] = { "auto", "s", "ms", "us", "ns", NULL };
	char tok[256], val[256];
	const char *p = fmtline;
	char **dst;
	int len, i;

	memset(cp, 0, sizeof *cp);
	*recv = 0;
	while (sscanf(p, " %255s%n", tok, &len) == 1) {
		p += len;
		val[unescape(strchr(tok, '=') ? strchr(tok, '=') + 1 : "", val)] = '\0';
		dst = NULL;
		if (strcmp(tok, "flatten") == 0)
			cp->flatten = 1;
		else if (strncmp(tok, "recv=", 5) == 0)
			*recv = strtoll(val, NULL, 10);
		else if (strncmp(tok, "time_key=", 9) == 0)
			dst = &cp->time_key;
		else if (strncmp(tok, "time_format=", 12) == 0)
			dst = &cp->time_format;
		else if (strncmp(tok, "level_key=", 10) == 0)
			dst = &cp->level_key;
		else if (strncmp(tok, "latency_key=", 12) == 0)
			dst = &cp->latency_key;
		else if (strncmp(tok, "latency_unit=", 13) == 0) {
			for (i = 0; units[i] != NULL && strcmp(units[i], val) != 0; i++)
				;
			if (units[i] == NULL)
				return -1;
			cp->latency_unit = i;
		} else if (strcmp(tok, "escaped") != 0)
			return -1;
		if (dst != NULL)
			*dst = strdup(val);
	}
	return 0;
}

static void
run_case(const char *where, const char *fmtline, const char *input,
    const char *want)
{
	char fmt[32], *line;
	const struct parser_ops *ops;
	struct parse_ctx ctx;
	struct arena a;
	struct event ev;
	struct encode_opts eo = { 0, 0, 0 };
	struct conf_parse cp;
	struct parse_opts po;
	int64_t recv;
	struct buf out;
	size_t n;
	int escaped;

	escaped = strstr(fmtline, " escaped") != NULL;
	sscanf(fmtline, "%31s", fmt);
	if (case_options(fmtline + strlen(fmt), &cp, &recv) != 0 ||
	    parser_opts_from_conf(&cp, &po) != 0) {
		tap_ok(0, "%s: bad options \"%s\"", where, fmtline);
		goto out_opts;
	}
	if ((ops = parser_find(fmt)) == NULL) {
		tap_ok(0, "%s: unknown format \"%s\"", where, fmt);
		goto out_opts;
	}
	line = malloc(strlen(input) + 1);
	if (escaped) {
		n = strlen(input);
		if (n < 2 || input[0] != '|' || input[n - 1] != '|') {
			tap_ok(0, "%s: escaped input must be |...|", where);
			free(line);
			goto out_opts;
		}
		((char *)input)[n - 1] = '\0';
		n = unescape(input + 1, line);
	} else {
		n = strlen(input);
		memcpy(line, input, n);
	}
	case_setup(&ctx, &a, &po, &ev, line, n, recv);
	parser_run(ops, &ctx, line, n, &ev);
	buf_init(&out, 1 << 26);
	encoder_run(&enc_ndjson, &eo, &ev, 1, &out);
	if (out.len > 0)
		out.len--;	/* the newline */
	tap_is_mem(out.p, out.len, want, where);
	buf_free(&out);
	arena_free(&a);
	free(line);
out_opts:
	free(cp.time_key);
	free(cp.time_format);
	free(cp.level_key);
	free(cp.latency_key);
}

static void
run_file(const char *path, const char *name)
{
	char *lines[3], where[256], buf[1 << 16];
	FILE *f = fopen(path, "r");
	int lineno = 0, have = 0, start = 0;
	size_t len;

	if (f == NULL) {
		tap_ok(0, "cannot open %s", path);
		return;
	}
	while (fgets(buf, sizeof buf, f) != NULL) {
		lineno++;
		len = strlen(buf);
		if (len > 0 && buf[len - 1] == '\n')
			buf[--len] = '\0';
		if (have == 0 && (len == 0 || buf[0] == '#'))
			continue;
		if (len == 0) {
			tap_ok(0, "%s:%d: a case has %d lines, not 3", name, start, have);
			while (have > 0)
				free(lines[--have]);
			continue;
		}
		if (have == 0)
			start = lineno;
		lines[have++] = strdup(buf);
		if (have == 3) {
			snprintf(where, sizeof where, "%s:%d", name, start);
			run_case(where, lines[0], lines[1], lines[2]);
			while (have > 0)
				free(lines[--have]);
		}
	}
	if (have != 0)
		tap_ok(0, "%s:%d: unfinished case", name, start);
	while (have > 0)
		free(lines[--have]);
	fclose(f);
}

/* One line through auto with a file's state; the event as ndjson in out. */
static int
auto_line(struct auto_state *st, const char *line, struct buf *out)
{
	struct encode_opts eo = { 0, 0, 0 };
	struct parse_ctx ctx;
	struct arena a;
	struct event ev;
	int rc;

	case_setup(&ctx, &a, &parse_opts_default, &ev, line, strlen(line), 0);
	rc = auto_run(st, &ctx, line, strlen(line), &ev);
	buf_clear(out);
	encoder_run(&enc_ndjson, &eo, &ev, 1, out);
	buf_putc(out, '\0');	/* the tests use strstr */
	arena_free(&a);
	return rc;
}

/* auto decides per file from its first lines, and per line after that. */
static void
test_auto_learning(void)
{
	struct auto_state st;
	struct buf out;
	int i, rc;

	buf_init(&out, 1 << 20);
	memset(&st, 0, sizeof st);
	auto_line(&st, "", &out);
	for (i = 0; i < AUTO_LEARN_LINES; i++)
		auto_line(&st, "level=info msg=\"hello\" n=1", &out);
	tap_ok(st.format == &parser_logfmt, "auto: eight logfmt lines make a logfmt file "
	    "(blank lines do not vote)");
	rc = auto_line(&st, "count=5", &out);
	tap_ok(rc == 0 && strstr(out.p, "\"count\":5") != NULL,
	    "auto: a logfmt file reads a lone pair as logfmt, which one line alone would not");
	rc = auto_line(&st, "{\"msg\":\"json here\",\"k\":1}", &out);
	tap_ok(rc == 0 && strstr(out.p, "\"message\":\"json here\"") != NULL,
	    "auto: a line the file's format refuses is judged on its own");
	rc = auto_line(&st, "just words", &out);
	tap_ok(rc == 0 && strstr(out.p, "parse_error") == NULL &&
	    strstr(out.p, "\"message\":\"just words\"") != NULL,
	    "auto: a line of text in a logfmt file is text, not an error");
	rc = auto_line(&st, "a=1 b=\"unterminated", &out);
	tap_ok(rc == 1 && strstr(out.p, "\"parse_error\":\"logfmt: unterminated") != NULL,
	    "auto: a broken logfmt line is plain text with logfmt's reason");

	memset(&st, 0, sizeof st);
	for (i = 0; i < AUTO_LEARN_LINES; i++)
		auto_line(&st, i % 2 ? "{\"msg\":\"a\"}" : "plain words", &out);
	tap_ok(st.format == &parser_auto, "auto: a mixed file stays line by line");
	rc = auto_line(&st, "a=1 b=2", &out);
	tap_ok(rc == 0 && strstr(out.p, "\"a\":1") != NULL,
	    "auto: line by line, logfmt is still found");

	memset(&st, 0, sizeof st);
	for (i = 0; i < AUTO_LEARN_LINES; i++)
		auto_line(&st, "Starting the server on port 8080", &out);
	tap_ok(st.format == &parser_auto, "auto: a text file is not pinned to plain");
	rc = auto_line(&st, "{\"level\":\"error\",\"msg\":\"json after banners\"}", &out);
	tap_ok(rc == 0 && strstr(out.p, "\"level\":\"error\"") != NULL,
	    "auto: JSON after a text banner is still JSON");
	buf_free(&out);
}

/*
 * Pretty text wraps at the terminal's width: rows fit, the rows after the
 * first begin at the message's column, breaks fall on spaces, and the
 * rows joined again are the line unwrapped.
 */
static void
test_pretty_wrap(void)
{
	struct encode_opts eo = { 0, 0, 40 };
	struct field f[2] = {
		{ SLICE_LIT("path"), SLICE_LIT("/api/items/42"), FIELD_STRING },
		{ SLICE_LIT("id"), SLICE_LIT("0123456789abcdef0123456789abcdef0123456789"), FIELD_STRING },
	};
	struct event ev;
	struct buf wrapped, flat, joined;
	size_t i, e, indent = 0, rows = 0, widest = 0;
	int indented = 1;

	memset(&ev, 0, sizeof ev);
	ev.level = LEVEL_WARN;
	ev.message = SLICE_LIT("the upstream answered after a long wait and the request was retried twice");
	ev.fields = f;
	ev.nfields = 2;
	buf_init(&wrapped, 1 << 16);
	buf_init(&flat, 1 << 16);
	buf_init(&joined, 1 << 16);
	encoder_run(&enc_pretty, &eo, &ev, 1, &wrapped);
	eo.width = 0;
	encoder_run(&enc_pretty, &eo, &ev, 1, &flat);
	indent = (size_t)(strstr(flat.p, "the upstream") - flat.p);
	for (i = 0; i < wrapped.len; i = e + 1, rows++) {
		for (e = i; wrapped.p[e] != '\n'; e++)
			;
		if (e - i > widest)
			widest = e - i;
		if (rows > 0) {
			indented &= strspn(wrapped.p + i, " ") == indent;
			/* A row broken at a space lost it; one broken inside a word did not. */
			if (joined.len < flat.len && flat.p[joined.len] == ' ')
				buf_putc(&joined, ' ');
			buf_append(&joined, wrapped.p + i + indent, e - i - indent);
		} else
			buf_append(&joined, wrapped.p + i, e - i);
	}
	buf_putc(&joined, '\n');
	tap_ok(rows >= 4 && widest <= 40, "wrapped at 40 columns: %zu rows, the widest %zu", rows, widest);
	tap_ok(indented, "rows after the first indented %zu columns, to the message", indent);
	tap_ok(joined.len == flat.len && memcmp(joined.p, flat.p, flat.len) == 0,
	    "joined again, the rows are the line: %.*s", (int)joined.len - 1, joined.p);
	buf_free(&wrapped);
	buf_free(&flat);
	buf_free(&joined);
}

int
main(int argc, char **argv)
{
	const char *src = getenv("T_SRC");
	char dir[4096], path[8192];
	struct dirent **names;
	int i, n;

	snprintf(dir, sizeof dir, "%s/t/data/parsers", src ? src : ".");
	if (argc > 1) {
		for (i = 1; i < argc; i++)
			run_file(argv[i], argv[i]);
		return tap_done();
	}
	test_auto_learning();
	test_pretty_wrap();
	if ((n = scandir(dir, &names, NULL, alphasort)) < 0) {
		tap_ok(0, "cannot read %s (set T_SRC)", dir);
		return tap_done();
	}
	for (i = 0; i < n; i++) {
		size_t l = strlen(names[i]->d_name);

		if (l > 6 && strcmp(names[i]->d_name + l - 6, ".cases") == 0) {
			snprintf(path, sizeof path, "%s/%s", dir, names[i]->d_name);
			run_file(path, names[i]->d_name);
		}
		free(names[i]);
	}
	free(names);
	return tap_done();
}
