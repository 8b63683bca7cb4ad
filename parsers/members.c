/* SPDX-License-Identifier: MIT */
/* members.c: the keys of structured lines that mean time, level, message or a request field. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "level.h"
#include "parser.h"
#include "timeparse.h"

/* Kinds of well-known key; each line takes the first of a kind that parses. */
enum member_kind {
	MK_NONE = 0,
	MK_TIME, MK_LEVEL, MK_MSG,
	MK_METHOD, MK_PATH, MK_QUERY, MK_REQUEST, MK_PROTOCOL, MK_STATUS,
	MK_LATENCY, MK_UPSTREAM, MK_BYTES, MK_REMOTE, MK_UA, MK_REQID,
};

#define MK_BIT(k)	(1u << (k))

/* The field name each request kind is stored under. */
static const struct slice member_field[] = {
	[MK_METHOD] = SLICE_LIT("method"), [MK_PATH] = SLICE_LIT("path"),
	[MK_QUERY] = SLICE_LIT("query"), [MK_PROTOCOL] = SLICE_LIT("protocol"),
	[MK_STATUS] = SLICE_LIT("status"), [MK_LATENCY] = SLICE_LIT("latency"),
	[MK_UPSTREAM] = SLICE_LIT("upstream_latency"),
	[MK_BYTES] = SLICE_LIT("bytes"), [MK_REMOTE] = SLICE_LIT("remote_addr"),
	[MK_UA] = SLICE_LIT("user_agent"), [MK_REQID] = SLICE_LIT("request_id"),
};

struct member_name {
	const char *name;
	enum member_kind kind;
	enum latency_unit unit;
};

/*
 * What loggers call these things: stdlib and framework defaults (nginx and
 * Apache JSON formats, pino/pino-http, morgan, zap, logrus, slog,
 * structlog, Rails lograge, ASP.NET, Elastic Common Schema and
 * OpenTelemetry's dotted names, which flattened or nested JSON gives).
 */
