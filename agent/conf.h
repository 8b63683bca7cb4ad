/* SPDX-License-Identifier: MIT */
/* conf.h: the configuration as C structs, and the option tables that describe it. */
#ifndef CONF_H
#define CONF_H

#include <stddef.h>

#include "agent.h"
#include "buf.h"

struct parser_ops;
struct sink_ops;

enum conf_type {
	CONF_STRING,	/* char *, malloc'd, freed by conf_free */
	CONF_INT,	/* long long within [min, max] */
	CONF_BOOL,	/* int, 0 or 1 */
	CONF_ENUM,	/* int: the index of the value in choices */
	CONF_SIZE,	/* size_t: bytes, or a string like "64KiB" */
	CONF_PARSER,	/* const struct parser_ops *, by format name */
	CONF_MS,	/* long long milliseconds: a number, or "500ms", "5s", "2m", "24h", "7d" */
	CONF_STRLIST,	/* struct conf_strlist: an array of strings */
	CONF_STRMAP,	/* struct conf_strmap: an object of string values */
	CONF_OBJECT,	/* a nested struct described by the option's sub table */
	CONF_NUMBER,	/* double within [min, max] */
};

struct conf_strlist {
	char **v;
	size_t n;
};

struct conf_strmap {
	char **k;
	char **v;
	size_t n;
};

#define CONF_REQUIRED	0x1	/* no default: the key must be given */
#define CONF_SECRET	0x2	/* never printed; kept out of the agent's log */

/*
 * One key of one object. The table drives parsing, validation, defaults,
 * --help and docs/config.md, so a key cannot exist in one and not the
 * others. def is written the way a user would write the value.
 */
struct conf_option {
	const char *key;
	enum conf_type type;
	const char *def;
	size_t offset;		/* where the value goes in the target struct */
	long long min, max;	/* for CONF_INT and CONF_SIZE */
	const char *const *choices; /* for CONF_ENUM, NULL-terminated */
	unsigned flags;
	const char *help;
	const struct conf_option *sub;	/* for CONF_OBJECT */
};

/* A table: the options of one JSON object, ended by a NULL key. */
struct conf_table {
	const char *path;	/* as docs name it: "sources[]", "sinks[] (stdout)" */
	const char *help;
	const struct conf_option *options;
};

enum { MULTILINE_OFF, MULTILINE_START, MULTILINE_INDENT };

struct conf_multiline {
	int mode;
	char *start_pattern;
	long long flush_ms;
	long long max_lines;
	size_t max_bytes;
};

/* A source's "parse" object; parser_opts_from_conf turns it into parse_opts. */
struct conf_parse {
	int flatten;
	char *time_key;
	char *time_format;
	char *level_key;
	char *latency_key;
	int latency_unit;
};

enum { START_AT_BEGINNING, START_AT_END };
enum { WATCH_INOTIFY, WATCH_POLL };

/* A source's token bucket: 0 events_per_second is no limit. */
struct conf_ratelimit {
	double rate;		/* events a second */
	long long burst;	/* 0: one second's worth */
	int keep;		/* levels from this one up are never dropped; LEVEL_COUNT: none */
	long long summary_ms;	/* one summary event per this, while dropping */
};

struct conf_source {
	char *path;
	char *name;
	const struct parser_ops *format;
	size_t max_line;
	struct conf_strlist exclude;
	struct conf_strmap labels;
	int start_at;
	long long start_lines;
	int watch;
	long long poll_interval_ms;
	long long partial_flush_ms;
	long long rotate_wait_ms;
	struct conf_multiline multiline;
	struct conf_parse parse;
	struct conf_ratelimit rate_limit;
};

struct conf_sink {
	char *type;
	char *name;
	const struct sink_ops *ops;
	void *opts;		/* the sink's own struct, filled from its table */
};

struct conf_metrics {
	int enabled;
	char *listen;
	struct conf_strlist group_by;
	long long max_series;
	struct conf_strlist windows;
	struct conf_strlist buckets;
	struct conf_strmap routes;
	long long error_status;
	int events;
	int clock;		/* CLOCK_EVENT or CLOCK_WALL */
	long long lateness_ms;	/* event time: how late an event may come and still count */
};

enum { CLOCK_EVENT, CLOCK_WALL };
enum { SLO_AVAILABILITY, SLO_LATENCY, SLO_FRESHNESS };

