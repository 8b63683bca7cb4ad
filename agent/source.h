/* SPDX-License-Identifier: MIT */
/* source.h: where lines come from: files matched by a path or glob and followed, or standard input. */
#ifndef SOURCE_H
#define SOURCE_H

#include <stdint.h>
#include <sys/types.h>
#include <uv.h>

#include "checkpoint.h"
#include "conf.h"
#include "linesplit.h"
#include "multiline.h"
#include "pipeline.h"

struct source;

/* What the sources of one agent share. */
struct source_env {
	uv_loop_t *loop;
	struct pipeline *pipe;
	struct checkpoint_store *cp;	/* NULL: no state_dir, nothing kept */
	int oneshot;		/* read to the current end, then end */
	int at_startup;		/* files found now obey start_at */
	unsigned open_files;	/* across all sources */
	unsigned max_open;	/* fd budget for followed files */
	int emfile_logged;
	/* Counters for /health and the final summary. */
	uint64_t rotations, truncations, recovered_bytes, unrecoverable_bytes;
	uint64_t at_risk_bytes, identity_mismatches, parked;
	/* Called when a source has ended (stdin, or oneshot). */
	void (*on_end)(struct source *s);
	void *owner;
};

enum tail_state {
	TAIL_FOLLOW,	/* the path names this file */
	TAIL_ROTATED,	/* renamed or deleted: read to the end, then close */
};

/*
 * One file being read. Its identity and acknowledged offset live in cp
 * (shared with the checkpoint store); offset is how far it is read. With
 * fd -1 and parked set, it is closed to save descriptors and reopened by
 * identity when it grows.
 */
struct tail_file {
	struct source *src;
	char *path;		/* the name it was found by */
	enum tail_state state;
	int fd;
	int parked;
	dev_t dev;
	ino_t ino;
	uint64_t offset;	/* of the next byte to read */
	uint64_t size_seen;	/* the largest size stat has shown */
	int64_t last_growth_ns;	/* when bytes last arrived */
	int64_t last_read_ns;	/* when it was last read, for choosing what to park */
	struct cp_entry *cp;
	struct pipeline_input in;
	struct auto_state learn;	/* for format auto */
	struct linesplit ls;
	struct multiline ml;
	int eof;		/* the last read reached the end */
	int gone_logged;
	struct tail_file *next;
};

/* A configured source: one path or glob, or "-". */
struct source {
	struct source_env *env;
	struct conf_source conf;	/* copied: strings owned here */
	struct parse_opts popts;	/* conf.parse, pointing into conf */
	char *name;
	int is_glob;
	int is_stdin;
	struct tail_file *files;
	unsigned nfiles;
	struct ratelimit limit;	/* shared by its files */
	struct pipeline_input limit_in;	/* its summaries: the source's name and labels */
	struct buf limit_out;
	uv_timer_t tick;	/* stat, glob, timeouts */
	uv_timer_t kick;	/* go on reading on the next loop turn */
	uv_fs_event_t **watches;	/* one per directory, inotify mode */
	char **watch_dirs;
	unsigned nwatches;
	int64_t last_scan_ns;
	int last_errno;		/* of the last failed open or glob, logged once */
	/* stdin */
	union {
		uv_pipe_t pipe;
		uv_tty_t tty;
	} stream;
	struct tail_file *stdin_file;
	int paused;
	int ended;
	int stopping;
	unsigned open_handles;
	void (*on_closed)(struct source *s);
	struct source *next;
};

/* Point f's pipeline input at s's name, format, options and labels. */
void	source_input_init(struct source *s, struct tail_file *f);

/* A source for one conf_source; the conf is copied. */
struct source *source_new(struct source_env *env, const struct conf_source *c);
int	source_start(struct source *s);
/* Backpressure lifted: read again. */
void	source_resume(struct source *s);
/*
 * Stop reading. Without checkpoints a held last line is sent as partial
 * (it would be lost); with them it is not, and is read again next time.
 * Handles close; on_closed runs once, later; s is freed after it.
 */
void	source_stop(struct source *s, void (*on_closed)(struct source *));
/* Apply a reloaded conf for the same path (format, name, labels...). */
void	source_update(struct source *s, const struct conf_source *c);

/* tail.c */
struct tail_file *tail_open(struct source *s, const char *path, int startup);
/* Open path, renamed from e's file while we were away, and read it on from e. */
struct tail_file *tail_adopt(struct source *s, const char *path, struct cp_entry *e);
void	tail_read(struct tail_file *f);
/* Stat the path: rotation, deletion, truncation, growth of a parked file. */
void	tail_check(struct tail_file *f, int64_t now_ns);
/* Held partial lines and multiline events waiting too long; rotated files gone quiet. */
void	tail_timeouts(struct tail_file *f, int64_t now_ns);
/* Close and free (pending batches keep its checkpoint entry alive). */
void	tail_free(struct tail_file *f, int flush_partial);
int	tail_park_one(struct source_env *env, struct source *all);
/* A file under f's dir with dev/ino and the head hash of e: a renamed copy. */
int	tail_find_renamed(const char *dir, const struct cp_entry *e, char *out,
	    size_t len);

/* Run s's tick on the next loop turn (timeouts, and the end of --oneshot). */
void	source_tick_now(struct source *s);
/* Every file of s read to its end (for --oneshot). */
int	source_drained(const struct source *s);
/* The input ended (stdin, or oneshot read everything): tell the owner once. */
void	source_end(struct source *s);
/* Read every file of s again on the next loop turn. */
void	source_kick(struct source *s);
/* The directory part of path ("." or "/" at the ends), like dirname(3) without changing path. */
void	path_dirname(const char *path, char *out, size_t len);
/* Lines from a file: through multiline, to the pipeline. */
void	source_file_line(void *arg, const char *line, size_t n, unsigned flags,
	    uint64_t end);
/* All sources, for parking: set by the owner. */
extern struct source *source_all;

#endif
