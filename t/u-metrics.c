/* SPDX-License-Identifier: MIT */
/* u-metrics.c: routes, series and their cap, counters, windows on a clock the test turns. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "metrics.h"
#include "reqcache.h"
#include "parser.h"
#include "route.h"
#include "request.h"
#include "tap.h"

#define SEC	1000000000LL
#define T0	(1795341600LL * SEC)	/* 2026-11-22T10:00:00Z, a whole hour */

static void
route_is(const struct route_rules *r, const char *path, const char *want)
{
	char out[256], name[128];

	route_of(r, path, strlen(path), out, sizeof out);
	snprintf(name, sizeof name, "route of %s", path);
	tap_is_str(out, want, name);
}

/*
 * Random paths of every length up to 70 from a few telling bytes, against
 * what route_of must make of them: cut at the first '?' or '#'; unchanged
 * when no digit is before the cut; else no segment left all digits. And
 * the same route behind a long first segment, which takes route_of's
 * byte loop where a short path takes its mask-at-a-time way: both agree.
 */
static void
route_random(void)
{
	static const char alpha[] = "/a1?#.-fF9z/";
	char path[80], cut[80], out[256], longer[160], out2[256];
	unsigned seed = 12345, bad = 0, differ = 0, tries;
	size_t n, i, k, len, seg;
	int digit, all;

	for (tries = 0; tries < 300000 && bad + differ == 0; tries++) {
		n = tries % 71;
		for (i = 0; i < n; i++) {
			seed = seed * 1103515245 + 12345;
			path[i] = alpha[(seed >> 16) % (sizeof alpha - 1)];
		}
		if (n > 0)
			path[0] = '/';
		for (k = 0; k < n && path[k] != '?' && path[k] != '#'; k++)
			;
		memcpy(cut, path, k);
		cut[k] = '\0';
		for (i = 0, digit = 0; i < k; i++)
			digit |= path[i] >= '0' && path[i] <= '9';
		/* Not NUL-terminated: no read past n may count. */
		len = route_of(NULL, path, n, out, sizeof out);
		if (!digit && (len != k || strcmp(out, cut) != 0))
			bad++;
		for (i = 0; i <= len && digit; i = seg + 1) {
			for (seg = i, all = 1; seg < len && out[seg] != '/'; seg++)
				all &= out[seg] >= '0' && out[seg] <= '9';
			if (seg > i && all)
				bad++;
		}
		if (strchr(out, '?') != NULL || strchr(out, '#') != NULL)
			bad++;
		memset(longer, 'q', 65);
		longer[0] = '/';
		memcpy(longer + 65, path, n);
		route_of(NULL, longer, 65 + n, out2, sizeof out2);
		if (n > 0 && (strncmp(out2, longer, 65) != 0 || strcmp(out2 + 65, out) != 0))
			differ++;
	}
	path[n] = '\0';
	tap_ok(bad == 0, "route of 300000 random paths: cut at ? or #, ids folded (%u wrong, last %s)",
	    bad, bad ? path : "-");
	tap_ok(differ == 0, "short paths (by masks) and long ones (byte by byte) get the same "
	    "routes (%u differ, last %s)", differ, differ ? path : "-");
}

/*
 * Latency texts of every shape near the one read a word at a time (up to
 * 12 digits, a point, up to 8 decimals, a byte that is not a digit here
 * and there): the same answer as the general decimal reader, which takes
 * any text.
 */
static void
latency_random(void)
{
	static const char alpha[] = "0123456789012345678901234567890123456789.:/ e-";
	char text[32];
	unsigned seed = 99, differ = 0, tries, whole, frac, i, pos;
	int64_t got, want;
	int rc_got, rc_want;
	size_t n;

	for (tries = 0; tries < 200000 && differ == 0; tries++) {
		seed = seed * 1103515245 + 12345;
		whole = 1 + (seed >> 16) % 12;
		seed = seed * 1103515245 + 12345;
		frac = (seed >> 16) % 9;
		for (n = 0; n < whole; n++) {
			seed = seed * 1103515245 + 12345;
			text[n] = (char)('0' + (seed >> 16) % 10);
		}
		if (tries % 7 != 0)
			text[n++] = '.';
		for (i = 0; i < frac; i++) {
			seed = seed * 1103515245 + 12345;
			text[n++] = (char)('0' + (seed >> 16) % 10);
		}
		if (tries % 5 == 0 && n > 0) {
			seed = seed * 1103515245 + 12345;
			pos = (seed >> 16) % (unsigned)n;
			seed = seed * 1103515245 + 12345;
			text[pos] = alpha[(seed >> 16) % (sizeof alpha - 1)];
		}
		rc_got = metrics_latency_us(text, n, &got);
		rc_want = parser_decimal_scaled(text, n, 6, &want) == n ? 0 : -1;
		if (rc_got != rc_want || (rc_got == 0 && got != want))
			differ++;
	}
	text[n] = '\0';
	tap_ok(differ == 0, "200000 latency texts read as the general reader reads them "
	    "(%u differ, last \"%s\")", differ, differ ? text : "-");
}

