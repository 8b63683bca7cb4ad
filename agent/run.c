/* SPDX-License-Identifier: MIT */
/* run.c: the one uv loop: start, checkpoints, reload on SIGHUP, stop cleanly on SIGINT/SIGTERM. */
#include "config.h"

#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "escape.h"
#include "filter.h"
#include "log.h"
#include "observe.h"
#include "pipeline.h"
#include "run.h"
#include "source.h"
#include "timefmt.h"
#include "tui.h"
#include "xmalloc.h"

#define RUN_STOP_DEADLINE_MS	2000
#define RUN_FD_RESERVE		32	/* for sockets, inotify, stdio, the state dir */

struct run {
	uv_loop_t *loop;
	struct conf *conf;
	const struct run_overrides *ov;
	struct pipeline pipe;
	struct source_env env;
	struct checkpoint_store cp;
	int have_cp;
	struct observe obs;	/* metrics, /metrics and /health */
	struct tui_top top;	/* --top */
	int obs_closed;
	uv_signal_t sigint, sigterm, sighup;
	uv_timer_t deadline, cp_timer;
	int stopping;
	int pipeline_closed;
	unsigned live_sources;	/* not yet closed */
	int exit_code;
	int broken_pipe;
	int signalled;
	unsigned sink_gen;	/* sinks of the current config carry this */
};

static void run_stop(struct run *r);

static size_t
run_max_line(const struct conf *c)
{
	size_t i, m = 256;

	for (i = 0; i < c->nsources; i++) {
		if (c->sources[i].max_line > m)
			m = c->sources[i].max_line;
		if (c->sources[i].multiline.mode != MULTILINE_OFF &&
		    c->sources[i].multiline.max_bytes > m)
			m = c->sources[i].multiline.max_bytes;
	}
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
	struct conf_strlist *w = &c->pipeline.where;
	size_t i;

	if (o->grep != NULL) {
		free(c->pipeline.grep);
		c->pipeline.grep = xstrdup(o->grep);
	}
	if (o->route != NULL) {
		free(c->pipeline.route);
		c->pipeline.route = xstrdup(o->route);
	}
	for (i = 0; i < o->nwhere; i++) {
		w->v = xrealloc(w->v, (w->n + 1) * sizeof *w->v);
		w->v[w->n++] = xstrdup(o->where[i]);
	}
	if (filter_check(&c->pipeline, err->msg, sizeof err->msg) != 0)
		return AGENT_E_CONFIG;
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

/*
 * How many files may be open at once: the configured number, within what
 * ulimit -n allows once raised to its hard limit, less a reserve.
 */
static unsigned
run_fd_budget(const struct conf *c)
{
	struct rlimit rl;
	unsigned long long soft = 1024, budget;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		if (rl.rlim_cur < rl.rlim_max) {
			rl.rlim_cur = rl.rlim_max;
			setrlimit(RLIMIT_NOFILE, &rl);
			getrlimit(RLIMIT_NOFILE, &rl);
		}
		soft = rl.rlim_cur == RLIM_INFINITY ? 1048576 : rl.rlim_cur;
	}
	budget = soft > RUN_FD_RESERVE + 8 ? soft - RUN_FD_RESERVE : 8;
	if (c->max_open_files > 0) {
		if ((unsigned long long)c->max_open_files > budget)
			log_warn("max_open_files is %lld but ulimit -n allows %llu; using %llu",
			    c->max_open_files, soft, budget);
		else
			budget = (unsigned long long)c->max_open_files;
	}
	return budget > UINT_MAX ? UINT_MAX : (unsigned)budget;
}

static void
run_handle_closed(uv_handle_t *h)
{
}

static void
run_save_checkpoints(struct run *r)
{
	if (!r->have_cp)
		return;
	checkpoint_forget(&r->cp, timefmt_now_ns(),
	    r->conf->checkpoint_forget_ms * 1000000LL);
	if (r->cp.dirty)
		checkpoint_save(&r->cp);
}

static void
run_cp_timer_cb(uv_timer_t *t)
{
	run_save_checkpoints(t->data);
}

