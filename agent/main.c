/* SPDX-License-Identifier: MIT */
/* main.c: the command line: --tail files, -c config, checks, help. */
#include "config.h"

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <uv.h>
#include <zlib.h>

#include "conf.h"
#include "log.h"
#include "parser.h"
#include "run.h"
#include "sink.h"

enum {
	OPT_CHECK = 256,
	OPT_LEVEL,
	OPT_FORMAT,
	OPT_NO_COLOR,
	OPT_LOG_LEVEL,
	OPT_REFERENCE,
	OPT_ONESHOT,
	OPT_FROM_START,
	OPT_GREP,
	OPT_WHERE,
	OPT_ROUTE,
	OPT_TOP,
	OPT_SUMMARY,
	OPT_NO_SUMMARY,
};

/* One table: getopt reads it and --help prints it, so they cannot drift. */
static const struct {
	struct option opt;
	const char *arg;
	const char *help;
} main_options[] = {
	{ { "tail", no_argument, NULL, 't' }, NULL,
	  "follow the FILEs given like tail -F; - is stdin" },
	{ { "follow", no_argument, NULL, 'f' }, NULL,
	  "the same; without either, FILEs are followed only when stdout is a terminal, else read to their end" },
	{ { "lines", required_argument, NULL, 'n' }, "N",
	  "begin with the last N lines of each FILE (default 10; 0: only new lines)" },
	{ { "from-start", no_argument, NULL, OPT_FROM_START }, NULL,
	  "begin each FILE at its first line" },
	{ { "config", required_argument, NULL, 'c' }, "FILE",
	  "run from a config file, in the foreground" },
	{ { "oneshot", no_argument, NULL, OPT_ONESHOT }, NULL,
	  "read every source to its current end, deliver, checkpoint, exit (1 if anything was not delivered)" },
	{ { "check-config", no_argument, NULL, OPT_CHECK }, NULL,
	  "check the config file and exit 0 when valid, 1 when not" },
	{ { "level", required_argument, NULL, OPT_LEVEL }, "LEVEL",
	  "show events at this level or above: debug, info, warn, error, fatal" },
	{ { "grep", required_argument, NULL, OPT_GREP }, "REGEX",
	  "show events whose message or a field value matches REGEX (extended)" },
	{ { "where", required_argument, NULL, OPT_WHERE }, "KEY=VALUE",
	  "show events with this field value (repeatable: all must hold); level, message, source too" },
	{ { "route", required_argument, NULL, OPT_ROUTE }, "PATTERN",
	  "show requests whose path or route (/api/items/:id) matches the glob PATTERN" },
	{ { "top", no_argument, NULL, OPT_TOP }, NULL,
	  "a full-screen view, like top: routes by requests/s, errors, p95, top error groups; q quits" },
	{ { "summary", no_argument, NULL, OPT_SUMMARY }, NULL,
	  "on exit, a summary: events by level, top error groups, latency of the busiest routes (default on a terminal)" },
	{ { "no-summary", no_argument, NULL, OPT_NO_SUMMARY }, NULL,
	  "no summary on exit" },
	{ { "format", required_argument, NULL, OPT_FORMAT }, "NAME",
	  "line format instead of detection: auto, json, logfmt, clf, syslog, cri, plain" },
	{ { "output", required_argument, NULL, 'o' }, "MODE",
	  "pretty or json (ndjson); default: pretty on a terminal, json otherwise" },
	{ { "no-color", no_argument, NULL, OPT_NO_COLOR }, NULL,
	  "no colours (NO_COLOR=1 in the environment does the same)" },
	{ { "log-level", required_argument, NULL, OPT_LOG_LEVEL }, "LEVEL",
	  "least level of the agent's own log on stderr (default info)" },
	{ { "config-reference", no_argument, NULL, OPT_REFERENCE }, NULL,
	  "print the configuration reference (docs/config.md) and exit" },
	{ { "help", no_argument, NULL, 'h' }, NULL, "show this help and exit" },
	{ { "version", no_argument, NULL, 'V' }, NULL,
	  "show the version and the libraries' versions and exit" },
};
#define MAIN_NOPTIONS (sizeof main_options / sizeof main_options[0])
#define MAIN_MAX_WHERE	32

