/* SPDX-License-Identifier: MIT */
/* metrics.h: request rate, errors and latency per series, in rolling windows, from events. */
#ifndef METRICS_H
#define METRICS_H

#include <stdint.h>

#include "agent.h"
#include "buf.h"
#include "conf.h"
#include "hist.h"
#include "reqcache.h"
#include "route.h"

#define METRICS_TICK_NS		(10LL * 1000000000)	/* the finest slot */
#define METRICS_SLOTS		6	/* a window is six closed slots, and the one filling */
#define METRICS_MAX_WINDOWS	8
#define METRICS_MAX_BUCKETS	64
#define METRICS_MAX_GROUP	8
#define METRICS_VALUE_MAX	1024	/* a group_by value is cut past this */
#define METRICS_TICK_LOG	2048	/* latencies a series logs in a tick before they are folded */

/* One slot of a window: its histogram (sparse) and its counts. */
struct metrics_slot {
	struct hist_sparse h;
	uint64_t requests, errors;
};

struct metrics_window {
	struct metrics_slot ring[METRICS_SLOTS];	/* closed, oldest overwritten */
	unsigned head, nclosed;
	struct metrics_slot building;
	int64_t building_start;
	uint32_t closes;	/* slots closed so far (wrapping) */
	uint32_t fed_mark;	/* a fed window: its feeder's closes it has taken */
};

/*
 * A series: one combination of the group_by values. Counters only grow
 * (Prometheus counters); the windows roll.
 */
struct series {
	/* What every event touches, in one cache line: series are line-aligned. */
	uint32_t hash;
	uint32_t key_n;
	uint64_t events, requests, errors;
	uint64_t lat_sum_us;	/* exact; in seconds on the way out */
	/*
	 * This tick's latencies (us) as they came. Appending writes one line
	 * of a series; adding to a histogram of its own wrote a bucket
	 * anywhere in 8 KiB, and a few tens of series' histograms do not fit
	 * in a core's cache: that miss was the largest cost of metrics. The
	 * log goes into one shared histogram when the tick closes.
	 */
	uint32_t *tick_lat;
	uint32_t tick_n, tick_cap;
	/* Per le bucket, not cumulative; the last is +Inf. Their sum is the latency count. */
	uint64_t le[METRICS_MAX_BUCKETS + 1];
	/* What ticks and scrapes read. */
	struct hist_sparse tick_early;	/* this tick's latencies taken out of a full log */
	uint64_t tick_requests, tick_errors;	/* requests and errors when this tick began */
	struct metrics_window *win;	/* one per window; owned */
	struct series *next;	/* all series, oldest first */
	/*
	 * The values, each a 2-byte length (LE) and bytes. In the same block:
	 * a lookup loads the series and its key at once, where a pointer to
	 * the key would wait for the series to be loaded first.
	 */
	char key[];
};

/* A window's figures for one series. */
struct metrics_figures {
	double seconds;		/* how much time they cover */
	uint64_t requests, errors;
	double rate;		/* requests per second */
	double error_ratio;	/* errors / requests, 0 without requests */
	double p50, p90, p95, p99, max;	/* seconds */
	uint64_t lat_count;	/* latencies in the window */
	double lat_sum;		/* their sum, seconds */
};

struct metrics {
	char *group[METRICS_MAX_GROUP];	/* copies: a reload frees the conf */
	unsigned char group_kind[METRICS_MAX_GROUP];	/* source, method, route...: see metrics.c */
	size_t group_len[METRICS_MAX_GROUP];
	unsigned ngroup;
	int64_t window_ns[METRICS_MAX_WINDOWS];
	char window_name[METRICS_MAX_WINDOWS][16];
	unsigned nwindows;
	/*
	 * Windows by slot length, shortest first, and each one's feeder: the
	 * longest shorter window whose slots its slot is a whole number of
	 * (5m's 50 s slots for 1h's 600 s), or -1 for ticks. A fed window
	 * takes the feeder's closed slots late, all at once: when its own
	 * slot closes, or sooner when the feeder's ring holds METRICS_SLOTS
	 * not taken (1h takes 5m's twelve in two goes). Until then its
	 * figures add them. Merged as each closed, a slot being filled was
	 * read and written back that often, out of cache each time (a few
	 * KiB per series).
	 */
	unsigned order[METRICS_MAX_WINDOWS];
	int feeder[METRICS_MAX_WINDOWS];
	double bucket[METRICS_MAX_BUCKETS];
	uint64_t bucket_us[METRICS_MAX_BUCKETS];	/* the same in whole us, for the hot path */
	unsigned char le_of[HIST_BUCKETS];	/* the first le at or above a hist bucket's low end */
	unsigned nbuckets;
	struct route_rules routes;
	unsigned error_status;
	unsigned max_series;

