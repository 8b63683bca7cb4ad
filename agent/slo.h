/* SPDX-License-Identifier: MIT */
/* slo.h: service level objectives from events: error budgets and multi-window burn-rate alerts. */
#ifndef SLO_H
#define SLO_H

#include <stdint.h>

#include "agent.h"
#include "conf.h"

#define SLO_MAX		64	/* objectives in a config */
#define SLO_MAX_ALERTS	8	/* alert rules per objective */
#define SLO_MINUTE_NS	(60LL * 1000000000)

/* A burn-rate alert: fires while the burn rate is at least rate over both windows. */
struct slo_alert {
	char severity[16];	/* page, ticket: the user's word */
	double rate;
	int64_t long_min, short_min;
	char long_name[16], short_name[16];	/* as configured: "1h", "5m" */
	unsigned long_w, short_w;	/* their sums in slo.win */
	int firing;
	int64_t since_ns;	/* when it last fired or resolved */
	uint64_t fired;		/* times it fired */
};

/* Good and total events over the last minutes closed (a running sum). */
struct slo_sum {
	int64_t minutes;
	uint64_t good, total;
};

struct slo {
	char *name;		/* owned copies: a reload frees the conf */
	char *route, *source;	/* globs, or NULL */
	int type;
	double objective;
	uint64_t threshold_us;
	int64_t max_age_ns;
	struct slo_alert alert[SLO_MAX_ALERTS];
	unsigned nalerts;
	struct slo_sum win[1 + 2 * SLO_MAX_ALERTS];	/* win[0]: the objective's window */
	unsigned nwin;
	uint32_t (*ring)[2];	/* per minute: good, total; minute m at m % ring_n */
	int64_t ring_n;
	int64_t open_min;	/* the minute being filled; those before are closed; -1: none yet */
	int64_t newest_ns;	/* freshness: the newest matching event's time, 0 for none */
	uint64_t good, total;	/* counters since start */
};

struct slos {
	struct slo *v;
	unsigned n;
	unsigned error_status;
	/* An alert fired (firing 1) or resolved at at_ns, the end of the minute that decided. */
	void (*on_alert)(void *arg, const struct slo *s, const struct slo_alert *a,
	    int64_t at_ns, double burn_long, double burn_short);
	void *arg;
};

/* 0, or -1 with err saying what is wrong (an alert that does not read, say). */
int	slo_check(const struct conf_slo *c, char *err, size_t errlen);

/* The objectives of c (each checked), with the lateness event time allows. */
void	slos_init(struct slos *ss, const struct conf *c);
void	slos_free(struct slos *ss);

/* Count ev at time t (never older than the clock less the lateness). */
void	slos_observe(struct slos *ss, const struct event *ev, int64_t t);
/* The same with ev's request fields already read (metrics_observe_req). */
struct metrics_req;
void	slos_observe_req(struct slos *ss, const struct event *ev,
	    const struct metrics_req *r, int64_t t);

/* Close every minute before the one holding now; alerts are judged at each close. */
void	slos_advance(struct slos *ss, int64_t now);

/* End of input (--oneshot): the minute being filled is closed too. */
void	slos_finish(struct slos *ss);

/* Burn rate over s->win[w]: the bad fraction over the budget's fraction. */
double	slo_burn(const struct slo *s, unsigned w);

/* The good fraction over the objective's window (1 without events). */
double	slo_value(const struct slo *s);

/* The error budget left over the window: 1 untouched, 0 spent, below 0 overspent. */
double	slo_budget_left(const struct slo *s);

/* "30d", "1h", "5m": minutes as the configs write them. */
void	slo_minutes_name(int64_t minutes, char *out, size_t cap);

#endif