static void
main_usage(FILE *f)
{
	char left[64];
	size_t i;

	fprintf(f,
	    "usage: logagent [OPTIONS] [--tail] FILE...   follow files (- is stdin)\n"
	    "       logagent [OPTIONS] -c FILE            run from a config file\n"
	    "       logagent -c FILE --check-config       validate a config file\n"
	    "\n"
	    "Tails log files, parses each line into a leveled event and prints it.\n"
	    "\n");
	for (i = 0; i < MAIN_NOPTIONS; i++) {
		const struct option *o = &main_options[i].opt;

		if (o->val < 256)
			snprintf(left, sizeof left, "-%c, --%s%s%s", o->val,
			    o->name, main_options[i].arg ? " " : "",
			    main_options[i].arg ? main_options[i].arg : "");
		else
			snprintf(left, sizeof left, "    --%s%s%s", o->name,
			    main_options[i].arg ? " " : "",
			    main_options[i].arg ? main_options[i].arg : "");
		fprintf(f, "  %-26s %s\n", left, main_options[i].help);
	}
	fprintf(f, "\nExit status: 0 success, 1 runtime or config error, 2 usage error.\n"
	    "Config reference: docs/config.md; example: etc/logagent.conf.\n");
}

static void
main_version(void)
{
	curl_version_info_data *cv = curl_version_info(CURLVERSION_NOW);

	printf("logagent %s (libuv %s, zlib %s, cJSON %s, libcurl %s)\n",
	    PACKAGE_VERSION, uv_version_string(), zlibVersion(), cJSON_Version(),
	    cv->version);
}

/*
 * No core files: they would hold whatever secrets were in memory. And
 * descriptors 0-2 always open: a closed stdout must not become the next
 * file we open (a checkpoint would then receive our output). A closed one
 * is pointed at /dev/null and the stdout sink refuses to start on it.
 */
static void
main_harden(void)
{
	struct rlimit rl = { 0, 0 };
	int fd;

	for (fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) != -1)
			continue;
		if (fd == STDOUT_FILENO)
			sink_stdout_closed = 1;
		if (open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY) != fd)
			abort();
	}

	setrlimit(RLIMIT_CORE, &rl);
	umask(077);
	signal(SIGPIPE, SIG_IGN);
}

/*
 * Batches give back and take again 256 KiB arena chunks all the time. By
 * default glibc serves those with mmap, or trims the heap when they are
 * freed, and the kernel then faults every page in again: measured, a
 * fifth of the time spent on an access log. Keeping up to 4 MiB of freed
 * heap costs no peak memory (bench/run-parse.sh: same peak RSS).
 */
static void
main_malloc_tune(void)
{
#if defined(M_MMAP_THRESHOLD) && defined(M_TRIM_THRESHOLD)
	mallopt(M_MMAP_THRESHOLD, 1 << 20);
	mallopt(M_TRIM_THRESHOLD, 4 << 20);
#endif
}

