/* SPDX-License-Identifier: MIT */
/* filter.h: which events are shown or sent: --grep, --where, --route. */
#ifndef FILTER_H
#define FILTER_H

#include <regex.h>

#include "agent.h"
#include "conf.h"

struct filter {
	int active;		/* any test at all: one load per event when none */
	int has_grep;
	regex_t grep;		/* on the message and every field value */
	struct filter_where {
		const char *key, *val;	/* into the conf's "key=value" */
		size_t kn, vn;
	} *where;		/* all must hold; split once, owned */
	size_t nwhere;
	const char *route;	/* glob on the path or its route; the conf's */
};

/* Check a pipeline conf's filters; 0, or -1 with err saying what is wrong. */
int	filter_check(const struct conf_pipeline *c, char *err, size_t errlen);

/* From a checked conf, which must outlive f. */
int	filter_init(struct filter *f, const struct conf_pipeline *c);
void	filter_free(struct filter *f);

/* 1 when ev passes every test. */
int	filter_keep(const struct filter *f, const struct event *ev);

#endif
