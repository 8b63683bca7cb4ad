/* SPDX-License-Identifier: MIT */
/* run.c: the one uv loop: start, reload on SIGHUP, stop cleanly on SIGINT/SIGTERM. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "pipeline.h"
#include "run.h"
#include "source.h"
#include "xmalloc.h"

#define RUN_STOP_DEADLINE_MS	2000

struct run {
	uv_loop_t *loop;
	struct conf *conf;
	const struct run_overrides *ov;
	struct pipeline pipe;
	struct source *sources;
	uv_signal_t sigint, sigterm, sighup;
	uv_timer_t deadline;
	int stopping;
	int pipeline_closed;
	unsigned live_sources;	/* not yet closed */
	int exit_code;
	int broken_pipe;
	unsigned sink_gen;	/* sinks of the current config carry this */
};

static void run_stop(struct run *r);

static size_t
run_max_line(const struct conf *c)
{
	size_t i, m = 256;

	for (i = 0; i < c->nsources; i++)
		if (c->sources[i].max_line > m)
			m = c->sources[i].max_line;
	return m;
}

/* A level name from the command line, or -1 with err saying what was wanted. */
static int
run_level(const char *name, const char *option, struct conf_err *err)
{
	int l;

	for (l = 0; conf_level_choices[l] != NULL; l++)
		if (strcmp(conf_level_choices[l], name) == 0)
			return l;
	snprintf(err->msg, sizeof err->msg,
	    "%s: expected one of debug, info, warn, error, fatal, got \"%s\"",
	    option, name);
	return -1;
}

int
run_apply_overrides(struct conf *c, const struct run_overrides *o,
    struct conf_err *err)
{
	const struct parser_ops *fmt = NULL;
	size_t i;

	if (o->level != NULL &&
	    (c->pipeline.level = run_level(o->level, "--level", err)) < 0)
		return AGENT_E_CONFIG;
	if (o->log_level != NULL &&
	    (c->log_level = run_level(o->log_level, "--log-level", err)) < 0)
		return AGENT_E_CONFIG;
	if (o->format != NULL) {
		if ((fmt = parser_find(o->format)) == NULL) {
			snprintf(err->msg, sizeof err->msg,
			    "--format: expected one of %s, got \"%s\"",
			    parser_names(), o->format);
			return AGENT_E_CONFIG;
		}
		for (i = 0; i < c->nsources; i++)
			c->sources[i].format = fmt;
	}
	for (i = 0; i < c->nsinks; i++) {
		if (c->sinks[i].ops != &sink_stdout)
			continue;
		if (o->output != NULL &&
		    conf_set_key(c->sinks[i].ops->options, c->sinks[i].opts,
		    "encoding", o->output, err) != 0)
			return AGENT_E_CONFIG;
		if (o->no_color &&
		    conf_set_key(c->sinks[i].ops->options, c->sinks[i].opts,
		    "color", "never", err) != 0)
			return AGENT_E_CONFIG;
	}
	return 0;
}

int
run_state_dir(const char *dir)
{
	struct stat st;

	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		log_error("state_dir: mkdir \"%s\" failed: %s", dir, strerror(errno));
		return -errno;
	}
	if (lstat(dir, &st) != 0) {
		log_error("state_dir: stat \"%s\" failed: %s", dir, strerror(errno));
		return -errno;
	}
	if (!S_ISDIR(st.st_mode)) {
		log_error("state_dir: \"%s\" is not a directory", dir);
		return AGENT_E_CONFIG;
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		log_error("state_dir: \"%s\" is writable by group or others (mode %03o); refusing it",
		    dir, (unsigned)(st.st_mode & 0777));
		return AGENT_E_CONFIG;
	}
	if (st.st_uid != geteuid()) {
		log_error("state_dir: \"%s\" belongs to uid %u, not to us (uid %u); refusing it",
		    dir, (unsigned)st.st_uid, (unsigned)geteuid());
		return AGENT_E_CONFIG;
	}
	return 0;
}

static void
run_handle_closed(uv_handle_t *h)
{
}

/* Everything is flushed and closed: let the loop end. */
static void
run_maybe_done(struct run *r)
{
	if (!r->stopping || !r->pipeline_closed || r->live_sources > 0 ||
	    uv_is_closing((uv_handle_t *)&r->deadline))
		return;
	uv_close((uv_handle_t *)&r->sigint, run_handle_closed);
	uv_close((uv_handle_t *)&r->sigterm, run_handle_closed);
	uv_close((uv_handle_t *)&r->sighup, run_handle_closed);
	uv_close((uv_handle_t *)&r->deadline, run_handle_closed);
}

