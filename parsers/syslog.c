/* SPDX-License-Identifier: MIT */
/* syslog.c: RFC 5424 and RFC 3164 lines, with or without <PRI>, as rsyslog and journald write them. */
#include "config.h"

#include <string.h>

#include "level.h"
#include "parser.h"
#include "timeparse.h"


static const char *const syslog_facilities[24] = {
	"kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news",
	"uucp", "cron", "authpriv", "ftp", "ntp", "audit", "alert", "clock",
	"local0", "local1", "local2", "local3", "local4", "local5", "local6",
	"local7",
};

static int
syslog_add(const struct parse_ctx *ctx, struct event *ev, const char *key,
    struct slice val, enum field_type type)
{
	return parser_add_field(ctx, ev, (struct slice){ key, strlen(key) }, val,
	    type);
}

/* "<PRI>" at p; returns the bytes used (0 if none) and sets *pri. */
static size_t
syslog_pri(const char *p, size_t n, int *pri)
{
	size_t i = 1;
	int v = 0;

	if (n < 3 || p[0] != '<')
		return 0;
	for (; i < n && i <= 4 && p[i] >= '0' && p[i] <= '9'; i++)
		v = v * 10 + (p[i] - '0');
	if (i == 1 || i >= n || p[i] != '>' || v > 191 || (p[1] == '0' && i > 2))
		return 0;
	*pri = v;
	return i + 1;
}

static int
syslog_set_pri(const struct parse_ctx *ctx, struct event *ev, int pri)
{
	enum level l;
	const char *fac = syslog_facilities[pri / 8];

	level_from_number(pri % 8, &l);
	ev->level = l;
	return syslog_add(ctx, ev, "facility", (struct slice){ fac, strlen(fac) },
	    FIELD_STRING);
}

/* The next space-separated token of a 5424 header. */
static int
syslog_token(const char *p, size_t n, size_t *i, struct slice *out)
{
	size_t start = *i;

	while (*i < n && p[*i] != ' ')
		(*i)++;
	if (*i == start || *i >= n)
		return -1;
	*out = (struct slice){ p + start, *i - start };
	(*i)++;
	return 0;
}

static int
syslog_nil(struct slice v)
{
	return v.n == 1 && v.p[0] == '-';
}

/*
 * [id k="v" k2="v\"x"][id2 ...]: each parameter becomes the field
 * "id.k". Values are kept with their escapes (\" \\ \]) as written.
 */
static int
syslog_sd(const struct parse_ctx *ctx, struct event *ev, const char *p,
    size_t n, size_t *i)
{
	struct members m = { 0, 0 };
	struct slice id, name, val;
	size_t start;
	char *key;
	int rc;

	while (*i < n && p[*i] == '[') {
		start = ++*i;
		while (*i < n && p[*i] != ' ' && p[*i] != ']' && p[*i] != '=')
			(*i)++;
		if (*i >= n || *i == start)
			return -1;
		id = (struct slice){ p + start, *i - start };
		while (*i < n && p[*i] == ' ') {
			start = ++*i;
			while (*i < n && p[*i] != '=' && p[*i] != ' ' && p[*i] != ']')
				(*i)++;
			if (*i >= n || p[*i] != '=' || *i == start || *i + 1 >= n ||
			    p[*i + 1] != '"')
				return -1;
			name = (struct slice){ p + start, *i - start };
			start = *i += 2;
			while (*i < n && p[*i] != '"') {
				if (p[*i] == '\\' && *i + 1 < n)
					(*i)++;
				(*i)++;
			}
			if (*i >= n)
				return -1;
			val = (struct slice){ p + start, *i - start };
			(*i)++;
			if ((key = arena_alloc(ctx->arena, id.n + 1 + name.n)) == NULL)
				return AGENT_E_TOOBIG;
			memcpy(key, id.p, id.n);
			key[id.n] = '.';
			memcpy(key + id.n + 1, name.p, name.n);
			/*
			 * [http method="GET" status="503"] gives the request fields
			 * every format gives; the severity stays the level.
			 */
			if ((rc = parser_member(ctx, ev, &m,
			    (struct slice){ key, id.n + 1 + name.n }, val, FIELD_STRING)) != 0)
				return rc;
		}
		if (*i >= n || p[*i] != ']')
			return -1;
		(*i)++;
	}
	return 0;
}

/* <PRI>1 TIMESTAMP HOST APP PROCID MSGID SD [MSG] */
static int
syslog_5424(const struct parse_ctx *ctx, const char *p, size_t n, size_t i,
    struct event *ev)
{
	struct slice ts, host, app, pid, msgid;
	int64_t ns;
	int rc;

