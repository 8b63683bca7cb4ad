/* SPDX-License-Identifier: MIT */
/* metrics.c: series by group_by values, counters, latency buckets, rolling windows. */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "level.h"
#include "metrics.h"
#include "parser.h"
#include "xmalloc.h"

static const char *const metrics_default_group[] = {
	"source", "method", "route", "status_class",
};
static const char *const metrics_default_windows[] = { "1m", "5m", "1h" };
/* The Prometheus client libraries' default buckets. */
static const double metrics_default_buckets[] = {
	0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
};


/* What a group_by name stands for, decided once rather than per event. */
enum { GK_FIELD, GK_SOURCE, GK_METHOD, GK_ROUTE, GK_STATUS_CLASS, GK_STATUS, GK_LEVEL };
static const char *const metrics_group_kinds[] = {
	[GK_SOURCE] = "source", [GK_METHOD] = "method", [GK_ROUTE] = "route",
	[GK_STATUS_CLASS] = "status_class", [GK_STATUS] = "status", [GK_LEVEL] = "level",
};
#define METRICS_OVERFLOW "__overflow__"

/* "1m", "90s", "1h": whole minutes only (windows are six slots of ticks). */
static int
metrics_parse_window(const char *s, int64_t *ns)
{
	char *end;
	long long v;
	int64_t unit;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || end == s || v <= 0 || v > 100000)
		return -1;
	if (strcmp(end, "s") == 0)
		unit = 1;
	else if (strcmp(end, "m") == 0)
		unit = 60;
	else if (strcmp(end, "h") == 0)
		unit = 3600;
	else if (strcmp(end, "d") == 0)
		unit = 86400;
	else
		return -1;
	*ns = v * unit * 1000000000LL;
	return *ns % (60 * 1000000000LL) == 0 ? 0 : -1;
}

static int
metrics_label_name_ok(const char *s)
{
	size_t i;

	if (s[0] == '\0' || (s[0] >= '0' && s[0] <= '9') || strncmp(s, "__", 2) == 0)
		return 0;
	for (i = 0; s[i] != '\0'; i++)
		if (!((s[i] | 0x20) >= 'a' && (s[i] | 0x20) <= 'z') &&
		    !(s[i] >= '0' && s[i] <= '9') && s[i] != '_')
			return 0;
	return strcmp(s, "le") != 0 && strcmp(s, "window") != 0 &&
	    strcmp(s, "quantile") != 0;
}

int
metrics_check(const struct conf_metrics *c, char *err, size_t errlen)
{
	struct route_rules r;
	double prev = 0, v;
	int64_t ns;
	char *end;
	size_t i, j;

	if (c->group_by.n > METRICS_MAX_GROUP) {
		snprintf(err, errlen, "group_by: at most %d fields", METRICS_MAX_GROUP);
		return -1;
	}
	for (i = 0; i < c->group_by.n; i++) {
		if (!metrics_label_name_ok(c->group_by.v[i])) {
			snprintf(err, errlen, "group_by[%zu]: \"%s\" is not a Prometheus label "
			    "name (letters, digits, _; not le, window, quantile or __...)",
			    i, c->group_by.v[i]);
			return -1;
		}
		for (j = 0; j < i; j++)
			if (strcmp(c->group_by.v[i], c->group_by.v[j]) == 0) {
				snprintf(err, errlen, "group_by[%zu]: \"%s\" twice", i,
				    c->group_by.v[i]);
				return -1;
			}
	}
	if (c->windows.n > METRICS_MAX_WINDOWS) {
		snprintf(err, errlen, "windows: at most %d", METRICS_MAX_WINDOWS);
		return -1;
	}
	for (i = 0; i < c->windows.n; i++)
		if (metrics_parse_window(c->windows.v[i], &ns) != 0) {
			snprintf(err, errlen, "windows[%zu]: expected whole minutes such as "
			    "\"1m\", \"5m\", \"1h\", got \"%s\"", i, c->windows.v[i]);
			return -1;
		}
	if (c->buckets.n > METRICS_MAX_BUCKETS) {
		snprintf(err, errlen, "buckets: at most %d", METRICS_MAX_BUCKETS);
		return -1;
	}
	for (i = 0; i < c->buckets.n; i++) {
		errno = 0;
		v = strtod(c->buckets.v[i], &end);
		if (errno != 0 || end == c->buckets.v[i] || *end != '\0' || !(v > prev) ||
		    !isfinite(v)) {
			snprintf(err, errlen, "buckets[%zu]: expected seconds greater than "
			    "the bucket before, got \"%s\"", i, c->buckets.v[i]);
			return -1;
		}
		prev = v;
	}
	if (route_rules_init(&r, &c->routes, err, errlen) != 0)
		return -1;
	route_rules_free(&r);
	return 0;
}

