/* SPDX-License-Identifier: MIT */
/* slo.c: per-minute good/total counts in a ring, running window sums, burn-rate alerts. */
#include "config.h"

#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"
#include "route.h"
#include "slo.h"
#include "xmalloc.h"

/* The SRE Workbook's multiwindow, multi-burn-rate alerts for a 30-day budget. */
static const char *const slo_default_alerts[] = {
	"page 14.4 1h 5m", "page 6 6h 30m", "ticket 3 1d 2h", "ticket 1 3d 6h",
};
#define SLO_NDEFAULT	(sizeof slo_default_alerts / sizeof slo_default_alerts[0])

static int64_t
slo_whole_minutes(const char *s)
{
	long long ms;

	if (conf_parse_ms(s, &ms) != 0 || ms <= 0 || ms % 60000 != 0 ||
	    ms > 90LL * 86400000)
		return -1;
	return ms / 60000;
}

/* "page 14.4 1h 5m" into a; 0, or -1 with err. */
static int
slo_parse_alert(const char *text, struct slo_alert *a, char *err, size_t errlen)
{
	char sev[64], rate[32], lw[32], sw[32], extra[2];
	char *end;

	memset(a, 0, sizeof *a);
	if (sscanf(text, "%63s %31s %31s %31s %1s", sev, rate, lw, sw, extra) != 4) {
		snprintf(err, errlen, "\"%s\": expected \"SEVERITY RATE LONG SHORT\", such as \"page 14.4 1h 5m\"",
		    text);
		return -1;
	}
	if (strlen(sev) >= sizeof a->severity || strspn(sev,
	    "abcdefghijklmnopqrstuvwxyz_") != strlen(sev)) {
		snprintf(err, errlen, "\"%s\": the severity is a lower-case word of at most %zu letters",
		    text, sizeof a->severity - 1);
		return -1;
	}
	a->rate = strtod(rate, &end);
	if (end == rate || *end != '\0' || !(a->rate > 0 && a->rate <= 1e6)) {
		snprintf(err, errlen, "\"%s\": the burn rate is a number above 0", text);
		return -1;
	}
	a->long_min = slo_whole_minutes(lw);
	a->short_min = slo_whole_minutes(sw);
	if (a->long_min < 0 || a->short_min < 0) {
		snprintf(err, errlen, "\"%s\": the windows are durations in whole minutes, up to 90d",
		    text);
		return -1;
	}
	if (a->short_min > a->long_min) {
		snprintf(err, errlen, "\"%s\": the short window is longer than the long one", text);
		return -1;
	}
	snprintf(a->severity, sizeof a->severity, "%s", sev);
	snprintf(a->long_name, sizeof a->long_name, "%s", lw);
	snprintf(a->short_name, sizeof a->short_name, "%s", sw);
	return 0;
}

static const char *
slo_alert_text(const struct conf_slo *c, size_t i)
{
	return c->alerts_given ? c->alerts.v[i] : slo_default_alerts[i];
}

/* An empty list is no alerts; an absent one the defaults. */
static size_t
slo_nalerts(const struct conf_slo *c)
{
	return c->alerts_given ? c->alerts.n : SLO_NDEFAULT;
}

int
slo_check(const struct conf_slo *c, char *err, size_t errlen)
{
	struct slo_alert a;
	char why[384];
	size_t i;

	if (!(c->objective > 0 && c->objective < 1)) {
		snprintf(err, errlen, "objective: %g is not between 0 and 1 (such as 0.999)",
		    c->objective);
		return -1;
	}
	if (c->window_ms % 60000 != 0) {
		snprintf(err, errlen, "window: whole minutes, please");
		return -1;
	}
	if (slo_nalerts(c) > SLO_MAX_ALERTS) {
		snprintf(err, errlen, "alerts: more than %d", SLO_MAX_ALERTS);
		return -1;
	}
	for (i = 0; i < slo_nalerts(c); i++)
		if (slo_parse_alert(slo_alert_text(c, i), &a, why, sizeof why) != 0) {
			snprintf(err, errlen, "alerts[%zu]: %s", i, why);
			return -1;
		}
	return 0;
}

void
slo_minutes_name(int64_t minutes, char *out, size_t cap)
{
	if (minutes % 1440 == 0)
		snprintf(out, cap, "%lldd", (long long)(minutes / 1440));
	else if (minutes % 60 == 0)
		snprintf(out, cap, "%lldh", (long long)(minutes / 60));
	else
		snprintf(out, cap, "%lldm", (long long)minutes);
}

