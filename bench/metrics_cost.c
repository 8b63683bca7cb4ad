/* SPDX-License-Identifier: MIT */
/* metrics_cost.c: the aggregation alone, in ns per event, on events shaped like loggen's. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "conf.h"
#include "metrics.h"

#define N	1000000

static uint64_t state = 0x9e3779b97f4a7c15ULL;

static uint64_t
rnd(void)
{
	state ^= state >> 12;
	state ^= state << 25;
	state ^= state >> 27;
	return state * 2685821657736338717ULL;
}

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
	static const char *const methods[] = { "GET", "GET", "GET", "POST", "PUT", "DELETE" };
	static const char *const statuses[] = { "200", "200", "200", "200", "201", "404", "500" };
	struct conf_metrics c;
	struct rusage ru0, ru1;
	struct metrics m;
	struct event *ev = calloc(N, sizeof *ev);
	struct field *f = calloc(N * 4, sizeof *f);
	char *text = malloc(N * 64), *p = text;
	int64_t t0, t1, clock0 = 1795341600LL * 1000000000LL;
	size_t i, n;
	int len;

	memset(&c, 0, sizeof c);
	c.enabled = 1;
	c.max_series = 1000;
	c.error_status = 500;
	if (metrics_init(&m, &c) != 0)
		return 1;
	for (i = 0; i < N; i++) {
		n = 0;
		ev[i].source = (struct slice){ "api", 3 };
		f[i * 4 + n++] = (struct field){ { "method", 6 },
		    { methods[rnd() % 6], 0 }, FIELD_STRING };
		f[i * 4].val.n = strlen(f[i * 4].val.p);
		len = sprintf(p, rnd() % 2 ? "/api/items/%u" : "/api/users/%u/orders",
		    (unsigned)(rnd() % 5000));
		f[i * 4 + n++] = (struct field){ { "path", 4 }, { p, (size_t)len }, FIELD_STRING };
		p += len;
		f[i * 4 + n++] = (struct field){ { "status", 6 },
		    { statuses[rnd() % 7], 3 }, FIELD_NUMBER };
		len = sprintf(p, "0.%06u", (unsigned)(rnd() % 400000));
		f[i * 4 + n++] = (struct field){ { "latency", 7 }, { p, (size_t)len }, FIELD_NUMBER };
		p += len;
		ev[i].fields = &f[i * 4];
		ev[i].nfields = ev[i].fields_cap = (unsigned)n;
	}
	getrusage(RUSAGE_SELF, &ru0);
	t0 = now_ns();
	/* A thousand events a millisecond of event clock: windows roll too. */
	for (i = 0; i < N; i++)
		metrics_observe(&m, &ev[i], clock0 + (int64_t)i * 1000000);
	t1 = now_ns();
	getrusage(RUSAGE_SELF, &ru1);
	printf("metrics_observe: %.1f ns per event (%u series, %d events, %ld page faults)\n",
	    (double)(t1 - t0) / N, m.nseries, N, ru1.ru_minflt - ru0.ru_minflt);
	metrics_free(&m);
	free(ev);
	free(f);
	free(text);
	(void)argc;
	(void)argv;
	return 0;
}