static void
metrics_window_reset(struct metrics_window *w, int64_t start)
{
	unsigned i;

	for (i = 0; i < METRICS_SLOTS; i++) {
		hist_sparse_free(&w->ring[i].h);
		w->ring[i].requests = w->ring[i].errors = 0;
	}
	hist_sparse_free(&w->building.h);
	w->building.requests = w->building.errors = 0;
	w->head = w->nclosed = 0;
	w->closes = w->fed_mark = 0;
	w->building_start = start;
}

/* The windows in the order ticks fill them, and who feeds whom (see metrics.h). */
static void
metrics_feeders(struct metrics *m)
{
	int64_t slot, f_slot;
	unsigned i, j, w;
	int f;

	for (i = 0; i < m->nwindows; i++)
		m->order[i] = i;
	for (i = 1; i < m->nwindows; i++)	/* insertion sort: eight at most */
		for (j = i; j > 0 && m->window_ns[m->order[j]] < m->window_ns[m->order[j - 1]]; j--) {
			w = m->order[j];
			m->order[j] = m->order[j - 1];
			m->order[j - 1] = w;
		}
	for (i = 0; i < m->nwindows; i++) {
		w = m->order[i];
		slot = m->window_ns[w] / METRICS_SLOTS;
		m->feeder[w] = -1;
		for (j = 0; j < i; j++) {
			f = (int)m->order[j];
			f_slot = m->window_ns[f] / METRICS_SLOTS;
			if (f_slot < slot && slot % f_slot == 0)
				m->feeder[w] = f;	/* the last is the longest */
		}
	}
}

/* What each kind of group value is to the cache of requests' series. */
static const unsigned metrics_cache_keyed[] = {
	[GK_FIELD] = 0, [GK_SOURCE] = REQCACHE_BY_SOURCE, [GK_METHOD] = REQCACHE_BY_METHOD,
	[GK_ROUTE] = REQCACHE_BY_ROUTE, [GK_STATUS_CLASS] = REQCACHE_BY_CLASS,
	[GK_STATUS] = REQCACHE_BY_STATUS, [GK_LEVEL] = REQCACHE_BY_LEVEL,
};

int
metrics_init(struct metrics *m, const struct conf_metrics *c)
{
	char err[256];
	unsigned i, keyed, fields;

	memset(m, 0, sizeof *m);
	if (c->group_by.n > 0) {
		for (i = 0; i < c->group_by.n; i++)
			m->group[i] = xstrdup(c->group_by.v[i]);
		m->ngroup = (unsigned)c->group_by.n;
	} else {
		for (i = 0; i < 4; i++)
			m->group[i] = xstrdup(metrics_default_group[i]);
		m->ngroup = 4;
	}
	for (i = 0, keyed = 0, fields = 0; i < m->ngroup; i++) {
		unsigned k;

		m->group_kind[i] = GK_FIELD;
		m->group_len[i] = strlen(m->group[i]);
		for (k = GK_SOURCE; k <= GK_LEVEL; k++)
			if (strcmp(m->group[i], metrics_group_kinds[k]) == 0)
				m->group_kind[i] = (unsigned char)k;
		keyed |= metrics_cache_keyed[m->group_kind[i]];
		fields += m->group_kind[i] == GK_FIELD;
	}
	/* A field of the line's own in the key: the cache does not know its value. */
	reqcache_init(&m->cache, fields > 0 ? 0 : keyed);
	m->nwindows = c->windows.n > 0 ? (unsigned)c->windows.n : 3;
	for (i = 0; i < m->nwindows; i++) {
		const char *w = c->windows.n > 0 ? c->windows.v[i] :
		    metrics_default_windows[i];

		if (metrics_parse_window(w, &m->window_ns[i]) != 0)
			goto fail;
		snprintf(m->window_name[i], sizeof m->window_name[i], "%s", w);
	}
	metrics_feeders(m);
	m->nbuckets = c->buckets.n > 0 ? (unsigned)c->buckets.n : 11;
	for (i = 0; i < m->nbuckets; i++) {
		m->bucket[i] = c->buckets.n > 0 ? strtod(c->buckets.v[i], NULL) :
		    metrics_default_buckets[i];
		/* le is inclusive: a latency of x us is in the bucket when x <= le. */
		m->bucket_us[i] = m->bucket[i] * 1e6 >= 1.8e19 ? UINT64_MAX :
		    (uint64_t)(m->bucket[i] * 1e6 + 0.5);
	}
	for (i = 0; i < HIST_BUCKETS; i++) {
		unsigned le;

		for (le = 0; le < m->nbuckets && m->bucket_us[le] < hist_bucket_low(i); le++)
			;
		m->le_of[i] = (unsigned char)le;
	}
	if (route_rules_init(&m->routes, &c->routes, err, sizeof err) != 0)
		goto fail;
	m->error_status = (unsigned)c->error_status;
	m->max_series = (unsigned)c->max_series;
	m->tab_size = 64;
	m->tab = xcalloc(m->tab_size, sizeof *m->tab);
	hist_init(&m->scratch);
	return 0;
fail:
	metrics_free(m);	/* a checked conf does not get here */
	return -1;
}