static void
run_source_closed(struct source *s)
{
	struct run *r = s->owner;

	r->live_sources--;
	run_maybe_done(r);
}

static void
run_pipeline_closed(void *arg)
{
	struct run *r = arg;

	r->pipeline_closed = 1;
	run_maybe_done(r);
}

static void
run_pipeline_drain(void *arg)
{
	struct run *r = arg;
	struct source *s;

	for (s = r->sources; s != NULL && !pipeline_busy(&r->pipe); s = s->next)
		source_resume(s);
}

static void
run_pipeline_fail(void *arg, struct sink *s, int status)
{
	struct run *r = arg;

	if (status == UV_EPIPE) {
		/* The reader went away (| head): stop quietly, like tail. */
		if (!r->broken_pipe)
			log_debug("sink %s: the reader closed the pipe; stopping", s->name);
		r->broken_pipe = 1;
		run_stop(r);
		return;
	}
	log_error("sink %s failed a batch: %s", s->name, agent_strerror(status));
	r->exit_code = 1;
}

static void
run_source_ended(struct source *s)
{
	struct run *r = s->owner;
	struct source *t;

	for (t = r->sources; t != NULL; t = t->next)
		if (!t->ended)
			return;
	log_debug("every source has ended; stopping");
	run_stop(r);
}

static int
run_add_source(struct run *r, const struct conf_source *cs)
{
	struct source *s;

	s = source_new(r->loop, cs->path, cs->name, cs->format, cs->max_line);
	s->pipe = &r->pipe;
	s->owner = r;
	s->on_end = run_source_ended;
	s->next = r->sources;
	r->sources = s;
	r->live_sources++;
	return source_start(s);
}

static int
run_add_sinks(struct run *r, const struct conf *c)
{
	struct sink *s;
	size_t i;
	int rc;

	for (i = 0; i < c->nsinks; i++) {
		s = xcalloc(1, sizeof *s);
		s->ops = c->sinks[i].ops;
		s->conf = &c->sinks[i];
		s->name = xstrdup(c->sinks[i].name ? c->sinks[i].name :
		    c->sinks[i].type);
		s->nsources = (unsigned)c->nsources;
		s->gen = r->sink_gen;
		if ((rc = pipeline_add_sink(&r->pipe, s)) != 0) {
			log_error("sink %s: cannot open: %s", s->name,
			    agent_strerror(rc));
			free(s->name);
			free(s);
			return rc;
		}
	}
	return 0;
}

static void
run_stop_source(struct run *r, struct source *s)
{
	struct source **pp;

	for (pp = &r->sources; *pp != NULL; pp = &(*pp)->next)
		if (*pp == s) {
			*pp = s->next;
			break;
		}
	source_stop(s, run_source_closed);
}

static void
run_deadline_cb(uv_timer_t *t)
{
	struct run *r = t->data;

	log_error("stopping took longer than %d ms (a sink is stuck); exiting with %u batches undelivered",
	    RUN_STOP_DEADLINE_MS, r->pipe.inflight);
	exit(1);
}

static void
run_stop(struct run *r)
{
	if (r->stopping)
		return;
	r->stopping = 1;
	uv_timer_start(&r->deadline, run_deadline_cb, RUN_STOP_DEADLINE_MS, 0);
	while (r->sources != NULL)
		run_stop_source(r, r->sources);
	pipeline_close(&r->pipe);
}

/*
 * SIGHUP: a new config replaces the old one only when it is valid whole.
 * Sources on the same path keep reading where they were; sinks are
 * replaced, the old ones finishing their batches first.
 */