static struct event
request(const char *method, const char *path, const char *status, const char *latency,
    struct field *f)
{
	return t_request(method, path, status, latency, "api", f);
}

static struct conf_metrics *
mconf(void)
{
	struct conf_metrics *c = calloc(1, sizeof *c);

	c->enabled = 1;
	c->max_series = 1000;
	c->error_status = 500;
	return c;
}

struct ended {
	unsigned n;
	char last[256];
};

static void
on_window(void *arg, const struct metrics *m, unsigned w, const struct series *s,
    const struct metrics_figures *f, int64_t end)
{
	struct ended *e = arg;
	size_t n;
	const char *route = series_label(s, 2, &n);

	e->n++;
	snprintf(e->last, sizeof e->last, "%s %.*s %llu %lld", m->window_name[w],
	    (int)n, route, (unsigned long long)f->requests, (long long)((end - T0) / SEC));
}

/* Figures that must agree to the bit, the same histogram behind them. */
static int
figures_same(const struct metrics_figures *a, const struct metrics_figures *b)
{
	return a->requests == b->requests && a->errors == b->errors &&
	    a->lat_count == b->lat_count && a->lat_sum == b->lat_sum && a->p50 == b->p50 &&
	    a->p90 == b->p90 && a->p95 == b->p95 && a->p99 == b->p99 && a->max == b->max &&
	    a->seconds == b->seconds;
}

struct window_log {
	unsigned n;
	struct metrics_figures f[4096];
	int64_t end[4096];
	unsigned w[4096];
};

static void
log_window(void *arg, const struct metrics *m, unsigned w, const struct series *s,
    const struct metrics_figures *f, int64_t end)
{
	struct window_log *l = arg;

	(void)m;
	(void)s;
	if (l->n < 4096) {
		l->f[l->n] = *f;
		l->end[l->n] = end;
		l->w[l->n++] = w;
	}
}

/*
 * A window fed by a shorter one's closed slots (1h by 5m's, 5m by 1m's),
 * taken late (when its own slot closes, or when the feeder's ring is
 * full of slots not taken), must have
 * the figures it would have taking every tick itself: the same random
 * traffic (gaps of up to 15 min, bursts, a jump past every window, the
 * clock going back) into both, compared at random times and at every
 * window's end, for windows in any order and lengths that do and do not
 * divide.
 */
static void
windows_fed(struct conf_metrics *c)
{
	static const char *const sets[][4] = {
		{ "1m", "5m", "1h", NULL }, { "1h", "2m", "10m", "3m" }, { "7m", "1m", "21m", NULL },
	};
	static struct window_log la, lb;
	struct metrics a, b;
	struct metrics_figures fa, fb;
	struct field fl[4];
	struct event ev;
	char lat[32], path[32];
	unsigned seed = 4242, set, w, i, nw, differ = 0, checks = 0, fed = 0, early = 0;
	int64_t t;

	for (set = 0; set < 3; set++) {
		for (nw = 0; nw < 4 && sets[set][nw] != NULL; nw++)
			;
		c->windows.v = (char **)sets[set];
		c->windows.n = nw;
		metrics_init(&a, c);
		metrics_init(&b, c);
		for (w = 0; w < nw; w++) {
			fed += a.feeder[w] >= 0;
			/* Slots of more than METRICS_SLOTS of the feeder's: taken before they close too. */
			early += a.feeder[w] >= 0 && a.window_ns[w] / a.window_ns[a.feeder[w]] >
			    METRICS_SLOTS;
			b.feeder[w] = -1;	/* every window takes every tick */
		}
		la.n = lb.n = 0;
		a.on_window = b.on_window = log_window;
		a.arg = &la;
		b.arg = &lb;
		for (i = 0, t = T0; i < 60000; i++) {
			seed = seed * 1103515245 + 12345;
			if (i == 40000)
				t += 3 * 3600 * SEC;	/* past every window */
			else if (i == 20000 || i == 50000)
				t -= 95 * SEC;	/* the clock goes back */
			else
				t += (seed >> 16) % 1000 == 0 ? (int64_t)((seed >> 8) % 900) * SEC :
				    (int64_t)((seed >> 16) % 400) * 1000000;
			snprintf(lat, sizeof lat, "0.%06u", (seed >> 4) % 900000);
			snprintf(path, sizeof path, "/r%u", (seed >> 12) % 3);
			ev = request("GET", path, (seed >> 20) % 10 == 0 ? "503" : "200", lat, fl);
			metrics_observe(&a, &ev, t);
			metrics_observe(&b, &ev, t);
			if (i % 97 == 0) {
				metrics_advance(&a, t);
				metrics_advance(&b, t);
				for (w = 0; w < nw; w++) {
					metrics_window(&a, a.all, w, t, &fa);
					metrics_window(&b, b.all, w, t, &fb);
					checks++;
					differ += !figures_same(&fa, &fb);
				}
			}
		}
		differ += la.n != lb.n;
		for (i = 0; i < la.n && i < lb.n; i++, checks++)
			differ += la.w[i] != lb.w[i] || la.end[i] != lb.end[i] ||
			    !figures_same(&la.f[i], &lb.f[i]);
		metrics_free(&a);
		metrics_free(&b);
	}
	c->windows.n = 0;
	tap_ok(fed >= 5 && early >= 2 && differ == 0, "windows fed by shorter ones' slots, "
	    "taken late, have the figures of windows fed every tick (%u fed windows, %u taking "
	    "some before their slot closes, %u checks, %u differ)", fed, early, checks, differ);
}

