/* SPDX-License-Identifier: MIT */
/* u-slo.c: SLO config, minutes, burn rates and budgets, alerts at hand-computed minutes; the event clock. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "evclock.h"
#include "slo.h"
#include "request.h"
#include "tap.h"

#define SEC	1000000000LL
#define MIN	(60 * SEC)
#define T0	(1795341600LL * SEC)	/* 2026-11-22T10:00:00Z, a whole hour */

struct fired {
	unsigned n;
	char log[16][96];
};

static void
on_alert(void *arg, const struct slo *s, const struct slo_alert *a, int64_t at,
    double bl, double bs)
{
	struct fired *f = arg;

	(void)bl;
	(void)bs;
	if (f->n < 16)
		snprintf(f->log[f->n], sizeof f->log[0], "%s %s %s/%s %s +%lldm", s->name,
		    a->severity, a->long_name, a->short_name, a->firing ? "firing" : "resolved",
		    (long long)((at - T0) / MIN));
	f->n++;
}

static struct event
request(const char *status, const char *latency, const char *path, const char *source,
    struct field *f)
{
	return t_request(NULL, path, status, latency, source, f);
}

static struct conf *
load(const char *slo_json, struct conf_err *err)
{
	char text[2048];
	struct conf *c = NULL;

	snprintf(text, sizeof text, "{\"sources\": [{\"path\": \"-\"}], \"sinks\": [{\"type\": \"null\"}], "
	    "\"metrics\": {\"lateness\": \"2m\"}, \"slo\": %s}", slo_json);
	if (conf_parse(text, strlen(text), NULL, &c, err) != 0)
		return NULL;
	return c;
}

static int
rejects(const char *slo_json, const char *want)
{
	struct conf_err err;
	struct conf *c = load(slo_json, &err);

	if (c != NULL) {
		conf_free(c);
		return tap_ok(0, "refused: %s", slo_json);
	}
	return tap_contains(err.msg, want, slo_json);
}

/* n events in minute m after T0, spread over it, bad of them failing. */
static void
minute(struct slos *ss, int64_t m, unsigned n, unsigned bad)
{
	struct field f[4];
	struct event ev;
	unsigned i;
	int64_t t;

	for (i = 0; i < n; i++) {
		t = T0 + m * MIN + (int64_t)i * (MIN / n);
		slos_advance(ss, t);
		ev = request(i < bad ? "503" : "200", "0.010", "/api/x", "api", f);
		slos_observe(ss, &ev, t);
	}
}

static void
test_config(void)
{
	struct conf_err err;
	struct conf *c;

	rejects("[{\"name\": \"a\", \"objective\": 1}]", "slo[0]: objective: 1 is not between 0 and 1");
	rejects("[{\"name\": \"a\", \"objective\": 0}]", "between 0 and 1");
	rejects("[{\"name\": \"a\", \"alerts\": [\"page 14.4 1h\"]}]",
	    "slo[0]: alerts[0]: \"page 14.4 1h\": expected \"SEVERITY RATE LONG SHORT\"");
	rejects("[{\"name\": \"a\", \"alerts\": [\"page 14.4 5m 1h\"]}]", "short window is longer");
	rejects("[{\"name\": \"a\", \"alerts\": [\"page -1 1h 5m\"]}]", "burn rate is a number above 0");
	rejects("[{\"name\": \"a\", \"alerts\": [\"page 2 90s 5m\"]}]", "whole minutes");
	rejects("[{\"name\": \"a\", \"alerts\": [\"Page! 2 1h 5m\"]}]", "lower-case word");
	rejects("[{\"name\": \"a\"}, {\"name\": \"a\"}]", "slo[1].name: the same name as slo[0]");
	rejects("[{\"name\": \"a\", \"type\": \"speed\"}]", "slo[0].type: expected one of");
	rejects("[{\"objective\": 0.9}]", "slo[0].name: required key is missing");
	rejects("{\"name\": \"a\"}", "slo: expected an array of objectives");

	c = load("[{\"name\": \"a\"}, {\"name\": \"b\", \"alerts\": [], \"objective\": \"0.95\"}]", &err);
	tap_ok(c != NULL, "a valid slo list loads (%s)", c ? "" : err.msg);
	if (c != NULL) {
		struct slos ss;

		slos_init(&ss, c);
		tap_is_int(ss.n, 2, "two objectives");
		tap_is_int(ss.v[0].nalerts, 4, "no alerts key: the SRE Workbook's four");
		tap_is_int(ss.v[1].nalerts, 0, "alerts []: none");
		tap_ok(ss.v[0].objective == 0.999 && ss.v[1].objective == 0.95,
		    "objective: 0.999 by default; a string number reads");
		/* 30d, 1h, 5m, 6h, 30m, 1d, 2h, 3d: one running sum each. */
		tap_is_int(ss.v[0].nwin, 8, "windows shared between the rules: eight sums");
		tap_is_int(ss.v[0].ring_n, 30 * 1440 + 2 + 2, "the ring: the 30d window, the lateness and two");
		slos_free(&ss);
		conf_free(c);
	}
}

