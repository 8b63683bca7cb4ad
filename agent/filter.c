/* SPDX-License-Identifier: MIT */
/* filter.c: which events are shown or sent: --grep, --where, --route. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "filter.h"
#include "level.h"
#include "route.h"
#include "xmalloc.h"

int
filter_check(const struct conf_pipeline *c, char *err, size_t errlen)
{
	char why[256];
	regex_t re;
	size_t i;
	int rc;

	if (c->grep != NULL) {
		if ((rc = regcomp(&re, c->grep, REG_EXTENDED | REG_NOSUB)) != 0) {
			regerror(rc, &re, why, sizeof why);
			snprintf(err, errlen, "grep: \"%s\" is not a valid regular expression: %s",
			    c->grep, why);
			return -1;
		}
		regfree(&re);
	}
	for (i = 0; i < c->where.n; i++)
		if (c->where.v[i][0] == '=' || strchr(c->where.v[i], '=') == NULL) {
			snprintf(err, errlen, "where[%zu]: expected key=value, got \"%s\"", i,
			    c->where.v[i]);
			return -1;
		}
	return 0;
}

int
filter_init(struct filter *f, const struct conf_pipeline *c)
{
	const char *eq;
	size_t i;

	memset(f, 0, sizeof *f);
	if (c->grep != NULL) {
		if (regcomp(&f->grep, c->grep, REG_EXTENDED | REG_NOSUB) != 0)
			return -1;
		f->has_grep = 1;
	}
	if (c->where.n > 0)
		f->where = xcalloc(c->where.n, sizeof *f->where);
	for (i = 0; i < c->where.n; i++) {
		eq = strchr(c->where.v[i], '=');
		f->where[i] = (struct filter_where){ c->where.v[i], eq + 1,
		    (size_t)(eq - c->where.v[i]), strlen(eq + 1) };
	}
	f->nwhere = c->where.n;
	f->route = c->route;
	f->active = f->has_grep || f->nwhere > 0 || f->route != NULL;
	return 0;
}

void
filter_free(struct filter *f)
{
	if (f->has_grep)
		regfree(&f->grep);
	free(f->where);
	memset(f, 0, sizeof *f);
}

/* The value an event has under key: its own fields first, then its parts. */
static int
filter_value(const struct event *ev, const char *key, size_t kn, struct slice *out)
{
	const char *l;
	unsigned i;

	for (i = 0; i < ev->nfields; i++)
		if (ev->fields[i].key.n == kn && memcmp(ev->fields[i].key.p, key, kn) == 0) {
			*out = ev->fields[i].val;
			return 1;
		}
	if (kn == 5 && memcmp(key, "level", 5) == 0) {
		l = level_name(ev->level);
		*out = (struct slice){ l, strlen(l) };
		return 1;
	}
	if ((kn == 7 && memcmp(key, "message", 7) == 0) || (kn == 3 && memcmp(key, "msg", 3) == 0)) {
		*out = ev->message;
		return 1;
	}
	if (kn == 6 && memcmp(key, "source", 6) == 0) {
		*out = ev->source;
		return 1;
	}
	return 0;
}

/* Bytes of a slice, not a C string: the match is bounded by REG_STARTEND. */
static int
filter_grep(const regex_t *re, struct slice v)
{
	regmatch_t m[1];

	m[0].rm_so = 0;
	m[0].rm_eo = (regoff_t)v.n;
	return regexec(re, v.n > 0 ? v.p : "", 1, m, REG_STARTEND) == 0;
}

/* The path as it came, or its route with ids folded (/api/items/:id). */
static int
filter_route(const char *pattern, const struct event *ev)
{
	struct slice v;

	return filter_value(ev, "path", 4, &v) && route_glob(pattern, v.p, v.n);
}

int
filter_keep(const struct filter *f, const struct event *ev)
{
	const struct filter_where *w;
	struct slice v;
	size_t i;
	int hit;

	if (!f->active)
		return 1;
	for (i = 0; i < f->nwhere; i++) {
		w = &f->where[i];
		if (!filter_value(ev, w->key, w->kn, &v) || v.n != w->vn ||
		    memcmp(v.p, w->val, v.n) != 0)
			return 0;
	}
	if (f->route != NULL && !filter_route(f->route, ev))
		return 0;
	if (f->has_grep) {
		hit = filter_grep(&f->grep, ev->message);
		for (i = 0; !hit && i < ev->nfields; i++)
			hit = filter_grep(&f->grep, ev->fields[i].val);
		if (!hit)
			return 0;
	}
	return 1;
}