/* One service level objective (the top-level "slo" array). */
struct conf_slo {
	char *name;
	int type;		/* SLO_AVAILABILITY, SLO_LATENCY or SLO_FRESHNESS */
	double objective;	/* the good fraction aimed at, such as 0.999 */
	long long window_ms;
	long long threshold_ms;	/* latency: good when at most this */
	long long max_age_ms;	/* freshness: good while the newest event is at most this old */
	char *route;		/* glob: only requests whose path or route matches */
	char *source;		/* glob: only events of matching sources */
	struct conf_strlist alerts;	/* "SEVERITY BURN_RATE LONG SHORT" each */
	int alerts_given;	/* else the defaults; [] is none */
};

/* Secrets taken out of every event before anything else sees it; each rule can be turned off. */
struct conf_redact {
	int enabled;
	int secret_fields;	/* values of fields named password, token, secret, authorization... */
	int key_values;		/* password=..., token: ..., in text and query strings */
	int bearer;		/* Bearer and Basic credentials */
	int url_credentials;	/* scheme://user:password@host */
	int aws;		/* AWS access key ids */
	int jwt;
	int private_keys;	/* -----BEGIN ... PRIVATE KEY----- blocks */
	int cards;		/* card numbers that pass Luhn */
	struct conf_strlist patterns;	/* the user's regexes: matches are redacted */
	struct conf_strlist drop_fields;
	struct conf_strlist hash_fields;
	char *hash_key;		/* for hash_fields; random per run when unset */
};

struct conf_pipeline {
	struct conf_redact redact;
	int level;
	long long max_fields;
	char *grep;
	struct conf_strlist where;
	char *route;
};

struct conf {
	char *file;		/* where it was read from; NULL when built from the CLI */
	char *state_dir;
	int log_level;
	long long checkpoint_interval_ms;
	long long checkpoint_forget_ms;
	long long max_open_files;
	struct conf_pipeline pipeline;
	struct conf_metrics metrics;
	struct conf_source *sources;
	size_t nsources;
	struct conf_sink *sinks;
	size_t nsinks;
	struct conf_slo *slos;
	size_t nslos;
};

/* Error text: where and what, e.g. "sinks[0].color: expected one of ...". */
struct conf_err {
	char msg[768];
};

/*
 * Read and check a config file. On success *out is a new conf the caller
 * frees with conf_free; on failure returns AGENT_E_CONFIG (or -errno when
 * the file cannot be read) with err->msg naming the file, the JSON path
 * and what was expected.
 */
int	conf_load(const char *file, struct conf **out, struct conf_err *err);

/* The same from text in memory (JSON with // and block comments). */
int	conf_parse(const char *text, size_t len, const char *file,
	    struct conf **out, struct conf_err *err);

/* A conf with every default and no sources or sinks, for the CLI to fill. */
struct conf *conf_new(void);

/* Add a source or a sink with its defaults; returns it for the caller to adjust. */
struct conf_source *conf_add_source(struct conf *c, const char *path);
struct conf_sink *conf_add_sink(struct conf *c, const struct sink_ops *ops);

void	conf_free(struct conf *c);

/*
 * A sink's options (size bytes described by opts) as a copy that owns its
 * strings, for a sink that keeps them past open(): a reload frees the conf.
 */
void	*conf_opts_dup(const struct conf_option *opts, const void *src, size_t size);
void	conf_opts_free(const struct conf_option *opts, void *p);

/* A source's conf with its own copies of every string; freed with conf_source_free. */
void	conf_source_copy(struct conf_source *dst, const struct conf_source *src);
void	conf_source_free(struct conf_source *c);

/*
 * Set one key of a struct described by opts from text, as if the config
 * said "key": "value" (the CLI's overrides use it). Returns 0, or
 * AGENT_E_CONFIG with err naming the key.
 */
int	conf_set_key(const struct conf_option *opts, void *base, const char *key,
	    const char *value, struct conf_err *err);

/* docs/config.md, generated from the tables. */
void	conf_reference(struct buf *out);

/* Parse a size ("65536", "64KiB", "8MiB", "1GB"); returns 0 or -1. */
int	conf_parse_size(const char *s, size_t *out);
/* Parse a duration ("250", "500ms", "5s", "2m", "24h", "7d") to ms; 0 or -1. */
int	conf_parse_ms(const char *s, long long *out);

/* The level names, for CONF_ENUM options that take a level. */
extern const char *const conf_level_choices[];
/* Names of SLO_AVAILABILITY, SLO_LATENCY, SLO_FRESHNESS, as the config writes them. */
extern const char *const conf_slo_types[];

#endif