int
main(int argc, char **argv)
{
	struct option longopts[MAIN_NOPTIONS + 1];
	struct run_overrides ov;
	char *where[MAIN_MAX_WHERE];
	const char *config = NULL;
	struct conf *c = NULL;
	struct conf_err err;
	struct buf ref;
	int ch, check = 0, oneshot = 0, follow = 0, from_start = 0, stdin_too = 0, i, rc;
	long long lines = 10;
	struct conf_source *src;
	char *end;

	memset(&ov, 0, sizeof ov);
	ov.where = where;
	ov.summary = -1;	/* on a terminal, for files given on the command line */
	main_harden();
	main_malloc_tune();
	/* Once, before any thread: libcurl's own set-up is not thread-safe. */
	curl_global_init(CURL_GLOBAL_DEFAULT);
	memset(longopts, 0, sizeof longopts);
	for (i = 0; i < (int)MAIN_NOPTIONS; i++)
		longopts[i] = main_options[i].opt;
	while ((ch = getopt_long(argc, argv, "tfn:c:o:hV", longopts, NULL)) != -1) {
		switch (ch) {
		case 't':
		case 'f':
			follow = 1;
			break;
		case 'n':
			errno = 0;
			lines = strtoll(optarg, &end, 10);
			if (errno != 0 || end == optarg || *end != '\0' || lines < 0 ||
			    lines > 1000000) {
				fprintf(stderr, "logagent: -n: expected a number of lines from 0 to 1000000, got \"%s\"\n",
				    optarg);
				return 2;
			}
			break;
		case OPT_GREP:
			ov.grep = optarg;
			break;
		case OPT_ROUTE:
			ov.route = optarg;
			break;
		case OPT_WHERE:
			if (ov.nwhere == MAIN_MAX_WHERE) {
				fprintf(stderr, "logagent: --where: at most %d\n", MAIN_MAX_WHERE);
				return 2;
			}
			where[ov.nwhere++] = optarg;
			break;
		case OPT_TOP:
			ov.top = 1;
			break;
		case OPT_SUMMARY:
			ov.summary = 1;
			break;
		case OPT_NO_SUMMARY:
			ov.summary = 0;
			break;
		case OPT_FROM_START:
			from_start = 1;
			break;
		case 'c':
			config = optarg;
			break;
		case OPT_CHECK:
			check = 1;
			break;
		case OPT_ONESHOT:
			oneshot = 1;
			break;
		case OPT_LEVEL:
			ov.level = optarg;
			break;
		case OPT_FORMAT:
			ov.format = optarg;
			break;
		case 'o':
			if (strcmp(optarg, "json") == 0 || strcmp(optarg, "ndjson") == 0)
				ov.output = "ndjson";
			else if (strcmp(optarg, "pretty") == 0)
				ov.output = "pretty";
			else {
				fprintf(stderr, "logagent: --output: expected pretty or json, got \"%s\"\n",
				    optarg);
				return 2;
			}
			break;
		case OPT_NO_COLOR:
			ov.no_color = 1;
			break;
		case OPT_LOG_LEVEL:
			ov.log_level = optarg;
			break;
		case OPT_REFERENCE:
			buf_init(&ref, 1 << 20);
			conf_reference(&ref);
			fwrite(ref.p, 1, ref.len, stdout);
			buf_free(&ref);
			return 0;
		case 'h':
			main_usage(stdout);
			return 0;
		case 'V':
			main_version();
			return 0;
		default:
			fprintf(stderr, "Try 'logagent --help'.\n");
			return 2;
		}
	}
	argc -= optind;
	argv += optind;

	if (config != NULL && argc > 0) {
		fprintf(stderr, "logagent: give either -c FILE or files to follow, not both\n");
		return 2;
	}
	if (check && config == NULL) {
		fprintf(stderr, "logagent: --check-config needs -c FILE\n");
		return 2;
	}
	if (config == NULL && argc == 0) {
		main_usage(stderr);
		return 2;
	}
	if (ov.top && !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "logagent: --top draws a screen: standard output must be a terminal\n");
		return 2;
	}
	if (ov.top && (check || oneshot)) {
		fprintf(stderr, "logagent: --top runs until q; not with --oneshot or --check-config\n");
		return 2;
	}
	if (ov.summary == -1)
		ov.summary = ov.top || (config == NULL && isatty(STDOUT_FILENO));
	if (config != NULL) {
		if ((rc = conf_load(config, &c, &err)) != 0) {
			fprintf(stderr, "logagent: %s\n", err.msg);
			return 1;
		}
		for (i = 0; ov.top && i < (int)c->nsinks; i++)
			if (c->sinks[i].ops == &sink_stdout) {
				fprintf(stderr, "logagent: --top: sink %s writes to standard output, where the screen is; give it another sink\n",
				    c->sinks[i].name);
				conf_free(c);
				return 2;
			}
	} else {
		c = conf_new();
		for (i = 0; i < argc; i++) {
			stdin_too |= strcmp(argv[i], "-") == 0;
			src = conf_add_source(c, argv[i]);
			if (!from_start) {
				src->start_at = START_AT_END;
				src->start_lines = lines;
			}
		}
		/* --top shows figures, not events: they go nowhere. */
		conf_add_sink(c, ov.top ? &sink_null : &sink_stdout);
		/*
		 * Like tail: -f on a terminal goes without saying; into a pipe,
		 * not. Standard input is read to its end either way, so with it
		 * the files are followed until then.
		 */
		if (!follow && !stdin_too && !isatty(STDOUT_FILENO))
			oneshot = 1;
	}
	if (run_apply_overrides(c, &ov, &err) != 0) {
		fprintf(stderr, "logagent: %s\n", err.msg);
		conf_free(c);
		return 2;
	}
	if (check) {
		printf("%s: OK (%zu sources, %zu sinks)\n", config, c->nsources,
		    c->nsinks);
		conf_free(c);
		return 0;
	}
	rc = run_agent(c, &ov, oneshot);
	log_secrets_clear();
	return rc;
}