static const struct member_name member_names[] = {
	{ "time", MK_TIME, 0 }, { "ts", MK_TIME, 0 }, { "timestamp", MK_TIME, 0 },
	{ "@timestamp", MK_TIME, 0 }, { "@t", MK_TIME, 0 }, { "datetime", MK_TIME, 0 },
	{ "time_local", MK_TIME, 0 }, { "time_iso8601", MK_TIME, 0 },
	{ "level", MK_LEVEL, 0 }, { "lvl", MK_LEVEL, 0 }, { "severity", MK_LEVEL, 0 },
	{ "log.level", MK_LEVEL, 0 }, { "loglevel", MK_LEVEL, 0 },
	{ "levelname", MK_LEVEL, 0 }, { "@l", MK_LEVEL, 0 },
	{ "severity_text", MK_LEVEL, 0 }, { "SeverityText", MK_LEVEL, 0 },
	{ "msg", MK_MSG, 0 }, { "message", MK_MSG, 0 }, { "@m", MK_MSG, 0 },
	{ "method", MK_METHOD, 0 }, { "http_method", MK_METHOD, 0 },
	{ "httpMethod", MK_METHOD, 0 }, { "request_method", MK_METHOD, 0 },
	{ "requestMethod", MK_METHOD, 0 }, { "verb", MK_METHOD, 0 },
	{ "req.method", MK_METHOD, 0 }, { "request.method", MK_METHOD, 0 },
	{ "http.method", MK_METHOD, 0 }, { "http.request.method", MK_METHOD, 0 },
	{ "path", MK_PATH, 0 }, { "url", MK_PATH, 0 }, { "uri", MK_PATH, 0 },
	{ "request_uri", MK_PATH, 0 }, { "requestUri", MK_PATH, 0 },
	{ "request_url", MK_PATH, 0 }, { "requestUrl", MK_PATH, 0 },
	{ "request_path", MK_PATH, 0 }, { "http_path", MK_PATH, 0 },
	{ "req.url", MK_PATH, 0 }, { "req.path", MK_PATH, 0 },
	{ "request.url", MK_PATH, 0 }, { "request.path", MK_PATH, 0 },
	{ "request.uri", MK_PATH, 0 }, { "http.url", MK_PATH, 0 },
	{ "http.target", MK_PATH, 0 }, { "http.path", MK_PATH, 0 },
	{ "url.path", MK_PATH, 0 }, { "url.original", MK_PATH, 0 },
	{ "query", MK_QUERY, 0 }, { "query_string", MK_QUERY, 0 },
	{ "querystring", MK_QUERY, 0 }, { "url.query", MK_QUERY, 0 },
	{ "request", MK_REQUEST, 0 },
	{ "protocol", MK_PROTOCOL, 0 }, { "server_protocol", MK_PROTOCOL, 0 },
	{ "http.version", MK_PROTOCOL, 0 }, { "http.flavor", MK_PROTOCOL, 0 },
	{ "status", MK_STATUS, 0 }, { "status_code", MK_STATUS, 0 },
	{ "statusCode", MK_STATUS, 0 }, { "http_status", MK_STATUS, 0 },
	{ "httpStatus", MK_STATUS, 0 }, { "response_status", MK_STATUS, 0 },
	{ "res.statusCode", MK_STATUS, 0 }, { "res.status", MK_STATUS, 0 },
	{ "response.status", MK_STATUS, 0 }, { "response.status_code", MK_STATUS, 0 },
	{ "response.statusCode", MK_STATUS, 0 }, { "http.status_code", MK_STATUS, 0 },
	{ "http.status", MK_STATUS, 0 }, { "http.response.status_code", MK_STATUS, 0 },
	{ "upstream_response_time", MK_UPSTREAM, LATENCY_UNIT_S },
	{ "upstream_latency", MK_UPSTREAM, LATENCY_UNIT_S },
	{ "bytes", MK_BYTES, 0 }, { "bytes_sent", MK_BYTES, 0 },
	{ "body_bytes_sent", MK_BYTES, 0 }, { "bytesSent", MK_BYTES, 0 },
	{ "bytes_out", MK_BYTES, 0 }, { "response_bytes", MK_BYTES, 0 },
	{ "response_size", MK_BYTES, 0 }, { "responseSize", MK_BYTES, 0 },
	{ "http.response.body.bytes", MK_BYTES, 0 },
	{ "remote_addr", MK_REMOTE, 0 }, { "remote_ip", MK_REMOTE, 0 },
	{ "remoteAddr", MK_REMOTE, 0 }, { "remoteAddress", MK_REMOTE, 0 },
	{ "remote_address", MK_REMOTE, 0 }, { "client_ip", MK_REMOTE, 0 },
	{ "clientIp", MK_REMOTE, 0 }, { "clientip", MK_REMOTE, 0 },
	{ "client_addr", MK_REMOTE, 0 }, { "ip", MK_REMOTE, 0 },
	{ "req.remoteAddress", MK_REMOTE, 0 }, { "client.ip", MK_REMOTE, 0 },
	{ "client.address", MK_REMOTE, 0 }, { "source.ip", MK_REMOTE, 0 },
	{ "http.client_ip", MK_REMOTE, 0 },
	{ "user_agent", MK_UA, 0 }, { "userAgent", MK_UA, 0 },
	{ "http_user_agent", MK_UA, 0 }, { "useragent", MK_UA, 0 },
	{ "ua", MK_UA, 0 }, { "user_agent.original", MK_UA, 0 },
	{ "http.user_agent", MK_UA, 0 }, { "req.headers.user-agent", MK_UA, 0 },
	{ "request_id", MK_REQID, 0 }, { "requestId", MK_REQID, 0 },
	{ "requestID", MK_REQID, 0 }, { "req_id", MK_REQID, 0 },
	{ "reqId", MK_REQID, 0 }, { "x_request_id", MK_REQID, 0 },
	{ "http_x_request_id", MK_REQID, 0 }, { "req.id", MK_REQID, 0 },
	{ "request.id", MK_REQID, 0 }, { "http.request.id", MK_REQID, 0 },
	{ "req.headers.x-request-id", MK_REQID, 0 },
};

/*
 * Latency keys are a stem and a unit: latency, latency_ms, durationMs,
 * took_us... Each stem has the unit its usual writer means when the name
 * says none (morgan's response_time and Elasticsearch's took are ms,
 * nginx's request_time is seconds).
 */
static const struct {
	const char *stem;
	enum latency_unit unit;
} member_latency_stems[] = {
	{ "latency", LATENCY_UNIT_S }, { "duration", LATENCY_UNIT_S },
	{ "elapsed", LATENCY_UNIT_S }, { "request_time", LATENCY_UNIT_S },
	{ "requestTime", LATENCY_UNIT_S }, { "response_time", LATENCY_UNIT_MS },
	{ "responseTime", LATENCY_UNIT_MS }, { "took", LATENCY_UNIT_MS },
	{ "time_taken", LATENCY_UNIT_MS }, { "timeTaken", LATENCY_UNIT_MS },
	{ "http.duration", LATENCY_UNIT_S }, { "event.duration", LATENCY_UNIT_NS },
};