	struct metrics_slot_ref {
		uint32_t hash;
		struct series *s;
	} *tab;			/* open addressing, tab_size a power of two, half full at most */
	unsigned tab_size;
	struct series *all, *last;
	unsigned nseries;
	struct series *overflow;
	uint64_t overflow_events;
	struct reqcache cache;	/* requests' series by their raw values */
	int64_t tick_start;	/* of the tick being filled; 0 before the first event */
	struct hist scratch;	/* for window quantiles and closing ticks; empty between uses */
	struct hist_sparse tick;	/* a series' tick, compacted: its room is reused */

	/* At the end of each window, for each series that saw events in it. */
	void (*on_window)(void *arg, const struct metrics *m, unsigned w,
	    const struct series *s, const struct metrics_figures *f, int64_t end_ns);
	void *arg;
};

/*
 * Check a metrics conf (windows, buckets, routes, label names); 0, or -1
 * with err saying what is wrong and where.
 */
int	metrics_check(const struct conf_metrics *c, char *err, size_t errlen);

/* From a checked conf, which must outlive m. */
int	metrics_init(struct metrics *m, const struct conf_metrics *c);
void	metrics_free(struct metrics *m);

/*
 * Count one event at time now. The clock is the caller's (wall time, or
 * the events' own): the module never reads the system time.
 */
void	metrics_observe(struct metrics *m, const struct event *ev, int64_t now);

/* The same, leaving in *r the request fields it read, for whoever reads them next (SLOs). */
struct metrics_req;
void	metrics_observe_req(struct metrics *m, const struct event *ev, int64_t now,
	    struct metrics_req *r);

/* Let time pass: close ticks and slots, end windows. */
void	metrics_advance(struct metrics *m, int64_t now);

/*
 * One series' figures for window w at time now (after metrics_advance to
 * now): the six closed slots and the one filling, so a window's figures
 * cover its length and up to a sixth more; exactly its length at its end.
 */
void	metrics_window(struct metrics *m, const struct series *s, unsigned w,
	    int64_t now, struct metrics_figures *f);

/* Every series together: the figures of the whole stream (the status line). */
void	metrics_window_all(struct metrics *m, unsigned w, int64_t now,
	    struct metrics_figures *f);

/* Figures of one route: the series that share a method and route, merged. */
#define METRICS_ROUTE_NAME	192
struct metrics_route {
	char name[METRICS_ROUTE_NAME];	/* "GET /api/items/:id" (the series' labels without those) */
	struct metrics_figures f;
};

/*
 * Up to max routes with requests in window w at now, most requests
 * first, into out; how many. For people (--top, the exit summary): the
 * series merged by their method and route labels, whatever else they
 * are grouped by.
 */
unsigned metrics_routes(struct metrics *m, unsigned w, int64_t now, struct metrics_route *out,
	    unsigned max);

/* The text format's pieces, for anyone writing metrics: a label value (\, " and
 * newline escaped, invalid UTF-8 as U+FFFD) and a family's HELP and TYPE lines. */
void	prom_value(struct buf *b, const char *p, size_t n);
void	prom_head(struct buf *b, const char *name, const char *type, const char *help);

/* Every series in the Prometheus text format 0.0.4. */
void	metrics_prometheus(struct metrics *m, int64_t now, struct buf *out);

/* What makes an event a request: its status (code 0 when none), method, path, latency. */
struct metrics_req {
	struct slice status, method, path, latency;
	unsigned code;
};
void	metrics_request(const struct event *ev, struct metrics_req *r);

/* A latency field's text (seconds, or with a unit) in whole us; 0, or -1 when it is none. */
int	metrics_latency_us(const char *p, size_t n, int64_t *us);

/* The i-th group_by value of s (not NUL-terminated: *n bytes). */
const char *series_label(const struct series *s, unsigned i, size_t *n);

#endif