/* Figures against a histogram the test fills itself with the same values. */
static int
figures_of_hist(const struct metrics_figures *f, const struct hist *h)
{
	static const double qs[] = { 0.50, 0.90, 0.95, 0.99, 1 };
	uint64_t v[5];

	hist_quantiles(h, qs, 5, v);
	return f->lat_count == h->count && f->lat_sum == (double)h->sum / 1e6 &&
	    f->p50 == (double)v[0] / 1e6 && f->p90 == (double)v[1] / 1e6 &&
	    f->p95 == (double)v[2] / 1e6 && f->p99 == (double)v[3] / 1e6 &&
	    f->max == (double)v[4] / 1e6;
}

/*
 * A series logs a tick's latencies and folds them when the tick closes,
 * or earlier when its log is full (METRICS_TICK_LOG), and values past 32
 * bits go past the log: whatever the way, its figures are those of one
 * histogram of every value, while the tick fills and after it closed.
 */
/*
 * Series keys of every length from 19 to 138 bytes (the hash takes 16
 * bytes a round, then 8, then what is left; the compare 8 at a time,
 * then the last 8): keys that differ only in their last byte, or that
 * are a prefix of another, are different series; the same key finds its
 * series again.
 */
static void
keys_every_length(struct conf_metrics *c)
{
	struct metrics m;
	const struct series *s;
	struct field fl[4];
	struct event ev;
	char path[160];
	unsigned len, v, pass, wrong = 0, n = 0;
	size_t ln;
	const char *l;
	int cap = c->max_series;

	c->max_series = 1000;
	c->group_by.n = 0;	/* source, method, route, status class */
	metrics_init(&m, c);
	c->max_series = cap;
	for (pass = 0; pass < 2; pass++)
		for (len = 1; len <= 120; len++)
			for (v = 0; v < 2; v++) {
				path[0] = '/';
				memset(path + 1, 'a' + (char)(len % 26), len);
				path[len] = v ? 'z' : 'y';
				path[len + 1] = '\0';
				ev = request("GET", path, "200", "0.01", fl);
				metrics_observe(&m, &ev, T0);
			}
	for (s = m.all; s != NULL; s = s->next, n++) {
		l = series_label(s, 2, &ln);	/* source, method, route */
		wrong += s->requests != 2 || ln < 2 || ln > 121 || l[0] != '/' ||
		    (l[ln - 1] != 'y' && l[ln - 1] != 'z');
	}
	tap_ok(n == 240 && m.nseries == 240 && wrong == 0, "keys of %u to %u bytes, differing "
	    "in their last byte or their length, make 240 series found again (%u, %u wrong)",
	    18 + 1, 18 + 120, n, wrong);
	metrics_free(&m);
}

/* Two metrics made alike: the same series, in the same order, with the same figures. */
static int
metrics_same(struct metrics *a, struct metrics *b, unsigned ngroup, int64_t now)
{
	const struct series *x, *y;
	struct metrics_figures fx, fy;
	const char *lx, *ly;
	size_t nx, ny;
	unsigned g, w;

	if (a->nseries != b->nseries || a->overflow_events != b->overflow_events)
		return 0;
	for (x = a->all, y = b->all; x != NULL && y != NULL; x = x->next, y = y->next) {
		if (x->events != y->events || x->requests != y->requests ||
		    x->errors != y->errors || x->lat_sum_us != y->lat_sum_us ||
		    memcmp(x->le, y->le, sizeof x->le) != 0)
			return 0;
		for (g = 0; g < ngroup; g++) {
			lx = series_label(x, g, &nx);
			ly = series_label(y, g, &ny);
			if (nx != ny || memcmp(lx, ly, nx) != 0)
				return 0;
		}
		for (w = 0; w < a->nwindows; w++) {
			metrics_window(a, x, w, now, &fx);
			metrics_window(b, y, w, now, &fy);
			if (!figures_same(&fx, &fy))
				return 0;
		}
	}
	return x == NULL && y == NULL;
}

