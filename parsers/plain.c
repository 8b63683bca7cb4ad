/* SPDX-License-Identifier: MIT */
/* plain.c: free text; finds a leading timestamp and a level word near the start. */
#include "config.h"

#include <string.h>

#include "level.h"
#include "parser.h"
#include "timeparse.h"

/* How far into the line a level word may stand: past that it is prose. */
#define PLAIN_LEVEL_TOKENS	4
#define PLAIN_LEVEL_SPAN	128

static int
plain_is_space(char c)
{
	return c == ' ' || c == '\t';
}

static int
plain_is_upper_word(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] < 'A' || p[i] > 'Z')
			return 0;
	return n > 0;
}

/*
 * Is the token t[0..n) a level? Accepted shapes: "[ERROR]", "<warn>",
 * "(info)", "error:", "ERROR", "level=warn" (also lvl=, severity=), and
 * Python's "WARNING:root:...". A bare lowercase word is prose ("error
 * rates fell"), so it counts only when decorated.
 */
static int
plain_token_level(const char *t, size_t n, enum level *l)
{
	static const char *const keys[] = { "level=", "lvl=", "severity=", NULL };
	const char *w = t;
	size_t k, len, wn;
	int decorated = 0;

	for (k = 0; keys[k] != NULL; k++) {
		len = strlen(keys[k]);
		if (n > len && strncmp(t, keys[k], len) == 0) {
			w = t + len;
			wn = n - len;
			if (wn >= 2 && w[0] == '"' && w[wn - 1] == '"') {
				w++;
				wn -= 2;
			}
			return level_from_word(w, wn, 1, l);
		}
	}
	if (n >= 2 && (t[0] == '[' || t[0] == '<' || t[0] == '(')) {
		w = t + 1;
		decorated = 1;
	}
	for (wn = 0; w + wn < t + n && w[wn] != ']' && w[wn] != '>' &&
	    w[wn] != ')' && w[wn] != ':' && w[wn] != ','; wn++)
		;
	if (w + wn < t + n)
		decorated = 1;
	if (!decorated && !plain_is_upper_word(w, wn))
		return -1;
	return level_from_word(w, wn, 0, l);
}

/*
 * glog: "W1122 10:00:00.123456 12345 file.go:42] message". The letter is
 * the level, then month and day (the year is inferred from recv_ns, as
 * for syslog) and local time, which we take as UTC like every zoneless
 * time; the header ends at the first "] ".
 */
static int
plain_glog(const char *p, size_t n, int64_t recv_ns, enum level *l,
    int64_t *ns, size_t *msg)
{
	const char *end;
	int64_t day_ns;
	unsigned mon, day;
	size_t i;

	if (n < 14 || strchr("IWEF", p[0]) == NULL || p[0] == '\0')
		return -1;
	for (i = 1; i < 5; i++)
		if (p[i] < '0' || p[i] > '9')
			return -1;
	mon = (unsigned)(p[1] - '0') * 10 + (unsigned)(p[2] - '0');
	day = (unsigned)(p[3] - '0') * 10 + (unsigned)(p[4] - '0');
	if (p[5] != ' ' || mon < 1 || mon > 12 || day < 1 || day > 31 ||
	    time_parse_clock(p + 6, n - 6, &day_ns) == 0)
		return -1;
	level_from_word(p, 1, 1, l);
	*ns = time_without_year(mon, day, day_ns, recv_ns);
	end = memmem(p, n < PLAIN_LEVEL_SPAN ? n : PLAIN_LEVEL_SPAN, "] ", 2);
	*msg = end != NULL ? (size_t)(end - p) + 2 : 0;
	return 0;
}

static size_t
plain_skip_separators(const char *p, size_t n, size_t i)
{
	while (i < n && (plain_is_space(p[i]) || p[i] == '-' || p[i] == '|' ||
	    p[i] == ':'))
		i++;
	return i;
}

static int
plain_parse(const struct parse_ctx *ctx, const char *line, size_t n,
    struct event *ev)
{
	size_t i = 0, used, start, tok, msg;
	int64_t ns;
	enum level l;
	int k;

	while (i < n && plain_is_space(line[i]))
		i++;
	if (plain_glog(line + i, n - i, ev->time_ns, &l, &ns, &msg) == 0) {
		ev->level = l;
		ev->time_ns = ns;
		ev->flags &= ~EVENT_TIME_RECV;
		ev->message = (struct slice){ line + i + msg, n - i - msg };
		return 0;
	}
	/* A leading timestamp, bare or in brackets, or as the source says. */
	if (ctx->opts->time_format == TIME_FORMAT_PATTERN &&
	    (used = time_parse_pattern(ctx->opts->time_pattern, line + i,
	    n - i < 64 ? n - i : 64, &ns)) != 0) {
		ev->time_ns = ns;
		ev->flags &= ~EVENT_TIME_RECV;
		i += used;
	} else if (i < n && line[i] == '[' &&
	    (used = time_parse_rfc3339(line + i + 1, n - i - 1, &ns)) != 0 &&
	    i + 1 + used < n && line[i + 1 + used] == ']') {
		ev->time_ns = ns;
		ev->flags &= ~EVENT_TIME_RECV;
		i += used + 2;
	} else if ((used = time_parse_rfc3339(line + i, n - i, &ns)) != 0) {
		ev->time_ns = ns;
		ev->flags &= ~EVENT_TIME_RECV;
		i += used;
	}
	while (i < n && plain_is_space(line[i]))
		i++;
	start = i;
	for (k = 0; k < PLAIN_LEVEL_TOKENS && i < n &&
	    i - start < PLAIN_LEVEL_SPAN; k++) {
		tok = i;
		while (i < n && !plain_is_space(line[i]))
			i++;
		if (plain_token_level(line + tok, i - tok, &l) == 0) {
			ev->level = l;
			/* Strip the word only when it leads the message. */
			if (k == 0) {
				/* Python: "ERROR:name:msg" keeps "name:msg". */
				msg = tok;
				while (msg < i && line[msg] != ':' &&
				    line[msg] != ']' && line[msg] != '>' &&
				    line[msg] != ')')
					msg++;
				start = plain_skip_separators(line, n,
				    msg < i ? msg + 1 : i);
			}
			break;
		}
		while (i < n && plain_is_space(line[i]))
			i++;
	}
	ev->message = (struct slice){ line + start, n - start };
	return 0;
}

static int
plain_probe(const char *line, size_t n)
{
	return 10;	/* anything is text; every other format outbids this */
}

const struct parser_ops parser_plain = {
	.name = "plain",
	.help = "free text; a leading time and a level word ([ERROR], WARN:, level=info, glog W1122) are picked up",
	.probe = plain_probe,
	.parse = plain_parse,
};
