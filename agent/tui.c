/* SPDX-License-Identifier: MIT */
/* tui.c: the --top screen and the exit summary, drawn from the metrics and error groups. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "escape.h"
#include "level.h"
#include "log.h"
#include "timefmt.h"
#include "tui.h"

#define TUI_TICK_MS	1000
#define TUI_SUMMARY_GROUPS	5
#define TUI_SUMMARY_ROUTES	5
#define TUI_MAX_ROWS	200

#define SGR_BOLD	"\033[1m"
#define SGR_DIM		"\033[2m"
#define SGR_INVERSE	"\033[7m"
#define SGR_RESET	"\033[0m"

static const char *const tui_level_sgr[LEVEL_COUNT] = {
	[LEVEL_DEBUG] = "\033[2m", [LEVEL_INFO] = "", [LEVEL_WARN] = "\033[33m",
	[LEVEL_ERROR] = "\033[31m", [LEVEL_FATAL] = "\033[7;31m",
};

/* 45s, 3m07s, 2h05m: how long the agent has been watching. */
static void
tui_uptime(char *out, size_t cap, int64_t ns)
{
	long long s = ns / 1000000000LL;

	if (s < 60)
		snprintf(out, cap, "%llds", s);
	else if (s < 3600)
		snprintf(out, cap, "%lldm%02llds", s / 60, s % 60);
	else
		snprintf(out, cap, "%lldh%02lldm", s / 3600, s % 3600 / 60);
}

/* Text from the logs, safe for the terminal, in at most cols columns (padded to them when pad). */
static void
tui_text(struct buf *out, const char *p, size_t n, size_t cols, int pad)
{
	struct buf t;
	size_t k, w;

	buf_init(&t, 1 << 16);
	esc_text(&t, p, n);
	k = term_fit(t.p, t.len, cols);
	if (k < t.len && cols > 0)
		k = term_fit(t.p, t.len, cols - 1);	/* room for the ellipsis */
	buf_append(out, t.p, k);
	w = term_width(t.p, k);
	if (k < t.len && cols > 0) {
		buf_puts(out, "\xe2\x80\xa6");
		w++;
	}
	for (; pad && w < cols; w++)
		buf_putc(out, ' ');
	buf_free(&t);
}

static void
tui_sgr(struct buf *out, int color, const char *sgr)
{
	if (color && sgr[0] != '\0')
		buf_puts(out, sgr);
}

/* "debug 0  info 12  warn 3  error 1  fatal 0", each name in its colour. */
static void
tui_levels(struct observe *o, int color, struct buf *out)
{
	unsigned l;

	observe_catch_up(o);	/* the levels of every event read so far */
	for (l = 0; l < LEVEL_COUNT; l++) {
		if (l > 0)
			buf_puts(out, "  ");
		tui_sgr(out, color && o->levels[l] > 0, tui_level_sgr[l]);
		buf_puts(out, level_name((enum level)l));
		tui_sgr(out, color && o->levels[l] > 0, SGR_RESET);
		buf_printf(out, " %llu", (unsigned long long)o->levels[l]);
	}
}

/* The longest window: the summary's figures cover as much as there is. */
static unsigned
tui_longest_window(const struct metrics *m)
{
	unsigned w, best = 0;

	for (w = 1; w < m->nwindows; w++)
		if (m->window_ns[w] > m->window_ns[best])
			best = w;
	return best;
}

/* A route's row: name (cols wide), then requests or rate, errors, p50, p95, p99. */
static void
tui_route_row(struct buf *out, const struct metrics_route *r, size_t name_cols,
    int rate, int color)
{
	char p50[16], p95[16], p99[16];

	observe_dur(p50, sizeof p50, r->f.p50);
	observe_dur(p95, sizeof p95, r->f.p95);
	observe_dur(p99, sizeof p99, r->f.p99);
	tui_text(out, r->name, strlen(r->name), name_cols, 1);
	if (rate)
		buf_printf(out, " %9.1f", r->f.rate);
	else
		buf_printf(out, " %9llu", (unsigned long long)r->f.requests);
	tui_sgr(out, color && r->f.errors > 0, "\033[31m");
	buf_printf(out, " %6.1f%%", r->f.error_ratio * 100);
	tui_sgr(out, color && r->f.errors > 0, SGR_RESET);
	buf_printf(out, " %8s %8s %8s", p50, p95, p99);
}