void
metrics_free(struct metrics *m)
{
	struct series *s, *next;
	unsigned w;

	for (s = m->all; s != NULL; s = next) {
		next = s->next;
		for (w = 0; w < m->nwindows; w++)
			metrics_window_reset(&s->win[w], 0);
		free(s->tick_lat);
		hist_sparse_free(&s->tick_early);
		free(s->win);
		free(s);
	}
	free(m->tab);
	reqcache_free(&m->cache);
	hist_sparse_free(&m->tick);
	for (w = 0; w < m->ngroup; w++)
		free(m->group[w]);
	route_rules_free(&m->routes);
	memset(m, 0, sizeof *m);
}

/*
 * A series' key is its group_by values in order, each as a two-byte
 * length and its bytes: any byte may be in a value, and a lookup compares
 * the event's values where they lie instead of copying them into one
 * string first.
 */
const char *
series_label(const struct series *s, unsigned i, size_t *n)
{
	const unsigned char *p = (const unsigned char *)s->key;

	for (; i > 0; i--)
		p += 2 + ((size_t)p[0] | (size_t)p[1] << 8);
	*n = (size_t)p[0] | (size_t)p[1] << 8;
	return (const char *)p + 2;
}

/* Eight bytes as a number. */
static inline uint64_t
metrics_load8(const char *p)
{
	uint64_t w;

	memcpy(&w, p, 8);
	return w;
}

/*
 * A series key's hash, eight bytes at a time in two lanes: a key is tens
 * of bytes, and one chain of dependent multiplies over all of it would
 * be most of the cost of a lookup.
 */
static uint64_t
metrics_hash(const char *p, size_t n)
{
	uint64_t a = 0x9e3779b97f4a7c15ULL ^ n, b = 0xc2b2ae3d27d4eb4fULL;

	for (; n >= 16; p += 16, n -= 16) {
		a = (a ^ metrics_load8(p)) * 0xff51afd7ed558ccdULL;
		b = (b ^ metrics_load8(p + 8)) * 0xc4ceb9fe1a85ec53ULL;
		a ^= a >> 29;
		b ^= b >> 31;
	}
	if (n >= 8) {
		a = (a ^ metrics_load8(p)) * 0xff51afd7ed558ccdULL;
		p += 8;
		n -= 8;
	}
	a = (a ^ bytes_load_low(p, n) ^ (b * 0x9e3779b97f4a7c15ULL)) * 0xc4ceb9fe1a85ec53ULL;
	return a ^ (a >> 32);
}

/*
 * An event's series key, built in the form series keep it (see
 * series_label), so a lookup is one hash and one compare. A value is cut
 * at METRICS_VALUE_MAX; the byte past each is room for route_of's NUL.
 */
struct metrics_key {
	size_t n;
	char b[METRICS_MAX_GROUP * (2 + METRICS_VALUE_MAX + 1)];
};

/* The 2-byte length of the next value, whose n bytes are already in place. */
static inline void
metrics_key_len(struct metrics_key *k, size_t n)
{
	k->b[k->n] = (char)(n & 0xff);
	k->b[k->n + 1] = (char)(n >> 8);
	k->n += 2 + n;
}

/*
 * One more value. Label values are short: copied by words, not a call;
 * a store may run past the value into the room of the next, which is
 * written after it.
 */
static inline void
metrics_key_put(struct metrics_key *k, const char *p, size_t n)
{
	if (n > METRICS_VALUE_MAX)
		n = METRICS_VALUE_MAX;
	bytes_copy(k->b + k->n + 2, p, n);
	metrics_key_len(k, n);
}

/*
 * Open addressing over (hash, series) pairs: a lookup compares hashes in
 * one array and touches a series only when its hash matches.
 */
static void
metrics_tab_put(struct metrics *m, struct series *s)
{
	unsigned i = s->hash & (m->tab_size - 1);

	while (m->tab[i].s != NULL)
		i = (i + 1) & (m->tab_size - 1);
	m->tab[i].hash = s->hash;
	m->tab[i].s = s;
}

