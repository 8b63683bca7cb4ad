/* SPDX-License-Identifier: MIT */
/* multiline.c: stack traces and other continued lines become one event. */
#include "config.h"

#include <string.h>

#include "agent.h"
#include "multiline.h"
#include "parser.h"

int
multiline_init(struct multiline *ml, const struct conf_multiline *conf,
    int cri)
{
	memset(ml, 0, sizeof *ml);
	ml->conf = conf;
	ml->cri = cri && conf != NULL;
	if (ml->cri) {
		buf_init(&ml->group, conf->max_bytes + 1);
		return 0;
	}
	if (conf == NULL || conf->mode == MULTILINE_OFF)
		return 0;
	buf_init(&ml->group, conf->max_bytes + 1);
	if (conf->mode == MULTILINE_START && conf->start_pattern != NULL &&
	    regcomp(&ml->re, conf->start_pattern, REG_EXTENDED | REG_NOSUB) == 0)
		ml->have_re = 1;
	return 0;
}

void
multiline_free(struct multiline *ml)
{
	if (ml->have_re)
		regfree(&ml->re);
	ml->have_re = 0;
	buf_free(&ml->group);
}

static int
multiline_prefix(const char *line, size_t n, const char *word)
{
	size_t k = strlen(word);

	return n >= k && memcmp(line, word, k) == 0;
}

static int
multiline_ident(char c, int first)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	    c == '$' || (!first && c >= '0' && c <= '9');
}

/*
 * A Java exception header: a dotted class name ending in Exception, Error
 * or Throwable, then ": " or the end ("java.lang.IllegalStateException: x").
 * Such a line follows the log line that reports it, unindented.
 */
static int
multiline_java_exception(const char *line, size_t n)
{
	static const char *const ends[] = { "Exception", "Error", "Throwable", NULL };
	size_t i = 0, word = 0, dots = 0, k, len;

	while (i < n) {
		if (!multiline_ident(line[i], 1))
			return 0;
		word = i;
		while (i < n && multiline_ident(line[i], 0))
			i++;
		if (i < n && line[i] == '.') {
			dots++;
			i++;
			continue;
		}
		break;
	}
	if (dots == 0 || (i < n && !(line[i] == ':' && i + 1 < n && line[i + 1] == ' ')))
		return 0;
	for (k = 0; ends[k] != NULL; k++) {
		len = strlen(ends[k]);
		if (i - word >= len && memcmp(line + i - len, ends[k], len) == 0)
			return 1;
	}
	return 0;
}

/* Does this line begin a new event? */
static int
multiline_starts(struct multiline *ml, const char *line, size_t n)
{
	char tmp[1024];
	size_t k;

	if (ml->conf->mode == MULTILINE_INDENT)
		return !((n > 0 && (line[0] == ' ' || line[0] == '\t')) ||
		    multiline_prefix(line, n, "Caused by:") ||
		    multiline_prefix(line, n, "Suppressed:") ||
		    multiline_java_exception(line, n));
	if (!ml->have_re)
		return 1;
	/* regexec needs a C string: the pattern looks at the start of the line. */
	k = n < sizeof tmp - 1 ? n : sizeof tmp - 1;
	memcpy(tmp, line, k);
	tmp[k] = '\0';
	return regexec(&ml->re, tmp, 0, NULL, 0) == 0;
}

void
multiline_flush(struct multiline *ml, linesplit_fn emit, void *arg)
{
	if (ml->lines == 0)
		return;
	emit(arg, ml->group.p, ml->group.len, ml->flags, ml->end);
	buf_clear(&ml->group);
	ml->lines = 0;
	ml->flags = 0;
}

/* Append what fits of p[0..n) to the group; past max_bytes, mark it truncated. */
static void
multiline_append(struct multiline *ml, const char *p, size_t n, unsigned flags)
{
	size_t room = ml->group.cap - 1 - ml->group.len;

	if (n > room) {
		n = room;
		flags |= EVENT_TRUNCATED;
	}
	buf_append(&ml->group, p, n);
	ml->flags |= flags;
}

/* CRI: P parts wait for the F that ends them; the joined line keeps the first header. */
static void
multiline_cri(struct multiline *ml, const char *line, size_t n, unsigned flags,
    uint64_t end, int64_t now_ns, linesplit_fn emit, void *arg)
{
	struct slice stream;
	int64_t ns;
	size_t at;
	char tag;

	if ((at = cri_header(line, n, &ns, &stream, &tag)) == 0) {
		multiline_flush(ml, emit, arg);
		emit(arg, line, n, flags, end);
		return;
	}
	/*
	 * stdout and stderr interleave in one file: a full line of the other
	 * stream passes by a waiting group; a part of it starts its own.
	 */
	if (ml->lines > 0 && stream.p[3] != ml->cri_stream) {
		if (tag == 'F') {
			emit(arg, line, n, flags, end);
			return;
		}
		multiline_flush(ml, emit, arg);
	}
	if (ml->lines == 0 && tag == 'F') {
		emit(arg, line, n, flags, end);
		return;
	}
	if (ml->lines == 0) {
		/* The first part's header, its tag made F: the line is whole now. */
		size_t tagpos = line[at - 1] == ' ' ? at - 2 : at - 1;

		multiline_append(ml, line, at, flags);
		if (tagpos < ml->group.len)
			ml->group.p[tagpos] = 'F';
		ml->cri_stream = stream.p[3];
	}
	multiline_append(ml, line + at, n - at, flags);
	ml->lines++;
	ml->end = end;
	ml->started_ns = now_ns;
	if (tag == 'F' || ml->group.len >= ml->conf->max_bytes)
		multiline_flush(ml, emit, arg);
}

void
multiline_line(struct multiline *ml, const char *line, size_t n, unsigned flags,
    uint64_t end, int64_t now_ns, linesplit_fn emit, void *arg)
{
	size_t room;

	if (ml->cri) {
		multiline_cri(ml, line, n, flags, end, now_ns, emit, arg);
		return;
	}
	if (ml->conf == NULL || ml->conf->mode == MULTILINE_OFF) {
		emit(arg, line, n, flags, end);
		return;
	}
	if (ml->lines > 0 && multiline_starts(ml, line, n))
		multiline_flush(ml, emit, arg);
	if (ml->lines == 0)
		ml->started_ns = now_ns;
	else
		buf_putc(&ml->group, '\n');
	/* Past max_bytes the rest of the line is dropped and the event marked. */
	room = ml->group.cap - 1 - ml->group.len;
	if (n > room) {
		n = room;
		flags |= EVENT_TRUNCATED;
	}
	buf_append(&ml->group, line, n);
	ml->lines++;
	ml->flags |= flags;
	ml->end = end;
	if (ml->lines >= (unsigned)ml->conf->max_lines ||
	    ml->group.len >= ml->conf->max_bytes)
		multiline_flush(ml, emit, arg);
}

void
multiline_timeout(struct multiline *ml, int64_t now_ns, linesplit_fn emit,
    void *arg)
{
	if (ml->lines > 0 && ml->conf != NULL &&
	    now_ns - ml->started_ns >= ml->conf->flush_ms * 1000000LL)
		multiline_flush(ml, emit, arg);
}
