/* SPDX-License-Identifier: MIT */
/* loggen.c: writes realistic web-service log lines, numbered, for the demo, tests and benchmarks. */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static uint64_t loggen_state = 0x9e3779b97f4a7c15ULL;
static volatile sig_atomic_t loggen_reopen;

/* SIGHUP: reopen the output by name, as a daemon does after logrotate. */
static void
loggen_hup(int sig)
{
	(void)sig;
	loggen_reopen = 1;
}

/* xorshift64*: fast, and the same lines for the same seed. */
static uint64_t
loggen_rand(void)
{
	loggen_state ^= loggen_state >> 12;
	loggen_state ^= loggen_state << 25;
	loggen_state ^= loggen_state >> 27;
	return loggen_state * 2685821657736338717ULL;
}

static double
loggen_uniform(void)
{
	return (double)(loggen_rand() >> 11) / 9007199254740992.0;
}

/* Latency in seconds: lognormal around 40 ms with a long tail. */
static double
loggen_latency(void)
{
	double u1 = loggen_uniform(), u2 = loggen_uniform();
	double z = sqrt(-2.0 * log(u1 > 0 ? u1 : 1e-12)) * cos(2 * M_PI * u2);

	return exp(log(0.040) + 0.8 * z);
}

static void
loggen_usage(void)
{
	fprintf(stderr,
	    "usage: loggen [-o FILE] [-n COUNT] [-r LINES_PER_SEC] [-d SECONDS]\n"
	    "              [-f json|plain|logfmt|nginx|mixed] [-s SEED] [--start N]\n"
	    "              [-t EPOCH_MS] [-u]\n"
	    "-t: timestamps from EPOCH_MS, 1 ms a line, so the output is the same\n"
	    "every run (benchmarks); otherwise the wall clock.\n"
	    "-u: every path has an id of its own (the line's number): no two repeat.\n"
	    "Appends numbered web-service log lines (seq field) to FILE or stdout.\n"
	    "COUNT 0 and no -d: until killed. RATE 0: as fast as possible.\n"
	    "SIGHUP reopens FILE by name (for logrotate's postrotate).\n");
}