static void
run_reload(struct run *r)
{
	struct conf *c = NULL;
	struct conf_err err;
	struct source *s, *next;
	size_t i;
	int rc;

	if (r->conf->file == NULL) {
		log_info("SIGHUP: no config file to reload (running from the command line)");
		return;
	}
	if ((rc = conf_load(r->conf->file, &c, &err)) != 0 ||
	    (rc = run_apply_overrides(c, r->ov, &err)) != 0) {
		log_error("reload rejected, still running the previous config: %s",
		    err.msg);
		conf_free(c);
		return;
	}
	pipeline_configure(&r->pipe, c, run_max_line(c));
	log_set_level((enum level)c->log_level);
	for (s = r->sources; s != NULL; s = next) {
		next = s->next;
		for (i = 0; i < c->nsources; i++)
			if (strcmp(c->sources[i].path, s->path) == 0)
				break;
		if (i == c->nsources) {
			log_info("reload: no longer following \"%s\"", s->path);
			run_stop_source(r, s);
			continue;
		}
		s->format = c->sources[i].format;
		free(s->name);
		s->name = xstrdup(c->sources[i].name ? c->sources[i].name :
		    c->sources[i].path);
		/* The batch being filled holds the old name: do not reuse it. */
		r->pipe.name_src = NULL;
	}
	for (i = 0; i < c->nsources; i++) {
		for (s = r->sources; s != NULL; s = s->next)
			if (strcmp(c->sources[i].path, s->path) == 0)
				break;
		if (s == NULL) {
			log_info("reload: now following \"%s\"", c->sources[i].path);
			run_add_source(r, &c->sources[i]);
		}
	}
	pipeline_flush(&r->pipe);
	r->sink_gen++;
	if (run_add_sinks(r, c) != 0) {
		log_error("reload: a sink failed to open; keeping the previous sinks");
		pipeline_retire_sinks(&r->pipe, r->sink_gen, 1);
		/* The sources were switched already; the sinks stay as they were. */
		conf_free(c);
		return;
	}
	pipeline_retire_sinks(&r->pipe, r->sink_gen, 0);
	conf_free(r->conf);
	r->conf = c;
	log_info("reloaded %s: %zu sources, %zu sinks", c->file, c->nsources,
	    c->nsinks);
}

static void
run_signal_cb(uv_signal_t *h, int signum)
{
	struct run *r = h->data;

	if (signum == SIGHUP) {
		run_reload(r);
		return;
	}
	if (r->stopping) {
		log_warn("second %s: exiting now", signum == SIGINT ? "SIGINT" : "SIGTERM");
		exit(1);
	}
	log_info("%s: stopping: flushing and closing", signum == SIGINT ?
	    "SIGINT" : "SIGTERM");
	run_stop(r);
}

int
run_agent(struct conf *c, const struct run_overrides *o)
{
	struct run r;
	size_t i;
	int rc = 0;

	memset(&r, 0, sizeof r);
	r.conf = c;
	r.ov = o;
	r.loop = uv_default_loop();
	log_set_level((enum level)c->log_level);
	if (c->state_dir != NULL && (rc = run_state_dir(c->state_dir)) != 0) {
		conf_free(c);
		return 1;
	}
	pipeline_init(&r.pipe, r.loop, c, run_max_line(c));
	r.pipe.arg = &r;
	r.pipe.on_drain = run_pipeline_drain;
	r.pipe.on_fail = run_pipeline_fail;
	r.pipe.on_closed = run_pipeline_closed;

	uv_signal_init(r.loop, &r.sigint);
	uv_signal_init(r.loop, &r.sigterm);
	uv_signal_init(r.loop, &r.sighup);
	r.sigint.data = r.sigterm.data = r.sighup.data = &r;
	uv_signal_start(&r.sigint, run_signal_cb, SIGINT);
	uv_signal_start(&r.sigterm, run_signal_cb, SIGTERM);
	uv_signal_start(&r.sighup, run_signal_cb, SIGHUP);
	uv_timer_init(r.loop, &r.deadline);
	r.deadline.data = &r;

	if ((rc = run_add_sinks(&r, c)) != 0) {
		r.exit_code = 1;
		run_stop(&r);
	} else {
		for (i = 0; i < c->nsources; i++)
			if (run_add_source(&r, &c->sources[i]) != 0) {
				r.exit_code = 1;
				run_stop(&r);
				break;
			}
	}
	if (!r.stopping)
		log_debug("started: %zu sources, %zu sinks", c->nsources, c->nsinks);
	uv_run(r.loop, UV_RUN_DEFAULT);

	log_debug("stopped: %llu lines, %llu events out, %llu filtered, %llu parse errors, %llu truncated, %llu events failed",
	    (unsigned long long)r.pipe.stats.lines,
	    (unsigned long long)r.pipe.stats.events_out,
	    (unsigned long long)r.pipe.stats.filtered,
	    (unsigned long long)r.pipe.stats.parse_errors,
	    (unsigned long long)r.pipe.stats.truncated,
	    (unsigned long long)r.pipe.stats.events_failed);
	if (r.pipe.stats.events_failed != 0 && !r.broken_pipe)
		r.exit_code = 1;
	pipeline_free(&r.pipe);
	uv_loop_close(r.loop);
	conf_free(r.conf);
	return r.exit_code;
}
