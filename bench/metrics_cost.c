/* SPDX-License-Identifier: MIT */
/*
 * metrics_cost.c FILE: the aggregation alone, in ns per event. FILE's lines
 * (loggen's JSON) are parsed as the pipeline parses them, a batch at a
 * time; only metrics_observe is timed, over each batch once it is parsed,
 * as the agent hands metrics the events of a batch (pipeline_observe_now).
 */
#include "config.h"

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
	int64_t t0, spent = 0, clock0 = 1795341600LL * 1000000000LL;
	int rc = 1, more = 1;

	if (argc != 2 || (f = fopen(argv[1], "r")) == NULL) {
		fprintf(stderr, "usage: metrics_cost FILE (loggen's JSON lines)\n");
		return 2;
	}
	memset(&c, 0, sizeof c);
	c.enabled = 1;
	c.max_series = 1000;
	c.error_status = 500;
	arena_init(&a, 256 * 1024, 64 * 1024 * 1024);
	if (metrics_init(&m, &c) != 0)
		goto out;
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
		/* A thousand events a millisecond of event clock: windows roll too. */
		for (i = 0; i < n; i++)
			metrics_observe(&m, &ev[i], clock0 + (int64_t)(total + i) * 1000000);
		spent += now_ns() - t0;
		total += n;
	}
	if (total == 0) {
		fprintf(stderr, "metrics_cost: %s has no lines\n", argv[1]);
		goto out;
	}
	printf("metrics_observe: %.1f ns per event (%u series, %zu events)\n",
	    (double)spent / (double)total, m.nseries, total);
	rc = 0;
out:
	metrics_free(&m);
	arena_free(&a);
	free(line);
	fclose(f);
	return rc;
}