int
main(int argc, char **argv)
{
	static const char *const methods[] = { "GET", "GET", "GET", "POST", "PUT", "DELETE" };
	static const char *const routes[] = {
		"/api/items/%u", "/api/users/%u/orders", "/health", "/api/search",
		"/static/app.%08x.js", "/api/items",
	};
	static const char *const msgs[] = {
		"request completed", "request completed", "request completed",
		"cache miss", "slow upstream response", "upstream timed out",
		"payment declined", "out of memory, shutting down",
	};
	static const struct option longopts[] = {
		{ "start", required_argument, NULL, 'S' },
		{ "time", required_argument, NULL, 't' },
		{ "unique-ids", no_argument, NULL, 'u' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *out = NULL, *format = "json", *level;
	long long fixed_ms = -1;
	static const char *const mon[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
	    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	unsigned long long count = 0, seq = 1, n;
	double rate = 0, duration = 0, lat, r;
	struct timespec ts, t0;
	char line[1024], path[128], tbuf[40], buf[65536];
	size_t used = 0;
	unsigned status, mi, ri, k;
	int ch, fd = STDOUT_FILENO, len, plain, unique = 0;
	struct tm tm;

	while ((ch = getopt_long(argc, argv, "o:n:r:d:f:s:t:uh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'o': out = optarg; break;
		case 'n': count = strtoull(optarg, NULL, 10); break;
		case 'r': rate = atof(optarg); break;
		case 'd': duration = atof(optarg); break;
		case 'f': format = optarg; break;
		case 's': loggen_state ^= strtoull(optarg, NULL, 10) * 0x100000001b3ULL; break;
		case 'S': seq = strtoull(optarg, NULL, 10); break;
		case 't': fixed_ms = strtoll(optarg, NULL, 10); break;
		case 'u': unique = 1; break;
		default: loggen_usage(); return 2;
		}
	}
	if (strcmp(format, "json") && strcmp(format, "plain") && strcmp(format, "mixed") &&
	    strcmp(format, "logfmt") && strcmp(format, "nginx")) {
		loggen_usage();
		return 2;
	}
	if (out != NULL && (fd = open(out, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644)) < 0) {
		fprintf(stderr, "loggen: open %s: %s\n", out, strerror(errno));
		return 1;
	}
	if (out != NULL)
		signal(SIGHUP, loggen_hup);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (n = 0; count == 0 || n < count; n++, seq++) {
		if (loggen_reopen) {
			loggen_reopen = 0;
			if (used > 0 && write(fd, buf, used) != (ssize_t)used)
				return 1;
			used = 0;
			close(fd);
			if ((fd = open(out, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644)) < 0) {
				fprintf(stderr, "loggen: reopen %s: %s\n", out, strerror(errno));
				return 1;
			}
		}
		if (rate > 0 || duration > 0) {
			clock_gettime(CLOCK_MONOTONIC, &ts);
			double el = (double)(ts.tv_sec - t0.tv_sec) + (double)(ts.tv_nsec - t0.tv_nsec) / 1e9;

			if (duration > 0 && el >= duration)
				break;
			if (rate > 0 && (double)n / rate > el) {
				double wait = (double)n / rate - el;
				struct timespec w = { (time_t)wait, (long)((wait - (double)(time_t)wait) * 1e9) };

				nanosleep(&w, NULL);
			}
		}
		mi = (unsigned)(loggen_rand() % 6);
		ri = (unsigned)(loggen_rand() % 6);
		/* The routes are ours and each takes one unsigned. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
		k = (unsigned)(loggen_rand() % 5000);
		if (unique) {
			/* Every path an id of its own: nothing repeats. */
			ri = ri % 2;
			k = (unsigned)seq;
		}
		/* Assets carry a content hash, one per build: eight builds live. */
		if (strstr(routes[ri], "static") != NULL)
			k = 0x9e3779b1u * (k % 8 + 1);
		snprintf(path, sizeof path, routes[ri], k);
#pragma GCC diagnostic pop
		if (ri == 3)
			strncat(path, "?q=shoes&page=2", sizeof path - strlen(path) - 1);
		r = loggen_uniform();
		status = r < 0.02 ? 503 : r < 0.035 ? 500 : r < 0.08 ? 404 : r < 0.10 ? 400 :
		    mi == 3 ? 201 : 200;
		lat = loggen_latency();
		k = status >= 500 ? 5 : status >= 400 ? (unsigned)(loggen_rand() % 2) * 3 :
		    lat > 0.25 ? 4 : (unsigned)(loggen_rand() % 4);
		level = status >= 500 ? "error" : status >= 400 ? "warn" :
		    lat > 0.25 ? "warn" : k == 3 ? "debug" : "info";
		if (status == 500 && loggen_rand() % 50 == 0) {
			level = "fatal";
			k = 7;
		}
		if (k == 5 && status == 500)
			k = 6;
		if (fixed_ms >= 0) {
			ts.tv_sec = (time_t)((fixed_ms + (long long)n) / 1000);
			ts.tv_nsec = (long)((fixed_ms + (long long)n) % 1000) * 1000000;
		} else
			clock_gettime(CLOCK_REALTIME, &ts);
		gmtime_r(&ts.tv_sec, &tm);
		strftime(tbuf, sizeof tbuf, "%Y-%m-%dT%H:%M:%S", &tm);
		plain = strcmp(format, "plain") == 0 ||
		    (strcmp(format, "mixed") == 0 && loggen_rand() % 4 == 0);
		if (strcmp(format, "nginx") == 0)
			/* nginx combined, with $request_time and $upstream_response_time. */
			len = snprintf(line, sizeof line,
			    "10.0.%u.%u - - [%02d/%s/%04d:%02d:%02d:%02d +0000] \"%s %s HTTP/1.1\" %u %u \"-\" \"Mozilla/5.0 (X11; Linux x86_64) loggen/1\" %.3f %.3f seq=%llu\n",
			    (unsigned)(loggen_rand() % 256), (unsigned)(loggen_rand() % 256),
			    tm.tm_mday, mon[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
			    tm.tm_sec, methods[mi], path, status, 200 + (unsigned)(loggen_rand() % 5000),
			    lat, lat * 0.9, seq);
		else if (strcmp(format, "logfmt") == 0)
			len = snprintf(line, sizeof line,
			    "ts=%s.%03ldZ level=%s msg=\"%s\" method=%s path=%s status=%u latency=%.6f request_id=%016llx seq=%llu\n",
			    tbuf, ts.tv_nsec / 1000000, level, msgs[k], methods[mi], path,
			    status, lat, (unsigned long long)loggen_rand(), seq);
		else if (plain)
			len = snprintf(line, sizeof line,
			    "%s.%03ldZ %s %s method=%s path=%s status=%u latency=%.6f request_id=%016llx seq=%llu\n",
			    tbuf, ts.tv_nsec / 1000000, level[0] == 'i' ? "INFO" :
			    level[0] == 'd' ? "DEBUG" : level[0] == 'w' ? "WARN" :
			    level[0] == 'e' ? "ERROR" : "FATAL", msgs[k], methods[mi], path,
			    status, lat, (unsigned long long)loggen_rand(), seq);
		else
			len = snprintf(line, sizeof line,
			    "{\"time\":\"%s.%03ldZ\",\"level\":\"%s\",\"msg\":\"%s\",\"method\":\"%s\","
			    "\"path\":\"%s\",\"status\":%u,\"latency\":%.6f,\"request_id\":\"%016llx\",\"seq\":%llu}\n",
			    tbuf, ts.tv_nsec / 1000000, level, msgs[k], methods[mi], path, status,
			    lat, (unsigned long long)loggen_rand(), seq);
		/* Paced: one write per line, so a reader never sees half of one. */
		if (rate > 0) {
			if (write(fd, line, (size_t)len) != len)
				return 1;
			continue;
		}
		if (used + (size_t)len > sizeof buf) {
			if (write(fd, buf, used) != (ssize_t)used)
				return 1;
			used = 0;
		}
		memcpy(buf + used, line, (size_t)len);
		used += (size_t)len;
	}
	if (used > 0 && write(fd, buf, used) != (ssize_t)used)
		return 1;
	return 0;
}