static void
metrics_tab_grow(struct metrics *m)
{
	struct series *s;

	free(m->tab);
	m->tab_size *= 2;
	m->tab = xcalloc(m->tab_size, sizeof *m->tab);
	for (s = m->all; s != NULL; s = s->next)
		metrics_tab_put(m, s);
}

static struct series *
metrics_series_new(struct metrics *m, const struct metrics_key *k, uint32_t h)
{
	struct series *s = xcalloc_lines(sizeof *s + k->n);
	unsigned w;

	memcpy(s->key, k->b, k->n);
	s->key_n = (uint32_t)k->n;
	s->hash = h;
	s->win = xcalloc(m->nwindows, sizeof *s->win);
	s->tick_early.min = UINT64_MAX;
	for (w = 0; w < m->nwindows; w++)
		metrics_window_reset(&s->win[w], m->tick_start);
	if (m->last != NULL)
		m->last->next = s;
	else
		m->all = s;
	m->last = s;
	m->nseries++;
	if (m->nseries * 2 > m->tab_size)
		metrics_tab_grow(m);
	else
		metrics_tab_put(m, s);
	return s;
}

/* The series of key k, a new one, or past the cap the overflow series. */
static struct series *
metrics_series(struct metrics *m, const struct metrics_key *k)
{
	struct metrics_key ok;
	struct series *s;
	uint32_t h;
	unsigned i;

	h = (uint32_t)metrics_hash(k->b, k->n);
	for (i = h & (m->tab_size - 1); m->tab[i].s != NULL; i = (i + 1) & (m->tab_size - 1))
		if (m->tab[i].hash == h && (s = m->tab[i].s)->key_n == k->n &&
		    bytes_eq(s->key, k->b, k->n))
			return s;
	if (m->nseries < m->max_series)
		return metrics_series_new(m, k, h);
	m->overflow_events++;
	if (m->overflow == NULL) {
		ok.n = 0;
		for (i = 0; i < m->ngroup; i++)
			metrics_key_put(&ok, METRICS_OVERFLOW, sizeof METRICS_OVERFLOW - 1);
		/* Past the cap on purpose: the one series that holds the rest. */
		m->overflow = metrics_series_new(m, &ok, (uint32_t)metrics_hash(ok.b, ok.n));
	}
	return m->overflow;
}

/* What a request event carries, found in one pass over its fields. */
/* Inline in metrics_observe, where every event comes; metrics_request for the others. */
static inline void
metrics_req_read(const struct event *ev, struct metrics_req *r)
{
	const struct field *f;
	unsigned i, found, d0, d1, d2;

	memset(r, 0, sizeof *r);
	/* A key is in an event once (the parsers replace repeats): stop at the fourth. */
	for (i = 0, found = 0; i < ev->nfields && found < 4; i++) {
		f = &ev->fields[i];
		switch (f->key.n) {
		case 4:
			if (memcmp(f->key.p, "path", 4) == 0 && f->type == FIELD_STRING) {
				r->path = f->val;
				found++;
			}
			break;
		case 6:
			if (memcmp(f->key.p, "status", 6) == 0 && f->type == FIELD_NUMBER &&
			    f->val.n == 3) {
				d0 = (unsigned char)f->val.p[0] - '0';
				d1 = (unsigned char)f->val.p[1] - '0';
				d2 = (unsigned char)f->val.p[2] - '0';
				/* 1e5 is a JSON number of three bytes too: digits only, 100 to 599. */
				if (d0 < 1 || d0 > 5 || d1 > 9 || d2 > 9)
					break;
				r->status = f->val;
				r->code = d0 * 100 + d1 * 10 + d2;
				found++;
			} else if (memcmp(f->key.p, "method", 6) == 0 &&
			    f->type == FIELD_STRING) {
				r->method = f->val;
				found++;
			}
			break;
		case 7:
			if (memcmp(f->key.p, "latency", 7) == 0 && f->type == FIELD_NUMBER) {
				r->latency = f->val;
				found++;
			}
			break;
		}
	}
}

/* ev's group_by values into k: a route folded, a status as its class. */
static void
metrics_values(const struct metrics *m, const struct event *ev, const struct metrics_req *r,
    struct metrics_key *k)
{
	const char *level;
	uint32_t class;
	unsigned g, i;

