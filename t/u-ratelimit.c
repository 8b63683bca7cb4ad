/* SPDX-License-Identifier: MIT */
/* u-ratelimit.c: the token bucket on a clock the test turns: rates, bursts, levels dropped in order, summaries. */
#include "config.h"

#include <cjson/cJSON.h>
#include <string.h>

#include "buf.h"
#include "ratelimit.h"
#include "tap.h"

#define MS	1000000LL
#define SEC	(1000 * MS)
#define T0	(1000 * SEC)

static unsigned
take_n(struct ratelimit *r, enum level l, unsigned n, int64_t now)
{
	unsigned kept = 0;

	while (n-- > 0)
		kept += (unsigned)ratelimit_take(r, l, now);
	return kept;
}

int
main(void)
{
	struct ratelimit r;
	struct buf out;
	unsigned kept[LEVEL_COUNT] = { 0 }, i;
	int64_t t;

	ratelimit_init(&r, 0, 0, LEVEL_ERROR);
	tap_is_int(take_n(&r, LEVEL_DEBUG, 100000, T0), 100000, "rate 0: no limit");

	/*
	 * rate 100/s, burst 100, keep error. Reserves: warn 0, info a third
	 * (33.3), debug two thirds (66.7). A level takes a token while the
	 * bucket holds at least 1 + its reserve:
	 *   debug: 100 down to 68 -> 33; then info: 67 down to 35 -> 33;
	 *   then warn: 34 down to 1 -> 34. 100 in all, the burst.
	 */
	ratelimit_init(&r, 100, 100, LEVEL_ERROR);
	tap_is_int(take_n(&r, LEVEL_DEBUG, 1000, T0), 33, "a debug flood gets two thirds less than the burst: 33");
	tap_is_int(take_n(&r, LEVEL_INFO, 1000, T0), 33, "then info takes the bucket to its third: 33");
	tap_is_int(take_n(&r, LEVEL_WARN, 1000, T0), 34, "then warn empties it: 34");
	tap_is_int(take_n(&r, LEVEL_ERROR, 50, T0), 50, "error is kept on an empty bucket");
	tap_is_int(take_n(&r, LEVEL_FATAL, 5, T0), 5, "fatal too");
	tap_is_int(r.dropped[LEVEL_DEBUG] + r.dropped[LEVEL_INFO] + r.dropped[LEVEL_WARN],
	    3000 - 100, "the rest is dropped and counted");
	tap_is_int(take_n(&r, LEVEL_WARN, 1000, T0 + 500 * MS), 50, "half a second later: 50 tokens");
	tap_is_int(take_n(&r, LEVEL_WARN, 1000, T0 + 10 * SEC), 100, "ten seconds later: no more than the burst");

	/*
	 * A flood of debug, info and warn for 10 s, one of each a millisecond
	 * (3000/s against 100/s): exactly the burst and the rate get through,
	 * and once the burst is spent every token goes to warn.
	 */
	ratelimit_init(&r, 100, 100, LEVEL_ERROR);
	for (t = 0; t < 10 * SEC; t += MS)
		for (i = LEVEL_DEBUG; i <= LEVEL_WARN; i++)
			kept[i] += (unsigned)ratelimit_take(&r, (enum level)i, T0 + t);
	tap_is_int(kept[LEVEL_DEBUG] + kept[LEVEL_INFO] + kept[LEVEL_WARN], 100 + 999,
	    "a flood: the burst, and the rate for the 9.999 s after the first event");
	tap_ok(kept[LEVEL_DEBUG] < kept[LEVEL_INFO] && kept[LEVEL_INFO] < kept[LEVEL_WARN] &&
	    kept[LEVEL_WARN] >= 999, "lower levels go first: debug %u < info %u < warn %u (>= the rate)",
	    kept[LEVEL_DEBUG], kept[LEVEL_INFO], kept[LEVEL_WARN]);
	memset(kept, 0, sizeof kept);
	ratelimit_init(&r, 100, 100, LEVEL_ERROR);
	for (t = 0; t < 10 * SEC; t += MS)
		for (i = 0; i < LEVEL_COUNT; i++)
			kept[i] += (unsigned)ratelimit_take(&r, (enum level)i, T0 + t);
	tap_is_int(kept[LEVEL_ERROR] + kept[LEVEL_FATAL], 20000,
	    "a flood of every level: every error and fatal kept, past the rate");
	tap_ok(kept[LEVEL_DEBUG] + kept[LEVEL_INFO] + kept[LEVEL_WARN] <= 100,
	    "and they use the tokens: the others get at most the burst (%u)",
	    kept[LEVEL_DEBUG] + kept[LEVEL_INFO] + kept[LEVEL_WARN]);

	/* keep none: every level is limited; fatal may empty the bucket. */
	ratelimit_init(&r, 10, 0, LEVEL_COUNT);
	/* Reserves over five levels: fatal 0, error 2, warn 4, info 6, debug 8; error passes at 10..3. */
	tap_is_int(take_n(&r, LEVEL_ERROR, 100, T0), 8, "keep none, burst = rate = 10: error takes the bucket to its reserve, 2: 8");
	tap_is_int(r.dropped[LEVEL_ERROR], 92, "errors are dropped when not kept");

	/* Summaries. */
	buf_init(&out, 1 << 20);
	ratelimit_init(&r, 100, 100, LEVEL_ERROR);
	take_n(&r, LEVEL_INFO, 10, T0);
	tap_is_int(ratelimit_summary(&r, T0 + 70 * SEC, 0, 60 * SEC, &out), 0, "nothing dropped: no summary");
	take_n(&r, LEVEL_DEBUG, 200, T0 + 70 * SEC);
	take_n(&r, LEVEL_WARN, 300, T0 + 70 * SEC);
	tap_is_int(ratelimit_summary(&r, T0 + 80 * SEC, 0, 60 * SEC, &out), 0, "not before the interval");
	tap_is_int(ratelimit_summary(&r, T0 + 130 * SEC, 1795341600LL * SEC, 60 * SEC, &out), 1,
	    "a summary once the interval has passed");
	{
		cJSON *j = cJSON_ParseWithLength(out.p, out.len);
		const cJSON *d = cJSON_GetObjectItem(j, "dropped");
		const cJSON *dd = cJSON_GetObjectItem(j, "dropped_debug");
		const cJSON *dw = cJSON_GetObjectItem(j, "dropped_warn");
		const cJSON *k = cJSON_GetObjectItem(j, "kept");
		const cJSON *m = cJSON_GetObjectItem(j, "msg");

		tap_ok(j != NULL, "the summary is JSON");
		tap_is_str(cJSON_GetStringValue(cJSON_GetObjectItem(j, "kind")), "rate_limit", "kind rate_limit");
		tap_is_str(cJSON_GetStringValue(cJSON_GetObjectItem(j, "time")), "2026-11-22T10:00:00.000Z", "its time");
		tap_ok(d && dd && dw && k && d->valuedouble == dd->valuedouble + dw->valuedouble &&
		    d->valuedouble + k->valuedouble == 500, "dropped by level add up; dropped + kept = 500");
		tap_contains(m ? m->valuestring : "", "rate limit: dropped", "a message for people");
		cJSON_Delete(j);
	}
	buf_clear(&out);
	take_n(&r, LEVEL_DEBUG, 500, T0 + 130 * SEC);
	tap_is_int(ratelimit_summary(&r, T0 + 130 * SEC, 0, 0, &out), 1, "every 0: at once (a source stopping)");
	tap_contains(out.p, "\"dropped_debug\":", "the counts were reset: only this window's");
	/* A minute on, the bucket is full again: debug gets 33 (100 down to 68). */
	tap_contains(out.p, "\"dropped\":467,\"kept\":33,", "467 of 500 debug dropped, 33 kept");
	buf_free(&out);
	return tap_done();
}
