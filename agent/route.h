/* SPDX-License-Identifier: MIT */
/* route.h: request paths as routes: /api/items/42 and /api/items/43 are both /api/items/:id. */
#ifndef ROUTE_H
#define ROUTE_H

#include <regex.h>
#include <stddef.h>

#include "conf.h"

/* The user's rules, compiled; built from conf_metrics.routes. */
struct route_rules {
	regex_t *re;
	char **route;		/* copies: a reload frees the conf */
	size_t n;
};

/* 0, or -1 with err naming the rule that is not a valid regex. */
int	route_rules_init(struct route_rules *r, const struct conf_strmap *m,
	    char *err, size_t errlen);
void	route_rules_free(struct route_rules *r);

/*
 * The route of path[0..n) into out (at most cap bytes, NUL-terminated).
 * The query and fragment (from the first '?' or '#') are left out; then
 * the first user rule that matches the rest, else the rest with each
 * segment that is a number, a UUID or a long hex string (a hash, an
 * object id) as ":id". Returns the length.
 */
size_t	route_of(const struct route_rules *r, const char *path, size_t n,
	    char *out, size_t cap);

/* Whether path[0..n), as it came or as its route (/api/items/:id), matches the glob. */
int	route_glob(const char *pattern, const char *path, size_t n);

#endif