/* Everything is flushed and closed: save checkpoints, let the loop end. */
static void
run_maybe_done(struct run *r)
{
	if (!r->stopping || !r->pipeline_closed || r->live_sources > 0 ||
	    !r->obs_closed || uv_is_closing((uv_handle_t *)&r->deadline))
		return;
	run_save_checkpoints(r);
	log_msg(r->signalled || r->have_cp ? LEVEL_INFO : LEVEL_DEBUG,
	    "stopped: flushed %llu events%s",
	    (unsigned long long)r->pipe.stats.events_out,
	    r->have_cp ? (r->cp.dirty ? "; the checkpoint could NOT be saved" :
	    ", checkpointed") : "");
	uv_close((uv_handle_t *)&r->sigint, run_handle_closed);
	uv_close((uv_handle_t *)&r->sigterm, run_handle_closed);
	uv_close((uv_handle_t *)&r->sighup, run_handle_closed);
	uv_close((uv_handle_t *)&r->deadline, run_handle_closed);
	uv_close((uv_handle_t *)&r->cp_timer, run_handle_closed);
}

static void
run_observe_closed(struct observe *o)
{
	struct run *r = (struct run *)((char *)o - offsetof(struct run, obs));

	r->obs_closed = 1;
	run_maybe_done(r);
}

static void
run_source_closed(struct source *s)
{
	struct run *r = s->env->owner;

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

	for (s = source_all; s != NULL && !pipeline_busy(&r->pipe); s = s->next)
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
	log_error("sink %s failed a batch: %s; its lines stay unacknowledged and will be read again after a restart",
	    s->name, agent_strerror(status));
	r->exit_code = 1;
}

static void
run_source_ended(struct source *ended)
{
	struct run *r = ended->env->owner;
	struct source *t;

	for (t = source_all; t != NULL; t = t->next)
		if (!t->ended)
			return;
	log_debug("every source has ended; stopping");
	run_stop(r);
}

static int
run_add_source(struct run *r, const struct conf_source *cs)
{
	struct source *s = source_new(&r->env, cs);

	s->next = source_all;
	source_all = s;
	r->live_sources++;
	return source_start(s);
}

static void
run_stop_source(struct run *r, struct source *s)
{
	struct source **pp;

	for (pp = &source_all; *pp != NULL; pp = &(*pp)->next)
		if (*pp == s) {
			*pp = s->next;
			break;
		}
	source_stop(s, run_source_closed);
}

/*
 * Files renamed while we were stopped (logrotate ran): their checkpoint
 * names a path that now holds another file. Find each by inode beside its
 * old path and read it on from the checkpoint.
 */
static void
run_adopt_renamed(struct run *r)
{
	struct cp_entry *e, *next;
	struct source *s;
	struct stat st;
	char dir[PATH_MAX], found[PATH_MAX];

	if (!r->have_cp)
		return;
	for (e = r->cp.entries; e != NULL; e = next) {
		next = e->next;
		if (e->holds > 0 || (stat(e->path, &st) == 0 && st.st_ino == e->ino &&
		    st.st_dev == e->dev))
			continue;
		path_dirname(e->path, dir, sizeof dir);
		if (tail_find_renamed(dir, e, found, sizeof found) != 0 ||
		    stat(found, &st) != 0 || (uint64_t)st.st_size <= e->ack.acked)
			continue;
		for (s = source_all; s != NULL; s = s->next)
			if (!s->is_stdin && fnmatch(s->conf.path, e->path, FNM_PATHNAME) == 0)
				break;
		if (s != NULL)
			tail_adopt(s, found, e);
	}
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
		s->state_dir = c->state_dir ? xstrdup(c->state_dir) : NULL;
		if ((rc = pipeline_add_sink(&r->pipe, s)) != 0) {
			log_error("sink %s: cannot open: %s", s->name,
			    agent_strerror(rc));
			free(s->name);
			free((char *)s->state_dir);
			free(s);
			return rc;
		}
	}
	return 0;
}

/*
 * logagent --tail on a terminal: the stdout sink keeps a live status line
 * (requests/s, errors, latency) under the events. Not for daemons.
 */