/* The running sum over the last minutes minutes, shared by whoever needs it. */
static unsigned
slo_window(struct slo *s, int64_t minutes)
{
	unsigned w;

	for (w = 0; w < s->nwin; w++)
		if (s->win[w].minutes == minutes)
			return w;
	s->win[s->nwin].minutes = minutes;
	return s->nwin++;
}

void
slos_init(struct slos *ss, const struct conf *c)
{
	const struct conf_slo *cs;
	struct slo *s;
	char why[384];
	int64_t longest, lateness_min;
	unsigned i, k;

	memset(ss, 0, sizeof *ss);
	ss->error_status = (unsigned)c->metrics.error_status;
	if (c->nslos == 0)
		return;
	ss->v = xcalloc(c->nslos, sizeof *ss->v);
	lateness_min = (c->metrics.lateness_ms + 59999) / 60000;
	for (i = 0; i < c->nslos; i++) {
		cs = &c->slos[i];
		s = &ss->v[ss->n++];
		s->name = xstrdup(cs->name);
		s->route = cs->route != NULL ? xstrdup(cs->route) : NULL;
		s->source = cs->source != NULL ? xstrdup(cs->source) : NULL;
		s->type = cs->type;
		s->objective = cs->objective;
		s->threshold_us = (uint64_t)cs->threshold_ms * 1000;
		s->max_age_ns = cs->max_age_ms * 1000000LL;
		s->open_min = -1;
		longest = cs->window_ms / 60000;
		slo_window(s, longest);
		for (k = 0; k < slo_nalerts(cs); k++) {
			struct slo_alert *a = &s->alert[s->nalerts];

			if (slo_parse_alert(slo_alert_text(cs, k), a, why, sizeof why) != 0)
				continue;	/* slo_check said so at load */
			a->long_w = slo_window(s, a->long_min);
			a->short_w = slo_window(s, a->short_min);
			if (a->long_min > longest)
				longest = a->long_min;
			s->nalerts++;
		}
		/* A minute leaves the longest window before its slot is reused, late events included. */
		s->ring_n = longest + lateness_min + 2;
		s->ring = xcalloc((size_t)s->ring_n, sizeof *s->ring);
	}
}

void
slos_free(struct slos *ss)
{
	unsigned i;

	for (i = 0; i < ss->n; i++) {
		free(ss->v[i].name);
		free(ss->v[i].route);
		free(ss->v[i].source);
		free(ss->v[i].ring);
	}
	free(ss->v);
	memset(ss, 0, sizeof *ss);
}

static uint32_t *
slo_slot(struct slo *s, int64_t minute)
{
	return s->ring[minute % s->ring_n];
}

double
slo_burn(const struct slo *s, unsigned w)
{
	const struct slo_sum *sum = &s->win[w];

	if (sum->total == 0)
		return 0;
	return (double)(sum->total - sum->good) / (double)sum->total / (1 - s->objective);
}

double
slo_value(const struct slo *s)
{
	return s->win[0].total == 0 ? 1 : (double)s->win[0].good / (double)s->win[0].total;
}

double
slo_budget_left(const struct slo *s)
{
	const struct slo_sum *sum = &s->win[0];

	if (sum->total == 0)
		return 1;
	return 1 - (double)(sum->total - sum->good) /
	    ((1 - s->objective) * (double)sum->total);
}

/* Minute c ends: it enters every window, the minute a window long before it leaves. */
static void
slo_close(struct slos *ss, struct slo *s, int64_t c)
{
	uint32_t *slot = slo_slot(s, c), *old;
	struct slo_alert *a;
	int64_t end = (c + 1) * SLO_MINUTE_NS;
	double bl, bs;
	unsigned w;
	int cond;

	if (s->type == SLO_FRESHNESS) {
		slot[1] = 1;
		slot[0] = s->newest_ns != 0 && end - s->newest_ns <= s->max_age_ns;
		s->total++;
		s->good += slot[0];
	}
	for (w = 0; w < s->nwin; w++) {
		s->win[w].good += slot[0];
		s->win[w].total += slot[1];
		if (c - s->win[w].minutes >= 0) {
			old = slo_slot(s, c - s->win[w].minutes);
			s->win[w].good -= old[0];
			s->win[w].total -= old[1];
		}
	}
	for (a = s->alert; a < s->alert + s->nalerts; a++) {
		bl = slo_burn(s, a->long_w);
		bs = slo_burn(s, a->short_w);
		/* A burn exactly at the rate fires: 36/600 over 1 - 0.99 is 5.9999... in doubles. */
		cond = bl >= a->rate * (1 - 1e-9) && bs >= a->rate * (1 - 1e-9);
		if (cond == a->firing)
			continue;
		a->firing = cond;
		a->since_ns = end;
		a->fired += (uint64_t)cond;
		if (ss->on_alert != NULL)
			ss->on_alert(ss->arg, s, a, end, bl, bs);
	}
}