	k->n = 0;
	for (g = 0; g < m->ngroup; g++) {
		switch (m->group_kind[g]) {
		case GK_SOURCE:
			metrics_key_put(k, ev->source.p, ev->source.n);
			break;
		case GK_METHOD:
			metrics_key_put(k, r->method.p, r->method.n);
			break;
		case GK_ROUTE:
			metrics_key_len(k, r->path.n == 0 ? 0 : route_of(&m->routes, r->path.p,
			    r->path.n, k->b + k->n + 2, METRICS_VALUE_MAX + 1));
			break;
		case GK_STATUS_CLASS:
			if (r->code != 0) {
				/* "2xx" as a word, stored: not bytes put down to be read back. */
				class = ('0' + r->code / 100) | (uint32_t)'x' << 8 | (uint32_t)'x' << 16;
				memcpy(k->b + k->n + 2, &class, 4);
				metrics_key_len(k, 3);
			} else
				metrics_key_len(k, 0);
			break;
		case GK_STATUS:
			metrics_key_put(k, r->status.p, r->status.n);
			break;
		case GK_LEVEL:
			level = level_name(ev->level);
			metrics_key_put(k, level, strlen(level));
			break;
		default:
			for (i = 0; i < ev->nfields; i++)
				if (ev->fields[i].key.n == m->group_len[g] &&
				    memcmp(ev->fields[i].key.p, m->group[g], m->group_len[g]) == 0 &&
				    ev->fields[i].type != FIELD_RAW)
					break;
			if (i < ev->nfields)
				metrics_key_put(k, ev->fields[i].val.p, ev->fields[i].val.n);
			else
				metrics_key_len(k, 0);
		}
	}
}

/*
 * A latency in seconds, as decimal text, in whole us, exactly. The shape
 * the parsers leave ("0.021219": digits, a point, one to six decimals) is
 * read here: the decimals, padded with '0's to eight digits ("00021219"),
 * are checked and read as one word; any other shape goes the general way.
 */
static inline int
metrics_us(const char *p, size_t n, int64_t *us)
{
	const uint64_t zeros = 0x3030303030303030ULL, highs = 0xf0f0f0f0f0f0f0f0ULL;
	uint64_t v = 0, w, mask;
	size_t i = 0, frac;

	for (; i < n && i < 12 && p[i] >= '0' && p[i] <= '9'; i++)
		v = v * 10 + (uint64_t)(p[i] - '0');
	if (i == 0 || (i < n && p[i] != '.'))
		goto general;
	if (i == n) {
		*us = (int64_t)(v * 1000000);
		return 0;
	}
	frac = n - i - 1;
	if (frac == 0 || frac > 6)
		goto general;
	/* The decimals in bytes 2.. of a word of '0's: bytes 0-1 and the rest pad. */
	mask = ((1ULL << (8 * frac)) - 1) << 16;
	w = (bytes_load_low(p + i + 1, frac) << 16) | (zeros & ~mask);
	/* Every byte a digit: 0x30-0x39, so its high half is 3 before and after adding 6. */
	if ((w & highs) != zeros || ((w + 0x0606060606060606ULL) & highs) != zeros)
		goto general;
	/* Eight digits, first in the lowest byte, as a number: pairs, fours, eights. */
	w = ((w & 0x0f0f0f0f0f0f0f0fULL) * 2561) >> 8;
	w = ((w & 0x00ff00ff00ff00ffULL) * 6553601) >> 16;
	w = ((w & 0x0000ffff0000ffffULL) * 42949672960001ULL) >> 32;
	*us = (int64_t)(v * 1000000 + w);
	return 0;
general:
	return parser_decimal_scaled(p, n, 6, us) == n ? 0 : -1;
}

/* s's latencies of the tick being filled (its log, and what was taken out early) into h. */
static void
metrics_tick_into(const struct series *s, struct hist *h)
{
	hist_add_log(h, s->tick_lat, s->tick_n);
	hist_merge_sparse(h, &s->tick_early);
}

/*
 * No room in s's tick log for us: the log grows, up to METRICS_TICK_LOG;
 * then it is folded, with us, into tick_early and starts again. A value
 * past 32 bits (over an hour) goes there too. Memory stays bounded
 * however busy a series is.
 */
static void
metrics_tick_log_full(struct metrics *m, struct series *s, uint64_t us)
{
	if (us <= UINT32_MAX && s->tick_cap < METRICS_TICK_LOG) {
		s->tick_cap = s->tick_cap == 0 ? 16 : 2 * s->tick_cap;
		s->tick_lat = xrealloc(s->tick_lat, s->tick_cap * sizeof *s->tick_lat);
		s->tick_lat[s->tick_n++] = (uint32_t)us;
		return;
	}
	metrics_tick_into(s, &m->scratch);
	hist_add(&m->scratch, us);
	hist_move(&m->scratch, &s->tick_early);
	s->tick_n = 0;
}