/*
 * The cache of requests' series (reqcache.h) finds the series the whole
 * way would. The same random traffic goes into metrics with the cache
 * and without, for group_by sets it keys and one it cannot (a field of
 * the line's own), under a cap the traffic overflows and one it does
 * not: the same series must come out, in the same order, with the same
 * counts and figures. The sources' names share one buffer, as a batch's
 * copy may take a freed one's place; methods of 8 bytes and more, one
 * ending in a NUL; paths
 * with ids, with a query, of 40 bytes and more, empty; statuses that are
 * no HTTP status. Traffic that repeats comes first, then a stretch with
 * a new path each event (which must rest the cache), then repeats again
 * (which must wake it).
 */
static void
cache_same(struct conf_metrics *c)
{
	static char *const sets[][3] = {
		{ NULL }, { "route", NULL }, { "method", "status", NULL },
		{ "source", "level", "status_class" }, { "route", "user", NULL },
	};
	static const char *const names[] = { "/var/log/a.log", "/var/log/b.log", "/var/log/cc.log" };
	static const char *const methods[] = { "GET", "POST", "PROPFIND", "MKCALENDAR", NULL };
	static const char *const statuses[] = { "200", "201", "404", "503", "1e5", "600" };
	struct metrics a, b;
	struct field fl[5];
	struct event ev;
	char source[32], path[96], lat[32];
	unsigned set, i, r, seed = 4242, bad = 0, rested = 0, woke = 0, cut, n;
	int cap = c->max_series;
	uint64_t found = 0;

	for (set = 0; set < sizeof sets / sizeof sets[0]; set++)
		for (cut = 0; cut < 2; cut++) {
			for (n = 0; n < 3 && sets[set][n] != NULL; n++)
				;
			c->group_by.v = (char **)sets[set];
			c->group_by.n = n;
			c->max_series = cut ? 40 : 1000;
			metrics_init(&a, c);
			metrics_init(&b, c);
			reqcache_free(&b.cache);	/* b: the whole way, always */
			for (i = 0; i < 60000; i++) {
				seed = seed * 1103515245 + 12345;
				r = seed >> 8;
				snprintf(source, sizeof source, "%s", names[r % 3]);
				if (i >= 20000 && i < 40000)	/* a new path each event */
					snprintf(path, sizeof path, "/api/users/%u/orders", i);
				else
					switch ((r >> 2) % 7) {
					case 0: snprintf(path, sizeof path, "/api/items"); break;
					case 1: snprintf(path, sizeof path, "/api/items/%u", (r >> 5) % 50); break;
					case 2: snprintf(path, sizeof path, "/static/app.%08x.js", (r >> 5) % 3); break;
					case 3: snprintf(path, sizeof path, "/a/path/of/forty/bytes/and/more/%u",
					    (r >> 5) % 4); break;
					case 4: snprintf(path, sizeof path, "/api/search?q=%u", (r >> 5) % 5); break;
					case 5: path[0] = '\0'; break;
					default: snprintf(path, sizeof path, "/health"); break;
					}
				snprintf(lat, sizeof lat, "0.%06u", (r >> 3) % 900000);
				ev = t_request(methods[(r >> 9) % 5], path, statuses[(r >> 12) % 6],
				    (r >> 15) % 5 ? lat : NULL, source, fl);
				ev.level = (enum level)((r >> 18) % LEVEL_COUNT);
				/* "GET" and a NUL: a method of its own, with GET's word. */
				if ((r >> 9) % 5 == 0 && (r >> 22) % 4 == 0)
					fl[0].val.n = 4;
				fl[ev.nfields] = (struct field){ SLICE_LIT("user"), { names[(r >> 20) % 3], 3 },
				    FIELD_STRING };
				ev.nfields++;
				metrics_observe(&a, &ev, T0 + (int64_t)i * 1000000);
				metrics_observe(&b, &ev, T0 + (int64_t)i * 1000000);
				rested |= a.cache.rest > 0 && i < 40000;
				woke |= i >= 40000 + REQCACHE_REST && a.cache.rest == 0 && a.cache.found > 0;
			}
			bad += !metrics_same(&a, &b, n ? n : 4, T0 + 60000LL * 1000000);
			if (set == 4)
				bad += a.cache.e != NULL;	/* a field the cache cannot know: off */
			found += a.cache.found;
			metrics_free(&a);
			metrics_free(&b);
		}
	c->group_by.n = 0;
	c->max_series = cap;
	tap_ok(bad == 0 && found > 0, "the cache of requests' series finds what the whole way "
	    "finds: 5 group_by sets, 2 caps, 60000 events each (%u differ; %llu found in it)", bad,
	    (unsigned long long)found);
	tap_ok(rested && woke, "a new path each event rests the cache; repeats wake it again");
}