static const struct {
	const char *suffix;
	enum latency_unit unit;
} member_latency_suffixes[] = {
	{ "_s", LATENCY_UNIT_S }, { "_sec", LATENCY_UNIT_S },
	{ "_secs", LATENCY_UNIT_S }, { "_seconds", LATENCY_UNIT_S },
	{ "Sec", LATENCY_UNIT_S }, { "Seconds", LATENCY_UNIT_S },
	{ "_ms", LATENCY_UNIT_MS }, { "_msec", LATENCY_UNIT_MS },
	{ "_millis", LATENCY_UNIT_MS }, { "Ms", LATENCY_UNIT_MS },
	{ "MS", LATENCY_UNIT_MS }, { "Millis", LATENCY_UNIT_MS },
	{ "_us", LATENCY_UNIT_US }, { "_usec", LATENCY_UNIT_US },
	{ "_micros", LATENCY_UNIT_US }, { "Us", LATENCY_UNIT_US },
	{ "Micros", LATENCY_UNIT_US }, { "_ns", LATENCY_UNIT_NS },
	{ "_nanos", LATENCY_UNIT_NS }, { "Ns", LATENCY_UNIT_NS },
	{ "Nanos", LATENCY_UNIT_NS },
};

#define MEMBER_NSTEMS	(sizeof member_latency_stems / sizeof member_latency_stems[0])
#define MEMBER_NSUFFIXES (sizeof member_latency_suffixes / sizeof member_latency_suffixes[0])
#define MEMBER_NNAMES	(sizeof member_names / sizeof member_names[0])
#define MEMBER_SLOTS	1024	/* a power of two, over twice the names */
#define MEMBER_KEY_MAX	48
#define MEMBER_UNIT_GUESSED 0x80 /* the name says no unit: a declared one wins */

/*
 * Every name, and every dotted prefix of one ("req", "http.response"),
 * hashed once: a line's keys are looked up at the cost of a hash, not a
 * walk of the list. Built on first use; the agent parses on one thread.
 */
static struct member_slot {
	const char *name;	/* NULL: empty slot */
	uint32_t hash;
	unsigned char len;
	unsigned char kind;	/* MK_NONE for a prefix only */
	unsigned char unit;
	unsigned char prefix;	/* "req" of "req.method": objects under it are searched */
} member_slots[MEMBER_SLOTS];
static char member_pool[MEMBER_NSTEMS * (MEMBER_NSUFFIXES + 1) * 32];
static int member_ready;

static uint32_t
member_hash(const char *p, size_t n)
{
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ (unsigned char)p[i]) * 16777619u;
	return h;
}

static struct member_slot *
member_find(const char *p, size_t n)
{
	uint32_t h = member_hash(p, n), i = h & (MEMBER_SLOTS - 1);
	const struct member_slot *s;
	size_t k;

	for (; (s = &member_slots[i])->name != NULL; i = (i + 1) & (MEMBER_SLOTS - 1)) {
		/* The full hash rules out nearly every other key before a byte compare. */
		if (s->hash != h || s->len != n)
			continue;
		for (k = 0; k < n && s->name[k] == p[k]; k++)
			;
		if (k == n)
			return &member_slots[i];
	}
	return NULL;
}

static void
member_insert(const char *p, size_t n, enum member_kind kind,
    enum latency_unit unit)
{
	uint32_t h = member_hash(p, n), i = h & (MEMBER_SLOTS - 1);
	struct member_slot *s;
	size_t dot;

	if ((s = member_find(p, n)) == NULL) {
		while (member_slots[i].name != NULL)
			i = (i + 1) & (MEMBER_SLOTS - 1);
		s = &member_slots[i];
		*s = (struct member_slot){ p, h, (unsigned char)n, MK_NONE, 0, 0 };
	}
	if (kind == MK_NONE)
		s->prefix = 1;
	else {
		s->kind = (unsigned char)kind;
		s->unit = (unsigned char)unit;
	}
	/* "http.response.status_code" makes "http.response" and "http" prefixes. */
	for (dot = n; dot > 0; dot--)
		if (p[dot - 1] == '.') {
			member_insert(p, dot - 1, MK_NONE, 0);
			break;
		}
}