/*
 * objective 0.99 (budget: 1% bad), 10 requests a minute. Minutes 0-59
 * good; minutes 60-79 half bad (5 of 10); then good again.
 *
 * page 14.4 1h 5m. After minute 59+k closes (k = 1..20 bad minutes):
 *   5m burn = 50% / 1% = 50 once k >= 5 (k=1: 5 bad of 50 -> 10% -> 10);
 *   1h burn = 5k bad / 600 / 1% = 0.833 k >= 14.4 when k >= 17.28: k = 18,
 *   minute 77, whose end is +78m. Fires at +78m.
 * Resolves when the 5m burn falls below 14.4 (1h stays above it): after
 *   minute 79+j closes the 5m window holds 5 - j bad minutes of 5:
 *   j = 3: 2 of 5 -> 10 bad / 50 -> 20; j = 4: 1 of 5 -> 5/50 -> 10 < 14.4.
 *   Minute 83 ends at +84m. Resolves at +84m.
 * ticket 1 3d 6h: all windows hold everything so far (minutes 0..59+k):
 *   burn = 5k / (10 (60+k)) / 1% = 50k / (60+k) >= 1 from k = 2 (100/62):
 *   minute 61, +62m. Fires at +62m.
 */
static void
test_fast_burn(void)
{
	struct conf_err err;
	struct conf *c = load("[{\"name\": \"api\", \"objective\": 0.99, "
	    "\"alerts\": [\"page 14.4 1h 5m\", \"ticket 1 3d 6h\"]}]", &err);
	struct fired f = { 0 };
	struct slos ss;
	int64_t m;

	slos_init(&ss, c);
	ss.on_alert = on_alert;
	ss.arg = &f;
	for (m = 0; m < 120; m++)
		minute(&ss, m, 10, m >= 60 && m < 80 ? 5 : 0);
	slos_advance(&ss, T0 + 120 * MIN);
	tap_is_int(f.n, 3, "three alert changes");
	tap_is_str(f.log[0], "api ticket 3d/6h firing +62m", "ticket fires at +62m, as computed");
	tap_is_str(f.log[1], "api page 1h/5m firing +78m", "page fires at +78m, as computed");
	tap_is_str(f.log[2], "api page 1h/5m resolved +84m", "page resolves at +84m, as computed");
	/* 120 minutes closed: 1200 events, 100 bad. */
	tap_ok(fabs(slo_value(&ss.v[0]) - 1100.0 / 1200) < 1e-12, "sli = 1100/1200");
	tap_ok(fabs(slo_budget_left(&ss.v[0]) - (1 - 100.0 / 12)) < 1e-9,
	    "budget left = 1 - 100 / (1%% of 1200)");
	/* The last hour is minutes 60-119: 100 bad of 600, 16.7% over 1%. */
	tap_ok(fabs(slo_burn(&ss.v[0], ss.v[0].alert[0].long_w) - 100.0 / 6) < 1e-9,
	    "1h burn = (100/600) / 1%%");
	tap_ok(fabs(slo_burn(&ss.v[0], ss.v[0].alert[0].short_w)) < 1e-12, "5m burn = 0");
	slos_free(&ss);
	conf_free(c);
}