/*
 * The cache's second chance: a path on the line of one found since the
 * last miss there is not cached, and the one found stays; a second miss
 * in a row takes the line.
 */
static void
cache_second_chance(void)
{
	static const struct slice src = SLICE_LIT("s"), get = SLICE_LIT("GET");
	struct series *sa = (struct series *)&sa, *sb = (struct series *)&sb;
	struct reqcache c;
	struct reqcache_key k;
	struct reqcache_entry *line;
	struct slice a = SLICE_LIT("/hot"), b;
	char path[32];
	unsigned i;
	int ok;

	reqcache_init(&c, REQCACHE_BY_METHOD | REQCACHE_BY_ROUTE);
	ok = reqcache_find(&c, &src, &get, &a, 200, 0, &k) == NULL && k.at != NULL;
	reqcache_put(&k, sa);
	line = k.at;
	/* A path on a's line, found before a is: nothing there is marked yet. */
	for (i = 0; i < 100000; i++) {
		b = (struct slice){ path, (size_t)snprintf(path, sizeof path, "/b%u", i) };
		c.probes = 0;	/* no rest for this search */
		if (reqcache_find(&c, &src, &get, &b, 200, 0, &k) == NULL && k.at == line)
			break;
	}
	ok &= i < 100000;
	ok &= reqcache_find(&c, &src, &get, &a, 200, 0, &k) == sa;	/* a found: marked */
	ok &= reqcache_find(&c, &src, &get, &a, 200, 0, &k) == sa;	/* and found again */
	ok &= reqcache_find(&c, &src, &get, &b, 200, 0, &k) == NULL && k.at == NULL;
	ok &= reqcache_find(&c, &src, &get, &a, 200, 0, &k) == sa;	/* a stayed */
	ok &= reqcache_find(&c, &src, &get, &b, 200, 0, &k) == NULL && k.at == NULL;
	ok &= reqcache_find(&c, &src, &get, &b, 200, 0, &k) == NULL && k.at == line;
	reqcache_put(&k, sb);
	ok &= reqcache_find(&c, &src, &get, &b, 200, 0, &k) == sb;
	ok &= reqcache_find(&c, &src, &get, &a, 200, 0, &k) == NULL;
	tap_ok(ok, "the cache gives a path found since the last miss on its line a second "
	    "chance (a colliding path after %u tries)", i);
	reqcache_free(&c);
}

static void
tick_log_folds(struct conf_metrics *c)
{
	static const unsigned counts[] = { 1, 15, 17, 2048, 2049, 3 * METRICS_TICK_LOG + 5 };
	struct metrics m;
	struct metrics_figures f;
	struct hist ref;
	struct field fl[4];
	struct event ev;
	char lat[32];
	unsigned seed = 777, k, i, bad = 0, checks = 0;
	uint64_t us;

	for (k = 0; k < sizeof counts / sizeof counts[0]; k++) {
		metrics_init(&m, c);
		hist_init(&ref);
		for (i = 0; i < counts[k]; i++) {
			seed = seed * 1103515245 + 12345;
			/* Mostly milliseconds; now and then over an hour, past 2^32 us. */
			us = (seed >> 16) % 97 == 3 ? 4294967296ULL + (seed >> 4) % 5000000000ULL :
			    (uint64_t)((seed >> 8) % 3000000);
			snprintf(lat, sizeof lat, "%llu.%06llu", (unsigned long long)(us / 1000000),
			    (unsigned long long)(us % 1000000));
			ev = request("GET", "/x", "200", lat, fl);
			metrics_observe(&m, &ev, T0 + (int64_t)i * 1000);
			hist_add(&ref, us);
			if (i % 1000 == 999 || i + 1 == counts[k]) {
				metrics_window(&m, m.all, 0, T0 + (int64_t)i * 1000, &f);
				checks++;
				bad += !figures_of_hist(&f, &ref);
			}
		}
		metrics_advance(&m, T0 + METRICS_TICK_NS);
		metrics_window(&m, m.all, 0, T0 + METRICS_TICK_NS, &f);
		checks++;
		bad += !figures_of_hist(&f, &ref);
		/* The next tick starts empty: the log and what was folded early are gone. */
		ev = request("GET", "/x", "200", "0.5", fl);
		metrics_observe(&m, &ev, T0 + METRICS_TICK_NS);
		hist_add(&ref, 500000);
		metrics_window(&m, m.all, 0, T0 + METRICS_TICK_NS, &f);
		checks++;
		bad += !figures_of_hist(&f, &ref);
		metrics_free(&m);
	}
	tap_ok(bad == 0, "a tick's latencies logged, folded early or past the log: the figures of "
	    "one histogram (%u checks, %u wrong)", checks, bad);
}

