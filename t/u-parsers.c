/* SPDX-License-Identifier: MIT */
/* u-parsers.c: the table-driven parser cases in t/data/parsers/<format>.cases. */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "parser.h"
#include "sink.h"
#include "tap.h"

/*
 * A case is three lines, cases are separated by blank lines, and lines
 * starting with # between cases are comments:
 *   FORMAT [escaped]
 *   INPUT            (escaped: |...| with \n \r \t \\ \0 \xNN)
 *   EXPECTED         (the event as the ndjson encoder writes it)
 * The line is parsed as the pipeline does it: a declined line falls back
 * to plain with parse_error. The receive time is 0 and the source "t".
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

static void
run_case(const char *where, const char *fmtline, const char *input,
    const char *want)
{
	char fmt[32], *line;
	const struct parser_ops *ops;
	struct parse_ctx ctx;
	struct arena a;
	struct event ev;
	struct encode_opts eo = { 0, 0 };
	struct buf out;
	size_t n;
	int escaped;

	escaped = strstr(fmtline, " escaped") != NULL;
	sscanf(fmtline, "%31s", fmt);
	if ((ops = parser_find(fmt)) == NULL) {
		tap_ok(0, "%s: unknown format \"%s\"", where, fmt);
		return;
	}
	line = malloc(strlen(input) + 1);
	if (escaped) {
		n = strlen(input);
		if (n < 2 || input[0] != '|' || input[n - 1] != '|') {
			tap_ok(0, "%s: escaped input must be |...|", where);
			free(line);
			return;
		}
		((char *)input)[n - 1] = '\0';
		n = unescape(input + 1, line);
	} else {
		n = strlen(input);
		memcpy(line, input, n);
	}
	arena_init(&a, 4096, 1 << 26);
	ctx.arena = &a;
	ctx.max_fields = 16;
	ctx.max_depth = 8;
	memset(&ev, 0, sizeof ev);
	ev.flags = EVENT_TIME_RECV;
	ev.level = LEVEL_INFO;
	ev.message = (struct slice){ line, n };
	ev.source = SLICE_LIT("t");
	parser_run(ops, &ctx, line, n, &ev);
	buf_init(&out, 1 << 26);
	encoder_run(&enc_ndjson, &eo, &ev, 1, &out);
	if (out.len > 0)
		out.len--;	/* the newline */
	tap_is_mem(out.p, out.len, want, where);
	buf_free(&out);
	arena_free(&a);
	free(line);
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