/* Late events within the lateness go into their (closed) minute and the windows holding it. */
static void
test_late(void)
{
	struct conf_err err;
	struct conf *c = load("[{\"name\": \"a\", \"objective\": 0.9, \"window\": \"5m\", \"alerts\": []}]", &err);
	struct field f[4];
	struct event ev;
	struct slos ss;

	slos_init(&ss, c);
	minute(&ss, 0, 10, 0);
	minute(&ss, 1, 10, 0);
	slos_advance(&ss, T0 + 2 * MIN);
	tap_is_int(ss.v[0].win[0].total, 20, "two minutes closed: 20 events in the window");
	ev = request("500", NULL, "/x", "api", f);
	slos_observe(&ss, &ev, T0 + 30 * SEC);	/* minute 0, closed */
	tap_is_int(ss.v[0].win[0].total, 21, "a late event counts in the window at once");
	tap_is_int(ss.v[0].win[0].total - ss.v[0].win[0].good, 1, "as bad");
	/* Minutes 2-4 empty; at +6m minute 0 and 1 have left the 5m window (minutes 1-5 -> 2-6). */
	slos_advance(&ss, T0 + 6 * MIN);
	tap_is_int(ss.v[0].win[0].total, 10, "minute 0 left the 5m window with its late event");
	slos_advance(&ss, T0 + 7 * MIN);
	tap_is_int(ss.v[0].win[0].total, 0, "then minute 1");
	tap_is_int(ss.v[0].total, 21, "the counter keeps them all");
	slos_free(&ss);
	conf_free(c);
}

/* Freshness: each minute is good when the newest event is at most max_age old at its end. */
static void
test_freshness(void)
{
	struct conf_err err;
	struct conf *c = load("[{\"name\": \"fresh\", \"type\": \"freshness\", \"max_age\": \"90s\", "
	    "\"objective\": 0.5, \"source\": \"ap*\", \"alerts\": [\"page 1 10m 2m\"]}]", &err);
	struct fired f = { 0 };
	struct field fl[4];
	struct event ev;
	struct slos ss;

	slos_init(&ss, c);
	ss.on_alert = on_alert;
	ss.arg = &f;
	ev = request("200", NULL, "/x", "api", fl);
	slos_observe(&ss, &ev, T0 + 10 * SEC);
	ev = request("200", NULL, "/x", "db", fl);	/* not this objective's source */
	slos_observe(&ss, &ev, T0 + 5 * MIN);
	/*
	 * Newest at +10s. Minute 0 ends at +60s: 50 s old, good. Minute 1
	 * ends at +120s: 110 s > 90 s, bad. Minutes 1-4 bad.
	 * page 1 10m 2m, objective 0.5 (budget 50%): burn = bad fraction / 0.5.
	 * After minute 1: 10m holds 1 bad of 2 -> 1 >= 1; 2m the same: fires at +2m.
	 */
	slos_advance(&ss, T0 + 5 * MIN);
	tap_is_int(ss.v[0].win[0].total, 5, "five minutes judged");
	tap_is_int(ss.v[0].win[0].good, 1, "only the first was fresh");
	tap_is_str(f.n > 0 ? f.log[0] : "", "fresh page 10m/2m firing +2m", "fires when the first stale minute ends");
	ev = request("200", NULL, "/x", "api", fl);
	slos_observe(&ss, &ev, T0 + 5 * MIN + SEC);
	slos_observe(&ss, &ev, T0 + 6 * MIN + 30 * SEC);
	slos_advance(&ss, T0 + 7 * MIN);
	/* Minutes 5 and 6 fresh: the 2m window holds two good minutes, burn 0: resolved at +7m. */
	tap_is_str(f.n > 1 ? f.log[1] : "", "fresh page 10m/2m resolved +7m", "resolves when the 2m window is fresh");
	slos_free(&ss);
	conf_free(c);
}

/* Latency objectives count the events with a latency, good at or under the threshold; route filters. */
static void
test_latency_route(void)
{
	struct conf_err err;
	struct conf *c = load("[{\"name\": \"lat\", \"type\": \"latency\", \"threshold\": \"250ms\", "
	    "\"route\": \"/api/items/*\", \"objective\": 0.9}]", &err);
	struct field f[4];
	struct event ev;
	struct slos ss;

	slos_init(&ss, c);
	ev = request("200", "0.250", "/api/items/42", "api", f);
	slos_observe(&ss, &ev, T0);
	ev = request("200", "0.251", "/api/items/43", "api", f);
	slos_observe(&ss, &ev, T0 + SEC);
	ev = request("500", "0.001", "/api/items/:id", "api", f);	/* fast is good, whatever the status */
	slos_observe(&ss, &ev, T0 + 2 * SEC);
	ev = request("200", NULL, "/api/items/44", "api", f);	/* no latency: not judged */
	slos_observe(&ss, &ev, T0 + 3 * SEC);
	ev = request("200", "9", "/health", "api", f);	/* another route */
	slos_observe(&ss, &ev, T0 + 4 * SEC);
	tap_is_int(ss.v[0].total, 3, "three requests judged");
	tap_is_int(ss.v[0].good, 2, "0.250 s and 1 ms are good; 0.251 s is not");
	slos_free(&ss);
	conf_free(c);
}

