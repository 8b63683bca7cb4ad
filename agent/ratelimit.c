/* SPDX-License-Identifier: MIT */
/* ratelimit.c: token bucket with per-level reserves; drop counts and their summary event. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "escape.h"
#include "ratelimit.h"
#include "timefmt.h"

void
ratelimit_init(struct ratelimit *r, double rate, double burst, int keep)
{
	int top, l;

	memset(r, 0, sizeof *r);
	r->rate = rate;
	r->burst = burst > 0 ? burst : rate;
	if (r->burst < 1)
		r->burst = 1;
	r->keep = keep;
	r->tokens = r->burst;
	/* The highest level the bucket may refuse takes it to 0; each below keeps one step more. */
	top = (keep < LEVEL_COUNT ? keep : LEVEL_COUNT) - 1;
	for (l = 0; l <= top; l++)
		r->reserve[l] = r->burst * (double)(top - l) / (double)(top + 1);
}

int
ratelimit_take(struct ratelimit *r, enum level level, int64_t now_ns)
{
	unsigned l = (unsigned)level < LEVEL_COUNT ? (unsigned)level : LEVEL_INFO;

	if (r->rate <= 0)
		return 1;
	if (r->last_ns == 0)
		r->last_ns = r->since_ns = now_ns;
	if (now_ns > r->last_ns) {
		r->tokens += r->rate * (double)(now_ns - r->last_ns) / 1e9;
		if (r->tokens > r->burst)
			r->tokens = r->burst;
		r->last_ns = now_ns;
	}
	if ((int)l >= r->keep) {
		r->tokens = r->tokens >= 1 ? r->tokens - 1 : 0;
		r->kept++;
		return 1;
	}
	if (r->tokens >= 1 + r->reserve[l]) {
		r->tokens -= 1;
		r->kept++;
		return 1;
	}
	r->dropped[l]++;
	r->dropped_total++;
	return 0;
}

int
ratelimit_summary(struct ratelimit *r, int64_t now_ns,
    int64_t wall_ns, int64_t every_ns, struct buf *out)
{
	static const char *const names[LEVEL_COUNT] = { "debug", "info", "warn", "error", "fatal" };
	char t[TIMEFMT_MAX], msg[512];
	uint64_t total = 0;
	double secs;
	size_t at;
	unsigned l;

	for (l = 0; l < LEVEL_COUNT; l++)
		total += r->dropped[l];
	if (now_ns - r->since_ns < every_ns)
		return 0;
	if (total == 0) {
		r->kept = 0;	/* a quiet window: the next summary counts from here */
		r->since_ns = now_ns;
		return 0;
	}
	secs = (double)(now_ns - r->since_ns) / 1e9;
	at = (size_t)snprintf(msg, sizeof msg, "rate limit: dropped %llu events of %llu in %.0fs (limit %g/s, burst %g):",
	    (unsigned long long)total, (unsigned long long)(total + r->kept), secs, r->rate,
	    r->burst);
	for (l = 0; l < LEVEL_COUNT && at < sizeof msg; l++)
		if (r->dropped[l] != 0)
			at += (size_t)snprintf(msg + at, sizeof msg - at, " %s %llu", names[l],
			    (unsigned long long)r->dropped[l]);
	t[timefmt_rfc3339(wall_ns, t)] = '\0';
	buf_printf(out, "{\"time\":\"%s\",\"level\":\"warn\",\"msg\":", t);
	esc_json_string(out, msg, strlen(msg));
	buf_printf(out, ",\"kind\":\"rate_limit\",\"dropped\":%llu,\"kept\":%llu,\"seconds\":%.3f",
	    (unsigned long long)total, (unsigned long long)r->kept, secs);
	for (l = 0; l < LEVEL_COUNT; l++)
		buf_printf(out, ",\"dropped_%s\":%llu", names[l], (unsigned long long)r->dropped[l]);
	buf_puts(out, "}\n");
	memset(r->dropped, 0, sizeof r->dropped);
	r->kept = 0;
	r->since_ns = now_ns;
	return 1;
}
