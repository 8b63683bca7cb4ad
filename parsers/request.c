/* SPDX-License-Identifier: MIT */
/* request.c: request values in one shape: request lines, paths, statuses, latencies in seconds. */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "conf.h"
#include "parser.h"
#include "timefmt.h"

const struct parse_opts parse_opts_default;

static struct slice
request_key(const char *s)
{
	return s != NULL ? (struct slice){ s, strlen(s) } : (struct slice){ NULL, 0 };
}

int
parser_opts_from_conf(const struct conf_parse *cp, struct parse_opts *out)
{
	static const char *const names[] = {
		[TIME_FORMAT_AUTO] = "auto", [TIME_FORMAT_RFC3339] = "rfc3339",
		[TIME_FORMAT_EPOCH_S] = "epoch_s", [TIME_FORMAT_EPOCH_MS] = "epoch_ms",
		[TIME_FORMAT_EPOCH_US] = "epoch_us", [TIME_FORMAT_EPOCH_NS] = "epoch_ns",
	};
	size_t i;

	memset(out, 0, sizeof *out);
	out->flatten = cp->flatten;
	out->time_key = request_key(cp->time_key);
	out->level_key = request_key(cp->level_key);
	out->latency_key = request_key(cp->latency_key);
	/* The conf's enum lists the units in this order, from auto. */
	out->latency_unit = (enum latency_unit)cp->latency_unit;
	if (cp->time_format == NULL)
		return 0;
	for (i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcmp(cp->time_format, names[i]) == 0) {
			out->time_format = (enum time_format)i;
			return 0;
		}
	if (strchr(cp->time_format, '%') == NULL)
		return -1;
	out->time_format = TIME_FORMAT_PATTERN;
	out->time_pattern = cp->time_format;
	return 0;
}

enum level
parser_status_level(unsigned status)
{
	return status >= 500 ? LEVEL_ERROR : status >= 400 ? LEVEL_WARN : LEVEL_INFO;
}

static int
request_add(const struct parse_ctx *ctx, struct event *ev, const char *key,
    struct slice val)
{
	return parser_add_field(ctx, ev, (struct slice){ key, strlen(key) }, val,
	    FIELD_STRING);
}

int
parser_request_line(const struct parse_ctx *ctx, struct event *ev,
    struct slice req)
{
	struct slice method, target, proto = { NULL, 0 }, path, query;
	const char *sp;
	int rc = 0;

	if ((sp = memchr(req.p, ' ', req.n)) == NULL)
		return 0;
	method = (struct slice){ req.p, (size_t)(sp - req.p) };
	target = (struct slice){ sp + 1, req.n - method.n - 1 };
	if ((sp = memchr(target.p, ' ', target.n)) != NULL) {
		proto = (struct slice){ sp + 1, target.n - (size_t)(sp + 1 - target.p) };
		target.n = (size_t)(sp - target.p);
	}
	parser_split_target(target, &path, &query);
	rc |= request_add(ctx, ev, "method", method);
	rc |= request_add(ctx, ev, "path", path);
	if (query.n > 0)
		rc |= request_add(ctx, ev, "query", query);
	if (proto.n > 0)
		rc |= request_add(ctx, ev, "protocol", proto);
	return rc != 0 ? AGENT_E_TOOBIG : 0;
}

void
parser_split_target(struct slice target, struct slice *path, struct slice *query)
{
	const char *p = target.p, *end = target.p + target.n, *h, *q;
	int absolute = 0;

	/* An absolute URL names the host too: the path starts after it. */
	if (target.n > 0 && p[0] != '/' &&
	    (h = memmem(p, target.n < 16 ? target.n : 16, "://", 3)) != NULL) {
		p = h + 3;
		while (p < end && *p != '/' && *p != '?' && *p != '#')
			p++;
		absolute = 1;
	}
	if ((h = memchr(p, '#', (size_t)(end - p))) != NULL)
		end = h;
	q = memchr(p, '?', (size_t)(end - p));
	*path = (struct slice){ p, (size_t)((q != NULL ? q : end) - p) };
	*query = q != NULL ? (struct slice){ q + 1, (size_t)(end - q - 1) } :
	    (struct slice){ NULL, 0 };
	if (path->n == 0 && absolute)
		*path = SLICE_LIT("/");
}

/*
 * A decimal number ("12", "12.5", "1.5e3") times 10^scale, as whole
 * nanoseconds-or-whatever: the caller picks scale. Exact for up to 19
 * significant digits, truncated below one unit. Returns the bytes used, or
 * 0 when p does not start with a number or the result is out of range.
 */
