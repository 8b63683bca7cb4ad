/* SPDX-License-Identifier: MIT */
/* conf.c: JSON-with-comments to C structs; the only file that touches cJSON. */
#include "config.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"
#include "escape.h"
#include "filter.h"
#include "log.h"
#include "metrics.h"
#include "parser.h"
#include "redact.h"
#include "slo.h"
#include "sink.h"
#include "xmalloc.h"

#define CONF_FILE_MAX	(4 << 20)	/* a config larger than this is a mistake */
#define CONF_MAX_ITEMS	4096		/* sources or sinks */

static const char *const conf_clocks[] = { "event", "wall", NULL };

const char *const conf_level_choices[] = {
	"debug", "info", "warn", "error", "fatal", NULL,
};

#define OPT(st, field) offsetof(struct st, field)

static const struct conf_option conf_metrics_options[] = {
	{ "enabled", CONF_BOOL, "true", OPT(conf_metrics, enabled), 0, 0, NULL, 0,
	  "aggregate request rate, errors and latency from the events", NULL },
	{ "listen", CONF_STRING, "127.0.0.1:9464", OPT(conf_metrics, listen), 0, 0,
	  NULL, 0, "HOST:PORT of the Prometheus endpoint (GET /metrics, GET /health); \"\" for none. Loopback unless you say otherwise", NULL },
	{ "group_by", CONF_STRLIST, NULL, OPT(conf_metrics, group_by), 0, 0, NULL, 0,
	  "fields whose values make a series (default [\"source\", \"method\", \"route\", \"status_class\"]); route is the path without its query, with ids as :id; status_class is 2xx..5xx", NULL },
	{ "max_series", CONF_INT, "1000", OPT(conf_metrics, max_series), 1, 1000000,
	  NULL, 0, "series kept at most; events of further label sets go to one __overflow__ series and are counted", NULL },
	{ "windows", CONF_STRLIST, NULL, OPT(conf_metrics, windows), 0, 0, NULL, 0,
	  "rolling windows for rates and quantiles, whole minutes (default [\"1m\", \"5m\", \"1h\"])", NULL },
	{ "buckets", CONF_STRLIST, NULL, OPT(conf_metrics, buckets), 0, 0, NULL, 0,
	  "le bounds in seconds of the latency histogram exported to Prometheus (default 0.005 ... 10, the client libraries' default)", NULL },
	{ "routes", CONF_STRMAP, NULL, OPT(conf_metrics, routes), 0, 0, NULL, 0,
	  "your own routes: POSIX extended regex of the path -> route, first match wins, e.g. {\"^/u/[^/]+/avatar$\": \"/u/:name/avatar\"}", NULL },
	{ "error_status", CONF_INT, "500", OPT(conf_metrics, error_status), 100,
	  600, NULL, 0, "a request with this status or above is an error (events without a status: level error or fatal)", NULL },
	{ "events", CONF_BOOL, "true", OPT(conf_metrics, events), 0, 0, NULL, 0,
	  "at the end of each window, send one metrics event per series to the sinks", NULL },
	{ "clock", CONF_ENUM, "event", OPT(conf_metrics, clock), 0, 0, conf_clocks, 0,
	  "what windows, SLOs and alerts follow: event (the events' own timestamps, wall time for lines without one; a replay with --oneshot gives the figures and alerts of the time it covers) or wall (when lines are read)", NULL },
	{ "lateness", CONF_MS, "2m", OPT(conf_metrics, lateness_ms), 0, 3600000, NULL, 0,
	  "event time: an event this much older than the newest still counts in its minute; older ones are counted as late (logagent_events_late_total)", NULL },
	{ NULL, 0, NULL, 0, 0, 0, NULL, 0, NULL, NULL },
};

const char *const conf_slo_types[] = { "availability", "latency", "freshness", NULL };

static const struct conf_option conf_slo_options[] = {
	{ "name", CONF_STRING, NULL, OPT(conf_slo, name), 0, 0, NULL, CONF_REQUIRED,
	  "the objective's name, in alerts, metrics (slo label) and /health", NULL },
	{ "type", CONF_ENUM, "availability", OPT(conf_slo, type), 0, 0, conf_slo_types, 0,
	  "availability: good when status < metrics.error_status, or, without a status, level below error; latency: good when latency <= threshold (events with a latency); freshness: each minute is good when the newest event is at most max_age old", NULL },
	{ "objective", CONF_NUMBER, "0.999", OPT(conf_slo, objective), 0, 1, NULL, 0,
	  "the good fraction aimed at, above 0 and below 1; the error budget is 1 - objective", NULL },
	{ "window", CONF_MS, "30d", OPT(conf_slo, window_ms), 60000, 90LL * 86400000, NULL, 0,
	  "the rolling window of the objective and its error budget, whole minutes", NULL },
	{ "threshold", CONF_MS, "300ms", OPT(conf_slo, threshold_ms), 1, 3600000, NULL, 0,
	  "latency objectives: the slowest good request", NULL },
	{ "max_age", CONF_MS, "1m", OPT(conf_slo, max_age_ms), 1000, 86400000, NULL, 0,
	  "freshness objectives: the oldest the newest event may be", NULL },
	{ "route", CONF_STRING, NULL, OPT(conf_slo, route), 0, 0, NULL, 0,
	  "only requests whose path, or route with ids folded, matches this glob, e.g. \"/api/*\"", NULL },
	{ "source", CONF_STRING, NULL, OPT(conf_slo, source), 0, 0, NULL, 0,
	  "only events of sources whose name matches this glob", NULL },
	{ "alerts", CONF_STRLIST, NULL, OPT(conf_slo, alerts), 0, 0, NULL, 0,
	  "burn-rate alerts, \"SEVERITY RATE LONG SHORT\" each: fire when the burn rate is at least RATE over both windows, resolve when not (default the SRE Workbook's [\"page 14.4 1h 5m\", \"page 6 6h 30m\", \"ticket 3 1d 2h\", \"ticket 1 3d 6h\"]; [] for none)", NULL },
	{ NULL, 0, NULL, 0, 0, 0, NULL, 0, NULL, NULL },
};

static const struct conf_option conf_root_options[] = {
	{ "state_dir", CONF_STRING, NULL, OPT(conf, state_dir), 0, 0, NULL, 0,
	  "directory for the agent's state, created 0700; a group- or world-writable one is refused", NULL },
	{ "log_level", CONF_ENUM, "info", OPT(conf, log_level), 0, 0,
	  conf_level_choices, 0, "least level of the agent's own log on stderr", NULL },
	{ "checkpoint_interval", CONF_MS, "1s", OPT(conf, checkpoint_interval_ms),
	  10, 3600000, NULL, 0,
	  "how often acknowledged offsets are saved to state_dir (and always at exit)", NULL },
	{ "checkpoint_forget_after", CONF_MS, "7d", OPT(conf, checkpoint_forget_ms),
	  60000, 3650LL * 86400000, NULL, 0,
	  "checkpoints of files not seen for this long are forgotten", NULL },
	{ "max_open_files", CONF_INT, "0", OPT(conf, max_open_files), 0, 1000000,
	  NULL, 0,
	  "files kept open at once; idle ones past it are closed and reopened by identity (0: from ulimit -n)", NULL },
	{ "metrics", CONF_OBJECT, NULL, OPT(conf, metrics), 0, 0, NULL, 0,
	  "request metrics from the logs, and the Prometheus endpoint",
	  conf_metrics_options },
	{ NULL, 0, NULL, 0, 0, 0, NULL, 0, NULL, NULL },
};

static const char *const conf_multiline_modes[] = {
	"off", "start_pattern", "indent", NULL,
};
static const char *const conf_start_at[] = { "beginning", "end", NULL };
static const char *const conf_watch[] = { "inotify", "poll", NULL };