static void
run_status_line(struct run *r, const struct conf *c)
{
	struct sink *s;

	if (c->file != NULL || !r->obs.have_metrics)
		return;
	for (s = r->pipe.sinks; s != NULL; s = s->next)
		if (s->ops == &sink_stdout && isatty(STDOUT_FILENO)) {
			s->status = observe_status_line;
			s->status_arg = &r->obs;
			/*
			 * Our own info lines ("stopping...") would land on the
			 * status line; a person at a terminal wants the events
			 * and the figures. Warnings and errors still show.
			 */
			if (r->ov->log_level == NULL && c->log_level < LEVEL_WARN)
				log_set_level(LEVEL_WARN);
		}
}

static void
run_deadline_cb(uv_timer_t *t)
{
	struct run *r = t->data;

	log_error("stopping took longer than %d ms (a sink is stuck); exiting with %u batches undelivered (they will be read again)",
	    RUN_STOP_DEADLINE_MS, r->pipe.inflight);
	run_save_checkpoints(r);
	exit(1);
}

/*
 * Stop reading and drain. Only a stop asked for by a signal has a
 * deadline: at the end of input (stdin, --oneshot) the sinks get all the
 * time they need, since nothing asked us to hurry.
 */
static void
run_stop(struct run *r)
{
	if (r->stopping)
		return;
	r->stopping = 1;
	tui_top_stop(&r->top);
	if (r->signalled)
		uv_timer_start(&r->deadline, run_deadline_cb, RUN_STOP_DEADLINE_MS, 0);
	observe_close(&r->obs, run_observe_closed);
	r->pipe.drain = !r->signalled;
	while (source_all != NULL)
		run_stop_source(r, source_all);
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
	for (s = source_all; s != NULL; s = next) {
		next = s->next;
		for (i = 0; i < c->nsources; i++)
			if (strcmp(c->sources[i].path, s->conf.path) == 0)
				break;
		if (i == c->nsources) {
			log_info("reload: no longer following \"%s\"", s->conf.path);
			run_stop_source(r, s);
		} else
			source_update(s, &c->sources[i]);
	}
	for (i = 0; i < c->nsources; i++) {
		for (s = source_all; s != NULL; s = s->next)
			if (strcmp(c->sources[i].path, s->conf.path) == 0)
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
		r->sink_gen--;
	} else
		pipeline_retire_sinks(&r->pipe, r->sink_gen, 0);
	uv_timer_start(&r->cp_timer, run_cp_timer_cb,
	    (uint64_t)c->checkpoint_interval_ms, (uint64_t)c->checkpoint_interval_ms);
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
	r->signalled = 1;
	run_stop(r);
}

/* q on the --top screen: as Ctrl-C. */
static void
run_top_quit(void *arg)
{
	struct run *r = arg;

	r->signalled = 1;
	run_stop(r);
}

/* Colours on fd: a terminal, and nobody said no (--no-color, NO_COLOR, TERM=dumb). */
static int
run_color(const struct run_overrides *o, int fd)
{
	return !o->no_color && term_color_ok(fd);
}

/* The exit summary: on the terminal when stdout is one, else on stderr. */
static void
run_summary(struct run *r)
{
	int fd = isatty(STDOUT_FILENO) ? STDOUT_FILENO : STDERR_FILENO;
	struct buf out;

	if (!r->ov->summary || !r->obs.have_metrics)
		return;
	buf_init(&out, 1 << 20);
	tui_summary(&r->obs, timefmt_now_ns(), run_color(r->ov, fd), &out);
	tui_write(fd, out.p, out.len);
	buf_free(&out);
}

