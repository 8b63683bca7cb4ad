/* SPDX-License-Identifier: MIT */
/*
 * metrics_cost.c FILE [APART [cache|nocache]]: the aggregation alone, in
 * ns per event, on a clock that moves APART ns an event (default 1 ms: a
 * thousand events a second, so windows roll; 1000 closes no tick in 1M
 * events, though each series' tick log fills and folds early then), with
 * the cache of requests' series (reqcache.h) or without it. FILE's lines
 * (loggen's JSON) are parsed as the pipeline parses them, a batch at a
 * time; only metrics_observe is timed, over each batch once it is parsed,
 * as the agent hands metrics the events of a batch (pipeline_observe_now).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arena.h"
#include "conf.h"
#include "metrics.h"
#include "parser.h"

#define BATCH	1024

static int64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int
main(int argc, char **argv)
{
	const struct parser_ops *json = parser_find("json");
	struct event ev[BATCH];
	struct conf_metrics c;
	struct parse_ctx ctx;
	struct metrics m;
	struct arena a;
	FILE *f;
	char *line = NULL, *copy;
	size_t cap = 0, n = 0, i, total = 0;
	ssize_t len;
	int64_t t0, spent = 0, clock0 = 1795341600LL * 1000000000LL, apart = 1000000;
	char *end = NULL;
	int rc = 1, more = 1;

	if (argc >= 3) {
		errno = 0;
		apart = strtoll(argv[2], &end, 10);
	}
	if (argc < 2 || argc > 4 || (argc >= 3 && (errno != 0 || *end != '\0' || apart < 0)) ||
	    (argc == 4 && strcmp(argv[3], "cache") != 0 && strcmp(argv[3], "nocache") != 0)) {
		fprintf(stderr, "usage: metrics_cost FILE [APART [cache|nocache]] (loggen's JSON "
		    "lines; ns between events, 1000000 when not given; the request cache on or "
		    "off)\n");
		return 2;
	}
	if ((f = fopen(argv[1], "r")) == NULL) {
		fprintf(stderr, "metrics_cost: %s: %s\n", argv[1], strerror(errno));
		return 2;
	}
	memset(&c, 0, sizeof c);
	c.enabled = 1;
	c.max_series = 1000;
	c.error_status = 500;
	arena_init(&a, 256 * 1024, 64 * 1024 * 1024);
	if (metrics_init(&m, &c) != 0)
		goto out;
	if (argc == 4 && strcmp(argv[3], "nocache") == 0)
		reqcache_free(&m.cache);	/* every event the whole way */
	ctx = (struct parse_ctx){ &a, 256, 32, &parse_opts_default };
	while (more) {
		arena_reset(&a);
		for (n = 0; n < BATCH; n++) {
			if ((len = getline(&line, &cap, f)) <= 0) {
				more = 0;
				break;
			}
			copy = arena_dup(&a, line, (size_t)len - 1);
			memset(&ev[n], 0, sizeof ev[n]);
			ev[n].message = (struct slice){ copy, (size_t)len - 1 };
			ev[n].source = (struct slice){ argv[1], strlen(argv[1]) };
			if (copy == NULL || parser_run(json, &ctx, copy, (size_t)len - 1, &ev[n]) < 0)
				goto out;
		}
		t0 = now_ns();
		for (i = 0; i < n; i++)
			metrics_observe(&m, &ev[i], clock0 + (int64_t)(total + i) * apart);
		spent += now_ns() - t0;
		total += n;
	}
	if (total == 0) {
		fprintf(stderr, "metrics_cost: %s has no lines\n", argv[1]);
		goto out;
	}
	printf("metrics_observe: %.1f ns per event (%u series, %zu events, %lld ns apart; "
	    "%.0f%% found in the request cache)\n", (double)spent / (double)total, m.nseries,
	    total, (long long)apart, 100.0 * (double)m.cache.found / (double)total);
	rc = 0;
out:
	metrics_free(&m);
	arena_free(&a);
	free(line);
	fclose(f);
	return rc;
}