static const struct conf_option conf_multiline_options[] = {
	{ "mode", CONF_ENUM, "off", OPT(conf_multiline, mode), 0, 0,
	  conf_multiline_modes, 0,
	  "start_pattern: a line matching start_pattern begins an event, others join it; indent: lines starting with a space or tab, \"Caused by:\", \"Suppressed:\" or a Java exception class (java.io.IOException: ...) join the one before", NULL },
	{ "start_pattern", CONF_STRING, NULL, OPT(conf_multiline, start_pattern),
	  0, 0, NULL, 0, "POSIX extended regular expression for the first line of an event", NULL },
	{ "flush", CONF_MS, "1s", OPT(conf_multiline, flush_ms), 10, 600000,
	  NULL, 0, "an event waiting this long for more lines is sent", NULL },
	{ "max_lines", CONF_INT, "500", OPT(conf_multiline, max_lines), 1,
	  100000, NULL, 0, "lines joined at most; then the event is sent", NULL },
	{ "max_bytes", CONF_SIZE, "256KiB", OPT(conf_multiline, max_bytes), 256,
	  64 << 20, NULL, 0, "bytes joined at most; then the event is sent", NULL },
	{ NULL, 0, NULL, 0, 0, 0, NULL, 0, NULL, NULL },
};

static const char *const conf_latency_units[] = { "auto", "s", "ms", "us", "ns", NULL };

static const struct conf_option conf_parse_options[] = {
	{ "flatten", CONF_BOOL, "false", OPT(conf_parse, flatten), 0, 0, NULL, 0,
	  "JSON: nested objects become dotted keys ({\"http\":{\"status\":500}} gives http.status); otherwise they are kept as raw JSON", NULL },
	{ "time_key", CONF_STRING, NULL, OPT(conf_parse, time_key), 0, 0, NULL, 0,
	  "the key holding the event's time, instead of time, ts, timestamp, @timestamp...", NULL },
	{ "time_format", CONF_STRING, "auto", OPT(conf_parse, time_format), 0, 0,
	  NULL, 0,
	  "auto (RFC 3339, CLF or epoch by magnitude), rfc3339, epoch_s, epoch_ms, epoch_us, epoch_ns, or a strptime pattern such as \"%d/%m/%Y %H:%M:%S\" (a .fraction may follow; UTC unless %z); plain lines are tried against a pattern at their start", NULL },
	{ "level_key", CONF_STRING, NULL, OPT(conf_parse, level_key), 0, 0, NULL, 0,
	  "the key holding the level, instead of level, lvl, severity...", NULL },
	{ "latency_key", CONF_STRING, NULL, OPT(conf_parse, latency_key), 0, 0,
	  NULL, 0, "the key holding the request's latency, instead of latency, duration, duration_ms, request_time...", NULL },
	{ "latency_unit", CONF_ENUM, "auto", OPT(conf_parse, latency_unit), 0, 0,
	  conf_latency_units, 0,
	  "unit of latency values whose key names none (auto: seconds, or ms for response_time and took); duration strings such as \"1.5ms\" say their own", NULL },
	{ NULL, 0, NULL, 0, 0, 0, NULL, 0, NULL, NULL },
};

static const struct conf_option conf_redact_options[] = {
	{ "enabled", CONF_BOOL, "true", OPT(conf_redact, enabled), 0, 0, NULL, 0,
	  "take secrets out of every event before any sink, the terminal or the metrics see it; each find becomes [REDACTED:kind] (secret, bearer, url_password, aws_key, jwt, private_key, card, pattern)", NULL },
	{ "secret_fields", CONF_BOOL, "true", OPT(conf_redact, secret_fields), 0, 0, NULL, 0,
	  "the whole value of fields named like password, passwd, secret, token, api_key, access_key, private_key, authorization, cookie, credentials (any case, - and _ ignored, also as a suffix)", NULL },
	{ "key_values", CONF_BOOL, "true", OPT(conf_redact, key_values), 0, 0, NULL, 0,
	  "in text: the value after such a name and = or : (password=..., \"token\": \"...\", ?api_key=... in URLs and query strings)", NULL },
	{ "bearer", CONF_BOOL, "true", OPT(conf_redact, bearer), 0, 0, NULL, 0,
	  "the credential after Bearer or Basic (Authorization headers)", NULL },
	{ "url_credentials", CONF_BOOL, "true", OPT(conf_redact, url_credentials), 0, 0, NULL, 0,
	  "the password in scheme://user:password@host", NULL },
	{ "aws", CONF_BOOL, "true", OPT(conf_redact, aws), 0, 0, NULL, 0,
	  "AWS access key ids (AKIA..., ASIA...); secret keys are caught by name (aws_secret_access_key=...)", NULL },
	{ "jwt", CONF_BOOL, "true", OPT(conf_redact, jwt), 0, 0, NULL, 0,
	  "JSON web tokens (eyJ....eyJ....signature)", NULL },
	{ "private_keys", CONF_BOOL, "true", OPT(conf_redact, private_keys), 0, 0, NULL, 0,
	  "PEM private key blocks, from -----BEGIN to -----END (or the end of the value)", NULL },
	{ "cards", CONF_BOOL, "true", OPT(conf_redact, cards), 0, 0, NULL, 0,
	  "card numbers: 13 to 19 digits, spaces or dashes between, that pass the Luhn check", NULL },
	{ "patterns", CONF_STRLIST, NULL, OPT(conf_redact, patterns), 0, 0, NULL, 0,
	  "your own POSIX extended regexes; what they match is redacted", NULL },
	{ "drop_fields", CONF_STRLIST, NULL, OPT(conf_redact, drop_fields), 0, 0, NULL, 0,
	  "fields removed from every event", NULL },
	{ "hash_fields", CONF_STRLIST, NULL, OPT(conf_redact, hash_fields), 0, 0, NULL, 0,
	  "fields whose values are replaced by a keyed hash (SipHash, 16 hex digits): still joinable, no longer readable", NULL },
	{ "hash_key", CONF_STRING, NULL, OPT(conf_redact, hash_key), 0, 0, NULL, 0,
	  "secret for hash_fields, so hashes match across restarts and hosts; random per run when unset", NULL },
	{ NULL, 0, NULL, 0, 0, 0, NULL, 0, NULL, NULL },
};

static const struct conf_option conf_pipeline_options[] = {
	{ "redact", CONF_OBJECT, NULL, OPT(conf_pipeline, redact), 0, 0, NULL, 0,
	  "secret redaction, on by default", conf_redact_options },
	{ "level", CONF_ENUM, "debug", OPT(conf_pipeline, level), 0, 0,
	  conf_level_choices, 0, "drop events below this level", NULL },
	{ "max_fields", CONF_INT, "128", OPT(conf_pipeline, max_fields), 1,
	  4096, NULL, 0, "fields kept per event; more are dropped and counted in _fields_dropped", NULL },
	{ "grep", CONF_STRING, NULL, OPT(conf_pipeline, grep), 0, 0, NULL, 0,
	  "keep only events whose message or a field value matches this extended regular expression (--grep)", NULL },
	{ "where", CONF_STRLIST, NULL, OPT(conf_pipeline, where), 0, 0, NULL, 0,
	  "keep only events with all these key=value pairs; level, message and source are keys too (--where)", NULL },
	{ "route", CONF_STRING, NULL, OPT(conf_pipeline, route), 0, 0, NULL, 0,
	  "keep only requests whose path, or its route with ids folded (/api/items/:id), matches this glob (--route)", NULL },
	{ NULL, 0, NULL, 0, 0, 0, NULL, 0, NULL, NULL },
};

static const char *const conf_keep_levels[] = {
	"debug", "info", "warn", "error", "fatal", "none", NULL,
};