void
metrics_observe(struct metrics *m, const struct event *ev, int64_t now)
{
	struct metrics_req r;

	metrics_observe_req(m, ev, now, &r);
}

void
metrics_observe_req(struct metrics *m, const struct event *ev, int64_t now,
    struct metrics_req *rp)
{
	struct reqcache_key ck;
	struct metrics_key k;
	struct series *s;
	unsigned le, b;
	int64_t us;

	/* Most events fall in the tick being filled: no call for them. */
	if (now < m->tick_start || now >= m->tick_start + METRICS_TICK_NS ||
	    m->tick_start == 0)
		metrics_advance(m, now);
	metrics_req_read(ev, rp);
	if ((s = reqcache_find(&m->cache, &ev->source, &rp->method, &rp->path, rp->code,
	    (unsigned)ev->level, &ck)) == NULL) {
		metrics_values(m, ev, rp, &k);
		s = metrics_series(m, &k);
		/* Past the cap every event is counted as overflowing: not cached. */
		if (s != m->overflow)
			reqcache_put(&ck, s);
	}
	s->events++;
	s->requests += rp->code != 0;
	s->errors += rp->code != 0 ? rp->code >= m->error_status : ev->level >= LEVEL_ERROR;
	if (rp->latency.n == 0 || metrics_us(rp->latency.p, rp->latency.n, &us) != 0)
		return;
	/*
	 * The le bucket from the histogram's: every le below le_of[b] is
	 * below this latency; one more only when an le falls inside bucket b.
	 */
	b = hist_bucket((uint64_t)us);
	for (le = m->le_of[b]; le < m->nbuckets && (uint64_t)us > m->bucket_us[le]; le++)
		;
	s->le[le]++;
	s->lat_sum_us += (uint64_t)us;
	if (s->tick_n < s->tick_cap && (uint64_t)us <= UINT32_MAX)
		s->tick_lat[s->tick_n++] = (uint32_t)us;
	else
		metrics_tick_log_full(m, s, (uint64_t)us);
}

/*
 * Of fed window w of s, the feeder's closed slots w has not taken: into
 * h and the counts.
 */
static void
metrics_fed_add(const struct metrics *m, const struct series *s, unsigned w, struct hist *h,
    uint64_t *requests, uint64_t *errors)
{
	const struct metrics_window *fw = &s->win[m->feeder[w]];
	const struct metrics_slot *slot;
	uint32_t k, n = fw->closes - s->win[w].fed_mark;

	for (k = 1; k <= n && k <= fw->nclosed; k++) {
		slot = &fw->ring[(fw->head + METRICS_SLOTS - k) % METRICS_SLOTS];
		hist_merge_sparse(h, &slot->h);
		*requests += slot->requests;
		*errors += slot->errors;
	}
}

/* Fed window w of s takes what metrics_fed_add adds, into its slot being filled. */
static void
metrics_fed_take(struct metrics *m, struct series *s, unsigned w)
{
	struct metrics_window *win = &s->win[w];

	if (s->win[m->feeder[w]].closes == win->fed_mark)
		return;
	hist_merge_sparse(&m->scratch, &win->building.h);
	metrics_fed_add(m, s, w, &m->scratch, &win->building.requests, &win->building.errors);
	hist_move(&m->scratch, &win->building.h);
	win->fed_mark = s->win[m->feeder[w]].closes;
}