int
run_agent(struct conf *c, const struct run_overrides *o, int oneshot)
{
	struct run r;
	size_t i;
	int rc = 0;

	memset(&r, 0, sizeof r);
	r.conf = c;
	r.ov = o;
	r.loop = uv_default_loop();
	log_set_level((enum level)c->log_level);
	if (c->state_dir != NULL) {
		if ((rc = run_state_dir(c->state_dir)) != 0 ||
		    (rc = checkpoint_open(&r.cp, c->state_dir)) != 0) {
			conf_free(c);
			return 1;
		}
		r.have_cp = 1;
	}
	pipeline_init(&r.pipe, r.loop, c, run_max_line(c));
	r.pipe.arg = &r;
	r.pipe.on_drain = run_pipeline_drain;
	r.pipe.on_fail = run_pipeline_fail;
	r.pipe.on_closed = run_pipeline_closed;
	r.env.loop = r.loop;
	r.env.pipe = &r.pipe;
	r.env.cp = r.have_cp ? &r.cp : NULL;
	r.env.oneshot = oneshot;
	r.env.max_open = run_fd_budget(c);
	r.env.on_end = run_source_ended;
	r.env.owner = &r;

	uv_signal_init(r.loop, &r.sigint);
	uv_signal_init(r.loop, &r.sigterm);
	uv_signal_init(r.loop, &r.sighup);
	r.sigint.data = r.sigterm.data = r.sighup.data = &r;
	uv_signal_start(&r.sigint, run_signal_cb, SIGINT);
	uv_signal_start(&r.sigterm, run_signal_cb, SIGTERM);
	uv_signal_start(&r.sighup, run_signal_cb, SIGHUP);
	uv_timer_init(r.loop, &r.deadline);
	uv_timer_init(r.loop, &r.cp_timer);
	r.deadline.data = r.cp_timer.data = &r;
	if (r.have_cp)
		uv_timer_start(&r.cp_timer, run_cp_timer_cb,
		    (uint64_t)c->checkpoint_interval_ms,
		    (uint64_t)c->checkpoint_interval_ms);

	/* The endpoint is for daemons: not for --tail, nor a --oneshot backfill. */
	observe_start(&r.obs, r.loop, c, &r.pipe, &r.env, c->file != NULL && !oneshot);
	if ((rc = run_add_sinks(&r, c)) != 0) {
		r.exit_code = 1;
		run_stop(&r);
	} else {
		run_status_line(&r, c);
		r.env.at_startup = 1;
		for (i = 0; i < c->nsources && rc == 0; i++)
			rc = run_add_source(&r, &c->sources[i]);
		r.env.at_startup = 0;
		if (rc != 0) {
			r.exit_code = 1;
			run_stop(&r);
		} else
			run_adopt_renamed(&r);
	}
	if (!r.stopping && o->top) {
		if (!r.obs.have_metrics) {
			log_error("--top shows metrics, and metrics.enabled is false");
			r.exit_code = 1;
			run_stop(&r);
		} else if (tui_top_start(&r.top, r.loop, &r.obs, run_color(o, STDOUT_FILENO),
		    run_top_quit, &r) != 0) {
			log_error("--top needs a terminal on standard output");
			r.exit_code = 1;
			run_stop(&r);
		} else if (o->log_level == NULL && c->log_level < LEVEL_ERROR)
			log_set_level(LEVEL_ERROR);	/* the screen is ours */
	}
	if (!r.stopping)
		log_debug("started: %zu sources, %zu sinks, up to %u files open",
		    c->nsources, c->nsinks, r.env.max_open);
	uv_run(r.loop, UV_RUN_DEFAULT);

	log_debug("stopped: %llu lines, %llu events out, %llu filtered, %llu parse errors, %llu truncated, %llu events failed; rotations %llu, truncations %llu, recovered %llu bytes, unrecoverable %llu bytes, at risk %llu bytes, idle files closed %llu",
	    (unsigned long long)r.pipe.stats.lines,
	    (unsigned long long)r.pipe.stats.events_out,
	    (unsigned long long)r.pipe.stats.filtered,
	    (unsigned long long)r.pipe.stats.parse_errors,
	    (unsigned long long)r.pipe.stats.truncated,
	    (unsigned long long)r.pipe.stats.events_failed,
	    (unsigned long long)r.env.rotations,
	    (unsigned long long)r.env.truncations,
	    (unsigned long long)r.env.recovered_bytes,
	    (unsigned long long)r.env.unrecoverable_bytes,
	    (unsigned long long)r.env.at_risk_bytes,
	    (unsigned long long)r.env.parked);
	if (r.pipe.stats.events_failed != 0 && !r.broken_pipe)
		r.exit_code = 1;
	if (r.have_cp && r.cp.dirty)
		r.exit_code = 1;	/* the last checkpoint could not be saved */
	run_summary(&r);
	observe_free(&r.obs);
	pipeline_free(&r.pipe);
	uv_loop_close(r.loop);
	if (r.have_cp)
		checkpoint_close(&r.cp);
	conf_free(r.conf);
	return r.exit_code;
}