static const struct conf_option conf_ratelimit_options[] = {
	{ "events_per_second", CONF_NUMBER, "0", OPT(conf_ratelimit, rate), 0, 1000000000, NULL, 0,
	  "the rate kept up with; 0 for no limit", NULL },
	{ "burst", CONF_INT, "0", OPT(conf_ratelimit, burst), 0, 1000000000, NULL, 0,
	  "events let through at once above the rate (0: one second's worth)", NULL },
	{ "keep", CONF_ENUM, "error", OPT(conf_ratelimit, keep), 0, 0, conf_keep_levels, 0,
	  "events of this level and above are never dropped (they still use the rate); none to limit every level. Below it the lower levels go first", NULL },
	{ "summary_interval", CONF_MS, "1m", OPT(conf_ratelimit, summary_ms), 1000, 3600000, NULL, 0,
	  "while events are dropped, one rate_limit event per interval says how many, by level", NULL },
	{ NULL, 0, NULL, 0, 0, 0, NULL, 0, NULL, NULL },
};

static const struct conf_option conf_source_options[] = {
	{ "path", CONF_STRING, NULL, OPT(conf_source, path), 0, 0, NULL,
	  CONF_REQUIRED, "file to follow, a glob such as /var/log/app/*.log, or \"-\" for standard input", NULL },
	{ "name", CONF_STRING, NULL, OPT(conf_source, name), 0, 0, NULL, 0,
	  "name shown in events as source (default: the path)", NULL },
	{ "format", CONF_PARSER, "auto", OPT(conf_source, format), 0, 0, NULL,
	  0, "line format: auto (each file's from its first lines, and per line where it refuses one), json, logfmt, clf (access logs), syslog, cri (containerd, CRI-O, Docker json-file) or plain", NULL },
	{ "max_line_bytes", CONF_SIZE, "64KiB", OPT(conf_source, max_line),
	  256, 64 << 20, NULL, 0,
	  "longer lines are cut there and the event marked truncated", NULL },
	{ "exclude", CONF_STRLIST, NULL, OPT(conf_source, exclude), 0, 0, NULL, 0,
	  "glob patterns (fnmatch) of paths not to follow, e.g. [\"*.gz\"]", NULL },
	{ "labels", CONF_STRMAP, NULL, OPT(conf_source, labels), 0, 0, NULL, 0,
	  "fields added to every event of this source, e.g. {\"service\": \"api\"}", NULL },
	{ "start_at", CONF_ENUM, "beginning", OPT(conf_source, start_at), 0, 0,
	  conf_start_at, 0,
	  "where to start in a file found at startup and never seen before; files that appear later are read from their beginning", NULL },
	{ "start_lines", CONF_INT, "0", OPT(conf_source, start_lines), 0, 1000000,
	  NULL, 0,
	  "with start_at end: begin this many lines before the end instead, as tail -n does", NULL },
	{ "watch", CONF_ENUM, "inotify", OPT(conf_source, watch), 0, 0,
	  conf_watch, 0,
	  "inotify, or poll (stat every poll_interval) for filesystems without inotify such as NFS", NULL },
	{ "poll_interval", CONF_MS, "1s", OPT(conf_source, poll_interval_ms), 50,
	  60000, NULL, 0,
	  "how often paths are stat'ed and globs re-read: the safety net, and the only watch with poll", NULL },
	{ "partial_flush", CONF_MS, "5s", OPT(conf_source, partial_flush_ms), 100,
	  3600000, NULL, 0,
	  "a last line without a newline is sent (marked partial) once no byte came for this long", NULL },
	{ "rotate_wait", CONF_MS, "5s", OPT(conf_source, rotate_wait_ms), 0,
	  3600000, NULL, 0,
	  "a renamed or deleted file, read to its end, is closed once it has not grown for this long", NULL },
	{ "multiline", CONF_OBJECT, NULL, OPT(conf_source, multiline), 0, 0, NULL,
	  0, "join continuation lines into one event (stack traces)",
	  conf_multiline_options },
	{ "parse", CONF_OBJECT, NULL, OPT(conf_source, parse), 0, 0, NULL, 0,
	  "how this source's lines are read, where the usual key names and units do not fit",
	  conf_parse_options },
	{ "rate_limit", CONF_OBJECT, NULL, OPT(conf_source, rate_limit), 0, 0, NULL, 0,
	  "a token bucket: a flood cannot become a bill. Counted in logagent_events_dropped_total{reason=\"rate_limit\"}",
	  conf_ratelimit_options },
	{ NULL, 0, NULL, 0, 0, 0, NULL, 0, NULL, NULL },
};

static const struct conf_option conf_sink_options[] = {
	{ "type", CONF_STRING, NULL, OPT(conf_sink, type), 0, 0, NULL,
	  CONF_REQUIRED, "which sink: stdout, file, http or null", NULL },
	{ "name", CONF_STRING, NULL, OPT(conf_sink, name), 0, 0, NULL, 0,
	  "name used in the agent's log (default: the type)", NULL },
	{ NULL, 0, NULL, 0, 0, 0, NULL, 0, NULL, NULL },
};

static const struct conf_table conf_root_table = {
	"(top level)", "The file is one JSON object; // and /* */ comments are allowed. "
	"Any string may use ${VAR} to take an environment variable ($${ for a literal ${); "
	"values taken from the environment never appear in the agent's log.",
	conf_root_options,
};
static const struct conf_table conf_pipeline_table = {
	"pipeline", "What happens to every event between its source and the sinks.",
	conf_pipeline_options,
};
static const struct conf_table conf_source_table = {
	"sources[]", "Each source is a file to follow (like tail -F) or standard input.",
	conf_source_options,
};
static const struct conf_table conf_slo_table = {
	"slo[]", "Service level objectives, each with an error budget and burn-rate alerts "
	"(alert events to the sinks, logagent_slo_* metrics, /health, a line in the agent's log).",
	conf_slo_options,
};
static const struct conf_table conf_sink_table = {
	"sinks[]", "Each sink receives every event that passes the pipeline. "
	"Keys besides these depend on the type.",
	conf_sink_options,
};

/* The walk of one document: the error buffer and the path being read. */
struct conf_ctx {
	struct conf_err *err;
	char path[256];
};