int
main(void)
{
	struct conf_metrics *c = mconf();
	struct route_rules rules;
	struct conf_strmap map;
	char *k[1] = { "^/u/[^/]+/avatar$" }, *v[1] = { "/u/:name/avatar" };
	struct metrics m;
	struct metrics_figures f;
	struct field fl[4];
	struct event ev;
	struct ended ended = { 0, "" };
	struct buf out;
	char err[256], path[64];
	const struct series *s;
	const char *label;
	size_t label_n;
	int i;

	/* Routes. */
	route_is(NULL, "/api/items/42", "/api/items/:id");
	route_is(NULL, "/api/items/43/", "/api/items/:id/");
	route_is(NULL, "/orders/3f2504e0-4f89-11d3-9a0c-0305e82c3301/lines",
	    "/orders/:id/lines");
	route_is(NULL, "/blob/5d41402abc4b2a76b9719d911017c592", "/blob/:id");
	route_is(NULL, "/cafe/deadbeefdeadbeef", "/cafe/deadbeefdeadbeef");
	route_is(NULL, "/v2/users", "/v2/users");
	route_is(NULL, "/static/app.3c8f9a2b.js", "/static/app.:id.js");
	route_is(NULL, "/static/main.941.css", "/static/main.:id.css");
	route_is(NULL, "/js/jquery-3.6.0.min.js", "/js/jquery-3.6.0.min.js");
	route_is(NULL, "/index.html", "/index.html");
	route_is(NULL, "/", "/");
	route_is(NULL, "/abcdefgh/ijklmnop/qrstuvwx", "/abcdefgh/ijklmnop/qrstuvwx");
	route_is(NULL, "/abcdefgh/ijklmnop/12345678", "/abcdefgh/ijklmnop/:id");
	route_is(NULL, "/abcdefgh/:;<=>@/~\x7f\xc3\xa9", "/abcdefgh/:;<=>@/~\x7f\xc3\xa9");
	/* No query, no fragment: a search is one route, whatever it asks. */
	route_is(NULL, "/api/search?q=shoes&page=2", "/api/search");
	route_is(NULL, "/api/items/42?fields=name", "/api/items/:id");
	route_is(NULL, "/abcdefghijklmnop/12345678?x", "/abcdefghijklmnop/:id");
	route_is(NULL, "/abcdefghijklmnop/qrst?u=12345678", "/abcdefghijklmnop/qrst");
	route_is(NULL, "/abcdefghijklmnop/qrst#1", "/abcdefghijklmnop/qrst");
	route_is(NULL, "/docs/guide#install", "/docs/guide");
	route_is(NULL, "/items/1234567?q", "/items/:id");
	route_is(NULL, "/abcdefgh?1234567", "/abcdefgh");
	route_is(NULL, "?q=1", "");
	route_is(NULL, "/abcdefgh/9", "/abcdefgh/:id");
	route_is(NULL, "/1/2/x/3", "/:id/:id/x/:id");
	route_is(NULL, "7", ":id");
	route_is(NULL, "/a//b/", "/a//b/");
	route_is(NULL, "/v1.2.3/app.abc.1234.min.js", "/v1.2.3/app.abc.:id.min.js");
	route_is(NULL, "/static/app.3c8f9a2b.", "/static/app.:id.");
	route_is(NULL, "/F00DFACE12345678/x.CAFE12", "/:id/x.:id");
	route_is(NULL, "/3F2504E0-4F89-11D3-9A0C-0305E82C3301", "/:id");
	route_is(NULL, "/3f2504e0-4f89-11d3-9a0c-0305e82c330z", "/3f2504e0-4f89-11d3-9a0c-0305e82c330z");
	route_is(NULL, "/abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijk/1",
	    "/abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijk/:id");
	route_random();
	map.k = k;
	map.v = v;
	map.n = 1;
	tap_ok(route_rules_init(&rules, &map, err, sizeof err) == 0, "user rules compile");
	route_is(&rules, "/u/alice/avatar", "/u/:name/avatar");
	route_is(&rules, "/u/42/profile", "/u/:id/profile");
	route_is(&rules, "/u/alice/avatar?size=64", "/u/:name/avatar");
	route_rules_free(&rules);
	k[0] = "([";
	tap_ok(route_rules_init(&rules, &map, err, sizeof err) == -1 &&
	    strstr(err, "not a valid regular expression") != NULL, "a bad rule is refused: %s", err);

	/* Config checks. */
	c->windows.v = (char *[]){ "90s" };
	c->windows.n = 1;
	tap_ok(metrics_check(c, err, sizeof err) == -1 && strstr(err, "windows[0]"), "%s", err);
	c->windows.n = 0;
	c->buckets.v = (char *[]){ "0.1", "0.05" };
	c->buckets.n = 2;
	tap_ok(metrics_check(c, err, sizeof err) == -1 && strstr(err, "buckets[1]"), "%s", err);
	c->buckets.n = 0;
	c->group_by.v = (char *[]){ "service.name" };
	c->group_by.n = 1;
	tap_ok(metrics_check(c, err, sizeof err) == -1 && strstr(err, "group_by[0]"), "%s", err);
	c->group_by.n = 0;
	tap_ok(metrics_check(c, err, sizeof err) == 0, "the defaults are valid");

	/* Counting and windows, on a clock the test moves. */
	metrics_init(&m, c);
	m.on_window = on_window;
	m.arg = &ended;
	for (i = 0; i < 600; i++) {	/* 10 requests/s for 60 s: 1 in 10 a 503 */
		snprintf(path, sizeof path, "/api/items/%d", i);
		ev = request("GET", path, i % 10 == 0 ? "503" : "200",
		    i % 10 == 0 ? "1.5" : "0.020", fl);
		metrics_observe(&m, &ev, T0 + i * SEC / 10);
	}
	tap_is_int(m.nseries, 2, "600 paths, two series: /api/items/:id with 2xx and with 5xx");
	for (s = m.all; s != NULL && series_label(s, 3, &(size_t){0})[0] != '2'; s = s->next)
		;
	tap_ok(s != NULL && s->requests == 540 && s->errors == 0, "540 2xx requests");
	metrics_window(&m, s, 0, T0 + 60 * SEC - 1, &f);
	tap_ok(f.requests == 540 && f.rate > 8.9 && f.rate < 9.1,
	    "1m window: 540 requests, %.2f/s", f.rate);
	tap_ok(f.p50 > 0.0199 && f.p50 < 0.0201 && f.p99 < 0.0201, "1m window: p50 %.4f s", f.p50);
	{
		struct metrics_route routes[4];

		tap_is_int(metrics_routes(&m, 0, T0 + 60 * SEC - 1, routes, 4), 1,
		    "routes: the 2xx and 5xx series of GET /api/items/:id are one route");
		tap_ok(strcmp(routes[0].name, "GET /api/items/:id") == 0 &&
		    routes[0].f.requests == 600 && routes[0].f.errors == 60 &&
		    routes[0].f.p99 > 1.49 && routes[0].f.p99 < 1.51,
		    "the route's figures are both merged: %s %llu requests, p99 %.3f s",
		    routes[0].name, (unsigned long long)routes[0].f.requests, routes[0].f.p99);
	}
	metrics_advance(&m, T0 + 60 * SEC);
	tap_ok(ended.n == 2 && strstr(ended.last, "1m /api/items/:id 540 60") != NULL, "the 1m window ends at the minute: %s", ended.last);
	metrics_advance(&m, T0 + 120 * SEC);
	metrics_window(&m, s, 0, T0 + 120 * SEC, &f);
	tap_ok(f.requests == 0 && f.rate == 0, "a minute later the 1m window is empty");
	metrics_window(&m, s, 1, T0 + 120 * SEC, &f);
	tap_ok(f.requests == 540 && f.seconds > 119 && f.seconds < 121,
	    "the 5m window still holds them, over %.0f s", f.seconds);
	metrics_advance(&m, T0 + 300 * SEC);
	tap_ok(strstr(ended.last, "5m /api/items/:id 540 300") != NULL,
	    "the 5m window ends at 5 minutes with all of them: %s", ended.last);

	/* The cap: past max_series, one overflow series, counted. */
	metrics_free(&m);
	c->max_series = 3;
	c->group_by.v = (char *[]){ "route" };
	c->group_by.n = 1;
	metrics_init(&m, c);
	for (i = 0; i < 10; i++) {
		snprintf(path, sizeof path, "/r%d", i);
		ev = request("GET", path, "200", NULL, fl);
		metrics_observe(&m, &ev, T0);
	}
	tap_is_int(m.nseries, 4, "max_series 3: three series and the overflow one");
	tap_is_int((long long)m.overflow_events, 7, "seven events counted as overflow");
	buf_init(&out, 1 << 20);
	metrics_prometheus(&m, T0 + SEC, &out);
	buf_putc(&out, '\0');
	tap_ok(strstr(out.p, "logagent_requests_total{route=\"__overflow__\"} 7\n") != NULL,
	    "the overflow series in the exposition");
	tap_ok(strstr(out.p, "logagent_request_duration_seconds_bucket{route=\"/r0\",le=\"+Inf\"} 0\n") != NULL,
	    "histogram buckets with le");
	metrics_free(&m);

	/* Latencies in every shape the text may take, read exactly. */
	c->group_by.n = 0;
	metrics_init(&m, c);
	{
		static const char *const lat[] = { "0.5", "1", "0.0212195", "1e-3", "12.000001",
		    "2.", ".5", "abc" };
		/* In us, exactly: ".5" too; "0.0212195" is cut, not rounded. */
		uint64_t sum = 500000 + 1000000 + 21219 + 1000 + 12000001 + 500000;
		uint64_t n;

		for (i = 0; i < 8; i++) {
			ev = request("GET", "/l", "200", lat[i], fl);
			metrics_observe(&m, &ev, T0);
		}
		metrics_advance(&m, T0 + 1);
		for (i = 0, n = 0; i <= (int)m.nbuckets; i++)
			n += m.all->le[i];
		tap_ok(n == 6 && m.all->lat_sum_us == sum,
		    "latencies read: %llu, sum %llu us", (unsigned long long)n,
		    (unsigned long long)m.all->lat_sum_us);
	}
	metrics_free(&m);
	latency_random();
	windows_fed(c);
	tick_log_folds(c);
	keys_every_length(c);
	cache_same(c);
	cache_second_chance();
	{
		/* Three bytes that are a JSON number but no HTTP status are no request. */
		static const char *const odd[] = { "1e5", "-12", "1.5", "099", "600", "2x0" };
		static const char *const ok[] = { "100", "200", "404", "599" };
		struct metrics_req r;
		unsigned j, wrong = 0;

		for (j = 0; j < 6; j++) {
			ev = request("GET", "/s", odd[j], NULL, fl);
			metrics_request(&ev, &r);
			wrong += r.code != 0 || r.status.n != 0;
		}
		for (j = 0; j < 4; j++) {
			ev = request("GET", "/s", ok[j], NULL, fl);
			metrics_request(&ev, &r);
			wrong += r.code != (unsigned)atoi(ok[j]) || r.status.n != 3;
		}
		tap_ok(wrong == 0, "status 1e5, -12, 1.5, 099, 600, 2x0 make no request; 100 to 599 "
		    "do (%u wrong)", wrong);
	}

	/*
	 * le buckets are exact: bounds a few us apart fall inside one
	 * histogram bucket (5,000-5,055 us is one), and each latency is
	 * counted in the first whose bound it does not pass.
	 */
	c->buckets.v = (char *[]){ "0.005", "0.005001", "0.00501", "0.005015", "0.5" };
	c->buckets.n = 5;
	metrics_init(&m, c);
	{
		static const uint64_t bound[] = { 5000, 5001, 5010, 5015, 500000 };
		uint64_t want[6] = { 0 };
		char text[32];
		unsigned us, j;

		for (us = 4990; us <= 5030; us++) {
			snprintf(text, sizeof text, "0.%06u", us);
			ev = request("GET", "/l", "200", text, fl);
			metrics_observe(&m, &ev, T0);
			for (j = 0; j < 5 && us > bound[j]; j++)
				;
			want[j]++;
		}
		ev = request("GET", "/l", "200", "0.6", fl);
		metrics_observe(&m, &ev, T0);
		want[5]++;
		tap_ok(memcmp(m.all->le, want, sizeof want) == 0,
		    "le counts exact around bounds inside one histogram bucket: %llu %llu %llu %llu %llu %llu",
		    (unsigned long long)m.all->le[0], (unsigned long long)m.all->le[1],
		    (unsigned long long)m.all->le[2], (unsigned long long)m.all->le[3],
		    (unsigned long long)m.all->le[4], (unsigned long long)m.all->le[5]);
	}
	metrics_free(&m);
	c->buckets.n = 0;

	/*
	 * A key holds each value with its length: values that join to the
	 * same bytes are still two series, and any byte is kept as it came.
	 */
	c->max_series = 1000;
	c->group_by.v = (char *[]){ "method", "route" };
	c->group_by.n = 2;
	metrics_init(&m, c);
	ev = request("GETX", "/a", "200", NULL, fl);
	metrics_observe(&m, &ev, T0);
	ev = request("GET", "X/a", "200", NULL, fl);
	metrics_observe(&m, &ev, T0);
	ev = request("GET", "/a\x1f\x01" "b", "200", NULL, fl);
	metrics_observe(&m, &ev, T0);
	ev = request("GETX", "/a", "200", NULL, fl);
	metrics_observe(&m, &ev, T0);
	tap_is_int(m.nseries, 3, "GETX /a, GET X/a and a path with control bytes: three series");
	tap_ok(m.all->requests == 2, "GETX /a found again");
	s = m.all->next->next;
	label = series_label(s, 1, &label_n);
	tap_ok(label_n == 5 && memcmp(label, "/a\x1f\x01" "b", 5) == 0,
	    "bytes kept as they came: %zu bytes", label_n);
	metrics_free(&m);
	buf_free(&out);
	free(c);
	return tap_done();
}