size_t
parser_decimal_scaled(const char *p, size_t n, int scale, int64_t *out)
{
	uint64_t mant = 0;
	size_t i = 0, digits = 0, start;
	int exp = scale, eneg = 0, e = 0;

	while (i < n && p[i] >= '0' && p[i] <= '9') {
		if (mant < 1000000000000000000ULL)
			mant = mant * 10 + (uint64_t)(p[i] - '0');
		else
			exp++;
		i++;
		digits++;
	}
	if (i < n && p[i] == '.') {
		i++;
		start = i;
		while (i < n && p[i] >= '0' && p[i] <= '9') {
			if (mant < 1000000000000000000ULL) {
				mant = mant * 10 + (uint64_t)(p[i] - '0');
				exp--;
			}
			i++;
		}
		digits += i - start;
		if (i == start)
			return 0;
	}
	if (digits == 0)
		return 0;
	if (i + 1 < n && (p[i] | 0x20) == 'e' &&
	    ((p[i + 1] >= '0' && p[i + 1] <= '9') ||
	    ((p[i + 1] == '-' || p[i + 1] == '+') && i + 2 < n &&
	    p[i + 2] >= '0' && p[i + 2] <= '9'))) {
		i++;
		if (p[i] == '-' || p[i] == '+')
			eneg = p[i++] == '-';
		while (i < n && p[i] >= '0' && p[i] <= '9') {
			if (e < 1000)
				e = e * 10 + (p[i] - '0');
			i++;
		}
		exp += eneg ? -e : e;
	}
	for (; exp > 0 && mant != 0; exp--) {
		if (mant > (uint64_t)INT64_MAX / 10)
			return 0;
		mant *= 10;
	}
	for (; exp < 0 && mant != 0; exp++)
		mant /= 10;
	if (mant > (uint64_t)INT64_MAX)
		return 0;
	*out = (int64_t)mant;
	return i;
}

/* The power of ten from a unit to nanoseconds. */
static int
request_unit_scale(enum latency_unit unit)
{
	switch (unit) {
	case LATENCY_UNIT_MS: return 6;
	case LATENCY_UNIT_US: return 3;
	case LATENCY_UNIT_NS: return 0;
	default: return 9;
	}
}

/* Go's time.Duration text: "1h2m3.5s", "1.5ms", "250µs", "80ns". */
static int
request_go_duration(const char *p, size_t n, int64_t *ns)
{
	static const struct {
		const char *u;
		size_t n;
		int scale;
	} units[] = {
		{ "ns", 2, 0 }, { "us", 2, 3 }, { "\xc2\xb5s", 3, 3 },
		{ "\xce\xbcs", 3, 3 }, { "ms", 2, 6 }, { "s", 1, 9 },
		{ "m", 1, 9 }, { "h", 1, 9 },
	};
	size_t i = 0, used, k;
	int64_t total = 0, part;

	if (n == 0)
		return -1;
	while (i < n) {
		for (k = 0; k < sizeof units / sizeof units[0]; k++) {
			used = parser_decimal_scaled(p + i, n - i, units[k].scale, &part);
			if (used == 0)
				return -1;
			if (n - i - used >= units[k].n &&
			    memcmp(p + i + used, units[k].u, units[k].n) == 0)
				break;
		}
		if (k == sizeof units / sizeof units[0])
			return -1;
		/* Minutes and hours were read as seconds. */
		if (units[k].u[0] == 'm' && units[k].n == 1)
			part = part > INT64_MAX / 60 ? -1 : part * 60;
		else if (units[k].u[0] == 'h')
			part = part > INT64_MAX / 3600 ? -1 : part * 3600;
		if (part < 0 || part > INT64_MAX - total)
			return -1;
		total += part;
		i += used + units[k].n;
	}
	*ns = total;
	return 0;
}

/*
 * Seconds as written by most loggers ("0.021", "12"): already what we
 * want, so the line's own text is used and nothing is formatted.
 */
static int
request_plain_seconds(struct slice v)
{
	size_t i = 0, frac = 0;

	if (v.n == 0 || v.n > 19 || (v.p[0] == '0' && v.n > 1 && v.p[1] != '.'))
		return 0;
	while (i < v.n && v.p[i] >= '0' && v.p[i] <= '9')
		i++;
	if (i == 0)
		return 0;
	if (i < v.n && v.p[i] == '.')
		for (i++; i < v.n && v.p[i] >= '0' && v.p[i] <= '9'; i++)
			frac++;
	return i == v.n && frac <= 9 && v.p[v.n - 1] != '.';
}

int
parser_latency(const struct parse_ctx *ctx, struct slice val,
    enum latency_unit unit, struct slice *out)
{
	char tmp[32], *o;
	int64_t ns;
	size_t len;

	if ((unit == LATENCY_UNIT_S || unit == LATENCY_UNIT_AUTO) &&
	    request_plain_seconds(val)) {
		*out = val;
		return 0;
	}
	if (val.n == 0 || val.n > 64)
		return 1;
	if (parser_decimal_scaled(val.p, val.n, request_unit_scale(unit), &ns) != val.n &&
	    request_go_duration(val.p, val.n, &ns) != 0)
		return 1;
	len = timefmt_seconds((uint64_t)ns, tmp);	/* 0.042, 2 */
	if ((o = arena_dup(ctx->arena, tmp, len)) == NULL)
		return AGENT_E_TOOBIG;
	*out = (struct slice){ o, len };
	return 0;
}