/* The tick that ends at end closes: its figures go into every window's slot. */
static void
metrics_close_tick(struct metrics *m, int64_t end)
{
	struct metrics_figures f;
	struct metrics_window *win;
	struct metrics_slot *slot;
	struct hist_sparse *sp = &m->tick, recycled;
	unsigned i;
	struct series *s;
	int64_t slot_ns;
	unsigned w;

	for (s = m->all; s != NULL; s = s->next) {
		if (s->tick_n > 0 || s->tick_early.count > 0) {
			/* In a histogram shared by all series: one that stays in cache. */
			metrics_tick_into(s, &m->scratch);
			hist_move(&m->scratch, sp);
			s->tick_n = 0;
			hist_sparse_clear(&s->tick_early);
		} else
			sp->count = 0;
		for (i = 0; i < m->nwindows; i++) {
			w = m->order[i];
			win = &s->win[w];
			slot_ns = m->window_ns[w] / METRICS_SLOTS;
			if (m->feeder[w] < 0) {
				if (sp->count > 0)
					hist_sparse_merge(&win->building.h, sp, &m->scratch);
				win->building.requests += s->requests - s->tick_requests;
				win->building.errors += s->errors - s->tick_errors;
			} else if (s->win[m->feeder[w]].closes - win->fed_mark >= METRICS_SLOTS)
				/*
				 * The feeder's next close would write over one not
				 * taken yet. It closes once a tick at most, before w
				 * here, so this is met only just after it closed.
				 */
				metrics_fed_take(m, s, w);
			if (end - win->building_start < slot_ns)
				continue;
			if (m->feeder[w] >= 0)
				metrics_fed_take(m, s, w);
			/*
			 * The slot is full: it becomes the newest closed one, and
			 * the entries of the one it overwrites are the room of
			 * the next, so a steady stream allocates nothing here.
			 */
			slot = &win->ring[win->head];
			recycled = slot->h;
			*slot = win->building;
			memset(&win->building, 0, sizeof win->building);
			win->building.h.min = UINT64_MAX;
			win->building.h.e = recycled.e;
			win->building.h.cap = recycled.cap;
			win->closes++;
			win->head = (win->head + 1) % METRICS_SLOTS;
			if (win->nclosed < METRICS_SLOTS)
				win->nclosed++;
			win->building_start = end;
		}
		s->tick_requests = s->requests;
		s->tick_errors = s->errors;
	}
	if (m->on_window == NULL)
		return;
	for (w = 0; w < m->nwindows; w++) {
		if (end % m->window_ns[w] != 0)
			continue;
		for (s = m->all; s != NULL; s = s->next) {
			metrics_window(m, s, w, end, &f);
			if (f.requests > 0 || f.errors > 0)
				m->on_window(m->arg, m, w, s, &f, end);
		}
	}
}

void
metrics_advance(struct metrics *m, int64_t now)
{
	int64_t longest = 0, aligned = now - now % METRICS_TICK_NS;
	struct series *s;
	unsigned w;

	if (m->tick_start == 0 || now < m->tick_start) {
		/*
		 * The first event, or the clock went back: start from here.
		 * Slots being filled keep what they have, late-fed ones too.
		 */
		m->tick_start = aligned;
		for (s = m->all; s != NULL; s = s->next)
			for (w = 0; w < m->nwindows; w++) {
				if (m->feeder[w] >= 0)
					metrics_fed_take(m, s, w);
				s->win[w].building_start = aligned;
			}
		return;
	}
	for (w = 0; w < m->nwindows; w++)
		if (m->window_ns[w] > longest)
			longest = m->window_ns[w];
	if (now - m->tick_start > longest + METRICS_TICK_NS) {
		/* A jump past every window: nothing in them is current any more. */
		metrics_close_tick(m, m->tick_start + METRICS_TICK_NS);
		for (s = m->all; s != NULL; s = s->next)
			for (w = 0; w < m->nwindows; w++)
				metrics_window_reset(&s->win[w], aligned);
		m->tick_start = aligned;
		return;
	}
	while (now >= m->tick_start + METRICS_TICK_NS) {
		m->tick_start += METRICS_TICK_NS;
		metrics_close_tick(m, m->tick_start);
	}
}

/* Add series s's window w into h and f's counts; the time it covers. */
static int64_t
metrics_window_add(struct metrics *m, const struct series *s, unsigned w,
    int64_t now, struct hist *h, struct metrics_figures *f)
{
	const struct metrics_window *win = &s->win[w];
	unsigned i, x;
	int feed;

	for (i = 0; i < win->nclosed; i++) {
		hist_merge_sparse(h, &win->ring[i].h);
		f->requests += win->ring[i].requests;
		f->errors += win->ring[i].errors;
	}
	hist_merge_sparse(h, &win->building.h);
	f->requests += win->building.requests;
	f->errors += win->building.errors;
	/*
	 * A fed window's newest part is still in its feeder's slots not yet
	 * taken and in the feeder's own feeders' slots being filled.
	 */
	for (x = w; (feed = m->feeder[x]) >= 0; x = (unsigned)feed) {
		metrics_fed_add(m, s, x, h, &f->requests, &f->errors);
		hist_merge_sparse(h, &s->win[feed].building.h);
		f->requests += s->win[feed].building.requests;
		f->errors += s->win[feed].building.errors;
	}
	metrics_tick_into(s, h);
	f->requests += s->requests - s->tick_requests;
	f->errors += s->errors - s->tick_errors;
	return (int64_t)win->nclosed * (m->window_ns[w] / METRICS_SLOTS) +
	    (now - win->building_start);
}