/* A clock that jumps past every window starts afresh: alerts resolve. */
static void
test_jump(void)
{
	struct conf_err err;
	struct conf *c = load("[{\"name\": \"a\", \"objective\": 0.99, \"window\": \"1h\", \"alerts\": [\"page 2 10m 5m\"]}]", &err);
	struct fired f = { 0 };
	struct slos ss;

	slos_init(&ss, c);
	ss.on_alert = on_alert;
	ss.arg = &f;
	minute(&ss, 0, 10, 10);
	slos_advance(&ss, T0 + MIN);
	tap_is_str(f.n > 0 ? f.log[0] : "", "a page 10m/5m firing +1m", "all bad: fires at the first minute's end");
	slos_advance(&ss, T0 + 400 * 24 * 60 * MIN);
	tap_is_int(f.n, 2, "a jump of 400 days");
	tap_is_str(f.n > 1 ? f.log[1] : "", "a page 10m/5m resolved +576000m", "resolves, at the jump's minute");
	tap_is_int(ss.v[0].win[0].total, 0, "the window is empty");
	slos_free(&ss);
	conf_free(c);
}

static void
test_clock(void)
{
	struct evclock k;
	struct event ev;

	memset(&ev, 0, sizeof ev);
	evclock_init(&k, 1, 0, 2 * MIN);
	ev.time_ns = T0;
	tap_is_int(evclock_event(&k, &ev, T0 + 100 * MIN), T0, "event time: the event's own");
	ev.time_ns = T0 + MIN;
	evclock_event(&k, &ev, 0);
	tap_is_int(k.now, T0 + MIN, "the clock is the newest event time");
	ev.time_ns = T0 - MIN;
	tap_is_int(evclock_event(&k, &ev, 0), T0 - MIN, "2 minutes behind: still counts");
	ev.time_ns = T0 - MIN - 1;
	tap_is_int(evclock_event(&k, &ev, 0), -1, "past the lateness: late");
	tap_is_int(k.late, 1, "and counted");
	ev.flags = EVENT_TIME_RECV;
	tap_is_int(evclock_event(&k, &ev, T0 + 500 * MIN), T0 + MIN,
	    "a line without a time counts at the clock, not the wall");
	ev.flags = 0;
	tap_is_int(evclock_tick(&k, T0 + 500 * MIN, 100 * SEC), T0 + MIN,
	    "a replay: ticks do not move the clock");

	evclock_init(&k, 1, 1, 2 * MIN);
	ev.time_ns = T0 + 10 * MIN;
	tap_is_int(evclock_event(&k, &ev, T0), T0, "live: a time past the wall and the lateness is taken as read");
	tap_is_int(k.future, 1, "and counted");
	evclock_tick(&k, T0, 2 * SEC);
	tap_is_int(evclock_tick(&k, T0 + 3 * SEC, 3 * SEC), T0, "live, not yet idle: the clock waits");
	tap_is_int(evclock_tick(&k, T0 + 10 * SEC, 10 * SEC), T0 + 10 * SEC - 2 * MIN > T0 ?
	    T0 + 10 * SEC - 2 * MIN : T0 + 7 * SEC, "idle: time passes by the monotonic clock");
	tap_is_int(evclock_tick(&k, T0 + 3600 * SEC, 11 * SEC), T0 + 3600 * SEC - 2 * MIN,
	    "a clock left behind catches up with the wall, less the lateness");
	tap_is_int(evclock_tick(&k, T0 - 3600 * SEC, 12 * SEC), T0 + 3601 * SEC - 2 * MIN,
	    "a wall clock stepped back an hour: the clock runs on");

	evclock_init(&k, 0, 1, 2 * MIN);
	ev.time_ns = T0 - 100 * MIN;
	tap_is_int(evclock_event(&k, &ev, T0), T0, "wall clock: the time the line was read");
	tap_is_int(evclock_tick(&k, T0 + SEC, 2), T0 + SEC, "and ticks move it");
}

int
main(void)
{
	test_config();
	test_fast_burn();
	test_late();
	test_freshness();
	test_latency_route();
	test_jump();
	test_clock();
	return tap_done();
}