void
tui_summary(struct observe *o, int64_t now, int color, struct buf *out)
{
	const struct errgroup *top[TUI_SUMMARY_GROUPS];
	struct metrics_route routes[TUI_SUMMARY_ROUTES];
	char up[32];
	unsigned i, n, w;
	uint64_t total = 0;
	int64_t mnow;
	int young;

	for (i = 0; i < LEVEL_COUNT; i++)
		total += o->levels[i];
	tui_uptime(up, sizeof up, now - o->started_ns);
	tui_sgr(out, color, SGR_BOLD);
	buf_printf(out, "logagent: %llu events in %s", (unsigned long long)total, up);
	tui_sgr(out, color, SGR_RESET);
	buf_puts(out, "\n  levels  ");
	tui_levels(o, color, out);
	buf_putc(out, '\n');
	n = errgroups_top(&o->eg, top, TUI_SUMMARY_GROUPS);
	if (n > 0) {
		buf_printf(out, "  top error groups (%u of %u%s):\n", n, o->eg.n,
		    o->eg.other ? ", and more past the cap" : "");
		for (i = 0; i < n; i++) {
			buf_printf(out, "  %8llu  ", (unsigned long long)top[i]->count);
			tui_sgr(out, color, tui_level_sgr[top[i]->level]);
			tui_text(out, top[i]->key, strlen(top[i]->key), 200, 0);
			tui_sgr(out, color, SGR_RESET);
			buf_putc(out, '\n');
			if (strlen(top[i]->key) == top[i]->example_n &&
			    memcmp(top[i]->key, top[i]->example, top[i]->example_n) == 0)
				continue;	/* the shape is the message: nothing varies */
			buf_puts(out, "            ");
			tui_sgr(out, color, SGR_DIM);
			buf_puts(out, "e.g. ");
			tui_text(out, top[i]->example, top[i]->example_n, 200, 0);
			tui_sgr(out, color, SGR_RESET);
			buf_putc(out, '\n');
		}
	}
	w = tui_longest_window(&o->m);
	mnow = observe_clock(o);
	n = metrics_routes(&o->m, w, mnow, routes, TUI_SUMMARY_ROUTES);
	if (n == 0)
		return;
	young = mnow - o->first_ns < o->m.window_ns[w];
	buf_printf(out, "  busiest routes (%s%s):\n  %-32s %9s %7s %8s %8s %8s\n",
	    young ? "since start" : "last ", young ? "" : o->m.window_name[w],
	    "route", "requests", "errors", "p50", "p95", "p99");
	for (i = 0; i < n; i++) {
		buf_puts(out, "  ");
		tui_route_row(out, &routes[i], 32, 0, color);
		buf_putc(out, '\n');
	}
}

/*
 * Ends a row of the --top screen begun at out[start]: cut to cols
 * columns, the rest of it cleared, colours reset.
 */
static void
tui_row_end(struct buf *out, size_t start, unsigned cols, int color, unsigned *row)
{
	out->len = start + term_fit(out->p + start, out->len - start, cols);
	if (color)
		buf_puts(out, SGR_RESET);
	buf_puts(out, "\033[K\r\n");
	(*row)++;
}

void
tui_top_frame(struct observe *o, int64_t now, unsigned rows, unsigned cols, int color,
    struct buf *out)
{
	struct metrics_route routes[TUI_MAX_ROWS];
	const struct errgroup *top[TUI_MAX_ROWS];
	struct metrics_figures f;
	char up[32], p50[16], p95[16], p99[16], t[TIMEFMT_MAX];
	unsigned row = 0, nroutes, ngroups, i, room;
	size_t name_cols = cols > 60 ? cols - 48 : 12, start;
	uint64_t total = 0;