static void
member_init(void)
{
	size_t i, j, used = 0;
	int len;

	for (i = 0; i < MEMBER_NNAMES; i++)
		member_insert(member_names[i].name, strlen(member_names[i].name),
		    member_names[i].kind, member_names[i].unit);
	for (i = 0; i < MEMBER_NSTEMS; i++) {
		member_insert(member_latency_stems[i].stem,
		    strlen(member_latency_stems[i].stem), MK_LATENCY,
		    member_latency_stems[i].unit | MEMBER_UNIT_GUESSED);
		for (j = 0; j < MEMBER_NSUFFIXES; j++) {
			len = snprintf(member_pool + used, sizeof member_pool - used,
			    "%s%s", member_latency_stems[i].stem,
			    member_latency_suffixes[j].suffix);
			member_insert(member_pool + used, (size_t)len, MK_LATENCY,
			    member_latency_suffixes[j].unit);
			used += (size_t)len + 1;
		}
	}
	member_ready = 1;
}

static int
member_eq(struct slice a, struct slice b)
{
	return a.n == b.n && memcmp(a.p, b.p, a.n) == 0;
}

/* The kind of key, with the source's own keys first. */
static enum member_kind
member_kind(const struct parse_opts *o, struct slice key,
    enum latency_unit *unit)
{
	const struct member_slot *s;
	enum member_kind k;

	*unit = LATENCY_UNIT_AUTO;
	if (o->time_key.n != 0 && member_eq(key, o->time_key))
		return MK_TIME;
	if (o->level_key.n != 0 && member_eq(key, o->level_key))
		return MK_LEVEL;
	if (o->latency_key.n != 0 && member_eq(key, o->latency_key)) {
		*unit = o->latency_unit;
		return MK_LATENCY;
	}
	if (key.n > MEMBER_KEY_MAX)
		return MK_NONE;
	if (!member_ready)
		member_init();
	if ((s = member_find(key.p, key.n)) == NULL)
		return MK_NONE;
	k = (enum member_kind)s->kind;
	/* A key the source names replaces the usual ones of its kind. */
	if ((k == MK_TIME && o->time_key.n != 0) ||
	    (k == MK_LEVEL && o->level_key.n != 0) ||
	    (k == MK_LATENCY && o->latency_key.n != 0))
		return MK_NONE;
	*unit = (enum latency_unit)(s->unit & ~MEMBER_UNIT_GUESSED);
	if ((s->unit & MEMBER_UNIT_GUESSED) && o->latency_unit != LATENCY_UNIT_AUTO)
		*unit = o->latency_unit;
	return k;
}

int
parser_member_known(const struct parse_ctx *ctx, struct slice key)
{
	const struct parse_opts *o = ctx->opts;
	const struct slice *own[3] = { &o->time_key, &o->level_key, &o->latency_key };
	const struct member_slot *s;
	int known = 0;
	size_t i;

	for (i = 0; i < 3; i++) {
		if (own[i]->n == 0)
			continue;
		if (own[i]->n == key.n && memcmp(own[i]->p, key.p, key.n) == 0)
			known |= MEMBER_NAME;
		else if (own[i]->n > key.n && own[i]->p[key.n] == '.' &&
		    memcmp(own[i]->p, key.p, key.n) == 0)
			known |= MEMBER_PREFIX;
	}
	if (key.n > MEMBER_KEY_MAX)
		return known;
	if (!member_ready)
		member_init();
	if ((s = member_find(key.p, key.n)) != NULL)
		known |= (s->kind != MK_NONE ? MEMBER_NAME : 0) |
		    (s->prefix ? MEMBER_PREFIX : 0);
	return known;
}

/* A whole number of at most 18 digits, from a JSON number or a string. */
static int
member_uint(struct slice v, enum field_type type, unsigned long long *out)
{
	unsigned long long x = 0;
	size_t i;

	if ((type != FIELD_NUMBER && type != FIELD_STRING) || v.n == 0 || v.n > 18)
		return -1;
	for (i = 0; i < v.n; i++) {
		if (v.p[i] < '0' || v.p[i] > '9')
			return -1;
		x = x * 10 + (unsigned long long)(v.p[i] - '0');
	}
	*out = x;
	return 0;
}

