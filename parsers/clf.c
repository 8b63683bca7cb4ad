/* SPDX-License-Identifier: MIT */
/* clf.c: access logs: Common and Combined Log Format, nginx with request times, Apache %D. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "parser.h"
#include "timeparse.h"

/*
 * host ident user [time] "request" status bytes ["referer" "agent"] [extra]
 * The extras are what nginx and Apache configs append most often: nginx's
 * $request_time and $upstream_response_time (seconds with a fraction), or
 * Apache's %D (whole microseconds). A whole number is taken as %D, a
 * number with a fraction as seconds; "-" is absent.
 */
struct clf_scan {
	const char *p;
	size_t n;
	size_t i;
};

static void
clf_space(struct clf_scan *s)
{
	while (s->i < s->n && s->p[s->i] == ' ')
		s->i++;
}

/* A bare token up to the next space. */
static int
clf_token(struct clf_scan *s, struct slice *out)
{
	size_t start = s->i;

	/* Tokens are short ("-", "200", an address): a loop beats a memchr call. */
	while (s->i < s->n && s->p[s->i] != ' ')
		s->i++;
	*out = (struct slice){ s->p + start, s->i - start };
	clf_space(s);
	return out->n > 0 ? 0 : -1;
}

/* A "quoted" string; a backslash escapes the next byte (Apache) and is kept. */
static int
clf_quoted(struct clf_scan *s, struct slice *out)
{
	size_t start;

	if (s->i >= s->n || s->p[s->i] != '"')
		return -1;
	start = ++s->i;
	/* memchr to the next quote; byte by byte only past a backslash before it. */
	for (;;) {
		const char *q = s->i < s->n ? memchr(s->p + s->i, '"', s->n - s->i) : NULL;
		const char *b;

		if (q == NULL) {
			s->i = s->n;	/* where the error is reported: the end, unclosed */
			return -1;
		}
		b = memchr(s->p + s->i, '\\', (size_t)(q - (s->p + s->i)));
		if (b == NULL) {
			s->i = (size_t)(q - s->p);
			break;
		}
		s->i = (size_t)(b - s->p) + 2;	/* the escaped byte, whatever it is */
	}
	*out = (struct slice){ s->p + start, s->i - start };
	s->i++;
	clf_space(s);
	return 0;
}

static int
clf_is_dash(struct slice v)
{
	return v.n == 1 && v.p[0] == '-';
}

static int
clf_digits(struct slice v)
{
	size_t i;

	for (i = 0; i < v.n; i++)
		if (v.p[i] < '0' || v.p[i] > '9')
			return 0;
	return v.n > 0 && v.n <= 18;
}

/* A number with one fraction point: nginx's seconds. */
static int
clf_seconds(struct slice v)
{
	size_t i, dots = 0;

	for (i = 0; i < v.n; i++) {
		if (v.p[i] == '.')
			dots++;
		else if (v.p[i] < '0' || v.p[i] > '9')
			return 0;
	}
	return dots == 1 && v.n > 1 && v.p[0] != '.' && v.p[v.n - 1] != '.';
}

/* Each of clf's keys comes once (but "extra"): no need to look for it first. */
#define clf_add(ctx, ev, key, val, type) \
	parser_add_field_new((ctx), (ev), SLICE_LIT(key), (val), (type))

static int
clf_parse(const struct parse_ctx *ctx, const char *line, size_t n,
    struct event *ev)
{
	struct clf_scan s = { line, n, 0 };
	struct slice host, ident, user, req, status, bytes, ref, ua, extra, lat;
	int64_t ns;
	size_t used;
	int rc = 0, lr, nextra = 0;