	for (i = 0; i < LEVEL_COUNT; i++)
		total += o->levels[i];
	if (rows > TUI_MAX_ROWS)
		rows = TUI_MAX_ROWS;
	buf_puts(out, "\033[H");
	metrics_window_all(&o->m, 0, observe_clock(o), &f);
	tui_uptime(up, sizeof up, now - o->started_ns);
	/* Header rows are built whole, then cut to the width. */
	start = out->len;
	tui_sgr(out, color, SGR_INVERSE);
	buf_printf(out, " logagent --top  up %s  %llu events  (q quits) ", up,
	    (unsigned long long)total);
	tui_row_end(out, start, cols, color, &row);
	observe_dur(p50, sizeof p50, f.p50);
	observe_dur(p95, sizeof p95, f.p95);
	observe_dur(p99, sizeof p99, f.p99);
	start = out->len;
	buf_printf(out, " %.1f req/s  %.1f%% errors  p50 %s  p95 %s  p99 %s  (%s)", f.rate,
	    f.error_ratio * 100, p50, p95, p99, o->m.window_name[0]);
	tui_row_end(out, start, cols, color, &row);
	start = out->len;
	buf_putc(out, ' ');
	tui_levels(o, color, out);
	tui_row_end(out, start, cols, color, &row);
	tui_row_end(out, out->len, cols, color, &row);

	/*
	 * What is left, less two titles and a blank: error groups get up to
	 * half, routes the rest.
	 */
	room = rows > row + 3 ? rows - row - 3 : 0;
	ngroups = errgroups_top(&o->eg, top, room / 2);
	nroutes = metrics_routes(&o->m, 0, observe_clock(o), routes,
	    room > ngroups ? room - ngroups : 1);
	if (row < rows) {
		start = out->len;
		tui_sgr(out, color, SGR_BOLD);
		buf_printf(out, " %-*s %9s %7s %8s %8s %8s", (int)name_cols, "ROUTE", "REQ/S",
		    "ERR%", "P50", "P95", "P99");
		tui_row_end(out, start, cols, color, &row);
	}
	for (i = 0; i < nroutes && row < rows; i++) {
		start = out->len;
		buf_putc(out, ' ');
		tui_route_row(out, &routes[i], name_cols, 1, color);
		tui_row_end(out, start, cols, color, &row);
	}
	if (row < rows)
		tui_row_end(out, out->len, cols, color, &row);
	if (row < rows) {
		start = out->len;
		tui_sgr(out, color, SGR_BOLD);
		buf_printf(out, " %-*s %9s  %s", (int)(cols > 30 ? cols - 30 : 1),
		    "ERROR GROUP", "COUNT", "LAST");
		tui_row_end(out, start, cols, color, &row);
	}
	for (i = 0; i < ngroups && row < rows; i++) {
		start = out->len;
		buf_putc(out, ' ');
		tui_sgr(out, color, tui_level_sgr[top[i]->level]);
		tui_text(out, top[i]->key, strlen(top[i]->key), cols > 30 ? cols - 30 : 1, 1);
		tui_sgr(out, color, SGR_RESET);
		t[timefmt_local_short(top[i]->last_ns, t)] = '\0';
		buf_printf(out, " %9llu  %.8s", (unsigned long long)top[i]->count, t);
		tui_row_end(out, start, cols, color, &row);
	}
	/* The rest of the screen, cleared (the last row without its \r\n). */
	buf_puts(out, "\033[J");
}

/* The terminal as we found it, from wherever the agent ends (exit(), a fatal error). */
static int tui_screen_taken;