/* A time in the source's format; 0 and *ns, or -1. */
static int
member_time(const struct parse_opts *o, struct slice v, enum field_type type,
    int64_t *ns)
{
	static const int scale[] = {
		[TIME_FORMAT_EPOCH_S] = 9, [TIME_FORMAT_EPOCH_MS] = 6,
		[TIME_FORMAT_EPOCH_US] = 3, [TIME_FORMAT_EPOCH_NS] = 0,
	};

	if (type != FIELD_STRING && type != FIELD_NUMBER)
		return -1;
	switch (o->time_format) {
	case TIME_FORMAT_AUTO:
		if (type == FIELD_STRING && (time_parse_rfc3339(v.p, v.n, ns) == v.n ||
		    time_parse_clf(v.p, v.n, ns) == v.n))
			return 0;
		return time_parse_epoch(v.p, v.n, ns);
	case TIME_FORMAT_RFC3339:
		return time_parse_rfc3339(v.p, v.n, ns) == v.n && v.n > 0 ? 0 : -1;
	case TIME_FORMAT_PATTERN:
		return time_parse_pattern(o->time_pattern, v.p, v.n, ns) == v.n &&
		    v.n > 0 ? 0 : -1;
	default:
		return parser_decimal_scaled(v.p, v.n, scale[o->time_format], ns) ==
		    v.n && v.n > 0 ? 0 : -1;
	}
}

static int
member_level(struct slice v, enum field_type type, enum level *l)
{
	unsigned long long num;

	if (type == FIELD_STRING && level_from_word(v.p, v.n, 1, l) == 0)
		return 0;
	if (type == FIELD_NUMBER && member_uint(v, type, &num) == 0 &&
	    level_from_number((long long)num, l) == 0)
		return 0;
	return -1;
}

static int
member_add(const struct parse_ctx *ctx, struct event *ev, enum member_kind k,
    struct slice val, enum field_type type)
{
	return parser_add_field(ctx, ev, member_field[k], val, type);
}

/* "get" is GET: methods are tokens of letters, compared in upper case. */
static int
member_method(const struct parse_ctx *ctx, struct slice v, struct slice *out)
{
	char *o;
	size_t i;
	int lower = 0;

	if (v.n == 0 || v.n > 20)
		return -1;
	for (i = 0; i < v.n; i++) {
		if ((v.p[i] | 0x20) < 'a' || (v.p[i] | 0x20) > 'z')
			return -1;
		lower |= v.p[i] >= 'a';
	}
	*out = v;
	if (!lower)
		return 0;
	if ((o = arena_alloc(ctx->arena, v.n)) == NULL)
		return AGENT_E_TOOBIG;
	for (i = 0; i < v.n; i++)
		o[i] = (char)(v.p[i] & ~0x20);
	out->p = o;
	return 0;
}

/*
 * The value of a request key in its one shape; 0 when taken, 2 when taken
 * but worth keeping as it came too, 1 when it is not such a value (then
 * it stays a field as it came), or an error.
 */
static int
member_request(const struct parse_ctx *ctx, struct event *ev, struct members *m,
    enum member_kind k, enum latency_unit unit, struct slice val,
    enum field_type type)
{
	unsigned long long num;
	struct slice path, query, out;
	int rc;