	clf_space(&s);
	if (clf_token(&s, &host) || clf_token(&s, &ident) || clf_token(&s, &user))
		return parser_decline(ctx, ev, "clf", "expected host, ident and user", s.i);
	if (s.i >= n || line[s.i] != '[' ||
	    (used = time_parse_clf(line + s.i + 1, n - s.i - 1, &ns)) == 0 ||
	    s.i + 1 + used >= n || line[s.i + 1 + used] != ']')
		return parser_decline(ctx, ev, "clf", "expected [dd/Mon/yyyy:hh:mm:ss +zzzz]", s.i);
	s.i += used + 2;
	clf_space(&s);
	if (clf_quoted(&s, &req) != 0)
		return parser_decline(ctx, ev, "clf", "expected a \"request\"", s.i);
	if (clf_token(&s, &status) || status.n != 3 || !clf_digits(status))
		return parser_decline(ctx, ev, "clf", "expected a three-digit status", s.i);
	if (clf_token(&s, &bytes) || (!clf_digits(bytes) && !clf_is_dash(bytes)))
		return parser_decline(ctx, ev, "clf", "expected a byte count", s.i);
	ev->time_ns = ns;
	ev->flags &= ~EVENT_TIME_RECV;
	/* The status says the level: 5xx error, 4xx warn, else info. */
	ev->level = status.p[0] == '5' ? LEVEL_ERROR : status.p[0] == '4' ?
	    LEVEL_WARN : LEVEL_INFO;
	ev->message = req;
	/* Up to a dozen fields: one array, not one and a copy. */
	rc |= parser_fields_reserve(ctx, ev, 16);
	rc |= clf_add(ctx, ev, "remote_addr", host, FIELD_STRING);
	if (!clf_is_dash(user))
		rc |= clf_add(ctx, ev, "user", user, FIELD_STRING);
	/* "GET /path?query HTTP/1.1": method, path, query, protocol. */
	rc |= parser_request_line(ctx, ev, req);
	rc |= clf_add(ctx, ev, "status", status, FIELD_NUMBER);
	if (!clf_is_dash(bytes))
		rc |= clf_add(ctx, ev, "bytes", bytes, FIELD_NUMBER);
	if (s.i < n && line[s.i] == '"') {
		if (clf_quoted(&s, &ref) != 0 || clf_quoted(&s, &ua) != 0)
			return parser_decline(ctx, ev, "clf", "expected \"referer\" \"user-agent\"", s.i);
		if (!clf_is_dash(ref))
			rc |= clf_add(ctx, ev, "referer", ref, FIELD_STRING);
		if (!clf_is_dash(ua))
			rc |= clf_add(ctx, ev, "user_agent", ua, FIELD_STRING);
	}
	/* Extras: the first timing is the request's latency, the second the upstream's. */
	while (s.i < n && clf_token(&s, &extra) == 0) {
		if (clf_is_dash(extra)) {
			nextra++;
			continue;
		}
		/* nginx writes seconds with a fraction, Apache's %D whole microseconds. */
		lr = clf_seconds(extra) ? parser_latency(ctx, extra, LATENCY_UNIT_S, &lat) :
		    clf_digits(extra) ? parser_latency(ctx, extra, LATENCY_UNIT_US, &lat) : 1;
		if (lr == AGENT_E_TOOBIG)
			return lr;
		if (lr == 1) {
			/* Not a timing (a log_format of one's own): kept as it is. */
			rc |= parser_add_field(ctx, ev, SLICE_LIT("extra"), extra,
			    FIELD_STRING);
			continue;
		}
		rc |= parser_add_field_new(ctx, ev, nextra == 0 ? SLICE_LIT("latency") :
		    SLICE_LIT("upstream_latency"), lat, FIELD_NUMBER);
		nextra++;
	}
	return rc != 0 ? AGENT_E_TOOBIG : 0;
}

/* An IP or host, two tokens, then "[dd/Mon/": access log. */
static int
clf_probe(const char *line, size_t n)
{
	const char *b = memchr(line, '[', n < 256 ? n : 256);
	int64_t ns;

	if (b == NULL || b == line)
		return 0;
	return time_parse_clf(b + 1, n - (size_t)(b + 1 - line), &ns) != 0 ? 85 : 0;
}

const struct parser_ops parser_clf = {
	.name = "clf",
	.help = "access logs: Common and Combined Log Format, nginx with request times, Apache %D",
	.probe = clf_probe,
	.parse = clf_parse,
};