static int
conf_fail(struct conf_ctx *cx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
conf_fail(struct conf_ctx *cx, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	snprintf(cx->err->msg, sizeof cx->err->msg, "%s: %s",
	    cx->path[0] ? cx->path : "(top level)", msg);
	return AGENT_E_CONFIG;
}

/* Describe a JSON value the way an error message quotes it. */
static void
conf_describe(const cJSON *v, char *out, size_t len)
{
	struct buf b;

	if (cJSON_IsString(v)) {
		buf_init(&b, 256);
		buf_putc(&b, '"');
		esc_text(&b, v->valuestring, strnlen(v->valuestring, 60));
		if (strlen(v->valuestring) > 60)
			buf_puts(&b, "...");
		buf_putc(&b, '"');
		snprintf(out, len, "%.*s", (int)b.len, b.p);
		buf_free(&b);
	} else if (cJSON_IsNumber(v))
		snprintf(out, len, "%.17g", v->valuedouble);
	else if (cJSON_IsBool(v))
		snprintf(out, len, "%s", cJSON_IsTrue(v) ? "true" : "false");
	else if (cJSON_IsNull(v))
		snprintf(out, len, "null");
	else if (cJSON_IsArray(v))
		snprintf(out, len, "an array");
	else
		snprintf(out, len, "an object");
}

/*
 * Expand ${VAR} from the environment; $${ is a literal ${. The result is
 * malloc'd into *out. *from_env is set when anything was expanded: such a
 * value is treated as a secret.
 */
static int
conf_expand(struct conf_ctx *cx, const char *in, char **out, int *from_env)
{
	struct buf b;
	const char *p = in, *end, *val;
	char name[128];
	size_t n;
	int rc = 0;

	buf_init(&b, 1 << 20);
	*from_env = 0;
	while (*p != '\0') {
		if (p[0] == '$' && p[1] == '$' && p[2] == '{') {
			buf_append(&b, "${", 2);
			p += 3;
			continue;
		}
		if (p[0] != '$' || p[1] != '{') {
			buf_putc(&b, *p++);
			continue;
		}
		if ((end = strchr(p + 2, '}')) == NULL) {
			rc = conf_fail(cx, "unterminated ${ in a string");
			goto out;
		}
		n = (size_t)(end - (p + 2));
		if (n == 0 || n >= sizeof name ||
		    strspn(p + 2, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_") != n ||
		    (p[2] >= '0' && p[2] <= '9')) {
			rc = conf_fail(cx, "${...} must name an environment variable (letters, digits, _)");
			goto out;
		}
		memcpy(name, p + 2, n);
		name[n] = '\0';
		if ((val = getenv(name)) == NULL) {
			rc = conf_fail(cx, "environment variable %s is not set", name);
			goto out;
		}
		if (buf_puts(&b, val) != 0) {
			rc = conf_fail(cx, "value too long after expanding ${%s}", name);
			goto out;
		}
		*from_env = 1;
		p = end + 1;
	}
	buf_putc(&b, '\0');
	*out = xstrdup(b.p);
out:
	buf_free(&b);
	return rc;
}

struct conf_unit {
	const char *unit;
	unsigned long long mult;
};

/* Digits, optional spaces, one of the units; no more than max. */
static int
conf_parse_scaled(const char *s, const struct conf_unit *units, size_t nunits,
    unsigned long long max, unsigned long long *out)
{
	unsigned long long v = 0;
	const char *p = s;
	size_t i;

	if (*p < '0' || *p > '9')
		return -1;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (v > (ULLONG_MAX - 9) / 10)
			return -1;
		v = v * 10 + (unsigned long long)(*p - '0');
	}
	while (*p == ' ')
		p++;
	for (i = 0; i < nunits; i++)
		if (strcmp(p, units[i].unit) == 0) {
			if (v > max / units[i].mult)
				return -1;
			*out = v * units[i].mult;
			return 0;
		}
	return -1;
}

int
conf_parse_size(const char *s, size_t *out)
{
	static const struct conf_unit units[] = {
		{ "", 1 }, { "B", 1 },
		{ "K", 1024ULL }, { "KiB", 1024ULL }, { "KB", 1000ULL },
		{ "M", 1024ULL << 10 }, { "MiB", 1024ULL << 10 }, { "MB", 1000000ULL },
		{ "G", 1024ULL << 20 }, { "GiB", 1024ULL << 20 }, { "GB", 1000000000ULL },
	};
	unsigned long long v;

	if (conf_parse_scaled(s, units, sizeof units / sizeof units[0], SIZE_MAX, &v) != 0)
		return -1;
	*out = (size_t)v;
	return 0;
}

int
conf_parse_ms(const char *s, long long *out)
{
	static const struct conf_unit units[] = {
		{ "", 1 }, { "ms", 1 }, { "s", 1000 }, { "m", 60000 },
		{ "h", 3600000 }, { "d", 86400000 },
	};
	unsigned long long v;

	if (conf_parse_scaled(s, units, sizeof units / sizeof units[0], LLONG_MAX, &v) != 0)
		return -1;
	*out = (long long)v;
	return 0;
}

static void
conf_expected(const struct conf_option *o, char *out, size_t len)
{
	size_t i, at;

	switch (o->type) {
	case CONF_STRING:
		snprintf(out, len, "a string");
		break;
	case CONF_INT:
		snprintf(out, len, "an integer from %lld to %lld", o->min, o->max);
		break;
	case CONF_BOOL:
		snprintf(out, len, "true or false");
		break;
	case CONF_ENUM:
		at = (size_t)snprintf(out, len, "one of");
		for (i = 0; o->choices[i] != NULL && at < len; i++)
			at += (size_t)snprintf(out + at, len - at, "%s \"%s\"",
			    i ? "," : "", o->choices[i]);
		break;
	case CONF_SIZE:
		snprintf(out, len, "a size like \"64KiB\" or a whole number of bytes, from %lld to %lld bytes",
		    o->min, o->max);
		break;
	case CONF_PARSER:
		snprintf(out, len, "a format name (%s)", parser_names());
		break;
	case CONF_MS:
		snprintf(out, len, "a duration like \"500ms\", \"5s\", \"24h\" or a whole number of ms, from %lld to %lld ms",
		    o->min, o->max);
		break;
	case CONF_STRLIST:
		snprintf(out, len, "an array of strings");
		break;
	case CONF_STRMAP:
		snprintf(out, len, "an object of string values");
		break;
	case CONF_OBJECT:
		snprintf(out, len, "an object");
		break;
	case CONF_NUMBER:
		snprintf(out, len, "a number from %lld to %lld", o->min, o->max);
		break;
	}
}

static void conf_path_push(struct conf_ctx *cx, size_t *save, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void conf_path_pop(struct conf_ctx *cx, size_t save);
static int conf_apply(struct conf_ctx *cx, const cJSON *obj,
    const struct conf_option *const *tables, void *const *bases,
    size_t ntables, const char *const *skip);
static void conf_defaults(const struct conf_option *opts, void *base);
static void conf_free_strings(const struct conf_option *opts, void *base);

/* An array of strings, an object of strings, or a nested object. */
static int
conf_set_compound(struct conf_ctx *cx, const struct conf_option *o, char *dst,
    const cJSON *v, const char *want, const char *got)
{
	struct conf_strlist *l = (struct conf_strlist *)dst;
	struct conf_strmap *m = (struct conf_strmap *)dst;
	const struct conf_option *tables[1] = { o->sub };
	void *bases[1] = { dst };
	const cJSON *it;
	char *text;
	size_t save, i = 0;
	int from_env, rc;

	if (o->type == CONF_OBJECT) {
		if (v == NULL) {
			conf_defaults(o->sub, dst);
			return 0;
		}
		return conf_apply(cx, v, tables, bases, 1, NULL);
	}
	if (v == NULL)
		return 0;	/* empty */
	if ((o->type == CONF_STRLIST && !cJSON_IsArray(v)) ||
	    (o->type == CONF_STRMAP && !cJSON_IsObject(v)))
		return conf_fail(cx, "expected %s, got %s", want, got);
	cJSON_ArrayForEach(it, v) {
		if (o->type == CONF_STRLIST)
			conf_path_push(cx, &save, "[%zu]", i);
		else
			conf_path_push(cx, &save, ".%s", it->string);
		i++;
		if (o->type == CONF_STRLIST && cJSON_IsNumber(it)) {
			/* [0.005, 0.01]: a list of numbers is kept as their text. */
			char num[32];

			snprintf(num, sizeof num, "%.15g", it->valuedouble);
			l->v = xrealloc(l->v, (l->n + 1) * sizeof *l->v);
			l->v[l->n++] = xstrdup(num);
			conf_path_pop(cx, save);
			continue;
		}
		if (!cJSON_IsString(it))
			return conf_fail(cx, "expected a string");
		if ((rc = conf_expand(cx, it->valuestring, &text, &from_env)) != 0)
			return rc;
		if (from_env)
			log_secret_add(text, strlen(text));
		if (o->type == CONF_STRLIST) {
			l->v = xrealloc(l->v, (l->n + 1) * sizeof *l->v);
			l->v[l->n++] = text;
		} else {
			m->k = xrealloc(m->k, (m->n + 1) * sizeof *m->k);
			m->v = xrealloc(m->v, (m->n + 1) * sizeof *m->v);
			m->k[m->n] = xstrdup(it->string);
			m->v[m->n++] = text;
		}
		conf_path_pop(cx, save);
	}
	return 0;
}

static int
conf_parse_int(const char *s, long long *out)
{
	char *end;

	errno = 0;
	*out = strtoll(s, &end, 10);
	return errno != 0 || end == s || *end != '\0' ? -1 : 0;
}

/*
 * A whole number, from text s (through parse) or from a JSON number v:
 * fractions, and negatives unless signed_ok, are refused. 0 or -1.
 */
static int
conf_whole(const char *s, const cJSON *v, int (*parse)(const char *, long long *),
    int signed_ok, long long *out)
{
	if (s != NULL)
		return parse(s, out);
	if (!cJSON_IsNumber(v) || v->valuedouble != floor(v->valuedouble) ||
	    fabs(v->valuedouble) >= 9.0e15 || (!signed_ok && v->valuedouble < 0))
		return -1;
	*out = (long long)v->valuedouble;
	return 0;
}

/*
 * Set option o in base from a JSON value, or from the default text when v
 * is NULL. Every type accepts its default written as a string.
 */
static int
conf_set(struct conf_ctx *cx, const struct conf_option *o, void *base,
    const cJSON *v)
{
	char *dst = (char *)base + o->offset, *text = NULL, got[96], want[256];
	const char *s = NULL;
	const struct parser_ops *parser;
	long long ll;
	double d;
	size_t size;
	int from_env = 0, rc = 0, i;

	if (v == NULL)
		s = o->def;
	else if (cJSON_IsString(v)) {
		if ((rc = conf_expand(cx, v->valuestring, &text, &from_env)) != 0)
			return rc;
		s = text;
		if (from_env || (o->flags & CONF_SECRET))
			log_secret_add(text, strlen(text));
	}
	conf_expected(o, want, sizeof want);
	if (v != NULL)
		conf_describe(v, got, sizeof got);
	/* An expanded value is never quoted back: it may be a secret. */
	if (from_env || (o->flags & CONF_SECRET))
		snprintf(got, sizeof got, "a value that is not shown");

	switch (o->type) {
	case CONF_MS:
		if (conf_whole(s, v, conf_parse_ms, 0, &ll) != 0 ||
		    ll < o->min || ll > o->max)
			goto bad;
		*(long long *)dst = ll;
		break;
	case CONF_STRLIST:
	case CONF_STRMAP:
	case CONF_OBJECT:
		rc = conf_set_compound(cx, o, dst, v, want, got);
		break;
	case CONF_STRING:
		if (s == NULL)
			goto bad;
		free(*(char **)dst);
		*(char **)dst = xstrdup(s);
		break;
	case CONF_INT:
		if (conf_whole(s, v, conf_parse_int, 1, &ll) != 0 ||
		    ll < o->min || ll > o->max)
			goto bad;
		*(long long *)dst = ll;
		break;
	case CONF_BOOL:
		if (s != NULL && (strcmp(s, "true") == 0 || strcmp(s, "false") == 0))
			*(int *)dst = strcmp(s, "true") == 0;
		else if (s == NULL && cJSON_IsBool(v))
			*(int *)dst = cJSON_IsTrue(v);
		else
			goto bad;
		break;
	case CONF_ENUM:
		if (s == NULL)
			goto bad;
		for (i = 0; o->choices[i] != NULL; i++)
			if (strcmp(o->choices[i], s) == 0)
				break;
		if (o->choices[i] == NULL)
			goto bad;
		*(int *)dst = i;
		break;
	case CONF_SIZE:
		if (s != NULL) {
			if (conf_parse_size(s, &size) != 0)
				goto bad;
		} else if (cJSON_IsNumber(v) && v->valuedouble >= 0 &&
		    v->valuedouble == floor(v->valuedouble) && v->valuedouble < 9.0e15)
			size = (size_t)v->valuedouble;
		else
			goto bad;
		if ((long long)size < o->min || (long long)size > o->max)
			goto bad;
		*(size_t *)dst = size;
		break;
	case CONF_PARSER:
		if (s == NULL || (parser = parser_find(s)) == NULL)
			goto bad;
		*(const struct parser_ops **)dst = parser;
		break;
	case CONF_NUMBER:
		if (s != NULL) {
			char *end;

			errno = 0;
			d = strtod(s, &end);
			if (end == s || *end != '\0' || errno != 0)
				goto bad;
		} else if (cJSON_IsNumber(v))
			d = v->valuedouble;
		else
			goto bad;
		if (!(d >= (double)o->min && d <= (double)o->max))
			goto bad;
		*(double *)dst = d;
		break;
	}
	goto out;
bad:
	if (v == NULL)	/* a default that does not parse is our bug */
		rc = conf_fail(cx, "internal: bad default \"%s\"", o->def ? o->def : "");
	else
		rc = conf_fail(cx, "expected %s, got %s", want, got);
out:
	free(text);
	return rc;
}

static const struct conf_option *
conf_find_option(const struct conf_option *opts, const char *key)
{
	for (; opts != NULL && opts->key != NULL; opts++)
		if (strcmp(opts->key, key) == 0)
			return opts;
	return NULL;
}

static void
conf_path_push(struct conf_ctx *cx, size_t *save, const char *fmt, ...)
{
	size_t len = strlen(cx->path);
	va_list ap;

	*save = len;
	va_start(ap, fmt);
	vsnprintf(cx->path + len, sizeof cx->path - len, fmt, ap);
	va_end(ap);
}

static void
conf_path_pop(struct conf_ctx *cx, size_t save)
{
	cx->path[save] = '\0';
}

/* The keys an object accepts, for "unknown key" messages. */
static void
conf_known_keys(const struct conf_option *const *tables, size_t ntables,
    const char *const *extra, char *out, size_t len)
{
	const struct conf_option *o;
	size_t t, at = 0;

	out[0] = '\0';
	for (t = 0; t < ntables; t++)
		for (o = tables[t]; o != NULL && o->key != NULL && at < len; o++)
			at += (size_t)snprintf(out + at, len - at, "%s%s",
			    at ? ", " : "", o->key);
	for (; extra != NULL && *extra != NULL && at < len; extra++)
		at += (size_t)snprintf(out + at, len - at, "%s%s", at ? ", " : "",
		    *extra);
}

/*
 * Fill up to two structs from one JSON object: tables[i] describes
 * bases[i]. Keys listed in skip are handled by the caller. Unknown and
 * repeated keys are errors; absent keys take their defaults.
 */
static int
conf_apply(struct conf_ctx *cx, const cJSON *obj,
    const struct conf_option *const *tables, void *const *bases,
    size_t ntables, const char *const *skip)
{
	const struct conf_option *o;
	const cJSON *m, *prev;
	char known[512];
	size_t t, save, k;
	int rc;

	if (!cJSON_IsObject(obj))
		return conf_fail(cx, "expected an object, got %s",
		    cJSON_IsArray(obj) ? "an array" : "a plain value");
	cJSON_ArrayForEach(m, obj) {
		for (prev = obj->child; prev != m; prev = prev->next)
			if (strcmp(prev->string, m->string) == 0) {
				conf_path_push(cx, &save, "%s%s",
				    cx->path[0] ? "." : "", m->string);
				return conf_fail(cx, "key given twice");
			}
		for (k = 0; skip != NULL && skip[k] != NULL; k++)
			if (strcmp(skip[k], m->string) == 0)
				break;
		if (skip != NULL && skip[k] != NULL)
			continue;
		conf_path_push(cx, &save, "%s%s", cx->path[0] ? "." : "",
		    m->string);
		for (t = 0, o = NULL; t < ntables && o == NULL; t++)
			o = conf_find_option(tables[t], m->string);
		if (o == NULL) {
			conf_known_keys(tables, ntables, skip, known, sizeof known);
			return conf_fail(cx, "unknown key (known here: %s)", known);
		}
		if ((rc = conf_set(cx, o, bases[t - 1], m)) != 0)
			return rc;
		conf_path_pop(cx, save);
	}
	for (t = 0; t < ntables; t++) {
		for (o = tables[t]; o != NULL && o->key != NULL; o++) {
			if (cJSON_GetObjectItemCaseSensitive(obj, o->key) != NULL)
				continue;
			if (o->flags & CONF_REQUIRED) {
				conf_path_push(cx, &save, "%s%s",
				    cx->path[0] ? "." : "", o->key);
				return conf_fail(cx, "required key is missing");
			}
			if ((o->def != NULL || o->type == CONF_OBJECT) &&
			    (rc = conf_set(cx, o, bases[t], NULL)) != 0)
				return rc;
		}
	}
	return 0;
}

int
conf_set_key(const struct conf_option *opts, void *base, const char *key,
    const char *value, struct conf_err *err)
{
	struct conf_ctx cx = { err, "" };
	const struct conf_option *o;
	cJSON *v;
	int rc;

	snprintf(cx.path, sizeof cx.path, "%s", key);
	if ((o = conf_find_option(opts, key)) == NULL)
		return conf_fail(&cx, "unknown key");
	if ((v = cJSON_CreateString(value)) == NULL)
		return conf_fail(&cx, "out of memory");
	rc = conf_set(&cx, o, base, v);
	cJSON_Delete(v);
	return rc;
}

/* Defaults for a struct described by one table (no JSON involved). */
static void
conf_defaults(const struct conf_option *opts, void *base)
{
	struct conf_err err;
	struct conf_ctx cx = { &err, "" };

	for (; opts->key != NULL; opts++)
		if (opts->def != NULL || opts->type == CONF_OBJECT)
			conf_set(&cx, opts, base, NULL);
}

struct conf *
conf_new(void)
{
	struct conf *c = xcalloc(1, sizeof *c);

	conf_defaults(conf_root_options, c);
	conf_defaults(conf_pipeline_options, &c->pipeline);
	return c;
}

struct conf_source *
conf_add_source(struct conf *c, const char *path)
{
	struct conf_source *s;

	c->sources = xrealloc(c->sources, (c->nsources + 1) * sizeof *s);
	s = &c->sources[c->nsources++];
	memset(s, 0, sizeof *s);
	conf_defaults(conf_source_options, s);
	s->path = xstrdup(path);
	return s;
}

struct conf_sink *
conf_add_sink(struct conf *c, const struct sink_ops *ops)
{
	struct conf_sink *s;

	c->sinks = xrealloc(c->sinks, (c->nsinks + 1) * sizeof *s);
	s = &c->sinks[c->nsinks++];
	memset(s, 0, sizeof *s);
	s->type = xstrdup(ops->name);
	s->ops = ops;
	s->opts = xcalloc(1, ops->opts_size ? ops->opts_size : 1);
	if (ops->options != NULL)
		conf_defaults(ops->options, s->opts);
	return s;
}

static int
conf_check_multiline(struct conf_ctx *cx, const struct conf_multiline *ml)
{
	char why[256];
	size_t save;
	regex_t re;
	int rc;

	if (ml->mode == MULTILINE_START && ml->start_pattern == NULL) {
		conf_path_push(cx, &save, ".multiline.start_pattern");
		return conf_fail(cx, "required when mode is \"start_pattern\"");
	}
	if (ml->start_pattern == NULL)
		return 0;
	if ((rc = regcomp(&re, ml->start_pattern, REG_EXTENDED | REG_NOSUB)) != 0) {
		regerror(rc, &re, why, sizeof why);
		conf_path_push(cx, &save, ".multiline.start_pattern");
		return conf_fail(cx, "not a valid regular expression: %s", why);
	}
	regfree(&re);
	return 0;
}

static int
conf_check_parse(struct conf_ctx *cx, const struct conf_parse *cp)
{
	struct parse_opts po;
	size_t save;

	if (parser_opts_from_conf(cp, &po) != 0) {
		conf_path_push(cx, &save, ".parse.time_format");
		return conf_fail(cx, "expected auto, rfc3339, epoch_s, epoch_ms, "
		    "epoch_us, epoch_ns or a strptime pattern with %%, got \"%s\"",
		    cp->time_format);
	}
	return 0;
}

/*
 * The array list of objects of one table into *items (*n of them, size
 * bytes each), at most max; no two with the same string at key_off (named key).
 * after, when set, checks each one further with its JSON at hand.
 */
static int
conf_objects(struct conf_ctx *cx, const cJSON *arr, const char *list,
    const char *what, size_t max,
    const struct conf_option *table, void **items, size_t *n, size_t size,
    size_t key_off, const char *key,
    int (*after)(struct conf_ctx *, const cJSON *, void *))
{
	const struct conf_option *tables[1] = { table };
	const cJSON *item;
	char *o;
	void *bases[1];
	size_t save, i = 0, j;
	int rc;

	if (!cJSON_IsArray(arr))
		return conf_fail(cx, "expected an array of %s", what);
	if ((size_t)cJSON_GetArraySize(arr) > max)
		return conf_fail(cx, "more than %zu %s", max, what);
	cJSON_ArrayForEach(item, arr) {
		conf_path_push(cx, &save, "[%zu]", i++);
		*items = xrealloc(*items, (*n + 1) * size);
		o = (char *)*items + (*n)++ * size;
		memset(o, 0, size);
		bases[0] = o;
		if ((rc = conf_apply(cx, item, tables, bases, 1, NULL)) != 0 ||
		    (after != NULL && (rc = after(cx, item, o)) != 0))
			return rc;
		for (j = 0; j + 1 < *n; j++)
			if (strcmp(*(char **)((char *)*items + j * size + key_off),
			    *(char **)(o + key_off)) == 0) {
				conf_path_push(cx, &save, ".%s", key);
				return conf_fail(cx, "the same %s as %s[%zu]", key, list, j);
			}
		conf_path_pop(cx, save);
	}
	return 0;
}

static int
conf_source_after(struct conf_ctx *cx, const cJSON *item, void *p)
{
	struct conf_source *s = p;
	int rc;

	(void)item;
	if ((rc = conf_check_multiline(cx, &s->multiline)) != 0)
		return rc;
	return conf_check_parse(cx, &s->parse);
}

static int
conf_sources(struct conf_ctx *cx, struct conf *c, const cJSON *arr)
{
	return conf_objects(cx, arr, "sources", "sources", CONF_MAX_ITEMS, conf_source_options,
	    (void **)&c->sources, &c->nsources, sizeof *c->sources,
	    offsetof(struct conf_source, path), "path", conf_source_after);
}

static int
conf_sinks(struct conf_ctx *cx, struct conf *c, const cJSON *arr)
{
	const struct conf_option *tables[2];
	const cJSON *item, *type;
	struct conf_sink *s;
	const struct sink_ops *ops;
	void *bases[2];
	size_t save, save2, i = 0;
	int rc;

	if (!cJSON_IsArray(arr))
		return conf_fail(cx, "expected an array of sinks");
	if (cJSON_GetArraySize(arr) > CONF_MAX_ITEMS)
		return conf_fail(cx, "more than %d sinks", CONF_MAX_ITEMS);
	cJSON_ArrayForEach(item, arr) {
		conf_path_push(cx, &save, "[%zu]", i++);
		if (!cJSON_IsObject(item))
			return conf_fail(cx, "expected an object");
		type = cJSON_GetObjectItemCaseSensitive(item, "type");
		conf_path_push(cx, &save2, ".type");
		if (type == NULL)
			return conf_fail(cx, "required key is missing (one of: %s)",
			    sink_names());
		if (!cJSON_IsString(type) || (ops = sink_find(type->valuestring)) == NULL) {
			char got[96];

			conf_describe(type, got, sizeof got);
			return conf_fail(cx, "expected a sink type (%s), got %s",
			    sink_names(), got);
		}
		conf_path_pop(cx, save2);
		s = conf_add_sink(c, ops);
		tables[0] = conf_sink_options;
		tables[1] = ops->options;
		bases[0] = s;
		bases[1] = s->opts;
		if ((rc = conf_apply(cx, item, tables, bases, 2, NULL)) != 0)
			return rc;
		conf_path_pop(cx, save);
	}
	return 0;
}

static int
conf_slo_after(struct conf_ctx *cx, const cJSON *item, void *p)
{
	struct conf_slo *o = p;

	(void)cx;
	o->alerts_given = cJSON_GetObjectItemCaseSensitive(item, "alerts") != NULL;
	return 0;
}

static int
conf_slos(struct conf_ctx *cx, struct conf *c, const cJSON *arr)
{
	return conf_objects(cx, arr, "slo", "objectives", SLO_MAX, conf_slo_options,
	    (void **)&c->slos, &c->nslos, sizeof *c->slos,
	    offsetof(struct conf_slo, name), "name", conf_slo_after);
}

/* A required, non-empty array at the top level, read by fn into c. */
static int
conf_list(struct conf_ctx *cx, const cJSON *root, const char *key,
    const char *what, int (*fn)(struct conf_ctx *, struct conf *, const cJSON *),
    struct conf *c, const size_t *count)
{
	const cJSON *v;
	size_t save;
	int rc;

	conf_path_push(cx, &save, "%s", key);
	if ((v = cJSON_GetObjectItemCaseSensitive(root, key)) == NULL)
		return conf_fail(cx, "required key is missing: at least one %s", what);
	if ((rc = fn(cx, c, v)) != 0)
		return rc;
	if (*count == 0)
		return conf_fail(cx, "expected at least one %s", what);
	conf_path_pop(cx, save);
	return 0;
}

/*
 * Blank out comments, keeping every other byte where it was, so cJSON's
 * error position is still the user's line and column. (cJSON_Minify
 * would shift them.)
 */
static void
conf_strip_comments(char *p, size_t n)
{
	size_t i = 0;
	int in_str = 0;

	while (i < n) {
		if (in_str) {
			if (p[i] == '\\' && i + 1 < n)
				i++;
			else if (p[i] == '"')
				in_str = 0;
			i++;
		} else if (p[i] == '"') {
			in_str = 1;
			i++;
		} else if (p[i] == '/' && i + 1 < n && p[i + 1] == '/') {
			while (i < n && p[i] != '\n')
				p[i++] = ' ';
		} else if (p[i] == '/' && i + 1 < n && p[i + 1] == '*') {
			p[i] = p[i + 1] = ' ';
			i += 2;
			while (i < n && !(p[i] == '*' && i + 1 < n && p[i + 1] == '/')) {
				if (p[i] != '\n')
					p[i] = ' ';
				i++;
			}
			if (i < n) {
				p[i] = p[i + 1] = ' ';
				i += 2;
			}
		} else
			i++;
	}
}

int
conf_parse(const char *text, size_t len, const char *file, struct conf **out,
    struct conf_err *err)
{
	static const char *const root_skip[] = { "pipeline", "sources", "sinks", "slo", NULL };
	const struct conf_option *tables[1];
	struct conf_ctx cx = { err, "" };
	const char *end = NULL, *nl;
	struct conf *c = NULL;
	cJSON *root = NULL;
	const cJSON *v;
	void *bases[1];
	char *copy;
	size_t save, line = 1, col = 1, k;
	int rc;

	*out = NULL;
	err->msg[0] = '\0';
	copy = xmalloc(len + 1);
	memcpy(copy, text, len);
	copy[len] = '\0';
	conf_strip_comments(copy, len);
	if (memchr(copy, '\0', len) != NULL) {
		rc = conf_fail(&cx, "the file holds a NUL byte; it is not JSON text");
		goto out;
	}
	root = cJSON_ParseWithLengthOpts(copy, len, &end, 0);
	if (root == NULL) {
		if (end == NULL)
			end = cJSON_GetErrorPtr();
		if (end == NULL || end < copy || end > copy + len)
			end = copy + len;
		for (k = 0; copy + k < end; k++) {
			if (copy[k] == '\n') {
				line++;
				col = 1;
			} else
				col++;
		}
		nl = end;
		while (nl < copy + len && *nl != '\n' && nl - end < 20)
			nl++;
		snprintf(err->msg, sizeof err->msg,
		    "line %zu, column %zu: not valid JSON near \"%.*s\"",
		    line, col, (int)(nl - end), end);
		rc = AGENT_E_CONFIG;
		goto out;
	}
	c = xcalloc(1, sizeof *c);
	c->file = file ? xstrdup(file) : NULL;
	tables[0] = conf_root_options;
	bases[0] = c;
	if ((rc = conf_apply(&cx, root, tables, bases, 1, root_skip)) != 0)
		goto out;

	conf_path_push(&cx, &save, "pipeline");
	v = cJSON_GetObjectItemCaseSensitive(root, "pipeline");
	tables[0] = conf_pipeline_options;
	bases[0] = &c->pipeline;
	if (v == NULL)
		conf_defaults(conf_pipeline_options, &c->pipeline);
	else if ((rc = conf_apply(&cx, v, tables, bases, 1, NULL)) != 0)
		goto out;
	conf_path_pop(&cx, save);

	if ((rc = conf_list(&cx, root, "sources", "source", conf_sources, c,
	    &c->nsources)) != 0 ||
	    (rc = conf_list(&cx, root, "sinks", "sink", conf_sinks, c,
	    &c->nsinks)) != 0)
		goto out;
	if ((v = cJSON_GetObjectItemCaseSensitive(root, "slo")) != NULL) {
		conf_path_push(&cx, &save, "slo");
		if ((rc = conf_slos(&cx, c, v)) != 0)
			goto out;
		conf_path_pop(&cx, save);
	}
	if (c->state_dir != NULL && c->state_dir[0] != '/') {
		conf_path_push(&cx, &save, "state_dir");
		rc = conf_fail(&cx, "expected an absolute path");
		goto out;
	}
	{
		struct redactor rd;
		char why[512];

		if (metrics_check(&c->metrics, why, sizeof why) != 0) {
			conf_path_push(&cx, &save, "metrics");
			rc = conf_fail(&cx, "%s", why);
			goto out;
		}
		for (k = 0; k < c->nslos; k++)
			if (slo_check(&c->slos[k], why, sizeof why) != 0) {
				conf_path_push(&cx, &save, "slo[%zu]", k);
				rc = conf_fail(&cx, "%s", why);
				goto out;
			}
		if (filter_check(&c->pipeline, why, sizeof why) != 0) {
			conf_path_push(&cx, &save, "pipeline");
			rc = conf_fail(&cx, "%s", why);
			goto out;
		}
		if (redact_init(&rd, &c->pipeline.redact, why, sizeof why) != 0) {
			conf_path_push(&cx, &save, "pipeline");
			rc = conf_fail(&cx, "%s", why);
			goto out;
		}
		redact_free(&rd);
	}
	*out = c;
	c = NULL;
out:
	cJSON_Delete(root);
	free(copy);
	conf_free(c);
	return rc;
}

int
conf_load(const char *file, struct conf **out, struct conf_err *err)
{
	struct stat st;
	struct buf b;
	char chunk[65536];
	ssize_t r;
	int fd, rc = 0;

	*out = NULL;
	buf_init(&b, CONF_FILE_MAX);
	if ((fd = open(file, O_RDONLY | O_CLOEXEC)) < 0) {
		rc = -errno;
		snprintf(err->msg, sizeof err->msg, "%s: cannot open: %s", file,
		    strerror(errno));
		goto out;
	}
	if (fstat(fd, &st) == 0 && !S_ISREG(st.st_mode)) {
		rc = AGENT_E_CONFIG;
		snprintf(err->msg, sizeof err->msg, "%s: not a regular file", file);
		goto out;
	}
	while ((r = read(fd, chunk, sizeof chunk)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = -errno;
			snprintf(err->msg, sizeof err->msg, "%s: cannot read: %s",
			    file, strerror(errno));
			goto out;
		}
		if (buf_append(&b, chunk, (size_t)r) != 0) {
			rc = AGENT_E_CONFIG;
			snprintf(err->msg, sizeof err->msg,
			    "%s: larger than %d MiB; not a config file", file,
			    CONF_FILE_MAX >> 20);
			goto out;
		}
	}
	if ((rc = conf_parse(b.p ? b.p : "", b.len, file, out, err)) != 0) {
		char msg[sizeof err->msg];

		snprintf(msg, sizeof msg, "%s", err->msg);
		snprintf(err->msg, sizeof err->msg, "%s: %s", file, msg);
	}
out:
	if (fd >= 0)
		close(fd);
	buf_free(&b);
	return rc;
}

static void
conf_free_strings(const struct conf_option *opts, void *base)
{
	struct conf_strlist *l;
	struct conf_strmap *m;
	char *p;
	size_t i;

	for (; opts != NULL && opts->key != NULL; opts++) {
		p = (char *)base + opts->offset;
		switch (opts->type) {
		case CONF_STRING:
			free(*(char **)p);
			*(char **)p = NULL;
			break;
		case CONF_STRLIST:
			l = (struct conf_strlist *)p;
			for (i = 0; i < l->n; i++)
				free(l->v[i]);
			free(l->v);
			l->v = NULL;
			l->n = 0;
			break;
		case CONF_STRMAP:
			m = (struct conf_strmap *)p;
			for (i = 0; i < m->n; i++) {
				free(m->k[i]);
				free(m->v[i]);
			}
			free(m->k);
			free(m->v);
			m->k = m->v = NULL;
			m->n = 0;
			break;
		case CONF_OBJECT:
			conf_free_strings(opts->sub, p);
			break;
		default:
			break;
		}
	}
}

/* Deep copies of the strings of a struct already copied bytewise. */
static void
conf_dup_strings(const struct conf_option *opts, void *base)
{
	struct conf_strlist *l;
	struct conf_strmap *m;
	char **v, **k, *p;
	size_t i;

	for (; opts != NULL && opts->key != NULL; opts++) {
		p = (char *)base + opts->offset;
		switch (opts->type) {
		case CONF_STRING:
			if (*(char **)p != NULL)
				*(char **)p = xstrdup(*(char **)p);
			break;
		case CONF_STRLIST:
			l = (struct conf_strlist *)p;
			v = xcalloc(l->n + 1, sizeof *v);
			for (i = 0; i < l->n; i++)
				v[i] = xstrdup(l->v[i]);
			l->v = v;
			break;
		case CONF_STRMAP:
			m = (struct conf_strmap *)p;
			k = xcalloc(m->n + 1, sizeof *k);
			v = xcalloc(m->n + 1, sizeof *v);
			for (i = 0; i < m->n; i++) {
				k[i] = xstrdup(m->k[i]);
				v[i] = xstrdup(m->v[i]);
			}
			m->k = k;
			m->v = v;
			break;
		case CONF_OBJECT:
			conf_dup_strings(opts->sub, p);
			break;
		default:
			break;
		}
	}
}

void *
conf_opts_dup(const struct conf_option *opts, const void *src, size_t size)
{
	void *p = xmalloc(size ? size : 1);

	memcpy(p, src, size);
	conf_dup_strings(opts, p);
	return p;
}

void
conf_opts_free(const struct conf_option *opts, void *p)
{
	if (p == NULL)
		return;
	conf_free_strings(opts, p);
	free(p);
}

void
conf_source_copy(struct conf_source *dst, const struct conf_source *src)
{
	*dst = *src;
	conf_dup_strings(conf_source_options, dst);
}

void
conf_source_free(struct conf_source *c)
{
	conf_free_strings(conf_source_options, c);
}

void
conf_free(struct conf *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->nsources; i++)
		conf_free_strings(conf_source_options, &c->sources[i]);
	for (i = 0; i < c->nsinks; i++) {
		conf_free_strings(conf_sink_options, &c->sinks[i]);
		if (c->sinks[i].ops != NULL)
			conf_free_strings(c->sinks[i].ops->options, c->sinks[i].opts);
		free(c->sinks[i].opts);
	}
	for (i = 0; i < c->nslos; i++)
		conf_free_strings(conf_slo_options, &c->slos[i]);
	conf_free_strings(conf_root_options, c);
	conf_free_strings(conf_pipeline_options, &c->pipeline);
	free(c->slos);
	free(c->sources);
	free(c->sinks);
	free(c->file);
	free(c);
}

static void
conf_reference_table(struct buf *out, const char *path, const char *help,
    const struct conf_option *o, const char *extra_rows)
{
	static const char *const type_names[] = {
		[CONF_STRING] = "string", [CONF_INT] = "integer",
		[CONF_BOOL] = "boolean", [CONF_ENUM] = "one of",
		[CONF_SIZE] = "size", [CONF_PARSER] = "format",
		[CONF_MS] = "duration", [CONF_STRLIST] = "array of strings",
		[CONF_STRMAP] = "object of strings", [CONF_OBJECT] = "object",
		[CONF_NUMBER] = "number",
	};
	const struct conf_option *first = o;
	char sub[128];
	char want[256];

	buf_printf(out, "\n## `%s`\n\n%s\n\n", path, help);
	buf_puts(out, "| key | type | default | meaning |\n|---|---|---|---|\n");
	for (; o->key != NULL; o++) {
		if (o->type == CONF_ENUM || o->type == CONF_INT ||
		    o->type == CONF_SIZE || o->type == CONF_MS || o->type == CONF_NUMBER)
			conf_expected(o, want, sizeof want);
		else
			snprintf(want, sizeof want, "%s", type_names[o->type]);
		buf_printf(out, "| `%s` | %s | %s | %s |\n", o->key, want,
		    o->flags & CONF_REQUIRED ? "required" :
		    o->def ? o->def : o->type == CONF_OBJECT ? "see below" :
		    "none", o->help);
	}
	if (extra_rows != NULL)
		buf_puts(out, extra_rows);
	for (o = first; o->key != NULL; o++) {
		if (o->type != CONF_OBJECT)
			continue;
		snprintf(sub, sizeof sub, "%s.%s", path, o->key);
		conf_reference_table(out, sub, o->help, o->sub, NULL);
	}
}

void
conf_reference(struct buf *out)
{
	char path[64];
	size_t i;

	buf_puts(out,
	    "# logagent configuration reference\n\n"
	    "Generated from the option tables by `logagent --config-reference`; "
	    "a test keeps this file in step with the code. Sizes are bytes, or "
	    "strings such as `\"64KiB\"`, `\"8MiB\"`, `\"1GB\"`. An unknown key is "
	    "an error that names its JSON path. See `etc/logagent.conf` for a "
	    "complete example.\n");
	conf_reference_table(out, conf_root_table.path, conf_root_table.help,
	    conf_root_table.options, "| `pipeline` | object | | see below |\n"
	    "| `sources` | array | required | see below |\n"
	    "| `sinks` | array | required | see below |\n"
	    "| `slo` | array | none | see below |\n");
	conf_reference_table(out, conf_pipeline_table.path,
	    conf_pipeline_table.help, conf_pipeline_table.options, NULL);
	conf_reference_table(out, conf_source_table.path,
	    conf_source_table.help, conf_source_table.options, NULL);
	conf_reference_table(out, conf_slo_table.path, conf_slo_table.help,
	    conf_slo_table.options, NULL);
	conf_reference_table(out, conf_sink_table.path, conf_sink_table.help,
	    conf_sink_table.options, NULL);
	for (i = 0; sink_table[i] != NULL; i++) {
		snprintf(path, sizeof path, "sinks[] with type \"%s\"",
		    sink_table[i]->name);
		conf_reference_table(out, path, sink_table[i]->help,
		    sink_table[i]->options, NULL);
	}
}