	if (syslog_token(p, n, &i, &ts) || syslog_token(p, n, &i, &host) ||
	    syslog_token(p, n, &i, &app) || syslog_token(p, n, &i, &pid) ||
	    syslog_token(p, n, &i, &msgid))
		return parser_decline(ctx, ev, "syslog", "RFC 5424 header cut short", i);
	if (!syslog_nil(ts)) {
		if (time_parse_rfc3339(ts.p, ts.n, &ns) != ts.n)
			return parser_decline(ctx, ev, "syslog", "bad RFC 5424 timestamp", 0);
		ev->time_ns = ns;
		ev->flags &= ~EVENT_TIME_RECV;
	}
	rc = 0;
	if (!syslog_nil(host))
		rc |= syslog_add(ctx, ev, "host", host, FIELD_STRING);
	if (!syslog_nil(app))
		rc |= syslog_add(ctx, ev, "app", app, FIELD_STRING);
	if (!syslog_nil(pid))
		rc |= syslog_add(ctx, ev, "pid", pid, FIELD_STRING);
	if (!syslog_nil(msgid))
		rc |= syslog_add(ctx, ev, "msgid", msgid, FIELD_STRING);
	if (rc != 0)
		return AGENT_E_TOOBIG;
	if (i < n && p[i] == '-')
		i++;
	else if ((rc = syslog_sd(ctx, ev, p, n, &i)) != 0) {
		if (rc == AGENT_E_TOOBIG)
			return rc;
		return parser_decline(ctx, ev, "syslog", "bad structured data", i);
	}
	if (i < n && p[i] == ' ')
		i++;
	/* A UTF-8 byte order mark may start the message. */
	if (n - i >= 3 && memcmp(p + i, "\xef\xbb\xbf", 3) == 0)
		i += 3;
	ev->message = (struct slice){ p + i, n - i };
	return 0;
}

/*
 * "Nov 22 10:00:00": no year. It is the year of the receive time, or the
 * one before when that would put the line more than a day in the future
 * (a December line read in January).
 */
static size_t
syslog_3164_time(const char *p, size_t n, int64_t recv_ns, int64_t *ns)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	int64_t day_ns;
	size_t used;
	int m, d;

	if (n < 15 || p[3] != ' ' || p[6] != ' ')
		return 0;
	for (m = 0; m < 12; m++)
		if (memcmp(months + m * 3, p, 3) == 0)
			break;
	if (m == 12)
		return 0;
	d = (p[4] == ' ' ? 0 : p[4] - '0') * 10 + (p[5] - '0');
	if (d < 1 || d > 31 || (p[4] != ' ' && (p[4] < '0' || p[4] > '3')) ||
	    p[5] < '0' || p[5] > '9')
		return 0;
	if ((used = time_parse_clock(p + 7, n - 7, &day_ns)) == 0)
		return 0;
	*ns = time_without_year((unsigned)m + 1, (unsigned)d, day_ns, recv_ns);
	return 7 + used;
}

/* [<PRI>]Mmm dd hh:mm:ss HOST TAG[PID]: MSG */
static int
syslog_3164(const struct parse_ctx *ctx, const char *p, size_t n, size_t i,
    struct event *ev)
{
	struct slice host, tag, pid = { NULL, 0 };
	size_t used, start;
	int64_t ns;
	int rc = 0;

	if ((used = syslog_3164_time(p + i, n - i, ev->time_ns, &ns)) == 0 &&
	    (used = time_parse_rfc3339(p + i, n - i, &ns)) == 0)
		return parser_decline(ctx, ev, "syslog", "expected a timestamp", i);
	ev->time_ns = ns;
	ev->flags &= ~EVENT_TIME_RECV;
	i += used;
	if (i >= n || p[i] != ' ')
		return parser_decline(ctx, ev, "syslog", "expected a host name", i);
	i++;
	if (syslog_token(p, n, &i, &host))
		return parser_decline(ctx, ev, "syslog", "expected a host name", i);
	/* The tag ends at "[", ":" or a space; [pid] may follow. */
	start = i;
	while (i < n && p[i] != '[' && p[i] != ':' && p[i] != ' ' && i - start < 64)
		i++;
	tag = (struct slice){ p + start, i - start };
	if (i < n && p[i] == '[') {
		start = ++i;
		while (i < n && p[i] >= '0' && p[i] <= '9')
			i++;
		if (i >= n || p[i] != ']')
			return parser_decline(ctx, ev, "syslog", "bad [pid]", i);
		pid = (struct slice){ p + start, i - start };
		i++;
	}
	if (i < n && p[i] == ':')
		i++;
	else if (pid.n == 0) {
		/* A tag ends with ":" or "[pid]": without either, it is text. */
		i = start;
		tag.n = 0;
	}
	if (i < n && p[i] == ' ')
		i++;
	rc |= syslog_add(ctx, ev, "host", host, FIELD_STRING);
	if (tag.n > 0)
		rc |= syslog_add(ctx, ev, "app", tag, FIELD_STRING);
	if (pid.n > 0)
		rc |= syslog_add(ctx, ev, "pid", pid, FIELD_STRING);
	ev->message = (struct slice){ p + i, n - i };
	return rc != 0 ? AGENT_E_TOOBIG : 0;
}

static int
syslog_parse(const struct parse_ctx *ctx, const char *line, size_t n,
    struct event *ev)
{
	size_t i = 0;
	int pri = -1, rc;

	i = syslog_pri(line, n, &pri);
	if (pri >= 0 && (rc = syslog_set_pri(ctx, ev, pri)) != 0)
		return rc;
	if (i > 0 && n - i >= 2 && line[i] == '1' && line[i + 1] == ' ')
		return syslog_5424(ctx, line, n, i + 2, ev);
	return syslog_3164(ctx, line, n, i, ev);
}

static int
syslog_probe(const char *line, size_t n)
{
	int pri;
	size_t i = syslog_pri(line, n, &pri);
	int64_t ns;

	if (i > 0)
		return 85;
	return syslog_3164_time(line, n, 0, &ns) != 0 ? 75 : 0;
}

const struct parser_ops parser_syslog = {
	.name = "syslog",
	.help = "RFC 5424 and RFC 3164 (BSD) syslog, with or without <PRI>; year inferred for 3164",
	.probe = syslog_probe,
	.parse = syslog_parse,
};