static void
slo_advance(struct slos *ss, struct slo *s, int64_t minute)
{
	unsigned w;

	if (s->open_min < 0) {
		s->open_min = minute;
		return;
	}
	if (minute - s->open_min > s->ring_n) {
		/* A jump past every window: close what was open, then start afresh. */
		slo_close(ss, s, s->open_min);
		memset(s->ring, 0, (size_t)s->ring_n * sizeof *s->ring);
		for (w = 0; w < s->nwin; w++)
			s->win[w].good = s->win[w].total = 0;
		s->open_min = minute - 1;	/* the loop closes it: alerts see the empty windows */
	}
	while (s->open_min < minute) {
		slo_close(ss, s, s->open_min);
		s->open_min++;
		memset(slo_slot(s, s->open_min), 0, sizeof s->ring[0]);
	}
}

void
slos_advance(struct slos *ss, int64_t now)
{
	unsigned i;

	if (now <= 0)
		return;
	for (i = 0; i < ss->n; i++)
		slo_advance(ss, &ss->v[i], now / SLO_MINUTE_NS);
}

void
slos_finish(struct slos *ss)
{
	unsigned i;

	for (i = 0; i < ss->n; i++)
		if (ss->v[i].open_min >= 0)
			slo_advance(ss, &ss->v[i], ss->v[i].open_min + 1);
}

static int
slo_source_matches(const struct slo *s, const struct event *ev)
{
	char name[1024];

	if (ev->source.n >= sizeof name)
		return 0;
	if (ev->source.n > 0)
		memcpy(name, ev->source.p, ev->source.n);
	name[ev->source.n] = '\0';
	return fnmatch(s->source, name, 0) == 0;
}

void
slos_observe(struct slos *ss, const struct event *ev, int64_t t)
{
	struct metrics_req r;

	if (ss->n == 0)
		return;
	metrics_request(ev, &r);
	slos_observe_req(ss, ev, &r, t);
}

void
slos_observe_req(struct slos *ss, const struct event *ev, const struct metrics_req *rq,
    int64_t t)
{
	const struct metrics_req r = *rq;
	struct slo *s;
	uint32_t *slot;
	int64_t minute = t / SLO_MINUTE_NS, us;
	unsigned i;
	int good;

	for (i = 0; i < ss->n; i++) {
		s = &ss->v[i];
		if (s->source != NULL && !slo_source_matches(s, ev))
			continue;
		if (s->route != NULL && (r.path.n == 0 || !route_glob(s->route, r.path.p, r.path.n)))
			continue;
		if (minute > s->open_min)
			slo_advance(ss, s, minute);
		switch (s->type) {
		case SLO_FRESHNESS:
			if (t > s->newest_ns)
				s->newest_ns = t;
			continue;
		case SLO_LATENCY:
			if (r.latency.n == 0 || metrics_latency_us(r.latency.p, r.latency.n, &us) != 0)
				continue;
			good = (uint64_t)us <= s->threshold_us;
			break;
		default:
			good = r.code != 0 ? r.code < ss->error_status : ev->level < LEVEL_ERROR;
			break;
		}
		s->total++;
		s->good += (uint64_t)good;
		if (minute < s->open_min - s->ring_n + 2)
			continue;	/* the caller's lateness is longer than ours: cannot be */
		slot = slo_slot(s, minute);
		slot[0] += (uint32_t)good;
		slot[1]++;
		if (minute < s->open_min) {
			/* Late, in a closed minute: into the windows that still hold it. */
			unsigned w;

			for (w = 0; w < s->nwin; w++)
				if (s->open_min - 1 - minute < s->win[w].minutes) {
					s->win[w].good += (uint64_t)good;
					s->win[w].total++;
				}
		}
	}
}
