/* SPDX-License-Identifier: MIT */
/* tui.h: what a person at a terminal sees of the traffic: the --top screen and the exit summary. */
#ifndef TUI_H
#define TUI_H

#include <stdint.h>
#include <uv.h>

#include "buf.h"
#include "observe.h"

/*
 * The summary printed on exit: events by level, the top 5 error groups
 * with counts and an example, p50/p95/p99 of the busiest routes.
 */
void	tui_summary(struct observe *o, int64_t now, int color, struct buf *out);

/* All of p[0..n) to fd, a terminal (blocking writes; a screenful at most). */
void	tui_write(int fd, const char *p, size_t n);

/*
 * One frame of --top for a terminal of rows x cols: drawn over the last
 * from the top-left corner, each row cleared to its end, so nothing
 * flickers. Rows end in \r\n: the terminal is in raw mode.
 */
void	tui_top_frame(struct observe *o, int64_t now, unsigned rows, unsigned cols,
	    int color, struct buf *out);

/*
 * The --top screen: the alternate screen, redrawn each second, keys read
 * raw from the terminal; q (or Ctrl-C) calls on_quit. tui_top_stop gives
 * the terminal back as it was; it is also done at exit, whatever the path.
 */
struct tui_top {
	uv_loop_t *loop;
	struct observe *o;
	uv_timer_t tick;
	uv_tty_t keys;
	int keys_fd;		/* -1 without a terminal to read keys from */
	int color;
	int running;
	void (*on_quit)(void *arg);
	void *arg;
	char keybuf[64];
};

/* 0, or a negative code when stdout is no terminal. */
int	tui_top_start(struct tui_top *t, uv_loop_t *loop, struct observe *o, int color,
	    void (*on_quit)(void *arg), void *arg);
void	tui_top_stop(struct tui_top *t);

#endif