	switch (k) {
	case MK_METHOD:
		if (type != FIELD_STRING || (rc = member_method(ctx, val, &out)) == -1)
			return 1;
		return rc != 0 ? rc : member_add(ctx, ev, k, out, FIELD_STRING);
	case MK_PATH:
		if (type != FIELD_STRING || val.n == 0)
			return 1;
		parser_split_target(val, &path, &query);
		if ((rc = member_add(ctx, ev, MK_PATH, path, FIELD_STRING)) != 0)
			return rc;
		if (query.n > 0 && !(m->seen & MK_BIT(MK_QUERY))) {
			m->seen |= MK_BIT(MK_QUERY);
			if ((rc = member_add(ctx, ev, MK_QUERY, query, FIELD_STRING)) != 0)
				return rc;
		}
		/* An absolute URL also names a host: it is kept whole as well. */
		return val.p[0] != '/' &&
		    memmem(val.p, val.n < 16 ? val.n : 16, "://", 3) != NULL ? 2 : 0;
	case MK_REQUEST:
		/* nginx's $request: "GET /a?b HTTP/1.1". */
		if (type != FIELD_STRING || memchr(val.p, ' ', val.n) == NULL ||
		    (m->seen & (MK_BIT(MK_METHOD) | MK_BIT(MK_PATH))))
			return 1;
		m->seen |= MK_BIT(MK_METHOD) | MK_BIT(MK_PATH) | MK_BIT(MK_QUERY) |
		    MK_BIT(MK_PROTOCOL);
		return parser_request_line(ctx, ev, val);
	case MK_STATUS:
		if (member_uint(val, type, &num) != 0 || num < 100 || num > 599)
			return 1;
		m->status = (unsigned)num;
		return member_add(ctx, ev, k, val, FIELD_NUMBER);
	case MK_BYTES:
		if (member_uint(val, type, &num) != 0)
			return 1;
		return member_add(ctx, ev, k, val, FIELD_NUMBER);
	case MK_LATENCY:
	case MK_UPSTREAM:
		if (type != FIELD_NUMBER && type != FIELD_STRING)
			return 1;
		if ((rc = parser_latency(ctx, val, unit, &out)) != 0)
			return rc;
		return member_add(ctx, ev, k, out, FIELD_NUMBER);
	case MK_REQID:
		if (type == FIELD_NUMBER)
			return member_add(ctx, ev, k, val, FIELD_NUMBER);
		/* FALLTHROUGH */
	case MK_QUERY:
	case MK_PROTOCOL:
	case MK_REMOTE:
	case MK_UA:
		if (type != FIELD_STRING || val.n == 0 || (val.n == 1 && val.p[0] == '-'))
			return 1;
		return member_add(ctx, ev, k, val, FIELD_STRING);
	default:
		return 1;
	}
}

int
parser_member_take(const struct parse_ctx *ctx, struct event *ev,
    struct members *m, struct slice key, struct slice val,
    enum field_type type)
{
	enum latency_unit unit;
	enum member_kind k = member_kind(ctx->opts, key, &unit);
	enum level l;
	int64_t ns;
	int rc;

	if (k == MK_NONE || (m->seen & MK_BIT(k)))
		return 1;
	switch (k) {
	case MK_TIME:
		if (member_time(ctx->opts, val, type, &ns) != 0)
			return 1;
		ev->time_ns = ns;
		ev->flags &= ~EVENT_TIME_RECV;
		break;
	case MK_LEVEL:
		if (member_level(val, type, &l) != 0)
			return 1;
		ev->level = l;
		break;
	case MK_MSG:
		if (type != FIELD_STRING)
			return 1;
		ev->message = val;
		break;
	default:
		if ((rc = member_request(ctx, ev, m, k, unit, val, type)) < 0 ||
		    rc == 1)
			return rc;
		m->seen |= MK_BIT(k);
		return rc;
	}
	m->seen |= MK_BIT(k);
	return 0;
}

/*
 * A key left as it came that has the name of a request field taken from
 * another key ("latency" beside the source's latency_key) gets a "_" in
 * front, as the encoders do for time, level and message.
 */
static int
member_clashes(const struct members *m, struct slice key)
{
	enum member_kind k;

	if (key.n == 0 ||
	    !(m->seen & ~(MK_BIT(MK_TIME) | MK_BIT(MK_LEVEL) | MK_BIT(MK_MSG))))
		return 0;
	/* MK_REQUEST has no field of its own: its name is empty and skipped. */
	for (k = MK_METHOD; k <= MK_REQID; k++)
		if ((m->seen & MK_BIT(k)) && member_field[k].n == key.n &&
		    memcmp(member_field[k].p, key.p, key.n) == 0)
			return 1;
	return 0;
}

int
parser_member(const struct parse_ctx *ctx, struct event *ev, struct members *m,
    struct slice key, struct slice val, enum field_type type)
{
	char *o;
	int rc;

	if ((rc = parser_member_take(ctx, ev, m, key, val, type)) <= 0)
		return rc;
	if (rc == 1 && member_clashes(m, key)) {
		if ((o = arena_alloc(ctx->arena, key.n + 1)) == NULL)
			return AGENT_E_TOOBIG;
		o[0] = '_';
		memcpy(o + 1, key.p, key.n);
		key = (struct slice){ o, key.n + 1 };
	}
	return parser_add_field(ctx, ev, key, val, type);
}

void
parser_members_end(struct event *ev, const struct members *m)
{
	if (m->status != 0 && !(m->seen & MK_BIT(MK_LEVEL)))
		ev->level = parser_status_level(m->status);
}