/* Rates and quantiles from what metrics_window_add gathered. */
static void
metrics_figures_finish(struct metrics_figures *f, const struct hist *h,
    int64_t covered)
{
	f->seconds = covered > 0 ? (double)covered / 1e9 : 0;
	f->rate = f->seconds > 0 ? (double)f->requests / f->seconds : 0;
	f->error_ratio = f->requests > 0 ? (double)f->errors / (double)f->requests : 0;
	static const double qs[] = { 0.50, 0.90, 0.95, 0.99, 1 };
	uint64_t v[5];

	hist_quantiles(h, qs, 5, v);
	f->p50 = (double)v[0] / 1e6;
	f->p90 = (double)v[1] / 1e6;
	f->p95 = (double)v[2] / 1e6;
	f->p99 = (double)v[3] / 1e6;
	f->max = (double)v[4] / 1e6;
	f->lat_count = h->count;
	f->lat_sum = (double)h->sum / 1e6;
}

void
metrics_window(struct metrics *m, const struct series *s, unsigned w,
    int64_t now, struct metrics_figures *f)
{
	int64_t covered;

	/* scratch is empty between calls: clearing its used range is cheaper than all of it. */
	memset(f, 0, sizeof *f);
	covered = metrics_window_add(m, s, w, now, &m->scratch, f);
	metrics_figures_finish(f, &m->scratch, covered);
	hist_clear(&m->scratch);
}

void
metrics_window_all(struct metrics *m, unsigned w, int64_t now,
    struct metrics_figures *f)
{
	const struct series *s;
	int64_t covered = 0, c;

	memset(f, 0, sizeof *f);
	for (s = m->all; s != NULL; s = s->next)
		if ((c = metrics_window_add(m, s, w, now, &m->scratch, f)) > covered)
			covered = c;
	metrics_figures_finish(f, &m->scratch, covered);
	hist_clear(&m->scratch);
}

/* A series' name as a route: its method and route values, or all its values. */
static size_t
metrics_route_name(const struct metrics *m, const struct series *s, char *out, size_t cap)
{
	size_t at = 0, n;
	const char *v;
	unsigned i;
	int any = 0, pass;

	/* First pass: method and route only; second (if neither is a label): everything. */
	for (pass = 0; pass < 2 && !any; pass++)
		for (i = 0; i < m->ngroup; i++) {
			if (pass == 0 && m->group_kind[i] != GK_METHOD && m->group_kind[i] != GK_ROUTE)
				continue;
			v = series_label(s, i, &n);
			any = 1;
			if (n == 0)
				continue;
			if (at > 0 && at + 1 < cap)
				out[at++] = ' ';
			if (n > cap - 1 - at)
				n = cap - 1 - at;
			memcpy(out + at, v, n);
			at += n;
		}
	out[at] = '\0';
	return at;
}

struct metrics_named {
	const struct series *s;
	char name[METRICS_ROUTE_NAME];
};

static int
metrics_named_cmp(const void *a, const void *b)
{
	return strcmp(((const struct metrics_named *)a)->name,
	    ((const struct metrics_named *)b)->name);
}

unsigned
metrics_routes(struct metrics *m, unsigned w, int64_t now, struct metrics_route *out,
    unsigned max)
{
	struct metrics_named *all;
	struct metrics_route r;
	const struct series *s;
	int64_t covered, c;
	size_t i, j, k, n = 0;
	unsigned got = 0;

	if (m->nseries == 0 || max == 0)
		return 0;
	all = xcalloc(m->nseries, sizeof *all);
	for (s = m->all; s != NULL; s = s->next) {
		all[n].s = s;
		metrics_route_name(m, s, all[n].name, sizeof all[n].name);
		n++;
	}
	qsort(all, n, sizeof *all, metrics_named_cmp);
	for (i = 0; i < n; i = j) {
		memset(&r, 0, sizeof r);
		hist_clear(&m->scratch);
		covered = 0;
		for (j = i; j < n && strcmp(all[j].name, all[i].name) == 0; j++)
			if ((c = metrics_window_add(m, all[j].s, w, now, &m->scratch, &r.f)) > covered)
				covered = c;
		if (r.f.requests == 0)
			continue;	/* not a route: events without a status */
		metrics_figures_finish(&r.f, &m->scratch, covered);
		memcpy(r.name, all[i].name, sizeof r.name);
		/* Kept in order, most requests first: max is a screenful. */
		if (got == max && r.f.requests <= out[got - 1].f.requests)
			continue;
		k = got < max ? got++ : got - 1;
		for (; k > 0 && out[k - 1].f.requests < r.f.requests; k--)
			out[k] = out[k - 1];
		out[k] = r;
	}
	hist_clear(&m->scratch);	/* empty for the next caller */
	free(all);
	return got;
}

void
metrics_request(const struct event *ev, struct metrics_req *r)
{
	metrics_req_read(ev, r);
}

int
metrics_latency_us(const char *p, size_t n, int64_t *us)
{
	return metrics_us(p, n, us);
}