static void
tui_restore(void)
{
	static const char leave[] = "\033[0m\033[?25h\033[?1049l";

	if (!tui_screen_taken)
		return;
	tui_screen_taken = 0;
	if (write(STDOUT_FILENO, leave, sizeof leave - 1) < 0) {
		/* Nothing more to do for a terminal that is gone. */
	}
	uv_tty_reset_mode();
}

void
tui_write(int fd, const char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		if ((w = write(fd, p, n)) < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return;
		}
		p += w;
		n -= (size_t)w;
	}
}

static void
tui_top_draw(uv_timer_t *h)
{
	struct tui_top *t = h->data;
	unsigned rows, cols;
	struct buf out;

	term_size(STDOUT_FILENO, &rows, &cols);
	buf_init(&out, 1 << 20);
	/* The last row stays empty: a \r\n there would scroll the screen. */
	tui_top_frame(t->o, timefmt_now_ns(), rows - 1, cols, t->color, &out);
	tui_write(STDOUT_FILENO, out.p, out.len);
	buf_free(&out);
}

static void
tui_keys_alloc(uv_handle_t *h, size_t want, uv_buf_t *b)
{
	struct tui_top *t = h->data;

	(void)want;
	*b = uv_buf_init(t->keybuf, sizeof t->keybuf);
}

static void
tui_keys_read(uv_stream_t *s, ssize_t n, const uv_buf_t *b)
{
	struct tui_top *t = s->data;
	ssize_t i;

	if (n < 0) {
		uv_read_stop(s);
		return;
	}
	/* q, or Ctrl-C and Ctrl-D, which raw mode hands us as bytes. */
	for (i = 0; i < n; i++)
		if (b->base[i] == 'q' || b->base[i] == 'Q' || b->base[i] == 3 || b->base[i] == 4) {
			if (t->running && t->on_quit != NULL)
				t->on_quit(t->arg);
			return;
		}
}

int
tui_top_start(struct tui_top *t, uv_loop_t *loop, struct observe *o, int color,
    void (*on_quit)(void *arg), void *arg)
{
	static const char enter[] = "\033[?1049h\033[?25l\033[H\033[2J";
	static int hooked;
	int fd;

	memset(t, 0, sizeof *t);
	t->keys_fd = -1;
	if (!isatty(STDOUT_FILENO))
		return -ENOTTY;
	t->loop = loop;
	t->o = o;
	t->color = color;
	t->on_quit = on_quit;
	t->arg = arg;
	/*
	 * Keys come from the terminal itself, not from stdin: stdin may be a
	 * log being piped in.
	 */
	if ((fd = open("/dev/tty", O_RDONLY | O_CLOEXEC)) >= 0) {
		if (uv_tty_init(loop, &t->keys, fd, 1) == 0) {
			t->keys.data = t;
			t->keys_fd = fd;
			uv_tty_set_mode(&t->keys, UV_TTY_MODE_RAW);
			uv_read_start((uv_stream_t *)&t->keys, tui_keys_alloc, tui_keys_read);
		} else
			close(fd);
	}
	if (t->keys_fd < 0)
		log_warn("--top: no terminal to read keys from; Ctrl-C quits");
	if (!hooked) {
		atexit(tui_restore);
		hooked = 1;
	}
	tui_screen_taken = 1;
	tui_write(STDOUT_FILENO, enter, sizeof enter - 1);
	uv_timer_init(loop, &t->tick);
	t->tick.data = t;
	uv_timer_start(&t->tick, tui_top_draw, 0, TUI_TICK_MS);
	t->running = 1;
	return 0;
}

void
tui_top_stop(struct tui_top *t)
{
	if (!t->running)
		return;
	t->running = 0;
	uv_timer_stop(&t->tick);
	uv_close((uv_handle_t *)&t->tick, NULL);
	if (t->keys_fd >= 0) {
		uv_read_stop((uv_stream_t *)&t->keys);
		uv_close((uv_handle_t *)&t->keys, NULL);
	}
	tui_restore();
}
